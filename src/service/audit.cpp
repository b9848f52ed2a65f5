#include "audit.hpp"

#include "emuscim/store/repo.hpp"

namespace emuscim::service::audit {

void record(store::write_context& w, const request_context& ctx, std::string_view action,
            std::string_view resource_id, bool success, const nlohmann::json& data) {
  store::audit_row row;
  row.enterprise_id = ctx.enterprise.id;
  row.created = w.now;
  row.action = std::string(action);
  row.actor_token_id = ctx.token_id;
  row.request_id = ctx.request_id;
  row.resource_id = std::string(resource_id);
  row.success = success;
  row.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (ctx.org) row.org_id = ctx.org->id;
  store::insert_audit(w.db, row);
  if (ctx.trace) ctx.trace->events.push_back(row.action);
}

void record_for_org(store::write_context& w, const request_context& ctx, std::int64_t org_id, std::string_view action,
                    std::string_view resource_id, const nlohmann::json& data) {
  constexpr std::size_t kTracedEvents = 1000;  // a link of a large group writes one event per member
  store::audit_row row;
  row.enterprise_id = ctx.enterprise.id;
  row.created = w.now;
  row.action = std::string(action);
  row.actor_token_id = ctx.token_id;
  row.request_id = ctx.request_id;
  row.resource_id = std::string(resource_id);
  row.success = true;
  row.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  row.org_id = org_id;
  store::insert_audit(w.db, row);
  if (ctx.trace && ctx.trace->events.size() < kTracedEvents) ctx.trace->events.push_back(row.action);
}

namespace {
nlohmann::json api_fields(const request_context& ctx, std::string_view prefix, std::string_view resource_id,
                          int status) {
  bool group = prefix == "external_group";
  return {{"request_method", ctx.method},
          {"query_string", ctx.query},
          {"route", ctx.path},
          {"url_path", ctx.path},
          {"status_code", status},
          {group ? "scim_group_id" : "scim_user_id", resource_id},
          {"actor_is_bot", false}};
}
}  // namespace

void api_success(store::write_context& w, const request_context& ctx, std::string_view prefix,
                 std::string_view resource_id, int status) {
  record(w, ctx, std::string(prefix) + ".scim_api_success", resource_id, true,
         api_fields(ctx, prefix, resource_id, status));
}

void api_failure(store::write_context& w, const request_context& ctx, std::string_view prefix,
                 std::string_view resource_id, const scim::error& e) {
  // Runs after the failed job was rolled back: the events it had recorded are gone.
  if (ctx.trace) ctx.trace->events.clear();
  auto data = api_fields(ctx, prefix, resource_id, e.status);
  data["message"] = e.detail;
  if (!e.scim_type.empty()) data["scim_type"] = e.scim_type;
  record(w, ctx, std::string(prefix) + ".scim_api_failure", resource_id, false, data);
}

}  // namespace emuscim::service::audit
