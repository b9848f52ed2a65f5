#!/usr/bin/python3
"""Static checks of emuscim's container files, for machines without a Docker engine.

Checks docker/Dockerfile, docker/compose.yaml, docker/README.md, docker/healthcheck.sh and the
root .dockerignore against the rules in docker/README.md ("What tests/docker checks"):

  Dockerfile  every stage FROM debian:bookworm-slim; the build stage(s) RUN exactly
              `scripts/install-deps.sh` and `scripts/build.sh` (the scripts a developer and CI
              run), each after COPYing it in; every COPY source exists in the repository and is
              not excluded by .dockerignore; the final stage copies build/emuscim from the build
              stage, installs the runtime libraries (and no build tools), runs as uid 10001,
              has VOLUME /var/lib/emuscim, EMUSCIM_DB on it, EMUSCIM_LISTEN 0.0.0.0:8080,
              EXPOSE 8080, a HEALTHCHECK that checks GET /healthz for 200, and runs `emuscim serve`.
  --binary    (optional) every shared library the built binary needs (ldd + dpkg -S) comes from
              the base image or a package the final stage installs.
  compose     parses as YAML; service `emuscim` builds ../ with docker/Dockerfile, bootstraps
              acme/acme/<token>, keeps /var/lib/emuscim on a named volume, publishes 8080 on
              127.0.0.1; a service in profile `tls` mounts a certificate directory read-only,
              sets EMUSCIM_TLS_CERT/KEY inside it and publishes 8443 on 127.0.0.1.
  .dockerignore  excludes build*/, .git, *.db and docker/certs.
  README      documents the token, the tls profile and `emuscim cert self-signed`.

Run with Debian's interpreter (python3-yaml): /usr/bin/python3 -B check_docker_files.py
Exit status 0 when every check passed, 1 otherwise, 2 on bad usage or a missing python3-yaml.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    print("check_docker_files.py needs PyYAML: apt-get install python3-yaml "
          "(and run it with /usr/bin/python3)", file=sys.stderr)
    sys.exit(2)

# ------------------------------------------------------------------------------------------------
# What the files must say. One place, so the rules and docker/README.md can be compared.
# ------------------------------------------------------------------------------------------------
BASE_IMAGE = "debian:bookworm-slim"
INSTALL_DEPS = "scripts/install-deps.sh"
BUILD_SCRIPT = "scripts/build.sh"
# scripts/build.sh builds into $BUILD_DIR (default build/) under the repository root, which is the
# build stage's WORKDIR. The image build must set these for it (names read by scripts/build.sh):
BUILD_ENV = {"BUILD_TYPE": "Release", "EMUSCIM_BUILD_TESTS": "OFF", "EMUSCIM_BUILD_BENCH": "OFF"}
RUNTIME_UID = "10001"
DATA_DIR = "/var/lib/emuscim"
DB_PATH = DATA_DIR + "/emuscim.db"
LISTEN = "0.0.0.0:8080"
HTTP_PORT = 8080
TLS_PORT = 8443
TLS_PROFILE = "tls"
MAIN_SERVICE = "emuscim"
BOOTSTRAP = {"EMUSCIM_ENTERPRISE": "acme", "EMUSCIM_SHORT_CODE": "acme"}
# Shared libraries of build/emuscim, by Debian 12 package (apt-cache show / dpkg -S).
RUNTIME_PACKAGES = ["libsqlite3-0", "libssl3", "libspdlog1.10", "libfmt9"]
# Already in debian:bookworm-slim (Essential or needed by apt/dpkg).
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
# Build tools that have no business in the runtime image.
BUILD_ONLY_PACKAGES = {"build-essential", "cmake", "g++", "gcc", "clang", "ninja-build", "make", "git",
                       "pkg-config", "libboost-dev", "libboost-all-dev"}
SANITIZER_LIB = re.compile(r"^lib(asan|ubsan|tsan|lsan|hwasan)\d*$")
# The .dockerignore must keep these out of the build context.
MUST_BE_IGNORED = ["build", "build-e2e", "build/emuscim", ".git", ".git/config", "emuscim.db",
                   "docker/certs/emuscim.key"]


# ------------------------------------------------------------------------------------------------
# Reporting
# ------------------------------------------------------------------------------------------------
class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def check(self, ok: bool, what: str, why: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok      {what}")
        else:
            self.failed += 1
            print(f"FAIL    {what}" + (f": {why}" if why else ""))
        return ok

    def skip(self, what: str, why: str) -> None:
        self.skipped += 1
        print(f"skip    {what}: {why}")


# ------------------------------------------------------------------------------------------------
# .dockerignore (moby/patternmatcher semantics: cleaned patterns relative to the context root,
# `**` spans directories, a match on a parent directory excludes what is inside, `!` re-includes,
# the last matching pattern wins)
# ------------------------------------------------------------------------------------------------
def _pattern_regex(pattern: str) -> re.Pattern:
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if i < n and pattern[i] == "/":
                out.append("(?:.*/)?")
                i += 1
            else:
                out.append(".*")
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:j]
                if body.startswith("^") or body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def read_dockerignore(path: Path) -> list[tuple[bool, re.Pattern, str]]:
    rules = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate:
            line = line[1:].strip()
        cleaned = posixpath.normpath(line).lstrip("/")
        if cleaned in ("", "."):
            continue
        rules.append((negate, _pattern_regex(cleaned), raw.strip()))
    return rules


def is_ignored(rules: list[tuple[bool, re.Pattern, str]], rel: str) -> str | None:
    """The pattern that excludes `rel` (a path relative to the context root), or None."""
    rel = posixpath.normpath(rel).lstrip("/")
    if rel in ("", "."):
        return None
    parts = rel.split("/")
    candidates = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
    verdict = None
    for negate, rx, text in rules:
        if any(rx.match(c) for c in candidates):
            verdict = None if negate else text
    return verdict


# ------------------------------------------------------------------------------------------------
# Dockerfile parsing (enough of the syntax for this repository's file; heredocs are refused)
# ------------------------------------------------------------------------------------------------
@dataclass
class Instr:
    line: int
    keyword: str
    args: str
    flags: dict[str, str] = field(default_factory=dict)

    def exec_form(self) -> list[str] | None:
        text = self.args.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                return None
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return value
        return None


@dataclass
class Stage:
    index: int
    base: str
    name: str | None
    instrs: list[Instr] = field(default_factory=list)


def parse_dockerfile(text: str) -> tuple[list[Stage], list[str]]:
    """Stages and parse problems."""
    problems: list[str] = []
    logical: list[tuple[int, str]] = []
    buf, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#"):
            continue  # comments (and parser directives) are dropped, even inside a continuation
        if not buf and not stripped:
            continue
        if not buf:
            start = number
        if raw.rstrip().endswith("\\"):
            buf += raw.rstrip()[:-1] + " "
            continue
        buf += raw
        logical.append((start, buf.strip()))
        buf = ""
    if buf.strip():
        logical.append((start, buf.strip()))

    stages: list[Stage] = []
    for number, line in logical:
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        rest = rest.strip()
        if "<<" in rest and keyword in ("RUN", "COPY", "ADD") and re.search(r"<<-?[\"']?[A-Za-z_]", rest):
            problems.append(f"line {number}: heredocs are not understood by this checker")
        flags: dict[str, str] = {}
        if keyword in ("COPY", "ADD", "RUN", "FROM", "HEALTHCHECK"):
            while rest.startswith("--"):
                flag, _, rest = rest.partition(" ")
                name, _, value = flag[2:].partition("=")
                flags[name] = value
                rest = rest.strip()
        instr = Instr(number, keyword, rest, flags)
        if keyword == "FROM":
            words = rest.split()
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(len(stages), words[0] if words else "", name, []))
        elif not stages:
            if keyword != "ARG":
                problems.append(f"line {number}: {keyword} before the first FROM")
        else:
            stages[-1].instrs.append(instr)
    return stages, problems


def shell_words(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()


def run_command(instr: Instr) -> list[str]:
    form = instr.exec_form()
    return form if form is not None else shell_words(instr.args)


def parse_env(instr: Instr) -> dict[str, str]:
    words = shell_words(instr.args)
    if words and "=" not in words[0]:  # legacy `ENV KEY value with spaces`
        return {words[0]: " ".join(words[1:])}
    env = {}
    for w in words:
        key, _, value = w.partition("=")
        env[key] = value
    return env


def copy_parts(instr: Instr) -> tuple[list[str], str]:
    form = instr.exec_form()
    words = form if form is not None else instr.args.split()
    return (words[:-1], words[-1]) if len(words) >= 2 else ([], "")


def apt_packages(command: str) -> list[str]:
    """Package names given to `apt-get install` / `apt install` in a shell command."""
    packages = []
    for segment in re.split(r"&&|\|\||;|\|", command):
        words = shell_words(segment)
        tools = [k for k, w in enumerate(words) if posixpath.basename(w) in ("apt-get", "apt")]
        if not tools or "install" not in words[tools[0]:]:
            continue
        k = words.index("install", tools[0])
        packages += [p.split("=")[0] for p in words[k + 1:] if not p.startswith("-")]
    return packages


class ImageFiles:
    """Which repository paths a stage has COPYed, and where they are in the image."""

    def __init__(self) -> None:
        self.maps: list[tuple[str, str, bool]] = []  # (repo path, image path, is directory)

    def add(self, repo_rel: str, image_path: str, is_dir: bool) -> None:
        self.maps.append((posixpath.normpath(repo_rel), posixpath.normpath(image_path), is_dir))

    def repo_file_at(self, image_path: str) -> str | None:
        image_path = posixpath.normpath(image_path)
        found = None
        for repo_rel, dest, is_dir in self.maps:  # later COPYs win
            if not is_dir and dest == image_path:
                found = repo_rel
            elif is_dir and (image_path == dest or image_path.startswith(dest.rstrip("/") + "/")):
                tail = posixpath.relpath(image_path, dest)
                found = posixpath.normpath(posixpath.join(repo_rel, tail))
        return found


# ------------------------------------------------------------------------------------------------
# The Dockerfile
# ------------------------------------------------------------------------------------------------
@dataclass
class DockerfileFacts:
    final_env: dict[str, str] = field(default_factory=dict)
    volumes: list[str] = field(default_factory=list)
    exposed: list[int] = field(default_factory=list)


def check_dockerfile(repo: Path, report: Report, binary: str | None) -> DockerfileFacts:
    facts = DockerfileFacts()
    path = repo / "docker" / "Dockerfile"
    if not report.check(path.is_file(), "docker/Dockerfile exists"):
        return facts
    stages, problems = parse_dockerfile(path.read_text())
    report.check(not problems, "Dockerfile parses", "; ".join(problems))
    if not report.check(len(stages) >= 2, "Dockerfile is multi-stage", f"{len(stages)} FROM line(s)"):
        return facts
    for st in stages:
        base = st.base
        report.check(base == BASE_IMAGE or base.startswith(BASE_IMAGE + "@sha256:"),
                     f"stage {st.name or st.index} is FROM {BASE_IMAGE}", f"FROM {base}")

    ignore_path = repo / ".dockerignore"
    ignore_rules = read_dockerignore(ignore_path) if ignore_path.is_file() else []
    by_name = {st.name: st for st in stages if st.name}
    final = stages[-1]

    # --- COPY/ADD sources, per stage; scripts present when RUN --------------------------------
    files: dict[int, ImageFiles] = {}
    build_workdir_at_build: str | None = None
    build_stage_for_binary: Stage | None = None
    script_runs: dict[str, int] = {INSTALL_DEPS: 0, BUILD_SCRIPT: 0}
    build_env: dict[str, str] = {}

    for st in stages:
        fs = files[st.index] = ImageFiles()
        workdir = "/"
        env: dict[str, str] = {}
        for ins in st.instrs:
            if ins.keyword == "WORKDIR":
                workdir = posixpath.normpath(posixpath.join(workdir, ins.args.strip()))
            elif ins.keyword == "ENV":
                env.update(parse_env(ins))
            elif ins.keyword in ("COPY", "ADD"):
                sources, dest = copy_parts(ins)
                if not sources:
                    report.check(False, f"line {ins.line}: {ins.keyword} has a source and a destination")
                    continue
                dest_abs = posixpath.join(workdir, dest) if not dest.startswith("/") else dest
                dest_is_dir = dest.endswith("/") or dest in (".", "./") or len(sources) > 1
                if "from" in ins.flags:
                    continue  # checked with the final stage below
                for src in sources:
                    rel = posixpath.normpath(src).lstrip("/")
                    if re.match(r"^[a-z]+://", src):
                        report.check(False, f"line {ins.line}: {ins.keyword} {src}", "no remote sources")
                        continue
                    local = repo / rel
                    exists = local.exists()
                    report.check(exists, f"line {ins.line}: {ins.keyword} source {src} exists in the repository",
                                 "no such file or directory")
                    why = is_ignored(ignore_rules, rel)
                    report.check(why is None, f"line {ins.line}: {ins.keyword} source {src} is in the build context",
                                 f".dockerignore excludes it ({why})")
                    if exists and local.is_dir():
                        hidden = [str(p.relative_to(repo)) for p in sorted(local.rglob("*"))
                                  if p.is_file() and is_ignored(ignore_rules, str(p.relative_to(repo)))]
                        report.check(not hidden, f"line {ins.line}: no file under {src} is excluded by .dockerignore",
                                     ", ".join(hidden[:5]))
                        fs.add(rel, dest_abs, True)
                    else:
                        fs.add(rel, posixpath.join(dest_abs, posixpath.basename(rel)) if dest_is_dir else dest_abs,
                               False)
            elif ins.keyword == "RUN" and st is not final:
                words = run_command(ins)
                script = words[0] if len(words) == 1 else None
                if script is not None:
                    script = posixpath.normpath(script)
                    if script.startswith(workdir.rstrip("/") + "/"):
                        script = posixpath.relpath(script, workdir)
                if script not in script_runs:
                    report.check(False, f"line {ins.line}: build stage RUN is one of the shared scripts",
                                 f"`RUN {ins.args}`: the build stages may only run `{INSTALL_DEPS}` and "
                                 f"`{BUILD_SCRIPT}` (what developers and CI run), with no arguments")
                    continue
                script_runs[script] += 1
                where = posixpath.join(workdir, script)
                report.check(fs.repo_file_at(where) == script,
                             f"line {ins.line}: {script} is COPYed into the image before it runs",
                             f"nothing COPYed from the repository's {script} to {where}")
                if script == BUILD_SCRIPT:
                    build_workdir_at_build = workdir
                    build_stage_for_binary = st
                    build_env = dict(env)

    for script, count in script_runs.items():
        report.check(count == 1, f"the build stages RUN {script} exactly once", f"{count} times")
        local = repo / script
        report.check(local.is_file() and os.access(local, os.X_OK), f"{script} exists and is executable",
                     "missing" if not local.is_file() else "not executable (chmod +x, and commit the mode)")
    for key, value in BUILD_ENV.items():
        report.check(build_env.get(key) == value, f"ENV {key}={value} is set before RUN {BUILD_SCRIPT}",
                     f"{key}={build_env.get(key)!r}")
    # An ENV the scripts do not read would be silently ignored: the image would not get what it asks for.
    scripts_text = "\n".join((repo / s).read_text() for s in (INSTALL_DEPS, BUILD_SCRIPT) if (repo / s).is_file())
    for key in sorted(build_env):
        report.check(re.search(rf"\b{re.escape(key)}\b", scripts_text) is not None,
                     f"ENV {key} of the build stage is a setting {INSTALL_DEPS} or {BUILD_SCRIPT} reads",
                     f"neither script mentions {key}")
    built_binary = posixpath.join(build_env.get("BUILD_DIR") or "build", "emuscim")

    # --- final stage ---------------------------------------------------------------------------
    fs = files[final.index]
    env: dict[str, str] = {}
    users: list[str] = []
    healthchecks: list[Instr] = []
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    installed: list[str] = []
    binary_dest: str | None = None
    apt_ok = True
    workdir = "/"
    for ins in final.instrs:
        kw = ins.keyword
        if kw == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, ins.args.strip()))
        elif kw == "ENV":
            env.update(parse_env(ins))
        elif kw == "USER":
            users.append(ins.args.strip())
        elif kw == "VOLUME":
            form = ins.exec_form()
            facts.volumes += [posixpath.normpath(v) for v in (form if form is not None else ins.args.split())]
        elif kw == "EXPOSE":
            for p in ins.args.split():
                m = re.fullmatch(r"(\d+)(/tcp)?", p)
                if m:
                    facts.exposed.append(int(m.group(1)))
        elif kw == "HEALTHCHECK":
            healthchecks.append(ins)
        elif kw == "ENTRYPOINT":
            entrypoint = ins.exec_form() or ["/bin/sh", "-c", ins.args]
            cmd = None  # ENTRYPOINT resets CMD
        elif kw == "CMD":
            cmd = ins.exec_form() or ["/bin/sh", "-c", ins.args]
        elif kw == "RUN":
            text = " ".join(run_command(ins))
            pkgs = apt_packages(text)
            if pkgs:
                installed += pkgs
                apt_ok &= "--no-install-recommends" in text and "/var/lib/apt/lists" in text
        elif kw == "COPY" and "from" in ins.flags:
            src_stage = ins.flags["from"]
            stage = by_name.get(src_stage) or (stages[int(src_stage)] if src_stage.isdigit()
                                                and int(src_stage) < len(stages) else None)
            report.check(stage is not None and stage is not final,
                         f"line {ins.line}: COPY --from={src_stage} names an earlier stage")
            sources, dest = copy_parts(ins)
            dest_abs = posixpath.join(workdir, dest) if not dest.startswith("/") else dest
            if stage is build_stage_for_binary and build_workdir_at_build is not None:
                want = posixpath.join(build_workdir_at_build, built_binary)
                if posixpath.normpath(sources[0] if sources else "") == want:
                    binary_dest = posixpath.join(dest_abs, "emuscim") if dest.endswith("/") else dest_abs
    facts.final_env = env

    report.check(binary_dest is not None,
                 f"the final stage COPYs {built_binary} from the stage that RUNs {BUILD_SCRIPT}",
                 "expected COPY --from=<build stage> "
                 + posixpath.join(build_workdir_at_build or "/WORKDIR", built_binary))

    missing = [p for p in RUNTIME_PACKAGES if p not in installed]
    report.check(not missing, "the final stage installs the runtime libraries " + " ".join(RUNTIME_PACKAGES),
                 "missing " + " ".join(missing))
    heavy = sorted(p for p in installed if p.endswith("-dev") or p in BUILD_ONLY_PACKAGES)
    report.check(not heavy, "the final stage installs no build tools or -dev packages", " ".join(heavy))
    if installed:
        report.check(apt_ok, "the final stage's apt-get uses --no-install-recommends and removes /var/lib/apt/lists")

    user = users[-1] if users else ""
    uid = user.split(":")[0]
    report.check(uid == RUNTIME_UID, f"the final stage runs as USER {RUNTIME_UID} (not root)",
                 f"USER {user or '(none: root)'}")

    report.check(DATA_DIR in facts.volumes, f"VOLUME {DATA_DIR}", f"volumes: {facts.volumes}")
    report.check(env.get("EMUSCIM_DB") == DB_PATH, f"ENV EMUSCIM_DB={DB_PATH}", f"EMUSCIM_DB={env.get('EMUSCIM_DB')}")
    report.check(env.get("EMUSCIM_LISTEN") == LISTEN, f"ENV EMUSCIM_LISTEN={LISTEN}",
                 f"EMUSCIM_LISTEN={env.get('EMUSCIM_LISTEN')}")
    report.check(HTTP_PORT in facts.exposed, f"EXPOSE {HTTP_PORT}", f"exposed: {facts.exposed}")

    command = (entrypoint or []) + (cmd or [])
    runs_binary = bool(command) and binary_dest is not None and (
        command[0] == binary_dest or (command[0] == "emuscim" and posixpath.dirname(binary_dest) in
                                      ("/usr/local/bin", "/usr/bin", "/bin")))
    report.check(runs_binary and command[1:2] == ["serve"], "the image runs `emuscim serve` (exec form)",
                 f"ENTRYPOINT+CMD = {command}")

    # --- HEALTHCHECK -----------------------------------------------------------------------------
    report.check(len(healthchecks) >= 1, "the final stage has a HEALTHCHECK")
    if healthchecks:
        hc = healthchecks[-1]
        text = hc.args.strip()
        ok = text.upper().startswith("CMD")
        report.check(ok, "HEALTHCHECK runs a command", f"HEALTHCHECK {text}")
        if ok:
            probe = text[3:].strip()
            probe_words = Instr(hc.line, "CMD", probe).exec_form() or shell_words(probe)
            probe_text = " ".join(probe_words)
            # A probe script COPYed from the repository (`CMD ["/usr/local/bin/x"]`, `CMD bash /x`).
            script_rel = next((r for r in map(fs.repo_file_at, (w for w in probe_words if w.startswith("/")))
                               if r is not None), None)
            if script_rel is not None and (repo / script_rel).is_file():
                # Code only: a comment that says "200" checks nothing.
                probe_text += "\n" + "\n".join(line for line in (repo / script_rel).read_text().splitlines()
                                               if not line.lstrip().startswith("#"))
                copied_with_x = any(i.keyword == "COPY" and "from" not in i.flags
                                    and script_rel in [posixpath.normpath(s) for s in copy_parts(i)[0]]
                                    and re.fullmatch(r"[0-7]{3,4}", i.flags.get("chmod", ""))
                                    and int(i.flags["chmod"], 8) & 0o111 == 0o111
                                    for i in final.instrs)
                if fs.repo_file_at(probe_words[0]) == script_rel:  # run directly, not through an interpreter
                    report.check(os.access(repo / script_rel, os.X_OK) or copied_with_x,
                                 f"the HEALTHCHECK probe {script_rel} is executable in the image")
            report.check("/healthz" in probe_text, "HEALTHCHECK probes /healthz")
            checks_200 = bool(re.search(r"\b200\b", probe_text)) or "--fail" in probe_text or " -f" in probe_text
            report.check(checks_200, "HEALTHCHECK requires an HTTP 200 (not just an open port)")
            for tool, package in (("curl", "curl"), ("wget", "wget"), ("openssl", "openssl")):
                if re.search(rf"(^|[\s/|(]){tool}\s", probe_text, re.M):
                    report.check(package in installed, f"the HEALTHCHECK's `{tool}` is installed in the final stage",
                                 f"add {package} to the final stage's apt-get install")

    if binary:
        check_binary_libraries(Path(binary), installed, report)
    return facts


def check_binary_libraries(binary: Path, installed: list[str], report: Report) -> None:
    what = f"every shared library of {binary} is in the runtime image"
    if not binary.is_file():
        report.skip(what, "no such file (build emuscim first)")
        return
    if not shutil.which("ldd") or not shutil.which("dpkg"):
        report.skip(what, "ldd or dpkg not found")
        return
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        report.skip(what, "ldd failed: " + (out.stderr or out.stdout).strip())
        return
    libs, unresolved = [], []
    for line in out.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (\S+)", line)
        if m:
            (unresolved if m.group(2) == "not" else libs).append(m.group(1) if m.group(2) == "not" else m.group(2))
    report.check(not unresolved, f"ldd resolves every library of {binary}", " ".join(unresolved))
    if not libs:
        report.skip(what, "no shared libraries (static binary?)")
        return

    def candidates(lib: str) -> list[str]:
        # dpkg's database names some files /lib/..., others /usr/lib/... (merged /usr): try both.
        out = []
        for p in (lib, os.path.realpath(lib)):
            for q in (p, p[4:] if p.startswith("/usr/lib/") else "/usr" + p if p.startswith("/lib") else p):
                if q not in out:
                    out.append(q)
        return out

    every = sorted({c for lib in libs for c in candidates(lib)})
    owners = subprocess.run(["dpkg", "-S", *every], capture_output=True, text=True, timeout=120)
    owner_of: dict[str, str] = {}
    for line in owners.stdout.splitlines():
        pkg, _, path = line.partition(": ")
        owner_of[path.strip()] = pkg.split(", ")[0].split(":")[0]
    packages: dict[str, str] = {}
    unknown = []
    for lib in libs:
        found = next((owner_of[c] for c in candidates(lib) if c in owner_of), None)
        if found:
            packages[lib] = found
        elif not SANITIZER_LIB.match(Path(lib).name.split(".so")[0]):
            unknown.append(lib)
    needed = sorted({pkg for pkg in packages.values()
                     if pkg not in BASE_IMAGE_PACKAGES and not SANITIZER_LIB.match(pkg)})
    not_installed = [p for p in needed if p not in installed]
    report.check(not not_installed and not unknown, what,
                 ("not installed by the final stage: " + " ".join(not_installed) if not_installed else "")
                 + ("; from no Debian package: " + " ".join(unknown) if unknown else ""))


# ------------------------------------------------------------------------------------------------
# compose.yaml
# ------------------------------------------------------------------------------------------------
_INTERP = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value):
    """Compose's ${VAR:-default} with every variable unset: what a clean shell gets."""
    if not isinstance(value, str):
        return value

    def one(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        if m.group(2) in (":-", "-"):
            return m.group(3)
        return ""

    return _INTERP.sub(one, value)


def service_env(svc: dict) -> dict[str, str]:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        pairs = [e.split("=", 1) if "=" in e else [e, ""] for e in env]
        env = {k: v for k, v in pairs}
    return {str(k): "" if v is None else str(interpolate(v)) for k, v in env.items()}


@dataclass
class Port:
    host_ip: str
    published: str
    target: int


def service_ports(svc: dict) -> list[Port]:
    ports = []
    for p in svc.get("ports") or []:
        if isinstance(p, dict):
            ports.append(Port(str(p.get("host_ip", "")), str(interpolate(str(p.get("published", "")))),
                              int(p.get("target", 0))))
            continue
        text = str(interpolate(str(p))).split("/")[0]  # drop /tcp
        ip = ""
        m = re.match(r"^\[([^]]*)\]:(.*)$", text)  # [::1]:8080:8080
        if m:
            ip, text = m.group(1), m.group(2)
        parts = text.split(":")
        if len(parts) == 3:
            ip, parts = parts[0], parts[1:]
        published, container = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
        ports.append(Port(ip, published, int(container) if container.isdigit() else 0))
    return ports


@dataclass
class Mount:
    kind: str  # volume, bind
    source: str
    target: str
    read_only: bool


def service_mounts(svc: dict, named: set[str]) -> list[Mount]:
    mounts = []
    for v in svc.get("volumes") or []:
        if isinstance(v, dict):
            mounts.append(Mount(str(v.get("type", "volume")), str(interpolate(v.get("source", ""))),
                                str(v.get("target", "")), bool(v.get("read_only", False))))
            continue
        parts = str(interpolate(v)).split(":")
        if len(parts) == 1:
            mounts.append(Mount("volume", "", parts[0], False))
            continue
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else "rw"
        kind = "bind" if source.startswith((".", "/", "~")) or source not in named else "volume"
        mounts.append(Mount(kind, source, target, "ro" in mode.split(",")))
    return mounts


def listen_port(value: str) -> tuple[str, int | None]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port) if port.isdigit() else None


