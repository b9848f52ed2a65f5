#pragma once
// Teams, IdP-group links, enterprise teams and the membership counts behind organization
// membership (migration V003). Like repo.hpp: SQL in named constants, values always bound,
// functions take the connection they run on. Every count kept here (teams.member_count,
// org_members.team_count/ent_team_count, enterprise_teams.member_count) changes with the row it
// counts, so nothing is ever recounted.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emuscim/store/sqlite.hpp"

namespace emuscim::store {

// ---- organization teams --------------------------------------------------------------------
struct team_row {
  std::int64_t id = 0;
  std::int64_t org_id = 0;
  std::string name;
  std::string slug;
  std::optional<std::string> description;
  std::string privacy = "secret";
  std::string notification_setting = "notifications_enabled";
  std::string permission = "pull";
  std::optional<std::int64_t> parent_id;
  std::optional<std::int64_t> group_seq;  // the linked IdP group
  std::int64_t member_count = 0;
  std::string created;
  std::string modified;
};
std::optional<team_row> find_team(connection& db, std::int64_t id);
std::optional<team_row> find_team_by_slug(connection& db, std::int64_t org_id, std::string_view slug);
std::optional<team_row> find_team_by_name(connection& db, std::int64_t org_id, std::string_view name);  // NOCASE
std::vector<team_row> list_teams(connection& db, std::int64_t org_id, std::int64_t offset, std::int64_t limit);
std::int64_t count_teams(connection& db, std::int64_t org_id);
std::vector<team_row> child_teams(connection& db, std::int64_t team_id);
std::vector<team_row> teams_linked_to(connection& db, std::int64_t group_seq);
void insert_team(connection& db, team_row& row);        // sets row.id
void update_team(connection& db, const team_row& row);  // everything but id, org_id, member_count, created
void delete_team_row(connection& db, std::int64_t id);  // its member rows cascade; callers remove members first

// ---- team membership -----------------------------------------------------------------------
struct team_member_row {
  std::int64_t team_id = 0;
  std::int64_t user_id = 0;  // users.seq or accounts.id
  std::string role = "member";
  std::string created;
};
std::optional<team_member_row> find_team_member(connection& db, std::int64_t team_id, std::int64_t user_id);
bool insert_team_member(connection& db, std::int64_t team_id, std::int64_t user_id, std::string_view role,
                        std::string_view now);  // true when added; keeps member_count
bool delete_team_member(connection& db, std::int64_t team_id, std::int64_t user_id);  // true when removed
void set_team_member_role(connection& db, std::int64_t team_id, std::int64_t user_id, std::string_view role);
std::vector<std::int64_t> team_member_ids(connection& db, std::int64_t team_id);  // ascending

// A member of a team or of one of its descendant teams (GitHub's "members of child teams").
struct subtree_member {
  std::int64_t user_id = 0;
  std::string role;        // the role in the team itself; "member" when inherited
  bool inherited = false;  // only through a child team
};
// role_filter: "all", "member" or "maintainer". Ascending user_id.
std::vector<subtree_member> list_subtree_members(connection& db, std::int64_t team_id, std::string_view role_filter,
                                                 std::int64_t offset, std::int64_t limit);
std::int64_t count_subtree_members(connection& db, std::int64_t team_id, std::string_view role_filter);
std::optional<subtree_member> find_subtree_member(connection& db, std::int64_t team_id, std::int64_t user_id);

// The teams a user is in, with their organization's login (admin API).
struct user_team {
  std::int64_t team_id = 0;
  std::string org_login;
  std::string slug;
};
std::vector<user_team> teams_of_user(connection& db, std::int64_t user_id);

// ---- organization membership with its reasons ----------------------------------------------
struct membership_row {
  std::int64_t org_id = 0;
  std::int64_t user_id = 0;
  std::string role = "member";
  bool direct = false;
  std::int64_t team_count = 0;
  std::int64_t ent_team_count = 0;
  std::string created;
};
std::optional<membership_row> find_membership(connection& db, std::int64_t org_id, std::int64_t user_id);
enum class membership_change { none, joined, left };
// Adds d_team / d_ent to the user's counts in the organization, creating or deleting the row when
// membership starts or ends.
membership_change adjust_membership(connection& db, std::int64_t org_id, std::int64_t user_id, int d_team, int d_ent,
                                    std::string_view now);
// Makes the user a direct member (joined when they were not a member before).
membership_change make_direct_member(connection& db, std::int64_t org_id, std::int64_t user_id, std::string_view now);
// role_filter: "all", "admin" or "member". Ascending user_id.
std::vector<membership_row> list_memberships(connection& db, std::int64_t org_id, std::string_view role_filter,
                                             std::int64_t offset, std::int64_t limit);
std::int64_t count_memberships(connection& db, std::int64_t org_id, std::string_view role_filter);
std::vector<membership_row> memberships_of_user(connection& db, std::int64_t user_id);

// ---- users, groups (the reads reconciliation needs) -------------------------------------------
struct account_ref {
  std::int64_t id = 0;  // users.seq or accounts.id
  std::string login;    // current login
  std::optional<std::string> name;
  std::optional<std::string> email;
  bool active = true;
  std::string scim_id;  // managed users only
};
std::optional<account_ref> find_managed_user(connection& db, std::int64_t seq);
std::optional<account_ref> find_managed_user_by_login(connection& db, std::int64_t enterprise_id,
                                                      std::string_view login);
std::optional<account_ref> find_personal_account(connection& db, std::int64_t id);
std::optional<account_ref> find_personal_account_by_login(connection& db, std::string_view login);

std::vector<std::int64_t> groups_of_user(connection& db, std::int64_t user_seq);
bool in_group(connection& db, std::int64_t group_seq, std::int64_t user_seq);
std::vector<std::int64_t> active_group_member_ids(connection& db, std::int64_t group_seq);  // ascending

struct group_ref {
  std::int64_t seq = 0;
  std::int64_t enterprise_id = 0;
  std::string id;  // SCIM id
  std::string display_name;
  std::int64_t member_count = 0;
  std::string modified;
};
std::optional<group_ref> find_group_by_seq(connection& db, std::int64_t seq);
std::optional<group_ref> find_group_by_scim_id(connection& db, std::int64_t enterprise_id, std::string_view id);
// Groups of an enterprise whose display name contains `needle` (ASCII case-insensitive; empty:
// all), seq >= from_seq, ascending, at most limit.
std::vector<group_ref> list_groups_from(connection& db, std::int64_t enterprise_id, std::string_view needle,
                                        std::int64_t from_seq, std::int64_t limit);
std::vector<account_ref> active_group_members(connection& db, std::int64_t group_seq, std::int64_t offset,
                                              std::int64_t limit);
std::int64_t count_active_group_members(connection& db, std::int64_t group_seq);

// The first `limit` members of a group, suspended ones included (admin API).
struct group_member_line {
  std::string scim_id;
  std::string user_name;
  std::string login;
};
std::vector<group_member_line> group_member_sample(connection& db, std::int64_t group_seq, std::int64_t limit);

// ---- enterprise teams ----------------------------------------------------------------------
struct enterprise_team_row {
  std::int64_t id = 0;
  std::int64_t enterprise_id = 0;
  std::string name;
  std::string slug;  // "ent:..."
  std::optional<std::string> description;
  std::string organization_selection_type = "disabled";
  std::string notification_setting = "notifications_enabled";
  std::optional<std::int64_t> group_seq;
  std::int64_t member_count = 0;
  std::string created;
  std::string modified;
};
std::optional<enterprise_team_row> find_enterprise_team(connection& db, std::int64_t enterprise_id,
                                                        std::string_view slug_or_id);
std::optional<enterprise_team_row> find_enterprise_team_by_name(connection& db, std::int64_t enterprise_id,
                                                                std::string_view name);
std::vector<enterprise_team_row> list_enterprise_teams(connection& db, std::int64_t enterprise_id,
                                                       std::int64_t offset, std::int64_t limit);
std::int64_t count_enterprise_teams(connection& db, std::int64_t enterprise_id);
std::vector<enterprise_team_row> enterprise_teams_linked_to(connection& db, std::int64_t group_seq);
std::vector<enterprise_team_row> enterprise_teams_selecting_all(connection& db, std::int64_t enterprise_id);
void insert_enterprise_team(connection& db, enterprise_team_row& row);
void update_enterprise_team(connection& db, const enterprise_team_row& row);
void delete_enterprise_team_row(connection& db, std::int64_t id);

bool insert_enterprise_team_member(connection& db, std::int64_t team_id, std::int64_t user_id, std::string_view now);
bool delete_enterprise_team_member(connection& db, std::int64_t team_id, std::int64_t user_id);
bool is_enterprise_team_member(connection& db, std::int64_t team_id, std::int64_t user_id);
std::vector<std::int64_t> enterprise_team_member_ids(connection& db, std::int64_t team_id, std::int64_t offset = 0,
                                                     std::int64_t limit = -1);
std::vector<std::int64_t> enterprise_teams_of_user(connection& db, std::int64_t user_id);

bool insert_enterprise_team_org(connection& db, std::int64_t team_id, std::int64_t org_id, std::string_view now);
bool delete_enterprise_team_org(connection& db, std::int64_t team_id, std::int64_t org_id);
bool is_enterprise_team_org(connection& db, std::int64_t team_id, std::int64_t org_id);
std::vector<std::int64_t> enterprise_team_org_ids(connection& db, std::int64_t team_id);  // ascending
// Slugs of the enterprise teams assigned to the organization that have the user (at most `limit`).
std::vector<std::string> enterprise_team_slugs_for(connection& db, std::int64_t org_id, std::int64_t user_id,
                                                   std::int64_t limit);

// Deletes the teams, enterprise teams and organization memberships of an enterprise's
// organizations (admin reset: users and groups go too, so nothing they gave may stay).
void reset_enterprise_teams(connection& db, std::int64_t enterprise_id);

}  // namespace emuscim::store
