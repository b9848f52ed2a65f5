#pragma once
// Internals of http::server shared by the listener (server.cpp) and the sessions (session.cpp).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/ssl/context.hpp>

#include "emuscim/http/net.hpp"
#include "emuscim/http/server.hpp"

namespace emuscim::http::detail {

// What the server needs from a live connection.
class connection {
 public:
  virtual ~connection() = default;
  // Thread-safe. Closes the connection now if it is waiting for a request (or in the TLS
  // handshake); otherwise it closes by itself after its current response.
  virtual void stop() = 0;
};

// State shared by the listener and every session. Thread-safe.
class shared_state {
 public:
  shared_state(server_options options, request_handler& handler);
  shared_state(const shared_state&) = delete;
  shared_state& operator=(const shared_state&) = delete;

  const server_options& options() const { return options_; }
  request_handler& handler() const { return handler_; }
  // Set -> every connection is TLS.
  net::ssl::context* ssl() { return ssl_ ? &*ssl_ : nullptr; }

  bool stopping() const { return stopping_.load(); }
  // Returns false if already stopping. Then closes idle connections.
  bool begin_stop();

  std::size_t open() const { return open_.load(); }
  std::uint64_t add(std::weak_ptr<connection> c);
  void remove(std::uint64_t id);

  // The accept loop has ended; once no connection is left, `drained` runs (once per end).
  void acceptor_finished();
  void on_drained(std::function<void()> f) { drained_ = std::move(f); }

 private:
  void check_drained();

  const server_options options_;
  request_handler& handler_;
  std::optional<net::ssl::context> ssl_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> acceptor_done_{false};
  std::atomic<std::size_t> open_{0};
  std::function<void()> drained_;

  std::mutex mutex_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<connection>> connections_;
};

// Starts a session for an accepted socket (plain or TLS, by state.ssl()) on the socket's
// executor, which must be a strand. Counts as open until the session ends.
void start_session(shared_state& state, tcp::socket socket);

}  // namespace emuscim::http::detail
