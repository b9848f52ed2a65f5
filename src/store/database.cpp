#include "emuscim/store/database.hpp"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <unordered_map>

#include "emuscim/store/migrations_data.hpp"

namespace emuscim::store {

namespace {

std::atomic<std::uint64_t> next_database_id{1};

int migration_version(const char* file_name) {
  // "V001__initial.sql" -> 1
  return std::atoi(file_name + 1);
}

void configure(connection& db, bool durable, bool writer) {
  db.exec("PRAGMA foreign_keys = ON");
  db.exec(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
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
    throw incompatible_database("database '" + path + "' is not an SQLite database (" + e.what() + "); refusing to use it");
  }
  int version = read_user_version(db);
  if (tables == 0 && version == 0) return;  // new or empty file
  bool ours = false;
  try {
    statement s(db, "SELECT value FROM emuscim_meta WHERE key = 'application'");
    ours = s.step() && s.get_text_view(0) == "emuscim";
  } catch (const sqlite_error&) {
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

database::database(database_options opts) : opts_(std::move(opts)), id_(next_database_id.fetch_add(1)) {
  bool memory = opts_.path == ":memory:" || opts_.path.empty();
  if (memory) {
    // A shared-cache in-memory database so that readers see the writer's data.
    opts_.path = "file:emuscim-mem-" + std::to_string(id_) + "?mode=memory&cache=shared";
  }
  writer_ = std::make_unique<connection>(opts_.path);
  check_compatible(*writer_, opts_.path);
  if (!memory) {
    statement s(*writer_, "PRAGMA journal_mode = WAL");
    s.step();
    if (s.get_text_view(0) != "wal") throw incompatible_database("database '" + opts_.path + "': WAL mode unavailable");
  }
  configure(*writer_, opts_.durable, true);

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
  configure(*conn, opts_.durable, false);
  connection* raw = conn.get();
  {
    std::lock_guard lk(readers_mu_);
    readers_.push_back(std::move(conn));
  }
  mine.emplace(id_, raw);
  return *raw;
}

bool database::ready() {
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
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < opts_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

void database::run_batch(std::deque<std::unique_ptr<job>>& batch) {
  write_context ctx{*writer_, now_rfc3339()};
  sqlite3* h = writer_->handle();
  bool ok = true;
  try {
    writer_->exec("BEGIN IMMEDIATE");
  } catch (const std::exception&) {
    ok = false;
  }
  for (auto& j : batch) {
    if (!ok) break;
    try {
      writer_->exec("SAVEPOINT job");
      if (j->run(ctx)) {
        writer_->exec("RELEASE job");
      } else {
        writer_->exec("ROLLBACK TO job");
        writer_->exec("RELEASE job");
        j->after_rollback(ctx);
      }
    } catch (const std::exception&) {
      ok = false;
    }
    // Some errors (I/O, full disk) make SQLite roll back the whole transaction; then
    // nothing of this batch may be reported as committed.
    if (sqlite3_get_autocommit(h)) ok = false;
  }
  if (ok) {
    try {
      writer_->exec("COMMIT");
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok && !sqlite3_get_autocommit(h)) sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
  for (auto& j : batch) j->complete(ok);
}

}  // namespace emuscim::store
