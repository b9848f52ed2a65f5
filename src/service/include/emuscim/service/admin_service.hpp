#pragma once
// Administration of the emulator itself: enterprises, tokens, resets, inspection, statistics.
// The admin API (http) and the command line (app) both call it; it owns the slug, short-code and
// scope rules (emu/names.hpp, emu/login.hpp, auth/scopes.hpp) so neither repeats them.
// Reads run on the calling thread's read connection; writes are write jobs (group-committed).
// Thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/service/audit_log.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::service {

class auth_service;

struct enterprise_info {
  std::string slug;
  std::string short_code;
  std::string created;
  std::int64_t user_count = 0;
  std::int64_t group_count = 0;
};

struct token_info {
  std::int64_t id = 0;
  std::vector<std::string> scopes;
  std::optional<std::string> label;
  std::string created;
  std::optional<std::string> revoked;
};

struct new_token {
  token_info info;
  std::string token;  // the clear text, shown once
};

// A managed user with its GitHub-side state (docs/ADMIN_API.md "Users").
struct managed_user {
  std::string id;
  std::string user_name;
  std::optional<std::string> external_id;
  std::optional<std::string> display_name;
  std::string login;           // current login: hashed while suspended
  std::string original_login;  // derived from userName
  bool active = true;
  std::optional<std::string> role;
  std::optional<std::string> email;
  std::vector<std::string> group_ids;
  std::vector<std::string> orgs;  // logins of the organizations the user is a member of
  struct team_ref {
    std::string org;   // organization login; empty for an enterprise team
    std::string slug;
  };
  std::vector<team_ref> teams;    // the teams the user is in
  std::string created;
  std::string modified;
};

struct user_listing {
  std::int64_t total = 0;
  std::vector<managed_user> users;
};

// A group with its GitHub-side state (docs/ADMIN_API.md "Groups"): the first members, and the
// teams (organization teams and enterprise teams) linked to it.
struct managed_group {
  std::string id;
  std::string display_name;
  std::optional<std::string> external_id;
  std::int64_t member_count = 0;
  struct member {
    std::string id;
    std::string user_name;
    std::string login;
  };
  std::vector<member> members;  // the first ones, in the order they joined
  std::vector<managed_user::team_ref> teams;
  std::string created;
  std::string modified;
};

struct group_listing {
  std::int64_t total = 0;
  std::vector<managed_group> groups;
};

struct org_info {
  std::int64_t id = 0;
  std::string login;
  std::optional<std::string> enterprise;  // slug; nullopt for a standalone organization
  bool sso = false;
  std::string created;
  std::int64_t member_count = 0;
};

struct platform_stats {
  struct enterprise {
    std::string slug;
    std::int64_t users = 0;
    std::int64_t groups = 0;
    std::int64_t memberships = 0;
  };
  std::vector<enterprise> enterprises;
  std::int64_t db_size_bytes = 0;
};

inline constexpr std::string_view default_token_scope = "admin:enterprise";
inline constexpr std::string_view default_org_token_scope = "admin:org";

class admin_service {
 public:
  explicit admin_service(store::database& db) : db_(db) {}
  // The server's authentication cache, told after every revocation and deletion (auth_service::forget).
  void forgets_for(auth_service& auth) { auth_ = &auth; }

  std::vector<enterprise_info> enterprises();
  scim::result<enterprise_info> enterprise(std::string_view slug);  // 404 unknown

  // Creates the enterprise if missing; {info, created}. A bad slug or short code -> 400 naming the
  // rule; the slug taken with another short code -> 409.
  boost::asio::awaitable<scim::result<std::pair<enterprise_info, bool>>> ensure_enterprise(std::string slug,
                                                                                         std::string short_code);
  // Its users, groups, memberships, tokens and audit events go with it.
  boost::asio::awaitable<scim::status> delete_enterprise(std::string slug);
  // Deletes every user, group and membership of the enterprise; tokens and audit events stay.
  boost::asio::awaitable<scim::status> reset(std::string slug);

