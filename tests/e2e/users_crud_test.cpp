// Users: create, read, replace, delete, meta, uniqueness of userName/externalId, tolerated
// input, required attributes (default and --strict). github-emu-scim.md §2, §7, §9, §13.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <regex>
#include <set>
#include <ostream>
#include <string>
#include <thread>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class UsersCrud : public e2e_suite {};

std::string location_pattern(std::string_view host, std::string_view resource, std::string_view id) {
  // https?://<Host>/scim/v2/enterprises/acme/<resource>/<id>
  std::string h;
  for (char c : host) {
    if (c == '.') h += "\\.";
    else h.push_back(c);
  }
  return "^https?://" + h + "/scim/v2/enterprises/acme/" + std::string(resource) + "/" + std::string(id) + "$";
}

TEST_F(UsersCrud, createReturns201WithLocationEqualToMetaLocation) {
  auto name = unique("crud.create");
  auto r = scim.post("Users", make_user(name, "ext-" + name));
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_TRUE(has_scim_content_type(r));
  auto u = r.json();
  const std::string id = u.value("id", "");
  ASSERT_FALSE(id.empty()) << r;
  ASSERT_TRUE(u.contains("meta") && u["meta"].contains("location")) << r;
  EXPECT_EQ(r.header("location"), u["meta"]["location"].get<std::string>()) << "Location header != meta.location";
  const std::string host = "127.0.0.1:" + std::to_string(server().port());
  EXPECT_TRUE(std::regex_match(r.header("location"), std::regex(location_pattern(host, "Users", id))))
      << "Location '" << r.header("location") << "' is not https?://" << host << "/scim/v2/enterprises/acme/Users/" << id;
}

TEST_F(UsersCrud, createIdIsLowerCaseUuidV4) {
  std::set<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = create_user_id(unique("crud.uuid"));
    ASSERT_FALSE(id.empty());
    EXPECT_TRUE(is_uuid_v4(id)) << "id '" << id << "' is not a lower-case UUID v4";
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 3u) << "ids must differ";
}

TEST_F(UsersCrud, createLocationFollowsHostHeader) {
  // meta.location and Location are built from the request's Host (no public_url configured).
  auto name = unique("crud.host");
  auto r = scim.post("Users", make_user(name, "ext-" + name), {{"host", "scim.example.test"}});
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json().value("id", "");
  EXPECT_TRUE(std::regex_match(r.header("location"), std::regex(location_pattern("scim.example.test", "Users", id))))
      << r.header("location");
  EXPECT_EQ(r.header("location"), r.json()["meta"].value("location", ""));
}

TEST_F(UsersCrud, createEchoesTheUser) {
  auto name = unique("crud.echo");
  auto body = make_user(name, "ext-" + name, {.display_name = "Mona Lisa", .email = "mona@example.com"});
  auto u = create_user(body);
  ASSERT_TRUE(u.is_object());
  EXPECT_EQ(u["userName"], name);
  EXPECT_EQ(u["externalId"], "ext-" + name);
  EXPECT_EQ(u["displayName"], "Mona Lisa");
  EXPECT_EQ(u["active"], true);
  EXPECT_EQ(u["name"]["givenName"], "Mona");
  EXPECT_EQ(u["name"]["familyName"], "Octocat");
  ASSERT_TRUE(u["emails"].is_array()) << u.dump();
  ASSERT_EQ(u["emails"].size(), 1u) << u.dump();
  EXPECT_EQ(u["emails"][0]["value"], "mona@example.com");
  EXPECT_EQ(u["emails"][0]["type"], "work");
  EXPECT_EQ(u["emails"][0]["primary"], true);
  ASSERT_TRUE(u["schemas"].is_array());
  EXPECT_NE(std::find(u["schemas"].begin(), u["schemas"].end(), json(user_schema)), u["schemas"].end()) << u.dump();
}

TEST_F(UsersCrud, createMinimalUserDefaultsActiveAndEmails) {
  // Default mode needs only userName + externalId; the response still carries every attribute
  // GitHub's response schema requires: active defaults to true, emails is [] (§7).
  auto name = unique("crud.min");
  auto u = create_user(make_minimal_user(name, "ext-" + name));
  ASSERT_TRUE(u.is_object());
  EXPECT_EQ(u["active"], true) << u.dump();
  EXPECT_EQ(u["emails"], json::array()) << u.dump();
  EXPECT_TRUE(u.contains("id") && u.contains("meta") && u.contains("schemas")) << u.dump();
}

