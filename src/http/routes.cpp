// The route table: every route emuscim serves, one row each (docs/ARCHITECTURE.md "Routes").
// Patterns use GitHub's parameter names from the OpenAPI descriptions.
#include "emuscim/http/routes.hpp"

#include <array>

#include "http/handlers/handlers.hpp"

namespace emuscim::http {

namespace {

namespace h = handlers;
using namespace methods;

// GitHub's accepted scopes (X-Accepted-OAuth-Scopes), any of.
constexpr std::array<std::string_view, 2> kScimScopes = {"scim:enterprise", "admin:enterprise"};
constexpr std::array<std::string_view, 2> kAuditScopes = {"read:audit_log", "admin:enterprise"};
constexpr std::array<std::string_view, 1> kOrgAdminScopes = {"admin:org"};
constexpr std::array<std::string_view, 3> kOrgReadScopes = {"admin:org", "write:org", "read:org"};
constexpr std::array<std::string_view, 1> kOrgAuditScopes = {"read:audit_log"};

constexpr std::string_view kUsers = "/scim/v2/enterprises/{enterprise}/Users";
constexpr std::string_view kUser = "/scim/v2/enterprises/{enterprise}/Users/{scim_user_id}";
constexpr std::string_view kGroups = "/scim/v2/enterprises/{enterprise}/Groups";
constexpr std::string_view kGroup = "/scim/v2/enterprises/{enterprise}/Groups/{scim_group_id}";
constexpr std::string_view kOrgUsers = "/scim/v2/organizations/{org}/Users";
constexpr std::string_view kOrgUser = "/scim/v2/organizations/{org}/Users/{scim_user_id}";
constexpr std::string_view kOrgScimDocs = "https://docs.github.com/enterprise-cloud@latest/rest/scim/scim";
constexpr std::string_view kInvitationDocs = "https://docs.github.com/enterprise-cloud@latest/rest/orgs/members";

route scim(std::uint8_t m, std::string_view pattern, handler_fn fn, body_kind body = body_kind::none) {
  return route{.methods = m,
               .pattern = pattern,
               .auth = auth_kind::token,
               .scopes = kScimScopes,
               .handler = fn,
               .body = body,
               .errors = error_dialect::scim,
               .rate_resource = "scim",
               .faultable = true,
               .captured = true};
}

// GitHub's scopes for the org/team REST routes (github-orgs-teams.md §3; docs/BEHAVIOUR.md):
// reading needs read:org (write:org and admin:org grant it), team membership writes write:org,
// everything else admin:org. Enterprise teams: read:enterprise to read, admin:enterprise to write.
constexpr std::array<std::string_view, 1> kReadOrg = {"read:org"};
constexpr std::array<std::string_view, 1> kWriteOrg = {"write:org"};
constexpr std::array<std::string_view, 1> kAdminOrg = {"admin:org"};
constexpr std::array<std::string_view, 1> kReadEnterprise = {"read:enterprise"};
constexpr std::array<std::string_view, 1> kAdminEnterprise = {"admin:enterprise"};

constexpr std::string_view kOrgTeams = "/orgs/{org}/teams";
constexpr std::string_view kOrgTeam = "/orgs/{org}/teams/{team_slug}";
constexpr std::string_view kTeamMembership = "/orgs/{org}/teams/{team_slug}/memberships/{username}";
constexpr std::string_view kTeamGroups = "/orgs/{org}/teams/{team_slug}/external-groups";
constexpr std::string_view kEntTeams = "/enterprises/{enterprise}/teams";
constexpr std::string_view kEntTeam = "/enterprises/{enterprise}/teams/{team_slug}";
constexpr std::string_view kEntMembers = "/enterprises/{enterprise}/teams/{enterprise-team}/memberships";
constexpr std::string_view kEntMember = "/enterprises/{enterprise}/teams/{enterprise-team}/memberships/{username}";
constexpr std::string_view kEntOrgs = "/enterprises/{enterprise}/teams/{enterprise-team}/organizations";
constexpr std::string_view kEntOrg = "/enterprises/{enterprise}/teams/{enterprise-team}/organizations/{org}";

// Org-level SCIM of standalone organizations (github-orgs-teams.md §8): an owner's admin:org token.
route org_scim(std::uint8_t m, std::string_view pattern, handler_fn fn, body_kind body = body_kind::none) {
  route r = scim(m, pattern, fn, body);
  r.scopes = kOrgAdminScopes;
  r.standalone_org = true;
  r.documentation_url = kOrgScimDocs;
  return r;
}

// GitHub's REST routes: REST error bodies, the core budget, in the request log, faultable. An
// organization route hides from a token without its scope (404); enterprise teams answer 403.
route rest(std::uint8_t m, std::string_view pattern, std::span<const std::string_view> scopes, handler_fn fn,
           body_kind body = body_kind::none) {
  return route{.methods = m,
               .pattern = pattern,
               .auth = auth_kind::token,
               .scopes = scopes,
               .handler = fn,
               .body = body,
               .errors = error_dialect::rest,
               .rate_resource = "core",
               .faultable = true,
               .captured = true,
               .conceal = pattern.starts_with("/orgs/")};
}

// GitHub's invitation routes: "not available for" EMU organizations.
route invitations(std::uint8_t m, std::string_view pattern, std::span<const std::string_view> scopes, handler_fn fn) {
  route r = rest(m, pattern, scopes, fn);
  r.standalone_org = true;
  r.documentation_url = kInvitationDocs;
  return r;
}

route admin(std::uint8_t m, std::string_view pattern, handler_fn fn, body_kind body = body_kind::none) {
  return route{.methods = m, .pattern = pattern, .auth = auth_kind::admin, .handler = fn, .body = body};
}

// The dashboard's files: no token, but only while the admin API is on (pipeline step 2).
route ui(std::string_view pattern, handler_fn fn) {
  return route{.methods = get, .pattern = pattern, .auth = auth_kind::none, .handler = fn};
}

route open(std::uint8_t m, std::string_view pattern, handler_fn fn, bool quiet) {
  return route{.methods = m, .pattern = pattern, .auth = auth_kind::none, .handler = fn, .quiet = quiet};
}

}  // namespace

std::vector<route> default_routes() {
  auto create_user = scim(post, kUsers, h::users_create, body_kind::object);
  create_user.creates_user = true;
  auto stream = admin(get, "/_emuscim/requests/stream", h::admin_stream_requests);
  stream.query_token = true;  // EventSource cannot send an Authorization header
  return {
      // Enterprise SCIM (github-emu-scim.md)
      scim(get, kUsers, h::users_list),
      create_user,
      scim(get, kUser, h::users_get),
      scim(put, kUser, h::users_replace, body_kind::object),
      scim(patch, kUser, h::users_patch, body_kind::object),
      scim(del, kUser, h::users_delete),
      scim(get, kGroups, h::groups_list),
      scim(post, kGroups, h::groups_create, body_kind::object),
      scim(get, kGroup, h::groups_get),
      scim(put, kGroup, h::groups_replace, body_kind::object),
      scim(patch, kGroup, h::groups_patch, body_kind::object),
      scim(del, kGroup, h::groups_delete),

      // Org-level SCIM (github-orgs-teams.md §8)
      org_scim(get, kOrgUsers, h::org_users_list),
      org_scim(post, kOrgUsers, h::org_users_create, body_kind::object),
      org_scim(get, kOrgUser, h::org_users_get),
      org_scim(put, kOrgUser, h::org_users_replace, body_kind::object),
      org_scim(patch, kOrgUser, h::org_users_patch, body_kind::object),
      org_scim(del, kOrgUser, h::org_users_delete),

      // GitHub's organization invitations (standalone organizations only)
      invitations(get, "/orgs/{org}/invitations", kOrgReadScopes, h::org_invitations_list),
      invitations(del, "/orgs/{org}/invitations/{invitation_id}", kOrgAdminScopes, h::org_invitations_cancel),

      // GitHub's enterprise and organization audit logs
      route{.methods = get,
            .pattern = "/enterprises/{enterprise}/audit-log",
            .auth = auth_kind::token,
            .scopes = kAuditScopes,
            .handler = h::github_audit_log,
            .rate_resource = "audit_log"},
      route{.methods = get,
            .pattern = "/orgs/{org}/audit-log",
            .auth = auth_kind::token,
            .scopes = kOrgAuditScopes,
            .handler = h::github_org_audit_log,
            .errors = error_dialect::rest,
            .rate_resource = "audit_log"},

      // GitHub's organization members, teams, external groups (github-orgs-teams.md)
      rest(get, "/orgs/{org}/members", kReadOrg, h::org_members_list),
      rest(get, "/orgs/{org}/members/{username}", kReadOrg, h::org_member_check),
      rest(get, "/orgs/{org}/memberships/{username}", kReadOrg, h::org_membership_get),
      rest(get, kOrgTeams, kReadOrg, h::teams_list),
      rest(post, kOrgTeams, kAdminOrg, h::teams_create, body_kind::object),
      rest(get, kOrgTeam, kReadOrg, h::teams_get),
      rest(patch, kOrgTeam, kAdminOrg, h::teams_update, body_kind::object_or_empty),
      rest(del, kOrgTeam, kAdminOrg, h::teams_delete),
      rest(get, "/orgs/{org}/teams/{team_slug}/members", kReadOrg, h::team_members_list),
      rest(get, kTeamMembership, kReadOrg, h::team_membership_get),
      rest(put, kTeamMembership, kWriteOrg, h::team_membership_put, body_kind::object_or_empty),
      rest(del, kTeamMembership, kWriteOrg, h::team_membership_delete),
      rest(get, "/orgs/{org}/external-groups", kReadOrg, h::external_groups_list),
      rest(get, "/orgs/{org}/external-group/{group_id}", kReadOrg, h::external_group_get),
      rest(get, kTeamGroups, kReadOrg, h::team_external_groups_get),
      rest(patch, kTeamGroups, kAdminOrg, h::team_external_groups_link, body_kind::object),
      rest(del, kTeamGroups, kAdminOrg, h::team_external_groups_unlink),

      // GitHub's enterprise teams
      rest(get, kEntTeams, kReadEnterprise, h::enterprise_teams_list),
      rest(post, kEntTeams, kAdminEnterprise, h::enterprise_teams_create, body_kind::object),
      rest(get, kEntTeam, kReadEnterprise, h::enterprise_teams_get),
      rest(patch, kEntTeam, kAdminEnterprise, h::enterprise_teams_update, body_kind::object_or_empty),
      rest(del, kEntTeam, kAdminEnterprise, h::enterprise_teams_delete),
      rest(get, kEntMembers, kReadEnterprise, h::enterprise_team_members_list),
      rest(post, "/enterprises/{enterprise}/teams/{enterprise-team}/memberships/add", kAdminEnterprise,
           h::enterprise_team_members_add, body_kind::object),
      rest(post, "/enterprises/{enterprise}/teams/{enterprise-team}/memberships/remove", kAdminEnterprise,
           h::enterprise_team_members_remove, body_kind::object),
      rest(get, kEntMember, kReadEnterprise, h::enterprise_team_member_get),
      rest(put, kEntMember, kAdminEnterprise, h::enterprise_team_member_put),
      rest(del, kEntMember, kAdminEnterprise, h::enterprise_team_member_delete),
      rest(get, kEntOrgs, kReadEnterprise, h::enterprise_team_orgs_list),
      rest(post, "/enterprises/{enterprise}/teams/{enterprise-team}/organizations/add", kAdminEnterprise,
           h::enterprise_team_orgs_add, body_kind::object),
      rest(post, "/enterprises/{enterprise}/teams/{enterprise-team}/organizations/remove", kAdminEnterprise,
           h::enterprise_team_orgs_remove, body_kind::object),
      rest(get, kEntOrg, kReadEnterprise, h::enterprise_team_org_get),
      rest(put, kEntOrg, kAdminEnterprise, h::enterprise_team_org_put),
      rest(del, kEntOrg, kAdminEnterprise, h::enterprise_team_org_delete),

      // Service routes
      open(get, "/healthz", h::healthz, true),
      open(get, "/readyz", h::readyz, true),
      open(get, "/metrics", h::metrics, false),

      // Admin API (docs/ADMIN_API.md)
      admin(get, "/_emuscim/enterprises", h::admin_list_enterprises),
      admin(post, "/_emuscim/enterprises", h::admin_create_enterprise, body_kind::object),
      admin(get, "/_emuscim/enterprises/{enterprise}", h::admin_get_enterprise),
      admin(del, "/_emuscim/enterprises/{enterprise}", h::admin_delete_enterprise),
      admin(get, "/_emuscim/enterprises/{enterprise}/tokens", h::admin_list_tokens),
      admin(post, "/_emuscim/enterprises/{enterprise}/tokens", h::admin_create_token, body_kind::object_or_empty),
      admin(del, "/_emuscim/enterprises/{enterprise}/tokens/{token_id}", h::admin_revoke_token),
      admin(post, "/_emuscim/enterprises/{enterprise}/reset", h::admin_reset),
      admin(get, "/_emuscim/enterprises/{enterprise}/users", h::admin_list_users),
      admin(get, "/_emuscim/enterprises/{enterprise}/groups", h::admin_list_groups),
      admin(get, "/_emuscim/enterprises/{enterprise}/audit-log", h::admin_audit_log),
      admin(get, "/_emuscim/enterprises/{enterprise}/faults", h::admin_get_faults),
      admin(put, "/_emuscim/enterprises/{enterprise}/faults", h::admin_set_faults, body_kind::object_or_empty),
      admin(del, "/_emuscim/enterprises/{enterprise}/faults", h::admin_clear_faults),
      admin(get, "/_emuscim/enterprises/{enterprise}/orgs", h::admin_list_enterprise_orgs),
      admin(post, "/_emuscim/enterprises/{enterprise}/orgs", h::admin_create_enterprise_org, body_kind::object),
      admin(del, "/_emuscim/enterprises/{enterprise}/orgs/{org}", h::admin_delete_enterprise_org),
      admin(get, "/_emuscim/orgs", h::admin_list_orgs),
      admin(post, "/_emuscim/orgs", h::admin_create_org, body_kind::object),
      admin(get, "/_emuscim/orgs/{org}", h::admin_get_org),
      admin(del, "/_emuscim/orgs/{org}", h::admin_delete_org),
      admin(get, "/_emuscim/orgs/{org}/tokens", h::admin_list_org_tokens),
      admin(post, "/_emuscim/orgs/{org}/tokens", h::admin_create_org_token, body_kind::object_or_empty),
      admin(del, "/_emuscim/orgs/{org}/tokens/{token_id}", h::admin_revoke_org_token),
      admin(get, "/_emuscim/orgs/{org}/identities", h::admin_org_identities),
      admin(post, "/_emuscim/orgs/{org}/invitations/{invitation_id}/accept", h::admin_accept_invitation,
            body_kind::object_or_empty),
      admin(get, "/_emuscim/orgs/{org}/audit-log", h::admin_org_audit_log),
      admin(get, "/_emuscim/rate-limit", h::admin_get_rate_limit),
      admin(put, "/_emuscim/rate-limit", h::admin_set_rate_limit, body_kind::object),

      // The request inspector and the dashboard (docs/DASHBOARD.md)
      admin(get, "/_emuscim/requests", h::admin_list_requests),
      admin(del, "/_emuscim/requests", h::admin_clear_requests),
      admin(get, "/_emuscim/requests/{request_id}", h::admin_get_request),
      stream,
      admin(get, "/_emuscim/requests/export", h::admin_export_requests),
      admin(get, "/_emuscim/requests/capture", h::admin_get_capture),
      admin(put, "/_emuscim/requests/capture", h::admin_set_capture, body_kind::object),
      ui("/_emuscim/ui", h::ui_redirect),
      ui("/_emuscim/ui/", h::ui_index),
      ui("/_emuscim/ui/{file}", h::ui_asset),
  };
}

}  // namespace emuscim::http
