// Concurrency (issue "Prove it fast and unbreakable"): 64 connections send a random mix of
// user creates (some racing for the same userName), PATCHes (displayName, active false/true,
// emails, roles, name), PUTs, DELETEs, GETs, and group creates, PATCHes (add/remove members,
// rename), PUTs and DELETEs, all on overlapping users and groups. Checked:
//   - no 5xx, no transport error, "database is locked" nowhere (responses and server log);
//   - the outcome is serializable, and in the order the server says it used.
//
// The oracle. The server has one writer thread that runs every write job, one after the other,
// inside its transactions, and each job records its audit events — including exactly one
// `*.scim_api_success` or `*.scim_api_failure` event tagged with the request's
// x-github-request-id — in the same transaction as its change. The audit event ids are
// therefore the serialization order of the writes. The test
//   1. maps every write it sent to its events by x-github-request-id: a 2xx must have exactly
//      one success event (and no failure), a non-2xx no success event;
//   2. replays, one request at a time, on a second fresh server, every write that has an event
//      (successes and store-side failures such as 404/409), in event-id order, translating the
//      ids the first server assigned into the ids the replay server assigned;
//   3. requires each replayed request to get the same status as it got under concurrency (and
//      for users the same resource body), the same sequence of audit actions, and the same
//      final state: users, groups with their members, and the managed accounts (login,
//      suspension, email, role, group ids) of the admin API.
// Writes without any event were rejected before reaching the store (request validation, which
// depends on the request alone); they must be non-2xx and are not replayed.
// Resources are compared by label: the key of the request that created them, which is the
// same on both servers, whereas ids differ.
//
// The workload is random; its seed is printed and EMUSCIM_E2E_SEED=<n> replays the same
// requests (the interleaving is up to the scheduler).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "reliability_support.hpp"
#include "scim_support.hpp"

namespace emuscim::test {
namespace {

using namespace reliability;

const std::string kAdminToken = "emu_admin_concurrency_e2e_0123456789";
constexpr int kConnections = 64;
constexpr int kOpsPerConnection = 16;
constexpr int kSetupUsers = 24;
constexpr int kSetupGroups = 6;  // the last two may be deleted

unsigned test_seed() {
  if (const char* s = std::getenv("EMUSCIM_E2E_SEED"); s != nullptr && *s != '\0') {
    return static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  }
  return std::random_device{}();
}

struct request_record {
  std::string method;
  std::string target;                 // with the first server's ids
  std::optional<std::string> body;    // serialized JSON, first server's ids
  std::string label;                  // for creates: the label of the new resource
  bool user_resource = false;         // target is a user (for response comparison)
  int status = 0;
  std::string request_id;
  std::string response;
};

bool is_write(const std::string& method) { return method != "GET"; }

// Ids of the first server seen so far, and what the workers may pick from.
struct shared_pool {
  std::mutex mu;
  std::vector<std::string> users;
  std::vector<std::string> groups;
  std::vector<std::string> deletable_groups;
  std::map<std::string, std::string> label_of;  // id -> label
  std::map<std::string, std::string> name_of;   // user id -> userName

