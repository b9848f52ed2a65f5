#pragma once
// The Group attributes GitHub EMU keeps (github-emu-scim.md §8) and their value checks. Defined in
// group.cpp; used by group_patch.cpp too. Private to the scim module. Pure.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"

namespace emuscim::scim::group_detail {

enum class group_attr { display_name, external_id, members, schemas, read_only, unsupported };

// Case-insensitive (RFC 7643 §2.1); id and meta are read_only.
group_attr lookup_group_attr(std::string_view name);

// A members value: an array, or (leniently) a single member, each {"value": id, "display"?,
// "displayName"?, "$ref"?: null} or a bare id string. Ids are de-duplicated in order of first
// appearance; null items are skipped. An item without a non-empty string id -> invalid_value().
result<std::vector<std::string>> member_ids(const nlohmann::json& value);

// displayName: a non-empty string, else invalid_value().
result<std::string> display_name_value(const nlohmann::json& v);

}  // namespace emuscim::scim::group_detail
