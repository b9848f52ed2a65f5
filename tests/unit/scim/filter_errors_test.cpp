#include "emuscim/scim/filter.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace {

using emuscim::scim::parse_filter;

struct error_case {
  std::string input;
  std::string detail;  // expected prefix of the detail
};

void expect_errors(const std::vector<error_case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input.size() > 200 ? c.input.substr(0, 200) + "..." : c.input);
    auto f = parse_filter(c.input);
    ASSERT_FALSE(f.has_value()) << emuscim::scim::to_string(**f);
    EXPECT_EQ(f.error().status, 400);
    EXPECT_EQ(f.error().scim_type, "invalidFilter");
    EXPECT_TRUE(f.error().detail.starts_with(c.detail)) << "detail: " << f.error().detail;
  }
}

TEST(FilterParser, rejectsMalformedTerms) {
  expect_errors({
      {"", "Invalid filter at position 0: the filter is empty"},
      {"   ", "Invalid filter at position 3: the filter is empty"},
      {"userName", "Invalid filter at position 8: expected a comparison operator, found end of input"},
      {R"(userName xx "x")", "Invalid filter at position 9: expected a comparison operator, found 'xx'"},
      {R"(userName like "x")", "Invalid filter at position 9: expected a comparison operator, found 'like'"},
      {R"(userName "x")", "Invalid filter at position 9: expected a comparison operator, found '\"'"},
      {R"(userName eqx "x")", "Invalid filter at position 9: expected a comparison operator, found 'eqx'"},
      {"userName eq", "Invalid filter at position 11: expected a value, found end of input"},
      {"userName eq   ", "Invalid filter at position 14: expected a value, found end of input"},
      {"userName eq )", "Invalid filter at position 12: expected a value, found ')'"},
      {"(userName eq)", "Invalid filter at position 12: expected a value, found ')'"},
      {R"(1abc eq "x")", "Invalid filter at position 0: expected an attribute name, found '1abc'"},
      {R"(user@name eq "x")", "Invalid filter at position 4: unexpected character '@' in attribute name"},
      {R"(name.given.x eq "x")", "Invalid filter at position 5: expected a sub-attribute name after 'name.', found 'given.x'"},
      {R"(name. eq "x")", "Invalid filter at position 5: expected a sub-attribute name"},
      {R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User eq "x")",
       "Invalid filter at position 58: expected an attribute name after the schema URN"},
      {R"(not userName eq "x")", "Invalid filter at position 4: expected '(' after 'not', found 'userName'"},
      {"()", "Invalid filter at position 1: expected an attribute name, 'not' or '(', found ')'"},
      {"Engineering", "Invalid filter at position 11: expected a comparison operator"},
  });
}

TEST(FilterParser, rejectsBadStrings) {
  expect_errors({
      {R"(userName eq "x)", "Invalid filter at position 12: unterminated string: missing closing \""},
      {R"(userName eq 'x)", "Invalid filter at position 12: unterminated string: missing closing '"},
      {R"(userName eq "x\")", "Invalid filter at position 12: unterminated string"},
      {R"(userName eq "x\)", "Invalid filter at position 12: unterminated string"},
      {R"(userName eq "\x")", "Invalid filter at position 13: invalid escape sequence '\\x' in string"},
      {R"(userName eq "\u12")", "Invalid filter at position 13: invalid \\u escape: expected 4 hex digits"},
      {R"(userName eq "\uZZZZ")", "Invalid filter at position 13: invalid \\u escape: expected 4 hex digits"},
      {R"(userName eq "\ud800")", "Invalid filter at position 13: invalid \\u escape: high surrogate"},
      {R"(userName eq "\ud800\u0041")", "Invalid filter at position 13: invalid \\u escape: high surrogate"},
      {R"(userName eq "\udc00")", "Invalid filter at position 13: invalid \\u escape: unpaired low surrogate"},
      {"userName eq \"\xFF\"", "Invalid filter at position 13: the text is not valid UTF-8"},
      {"userName eq \"\xC3\"", "Invalid filter at position 13: the text is not valid UTF-8"},
      {"userName eq \"\xED\xA0\x80\"", "Invalid filter at position 13: the text is not valid UTF-8"},
  });
}

