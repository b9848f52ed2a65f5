// GET /metrics (docs/ADMIN_API.md): Prometheus text, unauthenticated. The request counters are
// cross-checked against the requests these tests make; the gauges against the data they create.

#include <cmath>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

const std::string admin_token = "emu_admin_metrics_e2e_0123456789";
const std::string users_route = "/scim/v2/enterprises/{enterprise}/Users";
const std::string user_route = "/scim/v2/enterprises/{enterprise}/Users/{scim_user_id}";

using labels = std::map<std::string, std::string>;

// One scrape: sample name + labels -> value. Also checks every line is well-formed.
struct scrape {
  std::map<std::pair<std::string, labels>, double> samples;
  std::map<std::string, std::string> types;  // from # TYPE
  std::string text;

  static scrape parse(const std::string& text) {
    scrape s;
    s.text = text;
    static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$)");
    static const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?)re");
    static const std::regex type(R"(^# TYPE (\S+) (counter|gauge|histogram)$)");
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (line.starts_with("# HELP ")) continue;
      if (std::regex_match(line, m, type)) {
        s.types[m[1]] = m[2];
        continue;
      }
      if (!std::regex_match(line, m, sample)) {
        ADD_FAILURE() << "malformed exposition line: '" << line << "'";
        continue;
      }
      labels ls;
      const std::string body = m[3];
      for (std::sregex_iterator it(body.begin(), body.end(), label), end; it != end; ++it) ls[(*it)[1]] = (*it)[2];
      s.samples[{m[1], ls}] = std::stod(m[4]);
    }
    return s;
  }
  double value(const std::string& name, const labels& ls = {}) const {
    auto it = samples.find({name, ls});
    return it == samples.end() ? 0 : it->second;
  }
  bool has(const std::string& name, const labels& ls = {}) const { return samples.contains({name, ls}); }
  double requests(const std::string& route, const std::string& method, int status) const {
    return value("emuscim_http_requests_total", {{"route", route}, {"method", method}, {"status", std::to_string(status)}});
  }
  double duration_count(const std::string& route, const std::string& method) const {
    return value("emuscim_http_request_duration_seconds_count", {{"route", route}, {"method", method}});
  }
};

class Metrics : public e2e_suite {
 public:
  static void SetUpTestSuite() { start_suite_server({.env = {{"EMUSCIM_ADMIN_TOKEN", admin_token}}}); }

 protected:
  scrape get_metrics() {
    auto r = scim.get("/metrics", {{"authorization", std::nullopt}});
    EXPECT_EQ(r.status, 200) << r;
    EXPECT_TRUE(r.header("content-type").starts_with("text/plain; version=0.0.4")) << r;
    return scrape::parse(r.body);
  }
  client admin_client() {
    client_options o;
    o.port = server().port();
    o.token = admin_token;
    o.base = "/_emuscim/";
    return client(o);
  }
};

TEST_F(Metrics, exposesEveryFamilyWithoutAuthentication) {
  ASSERT_TRUE(is_list_response(scim.get("Users")));
  auto m = get_metrics();
  EXPECT_EQ(m.types["emuscim_http_requests_total"], "counter");
  EXPECT_EQ(m.types["emuscim_http_request_duration_seconds"], "histogram");
  for (const char* g : {"emuscim_users", "emuscim_groups", "emuscim_memberships", "emuscim_db_size_bytes",
                        "emuscim_open_connections"}) {
    EXPECT_EQ(m.types[g], "gauge") << g;
  }
  EXPECT_TRUE(m.has("emuscim_users", {{"enterprise", "acme"}})) << m.text;
  EXPECT_GT(m.value("emuscim_db_size_bytes"), 0);
  EXPECT_GE(m.value("emuscim_open_connections"), 1) << "this scrape's own connection";
  // A bad token does not matter either.
  EXPECT_EQ(scim.get("/metrics", {{"authorization", "Bearer nonsense"}}).status, 200);
  EXPECT_EQ(scim.post("/metrics", json::object()).status, 405);
}

TEST_F(Metrics, requestCountersGrowByExactlyTheRequestsMade) {
  const std::string a = unique("met.a"), b = unique("met.b");
  auto before = get_metrics();

  for (int i = 0; i < 3; ++i) ASSERT_EQ(scim.get("Users?count=1").status, 200);
  auto ra = scim.post("Users", make_user(a, "ext-" + a));
  auto rb = scim.post("Users", make_user(b, "ext-" + b));
  ASSERT_EQ(ra.status, 201);
  ASSERT_EQ(rb.status, 201);
  ASSERT_EQ(scim.post("Users", make_user(a, "ext-" + a + "-dup")).status, 409);
  const std::string id = ra.json()["id"];
  for (int i = 0; i < 4; ++i) ASSERT_EQ(scim.get("Users/" + id).status, 200);
  ASSERT_EQ(scim.get("Users/" + random_uuid()).status, 404);
  ASSERT_EQ(scim.del("Users/" + rb.json()["id"].get<std::string>()).status, 204);

  auto after = get_metrics();
  auto delta = [&](const std::string& route, const std::string& method, int status) {
    return after.requests(route, method, status) - before.requests(route, method, status);
  };
  EXPECT_EQ(delta(users_route, "GET", 200), 3);
  EXPECT_EQ(delta(users_route, "POST", 201), 2);
  EXPECT_EQ(delta(users_route, "POST", 409), 1);
  EXPECT_EQ(delta(user_route, "GET", 200), 4);
  EXPECT_EQ(delta(user_route, "GET", 404), 1);
  EXPECT_EQ(delta(user_route, "DELETE", 204), 1);
  EXPECT_EQ(after.duration_count(users_route, "POST") - before.duration_count(users_route, "POST"), 3);
  EXPECT_EQ(after.duration_count(user_route, "GET") - before.duration_count(user_route, "GET"), 5);
  // The previous scrape itself is counted under its route.
  EXPECT_EQ(after.requests("/metrics", "GET", 200) - before.requests("/metrics", "GET", 200), 1);
  // Routes are templates: no raw id or enterprise slug becomes a label.
  EXPECT_EQ(after.text.find(id), std::string::npos);
  EXPECT_EQ(after.text.find("enterprises/acme"), std::string::npos);
}

