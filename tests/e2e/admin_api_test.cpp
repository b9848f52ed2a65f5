// The admin API under /_emuscim/ (docs/ADMIN_API.md): enterprises, tokens, reset, users with
// their GitHub-side state, the audit log, and who may call it. Also: the admin API is absent
// without an admin token, and configuration errors name the offending key.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

const std::string admin_token = "emu_admin_e2e_secret_0123456789";

server_options with_admin() { return {.env = {{"EMUSCIM_ADMIN_TOKEN", admin_token}}}; }

class AdminApi : public e2e_suite {
 public:
  static void SetUpTestSuite() { start_suite_server(with_admin()); }

 protected:
  void SetUp() override {
    e2e_suite::SetUp();
    admin = as(admin_token, "/_emuscim/");
  }
  // A new enterprise (unique slug) and a token for it; returns {slug, token}.
  std::pair<std::string, std::string> new_enterprise(std::string_view prefix) {
    std::string slug = unique(prefix);
    auto r = admin.post("enterprises", json{{"slug", slug}, {"short_code", "glbx"}});
    EXPECT_EQ(r.status, 201) << r;
    auto t = admin.post("enterprises/" + slug + "/tokens", json{{"scopes", {"scim:enterprise"}}});
    EXPECT_EQ(t.status, 201) << t;
    return {slug, t.try_json().value_or(json::object()).value("token", "")};
  }
  client admin;
};

::testing::AssertionResult is_401_with_challenge(const reply& r) {
  auto e = is_scim_error(r, 401);
  if (!e) return e;
  if (r.header("www-authenticate").rfind("Bearer", 0) != 0) {
    return ::testing::AssertionFailure() << "WWW-Authenticate must start with 'Bearer': " << r;
  }
  return ::testing::AssertionSuccess();
}

const json* find_by(const json& list, std::string_view key, std::string_view value) {
  for (const auto& item : list) {
    if (item.contains(key) && item[std::string(key)] == value) return &item;
  }
  return nullptr;
}

// --- enterprises -------------------------------------------------------------------------------

TEST_F(AdminApi, enterpriseCreateIsIdempotentAndConflictsOnAnotherShortCode) {
  const std::string slug = unique("ent");
  auto created = admin.post("enterprises", json{{"slug", slug}, {"short_code", "Ent1"}});
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_EQ(created.header("location"), "/_emuscim/enterprises/" + slug);
  auto body = created.json();
  EXPECT_EQ(body["slug"], slug);
  EXPECT_EQ(body["short_code"], "Ent1");
  EXPECT_EQ(body["user_count"], 0);
  EXPECT_EQ(body["group_count"], 0);
  EXPECT_TRUE(is_rfc3339_millis_utc(body["created"].get<std::string>())) << body;
  EXPECT_TRUE(created.header("content-type").starts_with("application/json")) << created;

  auto again = admin.post("enterprises", json{{"slug", slug}, {"short_code", "Ent1"}});
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.json()["created"], body["created"]);

  EXPECT_TRUE(is_scim_error(admin.post("enterprises", json{{"slug", slug}, {"short_code", "Other"}}), 409));
}

TEST_F(AdminApi, enterpriseCreateValidatesItsBody) {
  EXPECT_TRUE(is_scim_error(admin.post("enterprises", json{{"slug", "Bad_Slug"}, {"short_code", "abc"}}), 400));
  EXPECT_TRUE(is_scim_error(admin.post("enterprises", json{{"slug", unique("ok")}, {"short_code", "a"}}), 400));
  EXPECT_TRUE(is_scim_error(admin.post("enterprises", json{{"slug", unique("ok")}}), 400));
  EXPECT_TRUE(is_scim_error(admin.post("enterprises", json{{"slug", unique("ok")}, {"short_code", "abc"}, {"x", 1}}),
                            400));
  EXPECT_TRUE(is_scim_error(admin.post("enterprises", raw_body{"{not json"}), 400));
  EXPECT_TRUE(is_scim_error(admin.post("enterprises", raw_body{""}), 400));
}

