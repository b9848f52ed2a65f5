#pragma once
// RFC 7644 §3.4.2.2 filter grammar and §3.5.2 PATCH paths, parsed once into an AST.
// Pure: no I/O, no logging. Thread-safe: all functions are reentrant; ASTs are immutable.
//
// Leniency (what real IdPs send to GitHub, see shared spec idp-clients.md §1.4):
//   * attribute names and operators are case-insensitive (`userName EQ "x"`);
//   * values may be "double-quoted" (JSON string escapes), 'single-quoted', or a bare
//     word (`externalId eq jyoung`); a bare true/false/null/number is that JSON literal;
//   * `+` is NOT decoded here: the HTTP layer percent-decodes the query string first.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"

namespace emuscim::scim {

// Longest filter or PATCH path accepted, in bytes; longer text is 400 (invalidFilter/invalidPath).
inline constexpr std::size_t max_filter_length = 8 * 1024;

// [urn ":"] name ["." sub]. urn keeps its original spelling, e.g.
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"; empty when absent.
struct attr_path {
  std::string urn;
  std::string name;
  std::string sub;
  bool operator==(const attr_path&) const = default;
};

enum class compare_op { eq, ne, co, sw, ew, gt, ge, lt, le, pr };

struct filter_node;
using filter = std::shared_ptr<const filter_node>;

struct comparison {
  attr_path attr;
  compare_op op = compare_op::eq;
  nlohmann::json value;  // string, number, boolean or null; null for `pr`
};
struct logical {
  enum class kind { and_, or_ } op = kind::and_;
  filter lhs, rhs;
};
struct negation {
  filter inner;
};
// emails[type eq "work"] used as a filter term (valuePath).
struct value_filter {
  attr_path attr;
  filter inner;
};

struct filter_node {
  std::variant<comparison, logical, negation, value_filter> node;
};

// Parses a whole filter expression. Errors are invalid_filter() with a detail naming
// the position and what was expected.
result<filter> parse_filter(std::string_view text);

// PATCH path: attrPath | valuePath ["." subAttr]   e.g. `members[value eq "x"]`,
// `emails[type eq "work"].value`, `name.givenName`,
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`
// (also with `.` instead of `:` before the attribute, as legacy Entra jobs send).
struct patch_path {
  attr_path attr;       // for a valuePath, the multi-valued attribute (sub is empty)
  filter value_filter;  // null when the path has no [...]
  std::string sub_attr; // the sub-attribute after "]." (valuePath form only)
};
// Errors are invalid_path().
result<patch_path> parse_patch_path(std::string_view text);

// Evaluates a filter against one JSON object (an element of a multi-valued attribute,
// or a whole resource). Attribute names match case-insensitively; strings compare
// case-insensitively; a boolean attribute compared with a string "True"/"false"
// compares by truth value (Entra sends roles[primary eq "True"]).
bool matches(const filter_node& f, const nlohmann::json& object);

// Canonical text form, for details and tests: `userName eq "bjensen"`.
std::string to_string(const filter_node& f);

// GitHub's list filters: exactly one `attr eq value`, attr in `allowed`
// (compared case-insensitively; the returned attribute is the allowed spelling).
// Anything else -> invalid_filter() whose detail says what is unsupported, e.g.
// "Unsupported operator 'co': only 'eq' is supported", "Multiple filters are not supported",
// "Unsupported filter attribute 'emails'; supported: userName, externalId, id, displayName".
struct simple_eq {
  std::string attr;
  std::string value;  // a non-string literal is rendered as its JSON text (true, 42)
};
result<simple_eq> parse_list_filter(std::string_view text, std::span<const std::string_view> allowed);

}  // namespace emuscim::scim
