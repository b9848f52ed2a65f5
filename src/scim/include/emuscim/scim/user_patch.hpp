#pragma once
// User PATCH (RFC 7644 §3.5.2) in every dialect IdPs send to GitHub (github-emu-scim.md §10,
// idp-clients.md §1.4, §1.5, §2.2). Pure.

#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/resource.hpp"

namespace emuscim::scim {

// Applies PATCH operations, in order, to a canonical user document and returns the new
// canonical document (validated with canonical_user(..., patched)). All or nothing:
// on error the input is untouched (it is taken by value).
// Supports: paths with case-insensitive names, sub-attributes (name.givenName), value
// filters (emails[type eq "work"].value, roles[primary eq "True"].value) that create the
// element when nothing matches on add/replace, pathless add/replace with plain, dotted
// and URN-qualified keys (':' or '.' before the attribute), id/meta keys ignored;
// roles given as JSON strings; remove of userName/externalId/active -> mutability(); other removes,
// "" and null clear the attribute. Unsupported attributes are accepted and ignored.
result<nlohmann::json> apply_user_patch(nlohmann::json doc, const std::vector<patch_operation>& ops,
                                        validation_mode mode = validation_mode::lenient);

}  // namespace emuscim::scim
