#pragma once
// Bearer-token authentication and authorization (github-emu-scim.md §4, emuscim's 401/403 table).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emuscim/scim/error.hpp"
#include "emuscim/service/context.hpp"

namespace emuscim::store {
class database;
}

namespace emuscim::service {

enum class access { scim, audit_read };

struct principal {
  enterprise_ref enterprise;
  std::int64_t token_id = 0;
  std::vector<std::string> scopes;
};

// Missing, malformed, unknown or revoked token -> 401; unknown enterprise -> 404;
// token of another enterprise or lacking the scope -> 403.
scim::result<principal> authenticate(store::database& db, std::optional<std::string_view> authorization,
                                     std::string_view enterprise_slug, access needed);

}  // namespace emuscim::service
