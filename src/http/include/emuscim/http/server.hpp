#pragma once
// HTTP/1.1 server on Boost.Beast: an acceptor, one coroutine per connection on its own
// strand, keep-alive, header/body limits, timeouts, optional TLS, graceful stop.
// Thread-safety: construct, then run() from one thread (it drives the pool and blocks);
// stop() may be called from any thread or a signal handler's strand.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "emuscim/http/net.hpp"
#include "emuscim/scim/error.hpp"

namespace emuscim::http {

struct connection_info {
  std::string remote;   // "ip:port"
  bool tls = false;
};

// A long-lived answer (text/event-stream): after handle() returns the response head, the
// transport sends it with chunked encoding and runs the pump, which writes body chunks through
// the sink until it returns. send() returns false once the client is gone; stopping() turns
// true when the server shuts down (the pump should return promptly).
class stream_sink {
 public:
  virtual ~stream_sink() = default;
  virtual net::awaitable<bool> send(std::string chunk) = 0;
  virtual bool stopping() const = 0;
};
using stream_pump = std::function<net::awaitable<void>(stream_sink&)>;

// Implemented by the request pipeline. Called on the connection's strand; it may co_await.
// The returned response's keep_alive / version are set by the transport from the request.
// handle() must not throw: the pipeline is the one place that turns an exception into an
// answer. A handler that wants to stream sets `stream` (and leaves the body empty).
class request_handler {
 public:
  virtual ~request_handler() = default;
  virtual net::awaitable<response> handle(request req, const connection_info& conn, stream_pump& stream) = 0;
  // The answer to a request the transport refuses before it reaches handle() (431, 413,
  // malformed 400, 503 while stopping), rendered by the handler's one error renderer.
  virtual response refuse(const scim::error& e, unsigned version) = 0;
};

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;                 // 0 picks a free port
  std::size_t threads = 0;                   // 0 = hardware concurrency
  std::size_t body_limit = 4 * 1024 * 1024;  // bytes; larger -> 413 and close
  std::size_t header_limit = 16 * 1024;      // bytes; larger -> 431 and close
  std::chrono::milliseconds header_timeout{10'000};  // time to receive a full header (slowloris)
  std::chrono::milliseconds body_timeout{30'000};    // time to receive the body
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive idle time between requests
  std::chrono::milliseconds write_timeout{30'000};   // time to write a response (client never reads)
  std::size_t max_connections = 1024;        // further connections are accepted and closed at once
  std::optional<std::string> tls_cert_file;  // both set -> HTTPS only
  std::optional<std::string> tls_key_file;
};

class server {
 public:
  // Binds and listens immediately; throws std::runtime_error naming the address on failure
  // and for bad TLS files (via tls::make_server_context).
  server(server_options options, request_handler& handler);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  tcp::endpoint local_endpoint() const;

  // Runs the thread pool until stop() and every connection is finished. Blocks.
  void run();

  // Graceful: stop accepting, let requests in flight finish and be written (connections are
  // closed after their current response), then run() returns. Idempotent, thread-safe.
  void stop();

  std::size_t open_connections() const;

  // Extra work for the same pool (e.g. posting store completions).
  net::io_context& io_context();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace emuscim::http
