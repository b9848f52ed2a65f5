// How store::database reports SQLite failures: the status table of storage_failure(), reads
// that return a scim::result, write jobs whose batch cannot start (another process holds the
// write lock), and the start-up error for a locked file. (Read-only files and directories:
// tests/e2e/lock_faults_test.cpp, which runs the server as 'nobody' when the tests run as root.)

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "emuscim/store/database.hpp"
#include "emuscim/store/repo.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace emuscim;
using namespace emuscim::store;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/emuscim-errors-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() {
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(path);
  }
};

TEST(StorageFailure, statusForEverySqliteErrorClass) {
  struct row {
    int code;
    int status;
    int retry_after;
    const char* name;
  };
  const row table[] = {
      {SQLITE_FULL, 507, 0, "SQLITE_FULL"},
      {SQLITE_IOERR, 503, 0, "SQLITE_IOERR"},
      {SQLITE_IOERR_WRITE, 503, 0, "SQLITE_IOERR_WRITE"},
      {SQLITE_IOERR_FSYNC, 503, 0, "SQLITE_IOERR_FSYNC"},
      {SQLITE_IOERR_TRUNCATE, 503, 0, "SQLITE_IOERR_TRUNCATE"},
      {SQLITE_IOERR_SHORT_READ, 503, 0, "SQLITE_IOERR_SHORT_READ"},
      {SQLITE_READONLY, 503, 0, "SQLITE_READONLY"},
      {SQLITE_READONLY_DIRECTORY, 503, 0, "SQLITE_READONLY_DIRECTORY"},
      {SQLITE_CANTOPEN, 503, 0, "SQLITE_CANTOPEN"},
      {SQLITE_NOMEM, 503, 0, "SQLITE_NOMEM"},
      {SQLITE_BUSY, 503, 5, "SQLITE_BUSY"},
      {SQLITE_BUSY_TIMEOUT, 503, 5, "SQLITE_BUSY_TIMEOUT"},
      {SQLITE_LOCKED, 503, 5, "SQLITE_LOCKED"},
      {SQLITE_CORRUPT, 500, 0, "SQLITE_CORRUPT"},
      {SQLITE_CONSTRAINT_UNIQUE, 500, 0, "SQLITE_CONSTRAINT(2067)"},
      {SQLITE_ERROR, 500, 0, "SQLITE_ERROR"},
  };
  for (const auto& r : table) {
    SCOPED_TRACE(r.name);
    const sqlite_error e(r.code, "step: something");
    const auto err = storage_failure(e);
    EXPECT_EQ(err.status, r.status);
    EXPECT_EQ(err.retry_after, r.retry_after);
    EXPECT_TRUE(err.scim_type.empty());
    EXPECT_FALSE(err.detail.empty());
    EXPECT_EQ(is_storage_failure(e), r.status != 500);
    EXPECT_EQ(sqlite_code_name(r.code), r.name);
  }
}

TEST(StorageFailure, readReturningAResultGetsTheErrorOthersSeeTheException) {
  database db({":memory:"});
  auto io = db.read([](connection&) -> scim::result<int> { throw sqlite_error(SQLITE_IOERR_READ, "step: disk I/O error"); });
  ASSERT_FALSE(io);
  EXPECT_EQ(io.error().status, 503);
  auto full = db.read([](connection&) -> scim::result<int> { throw sqlite_error(SQLITE_FULL, "step: full"); });
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().status, 507);
  // Not a storage failure (a bug): still thrown, as before.
  EXPECT_THROW(db.read([](connection&) -> scim::result<int> { throw sqlite_error(SQLITE_CONSTRAINT_UNIQUE, "x"); }),
               sqlite_error);
  // Not a result: thrown.
  EXPECT_THROW(db.read([](connection&) -> int { throw sqlite_error(SQLITE_IOERR, "x"); }), sqlite_error);
}

// Another connection holds the write lock: the batch cannot begin; its jobs never ran and get
// 503 + Retry-After within the busy timeout; after the lock, writes work.
TEST(StorageFailure, jobsOfABatchThatCannotBeginGet503WithRetryAfter) {
  temp_dir d;
  const auto path = (d.path / "a.db").string();
  database db({.path = path, .busy_timeout = 300ms});
  connection other(path);
  other.exec("BEGIN EXCLUSIVE");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = db.write_sync<bool>([](write_context& w) -> scim::result<bool> {
    ensure_enterprise(w.db, "acme", "acme", w.now);
    return true;
  });
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "a write waits about the busy timeout";
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 503);
  EXPECT_EQ(r.error().retry_after, 5);
  EXPECT_FALSE(db.degraded()) << "a lock is not a storage fault";
  other.exec("ROLLBACK");
  auto ok = db.write_sync<bool>([](write_context& w) -> scim::result<bool> {
    ensure_enterprise(w.db, "acme", "acme", w.now);
    return true;
  });
  EXPECT_TRUE(ok);
}

TEST(StorageFailure, startupRefusesALockedFileWithOneLine) {
  temp_dir d;
  const auto path = (d.path / "a.db").string();
  { database first({.path = path}); }
  connection other(path);
  other.exec("BEGIN EXCLUSIVE");
  try {
    database db({.path = path, .busy_timeout = 300ms});
    FAIL() << "opened a database whose write lock another connection holds";
  } catch (const sqlite_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("is locked by another process"), std::string::npos) << what;
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  other.exec("ROLLBACK");
  EXPECT_NO_THROW(database({.path = path}));
  // Read-only commands may opt out of the probe.
  other.exec("BEGIN EXCLUSIVE");
  EXPECT_NO_THROW(database({.path = path, .require_writable = false, .busy_timeout = 300ms}));
  other.exec("ROLLBACK");
}

}  // namespace
