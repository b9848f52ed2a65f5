#include "service/teams_common.hpp"

#include "emuscim/base/text.hpp"

#include <algorithm>

namespace emuscim::service::rest {

scim::error not_found() { return scim::not_found("Not Found"); }

scim::error validation(std::string_view resource, std::string_view field, std::string_view code, std::string message) {
  scim::error e{422, "", "Validation Failed"};
  e.errors.push_back({std::string(resource), std::string(field), std::string(code), std::move(message)});
  return e;
}

scim::error idp_managed(std::string_view what) {
  return scim::forbidden("The membership of " + std::string(what) +
                         " is managed by an identity provider group: change the group in your identity provider");
}

scim::result<std::optional<std::string>> string_field(const nlohmann::json& body, std::string_view resource,
                                                      std::string_view field, bool nullable) {
  auto it = body.find(field);
  if (it == body.end()) return std::nullopt;
  if (it->is_null() && nullable) return std::optional<std::string>{};
  if (!it->is_string()) {
    return scim::fail(validation(resource, field, "invalid", base::cat({"'", field, "' must be a string"})));
  }
  return std::optional<std::string>(it->get<std::string>());
}

scim::result<std::optional<std::int64_t>> int_field(const nlohmann::json& body, std::string_view resource,
                                                    std::string_view field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) {
    return scim::fail(validation(resource, field, "invalid", base::cat({"\'", field, "' must be an integer"})));
  }
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

scim::result<std::optional<std::string>> enum_field(const nlohmann::json& body, std::string_view resource,
                                                    std::string_view field,
                                                    std::initializer_list<std::string_view> allowed) {
  auto v = string_field(body, resource, field);
  if (!v || !*v) return v;
  if (std::find(allowed.begin(), allowed.end(), **v) != allowed.end()) return v;
  std::string list;
  for (auto a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  return scim::fail(validation(resource, field, "invalid",
                               base::cat({"'", field, "' must be one of ", list, ", got '", **v, "'"})));
}

scim::result<std::vector<std::string>> string_list(const nlohmann::json& body, std::string_view resource,
                                                   std::string_view field, bool required) {
  std::vector<std::string> out;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (required) return scim::fail(validation(resource, field, "missing_field"));
    return out;
  }
  if (!it->is_array()) {
    return scim::fail(validation(resource, field, "invalid", base::cat({"\'", field, "' must be an array of strings"})));
  }
  for (const auto& v : *it) {
    if (!v.is_string()) {
      return scim::fail(
          validation(resource, field, "invalid", base::cat({"\'", field, "' must be an array of strings"})));
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<store::account_ref> user_by_login(store::connection& db, const request_context& ctx,
                                                std::string_view login) {
  if (ctx.org && !ctx.org->enterprise_id) return store::find_personal_account_by_login(db, login);
  return store::find_managed_user_by_login(db, ctx.enterprise.id, login);
}

std::optional<store::account_ref> user_by_id(store::connection& db, std::int64_t id) {
  return id >= store::first_account_id ? store::find_personal_account(db, id) : store::find_managed_user(db, id);
}

store::org_row org_of(store::connection& db, const request_context& ctx) {
  if (auto row = store::find_org_by_id(db, ctx.org->id)) return *row;
  return store::org_row{ctx.org->id, ctx.org->login, ctx.org->enterprise_id, ctx.org->sso, ""};
}

}  // namespace emuscim::service::rest
