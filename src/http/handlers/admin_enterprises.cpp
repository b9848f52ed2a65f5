// The admin API's enterprise family (docs/ADMIN_API.md): enterprises, tokens, reset, users, audit.
#include <algorithm>

#include "emuscim/http/pipeline.hpp"
#include "emuscim/service/admin_service.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/handlers/handlers.hpp"

namespace emuscim::http::handlers {

namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultUsersPage = 100;
constexpr std::int64_t kMaxUsersPage = 1000;
constexpr std::int64_t kGroupMembersShown = 25;  // the dashboard shows the first 25

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json enterprise_json(const service::enterprise_info& e) {
  return {{"slug", e.slug},
          {"short_code", e.short_code},
          {"created", e.created},
          {"user_count", e.user_count},
          {"group_count", e.group_count}};
}

// {"org", "slug"}; an enterprise team has "org": null.
json teams_json(const std::vector<service::managed_user::team_ref>& teams) {
  json out = json::array();
  for (const auto& t : teams) out.push_back({{"org", t.org.empty() ? json(nullptr) : json(t.org)}, {"slug", t.slug}});
  return out;
}

json user_json(const service::managed_user& u) {
  return {{"id", u.id},
          {"userName", u.user_name},
          {"externalId", opt(u.external_id)},
          {"displayName", opt(u.display_name)},
          {"login", u.login},
          {"original_login", u.original_login},
          {"suspended", !u.active},
          {"active", u.active},
          {"role", opt(u.role)},
          {"email", opt(u.email)},
          {"group_ids", u.group_ids},
          {"orgs", u.orgs},
          {"teams", teams_json(u.teams)},
          {"created", u.created},
          {"modified", u.modified}};
}

json group_json(const service::managed_group& g) {
  json members = json::array();
  for (const auto& m : g.members) members.push_back({{"id", m.id}, {"userName", m.user_name}, {"login", m.login}});
  return {{"id", g.id},
          {"displayName", g.display_name},
          {"externalId", opt(g.external_id)},
          {"member_count", g.member_count},
          {"members", std::move(members)},
          {"teams", teams_json(g.teams)},
          {"created", g.created},
          {"modified", g.modified}};
}

service::admin_service& admin(call& c) { return c.svc.admin; }
const std::string& slug(const call& c) { return c.param("enterprise"); }

}  // namespace

net::awaitable<outcome> admin_list_enterprises(call& c) {
  json list = json::array();
  for (const auto& e : admin(c).enterprises()) list.push_back(enterprise_json(e));
  co_return json_answer(200, json{{"enterprises", std::move(list)}});
}

net::awaitable<outcome> admin_create_enterprise(call& c) {
  if (auto ok = only_keys(c.body, {"slug", "short_code"}); !ok) co_return scim::fail(ok.error());
  const auto slug_it = c.body.find("slug");
  const auto code_it = c.body.find("short_code");
  std::string slug_v = slug_it != c.body.end() && slug_it->is_string() ? slug_it->get<std::string>() : "";
  std::string code_v = code_it != c.body.end() && code_it->is_string() ? code_it->get<std::string>() : "";
  auto out = co_await admin(c).ensure_enterprise(std::move(slug_v), std::move(code_v));
  if (!out) co_return scim::fail(out.error());
  auto a = json_answer(out->second ? 201 : 200, enterprise_json(out->first));
  if (out->second) a.headers.emplace_back("Location", "/_emuscim/enterprises/" + out->first.slug);
  co_return a;
}

net::awaitable<outcome> admin_get_enterprise(call& c) {
  auto e = admin(c).enterprise(slug(c));
  if (!e) co_return scim::fail(e.error());
  co_return json_answer(200, enterprise_json(*e));
}

net::awaitable<outcome> admin_delete_enterprise(call& c) {
  auto done = co_await admin(c).delete_enterprise(slug(c));
  if (!done) co_return scim::fail(done.error());
  c.svc.faults.clear(slug(c));
  co_return no_content();
}

net::awaitable<outcome> admin_reset(call& c) {
  auto done = co_await admin(c).reset(slug(c));
  if (!done) co_return scim::fail(done.error());
  co_return no_content();
}

net::awaitable<outcome> admin_list_tokens(call& c) {
  auto tokens = admin(c).tokens(slug(c));
  if (!tokens) co_return scim::fail(tokens.error());
  co_return json_answer(200, tokens_json(*tokens));
}

net::awaitable<outcome> admin_create_token(call& c) {
  auto request = token_request(c.body);
  if (!request) co_return scim::fail(request.error());
  auto out = co_await admin(c).create_token(slug(c), std::move(request->scopes), std::move(request->label));
  if (!out) co_return scim::fail(out.error());
  co_return json_answer(201, new_token_json(*out));
}

net::awaitable<outcome> admin_revoke_token(call& c) {
  auto id = token_id(c);
  if (!id) co_return scim::fail(id.error());
  auto done = co_await admin(c).revoke_token(slug(c), *id);
  if (!done) co_return scim::fail(done.error());
  co_return no_content();
}

namespace {

// The admin lists' window: startIndex (1-based, at least 1) and count (0 to kMaxUsersPage).
struct list_window {
  std::int64_t first = 1;
  std::int64_t count = 0;
};

scim::result<list_window> window_of(const call& c) {
  auto start = int_param(c, "startIndex", 1);
  if (!start) return scim::fail(start.error());
  auto count = int_param(c, "count", kDefaultUsersPage);
  if (!count) return scim::fail(count.error());
  return list_window{std::max<std::int64_t>(1, *start), std::clamp<std::int64_t>(*count, 0, kMaxUsersPage)};
}

answer list_answer(std::int64_t total, const list_window& w, const char* key, json items) {
  const auto returned = items.size();
  return json_answer(200, json{{"totalResults", total},
                               {"startIndex", w.first},
                               {"itemsPerPage", returned},
                               {key, std::move(items)}});
}

}  // namespace

net::awaitable<outcome> admin_list_users(call& c) {
  auto w = window_of(c);
  if (!w) co_return scim::fail(w.error());
  auto page = admin(c).users(slug(c), w->first - 1, w->count);
  if (!page) co_return scim::fail(page.error());
  json users = json::array();
  for (const auto& u : page->users) users.push_back(user_json(u));
  co_return list_answer(page->total, *w, "users", std::move(users));
}

net::awaitable<outcome> admin_list_groups(call& c) {
  auto w = window_of(c);
  if (!w) co_return scim::fail(w.error());
  auto page = admin(c).groups(slug(c), w->first - 1, w->count, kGroupMembersShown);
  if (!page) co_return scim::fail(page.error());
  json groups = json::array();
  for (const auto& g : page->groups) groups.push_back(group_json(g));
  co_return list_answer(page->total, *w, "groups", std::move(groups));
}

net::awaitable<outcome> admin_audit_log(call& c) {
  auto f = audit_request(c);
  if (!f) co_return scim::fail(f.error());
  auto events = admin(c).audit(slug(c), *f);
  if (!events) co_return scim::fail(events.error());
  co_return json_answer(200, audit_events_json(*events, *f));
}

}  // namespace emuscim::http::handlers
