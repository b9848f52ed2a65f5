// Which file runs a workload: soak.cpp and workloads_teams.cpp use workloads.cpp's helpers, so
// workloads.cpp does not call them; this file does.
#include <exception>

#include "workloads.hpp"

namespace bench {

std::vector<workload_report> run_any_workload(bench_env& env, const std::string& id) {
  try {
    if (id == "7a" || id == "7b") return run_teams_workload(env, id);
    if (id == "soak") return {run_soak(env)};
  } catch (const std::exception& e) {
    return {failed_report(id, "workload " + id, e.what())};
  }
  return run_workload(env, id);
}

}  // namespace bench