  std::string name(const std::string& id) {
    std::lock_guard lk(mu);
    return name_of[id];
  }
  std::string pick(std::mt19937& rng, const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  }
  std::string user(std::mt19937& rng) {
    std::lock_guard lk(mu);
    return pick(rng, users);
  }
  std::vector<std::string> users_n(std::mt19937& rng, int n) {
    std::lock_guard lk(mu);
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      auto id = pick(rng, users);
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
    return out;
  }
  std::string group(std::mt19937& rng) {
    std::lock_guard lk(mu);
    return pick(rng, groups);
  }
  std::optional<std::string> deletable_group(std::mt19937& rng) {
    std::lock_guard lk(mu);
    if (deletable_groups.empty()) return std::nullopt;
    return pick(rng, deletable_groups);
  }
  void created(const request_record& r, const std::string& id) {
    std::lock_guard lk(mu);
    label_of[id] = r.label;
    if (r.user_resource) {
      users.push_back(id);
      name_of[id] = json::parse(*r.body).value("userName", "");
    } else {
      groups.push_back(id);
      deletable_groups.push_back(id);
    }
  }
};

// One random request of connection t (k-th of it).
request_record next_request(int t, int k, std::mt19937& rng, shared_pool& pool) {
  request_record r;
  const std::string key = "t" + std::to_string(t) + "k" + std::to_string(k);
  auto roll = std::uniform_int_distribution<int>(0, 99)(rng);
  auto set_body = [&](const json& j) { r.body = j.dump(); };
  if (roll < 12) {  // a new user of its own
    r.method = "POST";
    r.target = "Users";
    r.user_resource = true;
    r.label = key;
    const std::string name = "cc-" + key;
    set_body(make_user(name, "ext-" + name, {.email = name + "@cc.example.com"}));
  } else if (roll < 16) {  // connections race for a userName: one holds it at a time, the rest get 409
    r.method = "POST";
    r.target = "Users";
    r.user_resource = true;
    r.label = key;
    const std::string name = "cc-race-" + std::to_string(std::uniform_int_distribution<int>(0, 3)(rng));
    set_body(make_user(name, "ext-" + name + "-" + key, {.email = name + "@cc.example.com"}));
  } else if (roll < 38) {  // PATCH a user
    r.method = "PATCH";
    r.target = "Users/" + pool.user(rng);
    r.user_resource = true;
    json ops;
    switch (std::uniform_int_distribution<int>(0, 6)(rng)) {
      case 0: ops = {patch_op("replace", "displayName", "Disp " + key)}; break;
      case 1: ops = {patch_op("replace", "active", false)}; break;
      case 2: ops = {patch_op("replace", "active", true)}; break;
      case 3: ops = {patch_op("replace", std::nullopt, json{{"name.givenName", "G" + key}, {"displayName", "D " + key}})}; break;
      case 4:
        ops = {patch_op("replace", "emails",
                        json::array({{{"value", key + "@patched.example.com"}, {"type", "work"}, {"primary", true}}}))};
        break;
      case 5: {
        static const char* roles[] = {"user", "guest_collaborator", "billing_manager", "enterprise_owner"};
        ops = {patch_op("replace", "roles", json::array({{{"value", roles[std::uniform_int_distribution<int>(0, 3)(rng)]}}}))};
        break;
      }
      default:  // two operations in one request: all or nothing
        ops = {patch_op("replace", "active", false), patch_op("replace", "displayName", "Suspended " + key)};
        break;
    }
    set_body(make_patch(ops));
  } else if (roll < 42) {  // PUT a user: same userName (no rename), no externalId (the stored one is kept)
    const std::string id = pool.user(rng);
    r.method = "PUT";
    r.target = "Users/" + id;
    r.user_resource = true;
    json u = make_user(pool.name(id), "unused",
                       {.display_name = "Put " + key, .active = std::uniform_int_distribution<int>(0, 1)(rng) == 1});
    u.erase("externalId");
    u.erase("emails");
    set_body(u);
  } else if (roll < 48) {  // DELETE a user (others keep using its id: 404s, 400s)
    r.method = "DELETE";
    r.target = "Users/" + pool.user(rng);
    r.user_resource = true;
  } else if (roll < 76) {  // PATCH a group
    r.method = "PATCH";
    r.target = "Groups/" + pool.group(rng);
    if (std::uniform_int_distribution<int>(0, 1)(rng) == 0) r.target += "?excludedAttributes=members";
    json ops;
    switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
      case 0:
      case 1: ops = {patch_op("add", "members", member_values(pool.users_n(rng, 3)))}; break;
      case 2: ops = {patch_op("remove", "members", member_values(pool.users_n(rng, 2)))}; break;
      case 3: ops = {patch_op("remove", "members[value eq \"" + pool.user(rng) + "\"]")}; break;
      default:
        ops = {patch_op("replace", "displayName", "CC Group " + key),
               patch_op("add", "members", member_values(pool.users_n(rng, 1)))};
        break;
    }
    set_body(make_patch(ops));
  } else if (roll < 80) {  // PUT a group: new name, new member set
    r.method = "PUT";
    r.target = "Groups/" + pool.group(rng);
    set_body(make_group("CC Put " + key, "ext-put-" + key, pool.users_n(rng, 2)));
  } else if (roll < 84) {  // create a group
    r.method = "POST";
    r.target = "Groups";
    r.label = key;
    set_body(make_group("CC New " + key, "ext-new-" + key, pool.users_n(rng, 2)));
  } else if (roll < 87) {  // DELETE a group (only groups that may go)
    auto g = pool.deletable_group(rng);
    r.method = g ? "DELETE" : "GET";
    r.target = "Groups/" + (g ? *g : pool.group(rng));
  } else {  // reads in between
    r.method = "GET";
    r.target = std::uniform_int_distribution<int>(0, 1)(rng) == 0 ? "Users/" + pool.user(rng) : "Groups/" + pool.group(rng);
  }
  return r;
}

// Replaces every id of the first server in `text` by the replay server's id.
std::string translate(const std::string& text, const std::map<std::string, std::string>& ids) {
  static const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  std::string out;
  std::size_t last = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), uuid), end; it != end; ++it) {
    const auto pos = static_cast<std::size_t>(it->position());
    out.append(text, last, pos - last);
    auto m = ids.find(it->str());
    out += m == ids.end() ? "unmapped-" + it->str() : m->second;
    last = pos + it->str().size();
  }
  out.append(text, last, std::string::npos);
  return out;
}

