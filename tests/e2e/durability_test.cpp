// Durability: what the server acknowledged (201/200/204) survives kill -9 and a restart on the
// same db; SIGTERM is a clean shutdown. Each test owns its server (it kills it).

#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class Durability : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_THROW(srv_.start()); }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "--- server log tail ---\n%s\n", srv_.log_tail(30).c_str());
  }
  void kill_and_restart() {
    srv_.kill9();
    ASSERT_FALSE(srv_.running());
    ASSERT_NO_THROW(srv_.restart());
  }
  server_process srv_;
};

TEST_F(Durability, createdUsersSurviveKill9) {
  client c(srv_);
  std::vector<json> created;
  for (int i = 0; i < 50; ++i) {
    auto name = "dur-" + std::to_string(i);
    auto r = c.post("Users", make_user(name, "ext-" + name, {.roles = {"user"}}));
    ASSERT_EQ(r.status, 201) << r;
    created.push_back(r.json());
  }
  // Kill immediately after the last 201: no graceful shutdown, no chance to flush later.
  kill_and_restart();

  client after(srv_);
  auto list = after.get("Users?count=100");
  ASSERT_TRUE(is_list_response(list));
  EXPECT_EQ(list.json()["totalResults"], 50);
  for (const auto& u : created) {
    const std::string id = u["id"];
    auto r = after.get("Users/" + id);
    ASSERT_EQ(r.status, 200) << "user " << u["userName"] << " lost after kill -9";
    auto got = r.json();
    EXPECT_EQ(got["userName"], u["userName"]);
    EXPECT_EQ(got["externalId"], u["externalId"]);
    EXPECT_EQ(got["meta"]["created"], u["meta"]["created"]);
    EXPECT_EQ(got["meta"]["location"].get<std::string>().substr(got["meta"]["location"].get<std::string>().rfind('/')),
              "/" + id);
  }
  // Uniqueness state survives too.
  EXPECT_TRUE(is_scim_error(after.post("Users", make_user("dur-0", "ext-new")), 409, "uniqueness"));
}

TEST_F(Durability, acknowledgedWritesUnderLoadSurviveKill9) {
  // A client keeps creating users; the server is killed mid-stream. Every user that was
  // answered 201 must exist after the restart.
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    try {
      client c(srv_);
      for (int i = 0; !stop; ++i) {
        auto name = "load-" + std::to_string(i);
        auto r = c.post("Users", make_user(name, "ext-" + name));
        if (r.status == 201) acknowledged.push_back(r.json().value("id", ""));
      }
    } catch (const std::exception&) {
      // the server went away mid-request: expected
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  srv_.kill9();
  stop = true;
  writer.join();
  ASSERT_FALSE(acknowledged.empty()) << "no user was created before the kill";
  ASSERT_NO_THROW(srv_.restart());

  client after(srv_);
  for (const auto& id : acknowledged) EXPECT_EQ(after.get("Users/" + id).status, 200) << "acknowledged user " << id << " lost";
  RecordProperty("acknowledged_before_kill", std::to_string(acknowledged.size()));
}

TEST_F(Durability, updatesDeletesSuspensionsAndGroupsSurviveKill9) {
  client c(srv_);
  auto mk = [&](const std::string& name) {
    auto r = c.post("Users", make_user(name, "ext-" + name));
    EXPECT_EQ(r.status, 201) << r;
    return r.status == 201 ? r.json().value("id", "") : std::string();
  };
  const auto updated = mk("Dur.Updated");
  const auto deleted = mk("Dur.Deleted");
  const auto suspended = mk("Dur.Suspended");
  const auto member = mk("Dur.Member");
  ASSERT_FALSE(updated.empty() || deleted.empty() || suspended.empty() || member.empty());
  ASSERT_EQ(c.patch("Users/" + updated, make_patch({patch_op("replace", "displayName", "After Patch")})).status, 200);
  ASSERT_EQ(c.del("Users/" + deleted).status, 204);
  ASSERT_EQ(c.patch("Users/" + suspended, make_patch({patch_op("replace", "active", false)})).status, 200);
  auto g = c.post("Groups", make_group("Durable Group", "ext-durable", {member, suspended}));
  ASSERT_EQ(g.status, 201) << g;
  const std::string gid = g.json()["id"];
  auto suspended_line_before = cli_user_line(srv_, suspended);
  ASSERT_TRUE(suspended_line_before);

  kill_and_restart();
  client after(srv_);
  auto u = after.get("Users/" + updated);
  ASSERT_EQ(u.status, 200) << u;
  EXPECT_EQ(u.json()["displayName"], "After Patch");
  EXPECT_TRUE(is_scim_error(after.get("Users/" + deleted), 404));
  auto s = after.get("Users/" + suspended);
  ASSERT_EQ(s.status, 200) << s;
  EXPECT_EQ(s.json()["active"], false);
  auto line = cli_user_line(srv_, suspended);
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, *suspended_line_before) << "managed account (hashed login, suspended) is durable";
  auto grp = after.get("Groups/" + gid);
  ASSERT_EQ(grp.status, 200) << grp;
  auto ids = member_ids(grp.json());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), (std::set<std::string>{member, suspended}));
  // The freed names of the deleted user stay free.
  EXPECT_EQ(after.post("Users", make_user("Dur.Deleted", "ext-Dur.Deleted")).status, 201);
}

TEST_F(Durability, sigtermShutsDownCleanlyAndKeepsData) {
  client c(srv_);
  auto r = c.post("Users", make_user("Dur.Term", "ext-Dur.Term"));
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = r.json()["id"];
  c.close();
  const int status = srv_.terminate(std::chrono::seconds(10));
  EXPECT_EQ(status, 0) << "SIGTERM: graceful stop and exit code 0 within 10 s (-1 = had to SIGKILL)\n" << srv_.log_tail();
  ASSERT_NO_THROW(srv_.restart());
  client after(srv_);
  EXPECT_EQ(after.get("Users/" + id).status, 200);
}

TEST_F(Durability, sigtermLetsAnInFlightKeepAliveClientFinish) {
  // Requests already answered on an open keep-alive connection are not lost, and the server
  // still exits while a client holds an idle connection.
  client c(srv_);
  ASSERT_EQ(c.post("Users", make_user("Dur.Idle", "ext-Dur.Idle")).status, 201);
  const int status = srv_.terminate(std::chrono::seconds(10));
  EXPECT_EQ(status, 0) << "an idle keep-alive connection must not block shutdown\n" << srv_.log_tail();
  ASSERT_NO_THROW(srv_.restart());
  client after(srv_);
  EXPECT_EQ(after.get(users_filter("userName eq \"Dur.Idle\"")).json()["totalResults"], 1);
}

TEST_F(Durability, restartKeepsTheBootstrapEnterpriseAndToken) {
  // Bootstrapping from the environment is idempotent: a second start on the same db works.
  ASSERT_NO_THROW(srv_.restart());
  ASSERT_NO_THROW(srv_.restart());
  client c(srv_);
  EXPECT_TRUE(is_list_response(c.get("Users")));
}

}  // namespace
}  // namespace emuscim::test
