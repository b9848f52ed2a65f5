#include "scim_support.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <iomanip>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace emuscim::test {

std::unique_ptr<server_process> e2e_suite::server_;
std::string e2e_suite::setup_error_;

std::string unique(std::string_view prefix) {
  static std::atomic<unsigned> counter{0};
  return std::string(prefix) + "-" + std::to_string(++counter);
}

std::string random_uuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::uint64_t> dist;
  std::uint64_t hi = dist(rng);
  std::uint64_t lo = dist(rng);
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  std::ostringstream ss;
  ss << std::hex << std::setfill('0') << std::setw(8) << (hi >> 32) << '-' << std::setw(4) << ((hi >> 16) & 0xFFFF) << '-'
     << std::setw(4) << (hi & 0xFFFF) << '-' << std::setw(4) << (lo >> 48) << '-' << std::setw(12)
     << (lo & 0xFFFFFFFFFFFFull);
  return ss.str();
}

// ---------------------------------------------------------------------------------------------
// Bodies

json make_user(std::string_view user_name, std::string_view external_id, const user_fields& f) {
  std::string email;
  if (f.email) {
    email = *f.email;
  } else if (user_name.find('@') != std::string_view::npos) {
    email = std::string(user_name);
  } else {
    for (char c : user_name) email.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '-');
    email += "@example.com";
  }
  json u = {
      {"schemas", {user_schema}},
      {"externalId", external_id},
      {"userName", user_name},
      {"active", f.active},
      {"displayName", f.display_name ? *f.display_name : "Display " + std::string(user_name)},
      {"name", {{"givenName", f.given_name}, {"familyName", f.family_name}, {"formatted", f.given_name + " " + f.family_name}}},
      {"emails", json::array({{{"value", email}, {"type", "work"}, {"primary", true}}})},
  };
  if (!f.roles.empty()) {
    json roles = json::array();
    for (const auto& r : f.roles) roles.push_back({{"value", r}, {"primary", false}});
    u["roles"] = roles;
  }
  return u;
}

json make_minimal_user(std::string_view user_name, std::string_view external_id) {
  return {{"schemas", {user_schema}}, {"userName", user_name}, {"externalId", external_id}};
}

json make_group(std::string_view display_name, std::optional<std::string_view> external_id,
                const std::vector<std::string>& ids) {
  json g = {{"schemas", {group_schema}}, {"displayName", display_name}};
  if (external_id) g["externalId"] = *external_id;
  if (!ids.empty()) g["members"] = member_values(ids);
  return g;
}

json make_patch(json operations) { return {{"schemas", {patch_schema}}, {"Operations", std::move(operations)}}; }

json patch_op(std::string_view op, std::optional<std::string_view> path, std::optional<json> value) {
  json o = {{"op", op}};
  if (path) o["path"] = *path;
  if (value) o["value"] = std::move(*value);
  return o;
}

json member_values(const std::vector<std::string>& ids) {
  json a = json::array();
  for (const auto& id : ids) a.push_back({{"value", id}});
  return a;
}

std::string users_filter(std::string_view filter) { return "Users?filter=" + url_encode(filter); }
std::string groups_filter(std::string_view filter) { return "Groups?filter=" + url_encode(filter); }

// ---------------------------------------------------------------------------------------------
// Assertions

