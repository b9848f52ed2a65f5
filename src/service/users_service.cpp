// The users engine: what every SCIM users endpoint shares, whatever its tenant's rules
// (user_policy.hpp): canonical bodies, PATCH plans compiled on the I/O thread and applied in the
// write job, list filters and paging with the cursor cache, rendering, and the
// external_identity.scim_api_success / _failure events.
#include "emuscim/service/users_service.hpp"

#include "audit.hpp"
#include "emuscim/scim/filter.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/user_patch.hpp"
#include "emuscim/store/database.hpp"
#include "user_policy.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;
constexpr std::string_view kIdentity = "external_identity";

std::string user_location(const request_context& ctx, std::string_view id) {
  return ctx.scim_root + "/Users/" + std::string(id);
}

nlohmann::ordered_json render(const request_context& ctx, const user_record& r, scim::response_layout layout) {
  return scim::render_user(r.doc, {r.id, r.created, r.modified, user_location(ctx, r.id)}, layout);
}

auto failure_recorder(const request_context& ctx, std::string id) {
  return [ctx, id = std::move(id)](store::write_context& w, const scim::error& e) {
    audit::api_failure(w, ctx, kIdentity, id, e);
  };
}

scim::error user_not_found(std::string_view id) { return scim::not_found("Resource " + std::string(id) + " not found."); }

}  // namespace

users_service::users_service(store::database& db, service_options opts, user_rules rules)
    : db_(db), policy_(rules == user_rules::emu ? make_emu_policy(opts) : make_org_policy(opts)) {}

users_service::~users_service() = default;

scim::result<reply> users_service::get(const request_context& ctx, std::string_view id) {
  // Enterprise users only: their documents change through this service's writes alone (an org
  // identity also changes through invitations and acceptance).
  const bool cached = policy_->layout() == scim::response_layout::enterprise;
  std::string key;
  rendered_cache::stamp at;
  if (cached) {
    key = std::to_string(policy_->tenant(ctx)) + '\n' + ctx.scim_root + '\n' + std::string(id);
    at = rendered_.now(db_.deletion_generation());
    if (auto body = rendered_.find(key, at)) return reply{200, nullptr, {}, std::move(*body)};
  }
  auto record = db_.read([&](store::connection& c) { return policy_->find(c, ctx, id); });
  if (!record) return scim::fail(user_not_found(id));
  if (!cached) return reply{200, render(ctx, *record, policy_->layout()), {}};
  auto body = serialize(render(ctx, *record, policy_->layout()));
  rendered_.keep(std::move(key), body, at, db_.deletion_generation());
  return reply{200, nullptr, {}, std::move(body)};
}

scim::result<reply> users_service::list(const request_context& ctx, const list_query& q) {
  std::int64_t start = std::max<std::int64_t>(q.start_index, 1);
  std::int64_t count = std::clamp<std::int64_t>(q.count, 0, max_page_size);
  std::int64_t offset = start - 1;
  user_records page;
  if (q.filter) {
    auto f = scim::parse_list_filter(*q.filter, policy_->filter_attributes());
    if (!f) return scim::fail(f.error());
    page = db_.read([&](store::connection& c) { return policy_->list_where(c, ctx, *f, offset, count); });
  } else {
    const std::int64_t tenant = policy_->tenant(ctx);
    auto generation = db_.deletion_generation();
    auto from = cursors_.find(tenant, offset, generation);
    page = db_.read([&](store::connection& c) {
      store::transaction tx(c);  // count and rows from one snapshot
      auto p = policy_->list(c, ctx, offset, count, from.seq, offset - from.offset);
      tx.commit();
      return p;
    });
    if (!page.rows.empty()) {
      cursors_.remember(tenant, offset + static_cast<std::int64_t>(page.rows.size()), page.last_seq, generation);
    }
  }
  nlohmann::ordered_json resources = nlohmann::ordered_json::array();
  for (const auto& r : page.rows) resources.push_back(render(ctx, r, policy_->layout()));
  return reply{200, scim::render_list(static_cast<std::size_t>(page.total), static_cast<std::size_t>(start),
                                      std::move(resources), policy_->layout()),
               {}};
}

