// GitHub's enterprise-team routes (github-orgs-teams.md §2, §6): /enterprises/{enterprise}/teams
// [/{team_slug}|/{enterprise-team}/memberships…|/{enterprise-team}/organizations…].
#include "emuscim/http/pipeline.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/rest_paging.hpp"

namespace emuscim::http::handlers {

namespace {
// The team a path names: {team_slug} on the team routes, {enterprise-team} below them.
const std::string& team(const call& c) {
  return c.params.has("team_slug") ? c.param("team_slug") : c.param("enterprise-team");
}
}  // namespace

net::awaitable<outcome> enterprise_teams_list(call& c) {
  auto page = page_params(c);
  if (!page) co_return scim::fail(page.error());
  co_return page_answer(c, c.svc.teams->enterprise_teams(c.ctx, *page), *page);
}

net::awaitable<outcome> enterprise_teams_create(call& c) {
  auto r = co_await c.svc.teams->create_enterprise_team(c.ctx, std::move(c.body));
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> enterprise_teams_get(call& c) {
  co_return reply_answer(c.svc.teams->enterprise_team(c.ctx, team(c)));
}

net::awaitable<outcome> enterprise_teams_update(call& c) {
  auto r = co_await c.svc.teams->update_enterprise_team(c.ctx, team(c), std::move(c.body));
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> enterprise_teams_delete(call& c) {
  auto r = co_await c.svc.teams->delete_enterprise_team(c.ctx, team(c));
  co_return status_answer(std::move(r));
}

net::awaitable<outcome> enterprise_team_members_list(call& c) {
  auto page = page_params(c);
  if (!page) co_return scim::fail(page.error());
  co_return page_answer(c, c.svc.teams->enterprise_team_members(c.ctx, team(c), *page), *page);
}

net::awaitable<outcome> enterprise_team_members_add(call& c) {
  auto r = co_await c.svc.teams->change_enterprise_team_members(c.ctx, team(c), std::move(c.body), true);
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> enterprise_team_members_remove(call& c) {
  auto r = co_await c.svc.teams->change_enterprise_team_members(c.ctx, team(c), std::move(c.body), false);
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> enterprise_team_member_get(call& c) {
  co_return reply_answer(c.svc.teams->enterprise_team_member(c.ctx, team(c), c.param("username")));
}

net::awaitable<outcome> enterprise_team_member_put(call& c) {
  auto r = co_await c.svc.teams->set_enterprise_team_member(c.ctx, team(c), c.param("username"), true);
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> enterprise_team_member_delete(call& c) {
  auto r = co_await c.svc.teams->set_enterprise_team_member(c.ctx, team(c), c.param("username"), false);
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> enterprise_team_orgs_list(call& c) {
  auto page = page_params(c);
  if (!page) co_return scim::fail(page.error());
  co_return page_answer(c, c.svc.teams->enterprise_team_orgs(c.ctx, team(c), *page), *page);
}

net::awaitable<outcome> enterprise_team_orgs_add(call& c) {
  auto r = co_await c.svc.teams->change_enterprise_team_orgs(c.ctx, team(c), std::move(c.body), true);
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> enterprise_team_orgs_remove(call& c) {
  auto r = co_await c.svc.teams->change_enterprise_team_orgs(c.ctx, team(c), std::move(c.body), false);
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> enterprise_team_org_get(call& c) {
  co_return reply_answer(c.svc.teams->enterprise_team_org(c.ctx, team(c), c.param("org")));
}

net::awaitable<outcome> enterprise_team_org_put(call& c) {
  auto r = co_await c.svc.teams->set_enterprise_team_org(c.ctx, team(c), c.param("org"), true);
  co_return reply_answer(std::move(r));
}

net::awaitable<outcome> enterprise_team_org_delete(call& c) {
  auto r = co_await c.svc.teams->set_enterprise_team_org(c.ctx, team(c), c.param("org"), false);
  co_return reply_answer(std::move(r));
}

}  // namespace emuscim::http::handlers
