#pragma once
// A thin RAII layer over SQLite in SQLiteCpp's shape: constructors open or begin and throw,
// destructors close or roll back and never throw, objects are move-only.
// Thread-safety: a connection and its statements belong to one thread at a time.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace emuscim::store {

class sqlite_error : public std::runtime_error {
 public:
  sqlite_error(int code, const std::string& what, int system_errno = 0)
      : std::runtime_error(what), code_(code), system_errno_(system_errno) {}
  int code() const noexcept { return code_; }          // extended result code
  // errno of the failing system call for I/O, open, full-disk and read-only errors (else 0).
  int system_errno() const noexcept { return system_errno_; }
  bool is_unique_violation() const noexcept;           // SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY
  bool is_busy() const noexcept;                       // SQLITE_BUSY / SQLITE_LOCKED
 private:
  int code_;
  int system_errno_;
};

class statement;

class connection {
 public:
  enum class mode { read_write_create, read_write, read_only };
  // Opens `path` (":memory:" allowed). Sets a busy timeout; does not touch the schema.
  explicit connection(const std::string& path, mode m = mode::read_write_create);
  ~connection();
  connection(connection&&) noexcept;
  connection& operator=(connection&&) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void exec(const char* sql);  // one or more statements, no results
  // A prepared statement cached on this connection, keyed by the SQL text's address:
  // pass named constants (static storage), never request text. Reset on release.
  statement& cached(const char* sql);
  // How long a statement waits for another connection's lock before SQLITE_BUSY (default 5 s).
  void set_busy_timeout(std::chrono::milliseconds timeout);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const noexcept { return db_; }
  const std::string& path() const noexcept { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<const char*, std::unique_ptr<statement>> cache_;
};

class statement {
 public:
  statement(connection& db, const char* sql);
  ~statement();
  statement(statement&&) noexcept;
  statement& operator=(statement&&) = delete;
  statement(const statement&) = delete;

  // Binding is 1-based, as in SQLite.
  statement& bind(int index, std::int64_t v);
  statement& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
  statement& bind(int index, bool v) { return bind(index, static_cast<std::int64_t>(v ? 1 : 0)); }
  statement& bind(int index, std::string_view v);  // copied (SQLITE_TRANSIENT)
  statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  statement& bind(int index, std::span<const unsigned char> blob);
  statement& bind(int index, const std::optional<std::string>& v);
  statement& bind_null(int index);

  bool step();   // true while a row is available; throws on error
  void run();    // step to completion (for writes)
  void reset();  // reset and clear bindings

  bool is_null(int col) const;
  std::int64_t get_int(int col) const;
  std::string get_text(int col) const;
  std::string_view get_text_view(int col) const;  // valid until the next step/reset
  std::optional<std::string> get_opt_text(int col) const;

 private:
  connection* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a cached statement when it goes out of scope.
class use {
 public:
  use(connection& db, const char* sql) : s_(db.cached(sql)) {}
  ~use() { s_.reset(); }
  use(const use&) = delete;
  use& operator=(const use&) = delete;
  statement* operator->() { return &s_; }
  statement& operator*() { return s_; }
 private:
  statement& s_;
};

// BEGIN [IMMEDIATE] ... COMMIT; rolls back in the destructor unless committed.
class transaction {
 public:
  enum class kind { deferred, immediate };
  explicit transaction(connection& db, kind k = kind::deferred);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();
 private:
  connection& db_;
  bool done_ = false;
};

// SAVEPOINT name ... RELEASE; ROLLBACK TO + RELEASE in the destructor unless released.
class savepoint {
 public:
  savepoint(connection& db, const char* name);
  ~savepoint();
  savepoint(const savepoint&) = delete;
  savepoint& operator=(const savepoint&) = delete;
  void release();
  void rollback();  // roll back now and release
 private:
  connection& db_;
  std::string name_;
  bool done_ = false;
};

}  // namespace emuscim::store