json without_ids(json user) {
  user.erase("id");
  user.erase("meta");
  return user;
}

struct world {
  std::map<std::string, std::string> label_of;  // id -> label
  std::string label(const std::string& id) const {
    auto it = label_of.find(id);
    return it == label_of.end() ? "unknown-" + id : it->second;
  }
};

// The state a client can see, keyed by label, without ids or timestamps.
json final_state(const server_process& srv, const world& w) {
  client c = make_client(srv);
  client admin = admin_client(srv, kAdminToken);
  json state = {{"users", json::object()}, {"groups", json::object()}, {"accounts", json::object()}};
  for (const auto& u : list_all(c, "Users")) state["users"][w.label(u["id"])] = without_ids(u);
  for (auto g : list_all(c, "Groups")) {
    const std::string label = w.label(g["id"]);
    json members = json::array();
    for (const auto& m : g.value("members", json::array())) {
      members.push_back({{"user", w.label(m.value("value", ""))}, {"display", m.value("display", "")}});
    }
    std::sort(members.begin(), members.end());
    g.erase("id");
    g.erase("meta");
    g["members"] = members;
    state["groups"][label] = g;
  }
  for (auto a : admin_users(admin)) {
    const std::string label = w.label(a["id"]);
    std::vector<std::string> groups;
    for (const auto& gid : a.value("group_ids", json::array())) groups.push_back(w.label(gid));
    std::sort(groups.begin(), groups.end());
    for (const char* k : {"id", "created", "modified", "group_ids"}) a.erase(k);
    a["groups"] = groups;
    state["accounts"][label] = a;
  }
  return state;
}

class Concurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = test_seed();
    std::fprintf(stderr, "[concurrency] seed %u (set EMUSCIM_E2E_SEED=%u to replay the same requests)\n", seed_, seed_);
    RecordProperty("seed", std::to_string(seed_));
    ASSERT_NO_THROW(srv_.start({.env = {{"EMUSCIM_ADMIN_TOKEN", kAdminToken}}}));
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "--- server log tail ---\n%s\n", srv_.log_tail(40).c_str());
  }
  server_process srv_;
  unsigned seed_ = 0;
};

