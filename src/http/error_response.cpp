#include "emuscim/http/error_response.hpp"

#include <nlohmann/json.hpp>

namespace emuscim::http {

namespace {
constexpr const char* kScimDocumentationUrl = "https://docs.github.com/enterprise-cloud@latest/rest/enterprise-admin/scim";
constexpr const char* kRestDocumentationUrl = "https://docs.github.com/rest";
using ordered = nlohmann::ordered_json;

std::string dump(const ordered& j) { return j.dump(-1, ' ', false, ordered::error_handler_t::replace); }
}  // namespace

std::string error_body(const scim::error& e, const error_style& style, error_dialect dialect) {
  ordered body;
  if (dialect == error_dialect::rest) {
    body["message"] = e.detail;
    if (!e.errors.empty()) {
      ordered list = ordered::array();
      for (const auto& f : e.errors) {
        ordered item = {{"resource", f.resource}, {"field", f.field}, {"code", f.code}};
        if (!f.message.empty()) item["message"] = f.message;
        list.push_back(std::move(item));
      }
      body["errors"] = std::move(list);
    }
    body["documentation_url"] = e.documentation_url.empty() ? kRestDocumentationUrl : e.documentation_url;
    body["status"] = std::to_string(e.status);
    return dump(body);
  }
  body["schemas"] = {std::string(scim::error_schema_urn)};
  if (style.integer_status) {
    body["status"] = e.status;
  } else {
    body["status"] = std::to_string(e.status);
  }
  if (!e.scim_type.empty()) body["scimType"] = e.scim_type;
  body["detail"] = e.detail;
  body["message"] = e.detail;
  body["documentation_url"] = e.documentation_url.empty() ? kScimDocumentationUrl : e.documentation_url;
  return dump(body);
}

response make_error(const scim::error& e, unsigned http_version, bool keep_alive, const error_style& style,
                    error_dialect dialect) {
  response res{static_cast<bhttp::status>(e.status), http_version};
  res.set(bhttp::field::content_type, dialect == error_dialect::rest ? "application/json; charset=utf-8"
                                                                     : "application/scim+json; charset=utf-8");
  if (e.status == 401) res.set(bhttp::field::www_authenticate, "Bearer realm=\"emuscim\"");
  if (e.retry_after > 0) res.set(bhttp::field::retry_after, std::to_string(e.retry_after));
  res.body() = error_body(e, style, dialect);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace emuscim::http
