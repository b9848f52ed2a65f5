// Org-level SCIM of standalone organizations, /scim/v2/organizations/{org}/Users[/{id}]
// (github-orgs-teams.md §8, docs/BEHAVIOUR.md "Org-level SCIM"): the six operations, their errors,
// conditional GETs (304), filters, paging, deprovisioning, and isolation between tenants.
// The invitation lifecycle is in org_invitations_test.cpp.

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "org_support.hpp"

namespace emuscim::test {
namespace {

using ojson = nlohmann::ordered_json;

class OrgScim : public org_suite {};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> keys_of(const ojson& object) {
  std::vector<std::string> out;
  for (const auto& [k, v] : object.items()) out.push_back(k);
  return out;
}

// --- test connection ----------------------------------------------------------------------------

TEST_F(OrgScim, testConnectionWorksWithoutAcceptOrUserAgent) {
  for (const char* attr : {"userName", "externalId"}) {
    auto r = octo.get(std::string("Users?filter=") + attr + "+eq+%22" + random_uuid() + "%22",
                      {{"accept", std::nullopt}, {"user-agent", std::nullopt}});
    ASSERT_TRUE(is_list_response(r)) << r;
    EXPECT_TRUE(has_scim_content_type(r));
    EXPECT_EQ(r.json()["totalResults"], 0);
    EXPECT_EQ(r.json()["Resources"], json::array());
    EXPECT_EQ(r.json()["startIndex"], 1);
    EXPECT_EQ(r.header("x-ratelimit-resource"), "scim");
    EXPECT_EQ(r.header("x-accepted-oauth-scopes"), "admin:org");
  }
}

// --- the six operations -------------------------------------------------------------------------

TEST_F(OrgScim, provisionAnswersLikeGitHubsExample) {
  const std::string name = unique("mona.octocat") + "@okta.example.com";
  json body = make_org_user(name, "a7d0f98382-" + name);
  body["emails"].push_back({{"value", "monalisa-" + name}});
  auto r = octo.post("Users", body, {{"content-type", "application/json"}});
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_TRUE(has_scim_content_type(r));
  const auto created = ojson::parse(r.body);
  // Members in the order of GitHub's org example (scim-user).
  EXPECT_EQ(keys_of(created), (std::vector<std::string>{"schemas", "id", "externalId", "userName", "displayName",
                                                         "name", "emails", "active", "meta"}));
  EXPECT_EQ(created["displayName"], "Monalisa Octocat");  // from name, as in GitHub's example
  EXPECT_EQ(keys_of(created["name"]), (std::vector<std::string>{"givenName", "familyName", "formatted"}));
  EXPECT_EQ(created["schemas"], ojson::array({std::string(user_schema)}));
  EXPECT_TRUE(is_uuid_v4(created["id"].get<std::string>()));
  EXPECT_EQ(created["userName"], name);
  EXPECT_EQ(created["active"], true);
  EXPECT_EQ(json(created["emails"]),
            json::parse(R"([{"value":")" + name + R"(","primary":true},{"value":"monalisa-)" + name + R"("}])"));
  const std::string location = created["meta"]["location"];
  EXPECT_EQ(location, "http://127.0.0.1:" + std::to_string(server().port()) + "/scim/v2/organizations/octo-org/Users/" +
                          created["id"].get<std::string>());
  EXPECT_EQ(r.header("location"), location);
  EXPECT_EQ(created["meta"]["resourceType"], "User");
  EXPECT_TRUE(is_rfc3339_millis_utc(created["meta"]["created"].get<std::string>()));

  // GET answers the same document.
  auto g = octo.get("Users/" + created["id"].get<std::string>());
  ASSERT_EQ(g.status, 200) << g;
  EXPECT_EQ(g.json(), json(created));
}

TEST_F(OrgScim, aGivenDisplayNameWins) {
  json body = make_org_user(unique("dn") + "@example.com");
  body["displayName"] = "Mona";
  auto created = provision(body);
  auto g = octo.get("Users/" + created.value("id", ""));
  ASSERT_EQ(g.status, 200) << g;
  EXPECT_EQ(g.json()["displayName"], "Mona");
  EXPECT_EQ(keys_of(ojson::parse(g.body)), (std::vector<std::string>{"schemas", "id", "userName", "displayName", "name",
                                                                     "emails", "active", "meta"}));
}

TEST_F(OrgScim, putReplacesEverythingItDoesNotRepeat) {
  const std::string name = unique("put") + "@example.com";
  json body = make_org_user(name, "ext-" + name);
  body["displayName"] = "Before";
  const auto id = provision(body).value("id", "");
  // No externalId and no displayName: the externalId goes, the displayName follows the new name
  // (SCIMORG: "Any existing user information that you don't provide will be removed").
  json replacement = make_org_user(name);
  replacement["name"] = {{"givenName", "Monalisa2"}, {"familyName", "Octocat"}};
  auto r = octo.put("Users/" + id, replacement);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_FALSE(r.json().contains("externalId")) << r;
  EXPECT_EQ(r.json()["displayName"], "Monalisa2 Octocat") << r;
  EXPECT_FALSE(r.json()["name"].contains("formatted")) << r;
  EXPECT_EQ(r.json()["name"]["givenName"], "Monalisa2");
  EXPECT_EQ(r.json()["active"], true);
  // The externalId is free again.
  EXPECT_EQ(octo.post("Users", make_org_user(unique("put2") + "@example.com", "ext-" + name)).status, 201);
  // A PUT must carry what a POST must.
  json no_emails = make_org_user(name);
  no_emails.erase("emails");
  EXPECT_TRUE(is_scim_error(octo.put("Users/" + id, no_emails), 400, "invalidValue"));
  EXPECT_TRUE(is_scim_error(octo.put("Users/" + random_uuid(), replacement), 404));
}

TEST_F(OrgScim, patchAcceptsGitHubsAndTheIdPsForms) {
  const std::string name = unique("patch") + "@example.com";
  const auto id = provision(make_org_user(name, "ext-" + name)).value("id", "");
  // GitHub's own example: path-less replace, no schemas.
  auto r = octo.patch("Users/" + id, json::parse(R"({"Operations":[{"op":"replace","value":{"displayName":"Octocat"}}]})"),
                      {{"content-type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["displayName"], "Octocat");
  // GitHub's value object names givenName and familyName at the top level.
  r = octo.patch("Users/" + id,
                 json::parse(R"({"Operations":[{"op":"replace","value":{"givenName":"Mona","familyName":"Lisa"}}]})"));
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["name"]["givenName"], "Mona");
  EXPECT_EQ(r.json()["name"]["familyName"], "Lisa");
  EXPECT_EQ(r.json()["name"]["formatted"], "Monalisa Octocat");
  // Entra's dialect: capitalised ops, filtered paths (lenient mode applies them).
  r = octo.patch("Users/" + id, make_patch(json::array(
                                    {patch_op("Replace", R"(emails[type eq "work"].value)", json("work-" + name)),
                                     patch_op("Replace", "name.familyName", json("Octocat2"))})));
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["name"]["familyName"], "Octocat2");
  bool has_work = false;
  const json patched = r.json();
  for (const auto& e : patched["emails"]) has_work = has_work || (e.value("type", "") == "work");
  EXPECT_TRUE(has_work) << r;
  // The shared engine's errors.
  EXPECT_TRUE(is_scim_error(octo.patch("Users/" + id, json::parse(R"({"Operations":[{"op":"merge","path":"x"}]})")), 400,
                            "invalidSyntax"));
  EXPECT_TRUE(is_scim_error(octo.patch("Users/" + id, make_patch(json::array({patch_op("remove", "userName")}))), 400,
                            "mutability"));
  EXPECT_TRUE(is_scim_error(octo.patch("Users/" + id, json::parse(R"({"Operations":[]})")), 400, "invalidSyntax"));
  // Removing every email leaves nowhere to send an invitation.
  EXPECT_TRUE(is_scim_error(octo.patch("Users/" + id, make_patch(json::array({patch_op("remove", "emails")}))), 400,
                            "invalidValue"));
  EXPECT_TRUE(is_scim_error(octo.patch("Users/" + random_uuid(), make_patch(json::array({patch_op(
                                                                  "replace", "displayName", json("x"))}))),
                            404));
}

TEST_F(OrgScim, deactivationByPatchDeletesTheIdentityAndItsId) {
  const std::string name = unique("deact") + "@example.com";
  const auto id = provision(make_org_user(name, "ext-" + name)).value("id", "");
  auto r = octo.patch("Users/" + id, json::parse(R"({"Operations":[{"op":"replace","value":{"active":false}}]})"));
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["active"], false);
  EXPECT_EQ(r.json()["id"], id);
  EXPECT_EQ(r.json()["userName"], name);
  for (auto* method : {"GET", "PUT", "PATCH", "DELETE"}) {
    json body;
    if (std::string(method) == "PUT") body = make_org_user(name);
    if (std::string(method) == "PATCH") body = make_patch(json::array({patch_op("replace", "displayName", json("x"))}));
    auto again = octo.request(method, "Users/" + id, body.is_null() ? body_arg{} : body_arg{body});
    EXPECT_TRUE(is_scim_error(again, 404)) << method << ": " << again;
  }
  auto list = octo.get(users_filter("userName eq \"" + name + "\""));
  ASSERT_TRUE(is_list_response(list));
  EXPECT_EQ(list.json()["totalResults"], 0);
  // Okta's and Entra's string boolean works the same way, through PUT too.
  const auto id2 = provision(make_org_user(unique("deact2") + "@example.com")).value("id", "");
  json body = octo.get("Users/" + id2).json();
  body["active"] = "False";
  r = octo.put("Users/" + id2, body);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["active"], false);
  EXPECT_TRUE(is_scim_error(octo.get("Users/" + id2), 404));
}

TEST_F(OrgScim, deleteAnswers204AndTheIdIsGone) {
  const auto id = provision_new("del").value("id", "");
  auto r = octo.del("Users/" + id);
  EXPECT_EQ(r.status, 204) << r;
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(is_scim_error(octo.get("Users/" + id), 404));
  EXPECT_TRUE(is_scim_error(octo.del("Users/" + id), 404));
}

// --- conditional requests -----------------------------------------------------------------------

TEST_F(OrgScim, getsAnswer304ToAMatchingIfNoneMatch) {
  const auto id = provision_new("etag").value("id", "");
  auto first = octo.get("Users/" + id);
  ASSERT_EQ(first.status, 200) << first;
  const std::string etag = first.header("etag");
  ASSERT_TRUE(etag.starts_with("W/\"")) << first;
  auto same = octo.get("Users/" + id, {{"if-none-match", etag}});
  EXPECT_EQ(same.status, 304) << same;
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.header("etag"), etag);
  EXPECT_FALSE(same.header("x-github-request-id").empty());
  // Weak comparison, lists and * (RFC 9110 §13.1.2).
  EXPECT_EQ(octo.get("Users/" + id, {{"if-none-match", "\"other\", " + etag.substr(2)}}).status, 304);
  EXPECT_EQ(octo.get("Users/" + id, {{"if-none-match", "*"}}).status, 304);
  EXPECT_EQ(octo.get("Users/" + id, {{"if-none-match", "W/\"0000\""}}).status, 200);
  // A change makes the old tag stale.
  ASSERT_EQ(octo.patch("Users/" + id, make_patch(json::array({patch_op("replace", "displayName", json("New"))}))).status,
            200);
  auto changed = octo.get("Users/" + id, {{"if-none-match", etag}});
  EXPECT_EQ(changed.status, 200) << changed;
  EXPECT_NE(changed.header("etag"), etag);
  // Lists too.
  auto list = octo.get("Users?count=1");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(octo.get("Users?count=1", {{"if-none-match", list.header("etag")}}).status, 304);
  // Writes never answer 304.
  EXPECT_EQ(octo.patch("Users/" + id, make_patch(json::array({patch_op("replace", "displayName", json("New"))})),
                       {{"if-none-match", "*"}})
                .status,
            200);
}