boost::asio::awaitable<scim::result<reply>> users_service::create(const request_context& ctx, const json& body) {
  auto doc = policy_->canonical(ctx, body, scim::user_use::create);
  if (!doc) co_return scim::fail(doc.error());
  // Jobs hold the policy: one may still run while the server shuts down and this service is gone.
  auto policy = policy_;
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, doc = std::move(*doc), policy](store::write_context& w) mutable -> scim::result<user_record> {
    auto saved = policy->create(w, ctx, std::move(doc));
    if (saved) audit::api_success(w, ctx, kIdentity, saved->id, 201);
    return saved;
  };
  auto on_failure = failure_recorder(ctx, "");
  auto saved = co_await db_.write<user_record>(std::move(job), std::move(on_failure));
  rendered_.wrote();  // after COMMIT (or its failure), before the answer: cached GETs are stale
  if (!saved) co_return scim::fail(saved.error());
  auto location = user_location(ctx, saved->id);
  co_return reply{201, render(ctx, *saved, policy_->layout()), location};
}

boost::asio::awaitable<scim::result<reply>> users_service::replace(const request_context& ctx, std::string id,
                                                                   const json& body) {
  auto doc = policy_->canonical(ctx, body, scim::user_use::replace);
  if (!doc) co_return scim::fail(doc.error());
  auto policy = policy_;
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, id, doc = std::move(*doc), policy](store::write_context& w) mutable -> scim::result<user_record> {
    auto before = policy->find(w.db, ctx, id);
    if (!before) return scim::fail(user_not_found(id));
    auto saved = policy->update(w, ctx, *before, std::move(doc), user_write::replace);
    if (saved) audit::api_success(w, ctx, kIdentity, saved->id, 200);
    return saved;
  };
  auto on_failure = failure_recorder(ctx, id);
  auto saved = co_await db_.write<user_record>(std::move(job), std::move(on_failure));
  rendered_.wrote();  // after COMMIT (or its failure), before the answer: cached GETs are stale
  if (!saved) co_return scim::fail(saved.error());
  if (saved->deleted) db_.note_deletion();  // after COMMIT: list positions after this user have shifted
  co_return reply{200, render(ctx, *saved, policy_->layout()), {}};
}

boost::asio::awaitable<scim::result<reply>> users_service::patch(const request_context& ctx, std::string id,
                                                                 const json& body) {
  // Compiled and checked here, on the I/O thread; the write job only applies the plan to the
  // stored document (docs/ARCHITECTURE.md, PATCH).
  const auto mode = policy_->patch_mode();
  auto ops = scim::parse_patch_request(body, mode == scim::validation_mode::strict);
  if (!ops) co_return scim::fail(ops.error());
  if (auto ok = policy_->adapt(*ops); !ok) co_return scim::fail(ok.error());
  auto plan = scim::plan_user_patch(*ops);
  if (!plan) co_return scim::fail(plan.error());
  note_tolerated(ctx, plan->tolerated);
  if (auto ok = policy_->check_plan(*plan); !ok) co_return scim::fail(ok.error());
  auto policy = policy_;
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, id, plan = std::move(*plan), policy, mode](store::write_context& w) -> scim::result<user_record> {
    auto before = policy->find(w.db, ctx, id);
    if (!before) return scim::fail(user_not_found(id));
    auto doc = scim::apply_user_patch(before->doc, plan, mode);
    if (!doc) return scim::fail(doc.error());
    auto saved = policy->update(w, ctx, *before, std::move(*doc), user_write::patch);
    if (saved) audit::api_success(w, ctx, kIdentity, saved->id, 200);
    return saved;
  };
  auto on_failure = failure_recorder(ctx, id);
  auto saved = co_await db_.write<user_record>(std::move(job), std::move(on_failure));
  rendered_.wrote();  // after COMMIT (or its failure), before the answer: cached GETs are stale
  if (!saved) co_return scim::fail(saved.error());
  if (saved->deleted) db_.note_deletion();  // after COMMIT: list positions after this user have shifted
  co_return reply{200, render(ctx, *saved, policy_->layout()), {}};
}

boost::asio::awaitable<scim::result<reply>> users_service::remove(const request_context& ctx, std::string id) {
  auto policy = policy_;
  // Named locals, not temporaries of the co_await expression: GCC 12 bitwise-copies
  // such temporaries into the coroutine frame.
  auto job = [ctx, id, policy](store::write_context& w) -> scim::result<bool> {
    auto before = policy->find(w.db, ctx, id);
    if (!before) return scim::fail(user_not_found(id));
    if (auto ok = policy->remove(w, ctx, *before); !ok) return scim::fail(ok.error());
    audit::api_success(w, ctx, kIdentity, id, 204);
    return true;
  };
  auto on_failure = failure_recorder(ctx, id);
  auto done = co_await db_.write<bool>(std::move(job), std::move(on_failure));
  rendered_.wrote();  // after COMMIT (or its failure), before the answer: cached GETs are stale
  if (!done) co_return scim::fail(done.error());
  db_.note_deletion();  // after COMMIT: list positions after this user have shifted
  co_return reply{204, nullptr, {}};
}

}  // namespace emuscim::service
