// The invitation lifecycle of org-level SCIM (github-orgs-teams.md §8.1, docs/BEHAVIOUR.md
// "Org-level SCIM"): provisioning invites, GitHub's GET/DELETE /orgs/{org}/invitations, acceptance
// through the admin API and the command line (identity linked, account created, member), and
// deprovisioning of a member; the organization's audit log, GitHub's route and the admin API's.

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "org_support.hpp"

namespace emuscim::test {
namespace {

class OrgInvitations : public org_suite {
 protected:
  void SetUp() override {
    org_suite::SetUp();
    if (HasFatalFailure()) return;
    rest = as(std::string(octo_token), "/orgs/octo-org/");
  }

  // The pending invitation (GitHub's object) of `email`, or null.
  json invitation_to(const std::string& email) {
    auto r = rest.get("invitations?per_page=100");
    EXPECT_EQ(r.status, 200) << r;
    for (const auto& inv : r.try_json().value_or(json::array())) {
      if (inv.value("email", "") == email) return inv;
    }
    return nullptr;
  }

  json org_info() {
    auto r = admin.get("orgs/octo-org");
    EXPECT_EQ(r.status, 200) << r;
    return r.try_json().value_or(json::object());
  }

  client rest;  // octo-org's owner token, base /orgs/octo-org/
};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

::testing::AssertionResult is_rest_error(const reply& r, int status) {
  if (r.status != status) return ::testing::AssertionFailure() << "expected HTTP " << status << ", got " << r;
  auto j = r.try_json();
  if (!j || !j->is_object() || !(*j)["message"].is_string() || !(*j)["documentation_url"].is_string()) {
    return ::testing::AssertionFailure() << "not a GitHub REST error body: " << r;
  }
  if (r.header("content-type").find("application/json") != 0) {
    return ::testing::AssertionFailure() << "REST errors are application/json: " << r;
  }
  return ::testing::AssertionSuccess();
}

TEST_F(OrgInvitations, provisioningInvitesAndTheInvitationLooksLikeGitHubs) {
  const std::string email = unique("invitee") + "@example.com";
  const auto id = provision(make_org_user(email)).value("id", "");
  const json inv = invitation_to(email);
  ASSERT_TRUE(inv.is_object()) << "no invitation to " << email;
  EXPECT_TRUE(inv["id"].is_number_integer());
  EXPECT_TRUE(inv["login"].is_null());  // nobody with that address has an account yet
  EXPECT_EQ(inv["role"], "direct_member");
  EXPECT_EQ(inv["invitation_source"], "scim");
  EXPECT_EQ(inv["team_count"], 0);
  EXPECT_TRUE(inv["failed_at"].is_null());
  EXPECT_TRUE(inv["node_id"].is_string());
  EXPECT_EQ(inv["inviter"]["login"], "octo-org_admin");
  EXPECT_EQ(inv["inviter"]["type"], "User");
  EXPECT_TRUE(inv["inviter"]["id"].is_number_integer());
  EXPECT_NE(inv["invitation_teams_url"].get<std::string>().find("/invitations/" + inv["id"].dump() + "/teams"),
            std::string::npos);
  // The SCIM identity is listed, pending, and nobody is a member yet.
  const json view = identity_view(id);
  EXPECT_EQ(view["state"], "pending");
  EXPECT_EQ(view["invitation_id"], inv["id"]);
  EXPECT_TRUE(octo.get("Users/" + id).status == 200);
}

TEST_F(OrgInvitations, acceptingLinksTheIdentityAndMakesAMember) {
  const std::string email = unique("accept") + "@example.com";
  const auto created = provision(make_org_user(email));
  const std::string id = created.value("id", "");
  const auto before = octo.get("Users/" + id).json();
  const auto members_before = org_info().value("member_count", 0);
  const std::string login = unique("mona");
  auto r = accept(id, login);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["login"], login);
  EXPECT_EQ(r.json()["account_created"], true);
  EXPECT_EQ(r.json()["new_member"], true);
  EXPECT_EQ(r.json()["scim_user_id"], id);
  EXPECT_GE(r.json()["user_id"].get<std::int64_t>(), std::int64_t{1} << 40);
  // Linked, a member, the invitation gone; the SCIM resource is unchanged (GitHub's SCIM API shows
  // only SCIM metadata).
  const json view = identity_view(id);
  EXPECT_EQ(view["state"], "linked");
  EXPECT_EQ(view["login"], login);
  EXPECT_TRUE(view["invitation_id"].is_null());
  EXPECT_TRUE(invitation_to(email).is_null());
  EXPECT_EQ(org_info().value("member_count", 0), members_before + 1);
  EXPECT_EQ(octo.get("Users/" + id).json(), before);
  // Accepting again: the invitation is gone.
  EXPECT_EQ(admin.post("orgs/octo-org/invitations/" + r.json()["invitation_id"].dump() + "/accept",
                       json{{"login", login}})
                .status,
            404);
}

TEST_F(OrgInvitations, deprovisioningAMemberRemovesThemAndReprovisioningInvitesAgain) {
  const std::string email = unique("leaver") + "@example.com";
  const std::string login = unique("leaver");
  const auto id = provision(make_org_user(email, "ext-" + email)).value("id", "");
  ASSERT_EQ(accept(id, login).status, 200);
  const auto members = org_info().value("member_count", 0);
  // Entra's disable: PATCH active false -> gone from the organization.
  auto r = octo.patch("Users/" + id, make_patch(json::array({patch_op("Replace", "active", json("False"))})));
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["active"], false);
  EXPECT_EQ(org_info().value("member_count", 0), members - 1);
  EXPECT_TRUE(identity_view(id).is_null());
  // Re-provisioning the same person: a new identity and id, a new invitation to the same address,
  // which GitHub now recognises (login set); accepting restores membership with the same account.
  const auto again = provision(make_org_user(email, "ext-" + email));
  const std::string id2 = again.value("id", "");
  EXPECT_NE(id2, id);
  const json inv = invitation_to(email);
  ASSERT_TRUE(inv.is_object());
  EXPECT_EQ(inv["login"], login);
  auto accepted = admin.post("orgs/octo-org/invitations/" + inv["id"].dump() + "/accept", json::object());
  ASSERT_EQ(accepted.status, 200) << accepted;  // no login needed: the invitation names the account
  EXPECT_EQ(accepted.json()["login"], login);
  EXPECT_EQ(accepted.json()["account_created"], false);
  EXPECT_EQ(org_info().value("member_count", 0), members);
  // DELETE of a linked member does the same as deactivation.
  ASSERT_EQ(octo.del("Users/" + id2).status, 204);
  EXPECT_EQ(org_info().value("member_count", 0), members - 1);
}