// --- errors -------------------------------------------------------------------------------------

TEST_F(OrgScim, documentedErrorsCarryScimErrorBodies) {
  const std::string name = unique("err") + "@example.com";
  provision(make_org_user(name, "ext-" + name));
  // 409: userName (any case), externalId, the invitation's address.
  auto dup = octo.post("Users", make_org_user(lower(name), std::nullopt, "x-" + name));
  EXPECT_TRUE(is_scim_error(dup, 409, "uniqueness")) << dup;
  EXPECT_EQ(dup.json()["documentation_url"], org_scim_docs);
  EXPECT_TRUE(is_scim_error(octo.post("Users", make_org_user("y-" + name, "ext-" + name, "y-" + name)), 409, "uniqueness"));
  EXPECT_TRUE(is_scim_error(octo.post("Users", make_org_user("z-" + name, std::nullopt, name)), 409, "uniqueness"));
  // 400: required attributes, active false, bodies.
  json no_emails = make_org_user("w-" + name);
  no_emails.erase("emails");
  auto missing = octo.post("Users", no_emails);
  EXPECT_TRUE(is_scim_error(missing, 400, "invalidValue"));
  EXPECT_NE(missing.json()["detail"].get<std::string>().find("emails"), std::string::npos) << missing;
  json inactive = make_org_user("v-" + name);
  inactive["active"] = false;
  EXPECT_TRUE(is_scim_error(octo.post("Users", inactive), 400, "invalidValue"));
  EXPECT_TRUE(is_scim_error(octo.post("Users", raw_body{"{\"userName\":"}), 400, "invalidSyntax"));
  EXPECT_TRUE(is_scim_error(octo.post("Users", raw_body{"[]"}), 400, "invalidSyntax"));
  // 404: unknown id, with the SCIM body.
  const auto unknown = random_uuid();
  auto nf = octo.get("Users/" + unknown);
  EXPECT_TRUE(is_scim_error(nf, 404));
  EXPECT_EQ(nf.json()["detail"], "Resource " + unknown + " not found.");
  // Filters and paging parameters.
  EXPECT_TRUE(is_scim_error(octo.get(users_filter("userName co \"x\"")), 400, "invalidFilter"));
  EXPECT_TRUE(is_scim_error(octo.get(users_filter("displayName eq \"x\"")), 400, "invalidFilter"));
  EXPECT_TRUE(is_scim_error(octo.get("Users?count=ten"), 400, "invalidValue"));
  // Authentication and scopes.
  auto anonymous = octo.get("Users", {{"authorization", std::nullopt}});
  EXPECT_TRUE(is_scim_error(anonymous, 401));
  EXPECT_EQ(anonymous.json()["documentation_url"], org_scim_docs);
  auto [login, read_only] = new_org("ro", json::array({"read:org"}));
  auto ro = as(read_only, "/scim/v2/organizations/" + login + "/");
  auto forbidden = ro.get("Users");
  EXPECT_TRUE(is_scim_error(forbidden, 403));
  EXPECT_EQ(forbidden.header("x-accepted-oauth-scopes"), "admin:org");
  EXPECT_EQ(forbidden.header("x-oauth-scopes"), "read:org");
  // Routes: case-sensitive `Users`, no Groups, 405 with Allow.
  EXPECT_EQ(octo.get("users").status, 404);
  EXPECT_EQ(octo.get("Groups").status, 404);
  auto wrong = octo.request("PATCH", "Users", make_patch(json::array()));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("allow"), "GET, POST");
}

