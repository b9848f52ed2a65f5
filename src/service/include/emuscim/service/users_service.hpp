#pragma once
// Users use cases: schema check, the tenant's rules, storage, audit — handlers stay thin.
// One engine (users_service.cpp) with a rule set chosen at construction (service/user_policy.hpp):
// GitHub EMU's enterprise SCIM, or org-level SCIM of standalone organizations (SAML SSO). Reads
// run on the calling thread's read connection; writes run on the writer thread inside one
// transaction each (group-committed) and resume the caller after COMMIT.

#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "emuscim/emu/login.hpp"
#include "emuscim/scim/error.hpp"
#include "emuscim/scim/user.hpp"
#include "emuscim/service/context.hpp"
#include "emuscim/service/cursor_cache.hpp"
#include "emuscim/service/rendered_cache.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::service {

struct service_options {
  scim::validation_mode mode = scim::validation_mode::lenient;
  emu::login_rules login_rules;
  bool group_patch_no_content = false;
};

class user_policy;  // service/user_policy.hpp (private to the service module)

// Which of GitHub's two SCIM user APIs a users_service is.
enum class user_rules {
  emu,  // /scim/v2/enterprises/{enterprise}/Users: the request context's enterprise
  org,  // /scim/v2/organizations/{org}/Users: the request context's (standalone) organization
};

class users_service {
 public:
  users_service(store::database& db, service_options opts, user_rules rules = user_rules::emu);
  ~users_service();
  users_service(const users_service&) = delete;
  users_service& operator=(const users_service&) = delete;

  scim::result<reply> get(const request_context& ctx, std::string_view id);
  scim::result<reply> list(const request_context& ctx, const list_query& q);
  boost::asio::awaitable<scim::result<reply>> create(const request_context& ctx, const nlohmann::json& body);
  boost::asio::awaitable<scim::result<reply>> replace(const request_context& ctx, std::string id,
                                                      const nlohmann::json& body);
  boost::asio::awaitable<scim::result<reply>> patch(const request_context& ctx, std::string id,
                                                    const nlohmann::json& body);
  boost::asio::awaitable<scim::result<reply>> remove(const request_context& ctx, std::string id);

 private:
  store::database& db_;
  std::shared_ptr<const user_policy> policy_;
  cursor_cache cursors_;
  rendered_cache rendered_;  // GET by id of enterprise users (rendered_cache.hpp)
};

}  // namespace emuscim::service
