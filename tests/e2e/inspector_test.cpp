// The request inspector (issue 13; docs/DASHBOARD.md, docs/REPLAY.md): readable failures in the
// access log (text and JSON formats, bodies at debug with secrets masked), capture of the SCIM
// routes into the request log with notes and audit events, the /_emuscim/requests routes, the
// live stream (text/event-stream, Last-Event-ID, ?access_token=), the dashboard's files, and
// the export that `emuscim replay` plays back.

#include <boost/asio.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

const std::string admin_token = "emu_admin_inspector_0123456789abcdef";

server_options with_admin(std::vector<std::string> args = {}, std::map<std::string, std::string> env = {}) {
  server_options o{.extra_args = std::move(args), .env = std::move(env)};
  o.env["EMUSCIM_ADMIN_TOKEN"] = admin_token;
  return o;
}

client admin_client(const server_process& s) {
  client_options o;
  o.port = s.port();
  o.token = admin_token;
  o.base = "/_emuscim/";
  return client(o);
}

// The request log, oldest first.
json requests(client& admin, const std::string& query = "limit=1000") {
  auto r = admin.get("requests?" + query);
  EXPECT_EQ(r.status, 200) << r;
  return r.try_json().value_or(json::object()).value("requests", json::array());
}

// The newest id captured so far (0 when none).
long last_id(client& admin) {
  auto r = admin.get("requests?limit=1000");
  EXPECT_EQ(r.status, 200) << r;
  return r.try_json().value_or(json::object()).value("next_since_id", 0L);
}

json notes_of(const json& entry) { return entry.value("notes", json::array()); }

