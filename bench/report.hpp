#pragma once
// Human-readable output, the PASS/MISS targets, and the --json document.

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "workloads.hpp"

namespace bench {

struct run_info {
  bool spawned = false;                 // the bench started the server
  std::string server;                   // binary, or the --target address
  std::string db;
  std::size_t users = 0;                // seeded users
  std::size_t total_users = 0;          // totalResults at the end
  std::optional<double> startup_initial_ms;  // first start (empty or reused db)
  std::optional<double> startup_seeded_ms;   // start on the seeded db
  std::optional<double> shutdown_ms;
  std::optional<std::uint64_t> seed_peak_rss_kib;  // VmHWM at the end of seeding (before the restart)
  std::optional<std::uint64_t> peak_rss_kib;       // VmHWM at the end of the workloads
  std::vector<std::string> notes;
};

struct target_result {
  std::string name;    // what is judged
  std::string status;  // PASS, MISS or N/A
  std::string figure;  // the measured figure, readable
  std::optional<double> value;      // the judged number (a ratio, a rate, a percentage) ...
  std::optional<double> threshold;  // ... and its bound (JSON only)
};

void print_workload(std::ostream& out, const workload_report& w);
void print_summary(std::ostream& out, const std::vector<workload_report>& ws, const run_info& info);
std::vector<target_result> evaluate_targets(const options& opt, const std::vector<workload_report>& ws,
                                            const run_info& info);
void print_targets(std::ostream& out, const std::vector<target_result>& ts);
// Throws on I/O failure.
void write_json(const std::string& path, const options& opt, const std::optional<workload_report>& seed,
                const std::vector<workload_report>& ws, const run_info& info, const std::vector<target_result>& ts);

std::string fmt_count(double v);  // 12,345
std::string fmt_ms(double ms);    // 3 significant digits
std::string fmt_mib(std::uint64_t kib);

}  // namespace bench
