#pragma once
// The User attributes GitHub EMU stores, by canonical name (github-emu-scim.md §7). Defined in
// user.cpp; used by user_patch.cpp too. Private to the scim module. Pure.

#include <optional>
#include <string_view>

#include "emuscim/scim/user.hpp"

namespace emuscim::scim::user_detail {

struct user_attr_info {
  user_attr kind = user_attr::unsupported;
  std::string_view name;  // canonical spelling; the input spelling for unsupported attributes
};

// Case-insensitive (RFC 7643 §2.1). URN-qualified names are not resolved here.
user_attr_info lookup_user_attr(std::string_view name);
std::string_view attr_name(user_attr a);

// formatted, familyName, givenName, middleName, honorificPrefix, honorificSuffix (RFC 7643 §4.1.1).
std::optional<std::string_view> canonical_name_sub(std::string_view name);

}  // namespace emuscim::scim::user_detail
