#pragma once
// The load generator: one io_context (run by --threads threads), C keep-alive connections,
// each a coroutine that runs a workload's iterate() in a loop, bounded by a deadline and a
// request cap. Requests are written as pre-built raw HTTP/1.1 heads plus a body; responses
// are parsed with Beast. Latencies go into per-connection histograms merged at the end.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "histogram.hpp"

namespace bench {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

// Set by the SIGINT/SIGTERM handler; every loop checks it.
extern std::atomic<bool> g_interrupted;

// Builds request heads from pre-built header blocks.
class request_factory {
 public:
  request_factory(const std::string& host_header, const std::string& token);
  // Replaces `out` with "METHOD TARGET HTTP/1.1\r\n<headers>[Content-Type, Content-Length]\r\n".
  void head(std::string& out, std::string_view method, std::string_view target, std::size_t body_len,
            bool auth = true) const;

 private:
  std::string common_auth_;
  std::string common_noauth_;
};

struct reply {
  boost::system::error_code ec;  // transport error (connect/write/read/time-out)
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // only from client::request (set-up paths)
  std::size_t head_bytes = 0;                                 // likewise: status line + headers + CRLF
  steady::time_point start{};
  steady::time_point end{};
  std::uint64_t latency_ns() const {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
  }
};

// Time-outs: with `watched` false each operation arms Beast's own timer (set-up requests);
// with `watched` true nothing is armed per operation and a per-run watchdog calls expire()
// on requests that have been in flight too long (cheaper on the hot path).
class http_connection {
 public:
  http_connection(net::any_io_executor ex, tcp::endpoint ep, std::chrono::milliseconds timeout, bool watched);
  net::awaitable<boost::system::error_code> connect();
  bool is_open() const { return open_; }
  void close();
  // One request/response. On a transport error or "Connection: close" the connection is closed
  // (the caller's loop reconnects).
  // `keep_headers`: also fill reply::headers and reply::head_bytes (set-up paths only).
  net::awaitable<void> exchange(std::string_view head, std::string_view body, reply& out, bool keep_headers = false);

  // Watchdog side: steady-clock nanoseconds since the current operation began (0 = idle) and
  // its sequence number; expire(seq) must run on this connection's executor.
  std::int64_t busy_since() const { return busy_since_.load(std::memory_order_relaxed); }
  std::uint64_t op_seq() const { return op_seq_.load(std::memory_order_relaxed); }
  void expire(std::uint64_t seq);

 private:
  void begin_op();
  void end_op(boost::system::error_code& ec);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  tcp::endpoint ep_;
  std::chrono::milliseconds timeout_;
  bool watched_;
  bool open_ = false;
  bool timed_out_ = false;
  std::atomic<std::int64_t> busy_since_{0};
  std::atomic<std::uint64_t> op_seq_{0};
};

struct metric_stats {
  latency_histogram hist;  // successful requests only
  std::uint64_t ok = 0;
  std::uint64_t errors = 0;
  std::uint64_t bytes = 0;  // response body bytes of successful requests
  std::uint64_t warmup_errors = 0;  // failures during warm-up (in error_kinds too, not in errors)
  std::map<std::string, std::uint64_t> error_kinds;
  std::map<std::string, std::string> samples;  // error kind -> its first sample (at most 8 kinds)
  void merge(const metric_stats& o);
  void add_error(const std::string& kind, const std::string& sample);
};

struct run_state {
  steady::time_point measure_start{};  // requests started before it are warm-up, not recorded
  steady::time_point deadline{};       // no new iteration after it (time-bounded workloads)
  steady::time_point hard_deadline{};  // no new iteration after it, ever
  bool count_bounded = false;
  std::uint64_t max_iterations = 0;
  std::atomic<std::uint64_t> iterations{0};
  std::atomic<bool> capped{false};
  const request_factory* requests = nullptr;
};

// Per connection state, touched only by its own coroutine.
struct conn_ctx {
  conn_ctx(std::size_t idx, net::any_io_executor ex, tcp::endpoint ep, std::chrono::milliseconds timeout,
           std::size_t metrics, std::uint64_t seed);
  std::size_t index;
  net::any_io_executor executor;  // a strand when the client runs several threads
  http_connection conn;
  std::mt19937_64 rng;
  std::string head;  // scratch buffers, reused
  std::string body;
  std::string target;
  reply rep;
  std::vector<metric_stats> metrics;
  run_state* run = nullptr;
  steady::time_point last_end{};

  bool measuring(steady::time_point start) const { return start >= run->measure_start; }
  // Records a finished request into metric m (if measured): ok -> latency; else an error.
  void record(std::size_t m, const reply& r, bool ok, std::string_view what = {});
  // Records a derived latency (e.g. a whole cycle of several requests).
  void record_span(std::size_t m, steady::time_point start, steady::time_point end, bool ok,
                   std::string_view what = {});
  // Shortcut: build the head for `method target` (+ body) and exchange it; result in `rep`.
  net::awaitable<void> call(std::string_view method, std::string_view target_, std::string_view body_,
                            bool auth = true);
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi_exclusive) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi_exclusive - 1)(rng);
  }
};

class workload_op {
 public:
  virtual ~workload_op() = default;
  // Metric 0 is the workload's main figure.
  virtual std::vector<std::string> metric_names() const { return {"request"}; }
  // true: iterate() ends the work by returning false (count-bounded); only the hard deadline
  // applies. false: the runner stops at the deadline.
  virtual bool count_bounded() const { return false; }
  // One iteration (one or more requests). false: nothing more for this connection.
  virtual net::awaitable<bool> iterate(conn_ctx& c) = 0;
};

struct run_result {
  std::vector<std::string> names;
  std::vector<metric_stats> metrics;
  double elapsed_s = 0;  // from the end of warm-up to the last measured completion
  std::uint64_t iterations = 0;
  std::size_t connections = 0;
  bool capped = false;        // hit --max-requests
  bool interrupted = false;   // SIGINT
  bool hit_hard_deadline = false;
};

struct run_params {
  std::size_t connections = 1;
  double warmup_s = 0;
  double duration_s = 10;   // ignored for count-bounded workloads
  double hard_cap_s = 600;  // counted from the start of warm-up
  std::uint64_t max_iterations = 1'000'000;
  std::uint64_t seed = 1;
};

class client {
 public:
  client(std::size_t threads, std::chrono::milliseconds request_timeout);
  ~client();
  void set_target(const tcp::endpoint& ep, const std::string& token);
  const tcp::endpoint& endpoint() const { return ep_; }
  const request_factory& requests() const { return *requests_; }

  run_result run(workload_op& op, const run_params& params);

  // One request on a fresh connection, for set-up and checks.
  reply request(std::string_view method, std::string_view target, std::string_view body = {}, bool auth = true);

 private:
  void run_io();

  std::size_t threads_;
  std::chrono::milliseconds timeout_;
  net::io_context io_;
  tcp::endpoint ep_;
  std::unique_ptr<request_factory> requests_;
};

// --- tiny JSON scanners for hot paths (full parsing is left to nlohmann where it matters) ---
// Position just after `"key"` <ws> `:` <ws>, searching from `from`; npos if absent.
std::size_t json_key_value_pos(std::string_view s, std::string_view key, std::size_t from = 0);
// Unsigned integer value of the first `"key": N`.
bool json_scan_uint(std::string_view s, std::string_view key, std::uint64_t& out);
// String value (no escapes inside) of the first `"key": "..."`.
bool json_scan_string(std::string_view s, std::string_view key, std::string_view& out);

// Percent-encodes a query parameter value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view v);

}  // namespace bench
