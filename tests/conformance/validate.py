#!/usr/bin/python3
"""Validate emuscim's recorded HTTP replies against GitHub's OpenAPI description.

The end-to-end client writes one JSON file per reply into $EMUSCIM_CONFORMANCE_DIR:
    {"method": "GET", "target": "/scim/v2/enterprises/acme/Users?filter=...",
     "status": 200, "content_type": "application/scim+json; charset=utf-8", "body": "<raw body>"}

Each reply is mapped to its OpenAPI operation (method + path template, query stripped), its
response is chosen by status code (falling back to `default`), and the parsed body is validated
with a Draft 4 validator against the referenced schema, after `$ref`s are inlined and OpenAPI 3.0
`nullable: true` is turned into JSON Schema type unions.

GitHub's description contradicts GitHub's own examples and observed behaviour in places
(shared spec github-emu-scim.md §17). Each such contradiction is a named tolerance below, keyed by
(component schema, JSON pointer inside it, validator keyword) plus a predicate on the offending
value. Every validation error that no tolerance matches is a failure. schemas/README.md documents
the list.

Usage:
    validate.py [--schema FILE] RECORDS_DIR    validate recorded replies; exit 1 on any failure,
                                               2 if no record was found
    validate.py [--schema FILE] --self-test    validate built-in samples (GitHub's examples and
                                               emuscim-style bodies, good and bad)
    validate.py --list-defects                 print the tolerance list

Needs jsonschema (Debian: python3-jsonschema); runs on Debian's /usr/bin/python3.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

try:
    import jsonschema
except ImportError:  # pragma: no cover - exercised only on a broken install
    sys.stderr.write("validate.py: cannot import jsonschema; install Debian's python3-jsonschema "
                     "and run with /usr/bin/python3\n")
    sys.exit(2)

DEFAULT_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "ghec-scim.json"
ORGS_TEAMS_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "ghec-orgs-teams.json"
EXPECTED_SOURCE = {"repo": "github/rest-api-description", "path": "descriptions/ghec/ghec.json",
                   "commit": "047d5f2b7da0e16d332633da505afec5e6e6998d"}
EXPECTED_VERSION = "1.1.4"
# The second extract (org/team REST routes, enterprise teams, org-level SCIM), from a later commit.
ORGS_TEAMS_SOURCE = {"repo": "github/rest-api-description", "path": "descriptions/ghec/ghec.json",
                     "commit": "66bea13c7290386f69747d4416797ae3afb446d5", "info.version": "1.1.4",
                     "machine-copy": {"package": "@octokit/openapi", "version": "23.0.2",
                                      "file": "generated/ghec.json", "transform": "x-octokit keys removed"}}
EXTRACTS = {"ghec-scim.json": (EXPECTED_SOURCE, EXPECTED_VERSION),
            "ghec-orgs-teams.json": (ORGS_TEAMS_SOURCE, EXPECTED_VERSION)}

# Which description a reply belongs to, by path. The org/team description also covers org-level
# SCIM; the enterprise SCIM description covers the rest of /scim/.
ORGS_TEAMS_PREFIXES = ("/orgs/", "/enterprises/", "/scim/v2/organizations/")

# Where a body comes from. Some tolerances only cover GitHub's published examples.
SRC_EMUSCIM = "emuscim"
SRC_EXAMPLE = "github-example"

COMPONENT_TAG = "x-emuscim-component"   # marks an inlined component schema; ignored by validators
SCHEMA_REF = "#/components/schemas/"
RESPONSE_REF = "#/components/responses/"
EXAMPLE_REF = "#/components/examples/"


class SchemaError(Exception):
    """The OpenAPI file uses something this converter does not handle."""


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------

@dataclass
class Record:
    name: str                 # file name, or the self-test case name
    method: str
    target: str
    status: int
    content_type: str | None
    body: str
    source: str = SRC_EMUSCIM

    def describe(self) -> str:
        return f"{self.method} {self.target} -> {self.status}"


def load_record(path: Path) -> Record:
    """Reads one record file. Raises ValueError with a reason when it breaks the contract."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"unreadable record: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("record is not a JSON object")
    missing = [k for k in ("method", "target", "status", "body") if k not in data]
    if missing:
        raise ValueError(f"record lacks {', '.join(missing)}")
    method, target, status, body = data["method"], data["target"], data["status"], data["body"]
    ctype = data.get("content_type")
    if not isinstance(method, str) or not method:
        raise ValueError("record.method is not a non-empty string")
    if not isinstance(target, str) or not target:
        raise ValueError("record.target is not a non-empty string")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"record.status {status!r} is not an HTTP status code")
    if not isinstance(body, str):
        raise ValueError("record.body is not a string (the raw response body)")
    if ctype is not None and not isinstance(ctype, str):
        raise ValueError("record.content_type is not a string")
    return Record(path.name, method.upper(), target, status, ctype, body)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def parse_body(body: str) -> Any:
    """Strict JSON: no NaN/Infinity, no duplicate keys. Raises ValueError."""
    return json.loads(body, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)


# ---------------------------------------------------------------------------------------------
# OpenAPI 3.0 schema -> JSON Schema (Draft 4)
# ---------------------------------------------------------------------------------------------

_SUBSCHEMA = ("items", "not", "additionalProperties")
_SUBSCHEMA_LIST = ("allOf", "anyOf", "oneOf")
_SUBSCHEMA_MAP = ("properties",)
_VERBATIM = ("type", "enum", "required", "title", "description", "example", "default", "format",
             "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
             "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
             "multipleOf")
_DROPPED = ("externalDocs", "deprecated")          # annotations with no validation meaning


def convert_schema(node: Any, components: dict[str, Any], stack: tuple[str, ...] = ()) -> Any:
    """Returns a Draft 4 schema equal in meaning to the OpenAPI 3.0 Schema Object `node`.

    - `$ref: #/components/schemas/X` is inlined and the copy is tagged with COMPONENT_TAG = X, so
      an error can be located as (component, pointer, keyword). Siblings of `$ref` are ignored, as
      OpenAPI 3.0 says.
    - `nullable: true` adds "null" to `type` (OpenAPI 3.0.3: it has no effect without `type`;
      with `enum`, null must be listed in the enum explicitly, which we refuse to guess).
    - OpenAPI-only keywords this file does not use (discriminator, readOnly, writeOnly, xml) and
      any unknown keyword raise SchemaError, so a new copy of the description cannot be silently
      misread.
    """
    if isinstance(node, bool):
        return node
    if not isinstance(node, dict):
        raise SchemaError(f"schema is not an object: {node!r}")
    if "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith(SCHEMA_REF):
            raise SchemaError(f"unsupported $ref {ref!r}")
        name = ref[len(SCHEMA_REF):]
        if name in stack:
            raise SchemaError(f"recursive $ref {' -> '.join(stack + (name,))}")
        if name not in components:
            raise SchemaError(f"dangling $ref {ref!r}")
        out = convert_schema(components[name], components, stack + (name,))
        out = dict(out)
        out[COMPONENT_TAG] = name
        return out
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SUBSCHEMA:
            out[key] = value if isinstance(value, bool) else convert_schema(value, components, stack)
        elif key in _SUBSCHEMA_LIST:
            out[key] = [convert_schema(v, components, stack) for v in value]
        elif key in _SUBSCHEMA_MAP:   # keys are property names (one of them is "$ref"!)
            out[key] = {p: convert_schema(v, components, stack) for p, v in value.items()}
        elif key in _VERBATIM:
            out[key] = copy.deepcopy(value)
        elif key == "nullable" or key in _DROPPED or key.startswith("x-"):
            continue
        else:
            raise SchemaError(f"unsupported schema keyword {key!r}")
    if node.get("nullable") is True:
        if "type" not in node:
            raise SchemaError("nullable without type")
        if "enum" in node and None not in node["enum"]:
            raise SchemaError("nullable enum without null in the enum")
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = types + ([] if "null" in types else ["null"])
    return out


