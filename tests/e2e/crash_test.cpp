// Crash consistency under load (issue "Prove it fast and unbreakable"): 32 connections write
// concurrently, the server is SIGKILLed mid-stream — after a chosen number of acknowledged
// writes plus a random delay of up to 2 ms, so the writer thread may be anywhere in its group
// commit — and restarted on the same db file. Then:
//   - every write that got a 2xx is there, complete (GET returns what was sent);
//   - nothing is half-there: every user present was acknowledged or in flight at the kill, has
//     all its attributes, its managed account (login, email), and exactly the audit events of
//     its creation (same transaction); counters (totalResults, metrics gauges) match the rows;
//   - a multi-member PATCH in flight at the kill is applied entirely or not at all;
//   - `PRAGMA integrity_check` and `PRAGMA foreign_key_check` are clean on the crashed files
//     (sqlite3 shell, read-only, before the restart touches them).
// Three kill points per test, on one db (each round builds on the survivors of the previous).
// The kill points are random: the seed is printed; EMUSCIM_E2E_SEED=<n> replays it.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "reliability_support.hpp"
#include "scim_support.hpp"

namespace emuscim::test {
namespace {

using namespace reliability;

const std::string kAdminToken = "emu_admin_crash_e2e_0123456789";
constexpr int kConnections = 32;
constexpr int kRounds = 3;

unsigned test_seed() {
  if (const char* s = std::getenv("EMUSCIM_E2E_SEED"); s != nullptr && *s != '\0') {
    return static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  }
  return std::random_device{}();
}

class Crash : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = test_seed();
    rng_.seed(seed_);
    std::fprintf(stderr, "[crash] seed %u (set EMUSCIM_E2E_SEED=%u to replay the same kill points)\n", seed_, seed_);
    RecordProperty("seed", std::to_string(seed_));
    ASSERT_NO_THROW(srv_.start({.env = {{"EMUSCIM_ADMIN_TOKEN", kAdminToken}}}));
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "--- server log tail ---\n%s\n", srv_.log_tail(40).c_str());
  }

  int random_between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  // Runs `worker(t, stop)` on kConnections threads; SIGKILLs the server once `acks` reaches
  // `target` (then waits `delay`), or after 30 s whatever happened; then stops the workers.
  // Returns the number of acks seen at the moment of the kill.
  int run_and_kill(const std::function<void(int, const std::atomic<bool>&)>& worker, const std::atomic<int>& acks,
                   int target, std::chrono::microseconds delay) {
    std::atomic<bool> stop{false};
    std::thread pool([&] { run_threads(kConnections, [&](int t) { worker(t, stop); }); });
    const auto deadline = clock_type::now() + 30s;
    while (acks.load() < target && clock_type::now() < deadline) std::this_thread::sleep_for(100us);
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    const int at_kill = acks.load();
    srv_.kill9();
    stop = true;
    pool.join();
    EXPECT_GE(at_kill, target) << "the load did not reach " << target << " acknowledged writes within 30 s";
    return at_kill;
  }

  // The crashed files, before anything opens them for writing.
  void check_crashed_db(const std::string& when) {
    std::string out;
    ASSERT_NO_THROW(out = sqlite_check(srv_.db_path()));
    EXPECT_EQ(out, "ok\n") << "integrity_check / foreign_key_check " << when;
  }

  server_process srv_;
  unsigned seed_ = 0;
  std::mt19937 rng_;
};

// --- users ---------------------------------------------------------------------------------------

struct create_outcome {
  std::vector<std::pair<std::string, std::string>> acked;  // (id, userName)
  std::optional<std::string> in_flight;                    // userName sent when the server died
  std::vector<std::string> unexpected;                     // replies other than 201
};

