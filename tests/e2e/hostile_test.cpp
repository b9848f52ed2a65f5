// Hostile clients against the real binary (issue "Prove it fast and unbreakable"): the server
// runs with small limits and timeouts from a config file (`serve --config FILE`, keys of
// docs/CONFIGURATION.md) and must shed slowloris connections, oversized bodies and headers,
// connections beyond its limit, clients that never read, and malformed HTTP — while a
// well-behaved client keeps being served, and without ever crashing (/healthz 200 afterwards).
// Timing bounds are loose on purpose (CI runs on 2 busy cores): "closed within 3x the timeout".
// Every socket goes to 127.0.0.1 only; every loop is bounded in count and time.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "reliability_support.hpp"
#include "scim_support.hpp"

namespace emuscim::test {
namespace {

using namespace reliability;

const std::string kAdminToken = "emu_admin_hostile_e2e_0123456789";

struct limits {
  std::size_t body_bytes = 65536;
  std::size_t header_bytes = 8192;
  std::size_t max_connections = 256;
  int header_ms = 1000;
  int body_ms = 1000;
  int idle_ms = 3000;
  int write_ms = 1000;
};

// A well-behaved client that keeps asking while the hostile ones do their thing.
class background_probe {
 public:
  explicit background_probe(const server_process& srv) : client_(make_client(srv, 10s)) {
    thread_ = std::thread([this] { loop(); });
  }
  background_probe(const background_probe&) = delete;
  background_probe& operator=(const background_probe&) = delete;
  ~background_probe() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int served() const { return served_; }
  std::vector<std::string> failures() const {
    std::lock_guard lk(mu_);
    return failures_;
  }
  std::chrono::milliseconds worst() const { return worst_; }

 private:
  void loop() {
    const auto deadline = clock_type::now() + 60s;  // bound, whatever the test does
    for (int i = 0; !stop_ && clock_type::now() < deadline; ++i) {
      const auto t0 = clock_type::now();
      try {
        auto r = i % 2 == 0 ? client_.get("/healthz") : client_.get("Users?count=1");
        if (r.status != 200) {
          std::lock_guard lk(mu_);
          failures_.push_back("HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200));
        } else {
          ++served_;
        }
      } catch (const std::exception& e) {
        std::lock_guard lk(mu_);
        failures_.push_back(e.what());
      }
      worst_ = std::max(worst_, ms_since(t0));
      std::this_thread::sleep_for(50ms);
    }
  }

  client client_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> served_{0};
  std::chrono::milliseconds worst_{0};
  mutable std::mutex mu_;
  std::vector<std::string> failures_;
};

class Hostile : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "--- server log tail ---\n%s\n", srv_.log_tail(40).c_str());
    std::error_code ec;
    if (!config_path_.empty()) std::filesystem::remove(config_path_, ec);
  }

