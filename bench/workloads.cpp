#include "workloads.hpp"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <numeric>
#include <sstream>
#include <random>
#include <stdexcept>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

namespace bench {

using json = nlohmann::json;

latency_summary summarize(const latency_histogram& h) {
  latency_summary s;
  s.count = h.count();
  auto ms = [](double ns) { return ns / 1e6; };
  s.p50_ms = ms(static_cast<double>(h.percentile(50)));
  s.p90_ms = ms(static_cast<double>(h.percentile(90)));
  s.p99_ms = ms(static_cast<double>(h.percentile(99)));
  s.max_ms = ms(static_cast<double>(h.max()));
  s.mean_ms = ms(h.mean());
  return s;
}

namespace {
constexpr std::size_t page_size = 100;
constexpr std::size_t members_per_patch = 100;
constexpr std::size_t small_group_size = 10;
}  // namespace

bool status_in(const reply& r, std::initializer_list<unsigned> codes) {
  if (r.ec) return false;
  return std::find(codes.begin(), codes.end(), r.status) != codes.end();
}

// The body of POST /Users, written into `b`.
void user_body(std::string& b, std::string_view user_name, std::string_view external_id, std::string_view display) {
  b.clear();
  b.append(R"({"schemas":[")").append(user_schema).append(R"("],"userName":")").append(user_name);
  b.append(R"(","externalId":")").append(external_id);
  b.append(R"(","active":true,"displayName":")").append(display);
  b.append(R"(","emails":[{"value":")").append(user_name).append(R"(@example.com","type":"work","primary":true}]})");
}

namespace {

std::string filter_target(const bench_env& env, std::string_view resource, std::string_view attribute,
                          std::string_view value) {
  std::string f;
  f.append(attribute).append(" eq \"").append(value).append("\"");
  return env.base + "/" + std::string(resource) + "?filter=" + url_encode(f);
}

}  // namespace

std::optional<std::string> first_resource_id(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto it = j.find("Resources");
  if (it == j.end() || !it->is_array() || it->empty()) return std::nullopt;
  const auto& r = (*it)[0];
  if (!r.is_object() || !r.contains("id") || !r["id"].is_string()) return std::nullopt;
  return r["id"].get<std::string>();
}

std::optional<std::string> resource_id(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("id") && j["id"].is_string()) return j["id"].get<std::string>();
  return std::nullopt;
}

std::string describe(const reply& r) {
  if (r.ec) return "transport error: " + r.ec.message();
  return "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 400);
}

namespace {

run_params timed_params(const bench_env& env, std::uint64_t salt) {
  run_params p;
  p.connections = env.opt.connections;
  p.warmup_s = env.opt.warmup_s;
  p.duration_s = env.opt.duration_s;
  p.hard_cap_s = env.opt.warmup_s + env.opt.duration_s + env.opt.request_timeout_s + 30;
  p.max_iterations = env.opt.max_requests;
  p.seed = env.opt.seed * 131 + salt;
  return p;
}

run_params counted_params(const bench_env& env, std::size_t connections, double cap_s, std::uint64_t salt) {
  run_params p;
  p.connections = connections;
  p.warmup_s = 0;
  p.duration_s = env.opt.duration_s;  // count-bounded ops may use it (repeat walks while time is left)
  p.hard_cap_s = cap_s;
  p.max_iterations = env.opt.max_requests;
  p.seed = env.opt.seed * 131 + salt;
  return p;
}

}  // namespace

workload_report make_report(std::string id, std::string title, const run_result& r,
                            std::initializer_list<std::size_t> request_metrics) {
  workload_report w;
  w.id = std::move(id);
  w.title = std::move(title);
  w.connections = r.connections;
  w.elapsed_s = r.elapsed_s;
  std::uint64_t ok = 0;
  std::uint64_t warmup_errors = 0;
  for (std::size_t m : request_metrics) {
    const auto& s = r.metrics.at(m);
    ok += s.ok;
    w.requests += s.ok + s.errors;
    w.errors += s.errors + s.warmup_errors;
    warmup_errors += s.warmup_errors;
    for (const auto& [k, v] : s.error_kinds) w.error_kinds[k] += v;
    for (const auto& [k, v] : s.samples) w.error_samples.emplace(k, v);
  }
  if (r.elapsed_s > 0) {
    w.rate = static_cast<double>(ok) / r.elapsed_s;
    w.request_rate = static_cast<double>(w.requests) / r.elapsed_s;
  }
  w.latency = summarize(r.metrics.at(0).hist);
  for (std::size_t m = 1; m < r.metrics.size(); ++m) w.parts.emplace_back(r.names.at(m), summarize(r.metrics[m].hist));
  if (warmup_errors)
    w.notes.push_back(std::to_string(warmup_errors) + " of the errors happened during the warm-up");
  if (r.capped) w.notes.push_back("stopped by --max-requests");
  if (r.interrupted) w.notes.push_back("interrupted");
  if (r.hit_hard_deadline) w.notes.push_back("stopped by the time cap before the work was done");
  return w;
}

