#pragma once
// Command-line parsing for every emuscim command. Pure: no I/O except reading the config
// file and the environment passed in. The command names and flags are a contract
// (tests and scripts outside the repo rely on them); see README "Command line".
//
//   emuscim serve [--config FILE] [--listen HOST:PORT] [--db PATH] [--threads N]
//                 [--log-level LEVEL] [--log-format text|json] [--tls-cert FILE --tls-key FILE]
//                 [--strict] [--print-config]
//   emuscim enterprise add SLUG --short-code CODE [--db PATH]
//   emuscim org add ORG (--enterprise SLUG | --sso) [--db PATH]
//   emuscim org accept-invitation ORG --email EMAIL --login LOGIN [--db PATH]
//   emuscim orgs list [--enterprise SLUG] [--db PATH]
//   emuscim token add (--enterprise SLUG | --org ORG) [--scope SCOPE]... [--db PATH]
//   emuscim users list --enterprise SLUG [--db PATH]
//   emuscim groups list --enterprise SLUG [--db PATH]
//   emuscim cert self-signed --out DIR [--host NAME]...
//   emuscim replay (FILE | CYCLE)... --target URL --token TOKEN [--admin-token TOKEN]
//                  [--report text|json] [--cacert FILE] [--insecure] [--keep]
//   emuscim replay --list
//   emuscim --help | emuscim COMMAND --help | emuscim --version

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "emuscim/app/config.hpp"

namespace emuscim::app {

struct help_cmd { std::string text; };            // print text to stdout, exit 0
struct version_cmd {};
struct serve_cmd { config cfg; bool print_config = false; };
struct enterprise_add_cmd { std::string db; std::string slug; std::string short_code; };
struct token_add_cmd {
  std::string db;
  std::string enterprise;          // empty with `org`
  std::optional<std::string> org;  // a standalone organization's token
  std::vector<std::string> scopes;  // default {"admin:enterprise"}, or {"admin:org"} with `org`
};
struct org_add_cmd { std::string db; std::string login; std::optional<std::string> enterprise; };  // nullopt: --sso
struct orgs_list_cmd { std::string db; std::optional<std::string> enterprise; };
// The invitee of ORG's pending invitation to EMAIL accepts it as the personal account LOGIN.
struct org_accept_cmd { std::string db; std::string org; std::string email; std::string login; };
struct users_list_cmd { std::string db; std::string enterprise; };
struct groups_list_cmd { std::string db; std::string enterprise; };
struct cert_self_signed_cmd { std::string out_dir; std::vector<std::string> hosts; };
struct replay_cmd {
  bool list = false;                     // --list: name the built-in cycles, play nothing
  std::vector<std::string> sources;      // replay files, or built-in cycle names ("entra", "okta/01_user_lifecycle")
  std::string target;                    // --target URL: the SCIM tenant URL (or an origin)
  std::string token;                     // --token, or $EMUSCIM_REPLAY_TOKEN
  std::optional<std::string> admin_token;  // --admin-token, or $EMUSCIM_REPLAY_ADMIN_TOKEN
  bool json_report = false;              // --report json
  std::optional<std::string> ca_file;    // --cacert FILE
  bool insecure = false;                 // --insecure
  bool keep = false;                     // --keep: leave what the files created
};

using command = std::variant<help_cmd, version_cmd, serve_cmd, enterprise_add_cmd, token_add_cmd, org_add_cmd,
                             orgs_list_cmd, users_list_cmd, groups_list_cmd, cert_self_signed_cmd, replay_cmd,
                             org_accept_cmd>;

// Reads an environment variable; injectable for tests.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;
env_lookup process_env();

// Either a command or a one-line reason (cli_error, config.hpp; for stderr, exit code 2), e.g.
// "emuscim serve: --threads: expected a positive integer, got 'x'".
std::variant<command, cli_error> parse_command_line(const std::vector<std::string>& args, const env_lookup& env);

}  // namespace emuscim::app
