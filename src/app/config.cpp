#include "emuscim/app/config.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/config_rules.hpp"
#include "emuscim/emu/login.hpp"
#include "emuscim/emu/names.hpp"

namespace emuscim::app {

// ---------------------------------------------------------------------------------------------
// Value rules
// ---------------------------------------------------------------------------------------------
namespace rules {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || is_digit(c); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

// RFC 1123 host name or dotted-quad IPv4. A name made only of digits and dots must be a valid
// IPv4 address, so "999.1.1.1" is caught here rather than at bind time.
bool is_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  bool numeric = true;
  std::size_t start = 0;
  for (;;) {
    const auto dot = host.find('.', start);
    const auto label = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!is_alnum(c) && c != '-') return false;
      if (!is_digit(c)) numeric = false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!numeric) return true;
  in_addr addr{};
  return inet_pton(AF_INET, std::string(host).c_str(), &addr) == 1;
}

bool parse_port(std::string_view text, std::uint16_t& port) {
  if (text.empty() || text.size() > 5 || !std::ranges::all_of(text, is_digit)) return false;
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

std::string quoted(std::string_view value) {
  constexpr std::size_t max_shown = 80;
  std::string out = "'";
  for (char c : value.substr(0, max_shown)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (value.size() > max_shown) out += "...";
  out += '\'';
  return out;
}

std::optional<std::string> check_listen(std::string_view value) {
  std::string host;
  std::uint16_t port = 0;
  if (split_listen(std::string(value), host, port)) return std::nullopt;
  return "expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got " + quoted(value);
}

std::optional<std::string> check_log_level(std::string_view value) {
  for (std::string_view level : {"trace", "debug", "info", "warn", "error", "off"}) {
    if (value == level) return std::nullopt;
  }
  return "expected trace, debug, info, warn, error or off, got " + quoted(value);
}

std::optional<std::string> check_log_format(std::string_view value) {
  if (value == "text" || value == "json") return std::nullopt;
  return "expected text or json, got " + quoted(value);
}

std::optional<std::string> check_slug(std::string_view value) {
  if (emu::valid_enterprise_slug(value)) return std::nullopt;
  return "expected " + std::string(emu::enterprise_slug_rule) + ", got " + quoted(value);
}

std::optional<std::string> check_short_code(std::string_view value) {
  if (emu::valid_short_code(value)) return std::nullopt;
  return "expected " + std::string(emu::short_code_rule) + ", got " + quoted(value);
}

std::optional<std::string> check_org_login(std::string_view value) {
  if (emu::valid_org_login(value)) return std::nullopt;
  return "expected " + std::string(emu::org_login_rule) + ", got " + quoted(value);
}

std::optional<std::string> check_path(std::string_view value) {
  if (!value.empty()) return std::nullopt;
  return "must not be empty";
}

std::optional<std::string> check_token(std::string_view value) {
  // A trailing newline from a secrets file is the usual way a token goes wrong; say so
  // without echoing the token.
  if (!value.empty() && std::ranges::all_of(value, [](char c) { return c > 0x20 && c < 0x7f; })) {
    return std::nullopt;
  }
  return "expected a non-empty token of printable ASCII without blanks";
}

std::optional<std::string> check_url(std::string_view value) {
  std::string_view rest;
  if (value.starts_with("http://")) {
    rest = value.substr(7);
  } else if (value.starts_with("https://")) {
    rest = value.substr(8);
  } else {
    return "expected an http:// or https:// URL, got " + quoted(value);
  }
  if (rest.empty() || rest.front() == '/' ||
      !std::ranges::all_of(rest, [](char c) { return c > 0x20 && c < 0x7f; })) {
    return "expected an http:// or https:// URL, got " + quoted(value);
  }
  return std::nullopt;
}

}  // namespace rules

bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port) {
  const std::string_view text = listen;
  std::string_view host_part;
  std::string_view port_part;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    host_part = text.substr(1, close - 1);
    port_part = text.substr(close + 2);
    in6_addr addr{};
    if (host_part.empty() || inet_pton(AF_INET6, std::string(host_part).c_str(), &addr) != 1) return false;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    host_part = text.substr(0, colon);
    port_part = text.substr(colon + 1);
    if (!rules::is_host(host_part)) return false;  // also rejects an unbracketed IPv6 address
  }
  std::uint16_t parsed = 0;
  if (!rules::parse_port(port_part, parsed)) return false;
  host = host_part;
  port = parsed;
  return true;
}

