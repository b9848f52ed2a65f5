#pragma once
// The SCIM User resource as GitHub EMU holds it. Pure.
//
// Canonical user document: a JSON object with only these keys, each present only when set
// (no nulls are ever stored):
//   "userName"    string (required)
//   "externalId"  string
//   "active"      bool   (always present in canonical documents)
//   "displayName" string
//   "name"        object with string members among formatted, familyName, givenName,
//                 middleName, honorificPrefix, honorificSuffix
//   "emails"      array of {"value": string, "type"?: string, "primary"?: bool, "display"?: string}
//   "roles"       array of {"value": string, "type"?: string, "primary"?: bool, "display"?: string}
//                 (Entra's JSON-string items are unwrapped; `displayName` becomes `display`)
// Every other attribute (password, groups, locale, addresses, phoneNumbers, manager,
// enterprise-extension fields, unknown URNs, id, meta, schemas) is accepted and dropped.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/patch.hpp"

namespace emuscim::scim {

inline constexpr std::string_view user_schema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view group_schema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view enterprise_user_schema =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr std::string_view list_response_schema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
inline constexpr std::string_view patch_op_schema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
inline constexpr std::string_view error_schema = "urn:ietf:params:scim:api:messages:2.0:Error";

enum class validation_mode { lenient, strict };

// What the document is for; decides which attributes are required.
//   create:  lenient needs userName + externalId; strict needs GitHub's published list
//            (schemas, externalId, userName, active, displayName, emails with value/type/primary).
//   replace: lenient needs userName (the caller keeps a missing externalId); strict as create.
//   patched: the result of a PATCH; needs userName (and externalId if strict).
enum class user_use { create, replace, patched };

// Input keys match case-insensitively (RFC 7643 §2.1); output keys are canonical.
// `active` accepts true/false and the strings "true"/"false" in any case; a missing
// `active` becomes true. Wrong types -> invalid_value() naming the attribute;
// a missing required attribute -> invalid_value("Missing required attribute 'userName'").
result<nlohmann::json> canonical_user(const nlohmann::json& body, validation_mode mode, user_use use);

// Applies PATCH operations, in order, to a canonical user document and returns the new
// canonical document (validated with canonical_user(..., patched)). All or nothing:
// on error the input is untouched (it is taken by value).
// Supports: paths with case-insensitive names, sub-attributes (name.givenName), value
// filters (emails[type eq "work"].value, roles[primary eq "True"].value) that create the
// element when nothing matches on add/replace, pathless add/replace with plain, dotted
// and URN-qualified keys (':' or '.' before the attribute), id/meta keys ignored;
// roles given as JSON strings; remove of userName/active -> mutability(); other removes,
// "" and null clear the attribute. Unsupported attributes are accepted and ignored.
result<nlohmann::json> apply_user_patch(nlohmann::json doc, const std::vector<patch_operation>& ops,
                                        validation_mode mode = validation_mode::lenient);

struct resource_meta {
  std::string id;
  std::string created;        // RFC 3339 UTC, e.g. 2012-03-27T19:59:26.000Z
  std::string last_modified;
  std::string location;       // absolute URL
};

// GitHub's user response: schemas, id, externalId (omitted when unset), userName,
// displayName (when set), name (when set), active, emails ([] when none), roles (when set),
// meta {resourceType "User", created, lastModified, location}.
nlohmann::json render_user(const nlohmann::json& doc, const resource_meta& meta);

// {"schemas":[ListResponse], "totalResults", "Resources", "startIndex", "itemsPerPage"}
nlohmann::json render_list(std::size_t total_results, std::size_t start_index, nlohmann::json resources);

}  // namespace emuscim::scim
