#include "http/handlers/admin_json.hpp"

#include <algorithm>

namespace emuscim::http::handlers {

namespace {
constexpr std::size_t kMaxLabel = 256;
constexpr std::int64_t kDefaultAuditLimit = 100;
constexpr std::int64_t kMaxAuditLimit = 1000;

nlohmann::json event_json(const service::audit_event& e) {
  return {{"id", e.seq},
          {"action", e.action},
          {"created", e.created},
          {"actor_token_id", e.actor_token_id ? nlohmann::json(*e.actor_token_id) : nlohmann::json(nullptr)},
          {"request_id", e.request_id},
          {"resource_id", e.resource_id},
          {"success", e.success},
          {"data", e.data}};
}
}  // namespace

using nlohmann::json;

json token_json(const service::token_info& t) {
  return {{"id", t.id},
          {"scopes", t.scopes},
          {"label", t.label ? json(*t.label) : json(nullptr)},
          {"created", t.created},
          {"revoked", t.revoked ? json(*t.revoked) : json(nullptr)}};
}

json tokens_json(const std::vector<service::token_info>& tokens) {
  json list = json::array();
  for (const auto& t : tokens) list.push_back(token_json(t));
  return json{{"tokens", std::move(list)}};
}

json new_token_json(const service::new_token& t) {
  json body = token_json(t.info);
  body["token"] = t.token;  // the only time it is shown
  return body;
}

scim::result<token_request_body> token_request(const json& body) {
  if (auto ok = only_keys(body, {"scopes", "label"}); !ok) return scim::fail(ok.error());
  token_request_body out;
  if (auto it = body.find("scopes"); it != body.end()) {
    if (!it->is_array()) return scim::fail(scim::invalid_value("'scopes' must be an array of strings"));
    out.scopes.emplace();
    for (const auto& v : *it) {
      if (!v.is_string()) return scim::fail(scim::invalid_value("'scopes' must be an array of strings"));
      out.scopes->push_back(v.get<std::string>());
    }
  }
  if (auto it = body.find("label"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxLabel) {
      return scim::fail(scim::invalid_value("'label' must be a string of at most 256 bytes"));
    }
    out.label = it->get<std::string>();
  }
  return out;
}

scim::result<std::int64_t> token_id(const call& c) {
  const auto& raw = c.param("token_id");
  const auto id = to_int64(raw);
  if (!id || *id <= 0) return scim::fail(scim::not_found("Token '" + raw + "' not found"));
  return *id;
}

scim::result<service::audit_filter> audit_request(const call& c) {
  service::audit_filter f;
  if (auto a = c.query("action"); a && !a->empty()) f.action = *a;
  for (auto [name, bound] : {std::pair{"since", &f.since}, std::pair{"until", &f.until}}) {
    auto v = c.query(name);
    if (!v || v->empty()) continue;
    *bound = service::normalize_time_bound(*v);
    if (!*bound) {
      return scim::fail(scim::invalid_value("Query parameter '" + std::string(name) +
                                            "' must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.fff]Z, got '" + *v + "'"));
    }
  }
  if (auto v = c.query("before"); v && !v->empty()) {
    auto before = int_param(c, "before", 0);
    if (!before) return scim::fail(before.error());
    f.before_seq = *before;
  }
  auto limit = int_param(c, "limit", kDefaultAuditLimit);
  if (!limit) return scim::fail(limit.error());
  f.limit = std::clamp<std::int64_t>(*limit, 1, kMaxAuditLimit);
  return f;
}

json audit_events_json(const std::vector<service::audit_event>& events, const service::audit_filter& f) {
  json list = json::array();
  for (const auto& e : events) list.push_back(event_json(e));
  const bool more = static_cast<std::int64_t>(events.size()) == f.limit;
  return json{{"events", std::move(list)}, {"next_before", more ? json(events.back().seq) : json(nullptr)}};
}

}  // namespace emuscim::http::handlers