// ---------------------------------------------------------------------------------------------
// JSON file
// ---------------------------------------------------------------------------------------------
namespace {

using json = nlohmann::json;

// Thrown and caught inside this file only: it lets the per-key readers below read straight
// through; the public functions still return errors as values.
struct config_error {
  std::string message;
};

std::string pointer_token(std::string_view key) {  // RFC 6901 §3 escaping
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

[[noreturn]] void fail(const std::string& path, std::string_view what) {
  throw config_error{"config: " + (path.empty() ? std::string("top level") : path) + ": " + std::string(what)};
}

void check(const std::string& path, rules::check_fn rule, std::string_view value) {
  if (rule == nullptr) return;
  if (auto problem = rule(value)) fail(path, *problem);
}

using field_reader = std::function<void(const json&, const std::string&)>;
struct field {
  std::string_view key;
  field_reader read;
};

// Keys are visited in the object's (sorted) order, so the first problem reported is stable.
void read_object(const json& value, const std::string& path, std::initializer_list<field> fields) {
  if (!value.is_object()) fail(path, "expected an object");
  for (const auto& [key, member] : value.items()) {
    const std::string at = path + "/" + pointer_token(key);
    const auto* it = std::ranges::find(fields, std::string_view(key), &field::key);
    if (it == fields.end()) fail(at, "unknown key");
    it->read(member, at);
  }
}

std::string read_string(const json& value, const std::string& path) {
  if (!value.is_string()) fail(path, "expected a string");
  return value.get<std::string>();
}

template <typename T>
T read_unsigned(const json& value, const std::string& path, std::uint64_t min, std::uint64_t max) {
  if (!value.is_number_unsigned()) fail(path, "expected an unsigned integer");
  const auto n = value.get<std::uint64_t>();
  if (n < min) fail(path, "must be at least " + std::to_string(min));
  if (n > max) fail(path, "must be at most " + std::to_string(max));
  return static_cast<T>(n);
}

field string_field(std::string_view key, std::string& target, rules::check_fn rule) {
  return {key, [&target, rule](const json& value, const std::string& path) {
            target = read_string(value, path);
            check(path, rule, target);
          }};
}

// null means "not set", so print_config's output reads back.
field optional_string_field(std::string_view key, std::optional<std::string>& target, rules::check_fn rule) {
  return {key, [&target, rule](const json& value, const std::string& path) {
            if (value.is_null()) {
              target.reset();
              return;
            }
            if (!value.is_string()) fail(path, "expected a string or null");
            target = value.get<std::string>();
            check(path, rule, *target);
          }};
}

field bool_field(std::string_view key, bool& target) {
  return {key, [&target](const json& value, const std::string& path) {
            if (!value.is_boolean()) fail(path, "expected a boolean");
            target = value.get<bool>();
          }};
}

template <typename T>
field unsigned_field(std::string_view key, T& target, std::uint64_t min = 0,
                     std::uint64_t max = std::numeric_limits<T>::max()) {
  return {key, [&target, min, max](const json& value, const std::string& path) {
            target = read_unsigned<T>(value, path, min, max);
          }};
}

field custom_field(std::string_view key, field_reader read) { return {key, std::move(read)}; }

std::vector<std::string> read_tokens(const json& value, const std::string& path) {
  if (!value.is_array()) fail(path, "expected an array");
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = path + "/" + std::to_string(i);
    auto token = read_string(value[i], at);
    check(at, rules::check_token, token);
    if (std::ranges::find(tokens, token) == tokens.end()) tokens.push_back(std::move(token));
  }
  return tokens;
}

std::vector<std::string> read_org_logins(const json& value, const std::string& path) {
  if (!value.is_array()) fail(path, "expected an array of organization logins");
  std::vector<std::string> logins;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = path + "/" + std::to_string(i);
    auto login = read_string(value[i], at);
    check(at, rules::check_org_login, login);
    if (std::ranges::find(logins, login) == logins.end()) logins.push_back(std::move(login));
  }
  return logins;
}