# ---------------------------------------------------------------------------------------------
# Tolerances
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ErrorInfo:
    component: str     # innermost component schema the failing keyword belongs to
    pointer: str       # JSON pointer of the failing subschema inside that component
    validator: str     # the failing keyword
    error: Any         # jsonschema.ValidationError
    record: Record

    @property
    def instance(self) -> Any:
        return self.error.instance

    def missing_property(self) -> str | None:
        """For a `required` error: the property it is about, else None."""
        if self.validator != "required":
            return None
        match = re.fullmatch(r"""(['"])(.*)\1 is a required property""", self.error.message)
        if not match:
            return None
        prop = match.group(2)
        if prop not in (self.error.validator_value or []) or (
                isinstance(self.instance, dict) and prop in self.instance):
            return None
        return prop


@dataclass(frozen=True)
class Matcher:
    component: str
    pointer: str
    validator: str
    predicate: Callable[[ErrorInfo], bool]
    explains: str   # what exactly is let through


@dataclass(frozen=True)
class Defect:
    id: str
    title: str            # the contradiction in GitHub's description
    choice: str           # what emuscim does, and what the validator does about it
    matchers: tuple[Matcher, ...] = ()
    sources: frozenset[str] = frozenset({SRC_EMUSCIM, SRC_EXAMPLE})
    kind: str = "filter"  # filter | rule (applied by the validator's logic) | none (nothing to tolerate)


# Role forms emuscim accepts (shared spec §11): names, Entra GUIDs, legacy GHES forms; any case.
ROLE_FORMS = frozenset(v.casefold() for v in (
    "user", "guest_collaborator", "enterprise_owner", "billing_manager",
    "27d9891d-2c17-4f45-a262-781a0e55c80a", "1ebc4a02-e56c-43a6-92a5-02ee09b90824",
    "981df190-8801-4618-a08a-d91f6206c954", "ba4987ab-a1c3-412a-b58c-360fc407cb10",
    "0e338b8c-cc7f-498a-928d-ea3470d7e7e3", "e6be2762-e4ad-4108-b72d-1bbe884a0f91",
    "User", "Restricted User", "restricted_user", "Enterprise Owner", "Billing Manager"))


def _is_string_of_status(e: ErrorInfo) -> bool:
    return isinstance(e.instance, str) and e.instance == str(e.record.status)


def _is_integer_of_status(e: ErrorInfo) -> bool:
    return type(e.instance) is int and e.instance == e.record.status


DEFECTS: tuple[Defect, ...] = (
    Defect(
        "D1", "Group examples give members as {value, \"$+ref\" (typo), displayName}; the schema "
        "names them $ref/display and requires $ref.",
        "emuscim sends {value, $ref, display}. Only GitHub's own examples may lack $ref, and only "
        "where they carry the \"$+ref\" typo.",
        (Matcher("group-response", "/properties/members/items", "required",
                 lambda e: e.missing_property() == "$ref" and isinstance(e.instance, dict)
                 and "$+ref" in e.instance,
                 "member without $ref that carries \"$+ref\""),),
        sources=frozenset({SRC_EXAMPLE})),
    Defect(
        "D2", "User examples echo roles[].value \"User\", outside the schema's enum.",
        "emuscim accepts role values case-insensitively as names, Entra GUIDs or legacy forms "
        "(§11) and echoes them as sent. An enum error is let through only for those forms.",
        (Matcher("user-role", "/items/properties/value", "enum",
                 lambda e: isinstance(e.instance, str) and e.instance.casefold() in ROLE_FORMS,
                 "a §11 role form outside the enum's exact spelling"),)),
    Defect(
        "D3", "The user-list example's Resources lack the required meta.",
        "emuscim always includes meta; only GitHub's list example may omit it.",
        (Matcher("scim-enterprise-user-response", "/allOf/1", "required",
                 lambda e: e.missing_property() == "meta" and len(e.error.absolute_path) > 0
                 and e.error.absolute_path[0] == "Resources",
                 "missing meta on a list item"),),
        sources=frozenset({SRC_EXAMPLE})),
    Defect(
        "D4", "patch-schema types Operations[].value as string, while GitHub's examples send "
        "booleans and arrays.", "Request schema; emuscim accepts any JSON type. No response "
        "body uses it, so there is nothing to tolerate here.", kind="none"),
    Defect(
        "D5", "The PATCH note calls filtered paths ineffective, but the official example uses one.",
        "Request behaviour; emuscim applies filtered paths. Nothing to tolerate in responses.",
        kind="none"),
    Defect(
        "D6", "PATCH /Groups declares both 204 and 200 without saying when each applies.",
        "Both are declared, so both validate (204: empty body; 200: the group schema). emuscim "
        "answers 200 + group by default, 204 with a switch.", kind="none"),
    Defect(
        "D7", "meta.location examples lack /enterprises/{enterprise} and use api.github.localhost.",
        "emuscim's meta.location is https://{host}/scim/v2/enterprises/{enterprise}/... (§7). The "
        "schema types location as a plain string, so no validation error arises.", kind="none"),
    Defect(
        "D8", "scim-error.status is an integer (basic-error.status a string); RFC 7644 and the "
        "observed GitHub capture use a string.",
        "emuscim sends one error body for every status with status as a string of the HTTP code "
        "(§14); a switch makes it an integer. The type error is let through only when the value "
        "equals the reply's HTTP status.",
        (Matcher("scim-error", "/properties/status", "type", _is_string_of_status,
                 "status given as the reply's code in a string"),
         Matcher("basic-error", "/properties/status", "type", _is_integer_of_status,
                 "status given as the reply's code in an integer (integer-status switch)"))),
    Defect(
        "D9", "The user request schema allows only the core User URN.",
        "Request schema; emuscim accepts extension URNs. Response schemas are unchanged: a "
        "user response must still list only the core URN.", kind="none"),
    Defect(
        "D10", "The group externalId is described as \"unique per user\" [sic]; id is not "
        "required on group responses.",
        "emuscim always returns the group id and treats externalId as unique per group. The "
        "schema is looser than emuscim, so no validation error arises.", kind="none"),
    Defect(
        "D11", "Filter examples mix \"...\", '...' and bare values.",
        "Request behaviour (§5); nothing to tolerate in responses.", kind="none"),
)