// --- filters and paging -------------------------------------------------------------------------

TEST_F(OrgScim, filtersOnUserNameExternalIdEmailsAndId) {
  const std::string name = unique("Filter.Me") + "@Example.com";
  json body = make_org_user(name, "Ext-" + name);
  body["emails"].push_back({{"value", "second-" + name}, {"type", "home"}});
  const auto id = provision(body).value("id", "");
  provision_new("filter-other");
  const auto only = [&](const std::string& filter) {
    auto r = octo.get(users_filter(filter));
    EXPECT_TRUE(is_list_response(r)) << filter << ": " << r;
    return resource_ids(r.try_json().value_or(json::object()));
  };
  const std::vector<std::string> one = {id};
  EXPECT_EQ(only("userName eq \"" + name + "\""), one);
  EXPECT_EQ(only("USERNAME eq \"" + lower(name) + "\""), one);  // case-insensitive
  EXPECT_EQ(only("externalId eq \"Ext-" + name + "\""), one);
  EXPECT_TRUE(only("externalId eq \"ext-" + lower(name) + "\"").empty());  // exact
  EXPECT_EQ(only("emails eq \"" + name + "\""), one);
  EXPECT_EQ(only("emails eq \"SECOND-" + name + "\""), one);  // any email, any case
  EXPECT_EQ(only("id eq \"" + id + "\""), one);
  EXPECT_TRUE(only("emails eq \"nobody@example.com\"").empty());
  // GitHub's documented wire form: %20 and escaped quotes.
  auto wire = octo.get("Users?filter=userName%20eq%20%22" + url_encode(name) + "%22");
  ASSERT_TRUE(is_list_response(wire));
  EXPECT_EQ(resource_ids(wire.json()), one);
}

