#include "emuscim/service/auth_service.hpp"

#include "emuscim/base/text.hpp"

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

constexpr std::size_t kMaxCached = 10'000;  // per map; a full map starts again empty

std::string key_of(const auth::token_hash& h) { return std::string(h.begin(), h.end()); }

}  // namespace

template <class T>
std::optional<T> auth_service::lookup(const std::map<std::string, cached<T>, std::less<>>& m,
                                      std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = m.find(key);
  if (it == m.end() || clock::now() - it->second.read_at >= kCacheTtl) return std::nullopt;
  return it->second.value;
}

template <class T>
void auth_service::keep(std::map<std::string, cached<T>, std::less<>>& m, std::string key, const T& value,
                        std::uint64_t gen) {
  std::lock_guard lock(mu_);
  if (gen != generation()) return;  // forgotten while it was read
  if (m.size() >= kMaxCached) m.clear();
  m.insert_or_assign(std::move(key), cached<T>{value, clock::now()});
}

void auth_service::forget() {
  std::lock_guard lock(mu_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  tokens_.clear();
  enterprises_.clear();
  orgs_.clear();
}

auth_service::auth_service(store::database& db, const std::optional<std::string>& admin_token) : db_(db) {
  if (admin_token) admin_hash_ = auth::hash_token(*admin_token);
}

scim::result<principal> auth_service::authenticate(std::optional<std::string_view> authorization) {
  auto presented = presented_hash(authorization);
  if (!presented) return scim::fail(presented.error());
  // The map is keyed by the hash (never the token), so its lookup compares hashes only.
  auto key = key_of(*presented);
  if (auto hit = lookup(tokens_, key)) return *hit;
  const auto gen = generation();
  auto row = db_.read([&](store::connection& c) { return store::find_token_by_hash(c, *presented); });
  // The lookup is by hash; the explicit constant-time comparison keeps the check independent of
  // how the index compares.
  if (!row || !auth::constant_time_equal(row->hash, *presented) || row->revoked) {
    return scim::fail(scim::unauthorized("Bad credentials"));
  }
  principal who{row->id, row->enterprise_id, row->org_id, std::move(row->scopes)};
  keep(tokens_, std::move(key), who, gen);
  return who;
}

scim::result<enterprise_ref> auth_service::enterprise_for(const principal& who, std::string_view slug) {
  std::string key(slug);  // slugs compare exactly (enterprises.slug has no NOCASE)
  auto ent = lookup(enterprises_, key);
  if (!ent) {
    const auto gen = generation();
    auto row = db_.read([&](store::connection& c) { return store::find_enterprise(c, slug); });
    if (!row) return scim::fail(scim::not_found("Enterprise '" + std::string(slug) + "' not found"));
    ent = enterprise_ref{row->id, std::move(row->slug), std::move(row->short_code)};
    keep(enterprises_, std::move(key), *ent, gen);
  }
  if (ent->id != who.enterprise_id) {
    return scim::fail(scim::forbidden("This token is not authorized for enterprise '" + ent->slug + "'"));
  }
  return std::move(*ent);
}

scim::result<org_access> auth_service::org_for(const principal& who, std::string_view login) {
  auto key = base::to_lower(login);
  auto access = lookup(orgs_, key);
  if (!access) {
    const auto gen = generation();
    access = db_.read([&](store::connection& c) -> std::optional<org_access> {
      auto org = store::find_org(c, login);
      if (!org) return std::nullopt;
      org_access out{org_ref{org->id, org->login, org->enterprise_id, org->sso}, std::nullopt};
      if (org->enterprise_id) {
        auto ent = store::find_enterprise_by_id(c, *org->enterprise_id);
        if (ent) out.enterprise = enterprise_ref{ent->id, std::move(ent->slug), std::move(ent->short_code)};
      }
      return out;
    });
    if (!access) return scim::fail(scim::not_found("Not Found"));
    keep(orgs_, std::move(key), *access, gen);
  }
  const auto& org = access->org;
  const bool mine = (org.enterprise_id && *org.enterprise_id == who.enterprise_id) || (who.org_id && *who.org_id == org.id);
  if (!mine) return scim::fail(scim::not_found("Not Found"));
  return std::move(*access);
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