TEST_F(Crash, acknowledgedCreatesSurviveKill9AndNothingIsHalfThere) {
  std::map<std::string, json> sent;                   // userName -> body, acknowledged or in flight
  std::map<std::string, std::string> acked_id_of;     // userName -> id (acknowledged)
  std::set<std::string> present_before;               // ids seen after an earlier restart
  const int targets[kRounds] = {random_between(1, 4), random_between(40, 90), random_between(150, 260)};

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + " (kill after " + std::to_string(targets[round]) + " acks)");
    const int per_thread = targets[round] / kConnections + 12;
    std::vector<create_outcome> outcome(kConnections);
    std::atomic<int> acks{0};
    std::mutex mu;
    const auto delay = std::chrono::microseconds(random_between(0, 2000));

    const int at_kill = run_and_kill(
        [&](int t, const std::atomic<bool>& stop) {
          client c = make_client(srv_, 10s);
          auto& out = outcome[static_cast<std::size_t>(t)];
          for (int i = 0; i < per_thread && !stop; ++i) {
            // Lower-case ASCII names: the derived login is exactly "<userName>_acme".
            const std::string name = "cr" + std::to_string(round) + "-t" + std::to_string(t) + "-" + std::to_string(i);
            json body = make_user(name, "ext-" + name,
                                  {.display_name = "Crash " + name, .email = name + "@crash.example.com",
                                   .given_name = "Given" + std::to_string(i), .family_name = "Family" + std::to_string(t)});
            {
              std::lock_guard lk(mu);
              sent[name] = body;
            }
            out.in_flight = name;
            reply r;
            try {
              r = c.post("Users", body);
            } catch (const std::exception&) {
              return;  // the server died: `name` stays in flight
            }
            out.in_flight.reset();
            if (r.status != 201) {
              out.unexpected.push_back(name + ": " + std::to_string(r.status) + " " + r.body.substr(0, 300));
              std::lock_guard lk(mu);
              sent.erase(name);
              continue;
            }
            out.acked.emplace_back(r.json().value("id", ""), name);
            acks.fetch_add(1);
          }
        },
        acks, targets[round], delay);

    std::set<std::string> in_flight;
    int acked_this_round = 0;
    for (const auto& o : outcome) {
      for (const auto& u : o.unexpected) ADD_FAILURE() << "create answered other than 201 before the kill: " << u;
      for (const auto& [id, name] : o.acked) acked_id_of[name] = id;
      acked_this_round += static_cast<int>(o.acked.size());
      if (o.in_flight) in_flight.insert(*o.in_flight);
    }
    std::fprintf(stderr, "[crash] users round %d: killed at %d acks (+%lld us), %d acknowledged, %zu in flight\n",
                 round, at_kill, static_cast<long long>(delay.count()), acked_this_round, in_flight.size());

    check_crashed_db("after kill -9, round " + std::to_string(round));
    ASSERT_NO_THROW(srv_.restart());
    client c = make_client(srv_);

    // 1. Every acknowledged user of this round is there, as sent.
    for (const auto& o : outcome) {
      for (const auto& [id, name] : o.acked) {
        auto r = c.get("Users/" + id);
        ASSERT_EQ(r.status, 200) << "acknowledged user " << name << " (" << id << ") lost after kill -9: " << r;
        const auto got = r.json();
        const auto& want = sent.at(name);
        for (const char* key : {"userName", "externalId", "displayName", "emails", "name", "active"}) {
          EXPECT_EQ(got[key], want[key]) << key << " of acknowledged user " << name;
        }
      }
    }

    // 2. Everything present was acknowledged or in flight, complete, and earlier survivors stay.
    json users;
    ASSERT_NO_THROW(users = list_all(c, "Users"));
    std::set<std::string> present;
    for (const auto& u : users) {
      const std::string id = u["id"], name = u["userName"];
      present.insert(id);
      auto it = sent.find(name);
      if (it == sent.end()) {
        ADD_FAILURE() << "user " << name << " exists but was never acknowledged nor in flight: " << u.dump();
        continue;
      }
      for (const char* key : {"externalId", "displayName", "emails", "name", "active"}) {
        EXPECT_EQ(u[key], it->second[key]) << key << " of " << name << " (half-written user?)";
      }
      if (auto a = acked_id_of.find(name); a != acked_id_of.end()) {
        EXPECT_EQ(a->second, id) << name << " present under another id than the acknowledged one";
      } else if (!in_flight.contains(name) && !present_before.contains(id)) {
        ADD_FAILURE() << "user " << name << " appeared although it was neither acknowledged nor in flight";
      }
    }
    for (const auto& [name, id] : acked_id_of) EXPECT_TRUE(present.contains(id)) << "acknowledged " << name << " missing";
    for (const auto& id : present_before) EXPECT_TRUE(present.contains(id)) << "survivor " << id << " of an earlier round lost";
    // In-flight users that made it are committed from now on; those that did not are free.
    int in_flight_committed = 0;
    for (const auto& name : in_flight) {
      const bool there = std::any_of(users.begin(), users.end(), [&](const json& u) { return u["userName"] == name; });
      if (!there) sent.erase(name);
      in_flight_committed += there ? 1 : 0;
    }
    std::fprintf(stderr, "[crash] users round %d: %zu users after restart, %d of %zu in-flight creates committed\n", round,
                 users.size(), in_flight_committed, in_flight.size());

    // 3. The managed accounts (login, email) came with the same transaction.
    client admin = admin_client(srv_, kAdminToken);
    json accounts;
    ASSERT_NO_THROW(accounts = admin_users(admin));
    EXPECT_EQ(accounts.size(), users.size()) << "admin view and SCIM list disagree on the number of users";
    for (const auto& a : accounts) {
      const std::string name = a.value("userName", "");
      auto it = sent.find(name);
      if (it == sent.end()) {
        ADD_FAILURE() << "managed account without a known user: " << a.dump();
        continue;
      }
      EXPECT_EQ(a["login"], name + "_acme") << a.dump();
      EXPECT_EQ(a["original_login"], name + "_acme") << a.dump();
      EXPECT_EQ(a["email"], name + "@crash.example.com") << a.dump();
      EXPECT_EQ(a["active"], true) << a.dump();
      EXPECT_EQ(a["suspended"], false) << a.dump();
      EXPECT_TRUE(present.contains(a.value("id", ""))) << a.dump();
    }

    // 4. The audit events of each creation are there exactly when the user is.
    json events;
    ASSERT_NO_THROW(events = admin_audit_events(admin));
    std::map<std::string, std::map<std::string, int>> per_user;  // id -> action -> count
    for (const auto& e : events) per_user[e.value("resource_id", "")][e.value("action", "")]++;
    for (const auto& id : present) {
      for (const char* action : {"external_identity.provision", "user.create", "external_identity.scim_api_success"}) {
        EXPECT_EQ(per_user[id][action], 1) << action << " events for user " << id;
      }
    }
    for (const auto& [id, actions] : per_user) {
      if (actions.contains("external_identity.provision")) {
        EXPECT_TRUE(present.contains(id)) << "provision event for user " << id << " that does not exist";
      }
    }

    // 5. Counters kept next to the rows agree with the rows.
    EXPECT_EQ(metric(c, "emuscim_users{enterprise=\"acme\"}"), static_cast<double>(present.size()));
    auto ent = admin.get("enterprises/acme");
    ASSERT_EQ(ent.status, 200) << ent;
    EXPECT_EQ(ent.json()["user_count"], present.size());

    // 6. Uniqueness indexes survived: an acknowledged name cannot be taken again.
    int probes = 0;
    for (const auto& o : outcome) {
      if (o.acked.empty() || ++probes > 4) continue;
      const auto& name = o.acked.front().second;
      EXPECT_TRUE(is_scim_error(c.post("Users", make_user(name, "ext-other-" + name)), 409, "uniqueness")) << name;
    }
    present_before = std::move(present);
  }
  EXPECT_EQ(srv_.terminate(), 0) << "clean shutdown after the last round";
  check_crashed_db("after the final clean shutdown");
}

