// The soak workload: Entra-like provisioning traffic for a set time while the server's resident
// memory and open descriptors are sampled every second. See bench/README.md ("soak").

#include <dirent.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "report.hpp"
#include "workloads.hpp"

namespace bench {

namespace {

constexpr std::size_t soak_groups = 8;     // connections spread their membership PATCHes over these
constexpr double growth_window_s = 5;      // growth compares the peaks of the last 5 s of each phase

// Open descriptors of a process: the entries of /proc/PID/fd. -1 when unreadable.
long count_fds(long pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return -1;
  long n = 0;
  while (const dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n;
}

struct sample {
  double t_s = 0;  // since the soak started (warm-up included)
  double rss_kib = 0;
  double fds = 0;
};

// Samples VmRSS and the descriptor count every second on its own thread until stopped.
class sampler {
 public:
  sampler(long pid, double warmup_s) : pid_(pid), warmup_s_(warmup_s), start_(steady::now()) {
    thread_ = std::thread([this] { loop(); });
  }
  ~sampler() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<sample> samples() {
    std::lock_guard lock(mu_);
    return samples_;
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    for (int i = 0;; ++i) {
      const auto m = read_mem(pid_);
      const long fds = count_fds(pid_);
      const double t = std::chrono::duration<double>(steady::now() - start_).count();
      if (m.ok && fds >= 0) {
        samples_.push_back({t, static_cast<double>(m.rss_kib), static_cast<double>(fds)});
        // A progress line every 10 s, so that a long soak shows where it is.
        if (i % 10 == 0 && i > 0)
          std::cout << "    soak t=" << static_cast<long>(t) << " s" << (t < warmup_s_ ? " (warm-up)" : "")
                    << ": RSS " << fmt_mib(m.rss_kib) << ", " << fds << " fds" << std::endl;
      }
      if (cv_.wait_until(lock, start_ + std::chrono::seconds(i + 1), [this] { return stopping_; })) return;
    }
  }

  long pid_;
  double warmup_s_;
  steady::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<sample> samples_;
  std::thread thread_;
};

// The largest value among samples in [to - window, to]; when none falls there, the last sample
// before `to` (or the first one).
double peak_before(const std::vector<sample>& s, double to, double sample::*field) {
  double best = -1;
  const sample* last_before = nullptr;
  for (const auto& x : s) {
    if (x.t_s <= to) last_before = &x;
    if (x.t_s <= to && x.t_s >= to - growth_window_s) best = std::max(best, x.*field);
  }
  if (best >= 0) return best;
  if (last_before) return (*last_before).*field;
  return s.empty() ? 0 : s.front().*field;
}

// One provisioning life cycle per iteration, as Entra runs it for a new hire who leaves again:
// lookup (no match), create, attribute PATCH, suspend, restore, group add, group remove, GET,
// a lookup of a seeded user (the read side of a sync pass), delete. Every cycle ends with the
// user deleted and the group as it was, so the data set stays the same size.
class soak_op final : public workload_op {
 public:
  soak_op(bench_env& env, std::vector<std::string> groups)
      : env_(env), groups_(std::move(groups)), users_(env.base + "/Users") {
    auto patch = [](std::string_view ops) {
      return std::string(R"({"schemas":[")") + std::string(patch_schema) + R"("],"Operations":[)" + std::string(ops) +
             "]}";
    };
    suspend_ = patch(R"({"op":"Replace","path":"active","value":false})");
    restore_ = patch(R"({"op":"Replace","path":"active","value":true})");
  }
  std::vector<std::string> metric_names() const override {
    return {"cycle", "lookup (miss)", "POST", "PATCH attributes", "PATCH active false", "PATCH active true",
            "group add", "group remove", "GET", "lookup (seeded)", "DELETE"};
  }
  enum metric : std::size_t { cycle, lookup, create, attrs, suspend, restore, add, remove, get, read, del };

  net::awaitable<bool> iterate(conn_ctx& c) override {
    const auto start = steady::now();
    const auto seq = env_.post_seq.fetch_add(1, std::memory_order_relaxed);
    const std::string name = "s" + env_.nonce + "n" + std::to_string(seq);
    const std::string ext = "soak-" + name;
    bool ok = true;
    auto step = [&](std::size_t m, bool good, std::string_view what = {}) {
      c.record(m, c.rep, good, good ? std::string_view{} : what);
      ok = ok && good;
      return good;
    };

    c.target.assign(users_).append("?filter=externalId%20eq%20%22").append(ext).append("%22");
    co_await c.call("GET", c.target, {});
    std::uint64_t total = 1;
    const bool found200 = status_in(c.rep, {200});
    step(lookup, found200 && json_scan_uint(c.rep.body, "totalResults", total) && total == 0,
         found200 ? "lookup of a new externalId matched something" : "");

    user_body(c.body, name, ext, "Soak " + std::to_string(seq));
    co_await c.call("POST", users_, c.body);
    std::optional<std::string> id;
    if (status_in(c.rep, {201})) id = resource_id(c.rep.body);
    if (!step(create, id.has_value(), "no 201 with an id")) co_return true;
    const std::string user = users_ + "/" + *id;

    c.body.assign(R"({"schemas":[")").append(patch_schema).append(R"("],"Operations":[)");
    c.body.append(R"({"op":"Replace","path":"displayName","value":"Soak )").append(std::to_string(seq)).append(" renamed\"},");
    c.body.append(R"({"op":"Replace","path":"name.familyName","value":"F)").append(std::to_string(seq)).append("\"},");
    c.body.append(R"({"op":"Replace","path":"emails[type eq \"work\"].value","value":")").append(name).append("@example.org\"}]}");
    co_await c.call("PATCH", user, c.body);
    step(attrs, status_in(c.rep, {200, 204}));

    co_await c.call("PATCH", user, suspend_);
    step(suspend, status_in(c.rep, {200, 204}));
    co_await c.call("PATCH", user, restore_);
    step(restore, status_in(c.rep, {200, 204}));

    const std::string& group = groups_[c.index % groups_.size()];
    c.body.assign(R"({"schemas":[")").append(patch_schema).append(R"("],"Operations":[{"op":"Add","path":"members","value":[{"value":")");
    c.body.append(*id).append(R"("}]}]})");
    co_await c.call("PATCH", group, c.body);
    step(add, status_in(c.rep, {200, 204}));
    c.body.assign(R"({"schemas":[")").append(patch_schema).append(R"("],"Operations":[{"op":"Remove","path":"members","value":[{"value":")");
    c.body.append(*id).append(R"("}]}]})");
    co_await c.call("PATCH", group, c.body);
    step(remove, status_in(c.rep, {200, 204}));

    co_await c.call("GET", user, {});
    const bool got = status_in(c.rep, {200});
    step(get, got && c.rep.body.find(*id) != std::string::npos, got ? "body lacks the id" : "");

    if (!env_.ids.empty()) {
      const auto k = c.uniform(0, env_.ids.size());
      c.target.assign(users_).append("?filter=externalId%20eq%20%22ext-").append(std::to_string(k)).append("%22");
      co_await c.call("GET", c.target, {});
      const bool read200 = status_in(c.rep, {200});
      step(read, read200 && c.rep.body.find(env_.ids[k]) != std::string::npos,
           read200 ? "not the expected user" : "");
    }

    co_await c.call("DELETE", user, {});
    step(del, status_in(c.rep, {204, 200}));
    if (ok) c.record_span(cycle, start, c.rep.end, true);
    co_return true;
  }

 private:
  bench_env& env_;
  std::vector<std::string> groups_;  // PATCH targets
  std::string users_;
  std::string suspend_;
  std::string restore_;
};

}  // namespace

