#pragma once
// Read-only statistics for metrics and the admin API. Like repo.hpp: SQL in named constants,
// functions take the connection they run on (normally a reader's, via database::read).

#include <cstdint>
#include <string>
#include <vector>

#include "emuscim/store/sqlite.hpp"

namespace emuscim::store {

struct enterprise_stats {
  std::string slug;
  std::int64_t users = 0;
  std::int64_t groups = 0;
  std::int64_t memberships = 0;  // sum of groups.member_count
};

// One row per enterprise, in creation order. O(groups) for the membership sums.
std::vector<enterprise_stats> list_enterprise_stats(connection& db);

// page_count * page_size of the main database file (the WAL not included).
std::int64_t database_size_bytes(connection& db);

}  // namespace emuscim::store
