#include "report.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace bench {

using json = nlohmann::json;

std::string fmt_count(double v) {
  if (!std::isfinite(v)) return "-";
  const bool neg = v < 0;
  auto n = static_cast<unsigned long long>(std::llround(std::fabs(v)));
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return neg ? "-" + out : out;
}

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string fmt_rate(double v) { return v >= 100 ? fmt_count(v) : fixed(v, 1); }

const workload_report* find(const std::vector<workload_report>& ws, const std::string& id) {
  for (const auto& w : ws)
    if (w.id == id) return &w;
  return nullptr;
}

std::string lat_line(const latency_summary& l) {
  return "p50 " + fmt_ms(l.p50_ms) + "  p90 " + fmt_ms(l.p90_ms) + "  p99 " + fmt_ms(l.p99_ms) + "  max " +
         fmt_ms(l.max_ms) + "  (n=" + fmt_count(static_cast<double>(l.count)) + ")";
}

json lat_json(const latency_summary& l) {
  return {{"count", l.count}, {"p50_ms", l.p50_ms}, {"p90_ms", l.p90_ms}, {"p99_ms", l.p99_ms},
          {"max_ms", l.max_ms}, {"mean_ms", l.mean_ms}};
}

json workload_json(const workload_report& w) {
  json j = {{"id", w.id},
            {"title", w.title},
            {"connections", w.connections},
            {"elapsed_s", w.elapsed_s},
            {"requests", w.requests},
            {"errors", w.errors},
            {"rate", w.rate},
            {"rate_unit", w.rate_unit},
            {"requests_per_s", w.request_rate},
            {"latency", lat_json(w.latency)}};
  json parts = json::object();
  for (const auto& [k, v] : w.parts) parts[k] = lat_json(v);
  j["parts"] = parts;
  json figures = json::object();
  for (const auto& [k, v] : w.figures) figures[k] = v;
  j["figures"] = figures;
  if (!w.series.empty()) {
    json series = json::object();
    for (const auto& [k, v] : w.series) series[k] = v;
    j["series"] = series;
  }
  json kinds = json::object();
  for (const auto& [k, v] : w.error_kinds) kinds[k] = v;
  j["error_kinds"] = kinds;
  json samples = json::object();
  for (const auto& [k, v] : w.error_samples) samples[k] = v;
  j["error_samples"] = samples;
  if (w.mem && w.mem->ok) j["server_memory"] = {{"peak_rss_kib", w.mem->hwm_kib}, {"rss_kib", w.mem->rss_kib}};
  j["notes"] = w.notes;
  return j;
}

}  // namespace

std::string fmt_ms(double ms) {
  if (ms <= 0) return "0 ms";
  if (ms < 1) return fixed(ms, 3) + " ms";
  if (ms < 10) return fixed(ms, 2) + " ms";
  if (ms < 100) return fixed(ms, 1) + " ms";
  return fmt_count(ms) + " ms";
}

std::string fmt_mib(std::uint64_t kib) { return fixed(static_cast<double>(kib) / 1024.0, 1) + " MiB"; }

void print_workload(std::ostream& out, const workload_report& w) {
  out << "[" << w.id << "] " << w.title << "\n";
  out << "    " << w.connections << " conn, " << fixed(w.elapsed_s, 2) << " s: " << fmt_count(static_cast<double>(w.requests))
      << " requests, " << fmt_rate(w.rate) << " " << w.rate_unit;
  if (w.rate_unit != "req/s") out << " (" << fmt_rate(w.request_rate) << " req/s)";
  out << ", errors " << w.errors << (w.errors ? "  <-- must be 0" : "") << "\n";
  out << "    latency  " << (w.latency.count ? lat_line(w.latency) : std::string("no successful requests")) << "\n";
  for (const auto& [name, l] : w.parts)
    if (l.count) out << "    " << std::left << std::setw(18) << name << std::right << " " << lat_line(l) << "\n";
  for (const auto& [k, v] : w.figures) {
    if (k.find("_ms") != std::string::npos)
      out << "    " << k << " = " << fmt_ms(v) << "\n";
    else if (k.ends_with("_kib"))
      out << "    " << k << " = " << fmt_mib(static_cast<std::uint64_t>(v)) << "\n";
    else
      out << "    " << k << " = " << (std::fabs(v - std::round(v)) < 1e-9 ? fmt_count(v) : fixed(v, 2)) << "\n";
  }
  if (w.mem && w.mem->ok)
    out << "    server   peak RSS " << fmt_mib(w.mem->hwm_kib) << " (RSS now " << fmt_mib(w.mem->rss_kib) << ")\n";
  for (const auto& [k, v] : w.error_kinds) {
    out << "    error    " << fmt_count(static_cast<double>(v)) << " x " << k << "\n";
    if (auto it = w.error_samples.find(k); it != w.error_samples.end() && !it->second.empty())
      out << "             e.g. " << it->second.substr(0, 300) << "\n";
  }
  for (const auto& n : w.notes) out << "    note     " << n << "\n";
  out.flush();
}

