#pragma once
// Routes outside the SCIM API, offered to the router as its extension (docs/ADMIN_API.md):
//   /_emuscim/...                          the admin API, JSON in and out, behind the admin token
//   /enterprises/{enterprise}/audit-log    GitHub's audit-log route, behind an enterprise token
//                                          with read:audit_log or admin:enterprise
//   /metrics                               Prometheus text, unauthenticated
// Without an admin token the /_emuscim/ paths are not claimed at all (the router answers 404).
// Enterprise tokens never authenticate the admin API (401). Every error goes through make_error().
// Thread-safety: try_handle() runs concurrently on the connections' strands; the state it
// touches (database, rate limiter, fault injector, metrics) is thread-safe.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "emuscim/auth/token.hpp"
#include "emuscim/http/error_response.hpp"
#include "emuscim/http/faults.hpp"
#include "emuscim/http/metrics.hpp"
#include "emuscim/http/rate_limit.hpp"
#include "emuscim/http/router.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::http {

struct admin_options {
  std::optional<std::string> admin_token;  // absent = admin API off
  error_style errors;
  std::optional<std::string> public_url;   // base of Link headers; default scheme://Host
};

class admin_routes final : public extension_routes {
 public:
  admin_routes(store::database& db, rate_limiter& limiter, fault_injector& injector, http_metrics& registry,
               admin_options opts);
  ~admin_routes() override;
  admin_routes(const admin_routes&) = delete;
  admin_routes& operator=(const admin_routes&) = delete;

  // Source of the emuscim_open_connections gauge (the server exists after the router). Call
  // before serving.
  void set_open_connections(std::function<std::size_t()> fn) { open_connections_ = std::move(fn); }

  net::awaitable<std::optional<extension_reply>> try_handle(const request& req, const connection_info& conn,
                                                            const std::string& request_id) override;

 private:
  struct call;
  net::awaitable<extension_reply> admin_api(call& c);
  net::awaitable<extension_reply> enterprise_routes(call& c, const std::string& route);
  extension_reply github_audit_log(call& c);
  extension_reply serve_metrics(call& c);

  extension_reply list_enterprises(call& c);
  net::awaitable<extension_reply> create_enterprise(call& c);
  net::awaitable<extension_reply> delete_enterprise(call& c);
  extension_reply list_tokens(call& c);
  net::awaitable<extension_reply> create_token(call& c);
  net::awaitable<extension_reply> revoke_token(call& c);
  net::awaitable<extension_reply> reset(call& c);
  extension_reply list_users(call& c);
  extension_reply audit_log(call& c);
  extension_reply serve_faults(call& c);
  extension_reply rate_limit(call& c);

  store::database& db_;
  rate_limiter& limiter_;
  fault_injector& faults_;
  http_metrics& metrics_;
  admin_options opts_;
  std::optional<auth::token_hash> admin_hash_;
  std::function<std::size_t()> open_connections_;
  std::mutex rate_mu_;  // serializes read-modify-write of the limiter's settings
};

}  // namespace emuscim::http
