#include "emuscim/scim/filter.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using emuscim::scim::comparison;
using emuscim::scim::compare_op;
using emuscim::scim::filter;
using emuscim::scim::logical;
using emuscim::scim::negation;
using emuscim::scim::parse_filter;
using emuscim::scim::to_string;
using emuscim::scim::value_filter;
using nlohmann::json;

struct canonical_case {
  std::string_view input;
  std::string_view canonical;
};

void expect_canonical(const std::vector<canonical_case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.input));
    auto f = parse_filter(c.input);
    ASSERT_TRUE(f.has_value()) << f.error().detail;
    EXPECT_EQ(to_string(**f), c.canonical);
    // The canonical form parses back to the same tree.
    auto again = parse_filter(to_string(**f));
    ASSERT_TRUE(again.has_value()) << again.error().detail;
    EXPECT_EQ(to_string(**again), c.canonical);
  }
}

const comparison& as_comparison(const filter& f) { return std::get<comparison>(f->node); }

TEST(FilterParser, specAndIdpForms) {
  expect_canonical({
      {R"(userName eq "x")", R"(userName eq "x")"},
      {R"(externalId eq "9138790-10932-109120392-12321")", R"(externalId eq "9138790-10932-109120392-12321")"},
      {R"(userName eq 'E012345')", R"(userName eq "E012345")"},
      {R"(externalId eq jyoung)", R"(externalId eq "jyoung")"},
      {R"(userName eq E012345)", R"(userName eq "E012345")"},
      {R"(displayName eq "Test SCIMv2")", R"(displayName eq "Test SCIMv2")"},
      {R"(userName eq "test.user@okta.local")", R"(userName eq "test.user@okta.local")"},
      {R"(userName eq a.b@c.com)", R"(userName eq "a.b@c.com")"},
      {R"(externalId eq 2a69c9a6-1708-45b7-acbe-a7b4c8fb102a)", R"(externalId eq "2a69c9a6-1708-45b7-acbe-a7b4c8fb102a")"},
      {R"(userName eq "7d420df3-9995-4831-a406-ecf8166f5f6a")", R"(userName eq "7d420df3-9995-4831-a406-ecf8166f5f6a")"},
      {R"(members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"])",
       R"(members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"])"},
      {R"(roles[primary eq "True"])", R"(roles[primary eq "True"])"},
      {R"(emails[type eq "work" and value co "@x"])", R"(emails[type eq "work" and value co "@x"])"},
  });
}

