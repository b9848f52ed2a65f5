#include "client.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <exception>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace bench {

std::atomic<bool> g_interrupted{false};

namespace http = beast::http;
using boost::system::error_code;

namespace {
constexpr std::uint64_t response_body_limit = 512ull * 1024 * 1024;  // a 100k-member group renders large
constexpr std::uint32_t response_header_limit = 64 * 1024;
}  // namespace

// ---------------------------------------------------------------------------------------------
request_factory::request_factory(const std::string& host_header, const std::string& token) {
  common_noauth_ = "Host: " + host_header +
                   "\r\nUser-Agent: emuscim-bench/0.1\r\nAccept: application/scim+json\r\n";
  common_auth_ = common_noauth_ + "Authorization: Bearer " + token + "\r\n";
}

void request_factory::head(std::string& out, std::string_view method, std::string_view target, std::size_t body_len,
                           bool auth) const {
  out.clear();
  out.append(method);
  out.push_back(' ');
  out.append(target);
  out.append(" HTTP/1.1\r\n");
  out.append(auth ? common_auth_ : common_noauth_);
  if (body_len > 0 || method == "POST" || method == "PUT" || method == "PATCH") {
    out.append("Content-Type: application/scim+json\r\nContent-Length: ");
    std::array<char, 24> num{};
    auto [p, ec] = std::to_chars(num.data(), num.data() + num.size(), body_len);
    (void)ec;
    out.append(num.data(), p);
    out.append("\r\n");
  }
  out.append("\r\n");
}

// ---------------------------------------------------------------------------------------------
namespace {
std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now().time_since_epoch()).count();
}
}  // namespace

http_connection::http_connection(net::any_io_executor ex, tcp::endpoint ep, std::chrono::milliseconds timeout,
                                 bool watched)
    : stream_(std::move(ex)), ep_(ep), timeout_(timeout), watched_(watched) {}

void http_connection::begin_op() {
  timed_out_ = false;
  if (watched_) {
    op_seq_.fetch_add(1, std::memory_order_relaxed);
    busy_since_.store(steady_ns(), std::memory_order_relaxed);
  } else {
    stream_.expires_after(timeout_);
  }
}

void http_connection::end_op(error_code& ec) {
  if (watched_) {
    busy_since_.store(0, std::memory_order_relaxed);
    if (timed_out_ && ec) ec = beast::error::timeout;
  } else {
    stream_.expires_never();
  }
}

void http_connection::expire(std::uint64_t seq) {
  if (op_seq() != seq || busy_since() == 0) return;  // that operation already finished
  // The watchdog read the start time and the sequence number apart: check the time again.
  if (steady_ns() - busy_since() < std::chrono::duration_cast<std::chrono::nanoseconds>(timeout_).count()) return;
  timed_out_ = true;
  error_code ignored;
  stream_.socket().cancel(ignored);
}

void http_connection::close() {
  if (open_ || stream_.socket().is_open()) {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }
  open_ = false;
  buffer_.clear();
}

net::awaitable<error_code> http_connection::connect() {
  close();
  error_code ec;
  begin_op();
  co_await stream_.async_connect(ep_, net::redirect_error(net::use_awaitable, ec));
  end_op(ec);
  if (ec) {
    close();
    co_return ec;
  }
  stream_.socket().set_option(tcp::no_delay(true), ec);
  open_ = true;
  co_return error_code{};
}

