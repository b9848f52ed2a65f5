#pragma once
// Runs a parsed command; returns the process exit code. Throws std::exception with a
// one-line message for failures the user must fix (bad database file, bad TLS files, ...).

#include "emuscim/app/cli.hpp"

namespace emuscim::app {

int run(const command& cmd);

// serve: blocks until SIGINT/SIGTERM, then stops gracefully.
int serve(const serve_cmd& cmd);

// replay (replay.cpp): plays replay files or built-in cycles against a server and prints the
// differences; 0 when something was played and nothing differs, else 1 (docs/REPLAY.md).
int replay(const replay_cmd& cmd);

}  // namespace emuscim::app
