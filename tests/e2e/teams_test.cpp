// GitHub's organization, team, external-group and enterprise-team REST routes against the real
// server (github-orgs-teams.md; emuscim's choices in docs/BEHAVIOUR.md "Organizations and teams"):
// success, documented errors, paging and Link, scopes, cross-enterprise isolation, and the
// reconciliation of linked teams driven by SCIM writes, read back through the REST routes.

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

const std::string admin_token = "emu_admin_e2e_teams_0123456789";

class Teams : public e2e_suite {
 public:
  static void SetUpTestSuite() {
    start_suite_server({.env = {{"EMUSCIM_ADMIN_TOKEN", admin_token}, {"EMUSCIM_ORGS", "octo-org,second-org"}}});
  }

 protected:
  void SetUp() override {
    e2e_suite::SetUp();
    admin = as(admin_token, "/_emuscim/");
    org_token = mint({"admin:org"});
    api = as(org_token, "/");
    // An organization of its own, so tests sharing one server (one process) never see each other.
    org = unique("org");
    O = "/orgs/" + org;
    auto r = admin.post("enterprises/acme/orgs", json{{"login", org}});
    EXPECT_EQ(r.status, 201) << r;
  }

  std::string mint(const std::vector<std::string>& scopes, const std::string& enterprise = "acme") {
    auto r = admin.post("enterprises/" + enterprise + "/tokens", json{{"scopes", scopes}});
    EXPECT_EQ(r.status, 201) << r;
    return r.try_json().value_or(json::object()).value("token", "");
  }

  // A user provisioned through SCIM; returns {scim id, login}.
  std::pair<std::string, std::string> user(std::string_view prefix) {
    const auto name = unique(prefix);
    return {create_user_id(name), name + "_acme"};
  }
  std::string group(std::string_view name, const std::vector<std::string>& members) {
    return create_group(make_group(name, std::nullopt, members)).value("id", "");
  }
  // The group's numeric GitHub id, from the external-groups list.
  std::int64_t group_number(std::string_view display_name) {
    auto r = api.get(O + "/external-groups?display_name=" + url_encode(display_name));
    EXPECT_EQ(r.status, 200) << r;
    const auto body = r.json();  // a named copy: a range-for over a temporary's member dangles before C++23's P2718
    for (const auto& g : body["groups"]) {
      if (g["group_name"] == display_name) return g["group_id"].get<std::int64_t>();
    }
    ADD_FAILURE() << "no external group " << display_name << ": " << r;
    return 0;
  }
  std::string team(std::string_view name, json extra = json::object()) {
    extra["name"] = name;
    auto r = api.post(O + "/teams", extra);
    EXPECT_EQ(r.status, 201) << r;
    return r.try_json().value_or(json::object()).value("slug", "");
  }
  std::set<std::string> logins(const reply& r) {
    std::set<std::string> out;
    EXPECT_EQ(r.status, 200) << r;
    if (auto j = r.try_json(); j && j->is_array()) {
      for (const auto& u : *j) out.insert(u.value("login", ""));
    }
    return out;
  }
  std::set<std::string> team_members(std::string_view slug) {
    return logins(api.get(O + "/teams/" + std::string(slug) + "/members?per_page=100"));
  }
  std::set<std::string> org_members(std::string_view login = {}) {
    return logins(api.get("/orgs/" + std::string(login.empty() ? org : login) + "/members?per_page=100"));
  }
  reply patch_members(const std::string& group_id, std::string_view op, const std::vector<std::string>& ids) {
    return scim.patch("Groups/" + group_id, make_patch(json::array({patch_op(op, "members", member_values(ids))})));
  }
  reply set_active(const std::string& user_id, bool active) {
    return scim.patch("Users/" + user_id, make_patch(json::array({patch_op("replace", "active", active)})));
  }

  client admin;
  std::string org_token;
  client api;
  std::string org;  // this test's organization
  std::string O;    // "/orgs/" + org
};

