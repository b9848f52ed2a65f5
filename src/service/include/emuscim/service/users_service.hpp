#pragma once
// Users use cases: schema check, EMU rules, storage, audit — handlers stay thin.
// Reads run on the calling thread's read connection; writes run on the writer thread inside
// one transaction each (group-committed) and resume the caller after COMMIT.

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "emuscim/emu/login.hpp"
#include "emuscim/scim/error.hpp"
#include "emuscim/scim/user.hpp"
#include "emuscim/service/context.hpp"
#include "emuscim/service/cursor_cache.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::service {

struct service_options {
  scim::validation_mode mode = scim::validation_mode::lenient;
  emu::login_rules login_rules;
  bool group_patch_no_content = false;
};

class users_service {
 public:
  users_service(store::database& db, service_options opts) : db_(db), opts_(opts) {}

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
  service_options opts_;
  cursor_cache cursors_;
};

}  // namespace emuscim::service
