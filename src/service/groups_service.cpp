#include "emuscim/service/groups_service.hpp"

#include <array>

#include "audit.hpp"
#include "emuscim/scim/filter.hpp"
#include "emuscim/scim/group.hpp"
#include "emuscim/scim/group_patch.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/repo.hpp"
#include "ids.hpp"
#include "reconcile.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
constexpr std::string_view kGroup = "external_group";
constexpr std::array<std::string_view, 3> kGroupFilterAttributes = {"externalId", "id", "displayName"};
constexpr std::size_t kAuditIdLimit = 100;  // member ids listed in one audit event

std::string location(const request_context& ctx, std::string_view kind, std::string_view id) {
  return ctx.scim_root + "/" + std::string(kind) + "/" +
         std::string(id);
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

ordered_json render_row(const request_context& ctx, store::connection& c, const store::group_row& row,
                        bool exclude_members) {
  auto doc = json::parse(row.doc, nullptr, false);
  scim::resource_meta meta{row.id, row.created, row.modified, location(ctx, "Groups", row.id)};
  if (exclude_members) return scim::render_group(doc, meta, nullptr);
  std::vector<scim::member_view> members;
  auto rows = store::list_members(c, row.seq);
  members.reserve(rows.size());
  for (auto& m : rows) {
    auto ref = location(ctx, "Users", m.id);
    members.push_back({std::move(m.id), std::move(ref), std::move(m.display_name)});
  }
  return scim::render_group(doc, meta, &members);
}

scim::error group_not_found(std::string_view id) {
  return scim::not_found("Resource " + std::string(id) + " not found.");
}

scim::status check_unique(store::connection& db, const store::group_row& row) {
  if (auto other = store::find_group_by_display_name(db, row.enterprise_id, row.display_name);
      other && other->seq != row.seq) {
    return scim::fail(
        scim::uniqueness("Group with displayName '" + row.display_name + "' already exists in this enterprise"));
  }
  if (row.external_id) {
    if (auto other = store::find_group_by_external_id(db, row.enterprise_id, *row.external_id);
        other && other->seq != row.seq) {
      return scim::fail(
          scim::uniqueness("Group with externalId '" + *row.external_id + "' already exists in this enterprise"));
    }
  }
  return {};
}

void fill_row(store::group_row& row, const json& doc) {
  row.display_name = doc.at("displayName").get<std::string>();
  auto it = doc.find("externalId");
  row.external_id = it != doc.end() && it->is_string() ? std::optional<std::string>(it->get<std::string>())
                                                        : std::nullopt;
  row.doc = dump(doc);
}

// Resolves SCIM user ids of this enterprise to row sequences. An unknown id is the
// client's mistake (§8): 400 invalidValue naming it.
scim::result<std::vector<std::int64_t>> resolve(store::connection& db, std::int64_t enterprise_id,
                                                const std::vector<std::string>& ids, bool unknown_is_error) {
  std::vector<std::int64_t> seqs;
  seqs.reserve(ids.size());
  for (const auto& id : ids) {
    auto seq = store::user_seq(db, enterprise_id, id);
    if (!seq) {
      if (!unknown_is_error) continue;
      return scim::fail(scim::invalid_value("Member '" + id + "' is not a user of this enterprise"));
    }
    seqs.push_back(*seq);
  }
  return seqs;
}

json id_sample(const std::vector<std::string>& ids) {
  json out = json::array();
  for (std::size_t i = 0; i < ids.size() && i < kAuditIdLimit; ++i) out.push_back(ids[i]);
  return out;
}

struct member_delta {
  std::vector<std::string> added, removed;
  bool cleared = false;
};

// Adds/removes members, keeping member_count exact without counting.
scim::status add_members(store::connection& db, store::group_row& row, const std::vector<std::string>& ids,
                         member_delta& delta) {
  auto seqs = resolve(db, row.enterprise_id, ids, true);
  if (!seqs) return scim::fail(seqs.error());
  for (std::size_t i = 0; i < seqs->size(); ++i) {
    if (store::add_member(db, row.seq, (*seqs)[i]) > 0) {
      ++row.member_count;
      delta.added.push_back(ids[i]);
    }
  }
  return {};
}

void remove_members(store::connection& db, store::group_row& row, const std::vector<std::string>& ids,
                    member_delta& delta) {
  for (const auto& id : ids) {
    auto seq = store::user_seq(db, row.enterprise_id, id);
    if (seq && store::remove_member(db, row.seq, *seq) > 0) {
      --row.member_count;
      delta.removed.push_back(id);
    }
  }
}

void clear(store::connection& db, store::group_row& row, member_delta& delta) {
  store::clear_members(db, row.seq);
  row.member_count = 0;
  delta.cleared = true;
}

void membership_events(store::write_context& w, const request_context& ctx, const store::group_row& row,
                       const member_delta& d) {
  if (d.cleared || !d.added.empty() || !d.removed.empty()) {
    std::string change = d.cleared ? " all removed" : "";
    if (!d.added.empty()) change += " +" + std::to_string(d.added.size());
    if (!d.removed.empty() && !d.cleared) change += " \u2212" + std::to_string(d.removed.size());
    ctx.note("members:" + change + " (now " + std::to_string(row.member_count) + ")");
  }
  if (!d.added.empty()) {
    audit::record(w, ctx, "external_group.add_member", row.id, true,
                  {{"scim_group_id", row.id}, {"count", d.added.size()}, {"scim_user_ids", id_sample(d.added)}});
  }
  if (!d.removed.empty() || d.cleared) {
    json data = {{"scim_group_id", row.id}, {"count", d.removed.size()}, {"scim_user_ids", id_sample(d.removed)}};
    if (d.cleared) data["all_members"] = true;
    audit::record(w, ctx, "external_group.remove_member", row.id, true, data);
  }
}

// Linked teams follow the group (docs/ARCHITECTURE.md "Teams and reconciliation"): the touched
// users one by one, or every linked team in full when the group was emptied on the way.
void reconcile_members(store::write_context& w, const request_context& ctx, const store::group_row& row,
                       const member_delta& d) {
  std::vector<std::string> touched = d.added;
  touched.insert(touched.end(), d.removed.begin(), d.removed.end());
  reconciler(w, ctx).group_changed(row.seq, row.enterprise_id, touched, d.cleared);
}

auto failure_recorder(const request_context& ctx, std::string id) {
  return [ctx, id = std::move(id)](store::write_context& w, const scim::error& e) {
    audit::api_failure(w, ctx, kGroup, id, e);
  };
}

}  // namespace

