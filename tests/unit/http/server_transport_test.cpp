#include "emuscim/http/server.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "unit/http/server_test_support.hpp"

namespace emuscim::http::testing {
namespace {

using namespace std::chrono_literals;

void expect_scim_error(const bhttp::response<bhttp::string_body>& res, int status) {
  EXPECT_EQ(res.result_int(), static_cast<unsigned>(status));
  EXPECT_EQ(res[bhttp::field::content_type], "application/scim+json; charset=utf-8");
  const auto body = nlohmann::json::parse(res.body(), nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << res.body();
  EXPECT_EQ(body["schemas"], nlohmann::json::array({"urn:ietf:params:scim:api:messages:2.0:Error"}));
  EXPECT_EQ(body["status"], std::to_string(status));
  EXPECT_TRUE(body.contains("detail"));
}

bool closed_cleanly(const beast::error_code& ec) {
  return ec == net::error::eof || ec == net::error::connection_reset;
}

TEST(Server, bindsAnEphemeralPort) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  EXPECT_NE(srv.endpoint().port(), 0);
  EXPECT_EQ(srv.endpoint().address().to_string(), "127.0.0.1");
}

TEST(Server, keepAliveServesTwoRequestsOnOneConnection) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  client c(srv.endpoint());
  auto r1 = c.request(bhttp::verb::get, "/one");
  EXPECT_EQ(r1.result(), bhttp::status::ok);
  EXPECT_EQ(r1.body(), "GET /one body=0");
  EXPECT_TRUE(r1.keep_alive());
  EXPECT_EQ(r1[bhttp::field::content_length], std::to_string(r1.body().size()));
  auto r2 = c.request(bhttp::verb::post, "/two", "hello");
  EXPECT_EQ(r2.body(), "POST /two body=5");
  EXPECT_EQ(handler.calls.load(), 2);
  EXPECT_EQ(srv.get().open_connections(), 1u);
}

TEST(Server, connectionCloseIsHonoured) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  {
    client c(srv.endpoint());
    auto res = c.request(bhttp::verb::get, "/", {}, /*keep_alive=*/false);
    EXPECT_EQ(res.result(), bhttp::status::ok);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(closed_cleanly(c.wait_closed()));
  }
  // Once the client hangs up the server's lingering close ends at once.
  EXPECT_TRUE(eventually([&] { return srv.get().open_connections() == 0; }, 500ms));
}

TEST(Server, http10GetsHttp10Response) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  client c(srv.endpoint());
  ASSERT_FALSE(c.write_raw("GET /old HTTP/1.0\r\n\r\n"));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.version(), 10u);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(res.body(), "GET /old body=0");
}

TEST(Server, headGetsLengthWithoutBody) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  client c(srv.endpoint());
  // A HEAD response, then a GET on the same connection: a stray body would corrupt the second.
  ASSERT_FALSE(c.write_raw("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n"));
  bhttp::response<bhttp::string_body> head;
  ASSERT_FALSE(c.read(head, /*head=*/true));
  EXPECT_EQ(head[bhttp::field::content_length], std::to_string(std::string("HEAD /h body=0").size()));
  bhttp::response<bhttp::string_body> get;
  ASSERT_FALSE(c.read(get));
  EXPECT_EQ(get.body(), "GET /g body=0");
}

TEST(Server, expectContinueGetsInterimResponse) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  client c(srv.endpoint());
  ASSERT_FALSE(c.write_raw("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  bhttp::response<bhttp::string_body> interim;
  ASSERT_FALSE(c.read(interim));
  EXPECT_EQ(interim.result(), bhttp::status::continue_);
  ASSERT_FALSE(c.write_raw("hello"));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.body(), "POST /e body=5");
}

TEST(Server, contentLengthOverLimitIs413WithoutReadingBody) {
  echo_handler handler;
  auto opts = test_options();
  opts.body_limit = 1024;
  running_server srv(opts, handler);
  client c(srv.endpoint());
  // Only the header is sent: the answer must not wait for the 10 MB body.
  const auto start = clock::now();
  ASSERT_FALSE(c.write_raw("POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\nabc"));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  EXPECT_LT(clock::now() - start, 1s);
  expect_scim_error(res, 413);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(closed_cleanly(c.wait_closed()));
  EXPECT_EQ(handler.calls.load(), 0);
}

