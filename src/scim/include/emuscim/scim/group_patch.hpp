#pragma once
// Group PATCH (RFC 7644 §3.5.2) in every dialect IdPs send to GitHub (github-emu-scim.md §10
// rule 5, idp-clients.md §4), in two steps, as for users (user_patch.hpp):
//   plan_group_patch   classifies every operation and checks every value without the stored
//                      group (on the I/O thread);
//   apply_group_patch  runs the document part of the plan (displayName, externalId) against the
//                      stored document; the member steps are the store's, each O(k log n), so a
//                      group's members are never loaded to be patched.
// Pure. Thread-safe: plans are values; nothing is shared.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/resource.hpp"

namespace emuscim::scim {

// A change to the member list, with the SCIM user ids it names.
struct member_step {
  enum class kind { add, remove, clear, replace };
  kind op = kind::add;
  std::vector<std::string> ids;  // empty for clear
};

struct group_patch_plan {
  std::optional<std::string> display_name;                 // set when an op sets displayName
  std::optional<std::optional<std::string>> external_id;   // set to a value, or to nullopt (cleared)
  std::vector<member_step> members;                        // in request order
  tolerations tolerated;  // capitalised ops, ignored attributes (for the request log)
};

// Forms (github-emu-scim.md §10 rule 5, idp-clients.md §4):
//   add members + value array (objects, "$ref": null, bare strings); duplicates are no-ops
//   remove + path "members" + value array -> remove only those
//   remove + path members[value eq "id"] -> remove that one (also `or` of several eq)
//   remove + path "members", no value -> clear
//   replace + path "members" + array -> replace
//   add/replace displayName / externalId with a path, or path-less object
//     ({"id": ..., "displayName": ...} from Okta: id and meta ignored; a path-less "members" key too;
//     a path-less key names an attribute exactly: dotted or filtered keys name nothing a group keeps)
//   remove displayName -> mutability(); remove externalId -> clears it (strict mode: mutability())
// Op names case-insensitive. Unknown attributes are ignored. Details start with "Operations[i]: ".
result<group_patch_plan> plan_group_patch(const std::vector<patch_operation>& ops, validation_mode mode);

// The canonical group document with the plan's displayName and externalId applied.
nlohmann::json apply_group_patch(nlohmann::json doc, const group_patch_plan& plan);

}  // namespace emuscim::scim
