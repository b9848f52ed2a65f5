#!/usr/bin/python3
"""Tests of tests/docker/check_docker_files.py: the real files pass, and each rule fails on a copy
of them that breaks it.

Run with Debian's /usr/bin/python3 (python3-yaml): /usr/bin/python3 -B test_check_docker_files.py
Each test builds a scratch repository from the real docker/ files, the real .dockerignore and
sources, and stand-ins for scripts/install-deps.sh, scripts/build.sh and .ci/run (so these tests do
not depend on the real scripts, which the `docker_files` test checks).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHECKER = HERE / "check_docker_files.py"

sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
import check_docker_files as cdf  # noqa: E402

INSTALL_STUB = "#!/bin/sh\n# apt-get install the build dependencies\nexit 0\n"
BUILD_STUB = ("#!/bin/sh\n# BUILD_DIR BUILD_TYPE EMUSCIM_BUILD_TESTS EMUSCIM_BUILD_BENCH EMUSCIM_WARNINGS_AS_ERRORS TARGETS\n"
              "cmake -S . -B \"${BUILD_DIR:-build}\" -DCMAKE_BUILD_TYPE=\"${BUILD_TYPE:-RelWithDebInfo}\"\n")
CI_STUB = "#!/usr/bin/env bash\nset -e\nscripts/install-deps.sh\nscripts/build.sh\n"


def have_ldd_and_dpkg():
    return shutil.which("ldd") is not None and shutil.which("dpkg") is not None


class Scratch(unittest.TestCase):
    """A scratch repository; `check()` runs the checker on it."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = Path(self.tmp.name) / "repo"
        self.repo.mkdir()
        for name in ("CMakeLists.txt", ".dockerignore"):
            shutil.copy2(ROOT / name, self.repo / name)
        for name in ("cmake", "src"):
            shutil.copytree(ROOT / name, self.repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "docker", self.repo / "docker", ignore=shutil.ignore_patterns("certs"))
        # The IdP fixtures: the Dockerfile copies them (emuscim replay's built-in cycles are embedded).
        shutil.copytree(ROOT / "tests" / "fixtures", self.repo / "tests" / "fixtures")
        self.write("scripts/install-deps.sh", INSTALL_STUB, executable=True)
        self.write("scripts/build.sh", BUILD_STUB, executable=True)
        self.write(".ci/run", CI_STUB, executable=True)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel, text, executable=False):
        path = self.repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if executable:
            path.chmod(0o755)

    def read(self, rel):
        return (self.repo / rel).read_text()

    def edit(self, rel, old, new, regex=False):
        text = self.read(rel)
        if regex:
            changed, n = re.subn(old, new, text, flags=re.M | re.S)
            self.assertGreater(n, 0, f"{old!r} not found in {rel}")
        else:
            self.assertIn(old, text, f"{old!r} not found in {rel}")
            changed = text.replace(old, new)
        (self.repo / rel).write_text(changed)

    def check(self, *args):
        r = subprocess.run([sys.executable, "-B", str(CHECKER), "--repo", str(self.repo), *map(str, args)],
                           capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout + r.stderr

    def assertPasses(self, *args):
        rc, out = self.check(*args)
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"(?m)^\d+ passed, 0 failed")
        return out

    def assertFails(self, *needles, args=()):
        rc, out = self.check(*args)
        self.assertEqual(rc, 1, out)
        fails = "\n".join(line for line in out.splitlines() if line.startswith("FAIL"))
        for needle in needles:
            self.assertIn(needle, fails, out)
        self.assertRegex(out, r"(?m)^\d+ passed, [1-9]\d* failed")
        return fails


class Baseline(Scratch):
    def test_the_repository_files_pass(self):
        out = self.assertPasses()
        self.assertIn("ok      HEALTHCHECK requires an HTTP 200", out)

    def test_dot_slash_script_is_the_same_script(self):
        self.edit("docker/Dockerfile", "RUN scripts/build.sh", "RUN ./scripts/build.sh")
        self.assertPasses()

    def test_exec_form_is_the_same_script(self):
        self.edit("docker/Dockerfile", "RUN scripts/install-deps.sh", 'RUN ["scripts/install-deps.sh"]')
        self.assertPasses()


