#include "emuscim/http/faults.hpp"

#include <random>

namespace emuscim::http {

namespace {

std::mt19937_64& rng() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

}  // namespace

void fault_injector::set(const std::string& enterprise_slug, const fault_config& cfg) {
  std::lock_guard lk(mu_);
  faults_[enterprise_slug] = cfg;
  active_.store(faults_.size(), std::memory_order_release);
}

bool fault_injector::clear(const std::string& enterprise_slug) {
  std::lock_guard lk(mu_);
  bool erased = faults_.erase(enterprise_slug) > 0;
  active_.store(faults_.size(), std::memory_order_release);
  return erased;
}

std::optional<fault_config> fault_injector::get(const std::string& enterprise_slug) const {
  std::lock_guard lk(mu_);
  auto it = faults_.find(enterprise_slug);
  if (it == faults_.end()) return std::nullopt;
  return it->second;
}

std::optional<scim_fault> fault_injector::decide(std::string_view enterprise_slug) const {
  if (active_.load(std::memory_order_acquire) == 0) return std::nullopt;
  fault_config cfg;
  {
    std::lock_guard lk(mu_);
    auto it = faults_.find(enterprise_slug);
    if (it == faults_.end()) return std::nullopt;
    cfg = it->second;
  }
  scim_fault f;
  std::uint64_t delay = cfg.latency_ms;
  if (cfg.latency_jitter_ms > 0) {
    delay += std::uniform_int_distribution<std::uint64_t>(0, cfg.latency_jitter_ms)(rng());
  }
  f.delay = std::chrono::milliseconds(delay);
  if (cfg.throttle) {
    f.error = scim::too_many_requests("API rate limit exceeded (throttling injected by the emuscim admin API). "
                                      "Retry after " + std::to_string(cfg.retry_after) + " seconds.");
    f.retry_after = cfg.retry_after;
  } else if (cfg.error_rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng()) < cfg.error_rate) {
    f.error = scim::error{static_cast<int>(cfg.error_status), "",
                          "Server error " + std::to_string(cfg.error_status) +
                              " (fault injected by the emuscim admin API)"};
  }
  if (f.delay.count() == 0 && !f.error) return std::nullopt;
  return f;
}

}  // namespace emuscim::http
