#include "emuscim/app/config.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emuscim/app/cli.hpp"

namespace emuscim::app {
namespace {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/emuscim_config_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

config parse_ok(const std::string& text) {
  auto out = parse_config_json(text);
  if (auto* e = std::get_if<cli_error>(&out)) ADD_FAILURE() << "unexpected error: " << e->message << "\n" << text;
  return std::holds_alternative<config>(out) ? std::get<config>(out) : config{};
}

std::string parse_error(const std::string& text) {
  auto out = parse_config_json(text);
  if (auto* e = std::get_if<cli_error>(&out)) return e->message;
  return "<parsed>";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Config, emptyObjectGivesDefaults) {
  const config cfg = parse_ok("{}");
  EXPECT_EQ(print_config(cfg), print_config(config{}));
  EXPECT_EQ(cfg.listen, "127.0.0.1:8080");
  EXPECT_EQ(cfg.db, "emuscim.db");
  EXPECT_EQ(cfg.body_limit, 4u * 1024 * 1024);
  EXPECT_FALSE(cfg.tls_cert);
  EXPECT_TRUE(cfg.enterprises.empty());
}

TEST(Config, everyKeyIsRead) {
  const config cfg = parse_ok(R"({
    "listen": "[::1]:9443", "threads": 4, "db": "/var/lib/emuscim/db.sqlite",
    "tls": {"cert": "/c.pem", "key": "/k.pem"},
    "limits": {"body_bytes": 2048, "header_bytes": 4096, "max_connections": 10},
    "timeouts": {"header_ms": 1, "body_ms": 2, "idle_ms": 3, "write_ms": 4},
    "log": {"level": "debug", "format": "json"},
    "admin_token": "adm1n", "strict": true, "ghe_com": true,
    "compat": {"group_patch_204": true, "integer_error_status": true, "require_user_agent": true},
    "public_url": "https://scim.example.test/",
    "rate_limit": {"enabled": true, "requests_per_hour": 7, "user_creations_per_hour": 8},
    "request_log": {"capacity": 0, "max_body_bytes": 512},
    "enterprises": [{"slug": "acme-co", "short_code": "ACME1", "tokens": ["t1", "t2", "t1"]},
                    {"slug": "beta", "short_code": "bet"}]
  })");
  EXPECT_EQ(cfg.listen, "[::1]:9443");
  EXPECT_EQ(cfg.threads, 4u);
  EXPECT_EQ(cfg.db, "/var/lib/emuscim/db.sqlite");
  EXPECT_EQ(cfg.tls_cert, "/c.pem");
  EXPECT_EQ(cfg.tls_key, "/k.pem");
  EXPECT_EQ(cfg.body_limit, 2048u);
  EXPECT_EQ(cfg.header_limit, 4096u);
  EXPECT_EQ(cfg.max_connections, 10u);
  EXPECT_EQ(cfg.header_timeout_ms, 1u);
  EXPECT_EQ(cfg.body_timeout_ms, 2u);
  EXPECT_EQ(cfg.idle_timeout_ms, 3u);
  EXPECT_EQ(cfg.write_timeout_ms, 4u);
  EXPECT_EQ(cfg.log_level, "debug");
  EXPECT_EQ(cfg.log_format, "json");
  EXPECT_EQ(cfg.admin_token, "adm1n");
  EXPECT_TRUE(cfg.strict);
  EXPECT_TRUE(cfg.ghe_com);
  EXPECT_TRUE(cfg.group_patch_no_content);
  EXPECT_TRUE(cfg.integer_error_status);
  EXPECT_TRUE(cfg.require_user_agent);
  EXPECT_EQ(cfg.public_url, "https://scim.example.test");  // trailing slash dropped
  EXPECT_TRUE(cfg.rate_limit.enabled);
  EXPECT_EQ(cfg.rate_limit.requests_per_hour, 7u);
  EXPECT_EQ(cfg.rate_limit.user_creations_per_hour, 8u);
  EXPECT_EQ(cfg.request_log.capacity, 0u);
  EXPECT_EQ(cfg.request_log.max_body_bytes, 512u);
  ASSERT_EQ(cfg.enterprises.size(), 2u);
  EXPECT_EQ(cfg.enterprises[0].slug, "acme-co");
  EXPECT_EQ(cfg.enterprises[0].short_code, "ACME1");
  EXPECT_EQ(cfg.enterprises[0].tokens, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(cfg.enterprises[1].slug, "beta");
  EXPECT_TRUE(cfg.enterprises[1].tokens.empty());
}

TEST(Config, nullClearsOptionalStrings) {
  const config cfg = parse_ok(R"({"tls": {"cert": null, "key": null}, "admin_token": null, "public_url": null})");
  EXPECT_FALSE(cfg.tls_cert);
  EXPECT_FALSE(cfg.tls_key);
  EXPECT_FALSE(cfg.admin_token);
  EXPECT_FALSE(cfg.public_url);
}

TEST(Config, boundaryValuesAccepted) {
  EXPECT_EQ(parse_ok(R"({"threads": 256})").threads, 256u);
  EXPECT_EQ(parse_ok(R"({"threads": 0})").threads, 0u);
  EXPECT_EQ(parse_ok(R"({"limits": {"body_bytes": 1024}})").body_limit, 1024u);
  EXPECT_EQ(parse_ok(R"({"timeouts": {"idle_ms": 4294967295}})").idle_timeout_ms, 4294967295u);
  EXPECT_EQ(parse_ok(R"({"enterprises": [{"slug": "a", "short_code": "abc"}]})").enterprises.at(0).slug, "a");
  EXPECT_EQ(parse_ok(R"({"enterprises": [{"slug": ")" + std::string(64, 'z') + R"(", "short_code": "abcdefgh"}]})")
                .enterprises.size(),
            1u);
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    EXPECT_EQ(parse_ok(std::string(R"({"log": {"level": ")") + level + "\"}}").log_level, level);
  }
}

struct error_case {
  const char* json;
  const char* message;
};

TEST(Config, errorsNameTheKeyPath) {
  const std::vector<error_case> cases = {
      // wrong types, at every depth
      {R"({"limits": {"body_bytes": "4096"}})", "config: /limits/body_bytes: expected an unsigned integer"},
      {R"({"limits": {"body_bytes": -1}})", "config: /limits/body_bytes: expected an unsigned integer"},
      {R"({"limits": {"body_bytes": 2048.5}})", "config: /limits/body_bytes: expected an unsigned integer"},
      {R"({"limits": {"body_bytes": null}})", "config: /limits/body_bytes: expected an unsigned integer"},
      {R"({"listen": 8080})", "config: /listen: expected a string"},
      {R"({"threads": "4"})", "config: /threads: expected an unsigned integer"},
      {R"({"db": ["x"]})", "config: /db: expected a string"},
      {R"({"tls": "cert.pem"})", "config: /tls: expected an object"},
      {R"({"tls": {"cert": 1}})", "config: /tls/cert: expected a string or null"},
      {R"({"tls": {"key": true}})", "config: /tls/key: expected a string or null"},
      {R"({"limits": []})", "config: /limits: expected an object"},
      {R"({"timeouts": {"write_ms": "1s"}})", "config: /timeouts/write_ms: expected an unsigned integer"},
      {R"({"log": {"level": 1}})", "config: /log/level: expected a string"},
      {R"({"admin_token": 1234})", "config: /admin_token: expected a string or null"},
      {R"({"strict": "yes"})", "config: /strict: expected a boolean"},
      {R"({"ghe_com": 1})", "config: /ghe_com: expected a boolean"},
      {R"({"compat": {"group_patch_204": "true"}})", "config: /compat/group_patch_204: expected a boolean"},
      {R"({"public_url": 5})", "config: /public_url: expected a string or null"},
      {R"({"rate_limit": {"enabled": 0}})", "config: /rate_limit/enabled: expected a boolean"},
      {R"({"rate_limit": {"requests_per_hour": -5}})", "config: /rate_limit/requests_per_hour: expected an unsigned integer"},
      {R"({"enterprises": {}})", "config: /enterprises: expected an array"},
      {R"({"enterprises": ["acme"]})", "config: /enterprises/0: expected an object"},
      {R"({"enterprises": [{"slug": "acme", "short_code": 5}]})", "config: /enterprises/0/short_code: expected a string"},
      {R"({"enterprises": [{"slug": "a", "short_code": "aaa"}, {"slug": 1, "short_code": "bbb"}]})",
       "config: /enterprises/1/slug: expected a string"},
      {R"({"enterprises": [{"slug": "a", "short_code": "aaa", "tokens": "t"}]})",
       "config: /enterprises/0/tokens: expected an array"},
      {R"({"enterprises": [{"slug": "a", "short_code": "aaa", "tokens": ["t", 2]}]})",
       "config: /enterprises/0/tokens/1: expected a string"},
      {"[]", "config: top level: expected an object"},
      {"\"listen\"", "config: top level: expected an object"},
      // unknown keys
      {R"({"tls": {"certt": "x"}})", "config: /tls/certt: unknown key"},
      {R"({"port": 8080})", "config: /port: unknown key"},
      {R"({"//": "comment"})", "config: /~1~1: unknown key"},
      {R"({"a~b": 1})", "config: /a~0b: unknown key"},
      {R"({"log": {"level": "info", "colour": true}})", "config: /log/colour: unknown key"},
      {R"({"enterprises": [{"slug": "a", "short_code": "aaa", "token": "t"}]})",
       "config: /enterprises/0/token: unknown key"},
      {R"({"rate_limit": {"per_hour": 1}})", "config: /rate_limit/per_hour: unknown key"},
      {R"({"request_log": {"capacity": 1000001}})", "config: /request_log/capacity: must be at most 1000000"},
      {R"({"request_log": {"max_body_bytes": -1}})", "config: /request_log/max_body_bytes: expected an unsigned integer"},
      {R"({"compat": {"group_patch_200": true}})", "config: /compat/group_patch_200: unknown key"},
      // duplicate keys
      {R"({"listen": "127.0.0.1:1", "listen": "127.0.0.1:2"})", "config: /listen: duplicate key"},
      {R"({"enterprises": [{"slug": "a", "short_code": "aaa"}, {"slug": "b", "slug": "c"}]})",
       "config: /enterprises/1/slug: duplicate key"},
      {R"({"x": [1, [2], {"a": 1, "a": 2}]})", "config: /x/2/a: duplicate key"},
      // values
      {R"({"threads": 257})", "config: /threads: must be at most 256"},
      {R"({"limits": {"body_bytes": 1023}})", "config: /limits/body_bytes: must be at least 1024"},
      {R"({"limits": {"header_bytes": 100}})", "config: /limits/header_bytes: must be at least 1024"},
      {R"({"limits": {"max_connections": 0}})", "config: /limits/max_connections: must be at least 1"},
      {R"({"timeouts": {"idle_ms": 0}})", "config: /timeouts/idle_ms: must be at least 1"},
      {R"({"timeouts": {"header_ms": 4294967296}})", "config: /timeouts/header_ms: must be at most 4294967295"},
      {R"({"rate_limit": {"user_creations_per_hour": 0}})",
       "config: /rate_limit/user_creations_per_hour: must be at least 1"},
      {R"({"listen": "localhost"})",
       "config: /listen: expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got 'localhost'"},
      {R"({"listen": "127.0.0.1:99999"})",
       "config: /listen: expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got '127.0.0.1:99999'"},
      {R"({"db": ""})", "config: /db: must not be empty"},
      {R"({"tls": {"cert": ""}})", "config: /tls/cert: must not be empty"},
      {R"({"log": {"level": "verbose"}})",
       "config: /log/level: expected trace, debug, info, warn, error or off, got 'verbose'"},
      {R"({"log": {"level": "INFO"}})", "config: /log/level: expected trace, debug, info, warn, error or off, got 'INFO'"},
      {R"({"log": {"format": "xml"}})", "config: /log/format: expected text or json, got 'xml'"},
      {R"({"admin_token": ""})", "config: /admin_token: expected a non-empty token of printable ASCII without blanks"},
      {R"({"admin_token": "secret\n"})",
       "config: /admin_token: expected a non-empty token of printable ASCII without blanks"},
      {R"({"public_url": "scim.example.test"})",
       "config: /public_url: expected an http:// or https:// URL, got 'scim.example.test'"},
      {R"({"public_url": "https://"})", "config: /public_url: expected an http:// or https:// URL, got 'https://'"},
      {R"({"enterprises": [{"short_code": "aaa"}]})", "config: /enterprises/0/slug: missing required key"},
      {R"({"enterprises": [{"slug": "a"}]})", "config: /enterprises/0/short_code: missing required key"},
      {R"({"enterprises": [{"slug": "Acme", "short_code": "aaa"}]})",
       "config: /enterprises/0/slug: expected 1 to 64 characters from a-z, 0-9 and '-', got 'Acme'"},
      {R"({"enterprises": [{"slug": "", "short_code": "aaa"}]})",
       "config: /enterprises/0/slug: expected 1 to 64 characters from a-z, 0-9 and '-', got ''"},
      {R"({"enterprises": [{"slug": "a_b", "short_code": "aaa"}]})",
       "config: /enterprises/0/slug: expected 1 to 64 characters from a-z, 0-9 and '-', got 'a_b'"},
      {R"({"enterprises": [{"slug": "a", "short_code": "ab"}]})",
       "config: /enterprises/0/short_code: expected 3 to 8 letters or digits, got 'ab'"},
      {R"({"enterprises": [{"slug": "a", "short_code": "abcdefghi"}]})",
       "config: /enterprises/0/short_code: expected 3 to 8 letters or digits, got 'abcdefghi'"},
      {R"({"enterprises": [{"slug": "a", "short_code": "ab-c"}]})",
       "config: /enterprises/0/short_code: expected 3 to 8 letters or digits, got 'ab-c'"},
      {R"({"enterprises": [{"slug": "a", "short_code": "aaa", "tokens": ["t t"]}]})",
       "config: /enterprises/0/tokens/0: expected a non-empty token of printable ASCII without blanks"},
      {R"({"enterprises": [{"slug": "a", "short_code": "aaa"}, {"slug": "a", "short_code": "bbb"}]})",
       "config: /enterprises/1/slug: slug 'a' already used by /enterprises/0"},
      {R"({"enterprises": [{"slug": "a", "short_code": "aaa"}, {"slug": "b", "short_code": "aaa"}]})",
       "config: /enterprises/1/short_code: short code 'aaa' already used by /enterprises/0"},
      {R"({"enterprises": [{"slug": "a", "short_code": "aaa", "tokens": ["x", "shared"]},
                           {"slug": "b", "short_code": "bbb", "tokens": ["shared"]}]})",
       "config: /enterprises/1/tokens/0: token already belongs to /enterprises/0"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_error(c.json), c.message) << c.json;
  }
}

