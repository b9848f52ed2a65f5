#include "emuscim/auth/token.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace emuscim::auth {
namespace {

constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::span<const unsigned char> bytes(std::string_view s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

TEST(Token, generatedShape) {
  for (int i = 0; i < 100; ++i) {
    const std::string t = generate_token();
    ASSERT_EQ(t.size(), 4u + 43u) << t;
    EXPECT_TRUE(t.starts_with("emu_")) << t;
    for (const char c : std::string_view(t).substr(4)) {
      EXPECT_NE(kBase62.find(c), std::string_view::npos) << t;
    }
    // The header's own parser accepts every token we mint.
    const std::string header = "Bearer " + t;
    EXPECT_EQ(parse_authorization(header), std::optional<std::string_view>(t));
  }
}

TEST(Token, generatedUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(generate_token());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Token, generatedUsesWholeAlphabet) {
  // 200 tokens x 43 digits: every one of the 62 symbols shows up (a missing one would mean a
  // broken encoding; the chance of a false failure is far below 1e-20).
  std::set<char> symbols;
  for (int i = 0; i < 200; ++i) {
    for (const char c : generate_token().substr(4)) symbols.insert(c);
  }
  EXPECT_EQ(symbols.size(), kBase62.size());
}

TEST(Token, hashKnownVectors) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(to_hex(hash_token("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(hash_token("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(hash_token("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hash_token("emu_x"), hash_token("emu_x"));
  EXPECT_NE(hash_token("emu_x"), hash_token("emu_X"));
}

TEST(Token, toHex) {
  struct row {
    std::vector<unsigned char> in;
    std::string out;
  };
  const std::vector<row> rows = {
      {{}, ""},
      {{0x00}, "00"},
      {{0x0f}, "0f"},
      {{0xff}, "ff"},
      {{0xde, 0xad, 0xbe, 0xef}, "deadbeef"},
      {{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}, "0123456789abcdef"},
  };
  for (const auto& r : rows) EXPECT_EQ(to_hex(r.in), r.out);
}

TEST(Token, constantTimeEqual) {
  struct row {
    std::string a;
    std::string b;
    bool equal;
  };
  const std::vector<row> rows = {
      {"", "", true},
      {"a", "a", true},
      {"abc", "abc", true},
      {"abc", "abd", false},
      {"abc", "xbc", false},
      {"abc", "ab", false},
      {"ab", "abc", false},
      {"", "a", false},
      {std::string("a\0b", 3), std::string("a\0b", 3), true},
      {std::string("a\0b", 3), std::string("a\0c", 3), false},
      {std::string(32, '\xff'), std::string(32, '\xff'), true},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(constant_time_equal(bytes(r.a), bytes(r.b)), r.equal) << "'" << r.a << "' vs '" << r.b << "'";
  }

  const token_hash h1 = hash_token("emu_one");
  const token_hash h2 = hash_token("emu_two");
  EXPECT_TRUE(constant_time_equal(h1, hash_token("emu_one")));
  EXPECT_FALSE(constant_time_equal(h1, h2));
  EXPECT_FALSE(constant_time_equal(h1, std::span<const unsigned char>(h1).first(31)));
}

TEST(Token, parseAuthorization) {
  struct row {
    std::string header;
    std::optional<std::string> token;
  };
  const std::vector<row> rows = {
      {"Bearer x", "x"},
      {"bearer x", "x"},
      {"BEARER   x  ", "x"},
      {"BeArEr x", "x"},
      {"token x", "x"},
      {"Token x", "x"},
      {"TOKEN x", "x"},
      {"  Bearer x", "x"},
      {"Bearer\tx", "x"},
      {"\tBearer \t x\t ", "x"},
      {"Bearer emu_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk", "emu_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"},
      {"Bearer ghp_abc-._~+/=", "ghp_abc-._~+/="},
      {"Bearer Bearer", "Bearer"},
      // Rejected.
      {"", std::nullopt},
      {"   ", std::nullopt},
      {"Bearer", std::nullopt},
      {"Bearer ", std::nullopt},
      {"Bearer    ", std::nullopt},
      {"token", std::nullopt},
      {"Basic x", std::nullopt},
      {"Basic dXNlcjpwYXNz", std::nullopt},
      {"Digest x", std::nullopt},
      {"Bearerx", std::nullopt},
      {"Bearer:x", std::nullopt},
      {"x", std::nullopt},
      {"emu_abc", std::nullopt},
      {"Bear x", std::nullopt},
      {"Bearers x", std::nullopt},
      {"Bearer x y", std::nullopt},
      {"Bearer x\ty", std::nullopt},
      {std::string("Bearer x\0y", 10), std::nullopt},
      {"Bearer x\x7f", std::nullopt},
      {"Bearer \xC3\xA9", std::nullopt},
      {"Bearer x\r\n", std::nullopt},
  };
  for (const auto& r : rows) {
    const auto got = parse_authorization(r.header);
    if (r.token) {
      ASSERT_TRUE(got.has_value()) << "'" << r.header << "'";
      EXPECT_EQ(*got, *r.token) << "'" << r.header << "'";
    } else {
      EXPECT_FALSE(got.has_value()) << "'" << r.header << "' -> '" << *got << "'";
    }
  }
}

TEST(Token, parseAuthorizationPointsIntoHeader) {
  const std::string header = "Bearer abc";
  const auto got = parse_authorization(header);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->data(), header.data() + 7);
}

}  // namespace
}  // namespace emuscim::auth
