#include "emuscim/replay/record.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "emuscim/replay/player.hpp"

namespace emuscim::replay {
namespace {

recorded_exchange create_user() {
  recorded_exchange x;
  x.id = 7;
  x.method = "POST";
  x.path = "/scim/v2/enterprises/acme/Users";
  x.request_headers = {{"Host", "127.0.0.1:8080"},
                       {"Authorization", "Bearer ***"},
                       {"User-Agent", "Okta SCIM Client 1.0.0"},
                       {"Content-Type", "application/scim+json"}};
  x.request_body = R"({"userName":"mona@example.com","externalId":"E1","password":"***"})";
  x.status = 201;
  x.response_headers = {{"Location", "http://127.0.0.1:8080/scim/v2/enterprises/acme/Users/0b9d5f3e-aaaa-bbbb-cccc-0123456789ab"},
                        {"x-github-request-id", "AB:CD"}};
  x.response_body = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"0b9d5f3e-aaaa-bbbb-cccc-0123456789ab",)"
                    R"("externalId":"E1","active":true,"userName":"mona@example.com",)"
                    R"("meta":{"resourceType":"User","created":"2026-01-02T03:04:05Z","lastModified":"2026-01-02T03:04:05.123Z",)"
                    R"("location":"http://127.0.0.1:8080/scim/v2/enterprises/acme/Users/0b9d5f3e-aaaa-bbbb-cccc-0123456789ab"}})";
  return x;
}

recorded_exchange patch_user() {
  recorded_exchange x;
  x.id = 9;
  x.method = "PATCH";
  x.path = "/scim/v2/enterprises/acme/Users/0b9d5f3e-aaaa-bbbb-cccc-0123456789ab";
  x.request_headers = {{"Content-Type", "application/scim+json"}};  // Entra: no User-Agent, no Accept
  x.request_body = R"({"Operations":[{"op":"Replace","path":"active","value":"False"}]})";
  x.status = 200;
  x.response_body = R"({"id":"0b9d5f3e-aaaa-bbbb-cccc-0123456789ab","active":false,)"
                    R"("groups":[{"value":"ffffffff-0000-1111-2222-333333333333"}]})";
  return x;
}

TEST(Record, idsBecomeCapturesAndVariablesTimestampsAndHostsMatchAny) {
  recording r;
  r.enterprise = "acme";
  r.server = "emuscim";
  r.exchanges = {create_user(), patch_user()};
  const ojson file = to_replay_file(r);
  ASSERT_EQ(file["steps"].size(), 2u);
  const ojson& create = file["steps"][0];
  EXPECT_EQ(create["path"], "Users");
  EXPECT_EQ(create["name"], "#7 POST Users");
  EXPECT_EQ(create["capture"], ojson::parse(R"({"user1": "/id"})"));
  EXPECT_EQ(create["headers"], ojson::parse(R"({"User-Agent": "Okta SCIM Client 1.0.0",
      "Content-Type": "application/scim+json", "Accept": null})"))
      << "credentials and connection headers dropped, an absent default removed";
  EXPECT_EQ(create["body"]["password"], "***");
  const ojson& body = create["expect"]["json"][""];
  EXPECT_EQ(body["id"], "${user1}");
  EXPECT_EQ(body["meta"]["created"].begin().key(), "$match");
  EXPECT_EQ(body["meta"]["location"]["$match"], R"(^https?://[^/]+/scim/v2/enterprises/acme/Users/${user1}$)");
  EXPECT_EQ(create["expect"]["headers"]["Location"], body["meta"]["location"]);

  const ojson& patch = file["steps"][1];
  EXPECT_EQ(patch["path"], "Users/${user1}");
  EXPECT_EQ(patch["headers"], ojson::parse(R"({"Content-Type": "application/scim+json", "User-Agent": null, "Accept": null})"));
  // An id never captured matches any string; a captured one must be the new server's.
  EXPECT_EQ(patch["expect"]["json"][""]["id"], "${user1}");
  EXPECT_EQ(patch["expect"]["json"][""]["groups"][0]["value"], "ffffffff-0000-1111-2222-333333333333")
      << "only members[].value and id members are ids";
}

TEST(Record, aRecordingPlaysBackAgainstAnotherServersIds) {
  recording r;
  r.enterprise = "acme";
  r.server = "emuscim";
  r.exchanges = {create_user(), patch_user()};
  r.exchanges[1].response_body = R"({"id":"0b9d5f3e-aaaa-bbbb-cccc-0123456789ab","active":false})";
  const ojson file = to_replay_file(r);

  std::deque<exchange_result> answers = {
      {http_reply{201,
                  {{"Location", "https://other.example/scim/v2/enterprises/acme/Users/11111111-2222-3333-4444-555555555555"}},
                  R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"11111111-2222-3333-4444-555555555555",)"
                  R"("externalId":"E1","active":true,"userName":"mona@example.com",)"
                  R"("meta":{"resourceType":"User","created":"2027-12-31T23:59:59Z","lastModified":"2027-12-31T23:59:59Z",)"
                  R"("location":"https://other.example/scim/v2/enterprises/acme/Users/11111111-2222-3333-4444-555555555555"}})"},
       {}},
      {http_reply{200, {}, R"({"id":"11111111-2222-3333-4444-555555555555","active":false})"}, {}},
  };
  std::vector<std::string> targets;
  transport send = [&](const http_request& rq) {
    targets.push_back(rq.target);
    if (answers.empty()) return exchange_result{http_reply{204, {}, ""}, {}};
    auto a = answers.front();
    answers.pop_front();
    return a;
  };
  player_options o;
  o.base_url = "https://other.example";
  o.token = "t";
  auto report = play("recorded", file, o, send);
  EXPECT_TRUE(report.ok()) << render_text(report);
  ASSERT_GE(targets.size(), 2u);
  EXPECT_EQ(targets[1], "/scim/v2/enterprises/acme/Users/11111111-2222-3333-4444-555555555555");

  // The same file against an answer that differs in a recorded value: one difference.
  answers = {
      {http_reply{201, {}, R"({"id":"x1234567","externalId":"E2","active":true,"userName":"mona@example.com"})"}, {}},
  };
  auto changed = play("recorded", file, o, send);
  ASSERT_FALSE(changed.ok());
  ASSERT_FALSE(changed.steps[0].differences.empty());
}

TEST(Record, truncatedRequestsAreLeftOutAndSaidSo) {
  recording r;
  r.enterprise = "acme";
  r.exchanges = {create_user()};
  r.exchanges[0].request_body_truncated = true;
  const ojson file = to_replay_file(r);
  EXPECT_TRUE(file["steps"].empty());
  EXPECT_NE(file["notes"].dump().find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace emuscim::replay
