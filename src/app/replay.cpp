// emuscim replay: replay files and the built-in IdP cycles against any server (docs/REPLAY.md).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "emuscim/app/commands.hpp"
#include "emuscim/replay/builtin.hpp"
#include "emuscim/replay/client.hpp"
#include "emuscim/replay/player.hpp"

namespace emuscim::app {

namespace {

struct source_file {
  std::string name;
  replay::ojson content;
};

replay::ojson parse_or_throw(std::string_view text, const std::string& name) {
  try {
    return replay::ojson::parse(text);
  } catch (const replay::ojson::parse_error& e) {
    throw std::runtime_error("replay: " + name + ": invalid JSON: " + e.what());
  }
}

// A path on disk wins over a built-in cycle of the same name.
std::vector<source_file> load(const std::string& source) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(source, ec)) {
    std::ifstream in(source, std::ios::binary);
    if (!in) throw std::runtime_error("replay: cannot read " + source);
    std::ostringstream text;
    text << in.rdbuf();
    return {{source, parse_or_throw(text.str(), source)}};
  }
  std::vector<source_file> out;
  for (const auto& f : replay::builtin_cycle(source)) {
    out.push_back({std::string(f.name), parse_or_throw(f.text, std::string(f.name))});
  }
  if (out.empty()) {
    throw std::runtime_error("replay: " + source +
                             " is neither a file nor a built-in cycle (emuscim replay --list names them)");
  }
  return out;
}

int list_cycles() {
  const auto files = replay::builtin_files();
  for (const auto& cycle : replay::builtin_cycles()) {
    const auto members = replay::builtin_cycle(cycle);
    std::printf("%s (%zu files)\n", cycle.c_str(), members.size());
    for (const auto& f : members) {
      const auto doc = replay::ojson::parse(f.text, nullptr, false);
      const std::string title = doc.is_object() ? doc.value("title", "") : "";
      std::printf("  %-48.*s %s\n", static_cast<int>(f.name.size()), f.name.data(), title.c_str());
    }
  }
  std::printf("\nemuscim replay CYCLE --target URL --token TOKEN [--admin-token TOKEN] plays a cycle;\n"
              "the cycles expect an empty enterprise with short code acme.\n");
  return 0;
}

}  // namespace

int replay(const replay_cmd& cmd) {
  if (cmd.list) return list_cycles();
  auto target = replay::parse_target_url(cmd.target);
  if (!target) throw std::runtime_error("replay: --target: cannot parse '" + cmd.target + "'");

  std::vector<source_file> files;
  for (const auto& source : cmd.sources) {
    auto loaded = load(source);
    for (auto& f : loaded) files.push_back(std::move(f));
  }

  replay::http_client client(*target, {cmd.ca_file, cmd.insecure});
  replay::player_options opts;
  opts.base_url = target->origin();
  if (!target->path.empty()) opts.scim_root = target->path;
  opts.token = cmd.token;
  opts.admin_token = cmd.admin_token;
  opts.cleanup = !cmd.keep;
  const replay::transport send = [&client](const replay::http_request& rq) { return client.send(rq); };

  std::vector<replay::file_report> reports;
  for (const auto& f : files) {
    reports.push_back(replay::play(f.name, f.content, opts, send));
    if (!cmd.json_report) {
      std::fputs(replay::render_text(reports.back()).c_str(), stdout);
      std::fflush(stdout);
    }
  }
  if (cmd.json_report) {
    std::printf("%s\n", replay::render_json(reports).dump(2, ' ', false, replay::ojson::error_handler_t::replace).c_str());
  } else {
    std::fputs(replay::render_summary(reports).c_str(), stdout);
  }
  return replay::all_ok(reports) ? 0 : 1;
}

}  // namespace emuscim::app
