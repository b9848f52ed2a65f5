#include "emuscim/scim/filter.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using emuscim::scim::parse_patch_path;
using nlohmann::json;

constexpr std::string_view enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
constexpr std::string_view core_user = "urn:ietf:params:scim:schemas:core:2.0:User";

struct path_case {
  std::string input;
  std::string urn;
  std::string name;
  std::string sub;
  std::string filter;  // to_string of the value filter; empty when none
  std::string sub_attr;
};

TEST(PatchPath, acceptsEveryDialect) {
  const std::string ent(enterprise);
  const std::string core(core_user);
  const std::vector<path_case> cases = {
      {"displayName", "", "displayName", "", "", ""},
      {"userName", "", "userName", "", "", ""},
      {"active", "", "active", "", "", ""},
      {"  active  ", "", "active", "", "", ""},
      {"members", "", "members", "", "", ""},
      {"name.givenName", "", "name", "givenName", "", ""},
      {"name.familyName", "", "name", "familyName", "", ""},
      {"NAME.GIVENNAME", "", "NAME", "GIVENNAME", "", ""},
      {R"(members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"])", "", "members", "",
       R"(value eq "89bb1940-b905-4575-9e7f-6f887cfb368e")", ""},
      {R"(members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"])", "", "members", "",
       R"(value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e")", ""},
      {R"(emails[type eq "work"].value)", "", "emails", "", R"(type eq "work")", "value"},
      {R"(emails[type eq 'work'].value)", "", "emails", "", R"(type eq "work")", "value"},
      {R"(emails[type eq work].value)", "", "emails", "", R"(type eq "work")", "value"},
      {R"(emails[type eq "work"].primary)", "", "emails", "", R"(type eq "work")", "primary"},
      {R"(emails[type eq "work"])", "", "emails", "", R"(type eq "work")", ""},
      {R"(addresses[type eq "work"].formatted)", "", "addresses", "", R"(type eq "work")", "formatted"},
      {R"(phoneNumbers[type eq "mobile"].value)", "", "phoneNumbers", "", R"(type eq "mobile")", "value"},
      {R"(roles[primary eq "True"].value)", "", "roles", "", R"(primary eq "True")", "value"},
      {R"(roles[primary eq "True"].display)", "", "roles", "", R"(primary eq "True")", "display"},
      {R"(roles[primary eq "True"].type)", "", "roles", "", R"(primary eq "True")", "type"},
      {R"(emails[type eq "work" and primary eq true].value)", "", "emails", "",
       R"(type eq "work" and primary eq true)", "value"},
      {R"(emails [type eq "work"].value)", "", "emails", "", R"(type eq "work")", "value"},
      {ent + ":department", ent, "department", "", "", ""},
      {ent + ":employeeNumber", ent, "employeeNumber", "", "", ""},
      {ent + ".department", ent, "department", "", "", ""},
      {ent + ".manager", ent, "manager", "", "", ""},
      {ent + ":manager.value", ent, "manager", "value", "", ""},
      {ent + ".manager.value", ent, "manager", "value", "", ""},
      {ent, ent, "", "", "", ""},  // the extension object itself
      {core + ":name.givenName", core, "name", "givenName", "", ""},
      {core + ":userName", core, "userName", "", "", ""},
      {core + R"(:emails[type eq "work"].value)", core, "emails", "", R"(type eq "work")", "value"},
      {"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:Department",
       "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER", "Department", "", "", ""},
      {"urn:example:custom:costCenter", "urn:example:custom", "costCenter", "", "", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto p = parse_patch_path(c.input);
    ASSERT_TRUE(p.has_value()) << p.error().detail;
    EXPECT_EQ(p->attr.urn, c.urn);
    EXPECT_EQ(p->attr.name, c.name);
    EXPECT_EQ(p->attr.sub, c.sub);
    if (c.filter.empty()) {
      EXPECT_EQ(p->value_filter, nullptr);
    } else {
      ASSERT_NE(p->value_filter, nullptr);
      EXPECT_EQ(emuscim::scim::to_string(*p->value_filter), c.filter);
    }
    EXPECT_EQ(p->sub_attr, c.sub_attr);
  }
}

