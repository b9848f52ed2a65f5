#pragma once
// Plays a replay file (docs/REPLAY.md, the format of tests/fixtures/README.md) against a server:
// builds each step's request, rewrites the ids that earlier answers returned (`capture` and
// `${name}`), and compares each answer with the step's expectations, collecting the differences.
// Pure: the HTTP exchange is the `transport` the caller passes in (replay/client.hpp over the
// network, a function in the unit tests), and waiting is the `sleep` it passes in.
// Thread-safety: play() keeps its state on the stack; calls may run concurrently.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace emuscim::replay {

using ojson = nlohmann::ordered_json;

struct http_request {
  std::string method;
  std::string target;  // origin-form: "/scim/v2/enterprises/acme/Users?filter=..."
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
  std::chrono::milliseconds timeout{30'000};
};

struct http_reply {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header of that name (case-insensitive); nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
};

// A reply, or why none came (timeout, refused connection, TLS failure).
struct exchange_result {
  std::optional<http_reply> reply;
  std::string error;
};
using transport = std::function<exchange_result(const http_request&)>;

struct player_options {
  std::string base_url;   // scheme://host[:port]: ${base_url}, and the origin of absolute paths
  std::string scim_root = "/scim/v2/enterprises/acme";  // where relative step paths resolve
  std::string token;      // sent as "Authorization: Bearer <token>" unless a step says otherwise
  // The admin API's token on the target. Steps under /_emuscim/ use the fixture's admin token
  // (server.env.EMUSCIM_ADMIN_TOKEN), which is replaced by this one; without it such a file is
  // skipped.
  std::optional<std::string> admin_token;
  std::string user_agent = "emuscim-replay";
  bool cleanup = true;    // after the file, DELETE the users and groups its steps created
  std::function<void(std::chrono::milliseconds)> sleep;  // default: std::this_thread::sleep_for
};

struct step_report {
  std::size_t index = 0;        // 1-based
  std::string name;
  std::string request;          // "PATCH /scim/v2/enterprises/acme/Users/…", repeats and pages included
  std::optional<unsigned> status;           // of the last reply
  std::vector<std::string> differences;     // empty: the answer was as recorded
  std::string reply_body;                   // of the last differing reply (cut), for the diff
};

struct file_report {
  std::string name;    // "entra/01_user_lifecycle" or the file's path
  std::string title;
  std::optional<std::string> skipped;  // why the file was not played
  std::vector<std::string> warnings;   // e.g. server arguments a remote target cannot take
  std::vector<step_report> steps;
  std::size_t cleaned_up = 0;          // resources deleted afterwards

  std::size_t differing() const;
  bool ok() const { return !skipped && differing() == 0; }
};

// Plays `fixture` (a parsed replay file). A broken file (unknown keys, a missing "steps") is
// reported as one differing step that names the problem; it never throws for bad input.
file_report play(std::string name, const ojson& fixture, const player_options& options, const transport& send);

// The expected-value matcher of the format (tests/fixtures/README.md "Expected values"): false and
// `why` when `actual` does not match `expected`.
bool matches(const ojson& expected, const ojson& actual, std::string& why);

// Text for people: one line per file, and per differing step its request, the differences and
// the reply; the summary is one line, "N steps played, M differ". JSON for tools:
// {"files": [...], "steps": N, "differing": M, "ok": bool}; ok is true when something was played
// and nothing differs.
std::string render_text(const file_report& report);
std::string render_summary(const std::vector<file_report>& reports);
ojson render_json(const std::vector<file_report>& reports);
bool all_ok(const std::vector<file_report>& reports);

}  // namespace emuscim::replay
