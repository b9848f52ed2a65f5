#include "emuscim/http/router.hpp"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "emuscim/http/log.hpp"
#include "emuscim/http/query.hpp"
#include "emuscim/scim/json_depth.hpp"
#include "emuscim/service/auth_service.hpp"
#include "emuscim/service/groups_service.hpp"
#include "emuscim/service/users_service.hpp"
#include "emuscim/store/database.hpp"

namespace emuscim::http {

namespace {

using nlohmann::json;
constexpr std::string_view kScimPrefix = "/scim/v2/enterprises/";
constexpr int kMaxJsonDepth = scim::max_json_depth;
constexpr const char* kScimContentType = "application/scim+json; charset=utf-8";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

scim::result<json> parse_body(const request& req) {
  const auto& body = req.body();
  if (body.empty()) return scim::fail(scim::invalid_syntax("The request body is empty; a JSON object is required"));
  if (scim::json_depth(body) > kMaxJsonDepth) {
    return scim::fail(scim::invalid_syntax("The request body nests deeper than " + std::to_string(kMaxJsonDepth) +
                                           " levels"));
  }
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return scim::fail(scim::invalid_syntax("The request body is not valid JSON"));
  if (!j.is_object()) return scim::fail(scim::invalid_syntax("The request body must be a JSON object"));
  return j;
}

scim::result<std::int64_t> int_param(const target& t, std::string_view name, std::int64_t fallback) {
  auto v = t.param(name);
  if (!v || v->empty()) return fallback;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) {
    return scim::fail(scim::invalid_value("Query parameter '" + std::string(name) + "' must be an integer, got '" +
                                          *v + "'"));
  }
  return static_cast<std::int64_t>(n);
}

bool excludes_members(const target& t) {
  auto v = t.param("excludedAttributes");
  if (!v) return false;
  std::string_view s = *v;
  while (!s.empty()) {
    auto comma = s.find(',');
    auto item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (iequals(item, "members") || iequals(item, "urn:ietf:params:scim:schemas:core:2.0:Group:members")) return true;
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return false;
}

response json_response(unsigned status, const nlohmann::ordered_json& body, unsigned version,
                       const char* content_type) {
  response res{static_cast<bhttp::status>(status), version};
  res.set(bhttp::field::content_type, content_type);
  res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
  res.prepare_payload();
  return res;
}

std::optional<std::string_view> header(const request& req, bhttp::field f) {
  auto it = req.find(f);
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

}  // namespace

std::string new_request_id() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  std::uint64_t a = gen(), b = gen();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04X:%04X:%06X:%06X:%08X", static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>((a >> 32) & 0xffffff),
                static_cast<unsigned>(b & 0xffffff), static_cast<unsigned>(b >> 32));
  return buf;
}

struct router::routed {
  response res;
  std::string route;
};

router::router(store::database& db, service::users_service& users, service::groups_service& groups,
               router_options opts)
    : db_(db), users_(users), groups_(groups), opts_(std::move(opts)),
      limiter_(opts_.rate_limit) {}

router::~router() = default;

net::awaitable<response> router::handle(request req, const connection_info& conn) {
  auto started = std::chrono::steady_clock::now();
  auto request_id = new_request_id();
  std::string method(req.method_string());
  std::string path(req.target().substr(0, req.target().find('?')));
  routed r;
  try {
    r = co_await dispatch(req, conn, request_id);
  } catch (const std::exception& e) {
    spdlog::error("{}", log_line("unhandled exception", {{"request_id", request_id}, {"what", e.what()}}));
    r = {make_error(scim::internal("Internal server error"), req.version(), req.keep_alive(), opts_.errors), "-"};
  }
  r.res.set("x-github-request-id", request_id);
  if (req.method() == bhttp::verb::head) r.res.body().clear();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  unsigned status = r.res.result_int();
  auto line = log_line("request", {{"method", method},
                                   {"path", path},
                                   {"status", status},
                                   {"duration_ms", std::round(secs * 1e5) / 100},
                                   {"request_id", request_id},
                                   {"remote", conn.remote}});
  if (status >= 500) {
    spdlog::error("{}", line);
  } else {
    spdlog::info("{}", line);
  }
  if (observer_) observer_({method, r.route, status, secs});
  co_return std::move(r.res);
}

