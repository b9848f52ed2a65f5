#pragma once
// emuscim's configuration: a plain struct whose comments give the defaults.
// Precedence: command-line flags, then environment, then the JSON file, then defaults.
// The JSON file mirrors this struct (keys in the comments); unknown keys and wrong types
// fail start-up with the key's path named (e.g. "config: /limits/body_bytes: expected an
// unsigned integer"). config/emuscim.example.json documents every key.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace emuscim::app {

struct enterprise_seed {
  std::string slug;        // "slug"
  std::string short_code;  // "short_code"
  std::vector<std::string> tokens;  // "tokens": clear-text tokens accepted for it (stored hashed)
  std::vector<std::string> orgs = {};  // "orgs": logins of its organizations
};

// A standalone organization (SAML SSO, org-level SCIM) created at start-up.
struct org_seed {
  std::string login;                // "login"
  std::vector<std::string> tokens;  // "tokens": owner tokens (scope admin:org), stored hashed
};

struct rate_limit_config {
  bool enabled = false;                       // "rate_limit.enabled"
  std::uint32_t requests_per_hour = 5000;     // "rate_limit.requests_per_hour", per token
  std::uint32_t user_creations_per_hour = 1000;  // "rate_limit.user_creations_per_hour", per enterprise
};

// The request inspector's ring (docs/DASHBOARD.md).
struct request_log_config {
  std::size_t capacity = 2000;              // "request_log.capacity": requests kept; 0 = capture off
  std::size_t max_body_bytes = 64 * 1024;   // "request_log.max_body_bytes": each body cut to this
};

struct config {
  std::string listen = "127.0.0.1:8080";   // "listen"            env EMUSCIM_LISTEN      flag --listen
  std::size_t threads = 0;                 // "threads" (0 = cores)                      flag --threads
  std::string db = "emuscim.db";           // "db"                env EMUSCIM_DB          flag --db
  std::optional<std::string> tls_cert;     // "tls.cert"          env EMUSCIM_TLS_CERT    flag --tls-cert
  std::optional<std::string> tls_key;      // "tls.key"           env EMUSCIM_TLS_KEY     flag --tls-key
  std::size_t body_limit = 4 * 1024 * 1024;  // "limits.body_bytes"
  std::size_t header_limit = 16 * 1024;      // "limits.header_bytes"
  std::size_t max_connections = 1024;        // "limits.max_connections"
  std::uint32_t header_timeout_ms = 10'000;  // "timeouts.header_ms"
  std::uint32_t body_timeout_ms = 30'000;    // "timeouts.body_ms"
  std::uint32_t idle_timeout_ms = 60'000;    // "timeouts.idle_ms"
  std::uint32_t write_timeout_ms = 30'000;   // "timeouts.write_ms"
  std::string log_level = "info";          // "log.level" (trace|debug|info|warn|error|off)  env EMUSCIM_LOG_LEVEL  flag --log-level
  std::string log_format = "text";         // "log.format" (text|json)                       env EMUSCIM_LOG_FORMAT flag --log-format
  std::optional<std::string> admin_token;  // "admin_token"       env EMUSCIM_ADMIN_TOKEN; absent = admin API off
  bool strict = false;                     // "strict"            flag --strict
  bool ghe_com = false;                    // "ghe_com": 30-character login limit (GHE.com)
  bool group_patch_no_content = false;     // "compat.group_patch_204": PATCH /Groups answers 204
  bool integer_error_status = false;       // "compat.integer_error_status": "status": 409
  bool require_user_agent = false;         // "compat.require_user_agent": 403 without User-Agent (strict implies it)
  std::optional<std::string> public_url;   // "public_url": base of meta.location; default from Host
  rate_limit_config rate_limit;            // "rate_limit"
  request_log_config request_log;          // "request_log"
  std::vector<enterprise_seed> enterprises;  // "enterprises": created at start-up, idempotently
  std::vector<org_seed> orgs;                // "orgs": standalone organizations, likewise
  // Bootstrap for containers and tests (env only): EMUSCIM_ENTERPRISE, EMUSCIM_SHORT_CODE,
  // EMUSCIM_TOKEN become one more enterprises[] entry, and EMUSCIM_ORGS (comma-separated) its
  // organizations; EMUSCIM_ORG (+ EMUSCIM_ORG_TOKEN) one more orgs[] entry.
};

// A one-line reason for stderr (exit code 2): a bad flag, value or configuration key.
struct cli_error { std::string message; };

// Config file loading on its own (used by parse_command_line for serve --config).
// Error message names the key path.
std::variant<config, cli_error> load_config_file(const std::string& path);
std::variant<config, cli_error> parse_config_json(const std::string& text);

// Effective configuration as pretty JSON with secrets (admin_token, seed tokens) masked as "***".
std::string print_config(const config& cfg);

// "HOST:PORT" (IPv6 as "[::1]:8080") -> host, port; false when malformed.
bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port);

}  // namespace emuscim::app
