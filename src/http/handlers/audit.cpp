// GitHub's enterprise audit-log route: GET /enterprises/{enterprise}/audit-log (docs/ADMIN_API.md).
#include <algorithm>

#include "emuscim/http/pipeline.hpp"
#include "emuscim/service/audit_log.hpp"
#include "http/handlers/handlers.hpp"

namespace emuscim::http::handlers {

namespace {
constexpr std::int64_t kDefaultPerPage = 30;  // GitHub's REST default
constexpr std::int64_t kMaxPerPage = 100;
}  // namespace

net::awaitable<outcome> github_audit_log(call& c) {
  service::audit_filter filter;
  const auto phrase = c.query("phrase").value_or("");
  if (auto ok = service::apply_phrase(phrase, filter); !ok) co_return scim::fail(ok.error());
  if (auto order = c.query("order"); order && !order->empty() && *order != "desc") {
    co_return scim::fail(scim::error{422, "", "Only order=desc (newest first) is supported"});
  }
  auto per_page = int_param(c, "per_page", kDefaultPerPage);
  if (!per_page) co_return scim::fail(per_page.error());
  auto page = int_param(c, "page", 1);
  if (!page) co_return scim::fail(page.error());
  const std::int64_t n = std::clamp<std::int64_t>(*per_page, 1, kMaxPerPage);
  const std::int64_t p = std::max<std::int64_t>(1, *page);

  auto events = c.svc.audit.github_page(c.ctx.enterprise, filter, p, n);
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : events) entries.push_back(service::github_entry(e, c.ctx.enterprise));
  auto a = json_answer(200, entries);
  if (static_cast<std::int64_t>(events.size()) == n) {
    std::string next = c.url("/enterprises/{enterprise}/audit-log") + "?per_page=" + std::to_string(n) +
                       "&page=" + std::to_string(p + 1);
    if (!phrase.empty()) next += "&phrase=" + url_encode(phrase);
    a.headers.emplace_back("Link", "<" + next + ">; rel=\"next\"");
  }
  co_return a;
}

}  // namespace emuscim::http::handlers
