#include "emuscim/scim/filter.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using emuscim::scim::matches;
using emuscim::scim::parse_filter;
using nlohmann::json;

const json& user() {
  static const json u = json::parse(R"({
    "id": "2819c223-7f76-453a-919d-413861904646",
    "userName": "BJensen",
    "externalId": "ext-1",
    "displayName": "Babs Jensen",
    "active": true,
    "suspended": false,
    "name": {"givenName": "Barbara", "familyName": "Jensen"},
    "emails": [
      {"value": "bjensen@example.com", "type": "work", "primary": true},
      {"value": "babs@home.org", "type": "home"}
    ],
    "roles": [{"value": "Admin", "primary": true}, {"value": "User", "primary": false}],
    "entraRoles": [{"value": "Owner", "primary": "True"}],
    "loginCount": 42,
    "balance": -7,
    "score": 2.5,
    "numericId": "12345",
    "nickName": "",
    "title": null,
    "groups": [],
    "tags": ["red", "blue"],
    "meta": {"lastModified": "2011-05-13T04:42:34Z"},
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Retail", "employeeNumber": "701984"}
  })");
  return u;
}

struct truth_case {
  std::string_view filter;
  bool expected;
};

void expect_truth(const std::vector<truth_case>& cases, const json& object = user()) {
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.filter));
    auto f = parse_filter(c.filter);
    ASSERT_TRUE(f.has_value()) << f.error().detail;
    EXPECT_EQ(matches(**f, object), c.expected);
  }
}

TEST(FilterMatches, equality) {
  expect_truth({
      {R"(userName eq "bjensen")", true},
      {R"(userName eq "BJENSEN")", true},
      {R"(USERNAME eq "bjensen")", true},
      {R"(userName eq "bjensen2")", false},
      {R"(userName eq bjensen)", true},
      {R"(userName eq 'BJensen')", true},
      {R"(externalId eq "ext-1")", true},
      {R"(nosuch eq "x")", false},
      {R"(name.givenName eq "barbara")", true},
      {R"(name.GIVENNAME eq "Barbara")", true},
      {R"(name.middleName eq "x")", false},
      {R"(name eq "Barbara")", false},
      {R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "retail")", true},
      {R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department eq "Retail")", true},
      {R"(URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT eq "Retail")", true},
      {R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales")", false},
      {R"(urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen")", true},
      {R"(urn:example:other:department eq "Retail")", false},
      {R"(department eq "Retail")", false},
  });
}

TEST(FilterMatches, equalityAcrossTypes) {
  expect_truth({
      {"active eq true", true},
      {"active eq TRUE", true},
      {R"(active eq "True")", true},
      {R"(active eq "true")", true},
      {"active eq false", false},
      {R"(active eq "False")", false},
      {R"(active eq "yes")", false},
      {R"(suspended eq "false")", true},
      {"entraRoles.primary eq true", true},
      {"loginCount eq 42", true},
      {R"(loginCount eq "42")", true},
      {"loginCount eq 42.0", true},
      {"loginCount eq 43", false},
      {"balance eq -7", true},
      {"score eq 2.5", true},
      {"numericId eq 12345", true},  // bare number against a string attribute
      {"numericId eq 12346", false},
      {R"(userName eq 5)", false},
      {"title eq null", true},
      {"nosuch eq null", true},
      {"userName eq null", false},
      {"title ne null", false},
      {"userName ne null", true},
  });
}

TEST(FilterMatches, inequality) {
  expect_truth({
      {R"(userName ne "x")", true},
      {R"(userName ne "bjensen")", false},
      {R"(nosuch ne "x")", true},
      {R"(emails ne "babs@home.org")", false},
      {R"(emails ne "nobody@x")", true},
      {R"(active ne "False")", true},
      {"loginCount ne 42", false},
  });
}

TEST(FilterMatches, multiValued) {
  expect_truth({
      {R"(emails eq "babs@home.org")", true},
      {R"(emails eq "BJENSEN@example.com")", true},
      {R"(emails eq "nobody@x")", false},
      {R"(emails.type eq "home")", true},
      {R"(emails.type eq "other")", false},
      {R"(emails.value ew "home.org")", true},
      {R"(tags eq "BLUE")", true},
      {R"(tags eq "green")", false},
      {R"(roles.primary eq true)", true},
      {R"(groups eq "x")", false},
  });
}

TEST(FilterMatches, containsStartsEnds) {
  expect_truth({
      {R"(userName co "jen")", true},
      {R"(userName co "JEN")", true},
      {R"(userName co "xyz")", false},
      {R"(userName sw "bj")", true},
      {R"(userName sw "jensen")", false},
      {R"(userName ew "SEN")", true},
      {R"(userName ew "bj")", false},
      {R"(displayName co " ")", true},
      {R"(userName co "")", true},
      {R"(emails co "home.org")", true},
      {R"(emails sw "babs@")", true},
      {R"(loginCount co "4")", true},
      {R"(loginCount sw 4)", true},
      {R"(name co "Barb")", false},
      {R"(title co "x")", false},
      {R"(nosuch sw "x")", false},
      {R"(active sw "tr")", true},
  });
}