net::awaitable<void> http_connection::exchange(std::string_view head, std::string_view body, reply& out,
                                              bool keep_headers) {
  out.ec = {};
  out.status = 0;
  out.body.clear();
  out.headers.clear();
  out.head_bytes = 0;
  out.start = steady::now();
  bool keep_alive = false;
  if (!open_) {
    out.ec = net::error::not_connected;
  } else {
    begin_op();  // one time budget for the whole exchange
    const std::array<net::const_buffer, 2> bufs{net::buffer(head.data(), head.size()),
                                                net::buffer(body.data(), body.size())};
    co_await net::async_write(stream_, bufs, net::redirect_error(net::use_awaitable, out.ec));
    if (!out.ec) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(response_body_limit);
      parser.header_limit(response_header_limit);
      co_await http::async_read(stream_, buffer_, parser, net::redirect_error(net::use_awaitable, out.ec));
      if (!out.ec) {
        out.status = parser.get().result_int();
        keep_alive = parser.keep_alive();
        out.body = std::move(parser.get().body());
        if (keep_headers) {
          const auto& res = parser.get();
          // "HTTP/1.1 200 OK\r\n", each "Name: value\r\n", the empty line.
          out.head_bytes = 9 + 3 + 1 + res.reason().size() + 2 + 2;
          for (const auto& f : res) {
            out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            out.head_bytes += f.name_string().size() + 2 + f.value().size() + 2;
          }
        }
      }
    }
    end_op(out.ec);
  }
  out.end = steady::now();
  if (out.ec || !keep_alive) close();
}

// ---------------------------------------------------------------------------------------------
void metric_stats::merge(const metric_stats& o) {
  hist.merge(o.hist);
  ok += o.ok;
  errors += o.errors;
  warmup_errors += o.warmup_errors;
  bytes += o.bytes;
  for (const auto& [k, v] : o.error_kinds) error_kinds[k] += v;
  for (const auto& [k, v] : o.samples)
    if (samples.size() < 8) samples.emplace(k, v);
}

void metric_stats::add_error(const std::string& kind, const std::string& sample) {
  ++errors;
  ++error_kinds[kind];
  if (samples.size() < 8 && !samples.contains(kind)) {
    std::string clean;  // one line, at most 300 characters
    for (char ch : sample.substr(0, 300)) {
      const bool space = ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ';
      if (space && !clean.empty() && clean.back() == ' ') continue;
      clean.push_back(space ? ' ' : ch);
    }
    samples.emplace(kind, std::move(clean));
  }
}

conn_ctx::conn_ctx(std::size_t idx, net::any_io_executor ex, tcp::endpoint ep, std::chrono::milliseconds timeout,
                   std::size_t metric_count, std::uint64_t seed)
    : index(idx), executor(ex), conn(std::move(ex), ep, timeout, true), rng(seed), metrics(metric_count) {}

void conn_ctx::record(std::size_t m, const reply& r, bool ok, std::string_view what) {
  const bool measured = measuring(r.start);
  if (!measured && ok) return;
  auto& s = metrics.at(m);
  if (measured) last_end = std::max(last_end, r.end);
  if (ok) {
    ++s.ok;
    s.bytes += r.body.size();
    s.hist.record(r.latency_ns());
    return;
  }
  std::string kind;
  if (r.ec) {
    kind = "transport: " + r.ec.message();
  } else {
    kind = "HTTP " + std::to_string(r.status);
  }
  if (!what.empty()) kind += " (" + std::string(what) + ")";
  if (!measured) kind += " [warm-up]";
  s.add_error(kind, r.ec ? std::string() : r.body.substr(0, 300));
  if (!measured) {
    --s.errors;
    ++s.warmup_errors;
  }
}

void conn_ctx::record_span(std::size_t m, steady::time_point start, steady::time_point end, bool ok,
                           std::string_view what) {
  if (!measuring(start)) return;
  last_end = std::max(last_end, end);
  auto& s = metrics.at(m);
  if (ok) {
    ++s.ok;
    s.hist.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count()));
  } else {
    s.add_error(what.empty() ? std::string("failed") : std::string(what), std::string());
  }
}

net::awaitable<void> conn_ctx::call(std::string_view method, std::string_view target_, std::string_view body_,
                                    bool auth) {
  if (!conn.is_open()) {  // the previous request of this iteration lost the connection
    const auto t = steady::now();
    const error_code ec = co_await conn.connect();
    if (ec) {
      rep.ec = ec;
      rep.status = 0;
      rep.body.clear();
      rep.start = t;
      rep.end = steady::now();
      co_return;
    }
  }
  run->requests->head(head, method, target_, body_.size(), auth);
  co_await conn.exchange(head, body_, rep);
}