::testing::AssertionResult is_rest_error(const reply& r, int status, std::string_view message = {}) {
  if (r.status != status) return ::testing::AssertionFailure() << "expected " << status << ": " << r;
  auto j = r.try_json();
  if (!j || !j->is_object() || !(*j)["message"].is_string() || !j->contains("documentation_url")) {
    return ::testing::AssertionFailure() << "not GitHub's REST error body: " << r;
  }
  if (!message.empty() && (*j)["message"] != message) {
    return ::testing::AssertionFailure() << "message is not '" << message << "': " << r;
  }
  if (r.header("content-type").rfind("application/json", 0) != 0) {
    return ::testing::AssertionFailure() << "content type: " << r;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_validation_failed(const reply& r, std::string_view field, std::string_view code) {
  auto e = is_rest_error(r, 422, "Validation Failed");
  if (!e) return e;
  const auto j = r.json();
  for (const auto& item : j.value("errors", json::array())) {
    if (item.value("field", "") == field && item.value("code", "") == code) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no error {field: " << field << ", code: " << code << "}: " << r;
}

// Link's rel -> URL.
std::map<std::string, std::string> links(const reply& r) {
  std::map<std::string, std::string> out;
  static const std::regex item(R"re(<([^>]*)>; rel="([a-z]+)")re");
  const auto h = r.header("link");
  for (std::sregex_iterator it(h.begin(), h.end(), item), end; it != end; ++it) out[(*it)[2]] = (*it)[1];
  return out;
}

// The path and query of an absolute URL (Link targets carry the server's base URL).
std::string target_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

// --- teams ---------------------------------------------------------------------------------------

TEST_F(Teams, createGetRenameDeleteWithGitHubsSlugs) {
  auto r = api.post(O + "/teams", json{{"name", "My TEam Näme"}, {"description", "A great team."}});
  ASSERT_EQ(r.status, 201) << r;
  auto t = r.json();
  EXPECT_EQ(t["slug"], "my-team-name");
  EXPECT_EQ(t["name"], "My TEam Näme");
  EXPECT_EQ(t["privacy"], "secret");  // GitHub's default for a team without parent
  EXPECT_EQ(t["permission"], "pull");
  EXPECT_EQ(t["members_count"], 0);
  EXPECT_EQ(t["type"], "organization");
  EXPECT_TRUE(t["parent"].is_null());
  EXPECT_EQ(t["organization"]["login"], org);
  EXPECT_TRUE(t["id"].is_number_integer());
  EXPECT_TRUE(t["node_id"].is_string());
  EXPECT_EQ(r.header("x-accepted-oauth-scopes"), "admin:org");

  auto got = api.get(O + "/teams/my-team-name");
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.json()["id"], t["id"]);
  std::string upper = org;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(api.get("/orgs/" + upper + "/teams/my-team-name").status, 200);  // org logins ignore case

  auto renamed = api.patch(O + "/teams/my-team-name", json{{"name", "Justice League"}, {"privacy", "closed"}});
  ASSERT_EQ(renamed.status, 200) << renamed;
  EXPECT_EQ(renamed.json()["slug"], "justice-league");
  EXPECT_EQ(renamed.json()["privacy"], "closed");
  EXPECT_EQ(renamed.json()["id"], t["id"]);
  EXPECT_TRUE(is_rest_error(api.get(O + "/teams/my-team-name"), 404, "Not Found"));
  EXPECT_EQ(api.get(O + "/teams/justice-league").status, 200);

  EXPECT_EQ(api.del(O + "/teams/justice-league").status, 204);
  EXPECT_TRUE(is_rest_error(api.get(O + "/teams/justice-league"), 404));
  EXPECT_TRUE(is_rest_error(api.del(O + "/teams/justice-league"), 404));
  EXPECT_TRUE(is_rest_error(api.patch(O + "/teams/nope", json::object()), 404));
}

TEST_F(Teams, createValidation) {
  EXPECT_TRUE(is_validation_failed(api.post(O + "/teams", json{{"description", "x"}}), "name", "missing_field"));
  EXPECT_TRUE(is_validation_failed(api.post(O + "/teams", json{{"name", "!!!"}}), "name", "invalid"));
  EXPECT_TRUE(is_validation_failed(api.post(O + "/teams", json{{"name", "v"}, {"privacy", "open"}}),
                                   "privacy", "invalid"));
  EXPECT_TRUE(is_validation_failed(api.post(O + "/teams", json{{"name", "v"}, {"permission", "admin"}}),
                                   "permission", "invalid"));
  team("Dup Team");
  EXPECT_TRUE(is_validation_failed(api.post(O + "/teams", json{{"name", "dup team"}}), "name",
                                   "already_exists"));
  EXPECT_TRUE(is_validation_failed(api.post(O + "/teams", json{{"name", "dup-team"}}), "name",
                                   "already_exists"));
  EXPECT_TRUE(is_validation_failed(api.post(O + "/teams", json{{"name", "x"}, {"maintainers", {"nobody_acme"}}}),
                                   "maintainers", "invalid"));
  EXPECT_TRUE(is_rest_error(api.post(O + "/teams", raw_body{"{"}), 400));
  // A maintainer named at creation is a member with role maintainer, and an organization member.
  auto [id, login] = user("mnt");
  auto r = api.post(O + "/teams", json{{"name", "With Maintainer"}, {"maintainers", {login}}});
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(r.json()["members_count"], 1);
  auto m = api.get(O + "/teams/with-maintainer/memberships/" + login);
  ASSERT_EQ(m.status, 200) << m;
  EXPECT_EQ(m.json()["role"], "maintainer");
  EXPECT_EQ(m.json()["state"], "active");
}

TEST_F(Teams, listPagesWithLink) {
  for (int i = 0; i < 5; ++i) team("Paged " + std::to_string(i));
  auto first = api.get(O + "/teams?per_page=2");
  ASSERT_EQ(first.status, 200) << first;
  EXPECT_EQ(first.json().size(), 2u);
  auto l = links(first);
  ASSERT_TRUE(l.contains("next")) << first.header("link");
  ASSERT_TRUE(l.contains("last"));
  EXPECT_FALSE(l.contains("prev"));
  EXPECT_NE(l["next"].find("per_page=2"), std::string::npos);
  EXPECT_NE(l["next"].find("page=2"), std::string::npos);
  EXPECT_NE(l["last"].find("page=3"), std::string::npos);
  std::set<std::string> seen;
  std::string next = O + "/teams?per_page=2";
  for (int pages = 0; !next.empty() && pages < 10; ++pages) {
    auto r = api.get(next);
    ASSERT_EQ(r.status, 200) << r;
    for (const auto& t : r.json()) EXPECT_TRUE(seen.insert(t["slug"].get<std::string>()).second);
    auto lr = links(r);
    next = lr.contains("next") ? target_of(lr["next"]) : "";
    if (pages == 2) {
      EXPECT_TRUE(lr.contains("prev") && lr.contains("first"));
    }
  }
  EXPECT_EQ(seen.size(), 5u);
  auto beyond = api.get(O + "/teams?per_page=2&page=9");
  EXPECT_EQ(beyond.status, 200);
  EXPECT_TRUE(beyond.json().empty());
  EXPECT_TRUE(is_validation_failed(api.get(O + "/teams?per_page=two"), "per_page", "invalid"));
  EXPECT_EQ(api.get(O + "/teams?team_type=enterprise").json(), json::array());
  EXPECT_TRUE(is_validation_failed(api.get(O + "/teams?team_type=other"), "team_type", "invalid"));
  // per_page above 100 is 100, GitHub's maximum.
  EXPECT_EQ(api.get(O + "/teams?per_page=1000").json().size(), 5u);
}

TEST_F(Teams, nestingFollowsGitHubsRules) {
  team("Parent Secret");
  EXPECT_TRUE(is_validation_failed(
      api.post(O + "/teams", json{{"name", "Kid"}, {"parent_team_slug", "parent-secret"}}),
      "parent_team_id", "invalid"));
  auto parent = api.post(O + "/teams", json{{"name", "Parent"}, {"privacy", "closed"}}).json();
  auto child = api.post(O + "/teams", json{{"name", "Child"}, {"parent_team_id", parent["id"]}});
  ASSERT_EQ(child.status, 201) << child;
  EXPECT_EQ(child.json()["privacy"], "closed");  // a child team's default
  EXPECT_EQ(child.json()["parent"]["slug"], "parent");
  EXPECT_TRUE(is_validation_failed(api.patch(O + "/teams/parent", json{{"parent_team_slug", "child"}}),
                                   "parent_team_id", "invalid"));  // a cycle
  EXPECT_TRUE(is_validation_failed(api.patch(O + "/teams/parent", json{{"privacy", "secret"}}), "privacy",
                                   "invalid"));
  EXPECT_TRUE(is_validation_failed(
      api.post(O + "/teams", json{{"name", "Orphan"}, {"parent_team_id", 999999}}), "parent_team_id",
      "invalid"));
  // Members of a child team are members of the parent, inherited.
  auto [id, login] = user("kid");
  ASSERT_EQ(api.put(O + "/teams/child/memberships/" + login, json::object()).status, 200);
  auto members = api.get(O + "/teams/parent/members").json();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0]["login"], login);
  EXPECT_EQ(members[0]["inherited"], true);
  EXPECT_EQ(api.get(O + "/teams/parent/memberships/" + login).status, 200);
  // Unnesting, then deleting a parent deletes its children.
  auto moved = api.patch(O + "/teams/child", json{{"parent_team_id", nullptr}});
  ASSERT_EQ(moved.status, 200) << moved;
  EXPECT_TRUE(moved.json()["parent"].is_null());
  ASSERT_EQ(api.patch(O + "/teams/child", json{{"parent_team_slug", "parent"}}).status, 200);
  EXPECT_EQ(api.del(O + "/teams/parent").status, 204);
  EXPECT_EQ(api.get(O + "/teams/child").status, 404);
}

