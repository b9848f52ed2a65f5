// EMU rules seen through the managed account (`emuscim users list`): login derivation and
// uniqueness, suspension and reactivation, deletion, roles. github-emu-scim.md §11, §12, §13.
//
// `users list --enterprise acme --db PATH` prints one line per user containing its SCIM id,
// userName, login, active|suspended and role; the tests look for those as words of the line.

#include <ostream>
#include <string>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class UsersEmu : public e2e_suite {
 protected:
  // POST a complete user with this userName; returns the reply.
  reply post_user(std::string_view user_name, std::string_view external_id = {}) {
    const std::string ext = external_id.empty() ? "ext-" + std::string(user_name) : std::string(external_id);
    return scim.post("Users", make_user(user_name, ext));
  }
  std::string line_of(std::string_view id) {
    auto line = cli_user_line(server(), id);
    EXPECT_TRUE(line) << "user " << id << " missing from `users list`:\n" << cli_users_list(server());
    return line.value_or("");
  }
  reply set_active(std::string_view id, bool active) {
    return scim.patch("Users/" + std::string(id), make_patch({patch_op("replace", "active", active)}));
  }
};

// --- login derivation -------------------------------------------------------------------------

struct login_case {
  const char* test_name;
  const char* user_name;
  const char* login;  // expected, with "_acme"
};
// Readable test names in ctest and failure messages.
void PrintTo(const login_case& p, std::ostream* os) { *os << p.user_name << " -> " << p.login; }

class UsersEmuLogin : public UsersEmu, public ::testing::WithParamInterface<login_case> {};

TEST_P(UsersEmuLogin, loginIsDerivedFromUserName) {
  auto r = post_user(GetParam().user_name);
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  auto line = line_of(id);
  EXPECT_TRUE(has_word(line, GetParam().login)) << "expected login " << GetParam().login << " in: " << line;
  EXPECT_TRUE(has_word(line, "active", true)) << line;
  EXPECT_TRUE(line.find(GetParam().user_name) != std::string::npos) << "line shows the userName: " << line;
}

INSTANTIATE_TEST_SUITE_P(
    E2e, UsersEmuLogin,
    ::testing::Values(login_case{"dotCasePreserved", "The.Octocat", "The-Octocat_acme"},
                      login_case{"emailLocalPart", "mona.cat@example.com", "mona-cat_acme"},
                      login_case{"lastAt", "a@b@example.com", "a-b_acme"},
                      login_case{"domainBackslash", "CONTOSO\\jdoe", "jdoe_acme"},
                      login_case{"entraGuestExt", "bob_example.com#EXT#@contoso.onmicrosoft.com", "bob_acme"},
                      login_case{"alnumUnchanged", "E012345", "E012345_acme"},
                      // 34 characters + "_acme" = 39, the maximum.
                      login_case{"exactly39", "abcdefghij-abcdefghij-abcdefghij-x", "abcdefghij-abcdefghij-abcdefghij-x_acme"}),
    [](const ::testing::TestParamInfo<login_case>& tpi) { return std::string(tpi.param.test_name); });

class UsersEmuBadLogin : public UsersEmu, public ::testing::WithParamInterface<std::string> {};

TEST_P(UsersEmuBadLogin, is400InvalidValueAndNothingIsCreated) {
  auto r = post_user(GetParam(), "ext-" + random_uuid());
  EXPECT_TRUE(is_scim_error(r, 400, "invalidValue")) << "userName '" << GetParam() << "'";
  auto lookup = scim.get(users_filter("userName eq \"" + GetParam() + "\""));
  EXPECT_EQ(lookup.json()["totalResults"], 0) << lookup;
}

INSTANTIATE_TEST_SUITE_P(E2e, UsersEmuBadLogin,
                         ::testing::Values("!The.Octocat",    // leading '-'
                                           "The!!Octocat",    // "--"
                                           "TheOctocat!",     // trailing '-'
                                           "@example.com",    // empty local part
                                           // 35 characters + "_acme" = 40 > 39
                                           "abcdefghij-abcdefghij-abcdefghij-xy",
                                           "mona.lisa.the.octocat.from.github.united.states@example.com"));

