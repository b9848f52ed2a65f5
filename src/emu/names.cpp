#include "emuscim/emu/names.hpp"

#include <algorithm>

namespace emuscim::emu {

namespace {
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
}  // namespace

bool valid_enterprise_slug(std::string_view slug) {
  return !slug.empty() && slug.size() <= 64 &&
         std::ranges::all_of(slug, [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-'; });
}

bool valid_org_login(std::string_view login) {
  if (login.empty() || login.size() > 39 || login.front() == '-' || login.back() == '-') return false;
  if (login.find("--") != std::string_view::npos) return false;
  return std::ranges::all_of(login, [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; });
}

}  // namespace emuscim::emu
