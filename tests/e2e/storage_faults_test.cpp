// A full disk and a failing file system under the real server (issue 14; docs/RELIABILITY.md).
//
// The server runs with the fault-injecting SQLite VFS preloaded (tests/faults: LD_PRELOAD +
// EMUSCIM_FAULT_CONTROL; the binary has no test hooks). An IdP-like provisioning run — users,
// groups with members, membership PATCHes, a deactivation, a PUT, deletions — goes over HTTP
// while the N-th storage call (xWrite, xSync or xTruncate) fails with SQLITE_FULL or
// SQLITE_IOERR, for N across the whole run. Checked for every N:
//   - every request answered 2xx is present after a restart (after kill -9, too);
//   - every request that failed got a SCIM error, 507 for a full disk and 503 for an I/O
//     error, within a few seconds (never a hang), and changed nothing — also after a kill -9
//     right after the failure (the writer seals the WAL before it answers);
//   - PRAGMA integrity_check (and foreign_key_check) is ok on the files as the kill left them;
//   - when the fault lasts, reads keep working and /readyz says 503; once it clears, the same
//     server process writes again and /readyz says 200 (no restart);
//   - the error-level log line names the SQLite error.
// CI samples N (about 20 s); EMUSCIM_FAULT_SWEEP=full takes every N (docs/RELIABILITY.md).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "fault_control.hpp"
#include "reliability_support.hpp"
#include "scim_support.hpp"

#ifndef EMUSCIM_FAULT_VFS
#error "EMUSCIM_FAULT_VFS must name the fault VFS library (set by tests/e2e/CMakeLists.txt)"
#endif

