#include "emuscim/store/orgs.hpp"

namespace emuscim::store {

namespace {

#define EMUSCIM_ORG_COLUMNS "id, login, enterprise_id, sso, created"
constexpr const char* kFindOrg = "SELECT " EMUSCIM_ORG_COLUMNS " FROM orgs WHERE login = ?1";
constexpr const char* kFindOrgById = "SELECT " EMUSCIM_ORG_COLUMNS " FROM orgs WHERE id = ?1";
constexpr const char* kListOrgsOfEnterprise =
    "SELECT " EMUSCIM_ORG_COLUMNS " FROM orgs WHERE enterprise_id = ?1 ORDER BY id";
constexpr const char* kListStandaloneOrgs =
    "SELECT " EMUSCIM_ORG_COLUMNS " FROM orgs WHERE enterprise_id IS NULL ORDER BY id";
constexpr const char* kListAllOrgs = "SELECT " EMUSCIM_ORG_COLUMNS " FROM orgs ORDER BY id";
constexpr const char* kInsertOrg = "INSERT INTO orgs(login, enterprise_id, sso, created) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kDeleteOrg = "DELETE FROM orgs WHERE id = ?1";
constexpr const char* kDeleteOrgAudit = "DELETE FROM audit_events WHERE org_id = ?1 AND enterprise_id IS NULL";

#define EMUSCIM_ACCOUNT_COLUMNS "id, login, name, email, created"
constexpr const char* kFindAccount = "SELECT " EMUSCIM_ACCOUNT_COLUMNS " FROM accounts WHERE login = ?1";
constexpr const char* kFindAccountById = "SELECT " EMUSCIM_ACCOUNT_COLUMNS " FROM accounts WHERE id = ?1";
constexpr const char* kInsertAccount =
    "INSERT INTO accounts(id, login, name, email, created) "
    "VALUES ((SELECT COALESCE(MAX(id), ?5 - 1) + 1 FROM accounts), ?1, ?2, ?3, ?4)";

#define EMUSCIM_MEMBER_COLUMNS "org_id, user_id, role, direct, created"
constexpr const char* kFindMember =
    "SELECT " EMUSCIM_MEMBER_COLUMNS " FROM org_members WHERE org_id = ?1 AND user_id = ?2";
constexpr const char* kUpsertMember =
    "INSERT INTO org_members(org_id, user_id, role, direct, created) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(org_id, user_id) DO UPDATE SET role = excluded.role, direct = excluded.direct";
constexpr const char* kDeleteMember = "DELETE FROM org_members WHERE org_id = ?1 AND user_id = ?2";
constexpr const char* kListMembers =
    "SELECT " EMUSCIM_MEMBER_COLUMNS " FROM org_members WHERE org_id = ?1 AND user_id > ?2 ORDER BY user_id LIMIT ?3";
constexpr const char* kCountMembers = "SELECT count(*) FROM org_members WHERE org_id = ?1";
constexpr const char* kOrgsOfUser = "SELECT " EMUSCIM_MEMBER_COLUMNS " FROM org_members WHERE user_id = ?1 ORDER BY org_id";

org_row read_org(statement& s) {
  org_row o;
  o.id = s.get_int(0);
  o.login = s.get_text(1);
  if (!s.is_null(2)) o.enterprise_id = s.get_int(2);
  o.sso = s.get_int(3) != 0;
  o.created = s.get_text(4);
  return o;
}

account_row read_account(statement& s) {
  return {s.get_int(0), s.get_text(1), s.get_opt_text(2), s.get_opt_text(3), s.get_text(4)};
}

org_member_row read_member(statement& s) {
  return {s.get_int(0), s.get_int(1), s.get_text(2), s.get_int(3) != 0, s.get_text(4)};
}

template <class Row, class Key, class Reader>
std::optional<Row> one(connection& db, const char* sql, const Key& key, Reader reader) {
  use s(db, sql);
  s->bind(1, key);
  if (!s->step()) return std::nullopt;
  return reader(*s);
}

}  // namespace

std::optional<org_row> find_org(connection& db, std::string_view login) {
  return one<org_row>(db, kFindOrg, login, read_org);
}

std::optional<org_row> find_org_by_id(connection& db, std::int64_t id) {
  return one<org_row>(db, kFindOrgById, id, read_org);
}

std::vector<org_row> list_orgs(connection& db, std::optional<std::int64_t> enterprise_id) {
  std::vector<org_row> out;
  use s(db, enterprise_id ? kListOrgsOfEnterprise : kListStandaloneOrgs);
  if (enterprise_id) s->bind(1, *enterprise_id);
  while (s->step()) out.push_back(read_org(*s));
  return out;
}

std::vector<org_row> list_all_orgs(connection& db) {
  std::vector<org_row> out;
  use s(db, kListAllOrgs);
  while (s->step()) out.push_back(read_org(*s));
  return out;
}

org_row insert_org(connection& db, std::string_view login, std::optional<std::int64_t> enterprise_id, bool sso,
                   std::string_view now) {
  use s(db, kInsertOrg);
  s->bind(1, login);
  if (enterprise_id) {
    s->bind(2, *enterprise_id);
  } else {
    s->bind_null(2);
  }
  s->bind(3, sso).bind(4, now);
  s->run();
  return org_row{db.last_insert_rowid(), std::string(login), enterprise_id, sso, std::string(now)};
}

void delete_org(connection& db, const org_row& org) {
  if (!org.enterprise_id) {
    use s(db, kDeleteOrgAudit);
    s->bind(1, org.id);
    s->run();
  }
  use s(db, kDeleteOrg);
  s->bind(1, org.id);
  s->run();
}

std::optional<account_row> find_account(connection& db, std::string_view login) {
  return one<account_row>(db, kFindAccount, login, read_account);
}

std::optional<account_row> find_account_by_id(connection& db, std::int64_t id) {
  return one<account_row>(db, kFindAccountById, id, read_account);
}

account_row insert_account(connection& db, std::string_view login, const std::optional<std::string>& name,
                           const std::optional<std::string>& email, std::string_view now) {
  {
    use s(db, kInsertAccount);
    s->bind(1, login).bind(2, name).bind(3, email).bind(4, now).bind(5, first_account_id);
    s->run();
  }
  return *find_account_by_id(db, db.last_insert_rowid());
}

std::optional<org_member_row> find_org_member(connection& db, std::int64_t org_id, std::int64_t user_id) {
  use s(db, kFindMember);
  s->bind(1, org_id).bind(2, user_id);
  if (!s->step()) return std::nullopt;
  return read_member(*s);
}

bool upsert_org_member(connection& db, const org_member_row& row) {
  const bool existed = find_org_member(db, row.org_id, row.user_id).has_value();
  use s(db, kUpsertMember);
  s->bind(1, row.org_id).bind(2, row.user_id).bind(3, row.role).bind(4, row.direct).bind(5, row.created);
  s->run();
  return !existed;
}

bool delete_org_member(connection& db, std::int64_t org_id, std::int64_t user_id) {
  use s(db, kDeleteMember);
  s->bind(1, org_id).bind(2, user_id);
  s->run();
  return db.changes() > 0;
}

std::vector<org_member_row> list_org_members(connection& db, std::int64_t org_id, std::int64_t after_user_id,
                                             std::int64_t limit) {
  std::vector<org_member_row> out;
  use s(db, kListMembers);
  s->bind(1, org_id).bind(2, after_user_id).bind(3, limit);
  while (s->step()) out.push_back(read_member(*s));
  return out;
}

std::int64_t count_org_members(connection& db, std::int64_t org_id) {
  use s(db, kCountMembers);
  s->bind(1, org_id);
  return s->step() ? s->get_int(0) : 0;
}

std::vector<org_member_row> orgs_of_user(connection& db, std::int64_t user_id) {
  std::vector<org_member_row> out;
  use s(db, kOrgsOfUser);
  s->bind(1, user_id);
  while (s->step()) out.push_back(read_member(*s));
  return out;
}

}  // namespace emuscim::store
