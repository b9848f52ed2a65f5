#include "emuscim/app/cli.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "app/config_rules.hpp"
#include "emuscim/base/text.hpp"
#include "emuscim/auth/scopes.hpp"
#include "emuscim/app/config.hpp"

namespace emuscim::app {
namespace {

using args_view = std::span<const std::string>;
using result = std::variant<command, cli_error>;

// ---------------------------------------------------------------------------------------------
// Help texts
// ---------------------------------------------------------------------------------------------
constexpr std::string_view top_help =
    R"(Usage: emuscim COMMAND [OPTIONS]

A SCIM 2.0 server emulating GitHub Enterprise Managed Users and GitHub's organization APIs.

Commands:
  serve              Run the SCIM server
  enterprise add     Create an enterprise
  org add            Create an organization (an enterprise's, or standalone with --sso)
  org accept-invitation  Accept an organization invitation as a personal account
  orgs list          List organizations
  token add          Issue a bearer token for an enterprise or an organization
  users list         List an enterprise's users
  groups list        List an enterprise's groups
  cert self-signed   Write a self-signed TLS certificate and key
  replay             Play recorded requests or a built-in IdP cycle against a server

Options:
  -h, --help         Show this help ('emuscim COMMAND --help' for one command)
      --version      Print the version
)";

constexpr std::string_view serve_help =
    R"(Usage: emuscim serve [OPTIONS]

Run the SCIM server.

Options:
      --config FILE        JSON config file; unknown keys are errors (docs/CONFIGURATION.md)
      --listen HOST:PORT   Address to listen on, IPv6 as [::1]:8080     [127.0.0.1:8080]
      --db PATH            SQLite database file                         [emuscim.db]
      --threads N          I/O threads, 0 = one per core, at most 256    [0]
      --log-level LEVEL    trace, debug, info, warn, error or off       [info]
      --log-format FORMAT  text or json                                 [text]
      --tls-cert FILE      PEM certificate chain; needs --tls-key       [plain HTTP]
      --tls-key FILE       PEM private key
      --strict             Enforce GitHub's stricter checks (implies compat.require_user_agent)
      --print-config       Print the effective configuration, secrets masked
  -h, --help               Show this help

Environment (overrides the config file; flags override it):
  EMUSCIM_LISTEN, EMUSCIM_DB, EMUSCIM_TLS_CERT, EMUSCIM_TLS_KEY,
  EMUSCIM_LOG_LEVEL, EMUSCIM_LOG_FORMAT   as the flags above
  EMUSCIM_ADMIN_TOKEN                     enable the admin API with this bearer token
  EMUSCIM_ENTERPRISE, EMUSCIM_SHORT_CODE  create this enterprise at start-up
  EMUSCIM_TOKEN                           and accept this bearer token for it
  EMUSCIM_ORGS                            and these organizations of it (comma-separated)
  EMUSCIM_ORG, EMUSCIM_ORG_TOKEN          create this standalone organization (SAML SSO) and
                                          accept this owner token (admin:org) for it
Empty variables count as unset.

Precedence: flags, then environment, then the config file, then defaults.
)";

constexpr std::string_view enterprise_add_help =
    R"(Usage: emuscim enterprise add SLUG --short-code CODE [--db PATH]

Create an enterprise in the database.

Arguments:
  SLUG                 1 to 64 characters from a-z, 0-9 and '-'

Options:
      --short-code CODE  3 to 8 letters or digits; suffixes user names (jane_CODE)  [required]
      --db PATH          SQLite database file   [$EMUSCIM_DB or emuscim.db]
  -h, --help             Show this help
)";

constexpr std::string_view token_add_help =
    R"(Usage: emuscim token add --enterprise SLUG [--scope SCOPE]... [--db PATH]
       emuscim token add --org ORG [--scope SCOPE]... [--db PATH]

Issue a new bearer token for an enterprise, or for a standalone organization, and print it
once; only its hash is stored.

Options:
      --enterprise SLUG  Enterprise the token belongs to (its setup user's token)
      --org ORG          Standalone organization the token belongs to (an owner's token;
                         default scope admin:org)
      --scope SCOPE      one of GitHub's classic token scopes: scim:enterprise,
                         admin:enterprise, read:audit_log, read:org, admin:org, ...;
                         repeat for several   [admin:enterprise, or admin:org with --org]
      --db PATH          SQLite database file   [$EMUSCIM_DB or emuscim.db]
  -h, --help             Show this help
)";

constexpr std::string_view users_list_help =
    R"(Usage: emuscim users list --enterprise SLUG [--db PATH]

List the users provisioned in an enterprise.

Options:
      --enterprise SLUG  Enterprise to list   [required]
      --db PATH          SQLite database file   [$EMUSCIM_DB or emuscim.db]
  -h, --help             Show this help
)";

