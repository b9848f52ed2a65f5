#include "emuscim/http/call.hpp"

#include <algorithm>
#include <charconv>
#include <span>

#include "emuscim/auth/token.hpp"
#include "emuscim/base/text.hpp"

namespace emuscim::http {

namespace {

// W/"<32 hex digits of SHA-256(body)>", GitHub's ETag shape.
std::string weak_etag(std::string_view body) {
  const auto digest = auth::hash_token(body);
  return "W/\"" + auth::to_hex(std::span<const unsigned char>(digest).first(16)) + "\"";
}

// RFC 9110 §13.1.2: If-None-Match is "*" or a list of entity tags, compared weakly.
bool none_match(std::string_view header, std::string_view etag) {
  const auto opaque = [](std::string_view t) {
    t = base::trim(t);
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto item = base::trim(header.substr(0, comma));
    if (item == "*" || (!item.empty() && opaque(item) == opaque(etag))) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

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

answer conditional(const call& c, answer a) {
  if (a.status != 200) return a;
  const std::string etag = weak_etag(a.body);
  a.headers.emplace_back("ETag", etag);
  const auto it = c.req.find(bhttp::field::if_none_match);
  if (it == c.req.end() || !none_match(std::string_view(it->value().data(), it->value().size()), etag)) return a;
  answer not_modified{304, {}, a.content_type};
  not_modified.headers.emplace_back("ETag", etag);
  return not_modified;
}

}  // namespace emuscim::http
