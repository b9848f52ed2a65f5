#pragma once
// Remembers where list pages end, so that a walk of startIndex=1,101,201,... seeks by
// creation sequence instead of skipping `offset` rows (no O(offset) scans). A page whose exact
// start is not known yet (IdPs or test suites that fetch pages in parallel) starts from the
// nearest known position before it and skips only the distance from there.
// Inserts only append (positions of earlier rows never move); deletes shift positions, so
// every entry is tagged with the database's deletion generation and ignored once it changes.
// Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

namespace emuscim::service {

struct cursor_position {
  std::int64_t offset = 0;  // 0-based position of the row after `seq`
  std::int64_t seq = 0;     // sequence of the row at position offset-1 (0: before the first row)
};

class cursor_cache {
 public:
  // The nearest known position at or before `offset` for this generation (at least the start).
  cursor_position find(std::int64_t enterprise_id, std::int64_t offset, std::uint64_t generation);
  // Records that the row at position offset-1 has sequence `seq`.
  void remember(std::int64_t enterprise_id, std::int64_t offset, std::int64_t seq, std::uint64_t generation);

 private:
  static constexpr std::size_t max_entries = 65536;
  std::mutex mu_;
  std::uint64_t generation_ = 0;
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> entries_;  // (enterprise, offset) -> seq
};

}  // namespace emuscim::service
