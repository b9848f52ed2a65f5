#include "emuscim/service/auth_service.hpp"

#include "emuscim/auth/token.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/repo.hpp"

namespace emuscim::service {

scim::result<principal> authenticate(store::database& db, std::optional<std::string_view> authorization,
                                     std::string_view enterprise_slug, access needed) {
  if (!authorization) return scim::fail(scim::unauthorized("Requires authentication"));
  auto token = auth::parse_authorization(*authorization);
  if (!token) return scim::fail(scim::unauthorized("Requires authentication: expected 'Authorization: Bearer <token>'"));
  auto presented = auth::hash_token(*token);

  return db.read([&](store::connection& c) -> scim::result<principal> {
    auto row = store::find_token_by_hash(c, presented);
    // The lookup is by hash; the explicit constant-time comparison keeps the check
    // independent of how the index compares.
    if (!row || !auth::constant_time_equal(row->hash, presented) || row->revoked) {
      return scim::fail(scim::unauthorized("Bad credentials"));
    }
    auto ent = store::find_enterprise(c, enterprise_slug);
    if (!ent) return scim::fail(scim::not_found("Enterprise '" + std::string(enterprise_slug) + "' not found"));
    if (ent->id != row->enterprise_id) {
      return scim::fail(scim::forbidden("This token is not authorized for enterprise '" + ent->slug + "'"));
    }
    bool allowed = needed == access::scim ? auth::grants_scim(row->scopes) : auth::grants_audit_read(row->scopes);
    if (!allowed) {
      return scim::fail(scim::forbidden(needed == access::scim
                                            ? "This token lacks the scim:enterprise or admin:enterprise scope"
                                            : "This token lacks the read:audit_log or admin:enterprise scope"));
    }
    return principal{{ent->id, ent->slug, ent->short_code}, row->id, row->scopes};
  });
}

}  // namespace emuscim::service