// --- members and memberships --------------------------------------------------------------------

TEST_F(Teams, manualMembershipsMakeOrganizationMembers) {
  const auto slug = team("Manual");
  auto [id, login] = user("man");
  EXPECT_TRUE(is_rest_error(api.get(O + "/memberships/" + login), 404));
  EXPECT_EQ(api.get(O + "/members/" + login).status, 404);

  auto put = api.put(O + "/teams/" + slug + "/memberships/" + login, json{{"role", "maintainer"}});
  ASSERT_EQ(put.status, 200) << put;
  EXPECT_EQ(put.json()["role"], "maintainer");
  EXPECT_EQ(put.json()["state"], "active");
  EXPECT_NE(put.json()["url"].get<std::string>().find("/memberships/" + login), std::string::npos);

  auto check = api.get(O + "/members/" + login);
  EXPECT_EQ(check.status, 204) << check;
  EXPECT_TRUE(check.body.empty());
  auto m = api.get(O + "/memberships/" + login);
  ASSERT_EQ(m.status, 200) << m;
  EXPECT_EQ(m.json()["state"], "active");
  EXPECT_EQ(m.json()["role"], "member");
  EXPECT_EQ(m.json()["direct_membership"], true);
  EXPECT_EQ(m.json()["user"]["login"], login);
  EXPECT_EQ(m.json()["organization"]["login"], org);
  EXPECT_EQ(m.json()["enterprise_teams_providing_indirect_membership"], json::array());

  auto members = api.get(O + "/teams/" + slug + "/members");
  ASSERT_EQ(members.status, 200) << members;
  ASSERT_EQ(members.json().size(), 1u);
  EXPECT_EQ(members.json()[0]["role"], "maintainer");
  EXPECT_EQ(members.json()[0]["inherited"], false);
  EXPECT_EQ(members.json()[0]["type"], "User");
  EXPECT_EQ(api.get(O + "/teams/" + slug + "/members?role=member").json(), json::array());
  EXPECT_TRUE(is_validation_failed(api.get(O + "/teams/" + slug + "/members?role=boss"), "role", "invalid"));

  // Demote, then remove: the direct organization membership stays.
  EXPECT_EQ(api.put(O + "/teams/" + slug + "/memberships/" + login, json::object()).json()["role"], "member");
  EXPECT_EQ(api.del(O + "/teams/" + slug + "/memberships/" + login).status, 204);
  EXPECT_EQ(api.get(O + "/teams/" + slug + "/memberships/" + login).status, 404);
  EXPECT_TRUE(is_rest_error(api.del(O + "/teams/" + slug + "/memberships/" + login), 404));
  EXPECT_EQ(api.get(O + "/members/" + login).status, 204);

  EXPECT_TRUE(is_rest_error(api.put(O + "/teams/" + slug + "/memberships/nobody_acme", json::object()), 404));
  EXPECT_TRUE(is_validation_failed(api.put(O + "/teams/" + slug + "/memberships/second-org", json::object()),
                                   "username", "invalid"));
  EXPECT_TRUE(is_validation_failed(
      api.put(O + "/teams/" + slug + "/memberships/" + login, json{{"role", "owner"}}), "role", "invalid"));
  EXPECT_TRUE(is_validation_failed(api.get(O + "/members?role=owner"), "role", "invalid"));
  EXPECT_EQ(api.get(O + "/members?filter=2fa_disabled").json(), json::array());
}

