#pragma once
// End-to-end harness: runs the real `emuscim` binary as a child process and talks to it over
// real HTTP(S). Nothing here links the server's libraries; the only contract is the command
// line and the HTTP API (shared spec github-emu-scim.md).
//
// Thread-safety: a server_process belongs to the thread that started it (the child gets
// PR_SET_PDEATHSIG, which fires when that thread exits). A client is used by one thread at a
// time; several clients may run in parallel threads. run_cli() may be called from any thread.
//
// Environment read by the harness:
//   EMUSCIM_E2E_BINARY        overrides the compiled-in server path (EMUSCIM_BINARY)
//   EMUSCIM_E2E_TMPDIR        parent of the per-server temp dirs (default: the system temp dir)
//   EMUSCIM_E2E_KEEP_TMP      if set, temp dirs (db, logs, certs) are not deleted
//   EMUSCIM_CONFORMANCE_DIR   if set, every reply to a /scim/, /orgs/ or /enterprises/ target is recorded there

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace emuscim::test {

// The enterprise every server is bootstrapped with (EMUSCIM_ENTERPRISE / _SHORT_CODE / _TOKEN).
inline constexpr std::string_view acme_slug = "acme";
inline constexpr std::string_view acme_short_code = "acme";
inline constexpr std::string_view acme_token = "emu_testtoken_acme_0123456789abcdefghijklmnop";
inline constexpr std::string_view acme_base = "/scim/v2/enterprises/acme/";

// Path of the server binary under test.
std::string server_binary();

// ---------------------------------------------------------------------------------------------
// Server process

struct server_options {
  std::vector<std::string> extra_args{};     // appended after `serve --listen ... --db ...`
  std::map<std::string, std::string> env{};  // added to (and overriding) the bootstrap env
  std::string db_path{};                     // empty = <temp dir>/emuscim.db
  bool tls = false;                          // `cert self-signed` + --tls-cert/--tls-key
  // RLIMIT_NOFILE (soft and hard) of the server, set in the child before exec.
  std::optional<std::uint64_t> max_open_files{};
  // Run the server as this user and group (setgroups/setgid/setuid in the child before exec;
  // needs root). The temp dir and the db must be accessible to it. If the switch fails the
  // child exits with status `run_as_failed_status` before the server starts.
  std::optional<std::pair<uid_t, gid_t>> run_as{};
};
inline constexpr int run_as_failed_status = 121;

class server_process {
 public:
  server_process() = default;
  explicit server_process(server_options options) { start(std::move(options)); }
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  // Spawns `emuscim serve --listen 127.0.0.1:0 --db <db> [extra_args]` with a hermetic
  // environment (inherited EMUSCIM_* variables are dropped), stdout+stderr to a log file in the
  // temp dir, and waits up to `ready_timeout` for a log line matching
  // `listening on (https?)://127\.0\.0\.1:(\d+)`. Throws std::runtime_error (with the log) when
  // the process exits early or never reports the line; the child is killed in that case.
  void start(server_options options = {}, std::chrono::milliseconds ready_timeout = std::chrono::seconds(15));

  // Stops the server if it still runs (terminate()) and starts it again with the same options,
  // temp dir and db. The port changes; the log of the new run starts empty.
  void restart();

  // SIGKILL + waitpid. No-op when not running.
  void kill9();

  // SIGTERM, then waits up to `grace` for the exit. Returns the exit code, or 128+signal when
  // it died from a signal, or -1 when it did not exit in time (it is then SIGKILLed) or was not
  // running.
  int terminate(std::chrono::milliseconds grace = std::chrono::seconds(10));

  // True while the child has not been reaped (also polls waitpid, so a crash is noticed).
  bool running();

  std::uint16_t port() const { return port_; }
  bool tls() const { return options_.tls; }
  std::string scheme() const { return options_.tls ? "https" : "http"; }
  const std::string& db_path() const { return db_path_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  std::filesystem::path ca_file() const;  // the self-signed certificate (TLS only)
  pid_t pid() const { return pid_; }
  // Exit status seen by the last reap (see terminate()); nullopt while running / never started.
  std::optional<int> exit_status() const { return exit_status_; }

  // Everything the current run wrote to stdout+stderr so far.
  std::string log_text() const;
  // The last `lines` lines of log_text().
  std::string log_tail(std::size_t lines = 40) const;
  // Polls the log until `re` matches somewhere in it; returns the matched text (group 0), or
  // nullopt on timeout.
  std::optional<std::string> wait_for_log(const std::regex& re, std::chrono::milliseconds timeout) const;

 private:
  void spawn();
  bool reap(bool block);

  server_options options_;
  std::filesystem::path dir_;
  std::filesystem::path log_path_;
  std::string db_path_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int run_ = 0;  // number of starts, for log file names
  std::optional<int> exit_status_;
  bool owns_dir_ = false;
};

// ---------------------------------------------------------------------------------------------
// Command line

struct cli_result {
  int exit_code = -1;  // 128+signal when killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};
std::ostream& operator<<(std::ostream& os, const cli_result& r);

// Runs `emuscim <args...>` to completion (bounded by `timeout`, then SIGKILL) with the same
// hermetic environment as the server (no EMUSCIM_* variables) plus `env`.
cli_result run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

// ---------------------------------------------------------------------------------------------
// HTTP client

struct reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated fields joined by ", "
  std::string body;

  // Parses body; throws nlohmann::json::parse_error when it is not JSON.
  nlohmann::json json() const;
  // Parses body; nullopt when it is not JSON (for assertions that must not throw).
  std::optional<nlohmann::json> try_json() const;
  // Header value or "" when absent (name in any case).
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};
// Prints "HTTP <status> <content-type>: <body, truncated>" for assertion messages.
std::ostream& operator<<(std::ostream& os, const reply& r);

// A raw (not JSON-encoded) request body, e.g. malformed JSON.
struct raw_body {
  std::string text;
};
// No body / a JSON body (serialized with dump()) / raw bytes.
using body_arg = std::variant<std::monostate, nlohmann::json, raw_body>;

// Header overrides, applied after the defaults. Names are case-insensitive. A value of
// std::nullopt removes the header (e.g. {"user-agent", std::nullopt}). Setting "content-length"
// sends that value verbatim instead of the real length; "transfer-encoding: chunked" sends the
// body chunked.
using header_map = std::map<std::string, std::optional<std::string>>;

struct client_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = false;
  std::filesystem::path ca_file{};                 // trusted certificate for TLS (empty = no verification)
  std::string token = std::string(acme_token);     // default Authorization: Bearer <token>
  std::string base = std::string(acme_base);       // prefix of relative targets
  std::chrono::milliseconds timeout = std::chrono::seconds(30);  // per connect / write / read
};

// Synchronous HTTP/1.1 client with keep-alive (reconnects when the server closed the
// connection; an idempotent-looking retry happens only when nothing of the reply was read on a
// reused connection). Default headers: Host, Authorization: Bearer <token>,
// User-Agent: emuscim-e2e, Accept: application/scim+json, and with a body
// Content-Type: application/scim+json. Throws std::runtime_error on transport failures and
// timeouts (never for HTTP error statuses).
class client {
 public:
  client();
  explicit client(client_options options);
  explicit client(const server_process& server);  // port, TLS and CA file from the server
  ~client();
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;

  // `target` starting with '/' is sent as is, otherwise it is appended to options().base.
  reply request(std::string_view method, std::string_view target, body_arg body = {}, const header_map& headers = {});

  reply get(std::string_view target, const header_map& headers = {});
  reply post(std::string_view target, body_arg body, const header_map& headers = {});
  reply put(std::string_view target, body_arg body, const header_map& headers = {});
  reply patch(std::string_view target, body_arg body, const header_map& headers = {});
  reply del(std::string_view target, const header_map& headers = {});

  const client_options& options() const;
  void set_token(std::string token);
  void set_timeout(std::chrono::milliseconds timeout);
  // Full target for a relative path (what request() sends).
  std::string resolve(std::string_view target) const;

  void close();                    // drops the connection (the next request reconnects)
  std::size_t connect_count() const;  // TCP connections opened so far (keep-alive checks)

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Percent-encodes a query parameter value (RFC 3986 unreserved characters are kept).
std::string url_encode(std::string_view s);

}  // namespace emuscim::test
