#include "emuscim/http/request_log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace emuscim::http {
namespace {

using nlohmann::json;

captured make(std::string method, std::string path, unsigned status, std::string enterprise = "acme") {
  captured c;
  c.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564800123));
  c.request_id = "C0DE:1A2B:3C4D5E:6F7A8B:65F1A2B3";
  c.method = std::move(method);
  c.path = std::move(path);
  c.status = status;
  c.duration_ms = 1.23456;
  c.enterprise = std::move(enterprise);
  return c;
}

std::vector<std::uint64_t> ids(const request_page& page) {
  std::vector<std::uint64_t> out;
  for (const auto& e : page.requests) out.push_back(e->id());
  return out;
}

request_query since(std::uint64_t id, std::size_t limit = 100) {
  request_query q;
  q.since_id = id;
  q.limit = limit;
  return q;
}

std::string header_value(const header_list& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

// ---------------------------------------------------------------------------------------------
// Capacity, ids, eviction, paging

TEST(RequestLog, keepsTheNewestCapacityEntriesAndNumbersThemFromOne) {
  request_log log(3, 1024);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(log.capture(make("GET", "/scim/v2/enterprises/acme/Users", 200)), i + 1u);
  EXPECT_EQ(log.last_id(), 5u);
  EXPECT_EQ(log.size(), 3u);
  EXPECT_EQ(log.get(1), nullptr);
  EXPECT_EQ(log.get(2), nullptr);
  ASSERT_NE(log.get(3), nullptr);
  EXPECT_EQ(log.get(3)->id(), 3u);
  EXPECT_EQ(log.get(5)->id(), 5u);
  EXPECT_EQ(log.get(6), nullptr);
  EXPECT_EQ(log.get(0), nullptr);

  auto page = log.list(since(0));
  EXPECT_EQ(ids(page), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(page.missed, 2u);
  EXPECT_EQ(page.next_since_id, 5u);
}

TEST(RequestLog, anEvictedEntryStaysValidForAReaderThatHoldsIt) {
  request_log log(1, 1024);
  log.capture(make("POST", "/scim/v2/enterprises/acme/Users", 201));
  auto first = log.get(1);
  log.capture(make("GET", "/scim/v2/enterprises/acme/Users", 200));
  EXPECT_EQ(log.get(1), nullptr);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->data().method, "POST");
}

TEST(RequestLog, sinceIdPagesContinueAcrossEviction) {
  request_log log(4, 1024);
  for (int i = 0; i < 3; ++i) log.capture(make("GET", "/p", 200));

  auto page = log.list(since(0, 2));
  EXPECT_EQ(ids(page), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(page.next_since_id, 2u);
  EXPECT_EQ(page.missed, 0u);

  for (int i = 0; i < 4; ++i) log.capture(make("GET", "/p", 200));  // ids 4..7 evict 1..3
  page = log.list(since(page.next_since_id));
  EXPECT_EQ(ids(page), (std::vector<std::uint64_t>{4, 5, 6, 7}));
  EXPECT_EQ(page.missed, 1u) << "id 3 was evicted before it was read";
  EXPECT_EQ(page.next_since_id, 7u);

  page = log.list(since(7));
  EXPECT_TRUE(page.requests.empty());
  EXPECT_EQ(page.next_since_id, 7u);
  EXPECT_EQ(page.missed, 0u);
}

TEST(RequestLog, aSinceIdAboveTheNewestIdStartsOver) {
  request_log log(10, 1024);
  log.capture(make("GET", "/p", 200));
  log.capture(make("GET", "/p", 200));
  auto page = log.list(since(900));  // an EventSource that saw an earlier run of the server
  EXPECT_EQ(ids(page), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(page.next_since_id, 2u);
}

TEST(RequestLog, clearDropsEverythingAndIdsGoOn) {
  request_log log(10, 1024);
  log.capture(make("GET", "/p", 200));
  log.capture(make("GET", "/p", 200));
  log.clear();
  EXPECT_EQ(log.size(), 0u);
  EXPECT_EQ(log.get(1), nullptr);
  EXPECT_EQ(log.last_id(), 2u);
  auto page = log.list(since(0));
  EXPECT_TRUE(page.requests.empty());
  EXPECT_EQ(page.missed, 2u);
  EXPECT_EQ(page.next_since_id, 2u);
  EXPECT_EQ(log.capture(make("GET", "/p", 200)), 3u);
  EXPECT_EQ(ids(log.list(since(2))), (std::vector<std::uint64_t>{3}));
}

TEST(RequestLog, capacityZeroKeepsNothing) {
  request_log log(0, 1024);
  EXPECT_FALSE(log.enabled());
  EXPECT_EQ(log.capture(make("GET", "/p", 200)), 0u);
  EXPECT_EQ(log.last_id(), 0u);
  EXPECT_EQ(log.size(), 0u);
  EXPECT_EQ(log.get(1), nullptr);
  auto page = log.list(since(0));
  EXPECT_TRUE(page.requests.empty());
  EXPECT_EQ(page.next_since_id, 0u);
  log.clear();
}

// ---------------------------------------------------------------------------------------------
// Filters

TEST(RequestLog, everyFilterSelectsWhatItNames) {
  request_log log(100, 1024);
  auto add = [&](std::string method, std::string path, unsigned status, std::string ent, std::string org,
                 std::string ua) {
    auto c = make(std::move(method), std::move(path), status, std::move(ent));
    c.org = std::move(org);
    c.user_agent = std::move(ua);
    return log.capture(std::move(c));
  };
  add("GET", "/scim/v2/enterprises/acme/Users", 200, "acme", "", "Okta SCIM Client 1.0.0");                 // 1
  add("POST", "/scim/v2/enterprises/acme/Users", 201, "acme", "", "Microsoft Azure AD SCIM provisioning");  // 2
  add("PATCH", "/scim/v2/enterprises/acme/Groups/g1", 400, "acme", "", "Okta SCIM Client 1.0.0");           // 3
  add("GET", "/scim/v2/enterprises/globex/Users", 404, "globex", "", "curl/8.0");                           // 4
  add("GET", "/orgs/octo/teams", 200, "", "octo", "octokit-rest.js/20.0.2");                                // 5
  add("DELETE", "/scim/v2/enterprises/acme/Users/u1", 503, "acme", "", "Apache-HttpClient/4.5.13 (Java/11)");  // 6
  add("GET", "/scim/v2/organizations/octo/Users", 429, "", "octo", "");                                     // 7

  struct row {
    const char* name;
    request_query q;
    std::vector<std::uint64_t> want;
  };
  auto q = [](auto set) {
    request_query r;
    set(r);
    return r;
  };
  const std::vector<row> rows = {
      {"none", {}, {1, 2, 3, 4, 5, 6, 7}},
      {"enterprise", q([](request_query& r) { r.enterprise = "acme"; }), {1, 2, 3, 6}},
      {"enterprise is exact", q([](request_query& r) { r.enterprise = "ACME"; }), {}},
      {"org", q([](request_query& r) { r.org = "octo"; }), {5, 7}},
      {"status exact", q([](request_query& r) { r.status = "200"; }), {1, 5}},
      {"status class", q([](request_query& r) { r.status = "4xx"; }), {3, 4, 7}},
      {"status class upper case", q([](request_query& r) { r.status = "5XX"; }), {6}},
      {"status 2xx", q([](request_query& r) { r.status = "2xx"; }), {1, 2, 5}},
      {"method any case", q([](request_query& r) { r.method = "get"; }), {1, 4, 5, 7}},
      {"client okta", q([](request_query& r) { r.client = client_kind::okta; }), {1, 3}},
      {"client entra", q([](request_query& r) { r.client = client_kind::entra; }), {2}},
      {"client ping", q([](request_query& r) { r.client = client_kind::ping; }), {6}},
      {"client octokit", q([](request_query& r) { r.client = client_kind::octokit; }), {5}},
      {"client unknown", q([](request_query& r) { r.client = client_kind::unknown; }), {4, 7}},
      {"path prefix", q([](request_query& r) { r.path_prefix = "/scim/v2/enterprises/acme/Users"; }), {1, 2, 6}},
      {"path prefix is case-sensitive", q([](request_query& r) { r.path_prefix = "/scim/v2/enterprises/acme/users"; }),
       {}},
      {"combined", q([](request_query& r) {
         r.enterprise = "acme";
         r.method = "GET";
         r.status = "2xx";
       }),
       {1}},
      {"since_id with a filter", q([](request_query& r) {
         r.since_id = 3;
         r.method = "GET";
       }),
       {4, 5, 7}},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(ids(log.list(r.q)), r.want) << r.name;
  }
}

TEST(RequestLog, aFilteredPollMovesPastWhatItExamined) {
  request_log log(100, 1024);
  for (unsigned s : {200u, 404u, 200u, 200u, 500u, 200u}) log.capture(make("GET", "/p", s));
  request_query q;
  q.status = "2xx";
  q.limit = 2;
  auto page = log.list(q);
  EXPECT_EQ(ids(page), (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(page.next_since_id, 3u) << "a full page continues after its last entry";
  q.since_id = page.next_since_id;
  q.limit = 10;
  page = log.list(q);
  EXPECT_EQ(ids(page), (std::vector<std::uint64_t>{4, 6}));
  EXPECT_EQ(page.next_since_id, 6u);
  q.status = "404";
  q.since_id = 4;
  page = log.list(q);
  EXPECT_TRUE(page.requests.empty());
  EXPECT_EQ(page.next_since_id, 6u) << "entries 5 and 6 were examined and need not be looked at again";
}

TEST(RequestLog, parseRequestQueryReadsEveryParameterAndRefusesBadValues) {
  auto parsed = parse_request_query(parse_target(
      "/_emuscim/requests?enterprise=acme&org=octo&status=4xx&method=PATCH&client=entra&path_prefix=%2Fscim%2Fv2"
      "&since_id=42&limit=7"));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().detail;
  EXPECT_EQ(parsed->enterprise, "acme");
  EXPECT_EQ(parsed->org, "octo");
  EXPECT_EQ(parsed->status, "4xx");
  EXPECT_EQ(parsed->method, "PATCH");
  EXPECT_EQ(parsed->client, client_kind::entra);
  EXPECT_EQ(parsed->path_prefix, "/scim/v2");
  EXPECT_EQ(parsed->since_id, 42u);
  EXPECT_EQ(parsed->limit, 7u);

  auto defaults = parse_request_query(parse_target("/_emuscim/requests?status=&client="));
  ASSERT_TRUE(defaults.has_value());
  EXPECT_FALSE(defaults->status);
  EXPECT_FALSE(defaults->client);
  EXPECT_EQ(defaults->since_id, 0u);
  EXPECT_EQ(defaults->limit, 100u);

  struct row {
    const char* query;
    const char* parameter;
  };
  for (const auto& r : {row{"status=4", "'status'"}, row{"status=600", "'status'"}, row{"status=4x1", "'status'"},
                        row{"status=abc", "'status'"}, row{"client=azure", "'client'"}, row{"client=Okta", "'client'"},
                        row{"since_id=-1", "'since_id'"}, row{"since_id=1x", "'since_id'"},
                        row{"limit=0", "'limit'"}, row{"limit=1001", "'limit'"}, row{"limit=ten", "'limit'"}}) {
    auto bad = parse_request_query(parse_target(std::string("/_emuscim/requests?") + r.query));
    ASSERT_FALSE(bad.has_value()) << r.query;
    EXPECT_EQ(bad.error().status, 400) << r.query;
    EXPECT_EQ(bad.error().scim_type, "invalidValue") << r.query;
    EXPECT_NE(bad.error().detail.find(r.parameter), std::string::npos) << bad.error().detail;
  }
}

// ---------------------------------------------------------------------------------------------
// Secrets and truncation

TEST(RequestLog, credentialHeadersAndQueryTokensAreMasked) {
  request_log log(10, 1024);
  auto c = make("GET", "/scim/v2/enterprises/acme/Users", 200);
  c.query = "filter=userName%20eq%20%22x%22&access_token=emu_secret1&Access_Token=emu_secret2";
  c.request_headers = {{"Host", "127.0.0.1"},
                       {"authorization", "Bearer emu_secret3"},
                       {"Proxy-Authorization", "Basic c2VjcmV0"},
                       {"Cookie", "session=emu_secret4"},
                       {"X-Other", "kept"}};
  c.response_headers = {{"Set-Cookie", "a=emu_secret5"}, {"x-github-request-id", "C0DE"}};
  const auto id = log.capture(std::move(c));
  const auto e = log.get(id);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(header_value(e->data().request_headers, "authorization"), "Bearer ***");
  EXPECT_EQ(header_value(e->data().request_headers, "Proxy-Authorization"), "Basic ***");
  EXPECT_EQ(header_value(e->data().request_headers, "Cookie"), "***");
  EXPECT_EQ(header_value(e->data().request_headers, "X-Other"), "kept");
  EXPECT_EQ(header_value(e->data().response_headers, "Set-Cookie"), "***");
  EXPECT_EQ(e->data().query, "filter=userName%20eq%20%22x%22&access_token=***&Access_Token=***");
  const std::string rendered = dump_json(to_json(*e, true));
  EXPECT_EQ(rendered.find("emu_secret"), std::string::npos) << rendered;
}

TEST(RequestLog, authorizationKeepsItsSchemeOnly) {
  struct row {
    std::string in, out;
  };
  for (const auto& r : {row{"Bearer abc", "Bearer ***"}, row{"token abc", "token ***"}, row{"  bearer   abc ", "bearer ***"},
                        row{"abc", "***"}, row{"", "***"}}) {
    request_log log(1, 1024);
    auto c = make("GET", "/p", 200);
    c.request_headers = {{"Authorization", r.in}};
    log.capture(std::move(c));
    EXPECT_EQ(header_value(log.get(1)->data().request_headers, "Authorization"), r.out) << r.in;
  }
}

TEST(RequestLog, secretJsonMembersAreMaskedAndTheRestKeptVerbatim) {
  struct row {
    const char* name;
    std::string in, out;
  };
  const std::vector<row> rows = {
      {"top level", R"({"token":"emu_abc","scopes":["x"]})", R"({"token":"***","scopes":["x"]})"},
      {"nested, any case, blanks kept", "{\"a\": {\"Token\" :  \"emu_abc\"},\n \"b\":1}",
       "{\"a\": {\"Token\" :  \"***\"},\n \"b\":1}"},
      {"password and access_token", R"({"userName":"m","password":"1mz050nq","access_token":"t"})",
       R"({"userName":"m","password":"***","access_token":"***"})"},
      {"escaped quotes inside the value", R"({"token":"a\"b\\","x":"y"})", R"({"token":"***","x":"y"})"},
      {"a value that says token is no member", R"({"displayName":"token","note":"password"})",
       R"({"displayName":"token","note":"password"})"},
      {"non-string values are left", R"({"token":null,"password":12})", R"({"token":null,"password":12})"},
      {"several", R"([{"token":"a"},{"token":"b"}])", R"([{"token":"***"},{"token":"***"}])"},
      {"not JSON", "token=abc", "token=abc"},
      {"cut inside the value", R"({"token":"emu_abcdef)", R"({"token":"***)"},
  };
  for (const auto& r : rows) {
    request_log log(1, 1024);
    auto c = make("POST", "/p", 201);
    c.request_body = r.in;
    c.response_body = r.in;
    log.capture(std::move(c));
    EXPECT_EQ(log.get(1)->data().request_body, r.out) << r.name;
    EXPECT_EQ(log.get(1)->data().response_body, r.out) << r.name;
    EXPECT_EQ(log.get(1)->request_body_size(), r.in.size()) << r.name;
    EXPECT_FALSE(log.get(1)->request_body_truncated()) << r.name << ": masking is not truncation";
  }
}

TEST(RequestLog, bodiesAreCutAtTheLimitAndMarked) {
  request_log log(10, 10);
  auto c = make("POST", "/p", 201);
  c.request_body = std::string(100, 'a');
  c.response_body = "short";
  log.capture(std::move(c));
  auto e = log.get(1);
  EXPECT_EQ(e->data().request_body, std::string(10, 'a'));
  EXPECT_TRUE(e->request_body_truncated());
  EXPECT_EQ(e->request_body_size(), 100u);
  EXPECT_EQ(e->data().response_body, "short");
  EXPECT_FALSE(e->response_body_truncated());
  EXPECT_EQ(e->response_body_size(), 5u);

  auto j = to_json(*e, true);
  EXPECT_EQ(j["request_body_truncated"], true);
  EXPECT_EQ(j["request_body_size"], 100);
  EXPECT_EQ(j["response_body_truncated"], false);

  // Exactly at the limit is not truncated.
  auto exact = make("POST", "/p", 201);
  exact.request_body = std::string(10, 'b');
  log.capture(std::move(exact));
  EXPECT_FALSE(log.get(2)->request_body_truncated());
}

TEST(RequestLog, aCutNeverSplitsAUtf8Character) {
  struct row {
    std::string in;
    std::size_t max;
    std::string out;
  };
  // "é" is C3 A9, "€" is E2 82 AC, "😀" is F0 9F 98 80.
  for (const auto& r : {row{"aaaaaaaaa\xc3\xa9", 10, "aaaaaaaaa"}, row{"aaaaaaaa\xe2\x82\xac", 10, "aaaaaaaa"},
                        row{"aaaaaaaaa\xe2\x82\xac", 10, "aaaaaaaaa"}, row{"aaaaaaa\xf0\x9f\x98\x80", 10, "aaaaaaa"},
                        row{"aaaaaa\xf0\x9f\x98\x80", 10, "aaaaaa\xf0\x9f\x98\x80"}, row{"abc", 0, ""}}) {
    request_log log(1, r.max);
    auto c = make("POST", "/p", 201);
    c.request_body = r.in;
    log.capture(std::move(c));
    EXPECT_EQ(log.get(1)->data().request_body, r.out) << r.in;
    EXPECT_EQ(log.get(1)->request_body_truncated(), r.in.size() > r.max) << r.in;
  }
}

// ---------------------------------------------------------------------------------------------
// Client detection

TEST(RequestLog, clientDetectionTable) {
  constexpr std::string_view entra_patch =
      R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"x"}]})";
  constexpr std::string_view entra_string_bool =
      R"({"Operations":[{"op":"replace","path":"active","value": "false"}]})";
  constexpr std::string_view entra_group =
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"displayName":"d"})";
  constexpr std::string_view okta_patch = R"({"Operations":[{"op":"replace","value":{"active":false}}]})";
  constexpr std::string_view user = R"({"userName":"mona","displayName":"Add","title":"Replace","op":"x"})";
  struct row {
    std::string_view ua, query, body;
    client_kind hint;
    client_kind want;
  };
  using enum client_kind;
  const std::vector<row> rows = {
      {"Okta SCIM Client 1.0.0", "", "", unknown, okta},
      {"okta scim client 2.0", "", entra_patch, unknown, okta},  // the User-Agent wins over the dialect
      {"Microsoft Azure AD SCIM provisioning 1.0.0", "", "", unknown, entra},
      {"Azure-AD-Provisioning/1.0", "", "", unknown, entra},
      {"Apache-HttpClient/4.5.13 (Java/11.0.19)", "", "", unknown, ping},
      {"PingFederate/12.0", "", "", unknown, ping},
      {"PingOne", "", "", unknown, ping},
      {"octokit-rest.js/20.0.2 octokit-core.js/5.0.1 Node.js/20", "", "", unknown, octokit},
      {"Octokit Ruby Gem 8.1.0", "", "", unknown, octokit},
      {"curl/8.0.1", "", "", unknown, unknown},
      {"", "", "", unknown, unknown},
      {"", "aadOptscim062020", "", unknown, entra},
      {"", "filter=externalId%20eq%20%22x%22&AADOPTSCIM062020", "", unknown, entra},
      {"", "", entra_patch, unknown, entra},
      {"", "", entra_string_bool, unknown, entra},
      {"", "", entra_group, unknown, entra},
      {"", "", okta_patch, unknown, unknown},
      {"", "", user, unknown, unknown},  // capitalised words as ordinary values are no dialect
      {"curl/8.0.1", "", "", okta, okta},
      {"curl/8.0.1", "", entra_patch, okta, okta},  // the hint wins over the dialect
      {"Okta SCIM Client 1.0.0", "", "", entra, okta},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(detect_client(r.ua, r.query, r.body, r.hint), r.want)
        << "ua=" << r.ua << " query=" << r.query << " body=" << r.body;
  }
}

