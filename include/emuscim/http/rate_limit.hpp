#pragma once
// GitHub-like rate limiting: a request budget per token per hour (github-emu-scim.md §15).
// Counting always runs so that responses carry the x-ratelimit-* headers; enforcement
// (429 + Retry-After once spent) only when enabled. Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace emuscim::http {

struct rate_state {
  std::uint32_t limit = 0;
  std::uint32_t used = 0;
  std::uint32_t remaining = 0;
  std::int64_t reset_epoch = 0;  // when the window ends, seconds since the epoch
  bool limited = false;          // this request exceeds the budget (only when enforcing)
  std::int64_t retry_after = 0;  // seconds, when limited
};

class rate_limiter {
 public:
  rate_limiter(bool enforce, std::uint32_t requests_per_hour) : enforce_(enforce), limit_(requests_per_hour) {}
  // Counts one request of `token_id` and reports the window's state.
  rate_state hit(std::int64_t token_id);
  void configure(bool enforce, std::uint32_t requests_per_hour);

 private:
  struct window {
    std::int64_t start = 0;
    std::uint32_t used = 0;
  };
  std::mutex mu_;
  bool enforce_;
  std::uint32_t limit_;
  std::unordered_map<std::int64_t, window> windows_;
};

}  // namespace emuscim::http
