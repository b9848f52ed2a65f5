#include "emuscim/http/admin.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/http/admin_audit.hpp"
#include "emuscim/http/query.hpp"
#include "emuscim/service/auth_service.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/repo.hpp"
#include "emuscim/store/stats.hpp"

namespace emuscim::http {

namespace {

using nlohmann::json;

constexpr std::string_view kAdminRoot = "/_emuscim";
constexpr std::string_view kGithubPrefix = "/enterprises/";
constexpr const char* kJsonContentType = "application/json; charset=utf-8";

constexpr std::int64_t kDefaultUsersPage = 100;
constexpr std::int64_t kMaxUsersPage = 1000;
constexpr std::int64_t kDefaultAuditLimit = 100;
constexpr std::int64_t kMaxAuditLimit = 1000;
constexpr std::int64_t kDefaultPerPage = 30;  // GitHub's REST default
constexpr std::int64_t kMaxPerPage = 100;
constexpr std::int64_t kSkipChunk = 1000;
constexpr std::uint64_t kMaxLatencyMs = 60'000;
constexpr std::uint64_t kMaxRetryAfter = 86'400;
constexpr std::size_t kMaxLabel = 256;

constexpr const char* kRouteEnterprises = "/_emuscim/enterprises";
constexpr const char* kRouteEnterprise = "/_emuscim/enterprises/{enterprise}";
constexpr const char* kRouteToken = "/_emuscim/enterprises/{enterprise}/tokens/{token_id}";
constexpr const char* kRouteRateLimit = "/_emuscim/rate-limit";
constexpr const char* kRouteGithubAudit = "/enterprises/{enterprise}/audit-log";
constexpr const char* kRouteMetrics = "/metrics";
constexpr const char* kUnmatched = "unmatched";

// Builds every reply of one request; errors go through make_error().
struct reply_builder {
  unsigned version;
  bool keep_alive;
  const error_style& style;

