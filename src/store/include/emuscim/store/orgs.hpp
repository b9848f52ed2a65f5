#pragma once
// Organizations, personal accounts and organization membership (migration V002). Like repo.hpp:
// SQL in named constants, values always bound, functions take the connection they run on.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emuscim/store/sqlite.hpp"

namespace emuscim::store {

// ---- organizations -------------------------------------------------------------------------
struct org_row {
  std::int64_t id = 0;                         // GitHub's numeric organization id
  std::string login;
  std::optional<std::int64_t> enterprise_id;   // nullopt: a standalone organization
  bool sso = false;
  std::string created;
};
std::optional<org_row> find_org(connection& db, std::string_view login);  // case-insensitive
std::optional<org_row> find_org_by_id(connection& db, std::int64_t id);
std::vector<org_row> list_orgs(connection& db, std::optional<std::int64_t> enterprise_id);  // nullopt: standalone ones
std::vector<org_row> list_all_orgs(connection& db);
org_row insert_org(connection& db, std::string_view login, std::optional<std::int64_t> enterprise_id, bool sso,
                   std::string_view now);
// Its members, tokens (cascade) and, for a standalone organization, its audit events.
void delete_org(connection& db, const org_row& org);

// ---- personal accounts ---------------------------------------------------------------------
struct account_row {
  std::int64_t id = 0;  // above 2^40
  std::string login;
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::string created;
};
inline constexpr std::int64_t first_account_id = std::int64_t{1} << 40;
std::optional<account_row> find_account(connection& db, std::string_view login);  // case-insensitive
std::optional<account_row> find_account_by_id(connection& db, std::int64_t id);
account_row insert_account(connection& db, std::string_view login, const std::optional<std::string>& name,
                           const std::optional<std::string>& email, std::string_view now);

// ---- organization membership ---------------------------------------------------------------
struct org_member_row {
  std::int64_t org_id = 0;
  std::int64_t user_id = 0;  // users.seq (EMU organization) or accounts.id (standalone)
  std::string role;          // admin | member
  bool direct = true;
  std::string created;
};
std::optional<org_member_row> find_org_member(connection& db, std::int64_t org_id, std::int64_t user_id);
// Inserts or updates; returns true when the user was not a member before.
bool upsert_org_member(connection& db, const org_member_row& row);
bool delete_org_member(connection& db, std::int64_t org_id, std::int64_t user_id);  // true when removed
std::vector<org_member_row> list_org_members(connection& db, std::int64_t org_id, std::int64_t after_user_id,
                                             std::int64_t limit);
std::int64_t count_org_members(connection& db, std::int64_t org_id);
std::vector<org_member_row> orgs_of_user(connection& db, std::int64_t user_id);

}  // namespace emuscim::store