class BuildStage(Scratch):
    def test_extra_build_command(self):
        self.edit("docker/Dockerfile", "RUN scripts/install-deps.sh\n",
                  "RUN scripts/install-deps.sh\nRUN apt-get update && apt-get install -y cmake\n")
        self.assertFails("build stage RUN is one of the shared scripts")

    def test_hand_written_build_instead_of_the_script(self):
        self.edit("docker/Dockerfile", "RUN scripts/build.sh",
                  "RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build")
        self.assertFails("build stage RUN is one of the shared scripts", "RUN scripts/build.sh exactly once")

    def test_script_with_arguments(self):
        self.edit("docker/Dockerfile", "RUN scripts/install-deps.sh", "RUN scripts/install-deps.sh --with-test-tools")
        self.assertFails("build stage RUN is one of the shared scripts")

    def test_script_run_twice(self):
        self.edit("docker/Dockerfile", "RUN scripts/build.sh", "RUN scripts/build.sh\nRUN scripts/build.sh")
        self.assertFails("RUN scripts/build.sh exactly once")

    def test_script_missing_from_the_repository(self):
        (self.repo / "scripts/build.sh").unlink()
        self.assertFails("scripts/build.sh exists and is executable")

    def test_script_not_executable(self):
        (self.repo / "scripts/install-deps.sh").chmod(0o644)
        self.assertFails("scripts/install-deps.sh exists and is executable")

    def test_script_not_copied_before_it_runs(self):
        self.edit("docker/Dockerfile", "COPY scripts/ scripts/\n", "")
        self.assertFails("scripts/build.sh is COPYed into the image before it runs")

    def test_copy_source_missing(self):
        self.edit("docker/Dockerfile", "COPY cmake/ cmake/", "COPY cmake/ cmake/\nCOPY schemas/ schemas/")
        self.assertFails("COPY source schemas/ exists in the repository")

    def test_copy_source_excluded_by_dockerignore(self):
        with open(self.repo / ".dockerignore", "a") as f:
            f.write("cmake/\n")
        self.assertFails("COPY source cmake/ is in the build context")

    def test_file_under_copied_directory_excluded(self):
        self.write("src/tls/test.key", "not really a key\n")
        self.assertFails("no file under src/ is excluded by .dockerignore")

    def test_build_type_not_release(self):
        self.edit("docker/Dockerfile", "ENV BUILD_TYPE=Release \\\n", "ENV ")
        self.assertFails("ENV BUILD_TYPE=Release is set before RUN scripts/build.sh")

    def test_tests_left_on(self):
        self.edit("docker/Dockerfile", "EMUSCIM_BUILD_TESTS=OFF", "EMUSCIM_BUILD_TESTS=ON")
        self.assertFails("ENV EMUSCIM_BUILD_TESTS=OFF is set before RUN scripts/build.sh")

    def test_env_the_build_script_does_not_read(self):
        self.edit("docker/Dockerfile", "RUN scripts/build.sh", "ENV CMAKE_ARGS=-DFOO=1\nRUN scripts/build.sh")
        self.assertFails("ENV CMAKE_ARGS of the build stage is a setting scripts/install-deps.sh or scripts/build.sh")

    def test_ci_does_not_run_the_build_script(self):
        self.write(".ci/run", "#!/bin/sh\nscripts/install-deps.sh\ncmake -S . -B build\n", executable=True)
        self.assertFails("CI (.ci/run and the scripts it calls) runs")

    def test_ci_reaches_the_scripts_through_another_script(self):
        self.write(".ci/run", "#!/bin/sh\nexec bash scripts/test.sh\n", executable=True)
        self.write("scripts/test.sh", "#!/bin/sh\nscripts/install-deps.sh --with-test-tools\nscripts/build.sh\n",
                   executable=True)
        self.assertPasses()


