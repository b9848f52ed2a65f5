#include "emuscim/service/users_service.hpp"

#include <array>

#include "audit.hpp"
#include "emuscim/emu/roles.hpp"
#include "emuscim/scim/filter.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/user_patch.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/repo.hpp"
#include "ids.hpp"
#include "reconcile.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;
constexpr std::string_view kIdentity = "external_identity";
constexpr std::array<std::string_view, 4> kUserFilterAttributes = {"userName", "externalId", "id", "displayName"};

std::string user_location(const request_context& ctx, std::string_view id) {
  return ctx.scim_root + "/Users/" + std::string(id);
}

nlohmann::ordered_json render(const request_context& ctx, const store::user_row& row) {
  auto doc = json::parse(row.doc, nullptr, false);
  return scim::render_user(doc, {row.id, row.created, row.modified, user_location(ctx, row.id)});
}

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

// Everything derived from a canonical document that does not need the database.
struct derived {
  std::string login;
  std::optional<emu::role> role;
};

// What canonical_user and the PATCH planner tolerated, as request-log notes.
void note_tolerated(const request_context& ctx, scim::tolerations& t) {
  for (auto& n : t.notes) ctx.note(std::move(n));
  ctx.hint_client(t.dialect);
}

// "4f1c…_acme": enough of the hash to recognise it in the users list.
std::string short_hashed(const std::string& login) {
  const auto underscore = login.rfind('_');
  if (underscore == std::string::npos || underscore <= 4) return login;
  return login.substr(0, 4) + "\u2026" + login.substr(underscore);
}

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

// The writer-side half of PUT and PATCH: validates EMU rules against the database and saves.
scim::result<store::user_row> save_update(store::write_context& w, const request_context& ctx,
                                          const store::user_row& before, const json& doc,
                                          const service_options& opts) {
  auto d = derive(doc, ctx.enterprise, opts);
  if (!d) return scim::fail(d.error());
  store::user_row after = before;
  fill_row(after, doc, *d, ctx.enterprise);
  bool reactivating = !before.active && after.active;
  if (auto ok = check_unique(w.db, after, before.seq, reactivating); !ok) return scim::fail(ok.error());
  after.modified = w.now;
  store::update_user(w.db, after);
  // Same job: suspension leaves the linked teams, reactivation rejoins them.
  if (before.active != after.active) reconciler(w, ctx).user_activity_changed(after.seq);

  if (before.active && !after.active) {
    ctx.note("suspended: login hashed to " + short_hashed(after.current_login));
  } else if (reactivating) {
    ctx.note("reactivated: login restored to " + after.current_login);
  } else if (before.current_login != after.current_login) {
    ctx.note("login changed: " + before.current_login + " \u2192 " + after.current_login);
  }
  if (before.role != after.role) ctx.note("role: " + after.role.value_or("none"));
  json data = {{"scim_user_id", after.id}};
  if (before.active && !after.active) {
    for (const char* a : {"user.suspend", "user.remove_email", "user.rename", "external_identity.deprovision"}) {
      audit::record(w, ctx, a, after.id, true, data);
    }
  } else if (reactivating) {
    for (const char* a : {"user.unsuspend", "user.remove_email", "user.rename", "external_identity.provision"}) {
      audit::record(w, ctx, a, after.id, true, data);
    }
  } else {
    audit::record(w, ctx, "external_identity.update", after.id, true, data);
    if (before.current_login != after.current_login) {
      audit::record(w, ctx, "user.rename", after.id, true,
                    {{"scim_user_id", after.id}, {"old_login", before.current_login}, {"login", after.current_login}});
    }
  }
  role_events(w, ctx, before, after);
  audit::api_success(w, ctx, kIdentity, after.id, 200);
  return after;
}

auto failure_recorder(const request_context& ctx, std::string id) {
  return [ctx, id = std::move(id)](store::write_context& w, const scim::error& e) {
    audit::api_failure(w, ctx, kIdentity, id, e);
  };
}

