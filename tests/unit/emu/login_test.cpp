#include "emuscim/emu/login.hpp"

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace emuscim::emu {
namespace {

using namespace std::string_literals;

// The spec's "SHORT-CODE" placeholder is not itself a valid short code; "octo" stands in.
constexpr std::string_view kCode = "octo";

struct ok_case {
  std::string user_name;
  std::string login;
  std::size_t max_length = 39;
  std::string short_code = std::string(kCode);
};

struct err_case {
  std::string user_name;
  std::vector<std::string> detail_has;  // substrings the detail must contain
  std::size_t max_length = 39;
  std::string short_code = std::string(kCode);
};

std::string describe(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out.push_back(c);
    } else {
      static constexpr std::string_view hex = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 0xf]);
    }
  }
  return out;
}

TEST(Login, specTableAccepted) {
  // github-emu-scim.md §12 table rows that derive a login ("rejected: exists" is the service's 409).
  const std::vector<ok_case> cases = {
      {"The.Octocat", "The-Octocat_octo"},
      {"The!Octocat", "The-Octocat_octo"},
      {"The.Octocat@example.com", "The-Octocat_octo"},
      {"internal\\The.Octocat", "The-Octocat_octo"},
  };
  for (const auto& c : cases) {
    const auto got = derive_login(c.user_name, c.short_code, {c.max_length});
    ASSERT_TRUE(got.has_value()) << describe(c.user_name) << ": " << got.error().detail;
    EXPECT_EQ(*got, c.login) << describe(c.user_name);
  }
}

TEST(Login, specTableRejected) {
  const std::vector<err_case> cases = {
      {"!The.Octocat", {"'!The.Octocat'", "'-The-Octocat'", "starts with '-'"}},
      {"The!!Octocat", {"'The!!Octocat'", "'The--Octocat'", "contains '--'"}},
      {"mona.lisa.the.octocat.from.github.united.states@example.com",
       {"'mona.lisa.the.octocat.from.github.united.states@example.com'",
        "'mona-lisa-the-octocat-from-github-united-states_octo'", "52 characters", "maximum of 39"}},
      // Older docs' example of a trailing dash.
      {"The.Octocat!", {"'The.Octocat!'", "'The-Octocat-'", "ends with '-'"}},
  };
  for (const auto& c : cases) {
    const auto got = derive_login(c.user_name, c.short_code, {c.max_length});
    ASSERT_FALSE(got.has_value()) << describe(c.user_name) << " -> " << *got;
    EXPECT_EQ(got.error().status, 400);
    EXPECT_EQ(got.error().scim_type, "invalidValue");
    for (const auto& part : c.detail_has) {
      EXPECT_NE(got.error().detail.find(part), std::string::npos)
          << describe(c.user_name) << ": detail '" << got.error().detail << "' lacks '" << part << "'";
    }
  }
}

TEST(Login, entraGuestsCollapseToSameLogin) {
  // §12: all three normalize to "bob".
  for (const std::string user_name : {"bob@contoso.com", "bob#EXT#fabrikamcom@contoso.com",
                                      "bob_example.com#EXT#fabrikamcom@contoso.com"}) {
    const auto got = derive_login(user_name, kCode);
    ASSERT_TRUE(got.has_value()) << user_name << ": " << got.error().detail;
    EXPECT_EQ(*got, "bob_octo") << user_name;
  }
}

TEST(Login, extractionAndMapping) {
  const std::vector<ok_case> cases = {
      {"mona-cat", "mona-cat_octo"},
      {"MonaCat@Example.COM", "MonaCat_octo"},  // case preserved
      {"a", "a_octo"},
      {"12345", "12345_octo"},
      {"bob smith", "bob-smith_octo"},
      {"a.b_c+d", "a-b-c-d_octo"},
      {"a\0b"s, "a-b_octo"},
      // '@': the text before the last '@'.
      {"a@b@c.com", "a-b_octo"},
      {"first.last@sub@example.com", "first-last-sub_octo"},
      // '\': the text after the last '\', and then '@' is not looked at.
      {"dom\\sub\\user", "user_octo"},
      {"a@b\\c", "c_octo"},
      {"dom\\a@b.com", "a-b-com_octo"},
      // #EXT# wins over '\' and '@'; the prefix is cut at its last '_'.
      {"first_last_example.com#EXT#fabrikamcom@contoso.com", "first-last_octo"},
      {"x\\bob_a.com#EXT#@t.com", "x-bob_octo"},
      {"bob#EXT#", "bob_octo"},
      {"bob#EXT#a#EXT#b", "bob_octo"},
      {"Mona.Cat_gmail.com#EXT#contoso.onmicrosoft.com", "Mona-Cat_octo"},
      // The marker is upper-case in Entra; other spellings are ordinary text.
      {"bob#ext#fab@contoso.com", "bob-ext-fab_octo"},
      // Short code lengths at both bounds.
      {"bob", "bob_abc", 39, "abc"},
      {"bob", "bob_ABCdef12", 39, "ABCdef12"},
  };
  for (const auto& c : cases) {
    const auto got = derive_login(c.user_name, c.short_code, {c.max_length});
    ASSERT_TRUE(got.has_value()) << describe(c.user_name) << ": " << got.error().detail;
    EXPECT_EQ(*got, c.login) << describe(c.user_name);
  }
}

