#include "http/session.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

#include "emuscim/scim/error.hpp"
#include "emuscim/tls/tls.hpp"

namespace emuscim::http::detail {

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

constexpr std::size_t kReadChunk = 16 * 1024;
// Upper bound on a graceful close (TLS close_notify exchange plus draining what the client
// still sends), so stop() is never held up for long by a client that does not hang up.
constexpr std::chrono::milliseconds kMaxLinger{1000};

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

std::string remote_of(const tcp::socket& socket) {
  beast::error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const auto addr = ep.address();
  const std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  return host + ":" + std::to_string(ep.port());
}

// A syntax error in the request, as opposed to the client going away or a limit being hit.
bool is_malformed(const beast::error_code& ec) {
  static const auto& http_category = bhttp::make_error_code(bhttp::error::bad_method).category();
  if (ec.category() != http_category) return false;
  return ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message && ec != bhttp::error::need_more &&
         ec != bhttp::error::need_buffer && ec != bhttp::error::end_of_chunk && ec != bhttp::error::short_read &&
         ec != bhttp::error::stale_parser && ec != bhttp::error::header_limit && ec != bhttp::error::body_limit;
}

// The client closed between requests: routine, not worth a log line.
bool is_hangup(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::ssl::error::stream_truncated;
}

unsigned reply_version(unsigned request_version) { return request_version == 10 ? 10 : 11; }

template <class Stream>
class session final : public connection, public std::enable_shared_from_this<session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, tls_stream>;

  template <class... Args>
  session(shared_state& state, connection_info info, Args&&... args)
      : state_(state), info_(std::move(info)), stream_(std::forward<Args>(args)...), executor_(stream_.get_executor()) {}

  ~session() override {
    if (registered_) state_.remove(id_);
  }

  session(const session&) = delete;
  session& operator=(const session&) = delete;