# Tolerances that come from emuscim's choices (§3, §14, §18) rather than a §17 defect.
RULES: tuple[Defect, ...] = (
    Defect(
        "C14", "401, 403 and 409 are declared without a body.",
        "emuscim sends its SCIM error body (§14, like the observed 409 capture); it is validated "
        "against scim-error (with D8 for status). An empty body is also accepted.", kind="rule"),
    Defect(
        "C3", "404 (not_found) is declared as application/json only.",
        "emuscim answers application/scim+json everywhere (§3), with a switch for application/json "
        "on 404; for an error status declared as application/json only, application/scim+json is "
        "accepted.", kind="rule"),
)


@dataclass(frozen=True)
class Undeclared:
    status: int
    contexts: frozenset[str]   # declared-op | undeclared-method | undescribed-path
    schema: str                # component schema the body (if any) must match
    reason: str


# The same for GitHub's REST routes (org/team extract): REST error bodies (basic-error, and
# validation-error for 422). GitHub documents 401/404 for any route (RESTTRBL) but declares
# few per operation.
UNDECLARED_REST_LIST = (
    (400, "basic-error", "a request body that is not JSON or not an object (RESTTRBL: bad JSON 400)"),
    (401, "basic-error", "missing or bad credentials (RESTTRBL); GitHub declares 401 on no operation here"),
    (403, "basic-error", "a token without the route's scope on an enterprise route; a linked team's membership"),
    (404, "basic-error", "an unknown or hidden organization, team, user or group (RESTTRBL: 404 for private resources)"),
    (405, "basic-error", "a method GitHub does not describe on a described path (RFC 9110 §15.5.6)"),
    (413, "basic-error", "request body above emuscim's body limit; GitHub documents none"),
    (422, "validation-error", "a bad parameter or body member (RESTTRBL: \"Validation Failed\")"),
    (429, "basic-error", "rate limit or injected throttling (shared spec github-emu-scim.md §15)"),
    (431, "basic-error", "request headers above emuscim's header limit"),
    (500, "basic-error", "injected fault; GitHub documents none"),
    (503, "basic-error", "emuscim shutting down or its store unavailable"),
)

# Statuses GitHub's description does not declare where emuscim produces them. Anything else
# that is undeclared fails.
UNDECLARED: dict[int, Undeclared] = {u.status: u for u in (
    Undeclared(404, frozenset({"declared-op", "undeclared-method", "undescribed-path"}),
               "basic-error",
               "unknown enterprise slug on the collection paths (§14), lower-case or discovery "
               "paths (§2); the body must match GitHub's not_found schema"),
    Undeclared(405, frozenset({"undeclared-method"}), "scim-error",
               "a method GitHub does not describe on a described path (RFC 9110 §15.5.6)"),
    Undeclared(413, frozenset({"declared-op"}), "scim-error",
               "request body above emuscim's body limit (4 MiB by default); GitHub documents none"),
    Undeclared(431, frozenset({"declared-op", "undeclared-method", "undescribed-path"}),
               "scim-error", "request headers above emuscim's header limit; GitHub documents none"),
    Undeclared(503, frozenset({"declared-op", "undeclared-method", "undescribed-path"}),
               "scim-error", "emuscim shutting down or its store unavailable; GitHub documents none"),
    Undeclared(507, frozenset({"declared-op"}), "scim-error",
               "emuscim's disk is full (docs/RELIABILITY.md); GitHub documents none"),
    Undeclared(400, frozenset({"declared-op"}), "scim-error",
               "an invalid body on org-level SCIM's PUT, answered as on POST (GitHub declares 400 on "
               "POST only; docs/BEHAVIOUR.md 'Org-level SCIM')"),
    Undeclared(401, frozenset({"declared-op"}), "scim-error",
               "a missing or bad token on org-level SCIM, where GitHub declares no 401 "
               "(docs/BEHAVIOUR.md 'Org-level SCIM')"),
)}

# Defects of the org/team extract (shared spec github-orgs-teams.md §9), ids O1-O8.
def _team_example_without_type(e: ErrorInfo) -> bool:
    return e.missing_property() == "type"


ORG_DEFECTS: tuple[Defect, ...] = (
    Defect(
        "O1", "The external-group(s) examples give group_id as a string (\"123\"); the schema says integer.",
        "emuscim sends the group's numeric id as an integer. Only GitHub's examples may carry the string.",
        (Matcher("external-group", "/properties/group_id", "type", lambda e: isinstance(e.instance, str),
                 "group_id as a string"),
         Matcher("external-groups", "/properties/groups/items/properties/group_id", "type",
                 lambda e: isinstance(e.instance, str), "group_id as a string")),
        sources=frozenset({SRC_EXAMPLE})),
    Defect(
        "O2", "teams/update-in-org declares both 200 and 201.",
        "emuscim answers 200 with the team; both are declared, so both validate.", kind="none"),
    Defect(
        "O3", "get-assignments declares an array but its example is a single organization-simple.",
        "emuscim sends an array. Only GitHub's example may be the single object.",
        (Matcher("[organization-simple]", "", "type", lambda e: isinstance(e.instance, dict),
                 "the single-object example of an array response"),),
        sources=frozenset({SRC_EXAMPLE})),
    Defect(
        "O4", "Enterprise-team examples use slug justice-league (no ent:) and omit "
        "organization_selection_type; get/update declare Link.",
        "emuscim's slugs start with ent: and it always sends organization_selection_type. The "
        "schema constrains neither, so nothing is tolerated.", kind="none"),
    Defect(
        "O5", "team-items/team-full examples omit the required type.",
        "emuscim always sends type. Only GitHub's examples may omit it.",
        (Matcher("team", "", "required", _team_example_without_type, "missing type"),
         Matcher("team-full", "", "required", _team_example_without_type, "missing type")),
        sources=frozenset({SRC_EXAMPLE})),
    Defect(
        "O6", "Org SCIM examples and response schema: PATCH example sets displayName; scim-user carries "
        "request-like members.", "Request behaviour and looser schemas; nothing to tolerate.", kind="none"),
    Defect(
        "O9", "The team-full example's organization omits archived_at, which team-organization requires "
        "(not in the shared spec's §9 list; found by this check).",
        "emuscim always sends archived_at (null). Only GitHub's example may omit it.",
        (Matcher("team-organization", "", "required", lambda e: e.missing_property() == "archived_at",
                 "missing archived_at"),),
        sources=frozenset({SRC_EXAMPLE})),
    Defect(
        "O8", "The linked-groups GET returns a list though a team links one group.",
        "emuscim returns {groups: []} or one group; the schema allows both.", kind="none"),
)

RULES = RULES + (
    Defect(
        "R14", "REST errors declared without content (403 \"Forbidden if team synchronization is set up\", "
        "422 enterprise_team_unsupported, 404 on check-membership).",
        "emuscim sends GitHub's REST error body; it is validated against basic-error. An empty "
        "body is also accepted.", kind="rule"),
)

ALL_TOLERANCES = {d.id: d for d in DEFECTS + RULES + ORG_DEFECTS}

