#pragma once
// Team slugs as GitHub derives them from team names (github-orgs-teams.md §5): letters folded to
// ASCII lower case ("Näme" -> "name"), every run of other characters becomes one '-', no '-' at
// either end; '_' is kept. "My TEam Näme" -> "my-team-name". Enterprise teams prefix "ent:".
// Pure; thread-safe.

#include <string>
#include <string_view>

namespace emuscim::emu {

// Empty when nothing of the name survives (e.g. "!!!"): such a name cannot make a team.
std::string team_slug(std::string_view name);

inline constexpr std::string_view enterprise_team_prefix = "ent:";

}  // namespace emuscim::emu
