#include "emuscim/service/admin_service.hpp"

#include <algorithm>

#include "emuscim/auth/scopes.hpp"
#include "emuscim/auth/token.hpp"
#include "emuscim/emu/login.hpp"
#include "emuscim/emu/names.hpp"
#include "emuscim/service/auth_service.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/orgs.hpp"
#include "emuscim/store/repo.hpp"
#include "emuscim/store/stats.hpp"
#include "emuscim/store/teams.hpp"
#include "service/audit_rows.hpp"
#include "service/reconcile.hpp"

namespace emuscim::service {

namespace {

constexpr std::int64_t kWalkBatch = 500;

scim::error org_not_found(std::string_view login) {
  return scim::not_found("Organization '" + std::string(login) + "' not found");
}

org_info to_info(store::connection& c, const store::org_row& o) {
  org_info out{o.id, o.login, std::nullopt, o.sso, o.created, store::count_org_members(c, o.id)};
  if (o.enterprise_id) {
    if (auto e = store::find_enterprise_by_id(c, *o.enterprise_id)) out.enterprise = e->slug;
  }
  return out;
}

scim::error enterprise_not_found(std::string_view slug) {
  return scim::not_found("Enterprise '" + std::string(slug) + "' not found");
}

enterprise_info to_info(store::enterprise_row e) {
  return {std::move(e.slug), std::move(e.short_code), std::move(e.created), e.user_count, e.group_count};
}

token_info to_info(store::token_row t) {
  return {t.id, std::move(t.scopes), std::move(t.label), std::move(t.created), std::move(t.revoked)};
}

managed_user to_view(store::connection& c, store::user_row u) {
  managed_user m;
  m.group_ids = store::user_group_ids(c, u.seq);
  for (const auto& membership : store::memberships_of_user(c, u.seq)) {
    if (auto o = store::find_org_by_id(c, membership.org_id)) m.orgs.push_back(o->login);
  }
  for (auto& t : store::teams_of_user(c, u.seq)) m.teams.push_back({std::move(t.org_login), std::move(t.slug)});
  m.id = std::move(u.id);
  m.user_name = std::move(u.user_name);
  m.external_id = std::move(u.external_id);
  m.display_name = std::move(u.display_name);
  m.login = std::move(u.current_login);
  m.original_login = std::move(u.login);
  m.active = u.active;
  m.role = std::move(u.role);
  m.email = std::move(u.email);
  m.created = std::move(u.created);
  m.modified = std::move(u.modified);
  return m;
}

// Runs `fn(connection&, enterprise_row)` in one read snapshot; 404 for an unknown enterprise.
template <class T, class Fn>
scim::result<T> with_enterprise(store::database& db, std::string_view slug, Fn fn) {
  return db.read([&](store::connection& c) -> scim::result<T> {
    store::transaction tx(c);
    auto e = store::find_enterprise(c, slug);
    if (!e) return scim::fail(enterprise_not_found(slug));
    scim::result<T> out = fn(c, *e);
    tx.commit();
    return out;
  });
}

}  // namespace

scim::result<std::vector<std::string>> normalize_scopes(std::optional<std::vector<std::string>> scopes,
                                                       std::string_view fallback) {
  if (!scopes) return std::vector<std::string>{std::string(fallback)};
  std::vector<std::string> out;
  for (auto& s : *scopes) {
    if (!auth::known_scope(s)) {
      return scim::fail(scim::invalid_value("Unknown scope '" + s +
                                            "': scopes are GitHub's classic token scopes, such as scim:enterprise, "
                                            "admin:enterprise, read:audit_log, read:org or admin:org"));
    }
    if (std::ranges::find(out, s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

std::vector<enterprise_info> admin_service::enterprises() {
  auto rows = db_.read([](store::connection& c) { return store::list_enterprises(c); });
  std::vector<enterprise_info> out;
  out.reserve(rows.size());
  for (auto& r : rows) out.push_back(to_info(std::move(r)));
  return out;
}

scim::result<enterprise_info> admin_service::enterprise(std::string_view slug) {
  auto row = db_.read([&](store::connection& c) { return store::find_enterprise(c, slug); });
  if (!row) return scim::fail(enterprise_not_found(slug));
  return to_info(std::move(*row));
}

boost::asio::awaitable<scim::result<std::pair<enterprise_info, bool>>> admin_service::ensure_enterprise(
    std::string slug, std::string short_code) {
  using outcome = std::pair<enterprise_info, bool>;
  if (!emu::valid_enterprise_slug(slug)) {
    co_return scim::fail(scim::invalid_value("'slug' must be " + std::string(emu::enterprise_slug_rule)));
  }
  if (!emu::valid_short_code(short_code)) {
    co_return scim::fail(scim::invalid_value("'short_code' must be " + std::string(emu::short_code_rule)));
  }
  auto job = [slug, short_code](store::write_context& w) -> scim::result<outcome> {
    auto [row, created] = store::ensure_enterprise(w.db, slug, short_code, w.now);
    if (!created && row.short_code != short_code) {
      return scim::fail(scim::uniqueness("Enterprise '" + slug + "' already exists with short code '" +
                                         row.short_code + "'"));
    }
    return outcome{to_info(std::move(row)), created};
  };
  co_return co_await db_.write<outcome>(std::move(job));
}

boost::asio::awaitable<scim::status> admin_service::delete_enterprise(std::string slug) {
  auto job = [slug](store::write_context& w) -> scim::result<bool> {
    auto e = store::find_enterprise(w.db, slug);
    if (!e) return scim::fail(enterprise_not_found(slug));
    store::delete_enterprise(w.db, e->id);  // users, groups, memberships; tokens and audit cascade
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (auth_ != nullptr) auth_->forget();  // after the commit (or its failure): cached credentials are stale
  if (!done) co_return scim::fail(done.error());
  db_.note_deletion();  // after COMMIT: cached list positions are stale
  co_return scim::status{};
}

boost::asio::awaitable<scim::status> admin_service::reset(std::string slug) {
  auto job = [slug](store::write_context& w) -> scim::result<bool> {
    auto e = store::find_enterprise(w.db, slug);
    if (!e) return scim::fail(enterprise_not_found(slug));
    store::reset_enterprise_teams(w.db, e->id);  // what users and groups gave goes with them
    store::reset_enterprise(w.db, e->id);        // one job = one savepoint in one transaction
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (!done) co_return scim::fail(done.error());
  db_.note_deletion();
  co_return scim::status{};
}

scim::result<std::vector<token_info>> admin_service::tokens(std::string_view slug) {
  return with_enterprise<std::vector<token_info>>(db_, slug, [](store::connection& c, const store::enterprise_row& e) {
    std::vector<token_info> out;
    for (auto& t : store::list_tokens(c, e.id)) out.push_back(to_info(std::move(t)));
    return out;
  });
}

boost::asio::awaitable<scim::result<new_token>> admin_service::create_token(std::string slug,
                                                                            std::optional<std::vector<std::string>> scopes,
                                                                            std::optional<std::string> label,
                                                                            std::optional<std::string> clear_text) {
  auto checked = normalize_scopes(std::move(scopes));
  if (!checked) co_return scim::fail(checked.error());
  std::string token = clear_text ? *clear_text : auth::generate_token();
  auto job = [slug, hash = auth::hash_token(token), scopes = std::move(*checked),
              label](store::write_context& w) -> scim::result<token_info> {
    auto e = store::find_enterprise(w.db, slug);
    if (!e) return scim::fail(enterprise_not_found(slug));
    store::insert_token(w.db, e->id, hash, scopes, label, w.now);
    auto row = store::find_token_by_hash(w.db, hash);  // an existing token keeps its row
    return to_info(std::move(*row));
  };
  auto info = co_await db_.write<token_info>(std::move(job));
  if (!info) co_return scim::fail(info.error());
  co_return new_token{std::move(*info), std::move(token)};
}

boost::asio::awaitable<scim::status> admin_service::revoke_token(std::string slug, std::int64_t token_id) {
  auto job = [slug, token_id](store::write_context& w) -> scim::result<bool> {
    auto e = store::find_enterprise(w.db, slug);
    if (!e) return scim::fail(enterprise_not_found(slug));
    auto tokens = store::list_tokens(w.db, e->id);
    auto it = std::ranges::find(tokens, token_id, &store::token_row::id);
    if (it == tokens.end()) return scim::fail(scim::not_found("Token " + std::to_string(token_id) + " not found"));
    if (!it->revoked) store::revoke_token(w.db, e->id, token_id, w.now);  // revoking twice is a no-op
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (auth_ != nullptr) auth_->forget();  // after the commit (or its failure): cached credentials are stale
  if (!done) co_return scim::fail(done.error());
  co_return scim::status{};
}

scim::result<std::vector<org_info>> admin_service::enterprise_orgs(std::string_view slug) {
  return with_enterprise<std::vector<org_info>>(db_, slug, [](store::connection& c, const store::enterprise_row& e) {
    std::vector<org_info> out;
    for (const auto& o : store::list_orgs(c, e.id)) out.push_back(to_info(c, o));
    return out;
  });
}

std::vector<org_info> admin_service::orgs() {
  return db_.read([](store::connection& c) {
    std::vector<org_info> out;
    for (const auto& o : store::list_all_orgs(c)) out.push_back(to_info(c, o));
    return out;
  });
}

scim::result<org_info> admin_service::org(std::string_view login) {
  return db_.read([&](store::connection& c) -> scim::result<org_info> {
    auto o = store::find_org(c, login);
    if (!o) return scim::fail(org_not_found(login));
    return to_info(c, *o);
  });
}

boost::asio::awaitable<scim::result<std::pair<org_info, bool>>> admin_service::ensure_org(
    std::optional<std::string> enterprise_slug, std::string login) {
  using outcome = std::pair<org_info, bool>;
  if (!emu::valid_org_login(login)) {
    co_return scim::fail(scim::invalid_value("'login' must be " + std::string(emu::org_login_rule)));
  }
  auto job = [enterprise_slug, login](store::write_context& w) -> scim::result<outcome> {
    std::optional<std::int64_t> enterprise_id;
    if (enterprise_slug) {
      auto e = store::find_enterprise(w.db, *enterprise_slug);
      if (!e) return scim::fail(enterprise_not_found(*enterprise_slug));
      enterprise_id = e->id;
    }
    if (auto existing = store::find_org(w.db, login)) {
      if (existing->enterprise_id != enterprise_id) {
        return scim::fail(scim::uniqueness("The login '" + login + "' is already taken by organization '" +
                                           existing->login + "'" +
                                           (existing->enterprise_id ? " of another enterprise" : "")));
      }
      return outcome{to_info(w.db, *existing), false};
    }
    if (store::find_account(w.db, login)) {
      return scim::fail(scim::uniqueness("The login '" + login + "' is already taken by a user account"));
    }
    // EMU organizations authenticate through the enterprise; standalone ones use SAML SSO.
    auto row = store::insert_org(w.db, login, enterprise_id, !enterprise_id, w.now);
    // Enterprise teams assigned to all organizations give the new one their members.
    request_context ctx;
    if (enterprise_id) ctx.enterprise.id = *enterprise_id;
    reconciler(w, ctx).org_created(row);
    return outcome{to_info(w.db, row), true};
  };
  co_return co_await db_.write<outcome>(std::move(job));
}

boost::asio::awaitable<scim::status> admin_service::delete_org(std::optional<std::string> enterprise_slug,
                                                               std::string login) {
  auto job = [enterprise_slug, login](store::write_context& w) -> scim::result<bool> {
    auto o = store::find_org(w.db, login);
    if (!o) return scim::fail(org_not_found(login));
    if (enterprise_slug) {
      auto e = store::find_enterprise(w.db, *enterprise_slug);
      if (!e) return scim::fail(enterprise_not_found(*enterprise_slug));
      if (o->enterprise_id != e->id) return scim::fail(org_not_found(login));
    } else if (o->enterprise_id) {
      return scim::fail(org_not_found(login));
    }
    store::delete_org(w.db, *o);
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (auth_ != nullptr) auth_->forget();  // after the commit (or its failure): cached credentials are stale
  if (!done) co_return scim::fail(done.error());
  co_return scim::status{};
}

scim::result<std::vector<token_info>> admin_service::org_tokens(std::string_view login) {
  return db_.read([&](store::connection& c) -> scim::result<std::vector<token_info>> {
    auto o = store::find_org(c, login);
    if (!o || o->enterprise_id) return scim::fail(org_not_found(login));
    std::vector<token_info> out;
    for (auto& t : store::list_org_tokens(c, o->id)) out.push_back(to_info(std::move(t)));
    return out;
  });
}

boost::asio::awaitable<scim::result<new_token>> admin_service::create_org_token(
    std::string login, std::optional<std::vector<std::string>> scopes, std::optional<std::string> label,
    std::optional<std::string> clear_text) {
  auto checked = normalize_scopes(std::move(scopes), default_org_token_scope);
  if (!checked) co_return scim::fail(checked.error());
  std::string token = clear_text ? *clear_text : auth::generate_token();
  auto job = [login, hash = auth::hash_token(token), scopes = std::move(*checked),
              label](store::write_context& w) -> scim::result<token_info> {
    auto o = store::find_org(w.db, login);
    if (!o) return scim::fail(org_not_found(login));
    if (o->enterprise_id) {
      return scim::fail(scim::invalid_value("Organization '" + o->login +
                                            "' belongs to an enterprise; use the enterprise's tokens for it"));
    }
    store::insert_org_token(w.db, o->id, hash, scopes, label, w.now);
    auto row = store::find_token_by_hash(w.db, hash);  // an existing token keeps its row
    return to_info(std::move(*row));
  };
  auto info = co_await db_.write<token_info>(std::move(job));
  if (!info) co_return scim::fail(info.error());
  co_return new_token{std::move(*info), std::move(token)};
}

boost::asio::awaitable<scim::status> admin_service::revoke_org_token(std::string login, std::int64_t token_id) {
  auto job = [login, token_id](store::write_context& w) -> scim::result<bool> {
    auto o = store::find_org(w.db, login);
    if (!o || o->enterprise_id) return scim::fail(org_not_found(login));
    auto tokens = store::list_org_tokens(w.db, o->id);
    auto it = std::ranges::find(tokens, token_id, &store::token_row::id);
    if (it == tokens.end()) return scim::fail(scim::not_found("Token " + std::to_string(token_id) + " not found"));
    if (!it->revoked) store::revoke_org_token(w.db, o->id, token_id, w.now);
    return true;
  };
  auto done = co_await db_.write<bool>(std::move(job));
  if (auth_ != nullptr) auth_->forget();  // after the commit (or its failure): cached credentials are stale
  if (!done) co_return scim::fail(done.error());
  co_return scim::status{};
}

scim::result<user_listing> admin_service::users(std::string_view slug, std::int64_t offset, std::int64_t count) {
  return with_enterprise<user_listing>(db_, slug, [&](store::connection& c, const store::enterprise_row& e) {
    auto page = store::list_users(c, e.id, offset, count, std::nullopt);
    user_listing out;
    out.total = page.total;
    out.users.reserve(page.rows.size());
    for (auto& u : page.rows) out.users.push_back(to_view(c, std::move(u)));
    return out;
  });
}

scim::status admin_service::for_each_user(std::string_view slug, const std::function<void(const managed_user&)>& fn) {
  auto ent = db_.read([&](store::connection& c) { return store::find_enterprise(c, slug); });
  if (!ent) return scim::fail(enterprise_not_found(slug));
  for (std::int64_t after = 0;;) {
    auto batch = db_.read([&](store::connection& c) {
      auto page = store::list_users(c, ent->id, 0, kWalkBatch, after);
      std::vector<managed_user> out;
      for (auto& u : page.rows) out.push_back(to_view(c, std::move(u)));
      after = page.last_seq;
      return out;
    });
    for (const auto& u : batch) fn(u);
    if (static_cast<std::int64_t>(batch.size()) < kWalkBatch) return {};
  }
}

scim::result<group_listing> admin_service::groups(std::string_view slug, std::int64_t offset, std::int64_t count,
                                                  std::int64_t members_shown) {
  return with_enterprise<group_listing>(db_, slug, [&](store::connection& c, const store::enterprise_row& e) {
    auto page = store::list_groups(c, e.id, offset, count, std::nullopt);
    group_listing out;
    out.total = page.total;
    for (auto& g : page.rows) {
      managed_group m{std::move(g.id), std::move(g.display_name), std::move(g.external_id), g.member_count, {}, {},
                      std::move(g.created), std::move(g.modified)};
      for (auto& u : store::group_member_sample(c, g.seq, members_shown)) {
        m.members.push_back({std::move(u.scim_id), std::move(u.user_name), std::move(u.login)});
      }
      for (const auto& t : store::teams_linked_to(c, g.seq)) {
        auto o = store::find_org_by_id(c, t.org_id);
        m.teams.push_back({o ? o->login : std::string(), t.slug});
      }
      for (const auto& t : store::enterprise_teams_linked_to(c, g.seq)) m.teams.push_back({std::string(), t.slug});
      out.groups.push_back(std::move(m));
    }
    return out;
  });
}

scim::status admin_service::for_each_group(std::string_view slug, const std::function<void(const group_line&)>& fn) {
  auto ent = db_.read([&](store::connection& c) { return store::find_enterprise(c, slug); });
  if (!ent) return scim::fail(enterprise_not_found(slug));
  for (std::int64_t after = 0;;) {
    auto page = db_.read([&](store::connection& c) { return store::list_groups(c, ent->id, 0, kWalkBatch, after); });
    for (auto& g : page.rows) fn({g.id, g.display_name, g.external_id, g.member_count});
    if (static_cast<std::int64_t>(page.rows.size()) < kWalkBatch) return {};
    after = page.last_seq;
  }
}

scim::result<std::vector<audit_event>> admin_service::audit(std::string_view slug, const audit_filter& filter) {
  return with_enterprise<std::vector<audit_event>>(
      db_, slug, [&](store::connection& c, const store::enterprise_row& e) {
        std::vector<audit_event> out;
        for (auto& row : store::list_audit(c, e.id, detail::to_query(filter))) {
          out.push_back(detail::to_event(std::move(row)));
        }
        return out;
      });
}

scim::result<std::vector<audit_event>> admin_service::org_audit(std::string_view login, const audit_filter& filter) {
  return db_.read([&](store::connection& c) -> scim::result<std::vector<audit_event>> {
    auto o = store::find_org(c, login);
    if (!o) return scim::fail(org_not_found(login));
    std::vector<audit_event> out;
    for (auto& row : store::list_org_audit(c, o->id, detail::to_query(filter))) {
      out.push_back(detail::to_event(std::move(row)));
    }
    return out;
  });
}

platform_stats admin_service::stats() {
  platform_stats s;
  db_.read([&](store::connection& c) {
    for (auto& e : store::list_enterprise_stats(c)) {
      s.enterprises.push_back({std::move(e.slug), e.users, e.groups, e.memberships});
    }
    s.db_size_bytes = store::database_size_bytes(c);
  });
  return s;
}

bool admin_service::ready() { return db_.ready(); }

}  // namespace emuscim::service