workload_report failed_report(const std::string& id, const std::string& title, const std::string& why) {
  workload_report w;
  w.id = id;
  w.title = title;
  w.errors = 1;
  w.error_kinds["set-up failed"] = 1;
  w.error_samples.emplace("set-up failed", why);
  w.notes.push_back("not run: " + why);
  return w;
}

namespace {

// ------------------------------------------------------------------------------------------- ops
class healthz_op final : public workload_op {
 public:
  net::awaitable<bool> iterate(conn_ctx& c) override {
    co_await c.call("GET", "/healthz", {}, false);
    c.record(0, c.rep, status_in(c.rep, {200}));
    co_return true;
  }
};

class get_user_op final : public workload_op {
 public:
  explicit get_user_op(const bench_env& env) : env_(env) {}
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const std::string& id = env_.ids[c.uniform(0, env_.ids.size())];
    c.target.assign(env_.base).append("/Users/").append(id);
    co_await c.call("GET", c.target, {});
    const bool ok200 = status_in(c.rep, {200});
    const bool ok = ok200 && c.rep.body.find(id) != std::string::npos;
    c.record(0, c.rep, ok, ok200 && !ok ? "body lacks the requested id" : "");
    co_return true;
  }

 private:
  const bench_env& env_;
};

class filter_external_id_op final : public workload_op {
 public:
  explicit filter_external_id_op(const bench_env& env) : env_(env) {}
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const auto k = c.uniform(0, env_.ids.size());
    c.target.assign(env_.base).append("/Users?filter=externalId%20eq%20%22ext-").append(std::to_string(k)).append("%22");
    co_await c.call("GET", c.target, {});
    const bool ok200 = status_in(c.rep, {200});
    std::uint64_t total = 0;
    const bool ok = ok200 && json_scan_uint(c.rep.body, "totalResults", total) && total == 1 &&
                    c.rep.body.find(env_.ids[k]) != std::string::npos;
    c.record(0, c.rep, ok, ok200 && !ok ? "not exactly the one expected user" : "");
    co_return true;
  }

 private:
  const bench_env& env_;
};

class post_user_op final : public workload_op {
 public:
  explicit post_user_op(bench_env& env) : env_(env), target_(env.base + "/Users") {}
  std::vector<std::string> metric_names() const override { return {"POST /Users"}; }
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const auto seq = env_.post_seq.fetch_add(1, std::memory_order_relaxed);
    const std::string name = "p" + env_.nonce + "n" + std::to_string(seq);
    user_body(c.body, name, "ext-" + name, "Posted " + std::to_string(seq));
    co_await c.call("POST", target_, c.body);
    c.record(0, c.rep, status_in(c.rep, {201}));
    co_return true;
  }

 private:
  bench_env& env_;
  std::string target_;
};

std::string active_patch(bool active) {
  return std::string(R"({"schemas":[")") + std::string(patch_schema) +
         R"("],"Operations":[{"op":"replace","path":"active","value":)" + (active ? "true" : "false") + "}]}";
}

// Suspend then restore the same user: every iteration leaves the user active.
class suspend_restore_op final : public workload_op {
 public:
  suspend_restore_op(const bench_env& env, std::size_t first_user)
      : env_(env), first_(first_user), suspend_(active_patch(false)), restore_(active_patch(true)) {}
  std::vector<std::string> metric_names() const override { return {"PATCH", "suspend", "restore"}; }
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const std::string& id = env_.ids[c.uniform(first_, env_.ids.size())];
    c.target.assign(env_.base).append("/Users/").append(id);
    co_await c.call("PATCH", c.target, suspend_);
    bool ok = status_in(c.rep, {200, 204});
    c.record(0, c.rep, ok);
    c.record(1, c.rep, ok);
    co_await c.call("PATCH", c.target, restore_);
    ok = status_in(c.rep, {200, 204});
    c.record(0, c.rep, ok);
    c.record(2, c.rep, ok);
    co_return true;
  }

 private:
  const bench_env& env_;
  std::size_t first_;
  std::string suspend_;
  std::string restore_;
};

// Every page of GET /Users with count=100, pages handed out in order to all connections. The
// first walk always completes (within the time cap); more walks follow while --duration lasts.
class list_walk_op final : public workload_op {
 public:
  list_walk_op(const bench_env& env, std::size_t pages) : env_(env), pages_(pages) {}
  std::vector<std::string> metric_names() const override { return {"page", "first page", "last page"}; }
  bool count_bounded() const override { return true; }
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const auto i = next_.fetch_add(1, std::memory_order_relaxed);
    const auto walk = i / pages_;
    if (walk >= 1 && steady::now() >= c.run->deadline) co_return false;
    if (walk >= 1000) co_return false;
    const auto page = i % pages_;
    c.target.assign(env_.base)
        .append("/Users?startIndex=")
        .append(std::to_string(1 + page * page_size))
        .append("&count=")
        .append(std::to_string(page_size));
    co_await c.call("GET", c.target, {});
    std::uint64_t total = 0;
    const bool ok200 = status_in(c.rep, {200});
    const bool ok = ok200 && json_scan_uint(c.rep.body, "totalResults", total);
    c.record(0, c.rep, ok, ok200 && !ok ? "no totalResults" : "");
    if (page == 0) c.record(1, c.rep, ok);
    if (page + 1 == pages_) c.record(2, c.rep, ok);
    co_return true;
  }

 private:
  const bench_env& env_;
  std::size_t pages_;
  std::atomic<std::uint64_t> next_{0};
};