  void start() {
    id_ = state_.add(this->weak_from_this());
    registered_ = true;
    net::co_spawn(executor_, run(), [self = this->shared_from_this()](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("http: {}: connection failed: {}", self->info_.remote, ex.what());
      } catch (...) {
        spdlog::error("http: {}: connection failed with an unknown exception", self->info_.remote);
      }
    });
  }

  void stop() override {
    net::post(executor_, [self = this->shared_from_this()] { self->on_stop(); });
  }

 private:
  // Only `waiting` is interrupted by stop(): no request has started yet.
  enum class phase { waiting, busy };

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const server_options& options() const { return state_.options(); }

  void on_stop() {
    if (phase_ == phase::waiting) lowest().cancel();
  }

  net::awaitable<void> run() {
    if constexpr (kTls) {
      if (state_.stopping()) co_return;
      phase_ = phase::waiting;
      lowest().expires_after(options().header_timeout);
      auto [ec] = co_await stream_.async_handshake(net::ssl::stream_base::server, use_nothrow);
      phase_ = phase::busy;
      if (ec) {
        log_failure("tls handshake", ec);
        co_return;
      }
    }
    for (bool first = true;; first = false) {
      if (!co_await do_serve_one(first)) co_return;
    }
  }

  // Reads one request and writes its response. Returns false when the connection is done.
  net::awaitable<bool> do_serve_one(bool first) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(options().header_limit, std::numeric_limits<std::uint32_t>::max())));
    parser.body_limit(options().body_limit);

    // Wait for the first byte of the request; until it arrives the connection is idle.
    if (buffer_.size() == 0) {
      if (state_.stopping()) co_return false;
      phase_ = phase::waiting;
      lowest().expires_after(first ? options().header_timeout : options().idle_timeout);
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), use_nothrow);
      phase_ = phase::busy;
      if (ec) {
        log_failure(first ? "read" : "idle read", ec);
        co_return false;
      }
      buffer_.commit(n);
    }

    lowest().expires_after(options().header_timeout);
    if (auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, parser, use_nothrow); ec) {
      co_await on_read_error(ec, parser.get().version());
      co_return false;
    }
    const unsigned version = reply_version(parser.get().version());
    if (state_.stopping()) {
      // Arrived after stop(): the handler must not start new work.
      scim::error err = scim::unavailable("The server is shutting down; retry the request");
      co_await do_error_and_close(std::move(err), version);
      co_return false;
    }

    if (!parser.is_done()) {
      if (version == 11 && beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
        lowest().expires_after(options().write_timeout);
        if (auto [ec, n] = co_await bhttp::async_write(stream_, cont, use_nothrow); ec) {
          log_failure("write 100-continue", ec);
          co_return false;
        }
      }
      lowest().expires_after(options().body_timeout);
      if (auto [ec, n] = co_await bhttp::async_read(stream_, buffer_, parser, use_nothrow); ec) {
        co_await on_read_error(ec, version);
        co_return false;
      }
    }

    request req = parser.release();
    const bool head = req.method() == bhttp::verb::head;
    const bool keep_alive = req.keep_alive();
    stream_pump pump;
    response res = co_await state_.handler().handle(std::move(req), info_, pump);
    if (pump) {
      co_await do_stream(std::move(res), version, std::move(pump));
      co_return false;
    }
    finish(res, version, keep_alive, head);
    res.keep_alive(keep_alive && !state_.stopping());

    lowest().expires_after(options().write_timeout);
    if (auto [ec, n] = co_await bhttp::async_write(stream_, res, use_nothrow); ec) {
      log_failure("write", ec);
      co_return false;
    }
    if (res.need_eof()) {
      co_await do_close();
      co_return false;
    }
    co_return true;
  }

  // A streamed answer: the head with chunked encoding, then whatever the pump sends, then the
  // last chunk and a graceful close (a stream is the last answer on its connection).
  class chunk_sink final : public stream_sink {
   public:
    explicit chunk_sink(session& s) : s_(s) {}
    net::awaitable<bool> send(std::string chunk) override {
      if (chunk.empty()) co_return true;  // an empty chunk would end the body
      s_.lowest().expires_after(s_.options().write_timeout);
      auto [ec, n] = co_await net::async_write(s_.stream_, bhttp::make_chunk(net::buffer(chunk)), use_nothrow);
      if (ec) s_.log_failure("stream write", ec);
      co_return !ec;
    }
    bool stopping() const override { return s_.state_.stopping(); }

   private:
    session& s_;
  };

  net::awaitable<void> do_stream(response res, unsigned version, stream_pump pump) {
    bhttp::response<bhttp::empty_body> head{res.result(), version};
    for (const auto& field : res) head.set(field.name_string(), field.value());
    head.keep_alive(false);
    head.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> sr{head};
    lowest().expires_after(options().write_timeout);
    if (auto [ec, n] = co_await bhttp::async_write_header(stream_, sr, use_nothrow); ec) {
      log_failure("write", ec);
      co_return;
    }
    chunk_sink sink(*this);
    co_await pump(sink);
    lowest().expires_after(options().write_timeout);
    if (auto [ec, n] = co_await net::async_write(stream_, bhttp::make_chunk_last(), use_nothrow); ec) co_return;
    co_await do_close();
  }

  // Framing is the transport's job: the handler only fills status, headers and body.
  static void finish(response& res, unsigned version, bool keep_alive, bool head) {
    res.version(version);
    res.keep_alive(keep_alive);
    const unsigned status = res.result_int();
    if (status < 200) throw std::logic_error("handler returned an informational status");
    if (status == 204 || status == 304) {
      // RFC 9110 §8.6: no Content-Length and no body on 204; 304 has none either.
      res.body().clear();
      res.erase(bhttp::field::content_length);
      res.erase(bhttp::field::transfer_encoding);
    } else if (head) {
      // RFC 9110 §9.3.2: the headers of a GET, without its body.
      if (!res.has_content_length()) res.content_length(res.body().size());
      res.erase(bhttp::field::transfer_encoding);
      res.body().clear();
    } else {
      res.prepare_payload();
    }
  }

  net::awaitable<void> on_read_error(beast::error_code ec, unsigned request_version) {
    // Built before the co_await: GCC 12 mishandles temporaries in a co_await full-expression.
    std::optional<scim::error> err;
    if (ec == bhttp::error::header_limit) {
      err = scim::error{431, "", "Request header fields exceed " + std::to_string(options().header_limit) + " bytes"};
    } else if (ec == bhttp::error::body_limit) {
      err = scim::payload_too_large("Request body exceeds " + std::to_string(options().body_limit) + " bytes");
    } else if (is_malformed(ec)) {
      log_failure("malformed request", ec);
      err = scim::bad_request("Malformed HTTP request: " + ec.message());
    } else {
      log_failure("read", ec);
    }
    if (err) co_await do_error_and_close(std::move(*err), reply_version(request_version));
  }

  net::awaitable<void> do_error_and_close(scim::error err, unsigned version) {
    response res = state_.handler().refuse(err, version);
    res.keep_alive(false);
    res.prepare_payload();
    lowest().expires_after(options().write_timeout);
    if (auto [ec, n] = co_await bhttp::async_write(stream_, res, use_nothrow); ec) {
      log_failure("write", ec);
      co_return;
    }
    co_await do_close();
  }

  // Graceful close: close_notify (TLS), FIN, then drain until the client hangs up. Closing with
  // unread input (say, the rest of a rejected body) would send an RST, and an RST can destroy
  // the response still sitting in the client's receive buffer.
  net::awaitable<void> do_close() {
    lowest().expires_after(std::min<std::chrono::milliseconds>(options().write_timeout, kMaxLinger));
    if constexpr (kTls) {
      // Any error means the peer already hung up (or the socket timed out and is closed);
      // reading on after EOF would only wait out the deadline.
      if (auto [ec] = co_await stream_.async_shutdown(use_nothrow); ec) co_return;
    }
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) co_return;
    buffer_.clear();
    for (;;) {
      auto [read_ec, n] = co_await lowest().async_read_some(buffer_.prepare(kReadChunk), use_nothrow);
      if (read_ec) co_return;
    }
  }

  void log_failure(const char* what, const beast::error_code& ec) const {
    if (ec == net::error::operation_aborted || is_hangup(ec)) return;
    spdlog::debug("http: {}: {}: {}", info_.remote, what, ec.message());
  }

  shared_state& state_;
  const connection_info info_;
  Stream stream_;
  const net::any_io_executor executor_;
  beast::flat_buffer buffer_;
  phase phase_ = phase::busy;
  std::uint64_t id_ = 0;
  bool registered_ = false;
};

}  // namespace

