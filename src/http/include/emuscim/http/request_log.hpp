#pragma once
// The request inspector's capture ring (issue 13; docs/DASHBOARD.md): the last `capacity`
// requests to the SCIM and GitHub REST routes, with both bodies, for the admin API's
// /_emuscim/requests routes and the dashboard's live log.
//
// Cost: capture() runs on the serving thread for every captured request, so it only moves the
// strings in, cuts oversized bodies, masks credential headers and takes one mutex for a few
// pointer moves; an evicted entry is freed after the lock is released. What is not needed to
// keep secrets out of memory is deferred to readers: client detection runs (once, cached) when
// an entry is first filtered or rendered, JSON rendering runs only in to_json().
//
// Secrets: the stored entry never holds a credential. Authorization and Proxy-Authorization
// keep their scheme and become "<scheme> ***"; Cookie becomes "***"; an access_token query
// parameter becomes access_token=***; in either body, the string value of every JSON member named
// "token", "access_token" or "password" (any case, at any depth) becomes "***" in place, the
// rest of the text left exactly as sent. Only a body that mentions "token" or "password" (any
// case) is scanned for members; a member name written with \u escapes is not recognised.
//
// Ids: a sequence from 1, never reused, not reset by clear(); entries are kept oldest first.
//
// Thread-safety: every member function may be called from any thread concurrently. Entries are
// immutable once captured (the cached client kind is an atomic) and shared with readers through
// shared_ptr, so a reader may keep one after it was evicted.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/http/query.hpp"
#include "emuscim/scim/error.hpp"

namespace emuscim::http {

// Who sent a request, as far as its User-Agent and its dialect tell.
enum class client_kind : std::uint8_t { unknown, entra, okta, ping, octokit };

std::string_view to_string(client_kind k);                            // "entra", "okta", …
std::optional<client_kind> parse_client_kind(std::string_view name);  // exact lower-case names

// Pure. The User-Agent decides when it names a client (case-insensitive substrings):
//   entra   "Microsoft", "Azure"      (Entra's User-Agent is undocumented: idp-clients.md §1.4)
//   okta    "Okta"                    ("Okta SCIM Client 1.0.0", idp-clients.md §2.1)
//   ping    "PingFederate", "PingOne", "Ping Identity", "Apache-HttpClient" (PingFederate's
//           provisioner sends the Java HTTP client's default)
//   octokit "octokit"                 (octokit.js, octokit.rb, Octokit.net)
// Otherwise Entra's dialect decides (idp-clients.md §1.4): the aadOptscim062020 query flag, a
// capitalised PATCH op ("Add", "Replace", "Remove"), a string boolean ("False", "false") as a
// member value, or Microsoft's ADSCIM group schema URN in the body. Anything else is unknown.
// `hint` (a client recognised by another layer) counts after the User-Agent and before the
// dialect.
client_kind detect_client(std::string_view user_agent, std::string_view query, std::string_view request_body,
                          client_kind hint = client_kind::unknown);

using header_list = std::vector<std::pair<std::string, std::string>>;

// The one copy of the secret-masking rules (top of this file), also used by the debug log of
// bodies. Each works in place and leaves everything that is not a secret exactly as it was.
void redact_headers(header_list& headers);  // Authorization -> "<scheme> ***", Cookie -> "***"
void redact_query(std::string& query);      // access_token=***
void redact_body(std::string& body);        // "token"/"access_token"/"password" string members -> "***"
// Cuts at most max bytes at a UTF-8 character boundary; returns whether anything was cut.
bool cut_body(std::string& body, std::size_t max);

// One finished request, as the pipeline hands it over. Move the strings in.
struct captured {
  std::chrono::system_clock::time_point time{};  // when the request arrived
  std::string request_id;                        // the x-github-request-id sent back
  std::string method;
  std::string path;   // without the query
  std::string query;  // raw, without '?'
  unsigned status = 0;
  double duration_ms = 0;
  std::string enterprise;  // slug, empty when the route has none
  std::string org;         // login, empty when the route has none
  std::string user_agent;  // empty when absent
  header_list request_headers;
  std::string request_body;
  header_list response_headers;
  std::string response_body;
  std::vector<std::string> events;  // audit actions the request wrote
  std::vector<std::string> notes;   // what emuscim tolerated or decided, one line each
  // A layer that recognised the client by other means (e.g. the PATCH dialect it parsed) may
  // say so; it is used when the User-Agent names no client.
  client_kind client_hint = client_kind::unknown;
};

// One stored request: what was captured, cut and masked (see the top of this file).
class log_entry {
 public:
  // Cuts both bodies to max_body_bytes (at a UTF-8 character boundary) and masks secrets.
  log_entry(captured c, std::size_t max_body_bytes);

