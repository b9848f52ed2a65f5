#pragma once
// Helpers shared by the reliability tests (crash_test.cpp, concurrency_test.cpp,
// hostile_test.cpp). Header-only on purpose: tests/e2e/CMakeLists.txt compiles only
// harness.cpp, scim_support.cpp and *_test.cpp.
//
// - raw_socket: a blocking-free POSIX TCP client to 127.0.0.1 for hostile clients (dribbling,
//   never reading, half-sent bodies), with deadlines on everything.
// - run_shell / sqlite_check: `PRAGMA integrity_check` through the sqlite3 command-line shell
//   (Debian package `sqlite3`); the test binary links no SQLite.
// - Paged readers for the SCIM lists, the admin API's users and audit log, and /metrics.
// - run_threads: N threads, each its own harness client; exceptions become test failures.

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test::reliability {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

inline std::chrono::milliseconds ms_since(clock_type::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0);
}

// -------------------------------------------------------------------------------------------
// Raw TCP client

class raw_socket {
 public:
  raw_socket() = default;
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;
  raw_socket(raw_socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  raw_socket& operator=(raw_socket&& o) noexcept {
    if (this != &o) {
      close();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~raw_socket() { close(); }

  // Connects to 127.0.0.1:port (non-blocking socket, bounded wait). `rcvbuf` > 0 shrinks the
  // receive buffer before connecting, so the advertised window stays small.
  static raw_socket connect(std::uint16_t port, int rcvbuf = 0, std::chrono::milliseconds timeout = 5s) {
    raw_socket s;
    s.fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    if (rcvbuf > 0) ::setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(s.fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      if (errno != EINPROGRESS) throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
      pollfd p{s.fd_, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) throw std::runtime_error("connect: timed out");
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) throw std::runtime_error(std::string("connect: ") + std::strerror(err));
    }
    return s;
  }

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  void shutdown_write() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
  }

  // Sends everything within `timeout`. False when the peer closed/reset or the time ran out
  // (e.g. the server stopped reading).
  bool send_all(std::string_view data, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = clock_type::now() + timeout;
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
        if (left <= 0ms) return false;
        pollfd p{fd_, POLLOUT, 0};
        ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 100)));
        continue;
      }
      return false;  // EPIPE, ECONNRESET, ...
    }
    return true;
  }

  // Non-blocking: has the peer closed (FIN or RST)? Pending data is consumed and appended to
  // `sink` (if given) so that a FIN behind it is seen.
  bool peer_closed(std::string* sink = nullptr) {
    std::array<char, 16384> buf{};
    for (;;) {
      const ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n > 0) {
        if (sink != nullptr) sink->append(buf.data(), static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) return true;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      return true;  // ECONNRESET and friends
    }
  }

  struct read_result {
    std::string data;
    bool closed = false;             // the peer closed (FIN or RST) before the deadline
    std::chrono::milliseconds when{};  // time until closed (or until the deadline)
  };

  // Reads until the peer closes or `timeout` passes (keeps at most `max_keep` bytes).
  read_result read_until_close(std::chrono::milliseconds timeout, std::size_t max_keep = 1 << 20) {
    read_result out;
    const auto t0 = clock_type::now();
    const auto deadline = t0 + timeout;
    std::array<char, 16384> buf{};
    for (;;) {
      const ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n > 0) {
        if (out.data.size() < max_keep) out.data.append(buf.data(), static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        out.closed = true;
        out.when = ms_since(t0);
        return out;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
      if (left <= 0ms) {
        out.when = ms_since(t0);
        return out;
      }
      pollfd p{fd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 100)));
    }
  }

 private:
  int fd_ = -1;
};

// The HTTP status of the first status line in `raw` ("HTTP/1.1 400 ..."), or 0.
inline int first_status(std::string_view raw) {
  if (!raw.starts_with("HTTP/1.") || raw.size() < 12) return 0;
  return std::atoi(std::string(raw.substr(9, 3)).c_str());
}

// acme's SCIM base + `rest` (appended, not `+`: GCC 12 -Warray-bounds false positive).
inline std::string acme_path(std::string_view rest) {
  std::string out;
  out.append(acme_base);
  out.append(rest);
  return out;
}

// The header block of a POST to acme's Users announcing `content_length` body bytes.
inline std::string users_post_head(std::size_t content_length, std::string_view extra_headers = {}) {
  std::string h = "POST ";
  h.append(acme_base);
  h.append("Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ");
  h.append(acme_token);
  h.append("\r\nContent-Type: application/scim+json\r\nContent-Length: ");
  h.append(std::to_string(content_length));
  h.append("\r\n");
  h.append(extra_headers);
  h.append("\r\n");
  return h;
}

// A complete request with a valid bearer token for acme.
inline std::string http_request(std::string_view method, std::string_view target, std::string_view body = {},
                                std::string_view extra_headers = {}) {
  std::string r = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                  "Authorization: Bearer " + std::string(acme_token) + "\r\nUser-Agent: emuscim-e2e-hostile\r\n";
  r += extra_headers;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    r += "Content-Type: application/scim+json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  r += "\r\n";
  r += body;
  return r;
}

// -------------------------------------------------------------------------------------------
// Shell and sqlite3

struct shell_result {
  int exit_code = -1;
  std::string out;  // stdout + stderr
};

inline shell_result run_shell(const std::string& command) {
  shell_result r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.exit_code = st == -1 ? -1 : (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0));
  return r;
}