constexpr std::string_view groups_list_help =
    R"(Usage: emuscim groups list --enterprise SLUG [--db PATH]

List the groups provisioned in an enterprise.

Options:
      --enterprise SLUG  Enterprise to list   [required]
      --db PATH          SQLite database file   [$EMUSCIM_DB or emuscim.db]
  -h, --help             Show this help
)";

constexpr std::string_view org_add_help =
    R"(Usage: emuscim org add ORG (--enterprise SLUG | --sso) [--db PATH]

Create an organization: one of an EMU enterprise, or with --sso a standalone GitHub Enterprise
Cloud organization that uses SAML single sign-on and org-level SCIM. Idempotent.

Arguments:
  ORG                  1 to 39 letters, digits or single hyphens, not starting or ending with one

Options:
      --enterprise SLUG  The enterprise the organization belongs to
      --sso              A standalone organization (no enterprise)
      --db PATH          SQLite database file   [$EMUSCIM_DB or emuscim.db]
  -h, --help             Show this help
)";

constexpr std::string_view org_accept_help =
    R"(Usage: emuscim org accept-invitation ORG --email EMAIL --login LOGIN [--db PATH]

Accept the pending invitation that org-level SCIM sent to EMAIL, as the person would on GitHub:
the personal account LOGIN (created if it does not exist) joins the standalone organization ORG
and is linked to the SCIM identity that sent the invitation. Prints the account and identity.

Arguments:
  ORG                  A standalone organization (emuscim org add ORG --sso)

Options:
      --email EMAIL      The address the invitation went to (case-insensitive)   [required]
      --login LOGIN      The GitHub account accepting it: 1 to 39 letters, digits or single
                         hyphens, not starting or ending with one                  [required]
      --db PATH          SQLite database file   [$EMUSCIM_DB or emuscim.db]
  -h, --help             Show this help
)";

constexpr std::string_view orgs_list_help =
    R"(Usage: emuscim orgs list [--enterprise SLUG] [--db PATH]

List organizations: an enterprise's, or every one. One line each: id, login, enterprise (or
"standalone"), member count.

Options:
      --enterprise SLUG  Only this enterprise's organizations
      --db PATH          SQLite database file   [$EMUSCIM_DB or emuscim.db]
  -h, --help             Show this help
)";

constexpr std::string_view cert_self_signed_help =
    R"(Usage: emuscim cert self-signed --out DIR [--host NAME]...

Write a self-signed certificate and key (DIR/emuscim.crt, DIR/emuscim.key) for local TLS.
The certificate always covers localhost, 127.0.0.1 and ::1.

Options:
      --out DIR      Directory to write to; created if needed   [required]
      --host NAME    Extra DNS name for the certificate; repeat for several
  -h, --help         Show this help
)";

constexpr std::string_view replay_help =
    R"(Usage: emuscim replay (FILE | CYCLE)... --target URL --token TOKEN [OPTIONS]
       emuscim replay --list

Play replay files in order against a server (emuscim, a connector under test, or GitHub), as
an IdP would: ids that earlier answers returned are rewritten into later requests, and each
answer is compared with the recorded one, ignoring ids, timestamps and URL hosts. Prints the
differences per request; exits 0 only when something was played and nothing differs.

A FILE is a replay file (GET /_emuscim/requests/export writes one; docs/REPLAY.md). A CYCLE is
a built-in IdP cycle shipped in the binary: 'emuscim replay --list' names them (entra, okta,
pingfederate, ... and each of their files). The built-in cycles expect an empty enterprise whose
short code is acme; each file deletes the users and groups it created.

Options:
      --target URL         The SCIM tenant URL, e.g. http://127.0.0.1:8080/scim/v2/enterprises/acme;
                           relative step paths resolve under it (a bare origin means
                           /scim/v2/enterprises/acme)                                  [required]
      --token TOKEN        Bearer token for the target   [$EMUSCIM_REPLAY_TOKEN]       [required]
      --admin-token TOKEN  The target's admin token, for files that use the admin API
                           (without it they are skipped)   [$EMUSCIM_REPLAY_ADMIN_TOKEN]
      --report FORMAT      text or json                                                [text]
      --cacert FILE        Trust this PEM certificate (a self-signed HTTPS server)
      --insecure           HTTPS without certificate verification
      --keep               Keep the users and groups the files created
      --list               Name the built-in cycles and exit
  -h, --help               Show this help
)";

// ---------------------------------------------------------------------------------------------
// Flag parsing
// ---------------------------------------------------------------------------------------------
struct flag_spec {
  std::string_view name;
  bool takes_value = true;
};

struct parsed_flags {
  std::vector<std::pair<std::string, std::string>> flags;  // in command-line order
  std::vector<std::string> positionals;