TEST(FilterParser, rejectsBadStructure) {
  expect_errors({
      {R"(userName eq "x" junk)", "Invalid filter at position 16: expected 'and', 'or' or end of filter, found 'junk'"},
      {R"(userName eq "x"y)", "Invalid filter at position 15: expected 'and', 'or' or end of filter, found 'y'"},
      {R"(userName eq "x" and)", "Invalid filter at position 19: expected an attribute name, 'not' or '(', found end of input"},
      {R"(userName eq "x" or )", "Invalid filter at position 19: expected an attribute name, 'not' or '(', found end of input"},
      {R"(userName eq "x" and and b pr)", "Invalid filter at position 24: expected a comparison operator, found 'b'"},
      {R"(userName eq "x" andb pr)", "Invalid filter at position 16: expected 'and', 'or' or end of filter, found 'andb'"},
      {R"((userName eq "x")", "Invalid filter at position 16: missing ')' to close '(' at position 0"},
      {R"(((a pr) and (b pr))", "Invalid filter at position 18: missing ')' to close '(' at position 0"},
      {R"(userName eq "x"))", "Invalid filter at position 15: unexpected ')' without a matching '('"},
      {R"(not (a pr)))", "Invalid filter at position 10: unexpected ')' without a matching '('"},
      {R"(emails[type eq "work")", "Invalid filter at position 21: missing ']' to close '[' at position 6"},
      {R"(emails[type eq "work"))", "Invalid filter at position 21: expected 'and', 'or' or ']', found ')'"},
      {R"(emails[type eq "work"]])", "Invalid filter at position 22: unexpected ']' without a matching '['"},
      {R"((emails[type eq "work"))", "Invalid filter at position 22: expected 'and', 'or' or ']', found ')'"},
      {R"(emails[value[type eq "x"]])", "Invalid filter at position 12: value filters cannot be nested"},
      {R"(name.givenName[value eq "x"])", "Invalid filter at position 14: a value filter must follow a multi-valued attribute"},
      {R"(emails[type eq "work"].value eq "x")", "Invalid filter at position 22: expected 'and', 'or' or end of filter, found '.value'"},
      {R"(emails[])", "Invalid filter at position 7: expected an attribute name, 'not' or '(', found ']'"},
  });
}

TEST(FilterParser, depthLimit) {
  auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '(') + "a pr" + std::string(static_cast<std::size_t>(depth), ')');
  };
  auto ok = parse_filter(nested(64));
  ASSERT_TRUE(ok.has_value()) << ok.error().detail;
  EXPECT_EQ(emuscim::scim::to_string(**ok), "a pr");

  std::string nots;
  for (int i = 0; i < 64; ++i) nots += "not (";
  nots += "a pr" + std::string(64, ')');
  EXPECT_TRUE(parse_filter(nots).has_value());

  expect_errors({
      {nested(65), "Invalid filter at position 64: expression nested too deeply (limit 64 levels)"},
      {std::string(5000, '('), "Invalid filter at position 64: expression nested too deeply"},
      {std::string(8192, '('), "Invalid filter at position 64: expression nested too deeply"},
      {"not (" + nots + ")", "Invalid filter at position 324: expression nested too deeply"},
  });
}

TEST(FilterParser, lengthLimit) {
  const std::string prefix = "userName eq \"";
  std::string exact = prefix + std::string(8192 - prefix.size() - 1, 'x') + "\"";
  ASSERT_EQ(exact.size(), 8192u);
  EXPECT_TRUE(parse_filter(exact).has_value());

  expect_errors({
      {prefix + std::string(10 * 1024, 'x') + "\"", "Invalid filter: longer than the limit of 8192 bytes"},
      {std::string(100000, '('), "Invalid filter: longer than the limit of 8192 bytes"},
      {exact + " ", "Invalid filter: longer than the limit of 8192 bytes"},
  });
}

}  // namespace
