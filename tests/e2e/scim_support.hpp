#pragma once
// Test-only SCIM helpers for the end-to-end tests: request bodies, assertions on replies,
// CLI output parsing, and the shared-server fixture.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness.hpp"

namespace emuscim::test {

using json = nlohmann::json;

inline constexpr std::string_view user_schema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view group_schema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view patch_schema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
inline constexpr std::string_view list_schema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
inline constexpr std::string_view error_schema = "urn:ietf:params:scim:api:messages:2.0:Error";
inline constexpr std::string_view enterprise_user_schema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

// Entra app-role GUIDs (github-emu-scim.md §11).
inline constexpr std::string_view role_guid_user = "27d9891d-2c17-4f45-a262-781a0e55c80a";
inline constexpr std::string_view role_guid_guest = "1ebc4a02-e56c-43a6-92a5-02ee09b90824";
inline constexpr std::string_view role_guid_owner = "981df190-8801-4618-a08a-d91f6206c954";
inline constexpr std::string_view role_guid_billing = "0e338b8c-cc7f-498a-928d-ea3470d7e7e3";

// A name unique within this test process: "<prefix>-<n>". Keep prefixes short: the derived
// login (userName + "_acme") must stay within 39 characters.
std::string unique(std::string_view prefix);

// A random lower-case UUID v4 (for ids that must not exist, random externalIds, ...).
std::string random_uuid();

// ---------------------------------------------------------------------------------------------
// Bodies

struct user_fields {
  std::optional<std::string> display_name{};  // default: "Display <userName>"
  std::optional<std::string> email{};         // default: userName if it has '@', else "<userName>@example.com"
  bool active = true;
  std::vector<std::string> roles{};           // roles[].value, in order; empty = no "roles" key
  std::string given_name = "Mona";
  std::string family_name = "Octocat";
};

// A complete user as GitHub documents it (schemas, externalId, userName, active, displayName,
// emails with type/primary, name), so it also passes `serve --strict`.
json make_user(std::string_view user_name, std::string_view external_id, const user_fields& fields = {});

// Only what default mode requires: schemas, userName, externalId.
json make_minimal_user(std::string_view user_name, std::string_view external_id);

// A group; members are SCIM user ids. external_id nullopt = no externalId key.
json make_group(std::string_view display_name, std::optional<std::string_view> external_id,
                const std::vector<std::string>& member_ids = {});

// {"schemas":[PatchOp], "Operations": ops}
json make_patch(json operations);
// One operation; `path`/`value` omitted when nullopt.
json patch_op(std::string_view op, std::optional<std::string_view> path, std::optional<json> value = std::nullopt);
// [{"value": id}, ...]
json member_values(const std::vector<std::string>& ids);

// "Users?filter=<url-encoded filter>" / "Groups?filter=..."
std::string users_filter(std::string_view filter);
std::string groups_filter(std::string_view filter);

// ---------------------------------------------------------------------------------------------
// Assertions

// status == `status`, JSON body with schemas [Error], "status" == "<status>" (a string),
// "detail" a string, and scimType == `scim_type` when given (present-and-equal).
::testing::AssertionResult is_scim_error(const reply& r, int status, std::string_view scim_type = {});

// A SCIM ListResponse envelope: schemas, totalResults, Resources (array), startIndex, itemsPerPage,
// with itemsPerPage == Resources.size().
::testing::AssertionResult is_list_response(const reply& r);

// Content-Type is application/scim+json with charset=utf-8 (case and blanks ignored).
::testing::AssertionResult has_scim_content_type(const reply& r);

bool is_uuid_v4(std::string_view s);         // lower-case, version 4, RFC 4122 variant
bool is_rfc3339_millis_utc(std::string_view s);  // 2024-01-02T03:04:05.000Z

// ids of a ListResponse's Resources, in order.
std::vector<std::string> resource_ids(const json& list);
// ids in a group's "members" (value), in order; empty when the key is absent.
std::vector<std::string> member_ids(const json& group);

// ---------------------------------------------------------------------------------------------
// CLI output

// The first line of `text` that contains `needle`, or nullopt.
std::optional<std::string> line_containing(std::string_view text, std::string_view needle);
// All lines of `text` that contain `needle`.
std::vector<std::string> lines_containing(std::string_view text, std::string_view needle);
// Polls the server log until at least `n` lines contain `needle` (or `timeout` passes); returns
// those lines.
std::vector<std::string> wait_for_log_lines(const server_process& server, std::string_view needle, std::size_t n,
                                            std::chrono::milliseconds timeout);
// `word` occurs in `line` delimited by characters outside [A-Za-z0-9_.@!#$\-] (or line ends).
// e.g. has_word("id=1 login=The-Octocat_acme active", "active") is true, and "user" is not a
// word of "crud-user-1".
bool has_word(std::string_view line, std::string_view word, bool ignore_case = false);
// A suspended login: 16 lower-case hex characters + "_acme", as a word of `line`.
std::optional<std::string> find_suspended_login(std::string_view line, std::string_view short_code = "acme");

// `emuscim users list --enterprise <ent> --db <db>`; ADD_FAILUREs on a non-zero exit.
std::string cli_users_list(const server_process& server, std::string_view enterprise = "acme");
// `emuscim groups list --enterprise <ent> --db <db>`; ADD_FAILUREs on a non-zero exit.
std::string cli_groups_list(const server_process& server, std::string_view enterprise = "acme");
// The `users list` line for the SCIM user `id` (its line must contain the id), or nullopt.
std::optional<std::string> cli_user_line(const server_process& server, std::string_view id,
                                         std::string_view enterprise = "acme");

// `emuscim enterprise add <slug> --short-code <code> --db <db>`; throws on failure.
void cli_add_enterprise(const std::string& db, std::string_view slug, std::string_view short_code);
// `emuscim token add --enterprise <e> [--scope s]... --db <db>`; returns stdout's only line,
// throws on failure or when stdout is not exactly one non-empty line.
std::string cli_mint_token(const std::string& db, std::string_view enterprise, const std::vector<std::string>& scopes = {});

// ---------------------------------------------------------------------------------------------
// Fixture: one server per test suite (SetUpTestSuite), a fresh client per test.
//
// Derived suites that need server options define their own
//   static void SetUpTestSuite() { start_suite_server({.extra_args = {"--strict"}}); }
// Tests of one suite share the server, so each test must use its own userNames/externalIds
// (unique()). Under ctest every test runs in its own process and thus on its own server.

class e2e_suite : public ::testing::Test {
 public:
  static void SetUpTestSuite() { start_suite_server({}); }
  static void TearDownTestSuite();