TEST(Server, fullBodyOverLimitStill413) {
  echo_handler handler;
  auto opts = test_options();
  opts.body_limit = 1024;
  running_server srv(opts, handler);
  client c(srv.endpoint());
  // The whole oversized body is already on the wire; the response must survive the close.
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/u", 11};
  req.set(bhttp::field::host, "x");
  req.body().assign(64 * 1024, 'b');
  req.prepare_payload();
  ASSERT_FALSE(c.write(req));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  expect_scim_error(res, 413);
  EXPECT_EQ(handler.calls.load(), 0);
}

TEST(Server, bodyAtLimitIsAccepted) {
  echo_handler handler;
  auto opts = test_options();
  opts.body_limit = 1024;
  running_server srv(opts, handler);
  client c(srv.endpoint());
  auto res = c.request(bhttp::verb::post, "/u", std::string(1024, 'b'));
  EXPECT_EQ(res.body(), "POST /u body=1024");
}

TEST(Server, chunkedBodyOverLimitIs413) {
  echo_handler handler;
  auto opts = test_options();
  opts.body_limit = 1024;
  running_server srv(opts, handler);
  client c(srv.endpoint());
  const std::string chunk(2048, 'c');
  ASSERT_FALSE(c.write_raw("POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + chunk +
                           "\r\n0\r\n\r\n"));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  expect_scim_error(res, 413);
  EXPECT_EQ(handler.calls.load(), 0);
}