def check_compose(repo: Path, report: Report, facts: DockerfileFacts) -> list[str]:
    """Checks docker/compose.yaml; returns the bootstrap tokens it sets (for the README check)."""
    path = repo / "docker" / "compose.yaml"
    if not report.check(path.is_file(), "docker/compose.yaml exists"):
        return []
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        report.check(False, "compose.yaml parses as YAML", str(e).replace("\n", " "))
        return []
    if not report.check(isinstance(doc, dict) and isinstance(doc.get("services"), dict),
                        "compose.yaml parses as YAML and has services"):
        return []
    services: dict = doc["services"]
    named = set((doc.get("volumes") or {}).keys())
    tokens: list[str] = []

    if not report.check(isinstance(services.get(MAIN_SERVICE), dict), f"service `{MAIN_SERVICE}` exists"):
        return tokens
    tls_services = [n for n, s in services.items() if isinstance(s, dict) and TLS_PROFILE in (s.get("profiles") or [])]
    report.check(not services[MAIN_SERVICE].get("profiles"),
                 f"service `{MAIN_SERVICE}` has no profile (starts by default)",
                 f"profiles: {services[MAIN_SERVICE].get('profiles')}")
    report.check(len(tls_services) >= 1, f"a service is in profile `{TLS_PROFILE}`")

    data_volumes: dict[str, str] = {}
    for name in [MAIN_SERVICE, *tls_services]:
        svc = services[name]
        tls = name != MAIN_SERVICE
        want_port = TLS_PORT if tls else HTTP_PORT

        # build: ../ (the repository root, seen from docker/) with docker/Dockerfile
        build = svc.get("build")
        if isinstance(build, str):
            build = {"context": build}
        if report.check(isinstance(build, dict), f"{name}: has a build section"):
            context = (path.parent / str(interpolate(build.get("context", ".")))).resolve()
            dockerfile = (context / str(interpolate(build.get("dockerfile", "Dockerfile")))).resolve()
            report.check(context == repo.resolve(), f"{name}: build context is the repository root", str(context))
            report.check(dockerfile == (repo / "docker" / "Dockerfile").resolve(),
                         f"{name}: build uses docker/Dockerfile", str(dockerfile))

        env = service_env(svc)
        image_env = {**facts.final_env, **{k: v for k, v in env.items() if v != ""}}
        for key, value in BOOTSTRAP.items():
            report.check(env.get(key) == value, f"{name}: {key}={value}", f"{key}={env.get(key)!r}")
        token = env.get("EMUSCIM_TOKEN", "")
        token_ok = bool(token) and all(33 <= ord(c) <= 126 for c in token)
        report.check(token_ok, f"{name}: EMUSCIM_TOKEN is a known token (printable ASCII, no blanks)",
                     f"EMUSCIM_TOKEN={token!r}")
        if token_ok:
            tokens.append(token)

        mounts = service_mounts(svc, named)
        data = [m for m in mounts if m.target.rstrip("/") == DATA_DIR]
        ok = len(data) == 1 and data[0].kind == "volume" and data[0].source in named
        report.check(ok, f"{name}: {DATA_DIR} is a named volume declared under top-level volumes",
                     f"mounts at {DATA_DIR}: {[(m.kind, m.source) for m in data]}, declared: {sorted(named)}")
        if ok:
            other = [n for n, v in data_volumes.items() if v == data[0].source]
            report.check(not other, f"{name}: its database volume is not shared with another service",
                         f"{data[0].source} is also {other[0] if other else ''}'s: two servers on one SQLite file")
            data_volumes[name] = data[0].source
        db = image_env.get("EMUSCIM_DB", "")
        report.check(posixpath.dirname(db) == DATA_DIR, f"{name}: EMUSCIM_DB is on the volume ({DATA_DIR})",
                     f"EMUSCIM_DB={db!r}")

        listen_host, lport = listen_port(image_env.get("EMUSCIM_LISTEN", ""))
        report.check(listen_host in ("0.0.0.0", "::") and lport == want_port,
                     f"{name}: EMUSCIM_LISTEN is 0.0.0.0:{want_port}",
                     f"EMUSCIM_LISTEN={image_env.get('EMUSCIM_LISTEN')!r}")
        ports = service_ports(svc)
        report.check(any(p.target == want_port and p.published == str(want_port) and p.host_ip == "127.0.0.1"
                         for p in ports),
                     f"{name}: publishes 127.0.0.1:{want_port}:{want_port}",
                     f"ports: {[(p.host_ip, p.published, p.target) for p in ports]}")
        wide = [p for p in ports if p.host_ip not in ("127.0.0.1", "::1")]
        report.check(not wide, f"{name}: publishes nothing beyond loopback (the token is well known)",
                     f"ports: {[(p.host_ip, p.published, p.target) for p in wide]}")

        cert, key = image_env.get("EMUSCIM_TLS_CERT", ""), image_env.get("EMUSCIM_TLS_KEY", "")
        if not tls:
            report.check(not cert and not key, f"{name}: plain HTTP (no EMUSCIM_TLS_CERT/KEY)")
            continue
        report.check(cert.startswith("/") and key.startswith("/"),
                     f"{name}: EMUSCIM_TLS_CERT and EMUSCIM_TLS_KEY are set",
                     f"cert={cert!r} key={key!r}")
        binds = [m for m in mounts if m.kind == "bind" and m.read_only and cert and key
                 and posixpath.dirname(cert) == m.target.rstrip("/") and posixpath.dirname(key) == m.target.rstrip("/")]
        report.check(bool(binds), f"{name}: the certificate and key come from a read-only bind mount",
                     f"no read-only bind mount at {posixpath.dirname(cert) or '?'}")
    return tokens


