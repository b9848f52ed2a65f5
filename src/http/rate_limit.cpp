#include "emuscim/http/rate_limit.hpp"

#include <algorithm>

namespace emuscim::http {

rate_state rate_limiter::count(window& w, bool enforce, std::uint32_t limit) {
  using namespace std::chrono;
  std::int64_t now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  if (w.start == 0 || now >= w.start + 3600) {
    w.start = now;
    w.used = 0;
  }
  rate_state s;
  s.limit = limit;
  s.reset_epoch = w.start + 3600;
  if (enforce && w.used >= limit) {
    s.used = w.used;
    s.remaining = 0;
    s.limited = true;
    s.retry_after = std::max<std::int64_t>(1, s.reset_epoch - now);
    return s;
  }
  ++w.used;
  s.used = w.used;
  s.remaining = w.used >= limit ? 0 : limit - w.used;
  return s;
}

rate_state rate_limiter::hit(std::int64_t token_id) {
  std::lock_guard lk(mu_);
  return count(windows_[token_id], settings_.enforce, settings_.requests_per_hour);
}

rate_state rate_limiter::hit_unauthenticated(const std::string& client) {
  std::lock_guard lk(mu_);
  if (anonymous_windows_.size() > 65536) anonymous_windows_.clear();  // bounded: addresses are client-chosen
  return count(anonymous_windows_[client], settings_.enforce, settings_.unauthenticated_per_hour);
}

rate_state rate_limiter::hit_admin() {
  std::lock_guard lk(mu_);
  return count(admin_window_, false, settings_.requests_per_hour);
}

rate_state rate_limiter::creation_hit(std::int64_t enterprise_id) {
  std::lock_guard lk(mu_);
  return count(creation_windows_[enterprise_id], settings_.enforce, settings_.user_creations_per_hour);
}

void rate_limiter::configure(rate_settings s) {
  std::lock_guard lk(mu_);
  settings_ = s;
  windows_.clear();
  creation_windows_.clear();
  anonymous_windows_.clear();
  admin_window_ = {};
}

rate_settings rate_limiter::settings() {
  std::lock_guard lk(mu_);
  return settings_;
}

}  // namespace emuscim::http
