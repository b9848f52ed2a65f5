// The enterprise SCIM family: /scim/v2/enterprises/{enterprise}/Users|Groups[/{id}].
#include <string>

#include "emuscim/base/text.hpp"
#include "emuscim/service/groups_service.hpp"
#include "emuscim/service/users_service.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/scim_answers.hpp"
#include "emuscim/http/pipeline.hpp"

namespace emuscim::http::handlers {

bool excludes_members(const call& c) {
  auto v = c.query("excludedAttributes");
  if (!v) return false;
  std::string_view s = *v;
  while (!s.empty()) {
    const auto comma = s.find(',');
    const auto item = base::trim(s.substr(0, comma));
    if (base::iequals(item, "members") || base::iequals(item, "urn:ietf:params:scim:schemas:core:2.0:Group:members")) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return false;
}

scim::result<service::list_query> scim_list_query(const call& c) {
  auto start = int_param(c, "startIndex", 1);
  if (!start) return scim::fail(start.error());
  auto count = int_param(c, "count", service::default_page_size);
  if (!count) return scim::fail(count.error());
  return service::list_query{c.query("filter"), *start, *count, excludes_members(c)};
}

outcome scim_answer(scim::result<service::reply> r) {
  if (!r) return scim::fail(r.error());
  if (r->status == 204) return no_content();
  auto a = r->serialized.empty()
               ? answer{static_cast<unsigned>(r->status), service::serialize(r->body), scim_content_type}
               : answer{static_cast<unsigned>(r->status), std::move(r->serialized), scim_content_type};
  if (!r->location.empty()) a.headers.emplace_back("Location", std::move(r->location));
  return a;
}

namespace {

// The SCIM root of this call's enterprise: meta.location and Location hang off it.
const service::request_context& scim_ctx(call& c) {
  c.ctx.scim_root = c.url("/scim/v2/enterprises/{enterprise}");
  return c.ctx;
}

service::users_service& users(call& c) { return c.svc.users; }
service::groups_service& groups(call& c) { return c.svc.groups; }

}  // namespace

net::awaitable<outcome> users_list(call& c) {
  auto q = scim_list_query(c);
  if (!q) co_return scim::fail(q.error());
  co_return scim_answer(users(c).list(scim_ctx(c), *q));
}

net::awaitable<outcome> users_get(call& c) { co_return scim_answer(users(c).get(scim_ctx(c), c.param("scim_user_id"))); }

net::awaitable<outcome> users_create(call& c) {
  auto r = co_await users(c).create(scim_ctx(c), c.body);
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> users_replace(call& c) {
  auto r = co_await users(c).replace(scim_ctx(c), c.param("scim_user_id"), c.body);
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> users_patch(call& c) {
  auto r = co_await users(c).patch(scim_ctx(c), c.param("scim_user_id"), c.body);
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> users_delete(call& c) {
  auto r = co_await users(c).remove(scim_ctx(c), c.param("scim_user_id"));
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> groups_list(call& c) {
  auto q = scim_list_query(c);
  if (!q) co_return scim::fail(q.error());
  co_return scim_answer(groups(c).list(scim_ctx(c), *q));
}

net::awaitable<outcome> groups_get(call& c) {
  co_return scim_answer(groups(c).get(scim_ctx(c), c.param("scim_group_id"), excludes_members(c)));
}

net::awaitable<outcome> groups_create(call& c) {
  auto r = co_await groups(c).create(scim_ctx(c), c.body, excludes_members(c));
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> groups_replace(call& c) {
  auto r = co_await groups(c).replace(scim_ctx(c), c.param("scim_group_id"), c.body, excludes_members(c));
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> groups_patch(call& c) {
  auto r = co_await groups(c).patch(scim_ctx(c), c.param("scim_group_id"), c.body, excludes_members(c));
  co_return scim_answer(std::move(r));
}

net::awaitable<outcome> groups_delete(call& c) {
  auto r = co_await groups(c).remove(scim_ctx(c), c.param("scim_group_id"));
  co_return scim_answer(std::move(r));
}

}  // namespace emuscim::http::handlers
