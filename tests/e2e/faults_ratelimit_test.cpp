// Fault injection per enterprise and the request rate limit, both driven through the admin API
// (docs/ADMIN_API.md; github-emu-scim.md §15), as a SCIM client observes them.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const std::string admin_token = "emu_admin_faults_e2e_0123456789";

std::int64_t epoch_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

long long header_int(const reply& r, std::string_view name) {
  const std::string v = r.header(name);
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') {
    ADD_FAILURE() << name << " is not an integer: '" << v << "' in " << r;
    return -1;
  }
  return n;
}

class admin_suite : public e2e_suite {
 protected:
  void SetUp() override {
    e2e_suite::SetUp();
    admin = as(admin_token, "/_emuscim/");
  }
  std::string mint(const std::string& enterprise) {
    auto r = admin.post("enterprises/" + enterprise + "/tokens", json{{"scopes", {"scim:enterprise"}}});
    EXPECT_EQ(r.status, 201) << r;
    return r.try_json().value_or(json::object()).value("token", "");
  }
  client admin;
};

// --- faults ------------------------------------------------------------------------------------

class Faults : public admin_suite {
 public:
  // One I/O thread: injected latency must still not hold up other requests.
  static void SetUpTestSuite() {
    start_suite_server({.extra_args = {"--threads", "1"}, .env = {{"EMUSCIM_ADMIN_TOKEN", admin_token}}});
  }

 protected:
  void TearDown() override {
    admin.del("enterprises/acme/faults");
    admin_suite::TearDown();
  }
  reply put_faults(const json& body) {
    auto r = admin.put("enterprises/acme/faults", body);
    EXPECT_EQ(r.status, 200) << r;
    return r;
  }
};

TEST_F(Faults, offByDefaultAndShownByGet) {
  auto r = admin.get("enterprises/acme/faults");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["enabled"], false);
  auto set = put_faults({{"latency_ms", 5}, {"error_rate", 0.25}, {"error_status", 500}});
  auto shown = admin.get("enterprises/acme/faults").json();
  EXPECT_EQ(shown, set.json());
  EXPECT_EQ(shown["enabled"], true);
  EXPECT_EQ(shown["latency_ms"], 5);
  EXPECT_EQ(shown["error_rate"], 0.25);
  EXPECT_EQ(shown["error_status"], 500);
  EXPECT_EQ(shown["throttle"], false);
  EXPECT_EQ(admin.del("enterprises/acme/faults").status, 204);
  EXPECT_EQ(admin.get("enterprises/acme/faults").json()["enabled"], false);
}

TEST_F(Faults, invalidSettingsAre400AndUnknownEnterprise404) {
  for (const json& bad : {json{{"error_rate", 1.5}}, json{{"error_rate", "half"}}, json{{"error_status", 404}},
                          json{{"latency_ms", -1}}, json{{"latency_ms", 600000}}, json{{"throttle", "yes"}},
                          json{{"retry_after", 0}}, json{{"latency", 5}}}) {
    EXPECT_TRUE(is_scim_error(admin.put("enterprises/acme/faults", bad), 400)) << bad;
  }
  EXPECT_EQ(admin.get("enterprises/acme/faults").json()["enabled"], false) << "rejected settings change nothing";
  EXPECT_TRUE(is_scim_error(admin.put("enterprises/" + unique("nope") + "/faults", json{{"throttle", true}}), 404));
}

TEST_F(Faults, latencyDelaysRequestsWithoutBlockingTheServer) {
  put_faults({{"latency_ms", 400}});
  auto t0 = steady::now();
  EXPECT_TRUE(is_list_response(scim.get("Users")));
  EXPECT_GE(steady::now() - t0, 400ms);

  // Four delayed requests in parallel on a one-thread server: they overlap, and /healthz
  // answers at once meanwhile.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  const auto start = steady::now();
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      client c(client_options{.port = server().port()});
      if (c.get("Users").status == 200) ++ok;
    });
  }
  std::this_thread::sleep_for(100ms);
  auto h0 = steady::now();
  EXPECT_EQ(scim.get("/healthz").status, 200);
  EXPECT_LT(steady::now() - h0, 250ms) << "health checks are not delayed";
  for (auto& t : threads) t.join();
  const auto elapsed = steady::now() - start;
  EXPECT_EQ(ok.load(), 4);
  EXPECT_LT(elapsed, 1200ms) << "delays must overlap (a timer, not a blocked thread)";

  ASSERT_EQ(admin.del("enterprises/acme/faults").status, 204);
  t0 = steady::now();
  EXPECT_TRUE(is_list_response(scim.get("Users")));
  EXPECT_LT(steady::now() - t0, 300ms);
}