TEST(FilterMatches, ordering) {
  expect_truth({
      {"loginCount gt 41", true},
      {"loginCount gt 42", false},
      {"loginCount ge 42", true},
      {"loginCount ge 43", false},
      {"loginCount lt 43", true},
      {"loginCount lt 42", false},
      {"loginCount le 42", true},
      {"loginCount le 41", false},
      {R"(loginCount gt "41")", true},
      {"balance lt 0", true},
      {"balance gt -8", true},
      {"score gt 2", true},
      {"score lt 2.5", false},
      {"score le 2.5", true},
      {R"(meta.lastModified gt "2011-05-13T04:42:33Z")", true},
      {R"(meta.lastModified ge "2011-05-13T04:42:34Z")", true},
      {R"(meta.lastModified lt "2011-01-01T00:00:00Z")", false},
      {R"(userName gt "a")", true},
      {R"(userName lt "C")", true},
      {R"(userName lt "BJENSEN")", false},
      {R"(userName le "BJENSEN")", true},
      {"active gt false", false},
      {"active ge true", false},
      {R"(userName gt 5)", false},
      {R"(nosuch gt 1)", false},
      {R"(name gt "a")", false},
  });
}

TEST(FilterMatches, present) {
  expect_truth({
      {"userName pr", true},
      {"USERNAME PR", true},
      {"nickName pr", false},
      {"title pr", false},
      {"nosuch pr", false},
      {"emails pr", true},
      {"groups pr", false},
      {"name pr", true},
      {"name.givenName pr", true},
      {"name.middleName pr", false},
      {"emails.type pr", true},
      {"emails.display pr", false},
      {"active pr", true},
      {"suspended pr", true},
      {"loginCount pr", true},
      {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr", true},
      {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr", false},
  });
}

TEST(FilterMatches, logical) {
  expect_truth({
      {R"(userName eq "bjensen" and active eq true)", true},
      {R"(userName eq "bjensen" and active eq false)", false},
      {R"(userName eq "x" or loginCount gt 40)", true},
      {R"(userName eq "x" or loginCount gt 50)", false},
      {R"(not (userName eq "x"))", true},
      {R"(not (userName pr))", false},
      {R"(not (not (userName pr)))", true},
      {R"(userName eq "x" or userName eq "y" or userName eq "bjensen")", true},
      // and binds tighter than or: these differ if it did not.
      {R"(userName eq "x" and active eq true or loginCount eq 42)", true},
      {R"(loginCount eq 42 or userName eq "x" and active eq false)", true},
      {R"((loginCount eq 42 or userName eq "x") and active eq false)", false},
      {R"(userName sw "b" and (title pr or nickName pr))", false},
      {R"(userName sw "b" and not (title pr or nickName pr))", true},
  });
}

TEST(FilterMatches, valuePath) {
  expect_truth({
      {R"(emails[type eq "work"])", true},
      {R"(emails[type eq "other"])", false},
      {R"(emails[type eq "work" and value co "@example.com"])", true},
      {R"(emails[type eq "home" and value co "@example.com"])", false},
      {R"(emails[type eq "home" or primary eq true])", true},
      {R"(emails[not (type eq "work")])", true},
      {R"(emails[primary pr])", true},
      {R"(roles[primary eq "True"])", true},
      {R"(roles[primary eq "True" and value eq "admin"])", true},
      {R"(roles[primary eq "True" and value eq "user"])", false},
      {R"(entraRoles[primary eq true])", true},
      {R"(tags[value eq "red"])", true},
      {R"(tags[value eq "green"])", false},
      {R"(name[givenName eq "Barbara"])", true},
      {R"(nosuch[value eq "x"])", false},
      {R"(groups[value pr])", false},
      {R"(userName eq "bjensen" and emails[type eq "work" and primary eq true])", true},
  });
}

TEST(FilterMatches, elementsAndNonObjects) {
  auto f = parse_filter(R"(type eq "work")");
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(matches(**f, json{{"type", "Work"}, {"value", "a@x"}}));
  EXPECT_FALSE(matches(**f, json{{"type", "home"}}));
  EXPECT_FALSE(matches(**f, json("work")));
  EXPECT_FALSE(matches(**f, json(nullptr)));
  EXPECT_FALSE(matches(**f, json::array({json{{"type", "work"}}})));
  auto ne = parse_filter(R"(type ne "work")");
  ASSERT_TRUE(ne.has_value());
  EXPECT_TRUE(matches(**ne, json(nullptr)));
  auto nan = parse_filter("value eq 1");
  ASSERT_TRUE(nan.has_value());
  EXPECT_FALSE(matches(**nan, json{{"value", "nan"}}));
  EXPECT_FALSE(matches(**nan, json{{"value", "inf"}}));
  EXPECT_TRUE(matches(**nan, json{{"value", 1.0}}));
}

}  // namespace