TEST_F(UsersCrud, metaHasResourceTypeAndRfc3339Timestamps) {
  auto name = unique("crud.meta");
  auto u = create_user(make_user(name, "ext-" + name));
  ASSERT_TRUE(u.is_object());
  const auto& meta = u["meta"];
  EXPECT_EQ(meta["resourceType"], "User") << u.dump();
  ASSERT_TRUE(meta["created"].is_string()) << u.dump();
  ASSERT_TRUE(meta["lastModified"].is_string()) << u.dump();
  EXPECT_TRUE(is_rfc3339_millis_utc(meta["created"].get<std::string>())) << meta["created"];
  EXPECT_TRUE(is_rfc3339_millis_utc(meta["lastModified"].get<std::string>())) << meta["lastModified"];
}

TEST_F(UsersCrud, getReturns200WithTheSameResource) {
  auto name = unique("crud.get");
  auto created = create_user(make_user(name, "ext-" + name));
  ASSERT_TRUE(created.is_object());
  auto r = scim.get("Users/" + created["id"].get<std::string>());
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(has_scim_content_type(r));
  EXPECT_EQ(r.json(), created) << "GET must return what POST returned";
}

TEST_F(UsersCrud, getUnknownIdIs404) {
  // PingFederate's connection check is GET /Users/0 (§2).
  for (const auto& id : {std::string("0"), random_uuid(), std::string("not-a-uuid")}) {
    auto r = scim.get("Users/" + id);
    EXPECT_TRUE(is_scim_error(r, 404)) << "GET Users/" << id;
  }
}

TEST_F(UsersCrud, putReplacesTheUser) {
  auto name = unique("crud.put");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto body = make_user(name, "ext-" + name, {.display_name = "Replaced Name", .email = "replaced@example.com",
                                              .given_name = "Ada", .family_name = "Lovelace"});
  auto r = scim.put("Users/" + id, body);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(has_scim_content_type(r));
  auto u = r.json();
  EXPECT_EQ(u["id"], id);
  EXPECT_EQ(u["displayName"], "Replaced Name");
  EXPECT_EQ(u["name"]["givenName"], "Ada");
  EXPECT_EQ(u["emails"][0]["value"], "replaced@example.com");
  EXPECT_EQ(get_user(id), u) << "GET after PUT must show the replaced user";
}

TEST_F(UsersCrud, putRemovesOmittedOptionalAttributes) {
  // PUT is a full replace: what the client leaves out is removed (§9).
  auto name = unique("crud.putrm");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto body = make_minimal_user(name, "ext-" + name);
  auto r = scim.put("Users/" + id, body);
  ASSERT_EQ(r.status, 200) << r;
  auto u = get_user(id);
  EXPECT_TRUE(!u.contains("displayName") || u["displayName"].is_null()) << u.dump();
  EXPECT_TRUE(!u.contains("name") || u["name"].is_null() || u["name"].empty()) << u.dump();
  EXPECT_EQ(u["emails"], json::array()) << u.dump();
}

TEST_F(UsersCrud, putKeepsExternalIdWhenOmitted) {
  // Okta's PUT has no externalId; the stored one is kept (§7, §9).
  auto name = unique("crud.putext");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto body = make_user(name, "ignored");
  body.erase("externalId");
  auto r = scim.put("Users/" + id, body);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["externalId"], "ext-" + name);
}

TEST_F(UsersCrud, putIgnoresIdAndMetaInTheBody) {
  // Okta's PUT echoes id/meta/groups; they are read-only and ignored (§7).
  auto name = unique("crud.putro");
  auto created = create_user(make_user(name, "ext-" + name));
  ASSERT_TRUE(created.is_object());
  const std::string id = created["id"];
  auto body = make_user(name, "ext-" + name);
  body["id"] = random_uuid();
  body["meta"] = {{"resourceType", "User"}, {"created", "2001-01-01T00:00:00.000Z"}};
  body["groups"] = json::array();
  auto r = scim.put("Users/" + id, body);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["id"], id);
  EXPECT_EQ(r.json()["meta"]["created"], created["meta"]["created"]);
}

