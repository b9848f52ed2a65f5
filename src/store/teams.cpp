#include "emuscim/store/teams.hpp"

#include <algorithm>

namespace emuscim::store {

namespace {

// ---- SQL: named constants only; every value is bound. ----

#define EMUSCIM_TEAM_COLUMNS                                                                               \
  "id, org_id, name, slug, description, privacy, notification_setting, permission, parent_id, group_seq, " \
  "member_count, created, modified"
constexpr const char* kFindTeam = "SELECT " EMUSCIM_TEAM_COLUMNS " FROM teams WHERE id = ?1";
constexpr const char* kFindTeamBySlug = "SELECT " EMUSCIM_TEAM_COLUMNS " FROM teams WHERE org_id = ?1 AND slug = ?2";
constexpr const char* kFindTeamByName =
    "SELECT " EMUSCIM_TEAM_COLUMNS " FROM teams WHERE org_id = ?1 AND name = ?2 COLLATE NOCASE";
constexpr const char* kListTeams =
    "SELECT " EMUSCIM_TEAM_COLUMNS " FROM teams WHERE org_id = ?1 ORDER BY id LIMIT ?3 OFFSET ?2";
constexpr const char* kCountTeams = "SELECT count(*) FROM teams WHERE org_id = ?1";
constexpr const char* kChildTeams = "SELECT " EMUSCIM_TEAM_COLUMNS " FROM teams WHERE parent_id = ?1 ORDER BY id";
constexpr const char* kTeamsLinkedTo = "SELECT " EMUSCIM_TEAM_COLUMNS " FROM teams WHERE group_seq = ?1 ORDER BY id";
constexpr const char* kInsertTeam =
    "INSERT INTO teams(org_id, name, slug, description, privacy, notification_setting, permission, parent_id, "
    "group_seq, member_count, created, modified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11)";
constexpr const char* kUpdateTeam =
    "UPDATE teams SET name = ?2, slug = ?3, description = ?4, privacy = ?5, notification_setting = ?6, "
    "permission = ?7, parent_id = ?8, group_seq = ?9, modified = ?10 WHERE id = ?1";
constexpr const char* kDeleteTeam = "DELETE FROM teams WHERE id = ?1";

constexpr const char* kFindTeamMember =
    "SELECT team_id, user_id, role, created FROM team_members WHERE team_id = ?1 AND user_id = ?2";
constexpr const char* kInsertTeamMember =
    "INSERT OR IGNORE INTO team_members(team_id, user_id, role, created) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kDeleteTeamMember = "DELETE FROM team_members WHERE team_id = ?1 AND user_id = ?2";
constexpr const char* kBumpTeamCount = "UPDATE teams SET member_count = member_count + ?2 WHERE id = ?1";
constexpr const char* kSetTeamMemberRole = "UPDATE team_members SET role = ?3 WHERE team_id = ?1 AND user_id = ?2";
constexpr const char* kTeamMemberIds = "SELECT user_id FROM team_members WHERE team_id = ?1 ORDER BY user_id";

// The team and its descendants; a member is inherited when no row of the team itself has them.
#define EMUSCIM_SUBTREE                                                                        \
  "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT t.id FROM teams t JOIN sub ON t.parent_id = sub.id), " \
  "m AS (SELECT tm.user_id, MAX(tm.team_id = ?1) AS own, "                                    \
  "MAX(tm.team_id = ?1 AND tm.role = 'maintainer') AS maint "                                  \
  "FROM team_members tm WHERE tm.team_id IN (SELECT id FROM sub) GROUP BY tm.user_id) "
#define EMUSCIM_ROLE_FILTER " (?2 = 'all' OR (?2 = 'maintainer' AND maint = 1) OR (?2 = 'member' AND maint = 0)) "
constexpr const char* kListSubtree =
    EMUSCIM_SUBTREE "SELECT user_id, maint, own FROM m WHERE" EMUSCIM_ROLE_FILTER
                    "ORDER BY user_id LIMIT ?4 OFFSET ?3";
constexpr const char* kCountSubtree = EMUSCIM_SUBTREE "SELECT count(*) FROM m WHERE" EMUSCIM_ROLE_FILTER;
constexpr const char* kFindSubtree =
    "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT t.id FROM teams t JOIN sub ON t.parent_id = sub.id) "
    "SELECT MAX(team_id = ?1 AND role = 'maintainer'), MAX(team_id = ?1), count(*) FROM team_members "
    "WHERE user_id = ?2 AND team_id IN (SELECT id FROM sub)";
constexpr const char* kTeamsOfUser =
    "SELECT t.id, o.login, t.slug FROM team_members tm JOIN teams t ON t.id = tm.team_id "
    "JOIN orgs o ON o.id = t.org_id WHERE tm.user_id = ?1 ORDER BY o.id, t.id";

#define EMUSCIM_MEMBERSHIP_COLUMNS "org_id, user_id, role, direct, team_count, ent_team_count, created"
constexpr const char* kFindMembership =
    "SELECT " EMUSCIM_MEMBERSHIP_COLUMNS " FROM org_members WHERE org_id = ?1 AND user_id = ?2";
constexpr const char* kInsertMembership =
    "INSERT INTO org_members(org_id, user_id, role, direct, team_count, ent_team_count, created) "
    "VALUES (?1, ?2, 'member', ?3, ?4, ?5, ?6)";
constexpr const char* kUpdateMembershipCounts =
    "UPDATE org_members SET direct = ?3, team_count = ?4, ent_team_count = ?5 WHERE org_id = ?1 AND user_id = ?2";
constexpr const char* kDeleteMembership = "DELETE FROM org_members WHERE org_id = ?1 AND user_id = ?2";
constexpr const char* kListMemberships =
    "SELECT " EMUSCIM_MEMBERSHIP_COLUMNS " FROM org_members WHERE org_id = ?1 AND (?2 = 'all' OR role = ?2) "
    "ORDER BY user_id LIMIT ?4 OFFSET ?3";
constexpr const char* kCountMemberships =
    "SELECT count(*) FROM org_members WHERE org_id = ?1 AND (?2 = 'all' OR role = ?2)";
constexpr const char* kMembershipsOfUser =
    "SELECT " EMUSCIM_MEMBERSHIP_COLUMNS " FROM org_members WHERE user_id = ?1 ORDER BY org_id";

constexpr const char* kFindManagedUser =
    "SELECT seq, current_login, display_name, email, active, id FROM users WHERE seq = ?1";
constexpr const char* kFindManagedUserByLogin =
    "SELECT seq, current_login, display_name, email, active, id FROM users "
    "WHERE enterprise_id = ?1 AND current_login = ?2";
constexpr const char* kFindAccount = "SELECT id, login, name, email FROM accounts WHERE id = ?1";
constexpr const char* kFindAccountByLogin = "SELECT id, login, name, email FROM accounts WHERE login = ?1";

constexpr const char* kGroupsOfUser = "SELECT group_seq FROM memberships WHERE user_seq = ?1 ORDER BY group_seq";
constexpr const char* kInGroup = "SELECT 1 FROM memberships WHERE group_seq = ?1 AND user_seq = ?2";
constexpr const char* kActiveGroupMemberIds =
    "SELECT m.user_seq FROM memberships m JOIN users u ON u.seq = m.user_seq "
    "WHERE m.group_seq = ?1 AND u.active = 1 ORDER BY m.user_seq";
#define EMUSCIM_GROUP_REF_COLUMNS "seq, enterprise_id, id, display_name, member_count, modified"
constexpr const char* kFindGroupBySeq = "SELECT " EMUSCIM_GROUP_REF_COLUMNS " FROM groups WHERE seq = ?1";
constexpr const char* kFindGroupByScimId =
    "SELECT " EMUSCIM_GROUP_REF_COLUMNS " FROM groups WHERE enterprise_id = ?1 AND id = ?2";
constexpr const char* kListGroupsFrom =
    "SELECT " EMUSCIM_GROUP_REF_COLUMNS " FROM groups WHERE enterprise_id = ?1 AND seq >= ?3 "
    "AND (?2 = '' OR instr(lower(display_name), lower(?2)) > 0) ORDER BY seq LIMIT ?4";
constexpr const char* kActiveGroupMembers =
    "SELECT u.seq, u.current_login, u.display_name, u.email, u.active, u.id FROM memberships m "
    "JOIN users u ON u.seq = m.user_seq WHERE m.group_seq = ?1 AND u.active = 1 "
    "ORDER BY m.user_seq LIMIT ?3 OFFSET ?2";
constexpr const char* kCountActiveGroupMembers =
    "SELECT count(*) FROM memberships m JOIN users u ON u.seq = m.user_seq WHERE m.group_seq = ?1 AND u.active = 1";

constexpr const char* kGroupMemberSample =
    "SELECT u.id, u.user_name, u.current_login FROM memberships m JOIN users u ON u.seq = m.user_seq "
    "WHERE m.group_seq = ?1 ORDER BY m.user_seq LIMIT ?2";

#define EMUSCIM_ENT_TEAM_COLUMNS                                                                         \
  "id, enterprise_id, name, slug, description, organization_selection_type, notification_setting, group_seq, " \
  "member_count, created, modified"
constexpr const char* kFindEntTeamBySlug =
    "SELECT " EMUSCIM_ENT_TEAM_COLUMNS " FROM enterprise_teams WHERE enterprise_id = ?1 AND slug = ?2";
constexpr const char* kFindEntTeamById =
    "SELECT " EMUSCIM_ENT_TEAM_COLUMNS " FROM enterprise_teams WHERE enterprise_id = ?1 AND id = ?2";
constexpr const char* kFindEntTeamByName =
    "SELECT " EMUSCIM_ENT_TEAM_COLUMNS " FROM enterprise_teams WHERE enterprise_id = ?1 AND name = ?2 COLLATE NOCASE";
constexpr const char* kListEntTeams =
    "SELECT " EMUSCIM_ENT_TEAM_COLUMNS " FROM enterprise_teams WHERE enterprise_id = ?1 ORDER BY id LIMIT ?3 OFFSET ?2";
constexpr const char* kCountEntTeams = "SELECT count(*) FROM enterprise_teams WHERE enterprise_id = ?1";
constexpr const char* kEntTeamsLinkedTo =
    "SELECT " EMUSCIM_ENT_TEAM_COLUMNS " FROM enterprise_teams WHERE group_seq = ?1 ORDER BY id";
constexpr const char* kEntTeamsSelectingAll =
    "SELECT " EMUSCIM_ENT_TEAM_COLUMNS
    " FROM enterprise_teams WHERE enterprise_id = ?1 AND organization_selection_type = 'all' ORDER BY id";
constexpr const char* kInsertEntTeam =
    "INSERT INTO enterprise_teams(enterprise_id, name, slug, description, organization_selection_type, "
    "notification_setting, group_seq, member_count, created, modified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9)";
constexpr const char* kUpdateEntTeam =
    "UPDATE enterprise_teams SET name = ?2, slug = ?3, description = ?4, organization_selection_type = ?5, "
    "notification_setting = ?6, group_seq = ?7, modified = ?8 WHERE id = ?1";
constexpr const char* kDeleteEntTeam = "DELETE FROM enterprise_teams WHERE id = ?1";
constexpr const char* kInsertEntMember =
    "INSERT OR IGNORE INTO enterprise_team_members(team_id, user_id, created) VALUES (?1, ?2, ?3)";
constexpr const char* kDeleteEntMember = "DELETE FROM enterprise_team_members WHERE team_id = ?1 AND user_id = ?2";
constexpr const char* kIsEntMember = "SELECT 1 FROM enterprise_team_members WHERE team_id = ?1 AND user_id = ?2";
constexpr const char* kBumpEntCount = "UPDATE enterprise_teams SET member_count = member_count + ?2 WHERE id = ?1";
constexpr const char* kEntMemberIds =
    "SELECT user_id FROM enterprise_team_members WHERE team_id = ?1 ORDER BY user_id LIMIT ?3 OFFSET ?2";
constexpr const char* kEntTeamsOfUser =
    "SELECT team_id FROM enterprise_team_members WHERE user_id = ?1 ORDER BY team_id";
constexpr const char* kInsertEntOrg =
    "INSERT OR IGNORE INTO enterprise_team_orgs(team_id, org_id, created) VALUES (?1, ?2, ?3)";
constexpr const char* kDeleteEntOrg = "DELETE FROM enterprise_team_orgs WHERE team_id = ?1 AND org_id = ?2";
constexpr const char* kIsEntOrg = "SELECT 1 FROM enterprise_team_orgs WHERE team_id = ?1 AND org_id = ?2";
constexpr const char* kEntOrgIds = "SELECT org_id FROM enterprise_team_orgs WHERE team_id = ?1 ORDER BY org_id";
constexpr const char* kEntSlugsFor =
    "SELECT t.slug FROM enterprise_team_orgs eo JOIN enterprise_teams t ON t.id = eo.team_id "
    "JOIN enterprise_team_members m ON m.team_id = t.id AND m.user_id = ?2 WHERE eo.org_id = ?1 "
    "ORDER BY t.id LIMIT ?3";

constexpr const char* kResetTeamMembers =
    "DELETE FROM team_members WHERE team_id IN (SELECT t.id FROM teams t JOIN orgs o ON o.id = t.org_id "
    "WHERE o.enterprise_id = ?1)";
constexpr const char* kResetTeams = "DELETE FROM teams WHERE org_id IN (SELECT id FROM orgs WHERE enterprise_id = ?1)";
constexpr const char* kResetOrgMembers =
    "DELETE FROM org_members WHERE org_id IN (SELECT id FROM orgs WHERE enterprise_id = ?1)";
constexpr const char* kResetEntTeams = "DELETE FROM enterprise_teams WHERE enterprise_id = ?1";

// ---- row mappers ----

std::optional<std::int64_t> opt_int(statement& s, int col) {
  if (s.is_null(col)) return std::nullopt;
  return s.get_int(col);
}

void bind_opt(statement& s, int index, const std::optional<std::int64_t>& v) {
  if (v) {
    s.bind(index, *v);
  } else {
    s.bind_null(index);
  }
}

team_row read_team(statement& s) {
  team_row t;
  t.id = s.get_int(0);
  t.org_id = s.get_int(1);
  t.name = s.get_text(2);
  t.slug = s.get_text(3);
  t.description = s.get_opt_text(4);
  t.privacy = s.get_text(5);
  t.notification_setting = s.get_text(6);
  t.permission = s.get_text(7);
  t.parent_id = opt_int(s, 8);
  t.group_seq = opt_int(s, 9);
  t.member_count = s.get_int(10);
  t.created = s.get_text(11);
  t.modified = s.get_text(12);
  return t;
}

membership_row read_membership(statement& s) {
  return {s.get_int(0), s.get_int(1), s.get_text(2), s.get_int(3) != 0, s.get_int(4), s.get_int(5), s.get_text(6)};
}

account_ref read_managed(statement& s) {
  return {s.get_int(0), s.get_text(1), s.get_opt_text(2), s.get_opt_text(3), s.get_int(4) != 0, s.get_text(5)};
}

account_ref read_account(statement& s) {
  return {s.get_int(0), s.get_text(1), s.get_opt_text(2), s.get_opt_text(3), true, {}};
}

group_ref read_group_ref(statement& s) {
  return {s.get_int(0), s.get_int(1), s.get_text(2), s.get_text(3), s.get_int(4), s.get_text(5)};
}

enterprise_team_row read_ent_team(statement& s) {
  enterprise_team_row t;
  t.id = s.get_int(0);
  t.enterprise_id = s.get_int(1);
  t.name = s.get_text(2);
  t.slug = s.get_text(3);
  t.description = s.get_opt_text(4);
  t.organization_selection_type = s.get_text(5);
  t.notification_setting = s.get_text(6);
  t.group_seq = opt_int(s, 7);
  t.member_count = s.get_int(8);
  t.created = s.get_text(9);
  t.modified = s.get_text(10);
  return t;
}

template <class Row, class Reader, class... Args>
std::optional<Row> one(connection& db, const char* sql, Reader reader, const Args&... args) {
  use s(db, sql);
  int i = 0;
  (s->bind(++i, args), ...);
  if (!s->step()) return std::nullopt;
  return reader(*s);
}

template <class Row, class Reader, class... Args>
std::vector<Row> all(connection& db, const char* sql, Reader reader, const Args&... args) {
  std::vector<Row> out;
  use s(db, sql);
  int i = 0;
  (s->bind(++i, args), ...);
  while (s->step()) out.push_back(reader(*s));
  return out;
}

template <class... Args>
std::int64_t scalar(connection& db, const char* sql, const Args&... args) {
  use s(db, sql);
  int i = 0;
  (s->bind(++i, args), ...);
  return s->step() ? s->get_int(0) : 0;
}

template <class... Args>
int run(connection& db, const char* sql, const Args&... args) {
  use s(db, sql);
  int i = 0;
  (s->bind(++i, args), ...);
  s->run();
  return db.changes();
}

std::int64_t read_id(statement& s) { return s.get_int(0); }

}  // namespace

// ---- organization teams ----

std::optional<team_row> find_team(connection& db, std::int64_t id) { return one<team_row>(db, kFindTeam, read_team, id); }

std::optional<team_row> find_team_by_slug(connection& db, std::int64_t org_id, std::string_view slug) {
  return one<team_row>(db, kFindTeamBySlug, read_team, org_id, slug);
}

std::optional<team_row> find_team_by_name(connection& db, std::int64_t org_id, std::string_view name) {
  return one<team_row>(db, kFindTeamByName, read_team, org_id, name);
}

std::vector<team_row> list_teams(connection& db, std::int64_t org_id, std::int64_t offset, std::int64_t limit) {
  return all<team_row>(db, kListTeams, read_team, org_id, offset, limit);
}

std::int64_t count_teams(connection& db, std::int64_t org_id) { return scalar(db, kCountTeams, org_id); }

std::vector<team_row> child_teams(connection& db, std::int64_t team_id) {
  return all<team_row>(db, kChildTeams, read_team, team_id);
}

std::vector<team_row> teams_linked_to(connection& db, std::int64_t group_seq) {
  return all<team_row>(db, kTeamsLinkedTo, read_team, group_seq);
}

void insert_team(connection& db, team_row& t) {
  use s(db, kInsertTeam);
  s->bind(1, t.org_id).bind(2, t.name).bind(3, t.slug).bind(4, t.description).bind(5, t.privacy);
  s->bind(6, t.notification_setting).bind(7, t.permission);
  bind_opt(*s, 8, t.parent_id);
  bind_opt(*s, 9, t.group_seq);
  s->bind(10, t.created).bind(11, t.modified);
  s->run();
  t.id = db.last_insert_rowid();
  t.member_count = 0;
}

void update_team(connection& db, const team_row& t) {
  use s(db, kUpdateTeam);
  s->bind(1, t.id).bind(2, t.name).bind(3, t.slug).bind(4, t.description).bind(5, t.privacy);
  s->bind(6, t.notification_setting).bind(7, t.permission);
  bind_opt(*s, 8, t.parent_id);
  bind_opt(*s, 9, t.group_seq);
  s->bind(10, t.modified);
  s->run();
}

void delete_team_row(connection& db, std::int64_t id) { run(db, kDeleteTeam, id); }

// ---- team membership ----

std::optional<team_member_row> find_team_member(connection& db, std::int64_t team_id, std::int64_t user_id) {
  return one<team_member_row>(
      db, kFindTeamMember,
      [](statement& s) { return team_member_row{s.get_int(0), s.get_int(1), s.get_text(2), s.get_text(3)}; },
      team_id, user_id);
}

bool insert_team_member(connection& db, std::int64_t team_id, std::int64_t user_id, std::string_view role,
                        std::string_view now) {
  if (run(db, kInsertTeamMember, team_id, user_id, role, now) == 0) return false;
  run(db, kBumpTeamCount, team_id, std::int64_t{1});
  return true;
}

bool delete_team_member(connection& db, std::int64_t team_id, std::int64_t user_id) {
  if (run(db, kDeleteTeamMember, team_id, user_id) == 0) return false;
  run(db, kBumpTeamCount, team_id, std::int64_t{-1});
  return true;
}

void set_team_member_role(connection& db, std::int64_t team_id, std::int64_t user_id, std::string_view role) {
  run(db, kSetTeamMemberRole, team_id, user_id, role);
}

std::vector<std::int64_t> team_member_ids(connection& db, std::int64_t team_id) {
  return all<std::int64_t>(db, kTeamMemberIds, read_id, team_id);
}

std::vector<subtree_member> list_subtree_members(connection& db, std::int64_t team_id, std::string_view role_filter,
                                                 std::int64_t offset, std::int64_t limit) {
  return all<subtree_member>(
      db, kListSubtree,
      [](statement& s) {
        return subtree_member{s.get_int(0), s.get_int(1) != 0 ? "maintainer" : "member", s.get_int(2) == 0};
      },
      team_id, role_filter, offset, limit);
}

std::int64_t count_subtree_members(connection& db, std::int64_t team_id, std::string_view role_filter) {
  return scalar(db, kCountSubtree, team_id, role_filter);
}

std::optional<subtree_member> find_subtree_member(connection& db, std::int64_t team_id, std::int64_t user_id) {
  use s(db, kFindSubtree);
  s->bind(1, team_id).bind(2, user_id);
  if (!s->step() || s->get_int(2) == 0) return std::nullopt;
  return subtree_member{user_id, s->get_int(0) != 0 ? "maintainer" : "member", s->get_int(1) == 0};
}

std::vector<user_team> teams_of_user(connection& db, std::int64_t user_id) {
  return all<user_team>(
      db, kTeamsOfUser, [](statement& s) { return user_team{s.get_int(0), s.get_text(1), s.get_text(2)}; }, user_id);
}

// ---- organization membership ----

std::optional<membership_row> find_membership(connection& db, std::int64_t org_id, std::int64_t user_id) {
  return one<membership_row>(db, kFindMembership, read_membership, org_id, user_id);
}

membership_change adjust_membership(connection& db, std::int64_t org_id, std::int64_t user_id, int d_team, int d_ent,
                                    std::string_view now) {
  auto row = find_membership(db, org_id, user_id);
  if (!row) {
    const std::int64_t team = std::max(d_team, 0), ent = std::max(d_ent, 0);
    if (team == 0 && ent == 0) return membership_change::none;
    run(db, kInsertMembership, org_id, user_id, false, team, ent, now);
    return membership_change::joined;
  }
  row->team_count = std::max<std::int64_t>(row->team_count + d_team, 0);
  row->ent_team_count = std::max<std::int64_t>(row->ent_team_count + d_ent, 0);
  if (!row->direct && row->team_count == 0 && row->ent_team_count == 0) {
    run(db, kDeleteMembership, org_id, user_id);
    return membership_change::left;
  }
  run(db, kUpdateMembershipCounts, org_id, user_id, row->direct, row->team_count, row->ent_team_count);
  return membership_change::none;
}

membership_change make_direct_member(connection& db, std::int64_t org_id, std::int64_t user_id, std::string_view now) {
  auto row = find_membership(db, org_id, user_id);
  if (!row) {
    run(db, kInsertMembership, org_id, user_id, true, std::int64_t{0}, std::int64_t{0}, now);
    return membership_change::joined;
  }
  if (!row->direct) run(db, kUpdateMembershipCounts, org_id, user_id, true, row->team_count, row->ent_team_count);
  return membership_change::none;
}

std::vector<membership_row> list_memberships(connection& db, std::int64_t org_id, std::string_view role_filter,
                                             std::int64_t offset, std::int64_t limit) {
  return all<membership_row>(db, kListMemberships, read_membership, org_id, role_filter, offset, limit);
}

std::int64_t count_memberships(connection& db, std::int64_t org_id, std::string_view role_filter) {
  return scalar(db, kCountMemberships, org_id, role_filter);
}

std::vector<membership_row> memberships_of_user(connection& db, std::int64_t user_id) {
  return all<membership_row>(db, kMembershipsOfUser, read_membership, user_id);
}

// ---- users, groups ----

std::optional<account_ref> find_managed_user(connection& db, std::int64_t seq) {
  return one<account_ref>(db, kFindManagedUser, read_managed, seq);
}

std::optional<account_ref> find_managed_user_by_login(connection& db, std::int64_t enterprise_id,
                                                      std::string_view login) {
  return one<account_ref>(db, kFindManagedUserByLogin, read_managed, enterprise_id, login);
}

std::optional<account_ref> find_personal_account(connection& db, std::int64_t id) {
  return one<account_ref>(db, kFindAccount, read_account, id);
}

std::optional<account_ref> find_personal_account_by_login(connection& db, std::string_view login) {
  return one<account_ref>(db, kFindAccountByLogin, read_account, login);
}

std::vector<std::int64_t> groups_of_user(connection& db, std::int64_t user_seq) {
  return all<std::int64_t>(db, kGroupsOfUser, read_id, user_seq);
}

bool in_group(connection& db, std::int64_t group_seq, std::int64_t user_seq) {
  return scalar(db, kInGroup, group_seq, user_seq) != 0;
}

std::vector<std::int64_t> active_group_member_ids(connection& db, std::int64_t group_seq) {
  return all<std::int64_t>(db, kActiveGroupMemberIds, read_id, group_seq);
}

std::optional<group_ref> find_group_by_seq(connection& db, std::int64_t seq) {
  return one<group_ref>(db, kFindGroupBySeq, read_group_ref, seq);
}

std::optional<group_ref> find_group_by_scim_id(connection& db, std::int64_t enterprise_id, std::string_view id) {
  return one<group_ref>(db, kFindGroupByScimId, read_group_ref, enterprise_id, id);
}

std::vector<group_ref> list_groups_from(connection& db, std::int64_t enterprise_id, std::string_view needle,
                                        std::int64_t from_seq, std::int64_t limit) {
  return all<group_ref>(db, kListGroupsFrom, read_group_ref, enterprise_id, needle, from_seq, limit);
}

std::vector<account_ref> active_group_members(connection& db, std::int64_t group_seq, std::int64_t offset,
                                              std::int64_t limit) {
  return all<account_ref>(db, kActiveGroupMembers, read_managed, group_seq, offset, limit);
}

std::int64_t count_active_group_members(connection& db, std::int64_t group_seq) {
  return scalar(db, kCountActiveGroupMembers, group_seq);
}

std::vector<group_member_line> group_member_sample(connection& db, std::int64_t group_seq, std::int64_t limit) {
  return all<group_member_line>(
      db, kGroupMemberSample,
      [](statement& s) { return group_member_line{s.get_text(0), s.get_text(1), s.get_text(2)}; }, group_seq, limit);
}

// ---- enterprise teams ----

std::optional<enterprise_team_row> find_enterprise_team(connection& db, std::int64_t enterprise_id,
                                                        std::string_view slug_or_id) {
  if (auto t = one<enterprise_team_row>(db, kFindEntTeamBySlug, read_ent_team, enterprise_id, slug_or_id)) return t;
  // GitHub also takes "ent:" + slug without the prefix, and the team's numeric id.
  if (!slug_or_id.starts_with("ent:")) {
    const std::string prefixed = "ent:" + std::string(slug_or_id);
    if (auto t = one<enterprise_team_row>(db, kFindEntTeamBySlug, read_ent_team, enterprise_id, prefixed)) return t;
  }
  std::int64_t id = 0;
  for (char c : slug_or_id) {
    if (c < '0' || c > '9' || id > (std::int64_t{1} << 50)) return std::nullopt;
    id = id * 10 + (c - '0');
  }
  if (slug_or_id.empty()) return std::nullopt;
  return one<enterprise_team_row>(db, kFindEntTeamById, read_ent_team, enterprise_id, id);
}

std::optional<enterprise_team_row> find_enterprise_team_by_name(connection& db, std::int64_t enterprise_id,
                                                                std::string_view name) {
  return one<enterprise_team_row>(db, kFindEntTeamByName, read_ent_team, enterprise_id, name);
}

std::vector<enterprise_team_row> list_enterprise_teams(connection& db, std::int64_t enterprise_id,
                                                       std::int64_t offset, std::int64_t limit) {
  return all<enterprise_team_row>(db, kListEntTeams, read_ent_team, enterprise_id, offset, limit);
}

std::int64_t count_enterprise_teams(connection& db, std::int64_t enterprise_id) {
  return scalar(db, kCountEntTeams, enterprise_id);
}

std::vector<enterprise_team_row> enterprise_teams_linked_to(connection& db, std::int64_t group_seq) {
  return all<enterprise_team_row>(db, kEntTeamsLinkedTo, read_ent_team, group_seq);
}

std::vector<enterprise_team_row> enterprise_teams_selecting_all(connection& db, std::int64_t enterprise_id) {
  return all<enterprise_team_row>(db, kEntTeamsSelectingAll, read_ent_team, enterprise_id);
}

void insert_enterprise_team(connection& db, enterprise_team_row& t) {
  use s(db, kInsertEntTeam);
  s->bind(1, t.enterprise_id).bind(2, t.name).bind(3, t.slug).bind(4, t.description);
  s->bind(5, t.organization_selection_type).bind(6, t.notification_setting);
  bind_opt(*s, 7, t.group_seq);
  s->bind(8, t.created).bind(9, t.modified);
  s->run();
  t.id = db.last_insert_rowid();
  t.member_count = 0;
}

void update_enterprise_team(connection& db, const enterprise_team_row& t) {
  use s(db, kUpdateEntTeam);
  s->bind(1, t.id).bind(2, t.name).bind(3, t.slug).bind(4, t.description);
  s->bind(5, t.organization_selection_type).bind(6, t.notification_setting);
  bind_opt(*s, 7, t.group_seq);
  s->bind(8, t.modified);
  s->run();
}

void delete_enterprise_team_row(connection& db, std::int64_t id) { run(db, kDeleteEntTeam, id); }

bool insert_enterprise_team_member(connection& db, std::int64_t team_id, std::int64_t user_id, std::string_view now) {
  if (run(db, kInsertEntMember, team_id, user_id, now) == 0) return false;
  run(db, kBumpEntCount, team_id, std::int64_t{1});
  return true;
}

bool delete_enterprise_team_member(connection& db, std::int64_t team_id, std::int64_t user_id) {
  if (run(db, kDeleteEntMember, team_id, user_id) == 0) return false;
  run(db, kBumpEntCount, team_id, std::int64_t{-1});
  return true;
}

bool is_enterprise_team_member(connection& db, std::int64_t team_id, std::int64_t user_id) {
  return scalar(db, kIsEntMember, team_id, user_id) != 0;
}

std::vector<std::int64_t> enterprise_team_member_ids(connection& db, std::int64_t team_id, std::int64_t offset,
                                                     std::int64_t limit) {
  return all<std::int64_t>(db, kEntMemberIds, read_id, team_id, offset, limit);
}

std::vector<std::int64_t> enterprise_teams_of_user(connection& db, std::int64_t user_id) {
  return all<std::int64_t>(db, kEntTeamsOfUser, read_id, user_id);
}

bool insert_enterprise_team_org(connection& db, std::int64_t team_id, std::int64_t org_id, std::string_view now) {
  return run(db, kInsertEntOrg, team_id, org_id, now) > 0;
}

bool delete_enterprise_team_org(connection& db, std::int64_t team_id, std::int64_t org_id) {
  return run(db, kDeleteEntOrg, team_id, org_id) > 0;
}

bool is_enterprise_team_org(connection& db, std::int64_t team_id, std::int64_t org_id) {
  return scalar(db, kIsEntOrg, team_id, org_id) != 0;
}

std::vector<std::int64_t> enterprise_team_org_ids(connection& db, std::int64_t team_id) {
  return all<std::int64_t>(db, kEntOrgIds, read_id, team_id);
}

std::vector<std::string> enterprise_team_slugs_for(connection& db, std::int64_t org_id, std::int64_t user_id,
                                                   std::int64_t limit) {
  return all<std::string>(db, kEntSlugsFor, [](statement& s) { return s.get_text(0); }, org_id, user_id, limit);
}

void reset_enterprise_teams(connection& db, std::int64_t enterprise_id) {
  for (const char* sql : {kResetTeamMembers, kResetTeams, kResetOrgMembers, kResetEntTeams}) run(db, sql, enterprise_id);
}

}  // namespace emuscim::store
