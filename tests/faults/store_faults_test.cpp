// store::database under storage faults, swept over every storage call of a provisioning run
// (docs/RELIABILITY.md). For each N and fault, a forked child opens a copy of a seeded
// database through the fault VFS, runs the run (users, groups, membership changes, a
// deactivation, deletions) with the N-th xWrite/xSync/xTruncate failing, and then dies with
// _exit() as if killed: either right after the first failed write ("crash"), or after the
// rest of the run and, for a fault that lasts, after it cleared ("continue"). The parent then
// opens the file without faults and checks:
//   - every write that succeeded is there, and nothing of a failed one (a 5xx changes nothing,
//     even when the process dies right after answering it: the writer seals the WAL first);
//   - every failed write got 507 for a full disk and 503 for an I/O error, within 5 s;
//   - once the fault clears, the same database object writes again (no restart);
//   - PRAGMA integrity_check and foreign_key_check are ok.
// The run is swept twice: as is, and with a WAL checkpoint after nearly every commit (so faults
// also hit checkpoints and WAL truncation, after the COMMIT succeeded). CI takes a sample;
// EMUSCIM_FAULT_SWEEP=full takes every N with both faults on a longer run (docs/RELIABILITY.md).

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emuscim/store/database.hpp"
#include "emuscim/store/repo.hpp"
#include "fault_control.hpp"

extern "C" int emuscim_fault_vfs_install(const char* control_path);

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using namespace emuscim;
using namespace emuscim::store;
using emuscim::test::faults::control_file;
using emuscim::test::faults::fault_kind;
using emuscim::test::faults::op;

