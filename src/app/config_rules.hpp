#pragma once
// Value rules shared by the config file parser (config.cpp) and the command line (cli.cpp),
// so a value is judged the same whichever layer supplies it. Private to emuscim_app.
//
// Each check_* returns std::nullopt when the value is acceptable, else the problem as a phrase
// ("expected ..., got '...'") for the caller to prefix with where the value came from
// ("config: /listen: ", "emuscim serve: EMUSCIM_LISTEN: ", "emuscim serve: --listen: ").
// Secrets are never echoed back.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace emuscim::app::rules {

inline constexpr std::size_t max_threads = 256;
inline constexpr std::size_t min_body_bytes = 1024;
inline constexpr std::size_t min_header_bytes = 1024;
inline constexpr std::size_t max_request_log = 1'000'000;             // request_log.capacity
inline constexpr std::size_t max_request_log_body = 16 * 1024 * 1024;  // request_log.max_body_bytes

using check_fn = std::optional<std::string> (*)(std::string_view);

std::optional<std::string> check_listen(std::string_view value);      // split_listen accepts it
std::optional<std::string> check_log_level(std::string_view value);   // trace|debug|info|warn|error|off
std::optional<std::string> check_log_format(std::string_view value);  // text|json
std::optional<std::string> check_slug(std::string_view value);        // [a-z0-9-]{1,64}
std::optional<std::string> check_short_code(std::string_view value);  // [A-Za-z0-9]{3,8}
std::optional<std::string> check_org_login(std::string_view value);   // GitHub's organization login rules
std::optional<std::string> check_path(std::string_view value);        // non-empty
std::optional<std::string> check_token(std::string_view value);       // printable ASCII, no blanks
std::optional<std::string> check_url(std::string_view value);         // http:// or https://

// `value` in single quotes, made safe for a one-line message (control bytes become '?',
// long values are cut).
std::string quoted(std::string_view value);

}  // namespace emuscim::app::rules