TEST_F(AdminApi, enterpriseListShowsCountsAndDeleteRemovesEverything) {
  auto [slug, token] = new_enterprise("lst");
  auto c = as(token, "/scim/v2/enterprises/" + slug + "/");
  auto u = c.post("Users", make_user("lst.user", "ext-lst-user"));
  ASSERT_EQ(u.status, 201) << u;
  const std::string user_id = u.json()["id"];
  ASSERT_EQ(c.post("Groups", make_group("lst-group", "ext-lst-group", {user_id})).status, 201);

  auto list = admin.get("enterprises");
  ASSERT_EQ(list.status, 200) << list;
  const json enterprises = list.json()["enterprises"];
  auto* acme = find_by(enterprises, "slug", "acme");
  ASSERT_NE(acme, nullptr) << list;
  EXPECT_EQ((*acme)["short_code"], "acme");
  auto* mine = find_by(enterprises, "slug", slug);
  ASSERT_NE(mine, nullptr) << list;
  EXPECT_EQ((*mine)["user_count"], 1);
  EXPECT_EQ((*mine)["group_count"], 1);
  EXPECT_EQ(admin.get("enterprises/" + slug).json()["user_count"], 1);

  auto del = admin.del("enterprises/" + slug);
  EXPECT_EQ(del.status, 204) << del;
  EXPECT_TRUE(del.body.empty());
  EXPECT_TRUE(is_scim_error(admin.get("enterprises/" + slug), 404));
  EXPECT_TRUE(is_scim_error(admin.del("enterprises/" + slug), 404));
  EXPECT_EQ(find_by(admin.get("enterprises").json()["enterprises"], "slug", slug), nullptr);
  // Its token went with it.
  EXPECT_TRUE(is_scim_error(c.get("Users"), 401));

  // The slug can be used again, and starts empty: users, tokens and audit events are gone.
  ASSERT_EQ(admin.post("enterprises", json{{"slug", slug}, {"short_code", "glbx"}}).status, 201);
  EXPECT_EQ(admin.get("enterprises/" + slug + "/users").json()["totalResults"], 0);
  EXPECT_EQ(admin.get("enterprises/" + slug + "/tokens").json()["tokens"].size(), 0u);
  EXPECT_EQ(admin.get("enterprises/" + slug + "/audit-log").json()["events"].size(), 0u);
  EXPECT_EQ(admin.del("enterprises/" + slug).status, 204);
}

// --- tokens ------------------------------------------------------------------------------------

TEST_F(AdminApi, tokenIsShownOnceListedWithoutSecretAndRevocable) {
  auto minted = admin.post("enterprises/acme/tokens", json{{"scopes", {"scim:enterprise"}}, {"label", "ci"}});
  ASSERT_EQ(minted.status, 201) << minted;
  auto t = minted.json();
  const std::string token = t["token"];
  EXPECT_TRUE(token.starts_with("emu_")) << t;
  EXPECT_EQ(t["scopes"], json({"scim:enterprise"}));
  EXPECT_EQ(t["label"], "ci");
  EXPECT_TRUE(t["id"].is_number_integer());
  EXPECT_TRUE(t["revoked"].is_null());

  auto c = as(token);
  EXPECT_TRUE(is_list_response(c.get("Users")));

  auto list = admin.get("enterprises/acme/tokens");
  ASSERT_EQ(list.status, 200) << list;
  EXPECT_EQ(list.body.find(token), std::string::npos) << "the secret must not be listed";
  const json tokens = list.json()["tokens"];
  const json* listed = nullptr;
  for (const auto& item : tokens) {
    EXPECT_FALSE(item.contains("token")) << item;
    if (item["id"] == t["id"]) listed = &item;
  }
  ASSERT_NE(listed, nullptr) << list;
  EXPECT_EQ((*listed)["label"], "ci");

  const std::string id = std::to_string(t["id"].get<long long>());
  auto revoked = admin.del("enterprises/acme/tokens/" + id);
  EXPECT_EQ(revoked.status, 204) << revoked;
  EXPECT_TRUE(is_401_with_challenge(c.get("Users")));
  EXPECT_EQ(admin.del("enterprises/acme/tokens/" + id).status, 204) << "revoking twice is harmless";
  const json after = admin.get("enterprises/acme/tokens").json()["tokens"];
  for (const auto& item : after) {
    if (item["id"] == t["id"]) {
      EXPECT_TRUE(item["revoked"].is_string()) << item;
    }
  }
  EXPECT_TRUE(is_scim_error(admin.del("enterprises/acme/tokens/999999"), 404));
  EXPECT_TRUE(is_scim_error(admin.del("enterprises/acme/tokens/abc"), 404));
}

