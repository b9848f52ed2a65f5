#pragma once
// The database: one SQLite file in WAL mode, a single writer thread that batches
// concurrent write jobs into one transaction (group commit), and one read connection per
// reading thread.
//
// Durability: synchronous=FULL, so a COMMIT returns only after the WAL is fsync'd; a job's
// completion runs only after its batch committed. A 2xx answer therefore survives kill -9.
// Isolation: every job runs inside its own SAVEPOINT within the batch; a job that fails
// (returns an error or throws) is rolled back alone and the others still commit.
// Thread-safety: write() and read() may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
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
};

// Thrown at start-up for files that are not emuscim databases or are from a newer schema.
class incompatible_database : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct database_options {
  std::string path;
  bool durable = true;             // synchronous=FULL (false: NORMAL; for tests that don't kill)
  std::size_t max_batch = 512;     // jobs per transaction
};

class database {
 public:
  // Opens or creates the file and applies migrations (in one transaction) before returning.
  // Throws incompatible_database (file left untouched) or sqlite_error.
  explicit database(database_options opts);
  ~database();  // stops the writer after draining queued jobs
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  int schema_version() const noexcept { return schema_version_; }
  const std::string& path() const noexcept { return opts_.path; }

  // Runs fn(connection&) on this thread's read connection (created on first use).
  template <class F>
  auto read(F&& fn) -> decltype(fn(std::declval<connection&>())) {
    return fn(reader());
  }

  // A type-erased job for the writer thread.
  struct job {
    virtual ~job() = default;
    // Runs inside the job's savepoint. Return false to roll the savepoint back.
    virtual bool run(write_context& ctx) noexcept = 0;
    // After a rollback (run returned false), still inside the batch: e.g. record a failure event.
    virtual void after_rollback(write_context& ctx) noexcept = 0;
    // After the batch: committed=false when COMMIT itself failed (then every job fails).
    virtual void complete(bool committed) noexcept = 0;
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

  // Reachable and migrated to this binary's schema version (cheap; used by /readyz).
  bool ready();

  // Latest schema version this binary knows.
  static int latest_schema_version();

 private:
  template <class T, class Fn, class OnFailure, class Handler>
  struct write_job final : job {
    write_job(Fn f, OnFailure of, Handler h) : fn(std::move(f)), on_failure(std::move(of)), handler(std::move(h)) {}
    bool run(write_context& ctx) noexcept override {
      try {
        out = fn(ctx);
      } catch (const std::exception& e) {
        out = std::unexpected(scim::internal(std::string("Storage error: ") + e.what()));
      }
      return out.has_value();
    }
    void after_rollback(write_context& ctx) noexcept override {
      try {
        on_failure(ctx, out.error());
      } catch (...) {
      }
    }
    void complete(bool committed) noexcept override {
      if (!committed) out = std::unexpected(scim::internal("Storage error: the transaction could not be committed"));
      auto ex = boost::asio::get_associated_executor(handler);
      boost::asio::post(ex, [h = std::move(handler), r = std::move(out)]() mutable { std::move(h)(std::move(r)); });
    }
    Fn fn;
    OnFailure on_failure;
    Handler handler;
    scim::result<T> out = std::unexpected(scim::internal("job did not run"));
  };

  connection& reader();
  void writer_loop();
  void run_batch(std::deque<std::unique_ptr<job>>& batch);

  database_options opts_;
  int schema_version_ = 0;
  std::uint64_t id_;  // distinguishes instances in the per-thread reader map
  std::unique_ptr<connection> writer_;
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
      try {
        out = fn(ctx);
      } catch (const std::exception& e) {
        out = std::unexpected(scim::internal(std::string("Storage error: ") + e.what()));
      }
      return out.has_value();
    }
    void after_rollback(write_context&) noexcept override {}
    void complete(bool committed) noexcept override {
      std::lock_guard lk(m);
      if (!committed) out = std::unexpected(scim::internal("Storage error: the transaction could not be committed"));
      done = true;
      cv.notify_all();
    }
    Fn& fn;
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
    void complete(bool ok) noexcept override { target->complete(ok); }
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
