#include "emuscim/http/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "emuscim/auth/scopes.hpp"
#include "emuscim/base/text.hpp"
#include "emuscim/http/log.hpp"
#include "emuscim/http/request_log.hpp"
#include "emuscim/scim/json_depth.hpp"
#include "emuscim/service/auth_service.hpp"

namespace emuscim::http {

namespace {

using nlohmann::json;

constexpr std::string_view kAdminRoot = "/_emuscim";

std::optional<std::string_view> header(const request& req, bhttp::field f) {
  auto it = req.find(f);
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}
std::optional<std::string_view> header(const request& req, std::string_view name) {
  auto it = req.find(name);
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

// The first of a comma-separated forwarded list ("https, http" -> "https").
std::string_view first_item(std::string_view v) { return base::trim(v.substr(0, v.find(','))); }

std::string base_url(const request& req, const connection_info& conn, const std::optional<std::string>& public_url) {
  if (public_url) {
    std::string out = *public_url;
    while (!out.empty() && out.back() == '/') out.pop_back();
    return out;
  }
  const auto proto = header(req, "X-Forwarded-Proto");
  const bool https = conn.tls || (proto && base::iequals(first_item(*proto), "https"));
  auto host = header(req, "X-Forwarded-Host");
  if (!host || first_item(*host).empty()) host = header(req, bhttp::field::host);
  const std::string_view h = host && !first_item(*host).empty() ? first_item(*host) : std::string_view("localhost");
  return std::string(https ? "https" : "http") + "://" + std::string(h);
}

// "127.0.0.1:5000" -> "127.0.0.1"; "[::1]:5000" -> "[::1]".
std::string client_address(const connection_info& conn) {
  const auto colon = conn.remote.rfind(':');
  return colon == std::string::npos ? conn.remote : conn.remote.substr(0, colon);
}

scim::result<json> parse_body(const request& req, body_kind kind) {
  const auto& body = req.body();
  if (body.empty()) {
    if (kind == body_kind::object_or_empty) return json::object();
    return scim::fail(scim::invalid_syntax("The request body is empty; a JSON object is required"));
  }
  if (scim::json_depth(body) > scim::max_json_depth) {
    return scim::fail(scim::invalid_syntax("The request body nests deeper than " +
                                           std::to_string(scim::max_json_depth) + " levels"));
  }
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return scim::fail(scim::invalid_syntax("The request body is not valid JSON"));
  if (!j.is_object()) return scim::fail(scim::invalid_syntax("The request body must be a JSON object"));
  return j;
}

std::string join(std::span<const std::string_view> items, std::string_view sep) {
  std::string out;
  for (auto s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string join(std::span<const std::string> items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::int64_t epoch_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string new_request_id() {
  // GitHub's form, e.g. "C4EF:5C94:7CC7FA:BB20A8:DD176560": upper-case hex fields of 4, 4, 6, 6
  // and 8 digits, written by hand (snprintf cost a tenth of a /healthz request).
  thread_local std::mt19937_64 gen{std::random_device{}()};
  const std::uint64_t a = gen(), b = gen();
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out(4 + 1 + 4 + 1 + 6 + 1 + 6 + 1 + 8, ':');
  std::size_t at = 0;
  auto field = [&](std::uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i) out[at + static_cast<std::size_t>(i)] = hex[(v >> (4 * (digits - 1 - i))) & 0xf];
    at += static_cast<std::size_t>(digits) + 1;
  };
  field(a & 0xffff, 4);
  field((a >> 16) & 0xffff, 4);
  field((a >> 32) & 0xffffff, 6);
  field(b & 0xffffff, 6);
  field(b >> 32, 8);
  return out;
}

// The state of one request as it goes through the steps.
struct pipeline::exchange {
  std::string request_id = new_request_id();
  target t;
  std::string_view route_label = "unmatched";
  const route* r = nullptr;
  error_dialect dialect = error_dialect::scim;
  std::optional<rate_state> rate;
  std::string_view rate_resource = "core";
  std::optional<std::vector<std::string>> held_scopes;  // token routes: X-OAuth-Scopes
  std::optional<scim::error> error;                      // the error answered, for the access log
  std::vector<std::pair<std::string, std::string>> late_headers;  // win over the computed ones
  // Capture (routes flagged `captured`, while the request log is on).
  std::chrono::system_clock::time_point arrived = std::chrono::system_clock::now();
  std::shared_ptr<service::request_trace> trace;  // set: the request is captured
  std::string enterprise;                         // slug and login the call resolved
  std::string org;
};

namespace {

header_list header_fields(const bhttp::fields& fields) {
  header_list out;
  out.reserve(16);
  for (const auto& f : fields) {
    out.emplace_back(std::string(f.name_string().data(), f.name_string().size()),
                     std::string(f.value().data(), f.value().size()));
  }
  return out;
}

json header_object(header_list headers) {
  redact_headers(headers);
  json out = json::object();
  for (auto& [name, value] : headers) out[name] = std::move(value);
  return out;
}

// A body for the debug log: cut to the request log's default size, secrets masked.
std::string debug_body(std::string body) {
  constexpr std::size_t kMax = 64 * 1024;
  const bool cut = cut_body(body, kMax);
  redact_body(body);
  if (cut) body += "…(truncated)";
  return body;
}

}  // namespace

pipeline::pipeline(route_table table, services& svc, pipeline_options opts)
    : table_(std::move(table)), svc_(svc), opts_(std::move(opts)) {}

response pipeline::refuse(const scim::error& e, unsigned version) {
  response res = make_error(e, version, false, opts_.errors);
  res.set("x-github-request-id", new_request_id());
  return res;
}

net::awaitable<response> pipeline::handle(request req, const connection_info& conn, stream_pump& stream) {
  const auto started = std::chrono::steady_clock::now();
  exchange x;
  x.t = parse_target(std::string_view(req.target().data(), req.target().size()));
  outcome out = scim::fail(scim::internal("Internal server error"));
  try {
    out = co_await serve(x, req, conn);
  } catch (const std::exception& e) {
    // The one place an exception becomes an answer; its text stays in the log.
    spdlog::error("{}", log_line("unhandled exception", {{"request_id", x.request_id}, {"what", e.what()}}));
    out = scim::fail(scim::internal("Internal server error"));
  } catch (...) {
    spdlog::error("{}", log_line("unhandled exception", {{"request_id", x.request_id}}));
    out = scim::fail(scim::internal("Internal server error"));
  }
  response res = render(x, req, std::move(out), stream);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  finish(x, req, conn, res, seconds);
  if (x.trace) capture(x, req, res, seconds);
  co_return res;
}

void pipeline::anonymous(exchange& x, const connection_info& conn) {
  x.rate = svc_.limiter.hit_unauthenticated(client_address(conn));
  x.rate_resource = "core";
}

net::awaitable<outcome> pipeline::serve(exchange& x, request& req, const connection_info& conn) {
  const auto authorization = header(req, bhttp::field::authorization);
  auto m = table_.find(x.t.path, req.method());
  const bool admin_family = x.t.path == kAdminRoot || x.t.path.starts_with("/_emuscim/");

  // 2. route (the admin family authenticates before it says whether a path exists; the
  // dashboard's files need no token, but exist only while the admin API is on)
  if (admin_family) {
    if (!svc_.auth.admin_enabled()) {
      anonymous(x, conn);
      co_return scim::fail(scim::not_found("Not Found"));
    }
    if (m.found == nullptr || m.found->auth != auth_kind::none) {
      // EventSource cannot send headers: its route takes the token as ?access_token= (which
      // the access log never shows: it logs the path alone).
      std::optional<std::string> query_credentials;
      if (!authorization && m.found != nullptr && m.found->query_token) {
        if (auto t = x.t.param("access_token")) query_credentials = "Bearer " + *t;
      }
      auto ok = svc_.auth.authenticate_admin(query_credentials ? std::optional<std::string_view>(*query_credentials)
                                                               : authorization);
      if (!ok) {
        anonymous(x, conn);
        if (m.found != nullptr) x.route_label = m.found->pattern;
        co_return scim::fail(ok.error());
      }
    }
    x.rate = svc_.limiter.hit_admin();
  }
  if (m.found == nullptr) {
    if (!x.rate) anonymous(x, conn);
    if (m.allowed == 0) co_return scim::fail(scim::not_found("Not Found"));
    x.route_label = m.pattern;
    x.late_headers.emplace_back("Allow", methods::allow_header(m.allowed));
    co_return scim::fail(scim::method_not_allowed("Method " + std::string(req.method_string()) + " is not allowed here"));
  }
  const route& r = *m.found;
  x.r = &r;
  x.route_label = r.pattern;
  x.dialect = r.errors;
  x.rate_resource = r.rate_resource;

  call c{req, conn, x.t, r, m.params, svc_, {}, std::nullopt, nullptr};
  // 10. capture: the trace collects notes and audit events; what the call resolved is copied
  // into the exchange when this coroutine ends, whichever way it ends.
  struct resolved_scope {
    exchange& x;
    const service::request_context& ctx;
    ~resolved_scope() {
      if (!x.trace) return;
      x.enterprise = ctx.enterprise.slug;
      if (ctx.org) x.org = ctx.org->login;
    }
  } resolved{x, c.ctx};
  if (r.captured && svc_.requests != nullptr && svc_.requests->capturing()) {
    x.trace = std::make_shared<service::request_trace>();
    c.ctx.trace = x.trace;
  }
  c.ctx.request_id = x.request_id;
  c.ctx.base_url = base_url(req, conn, opts_.public_url);
  c.ctx.method = std::string(req.method_string());
  c.ctx.path = x.t.path;
  c.ctx.query = x.t.query;

  if (r.auth == auth_kind::token) {
    // 3. authentication
    if ((opts_.require_user_agent || opts_.strict) && !header(req, bhttp::field::user_agent)) {
      anonymous(x, conn);
      co_return scim::fail(scim::forbidden(
          "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"));
    }
    auto who = svc_.auth.authenticate(authorization);
    if (!who) {
      anonymous(x, conn);
      co_return scim::fail(who.error());
    }
    x.rate = svc_.limiter.hit(who->token_id);
    x.held_scopes = who->scopes;
    c.ctx.token_id = who->token_id;
    if (m.params.has("enterprise")) {
      auto ent = svc_.auth.enterprise_for(*who, m.params.get("enterprise"));
      if (!ent) co_return scim::fail(ent.error());
      c.ctx.enterprise = std::move(*ent);
    }
    if (m.params.has("org")) {
      auto access = svc_.auth.org_for(*who, m.params.get("org"));
      if (!access) co_return scim::fail(access.error());
      if (r.standalone_org && access->org.enterprise_id) {
        // GitHub: org-level SCIM and invitations are not available for EMU organizations.
        co_return scim::fail(scim::not_found(
            "Organization '" + access->org.login + "' belongs to an enterprise with managed users" +
            (access->enterprise ? " ('" + access->enterprise->slug + "')" : std::string()) +
            ": this API is only available for organizations that use SAML single sign-on" +
            (access->enterprise ? "; provision through /scim/v2/enterprises/" + access->enterprise->slug + "/"
                                : std::string())));
      }
      c.ctx.org = std::move(access->org);
      if (access->enterprise) c.ctx.enterprise = std::move(*access->enterprise);
    }
    // 4. scopes
    if (!auth::grants(who->scopes, r.scopes)) {
      if (r.conceal) co_return scim::fail(scim::not_found("Not Found"));
      co_return scim::fail(scim::forbidden("This token lacks the " + join(r.scopes, " or ") + " scope"));
    }
    c.who = std::move(*who);
    // 5. rate limits
    if (x.rate->limited) {
      x.late_headers.emplace_back("Retry-After", std::to_string(x.rate->retry_after));
      co_return scim::fail(scim::too_many_requests("API rate limit exceeded for this token. Retry after " +
                                                   std::to_string(x.rate->retry_after) + " seconds."));
    }
    if (r.creates_user) {
      // GitHub's EMU guidance: at most so many users provisioned per hour (§15), per enterprise.
      auto creations = svc_.limiter.creation_hit(c.ctx.enterprise.id);
      if (creations.limited) {
        x.late_headers.emplace_back("Retry-After", std::to_string(creations.retry_after));
        co_return scim::fail(scim::too_many_requests(
            "User provisioning rate limit exceeded: at most " + std::to_string(creations.limit) +
            " users per hour for this enterprise. Retry after " + std::to_string(creations.retry_after) +
            " seconds."));
      }
    }
    // 6. faults
    if (r.faultable) {
      // A plain local, not an if-declaration: it must outlive the co_await below (GCC 12).
      std::optional<scim_fault> fault = svc_.faults.decide(c.ctx.org && !c.ctx.org->enterprise_id
                                                               ? c.ctx.org->login
                                                               : c.ctx.enterprise.slug);
      if (fault && fault->delay.count() > 0) {
        net::steady_timer timer(co_await net::this_coro::executor, fault->delay);
        co_await timer.async_wait(net::use_awaitable);
      }
      if (fault && fault->error) {
        if (fault->retry_after) {
          x.late_headers.emplace_back("Retry-After", std::to_string(*fault->retry_after));
          x.late_headers.emplace_back("x-ratelimit-remaining", "0");
          x.late_headers.emplace_back("x-ratelimit-reset", std::to_string(epoch_now() + *fault->retry_after));
        }
        co_return scim::fail(*fault->error);
      }
    }
  }

  // 7. body
  if (r.body != body_kind::none) {
    auto body = parse_body(req, r.body);
    if (!body) co_return scim::fail(body.error());
    c.body = std::move(*body);
  }
  // 8. the handler
  co_return co_await r.handler(c);
}

response pipeline::render(exchange& x, const request& req, outcome out, stream_pump& stream) {
  if (!out) {
    x.error = std::move(out.error());
    if (x.error->documentation_url.empty() && x.r != nullptr) x.error->documentation_url = x.r->documentation_url;
    return make_error(*x.error, req.version(), req.keep_alive(), opts_.errors, x.dialect);
  }
  response res{static_cast<bhttp::status>(out->status), req.version()};
  if (out->status != 204 && out->status != 304) res.set(bhttp::field::content_type, out->content_type);
  for (auto& [name, value] : out->headers) res.set(name, value);
  res.body() = std::move(out->body);
  res.keep_alive(req.keep_alive());
  if (out->stream) stream = std::move(out->stream);
  return res;
}

void pipeline::finish(exchange& x, const request& req, const connection_info& conn, response& res, double seconds) {
  // 9. headers
  res.set("x-github-request-id", x.request_id);
  if (x.rate) {
    res.set("x-ratelimit-limit", std::to_string(x.rate->limit));
    res.set("x-ratelimit-remaining", std::to_string(x.rate->remaining));
    res.set("x-ratelimit-used", std::to_string(x.rate->used));
    res.set("x-ratelimit-reset", std::to_string(x.rate->reset_epoch));
    res.set("x-ratelimit-resource", x.rate_resource);
  }
  if (x.held_scopes) {
    res.set("X-OAuth-Scopes", join(*x.held_scopes, ", "));
    res.set("X-Accepted-OAuth-Scopes", x.r != nullptr ? join(x.r->scopes, ", ") : std::string());
  }
  for (auto& [name, value] : x.late_headers) res.set(name, value);
  if (x.t.path == kAdminRoot || x.t.path.starts_with("/_emuscim/")) {
    // The admin API's data is no one's to cache or sniff (the dashboard's files set their own).
    if (res.find(bhttp::field::cache_control) == res.end()) res.set(bhttp::field::cache_control, "no-store");
    if (res.find("X-Content-Type-Options") == res.end()) res.set("X-Content-Type-Options", "nosniff");
  }

  const unsigned status = res.result_int();
  const bool failed = x.error && status >= 400;
  const auto line = access_line({.method = req.method_string(),
                                 .path = x.t.path,
                                 .status = status,
                                 .duration_ms = std::round(seconds * 1e5) / 100,
                                 .request_id = x.request_id,
                                 .remote = conn.remote,
                                 .scim_type = failed ? std::string_view(x.error->scim_type) : std::string_view(),
                                 .detail = failed ? std::optional<std::string_view>(x.error->detail) : std::nullopt});
  if (status >= 500) {
    spdlog::error("{}", line);
  } else if (x.r != nullptr && x.r->quiet) {
    spdlog::debug("{}", line);
  } else {
    spdlog::info("{}", line);
  }
  if (spdlog::should_log(spdlog::level::debug) && (x.r == nullptr || !x.r->quiet)) {
    // The exchange itself, for debugging an IdP: every secret masked as in the request log.
    std::string query = x.t.query;
    redact_query(query);
    spdlog::debug("{}", log_line("request body", {{"request_id", x.request_id},
                                                  {"method", std::string(req.method_string())},
                                                  {"path", x.t.path},
                                                  {"query", query},
                                                  {"headers", header_object(header_fields(req.base()))},
                                                  {"body", debug_body(req.body())}}));
    spdlog::debug("{}", log_line("response body", {{"request_id", x.request_id},
                                                   {"status", status},
                                                   {"headers", header_object(header_fields(res.base()))},
                                                   {"body", debug_body(res.body())}}));
  }
  if (observer_) observer_({req.method_string(), x.route_label, status, seconds});
}

void pipeline::capture(exchange& x, request& req, const response& res, double seconds) {
  // On the serving thread, after the answer is built: move what can be moved, copy the rest;
  // the ring masks and cuts (request_log.hpp).
  captured c;
  c.time = x.arrived;
  c.request_id = x.request_id;
  c.method = std::string(req.method_string());
  c.path = x.t.path;
  c.query = x.t.query;
  c.status = res.result_int();
  c.duration_ms = seconds * 1000.0;
  c.enterprise = std::move(x.enterprise);
  c.org = std::move(x.org);
  if (auto ua = header(req, bhttp::field::user_agent)) c.user_agent = std::string(*ua);
  c.request_headers = header_fields(req.base());
  c.request_body = std::move(req.body());
  c.response_headers = header_fields(res.base());
  c.response_body = res.body();
  c.events = std::move(x.trace->events);
  c.notes = std::move(x.trace->notes);
  if (auto hint = parse_client_kind(x.trace->client_hint)) c.client_hint = *hint;
  svc_.requests->capture(std::move(c));
}

}  // namespace emuscim::http
