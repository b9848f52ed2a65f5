#pragma once
// The database: one SQLite file in WAL mode, a single writer thread that batches
// concurrent write jobs into one transaction (group commit), and one read connection per
// reading thread.
//
// Durability: synchronous=FULL, so a COMMIT returns only after the WAL is fsync'd; a job's
// completion runs only after its batch committed. A 2xx answer therefore survives kill -9.
// Isolation: every job runs inside its own SAVEPOINT within the batch; a job that fails
// (returns an error or throws) is rolled back alone and the others still commit.
// Storage failures (docs/RELIABILITY.md): when the disk is full, the file system fails, or another
// process holds the write lock, the batch fails as a whole and every job of it gets the reason
// as a scim::error (storage_failure(): 507, 503, 503 + Retry-After); the writer logs the SQLite
// error, and after an I/O failure it reopens its connection and "seals" the WAL (see
// run_batch) before answering, then keeps retrying in the background until writes work again.
// Thread-safety: write() and read() may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/store/sqlite.hpp"

namespace emuscim::store {

// What a write job sees: the writer connection, inside the batch transaction and the job's savepoint.
struct write_context {
  connection& db;
  std::string now;  // RFC 3339 UTC with milliseconds, one per batch
  // Set by a job that caught an SQLite error: when SQLite rolled the whole transaction back
  // (full disk, I/O error), it is the reason every job of the batch fails with.
  std::optional<sqlite_error> failure = std::nullopt;
};

// The answer for a request that failed on an SQLite error (docs/BEHAVIOUR.md, "Storage"):
// full disk 507; I/O error, read-only or unopenable file 503; busy/locked 503 with
// retry_after; anything else (a bug, a corrupt file) 500. The detail never names files.
scim::error storage_failure(const sqlite_error& e);
// True for the errors storage_failure() answers with 503/507: the storage, not the request.
bool is_storage_failure(const sqlite_error& e) noexcept;
// "SQLITE_IOERR_FSYNC" for an extended result code (SQLITE_<primary> for codes it does not list).
std::string sqlite_code_name(int code);

// Thrown at start-up for files that are not emuscim databases or are from a newer schema.
class incompatible_database : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct database_options {
  std::string path;
  bool durable = true;             // synchronous=FULL (false: NORMAL; for tests that don't kill)
  std::size_t max_batch = 512;     // jobs per transaction
  // At start-up, refuse a file that opens read-only or whose write lock another process holds
  // for longer than the busy timeout (a clear error instead of a server that answers 503).
  bool require_writable = true;
  bool json_log = false;           // log lines as JSON fields (serve --log-format json)
  // How long a write waits for another process's write lock (then 503 + Retry-After, or the
  // start-up error). Readers are not blocked by writers (WAL).
  std::chrono::milliseconds busy_timeout{5000};
  // While writes fail with an I/O error, how often the writer tries again on its own.
  std::chrono::milliseconds recovery_interval{1000};
};

class database {
 public:
  // Opens or creates the file and applies migrations (in one transaction) before returning.
  // Throws incompatible_database (file left untouched) or sqlite_error whose what() is one line
  // naming the file and the reason (cannot open, read-only, locked by another process).
  explicit database(database_options opts);
  ~database();  // stops the writer after draining queued jobs
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  int schema_version() const noexcept { return schema_version_; }
  const std::string& path() const noexcept { return opts_.path; }

  // Runs fn(connection&) on this thread's read connection (created on first use). When fn
  // returns a scim::result, a storage failure (see storage_failure) becomes its error value;
  // other return types see the sqlite_error thrown.
  template <class F>
  auto read(F&& fn) -> decltype(fn(std::declval<connection&>())) {
    using R = decltype(fn(std::declval<connection&>()));
    if constexpr (is_result<R>::value) {
      try {
        return fn(reader());
      } catch (const sqlite_error& e) {
        if (!is_storage_failure(e)) throw;
        note_read_failure(e);
        return std::unexpected(storage_failure(e));
      }
    } else {
      return fn(reader());
    }
  }

  // A type-erased job for the writer thread.
  struct job {
    virtual ~job() = default;
    // Runs inside the job's savepoint. Return false to roll the savepoint back.
    virtual bool run(write_context& ctx) noexcept = 0;
    // After a rollback (run returned false), still inside the batch: e.g. record a failure event.
    virtual void after_rollback(write_context& ctx) noexcept = 0;
    // After the batch: batch_failure is null when the batch committed, else why it did not
    // (then every job fails with it; a job that ran and failed on its own keeps its own error).
    virtual void complete(const scim::error* batch_failure) noexcept = 0;
  };
  void submit(std::unique_ptr<job> j);

  // Coroutine-friendly write: fn runs on the writer thread and returns scim::result<T>;
  // an error (or an exception, which becomes a 500) rolls back fn's changes; on_failure then
  // runs in the same batch. The awaiting coroutine resumes on its own executor after COMMIT.
  template <class T, class Fn, class OnFailure>
  boost::asio::awaitable<scim::result<T>> write(Fn fn, OnFailure on_failure) {
    // A coroutine of its own, so fn and on_failure live in this frame (not in a temporary of
    // the caller's co_await expression, which GCC 12 mishandles) until they are moved into the job.
    using R = scim::result<T>;
    co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(R)>(
        [this, &fn, &on_failure](auto handler) {
          submit(std::make_unique<write_job<T, Fn, OnFailure, decltype(handler)>>(std::move(fn), std::move(on_failure),
                                                                                  std::move(handler)));
        },
        boost::asio::use_awaitable);
  }
  template <class T, class Fn>
  boost::asio::awaitable<scim::result<T>> write(Fn fn) {
    co_return co_await write<T>(std::move(fn), [](write_context&, const scim::error&) {});
  }

