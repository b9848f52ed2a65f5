#include "http/handlers/rest_objects.hpp"

#include "emuscim/base/node_id.hpp"

namespace emuscim::http::handlers {

nlohmann::ordered_json simple_user(const service::github_account& a, std::string_view base_url) {
  const std::string api = std::string(base_url) + "/users/" + a.login;
  nlohmann::ordered_json u;
  u["login"] = a.login;
  u["id"] = a.id;
  u["node_id"] = base::legacy_node_id("User", a.id);
  u["avatar_url"] = "https://avatars.githubusercontent.com/u/" + std::to_string(a.id) + "?v=4";
  u["gravatar_id"] = "";
  u["url"] = api;
  u["html_url"] = "https://github.com/" + a.login;
  u["followers_url"] = api + "/followers";
  u["following_url"] = api + "/following{/other_user}";
  u["gists_url"] = api + "/gists{/gist_id}";
  u["starred_url"] = api + "/starred{/owner}{/repo}";
  u["subscriptions_url"] = api + "/subscriptions";
  u["organizations_url"] = api + "/orgs";
  u["repos_url"] = api + "/repos";
  u["events_url"] = api + "/events{/privacy}";
  u["received_events_url"] = api + "/received_events";
  u["type"] = "User";
  u["site_admin"] = false;
  return u;
}

nlohmann::ordered_json organization_invitation(const service::invitation_info& inv, const service::org_ref& org,
                                               std::string_view base_url) {
  nlohmann::ordered_json o;
  o["id"] = inv.id;
  o["login"] = inv.login ? nlohmann::ordered_json(*inv.login) : nlohmann::ordered_json(nullptr);
  o["node_id"] = base::legacy_node_id("OrganizationInvitation", inv.id);
  o["email"] = inv.email ? nlohmann::ordered_json(*inv.email) : nlohmann::ordered_json(nullptr);
  o["role"] = inv.role;
  o["created_at"] = inv.created;
  o["failed_at"] = nullptr;
  o["failed_reason"] = nullptr;
  o["inviter"] = simple_user(service::org_owner(org), base_url);
  o["team_count"] = 0;
  o["invitation_teams_url"] = std::string(base_url) + "/organizations/" + std::to_string(org.id) + "/invitations/" +
                              std::to_string(inv.id) + "/teams";
  o["invitation_source"] = inv.source;
  return o;
}

}  // namespace emuscim::http::handlers
