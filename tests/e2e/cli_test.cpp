// The admin command line (include/emuscim/app/cli.hpp): users list, groups list, token add,
// enterprise add, and command-line errors.

#include <string>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class Cli : public e2e_suite {};

TEST_F(Cli, usersListShowsIdUserNameLoginStateAndRole) {
  auto owner = create_user(make_user("Cli.Owner", "ext-cli-owner", {.roles = {"enterprise_owner"}}));
  auto billing = create_user(make_user("cli.billing@example.com", "ext-cli-billing", {.roles = {"billing_manager"}}));
  auto guest = create_user(make_user("Cli.Guest", "ext-cli-guest", {.roles = {"guest_collaborator"}}));
  ASSERT_TRUE(owner.is_object() && billing.is_object() && guest.is_object());
  ASSERT_EQ(scim.patch("Users/" + guest["id"].get<std::string>(), make_patch({patch_op("replace", "active", false)})).status,
            200);

  auto out = cli_users_list(server());
  auto owner_line = line_containing(out, owner["id"].get<std::string>());
  ASSERT_TRUE(owner_line) << out;
  EXPECT_NE(owner_line->find("Cli.Owner"), std::string::npos) << "userName: " << *owner_line;
  EXPECT_TRUE(has_word(*owner_line, "Cli-Owner_acme")) << "login: " << *owner_line;
  EXPECT_TRUE(has_word(*owner_line, "active", true)) << "state: " << *owner_line;
  EXPECT_TRUE(has_word(*owner_line, "enterprise_owner", true)) << "role: " << *owner_line;

  auto billing_line = line_containing(out, billing["id"].get<std::string>());
  ASSERT_TRUE(billing_line) << out;
  EXPECT_NE(billing_line->find("cli.billing@example.com"), std::string::npos) << *billing_line;
  EXPECT_TRUE(has_word(*billing_line, "cli-billing_acme")) << *billing_line;
  EXPECT_TRUE(has_word(*billing_line, "billing_manager", true)) << *billing_line;

  auto guest_line = line_containing(out, guest["id"].get<std::string>());
  ASSERT_TRUE(guest_line) << out;
  EXPECT_TRUE(has_word(*guest_line, "suspended", true)) << *guest_line;
  EXPECT_TRUE(find_suspended_login(*guest_line)) << *guest_line;
  EXPECT_TRUE(has_word(*guest_line, "guest_collaborator", true)) << *guest_line;

  EXPECT_EQ(lines_containing(out, owner["id"].get<std::string>()).size(), 1u) << "one line per user";
}

TEST_F(Cli, usersListLeavesOutDeletedUsers) {
  auto id = create_user_id("Cli.Deleted");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(line_containing(cli_users_list(server()), id));
  ASSERT_EQ(scim.del("Users/" + id).status, 204);
  EXPECT_FALSE(line_containing(cli_users_list(server()), id));
}

TEST_F(Cli, groupsListShowsEachGroupWithItsMemberCount) {
  auto a = create_user_id("Cli.Member.A");
  auto b = create_user_id("Cli.Member.B");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  auto g = create_group(make_group("CliTwoMembers", "ext-cli-two", {a, b}));
  ASSERT_TRUE(g.is_object());
  auto out = cli_groups_list(server());
  auto line = line_containing(out, "CliTwoMembers");
  ASSERT_TRUE(line) << out;
  EXPECT_TRUE(has_word(*line, "2")) << "member count: " << *line;
  ASSERT_EQ(scim.patch("Groups/" + g["id"].get<std::string>(), make_patch({patch_op("remove", "members")})).status, 200);
  line = line_containing(cli_groups_list(server()), "CliTwoMembers");
  ASSERT_TRUE(line);
  EXPECT_TRUE(has_word(*line, "0")) << "member count after clearing: " << *line;
}

