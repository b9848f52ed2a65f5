// PATCH /Users/{id}: every dialect Entra and Okta send, suspend forms, roles, atomicity.
// github-emu-scim.md §10, §11; idp-clients.md §1.4, §1.5, §4.

#include <ostream>
#include <string>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class UsersPatch : public e2e_suite {
 protected:
  reply patch_user(std::string_view id, json operations) {
    return scim.patch("Users/" + std::string(id), make_patch(std::move(operations)));
  }
  // The user as listed by GET /Users?filter=userName eq ... (to check it is still listed).
  json listed(std::string_view user_name) {
    auto r = scim.get(users_filter("userName eq \"" + std::string(user_name) + "\""));
    EXPECT_TRUE(is_list_response(r));
    auto j = r.status == 200 ? r.json() : json::object();
    EXPECT_EQ(j.value("totalResults", -1), 1) << "user " << user_name << " must be listed exactly once: " << r;
    return j.contains("Resources") && !j["Resources"].empty() ? j["Resources"][0] : json();
  }
};

// --- op names and paths -------------------------------------------------------------------------

class UsersPatchOpCase : public UsersPatch, public ::testing::WithParamInterface<std::string> {};

TEST_P(UsersPatchOpCase, opIsCaseInsensitive) {
  auto name = unique("op");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = patch_user(id, {patch_op(GetParam(), "displayName", "Op " + GetParam())});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["displayName"], "Op " + GetParam());
  EXPECT_EQ(get_user(id)["displayName"], "Op " + GetParam());
}

INSTANTIATE_TEST_SUITE_P(E2e, UsersPatchOpCase,
                         ::testing::Values("replace", "Replace", "REPLACE", "rEpLaCe", "add", "Add", "ADD"));

TEST_F(UsersPatch, filteredEmailPathReplacesOnlyTheMatchingElement) {
  // GitHub's userMultiValuedProperties example, and Entra's update (requests/entra/04).
  auto name = unique("pt.email");
  auto body = make_user(name, "ext-" + name);
  body["emails"] = json::parse(R"([{"value":"work@example.com","type":"work","primary":true},
                                    {"value":"home@example.com","type":"home","primary":false}])");
  auto created = create_user(body);
  ASSERT_TRUE(created.is_object());
  const std::string id = created["id"];
  auto r = patch_user(id, {patch_op("Replace", "emails[type eq \"work\"].value", "updated@example.com"),
                           patch_op("Replace", "name.familyName", "updatedFamilyName")});
  ASSERT_EQ(r.status, 200) << r;
  auto u = get_user(id);
  ASSERT_EQ(u["emails"].size(), 2u) << u.dump();
  for (const auto& e : u["emails"]) {
    if (e["type"] == "work") {
      EXPECT_EQ(e["value"], "updated@example.com") << u.dump();
    } else if (e["type"] == "home") {
      EXPECT_EQ(e["value"], "home@example.com") << u.dump();
    }
  }
  EXPECT_EQ(u["name"]["familyName"], "updatedFamilyName");
  EXPECT_EQ(u["name"]["givenName"], "Mona") << "sibling sub-attributes are kept";
}

TEST_F(UsersPatch, filteredEmailPathWithSingleQuotes) {
  // GitHub's own example uses emails[type eq 'work'].value.
  auto name = unique("pt.sq");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = patch_user(id, {patch_op("replace", "emails[type eq 'work'].value", "sq@example.com")});
  ASSERT_EQ(r.status, 200) << r;
  auto u = get_user(id);
  ASSERT_EQ(u["emails"].size(), 1u) << u.dump();
  EXPECT_EQ(u["emails"][0]["value"], "sq@example.com");
  EXPECT_EQ(u["emails"][0]["type"], "work");
}

TEST_F(UsersPatch, filteredEmailPathWithoutMatchCreatesTheElement) {
  // §10 rule 4: add/replace with no match creates an element of that type.
  auto name = unique("pt.nomatch");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  // Start without any email.
  ASSERT_EQ(patch_user(id, {patch_op("remove", "emails")}).status, 200);
  auto r = patch_user(id, {patch_op("Replace", "emails[type eq \"work\"].value", "new@example.com"),
                           patch_op("Replace", "emails[type eq \"work\"].primary", true)});
  ASSERT_EQ(r.status, 200) << r;
  auto u = get_user(id);
  ASSERT_EQ(u["emails"].size(), 1u) << u.dump();
  EXPECT_EQ(u["emails"][0]["value"], "new@example.com");
  EXPECT_EQ(u["emails"][0]["type"], "work");
  EXPECT_EQ(u["emails"][0]["primary"], true);
}