TEST_F(OrgInvitations, listingPagesAndFilters) {
  auto [login, token] = new_org("inv-page");
  auto org_scim = as(token, "/scim/v2/organizations/" + login + "/");
  auto org_rest = as(token, "/orgs/" + login + "/");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(org_scim.post("Users", make_org_user(unique("p") + "@example.com")).status, 201);
  auto page1 = org_rest.get("invitations?per_page=2");
  ASSERT_EQ(page1.status, 200) << page1;
  EXPECT_EQ(page1.json().size(), 2u);
  EXPECT_EQ(page1.header("content-type").find("application/json"), 0u);
  const std::string link = page1.header("link");
  EXPECT_NE(link.find("per_page=2&page=2>; rel=\"next\""), std::string::npos) << link;
  EXPECT_NE(link.find("rel=\"last\""), std::string::npos) << link;
  auto page2 = org_rest.get("invitations?per_page=2&page=2");
  EXPECT_EQ(page2.json().size(), 1u);
  EXPECT_NE(page2.header("link").find("rel=\"prev\""), std::string::npos);
  EXPECT_EQ(page2.json()[0]["id"].get<std::int64_t>() > page1.json()[1]["id"].get<std::int64_t>(), true);
  EXPECT_EQ(org_rest.get("invitations?invitation_source=scim").json().size(), 3u);
  EXPECT_EQ(org_rest.get("invitations?invitation_source=member").json().size(), 0u);
  EXPECT_EQ(org_rest.get("invitations?role=direct_member").json().size(), 3u);
  EXPECT_EQ(org_rest.get("invitations?role=admin").json().size(), 0u);
  auto bad = org_rest.get("invitations?role=owner");
  ASSERT_TRUE(is_rest_error(bad, 422));
  EXPECT_EQ(bad.json()["message"], "Validation Failed");
  EXPECT_EQ(bad.json()["errors"][0]["field"], "role");
  // A read:org token may list but not cancel.
  auto [ro_login, ro_token] = new_org("inv-ro", json::array({"read:org"}));
  auto ro = as(ro_token, "/orgs/" + ro_login + "/");
  EXPECT_EQ(ro.get("invitations").status, 200);
  // Without admin:org the route hides, as every organization REST route does (docs/BEHAVIOUR.md).
  auto forbidden = ro.del("invitations/1");
  EXPECT_TRUE(is_rest_error(forbidden, 404));
  EXPECT_EQ(forbidden.header("x-accepted-oauth-scopes"), "admin:org");
}