  // Runs fn synchronously on the writer thread (for start-up and CLI work).
  template <class T, class Fn>
  scim::result<T> write_sync(Fn fn);

  // Bumped whenever a row that shifts list positions is deleted (see list paging).
  std::uint64_t deletion_generation() const noexcept { return deletions_.load(std::memory_order_acquire); }
  void note_deletion() noexcept { deletions_.fetch_add(1, std::memory_order_acq_rel); }

  // Reachable, migrated to this binary's schema version, and writes are not failing on a
  // storage error right now (cheap; used by /readyz).
  bool ready();
  // True from a batch that failed on an I/O error or a full disk until a write works again.
  bool degraded() const noexcept { return degraded_.load(std::memory_order_acquire); }

  // Latest schema version this binary knows.
  static int latest_schema_version();

 private:
  template <class T, class Fn, class OnFailure, class Handler>
  struct write_job final : job {
    write_job(Fn f, OnFailure of, Handler h) : fn(std::move(f)), on_failure(std::move(of)), handler(std::move(h)) {}
    bool run(write_context& ctx) noexcept override {
      ran = true;
      out = run_job<T>(fn, ctx);
      return out.has_value();
    }
    void after_rollback(write_context& ctx) noexcept override {
      try {
        on_failure(ctx, out.error());
      } catch (...) {
      }
    }
    void complete(const scim::error* batch_failure) noexcept override {
      if (batch_failure && (out || !ran)) out = std::unexpected(*batch_failure);
      auto ex = boost::asio::get_associated_executor(handler);
      boost::asio::post(ex, [h = std::move(handler), r = std::move(out)]() mutable { std::move(h)(std::move(r)); });
    }
    Fn fn;
    OnFailure on_failure;
    Handler handler;
    bool ran = false;
    scim::result<T> out = std::unexpected(scim::internal("job did not run"));
  };

  template <class T>
  struct is_result : std::false_type {};
  template <class T>
  struct is_result<scim::result<T>> : std::true_type {};

  // Runs a job's function: its value or error; an exception becomes an error (storage errors
  // via storage_failure(), recorded in ctx.failure; anything else a 500).
  template <class T, class Fn>
  static scim::result<T> run_job(Fn& fn, write_context& ctx) noexcept {
    try {
      return fn(ctx);
    } catch (const sqlite_error& e) {
      ctx.failure = e;
      return std::unexpected(storage_failure(e));
    } catch (const std::exception& e) {
      return std::unexpected(scim::internal(std::string("Storage error: ") + e.what()));
    }
  }

  connection& reader();
  void writer_loop();
  void run_batch(std::deque<std::unique_ptr<job>>& batch);
  bool recover();  // writer thread only
  void mark_recovered();
  void note_read_failure(const sqlite_error& e) noexcept;

  database_options opts_;
  int schema_version_ = 0;
  std::uint64_t id_;  // distinguishes instances in the per-thread reader map
  std::unique_ptr<connection> writer_;  // replaced in place (same object) by recover()
  std::atomic<bool> degraded_{false};
  std::chrono::steady_clock::time_point degraded_since_{};
  // Writer thread only:
  std::uint64_t failed_batches_ = 0;  // in the current degraded episode
  std::uint64_t seals_ = 0;
  bool recovery_failure_logged_ = false;  // once per episode
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<job>> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> deletions_{0};
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<connection>> readers_;  // owned here, looked up per thread
  std::thread thread_;
};

// Synchronous variant built on submit(): blocks the caller until the batch commits.
template <class T, class Fn>
scim::result<T> database::write_sync(Fn fn) {
  struct sync_job final : job {
    explicit sync_job(Fn& f) : fn(f) {}
    bool run(write_context& ctx) noexcept override {
      ran = true;
      out = run_job<T>(fn, ctx);
      return out.has_value();
    }
    void after_rollback(write_context&) noexcept override {}
    void complete(const scim::error* batch_failure) noexcept override {
      std::lock_guard lk(m);
      if (batch_failure && (out || !ran)) out = std::unexpected(*batch_failure);
      done = true;
      cv.notify_all();
    }
    Fn& fn;
    bool ran = false;
    scim::result<T> out = std::unexpected(scim::internal("job did not run"));
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
  };
  auto j = std::make_unique<sync_job>(fn);
  auto* raw = j.get();
  // The job object must outlive completion; keep ownership here via a non-owning wrapper.
  struct forward final : job {
    explicit forward(sync_job* t) : target(t) {}
    bool run(write_context& c) noexcept override { return target->run(c); }
    void after_rollback(write_context& c) noexcept override { target->after_rollback(c); }
    void complete(const scim::error* failure) noexcept override { target->complete(failure); }
    sync_job* target;
  };
  submit(std::make_unique<forward>(raw));
  std::unique_lock lk(raw->m);
  raw->cv.wait(lk, [&] { return raw->done; });
  return std::move(raw->out);
}

// Current UTC time as 2024-01-02T03:04:05.678Z.
std::string now_rfc3339();

}  // namespace emuscim::store
