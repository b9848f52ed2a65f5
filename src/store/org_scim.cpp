#include "emuscim/store/org_scim.hpp"

namespace emuscim::store {

namespace {

// ---- SQL: named constants only; every value is bound. ----

#define EMUSCIM_IDENTITY_COLUMNS \
  "seq, org_id, id, user_name, external_id, email, account_id, doc, created, modified"
constexpr const char* kFindIdentity =
    "SELECT " EMUSCIM_IDENTITY_COLUMNS " FROM org_identities WHERE org_id = ?1 AND id = ?2";
constexpr const char* kFindIdentityBySeq = "SELECT " EMUSCIM_IDENTITY_COLUMNS " FROM org_identities WHERE seq = ?1";
constexpr const char* kFindIdentityByUserName =
    "SELECT " EMUSCIM_IDENTITY_COLUMNS " FROM org_identities WHERE org_id = ?1 AND user_name = ?2";
constexpr const char* kFindIdentityByExternalId =
    "SELECT " EMUSCIM_IDENTITY_COLUMNS " FROM org_identities WHERE org_id = ?1 AND external_id = ?2";
constexpr const char* kFindIdentityByEmail =
    "SELECT " EMUSCIM_IDENTITY_COLUMNS " FROM org_identities WHERE org_id = ?1 AND email = ?2";
constexpr const char* kFindIdentityByAccount =
    "SELECT " EMUSCIM_IDENTITY_COLUMNS " FROM org_identities WHERE org_id = ?1 AND account_id = ?2";
constexpr const char* kInsertIdentity =
    "INSERT INTO org_identities(org_id, id, user_name, external_id, email, account_id, doc, created, modified) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kUpdateIdentity =
    "UPDATE org_identities SET user_name = ?2, external_id = ?3, email = ?4, account_id = ?5, doc = ?6, "
    "modified = ?7 WHERE seq = ?1";
constexpr const char* kDeleteIdentity = "DELETE FROM org_identities WHERE seq = ?1";
constexpr const char* kDeleteIdentityEmails = "DELETE FROM org_identity_emails WHERE identity_seq = ?1";
constexpr const char* kInsertIdentityEmail =
    "INSERT OR IGNORE INTO org_identity_emails(org_id, email, identity_seq) VALUES (?1, ?2, ?3)";
constexpr const char* kDeleteIdentityInvitation = "DELETE FROM org_invitations WHERE identity_seq = ?1";

constexpr const char* kCountIdentities = "SELECT count(*) FROM org_identities WHERE org_id = ?1";
constexpr const char* kListIdentitiesOffset =
    "SELECT " EMUSCIM_IDENTITY_COLUMNS " FROM org_identities WHERE org_id = ?1 ORDER BY seq LIMIT ?3 OFFSET ?2";
constexpr const char* kListIdentitiesAfter =
    "SELECT " EMUSCIM_IDENTITY_COLUMNS
    " FROM org_identities WHERE org_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3 OFFSET ?4";
#define EMUSCIM_IDENTITIES_WHERE(column)                                                                         \
  "SELECT " EMUSCIM_IDENTITY_COLUMNS " FROM org_identities WHERE org_id = ?1 AND " column                     \
  " = ?2 ORDER BY seq LIMIT ?4 OFFSET ?3"
#define EMUSCIM_COUNT_IDENTITIES_WHERE(column) \
  "SELECT count(*) FROM org_identities WHERE org_id = ?1 AND " column " = ?2"
constexpr const char* kListIdentitiesById = EMUSCIM_IDENTITIES_WHERE("id");
constexpr const char* kCountIdentitiesById = EMUSCIM_COUNT_IDENTITIES_WHERE("id");
constexpr const char* kListIdentitiesByUserName = EMUSCIM_IDENTITIES_WHERE("user_name");
constexpr const char* kCountIdentitiesByUserName = EMUSCIM_COUNT_IDENTITIES_WHERE("user_name");
constexpr const char* kListIdentitiesByExternalId = EMUSCIM_IDENTITIES_WHERE("external_id");
constexpr const char* kCountIdentitiesByExternalId = EMUSCIM_COUNT_IDENTITIES_WHERE("external_id");
constexpr const char* kListIdentitiesByEmail =
    "SELECT i.seq, i.org_id, i.id, i.user_name, i.external_id, i.email, i.account_id, i.doc, i.created, i.modified "
    "FROM org_identity_emails e JOIN org_identities i ON i.seq = e.identity_seq "
    "WHERE e.org_id = ?1 AND e.email = ?2 ORDER BY i.seq LIMIT ?4 OFFSET ?3";
constexpr const char* kCountIdentitiesByEmail =
    "SELECT count(*) FROM org_identity_emails WHERE org_id = ?1 AND email = ?2";

#define EMUSCIM_INVITATION_COLUMNS \
  "id, org_id, identity_seq, email, account_id, role, source, inviter_token_id, created"
constexpr const char* kInsertInvitation =
    "INSERT INTO org_invitations(org_id, identity_seq, email, account_id, role, source, inviter_token_id, created) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kUpdateInvitation = "UPDATE org_invitations SET email = ?2, account_id = ?3 WHERE id = ?1";
constexpr const char* kFindInvitation =
    "SELECT " EMUSCIM_INVITATION_COLUMNS " FROM org_invitations WHERE org_id = ?1 AND id = ?2";
constexpr const char* kFindInvitationByIdentity =
    "SELECT " EMUSCIM_INVITATION_COLUMNS " FROM org_invitations WHERE identity_seq = ?1";
constexpr const char* kFindInvitationsByEmail =
    "SELECT " EMUSCIM_INVITATION_COLUMNS " FROM org_invitations WHERE org_id = ?1 AND email = ?2 ORDER BY id";
constexpr const char* kDeleteInvitation = "DELETE FROM org_invitations WHERE id = ?1";
// Optional filters are bound as NULL when absent, so one statement serves every query shape.
constexpr const char* kListInvitations =
    "SELECT " EMUSCIM_INVITATION_COLUMNS " FROM org_invitations WHERE org_id = ?1 "
    "AND (?2 IS NULL OR role = ?2) AND (?3 IS NULL OR source = ?3) ORDER BY id LIMIT ?5 OFFSET ?4";
constexpr const char* kCountInvitations =
    "SELECT count(*) FROM org_invitations WHERE org_id = ?1 "
    "AND (?2 IS NULL OR role = ?2) AND (?3 IS NULL OR source = ?3)";

constexpr const char* kFindAccountByEmail =
    "SELECT id, login, name, email, created FROM accounts WHERE email = ?1 COLLATE NOCASE ORDER BY id LIMIT 1";

// ---- row mappers ----

std::optional<std::int64_t> opt_int(const statement& s, int col) {
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

org_identity_row read_identity(statement& s) {
  org_identity_row r;
  r.seq = s.get_int(0);
  r.org_id = s.get_int(1);
  r.id = s.get_text(2);
  r.user_name = s.get_text(3);
  r.external_id = s.get_opt_text(4);
  r.email = s.get_text(5);
  r.account_id = opt_int(s, 6);
  r.doc = s.get_text(7);
  r.created = s.get_text(8);
  r.modified = s.get_text(9);
  return r;
}

org_invitation_row read_invitation(statement& s) {
  org_invitation_row r;
  r.id = s.get_int(0);
  r.org_id = s.get_int(1);
  r.identity_seq = opt_int(s, 2);
  r.email = s.get_opt_text(3);
  r.account_id = opt_int(s, 4);
  r.role = s.get_text(5);
  r.source = s.get_text(6);
  r.inviter_token_id = opt_int(s, 7);
  r.created = s.get_text(8);
  return r;
}

template <class Value>
std::optional<org_identity_row> one_identity(connection& db, const char* sql, std::int64_t org_id, const Value& v) {
  use s(db, sql);
  s->bind(1, org_id).bind(2, v);
  if (!s->step()) return std::nullopt;
  return read_identity(*s);
}

void write_emails(connection& db, std::int64_t org_id, std::int64_t seq, const std::vector<std::string>& emails) {
  {
    use d(db, kDeleteIdentityEmails);
    d->bind(1, seq);
    d->run();
  }
  for (const auto& e : emails) {
    use s(db, kInsertIdentityEmail);
    s->bind(1, org_id).bind(2, e).bind(3, seq);
    s->run();
  }
}

}  // namespace

// ---- SCIM identities ----

std::optional<org_identity_row> find_org_identity(connection& db, std::int64_t org_id, std::string_view id) {
  return one_identity(db, kFindIdentity, org_id, id);
}

std::optional<org_identity_row> find_org_identity_by_seq(connection& db, std::int64_t seq) {
  use s(db, kFindIdentityBySeq);
  s->bind(1, seq);
  if (!s->step()) return std::nullopt;
  return read_identity(*s);
}

std::optional<org_identity_row> find_org_identity_by_user_name(connection& db, std::int64_t org_id,
                                                               std::string_view user_name) {
  return one_identity(db, kFindIdentityByUserName, org_id, user_name);
}

std::optional<org_identity_row> find_org_identity_by_external_id(connection& db, std::int64_t org_id,
                                                                 std::string_view external_id) {
  return one_identity(db, kFindIdentityByExternalId, org_id, external_id);
}

std::optional<org_identity_row> find_org_identity_by_email(connection& db, std::int64_t org_id,
                                                           std::string_view email) {
  return one_identity(db, kFindIdentityByEmail, org_id, email);
}

std::optional<org_identity_row> find_org_identity_by_account(connection& db, std::int64_t org_id,
                                                             std::int64_t account_id) {
  return one_identity(db, kFindIdentityByAccount, org_id, account_id);
}

void insert_org_identity(connection& db, org_identity_row& row, const std::vector<std::string>& emails) {
  {
    use s(db, kInsertIdentity);
    s->bind(1, row.org_id).bind(2, row.id).bind(3, row.user_name).bind(4, row.external_id).bind(5, row.email);
    bind_opt(*s, 6, row.account_id);
    s->bind(7, row.doc).bind(8, row.created).bind(9, row.modified);
    s->run();
  }
  row.seq = db.last_insert_rowid();
  write_emails(db, row.org_id, row.seq, emails);
}

void update_org_identity(connection& db, const org_identity_row& row, const std::vector<std::string>& emails) {
  {
    use s(db, kUpdateIdentity);
    s->bind(1, row.seq).bind(2, row.user_name).bind(3, row.external_id).bind(4, row.email);
    bind_opt(*s, 5, row.account_id);
    s->bind(6, row.doc).bind(7, row.modified);
    s->run();
  }
  write_emails(db, row.org_id, row.seq, emails);
}

void delete_org_identity(connection& db, std::int64_t seq) {
  // The foreign keys cascade too; explicit deletes keep the statement count independent of them.
  for (const char* sql : {kDeleteIdentityEmails, kDeleteIdentityInvitation, kDeleteIdentity}) {
    use s(db, sql);
    s->bind(1, seq);
    s->run();
  }
}

org_identity_page list_org_identities(connection& db, std::int64_t org_id, std::int64_t offset, std::int64_t count,
                                      std::optional<std::int64_t> after_seq, std::int64_t skip) {
  org_identity_page page;
  {
    use c(db, kCountIdentities);
    c->bind(1, org_id);
    if (c->step()) page.total = c->get_int(0);
  }
  if (count > 0 && offset < page.total) {
    if (after_seq) {
      use s(db, kListIdentitiesAfter);
      s->bind(1, org_id).bind(2, *after_seq).bind(3, count).bind(4, skip);
      while (s->step()) page.rows.push_back(read_identity(*s));
    } else {
      use s(db, kListIdentitiesOffset);
      s->bind(1, org_id).bind(2, offset).bind(3, count);
      while (s->step()) page.rows.push_back(read_identity(*s));
    }
  }
  if (!page.rows.empty()) page.last_seq = page.rows.back().seq;
  return page;
}

org_identity_page list_org_identities_where(connection& db, std::int64_t org_id, org_identity_key key,
                                            std::string_view value, std::int64_t offset, std::int64_t count) {
  const char* list_sql = kListIdentitiesById;
  const char* count_sql = kCountIdentitiesById;
  switch (key) {
    case org_identity_key::id:
      break;
    case org_identity_key::user_name:
      list_sql = kListIdentitiesByUserName;
      count_sql = kCountIdentitiesByUserName;
      break;
    case org_identity_key::external_id:
      list_sql = kListIdentitiesByExternalId;
      count_sql = kCountIdentitiesByExternalId;
      break;
    case org_identity_key::email:
      list_sql = kListIdentitiesByEmail;
      count_sql = kCountIdentitiesByEmail;
      break;
  }
  org_identity_page page;
  {
    use c(db, count_sql);
    c->bind(1, org_id).bind(2, value);
    if (c->step()) page.total = c->get_int(0);
  }
  if (count > 0 && offset < page.total) {
    use s(db, list_sql);
    s->bind(1, org_id).bind(2, value).bind(3, offset).bind(4, count);
    while (s->step()) page.rows.push_back(read_identity(*s));
  }
  if (!page.rows.empty()) page.last_seq = page.rows.back().seq;
  return page;
}

// ---- invitations ----

void insert_org_invitation(connection& db, org_invitation_row& row) {
  use s(db, kInsertInvitation);
  s->bind(1, row.org_id);
  bind_opt(*s, 2, row.identity_seq);
  s->bind(3, row.email);
  bind_opt(*s, 4, row.account_id);
  s->bind(5, row.role).bind(6, row.source);
  bind_opt(*s, 7, row.inviter_token_id);
  s->bind(8, row.created);
  s->run();
  row.id = db.last_insert_rowid();
}

void update_org_invitation(connection& db, const org_invitation_row& row) {
  use s(db, kUpdateInvitation);
  s->bind(1, row.id).bind(2, row.email);
  bind_opt(*s, 3, row.account_id);
  s->run();
}

std::optional<org_invitation_row> find_org_invitation(connection& db, std::int64_t org_id, std::int64_t id) {
  use s(db, kFindInvitation);
  s->bind(1, org_id).bind(2, id);
  if (!s->step()) return std::nullopt;
  return read_invitation(*s);
}

std::optional<org_invitation_row> find_org_invitation_by_identity(connection& db, std::int64_t identity_seq) {
  use s(db, kFindInvitationByIdentity);
  s->bind(1, identity_seq);
  if (!s->step()) return std::nullopt;
  return read_invitation(*s);
}

std::vector<org_invitation_row> find_org_invitations_by_email(connection& db, std::int64_t org_id,
                                                             std::string_view email) {
  std::vector<org_invitation_row> out;
  use s(db, kFindInvitationsByEmail);
  s->bind(1, org_id).bind(2, email);
  while (s->step()) out.push_back(read_invitation(*s));
  return out;
}

bool delete_org_invitation(connection& db, std::int64_t id) {
  use s(db, kDeleteInvitation);
  s->bind(1, id);
  s->run();
  return db.changes() > 0;
}

org_invitation_page list_org_invitations(connection& db, std::int64_t org_id, const org_invitation_query& q) {
  org_invitation_page page;
  {
    use c(db, kCountInvitations);
    c->bind(1, org_id).bind(2, q.role).bind(3, q.source);
    if (c->step()) page.total = c->get_int(0);
  }
  if (q.count > 0 && q.offset < page.total) {
    use s(db, kListInvitations);
    s->bind(1, org_id).bind(2, q.role).bind(3, q.source).bind(4, q.offset).bind(5, q.count);
    while (s->step()) page.rows.push_back(read_invitation(*s));
  }
  return page;
}

// ---- personal accounts by email ----

std::optional<account_row> find_account_by_email(connection& db, std::string_view email) {
  use s(db, kFindAccountByEmail);
  s->bind(1, email);
  if (!s->step()) return std::nullopt;
  return account_row{s->get_int(0), s->get_text(1), s->get_opt_text(2), s->get_opt_text(3), s->get_text(4)};
}

}  // namespace emuscim::store