scim::error user_not_found(std::string_view id) { return scim::not_found("Resource " + std::string(id) + " not found."); }

}  // namespace

scim::result<reply> users_service::get(const request_context& ctx, std::string_view id) {
  auto row = db_.read([&](store::connection& c) { return store::find_user(c, ctx.enterprise.id, id); });
  if (!row) return scim::fail(user_not_found(id));
  return reply{200, render(ctx, *row), {}};
}

scim::result<reply> users_service::list(const request_context& ctx, const list_query& q) {
  std::int64_t start = std::max<std::int64_t>(q.start_index, 1);
  std::int64_t count = std::clamp<std::int64_t>(q.count, 0, max_page_size);
  std::int64_t offset = start - 1;
  store::user_page page;
  if (q.filter) {
    auto f = scim::parse_list_filter(*q.filter, kUserFilterAttributes);
    if (!f) return scim::fail(f.error());
    store::user_key key = f->attr == "userName"     ? store::user_key::user_name
                          : f->attr == "externalId" ? store::user_key::external_id
                          : f->attr == "id"         ? store::user_key::id
                                                    : store::user_key::display_name;
    page = db_.read([&](store::connection& c) {
      return store::list_users_where(c, ctx.enterprise.id, key, f->value, offset, count);
    });
  } else {
    auto generation = db_.deletion_generation();
    auto from = cursors_.find(ctx.enterprise.id, offset, generation);
    page = db_.read([&](store::connection& c) {
      store::transaction tx(c);  // count and rows from one snapshot
      auto p = store::list_users(c, ctx.enterprise.id, offset, count, from.seq, offset - from.offset);
      tx.commit();
      return p;
    });
    if (!page.rows.empty()) {
      cursors_.remember(ctx.enterprise.id, offset + static_cast<std::int64_t>(page.rows.size()), page.last_seq,
                        generation);
    }
  }
  nlohmann::ordered_json resources = nlohmann::ordered_json::array();
  for (const auto& row : page.rows) resources.push_back(render(ctx, row));
  return reply{200, scim::render_list(static_cast<std::size_t>(page.total), static_cast<std::size_t>(start),
                                      std::move(resources)),
               {}};
}

boost::asio::awaitable<scim::result<reply>> users_service::create(const request_context& ctx, const json& body) {
  scim::tolerations tolerated;
  auto doc = scim::canonical_user(body, opts_.mode, scim::user_use::create, &tolerated);
  note_tolerated(ctx, tolerated);
  if (!doc) co_return scim::fail(doc.error());
  auto d = derive(*doc, ctx.enterprise, opts_);
  if (!d) co_return scim::fail(d.error());
  ctx.note("login derived: " + d->login + " (from userName '" + doc->at("userName").get<std::string>() + "')");
  if (d->role) ctx.note("role: " + std::string(emu::role_name(*d->role)));
  if (!doc->value("active", true)) ctx.note("created suspended: login hashed to " +
                                             short_hashed(emu::suspended_login(d->login, ctx.enterprise.short_code)));

  store::user_row row;
  row.enterprise_id = ctx.enterprise.id;
  row.id = new_uuid();
  fill_row(row, *doc, *d, ctx.enterprise);

  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, row = std::move(row)](store::write_context& w) mutable -> scim::result<store::user_row> {
    if (auto ok = check_unique(w.db, row, 0, false); !ok) return scim::fail(ok.error());
    row.created = row.modified = w.now;
    store::insert_user(w.db, row);
    json data = {{"scim_user_id", row.id}};
    audit::record(w, ctx, "external_identity.provision", row.id, true, data);
    audit::record(w, ctx, "user.create", row.id, true, {{"scim_user_id", row.id}, {"login", row.current_login}});
    role_events(w, ctx, store::user_row{}, row);
    audit::api_success(w, ctx, kIdentity, row.id, 201);
    return row;
  };
  auto on_failure = failure_recorder(ctx, "");
  auto saved = co_await db_.write<store::user_row>(std::move(job), std::move(on_failure));
  if (!saved) co_return scim::fail(saved.error());
  auto location = user_location(ctx, saved->id);
  co_return reply{201, render(ctx, *saved), location};
}