// Alternates the first and the last page on one otherwise idle connection.
class page_probe_op final : public workload_op {
 public:
  page_probe_op(const bench_env& env, std::size_t pages, std::size_t rounds)
      : env_(env), pages_(pages), rounds_(rounds) {}
  std::vector<std::string> metric_names() const override { return {"first page", "last page"}; }
  bool count_bounded() const override { return true; }
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const auto i = next_++;
    if (i >= 2 * rounds_) co_return false;
    const bool last = i % 2 == 1;
    const std::size_t page = last ? pages_ - 1 : 0;
    c.target.assign(env_.base)
        .append("/Users?startIndex=")
        .append(std::to_string(1 + page * page_size))
        .append("&count=")
        .append(std::to_string(page_size));
    co_await c.call("GET", c.target, {});
    bool ok = status_in(c.rep, {200});
    std::string what;
    if (ok) {
      const json j = json::parse(c.rep.body, nullptr, false);
      const bool has = !j.is_discarded() && j.is_object() && j.contains("Resources") && j["Resources"].is_array() &&
                       !j["Resources"].empty() && j["Resources"].size() <= page_size;
      if (!has) {
        ok = false;
        what = "page has no Resources";
      }
    }
    c.record(last ? 1 : 0, c.rep, ok, what);
    co_return true;
  }

 private:
  const bench_env& env_;
  std::size_t pages_;
  std::size_t rounds_;
  std::size_t next_ = 0;  // one connection only
};

// PATCH add 100 members per request into one group, in order, on one connection.
class membership_op final : public workload_op {
 public:
  membership_op(const bench_env& env, std::string target, std::vector<std::size_t> users)
      : env_(env), target_(std::move(target)), users_(std::move(users)),
        requests_((users_.size() + members_per_patch - 1) / members_per_patch) {}
  std::vector<std::string> metric_names() const override { return {"add", "first adds", "last adds"}; }
  bool count_bounded() const override { return true; }
  static constexpr std::size_t edge = 10;  // requests counted as "first" and "last"
  std::size_t members_added() const { return added_; }
  std::size_t requests() const { return requests_; }
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const auto i = next_++;
    if (i >= requests_) co_return false;
    const std::size_t from = i * members_per_patch;
    const std::size_t to = std::min(users_.size(), from + members_per_patch);
    c.body.assign(R"({"schemas":[")").append(patch_schema).append(R"("],"Operations":[{"op":"add","path":"members","value":[)");
    for (std::size_t u = from; u < to; ++u) {
      if (u != from) c.body.push_back(',');
      c.body.append(R"({"value":")").append(env_.ids[users_[u]]).append(R"("})");
    }
    c.body.append("]}]}");
    co_await c.call("PATCH", target_, c.body);
    const bool ok = status_in(c.rep, {200, 204});
    if (ok) added_ += to - from;
    c.record(0, c.rep, ok);
    if (i < edge) c.record(1, c.rep, ok);
    if (i + edge >= requests_) c.record(2, c.rep, ok);
    co_return true;
  }

 private:
  const bench_env& env_;
  std::string target_;
  std::vector<std::size_t> users_;
  std::size_t requests_;
  std::size_t next_ = 0;  // one connection only
  std::size_t added_ = 0;
};

class group_get_op final : public workload_op {
 public:
  group_get_op(const bench_env& env, const std::string& group_id)
      : target_(env.base + "/Groups/" + group_id + "?excludedAttributes=members") {}
  net::awaitable<bool> iterate(conn_ctx& c) override {
    co_await c.call("GET", target_, {});
    const bool ok200 = status_in(c.rep, {200});
    const bool ok = ok200 && c.rep.body.find("\"members\"") == std::string::npos;
    c.record(0, c.rep, ok, ok200 && !ok ? "members not excluded" : "");
    co_return true;
  }

 private:
  std::string target_;
};

