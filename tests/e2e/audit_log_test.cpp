// Audit events (github-emu-scim.md §16) as the admin API shows them, and GitHub's enterprise
// audit-log route GET /enterprises/{enterprise}/audit-log (docs/ADMIN_API.md).
// Events are matched to the SCIM request that caused them by its x-github-request-id.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>
#include <string>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

const std::string admin_token = "emu_admin_audit_e2e_0123456789";

class AuditLog : public e2e_suite {
 public:
  static void SetUpTestSuite() { start_suite_server({.env = {{"EMUSCIM_ADMIN_TOKEN", admin_token}}}); }

 protected:
  void SetUp() override {
    e2e_suite::SetUp();
    admin = as(admin_token, "/_emuscim/");
  }
  std::string mint(const std::string& enterprise, const std::vector<std::string>& scopes) {
    auto r = admin.post("enterprises/" + enterprise + "/tokens", json{{"scopes", scopes}});
    EXPECT_EQ(r.status, 201) << r;
    return r.try_json().value_or(json::object()).value("token", "");
  }
  // acme's events written by the request with this x-github-request-id, oldest first.
  json events_of(const reply& r) {
    const std::string id = r.header("x-github-request-id");
    EXPECT_FALSE(id.empty()) << r;
    json out = json::array();
    auto page = admin.get("enterprises/acme/audit-log?limit=1000");
    EXPECT_EQ(page.status, 200) << page;
    const json all = page.json()["events"];
    for (const auto& e : all) {
      if (e["request_id"] == id) out.insert(out.begin(), e);
    }
    return out;
  }
  static std::multiset<std::string> actions(const json& events) {
    std::multiset<std::string> out;
    for (const auto& e : events) out.insert(e["action"].get<std::string>());
    return out;
  }
  static const json* find_action(const json& events, std::string_view action) {
    for (const auto& e : events) {
      if (e["action"] == action) return &e;
    }
    return nullptr;
  }
  client admin;
};

using actions_t = std::multiset<std::string>;

// --- users -------------------------------------------------------------------------------------

TEST_F(AuditLog, userCreateWritesProvisionCreateAndApiSuccess) {
  auto r = scim.post("Users", make_user("audit.create", "ext-audit.create"));
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  auto events = events_of(r);
  EXPECT_EQ(actions(events), (actions_t{"external_identity.provision", "user.create", "external_identity.scim_api_success"}))
      << events;
  for (const auto& e : events) {
    EXPECT_EQ(e["resource_id"], id) << e;
    EXPECT_EQ(e["success"], true) << e;
    EXPECT_TRUE(e["actor_token_id"].is_number_integer()) << e;
    EXPECT_TRUE(is_rfc3339_millis_utc(e["created"].get<std::string>())) << e;
  }
  auto* ok = find_action(events, "external_identity.scim_api_success");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ((*ok)["data"]["scim_user_id"], id);
  EXPECT_EQ((*ok)["data"]["status_code"], 201);
  EXPECT_EQ((*ok)["data"]["request_method"], "POST");
  EXPECT_EQ((*ok)["data"]["url_path"], "/scim/v2/enterprises/acme/Users");
  EXPECT_FALSE((*ok)["data"].contains("message"));
}

TEST_F(AuditLog, ownerRoleAddsBusinessAddAdmin) {
  auto r = scim.post("Users", make_user("audit.owner", "ext-audit.owner", {.roles = {"enterprise_owner"}}));
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(actions(events_of(r)), (actions_t{"external_identity.provision", "user.create", "business.add_admin",
                                             "external_identity.scim_api_success"}));
}

TEST_F(AuditLog, duplicatePostWritesOnlyScimApiFailure) {
  ASSERT_EQ(scim.post("Users", make_user("audit.dup", "ext-audit.dup")).status, 201);
  auto r = scim.post("Users", make_user("audit.dup", "ext-audit.dup2"));
  ASSERT_TRUE(is_scim_error(r, 409, "uniqueness")) << r;
  auto events = events_of(r);
  ASSERT_EQ(actions(events), (actions_t{"external_identity.scim_api_failure"})) << events;
  const auto& e = events[0];
  EXPECT_EQ(e["success"], false);
  EXPECT_EQ(e["data"]["status_code"], 409);
  EXPECT_EQ(e["data"]["request_method"], "POST");
  EXPECT_TRUE(e["data"]["message"].is_string()) << e;
}

