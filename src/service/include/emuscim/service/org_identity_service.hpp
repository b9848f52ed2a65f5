#pragma once
// The GitHub side of org-level SCIM (docs/BEHAVIOUR.md "Org-level SCIM"): the invitations SCIM
// provisioning sends (GitHub's GET and DELETE /orgs/{org}/invitations), their acceptance by the
// invitee, and the identities with their link state for the admin API.
//
// Acceptance is the emulator's stand-in for what the person does on GitHub: sign in with their own
// account (created here when it does not exist), visit the organization and authenticate via SAML.
// It links the SCIM identity to that personal account and makes the account a member.
// Reads run on the calling thread's read connection; writes are write jobs. Thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/service/context.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::service {

// A personal GitHub account as GitHub's REST objects show it (simple-user).
struct github_account {
  std::int64_t id = 0;
  std::string login;
  std::optional<std::string> name;
  std::optional<std::string> email;
};

// Personal accounts' ids start at 2^40 (store); the owners of standalone organizations at 2^41.
inline constexpr std::int64_t first_owner_id = std::int64_t{1} << 41;

// The owner who holds a standalone organization's tokens: GitHub's inviter of SCIM invitations and
// the actor of the organization's audit events. Emulated as "<org>_admin" (an underscore, so no
// personal account can take the login; the EMU setup user is "<short_code>_admin" likewise), with
// id first_owner_id + the organization's id.
github_account org_owner(const org_ref& org);

struct invitation_info {
  std::int64_t id = 0;
  std::optional<std::string> login;  // the invitee, when the email or userName names an account
  std::optional<std::string> email;
  std::string role;    // direct_member
  std::string source;  // scim
  std::string created;
  std::optional<std::string> scim_user_id;  // the identity that sent it
};

struct invitation_list {
  std::int64_t total = 0;
  std::vector<invitation_info> items;
};

// GET /orgs/{org}/invitations. role: all (nullopt), admin, direct_member, billing_manager,
// hiring_manager; source: all (nullopt), member, scim. page is 1-based.
struct invitation_filter {
  std::optional<std::string> role;
  std::optional<std::string> source;
  std::int64_t page = 1;
  std::int64_t per_page = 30;
};

// Which pending invitation: by id (admin API), or by the address it went to (command line).
struct invitation_ref {
  std::optional<std::int64_t> id;
  std::optional<std::string> email;
};

struct acceptance {
  invitation_info invitation;
  github_account account;
  bool account_created = false;
  bool new_member = false;  // false when the account already was a member
  std::optional<std::string> scim_user_id;
};

// A SCIM identity with its GitHub-side state (admin API).
struct org_identity_view {
  std::string id;
  std::string user_name;
  std::optional<std::string> external_id;
  std::string email;  // where the invitation went
  std::string state;  // "pending" (invitation open), "linked" (a member), "unlinked" (invitation cancelled)
  std::optional<std::string> login;          // linked account, or the invitee GitHub recognised
  std::optional<std::int64_t> invitation_id;  // while pending
  std::string created;
  std::string modified;
};

class org_identity_service {
 public:
  explicit org_identity_service(store::database& db) : db_(db) {}

  // A standalone organization's pending invitations, oldest first.
  invitation_list invitations(const org_ref& org, const invitation_filter& filter);

  // DELETE /orgs/{org}/invitations/{id}: 404 unknown. The SCIM identity stays, unlinked (GitHub
  // leaves identities of people removed outside SCIM in place).
  boost::asio::awaitable<scim::status> cancel_invitation(const request_context& ctx, std::int64_t invitation_id);

  // The invitee accepts as `login` (required unless the invitation names an account). Errors:
  // 404 unknown organization (or one of an enterprise) or invitation; 400 a missing or malformed
  // login, or another account than the one invited; 409 the login is an organization's, or the
  // account is already linked to another identity of this organization. `caller` gives the
  // request id and the request-log trace.
  boost::asio::awaitable<scim::result<acceptance>> accept(const request_context& caller, std::string org_login,
                                                          invitation_ref which, std::optional<std::string> login);

  // Every SCIM identity of a standalone organization, in creation order (404 unknown organization).
  scim::result<std::vector<org_identity_view>> identities(std::string_view org_login);

 private:
  store::database& db_;
};

}  // namespace emuscim::service
