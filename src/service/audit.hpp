#pragma once
// Audit events with GitHub's names (github-emu-scim.md §16), written in the same
// transaction as the change they describe (or after its rollback, for failures).

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/service/context.hpp"
#include "emuscim/store/database.hpp"

namespace emuscim::service::audit {

void record(store::write_context& w, const request_context& ctx, std::string_view action,
            std::string_view resource_id, bool success, const nlohmann::json& data = nlohmann::json::object());

// An event that concerns one organization (team and membership events), whatever organization
// the request's path names: reconciliation after a SCIM write touches teams of several.
void record_for_org(store::write_context& w, const request_context& ctx, std::int64_t org_id, std::string_view action,
                    std::string_view resource_id, const nlohmann::json& data);

// external_identity.scim_api_success / external_group.scim_api_success (prefix "external_identity"
// or "external_group").
void api_success(store::write_context& w, const request_context& ctx, std::string_view prefix,
                 std::string_view resource_id, int status);
void api_failure(store::write_context& w, const request_context& ctx, std::string_view prefix,
                 std::string_view resource_id, const scim::error& e);

}  // namespace emuscim::service::audit
