#pragma once
// The nesting bound on request bodies: every later recursive walk over client JSON (the parser,
// the PATCH engine, rendering) is bounded by it. Shared by the HTTP layer and the fuzz targets.

#include <algorithm>
#include <string_view>

namespace emuscim::scim {

inline constexpr int max_json_depth = 64;

// Nesting depth of a JSON text, counted outside strings.
constexpr int json_depth(std::string_view s) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace emuscim::scim
