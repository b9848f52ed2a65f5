#include "emuscim/replay/builtin.hpp"

#include <algorithm>

#include "emuscim/replay/fixtures_data.hpp"

namespace emuscim::replay {

std::vector<builtin_file> builtin_files() {
  std::vector<builtin_file> out;
  for (const auto& [path, text] : generated::fixtures) {
    std::string_view name = path;
    if (name.ends_with(".json")) name.remove_suffix(5);
    out.push_back({name, text});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<std::string> builtin_cycles() {
  std::vector<std::string> out;
  for (const auto& f : builtin_files()) {
    const auto slash = f.name.find('/');
    if (slash == std::string_view::npos) continue;
    std::string dir(f.name.substr(0, slash));
    if (std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(std::move(dir));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<builtin_file> builtin_cycle(std::string_view name) {
  std::vector<builtin_file> out;
  for (const auto& f : builtin_files()) {
    if (f.name == name || (f.name.starts_with(name) && f.name.size() > name.size() && f.name[name.size()] == '/')) {
      out.push_back(f);
    }
  }
  return out;
}

}  // namespace emuscim::replay
