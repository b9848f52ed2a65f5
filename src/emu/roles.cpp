#include "emuscim/emu/roles.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "emuscim/base/text.hpp"

namespace emuscim::emu {

namespace {

struct role_alias {
  std::string_view text;  // lower-case; compared case-insensitively
  role value;
};

// github-emu-scim.md §11: names, Entra app-role GUIDs, then the older GHES enum. "Guest Collaborator"
// is not in that enum, but it is the role's display name in the §11 table and the legacy forms
// accept the display names of the other three roles, so it is accepted too.
constexpr std::array<role_alias, 15> kAliases{{
    {"user", role::user},
    {"guest_collaborator", role::guest_collaborator},
    {"enterprise_owner", role::enterprise_owner},
    {"billing_manager", role::billing_manager},
    {"27d9891d-2c17-4f45-a262-781a0e55c80a", role::user},
    {"1ebc4a02-e56c-43a6-92a5-02ee09b90824", role::guest_collaborator},
    {"981df190-8801-4618-a08a-d91f6206c954", role::enterprise_owner},
    {"ba4987ab-a1c3-412a-b58c-360fc407cb10", role::enterprise_owner},
    {"0e338b8c-cc7f-498a-928d-ea3470d7e7e3", role::billing_manager},
    {"e6be2762-e4ad-4108-b72d-1bbe884a0f91", role::billing_manager},
    {"restricted user", role::guest_collaborator},
    {"restricted_user", role::guest_collaborator},
    {"enterprise owner", role::enterprise_owner},
    {"billing manager", role::billing_manager},
    {"guest collaborator", role::guest_collaborator},
}};

}  // namespace

std::optional<role> parse_role(std::string_view value) {
  const std::string_view v = base::trim(value);
  for (const auto& alias : kAliases) {
    if (base::iequals(v, alias.text)) return alias.value;
  }
  return std::nullopt;
}

std::string_view role_name(role r) {
  switch (r) {
    case role::guest_collaborator:
      return "guest_collaborator";
    case role::user:
      return "user";
    case role::billing_manager:
      return "billing_manager";
    case role::enterprise_owner:
      return "enterprise_owner";
  }
  return {};  // only for values outside the enumerators
}

scim::result<std::optional<role>> effective_role(const nlohmann::json& roles) {
  if (roles.is_null()) return std::optional<role>{};
  if (!roles.is_array()) {
    return scim::fail(scim::invalid_value("roles must be an array of objects with a string 'value'"));
  }
  std::optional<role> best;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    const nlohmann::json& item = roles[i];
    // find() yields end() for non-objects too.
    const auto value = item.find("value");
    if (value == item.end() || !value->is_string()) {
      return scim::fail(
          scim::invalid_value("roles[" + std::to_string(i) + "] must be an object with a string 'value'"));
    }
    const auto& text = value->get_ref<const std::string&>();
    const std::optional<role> r = parse_role(text);
    if (!r) return scim::fail(scim::invalid_value("Unknown role value '" + text + "'"));
    if (!best || std::to_underlying(*r) > std::to_underlying(*best)) best = r;
  }
  return best;
}

}  // namespace emuscim::emu