TEST_F(AdminApi, tokenScopesDefaultToAdminEnterpriseAndAreValidated) {
  auto minted = admin.post("enterprises/acme/tokens", raw_body{""});
  ASSERT_EQ(minted.status, 201) << minted;
  EXPECT_EQ(minted.json()["scopes"], json({"admin:enterprise"}));
  EXPECT_TRUE(minted.json()["label"].is_null());

  EXPECT_TRUE(is_scim_error(admin.post("enterprises/acme/tokens", json{{"scopes", {"scim"}}}), 400));
  EXPECT_TRUE(is_scim_error(admin.post("enterprises/acme/tokens", json{{"scopes", "scim:enterprise"}}), 400));
  EXPECT_TRUE(is_scim_error(admin.post("enterprises/acme/tokens", json{{"secret", "x"}}), 400));
  EXPECT_TRUE(is_scim_error(admin.post("enterprises/nope-" + random_uuid().substr(0, 8) + "/tokens", json::object()),
                            404));

  // A token without SCIM scopes authenticates but is forbidden (403), as GitHub's table says.
  auto audit_only = admin.post("enterprises/acme/tokens", json{{"scopes", {"read:audit_log"}}});
  ASSERT_EQ(audit_only.status, 201);
  EXPECT_TRUE(is_scim_error(as(audit_only.json()["token"]).get("Users"), 403));
}

// --- reset -------------------------------------------------------------------------------------

TEST_F(AdminApi, resetEmptiesOneEnterpriseOnlyAndKeepsItsTokens) {
  auto [a_slug, a_token] = new_enterprise("rsta");
  auto [b_slug, b_token] = new_enterprise("rstb");
  auto a = as(a_token, "/scim/v2/enterprises/" + a_slug + "/");
  auto b = as(b_token, "/scim/v2/enterprises/" + b_slug + "/");
  std::vector<std::string> a_users;
  for (const char* name : {"same.one", "same.two"}) {
    auto ra = a.post("Users", make_user(name, std::string("ext-") + name));
    ASSERT_EQ(ra.status, 201) << ra;
    a_users.push_back(ra.json()["id"]);
    ASSERT_EQ(b.post("Users", make_user(name, std::string("ext-") + name)).status, 201);
  }
  ASSERT_EQ(a.post("Groups", make_group("same-group", "ext-g", a_users)).status, 201);
  auto bg = b.post("Groups", make_group("same-group", "ext-g", {}));
  ASSERT_EQ(bg.status, 201);

  auto r = admin.post("enterprises/" + a_slug + "/reset", raw_body{""});
  EXPECT_EQ(r.status, 204) << r;

  EXPECT_EQ(a.get("Users").json()["totalResults"], 0);
  EXPECT_EQ(a.get("Groups").json()["totalResults"], 0);
  EXPECT_TRUE(is_scim_error(a.get("Users/" + a_users[0]), 404));
  auto ent = admin.get("enterprises/" + a_slug).json();
  EXPECT_EQ(ent["user_count"], 0);
  EXPECT_EQ(ent["group_count"], 0);
  // The other enterprise is untouched.
  EXPECT_EQ(b.get("Users").json()["totalResults"], 2);
  EXPECT_EQ(b.get("Groups").json()["totalResults"], 1);
  // Tokens stay, and the freed names can be provisioned again.
  auto again = a.post("Users", make_user("same.one", "ext-same.one"));
  EXPECT_EQ(again.status, 201) << again;
  EXPECT_EQ(a.post("Groups", make_group("same-group", "ext-g", {})).status, 201);

  EXPECT_TRUE(is_scim_error(admin.post("enterprises/nope-" + random_uuid().substr(0, 8) + "/reset", raw_body{""}), 404));
  EXPECT_TRUE(is_scim_error(admin.get("enterprises/" + a_slug + "/reset"), 405));
}

