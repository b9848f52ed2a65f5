#include "emuscim/replay/player.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "emuscim/replay/builtin.hpp"
#include "emuscim/replay/client.hpp"

namespace emuscim::replay {
namespace {

using namespace std::chrono_literals;

// A scripted server: answers in order, and keeps every request it was sent.
struct fake_server {
  std::deque<exchange_result> answers;
  std::vector<http_request> seen;

  transport send() {
    return [this](const http_request& rq) {
      seen.push_back(rq);
      if (answers.empty()) return exchange_result{http_reply{404, {}, R"({"detail":"unscripted"})"}, {}};
      auto a = std::move(answers.front());
      answers.pop_front();
      return a;
    };
  }
  void reply(unsigned status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    answers.push_back({http_reply{status, std::move(headers), std::move(body)}, {}});
  }
};

player_options options() {
  player_options o;
  o.base_url = "http://127.0.0.1:9";
  o.token = "tkn";
  o.sleep = [](std::chrono::milliseconds) {};
  return o;
}

const ojson kCreateAndPatch = ojson::parse(R"({
  "title": "create then patch",
  "source": {"doc": "test"},
  "steps": [
    {"name": "create", "method": "POST", "path": "Users", "body": {"userName": "mona"},
     "expect": {"status": 201, "json": {"/userName": "mona"}}, "capture": {"user.id": "/id"}},
    {"name": "patch", "method": "PATCH", "path": "Users/${user.id}",
     "headers": {"User-Agent": "Entra", "Accept": null},
     "body": {"Operations": [{"op": "Replace", "path": "active", "value": "${user.id}"}]},
     "expect": {"status": 200, "json": {"/id": "${user.id}", "/active": false}}}
  ]
})");

TEST(Player, rewritesCapturedIdsIntoLaterRequestsAndMatches) {
  fake_server srv;
  srv.reply(201, R"({"id":"abc-123","userName":"mona","meta":{"resourceType":"User"}})");
  srv.reply(200, R"({"id":"abc-123","active":false})");
  srv.reply(204, "");  // cleanup
  auto report = play("t", kCreateAndPatch, options(), srv.send());
  EXPECT_TRUE(report.ok()) << render_text(report);
  ASSERT_EQ(srv.seen.size(), 3u);
  EXPECT_EQ(srv.seen[0].target, "/scim/v2/enterprises/acme/Users");
  EXPECT_EQ(srv.seen[1].target, "/scim/v2/enterprises/acme/Users/abc-123");
  EXPECT_NE(srv.seen[1].body->find(R"("value":"abc-123")"), std::string::npos) << *srv.seen[1].body;
  // Defaults, overridden and removed by the step's headers.
  auto header = [](const http_request& rq, std::string_view name) -> std::string {
    for (const auto& [k, v] : rq.headers) {
      if (k == name) return v;
    }
    return "(absent)";
  };
  EXPECT_EQ(header(srv.seen[0], "Authorization"), "Bearer tkn");
  EXPECT_EQ(header(srv.seen[0], "Content-Type"), "application/scim+json");
  EXPECT_EQ(header(srv.seen[1], "User-Agent"), "Entra");
  EXPECT_EQ(header(srv.seen[1], "Accept"), "(absent)");
  // The user the file created is deleted afterwards.
  EXPECT_EQ(srv.seen[2].method, "DELETE");
  EXPECT_EQ(srv.seen[2].target, "/scim/v2/enterprises/acme/Users/abc-123");
  EXPECT_EQ(report.cleaned_up, 1u);
}

TEST(Player, reportsEachDifferenceAndGoesOn) {
  fake_server srv;
  srv.reply(201, R"({"id":"abc-123","userName":"lisa"})");
  srv.reply(400, R"({"detail":"nope"})");
  auto o = options();
  o.cleanup = false;
  auto report = play("t", kCreateAndPatch, o, srv.send());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.differing(), 2u);
  ASSERT_EQ(report.steps.size(), 2u);
  ASSERT_EQ(report.steps[0].differences.size(), 1u);
  EXPECT_EQ(report.steps[0].differences[0], R"(/userName: expected "mona", got "lisa")");
  EXPECT_EQ(report.steps[1].differences[0], "status: expected 200, got 400");
  const auto text = render_text(report);
  EXPECT_NE(text.find("DIFF t: 2 steps, 2 differ"), std::string::npos) << text;
  EXPECT_NE(text.find("PATCH /scim/v2/enterprises/acme/Users/abc-123"), std::string::npos) << text;
  EXPECT_FALSE(render_json({report})["ok"].get<bool>());
}

