#pragma once
// GitHub's REST shapes for users, organizations and teams (openapi/ghec-orgs-teams.json), in the
// member order of GitHub's examples, and the one derivation of node ids. Private to the service
// module. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emuscim/service/context.hpp"
#include "emuscim/store/orgs.hpp"
#include "emuscim/store/teams.hpp"

namespace emuscim::service::github {

using ojson = nlohmann::ordered_json;

// GitHub's legacy global node id: base64("0" + len(type) + ":" + type + id), e.g.
// node_id("User", 1) == "MDQ6VXNlcjE=", node_id("Organization", 1) == "MDEyOk9yZ2FuaXphdGlvbjE=".
std::string node_id(std::string_view type, std::int64_t id);

// The web host GitHub's html_url members point at.
inline constexpr std::string_view web_root = "https://github.com";

ojson simple_user(const request_context& ctx, const store::account_ref& u);
ojson organization_simple(const request_context& ctx, const store::org_row& org);
ojson team_organization(const request_context& ctx, const store::org_row& org);  // team-full's organization

// team-simple (a parent), team (lists) and team-full (one team).
ojson team_simple(const request_context& ctx, const store::team_row& t, const store::org_row& org);
ojson team(const request_context& ctx, const store::team_row& t, const store::org_row& org,
           const std::optional<store::team_row>& parent);
ojson team_full(const request_context& ctx, const store::team_row& t, const store::org_row& org,
                const std::optional<store::team_row>& parent);
std::string team_url(const request_context& ctx, const store::team_row& t);

// enterprise-team; group_id is the linked group's SCIM id.
ojson enterprise_team(const request_context& ctx, const store::enterprise_team_row& t,
                      const std::optional<std::string>& group_id);

}  // namespace emuscim::service::github