  void start(const limits& l) {
    limits_ = l;
    const json cfg = {
        {"threads", 2},
        {"log", {{"level", "debug"}}},
        {"limits", {{"body_bytes", l.body_bytes}, {"header_bytes", l.header_bytes}, {"max_connections", l.max_connections}}},
        {"timeouts", {{"header_ms", l.header_ms}, {"body_ms", l.body_ms}, {"idle_ms", l.idle_ms}, {"write_ms", l.write_ms}}},
    };
    static std::atomic<int> counter{0};
    config_path_ = std::filesystem::temp_directory_path() /
                   ("emuscim-hostile-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".json");
    std::ofstream(config_path_) << cfg.dump(2);
    ASSERT_NO_THROW(srv_.start({.extra_args = {"--config", config_path_.string()},
                                .env = {{"EMUSCIM_ADMIN_TOKEN", kAdminToken}}}));
  }

  // The server process is alive and answers /healthz.
  void expect_healthy(const std::string& when) {
    EXPECT_TRUE(srv_.running()) << "server died " << when << "; exit status " << srv_.exit_status().value_or(-1);
    if (!srv_.running()) return;
    client c = make_client(srv_, 5s);
    reply r;
    ASSERT_NO_THROW(r = c.get("/healthz")) << when;
    EXPECT_EQ(r.status, 200) << when << ": " << r;
  }

  void expect_probe_fine(background_probe& probe, std::chrono::milliseconds worst_allowed) {
    probe.stop();
    for (const auto& f : probe.failures()) ADD_FAILURE() << "well-behaved client not served: " << f;
    EXPECT_GT(probe.served(), 0) << "the well-behaved client got nothing done";
    std::fprintf(stderr, "[hostile] well-behaved client: %d requests served meanwhile, slowest %lld ms\n", probe.served(),
                 static_cast<long long>(probe.worst().count()));
    EXPECT_LE(probe.worst(), worst_allowed) << "a well-behaved request took too long";
  }

  std::optional<double> open_connections() {
    client c = make_client(srv_, 5s);
    return metric(c, "emuscim_open_connections");
  }

  server_process srv_;
  limits limits_;
  std::filesystem::path config_path_;
};

// --- slow clients ----------------------------------------------------------------------------------

TEST_F(Hostile, slowlorisHeadersAreCutOffAtTheHeaderTimeoutWhileOthersAreServed) {
  start({.header_ms = 1000});
  background_probe probe(srv_);
  constexpr int kSlow = 6;
  std::vector<raw_socket> slow;
  std::vector<std::optional<std::chrono::milliseconds>> closed_after(kSlow);
  const auto t0 = clock_type::now();
  for (int i = 0; i < kSlow; ++i) slow.push_back(raw_socket::connect(srv_.port()));
  // One byte every 100 ms, a header that never ends.
  const std::string dribble = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(4000, 'a');
  const auto bound = 3 * std::chrono::milliseconds(limits_.header_ms);
  for (std::size_t pos = 0; pos < dribble.size() && ms_since(t0) < bound + 1s; ++pos) {
    bool all_closed = true;
    for (int i = 0; i < kSlow; ++i) {
      if (closed_after[static_cast<std::size_t>(i)]) continue;
      auto& s = slow[static_cast<std::size_t>(i)];
      std::string ignored;
      if (s.peer_closed(&ignored) || !s.send_all(dribble.substr(pos, 1), 1s)) {
        closed_after[static_cast<std::size_t>(i)] = ms_since(t0);
      } else {
        all_closed = false;
      }
    }
    if (all_closed) break;
    std::this_thread::sleep_for(100ms);
  }
  for (int i = 0; i < kSlow; ++i) {
    const auto& c = closed_after[static_cast<std::size_t>(i)];
    ASSERT_TRUE(c.has_value()) << "slowloris connection " << i << " still open after " << ms_since(t0).count() << " ms";
    std::fprintf(stderr, "[hostile] slowloris %d closed after %lld ms (header timeout %d ms)\n", i,
                 static_cast<long long>(c->count()), limits_.header_ms);
    EXPECT_LE(*c, bound) << "slowloris connection " << i;
    EXPECT_GE(*c, std::chrono::milliseconds(limits_.header_ms / 2)) << "closed before the header timeout could expire";
  }
  expect_probe_fine(probe, 2000ms);
  expect_healthy("after slowloris");
}

TEST_F(Hostile, slowBodyIsCutOffAtTheBodyTimeout) {
  start({.body_ms = 1000});
  background_probe probe(srv_);
  auto s = raw_socket::connect(srv_.port());
  const std::string body = make_user("hostile.slowbody", "ext-hostile.slowbody").dump();
  // Headers promise the whole body; then one byte every 100 ms.
  const std::string head = users_post_head(body.size());
  const auto t0 = clock_type::now();
  ASSERT_TRUE(s.send_all(head));
  std::optional<std::chrono::milliseconds> closed;
  std::string got;
  const auto bound = 3 * std::chrono::milliseconds(limits_.body_ms);
  for (std::size_t pos = 0; pos + 1 < body.size() && ms_since(t0) < bound + 1s; ++pos) {
    if (s.peer_closed(&got) || !s.send_all(body.substr(pos, 1), 1s)) {
      closed = ms_since(t0);
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(closed.has_value()) << "slow body still accepted after " << ms_since(t0).count() << " ms";
  std::fprintf(stderr, "[hostile] slow body closed after %lld ms (body timeout %d ms)\n",
               static_cast<long long>(closed->count()), limits_.body_ms);
  EXPECT_LE(*closed, bound);
  EXPECT_GE(*closed, std::chrono::milliseconds(limits_.body_ms / 2));
  EXPECT_TRUE(got.empty() || first_status(got) == 408 || first_status(got) == 400) << got.substr(0, 300);
  expect_probe_fine(probe, 2000ms);
  // The half-sent user was not created.
  client c = make_client(srv_);
  EXPECT_EQ(c.get(users_filter("userName eq \"hostile.slowbody\"")).json()["totalResults"], 0);
  expect_healthy("after a slow body");
}

// --- limits ------------------------------------------------------------------------------------------

TEST_F(Hostile, bodyOverTheLimitIs413BeforeTheBodyIsRead) {
  start({.body_bytes = 4096, .body_ms = 5000});
  // Announced too large: 413 at once, without waiting for (or reading) the body.
  {
    auto s = raw_socket::connect(srv_.port());
    const std::string head = users_post_head(50000000);
    const auto t0 = clock_type::now();
    ASSERT_TRUE(s.send_all(head + std::string(1000, ' ')));
    auto res = s.read_until_close(3s);
    EXPECT_EQ(first_status(res.data), 413) << res.data.substr(0, 300);
    EXPECT_TRUE(res.closed) << "connection left open after 413";
    EXPECT_LT(ms_since(t0), 1000ms) << "413 must not wait for the body (body timeout is 5 s)";
  }
  // Sent in full, with Content-Length and chunked: 413 too, with a SCIM error body.
  client c = make_client(srv_);
  const std::string big = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"hostile.big","externalId":"x","displayName":")" +
                          std::string(5000, 'x') + "\"}";
  EXPECT_TRUE(is_scim_error(c.post("Users", raw_body{big}), 413));
  EXPECT_TRUE(is_scim_error(c.post("Users", raw_body{big}, {{"transfer-encoding", "chunked"}}), 413));
  // Expect: 100-continue with a too large body: 413 instead of 100.
  {
    auto s = raw_socket::connect(srv_.port());
    const std::string head = users_post_head(9000, "Expect: 100-continue\r\n");
    ASSERT_TRUE(s.send_all(head));
    auto res = s.read_until_close(3s);
    EXPECT_EQ(first_status(res.data), 413) << res.data.substr(0, 300);
  }
  // At the limit is fine.
  auto ok = c.post("Users", make_user("hostile.small", "ext-hostile.small"));
  EXPECT_EQ(ok.status, 201) << ok;
  EXPECT_EQ(c.get(users_filter("userName eq \"hostile.big\"")).json()["totalResults"], 0);
  expect_healthy("after oversized bodies");
}

TEST_F(Hostile, headersOverTheLimitAre431) {
  start({.header_bytes = 2048});
  client c = make_client(srv_);
  EXPECT_TRUE(is_scim_error(c.get("Users", {{"x-big", std::string(4000, 'a')}}), 431));
  header_map many;
  for (int i = 0; i < 100; ++i) many["x-h" + std::to_string(i)] = std::string(40, 'b');
  EXPECT_TRUE(is_scim_error(c.get("Users", many), 431));
  EXPECT_TRUE(is_scim_error(c.get("Users?filter=" + std::string(3000, 'a')), 431));
  // Byte by byte over the limit: rejected as soon as the limit is passed, not at the timeout.
  {
    auto s = raw_socket::connect(srv_.port());
    const auto t0 = clock_type::now();
    ASSERT_TRUE(s.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(3000, 'c')));
    auto res = s.read_until_close(3s);
    EXPECT_EQ(first_status(res.data), 431) << res.data.substr(0, 300);
    EXPECT_LT(ms_since(t0), std::chrono::milliseconds(limits_.header_ms)) << "431 waited for the header timeout";
  }
  // Just under the limit is served.
  auto r = c.get("Users?count=1", {{"x-medium", std::string(1000, 'd')}});
  EXPECT_EQ(r.status, 200) << r;
  expect_healthy("after oversized headers");
}

TEST_F(Hostile, connectionsBeyondTheLimitAreClosedAndServiceResumesWhenIdleOnesTimeOut) {
  start({.max_connections = 8, .header_ms = 2000, .idle_ms = 2000});
  const auto t_open = clock_type::now();
  // 8 idle connections fill the server: 4 that never send anything, 4 keep-alive clients.
  std::vector<raw_socket> silent;
  for (int i = 0; i < 4; ++i) silent.push_back(raw_socket::connect(srv_.port()));
  std::vector<client> kept;
  for (int i = 0; i < 4; ++i) {
    kept.push_back(make_client(srv_, 5s));
    auto r = kept.back().get("/healthz");
    ASSERT_EQ(r.status, 200) << r;
  }
  // Further connections are accepted and closed at once (well before any timeout).
  for (int i = 0; i < 4; ++i) {
    auto s = raw_socket::connect(srv_.port());
    s.send_all(http_request("GET", "/healthz"), 1s);
    auto res = s.read_until_close(3s);
    EXPECT_TRUE(res.closed) << "connection beyond max_connections not closed";
    EXPECT_LT(res.when, 1000ms) << "closed only after " << res.when.count() << " ms";
    EXPECT_EQ(first_status(res.data), 0) << "served beyond the limit: " << res.data.substr(0, 200);
  }
  // Once the idle ones time out, a new client is served.
  const auto bound = 3 * std::chrono::milliseconds(std::max(limits_.header_ms, limits_.idle_ms));
  bool served = false;
  while (!served && ms_since(t_open) < bound) {
    try {
      client c = make_client(srv_, 2s);
      served = c.get("/healthz").status == 200;
    } catch (const std::exception&) {
      // still full
    }
    if (!served) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(served) << "no client served within " << bound.count() << " ms of the idle connections opening";
  std::fprintf(stderr, "[hostile] with 8 idle connections at max_connections=8, a new client was served after %lld ms\n",
               static_cast<long long>(ms_since(t_open).count()));
  EXPECT_GE(ms_since(t_open), std::chrono::milliseconds(std::min(limits_.header_ms, limits_.idle_ms) / 2))
      << "served before any idle connection could time out: was the limit enforced?";
  // The silent ones were closed by the server (header timeout for a connection that never sent).
  for (auto& s : silent) {
    auto res = s.read_until_close(std::chrono::milliseconds(limits_.header_ms));
    EXPECT_TRUE(res.closed) << "a silent connection outlived its timeout";
  }
  expect_healthy("after the connection limit");
}

TEST_F(Hostile, clientThatNeverReadsIsCutOffAtTheWriteTimeoutWhileOthersAreServed) {
  start({.idle_ms = 10000, .write_ms = 1000});
  // 40 users of ~1.6 kB: a page of them is ~70 kB.
  run_threads(8, [&](int t) {
    client c = make_client(srv_);
    for (int i = 0; i < 5; ++i) {
      const std::string name = "hostile.big" + std::to_string(t) + "-" + std::to_string(i);
      auto r = c.post("Users", make_user(name, "ext-" + name, {.display_name = std::string(1500, 'w')}));
      ASSERT_EQ(r.status, 201) << r;
    }
  });
  ASSERT_FALSE(HasFailure());
  // The well-behaved client holds one keep-alive connection, each scrape one more. Wait until
  // the setup's connections are gone: then exactly those two are open.
  background_probe probe(srv_);
  std::optional<double> baseline;
  for (const auto t_base = clock_type::now(); ms_since(t_base) < 5s; std::this_thread::sleep_for(50ms)) {
    const bool probe_connected = probe.served() > 0;  // read before the scrape
    baseline = open_connections();
    if (probe_connected && baseline == 2.0) break;
  }
  ASSERT_EQ(baseline, 2.0) << "connections of the setup still open, or the probe not connected";

  // Tiny receive window, 160 pipelined list requests (~13 MB of responses), and never a read.
  auto s = raw_socket::connect(srv_.port(), 2048);
  std::string pipeline;
  for (int i = 0; i < 160; ++i) pipeline += http_request("GET", acme_path("Users?count=100"));
  const auto t0 = clock_type::now();
  s.send_all(pipeline, 2s);  // the server may stop reading: partial is fine

  // The stuck connection is counted, then dropped within 3x the write timeout. (The idle
  // timeout is 10 s: a server that wrote everything into socket buffers and then waited for
  // the next request would not drop it in time.)
  const auto bound = 3 * std::chrono::milliseconds(limits_.write_ms);
  bool seen_open = false;
  std::optional<std::chrono::milliseconds> dropped;
  while (ms_since(t0) < bound + 2s) {
    auto now_open = open_connections();
    if (now_open && *now_open >= *baseline + 1) seen_open = true;
    if (seen_open && now_open && *now_open <= *baseline) {
      dropped = ms_since(t0);
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(seen_open) << "the connection that never reads was never counted as open";
  ASSERT_TRUE(dropped.has_value()) << "the connection that never reads is still open after " << ms_since(t0).count()
                                   << " ms";
  EXPECT_GE(*dropped, std::chrono::milliseconds(limits_.write_ms / 2)) << "dropped before the write timeout could expire";
  EXPECT_LE(*dropped, bound);
  std::fprintf(stderr, "[hostile] connection that never reads dropped after %lld ms (write timeout %d ms)\n",
               static_cast<long long>(dropped->count()), limits_.write_ms);
  // Reading now gets what was buffered, then the end: far from all 160 responses.
  auto rest = s.read_until_close(5s, std::size_t{64} << 20);
  EXPECT_TRUE(rest.closed);
  EXPECT_LT(rest.data.size(), std::size_t{160} * 60000) << "the server did not cut the slow reader off";
  EXPECT_EQ(rest.data.find("HTTP/1.1 5"), std::string::npos);
  std::fprintf(stderr, "[hostile] the slow reader got %zu bytes of %d responses (first: HTTP %d)\n", rest.data.size(), 160,
               first_status(rest.data));
  expect_probe_fine(probe, 2000ms);
  expect_healthy("after a client that never reads");
}

// --- malformed HTTP ----------------------------------------------------------------------------------

struct malformed_case {
  const char* name;
  std::string bytes;
  bool half_close = false;      // shut down our sending side after the bytes
  bool must_be_400 = true;      // else: any status below 500, or a close without a response
};

TEST_F(Hostile, malformedRequestsGet400OrACloseAndNeverCrashTheServer) {
  start({.header_ms = 1000, .body_ms = 1000, .idle_ms = 1000});
  const std::string users = acme_path("Users");
  const std::string auth = "Authorization: Bearer " + std::string(acme_token) + "\r\n";
  const std::vector<malformed_case> cases = {
      {"garbage", "garbage\r\n\r\n"},
      {"binary", std::string{'\x16', '\x03', '\x01', '\x02', '\x00', '\x01', '\x00', '\x01', '\xfc', '\x03', '\x03', '\x00', '\xff', '\r', '\n', '\r', '\n'}, true},
      {"bad method char", "G\x01T /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"space in method", "GE T /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"no target", "GET HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"http/0.9", "GET /healthz\r\n\r\n", false},
      {"bad version", "GET /healthz HTTX/1.1\r\nHost: x\r\n\r\n"},
      {"version 9.9", "GET /healthz HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n", false, false},
      {"header without colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n"},
      {"NUL in header", std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a") + '\0' + "b\r\n\r\n"},
      {"space before colon", "GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n"},
      {"obs-fold", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n", false, false},
      {"bare LF", "GET /healthz HTTP/1.1\nHost: x\n\n", true, false},
      {"content-length letters", "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: abc\r\n\r\n"},
      {"content-length negative", "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: -5\r\n\r\n"},
      {"content-length overflow",
       "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 99999999999999999999999999\r\n\r\n", false,
       false},
      {"content-length twice", "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth +
                                   "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
      {"content-length and chunked", "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth +
                                         "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
       false, false},
      {"bad chunk size", "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
      {"truncated chunked body, half-closed",
       "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"userName\":", true,
       false},
      {"truncated chunked body, left hanging",
       "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"userName\":", false,
       false},
      {"truncated content-length body", "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 100\r\n\r\n{\"a\"",
       true, false},
      {"unknown transfer-encoding", "POST " + users + " HTTP/1.1\r\nHost: x\r\n" + auth +
                                        "Transfer-Encoding: gzip\r\nConnection: close\r\n\r\n{}",
       false, false},
      {"request cut mid-line", "GET /heal", true, false},
      {"only CRLFs", "\r\n\r\n\r\n\r\n", true, false},
      {"absolute-form target", "GET http://127.0.0.1/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false,
       false},
      {"non-ASCII target", "GET /\xff\xfe/Users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false, false},
      {"invalid JSON body", http_request("POST", users, "{\"userName\": \xff\xfe", "Connection: close\r\n")},
      {"deep JSON body", http_request("POST", users, std::string(5000, '[') + std::string(5000, ']'), "Connection: close\r\n")},
      {"huge method", std::string(3000, 'A') + " /healthz HTTP/1.1\r\nHost: x\r\n\r\n", false, false},
      {"valid then garbage", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\ngarbage\r\n\r\n", false, false},
  };

  struct result {
    std::string data;
    bool closed = false;
    std::chrono::milliseconds when{};
  };
  std::vector<result> results(cases.size());
  // All at once: the server must also cope with them concurrently.
  run_threads(static_cast<int>(cases.size()), [&](int i) {
    const auto& c = cases[static_cast<std::size_t>(i)];
    auto s = raw_socket::connect(srv_.port());
    s.send_all(c.bytes, 2s);
    if (c.half_close) s.shutdown_write();
    auto res = s.read_until_close(3 * std::chrono::milliseconds(std::max({limits_.header_ms, limits_.body_ms, limits_.idle_ms})) + 1s);
    results[static_cast<std::size_t>(i)] = {res.data, res.closed, res.when};
  });
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto& r = results[i];
    SCOPED_TRACE(c.name);
    const int status = first_status(r.data);
    std::fprintf(stderr, "[hostile] %-38s -> %s after %lld ms\n", c.name,
                 r.data.empty() ? "closed, no response" : ("HTTP " + std::to_string(status)).c_str(),
                 static_cast<long long>(r.when.count()));
    EXPECT_TRUE(r.closed) << "connection still open after " << r.when.count() << " ms";
    if (!r.data.empty()) {
      EXPECT_NE(status, 0) << "not an HTTP response: " << r.data.substr(0, 200);
    }
    if (c.must_be_400) {
      EXPECT_TRUE(status == 400 || (r.data.empty() && r.closed)) << "expected 400 or a close, got: " << r.data.substr(0, 300);
    } else {
      EXPECT_LT(status, 500) << r.data.substr(0, 300);
    }
    // Every 5xx anywhere in the conversation (pipelined answers included) is a server failure.
    EXPECT_EQ(r.data.find("HTTP/1.1 5"), std::string::npos) << r.data.substr(0, 500);
    EXPECT_EQ(r.data.find("HTTP/1.0 5"), std::string::npos) << r.data.substr(0, 500);
  }
  expect_healthy("after malformed requests");
  const std::string log = srv_.log_text();
  EXPECT_EQ(log.find("connection failed"), std::string::npos) << srv_.log_tail(30);
  EXPECT_EQ(log.find("request handler failed"), std::string::npos) << srv_.log_tail(30);
  // Nothing was created by any of them.
  client cl = make_client(srv_);
  EXPECT_EQ(cl.get("Users?count=0").json()["totalResults"], 0);
}

}  // namespace
}  // namespace emuscim::test
