// Organization members: GET /orgs/{org}/members[/{username}], GET /orgs/{org}/memberships/{username}.
// One rendering for both kinds of organization: managed users (EMU) and personal accounts (standalone).
#include "emuscim/service/teams_service.hpp"
#include "emuscim/store/database.hpp"
#include "service/github_json.hpp"
#include "service/teams_common.hpp"

namespace emuscim::service {

namespace {
constexpr std::int64_t kIndirectSlugs = 100;  // GitHub lists at most 100 enterprise teams
}

scim::result<page_reply> teams_service::org_members(const request_context& ctx, std::string_view role_filter,
                                                    std::string_view filter, page_request page) {
  if (role_filter != "all" && role_filter != "admin" && role_filter != "member") {
    return scim::fail(rest::validation("Organization", "role", "invalid", "role must be one of all, admin, member"));
  }
  if (filter != "all" && filter != "2fa_disabled" && filter != "2fa_insecure") {
    return scim::fail(
        rest::validation("Organization", "filter", "invalid", "filter must be one of all, 2fa_disabled, 2fa_insecure"));
  }
  return db_.read([&](store::connection& c) -> scim::result<page_reply> {
    store::transaction tx(c);
    page_reply out;
    // Managed users sign in through the IdP; personal accounts' 2FA is not modelled: nobody lacks 2FA.
    if (filter != "all") return out;
    out.total = store::count_memberships(c, ctx.org->id, role_filter);
    for (const auto& m :
         store::list_memberships(c, ctx.org->id, role_filter, (page.page - 1) * page.per_page, page.per_page)) {
      if (auto u = rest::user_by_id(c, m.user_id)) out.items.push_back(github::simple_user(ctx, *u));
    }
    tx.commit();
    return out;
  });
}

scim::status teams_service::org_member(const request_context& ctx, std::string_view username) {
  const bool member = db_.read([&](store::connection& c) {
    auto u = rest::user_by_login(c, ctx, username);
    return u && store::find_membership(c, ctx.org->id, u->id).has_value();
  });
  if (!member) return scim::fail(rest::not_found());
  return {};
}

scim::result<reply> teams_service::org_membership(const request_context& ctx, std::string_view username) {
  return db_.read([&](store::connection& c) -> scim::result<reply> {
    store::transaction tx(c);
    auto u = rest::user_by_login(c, ctx, username);
    if (!u) return scim::fail(rest::not_found());
    auto m = store::find_membership(c, ctx.org->id, u->id);
    if (!m) return scim::fail(rest::not_found());
    const auto org = rest::org_of(c, ctx);
    const std::string org_url = ctx.base_url + "/orgs/" + org.login;
    nlohmann::ordered_json body = {
        {"url", org_url + "/memberships/" + u->login},
        {"state", "active"},
        {"role", m->role},
        {"organization_url", org_url},
        {"direct_membership", m->direct || m->team_count > 0},
        {"enterprise_teams_providing_indirect_membership",
         store::enterprise_team_slugs_for(c, org.id, u->id, kIndirectSlugs)},
        {"organization", github::organization_simple(ctx, org)},
        {"user", github::simple_user(ctx, *u)},
        {"permissions", {{"can_create_repository", true}}}};
    tx.commit();
    return reply{200, std::move(body), {}};
  });
}

}  // namespace emuscim::service