TEST(Config, invalidJsonNamesTheByte) {
  const std::vector<error_case> cases = {
      {"", "config: invalid JSON at byte 1"},
      {"{", "config: invalid JSON at byte 2"},
      {R"({"listen": "127.0.0.1:80",})", "config: invalid JSON at byte 27"},
      {"{\"a\": 1} x", "config: invalid JSON at byte 10"},
      {"// comment\n{}", "config: invalid JSON at byte 1"},  // no comments in config files
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_error(c.json), c.message) << c.json;
  }
}

TEST(Config, errorsNeverEchoTokens) {
  const std::string message = parse_error(R"({"enterprises": [{"slug": "a", "short_code": "aaa", "tokens": ["hunter2"]},
                                              {"slug": "b", "short_code": "bbb", "tokens": ["hunter2"]}]})");
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  const std::string admin = parse_error(R"({"admin_token": "hunter 2"})");
  EXPECT_EQ(admin.find("hunter"), std::string::npos) << admin;
}

TEST(Config, loadConfigFile) {
  const temp_dir dir;
  const std::string good = dir.write("good.json", R"({"listen": "0.0.0.0:9000", "db": "x.db"})");
  auto loaded = load_config_file(good);
  ASSERT_TRUE(std::holds_alternative<config>(loaded)) << std::get<cli_error>(loaded).message;
  EXPECT_EQ(std::get<config>(loaded).listen, "0.0.0.0:9000");
  EXPECT_EQ(std::get<config>(loaded).db, "x.db");

  const std::vector<std::pair<std::string, std::string>> cases = {
      {dir.write("bad.json", "{\"listen\": }"), "config: " + dir.path("bad.json") + ": invalid JSON at byte 12"},
      {dir.write("empty.json", ""), "config: " + dir.path("empty.json") + ": invalid JSON at byte 1"},
      {dir.write("key.json", R"({"tls": {"certt": "x"}})"), "config: /tls/certt: unknown key"},
      {dir.write("type.json", R"({"limits": {"body_bytes": "big"}})"),
       "config: /limits/body_bytes: expected an unsigned integer"},
      {dir.path("missing.json"), "config: cannot read " + dir.path("missing.json") + ": No such file or directory"},
      {dir.path(""), "config: cannot read " + dir.path("") + ": Is a directory"},
      {dir.path("good.json") + "/x", "config: cannot read " + dir.path("good.json") + "/x: Not a directory"},
  };
  for (const auto& [path, message] : cases) {
    auto out = load_config_file(path);
    ASSERT_TRUE(std::holds_alternative<cli_error>(out)) << path;
    EXPECT_EQ(std::get<cli_error>(out).message, message);
  }
}

