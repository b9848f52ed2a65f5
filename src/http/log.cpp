#include "emuscim/http/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace emuscim::http {

namespace {
std::atomic<log_format> g_format{log_format::text};
}

void configure_logging(log_format format, std::string_view level) {
  g_format = format;
  auto logger = spdlog::stderr_logger_mt("emuscim");
  spdlog::set_default_logger(logger);
  if (format == log_format::json) {
    spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
  spdlog::flush_on(spdlog::level::info);
}

log_format current_log_format() { return g_format; }

std::string log_line(std::string_view msg, const nlohmann::json& fields) {
  using nlohmann::json;
  if (g_format == log_format::json) {
    std::string out = "\"msg\":" + json(std::string(msg)).dump(-1, ' ', false, json::error_handler_t::replace);
    for (const auto& [k, v] : fields.items()) {
      out += ",";
      out += json(k).dump();
      out += ":";
      out += v.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    return out;
  }
  std::string out(msg);
  for (const auto& [k, v] : fields.items()) {
    out += ' ';
    out += k;
    out += '=';
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

namespace {

void append_json_string(std::string& out, std::string_view v) {
  out += nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void set_log_format(log_format format) { g_format = format; }

std::string access_line(const access_fields& f) {
  // Members in log_line's order (a JSON object's keys, sorted): detail, duration_ms, method,
  // path, remote, request_id, scim_type, status.
  const bool as_json = g_format == log_format::json;
  std::string out;
  out.reserve(160 + f.path.size() + (f.detail ? f.detail->size() : 0));
  auto text = [&](std::string_view key, std::string_view value) {
    if (as_json) {
      out += ",\"";
      out += key;
      out += "\":";
      append_json_string(out, value);
    } else {
      out += ' ';
      out += key;
      out += '=';
      out += value;
    }
  };
  auto raw = [&](std::string_view key, std::string_view value) {
    out += as_json ? ",\"" : " ";
    out += key;
    out += as_json ? "\":" : "=";
    out += value;
  };
  out += as_json ? "\"msg\":\"request\"" : "request";
  if (f.detail) text("detail", *f.detail);
  raw("duration_ms", nlohmann::json(f.duration_ms).dump());
  text("method", f.method);
  text("path", f.path);
  text("remote", f.remote);
  text("request_id", f.request_id);
  if (!f.scim_type.empty()) text("scim_type", f.scim_type);
  raw("status", std::to_string(f.status));
  return out;
}

}  // namespace emuscim::http
