#pragma once
// The one request pipeline. Every route family goes through the same steps, in this order
// (docs/ARCHITECTURE.md "Request pipeline"):
//   1. context: request id, client address, base URL (public_url, or X-Forwarded-Proto/-Host and Host)
//   2. route: the table's match; unknown path 404, wrong method 405 with Allow (the /_emuscim/
//      family authenticates the admin token first, and is 404 altogether without one)
//   3. authentication: the route's kind (token: 401; the {enterprise} it names: 404/403)
//   4. scope check: GitHub's accepted scopes for the route (403)
//   5. rate-limit accounting: per token, or per client address when unauthenticated (429)
//   6. fault injection (routes that allow it)
//   7. body parsing with the depth and size limits (400)
//   8. the handler
//   9. response headers: x-github-request-id and x-ratelimit-* on every answer, X-OAuth-Scopes
//      and X-Accepted-OAuth-Scopes on token routes, Cache-Control: no-store and nosniff on the
//      admin family; then the access log line (4xx/5xx with scim_type and detail; at debug also
//      the headers and bodies, secrets masked as in the request log) and the observers.
//  10. capture: routes flagged `captured` go into the request log (services::requests) with the
//      notes and audit events their request_trace collected (docs/DASHBOARD.md).
// An exception anywhere becomes a 500 here and nowhere else; every error body comes from
// error_response.hpp. Thread-safety: handle() runs concurrently on the connections' strands.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "emuscim/http/call.hpp"
#include "emuscim/http/error_response.hpp"
#include "emuscim/http/faults.hpp"
#include "emuscim/http/metrics.hpp"
#include "emuscim/http/rate_limit.hpp"
#include "emuscim/http/route.hpp"
#include "emuscim/http/server.hpp"

namespace emuscim::service {
class users_service;
class groups_service;
class admin_service;
class audit_service;
class auth_service;
class teams_service;
class org_identity_service;
}  // namespace emuscim::service

namespace emuscim::http {

class request_log;  // request_log.hpp

// What handlers reach through call::svc: the use cases, and the HTTP layer's own state.
struct services {
  service::users_service& users;
  service::groups_service& groups;
  service::admin_service& admin;
  service::audit_service& audit;
  service::auth_service& auth;
  rate_limiter& limiter;
  fault_injector& faults;
  http_metrics& metrics;
  service::users_service& org_users;                    // org-level SCIM: the users engine with the org rules
  service::org_identity_service& org_identities;        // invitations, acceptance, identity links
  std::function<std::size_t()> open_connections = {};  // for the metrics gauge
  std::mutex rate_settings_mu = {};                       // serializes read-modify-write of the limiter settings
  request_log* requests = nullptr;                        // the request inspector's ring; null: capture off
  service::teams_service* teams = nullptr;                // organizations, teams, external groups, enterprise teams
};

struct pipeline_options {
  bool strict = false;
  bool require_user_agent = false;        // 403 without User-Agent on token routes (GitHub's documented rule)
  error_style errors;
  std::optional<std::string> public_url;  // base of meta.location and Link; default scheme://Host
};

class pipeline final : public request_handler {
 public:
  pipeline(route_table table, services& svc, pipeline_options opts);

  void set_observer(request_observer obs) { observer_ = std::move(obs); }

  net::awaitable<response> handle(request req, const connection_info& conn, stream_pump& stream) override;
  response refuse(const scim::error& e, unsigned version) override;

  const route_table& table() const { return table_; }

 private:
  struct exchange;
  net::awaitable<outcome> serve(exchange& x, request& req, const connection_info& conn);
  void anonymous(exchange& x, const connection_info& conn);  // the unauthenticated budget
  response render(exchange& x, const request& req, outcome out, stream_pump& stream);
  void finish(exchange& x, const request& req, const connection_info& conn, response& res, double seconds);
  void capture(exchange& x, request& req, const response& res, double seconds);

  route_table table_;
  services& svc_;
  pipeline_options opts_;
  request_observer observer_;
};

// GitHub-style request id, e.g. "C0DE:1A2B:3C4D5E:6F7A8B:65F1A2B3".
std::string new_request_id();

}  // namespace emuscim::http