UNDECLARED_REST: dict[int, Undeclared] = {
    status: Undeclared(status, frozenset({"declared-op", "undeclared-method", "undescribed-path"}), schema, reason)
    for status, schema, reason in UNDECLARED_REST_LIST}


# ---------------------------------------------------------------------------------------------
# Validator
# ---------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    record: Record
    key: str                                   # "METHOD template status -> schema"
    failures: list[str] = field(default_factory=list)
    applied: Counter = field(default_factory=Counter)   # tolerance id -> times
    skipped: str | None = None                 # reason when the reply is outside GitHub's API


class Conformance:
    def __init__(self, schema_file: Path):
        self.doc = json.loads(schema_file.read_text(encoding="utf-8"))
        source = self.doc.get("info", {}).get("x-extract-source")
        expected_source, expected_version = EXTRACTS.get(schema_file.name, (EXPECTED_SOURCE, EXPECTED_VERSION))
        if source != expected_source or self.doc.get("info", {}).get("version") != expected_version:
            raise SchemaError(f"{schema_file} is not the recorded extract "
                              f"({expected_source['commit']}, v{expected_version})")
        # "scim": the enterprise SCIM description; "rest": the org/team description (REST errors
        # are basic-error/validation-error, org-level SCIM's are scim-error).
        self.kind = "rest" if schema_file.name == "ghec-orgs-teams.json" else "scim"
        self.components = self.doc["components"]["schemas"]
        self.paths: list[tuple[str, re.Pattern[str], dict[str, Any]]] = []
        for template, item in self.doc["paths"].items():
            regex = "".join("[^/]+" if p.startswith("{") else re.escape(p)
                            for p in re.split(r"(\{[^}]+\})", template))
            self.paths.append((template, re.compile(regex), item))
        # The most literal template wins: .../memberships/add over .../memberships/{username}.
        self.paths.sort(key=lambda entry: -len(re.sub(r"\{[^}]+\}", "", entry[0])))
        self._validators: dict[str, jsonschema.Draft4Validator] = {}
        # Convert every component up front: a schema the converter cannot read fails early.
        for name in self.components:
            self.validator(name)

    # --- schema plumbing ---------------------------------------------------------------------

    def validator(self, component: str) -> jsonschema.Draft4Validator:
        if component not in self._validators:
            if component.startswith("[") and component.endswith("]"):  # an array of a component
                schema = convert_schema({"type": "array", "items": {"$ref": SCHEMA_REF + component[1:-1]}},
                                        self.components)
            else:
                schema = convert_schema({"$ref": SCHEMA_REF + component}, self.components)
            jsonschema.Draft4Validator.check_schema(schema)
            self._validators[component] = jsonschema.Draft4Validator(schema)
        return self._validators[component]

    def deref(self, node: dict[str, Any], prefix: str, section: str) -> dict[str, Any]:
        ref = node.get("$ref")
        if ref is None:
            return node
        if not ref.startswith(prefix):
            raise SchemaError(f"unsupported $ref {ref!r}")
        return self.doc["components"][section][ref[len(prefix):]]

    @staticmethod
    def schema_name(schema: dict[str, Any]) -> str:
        if schema.get("type") == "array" and set(schema) == {"type", "items"}:
            return "[" + Conformance.schema_name(schema["items"]) + "]"
        ref = schema.get("$ref", "")
        if not ref.startswith(SCHEMA_REF):
            raise SchemaError(f"response schema is not a component $ref: {schema!r}")
        return ref[len(SCHEMA_REF):]

    def locate(self, component: str, error: Any) -> tuple[str, str]:
        """(innermost component, JSON pointer inside it) of the subschema whose keyword failed."""
        node: Any = self._validators[component].schema
        current, pointer = component, []
        for step in list(error.absolute_schema_path)[:-1]:
            node = node[step]
            pointer.append(str(step))
            if isinstance(node, dict) and COMPONENT_TAG in node:
                current, pointer = node[COMPONENT_TAG], []
        return current, "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in pointer)

    # --- validation --------------------------------------------------------------------------

    def operation(self, record: Record) -> tuple[str | None, dict[str, Any] | None, str]:
        """(path template, operation, context)."""
        path = urlsplit(record.target).path
        for template, regex, item in self.paths:
            if regex.fullmatch(path):
                op = item.get(record.method.lower())
                if op is None:
                    return template, None, "undeclared-method"
                return template, op, "declared-op"
        return None, None, "undescribed-path"

    def covers(self, path: str) -> bool:
        if self.kind == "rest":
            return path.startswith(ORGS_TEAMS_PREFIXES)
        return path.startswith("/scim/") and not path.startswith("/scim/v2/organizations/")

    def error_schema(self, path: str) -> str:
        """The schema of an error body GitHub declares without content (C14, R14)."""
        return "scim-error" if path.startswith("/scim/") else "basic-error"

    def undeclared(self, path: str) -> dict[int, "Undeclared"]:
        return UNDECLARED if path.startswith("/scim/") else UNDECLARED_REST

    def check_record(self, record: Record) -> Outcome:
        path = urlsplit(record.target).path
        if not self.covers(path):
            out = Outcome(record, f"{record.method} {path} {record.status}")
            out.skipped = "not part of GitHub's SCIM API (emuscim's own endpoint)"
            return out
        template, op, context = self.operation(record)
        if template is None and self.kind == "rest" and not path.startswith("/scim/"):
            # /enterprises/{e}/audit-log and other GitHub routes outside this extract.
            out = Outcome(record, f"{record.method} {path} {record.status}")
            out.skipped = "a GitHub route outside the org/team extract"
            return out
        shown = template or path
        status = str(record.status)
        if op is not None and (status in op["responses"] or "default" in op["responses"]):
            response = self.deref(op["responses"].get(status) or op["responses"]["default"],
                                  RESPONSE_REF, "responses")
            return self._check_declared(record, f"{record.method} {shown} {status}", response)
        out = Outcome(record, f"{record.method} {shown} {status} (undeclared)")
        table = self.undeclared(path)
        allowed = table.get(record.status)
        prefix = "U" if table is UNDECLARED else "UR"
        what = {"declared-op": "status not declared by the operation",
                "undeclared-method": "method not described for this path",
                "undescribed-path": "path not described by GitHub"}[context]
        if allowed is None or context not in allowed.contexts:
            out.failures.append(f"undeclared status: {what}, and {record.status} is not in the "
                                f"allowed list for that case")
            return out
        out.key = f"{record.method} {shown} {status} -> {allowed.schema} (undeclared, {prefix}{status})"
        out.applied[f"{prefix}{record.status}"] += 1
        self._check_error_body(record, out, allowed.schema)
        return out

    def _check_declared(self, record: Record, key: str, response: dict[str, Any]) -> Outcome:
        content = response.get("content")
        if not content:
            if record.status < 400:
                out = Outcome(record, f"{key} -> (no body)")
                if record.body != "":
                    out.failures.append(f"{record.status} is declared without a body, but the "
                                        f"reply has {len(record.body)} bytes: {record.body[:80]!r}")
                return out
            schema = self.error_schema(urlsplit(record.target).path)
            rule = "C14" if schema == "scim-error" else "R14"
            out = Outcome(record, f"{key} -> {schema} ({rule})")
            out.applied[rule] += 1
            self._check_error_body(record, out, schema)
            return out
        schemas = {self.schema_name(v["schema"]) for v in content.values()}
        if len(schemas) != 1:
            raise SchemaError(f"{key}: media types with different schemas are not handled")
        name = schemas.pop()
        out = Outcome(record, f"{key} -> {name}")
        mt = media_type(record.content_type)
        if mt not in content:
            if (record.status >= 400 and mt == "application/scim+json"
                    and "application/json" in content):
                out.applied["C3"] += 1
            else:
                out.failures.append(f"Content-Type {record.content_type!r} is not declared "
                                    f"(declared: {', '.join(content)})")
        self._validate(record, out, name)
        return out

    def _check_error_body(self, record: Record, out: Outcome, schema: str) -> None:
        """An error reply for which GitHub declares no content: empty, or a JSON error body."""
        if record.body == "":
            return
        if media_type(record.content_type) not in ("application/scim+json", "application/json"):
            out.failures.append(f"Content-Type {record.content_type!r} is not a JSON media type")
        self._validate(record, out, schema)

    def _validate(self, record: Record, out: Outcome, component: str) -> None:
        try:
            instance = parse_body(record.body)
        except ValueError as exc:
            out.failures.append(f"body is not valid JSON ({exc}): {record.body[:80]!r}")
            return
        errors = sorted(self.validator(component).iter_errors(instance),
                        key=lambda e: (list(map(str, e.absolute_path)), e.message))
        for error in errors:
            where, pointer = self.locate(component, error)
            info = ErrorInfo(where, pointer, str(error.validator), error, record)
            tolerated = self.tolerate(info)
            if tolerated:
                out.applied[tolerated] += 1
                continue
            instance_path = "/".join(str(p) for p in error.absolute_path) or "(root)"
            message = error.message if len(error.message) <= 240 else error.message[:237] + "..."
            out.failures.append(f"{instance_path}: {message} [{where}#{pointer} {info.validator}]")

    @staticmethod
    def tolerate(info: ErrorInfo) -> str | None:
        for defect in DEFECTS + ORG_DEFECTS:
            if info.record.source not in defect.sources:
                continue
            for m in defect.matchers:
                if ((m.component, m.pointer, m.validator)
                        == (info.component, info.pointer, info.validator) and m.predicate(info)):
                    return defect.id
        return None


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------

