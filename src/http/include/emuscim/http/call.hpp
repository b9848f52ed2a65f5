#pragma once
// What a handler sees (`call`) and what it returns (`answer`). A handler decodes, makes one
// service call and renders; everything else (authentication, scopes, rate limits, faults, body
// parsing, headers, errors, logs) is the pipeline's.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/http/query.hpp"
#include "emuscim/http/route.hpp"
#include "emuscim/http/server.hpp"
#include "emuscim/scim/error.hpp"
#include "emuscim/service/auth_service.hpp"
#include "emuscim/service/context.hpp"

namespace emuscim::http {

struct services;  // pipeline.hpp

inline constexpr std::string_view scim_content_type = "application/scim+json; charset=utf-8";
inline constexpr std::string_view json_content_type = "application/json; charset=utf-8";

struct answer {
  unsigned status = 200;
  std::string body;                  // empty for 204
  std::string_view content_type = json_content_type;
  std::vector<std::pair<std::string, std::string>> headers = {};  // Location, Link, ...
  stream_pump stream = {};           // a streamed body (text/event-stream); `body` stays empty
};

// A JSON answer from any nlohmann JSON type (ordered_json keeps member order).
template <class Json>
answer json_answer(unsigned status, const Json& body, std::string_view content_type = json_content_type) {
  return answer{status, body.dump(-1, ' ', false, Json::error_handler_t::replace), content_type};
}
inline answer no_content() { return answer{204, {}, json_content_type}; }

struct call {
  const request& req;
  const connection_info& conn;
  const target& t;                         // path and decoded query parameters
  const route& r;
  const route_params& params;
  services& svc;
  service::request_context ctx;            // request id, base URL, the enterprise the path names
  std::optional<service::principal> who;   // token routes
  nlohmann::json body;                     // parsed body (route body_kind), else null

  const std::string& param(std::string_view name) const { return params.get(name); }
  std::optional<std::string> query(std::string_view name) const { return t.param(name); }
  // base_url + `pattern` with {params} of this call substituted, e.g. url("/scim/v2/enterprises/{enterprise}").
  std::string url(std::string_view pattern) const;
  std::string_view method() const { return {req.method_string().data(), req.method_string().size()}; }
  bool is_get() const { return req.method() == bhttp::verb::get || req.method() == bhttp::verb::head; }
};

// An integer query parameter: fallback when absent or empty; 400 invalidValue when not an integer.
scim::result<std::int64_t> int_param(const call& c, std::string_view name, std::int64_t fallback);
std::optional<std::int64_t> to_int64(std::string_view s);

// 400 naming the first member of `body` not in `allowed` (admin API bodies).
scim::status only_keys(const nlohmann::json& body, std::initializer_list<std::string_view> allowed);

// GitHub's conditional requests (docs/BEHAVIOUR.md "Org-level SCIM"): a 200 answer gets an
// `ETag` (weak, from its body); when the request's `If-None-Match` names it (or is `*`), the
// answer becomes 304 Not Modified without a body, with the same ETag.
answer conditional(const call& c, answer a);

}  // namespace emuscim::http
