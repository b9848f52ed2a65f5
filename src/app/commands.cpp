#include "emuscim/app/commands.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>
#include <iostream>

#include "emuscim/base/text.hpp"
#include "emuscim/http/faults.hpp"
#include "emuscim/http/log.hpp"
#include "emuscim/http/metrics.hpp"
#include "emuscim/http/pipeline.hpp"
#include "emuscim/http/request_log.hpp"
#include "emuscim/http/routes.hpp"
#include "emuscim/http/server.hpp"
#include "emuscim/service/admin_service.hpp"
#include "emuscim/service/audit_log.hpp"
#include "emuscim/service/auth_service.hpp"
#include "emuscim/service/groups_service.hpp"
#include "emuscim/service/teams_service.hpp"
#include "emuscim/service/org_identity_service.hpp"
#include "emuscim/service/users_service.hpp"
#include "emuscim/store/database.hpp"
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
inline void unwrap(scim::status r) {
  if (!r) throw command_error(r.error().detail);
}

// The command line's loop: one for the process, on the main thread. It outlives every call,
// because the store's writer thread posts a write's completion into it and may still be
// signalling its condition variable after io.run() has returned here (a short-lived io_context
// was destroyed under it: ThreadSanitizer saw it).
boost::asio::io_context& sync_io() {
  static boost::asio::io_context io;
  return io;
}

// Runs a service coroutine to completion on this thread (the command line has no server loop).
template <class T>
T run_sync(boost::asio::awaitable<T> work) {
  auto& io = sync_io();
  io.restart();
  auto done = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
  io.run();
  return done.get();
}

service::enterprise_info ensure_enterprise(service::admin_service& admin, const std::string& slug,
                                           const std::string& code) {
  return unwrap(run_sync(admin.ensure_enterprise(slug, code))).first;
}

void bootstrap(service::admin_service& admin, const config& cfg) {
  for (const auto& seed : cfg.enterprises) {
    auto ent = ensure_enterprise(admin, seed.slug, seed.short_code);
    for (const auto& token : seed.tokens) {
      unwrap(run_sync(admin.create_token(ent.slug, std::nullopt, std::string("bootstrap"), token)));
    }
    for (const auto& login : seed.orgs) unwrap(run_sync(admin.ensure_org(ent.slug, login)));
    spdlog::info("{}", http::log_line("enterprise ready", {{"enterprise", ent.slug}, {"short_code", ent.short_code},
                                                            {"bootstrap_tokens", seed.tokens.size()},
                                                            {"orgs", seed.orgs}}));
  }
  for (const auto& seed : cfg.orgs) {
    auto org = unwrap(run_sync(admin.ensure_org(std::nullopt, seed.login))).first;
    for (const auto& token : seed.tokens) {
      unwrap(run_sync(admin.create_org_token(org.login, std::nullopt, std::string("bootstrap"), token)));
    }
    spdlog::info("{}", http::log_line("organization ready", {{"org", org.login}, {"sso", true},
                                                              {"bootstrap_tokens", seed.tokens.size()}}));
  }
}

int enterprise_add(const enterprise_add_cmd& cmd) {
  store::database db({cmd.db});
  service::admin_service admin(db);
  auto [row, created] = unwrap(run_sync(admin.ensure_enterprise(cmd.slug, cmd.short_code)));
  std::printf("enterprise %s (short code %s) %s\n", row.slug.c_str(), row.short_code.c_str(),
              created ? "created" : "already exists");
  return 0;
}

int token_add(const token_add_cmd& cmd) {
  store::database db({cmd.db});
  service::admin_service admin(db);
  auto minted = cmd.org ? unwrap(run_sync(admin.create_org_token(*cmd.org, cmd.scopes, std::nullopt)))
                        : unwrap(run_sync(admin.create_token(cmd.enterprise, cmd.scopes, std::nullopt)));
  std::printf("%s\n", minted.token.c_str());
  return 0;
}

int org_add(const org_add_cmd& cmd) {
  store::database db({cmd.db});
  service::admin_service admin(db);
  auto [org, created] = unwrap(run_sync(admin.ensure_org(cmd.enterprise, cmd.login)));
  std::printf("organization %s (%s) %s\n", org.login.c_str(),
              org.enterprise ? ("enterprise " + *org.enterprise).c_str() : "standalone, SAML SSO",
              created ? "created" : "already exists");
  return 0;
}

int org_accept(const org_accept_cmd& cmd) {
  store::database db({cmd.db});
  service::org_identity_service identities(db);
  auto out = unwrap(run_sync(identities.accept({}, cmd.org, {std::nullopt, cmd.email}, cmd.login)));
  std::printf("invitation %lld accepted by %s (user id %lld%s); %s of %s%s\n",
              static_cast<long long>(out.invitation.id), out.account.login.c_str(),
              static_cast<long long>(out.account.id), out.account_created ? ", new account" : "",
              out.new_member ? "now a member" : "already a member", cmd.org.c_str(),
              out.scim_user_id ? ("; linked to SCIM identity " + *out.scim_user_id).c_str() : "");
  return 0;
}

