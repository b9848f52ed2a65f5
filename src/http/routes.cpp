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

// Org-level SCIM of standalone organizations (github-orgs-teams.md §8): an owner's admin:org token.
route org_scim(std::uint8_t m, std::string_view pattern, handler_fn fn, body_kind body = body_kind::none) {
  route r = scim(m, pattern, fn, body);
  r.scopes = kOrgAdminScopes;
  r.standalone_org = true;
  r.documentation_url = kOrgScimDocs;
  return r;
}

// GitHub's REST routes of an organization.
route org_rest(std::uint8_t m, std::string_view pattern, std::span<const std::string_view> scopes, handler_fn fn) {
  return route{.methods = m,
               .pattern = pattern,
               .auth = auth_kind::token,
               .scopes = scopes,
               .handler = fn,
               .errors = error_dialect::rest,
               .captured = true};
}

// GitHub's invitation routes: "not available for" EMU organizations.
route invitations(std::uint8_t m, std::string_view pattern, std::span<const std::string_view> scopes, handler_fn fn) {
  route r = org_rest(m, pattern, scopes, fn);
  r.standalone_org = true;
  r.documentation_url = kInvitationDocs;
  return r;
}

route admin(std::uint8_t m, std::string_view pattern, handler_fn fn, body_kind body = body_kind::none) {
  return route{.methods = m, .pattern = pattern, .auth = auth_kind::admin, .handler = fn, .body = body};
}

route open(std::uint8_t m, std::string_view pattern, handler_fn fn, bool quiet) {
  return route{.methods = m, .pattern = pattern, .auth = auth_kind::none, .handler = fn, .quiet = quiet};
}

}  // namespace

std::vector<route> default_routes() {
  auto create_user = scim(post, kUsers, h::users_create, body_kind::object);
  create_user.creates_user = true;
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
  };
}

}  // namespace emuscim::http
