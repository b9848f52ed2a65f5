#pragma once
// GitHub EMU roles (shared spec github-emu-scim.md §11). Pure.

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"

namespace emuscim::emu {

// Ordered by privilege: a larger value wins when a user has several roles.
enum class role { guest_collaborator = 0, user = 1, billing_manager = 2, enterprise_owner = 3 };

// Matches case-insensitively against the names (user, guest_collaborator, enterprise_owner,
// billing_manager), the Entra app-role GUIDs, and the legacy forms (User, Restricted User,
// restricted_user, Enterprise Owner, Billing Manager). nullopt when unknown.
std::optional<role> parse_role(std::string_view value);

// GitHub's role name: "user", "guest_collaborator", "billing_manager", "enterprise_owner".
std::string_view role_name(role r);

// Validates a canonical "roles" array (items {value, ...}); the most privileged wins.
// Empty array or absent -> nullopt (Unaffiliated). Unknown value ->
// invalid_value("Unknown role value '<v>'").
scim::result<std::optional<role>> effective_role(const nlohmann::json& roles);

}  // namespace emuscim::emu
