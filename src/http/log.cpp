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

}  // namespace emuscim::http