TEST_F(OrgScim, pagingWalksInCreationOrder) {
  auto [login, token] = new_org("paging");
  auto c = as(token, "/scim/v2/organizations/" + login + "/");
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    auto r = c.post("Users", make_org_user(unique("page") + "@example.com"));
    ASSERT_EQ(r.status, 201) << r;
    ids.push_back(r.json()["id"]);
  }
  std::vector<std::string> walked;
  for (int start = 1; start <= 7; start += 3) {
    auto r = c.get("Users?startIndex=" + std::to_string(start) + "&count=3");
    ASSERT_TRUE(is_list_response(r)) << r;
    EXPECT_EQ(r.json()["totalResults"], 7);
    EXPECT_EQ(r.json()["startIndex"], start);
    EXPECT_EQ(r.json()["itemsPerPage"], std::min(3, 7 - start + 1));
    for (const auto& id : resource_ids(r.json())) walked.push_back(id);
  }
  EXPECT_EQ(walked, ids);
  auto all = c.get("Users");
  EXPECT_EQ(resource_ids(all.json()), ids);  // default count 30 covers them
  auto none = c.get("Users?count=0");
  EXPECT_EQ(none.json()["totalResults"], 7);
  EXPECT_EQ(none.json()["Resources"], json::array());
  auto past = c.get("Users?startIndex=50");
  EXPECT_EQ(past.json()["Resources"], json::array());
  EXPECT_EQ(past.json()["startIndex"], 50);
  // A deletion shifts the positions after it; the walk stays exact.
  ASSERT_EQ(c.del("Users/" + ids[1]).status, 204);
  auto second = c.get("Users?startIndex=4&count=3");
  EXPECT_EQ(resource_ids(second.json()), (std::vector<std::string>{ids[4], ids[5], ids[6]}));
}

