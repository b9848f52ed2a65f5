#include "emuscim/service/cursor_cache.hpp"

namespace emuscim::service {

std::optional<std::int64_t> cursor_cache::find(std::int64_t enterprise_id, std::int64_t offset,
                                               std::uint64_t generation) {
  if (offset == 0) return 0;  // before the first row
  std::lock_guard lk(mu_);
  if (generation != generation_) return std::nullopt;
  auto it = entries_.find({enterprise_id, offset});
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void cursor_cache::remember(std::int64_t enterprise_id, std::int64_t offset, std::int64_t seq,
                            std::uint64_t generation) {
  std::lock_guard lk(mu_);
  if (generation < generation_) return;  // computed before a deletion: positions may be stale
  if (generation > generation_) {
    entries_.clear();
    generation_ = generation;
  }
  if (entries_.size() >= max_entries) entries_.clear();
  entries_[{enterprise_id, offset}] = seq;
}

}  // namespace emuscim::service
