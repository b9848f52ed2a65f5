// The org-level SCIM family: /scim/v2/organizations/{org}/Users[/{scim_user_id}]
// (github-orgs-teams.md §8; docs/BEHAVIOUR.md "Org-level SCIM"). The same users engine as the
// enterprise family, with the organization's rules (service::user_rules::org); GETs answer
// GitHub's conditional requests (ETag, If-None-Match -> 304).
#include "emuscim/http/pipeline.hpp"
#include "emuscim/service/users_service.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/scim_answers.hpp"

namespace emuscim::http::handlers {

namespace {

// The SCIM root of this call's organization: meta.location and Location hang off it.
const service::request_context& org_scim_ctx(call& c) {
  c.ctx.scim_root = c.url("/scim/v2/organizations/{org}");
  return c.ctx;
}

service::users_service& identities(call& c) { return c.svc.org_users; }

outcome conditional_answer(const call& c, scim::result<service::reply> r) {
  auto a = scim_answer(std::move(r));
  if (!a) return a;
  return conditional(c, std::move(*a));
}

}  // namespace

net::awaitable<outcome> org_users_list(call& c) {
  auto q = scim_list_query(c);
  if (!q) co_return scim::fail(q.error());
  co_return conditional_answer(c, identities(c).list(org_scim_ctx(c), *q));
}

net::awaitable<outcome> org_users_get(call& c) {
  co_return conditional_answer(c, identities(c).get(org_scim_ctx(c), c.param("scim_user_id")));
}

net::awaitable<outcome> org_users_create(call& c) {
  auto r = co_await identities(c).create(org_scim_ctx(c), c.body);
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> org_users_replace(call& c) {
  auto r = co_await identities(c).replace(org_scim_ctx(c), c.param("scim_user_id"), c.body);
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> org_users_patch(call& c) {
  auto r = co_await identities(c).patch(org_scim_ctx(c), c.param("scim_user_id"), c.body);
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> org_users_delete(call& c) {
  auto r = co_await identities(c).remove(org_scim_ctx(c), c.param("scim_user_id"));
  co_return scim_answer(std::move(r));
}

}  // namespace emuscim::http::handlers