TEST(FilterParser, operatorsAndAttributes) {
  expect_canonical({
      {R"(userName EQ "x")", R"(userName eq "x")"},
      {R"(UserName Eq "x")", R"(UserName eq "x")"},
      {R"(title ne "x")", R"(title ne "x")"},
      {R"(userName co "jen")", R"(userName co "jen")"},
      {R"(userName SW "J")", R"(userName sw "J")"},
      {R"(userName ew "n")", R"(userName ew "n")"},
      {R"(meta.lastModified gt "2011-05-13T04:42:34Z")", R"(meta.lastModified gt "2011-05-13T04:42:34Z")"},
      {R"(meta.lastModified ge "2011-05-13T04:42:34Z")", R"(meta.lastModified ge "2011-05-13T04:42:34Z")"},
      {R"(loginCount lt 5)", R"(loginCount lt 5)"},
      {R"(loginCount LE 5)", R"(loginCount le 5)"},
      {R"(title pr)", R"(title pr)"},
      {R"(title PR)", R"(title pr)"},
      {R"(name.givenName sw "J")", R"(name.givenName sw "J")"},
      {R"($ref eq "https://x/Users/1")", R"($ref eq "https://x/Users/1")"},
      {R"(not pr)", R"(not pr)"},  // an attribute called "not"
      {R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984")",
       R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984")"},
      {R"(urn:ietf:params:scim:schemas:core:2.0:User:name.familyName co "O'Malley")",
       R"(urn:ietf:params:scim:schemas:core:2.0:User:name.familyName co "O'Malley")"},
      {R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department eq "Retail")",
       R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Retail")"},
  });
}

TEST(FilterParser, whitespaceAndGrouping) {
  expect_canonical({
      {"  userName   eq   \"x\"  ", R"(userName eq "x")"},
      {"userName\teq\t\"x\"\r\n", R"(userName eq "x")"},
      {R"(userName eq"x")", R"(userName eq "x")"},
      {R"((userName eq "x"))", R"(userName eq "x")"},
      {R"(((userName eq "x")))", R"(userName eq "x")"},
      {R"(( userName eq x ))", R"(userName eq "x")"},
      {R"(not (userName eq "x"))", R"(not (userName eq "x"))"},
      {R"(not(userName eq "x"))", R"(not (userName eq "x"))"},
      {R"(NOT (title pr))", R"(not (title pr))"},
      {R"(emails [ type eq "work" ])", R"(emails[type eq "work"])"},
      {R"(emails[type eq work])", R"(emails[type eq "work"])"},
      {R"(emails[not (type eq "work")])", R"(emails[not (type eq "work")])"},
      {R"(emails[(type eq "work" or type eq "home") and primary eq true])",
       R"(emails[(type eq "work" or type eq "home") and primary eq true])"},
  });
}

TEST(FilterParser, precedence) {
  expect_canonical({
      {"a pr and b pr or c pr", "(a pr and b pr) or c pr"},
      {"a pr or b pr and c pr", "a pr or (b pr and c pr)"},
      {"a pr AND b pr OR c pr", "(a pr and b pr) or c pr"},
      {"a pr and (b pr or c pr)", "a pr and (b pr or c pr)"},
      {"(a pr or b pr) and c pr", "(a pr or b pr) and c pr"},
      {"a pr and b pr and c pr", "a pr and b pr and c pr"},
      {"a pr or b pr or c pr", "a pr or b pr or c pr"},
      {"a pr and (b pr and c pr)", "a pr and (b pr and c pr)"},
      {"a pr or b pr and c pr or d pr", "a pr or (b pr and c pr) or d pr"},
      {"not (a pr) and b pr", "not (a pr) and b pr"},
      {"not (a pr and b pr) or c pr", "not (a pr and b pr) or c pr"},
      {"a pr and(b pr)", "a pr and b pr"},
      {"((a pr))", "a pr"},
  });

  auto f = parse_filter("a pr and b pr or c pr");
  ASSERT_TRUE(f.has_value());
  const auto& root = std::get<logical>((*f)->node);
  EXPECT_EQ(root.op, logical::kind::or_);
  EXPECT_EQ(std::get<logical>(root.lhs->node).op, logical::kind::and_);
  EXPECT_EQ(as_comparison(root.rhs).attr.name, "c");

  auto g = parse_filter("a pr or b pr and c pr");
  ASSERT_TRUE(g.has_value());
  const auto& groot = std::get<logical>((*g)->node);
  EXPECT_EQ(groot.op, logical::kind::or_);
  EXPECT_EQ(as_comparison(groot.lhs).attr.name, "a");
  EXPECT_EQ(std::get<logical>(groot.rhs->node).op, logical::kind::and_);
}

TEST(FilterParser, astShape) {
  auto f = parse_filter(R"(urn:ietf:params:scim:schemas:core:2.0:User:name.givenName SW "J")");
  ASSERT_TRUE(f.has_value());
  const auto& c = as_comparison(*f);
  EXPECT_EQ(c.attr.urn, "urn:ietf:params:scim:schemas:core:2.0:User");
  EXPECT_EQ(c.attr.name, "name");
  EXPECT_EQ(c.attr.sub, "givenName");
  EXPECT_EQ(c.op, compare_op::sw);
  EXPECT_EQ(c.value, json("J"));

  auto pr = parse_filter("title pr");
  ASSERT_TRUE(pr.has_value());
  EXPECT_EQ(as_comparison(*pr).op, compare_op::pr);
  EXPECT_TRUE(as_comparison(*pr).value.is_null());

  auto vf = parse_filter(R"(emails[type eq "work"])");
  ASSERT_TRUE(vf.has_value());
  const auto& v = std::get<value_filter>((*vf)->node);
  EXPECT_EQ(v.attr.name, "emails");
  EXPECT_EQ(as_comparison(v.inner).attr.name, "type");

  auto n = parse_filter(R"(not (userName eq "x"))");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(as_comparison(std::get<negation>((*n)->node).inner).value, json("x"));

  auto legacy = parse_filter(R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department eq "x")");
  ASSERT_TRUE(legacy.has_value());
  EXPECT_EQ(as_comparison(*legacy).attr.urn, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
  EXPECT_EQ(as_comparison(*legacy).attr.name, "department");
  EXPECT_EQ(as_comparison(*legacy).attr.sub, "");
}

TEST(FilterParser, valueLiterals) {
  struct value_case {
    std::string_view input;
    json value;
  };
  const std::vector<value_case> cases = {
      {R"(a eq 42)", json(42u)},
      {R"(a eq -3)", json(-3)},
      {R"(a eq 1.5)", json(1.5)},
      {R"(a eq 1e3)", json(1000.0)},
      {R"(a eq 0)", json(0u)},
      {R"(a eq true)", json(true)},
      {R"(a eq TRUE)", json(true)},
      {R"(a eq False)", json(false)},
      {R"(a eq null)", json(nullptr)},
      {R"(a eq NULL)", json(nullptr)},
      {R"(a eq "true")", json("true")},
      {R"(a eq '42')", json("42")},
      {R"(a eq 0123)", json("0123")},      // not a JSON number: a bare word
      {R"(a eq 1.2.3.4)", json("1.2.3.4")},
      {R"(a eq 1e999)", json("1e999")},    // out of range: kept as text
      {R"(a eq -)", json("-")},
      {R"(a eq trueish)", json("trueish")},
      {R"(a eq 9138790-10932)", json("9138790-10932")},
      {R"(a eq "")", json("")},
      {R"(a eq '')", json("")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.input));
    auto f = parse_filter(c.input);
    ASSERT_TRUE(f.has_value()) << f.error().detail;
    EXPECT_EQ(as_comparison(*f).value, c.value);
    EXPECT_EQ(as_comparison(*f).value.type(), c.value.type());
  }
}

TEST(FilterParser, stringEscapes) {
  struct escape_case {
    std::string_view input;
    std::string value;
  };
  const std::vector<escape_case> cases = {
      {R"(a eq "a\"b")", "a\"b"},
      {R"(a eq "a\\b")", "a\\b"},
      {R"(a eq "caf\u00e9")", "caf\xC3\xA9"},
      {R"(a eq "caf\u00E9")", "caf\xC3\xA9"},
      {R"(a eq "\ud83d\ude00")", "\xF0\x9F\x98\x80"},
      {R"(a eq "\/\b\f\n\r\t")", "/\b\f\n\r\t"},
      {R"(a eq 'it\'s')", "it's"},
      {R"(a eq 'say "hi"')", "say \"hi\""},
      {R"(a eq "it's")", "it's"},
      {"a eq \"\xE6\x97\xA5\xE6\x9C\xAC\"", "\xE6\x97\xA5\xE6\x9C\xAC"},
      {R"(a eq "a)b")", "a)b"},
      {R"(a eq "a]b")", "a]b"},
      {R"(a eq "x and y or z")", "x and y or z"},
      {R"(a eq "  padded  ")", "  padded  "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.input));
    auto f = parse_filter(c.input);
    ASSERT_TRUE(f.has_value()) << f.error().detail;
    EXPECT_EQ(as_comparison(*f).value, json(c.value));
  }

  auto quote = parse_filter(R"(a eq "a\"b")");
  ASSERT_TRUE(quote.has_value());
  EXPECT_EQ(to_string(**quote), R"(a eq "a\"b")");
  auto e = parse_filter(R"(a eq "caf\u00e9")");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(to_string(**e), "a eq \"caf\xC3\xA9\"");
}