TEST_F(UsersCrud, patchReturns200WithTheFullUser) {
  auto name = unique("crud.patch");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = scim.patch("Users/" + id, make_patch({patch_op("replace", "displayName", "Patched")}));
  ASSERT_EQ(r.status, 200) << r << " (PATCH /Users answers 200 with the user, never 204)";
  EXPECT_TRUE(has_scim_content_type(r));
  auto u = r.json();
  EXPECT_EQ(u["id"], id);
  EXPECT_EQ(u["userName"], name);
  EXPECT_EQ(u["externalId"], "ext-" + name);
  EXPECT_EQ(u["displayName"], "Patched");
  EXPECT_TRUE(u.contains("meta") && u.contains("schemas") && u.contains("emails") && u.contains("active")) << u.dump();
}

TEST_F(UsersCrud, deleteReturns204ThenGet404AndNotListed) {
  auto name = unique("crud.del");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = scim.del("Users/" + id);
  EXPECT_EQ(r.status, 204) << r;
  EXPECT_TRUE(r.body.empty()) << r;
  EXPECT_TRUE(is_scim_error(scim.get("Users/" + id), 404));

  auto by_name = scim.get(users_filter("userName eq \"" + name + "\""));
  ASSERT_TRUE(is_list_response(by_name));
  EXPECT_EQ(by_name.json()["totalResults"], 0) << by_name;

  auto all = scim.get("Users?count=100");
  ASSERT_TRUE(is_list_response(all));
  for (int start = 1; start <= all.json()["totalResults"].get<int>(); start += 100) {
    auto page = scim.get("Users?count=100&startIndex=" + std::to_string(start));
    ASSERT_TRUE(is_list_response(page));
    auto ids = resource_ids(page.json());
    EXPECT_EQ(std::find(ids.begin(), ids.end(), id), ids.end()) << "deleted user still listed";
  }
}

TEST_F(UsersCrud, updatesAndDeleteOfUnknownIdAre404) {
  const auto id = random_uuid();
  auto name = unique("crud.unk");
  EXPECT_TRUE(is_scim_error(scim.put("Users/" + id, make_user(name, "ext-" + name)), 404));
  EXPECT_TRUE(is_scim_error(scim.patch("Users/" + id, make_patch({patch_op("replace", "displayName", "x")})), 404));
  EXPECT_TRUE(is_scim_error(scim.del("Users/" + id), 404));
  // PUT to an unknown id must not create it either.
  EXPECT_TRUE(is_scim_error(scim.get("Users/" + id), 404));
}

TEST_F(UsersCrud, deleteTwiceIs404AndEveryCallOnTheIdIs404) {
  auto name = unique("crud.del2");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(scim.del("Users/" + id).status, 204);
  EXPECT_TRUE(is_scim_error(scim.del("Users/" + id), 404));
  EXPECT_TRUE(is_scim_error(scim.put("Users/" + id, make_user(name, "ext-" + name)), 404));
  EXPECT_TRUE(is_scim_error(scim.patch("Users/" + id, make_patch({patch_op("replace", "displayName", "x")})), 404));
}

TEST_F(UsersCrud, lastModifiedChangesOnUpdateCreatedDoesNot) {
  auto name = unique("crud.lm");
  auto created = create_user(make_user(name, "ext-" + name));
  ASSERT_TRUE(created.is_object());
  const std::string id = created["id"];
  // Timestamps may have whole-second resolution ("...:05.000Z").
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto r = scim.patch("Users/" + id, make_patch({patch_op("replace", "displayName", "Later")}));
  ASSERT_EQ(r.status, 200) << r;
  auto after_patch = r.json();
  EXPECT_EQ(after_patch["meta"]["created"], created["meta"]["created"]);
  EXPECT_NE(after_patch["meta"]["lastModified"], created["meta"]["lastModified"]);
  EXPECT_GT(after_patch["meta"]["lastModified"].get<std::string>(), created["meta"]["lastModified"].get<std::string>());

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto put = scim.put("Users/" + id, make_user(name, "ext-" + name, {.display_name = "Even Later"}));
  ASSERT_EQ(put.status, 200) << put;
  EXPECT_EQ(put.json()["meta"]["created"], created["meta"]["created"]);
  EXPECT_GT(put.json()["meta"]["lastModified"].get<std::string>(), after_patch["meta"]["lastModified"].get<std::string>());
  EXPECT_EQ(get_user(id)["meta"], put.json()["meta"]);
}