std::vector<org_seed> read_orgs(const json& value, const std::string& path) {
  if (!value.is_array()) fail(path, "expected an array");
  std::vector<org_seed> seeds;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = path + "/" + std::to_string(i);
    org_seed seed;
    bool has_login = false;
    read_object(value[i], at,
                {{"login",
                  [&](const json& member, const std::string& member_path) {
                    seed.login = read_string(member, member_path);
                    check(member_path, rules::check_org_login, seed.login);
                    has_login = true;
                  }},
                 {"tokens", [&](const json& member, const std::string& member_path) {
                    seed.tokens = read_tokens(member, member_path);
                  }}});
    if (!has_login) fail(at + "/login", "missing required key");
    seeds.push_back(std::move(seed));
  }
  return seeds;
}

std::vector<enterprise_seed> read_enterprises(const json& value, const std::string& path) {
  if (!value.is_array()) fail(path, "expected an array");
  std::vector<enterprise_seed> seeds;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = path + "/" + std::to_string(i);
    enterprise_seed seed;
    bool has_slug = false;
    bool has_short_code = false;
    read_object(value[i], at,
                {{"slug",
                  [&](const json& member, const std::string& member_path) {
                    seed.slug = read_string(member, member_path);
                    check(member_path, rules::check_slug, seed.slug);
                    has_slug = true;
                  }},
                 {"short_code",
                  [&](const json& member, const std::string& member_path) {
                    seed.short_code = read_string(member, member_path);
                    check(member_path, rules::check_short_code, seed.short_code);
                    has_short_code = true;
                  }},
                 {"tokens", [&](const json& member, const std::string& member_path) {
                    seed.tokens = read_tokens(member, member_path);
                  }},
                 {"orgs", [&](const json& member, const std::string& member_path) {
                    seed.orgs = read_org_logins(member, member_path);
                  }}});
    if (!has_slug) fail(at + "/slug", "missing required key");
    if (!has_short_code) fail(at + "/short_code", "missing required key");
    for (std::size_t j = 0; j < seeds.size(); ++j) {
      const std::string other = path + "/" + std::to_string(j);
      if (seeds[j].slug == seed.slug) fail(at + "/slug", "slug " + rules::quoted(seed.slug) + " already used by " + other);
      if (seeds[j].short_code == seed.short_code) {
        fail(at + "/short_code", "short code " + rules::quoted(seed.short_code) + " already used by " + other);
      }
      for (std::size_t k = 0; k < seed.tokens.size(); ++k) {
        if (std::ranges::find(seeds[j].tokens, seed.tokens[k]) != seeds[j].tokens.end()) {
          fail(at + "/tokens/" + std::to_string(k), "token already belongs to " + other);
        }
      }
    }
    seeds.push_back(std::move(seed));
  }
  return seeds;
}

