// Routing and HTTP-level behaviour: 404/405, media types, optional headers, keep-alive, and
// the per-request log. github-emu-scim.md §2, §3; STYLE.md "Never log tokens".

#include <cctype>
#include <chrono>
#include <cstdio>
#include <regex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class Protocol : public e2e_suite {};

// --- routes ---------------------------------------------------------------------------------------

class ProtocolNotFound : public Protocol, public ::testing::WithParamInterface<std::string> {};

TEST_P(ProtocolNotFound, is404WithJsonBody) {
  auto r = scim.get(GetParam());
  EXPECT_TRUE(is_scim_error(r, 404)) << "GET " << GetParam();
  EXPECT_TRUE(has_scim_content_type(r)) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    E2e, ProtocolNotFound,
    ::testing::Values(
        // unknown routes under a known enterprise
        "Foo", "Users/0/extra", "Groups/0/members", "Bulk", "Me", ".search", "Users/.search",
        // paths are case-sensitive (§2): lower-case users/groups are not routes
        "users", "groups", "USERS", "users/0",
        // no discovery endpoints (§2)
        "ServiceProviderConfig", "Schemas", "ResourceTypes", "/scim/v2/ServiceProviderConfig", "/scim/v2/Schemas",
        "/scim/v2/ResourceTypes",
        // no enterprise segment / unknown enterprise
        "/scim/v2/Users", "/scim/v2/Groups", "/scim/v2/enterprises/no-such-enterprise/Users", "/scim/v2/enterprises/",
        "/scim/v2/enterprises/acme"));

TEST_F(Protocol, lowerCaseUsersIs404ForWritesToo) {
  auto name = unique("proto.lc");
  EXPECT_TRUE(is_scim_error(scim.post("users", make_user(name, "ext-" + name)), 404));
  EXPECT_EQ(scim.get(users_filter("userName eq \"" + name + "\"")).json()["totalResults"], 0);
}

struct method_case {
  const char* method;
  const char* target;  // "{id}" is replaced with a real user/group id
};
// Readable test names in ctest and failure messages.
void PrintTo(const method_case& p, std::ostream* os) { *os << p.method << " " << p.target; }

class ProtocolWrongMethod : public Protocol, public ::testing::WithParamInterface<method_case> {};

TEST_P(ProtocolWrongMethod, is405) {
  std::string target = GetParam().target;
  if (auto pos = target.find("{id}"); pos != std::string::npos) {
    std::string id;
    if (target.starts_with("Users")) {
      id = create_user_id(unique("proto.m"));
    } else {
      auto g = create_group(make_group(unique("Method Group"), std::nullopt));
      id = g.is_object() ? g.value("id", "") : "";
    }
    ASSERT_FALSE(id.empty());
    target.replace(pos, 4, id);
  }
  const bool with_body = std::string_view(GetParam().method) != "DELETE" && std::string_view(GetParam().method) != "GET";
  auto r = with_body ? scim.request(GetParam().method, target, json::object()) : scim.request(GetParam().method, target);
  EXPECT_TRUE(is_scim_error(r, 405)) << GetParam().method << " " << target;
}

INSTANTIATE_TEST_SUITE_P(E2e, ProtocolWrongMethod,
                         ::testing::Values(method_case{"PUT", "Users"}, method_case{"PATCH", "Users"},
                                           method_case{"DELETE", "Users"}, method_case{"POST", "Users/{id}"},
                                           method_case{"PUT", "Groups"}, method_case{"PATCH", "Groups"},
                                           method_case{"DELETE", "Groups"}, method_case{"POST", "Groups/{id}"}),
                         [](const ::testing::TestParamInfo<method_case>& tpi) {
                           std::string n = std::string(tpi.param.method) + "_" + tpi.param.target;
                           std::string out;
                           for (char c : n) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
                           return out;
                         });

// --- media types and optional headers -------------------------------------------------------------

class ProtocolContentType : public Protocol, public ::testing::WithParamInterface<std::string> {};

