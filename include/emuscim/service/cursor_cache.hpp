#pragma once
// Remembers where list pages end, so that a walk of startIndex=1,101,201,... seeks by
// creation sequence instead of skipping `offset` rows (no O(offset) scans).
// Inserts only append (positions of earlier rows never move); deletes shift positions, so
// every entry is tagged with the database's deletion generation and ignored once it changes.
// Thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace emuscim::service {

class cursor_cache {
 public:
  // seq of the row just before 0-based position `offset`, if known for this generation.
  std::optional<std::int64_t> find(std::int64_t enterprise_id, std::int64_t offset, std::uint64_t generation);
  // Records that the row at position offset-1 has sequence `seq`.
  void remember(std::int64_t enterprise_id, std::int64_t offset, std::int64_t seq, std::uint64_t generation);

 private:
  struct key {
    std::int64_t enterprise_id;
    std::int64_t offset;
    bool operator==(const key&) const = default;
  };
  struct key_hash {
    std::size_t operator()(const key& k) const noexcept {
      return std::hash<std::int64_t>()(k.enterprise_id * 1000003 + k.offset);
    }
  };
  static constexpr std::size_t max_entries = 65536;
  std::mutex mu_;
  std::uint64_t generation_ = 0;
  std::unordered_map<key, std::int64_t, key_hash> entries_;
};

}  // namespace emuscim::service