TEST(Config, unreadableFileGivesReason) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  const temp_dir dir;
  const std::string path = dir.write("locked.json", "{}");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  auto out = load_config_file(path);
  ASSERT_TRUE(std::holds_alternative<cli_error>(out));
  EXPECT_EQ(std::get<cli_error>(out).message, "config: cannot read " + path + ": Permission denied");
}

TEST(Config, exampleFileParsesAndShowsEveryKey) {
  const std::string path = std::string(EMUSCIM_SOURCE_DIR) + "/config/emuscim.example.json";
  auto loaded = load_config_file(path);
  ASSERT_TRUE(std::holds_alternative<config>(loaded)) << std::get<cli_error>(loaded).message;
  const config& cfg = std::get<config>(loaded);
  // Every key, in print_config's layout: printing it back reproduces the file.
  EXPECT_EQ(print_config(cfg) + "\n", read_file(path));
  // Defaults everywhere except the example enterprise.
  config defaults;
  defaults.enterprises = cfg.enterprises;
  EXPECT_EQ(print_config(cfg), print_config(defaults));
  ASSERT_EQ(cfg.enterprises.size(), 1u);
}

TEST(Config, printConfigMasksSecrets) {
  config cfg;
  cfg.admin_token = "adm-secret";
  cfg.enterprises.push_back({"acme", "acme", {"tok-one", "tok-two"}});
  cfg.tls_cert = "/etc/c.pem";
  cfg.tls_key = "/etc/k.pem";
  const std::string printed = print_config(cfg);
  EXPECT_EQ(printed.find("adm-secret"), std::string::npos);
  EXPECT_EQ(printed.find("tok-one"), std::string::npos);
  EXPECT_EQ(printed.find("tok-two"), std::string::npos);
  EXPECT_EQ(printed.back(), '}');  // no trailing newline: callers add their own

  const auto j = nlohmann::json::parse(printed);
  EXPECT_EQ(j["admin_token"], "***");
  EXPECT_EQ(j["enterprises"][0]["tokens"], nlohmann::json::array({"***", "***"}));
  EXPECT_EQ(j["enterprises"][0]["slug"], "acme");
  EXPECT_EQ(j["tls"]["cert"], "/etc/c.pem");  // paths are not secrets
  EXPECT_TRUE(nlohmann::json::parse(print_config(config{}))["admin_token"].is_null());
}

