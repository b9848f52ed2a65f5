#include "emuscim/emu/login.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace emuscim::emu {

namespace {

constexpr std::string_view kEntraGuestMarker = "#EXT#";
constexpr std::string_view kObfuscatedDomain = "@obfuscated.invalid";
constexpr std::size_t kHashPrefixLength = 16;
constexpr std::size_t kMinShortCode = 3;
constexpr std::size_t kMaxShortCode = 8;

bool is_ascii_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// emu may not depend on auth (STYLE.md arrows), so the digest is local.
std::string sha256_hex_prefix(std::string_view data, std::size_t hex_chars) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &md_len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 digest failed");
  }
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string hex;
  hex.reserve(static_cast<std::size_t>(md_len) * 2);
  for (unsigned int i = 0; i < md_len; ++i) {
    hex.push_back(digits[md[i] >> 4]);
    hex.push_back(digits[md[i] & 0x0f]);
  }
  hex.resize(std::min(hex_chars, hex.size()));
  return hex;
}

// §12 step 2. Only the first "#EXT#" counts, and the marker is matched case-sensitively: Entra
// always writes it upper-case, and anything else is treated as ordinary text.
std::string_view login_source(std::string_view user_name) {
  if (const auto ext = user_name.find(kEntraGuestMarker); ext != std::string_view::npos) {
    std::string_view guest = user_name.substr(0, ext);
    // Guest UPNs turn the home address's '@' into '_'; without one the whole prefix is the name.
    if (const auto at = guest.rfind('_'); at != std::string_view::npos) guest = guest.substr(0, at);
    return guest;
  }
  if (const auto slash = user_name.rfind('\\'); slash != std::string_view::npos) {
    return user_name.substr(slash + 1);
  }
  if (const auto at = user_name.rfind('@'); at != std::string_view::npos) {
    return user_name.substr(0, at);
  }
  return user_name;
}

// Number of continuation bytes a UTF-8 lead byte announces; 0 for anything that is not a lead.
std::size_t utf8_continuations(unsigned char lead) {
  if ((lead & 0xE0) == 0xC0) return 1;
  if ((lead & 0xF0) == 0xE0) return 2;
  if ((lead & 0xF8) == 0xF0) return 3;
  return 0;
}

// §12 step 3. A person sees "é" as one character, so each UTF-8 code point (not each byte)
// becomes a single '-'. Bytes that do not form valid UTF-8 are mapped one '-' each, so the
// function is total.
std::string map_non_alnum(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(is_ascii_alnum(c) ? static_cast<char>(c) : '-');
      ++i;
      continue;
    }
    out.push_back('-');
    const std::size_t want = utf8_continuations(c);
    std::size_t j = i + 1;
    while (j < s.size() && j - i <= want && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
    // A truncated sequence consumes only the bytes that were there.
    i = j;
  }
  return out;
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  out.append(s);
  out.push_back('\'');
  return out;
}

}  // namespace

scim::result<std::string> derive_login(std::string_view user_name, std::string_view short_code,
                                       const login_rules& rules) {
  // A bad short code is a configuration fault, not the client's; without this guard every
  // login would silently come out as "name_".
  if (!valid_short_code(short_code)) {
    return scim::fail(scim::internal("The enterprise short code " + quoted(short_code) +
                                     " is not 3-8 ASCII letters or digits"));
  }

  const std::string normalized = map_non_alnum(login_source(user_name));
  const auto reject = [&](std::string_view why) {
    return scim::fail(scim::invalid_value("userName " + quoted(user_name) + " normalizes to " + std::string(why)));
  };
  if (normalized.empty()) return reject("an empty login");
  if (normalized.front() == '-') return reject(quoted(normalized) + ", which starts with '-'");
  if (normalized.back() == '-') return reject(quoted(normalized) + ", which ends with '-'");
  if (normalized.find("--") != std::string::npos) return reject(quoted(normalized) + ", which contains '--'");

  std::string login = normalized;
  login.push_back('_');
  login.append(short_code);
  // Everything in login is ASCII by now, so bytes are characters.
  if (login.size() > rules.max_length) {
    return scim::fail(scim::invalid_value("userName " + quoted(user_name) + " gives the login " + quoted(login) +
                                          " of " + std::to_string(login.size()) +
                                          " characters, more than the maximum of " +
                                          std::to_string(rules.max_length)));
  }
  return login;
}

std::string suspended_login(std::string_view original_login, std::string_view short_code) {
  std::string login = sha256_hex_prefix(original_login, kHashPrefixLength);
  login.push_back('_');
  login.append(short_code);
  return login;
}

std::string obfuscated_email(std::string_view email) {
  return sha256_hex_prefix(email, kHashPrefixLength).append(kObfuscatedDomain);
}

bool valid_short_code(std::string_view code) {
  if (code.size() < kMinShortCode || code.size() > kMaxShortCode) return false;
  for (const char c : code) {
    if (!is_ascii_alnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}
}  // namespace emuscim::emu