// --- group memberships ---------------------------------------------------------------------------

// Thread t owns 8 users (4 pairs) and patches group t % 4; concurrent PATCHes on one group come
// from 8 threads. Each PATCH adds or removes one pair (two members), alternating per pair, so
// the expected state of every (group, user) is known from the acknowledged PATCHes alone.
constexpr int kGroups = 4;
constexpr int kPairs = 4;

struct member_thread {
  std::vector<std::string> users;            // 2 * kPairs ids
  std::array<bool, kPairs> member{};          // state per pair, as acknowledged
  std::optional<int> in_flight;               // pair whose PATCH got no reply
  std::vector<std::string> acked_request_ids; // x-github-request-id of acknowledged PATCHes
  std::vector<std::string> unexpected;
};

TEST_F(Crash, acknowledgedMembershipPatchesSurviveKill9) {
  std::vector<member_thread> threads(kConnections);
  std::vector<std::string> group_ids(kGroups);
  {
    client c = make_client(srv_);
    for (int g = 0; g < kGroups; ++g) {
      auto r = c.post("Groups", make_group("Crash Group " + std::to_string(g), "ext-crash-group-" + std::to_string(g)));
      ASSERT_EQ(r.status, 201) << r;
      group_ids[static_cast<std::size_t>(g)] = r.json()["id"].get<std::string>();
    }
    run_threads(kConnections, [&](int t) {
      client tc = make_client(srv_);
      for (int k = 0; k < 2 * kPairs; ++k) {
        const std::string name = "cm-t" + std::to_string(t) + "-" + std::to_string(k);
        auto r = tc.post("Users", make_user(name, "ext-" + name));
        ASSERT_EQ(r.status, 201) << r;
        threads[static_cast<std::size_t>(t)].users.push_back(r.json()["id"].get<std::string>());
      }
    });
    ASSERT_FALSE(HasFailure());
  }
  std::set<std::string> all_request_ids;
  const int targets[kRounds] = {random_between(1, 4), random_between(30, 70), random_between(120, 200)};

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + " (kill after " + std::to_string(targets[round]) + " acks)");
    const int per_thread = targets[round] / kConnections + 12;
    std::atomic<int> acks{0};
    const auto delay = std::chrono::microseconds(random_between(0, 2000));
    for (auto& mt : threads) mt.in_flight.reset();

    const int at_kill = run_and_kill(
        [&](int t, const std::atomic<bool>& stop) {
          auto& mt = threads[static_cast<std::size_t>(t)];
          client c = make_client(srv_, 10s);
          const std::string target = "Groups/" + group_ids[static_cast<std::size_t>(t % kGroups)] + "?excludedAttributes=members";
          for (int i = 0; i < per_thread && !stop; ++i) {
            const int p = (i + t) % kPairs;
            const std::vector<std::string> pair = {mt.users[static_cast<std::size_t>(2 * p)],
                                                   mt.users[static_cast<std::size_t>(2 * p + 1)]};
            const bool add = !mt.member[static_cast<std::size_t>(p)];
            json body = make_patch({patch_op(add ? "add" : "remove", "members", member_values(pair))});
            mt.in_flight = p;
            reply r;
            try {
              r = c.patch(target, body);
            } catch (const std::exception&) {
              return;  // the server died with this PATCH in flight
            }
            mt.in_flight.reset();
            if (r.status != 200) {
              mt.unexpected.push_back(std::to_string(r.status) + " " + r.body.substr(0, 300));
              continue;
            }
            mt.member[static_cast<std::size_t>(p)] = add;
            mt.acked_request_ids.push_back(r.header("x-github-request-id"));
            acks.fetch_add(1);
          }
        },
        acks, targets[round], delay);

    int in_flight = 0;
    for (const auto& mt : threads) {
      for (const auto& u : mt.unexpected) ADD_FAILURE() << "membership PATCH answered other than 200: " << u;
      in_flight += mt.in_flight ? 1 : 0;
    }
    std::fprintf(stderr, "[crash] memberships round %d: killed at %d acks (+%lld us), %d PATCHes in flight\n", round,
                 at_kill, static_cast<long long>(delay.count()), in_flight);

    check_crashed_db("after kill -9, round " + std::to_string(round));
    ASSERT_NO_THROW(srv_.restart());
    client c = make_client(srv_);

    std::size_t total_members = 0;
    int in_flight_committed = 0;
    std::map<std::string, std::set<std::string>> groups_of_user;  // user id -> group ids
    for (int g = 0; g < kGroups; ++g) {
      const auto& gid = group_ids[static_cast<std::size_t>(g)];
      auto r = c.get("Groups/" + gid);
      ASSERT_EQ(r.status, 200) << r;
      const auto ids = member_ids(r.json());
      const std::set<std::string> members(ids.begin(), ids.end());
      EXPECT_EQ(members.size(), ids.size()) << "duplicate members in group " << g;
      total_members += members.size();
      for (const auto& id : members) groups_of_user[id].insert(gid);
      std::set<std::string> owned;
      for (int t = g; t < kConnections; t += kGroups) {
        auto& mt = threads[static_cast<std::size_t>(t)];
        for (int p = 0; p < kPairs; ++p) {
          const bool a = members.contains(mt.users[static_cast<std::size_t>(2 * p)]);
          const bool b = members.contains(mt.users[static_cast<std::size_t>(2 * p + 1)]);
          owned.insert(mt.users[static_cast<std::size_t>(2 * p)]);
          owned.insert(mt.users[static_cast<std::size_t>(2 * p + 1)]);
          auto& known = mt.member[static_cast<std::size_t>(p)];
          if (mt.in_flight == p) {
            // Either the whole PATCH was committed or none of it.
            EXPECT_EQ(a, b) << "half-applied PATCH in flight at the kill: thread " << t << " pair " << p;
            in_flight_committed += a != known ? 1 : 0;
            known = a;
          } else {
            EXPECT_EQ(a, known) << "thread " << t << " pair " << p << ": acknowledged membership state lost";
            EXPECT_EQ(b, known) << "thread " << t << " pair " << p << ": acknowledged membership state lost";
          }
        }
      }
      for (const auto& id : members) EXPECT_TRUE(owned.contains(id)) << "group " << g << " has a stranger " << id;
    }

    std::fprintf(stderr, "[crash] memberships round %d: %zu memberships after restart, %d of %d in-flight PATCHes committed\n",
                 round, total_members, in_flight_committed, in_flight);

    // The maintained member counts and the by-user index agree with the membership rows.
    EXPECT_EQ(metric(c, "emuscim_memberships{enterprise=\"acme\"}"), static_cast<double>(total_members));
    client admin = admin_client(srv_, kAdminToken);
    json accounts;
    ASSERT_NO_THROW(accounts = admin_users(admin));
    for (const auto& a : accounts) {
      std::set<std::string> gids;
      for (const auto& g : a["group_ids"]) gids.insert(g.get<std::string>());
      EXPECT_EQ(gids, groups_of_user[a.value("id", "")]) << a.dump();
    }
    // Every acknowledged PATCH has its success event (same transaction as the change).
    json events;
    ASSERT_NO_THROW(events = admin_audit_events(admin));
    std::set<std::string> logged;
    for (const auto& e : events) {
      if (e.value("action", "") == "external_group.scim_api_success") logged.insert(e.value("request_id", ""));
    }
    for (const auto& mt : threads) {
      for (const auto& id : mt.acked_request_ids) EXPECT_TRUE(logged.contains(id)) << "no audit event for PATCH " << id;
    }
  }
  EXPECT_EQ(srv_.terminate(), 0) << "clean shutdown after the last round";
  check_crashed_db("after the final clean shutdown");
}

}  // namespace
}  // namespace emuscim::test