namespace {

bool full_sweep() {
  const char* v = std::getenv("EMUSCIM_FAULT_SWEEP");
  return v != nullptr && std::string(v) == "full";
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/emuscim-faults-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() {
    if (std::getenv("EMUSCIM_FAULTS_KEEP_TMP") == nullptr) fs::remove_all(path);
  }
};

// What the run has done so far, as acknowledged by the store: the expected database content.
struct model {
  std::int64_t enterprise = 0;
  std::map<std::string, std::pair<bool, std::string>> users;  // id -> active, displayName
  std::map<std::string, std::set<std::string>> groups;        // id -> member ids
};

json to_json(const model& m) {
  json u = json::object();
  for (const auto& [id, v] : m.users) u[id] = {v.first, v.second};
  json g = json::object();
  for (const auto& [id, members] : m.groups) g[id] = std::vector<std::string>(members.begin(), members.end());
  return {{"users", u}, {"groups", g}};
}

user_row new_user(std::int64_t ent, const std::string& name, const std::string& now) {
  user_row u;
  u.enterprise_id = ent;
  u.id = "u-" + name;
  u.user_name = name + "@example.com";
  u.external_id = "ext-" + name;
  u.display_name = "Display " + name;
  u.login = name + "_acme";
  u.current_login = u.login;
  u.email = u.user_name;
  // A document of a realistic size, so a run spans many pages and WAL frames.
  u.doc = json{{"userName", u.user_name}, {"displayName", *u.display_name}, {"active", true},
               {"padding", std::string(600, static_cast<char>('a' + name.size() % 26))}}
              .dump();
  u.created = u.modified = now;
  return u;
}

void audit(connection& db, std::int64_t ent, const std::string& now, const std::string& action,
           const std::string& resource) {
  audit_row a;
  a.enterprise_id = ent;
  a.created = now;
  a.action = action;
  a.request_id = "req-" + resource;
  a.resource_id = resource;
  a.data = json{{"resource", resource}, {"note", std::string(200, 'x')}}.dump();
  insert_audit(db, a);
}

// One step of the run: a write job that reads the model (never the database) to decide what
// to do, and a commit function that applies the step to the model once the store acknowledged
// it. A failed step changes neither.
struct step {
  std::string name;
  std::function<scim::result<bool>(write_context&, const model&)> job;
  std::function<void(model&)> commit;
};

// `checkpoints`: every job first sets a tiny WAL autocheckpoint and journal_size_limit 0, so
// the run also checkpoints (xWrite/xSync on the database file) and truncates the WAL
// (xTruncate): faults there hit after a COMMIT succeeded and must not fail the request.
std::vector<step> provisioning_run(int users, bool checkpoints) {
  std::vector<step> steps;
  auto uid = [](int i) { return "u-user" + std::to_string(i); };
  for (int i = 1; i <= users; ++i) {
    steps.push_back({"create user " + std::to_string(i),
                     [i](write_context& w, const model& m) -> scim::result<bool> {
                       auto u = new_user(m.enterprise, "user" + std::to_string(i), w.now);
                       insert_user(w.db, u);
                       audit(w.db, m.enterprise, w.now, "external_identity.provision", u.id);
                       return true;
                     },
                     [i, uid](model& m) { m.users[uid(i)] = {true, "Display user" + std::to_string(i)}; }});
  }
  // Groups: g1 with the first half, g2 empty then filled; membership changes; a deactivation;
  // a rename; a user deletion (leaves its groups); a group deletion.
  auto make_group = [](const std::string& gid, std::vector<std::string> members) {
    return [gid, members](write_context& w, const model& m) -> scim::result<bool> {
      group_row g;
      g.enterprise_id = m.enterprise;
      g.id = gid;
      g.display_name = "Group " + gid;
      g.external_id = "ext-" + gid;
      g.doc = json{{"displayName", g.display_name}}.dump();
      g.created = g.modified = w.now;
      insert_group(w.db, g);
      for (const auto& id : members) {
        if (!m.users.contains(id)) continue;
        g.member_count += add_member(w.db, g.seq, *user_seq(w.db, m.enterprise, id));
      }
      update_group(w.db, g);
      audit(w.db, m.enterprise, w.now, "external_group.provision", gid);
      return true;
    };
  };
  auto existing = [](const model& m, const std::vector<std::string>& ids) {
    std::set<std::string> out;
    for (const auto& id : ids) {
      if (m.users.contains(id)) out.insert(id);
    }
    return out;
  };
  std::vector<std::string> half, rest;
  for (int i = 1; i <= users; ++i) (i <= users / 2 ? half : rest).push_back(uid(i));
  steps.push_back({"create group g1 with members", make_group("g1", half),
                   [half, existing](model& m) { m.groups["g1"] = existing(m, half); }});
  steps.push_back({"create group g2", make_group("g2", {}), [](model& m) { m.groups["g2"] = {}; }});
  // Membership PATCH: add the other half to g2, remove the first user from g1.
  auto change_members = [](const std::string& gid, std::vector<std::string> add, std::vector<std::string> remove) {
    return [gid, add, remove](write_context& w, const model& m) -> scim::result<bool> {
      if (!m.groups.contains(gid)) return scim::fail(scim::not_found("no group " + gid));
      auto g = find_group(w.db, m.enterprise, gid);
      for (const auto& id : add) {
        if (m.users.contains(id)) g->member_count += add_member(w.db, g->seq, *user_seq(w.db, m.enterprise, id));
      }
      for (const auto& id : remove) {
        if (m.users.contains(id)) g->member_count -= remove_member(w.db, g->seq, *user_seq(w.db, m.enterprise, id));
      }
      g->modified = w.now;
      update_group(w.db, *g);
      audit(w.db, m.enterprise, w.now, "external_group.update", gid);
      return true;
    };
  };
  auto apply_members = [](const std::string& gid, std::vector<std::string> add, std::vector<std::string> remove) {
    return [gid, add, remove](model& m) {
      auto& g = m.groups[gid];
      for (const auto& id : add) {
        if (m.users.contains(id)) g.insert(id);
      }
      for (const auto& id : remove) g.erase(id);
    };
  };
  steps.push_back({"add members to g2", change_members("g2", rest, {}), apply_members("g2", rest, {})});
  steps.push_back({"remove a member from g1", change_members("g1", {}, {uid(1)}), apply_members("g1", {}, {uid(1)})});
  // Deactivate user 2, rename user 3.
  auto update = [](std::string id, bool active, std::string display) {
    return [id, active, display](write_context& w, const model& m) -> scim::result<bool> {
      if (!m.users.contains(id)) return scim::fail(scim::not_found("no user " + id));
      auto u = find_user(w.db, m.enterprise, id);
      u->active = active;
      u->display_name = display;
      u->modified = w.now;
      update_user(w.db, *u);
      audit(w.db, m.enterprise, w.now, active ? "external_identity.update" : "user.suspend", id);
      return true;
    };
  };
  auto apply_update = [](std::string id, bool active, std::string display) {
    return [id, active, display](model& m) { m.users[id] = {active, display}; };
  };
  steps.push_back({"deactivate user 2", update(uid(2), false, "Display user2"), apply_update(uid(2), false, "Display user2")});
  steps.push_back({"rename user 3", update(uid(3), true, "Renamed 3"), apply_update(uid(3), true, "Renamed 3")});
  const std::string gone = uid(users);
  steps.push_back({"delete user " + std::to_string(users),
                   [gone](write_context& w, const model& m) -> scim::result<bool> {
                     if (!m.users.contains(gone)) return scim::fail(scim::not_found("no user " + gone));
                     auto u = find_user(w.db, m.enterprise, gone);
                     // The caller keeps member_count (repo.hpp): as the users service does.
                     for (const auto& [gid, members] : m.groups) {
                       if (!members.contains(gone)) continue;
                       auto g = find_group(w.db, m.enterprise, gid);
                       g->member_count -= remove_member(w.db, g->seq, u->seq);
                       update_group(w.db, *g);
                     }
                     delete_user(w.db, *u, w.now);
                     audit(w.db, m.enterprise, w.now, "external_identity.deprovision", gone);
                     return true;
                   },
                   [gone](model& m) {
                     m.users.erase(gone);
                     for (auto& [gid, members] : m.groups) members.erase(gone);
                   }});
  steps.push_back({"delete group g2",
                   [](write_context& w, const model& m) -> scim::result<bool> {
                     if (!m.groups.contains("g2")) return scim::fail(scim::not_found("no group g2"));
                     delete_group(w.db, *find_group(w.db, m.enterprise, "g2"));
                     audit(w.db, m.enterprise, w.now, "external_group.delete", "g2");
                     return true;
                   },
                   [](model& m) { m.groups.erase("g2"); }});
  if (checkpoints) {
    for (auto& s : steps) {
      s.job = [inner = std::move(s.job)](write_context& w, const model& m) -> scim::result<bool> {
        w.db.exec("PRAGMA wal_autocheckpoint = 4; PRAGMA journal_size_limit = 0");
        return inner(w, m);
      };
    }
  }
  return steps;
}

// Compares the database with the model; returns "" when they agree.
std::string check_content(const std::string& path, const model& m) {
  std::ostringstream out;
  database db({.path = path, .durable = true});
  db.read([&](connection& c) {
    auto ent = find_enterprise(c, "acme");
    if (!ent) {
      out << "enterprise acme is missing\n";
      return 0;
    }
    auto users = list_users(c, ent->id, 0, 10000, std::nullopt);
    std::set<std::string> seen;
    for (const auto& u : users.rows) {
      seen.insert(u.id);
      auto it = m.users.find(u.id);
      if (it == m.users.end()) {
        out << "user " << u.id << " exists but its creation failed or it was deleted\n";
      } else if (u.active != it->second.first || u.display_name.value_or("") != it->second.second) {
        out << "user " << u.id << " is active=" << u.active << " '" << u.display_name.value_or("")
            << "', expected active=" << it->second.first << " '" << it->second.second << "'\n";
      }
    }
    for (const auto& [id, v] : m.users) {
      if (!seen.contains(id)) out << "user " << id << " was acknowledged but is missing\n";
    }
    if (ent->user_count != static_cast<std::int64_t>(m.users.size())) {
      out << "enterprise user_count " << ent->user_count << ", expected " << m.users.size() << "\n";
    }
    auto groups = list_groups(c, ent->id, 0, 10000, std::nullopt);
    std::set<std::string> gseen;
    for (const auto& g : groups.rows) {
      gseen.insert(g.id);
      auto it = m.groups.find(g.id);
      if (it == m.groups.end()) {
        out << "group " << g.id << " exists but its creation failed or it was deleted\n";
        continue;
      }
      std::set<std::string> members;
      for (const auto& mem : list_members(c, g.seq)) members.insert(mem.id);
      if (members != it->second) out << "group " << g.id << " has other members than acknowledged\n";
      if (g.member_count != static_cast<std::int64_t>(it->second.size())) {
        out << "group " << g.id << " member_count " << g.member_count << ", expected " << it->second.size() << "\n";
      }
    }
    for (const auto& [id, v] : m.groups) {
      if (!gseen.contains(id)) out << "group " << id << " was acknowledged but is missing\n";
    }
    if (ent->group_count != static_cast<std::int64_t>(m.groups.size())) {
      out << "enterprise group_count " << ent->group_count << ", expected " << m.groups.size() << "\n";
    }
    return 0;
  });
  return out.str();
}

// "ok" when PRAGMA integrity_check and foreign_key_check find nothing.
std::string integrity(const std::string& path) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    out = std::string("open: ") + sqlite3_errmsg(db);
    sqlite3_close(db);
    return out;
  }
  auto collect = [](void* o, int n, char** vals, char**) {
    auto* s = static_cast<std::string*>(o);
    for (int i = 0; i < n; ++i) {
      *s += vals[i] ? vals[i] : "NULL";
      *s += i + 1 < n ? "|" : "\n";
    }
    return 0;
  };
  char* err = nullptr;
  if (sqlite3_exec(db, "PRAGMA integrity_check; PRAGMA foreign_key_check;", collect, &out, &err) != SQLITE_OK) {
    out += std::string("error: ") + (err ? err : "?");
    sqlite3_free(err);
  }
  sqlite3_close(db);
  return out == "ok\n" ? "ok" : out;
}