boost::asio::awaitable<scim::result<reply>> users_service::replace(const request_context& ctx, std::string id,
                                                                   const json& body) {
  scim::tolerations tolerated;
  auto doc = scim::canonical_user(body, opts_.mode, scim::user_use::replace, &tolerated);
  note_tolerated(ctx, tolerated);
  if (!doc) co_return scim::fail(doc.error());
  auto opts = opts_;
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, id, doc = std::move(*doc), opts](store::write_context& w) mutable -> scim::result<store::user_row> {
    auto before = store::find_user(w.db, ctx.enterprise.id, id);
    if (!before) return scim::fail(user_not_found(id));
    // A PUT without externalId keeps the current one (Okta's PUT carries none; §9).
    if (!doc.contains("externalId") && before->external_id) {
      doc["externalId"] = *before->external_id;
      ctx.note("externalId kept: the PUT carried none (as Okta's PUT does)");
    }
    return save_update(w, ctx, *before, doc, opts);
  };
  auto on_failure = failure_recorder(ctx, id);
  auto saved = co_await db_.write<store::user_row>(std::move(job), std::move(on_failure));
  if (!saved) co_return scim::fail(saved.error());
  co_return reply{200, render(ctx, *saved), {}};
}

boost::asio::awaitable<scim::result<reply>> users_service::patch(const request_context& ctx, std::string id,
                                                                 const json& body) {
  // Compiled and checked here, on the I/O thread; the write job only applies the plan to the
  // stored document (docs/ARCHITECTURE.md, PATCH).
  auto ops = scim::parse_patch_request(body, opts_.mode == scim::validation_mode::strict);
  if (!ops) co_return scim::fail(ops.error());
  auto plan = scim::plan_user_patch(*ops);
  if (!plan) co_return scim::fail(plan.error());
  note_tolerated(ctx, plan->tolerated);
  auto opts = opts_;
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, id, plan = std::move(*plan), opts](store::write_context& w) -> scim::result<store::user_row> {
    auto before = store::find_user(w.db, ctx.enterprise.id, id);
    if (!before) return scim::fail(user_not_found(id));
    auto doc = scim::apply_user_patch(json::parse(before->doc, nullptr, false), plan, opts.mode);
    if (!doc) return scim::fail(doc.error());
    return save_update(w, ctx, *before, *doc, opts);
  };
  auto on_failure = failure_recorder(ctx, id);
  auto saved = co_await db_.write<store::user_row>(std::move(job), std::move(on_failure));
  if (!saved) co_return scim::fail(saved.error());
  co_return reply{200, render(ctx, *saved), {}};
}

boost::asio::awaitable<scim::result<reply>> users_service::remove(const request_context& ctx, std::string id) {
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, id](store::write_context& w) -> scim::result<bool> {
    auto row = store::find_user(w.db, ctx.enterprise.id, id);
    if (!row) return scim::fail(user_not_found(id));
    reconciler(w, ctx).user_deleting(row->seq);  // same job: every team and organization, for good
    store::delete_user(w.db, *row, w.now);
    json data = {{"scim_user_id", id}};
    audit::record(w, ctx, "external_identity.deprovision", id, true, data);
    audit::record(w, ctx, "user.remove_email", id, true, data);
    audit::api_success(w, ctx, kIdentity, id, 204);
    return true;
  };
  auto on_failure = failure_recorder(ctx, id);
  auto done = co_await db_.write<bool>(std::move(job), std::move(on_failure));
  if (!done) co_return scim::fail(done.error());
  db_.note_deletion();  // after COMMIT: list positions after this user have shifted
  co_return reply{204, nullptr, {}};
}

}  // namespace emuscim::service
