#pragma once
// Request-target helpers: split path and query, percent-decode, read parameters.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emuscim::http {

// application/x-www-form-urlencoded decoding: %XX and '+' as space. Invalid escapes are kept literally.
std::string url_decode(std::string_view s);
// Path-segment decoding (RFC 3986): %XX only; '+' stays '+'.
std::string url_decode_path(std::string_view s);
// RFC 3986 unreserved characters kept, everything else %XX (query values, Link headers).
std::string url_encode(std::string_view s);

struct target {
  std::string path;   // raw (SCIM ids never need decoding)
  std::string query;  // raw query, without '?'
  std::vector<std::pair<std::string, std::string>> params;  // decoded; keys as sent
  // Case-insensitive parameter lookup (SCIM parameter names are case-insensitive, RFC 7644 §3.4.2).
  std::optional<std::string> param(std::string_view name) const;
};

target parse_target(std::string_view raw);

}  // namespace emuscim::http
