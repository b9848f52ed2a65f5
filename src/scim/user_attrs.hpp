#pragma once
// The User attributes GitHub EMU stores, by canonical name (github-emu-scim.md §7). Private to
// the scim module. Pure.

#include <cstddef>
#include <optional>
#include <string_view>

namespace emuscim::scim::user_detail {

enum class user_attr {
  user_name,
  external_id,
  active,
  display_name,
  name,
  emails,
  roles,
  schemas,      // read-only here: checked by strict validation, never stored
  read_only,    // id, meta: ignored on input (github-emu-scim.md §7, §10 rule 3)
  unsupported,  // everything else: accepted and ignored (§10 rule 7)
};
inline constexpr std::size_t user_attr_count = 7;  // the stored ones, which come first

struct user_attr_info {
  user_attr kind = user_attr::unsupported;
  std::string_view name;  // canonical spelling; the input spelling for unsupported attributes
};

// Case-insensitive (RFC 7643 §2.1). URN-qualified names are not resolved here.
user_attr_info lookup_user_attr(std::string_view name);
std::string_view attr_name(user_attr a);
inline bool is_stored(user_attr a) { return static_cast<std::size_t>(a) < user_attr_count; }

// formatted, familyName, givenName, middleName, honorificPrefix, honorificSuffix (RFC 7643 §4.1.1).
std::optional<std::string_view> canonical_name_sub(std::string_view name);

}  // namespace emuscim::scim::user_detail