TEST_F(UsersPatch, pathlessValueWithDottedKeysAppliesNested) {
  // requests/entra-quirks/06b; idp-clients.md §4 checklist 4.
  auto name = unique("pt.dotted");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = patch_user(id, {patch_op("add", std::nullopt,
                                    json{{"displayName", "Foo Bar"}, {"title", "Bar Foo"}, {"name.givenName", "Foo"},
                                         {"name.familyName", "Bar"}, {"name.formatted", "Foo Bar"}})});
  ASSERT_EQ(r.status, 200) << r;
  auto u = get_user(id);
  EXPECT_EQ(u["displayName"], "Foo Bar");
  EXPECT_EQ(u["name"]["givenName"], "Foo");
  EXPECT_EQ(u["name"]["familyName"], "Bar");
  EXPECT_FALSE(u.contains("name.givenName")) << "no literal dotted key: " << u.dump();
  EXPECT_FALSE(u.contains("name.familyName")) << u.dump();
}

TEST_F(UsersPatch, pathlessValueWithCoreUrnKeyApplies) {
  // §10 rule 3: keys may be URN-qualified.
  auto name = unique("pt.urn");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = patch_user(id, {patch_op("replace", std::nullopt,
                                    json{{"urn:ietf:params:scim:schemas:core:2.0:User:displayName", "Urn Name"}})});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(get_user(id)["displayName"], "Urn Name");
}

TEST_F(UsersPatch, enterpriseExtensionAndUnsupportedAttributesAreAcceptedAndIgnored) {
  // requests/entra-quirks/06d and 05c; §10 rule 7.
  auto name = unique("pt.ext");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = patch_user(id, {patch_op("Replace", "emails[type eq \"work\"].value", "adele@example.com"),
                           patch_op("Replace", "addresses[type eq \"work\"].formatted", "18/2111"),
                           patch_op("Add", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "Retail"),
                           patch_op("replace", "nickName", "Addy"), patch_op("replace", "title", "Boss"),
                           patch_op("add", std::nullopt,
                                    json{{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "7"},
                                         {"phoneNumbers", json::array({{{"value", "555"}, {"type", "work"}}})}})});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(get_user(id)["emails"][0]["value"], "adele@example.com") << "the supported op is still applied";
}

TEST_F(UsersPatch, removeOfAnOptionalAttributeClearsIt) {
  // §10 rule 8.
  auto name = unique("pt.rm");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = patch_user(id, {patch_op("remove", "displayName")});
  ASSERT_EQ(r.status, 200) << r;
  auto u = get_user(id);
  EXPECT_TRUE(!u.contains("displayName") || u["displayName"].is_null() || u["displayName"] == "") << u.dump();
}

TEST_F(UsersPatch, userNameRenameIsApplied) {
  // GitHub's userSingleValuedProperties example (§10, §12 renames).
  auto name = unique("pt.ren");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto new_name = unique("pt.renamed");
  auto r = patch_user(id, {patch_op("replace", "userName", new_name), patch_op("replace", "displayName", "Monalisa Octocat")});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["userName"], new_name);
  EXPECT_EQ(r.json()["displayName"], "Monalisa Octocat");
  auto old_lookup = scim.get(users_filter("userName eq \"" + name + "\""));
  EXPECT_EQ(old_lookup.json()["totalResults"], 0) << old_lookup;
}

TEST_F(UsersPatch, entraMultiOpWithPathlessReplaceOfActiveAndUserName) {
  // requests/entra-quirks/05e.
  auto name = unique("pt.multi");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto new_name = unique("pt.someone");
  auto r = patch_user(id, {patch_op("replace", "emails[type eq \"work\"].value", "someone@contoso.com"),
                           patch_op("replace", "emails[type eq \"work\"].primary", true),
                           patch_op("replace", std::nullopt, json{{"active", false}, {"userName", new_name}})});
  ASSERT_EQ(r.status, 200) << r;
  auto u = get_user(id);
  EXPECT_EQ(u["userName"], new_name);
  EXPECT_EQ(u["active"], false);
  EXPECT_EQ(u["emails"][0]["value"], "someone@contoso.com");
}

// --- suspend / reactivate -----------------------------------------------------------------------

struct suspend_case {
  const char* name;
  json operation;
};
// Readable test names in ctest and failure messages.
void PrintTo(const suspend_case& p, std::ostream* os) { *os << p.name; }