TEST_F(Metrics, histogramBucketsAreCumulativeAndEndInTheCount) {
  ASSERT_EQ(scim.get("Users").status, 200);
  auto m = get_metrics();
  const labels base = {{"route", users_route}, {"method", "GET"}};
  double previous = 0;
  int buckets = 0;
  for (const char* le : {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
                         "2.5", "5", "+Inf"}) {
    auto ls = base;
    ls["le"] = le;
    ASSERT_TRUE(m.has("emuscim_http_request_duration_seconds_bucket", ls)) << le << "\n" << m.text;
    double v = m.value("emuscim_http_request_duration_seconds_bucket", ls);
    EXPECT_GE(v, previous) << le;
    previous = v;
    ++buckets;
  }
  EXPECT_EQ(buckets, 14);
  EXPECT_EQ(previous, m.value("emuscim_http_request_duration_seconds_count", base));
  EXPECT_GT(m.value("emuscim_http_request_duration_seconds_sum", base), 0);
}

TEST_F(Metrics, unknownPathsAndAdminRoutesUseTemplates) {
  const std::string junk = "zz" + random_uuid();
  auto before = get_metrics();
  ASSERT_EQ(scim.get("/scim/v2/enterprises/acme/Nope/" + junk).status, 404);
  ASSERT_EQ(scim.get("/" + junk).status, 404);
  auto admin = admin_client();
  ASSERT_EQ(admin.get("enterprises/acme/users").status, 200);
  ASSERT_EQ(admin.get("enterprises/acme/users", {{"authorization", std::nullopt}}).status, 401);
  auto after = get_metrics();
  EXPECT_EQ(after.text.find(junk), std::string::npos);
  EXPECT_EQ(after.requests("unmatched", "GET", 404) - before.requests("unmatched", "GET", 404), 2);
  const std::string admin_users = "/_emuscim/enterprises/{enterprise}/users";
  EXPECT_EQ(after.requests(admin_users, "GET", 200) - before.requests(admin_users, "GET", 200), 1);
  EXPECT_EQ(after.requests(admin_users, "GET", 401) - before.requests(admin_users, "GET", 401), 1);
}

TEST_F(Metrics, gaugesFollowUsersGroupsAndMemberships) {
  auto admin = admin_client();
  const std::string slug = unique("met");
  ASSERT_EQ(admin.post("enterprises", json{{"slug", slug}, {"short_code", "met"}}).status, 201);
  auto minted = admin.post("enterprises/" + slug + "/tokens", json::object());
  ASSERT_EQ(minted.status, 201);
  client_options o;
  o.port = server().port();
  o.token = minted.json()["token"];
  o.base = "/scim/v2/enterprises/" + slug + "/";
  client c(o);
  const labels ent = {{"enterprise", slug}};

  auto m = get_metrics();
  EXPECT_EQ(m.value("emuscim_users", ent), 0);
  EXPECT_TRUE(m.has("emuscim_users", ent));

  std::vector<std::string> ids;
  for (const char* name : {"g.one", "g.two", "g.three"}) {
    auto r = c.post("Users", make_user(name, std::string("ext-") + name));
    ASSERT_EQ(r.status, 201) << r;
    ids.push_back(r.json()["id"]);
  }
  ASSERT_EQ(c.post("Groups", make_group("met-one", "ext-met-one", {ids[0], ids[1]})).status, 201);
  ASSERT_EQ(c.post("Groups", make_group("met-two", "ext-met-two", {ids[2]})).status, 201);

  m = get_metrics();
  EXPECT_EQ(m.value("emuscim_users", ent), 3);
  EXPECT_EQ(m.value("emuscim_groups", ent), 2);
  EXPECT_EQ(m.value("emuscim_memberships", ent), 3);

  ASSERT_EQ(c.del("Users/" + ids[0]).status, 204);
  m = get_metrics();
  EXPECT_EQ(m.value("emuscim_users", ent), 2);
  EXPECT_EQ(m.value("emuscim_memberships", ent), 2) << "a deleted user leaves its groups";

  ASSERT_EQ(admin.post("enterprises/" + slug + "/reset", raw_body{""}).status, 204);
  m = get_metrics();
  EXPECT_EQ(m.value("emuscim_users", ent), 0);
  EXPECT_EQ(m.value("emuscim_groups", ent), 0);
  EXPECT_EQ(m.value("emuscim_memberships", ent), 0);

  ASSERT_EQ(admin.del("enterprises/" + slug).status, 204);
  EXPECT_FALSE(get_metrics().has("emuscim_users", ent)) << "a deleted enterprise has no series";
}

TEST_F(Metrics, openConnectionsCountsKeptAliveClients) {
  const double baseline = get_metrics().value("emuscim_open_connections");
  std::vector<client> extra;
  for (int i = 0; i < 3; ++i) {
    extra.emplace_back(server());
    ASSERT_EQ(extra.back().get("/healthz").status, 200);
  }
  EXPECT_GE(get_metrics().value("emuscim_open_connections"), baseline + 3);
}

}  // namespace
}  // namespace emuscim::test