TEST_F(UsersEmu, loginClashesAre409Uniqueness) {
  // §12's table: all of these normalize to The-Octocat_acme after The.Octocat exists.
  ASSERT_EQ(post_user("The.Octocat").status, 201);
  for (const std::string_view clash : {"The!Octocat", "The.Octocat@example.com", "internal\\The.Octocat", "The_Octocat"}) {
    auto r = post_user(clash, "ext-" + random_uuid());
    EXPECT_TRUE(is_scim_error(r, 409, "uniqueness")) << "userName '" << clash << "'";
  }
}

TEST_F(UsersEmu, loginClashIgnoresCase) {
  // §12 step 6: a case-insensitive clash with an existing login.
  ASSERT_EQ(post_user("Case.Clash").status, 201);
  auto r = post_user("CASE_clash", "ext-" + random_uuid());  // login CASE-clash_acme
  EXPECT_TRUE(is_scim_error(r, 409, "uniqueness"));
}

TEST_F(UsersEmu, renameReNormalizesTheLogin) {
  auto r = post_user("Rename.Before");
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  auto p = scim.patch("Users/" + id, make_patch({patch_op("replace", "userName", "Rename.After")}));
  ASSERT_EQ(p.status, 200) << p;
  auto line = line_of(id);
  EXPECT_TRUE(has_word(line, "Rename-After_acme")) << line;
  EXPECT_FALSE(has_word(line, "Rename-Before_acme")) << line;
  // The old login is free again.
  EXPECT_EQ(post_user("Rename.Before", "ext-" + random_uuid()).status, 201);
}

TEST_F(UsersEmu, renameOntoAnotherLoginIs409AndChangesNothing) {
  ASSERT_EQ(post_user("Ren.Taken").status, 201);
  auto r = post_user("Ren.Mine");
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  auto p = scim.patch("Users/" + id, make_patch({patch_op("replace", "userName", "Ren!Taken")}));
  EXPECT_TRUE(is_scim_error(p, 409, "uniqueness"));
  EXPECT_EQ(get_user(id)["userName"], "Ren.Mine");
  EXPECT_TRUE(has_word(line_of(id), "Ren-Mine_acme"));
}

// --- suspension -------------------------------------------------------------------------------

TEST_F(UsersEmu, patchActiveFalseSuspendsAndHashesTheLogin) {
  auto r = post_user("Susp.Patch");
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  ASSERT_EQ(set_active(id, false).status, 200);

  auto line = line_of(id);
  EXPECT_TRUE(has_word(line, "suspended", true)) << line;
  auto hashed = find_suspended_login(line);
  EXPECT_TRUE(hashed) << "login must be 16 hex chars + _acme: " << line;
  EXPECT_FALSE(has_word(line, "Susp-Patch_acme")) << line;

  auto u = get_user(id);
  EXPECT_EQ(u["active"], false);
  EXPECT_EQ(u["userName"], "Susp.Patch") << "the SCIM userName is unchanged";
  auto listed = scim.get(users_filter("userName eq \"Susp.Patch\""));
  EXPECT_EQ(listed.json()["totalResults"], 1) << "suspended users stay listed: " << listed;
}

TEST_F(UsersEmu, putActiveFalseSuspendsAndPutActiveTrueRestores) {
  auto r = post_user("Susp.Put");
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  auto body = make_user("Susp.Put", "ext-Susp.Put", {.active = false});
  auto put = scim.put("Users/" + id, body);
  ASSERT_EQ(put.status, 200) << put;
  EXPECT_EQ(put.json()["active"], false);
  auto line = line_of(id);
  EXPECT_TRUE(has_word(line, "suspended", true)) << line;
  EXPECT_TRUE(find_suspended_login(line)) << line;

  body["active"] = true;
  put = scim.put("Users/" + id, body);
  ASSERT_EQ(put.status, 200) << put;
  EXPECT_EQ(put.json()["active"], true);
  line = line_of(id);
  EXPECT_TRUE(has_word(line, "Susp-Put_acme")) << line;
  EXPECT_TRUE(has_word(line, "active", true)) << line;
}