net::awaitable<router::routed> router::dispatch(request& req, const connection_info& conn,
                                                const std::string& request_id) {
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  auto error = [&](const scim::error& e, std::string route) {
    return routed{make_error(e, version, keep_alive, opts_.errors), std::move(route)};
  };
  auto method_not_allowed = [&](std::string route, const char* allow) {
    auto r = error(scim::method_not_allowed("Method " + std::string(req.method_string()) + " is not allowed here"),
                   std::move(route));
    r.res.set(bhttp::field::allow, allow);
    return r;
  };

  target t = parse_target(std::string_view(req.target().data(), req.target().size()));
  const auto verb = req.method();
  const bool is_get = verb == bhttp::verb::get || verb == bhttp::verb::head;

  if (t.path == "/healthz") {
    if (!is_get) co_return method_not_allowed("/healthz", "GET, HEAD");
    co_return routed{json_response(200, {{"status", "ok"}}, version, "application/json"), "/healthz"};
  }
  if (t.path == "/readyz") {
    if (!is_get) co_return method_not_allowed("/readyz", "GET, HEAD");
    bool ok = db_.ready();
    co_return routed{json_response(ok ? 200 : 503, {{"status", ok ? "ready" : "unavailable"}}, version,
                                   "application/json"),
                     "/readyz"};
  }
  std::optional<extension_reply> ext;  // a plain local assigned from co_await (GCC 12)
  if (extension_) ext = co_await extension_->try_handle(req, conn, request_id);
  if (ext) co_return routed{std::move(ext->res), std::move(ext->route)};
  if (t.path.rfind(kScimPrefix, 0) != 0) co_return error(scim::not_found("Not Found"), "unmatched");

  // {enterprise}/{Users|Groups}[/{id}]
  std::string_view rest = std::string_view(t.path).substr(kScimPrefix.size());
  std::vector<std::string_view> segs;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    segs.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
    if (rest.empty()) segs.emplace_back();  // trailing slash
  }
  if (segs.size() < 2 || segs.size() > 3 || segs[0].empty() || (segs.size() == 3 && segs[2].empty()) ||
      (segs[1] != "Users" && segs[1] != "Groups")) {
    co_return error(scim::not_found("Not Found"), "unmatched");
  }
  const bool users = segs[1] == "Users";
  const bool item = segs.size() == 3;
  std::string route = std::string("/scim/v2/enterprises/{enterprise}/") + (users ? "Users" : "Groups") +
                      (item ? (users ? "/{scim_user_id}" : "/{scim_group_id}") : "");
  if (item) {
    if (!(is_get || verb == bhttp::verb::put || verb == bhttp::verb::patch || verb == bhttp::verb::delete_)) {
      co_return method_not_allowed(route, "GET, PUT, PATCH, DELETE");
    }
  } else if (!(is_get || verb == bhttp::verb::post)) {
    co_return method_not_allowed(route, "GET, POST");
  }

  if ((opts_.require_user_agent || opts_.strict) && !header(req, bhttp::field::user_agent)) {
    co_return error(scim::forbidden("Request forbidden by administrative rules. Please make sure your request has a "
                                    "User-Agent header"),
                    route);
  }
  auto who = service::authenticate(db_, header(req, bhttp::field::authorization), segs[0], service::access::scim);
  if (!who) co_return error(who.error(), route);

  auto rate = limiter_.hit(who->token_id);
  auto with_rate_headers = [&](response& res) {
    res.set("x-ratelimit-limit", std::to_string(rate.limit));
    res.set("x-ratelimit-remaining", std::to_string(rate.remaining));
    res.set("x-ratelimit-used", std::to_string(rate.used));
    res.set("x-ratelimit-reset", std::to_string(rate.reset_epoch));
    res.set("x-ratelimit-resource", "scim");
  };
  // Every answer from here on carries the x-ratelimit-* headers, errors included.
  auto rated_error = [&](const scim::error& e) {
    auto r = error(e, route);
    with_rate_headers(r.res);
    return r;
  };
  // A spent budget: 429, the SCIM error body and an integer Retry-After (§15).
  auto throttled = [&](const std::string& what, std::int64_t retry_after) {
    auto r = rated_error(scim::too_many_requests(what + " Retry after " + std::to_string(retry_after) + " seconds."));
    r.res.set(bhttp::field::retry_after, std::to_string(retry_after));
    return r;
  };
  if (rate.limited) co_return throttled("API rate limit exceeded for this token.", rate.retry_after);
  if (users && !item && verb == bhttp::verb::post) {
    // GitHub's EMU guidance: at most so many users provisioned per hour (§15), per enterprise.
    auto creations = limiter_.creation_hit(who->enterprise.id);
    if (creations.limited) {
      co_return throttled("User provisioning rate limit exceeded: at most " + std::to_string(creations.limit) +
                              " users per hour for this enterprise.",
                          creations.retry_after);
    }
  }

  // A plain local, not an if-declaration: it must outlive the co_await below (GCC 12).
  std::optional<scim_fault> fault;
  if (fault_hook_) fault = fault_hook_(who->enterprise.slug);
  if (fault && fault->delay.count() > 0) {
    auto ex = co_await net::this_coro::executor;
    net::steady_timer timer(ex, fault->delay);
    co_await timer.async_wait(net::use_awaitable);
  }
  if (fault && fault->error) {
    auto r = rated_error(*fault->error);
    if (fault->retry_after) {
      auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
      r.res.set(bhttp::field::retry_after, std::to_string(*fault->retry_after));
      r.res.set("x-ratelimit-remaining", "0");
      r.res.set("x-ratelimit-reset", std::to_string(now.count() + *fault->retry_after));
    }
    co_return r;
  }

  service::request_context ctx;
  ctx.enterprise = who->enterprise;
  ctx.token_id = who->token_id;
  ctx.request_id = request_id;
  if (opts_.public_url) {
    ctx.base_url = *opts_.public_url;
    while (!ctx.base_url.empty() && ctx.base_url.back() == '/') ctx.base_url.pop_back();
  } else {
    std::string_view proto;
    auto fwd = req.find("X-Forwarded-Proto");
    if (fwd != req.end()) proto = std::string_view(fwd->value().data(), fwd->value().size());
    std::string scheme = conn.tls || iequals(proto, "https") ? "https" : "http";
    auto host = header(req, bhttp::field::host);
    ctx.base_url = scheme + "://" + std::string(host && !host->empty() ? *host : std::string_view("localhost"));
  }
  ctx.method = std::string(req.method_string());
  ctx.path = t.path;
  ctx.query = t.query;

  scim::result<service::reply> out = scim::fail(scim::internal("unrouted"));
  std::string id = item ? std::string(segs[2]) : std::string();
  const bool exclude = excludes_members(t);

  if (is_get && !item) {
    service::list_query q;
    q.filter = t.param("filter");
    auto start = int_param(t, "startIndex", 1);
    auto count = int_param(t, "count", service::default_page_size);
    if (!start) co_return rated_error(start.error());
    if (!count) co_return rated_error(count.error());
    q.start_index = *start;
    q.count = *count;
    q.exclude_members = exclude;
    out = users ? users_.list(ctx, q) : groups_.list(ctx, q);
  } else if (is_get) {
    out = users ? users_.get(ctx, id) : groups_.get(ctx, id, exclude);
  } else if (verb == bhttp::verb::delete_) {
    // No co_await inside ?: — GCC 12 destroys the result of such an expression too early.
    if (users) {
      out = co_await users_.remove(ctx, id);
    } else {
      out = co_await groups_.remove(ctx, id);
    }
  } else {
    auto body = parse_body(req);
    if (!body) co_return rated_error(body.error());
    if (verb == bhttp::verb::post) {
      if (users) {
        out = co_await users_.create(ctx, *body);
      } else {
        out = co_await groups_.create(ctx, *body, exclude);
      }
    } else if (verb == bhttp::verb::put) {
      if (users) {
        out = co_await users_.replace(ctx, id, *body);
      } else {
        out = co_await groups_.replace(ctx, id, *body, exclude);
      }
    } else if (users) {
      out = co_await users_.patch(ctx, id, *body);
    } else {
      out = co_await groups_.patch(ctx, id, *body, exclude);
    }
  }

  routed r;
  r.route = route;
  if (!out) {
    r.res = make_error(out.error(), version, keep_alive, opts_.errors);
  } else if (out->status == 204) {
    r.res = response{bhttp::status::no_content, version};
  } else {
    r.res = json_response(static_cast<unsigned>(out->status), out->body, version, kScimContentType);
    if (!out->location.empty()) r.res.set(bhttp::field::location, out->location);
  }
  with_rate_headers(r.res);
  co_return r;
}

}  // namespace emuscim::http