// --- uniqueness -------------------------------------------------------------------------------

TEST_F(UsersCrud, duplicateUserNameIs409) {
  auto name = unique("crud.dupname");
  ASSERT_FALSE(create_user_id(name).empty());
  auto r = scim.post("Users", make_user(name, "other-" + name));
  EXPECT_TRUE(is_scim_error(r, 409, "uniqueness"));
}

TEST_F(UsersCrud, duplicateUserNameDifferingInCaseIs409) {
  auto name = unique("crud.DupCase");
  ASSERT_FALSE(create_user_id(name).empty());
  std::string upper;
  for (char c : name) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  auto r = scim.post("Users", make_user(upper, "other-" + name));
  EXPECT_TRUE(is_scim_error(r, 409, "uniqueness"));
}

TEST_F(UsersCrud, duplicateExternalIdIs409) {
  auto a = unique("crud.dupext");
  auto b = unique("crud.dupext");
  ASSERT_FALSE(create_user_id(a).empty());
  auto r = scim.post("Users", make_user(b, "ext-" + a));
  EXPECT_TRUE(is_scim_error(r, 409, "uniqueness"));
  EXPECT_EQ(scim.get(users_filter("userName eq \"" + b + "\"")).json()["totalResults"], 0) << "409 must not create";
}

TEST_F(UsersCrud, putCollidingWithAnotherUserIs409AndChangesNothing) {
  auto a = unique("crud.puta");
  auto b = unique("crud.putb");
  auto id_a = create_user_id(a);
  auto id_b = create_user_id(b);
  ASSERT_FALSE(id_a.empty());
  ASSERT_FALSE(id_b.empty());
  EXPECT_TRUE(is_scim_error(scim.put("Users/" + id_b, make_user(a, "ext-" + b)), 409, "uniqueness")) << "userName of A";
  EXPECT_TRUE(is_scim_error(scim.put("Users/" + id_b, make_user(b, "ext-" + a)), 409, "uniqueness")) << "externalId of A";
  auto u = get_user(id_b);
  EXPECT_EQ(u["userName"], b);
  EXPECT_EQ(u["externalId"], "ext-" + b);
}

TEST_F(UsersCrud, putMayChangeExternalIdWhenUnique) {
  auto name = unique("crud.newext");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = scim.put("Users/" + id, make_user(name, "new-ext-" + name));
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["externalId"], "new-ext-" + name);
}

// --- tolerated input (§7 "always ignored") ------------------------------------------------------

struct tolerated_case {
  const char* name;
  json extra;  // merged into a valid user body
};
// Readable test names in ctest and failure messages.
void PrintTo(const tolerated_case& p, std::ostream* os) { *os << p.name; }

class UsersTolerated : public e2e_suite, public ::testing::WithParamInterface<tolerated_case> {};

TEST_P(UsersTolerated, createAccepts) {
  auto name = unique("tol");
  auto body = make_user(name, "ext-" + name);
  for (const auto& [key, value] : GetParam().extra.items()) body[key] = value;  // keeps nulls
  auto r = scim.post("Users", body);
  ASSERT_EQ(r.status, 201) << r;
  auto u = r.json();
  EXPECT_EQ(u["userName"], name);
  EXPECT_TRUE(is_uuid_v4(u.value("id", ""))) << "a body id must be ignored: " << u.dump();
  EXPECT_FALSE(u.contains("password")) << "password must never be echoed: " << u.dump();
}

INSTANTIATE_TEST_SUITE_P(
    E2e, UsersTolerated,
    ::testing::Values(
        tolerated_case{"unknownAttributes", {{"nickName", "mona"}, {"title", "Boss"}, {"locale", "en-US"}, {"x-custom", {{"a", 1}}}}},
        tolerated_case{"nullValues", {{"nickName", nullptr}, {"title", nullptr}, {"preferredLanguage", nullptr}}},
        tolerated_case{"metaAndId", {{"id", "11111111-1111-4111-8111-111111111111"}, {"meta", {{"resourceType", "User"}}}}},
        tolerated_case{"unknownSchemaUrns",
                       {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User",
                                     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                                     "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"}},
                        {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", {{"employeeNumber", "701984"}}},
                        {"urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User", {{"x", "y"}}}}},
        tolerated_case{"password", {{"password", "t1meMa$heen"}}},
        tolerated_case{"groups", {{"groups", json::array({{{"value", "11111111-1111-4111-8111-111111111111"}}})}}},
        tolerated_case{"emptyRoles", {{"roles", json::array()}}},
        tolerated_case{"emailDisplay", {{"emails", json::array({{{"value", "d@example.com"}, {"type", "work"},
                                                                  {"primary", true}, {"display", "d@example.com"}}})}}}),
    [](const ::testing::TestParamInfo<tolerated_case>& tpi) { return std::string(tpi.param.name); });

