#pragma once
// GitHub's REST objects as the REST handler families render them (openapi/ghec-orgs-teams.json
// components): node ids, `simple-user`, `organization-invitation`. Private to http. Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emuscim/service/org_identity_service.hpp"

namespace emuscim::http::handlers {

// GitHub's legacy global node id: base64("0" + len(type) + ":" + type + id), e.g.
// legacy_node_id("User", 1) == "MDQ6VXNlcjE=", legacy_node_id("OrganizationInvitation", 1) ==
// "MDIyOk9yZ2FuaXphdGlvbkludml0YXRpb24x" (the examples of GitHub's description). The one
// derivation of every node_id emuscim renders.
std::string legacy_node_id(std::string_view type, std::int64_t id);

// `simple-user` of a personal account; URLs hang off `base_url` (the API root) like api.github.com's,
// html_url off the same host.
nlohmann::ordered_json simple_user(const service::github_account& account, std::string_view base_url);

// `organization-invitation`, in the member order of GitHub's example.
nlohmann::ordered_json organization_invitation(const service::invitation_info& inv, const service::org_ref& org,
                                               std::string_view base_url);

}  // namespace emuscim::http::handlers