// Entra-style sync: find the user by externalId, then PATCH it with the id from the answer.
class sync_op final : public workload_op {
 public:
  sync_op(const bench_env& env, std::vector<std::uint32_t> order, std::uint64_t round)
      : env_(env), order_(std::move(order)), round_(round) {}
  std::vector<std::string> metric_names() const override { return {"cycle", "filter", "patch"}; }
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const auto i = next_.fetch_add(1, std::memory_order_relaxed);
    const std::uint32_t k = order_[i % order_.size()];
    const auto start = steady::now();
    c.target.assign(env_.base).append("/Users?filter=externalId%20eq%20%22ext-").append(std::to_string(k)).append("%22");
    co_await c.call("GET", c.target, {});
    const bool ok200 = status_in(c.rep, {200});
    // The id comes from the answer, as an IdP takes it; the cheap scan is checked against the
    // id we know, with a full parse as the fallback before calling it an error.
    std::string_view found;
    bool ok = ok200 && json_scan_string(c.rep.body, "id", found) && found == env_.ids[k];
    if (ok200 && !ok) {
      auto parsed = first_resource_id(c.rep.body);
      ok = parsed && *parsed == env_.ids[k];
      if (ok) found = env_.ids[k];
    }
    c.record(1, c.rep, ok, ok200 && !ok ? "filter did not return the user's id" : "");
    if (!ok) co_return true;
    c.target.assign(env_.base).append("/Users/").append(found);
    c.body.assign(R"({"schemas":[")")
        .append(patch_schema)
        .append(R"("],"Operations":[{"op":"Replace","path":"displayName","value":"User )")
        .append(std::to_string(k))
        .append(" sync ")
        .append(std::to_string(round_ + i / order_.size()))
        .append(R"("}]})");
    co_await c.call("PATCH", c.target, c.body);
    const bool patched = status_in(c.rep, {200, 204});
    c.record(2, c.rep, patched);
    if (patched) c.record_span(0, start, c.rep.end, true);
    co_return true;
  }

 private:
  const bench_env& env_;
  std::vector<std::uint32_t> order_;
  std::uint64_t round_;
  std::atomic<std::uint64_t> next_{0};
};

// ---------------------------------------------------------------------------------- seeding ops
// Walks every page and picks up users named u<k> (k < N) into env.ids.
class collect_op final : public workload_op {
 public:
  collect_op(bench_env& env, std::size_t pages) : env_(env), pages_(pages) {}
  std::vector<std::string> metric_names() const override { return {"page"}; }
  bool count_bounded() const override { return true; }
  std::size_t found() const { return found_.load(); }
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const auto page = next_.fetch_add(1);
    if (page >= pages_) co_return false;
    c.target.assign(env_.base)
        .append("/Users?startIndex=")
        .append(std::to_string(1 + page * page_size))
        .append("&count=")
        .append(std::to_string(page_size));
    co_await c.call("GET", c.target, {});
    bool ok = status_in(c.rep, {200});
    if (ok) {
      const json j = json::parse(c.rep.body, nullptr, false);
      ok = !j.is_discarded() && j.is_object() && j.contains("Resources") && j["Resources"].is_array();
      if (ok) {
        std::lock_guard lock(mu_);
        for (const auto& r : j["Resources"]) {
          if (!r.is_object() || !r.contains("userName") || !r.contains("id") || !r["userName"].is_string() ||
              !r["id"].is_string())
            continue;
          const auto& name = r["userName"].get_ref<const std::string&>();
          if (name.size() < 2 || name.size() > 12 || name[0] != 'u') continue;
          if (name.find_first_not_of("0123456789", 1) != std::string::npos) continue;
          const auto k = std::stoull(name.substr(1));
          if (k >= env_.ids.size() || !env_.ids[k].empty()) continue;
          env_.ids[k] = r["id"].get<std::string>();
          ++found_;
        }
      }
    }
    c.record(0, c.rep, ok, ok ? "" : "not a ListResponse");
    co_return true;
  }

 private:
  bench_env& env_;
  std::size_t pages_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::size_t> found_{0};
  std::mutex mu_;
};

// POST /Users for every missing u<k>; on 409 the existing user is looked up by userName.
class create_op final : public workload_op {
 public:
  create_op(bench_env& env, std::vector<std::size_t> missing)
      : env_(env), missing_(std::move(missing)), target_(env.base + "/Users") {}
  std::vector<std::string> metric_names() const override { return {"POST /Users", "lookup after 409"}; }
  bool count_bounded() const override { return true; }
  std::size_t created() const { return created_.load(); }
  std::size_t conflicts() const { return conflicts_.load(); }
  net::awaitable<bool> iterate(conn_ctx& c) override {
    const auto i = next_.fetch_add(1);
    if (i >= missing_.size()) co_return false;
    const std::size_t k = missing_[i];
    const std::string name = "u" + std::to_string(k);
    user_body(c.body, name, "ext-" + std::to_string(k), "User " + std::to_string(k));
    co_await c.call("POST", target_, c.body);
    if (status_in(c.rep, {201})) {
      auto id = resource_id(c.rep.body);
      c.record(0, c.rep, id.has_value(), id ? "" : "201 without an id");
      if (id) {
        set_id(k, std::move(*id));
        ++created_;
      }
      co_return true;
    }
    if (!status_in(c.rep, {409})) {
      c.record(0, c.rep, false);
      co_return true;
    }
    c.record(0, c.rep, true);  // a 409 here means the user exists: fine
    ++conflicts_;
    c.target = filter_target(env_, "Users", "userName", name);
    co_await c.call("GET", c.target, {});
    std::optional<std::string> id;
    if (status_in(c.rep, {200})) id = first_resource_id(c.rep.body);
    c.record(1, c.rep, id.has_value(), id ? "" : "existing user not found by userName");
    if (id) set_id(k, std::move(*id));
    co_return true;
  }

