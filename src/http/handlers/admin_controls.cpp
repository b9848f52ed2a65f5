// The admin API's controls (docs/ADMIN_API.md): fault injection per enterprise, the rate limit.
#include <cstdint>
#include <mutex>

#include "emuscim/base/text.hpp"
#include "emuscim/http/pipeline.hpp"
#include "emuscim/service/admin_service.hpp"
#include "http/handlers/handlers.hpp"

namespace emuscim::http::handlers {

namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxLatencyMs = 60'000;
constexpr std::uint64_t kMaxRetryAfter = 86'400;

// A non-negative integer member within [lo, hi]; nullopt when absent.
scim::result<std::optional<std::uint64_t>> uint_member(const json& body, const char* key, std::uint64_t lo,
                                                       std::uint64_t hi) {
  auto it = body.find(key);
  if (it == body.end()) return std::optional<std::uint64_t>();
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() < lo || it->get<std::uint64_t>() > hi) {
    return scim::fail(scim::invalid_value(
        base::cat({"'", key, "' must be an integer from ", std::to_string(lo), " to ", std::to_string(hi)})));
  }
  return std::optional<std::uint64_t>(it->get<std::uint64_t>());
}

scim::result<std::optional<bool>> bool_member(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) return std::optional<bool>();
  if (!it->is_boolean()) return scim::fail(scim::invalid_value(base::cat({"'", key, "' must be true or false"})));
  return std::optional<bool>(it->get<bool>());
}

json fault_json(std::string_view slug, const std::optional<fault_config>& f) {
  fault_config cfg = f.value_or(fault_config{});
  return {{"enterprise", slug},
          {"enabled", f.has_value()},
          {"latency_ms", cfg.latency_ms},
          {"latency_jitter_ms", cfg.latency_jitter_ms},
          {"error_rate", cfg.error_rate},
          {"error_status", cfg.error_status},
          {"throttle", cfg.throttle},
          {"retry_after", cfg.retry_after}};
}

json rate_json(const rate_settings& s) {
  return {{"enabled", s.enforce},
          {"requests_per_hour", s.requests_per_hour},
          {"user_creations_per_hour", s.user_creations_per_hour}};
}

// Faults are per existing enterprise: 404 otherwise.
scim::status known_enterprise(call& c) {
  auto e = c.svc.admin.enterprise(c.param("enterprise"));
  if (!e) return scim::fail(e.error());
  return {};
}

}  // namespace

net::awaitable<outcome> admin_get_faults(call& c) {
  if (auto ok = known_enterprise(c); !ok) co_return scim::fail(ok.error());
  const auto& slug = c.param("enterprise");
  co_return json_answer(200, fault_json(slug, c.svc.faults.get(slug)));
}

net::awaitable<outcome> admin_clear_faults(call& c) {
  if (auto ok = known_enterprise(c); !ok) co_return scim::fail(ok.error());
  c.svc.faults.clear(c.param("enterprise"));
  co_return no_content();
}

net::awaitable<outcome> admin_set_faults(call& c) {
  if (auto ok = known_enterprise(c); !ok) co_return scim::fail(ok.error());
  const json& body = c.body;
  if (auto ok = only_keys(body, {"latency_ms", "latency_jitter_ms", "error_rate", "error_status", "throttle",
                                 "retry_after"});
      !ok) {
    co_return scim::fail(ok.error());
  }
  fault_config cfg;
  auto latency = uint_member(body, "latency_ms", 0, kMaxLatencyMs);
  auto jitter = uint_member(body, "latency_jitter_ms", 0, kMaxLatencyMs);
  auto status = uint_member(body, "error_status", 500, 504);
  auto retry = uint_member(body, "retry_after", 1, kMaxRetryAfter);
  auto throttle = bool_member(body, "throttle");
  for (const auto* r : {&latency, &jitter, &status, &retry}) {
    if (!*r) co_return scim::fail(r->error());
  }
  if (!throttle) co_return scim::fail(throttle.error());
  if (*status && **status != 500 && **status != 502 && **status != 503 && **status != 504) {
    co_return scim::fail(scim::invalid_value("'error_status' must be 500, 502, 503 or 504"));
  }
  if (auto it = body.find("error_rate"); it != body.end()) {
    if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1) {
      co_return scim::fail(scim::invalid_value("'error_rate' must be a number from 0 to 1"));
    }
    cfg.error_rate = it->get<double>();
  }
  cfg.latency_ms = static_cast<std::uint32_t>(latency->value_or(0));
  cfg.latency_jitter_ms = static_cast<std::uint32_t>(jitter->value_or(0));
  cfg.error_status = static_cast<unsigned>(status->value_or(cfg.error_status));
  cfg.retry_after = static_cast<std::uint32_t>(retry->value_or(cfg.retry_after));
  cfg.throttle = throttle->value_or(false);
  c.svc.faults.set(c.param("enterprise"), cfg);
  co_return json_answer(200, fault_json(c.param("enterprise"), cfg));
}

net::awaitable<outcome> admin_get_rate_limit(call& c) { co_return json_answer(200, rate_json(c.svc.limiter.settings())); }

net::awaitable<outcome> admin_set_rate_limit(call& c) {
  const json& body = c.body;
  if (auto ok = only_keys(body, {"enabled", "requests_per_hour", "user_creations_per_hour"}); !ok) {
    co_return scim::fail(ok.error());
  }
  auto enabled = bool_member(body, "enabled");
  auto per_hour = uint_member(body, "requests_per_hour", 1, UINT32_MAX);
  auto creations = uint_member(body, "user_creations_per_hour", 1, UINT32_MAX);
  if (!enabled) co_return scim::fail(enabled.error());
  for (const auto* r : {&per_hour, &creations}) {
    if (!*r) co_return scim::fail(r->error());
  }
  rate_settings s;
  {
    std::lock_guard lk(c.svc.rate_settings_mu);
    s = c.svc.limiter.settings();
    if (*enabled) s.enforce = **enabled;
    if (*per_hour) s.requests_per_hour = static_cast<std::uint32_t>(**per_hour);
    if (*creations) s.user_creations_per_hour = static_cast<std::uint32_t>(**creations);
    c.svc.limiter.configure(s);  // also starts every window afresh
  }
  co_return json_answer(200, rate_json(s));
}

}  // namespace emuscim::http::handlers
