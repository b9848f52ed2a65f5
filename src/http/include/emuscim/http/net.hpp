#pragma once
// The one namespace-alias header for Boost.Asio / Boost.Beast (as Beast's examples do).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace emuscim {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
}  // namespace emuscim

namespace emuscim::http {
using request = bhttp::request<bhttp::string_body>;
using response = bhttp::response<bhttp::string_body>;
using tcp = net::ip::tcp;
}  // namespace emuscim::http
