#include "emuscim/scim/filter.hpp"

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace {

using emuscim::scim::parse_list_filter;

constexpr std::array<std::string_view, 4> user_attrs{"userName", "externalId", "id", "displayName"};
constexpr std::array<std::string_view, 3> group_attrs{"externalId", "id", "displayName"};

TEST(ListFilter, acceptsSingleEquality) {
  struct ok_case {
    std::string input;
    std::string attr;
    std::string value;
  };
  const std::vector<ok_case> cases = {
      {R"(userName eq "x")", "userName", "x"},
      {R"(USERNAME eq "x")", "userName", "x"},
      {R"(username EQ "Bjensen")", "userName", "Bjensen"},
      {R"(externalId eq "9138790-10932-109120392-12321")", "externalId", "9138790-10932-109120392-12321"},
      {R"(userName eq 'E012345')", "userName", "E012345"},
      {R"(userName eq E012345)", "userName", "E012345"},
      {R"(externalId eq jyoung)", "externalId", "jyoung"},
      {R"(displayName eq "Test SCIMv2")", "displayName", "Test SCIMv2"},
      {R"(externalId eq "2a69c9a6-1708-45b7-acbe-a7b4c8fb102a")", "externalId", "2a69c9a6-1708-45b7-acbe-a7b4c8fb102a"},
      {R"(userName eq "7d420df3-9995-4831-a406-ecf8166f5f6a")", "userName", "7d420df3-9995-4831-a406-ecf8166f5f6a"},
      {R"(userName eq test.user@okta.local)", "userName", "test.user@okta.local"},
      {"  id eq \"abc\"  ", "id", "abc"},
      {"\tid eq abc\n", "id", "abc"},
      {R"((userName eq "x"))", "userName", "x"},
      {R"(userName eq "")", "userName", ""},
      {R"(userName eq "a\"b")", "userName", "a\"b"},
      {R"(externalId eq 12345)", "externalId", "12345"},
      {R"(externalId eq 91387901093210912039212321)", "externalId", "91387901093210912039212321"},
      {R"(externalId eq 1.50)", "externalId", "1.50"},
      {R"(externalId eq -0)", "externalId", "-0"},
      {R"(externalId eq 0123)", "externalId", "0123"},
      {R"(userName eq True)", "userName", "true"},
      {R"(userName eq false)", "userName", "false"},
      {R"(userName eq null)", "userName", "null"},
      {R"(userName eq "null")", "userName", "null"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto r = parse_list_filter(c.input, user_attrs);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    EXPECT_EQ(r->attr, c.attr);
    EXPECT_EQ(r->value, c.value);
  }

  auto g = parse_list_filter(R"(displayname eq "Engineering")", group_attrs);
  ASSERT_TRUE(g.has_value()) << g.error().detail;
  EXPECT_EQ(g->attr, "displayName");
  EXPECT_EQ(g->value, "Engineering");
}

struct reject_case {
  std::string input;
  std::string detail;
  bool exact = true;  // otherwise a prefix
};

void expect_rejects(const std::vector<reject_case>& cases, std::span<const std::string_view> allowed) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto r = parse_list_filter(c.input, allowed);
    ASSERT_FALSE(r.has_value()) << r->attr << " = " << r->value;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().scim_type, "invalidFilter");
    if (c.exact) {
      EXPECT_EQ(r.error().detail, c.detail);
    } else {
      EXPECT_TRUE(r.error().detail.starts_with(c.detail)) << "detail: " << r.error().detail;
    }
  }
}

TEST(ListFilter, rejectsOtherOperators) {
  expect_rejects(
      {
          {R"(userName co "x")", "Unsupported operator 'co': only 'eq' is supported"},
          {R"(userName CO "x")", "Unsupported operator 'co': only 'eq' is supported"},
          {R"(userName ne "x")", "Unsupported operator 'ne': only 'eq' is supported"},
          {R"(userName sw "x")", "Unsupported operator 'sw': only 'eq' is supported"},
          {R"(userName ew "x")", "Unsupported operator 'ew': only 'eq' is supported"},
          {R"(externalId gt "x")", "Unsupported operator 'gt': only 'eq' is supported"},
          {R"(externalId ge 1)", "Unsupported operator 'ge': only 'eq' is supported"},
          {R"(externalId lt 1)", "Unsupported operator 'lt': only 'eq' is supported"},
          {R"(externalId le 1)", "Unsupported operator 'le': only 'eq' is supported"},
          {R"(userName pr)", "Unsupported operator 'pr': only 'eq' is supported"},
          {R"(not (userName eq "x"))", "Unsupported operator 'not': only 'eq' is supported"},
      },
      user_attrs);
}

TEST(ListFilter, rejectsMultipleFilters) {
  expect_rejects(
      {
          {R"(userName eq "x" and externalId eq "y")", "Multiple filters are not supported", false},
          {R"(userName eq "x" or userName eq "y")", "Multiple filters are not supported", false},
          {R"((userName eq "x" or userName eq "y") and id eq "z")", "Multiple filters are not supported", false},
      },
      user_attrs);
}

TEST(ListFilter, rejectsOtherAttributes) {
  const std::string supported = "; supported: userName, externalId, id, displayName";
  expect_rejects(
      {
          {R"(emails eq "x")", "Unsupported filter attribute 'emails'" + supported},
          {R"(emails co "x")", "Unsupported filter attribute 'emails'" + supported},
          {R"(emails[type eq "work"].value eq "x")", "Unsupported filter attribute 'emails'" + supported},
          {R"(emails[type eq "work"])", "Unsupported filter attribute 'emails'" + supported},
          {R"(emails.value eq "x")", "Unsupported filter attribute 'emails.value'" + supported},
          {R"(name.givenName eq "x")", "Unsupported filter attribute 'name.givenName'" + supported},
          {R"(userName.x eq "x")", "Unsupported filter attribute 'userName.x'" + supported},
          {R"(urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x")",
           "Unsupported filter attribute 'urn:ietf:params:scim:schemas:core:2.0:User:userName'" + supported},
          {R"(active eq true)", "Unsupported filter attribute 'active'" + supported},
      },
      user_attrs);
  expect_rejects({{R"(userName eq "x")", "Unsupported filter attribute 'userName'; supported: externalId, id, displayName"}},
                 group_attrs);
}

TEST(ListFilter, rejectsUnparsable) {
  expect_rejects(
      {
          {"", "Invalid filter at position 0: the filter is empty"},
          {"   ", "Invalid filter at position 3: the filter is empty"},
          {R"(userName eq "x)", "Invalid filter at position 12: unterminated string: missing closing \""},
          {"userName eq", "Invalid filter at position 11: expected a value, found end of input"},
          {"Engineering", "Invalid filter at position 11: expected a comparison operator, found end of input"},
          {R"(userName eq "x" junk)", "Invalid filter at position 16: expected 'and', 'or' or end of filter, found 'junk'"},
          {R"(userName[type eq "x" eq "y")", "Invalid filter at position 21: expected 'and', 'or' or ']'", false},
      },
      user_attrs);
}

}  // namespace
