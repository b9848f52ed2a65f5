#pragma once
// Runs a parsed command; returns the process exit code. Throws std::exception with a
// one-line message for failures the user must fix (bad database file, bad TLS files, ...).

#include "emuscim/app/cli.hpp"

namespace emuscim::app {

int run(const command& cmd);

// serve: blocks until SIGINT/SIGTERM, then stops gracefully.
int serve(const serve_cmd& cmd);

}  // namespace emuscim::app