TEST_P(ProtocolContentType, requestContentTypeIsAccepted) {
  // §3: application/json and application/scim+json, with any parameters; never 415.
  const header_map h = {{"content-type", GetParam()}};
  auto name = unique("ct");
  auto r = scim.post("Users", make_user(name, "ext-" + name), h);
  ASSERT_EQ(r.status, 201) << "Content-Type: " << GetParam() << " -> " << r;
  const std::string id = r.json()["id"];
  auto p = scim.patch("Users/" + id, make_patch({patch_op("replace", "displayName", "CT")}), h);
  EXPECT_EQ(p.status, 200) << "Content-Type: " << GetParam() << " -> " << p;
  auto g = scim.post("Groups", make_group(unique("CT Group"), std::nullopt), h);
  EXPECT_EQ(g.status, 201) << "Content-Type: " << GetParam() << " -> " << g;
}

INSTANTIATE_TEST_SUITE_P(E2e, ProtocolContentType,
                         ::testing::Values("application/json", "application/scim+json",
                                           "application/scim+json; charset=utf-8", "application/json; charset=utf-8",
                                           "application/json;charset=UTF-8", "Application/SCIM+JSON; Charset=\"utf-8\""));

TEST_F(Protocol, missingContentTypeIsAccepted) {
  // §3: "Accept both, with any parameters, or none; never 415."
  auto name = unique("proto.noct");
  auto r = scim.post("Users", make_user(name, "ext-" + name), {{"content-type", std::nullopt}});
  EXPECT_EQ(r.status, 201) << r;
}

TEST_F(Protocol, anyAcceptIsAcceptedNever406) {
  for (const std::string_view accept : {"application/vnd.github+json", "application/json", "application/scim+json", "*/*",
                                   "text/html", "application/xml"}) {
    auto r = scim.get("Users?count=1", {{"accept", std::string(accept)}});
    EXPECT_TRUE(is_list_response(r)) << "Accept: " << accept;
    EXPECT_TRUE(has_scim_content_type(r)) << "Accept: " << accept;
  }
}

TEST_F(Protocol, missingAcceptAndUserAgentAreAccepted) {
  // §3 Choice: missing User-Agent is accepted by default (IdPs omit it).
  const header_map bare = {{"accept", std::nullopt}, {"user-agent", std::nullopt}};
  auto name = unique("proto.bare");
  auto r = scim.post("Users", make_user(name, "ext-" + name), bare);
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(scim.get("Users/" + r.json()["id"].get<std::string>(), bare).status, 200);
  EXPECT_TRUE(is_list_response(scim.get("Users", bare)));
}

TEST_F(Protocol, oktaUserAgentAndGithubApiVersionAreFine) {
  const header_map h = {{"user-agent", "Okta SCIM Client 1.0.0"}, {"x-github-api-version", "2022-11-28"}};
  EXPECT_TRUE(is_list_response(scim.get("Users", h)));
  EXPECT_TRUE(is_list_response(scim.get("Users", {{"x-github-api-version", "2026-03-10"}})));
}

TEST_F(Protocol, everyResponseWithABodyIsScimJsonUtf8) {
  auto name = unique("proto.ct");
  auto created = scim.post("Users", make_user(name, "ext-" + name));
  ASSERT_EQ(created.status, 201) << created;
  const std::string id = created.json()["id"];
  const std::vector<std::pair<std::string, reply>> replies = {
      {"201 POST", created},
      {"200 GET", scim.get("Users/" + id)},
      {"200 list", scim.get("Users")},
      {"200 PATCH", scim.patch("Users/" + id, make_patch({patch_op("replace", "displayName", "x")}))},
      {"200 PUT", scim.put("Users/" + id, make_user(name, "ext-" + name))},
      {"400", scim.post("Users", raw_body{"{"})},
      {"401", scim.get("Users", {{"authorization", std::nullopt}})},
      {"404", scim.get("Users/" + random_uuid())},
      {"404 route", scim.get("Nope")},
      {"409", scim.post("Users", make_user(name, "ext-" + name))},
  };
  for (const auto& [what, r] : replies) {
    EXPECT_TRUE(has_scim_content_type(r)) << what;
    EXPECT_TRUE(r.try_json()) << what << ": body is not JSON: " << r;
  }
}

TEST_F(Protocol, keepAliveServesSeveralRequestsOnOneConnection) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(scim.get("Users?count=1").status, 200);
  EXPECT_EQ(scim.connect_count(), 1u) << "HTTP/1.1 keep-alive: one TCP connection for five requests";
}

// --- request log ----------------------------------------------------------------------------------