def tolerance_text(tid: str) -> str:
    if tid in ALL_TOLERANCES:
        d = ALL_TOLERANCES[tid]
        return f"{d.title} Choice: {d.choice}"
    if tid.startswith("UR") and int(tid[2:]) in UNDECLARED_REST:
        return f"undeclared REST status {tid[2:]} allowed: {UNDECLARED_REST[int(tid[2:])].reason}"
    if tid.startswith("U") and tid[1:].isdigit() and int(tid[1:]) in UNDECLARED:
        return f"undeclared status {tid[1:]} allowed: {UNDECLARED[int(tid[1:])].reason}"
    return tid


def summarize(outcomes: list[Outcome], stream=sys.stdout) -> tuple[int, int]:
    """Prints the summary; returns (validated, failed)."""
    validated = [o for o in outcomes if o.skipped is None]
    per_key = Counter(o.key for o in validated)
    applied: Counter = Counter()
    for o in validated:
        applied.update(o.applied)
    failed = [o for o in validated if o.failures]
    print(f"Validated {len(validated)} replies against GitHub's OpenAPI description:", file=stream)
    for key in sorted(per_key):
        print(f"  {per_key[key]:5d}  {key}", file=stream)
    skipped = Counter(f"{o.key}: {o.skipped}" for o in outcomes if o.skipped)
    if skipped:
        print("Not validated (outside GitHub's SCIM API):", file=stream)
        for key in sorted(skipped):
            print(f"  {skipped[key]:5d}  {key}", file=stream)
    print("Tolerances applied:" if applied else "Tolerances applied: none", file=stream)
    for tid in sorted(applied):
        print(f"  {applied[tid]:5d}  {tid}: {tolerance_text(tid)}", file=stream)
    if failed:
        print(f"FAILURES ({len(failed)} replies):", file=stream)
        for o in failed:
            print(f"  {o.record.name}: {o.record.describe()}", file=stream)
            for f in o.failures:
                print(f"      {f}", file=stream)
    else:
        print("Failures: none", file=stream)
    return len(validated), len(failed)


def list_defects() -> None:
    for d in DEFECTS + RULES + ORG_DEFECTS:
        print(f"{d.id} [{d.kind}{', GitHub examples only' if d.sources == {SRC_EXAMPLE} else ''}]")
        print(f"    GitHub: {d.title}")
        print(f"    choice: {d.choice}")
        for m in d.matchers:
            print(f"    tolerates: {m.component}#{m.pointer} {m.validator} when {m.explains}")
    for u in UNDECLARED.values():
        print(f"U{u.status} [undeclared status; {', '.join(sorted(u.contexts))}; body: {u.schema}]")
        print(f"    {u.reason}")
    for u in UNDECLARED_REST.values():
        print(f"UR{u.status} [undeclared REST status; body: {u.schema}]")
        print(f"    {u.reason}")


def check_with(confs: list[Conformance], record: Record) -> Outcome:
    """The reply checked against the description that covers its path (the first one)."""
    path = urlsplit(record.target).path
    for conf in confs:
        if conf.covers(path):
            return conf.check_record(record)
    return confs[0].check_record(record)  # nobody covers it: reported as not validated


def run_records(confs: list[Conformance], directory: Path) -> int:
    if not directory.is_dir():
        print(f"validate.py: {directory} is not a directory; nothing was recorded", file=sys.stderr)
        return 2
    files = sorted(p for p in directory.rglob("*.json") if p.is_file())
    outcomes: list[Outcome] = []
    broken: list[tuple[Path, str]] = []
    for path in files:
        try:
            record = load_record(path)
        except ValueError as exc:
            broken.append((path, str(exc)))
            continue
        record.name = str(path.relative_to(directory))
        outcomes.append(check_with(confs, record))
    print(f"Records: {len(files)} files in {directory}")
    validated, failed = summarize(outcomes)
    for path, reason in broken:
        print(f"  BROKEN RECORD {path.relative_to(directory)}: {reason}")
    if validated == 0:
        print("validate.py: no SCIM reply was recorded; were the end-to-end suites run with "
              "EMUSCIM_CONFORMANCE_DIR set?", file=sys.stderr)
        return 2
    return 1 if failed or broken else 0


# ---------------------------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------------------------

ENT = "acme"
BASE = f"/scim/v2/enterprises/{ENT}"
HOST = "https://emuscim.test"
SCIM_CT = "application/scim+json; charset=utf-8"
UID = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
UID2 = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
GID = "0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a"