void print_summary(std::ostream& out, const std::vector<workload_report>& ws, const run_info& info) {
  out << "\nSummary (" << fmt_count(static_cast<double>(info.users)) << " seeded users, "
      << fmt_count(static_cast<double>(info.total_users)) << " users at the end)\n";
  out << std::left << std::setw(10) << "workload" << std::right << std::setw(14) << "rate" << "  " << std::left
      << std::setw(10) << "unit" << std::right << std::setw(11) << "p50" << std::setw(11) << "p90" << std::setw(11)
      << "p99" << std::setw(11) << "max" << std::setw(8) << "errors" << std::setw(13) << "peak RSS" << "\n";
  for (const auto& w : ws) {
    out << std::left << std::setw(10) << w.id << std::right << std::setw(14) << fmt_rate(w.rate) << "  " << std::left
        << std::setw(10) << w.rate_unit << std::right << std::setw(11) << fmt_ms(w.latency.p50_ms) << std::setw(11)
        << fmt_ms(w.latency.p90_ms) << std::setw(11) << fmt_ms(w.latency.p99_ms) << std::setw(11)
        << fmt_ms(w.latency.max_ms) << std::setw(8) << w.errors << std::setw(13)
        << (w.mem && w.mem->ok ? fmt_mib(w.mem->hwm_kib) : std::string("-")) << "\n";
  }
  if (info.startup_initial_ms) out << "server start-up (first start): " << fmt_ms(*info.startup_initial_ms) << "\n";
  if (info.startup_seeded_ms) out << "server start-up (seeded db):   " << fmt_ms(*info.startup_seeded_ms) << "\n";
  if (info.seed_peak_rss_kib) out << "server peak RSS while seeding: " << fmt_mib(*info.seed_peak_rss_kib) << "\n";
  if (info.peak_rss_kib) out << "server peak RSS (workloads):   " << fmt_mib(*info.peak_rss_kib) << "\n";
  for (const auto& n : info.notes) out << "note: " << n << "\n";
  out.flush();
}

