// rendered_cache: entries are valid only at the generations they were read at.
#include "emuscim/service/rendered_cache.hpp"

#include <gtest/gtest.h>

namespace emuscim::service {
namespace {

TEST(RenderedCache, aWriteOrADeletionMakesEveryEntryStale) {
  rendered_cache c;
  auto at = c.now(0);
  c.keep("a", "A", at, 0);
  EXPECT_EQ(c.find("a", c.now(0)), std::optional<std::string>("A"));
  EXPECT_EQ(c.find("b", c.now(0)), std::nullopt);
  c.wrote();
  EXPECT_EQ(c.find("a", c.now(0)), std::nullopt) << "a write of the service";
  c.keep("a", "A2", c.now(0), 0);
  EXPECT_EQ(c.find("a", c.now(0)), std::optional<std::string>("A2"));
  EXPECT_EQ(c.find("a", c.now(1)), std::nullopt) << "a deletion the database noted";
}

TEST(RenderedCache, aReadThatRacedAWriteIsNotKept) {
  rendered_cache c;
  const auto before = c.now(0);  // the read starts
  c.wrote();                     // a write commits meanwhile
  c.keep("a", "old", before, 0);
  EXPECT_EQ(c.find("a", c.now(0)), std::nullopt);
  EXPECT_EQ(c.find("a", before), std::nullopt) << "not stored at all";
  const auto racing_deletion = c.now(3);
  c.keep("a", "old", racing_deletion, 4);
  EXPECT_EQ(c.find("a", racing_deletion), std::nullopt);
}

TEST(RenderedCache, aFullCacheStartsAgainEmpty) {
  rendered_cache c;
  const auto at = c.now(0);
  for (std::size_t i = 0; i < rendered_cache::max_entries; ++i) c.keep(std::to_string(i), "x", at, 0);
  EXPECT_TRUE(c.find("0", at).has_value());
  c.keep("one more", "y", at, 0);
  EXPECT_FALSE(c.find("0", at).has_value());
  EXPECT_TRUE(c.find("one more", at).has_value());
}

}  // namespace
}  // namespace emuscim::service
