#!/usr/bin/python3
"""Tests of tests/conformance/validate.py itself: record files, exit codes, docs in step with code.

Run with Debian's /usr/bin/python3 (python3-jsonschema): /usr/bin/python3 -B test_validate.py
"""

import hashlib
import json
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VALIDATE = HERE / "validate.py"
SCHEMA = ROOT / "schemas" / "ghec-scim.json"
ORGS_SCHEMA = ROOT / "schemas" / "ghec-orgs-teams.json"
README = ROOT / "schemas" / "README.md"

sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
import validate  # noqa: E402

BASE = "/scim/v2/enterprises/acme"
SCIM_CT = "application/scim+json; charset=utf-8"


def run(*args):
    return subprocess.run([sys.executable, "-B", str(VALIDATE), "--schema", str(SCHEMA), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def write(directory, name, method, target, status, body, ctype=SCIM_CT):
    raw = body if isinstance(body, str) else json.dumps(body)
    path = Path(directory) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"method": method, "target": target, "status": status,
                                "content_type": ctype, "body": raw}))


class RecordsDirectory(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_good_records_pass_and_are_summarized(self):
        write(self.dir, "001.json", "POST", f"{BASE}/Users", 201, validate.emu_user())
        write(self.dir, "002.json", "POST", f"{BASE}/Users", 409, validate.error_body("409", "uniqueness"))
        write(self.dir, "sub/003.json", "DELETE", f"{BASE}/Users/{validate.UID}", 204, "", ctype=None)
        write(self.dir, "004.json", "GET", f"{BASE}/Groups?filter=displayName%20eq%20%22x%22", 200,
              validate.list_response([validate.emu_group()]))
        r = run(self.dir)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Validated 4 replies", r.stdout)
        self.assertIn("POST /scim/v2/enterprises/{enterprise}/Users 201 -> scim-enterprise-user-response",
                      r.stdout)
        self.assertIn("DELETE /scim/v2/enterprises/{enterprise}/Users/{scim_user_id} 204 -> (no body)", r.stdout)
        self.assertRegex(r.stdout, r"\n\s+1\s+C14: ")
        self.assertRegex(r.stdout, r"\n\s+1\s+D8: ")
        self.assertIn("Failures: none", r.stdout)

    def test_failure_names_file_and_error(self):
        write(self.dir, "good.json", "GET", f"{BASE}/Users/{validate.UID}", 200, validate.emu_user())
        user = validate.emu_user()
        del user["id"]
        write(self.dir, "bad-user.json", "GET", f"{BASE}/Users/{validate.UID}", 200, user)
        r = run(self.dir)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("FAILURES (1 replies)", r.stdout)
        self.assertIn("bad-user.json: GET", r.stdout)
        self.assertIn("'id' is a required property [scim-enterprise-user-response#/allOf/1 required]", r.stdout)

    def test_defect_scoped_to_github_examples_does_not_cover_emuscim(self):
        # GitHub's own user-list example (D3: no meta) recorded as if emuscim had sent it.
        conf = validate.Conformance(SCHEMA)
        example = conf.doc["components"]["examples"]["scim-enterprise-user-list"]["value"]
        write(self.dir, "list.json", "GET", f"{BASE}/Users", 200, example)
        r = run(self.dir)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("'meta' is a required property", r.stdout)

    def test_empty_directory_fails(self):
        r = run(self.dir)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("EMUSCIM_CONFORMANCE_DIR", r.stderr)

    def test_only_non_scim_replies_count_as_nothing(self):
        write(self.dir, "health.json", "GET", "/healthz", 200, "ok", ctype="text/plain")
        r = run(self.dir)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("Not validated (outside GitHub's SCIM API)", r.stdout)

    def test_missing_directory_fails(self):
        r = run(self.dir / "nope")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)

    def test_broken_record_fails(self):
        write(self.dir, "good.json", "GET", f"{BASE}/Users/{validate.UID}", 200, validate.emu_user())
        (self.dir / "broken.json").write_text(json.dumps({"method": "GET", "target": f"{BASE}/Users",
                                                          "status": "200", "body": "{}"}))
        (self.dir / "truncated.json").write_text('{"method": "GET"')
        r = run(self.dir)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("BROKEN RECORD broken.json: record.status '200' is not an HTTP status code", r.stdout)
        self.assertIn("BROKEN RECORD truncated.json: unreadable record", r.stdout)