::testing::AssertionResult is_scim_error(const reply& r, int status, std::string_view scim_type) {
  if (r.status != status) return ::testing::AssertionFailure() << "expected HTTP " << status << ", got " << r;
  auto j = r.try_json();
  if (!j || !j->is_object()) return ::testing::AssertionFailure() << "error body is not a JSON object: " << r;
  const auto& schemas = (*j)["schemas"];
  if (!schemas.is_array() || std::find(schemas.begin(), schemas.end(), json(error_schema)) == schemas.end()) {
    return ::testing::AssertionFailure() << "schemas lacks " << error_schema << ": " << r;
  }
  if (!j->contains("status") || (*j)["status"] != json(std::to_string(status))) {
    return ::testing::AssertionFailure() << "\"status\" is not the string \"" << status << "\": " << r;
  }
  if (!j->contains("detail") || !(*j)["detail"].is_string()) {
    return ::testing::AssertionFailure() << "\"detail\" missing or not a string: " << r;
  }
  if (!scim_type.empty()) {
    if (!j->contains("scimType") || (*j)["scimType"] != json(scim_type)) {
      return ::testing::AssertionFailure() << "expected scimType \"" << scim_type << "\": " << r;
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_list_response(const reply& r) {
  if (r.status != 200) return ::testing::AssertionFailure() << "expected HTTP 200, got " << r;
  auto j = r.try_json();
  if (!j || !j->is_object()) return ::testing::AssertionFailure() << "body is not a JSON object: " << r;
  if ((*j)["schemas"] != json::array({list_schema})) return ::testing::AssertionFailure() << "bad schemas: " << r;
  for (const char* k : {"totalResults", "startIndex", "itemsPerPage"}) {
    if (!j->contains(k) || !(*j)[k].is_number_integer()) {
      return ::testing::AssertionFailure() << "\"" << k << "\" missing or not an integer: " << r;
    }
  }
  if (!j->contains("Resources") || !(*j)["Resources"].is_array()) {
    return ::testing::AssertionFailure() << "\"Resources\" missing or not an array: " << r;
  }
  if ((*j)["itemsPerPage"].get<std::size_t>() != (*j)["Resources"].size()) {
    return ::testing::AssertionFailure() << "itemsPerPage != number of Resources: " << r;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult has_scim_content_type(const reply& r) {
  std::string ct;
  for (char c : r.header("content-type")) {
    if (c != ' ' && c != '\t') ct.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (ct == "application/scim+json;charset=utf-8") return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "Content-Type is '" << r.header("content-type")
                                       << "', expected 'application/scim+json; charset=utf-8' (" << r << ")";
}

bool is_uuid_v4(std::string_view s) {
  static const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(s.begin(), s.end(), re);
}

bool is_rfc3339_millis_utc(std::string_view s) {
  static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
  return std::regex_match(s.begin(), s.end(), re);
}

std::vector<std::string> resource_ids(const json& list) {
  std::vector<std::string> ids;
  if (!list.contains("Resources")) return ids;
  for (const auto& r : list["Resources"]) ids.push_back(r.value("id", ""));
  return ids;
}

std::vector<std::string> member_ids(const json& group) {
  std::vector<std::string> ids;
  if (!group.contains("members") || !group["members"].is_array()) return ids;
  for (const auto& m : group["members"]) ids.push_back(m.value("value", ""));
  return ids;
}

// ---------------------------------------------------------------------------------------------
// CLI output

namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(text.substr(start, nl - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(std::move(line));
    start = nl + 1;
  }
  return out;
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '@' || c == '!' || c == '#' ||
         c == '$' || c == '-';
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> line_containing(std::string_view text, std::string_view needle) {
  for (auto& line : split_lines(text)) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return std::nullopt;
}

std::vector<std::string> lines_containing(std::string_view text, std::string_view needle) {
  std::vector<std::string> out;
  for (auto& line : split_lines(text)) {
    if (line.find(needle) != std::string::npos) out.push_back(std::move(line));
  }
  return out;
}

std::vector<std::string> wait_for_log_lines(const server_process& server, std::string_view needle, std::size_t n,
                                            std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto lines = lines_containing(server.log_text(), needle);
    if (lines.size() >= n || std::chrono::steady_clock::now() > deadline) return lines;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool has_word(std::string_view line_in, std::string_view word_in, bool ignore_case) {
  const std::string line = ignore_case ? ascii_lower(line_in) : std::string(line_in);
  const std::string word = ignore_case ? ascii_lower(word_in) : std::string(word_in);
  if (word.empty()) return false;
  for (auto pos = line.find(word); pos != std::string::npos; pos = line.find(word, pos + 1)) {
    const bool left_ok = pos == 0 || !word_char(line[pos - 1]);
    const auto end = pos + word.size();
    const bool right_ok = end == line.size() || !word_char(line[end]);
    if (left_ok && right_ok) return true;
  }
  return false;
}

std::optional<std::string> find_suspended_login(std::string_view line, std::string_view short_code) {
  const std::regex re("(^|[^A-Za-z0-9_.@!#$-])([0-9a-f]{16}_" + std::string(short_code) + ")($|[^A-Za-z0-9_.@!#$-])");
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_search(line.begin(), line.end(), m, re)) return m[2].str();
  return std::nullopt;
}

std::string cli_users_list(const server_process& server, std::string_view enterprise) {
  auto r = run_cli({"users", "list", "--enterprise", std::string(enterprise), "--db", server.db_path()});
  if (r.exit_code != 0) ADD_FAILURE() << "`emuscim users list` failed: " << r;
  return r.out;
}

std::string cli_groups_list(const server_process& server, std::string_view enterprise) {
  auto r = run_cli({"groups", "list", "--enterprise", std::string(enterprise), "--db", server.db_path()});
  if (r.exit_code != 0) ADD_FAILURE() << "`emuscim groups list` failed: " << r;
  return r.out;
}

std::optional<std::string> cli_user_line(const server_process& server, std::string_view id, std::string_view enterprise) {
  return line_containing(cli_users_list(server, enterprise), id);
}

void cli_add_enterprise(const std::string& db, std::string_view slug, std::string_view short_code) {
  auto r = run_cli({"enterprise", "add", std::string(slug), "--short-code", std::string(short_code), "--db", db});
  if (r.exit_code != 0) {
    std::ostringstream msg;
    msg << "`emuscim enterprise add " << slug << "` failed: " << r;
    throw std::runtime_error(msg.str());
  }
}

std::string cli_mint_token(const std::string& db, std::string_view enterprise, const std::vector<std::string>& scopes) {
  std::vector<std::string> args = {"token", "add", "--enterprise", std::string(enterprise)};
  for (const auto& s : scopes) args.insert(args.end(), {"--scope", s});
  args.insert(args.end(), {"--db", db});
  auto r = run_cli(args);
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (r.exit_code != 0 || out.empty() || out.find('\n') != std::string::npos ||
      out.find_first_of(" \t") != std::string::npos) {
    std::ostringstream msg;
    msg << "`emuscim token add --enterprise " << enterprise << "` did not print one token line: " << r;
    throw std::runtime_error(msg.str());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fixture

void e2e_suite::start_suite_server(server_options options) {
  server_.reset();
  setup_error_.clear();
  try {
    server_ = std::make_unique<server_process>(std::move(options));
  } catch (const std::exception& e) {
    setup_error_ = e.what();
  }
}

void e2e_suite::fail_suite_setup(const std::string& why) {
  if (setup_error_.empty()) setup_error_ = why;
}

void e2e_suite::TearDownTestSuite() {
  server_.reset();
  setup_error_.clear();
}

void e2e_suite::SetUp() {
  ASSERT_TRUE(suite_ready()) << "the suite's server is not available: " << setup_error_;
  ASSERT_TRUE(server_->running()) << "the suite's server is no longer running (exit status "
                                  << server_->exit_status().value_or(-1) << ")\n--- server log tail ---\n"
                                  << server_->log_tail();
  scim = client(*server_);
}

void e2e_suite::TearDown() {
  if (HasFailure() && server_ != nullptr) {
    std::fprintf(stderr, "--- server log tail (%s) ---\n%s\n", server_->log_path().c_str(), server_->log_tail(30).c_str());
  }
}

client e2e_suite::as(const std::string& token, std::string base) {
  client_options o;
  o.port = server().port();
  o.token = token;
  o.base = std::move(base);
  return client(o);
}

json e2e_suite::create_user(const json& body) {
  auto r = scim.post("Users", body);
  if (r.status != 201) {
    ADD_FAILURE() << "POST Users " << body.dump() << " -> " << r;
    return json();
  }
  return r.json();
}

std::string e2e_suite::create_user_id(std::string_view user_name, const user_fields& fields) {
  auto u = create_user(make_user(user_name, "ext-" + std::string(user_name), fields));
  return u.is_object() ? u.value("id", "") : std::string();
}

json e2e_suite::create_group(const json& body) {
  auto r = scim.post("Groups", body);
  if (r.status != 201) {
    ADD_FAILURE() << "POST Groups " << body.dump() << " -> " << r;
    return json();
  }
  return r.json();
}

json e2e_suite::get_user(std::string_view id) {
  auto r = scim.get("Users/" + std::string(id));
  if (r.status != 200) {
    ADD_FAILURE() << "GET Users/" << id << " -> " << r;
    return json();
  }
  return r.json();
}

json e2e_suite::get_group(std::string_view id, std::string_view query) {
  auto r = scim.get("Groups/" + std::string(id) + std::string(query));
  if (r.status != 200) {
    ADD_FAILURE() << "GET Groups/" << id << query << " -> " << r;
    return json();
  }
  return r.json();
}

}  // namespace emuscim::test