enum class after_failure { crash, carry_on };

struct sweep_case {
  fault_kind kind = fault_kind::none;
  op target = op::all;
  std::int64_t nth = 0;     // the nth call of `target` after the database is open fails
  std::int64_t count = 1;   // how many fail (< 0: all until cleared at the end of the run)
  after_failure then = after_failure::crash;
};

std::string describe(const sweep_case& c) {
  std::ostringstream s;
  s << emuscim::test::faults::kind_name(c.kind) << " on " << emuscim::test::faults::op_name(c.target) << " #" << c.nth
    << (c.count < 0 ? " and every one after until cleared" : "")
    << (c.then == after_failure::crash ? ", killed after the first failed write" : ", run to the end");
  return s.str();
}

class StoreFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    control_ = control_file((dir_.path / "control").string(), true);
    template_ = (dir_.path / "template.db").string();
    database db({.path = template_, .durable = true});
    enterprise_ = db.write_sync<enterprise_row>([](write_context& w) -> scim::result<enterprise_row> {
                      return ensure_enterprise(w.db, "acme", "acme", w.now).first;
                    })->id;
  }

  struct outcome {
    bool exited = false;       // the child ran to its end (or to its deliberate crash)
    json report;               // what the child wrote
    std::string problem;       // why the case fails ("" = fine)
  };

  // Runs one case in a forked child on a fresh copy of the template; returns what it reported.
  outcome run_case(const sweep_case& c, const std::vector<step>& steps, const std::string& work) {
    // A stale -wal next to the copy would be replayed into it: SQLite does not tie a WAL to its file.
    for (const char* suffix : {"-wal", "-shm"}) fs::remove(work + suffix);
    fs::copy_file(template_, work, fs::copy_options::overwrite_existing);
    const std::string report_path = work + ".report.json";
    fs::remove(report_path);
    fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) _exit(child(c, steps, work, report_path));
    outcome o;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    int st = 0;
    for (;;) {
      pid_t r = waitpid(pid, &st, WNOHANG);
      if (r == pid) break;
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        o.problem = "the run did not finish within 60 s (a hang)";
        return o;
      }
      std::this_thread::sleep_for(2ms);
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      o.problem = "child failed (status " + std::to_string(st) + ")";
    }
    std::ifstream in(report_path);
    if (!in) {
      o.problem += " no report";
      return o;
    }
    o.report = json::parse(in);
    o.exited = true;
    return o;
  }

  // The child: the fault VFS, the run, the report, then _exit (no destructors: like kill -9).
  int child(const sweep_case& c, const std::vector<step>& steps, const std::string& work, const std::string& report) {
    json out = {{"steps", json::array()}, {"problems", json::array()}};
    auto write_report = [&](const model& m) {
      out["model"] = to_json(m);
      std::ofstream f(report + ".tmp");
      f << out.dump();
      f.close();
      fs::rename(report + ".tmp", report);
    };
    if (emuscim_fault_vfs_install(control_.path().c_str()) != SQLITE_OK) return 3;
    auto* db = new database({.path = work, .durable = true, .recovery_interval = 20ms});  // never destroyed
    model m;
    m.enterprise = enterprise_;
    control_.arm(c.kind, c.target, c.nth, c.count);
    bool failed_once = false;
    for (const auto& s : steps) {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = db->write_sync<bool>([&](write_context& w) { return s.job(w, m); });
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
      json entry = {{"step", s.name}, {"status", r ? 200 : r.error().status}, {"ms", ms.count()}};
      if (!r) entry["detail"] = r.error().detail;
      out["steps"].push_back(entry);
      if (r) {
        s.commit(m);
        continue;
      }
      if (r.error().status == 404) continue;  // depends on an earlier step that failed
      failed_once = true;
      if (c.then == after_failure::crash) {
        write_report(m);
        _exit(0);
      }
    }
    if (c.count < 0 || failed_once) {
      // The fault is over: the same database object must write again, without a restart.
      control_.clear();
      auto r = db->write_sync<bool>([&](write_context& w) -> scim::result<bool> {
        auto u = new_user(m.enterprise, "after", w.now);
        insert_user(w.db, u);
        return true;
      });
      out["after_fault"] = r ? 200 : r.error().status;
      if (r) m.users["u-after"] = {true, "Display after"};
      // And /readyz would say so again: the degraded state clears with that write.
      out["ready_after_fault"] = db->ready();
    }
    write_report(m);
    _exit(0);
  }

  // Runs `c` and checks everything the issue asks for; adds failures naming the case.
  void check_case(const sweep_case& c, const std::vector<step>& steps) {
    const std::string work = (dir_.path / "work.db").string();
    auto o = run_case(c, steps, work);
    SCOPED_TRACE(describe(c));
    ASSERT_TRUE(o.problem.empty()) << o.problem;
    const int expected_status = c.kind == fault_kind::full ? 507 : 503;
    int failures = 0;
    for (const auto& s : o.report["steps"]) {
      int status = s["status"];
      if (status == 200 || status == 404) continue;
      ++failures;
      EXPECT_EQ(status, expected_status) << s.dump();
      EXPECT_LT(s["ms"].get<int>(), 5000) << "a failed write took too long: " << s.dump();
    }
    if (c.count < 0 || failures > 0) {
      if (o.report.contains("after_fault")) {
        EXPECT_EQ(o.report["after_fault"], 200) << "no write worked after the fault cleared";
        EXPECT_EQ(o.report["ready_after_fault"], true);
      }
    }
    ++cases_;
    if (failures > 0) ++cases_with_failures_;
    model m;
    m.enterprise = enterprise_;
    for (const auto& [id, v] : o.report["model"]["users"].items()) m.users[id] = {v[0], v[1]};
    for (const auto& [id, v] : o.report["model"]["groups"].items()) {
      m.groups[id] = std::set<std::string>(v.begin(), v.end());
    }
    // Integrity first, on the files exactly as the "killed" child left them.
    EXPECT_EQ(integrity(work), "ok");
    EXPECT_EQ(check_content(work, m), "") << o.report["steps"].dump();
  }

  // Counts the storage calls of one clean run.
  std::int64_t calls_in_run(const std::vector<step>& steps, op target) {
    const std::string work = (dir_.path / "count.db").string();
    const auto before = control_.calls(target);
    auto o = run_case({fault_kind::none, target, 0, 0, after_failure::carry_on}, steps, work);
    EXPECT_TRUE(o.problem.empty()) << o.problem;
    for (const auto& s : o.report["steps"]) EXPECT_EQ(s["status"], 200) << "the clean run failed: " << s.dump();
    return control_.calls(target) - before;
  }

  temp_dir dir_;
  control_file control_;
  std::string template_;
  std::int64_t enterprise_ = 0;
  int cases_ = 0;
  int cases_with_failures_ = 0;
};