TEST_F(AuditLog, updateSuspendReactivateAndDeleteEachWriteTheirEvents) {
  auto created = scim.post("Users", make_user("audit.life", "ext-audit.life"));
  ASSERT_EQ(created.status, 201) << created;
  const std::string id = created.json()["id"];

  auto put = scim.put("Users/" + id, make_user("audit.life", "ext-audit.life", {.display_name = "Renamed"}));
  ASSERT_EQ(put.status, 200) << put;
  EXPECT_EQ(actions(events_of(put)), (actions_t{"external_identity.update", "external_identity.scim_api_success"}));

  auto suspend = scim.patch("Users/" + id, make_patch({patch_op("replace", "active", false)}));
  ASSERT_EQ(suspend.status, 200) << suspend;
  auto s = actions(events_of(suspend));
  for (const char* a : {"user.suspend", "user.remove_email", "user.rename", "external_identity.deprovision",
                        "external_identity.scim_api_success"}) {
    EXPECT_EQ(s.count(a), 1u) << a;
  }
  EXPECT_EQ(s.count("external_identity.update"), 0u) << "no update event on (de)activation";

  auto reactivate = scim.patch("Users/" + id, make_patch({patch_op("replace", "active", true)}));
  ASSERT_EQ(reactivate.status, 200) << reactivate;
  auto ra = actions(events_of(reactivate));
  for (const char* a : {"user.unsuspend", "user.remove_email", "user.rename", "external_identity.provision",
                        "external_identity.scim_api_success"}) {
    EXPECT_EQ(ra.count(a), 1u) << a;
  }
  EXPECT_EQ(ra.count("external_identity.update"), 0u);

  auto del = scim.del("Users/" + id);
  ASSERT_EQ(del.status, 204) << del;
  EXPECT_EQ(actions(events_of(del)), (actions_t{"external_identity.deprovision", "user.remove_email",
                                               "external_identity.scim_api_success"}));

  auto missing = scim.del("Users/" + id);
  ASSERT_TRUE(is_scim_error(missing, 404)) << missing;
  auto failed = events_of(missing);
  ASSERT_EQ(actions(failed), (actions_t{"external_identity.scim_api_failure"}));
  EXPECT_EQ(failed[0]["data"]["status_code"], 404);
  EXPECT_EQ(failed[0]["data"]["request_method"], "DELETE");
}

TEST_F(AuditLog, successfulGetsAreNotLogged) {
  auto created = scim.post("Users", make_user("audit.get", "ext-audit.get"));
  ASSERT_EQ(created.status, 201);
  for (const auto& r : {scim.get("Users"), scim.get("Users/" + created.json()["id"].get<std::string>()),
                        scim.get("Groups")}) {
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_TRUE(events_of(r).empty()) << r;
  }
}

// --- groups ------------------------------------------------------------------------------------

TEST_F(AuditLog, groupWritesEachWriteTheirEvents) {
  auto u1 = scim.post("Users", make_user("audit.gm1", "ext-audit.gm1")).json()["id"].get<std::string>();
  auto u2 = scim.post("Users", make_user("audit.gm2", "ext-audit.gm2")).json()["id"].get<std::string>();

  auto created = scim.post("Groups", make_group("audit-team", "ext-audit-team", {u1}));
  ASSERT_EQ(created.status, 201) << created;
  const std::string gid = created.json()["id"];
  auto ce = events_of(created);
  EXPECT_EQ(actions(ce), (actions_t{"external_group.provision", "external_group.update_display_name",
                                    "external_group.add_member", "external_group.scim_api_success"}))
      << ce;
  auto* ok = find_action(ce, "external_group.scim_api_success");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ((*ok)["data"]["scim_group_id"], gid);

  auto add = scim.patch("Groups/" + gid, make_patch({patch_op("add", "members", member_values({u2}))}));
  ASSERT_TRUE(add.status == 200 || add.status == 204) << add;
  auto ae = actions(events_of(add));
  EXPECT_EQ(ae.count("external_group.update"), 1u);
  EXPECT_EQ(ae.count("external_group.add_member"), 1u);
  EXPECT_EQ(ae.count("external_group.scim_api_success"), 1u);

  auto remove = scim.patch("Groups/" + gid, make_patch({patch_op("remove", "members[value eq \"" + u1 + "\"]")}));
  ASSERT_TRUE(remove.status == 200 || remove.status == 204) << remove;
  EXPECT_EQ(actions(events_of(remove)).count("external_group.remove_member"), 1u);

  auto dup = scim.post("Groups", make_group("audit-team", "ext-other", {}));
  ASSERT_TRUE(is_scim_error(dup, 409)) << dup;
  auto de = events_of(dup);
  ASSERT_EQ(actions(de), (actions_t{"external_group.scim_api_failure"})) << de;
  EXPECT_EQ(de[0]["success"], false);

  auto del = scim.del("Groups/" + gid);
  ASSERT_EQ(del.status, 204) << del;
  auto dle = actions(events_of(del));
  EXPECT_EQ(dle.count("external_group.delete"), 1u);
  EXPECT_EQ(dle.count("external_group.scim_api_success"), 1u);
}

// --- GitHub's route ----------------------------------------------------------------------------

std::string today_utc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