std::vector<json> spec_requests(const std::string& dir) {
  std::vector<json> out;
  for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(EMUSCIM_SPEC_DIR) / "requests" / dir)) {
    std::ifstream in(f.path());
    json j = json::parse(in);
    j["file"] = f.path().filename().string();
    out.push_back(std::move(j));
  }
  return out;
}

TEST(RequestLog, clientDetectionOnTheSpecRequests) {
  // Okta's fixtures carry its User-Agent; without it, its dialect must not read as Entra's.
  const auto okta = spec_requests("okta");
  ASSERT_FALSE(okta.empty());
  for (const auto& f : okta) {
    const auto& req = f["request"];
    const std::string body = req.contains("body") ? req["body"].dump() : "";
    if (req.contains("headers") && req["headers"].contains("User-Agent")) {
      EXPECT_EQ(detect_client(req["headers"]["User-Agent"].get<std::string>(), "", body), client_kind::okta)
          << f["file"];
    }
    EXPECT_NE(detect_client("", "", body), client_kind::entra) << f["file"];
  }
  // Entra's default (flagless) PATCH dialect is recognised from the body alone.
  int flagless = 0;
  for (const auto& f : spec_requests("entra-quirks")) {
    const std::string file = f["file"];
    if (file.find("without_flag") == std::string::npos) continue;
    ++flagless;
    EXPECT_EQ(detect_client("", "", f["request"]["body"].dump()), client_kind::entra) << file;
  }
  EXPECT_GE(flagless, 4);
}