// --- users -------------------------------------------------------------------------------------

TEST_F(AdminApi, usersShowTheManagedAccountState) {
  auto [slug, token] = new_enterprise("usr");
  auto c = as(token, "/scim/v2/enterprises/" + slug + "/");
  auto active = c.post("Users", make_user("Mona.Lisa", "ext-mona", {.roles = {"enterprise_owner"}}));
  auto gone = c.post("Users", make_user("Hubot", "ext-hubot"));
  ASSERT_EQ(active.status, 201) << active;
  ASSERT_EQ(gone.status, 201) << gone;
  const std::string mona = active.json()["id"], hubot = gone.json()["id"];
  auto group = c.post("Groups", make_group("usr-team", "ext-usr-team", {mona, hubot}));
  ASSERT_EQ(group.status, 201) << group;
  const std::string group_id = group.json()["id"];
  ASSERT_EQ(c.patch("Users/" + hubot, make_patch({patch_op("replace", "active", false)})).status, 200);

  auto r = admin.get("enterprises/" + slug + "/users");
  ASSERT_EQ(r.status, 200) << r;
  auto body = r.json();
  EXPECT_EQ(body["totalResults"], 2);
  EXPECT_EQ(body["startIndex"], 1);
  EXPECT_EQ(body["itemsPerPage"], 2);
  auto* m = find_by(body["users"], "id", mona);
  auto* h = find_by(body["users"], "id", hubot);
  ASSERT_TRUE(m && h) << body;
  EXPECT_EQ((*m)["userName"], "Mona.Lisa");
  EXPECT_EQ((*m)["externalId"], "ext-mona");
  EXPECT_EQ((*m)["login"], "Mona-Lisa_glbx");
  EXPECT_EQ((*m)["original_login"], "Mona-Lisa_glbx");
  EXPECT_EQ((*m)["suspended"], false);
  EXPECT_EQ((*m)["active"], true);
  EXPECT_EQ((*m)["role"], "enterprise_owner");
  EXPECT_TRUE((*m)["email"].is_string()) << *m;
  EXPECT_EQ((*m)["group_ids"], json({group_id}));

  EXPECT_EQ((*h)["suspended"], true);
  EXPECT_EQ((*h)["active"], false);
  EXPECT_EQ((*h)["original_login"], "Hubot_glbx");
  EXPECT_TRUE(std::regex_match((*h)["login"].get<std::string>(), std::regex("[0-9a-f]{16}_glbx"))) << *h;
  EXPECT_EQ((*h)["group_ids"], json({group_id})) << "suspension keeps memberships";

  auto page = admin.get("enterprises/" + slug + "/users?startIndex=2&count=1").json();
  EXPECT_EQ(page["totalResults"], 2);
  EXPECT_EQ(page["startIndex"], 2);
  EXPECT_EQ(page["itemsPerPage"], 1);
  ASSERT_EQ(page["users"].size(), 1u);
  EXPECT_EQ(page["users"][0]["id"], hubot) << "creation order";
  EXPECT_TRUE(is_scim_error(admin.get("enterprises/" + slug + "/users?count=x"), 400));
}

// --- audit log ---------------------------------------------------------------------------------

