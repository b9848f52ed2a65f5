// emuscim: a SCIM 2.0 service provider that emulates GitHub Enterprise Managed Users'
// enterprise SCIM API. This file only dispatches commands; see README "Command line".

#include <spdlog/spdlog.h>

#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <variant>

#include "emuscim/app/cli.hpp"
#include "emuscim/app/commands.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = emuscim::app::parse_command_line(args, emuscim::app::process_env());
  if (auto* err = std::get_if<emuscim::app::cli_error>(&parsed)) {
    std::fprintf(stderr, "%s\n", err->message.c_str());
    return 2;
  }
  try {
    return emuscim::app::run(std::get<emuscim::app::command>(parsed));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "emuscim: %s\n", e.what());
    return 1;
  }
}