namespace emuscim::test {
namespace {

using namespace reliability;
using faults::control_file;
using faults::fault_kind;
using faults::op;

bool full_sweep() {
  const char* v = std::getenv("EMUSCIM_FAULT_SWEEP");
  return v != nullptr && std::string(v) == "full";
}

// The environment that preloads the fault VFS into the server. A sanitized server (scripts/
// sanitizers.sh) wants its runtime first in the library list; the VFS is not instrumented.
std::map<std::string, std::string> fault_env(const std::string& control_path) {
  std::string asan = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
  if (!asan.empty()) asan += ":";
  asan += "verify_asan_link_order=0";
  return {{"LD_PRELOAD", EMUSCIM_FAULT_VFS}, {faults::control_env, control_path}, {"ASAN_OPTIONS", asan}};
}

// What the server acknowledged: the expected content of one provisioning run.
struct idp_model {
  struct user {
    std::string id;
    bool active = true;
    std::string display;
  };
  struct group {
    std::string id;
    std::string display;
    std::set<std::string> members;  // user ids
  };
  std::map<std::string, user> users;    // by userName
  std::map<std::string, group> groups;  // by the run's key ("g1", "g2")
};

enum class outcome { ok, failed, skipped };

// One request of the run: nullopt from send() when its subject was never created (an earlier
// request failed); commit() applies a 2xx to the model.
struct http_step {
  std::string name;
  std::function<std::optional<reply>(client&, const idp_model&)> send;
  std::function<void(idp_model&, const json&)> commit;
};

std::vector<http_step> provisioning_run(const std::string& p) {
  std::vector<http_step> steps;
  auto uname = [p](int i) { return p + "-u" + std::to_string(i) + "@example.com"; };
  auto ids = [](const idp_model& m, const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& n : names) {
      if (auto it = m.users.find(n); it != m.users.end()) out.push_back(it->second.id);
    }
    return out;
  };
  for (int i = 1; i <= 4; ++i) {
    steps.push_back({"POST user " + std::to_string(i),
                     [=](client& c, const idp_model&) -> std::optional<reply> {
                       return c.post("Users", make_user(uname(i), p + "-e" + std::to_string(i)));
                     },
                     [=](idp_model& m, const json& body) {
                       m.users[uname(i)] = {body.at("id"), true, "Display " + uname(i)};
                     }});
  }
  auto post_group = [=](const std::string& key, std::vector<std::string> members) {
    return http_step{"POST group " + key,
                     [=](client& c, const idp_model& m) -> std::optional<reply> {
                       return c.post("Groups", make_group(p + "-" + key, p + "-x" + key, ids(m, members)));
                     },
                     [=](idp_model& m, const json& body) {
                       auto member_ids = ids(m, members);
                       m.groups[key] = {body.at("id"), p + "-" + key, {member_ids.begin(), member_ids.end()}};
                     }};
  };
  steps.push_back(post_group("g1", {uname(1), uname(2)}));
  steps.push_back(post_group("g2", {}));
  steps.push_back({"PATCH g2 add members",
                   [=](client& c, const idp_model& m) -> std::optional<reply> {
                     if (!m.groups.contains("g2")) return std::nullopt;
                     auto add = ids(m, {uname(3), uname(4)});
                     if (add.empty()) return std::nullopt;
                     return c.patch("Groups/" + m.groups.at("g2").id + "?excludedAttributes=members",
                                    make_patch(json::array({patch_op("add", "members", member_values(add))})));
                   },
                   [=](idp_model& m, const json&) {
                     for (const auto& id : ids(m, {uname(3), uname(4)})) m.groups["g2"].members.insert(id);
                   }});
  steps.push_back({"PATCH g1 remove member",
                   [=](client& c, const idp_model& m) -> std::optional<reply> {
                     if (!m.groups.contains("g1") || !m.users.contains(uname(1))) return std::nullopt;
                     const auto filter = "members[value eq \"" + m.users.at(uname(1)).id + "\"]";
                     return c.patch("Groups/" + m.groups.at("g1").id, make_patch(json::array({patch_op("remove", filter)})));
                   },
                   [=](idp_model& m, const json&) { m.groups["g1"].members.erase(m.users.at(uname(1)).id); }});
  steps.push_back({"PATCH user 2 active false",
                   [=](client& c, const idp_model& m) -> std::optional<reply> {
                     if (!m.users.contains(uname(2))) return std::nullopt;
                     return c.patch("Users/" + m.users.at(uname(2)).id,
                                    make_patch(json::array({patch_op("replace", "active", false)})));
                   },
                   [=](idp_model& m, const json&) { m.users[uname(2)].active = false; }});
  steps.push_back({"PUT user 3",
                   [=](client& c, const idp_model& m) -> std::optional<reply> {
                     if (!m.users.contains(uname(3))) return std::nullopt;
                     return c.put("Users/" + m.users.at(uname(3)).id,
                                  make_user(uname(3), p + "-e3", {.display_name = "Renamed " + p}));
                   },
                   [=](idp_model& m, const json&) { m.users[uname(3)].display = "Renamed " + p; }});
  steps.push_back({"PATCH g1 displayName",
                   [=](client& c, const idp_model& m) -> std::optional<reply> {
                     if (!m.groups.contains("g1")) return std::nullopt;
                     return c.patch("Groups/" + m.groups.at("g1").id,
                                    make_patch(json::array({patch_op("replace", "displayName", json(p + "-g1-renamed"))})));
                   },
                   [=](idp_model& m, const json&) { m.groups["g1"].display = p + "-g1-renamed"; }});
  steps.push_back({"DELETE user 4",
                   [=](client& c, const idp_model& m) -> std::optional<reply> {
                     if (!m.users.contains(uname(4))) return std::nullopt;
                     return c.del("Users/" + m.users.at(uname(4)).id);
                   },
                   [=](idp_model& m, const json&) {
                     const auto id = m.users.at(uname(4)).id;
                     m.users.erase(uname(4));
                     for (auto& [k, g] : m.groups) g.members.erase(id);
                   }});
  steps.push_back({"DELETE group g2",
                   [=](client& c, const idp_model& m) -> std::optional<reply> {
                     if (!m.groups.contains("g2")) return std::nullopt;
                     return c.del("Groups/" + m.groups.at("g2").id);
                   },
                   [=](idp_model& m, const json&) { m.groups.erase("g2"); }});
  return steps;
}

// The server's content for run `p` against the model; "" when they agree.
std::string compare(client& c, const std::string& p, const idp_model& m) {
  std::string out;
  std::map<std::string, json> users;
  for (const auto& u : list_all(c, "Users")) {
    if (u.value("userName", "").starts_with(p + "-")) users[u["userName"]] = u;
  }
  for (const auto& [name, u] : users) {
    auto it = m.users.find(name);
    if (it == m.users.end()) {
      out += "user " + name + " exists, but its POST failed or its DELETE succeeded\n";
      continue;
    }
    if (u["id"] != it->second.id) out += "user " + name + " has another id\n";
    if (u.value("active", true) != it->second.active) out += "user " + name + ": active differs\n";
    if (u.value("displayName", "") != it->second.display) out += "user " + name + ": displayName differs\n";
  }
  for (const auto& [name, u] : m.users) {
    if (!users.contains(name)) out += "user " + name + " was acknowledged but is missing\n";
  }
  std::map<std::string, json> groups;
  for (const auto& g : list_all(c, "Groups")) {
    if (g.value("displayName", "").starts_with(p + "-")) groups[g["id"]] = g;
  }
  std::set<std::string> expected_ids;
  for (const auto& [key, g] : m.groups) {
    expected_ids.insert(g.id);
    auto it = groups.find(g.id);
    if (it == groups.end()) {
      out += "group " + g.display + " was acknowledged but is missing\n";
      continue;
    }
    if (it->second["displayName"] != g.display) out += "group " + g.display + ": displayName differs\n";
    auto members = member_ids(it->second);
    if (std::set<std::string>(members.begin(), members.end()) != g.members) {
      out += "group " + g.display + ": members differ from what was acknowledged\n";
    }
  }
  for (const auto& [id, g] : groups) {
    if (!expected_ids.contains(id)) out += "group " + g["displayName"].get<std::string>() + " should not exist\n";
  }
  return out;
}

class StorageFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("emuscim-faults-" + random_uuid());
    std::filesystem::create_directories(dir_);
    control_ = control_file((dir_ / "control").string(), true);
    options_.env = fault_env(control_.path());
    options_.extra_args = {"--threads", "2"};
    ASSERT_NO_THROW(srv_.start(options_));
    options_.db_path = srv_.db_path();
    ASSERT_GE(control_.attached(), 1) << "the fault VFS did not register inside the server";
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "--- server log tail ---\n%s\n", srv_.log_tail(40).c_str());
    srv_.kill9();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  struct run_result {
    idp_model model;
    int failures = 0;
    std::vector<std::string> problems;
  };

  // Runs the steps; stops after the first failure when `stop_at_failure`. A failure must be
  // `expected_status` with a SCIM error body, in under 5 s.
  run_result run(client& c, const std::vector<http_step>& steps, int expected_status, bool stop_at_failure) {
    run_result r;
    for (const auto& s : steps) {
      const auto t0 = clock_type::now();
      std::optional<reply> rep;
      try {
        rep = s.send(c, r.model);
      } catch (const std::exception& e) {
        r.problems.push_back(s.name + ": no answer (" + e.what() + ")");
        ++r.failures;
        if (stop_at_failure) break;
        continue;
      }
      if (!rep) continue;
      const auto took = ms_since(t0);
      if (rep->status >= 200 && rep->status < 300) {
        s.commit(r.model, rep->status == 204 ? json() : rep->json());
        continue;
      }
      ++r.failures;
      if (rep->status != expected_status || !is_scim_error(*rep, expected_status)) {
        r.problems.push_back(s.name + ": expected " + std::to_string(expected_status) + ", got " +
                             std::to_string(rep->status) + " " + rep->body);
      }
      if (took > 5s) r.problems.push_back(s.name + ": the failure took " + std::to_string(took.count()) + " ms");
      if (stop_at_failure) break;
    }
    return r;
  }

  void kill_and_restart() {
    srv_.kill9();
    EXPECT_EQ(sqlite_check(srv_.db_path()), "ok\n") << "integrity of the files the kill left";
    ASSERT_NO_THROW(srv_.start(options_));
  }

  // Storage calls of `target` made by one clean run (the fault disarmed).
  std::int64_t calls_per_run(op target = op::all) {
    auto c = make_client(srv_);
    const auto before = control_.calls(target);
    auto r = run(c, provisioning_run(unique("cal")), 0, false);
    EXPECT_EQ(r.failures, 0);
    return control_.calls(target) - before;
  }

  std::filesystem::path dir_;
  control_file control_;
  server_options options_;
  server_process srv_;
};

