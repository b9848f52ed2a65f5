#include "emuscim/http/route.hpp"

#include "emuscim/http/query.hpp"

namespace emuscim::http {

namespace methods {

std::uint8_t bit(bhttp::verb v) {
  if (v == bhttp::verb::get) return 1;
  if (v == bhttp::verb::head) return 2;
  if (v == bhttp::verb::post) return post;
  if (v == bhttp::verb::put) return put;
  if (v == bhttp::verb::patch) return patch;
  if (v == bhttp::verb::delete_) return del;
  return 0;
}

std::string allow_header(std::uint8_t set) {
  // HEAD is implied by GET and not listed (as emuscim's Allow always read).
  static constexpr std::pair<std::uint8_t, std::string_view> names[] = {
      {1, "GET"}, {post, "POST"}, {put, "PUT"}, {patch, "PATCH"}, {del, "DELETE"}};
  std::string out;
  for (const auto& [b, name] : names) {
    if ((set & b) == 0) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace methods

const std::string& route_params::get(std::string_view name) const {
  static const std::string empty;
  for (const auto& [k, v] : items_) {
    if (k == name) return v;
  }
  return empty;
}

bool route_params::has(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return true;
  }
  return false;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segs;
  segs.reserve(8);
  if (path.empty() || path.front() != '/') return segs;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    segs.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segs;
}

route_table::route_table(std::vector<route> routes) : routes_(std::move(routes)) {
  compiled_.reserve(routes_.size());
  for (const auto& r : routes_) {
    compiled c{split_path(r.pattern), 0};
    for (auto seg : c.segments) c.literal += seg.starts_with('{') ? 0 : 1;
    const std::size_t n = c.segments.size();
    if (by_length_.size() <= n) by_length_.resize(n + 1);
    by_length_[n].push_back(compiled_.size());
    compiled_.push_back(std::move(c));
  }
}

bool route_table::match_one(const compiled& c, const std::vector<std::string_view>& path,
                            route_params* params) const {
  if (c.segments.size() != path.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto& pat = c.segments[i];
    if (pat.starts_with('{')) {
      if (path[i].empty()) return false;  // a parameter is never empty: "/Users/" is not "/Users/{id}"
    } else if (pat != path[i]) {
      return false;
    }
  }
  if (params != nullptr) {
    for (std::size_t i = 0; i < path.size(); ++i) {
      const auto& pat = c.segments[i];
      if (pat.starts_with('{')) params->add(pat.substr(1, pat.size() - 2), url_decode_path(path[i]));
    }
  }
  return true;
}

route_table::match route_table::find(std::string_view path, bhttp::verb method) const {
  match m;
  const auto segs = split_path(path);
  if (segs.empty() || segs.size() >= by_length_.size()) return m;
  const std::uint8_t want = methods::bit(method);
  // The most specific patterns win: /_emuscim/requests/stream over /_emuscim/requests/{id}.
  std::size_t best = 0;
  const route* found = nullptr;
  std::size_t found_index = 0;
  for (const std::size_t i : by_length_[segs.size()]) {  // only patterns of the path's length can match
    if (!match_one(compiled_[i], segs, nullptr)) continue;
    const std::size_t literal = compiled_[i].literal;
    if (literal < best) continue;
    if (literal > best) {
      best = literal;
      m.allowed = 0;
      m.pattern = {};
      found = nullptr;
    }
    m.allowed |= routes_[i].methods;
    if (m.pattern.empty()) m.pattern = routes_[i].pattern;
    if (found == nullptr && (routes_[i].methods & want) != 0) {
      found = &routes_[i];
      found_index = i;
    }
  }
  if (found != nullptr) {
    m.found = found;
    match_one(compiled_[found_index], segs, &m.params);
  }
  return m;
}

}  // namespace emuscim::http
