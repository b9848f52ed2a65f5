#pragma once
// What the team use cases share: REST errors, request-body readers, user lookups in an
// organization's id space. Private to the service module.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/service/context.hpp"
#include "emuscim/store/orgs.hpp"
#include "emuscim/store/teams.hpp"

namespace emuscim::service::rest {

inline constexpr std::string_view teams_docs = "https://docs.github.com/enterprise-cloud@latest/rest/teams/teams";
inline constexpr std::string_view members_docs = "https://docs.github.com/enterprise-cloud@latest/rest/orgs/members";
inline constexpr std::string_view external_groups_docs =
    "https://docs.github.com/enterprise-cloud@latest/rest/teams/external-groups";
inline constexpr std::string_view enterprise_teams_docs =
    "https://docs.github.com/enterprise-cloud@latest/rest/enterprise-teams/enterprise-teams";

// GitHub's 404 body: {"message":"Not Found", ...}.
scim::error not_found();
// 422 "Validation Failed" with one entry {resource, field, code, message?}.
scim::error validation(std::string_view resource, std::string_view field, std::string_view code,
                       std::string message = {});
// 403 for membership changes on a team whose members an IdP group manages.
scim::error idp_managed(std::string_view what);

// Readers of optional body members: absent -> nullopt; wrong type -> 422 naming the field.
scim::result<std::optional<std::string>> string_field(const nlohmann::json& body, std::string_view resource,
                                                      std::string_view field, bool nullable = false);
scim::result<std::optional<std::int64_t>> int_field(const nlohmann::json& body, std::string_view resource,
                                                    std::string_view field);
// One of `allowed`; absent -> nullopt.
scim::result<std::optional<std::string>> enum_field(const nlohmann::json& body, std::string_view resource,
                                                    std::string_view field,
                                                    std::initializer_list<std::string_view> allowed);
scim::result<std::vector<std::string>> string_list(const nlohmann::json& body, std::string_view resource,
                                                   std::string_view field, bool required);

// A user of the organization's id space by login: a managed user of the organization's
// enterprise (EMU), or a personal account (standalone organization).
std::optional<store::account_ref> user_by_login(store::connection& db, const request_context& ctx,
                                                std::string_view login);
std::optional<store::account_ref> user_by_id(store::connection& db, std::int64_t id);

// The organization the path names, as stored.
store::org_row org_of(store::connection& db, const request_context& ctx);

}  // namespace emuscim::service::rest
