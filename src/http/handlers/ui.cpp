// The dashboard's files (docs/DASHBOARD.md "Serving the dashboard"): /_emuscim/ui[/[{file}]],
// embedded at build time; no token (they hold no data), only while the admin API is on.
#include <string>

#include "emuscim/http/ui_assets.hpp"
#include "http/handlers/handlers.hpp"

namespace emuscim::http::handlers {

namespace {

outcome asset_answer(std::string_view path) {
  auto found = find_asset(path);
  if (!found) return scim::fail(scim::not_found("Not Found"));
  answer a{200, std::string(found->bytes), found->content_type};
  for (const auto& [name, value] : ui_security_headers) a.headers.emplace_back(name, value);
  return a;
}

}  // namespace

net::awaitable<outcome> ui_redirect(call&) {
  // The pages use relative URLs, which resolve only under the trailing slash.
  answer a{308, {}, "text/plain; charset=utf-8"};
  a.headers.emplace_back("Location", std::string(ui_prefix));
  for (const auto& [name, value] : ui_security_headers) a.headers.emplace_back(name, value);
  co_return a;
}

net::awaitable<outcome> ui_index(call&) { co_return asset_answer(""); }

net::awaitable<outcome> ui_asset(call& c) { co_return asset_answer(c.param("file")); }

}  // namespace emuscim::http::handlers
