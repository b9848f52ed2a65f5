#pragma once
// Every handler, one file per resource family. Private to the http module; the route table
// (routes.cpp) is the only caller. A handler decodes its call, makes one service call and renders.

#include "emuscim/http/call.hpp"

namespace emuscim::http::handlers {

// scim_users.cpp, scim_groups.cpp: /scim/v2/enterprises/{enterprise}/Users|Groups[/{id}]
net::awaitable<outcome> users_list(call& c);
net::awaitable<outcome> users_create(call& c);
net::awaitable<outcome> users_get(call& c);
net::awaitable<outcome> users_replace(call& c);
net::awaitable<outcome> users_patch(call& c);
net::awaitable<outcome> users_delete(call& c);
net::awaitable<outcome> groups_list(call& c);
net::awaitable<outcome> groups_create(call& c);
net::awaitable<outcome> groups_get(call& c);
net::awaitable<outcome> groups_replace(call& c);
net::awaitable<outcome> groups_patch(call& c);
net::awaitable<outcome> groups_delete(call& c);

// org_scim.cpp: /scim/v2/organizations/{org}/Users[/{scim_user_id}] (org-level SCIM)
net::awaitable<outcome> org_users_list(call& c);
net::awaitable<outcome> org_users_create(call& c);
net::awaitable<outcome> org_users_get(call& c);
net::awaitable<outcome> org_users_replace(call& c);
net::awaitable<outcome> org_users_patch(call& c);
net::awaitable<outcome> org_users_delete(call& c);

// invitations.cpp: GitHub's GET /orgs/{org}/invitations, DELETE /orgs/{org}/invitations/{invitation_id}
net::awaitable<outcome> org_invitations_list(call& c);
net::awaitable<outcome> org_invitations_cancel(call& c);

// audit.cpp: GitHub's GET /enterprises/{enterprise}/audit-log and GET /orgs/{org}/audit-log
net::awaitable<outcome> github_audit_log(call& c);
net::awaitable<outcome> github_org_audit_log(call& c);

// health.cpp: /healthz, /readyz, /metrics
net::awaitable<outcome> healthz(call& c);
net::awaitable<outcome> readyz(call& c);
net::awaitable<outcome> metrics(call& c);

// admin_enterprises.cpp: /_emuscim/enterprises[/{enterprise}[/tokens[/{token_id}]|/reset|/users|/audit-log]]
net::awaitable<outcome> admin_list_enterprises(call& c);
net::awaitable<outcome> admin_create_enterprise(call& c);
net::awaitable<outcome> admin_get_enterprise(call& c);
net::awaitable<outcome> admin_delete_enterprise(call& c);
net::awaitable<outcome> admin_reset(call& c);
net::awaitable<outcome> admin_list_tokens(call& c);
net::awaitable<outcome> admin_create_token(call& c);
net::awaitable<outcome> admin_revoke_token(call& c);
net::awaitable<outcome> admin_list_users(call& c);
net::awaitable<outcome> admin_audit_log(call& c);

// admin_orgs.cpp: /_emuscim/enterprises/{enterprise}/orgs[/{org}], /_emuscim/orgs[/{org}[/tokens[/{token_id}]]],
// /_emuscim/orgs/{org}/identities, /_emuscim/orgs/{org}/invitations/{invitation_id}/accept,
// /_emuscim/orgs/{org}/audit-log
net::awaitable<outcome> admin_list_enterprise_orgs(call& c);
net::awaitable<outcome> admin_create_enterprise_org(call& c);
net::awaitable<outcome> admin_delete_enterprise_org(call& c);
net::awaitable<outcome> admin_list_orgs(call& c);
net::awaitable<outcome> admin_create_org(call& c);
net::awaitable<outcome> admin_get_org(call& c);
net::awaitable<outcome> admin_delete_org(call& c);
net::awaitable<outcome> admin_list_org_tokens(call& c);
net::awaitable<outcome> admin_create_org_token(call& c);
net::awaitable<outcome> admin_revoke_org_token(call& c);
net::awaitable<outcome> admin_org_identities(call& c);
net::awaitable<outcome> admin_accept_invitation(call& c);
net::awaitable<outcome> admin_org_audit_log(call& c);

// admin_controls.cpp: /_emuscim/enterprises/{enterprise}/faults, /_emuscim/rate-limit
net::awaitable<outcome> admin_get_faults(call& c);
net::awaitable<outcome> admin_set_faults(call& c);
net::awaitable<outcome> admin_clear_faults(call& c);
net::awaitable<outcome> admin_get_rate_limit(call& c);
net::awaitable<outcome> admin_set_rate_limit(call& c);

}  // namespace emuscim::http::handlers
