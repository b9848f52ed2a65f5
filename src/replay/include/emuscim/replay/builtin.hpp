#pragma once
// The built-in cycles of `emuscim replay`: the IdP replay fixtures shipped in tests/fixtures/
// (Entra ID, its PATCH quirks and role assignments, Okta, PingFederate), embedded in the binary
// at build time. A cycle is a directory ("entra": its files in order) or one file
// ("entra/01_user_lifecycle"). Thread-safety: immutable.

#include <string>
#include <string_view>
#include <vector>

namespace emuscim::replay {

struct builtin_file {
  std::string_view name;  // "entra/01_user_lifecycle" (the path without ".json")
  std::string_view text;  // the JSON file as shipped
};

// Every embedded file, sorted by name.
std::vector<builtin_file> builtin_files();

// The directory cycles ("entra", "okta", …), sorted.
std::vector<std::string> builtin_cycles();

// The files of a cycle: a directory's files in order, or the one file of that name; empty when
// the name is neither.
std::vector<builtin_file> builtin_cycle(std::string_view name);

}  // namespace emuscim::replay
