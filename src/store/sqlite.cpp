#include "emuscim/store/sqlite.hpp"

#include <sqlite3.h>

#include <utility>

namespace emuscim::store {

namespace {

// errno behind an error that came from a system call (else 0: sqlite3_system_errno may be stale).
int system_errno_for(sqlite3* db, int ext) {
  switch (ext & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return db ? sqlite3_system_errno(db) : 0;
    default:
      return 0;
  }
}

[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view context) {
  int ext = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw sqlite_error(ext, msg, system_errno_for(db, ext));
}

void check(sqlite3* db, int rc, std::string_view context) {
  if (rc != SQLITE_OK) throw_error(db, rc, context);
}

}  // namespace

bool sqlite_error::is_unique_violation() const noexcept {
  return code_ == SQLITE_CONSTRAINT_UNIQUE || code_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}

bool sqlite_error::is_busy() const noexcept {
  int primary = code_ & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

connection::connection(const std::string& path, mode m) : path_(path) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (path.rfind("file:", 0) == 0) flags |= SQLITE_OPEN_URI;
  switch (m) {
    case mode::read_write_create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case mode::read_write: flags |= SQLITE_OPEN_READWRITE; break;
    case mode::read_only: flags |= SQLITE_OPEN_READONLY; break;
  }
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open database '" + path + "': " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    int ext = db_ ? sqlite3_extended_errcode(db_) : rc;
    int sys = system_errno_for(db_, ext);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw sqlite_error(ext, msg, sys);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
}

connection::~connection() {
  cache_.clear();  // finalize statements before closing
  if (db_) sqlite3_close_v2(db_);
}

connection::connection(connection&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)), cache_(std::move(o.cache_)) {}

connection& connection::operator=(connection&& o) noexcept {
  if (this != &o) {
    cache_.clear();
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
    cache_ = std::move(o.cache_);
  }
  return *this;
}

void connection::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    int ext = sqlite3_extended_errcode(db_);
    throw sqlite_error(ext, "exec: " + msg, system_errno_for(db_, ext));
  }
}

statement& connection::cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<statement>(*this, sql)).first;
  return *it->second;
}

void connection::set_busy_timeout(std::chrono::milliseconds timeout) {
  sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
}

std::int64_t connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int connection::changes() const { return sqlite3_changes(db_); }

statement::statement(connection& db, const char* sql) : db_(&db) {
  int rc = sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  check(db.handle(), rc, "prepare");
}

statement::~statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

statement::statement(statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}

statement& statement::bind(int index, std::int64_t v) {
  check(db_->handle(), sqlite3_bind_int64(stmt_, index, v), "bind");
  return *this;
}

statement& statement::bind(int index, std::string_view v) {
  check(db_->handle(), sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8), "bind");
  return *this;
}

statement& statement::bind(int index, std::span<const unsigned char> blob) {
  check(db_->handle(), sqlite3_bind_blob64(stmt_, index, blob.data(), blob.size(), SQLITE_TRANSIENT), "bind");
  return *this;
}

statement& statement::bind(int index, const std::optional<std::string>& v) {
  return v ? bind(index, std::string_view(*v)) : bind_null(index);
}

statement& statement::bind_null(int index) {
  check(db_->handle(), sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(db_->handle(), rc, "step");
}

void statement::run() {
  while (step()) {
  }
}

void statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t statement::get_int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string_view statement::get_text_view(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::string statement::get_text(int col) const { return std::string(get_text_view(col)); }

std::optional<std::string> statement::get_opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return get_text(col);
}

transaction::transaction(connection& db, kind k) : db_(db) {
  db_.exec(k == kind::immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}

transaction::~transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

savepoint::savepoint(connection& db, const char* name) : db_(db), name_(name) {
  db_.exec(("SAVEPOINT " + name_).c_str());
}

savepoint::~savepoint() {
  if (!done_) {
    sqlite3_exec(db_.handle(), ("ROLLBACK TO " + name_).c_str(), nullptr, nullptr, nullptr);
    sqlite3_exec(db_.handle(), ("RELEASE " + name_).c_str(), nullptr, nullptr, nullptr);
  }
}

void savepoint::release() {
  db_.exec(("RELEASE " + name_).c_str());
  done_ = true;
}

void savepoint::rollback() {
  db_.exec(("ROLLBACK TO " + name_).c_str());
  db_.exec(("RELEASE " + name_).c_str());
  done_ = true;
}

}  // namespace emuscim::store
