// Authentication and authorization: github-emu-scim.md §3, §4 (the 401/403 table).
//
// The suite's server holds two enterprises: acme (bootstrapped from the environment) and
// globex, plus extra tokens minted with the CLI. Tokens are minted while the server is stopped
// and the server is restarted afterwards, so these tests do not depend on whether a running
// server notices tokens added to its db.

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class Auth : public e2e_suite {
 public:
  static void SetUpTestSuite() {
    start_suite_server({});
    if (!suite_ready()) return;
    try {
      server().terminate();
      const auto& db = server().db_path();
      cli_add_enterprise(db, "globex", "globex");
      globex_token_ = cli_mint_token(db, "globex");
      acme_audit_token_ = cli_mint_token(db, "acme", {"read:audit_log"});
      acme_scim_token_ = cli_mint_token(db, "acme", {"scim:enterprise"});
      server().restart();
    } catch (const std::exception& e) {
      fail_suite_setup(e.what());
    }
  }

 protected:
  static inline std::string globex_token_;
  static inline std::string acme_audit_token_;
  static inline std::string acme_scim_token_;
};

const std::string globex_base = "/scim/v2/enterprises/globex/";

::testing::AssertionResult is_401_with_challenge(const reply& r) {
  auto e = is_scim_error(r, 401);
  if (!e) return e;
  const auto challenge = r.header("www-authenticate");
  if (challenge.size() < 6 || !std::equal(challenge.begin(), challenge.begin() + 6, "Bearer",
                                          [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); })) {
    return ::testing::AssertionFailure() << "WWW-Authenticate must start with 'Bearer', got '" << challenge << "'";
  }
  return ::testing::AssertionSuccess();
}

TEST_F(Auth, bearerTokenIsAccepted) {
  EXPECT_TRUE(is_list_response(scim.get("Users")));
}

TEST_F(Auth, tokenSchemeIsAccepted) {
  // Authorization: token <t>, as GitHub's REST API accepts for classic PATs (§3).
  EXPECT_TRUE(is_list_response(scim.get("Users", {{"authorization", "token " + std::string(acme_token)}})));
}

TEST_F(Auth, schemeNameIsCaseInsensitive) {
  EXPECT_TRUE(is_list_response(scim.get("Users", {{"authorization", "bearer " + std::string(acme_token)}})));
  EXPECT_TRUE(is_list_response(scim.get("Users", {{"authorization", "BEARER " + std::string(acme_token)}})));
  EXPECT_TRUE(is_list_response(scim.get("Users", {{"authorization", "Token " + std::string(acme_token)}})));
}

TEST_F(Auth, missingAuthorizationIs401WithChallenge) {
  const header_map no_auth = {{"authorization", std::nullopt}};
  EXPECT_TRUE(is_401_with_challenge(scim.get("Users", no_auth)));
  EXPECT_TRUE(is_401_with_challenge(scim.get("Users/" + random_uuid(), no_auth)));
  EXPECT_TRUE(is_401_with_challenge(scim.get("Groups", no_auth)));
  auto name = unique("auth.noauth");
  EXPECT_TRUE(is_401_with_challenge(scim.post("Users", make_user(name, "ext-" + name), no_auth)));
  EXPECT_EQ(scim.get(users_filter("userName eq \"" + name + "\"")).json()["totalResults"], 0) << "401 must not create";
}

TEST_F(Auth, unknownTokenIs401WithChallenge) {
  const header_map bad = {{"authorization", "Bearer emu_unknowntoken_000000000000000000000000000000"}};
  EXPECT_TRUE(is_401_with_challenge(scim.get("Users", bad)));
  EXPECT_TRUE(is_401_with_challenge(scim.get("Groups", bad)));
  auto name = unique("auth.bad");
  EXPECT_TRUE(is_401_with_challenge(scim.post("Users", make_user(name, "ext-" + name), bad)));
}

TEST_F(Auth, malformedAuthorizationIs401) {
  const std::string token(acme_token);
  for (const std::string& h : std::vector<std::string>{"Bearer", "Bearer ", "Basic dXNlcjpwYXNzd29yZA==", token,
                                                       "Bearer " + token + "x", "Bearerx " + token, ""}) {
    EXPECT_TRUE(is_401_with_challenge(scim.get("Users", {{"authorization", h}}))) << "Authorization: '" << h << "'";
  }
}

TEST_F(Auth, explicitScimScopeTokenIsAccepted) {
  auto c = as(acme_scim_token_);
  auto name = unique("auth.scim");
  auto r = c.post("Users", make_user(name, "ext-" + name));
  EXPECT_EQ(r.status, 201) << r;
  EXPECT_TRUE(is_list_response(c.get("Users")));
}