void start_session(shared_state& state, tcp::socket socket) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  connection_info info{remote_of(socket), state.ssl() != nullptr};
  if (net::ssl::context* ctx = state.ssl()) {
    std::make_shared<session<tls_stream>>(state, std::move(info), std::move(socket), *ctx)->start();
  } else {
    std::make_shared<session<plain_stream>>(state, std::move(info), std::move(socket))->start();
  }
}

// shared_state

shared_state::shared_state(server_options options, request_handler& handler)
    : options_(std::move(options)), handler_(handler) {
  if (options_.tls_cert_file.has_value() != options_.tls_key_file.has_value()) {
    throw std::runtime_error("http: TLS needs both a certificate file and a key file");
  }
  if (options_.tls_cert_file) ssl_.emplace(tls::make_server_context(*options_.tls_cert_file, *options_.tls_key_file));
}

bool shared_state::begin_stop() {
  if (stopping_.exchange(true)) return false;
  std::vector<std::shared_ptr<connection>> live;
  {
    std::lock_guard lock(mutex_);
    live.reserve(connections_.size());
    for (const auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  // Outside the lock: dropping the last reference runs ~session, which takes the lock.
  for (const auto& c : live) c->stop();
  return true;
}

std::uint64_t shared_state::add(std::weak_ptr<connection> c) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  connections_.emplace(id, std::move(c));
  open_.fetch_add(1);
  return id;
}

void shared_state::remove(std::uint64_t id) {
  {
    std::lock_guard lock(mutex_);
    connections_.erase(id);
  }
  open_.fetch_sub(1);
  check_drained();
}

void shared_state::acceptor_finished() {
  acceptor_done_.store(true);
  check_drained();
}

void shared_state::check_drained() {
  if (acceptor_done_.load() && open_.load() == 0 && drained_) drained_();
}

}  // namespace emuscim::http::detail