bool has_note(const json& entry, const std::string& needle) {
  for (const auto& n : notes_of(entry)) {
    if (n.get<std::string>().find(needle) != std::string::npos) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Readable failures

TEST(InspectorLog, failuresCarryScimTypeAndDetailInTextAndJson) {
  for (const std::string format : {"text", "json"}) {
    SCOPED_TRACE(format);
    server_process server({.extra_args = {"--log-format", format}});
    client scim(server);
    auto r = scim.post("Users", json{{"schemas", {user_schema}}, {"userName", "no-external-id"}});
    ASSERT_TRUE(is_scim_error(r, 400, "invalidValue")) << r;
    const auto lines = wait_for_log_lines(server, "Missing required attribute", 1, 5s);
    ASSERT_EQ(lines.size(), 1u) << server.log_tail();
    const auto& line = lines[0];
    if (format == "json") {
      const auto j = json::parse(line);
      EXPECT_EQ(j["msg"], "request");
      EXPECT_EQ(j["status"], 400);
      EXPECT_EQ(j["scim_type"], "invalidValue");
      EXPECT_EQ(j["detail"], "Missing required attribute 'externalId'");
    } else {
      EXPECT_NE(line.find("status=400"), std::string::npos) << line;
      EXPECT_NE(line.find("scim_type=invalidValue"), std::string::npos) << line;
      EXPECT_NE(line.find("detail=Missing required attribute 'externalId'"), std::string::npos) << line;
    }
    // A success carries neither.
    ASSERT_EQ(scim.get("Users").status, 200);
    const auto ok = wait_for_log_lines(server, "GET", 1, 5s);
    ASSERT_FALSE(ok.empty());
    EXPECT_EQ(ok.back().find("scim_type"), std::string::npos) << ok.back();
  }
}

TEST(InspectorLog, debugLogsBodiesWithEverySecretMasked) {
  server_process server(with_admin({"--log-level", "debug", "--log-format", "json"}));
  client scim(server);
  auto body = make_user("debug.user@example.com", "ext-debug");
  body["password"] = "hunter2-secret";
  ASSERT_EQ(scim.post("Users", body).status, 201);
  client admin = admin_client(server);
  auto minted = admin.post("enterprises/acme/tokens", json::object());
  ASSERT_EQ(minted.status, 201) << minted;
  const std::string new_token = minted.json().value("token", "");
  ASSERT_FALSE(new_token.empty());

  const auto bodies = wait_for_log_lines(server, "\"msg\":\"request body\"", 2, 5s);
  ASSERT_GE(bodies.size(), 2u) << server.log_tail();
  const auto first = json::parse(bodies[0]);
  EXPECT_EQ(first["headers"]["Authorization"], "Bearer ***");
  EXPECT_NE(first["body"].get<std::string>().find("debug.user@example.com"), std::string::npos);
  EXPECT_NE(first["body"].get<std::string>().find(R"("password":"***")"), std::string::npos);
  const auto answers = wait_for_log_lines(server, "\"msg\":\"response body\"", 2, 5s);
  ASSERT_GE(answers.size(), 2u);
  EXPECT_NE(answers.back().find(R"(\"token\":\"***\")"), std::string::npos) << answers.back();

  const std::string log = server.log_text();
  for (const std::string& secret : {std::string(acme_token), admin_token, new_token, std::string("hunter2-secret")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "a secret reached the log";
  }
}

// ---------------------------------------------------------------------------------------------
// Capture and the request-log routes

class Inspector : public e2e_suite {
 public:
  static void SetUpTestSuite() { start_suite_server(with_admin()); }

 protected:
  void SetUp() override {
    e2e_suite::SetUp();
    admin = as(admin_token, "/_emuscim/");
  }
  client admin;
};

TEST_F(Inspector, scimRequestsAreCapturedWithBodiesNotesAndEventsSecretsMasked) {
  ASSERT_EQ(admin.del("requests").status, 204);
  const std::string name = unique("cap") + "@example.com";
  auto body = make_user(name, "ext-" + name);
  body["password"] = "s3cret-pass";
  body["nickName"] = "Mo";
  auto created = scim.post("Users?aadOptscim062020", body, {{"user-agent", "Okta SCIM Client 1.0.0"}});
  ASSERT_EQ(created.status, 201) << created;
  ASSERT_EQ(client(server()).get("/healthz").status, 200);
  ASSERT_EQ(admin.get("enterprises").status, 200);

  const json list = requests(admin);
  ASSERT_EQ(list.size(), 1u) << "only the SCIM request is captured: " << list.dump();
  const json& summary = list[0];
  EXPECT_EQ(summary["method"], "POST");
  EXPECT_EQ(summary["path"], "/scim/v2/enterprises/acme/Users");
  EXPECT_EQ(summary["query"], "aadOptscim062020");
  EXPECT_EQ(summary["status"], 201);
  EXPECT_EQ(summary["enterprise"], "acme");
  EXPECT_TRUE(summary["org"].is_null());
  EXPECT_EQ(summary["client"], "okta");
  EXPECT_EQ(summary["request_id"], created.header("x-github-request-id"));
  EXPECT_FALSE(summary.contains("request_body")) << "the list leaves bodies out";
  const std::string login = name.substr(0, name.find('@')) + "_acme";
  EXPECT_TRUE(has_note(summary, "login derived: " + login)) << summary.dump();
  EXPECT_TRUE(has_note(summary, "ignored unsupported attribute 'nickName'")) << summary.dump();
  EXPECT_NE(std::find(summary["events"].begin(), summary["events"].end(), "external_identity.provision"),
            summary["events"].end())
      << summary.dump();

  auto one = admin.get("requests/" + std::to_string(summary["id"].get<long>()));
  ASSERT_EQ(one.status, 200) << one;
  const json entry = one.json();
  std::string authorization;
  for (const auto& h : entry["request_headers"]) {
    if (h["name"] == "Authorization") authorization = h["value"];
  }
  EXPECT_EQ(authorization, "Bearer ***");
  const std::string request_body = entry["request_body"];
  EXPECT_NE(request_body.find(name), std::string::npos);
  EXPECT_NE(request_body.find(R"("password":"***")"), std::string::npos) << request_body;
  EXPECT_EQ(json::parse(entry["response_body"].get<std::string>())["id"], created.json()["id"]);
  EXPECT_EQ(one.body.find(std::string(acme_token)), std::string::npos);
  EXPECT_EQ(one.body.find("s3cret-pass"), std::string::npos);
  EXPECT_EQ(one.header("cache-control"), "no-store");
  EXPECT_EQ(one.header("x-content-type-options"), "nosniff");
  EXPECT_TRUE(is_scim_error(admin.get("requests/999999"), 404));
}

TEST_F(Inspector, entraDialectIsNotedAndNamesTheClient) {
  const std::string id = create_user_id(unique("entra"));
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(admin.del("requests").status, 204);
  auto r = scim.patch("Users/" + id, make_patch(json::array({patch_op("Replace", "active", json("False"))})),
                      {{"user-agent", std::nullopt}});
  ASSERT_EQ(r.status, 200) << r;
  auto reactivated = scim.patch("Users/" + id, make_patch(json::array({patch_op("replace", "active", json(true))})));
  ASSERT_EQ(reactivated.status, 200) << reactivated;

  const json list = requests(admin);
  ASSERT_EQ(list.size(), 2u);
  const json& suspend = list[0];
  EXPECT_EQ(suspend["client"], "entra");
  EXPECT_TRUE(has_note(suspend, "accepted Entra's string \"False\" for active")) << suspend.dump();
  EXPECT_TRUE(has_note(suspend, "op \"Replace\" (Entra's capitalised form) accepted")) << suspend.dump();
  EXPECT_TRUE(has_note(suspend, "suspended: login hashed to ")) << suspend.dump();
  EXPECT_NE(std::find(suspend["events"].begin(), suspend["events"].end(), "user.suspend"), suspend["events"].end());
  EXPECT_TRUE(has_note(list[1], "reactivated: login restored to ")) << list[1].dump();
  EXPECT_EQ(list[1]["client"], "unknown");
}

TEST_F(Inspector, refusedRequestsAreCapturedWithWhy) {
  ASSERT_EQ(admin.del("requests").status, 204);
  client stranger = as("not-a-token");
  ASSERT_EQ(stranger.get("Users").status, 401);
  ASSERT_EQ(scim.get("Users/" + random_uuid()).status, 404);
  const json list = requests(admin, "status=4xx&limit=1000");
  ASSERT_EQ(list.size(), 2u) << list.dump();
  EXPECT_EQ(list[0]["status"], 401);
  EXPECT_EQ(list[1]["status"], 404);
  EXPECT_EQ(requests(admin, "status=401").size(), 1u);
  EXPECT_EQ(requests(admin, "method=get&path_prefix=/scim/v2/enterprises/acme/Users/").size(), 1u);
  EXPECT_TRUE(is_scim_error(admin.get("requests?status=abc"), 400, "invalidValue"));
  EXPECT_TRUE(is_scim_error(admin.get("requests?client=netscape"), 400, "invalidValue"));
}

TEST_F(Inspector, clearEmptiesTheRingAndIdsGoOn) {
  ASSERT_EQ(scim.get("Users").status, 200);
  const long last = last_id(admin);
  ASSERT_EQ(admin.del("requests").status, 204);
  EXPECT_TRUE(requests(admin).empty());
  ASSERT_EQ(scim.get("Users").status, 200);
  const json after = requests(admin);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_GT(after[0]["id"].get<long>(), last);
}

TEST_F(Inspector, captureCanBePausedAndResumedKeepingWhatItHolds) {
  auto state = admin.get("requests/capture");
  ASSERT_EQ(state.status, 200) << state;
  EXPECT_EQ(state.json()["enabled"], true);
  EXPECT_GT(state.json()["capacity"].get<long>(), 0);
  ASSERT_EQ(scim.get("Users").status, 200);
  const std::size_t held = requests(admin).size();
  ASSERT_GE(held, 1u);

  auto paused = admin.put("requests/capture", json{{"enabled", false}});
  ASSERT_EQ(paused.status, 200) << paused;
  EXPECT_EQ(paused.json()["enabled"], false);
  ASSERT_EQ(scim.get("Users").status, 200);
  EXPECT_EQ(requests(admin).size(), held) << "nothing captured while paused, nothing dropped";

  ASSERT_EQ(admin.put("requests/capture", json{{"enabled", true}}).status, 200);
  ASSERT_EQ(scim.get("Users").status, 200);
  EXPECT_EQ(requests(admin).size(), held + 1);

  EXPECT_TRUE(is_scim_error(admin.put("requests/capture", json{{"enabled", "no"}}), 400, "invalidValue"));
  EXPECT_TRUE(is_scim_error(admin.put("requests/capture", json{{"enabled", true}, {"x", 1}}), 400));
}

TEST_F(Inspector, routesNeedTheAdminToken) {
  client nobody = as("wrong-token", "/_emuscim/");
  EXPECT_EQ(nobody.get("requests").status, 401);
  EXPECT_EQ(nobody.del("requests").status, 401);
  EXPECT_EQ(nobody.get("requests/stream").status, 401);
  EXPECT_EQ(nobody.get("requests/export?enterprise=acme").status, 401);
  client enterprise = as(std::string(acme_token), "/_emuscim/");
  EXPECT_EQ(enterprise.get("requests").status, 401) << "an enterprise token is not the admin token";
}

// ---------------------------------------------------------------------------------------------
// The live stream

// A raw connection that reads a streamed answer as it comes.
class stream_reader {
 public:
  stream_reader(std::uint16_t port, const std::string& request) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(socket_, asio::buffer(request));
    socket_.non_blocking(true);  // reads below poll, so that a missing event fails in time
  }
  // Reads until `needle` has arrived (true) or `timeout` passed or the server closed (false).
  bool read_until(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (text_.find(needle) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      char buf[4096];
      boost::system::error_code ec;
      const std::size_t n = socket_.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        std::this_thread::sleep_for(10ms);
        continue;
      }
      if (ec) return false;
      text_.append(buf, n);
    }
    return true;
  }
  const std::string& text() const { return text_; }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  std::string text_;
};

std::string stream_request(const std::string& query, const std::string& extra_headers = {}) {
  return "GET /_emuscim/requests/stream" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

TEST_F(Inspector, streamSendsEachCapturedRequestWithItsIdAndResumesAfterLastEventId) {
  ASSERT_EQ(scim.get("Users").status, 200);
  const long start = last_id(admin);

  stream_reader live(server().port(), stream_request("?access_token=" + admin_token));
  ASSERT_TRUE(live.read_until("retry: 1000", 5s)) << live.text();
  EXPECT_NE(live.text().find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(live.text().find("text/event-stream"), std::string::npos);
  EXPECT_NE(live.text().find("no-store"), std::string::npos);
  EXPECT_EQ(live.text().find("event: request"), std::string::npos) << "it starts at the end: only new requests";

  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(scim.get("Users?count=1").status, 200);
  ASSERT_TRUE(live.read_until("id: " + std::to_string(start + 1) + "\nevent: request\ndata: {", 5s)) << live.text();
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 1s) << "a captured request reaches the stream within a second";
  EXPECT_NE(live.text().find("\"query\":\"count=1\""), std::string::npos) << live.text();

  // A reconnecting EventSource sends Last-Event-ID and gets what it missed, without gaps.
  ASSERT_EQ(scim.get("Users?count=2").status, 200);
  ASSERT_EQ(scim.get("Users?count=3").status, 200);
  stream_reader resumed(server().port(),
                        stream_request("", "Authorization: Bearer " + admin_token +
                                               "\r\nLast-Event-ID: " + std::to_string(start + 1) + "\r\n"));
  ASSERT_TRUE(resumed.read_until("id: " + std::to_string(start + 3) + "\n", 5s)) << resumed.text();
  EXPECT_NE(resumed.text().find("id: " + std::to_string(start + 2) + "\n"), std::string::npos);
  EXPECT_EQ(resumed.text().find("id: " + std::to_string(start + 1) + "\n"), std::string::npos);

  // The access token in the query never reaches the log.
  EXPECT_EQ(server().log_text().find(admin_token), std::string::npos);
}

TEST_F(Inspector, streamRefusesAWrongQueryToken) {
  stream_reader refused(server().port(), stream_request("?access_token=nope"));
  ASSERT_TRUE(refused.read_until("\r\n\r\n", 5s));
  EXPECT_NE(refused.text().find("HTTP/1.1 401"), std::string::npos) << refused.text();
  // ?access_token= is the stream's alone.
  client query_only(client_options{.port = server().port(), .token = "", .base = "/_emuscim/"});
  EXPECT_EQ(query_only.get("requests?access_token=" + admin_token, {{"authorization", std::nullopt}}).status, 401);
}

// ---------------------------------------------------------------------------------------------
// The dashboard's files

TEST_F(Inspector, dashboardFilesNeedNoTokenAndCarryAStrictPolicy) {
  client browser(client_options{.port = server().port(), .token = "", .base = "/_emuscim/"});
  const header_map no_auth = {{"authorization", std::nullopt}};
  auto redirect = browser.get("ui", no_auth);
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(redirect.header("location"), "/_emuscim/ui/");
  auto page = browser.get("ui/", no_auth);
  ASSERT_EQ(page.status, 200) << page;
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("<script type=\"module\""), std::string::npos);
  EXPECT_NE(page.header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(page.header("cache-control"), "no-store");
  auto script = browser.get("ui/app.js", no_auth);
  EXPECT_EQ(script.status, 200);
  EXPECT_NE(script.header("content-type").find("text/javascript"), std::string::npos);
  EXPECT_EQ(browser.get("ui/nope.js", no_auth).status, 404);
  EXPECT_EQ(browser.get("ui/..%2fapp.js", no_auth).status, 404);
  EXPECT_EQ(browser.post("ui/", json::object(), no_auth).status, 401) << "only GET is open";
  EXPECT_TRUE(requests(admin, "path_prefix=/_emuscim").empty()) << "the admin family is never captured";
}

TEST(InspectorOff, withoutAnAdminTokenTheDashboardIs404AndCapacityZeroCapturesNothing) {
  server_process server(server_options{});
  client browser(client_options{.port = server.port(), .token = "", .base = "/_emuscim/"});
  EXPECT_EQ(browser.get("ui/", {{"authorization", std::nullopt}}).status, 404);
  EXPECT_EQ(browser.get("requests").status, 404);

  const auto dir = server.dir();
  std::ofstream(dir / "off.json") << R"({"request_log": {"capacity": 0}})";
  server_process off(with_admin({"--config", (dir / "off.json").string()}));
  client scim(off);
  ASSERT_EQ(scim.get("Users").status, 200);
  client admin = admin_client(off);
  EXPECT_TRUE(requests(admin).empty());
  EXPECT_EQ(admin.get("requests/capture").json()["enabled"], false);
  EXPECT_TRUE(is_scim_error(admin.put("requests/capture", json{{"enabled", true}}), 400, "invalidValue"));
}

// ---------------------------------------------------------------------------------------------
// Record and replay

TEST(InspectorExport, anExportedSessionReplaysCleanlyAgainstAFreshServer) {
  server_process recorded(with_admin());
  client entra(recorded);
  const header_map as_entra = {{"user-agent", std::nullopt}, {"accept", std::nullopt}};
  auto user = entra.post("Users", make_user("rec.user@example.com", "ext-rec"), as_entra);
  ASSERT_EQ(user.status, 201) << user;
  const std::string id = user.json()["id"];
  auto group = entra.post("Groups", make_group("Recorded", "grp-rec", {id}));
  ASSERT_EQ(group.status, 201) << group;
  ASSERT_EQ(entra.get(users_filter("userName eq \"rec.user@example.com\"")).status, 200);
  ASSERT_EQ(entra.patch("Users/" + id, make_patch(json::array({patch_op("Replace", "active", json("False"))})),
                        as_entra).status,
            200);
  ASSERT_EQ(entra.post("Users", make_user("rec.user@example.com", "ext-rec-2")).status, 409);
  ASSERT_EQ(entra.del("Groups/" + group.json()["id"].get<std::string>()).status, 204);

  client admin = admin_client(recorded);
  auto exported = admin.get("requests/export?enterprise=acme");
  ASSERT_EQ(exported.status, 200) << exported;
  EXPECT_NE(exported.header("content-disposition").find("emuscim-acme-replay.json"), std::string::npos);
  const json file = exported.json();
  ASSERT_EQ(file["steps"].size(), 6u) << file.dump(2);
  EXPECT_EQ(file["steps"][3]["path"], "Users/${user1}");
  EXPECT_TRUE(is_scim_error(admin.get("requests/export"), 400, "invalidValue"));

  const auto path = recorded.dir() / "session.json";
  std::ofstream(path) << exported.body;
  server_process fresh(with_admin());
  const std::string target = "http://127.0.0.1:" + std::to_string(fresh.port()) + "/scim/v2/enterprises/acme";
  auto played = run_cli({"replay", path.string(), "--target", target, "--token", std::string(acme_token)});
  EXPECT_EQ(played.exit_code, 0) << played;
  EXPECT_NE(played.out.find("6 steps played, 0 differ"), std::string::npos) << played;

  // Against the server it was recorded on, the user already exists: the create differs.
  const std::string again = "http://127.0.0.1:" + std::to_string(recorded.port()) + "/scim/v2/enterprises/acme";
  auto differs = run_cli({"replay", path.string(), "--target", again, "--token", std::string(acme_token),
                          "--report", "json"});
  EXPECT_EQ(differs.exit_code, 1) << differs;
  const auto report = json::parse(differs.out);
  EXPECT_FALSE(report["ok"].get<bool>());
  EXPECT_EQ(report["files"][0]["steps"][0]["differences"][0], "status: expected 201, got 409") << differs.out;
}

}  // namespace
}  // namespace emuscim::test
