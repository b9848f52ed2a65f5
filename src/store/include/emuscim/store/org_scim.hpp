#pragma once
// Org-level SCIM of standalone organizations (migration V004): SCIM identities with their email
// values, pending organization invitations, and personal accounts by email. Like repo.hpp: SQL in
// named constants, values always bound, functions take the connection they run on.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emuscim/store/orgs.hpp"
#include "emuscim/store/sqlite.hpp"

namespace emuscim::store {

// ---- SCIM identities -----------------------------------------------------------------------
struct org_identity_row {
  std::int64_t seq = 0;
  std::int64_t org_id = 0;
  std::string id;  // SCIM id
  std::string user_name;
  std::optional<std::string> external_id;
  std::string email;                      // the invitation's address
  std::optional<std::int64_t> account_id;  // the linked personal account
  std::string doc;                        // canonical JSON text
  std::string created;
  std::string modified;
};

std::optional<org_identity_row> find_org_identity(connection& db, std::int64_t org_id, std::string_view id);
std::optional<org_identity_row> find_org_identity_by_seq(connection& db, std::int64_t seq);
// Case-insensitive where GitHub compares so: userName and email; externalId exactly.
std::optional<org_identity_row> find_org_identity_by_user_name(connection& db, std::int64_t org_id,
                                                               std::string_view user_name);
std::optional<org_identity_row> find_org_identity_by_external_id(connection& db, std::int64_t org_id,
                                                                 std::string_view external_id);
std::optional<org_identity_row> find_org_identity_by_email(connection& db, std::int64_t org_id, std::string_view email);
std::optional<org_identity_row> find_org_identity_by_account(connection& db, std::int64_t org_id,
                                                             std::int64_t account_id);

// `emails`: every email value of the document (duplicates, in any case, are kept once).
void insert_org_identity(connection& db, org_identity_row& row, const std::vector<std::string>& emails);  // sets seq
void update_org_identity(connection& db, const org_identity_row& row, const std::vector<std::string>& emails);
// Its email values and its invitation go with it.
void delete_org_identity(connection& db, std::int64_t seq);

enum class org_identity_key { id, user_name, external_id, email };
struct org_identity_page {
  std::vector<org_identity_row> rows;
  std::int64_t total = 0;
  std::int64_t last_seq = 0;  // seq of the last row returned
};
// Rows in creation order; `after_seq` (when known) seeks, then `skip` rows are skipped.
org_identity_page list_org_identities(connection& db, std::int64_t org_id, std::int64_t offset, std::int64_t count,
                                      std::optional<std::int64_t> after_seq, std::int64_t skip = 0);
// `emails` matches any email value of an identity, case-insensitively.
org_identity_page list_org_identities_where(connection& db, std::int64_t org_id, org_identity_key key,
                                            std::string_view value, std::int64_t offset, std::int64_t count);

// ---- invitations ---------------------------------------------------------------------------
struct org_invitation_row {
  std::int64_t id = 0;
  std::int64_t org_id = 0;
  std::optional<std::int64_t> identity_seq;  // the SCIM identity that sent it
  std::optional<std::string> email;
  std::optional<std::int64_t> account_id;  // the invitee, when known
  std::string role = "direct_member";
  std::string source = "scim";
  std::optional<std::int64_t> inviter_token_id;
  std::string created;
};
void insert_org_invitation(connection& db, org_invitation_row& row);  // sets id
void update_org_invitation(connection& db, const org_invitation_row& row);  // email, account_id (by id)
std::optional<org_invitation_row> find_org_invitation(connection& db, std::int64_t org_id, std::int64_t id);
std::optional<org_invitation_row> find_org_invitation_by_identity(connection& db, std::int64_t identity_seq);
// Pending invitations to `email` (case-insensitive), oldest first.
std::vector<org_invitation_row> find_org_invitations_by_email(connection& db, std::int64_t org_id,
                                                             std::string_view email);
bool delete_org_invitation(connection& db, std::int64_t id);  // true when it existed

struct org_invitation_query {
  std::optional<std::string> role;    // nullopt: every role
  std::optional<std::string> source;  // nullopt: every source
  std::int64_t offset = 0;
  std::int64_t count = 30;
};
struct org_invitation_page {
  std::vector<org_invitation_row> rows;
  std::int64_t total = 0;
};
// Oldest first.
org_invitation_page list_org_invitations(connection& db, std::int64_t org_id, const org_invitation_query& q);

// ---- personal accounts by email ------------------------------------------------------------
std::optional<account_row> find_account_by_email(connection& db, std::string_view email);  // case-insensitive

}  // namespace emuscim::store
