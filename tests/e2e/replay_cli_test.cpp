// `emuscim replay` (docs/REPLAY.md) against the real server: every built-in IdP cycle plays
// cleanly on a fresh enterprise, a wrong expectation is reported as a diff with exit 1, and the
// command line refuses what it cannot play.

#include <filesystem>
#include <fstream>
#include <string>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

const std::string admin_token = "emu_admin_replay_cli_0123456789abcdef";

std::string tenant_url(const server_process& s) {
  return "http://127.0.0.1:" + std::to_string(s.port()) + "/scim/v2/enterprises/acme";
}

cli_result replay(const server_process& s, std::vector<std::string> extra) {
  std::vector<std::string> args = {"replay"};
  args.insert(args.end(), extra.begin(), extra.end());
  for (const std::string& a : {std::string("--target"), tenant_url(s), std::string("--token"), std::string(acme_token),
                               std::string("--admin-token"), admin_token}) {
    args.push_back(a);
  }
  return run_cli(args, {}, std::chrono::seconds(110));
}

TEST(ReplayCli, listNamesTheBuiltInCycles) {
  auto r = run_cli({"replay", "--list"});
  ASSERT_EQ(r.exit_code, 0) << r;
  for (const char* cycle : {"entra (", "entra-quirks (", "entra-roles (", "okta (", "pingfederate ("}) {
    EXPECT_NE(r.out.find(cycle), std::string::npos) << cycle << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("entra/01_user_lifecycle"), std::string::npos) << r.out;
}

class BuiltinCycle : public ::testing::TestWithParam<std::string> {};

// Each cycle on a fresh server; each of its files deletes what it created, so the next file
// starts on an empty enterprise, as the cycles expect.
TEST_P(BuiltinCycle, playsWithoutADifference) {
  server_process server({.env = {{"EMUSCIM_ADMIN_TOKEN", admin_token}}});
  auto r = replay(server, {GetParam()});
  EXPECT_EQ(r.exit_code, 0) << r << "\n--- server log ---\n" << server.log_tail(30);
  EXPECT_NE(r.out.find(" 0 differ"), std::string::npos) << r;
  EXPECT_EQ(r.out.find("SKIP"), std::string::npos) << r;
  // Nothing is left behind.
  client scim(server);
  auto users = scim.get("Users");
  ASSERT_TRUE(is_list_response(users)) << users;
  EXPECT_EQ(users.json()["totalResults"], 0) << users;
}

INSTANTIATE_TEST_SUITE_P(Replay, BuiltinCycle,
                         ::testing::Values("entra", "entra-quirks", "entra-roles", "okta", "pingfederate"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param;
                           for (auto& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(ReplayCli, aWrongExpectationIsADiffAndExit1) {
  server_process server(server_options{});
  const auto file = server.dir() / "wrong.json";
  std::ofstream(file) << R"({
    "title": "a deliberately wrong expectation",
    "source": {"doc": "replay_cli_test"},
    "steps": [
      {"name": "create", "method": "POST", "path": "Users",
       "body": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "wrong@example.com", "externalId": "W1"},
       "expect": {"status": 201, "json": {"/userName": "wrong@example.com", "/active": false}},
       "capture": {"user.id": "/id"}},
      {"name": "get", "method": "GET", "path": "Users/${user.id}", "expect": {"status": 200}}
    ]})";
  auto r = run_cli({"replay", file.string(), "--target", tenant_url(server), "--token", std::string(acme_token)});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_NE(r.out.find("DIFF " + file.string() + ": 2 steps, 1 differ"), std::string::npos) << r;
  EXPECT_NE(r.out.find("--- step 1 (create)"), std::string::npos) << r;
  EXPECT_NE(r.out.find("- /active: expected false, got true"), std::string::npos) << r;
  EXPECT_NE(r.out.find("2 steps played, 1 differ"), std::string::npos) << r;
}

TEST(ReplayCli, refusesWhatItCannotPlay) {
  auto no_target = run_cli({"replay", "entra", "--token", "x"});
  EXPECT_EQ(no_target.exit_code, 2) << no_target;
  EXPECT_NE(no_target.err.find("--target"), std::string::npos) << no_target;
  auto no_source = run_cli({"replay", "--target", "http://127.0.0.1:9", "--token", "x"});
  EXPECT_EQ(no_source.exit_code, 2) << no_source;
  auto unknown = run_cli({"replay", "no-such-cycle", "--target", "http://127.0.0.1:9", "--token", "x"});
  EXPECT_NE(unknown.exit_code, 0) << unknown;
  EXPECT_NE(unknown.err.find("neither a file nor a built-in cycle"), std::string::npos) << unknown;
  // Nobody listening: every step differs ("no reply"), exit 1.
  auto down = run_cli({"replay", "entra/00_test_connection", "--target", "http://127.0.0.1:9", "--token", "x"});
  EXPECT_EQ(down.exit_code, 1) << down;
  EXPECT_NE(down.out.find("no reply"), std::string::npos) << down;
}

}  // namespace
}  // namespace emuscim::test