 private:
  void set_id(std::size_t k, std::string id) {
    std::lock_guard lock(mu_);
    env_.ids[k] = std::move(id);
  }
  bench_env& env_;
  std::vector<std::size_t> missing_;
  std::string target_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::size_t> created_{0};
  std::atomic<std::size_t> conflicts_{0};
  std::mutex mu_;
};

// ------------------------------------------------------------------------------------ ids file
constexpr std::string_view ids_magic = "emuscim-bench-ids 1";

bool load_ids(bench_env& env) {
  if (!env.ids_file) return false;
  std::ifstream in(*env.ids_file);
  if (!in) return false;
  std::string magic, enterprise;
  std::size_t count = 0;
  std::string line;
  if (!std::getline(in, line)) return false;
  // "emuscim-bench-ids 1 <count> <enterprise>"
  if (line.rfind(ids_magic, 0) != 0) return false;
  {
    std::istringstream s(line.substr(ids_magic.size()));
    if (!(s >> count >> enterprise)) return false;
  }
  if (enterprise != env.opt.enterprise || count < env.ids.size()) return false;
  for (std::size_t k = 0; k < env.ids.size(); ++k) {
    if (!std::getline(in, line) || line.empty()) return false;
    env.ids[k] = line;
  }
  return true;
}

void save_ids(const bench_env& env) {
  if (!env.ids_file) return;
  const std::string tmp = *env.ids_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << ids_magic << ' ' << env.ids.size() << ' ' << env.opt.enterprise << '\n';
    for (const auto& id : env.ids) out << id << '\n';
    if (!out) return;
  }
  std::rename(tmp.c_str(), env.ids_file->c_str());
}

bool spot_check(bench_env& env) {
  std::mt19937_64 rng(env.opt.seed + 99);
  for (int i = 0; i < 8; ++i) {
    const std::size_t k = std::uniform_int_distribution<std::size_t>(0, env.ids.size() - 1)(rng);
    const auto r = env.cl.request("GET", env.base + "/Users/" + env.ids[k]);
    if (!status_in(r, {200}) || r.body.find("\"u" + std::to_string(k) + "\"") == std::string::npos) return false;
  }
  return true;
}

// -------------------------------------------------------------------------------------- groups
std::optional<std::string> find_group(bench_env& env, const std::string& name) {
  const auto r = env.cl.request("GET", filter_target(env, "Groups", "displayName", name));
  if (!status_in(r, {200})) return std::nullopt;
  return first_resource_id(r.body);
}

}  // namespace

std::string create_group(bench_env& env, const std::string& name, const std::string& external_id,
                         const std::vector<std::size_t>& members) {
  json body = {{"schemas", {std::string(group_schema)}}, {"displayName", name}, {"externalId", external_id}};
  if (!members.empty()) {
    json m = json::array();
    for (auto k : members) m.push_back({{"value", env.ids[k]}});
    body["members"] = std::move(m);
  }
  const auto r = env.cl.request("POST", env.base + "/Groups", body.dump());
  if (!status_in(r, {201})) throw std::runtime_error("POST /Groups " + name + ": " + describe(r));
  auto id = resource_id(r.body);
  if (!id) throw std::runtime_error("POST /Groups " + name + ": no id in " + r.body.substr(0, 300));
  return *id;
}