TEST_F(Teams, orgMembersPageWithLink) {
  const auto slug = team("Crowd");
  std::set<std::string> all;
  for (int i = 0; i < 5; ++i) {
    auto [id, login] = user("crowd");
    ASSERT_EQ(api.put(O + "/teams/" + slug + "/memberships/" + login, json::object()).status, 200);
    all.insert(login);
  }
  auto r = api.get(O + "/members?per_page=2&page=2");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json().size(), 2u);
  auto l = links(r);
  EXPECT_NE(l["prev"].find("page=1"), std::string::npos);
  EXPECT_NE(l["next"].find("page=3"), std::string::npos);
  EXPECT_NE(l["last"].find("page=3"), std::string::npos);
  EXPECT_NE(l["first"].find("page=1"), std::string::npos);
  EXPECT_EQ(org_members(), all);
  const auto first = api.get(O + "/members").json()[0];
  EXPECT_TRUE(first["id"].is_number_integer());
  EXPECT_EQ(first["url"].get<std::string>().find("http"), 0u);
  EXPECT_TRUE(first["node_id"].is_string());
}

// --- scopes and isolation -------------------------------------------------------------------------

TEST_F(Teams, scopesFollowGitHub) {
  team("Scoped");
  auto reader = as(mint({"read:org"}), "/");
  EXPECT_EQ(reader.get(O + "/teams").status, 200);
  EXPECT_EQ(reader.get(O + "/teams").header("x-oauth-scopes"), "read:org");
  EXPECT_EQ(reader.get(O + "/teams").header("x-accepted-oauth-scopes"), "read:org");
  // A classic token without the scope on a private resource: 404 (github-orgs-teams.md §3).
  EXPECT_TRUE(is_rest_error(reader.post(O + "/teams", json{{"name", "Nope"}}), 404, "Not Found"));
  EXPECT_TRUE(is_rest_error(reader.del(O + "/teams/scoped"), 404));
  auto writer = as(mint({"write:org"}), "/");
  auto [id, login] = user("scp");
  EXPECT_EQ(writer.put(O + "/teams/scoped/memberships/" + login, json::object()).status, 200);
  EXPECT_TRUE(is_rest_error(writer.post(O + "/teams", json{{"name", "Nope"}}), 404));
  // The SCIM token (admin:enterprise) does not see org routes; an org token does not do SCIM.
  EXPECT_TRUE(is_rest_error(as(std::string(acme_token), "/").get(O + "/teams"), 404));
  EXPECT_EQ(as(org_token).get("Users").status, 403);
  EXPECT_TRUE(is_rest_error(as("bogus", "/").get(O + "/teams"), 401));
  // Enterprise teams: read:enterprise reads, admin:enterprise writes; otherwise 403.
  auto ent_reader = as(mint({"read:enterprise"}), "/");
  EXPECT_EQ(ent_reader.get("/enterprises/acme/teams").status, 200);
  EXPECT_TRUE(is_rest_error(ent_reader.post("/enterprises/acme/teams", json{{"name", "x"}}), 403));
  EXPECT_TRUE(is_rest_error(api.get("/enterprises/acme/teams"), 403));
}

TEST_F(Teams, anotherEnterprisesTokenSeesNothing) {
  ASSERT_EQ(admin.post("enterprises", json{{"slug", "globex"}, {"short_code", "globex"}}).status, 201);
  ASSERT_EQ(admin.post("enterprises/globex/orgs", json{{"login", "globex-org"}}).status, 201);
  auto globex = as(mint({"admin:org", "admin:enterprise"}, "globex"), "/");
  team("Private");
  EXPECT_EQ(globex.get("/orgs/globex-org/teams").status, 200);
  for (const std::string& path : {O + "/teams", O + "/teams/private", O + "/members", O + "/external-groups"}) {
    EXPECT_TRUE(is_rest_error(globex.get(path), 404, "Not Found")) << path;
  }
  EXPECT_TRUE(is_rest_error(globex.post(O + "/teams", json{{"name", "Intruder"}}), 404));
  EXPECT_TRUE(is_rest_error(api.get("/orgs/globex-org/teams"), 404));
  EXPECT_TRUE(is_rest_error(api.get("/orgs/no-such-org/teams"), 404));
  EXPECT_TRUE(is_rest_error(globex.get("/enterprises/acme/teams"), 403));
  EXPECT_EQ(globex.get("/enterprises/globex/teams").status, 200);
  // Assigning another enterprise's organization to an enterprise team is refused.
  ASSERT_EQ(globex.post("/enterprises/globex/teams", json{{"name", "G"}}).status, 201);
  EXPECT_TRUE(is_validation_failed(
      globex.post("/enterprises/globex/teams/ent:g/organizations/add", json{{"organization_slugs", {org}}}),
      "organization_slugs", "invalid"));
  EXPECT_TRUE(is_rest_error(globex.put("/enterprises/globex/teams/ent:g/organizations/" + org, json::object()), 404));
}