  extension_reply json_body(unsigned status, const json& body, std::string route) const {
    response res{static_cast<bhttp::status>(status), version};
    res.set(bhttp::field::content_type, kJsonContentType);
    res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return {std::move(res), std::move(route)};
  }
  extension_reply no_content(std::string route) const {
    response res{bhttp::status::no_content, version};
    res.keep_alive(keep_alive);
    return {std::move(res), std::move(route)};
  }
  extension_reply error(const scim::error& e, std::string route) const {
    return {make_error(e, version, keep_alive, style), std::move(route)};
  }
  extension_reply method_not_allowed(std::string_view method, std::string route, const char* allow) const {
    auto r = error(scim::method_not_allowed("Method " + std::string(method) + " is not allowed here"),
                   std::move(route));
    r.res.set(bhttp::field::allow, allow);
    return r;
  }
};

std::optional<std::string_view> header(const request& req, bhttp::field f) {
  auto it = req.find(f);
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

// "/a/b/c" -> {"a","b","c"}; a trailing slash yields an empty last segment.
std::vector<std::string> split_segments(std::string_view rest) {
  std::vector<std::string> segs;
  if (rest.empty()) return segs;
  for (;;) {
    auto slash = rest.find('/');
    segs.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return segs;
}

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

std::optional<std::int64_t> to_int64(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

scim::result<std::optional<std::int64_t>> int_param(const target& t, std::string_view name) {
  auto v = t.param(name);
  if (!v || v->empty()) return std::optional<std::int64_t>();
  auto n = to_int64(*v);
  if (!n) {
    return scim::fail(scim::invalid_value("Query parameter '" + std::string(name) + "' must be an integer, got '" +
                                          *v + "'"));
  }
  return n;
}

// The body as a JSON object; an empty body counts as {} when `empty_ok`.
scim::result<json> parse_object(const request& req, bool empty_ok) {
  const auto& body = req.body();
  if (body.empty()) {
    if (empty_ok) return json::object();
    return scim::fail(scim::invalid_syntax("The request body is empty; a JSON object is required"));
  }
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return scim::fail(scim::invalid_syntax("The request body is not valid JSON"));
  if (!j.is_object()) return scim::fail(scim::invalid_syntax("The request body must be a JSON object"));
  return j;
}

scim::status only_keys(const json& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return scim::fail(scim::invalid_value("Unknown key '" + key + "'; expected " + list));
  }
  return {};
}

// A non-negative integer member within [lo, hi]; nullopt when absent.
scim::result<std::optional<std::uint64_t>> uint_member(const json& body, const char* key, std::uint64_t lo,
                                                       std::uint64_t hi) {
  auto it = body.find(key);
  if (it == body.end()) return std::optional<std::uint64_t>();
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() < lo || it->get<std::uint64_t>() > hi) {
    return scim::fail(scim::invalid_value("'" + std::string(key) + "' must be an integer from " + std::to_string(lo) +
                                          " to " + std::to_string(hi)));
  }
  return std::optional<std::uint64_t>(it->get<std::uint64_t>());
}

scim::result<std::optional<bool>> bool_member(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) return std::optional<bool>();
  if (!it->is_boolean()) return scim::fail(scim::invalid_value("'" + std::string(key) + "' must be true or false"));
  return std::optional<bool>(it->get<bool>());
}

bool valid_slug(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool valid_short_code(std::string_view s) {
  return s.size() >= 3 && s.size() <= 8 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

scim::error enterprise_not_found(std::string_view slug) {
  return scim::not_found("Enterprise '" + std::string(slug) + "' not found");
}

json enterprise_json(const store::enterprise_row& e) {
  return {{"slug", e.slug},
          {"short_code", e.short_code},
          {"created", e.created},
          {"user_count", e.user_count},
          {"group_count", e.group_count}};
}

json token_json(const store::token_row& t) {
  return {{"id", t.id}, {"scopes", t.scopes}, {"label", opt(t.label)}, {"created", t.created},
          {"revoked", opt(t.revoked)}};
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

// RFC 3986 unreserved characters are kept.
std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

struct admin_routes::call {
  const request& req;
  const connection_info& conn;
  target t;
  std::vector<std::string> segs;  // path segments after the prefix
  std::string route;              // template, for metrics
  reply_builder out;

  bhttp::verb verb() const { return req.method(); }
  bool is_get() const { return req.method() == bhttp::verb::get || req.method() == bhttp::verb::head; }
  std::string_view method() const { return {req.method_string().data(), req.method_string().size()}; }
  const std::string& slug() const { return segs.at(1); }
};

admin_routes::admin_routes(store::database& db, rate_limiter& limiter, fault_injector& injector,
                           http_metrics& registry, admin_options opts)
    : db_(db),
      limiter_(limiter),
      faults_(injector),
      metrics_(registry),
      opts_(std::move(opts)) {
  if (opts_.admin_token) admin_hash_ = auth::hash_token(*opts_.admin_token);
  opts_.admin_token.reset();  // only the hash is kept
}

admin_routes::~admin_routes() = default;

net::awaitable<std::optional<extension_reply>> admin_routes::try_handle(const request& req,
                                                                       const connection_info& conn,
                                                                       const std::string&) {
  std::string_view raw(req.target().data(), req.target().size());
  std::string_view path = raw.substr(0, raw.find('?'));
  const bool admin = admin_hash_ && (path == kAdminRoot || path.starts_with("/_emuscim/"));
  const bool scrape = path == kRouteMetrics;
  const bool github = path.starts_with(kGithubPrefix);
  if (!admin && !scrape && !github) co_return std::nullopt;

  call c{req, conn, parse_target(raw), {}, {}, reply_builder{req.version(), req.keep_alive(), opts_.errors}};
  if (scrape) co_return serve_metrics(c);
  if (github) {
    c.segs = split_segments(path.substr(kGithubPrefix.size()));
    if (c.segs.size() != 2 || c.segs[0].empty() || c.segs[1] != "audit-log") co_return std::nullopt;
    co_return github_audit_log(c);
  }
  c.segs = split_segments(path.substr(std::min(path.size(), kAdminRoot.size() + 1)));
  auto r = co_await admin_api(c);
  co_return r;
}

net::awaitable<extension_reply> admin_routes::admin_api(call& c) {
  const auto& s = c.segs;
  c.route = kUnmatched;
  if (s.size() == 1 && s[0] == "enterprises") {
    c.route = kRouteEnterprises;
  } else if (s.size() == 1 && s[0] == "rate-limit") {
    c.route = kRouteRateLimit;
  } else if (s.size() >= 2 && s[0] == "enterprises" && !s[1].empty()) {
    if (s.size() == 2) {
      c.route = kRouteEnterprise;
    } else if (s.size() == 3 && (s[2] == "tokens" || s[2] == "reset" || s[2] == "users" || s[2] == "audit-log" ||
                                 s[2] == "faults")) {
      c.route = std::string(kRouteEnterprise) + "/" + s[2];
    } else if (s.size() == 4 && s[2] == "tokens" && !s[3].empty()) {
      c.route = kRouteToken;
    }
  }

  // Authenticate before saying whether a path exists. Only the admin token is accepted.
  auto authorization = header(c.req, bhttp::field::authorization);
  if (!authorization) co_return c.out.error(scim::unauthorized("Requires authentication"), c.route);
  auto presented = auth::parse_authorization(*authorization);
  if (!presented) {
    co_return c.out.error(scim::unauthorized("Requires authentication: expected 'Authorization: Bearer <token>'"),
                          c.route);
  }
  if (!auth::constant_time_equal(auth::hash_token(*presented), *admin_hash_)) {
    co_return c.out.error(scim::unauthorized("Bad credentials"), c.route);
  }

  if (c.route == kUnmatched) co_return c.out.error(scim::not_found("Not Found"), c.route);
  if (c.route == kRouteEnterprises) {
    if (c.is_get()) co_return list_enterprises(c);
    if (c.verb() != bhttp::verb::post) co_return c.out.method_not_allowed(c.method(), c.route, "GET, POST");
    auto r = co_await create_enterprise(c);
    co_return r;
  }
  if (c.route == kRouteRateLimit) co_return rate_limit(c);
  auto r = co_await enterprise_routes(c, c.route);
  co_return r;
}

net::awaitable<extension_reply> admin_routes::enterprise_routes(call& c, const std::string& route) {
  const auto verb = c.verb();
  if (route == kRouteEnterprise) {
    if (c.is_get()) {
      auto row = db_.read([&](store::connection& conn) { return store::find_enterprise(conn, c.slug()); });
      if (!row) co_return c.out.error(enterprise_not_found(c.slug()), route);
      co_return c.out.json_body(200, enterprise_json(*row), route);
    }
    if (verb != bhttp::verb::delete_) co_return c.out.method_not_allowed(c.method(), route, "GET, DELETE");
    auto r = co_await delete_enterprise(c);
    co_return r;
  }
  // A value, not a reference bound to a temporary: it lives across co_await (GCC 12).
  std::string leaf = c.segs.size() == 3 ? c.segs[2] : std::string("tokens/{token_id}");
  if (leaf == "tokens") {
    if (c.is_get()) co_return list_tokens(c);
    if (verb != bhttp::verb::post) co_return c.out.method_not_allowed(c.method(), route, "GET, POST");
    auto r = co_await create_token(c);
    co_return r;
  }
  if (leaf == "tokens/{token_id}") {
    if (verb != bhttp::verb::delete_) co_return c.out.method_not_allowed(c.method(), route, "DELETE");
    auto r = co_await revoke_token(c);
    co_return r;
  }
  if (leaf == "reset") {
    if (verb != bhttp::verb::post) co_return c.out.method_not_allowed(c.method(), route, "POST");
    auto r = co_await reset(c);
    co_return r;
  }
  if (leaf == "users") {
    if (!c.is_get()) co_return c.out.method_not_allowed(c.method(), route, "GET");
    co_return list_users(c);
  }
  if (leaf == "audit-log") {
    if (!c.is_get()) co_return c.out.method_not_allowed(c.method(), route, "GET");
    co_return audit_log(c);
  }
  co_return serve_faults(c);
}

// ---- enterprises ------------------------------------------------------------------------------

extension_reply admin_routes::list_enterprises(call& c) {
  auto rows = db_.read([](store::connection& conn) { return store::list_enterprises(conn); });
  json list = json::array();
  for (const auto& e : rows) list.push_back(enterprise_json(e));
  return c.out.json_body(200, {{"enterprises", std::move(list)}}, c.route);
}

net::awaitable<extension_reply> admin_routes::create_enterprise(call& c) {
  auto body = parse_object(c.req, false);
  if (!body) co_return c.out.error(body.error(), c.route);
  if (auto ok = only_keys(*body, {"slug", "short_code"}); !ok) co_return c.out.error(ok.error(), c.route);
  auto slug_it = body->find("slug");
  auto code_it = body->find("short_code");
  if (slug_it == body->end() || !slug_it->is_string() || !valid_slug(slug_it->get_ref<const std::string&>())) {
    co_return c.out.error(scim::invalid_value("'slug' must be 1 to 64 characters from a-z, 0-9 and '-'"), c.route);
  }
  if (code_it == body->end() || !code_it->is_string() || !valid_short_code(code_it->get_ref<const std::string&>())) {
    co_return c.out.error(scim::invalid_value("'short_code' must be 3 to 8 letters or digits"), c.route);
  }
  using outcome = std::pair<store::enterprise_row, bool>;
  auto job = [slug = slug_it->get<std::string>(),
              code = code_it->get<std::string>()](store::write_context& w) -> scim::result<outcome> {
    auto [row, created] = store::ensure_enterprise(w.db, slug, code, w.now);
    if (!created && row.short_code != code) {
      return scim::fail(scim::uniqueness("Enterprise '" + slug + "' already exists with short code '" +
                                         row.short_code + "'"));
    }
    return outcome{std::move(row), created};
  };
  auto on_failure = [](store::write_context&, const scim::error&) {};
  auto out = co_await db_.write<outcome>(std::move(job), std::move(on_failure));
  if (!out) co_return c.out.error(out.error(), c.route);
  auto r = c.out.json_body(out->second ? 201 : 200, enterprise_json(out->first), c.route);
  if (out->second) r.res.set(bhttp::field::location, "/_emuscim/enterprises/" + out->first.slug);
  co_return r;
}

net::awaitable<extension_reply> admin_routes::delete_enterprise(call& c) {
  auto job = [slug = c.slug()](store::write_context& w) -> scim::result<bool> {
    auto e = store::find_enterprise(w.db, slug);
    if (!e) return scim::fail(enterprise_not_found(slug));
    store::delete_enterprise(w.db, e->id);  // users, groups, memberships; tokens and audit cascade
    return true;
  };
  auto on_failure = [](store::write_context&, const scim::error&) {};
  auto out = co_await db_.write<bool>(std::move(job), std::move(on_failure));
  if (!out) co_return c.out.error(out.error(), c.route);
  db_.note_deletion();  // after COMMIT: cached list positions are stale
  faults_.clear(c.slug());
  co_return c.out.no_content(c.route);
}

net::awaitable<extension_reply> admin_routes::reset(call& c) {
  auto job = [slug = c.slug()](store::write_context& w) -> scim::result<bool> {
    auto e = store::find_enterprise(w.db, slug);
    if (!e) return scim::fail(enterprise_not_found(slug));
    store::reset_enterprise(w.db, e->id);  // one job = one savepoint in one transaction
    return true;
  };
  auto on_failure = [](store::write_context&, const scim::error&) {};
  auto out = co_await db_.write<bool>(std::move(job), std::move(on_failure));
  if (!out) co_return c.out.error(out.error(), c.route);
  db_.note_deletion();
  co_return c.out.no_content(c.route);
}

// ---- tokens -----------------------------------------------------------------------------------

extension_reply admin_routes::list_tokens(call& c) {
  auto out = db_.read([&](store::connection& conn) -> scim::result<json> {
    auto e = store::find_enterprise(conn, c.slug());
    if (!e) return scim::fail(enterprise_not_found(c.slug()));
    json list = json::array();
    for (const auto& t : store::list_tokens(conn, e->id)) list.push_back(token_json(t));
    return json{{"tokens", std::move(list)}};
  });
  if (!out) return c.out.error(out.error(), c.route);
  return c.out.json_body(200, *out, c.route);
}

net::awaitable<extension_reply> admin_routes::create_token(call& c) {
  auto body = parse_object(c.req, true);
  if (!body) co_return c.out.error(body.error(), c.route);
  if (auto ok = only_keys(*body, {"scopes", "label"}); !ok) co_return c.out.error(ok.error(), c.route);
  std::vector<std::string> scopes = {"admin:enterprise"};  // as `emuscim token add`
  if (auto it = body->find("scopes"); it != body->end()) {
    if (!it->is_array()) co_return c.out.error(scim::invalid_value("'scopes' must be an array of strings"), c.route);
    scopes.clear();
    for (const auto& v : *it) {
      if (!v.is_string() || !auth::known_scope(v.get_ref<const std::string&>())) {
        co_return c.out.error(scim::invalid_value("Unknown scope " + v.dump() +
                                                  "; known: admin:enterprise, scim:enterprise, read:audit_log"),
                              c.route);
      }
      if (std::find(scopes.begin(), scopes.end(), v.get<std::string>()) == scopes.end()) {
        scopes.push_back(v.get<std::string>());
      }
    }
  }
  std::optional<std::string> label;
  if (auto it = body->find("label"); it != body->end() && !it->is_null()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxLabel) {
      co_return c.out.error(scim::invalid_value("'label' must be a string of at most 256 bytes"), c.route);
    }
    label = it->get<std::string>();
  }

  auto token = auth::generate_token();
  auto hash = auth::hash_token(token);
  auto job = [slug = c.slug(), hash, scopes, label](store::write_context& w) -> scim::result<store::token_row> {
    auto e = store::find_enterprise(w.db, slug);
    if (!e) return scim::fail(enterprise_not_found(slug));
    store::token_row row;
    row.id = store::insert_token(w.db, e->id, hash, scopes, label, w.now);
    row.enterprise_id = e->id;
    row.scopes = scopes;
    row.label = label;
    row.created = w.now;
    return row;
  };
  auto on_failure = [](store::write_context&, const scim::error&) {};
  auto out = co_await db_.write<store::token_row>(std::move(job), std::move(on_failure));
  if (!out) co_return c.out.error(out.error(), c.route);
  json body_out = token_json(*out);
  body_out["token"] = token;  // the only time it is shown
  co_return c.out.json_body(201, body_out, c.route);
}

net::awaitable<extension_reply> admin_routes::revoke_token(call& c) {
  auto id = to_int64(c.segs[3]);
  if (!id || *id <= 0) co_return c.out.error(scim::not_found("Token '" + c.segs[3] + "' not found"), c.route);
  auto job = [slug = c.slug(), token_id = *id](store::write_context& w) -> scim::result<bool> {
    auto e = store::find_enterprise(w.db, slug);
    if (!e) return scim::fail(enterprise_not_found(slug));
    auto tokens = store::list_tokens(w.db, e->id);
    auto it = std::find_if(tokens.begin(), tokens.end(), [&](const store::token_row& t) { return t.id == token_id; });
    if (it == tokens.end()) return scim::fail(scim::not_found("Token " + std::to_string(token_id) + " not found"));
    if (!it->revoked) store::revoke_token(w.db, e->id, token_id, w.now);  // revoking twice is a no-op
    return true;
  };
  auto on_failure = [](store::write_context&, const scim::error&) {};
  auto out = co_await db_.write<bool>(std::move(job), std::move(on_failure));
  if (!out) co_return c.out.error(out.error(), c.route);
  co_return c.out.no_content(c.route);
}

// ---- users ------------------------------------------------------------------------------------

extension_reply admin_routes::list_users(call& c) {
  auto start = int_param(c.t, "startIndex");
  auto count = int_param(c.t, "count");
  if (!start) return c.out.error(start.error(), c.route);
  if (!count) return c.out.error(count.error(), c.route);
  const std::int64_t first = std::max<std::int64_t>(1, start->value_or(1));
  const std::int64_t n = std::clamp<std::int64_t>(count->value_or(kDefaultUsersPage), 0, kMaxUsersPage);

  auto out = db_.read([&](store::connection& conn) -> scim::result<json> {
    store::transaction tx(conn);  // the page and its memberships from one snapshot
    auto e = store::find_enterprise(conn, c.slug());
    if (!e) return scim::fail(enterprise_not_found(c.slug()));
    auto page = store::list_users(conn, e->id, first - 1, n, std::nullopt);
    json users = json::array();
    for (const auto& u : page.rows) {
      users.push_back({{"id", u.id},
                       {"userName", u.user_name},
                       {"externalId", opt(u.external_id)},
                       {"displayName", opt(u.display_name)},
                       {"login", u.current_login},
                       {"original_login", u.login},
                       {"suspended", !u.active},
                       {"active", u.active},
                       {"role", opt(u.role)},
                       {"email", opt(u.email)},
                       {"group_ids", store::user_group_ids(conn, u.seq)},
                       {"created", u.created},
                       {"modified", u.modified}});
    }
    tx.commit();
    const auto returned = users.size();
    return json{{"totalResults", page.total},
                {"startIndex", first},
                {"itemsPerPage", returned},
                {"users", std::move(users)}};
  });
  if (!out) return c.out.error(out.error(), c.route);
  return c.out.json_body(200, *out, c.route);
}

// ---- audit ------------------------------------------------------------------------------------

extension_reply admin_routes::audit_log(call& c) {
  store::audit_query q;
  if (auto a = c.t.param("action"); a && !a->empty()) q.action = *a;
  for (auto [name, bound] : {std::pair{"since", &q.since}, std::pair{"until", &q.until}}) {
    auto v = c.t.param(name);
    if (!v || v->empty()) continue;
    *bound = audit_view::normalize_time_bound(*v);
    if (!*bound) {
      return c.out.error(scim::invalid_value("Query parameter '" + std::string(name) +
                                             "' must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.fff]Z, got '" + *v + "'"),
                         c.route);
    }
  }
  auto before = int_param(c.t, "before");
  auto limit = int_param(c.t, "limit");
  if (!before) return c.out.error(before.error(), c.route);
  if (!limit) return c.out.error(limit.error(), c.route);
  if (*before) q.before_seq = **before;
  q.limit = std::clamp<std::int64_t>(limit->value_or(kDefaultAuditLimit), 1, kMaxAuditLimit);

  auto out = db_.read([&](store::connection& conn) -> scim::result<std::vector<store::audit_row>> {
    auto e = store::find_enterprise(conn, c.slug());
    if (!e) return scim::fail(enterprise_not_found(c.slug()));
    return store::list_audit(conn, e->id, q);
  });
  if (!out) return c.out.error(out.error(), c.route);
  json events = json::array();
  for (const auto& row : *out) events.push_back(audit_view::admin_event(row));
  const bool more = static_cast<std::int64_t>(out->size()) == q.limit;
  return c.out.json_body(200, {{"events", std::move(events)}, {"next_before", more ? json(out->back().seq) : json(nullptr)}},
                         c.route);
}

extension_reply admin_routes::github_audit_log(call& c) {
  c.route = kRouteGithubAudit;
  const std::string& slug = c.segs[0];
  auto who = service::authenticate(db_, header(c.req, bhttp::field::authorization), slug, service::access::audit_read);
  if (!who) return c.out.error(who.error(), c.route);
  if (!c.is_get()) return c.out.method_not_allowed(c.method(), c.route, "GET");

  store::audit_query q;
  auto phrase = c.t.param("phrase").value_or("");
  if (auto ok = audit_view::apply_phrase(phrase, q); !ok) return c.out.error(ok.error(), c.route);
  if (auto order = c.t.param("order"); order && !order->empty() && *order != "desc") {
    return c.out.error(scim::error{422, "", "Only order=desc (newest first) is supported"}, c.route);
  }
  auto per_page_p = int_param(c.t, "per_page");
  auto page_p = int_param(c.t, "page");
  if (!per_page_p) return c.out.error(per_page_p.error(), c.route);
  if (!page_p) return c.out.error(page_p.error(), c.route);
  const std::int64_t per_page = std::clamp<std::int64_t>(per_page_p->value_or(kDefaultPerPage), 1, kMaxPerPage);
  const std::int64_t page = std::max<std::int64_t>(1, page_p->value_or(1));

  auto rows = db_.read([&](store::connection& conn) {
    store::transaction tx(conn);  // the skipped pages and this one from one snapshot
    // Page N starts after (N-1)*per_page events: walk there by seq in bounded chunks.
    std::int64_t skip = (page - 1) * per_page;
    std::vector<store::audit_row> out;
    while (skip > 0) {
      q.limit = std::min(skip, kSkipChunk);
      auto chunk = store::list_audit(conn, who->enterprise.id, q);
      skip -= static_cast<std::int64_t>(chunk.size());
      if (static_cast<std::int64_t>(chunk.size()) < q.limit) return out;  // fewer events than pages
      q.before_seq = chunk.back().seq;
    }
    q.limit = per_page;
    out = store::list_audit(conn, who->enterprise.id, q);
    tx.commit();
    return out;
  });

  json entries = json::array();
  for (const auto& row : rows) {
    entries.push_back(audit_view::github_event(row, who->enterprise.slug, who->enterprise.short_code));
  }
  auto r = c.out.json_body(200, entries, c.route);
  if (static_cast<std::int64_t>(rows.size()) == per_page) {
    std::string base;
    if (opts_.public_url) {
      base = *opts_.public_url;
      while (!base.empty() && base.back() == '/') base.pop_back();
    } else {
      auto host = header(c.req, bhttp::field::host);
      base = std::string(c.conn.tls ? "https" : "http") + "://" +
             std::string(host && !host->empty() ? *host : std::string_view("localhost"));
    }
    std::string next = base + "/enterprises/" + slug + "/audit-log?per_page=" + std::to_string(per_page) +
                       "&page=" + std::to_string(page + 1);
    if (!phrase.empty()) next += "&phrase=" + url_encode(phrase);
    r.res.set(bhttp::field::link, "<" + next + ">; rel=\"next\"");
  }
  return r;
}

// ---- faults and rate limit --------------------------------------------------------------------

extension_reply admin_routes::serve_faults(call& c) {
  const std::string& slug = c.slug();
  auto exists = db_.read([&](store::connection& conn) { return store::find_enterprise(conn, slug).has_value(); });
  if (!exists) return c.out.error(enterprise_not_found(slug), c.route);
  if (c.is_get()) return c.out.json_body(200, fault_json(slug, faults_.get(slug)), c.route);
  if (c.verb() == bhttp::verb::delete_) {
    faults_.clear(slug);
    return c.out.no_content(c.route);
  }
  if (c.verb() != bhttp::verb::put) return c.out.method_not_allowed(c.method(), c.route, "GET, PUT, DELETE");

  auto body = parse_object(c.req, true);
  if (!body) return c.out.error(body.error(), c.route);
  if (auto ok = only_keys(*body, {"latency_ms", "latency_jitter_ms", "error_rate", "error_status", "throttle",
                                  "retry_after"});
      !ok) {
    return c.out.error(ok.error(), c.route);
  }
  fault_config cfg;
  auto latency = uint_member(*body, "latency_ms", 0, kMaxLatencyMs);
  auto jitter = uint_member(*body, "latency_jitter_ms", 0, kMaxLatencyMs);
  auto status = uint_member(*body, "error_status", 500, 504);
  auto retry = uint_member(*body, "retry_after", 1, kMaxRetryAfter);
  auto throttle = bool_member(*body, "throttle");
  for (const auto* r : {&latency, &jitter, &status, &retry}) {
    if (!*r) return c.out.error(r->error(), c.route);
  }
  if (!throttle) return c.out.error(throttle.error(), c.route);
  if (*status && **status != 500 && **status != 502 && **status != 503 && **status != 504) {
    return c.out.error(scim::invalid_value("'error_status' must be 500, 502, 503 or 504"), c.route);
  }
  if (auto it = body->find("error_rate"); it != body->end()) {
    if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1) {
      return c.out.error(scim::invalid_value("'error_rate' must be a number from 0 to 1"), c.route);
    }
    cfg.error_rate = it->get<double>();
  }
  cfg.latency_ms = static_cast<std::uint32_t>(latency->value_or(0));
  cfg.latency_jitter_ms = static_cast<std::uint32_t>(jitter->value_or(0));
  cfg.error_status = static_cast<unsigned>(status->value_or(cfg.error_status));
  cfg.retry_after = static_cast<std::uint32_t>(retry->value_or(cfg.retry_after));
  cfg.throttle = throttle->value_or(false);
  faults_.set(slug, cfg);
  return c.out.json_body(200, fault_json(slug, cfg), c.route);
}

extension_reply admin_routes::rate_limit(call& c) {
  auto settings = [](const rate_settings& s) {
    return json{{"enabled", s.enforce},
                {"requests_per_hour", s.requests_per_hour},
                {"user_creations_per_hour", s.user_creations_per_hour}};
  };
  if (c.is_get()) return c.out.json_body(200, settings(limiter_.settings()), c.route);
  if (c.verb() != bhttp::verb::put) return c.out.method_not_allowed(c.method(), c.route, "GET, PUT");
  auto body = parse_object(c.req, false);
  if (!body) return c.out.error(body.error(), c.route);
  if (auto ok = only_keys(*body, {"enabled", "requests_per_hour", "user_creations_per_hour"}); !ok) {
    return c.out.error(ok.error(), c.route);
  }
  auto enabled = bool_member(*body, "enabled");
  auto per_hour = uint_member(*body, "requests_per_hour", 1, UINT32_MAX);
  auto creations = uint_member(*body, "user_creations_per_hour", 1, UINT32_MAX);
  if (!enabled) return c.out.error(enabled.error(), c.route);
  if (!per_hour) return c.out.error(per_hour.error(), c.route);
  if (!creations) return c.out.error(creations.error(), c.route);
  std::lock_guard lk(rate_mu_);
  auto s = limiter_.settings();
  if (*enabled) s.enforce = **enabled;
  if (*per_hour) s.requests_per_hour = static_cast<std::uint32_t>(**per_hour);
  if (*creations) s.user_creations_per_hour = static_cast<std::uint32_t>(**creations);
  limiter_.configure(s);  // also starts every window afresh
  return c.out.json_body(200, settings(s), c.route);
}

// ---- metrics ----------------------------------------------------------------------------------

extension_reply admin_routes::serve_metrics(call& c) {
  c.route = kRouteMetrics;
  if (!c.is_get()) return c.out.method_not_allowed(c.method(), c.route, "GET, HEAD");
  metric_gauges g;
  db_.read([&](store::connection& conn) {
    for (auto& e : store::list_enterprise_stats(conn)) {
      g.enterprises.push_back({std::move(e.slug), e.users, e.groups, e.memberships});
    }
    g.db_size_bytes = store::database_size_bytes(conn);
  });
  if (open_connections_) g.open_connections = open_connections_();
  response res{bhttp::status::ok, c.req.version()};
  res.set(bhttp::field::content_type, prometheus_content_type);
  res.body() = metrics_.render(g);
  res.keep_alive(c.req.keep_alive());
  res.prepare_payload();
  return {std::move(res), c.route};
}

}  // namespace emuscim::http