workload_report run_soak(bench_env& env) {
  const std::string title = "soak: Entra-like life cycles (lookup, POST, PATCH attributes/active, group add/remove, "
                            "GET, DELETE) for " + fmt_count(env.opt.soak_s) + " s";
  std::vector<std::string> group_ids;
  std::vector<std::string> targets;
  try {
    for (std::size_t g = 0; g < soak_groups; ++g) {
      group_ids.push_back(create_group(env, "emuscim-bench-soak-" + env.nonce + "-" + std::to_string(g),
                                       "bench-soak-" + env.nonce + "-" + std::to_string(g), {}));
      targets.push_back(env.base + "/Groups/" + group_ids.back());
    }
  } catch (const std::exception& e) {
    return failed_report("soak", title, e.what());
  }

  soak_op op(env, targets);
  run_params p;
  p.connections = env.opt.connections;
  p.warmup_s = env.opt.soak_warmup_s;
  p.duration_s = env.opt.soak_s;
  p.hard_cap_s = env.opt.soak_warmup_s + env.opt.soak_s + env.opt.request_timeout_s + 30;
  p.max_iterations = env.opt.max_requests;
  p.seed = env.opt.seed * 131 + 12;

  std::optional<sampler> samp;
  if (env.server_pid > 0) samp.emplace(env.server_pid, env.opt.soak_warmup_s);
  const auto r = env.cl.run(op, p);
  std::vector<sample> s;
  if (samp) {
    samp->stop();
    s = samp->samples();
  }

  auto w = make_report("soak", title, r, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  w.rate = r.elapsed_s > 0 ? static_cast<double>(r.metrics.at(0).ok) / r.elapsed_s : 0;
  w.rate_unit = "cycles/s";
  w.notes.push_back("latency = one whole cycle (10 requests); cycles/s = completed cycles per second; warm-up " +
                    fmt_count(env.opt.soak_warmup_s) + " s");

  for (const auto& id : group_ids) {
    const auto d = env.cl.request("DELETE", env.base + "/Groups/" + id);
    if (!status_in(d, {200, 204})) w.notes.push_back("DELETE of soak group " + id + " failed: " + describe(d));
  }

  if (s.empty()) {
    w.notes.push_back(env.server_pid > 0 ? "no /proc samples of the server could be read"
                                         : "server memory not sampled (use --pid with --target)");
    return w;
  }
  const double warm_end = env.opt.soak_warmup_s;
  const double end = s.back().t_s;
  const double rss0 = peak_before(s, warm_end, &sample::rss_kib);
  const double rss1 = peak_before(s, end, &sample::rss_kib);
  const double fd0 = peak_before(s, warm_end, &sample::fds);
  const double fd1 = peak_before(s, end, &sample::fds);
  double rss_max = 0;
  for (const auto& x : s) rss_max = std::max(rss_max, x.rss_kib);
  w.figures.emplace_back("samples", static_cast<double>(s.size()));
  w.figures.emplace_back("rss_after_warmup_kib", rss0);
  w.figures.emplace_back("rss_end_kib", rss1);
  w.figures.emplace_back("rss_max_kib", rss_max);
  w.figures.emplace_back("rss_growth_pct", rss0 > 0 ? 100.0 * (rss1 - rss0) / rss0 : 0);
  w.figures.emplace_back("fds_after_warmup", fd0);
  w.figures.emplace_back("fds_end", fd1);
  w.figures.emplace_back("fd_growth_pct", fd0 > 0 ? 100.0 * (fd1 - fd0) / fd0 : 0);
  std::vector<double> ts, rss, fds;
  for (const auto& x : s) {
    ts.push_back(x.t_s);
    rss.push_back(x.rss_kib);
    fds.push_back(x.fds);
  }
  w.series.emplace_back("t_s", std::move(ts));
  w.series.emplace_back("rss_kib", std::move(rss));
  w.series.emplace_back("fds", std::move(fds));
  w.notes.push_back("growth compares the peak of the last " + fmt_count(growth_window_s) +
                    " s of the warm-up with the peak of the last " + fmt_count(growth_window_s) + " s of the run");
  return w;
}

}  // namespace bench
