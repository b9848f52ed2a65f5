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

// orgs.cpp: GET /orgs/{org}/members[/{username}], GET /orgs/{org}/memberships/{username}
net::awaitable<outcome> org_members_list(call& c);
net::awaitable<outcome> org_member_check(call& c);
net::awaitable<outcome> org_membership_get(call& c);

// teams.cpp: /orgs/{org}/teams[/{team_slug}[/members|/memberships/{username}]]
net::awaitable<outcome> teams_list(call& c);
net::awaitable<outcome> teams_create(call& c);
net::awaitable<outcome> teams_get(call& c);
net::awaitable<outcome> teams_update(call& c);
net::awaitable<outcome> teams_delete(call& c);
net::awaitable<outcome> team_members_list(call& c);
net::awaitable<outcome> team_membership_get(call& c);
net::awaitable<outcome> team_membership_put(call& c);
net::awaitable<outcome> team_membership_delete(call& c);

// external_groups.cpp: /orgs/{org}/external-groups, /orgs/{org}/external-group/{group_id},
// /orgs/{org}/teams/{team_slug}/external-groups
net::awaitable<outcome> external_groups_list(call& c);
net::awaitable<outcome> external_group_get(call& c);
net::awaitable<outcome> team_external_groups_get(call& c);
net::awaitable<outcome> team_external_groups_link(call& c);
net::awaitable<outcome> team_external_groups_unlink(call& c);

// enterprise_teams.cpp: /enterprises/{enterprise}/teams[/…]
net::awaitable<outcome> enterprise_teams_list(call& c);
net::awaitable<outcome> enterprise_teams_create(call& c);
net::awaitable<outcome> enterprise_teams_get(call& c);
net::awaitable<outcome> enterprise_teams_update(call& c);
net::awaitable<outcome> enterprise_teams_delete(call& c);
net::awaitable<outcome> enterprise_team_members_list(call& c);
net::awaitable<outcome> enterprise_team_members_add(call& c);
net::awaitable<outcome> enterprise_team_members_remove(call& c);
net::awaitable<outcome> enterprise_team_member_get(call& c);
net::awaitable<outcome> enterprise_team_member_put(call& c);
net::awaitable<outcome> enterprise_team_member_delete(call& c);
net::awaitable<outcome> enterprise_team_orgs_list(call& c);
net::awaitable<outcome> enterprise_team_orgs_add(call& c);
net::awaitable<outcome> enterprise_team_orgs_remove(call& c);
net::awaitable<outcome> enterprise_team_org_get(call& c);
net::awaitable<outcome> enterprise_team_org_put(call& c);
net::awaitable<outcome> enterprise_team_org_delete(call& c);

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
net::awaitable<outcome> admin_list_groups(call& c);
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

// requests.cpp: the request inspector, /_emuscim/requests[/{request_id}|/stream|/export]
net::awaitable<outcome> admin_list_requests(call& c);
net::awaitable<outcome> admin_get_request(call& c);
net::awaitable<outcome> admin_clear_requests(call& c);
net::awaitable<outcome> admin_get_capture(call& c);
net::awaitable<outcome> admin_set_capture(call& c);
net::awaitable<outcome> admin_stream_requests(call& c);
net::awaitable<outcome> admin_export_requests(call& c);

// ui.cpp: the dashboard's embedded files, /_emuscim/ui[/[{file}]]
net::awaitable<outcome> ui_redirect(call& c);
net::awaitable<outcome> ui_index(call& c);
net::awaitable<outcome> ui_asset(call& c);

}  // namespace emuscim::http::handlers
