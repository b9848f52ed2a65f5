#pragma once
// Bearer-token authentication (github-emu-scim.md §4, emuscim's 401/403/404 table): who is
// calling, and may they act on the tenant the path names. Scope checks are the pipeline's
// (each route declares GitHub's accepted scopes). Thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emuscim/auth/token.hpp"
#include "emuscim/scim/error.hpp"
#include "emuscim/service/context.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::service {

// A caller holding a valid token.
struct principal {
  std::int64_t token_id = 0;
  std::int64_t enterprise_id = 0;      // the enterprise the token belongs to (0: an organization's token)
  std::optional<std::int64_t> org_id;  // a standalone organization's token
  std::vector<std::string> scopes;
};

// An organization the caller may act on, with its enterprise when it is an EMU organization.
struct org_access {
  org_ref org;
  std::optional<enterprise_ref> enterprise;
};

class auth_service {
 public:
  // `admin_token`: the admin API's token (only its hash is kept); nullopt = admin API off.
  auth_service(store::database& db, const std::optional<std::string>& admin_token);

  bool admin_enabled() const { return admin_hash_.has_value(); }

  // Missing, malformed, unknown or revoked token -> 401.
  scim::result<principal> authenticate(std::optional<std::string_view> authorization);

  // The enterprise a path names, for this caller: unknown -> 404; another enterprise's -> 403.
  scim::result<enterprise_ref> enterprise_for(const principal& who, std::string_view slug);

  // The organization a path names, for this caller. An enterprise token acts as the enterprise's
  // setup user, who owns every organization of the enterprise; an organization's token acts on
  // that organization. Unknown, or not the caller's -> 404 (GitHub does not reveal private
  // organizations to tokens that cannot see them).
  scim::result<org_access> org_for(const principal& who, std::string_view login);

  // The admin token, compared in constant time: anything else -> 401 (enterprise tokens too).
  scim::status authenticate_admin(std::optional<std::string_view> authorization) const;

  // Valid tokens, enterprises and organizations are kept in memory for `kCacheTtl` after they
  // were read, so a request costs no database read for them. This process's revocations and
  // deletions (admin_service) call forget() after their commit and take effect at once; another
  // process writing the same database file (the CLI) is seen within kCacheTtl.
  static constexpr std::chrono::milliseconds kCacheTtl{1000};
  void forget();

 private:
  using clock = std::chrono::steady_clock;
  template <class T>
  struct cached {
    T value;
    clock::time_point read_at;
  };
  // The generation of the cache at the start of a database read; its result is kept only if no
  // forget() ran meanwhile (a read racing a revocation never caches the revoked token).
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  template <class T>
  std::optional<T> lookup(const std::map<std::string, cached<T>, std::less<>>& m, std::string_view key) const;
  template <class T>
  void keep(std::map<std::string, cached<T>, std::less<>>& m, std::string key, const T& value, std::uint64_t gen);

  store::database& db_;
  std::optional<auth::token_hash> admin_hash_;
  mutable std::mutex mu_;
  std::atomic<std::uint64_t> generation_{0};
  std::map<std::string, cached<principal>, std::less<>> tokens_;         // by the token's SHA-256
  std::map<std::string, cached<enterprise_ref>, std::less<>> enterprises_;  // by slug
  std::map<std::string, cached<org_access>, std::less<>> orgs_;            // by lower-case login (NOCASE)
};

}  // namespace emuscim::service