  std::uint64_t id() const { return id_; }
  const captured& data() const { return c_; }
  bool request_body_truncated() const { return request_body_truncated_; }
  bool response_body_truncated() const { return response_body_truncated_; }
  std::size_t request_body_size() const { return request_body_size_; }    // as received
  std::size_t response_body_size() const { return response_body_size_; }  // as sent
  client_kind client() const;  // detected on first use, then cached

 private:
  friend class request_log;  // assigns the id when the entry is stored

  std::uint64_t id_ = 0;
  captured c_;
  std::size_t request_body_size_;
  std::size_t response_body_size_;
  bool request_body_truncated_;
  bool response_body_truncated_;
  mutable std::atomic<std::int8_t> client_{-1};  // -1 = not detected yet
};

// Filters of GET /_emuscim/requests; every set filter must match.
struct request_query {
  std::optional<std::string> enterprise;   // exact
  std::optional<std::string> org;          // exact
  std::optional<std::string> status;       // "404" exact, or a class "4xx" ("4XX")
  std::optional<std::string> method;       // case-insensitive
  std::optional<client_kind> client;
  std::optional<std::string> path_prefix;  // the path starts with it (case-sensitive)
  std::uint64_t since_id = 0;              // only ids above it; above the newest id counts as 0
                                           // (a client that saw an earlier run of the server)
  std::size_t limit = 100;                 // 1..1000
};

// Reads the query parameters enterprise, org, status, method, client, path_prefix, since_id,
// limit; a bad value is 400 invalidValue naming the parameter.
scim::result<request_query> parse_request_query(const target& t);

struct request_page {
  std::vector<std::shared_ptr<const log_entry>> requests;  // oldest first
  // The since_id that continues after this page: the last id returned when the page is full,
  // else the newest id examined (so a filtered poll does not look at the same entries again).
  std::uint64_t next_since_id = 0;
  // How many ids after since_id were no longer held (evicted or cleared) when the page was read.
  std::uint64_t missed = 0;
};

class request_log {
 public:
  // capacity 0 turns capture off. max_body_bytes 0 keeps no body at all (only its size).
  explicit request_log(std::size_t capacity = 2000, std::size_t max_body_bytes = 64 * 1024);
  request_log(const request_log&) = delete;
  request_log& operator=(const request_log&) = delete;

  bool enabled() const { return capacity_ > 0; }
  // Capture can be paused and resumed at run time (PUT /_emuscim/requests/capture); what the ring
  // holds stays. Capturing: enabled and not paused.
  void set_paused(bool paused) { paused_.store(paused, std::memory_order_release); }
  bool capturing() const { return enabled() && !paused_.load(std::memory_order_acquire); }
  std::size_t capacity() const { return capacity_; }
  std::size_t max_body_bytes() const { return max_body_bytes_; }

  // Stores the request and returns its id; evicts the oldest entry when full. Off: returns 0
  // and keeps nothing.
  std::uint64_t capture(captured&& c);

  // Oldest first after q.since_id, at most q.limit, filtered.
  request_page list(const request_query& q) const;
  std::shared_ptr<const log_entry> get(std::uint64_t id) const;  // nullptr when not held
  void clear();                                                   // ids go on from where they were
  std::uint64_t last_id() const { return last_id_.load(std::memory_order_acquire); }  // 0 = none yet
  std::size_t size() const;

 private:
  const std::size_t capacity_;
  const std::size_t max_body_bytes_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const log_entry>> slots_;  // id i lives in slots_[(i - 1) % capacity_]
  std::uint64_t first_id_ = 1;                          // oldest id held (== next id when empty)
  std::atomic<std::uint64_t> last_id_{0};              // newest id assigned
  std::atomic<bool> paused_{false};
};

// The documented fields of an entry. `with_bodies` adds request_headers, request_body,
// response_headers and response_body (the list and the stream leave them out; GET by id has
// them). Bodies are text (invalid UTF-8 is replaced by U+FFFD when dumped with
// dump_json()); sizes and truncated flags are always present.
nlohmann::json to_json(const log_entry& e, bool with_bodies);

// A page as GET /_emuscim/requests answers it: {"requests": [...], "next_since_id": N, "missed": M}.
nlohmann::json to_json(const request_page& page);

// JSON text that never throws on invalid UTF-8 (replaced by U+FFFD).
std::string dump_json(const nlohmann::json& j);

// Server-sent events (text/event-stream) for GET /_emuscim/requests/stream.
// One captured request: "id: N\nevent: request\ndata: <summary JSON>\n\n".
std::string sse_event(const log_entry& e);
// Sent first: tells EventSource to reconnect after 1 s (it then sends Last-Event-ID).
inline constexpr std::string_view sse_stream_start = "retry: 1000\n\n";
// A comment line that keeps idle proxies from closing the stream (send every ~15 s).
inline constexpr std::string_view sse_keep_alive = ": keep-alive\n\n";
// The Last-Event-ID header (or since_id parameter) a reconnecting client sends; nullopt when
// absent or not a number.
std::optional<std::uint64_t> parse_event_id(std::string_view value);

}  // namespace emuscim::http