scim::result<reply> groups_service::get(const request_context& ctx, std::string_view id, bool exclude_members) {
  return db_.read([&](store::connection& c) -> scim::result<reply> {
    store::transaction tx(c);  // the group row and its members from one snapshot
    auto row = store::find_group(c, ctx.enterprise.id, id);
    if (!row) return scim::fail(group_not_found(id));
    auto body = render_row(ctx, c, *row, exclude_members);
    tx.commit();
    return reply{200, std::move(body), {}};
  });
}

scim::result<reply> groups_service::list(const request_context& ctx, const list_query& q) {
  std::int64_t start = std::max<std::int64_t>(q.start_index, 1);
  std::int64_t count = std::clamp<std::int64_t>(q.count, 0, max_page_size);
  std::int64_t offset = start - 1;
  std::optional<scim::simple_eq> filter;
  if (q.filter) {
    auto f = scim::parse_list_filter(*q.filter, kGroupFilterAttributes);
    if (!f) return scim::fail(f.error());
    filter = std::move(*f);
  }
  auto generation = db_.deletion_generation();
  cursor_position from;
  if (!filter) from = cursors_.find(ctx.enterprise.id, offset, generation);
  ordered_json resources = ordered_json::array();
  auto page = db_.read([&](store::connection& c) {
    store::transaction tx(c);
    store::group_page p;
    if (filter) {
      store::group_key key = filter->attr == "externalId" ? store::group_key::external_id
                             : filter->attr == "id"       ? store::group_key::id
                                                          : store::group_key::display_name;
      p = store::list_groups_where(c, ctx.enterprise.id, key, filter->value, offset, count);
    } else {
      p = store::list_groups(c, ctx.enterprise.id, offset, count, from.seq, offset - from.offset);
    }
    for (const auto& row : p.rows) resources.push_back(render_row(ctx, c, row, q.exclude_members));
    tx.commit();
    return p;
  });
  if (!filter && !page.rows.empty()) {
    cursors_.remember(ctx.enterprise.id, offset + static_cast<std::int64_t>(page.rows.size()), page.last_seq,
                      generation);
  }
  return reply{200, scim::render_list(static_cast<std::size_t>(page.total), static_cast<std::size_t>(start),
                                      std::move(resources)),
               {}};
}

