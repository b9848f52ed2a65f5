#include "emuscim/emu/names.hpp"

#include <gtest/gtest.h>

namespace emuscim::emu {
namespace {

TEST(Names, enterpriseSlug) {
  struct row {
    std::string_view slug;
    bool ok;
  };
  for (const auto& r : {row{"acme", true}, row{"a", true}, row{"acme-2", true}, row{"", false}, row{"Acme", false},
                        row{"acme_co", false}, row{"acme co", false}, row{std::string_view("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), true},
                        row{std::string_view("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), false}}) {
    EXPECT_EQ(valid_enterprise_slug(r.slug), r.ok) << r.slug;
  }
}

TEST(Names, orgLoginFollowsGithubRules) {
  struct row {
    std::string_view login;
    bool ok;
  };
  for (const auto& r : {row{"octo-org", true}, row{"Octo-Org", true}, row{"o", true}, row{"1org", true},
                        row{"", false}, row{"-octo", false}, row{"octo-", false}, row{"octo--org", false},
                        row{"octo_org", false}, row{"octo.org", false}, row{"octo org", false},
                        row{"abcdefghijabcdefghijabcdefghijabcdefghi", true},
                        row{"abcdefghijabcdefghijabcdefghijabcdefghij", false}}) {
    EXPECT_EQ(valid_org_login(r.login), r.ok) << r.login;
  }
}

}  // namespace
}  // namespace emuscim::emu