int orgs_list(const orgs_list_cmd& cmd) {
  store::database db({cmd.db});
  service::admin_service admin(db);
  auto orgs = cmd.enterprise ? unwrap(admin.enterprise_orgs(*cmd.enterprise)) : admin.orgs();
  for (const auto& o : orgs) {
    std::printf("%lld\t%s\t%s\tmembers=%lld\n", static_cast<long long>(o.id), o.login.c_str(),
                o.enterprise ? o.enterprise->c_str() : "standalone", static_cast<long long>(o.member_count));
  }
  return 0;
}

int users_list(const users_list_cmd& cmd) {
  store::database db({cmd.db});
  service::admin_service admin(db);
  unwrap(admin.for_each_user(cmd.enterprise, [](const service::managed_user& u) {
    std::string orgs;
    for (const auto& o : u.orgs) orgs += (orgs.empty() ? "" : ",") + o;
    std::printf("%s\t%s\t%s\t%s\t%s\torgs=%s\n", u.id.c_str(), u.user_name.c_str(), u.login.c_str(),
                u.active ? "active" : "suspended", u.role ? u.role->c_str() : "-", orgs.empty() ? "-" : orgs.c_str());
  }));
  return 0;
}

int groups_list(const groups_list_cmd& cmd) {
  store::database db({cmd.db});
  service::admin_service admin(db);
  unwrap(admin.for_each_group(cmd.enterprise, [](const service::admin_service::group_line& g) {
    std::printf("%s\t%s\t%s\tmembers=%lld\n", g.id.c_str(), g.display_name.c_str(),
                g.external_id ? g.external_id->c_str() : "-", static_cast<long long>(g.member_count));
  }));
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
  service::admin_service admin(db);
  bootstrap(admin, cfg);

  service::service_options sopts;
  sopts.mode = cfg.strict ? scim::validation_mode::strict : scim::validation_mode::lenient;
  sopts.login_rules.max_length = cfg.ghe_com ? 30 : 39;
  sopts.group_patch_no_content = cfg.group_patch_no_content;
  service::users_service users(db, sopts);
  service::users_service org_users(db, sopts, service::user_rules::org);
  service::org_identity_service org_identities(db);
  service::groups_service groups(db, sopts);
  service::audit_service audit(db);
  service::auth_service auth(db, cfg.admin_token);
  admin.forgets_for(auth);

  http::rate_limiter limiter({cfg.rate_limit.enabled, cfg.rate_limit.requests_per_hour,
                              cfg.rate_limit.user_creations_per_hour});
  http::fault_injector faults;
  http::http_metrics metrics;
  http::services svc{users, groups, admin, audit, auth, limiter, faults, metrics, org_users, org_identities};
  http::request_log requests(cfg.request_log.capacity, cfg.request_log.max_body_bytes);
  svc.requests = &requests;
  service::teams_service teams(db);
  svc.teams = &teams;

  http::pipeline_options popts;
  popts.strict = cfg.strict;
  popts.require_user_agent = cfg.require_user_agent;
  popts.errors.integer_status = cfg.integer_error_status;
  popts.public_url = cfg.public_url;
  http::pipeline pipeline(http::route_table(http::default_routes()), svc, popts);
  pipeline.set_observer([&metrics](const http::request_record& r) { metrics.observe(r); });

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
  http::server server(hopts, pipeline);
  svc.open_connections = [&server] { return server.open_connections(); };

  boost::asio::signal_set signals(server.io_context(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("{}", http::log_line("stopping", {{"signal", sig}}));
    server.stop();
  });

  auto ep = server.local_endpoint();
  const std::string ip = ep.address().to_string();
  const std::string addr = ep.address().is_v6() ? base::cat({"[", ip, "]"}) : ip;
  spdlog::info("{}", http::log_line(base::cat({"listening on ", cfg.tls_cert ? "https" : "http", "://", addr, ":",
                                               std::to_string(ep.port())}),
                                    {{"db", cfg.db},
                                     {"schema_version", db.schema_version()},
                                     {"admin_api", cfg.admin_token ? "on" : "off"},
                                     {"request_log", cfg.request_log.capacity}}));
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
        } else if constexpr (std::is_same_v<T, org_add_cmd>) {
          return org_add(c);
        } else if constexpr (std::is_same_v<T, orgs_list_cmd>) {
          return orgs_list(c);
        } else if constexpr (std::is_same_v<T, org_accept_cmd>) {
          return org_accept(c);
        } else if constexpr (std::is_same_v<T, users_list_cmd>) {
          return users_list(c);
        } else if constexpr (std::is_same_v<T, groups_list_cmd>) {
          return groups_list(c);
        } else if constexpr (std::is_same_v<T, replay_cmd>) {
          return replay(c);
        } else {
          return cert_self_signed(c);
        }
      },
      cmd);
}

}  // namespace emuscim::app
