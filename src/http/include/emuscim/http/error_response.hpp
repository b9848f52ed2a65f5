#pragma once
// The one place that renders error responses (SCIM error body, github-emu-scim.md §14):
// {"schemas":[Error], "status":"409", "scimType"?, "detail", "message", "documentation_url"}
// Content-Type application/scim+json; charset=utf-8; 401 adds WWW-Authenticate: Bearer.

#include <string>

#include "emuscim/http/net.hpp"
#include "emuscim/scim/error.hpp"

namespace emuscim::http {

struct error_style {
  bool integer_status = false;   // "status": 409 instead of "409"
};

response make_error(const scim::error& e, unsigned http_version, bool keep_alive, const error_style& style = {});

// JSON text of the body alone (for tests and the transport).
std::string error_body(const scim::error& e, const error_style& style = {});

}  // namespace emuscim::http