TEST(Config, printConfigReadsBack) {
  config cfg;
  cfg.listen = "[::]:443";
  cfg.threads = 8;
  cfg.tls_cert = "c.pem";
  cfg.tls_key = "k.pem";
  cfg.log_format = "json";
  cfg.public_url = "https://x.test";
  cfg.rate_limit.enabled = true;
  cfg.enterprises.push_back({"acme", "acme", {}});
  const config back = parse_ok(print_config(cfg));
  EXPECT_EQ(print_config(back), print_config(cfg));
}

struct listen_case {
  const char* text;
  bool ok;
  const char* host;
  std::uint16_t port;
};

TEST(Config, splitListen) {
  const std::vector<listen_case> cases = {
      {"127.0.0.1:0", true, "127.0.0.1", 0},
      {"127.0.0.1:8080", true, "127.0.0.1", 8080},
      {"0.0.0.0:65535", true, "0.0.0.0", 65535},
      {"[::1]:8080", true, "::1", 8080},
      {"[::]:443", true, "::", 443},
      {"[2001:db8::1]:1", true, "2001:db8::1", 1},
      {"[::ffff:127.0.0.1]:80", true, "::ffff:127.0.0.1", 80},
      {"localhost:80", true, "localhost", 80},
      {"scim.example-1.test:443", true, "scim.example-1.test", 443},
      {"localhost:080", true, "localhost", 80},
      {"", false, "", 0},
      {"localhost", false, "", 0},
      {"localhost:", false, "", 0},
      {":8080", false, "", 0},
      {"localhost:65536", false, "", 0},
      {"localhost:123456", false, "", 0},
      {"localhost:-1", false, "", 0},
      {"localhost:+80", false, "", 0},
      {"localhost:80x", false, "", 0},
      {"local host:80", false, "", 0},
      {"-bad.test:80", false, "", 0},
      {"a..b:80", false, "", 0},
      {"::1:8080", false, "", 0},
      {"[::1]", false, "", 0},
      {"[::1]8080", false, "", 0},
      {"[::1:8080", false, "", 0},
      {"[]:80", false, "", 0},
      {"[zz::1]:80", false, "", 0},
      {"[127.0.0.1]:80", false, "", 0},
      {"999.0.0.1:80", false, "", 0},
      {"1.2.3:80", false, "", 0},
  };
  for (const auto& c : cases) {
    std::string host = "unchanged";
    std::uint16_t port = 7;
    EXPECT_EQ(split_listen(c.text, host, port), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(host, c.host) << c.text;
      EXPECT_EQ(port, c.port) << c.text;
    } else {
      EXPECT_EQ(host, "unchanged") << c.text;
      EXPECT_EQ(port, 7) << c.text;
    }
  }
}

}  // namespace
}  // namespace emuscim::app