TEST_F(UsersEmu, reactivationRestoresTheLogin) {
  auto r = post_user("Re.Activate");
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  ASSERT_EQ(set_active(id, false).status, 200);
  auto first_hash = find_suspended_login(line_of(id));
  ASSERT_EQ(set_active(id, true).status, 200);
  auto line = line_of(id);
  EXPECT_TRUE(has_word(line, "Re-Activate_acme")) << line;
  EXPECT_TRUE(has_word(line, "active", true)) << line;
  EXPECT_FALSE(find_suspended_login(line)) << line;
  EXPECT_EQ(get_user(id)["active"], true);
  // The hash is deterministic (hash of the original login).
  ASSERT_EQ(set_active(id, false).status, 200);
  EXPECT_EQ(find_suspended_login(line_of(id)), first_hash);
}

TEST_F(UsersEmu, reactivationWhenTheLoginWasTakenIs409AndStaysSuspended) {
  // §12 step 6: while A is suspended its original login is free; B takes it; A cannot return.
  auto a = post_user("Re.Taken");
  ASSERT_EQ(a.status, 201) << a;
  const std::string id_a = a.json()["id"];
  ASSERT_EQ(set_active(id_a, false).status, 200);

  auto b = post_user("Re!Taken", "ext-" + random_uuid());  // same login Re-Taken_acme, different userName
  ASSERT_EQ(b.status, 201) << "a suspended user's original login is free: " << b;
  const std::string id_b = b.json()["id"];
  EXPECT_TRUE(has_word(line_of(id_b), "Re-Taken_acme"));

  auto back = set_active(id_a, true);
  EXPECT_TRUE(is_scim_error(back, 409, "uniqueness"));
  EXPECT_EQ(get_user(id_a)["active"], false);
  auto line_a = line_of(id_a);
  EXPECT_TRUE(has_word(line_a, "suspended", true)) << line_a;
  EXPECT_TRUE(find_suspended_login(line_a)) << line_a;

  // Same through PUT.
  auto put = scim.put("Users/" + id_a, make_user("Re.Taken", "ext-Re.Taken", {.active = true}));
  EXPECT_TRUE(is_scim_error(put, 409, "uniqueness"));
  EXPECT_EQ(get_user(id_a)["active"], false);
}

TEST_F(UsersEmu, postMatchingASuspendedUserIs409) {
  // §13: the client must reactivate instead of creating again.
  auto r = post_user("Susp.Again");
  ASSERT_EQ(r.status, 201) << r;
  ASSERT_EQ(set_active(r.json()["id"].get<std::string>(), false).status, 200);
  EXPECT_TRUE(is_scim_error(post_user("Susp.Again", "ext-" + random_uuid()), 409, "uniqueness")) << "same userName";
  EXPECT_TRUE(is_scim_error(post_user(unique("susp.other"), "ext-Susp.Again"), 409, "uniqueness")) << "same externalId";
}

TEST_F(UsersEmu, deleteFreesUserNameExternalIdAndLogin) {
  auto r = post_user("Del.Reuse");
  ASSERT_EQ(r.status, 201) << r;
  const std::string old_id = r.json()["id"];
  ASSERT_EQ(scim.del("Users/" + old_id).status, 204);
  EXPECT_FALSE(cli_user_line(server(), old_id)) << "deleted users leave `users list`";

  auto again = post_user("Del.Reuse");  // same userName, externalId and login
  ASSERT_EQ(again.status, 201) << again;
  const std::string new_id = again.json()["id"];
  EXPECT_NE(new_id, old_id);
  EXPECT_TRUE(has_word(line_of(new_id), "Del-Reuse_acme"));
}

TEST_F(UsersEmu, deleteOfASuspendedUserFreesItsNames) {
  auto r = post_user("Del.Susp");
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  ASSERT_EQ(set_active(id, false).status, 200);
  ASSERT_EQ(scim.del("Users/" + id).status, 204);
  EXPECT_EQ(post_user("Del.Susp").status, 201);
}

