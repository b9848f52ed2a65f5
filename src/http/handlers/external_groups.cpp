// GitHub's external-group routes of an EMU organization (github-orgs-teams.md §2, §4, §6):
// /orgs/{org}/external-groups, /orgs/{org}/external-group/{group_id},
// /orgs/{org}/teams/{team_slug}/external-groups (GET, PATCH link, DELETE unlink).
#include "emuscim/http/pipeline.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/rest_paging.hpp"

namespace emuscim::http::handlers {

net::awaitable<outcome> external_groups_list(call& c) {
  auto page = page_params(c);
  if (!page) co_return scim::fail(page.error());
  // GitHub's own paging of this route: `page` is a cursor (the group id the page starts at).
  std::optional<std::int64_t> token;
  if (auto v = c.query("page"); v && !v->empty()) token = to_int64(*v);
  auto out = c.svc.teams->external_groups(c.ctx, c.query("display_name").value_or(""), token, page->per_page);
  if (!out) co_return scim::fail(out.error());
  auto a = json_answer(200, out->body);
  if (out->next) a.headers.emplace_back("Link", "<" + page_url(c, "page", *out->next) + ">; rel=\"next\"");
  co_return a;
}

net::awaitable<outcome> external_group_get(call& c) {
  auto page = page_params(c);
  if (!page) co_return scim::fail(page.error());
  const auto id = to_int64(c.param("group_id"));
  if (!id) co_return scim::fail(scim::not_found("Not Found"));
  co_return page_answer(c, c.svc.teams->external_group(c.ctx, *id, *page), *page);
}

net::awaitable<outcome> team_external_groups_get(call& c) {
  co_return reply_answer(c.svc.teams->team_external_groups(c.ctx, c.param("team_slug")));
}

net::awaitable<outcome> team_external_groups_link(call& c) {
  auto r = co_await c.svc.teams->link_external_group(c.ctx, c.param("team_slug"), std::move(c.body));
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> team_external_groups_unlink(call& c) {
  auto r = co_await c.svc.teams->unlink_external_group(c.ctx, c.param("team_slug"));
  co_return status_answer(std::move(r));
}

}  // namespace emuscim::http::handlers