TEST_F(AdminApi, auditLogPagesNewestFirstAndFilters) {
  auto [slug, token] = new_enterprise("aud");
  auto c = as(token, "/scim/v2/enterprises/" + slug + "/");
  for (const char* name : {"aud.one", "aud.two", "aud.three"}) {
    ASSERT_EQ(c.post("Users", make_user(name, std::string("ext-") + name)).status, 201);
  }
  const std::string base = "enterprises/" + slug + "/audit-log";
  auto all = admin.get(base).json()["events"];
  ASSERT_GE(all.size(), 9u) << all;  // provision, user.create, scim_api_success per user
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i - 1]["id"], all[i]["id"]) << "newest first";
  for (const auto& e : all) {
    for (const char* key : {"id", "action", "created", "actor_token_id", "request_id", "resource_id", "success", "data"}) {
      EXPECT_TRUE(e.contains(key)) << key << " missing in " << e;
    }
  }

  // Paging: limit + next_before walk the same events.
  json walked = json::array();
  std::string next = base + "?limit=4";
  for (int guard = 0; guard < 10; ++guard) {
    auto page = admin.get(next).json();
    for (auto& e : page["events"]) walked.push_back(e);
    if (page["next_before"].is_null()) break;
    EXPECT_EQ(page["events"].size(), 4u);
    next = base + "?limit=4&before=" + std::to_string(page["next_before"].get<long long>());
  }
  EXPECT_EQ(walked, all);

  auto creates = admin.get(base + "?action=user.create").json()["events"];
  ASSERT_EQ(creates.size(), 3u) << creates;
  EXPECT_EQ(creates[0]["data"]["login"], "aud-three_glbx");
  auto identity = admin.get(base + "?action=external_identity.").json()["events"];
  EXPECT_EQ(identity.size(), 6u) << identity;
  EXPECT_TRUE(admin.get(base + "?since=2999-01-01").json()["events"].empty());
  EXPECT_EQ(admin.get(base + "?until=2999-01-01T00:00:00Z").json()["events"], all);
  EXPECT_EQ(admin.get(base + "?since=" + all.back()["created"].get<std::string>()).json()["events"], all);
  EXPECT_TRUE(is_scim_error(admin.get(base + "?since=yesterday"), 400));
  EXPECT_TRUE(is_scim_error(admin.get(base + "?before=x"), 400));
}

// --- who may call it ---------------------------------------------------------------------------

struct admin_call {
  const char* method;
  const char* target;
};
const admin_call every_route[] = {
    {"GET", "/_emuscim/enterprises"},
    {"POST", "/_emuscim/enterprises"},
    {"GET", "/_emuscim/enterprises/acme"},
    {"DELETE", "/_emuscim/enterprises/acme"},
    {"GET", "/_emuscim/enterprises/acme/tokens"},
    {"POST", "/_emuscim/enterprises/acme/tokens"},
    {"DELETE", "/_emuscim/enterprises/acme/tokens/1"},
    {"POST", "/_emuscim/enterprises/acme/reset"},
    {"GET", "/_emuscim/enterprises/acme/users"},
    {"GET", "/_emuscim/enterprises/acme/audit-log"},
    {"GET", "/_emuscim/enterprises/acme/faults"},
    {"PUT", "/_emuscim/enterprises/acme/faults"},
    {"DELETE", "/_emuscim/enterprises/acme/faults"},
    {"GET", "/_emuscim/rate-limit"},
    {"PUT", "/_emuscim/rate-limit"},
    {"GET", "/_emuscim/no-such-route"},
};

reply send(client& c, const admin_call& call, const header_map& headers) {
  body_arg body;
  if (std::string_view(call.method) == "POST" || std::string_view(call.method) == "PUT") body = json{{"slug", "x"}};
  return c.request(call.method, call.target, body, headers);
}

TEST_F(AdminApi, everyRouteRejectsMissingWrongAndEnterpriseTokens) {
  const std::string acme_users_before = scim.get("Users").json()["totalResults"].dump();
  for (const auto& call : every_route) {
    SCOPED_TRACE(std::string(call.method) + " " + call.target);
    EXPECT_TRUE(is_401_with_challenge(send(admin, call, {{"authorization", std::nullopt}})));
    EXPECT_TRUE(is_401_with_challenge(send(admin, call, {{"authorization", "Bearer " + admin_token + "x"}})));
    EXPECT_TRUE(is_401_with_challenge(send(admin, call, {{"authorization", "Basic " + admin_token}})));
    // The bootstrap token has admin:enterprise on acme, and still is no admin token.
    EXPECT_TRUE(is_401_with_challenge(send(admin, call, {{"authorization", "Bearer " + std::string(acme_token)}})));
  }
  // Nothing above changed acme.
  EXPECT_EQ(admin.get("enterprises/acme").status, 200);
  EXPECT_EQ(scim.get("Users").json()["totalResults"].dump(), acme_users_before);
}

