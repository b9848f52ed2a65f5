#!/usr/bin/env python3
"""Regenerates the seed corpus in tests/fuzz/corpus/<target>/ (docs/FUZZING.md).

Seeds come from the shared spec (../shared/spec beside the repository, or --spec DIR):
  * requests/**.json: filters of GET queries, PATCH bodies and their paths (and the value
    filters inside them), User and Group POST/PUT bodies and response bodies;
  * github-emu-scim.md and idp-clients.md: filters and paths in `code` spans, and PATCH
    operation arrays;
and from the edge cases listed below. Files are named <origin>-<slug>; a file already present
with the same content is left alone. Seeds are never deleted here: reproducers of past
findings (crash-*) and files added by hand stay.

Usage: python3 tests/fuzz/make_corpus.py [--spec DIR]
"""
import argparse
import hashlib
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

seeds = {t: {} for t in ("filter", "patch_path", "user_decode", "group_decode", "patch_engine")}


def slug(text, limit=48):
    s = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
    return (s[:limit] or "empty") + "-" + hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def add(target, origin, content, name=None):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    key = hashlib.sha1(data).hexdigest()
    if key in seeds[target]:
        return
    seeds[target][key] = (f"{origin}-{name or slug(data.decode('utf-8', 'replace'))}", data)