TEST(Login, rejectedShapes) {
  const std::vector<err_case> cases = {
      {"", {"userName ''", "an empty login"}},
      {"@example.com", {"'@example.com'", "an empty login"}},
      {"internal\\", {"an empty login"}},
      {"#EXT#@contoso.com", {"an empty login"}},
      {"_example.com#EXT#@contoso.com", {"an empty login"}},
      {"-", {"'-'", "starts with '-'"}},
      {"!!!", {"'---'", "starts with '-'"}},
      {"!@#$%", {"'-'", "starts with '-'"}},  // before the last '@' is "!"
      {" bob", {"'-bob'", "starts with '-'"}},
      {"bob ", {"'bob-'", "ends with '-'"}},
      {"bob.@example.com", {"'bob-'", "ends with '-'"}},
      {"a-", {"ends with '-'"}},
      {"a--b", {"'a--b'", "contains '--'"}},
      {"a.-b", {"'a--b'", "contains '--'"}},
      {"bob__example.com#EXT#@c", {"'bob-'", "ends with '-'"}},
      {"dom\\.bob", {"'-bob'", "starts with '-'"}},
  };
  for (const auto& c : cases) {
    const auto got = derive_login(c.user_name, c.short_code, {c.max_length});
    ASSERT_FALSE(got.has_value()) << describe(c.user_name) << " -> " << *got;
    EXPECT_EQ(got.error().status, 400);
    EXPECT_EQ(got.error().scim_type, "invalidValue");
    for (const auto& part : c.detail_has) {
      EXPECT_NE(got.error().detail.find(part), std::string::npos)
          << describe(c.user_name) << ": detail '" << got.error().detail << "' lacks '" << part << "'";
    }
  }
}

TEST(Login, unicodeCodePointsBecomeOneDash) {
  const std::vector<ok_case> cases = {
      {"Jo\xC3\xABl", "Jo-l_octo"},              // ë: 2 bytes
      {"a\xE6\x97\xA5" "b", "a-b_octo"},         // 日: 3 bytes
      {"a\xF0\x9F\x98\x80" "b", "a-b_octo"},     // 😀: 4 bytes
  };
  for (const auto& c : cases) {
    const auto got = derive_login(c.user_name, c.short_code, {c.max_length});
    ASSERT_TRUE(got.has_value()) << describe(c.user_name) << ": " << got.error().detail;
    EXPECT_EQ(*got, c.login) << describe(c.user_name);
  }

  const std::vector<err_case> rejected = {
      {"Zo\xC3\xAB@example.com", {"'Zo-'", "ends with '-'"}},
      {"Jos\xC3\xA9", {"'Jos-'", "ends with '-'"}},
      {"\xC3\xA9mile", {"'-mile'", "starts with '-'"}},
      {"a\xC3\xA9\xC3\xA9" "b", {"'a--b'", "contains '--'"}},  // two code points, two dashes
      {"Zo\xC3\xAB.Smith", {"'Zo--Smith'", "contains '--'"}},
      {"\xE6\x97\xA5\xE6\x9C\xAC", {"'--'", "starts with '-'"}},
  };
  for (const auto& c : rejected) {
    const auto got = derive_login(c.user_name, c.short_code, {c.max_length});
    ASSERT_FALSE(got.has_value()) << describe(c.user_name) << " -> " << *got;
    for (const auto& part : c.detail_has) {
      EXPECT_NE(got.error().detail.find(part), std::string::npos)
          << describe(c.user_name) << ": detail '" << got.error().detail << "' lacks '" << part << "'";
    }
  }
}

TEST(Login, malformedUtf8IsTotal) {
  // Truncated sequences consume what is there; stray continuation bytes are one '-' each.
  const std::vector<ok_case> ok = {
      {"a\xC3" "b", "a-b_octo"},
      {"a\xE6\x97" "b", "a-b_octo"},
      {"a\x80" "b", "a-b_octo"},
      {"a\xFF" "b", "a-b_octo"},
  };
  for (const auto& c : ok) {
    const auto got = derive_login(c.user_name, c.short_code, {c.max_length});
    ASSERT_TRUE(got.has_value()) << describe(c.user_name) << ": " << got.error().detail;
    EXPECT_EQ(*got, c.login) << describe(c.user_name);
  }
  const auto stray = derive_login("a\x80\x80" "b", kCode);
  ASSERT_FALSE(stray.has_value());
  EXPECT_NE(stray.error().detail.find("contains '--'"), std::string::npos);
  // A lead byte takes at most its own continuations; the fourth 0x80 is a new character.
  const auto over = derive_login("a\xC3\xA9\x80" "b", kCode);
  ASSERT_FALSE(over.has_value());
  EXPECT_NE(over.error().detail.find("'a--b'"), std::string::npos);
}