TEST_F(AuditLog, githubRouteListsEntriesShapedLikeGitHubs) {
  auto c = as(mint("acme", {"read:audit_log"}), "/enterprises/acme/");
  auto created = scim.post("Users", make_user("audit.gh", "ext-audit.gh"));
  ASSERT_EQ(created.status, 201);
  const std::string id = created.json()["id"];
  const std::string request_id = created.header("x-github-request-id");

  auto r = c.get("audit-log?phrase=" + url_encode("action:external_identity.provision") + "&per_page=100");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.header("content-type").starts_with("application/json")) << r;
  auto entries = r.json();
  ASSERT_TRUE(entries.is_array()) << r;
  const json* mine = nullptr;
  for (const auto& e : entries) {
    EXPECT_EQ(e["action"], "external_identity.provision") << e;
    if (e["request_id"] == request_id) mine = &e;
  }
  ASSERT_NE(mine, nullptr) << "entry of request " << request_id << " missing: " << entries;
  const auto& e = *mine;
  EXPECT_TRUE(e["@timestamp"].is_number_integer()) << e;
  EXPECT_EQ(e["created_at"], e["@timestamp"]);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(static_cast<double>(e["@timestamp"].get<long long>()), static_cast<double>(now_ms), 120'000.0);
  EXPECT_EQ(e["actor"], "acme_admin");
  EXPECT_EQ(e["business"], "acme");
  EXPECT_TRUE(e["_document_id"].is_string() && !e["_document_id"].get<std::string>().empty()) << e;
  EXPECT_EQ(e["scim_user_id"], id);
}

TEST_F(AuditLog, githubRoutePagesNewestFirstWithALinkHeader) {
  auto c = as(mint("acme", {"read:audit_log"}), "/enterprises/acme/");
  std::vector<std::string> ids;
  for (const char* name : {"audit.p1", "audit.p2", "audit.p3"}) {
    ids.push_back(scim.post("Users", make_user(name, std::string("ext-") + name)).json()["id"]);
  }
  const std::string q = "audit-log?phrase=" + url_encode("action:user.create") + "&per_page=1";
  auto p1 = c.get(q + "&page=1");
  auto p2 = c.get(q + "&page=2");
  ASSERT_EQ(p1.status, 200) << p1;
  ASSERT_EQ(p1.json().size(), 1u);
  ASSERT_EQ(p2.json().size(), 1u);
  EXPECT_EQ(p1.json()[0]["scim_user_id"], ids[2]) << "newest first";
  EXPECT_EQ(p2.json()[0]["scim_user_id"], ids[1]);
  EXPECT_NE(p1.json()[0]["_document_id"], p2.json()[0]["_document_id"]);
  auto link = p1.header("link");
  EXPECT_NE(link.find("page=2"), std::string::npos) << link;
  EXPECT_NE(link.find("rel=\"next\""), std::string::npos) << link;
  EXPECT_TRUE(c.get(q + "&page=100000").json().empty());
}

TEST_F(AuditLog, githubRouteFiltersByCategoryAndDate) {
  auto c = as(mint("acme", {"admin:enterprise"}), "/enterprises/acme/");
  ASSERT_EQ(scim.post("Users", make_user("audit.cat", "ext-audit.cat")).status, 201);
  auto category = c.get("audit-log?per_page=100&phrase=" + url_encode("action:external_identity created:>=" + today_utc()));
  ASSERT_EQ(category.status, 200) << category;
  ASSERT_FALSE(category.json().empty());
  for (const auto& e : category.json()) {
    EXPECT_TRUE(e["action"].get<std::string>().starts_with("external_identity.")) << e;
  }
  EXPECT_FALSE(c.get("audit-log?phrase=" + url_encode("created:" + today_utc())).json().empty());
  EXPECT_TRUE(c.get("audit-log?phrase=" + url_encode("created:<2000-01-01")).json().empty());
  EXPECT_TRUE(c.get("audit-log?phrase=" + url_encode("created:2000-01-01..2000-12-31")).json().empty());
  EXPECT_EQ(c.get("audit-log?phrase=" + url_encode("actor:octocat")).status, 422);
  EXPECT_EQ(c.get("audit-log?phrase=" + url_encode("created:>=yesterday")).status, 422);
}

TEST_F(AuditLog, githubRouteNeedsAnAuditScopeOnThatEnterprise) {
  auto path = "/enterprises/acme/audit-log";
  EXPECT_EQ(as(mint("acme", {"read:audit_log"})).get(path).status, 200);
  EXPECT_EQ(scim.get(path).status, 200) << "admin:enterprise reads the audit log";
  EXPECT_TRUE(is_scim_error(as(mint("acme", {"scim:enterprise"})).get(path), 403));
  EXPECT_TRUE(is_scim_error(scim.get(path, {{"authorization", std::nullopt}}), 401));
  EXPECT_TRUE(is_scim_error(scim.get(path, {{"authorization", "Bearer " + admin_token}}), 401))
      << "the admin token is no enterprise token";

  const std::string other = unique("audit-other");
  ASSERT_EQ(admin.post("enterprises", json{{"slug", other}, {"short_code", "oth"}}).status, 201);
  EXPECT_TRUE(is_scim_error(as(mint(other, {"read:audit_log"})).get(path), 403));
  EXPECT_TRUE(is_scim_error(scim.get("/enterprises/" + unique("nope") + "/audit-log"), 404));
  EXPECT_EQ(scim.post(path, json::object()).status, 405);
}

}  // namespace
}  // namespace emuscim::test
