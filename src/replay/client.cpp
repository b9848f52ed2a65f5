#include "emuscim/replay/client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <variant>

namespace emuscim::replay {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

std::string target_url::origin() const {
  std::string out = tls ? "https://" : "http://";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? "443" : "80")) out += ":" + port;
  return out;
}

std::optional<target_url> parse_target_url(std::string_view url) {
  target_url t;
  if (url.starts_with("https://")) {
    t.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) return std::nullopt;
  while (path.ends_with('/')) path.remove_suffix(1);
  t.path = std::string(path);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    t.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && !authority.starts_with(':')) return std::nullopt;
  } else {
    const auto colon = authority.find(':');
    t.host = std::string(authority.substr(0, colon));
    authority.remove_prefix(colon == std::string_view::npos ? authority.size() : colon);
  }
  if (t.host.empty()) return std::nullopt;
  if (authority.starts_with(':')) {
    const auto port = authority.substr(1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    t.port = std::string(port);
  } else {
    t.port = t.tls ? "443" : "80";
  }
  return t;
}

struct http_client::impl {
  using plain_stream = beast::tcp_stream;
  using tls_stream = beast::ssl_stream<beast::tcp_stream>;

  impl(target_url t, client_options o) : target(std::move(t)), options(std::move(o)) {
    if (!target.tls) return;
    ssl.set_default_verify_paths();
    if (options.ca_file) ssl.load_verify_file(*options.ca_file);
    ssl.set_verify_mode(options.insecure ? net::ssl::verify_none : net::ssl::verify_peer);
  }

  template <class Stream>
  static beast::tcp_stream& lowest(Stream& s) {
    return beast::get_lowest_layer(s);
  }

  net::awaitable<void> connect(std::chrono::milliseconds timeout) {
    tcp::resolver resolver(ioc);
    auto endpoints = co_await resolver.async_resolve(target.host, target.port, net::use_awaitable);
    if (target.tls) {
      auto& s = stream.emplace<tls_stream>(ioc, ssl);
      if (!SSL_set_tlsext_host_name(s.native_handle(), target.host.c_str())) {
        throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()));
      }
      if (!options.insecure) s.set_verify_callback(net::ssl::host_name_verification(target.host));
      lowest(s).expires_after(timeout);
      co_await lowest(s).async_connect(endpoints, net::use_awaitable);
      lowest(s).expires_after(timeout);
      co_await s.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
    } else {
      auto& s = stream.emplace<plain_stream>(ioc);
      s.expires_after(timeout);
      co_await s.async_connect(endpoints, net::use_awaitable);
    }
  }

  template <class Stream>
  net::awaitable<http_reply> roundtrip(Stream& s, const bhttp::request<bhttp::string_body>& req,
                                       std::chrono::milliseconds timeout) {
    lowest(s).expires_after(timeout);
    co_await bhttp::async_write(s, req, net::use_awaitable);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    lowest(s).expires_after(timeout);
    co_await bhttp::async_read(s, buffer, parser, net::use_awaitable);
    auto res = parser.release();
    http_reply out;
    out.status = res.result_int();
    for (const auto& f : res) {
      out.headers.emplace_back(std::string(f.name_string().data(), f.name_string().size()),
                               std::string(f.value().data(), f.value().size()));
    }
    out.body = std::move(res.body());
    keep = res.keep_alive();
    co_return out;
  }

  net::awaitable<http_reply> exchange(const http_request& rq) {
    bhttp::request<bhttp::string_body> req;
    req.method_string(rq.method);
    req.target(rq.target);
    req.version(11);
    req.set(bhttp::field::host, target.origin().substr(target.tls ? 8 : 7));
    for (const auto& [k, v] : rq.headers) req.insert(k, v);
    if (rq.body) {
      req.body() = *rq.body;
      req.prepare_payload();
    }
    if (std::holds_alternative<std::monostate>(stream)) co_await connect(rq.timeout);
    if (auto* s = std::get_if<plain_stream>(&stream)) co_return co_await roundtrip(*s, req, rq.timeout);
    co_return co_await roundtrip(std::get<tls_stream>(stream), req, rq.timeout);
  }

  void drop() {
    stream.emplace<std::monostate>();
    buffer.clear();
  }

  exchange_result send(const http_request& rq) {
    const bool reused = !std::holds_alternative<std::monostate>(stream);
    for (int attempt = 0;; ++attempt) {
      auto done = net::co_spawn(ioc, exchange(rq), net::use_future);
      ioc.restart();
      ioc.run();
      try {
        exchange_result r{done.get(), {}};
        if (!keep) drop();
        return r;
      } catch (const beast::system_error& e) {
        drop();
        // A kept connection the server closed meanwhile: one more try on a new one.
        const auto ec = e.code();
        const bool stale = ec == bhttp::error::end_of_stream || ec == net::error::eof ||
                           ec == net::error::connection_reset || ec == net::error::broken_pipe;
        if (reused && stale && attempt == 0) continue;
        if (ec == beast::error::timeout) {
          return {std::nullopt, "timed out after " + std::to_string(rq.timeout.count()) + " ms"};
        }
        return {std::nullopt, e.code().message()};
      } catch (const std::exception& e) {
        drop();
        return {std::nullopt, e.what()};
      }
    }
  }

  target_url target;
  client_options options;
  net::io_context ioc;
  net::ssl::context ssl{net::ssl::context::tls_client};
  std::variant<std::monostate, plain_stream, tls_stream> stream;
  beast::flat_buffer buffer;
  bool keep = true;
};

http_client::http_client(target_url target, client_options options)
    : impl_(std::make_unique<impl>(std::move(target), std::move(options))) {}

http_client::~http_client() = default;

exchange_result http_client::send(const http_request& request) { return impl_->send(request); }

}  // namespace emuscim::replay
