#include "http/handlers/admin_json.hpp"

namespace emuscim::http::handlers {

namespace {
constexpr std::size_t kMaxLabel = 256;
}

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

}  // namespace emuscim::http::handlers
