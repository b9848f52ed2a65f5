#pragma once
// Groups use cases. Membership changes cost O(k log n) for k members in a group of n;
// excludedAttributes=members reads never touch the membership table.

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/service/context.hpp"
#include "emuscim/service/cursor_cache.hpp"
#include "emuscim/service/users_service.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::service {

class groups_service {
 public:
  groups_service(store::database& db, service_options opts) : db_(db), opts_(opts) {}

  scim::result<reply> get(const request_context& ctx, std::string_view id, bool exclude_members);
  scim::result<reply> list(const request_context& ctx, const list_query& q);
  boost::asio::awaitable<scim::result<reply>> create(const request_context& ctx, const nlohmann::json& body,
                                                     bool exclude_members);
  boost::asio::awaitable<scim::result<reply>> replace(const request_context& ctx, std::string id,
                                                      const nlohmann::json& body, bool exclude_members);
  boost::asio::awaitable<scim::result<reply>> patch(const request_context& ctx, std::string id,
                                                    const nlohmann::json& body, bool exclude_members);
  boost::asio::awaitable<scim::result<reply>> remove(const request_context& ctx, std::string id);

 private:
  store::database& db_;
  service_options opts_;
  cursor_cache cursors_;
};

}  // namespace emuscim::service