# ------------------------------------------------------------------------------------------------
# .dockerignore and README
# ------------------------------------------------------------------------------------------------
def check_dockerignore(repo: Path, report: Report) -> None:
    path = repo / ".dockerignore"
    if not report.check(path.is_file(), ".dockerignore exists at the repository root"):
        return
    rules = read_dockerignore(path)
    for rel in MUST_BE_IGNORED:
        report.check(is_ignored(rules, rel) is not None, f".dockerignore excludes {rel}")


def check_ci_runs_the_same_scripts(repo: Path, report: Report) -> None:
    """The image build is only "what CI does" if CI's entry point reaches the same two scripts."""
    entry = repo / ".ci" / "run"
    what = f"CI (.ci/run and the scripts it calls) runs {INSTALL_DEPS} and {BUILD_SCRIPT}"
    if not entry.is_file():
        report.skip(what, "no .ci/run")
        return
    seen: set[str] = set()
    todo = [".ci/run"]
    while todo:
        rel = todo.pop()
        if rel in seen or not (repo / rel).is_file():
            continue
        seen.add(rel)
        text = "\n".join(line for line in (repo / rel).read_text().splitlines() if not line.lstrip().startswith("#"))
        todo += [posixpath.normpath(m) for m in re.findall(r"(?<![\w/.-])\.?/?(scripts/[\w./-]+\.sh)\b", text)]
    missing = [s for s in (INSTALL_DEPS, BUILD_SCRIPT) if s not in seen]
    report.check(not missing, what, "not reached: " + " ".join(missing))


def check_readme(repo: Path, report: Report, tokens: list[str]) -> None:
    path = repo / "docker" / "README.md"
    if not report.check(path.is_file(), "docker/README.md exists"):
        return
    text = path.read_text()
    for token in sorted(set(tokens)):
        report.check(token in text, f"docker/README.md documents the compose token {token}")
    for needle in ("-f docker/Dockerfile", "--profile tls", "emuscim cert self-signed", "/healthz",
                   INSTALL_DEPS, BUILD_SCRIPT):
        report.check(needle in text, f"docker/README.md mentions `{needle}`")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[2]),
                    help="repository root (default: two directories above this script)")
    ap.add_argument("--binary", help="a built emuscim: check its shared libraries are in the runtime image")
    args = ap.parse_args(argv)
    repo = Path(args.repo).resolve()
    report = Report()
    facts = check_dockerfile(repo, report, args.binary)
    tokens = check_compose(repo, report, facts)
    check_dockerignore(repo, report)
    check_ci_runs_the_same_scripts(repo, report)
    check_readme(repo, report, tokens)
    print(f"{report.passed} passed, {report.failed} failed" + (f", {report.skipped} skipped" if report.skipped else ""))
    return 0 if report.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
