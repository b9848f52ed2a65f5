#include "harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

extern char** environ;

#ifndef EMUSCIM_BINARY
#error "EMUSCIM_BINARY must name the server binary (set by tests/e2e/CMakeLists.txt)"
#endif

namespace emuscim::test {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The inherited environment without EMUSCIM_* (so a developer's shell cannot change what the
// server under test does), plus `extra`.
std::vector<std::string> hermetic_env(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(kv.substr(0, eq));
    if (key.starts_with("EMUSCIM_")) continue;
    vars[key] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : extra) vars[k] = v;
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode_wait_status(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return -1;
}

std::filesystem::path make_temp_dir() {
  std::filesystem::path parent;
  if (const char* t = std::getenv("EMUSCIM_E2E_TMPDIR"); t != nullptr && *t != '\0') {
    parent = t;
    std::filesystem::create_directories(parent);
  } else {
    parent = std::filesystem::temp_directory_path();
  }
  std::string templ = (parent / "emuscim-e2e-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("mkdtemp(" + templ + "): " + std::strerror(errno));
  }
  return templ;
}

std::string tail_lines(const std::string& text, std::size_t lines) {
  if (lines == 0) return {};
  std::size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  std::size_t seen = 0;
  while (pos > 0) {
    auto nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    if (++seen == lines) return text.substr(nl + 1);
    pos = nl;
  }
  return text;
}

}  // namespace

std::string server_binary() {
  if (const char* b = std::getenv("EMUSCIM_E2E_BINARY"); b != nullptr && *b != '\0') return b;
  return EMUSCIM_BINARY;
}

// ---------------------------------------------------------------------------------------------
// server_process

server_process::~server_process() {
  kill9();
  if (owns_dir_ && std::getenv("EMUSCIM_E2E_KEEP_TMP") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::filesystem::path server_process::ca_file() const { return dir_ / "tls" / "emuscim.crt"; }

void server_process::start(server_options options, std::chrono::milliseconds ready_timeout) {
  if (pid_ > 0) throw std::logic_error("server_process::start: already running (pid " + std::to_string(pid_) + ")");
  options_ = std::move(options);
  if (dir_.empty()) {
    dir_ = make_temp_dir();
    owns_dir_ = true;
  }
  db_path_ = options_.db_path.empty() ? (dir_ / "emuscim.db").string() : options_.db_path;
  options_.db_path = db_path_;  // restart() reuses the same db

  if (options_.tls && !std::filesystem::exists(ca_file())) {
    auto r = run_cli({"cert", "self-signed", "--out", (dir_ / "tls").string(), "--host", "localhost"});
    if (r.exit_code != 0 || !std::filesystem::exists(ca_file())) {
      std::ostringstream msg;
      msg << "`emuscim cert self-signed` failed: " << r;
      throw std::runtime_error(msg.str());
    }
  }

  ++run_;
  log_path_ = dir_ / ("server-" + std::to_string(run_) + ".log");
  port_ = 0;
  exit_status_.reset();
  spawn();

  static const std::regex listening(R"(listening on (https?)://127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  for (;;) {
    std::string log = log_text();
    std::smatch m;
    if (std::regex_search(log, m, listening)) {
      const bool https = m[1].str() == "https";
      if (https != options_.tls) {
        kill9();
        throw std::runtime_error("server reported " + m[0].str() + " but TLS was " + (options_.tls ? "on" : "off") +
                                 "\n--- server log ---\n" + log);
      }
      port_ = static_cast<std::uint16_t>(std::stoul(m[2].str()));
      return;
    }
    if (reap(false)) {
      throw std::runtime_error("server exited before listening (status " + std::to_string(exit_status_.value_or(-1)) +
                               ")\n--- server log (" + log_path_.string() + ") ---\n" + log);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill9();
      throw std::runtime_error("server did not log `listening on http(s)://127.0.0.1:PORT` within " +
                               std::to_string(ready_timeout.count()) + " ms\n--- server log (" + log_path_.string() +
                               ") ---\n" + log);
    }
    std::this_thread::sleep_for(20ms);
  }
}

void server_process::spawn() {
  std::vector<std::string> args = {server_binary(), "serve", "--listen", "127.0.0.1:0", "--db", db_path_};
  if (options_.tls) {
    args.insert(args.end(), {"--tls-cert", (dir_ / "tls" / "emuscim.crt").string(), "--tls-key",
                             (dir_ / "tls" / "emuscim.key").string()});
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());

  std::map<std::string, std::string> env_vars = {
      {"EMUSCIM_ENTERPRISE", std::string(acme_slug)},
      {"EMUSCIM_SHORT_CODE", std::string(acme_short_code)},
      {"EMUSCIM_TOKEN", std::string(acme_token)},
  };
  for (const auto& [k, v] : options_.env) env_vars[k] = v;
  std::vector<std::string> env = hermetic_env(env_vars);

  auto argv = c_strings(args);
  auto envp = c_strings(env);

  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("open(" + log_path_.string() + "): " + std::strerror(errno));
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    ::close(log_fd);
    throw std::runtime_error(std::string("open(/dev/null): ") + std::strerror(errno));
  }

  const std::optional<std::uint64_t> max_open_files = options_.max_open_files;
  const std::optional<std::pair<uid_t, gid_t>> run_as = options_.run_as;
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(log_fd);
    ::close(null_fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    // Child: async-signal-safe calls only. Die with the test (thread) that started us.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    if (max_open_files) {
      const rlimit rl{static_cast<rlim_t>(*max_open_files), static_cast<rlim_t>(*max_open_files)};
      if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        static constexpr char msg[] = "emuscim-e2e: setrlimit(RLIMIT_NOFILE) failed\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(127);
      }
    }
    if (run_as) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(run_as->second) != 0 || ::setuid(run_as->first) != 0) {
        static constexpr char msg[] = "emuscim-e2e: cannot switch to the requested user (setgid/setuid)\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(run_as_failed_status);
      }
    }
    ::execve(argv[0], argv.data(), envp.data());
    static constexpr char msg[] = "emuscim-e2e: execve of the server binary failed\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  pid_ = child;
}