// How much of the sweep runs: CI takes a sample sized to a few seconds per test; with
// EMUSCIM_FAULT_SWEEP=full every N, both faults, on a longer run.
struct sweep_plan {
  int users;          // the run creates this many users (and two groups, PATCHes, deletions)
  std::int64_t stride;  // every stride-th storage call
  bool both_kinds;    // both faults for each N (else they alternate)
};
sweep_plan plan(std::int64_t ci_stride) {
  return full_sweep() ? sweep_plan{12, 1, true} : sweep_plan{6, ci_stride, false};
}

// Every storage call of the run (CI: every 2nd without checkpoints, every 12th with them), one
// at a time, the process killed right after the first failed write: the classic "was the
// 5xx'd write applied?" case. Without the writer's seal, this test finds 5xx'd users again.
TEST_F(StoreFaults, everyCallOfARunFailsOnceThenTheProcessDies) {
  for (bool checkpoints : {false, true}) {
    const auto p = plan(checkpoints ? 12 : 2);
    const auto steps = provisioning_run(p.users, checkpoints);
    const std::int64_t total = calls_in_run(steps, op::all);
    ASSERT_GT(total, static_cast<std::int64_t>(steps.size())) << "is the fault VFS installed?";
    std::printf("[faults] a clean run (%s checkpoints) makes %lld storage calls\n", checkpoints ? "with" : "without",
                static_cast<long long>(total));
    int i = 0;
    for (std::int64_t n = 1; n <= total + 1; n += p.stride, ++i) {
      for (fault_kind kind : {fault_kind::full, fault_kind::ioerr}) {
        if (!p.both_kinds && (kind == fault_kind::full) != (i % 2 == 0)) continue;
        check_case({kind, op::all, n, 1, after_failure::crash}, steps);
        if (HasFatalFailure()) return;
      }
    }
  }
  EXPECT_GT(cases_with_failures_, cases_ / 2) << "most injected faults should have failed a write";
}

