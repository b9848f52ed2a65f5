#include "emuscim/store/database.hpp"

#include <sqlite3.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "emuscim/store/migrations_data.hpp"

namespace emuscim::store {

namespace {

std::atomic<std::uint64_t> next_database_id{1};

int migration_version(const char* file_name) {
  // "V001__initial.sql" -> 1
  return std::atoi(file_name + 1);
}

void configure(connection& db, const database_options& opts, bool writer) {
  db.set_busy_timeout(opts.busy_timeout);
  db.exec("PRAGMA foreign_keys = ON");
  db.exec(opts.durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA temp_store = MEMORY");
  db.exec("PRAGMA cache_size = -16000");  // 16 MiB per connection
  if (!writer) db.exec("PRAGMA query_only = ON");
}

int read_user_version(connection& db) {
  statement s(db, "PRAGMA user_version");
  s.step();
  return static_cast<int>(s.get_int(0));
}

// Refuses files that are not emuscim databases before anything writes to them.
void check_compatible(connection& db, const std::string& path) {
  std::int64_t tables = 0;
  try {
    statement s(db, "SELECT count(*) FROM sqlite_schema");
    s.step();
    tables = s.get_int(0);
  } catch (const sqlite_error& e) {
    int primary = e.code() & 0xff;
    if (primary != SQLITE_NOTADB && primary != SQLITE_CORRUPT) throw;  // cannot open, locked, I/O: not its content
    throw incompatible_database("database '" + path + "' is not an SQLite database (" + e.what() + "); refusing to use it");
  }
  int version = read_user_version(db);
  if (tables == 0 && version == 0) return;  // new or empty file
  bool ours = false;
  try {
    statement s(db, "SELECT value FROM emuscim_meta WHERE key = 'application'");
    ours = s.step() && s.get_text_view(0) == "emuscim";
  } catch (const sqlite_error& e) {
    if ((e.code() & 0xff) != SQLITE_ERROR) throw;  // "no such table" means foreign; I/O or busy is no verdict
    ours = false;
  }
  if (!ours) {
    throw incompatible_database("database '" + path +
                                "' is an SQLite database but not an emuscim database; refusing to use it");
  }
  if (version > database::latest_schema_version()) {
    throw incompatible_database("database '" + path + "' has schema version " + std::to_string(version) +
                                ", newer than this emuscim supports (" +
                                std::to_string(database::latest_schema_version()) + "); upgrade emuscim");
  }
}


constexpr int kBusyRetryAfterSeconds = 5;  // a locked database: Retry-After on its 503

// Written by the seal (see database::recover).
constexpr const char* kSeal =
    "INSERT INTO emuscim_meta(key, value) VALUES ('write_seal', ?1) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value";

std::string errno_text(int e) { return e != 0 ? std::string(std::strerror(e)) : std::string(); }

// The fields every storage failure line carries: the SQLite code's name first.
nlohmann::json failure_fields(const sqlite_error& e, const nlohmann::json& more) {
  nlohmann::json f = {{"sqlite", sqlite_code_name(e.code())}, {"error", e.what()}};
  if (e.system_errno() != 0) f["errno"] = errno_text(e.system_errno());
  for (const auto& [k, v] : more.items()) f[k] = v;
  return f;
}

// "disk I/O error (SQLITE_IOERR_FSYNC, Input/output error)"
std::string reason(const sqlite_error& e) {
  std::string out = sqlite3_errstr(e.code());
  out += " (";
  out += sqlite_code_name(e.code());
  if (e.system_errno() != 0) out += ", " + errno_text(e.system_errno());
  out += ")";
  return out;
}

// The one-line start-up error for a database that cannot be used for what it is not.
std::string startup_message(const std::string& path, const sqlite_error& e, std::chrono::milliseconds busy_timeout) {
  const std::string files = "emuscim needs to read and write '" + path + "' and to create '" + path + "-wal' and '" +
                            path + "-shm' next to it";
  switch (e.code() & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "database '" + path + "' is locked by another process (still " + sqlite_code_name(e.code()) + " after " +
             std::to_string(busy_timeout.count()) + " ms); stop the process that holds its write lock or use another --db";
    case SQLITE_READONLY:
      if (e.code() == SQLITE_READONLY_DIRECTORY) {
        return "database '" + path + "': its directory is read-only, so '" + path + "-wal' and '" + path +
               "-shm' cannot be created (" + sqlite_code_name(e.code()) + "); " + files;
      }
      return "database '" + path + "' is read-only: " + reason(e) + "; " + files;
    case SQLITE_CANTOPEN:
      return "cannot open database '" + path + "': " + reason(e) + "; " + files;
    case SQLITE_FULL:
      return "database '" + path + "': the disk is full: " + reason(e);
    case SQLITE_IOERR:
      return "database '" + path + "': I/O error: " + reason(e);
    default:
      return "database '" + path + "': " + e.what() + " (" + sqlite_code_name(e.code()) + ")";
  }
}

// One log line in the server's format (the HTTP layer's log_line shape: message, then fields).
void log(bool json_log, spdlog::level::level_enum level, std::string_view msg, const nlohmann::json& fields) {
  std::string line;
  if (json_log) {
    // The same shape as the HTTP layer's JSON lines: "msg" first, then the fields.
    line = "\"msg\":" + nlohmann::json(std::string(msg)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const auto& [k, v] : fields.items()) {
      line += "," + nlohmann::json(k).dump() + ":" + v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  } else {
    line = msg;
    for (const auto& [k, v] : fields.items()) line += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  spdlog::log(level, "{}", line);
}

}  // namespace

int database::latest_schema_version() {
  int v = 0;
  for (const auto& [name, sql] : generated::migrations) v = std::max(v, migration_version(name));
  return v;
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
  std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string sqlite_code_name(int code) {
  switch (code) {
    case SQLITE_FULL: return "SQLITE_FULL";
    case SQLITE_IOERR: return "SQLITE_IOERR";
    case SQLITE_IOERR_READ: return "SQLITE_IOERR_READ";
    case SQLITE_IOERR_SHORT_READ: return "SQLITE_IOERR_SHORT_READ";
    case SQLITE_IOERR_WRITE: return "SQLITE_IOERR_WRITE";
    case SQLITE_IOERR_FSYNC: return "SQLITE_IOERR_FSYNC";
    case SQLITE_IOERR_DIR_FSYNC: return "SQLITE_IOERR_DIR_FSYNC";
    case SQLITE_IOERR_TRUNCATE: return "SQLITE_IOERR_TRUNCATE";
    case SQLITE_IOERR_FSTAT: return "SQLITE_IOERR_FSTAT";
    case SQLITE_IOERR_LOCK: return "SQLITE_IOERR_LOCK";
    case SQLITE_IOERR_DELETE: return "SQLITE_IOERR_DELETE";
    case SQLITE_IOERR_NOMEM: return "SQLITE_IOERR_NOMEM";
    case SQLITE_IOERR_ACCESS: return "SQLITE_IOERR_ACCESS";
    case SQLITE_IOERR_SHMOPEN: return "SQLITE_IOERR_SHMOPEN";
    case SQLITE_IOERR_SHMSIZE: return "SQLITE_IOERR_SHMSIZE";
    case SQLITE_IOERR_SHMMAP: return "SQLITE_IOERR_SHMMAP";
    case SQLITE_IOERR_SEEK: return "SQLITE_IOERR_SEEK";
    case SQLITE_IOERR_MMAP: return "SQLITE_IOERR_MMAP";
    case SQLITE_IOERR_DATA: return "SQLITE_IOERR_DATA";
    case SQLITE_IOERR_CORRUPTFS: return "SQLITE_IOERR_CORRUPTFS";
    case SQLITE_BUSY: return "SQLITE_BUSY";
    case SQLITE_BUSY_RECOVERY: return "SQLITE_BUSY_RECOVERY";
    case SQLITE_BUSY_SNAPSHOT: return "SQLITE_BUSY_SNAPSHOT";
    case SQLITE_BUSY_TIMEOUT: return "SQLITE_BUSY_TIMEOUT";
    case SQLITE_LOCKED: return "SQLITE_LOCKED";
    case SQLITE_READONLY: return "SQLITE_READONLY";
    case SQLITE_READONLY_RECOVERY: return "SQLITE_READONLY_RECOVERY";
    case SQLITE_READONLY_CANTLOCK: return "SQLITE_READONLY_CANTLOCK";
    case SQLITE_READONLY_ROLLBACK: return "SQLITE_READONLY_ROLLBACK";
    case SQLITE_READONLY_DBMOVED: return "SQLITE_READONLY_DBMOVED";
    case SQLITE_READONLY_CANTINIT: return "SQLITE_READONLY_CANTINIT";
    case SQLITE_READONLY_DIRECTORY: return "SQLITE_READONLY_DIRECTORY";
    case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN";
    case SQLITE_CANTOPEN_ISDIR: return "SQLITE_CANTOPEN_ISDIR";
    case SQLITE_CANTOPEN_FULLPATH: return "SQLITE_CANTOPEN_FULLPATH";
    default: break;
  }
  // Primary result codes 0..28, in order.
  static constexpr const char* primary[] = {
      "SQLITE_OK",       "SQLITE_ERROR",    "SQLITE_INTERNAL", "SQLITE_PERM",       "SQLITE_ABORT",
      "SQLITE_BUSY",     "SQLITE_LOCKED",   "SQLITE_NOMEM",    "SQLITE_READONLY",   "SQLITE_INTERRUPT",
      "SQLITE_IOERR",    "SQLITE_CORRUPT",  "SQLITE_NOTFOUND", "SQLITE_FULL",       "SQLITE_CANTOPEN",
      "SQLITE_PROTOCOL", "SQLITE_EMPTY",    "SQLITE_SCHEMA",   "SQLITE_TOOBIG",     "SQLITE_CONSTRAINT",
      "SQLITE_MISMATCH", "SQLITE_MISUSE",   "SQLITE_NOLFS",    "SQLITE_AUTH",       "SQLITE_FORMAT",
      "SQLITE_RANGE",    "SQLITE_NOTADB",   "SQLITE_NOTICE",   "SQLITE_WARNING"};
  const int p = code & 0xff;
  std::string name = p < static_cast<int>(std::size(primary)) ? primary[p] : "SQLITE_" + std::to_string(p);
  if (p != code) name += "(" + std::to_string(code) + ")";
  return name;
}

bool is_storage_failure(const sqlite_error& e) noexcept {
  switch (e.code() & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
      return true;
    default:
      return false;
  }
}

scim::error storage_failure(const sqlite_error& e) {
  switch (e.code() & 0xff) {
    case SQLITE_FULL:
      return {507, "", "Insufficient storage: the server's disk is full. Nothing was changed; retry once space has "
                       "been freed."};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {.status = 503,
              .detail = "Service unavailable: another process holds the database's write lock. Nothing was "
                        "changed; retry after " + std::to_string(kBusyRetryAfterSeconds) + " seconds.",
              .retry_after = kBusyRetryAfterSeconds};
    case SQLITE_READONLY:
      return {503, "", "Service unavailable: the server's storage is read-only. Nothing was changed; retry later."};
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
      return {503, "", "Service unavailable: the server could not read or write its storage (I/O error). Nothing was "
                       "changed; retry later."};
    default:
      return scim::internal(std::string("Storage error: ") + e.what());
  }
}

database::database(database_options opts) : opts_(std::move(opts)), id_(next_database_id.fetch_add(1)) {
  bool memory = opts_.path == ":memory:" || opts_.path.empty();
  if (memory) {
    // A shared-cache in-memory database so that readers see the writer's data.
    opts_.path = "file:emuscim-mem-" + std::to_string(id_) + "?mode=memory&cache=shared";
  }
  try {
    writer_ = std::make_unique<connection>(opts_.path);
    // SQLite silently opens a file it may not write read-only. Refuse it before reading it
    // creates -wal and -shm files (with the database file's read-only permissions).
    if (opts_.require_writable && !memory && sqlite3_db_readonly(writer_->handle(), "main") == 1) {
      throw sqlite_error(SQLITE_READONLY, "the file opened read-only", 0);
    }
    check_compatible(*writer_, opts_.path);
    if (!memory) {
      statement s(*writer_, "PRAGMA journal_mode = WAL");
      s.step();
      if (s.get_text_view(0) != "wal") {
        throw incompatible_database("database '" + opts_.path + "': WAL mode unavailable");
      }
    }
    configure(*writer_, opts_, true);

    int version = read_user_version(*writer_);
    if (version < latest_schema_version()) {
      transaction tx(*writer_, transaction::kind::immediate);
      version = read_user_version(*writer_);  // another process may have migrated meanwhile
      for (const auto& [name, sql] : generated::migrations) {
        int v = migration_version(name);
        if (v <= version) continue;
        writer_->exec(sql);
        writer_->exec(("PRAGMA user_version = " + std::to_string(v)).c_str());
        version = v;
      }
      tx.commit();
    }
    schema_version_ = version;
    if (opts_.require_writable && !memory) {
      // A file whose write lock another process holds would answer every write with 503.
      transaction probe(*writer_, transaction::kind::immediate);  // waits up to the busy timeout; rolled back
    }
  } catch (const sqlite_error& e) {
    throw sqlite_error(e.code(), startup_message(opts_.path, e, opts_.busy_timeout), e.system_errno());
  }
  thread_ = std::thread([this] { writer_loop(); });
}

database::~database() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lk(readers_mu_);
  readers_.clear();
  writer_.reset();
}

connection& database::reader() {
  // Per thread: database id -> its read connection. Ids are never reused, so an entry of a
  // destroyed database is never looked up again.
  thread_local std::unordered_map<std::uint64_t, connection*> mine;
  auto it = mine.find(id_);
  if (it != mine.end()) return *it->second;
  auto conn = std::make_unique<connection>(opts_.path, connection::mode::read_write);
  configure(*conn, opts_, false);
  connection* raw = conn.get();
  {
    std::lock_guard lk(readers_mu_);
    readers_.push_back(std::move(conn));
  }
  mine.emplace(id_, raw);
  return *raw;
}

void database::note_read_failure(const sqlite_error& e) noexcept {
  try {
    log(opts_.json_log, spdlog::level::err, "store: read failed", failure_fields(e, {{"status", storage_failure(e).status}}));
  } catch (...) {
  }
}

bool database::ready() {
  if (degraded()) return false;
  try {
    return read([](connection& db) { return read_user_version(db); }) == latest_schema_version();
  } catch (const std::exception&) {
    return false;
  }
}

void database::submit(std::unique_ptr<job> j) {
  {
    std::lock_guard lk(mu_);
    queue_.push_back(std::move(j));
  }
  cv_.notify_one();
}

void database::writer_loop() {
  std::deque<std::unique_ptr<job>> batch;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      auto has_work = [&] { return stopping_ || !queue_.empty(); };
      if (degraded()) {
        // Writes are failing: try again on our own now and then, so that /readyz and the next
        // request see the storage back as soon as it is.
        cv_.wait_for(lk, opts_.recovery_interval, has_work);
      } else {
        cv_.wait(lk, has_work);
      }
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < opts_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (batch.empty()) {
      recover();
      continue;
    }
    run_batch(batch);
    batch.clear();
  }
}

// After a failed COMMIT, the WAL file may hold the failed transaction's frames complete with a
// valid commit frame (e.g. the fsync failed after every write succeeded). SQLite ignores them
// while it runs (they are past the WAL index's end) but a recovery after a crash would replay
// them: a transaction answered 5xx would reappear. Any later commit overwrites them from the
// same position, which breaks their checksum chain, so recover() commits a tiny write at once
// (the "seal") before the failed jobs are answered. It first replaces the writer connection
// (opened before the old one closes, so the WAL index stays live and nothing is recovered from
// the file), as SQLite advises after I/O errors.
bool database::recover() {
  try {
    connection fresh(opts_.path, connection::mode::read_write);
    configure(fresh, opts_, true);
    read_user_version(fresh);
    *writer_ = std::move(fresh);
    transaction tx(*writer_, transaction::kind::immediate);
    {
      use seal(*writer_, kSeal);
      seal->bind(1, now_rfc3339() + " " + std::to_string(++seals_));
      seal->run();
    }
    tx.commit();
  } catch (const std::exception& e) {
    if (!recovery_failure_logged_) {
      recovery_failure_logged_ = true;
      const auto* se = dynamic_cast<const sqlite_error*>(&e);
      log(opts_.json_log, spdlog::level::warn, "store: writes still fail; retrying in the background",
          failure_fields(se ? *se : sqlite_error(SQLITE_ERROR, e.what()), {{"interval_ms", opts_.recovery_interval.count()}}));
    }
    return false;
  }
  mark_recovered();
  return true;
}

void database::mark_recovered() {
  if (degraded()) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - degraded_since_);
    log(opts_.json_log, spdlog::level::info, "store: writes work again",
        {{"failed_batches", failed_batches_}, {"after_ms", ms.count()}});
  }
  degraded_.store(false, std::memory_order_release);
  failed_batches_ = 0;
  recovery_failure_logged_ = false;
}

void database::run_batch(std::deque<std::unique_ptr<job>>& batch) {
  if (degraded()) recover();  // the batch decides its own outcome either way
  write_context ctx{*writer_, now_rfc3339()};
  sqlite3* h = writer_->handle();
  std::optional<sqlite_error> failure;
  const char* during = "BEGIN";
  auto fail_with = [&](const std::exception& e) {
    if (const auto* se = dynamic_cast<const sqlite_error*>(&e)) {
      failure = *se;
    } else {
      failure = sqlite_error(SQLITE_ERROR, e.what());
    }
  };
  try {
    writer_->exec("BEGIN IMMEDIATE");
  } catch (const std::exception& e) {
    fail_with(e);
  }
  for (auto& j : batch) {
    if (failure) break;
    during = "a write job";
    try {
      writer_->exec("SAVEPOINT job");
      bool ok = j->run(ctx);
      // Some errors (I/O, full disk) make SQLite roll back the whole transaction: nothing of
      // this batch may then be reported as committed.
      if (sqlite3_get_autocommit(h)) {
        failure = ctx.failure ? *ctx.failure : sqlite_error(sqlite3_extended_errcode(h), sqlite3_errmsg(h));
        break;
      }
      if (ok) {
        writer_->exec("RELEASE job");
      } else {
        writer_->exec("ROLLBACK TO job");
        writer_->exec("RELEASE job");
        j->after_rollback(ctx);
        if (sqlite3_get_autocommit(h)) {
          failure = ctx.failure ? *ctx.failure : sqlite_error(sqlite3_extended_errcode(h), sqlite3_errmsg(h));
          break;
        }
      }
    } catch (const std::exception& e) {
      fail_with(e);
    }
    ctx.failure.reset();
  }
  if (!failure) {
    during = "COMMIT";
    try {
      writer_->exec("COMMIT");
    } catch (const std::exception& e) {
      fail_with(e);
    }
  }
  if (!failure) {
    if (degraded()) mark_recovered();  // this commit sealed the WAL like recover() would have
    for (auto& j : batch) j->complete(nullptr);
    return;
  }
  if (!sqlite3_get_autocommit(h)) sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);

  const scim::error answer = storage_failure(*failure);
  log(opts_.json_log, spdlog::level::err, "store: write failed; nothing of it was saved",
      failure_fields(*failure, {{"during", during}, {"requests", batch.size()}, {"status", answer.status}}));
  if (!failure->is_busy() && is_storage_failure(*failure)) {
    if (!degraded()) {
      degraded_since_ = std::chrono::steady_clock::now();
      degraded_.store(true, std::memory_order_release);
    }
    ++failed_batches_;
    recover();  // seal before anyone hears "failed"
  }
  for (auto& j : batch) j->complete(&answer);
}

}  // namespace emuscim::store