boost::asio::awaitable<scim::result<reply>> groups_service::create(const request_context& ctx, const json& body,
                                                                   bool exclude_members) {
  auto input = scim::canonical_group(body, opts_.mode);
  if (!input) co_return scim::fail(input.error());
  store::group_row row;
  row.enterprise_id = ctx.enterprise.id;
  row.id = new_uuid();
  auto where = location(ctx, "Groups", row.id);
  fill_row(row, input->doc);
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, row = std::move(row), members = std::move(input->members), exclude_members](
      store::write_context& w) mutable -> scim::result<ordered_json> {
    if (auto ok = check_unique(w.db, row); !ok) return scim::fail(ok.error());
    auto seqs = resolve(w.db, row.enterprise_id, members, true);
    if (!seqs) return scim::fail(seqs.error());
    row.created = row.modified = w.now;
    store::insert_group(w.db, row);
    member_delta delta;
    for (std::size_t i = 0; i < seqs->size(); ++i) {
      if (store::add_member(w.db, row.seq, (*seqs)[i]) > 0) delta.added.push_back(members[i]);
    }
    row.member_count = static_cast<std::int64_t>(delta.added.size());
    if (row.member_count > 0) store::update_group(w.db, row);
    json data = {{"scim_group_id", row.id}, {"display_name", row.display_name}};
    audit::record(w, ctx, "external_group.provision", row.id, true, data);
    audit::record(w, ctx, "external_group.update_display_name", row.id, true, data);
    membership_events(w, ctx, row, delta);
    audit::api_success(w, ctx, kGroup, row.id, 201);
    return render_row(ctx, w.db, row, exclude_members);
  };
  auto on_failure = failure_recorder(ctx, "");
  auto saved = co_await db_.write<ordered_json>(std::move(job), std::move(on_failure));
  if (!saved) co_return scim::fail(saved.error());
  co_return reply{201, std::move(*saved), std::move(where)};
}

boost::asio::awaitable<scim::result<reply>> groups_service::replace(const request_context& ctx, std::string id,
                                                                    const json& body, bool exclude_members) {
  auto input = scim::canonical_group(body, opts_.mode);
  if (!input) co_return scim::fail(input.error());
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, id, input = std::move(*input), exclude_members](store::write_context& w) mutable
      -> scim::result<ordered_json> {
    auto row = store::find_group(w.db, ctx.enterprise.id, id);
    if (!row) return scim::fail(group_not_found(id));
    auto old_name = row->display_name;
    // Like users (§9): a PUT without externalId keeps the current one.
    if (!input.doc.contains("externalId") && row->external_id) input.doc["externalId"] = *row->external_id;
    fill_row(*row, input.doc);
    if (auto ok = check_unique(w.db, *row); !ok) return scim::fail(ok.error());
    auto seqs = resolve(w.db, row->enterprise_id, input.members, true);
    if (!seqs) return scim::fail(seqs.error());
    member_delta delta;
    clear(w.db, *row, delta);
    for (std::size_t i = 0; i < seqs->size(); ++i) {
      if (store::add_member(w.db, row->seq, (*seqs)[i]) > 0) {
        ++row->member_count;
        delta.added.push_back(input.members[i]);
      }
    }
    row->modified = w.now;
    store::update_group(w.db, *row);
    reconciler(w, ctx).group_changed(row->seq, row->enterprise_id, {}, true);  // same job: teams follow
    json data = {{"scim_group_id", row->id}};
    audit::record(w, ctx, "external_group.update", row->id, true, data);
    if (old_name != row->display_name) {
      audit::record(w, ctx, "external_group.update_display_name", row->id, true,
                    {{"scim_group_id", row->id}, {"display_name", row->display_name}, {"old_display_name", old_name}});
    }
    membership_events(w, ctx, *row, delta);
    audit::api_success(w, ctx, kGroup, row->id, 200);
    // Rendered inside the write: the answer is the state this write produced, even when
    // a DELETE queued behind it commits before the client reads the reply.
    return render_row(ctx, w.db, *row, exclude_members);
  };
  auto on_failure = failure_recorder(ctx, id);
  auto saved = co_await db_.write<ordered_json>(std::move(job), std::move(on_failure));
  if (!saved) co_return scim::fail(saved.error());
  co_return reply{200, std::move(*saved), {}};
}

