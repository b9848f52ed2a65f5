#include "emuscim/store/repo.hpp"

#include <sstream>

namespace emuscim::store {

namespace {

// ---- SQL: named constants only; every value is bound. ----

constexpr const char* kFindEnterprise =
    "SELECT id, slug, short_code, created, user_count, group_count FROM enterprises WHERE slug = ?1";
constexpr const char* kFindEnterpriseById =
    "SELECT id, slug, short_code, created, user_count, group_count FROM enterprises WHERE id = ?1";
constexpr const char* kListEnterprises =
    "SELECT id, slug, short_code, created, user_count, group_count FROM enterprises ORDER BY id";
constexpr const char* kInsertEnterprise = "INSERT INTO enterprises(slug, short_code, created) VALUES (?1, ?2, ?3)";
constexpr const char* kDeleteEnterprise = "DELETE FROM enterprises WHERE id = ?1";
constexpr const char* kResetMemberships =
    "DELETE FROM memberships WHERE group_seq IN (SELECT seq FROM groups WHERE enterprise_id = ?1)";
constexpr const char* kResetGroups = "DELETE FROM groups WHERE enterprise_id = ?1";
constexpr const char* kResetUsers = "DELETE FROM users WHERE enterprise_id = ?1";
constexpr const char* kResetCounts = "UPDATE enterprises SET user_count = 0, group_count = 0 WHERE id = ?1";
constexpr const char* kBumpUserCount = "UPDATE enterprises SET user_count = user_count + ?2 WHERE id = ?1";
constexpr const char* kBumpGroupCount = "UPDATE enterprises SET group_count = group_count + ?2 WHERE id = ?1";

#define EMUSCIM_TOKEN_COLUMNS "id, enterprise_id, hash, scopes, label, created, revoked, org_id"
constexpr const char* kFindTokenByHash = "SELECT " EMUSCIM_TOKEN_COLUMNS " FROM tokens WHERE hash = ?1";
constexpr const char* kListTokens =
    "SELECT " EMUSCIM_TOKEN_COLUMNS " FROM tokens WHERE enterprise_id = ?1 ORDER BY id";
constexpr const char* kListOrgTokens = "SELECT " EMUSCIM_TOKEN_COLUMNS " FROM tokens WHERE org_id = ?1 ORDER BY id";
constexpr const char* kInsertOrgToken =
    "INSERT INTO tokens(org_id, hash, scopes, label, created) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(hash) DO NOTHING";
constexpr const char* kRevokeOrgToken =
    "UPDATE tokens SET revoked = ?3 WHERE org_id = ?1 AND id = ?2 AND revoked IS NULL";
constexpr const char* kInsertToken =
    "INSERT INTO tokens(enterprise_id, hash, scopes, label, created) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(hash) DO NOTHING";
constexpr const char* kRevokeToken =
    "UPDATE tokens SET revoked = ?3 WHERE enterprise_id = ?1 AND id = ?2 AND revoked IS NULL";

#define EMUSCIM_USER_COLUMNS                                                                                   \
  "seq, enterprise_id, id, user_name, external_id, display_name, login, current_login, email, active, role, " \
  "doc, created, modified"
constexpr const char* kFindUser = "SELECT " EMUSCIM_USER_COLUMNS " FROM users WHERE id = ?2 AND enterprise_id = ?1";
constexpr const char* kFindUserByUserName =
    "SELECT " EMUSCIM_USER_COLUMNS " FROM users WHERE enterprise_id = ?1 AND user_name = ?2";
constexpr const char* kFindUserByExternalId =
    "SELECT " EMUSCIM_USER_COLUMNS " FROM users WHERE enterprise_id = ?1 AND external_id = ?2";
constexpr const char* kFindUserByLogin =
    "SELECT " EMUSCIM_USER_COLUMNS " FROM users WHERE enterprise_id = ?1 AND current_login = ?2";
constexpr const char* kUserSeq = "SELECT seq FROM users WHERE id = ?2 AND enterprise_id = ?1";
constexpr const char* kInsertUser =
    "INSERT INTO users(enterprise_id, id, user_name, external_id, display_name, login, current_login, email, "
    "active, role, doc, created, modified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
constexpr const char* kUpdateUser =
    "UPDATE users SET user_name = ?2, external_id = ?3, display_name = ?4, login = ?5, current_login = ?6, "
    "email = ?7, active = ?8, role = ?9, doc = ?10, modified = ?11 WHERE seq = ?1";
constexpr const char* kTouchGroupsOfUser =
    "UPDATE groups SET member_count = member_count - 1, modified = ?2 "
    "WHERE seq IN (SELECT group_seq FROM memberships WHERE user_seq = ?1)";
constexpr const char* kDeleteMembershipsOfUser = "DELETE FROM memberships WHERE user_seq = ?1";
constexpr const char* kDeleteUser = "DELETE FROM users WHERE seq = ?1";
constexpr const char* kListUsersOffset =
    "SELECT " EMUSCIM_USER_COLUMNS " FROM users WHERE enterprise_id = ?1 ORDER BY seq LIMIT ?3 OFFSET ?2";
constexpr const char* kListUsersAfter =
    "SELECT " EMUSCIM_USER_COLUMNS " FROM users WHERE enterprise_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3 OFFSET ?4";
constexpr const char* kUserCount = "SELECT user_count FROM enterprises WHERE id = ?1";
constexpr const char* kListUsersById =
    "SELECT " EMUSCIM_USER_COLUMNS " FROM users WHERE enterprise_id = ?1 AND id = ?2 ORDER BY seq LIMIT ?4 OFFSET ?3";
constexpr const char* kCountUsersById = "SELECT count(*) FROM users WHERE enterprise_id = ?1 AND id = ?2";
constexpr const char* kListUsersByUserName =
    "SELECT " EMUSCIM_USER_COLUMNS
    " FROM users WHERE enterprise_id = ?1 AND user_name = ?2 ORDER BY seq LIMIT ?4 OFFSET ?3";
constexpr const char* kCountUsersByUserName = "SELECT count(*) FROM users WHERE enterprise_id = ?1 AND user_name = ?2";
constexpr const char* kListUsersByExternalId =
    "SELECT " EMUSCIM_USER_COLUMNS
    " FROM users WHERE enterprise_id = ?1 AND external_id = ?2 ORDER BY seq LIMIT ?4 OFFSET ?3";
constexpr const char* kCountUsersByExternalId =
    "SELECT count(*) FROM users WHERE enterprise_id = ?1 AND external_id = ?2";
constexpr const char* kListUsersByDisplayName =
    "SELECT " EMUSCIM_USER_COLUMNS
    " FROM users WHERE enterprise_id = ?1 AND display_name = ?2 ORDER BY seq LIMIT ?4 OFFSET ?3";
constexpr const char* kCountUsersByDisplayName =
    "SELECT count(*) FROM users WHERE enterprise_id = ?1 AND display_name = ?2";
constexpr const char* kUserGroupIds =
    "SELECT g.id FROM memberships m JOIN groups g ON g.seq = m.group_seq WHERE m.user_seq = ?1 ORDER BY g.seq";

#define EMUSCIM_GROUP_COLUMNS "seq, enterprise_id, id, display_name, external_id, member_count, doc, created, modified"
constexpr const char* kFindGroup = "SELECT " EMUSCIM_GROUP_COLUMNS " FROM groups WHERE id = ?2 AND enterprise_id = ?1";
constexpr const char* kFindGroupByDisplayName =
    "SELECT " EMUSCIM_GROUP_COLUMNS " FROM groups WHERE enterprise_id = ?1 AND display_name = ?2";
constexpr const char* kFindGroupByExternalId =
    "SELECT " EMUSCIM_GROUP_COLUMNS " FROM groups WHERE enterprise_id = ?1 AND external_id = ?2";
constexpr const char* kInsertGroup =
    "INSERT INTO groups(enterprise_id, id, display_name, external_id, member_count, doc, created, modified) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kUpdateGroup =
    "UPDATE groups SET display_name = ?2, external_id = ?3, doc = ?4, modified = ?5, member_count = ?6 WHERE seq = ?1";
constexpr const char* kDeleteMembershipsOfGroup = "DELETE FROM memberships WHERE group_seq = ?1";
constexpr const char* kDeleteGroup = "DELETE FROM groups WHERE seq = ?1";
constexpr const char* kListGroupsOffset =
    "SELECT " EMUSCIM_GROUP_COLUMNS " FROM groups WHERE enterprise_id = ?1 ORDER BY seq LIMIT ?3 OFFSET ?2";
constexpr const char* kListGroupsAfter =
    "SELECT " EMUSCIM_GROUP_COLUMNS " FROM groups WHERE enterprise_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3 OFFSET ?4";
constexpr const char* kGroupCount = "SELECT group_count FROM enterprises WHERE id = ?1";
constexpr const char* kListGroupsById =
    "SELECT " EMUSCIM_GROUP_COLUMNS " FROM groups WHERE enterprise_id = ?1 AND id = ?2 ORDER BY seq LIMIT ?4 OFFSET ?3";
constexpr const char* kCountGroupsById = "SELECT count(*) FROM groups WHERE enterprise_id = ?1 AND id = ?2";
constexpr const char* kListGroupsByDisplayName =
    "SELECT " EMUSCIM_GROUP_COLUMNS
    " FROM groups WHERE enterprise_id = ?1 AND display_name = ?2 ORDER BY seq LIMIT ?4 OFFSET ?3";
constexpr const char* kCountGroupsByDisplayName =
    "SELECT count(*) FROM groups WHERE enterprise_id = ?1 AND display_name = ?2";
constexpr const char* kListGroupsByExternalId =
    "SELECT " EMUSCIM_GROUP_COLUMNS
    " FROM groups WHERE enterprise_id = ?1 AND external_id = ?2 ORDER BY seq LIMIT ?4 OFFSET ?3";
constexpr const char* kCountGroupsByExternalId =
    "SELECT count(*) FROM groups WHERE enterprise_id = ?1 AND external_id = ?2";

constexpr const char* kAddMember = "INSERT OR IGNORE INTO memberships(group_seq, user_seq) VALUES (?1, ?2)";
constexpr const char* kRemoveMember = "DELETE FROM memberships WHERE group_seq = ?1 AND user_seq = ?2";
constexpr const char* kListMembers =
    "SELECT u.id, u.display_name FROM memberships m JOIN users u ON u.seq = m.user_seq "
    "WHERE m.group_seq = ?1 ORDER BY m.user_seq";

constexpr const char* kInsertAudit =
    "INSERT INTO audit_events(enterprise_id, created, action, actor_token_id, request_id, resource_id, success, "
    "data, org_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
// Optional filters are bound as NULL when absent, so one statement serves every query shape.
#define EMUSCIM_AUDIT_QUERY(scope)                                                                                \
  "SELECT seq, enterprise_id, created, action, actor_token_id, request_id, resource_id, success, data, org_id "  \
  "FROM audit_events WHERE " scope " = ?1 "                                                                     \
  "AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR substr(action, 1, length(?3)) = ?3) "                    \
  "AND (?4 IS NULL OR created >= ?4) AND (?5 IS NULL OR created < ?5) AND (?6 IS NULL OR seq < ?6) "           \
  "ORDER BY seq DESC LIMIT ?7"
constexpr const char* kListAudit = EMUSCIM_AUDIT_QUERY("enterprise_id");
constexpr const char* kListOrgAudit = EMUSCIM_AUDIT_QUERY("org_id");

// ---- row mappers ----

enterprise_row read_enterprise(statement& s) {
  return {s.get_int(0), s.get_text(1), s.get_text(2), s.get_text(3), s.get_int(4), s.get_int(5)};
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

token_row read_token(statement& s) {
  token_row t;
  t.id = s.get_int(0);
  t.enterprise_id = s.get_int(1);
  auto h = s.get_text_view(2);
  t.hash.assign(h.begin(), h.end());
  t.scopes = split_scopes(s.get_text_view(3));
  t.label = s.get_opt_text(4);
  t.created = s.get_text(5);
  t.revoked = s.get_opt_text(6);
  if (!s.is_null(7)) t.org_id = s.get_int(7);
  return t;
}

user_row read_user(statement& s) {
  user_row u;
  u.seq = s.get_int(0);
  u.enterprise_id = s.get_int(1);
  u.id = s.get_text(2);
  u.user_name = s.get_text(3);
  u.external_id = s.get_opt_text(4);
  u.display_name = s.get_opt_text(5);
  u.login = s.get_text(6);
  u.current_login = s.get_text(7);
  u.email = s.get_opt_text(8);
  u.active = s.get_int(9) != 0;
  u.role = s.get_opt_text(10);
  u.doc = s.get_text(11);
  u.created = s.get_text(12);
  u.modified = s.get_text(13);
  return u;
}

group_row read_group(statement& s) {
  group_row g;
  g.seq = s.get_int(0);
  g.enterprise_id = s.get_int(1);
  g.id = s.get_text(2);
  g.display_name = s.get_text(3);
  g.external_id = s.get_opt_text(4);
  g.member_count = s.get_int(5);
  g.doc = s.get_text(6);
  g.created = s.get_text(7);
  g.modified = s.get_text(8);
  return g;
}

template <class Row, class Reader>
std::optional<Row> one(connection& db, const char* sql, std::int64_t enterprise_id, std::string_view value,
                       Reader reader) {
  use s(db, sql);
  s->bind(1, enterprise_id).bind(2, value);
  if (!s->step()) return std::nullopt;
  return reader(*s);
}

template <class Page, class Reader>
Page page_where(connection& db, const char* list_sql, const char* count_sql, std::int64_t enterprise_id,
                std::string_view value, std::int64_t offset, std::int64_t count, Reader reader) {
  Page page;
  {
    use c(db, count_sql);
    c->bind(1, enterprise_id).bind(2, value);
    if (c->step()) page.total = c->get_int(0);
  }
  if (count > 0 && offset < page.total) {
    use s(db, list_sql);
    s->bind(1, enterprise_id).bind(2, value).bind(3, offset).bind(4, count);
    while (s->step()) page.rows.push_back(reader(*s));
  }
  if (!page.rows.empty()) page.last_seq = page.rows.back().seq;
  return page;
}

template <class Page, class Reader>
Page page_all(connection& db, const char* offset_sql, const char* after_sql, const char* count_sql,
              std::int64_t enterprise_id, std::int64_t offset, std::int64_t count,
              std::optional<std::int64_t> after_seq, std::int64_t skip, Reader reader) {
  Page page;
  {
    use c(db, count_sql);
    c->bind(1, enterprise_id);
    if (c->step()) page.total = c->get_int(0);
  }
  if (count > 0 && offset < page.total) {
    if (after_seq) {
      use s(db, after_sql);
      s->bind(1, enterprise_id).bind(2, *after_seq).bind(3, count).bind(4, skip);
      while (s->step()) page.rows.push_back(reader(*s));
    } else {
      use s(db, offset_sql);
      s->bind(1, enterprise_id).bind(2, offset).bind(3, count);
      while (s->step()) page.rows.push_back(reader(*s));
    }
  }
  if (!page.rows.empty()) page.last_seq = page.rows.back().seq;
  return page;
}

}  // namespace

// ---- enterprises ----

std::optional<enterprise_row> find_enterprise(connection& db, std::string_view slug) {
  use s(db, kFindEnterprise);
  s->bind(1, slug);
  if (!s->step()) return std::nullopt;
  return read_enterprise(*s);
}

std::optional<enterprise_row> find_enterprise_by_id(connection& db, std::int64_t id) {
  use s(db, kFindEnterpriseById);
  s->bind(1, id);
  if (!s->step()) return std::nullopt;
  return read_enterprise(*s);
}

std::vector<enterprise_row> list_enterprises(connection& db) {
  std::vector<enterprise_row> out;
  use s(db, kListEnterprises);
  while (s->step()) out.push_back(read_enterprise(*s));
  return out;
}

std::pair<enterprise_row, bool> ensure_enterprise(connection& db, std::string_view slug, std::string_view short_code,
                                                  std::string_view now) {
  if (auto e = find_enterprise(db, slug)) return {*e, false};
  {
    use s(db, kInsertEnterprise);
    s->bind(1, slug).bind(2, short_code).bind(3, now);
    s->run();
  }
  return {*find_enterprise(db, slug), true};
}

bool delete_enterprise(connection& db, std::int64_t enterprise_id) {
  reset_enterprise(db, enterprise_id);
  use s(db, kDeleteEnterprise);
  s->bind(1, enterprise_id);
  s->run();
  return db.changes() > 0;
}

void reset_enterprise(connection& db, std::int64_t enterprise_id) {
  for (const char* sql : {kResetMemberships, kResetGroups, kResetUsers, kResetCounts}) {
    use s(db, sql);
    s->bind(1, enterprise_id);
    s->run();
  }
}

// ---- tokens ----

std::optional<token_row> find_token_by_hash(connection& db, std::span<const unsigned char> hash) {
  use s(db, kFindTokenByHash);
  s->bind(1, hash);
  if (!s->step()) return std::nullopt;
  return read_token(*s);
}

std::vector<token_row> list_tokens(connection& db, std::int64_t enterprise_id) {
  std::vector<token_row> out;
  use s(db, kListTokens);
  s->bind(1, enterprise_id);
  while (s->step()) out.push_back(read_token(*s));
  return out;
}

std::int64_t insert_token(connection& db, std::int64_t enterprise_id, std::span<const unsigned char> hash,
                          const std::vector<std::string>& scopes, const std::optional<std::string>& label,
                          std::string_view now) {
  {
    use s(db, kInsertToken);
    s->bind(1, enterprise_id).bind(2, hash).bind(3, join_scopes(scopes)).bind(4, label).bind(5, now);
    s->run();
  }
  return find_token_by_hash(db, hash)->id;
}

bool revoke_token(connection& db, std::int64_t enterprise_id, std::int64_t token_id, std::string_view now) {
  use s(db, kRevokeToken);
  s->bind(1, enterprise_id).bind(2, token_id).bind(3, now);
  s->run();
  return db.changes() > 0;
}

std::vector<token_row> list_org_tokens(connection& db, std::int64_t org_id) {
  std::vector<token_row> out;
  use s(db, kListOrgTokens);
  s->bind(1, org_id);
  while (s->step()) out.push_back(read_token(*s));
  return out;
}

std::int64_t insert_org_token(connection& db, std::int64_t org_id, std::span<const unsigned char> hash,
                              const std::vector<std::string>& scopes, const std::optional<std::string>& label,
                              std::string_view now) {
  {
    use s(db, kInsertOrgToken);
    s->bind(1, org_id).bind(2, hash).bind(3, join_scopes(scopes)).bind(4, label).bind(5, now);
    s->run();
  }
  return find_token_by_hash(db, hash)->id;
}

bool revoke_org_token(connection& db, std::int64_t org_id, std::int64_t token_id, std::string_view now) {
  use s(db, kRevokeOrgToken);
  s->bind(1, org_id).bind(2, token_id).bind(3, now);
  s->run();
  return db.changes() > 0;
}

// ---- users ----

std::optional<user_row> find_user(connection& db, std::int64_t enterprise_id, std::string_view id) {
  return one<user_row>(db, kFindUser, enterprise_id, id, read_user);
}
std::optional<user_row> find_user_by_user_name(connection& db, std::int64_t enterprise_id, std::string_view v) {
  return one<user_row>(db, kFindUserByUserName, enterprise_id, v, read_user);
}
std::optional<user_row> find_user_by_external_id(connection& db, std::int64_t enterprise_id, std::string_view v) {
  return one<user_row>(db, kFindUserByExternalId, enterprise_id, v, read_user);
}
std::optional<user_row> find_user_by_login(connection& db, std::int64_t enterprise_id, std::string_view v) {
  return one<user_row>(db, kFindUserByLogin, enterprise_id, v, read_user);
}

std::optional<std::int64_t> user_seq(connection& db, std::int64_t enterprise_id, std::string_view id) {
  use s(db, kUserSeq);
  s->bind(1, enterprise_id).bind(2, id);
  if (!s->step()) return std::nullopt;
  return s->get_int(0);
}

void insert_user(connection& db, user_row& u) {
  {
    use s(db, kInsertUser);
    s->bind(1, u.enterprise_id).bind(2, u.id).bind(3, u.user_name).bind(4, u.external_id).bind(5, u.display_name);
    s->bind(6, u.login).bind(7, u.current_login).bind(8, u.email).bind(9, u.active).bind(10, u.role);
    s->bind(11, u.doc).bind(12, u.created).bind(13, u.modified);
    s->run();
  }
  u.seq = db.last_insert_rowid();
  use c(db, kBumpUserCount);
  c->bind(1, u.enterprise_id).bind(2, std::int64_t{1});
  c->run();
}

void update_user(connection& db, const user_row& u) {
  use s(db, kUpdateUser);
  s->bind(1, u.seq).bind(2, u.user_name).bind(3, u.external_id).bind(4, u.display_name).bind(5, u.login);
  s->bind(6, u.current_login).bind(7, u.email).bind(8, u.active).bind(9, u.role).bind(10, u.doc).bind(11, u.modified);
  s->run();
}

void delete_user(connection& db, const user_row& u, std::string_view now) {
  {
    use s(db, kTouchGroupsOfUser);
    s->bind(1, u.seq).bind(2, now);
    s->run();
  }
  {
    use s(db, kDeleteMembershipsOfUser);
    s->bind(1, u.seq);
    s->run();
  }
  {
    use s(db, kDeleteUser);
    s->bind(1, u.seq);
    s->run();
  }
  use c(db, kBumpUserCount);
  c->bind(1, u.enterprise_id).bind(2, std::int64_t{-1});
  c->run();
}

user_page list_users(connection& db, std::int64_t enterprise_id, std::int64_t offset, std::int64_t count,
                     std::optional<std::int64_t> after_seq, std::int64_t skip) {
  return page_all<user_page>(db, kListUsersOffset, kListUsersAfter, kUserCount, enterprise_id, offset, count,
                             after_seq, skip, read_user);
}

user_page list_users_where(connection& db, std::int64_t enterprise_id, user_key key, std::string_view value,
                           std::int64_t offset, std::int64_t count) {
  switch (key) {
    case user_key::id:
      return page_where<user_page>(db, kListUsersById, kCountUsersById, enterprise_id, value, offset, count, read_user);
    case user_key::user_name:
      return page_where<user_page>(db, kListUsersByUserName, kCountUsersByUserName, enterprise_id, value, offset,
                                   count, read_user);
    case user_key::external_id:
      return page_where<user_page>(db, kListUsersByExternalId, kCountUsersByExternalId, enterprise_id, value, offset,
                                   count, read_user);
    case user_key::display_name:
      return page_where<user_page>(db, kListUsersByDisplayName, kCountUsersByDisplayName, enterprise_id, value,
                                   offset, count, read_user);
  }
  return {};
}

std::vector<std::string> user_group_ids(connection& db, std::int64_t seq) {
  std::vector<std::string> out;
  use s(db, kUserGroupIds);
  s->bind(1, seq);
  while (s->step()) out.push_back(s->get_text(0));
  return out;
}

// ---- groups ----

std::optional<group_row> find_group(connection& db, std::int64_t enterprise_id, std::string_view id) {
  return one<group_row>(db, kFindGroup, enterprise_id, id, read_group);
}
std::optional<group_row> find_group_by_display_name(connection& db, std::int64_t enterprise_id, std::string_view v) {
  return one<group_row>(db, kFindGroupByDisplayName, enterprise_id, v, read_group);
}
std::optional<group_row> find_group_by_external_id(connection& db, std::int64_t enterprise_id, std::string_view v) {
  return one<group_row>(db, kFindGroupByExternalId, enterprise_id, v, read_group);
}

void insert_group(connection& db, group_row& g) {
  {
    use s(db, kInsertGroup);
    s->bind(1, g.enterprise_id).bind(2, g.id).bind(3, g.display_name).bind(4, g.external_id);
    s->bind(5, g.member_count).bind(6, g.doc).bind(7, g.created).bind(8, g.modified);
    s->run();
  }
  g.seq = db.last_insert_rowid();
  use c(db, kBumpGroupCount);
  c->bind(1, g.enterprise_id).bind(2, std::int64_t{1});
  c->run();
}

void update_group(connection& db, const group_row& g) {
  use s(db, kUpdateGroup);
  s->bind(1, g.seq).bind(2, g.display_name).bind(3, g.external_id).bind(4, g.doc).bind(5, g.modified);
  s->bind(6, g.member_count);
  s->run();
}

void delete_group(connection& db, const group_row& g) {
  {
    use s(db, kDeleteMembershipsOfGroup);
    s->bind(1, g.seq);
    s->run();
  }
  {
    use s(db, kDeleteGroup);
    s->bind(1, g.seq);
    s->run();
  }
  use c(db, kBumpGroupCount);
  c->bind(1, g.enterprise_id).bind(2, std::int64_t{-1});
  c->run();
}

group_page list_groups(connection& db, std::int64_t enterprise_id, std::int64_t offset, std::int64_t count,
                       std::optional<std::int64_t> after_seq, std::int64_t skip) {
  return page_all<group_page>(db, kListGroupsOffset, kListGroupsAfter, kGroupCount, enterprise_id, offset, count,
                              after_seq, skip, read_group);
}

group_page list_groups_where(connection& db, std::int64_t enterprise_id, group_key key, std::string_view value,
                             std::int64_t offset, std::int64_t count) {
  switch (key) {
    case group_key::id:
      return page_where<group_page>(db, kListGroupsById, kCountGroupsById, enterprise_id, value, offset, count,
                                    read_group);
    case group_key::display_name:
      return page_where<group_page>(db, kListGroupsByDisplayName, kCountGroupsByDisplayName, enterprise_id, value,
                                    offset, count, read_group);
    case group_key::external_id:
      return page_where<group_page>(db, kListGroupsByExternalId, kCountGroupsByExternalId, enterprise_id, value,
                                    offset, count, read_group);
  }
  return {};
}

int add_member(connection& db, std::int64_t group_seq, std::int64_t user_seq_) {
  use s(db, kAddMember);
  s->bind(1, group_seq).bind(2, user_seq_);
  s->run();
  return db.changes();
}

int remove_member(connection& db, std::int64_t group_seq, std::int64_t user_seq_) {
  use s(db, kRemoveMember);
  s->bind(1, group_seq).bind(2, user_seq_);
  s->run();
  return db.changes();
}

int clear_members(connection& db, std::int64_t group_seq) {
  use s(db, kDeleteMembershipsOfGroup);
  s->bind(1, group_seq);
  s->run();
  return db.changes();
}

std::vector<member_row> list_members(connection& db, std::int64_t group_seq) {
  std::vector<member_row> out;
  use s(db, kListMembers);
  s->bind(1, group_seq);
  while (s->step()) out.push_back({s->get_text(0), s->get_opt_text(1)});
  return out;
}

// ---- audit ----

void insert_audit(connection& db, const audit_row& a) {
  use s(db, kInsertAudit);
  if (a.enterprise_id != 0) {
    s->bind(1, a.enterprise_id);
  } else {
    s->bind_null(1);
  }
  s->bind(2, a.created).bind(3, a.action);
  if (a.org_id) {
    s->bind(9, *a.org_id);
  } else {
    s->bind_null(9);
  }
  if (a.actor_token_id) {
    s->bind(4, *a.actor_token_id);
  } else {
    s->bind_null(4);
  }
  s->bind(5, a.request_id).bind(6, a.resource_id).bind(7, a.success).bind(8, a.data.empty() ? "{}" : a.data);
  s->run();
}

namespace {
std::vector<audit_row> list_audit_where(connection& db, const char* sql, std::int64_t key, const audit_query& q) {
  std::vector<audit_row> out;
  use s(db, sql);
  s->bind(1, key);
  std::optional<std::string> exact, prefix;
  if (q.action) {
    const std::string& a = *q.action;
    if (!a.empty() && a.back() == '*') {
      prefix = a.substr(0, a.size() - 1);
    } else if (!a.empty() && a.back() == '.') {
      prefix = a;
    } else {
      exact = a;
    }
  }
  s->bind(2, exact).bind(3, prefix).bind(4, q.since).bind(5, q.until);
  if (q.before_seq) {
    s->bind(6, *q.before_seq);
  } else {
    s->bind_null(6);
  }
  s->bind(7, q.limit);
  while (s->step()) {
    audit_row a;
    a.seq = s->get_int(0);
    a.enterprise_id = s->get_int(1);
    a.created = s->get_text(2);
    a.action = s->get_text(3);
    if (!s->is_null(4)) a.actor_token_id = s->get_int(4);
    a.request_id = s->get_opt_text(5).value_or("");
    a.resource_id = s->get_opt_text(6).value_or("");
    a.success = s->get_int(7) != 0;
    a.data = s->get_text(8);
    if (!s->is_null(9)) a.org_id = s->get_int(9);
    out.push_back(std::move(a));
  }
  return out;
}
}  // namespace

std::vector<audit_row> list_audit(connection& db, std::int64_t enterprise_id, const audit_query& q) {
  return list_audit_where(db, kListAudit, enterprise_id, q);
}

std::vector<audit_row> list_org_audit(connection& db, std::int64_t org_id, const audit_query& q) {
  return list_audit_where(db, kListOrgAudit, org_id, q);
}

}  // namespace emuscim::store