class RuntimeStage(Scratch):
    def test_other_base_image(self):
        self.edit("docker/Dockerfile", "FROM debian:bookworm-slim AS runtime", "FROM ubuntu:22.04 AS runtime")
        self.assertFails("stage runtime is FROM debian:bookworm-slim")

    def test_single_stage(self):
        text = self.read("docker/Dockerfile")
        self.write("docker/Dockerfile", text[:text.index("FROM debian:bookworm-slim AS runtime")])
        self.assertFails("Dockerfile is multi-stage")

    def test_binary_not_copied_from_the_build(self):
        self.edit("docker/Dockerfile", "/src/build/emuscim", "/src/build/other")
        self.assertFails("the final stage COPYs build/emuscim", "the image runs `emuscim serve`")

    def test_missing_runtime_library(self):
        self.edit("docker/Dockerfile", "      libssl3 \\\n", "")
        self.assertFails("missing libssl3")

    def test_build_packages_in_runtime(self):
        self.edit("docker/Dockerfile", "      libssl3 \\\n", "      libssl3 libssl-dev cmake \\\n")
        self.assertFails("the final stage installs no build tools or -dev packages: cmake libssl-dev")

    def test_root_user(self):
        self.edit("docker/Dockerfile", "USER 10001:10001", "USER root")
        self.assertFails("the final stage runs as USER 10001 (not root)")

    def test_no_user(self):
        self.edit("docker/Dockerfile", "USER 10001:10001\n", "")
        self.assertFails("USER (none: root)")

    def test_no_volume(self):
        self.edit("docker/Dockerfile", 'VOLUME ["/var/lib/emuscim"]\n', "")
        self.assertFails("VOLUME /var/lib/emuscim")

    def test_database_off_the_volume(self):
        self.edit("docker/Dockerfile", "EMUSCIM_DB=/var/lib/emuscim/emuscim.db", "EMUSCIM_DB=/tmp/emuscim.db")
        self.assertFails("ENV EMUSCIM_DB=/var/lib/emuscim/emuscim.db")

    def test_compose_database_off_the_volume(self):
        self.edit("docker/compose.yaml", "      EMUSCIM_DB: /var/lib/emuscim/emuscim.db\n      EMUSCIM_TLS_CERT",
                  "      EMUSCIM_DB: /tmp/emuscim.db\n      EMUSCIM_TLS_CERT")
        self.assertFails("emuscim-tls: EMUSCIM_DB is on the volume")

    def test_loopback_listen(self):
        self.edit("docker/Dockerfile", "EMUSCIM_LISTEN=0.0.0.0:8080", "EMUSCIM_LISTEN=127.0.0.1:8080")
        self.assertFails("ENV EMUSCIM_LISTEN=0.0.0.0:8080")

    def test_no_expose(self):
        self.edit("docker/Dockerfile", "EXPOSE 8080\n", "")
        self.assertFails("EXPOSE 8080")

    def test_no_healthcheck(self):
        self.edit("docker/Dockerfile", r"^HEALTHCHECK .*?\]\n", "", regex=True)
        self.assertFails("the final stage has a HEALTHCHECK")

    def test_healthcheck_none(self):
        self.edit("docker/Dockerfile", r"^HEALTHCHECK .*?\]\n", "HEALTHCHECK NONE\n", regex=True)
        self.assertFails("HEALTHCHECK runs a command")

    def test_probe_that_only_checks_the_port(self):
        self.edit("docker/healthcheck.sh", r"^status_line=\"\$\{status_line%.*", "exit 0\n", regex=True)
        self.assertFails("HEALTHCHECK requires an HTTP 200")

    def test_probe_with_curl_not_installed(self):
        self.edit("docker/Dockerfile", r'CMD \["/bin/bash", "/usr/local/bin/emuscim-healthcheck"\]',
                  'CMD curl --fail --silent http://127.0.0.1:8080/healthz || exit 1', regex=True)
        self.assertFails("the HEALTHCHECK's `curl` is installed in the final stage")

    def test_probe_with_curl_installed(self):
        self.edit("docker/Dockerfile", r'CMD \["/bin/bash", "/usr/local/bin/emuscim-healthcheck"\]',
                  'CMD curl --fail --silent http://127.0.0.1:8080/healthz || exit 1', regex=True)
        self.edit("docker/Dockerfile", "      openssl \\\n", "      openssl curl \\\n")
        self.assertPasses()

    def test_probe_script_run_directly(self):
        self.edit("docker/Dockerfile", 'CMD ["/bin/bash", "/usr/local/bin/emuscim-healthcheck"]',
                  'CMD ["/usr/local/bin/emuscim-healthcheck"]')
        out = self.assertPasses()
        self.assertIn("ok      HEALTHCHECK requires an HTTP 200", out)
        self.assertIn("ok      the HEALTHCHECK probe docker/healthcheck.sh is executable in the image", out)

    def test_probe_run_directly_but_not_executable(self):
        self.edit("docker/Dockerfile", 'CMD ["/bin/bash", "/usr/local/bin/emuscim-healthcheck"]',
                  'CMD ["/usr/local/bin/emuscim-healthcheck"]')
        (self.repo / "docker/healthcheck.sh").chmod(0o644)
        self.assertFails("the HEALTHCHECK probe docker/healthcheck.sh is executable in the image")

    def test_probe_copied_with_chmod(self):
        self.edit("docker/Dockerfile", 'CMD ["/bin/bash", "/usr/local/bin/emuscim-healthcheck"]',
                  'CMD ["/usr/local/bin/emuscim-healthcheck"]')
        self.edit("docker/Dockerfile", "COPY docker/healthcheck.sh", "COPY --chmod=0755 docker/healthcheck.sh")
        (self.repo / "docker/healthcheck.sh").chmod(0o644)
        self.assertPasses()

    def test_no_serve(self):
        self.edit("docker/Dockerfile", 'CMD ["serve"]', 'CMD ["--help"]')
        self.assertFails("the image runs `emuscim serve`")

    @unittest.skipUnless(have_ldd_and_dpkg(), "needs ldd and dpkg")
    def test_binary_with_a_library_the_image_lacks(self):
        # Debian's python3 links libexpat1 (and more), which the runtime stage does not install.
        self.assertFails("is in the runtime image: not installed by the final stage: libexpat1",
                         args=("--binary", os.path.realpath("/usr/bin/python3")))

    @unittest.skipUnless(have_ldd_and_dpkg(), "needs ldd and dpkg")
    def test_binary_needing_only_the_base_image(self):
        out = self.assertPasses("--binary", "/bin/true")
        self.assertIn("ok      every shared library of /bin/true is in the runtime image", out)

    def test_missing_binary_is_skipped(self):
        out = self.assertPasses("--binary", self.repo / "no-such-binary")
        self.assertIn("skip    every shared library", out)


