#pragma once
// Data access for every table: SQL lives in named constants in repo.cpp; nothing here is
// built from request text (values are always bound). Functions take the connection they
// run on: a reader's (from database::read) or the writer's (inside a write job).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emuscim/store/sqlite.hpp"

namespace emuscim::store {

// ---- enterprises ---------------------------------------------------------------------------
struct enterprise_row {
  std::int64_t id = 0;
  std::string slug;
  std::string short_code;
  std::string created;
  std::int64_t user_count = 0;
  std::int64_t group_count = 0;
};
std::optional<enterprise_row> find_enterprise(connection& db, std::string_view slug);
std::optional<enterprise_row> find_enterprise_by_id(connection& db, std::int64_t id);
std::vector<enterprise_row> list_enterprises(connection& db);
// Creates it if missing; returns the row and whether it was created.
std::pair<enterprise_row, bool> ensure_enterprise(connection& db, std::string_view slug, std::string_view short_code,
                                                  std::string_view now);
bool delete_enterprise(connection& db, std::int64_t enterprise_id);
// Removes every user, group, membership of one enterprise (tokens and audit stay).
void reset_enterprise(connection& db, std::int64_t enterprise_id);

// ---- tokens --------------------------------------------------------------------------------
struct token_row {
  std::int64_t id = 0;
  std::int64_t enterprise_id = 0;            // 0 for a standalone organization's token
  std::optional<std::int64_t> org_id;        // set for a standalone organization's token
  std::vector<unsigned char> hash;
  std::vector<std::string> scopes;
  std::optional<std::string> label;
  std::string created;
  std::optional<std::string> revoked;
};
std::optional<token_row> find_token_by_hash(connection& db, std::span<const unsigned char> hash);
std::vector<token_row> list_tokens(connection& db, std::int64_t enterprise_id);
// Idempotent on the hash: an existing token with that hash keeps its row.
std::int64_t insert_token(connection& db, std::int64_t enterprise_id, std::span<const unsigned char> hash,
                          const std::vector<std::string>& scopes, const std::optional<std::string>& label,
                          std::string_view now);
bool revoke_token(connection& db, std::int64_t enterprise_id, std::int64_t token_id, std::string_view now);
// A standalone organization's tokens (migration V002).
std::vector<token_row> list_org_tokens(connection& db, std::int64_t org_id);
std::int64_t insert_org_token(connection& db, std::int64_t org_id, std::span<const unsigned char> hash,
                              const std::vector<std::string>& scopes, const std::optional<std::string>& label,
                              std::string_view now);
bool revoke_org_token(connection& db, std::int64_t org_id, std::int64_t token_id, std::string_view now);

// ---- users ---------------------------------------------------------------------------------
struct user_row {
  std::int64_t seq = 0;
  std::int64_t enterprise_id = 0;
  std::string id;
  std::string user_name;
  std::optional<std::string> external_id;
  std::optional<std::string> display_name;
  std::string login;          // normalized login
  std::string current_login;  // login, or the hashed login while suspended
  std::optional<std::string> email;
  bool active = true;
  std::optional<std::string> role;
  std::string doc;            // canonical JSON text
  std::string created;
  std::string modified;
};

std::optional<user_row> find_user(connection& db, std::int64_t enterprise_id, std::string_view id);
std::optional<user_row> find_user_by_user_name(connection& db, std::int64_t enterprise_id, std::string_view user_name);
std::optional<user_row> find_user_by_external_id(connection& db, std::int64_t enterprise_id, std::string_view external_id);
std::optional<user_row> find_user_by_login(connection& db, std::int64_t enterprise_id, std::string_view current_login);
std::optional<std::int64_t> user_seq(connection& db, std::int64_t enterprise_id, std::string_view id);

void insert_user(connection& db, user_row& row);   // sets row.seq
void update_user(connection& db, const user_row& row);  // by seq
void delete_user(connection& db, const user_row& row, std::string_view now);  // memberships and counts too

enum class user_key { id, user_name, external_id, display_name };
struct user_page {
  std::vector<user_row> rows;
  std::int64_t total = 0;
  std::int64_t last_seq = 0;  // seq of the last row returned (for the cursor cache)
};
// Rows in creation order. `after_seq` (when known) replaces the O(offset) skip with a seek:
// the page is the `count` rows after the first `skip` rows whose seq is greater than after_seq.
user_page list_users(connection& db, std::int64_t enterprise_id, std::int64_t offset, std::int64_t count,
                     std::optional<std::int64_t> after_seq, std::int64_t skip = 0);
user_page list_users_where(connection& db, std::int64_t enterprise_id, user_key key, std::string_view value,
                           std::int64_t offset, std::int64_t count);
std::vector<std::string> user_group_ids(connection& db, std::int64_t user_seq);

// ---- groups --------------------------------------------------------------------------------
struct group_row {
  std::int64_t seq = 0;
  std::int64_t enterprise_id = 0;
  std::string id;
  std::string display_name;
  std::optional<std::string> external_id;
  std::int64_t member_count = 0;
  std::string doc;
  std::string created;
  std::string modified;
};
std::optional<group_row> find_group(connection& db, std::int64_t enterprise_id, std::string_view id);
std::optional<group_row> find_group_by_display_name(connection& db, std::int64_t enterprise_id, std::string_view name);
std::optional<group_row> find_group_by_external_id(connection& db, std::int64_t enterprise_id, std::string_view ext);
void insert_group(connection& db, group_row& row);
void update_group(connection& db, const group_row& row);  // display_name, external_id, doc, modified, member_count
void delete_group(connection& db, const group_row& row);

enum class group_key { id, display_name, external_id };
struct group_page {
  std::vector<group_row> rows;
  std::int64_t total = 0;
  std::int64_t last_seq = 0;
};
group_page list_groups(connection& db, std::int64_t enterprise_id, std::int64_t offset, std::int64_t count,
                       std::optional<std::int64_t> after_seq, std::int64_t skip = 0);
group_page list_groups_where(connection& db, std::int64_t enterprise_id, group_key key, std::string_view value,
                             std::int64_t offset, std::int64_t count);

// Membership changes return how many rows changed; the caller keeps member_count.
int add_member(connection& db, std::int64_t group_seq, std::int64_t user_seq);
int remove_member(connection& db, std::int64_t group_seq, std::int64_t user_seq);
int clear_members(connection& db, std::int64_t group_seq);
struct member_row {
  std::string id;
  std::optional<std::string> display_name;
};
std::vector<member_row> list_members(connection& db, std::int64_t group_seq);

// ---- audit ---------------------------------------------------------------------------------
struct audit_row {
  std::int64_t seq = 0;
  std::int64_t enterprise_id = 0;        // 0 for a standalone organization's event
  std::string created;
  std::string action;
  std::optional<std::int64_t> actor_token_id;
  std::string request_id;
  std::string resource_id;
  bool success = true;
  std::string data;  // JSON text, "{}" when empty
  std::optional<std::int64_t> org_id = {};  // the organization the event concerns
};
void insert_audit(connection& db, const audit_row& row);
struct audit_query {
  std::optional<std::string> action;       // exact, or prefix when it ends with '.' or '*'
  std::optional<std::string> since;        // created >= since (RFC 3339)
  std::optional<std::string> until;        // created < until
  std::optional<std::int64_t> before_seq;  // paging: newest first, seq < before_seq
  std::int64_t limit = 100;
};
std::vector<audit_row> list_audit(connection& db, std::int64_t enterprise_id, const audit_query& q);
// Events that concern one organization (a standalone organization's, or an EMU organization's
// team and membership events).
std::vector<audit_row> list_org_audit(connection& db, std::int64_t org_id, const audit_query& q);

}  // namespace emuscim::store
