#include "emuscim/http/error_response.hpp"

#include <nlohmann/json.hpp>

namespace emuscim::http {

namespace {
constexpr const char* kDocumentationUrl = "https://docs.github.com/enterprise-cloud@latest/rest/enterprise-admin/scim";
}

std::string error_body(const scim::error& e, const error_style& style) {
  nlohmann::json body = {
      {"schemas", {std::string(scim::error_schema_urn)}},
  };
  if (style.integer_status) {
    body["status"] = e.status;
  } else {
    body["status"] = std::to_string(e.status);
  }
  if (!e.scim_type.empty()) body["scimType"] = e.scim_type;
  body["detail"] = e.detail;
  body["message"] = e.detail;
  body["documentation_url"] = kDocumentationUrl;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

response make_error(const scim::error& e, unsigned http_version, bool keep_alive, const error_style& style) {
  response res{static_cast<bhttp::status>(e.status), http_version};
  res.set(bhttp::field::content_type, "application/scim+json; charset=utf-8");
  if (e.status == 401) res.set(bhttp::field::www_authenticate, "Bearer realm=\"emuscim\"");
  if (e.retry_after > 0) res.set(bhttp::field::retry_after, std::to_string(e.retry_after));
  res.body() = error_body(e, style);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace emuscim::http
