#pragma once
// Seeding and the workloads of emuscim-bench, written against the server's HTTP contract only.

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client.hpp"
#include "histogram.hpp"
#include "options.hpp"
#include "process.hpp"

namespace bench {

struct latency_summary {
  std::uint64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};
latency_summary summarize(const latency_histogram& h);

struct workload_report {
  std::string id;     // "1", "2a", ..., "5b-small", "seed"
  std::string title;  // what was requested
  std::size_t connections = 0;
  double elapsed_s = 0;
  std::uint64_t requests = 0;  // every request sent in the measured window (all metrics)
  std::uint64_t errors = 0;    // must be 0
  double rate = 0;             // the workload's main figure ...
  std::string rate_unit = "req/s";  // ... and its unit (users/s, pages/s, members/s, cycles/s)
  double request_rate = 0;     // requests/s, all requests
  latency_summary latency;     // of the main metric
  std::vector<std::pair<std::string, latency_summary>> parts;  // the other metrics
  std::vector<std::pair<std::string, double>> figures;         // extra named figures
  std::vector<std::pair<std::string, std::vector<double>>> series;  // sampled over time (JSON only)
  std::map<std::string, std::uint64_t> error_kinds;
  std::map<std::string, std::string> error_samples;  // error kind -> a sample
  std::optional<mem_status> mem;  // server memory after the workload
  std::vector<std::string> notes;

  double figure(const std::string& key, double fallback = -1) const {
    for (const auto& [k, v] : figures)
      if (k == key) return v;
    return fallback;
  }
  const latency_summary* part(const std::string& name) const {
    for (const auto& [k, v] : parts)
      if (k == name) return &v;
    return nullptr;
  }
};

struct bench_env {
  bench_env(const options& o, client& c, std::string base_path, std::string run_nonce,
            std::optional<std::string> ids_path)
      : opt(o), cl(c), base(std::move(base_path)), nonce(std::move(run_nonce)), ids_file(std::move(ids_path)) {}
  const options& opt;
  client& cl;
  std::string base;               // "/scim/v2/enterprises/<slug>"
  std::string nonce;              // unique per run, for names that must not collide across runs
  std::optional<std::string> ids_file;  // where the seeded ids are kept for --reuse-db
  std::vector<std::string> ids;   // seeded user k ("u<k>", "ext-<k>") -> SCIM id
  std::size_t total_users = 0;    // as last seen in totalResults
  std::string small_group_id;     // a seeded 10-member group
  std::string big_group_id;       // built by workload 5
  std::size_t big_group_members = 0;
  long server_pid = -1;           // for /proc samples (soak); -1 when unknown
  std::string teams_group_id;      // built by workload 7a, reused by 7b (workloads_teams.cpp)
  std::size_t teams_group_members = 0;
  std::atomic<std::uint64_t> post_seq{0};
  std::uint64_t sync_round = 0;
};

// Seeds (or finds) users u0..u<N-1> and the 10-member groups through the API. Throws when the
// set cannot be completed. The report's rate is users created per second.
workload_report seed(bench_env& env);

// Runs one workload by id ("1", "2a", ..., "6"); 5b yields two reports ("5b", "5b-small").
// The workloads of this file (workloads.cpp); run_any_workload (dispatch.cpp) also runs those of
// workloads_teams.cpp and soak.cpp. A workload that throws yields a failed report.
std::vector<workload_report> run_workload(bench_env& env, const std::string& id);
std::vector<workload_report> run_any_workload(bench_env& env, const std::string& id);

// Workloads 7a and 7b (workloads_teams.cpp): team reconciliation. They mint an admin:org token
// through the admin API with this token, which the bench gives the server it starts.
inline constexpr std::string_view bench_admin_token = "emuscim-bench-admin-token-0123456789";
std::vector<workload_report> run_teams_workload(bench_env& env, const std::string& id);

// Deletes the group built by workload 5 (untimed). Returns a note when that failed.
std::optional<std::string> cleanup(bench_env& env);

// totalResults of GET /Users?startIndex=1&count=1; throws on failure.
std::size_t count_users(bench_env& env);

// The soak (soak.cpp): a mix of IdP traffic for --soak-seconds after --soak-warmup, sampling the
// server's VmRSS and open descriptors every second; figures rss_growth_pct and fd_growth_pct.
workload_report run_soak(bench_env& env);

// ---- shared by the workload files (workloads.cpp, soak.cpp) ----
inline constexpr std::string_view user_schema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view group_schema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view patch_schema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

bool status_in(const reply& r, std::initializer_list<unsigned> codes);
// The body of POST /Users, written into `b`.
void user_body(std::string& b, std::string_view user_name, std::string_view external_id, std::string_view display);
// First Resources[].id of a ListResponse, via a full parse (set-up paths only).
std::optional<std::string> first_resource_id(const std::string& body);
// Top-level "id" of a resource (set-up paths: a full parse, never a guess).
std::optional<std::string> resource_id(const std::string& body);
// "HTTP 404: <start of the body>" or the transport error.
std::string describe(const reply& r);
// Shapes a run into a report. `request_metrics` are disjoint metrics that together count every
// request; metric 0 gives the main latency; every other metric becomes a part.
workload_report make_report(std::string id, std::string title, const run_result& r,
                            std::initializer_list<std::size_t> request_metrics = {0});
workload_report failed_report(const std::string& id, const std::string& title, const std::string& why);
// POST /Groups with these seeded users as members; returns the id, throws on failure.
std::string create_group(bench_env& env, const std::string& name, const std::string& external_id,
                         const std::vector<std::size_t>& members);

}  // namespace bench