TEST_F(Faults, errorRateOneAnswersEveryRequestAndChangesNothing) {
  const std::string other = unique("flt");
  ASSERT_EQ(admin.post("enterprises", json{{"slug", other}, {"short_code", "flt"}}).status, 201);
  auto other_client = as(mint(other), "/scim/v2/enterprises/" + other + "/");

  put_faults({{"error_rate", 1.0}, {"error_status", 503}});
  const std::string name = unique("flt.user");
  auto post = scim.post("Users", make_user(name, "ext-" + name));
  EXPECT_TRUE(is_scim_error(post, 503)) << post;
  EXPECT_TRUE(post.has_header("x-ratelimit-limit")) << post;
  EXPECT_TRUE(is_scim_error(scim.get("Users"), 503));
  EXPECT_TRUE(is_scim_error(scim.get("Groups"), 503));
  // Another enterprise is not affected.
  EXPECT_EQ(other_client.post("Users", make_user(name, "ext-" + name)).status, 201);

  ASSERT_EQ(admin.del("enterprises/acme/faults").status, 204);
  EXPECT_EQ(scim.get(users_filter("userName eq \"" + name + "\"")).json()["totalResults"], 0)
      << "a faulted POST must not create";
  EXPECT_EQ(scim.post("Users", make_user(name, "ext-" + name)).status, 201);
}

TEST_F(Faults, errorRateHalfFailsAboutHalf) {
  put_faults({{"error_rate", 0.5}, {"error_status", 500}});
  int failed = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = scim.get("Users?count=1");
    if (r.status == 500) {
      ++failed;
    } else {
      ASSERT_EQ(r.status, 200) << r;
    }
  }
  // Binomial(200, 0.5): mean 100, sd ~7; 50..150 is beyond 7 sd either way.
  EXPECT_GT(failed, 50);
  EXPECT_LT(failed, 150);
}

TEST_F(Faults, throttleAnswers429WithRetryAfter) {
  put_faults({{"throttle", true}, {"retry_after", 7}});
  const std::string name = unique("thr.user");
  for (const auto& r : {scim.get("Users"), scim.post("Users", make_user(name, "ext-" + name))}) {
    EXPECT_TRUE(is_scim_error(r, 429)) << r;
    EXPECT_EQ(r.header("retry-after"), "7") << r;
    EXPECT_EQ(r.header("x-ratelimit-remaining"), "0") << r;
    EXPECT_GE(header_int(r, "x-ratelimit-reset"), epoch_seconds() + 5) << r;
    EXPECT_TRUE(r.has_header("x-ratelimit-limit")) << r;
    EXPECT_EQ(r.header("x-ratelimit-resource"), "scim") << r;
  }
  ASSERT_EQ(admin.del("enterprises/acme/faults").status, 204);
  auto r = scim.get(users_filter("userName eq \"" + name + "\""));
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["totalResults"], 0);
}

TEST_F(Faults, faultsAreInMemoryOnly) {
  put_faults({{"throttle", true}});
  ASSERT_EQ(scim.get("Users").status, 429);
  server().restart();
  client c(server());
  EXPECT_EQ(c.get("Users").status, 200);
  admin = as(admin_token, "/_emuscim/");
  EXPECT_EQ(admin.get("enterprises/acme/faults").json()["enabled"], false);
}

// --- rate limit --------------------------------------------------------------------------------

