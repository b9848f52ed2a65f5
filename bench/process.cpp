#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

extern char** environ;

namespace bench {

mem_status read_mem(long pid) {
  mem_status m;
  if (pid <= 0) return m;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return m;
  std::string line;
  bool hwm = false;
  bool rss = false;
  while (std::getline(in, line)) {
    auto value_of = [&](const char* key) -> std::optional<std::uint64_t> {
      const std::size_t n = std::strlen(key);
      if (line.compare(0, n, key) != 0) return std::nullopt;
      std::istringstream s(line.substr(n));
      std::uint64_t v = 0;
      if (s >> v) return v;  // "VmHWM:	   12345 kB"
      return std::nullopt;
    };
    if (auto v = value_of("VmHWM:")) {
      m.hwm_kib = *v;
      hwm = true;
    } else if (auto r = value_of("VmRSS:")) {
      m.rss_kib = *r;
      rss = true;
    }
  }
  m.ok = hwm && rss;
  return m;
}

server_process::~server_process() {
  if (pid_ > 0) stop(std::chrono::milliseconds(2000));
}

void server_process::spawn(const spawn_spec& spec) {
  if (pid_ > 0) throw std::runtime_error("server already running");
  exit_desc_.clear();
  log_path_ = spec.log_path;

  // Everything the child needs is built before fork(): after it only async-signal-safe calls.
  std::vector<std::string> argv_s;
  argv_s.push_back(spec.binary);
  argv_s.insert(argv_s.end(), spec.args.begin(), spec.args.end());
  std::vector<std::string> env_s;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "EMUSCIM_", 8) == 0) continue;  // only the variables we set
    env_s.emplace_back(*e);
  }
  for (const auto& [k, v] : spec.env) env_s.push_back(k + "=" + v);
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int log_fd = ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + spec.log_path + ": " + std::strerror(errno));
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    ::close(log_fd);
    throw std::runtime_error(std::string("cannot open /dev/null: ") + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  static constexpr char exec_failed[] = "emuscim-bench: execve of the server failed\n";

  spawned_at_ = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(log_fd);
    ::close(null_fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    // The server must not outlive the bench.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(argv[0], argv.data(), envp.data());
    [[maybe_unused]] auto n = ::write(2, exec_failed, sizeof exec_failed - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  pid_ = child;
}

void server_process::note_exit(int status) {
  if (WIFEXITED(status)) {
    exit_desc_ = "exited with status " + std::to_string(WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    exit_desc_ = std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
                 ::strsignal(WTERMSIG(status)) + ")";
  } else {
    exit_desc_ = "ended (status " + std::to_string(status) + ")";
  }
  pid_ = -1;
}

bool server_process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(static_cast<pid_t>(pid_), &status, WNOHANG);
  if (r == static_cast<pid_t>(pid_)) {
    note_exit(status);
    return false;
  }
  return true;
}

std::string server_process::log_tail(std::size_t max_bytes) const {
  std::ifstream in(log_path_, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  const std::size_t from = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string out(size - from, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

namespace {

// "listening on http://127.0.0.1:43211" somewhere in `text`; the port must be followed by
// another character so a half-written line is not taken.
bool find_listening(const std::string& text, std::string& host, std::uint16_t& port) {
  static constexpr std::string_view needle = "listening on http://";
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    std::size_t i = pos + needle.size();
    std::size_t j = i;
    auto authority_char = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '[' || c == ']' || c == '-';
    };
    while (j < text.size() && authority_char(text[j])) ++j;
    pos = j;
    if (j >= text.size()) return false;  // line not complete yet
    std::string authority = text.substr(i, j - i);
    const auto colon = authority.rfind(':');
    if (colon == std::string::npos || authority.back() == ']') continue;
    const std::string digits = authority.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const unsigned long p = std::stoul(digits);
    if (p == 0 || p > 65535) continue;
    host = authority.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    port = static_cast<std::uint16_t>(p);
    return true;
  }
  return false;
}

}  // namespace

server_process::listening server_process::wait_listening_impl(std::chrono::milliseconds timeout,
                                                               const std::function<bool()>& interrupted) {
  const auto deadline = spawned_at_ + timeout;
  std::string text;
  std::streamoff offset = 0;
  for (;;) {
    {
      std::ifstream in(log_path_, std::ios::binary);
      if (in) {
        in.seekg(0, std::ios::end);
        const std::streamoff size = in.tellg();
        if (size > offset) {
          in.seekg(offset);
          std::string chunk(static_cast<std::size_t>(size - offset), '\0');
          in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
          chunk.resize(static_cast<std::size_t>(in.gcount()));
          offset += static_cast<std::streamoff>(chunk.size());
          text += chunk;
        }
      }
    }
    listening l;
    if (find_listening(text, l.host, l.port)) {
      l.startup_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - spawned_at_).count();
      return l;
    }
    if (!running())
      throw std::runtime_error("the server " + exit_desc_ + " before logging \"listening on\"; log tail:\n" + log_tail());
    if (interrupted()) throw std::runtime_error("interrupted while waiting for the server to start");
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("no \"listening on http://...\" line in " + log_path_ + " within " +
                               std::to_string(timeout.count()) + " ms; log tail:\n" + log_tail());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

server_process::stop_result server_process::stop(std::chrono::milliseconds grace) {
  stop_result r;
  if (!running()) {
    r.how = exit_desc_.empty() ? "not running" : exit_desc_;
    return r;
  }
  r.was_running = true;
  const auto t0 = std::chrono::steady_clock::now();
  const auto p = static_cast<pid_t>(pid_);
  ::kill(p, SIGTERM);
  const auto term_deadline = t0 + grace;
  while (std::chrono::steady_clock::now() < term_deadline) {
    if (!running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (pid_ > 0) {
    r.killed = true;
    ::kill(p, SIGKILL);
    const auto kill_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < kill_deadline && running())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (pid_ > 0) exit_desc_ = "did not end after SIGKILL";
  }
  r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  r.how = exit_desc_;
  return r;
}

}  // namespace bench