boost::asio::awaitable<scim::result<reply>> groups_service::patch(const request_context& ctx, std::string id,
                                                                  const json& body, bool exclude_members) {
  auto ops = scim::parse_patch_request(body, opts_.mode == scim::validation_mode::strict);
  if (!ops) co_return scim::fail(ops.error());
  auto plan = scim::plan_group_patch(*ops, opts_.mode);
  if (!plan) co_return scim::fail(plan.error());
  for (auto& n : plan->tolerated.notes) ctx.note(std::move(n));
  ctx.hint_client(plan->tolerated.dialect);
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  bool no_content = opts_.group_patch_no_content;
  auto job = [ctx, id, plan = std::move(*plan), exclude_members, no_content](store::write_context& w)
      -> scim::result<ordered_json> {
    auto row = store::find_group(w.db, ctx.enterprise.id, id);
    if (!row) return scim::fail(group_not_found(id));
    auto old_name = row->display_name;
    // The plan's document part; its member steps run below, each O(k log n) in the store.
    fill_row(*row, scim::apply_group_patch(json::parse(row->doc, nullptr, false), plan));
    if (auto ok = check_unique(w.db, *row); !ok) return scim::fail(ok.error());
    member_delta delta;
    for (const auto& step : plan.members) {
      switch (step.op) {
        case scim::member_step::kind::add:
          if (auto ok = add_members(w.db, *row, step.ids, delta); !ok) return scim::fail(ok.error());
          break;
        case scim::member_step::kind::remove:
          remove_members(w.db, *row, step.ids, delta);
          break;
        case scim::member_step::kind::clear:
          clear(w.db, *row, delta);
          break;
        case scim::member_step::kind::replace: {
          // Resolve first so an unknown id fails before anything is removed.
          auto seqs = resolve(w.db, row->enterprise_id, step.ids, true);
          if (!seqs) return scim::fail(seqs.error());
          clear(w.db, *row, delta);
          if (auto ok = add_members(w.db, *row, step.ids, delta); !ok) return scim::fail(ok.error());
          break;
        }
      }
    }
    row->modified = w.now;
    store::update_group(w.db, *row);
    reconcile_members(w, ctx, *row, delta);  // same job: teams follow
    audit::record(w, ctx, "external_group.update", row->id, true, {{"scim_group_id", row->id}});
    if (old_name != row->display_name) {
      audit::record(w, ctx, "external_group.update_display_name", row->id, true,
                    {{"scim_group_id", row->id}, {"display_name", row->display_name}, {"old_display_name", old_name}});
    }
    membership_events(w, ctx, *row, delta);
    audit::api_success(w, ctx, kGroup, row->id, 200);
    // Rendered inside the write: the answer is the state this write produced, even when
    // a DELETE queued behind it commits before the client reads the reply.
    if (no_content) return ordered_json();
    return render_row(ctx, w.db, *row, exclude_members);
  };
  auto on_failure = failure_recorder(ctx, id);
  auto saved = co_await db_.write<ordered_json>(std::move(job), std::move(on_failure));
  if (!saved) co_return scim::fail(saved.error());
  if (opts_.group_patch_no_content) co_return reply{204, nullptr, {}};
  co_return reply{200, std::move(*saved), {}};
}

boost::asio::awaitable<scim::result<reply>> groups_service::remove(const request_context& ctx, std::string id) {
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, id](store::write_context& w) -> scim::result<bool> {
    auto row = store::find_group(w.db, ctx.enterprise.id, id);
    if (!row) return scim::fail(group_not_found(id));
    reconciler(w, ctx).group_deleting(row->seq);  // same job: linked teams lose its members
    store::delete_group(w.db, *row);
    audit::record(w, ctx, "external_group.delete", id, true,
                  {{"scim_group_id", id}, {"display_name", row->display_name}});
    audit::api_success(w, ctx, kGroup, id, 204);
    return true;
  };
  auto on_failure = failure_recorder(ctx, id);
  auto done = co_await db_.write<bool>(std::move(job), std::move(on_failure));
  if (!done) co_return scim::fail(done.error());
  db_.note_deletion();
  co_return reply{204, nullptr, {}};
}

}  // namespace emuscim::service
