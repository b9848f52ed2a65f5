#include "http/handlers/rest_objects.hpp"

namespace emuscim::http::handlers {

namespace {

std::string base64(std::string_view in) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (const auto rest = in.size() - i; rest > 0) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) |
                   (rest == 2 ? static_cast<unsigned char>(in[i + 1]) << 8 : 0);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

std::string legacy_node_id(std::string_view type, std::int64_t id) {
  return base64("0" + std::to_string(type.size()) + ":" + std::string(type) + std::to_string(id));
}

nlohmann::ordered_json simple_user(const service::github_account& a, std::string_view base_url) {
  const std::string api = std::string(base_url) + "/users/" + a.login;
  nlohmann::ordered_json u;
  u["login"] = a.login;
  u["id"] = a.id;
  u["node_id"] = legacy_node_id("User", a.id);
  u["avatar_url"] = std::string(base_url) + "/avatars/u/" + std::to_string(a.id);
  u["gravatar_id"] = "";
  u["url"] = api;
  u["html_url"] = std::string(base_url) + "/" + a.login;
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
  o["node_id"] = legacy_node_id("OrganizationInvitation", inv.id);
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
