#pragma once
// What every use case needs to know about the request it serves.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace emuscim::service {

struct enterprise_ref {
  std::int64_t id = 0;
  std::string slug;
  std::string short_code;
};

struct request_context {
  enterprise_ref enterprise;
  std::optional<std::int64_t> token_id;
  std::string request_id;  // x-github-request-id
  std::string base_url;    // scheme://host[:port], no trailing slash
  std::string scim_root;   // base_url + the tenant's SCIM prefix, e.g. .../scim/v2/enterprises/acme;
                           // meta.location = scim_root + "/Users/" + id
  std::string method;      // for scim_api_success / scim_api_failure audit events
  std::string path;
  std::string query;
};

// A successful answer. body is ignored for 204.
struct reply {
  int status = 200;
  nlohmann::ordered_json body;  // members in the order GitHub's examples show them
  std::string location;  // Location header on 201
};

struct list_query {
  std::optional<std::string> filter;
  std::int64_t start_index = 1;
  std::int64_t count = 30;
  bool exclude_members = false;
};

inline constexpr std::int64_t default_page_size = 30;
inline constexpr std::int64_t max_page_size = 100;

}  // namespace emuscim::service
