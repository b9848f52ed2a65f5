#pragma once
// User PATCH (RFC 7644 §3.5.2) in every dialect IdPs send to GitHub (github-emu-scim.md §10,
// idp-clients.md §1.4, §1.5, §2.2), in two steps, as for groups (group_patch.hpp):
//   plan_user_patch   classifies every operation and checks every value without the stored user
//                     (on the I/O thread);
//   apply_user_patch  runs the plan against the stored document (inside the write job).
// Pure. Thread-safe: plans are values; nothing is shared.
//
// Supported: paths with case-insensitive names, sub-attributes (name.givenName), value filters
// (emails[type eq "work"].value, roles[primary eq "True"].value) that create the element when
// nothing matches on add/replace, path-less add/replace with plain, dotted and URN-qualified keys
// (':' or '.' before the attribute), id/meta keys ignored; roles given as JSON strings; remove of
// userName/externalId/active -> mutability(); other removes, "" and null clear the attribute.
// Unsupported attributes are accepted and ignored.

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/filter.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/resource.hpp"
#include "emuscim/scim/tolerations.hpp"
#include "emuscim/scim/user.hpp"

namespace emuscim::scim {

// One change to one stored attribute, with its value already checked and in canonical form.
struct user_patch_step {
  enum class action {
    // userName, externalId, displayName: `value` is the new string; active: a bool.
    // name: `value` is an object of canonical parts, each a string or null (null removes the part),
    //       merged into name (RFC 7644 §3.5.2.1/§3.5.2.3: parts not given are kept).
    // emails, roles: `value` is the new list of complete items.
    assign,
    // displayName, name, emails, roles: the attribute goes.
    clear,
    // emails, roles (add): each complete item of `value` updates the item with the same `value`
    // (case-insensitive; for emails else the one of the same `type`), or is appended.
    merge_items,
    // emails, roles (remove with a value): items matching one of `value`'s partial items on
    // `value` (else on `type`) go.
    remove_items,
    // emails, roles: elements matching `value_filter` (every element when it is null) are merged
    // with the partial item `value`; when none match, one is built from the filter's `eq` terms.
    patch_elements,
    // emails, roles: elements matching `value_filter` (every element when it is null) lose `sub`,
    // or go when `sub` is empty or "value" (an item cannot live without its value).
    remove_elements,
  };

  std::size_t operation = 0;  // index in Operations, for error details
  user_attr attr = user_attr::display_name;
  action act = action::assign;
  nlohmann::json value;       // see action
  filter value_filter;        // patch_elements, remove_elements; null when the path had no [...]
  std::string sub;            // remove_elements: canonical sub-attribute, or empty
};

// The steps, in request order. Operations that change nothing GitHub keeps (unsupported or
// extension attributes, id, meta, an add of nothing) leave no step.
struct user_patch_plan {
  std::vector<user_patch_step> steps;
  tolerations tolerated;  // capitalised ops, string booleans, ignored attributes (for the request log)
};

// Errors: invalid_path() (malformed or unusable paths), invalid_value() (wrong types, bad items,
// a path-less value that is not an object), mutability() (clearing userName, externalId, active),
// no_target() (remove without a path); details start with "Operations[i]: ".
result<user_patch_plan> plan_user_patch(const std::vector<patch_operation>& ops);

// Runs the plan on a canonical user document and returns the new canonical document (validated
// with canonical_user(..., patched)). All or nothing: on error the input is untouched (it is taken
// by value). Errors that need the document: no_target() for a value filter that matches nothing
// and cannot describe a new element; invalid_value() for a remove item without value or type, and
// from the final validation (e.g. two emails of one type, strict mode without externalId).
result<nlohmann::json> apply_user_patch(nlohmann::json doc, const user_patch_plan& plan,
                                        validation_mode mode = validation_mode::lenient);

// plan_user_patch and apply_user_patch in one call.
result<nlohmann::json> apply_user_patch(nlohmann::json doc, const std::vector<patch_operation>& ops,
                                        validation_mode mode = validation_mode::lenient);

}  // namespace emuscim::scim