  scim::result<std::vector<token_info>> tokens(std::string_view slug);
  // Scopes must be GitHub's classic scope names (400 naming the first that is not); nullopt ->
  // admin:enterprise; an empty list makes a token without scopes, as GitHub allows. `clear_text` mints that exact token (start-up bootstrap) instead of a new
  // random one; minting an existing token again keeps its row.
  boost::asio::awaitable<scim::result<new_token>> create_token(std::string slug,
                                                               std::optional<std::vector<std::string>> scopes,
                                                               std::optional<std::string> label,
                                                               std::optional<std::string> clear_text = std::nullopt);
  // Revoking twice is fine; an unknown id -> 404.
  boost::asio::awaitable<scim::status> revoke_token(std::string slug, std::int64_t token_id);

  // Organizations. An enterprise's (EMU) organizations, or standalone ones (SAML SSO with
  // org-level SCIM). Logins follow GitHub's rules (emu/names.hpp) and are unique across both kinds
  // and across personal accounts: a taken login -> 409; the same organization again -> {info, false}.
  scim::result<std::vector<org_info>> enterprise_orgs(std::string_view enterprise_slug);
  std::vector<org_info> orgs();  // every organization, in creation order
  scim::result<org_info> org(std::string_view login);
  boost::asio::awaitable<scim::result<std::pair<org_info, bool>>> ensure_org(std::optional<std::string> enterprise_slug,
                                                                            std::string login);
  // An enterprise's organization (404 when it is not that enterprise's), or with nullopt a
  // standalone one; its members and tokens go with it.
  boost::asio::awaitable<scim::status> delete_org(std::optional<std::string> enterprise_slug, std::string login);
  // A standalone organization's tokens (default scope admin:org). 404 for an EMU organization:
  // its callers use the enterprise's tokens.
  scim::result<std::vector<token_info>> org_tokens(std::string_view login);
  boost::asio::awaitable<scim::result<new_token>> create_org_token(std::string login,
                                                                   std::optional<std::vector<std::string>> scopes,
                                                                   std::optional<std::string> label,
                                                                   std::optional<std::string> clear_text = std::nullopt);
  boost::asio::awaitable<scim::status> revoke_org_token(std::string login, std::int64_t token_id);

  // Users in creation order; `offset` 0-based.
  scim::result<user_listing> users(std::string_view slug, std::int64_t offset, std::int64_t count);
  // Groups in creation order with their first `members_shown` members and linked teams.
  scim::result<group_listing> groups(std::string_view slug, std::int64_t offset, std::int64_t count,
                                     std::int64_t members_shown);
  // Walks every user in creation order, `batch` at a time (for the command line).
  scim::status for_each_user(std::string_view slug, const std::function<void(const managed_user&)>& fn);
  struct group_line {
    std::string id;
    std::string display_name;
    std::optional<std::string> external_id;
    std::int64_t member_count = 0;
  };
  scim::status for_each_group(std::string_view slug, const std::function<void(const group_line&)>& fn);

  // The enterprise's audit events, newest first.
  scim::result<std::vector<audit_event>> audit(std::string_view slug, const audit_filter& filter);
  // The events that concern one organization (a standalone one's own, or an EMU organization's), newest first.
  scim::result<std::vector<audit_event>> org_audit(std::string_view login, const audit_filter& filter);

  platform_stats stats();
  // Reachable and migrated to this binary's schema version (cheap; for /readyz).
  bool ready();

 private:
  store::database& db_;
  auth_service* auth_ = nullptr;
};

// Validates scope names against GitHub's list and removes duplicates (order kept); nullopt ->
// {admin:enterprise}. 400 invalidValue naming the first unknown scope.
scim::result<std::vector<std::string>> normalize_scopes(std::optional<std::vector<std::string>> scopes,
                                                       std::string_view fallback = default_token_scope);

}  // namespace emuscim::service