// ---------------------------------------------------------------------------------------------
namespace {

net::awaitable<void> connect_one(conn_ctx& c) { co_await c.conn.connect(); }

// Cancels requests in flight for longer than the time-out; ends when no connection is left.
net::awaitable<void> watchdog(std::vector<std::unique_ptr<conn_ctx>>& conns, std::atomic<std::size_t>& active,
                              net::steady_timer& timer, std::chrono::milliseconds timeout) {
  const auto tick = std::clamp<std::chrono::milliseconds>(timeout / 4, std::chrono::milliseconds(10),
                                                          std::chrono::milliseconds(250));
  const auto limit = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  while (active.load() > 0) {
    timer.expires_after(tick);
    error_code ignored;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ignored));
    const auto now = steady_ns();
    for (auto& c : conns) {
      const auto since = c->conn.busy_since();
      if (since != 0 && now - since > limit) {
        const auto seq = c->conn.op_seq();
        net::post(c->executor, [&conn = c->conn, seq] { conn.expire(seq); });
      }
    }
  }
}

net::awaitable<void> connection_loop(workload_op& op, conn_ctx& c, run_state& rs) {
  net::steady_timer backoff(co_await net::this_coro::executor);
  for (;;) {
    const auto now = steady::now();
    if (g_interrupted.load(std::memory_order_relaxed) || now >= rs.hard_deadline) break;
    if (!rs.count_bounded && now >= rs.deadline) break;
    if (rs.iterations.fetch_add(1, std::memory_order_relaxed) >= rs.max_iterations) {
      rs.capped.store(true, std::memory_order_relaxed);
      break;
    }
    if (!c.conn.is_open()) {
      const error_code ec = co_await c.conn.connect();
      if (ec) {
        reply r;
        r.ec = ec;
        r.start = now;
        r.end = steady::now();
        c.record(0, r, false, "connect");
        error_code ignored;
        backoff.expires_after(std::chrono::milliseconds(50));
        co_await backoff.async_wait(net::redirect_error(net::use_awaitable, ignored));
        continue;
      }
    }
    if (!co_await op.iterate(c)) break;
  }
}

net::awaitable<reply> single_request(tcp::endpoint ep, std::chrono::milliseconds timeout, const request_factory& rf,
                                     std::string method, std::string target, std::string body, bool auth) {
  http_connection conn(co_await net::this_coro::executor, ep, timeout, false);
  reply r;
  r.start = steady::now();
  r.ec = co_await conn.connect();
  if (r.ec) {
    r.end = steady::now();
    co_return r;
  }
  std::string head;
  rf.head(head, method, target, body.size(), auth);
  co_await conn.exchange(head, body, r, true);
  conn.close();
  co_return r;
}

}  // namespace

client::client(std::size_t threads, std::chrono::milliseconds request_timeout)
    : threads_(std::max<std::size_t>(1, threads)), timeout_(request_timeout), io_(static_cast<int>(threads_)) {}

client::~client() = default;

void client::set_target(const tcp::endpoint& ep, const std::string& token) {
  ep_ = ep;
  const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]:" + std::to_string(ep.port())
                                                : ep.address().to_string() + ":" + std::to_string(ep.port());
  requests_ = std::make_unique<request_factory>(host, token);
}

void client::run_io() {
  io_.restart();
  std::vector<std::thread> extra;
  for (std::size_t i = 1; i < threads_; ++i) extra.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& t : extra) t.join();
}

reply client::request(std::string_view method, std::string_view target, std::string_view body, bool auth) {
  auto fut = net::co_spawn(io_,
                           single_request(ep_, timeout_, *requests_, std::string(method), std::string(target),
                                          std::string(body), auth),
                           net::use_future);
  run_io();
  return fut.get();
}