TEST_F(OrgInvitations, cancellingLeavesAnUnlinkedIdentity) {
  const std::string email = unique("cancel") + "@example.com";
  const auto id = provision(make_org_user(email)).value("id", "");
  const json inv = invitation_to(email);
  ASSERT_TRUE(inv.is_object());
  auto r = rest.del("invitations/" + inv["id"].dump());
  EXPECT_EQ(r.status, 204) << r;
  EXPECT_TRUE(invitation_to(email).is_null());
  EXPECT_TRUE(is_rest_error(rest.del("invitations/" + inv["id"].dump()), 404));
  EXPECT_TRUE(is_rest_error(rest.del("invitations/not-a-number"), 404));
  // The identity stays, unlinked, and can no longer be accepted.
  EXPECT_EQ(octo.get("Users/" + id).status, 200);
  EXPECT_EQ(identity_view(id)["state"], "unlinked");
  EXPECT_EQ(admin.post("orgs/octo-org/invitations/" + inv["id"].dump() + "/accept", json{{"login", "someone"}}).status,
            404);
  // Deprovisioning it then cancels nothing and removes nobody.
  EXPECT_EQ(octo.del("Users/" + id).status, 204);
}

TEST_F(OrgInvitations, acceptanceErrors) {
  const auto id = provision_new("acc-err").value("id", "");
  const auto inv = identity_view(id)["invitation_id"].dump();
  const std::string path = "orgs/octo-org/invitations/" + inv + "/accept";
  EXPECT_TRUE(is_scim_error(admin.post(path, json::object()), 400, "invalidValue"));           // who accepts?
  EXPECT_TRUE(is_scim_error(admin.post(path, json{{"login", "-bad-"}}), 400, "invalidValue"));  // GitHub's login rule
  EXPECT_TRUE(is_scim_error(admin.post(path, json{{"login", "octo-org"}}), 409, "uniqueness"));  // an organization's
  EXPECT_TRUE(is_scim_error(admin.post(path, json{{"nick", "x"}}), 400));
  EXPECT_TRUE(is_scim_error(admin.post("orgs/octo-org/invitations/999999/accept", json{{"login", "x"}}), 404));
  EXPECT_TRUE(is_scim_error(admin.post("orgs/no-such-org/invitations/" + inv + "/accept", json{{"login", "x"}}), 404));
  EXPECT_TRUE(is_scim_error(admin.post("orgs/" + std::string(emu_org) + "/invitations/1/accept", json{{"login", "x"}}),
                            404));
  // One account, one identity per organization.
  const std::string login = unique("twice");
  ASSERT_EQ(accept(id, login).status, 200);
  const auto second = provision_new("acc-err2").value("id", "");
  auto conflict = accept(second, login);
  EXPECT_TRUE(is_scim_error(conflict, 409, "uniqueness")) << conflict;
  EXPECT_EQ(identity_view(second)["state"], "pending");  // nothing changed
  // An invitation GitHub addressed to an existing account is that account's.
  const std::string email = unique("known") + "@example.com";
  const auto known = provision(make_org_user(unique("k") + "@example.com", std::nullopt, email)).value("id", "");
  const std::string owner = unique("owner");
  ASSERT_EQ(accept(known, owner).status, 200);  // the account now has `email`
  ASSERT_EQ(octo.del("Users/" + known).status, 204);
  const auto again = provision(make_org_user(unique("k2") + "@example.com", std::nullopt, email)).value("id", "");
  auto wrong = accept(again, "somebody-else");
  EXPECT_TRUE(is_scim_error(wrong, 400, "invalidValue")) << wrong;
}

