#pragma once
// Routing for the SCIM API and the service endpoints: match path and method, authenticate,
// parse, call one service function, render. Every error goes through make_error().

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "emuscim/http/error_response.hpp"
#include "emuscim/http/rate_limit.hpp"
#include "emuscim/http/server.hpp"

namespace emuscim::store {
class database;
}
namespace emuscim::service {
class users_service;
class groups_service;
}  // namespace emuscim::service

namespace emuscim::http {

struct router_options {
  bool strict = false;
  bool require_user_agent = false;          // 403 without User-Agent (GitHub's documented rule)
  error_style errors;
  std::optional<std::string> public_url;    // base of meta.location; default scheme://Host
  rate_settings rate_limit;                  // start values; the admin API can change them
};

// Optional extension: routes outside the SCIM API (admin API, audit log, metrics) are offered
// to this handler first; it returns nullopt when the path is not its own.
struct extension_reply {
  response res;
  std::string route;  // template for metrics, e.g. /_emuscim/enterprises/{enterprise}
};
class extension_routes {
 public:
  virtual ~extension_routes() = default;
  virtual net::awaitable<std::optional<extension_reply>> try_handle(const request& req, const connection_info& conn,
                                                                    const std::string& request_id) = 0;
};

// Optional fault injection for SCIM requests: asked once per request, after authentication and
// rate accounting and before the request is served. The router waits `delay` (a timer, not
// the thread), then answers `error` (if set) without serving the request. Must be cheap and
// thread-safe; nullopt = serve normally.
struct scim_fault {
  std::chrono::milliseconds delay{0};
  std::optional<scim::error> error;
  std::optional<std::int64_t> retry_after;  // seconds: Retry-After and x-ratelimit-remaining: 0 (throttle)
};
using fault_hook = std::function<std::optional<scim_fault>(std::string_view enterprise_slug)>;

// Observes every finished request (metrics).
struct request_record {
  std::string_view method;
  std::string_view route;  // template, e.g. /scim/v2/enterprises/{enterprise}/Users/{id}
  unsigned status = 0;
  double seconds = 0;
};
using request_observer = std::function<void(const request_record&)>;

class router final : public request_handler {
 public:
  router(store::database& db, service::users_service& users, service::groups_service& groups, router_options opts);
  ~router() override;

  void set_extension(extension_routes* ext) { extension_ = ext; }
  void set_observer(request_observer obs) { observer_ = std::move(obs); }
  void set_fault_hook(fault_hook hook) { fault_hook_ = std::move(hook); }
  rate_limiter& limiter() { return limiter_; }

  net::awaitable<response> handle(request req, const connection_info& conn) override;

 private:
  struct routed;
  net::awaitable<routed> dispatch(request& req, const connection_info& conn, const std::string& request_id);

  store::database& db_;
  service::users_service& users_;
  service::groups_service& groups_;
  router_options opts_;
  rate_limiter limiter_;
  extension_routes* extension_ = nullptr;
  request_observer observer_;
  fault_hook fault_hook_;
};

// GitHub-style request id, e.g. "C0DE:1A2B:3C4D5E:6F7A8B:65F1A2B3".
std::string new_request_id();

}  // namespace emuscim::http
