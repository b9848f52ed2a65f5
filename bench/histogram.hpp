#pragma once
// A small HDR-like latency histogram: log-linear buckets over nanoseconds.
// Values below 128 ns are exact; above, each power of two is split into 128 sub-buckets,
// so a reported percentile is within 0.8% of the true value. Fixed size (about 30 KiB),
// no allocation on record(), mergeable. Values above 2^40 ns (about 18 minutes) are clamped.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace bench {

class latency_histogram {
 public:
  static constexpr unsigned sub_bits = 7;
  static constexpr std::uint64_t sub_count = std::uint64_t{1} << sub_bits;  // 128
  static constexpr unsigned max_bits = 40;
  static constexpr std::size_t bucket_count = sub_count + (max_bits - sub_bits) * sub_count;

  latency_histogram() : buckets_(bucket_count, 0) {}

  void record(std::uint64_t ns) {
    ns = std::min(ns, (std::uint64_t{1} << max_bits) - 1);
    ++buckets_[index_of(ns)];
    ++count_;
    sum_ += ns;
    max_ = std::max(max_, ns);
    min_ = std::min(min_, ns);
  }

  void merge(const latency_histogram& other) {
    for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
  }

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return count_ ? max_ : 0; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }

  // p in [0, 100]. The midpoint of the bucket holding the rank, clamped to [min, max].
  std::uint64_t percentile(double p) const {
    if (count_ == 0) return 0;
    if (p >= 100.0) return max_;
    auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      seen += buckets_[i];
      if (seen >= rank) {
        const std::uint64_t lo = lower_of(i);
        const std::uint64_t hi = upper_of(i);
        return std::clamp(lo + (hi - lo) / 2, min_, max_);
      }
    }
    return max_;
  }

 private:
  static std::size_t index_of(std::uint64_t v) {
    if (v < sub_count) return static_cast<std::size_t>(v);
    const unsigned msb = static_cast<unsigned>(std::bit_width(v)) - 1;  // >= sub_bits
    const unsigned shift = msb - sub_bits;
    const std::uint64_t sub = (v >> shift) - sub_count;  // 0 .. sub_count-1
    return static_cast<std::size_t>(sub_count + shift * sub_count + sub);
  }
  static std::uint64_t lower_of(std::size_t i) {
    if (i < sub_count) return i;
    const std::uint64_t shift = (i - sub_count) / sub_count;
    const std::uint64_t sub = (i - sub_count) % sub_count;
    return (sub_count + sub) << shift;
  }
  static std::uint64_t upper_of(std::size_t i) {
    if (i < sub_count) return i;
    const std::uint64_t shift = (i - sub_count) / sub_count;
    const std::uint64_t sub = (i - sub_count) % sub_count;
    return ((sub_count + sub + 1) << shift) - 1;
  }

  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
};

}  // namespace bench
