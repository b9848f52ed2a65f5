#include "emuscim/http/server.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "emuscim/http/log.hpp"
#include "http/session.hpp"

namespace emuscim::http {

namespace {

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);
// After a failed accept (EMFILE, ENFILE, ENOBUFS, ENOMEM) the pending connection stays in the
// listen queue and the listening socket stays readable: accepting again at once would spin.
// Pause instead, doubling up to the cap; open connections keep being served meanwhile.
constexpr std::chrono::milliseconds kAcceptBackoffFirst{10};
constexpr std::chrono::milliseconds kAcceptBackoffMax{200};

tcp::endpoint resolve(const std::string& host, std::uint16_t port) {
  std::string name = host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  beast::error_code ec;
  const auto address = net::ip::make_address(name, ec);
  if (!ec) return {address, port};
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  const auto results = resolver.resolve(name, std::to_string(port), ec);
  if (ec || results.empty()) {
    throw std::runtime_error("http: cannot resolve listen host '" + host + "': " +
                             (ec ? ec.message() : std::string("no addresses")));
  }
  return results.begin()->endpoint();
}

std::size_t thread_count(std::size_t requested) {
  if (requested != 0) return requested;
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

}  // namespace

struct server::impl {
  impl(server_options options, request_handler& handler);

  net::awaitable<void> do_accept();
  void run_thread();

  // Declared before ioc_: sessions destroyed along with ioc_'s pending handlers still use it.
  detail::shared_state state_;
  const std::size_t threads_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  tcp::endpoint endpoint_;
};

server::impl::impl(server_options options, request_handler& handler)
    : state_(std::move(options), handler),
      threads_(thread_count(state_.options().threads)),
      acceptor_(net::make_strand(ioc_)) {
  const auto& opts = state_.options();
  const tcp::endpoint requested = resolve(opts.host, opts.port);
  auto fail = [&](const char* what, const beast::error_code& ec) {
    return std::runtime_error("http: cannot listen on " + opts.host + ":" + std::to_string(opts.port) + ": " + what +
                              ": " + ec.message());
  };
  beast::error_code ec;
  acceptor_.open(requested.protocol(), ec);
  if (ec) throw fail("open", ec);
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) throw fail("reuse_address", ec);
  acceptor_.bind(requested, ec);
  if (ec) throw fail("bind", ec);
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw fail("listen", ec);
  endpoint_ = acceptor_.local_endpoint(ec);
  if (ec) throw fail("local_endpoint", ec);

  // Once stop() has closed the acceptor and the last connection is gone, run() returns even
  // if someone else still has work queued on io_context().
  state_.on_drained([this] { ioc_.stop(); });

  net::co_spawn(acceptor_.get_executor(), do_accept(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("http: accept loop failed: {}", ex.what());
    }
  });
}

net::awaitable<void> server::impl::do_accept() {
  net::steady_timer backoff(acceptor_.get_executor());
  // One episode of failing accepts: logged once when it starts and once when it ends.
  std::uint64_t failures = 0;
  std::chrono::steady_clock::time_point episode_start;
  auto delay = kAcceptBackoffFirst;
  for (;;) {
    // Each connection gets its own strand.
    auto [ec, socket] = co_await acceptor_.async_accept(net::any_io_executor(net::make_strand(ioc_)), use_nothrow);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open() || state_.stopping()) break;
      if (ec == net::error::connection_aborted) continue;  // the client gave up before we accepted: not ours
      if (failures++ == 0) {
        episode_start = std::chrono::steady_clock::now();
        spdlog::warn("{}", log_line("accept failed; serving open connections and retrying",
                                    {{"error", ec.message()}, {"backoff_max_ms", kAcceptBackoffMax.count()}}));
      }
      backoff.expires_after(delay);
      delay = std::min(delay * 2, kAcceptBackoffMax);
      co_await backoff.async_wait(use_nothrow);
      continue;
    }
    if (failures > 0) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - episode_start);
      spdlog::info("{}", log_line("accepting connections again", {{"failed_accepts", failures}, {"after_ms", ms.count()}}));
      failures = 0;
      delay = kAcceptBackoffFirst;
    }
    if (state_.stopping()) break;
    if (state_.open() >= state_.options().max_connections) {
      spdlog::debug("http: connection limit of {} reached; closing a new connection",
                    state_.options().max_connections);
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    detail::start_session(state_, std::move(socket));
  }
  state_.acceptor_finished();
}

void server::impl::run_thread() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: unhandled exception in the I/O pool: {}", e.what());
    } catch (...) {
      spdlog::error("http: unhandled unknown exception in the I/O pool");
    }
  }
}

server::server(server_options options, request_handler& handler)
    : impl_(std::make_unique<impl>(std::move(options), handler)) {}

server::~server() = default;

tcp::endpoint server::local_endpoint() const { return impl_->endpoint_; }

void server::run() {
  std::vector<std::thread> pool;
  pool.reserve(impl_->threads_ - 1);
  for (std::size_t i = 1; i < impl_->threads_; ++i) pool.emplace_back([this] { impl_->run_thread(); });
  impl_->run_thread();
  for (auto& t : pool) t.join();
}

void server::stop() {
  if (!impl_->state_.begin_stop()) return;
  net::post(impl_->acceptor_.get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor_.close(ignored);
  });
}

std::size_t server::open_connections() const { return impl_->state_.open(); }

net::io_context& server::io_context() { return impl_->ioc_; }

}  // namespace emuscim::http
