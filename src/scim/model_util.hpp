#pragma once
// Helpers shared by the scim module's resources, filters and PATCH. Private to the scim module. Pure.
// ASCII text helpers (iequals, istarts_with, to_lower, trim) are emuscim/base/text.hpp's.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/patch.hpp"

namespace emuscim::scim::model_detail {

// 'text', for error details.
std::string in_quotes(std::string_view text);

// The member of `object` whose key equals `key` case-insensitively (RFC 7643 §2.1), or nullptr
// (also when `object` is not an object). An exact match wins over other spellings.
const nlohmann::json* find_ci(const nlohmann::json& object, std::string_view key);

// `schemas` (a resource's or a PATCH body's, possibly absent) holds `urn`, compared
// case-insensitively; a single string is accepted as a one-item list.
bool schemas_contain(const nlohmann::json* schemas, std::string_view urn);

// JSON true/false, or the strings "true"/"false" in any case (idp-clients.md Q2). nullopt otherwise.
std::optional<bool> to_bool(const nlohmann::json& v);

// True for JSON null and "" : both mean "no value" in PATCH and in resource bodies (RFC 7643 §2.5
// treats null as unassigned; Entra's onboarding tests clear attributes with empty strings).
bool is_blank(const nlohmann::json& v);

// How a key or path starts with respect to a resource's core schema URN.
//   none:  no "urn:" prefix (a plain attribute path, returned as is);
//   core:  `core_urn` followed by ':' or '.' and the attribute path (rest), or the bare URN (rest empty);
//   other: any other URN (the enterprise extension, Microsoft URNs, typos such as "...:2.0User").
struct schema_split {
  enum class kind { none, core, other } what = kind::none;
  std::string_view rest;
};
schema_split split_schema(std::string_view key, std::string_view core_urn);

// patch_operation::path is absent, or blank, for a pathless operation.
bool has_path(const patch_operation& op);

// Sub-attributes of emails[] and roles[] items (RFC 7643 §2.4 / §4.1.2), in canonical spelling.
// Roles also accept Entra's `displayName`, which becomes `display`. nullopt for anything else.
std::optional<std::string_view> canonical_multi_sub(std::string_view name, bool roles);

// A partial emails/roles item: keys mapped to canonical sub-attributes, unknown keys, nulls and
// "" dropped, `primary` coerced to bool, string sub-attributes type-checked. For roles an item may be
// a string: one that starts with '{' is Entra's stringified JSON ({"id","value","displayName"}) and
// is parsed; any other string is the role value. An object whose `value` is such a JSON string is
// unwrapped the same way (idp-clients.md §1.5). `where` names the item in error details.
result<nlohmann::json> partial_multi_item(const nlohmann::json& item, bool roles, const std::string& where);

// A complete item: partial_multi_item plus a non-empty string `value`. Emails may also be given as
// a bare address string.
result<nlohmann::json> multi_item(const nlohmann::json& item, bool roles, const std::string& where);

}  // namespace emuscim::scim::model_detail
