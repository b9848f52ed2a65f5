#include "emuscim/http/call.hpp"

#include <algorithm>
#include <charconv>

namespace emuscim::http {

std::string call::url(std::string_view pattern) const {
  std::string out = ctx.base_url;
  while (!pattern.empty()) {
    const auto open = pattern.find('{');
    out += pattern.substr(0, open);
    if (open == std::string_view::npos) break;
    const auto close = pattern.find('}', open);
    out += url_encode(params.get(pattern.substr(open + 1, close - open - 1)));
    pattern.remove_prefix(close + 1);
  }
  return out;
}

std::optional<std::int64_t> to_int64(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

scim::result<std::int64_t> int_param(const call& c, std::string_view name, std::int64_t fallback) {
  auto v = c.query(name);
  if (!v || v->empty()) return fallback;
  auto n = to_int64(*v);
  if (!n) {
    return scim::fail(scim::invalid_value("Query parameter '" + std::string(name) + "' must be an integer, got '" +
                                          *v + "'"));
  }
  return *n;
}

scim::status only_keys(const nlohmann::json& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return scim::fail(scim::invalid_value("Unknown key '" + key + "'; expected " + list));
  }
  return {};
}

}  // namespace emuscim::http