TEST_F(Concurrency, mixedWritesFrom64ConnectionsEqualASerialReplayInCommitOrder) {
  const auto t0 = clock_type::now();
  shared_pool pool;
  std::vector<request_record> history;  // every request, setup included
  std::mutex history_mu;

  auto send_request = [](client& c, const request_record& r) {
    return r.body ? c.request(r.method, r.target, raw_body{*r.body}) : c.request(r.method, r.target);
  };
  auto record = [&](request_record r, const reply& rep) {
    r.status = rep.status;
    r.request_id = rep.header("x-github-request-id");
    r.response = rep.body;
    if (r.method == "POST" && rep.status == 201) pool.created(r, rep.json().value("id", ""));
    std::lock_guard lk(history_mu);
    history.push_back(std::move(r));
  };

  // Setup (part of the history, replayed too): shared users and groups.
  {
    client c = make_client(srv_);
    for (int i = 0; i < kSetupUsers + kSetupGroups; ++i) {
      request_record r;
      r.method = "POST";
      if (i < kSetupUsers) {
        r.label = "setup-u" + std::to_string(i);
        r.target = "Users";
        r.user_resource = true;
        r.body = make_user("cc-" + r.label, "ext-" + r.label, {.email = r.label + "@cc.example.com"}).dump();
      } else {
        r.label = "setup-g" + std::to_string(i - kSetupUsers);
        r.target = "Groups";
        r.body = make_group("CC " + r.label, "ext-" + r.label).dump();
      }
      auto rep = send_request(c, r);
      ASSERT_EQ(rep.status, 201) << rep;
      const bool deletable = i >= kSetupUsers + kSetupGroups - 2;
      record(r, rep);
      if (!deletable && r.target == "Groups") {
        std::lock_guard lk(pool.mu);
        pool.deletable_groups.pop_back();  // the first setup groups stay until the end
      }
    }
  }

  // The storm.
  std::latch start(kConnections);
  std::atomic<int> transport_errors{0};
  run_threads(kConnections, [&](int t) {
    std::mt19937 rng(seed_ ^ (0x9E3779B9u * static_cast<unsigned>(t + 1)));
    client c = make_client(srv_);
    start.arrive_and_wait();
    for (int k = 0; k < kOpsPerConnection; ++k) {
      request_record r = next_request(t, k, rng, pool);
      reply rep;
      try {
        rep = send_request(c, r);
      } catch (const std::exception& e) {
        ++transport_errors;
        ADD_FAILURE() << r.method << " " << r.target << ": " << e.what();
        c.close();
        continue;
      }
      record(std::move(r), rep);
    }
  });
  EXPECT_EQ(transport_errors.load(), 0);
  const auto storm_ms = ms_since(t0).count();

  // No 5xx, no lock errors.
  std::map<int, int> statuses;
  for (const auto& r : history) {
    statuses[r.status]++;
    EXPECT_LT(r.status, 500) << r.method << " " << r.target << " -> " << r.response.substr(0, 500);
    EXPECT_EQ(r.response.find("locked"), std::string::npos) << r.method << " " << r.target << ": " << r.response;
  }
  const std::string log = srv_.log_text();
  EXPECT_EQ(log.find("database is locked"), std::string::npos) << srv_.log_tail(20);
  EXPECT_EQ(log.find("SQLITE_BUSY"), std::string::npos) << srv_.log_tail(20);
  EXPECT_EQ(log.find("request handler failed"), std::string::npos) << srv_.log_tail(20);
  {
    static const std::regex error_line(R"((^|\n)\S+ +(error|critical) )");
    std::smatch m;
    EXPECT_FALSE(std::regex_search(log, m, error_line)) << "error lines in the server log:\n" << srv_.log_tail(20);
  }

  // 1. Every write request <-> its outcome event, and the commit order.
  client admin = admin_client(srv_, kAdminToken);
  json events;
  ASSERT_NO_THROW(events = admin_audit_events(admin));
  struct outcome_event {
    std::int64_t id = 0;
    bool success = false;
    int count = 0;
  };
  std::map<std::string, outcome_event> outcome_of;  // request id -> its scim_api_* event
  std::vector<std::string> actions_a;
  for (const auto& e : events) {
    const std::string action = e.value("action", "");
    actions_a.push_back(action);
    const bool ok = action.ends_with(".scim_api_success");
    if (!ok && !action.ends_with(".scim_api_failure")) continue;
    auto& o = outcome_of[e.value("request_id", "")];
    o.id = o.count == 0 ? e.value("id", std::int64_t{0}) : o.id;
    o.success = ok;
    o.count++;
  }
  // Known server bug (see groupWriteRacingADelete... below): a group PATCH/PUT response is rendered
  // by a separate read after the commit, so when a DELETE of that group commits right after it
  // (same or next batch), the committed write is answered 404. Recognised narrowly — success
  // event, 404 answer, and a later successful DELETE of the same group — counted, and left to
  // the dedicated test; everything else must match exactly.
  std::map<std::string, std::int64_t> group_deleted_at;  // group id -> event id of its DELETE
  for (const auto& r : history) {
    auto it = outcome_of.find(r.request_id);
    if (r.method == "DELETE" && r.target.starts_with("Groups/") && r.status == 204 && it != outcome_of.end()) {
      group_deleted_at[r.target.substr(7)] = it->second.id;
    }
  }
  auto stale_group_render = [&](const request_record& r, std::int64_t event_id) {
    if ((r.method != "PATCH" && r.method != "PUT") || !r.target.starts_with("Groups/") || r.status != 404) return false;
    auto d = group_deleted_at.find(r.target.substr(7, r.target.find('?') == std::string::npos ? std::string::npos
                                                                                              : r.target.find('?') - 7));
    return d != group_deleted_at.end() && d->second > event_id;
  };
  int stale_renders = 0;

  std::vector<std::pair<std::int64_t, const request_record*>> order;
  std::size_t writes = 0;
  for (const auto& r : history) {
    if (!is_write(r.method)) continue;
    ++writes;
    const bool ok = r.status >= 200 && r.status < 300;
    auto it = outcome_of.find(r.request_id);
    if (it == outcome_of.end()) {
      EXPECT_FALSE(ok) << "acknowledged write without an audit event: " << r.method << " " << r.target << " -> "
                       << r.status;
      continue;
    }
    EXPECT_EQ(it->second.count, 1) << "several outcome events for " << r.request_id;
    if (it->second.success && !ok && stale_group_render(r, it->second.id)) {
      ++stale_renders;
    } else {
      EXPECT_EQ(it->second.success, ok) << r.method << " " << r.target << " answered " << r.status
                                        << " but its event says " << (it->second.success ? "success" : "failure")
                                        << ": " << r.response.substr(0, 300);
    }
    order.emplace_back(it->second.id, &r);
  }
  std::sort(order.begin(), order.end());

  // 2. Serial replay on a fresh server, in commit order.
  server_process replay;
  ASSERT_NO_THROW(replay.start({.env = {{"EMUSCIM_ADMIN_TOKEN", kAdminToken}}}));
  world a;
  {
    std::lock_guard lk(pool.mu);
    a.label_of = pool.label_of;
  }
  world b;
  std::map<std::string, std::string> id_map;  // first server id -> replay id
  for (const auto& [id, label] : a.label_of) id_map.emplace(id, "missing-in-replay-" + label);
  client rc = make_client(replay);
  int mismatches = 0;
  for (const auto& [event_id, r] : order) {
    request_record t = *r;
    t.target = translate(r->target, id_map);
    if (r->body) t.body = translate(*r->body, id_map);
    reply rep;
    ASSERT_NO_THROW(rep = send_request(rc, t)) << t.method << " " << t.target;
    const bool known_stale = rep.status == 200 && stale_group_render(*r, event_id);
    if (rep.status != r->status && !known_stale && ++mismatches <= 20) {
      ADD_FAILURE() << "serial replay differs (event " << event_id << "): " << r->method << " " << r->target << " got "
                    << r->status << " under concurrency, " << rep.status << " serially\n concurrent: "
                    << r->response.substr(0, 400) << "\n serial: " << rep.body.substr(0, 400);
    }
    if (r->method == "POST" && rep.status == 201 && r->status == 201) {
      const std::string new_id = rep.json().value("id", "");
      const std::string old_id = json::parse(r->response).value("id", "");
      id_map[old_id] = new_id;
      b.label_of[new_id] = r->label;
    }
    if (r->user_resource && r->method != "DELETE" && rep.status == r->status && rep.status < 300) {
      auto x = json::parse(r->response, nullptr, false), y = rep.try_json().value_or(json());
      if (!x.is_discarded() && without_ids(x) != without_ids(y) && ++mismatches <= 20) {
        ADD_FAILURE() << "user response differs from the serial replay: " << r->method << " " << r->target
                      << "\n concurrent: " << without_ids(x).dump() << "\n serial:     " << without_ids(y).dump();
      }
    }
  }
  EXPECT_EQ(mismatches, 0);

  // 3. Same audit trail, same final state.
  client radmin = admin_client(replay, kAdminToken);
  json events_b;
  ASSERT_NO_THROW(events_b = admin_audit_events(radmin));
  std::vector<std::string> actions_b;
  for (const auto& e : events_b) actions_b.push_back(e.value("action", ""));
  EXPECT_EQ(actions_a.size(), actions_b.size()) << "number of audit events, concurrent vs serial";
  for (std::size_t i = 0; i < std::min(actions_a.size(), actions_b.size()); ++i) {
    if (actions_a[i] != actions_b[i]) {
      ADD_FAILURE() << "audit event #" << i << " differs: " << actions_a[i] << " (concurrent) vs " << actions_b[i]
                    << " (serial replay)";
      break;
    }
  }

  json state_a, state_b;
  ASSERT_NO_THROW(state_a = final_state(srv_, a));
  ASSERT_NO_THROW(state_b = final_state(replay, b));
  for (const char* part : {"users", "groups", "accounts"}) {
    const auto& x = state_a[part];
    const auto& y = state_b[part];
    EXPECT_EQ(x.size(), y.size()) << part;
    for (const auto& [label, value] : x.items()) {
      if (!y.contains(label)) {
        ADD_FAILURE() << part << " " << label << " exists only under concurrency: " << value.dump();
      } else {
        EXPECT_EQ(value, y[label]) << part << " " << label << "\n concurrent: " << value.dump()
                                   << "\n serial:     " << y[label].dump();
      }
    }
    for (const auto& [label, value] : y.items()) {
      if (!x.contains(label)) ADD_FAILURE() << part << " " << label << " exists only in the replay: " << value.dump();
    }
  }
  EXPECT_EQ(metric(rc, "emuscim_users{enterprise=\"acme\"}"), static_cast<double>(state_a["users"].size()));

  std::string summary;
  for (const auto& [s, n] : statuses) summary += " " + std::to_string(s) + "x" + std::to_string(n);
  std::fprintf(stderr,
               "[concurrency] %zu requests (%zu writes, %zu with events) in %lld ms; statuses:%s; "
               "committed group writes answered 404 (known bug): %d; total %lld ms\n",
               history.size(), writes, order.size(), static_cast<long long>(storm_ms), summary.c_str(), stale_renders,
               static_cast<long long>(ms_since(t0).count()));
  RecordProperty("statuses", summary);
}

