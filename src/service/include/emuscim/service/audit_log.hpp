#pragma once
// Audit events as the admin API and GitHub's enterprise audit-log route present them
// (docs/ADMIN_API.md; github-emu-scim.md §16): query parsing, GitHub's entry shape, paging.
// The parsing functions are pure; audit_service reads the store. Thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/service/context.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::service {

struct audit_filter {
  std::optional<std::string> action;       // exact, or prefix when it ends with '.' or '*'
  std::optional<std::string> since;        // created >= since (RFC 3339 or YYYY-MM-DD)
  std::optional<std::string> until;        // created < until
  std::optional<std::int64_t> before_seq;  // paging: newest first, seq < before_seq
  std::int64_t limit = 100;
};

struct audit_event {
  std::int64_t seq = 0;
  std::int64_t enterprise_id = 0;
  std::string created;
  std::string action;
  std::optional<std::int64_t> actor_token_id;
  std::string request_id;
  std::string resource_id;
  bool success = true;
  nlohmann::json data;  // an object
};

// "2024-01-02T03:04:05.678Z" -> milliseconds since the epoch; nullopt when unparsable.
std::optional<std::int64_t> epoch_millis(std::string_view rfc3339);

// A bound for audit_filter::since/until as stored (string comparison): "YYYY-MM-DD" is kept (it
// means midnight UTC), "YYYY-MM-DDTHH:MM[:SS[.fff…]]Z" becomes "YYYY-MM-DDTHH:MM:SS.mmmZ".
// nullopt when `text` is neither.
std::optional<std::string> normalize_time_bound(std::string_view text);

// GitHub's search phrase, e.g. "action:external_identity.provision created:>=2024-05-01".
// Qualifiers:
//   action:NAME        exact; action:CATEGORY (no '.') matches CATEGORY.*
//   created:D          that UTC day; created:>=D, >D, <=D, <D; created:D1..D2 (inclusive)
// D is YYYY-MM-DD. Anything else -> 422 naming the term. Fills f.action/since/until.
scim::status apply_phrase(std::string_view phrase, audit_filter& f);

// One GitHub audit-log entry: {"@timestamp", "_document_id", "action", "actor", "business",
// "business_id", "created_at", "request_id", ...data fields}. The actor is the setup user
// "<short_code>_admin".
nlohmann::json github_entry(const audit_event& e, const enterprise_ref& enterprise);

// One GitHub organization audit-log entry: {"@timestamp", "_document_id", "action", "actor",
// "actor_id"?, "org", "org_id", "created_at", "request_id", ...data fields}. The actor is the one
// the event names (the person who accepted an invitation), else the organization's owner
// (org_identity_service.hpp org_owner) for a standalone organization, or the enterprise's setup
// user "<short_code>_admin" for an EMU organization's events (`enterprise` set).
nlohmann::json github_org_entry(const audit_event& e, const org_ref& org,
                                const std::optional<enterprise_ref>& enterprise = std::nullopt);

class audit_service {
 public:
  explicit audit_service(store::database& db) : db_(db) {}

  // GitHub's page `page` (1-based) of `per_page` entries, newest first, from one snapshot.
  std::vector<audit_event> github_page(const enterprise_ref& enterprise, audit_filter filter, std::int64_t page,
                                       std::int64_t per_page);
  // The same for the events that concern one organization (GET /orgs/{org}/audit-log).
  std::vector<audit_event> github_org_page(const org_ref& org, audit_filter filter, std::int64_t page,
                                           std::int64_t per_page);

 private:
  store::database& db_;
};

}  // namespace emuscim::service
