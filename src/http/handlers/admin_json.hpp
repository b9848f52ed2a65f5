#pragma once
// Pieces the admin API's handler families share: token bodies in and out. Private to http.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/http/call.hpp"
#include "emuscim/service/admin_service.hpp"
#include "emuscim/service/audit_log.hpp"

namespace emuscim::http::handlers {

nlohmann::json token_json(const service::token_info& t);
nlohmann::json tokens_json(const std::vector<service::token_info>& tokens);  // {"tokens": [...]}
nlohmann::json new_token_json(const service::new_token& t);                  // + "token", shown once

// A token-creation body: {"scopes"?: [string], "label"?: string}; absent scopes -> nullopt.
struct token_request_body {
  std::optional<std::vector<std::string>> scopes;
  std::optional<std::string> label;
};
scim::result<token_request_body> token_request(const nlohmann::json& body);

// The {token_id} of the path; anything but a positive integer is an unknown token (404).
scim::result<std::int64_t> token_id(const call& c);

// An admin audit-log query: action, since, until, before, limit (docs/ADMIN_API.md "Audit log").
scim::result<service::audit_filter> audit_request(const call& c);
// {"events": [...], "next_before": seq of the last event when the page is full, else null}.
nlohmann::json audit_events_json(const std::vector<service::audit_event>& events, const service::audit_filter& f);

}  // namespace emuscim::http::handlers
