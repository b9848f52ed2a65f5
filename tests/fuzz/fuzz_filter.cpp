// libFuzzer target: the RFC 7644 §3.4.2.2 filter parser (emuscim/scim/filter.hpp).
// Input: the filter text, as the HTTP layer hands it over after percent-decoding.
// Invariants:
//   * parse_filter never throws; a rejection is a 400 invalidFilter with a detail;
//   * a parsed filter prints (to_string) to text that parses again and prints the same, and both
//     trees give the same matches() answer on every fixed object below;
//   * matches() never throws, and not(f) answers the opposite of f;
//   * parse_list_filter (GET /Users, /Groups) never throws and returns only an allowed attribute.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/filter.hpp"
#include "fuzz_common.hpp"

namespace {

using nlohmann::json;
using namespace emuscim;

// The objects a filter is evaluated against: a full User as RFC 7643 §8.2 and Entra shape it
// (enterprise extension, string booleans, numbers, nulls), and the elements a PATCH value path
// filters (emails[], roles[], members[]).
const std::vector<json>& objects() {
  static const std::vector<json> objs = [] {
    const json user = json::parse(R"json({
      "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      "id": "2819c223-7f76-453a-919d-413861904646",
      "externalId": "701984",
      "userName": "bjensen@example.com",
      "active": true,
      "displayName": "Babs Jensen",
      "nickName": "",
      "title": null,
      "age": 42,
      "score": -1.5,
      "big": 18446744073709551615,
      "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara"},
      "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                 {"value": "babs@jensen.org", "type": "home"},
                 "bare@example.net"],
      "roles": [{"value": "User", "primary": "True", "display": "User"}, {"value": "Admin", "primary": false}],
      "x509Certificates": [],
      "groups": [{"value": "e9e30dba-f08f-4109-8486-d5c6a331660a", "$ref": "../Groups/e9e30dba", "display": "Tour Guides"}],
      "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z",
               "version": "W/\"3694e05e9dff591\""},
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
        "employeeNumber": "701984", "department": "Tour Operations",
        "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}}
    })json");
    std::vector<json> out{user};
    for (const auto& e : user["emails"]) out.push_back(e.is_object() ? e : json{{"value", e}});
    for (const auto& r : user["roles"]) out.push_back(r);
    out.push_back(json{{"value", "0db508eb-91e2-46e4-809c-30dcbda0c685"}, {"display", "Mona"}, {"$ref", nullptr}});
    out.push_back(json::object());
    return out;
  }();
  return objs;
}

constexpr std::array<std::string_view, 4> user_filter_attrs = {"userName", "externalId", "id", "displayName"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);

  auto list = FUZZ_NO_THROW(scim::parse_list_filter(text, user_filter_attrs));
  if (list) {
    bool allowed = false;
    for (auto a : user_filter_attrs) allowed = allowed || list->attr == a;
    FUZZ_CHECK(allowed, "parse_list_filter returned attribute '" + list->attr + "'");
  } else {
    fuzz::check_client_error(list.error(), "parse_list_filter");
  }

  auto parsed = FUZZ_NO_THROW(scim::parse_filter(text));
  if (!parsed) {
    fuzz::check_client_error(parsed.error(), "parse_filter");
    FUZZ_CHECK(parsed.error().scim_type == "invalidFilter", "parse_filter error " + fuzz::describe(parsed.error()));
    return 0;
  }
  FUZZ_CHECK(*parsed != nullptr, "parse_filter returned a null filter");
  const scim::filter_node& f = **parsed;

  const std::string printed = FUZZ_NO_THROW(scim::to_string(f));
  // Printing escapes control characters (one byte becomes \u00XX), so an accepted filter near
  // the length limit can print longer than the limit: that text is rightly refused again.
  if (printed.size() > scim::max_filter_length) return 0;
  auto again = FUZZ_NO_THROW(scim::parse_filter(printed));
  FUZZ_CHECK(again.has_value(), "to_string output does not parse: [" + printed + "]: " +
                                    (again ? std::string() : fuzz::describe(again.error())));
  FUZZ_CHECK(*again != nullptr, "re-parse returned a null filter");
  const std::string reprinted = FUZZ_NO_THROW(scim::to_string(**again));
  FUZZ_CHECK(printed == reprinted, "round trip changed the filter: [" + printed + "] -> [" + reprinted + "]");

  const scim::filter_node negated{scim::negation{*parsed}};
  for (const json& obj : objects()) {
    const bool m = FUZZ_NO_THROW(scim::matches(f, obj));
    const bool m2 = FUZZ_NO_THROW(scim::matches(**again, obj));
    FUZZ_CHECK(m == m2, "matches() differs after a round trip through [" + printed + "] on " + obj.dump());
    const bool n = FUZZ_NO_THROW(scim::matches(negated, obj));
    FUZZ_CHECK(n == !m, "not (" + printed + ") does not negate on " + obj.dump());
  }
  return 0;
}