std::vector<target_result> evaluate_targets(const options& opt, const std::vector<workload_report>& ws,
                                            const run_info& info) {
  std::vector<target_result> ts;
  auto judge = [&](std::string name, std::optional<bool> pass, std::string figure) {
    ts.push_back({std::move(name), pass ? (*pass ? "PASS" : "MISS") : "N/A", std::move(figure), std::nullopt, std::nullopt});
  };
  // Rate targets: ratios between workloads of this run, so that the machine cancels out.
  auto ratio_target = [&](const std::string& name, const workload_report* num, const workload_report* den,
                          const std::string& den_missing, double bound) {
    if (!num) return;
    if (!den || den->rate <= 0) {
      judge(name, std::nullopt, fmt_rate(num->rate) + " " + num->rate_unit + " (" + den_missing + ")");
      return;
    }
    const double ratio = num->rate / den->rate;
    judge(name, ratio >= bound,
          fmt_rate(num->rate) + " " + num->rate_unit + " / " + fmt_rate(den->rate) + " " + den->rate_unit + " = " +
              fixed(ratio, 3) + "x (bound " + fixed(bound, 2) + "x)");
    ts.back().value = ratio;
    ts.back().threshold = bound;
  };
  const auto* floor = find(ws, "0");
  const auto* health = find(ws, "1");
  const std::string at_n = " at " + fmt_count(static_cast<double>(info.users)) + " users";
  ratio_target("1  GET /healthz >= 0.75x the floor (emuscim-floor, same answer)", health, floor,
               "workload 0 not run", 0.75);
  ratio_target("2a GET /Users/{id} >= 0.5x GET /healthz" + at_n, find(ws, "2a"), health, "workload 1 not run", 0.5);
  ratio_target("2b externalId filter >= 0.5x GET /healthz" + at_n, find(ws, "2b"), health, "workload 1 not run", 0.5);
  const auto* post = find(ws, "3a");
  if (post) {
    judge("3a POST /Users >= 10,000 users/s, durable", post->rate >= 10'000, fmt_rate(post->rate) + " users/s");
    ts.back().value = post->rate;
    ts.back().threshold = 10'000;
  }
  ratio_target("3b PATCH active >= POST /Users (req/s vs users/s)", find(ws, "3b"), post, "workload 3a not run", 1.0);
  ratio_target("8a GET /Users/{id}: capture on >= 0.9x paused (capture costs <= 10%)", find(ws, "8a-on"),
               find(ws, "8a-off"), "workload 8 incomplete", 0.9);
  ratio_target("8b POST /Users: capture on >= 0.9x paused (capture costs <= 10%)", find(ws, "8b-on"),
               find(ws, "8b-off"), "workload 8 incomplete", 0.9);
  if (const auto* w = find(ws, "4")) {
    const double first = w->figure("first_page_p50_ms");
    const double last = w->figure("last_page_p50_ms");
    const std::string name = "4  last list page <= 2x first page (p50, idle probes)";
    if (first > 0 && last > 0)
      judge(name, last <= 2 * first,
            "first " + fmt_ms(first) + ", last " + fmt_ms(last) + " = " + fixed(last / first, 2) + "x, " +
                fmt_count(w->figure("pages_per_walk")) + " pages");
    else
      judge(name, std::nullopt, "no probe figures");
  }
  if (const auto* w = find(ws, "5a")) {
    const double first = w->figure("first_adds_p50_ms");
    const double last = w->figure("last_adds_p50_ms");
    const double members = w->figure("members", 0);
    const std::string name = "5a add at ~100k members ~ add at ~100 (p50 <= 1.5x)";
    if (first > 0 && last > 0) {
      std::string fig = "first adds " + fmt_ms(first) + ", last adds " + fmt_ms(last) + " = " + fixed(last / first, 2) +
                        "x at " + fmt_count(members) + " members";
      if (members < 100'000) fig += " (below 100,000: not the target size)";
      judge(name, last <= 1.5 * first, fig);
    } else {
      judge(name, std::nullopt, "no figures");
    }
  }
  const auto* big = find(ws, "5b");
  const auto* small = find(ws, "5b-small");
  if (big && small && big->latency.p50_ms > 0 && small->latency.p50_ms > 0) {
    const double ratio = big->latency.p50_ms / small->latency.p50_ms;
    judge("5b excludedAttributes=members GET flat (p50 <= 1.5x the 10-member group)", ratio <= 1.5,
          fmt_ms(big->latency.p50_ms) + " at " + fmt_count(big->figure("members", 0)) + " members vs " +
              fmt_ms(small->latency.p50_ms) + " at 10 = " + fixed(ratio, 2) + "x");
  } else if (big) {
    judge("5b excludedAttributes=members GET flat", std::nullopt, "no comparison run");
  }
  {
    const std::string name = "peak RSS < 100 MiB at 1,000,000 users";
    if (info.peak_rss_kib) {
      std::string fig = fmt_mib(*info.peak_rss_kib) + " with " + fmt_count(static_cast<double>(info.total_users)) + " users";
      if (info.users < 1'000'000) fig += " (target is defined at 1,000,000 users)";
      judge(name, *info.peak_rss_kib < 100ull * 1024, fig);
    } else {
      judge(name, std::nullopt, info.spawned ? "server memory not sampled" : "server memory unknown (use --pid with --target)");
    }
  }
  if (const auto* soak = find(ws, "soak")) {
    const double rss_growth = soak->figure("rss_growth_pct", -1e9);
    const double fd_growth = soak->figure("fd_growth_pct", -1e9);
    const std::string span = " over " + fmt_count(opt.soak_s) + " s after a " + fmt_count(opt.soak_warmup_s) + " s warm-up";
    if (rss_growth > -1e8) {
      judge("soak RSS growth after warm-up < 5%", rss_growth < 5.0,
            fmt_mib(static_cast<std::uint64_t>(soak->figure("rss_after_warmup_kib", 0))) + " -> " +
                fmt_mib(static_cast<std::uint64_t>(soak->figure("rss_end_kib", 0))) + " = " + fixed(rss_growth, 2) +
                "%" + span);
      ts.back().value = rss_growth;
      ts.back().threshold = 5.0;
      judge("soak open descriptors growth after warm-up < 5%", fd_growth < 5.0,
            fmt_count(soak->figure("fds_after_warmup", 0)) + " -> " + fmt_count(soak->figure("fds_end", 0)) + " = " +
                fixed(fd_growth, 2) + "%" + span);
      ts.back().value = fd_growth;
      ts.back().threshold = 5.0;
    } else {
      judge("soak RSS and descriptor growth after warm-up < 5%", std::nullopt,
            info.spawned ? "no samples" : "server not sampled (use --pid with --target)");
    }
  }
  {
    const std::string name = "server start-up on the seeded db < 1 s";
    if (info.startup_seeded_ms)
      judge(name, *info.startup_seeded_ms < 1000.0,
            fmt_ms(*info.startup_seeded_ms) + " with " + fmt_count(static_cast<double>(info.users)) + "+ users");
    else
      judge(name, std::nullopt, info.spawned ? "not measured (--no-restart)" : "server not started by the bench");
  }
  return ts;
}

void print_targets(std::ostream& out, const std::vector<target_result>& ts) {
  out << "\nTargets\n";
  for (const auto& t : ts)
    out << "  " << std::left << std::setw(5) << t.status << std::right << " " << t.name << "\n        " << t.figure << "\n";
  out.flush();
}

void write_json(const std::string& path, const options& opt, const std::optional<workload_report>& seed_report,
                const std::vector<workload_report>& ws, const run_info& info, const std::vector<target_result>& ts) {
  json j;
  j["tool"] = "emuscim-bench";
  j["config"] = {{"users", opt.users},
                 {"groups", opt.groups},
                 {"connections", opt.connections},
                 {"duration_s", opt.duration_s},
                 {"warmup_s", opt.warmup_s},
                 {"client_threads", opt.threads},
                 {"server_threads", opt.server_threads},
                 {"membership_target", opt.membership_target},
                 {"soak_s", opt.soak_s},
                 {"soak_warmup_s", opt.soak_warmup_s},
                 {"membership_full_response", opt.membership_full_response},
                 {"workloads", opt.workloads},
                 {"seed", opt.seed}};
  json server = {{"spawned", info.spawned}, {"server", info.server}, {"db", info.db},
                 {"users_seeded", info.users}, {"users_at_end", info.total_users}};
  auto opt_num = [](const auto& o) { return o ? json(*o) : json(nullptr); };
  server["startup_initial_ms"] = opt_num(info.startup_initial_ms);
  server["startup_seeded_ms"] = opt_num(info.startup_seeded_ms);
  server["shutdown_ms"] = opt_num(info.shutdown_ms);
  server["seed_peak_rss_kib"] = opt_num(info.seed_peak_rss_kib);
  server["peak_rss_kib"] = opt_num(info.peak_rss_kib);
  server["notes"] = info.notes;
  j["server"] = server;
  j["seed"] = seed_report ? workload_json(*seed_report) : json(nullptr);
  json arr = json::array();
  for (const auto& w : ws) arr.push_back(workload_json(w));
  j["workloads"] = arr;
  json targets = json::array();
  for (const auto& t : ts) {
    json jt = {{"name", t.name}, {"status", t.status}, {"figure", t.figure}};
    if (t.value) jt["value"] = *t.value;
    if (t.threshold) jt["threshold"] = *t.threshold;
    targets.push_back(std::move(jt));
  }
  j["targets"] = targets;
  std::ofstream out(path, std::ios::trunc);
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace bench
