#include "emuscim/service/auth_service.hpp"

#include "emuscim/store/database.hpp"
#include "emuscim/store/orgs.hpp"
#include "emuscim/store/repo.hpp"

namespace emuscim::service {

namespace {

scim::result<auth::token_hash> presented_hash(std::optional<std::string_view> authorization) {
  if (!authorization) return scim::fail(scim::unauthorized("Requires authentication"));
  auto token = auth::parse_authorization(*authorization);
  if (!token) return scim::fail(scim::unauthorized("Requires authentication: expected 'Authorization: Bearer <token>'"));
  return auth::hash_token(*token);
}

}  // namespace

auth_service::auth_service(store::database& db, const std::optional<std::string>& admin_token) : db_(db) {
  if (admin_token) admin_hash_ = auth::hash_token(*admin_token);
}

scim::result<principal> auth_service::authenticate(std::optional<std::string_view> authorization) {
  auto presented = presented_hash(authorization);
  if (!presented) return scim::fail(presented.error());
  auto row = db_.read([&](store::connection& c) { return store::find_token_by_hash(c, *presented); });
  // The lookup is by hash; the explicit constant-time comparison keeps the check independent of
  // how the index compares.
  if (!row || !auth::constant_time_equal(row->hash, *presented) || row->revoked) {
    return scim::fail(scim::unauthorized("Bad credentials"));
  }
  return principal{row->id, row->enterprise_id, row->org_id, std::move(row->scopes)};
}

scim::result<enterprise_ref> auth_service::enterprise_for(const principal& who, std::string_view slug) {
  auto ent = db_.read([&](store::connection& c) { return store::find_enterprise(c, slug); });
  if (!ent) return scim::fail(scim::not_found("Enterprise '" + std::string(slug) + "' not found"));
  if (ent->id != who.enterprise_id) {
    return scim::fail(scim::forbidden("This token is not authorized for enterprise '" + ent->slug + "'"));
  }
  return enterprise_ref{ent->id, std::move(ent->slug), std::move(ent->short_code)};
}

scim::result<org_access> auth_service::org_for(const principal& who, std::string_view login) {
  return db_.read([&](store::connection& c) -> scim::result<org_access> {
    auto org = store::find_org(c, login);
    const bool mine = org && ((org->enterprise_id && *org->enterprise_id == who.enterprise_id) ||
                              (who.org_id && *who.org_id == org->id));
    if (!mine) return scim::fail(scim::not_found("Not Found"));
    org_access out{org_ref{org->id, org->login, org->enterprise_id, org->sso}, std::nullopt};
    if (org->enterprise_id) {
      auto ent = store::find_enterprise_by_id(c, *org->enterprise_id);
      if (ent) out.enterprise = enterprise_ref{ent->id, std::move(ent->slug), std::move(ent->short_code)};
    }
    return out;
  });
}

scim::status auth_service::authenticate_admin(std::optional<std::string_view> authorization) const {
  auto presented = presented_hash(authorization);
  if (!presented) return scim::fail(presented.error());
  if (!admin_hash_ || !auth::constant_time_equal(*presented, *admin_hash_)) {
    return scim::fail(scim::unauthorized("Bad credentials"));
  }
  return {};
}

}  // namespace emuscim::service
