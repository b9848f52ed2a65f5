// GitHub's organization-member routes (github-orgs-teams.md §2): GET /orgs/{org}/members,
// /orgs/{org}/members/{username}, /orgs/{org}/memberships/{username}. EMU and standalone
// organizations alike.
#include "emuscim/http/pipeline.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/rest_paging.hpp"

namespace emuscim::http::handlers {

net::awaitable<outcome> org_members_list(call& c) {
  auto page = page_params(c);
  if (!page) co_return scim::fail(page.error());
  co_return page_answer(c,
                        c.svc.teams->org_members(c.ctx, c.query("role").value_or("all"),
                                                 c.query("filter").value_or("all"), *page),
                        *page);
}

net::awaitable<outcome> org_member_check(call& c) {
  co_return status_answer(c.svc.teams->org_member(c.ctx, c.param("username")));
}

net::awaitable<outcome> org_membership_get(call& c) {
  co_return reply_answer(c.svc.teams->org_membership(c.ctx, c.param("username")));
}

}  // namespace emuscim::http::handlers