class OrgsTeams(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def both(self):
        return subprocess.run([sys.executable, "-B", str(VALIDATE), "--schema", str(SCHEMA), "--schema",
                               str(ORGS_SCHEMA), str(self.dir)], capture_output=True, text=True, timeout=120)

    def test_rest_replies_validate_against_the_second_description(self):
        write(self.dir, "a.json", "GET", "/orgs/octo-org/teams", 200, [validate.rest_team()],
              ctype=validate.JSON_CT)
        write(self.dir, "b.json", "GET", f"{BASE}/Users/{validate.UID}", 200, validate.emu_user())
        write(self.dir, "c.json", "GET", "/enterprises/acme/audit-log", 200, [], ctype=validate.JSON_CT)
        r = self.both()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("GET /orgs/{org}/teams 200 -> [team]", r.stdout)
        self.assertIn("Validated 2 replies", r.stdout)
        self.assertIn("outside the org/team extract", r.stdout)

    def test_rest_failure_is_reported(self):
        write(self.dir, "bad.json", "GET", "/orgs/octo-org/teams", 200, [validate.rest_team(type=validate._DROP)],
              ctype=validate.JSON_CT)
        r = self.both()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("'type' is a required property", r.stdout)

    def test_self_test_of_the_second_description_passes(self):
        r = subprocess.run([sys.executable, "-B", str(VALIDATE), "--schema", str(ORGS_SCHEMA), "--self-test"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0 problem(s)", r.stdout)


class CommandLine(unittest.TestCase):
    def test_self_test_passes(self):
        r = run("--self-test")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0 problem(s)", r.stdout)

    def test_needs_records_or_self_test(self):
        self.assertNotEqual(run().returncode, 0)

    def test_wrong_schema_file_is_refused(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"openapi": "3.0.3", "info": {"version": "9"}, "paths": {}, "components": {}}, f)
            f.flush()
            r = subprocess.run([sys.executable, "-B", str(VALIDATE), "--schema", f.name, "--self-test"],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("not the recorded extract", r.stderr)


class Converter(unittest.TestCase):
    def test_nullable_becomes_type_union(self):
        got = validate.convert_schema({"type": "object", "properties": {
            "a": {"type": "string", "nullable": True}, "b": {"type": "integer"}}}, {})
        self.assertEqual(got["properties"]["a"]["type"], ["string", "null"])
        self.assertEqual(got["properties"]["b"]["type"], "integer")

    def test_refs_are_inlined_and_tagged(self):
        comps = {"inner": {"type": "string", "nullable": True}}
        got = validate.convert_schema({"type": "array", "items": {"$ref": "#/components/schemas/inner"}}, comps)
        self.assertEqual(got["items"], {"type": ["string", "null"], validate.COMPONENT_TAG: "inner"})

    def test_every_component_converts_without_nullable(self):
        conf = validate.Conformance(SCHEMA)
        for name in conf.components:
            self.assertNotIn('"nullable"', json.dumps(conf.validator(name).schema), name)

    def test_nullable_fields_of_github_schema_accept_null(self):
        conf = validate.Conformance(SCHEMA)
        errors = list(conf.validator("scim-error").iter_errors(
            {"message": None, "documentation_url": None, "detail": None, "scimType": None, "status": 400}))
        self.assertEqual(errors, [])


class DocsInStep(unittest.TestCase):
    def test_schema_copy_matches_recorded_hash(self):
        digest = hashlib.sha256(SCHEMA.read_bytes()).hexdigest()
        self.assertIn(digest, README.read_text(encoding="utf-8"))

    def test_readme_records_source(self):
        text = README.read_text(encoding="utf-8")
        for needle in ("github/rest-api-description", "descriptions/ghec/ghec.json",
                       validate.EXPECTED_SOURCE["commit"], validate.EXPECTED_VERSION):
            self.assertIn(needle, text)

    def test_orgs_teams_copy_matches_recorded_hash(self):
        digest = hashlib.sha256(ORGS_SCHEMA.read_bytes()).hexdigest()
        self.assertIn(digest, README.read_text(encoding="utf-8"))
        self.assertIn(validate.ORGS_TEAMS_SOURCE["commit"], README.read_text(encoding="utf-8"))

    def test_every_tolerance_is_documented(self):
        text = README.read_text(encoding="utf-8")
        ids = [d.id for d in validate.DEFECTS + validate.RULES + validate.ORG_DEFECTS]
        ids += [f"U{s}" for s in validate.UNDECLARED] + [f"UR{s}" for s in validate.UNDECLARED_REST]
        for tid in ids:
            self.assertRegex(text, rf"\n\| {re.escape(tid)} \|", tid)
        self.assertEqual([d.id for d in validate.DEFECTS], [f"D{i}" for i in range(1, 12)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