namespace emuscim::app {
namespace {

TEST(ConfigOrgs, organizationsAreReadAndChecked) {
  auto cfg = parse_ok(R"({"enterprises": [{"slug": "acme", "short_code": "acme", "orgs": ["octo-org", "other"]}],
                          "orgs": [{"login": "sso-org", "tokens": ["t1"]}]})");
  ASSERT_EQ(cfg.enterprises.size(), 1u);
  EXPECT_EQ(cfg.enterprises[0].orgs, (std::vector<std::string>{"octo-org", "other"}));
  ASSERT_EQ(cfg.orgs.size(), 1u);
  EXPECT_EQ(cfg.orgs[0].login, "sso-org");
  EXPECT_EQ(cfg.orgs[0].tokens, std::vector<std::string>{"t1"});
  EXPECT_EQ(parse_error(R"({"orgs": [{"tokens": []}]})"), "config: /orgs/0/login: missing required key");
  EXPECT_EQ(parse_error(R"({"orgs": [{"login": "a_b"}]})"),
            "config: /orgs/0/login: expected 1 to 39 letters, digits or single hyphens, not starting or ending with a "
            "hyphen, got 'a_b'");
  const std::string printed = print_config(cfg);
  EXPECT_NE(printed.find("\"sso-org\""), std::string::npos);
  EXPECT_EQ(printed.find("t1"), std::string::npos) << "tokens are masked";
}

}  // namespace
}  // namespace emuscim::app
