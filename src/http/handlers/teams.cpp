// GitHub's organization team routes (github-orgs-teams.md §2): /orgs/{org}/teams[/{team_slug}
// [/members|/memberships/{username}]].
#include "emuscim/http/pipeline.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/rest_paging.hpp"

namespace emuscim::http::handlers {

net::awaitable<outcome> teams_list(call& c) {
  auto page = page_params(c);
  if (!page) co_return scim::fail(page.error());
  co_return page_answer(c, c.svc.teams->teams(c.ctx, c.query("team_type").value_or("all"), *page), *page);
}

net::awaitable<outcome> teams_create(call& c) {
  auto r = co_await c.svc.teams->create_team(c.ctx, std::move(c.body));
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> teams_get(call& c) { co_return reply_answer(c.svc.teams->team(c.ctx, c.param("team_slug"))); }

net::awaitable<outcome> teams_update(call& c) {
  auto r = co_await c.svc.teams->update_team(c.ctx, c.param("team_slug"), std::move(c.body));
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> teams_delete(call& c) {
  auto r = co_await c.svc.teams->delete_team(c.ctx, c.param("team_slug"));
  co_return status_answer(std::move(r));
}

net::awaitable<outcome> team_members_list(call& c) {
  auto page = page_params(c);
  if (!page) co_return scim::fail(page.error());
  co_return page_answer(
      c, c.svc.teams->team_members(c.ctx, c.param("team_slug"), c.query("role").value_or("all"), *page), *page);
}

net::awaitable<outcome> team_membership_get(call& c) {
  co_return reply_answer(c.svc.teams->team_membership(c.ctx, c.param("team_slug"), c.param("username")));
}

net::awaitable<outcome> team_membership_put(call& c) {
  auto r = co_await c.svc.teams->set_team_membership(c.ctx, c.param("team_slug"), c.param("username"),
                                                     std::move(c.body));
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> team_membership_delete(call& c) {
  auto r = co_await c.svc.teams->remove_team_membership(c.ctx, c.param("team_slug"), c.param("username"));
  co_return status_answer(std::move(r));
}

}  // namespace emuscim::http::handlers
