#pragma once
// Helpers for the transport tests: a server running on 127.0.0.1:0 in background threads and
// a small Beast client whose every operation has a deadline (no test can hang on I/O).

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "emuscim/http/net.hpp"
#include "emuscim/http/error_response.hpp"
#include "emuscim/http/server.hpp"

namespace emuscim::http::testing {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Answers "<method> <target>" in text/plain, with special targets for the tests:
//   /throw  throws;   /slow  waits 200 ms first;   /big  answers 8 MiB;
//   /stream streams "one", "two", "three" as chunks of a text/event-stream.
class echo_handler : public request_handler {
 public:
  response refuse(const scim::error& e, unsigned version) override { return make_error(e, version, false); }

  net::awaitable<response> handle(request req, const connection_info& conn, stream_pump& stream) override {
    calls.fetch_add(1);
    if (req.target() == "/throw") throw std::runtime_error("boom");
    if (req.target() == "/slow") {
      slow_started.store(true);
      net::steady_timer timer(co_await net::this_coro::executor, milliseconds(200));
      co_await timer.async_wait(net::use_awaitable);
    }
    response res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, "text/plain");
    if (req.target() == "/stream") {
      res.set(bhttp::field::content_type, "text/event-stream");
      stream = [](stream_sink& sink) -> net::awaitable<void> {
        for (const char* part : {"one", "two", "three"}) {
          if (!co_await sink.send(part)) co_return;
        }
      };
      co_return res;
    }
    if (req.target() == "/big") {
      res.body().assign(8 * 1024 * 1024, 'x');
    } else {
      res.body() = std::string(req.method_string()) + " " + std::string(req.target()) + " body=" +
                   std::to_string(req.body().size()) + (conn.tls ? " tls" : "");
    }
    co_return res;
  }

  std::atomic<int> calls{0};
  std::atomic<bool> slow_started{false};
};

inline server_options test_options() {
  server_options o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  o.header_timeout = seconds(2);
  o.body_timeout = seconds(2);
  o.idle_timeout = seconds(2);
  o.write_timeout = seconds(2);
  return o;
}

// Runs a server in a background thread; the destructor stops it and insists run() returns.
class running_server {
 public:
  explicit running_server(server_options options, request_handler& handler) : server_(std::move(options), handler) {
    auto done = std::make_shared<std::promise<void>>();
    finished_ = done->get_future();
    thread_ = std::thread([this, done] {
      server_.run();
      done->set_value();
    });
  }
  ~running_server() {
    server_.stop();
    if (!wait_for_exit(seconds(5))) {
      std::fprintf(stderr, "FATAL: server::run() did not return within 5s of stop()\n");
      std::abort();
    }
  }
  running_server(const running_server&) = delete;
  running_server& operator=(const running_server&) = delete;

  server& get() { return server_; }
  tcp::endpoint endpoint() const { return server_.local_endpoint(); }

  // True once run() has returned.
  bool wait_for_exit(clock::duration d) {
    if (joined_) return true;
    if (finished_.wait_for(d) != std::future_status::ready) return false;
    thread_.join();
    joined_ = true;
    return true;
  }

 private:
  server server_;
  std::future<void> finished_;
  std::thread thread_;
  bool joined_ = false;
};

// Polls until pred() holds or the timeout passes.
template <class Pred>
bool eventually(Pred pred, clock::duration timeout = seconds(3)) {
  const auto deadline = clock::now() + timeout;
  while (clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

// A blocking client with a deadline on every operation. Stream is beast::tcp_stream or
// beast::ssl_stream<beast::tcp_stream>.
template <class Stream>
class basic_client {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  // receive_buffer > 0 shrinks SO_RCVBUF before connecting (to stall the server's writes).
  explicit basic_client(tcp::endpoint ep, int receive_buffer = 0) requires(!kTls) : stream_(ioc_) {
    connect(ep, receive_buffer);
  }
  basic_client(tcp::endpoint ep, net::ssl::context& ctx) requires(kTls) : stream_(ioc_, ctx) { connect(ep, 0); }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  Stream& stream() { return stream_; }

  beast::error_code handshake(const std::string& verify_host = "127.0.0.1") requires(kTls) {
    stream_.set_verify_mode(net::ssl::verify_peer);
    stream_.set_verify_callback(net::ssl::host_name_verification(verify_host));
    beast::error_code result;
    start(
        [&](auto done) {
          stream_.async_handshake(net::ssl::stream_base::client, [done](beast::error_code ec) mutable { done(ec, 0); });
        },
        result);
    return result;
  }

  beast::error_code write_raw(const std::string& bytes) {
    beast::error_code result;
    start([&](auto done) { net::async_write(stream_, net::buffer(bytes), done); }, result);
    return result;
  }

  beast::error_code write(bhttp::request<bhttp::string_body>& req) {
    beast::error_code result;
    start([&](auto done) { bhttp::async_write(stream_, req, done); }, result);
    return result;
  }

  // head: the response answers a HEAD request (no body follows its Content-Length).
  beast::error_code read(bhttp::response<bhttp::string_body>& res, bool head = false) {
    beast::error_code result;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(head);
    start([&](auto done) { bhttp::async_read(stream_, buffer_, parser, done); }, result);
    if (!result) res = parser.release();
    return result;
  }

  // A request/response round trip; throws on transport errors.
  bhttp::response<bhttp::string_body> request(bhttp::verb method, const std::string& target,
                                              const std::string& body = {}, bool keep_alive = true) {
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.keep_alive(keep_alive);
    if (!body.empty() || method == bhttp::verb::post) {
      req.body() = body;
      req.prepare_payload();
    }
    if (auto ec = write(req)) throw beast::system_error(ec, "client write");
    bhttp::response<bhttp::string_body> res;
    if (auto ec = read(res)) throw beast::system_error(ec, "client read");
    return res;
  }

  // Reads until the server closes; returns the error that ended it (eof when closed cleanly).
  beast::error_code wait_closed() {
    // Asio's edge-triggered reactor never completes a second read after EOF: remember it.
    if (eof_seen_) return net::error::eof;
    beast::error_code result;
    char sink[1024];
    for (;;) {
      start([&](auto done) { stream_.async_read_some(net::buffer(sink), done); }, result);
      if (result) return result;
    }
  }

  void set_timeout(clock::duration d) { timeout_ = d; }

 private:
  void connect(tcp::endpoint ep, int receive_buffer) {
    beast::error_code result;
    if (receive_buffer > 0) {
      lowest().socket().open(ep.protocol());
      lowest().socket().set_option(net::socket_base::receive_buffer_size(receive_buffer));
    }
    start([&](auto done) { lowest().async_connect(ep, [done](beast::error_code ec) mutable { done(ec, 0); }); },
          result);
    if (result) throw beast::system_error(result, "client connect");
  }

  // Runs one async operation to completion under the deadline.
  template <class Initiate>
  void start(Initiate initiate, beast::error_code& result) {
    lowest().expires_after(timeout_);
    bool finished = false;
    initiate([&](beast::error_code ec, std::size_t) {
      result = ec;
      finished = true;
    });
    ioc_.restart();
    ioc_.run();
    // Either way the deadline passed: report one error for it.
    if (!finished || result == beast::error::timeout) result = net::error::timed_out;
    if (result == net::error::eof || result == bhttp::error::end_of_stream) eof_seen_ = true;
  }

  net::io_context ioc_;
  Stream stream_;
  beast::flat_buffer buffer_;
  clock::duration timeout_ = seconds(5);
  bool eof_seen_ = false;
};

using client = basic_client<beast::tcp_stream>;
using tls_client = basic_client<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace emuscim::http::testing