TEST_F(Auth, tokenWithoutScimScopeIs403) {
  auto c = as(acme_audit_token_);
  EXPECT_TRUE(is_scim_error(c.get("Users"), 403));
  EXPECT_TRUE(is_scim_error(c.get("Groups"), 403));
  auto name = unique("auth.audit");
  EXPECT_TRUE(is_scim_error(c.post("Users", make_user(name, "ext-" + name)), 403));
  EXPECT_EQ(scim.get(users_filter("userName eq \"" + name + "\"")).json()["totalResults"], 0) << "403 must not create";
}

TEST_F(Auth, tokenOfAnotherEnterpriseIs403WithoutData) {
  auto name = unique("auth.secret");
  auto created = create_user(make_user(name, "ext-" + name));
  ASSERT_TRUE(created.is_object());
  const std::string id = created["id"];
  auto group = create_group(make_group("Secret Group", "ext-" + name, {id}));
  ASSERT_TRUE(group.is_object());
  const std::string gid = group["id"];

  auto globex_on_acme = as(globex_token_);
  for (const auto& target : {std::string("Users"), "Users/" + id, users_filter("userName eq \"" + name + "\""),
                             std::string("Groups"), "Groups/" + gid}) {
    auto r = globex_on_acme.get(target);
    EXPECT_TRUE(is_scim_error(r, 403)) << "GET " << target;
    EXPECT_EQ(r.body.find(name), std::string::npos) << "403 leaks data: " << r;
    EXPECT_EQ(r.body.find(id), std::string::npos) << "403 leaks data: " << r;
  }
  EXPECT_TRUE(is_scim_error(globex_on_acme.patch("Users/" + id, make_patch({patch_op("replace", "active", false)})), 403));
  EXPECT_TRUE(is_scim_error(globex_on_acme.del("Users/" + id), 403));
  EXPECT_TRUE(is_scim_error(globex_on_acme.del("Groups/" + gid), 403));
  auto other = unique("auth.cross");
  EXPECT_TRUE(is_scim_error(globex_on_acme.post("Users", make_user(other, "ext-" + other)), 403));

  auto u = get_user(id);
  EXPECT_EQ(u["active"], true) << "the 403 PATCH must not apply";
  EXPECT_EQ(scim.get("Groups/" + gid).status, 200) << "the 403 DELETE must not apply";
}

TEST_F(Auth, acmeTokenOnGlobexIs403) {
  auto acme_on_globex = as(std::string(acme_token), globex_base);
  EXPECT_TRUE(is_scim_error(acme_on_globex.get("Users"), 403));
  EXPECT_TRUE(is_scim_error(acme_on_globex.get("Groups"), 403));
  auto name = unique("auth.onglobex");
  EXPECT_TRUE(is_scim_error(acme_on_globex.post("Users", make_user(name, "ext-" + name)), 403));
}

TEST_F(Auth, unknownEnterpriseIs404) {
  for (const char* target : {"/scim/v2/enterprises/no-such-enterprise/Users", "/scim/v2/enterprises/no-such-enterprise/Groups",
                             "/scim/v2/enterprises/no-such-enterprise/Users/0"}) {
    EXPECT_TRUE(is_scim_error(scim.get(target), 404)) << target;
  }
}

TEST_F(Auth, globexTokenWorksOnGlobex) {
  auto c = as(globex_token_, globex_base);
  auto r = c.get("Users");
  ASSERT_TRUE(is_list_response(r));
  EXPECT_EQ(r.json()["totalResults"], 0) << "acme's users are not visible in globex: " << r;
}

TEST_F(Auth, sameUserNameInAnotherEnterpriseIsFine) {
  // Uniqueness is per enterprise (§7): accounts outside the enterprise never conflict.
  auto globex = as(globex_token_, globex_base);
  ASSERT_EQ(scim.post("Users", make_user("Shared.Name", "ext-shared")).status, 201);
  auto r = globex.post("Users", make_user("Shared.Name", "ext-shared"));
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_NE(r.header("location").find("/scim/v2/enterprises/globex/Users/"), std::string::npos) << r.header("location");
  // Logins carry each enterprise's short code.
  auto line = cli_user_line(server(), r.json()["id"].get<std::string>(), "globex");
  ASSERT_TRUE(line) << cli_users_list(server(), "globex");
  EXPECT_TRUE(has_word(*line, "Shared-Name_globex")) << *line;
  // And each enterprise sees only its own.
  EXPECT_EQ(scim.get(users_filter("userName eq \"Shared.Name\"")).json()["totalResults"], 1);
  EXPECT_EQ(globex.get(users_filter("userName eq \"Shared.Name\"")).json()["totalResults"], 1);
}

TEST_F(Auth, idsOfAnotherEnterpriseAre404) {
  // A valid globex token asking for an acme id under globex's path: not found there.
  auto name = unique("auth.iso");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  auto globex = as(globex_token_, globex_base);
  EXPECT_TRUE(is_scim_error(globex.get("Users/" + id), 404));
  EXPECT_TRUE(is_scim_error(globex.del("Users/" + id), 404));
  EXPECT_EQ(get_user(id)["userName"], name);
}

}  // namespace
}  // namespace emuscim::test