run_result client::run(workload_op& op, const run_params& p) {
  run_state rs;
  rs.requests = requests_.get();
  rs.count_bounded = op.count_bounded();
  rs.max_iterations = p.max_iterations;
  // Nothing is measured before every connection is up.
  rs.measure_start = steady::time_point::max();
  rs.deadline = steady::time_point::max();
  rs.hard_deadline = steady::time_point::max();

  run_result res;
  res.names = op.metric_names();
  res.connections = p.connections;

  std::vector<std::unique_ptr<conn_ctx>> conns;
  conns.reserve(p.connections);
  for (std::size_t i = 0; i < p.connections; ++i) {
    net::any_io_executor ex = threads_ > 1 ? net::any_io_executor(net::make_strand(io_)) : io_.get_executor();
    conns.push_back(std::make_unique<conn_ctx>(i, ex, ep_, timeout_, res.names.size(),
                                               p.seed * 1'000'003ull + i * 7919ull + 17));
    conns.back()->run = &rs;
  }
  const net::any_io_executor watchdog_ex =
      threads_ > 1 ? net::any_io_executor(net::make_strand(io_)) : io_.get_executor();
  net::steady_timer watchdog_timer(watchdog_ex);
  std::atomic<std::size_t> active{0};

  std::mutex mu;
  std::exception_ptr failure;
  auto on_done = [&](std::exception_ptr e) {
    if (!e) return;
    std::lock_guard lock(mu);
    if (!failure) failure = e;
  };

  // Each coroutine runs on its connection's executor; the last one to finish stops the watchdog.
  auto spawn_all = [&](auto make) {
    active.store(conns.size());
    net::co_spawn(watchdog_ex, watchdog(conns, active, watchdog_timer, timeout_), on_done);
    for (auto& c : conns)
      net::co_spawn(c->executor, make(*c), [&](std::exception_ptr e) {
        on_done(e);
        if (active.fetch_sub(1) == 1) net::post(watchdog_ex, [&] { watchdog_timer.cancel(); });
      });
    run_io();
    if (failure) std::rethrow_exception(failure);
  };

  spawn_all([](conn_ctx& c) { return connect_one(c); });

  const auto t0 = steady::now();
  const auto warm = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(p.warmup_s));
  const auto dur = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(p.duration_s));
  const auto cap = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(p.hard_cap_s));
  rs.measure_start = t0 + warm;
  rs.deadline = rs.measure_start + dur;
  rs.hard_deadline = t0 + cap;

  spawn_all([&](conn_ctx& c) { return connection_loop(op, c, rs); });

  res.metrics.resize(res.names.size());
  steady::time_point last{};
  for (auto& c : conns) {
    for (std::size_t m = 0; m < res.names.size(); ++m) res.metrics[m].merge(c->metrics[m]);
    last = std::max(last, c->last_end);
    c->conn.close();
  }
  res.elapsed_s = last > rs.measure_start ? std::chrono::duration<double>(last - rs.measure_start).count() : 0.0;
  res.iterations = std::min(rs.iterations.load(), rs.max_iterations);
  res.capped = rs.capped.load();
  res.interrupted = g_interrupted.load();
  res.hit_hard_deadline = steady::now() >= rs.hard_deadline;
  return res;
}

// ---------------------------------------------------------------------------------------------
std::size_t json_key_value_pos(std::string_view s, std::string_view key, std::size_t from) {
  std::size_t pos = from;
  while ((pos = s.find(key, pos)) != std::string_view::npos) {
    const std::size_t after = pos + key.size();
    if (pos > 0 && s[pos - 1] == '"' && after < s.size() && s[after] == '"') {
      std::size_t i = after + 1;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
      if (i < s.size() && s[i] == ':') {
        ++i;
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
        return i;
      }
    }
    pos = after;
  }
  return std::string_view::npos;
}

bool json_scan_uint(std::string_view s, std::string_view key, std::uint64_t& out) {
  const auto pos = json_key_value_pos(s, key);
  if (pos == std::string_view::npos) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), out);
  return ec == std::errc{} && p != s.data() + pos;
}

bool json_scan_string(std::string_view s, std::string_view key, std::string_view& out) {
  const auto pos = json_key_value_pos(s, key);
  if (pos == std::string_view::npos || pos >= s.size() || s[pos] != '"') return false;
  const auto end = s.find('"', pos + 1);
  if (end == std::string_view::npos) return false;
  out = s.substr(pos + 1, end - pos - 1);
  return out.find('\\') == std::string_view::npos;
}

std::string url_encode(std::string_view v) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(v.size() * 3);
  for (unsigned char ch : v) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(hex[ch >> 4]);
      out.push_back(hex[ch & 15]);
    }
  }
  return out;
}

}  // namespace bench
