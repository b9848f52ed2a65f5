#include "emuscim/emu/slug.hpp"

#include <gtest/gtest.h>

#include <string>

namespace emuscim::emu {
namespace {

// GitHub's example (github-orgs-teams.md §5) and the edges of the rule.
TEST(TeamSlug, table) {
  struct row {
    const char* name;
    const char* slug;
  };
  const row rows[] = {
      {"My TEam Näme", "my-team-name"},
      {"Justice League", "justice-league"},
      {"justice-league", "justice-league"},
      {"  spaced   out  ", "spaced-out"},
      {"under_score", "under_score"},
      {"a.b/c@d", "a-b-c-d"},
      {"--dashes--", "dashes"},
      {"Ærøskøbing Straße", "aeroskobing-strasse"},
      {"Łódź Čeština", "lodz-cestina"},
      {"日本 team", "team"},
      {"team 2024", "team-2024"},
      {"!!!", ""},
      {"", ""},
      {"\xff\xfe bad utf8", "bad-utf8"},
  };
  for (const auto& r : rows) EXPECT_EQ(team_slug(r.name), r.slug) << r.name;
}

}  // namespace
}  // namespace emuscim::emu