class UsersPatchSuspend : public UsersPatch, public ::testing::WithParamInterface<suspend_case> {};

TEST_P(UsersPatchSuspend, suspendsAndTheUserStaysListed) {
  // idp-clients.md §4 checklist 5: "False", "false" and false all suspend.
  auto name = unique("susp");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = patch_user(id, {GetParam().operation});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["active"], false) << "active is a JSON boolean in responses";
  EXPECT_EQ(get_user(id)["active"], false);
  auto l = listed(name);
  EXPECT_EQ(l.value("id", ""), id);
  EXPECT_EQ(l["active"], false);
  EXPECT_EQ(get_user(id)["userName"], name) << "only active changes in the SCIM resource (§13)";
}

INSTANTIATE_TEST_SUITE_P(
    E2e, UsersPatchSuspend,
    ::testing::Values(suspend_case{"jsonFalse", patch_op("replace", "active", false)},
                      suspend_case{"stringCapitalFalse", patch_op("Replace", "active", "False")},
                      suspend_case{"stringLowerFalse", patch_op("Replace", "active", "false")},
                      suspend_case{"stringUpperFalse", patch_op("replace", "active", "FALSE")},
                      suspend_case{"oktaPathless", patch_op("replace", std::nullopt, json{{"active", false}})},
                      suspend_case{"pathlessStringFalse", patch_op("Replace", std::nullopt, json{{"active", "False"}})}),
    [](const ::testing::TestParamInfo<suspend_case>& tpi) { return std::string(tpi.param.name); });

TEST_F(UsersPatch, reactivateAcceptsStringAndBooleanTrue) {
  auto name = unique("pt.react");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  for (const json& t : {json(true), json("True"), json("true")}) {
    ASSERT_EQ(patch_user(id, {patch_op("replace", "active", false)}).status, 200);
    auto r = patch_user(id, {patch_op("Replace", "active", t)});
    ASSERT_EQ(r.status, 200) << "active " << t.dump() << ": " << r;
    EXPECT_EQ(get_user(id)["active"], true) << "active " << t.dump();
  }
}

// --- roles --------------------------------------------------------------------------------------

TEST_F(UsersPatch, rolesAsStringifiedJsonAreUnwrapped) {
  // requests/entra-roles/01b: roles[].value is a JSON object in a string; its inner value counts.
  auto name = unique("pt.jrole");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  const std::string inner = R"({"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":")" + std::string(role_guid_owner) +
                            R"(","displayName":"Enterprise Owner"})";
  auto r = patch_user(id, {patch_op("Add", "roles", json::array({{{"value", inner}}}))});
  ASSERT_EQ(r.status, 200) << r;
  auto line = cli_user_line(server(), id);
  ASSERT_TRUE(line) << "user " << id << " not in `users list`";
  EXPECT_TRUE(has_word(*line, "enterprise_owner", true)) << *line;
}

TEST_F(UsersPatch, rolesReplaceAndRemove) {
  auto name = unique("pt.roles");
  auto id = create_user_id(name, {.roles = {"user"}});
  ASSERT_FALSE(id.empty());
  auto r = patch_user(id, {patch_op("replace", "roles", json::array({{{"value", "billing_manager"}}}))});
  ASSERT_EQ(r.status, 200) << r;
  auto line = cli_user_line(server(), id);
  ASSERT_TRUE(line);
  EXPECT_TRUE(has_word(*line, "billing_manager", true)) << *line;

  r = patch_user(id, {patch_op("remove", "roles")});
  ASSERT_EQ(r.status, 200) << r;
  line = cli_user_line(server(), id);
  ASSERT_TRUE(line);
  EXPECT_FALSE(has_word(*line, "billing_manager", true)) << "remove clears the roles: " << *line;
}

TEST_F(UsersPatch, unknownRoleIs400InvalidValue) {
  auto name = unique("pt.badrole");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto r = patch_user(id, {patch_op("add", "roles", json::array({{{"value", "overlord"}}}))});
  EXPECT_TRUE(is_scim_error(r, 400, "invalidValue"));
}

// --- invalid operations and atomicity -------------------------------------------------------------

struct invalid_patch_case {
  const char* name;
  json body;               // the whole PATCH body
  const char* scim_type;   // expected scimType ("" = not checked)
};
// Readable test names in ctest and failure messages.
void PrintTo(const invalid_patch_case& p, std::ostream* os) { *os << p.name; }

