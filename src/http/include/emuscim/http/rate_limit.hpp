#pragma once
// GitHub-like rate limiting (github-emu-scim.md §15): a request budget per token per hour, and a
// budget of user creations (POST /Users) per enterprise per hour. Counting always runs so that
// responses carry the x-ratelimit-* headers; enforcement (429 + Retry-After once spent) only when
// enabled. Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace emuscim::http {

struct rate_settings {
  bool enforce = false;
  std::uint32_t requests_per_hour = 5000;           // per token
  std::uint32_t user_creations_per_hour = 1000;     // per enterprise
  std::uint32_t unauthenticated_per_hour = 60;      // per client address (GitHub's unauthenticated limit)
};

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
  explicit rate_limiter(rate_settings s) : settings_(s) {}
  // Counts one request of `token_id` and reports the window's state.
  rate_state hit(std::int64_t token_id);
  // Counts one request without valid credentials from `client` (its address).
  rate_state hit_unauthenticated(const std::string& client);
  // Counts one admin API request (reported, never enforced: the admin API is not GitHub's).
  rate_state hit_admin();
  // Counts one user creation attempt in `enterprise_id` (a refused attempt is not counted).
  rate_state creation_hit(std::int64_t enterprise_id);
  // New settings; every window starts afresh.
  void configure(rate_settings s);
  rate_settings settings();

 private:
  struct window {
    std::int64_t start = 0;
    std::uint32_t used = 0;
  };
  static rate_state count(window& w, bool enforce, std::uint32_t limit);
  std::mutex mu_;
  rate_settings settings_;
  std::unordered_map<std::int64_t, window> windows_;            // per token
  std::unordered_map<std::int64_t, window> creation_windows_;   // per enterprise
  std::unordered_map<std::string, window> anonymous_windows_;   // per client address
  window admin_window_;
};

}  // namespace emuscim::http
