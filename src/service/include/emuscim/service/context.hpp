#pragma once
// What every use case needs to know about the request it serves.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace emuscim::service {

struct enterprise_ref {
  std::int64_t id = 0;
  std::string slug;
  std::string short_code;
};

// An organization the path names: of an EMU enterprise, or standalone (SAML SSO, org-level SCIM).
struct org_ref {
  std::int64_t id = 0;  // GitHub's numeric organization id
  std::string login;
  std::optional<std::int64_t> enterprise_id;  // nullopt: standalone
  bool sso = false;
};

// What one request did, for the request log (docs/DASHBOARD.md): human notes about what emuscim
// tolerated or decided, and the audit actions it wrote. Shared by the request's copies of its
// context (write jobs capture the context by value); written by one thread at a time: the
// request's coroutine, or the writer thread while the coroutine waits for its job.
struct request_trace {
  std::vector<std::string> notes;   // e.g. "login derived: mona_acme"
  std::vector<std::string> events;  // e.g. "external_identity.provision"
  std::string client_hint;          // a dialect seen ("entra", "okta"), when the request showed one
};

struct request_context {
  enterprise_ref enterprise;               // the enterprise the path names (or the org's enterprise)
  std::optional<org_ref> org;              // the organization the path names
  std::optional<std::int64_t> token_id;
  std::string request_id;  // x-github-request-id
  std::string base_url;    // scheme://host[:port], no trailing slash
  std::string scim_root;   // base_url + the tenant's SCIM prefix, e.g. .../scim/v2/enterprises/acme;
                           // meta.location = scim_root + "/Users/" + id
  std::string method;      // for scim_api_success / scim_api_failure audit events
  std::string path;
  std::string query;
  std::shared_ptr<request_trace> trace;  // null when nobody records the request

  // Adds a note for the request log (a no-op when nobody records the request).
  void note(std::string line) const {
    if (trace) trace->notes.push_back(std::move(line));
  }
  // Says which client's dialect the request showed ("entra"), for the request log's client column.
  void hint_client(std::string_view client) const {
    if (trace && !client.empty()) trace->client_hint = std::string(client);
  }
};

// A successful answer. body is ignored for 204.
struct reply {
  int status = 200;
  nlohmann::ordered_json body;  // members in the order GitHub's examples show them
  std::string location;  // Location header on 201
  std::string serialized = {};  // when set: the body already serialized (`body` is then null)
};

// A reply's body as sent: compact, invalid UTF-8 replaced (the one serialization of every reply).
inline std::string serialize(const nlohmann::ordered_json& body) {
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

struct list_query {
  std::optional<std::string> filter;
  std::int64_t start_index = 1;
  std::int64_t count = 30;
  bool exclude_members = false;
};

inline constexpr std::int64_t default_page_size = 30;
inline constexpr std::int64_t max_page_size = 100;

}  // namespace emuscim::service