TEST_F(AdminApi, tokenSchemeWorksAndUnknownRoutesAre404Or405) {
  EXPECT_EQ(admin.get("enterprises", {{"authorization", "token " + admin_token}}).status, 200);
  EXPECT_TRUE(is_scim_error(admin.get("no-such-route"), 404));
  EXPECT_TRUE(is_scim_error(admin.get("/_emuscim"), 404));
  EXPECT_TRUE(is_scim_error(admin.get("enterprises/acme/unknown"), 404));
  EXPECT_TRUE(is_scim_error(admin.get("enterprises/acme/tokens/1/extra"), 404));
  auto r = admin.patch("enterprises", json::object());
  EXPECT_TRUE(is_scim_error(r, 405));
  EXPECT_EQ(r.header("allow"), "GET, POST");
  EXPECT_TRUE(is_scim_error(admin.post("enterprises/acme/users", json::object()), 405));
  // The admin API is never under /scim/.
  EXPECT_TRUE(is_scim_error(scim.get("/scim/v2/_emuscim/enterprises", {{"authorization", "Bearer " + admin_token}}),
                            404));
}

// --- admin API off -----------------------------------------------------------------------------

class AdminApiOff : public e2e_suite {};

TEST_F(AdminApiOff, everyAdminRouteIs404WithAnyToken) {
  for (const auto& call : every_route) {
    SCOPED_TRACE(std::string(call.method) + " " + call.target);
    EXPECT_TRUE(is_scim_error(send(scim, call, {{"authorization", "Bearer " + admin_token}}), 404));
    EXPECT_TRUE(is_scim_error(send(scim, call, {}), 404));  // acme's admin:enterprise token
    EXPECT_TRUE(is_scim_error(send(scim, call, {{"authorization", std::nullopt}}), 404));
  }
  // SCIM works as usual.
  EXPECT_TRUE(is_list_response(scim.get("Users")));
}

// --- configuration -----------------------------------------------------------------------------

std::filesystem::path write_temp_config(std::string_view name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("emuscim-admin-e2e-" + random_uuid());
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path) << text;
  return path;
}

TEST(AdminConfig, badConfigFailsNamingTheKey) {
  auto path = write_temp_config("bad.json", R"({"limits": {"body_bytes": "big"}})");
  auto r = run_cli({"serve", "--config", path.string(), "--listen", "127.0.0.1:0", "--db",
                    (path.parent_path() / "x.db").string()});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_NE(r.err.find("/limits/body_bytes"), std::string::npos) << r;

  auto unknown = write_temp_config("unknown.json", R"({"rate_limit": {"enabled": true, "per_hour": 5}})");
  r = run_cli({"serve", "--config", unknown.string(), "--db", (unknown.parent_path() / "x.db").string()});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_NE(r.err.find("/rate_limit/per_hour"), std::string::npos) << r;

  auto token = write_temp_config("token.json", R"({"admin_token": ""})");
  r = run_cli({"serve", "--config", token.string(), "--db", (token.parent_path() / "x.db").string()});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_NE(r.err.find("/admin_token"), std::string::npos) << r;
  for (const auto& p : {path, unknown, token}) std::filesystem::remove_all(p.parent_path());
}

TEST(AdminConfig, adminTokenFromTheConfigFileEnablesTheApi) {
  auto path = write_temp_config("admin.json", R"({"admin_token": ")" + admin_token + R"("})");
  server_process server({.extra_args = {"--config", path.string()}});
  client_options o;
  o.port = server.port();
  o.token = admin_token;
  client admin(o);
  auto r = admin.get("/_emuscim/enterprises");
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(admin.get("/_emuscim/enterprises", {{"authorization", "Bearer " + std::string(acme_token)}}).status, 401);
  std::filesystem::remove_all(path.parent_path());
}

}  // namespace
}  // namespace emuscim::test