class UsersPatchInvalid : public UsersPatch, public ::testing::WithParamInterface<invalid_patch_case> {};

TEST_P(UsersPatchInvalid, is400) {
  auto name = unique("inv");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto before = get_user(id);
  auto r = scim.patch("Users/" + id, GetParam().body);
  EXPECT_TRUE(is_scim_error(r, 400, GetParam().scim_type));
  EXPECT_EQ(get_user(id), before) << "a rejected PATCH changes nothing";
}

INSTANTIATE_TEST_SUITE_P(
    E2e, UsersPatchInvalid,
    ::testing::Values(
        invalid_patch_case{"emptyOperations", make_patch(json::array()), "invalidSyntax"},
        invalid_patch_case{"unknownOp", make_patch({patch_op("frobnicate", "displayName", "x")}), "invalidSyntax"},
        invalid_patch_case{"missingOp", make_patch({{{"path", "displayName"}, {"value", "x"}}}), "invalidSyntax"},
        invalid_patch_case{"missingOperations", json{{"schemas", {patch_schema}}}, "invalidSyntax"},
        invalid_patch_case{"operationsNotAnArray", json{{"schemas", {patch_schema}}, {"Operations", "replace"}}, "invalidSyntax"},
        invalid_patch_case{"removeUserName", make_patch({patch_op("remove", "userName")}), "mutability"},
        invalid_patch_case{"removeExternalId", make_patch({patch_op("remove", "externalId")}), "mutability"},
        invalid_patch_case{"removeActive", make_patch({patch_op("remove", "active")}), "mutability"},
        invalid_patch_case{"activeNotABoolean", make_patch({patch_op("replace", "active", "maybe")}), ""},
        invalid_patch_case{"pathlessValueNotAnObject", make_patch({patch_op("replace", std::nullopt, "x")}), ""},
        invalid_patch_case{"invalidLogin", make_patch({patch_op("replace", "userName", "!bad.name")}), "invalidValue"}),
    [](const ::testing::TestParamInfo<invalid_patch_case>& tpi) { return std::string(tpi.param.name); });

struct atomic_case {
  const char* name;
  json second_op;  // invalid; the first op (valid) must not be applied either
  const char* scim_type;
};
// Readable test names in ctest and failure messages.
void PrintTo(const atomic_case& p, std::ostream* os) { *os << p.name; }

class UsersPatchAtomic : public UsersPatch, public ::testing::WithParamInterface<atomic_case> {};

TEST_P(UsersPatchAtomic, invalidSecondOpChangesNothing) {
  // §10 rule 9: operations are committed atomically.
  auto name = unique("atom");
  auto id = create_user_id(name, {.display_name = "Original"});
  ASSERT_FALSE(id.empty());
  auto before = get_user(id);
  auto r = patch_user(id, {patch_op("replace", "displayName", "Changed"), GetParam().second_op});
  EXPECT_TRUE(is_scim_error(r, 400, GetParam().scim_type));
  auto after = get_user(id);
  EXPECT_EQ(after["displayName"], "Original");
  EXPECT_EQ(after, before);
}

INSTANTIATE_TEST_SUITE_P(
    E2e, UsersPatchAtomic,
    ::testing::Values(atomic_case{"unknownOp", patch_op("frobnicate", "displayName", "x"), "invalidSyntax"},
                      atomic_case{"removeUserName", patch_op("remove", "userName"), "mutability"},
                      atomic_case{"unknownRole", patch_op("add", "roles", json::array({{{"value", "overlord"}}})), "invalidValue"},
                      atomic_case{"invalidLogin", patch_op("replace", "userName", "The!!Octocat"), "invalidValue"}),
    [](const ::testing::TestParamInfo<atomic_case>& tpi) { return std::string(tpi.param.name); });

TEST_F(UsersPatch, suspendFollowedByAnInvalidOpDoesNotSuspend) {
  // Atomicity also covers the managed account: the login must not be hashed.
  auto name = unique("pt.atomsusp");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto line_before = cli_user_line(server(), id);
  ASSERT_TRUE(line_before);
  auto r = patch_user(id, {patch_op("replace", "active", false), patch_op("remove", "userName")});
  EXPECT_TRUE(is_scim_error(r, 400));
  EXPECT_EQ(get_user(id)["active"], true);
  auto line_after = cli_user_line(server(), id);
  ASSERT_TRUE(line_after);
  EXPECT_EQ(*line_after, *line_before) << "`users list` must show the same login and state";
}

}  // namespace
}  // namespace emuscim::test