def dump(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def add_filter_parts(origin, path):
    """A PATCH path seeds patch_path; its [...] part seeds filter."""
    add("patch_path", origin, path)
    m = re.search(r"\[(.*)\]", path)
    if m:
        add("filter", origin, m.group(1))


def add_patch_body(origin, name, body):
    add("patch_engine", origin, dump(body), name)
    ops = body.get("Operations") if isinstance(body, dict) else None
    for op in ops if isinstance(ops, list) else []:
        if isinstance(op, dict) and isinstance(op.get("path"), str):
            add_filter_parts(origin, op["path"])
        if isinstance(op, dict) and isinstance(op.get("value"), dict):
            for key in op["value"]:
                add("patch_path", origin, key)


def resource_kind(body):
    schemas = body.get("schemas") if isinstance(body, dict) else None
    schemas = schemas if isinstance(schemas, list) else []
    if USER in schemas or (isinstance(body, dict) and "userName" in body):
        return "user_decode"
    if GROUP in schemas or (isinstance(body, dict) and "displayName" in body and "members" in body):
        return "group_decode"
    return None


def from_requests(spec):
    for f in sorted((spec / "requests").rglob("*.json")):
        origin = "spec"
        name = f"{f.parent.name}_{f.stem}"
        doc = json.loads(f.read_text())
        req = doc.get("request", {})
        method, path, body = req.get("method"), req.get("path", ""), req.get("body")
        query = req.get("query_decoded")
        if query:
            query = re.split(r"\s{2,}\(", query)[0]
            for part in query.split("&"):
                if part.startswith("filter="):
                    add("filter", origin, part[len("filter="):], name)
        if body is None:
            continue
        if method == "PATCH":
            add_patch_body(origin, name, body)
        elif method in ("POST", "PUT"):
            target = "group_decode" if "/Groups" in path else "user_decode"
            add(target, origin, dump(body), name)
        resp = doc.get("expected_response", {}).get("body")
        if isinstance(resp, dict):
            target = resource_kind(resp)
            if target:
                add(target, origin, dump(resp), name + "_response")
            for r in resp.get("Resources", []) if isinstance(resp.get("Resources"), list) else []:
                target = resource_kind(r)
                if target:
                    add(target, origin, dump(r), name + "_resource")


SCIM_ATTRS = {"name", "emails", "roles", "members", "meta", "addresses", "phonenumbers", "manager", "groups"}
FILTER_HINT = re.compile(r"\s(eq|ne|co|sw|ew|gt|ge|lt|le)\s|\spr\b", re.I)


def from_markdown(spec):
    for md in sorted(spec.glob("*.md")):
        text = md.read_text()
        for span in re.findall(r"`([^`\n]+)`", text):
            span = span.strip()
            if span.startswith("[{") or span.startswith("{"):
                try:
                    value = json.loads(span)
                except ValueError:
                    continue
                if isinstance(value, list) and value and isinstance(value[0], dict) and "op" in value[0]:
                    add_patch_body("spec", None, {"schemas": [PATCH_OP], "Operations": value})
                elif isinstance(value, dict) and "op" in value:
                    add_patch_body("spec", None, {"schemas": [PATCH_OP], "Operations": [value]})
                continue
            if span.startswith("filter="):
                span = span[len("filter="):]
                if "%" in span or "+" in span:
                    continue  # wire form; the HTTP layer decodes it before the parser sees it
            if "<" in span or "…" in span or "|" in span:
                continue  # placeholders
            if FILTER_HINT.search(span):
                if re.match(r"^[A-Za-z$][\w.:$-]*\[.*\](\.[A-Za-z]\w*)?$", span):
                    add_filter_parts("spec", span)  # a value path
                elif not span.startswith(("GET ", "POST ", "PATCH ", "Remove", "remove", "Add")):
                    add("filter", "spec", span)
            elif re.match(r"^[A-Za-z$][\w.$-]*(\[.*\])?(\.[A-Za-z]\w*)?$", span) and ("[" in span or "." in span):
                if re.split(r"[.\[]", span)[0].lower() in SCIM_ATTRS:
                    add_filter_parts("spec", span)  # e.g. name.givenName; not audit events such as user.create


EDGE_FILTERS = [
    # RFC 7644 §3.4.2.2 examples
    'userName eq "bjensen"', 'name.familyName co "O\'Malley"', 'userName sw "J"',
    f'{USER}:userName sw "J"', "title pr", 'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"', 'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"', 'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"', f'schemas eq "{ENT}"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    # IdP leniency and literals
    "externalId eq jyoung", "userName EQ 'E012345'", "USERNAME Eq \"A\"", "externalId eq 0912345678901234567890",
    'emails[type eq "work"].value eq "user@contoso.com"', "age gt 41", "score lt -1.4e0",
    "big eq 18446744073709551615", "big eq 18446744073709551616", "x eq 1e400", "x eq -0", "x eq -0.0",
    "x eq 0.1", "x eq 1E+2", "active eq true", 'active eq "True"', "active ne FALSE", "title eq null",
    "title ne null", 'displayName eq "\\u00e9\\ud83d\\ude00"', 'displayName eq "a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"',
    "displayName eq 'it\\'s'", 'displayName eq "é漢字😀"',
    "not pr", 'not eq "x"', "not (not (a pr))", "a pr and b pr or c pr and d pr", "a pr or (b pr and c pr)",
    "(a pr or b pr) and c pr", "((((a pr))))", "and eq 1 and or eq 2 or not pr",
    f'{ENT}:department eq "Tour Operations"', f"{ENT}:manager.value pr", f"{ENT}.department eq \"x\"",
    "urn:foo:bar eq 1", "urn:a:1:b.c.d pr", "$ref pr", 'members[value eq "x" or value eq "y"]',
    'members[value eq "x"] and members[value eq "y"]', 'roles[primary eq "True"]', "emails[not (type eq \"work\")]",
    "\tuserName\neq\r\"x\"\f", 'userName eq "x"and active eq true', "a[b pr]", 'meta.version eq "W/\\"1\\""',
    # errors
    "userName eq", "userName", "(a pr", "a pr)", 'emails[type eq "work"', 'emails[type eq "work"]]',
    '"unterminated', 'a eq "unterminated', 'a eq "\\ud800"', 'a eq "\\udc00"', 'a eq "\\u12"', 'a eq "\\x"',
    "a eq [", "a eq )", "a xx 1", "a[b[c pr]]", "name.givenName[x pr]", "urn:x:", "urn:", "1abc pr",
    "a.b.c pr", "a pr b", "not", "not a", "", "   ", "(" * 65 + "a pr" + ")" * 65, "(" * 64 + "a pr" + ")" * 64,
    "a pr " + "and a pr " * 40,
    # The longest chains the 8 KiB limit allows: and/or build left-deep trees (not bounded by the
    # 64-level nesting limit), walked recursively by matches() and to_string().
    "a pr" + " and a pr" * 908, "a eq 1" + " or a eq 1" * 743, "x" * 8193 + " pr",
]
EDGE_FILTER_BYTES = [b"userName eq \"\xff\"", b"userName eq \"\xc0\xaf\"", b"userName eq \"\xed\xa0\x80\"",
                     b"userName eq \"\xf4\x90\x80\x80\"", b"a eq \"\x00\"", b"a\x00 pr"]

EDGE_PATHS = [
    "userName", "externalId", "active", "displayName", "name", "name.givenName", "name.familyName",
    "NAME.GIVENNAME", "emails", "emails.value", "emails[type eq \"work\"]", 'emails[type eq "work"].value',
    'EMAILS[TYPE EQ "WORK"].VALUE', 'emails[type eq "work"].primary', 'emails[type eq "work" and primary eq true]',
    'emails[value ew "@contoso.com"].primary', "roles", 'roles[primary eq "True"].value',
    'roles[primary eq "True"].display', 'roles[primary eq "True"].type', 'roles[value eq "User"].displayName',
    'addresses[type eq "work"].formatted', 'phoneNumbers[type eq "mobile"].value', "manager", "members",
    'members[value eq "0db508eb-91e2-46e4-809c-30dcbda0c685"]', 'members[value eq "a" or value eq "b"]',
    'members[value eq "a"].display', f"{USER}:userName", f"{USER}:name.givenName", f"{USER}.name.givenName",
    f'{USER}:emails[type eq "work"].value', f"{ENT}:department", f"{ENT}.department", f"{ENT}:manager",
    f"{ENT}:manager.value", ENT, USER, "urn:ietf:params:scim:schemas:extension:CustomExtension:2.0:User:x",
    "urn:a:1:b.c.d", "$ref", "members.$ref", "  userName  ",
    # errors
    'emails[type eq "work"', 'emails.value[type eq "work"]', "name.givenName.x", "[", "emails[]",
    'emails[type eq "work"].', 'emails[type eq "work"].value.x', 'emails[type eq "work"]x', "emails[[a pr]]",
    "", "   ", "a b", "1a", "urn:", "urn:x", f"{ENT}:", "name.", ".name",
]

EDGE_USERS = [
    {"userName": "u", "externalId": "e"},
    {"userName": "u"},
    {"UserName": "u", "EXTERNALID": "e", "Active": "FALSE"},
    {"userName": "u", "USERNAME": "v", "externalId": "e"},
    {"userName": "", "externalId": "e"},
    {"userName": 5, "externalId": "e"},
    {"userName": "u", "externalId": None, "displayName": None, "name": None, "emails": None, "roles": None},
    {"userName": "u", "externalId": "", "displayName": "", "active": "true"},
    {"userName": "u", "externalId": "e", "active": "yes"},
    {"userName": "u", "externalId": "e", "name": {"givenName": "a", "GIVENNAME": "b"}},
    {"userName": "u", "externalId": "e", "name": {"givenName": "", "familyName": None, "nickName": "x"}},
    {"userName": "u", "externalId": "e", "name": "Mona"},
    {"userName": "u", "externalId": "e", "emails": "a@b.c"},
    {"userName": "u", "externalId": "e", "emails": {"value": "a@b.c", "type": "work", "primary": "True"}},
    {"userName": "u", "externalId": "e", "emails": [{"value": "a@b.c", "type": "work"}, {"value": "d@e.f", "type": "WORK"}]},
    {"userName": "u", "externalId": "e", "emails": [{"value": "a@b.c", "primary": True}, {"value": "d@e.f", "primary": True}]},
    {"userName": "u", "externalId": "e", "emails": [None, {"value": ""}, {"type": "work"}]},
    {"userName": "u", "externalId": "e", "emails": [{"value": "a@b.c", "display": 1}]},
    {"userName": "u", "externalId": "e", "roles": ['{"id":"1","value":"25","displayName":"Role1234"}', "Admin", "admin"]},
    {"userName": "u", "externalId": "e", "roles": [{"value": '{"value":"x","displayName":"X"}', "display": "Y"}]},
    {"userName": "u", "externalId": "e", "roles": [{"value": "{not json"}]},
    {"userName": "u", "externalId": "e", "roles": [{"displayName": "D", "display": "E", "value": "v", "type": "t"}]},
    {"userName": "u", "externalId": "e", "roles": [{"value": '{"value":"{\\"value\\":\\"deep\\"}"}'}]},
    {"schemas": [USER, ENT], "externalId": "e", "userName": "u", "active": True, "displayName": "D",
     "emails": [{"value": "a@b.c", "type": "work", "primary": True}], "name": {"familyName": "F", "givenName": "G"},
     ENT: {"department": "x", "manager": {"value": "m"}}, "password": "p", "groups": [], "id": "i",
     "meta": {"resourceType": "User"}, "locale": "en-US", "phoneNumbers": [{"value": "1", "type": "work"}]},
    {"schemas": USER, "externalId": "e", "userName": "u", "active": False, "displayName": "D",
     "emails": [{"value": "a@b.c", "type": "work", "primary": False}]},
    [], "userName", 1, None,
]

EDGE_GROUPS = [
    {"displayName": "g"},
    {"schemas": [GROUP], "displayName": "g", "externalId": "e", "members": []},
    {"DISPLAYNAME": "g", "displayname": "h"},
    {"displayName": ""}, {"displayName": None}, {"displayName": 1}, {"externalId": "e"},
    {"displayName": "g", "externalId": 5}, {"displayName": "g", "externalId": ""},
    {"displayName": "g", "members": ["a", "b", "a", None]},
    {"displayName": "g", "members": {"value": "a"}},
    {"displayName": "g", "members": [{"value": "a", "$ref": None, "display": "A"}, {"VALUE": "b", "displayName": "B"}]},
    {"displayName": "g", "members": [{"value": ""}]}, {"displayName": "g", "members": [{"display": "x"}]},
    {"displayName": "g", "members": [1]}, {"displayName": "g", "members": "a"},
    {"displayName": "g", "id": "x", "meta": {}, "urn:ietf:params:scim:schemas:extension:Foo:2.0:Group": {}},
    [], "g", None,
]


def op(o, path=None, value=..., **extra):
    d = {"op": o}
    if path is not None:
        d["path"] = path
    if value is not ...:
        d["value"] = value
    d.update(extra)
    return d


EDGE_PATCHES = [
    [op("remove")],
    [op("remove", "members")],
    [op("replace", value={f"{USER}:name.givenName": "x", "name.familyName": "y", 'emails[type eq "work"].value': "z",
                          f"{ENT}:department": "d", "id": "i", "meta": {}, "bogus key": 1})],
    [op("add", value={USER: {"displayName": "nested", "active": False}})],
    [op("Add", 'emails[type eq "home"].value', "new@example.com")],
    [op("Add", 'emails[type eq "home" and primary eq true].value', "new@example.com")],
    [op("replace", 'emails[type eq "work"].primary', "True")],
    [op("replace", 'emails[value co "example"].display', "shown")],
    [op("remove", 'emails[type eq "home"]')],
    [op("remove", 'emails[type eq "work"].display')],
    [op("remove", "emails", [{"value": "mona@contoso.com"}, {"type": "home"}])],
    [op("remove", "roles", [{"value": "User"}])],
    [op("remove", "userName")], [op("remove", "active")], [op("remove", "externalId")],
    [op("replace", "active", "False")], [op("replace", "active", "nope")], [op("replace", "userName", "")],
    [op("replace", "userName", None)], [op("replace", "displayName", "")], [op("replace", "name", None)],
    [op("replace", "name", {"givenName": "G", "bogus": 1})], [op("replace", "name.givenName", 7)],
    [op("add", "emails", [{"value": "x@y.z", "type": "work", "primary": True}])],
    [op("add", "emails", "bare@example.com")], [op("replace", "emails", [])], [op("replace", "emails", "")],
    [op("add", "roles", ['{"id":"1","value":"25","displayName":"Role1234"}'])],
    [op("replace", 'roles[primary eq "True"].value', "Admin")],
    [op("replace", 'roles[primary eq "True"].display', "Admin")],
    [op("replace", "roles[value pr].type", "t")],
    [op("add", "members", ["a", "b", "a"])], [op("add", "members", [{"value": "a", "$ref": None}])],
    [op("replace", "members", [])], [op("replace", "members", None)], [op("add", "members", None)],
    [op("remove", 'members[value eq "a" or value eq "b"]')], [op("remove", 'members[value eq "a"].display')],
    [op("remove", 'members[value ne "a"]')], [op("add", 'members[value eq "a"]', "x")],
    [op("remove", "members[" + " or ".join(f'value eq "u{i}"' for i in range(300)) + "]")],
    [op("replace", value={"id": "x", "displayName": "New", "members": ["a"]})],
    [op("replace", "displayName", "")], [op("remove", "displayName")], [op("replace", "externalId", 5)],
    [op("replace", f"{GROUP}:displayName", "g")], [op("replace", GROUP, {"displayName": "g"})],
    [op("remove", USER)], [op("remove", GROUP)],
    [op("add", "urn:ietf:params:scim:schemas:extension:CustomExtension:2.0:User:x", "v")],
    [op("replace", "emails[type eq", "x")], [op("replace", "a b", "x")],
    [op("merge", "userName", "x")], [op("replace", "userName")], [op(7, "userName", "x")], ["replace"],
    [op("replace", "userName", "x"), op("replace", "userName", "y"), op("remove", "displayName"),
     op("add", 'emails[type eq "other"].value', "o@x"), op("replace", "active", False)],
]


def edge_cases():
    for f in EDGE_FILTERS:
        add("filter", "edge", f)
    for b in EDGE_FILTER_BYTES:
        add("filter", "edge", b)
    for p in EDGE_PATHS:
        add("patch_path", "edge", p)
    for u in EDGE_USERS:
        add("user_decode", "edge", dump(u))
    for g in EDGE_GROUPS:
        add("group_decode", "edge", dump(g))
    for ops in EDGE_PATCHES:
        add("patch_engine", "edge", dump({"schemas": [PATCH_OP], "Operations": ops}))
    add("patch_engine", "edge", dump({"Operations": [op("replace", "displayName", "x")]}), "no_schemas")
    add("patch_engine", "edge", dump({"schemas": PATCH_OP, "operations": [op("replace", "displayName", "x")]}),
        "lowercase_operations")
    add("patch_engine", "edge", dump({"schemas": [PATCH_OP], "Operations": []}), "empty_operations")
    add("patch_engine", "edge", dump({"schemas": ["urn:x"], "Operations": [op("remove", "title")]}), "wrong_schema")
    add("patch_engine", "edge", "[]", "array_body")
    add("patch_engine", "edge", '{"Operations":' + "[" * 70 + "]" * 70 + "}", "too_deep")
    # With a starting user after a NUL byte (fuzz_patch_engine.cpp).
    body = dump({"schemas": [PATCH_OP], "Operations": [op("replace", 'emails[type eq "work"].value', "w@x")]})
    add("patch_engine", "edge", body + "\0" + dump({"userName": "u"}), "start_minimal_user")
    add("patch_engine", "edge", body + "\0" + dump({"userName": "u", "externalId": "e", "emails": [
        {"value": "a@x", "type": "work"}, {"value": "b@x", "type": "home", "primary": True}],
        "roles": [{"value": "r1", "primary": True}, {"value": "r2"}]}), "start_two_emails")
    body = dump({"schemas": [PATCH_OP], "Operations": [op("add", "emails", [{"value": "c@x", "type": "HOME"}])]})
    add("patch_engine", "edge", body + "\0" + dump({"userName": "u", "emails": [{"value": "b@x", "type": "home"}]}),
        "start_add_same_type")


def write():
    total = 0
    for target, items in seeds.items():
        d = CORPUS / target
        d.mkdir(parents=True, exist_ok=True)
        existing = {hashlib.sha1(p.read_bytes()).hexdigest() for p in d.iterdir() if p.is_file()}
        for key, (name, data) in sorted(items.items(), key=lambda kv: kv[1][0]):
            if key in existing:
                continue
            (d / name).write_bytes(data)
            total += 1
        print(f"{target}: {len(list(d.iterdir()))} files")
    print(f"{total} new seed files")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", type=pathlib.Path, default=HERE.parents[1].parent / "shared" / "spec")
    args = ap.parse_args()
    if not (args.spec / "requests").is_dir():
        sys.exit(f"make_corpus: no spec requests under {args.spec}")
    from_requests(args.spec)
    from_markdown(args.spec)
    edge_cases()
    write()


if __name__ == "__main__":
    main()
