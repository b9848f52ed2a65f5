#pragma once
// The SCIM Group resource as GitHub EMU holds it. Pure.
//
// Canonical group document: {"displayName": string, "externalId"?: string}.
// Members are kept apart (they live in their own table and can number 100,000).
// PATCH is in group_patch.hpp.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/resource.hpp"

namespace emuscim::scim {

struct group_input {
  nlohmann::json doc;                 // canonical group document
  std::vector<std::string> members;   // SCIM user ids, de-duplicated, in order of first appearance
};

// create/replace bodies. lenient: needs displayName; strict: schemas, externalId, displayName.
// Members: array of {value, display?, displayName?, $ref?(null ok)} or bare id strings;
// an item without a string `value` -> invalid_value().
result<group_input> canonical_group(const nlohmann::json& body, validation_mode mode);

struct member_view {
  std::string value;                       // user id
  std::string ref;                         // user's meta.location
  std::optional<std::string> display;      // user's displayName
};

// GitHub's group response, in the member order of its example (openapi `scim-enterprise-group`):
// schemas, id, externalId (null when unset), displayName, members (array of {value, $ref,
// display?}; omitted when `members` is nullptr, which is how excludedAttributes=members is
// honoured), meta {resourceType "Group", created, lastModified, location}.
nlohmann::ordered_json render_group(const nlohmann::json& doc, const resource_meta& meta,
                                    const std::vector<member_view>* members);

}  // namespace emuscim::scim
