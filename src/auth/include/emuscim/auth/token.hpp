#pragma once
// Bearer tokens: generation, hashing, constant-time comparison, scopes. OpenSSL only.
// Tokens are never stored or logged in clear; only their SHA-256 hash is kept.

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace emuscim::auth {

using token_hash = std::array<unsigned char, 32>;

// A new random token: "emu_" followed by 43 base62 characters from RAND_bytes (>= 256 bits).
// Throws std::runtime_error if the RNG fails.
std::string generate_token();

token_hash hash_token(std::string_view token);           // SHA-256
std::string to_hex(std::span<const unsigned char> bytes); // lower-case hex

// CRYPTO_memcmp; false when sizes differ.
bool constant_time_equal(std::span<const unsigned char> a, std::span<const unsigned char> b);

// "Bearer <t>" or "token <t>" (scheme case-insensitive, surrounding blanks ignored).
// nullopt when the header is missing the scheme or the token.
std::optional<std::string_view> parse_authorization(std::string_view header);

}  // namespace emuscim::auth
