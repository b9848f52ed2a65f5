// A locked or read-only database, at start-up and while running (issue 14; docs/RELIABILITY.md).
//
// - Locked: another process (the sqlite3 shell) holds the write lock with BEGIN EXCLUSIVE. At
//   start-up: a one-line error naming the lock and a non-zero exit after the busy timeout (5 s);
//   started again once the lock is gone, it serves. While running: writes answer 503 with a
//   SCIM error body and Retry-After after at most the busy timeout (no hang), reads keep
//   working; once the lock is released the next write succeeds, no restart.
// - Read-only: the database file (chmod 0444) or its directory (chmod 0555, before the WAL
//   files exist) at start-up: a one-line error and a non-zero exit; writable again: it serves.
//   A directory that turns read-only while the server runs changes nothing (SQLite creates no
//   file while it runs); a file system that turns read-only (EROFS on write) is an I/O error,
//   covered by storage_faults_test.cpp. Root ignores permissions, so as root the server runs
//   as the user `nobody` for these tests (harness server_options::run_as).

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>

#include "reliability_support.hpp"
#include "scim_support.hpp"

namespace emuscim::test {
namespace {

using namespace reliability;
namespace fs = std::filesystem;

// The sqlite3 shell as a child process that holds a write lock until released.
class lock_holder {
 public:
  lock_holder() = default;
  lock_holder(const lock_holder&) = delete;
  lock_holder& operator=(const lock_holder&) = delete;
  ~lock_holder() { release(); }