TEST_F(Cli, tokenAddPrintsOneTokenLineThatAuthenticates) {
  server().terminate();
  auto r = run_cli({"token", "add", "--enterprise", "acme", "--db", server().db_path()});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::string token = r.out;
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(token.back(), '\n') << "the token is alone on one line";
  token.pop_back();
  EXPECT_EQ(token.find_first_of(" \t\r\n"), std::string::npos) << "stdout is the token alone: '" << r.out << "'";
  EXPECT_GE(token.size(), 20u) << token;
  auto second = cli_mint_token(server().db_path(), "acme", {"scim:enterprise"});
  EXPECT_NE(second, token) << "tokens are random";

  ASSERT_NO_THROW(server().restart());
  for (const auto& t : {token, second}) {
    client_options o;
    o.port = server().port();
    o.token = t;
    client c(o);
    auto list = c.get("Users");
    EXPECT_TRUE(is_list_response(list)) << "a minted token authenticates";
  }
}

TEST_F(Cli, enterpriseAddCreatesAnEnterpriseWithItsOwnUsersAndLogins) {
  auto acme_id = create_user_id("Cli.Isolated");
  ASSERT_FALSE(acme_id.empty());
  server().terminate();
  ASSERT_NO_THROW(cli_add_enterprise(server().db_path(), "initech", "ini"));
  std::string token;
  ASSERT_NO_THROW(token = cli_mint_token(server().db_path(), "initech"));
  ASSERT_NO_THROW(server().restart());

  client_options o;
  o.port = server().port();
  o.token = token;
  o.base = "/scim/v2/enterprises/initech/";
  client c(o);
  auto empty = c.get("Users");
  ASSERT_TRUE(is_list_response(empty));
  EXPECT_EQ(empty.json()["totalResults"], 0);
  auto r = c.post("Users", make_user("Cli.Isolated", "ext-Cli.Isolated"));
  ASSERT_EQ(r.status, 201) << "same userName as in acme, other enterprise: " << r;
  EXPECT_NE(r.header("location").find("/scim/v2/enterprises/initech/Users/"), std::string::npos) << r.header("location");

  auto out = cli_users_list(server(), "initech");
  auto line = line_containing(out, r.json()["id"].get<std::string>());
  ASSERT_TRUE(line) << out;
  EXPECT_TRUE(has_word(*line, "Cli-Isolated_ini")) << "login uses the short code: " << *line;
  EXPECT_FALSE(line_containing(out, acme_id)) << "acme's users are not listed for initech";
}

TEST_F(Cli, tokenAddForAnUnknownEnterpriseFails) {
  auto r = run_cli({"token", "add", "--enterprise", "no-such-enterprise", "--db", server().db_path()});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_FALSE(r.err.empty()) << r;
  EXPECT_TRUE(r.out.empty()) << "no token printed: " << r;
}

TEST_F(Cli, tokenAddWithAnUnknownScopeFails) {
  auto r = run_cli({"token", "add", "--enterprise", "acme", "--scope", "repo:everything", "--db", server().db_path()});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_TRUE(r.out.empty()) << r;
}

TEST_F(Cli, enterpriseAddRejectsAnInvalidShortCode) {
  for (const char* code : {"ab", "abcdefghi", "ab-c", ""}) {
    auto r = run_cli({"enterprise", "add", "badcode", "--short-code", code, "--db", server().db_path()});
    EXPECT_NE(r.exit_code, 0) << "short code '" << code << "': " << r;
  }
}

TEST(CliStandalone, unknownCommandExits2WithAReason) {
  auto r = run_cli({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_FALSE(r.err.empty()) << r;
}

TEST(CliStandalone, badFlagValueExits2NamingTheFlag) {
  auto r = run_cli({"serve", "--threads", "x"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_NE(r.err.find("--threads"), std::string::npos) << r;
}

TEST(CliStandalone, helpAndVersionExit0) {
  auto help = run_cli({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help;
  EXPECT_NE(help.out.find("serve"), std::string::npos) << help;
  auto version = run_cli({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version;
  EXPECT_NE(version.out.find_first_of("0123456789"), std::string::npos) << version;
  auto serve_help = run_cli({"serve", "--help"});
  EXPECT_EQ(serve_help.exit_code, 0) << serve_help;
  EXPECT_NE(serve_help.out.find("--listen"), std::string::npos) << serve_help;
}

}  // namespace
}  // namespace emuscim::test