namespace {

std::vector<std::size_t> shuffled_users(const bench_env& env, std::size_t count, std::uint64_t salt) {
  std::vector<std::size_t> all(env.ids.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  std::mt19937_64 rng(env.opt.seed * 7 + salt);
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(std::min(count, all.size()));
  return all;
}

std::string patch_target(const bench_env& env, const std::string& group_id) {
  std::string t = env.base + "/Groups/" + group_id;
  if (!env.opt.membership_full_response) t += "?excludedAttributes=members";
  return t;
}

// Creates the big group and fills it (5a). Returns the run's report.
workload_report build_big_group(bench_env& env) {
  const std::string title = "PATCH /Groups/{id} add 100 members per request, 1 connection";
  const std::string name = "emuscim-bench-big-" + env.nonce;
  try {
    env.big_group_id = create_group(env, name, "bench-big-" + env.nonce, {});
  } catch (const std::exception& e) {
    return failed_report("5a", title, e.what());
  }
  const std::size_t target = std::min(env.opt.membership_target, env.ids.size());
  membership_op op(env, patch_target(env, env.big_group_id), shuffled_users(env, target, 5));
  const auto r = env.cl.run(op, counted_params(env, 1, env.opt.walk_timeout_s, 5));
  env.big_group_members = op.members_added();

  auto w = make_report("5a", title, r);
  w.rate = r.elapsed_s > 0 ? static_cast<double>(op.members_added()) / r.elapsed_s : 0;
  w.rate_unit = "members/s";
  const auto& first = r.metrics.at(1);
  const auto& last = r.metrics.at(2);
  const auto fs = summarize(first.hist);
  const auto ls = summarize(last.hist);
  w.figures.emplace_back("members", static_cast<double>(op.members_added()));
  w.figures.emplace_back("first_adds_p50_ms", fs.p50_ms);
  w.figures.emplace_back("last_adds_p50_ms", ls.p50_ms);
  w.figures.emplace_back("first_adds_mean_response_bytes",
                         first.ok ? static_cast<double>(first.bytes) / static_cast<double>(first.ok) : 0);
  w.figures.emplace_back("last_adds_mean_response_bytes",
                         last.ok ? static_cast<double>(last.bytes) / static_cast<double>(last.ok) : 0);
  w.notes.push_back("first adds = requests 1-" + std::to_string(membership_op::edge) + " (0 to " +
                    std::to_string(std::min(target, membership_op::edge * members_per_patch)) +
                    " members); last adds = the last " + std::to_string(membership_op::edge) + " requests (up to " +
                    std::to_string(op.members_added()) + " members)");
  if (target < env.opt.membership_target)
    w.notes.push_back("the group can hold only " + std::to_string(target) + " distinct members with --users " +
                      std::to_string(env.ids.size()) + " (target " + std::to_string(env.opt.membership_target) + ")");
  if (!env.opt.membership_full_response) w.notes.push_back("PATCHes sent with ?excludedAttributes=members");
  return w;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
std::size_t count_users(bench_env& env) {
  const auto r = env.cl.request("GET", env.base + "/Users?startIndex=1&count=1");
  if (!status_in(r, {200})) throw std::runtime_error("GET /Users: " + describe(r));
  const json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("totalResults") || !j["totalResults"].is_number_unsigned())
    throw std::runtime_error("GET /Users: no totalResults in " + r.body.substr(0, 300));
  env.total_users = j["totalResults"].get<std::size_t>();
  return env.total_users;
}

workload_report seed(bench_env& env) {
  const std::size_t n = env.opt.users;
  const std::size_t conns = env.opt.seed_connections ? env.opt.seed_connections : env.opt.connections;
  env.ids.assign(n, std::string());
  workload_report w;
  w.id = "seed";
  w.title = "POST /Users u0..u" + std::to_string(n - 1) + " (+ " + std::to_string(env.opt.groups) + " groups)";
  w.rate_unit = "users/s";
  w.connections = conns;

  const std::size_t existing = count_users(env);
  w.figures.emplace_back("users_before", static_cast<double>(existing));

  bool have_all = false;
  if (env.opt.reuse_db && existing >= n && load_ids(env)) {
    if (spot_check(env)) {
      have_all = true;
      w.notes.push_back("user ids loaded from " + *env.ids_file + ": nothing created");
    } else {
      std::fill(env.ids.begin(), env.ids.end(), std::string());
      w.notes.push_back("ids file did not match the database; collecting ids again");
    }
  }
  if (!have_all && existing > 0) {
    const std::size_t pages = (existing + page_size - 1) / page_size;
    collect_op op(env, pages);
    const auto r = env.cl.run(op, counted_params(env, conns, env.opt.seed_timeout_s, 1));
    const auto& m = r.metrics.at(0);
    w.figures.emplace_back("users_found", static_cast<double>(op.found()));
    w.notes.push_back("found " + std::to_string(op.found()) + " of the users in " + std::to_string(m.ok) +
                      " list pages (" + std::to_string(static_cast<long long>(r.elapsed_s * 1000)) + " ms)");
    for (const auto& [k, v] : m.error_kinds) w.error_kinds[k] += v;
    w.errors += m.errors;
  }
  if (!have_all) {
    std::vector<std::size_t> missing;
    for (std::size_t k = 0; k < n; ++k)
      if (env.ids[k].empty()) missing.push_back(k);
    if (!missing.empty()) {
      create_op op(env, std::move(missing));
      const auto r = env.cl.run(op, counted_params(env, conns, env.opt.seed_timeout_s, 2));
      const auto& post = r.metrics.at(0);
      const auto& look = r.metrics.at(1);
      w.elapsed_s = r.elapsed_s;
      w.requests = post.ok + post.errors + look.ok + look.errors;
      w.errors += post.errors + look.errors;
      for (const auto& [k, v] : post.error_kinds) w.error_kinds[k] += v;
      for (const auto& [k, v] : look.error_kinds) w.error_kinds[k] += v;
      for (const auto& [k, v] : post.samples) w.error_samples.emplace(k, v);
      for (const auto& [k, v] : look.samples) w.error_samples.emplace(k, v);
      w.latency = summarize(post.hist);
      w.rate = r.elapsed_s > 0 ? static_cast<double>(op.created()) / r.elapsed_s : 0;
      w.request_rate = r.elapsed_s > 0 ? static_cast<double>(w.requests) / r.elapsed_s : 0;
      w.figures.emplace_back("users_created", static_cast<double>(op.created()));
      if (op.conflicts()) w.notes.push_back(std::to_string(op.conflicts()) + " users already existed (409)");
      if (r.hit_hard_deadline) w.notes.push_back("stopped by --seed-timeout");
    } else {
      w.notes.push_back("all " + std::to_string(n) + " users were already there: nothing created");
    }
    if (g_interrupted) throw std::runtime_error("interrupted while seeding");
    const auto still = static_cast<std::size_t>(std::count(env.ids.begin(), env.ids.end(), std::string()));
    if (still > 0) {
      std::string why = std::to_string(still) + " of " + std::to_string(n) + " users could not be created or found";
      for (const auto& [k, v] : w.error_kinds) {
        why += "\n    " + std::to_string(v) + " x " + k;
        if (auto it = w.error_samples.find(k); it != w.error_samples.end() && !it->second.empty())
          why += "\n        e.g. " + it->second;
      }
      throw std::runtime_error(why);
    }
    save_ids(env);
  }

  // Groups of 10 (group g holds users 10g .. 10g+9, modulo N); g0 is the 10-member group of 5b.
  const std::size_t groups = std::max<std::size_t>(env.opt.groups, env.opt.wants("5b") ? 1 : 0);
  std::size_t groups_found = 0;
  for (std::size_t g = 0; g < groups && !g_interrupted; ++g) {
    const std::string name = "emuscim-bench-g" + std::to_string(g);
    std::string id;
    if (auto found = find_group(env, name)) {
      id = *found;
      ++groups_found;
    } else {
      std::vector<std::size_t> members;
      for (std::size_t j = 0; j < small_group_size; ++j) members.push_back((g * small_group_size + j) % n);
      try {
        id = create_group(env, name, "bench-g" + std::to_string(g), members);
      } catch (const std::exception& e) {
        // Not fatal: only 5b-small needs a group. Counted, so the run does not pass silently.
        ++w.errors;
        ++w.error_kinds["group seeding"];
        w.error_samples.emplace("group seeding", e.what());
        continue;
      }
    }
    if (g == 0) env.small_group_id = id;
  }
  if (groups_found) w.notes.push_back(std::to_string(groups_found) + " groups already existed");
  count_users(env);
  w.figures.emplace_back("users_after", static_cast<double>(env.total_users));
  return w;
}

namespace {

// Workload 8: the request inspector's capture cost (issue 13): GET /Users/{id} and POST /Users
// with capture on, then paused through the admin API, then on again; the same ops and time as
// 2a and 3a. Needs the admin API (a server the bench starts).
void set_capture(bench_env& env, bool on) {
  client admin(1, std::chrono::seconds(30));
  admin.set_target(env.cl.endpoint(), std::string(bench_admin_token));
  const auto r = admin.request("PUT", "/_emuscim/requests/capture", on ? R"({"enabled":true})" : R"({"enabled":false})");
  if (r.ec || r.status != 200) {
    throw std::runtime_error("PUT /_emuscim/requests/capture failed (" +
                             (r.ec ? r.ec.message() : "HTTP " + std::to_string(r.status)) +
                             "): workload 8 needs a server started by the bench");
  }
}

std::vector<workload_report> run_capture_cost(bench_env& env) {
  std::vector<workload_report> out;
  for (const bool on : {true, false}) {
    set_capture(env, on);
    const std::string suffix = on ? "-on" : "-off";
    const std::string state = on ? " (capture on)" : " (capture paused)";
    get_user_op get(env);
    out.push_back(make_report("8a" + suffix, "GET /Users/{id}, random seeded ids" + state,
                              env.cl.run(get, timed_params(env, 12))));
    post_user_op post(env);
    auto w = make_report("8b" + suffix, "POST /Users, unique bodies" + state, env.cl.run(post, timed_params(env, 13)));
    w.rate_unit = "users/s";
    out.push_back(std::move(w));
  }
  set_capture(env, true);
  return out;
}

}  // namespace

std::vector<workload_report> run_workload(bench_env& env, const std::string& id) {
  const auto n = env.ids.size();
  try {
    if (id == "0") {  // the caller has pointed the client at emuscim-floor
      healthz_op op;
      return {make_report(id, "GET /healthz on emuscim-floor (minimal Beast responder, emuscim's /healthz bytes)",
                          env.cl.run(op, timed_params(env, 1)))};
    }
    if (id == "8") return run_capture_cost(env);
    if (id == "1") {
      healthz_op op;
      return {make_report(id, "GET /healthz (no auth)", env.cl.run(op, timed_params(env, 1)))};
    }
    if (id == "2a") {
      get_user_op op(env);
      return {make_report(id, "GET /Users/{id}, random seeded ids", env.cl.run(op, timed_params(env, 2)))};
    }
    if (id == "2b") {
      filter_external_id_op op(env);
      return {make_report(id, "GET /Users?filter=externalId eq \"ext-<k>\", random k",
                          env.cl.run(op, timed_params(env, 3)))};
    }
    if (id == "3a") {
      post_user_op op(env);
      auto w = make_report(id, "POST /Users, unique bodies", env.cl.run(op, timed_params(env, 4)));
      w.rate_unit = "users/s";
      return {w};
    }
    if (id == "3b") {
      const std::size_t reserved = std::min(std::max<std::size_t>(env.opt.groups, 1) * small_group_size, n / 2);
      suspend_restore_op op(env, reserved);
      auto w = make_report(id, "PATCH active false then true (suspend/restore), random users",
                           env.cl.run(op, timed_params(env, 6)));
      w.notes.push_back("users u0..u" + std::to_string(reserved - 1) + " (the seeded groups' members) are left alone");
      return {w};
    }
    if (id == "4") {
      const std::size_t total = count_users(env);
      const std::size_t pages = std::max<std::size_t>(1, (total + page_size - 1) / page_size);
      list_walk_op walk(env, pages);
      const auto r = env.cl.run(walk, counted_params(env, env.opt.connections, env.opt.walk_timeout_s, 7));
      auto w = make_report(id, "GET /Users?startIndex=..&count=100, every page", r);
      w.rate_unit = "pages/s";
      const auto& pages_ok = r.metrics.at(0).ok;
      w.figures.emplace_back("total_users", static_cast<double>(total));
      w.figures.emplace_back("pages_per_walk", static_cast<double>(pages));
      w.figures.emplace_back("walks", static_cast<double>(pages_ok) / static_cast<double>(pages));
      // Quiet probes: first and last page alternately on one connection, nothing else running.
      page_probe_op probe(env, pages, 20);
      const auto pr = env.cl.run(probe, counted_params(env, 1, env.opt.walk_timeout_s, 8));
      const auto first = summarize(pr.metrics.at(0).hist);
      const auto last = summarize(pr.metrics.at(1).hist);
      w.parts.emplace_back("probe first page", first);
      w.parts.emplace_back("probe last page", last);
      w.figures.emplace_back("first_page_p50_ms", first.p50_ms);
      w.figures.emplace_back("last_page_p50_ms", last.p50_ms);
      for (const auto& m : pr.metrics) {
        w.errors += m.errors;
        w.requests += m.ok + m.errors;
        for (const auto& [k, v] : m.error_kinds) w.error_kinds[k] += v;
        for (const auto& [k, v] : m.samples) w.error_samples.emplace(k, v);
      }
      w.notes.push_back("pages handed out in order to " + std::to_string(env.opt.connections) +
                        " connections; probes: first/last page alternately x20 on 1 idle connection");
      return {w};
    }
    if (id == "5a") {
      return {build_big_group(env)};
    }
    if (id == "5b") {
      std::vector<workload_report> out;
      if (env.big_group_id.empty()) {
        auto built = build_big_group(env);  // untimed preparation when 5a was not selected
        if (built.errors) return {failed_report("5b", "GET /Groups/{big}?excludedAttributes=members",
                                                "building the big group failed")};
      }
      {
        group_get_op op(env, env.big_group_id);
        auto w = make_report("5b", "GET /Groups/{id}?excludedAttributes=members, " +
                                       std::to_string(env.big_group_members) + "-member group",
                             env.cl.run(op, timed_params(env, 9)));
        w.figures.emplace_back("members", static_cast<double>(env.big_group_members));
        out.push_back(std::move(w));
      }
      if (!env.small_group_id.empty()) {
        group_get_op op(env, env.small_group_id);
        auto w = make_report("5b-small", "GET /Groups/{id}?excludedAttributes=members, 10-member group",
                             env.cl.run(op, timed_params(env, 10)));
        w.figures.emplace_back("members", static_cast<double>(small_group_size));
        out.push_back(std::move(w));
      }
      return out;
    }
    if (id == "6") {
      std::vector<std::uint32_t> order(n);
      std::iota(order.begin(), order.end(), std::uint32_t{0});
      std::mt19937_64 rng(env.opt.seed * 11);
      std::shuffle(order.begin(), order.end(), rng);
      sync_op op(env, std::move(order), env.sync_round);
      const auto r = env.cl.run(op, timed_params(env, 11));
      auto w = make_report(id, "IdP sync: filter externalId, then PATCH displayName (Entra-style)", r, {1, 2});
      w.rate = r.elapsed_s > 0 ? static_cast<double>(r.metrics.at(0).ok) / r.elapsed_s : 0;
      w.rate_unit = "users/s";
      w.notes.push_back("latency = whole cycle (filter + PATCH); users/s = completed cycles per second");
      env.sync_round += 1000;
      return {w};
    }
  } catch (const std::exception& e) {
    return {failed_report(id, "workload " + id, e.what())};
  }
  return {failed_report(id, "workload " + id, "unknown workload")};
}

std::optional<std::string> cleanup(bench_env& env) {
  if (env.big_group_id.empty()) return std::nullopt;
  const auto r = env.cl.request("DELETE", env.base + "/Groups/" + env.big_group_id);
  const std::string id = env.big_group_id;
  env.big_group_id.clear();
  if (status_in(r, {200, 204})) return std::nullopt;
  return "DELETE /Groups/" + id + " (the big group) failed: " + describe(r);
}

}  // namespace bench
