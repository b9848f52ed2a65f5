#include "service/github_json.hpp"

#include "emuscim/base/node_id.hpp"

namespace emuscim::service::github {

namespace {

std::string api(const request_context& ctx, std::string_view path) { return ctx.base_url + std::string(path); }

ojson permissions(std::string_view permission) {
  const bool push = permission == "push" || permission == "maintain" || permission == "admin";
  const bool admin = permission == "admin";
  return {{"pull", true},
          {"triage", push || permission == "triage"},
          {"push", push},
          {"maintain", admin || permission == "maintain"},
          {"admin", admin}};
}

ojson opt(const std::optional<std::string>& v) { return v ? ojson(*v) : ojson(nullptr); }

}  // namespace

std::string node_id(std::string_view type, std::int64_t id) { return base::legacy_node_id(type, id); }

ojson simple_user(const request_context& ctx, const store::account_ref& u) {
  const std::string url = api(ctx, "/users/" + u.login);
  return {{"login", u.login},
          {"id", u.id},
          {"node_id", node_id("User", u.id)},
          {"avatar_url", "https://avatars.githubusercontent.com/u/" + std::to_string(u.id) + "?v=4"},
          {"gravatar_id", ""},
          {"url", url},
          {"html_url", std::string(web_root) + "/" + u.login},
          {"followers_url", url + "/followers"},
          {"following_url", url + "/following{/other_user}"},
          {"gists_url", url + "/gists{/gist_id}"},
          {"starred_url", url + "/starred{/owner}{/repo}"},
          {"subscriptions_url", url + "/subscriptions"},
          {"organizations_url", url + "/orgs"},
          {"repos_url", url + "/repos"},
          {"events_url", url + "/events{/privacy}"},
          {"received_events_url", url + "/received_events"},
          {"type", "User"},
          {"site_admin", false},
          {"user_view_type", "public"}};
}

ojson organization_simple(const request_context& ctx, const store::org_row& org) {
  const std::string url = api(ctx, "/orgs/" + org.login);
  return {{"login", org.login},
          {"id", org.id},
          {"node_id", node_id("Organization", org.id)},
          {"url", url},
          {"repos_url", url + "/repos"},
          {"events_url", url + "/events"},
          {"hooks_url", url + "/hooks"},
          {"issues_url", url + "/issues"},
          {"members_url", url + "/members{/member}"},
          {"public_members_url", url + "/public_members{/member}"},
          {"avatar_url", "https://avatars.githubusercontent.com/u/" + std::to_string(org.id) + "?v=4"},
          {"description", nullptr}};
}

ojson team_organization(const request_context& ctx, const store::org_row& org) {
  ojson o = organization_simple(ctx, org);
  o["name"] = org.login;
  o["html_url"] = std::string(web_root) + "/" + org.login;
  o["has_organization_projects"] = true;
  o["has_repository_projects"] = true;
  o["public_repos"] = 0;
  o["public_gists"] = 0;
  o["followers"] = 0;
  o["following"] = 0;
  o["type"] = "Organization";
  o["created_at"] = org.created;
  o["updated_at"] = org.created;
  o["archived_at"] = nullptr;
  return o;
}

std::string team_url(const request_context& ctx, const store::team_row& t) {
  return api(ctx, "/organizations/" + std::to_string(t.org_id) + "/team/" + std::to_string(t.id));
}

ojson team_simple(const request_context& ctx, const store::team_row& t, const store::org_row& org) {
  const std::string url = team_url(ctx, t);
  return {{"id", t.id},
          {"node_id", node_id("Team", t.id)},
          {"url", url},
          {"members_url", url + "/members{/member}"},
          {"name", t.name},
          {"description", opt(t.description)},
          {"permission", t.permission},
          {"privacy", t.privacy},
          {"notification_setting", t.notification_setting},
          {"html_url", std::string(web_root) + "/orgs/" + org.login + "/teams/" + t.slug},
          {"repositories_url", url + "/repos"},
          {"slug", t.slug},
          {"type", "organization"},
          {"organization_id", org.id}};
}

ojson team(const request_context& ctx, const store::team_row& t, const store::org_row& org,
           const std::optional<store::team_row>& parent) {
  const std::string url = team_url(ctx, t);
  ojson out = {{"id", t.id},
               {"node_id", node_id("Team", t.id)},
               {"url", url},
               {"html_url", std::string(web_root) + "/orgs/" + org.login + "/teams/" + t.slug},
               {"name", t.name},
               {"slug", t.slug},
               {"description", opt(t.description)},
               {"privacy", t.privacy},
               {"notification_setting", t.notification_setting},
               {"permission", t.permission},
               {"permissions", permissions(t.permission)},
               {"members_url", url + "/members{/member}"},
               {"repositories_url", url + "/repos"},
               {"type", "organization"},
               {"organization_id", org.id}};
  if (org.enterprise_id) out["enterprise_id"] = *org.enterprise_id;
  out["parent"] = parent ? team_simple(ctx, *parent, org) : ojson(nullptr);
  return out;
}

ojson team_full(const request_context& ctx, const store::team_row& t, const store::org_row& org,
                const std::optional<store::team_row>& parent) {
  ojson out = team(ctx, t, org, parent);
  out.erase("permissions");
  out["members_count"] = t.member_count;
  out["repos_count"] = 0;
  out["created_at"] = t.created;
  out["updated_at"] = t.modified;
  out["organization"] = team_organization(ctx, org);
  return out;
}

ojson enterprise_team(const request_context& ctx, const store::enterprise_team_row& t,
                      const std::optional<std::string>& group_id) {
  const std::string url = api(ctx, "/enterprises/" + ctx.enterprise.slug + "/teams/" + t.slug);
  return {{"id", t.id},
          {"name", t.name},
          {"description", t.description ? ojson(*t.description) : ojson("")},
          {"slug", t.slug},
          {"url", url},
          {"group_id", opt(group_id)},
          {"organization_selection_type", t.organization_selection_type},
          {"notification_setting", t.notification_setting},
          {"html_url", std::string(web_root) + "/enterprises/" + ctx.enterprise.slug + "/teams/" + t.slug},
          {"members_url", url + "/members{/member}"},
          {"created_at", t.created},
          {"updated_at", t.modified}};
}

}  // namespace emuscim::service::github
