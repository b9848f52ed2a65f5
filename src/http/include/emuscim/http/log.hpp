#pragma once
// Structured log lines in the configured format: text ("msg key=value ...") or JSON lines
// ({"time","level","msg",...fields}). Never pass tokens or request bodies as fields.

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

}  // namespace emuscim::http