// Every xSync of the run fails once (an fsync error after the frames were written: the
// failed transaction sits complete in the WAL; or the fsync of a checkpoint after a commit
// succeeded), and the run goes on: later writes work, the 2xx ones all survive.
TEST_F(StoreFaults, everySyncFailsOnceAndTheRunGoesOn) {
  const auto p = plan(2);
  const auto steps = provisioning_run(p.users, true);
  const std::int64_t syncs = calls_in_run(steps, op::sync);
  ASSERT_GE(syncs, static_cast<std::int64_t>(steps.size()));
  for (std::int64_t n = 1; n <= syncs; n += p.stride) {
    check_case({fault_kind::ioerr, op::sync, n, 1, after_failure::carry_on}, steps);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(cases_with_failures_, 0);
}

// A fault that lasts (disk full until space is freed, a file system that fails every write):
// every write from the N-th call on fails fast with the same status; after it clears, the
// same process writes again.
TEST_F(StoreFaults, lastingFaultFromEveryNthCallThenClears) {
  const auto p = plan(11);
  const auto steps = provisioning_run(p.users, true);
  const std::int64_t total = calls_in_run(steps, op::all);
  int i = 0;
  for (std::int64_t n = 1; n <= total; n += p.stride, ++i) {
    for (fault_kind kind : {fault_kind::full, fault_kind::ioerr}) {
      if (!p.both_kinds && (kind == fault_kind::full) != (i % 2 == 0)) continue;
      check_case({kind, op::all, n, -1, after_failure::carry_on}, steps);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(cases_with_failures_, cases_ / 2);
}

}  // namespace