TEST(Player, aStepWhoseVariableWasNeverCapturedIsNotPlayed) {
  fake_server srv;
  srv.reply(500, R"({"detail":"boom"})");
  auto o = options();
  o.cleanup = false;
  auto report = play("t", kCreateAndPatch, o, srv.send());
  ASSERT_EQ(report.steps.size(), 2u);
  EXPECT_EQ(srv.seen.size(), 1u) << "the second request could not be built";
  EXPECT_NE(report.steps[1].differences.at(0).find("not played: ${user.id} was not captured"), std::string::npos);
}

TEST(Player, transportErrorsAreDifferencesUnlessExpected) {
  const auto file = ojson::parse(R"({"title": "t", "source": {}, "steps": [
    {"name": "slow", "method": "GET", "path": "Users", "timeout_ms": 50, "expect": {"transport_error": true}},
    {"name": "down", "method": "GET", "path": "/healthz", "expect": {"status": 200}}]})");
  fake_server srv;
  srv.answers.push_back({std::nullopt, "timed out after 50 ms"});
  srv.answers.push_back({std::nullopt, "Connection refused"});
  auto report = play("t", file, options(), srv.send());
  ASSERT_EQ(report.steps.size(), 2u);
  EXPECT_TRUE(report.steps[0].differences.empty());
  EXPECT_EQ(srv.seen[0].timeout, 50ms);
  EXPECT_EQ(report.steps[1].differences.at(0), "no reply: Connection refused");
  EXPECT_EQ(srv.seen[1].target, "/healthz") << "absolute paths stay absolute";
}

TEST(Player, adminStepsNeedTheTargetsAdminToken) {
  const auto file = ojson::parse(R"({"title": "t", "source": {}, "server": {"env": {"EMUSCIM_ADMIN_TOKEN": "fixture-admin"}},
    "steps": [{"name": "users", "method": "GET", "path": "/_emuscim/enterprises/acme/users",
               "headers": {"Authorization": "Bearer fixture-admin"}, "expect": {"status": 200}}]})");
  fake_server srv;
  auto skipped = play("t", file, options(), srv.send());
  ASSERT_TRUE(skipped.skipped.has_value());
  EXPECT_TRUE(srv.seen.empty());
  EXPECT_FALSE(all_ok({skipped})) << "nothing played is not a pass";

  auto o = options();
  o.admin_token = "real-admin";
  srv.reply(200, "{}");
  auto played = play("t", file, o, srv.send());
  EXPECT_TRUE(played.ok()) << render_text(played);
  ASSERT_EQ(srv.seen.size(), 1u);
  EXPECT_EQ(srv.seen[0].headers.at(0).second, "Bearer real-admin");
}

TEST(Player, retriesUntilTheExpectationHolds) {
  const auto file = ojson::parse(R"({"title": "t", "source": {}, "steps": [
    {"name": "eventually", "method": "GET", "path": "Users", "retry_ms": 60000,
     "expect": {"status": 200, "json": {"/totalResults": 1}}}]})");
  fake_server srv;
  srv.reply(200, R"({"totalResults":0})");
  srv.reply(200, R"({"totalResults":1})");
  auto report = play("t", file, options(), srv.send());
  EXPECT_TRUE(report.ok()) << render_text(report);
  EXPECT_EQ(srv.seen.size(), 2u);
}