TEST_F(Protocol, logsOneLinePerRequestWithMethodPathStatusAndDuration) {
  const std::string id = random_uuid();
  const std::string path = std::string(acme_base) + "Users/" + id;
  constexpr int kRequests = 3;
  for (int i = 0; i < kRequests; ++i) ASSERT_EQ(scim.get(path).status, 404);

  // Logs may be flushed asynchronously: wait for the last line (and a bit for any extra one).
  auto lines = wait_for_log_lines(server(), id, kRequests, std::chrono::seconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  lines = lines_containing(server().log_text(), id);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kRequests)) << "one line per request:\n" << server().log_tail(20);
  const std::regex duration(R"((\d+(\.\d+)?\s*(ns|us|µs|ms|s)\b)|((duration|elapsed|took|latency|time)\D{0,5}\d))",
                            std::regex::icase);
  for (const auto& line : lines) {
    EXPECT_TRUE(has_word(line, "GET")) << "method: " << line;
    EXPECT_NE(line.find(path), std::string::npos) << "path: " << line;
    EXPECT_TRUE(has_word(line, "404")) << "status: " << line;
    EXPECT_TRUE(std::regex_search(line, duration)) << "duration: " << line;
  }
}

TEST_F(Protocol, logsWritesWithTheirStatus) {
  auto name = unique("proto.log");
  auto r = scim.post("Users", make_user(name, "ext-" + name));
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  ASSERT_EQ(scim.del("Users/" + id).status, 204);
  wait_for_log_lines(server(), "Users/" + id, 1, std::chrono::seconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto lines = lines_containing(server().log_text(), std::string(acme_base) + "Users/" + id);
  ASSERT_EQ(lines.size(), 1u) << server().log_tail(20);
  EXPECT_TRUE(has_word(lines[0], "DELETE")) << lines[0];
  EXPECT_TRUE(has_word(lines[0], "204")) << lines[0];
}

// Every way a token reaches the server, under several log configurations; the token (or its
// secret tail) must never appear in the log.
class ProtocolTokenNotLogged : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(ProtocolTokenNotLogged, tokensNeverAppearInTheLog) {
  server_process srv({.extra_args = GetParam()});
  client c(srv);
  const std::string wrong = "emu_wrongtoken_ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210";
  auto name = unique("tok");
  EXPECT_EQ(c.post("Users", make_user(name, "ext-" + name)).status, 201);
  c.post("Users", make_user(name, "ext-" + name));  // 409
  c.post("Users", raw_body{"{"});                    // 400
  c.get("Users/" + random_uuid());                   // 404
  c.get(users_filter("userName eq \"" + name + "\""));
  c.get("Users", {{"authorization", "token " + std::string(acme_token)}});
  c.get("Users", {{"authorization", "Bearer " + wrong}});  // 401
  c.get("Users", {{"authorization", "token " + wrong}});   // 401
  c.get("Users", {{"authorization", wrong}});              // 401, no scheme
  c.get("/scim/v2/enterprises/no-such/Users");             // 404
  c.close();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the log catch up
  const auto log = srv.log_text();
  ASSERT_FALSE(log.empty());
  const std::string secret_tail = std::string(acme_token).substr(std::string(acme_token).size() - 26);
  EXPECT_EQ(log.find(acme_token), std::string::npos) << "the acme token is in the log";
  EXPECT_EQ(log.find(secret_tail), std::string::npos) << "the acme token's secret part is in the log";
  EXPECT_EQ(log.find(wrong), std::string::npos) << "a rejected token is in the log";
  EXPECT_EQ(log.find("ZYXWVUTSRQPONMLKJIHGFEDCBA"), std::string::npos) << "a rejected token's secret part is in the log";
  if (::testing::Test::HasFailure()) std::fprintf(stderr, "--- log ---\n%s\n", log.c_str());
}

std::string log_config_name(const ::testing::TestParamInfo<std::vector<std::string>>& tpi) {
  static const char* const names[] = {"defaults", "traceLevel", "jsonFormat", "debugJson"};
  return names[tpi.index];
}

INSTANTIATE_TEST_SUITE_P(E2e, ProtocolTokenNotLogged,
                         ::testing::Values(std::vector<std::string>{}, std::vector<std::string>{"--log-level", "trace"},
                                           std::vector<std::string>{"--log-format", "json"},
                                           std::vector<std::string>{"--log-level", "debug", "--log-format", "json"}),
                         log_config_name);

}  // namespace
}  // namespace emuscim::test
