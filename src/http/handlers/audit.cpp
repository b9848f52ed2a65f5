// GitHub's audit-log routes: GET /enterprises/{enterprise}/audit-log and GET /orgs/{org}/audit-log
// (docs/ADMIN_API.md).
#include <algorithm>

#include "emuscim/http/pipeline.hpp"
#include "emuscim/service/audit_log.hpp"
#include "http/handlers/handlers.hpp"

namespace emuscim::http::handlers {

namespace {
constexpr std::int64_t kDefaultPerPage = 30;  // GitHub's REST default
constexpr std::int64_t kMaxPerPage = 100;

// phrase, order, per_page and page of an audit-log request.
struct audit_page_request {
  service::audit_filter filter;
  std::string phrase;
  std::int64_t page = 1;
  std::int64_t per_page = kDefaultPerPage;
};

scim::result<audit_page_request> read_request(const call& c) {
  audit_page_request r;
  r.phrase = c.query("phrase").value_or("");
  if (auto ok = service::apply_phrase(r.phrase, r.filter); !ok) return scim::fail(ok.error());
  if (auto order = c.query("order"); order && !order->empty() && *order != "desc") {
    return scim::fail(scim::error{422, "", "Only order=desc (newest first) is supported"});
  }
  auto per_page = int_param(c, "per_page", kDefaultPerPage);
  if (!per_page) return scim::fail(per_page.error());
  auto page = int_param(c, "page", 1);
  if (!page) return scim::fail(page.error());
  r.per_page = std::clamp<std::int64_t>(*per_page, 1, kMaxPerPage);
  r.page = std::max<std::int64_t>(1, *page);
  return r;
}

// The entries, with a Link to the next page when this one is full.
answer page_answer(const call& c, std::string_view pattern, const audit_page_request& r, nlohmann::json entries) {
  const bool full = static_cast<std::int64_t>(entries.size()) == r.per_page;
  auto a = json_answer(200, entries);
  if (full) {
    std::string next =
        c.url(pattern) + "?per_page=" + std::to_string(r.per_page) + "&page=" + std::to_string(r.page + 1);
    if (!r.phrase.empty()) next += "&phrase=" + url_encode(r.phrase);
    a.headers.emplace_back("Link", "<" + next + ">; rel=\"next\"");
  }
  return a;
}

}  // namespace

net::awaitable<outcome> github_audit_log(call& c) {
  auto r = read_request(c);
  if (!r) co_return scim::fail(r.error());
  auto events = c.svc.audit.github_page(c.ctx.enterprise, r->filter, r->page, r->per_page);
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : events) entries.push_back(service::github_entry(e, c.ctx.enterprise));
  co_return page_answer(c, "/enterprises/{enterprise}/audit-log", *r, std::move(entries));
}

net::awaitable<outcome> github_org_audit_log(call& c) {
  auto r = read_request(c);
  if (!r) co_return scim::fail(r.error());
  const auto& org = *c.ctx.org;
  auto events = c.svc.audit.github_org_page(org, r->filter, r->page, r->per_page);
  std::optional<service::enterprise_ref> enterprise;
  if (org.enterprise_id) enterprise = c.ctx.enterprise;
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : events) entries.push_back(service::github_org_entry(e, org, enterprise));
  co_return page_answer(c, "/orgs/{org}/audit-log", *r, std::move(entries));
}

}  // namespace emuscim::http::handlers
