#pragma once
// The one place that renders error responses. Two dialects, chosen by the route:
//   scim: the SCIM error body (github-emu-scim.md §14), Content-Type application/scim+json:
//         {"schemas":[Error], "status":"409", "scimType"?, "detail", "message", "documentation_url"}
//   rest: GitHub's REST error (basic-error / validation-error), Content-Type application/json:
//         {"message", "errors"?: [{"resource","field","code","message"?}], "documentation_url", "status"}
// 401 adds WWW-Authenticate: Bearer.

#include <string>

#include "emuscim/http/net.hpp"
#include "emuscim/scim/error.hpp"

namespace emuscim::http {

enum class error_dialect : std::uint8_t { scim, rest };

struct error_style {
  bool integer_status = false;   // SCIM bodies: "status": 409 instead of "409"
};

response make_error(const scim::error& e, unsigned http_version, bool keep_alive, const error_style& style = {},
                    error_dialect dialect = error_dialect::scim);

// JSON text of the body alone (for tests and the transport).
std::string error_body(const scim::error& e, const error_style& style = {}, error_dialect dialect = error_dialect::scim);

}  // namespace emuscim::http
