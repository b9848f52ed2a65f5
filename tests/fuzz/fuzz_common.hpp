#pragma once
// Shared helpers for the libFuzzer targets in tests/fuzz (see docs/FUZZING.md).
// Every target checks invariants with FUZZ_CHECK, which prints what broke and aborts, so
// libFuzzer records the input as a crash. Exceptions escaping the code under test are
// reported the same way (FUZZ_NO_THROW).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/json_depth.hpp"
#include "emuscim/scim/user.hpp"

namespace emuscim::fuzz {

[[noreturn]] inline void fail_check(const char* file, int line, const char* cond, const std::string& what) {
  std::fprintf(stderr, "\n==FUZZ INVARIANT== %s:%d: %s\n  %s\n", file, line, cond, what.c_str());
  std::fflush(stderr);
  std::abort();
}

#define FUZZ_CHECK(cond, what)                                                      \
  do {                                                                              \
    if (!(cond)) ::emuscim::fuzz::fail_check(__FILE__, __LINE__, #cond, (what));    \
  } while (0)

// Runs `expr`; an exception escaping it is an invariant failure (the scim module returns
// errors as values and must not throw on any input).
#define FUZZ_NO_THROW(expr)                                                                              \
  [&]() -> decltype(auto) {                                                                              \
    try {                                                                                                \
      return expr;                                                                                       \
    } catch (const std::exception& e) {                                                                  \
      ::emuscim::fuzz::fail_check(__FILE__, __LINE__, #expr, std::string("threw: ") + e.what());        \
    } catch (...) {                                                                                      \
      ::emuscim::fuzz::fail_check(__FILE__, __LINE__, #expr, "threw a non-std exception");              \
    }                                                                                                    \
  }()

inline std::string describe(const scim::error& e) {
  return std::to_string(e.status) + " " + e.scim_type + ": " + e.detail;
}

// A client error is a well-formed 4xx SCIM error with a detail a person can read.
inline void check_client_error(const scim::error& e, std::string_view context) {
  FUZZ_CHECK(e.status >= 400 && e.status < 500, std::string(context) + " returned " + describe(e));
  FUZZ_CHECK(!e.detail.empty(), std::string(context) + " returned an error without a detail");
}

// The functions under test wrap their bodies in catch (nlohmann::json::exception) and answer
// with these details; the comments there say the branch is unreachable. Reaching it means a
// nlohmann exception was thrown (a missed type check), so the fuzzer reports it.
inline bool is_swallowed_exception(const scim::error& e) {
  return e.detail == "The User could not be read" || e.detail == "The Group could not be read" ||
         e.detail == "The PATCH body could not be read" || e.detail == "The PATCH could not be applied to the User" ||
         e.detail == "The PATCH could not be applied to the Group";
}

// The HTTP layer's bound (emuscim/scim/json_depth.hpp): bodies nested deeper never reach the
// scim module, so inputs beyond it are skipped, not reported.
using emuscim::scim::json_depth;
using emuscim::scim::max_json_depth;

// Parses a request body the way the HTTP layer does; discarded when it is not JSON or too deep.
inline nlohmann::json parse_body(std::string_view text) {
  if (json_depth(text) > max_json_depth) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline const scim::resource_meta& sample_meta() {
  static const scim::resource_meta meta{"0f1e2d3c4b5a69788796a5b4c3d2e1f0", "2012-03-27T19:59:26.000Z",
                                        "2024-11-02T08:15:00.000Z",
                                        "https://localhost/scim/v2/enterprises/octo/Users/0f1e2d3c4b5a69788796a5b4c3d2e1f0"};
  return meta;
}

// A stored (canonical) user as Entra provisions it: every attribute GitHub keeps, two emails, two roles.
inline const nlohmann::json& sample_user() {
  static const nlohmann::json doc = nlohmann::json::parse(R"json({
    "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee@contoso.com",
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "active": true,
    "displayName": "Mona Lisa Octocat",
    "name": {"formatted": "Mona Lisa Octocat", "familyName": "Octocat", "givenName": "Mona",
             "middleName": "Lisa", "honorificPrefix": "Dr.", "honorificSuffix": "III"},
    "emails": [{"value": "mona@contoso.com", "type": "work", "primary": true, "display": "Mona (work)"},
               {"value": "mona@example.org", "type": "home", "primary": false}],
    "roles": [{"value": "User", "type": "WindowsAzureActiveDirectoryRole", "primary": true, "display": "User"},
              {"value": "enterprise_owner", "primary": false}]
  })json");
  return doc;
}

// A stored (canonical) group document, as Entra provisions it.
inline const nlohmann::json& sample_group() {
  static const nlohmann::json doc = nlohmann::json::parse(
      R"json({"displayName": "Engineering", "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"})json");
  return doc;
}

// The canonical user document of emuscim/scim/user.hpp: only the stored keys, no nulls,
// `userName` a non-empty string, `active` a boolean, `name` a non-empty object of string parts,
// `emails`/`roles` arrays of items with a non-empty string `value` and only value/type/primary/display.
inline void check_canonical_user(const nlohmann::json& doc, std::string_view context) {
  const std::string ctx(context);
  FUZZ_CHECK(doc.is_object(), ctx + ": not an object: " + doc.dump());
  for (const auto& [key, v] : doc.items()) {
    FUZZ_CHECK(key == "userName" || key == "externalId" || key == "active" || key == "displayName" || key == "name" ||
                   key == "emails" || key == "roles",
               ctx + ": unexpected key '" + key + "' in " + doc.dump());
    FUZZ_CHECK(!v.is_null(), ctx + ": null '" + key + "' in " + doc.dump());
  }
  const auto non_empty_string = [](const nlohmann::json& v) {
    return v.is_string() && !v.get_ref<const std::string&>().empty();
  };
  FUZZ_CHECK(doc.contains("userName") && non_empty_string(doc["userName"]), ctx + ": bad userName in " + doc.dump());
  FUZZ_CHECK(doc.contains("active") && doc["active"].is_boolean(), ctx + ": bad active in " + doc.dump());
  for (const char* key : {"externalId", "displayName"}) {
    FUZZ_CHECK(!doc.contains(key) || non_empty_string(doc[key]), ctx + ": bad " + key + " in " + doc.dump());
  }
  if (doc.contains("name")) {
    const auto& name = doc["name"];
    FUZZ_CHECK(name.is_object() && !name.empty(), ctx + ": bad name in " + doc.dump());
    for (const auto& [key, v] : name.items()) {
      FUZZ_CHECK(key == "formatted" || key == "familyName" || key == "givenName" || key == "middleName" ||
                     key == "honorificPrefix" || key == "honorificSuffix",
                 ctx + ": unexpected name part '" + key + "' in " + doc.dump());
      FUZZ_CHECK(non_empty_string(v), ctx + ": bad name." + key + " in " + doc.dump());
    }
  }
  for (const char* attr : {"emails", "roles"}) {
    if (!doc.contains(attr)) continue;
    const auto& items = doc[attr];
    FUZZ_CHECK(items.is_array(), ctx + ": " + attr + " is not an array in " + doc.dump());
    for (const auto& item : items) {
      FUZZ_CHECK(item.is_object() && item.contains("value") && non_empty_string(item["value"]),
                 ctx + ": bad " + attr + " item " + item.dump());
      for (const auto& [key, v] : item.items()) {
        FUZZ_CHECK(key == "value" || key == "type" || key == "primary" || key == "display",
                   ctx + ": unexpected key '" + key + "' in " + attr + " item " + item.dump());
        FUZZ_CHECK(key == "primary" ? v.is_boolean() : non_empty_string(v),
                   ctx + ": bad " + attr + "." + key + " in " + item.dump());
      }
    }
  }
}

// Every member of a rendered resource is one of `order` (GitHub's member order, schemas first,
// meta last), and they come in that order.
inline void check_member_order(const nlohmann::ordered_json& rendered, std::initializer_list<std::string_view> order,
                               std::string_view context) {
  auto next = order.begin();
  for (const auto& [key, v] : rendered.items()) {
    (void)v;
    next = std::find(next, order.end(), key);
    FUZZ_CHECK(next != order.end(), std::string(context) + ": member '" + key + "' unknown or out of order in " +
                                        rendered.dump());
  }
}

// A canonical document is a fixed point: canonical_user(doc, mode, patched) accepts it and returns it
// unchanged, and render_user accepts it and renders it in GitHub's member order.
inline void check_user_fixed_point(const nlohmann::json& doc, scim::validation_mode mode, std::string_view context) {
  const std::string ctx(context);
  check_canonical_user(doc, ctx);
  auto again = FUZZ_NO_THROW(scim::canonical_user(doc, mode, scim::user_use::patched));
  FUZZ_CHECK(again.has_value(), ctx + ": canonical document rejected by canonical_user(patched): " +
                                    (again ? std::string() : describe(again.error())) + " doc " + doc.dump());
  FUZZ_CHECK(*again == doc, ctx + ": canonical_user is not idempotent: " + doc.dump() + " -> " + again->dump());
  const auto rendered = FUZZ_NO_THROW(scim::render_user(doc, sample_meta()));
  FUZZ_CHECK(rendered.is_object() && rendered.contains("schemas") && rendered.contains("emails") &&
                 rendered["emails"].is_array() && rendered["active"].is_boolean() && rendered.contains("meta"),
             ctx + ": render_user output " + rendered.dump());
  FUZZ_CHECK(nlohmann::json(rendered["userName"]) == doc["userName"], ctx + ": render_user lost userName");
  check_member_order(rendered,
                     {"schemas", "id", "externalId", "active", "userName", "name", "displayName", "emails", "roles",
                      "meta"},
                     ctx + ": render_user");
}

}  // namespace emuscim::fuzz