// A group PATCH or PUT whose change is committed must be answered 2xx, even when a DELETE of
// the group commits right after it. The server renders the group-write response with a second
// read after the commit (groups_service::patch/replace -> render()), so if the writer thread
// commits the DELETE in the same batch (or before that read runs), the client is told 404 for a
// change that was applied and audited as a success. An IdP then believes the write failed.
// Each round: a fresh group, 8 concurrent PATCH/PUTs and one DELETE; every write whose audit
// event says success must have been answered 2xx.
TEST_F(Concurrency, groupWriteRacingADeleteIsNeverAnswered404AfterItCommitted) {
  constexpr int kRoundsMax = 20;
  constexpr int kWriters = 8;
  std::vector<std::string> users;
  {
    client c = make_client(srv_);
    for (int i = 0; i < 4; ++i) {
      const std::string name = "race-del-u" + std::to_string(i);
      auto r = c.post("Users", make_user(name, "ext-" + name));
      ASSERT_EQ(r.status, 201) << r;
      users.push_back(r.json()["id"].get<std::string>());
    }
  }
  struct answer {
    std::string what;
    int status = 0;
    std::string request_id;
  };
  std::vector<answer> answers;
  std::mutex mu;
  for (int round = 0; round < kRoundsMax; ++round) {
    std::string gid;
    {
      client c = make_client(srv_);
      auto g = c.post("Groups", make_group("Race Delete " + std::to_string(round), std::nullopt));
      ASSERT_EQ(g.status, 201) << g;
      gid = g.json()["id"].get<std::string>();
    }
    std::latch start(kWriters + 1);
    run_threads(kWriters + 1, [&](int t) {
      client c = make_client(srv_);
      start.arrive_and_wait();
      reply r;
      std::string what;
      if (t == kWriters) {
        std::this_thread::sleep_for(std::chrono::microseconds(200 * (round % 5)));
        what = "DELETE Groups/" + gid;
        r = c.del("Groups/" + gid);
      } else if (t % 2 == 0) {
        what = "PATCH Groups/" + gid;
        r = c.patch("Groups/" + gid, make_patch({patch_op("add", "members", member_values({users[static_cast<std::size_t>(t % 4)]}))}));
      } else {
        what = "PUT Groups/" + gid;
        r = c.put("Groups/" + gid, make_group("Race Delete " + std::to_string(round) + " put " + std::to_string(t),
                                              std::nullopt, {users[static_cast<std::size_t>(t % 4)]}));
      }
      EXPECT_LT(r.status, 500) << what << ": " << r;
      std::lock_guard lk(mu);
      answers.push_back({what, r.status, r.header("x-github-request-id")});
    });
  }
  client admin = admin_client(srv_, kAdminToken);
  json events;
  ASSERT_NO_THROW(events = admin_audit_events(admin));
  std::map<std::string, bool> success_of;
  for (const auto& e : events) {
    const std::string action = e.value("action", "");
    if (action == "external_group.scim_api_success") success_of[e.value("request_id", "")] = true;
    if (action == "external_group.scim_api_failure") success_of[e.value("request_id", "")] = false;
  }
  int committed_but_404 = 0;
  for (const auto& a : answers) {
    auto it = success_of.find(a.request_id);
    ASSERT_NE(it, success_of.end()) << "no outcome event for " << a.what;
    if (it->second && (a.status < 200 || a.status >= 300)) {
      if (++committed_but_404 <= 3) {
        ADD_FAILURE() << a.what << " was committed (audit: external_group.scim_api_success, request id " << a.request_id
                      << ") but answered " << a.status;
      }
    }
  }
  EXPECT_EQ(committed_but_404, 0) << "committed group writes answered non-2xx, out of " << answers.size() << " requests";
}

}  // namespace
}  // namespace emuscim::test