TEST_F(UsersCrud, createAcceptsEntraExampleWithNulls) {
  // requests/entra/01b_create_user_example2_with_nulls.json, with fresh names.
  auto name = unique("crud.entra") + "@contoso.com";
  json body = json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "active": true,
    "displayName": "Test User",
    "emails": [{"primary": true, "type": "work", "value": "Test_User@contoso.com"}],
    "meta": {"resourceType": "User"},
    "name": {"familyName": "User", "givenName": "Test", "formatted": null},
    "title": null,
    "addresses": [{"formatted": null, "country": null, "type": "work"}],
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": null, "department": null,
                                                                   "manager": {"value": null}}
  })");
  body["userName"] = name;
  body["externalId"] = random_uuid();
  auto r = scim.post("Users", body);
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(r.json()["userName"], name);
}

// --- required attributes ------------------------------------------------------------------------

class UsersRequired : public e2e_suite, public ::testing::WithParamInterface<std::string> {};

TEST_P(UsersRequired, createWithoutItIs400InvalidValueNamingIt) {
  // Default mode: POST needs userName and externalId (§7).
  auto name = unique("req");
  auto body = make_user(name, "ext-" + name);
  body.erase(GetParam());
  auto r = scim.post("Users", body);
  ASSERT_TRUE(is_scim_error(r, 400, "invalidValue"));
  EXPECT_NE(r.json().value("detail", "").find(GetParam()), std::string::npos)
      << "detail should name the missing attribute '" << GetParam() << "': " << r;
}

INSTANTIATE_TEST_SUITE_P(E2e, UsersRequired, ::testing::Values("userName", "externalId"));

TEST_F(UsersCrud, createWithOnlyOptionalAttributesMissingSucceedsInDefaultMode) {
  // Entra's generic create has no displayName; emails/name/active are optional too (§7).
  auto name = unique("crud.opt");
  auto body = make_user(name, "ext-" + name);
  for (const char* k : {"displayName", "emails", "name", "active"}) body.erase(k);
  auto r = scim.post("Users", body);
  EXPECT_EQ(r.status, 201) << r;
}

TEST_F(UsersCrud, createWithEmptyOrNonStringUserNameIs400) {
  for (const json& bad : {json(""), json(42), json(nullptr), json::array({"a"})}) {
    auto name = unique("crud.badun");
    auto body = make_user(name, "ext-" + name);
    body["userName"] = bad;
    auto r = scim.post("Users", body);
    EXPECT_TRUE(is_scim_error(r, 400)) << "userName " << bad.dump();
  }
}

class UsersStrict : public e2e_suite, public ::testing::WithParamInterface<std::string> {
 public:
  static void SetUpTestSuite() { start_suite_server({.extra_args = {"--strict"}}); }
};

TEST_P(UsersStrict, createWithoutItIs400) {
  // `serve --strict` enforces GitHub's published required list (§7).
  auto name = unique("strict");
  auto body = make_user(name, "ext-" + name);
  body.erase(GetParam());
  auto r = scim.post("Users", body);
  EXPECT_TRUE(is_scim_error(r, 400)) << "strict mode must reject a user without " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(E2e, UsersStrict,
                         ::testing::Values("schemas", "externalId", "userName", "active", "displayName", "emails"));

TEST_F(UsersCrud, strictModeAcceptsTheCompleteUser) {
  // Sanity check for UsersStrict: make_user() is GitHub's complete shape (same body, strict server).
  server_process strict({.extra_args = {"--strict"}});
  client c(strict);
  auto name = unique("strict.ok");
  auto r = c.post("Users", make_user(name, "ext-" + name));
  EXPECT_EQ(r.status, 201) << r;
}

}  // namespace
}  // namespace emuscim::test