  std::optional<std::string> last(std::string_view name) const {
    std::optional<std::string> value;
    for (const auto& [flag, v] : flags) {
      if (flag == name) value = v;
    }
    return value;
  }
  std::vector<std::string> all(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [flag, v] : flags) {
      if (flag == name) values.push_back(v);
    }
    return values;
  }
  bool has(std::string_view name) const { return last(name).has_value(); }
};

cli_error fail(std::string_view command_name, std::string_view what) {
  std::string message = "emuscim";
  if (!command_name.empty()) message.append(" ").append(command_name);
  message.append(": ").append(what);
  return cli_error{std::move(message)};
}

bool is_help(std::string_view arg) { return arg == "--help" || arg == "-h"; }

// --help anywhere (before "--") wins over everything else, so a half-typed command line
// still gets its usage.
bool wants_help(args_view args) {
  for (const auto& arg : args) {
    if (arg == "--") return false;
    if (is_help(arg)) return true;
  }
  return false;
}

// "--flag value" and "--flag=value"; a later occurrence of a single-valued flag wins, as
// in most getopt programs, so wrappers can append overrides.
std::variant<parsed_flags, cli_error> parse_flags(std::string_view command_name, args_view args,
                                                  std::span<const flag_spec> specs) {
  parsed_flags out;
  bool only_positionals = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positionals || arg == "-" || !arg.starts_with('-')) {
      out.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    const auto eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const auto spec = std::ranges::find(specs, std::string_view(name), &flag_spec::name);
    if (spec == specs.end() || !name.starts_with("--")) return fail(command_name, "unknown flag '" + name + "'");
    if (!spec->takes_value) {
      if (eq != std::string::npos) return fail(command_name, name + ": takes no value");
      out.flags.emplace_back(name, "");
      continue;
    }
    if (eq != std::string::npos) {
      out.flags.emplace_back(name, arg.substr(eq + 1));
      continue;
    }
    // A following flag is not taken as the value: "--db --strict" is a forgotten value.
    if (i + 1 >= args.size() || (args[i + 1].starts_with('-') && args[i + 1] != "-")) {
      return fail(command_name, name + ": missing value");
    }
    out.flags.emplace_back(name, args[++i]);
  }
  return out;
}

std::optional<cli_error> no_positionals(std::string_view command_name, const parsed_flags& flags) {
  if (flags.positionals.empty()) return std::nullopt;
  return fail(command_name, "unexpected argument " + rules::quoted(flags.positionals.front()));
}

// Empty variables count as unset: compose files often write "EMUSCIM_TLS_CERT=" to turn
// a setting off.
std::optional<std::string> get_env(const env_lookup& env, const std::string& name) {
  if (!env) return std::nullopt;
  auto value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::optional<cli_error> check_value(std::string_view command_name, std::string_view source,
                                     rules::check_fn rule, std::string_view value) {
  if (auto problem = rule(value)) return fail(command_name, std::string(source) + ": " + *problem);
  return std::nullopt;
}

std::string default_db(const env_lookup& env) { return get_env(env, "EMUSCIM_DB").value_or("emuscim.db"); }

// ---------------------------------------------------------------------------------------------
// serve
// ---------------------------------------------------------------------------------------------
constexpr std::string_view serve_name = "serve";

std::optional<std::string> check_threads(std::string_view value) {
  if (!value.empty() && value.size() <= 3 && std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '9'; }) &&
      std::stoul(std::string(value)) <= rules::max_threads) {
    return std::nullopt;
  }
  return "expected an integer from 0 to " + std::to_string(rules::max_threads) + ", got " + rules::quoted(value);
}

// One setting reachable from the environment and/or a flag; `apply` runs after `check` passed.
struct setting {
  std::string_view env;   // empty: no variable
  std::string_view flag;  // empty: no flag
  rules::check_fn check;
  void (*apply)(config&, const std::string&);
};

constexpr std::array<setting, 8> serve_settings{{
    {"EMUSCIM_LISTEN", "--listen", rules::check_listen, [](config& c, const std::string& v) { c.listen = v; }},
    {"EMUSCIM_DB", "--db", rules::check_path, [](config& c, const std::string& v) { c.db = v; }},
    {"", "--threads", check_threads,
     [](config& c, const std::string& v) { c.threads = static_cast<std::size_t>(std::stoul(v)); }},
    {"EMUSCIM_TLS_CERT", "--tls-cert", rules::check_path, [](config& c, const std::string& v) { c.tls_cert = v; }},
    {"EMUSCIM_TLS_KEY", "--tls-key", rules::check_path, [](config& c, const std::string& v) { c.tls_key = v; }},
    {"EMUSCIM_LOG_LEVEL", "--log-level", rules::check_log_level,
     [](config& c, const std::string& v) { c.log_level = v; }},
    {"EMUSCIM_LOG_FORMAT", "--log-format", rules::check_log_format,
     [](config& c, const std::string& v) { c.log_format = v; }},
    // No flag on purpose: a token on the command line shows up in ps and shell history.
    {"EMUSCIM_ADMIN_TOKEN", "", rules::check_token, [](config& c, const std::string& v) { c.admin_token = v; }},
}};