 protected:
  // Starts the suite's server; on failure the error is kept and every test of the suite fails
  // in SetUp() with it (instead of crashing on a missing server).
  static void start_suite_server(server_options options);
  static server_process& server() { return *server_; }
  static bool suite_ready() { return server_ != nullptr && setup_error_.empty(); }
  static void fail_suite_setup(const std::string& why);

  void SetUp() override;
  void TearDown() override;  // on failure, prints the tail of the server log

  // POST Users; ADD_FAILUREs unless 201 and returns the created user (empty json on failure).
  json create_user(const json& body);
  // create_user(make_user(name, "ext-" + name, fields))["id"] ("" on failure).
  std::string create_user_id(std::string_view user_name, const user_fields& fields = {});
  // POST Groups; ADD_FAILUREs unless 201 and returns the created group (empty json on failure).
  json create_group(const json& body);
  // GET Users/<id> (or Groups/<id>) and returns the body; ADD_FAILUREs unless 200.
  json get_user(std::string_view id);
  json get_group(std::string_view id, std::string_view query = {});

  // A client of server() for `base` (an enterprise prefix, or "/_emuscim/") with `token`.
  static client as(const std::string& token, std::string base = std::string(acme_base));

  client scim;  // connected to server(), token of acme

 private:
  static std::unique_ptr<server_process> server_;
  static std::string setup_error_;
};

}  // namespace emuscim::test