// --- tenants ------------------------------------------------------------------------------------

TEST_F(OrgScim, oneOrganizationsTokenNeverSeesAnothersIdentities) {
  const std::string name = unique("iso") + "@example.com";
  const auto id = provision(make_org_user(name)).value("id", "");
  auto [login, token] = new_org("iso");
  auto other = as(token, "/scim/v2/organizations/" + login + "/");
  // Its own organization: nothing of octo-org's, and the same userName is free there.
  auto list = other.get(users_filter("userName eq \"" + name + "\""));
  ASSERT_TRUE(is_list_response(list));
  EXPECT_EQ(list.json()["totalResults"], 0);
  EXPECT_TRUE(is_scim_error(other.get("Users/" + id), 404));
  EXPECT_TRUE(is_scim_error(other.del("Users/" + id), 404));
  EXPECT_EQ(other.post("Users", make_org_user(name)).status, 201);
  // octo-org's paths: 404, as GitHub hides organizations a token cannot see.
  auto cross = as(token, std::string(octo_base));
  EXPECT_TRUE(is_scim_error(cross.get("Users"), 404));
  EXPECT_TRUE(is_scim_error(cross.get("Users/" + id), 404));
  EXPECT_TRUE(is_scim_error(cross.post("Users", make_org_user(unique("x") + "@example.com")), 404));
  // An enterprise's token does not reach a standalone organization; the organization's token does
  // not reach the enterprise.
  EXPECT_TRUE(is_scim_error(as(std::string(acme_token), std::string(octo_base)).get("Users"), 404));
  EXPECT_TRUE(is_scim_error(as(std::string(octo_token)).get("Users"), 403));
  // The identity is still there for its own organization.
  EXPECT_EQ(octo.get("Users/" + id).status, 200);
}

