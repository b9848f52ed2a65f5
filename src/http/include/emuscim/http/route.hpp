#pragma once
// The route table: every route emuscim serves is one row, declared once (src/http/routes.cpp)
// with its methods, its path pattern, who may call it, the scopes GitHub requires for it, and its
// handler. The table only matches; the pipeline (pipeline.hpp) runs every step around the handler.
// 404 (no pattern matches) and 405 with `Allow` (a pattern matches, the method does not) both come
// from the table. Thread-safety: immutable after construction.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emuscim/http/error_response.hpp"
#include "emuscim/http/net.hpp"

namespace emuscim::http {

// Method sets as bit masks. GET implies HEAD.
namespace methods {
inline constexpr std::uint8_t get = 1 | 2;
inline constexpr std::uint8_t post = 4;
inline constexpr std::uint8_t put = 8;
inline constexpr std::uint8_t patch = 16;
inline constexpr std::uint8_t del = 32;
std::uint8_t bit(bhttp::verb v);            // 0 for methods no route serves
std::string allow_header(std::uint8_t set);  // "GET, POST" (HEAD goes with GET)
}  // namespace methods

enum class auth_kind : std::uint8_t {
  none,   // anyone (health, metrics; inside /_emuscim/ the dashboard's files, only while the admin API is on)
  token,  // an enterprise (or organization) token; a {enterprise} in the pattern must be the token's
  admin,  // the admin token (the /_emuscim/ family)
};

enum class body_kind : std::uint8_t {
  none,             // not read
  object,           // a JSON object is required
  object_or_empty,  // a JSON object; an empty body counts as {}
};

struct call;
struct answer;
using outcome = scim::result<answer>;
using handler_fn = net::awaitable<outcome> (*)(call&);

struct route {
  std::uint8_t methods = 0;
  std::string_view pattern;                // "/scim/v2/enterprises/{enterprise}/Users/{scim_user_id}"
  auth_kind auth = auth_kind::token;
  std::span<const std::string_view> scopes = {};  // GitHub's accepted scopes, any of (X-Accepted-OAuth-Scopes)
  handler_fn handler = nullptr;
  body_kind body = body_kind::none;
  error_dialect errors = error_dialect::scim;
  std::string_view rate_resource = "core";  // x-ratelimit-resource of this route's budget
  bool faultable = false;                    // fault injection applies (per enterprise)
  bool creates_user = false;                 // counts against the user-creation budget
  bool quiet = false;                        // access log at debug (health probes)
  bool captured = false;                     // kept in the request log (GitHub's routes)
  bool query_token = false;                  // admin: the token may come as ?access_token= (EventSource)
  bool conceal = false;  // a token without the scopes gets 404, GitHub's answer for a private resource
  bool standalone_org = false;               // the {org} must be a standalone (SAML SSO) organization:
                                             // one of an EMU enterprise is 404 (org-level SCIM, invitations)
  std::string_view documentation_url = {};   // of this route's errors (empty: the dialect's default)
};

// Path parameters of a match, percent-decoded, in pattern order.
class route_params {
 public:
  void add(std::string_view name, std::string value) { items_.emplace_back(name, std::move(value)); }
  // The value of {name}; empty when the pattern has no such parameter.
  const std::string& get(std::string_view name) const;
  bool has(std::string_view name) const;
  const std::vector<std::pair<std::string_view, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string_view, std::string>> items_;
};

class route_table {
 public:
  explicit route_table(std::vector<route> routes);

  struct match {
    const route* found = nullptr;  // the route for this path and method
    route_params params;
    std::uint8_t allowed = 0;      // methods of every pattern matching the path (0: unknown path)
    std::string_view pattern;      // the matching pattern when only the method is wrong
  };
  match find(std::string_view path, bhttp::verb method) const;

  const std::vector<route>& routes() const { return routes_; }

 private:
  struct compiled {
    std::vector<std::string_view> segments;  // "{name}" for parameters
    std::size_t literal = 0;                  // segments that are not parameters
  };
  bool match_one(const compiled& c, const std::vector<std::string_view>& path, route_params* params) const;

  std::vector<route> routes_;
  std::vector<compiled> compiled_;
  std::vector<std::vector<std::size_t>> by_length_;  // route indexes by segment count, in table order
};

// The path's segments: "/a/b/" -> {"a", "b", ""}; nullopt-like empty vector for "" or a path not
// starting with '/'.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace emuscim::http