// Path of the sqlite3 command-line shell, or "" when it is not installed.
inline std::string sqlite3_shell() {
  for (const char* candidate : {"/usr/bin/sqlite3", "/usr/local/bin/sqlite3", "/bin/sqlite3"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  auto r = run_shell("command -v sqlite3");
  if (r.exit_code == 0 && !r.out.empty()) {
    auto path = r.out.substr(0, r.out.find('\n'));
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

// Runs `PRAGMA integrity_check; PRAGMA foreign_key_check;` on `db` opened read-only (the
// database is not modified: no checkpoint, no recovery written back to the file). Returns the
// shell's output; "ok\n" means: no corruption and no dangling foreign key. Throws when the
// sqlite3 shell is missing (install the Debian package `sqlite3`).
inline std::string sqlite_check(const std::string& db) {
  const auto shell = sqlite3_shell();
  if (shell.empty()) {
    throw std::runtime_error("the sqlite3 command-line shell is not installed (apt-get install sqlite3); "
                             "it is needed for PRAGMA integrity_check");
  }
  if (db.find('\'') != std::string::npos) throw std::runtime_error("db path with a quote: " + db);
  auto r = run_shell("'" + shell + "' -readonly -batch '" + db + "' 'PRAGMA integrity_check;' 'PRAGMA foreign_key_check;'");
  if (r.exit_code != 0) r.out += "[sqlite3 exit " + std::to_string(r.exit_code) + "]";
  return r.out;
}

// -------------------------------------------------------------------------------------------
// Readers

// Every resource of Users or Groups ("Users" / "Groups"), following pages of 100. The
// totalResults of each page must agree with the number of resources finally collected.
inline json list_all(client& c, std::string_view resource, std::string_view extra_query = {}) {
  json all = json::array();
  std::int64_t total = -1;
  for (std::int64_t start = 1;; start += 100) {
    std::string target = std::string(resource) + "?startIndex=" + std::to_string(start) + "&count=100";
    if (!extra_query.empty()) target += "&" + std::string(extra_query);
    auto r = c.get(target);
    if (r.status != 200) throw std::runtime_error("GET " + target + ": HTTP " + std::to_string(r.status) + " " + r.body);
    auto page = r.json();
    total = page.value("totalResults", std::int64_t{-1});
    const auto& res = page["Resources"];
    for (const auto& item : res) all.push_back(item);
    if (res.empty() || static_cast<std::int64_t>(all.size()) >= total) break;
  }
  if (static_cast<std::int64_t>(all.size()) != total) {
    throw std::runtime_error(std::string(resource) + ": totalResults " + std::to_string(total) + " but " +
                             std::to_string(all.size()) + " resources listed");
  }
  return all;
}

// A client for the admin API (/_emuscim/...).
inline client admin_client(const server_process& srv, const std::string& admin_token) {
  client_options o;
  o.port = srv.port();
  o.token = admin_token;
  o.base = "/_emuscim/";
  return client(o);
}

// GET /_emuscim/enterprises/acme/users, every page.
inline json admin_users(client& admin) {
  json all = json::array();
  for (std::int64_t start = 1;; start += 1000) {
    auto r = admin.get("enterprises/acme/users?startIndex=" + std::to_string(start) + "&count=1000");
    if (r.status != 200) throw std::runtime_error("admin users: HTTP " + std::to_string(r.status) + " " + r.body);
    auto page = r.json();
    for (const auto& u : page["users"]) all.push_back(u);
    if (page["users"].empty() || static_cast<std::int64_t>(all.size()) >= page.value("totalResults", 0)) break;
  }
  return all;
}

// Every audit event of acme, oldest first (the admin view pages newest first).
inline json admin_audit_events(client& admin) {
  std::vector<json> newest_first;
  std::string before;
  for (int guard = 0; guard < 10000; ++guard) {
    std::string target = "enterprises/acme/audit-log?limit=1000";
    if (!before.empty()) target += "&before=" + before;
    auto r = admin.get(target);
    if (r.status != 200) throw std::runtime_error("audit log: HTTP " + std::to_string(r.status) + " " + r.body);
    auto page = r.json();
    for (auto& e : page["events"]) newest_first.push_back(std::move(e));
    if (!page.contains("next_before") || page["next_before"].is_null()) break;
    before = page["next_before"].dump();
  }
  json out = json::array();
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) out.push_back(std::move(*it));
  return out;
}

// One unlabelled sample of /metrics, or a labelled one such as
// `emuscim_users{enterprise="acme"}`; nullopt when absent.
inline std::optional<double> metric(client& c, std::string_view sample) {
  auto r = c.get("/metrics", {{"authorization", std::nullopt}});
  if (r.status != 200) return std::nullopt;
  std::istringstream in(r.body);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > sample.size() && line.starts_with(sample) && line[sample.size()] == ' ') {
      return std::strtod(line.c_str() + sample.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

// -------------------------------------------------------------------------------------------
// Threads

// Runs body(i) on `n` threads and joins them. An exception escaping body(i) is reported as a
// test failure (gtest assertions themselves are thread-safe).
inline void run_threads(int n, const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  std::mutex mu;
  std::vector<std::string> errors;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      try {
        body(i);
      } catch (const std::exception& e) {
        std::lock_guard lk(mu);
        errors.push_back("thread " + std::to_string(i) + ": " + e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) ADD_FAILURE() << e;
}

// A client with a bounded per-operation timeout.
inline client make_client(const server_process& srv, std::chrono::milliseconds timeout = 15s) {
  client c(srv);
  c.set_timeout(timeout);
  return c;
}

}  // namespace emuscim::test::reliability
