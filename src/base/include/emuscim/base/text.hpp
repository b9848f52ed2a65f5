#pragma once
// ASCII text helpers shared by every module (the one copy of each). Pure and allocation-free
// except where a std::string is returned. SCIM attribute names, URNs, HTTP header names, scope
// names and filter keywords are ASCII and compared case-insensitively (RFC 7643 §2.1,
// RFC 9110 §5.1); nothing here is locale-dependent.

#include <initializer_list>
#include <string>
#include <string_view>

namespace emuscim::base {

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// ASCII case-insensitive equality.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// A copy with A-Z mapped to a-z.
std::string to_lower(std::string_view s);

// Without leading and trailing blanks (space, tab, CR, LF).
constexpr std::string_view trim(std::string_view s) noexcept {
  constexpr std::string_view blanks = " \t\r\n";
  const auto first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

// The pieces joined, in one allocation. Use it instead of "literal" + std::string(...): GCC 12
// at -O3 (the Release and TSan builds) warns falsely on that form (-Warray-bounds, -Wrestrict).
std::string cat(std::initializer_list<std::string_view> pieces);

}  // namespace emuscim::base