def emu_user(uid: str = UID, **overrides: Any) -> dict[str, Any]:
    user = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": uid, "externalId": "E012345", "userName": "mona@example.com", "active": True,
        "displayName": "Mona Lisa",
        "name": {"formatted": "Mona Lisa Octocat", "familyName": "Octocat", "givenName": "Mona"},
        "emails": [{"value": "mona@example.com", "type": "work", "primary": True}],
        "roles": [{"value": "user", "primary": False}],
        "meta": {"resourceType": "User", "created": "2025-01-02T03:04:05.000Z",
                 "lastModified": "2025-01-02T03:04:05.000Z",
                 "location": f"{HOST}{BASE}/Users/{uid}"},
    }
    user.update(overrides)
    return {k: v for k, v in user.items() if v is not _DROP}


def emu_group(**overrides: Any) -> dict[str, Any]:
    group = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": GID, "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "Engineering",
        "members": [{"value": u, "$ref": f"{HOST}{BASE}/Users/{u}", "display": d}
                    for u, d in ((UID, "Mona Lisa"), (UID2, "Hubot"))],
        "meta": {"resourceType": "Group", "created": "2025-01-02T03:04:05.000Z",
                 "lastModified": "2025-01-03T03:04:05.000Z", "location": f"{HOST}{BASE}/Groups/{GID}"},
    }
    group.update(overrides)
    return {k: v for k, v in group.items() if v is not _DROP}


def list_response(resources: list[Any], total: int | None = None, **overrides: Any) -> dict[str, Any]:
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(resources) if total is None else total, "Resources": resources,
            "startIndex": 1, "itemsPerPage": len(resources)}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not _DROP}


def error_body(status: int | str, scim_type: str | None = None, detail: str = "x") -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": status}
    if scim_type:
        body["scimType"] = scim_type
    body.update(detail=detail, message=detail,
                documentation_url="https://docs.github.com/enterprise-cloud@latest/rest/enterprise-admin/scim")
    return body


class _Drop:
    def __repr__(self) -> str:
        return "<drop>"


_DROP = _Drop()


@dataclass
class Case:
    name: str
    record: Record
    ok: bool                                   # expected to pass
    defects: frozenset[str] = frozenset()      # tolerance ids expected to apply (exactly)
    failure: str = ""                          # substring expected in a failure


def case(name: str, method: str, target: str, status: int, body: Any, ok: bool = True,
         defects: tuple[str, ...] = (), failure: str = "", ctype: str | None = SCIM_CT) -> Case:
    raw = body if isinstance(body, str) else json.dumps(body)
    return Case(name, Record(name, method, target, status, ctype, raw), ok, frozenset(defects), failure)


def github_example_cases(conf: Conformance) -> list[Case]:
    """Every response example in GitHub's description, as a reply to its own operation."""
    expected = {  # example component -> tolerances it needs
        "scim-enterprise-user": ("D2",),
        "scim-enterprise-user-list": ("D2", "D3"),
        "scim-enterprise-group": ("D1",),
        "scim-enterprise-group-list": ("D1",),
        "external-group": ("O1",),
        "external-groups": ("O1",),
        "team-items": ("O5",),
        "team-full": ("O5", "O9"),
    }
    cases = []
    for template, _, item in conf.paths:
        target = (template.replace("{enterprise}", "octo-inc")
                  .replace("{scim_user_id}", "7fce0092-d52e-4f76-b727-3955bd72c939")
                  .replace("{scim_group_id}", "abcd27f8-a9aa-11ea-8221-f59b2be9cccc")
                  .replace("{org}", "octo-org").replace("{team_slug}", "justice-league")
                  .replace("{enterprise-team}", "ent:justice-league").replace("{username}", "octocat")
                  .replace("{group_id}", "123").replace("{invitation_id}", "1"))
        for method, op in item.items():
            if method == "parameters":
                continue
            for status, response in op["responses"].items():
                response = conf.deref(response, RESPONSE_REF, "responses")
                for mt, media in (response.get("content") or {}).items():
                    for ex_name, example in (media.get("examples") or {}).items():
                        component = example.get("$ref", "")[len(EXAMPLE_REF):]
                        value = conf.deref(example, EXAMPLE_REF, "examples")["value"]
                        name = f"github example {component or ex_name}: {method.upper()} {template} {status}"
                        wanted = expected.get(component, ())
                        if component == "organization-simple" and op["operationId"].endswith("get-assignments"):
                            wanted = ("O3",)
                        c = case(name, method.upper(), target, int(status), value, defects=wanted, ctype=mt)
                        c.record.source = SRC_EXAMPLE
                        cases.append(c)
    return cases