// --- roles ------------------------------------------------------------------------------------

struct role_case {
  const char* test_name;
  std::vector<std::string> values;  // roles[].value as sent
  const char* role;                 // expected role name in `users list`
};
// Readable test names in ctest and failure messages.
void PrintTo(const role_case& p, std::ostream* os) { *os << p.test_name; }

class UsersEmuRoles : public UsersEmu, public ::testing::WithParamInterface<role_case> {};

TEST_P(UsersEmuRoles, roleIsRecognised) {
  auto name = unique("role");
  auto r = scim.post("Users", make_user(name, "ext-" + name, {.roles = GetParam().values}));
  ASSERT_EQ(r.status, 201) << r;
  // Values are echoed as sent (§11).
  ASSERT_TRUE(r.json()["roles"].is_array()) << r;
  ASSERT_EQ(r.json()["roles"].size(), GetParam().values.size()) << r;
  for (std::size_t i = 0; i < GetParam().values.size(); ++i) {
    EXPECT_EQ(r.json()["roles"][i]["value"], GetParam().values[i]) << r;
  }
  auto line = line_of(r.json()["id"].get<std::string>());
  EXPECT_TRUE(has_word(line, GetParam().role, true)) << "expected role " << GetParam().role << " in: " << line;
}

INSTANTIATE_TEST_SUITE_P(
    E2e, UsersEmuRoles,
    ::testing::Values(role_case{"user", {"user"}, "user"},
                      role_case{"guestCollaborator", {"guest_collaborator"}, "guest_collaborator"},
                      role_case{"enterpriseOwner", {"enterprise_owner"}, "enterprise_owner"},
                      role_case{"billingManager", {"billing_manager"}, "billing_manager"},
                      role_case{"guidUser", {std::string(role_guid_user)}, "user"},
                      role_case{"guidGuest", {std::string(role_guid_guest)}, "guest_collaborator"},
                      role_case{"guidOwner", {std::string(role_guid_owner)}, "enterprise_owner"},
                      role_case{"guidOwnerAlt", {"ba4987ab-a1c3-412a-b58c-360fc407cb10"}, "enterprise_owner"},
                      role_case{"guidBilling", {std::string(role_guid_billing)}, "billing_manager"},
                      role_case{"legacyUser", {"User"}, "user"},
                      role_case{"legacyEnterpriseOwner", {"Enterprise Owner"}, "enterprise_owner"},
                      role_case{"legacyBillingManager", {"Billing Manager"}, "billing_manager"},
                      role_case{"legacyRestrictedUser", {"restricted_user"}, "guest_collaborator"},
                      role_case{"caseInsensitive", {"ENTERPRISE_OWNER"}, "enterprise_owner"},
                      role_case{"mostPrivilegedWins", {"user", "enterprise_owner", "billing_manager"}, "enterprise_owner"}),
    [](const ::testing::TestParamInfo<role_case>& tpi) { return std::string(tpi.param.test_name); });

TEST_F(UsersEmu, unknownRoleIs400InvalidValueAndNothingIsCreated) {
  auto name = unique("role.bad");
  auto r = scim.post("Users", make_user(name, "ext-" + name, {.roles = {"overlord"}}));
  EXPECT_TRUE(is_scim_error(r, 400, "invalidValue"));
  EXPECT_NE(r.json().value("detail", "").find("overlord"), std::string::npos) << "detail names the value: " << r;
  EXPECT_EQ(scim.get(users_filter("userName eq \"" + name + "\"")).json()["totalResults"], 0);
}

TEST_F(UsersEmu, putChangesTheRole) {
  auto name = unique("role.put");
  auto r = scim.post("Users", make_user(name, "ext-" + name, {.roles = {"user"}}));
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  auto put = scim.put("Users/" + id, make_user(name, "ext-" + name, {.roles = {std::string(role_guid_billing)}}));
  ASSERT_EQ(put.status, 200) << put;
  EXPECT_TRUE(has_word(line_of(id), "billing_manager", true));
}

}  // namespace
}  // namespace emuscim::test
