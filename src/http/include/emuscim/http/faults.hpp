#pragma once
// Fault injection per enterprise, set through the admin API (docs/ADMIN_API.md): extra
// latency, a share of requests answered with a server error, or throttling (429). In memory
// only and off unless configured. Asked by the pipeline for routes that allow fault injection.
// Thread-safety: every member may be called from any thread.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <chrono>

#include "emuscim/scim/error.hpp"

namespace emuscim::http {

// What to do with one request: wait `delay` (a timer, not the thread), then answer `error`
// (if set) without serving the request.
struct scim_fault {
  std::chrono::milliseconds delay{0};
  std::optional<scim::error> error;
  std::optional<std::int64_t> retry_after;  // seconds: Retry-After and x-ratelimit-remaining: 0 (throttle)
};

struct fault_config {
  std::uint32_t latency_ms = 0;         // added to every SCIM request
  std::uint32_t latency_jitter_ms = 0;  // plus a uniform random 0..jitter
  double error_rate = 0;                // share of requests answered error_status, 0..1
  unsigned error_status = 503;          // 500, 502, 503 or 504
  bool throttle = false;                // every request answered 429 (wins over error_rate)
  std::uint32_t retry_after = 60;       // seconds, for throttle
};

class fault_injector {
 public:
  void set(const std::string& enterprise_slug, const fault_config& cfg);
  // True when faults were on for that enterprise.
  bool clear(const std::string& enterprise_slug);
  std::optional<fault_config> get(const std::string& enterprise_slug) const;

  // What to do with one SCIM request of that enterprise (nullopt: nothing). Lock-free while no
  // enterprise has faults.
  std::optional<scim_fault> decide(std::string_view enterprise_slug) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, fault_config, std::less<>> faults_;
  std::atomic<std::size_t> active_{0};
};

}  // namespace emuscim::http
