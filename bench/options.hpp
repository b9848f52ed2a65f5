#pragma once
// Command line of emuscim-bench. Pure: parsing only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench {

// Every workload in the order it runs. "0" is the floor (emuscim-floor answering emuscim's own
// /healthz bytes), run right before "1" so that their ratio comes from one run.
inline const std::vector<std::string> all_workloads = {"0", "1", "2a", "2b", "3a", "3b", "4", "5a", "5b", "6", "7a", "7b", "8", "soak"};

struct options {
  // Either start a server ...
  std::optional<std::string> server_path;   // --server PATH (default: emuscim next to the bench)
  std::vector<std::string> server_args;     // --server-arg ARG (repeatable), appended to `serve`
  std::size_t server_threads = 2;           // --server-threads
  bool restart_after_seed = true;           // --no-restart clears it
  double startup_timeout_s = 60;            // --startup-timeout
  double stop_timeout_s = 10;               // --stop-timeout
  std::optional<std::string> floor_path;    // --floor PATH (default: emuscim-floor next to the bench)
  std::optional<std::string> db;            // --db PATH (default: a temp dir)
  bool reuse_db = false;                    // --reuse-db
  bool keep = false;                        // --keep: keep the temp dir (db, logs)
  // ... or target a running one.
  std::optional<std::string> target;        // --target HOST:PORT (loopback only)
  std::optional<long> pid;                  // --pid PID (RSS of a running server)
  std::string token = "emuscim-bench-token";  // --token
  std::string enterprise = "bench";         // --enterprise

  std::size_t users = 10'000;               // --users
  std::size_t groups = 10;                  // --groups (10-member groups seeded)
  std::size_t connections = 64;             // --connections
  std::size_t seed_connections = 0;         // --seed-connections (0 = --connections)
  double duration_s = 10;                   // --duration
  double warmup_s = 1;                      // --warmup
  std::size_t threads = 1;                  // --threads (client io_context)
  std::vector<std::string> workloads = all_workloads;  // --workloads
  std::optional<std::string> json_path;     // --json FILE
  std::size_t membership_target = 100'000;  // --membership-target
  bool membership_full_response = false;    // --membership-full-response
  double soak_s = 120;                      // --soak-seconds: measured time of the soak
  double soak_warmup_s = 30;                // --soak-warmup: its warm-up (growth is judged after it)
  std::uint64_t seed = 1;                   // --seed (client RNG)
  double request_timeout_s = 30;            // --request-timeout
  double walk_timeout_s = 600;              // --walk-timeout (count-bounded phases)
  double seed_timeout_s = 7200;             // --seed-timeout
  std::uint64_t max_requests = 20'000'000;  // --max-requests per workload

  bool wants(const std::string& workload) const;
};

struct parse_result {
  options opts;
  bool help = false;
  std::string error;  // non-empty: print and exit 2
};

parse_result parse_options(const std::vector<std::string>& args);
const char* usage_text();

}  // namespace bench
