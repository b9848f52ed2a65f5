#pragma once
// Structured log lines in the configured format: text ("msg key=value ...") or JSON lines
// ({"time","level","msg",...fields}). Never pass tokens or request bodies as fields.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace emuscim::http {

enum class log_format { text, json };

// Installs the default spdlog logger (stderr) with the pattern for `format`.
void configure_logging(log_format format, std::string_view level);
log_format current_log_format();

// The message part of one line: text "msg k=v k=v" or JSON members "\"msg\":...,\"k\":v".
std::string log_line(std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());

// The access log's fields, one line per request.
struct access_fields {
  std::string_view method = {};
  std::string_view path = {};
  unsigned status = 0;
  double duration_ms = 0;  // rounded to 2 decimals by the caller
  std::string_view request_id = {};
  std::string_view remote = {};
  std::string_view scim_type = {};                 // on errors; empty: not logged
  std::optional<std::string_view> detail = {};     // on errors
};
// The same text as log_line("request", {...those fields...}) (member order included), built
// without a JSON object: the access log is on every request's path.
std::string access_line(const access_fields& f);
// Switches the format of log_line and access_line alone (configure_logging also sets the pattern).
void set_log_format(log_format format);

}  // namespace emuscim::http