TEST_F(OrgScim, anOrganizationOfAnEmuEnterpriseHasNoOrgLevelScim) {
  const std::string base = "/scim/v2/organizations/" + std::string(emu_org) + "/";
  // The enterprise's own token: 404 naming the enterprise's SCIM endpoint, before the scope check.
  auto r = as(std::string(acme_token), base).get("Users");
  ASSERT_TRUE(is_scim_error(r, 404)) << r;
  const std::string detail = r.json()["detail"];
  EXPECT_NE(detail.find("/scim/v2/enterprises/acme/"), std::string::npos) << detail;
  EXPECT_EQ(r.json()["documentation_url"], org_scim_docs);
  EXPECT_TRUE(is_scim_error(as(std::string(acme_token), base).post("Users", make_org_user("x@example.com")), 404));
  // Another tenant's token: a plain 404.
  auto other = as(std::string(octo_token), base).get("Users");
  ASSERT_TRUE(is_scim_error(other, 404));
  EXPECT_EQ(other.json()["detail"], "Not Found");
}

// --- audit --------------------------------------------------------------------------------------

TEST_F(OrgScim, writesRecordGitHubsEventsForTheOrganization) {
  const auto id = provision_new("audit").value("id", "");
  ASSERT_EQ(octo.patch("Users/" + id, make_patch(json::array({patch_op("replace", "displayName", json("A"))}))).status,
            200);
  ASSERT_EQ(octo.del("Users/" + id).status, 204);
  EXPECT_EQ(octo.post("Users", json{{"userName", "no-email"}}).status, 400);
  auto r = admin.get("orgs/octo-org/audit-log?limit=1000");
  ASSERT_EQ(r.status, 200) << r;
  std::multiset<std::string> actions;
  const json audit_page = r.json();
  for (const auto& e : audit_page["events"]) {
    if (e["resource_id"] == id) actions.insert(e["action"].get<std::string>());
  }
  for (const char* a : {"external_identity.provision", "org.invite_member", "external_identity.update",
                        "org.cancel_invitation", "external_identity.deprovision"}) {
    EXPECT_EQ(actions.count(a), 1u) << a;
  }
  EXPECT_EQ(actions.count("external_identity.scim_api_success"), 3u);
}

}  // namespace
}  // namespace emuscim::test
