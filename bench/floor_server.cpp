// emuscim-floor: the floor of emuscim-bench. A minimal Boost.Beast keep-alive HTTP/1.1 responder
// built like emuscim's transport (one io_context run by N threads, one coroutine per connection
// on its own strand) that answers every request with one fixed response: the status, headers
// and body it is given, which emuscim-bench copies from emuscim's own GET /healthz answer. The
// ratio of emuscim's /healthz rate to this program's rate, measured in the same run, is the gap
// between emuscim and the HTTP stack it is built on.
//
// Usage: emuscim-floor [--listen 127.0.0.1:PORT] [--threads N] [--status CODE]
//                      [--header 'Name: value']... [--body TEXT]
// Prints "listening on http://HOST:PORT" once bound; SIGINT/SIGTERM stop it.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

struct answer {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length and Connection
  std::string body = R"({"status":"ok"})";
};

constexpr auto nothrow = net::as_tuple(net::use_awaitable);

net::awaitable<void> serve(tcp::socket socket, const answer& a) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    auto [rec, read] = co_await http::async_read(socket, buffer, req, nothrow);
    (void)read;
    if (rec) break;  // end of stream, reset, bad request: drop the connection
    http::response<http::string_body> res{static_cast<http::status>(a.status), req.version()};
    for (const auto& [name, value] : a.headers) res.set(name, value);
    res.body() = a.body;
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [wec, n] = co_await http::async_write(socket, res, nothrow);
    (void)n;
    if (wec || !res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> accept_loop(net::io_context& ioc, tcp::acceptor& acceptor, const answer& a) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), nothrow);
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    const auto ex = socket.get_executor();
    net::co_spawn(ex, serve(std::move(socket), a), net::detached);
  }
}

[[noreturn]] void usage_error(const std::string& why) {
  std::cerr << "emuscim-floor: " << why
            << "\nusage: emuscim-floor [--listen 127.0.0.1:PORT] [--threads N] [--status CODE] "
               "[--header 'Name: value']... [--body TEXT]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  std::size_t threads = 2;
  answer a;
  a.headers = {{"Content-Type", "application/json"}};
  bool custom_headers = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage_error(flag + ": expected a value");
    const std::string value = argv[++i];
    if (flag == "--listen") {
      listen = value;
    } else if (flag == "--threads") {
      threads = std::strtoul(value.c_str(), nullptr, 10);
      if (threads == 0 || threads > 256) usage_error("--threads: 1..256");
    } else if (flag == "--status") {
      a.status = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 10));
      if (a.status < 100 || a.status > 599) usage_error("--status: 100..599");
    } else if (flag == "--header") {
      const auto colon = value.find(':');
      if (colon == std::string::npos || colon == 0) usage_error("--header: expected 'Name: value'");
      if (!custom_headers) a.headers.clear();
      custom_headers = true;
      std::string v = value.substr(colon + 1);
      v.erase(0, v.find_first_not_of(' ') == std::string::npos ? v.size() : v.find_first_not_of(' '));
      a.headers.emplace_back(value.substr(0, colon), std::move(v));
    } else if (flag == "--body") {
      a.body = value;
    } else {
      usage_error("unknown option '" + flag + "'");
    }
  }
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) usage_error("--listen: expected HOST:PORT");
  boost::system::error_code ec;
  const auto address = net::ip::make_address(listen.substr(0, colon), ec);
  if (ec || !address.is_loopback()) usage_error("--listen: a loopback address only");
  const auto port = static_cast<unsigned short>(std::strtoul(listen.c_str() + colon + 1, nullptr, 10));

  net::io_context ioc(static_cast<int>(threads));
  tcp::acceptor acceptor(net::make_strand(ioc), tcp::endpoint(address, port));
  const auto bound = acceptor.local_endpoint();
  std::printf("emuscim-floor: listening on http://%s:%u (%zu threads)\n", bound.address().to_string().c_str(),
              static_cast<unsigned>(bound.port()), threads);
  std::fflush(stdout);

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    ioc.stop();
  });
  net::co_spawn(acceptor.get_executor(), accept_loop(ioc, acceptor, a), net::detached);
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