TEST(Login, lengthLimits) {
  const std::string n34(34, 'a');  // + "_octo" = 39
  const std::string n35(35, 'a');  // 40
  const std::string n25(25, 'a');  // 30
  const std::string n26(26, 'a');  // 31

  const std::vector<ok_case> ok = {
      {n34, n34 + "_octo"},
      {n34 + "@example.com", n34 + "_octo"},
      {"dom\\" + n34, n34 + "_octo"},
      {n25, n25 + "_octo", 30},
      {std::string(30, 'b'), std::string(30, 'b') + "_abcdefgh", 39, "abcdefgh"},
      {std::string(1, 'z'), "z_abc", 5, "abc"},
  };
  for (const auto& c : ok) {
    const auto got = derive_login(c.user_name, c.short_code, {c.max_length});
    ASSERT_TRUE(got.has_value()) << c.user_name << ": " << got.error().detail;
    EXPECT_EQ(*got, c.login);
    EXPECT_LE(got->size(), c.max_length);
  }

  const std::vector<err_case> too_long = {
      {n35, {"'" + n35 + "'", "40 characters", "maximum of 39"}},
      {n35 + "@example.com", {"40 characters", "maximum of 39"}},
      {n26, {"31 characters", "maximum of 30"}, 30},
      {n34, {"39 characters", "maximum of 30"}, 30},
      {std::string(31, 'b'), {"40 characters", "maximum of 39"}, 39, "abcdefgh"},
  };
  for (const auto& c : too_long) {
    const auto got = derive_login(c.user_name, c.short_code, {c.max_length});
    ASSERT_FALSE(got.has_value()) << c.user_name;
    EXPECT_EQ(got.error().status, 400);
    EXPECT_EQ(got.error().scim_type, "invalidValue");
    for (const auto& part : c.detail_has) {
      EXPECT_NE(got.error().detail.find(part), std::string::npos)
          << "detail '" << got.error().detail << "' lacks '" << part << "'";
    }
  }
}

TEST(Login, shapeErrorsComeBeforeLength) {
  const auto got = derive_login("-" + std::string(60, 'a'), kCode);
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().detail.find("starts with '-'"), std::string::npos);
}

TEST(Login, invalidShortCodeIsServerFault) {
  for (const std::string code : {"", "ab", "abcdefghi", "oc-to", "oc_to", "oct o"}) {
    const auto got = derive_login("bob", code);
    ASSERT_FALSE(got.has_value()) << code;
    EXPECT_EQ(got.error().status, 500) << code;
  }
}

TEST(Login, validShortCode) {
  struct row {
    std::string code;
    bool valid;
  };
  const std::vector<row> rows = {
      {"", false},        {"a", false},         {"ab", false},       {"abc", true},
      {"octo", true},     {"ABC123", true},     {"abcdefgh", true},  {"abcdefghi", false},
      {"ab-c", false},    {"ab_c", false},      {"ab c", false},     {"abc\xC3\xA9", false},
      {"123", true},      {"a\0c"s, false},     {" abc", false},     {"abc ", false},
  };
  for (const auto& r : rows) EXPECT_EQ(valid_short_code(r.code), r.valid) << describe(r.code);
}

TEST(Login, suspendedLogin) {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  EXPECT_EQ(suspended_login("abc", "octo"), "ba7816bf8f01cfea_octo");
  // SHA-256("") = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
  EXPECT_EQ(suspended_login("", "abc"), "e3b0c44298fc1c14_abc");

  const std::string a = suspended_login("The-Octocat_octo", "octo");
  EXPECT_EQ(a, suspended_login("The-Octocat_octo", "octo"));  // deterministic
  ASSERT_EQ(a.size(), 16u + 1u + 4u);
  for (std::size_t i = 0; i < 16; ++i) {
    EXPECT_NE(std::string_view("0123456789abcdef").find(a[i]), std::string_view::npos) << a;
  }
  EXPECT_EQ(a.substr(16), "_octo");
  // Hashing is case-sensitive: the login is hashed as given.
  EXPECT_NE(a, suspended_login("the-octocat_octo", "octo"));

  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(suspended_login("user" + std::to_string(i) + "_octo", "octo"));
  EXPECT_EQ(seen.size(), 200u);

  // Always a valid login, even in GHE.com mode.
  EXPECT_LE(suspended_login(std::string(100, 'x'), "abcdefgh").size(), 30u);
}

TEST(Login, obfuscatedEmail) {
  EXPECT_EQ(obfuscated_email("abc"), "ba7816bf8f01cfea@obfuscated.invalid");
  const std::string e = obfuscated_email("mona@example.com");
  EXPECT_EQ(e, obfuscated_email("mona@example.com"));
  EXPECT_EQ(e.size(), 16u + std::string_view("@obfuscated.invalid").size());
  EXPECT_TRUE(e.ends_with("@obfuscated.invalid"));
  EXPECT_NE(e, obfuscated_email("lisa@example.com"));
}

}  // namespace
}  // namespace emuscim::emu
