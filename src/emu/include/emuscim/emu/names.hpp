#pragma once
// Naming rules for tenants: enterprise slugs and organization logins. Pure. The one copy of each
// rule: the admin service, the command line and the config file all call these.
// (The enterprise short code rule is emu::valid_short_code in login.hpp.)

#include <string_view>

namespace emuscim::emu {

// An enterprise slug as emuscim accepts it: 1-64 characters from a-z, 0-9 and '-'.
bool valid_enterprise_slug(std::string_view slug);
inline constexpr std::string_view enterprise_slug_rule = "1 to 64 characters from a-z, 0-9 and '-'";
inline constexpr std::string_view short_code_rule = "3 to 8 letters or digits";

// A GitHub organization login: 1-39 ASCII letters, digits and single hyphens, neither first nor last.
bool valid_org_login(std::string_view login);
inline constexpr std::string_view org_login_rule =
    "1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen";

}  // namespace emuscim::emu
