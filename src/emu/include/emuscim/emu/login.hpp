#pragma once
// GitHub EMU login rules (shared spec github-emu-scim.md §12, §13). Pure.

#include <cstddef>
#include <string>
#include <string_view>

#include "emuscim/scim/error.hpp"

namespace emuscim::emu {

struct login_rules {
  std::size_t max_length = 39;  // including "_SHORTCODE"; 30 in GHE.com mode
};

// userName -> login, github-emu-scim.md §12 "emuscim algorithm":
//   1. with "#EXT#": text before "#EXT#", cut at its last '_';
//      else with '\': text after the last '\'; else with '@': text before the last '@'.
//   2. every char outside [A-Za-z0-9] -> '-', case kept.
//   3. empty, leading/trailing '-', or "--" -> invalid_value (detail names the userName
//      and the normalized form, e.g. "userName '!The.Octocat' normalizes to '-The-Octocat',
//      which starts with '-'").
//   4. append "_" + short_code; longer than max_length -> invalid_value naming both lengths.
scim::result<std::string> derive_login(std::string_view user_name, std::string_view short_code,
                                       const login_rules& rules = {});

// Login of a suspended user: hex(sha256(original_login))[0:16] + "_" + short_code.
std::string suspended_login(std::string_view original_login, std::string_view short_code);

// Email of a suspended user (non-Entra enterprises): hex(sha256(email))[0:16] + "@obfuscated.invalid".
std::string obfuscated_email(std::string_view email);

// 3–8 ASCII alphanumerics.
bool valid_short_code(std::string_view code);

}  // namespace emuscim::emu
