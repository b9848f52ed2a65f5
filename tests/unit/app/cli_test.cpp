#include "emuscim/app/cli.hpp"

#include <stdlib.h>  // setenv, unsetenv
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "emuscim/app/config.hpp"

namespace emuscim::app {
namespace {

using args = std::vector<std::string>;
using env_map = std::map<std::string, std::string>;

class temp_dir {
 public:
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/emuscim_cli_XXXXXX";
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

 private:
  std::filesystem::path path_;
};

env_lookup env_of(env_map vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string describe(const args& a) {
  std::string out = "emuscim";
  for (const auto& s : a) out += " " + s;
  return out;
}

template <typename Cmd>
Cmd parse_as(const args& a, const env_map& env = {}) {
  auto out = parse_command_line(a, env_of(env));
  if (auto* e = std::get_if<cli_error>(&out)) {
    ADD_FAILURE() << describe(a) << ": " << e->message;
    return Cmd{};
  }
  const auto& cmd = std::get<command>(out);
  if (!std::holds_alternative<Cmd>(cmd)) {
    ADD_FAILURE() << describe(a) << ": parsed as alternative " << cmd.index();
    return Cmd{};
  }
  return std::get<Cmd>(cmd);
}

std::string error_of(const args& a, const env_map& env = {}) {
  auto out = parse_command_line(a, env_of(env));
  if (auto* e = std::get_if<cli_error>(&out)) return e->message;
  return "<parsed>";
}

// ---------------------------------------------------------------------------------------------
// Precedence: flag > env > file > default
// ---------------------------------------------------------------------------------------------
struct precedence_case {
  bool file;
  bool env;
  bool flag;
  const char* want_listen;
  const char* want_db;
};

TEST(Cli, precedenceFlagOverEnvOverFileOverDefault) {
  const temp_dir dir;
  const std::string file = dir.write("c.json", R"({"listen": "127.0.0.1:1001", "db": "file.db"})");
  const std::vector<precedence_case> cases = {
      {false, false, false, "127.0.0.1:8080", "emuscim.db"},
      {true, false, false, "127.0.0.1:1001", "file.db"},
      {false, true, false, "127.0.0.1:1002", "env.db"},
      {true, true, false, "127.0.0.1:1002", "env.db"},
      {false, false, true, "127.0.0.1:1003", "flag.db"},
      {true, false, true, "127.0.0.1:1003", "flag.db"},
      {false, true, true, "127.0.0.1:1003", "flag.db"},
      {true, true, true, "127.0.0.1:1003", "flag.db"},
  };
  for (const auto& c : cases) {
    args a = {"serve"};
    // Flags before --config on purpose: the file is a layer, not a position.
    if (c.flag) a.insert(a.end(), {"--listen", "127.0.0.1:1003", "--db=flag.db"});
    if (c.file) a.insert(a.end(), {"--config", file});
    env_map env;
    if (c.env) env = {{"EMUSCIM_LISTEN", "127.0.0.1:1002"}, {"EMUSCIM_DB", "env.db"}};
    const auto cmd = parse_as<serve_cmd>(a, env);
    EXPECT_EQ(cmd.cfg.listen, c.want_listen) << describe(a) << " env=" << c.env;
    EXPECT_EQ(cmd.cfg.db, c.want_db) << describe(a) << " env=" << c.env;
  }
}

TEST(Cli, serveLayersEveryEnvAndFlag) {
  const temp_dir dir;
  const std::string file = dir.write("c.json", R"({"log": {"level": "warn"}, "threads": 3, "strict": false})");
  const env_map env = {{"EMUSCIM_TLS_CERT", "/env/c.pem"}, {"EMUSCIM_TLS_KEY", "/env/k.pem"},
                       {"EMUSCIM_LOG_LEVEL", "error"},     {"EMUSCIM_LOG_FORMAT", "json"},
                       {"EMUSCIM_ADMIN_TOKEN", "adm"}};
  auto cmd = parse_as<serve_cmd>({"serve", "--config=" + file}, env);
  EXPECT_EQ(cmd.cfg.tls_cert, "/env/c.pem");
  EXPECT_EQ(cmd.cfg.tls_key, "/env/k.pem");
  EXPECT_EQ(cmd.cfg.log_level, "error");
  EXPECT_EQ(cmd.cfg.log_format, "json");
  EXPECT_EQ(cmd.cfg.admin_token, "adm");
  EXPECT_EQ(cmd.cfg.threads, 3u);
  EXPECT_FALSE(cmd.cfg.strict);
  EXPECT_FALSE(cmd.print_config);

  cmd = parse_as<serve_cmd>({"serve", "--config", file, "--tls-cert", "/f/c.pem", "--tls-key=/f/k.pem", "--log-level",
                             "trace", "--log-format=text", "--threads", "0", "--strict", "--print-config"},
                            env);
  EXPECT_EQ(cmd.cfg.tls_cert, "/f/c.pem");
  EXPECT_EQ(cmd.cfg.tls_key, "/f/k.pem");
  EXPECT_EQ(cmd.cfg.log_level, "trace");
  EXPECT_EQ(cmd.cfg.log_format, "text");
  EXPECT_EQ(cmd.cfg.threads, 0u);
  EXPECT_TRUE(cmd.cfg.strict);
  EXPECT_TRUE(cmd.print_config);
}

TEST(Cli, serveDefaultsAndLastFlagWins) {
  const auto cmd = parse_as<serve_cmd>({"serve"});
  EXPECT_EQ(print_config(cmd.cfg), print_config(config{}));
  EXPECT_FALSE(cmd.print_config);

  EXPECT_EQ(parse_as<serve_cmd>({"serve", "--listen", "127.0.0.1:1", "--listen", "[::1]:2"}).cfg.listen, "[::1]:2");
  EXPECT_EQ(parse_as<serve_cmd>({"serve", "--threads", "256"}).cfg.threads, 256u);
}

TEST(Cli, emptyEnvironmentVariablesCountAsUnset) {
  const auto cmd = parse_as<serve_cmd>(
      {"serve"}, {{"EMUSCIM_LISTEN", ""}, {"EMUSCIM_TLS_CERT", ""}, {"EMUSCIM_ENTERPRISE", ""}, {"EMUSCIM_DB", ""}});
  EXPECT_EQ(cmd.cfg.listen, "127.0.0.1:8080");
  EXPECT_EQ(cmd.cfg.db, "emuscim.db");
  EXPECT_FALSE(cmd.cfg.tls_cert);
  EXPECT_TRUE(cmd.cfg.enterprises.empty());
}

TEST(Cli, tlsNeedsBothHalvesAfterAllLayers) {
  const temp_dir dir;
  const std::string cert_in_file = dir.write("c.json", R"({"tls": {"cert": "c.pem"}})");
  const std::string cert_msg = "emuscim serve: a TLS certificate needs a key (tls.key, EMUSCIM_TLS_KEY or --tls-key)";
  const std::string key_msg = "emuscim serve: a TLS key needs a certificate (tls.cert, EMUSCIM_TLS_CERT or --tls-cert)";
  EXPECT_EQ(error_of({"serve", "--tls-cert", "c.pem"}), cert_msg);
  EXPECT_EQ(error_of({"serve", "--tls-key", "k.pem"}), key_msg);
  EXPECT_EQ(error_of({"serve"}, {{"EMUSCIM_TLS_CERT", "c.pem"}}), cert_msg);
  EXPECT_EQ(error_of({"serve", "--config", cert_in_file}), cert_msg);
  // The halves may come from different layers.
  const auto cmd = parse_as<serve_cmd>({"serve", "--config", cert_in_file}, {{"EMUSCIM_TLS_KEY", "k.pem"}});
  EXPECT_EQ(cmd.cfg.tls_cert, "c.pem");
  EXPECT_EQ(cmd.cfg.tls_key, "k.pem");
  EXPECT_TRUE(parse_as<serve_cmd>({"serve", "--tls-cert", "c.pem"}, {{"EMUSCIM_TLS_KEY", "k.pem"}}).cfg.tls_key);
}

// ---------------------------------------------------------------------------------------------
// Bootstrap enterprise from the environment
// ---------------------------------------------------------------------------------------------
TEST(Cli, bootstrapEnvAddsEnterprise) {
  auto cmd = parse_as<serve_cmd>({"serve"}, {{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_SHORT_CODE", "acme"}});
  ASSERT_EQ(cmd.cfg.enterprises.size(), 1u);
  EXPECT_EQ(cmd.cfg.enterprises[0].slug, "acme");
  EXPECT_EQ(cmd.cfg.enterprises[0].short_code, "acme");
  EXPECT_TRUE(cmd.cfg.enterprises[0].tokens.empty());

  cmd = parse_as<serve_cmd>(
      {"serve"}, {{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_SHORT_CODE", "ac1"}, {"EMUSCIM_TOKEN", "emu_test"}});
  ASSERT_EQ(cmd.cfg.enterprises.size(), 1u);
  EXPECT_EQ(cmd.cfg.enterprises[0].tokens, std::vector<std::string>{"emu_test"});
}

TEST(Cli, bootstrapEnvMergesWithConfigFile) {
  const temp_dir dir;
  const std::string file = dir.write("c.json", R"({"enterprises": [
      {"slug": "other", "short_code": "oth", "tokens": ["o1"]},
      {"slug": "acme", "short_code": "acme", "tokens": ["f1"]}]})");
  auto cmd = parse_as<serve_cmd>({"serve", "--config", file},
                                 {{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_SHORT_CODE", "acme"}, {"EMUSCIM_TOKEN", "e1"}});
  ASSERT_EQ(cmd.cfg.enterprises.size(), 2u);
  EXPECT_EQ(cmd.cfg.enterprises[1].slug, "acme");
  EXPECT_EQ(cmd.cfg.enterprises[1].tokens, (std::vector<std::string>{"f1", "e1"}));
  EXPECT_EQ(cmd.cfg.enterprises[0].tokens, std::vector<std::string>{"o1"});

  // The same token twice is kept once.
  cmd = parse_as<serve_cmd>({"serve", "--config", file},
                            {{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_SHORT_CODE", "acme"}, {"EMUSCIM_TOKEN", "f1"}});
  EXPECT_EQ(cmd.cfg.enterprises[1].tokens, std::vector<std::string>{"f1"});

  // A new slug is appended.
  cmd = parse_as<serve_cmd>({"serve", "--config", file}, {{"EMUSCIM_ENTERPRISE", "new"}, {"EMUSCIM_SHORT_CODE", "neww"}});
  ASSERT_EQ(cmd.cfg.enterprises.size(), 3u);
  EXPECT_EQ(cmd.cfg.enterprises[2].slug, "new");

  EXPECT_EQ(error_of({"serve", "--config", file}, {{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_SHORT_CODE", "zzz"}}),
            "emuscim serve: EMUSCIM_SHORT_CODE: 'zzz' conflicts with short code 'acme' of enterprise 'acme' in the "
            "config file");
  EXPECT_EQ(error_of({"serve", "--config", file}, {{"EMUSCIM_ENTERPRISE", "new"}, {"EMUSCIM_SHORT_CODE", "oth"}}),
            "emuscim serve: EMUSCIM_SHORT_CODE: 'oth' is already used by enterprise 'other'");
  EXPECT_EQ(error_of({"serve", "--config", file},
                     {{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_SHORT_CODE", "acme"}, {"EMUSCIM_TOKEN", "o1"}}),
            "emuscim serve: EMUSCIM_TOKEN: already belongs to enterprise 'other'");
}

TEST(Cli, bootstrapEnvErrors) {
  const std::vector<std::pair<env_map, std::string>> cases = {
      {{{"EMUSCIM_ENTERPRISE", "acme"}}, "emuscim serve: EMUSCIM_ENTERPRISE is set but EMUSCIM_SHORT_CODE is not"},
      {{{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_TOKEN", "t"}},
       "emuscim serve: EMUSCIM_ENTERPRISE is set but EMUSCIM_SHORT_CODE is not"},
      {{{"EMUSCIM_SHORT_CODE", "acme"}}, "emuscim serve: EMUSCIM_SHORT_CODE is set but EMUSCIM_ENTERPRISE is not"},
      {{{"EMUSCIM_TOKEN", "t"}}, "emuscim serve: EMUSCIM_TOKEN is set but EMUSCIM_ENTERPRISE is not"},
      {{{"EMUSCIM_ENTERPRISE", "Acme"}, {"EMUSCIM_SHORT_CODE", "acme"}},
       "emuscim serve: EMUSCIM_ENTERPRISE: expected 1 to 64 characters from a-z, 0-9 and '-', got 'Acme'"},
      {{{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_SHORT_CODE", "a"}},
       "emuscim serve: EMUSCIM_SHORT_CODE: expected 3 to 8 letters or digits, got 'a'"},
      {{{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_SHORT_CODE", "acme"}, {"EMUSCIM_TOKEN", "tok\n"}},
       "emuscim serve: EMUSCIM_TOKEN: expected a non-empty token of printable ASCII without blanks"},
  };
  for (const auto& [env, message] : cases) {
    EXPECT_EQ(error_of({"serve"}, env), message);
  }
}

// ---------------------------------------------------------------------------------------------
// Other commands
// ---------------------------------------------------------------------------------------------
TEST(Cli, enterpriseAdd) {
  auto cmd = parse_as<enterprise_add_cmd>({"enterprise", "add", "acme", "--short-code", "acme"});
  EXPECT_EQ(cmd.slug, "acme");
  EXPECT_EQ(cmd.short_code, "acme");
  EXPECT_EQ(cmd.db, "emuscim.db");
  cmd = parse_as<enterprise_add_cmd>({"enterprise", "add", "--short-code=AC1", "--db", "x.db", "acme-2"});
  EXPECT_EQ(cmd.slug, "acme-2");
  EXPECT_EQ(cmd.short_code, "AC1");
  EXPECT_EQ(cmd.db, "x.db");
}

TEST(Cli, tokenAdd) {
  auto cmd = parse_as<token_add_cmd>({"token", "add", "--enterprise", "acme"});
  EXPECT_EQ(cmd.enterprise, "acme");
  EXPECT_EQ(cmd.scopes, std::vector<std::string>{"admin:enterprise"});
  EXPECT_EQ(cmd.db, "emuscim.db");
  cmd = parse_as<token_add_cmd>({"token", "add", "--enterprise=acme", "--scope", "scim:enterprise", "--scope=read:audit_log",
                                 "--scope", "scim:enterprise"});
  EXPECT_EQ(cmd.scopes, (std::vector<std::string>{"scim:enterprise", "read:audit_log"}));
}

TEST(Cli, listCommands) {
  const auto users = parse_as<users_list_cmd>({"users", "list", "--enterprise", "acme", "--db", "u.db"});
  EXPECT_EQ(users.enterprise, "acme");
  EXPECT_EQ(users.db, "u.db");
  const auto groups = parse_as<groups_list_cmd>({"groups", "list", "--enterprise", "acme"});
  EXPECT_EQ(groups.enterprise, "acme");
  EXPECT_EQ(groups.db, "emuscim.db");
}

TEST(Cli, databaseCommandsTakeDbFromEnv) {
  const env_map env = {{"EMUSCIM_DB", "/data/env.db"}};
  EXPECT_EQ(parse_as<enterprise_add_cmd>({"enterprise", "add", "acme", "--short-code", "acme"}, env).db, "/data/env.db");
  EXPECT_EQ(parse_as<token_add_cmd>({"token", "add", "--enterprise", "acme"}, env).db, "/data/env.db");
  EXPECT_EQ(parse_as<users_list_cmd>({"users", "list", "--enterprise", "acme"}, env).db, "/data/env.db");
  EXPECT_EQ(parse_as<groups_list_cmd>({"groups", "list", "--enterprise", "acme"}, env).db, "/data/env.db");
  EXPECT_EQ(parse_as<groups_list_cmd>({"groups", "list", "--enterprise", "acme", "--db", "f.db"}, env).db, "f.db");
}

TEST(Cli, certSelfSigned) {
  auto cmd = parse_as<cert_self_signed_cmd>({"cert", "self-signed", "--out", "certs"});
  EXPECT_EQ(cmd.out_dir, "certs");
  EXPECT_TRUE(cmd.hosts.empty());
  cmd = parse_as<cert_self_signed_cmd>(
      {"cert", "self-signed", "--out=certs", "--host", "scim.test", "--host=*.scim.test", "--host", "scim.test"});
  EXPECT_EQ(cmd.hosts, (std::vector<std::string>{"scim.test", "*.scim.test"}));
}

TEST(Cli, version) {
  parse_as<version_cmd>({"--version"});
  EXPECT_EQ(error_of({"--version", "x"}), "emuscim: unexpected argument 'x'");
}

// ---------------------------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------------------------
struct help_case {
  args argv;
  const char* starts_with;
};

TEST(Cli, helpForEveryCommand) {
  const std::vector<help_case> cases = {
      {{"--help"}, "Usage: emuscim COMMAND"},
      {{"-h"}, "Usage: emuscim COMMAND"},
      {{"help"}, "Usage: emuscim COMMAND"},
      {{"serve", "--help"}, "Usage: emuscim serve [OPTIONS]"},
      {{"serve", "-h"}, "Usage: emuscim serve [OPTIONS]"},
      {{"serve", "--listen", "nonsense", "--bogus", "--help"}, "Usage: emuscim serve [OPTIONS]"},
      {{"help", "serve"}, "Usage: emuscim serve [OPTIONS]"},
      {{"enterprise", "--help"}, "Usage: emuscim enterprise SUBCOMMAND"},
      {{"enterprise", "add", "--help"}, "Usage: emuscim enterprise add SLUG --short-code CODE"},
      {{"enterprise", "add", "-h"}, "Usage: emuscim enterprise add SLUG --short-code CODE"},
      {{"help", "enterprise", "add"}, "Usage: emuscim enterprise add SLUG --short-code CODE"},
      {{"token", "--help"}, "Usage: emuscim token SUBCOMMAND"},
      {{"token", "add", "--help"}, "Usage: emuscim token add --enterprise SLUG"},
      {{"users", "-h"}, "Usage: emuscim users SUBCOMMAND"},
      {{"users", "list", "--help"}, "Usage: emuscim users list --enterprise SLUG"},
      {{"groups", "--help"}, "Usage: emuscim groups SUBCOMMAND"},
      {{"groups", "list", "--help"}, "Usage: emuscim groups list --enterprise SLUG"},
      {{"cert", "--help"}, "Usage: emuscim cert SUBCOMMAND"},
      {{"cert", "self-signed", "--help"}, "Usage: emuscim cert self-signed --out DIR"},
  };
  for (const auto& c : cases) {
    const auto help = parse_as<help_cmd>(c.argv);
    EXPECT_TRUE(help.text.starts_with(c.starts_with)) << describe(c.argv) << "\n" << help.text;
    EXPECT_EQ(help.text.back(), '\n') << describe(c.argv);
  }
}

TEST(Cli, helpTextsMentionTheirFlags) {
  const std::vector<std::pair<args, std::vector<std::string>>> cases = {
      {{"--help"}, {"serve", "enterprise add", "token add", "users list", "groups list", "cert self-signed", "--version"}},
      {{"serve", "--help"},
       {"--config", "--listen", "--db", "--threads", "--log-level", "--log-format", "--tls-cert", "--tls-key", "--strict",
        "--print-config", "EMUSCIM_LISTEN", "EMUSCIM_DB", "EMUSCIM_TLS_CERT", "EMUSCIM_TLS_KEY", "EMUSCIM_LOG_LEVEL",
        "EMUSCIM_LOG_FORMAT", "EMUSCIM_ADMIN_TOKEN", "EMUSCIM_ENTERPRISE", "EMUSCIM_SHORT_CODE", "EMUSCIM_TOKEN"}},
      {{"enterprise", "--help"}, {"add"}},
      {{"enterprise", "add", "--help"}, {"--short-code", "--db", "EMUSCIM_DB"}},
      {{"token", "add", "--help"}, {"--enterprise", "--scope", "admin:enterprise", "scim:enterprise", "read:audit_log"}},
      {{"users", "list", "--help"}, {"--enterprise", "--db"}},
      {{"groups", "list", "--help"}, {"--enterprise", "--db"}},
      {{"cert", "self-signed", "--help"}, {"--out", "--host"}},
  };
  for (const auto& [argv, words] : cases) {
    const auto help = parse_as<help_cmd>(argv);
    for (const auto& word : words) EXPECT_NE(help.text.find(word), std::string::npos) << describe(argv) << ": " << word;
  }
}

// ---------------------------------------------------------------------------------------------
// Errors: one line each
// ---------------------------------------------------------------------------------------------
struct cli_error_case {
  args argv;
  const char* message;
};

TEST(Cli, errorsAreOneLiners) {
  const std::vector<cli_error_case> cases = {
      {{}, "emuscim: missing command (try 'emuscim --help')"},
      {{"frobnicate"}, "emuscim: unknown command 'frobnicate'"},
      {{"--foo"}, "emuscim: unknown flag '--foo'"},
      {{"--foo=bar"}, "emuscim: unknown flag '--foo'"},
      {{"help", "frobnicate"}, "emuscim: unknown command 'frobnicate'"},
      {{"help", "--foo"}, "emuscim help: unexpected argument '--foo'"},
      // serve
      {{"serve", "--foo"}, "emuscim serve: unknown flag '--foo'"},
      {{"serve", "--foo=1"}, "emuscim serve: unknown flag '--foo'"},
      {{"serve", "-x"}, "emuscim serve: unknown flag '-x'"},
      {{"serve", "extra"}, "emuscim serve: unexpected argument 'extra'"},
      {{"serve", "--listen"}, "emuscim serve: --listen: missing value"},
      {{"serve", "--db", "--strict"}, "emuscim serve: --db: missing value"},
      {{"serve", "--config"}, "emuscim serve: --config: missing value"},
      {{"serve", "--config="}, "emuscim serve: --config: must not be empty"},
      {{"serve", "--strict=true"}, "emuscim serve: --strict: takes no value"},
      {{"serve", "--print-config=1"}, "emuscim serve: --print-config: takes no value"},
      {{"serve", "--listen", "nowhere"},
       "emuscim serve: --listen: expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got 'nowhere'"},
      {{"serve", "--listen=[::1]"},
       "emuscim serve: --listen: expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got '[::1]'"},
      {{"serve", "--db="}, "emuscim serve: --db: must not be empty"},
      {{"serve", "--threads", "x"}, "emuscim serve: --threads: expected an integer from 0 to 256, got 'x'"},
      {{"serve", "--threads", "257"}, "emuscim serve: --threads: expected an integer from 0 to 256, got '257'"},
      {{"serve", "--threads=-1"}, "emuscim serve: --threads: expected an integer from 0 to 256, got '-1'"},
      {{"serve", "--threads", "1000000000000000000000"},
       "emuscim serve: --threads: expected an integer from 0 to 256, got '1000000000000000000000'"},
      {{"serve", "--threads="}, "emuscim serve: --threads: expected an integer from 0 to 256, got ''"},
      {{"serve", "--log-level", "loud"},
       "emuscim serve: --log-level: expected trace, debug, info, warn, error or off, got 'loud'"},
      {{"serve", "--log-format", "xml"}, "emuscim serve: --log-format: expected text or json, got 'xml'"},
      {{"serve", "--tls-cert="}, "emuscim serve: --tls-cert: must not be empty"},
      {{"serve", "--admin-token", "x"}, "emuscim serve: unknown flag '--admin-token'"},
      // enterprise add
      {{"enterprise"}, "emuscim enterprise: missing subcommand (expected 'add')"},
      {{"enterprise", "--db", "x"}, "emuscim enterprise: missing subcommand (expected 'add')"},
      {{"enterprise", "remove"}, "emuscim enterprise: unknown subcommand 'remove' (expected 'add')"},
      {{"enterprise", "add"}, "emuscim enterprise add: missing SLUG"},
      {{"enterprise", "add", "acme"}, "emuscim enterprise add: --short-code is required"},
      {{"enterprise", "add", "acme", "more", "--short-code", "acme"}, "emuscim enterprise add: unexpected argument 'more'"},
      {{"enterprise", "add", "Acme", "--short-code", "acme"},
       "emuscim enterprise add: SLUG: expected 1 to 64 characters from a-z, 0-9 and '-', got 'Acme'"},
      {{"enterprise", "add", "acme", "--short-code", "ac"},
       "emuscim enterprise add: --short-code: expected 3 to 8 letters or digits, got 'ac'"},
      {{"enterprise", "add", "acme", "--short-code", "toolongcode"},
       "emuscim enterprise add: --short-code: expected 3 to 8 letters or digits, got 'toolongcode'"},
      {{"enterprise", "add", "acme", "--short-code", "acme", "--db="}, "emuscim enterprise add: --db: must not be empty"},
      {{"enterprise", "add", "acme", "--shortcode", "acme"}, "emuscim enterprise add: unknown flag '--shortcode'"},
      // token add
      {{"token"}, "emuscim token: missing subcommand (expected 'add')"},
      {{"token", "add"}, "emuscim token add: --enterprise is required"},
      {{"token", "add", "--enterprise"}, "emuscim token add: --enterprise: missing value"},
      {{"token", "add", "--enterprise", "acme", "--scope", "scim"},
       "emuscim token add: --scope: expected one of GitHub's token scopes (such as scim:enterprise, admin:enterprise, "
       "read:audit_log, read:org, admin:org), got 'scim'"},
      {{"token", "add", "--enterprise", "acme", "--scope="},
       "emuscim token add: --scope: expected one of GitHub's token scopes (such as scim:enterprise, admin:enterprise, "
       "read:audit_log, read:org, admin:org), got ''"},
      {{"token", "add", "--enterprise", "a b"},
       "emuscim token add: --enterprise: expected 1 to 64 characters from a-z, 0-9 and '-', got 'a b'"},
      {{"token", "add", "acme"}, "emuscim token add: unexpected argument 'acme'"},
      // list
      {{"users"}, "emuscim users: missing subcommand (expected 'list')"},
      {{"users", "show"}, "emuscim users: unknown subcommand 'show' (expected 'list')"},
      {{"users", "list"}, "emuscim users list: --enterprise is required"},
      {{"users", "list", "--enterprise", "acme", "--all"}, "emuscim users list: unknown flag '--all'"},
      {{"groups", "list"}, "emuscim groups list: --enterprise is required"},
      {{"groups", "list", "--enterprise", "acme", "x"}, "emuscim groups list: unexpected argument 'x'"},
      // cert
      {{"cert"}, "emuscim cert: missing subcommand (expected 'self-signed')"},
      {{"cert", "self-signed"}, "emuscim cert self-signed: --out is required"},
      {{"cert", "self-signed", "--out", "d", "--host", ""}, "emuscim cert self-signed: --host: expected a host name, got ''"},
      {{"cert", "self-signed", "--out", "d", "--host", "a b"},
       "emuscim cert self-signed: --host: expected a host name, got 'a b'"},
      {{"cert", "self-signed", "--out", "d", "--days", "3"}, "emuscim cert self-signed: unknown flag '--days'"},
  };
  for (const auto& c : cases) {
    const std::string message = error_of(c.argv);
    EXPECT_EQ(message, c.message) << describe(c.argv);
    EXPECT_EQ(message.find('\n'), std::string::npos) << describe(c.argv);
  }
}

TEST(Cli, envErrorsNameTheVariable) {
  const std::vector<std::pair<env_map, std::string>> cases = {
      {{{"EMUSCIM_LISTEN", "8080"}},
       "emuscim serve: EMUSCIM_LISTEN: expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got '8080'"},
      {{{"EMUSCIM_LOG_LEVEL", "chatty"}},
       "emuscim serve: EMUSCIM_LOG_LEVEL: expected trace, debug, info, warn, error or off, got 'chatty'"},
      {{{"EMUSCIM_LOG_FORMAT", "yaml"}}, "emuscim serve: EMUSCIM_LOG_FORMAT: expected text or json, got 'yaml'"},
      {{{"EMUSCIM_ADMIN_TOKEN", "has space"}},
       "emuscim serve: EMUSCIM_ADMIN_TOKEN: expected a non-empty token of printable ASCII without blanks"},
  };
  for (const auto& [env, message] : cases) {
    EXPECT_EQ(error_of({"serve"}, env), message);
  }
  // A bad environment value is an error even when a flag would override it: silently
  // ignoring a broken deployment setting hides it until the flag goes away.
  EXPECT_EQ(error_of({"serve", "--listen", "127.0.0.1:1"}, {{"EMUSCIM_LISTEN", "8080"}}),
            "emuscim serve: EMUSCIM_LISTEN: expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got '8080'");
}

TEST(Cli, configFileErrorsComeThroughServe) {
  const temp_dir dir;
  const std::string bad_key = dir.write("k.json", R"({"tls": {"certt": "x"}})");
  const std::string bad_json = dir.write("j.json", "{");
  EXPECT_EQ(error_of({"serve", "--config", bad_key}), "emuscim serve: config: /tls/certt: unknown key");
  EXPECT_EQ(error_of({"serve", "--config", bad_json}), "emuscim serve: config: " + bad_json + ": invalid JSON at byte 2");
  EXPECT_EQ(error_of({"serve", "--config", bad_json + ".missing"}),
            "emuscim serve: config: cannot read " + bad_json + ".missing: No such file or directory");
}

TEST(Cli, processEnvReadsTheEnvironment) {
  ASSERT_EQ(::setenv("EMUSCIM_CLI_TEST_VAR", "value-1", 1), 0);
  const env_lookup env = process_env();
  EXPECT_EQ(env("EMUSCIM_CLI_TEST_VAR"), "value-1");
  ASSERT_EQ(::unsetenv("EMUSCIM_CLI_TEST_VAR"), 0);
  EXPECT_EQ(env("EMUSCIM_CLI_TEST_VAR"), std::nullopt);
}

TEST(Cli, nullEnvLookupMeansNoEnvironment) {
  auto out = parse_command_line({"serve"}, env_lookup{});
  ASSERT_TRUE(std::holds_alternative<command>(out));
  EXPECT_TRUE(std::holds_alternative<serve_cmd>(std::get<command>(out)));
}

namespace emuscim::app {
namespace {

TEST(CliOrgs, orgAddAndOrgsList) {
  auto add = parse_as<org_add_cmd>({"org", "add", "octo-org", "--enterprise", "acme"});
  EXPECT_EQ(add.login, "octo-org");
  EXPECT_EQ(add.enterprise, std::optional<std::string>("acme"));
  auto sso = parse_as<org_add_cmd>({"org", "add", "Octo-Org", "--sso", "--db", "x.db"});
  EXPECT_EQ(sso.login, "Octo-Org");
  EXPECT_FALSE(sso.enterprise.has_value());
  EXPECT_EQ(sso.db, "x.db");
  EXPECT_FALSE(parse_as<orgs_list_cmd>({"orgs", "list"}).enterprise.has_value());
  EXPECT_EQ(parse_as<orgs_list_cmd>({"orgs", "list", "--enterprise=acme"}).enterprise, std::optional<std::string>("acme"));
  auto token = parse_as<token_add_cmd>({"token", "add", "--org", "octo-org"});
  EXPECT_EQ(token.org, std::optional<std::string>("octo-org"));
  EXPECT_EQ(token.scopes, std::vector<std::string>{"admin:org"});
  token = parse_as<token_add_cmd>({"token", "add", "--org", "octo-org", "--scope", "read:org"});
  EXPECT_EQ(token.scopes, std::vector<std::string>{"read:org"});
}

TEST(CliOrgs, orgErrorsAreOneLiners) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"org", "add"}, "emuscim org add: missing ORG"},
      {{"org", "add", "octo-org"}, "emuscim org add: --enterprise SLUG or --sso is required"},
      {{"org", "add", "octo-org", "--sso", "--enterprise", "acme"}, "emuscim org add: --enterprise and --sso exclude each other"},
      {{"org", "add", "octo-", "--sso"},
       "emuscim org add: ORG: expected 1 to 39 letters, digits or single hyphens, not starting or ending with a "
       "hyphen, got 'octo-'"},
      {{"token", "add", "--org", "o", "--enterprise", "acme"}, "emuscim token add: --enterprise and --org exclude each other"},
      {{"token", "add", "--org", "octo_org"},
       "emuscim token add: --org: expected 1 to 39 letters, digits or single hyphens, not starting or ending with a "
       "hyphen, got 'octo_org'"},
  };
  for (const auto& [argv, message] : cases) EXPECT_EQ(error_of(argv), message) << describe(argv);
}

TEST(CliOrgs, acceptInvitation) {
  auto cmd = parse_as<org_accept_cmd>(
      {"org", "accept-invitation", "octo-org", "--email", "Mona@Example.com", "--login=monalisa", "--db", "x.db"});
  EXPECT_EQ(cmd.org, "octo-org");
  EXPECT_EQ(cmd.email, "Mona@Example.com");
  EXPECT_EQ(cmd.login, "monalisa");
  EXPECT_EQ(cmd.db, "x.db");
  const auto from_env =
      parse_as<org_accept_cmd>({"org", "accept-invitation", "o", "--email", "e", "--login", "l"}, {{"EMUSCIM_DB", "env.db"}});
  EXPECT_EQ(from_env.db, "env.db");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"org", "accept-invitation"}, "emuscim org accept-invitation: missing ORG"},
      {{"org", "accept-invitation", "octo-org", "--login", "mona"}, "emuscim org accept-invitation: --email is required"},
      {{"org", "accept-invitation", "octo-org", "--email", "m@x"}, "emuscim org accept-invitation: --login is required"},
      {{"org", "accept-invitation", "octo-org", "--email", "m@x", "--login", "mona_acme"},
       "emuscim org accept-invitation: --login: expected 1 to 39 letters, digits or single hyphens, not starting or "
       "ending with a hyphen, got 'mona_acme'"},
      {{"org", "accept-invitation", "octo-org", "extra", "--email", "m@x", "--login", "mona"},
       "emuscim org accept-invitation: unexpected argument 'extra'"},
      {{"org", "remove"}, "emuscim org: unknown subcommand 'remove' (expected 'add', 'accept-invitation')"},
  };
  for (const auto& [argv, message] : cases) EXPECT_EQ(error_of(argv), message) << describe(argv);
}

TEST(CliOrgs, bootstrapEnvAddsOrganizations) {
  auto cmd = parse_as<serve_cmd>({"serve"}, {{"EMUSCIM_ENTERPRISE", "acme"},
                                             {"EMUSCIM_SHORT_CODE", "acme"},
                                             {"EMUSCIM_ORGS", "octo-org, other-org,,octo-org"},
                                             {"EMUSCIM_ORG", "sso-org"},
                                             {"EMUSCIM_ORG_TOKEN", "emu_org_token"}});
  ASSERT_EQ(cmd.cfg.enterprises.size(), 1u);
  EXPECT_EQ(cmd.cfg.enterprises[0].orgs, (std::vector<std::string>{"octo-org", "other-org"}));
  ASSERT_EQ(cmd.cfg.orgs.size(), 1u);
  EXPECT_EQ(cmd.cfg.orgs[0].login, "sso-org");
  EXPECT_EQ(cmd.cfg.orgs[0].tokens, std::vector<std::string>{"emu_org_token"});
  EXPECT_EQ(error_of({"serve"}, {{"EMUSCIM_ORG_TOKEN", "x"}}), "emuscim serve: EMUSCIM_ORG_TOKEN is set but EMUSCIM_ORG is not");
  EXPECT_EQ(error_of({"serve"}, {{"EMUSCIM_ORGS", "octo"}}), "emuscim serve: EMUSCIM_ORGS is set but EMUSCIM_ENTERPRISE is not");
  EXPECT_EQ(error_of({"serve"}, {{"EMUSCIM_ENTERPRISE", "acme"}, {"EMUSCIM_SHORT_CODE", "acme"}, {"EMUSCIM_ORGS", "bad_org"}}),
            "emuscim serve: EMUSCIM_ORGS: expected 1 to 39 letters, digits or single hyphens, not starting or ending "
            "with a hyphen, got 'bad_org'");
}

}  // namespace
}  // namespace emuscim::app

TEST(CliReplay, filesCyclesAndOptions) {
  EXPECT_TRUE(parse_as<replay_cmd>({"replay", "--list"}).list);
  auto cmd = parse_as<replay_cmd>({"replay", "entra", "session.json", "--target", "https://scim.example.test/scim/v2/enterprises/acme",
                                   "--token", "t0k", "--admin-token=adm", "--report", "json", "--cacert", "ca.pem",
                                   "--insecure", "--keep"});
  EXPECT_EQ(cmd.sources, (std::vector<std::string>{"entra", "session.json"}));
  EXPECT_EQ(cmd.target, "https://scim.example.test/scim/v2/enterprises/acme");
  EXPECT_EQ(cmd.token, "t0k");
  EXPECT_EQ(cmd.admin_token, std::optional<std::string>("adm"));
  EXPECT_TRUE(cmd.json_report);
  EXPECT_EQ(cmd.ca_file, std::optional<std::string>("ca.pem"));
  EXPECT_TRUE(cmd.insecure);
  EXPECT_TRUE(cmd.keep);
  // Tokens may come from the environment (out of ps and shell history).
  auto from_env = parse_as<replay_cmd>({"replay", "okta", "--target", "http://127.0.0.1:8080"},
                                       {{"EMUSCIM_REPLAY_TOKEN", "e"}, {"EMUSCIM_REPLAY_ADMIN_TOKEN", "a"}});
  EXPECT_EQ(from_env.token, "e");
  EXPECT_EQ(from_env.admin_token, std::optional<std::string>("a"));
  EXPECT_FALSE(from_env.json_report);
  EXPECT_TRUE(parse_as<help_cmd>({"replay", "--help"}).text.starts_with("Usage: emuscim replay (FILE | CYCLE)..."));
}

TEST(CliReplay, errorsAreOneLiners) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"replay"}, "emuscim replay: missing FILE or CYCLE (try 'emuscim replay --list' for the built-in cycles)"},
      {{"replay", "entra", "--token", "t"}, "emuscim replay: --target is required"},
      {{"replay", "entra", "--target", "ftp://x", "--token", "t"},
       "emuscim replay: --target: expected an http:// or https:// URL, got 'ftp://x'"},
      {{"replay", "entra", "--target", "http://h"}, "emuscim replay: --token (or EMUSCIM_REPLAY_TOKEN) is required"},
      {{"replay", "entra", "--target", "http://h", "--token", "t", "--report", "xml"},
       "emuscim replay: --report: expected text or json, got 'xml'"},
      {{"replay", "--list", "entra"}, "emuscim replay: --list takes nothing else"},
      {{"replay", "entra", "--target", "http://h", "--token", "t", "--bogus"}, "emuscim replay: unknown flag '--bogus'"},
  };
  for (const auto& [argv, message] : cases) EXPECT_EQ(error_of(argv), message) << describe(argv);
}

}  // namespace
}  // namespace emuscim::app