TEST(Server, chunkedBodyWithinLimitIsDelivered) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  client c(srv.endpoint());
  ASSERT_FALSE(c.write_raw("POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  EXPECT_EQ(res.body(), "POST /u body=5");
}

TEST(Server, oversizedHeaderIs431) {
  echo_handler handler;
  auto opts = test_options();
  opts.header_limit = 1024;
  running_server srv(opts, handler);
  client c(srv.endpoint());
  ASSERT_FALSE(c.write_raw("GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(8192, 'p') + "\r\n\r\n"));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  expect_scim_error(res, 431);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(closed_cleanly(c.wait_closed()));
  EXPECT_EQ(handler.calls.load(), 0);
}

TEST(Server, garbageIs400AndClose) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  client c(srv.endpoint());
  ASSERT_FALSE(c.write_raw(std::string("\x01\x02\x03 garbage\r\n\r\n")));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  expect_scim_error(res, 400);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(closed_cleanly(c.wait_closed()));
  EXPECT_EQ(handler.calls.load(), 0);
}

TEST(Server, badContentLengthIs400) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  client c(srv.endpoint());
  ASSERT_FALSE(c.write_raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n"));
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(c.read(res));
  expect_scim_error(res, 400);
}

TEST(Server, slowlorisIsCutOffWhileOthersAreServed) {
  echo_handler handler;
  auto opts = test_options();
  opts.header_timeout = 300ms;
  running_server srv(opts, handler);

  client slow(srv.endpoint());
  const std::string header = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 's') + "\r\n\r\n";
  const auto start = clock::now();
  bool cut_off = false;
  for (std::size_t i = 0; i < header.size() && clock::now() - start < 3s; ++i) {
    if (slow.write_raw(header.substr(i, 1))) {
      cut_off = true;
      break;
    }
    if (i == 3) {
      // Someone else is served meanwhile.
      client other(srv.endpoint());
      EXPECT_EQ(other.request(bhttp::verb::get, "/other").body(), "GET /other body=0");
    }
    std::this_thread::sleep_for(20ms);
  }
  const auto elapsed = clock::now() - start;
  EXPECT_TRUE(cut_off) << "the slow client was never disconnected";
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_EQ(handler.calls.load(), 1);
}

TEST(Server, silentConnectionIsClosedAfterHeaderTimeout) {
  echo_handler handler;
  auto opts = test_options();
  opts.header_timeout = 200ms;
  running_server srv(opts, handler);
  client c(srv.endpoint());
  const auto start = clock::now();
  EXPECT_TRUE(c.wait_closed());
  EXPECT_LT(clock::now() - start, 1500ms);
  EXPECT_TRUE(eventually([&] { return srv.get().open_connections() == 0; }));
}

TEST(Server, idleKeepAliveConnectionIsClosed) {
  echo_handler handler;
  auto opts = test_options();
  opts.idle_timeout = 200ms;
  running_server srv(opts, handler);
  client c(srv.endpoint());
  EXPECT_EQ(c.request(bhttp::verb::get, "/").result(), bhttp::status::ok);
  const auto start = clock::now();
  const auto ec = c.wait_closed();
  const auto elapsed = clock::now() - start;
  EXPECT_NE(ec, net::error::timed_out);
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_TRUE(eventually([&] { return srv.get().open_connections() == 0; }));
}

TEST(Server, writeTimeoutClosesClientThatNeverReads) {
  echo_handler handler;
  auto opts = test_options();
  opts.write_timeout = 300ms;
  running_server srv(opts, handler);
  client c(srv.endpoint(), /*receive_buffer=*/4096);
  ASSERT_FALSE(c.write_raw("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(eventually([&] { return handler.calls.load() == 1; }));
  // The 8 MiB response cannot fit in the socket buffers while nobody reads.
  EXPECT_TRUE(eventually([&] { return srv.get().open_connections() == 0; }, 2s));
}

TEST(Server, maxConnectionsClosesExtraConnections) {
  echo_handler handler;
  auto opts = test_options();
  opts.max_connections = 2;
  running_server srv(opts, handler);
  auto c1 = std::make_unique<client>(srv.endpoint());
  client c2(srv.endpoint());
  ASSERT_TRUE(eventually([&] { return srv.get().open_connections() == 2; }));

  client c3(srv.endpoint());
  const auto start = clock::now();
  EXPECT_TRUE(closed_cleanly(c3.wait_closed()));
  EXPECT_LT(clock::now() - start, 1s);
  EXPECT_EQ(srv.get().open_connections(), 2u);

  // The admitted ones still work, and a slot frees up when one goes away.
  EXPECT_EQ(c2.request(bhttp::verb::get, "/2").result(), bhttp::status::ok);
  c1.reset();
  ASSERT_TRUE(eventually([&] { return srv.get().open_connections() == 1; }));
  client c4(srv.endpoint());
  EXPECT_EQ(c4.request(bhttp::verb::get, "/4").result(), bhttp::status::ok);
}

TEST(Server, handlerExceptionCostsOnlyItsConnection) {
  // The transport renders no 500 of its own: the pipeline is the one place that turns an
  // exception into an answer (pipeline_test.cpp). A handler that throws anyway loses its
  // connection, and the server goes on serving others.
  echo_handler handler;
  running_server srv(test_options(), handler);
  {
    client c(srv.endpoint());
    EXPECT_ANY_THROW(c.request(bhttp::verb::get, "/throw"));
  }
  client other(srv.endpoint());
  EXPECT_EQ(other.request(bhttp::verb::get, "/after").body(), "GET /after body=0");
}

TEST(Server, streamedAnswerIsChunkedAndEndsTheConnection) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  client c(srv.endpoint());
  auto res = c.request(bhttp::verb::get, "/stream");
  EXPECT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(res[bhttp::field::content_type], "text/event-stream");
  EXPECT_TRUE(res.chunked());
  EXPECT_EQ(res.body(), "onetwothree");
  EXPECT_FALSE(res.keep_alive());
}

TEST(Server, gracefulStopFinishesInFlightResponse) {
  echo_handler handler;
  auto opts = test_options();
  opts.idle_timeout = 30s;  // the idle client must be closed by stop(), not by its timeout
  running_server srv(opts, handler);

  client idle(srv.endpoint());
  EXPECT_EQ(idle.request(bhttp::verb::get, "/warm").result(), bhttp::status::ok);

  auto busy = std::make_unique<client>(srv.endpoint());
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/slow", 11};
  req.set(bhttp::field::host, "x");
  ASSERT_FALSE(busy->write(req));
  ASSERT_TRUE(eventually([&] { return handler.slow_started.load(); }));

  const auto start = clock::now();
  srv.get().stop();
  srv.get().stop();  // idempotent

  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(busy->read(res));
  EXPECT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(res.body(), "GET /slow body=0");
  EXPECT_FALSE(res.keep_alive()) << "the last response announces the close";
  EXPECT_TRUE(closed_cleanly(busy->wait_closed()));
  busy.reset();  // hang up as told, ending the server's lingering close

  EXPECT_TRUE(srv.wait_for_exit(2s)) << "run() must return although a client holds an idle connection";
  EXPECT_LT(clock::now() - start, 700ms);
  EXPECT_TRUE(closed_cleanly(idle.wait_closed()));
  EXPECT_EQ(srv.get().open_connections(), 0u);
  EXPECT_THROW(client late(srv.endpoint()), beast::system_error);
}

TEST(Server, requestCompletedAfterStopGets503) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  {
    client c(srv.endpoint());
    ASSERT_FALSE(c.write_raw("GET /late HTTP/1.1\r\n"));
    ASSERT_TRUE(eventually([&] { return srv.get().open_connections() == 1; }));
    std::this_thread::sleep_for(50ms);  // let the server see the first bytes
    srv.get().stop();
    ASSERT_FALSE(c.write_raw("Host: x\r\n\r\n"));
    bhttp::response<bhttp::string_body> res;
    ASSERT_FALSE(c.read(res));
    expect_scim_error(res, 503);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(closed_cleanly(c.wait_closed()));
  }
  EXPECT_EQ(handler.calls.load(), 0);
  EXPECT_TRUE(srv.wait_for_exit(2s));
}

TEST(Server, lingeringCloseIsBounded) {
  echo_handler handler;
  auto opts = test_options();
  opts.write_timeout = 300ms;  // the linger is bounded by min(write_timeout, 1s)
  running_server srv(opts, handler);
  // The client is told to close but never does: stop() still completes promptly.
  client c(srv.endpoint());
  EXPECT_FALSE(c.request(bhttp::verb::get, "/", {}, /*keep_alive=*/false).keep_alive());
  const auto start = clock::now();
  srv.get().stop();
  EXPECT_TRUE(srv.wait_for_exit(2s));
  EXPECT_LT(clock::now() - start, 800ms);
}

TEST(Server, stopBeforeRunMakesRunReturn) {
  echo_handler handler;
  server s(test_options(), handler);
  s.stop();
  auto done = std::async(std::launch::async, [&] { s.run(); });
  EXPECT_EQ(done.wait_for(2s), std::future_status::ready);
}

TEST(Server, stopFromHandlerThreadAndForeignWorkDoNotBlockRun) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  // Work someone else parked on the pool must not keep run() alive after stop().
  auto timer = std::make_shared<net::steady_timer>(srv.get().io_context(), std::chrono::hours(1));
  timer->async_wait([timer](beast::error_code) {});
  net::post(srv.get().io_context(), [&] { srv.get().stop(); });
  EXPECT_TRUE(srv.wait_for_exit(2s));
}

TEST(Server, bindFailureNamesTheAddress) {
  echo_handler handler;
  running_server srv(test_options(), handler);
  auto opts = test_options();
  opts.port = srv.endpoint().port();
  try {
    server second(opts, handler);
    ADD_FAILURE() << "expected the second bind to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(opts.port)), std::string::npos) << e.what();
  }
}

TEST(Server, halfConfiguredTlsIsRejected) {
  echo_handler handler;
  auto opts = test_options();
  opts.tls_cert_file = "/nonexistent.crt";
  EXPECT_THROW(server(opts, handler), std::runtime_error);
}

}  // namespace
}  // namespace emuscim::http::testing
