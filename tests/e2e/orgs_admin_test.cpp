// Organizations through the admin API, the command line and the start-up bootstrap
// (docs/ADMIN_API.md "Organizations"): an enterprise's organizations and standalone ones, their
// tokens, and what those tokens may see on GitHub's organization routes.

#include <string>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

const std::string admin_token = "emu_admin_e2e_orgs_0123456789";
const std::string solo_token = "emu_standalone_org_token_0123456789abcdef";

class OrgsAdmin : public e2e_suite {
 public:
  static void SetUpTestSuite() {
    start_suite_server({.env = {{"EMUSCIM_ADMIN_TOKEN", admin_token},
                                {"EMUSCIM_ORGS", "boot-one,boot-two"},
                                {"EMUSCIM_ORG", "solo-boot"},
                                {"EMUSCIM_ORG_TOKEN", solo_token}}});
  }

 protected:
  void SetUp() override {
    e2e_suite::SetUp();
    admin = as(admin_token, "/_emuscim/");
  }
  bool lists(const reply& r, std::string_view login) {
    EXPECT_EQ(r.status, 200) << r;
    for (const auto& o : r.try_json().value_or(json::object()).value("orgs", json::array())) {
      if (o.value("login", "") == login) return true;
    }
    return false;
  }
  client admin;
};

TEST_F(OrgsAdmin, bootstrapCreatesTheOrganizations) {
  auto list = admin.get("enterprises/acme/orgs");
  EXPECT_TRUE(lists(list, "boot-one"));
  EXPECT_TRUE(lists(list, "boot-two"));
  auto solo = admin.get("orgs/solo-boot");
  ASSERT_EQ(solo.status, 200) << solo;
  EXPECT_TRUE(solo.json()["enterprise"].is_null());
  EXPECT_EQ(solo.json()["sso"], true);
  // The standalone organization's bootstrap token acts on it, and on nothing else.
  auto org = as(solo_token, "/");
  auto members = org.get("/orgs/solo-boot/members");
  ASSERT_EQ(members.status, 200) << members;
  EXPECT_EQ(members.json(), json::array());
  EXPECT_EQ(org.get("/orgs/boot-one/members").status, 404);
  EXPECT_EQ(org.get("/orgs/solo-boot/external-groups").status, 404);  // EMU organizations only
}

TEST_F(OrgsAdmin, enterpriseOrganizations) {
  auto created = admin.post("enterprises/acme/orgs", json{{"login", "octo-admin"}});
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_EQ(created.header("location"), "/_emuscim/enterprises/acme/orgs/octo-admin");
  EXPECT_EQ(created.json()["enterprise"], "acme");
  EXPECT_EQ(created.json()["sso"], false);
  EXPECT_TRUE(created.json()["id"].is_number_integer());
  EXPECT_EQ(admin.post("enterprises/acme/orgs", json{{"login", "octo-admin"}}).status, 200);
  EXPECT_EQ(admin.post("enterprises/acme/orgs", json{{"login", "-bad-"}}).status, 400);
  EXPECT_EQ(admin.post("enterprises/acme/orgs", json{{"login", "x"}, {"extra", 1}}).status, 400);
  EXPECT_EQ(admin.post("enterprises/nope/orgs", json{{"login", "nope-org"}}).status, 404);
  EXPECT_TRUE(lists(admin.get("enterprises/acme/orgs"), "octo-admin"));
  EXPECT_TRUE(lists(admin.get("orgs"), "octo-admin"));
  ASSERT_EQ(admin.post("enterprises", json{{"slug", "other"}, {"short_code", "other"}}).status, 201);
  EXPECT_EQ(admin.post("enterprises/other/orgs", json{{"login", "OCTO-ADMIN"}}).status, 409);  // logins are global
  EXPECT_EQ(admin.post("orgs/octo-admin/tokens", json::object()).status, 400);  // use the enterprise's tokens
  EXPECT_EQ(admin.del("enterprises/other/orgs/octo-admin").status, 404);
  EXPECT_EQ(admin.del("orgs/octo-admin").status, 404);
  EXPECT_EQ(admin.del("enterprises/acme/orgs/octo-admin").status, 204);
  EXPECT_FALSE(lists(admin.get("enterprises/acme/orgs"), "octo-admin"));
  EXPECT_EQ(admin.get("orgs/octo-admin").status, 404);
}

TEST_F(OrgsAdmin, standaloneOrganizationsAndTheirTokens) {
  EXPECT_EQ(admin.post("orgs", json{{"login", "solo-api"}}).status, 400);  // "sso": true is required
  auto created = admin.post("orgs", json{{"login", "solo-api"}, {"sso", true}});
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_TRUE(created.json()["enterprise"].is_null());
  auto token = admin.post("orgs/solo-api/tokens", json{{"scopes", {"read:org"}}, {"label", "ci"}});
  ASSERT_EQ(token.status, 201) << token;
  EXPECT_EQ(token.json()["scopes"], json::array({"read:org"}));
  auto tokens = admin.get("orgs/solo-api/tokens");
  ASSERT_EQ(tokens.status, 200);
  EXPECT_EQ(tokens.json()["tokens"].size(), 1u);
  EXPECT_FALSE(tokens.json()["tokens"][0].contains("token"));
  auto org = as(token.json()["token"].get<std::string>(), "/");
  EXPECT_EQ(org.get("/orgs/solo-api/teams").status, 200);
  EXPECT_EQ(org.get("/orgs/solo-boot/teams").status, 404);
  EXPECT_EQ(org.post("/orgs/solo-api/teams", json{{"name", "x"}}).status, 404);  // read:org only
  const auto id = token.json()["id"].get<std::int64_t>();
  EXPECT_EQ(admin.del("orgs/solo-api/tokens/" + std::to_string(id)).status, 204);
  EXPECT_EQ(org.get("/orgs/solo-api/teams").status, 401);
  EXPECT_EQ(admin.del("enterprises/acme/orgs/solo-api").status, 404);
  EXPECT_EQ(admin.del("orgs/solo-api").status, 204);
  EXPECT_EQ(admin.get("orgs/solo-api").status, 404);
}

TEST_F(OrgsAdmin, commandLine) {
  const auto& db = server().db_path();
  auto added = run_cli({"org", "add", "cli-org", "--enterprise", "acme", "--db", db});
  ASSERT_EQ(added.exit_code, 0) << added;
  EXPECT_NE(added.out.find("created"), std::string::npos) << added;
  auto again = run_cli({"org", "add", "cli-org", "--enterprise", "acme", "--db", db});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again;
  auto list = run_cli({"orgs", "list", "--enterprise", "acme", "--db", db});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_TRUE(line_containing(list.out, "cli-org").has_value()) << list;
  EXPECT_TRUE(line_containing(list.out, "boot-one").has_value()) << list;
  EXPECT_EQ(run_cli({"org", "add", "cli-two", "--db", db}).exit_code, 2);  // --enterprise or --sso
  auto standalone = run_cli({"org", "add", "cli-solo", "--sso", "--db", db});
  ASSERT_EQ(standalone.exit_code, 0) << standalone;
  auto token = run_cli({"token", "add", "--org", "cli-solo", "--scope", "read:org", "--db", db});
  ASSERT_EQ(token.exit_code, 0) << token;
  std::string t = token.out.substr(0, token.out.find('\n'));
  EXPECT_EQ(as(t, "/").get("/orgs/cli-solo/members").status, 200);
  // The running server sees what the command line wrote.
  EXPECT_TRUE(lists(admin.get("enterprises/acme/orgs"), "cli-org"));
}

}  // namespace
}  // namespace emuscim::test