bool server_process::reap(bool block) {
  if (pid_ <= 0) return true;
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;
  exit_status_ = r == pid_ ? decode_wait_status(st) : -1;
  pid_ = -1;
  return true;
}

bool server_process::running() { return pid_ > 0 && !reap(false); }

void server_process::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

int server_process::terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (reap(false)) return exit_status_.value_or(-1);
    std::this_thread::sleep_for(10ms);
  }
  kill9();
  return -1;
}

void server_process::restart() {
  if (pid_ > 0) terminate();
  start(options_);
}

std::string server_process::log_text() const {
  if (log_path_.empty()) return {};
  return read_file(log_path_);
}

std::string server_process::log_tail(std::size_t lines) const { return tail_lines(log_text(), lines); }

std::optional<std::string> server_process::wait_for_log(const std::regex& re, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string log = log_text();
    std::smatch m;
    if (std::regex_search(log, m, re)) return m[0].str();
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

// ---------------------------------------------------------------------------------------------
// run_cli

std::ostream& operator<<(std::ostream& os, const cli_result& r) {
  return os << "exit " << r.exit_code << "\n--- stdout ---\n" << r.out << "\n--- stderr ---\n" << r.err;
}

cli_result run_cli(const std::vector<std::string>& cli_args, const std::map<std::string, std::string>& env_extra,
                   std::chrono::milliseconds timeout) {
  std::vector<std::string> args = {server_binary()};
  args.insert(args.end(), cli_args.begin(), cli_args.end());
  std::vector<std::string> env = hermetic_env(env_extra);
  auto argv = c_strings(args);
  auto envp = c_strings(env);

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  cli_result result;
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    result.exit_code = 127;
    result.err = "posix_spawn(" + args[0] + "): " + std::strerror(rc);
    return result;
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) {
      timed_out = true;
      break;
    }
    const int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[8192];
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }

  if (timed_out) ::kill(pid, SIGKILL);
  int st = 0;
  // Output is closed; the process exits promptly unless it detached its pipes. Bound the wait.
  const auto reap_deadline = std::chrono::steady_clock::now() + (timed_out ? 5s : timeout);
  for (;;) {
    const pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      result.exit_code = decode_wait_status(st);
      break;
    }
    if (r < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() > reap_deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
      timed_out = true;
      result.exit_code = decode_wait_status(st);
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  if (timed_out) result.err += "\n[emuscim-e2e: killed after " + std::to_string(timeout.count()) + " ms]";
  return result;
}

// ---------------------------------------------------------------------------------------------
// reply

nlohmann::json reply::json() const { return nlohmann::json::parse(body); }

