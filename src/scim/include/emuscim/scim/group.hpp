#pragma once
// The SCIM Group resource as GitHub EMU holds it, and the group PATCH planner. Pure.
//
// Canonical group document: {"displayName": string, "externalId"?: string}.
// Members are kept apart (they live in their own table and can number 100,000).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/user.hpp"

namespace emuscim::scim {

struct group_input {
  nlohmann::json doc;                 // canonical group document
  std::vector<std::string> members;   // SCIM user ids, de-duplicated, in order of first appearance
};

// create/replace bodies. lenient: needs displayName; strict: schemas, externalId, displayName.
// Members: array of {value, display?, displayName?, $ref?(null ok)} or bare id strings;
// an item without a string `value` -> invalid_value().
result<group_input> canonical_group(const nlohmann::json& body, validation_mode mode);

// A PATCH compiled into steps the store can run in O(k log n) each.
struct member_step {
  enum class kind { add, remove, clear, replace };
  kind op = kind::add;
  std::vector<std::string> ids;  // empty for clear
};
struct group_patch_plan {
  std::optional<std::string> display_name;                 // set when a op sets displayName
  std::optional<std::optional<std::string>> external_id;   // set to a value, or to nullopt (cleared)
  std::vector<member_step> members;                        // in request order
};
// Forms (github-emu-scim.md §10 rule 5, idp-clients.md §4):
//   add members + value array (objects, "$ref": null, bare strings); duplicates are no-ops
//   remove + path "members" + value array -> remove only those
//   remove + path members[value eq "id"] -> remove that one (also `or` of several eq)
//   remove + path "members", no value -> clear
//   replace + path "members" + array -> replace
//   add/replace displayName / externalId with a path, or pathless object
//     ({"id": ..., "displayName": ...} from Okta: id and meta ignored; a pathless "members" key too)
//   remove displayName -> mutability(); remove externalId -> clears it
// Op names case-insensitive. Unknown attributes are ignored.
result<group_patch_plan> plan_group_patch(const std::vector<patch_operation>& ops, validation_mode mode);

struct member_view {
  std::string value;                       // user id
  std::string ref;                         // user's meta.location
  std::optional<std::string> display;      // user's displayName
};

// GitHub's group response: schemas, id, externalId (null when unset), displayName,
// members (array of {value, $ref, display?}; omitted when `members` is nullptr, which is how
// excludedAttributes=members is honoured), meta {resourceType "Group", created, lastModified, location}.
nlohmann::json render_group(const nlohmann::json& doc, const resource_meta& meta,
                            const std::vector<member_view>* members);

}  // namespace emuscim::scim
