#include "emuscim/auth/scopes.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace emuscim::auth {
namespace {

TEST(Scopes, knownScopeIsGithubsListExactly) {
  struct row {
    std::string scope;
    bool known;
  };
  const std::vector<row> rows = {
      {"admin:enterprise", true}, {"scim:enterprise", true},  {"read:audit_log", true},  {"repo", true},
      {"read:org", true},         {"admin:org", true},        {"write:org", true},       {"read:user", true},
      {"user:email", true},       {"read:enterprise", true},  {"manage_billing:enterprise", true},
      {"audit_log", true},        {"workflow", true},         {"", false},               {"Admin:Enterprise", false},
      {"SCIM:ENTERPRISE", false}, {" scim:enterprise", false}, {"admin:enterprise,read:audit_log", false},
      {"site_admin", false},      {"read:teams", false},      {"scim", false},
  };
  for (const auto& r : rows) EXPECT_EQ(known_scope(r.scope), r.known) << "'" << r.scope << "'";
  for (auto s : known_scopes()) EXPECT_TRUE(known_scope(s)) << s;
}

TEST(Scopes, parentScopesGrantTheirChildren) {
  struct row {
    std::vector<std::string> held;
    std::vector<std::string_view> accepted;
    bool granted;
  };
  const std::vector<row> rows = {
      {{}, {}, true},
      {{}, {"read:org"}, false},
      {{"read:org"}, {"read:org"}, true},
      {{"write:org"}, {"read:org"}, true},
      {{"admin:org"}, {"read:org"}, true},
      {{"read:org"}, {"admin:org"}, false},
      {{"read:org"}, {"write:org"}, false},
      {{"admin:enterprise"}, {"scim:enterprise"}, true},
      {{"scim:enterprise"}, {"admin:enterprise"}, false},
      {{"scim:enterprise"}, {"scim:enterprise", "admin:enterprise"}, true},
      {{"audit_log"}, {"read:audit_log"}, true},
      {{"read:audit_log"}, {"read:audit_log", "admin:enterprise"}, true},
      {{"repo", "user"}, {"read:org"}, false},
      {{"repo"}, {"repo:invite"}, true},
      {{"SCIM:ENTERPRISE"}, {"scim:enterprise"}, false},
      {{"admin:enterprise"}, {"read:org"}, false},
  };
  for (const auto& r : rows) {
    std::string held;
    for (const auto& h : r.held) held += h + " ";
    EXPECT_EQ(grants(r.held, r.accepted), r.granted) << "held: " << held;
  }
}

}  // namespace
}  // namespace emuscim::auth