// One storage call fails (for N across the run, both faults); the server is killed right after
// the first failed request — the moment where a 5xx'd transaction could still sit complete in
// the WAL — then restarted on the same files.
TEST_F(StorageFaults, oneFailedCallAcrossTheRunThenKill9) {
  const std::int64_t total = calls_per_run(op::all);
  const std::int64_t syncs = calls_per_run(op::sync);
  ASSERT_GT(syncs, 12) << "a run of 13 writes should make more storage calls; is the fault VFS installed?";
  std::printf("[faults] a provisioning run makes %lld storage calls, %lld of them xSync\n",
              static_cast<long long>(total), static_cast<long long>(syncs));
  // CI: 10 calls spread over the run with both faults, and 6 of its fsyncs (where a failed
  // commit can sit complete in the WAL). EMUSCIM_FAULT_SWEEP=full: every call, both faults.
  struct sample {
    op target;
    std::int64_t n;
    fault_kind kind;
  };
  std::vector<sample> samples;
  if (full_sweep()) {
    for (std::int64_t n = 1; n <= total; ++n) {
      for (fault_kind kind : {fault_kind::full, fault_kind::ioerr}) samples.push_back({op::all, n, kind});
    }
  } else {
    for (std::int64_t i = 0; i < 10; ++i) {
      for (fault_kind kind : {fault_kind::full, fault_kind::ioerr}) samples.push_back({op::all, 1 + i * (total - 1) / 9, kind});
    }
    for (std::int64_t i = 0; i < 6; ++i) samples.push_back({op::sync, 1 + i * (syncs - 1) / 5, fault_kind::ioerr});
  }
  std::size_t with_failure = 0;
  for (const auto& s : samples) {
    SCOPED_TRACE(std::string(faults::kind_name(s.kind)) + " on " + faults::op_name(s.target) + " call #" +
                 std::to_string(s.n) + " of the run");
    const std::string p = unique("k");
    auto c = make_client(srv_, 10s);
    control_.arm(s.kind, s.target, s.n);
    auto r = run(c, provisioning_run(p), s.kind == fault_kind::full ? 507 : 503, true);
    control_.clear();
    for (const auto& problem : r.problems) ADD_FAILURE() << problem;
    if (r.failures > 0) ++with_failure;
    kill_and_restart();
    if (HasFatalFailure()) return;
    auto after = make_client(srv_);
    EXPECT_EQ(compare(after, p, r.model), "");
  }
  EXPECT_GE(with_failure * 2, samples.size()) << "most sampled calls should have failed a request";
}