def emuscim_cases() -> list[Case]:
    U, G = f"{BASE}/Users", f"{BASE}/Groups"
    return [
        # --- emuscim-style bodies that must pass ---------------------------------------------
        case("user created", "POST", U, 201, emu_user()),
        case("user read, nullable externalId/displayName, no emails", "GET", f"{U}/{UID}", 200,
             emu_user(externalId=None, displayName=None, emails=[], name=_DROP, roles=_DROP)),
        case("user with echoed legacy/case-variant roles", "PUT", f"{U}/{UID}", 200,
             emu_user(roles=[{"value": "User"}, {"value": "Enterprise Owner", "primary": True},
                             {"value": "981DF190-8801-4618-A08A-D91F6206C954"}]),
             defects=("D2",)),
        case("user patched (suspended) with groups", "PATCH", f"{U}/{UID}", 200,
             emu_user(active=False, groups=[{"value": GID, "$ref": f"{HOST}{G}/{GID}",
                                             "display": "Engineering"}])),
        case("user list by filter", "GET", f"{U}?filter=userName%20eq%20%22mona%22", 200,
             list_response([emu_user()])),
        case("user list, empty", "GET", f"{U}?filter=externalId%20eq%20%22none%22", 200,
             list_response([])),
        case("user list, count=0", "GET", f"{U}?count=0", 200,
             list_response([], total=7)),
        case("user deleted", "DELETE", f"{U}/{UID}", 204, "", ctype=None),
        case("group created with members", "POST", G, 201, emu_group()),
        case("group read, empty members", "GET", f"{G}/{GID}", 200, emu_group(members=[])),
        case("group read, excludedAttributes=members", "GET", f"{G}/{GID}?excludedAttributes=members",
             200, emu_group(members=_DROP)),
        case("group replaced, null externalId", "PUT", f"{G}/{GID}", 200, emu_group(externalId=None)),
        case("group patched, 200 + body", "PATCH", f"{G}/{GID}", 200, emu_group()),
        case("group patched, 204 switch", "PATCH", f"{G}/{GID}", 204, "", ctype=None),
        case("group list", "GET", f"{G}?startIndex=1&count=2", 200,
             list_response([emu_group(), emu_group(members=[])], total=5)),
        case("group deleted", "DELETE", f"{G}/{GID}", 204, "", ctype=None),
        case("400 invalidFilter, string status", "GET", f"{U}?filter=bad", 400,
             error_body("400", "invalidFilter"), defects=("D8",)),
        case("400 integer-status switch", "POST", U, 400, error_body(400, "invalidValue")),
        case("400 as application/json", "POST", G, 400, error_body("400", "invalidSyntax"),
             defects=("D8",), ctype="application/json"),
        case("401 error body", "GET", U, 401, error_body("401"), defects=("C14", "D8")),
        case("401 without body", "GET", U, 401, "", defects=("C14",), ctype=None),
        case("403 error body", "DELETE", f"{U}/{UID}", 403, error_body("403"), defects=("C14", "D8")),
        case("409 uniqueness", "POST", U, 409, error_body("409", "uniqueness"), defects=("C14", "D8")),
        case("404 unknown id", "GET", f"{U}/{UID}", 404, error_body("404"), defects=("C3",)),
        case("404 unknown id as application/json", "GET", f"{G}/{GID}", 404, error_body("404"),
             ctype="application/json"),
        case("404 integer-status switch", "DELETE", f"{G}/{GID}", 404, error_body(404),
             defects=("C3", "D8")),
        case("429 rate limited", "POST", U, 429, error_body("429"), defects=("D8",)),
        case("500 internal", "GET", G, 500, error_body("500"), defects=("D8",)),
        case("404 unknown enterprise on a collection", "GET", "/scim/v2/enterprises/nope/Users", 404,
             error_body("404"), defects=("U404",)),
        case("404 lower-case path", "GET", f"{BASE}/users", 404, error_body("404"), defects=("U404",)),
        case("404 discovery endpoint", "GET", f"{BASE}/ServiceProviderConfig", 404, error_body("404"),
             defects=("U404",)),
        case("405 undescribed method", "DELETE", U, 405, error_body("405"), defects=("U405", "D8")),
        case("413 body too large", "POST", U, 413, error_body("413"), defects=("U413", "D8")),
        case("emuscim's own endpoint is not validated", "GET", "/healthz", 200, "ok", ctype="text/plain"),
        # --- bodies that must fail ------------------------------------------------------------
        case("user without id", "GET", f"{U}/{UID}", 200, emu_user(id=_DROP), ok=False,
             failure="'id' is a required property"),
        case("user without meta (D3 covers only GitHub's example)", "GET", U, 200,
             list_response([emu_user(meta=_DROP)]), ok=False, failure="'meta' is a required property"),
        case("user active as string", "GET", f"{U}/{UID}", 200, emu_user(active="true"), ok=False,
             failure="active: 'true' is not of type 'boolean'"),
        case("user with null userName", "GET", f"{U}/{UID}", 200, emu_user(userName=None), ok=False,
             failure="userName: None is not of type 'string'"),
        case("user with extension URN in schemas", "GET", f"{U}/{UID}", 200,
             emu_user(schemas=["urn:ietf:params:scim:schemas:core:2.0:User",
                               "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]),
             ok=False, failure="is not one of"),
        case("user with unknown role", "GET", f"{U}/{UID}", 200, emu_user(roles=[{"value": "Admin"}]),
             ok=False, failure="'Admin' is not one of"),
        case("user with stringified-JSON role", "GET", f"{U}/{UID}", 200,
             emu_user(roles=[{"value": "{\"value\":\"user\"}"}]), ok=False, failure="is not one of"),
        case("meta.resourceType outside enum", "GET", f"{U}/{UID}", 200,
             emu_user(meta={"resourceType": "Person"}), ok=False, failure="'Person' is not one of"),
        case("group member without $ref (D1 covers only GitHub's example)", "GET", f"{G}/{GID}", 200,
             emu_group(members=[{"value": UID, "$+ref": "x", "displayName": "Mona"}]), ok=False,
             failure="'$ref' is a required property"),
        case("group member display null", "GET", f"{G}/{GID}", 200,
             emu_group(members=[{"value": UID, "$ref": "x", "display": None}]), ok=False,
             failure="display: None is not of type 'string'"),
        case("list without Resources", "GET", G, 200, list_response([], Resources=_DROP), ok=False,
             failure="'Resources' is a required property"),
        case("error status not the reply's code", "POST", U, 409, error_body("400", "uniqueness"),
             ok=False, failure="'400' is not of type 'integer'"),
        case("error status not a number", "GET", f"{U}?filter=x", 400, error_body("Bad Request"),
             ok=False, failure="'Bad Request' is not of type 'integer'"),
        case("204 with a body", "DELETE", f"{U}/{UID}", 204, "{}", ok=False,
             failure="declared without a body"),
        case("user PATCH answered 204", "PATCH", f"{U}/{UID}", 204, "", ok=False, ctype=None,
             failure="undeclared status"),
        case("418 on a declared operation", "GET", U, 418, error_body("418"), ok=False,
             failure="undeclared status"),
        case("405 on a described method", "GET", U, 405, error_body("405"), ok=False,
             failure="undeclared status"),
        case("200 on an undescribed path", "GET", f"{BASE}/Schemas", 200, list_response([]), ok=False,
             failure="undeclared status"),
        case("200 with an empty body", "GET", f"{U}/{UID}", 200, "", ok=False, failure="not valid JSON"),
        case("200 with a non-JSON body", "GET", f"{U}/{UID}", 200, "<html/>", ok=False,
             failure="not valid JSON"),
        case("200 with duplicate keys", "GET", f"{U}/{UID}", 200,
             json.dumps(emu_user())[:-1] + ', "active": false}', ok=False, failure="duplicate key"),
        case("200 as application/json", "GET", f"{U}/{UID}", 200, emu_user(), ok=False,
             ctype="application/json", failure="is not declared"),
        case("401 body as text/plain", "GET", U, 401, error_body("401"), ok=False, ctype="text/plain",
             failure="not a JSON media type"),
        case("409 body with bad scimType type", "POST", U, 409,
             dict(error_body("409"), scimType=7), ok=False, failure="7 is not of type"),
    ]


ORG = "/orgs/octo-org"
ENT_TEAMS = "/enterprises/acme/teams"
JSON_CT = "application/json; charset=utf-8"


def rest_user(login: str = "mona_acme", uid: int = 7) -> dict[str, Any]:
    url = f"{HOST}/users/{login}"
    return {"login": login, "id": uid, "node_id": "MDQ6VXNlcjc=",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4", "gravatar_id": "", "url": url,
            "html_url": f"https://github.com/{login}", "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}", "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs", "repos_url": f"{url}/repos", "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events", "type": "User", "site_admin": False,
            "user_view_type": "public"}


def rest_team(**overrides: Any) -> dict[str, Any]:
    url = f"{HOST}/organizations/5/team/9"
    team = {"id": 9, "node_id": "MDQ6VGVhbTk=", "url": url, "html_url": "https://github.com/orgs/octo-org/teams/core",
            "name": "Core", "slug": "core", "description": None, "privacy": "secret",
            "notification_setting": "notifications_enabled", "permission": "pull",
            "permissions": {"pull": True, "triage": False, "push": False, "maintain": False, "admin": False},
            "members_url": f"{url}/members{{/member}}", "repositories_url": f"{url}/repos", "type": "organization",
            "organization_id": 5, "parent": None}
    team.update(overrides)
    return {k: v for k, v in team.items() if v is not _DROP}


def rest_error(status: int, message: str = "Not Found") -> dict[str, Any]:
    return {"message": message, "documentation_url": "https://docs.github.com/rest", "status": str(status)}


def rest_cases() -> list[Case]:
    T = f"{ORG}/teams"
    validation = dict(rest_error(422, "Validation Failed"),
                      errors=[{"resource": "Team", "field": "name", "code": "missing_field"}])
    return [
        case("team list", "GET", T, 200, [rest_team()], ctype=JSON_CT),
        case("org members", "GET", f"{ORG}/members?per_page=2", 200, [rest_user(), rest_user("hubot_acme", 8)],
             ctype=JSON_CT),
        case("check membership 204", "GET", f"{ORG}/members/mona_acme", 204, "", ctype=None),
        case("team membership", "PUT", f"{T}/core/memberships/mona_acme", 200,
             {"url": f"{HOST}/organizations/5/team/9/memberships/mona_acme", "role": "member", "state": "active"},
             ctype=JSON_CT),
        case("external groups", "GET", f"{ORG}/external-groups", 200,
             {"groups": [{"group_id": 3, "group_name": "Eng", "updated_at": "2025-01-02T03:04:05.000Z"}]},
             ctype=JSON_CT),
        case("404 REST body", "GET", f"{T}/nope", 404, rest_error(404), ctype=JSON_CT),
        case("404 where none is declared", "GET", f"{ORG}/external-groups", 404, rest_error(404), defects=("UR404",),
             ctype=JSON_CT),
        case("422 Validation Failed", "POST", T, 422, validation, ctype=JSON_CT),
        case("422 where none is declared", "GET", f"{T}?per_page=x", 422, validation, defects=("UR422",),
             ctype=JSON_CT),
        case("403 declared without content", "PUT", f"{T}/core/memberships/mona_acme", 403, rest_error(403, "x"),
             defects=("R14",), ctype=JSON_CT),
        case("401 on a REST route", "GET", T, 401, rest_error(401, "Bad credentials"), defects=("UR401",),
             ctype=JSON_CT),
        case("audit log is outside this extract", "GET", "/enterprises/acme/audit-log", 200, [], ctype=JSON_CT),
        case("enterprise SCIM is the other description's", "GET", "/scim/v2/enterprises/acme/Users", 200, {},
             ctype=JSON_CT),
        # --- must fail ---
        case("team without type", "GET", T, 200, [rest_team(type=_DROP)], ok=False,
             failure="'type' is a required property"),
        case("team without parent", "GET", T, 200, [rest_team(parent=_DROP)], ok=False,
             failure="'parent' is a required property"),
        case("group_id as a string (O1 covers only GitHub's example)", "GET", f"{ORG}/external-groups", 200,
             {"groups": [{"group_id": "3", "group_name": "Eng", "updated_at": "x"}]}, ok=False, ctype=JSON_CT,
             failure="'3' is not of type 'integer'"),
        case("user without login", "GET", f"{ORG}/members", 200, [{k: v for k, v in rest_user().items()
                                                                  if k != "login"}], ok=False, ctype=JSON_CT,
             failure="'login' is a required property"),
        case("422 without code", "POST", T, 422, dict(rest_error(422, "Validation Failed"), errors=[{"field": "x"}]),
             ok=False, ctype=JSON_CT, failure="'code' is a required property"),
        case("418 on a REST route", "GET", T, 418, rest_error(418), ok=False, ctype=JSON_CT,
             failure="undeclared status"),
    ]


def self_test(conf: Conformance, verbose: bool) -> int:
    print(f"Schema: {conf.doc['info']['x-extract-source']['repo']} "
          f"{conf.doc['info']['x-extract-source']['path']} @ "
          f"{conf.doc['info']['x-extract-source']['commit'][:12]} (v{conf.doc['info']['version']})")
    problems = 0
    outcomes = []
    cases = github_example_cases(conf) + (rest_cases() if conf.kind == "rest" else emuscim_cases())
    if len(cases) < 40:
        print(f"SELF-TEST BROKEN: only {len(cases)} cases")
        return 1
    # Converter checks that no sample can show on its own.
    checks = [
        (convert_schema({"type": "string", "nullable": True}, {}) == {"type": ["string", "null"]},
         "nullable string becomes [string, null]"),
        (convert_schema({"type": "string", "nullable": False}, {}) == {"type": "string"},
         "nullable false is dropped"),
        (convert_schema({"properties": {"$ref": {"type": "string"}}}, {})
         == {"properties": {"$ref": {"type": "string"}}}, "a property named $ref is not a reference"),
    ]
    for bad in ({"nullable": True}, {"type": "string", "readOnly": True},
                {"$ref": "#/components/schemas/missing"}):
        try:
            convert_schema(bad, {})
            checks.append((False, f"converter rejects {bad!r}"))
        except SchemaError:
            checks.append((True, f"converter rejects {bad!r}"))
    for passed, what in checks:
        if not passed:
            problems += 1
        if verbose or not passed:
            print(f"{'ok  ' if passed else 'FAIL'} converter: {what}")
    for c in cases:
        out = conf.check_record(c.record)
        outcomes.append(out)
        applied = frozenset(out.applied)
        why = []
        if c.ok and out.failures:
            why.append("expected to pass; failed: " + " | ".join(out.failures))
        if not c.ok and not out.failures:
            why.append("expected a failure; passed")
        if not c.ok and out.failures and not any(c.failure in f for f in out.failures):
            why.append(f"expected a failure containing {c.failure!r}; got: " + " | ".join(out.failures))
        if c.ok and applied != c.defects:
            why.append(f"expected tolerances {sorted(c.defects)}, applied {sorted(applied)}")
        if why:
            problems += 1
            print(f"FAIL {c.name}: {'; '.join(why)}")
        elif verbose:
            note = f" [tolerated: {', '.join(sorted(applied))}]" if applied else ""
            print(f"ok   {c.name}{note}" + (f" -> fails as expected: {out.failures[0]}" if not c.ok else ""))
    n_ok = sum(1 for c in cases if c.ok)
    print(f"Self-test: {len(cases)} samples ({n_ok} must pass, {len(cases) - n_ok} must fail), "
          f"{len(checks)} converter checks, {problems} problem(s)")
    if verbose:
        summarize([o for c, o in zip(cases, outcomes) if c.ok])
    return 1 if problems else 0


# ---------------------------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", nargs="?", type=Path, help="directory of recorded replies")
    parser.add_argument("--schema", type=Path, action="append",
                        help=f"OpenAPI file, repeatable (default: {DEFAULT_SCHEMA.name} and {ORGS_TEAMS_SCHEMA.name})")
    parser.add_argument("--self-test", action="store_true", help="validate the built-in samples")
    parser.add_argument("--list-defects", action="store_true", help="print the tolerance list")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.list_defects:
        list_defects()
        return 0
    if args.self_test == (args.records is not None):
        parser.error("give either RECORDS_DIR or --self-test")
    confs = []
    for schema in args.schema or [DEFAULT_SCHEMA, ORGS_TEAMS_SCHEMA]:
        try:
            confs.append(Conformance(schema))
        except (OSError, ValueError, KeyError, SchemaError, jsonschema.SchemaError) as exc:
            print(f"validate.py: cannot load {schema}: {exc}", file=sys.stderr)
            return 2
    if args.self_test:
        return max(self_test(conf, args.verbose) for conf in confs)
    return run_records(confs, args.records)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
