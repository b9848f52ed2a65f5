#pragma once
// The serialized GET answers of one users_service: a GET by id of a user whose answer was built
// since the last write is sent from memory, not read, parsed, rendered and serialized again.
//
// Validity is by generation, not by entry: every write of the service (after its COMMIT and
// before its answer) and every deletion the database notes (a reset, an enterprise deleted) makes
// every entry stale. A read that raced a write is not kept: its generations are taken before the
// read and must still be current when it is stored. Thread-safe.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace emuscim::service {

class rendered_cache {
 public:
  static constexpr std::size_t max_entries = 20'000;  // a full cache starts again empty

  struct stamp {
    std::uint64_t writes = 0;
    std::uint64_t deletions = 0;
    bool operator==(const stamp&) const = default;
  };

  stamp now(std::uint64_t deletions) const { return {writes_.load(std::memory_order_acquire), deletions}; }
  void wrote() { writes_.fetch_add(1, std::memory_order_acq_rel); }

  std::optional<std::string> find(const std::string& key, const stamp& current) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || !(it->second.at == current)) return std::nullopt;
    return it->second.body;
  }

  // `at`: the stamp taken before the read that built `body`.
  void keep(std::string key, std::string body, const stamp& at, std::uint64_t deletions_now) {
    if (!(now(deletions_now) == at)) return;
    std::lock_guard lock(mu_);
    if (entries_.size() >= max_entries) entries_.clear();
    entries_.insert_or_assign(std::move(key), entry{std::move(body), at});
  }

 private:
  struct entry {
    std::string body;
    stamp at;
  };
  std::atomic<std::uint64_t> writes_{0};
  mutable std::mutex mu_;
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace emuscim::service