constexpr std::array<flag_spec, 10> serve_flags{{
    {"--config"},
    {"--listen"},
    {"--db"},
    {"--threads"},
    {"--log-level"},
    {"--log-format"},
    {"--tls-cert"},
    {"--tls-key"},
    {"--strict", false},
    {"--print-config", false},
}};

// EMUSCIM_ENTERPRISE + EMUSCIM_SHORT_CODE (+ EMUSCIM_TOKEN) add, or extend, one enterprises[] entry.
std::optional<cli_error> apply_bootstrap(config& cfg, const env_lookup& env) {
  const auto slug = get_env(env, "EMUSCIM_ENTERPRISE");
  const auto short_code = get_env(env, "EMUSCIM_SHORT_CODE");
  const auto token = get_env(env, "EMUSCIM_TOKEN");
  if (!slug) {
    if (short_code) return fail(serve_name, "EMUSCIM_SHORT_CODE is set but EMUSCIM_ENTERPRISE is not");
    if (token) return fail(serve_name, "EMUSCIM_TOKEN is set but EMUSCIM_ENTERPRISE is not");
    if (get_env(env, "EMUSCIM_ORGS")) return fail(serve_name, "EMUSCIM_ORGS is set but EMUSCIM_ENTERPRISE is not");
    return std::nullopt;
  }
  if (!short_code) return fail(serve_name, "EMUSCIM_ENTERPRISE is set but EMUSCIM_SHORT_CODE is not");
  if (auto e = check_value(serve_name, "EMUSCIM_ENTERPRISE", rules::check_slug, *slug)) return e;
  if (auto e = check_value(serve_name, "EMUSCIM_SHORT_CODE", rules::check_short_code, *short_code)) return e;
  if (token) {
    if (auto e = check_value(serve_name, "EMUSCIM_TOKEN", rules::check_token, *token)) return e;
  }

  enterprise_seed* target = nullptr;
  for (auto& seed : cfg.enterprises) {
    if (seed.slug == *slug) {
      target = &seed;
      if (seed.short_code != *short_code) {
        return fail(serve_name, "EMUSCIM_SHORT_CODE: " + rules::quoted(*short_code) + " conflicts with short code " +
                                    rules::quoted(seed.short_code) + " of enterprise " + rules::quoted(seed.slug) +
                                    " in the config file");
      }
    } else {
      if (seed.short_code == *short_code) {
        return fail(serve_name, "EMUSCIM_SHORT_CODE: " + rules::quoted(*short_code) + " is already used by enterprise " +
                                    rules::quoted(seed.slug));
      }
      if (token && std::ranges::find(seed.tokens, *token) != seed.tokens.end()) {
        return fail(serve_name, "EMUSCIM_TOKEN: already belongs to enterprise " + rules::quoted(seed.slug));
      }
    }
  }
  if (target == nullptr) {
    cfg.enterprises.push_back({*slug, *short_code, {}});
    target = &cfg.enterprises.back();
  }
  if (token && std::ranges::find(target->tokens, *token) == target->tokens.end()) target->tokens.push_back(*token);
  if (const auto orgs = get_env(env, "EMUSCIM_ORGS")) {
    std::string_view rest = *orgs;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto login = std::string(base::trim(rest.substr(0, comma)));
      if (!login.empty()) {
        if (auto e = check_value(serve_name, "EMUSCIM_ORGS", rules::check_org_login, login)) return e;
        if (std::ranges::find(target->orgs, login) == target->orgs.end()) target->orgs.push_back(login);
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return std::nullopt;
}

// EMUSCIM_ORG (+ EMUSCIM_ORG_TOKEN) add, or extend, one orgs[] entry: a standalone organization.
std::optional<cli_error> apply_org_bootstrap(config& cfg, const env_lookup& env) {
  const auto login = get_env(env, "EMUSCIM_ORG");
  const auto token = get_env(env, "EMUSCIM_ORG_TOKEN");
  if (!login) {
    if (token) return fail(serve_name, "EMUSCIM_ORG_TOKEN is set but EMUSCIM_ORG is not");
    return std::nullopt;
  }
  if (auto e = check_value(serve_name, "EMUSCIM_ORG", rules::check_org_login, *login)) return e;
  if (token) {
    if (auto e = check_value(serve_name, "EMUSCIM_ORG_TOKEN", rules::check_token, *token)) return e;
  }
  auto it = std::ranges::find(cfg.orgs, *login, &org_seed::login);
  if (it == cfg.orgs.end()) {
    cfg.orgs.push_back({*login, {}});
    it = std::prev(cfg.orgs.end());
  }
  if (token && std::ranges::find(it->tokens, *token) == it->tokens.end()) it->tokens.push_back(*token);
  return std::nullopt;
}

result parse_serve(args_view args, const env_lookup& env) {
  if (wants_help(args)) return help_cmd{std::string(serve_help)};
  auto parsed = parse_flags(serve_name, args, serve_flags);
  if (auto* e = std::get_if<cli_error>(&parsed)) return *e;
  const auto& flags = std::get<parsed_flags>(parsed);
  if (auto e = no_positionals(serve_name, flags)) return *e;

  serve_cmd cmd;
  if (auto file = flags.last("--config")) {
    if (file->empty()) return fail(serve_name, "--config: must not be empty");
    auto loaded = load_config_file(*file);
    if (auto* e = std::get_if<cli_error>(&loaded)) return fail(serve_name, e->message);
    cmd.cfg = std::move(std::get<config>(loaded));
  }

  for (const auto& s : serve_settings) {
    if (s.env.empty()) continue;
    const std::string name(s.env);
    if (auto value = get_env(env, name)) {
      if (auto e = check_value(serve_name, name, s.check, *value)) return *e;
      s.apply(cmd.cfg, *value);
    }
  }
  if (auto e = apply_bootstrap(cmd.cfg, env)) return *e;
  if (auto e = apply_org_bootstrap(cmd.cfg, env)) return *e;

  for (const auto& [name, value] : flags.flags) {
    if (name == "--strict") {
      cmd.cfg.strict = true;
    } else if (name == "--print-config") {
      cmd.print_config = true;
    } else if (const auto* s = std::ranges::find(serve_settings, std::string_view(name), &setting::flag);
               s != serve_settings.end()) {
      if (auto e = check_value(serve_name, name, s->check, value)) return *e;
      s->apply(cmd.cfg, value);
    }
  }

  if (cmd.cfg.tls_cert && !cmd.cfg.tls_key) {
    return fail(serve_name, "a TLS certificate needs a key (tls.key, EMUSCIM_TLS_KEY or --tls-key)");
  }
  if (cmd.cfg.tls_key && !cmd.cfg.tls_cert) {
    return fail(serve_name, "a TLS key needs a certificate (tls.cert, EMUSCIM_TLS_CERT or --tls-cert)");
  }
  return cmd;
}

// ---------------------------------------------------------------------------------------------
// Database commands and cert
// ---------------------------------------------------------------------------------------------
std::optional<std::string> check_scope(std::string_view value) {
  if (auth::known_scope(value)) return std::nullopt;
  return "expected one of GitHub's token scopes (such as scim:enterprise, admin:enterprise, read:audit_log, "
         "read:org, admin:org), got " + rules::quoted(value);
}

std::optional<std::string> check_host(std::string_view value) {
  if (!value.empty() && value.size() <= 253 &&
      std::ranges::all_of(value, [](char c) { return c > 0x20 && c < 0x7f && c != ','; })) {
    return std::nullopt;
  }
  return "expected a host name, got " + rules::quoted(value);
}

// Checks and returns --db (or its default) for the commands that open the database.
std::variant<std::string, cli_error> db_flag(std::string_view command_name, const parsed_flags& flags,
                                             const env_lookup& env) {
  auto db = flags.last("--db");
  if (!db) return default_db(env);
  if (auto e = check_value(command_name, "--db", rules::check_path, *db)) return *e;
  return *db;
}

std::variant<std::string, cli_error> required_flag(std::string_view command_name, const parsed_flags& flags,
                                                   std::string_view name, rules::check_fn rule) {
  auto value = flags.last(name);
  if (!value) return fail(command_name, std::string(name) + " is required");
  if (auto e = check_value(command_name, name, rule, *value)) return *e;
  return *value;
}

constexpr std::array<flag_spec, 2> enterprise_list_flags{{{"--enterprise"}, {"--db"}}};

result parse_enterprise_add(std::string_view name, args_view args, const env_lookup& env) {
  static constexpr std::array<flag_spec, 2> specs{{{"--short-code"}, {"--db"}}};
  auto parsed = parse_flags(name, args, specs);
  if (auto* e = std::get_if<cli_error>(&parsed)) return *e;
  const auto& flags = std::get<parsed_flags>(parsed);
  if (flags.positionals.empty()) return fail(name, "missing SLUG");
  if (flags.positionals.size() > 1) return fail(name, "unexpected argument " + rules::quoted(flags.positionals[1]));

  enterprise_add_cmd cmd;
  cmd.slug = flags.positionals.front();
  if (auto e = check_value(name, "SLUG", rules::check_slug, cmd.slug)) return *e;
  auto code = required_flag(name, flags, "--short-code", rules::check_short_code);
  if (auto* e = std::get_if<cli_error>(&code)) return *e;
  cmd.short_code = std::get<std::string>(std::move(code));
  auto db = db_flag(name, flags, env);
  if (auto* e = std::get_if<cli_error>(&db)) return *e;
  cmd.db = std::get<std::string>(std::move(db));
  return cmd;
}

result parse_token_add(std::string_view name, args_view args, const env_lookup& env) {
  static constexpr std::array<flag_spec, 4> specs{{{"--enterprise"}, {"--org"}, {"--scope"}, {"--db"}}};
  auto parsed = parse_flags(name, args, specs);
  if (auto* e = std::get_if<cli_error>(&parsed)) return *e;
  const auto& flags = std::get<parsed_flags>(parsed);
  if (auto e = no_positionals(name, flags)) return *e;

  token_add_cmd cmd;
  if (auto org = flags.last("--org")) {
    if (flags.last("--enterprise")) return fail(name, "--enterprise and --org exclude each other");
    if (auto e = check_value(name, "--org", rules::check_org_login, *org)) return *e;
    cmd.org = *org;
  } else {
    auto enterprise = required_flag(name, flags, "--enterprise", rules::check_slug);
    if (auto* e = std::get_if<cli_error>(&enterprise)) return *e;
    cmd.enterprise = std::get<std::string>(std::move(enterprise));
  }
  for (const auto& scope : flags.all("--scope")) {
    if (auto e = check_value(name, "--scope", check_scope, scope)) return *e;
    if (std::ranges::find(cmd.scopes, scope) == cmd.scopes.end()) cmd.scopes.push_back(scope);
  }
  if (cmd.scopes.empty()) cmd.scopes = {cmd.org ? "admin:org" : "admin:enterprise"};
  auto db = db_flag(name, flags, env);
  if (auto* e = std::get_if<cli_error>(&db)) return *e;
  cmd.db = std::get<std::string>(std::move(db));
  return cmd;
}

template <typename Cmd>
result parse_list(std::string_view name, args_view args, const env_lookup& env) {
  auto parsed = parse_flags(name, args, enterprise_list_flags);
  if (auto* e = std::get_if<cli_error>(&parsed)) return *e;
  const auto& flags = std::get<parsed_flags>(parsed);
  if (auto e = no_positionals(name, flags)) return *e;

  Cmd cmd;
  auto enterprise = required_flag(name, flags, "--enterprise", rules::check_slug);
  if (auto* e = std::get_if<cli_error>(&enterprise)) return *e;
  cmd.enterprise = std::get<std::string>(std::move(enterprise));
  auto db = db_flag(name, flags, env);
  if (auto* e = std::get_if<cli_error>(&db)) return *e;
  cmd.db = std::get<std::string>(std::move(db));
  return cmd;
}

result parse_org_add(std::string_view name, args_view args, const env_lookup& env) {
  static constexpr std::array<flag_spec, 3> specs{{{"--enterprise"}, {"--sso", false}, {"--db"}}};
  auto parsed = parse_flags(name, args, specs);
  if (auto* e = std::get_if<cli_error>(&parsed)) return *e;
  const auto& flags = std::get<parsed_flags>(parsed);
  if (flags.positionals.empty()) return fail(name, "missing ORG");
  if (flags.positionals.size() > 1) return fail(name, "unexpected argument " + rules::quoted(flags.positionals[1]));

  org_add_cmd cmd;
  cmd.login = flags.positionals.front();
  if (auto e = check_value(name, "ORG", rules::check_org_login, cmd.login)) return *e;
  const bool sso = flags.has("--sso");
  if (auto enterprise = flags.last("--enterprise")) {
    if (sso) return fail(name, "--enterprise and --sso exclude each other");
    if (auto e = check_value(name, "--enterprise", rules::check_slug, *enterprise)) return *e;
    cmd.enterprise = *enterprise;
  } else if (!sso) {
    return fail(name, "--enterprise SLUG or --sso is required");
  }
  auto db = db_flag(name, flags, env);
  if (auto* e = std::get_if<cli_error>(&db)) return *e;
  cmd.db = std::get<std::string>(std::move(db));
  return cmd;
}

result parse_org_accept(std::string_view name, args_view args, const env_lookup& env) {
  static constexpr std::array<flag_spec, 3> specs{{{"--email"}, {"--login"}, {"--db"}}};
  auto parsed = parse_flags(name, args, specs);
  if (auto* e = std::get_if<cli_error>(&parsed)) return *e;
  const auto& flags = std::get<parsed_flags>(parsed);
  if (flags.positionals.empty()) return fail(name, "missing ORG");
  if (flags.positionals.size() > 1) return fail(name, "unexpected argument " + rules::quoted(flags.positionals[1]));

  org_accept_cmd cmd;
  cmd.org = flags.positionals.front();
  if (auto e = check_value(name, "ORG", rules::check_org_login, cmd.org)) return *e;
  auto email = required_flag(name, flags, "--email", rules::check_path);
  if (auto* e = std::get_if<cli_error>(&email)) return *e;
  cmd.email = std::get<std::string>(std::move(email));
  auto login = required_flag(name, flags, "--login", rules::check_org_login);
  if (auto* e = std::get_if<cli_error>(&login)) return *e;
  cmd.login = std::get<std::string>(std::move(login));
  auto db = db_flag(name, flags, env);
  if (auto* e = std::get_if<cli_error>(&db)) return *e;
  cmd.db = std::get<std::string>(std::move(db));
  return cmd;
}

result parse_orgs_list(std::string_view name, args_view args, const env_lookup& env) {
  auto parsed = parse_flags(name, args, enterprise_list_flags);
  if (auto* e = std::get_if<cli_error>(&parsed)) return *e;
  const auto& flags = std::get<parsed_flags>(parsed);
  if (auto e = no_positionals(name, flags)) return *e;
  orgs_list_cmd cmd;
  if (auto enterprise = flags.last("--enterprise")) {
    if (auto e = check_value(name, "--enterprise", rules::check_slug, *enterprise)) return *e;
    cmd.enterprise = *enterprise;
  }
  auto db = db_flag(name, flags, env);
  if (auto* e = std::get_if<cli_error>(&db)) return *e;
  cmd.db = std::get<std::string>(std::move(db));
  return cmd;
}

result parse_cert_self_signed(std::string_view name, args_view args, const env_lookup& /*env*/) {
  static constexpr std::array<flag_spec, 2> specs{{{"--out"}, {"--host"}}};
  auto parsed = parse_flags(name, args, specs);
  if (auto* e = std::get_if<cli_error>(&parsed)) return *e;
  const auto& flags = std::get<parsed_flags>(parsed);
  if (auto e = no_positionals(name, flags)) return *e;

  cert_self_signed_cmd cmd;
  auto out = required_flag(name, flags, "--out", rules::check_path);
  if (auto* e = std::get_if<cli_error>(&out)) return *e;
  cmd.out_dir = std::get<std::string>(std::move(out));
  for (const auto& host : flags.all("--host")) {
    if (auto e = check_value(name, "--host", check_host, host)) return *e;
    if (std::ranges::find(cmd.hosts, host) == cmd.hosts.end()) cmd.hosts.push_back(host);
  }
  return cmd;
}

// ---------------------------------------------------------------------------------------------
// replay
// ---------------------------------------------------------------------------------------------
constexpr std::string_view replay_name = "replay";

result parse_replay(args_view args, const env_lookup& env) {
  if (wants_help(args)) return help_cmd{std::string(replay_help)};
  static constexpr std::array<flag_spec, 8> specs{{{"--target"},
                                                  {"--token"},
                                                  {"--admin-token"},
                                                  {"--report"},
                                                  {"--cacert"},
                                                  {"--insecure", false},
                                                  {"--keep", false},
                                                  {"--list", false}}};
  auto parsed = parse_flags(replay_name, args, specs);
  if (auto* e = std::get_if<cli_error>(&parsed)) return *e;
  const auto& flags = std::get<parsed_flags>(parsed);
  replay_cmd cmd;
  if (flags.has("--list")) {
    if (flags.flags.size() > 1 || !flags.positionals.empty()) return fail(replay_name, "--list takes nothing else");
    cmd.list = true;
    return cmd;
  }
  if (flags.positionals.empty()) {
    return fail(replay_name, "missing FILE or CYCLE (try 'emuscim replay --list' for the built-in cycles)");
  }
  cmd.sources = flags.positionals;
  auto target = required_flag(replay_name, flags, "--target", rules::check_url);
  if (auto* e = std::get_if<cli_error>(&target)) return *e;
  cmd.target = std::get<std::string>(std::move(target));
  auto token = flags.last("--token");
  if (!token) token = get_env(env, "EMUSCIM_REPLAY_TOKEN");
  if (!token) return fail(replay_name, "--token (or EMUSCIM_REPLAY_TOKEN) is required");
  if (auto e = check_value(replay_name, "--token", rules::check_token, *token)) return *e;
  cmd.token = *token;
  auto admin = flags.last("--admin-token");
  if (!admin) admin = get_env(env, "EMUSCIM_REPLAY_ADMIN_TOKEN");
  if (admin) {
    if (auto e = check_value(replay_name, "--admin-token", rules::check_token, *admin)) return *e;
    cmd.admin_token = *admin;
  }
  if (auto report = flags.last("--report")) {
    if (*report != "json" && *report != "text") {
      return fail(replay_name, "--report: expected text or json, got " + rules::quoted(*report));
    }
    cmd.json_report = *report == "json";
  }
  if (auto ca = flags.last("--cacert")) {
    if (auto e = check_value(replay_name, "--cacert", rules::check_path, *ca)) return *e;
    cmd.ca_file = *ca;
  }
  cmd.insecure = flags.has("--insecure");
  cmd.keep = flags.has("--keep");
  return cmd;
}

// ---------------------------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------------------------
struct subcommand {
  std::string_view group;  // "token"
  std::string_view name;   // "add"
  std::string_view full;   // "token add", as used in messages
  std::string_view summary;
  std::string_view help;
  result (*parse)(std::string_view, args_view, const env_lookup&);
};

constexpr std::array<subcommand, 8> subcommands{{
    {"enterprise", "add", "enterprise add", "Create an enterprise", enterprise_add_help, parse_enterprise_add},
    {"org", "add", "org add", "Create an organization (an enterprise's, or standalone with SSO)", org_add_help,
     parse_org_add},
    {"org", "accept-invitation", "org accept-invitation", "Accept an organization invitation as a personal account",
     org_accept_help, parse_org_accept},
    {"orgs", "list", "orgs list", "List organizations", orgs_list_help, parse_orgs_list},
    {"token", "add", "token add", "Issue a bearer token for an enterprise or an organization", token_add_help,
     parse_token_add},
    {"users", "list", "users list", "List an enterprise's users", users_list_help, parse_list<users_list_cmd>},
    {"groups", "list", "groups list", "List an enterprise's groups", groups_list_help, parse_list<groups_list_cmd>},
    {"cert", "self-signed", "cert self-signed", "Write a self-signed TLS certificate and key", cert_self_signed_help,
     parse_cert_self_signed},
}};

bool is_group(std::string_view word) { return std::ranges::find(subcommands, word, &subcommand::group) != subcommands.end(); }

std::string group_help(std::string_view group) {
  std::string text = "Usage: emuscim " + std::string(group) + " SUBCOMMAND [OPTIONS]\n\nSubcommands:\n";
  for (const auto& sub : subcommands) {
    if (sub.group != group) continue;
    std::string line = "  " + std::string(sub.name);
    line.resize(std::max<std::size_t>(line.size() + 2, 16), ' ');
    text += line + std::string(sub.summary) + "\n";
  }
  text += "\nRun 'emuscim " + std::string(group) + " SUBCOMMAND --help' for its options.\n";
  return text;
}

std::string expected_subcommands(std::string_view group) {
  std::string names;
  for (const auto& sub : subcommands) {
    if (sub.group != group) continue;
    names += (names.empty() ? "'" : ", '") + std::string(sub.name) + "'";
  }
  return names;
}

result parse_group(std::string_view group, args_view args, const env_lookup& env) {
  if (args.empty() || args.front().starts_with('-')) {
    if (wants_help(args)) return help_cmd{group_help(group)};
    return fail(group, "missing subcommand (expected " + expected_subcommands(group) + ")");
  }
  for (const auto& sub : subcommands) {
    if (sub.group != group || sub.name != args.front()) continue;
    const auto rest = args.subspan(1);
    if (wants_help(rest)) return help_cmd{std::string(sub.help)};
    return sub.parse(sub.full, rest, env);
  }
  return fail(group, "unknown subcommand " + rules::quoted(args.front()) + " (expected " +
                         expected_subcommands(group) + ")");
}

}  // namespace

env_lookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    // getenv is safe here: emuscim reads its environment before starting threads and never
    // calls setenv.
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::variant<command, cli_error> parse_command_line(const std::vector<std::string>& args, const env_lookup& env) {
  if (args.empty()) return fail("", "missing command (try 'emuscim --help')");
  const std::string& first = args.front();
  const args_view rest = args_view(args).subspan(1);

  if (is_help(first)) return help_cmd{std::string(top_help)};
  if (first == "--version") {
    if (!rest.empty()) return fail("", "unexpected argument " + rules::quoted(rest.front()));
    return version_cmd{};
  }
  if (first == "help") {
    // "emuscim help token add" is "emuscim token add --help".
    if (rest.empty()) return help_cmd{std::string(top_help)};
    const auto flag = std::ranges::find_if(rest, [](const std::string& a) { return a.starts_with('-'); });
    if (flag != rest.end()) return fail("help", "unexpected argument " + rules::quoted(*flag));
    std::vector<std::string> as_flag(rest.begin(), rest.end());
    as_flag.emplace_back("--help");
    return parse_command_line(as_flag, env);
  }
  if (first.starts_with('-')) return fail("", "unknown flag '" + first.substr(0, first.find('=')) + "'");
  if (first == "serve") return parse_serve(rest, env);
  if (first == "replay") return parse_replay(rest, env);
  if (is_group(first)) return parse_group(first, rest, env);
  return fail("", "unknown command " + rules::quoted(first));
}

}  // namespace emuscim::app