class Compose(Scratch):
    F = "docker/compose.yaml"

    def test_not_yaml(self):
        self.edit(self.F, "services:\n", "services: [\n")
        self.assertFails("compose.yaml parses as YAML")

    def test_main_service_renamed(self):
        self.edit(self.F, "  emuscim:\n    <<: *emuscim", "  scim:\n    <<: *emuscim")
        self.assertFails("service `emuscim` exists")

    def test_port_on_every_interface(self):
        self.edit(self.F, '"127.0.0.1:8080:8080"', '"8080:8080"')
        self.assertFails("emuscim: publishes 127.0.0.1:8080:8080",
                         "emuscim: publishes nothing beyond loopback")

    def test_no_tls_profile(self):
        self.edit(self.F, "    profiles: [tls]\n", "")
        self.assertFails("a service is in profile `tls`")

    def test_main_service_behind_a_profile(self):
        self.edit(self.F, "  emuscim:\n    <<: *emuscim\n", "  emuscim:\n    <<: *emuscim\n    profiles: [dev]\n")
        self.assertFails("service `emuscim` has no profile")

    def test_data_in_a_bind_mount(self):
        self.edit(self.F, "      - emuscim-data:/var/lib/emuscim", "      - ./data:/var/lib/emuscim")
        self.assertFails("emuscim: /var/lib/emuscim is a named volume declared under top-level volumes")

    def test_undeclared_volume(self):
        self.edit(self.F, "  emuscim-data:\n", "")
        self.assertFails("emuscim: /var/lib/emuscim is a named volume declared under top-level volumes")

    def test_shared_database_volume(self):
        self.edit(self.F, "      - emuscim-tls-data:/var/lib/emuscim", "      - emuscim-data:/var/lib/emuscim")
        self.assertFails("emuscim-tls: its database volume is not shared with another service")

    def test_certificates_writable(self):
        self.edit(self.F, "        read_only: true\n", "")
        self.assertFails("emuscim-tls: the certificate and key come from a read-only bind mount")

    def test_key_outside_the_mount(self):
        self.edit(self.F, "EMUSCIM_TLS_KEY: /etc/emuscim/tls/emuscim.key", "EMUSCIM_TLS_KEY: /keys/emuscim.key")
        self.assertFails("emuscim-tls: the certificate and key come from a read-only bind mount")

    def test_tls_port(self):
        self.edit(self.F, '"127.0.0.1:8443:8443"', '"127.0.0.1:8443:8080"')
        self.assertFails("emuscim-tls: publishes 127.0.0.1:8443:8443")

    def test_wrong_short_code(self):
        self.edit(self.F, "EMUSCIM_SHORT_CODE: acme", "EMUSCIM_SHORT_CODE: ac")
        self.assertFails("emuscim: EMUSCIM_SHORT_CODE=acme", "emuscim-tls: EMUSCIM_SHORT_CODE=acme")

    def test_no_token(self):
        self.edit(self.F, "  EMUSCIM_TOKEN: ${EMUSCIM_DEV_TOKEN:-emu_dev_token}\n", "")
        self.assertFails("emuscim: EMUSCIM_TOKEN is a known token")

    def test_token_not_documented(self):
        self.edit(self.F, "${EMUSCIM_DEV_TOKEN:-emu_dev_token}", "${EMUSCIM_DEV_TOKEN:-another_token}")
        self.assertFails("docker/README.md documents the compose token another_token")

    def test_list_form_environment_and_short_volume_syntax(self):
        text = self.read(self.F)
        text = text.replace("""      - type: bind
        source: ${EMUSCIM_TLS_DIR:-./certs}
        target: /etc/emuscim/tls
        read_only: true
""", "      - ${EMUSCIM_TLS_DIR:-./certs}:/etc/emuscim/tls:ro\n")
        text = text.replace("""    environment:
      <<: *bootstrap
      EMUSCIM_LISTEN: 0.0.0.0:8080
      EMUSCIM_DB: /var/lib/emuscim/emuscim.db
""", """    environment:
      - EMUSCIM_ENTERPRISE=acme
      - EMUSCIM_SHORT_CODE=acme
      - EMUSCIM_TOKEN=emu_dev_token
      - EMUSCIM_LISTEN=0.0.0.0:8080
""")
        self.write(self.F, text)
        self.assertPasses()

    def test_build_context_elsewhere(self):
        self.edit(self.F, "    context: ..\n", "    context: .\n")
        self.assertFails("emuscim: build context is the repository root")


