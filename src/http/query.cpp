#include "emuscim/http/query.hpp"

#include "emuscim/base/text.hpp"

namespace emuscim::http {

namespace {
int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

namespace {
std::string decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

std::string url_decode(std::string_view s) { return decode(s, true); }
std::string url_decode_path(std::string_view s) { return decode(s, false); }

std::string url_encode(std::string_view s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::optional<std::string> target::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (base::iequals(k, name)) return v;
  }
  return std::nullopt;
}

target parse_target(std::string_view raw) {
  target t;
  auto q = raw.find('?');
  t.path = std::string(raw.substr(0, q));
  if (q == std::string_view::npos) return t;
  std::string_view query = raw.substr(q + 1);
  // Entra's tenant URL may carry its flag, e.g. https://host/scim/v2/enterprises/acme?aadOptscim062020;
  // a client that appends the resource path after it sends ".../acme?aadOptscim062020/Users?filter=...".
  constexpr std::string_view kFlag = "aadOptscim062020";
  if (query.substr(0, kFlag.size()) == kFlag && query.size() > kFlag.size() && query[kFlag.size()] == '/') {
    auto rest = query.substr(kFlag.size());
    auto q2 = rest.find('?');
    t.path += std::string(rest.substr(0, q2));
    query = q2 == std::string_view::npos ? std::string_view{} : rest.substr(q2 + 1);
  }
  t.query = std::string(query);
  std::size_t pos = 0;
  while (pos <= query.size()) {
    auto amp = query.find('&', pos);
    auto part = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos) {
        t.params.emplace_back(url_decode(part), "");
      } else {
        t.params.emplace_back(url_decode(part.substr(0, eq)), url_decode(part.substr(eq + 1)));
      }
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return t;
}

}  // namespace emuscim::http