// --- external groups and reconciliation ----------------------------------------------------------

TEST_F(Teams, externalGroupsListFilterAndCursor) {
  for (const char* n : {"Eng Alpha", "Eng Beta", "Eng Gamma", "Sales"}) group(n, {});
  auto all = api.get(O + "/external-groups?display_name=eng");
  ASSERT_EQ(all.status, 200) << all;
  ASSERT_EQ(all.json()["groups"].size(), 3u);
  EXPECT_TRUE(all.json()["groups"][0]["group_id"].is_number_integer());
  EXPECT_EQ(all.json()["groups"][0]["group_name"], "Eng Alpha");
  EXPECT_TRUE(all.json()["groups"][0]["updated_at"].is_string());
  std::vector<std::string> names;
  std::string next = O + "/external-groups?display_name=ENG&per_page=2";
  for (int pages = 0; !next.empty() && pages < 5; ++pages) {
    auto r = api.get(next);
    ASSERT_EQ(r.status, 200) << r;
    const auto body = r.json();
    for (const auto& g : body["groups"]) names.push_back(g["group_name"]);
    auto l = links(r);
    EXPECT_FALSE(l.contains("last"));  // a cursor has no last page
    next = l.contains("next") ? target_of(l["next"]) : "";
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Eng Alpha", "Eng Beta", "Eng Gamma"}));
  EXPECT_TRUE(is_rest_error(api.get(O + "/external-group/987654"), 404));
  EXPECT_TRUE(is_rest_error(api.get(O + "/external-group/abc"), 404));
}

TEST_F(Teams, linkReconcilesAndScimWritesFollow) {
  auto [a, a_login] = user("lnk");
  auto [b, b_login] = user("lnk");
  auto [c, c_login] = user("lnk");
  const auto gid = group("Linked Group", {a, b});
  const auto number = group_number("Linked Group");
  const auto slug = team("Linked");

  auto link = api.patch(O + "/teams/" + slug + "/external-groups", json{{"group_id", number}});
  ASSERT_EQ(link.status, 200) << link;
  EXPECT_EQ(link.json()["group_id"], number);
  EXPECT_EQ(link.json()["group_name"], "Linked Group");
  ASSERT_EQ(link.json()["teams"].size(), 1u);
  EXPECT_EQ(link.json()["teams"][0]["team_name"], "Linked");
  EXPECT_EQ(link.json()["members"].size(), 2u);
  EXPECT_EQ(team_members(slug), (std::set<std::string>{a_login, b_login}));
  EXPECT_EQ(org_members(), (std::set<std::string>{a_login, b_login}));
  auto linked = api.get(O + "/teams/" + slug + "/external-groups");
  ASSERT_EQ(linked.status, 200);
  ASSERT_EQ(linked.json()["groups"].size(), 1u);
  EXPECT_EQ(linked.json()["groups"][0]["group_id"], number);
  auto info = api.get(O + "/external-group/" + std::to_string(number) + "?per_page=1");
  ASSERT_EQ(info.status, 200) << info;
  EXPECT_EQ(info.json()["members"].size(), 1u);
  EXPECT_TRUE(links(info).contains("next"));
  EXPECT_EQ(info.json()["members"][0]["member_login"], a_login);

  // SCIM writes reconcile in the same transaction: the reply's state is already the team's.
  auto add = patch_members(gid, "add", {c});
  ASSERT_EQ(add.status, 200) << add;
  EXPECT_EQ(team_members(slug), (std::set<std::string>{a_login, b_login, c_login}));
  ASSERT_EQ(patch_members(gid, "remove", {a}).status, 200);
  EXPECT_EQ(team_members(slug), (std::set<std::string>{b_login, c_login}));
  EXPECT_EQ(org_members(), (std::set<std::string>{b_login, c_login}));
  auto suspend = set_active(b, false);
  ASSERT_EQ(suspend.status, 200) << suspend;
  EXPECT_EQ(team_members(slug), (std::set<std::string>{c_login}));
  EXPECT_EQ(org_members(), (std::set<std::string>{c_login}));
  ASSERT_EQ(set_active(b, true).status, 200);
  EXPECT_EQ(team_members(slug), (std::set<std::string>{b_login, c_login}));

  // The events carry the request id of the SCIM call that caused them.
  auto removal = patch_members(gid, "remove", {c});
  ASSERT_EQ(removal.status, 200);
  const auto request_id = removal.header("x-github-request-id");
  auto events = scim.get("/enterprises/acme/audit-log?phrase=action:team.remove_member&per_page=100");
  ASSERT_EQ(events.status, 200) << events;
  bool found = false;
  for (const auto& e : events.json()) {
    if (e.value("request_id", "") == request_id && e.value("user", "") == c_login) found = true;
  }
  EXPECT_TRUE(found) << "no team.remove_member for " << c_login << " with request id " << request_id;
  auto org_events = scim.get("/enterprises/acme/audit-log?phrase=action:org.remove_member&per_page=100");
  EXPECT_NE(org_events.body.find(request_id), std::string::npos);

  // Manual changes on a linked team: 403.
  auto manual = api.put(O + "/teams/" + slug + "/memberships/" + a_login, json::object());
  EXPECT_TRUE(is_rest_error(manual, 403)) << manual;
  EXPECT_TRUE(is_rest_error(api.del(O + "/teams/" + slug + "/memberships/" + b_login), 403));

  // Deleting a user removes them for good.
  ASSERT_EQ(scim.del("Users/" + b).status, 204);
  EXPECT_EQ(team_members(slug), std::set<std::string>{});

  // Unlink: the group's members leave; the team stays.
  ASSERT_EQ(patch_members(gid, "add", {a}).status, 200);
  EXPECT_EQ(team_members(slug), (std::set<std::string>{a_login}));
  EXPECT_EQ(api.del(O + "/teams/" + slug + "/external-groups").status, 204);
  EXPECT_EQ(team_members(slug), std::set<std::string>{});
  EXPECT_EQ(org_members(), std::set<std::string>{});
  EXPECT_EQ(api.get(O + "/teams/" + slug + "/external-groups").json()["groups"], json::array());
  EXPECT_EQ(api.del(O + "/teams/" + slug + "/external-groups").status, 204);  // again: nothing to do
}

TEST_F(Teams, linkRefusals) {
  auto [a, a_login] = user("ref");
  group("Refusal Group", {a});
  const auto number = group_number("Refusal Group");
  const auto manual = team("Has Members");
  ASSERT_EQ(api.put(O + "/teams/" + manual + "/memberships/" + a_login, json::object()).status, 200);
  EXPECT_TRUE(is_validation_failed(
      api.patch(O + "/teams/" + manual + "/external-groups", json{{"group_id", number}}), "group_id",
      "invalid"));
  auto parent = api.post(O + "/teams", json{{"name", "Nest"}, {"privacy", "closed"}}).json();
  ASSERT_EQ(api.post(O + "/teams", json{{"name", "Nested"}, {"parent_team_id", parent["id"]}}).status, 201);
  EXPECT_TRUE(is_validation_failed(api.patch(O + "/teams/nested/external-groups", json{{"group_id", number}}),
                                   "group_id", "invalid"));
  EXPECT_TRUE(is_validation_failed(api.patch(O + "/teams/nest/external-groups", json{{"group_id", number}}),
                                   "group_id", "invalid"));
  const auto empty = team("Empty");
  EXPECT_TRUE(is_validation_failed(api.patch(O + "/teams/" + empty + "/external-groups", json::object()),
                                   "group_id", "missing_field"));
  EXPECT_TRUE(is_validation_failed(
      api.patch(O + "/teams/" + empty + "/external-groups", json{{"group_id", 424242}}), "group_id",
      "invalid"));
  EXPECT_TRUE(is_validation_failed(
      api.patch(O + "/teams/" + empty + "/external-groups", json{{"group_id", "1"}}), "group_id", "invalid"));
  EXPECT_TRUE(is_rest_error(api.patch(O + "/teams/none/external-groups", json{{"group_id", number}}), 404));
  // A linked team cannot become a child.
  ASSERT_EQ(api.patch(O + "/teams/" + empty + "/external-groups", json{{"group_id", number}}).status, 200);
  EXPECT_TRUE(is_validation_failed(api.patch(O + "/teams/" + empty, json{{"parent_team_slug", "nest"}}),
                                   "parent_team_id", "invalid"));
}

// The reconciliation table: SCIM writes and suspensions through the real server, team and
// organization membership read back through the REST routes after every step.
TEST_F(Teams, reconciliationTable) {
  std::map<std::string, std::pair<std::string, std::string>> u;  // name -> {scim id, login}
  for (const char* n : {"ann", "bob", "cid", "dee"}) u[n] = user(n);
  const auto gid = group("Table Group", {});
  const auto number = group_number("Table Group");
  const auto linked = team("Table Linked");
  const auto second = team("Table Second");
  ASSERT_EQ(api.patch(O + "/teams/" + second + "/external-groups", json{{"group_id", number}}).status, 200);
  ASSERT_EQ(api.patch(O + "/teams/" + linked + "/external-groups", json{{"group_id", number}}).status, 200);
  auto ids = [&](std::initializer_list<const char*> names) {
    std::vector<std::string> out;
    for (auto n : names) out.push_back(u[n].first);
    return out;
  };
  auto set_of = [&](std::initializer_list<const char*> names) {
    std::set<std::string> out;
    for (auto n : names) out.insert(u[n].second);
    return out;
  };
  struct step {
    const char* what;
    std::function<reply()> write;
    std::set<std::string> members;  // of both linked teams and of the organization
  };
  const std::vector<step> steps = {
      {"PATCH add two", [&] { return patch_members(gid, "add", ids({"ann", "bob"})); }, set_of({"ann", "bob"})},
      {"PATCH add an existing member and a new one", [&] { return patch_members(gid, "add", ids({"ann", "cid"})); },
       set_of({"ann", "bob", "cid"})},
      {"PATCH remove one", [&] { return patch_members(gid, "remove", ids({"bob"})); }, set_of({"ann", "cid"})},
      {"PATCH replace members",
       [&] {
         return scim.patch("Groups/" + gid,
                           make_patch(json::array({patch_op("replace", "members", member_values(ids({"bob", "dee"})))})));
       },
       set_of({"bob", "dee"})},
      {"suspend a member (PATCH active false)", [&] { return set_active(u["dee"].first, false); }, set_of({"bob"})},
      {"PUT the group with three members (one suspended)",
       [&] { return scim.put("Groups/" + gid, make_group("Table Group", std::nullopt, ids({"ann", "cid", "dee"}))); },
       set_of({"ann", "cid"})},
      {"reactivate (PUT active true)",
       [&] {
         auto full = get_user(u["dee"].first);
         full["active"] = true;
         return scim.put("Users/" + u["dee"].first, full);
       },
       set_of({"ann", "cid", "dee"})},
      {"remove all members (PATCH remove members without value)",
       [&] { return scim.patch("Groups/" + gid, make_patch(json::array({patch_op("remove", "members")}))); },
       set_of({})},
      {"add back, then delete a user", [&] {
         patch_members(gid, "add", ids({"ann", "bob"}));
         return scim.del("Users/" + u["bob"].first);
       },
       set_of({"ann"})},
      {"DELETE the group: its teams are emptied and unlinked", [&] { return scim.del("Groups/" + gid); }, set_of({})},
  };
  for (const auto& s : steps) {
    SCOPED_TRACE(s.what);
    auto r = s.write();
    ASSERT_LT(r.status, 300) << r;
    EXPECT_EQ(team_members(linked), s.members);
    EXPECT_EQ(team_members(second), s.members);
    EXPECT_EQ(org_members(), s.members);
  }
  EXPECT_EQ(api.get(O + "/teams/" + linked + "/external-groups").json()["groups"], json::array());
}

// --- enterprise teams ----------------------------------------------------------------------------

TEST_F(Teams, enterpriseTeams) {
  auto ent = as(mint({"admin:enterprise"}), "/");
  auto [a, a_login] = user("ent");
  auto [b, b_login] = user("ent");
  const auto gid = group("Ent Group", {a});

  auto created = ent.post("/enterprises/acme/teams", json{{"name", "Justice League"}, {"description", "A great team."}});
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_EQ(created.json()["slug"], "ent:justice-league");
  EXPECT_TRUE(created.json()["group_id"].is_null());
  EXPECT_EQ(created.json()["organization_selection_type"], "disabled");
  const auto id = created.json()["id"].get<std::int64_t>();
  EXPECT_EQ(ent.get("/enterprises/acme/teams/ent:justice-league").status, 200);
  EXPECT_EQ(ent.get("/enterprises/acme/teams/" + std::to_string(id) + "/memberships").status, 200);
  EXPECT_TRUE(is_validation_failed(ent.post("/enterprises/acme/teams", json{{"name", "justice league"}}), "name",
                                   "already_exists"));
  EXPECT_TRUE(is_validation_failed(ent.post("/enterprises/acme/teams", json::object()), "name", "missing_field"));
  EXPECT_TRUE(is_validation_failed(ent.post("/enterprises/acme/teams", json{{"name", "X"}, {"group_id", "nope"}}),
                                   "group_id", "invalid"));

  // Members by hand, organizations by assignment: members join the assigned organizations.
  auto added = ent.post("/enterprises/acme/teams/ent:justice-league/memberships/add", json{{"usernames", {a_login, b_login}}});
  ASSERT_EQ(added.status, 200) << added;
  EXPECT_EQ(added.json().size(), 2u);
  EXPECT_EQ(logins(ent.get("/enterprises/acme/teams/ent:justice-league/memberships")),
            (std::set<std::string>{a_login, b_login}));
  EXPECT_EQ(ent.get("/enterprises/acme/teams/ent:justice-league/memberships/" + a_login).status, 200);
  auto assigned = ent.put("/enterprises/acme/teams/ent:justice-league/organizations/" + org, json::object());
  ASSERT_EQ(assigned.status, 201) << assigned;
  EXPECT_EQ(assigned.json()["login"], org);
  EXPECT_EQ(org_members(), (std::set<std::string>{a_login, b_login}));
  auto membership = api.get(O + "/memberships/" + a_login).json();
  EXPECT_EQ(membership["direct_membership"], false);
  EXPECT_EQ(membership["enterprise_teams_providing_indirect_membership"], json::array({"ent:justice-league"}));
  EXPECT_EQ(ent.get("/enterprises/acme/teams/ent:justice-league/organizations/" + org).status, 200);
  EXPECT_EQ(ent.get("/enterprises/acme/teams/ent:justice-league/organizations/second-org").status, 404);
  auto bulk = ent.post("/enterprises/acme/teams/ent:justice-league/organizations/add",
                       json{{"organization_slugs", {"second-org"}}});
  ASSERT_EQ(bulk.status, 200) << bulk;
  EXPECT_EQ(org_members("second-org"), (std::set<std::string>{a_login, b_login}));
  auto orgs = ent.get("/enterprises/acme/teams/ent:justice-league/organizations");
  ASSERT_EQ(orgs.status, 200);
  EXPECT_EQ(orgs.json().size(), 2u);
  EXPECT_EQ(ent.post("/enterprises/acme/teams/ent:justice-league/organizations/remove",
                     json{{"organization_slugs", {"second-org"}}})
                .status,
            204);
  EXPECT_EQ(org_members("second-org"), std::set<std::string>{});
  auto removed = ent.post("/enterprises/acme/teams/ent:justice-league/memberships/remove", json{{"usernames", {b_login}}});
  ASSERT_EQ(removed.status, 200) << removed;
  EXPECT_EQ(org_members(), (std::set<std::string>{a_login}));
  EXPECT_EQ(ent.del("/enterprises/acme/teams/ent:justice-league/memberships/" + a_login).status, 204);
  EXPECT_EQ(ent.put("/enterprises/acme/teams/ent:justice-league/memberships/" + b_login, json::object()).status, 201);
  EXPECT_TRUE(is_validation_failed(
      ent.post("/enterprises/acme/teams/ent:justice-league/memberships/add", json{{"usernames", {"ghost_acme"}}}),
      "usernames", "invalid"));

  // group_id (the SCIM id) replaces the direct members with the group's, and then manages them.
  auto linked = ent.patch("/enterprises/acme/teams/ent:justice-league", json{{"group_id", gid}});
  ASSERT_EQ(linked.status, 200) << linked;
  EXPECT_EQ(linked.json()["group_id"], gid);
  EXPECT_EQ(logins(ent.get("/enterprises/acme/teams/ent:justice-league/memberships")), (std::set<std::string>{a_login}));
  EXPECT_EQ(org_members(), (std::set<std::string>{a_login}));
  EXPECT_TRUE(is_rest_error(ent.put("/enterprises/acme/teams/ent:justice-league/memberships/" + b_login, json::object()),
                            403));
  ASSERT_EQ(patch_members(gid, "add", {b}).status, 200);
  EXPECT_EQ(org_members(), (std::set<std::string>{a_login, b_login}));

  auto renamed = ent.patch("/enterprises/acme/teams/ent:justice-league", json{{"name", "Avengers"}});
  ASSERT_EQ(renamed.status, 200) << renamed;
  EXPECT_EQ(renamed.json()["slug"], "ent:avengers");
  auto list = ent.get("/enterprises/acme/teams?per_page=1");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().size(), 1u);
  EXPECT_EQ(ent.del("/enterprises/acme/teams/ent:avengers").status, 204);
  EXPECT_EQ(org_members(), std::set<std::string>{});
  EXPECT_TRUE(is_rest_error(ent.get("/enterprises/acme/teams/ent:avengers"), 404));

  // "all" assigns every organization, also one created later.
  ASSERT_EQ(ent.post("/enterprises/acme/teams", json{{"name", "Everyone"}, {"organization_selection_type", "all"},
                                                       {"group_id", gid}})
                .status,
            201);
  EXPECT_EQ(org_members("second-org"), (std::set<std::string>{a_login, b_login}));
  ASSERT_EQ(admin.post("enterprises/acme/orgs", json{{"login", "late-org"}}).status, 201);
  EXPECT_EQ(org_members("late-org"), (std::set<std::string>{a_login, b_login}));
  EXPECT_EQ(ent.del("/enterprises/acme/teams/ent:everyone").status, 204);  // nothing left for later tests
}

