#include "emuscim/store/stats.hpp"

namespace emuscim::store {

namespace {

// user_count and group_count are kept by the store; member_count per group likewise.
constexpr const char* kEnterpriseStats =
    "SELECT e.slug, e.user_count, e.group_count, "
    "COALESCE((SELECT sum(g.member_count) FROM groups g WHERE g.enterprise_id = e.id), 0) "
    "FROM enterprises e ORDER BY e.id";
constexpr const char* kPageCount = "PRAGMA page_count";
constexpr const char* kPageSize = "PRAGMA page_size";

std::int64_t single_int(connection& db, const char* sql) {
  use s(db, sql);
  return s->step() ? s->get_int(0) : 0;
}

}  // namespace

std::vector<enterprise_stats> list_enterprise_stats(connection& db) {
  std::vector<enterprise_stats> out;
  use s(db, kEnterpriseStats);
  while (s->step()) out.push_back({s->get_text(0), s->get_int(1), s->get_int(2), s->get_int(3)});
  return out;
}

std::int64_t database_size_bytes(connection& db) { return single_int(db, kPageCount) * single_int(db, kPageSize); }

}  // namespace emuscim::store