class DockerignoreAndReadme(Scratch):
    def test_databases_not_ignored(self):
        self.edit(".dockerignore", r"^(\*\*/)?\*\.db\n", "", regex=True)
        self.assertFails(".dockerignore excludes emuscim.db")

    def test_build_trees_not_ignored(self):
        self.edit(".dockerignore", "build*/\n", "build/\n")
        self.assertFails(".dockerignore excludes build-e2e")

    def test_git_not_ignored(self):
        self.edit(".dockerignore", ".git/\n", "")
        self.assertFails(".dockerignore excludes .git")

    def test_readme_missing_tls_profile(self):
        self.edit("docker/README.md", "--profile tls", "--profile=TLS")
        self.assertFails("docker/README.md mentions `--profile tls`")


class Helpers(unittest.TestCase):
    def rules(self, *lines):
        with tempfile.NamedTemporaryFile("w", suffix=".dockerignore", delete=False) as f:
            f.write("\n".join(lines) + "\n")
        try:
            return cdf.read_dockerignore(Path(f.name))
        finally:
            os.unlink(f.name)

    def test_dockerignore_semantics(self):
        r = self.rules("# comment", "build*/", "**/*.db", ".git", "docs/*.md", "!docs/KEEP.md", "/tmp")
        self.assertTrue(cdf.is_ignored(r, "build"))
        self.assertTrue(cdf.is_ignored(r, "build-e2e/tests/x.o"))  # inside an excluded directory
        self.assertFalse(cdf.is_ignored(r, "scripts/build.sh"))    # build* is anchored at the root
        self.assertTrue(cdf.is_ignored(r, "a.db"))
        self.assertTrue(cdf.is_ignored(r, "deep/er/a.db"))
        self.assertTrue(cdf.is_ignored(r, ".git/HEAD"))
        self.assertTrue(cdf.is_ignored(r, "docs/A.md"))
        self.assertFalse(cdf.is_ignored(r, "docs/KEEP.md"))
        self.assertFalse(cdf.is_ignored(r, "docs/sub/A.md"))       # * does not cross /
        self.assertTrue(cdf.is_ignored(r, "tmp/x"))
        self.assertFalse(cdf.is_ignored(r, "src/main.cpp"))

    def test_apt_packages(self):
        cmd = ("apt-get update && apt-get install -y --no-install-recommends libssl3 libfmt9=9.1.0+ds1-2 "
               "&& rm -rf /var/lib/apt/lists/* && useradd -m x")
        self.assertEqual(cdf.apt_packages(cmd), ["libssl3", "libfmt9"])
        self.assertEqual(cdf.apt_packages("DEBIAN_FRONTEND=noninteractive apt install -y curl; echo install x"),
                         ["curl"])
        self.assertEqual(cdf.apt_packages("echo install me"), [])

    def test_ports(self):
        ports = cdf.service_ports({"ports": ["127.0.0.1:8080:8080", "9000:9001/tcp", "7000", "[::1]:8443:8443",
                                             {"target": 1, "published": "2", "host_ip": "127.0.0.1"}]})
        self.assertEqual([(p.host_ip, p.published, p.target) for p in ports],
                         [("127.0.0.1", "8080", 8080), ("", "9000", 9001), ("", "", 7000), ("::1", "8443", 8443),
                          ("127.0.0.1", "2", 1)])

    def test_interpolation_uses_defaults(self):
        self.assertEqual(cdf.interpolate("${A:-x}/${B-y}/${C}/$D/$$E"), "x/y///$E")

    def test_dockerfile_parsing(self):
        stages, problems = cdf.parse_dockerfile(
            "# c\nARG X=1\nFROM a:b AS one\nRUN echo 1 \\\n  # inner comment\n  && echo 2\n"
            "COPY --from=one --chmod=0755 x /y\nFROM c\nHEALTHCHECK --interval=1s CMD true\n")
        self.assertEqual(problems, [])
        self.assertEqual([(s.base, s.name) for s in stages], [("a:b", "one"), ("c", None)])
        run, copy = stages[0].instrs
        self.assertEqual(run.args, "echo 1    && echo 2")
        self.assertEqual(copy.flags, {"from": "one", "chmod": "0755"})
        self.assertEqual(stages[1].instrs[0].args, "CMD true")


if __name__ == "__main__":
    unittest.main(verbosity=2)
