// The admin API's organization family (docs/ADMIN_API.md): an enterprise's organizations, and
// standalone organizations (SAML SSO, org-level SCIM) with their tokens, SCIM identities, the
// acceptance of their invitations, and their audit log.
#include "emuscim/http/pipeline.hpp"
#include "emuscim/service/admin_service.hpp"
#include "emuscim/service/org_identity_service.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/handlers/handlers.hpp"

namespace emuscim::http::handlers {

namespace {

using nlohmann::json;

json org_json(const service::org_info& o) {
  return {{"id", o.id},
          {"login", o.login},
          {"enterprise", o.enterprise ? json(*o.enterprise) : json(nullptr)},
          {"sso", o.sso},
          {"created", o.created},
          {"member_count", o.member_count}};
}

json orgs_json(const std::vector<service::org_info>& orgs) {
  json list = json::array();
  for (const auto& o : orgs) list.push_back(org_json(o));
  return json{{"orgs", std::move(list)}};
}

std::string login_of(const json& body) {
  const auto it = body.find("login");
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

outcome created_or_found(const scim::result<std::pair<service::org_info, bool>>& out, std::string location) {
  if (!out) return scim::fail(out.error());
  auto a = json_answer(out->second ? 201 : 200, org_json(out->first));
  if (out->second) a.headers.emplace_back("Location", std::move(location));
  return a;
}

}  // namespace

net::awaitable<outcome> admin_list_enterprise_orgs(call& c) {
  auto orgs = c.svc.admin.enterprise_orgs(c.param("enterprise"));
  if (!orgs) co_return scim::fail(orgs.error());
  co_return json_answer(200, orgs_json(*orgs));
}

net::awaitable<outcome> admin_create_enterprise_org(call& c) {
  if (auto ok = only_keys(c.body, {"login"}); !ok) co_return scim::fail(ok.error());
  auto login = login_of(c.body);
  auto out = co_await c.svc.admin.ensure_org(c.param("enterprise"), login);
  co_return created_or_found(out, "/_emuscim/enterprises/" + c.param("enterprise") + "/orgs/" + login);
}

net::awaitable<outcome> admin_delete_enterprise_org(call& c) {
  auto done = co_await c.svc.admin.delete_org(c.param("enterprise"), c.param("org"));
  if (!done) co_return scim::fail(done.error());
  co_return no_content();
}

net::awaitable<outcome> admin_list_orgs(call& c) { co_return json_answer(200, orgs_json(c.svc.admin.orgs())); }

net::awaitable<outcome> admin_create_org(call& c) {
  if (auto ok = only_keys(c.body, {"login", "sso"}); !ok) co_return scim::fail(ok.error());
  const auto sso = c.body.find("sso");
  if (sso == c.body.end() || !sso->is_boolean() || !sso->get<bool>()) {
    co_return scim::fail(scim::invalid_value(
        "A standalone organization uses SAML single sign-on: send \"sso\": true (an enterprise's organizations are "
        "created under /_emuscim/enterprises/{enterprise}/orgs)"));
  }
  auto login = login_of(c.body);
  auto out = co_await c.svc.admin.ensure_org(std::nullopt, login);
  co_return created_or_found(out, "/_emuscim/orgs/" + login);
}

net::awaitable<outcome> admin_get_org(call& c) {
  auto org = c.svc.admin.org(c.param("org"));
  if (!org) co_return scim::fail(org.error());
  co_return json_answer(200, org_json(*org));
}

net::awaitable<outcome> admin_delete_org(call& c) {
  auto done = co_await c.svc.admin.delete_org(std::nullopt, c.param("org"));
  if (!done) co_return scim::fail(done.error());
  co_return no_content();
}

net::awaitable<outcome> admin_list_org_tokens(call& c) {
  auto tokens = c.svc.admin.org_tokens(c.param("org"));
  if (!tokens) co_return scim::fail(tokens.error());
  co_return json_answer(200, tokens_json(*tokens));
}

net::awaitable<outcome> admin_create_org_token(call& c) {
  auto request = token_request(c.body);
  if (!request) co_return scim::fail(request.error());
  auto out = co_await c.svc.admin.create_org_token(c.param("org"), std::move(request->scopes),
                                                   std::move(request->label));
  if (!out) co_return scim::fail(out.error());
  co_return json_answer(201, new_token_json(*out));
}

net::awaitable<outcome> admin_revoke_org_token(call& c) {
  auto id = token_id(c);
  if (!id) co_return scim::fail(id.error());
  auto done = co_await c.svc.admin.revoke_org_token(c.param("org"), *id);
  if (!done) co_return scim::fail(done.error());
  co_return no_content();
}

net::awaitable<outcome> admin_org_identities(call& c) {
  auto list = c.svc.org_identities.identities(c.param("org"));
  if (!list) co_return scim::fail(list.error());
  json items = json::array();
  for (const auto& v : *list) {
    items.push_back({{"id", v.id},
                     {"userName", v.user_name},
                     {"externalId", v.external_id ? json(*v.external_id) : json(nullptr)},
                     {"email", v.email},
                     {"state", v.state},
                     {"login", v.login ? json(*v.login) : json(nullptr)},
                     {"invitation_id", v.invitation_id ? json(*v.invitation_id) : json(nullptr)},
                     {"created", v.created},
                     {"modified", v.modified}});
  }
  co_return json_answer(200, json{{"identities", std::move(items)}});
}

net::awaitable<outcome> admin_accept_invitation(call& c) {
  if (auto ok = only_keys(c.body, {"login"}); !ok) co_return scim::fail(ok.error());
  std::optional<std::string> login;
  if (auto it = c.body.find("login"); it != c.body.end() && !it->is_null()) {
    if (!it->is_string()) co_return scim::fail(scim::invalid_value("'login' must be a string"));
    login = it->get<std::string>();
  }
  const auto id = to_int64(c.param("invitation_id"));
  if (!id || *id <= 0) co_return scim::fail(scim::not_found("Invitation " + c.param("invitation_id") + " not found"));
  auto out = co_await c.svc.org_identities.accept(c.ctx, c.param("org"), {*id, std::nullopt}, std::move(login));
  if (!out) co_return scim::fail(out.error());
  co_return json_answer(200, json{{"invitation_id", out->invitation.id},
                                  {"login", out->account.login},
                                  {"user_id", out->account.id},
                                  {"account_created", out->account_created},
                                  {"member", true},
                                  {"new_member", out->new_member},
                                  {"scim_user_id", out->scim_user_id ? json(*out->scim_user_id) : json(nullptr)}});
}

net::awaitable<outcome> admin_org_audit_log(call& c) {
  auto f = audit_request(c);
  if (!f) co_return scim::fail(f.error());
  auto events = c.svc.admin.org_audit(c.param("org"), *f);
  if (!events) co_return scim::fail(events.error());
  co_return json_answer(200, audit_events_json(*events, *f));
}

}  // namespace emuscim::http::handlers