class RateLimit : public admin_suite {
 public:
  static void SetUpTestSuite() { start_suite_server({.env = {{"EMUSCIM_ADMIN_TOKEN", admin_token}}}); }

 protected:
  void TearDown() override {
    admin.put("rate-limit",
              json{{"enabled", false}, {"requests_per_hour", 5000}, {"user_creations_per_hour", 1000}});
    admin_suite::TearDown();
  }
  static void expect_rate_headers(const reply& r) {
    EXPECT_EQ(r.header("x-ratelimit-resource"), "scim") << r;
    auto limit = header_int(r, "x-ratelimit-limit");
    auto remaining = header_int(r, "x-ratelimit-remaining");
    auto used = header_int(r, "x-ratelimit-used");
    auto reset = header_int(r, "x-ratelimit-reset");
    EXPECT_EQ(limit, 5000) << r;
    EXPECT_EQ(remaining + used, limit) << r;
    EXPECT_GT(reset, epoch_seconds()) << r;
    EXPECT_LE(reset, epoch_seconds() + 3600) << r;
  }
};

TEST_F(RateLimit, headersOnEveryScimResponse) {
  auto r = admin.get("rate-limit");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json(), (json{{"enabled", false}, {"requests_per_hour", 5000}, {"user_creations_per_hour", 1000}}));

  const std::string name = unique("rl.user");
  auto created = scim.post("Users", make_user(name, "ext-" + name));
  ASSERT_EQ(created.status, 201);
  for (const auto& rr : {scim.get("Users"), created, scim.get("Users/" + random_uuid()),
                            scim.get(users_filter("title eq \"x\"")), scim.post("Users", make_user(name, "ext-" + name)),
                            scim.post("Users", raw_body{"{"}), scim.get("Users?count=abc")}) {
    SCOPED_TRACE(rr.status);
    expect_rate_headers(rr);
  }
  // Each request of a token counts once.
  auto a = header_int(scim.get("Users"), "x-ratelimit-used");
  auto b = header_int(scim.get("Groups"), "x-ratelimit-used");
  EXPECT_EQ(b, a + 1);
}

TEST_F(RateLimit, countsDownTo429AndRecoversWhenReconfigured) {
  auto set = admin.put("rate-limit", json{{"enabled", true}, {"requests_per_hour", 5}});
  ASSERT_EQ(set.status, 200) << set;
  EXPECT_EQ(set.json(), (json{{"enabled", true}, {"requests_per_hour", 5}, {"user_creations_per_hour", 1000}}));

  for (int i = 1; i <= 5; ++i) {
    auto r = scim.get("Users");
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(header_int(r, "x-ratelimit-limit"), 5);
    EXPECT_EQ(header_int(r, "x-ratelimit-used"), i);
    EXPECT_EQ(header_int(r, "x-ratelimit-remaining"), 5 - i);
  }
  auto limited = scim.get("Users");
  ASSERT_TRUE(is_scim_error(limited, 429)) << limited;
  const auto retry_after = header_int(limited, "retry-after");
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 3600);
  EXPECT_EQ(header_int(limited, "x-ratelimit-remaining"), 0);
  EXPECT_GE(header_int(limited, "x-ratelimit-reset"), epoch_seconds());

  const std::string name = unique("rl.blocked");
  EXPECT_TRUE(is_scim_error(scim.post("Users", make_user(name, "ext-" + name)), 429));

  // The budget is per token: a fresh token of the same enterprise still has its own.
  auto fresh = as(mint("acme"));
  auto r = fresh.get("Users");
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(header_int(r, "x-ratelimit-remaining"), 4);

  // A new budget starts every window afresh.
  ASSERT_EQ(admin.put("rate-limit", json{{"requests_per_hour", 100}}).json(),
            (json{{"enabled", true}, {"requests_per_hour", 100}, {"user_creations_per_hour", 1000}}));
  r = scim.get(users_filter("userName eq \"" + name + "\""));
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json()["totalResults"], 0) << "a 429 POST must not create";
  EXPECT_EQ(header_int(r, "x-ratelimit-remaining"), 99);

  // Disabled: still counted, never refused.
  ASSERT_EQ(admin.put("rate-limit", json{{"enabled", false}, {"requests_per_hour", 1}}).status, 200);
  for (int i = 0; i < 3; ++i) {
    auto g = scim.get("Users");
    EXPECT_EQ(g.status, 200) << g;
    EXPECT_EQ(header_int(g, "x-ratelimit-remaining"), 0);
  }
}

