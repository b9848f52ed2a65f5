#include "emuscim/app/commands.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>

#include "emuscim/auth/token.hpp"
#include "emuscim/emu/login.hpp"
#include "emuscim/http/admin.hpp"
#include "emuscim/http/faults.hpp"
#include "emuscim/http/log.hpp"
#include "emuscim/http/metrics.hpp"
#include "emuscim/http/router.hpp"
#include "emuscim/http/server.hpp"
#include "emuscim/service/groups_service.hpp"
#include "emuscim/service/users_service.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/repo.hpp"
#include "emuscim/tls/tls.hpp"

namespace emuscim::app {

namespace {

constexpr const char* kVersion = "emuscim 0.1.0";

class command_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class T>
T unwrap(scim::result<T> r) {
  if (!r) throw command_error(r.error().detail);
  return std::move(*r);
}

store::enterprise_row ensure_enterprise(store::database& db, const std::string& slug, const std::string& code) {
  return unwrap(db.write_sync<store::enterprise_row>([&](store::write_context& w) -> scim::result<store::enterprise_row> {
    auto [row, created] = store::ensure_enterprise(w.db, slug, code, w.now);
    if (!created && row.short_code != code) {
      return scim::fail(scim::bad_request("enterprise '" + slug + "' already exists with short code '" +
                                          row.short_code + "', not '" + code + "'"));
    }
    return row;
  }));
}

store::enterprise_row require_enterprise(store::database& db, const std::string& slug) {
  auto row = db.read([&](store::connection& c) { return store::find_enterprise(c, slug); });
  if (!row) throw command_error("enterprise '" + slug + "' does not exist (create it with: emuscim enterprise add)");
  return *row;
}

void bootstrap(store::database& db, const config& cfg) {
  for (const auto& seed : cfg.enterprises) {
    auto ent = ensure_enterprise(db, seed.slug, seed.short_code);
    for (const auto& token : seed.tokens) {
      auto hash = auth::hash_token(token);
      unwrap(db.write_sync<bool>([&](store::write_context& w) -> scim::result<bool> {
        store::insert_token(w.db, ent.id, hash, {"admin:enterprise"}, std::string("bootstrap"), w.now);
        return true;
      }));
    }
    spdlog::info("{}", http::log_line("enterprise ready", {{"enterprise", ent.slug}, {"short_code", ent.short_code},
                                                            {"bootstrap_tokens", seed.tokens.size()}}));
  }
}

int enterprise_add(const enterprise_add_cmd& cmd) {
  store::database db({cmd.db});
  auto before = db.read([&](store::connection& c) { return store::find_enterprise(c, cmd.slug); });
  auto row = ensure_enterprise(db, cmd.slug, cmd.short_code);
  std::printf("enterprise %s (short code %s) %s\n", row.slug.c_str(), row.short_code.c_str(),
              before ? "already exists" : "created");
  return 0;
}

int token_add(const token_add_cmd& cmd) {
  store::database db({cmd.db});
  auto ent = require_enterprise(db, cmd.enterprise);
  auto token = auth::generate_token();
  auto hash = auth::hash_token(token);
  unwrap(db.write_sync<bool>([&](store::write_context& w) -> scim::result<bool> {
    store::insert_token(w.db, ent.id, hash, cmd.scopes, std::nullopt, w.now);
    return true;
  }));
  std::printf("%s\n", token.c_str());
  return 0;
}

int users_list(const users_list_cmd& cmd) {
  store::database db({cmd.db});
  auto ent = require_enterprise(db, cmd.enterprise);
  std::int64_t after = 0;
  for (;;) {
    auto page = db.read([&](store::connection& c) { return store::list_users(c, ent.id, 0, 500, after); });
    for (const auto& u : page.rows) {
      std::printf("%s\t%s\t%s\t%s\t%s\n", u.id.c_str(), u.user_name.c_str(), u.current_login.c_str(),
                  u.active ? "active" : "suspended", u.role ? u.role->c_str() : "-");
    }
    if (page.rows.size() < 500) break;
    after = page.last_seq;
  }
  return 0;
}

int groups_list(const groups_list_cmd& cmd) {
  store::database db({cmd.db});
  auto ent = require_enterprise(db, cmd.enterprise);
  std::int64_t after = 0;
  for (;;) {
    auto page = db.read([&](store::connection& c) { return store::list_groups(c, ent.id, 0, 500, after); });
    for (const auto& g : page.rows) {
      std::printf("%s\t%s\t%s\tmembers=%lld\n", g.id.c_str(), g.display_name.c_str(),
                  g.external_id ? g.external_id->c_str() : "-", static_cast<long long>(g.member_count));
    }
    if (page.rows.size() < 500) break;
    after = page.last_seq;
  }
  return 0;
}

int cert_self_signed(const cert_self_signed_cmd& cmd) {
  auto files = tls::write_self_signed(cmd.out_dir, cmd.hosts);
  std::printf("certificate: %s\nkey: %s\n", files.cert.c_str(), files.key.c_str());
  return 0;
}

}  // namespace

int serve(const serve_cmd& cmd) {
  const config& cfg = cmd.cfg;
  if (cmd.print_config) {
    std::printf("%s\n", print_config(cfg).c_str());
    return 0;
  }
  http::configure_logging(cfg.log_format == "json" ? http::log_format::json : http::log_format::text, cfg.log_level);

  std::string host;
  std::uint16_t port = 0;
  if (!split_listen(cfg.listen, host, port)) throw command_error("listen: cannot parse '" + cfg.listen + "'");

  store::database db({.path = cfg.db, .json_log = cfg.log_format == "json"});
  bootstrap(db, cfg);

  service::service_options sopts;
  sopts.mode = cfg.strict ? scim::validation_mode::strict : scim::validation_mode::lenient;
  sopts.login_rules.max_length = cfg.ghe_com ? 30 : 39;
  sopts.group_patch_no_content = cfg.group_patch_no_content;
  service::users_service users(db, sopts);
  service::groups_service groups(db, sopts);

  http::router_options ropts;
  ropts.strict = cfg.strict;
  ropts.require_user_agent = cfg.require_user_agent;
  ropts.errors.integer_status = cfg.integer_error_status;
  ropts.public_url = cfg.public_url;
  ropts.rate_limit = {cfg.rate_limit.enabled, cfg.rate_limit.requests_per_hour, cfg.rate_limit.user_creations_per_hour};
  http::router router(db, users, groups, ropts);

  // Metrics, fault injection and the admin API hang off the router's hooks; all outlive server.run().
  http::http_metrics metrics;
  router.set_observer([&metrics](const http::request_record& r) { metrics.observe(r); });
  http::fault_injector faults;
  router.set_fault_hook([&faults](std::string_view enterprise) { return faults.decide(enterprise); });
  http::admin_options aopts;
  aopts.admin_token = cfg.admin_token;
  aopts.errors = ropts.errors;
  aopts.public_url = cfg.public_url;
  http::admin_routes extension(db, router.limiter(), faults, metrics, aopts);
  router.set_extension(&extension);

  http::server_options hopts;
  hopts.host = host;
  hopts.port = port;
  hopts.threads = cfg.threads;
  hopts.body_limit = cfg.body_limit;
  hopts.header_limit = cfg.header_limit;
  hopts.max_connections = cfg.max_connections;
  hopts.header_timeout = std::chrono::milliseconds(cfg.header_timeout_ms);
  hopts.body_timeout = std::chrono::milliseconds(cfg.body_timeout_ms);
  hopts.idle_timeout = std::chrono::milliseconds(cfg.idle_timeout_ms);
  hopts.write_timeout = std::chrono::milliseconds(cfg.write_timeout_ms);
  hopts.tls_cert_file = cfg.tls_cert;
  hopts.tls_key_file = cfg.tls_key;
  http::server server(hopts, router);
  extension.set_open_connections([&server] { return server.open_connections(); });

  boost::asio::signal_set signals(server.io_context(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("{}", http::log_line("stopping", {{"signal", sig}}));
    server.stop();
  });

  auto ep = server.local_endpoint();
  std::string addr = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  spdlog::info("{}", http::log_line("listening on " + std::string(cfg.tls_cert ? "https" : "http") + "://" + addr +
                                        ":" + std::to_string(ep.port()),
                                    {{"db", cfg.db},
                                     {"schema_version", db.schema_version()},
                                     {"admin_api", cfg.admin_token ? "on" : "off"}}));
  server.run();
  signals.cancel();
  spdlog::info("{}", http::log_line("stopped"));
  return 0;
}

int run(const command& cmd) {
  return std::visit(
      [](const auto& c) -> int {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, help_cmd>) {
          std::printf("%s", c.text.c_str());
          if (!c.text.empty() && c.text.back() != '\n') std::printf("\n");
          return 0;
        } else if constexpr (std::is_same_v<T, version_cmd>) {
          std::printf("%s\n", kVersion);
          return 0;
        } else if constexpr (std::is_same_v<T, serve_cmd>) {
          return serve(c);
        } else if constexpr (std::is_same_v<T, enterprise_add_cmd>) {
          return enterprise_add(c);
        } else if constexpr (std::is_same_v<T, token_add_cmd>) {
          return token_add(c);
        } else if constexpr (std::is_same_v<T, users_list_cmd>) {
          return users_list(c);
        } else if constexpr (std::is_same_v<T, groups_list_cmd>) {
          return groups_list(c);
        } else {
          return cert_self_signed(c);
        }
      },
      cmd);
}

}  // namespace emuscim::app