TEST(RequestLog, entriesDetectTheirClientOnceWithTheHint) {
  request_log log(10, 1024);
  auto c = make("PATCH", "/p", 200);
  c.client_hint = client_kind::okta;
  log.capture(std::move(c));
  auto d = make("PATCH", "/p", 200);
  d.request_body = R"({"Operations":[{"op":"Remove","path":"members"}]})";
  log.capture(std::move(d));
  EXPECT_EQ(log.get(1)->client(), client_kind::okta);
  EXPECT_EQ(log.get(2)->client(), client_kind::entra);
  EXPECT_EQ(log.get(2)->client(), client_kind::entra);
  EXPECT_EQ(to_json(*log.get(2), false)["client"], "entra");
}

TEST(RequestLog, clientNamesRoundTrip) {
  for (auto k : {client_kind::unknown, client_kind::entra, client_kind::okta, client_kind::ping, client_kind::octokit}) {
    EXPECT_EQ(parse_client_kind(to_string(k)), k);
  }
  EXPECT_FALSE(parse_client_kind("ENTRA"));
  EXPECT_FALSE(parse_client_kind(""));
}

// ---------------------------------------------------------------------------------------------
// Rendering and the event-stream format

TEST(RequestLog, toJsonRendersTheDocumentedFields) {
  request_log log(10, 1024);
  auto c = make("POST", "/scim/v2/enterprises/acme/Users", 201);
  c.query = "aadOptscim062020";
  c.user_agent = "Okta SCIM Client 1.0.0";
  c.request_headers = {{"Content-Type", "application/scim+json"}, {"Content-Type", "second"}};
  c.request_body = R"({"userName":"<img src=x onerror=alert(1)>"})";
  c.response_headers = {{"Location", "http://h/x"}};
  c.response_body = R"({"id":"u1"})";
  c.events = {"external_identity.provision", "user.create"};
  c.notes = {"login derived: mona_acme"};
  log.capture(std::move(c));

  const json summary = to_json(*log.get(1), false);
  for (const char* k : {"request_headers", "request_body", "response_headers", "response_body"}) {
    EXPECT_FALSE(summary.contains(k)) << k;
  }
  EXPECT_EQ(summary["id"], 1);
  EXPECT_EQ(summary["time"], "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(summary["request_id"], "C0DE:1A2B:3C4D5E:6F7A8B:65F1A2B3");
  EXPECT_EQ(summary["method"], "POST");
  EXPECT_EQ(summary["path"], "/scim/v2/enterprises/acme/Users");
  EXPECT_EQ(summary["query"], "aadOptscim062020");
  EXPECT_EQ(summary["status"], 201);
  EXPECT_DOUBLE_EQ(summary["duration_ms"].get<double>(), 1.235);
  EXPECT_EQ(summary["enterprise"], "acme");
  EXPECT_TRUE(summary["org"].is_null());
  EXPECT_EQ(summary["client"], "okta");
  EXPECT_EQ(summary["user_agent"], "Okta SCIM Client 1.0.0");
  EXPECT_EQ(summary["events"], json({"external_identity.provision", "user.create"}));
  EXPECT_EQ(summary["notes"], json({"login derived: mona_acme"}));
  EXPECT_EQ(summary["request_body_size"], 43);

  const json full = to_json(*log.get(1), true);
  EXPECT_EQ(full["request_headers"], json::parse(R"([{"name":"Content-Type","value":"application/scim+json"},
                                                     {"name":"Content-Type","value":"second"}])"));
  EXPECT_EQ(full["request_body"], R"({"userName":"<img src=x onerror=alert(1)>"})");
  EXPECT_EQ(full["response_headers"], json::parse(R"([{"name":"Location","value":"http://h/x"}])"));
  EXPECT_EQ(full["response_body"], R"({"id":"u1"})");

  request_page page = log.list(since(0));
  const json pj = to_json(page);
  EXPECT_EQ(pj["next_since_id"], 1);
  EXPECT_EQ(pj["missed"], 0);
  ASSERT_EQ(pj["requests"].size(), 1u);
  EXPECT_FALSE(pj["requests"][0].contains("request_body"));
}

TEST(RequestLog, invalidUtf8IsRenderedNotThrown) {
  request_log log(10, 1024);
  auto c = make("POST", "/p", 400);
  c.request_body = "{\"userName\":\"\xff\xfe\"}";
  log.capture(std::move(c));
  std::string text;
  ASSERT_NO_THROW(text = dump_json(to_json(*log.get(1), true)));
  EXPECT_NE(text.find("\xef\xbf\xbd"), std::string::npos) << text;  // U+FFFD
  ASSERT_NO_THROW(text = sse_event(*log.get(1)));
}

TEST(RequestLog, sseEventIsOneEventWithItsId) {
  request_log log(10, 1024);
  log.capture(make("GET", "/p", 200));
  auto c = make("POST", "/p", 201);
  c.request_body = "{\n\"a\": \"line\nbreak\"\n}";
  c.notes = {"two\nlines"};
  log.capture(std::move(c));
  const std::string ev = sse_event(*log.get(2));
  const std::string head = "id: 2\nevent: request\ndata: ";
  ASSERT_TRUE(ev.starts_with(head)) << ev;
  ASSERT_TRUE(ev.ends_with("\n\n")) << ev;
  const std::string data = ev.substr(head.size(), ev.size() - head.size() - 2);
  EXPECT_EQ(data.find('\n'), std::string::npos) << "a data line must not break: " << data;
  const json j = json::parse(data);
  EXPECT_EQ(j["id"], 2);
  EXPECT_EQ(j["notes"], json({"two\nlines"}));
  EXPECT_TRUE(sse_keep_alive.starts_with(":"));
  EXPECT_TRUE(sse_keep_alive.ends_with("\n\n"));
  EXPECT_TRUE(sse_stream_start.ends_with("\n\n"));
}

TEST(RequestLog, parseEventId) {
  EXPECT_EQ(parse_event_id("42"), 42u);
  EXPECT_EQ(parse_event_id(" 7 "), 7u);
  EXPECT_EQ(parse_event_id("0"), 0u);
  EXPECT_FALSE(parse_event_id(""));
  EXPECT_FALSE(parse_event_id("-1"));
  EXPECT_FALSE(parse_event_id("4x"));
  EXPECT_FALSE(parse_event_id("99999999999999999999999"));
}

// ---------------------------------------------------------------------------------------------
// Concurrency

TEST(RequestLog, writersAndReadersRunConcurrently) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 3000;
  request_log log(500, 256);
  std::atomic<bool> done{false};
  std::atomic<int> pages{0};
  std::atomic<int> bad{0};

  std::thread reader([&] {
    std::uint64_t next = 0;
    std::set<std::uint64_t> seen;
    while (!done.load()) {
      request_query q;
      q.since_id = next;
      q.limit = 50;
      if (pages.load() % 3 == 0) q.method = "POST";
      auto page = log.list(q);
      std::uint64_t prev = next;
      for (const auto& e : page.requests) {
        if (e->id() <= prev) ++bad;  // ids ascend and stay after since_id
        if (!seen.insert(e->id()).second) ++bad;
        if (e->data().request_body.size() > 256) ++bad;
        prev = e->id();
        (void)to_json(*e, true);
      }
      if (page.next_since_id < next) ++bad;
      next = page.next_since_id;
      const std::uint64_t newest = log.last_id();
      if (auto e = log.get(newest); e && e->id() != newest) ++bad;
      ++pages;
    }
  });

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        auto c = make(i % 2 ? "GET" : "POST", "/scim/v2/enterprises/acme/Users", 200);
        c.request_body = std::string(static_cast<std::size_t>(100 + (i * 7 + w) % 400), 'x');
        c.request_headers = {{"Authorization", "Bearer emu_secret"}};
        if (w == 0 && i % 500 == 0) log.clear();
        log.capture(std::move(c));
      }
    });
  }
  for (auto& t : writers) t.join();
  done = true;
  reader.join();

  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(pages.load(), 0);
  EXPECT_EQ(log.last_id(), static_cast<std::uint64_t>(kWriters * kPerWriter));
  EXPECT_LE(log.size(), 500u);
  auto all = log.list(since(0, 1000));
  for (std::size_t i = 1; i < all.requests.size(); ++i) {
    EXPECT_EQ(all.requests[i]->id(), all.requests[i - 1]->id() + 1);
  }
  EXPECT_EQ(header_value(all.requests.back()->data().request_headers, "Authorization"), "Bearer ***");
}

