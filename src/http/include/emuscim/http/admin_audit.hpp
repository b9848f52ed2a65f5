#pragma once
// Audit events as the admin API and GitHub's enterprise audit-log route present them
// (docs/ADMIN_API.md; github-emu-scim.md §16). Pure functions: parsing and rendering only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/store/repo.hpp"

namespace emuscim::http::audit_view {

// "2024-01-02T03:04:05.678Z" -> milliseconds since the epoch; nullopt when unparsable.
std::optional<std::int64_t> epoch_millis(std::string_view rfc3339);

// A bound for audit_query::since/until as stored (string comparison): "YYYY-MM-DD" is kept (it
// means midnight UTC), "YYYY-MM-DDTHH:MM[:SS[.fff…]]Z" becomes "YYYY-MM-DDTHH:MM:SS.mmmZ".
// nullopt when `text` is neither.
std::optional<std::string> normalize_time_bound(std::string_view text);

// GitHub's search phrase, e.g. "action:external_identity.provision created:>=2024-05-01".
// Qualifiers:
//   action:NAME        exact; action:CATEGORY (no '.') matches CATEGORY.*
//   created:D          that UTC day; created:>=D, >D, <=D, <D; created:D1..D2 (inclusive)
// D is YYYY-MM-DD. Anything else -> 422 naming the term. Fills q.action/since/until.
scim::status apply_phrase(std::string_view phrase, store::audit_query& q);

// {"id", "action", "created", "actor_token_id", "request_id", "resource_id", "success", "data"}
nlohmann::json admin_event(const store::audit_row& row);

// One GitHub audit-log entry: {"@timestamp", "_document_id", "action", "actor", "business",
// "business_id", "created_at", "request_id", ...data fields}. The actor is the setup user
// "<short_code>_admin".
nlohmann::json github_event(const store::audit_row& row, std::string_view business_slug,
                            std::string_view short_code);

}  // namespace emuscim::http::audit_view