  // Starts `sqlite3 <db>` and runs BEGIN EXCLUSIVE; returns once the shell confirmed it holds
  // the lock ("" on success, else why not).
  std::string acquire(const std::string& db) {
    const auto shell = sqlite3_shell();
    if (shell.empty()) return "the sqlite3 command-line shell is not installed (apt-get install sqlite3)";
    int in[2];
    int out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return "pipe2 failed";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(out[1], STDERR_FILENO);
      ::execl(shell.c_str(), shell.c_str(), "-batch", db.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    to_ = in[1];
    from_ = out[0];
    send(".timeout 5000\nBEGIN EXCLUSIVE;\nSELECT 'lock' || 'held';\n");
    std::string seen;
    const auto t0 = clock_type::now();
    while (seen.find("lockheld") == std::string::npos) {
      if (ms_since(t0) > 10s) return "the shell did not report the lock within 10 s: " + seen;
      pollfd p{from_, POLLIN, 0};
      if (::poll(&p, 1, 100) == 1) {
        char buf[512];
        const ssize_t n = ::read(from_, buf, sizeof buf);
        if (n <= 0) return "the shell exited: " + seen;
        seen.append(buf, static_cast<std::size_t>(n));
      }
    }
    return "";
  }

  // ROLLBACK and quit; waits (bounded) for the shell to exit.
  void release() {
    if (pid_ <= 0) return;
    send("ROLLBACK;\n.quit\n");
    ::close(to_);
    const auto t0 = clock_type::now();
    int st = 0;
    while (::waitpid(pid_, &st, WNOHANG) == 0) {
      if (ms_since(t0) > 5s) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &st, 0);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    ::close(from_);
    pid_ = -1;
  }

 private:
  void send(std::string_view s) {
    while (!s.empty()) {
      const ssize_t n = ::write(to_, s.data(), s.size());
      if (n <= 0) return;
      s.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  pid_t pid_ = -1;
  int to_ = -1;
  int from_ = -1;
};

// Starts the server expecting it to refuse: returns its log, with the exit status in `status`.
std::string expect_startup_failure(server_process& srv, const server_options& opts, int& status) {
  try {
    srv.start(opts, 20s);
  } catch (const std::runtime_error&) {
    status = srv.exit_status().value_or(-1);
    return srv.log_text();
  }
  status = 0;
  srv.kill9();
  return "the server started";
}

TEST(StorageLock, writeLockHeldAtStartupIsAClearErrorThenItStartsOnceReleased) {
  server_process srv;
  ASSERT_NO_THROW(srv.start());
  server_options opts;
  opts.db_path = srv.db_path();
  ASSERT_EQ(srv.terminate(), 0);

  lock_holder lock;
  ASSERT_EQ(lock.acquire(opts.db_path), "");
  const auto t0 = clock_type::now();
  int status = 0;
  const std::string log = expect_startup_failure(srv, opts, status);
  EXPECT_EQ(status, 1) << log;
  EXPECT_NE(log.find("is locked by another process"), std::string::npos) << log;
  EXPECT_LT(ms_since(t0), 15s) << "the start-up wait for the lock is bounded by the busy timeout";

  lock.release();
  ASSERT_NO_THROW(srv.start(opts));
  auto c = make_client(srv);
  EXPECT_EQ(c.post("Users", make_user(unique("lk") + "@example.com", unique("e"))).status, 201);
}

TEST(StorageLock, writeLockHeldWhileRunningAnswers503WithRetryAfterThenRecovers) {
  server_process srv;
  ASSERT_NO_THROW(srv.start({.extra_args = {"--log-format", "json"}}));
  auto c = make_client(srv, 20s);
  const std::string before = unique("lb") + "@example.com";
  ASSERT_EQ(c.post("Users", make_user(before, unique("e"))).status, 201);

  lock_holder lock;
  ASSERT_EQ(lock.acquire(srv.db_path()), "");
  const std::string during = unique("ld") + "@example.com";
  const auto t0 = clock_type::now();
  auto r = c.post("Users", make_user(during, unique("e")));
  const auto took = ms_since(t0);
  EXPECT_TRUE(is_scim_error(r, 503)) << r;
  EXPECT_EQ(r.header("retry-after"), "5") << r;
  EXPECT_LT(took, 10s) << "a write waits at most the busy timeout";
  // Readers are not blocked by a writer in WAL mode.
  auto list = c.get(users_filter("userName eq \"" + before + "\""));
  EXPECT_EQ(list.status, 200) << list;
  EXPECT_EQ(list.json().value("totalResults", -1), 1);
  // One JSON log line at error level names the SQLite error.
  auto lines = wait_for_log_lines(srv, "store: write failed", 1, 2s);
  ASSERT_EQ(lines.size(), 1u) << srv.log_tail();
  auto line = json::parse(lines[0], nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << "not a JSON line: " << lines[0];
  EXPECT_EQ(line.value("level", ""), "error") << lines[0];
  EXPECT_EQ(line.value("sqlite", ""), "SQLITE_BUSY") << lines[0];
  EXPECT_EQ(line.value("status", 0), 503) << lines[0];

  lock.release();
  const std::string after = unique("la") + "@example.com";
  EXPECT_EQ(c.post("Users", make_user(after, unique("e"))).status, 201) << "no restart needed once the lock is gone";
  EXPECT_EQ(c.get(users_filter("userName eq \"" + during + "\"")).json().value("totalResults", -1), 0);
  EXPECT_EQ(c.get(users_filter("userName eq \"" + after + "\"")).json().value("totalResults", -1), 1);
  EXPECT_EQ(c.get("/readyz", {{"authorization", std::nullopt}}).status, 200);
}

// A directory the server can use, and a server_options that runs it as someone to whom
// permissions apply (root ignores them).
class StorageReadOnly : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("emuscim-ro-" + random_uuid());
    fs::create_directories(dir_);
    ::chmod(dir_.c_str(), 0755);
    opts_.db_path = (dir_ / "emuscim.db").string();
    if (::geteuid() == 0) {
      const passwd* nobody = ::getpwnam("nobody");
      if (nobody == nullptr) GTEST_SKIP() << "running as root and there is no user 'nobody' to drop to";
      uid_ = nobody->pw_uid;
      gid_ = nobody->pw_gid;
      opts_.run_as = std::make_pair(uid_, gid_);
      ASSERT_EQ(::chown(dir_.c_str(), uid_, gid_), 0);
    }
    // Create the database, stop cleanly (the -wal and -shm files go away).
    try {
      srv_.start(opts_);
    } catch (const std::runtime_error& e) {
      if (srv_.exit_status() == run_as_failed_status) GTEST_SKIP() << "cannot switch to user 'nobody' here: " << e.what();
      FAIL() << e.what();
    }
    ASSERT_EQ(srv_.terminate(), 0);
    ASSERT_FALSE(fs::exists(opts_.db_path + "-wal"));
  }
  void TearDown() override {
    srv_.kill9();
    ::chmod(dir_.c_str(), 0755);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
  server_options opts_;
  server_process srv_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

TEST_F(StorageReadOnly, readOnlyDirectoryAtStartupIsAClearErrorThenItStartsOnceWritable) {
  ASSERT_EQ(::chmod(dir_.c_str(), 0555), 0);
  int status = 0;
  const std::string log = expect_startup_failure(srv_, opts_, status);
  EXPECT_EQ(status, 1) << log;
  EXPECT_TRUE(std::regex_search(
      log, std::regex("emuscim: database '[^']*emuscim\\.db': its directory is read-only, so .*-wal.*-shm.* cannot be created")))
      << log;

  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  ASSERT_NO_THROW(srv_.start(opts_));
  auto c = make_client(srv_);
  EXPECT_EQ(c.post("Users", make_user(unique("ro") + "@example.com", unique("e"))).status, 201);
}

TEST_F(StorageReadOnly, readOnlyDatabaseFileAtStartupIsAClearErrorThenItStartsOnceWritable) {
  ASSERT_EQ(::chmod(opts_.db_path.c_str(), 0444), 0);
  int status = 0;
  const std::string log = expect_startup_failure(srv_, opts_, status);
  EXPECT_EQ(status, 1) << log;
  EXPECT_TRUE(std::regex_search(log, std::regex("emuscim: database '[^']*emuscim\\.db' is read-only"))) << log;

  ASSERT_EQ(::chmod(opts_.db_path.c_str(), 0644), 0);
  ASSERT_NO_THROW(srv_.start(opts_));
  auto c = make_client(srv_);
  EXPECT_EQ(c.post("Users", make_user(unique("rf") + "@example.com", unique("e"))).status, 201);
}

TEST_F(StorageReadOnly, directoryTurningReadOnlyWhileRunningChangesNothing) {
  ASSERT_NO_THROW(srv_.start(opts_));
  auto c = make_client(srv_);
  ASSERT_EQ(::chmod(dir_.c_str(), 0555), 0);
  const std::string name = unique("rw") + "@example.com";
  EXPECT_EQ(c.post("Users", make_user(name, unique("e"))).status, 201);
  // A clean stop cannot delete the -wal and -shm files now; the next start uses them.
  ASSERT_EQ(srv_.terminate(), 0);
  ASSERT_NO_THROW(srv_.start(opts_));
  auto again = make_client(srv_);
  EXPECT_EQ(again.get(users_filter("userName eq \"" + name + "\"")).json().value("totalResults", -1), 1);
  EXPECT_EQ(again.post("Users", make_user(unique("rw") + "@example.com", unique("e"))).status, 201);
}

}  // namespace
}  // namespace emuscim::test
