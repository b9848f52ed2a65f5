#pragma once
// The server process the bench spawns: fork/exec with stdout+stderr into a log file, wait for
// the "listening on http://HOST:PORT" line, memory figures from /proc, and a bounded stop
// (SIGTERM, then SIGKILL) of exactly that pid and nothing else.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct mem_status {
  bool ok = false;
  std::uint64_t hwm_kib = 0;  // VmHWM: peak resident set size
  std::uint64_t rss_kib = 0;  // VmRSS: current
};

// Reads VmHWM and VmRSS from /proc/PID/status.
mem_status read_mem(long pid);

struct spawn_spec {
  std::string binary;
  std::vector<std::string> args;  // argv[1..]
  std::vector<std::pair<std::string, std::string>> env;  // set on top of ours (EMUSCIM_* of ours are dropped)
  std::string log_path;           // stdout and stderr, truncated
};

class server_process {
 public:
  server_process() = default;
  ~server_process();  // stops the server if still running
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  // Throws std::runtime_error when fork/exec set-up fails.
  void spawn(const spawn_spec& spec);

  struct listening {
    std::string host;
    std::uint16_t port = 0;
    double startup_ms = 0;  // from spawn() to the line showing up in the log
  };
  // Polls the log file (every millisecond) for "listening on http://HOST:PORT".
  // Throws std::runtime_error (with the log's tail) on time-out, on the server exiting, or on
  // interruption (`interrupted` returning true).
  template <class Interrupted>
  listening wait_listening(std::chrono::milliseconds timeout, Interrupted&& interrupted) {
    return wait_listening_impl(timeout, [&] { return static_cast<bool>(interrupted()); });
  }

  bool running();          // reaps it when it has exited
  long pid() const { return pid_; }
  std::string exit_description() const { return exit_desc_; }

  // SIGTERM, wait up to `grace`, then SIGKILL and reap. Returns how it ended and how long
  // the stop took. No-op when not running.
  struct stop_result {
    bool was_running = false;
    bool killed = false;
    double ms = 0;
    std::string how;
  };
  stop_result stop(std::chrono::milliseconds grace);

  std::string log_tail(std::size_t max_bytes = 4000) const;
  const std::string& log_path() const { return log_path_; }

 private:
  listening wait_listening_impl(std::chrono::milliseconds timeout, const std::function<bool()>& interrupted);
  void note_exit(int status);

  long pid_ = -1;
  std::string log_path_;
  std::chrono::steady_clock::time_point spawned_at_{};
  std::string exit_desc_;
};

}  // namespace bench
