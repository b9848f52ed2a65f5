#include "emuscim/base/text.hpp"

#include <gtest/gtest.h>

namespace emuscim::base {
namespace {

TEST(Text, iequalsIgnoresAsciiCaseOnly) {
  struct row {
    std::string_view a, b;
    bool equal;
  };
  for (const auto& r : {row{"userName", "USERNAME", true}, row{"", "", true}, row{"abc", "abd", false},
                        row{"abc", "ab", false}, row{"\xc3\xa9", "\xc3\x89", false}, row{"a-1", "A-1", true}}) {
    EXPECT_EQ(iequals(r.a, r.b), r.equal) << r.a << " vs " << r.b;
  }
}

TEST(Text, istartsWith) {
  EXPECT_TRUE(istarts_with("URN:ietf:params", "urn:"));
  EXPECT_FALSE(istarts_with("ur", "urn"));
  EXPECT_TRUE(istarts_with("x", ""));
}

TEST(Text, toLowerAndTrim) {
  EXPECT_EQ(to_lower("Mona_ACME-1"), "mona_acme-1");
  EXPECT_EQ(trim(" \t Bearer x \r\n"), "Bearer x");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
}

}  // namespace
}  // namespace emuscim::base