// --- admin API and CLI views ---------------------------------------------------------------------

TEST_F(Teams, adminViewsShowOrganizationsTeamsAndLinks) {
  auto [a, a_login] = user("adm");
  const auto gid = group("Admin View Group", {a});
  const auto slug = team("Admin View");
  ASSERT_EQ(api.patch(O + "/teams/" + slug + "/external-groups",
                      json{{"group_id", group_number("Admin View Group")}})
                .status,
            200);
  auto users = admin.get("enterprises/acme/users");
  ASSERT_EQ(users.status, 200) << users;
  bool seen = false;
  const auto users_body = users.json();
  for (const auto& uj : users_body["users"]) {
    if (uj["id"] != a) continue;
    seen = true;
    EXPECT_EQ(uj["orgs"], json::array({org}));
    EXPECT_EQ(uj["teams"], json::array({json{{"org", org}, {"slug", slug}}}));
  }
  EXPECT_TRUE(seen);
  auto groups = admin.get("enterprises/acme/groups");
  ASSERT_EQ(groups.status, 200) << groups;
  json g;
  const auto groups_body = groups.json();
  for (const auto& item : groups_body["groups"]) {
    if (item["id"] == gid) g = item;
  }
  ASSERT_TRUE(g.is_object()) << groups;
  EXPECT_EQ(g["id"], gid);
  EXPECT_EQ(g["member_count"], 1);
  EXPECT_EQ(g["members"][0]["login"], a_login);
  EXPECT_EQ(g["teams"], json::array({json{{"org", org}, {"slug", slug}}}));
  EXPECT_EQ(admin.get("enterprises/nope/groups").status, 404);

  auto line = cli_user_line(server(), a);
  ASSERT_TRUE(line.has_value());
  EXPECT_NE(line->find("orgs=" + org), std::string::npos) << *line;
}

}  // namespace
}  // namespace emuscim::test
