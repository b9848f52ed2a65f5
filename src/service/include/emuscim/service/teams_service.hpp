#pragma once
// GitHub's organization, team, external-group and enterprise-team REST use cases
// (github-orgs-teams.md, openapi/ghec-orgs-teams.json; emuscim's choices in docs/BEHAVIOUR.md
// "Organizations and teams"). Every write is one write job that also reconciles what it changes
// (service/reconcile.hpp). Bodies come back rendered in GitHub's shapes; errors use the REST
// dialect (404 "Not Found", 422 "Validation Failed" with `errors`, 403 for linked teams).
// Thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/service/context.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::service {

// GitHub's REST paging: `page` (1-based) of `per_page` items.
struct page_request {
  std::int64_t page = 1;
  std::int64_t per_page = 30;
};
// One page of a list and the list's size (for Link's rel="last").
struct page_reply {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  std::int64_t total = 0;
};
// The external-groups list pages by cursor: `next` is the page token of the next page.
struct cursor_reply {
  nlohmann::ordered_json body;
  std::optional<std::int64_t> next;
};

class teams_service {
 public:
  explicit teams_service(store::database& db) : db_(db) {}

  // ---- organization members (ctx.org set; EMU or standalone organization) ----
  // role_filter: all|admin|member; filter: all|2fa_disabled|2fa_insecure (422 otherwise).
  scim::result<page_reply> org_members(const request_context& ctx, std::string_view role_filter,
                                       std::string_view filter, page_request page);
  scim::status org_member(const request_context& ctx, std::string_view username);  // 404 unless a member
  scim::result<reply> org_membership(const request_context& ctx, std::string_view username);

  // ---- teams ----
  scim::result<page_reply> teams(const request_context& ctx, std::string_view team_type, page_request page);
  boost::asio::awaitable<scim::result<reply>> create_team(const request_context& ctx, nlohmann::json body);
  scim::result<reply> team(const request_context& ctx, std::string_view slug);
  boost::asio::awaitable<scim::result<reply>> update_team(const request_context& ctx, std::string slug,
                                                          nlohmann::json body);
  boost::asio::awaitable<scim::status> delete_team(const request_context& ctx, std::string slug);
  scim::result<page_reply> team_members(const request_context& ctx, std::string_view slug,
                                        std::string_view role_filter, page_request page);
  scim::result<reply> team_membership(const request_context& ctx, std::string_view slug, std::string_view username);
  boost::asio::awaitable<scim::result<reply>> set_team_membership(const request_context& ctx, std::string slug,
                                                                  std::string username, nlohmann::json body);
  boost::asio::awaitable<scim::status> remove_team_membership(const request_context& ctx, std::string slug,
                                                              std::string username);

  // ---- external (IdP) groups; EMU organizations only ----
  // `page_token`: the group id the page starts at (GitHub's cursor); nullopt: the first page.
  scim::result<cursor_reply> external_groups(const request_context& ctx, std::string_view display_name,
                                             std::optional<std::int64_t> page_token, std::int64_t per_page);
  scim::result<page_reply> external_group(const request_context& ctx, std::int64_t group_id, page_request members);
  scim::result<reply> team_external_groups(const request_context& ctx, std::string_view slug);
  boost::asio::awaitable<scim::result<reply>> link_external_group(const request_context& ctx, std::string slug,
                                                                  nlohmann::json body);
  boost::asio::awaitable<scim::status> unlink_external_group(const request_context& ctx, std::string slug);

  // ---- enterprise teams (ctx.enterprise set) ----
  scim::result<page_reply> enterprise_teams(const request_context& ctx, page_request page);
  boost::asio::awaitable<scim::result<reply>> create_enterprise_team(const request_context& ctx, nlohmann::json body);
  scim::result<reply> enterprise_team(const request_context& ctx, std::string_view team);
  boost::asio::awaitable<scim::result<reply>> update_enterprise_team(const request_context& ctx, std::string team,
                                                                     nlohmann::json body);
  boost::asio::awaitable<scim::status> delete_enterprise_team(const request_context& ctx, std::string team);
  scim::result<page_reply> enterprise_team_members(const request_context& ctx, std::string_view team,
                                                   page_request page);
  // add: true for .../memberships/add, false for .../remove. The answer lists the users concerned.
  boost::asio::awaitable<scim::result<reply>> change_enterprise_team_members(const request_context& ctx,
                                                                             std::string team, nlohmann::json body,
                                                                             bool add);
  scim::result<reply> enterprise_team_member(const request_context& ctx, std::string_view team,
                                             std::string_view username);
  boost::asio::awaitable<scim::result<reply>> set_enterprise_team_member(const request_context& ctx, std::string team,
                                                                         std::string username, bool add);
  scim::result<page_reply> enterprise_team_orgs(const request_context& ctx, std::string_view team, page_request page);
  boost::asio::awaitable<scim::result<reply>> change_enterprise_team_orgs(const request_context& ctx, std::string team,
                                                                          nlohmann::json body, bool add);
  scim::result<reply> enterprise_team_org(const request_context& ctx, std::string_view team, std::string_view org);
  boost::asio::awaitable<scim::result<reply>> set_enterprise_team_org(const request_context& ctx, std::string team,
                                                                      std::string org, bool add);

 private:
  store::database& db_;
};

}  // namespace emuscim::service