config from_json(const json& root) {
  config cfg;
  read_object(
      root, "",
      {string_field("listen", cfg.listen, rules::check_listen),
       unsigned_field("threads", cfg.threads, 0, rules::max_threads),
       string_field("db", cfg.db, rules::check_path),
       custom_field("tls",
                    [&cfg](const json& value, const std::string& path) {
                      read_object(value, path,
                                  {optional_string_field("cert", cfg.tls_cert, rules::check_path),
                                   optional_string_field("key", cfg.tls_key, rules::check_path)});
                    }),
       custom_field("limits",
                    [&cfg](const json& value, const std::string& path) {
                      read_object(value, path,
                                  {unsigned_field("body_bytes", cfg.body_limit, rules::min_body_bytes),
                                   unsigned_field("header_bytes", cfg.header_limit, rules::min_header_bytes),
                                   unsigned_field("max_connections", cfg.max_connections, 1)});
                    }),
       custom_field("timeouts",
                    [&cfg](const json& value, const std::string& path) {
                      read_object(value, path,
                                  {unsigned_field("header_ms", cfg.header_timeout_ms, 1),
                                   unsigned_field("body_ms", cfg.body_timeout_ms, 1),
                                   unsigned_field("idle_ms", cfg.idle_timeout_ms, 1),
                                   unsigned_field("write_ms", cfg.write_timeout_ms, 1)});
                    }),
       custom_field("log",
                    [&cfg](const json& value, const std::string& path) {
                      read_object(value, path,
                                  {string_field("level", cfg.log_level, rules::check_log_level),
                                   string_field("format", cfg.log_format, rules::check_log_format)});
                    }),
       optional_string_field("admin_token", cfg.admin_token, rules::check_token),
       bool_field("strict", cfg.strict),
       bool_field("ghe_com", cfg.ghe_com),
       custom_field("compat",
                    [&cfg](const json& value, const std::string& path) {
                      read_object(value, path,
                                  {bool_field("group_patch_204", cfg.group_patch_no_content),
                                   bool_field("integer_error_status", cfg.integer_error_status),
                                   bool_field("require_user_agent", cfg.require_user_agent)});
                    }),
       custom_field("public_url",
                    [&cfg](const json& value, const std::string& path) {
                      optional_string_field("public_url", cfg.public_url, rules::check_url).read(value, path);
                      // meta.location appends "/scim/v2/...", so a trailing slash would double up.
                      while (cfg.public_url && cfg.public_url->ends_with('/')) cfg.public_url->pop_back();
                    }),
       custom_field("rate_limit",
                    [&cfg](const json& value, const std::string& path) {
                      read_object(value, path,
                                  {bool_field("enabled", cfg.rate_limit.enabled),
                                   unsigned_field("requests_per_hour", cfg.rate_limit.requests_per_hour, 1),
                                   unsigned_field("user_creations_per_hour",
                                                  cfg.rate_limit.user_creations_per_hour, 1)});
                    }),
       custom_field("request_log",
                    [&cfg](const json& value, const std::string& path) {
                      read_object(value, path,
                                  {unsigned_field("capacity", cfg.request_log.capacity, 0, rules::max_request_log),
                                   unsigned_field("max_body_bytes", cfg.request_log.max_body_bytes, 0,
                                                  rules::max_request_log_body)});
                    }),
       custom_field("enterprises", [&cfg](const json& value, const std::string& path) {
         cfg.enterprises = read_enterprises(value, path);
       }),
       custom_field("orgs", [&cfg](const json& value, const std::string& path) { cfg.orgs = read_orgs(value, path); })});
  return cfg;
}

// nlohmann keeps the last of repeated keys silently; a config file that says "listen" twice
// is a mistake worth stopping for. This SAX pass only tracks where it is.
class duplicate_key_finder final : public nlohmann::json_sax<json> {
 public:
  std::optional<std::string> duplicate;  // JSON pointer of the first repeated key

  bool null() override { return element(); }
  bool boolean(bool /*value*/) override { return element(); }
  bool number_integer(number_integer_t /*value*/) override { return element(); }
  bool number_unsigned(number_unsigned_t /*value*/) override { return element(); }
  bool number_float(number_float_t /*value*/, const string_t& /*text*/) override { return element(); }
  bool string(string_t& /*value*/) override { return element(); }
  bool binary(binary_t& /*value*/) override { return element(); }
  bool start_object(std::size_t /*size*/) override {
    element();
    frames_.push_back({});
    return true;
  }
  bool key(string_t& name) override {
    auto& top = frames_.back();
    top.key = name;
    if (top.keys.insert(name).second) return true;
    duplicate = path();
    return false;
  }
  bool end_object() override {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*size*/) override {
    element();
    frame array_frame;
    array_frame.array = true;
    frames_.push_back(std::move(array_frame));
    return true;
  }
  bool end_array() override {
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::json::exception& /*error*/) override {
    return false;
  }

 private:
  struct frame {
    bool array = false;
    std::size_t index = 0;       // arrays: current element
    std::size_t next_index = 0;  // arrays: elements seen
    std::string key;             // objects: current key
    std::set<std::string> keys;  // objects: keys seen
  };

  bool element() {
    if (!frames_.empty() && frames_.back().array) frames_.back().index = frames_.back().next_index++;
    return true;
  }

  std::string path() const {
    std::string out;
    for (const auto& f : frames_) {
      out += '/';
      out += f.array ? std::to_string(f.index) : pointer_token(f.key);
    }
    return out;
  }

