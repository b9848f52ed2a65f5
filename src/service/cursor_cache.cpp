#include "emuscim/service/cursor_cache.hpp"

namespace emuscim::service {

cursor_position cursor_cache::find(std::int64_t enterprise_id, std::int64_t offset, std::uint64_t generation) {
  if (offset <= 0) return {};
  std::lock_guard lk(mu_);
  if (generation != generation_) return {};
  auto it = entries_.upper_bound({enterprise_id, offset});
  if (it == entries_.begin()) return {};
  --it;
  if (it->first.first != enterprise_id) return {};
  return {it->first.second, it->second};
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