TEST_F(RateLimit, userCreationsPerEnterpriseAre429OnceSpent) {
  // github-emu-scim.md §15: at most so many users provisioned per hour; counted per enterprise.
  auto set = admin.put("rate-limit", json{{"enabled", true}, {"user_creations_per_hour", 2}});
  ASSERT_EQ(set.status, 200) << set;
  EXPECT_EQ(set.json(), (json{{"enabled", true}, {"requests_per_hour", 5000}, {"user_creations_per_hour", 2}}));
  for (int i = 0; i < 2; ++i) {
    const std::string name = unique("rl.create");
    auto r = scim.post("Users", make_user(name, "ext-" + name));
    ASSERT_EQ(r.status, 201) << r;
  }
  const std::string name = unique("rl.create");
  auto limited = scim.post("Users", make_user(name, "ext-" + name));
  ASSERT_TRUE(is_scim_error(limited, 429)) << limited;
  EXPECT_GE(header_int(limited, "retry-after"), 1);
  EXPECT_EQ(limited.header("x-ratelimit-resource"), "scim") << limited;
  // Another token of the same enterprise shares the budget; reads and other writes go on.
  auto other = as(mint("acme"));
  EXPECT_TRUE(is_scim_error(other.post("Users", make_user(name, "ext-" + name)), 429));
  EXPECT_EQ(scim.get(users_filter("userName eq \"" + name + "\"")).json()["totalResults"], 0)
      << "a 429 POST must not create";
  EXPECT_EQ(scim.get("Users").status, 200);
  // Off again: creations go through.
  ASSERT_EQ(admin.put("rate-limit", json{{"enabled", false}}).status, 200);
  EXPECT_EQ(scim.post("Users", make_user(name, "ext-" + name)).status, 201);
}

TEST_F(RateLimit, invalidSettingsAre400) {
  for (const json& bad : {json{{"requests_per_hour", 0}}, json{{"requests_per_hour", -5}},
                          json{{"requests_per_hour", 5000000000LL}}, json{{"enabled", "yes"}}, json{{"limit", 5}},
                          json{{"user_creations_per_hour", 0}}}) {
    EXPECT_TRUE(is_scim_error(admin.put("rate-limit", bad), 400)) << bad;
  }
  EXPECT_TRUE(is_scim_error(admin.put("rate-limit", raw_body{""}), 400));
  EXPECT_TRUE(is_scim_error(admin.post("rate-limit", json::object()), 405));
  EXPECT_EQ(admin.get("rate-limit").json(), (json{{"enabled", false}, {"requests_per_hour", 5000}, {"user_creations_per_hour", 1000}}));
}

TEST(RateLimitConfig, configuredLimitIsTheStartValue) {
  auto dir = std::filesystem::temp_directory_path() / ("emuscim-rl-e2e-" + random_uuid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "rl.json")
      << R"({"rate_limit": {"enabled": true, "requests_per_hour": 2, "user_creations_per_hour": 3}})";
  server_process server({.extra_args = {"--config", (dir / "rl.json").string()},
                         .env = {{"EMUSCIM_ADMIN_TOKEN", admin_token}}});
  client c(server);
  EXPECT_EQ(c.get("Users").status, 200);
  EXPECT_EQ(c.get("Users").status, 200);
  EXPECT_TRUE(is_scim_error(c.get("Users"), 429));
  client admin(client_options{.port = server.port(), .token = admin_token});
  EXPECT_EQ(admin.get("/_emuscim/rate-limit").json(),
            (json{{"enabled", true}, {"requests_per_hour", 2}, {"user_creations_per_hour", 3}}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace emuscim::test