TEST(PatchPath, valueFilterSelectsElements) {
  auto p = parse_patch_path(R"(roles[primary eq "True"].value)");
  ASSERT_TRUE(p.has_value());
  const json roles = json::parse(R"([{"value":"Admin","primary":true},{"value":"User","primary":false}])");
  EXPECT_TRUE(emuscim::scim::matches(*p->value_filter, roles[0]));
  EXPECT_FALSE(emuscim::scim::matches(*p->value_filter, roles[1]));

  auto m = parse_patch_path(R"(members[value eq "89BB1940-b905-4575-9e7f-6f887cfb368e"])");
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(emuscim::scim::matches(*m->value_filter, json{{"value", "89bb1940-b905-4575-9e7f-6f887cfb368e"}}));
  EXPECT_FALSE(emuscim::scim::matches(*m->value_filter, json{{"value", "0db508eb-91e2-46e4-809c-30dcbda0c685"}}));
}

TEST(PatchPath, rejectsMalformedPaths) {
  struct bad_case {
    std::string input;
    std::string detail;
  };
  const std::vector<bad_case> cases = {
      {"", "Invalid path at position 0: the path is empty"},
      {"   ", "Invalid path at position 3: the path is empty"},
      {"a b", "Invalid path at position 2: expected end of path, found 'b'"},
      {"1abc", "Invalid path at position 0: expected an attribute name, found '1abc'"},
      {"name.givenName.x", "Invalid path at position 5: expected a sub-attribute name after 'name.', found 'givenName.x'"},
      {"name.", "Invalid path at position 5: expected a sub-attribute name"},
      {"emails@x", "Invalid path at position 6: unexpected character '@' in attribute name"},
      {R"(emails[type eq "work")", "Invalid path at position 21: missing ']' to close '[' at position 6"},
      {R"(emails[type eq "work"].)", "Invalid path at position 23: expected a sub-attribute name after '].'"},
      {R"(emails[type eq "work"].value.x)", "Invalid path at position 23: expected a sub-attribute name after '].'"},
      {R"(emails[type eq "work"]value)", "Invalid path at position 22: expected end of path, found 'value'"},
      {R"(emails[type eq "work"] .value)", "Invalid path at position 23: expected end of path"},
      {R"(emails[type eq])", "Invalid path at position 14: expected a value, found ']'"},
      {R"(emails[type "work"])", "Invalid path at position 12: expected a comparison operator"},
      {R"(emails[type eq "work])", "Invalid path at position 15: unterminated string"},
      {R"(members[value eq "x"] junk)", "Invalid path at position 22: expected end of path, found 'junk'"},
      {R"(members[value eq "x"]])", "Invalid path at position 21: expected end of path, found ']'"},
      {R"(name.givenName[type eq "x"])", "Invalid path at position 14: a value filter must follow a multi-valued attribute"},
      {R"(emails[types[value eq "x"]])", "Invalid path at position 12: value filters cannot be nested"},
      {std::string(enterprise) + R"([type eq "x"])", "Invalid path at position 58: expected an attribute name before '['"},
      {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:", "Invalid path at position 59: expected an attribute name"},
      {"emails[" + std::string(100, '(') + "type pr" + std::string(100, ')') + "]",
       "Invalid path at position 70: expression nested too deeply"},
      {std::string(9000, 'a'), "Invalid path: longer than the limit of 8192 bytes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input.size() > 200 ? c.input.substr(0, 200) : c.input);
    auto p = parse_patch_path(c.input);
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().status, 400);
    EXPECT_EQ(p.error().scim_type, "invalidPath");
    EXPECT_TRUE(p.error().detail.starts_with(c.detail)) << "detail: " << p.error().detail;
  }
}

}  // namespace