std::optional<nlohmann::json> reply::try_json() const {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string reply::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

bool reply::has_header(std::string_view name) const { return headers.contains(lower(name)); }

std::ostream& operator<<(std::ostream& os, const reply& r) {
  constexpr std::size_t max_body = 2000;
  os << "HTTP " << r.status;
  if (r.has_header("content-type")) os << " [" << r.header("content-type") << "]";
  os << ": ";
  if (r.body.size() > max_body) {
    os << r.body.substr(0, max_body) << "... (" << r.body.size() << " bytes)";
  } else {
    os << r.body;
  }
  return os;
}

std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conformance recording

namespace {

void record_reply(std::string_view method, std::string_view target, const reply& r) {
  const char* dir = std::getenv("EMUSCIM_CONFORMANCE_DIR");
  // GitHub's routes: SCIM (enterprise and organization), and the org/team REST routes.
  const bool github_route =
      target.starts_with("/scim/") || target.starts_with("/orgs/") || target.starts_with("/enterprises/");
  if (dir == nullptr || *dir == '\0' || !github_route) return;

  static std::atomic<std::uint64_t> counter{0};
  static const std::string nonce = [] {
    std::random_device rd;
    std::ostringstream ss;
    ss << std::hex << std::setw(8) << std::setfill('0') << rd();
    return ss.str();
  }();
  static std::once_flag warned;

  nlohmann::json rec = {
      {"method", method},
      {"target", target},
      {"status", r.status},
      {"content_type", r.has_header("content-type") ? nlohmann::json(r.header("content-type")) : nlohmann::json(nullptr)},
      {"body", r.body},
  };
  std::ostringstream name;
  name << "e2e-" << ::getpid() << "-" << nonce << "-" << std::setw(8) << std::setfill('0') << ++counter << ".json";

  std::error_code ec;
  const std::filesystem::path d(dir);
  std::filesystem::create_directories(d, ec);
  const auto final_path = d / name.str();
  const auto tmp_path = d / (name.str() + ".tmp");
  {
    std::ofstream out(tmp_path, std::ios::binary | std::ios::trunc);
    // Invalid UTF-8 in a body is replaced (U+FFFD) rather than failing the test run.
    out << rec.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!out) {
      std::call_once(warned, [&] { std::fprintf(stderr, "emuscim-e2e: cannot write conformance records to %s\n", dir); });
      return;
    }
  }
  std::filesystem::rename(tmp_path, final_path, ec);  // readers never see a partial file
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// client

namespace {

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// Runs one asynchronous operation to completion on `ioc` (so stream timeouts apply).
template <class Initiate>
beast::error_code run_op(net::io_context& ioc, Initiate&& initiate) {
  beast::error_code result = net::error::would_block;
  bool done = false;
  std::forward<Initiate>(initiate)([&](beast::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  ioc.restart();
  ioc.run();
  if (!done) result = net::error::timed_out;
  return result;
}

struct exchange_result {
  std::optional<reply> rep;
  bool got_some = false;  // any byte of the reply was parsed
  std::string error;
};

}  // namespace

struct client::impl {
  client_options opts;
  net::io_context ioc;
  std::unique_ptr<ssl::context> ssl_ctx;
  std::unique_ptr<plain_stream> plain;
  std::unique_ptr<tls_stream> secure;
  beast::flat_buffer buffer;
  std::size_t requests_on_connection = 0;
  std::size_t connects = 0;

  bool connected() const { return plain != nullptr || secure != nullptr; }

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  void disconnect() {
    if (!connected()) return;
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
    plain.reset();
    secure.reset();
    buffer.clear();
    requests_on_connection = 0;
  }

  void connect() {
    const tcp::endpoint ep(net::ip::make_address(opts.host), opts.port);
    if (opts.tls) {
      if (!ssl_ctx) {
        ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
        if (!opts.ca_file.empty()) {
          ssl_ctx->load_verify_file(opts.ca_file.string());
          ssl_ctx->set_verify_mode(ssl::verify_peer);
        } else {
          ssl_ctx->set_verify_mode(ssl::verify_none);
        }
      }
      secure = std::make_unique<tls_stream>(ioc, *ssl_ctx);
    } else {
      plain = std::make_unique<plain_stream>(ioc);
    }
    lowest().expires_after(opts.timeout);
    auto ec = run_op(ioc, [&](auto handler) { lowest().async_connect(ep, std::move(handler)); });
    if (!ec && secure) {
      lowest().expires_after(opts.timeout);
      ec = run_op(ioc, [&](auto handler) { secure->async_handshake(ssl::stream_base::client, std::move(handler)); });
    }
    if (ec) {
      disconnect();
      throw std::runtime_error("connect to " + opts.host + ":" + std::to_string(opts.port) + (opts.tls ? " (TLS)" : "") +
                               " failed: " + ec.message());
    }
    lowest().expires_never();
    ++connects;
    requests_on_connection = 0;
  }

  template <class Stream>
  exchange_result exchange(Stream& stream, http::request<http::string_body>& req) {
    exchange_result out;
    lowest().expires_after(opts.timeout);
    const auto write_ec = run_op(ioc, [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
    if (write_ec == beast::error::timeout || write_ec == net::error::timed_out) {
      out.error = "timeout writing the request";
      return out;
    }
    // Even when the write failed (the server may answer 413 and close before reading the
    // whole body), try to read what the server sent.
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 30);
    lowest().expires_after(opts.timeout);
    const auto read_ec = run_op(ioc, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
    lowest().expires_never();
    out.got_some = parser.got_some();
    if (read_ec) {
      out.error = "read: " + read_ec.message() + (write_ec ? " (after write error: " + write_ec.message() + ")" : "");
      return out;
    }
    auto& res = parser.get();
    reply r;
    r.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      auto name = lower(field.name_string());
      auto [it, inserted] = r.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    r.body = std::move(res.body());
    const bool keep = res.keep_alive() && !write_ec;
    out.rep = std::move(r);
    if (!keep) disconnect();
    return out;
  }
};

client::client() : client(client_options{}) {}

client::client(client_options options) : impl_(std::make_unique<impl>()) { impl_->opts = std::move(options); }

client::client(const server_process& server) : impl_(std::make_unique<impl>()) {
  impl_->opts.port = server.port();
  impl_->opts.tls = server.tls();
  if (server.tls()) impl_->opts.ca_file = server.ca_file();
}

client::~client() {
  if (impl_) impl_->disconnect();
}

client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

const client_options& client::options() const { return impl_->opts; }
void client::set_token(std::string token) { impl_->opts.token = std::move(token); }
void client::set_timeout(std::chrono::milliseconds timeout) { impl_->opts.timeout = timeout; }
void client::close() { impl_->disconnect(); }
std::size_t client::connect_count() const { return impl_->connects; }

std::string client::resolve(std::string_view target) const {
  if (target.starts_with('/')) return std::string(target);
  return impl_->opts.base + std::string(target);
}

reply client::request(std::string_view method, std::string_view target_in, body_arg body, const header_map& headers) {
  auto& d = *impl_;
  const std::string target = resolve(target_in);

  http::request<http::string_body> req;
  if (auto verb = http::string_to_verb(method); verb != http::verb::unknown) {
    req.method(verb);
  } else {
    req.method_string(method);
  }
  req.target(target);
  req.version(11);
  req.set(http::field::host, d.opts.host + ":" + std::to_string(d.opts.port));
  req.set(http::field::authorization, "Bearer " + d.opts.token);
  req.set(http::field::user_agent, "emuscim-e2e");
  req.set(http::field::accept, "application/scim+json");
  const bool has_body = !std::holds_alternative<std::monostate>(body);
  if (auto* j = std::get_if<nlohmann::json>(&body)) {
    req.body() = j->dump();
  } else if (auto* raw = std::get_if<raw_body>(&body)) {
    req.body() = raw->text;
  }
  if (has_body) req.set(http::field::content_type, "application/scim+json");

  bool explicit_length = false;
  bool chunked = false;
  for (const auto& [name, value] : headers) {
    const auto lname = lower(name);
    if (lname == "content-length" && value) explicit_length = true;
    if (lname == "transfer-encoding" && value && lower(*value).find("chunked") != std::string::npos) {
      chunked = true;
      continue;  // set through chunked(true) below
    }
    if (value) {
      req.set(lname, *value);
    } else {
      req.erase(lname);
    }
  }
  if (chunked) {
    req.chunked(true);
  } else if (!explicit_length) {
    req.prepare_payload();
  }

  for (int attempt = 0;; ++attempt) {
    const bool reused = d.connected() && d.requests_on_connection > 0;
    if (!d.connected()) d.connect();
    exchange_result ex = d.secure ? d.exchange(*d.secure, req) : d.exchange(*d.plain, req);
    if (ex.rep) {
      if (d.connected()) ++d.requests_on_connection;
      record_reply(method, target, *ex.rep);
      return std::move(*ex.rep);
    }
    d.disconnect();
    // A keep-alive connection the server closed while idle: resend once on a new one.
    if (reused && !ex.got_some && attempt == 0) continue;
    throw std::runtime_error(std::string(method) + " " + target + ": no HTTP reply (" + ex.error + ")");
  }
}

reply client::get(std::string_view target, const header_map& headers) { return request("GET", target, {}, headers); }
reply client::post(std::string_view target, body_arg body, const header_map& headers) {
  return request("POST", target, std::move(body), headers);
}
reply client::put(std::string_view target, body_arg body, const header_map& headers) {
  return request("PUT", target, std::move(body), headers);
}
reply client::patch(std::string_view target, body_arg body, const header_map& headers) {
  return request("PATCH", target, std::move(body), headers);
}
reply client::del(std::string_view target, const header_map& headers) { return request("DELETE", target, {}, headers); }

}  // namespace emuscim::test