TEST(FilterParser, bareWordsStopAtClosers) {
  auto f = parse_filter("(userName eq a.b@c.com) or emails[value eq x@y.org]");
  ASSERT_TRUE(f.has_value()) << f.error().detail;
  EXPECT_EQ(to_string(**f), R"(userName eq "a.b@c.com" or emails[value eq "x@y.org"])");
}

TEST(FilterParser, longChainWithinLimits) {
  std::string text;
  for (int i = 0; i < 800; ++i) text += "a pr and ";
  text += "a pr";
  ASSERT_LE(text.size(), 8192u);
  auto f = parse_filter(text);
  ASSERT_TRUE(f.has_value()) << f.error().detail;
  EXPECT_EQ(to_string(**f), text);
  EXPECT_TRUE(emuscim::scim::matches(**f, json{{"a", "x"}}));
}

TEST(FilterParser, toStringOfHandBuiltNodes) {
  using emuscim::scim::attr_path;
  using emuscim::scim::filter_node;
  auto leaf = [](std::string name, json v) {
    return std::make_shared<const filter_node>(
        filter_node{comparison{attr_path{"", std::move(name), ""}, compare_op::eq, std::move(v)}});
  };
  const auto a = leaf("a", 1);
  const auto b = leaf("b", "x");
  const auto c = leaf("c", true);
  const auto a_and_b =
      std::make_shared<const filter_node>(filter_node{logical{logical::kind::and_, a, b}});
  const auto root =
      std::make_shared<const filter_node>(filter_node{logical{logical::kind::or_, a_and_b, c}});
  EXPECT_EQ(to_string(*root), R"((a eq 1 and b eq "x") or c eq true)");
  const auto neg = std::make_shared<const filter_node>(filter_node{negation{root}});
  EXPECT_EQ(to_string(*neg), R"(not ((a eq 1 and b eq "x") or c eq true))");
  // Invalid UTF-8 inside a hand-built value must not throw.
  const auto bad = leaf("d", std::string("\xFF"));
  EXPECT_NO_THROW((void)to_string(*bad));
}

}  // namespace
