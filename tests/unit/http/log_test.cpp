// access_line writes what log_line writes for the same fields, in both formats, without a JSON object.
#include "emuscim/http/log.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace emuscim::http {
namespace {

using nlohmann::json;

json as_fields(const access_fields& f) {
  json j = {{"method", std::string(f.method)},
            {"path", std::string(f.path)},
            {"status", f.status},
            {"duration_ms", f.duration_ms},
            {"request_id", std::string(f.request_id)},
            {"remote", std::string(f.remote)}};
  if (!f.scim_type.empty()) j["scim_type"] = std::string(f.scim_type);
  if (f.detail) j["detail"] = std::string(*f.detail);
  return j;
}

TEST(AccessLine, sameTextAsLogLine) {
  const std::vector<access_fields> cases = {
      {.method = "GET", .path = "/healthz", .status = 200, .duration_ms = 0.05, .request_id = "A:B", .remote = "127.0.0.1:5"},
      {.method = "POST", .path = "/scim/v2/enterprises/acme/Users", .status = 201, .duration_ms = 1.0,
       .request_id = "C4EF:5C94", .remote = "[::1]:80"},
      {.method = "PATCH", .path = "/x", .status = 400, .duration_ms = 12.34, .request_id = "r", .remote = "h:1",
       .scim_type = "invalidValue", .detail = "Attribute 'active' must be a boolean"},
      {.method = "GET", .path = "/p\"q\\u\x01", .status = 404, .duration_ms = 0, .request_id = "r", .remote = "h",
       .detail = "quote \" backslash \\ and \xff invalid UTF-8"},
      {.method = "DELETE", .path = "/y", .status = 503, .duration_ms = 3000.5, .request_id = "r", .remote = "h",
       .scim_type = "", .detail = ""},
  };
  for (const auto format : {log_format::text, log_format::json}) {
    set_log_format(format);
    for (const auto& c : cases) {
      EXPECT_EQ(access_line(c), log_line("request", as_fields(c))) << c.path << (format == log_format::json ? " json" : " text");
    }
  }
  set_log_format(log_format::text);
}

}  // namespace
}  // namespace emuscim::http