TEST_F(OrgInvitations, invitationRoutesAreNotAvailableForEmuOrganizations) {
  auto r = as(std::string(acme_token), "/orgs/" + std::string(emu_org) + "/").get("invitations");
  ASSERT_TRUE(is_rest_error(r, 404)) << r;
  EXPECT_NE(r.json()["message"].get<std::string>().find("enterprise with managed users"), std::string::npos);
  EXPECT_TRUE(is_rest_error(as(std::string(octo_token), "/orgs/" + std::string(emu_org) + "/").get("invitations"), 404));
  EXPECT_TRUE(is_rest_error(as(std::string(octo_token), "/orgs/no-such-org/").get("invitations"), 404));
}

TEST_F(OrgInvitations, theCommandLineAcceptsByEmail) {
  const std::string email = unique("cli") + "@example.com";
  const auto id = provision(make_org_user(email)).value("id", "");
  const std::string login = unique("cli-user");
  auto r = run_cli({"org", "accept-invitation", "octo-org", "--email", upper(email), "--login", login, "--db",
                    server().db_path()});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find(login), std::string::npos) << r;
  EXPECT_NE(r.out.find(id), std::string::npos) << r;
  EXPECT_EQ(identity_view(id)["state"], "linked");
  EXPECT_EQ(identity_view(id)["login"], login);
  auto again = run_cli({"org", "accept-invitation", "octo-org", "--email", email, "--login", login, "--db",
                        server().db_path()});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("No pending invitation"), std::string::npos) << again;
  auto usage = run_cli({"org", "accept-invitation", "octo-org", "--email", email});
  EXPECT_EQ(usage.exit_code, 2) << usage;
}

TEST_F(OrgInvitations, theOrganizationsAuditLogTellsTheStory) {
  const std::string email = unique("story") + "@example.com";
  const auto id = provision(make_org_user(email)).value("id", "");
  const std::string login = unique("story");
  ASSERT_EQ(accept(id, login).status, 200);
  ASSERT_EQ(octo.del("Users/" + id).status, 204);

  // GitHub's route needs read:audit_log.
  EXPECT_TRUE(is_rest_error(rest.get("audit-log"), 403));
  auto t = admin.post("orgs/octo-org/tokens", json{{"scopes", {"read:audit_log"}}});
  ASSERT_EQ(t.status, 201) << t;
  auto reader = as(t.json()["token"].get<std::string>(), "/orgs/octo-org/");
  auto r = reader.get("audit-log?per_page=100");
  ASSERT_EQ(r.status, 200) << r;
  std::vector<std::string> actions;  // newest first
  for (const auto& e : r.json()) {
    if (e.value("scim_user_id", json(nullptr)) == id) actions.push_back(e["action"]);
    if (e["action"] == "org.add_member" && e.value("user", "") == login) {
      EXPECT_EQ(e["actor"], login);
      EXPECT_EQ(e["org"], "octo-org");
      EXPECT_TRUE(e["org_id"].is_number_integer());
      EXPECT_TRUE(e["@timestamp"].is_number_integer());
    }
    if (e["action"] == "org.invite_member" && e.value("scim_user_id", json(nullptr)) == id) {
      EXPECT_EQ(e["actor"], "octo-org_admin");
      EXPECT_EQ(e["invitee_email"], email);
    }
  }
  const std::vector<std::string> expected = {
      "external_identity.scim_api_success", "external_identity.deprovision", "org.revoke_external_identity",
      "org.remove_member",                  "org.add_member",                "external_identity.scim_api_success",
      "org.invite_member",                  "external_identity.provision"};
  EXPECT_EQ(actions, expected);
  // The phrase filter, as on GitHub.
  auto members = reader.get("audit-log?phrase=" + url_encode("action:org.add_member"));
  ASSERT_EQ(members.status, 200);
  for (const auto& e : members.json()) EXPECT_EQ(e["action"], "org.add_member");
  // The admin API shows the same events.
  auto a = admin.get("orgs/octo-org/audit-log?action=org.");
  ASSERT_EQ(a.status, 200) << a;
  std::set<std::string> org_actions;
  const json admin_events = a.json();  // a named copy: a range-for over a temporary's member dangles
  for (const auto& e : admin_events["events"]) org_actions.insert(e["action"].get<std::string>());
  EXPECT_TRUE(org_actions.contains("org.invite_member"));
  EXPECT_TRUE(org_actions.contains("org.add_member"));
  EXPECT_TRUE(org_actions.contains("org.remove_member"));
}

}  // namespace
}  // namespace emuscim::test
