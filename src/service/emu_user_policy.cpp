// GitHub EMU's enterprise SCIM rules (github-emu-scim.md §7, §9, §11-§13, §16) for the users engine:
// logins derived from userName with the enterprise's short code, suspension on `active: false`
// (hashed login, obfuscated email), reactivation, roles, and the enterprise's users table.
#include <array>

#include "audit.hpp"
#include "emuscim/emu/login.hpp"
#include "emuscim/emu/roles.hpp"
#include "emuscim/store/repo.hpp"
#include "ids.hpp"
#include "reconcile.hpp"
#include "user_policy.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;
constexpr std::array<std::string_view, 4> kUserFilterAttributes = {"userName", "externalId", "id", "displayName"};

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::optional<std::string> opt_string(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// The managed account's email: the primary email, else the first one.
std::optional<std::string> primary_email(const json& doc) {
  auto it = doc.find("emails");
  if (it == doc.end() || !it->is_array() || it->empty()) return std::nullopt;
  for (const auto& e : *it) {
    if (e.value("primary", false) && e.contains("value")) return e["value"].get<std::string>();
  }
  const auto& first = it->front();
  if (first.contains("value") && first["value"].is_string()) return first["value"].get<std::string>();
  return std::nullopt;
}

// "4f1c…_acme": enough of the hash to recognise it in the users list.
std::string short_hashed(const std::string& login) {
  const auto underscore = login.rfind('_');
  if (underscore == std::string::npos || underscore <= 4) return login;
  return login.substr(0, 4) + "\u2026" + login.substr(underscore);
}

// Everything derived from a canonical document that does not need the database.
struct derived {
  std::string login;
  std::optional<emu::role> role;
};

scim::result<derived> derive(const json& doc, const enterprise_ref& ent, const service_options& opts) {
  auto login = emu::derive_login(doc.at("userName").get<std::string>(), ent.short_code, opts.login_rules);
  if (!login) return scim::fail(login.error());
  auto role = emu::effective_role(doc.contains("roles") ? doc["roles"] : json::array());
  if (!role) return scim::fail(role.error());
  return derived{std::move(*login), *role};
}

// Fills the row's columns from the document and the EMU state machine (§13).
void fill_row(store::user_row& row, const json& doc, const derived& d, const enterprise_ref& ent) {
  row.user_name = doc.at("userName").get<std::string>();
  row.external_id = opt_string(doc, "externalId");
  row.display_name = opt_string(doc, "displayName");
  row.active = doc.value("active", true);
  row.login = d.login;
  row.role = d.role ? std::optional<std::string>(std::string(emu::role_name(*d.role))) : std::nullopt;
  auto email = primary_email(doc);
  if (row.active) {
    row.current_login = d.login;
    row.email = email;
  } else {
    row.current_login = emu::suspended_login(d.login, ent.short_code);
    row.email = email ? std::optional<std::string>(emu::obfuscated_email(*email)) : std::nullopt;
  }
  row.doc = dump(doc);
}

// Uniqueness inside the enterprise (§7, §12): userName (case-insensitive), externalId, login.
scim::status check_unique(store::connection& db, const store::user_row& row, std::int64_t self_seq,
                          bool reactivating) {
  if (auto other = store::find_user_by_user_name(db, row.enterprise_id, row.user_name); other && other->seq != self_seq) {
    return scim::fail(scim::uniqueness("User with userName '" + row.user_name + "' already exists in this enterprise" +
                                       (other->active ? "" : " (suspended; reactivate it instead)")));
  }
  if (row.external_id) {
    if (auto other = store::find_user_by_external_id(db, row.enterprise_id, *row.external_id);
        other && other->seq != self_seq) {
      return scim::fail(scim::uniqueness("User with externalId '" + *row.external_id +
                                         "' already exists in this enterprise"));
    }
  }
  if (auto other = store::find_user_by_login(db, row.enterprise_id, row.current_login); other && other->seq != self_seq) {
    if (reactivating) {
      return scim::fail(scim::uniqueness("Cannot reactivate: the login " + row.current_login +
                                         " was taken by another user meanwhile; the user stays suspended"));
    }
    return scim::fail(scim::uniqueness("User " + row.current_login + " already exists in this enterprise"));
  }
  return {};
}

void role_events(store::write_context& w, const request_context& ctx, const store::user_row& before,
                 const store::user_row& after) {
  auto had = [](const store::user_row& r, std::string_view name) { return r.role && *r.role == name; };
  static constexpr std::pair<std::string_view, std::pair<const char*, const char*>> events[] = {
      {"enterprise_owner", {"business.add_admin", "business.remove_admin"}},
      {"billing_manager", {"business.add_billing_manager", "business.remove_billing_manager"}},
  };
  for (const auto& [role, names] : events) {
    if (!had(before, role) && had(after, role)) audit::record(w, ctx, names.first, after.id, true);
    if (had(before, role) && !had(after, role)) audit::record(w, ctx, names.second, after.id, true);
  }
}

user_record to_record(const store::user_row& row) {
  return {row.seq, row.id, json::parse(row.doc, nullptr, false), row.created, row.modified};
}

user_records to_records(store::user_page page) {
  user_records out{{}, page.total, page.last_seq};
  out.rows.reserve(page.rows.size());
  for (const auto& row : page.rows) out.rows.push_back(to_record(row));
  return out;
}

class emu_user_policy final : public user_policy {
 public:
  explicit emu_user_policy(const service_options& opts) : opts_(opts) {}

  std::int64_t tenant(const request_context& ctx) const override { return ctx.enterprise.id; }

  std::span<const std::string_view> filter_attributes() const override { return kUserFilterAttributes; }
  scim::response_layout layout() const override { return scim::response_layout::enterprise; }
  scim::validation_mode patch_mode() const override { return opts_.mode; }

  scim::result<json> canonical(const request_context& ctx, const json& body, scim::user_use use) const override {
    scim::tolerations tolerated;
    auto doc = scim::canonical_user(body, opts_.mode, use, &tolerated);
    note_tolerated(ctx, tolerated);
    if (!doc) return doc;
    // A new user's login and role are checked before anything is queued; a PUT derives them in its job.
    if (use == scim::user_use::create) {
      auto d = derive(*doc, ctx.enterprise, opts_);
      if (!d) return scim::fail(d.error());
      ctx.note("login derived: " + d->login + " (from userName '" + doc->at("userName").get<std::string>() + "')");
      if (d->role) ctx.note("role: " + std::string(emu::role_name(*d->role)));
      if (!doc->value("active", true)) {
        ctx.note("created suspended: login hashed to " +
                 short_hashed(emu::suspended_login(d->login, ctx.enterprise.short_code)));
      }
    }
    return doc;
  }

  scim::status adapt(std::vector<scim::patch_operation>&) const override { return {}; }
  scim::status check_plan(const scim::user_patch_plan&) const override { return {}; }

  std::optional<user_record> find(store::connection& c, const request_context& ctx,
                                  std::string_view id) const override {
    auto row = store::find_user(c, ctx.enterprise.id, id);
    if (!row) return std::nullopt;
    return to_record(*row);
  }

  user_records list(store::connection& c, const request_context& ctx, std::int64_t offset, std::int64_t count,
                    std::optional<std::int64_t> after_seq, std::int64_t skip) const override {
    return to_records(store::list_users(c, ctx.enterprise.id, offset, count, after_seq, skip));
  }

  user_records list_where(store::connection& c, const request_context& ctx, const scim::simple_eq& f,
                          std::int64_t offset, std::int64_t count) const override {
    store::user_key key = f.attr == "userName"     ? store::user_key::user_name
                          : f.attr == "externalId" ? store::user_key::external_id
                          : f.attr == "id"         ? store::user_key::id
                                                   : store::user_key::display_name;
    return to_records(store::list_users_where(c, ctx.enterprise.id, key, f.value, offset, count));
  }

  scim::result<user_record> create(store::write_context& w, const request_context& ctx, json doc) const override {
    auto d = derive(doc, ctx.enterprise, opts_);
    if (!d) return scim::fail(d.error());
    store::user_row row;
    row.enterprise_id = ctx.enterprise.id;
    row.id = new_uuid();
    fill_row(row, doc, *d, ctx.enterprise);
    if (auto ok = check_unique(w.db, row, 0, false); !ok) return scim::fail(ok.error());
    row.created = row.modified = w.now;
    store::insert_user(w.db, row);
    json data = {{"scim_user_id", row.id}};
    audit::record(w, ctx, "external_identity.provision", row.id, true, data);
    audit::record(w, ctx, "user.create", row.id, true, {{"scim_user_id", row.id}, {"login", row.current_login}});
    role_events(w, ctx, store::user_row{}, row);
    return to_record(row);
  }

  scim::result<user_record> update(store::write_context& w, const request_context& ctx, const user_record& record,
                                   json doc, user_write kind) const override {
    auto before = store::find_user(w.db, ctx.enterprise.id, record.id);
    if (!before) return scim::fail(scim::not_found("Resource " + record.id + " not found."));
    // A PUT without externalId keeps the current one (Okta's PUT carries none; §9).
    if (kind == user_write::replace && !doc.contains("externalId") && before->external_id) {
      doc["externalId"] = *before->external_id;
      ctx.note("externalId kept: the PUT carried none (as Okta's PUT does)");
    }
    auto d = derive(doc, ctx.enterprise, opts_);
    if (!d) return scim::fail(d.error());
    store::user_row after = *before;
    fill_row(after, doc, *d, ctx.enterprise);
    bool reactivating = !before->active && after.active;
    if (auto ok = check_unique(w.db, after, before->seq, reactivating); !ok) return scim::fail(ok.error());
    after.modified = w.now;
    store::update_user(w.db, after);
    // Same job: suspension leaves the linked teams, reactivation rejoins them.
    if (before->active != after.active) reconciler(w, ctx).user_activity_changed(after.seq);
    if (before->active && !after.active) {
      ctx.note("suspended: login hashed to " + short_hashed(after.current_login));
    } else if (reactivating) {
      ctx.note("reactivated: login restored to " + after.current_login);
    } else if (before->current_login != after.current_login) {
      ctx.note("login changed: " + before->current_login + " \u2192 " + after.current_login);
    }
    if (before->role != after.role) ctx.note("role: " + after.role.value_or("none"));

    json data = {{"scim_user_id", after.id}};
    if (before->active && !after.active) {
      for (const char* a : {"user.suspend", "user.remove_email", "user.rename", "external_identity.deprovision"}) {
        audit::record(w, ctx, a, after.id, true, data);
      }
    } else if (reactivating) {
      for (const char* a : {"user.unsuspend", "user.remove_email", "user.rename", "external_identity.provision"}) {
        audit::record(w, ctx, a, after.id, true, data);
      }
    } else {
      audit::record(w, ctx, "external_identity.update", after.id, true, data);
      if (before->current_login != after.current_login) {
        audit::record(w, ctx, "user.rename", after.id, true,
                      {{"scim_user_id", after.id}, {"old_login", before->current_login}, {"login", after.current_login}});
      }
    }
    role_events(w, ctx, *before, after);
    return to_record(after);
  }

  scim::status remove(store::write_context& w, const request_context& ctx, const user_record& record) const override {
    auto row = store::find_user(w.db, ctx.enterprise.id, record.id);
    if (!row) return scim::fail(scim::not_found("Resource " + record.id + " not found."));
    reconciler(w, ctx).user_deleting(row->seq);  // same job: every team and organization, for good
    store::delete_user(w.db, *row, w.now);
    json data = {{"scim_user_id", record.id}};
    audit::record(w, ctx, "external_identity.deprovision", record.id, true, data);
    audit::record(w, ctx, "user.remove_email", record.id, true, data);
    return {};
  }

 private:
  service_options opts_;
};

}  // namespace

std::shared_ptr<const user_policy> make_emu_policy(const service_options& opts) {
  return std::make_shared<const emu_user_policy>(opts);
}

}  // namespace emuscim::service