  std::vector<frame> frames_;
};

std::variant<config, cli_error> parse_config_text(const std::string& text, const std::string& where) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    return cli_error{"config: " + (where.empty() ? "" : where + ": ") + "invalid JSON at byte " +
                     std::to_string(e.byte)};
  }
  duplicate_key_finder finder;
  json::sax_parse(text, &finder);
  if (finder.duplicate) return cli_error{"config: " + *finder.duplicate + ": duplicate key"};
  try {
    return from_json(root);
  } catch (const config_error& e) {
    return cli_error{e.message};
  }
}

}  // namespace

std::variant<config, cli_error> parse_config_json(const std::string& text) { return parse_config_text(text, ""); }

std::variant<config, cli_error> load_config_file(const std::string& path) {
  const auto cannot_read = [&path](int err) {
    return cli_error{"config: cannot read " + path + ": " + std::error_code(err, std::generic_category()).message()};
  };
  // stdio rather than ifstream: errno is then reliable, and reading a directory fails with EISDIR.
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return cannot_read(errno);
  std::string text;
  char buffer[8192];
  for (;;) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    text.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get()) != 0) return cannot_read(errno != 0 ? errno : EIO);
  return parse_config_text(text, path);
}

std::string print_config(const config& cfg) {
  using ojson = nlohmann::ordered_json;
  const auto optional = [](const std::optional<std::string>& value) { return value ? ojson(*value) : ojson(nullptr); };
  const ojson masked = "***";

  ojson out = ojson::object();
  out["listen"] = cfg.listen;
  out["threads"] = cfg.threads;
  out["db"] = cfg.db;
  out["tls"]["cert"] = optional(cfg.tls_cert);
  out["tls"]["key"] = optional(cfg.tls_key);
  out["limits"]["body_bytes"] = cfg.body_limit;
  out["limits"]["header_bytes"] = cfg.header_limit;
  out["limits"]["max_connections"] = cfg.max_connections;
  out["timeouts"]["header_ms"] = cfg.header_timeout_ms;
  out["timeouts"]["body_ms"] = cfg.body_timeout_ms;
  out["timeouts"]["idle_ms"] = cfg.idle_timeout_ms;
  out["timeouts"]["write_ms"] = cfg.write_timeout_ms;
  out["log"]["level"] = cfg.log_level;
  out["log"]["format"] = cfg.log_format;
  out["admin_token"] = cfg.admin_token ? masked : ojson(nullptr);
  out["strict"] = cfg.strict;
  out["ghe_com"] = cfg.ghe_com;
  out["compat"]["group_patch_204"] = cfg.group_patch_no_content;
  out["compat"]["integer_error_status"] = cfg.integer_error_status;
  out["compat"]["require_user_agent"] = cfg.require_user_agent;
  out["public_url"] = optional(cfg.public_url);
  out["rate_limit"]["enabled"] = cfg.rate_limit.enabled;
  out["rate_limit"]["requests_per_hour"] = cfg.rate_limit.requests_per_hour;
  out["rate_limit"]["user_creations_per_hour"] = cfg.rate_limit.user_creations_per_hour;
  out["request_log"]["capacity"] = cfg.request_log.capacity;
  out["request_log"]["max_body_bytes"] = cfg.request_log.max_body_bytes;
  out["enterprises"] = ojson::array();
  for (const auto& seed : cfg.enterprises) {
    ojson entry = ojson::object();
    entry["slug"] = seed.slug;
    entry["short_code"] = seed.short_code;
    entry["tokens"] = ojson::array();
    for (std::size_t i = 0; i < seed.tokens.size(); ++i) entry["tokens"].push_back(masked);
    entry["orgs"] = seed.orgs;
    out["enterprises"].push_back(std::move(entry));
  }
  out["orgs"] = ojson::array();
  for (const auto& seed : cfg.orgs) {
    ojson entry = ojson::object();
    entry["login"] = seed.login;
    entry["tokens"] = ojson::array();
    for (std::size_t i = 0; i < seed.tokens.size(); ++i) entry["tokens"].push_back(masked);
    out["orgs"].push_back(std::move(entry));
  }
  return out.dump(2);
}

}  // namespace emuscim::app
