#include "emuscim/http/rate_limit.hpp"

namespace emuscim::http {

rate_state rate_limiter::hit(std::int64_t token_id) {
  using namespace std::chrono;
  std::int64_t now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  std::lock_guard lk(mu_);
  auto& w = windows_[token_id];
  if (w.start == 0 || now >= w.start + 3600) {
    w.start = now;
    w.used = 0;
  }
  rate_state s;
  s.limit = limit_;
  s.reset_epoch = w.start + 3600;
  if (enforce_ && w.used >= limit_) {
    s.used = w.used;
    s.remaining = 0;
    s.limited = true;
    s.retry_after = std::max<std::int64_t>(1, s.reset_epoch - now);
    return s;
  }
  ++w.used;
  s.used = w.used;
  s.remaining = w.used >= limit_ ? 0 : limit_ - w.used;
  return s;
}

void rate_limiter::configure(bool enforce, std::uint32_t requests_per_hour) {
  std::lock_guard lk(mu_);
  enforce_ = enforce;
  limit_ = requests_per_hour;
  windows_.clear();
}

}  // namespace emuscim::http
