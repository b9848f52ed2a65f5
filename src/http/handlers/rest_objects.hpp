#pragma once
// GitHub's REST objects as the REST handler families render them (openapi/ghec-orgs-teams.json
// components): `simple-user`, `organization-invitation`. Private to http. Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emuscim/service/org_identity_service.hpp"

namespace emuscim::http::handlers {

// `simple-user` of a personal account, as service/github_json.cpp renders a managed user: API URLs hang
// off `base_url` (the API root), html_url and avatar_url point at github.com.
nlohmann::ordered_json simple_user(const service::github_account& account, std::string_view base_url);

// `organization-invitation`, in the member order of GitHub's example.
nlohmann::ordered_json organization_invitation(const service::invitation_info& inv, const service::org_ref& org,
                                               std::string_view base_url);

}  // namespace emuscim::http::handlers