TEST(Player, brokenFilesAreReportedNotThrown) {
  fake_server srv;
  for (const char* text : {R"({"title": "t", "steps": []})", R"({"title": "t", "steps": [{"name": "x", "bogus": 1}]})",
                           R"({"title": "t", "unknown": 1, "steps": [{"name": "x"}]})"}) {
    auto report = play("t", ojson::parse(text), options(), srv.send());
    EXPECT_FALSE(report.ok()) << text;
    ASSERT_FALSE(report.steps.empty()) << text;
    EXPECT_NE(report.steps.back().differences.at(0).find("broken"), std::string::npos) << text;
  }
}

struct match_case {
  const char* expected;
  const char* actual;
  bool ok;
};

TEST(Matcher, operatorsAndStructures) {
  const match_case cases[] = {
      {R"("a")", R"("a")", true},
      {R"(1)", R"(1.0)", true},
      {R"({"a": 1})", R"({"a": 1, "b": 2})", true},
      {R"({"a": 1, "c": 3})", R"({"a": 1})", false},
      {R"([1, 2])", R"([1, 2, 3])", false},
      {R"({"$type": "string"})", R"("x")", true},
      {R"({"$type": "integer"})", R"("x")", false},
      {R"({"$match": "^ab+$"})", R"("abbb")", true},
      {R"({"$match": "^ab+$"})", R"("xab")", false},
      {R"({"$size": 2})", R"([0, 0])", true},
      {R"({"$contains": {"v": 1}})", R"([{"v": 2}, {"v": 1, "w": 0}])", true},
      {R"({"$notContains": 1})", R"([1])", false},
      {R"({"$ne": null})", R"(0)", true},
      {R"({"$ieq": "MiXed"})", R"("mixed")", true},
      {R"({"$anyOf": [1, "1"]})", R"("1")", true},
      {R"({"$all": [{"$type": "string"}, {"$match": "a.*"}]})", R"("abc")", true},
      {R"(true)", R"("true")", false},
  };
  for (const auto& c : cases) {
    std::string why;
    EXPECT_EQ(matches(ojson::parse(c.expected), ojson::parse(c.actual), why), c.ok)
        << c.expected << " vs " << c.actual << ": " << why;
    if (!c.ok) {
      EXPECT_FALSE(why.empty());
    }
  }
}

TEST(TargetUrl, parsesTenantUrlsAndOrigins) {
  auto t = parse_target_url("https://scim.example.com:8443/scim/v2/enterprises/acme/");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->host, "scim.example.com");
  EXPECT_EQ(t->port, "8443");
  EXPECT_EQ(t->path, "/scim/v2/enterprises/acme");
  EXPECT_EQ(t->origin(), "https://scim.example.com:8443");
  auto plain = parse_target_url("http://127.0.0.1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->path, "");
  EXPECT_EQ(plain->origin(), "http://127.0.0.1");
  auto v6 = parse_target_url("http://[::1]:8080/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->origin(), "http://[::1]:8080");
  for (const char* bad : {"ftp://x", "http://", "http://:80", "http://h:port", "http://u@h/", "http://h/?q=1"}) {
    EXPECT_FALSE(parse_target_url(bad)) << bad;
  }
}

TEST(Builtin, everyShippedFixtureIsACycleFile) {
  const auto files = builtin_files();
  ASSERT_GE(files.size(), 20u);
  const auto cycles = builtin_cycles();
  for (const char* name : {"entra", "entra-quirks", "entra-roles", "okta", "pingfederate"}) {
    EXPECT_NE(std::find(cycles.begin(), cycles.end(), name), cycles.end()) << name;
    EXPECT_FALSE(builtin_cycle(name).empty()) << name;
  }
  EXPECT_EQ(builtin_cycle("entra/01_user_lifecycle").size(), 1u);
  EXPECT_TRUE(builtin_cycle("entr").empty()) << "a prefix is not a cycle";
  for (const auto& f : files) {
    auto doc = ojson::parse(f.text, nullptr, false);
    EXPECT_TRUE(doc.is_object() && doc.contains("steps")) << f.name;
  }
}

}  // namespace
}  // namespace emuscim::replay