// What capture() costs the serving thread for a typical GET and POST (8 request headers, a
// 750-byte answer, a 450-byte SCIM body), with the ring full so that every capture evicts.
// A measurement, not a check (timings vary with the machine):
//   build/tests/emuscim_http_tests --gtest_also_run_disabled_tests --gtest_filter='*captureCost*'
TEST(RequestLog, DISABLED_captureCost) {
  auto typical = [](bool post, int i) {
    auto c = make(post ? "POST" : "GET", "/scim/v2/enterprises/acme/Users", post ? 201 : 200);
    c.user_agent = "Microsoft Azure AD SCIM provisioning 1.0";
    c.request_headers = {{"Host", "127.0.0.1:8080"}, {"Authorization", "Bearer emu_0123456789abcdef0123456789abcdef"},
                         {"User-Agent", c.user_agent}, {"Accept", "application/scim+json"},
                         {"Content-Type", "application/scim+json; charset=utf-8"}, {"Content-Length", "450"},
                         {"Connection", "keep-alive"}, {"Accept-Encoding", "gzip"}};
    if (post) {
      c.request_body = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user)" + std::to_string(i) +
                       R"(@example.com","externalId":"e","active":true,"emails":[{"primary":true,"type":"work",)"
                       R"("value":"u@example.com"}],"name":{"givenName":"A","familyName":"B"},"displayName":"A B"})" +
                       std::string(200, ' ');
      c.events = {"external_identity.provision", "user.create", "external_identity.scim_api_success"};
      c.notes = {"login derived: user_acme"};
    }
    c.response_headers = {{"Content-Type", "application/scim+json; charset=utf-8"}, {"x-github-request-id", c.request_id},
                          {"x-ratelimit-limit", "5000"}, {"x-ratelimit-remaining", "4999"}};
    c.response_body = std::string(750, 'r');
    return c;
  };
  constexpr int kRequests = 300000;
  for (bool post : {false, true}) {
    std::size_t sink = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kRequests; ++i) sink += typical(post, i).request_headers.size();
    const auto build = std::chrono::steady_clock::now() - t0;
    request_log log(2000, 64 * 1024);
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kRequests; ++i) log.capture(typical(post, i));
    const auto both = std::chrono::steady_clock::now() - t0;
    const double per = std::chrono::duration<double, std::nano>(both - build).count() / kRequests;
    std::printf("%s: building the captured value %.0f ns, capture() %.0f ns per request\n", post ? "POST" : "GET",
                std::chrono::duration<double, std::nano>(build).count() / kRequests, per);
    EXPECT_GT(sink, 0u);
    EXPECT_EQ(log.size(), 2000u);
  }
}

}  // namespace
}  // namespace emuscim::http