// The fault lasts from the N-th call on (disk full until space is freed; a file system that
// fails every write): each further write fails fast with the same status, reads and /healthz
// keep working, /readyz is 503; the fault clears: the same process writes again, /readyz 200.
TEST_F(StorageFaults, lastingFaultThenRecoveryWithoutRestart) {
  const std::int64_t total = calls_per_run();
  const int points = full_sweep() ? 12 : 4;
  for (int i = 1; i <= points; ++i) {
    const std::int64_t n = i * total / (points + 1);
    const fault_kind kind = i % 2 ? fault_kind::full : fault_kind::ioerr;
    const int expected = kind == fault_kind::full ? 507 : 503;
    SCOPED_TRACE(std::string(faults::kind_name(kind)) + " from storage call #" + std::to_string(n) + " on");
    const std::string p = unique("l");
    auto c = make_client(srv_, 10s);
    control_.arm(kind, op::all, n, -1);
    auto r = run(c, provisioning_run(p), expected, false);
    for (const auto& problem : r.problems) ADD_FAILURE() << problem;
    ASSERT_GT(r.failures, 0);
    EXPECT_EQ(c.get("/readyz", {{"authorization", std::nullopt}}).status, 503);
    EXPECT_EQ(c.get("/healthz", {{"authorization", std::nullopt}}).status, 200);
    EXPECT_EQ(compare(c, p, r.model), "") << "reads during the fault";
    const std::string sqlite_name = kind == fault_kind::full ? "SQLITE_FULL" : "SQLITE_IOERR";
    EXPECT_TRUE(srv_.wait_for_log(std::regex("error.*store: write failed.*sqlite=" + sqlite_name), 2s))
        << "no error-level log line naming " << sqlite_name;

    control_.clear();
    // The writer retries on its own (every second); /readyz follows without any request.
    const auto t0 = clock_type::now();
    while (c.get("/readyz", {{"authorization", std::nullopt}}).status != 200 && ms_since(t0) < 5s) {
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(c.get("/readyz", {{"authorization", std::nullopt}}).status, 200) << "still not ready 5 s after the fault";
    EXPECT_TRUE(srv_.wait_for_log(std::regex("store: writes work again"), 1s));
    // Serving again, same process: a whole new run succeeds.
    const std::string q = unique("r");
    auto again = run(c, provisioning_run(q), 0, false);
    EXPECT_EQ(again.failures, 0);
    EXPECT_EQ(compare(c, p, r.model), "");
    EXPECT_EQ(compare(c, q, again.model), "");
    // And all of it survives a restart.
    kill_and_restart();
    if (HasFatalFailure()) return;
    auto after = make_client(srv_);
    EXPECT_EQ(compare(after, p, r.model), "");
    EXPECT_EQ(compare(after, q, again.model), "");
  }
}

}  // namespace
}  // namespace emuscim::test
