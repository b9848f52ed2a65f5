#include "emuscim/auth/token.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "emuscim/base/text.hpp"

namespace emuscim::auth {

namespace {

constexpr std::string_view kTokenPrefix = "emu_";
constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kRandomBytes = 32;
// 62^43 > 2^256 > 62^42: the fewest base62 digits that hold any 256-bit value.
constexpr std::size_t kTokenDigits = 43;


bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Without HTTP optional whitespace (RFC 9110 §5.6.3: SP and HTAB only). Not base::trim, which also
// drops CR and LF: a header value carrying those is malformed, not a token.
std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}


}  // namespace

std::string generate_token() {
  std::array<unsigned char, kRandomBytes> number{};
  if (RAND_bytes(number.data(), static_cast<int>(number.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  // Encode the 256-bit big-endian number in base62, least significant digit last, zero-padded,
  // so the whole 256 bits of entropy survive (no modulo bias, no discarded bytes).
  std::string token(kTokenPrefix.size() + kTokenDigits, '0');
  std::copy(kTokenPrefix.begin(), kTokenPrefix.end(), token.begin());
  for (std::size_t pos = token.size(); pos > kTokenPrefix.size(); --pos) {
    unsigned remainder = 0;
    for (unsigned char& byte : number) {
      const unsigned acc = (remainder << 8) | byte;
      byte = static_cast<unsigned char>(acc / 62);
      remainder = acc % 62;
    }
    token[pos - 1] = kBase62[remainder];
  }
  OPENSSL_cleanse(number.data(), number.size());
  return token;
}

token_hash hash_token(std::string_view token) {
  token_hash out{};
  unsigned int len = 0;
  if (EVP_Digest(token.data(), token.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size()) {
    throw std::runtime_error("SHA-256 digest failed");
  }
  return out;
}

std::string to_hex(std::span<const unsigned char> bytes) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const unsigned char b : bytes) {
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 0x0f]);
  }
  return hex;
}

bool constant_time_equal(std::span<const unsigned char> a, std::span<const unsigned char> b) {
  // Sizes are not secret (hashes are fixed-length), so the early return leaks nothing.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string_view> parse_authorization(std::string_view header) {
  const std::string_view h = trim_ows(header);
  const auto gap = std::ranges::find_if(h, is_blank);
  if (gap == h.end()) return std::nullopt;  // no blank: scheme alone, or token alone
  const auto scheme_len = static_cast<std::size_t>(gap - h.begin());
  const std::string_view scheme = h.substr(0, scheme_len);
  if (!base::iequals(scheme, "bearer") && !base::iequals(scheme, "token")) return std::nullopt;
  const std::string_view token = trim_ows(h.substr(scheme_len));
  // RFC 6750 b64token and GitHub tokens are visible ASCII; a blank or control byte means a
  // malformed header, never a token worth hashing.
  if (token.empty()) return std::nullopt;
  if (!std::ranges::all_of(token, [](char c) { return c > 0x20 && c < 0x7f; })) return std::nullopt;
  return token;
}

}  // namespace emuscim::auth
