#include "emuscim/http/server.hpp"

#include <chrono>
#include <filesystem>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "emuscim/tls/tls.hpp"
#include "unit/http/server_test_support.hpp"

namespace emuscim::http::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class ServerTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("emuscim-server-tls-" + std::to_string(rd()) + std::to_string(rd()));
    files_ = tls::write_self_signed(dir_, {"localhost"});
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static server_options tls_options() {
    auto o = test_options();
    o.tls_cert_file = files_.cert.string();
    o.tls_key_file = files_.key.string();
    return o;
  }

  // A client context that trusts only our self-signed certificate, pinned to one version.
  static net::ssl::context client_context(int version) {
    net::ssl::context ctx(net::ssl::context::tls_client);
    ctx.load_verify_file(files_.cert.string());
    SSL_CTX_set_min_proto_version(ctx.native_handle(), version);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), version);
    return ctx;
  }

  static void expect_https_works(running_server& srv, int version) {
    auto ctx = client_context(version);
    tls_client c(srv.endpoint(), ctx);
    ASSERT_FALSE(c.handshake()) << "verification against the self-signed certificate failed";
    EXPECT_EQ(SSL_version(c.stream().native_handle()), version);
    auto r1 = c.request(bhttp::verb::get, "/a");
    EXPECT_EQ(r1.body(), "GET /a body=0 tls");
    auto r2 = c.request(bhttp::verb::post, "/b", "xyz", /*keep_alive=*/false);
    EXPECT_EQ(r2.body(), "POST /b body=3 tls");
    EXPECT_FALSE(r2.keep_alive());
    // The server closes with close_notify (eof) rather than a bare TCP close (stream_truncated).
    EXPECT_EQ(c.wait_closed(), net::error::eof);
  }

  static inline fs::path dir_;
  static inline tls::self_signed_files files_;
};

TEST_F(ServerTls, servesTls13WithVerification) {
  echo_handler handler;
  running_server srv(tls_options(), handler);
  expect_https_works(srv, TLS1_3_VERSION);
}

TEST_F(ServerTls, servesTls12WithVerification) {
  echo_handler handler;
  running_server srv(tls_options(), handler);
  expect_https_works(srv, TLS1_2_VERSION);
}

TEST_F(ServerTls, verificationOfWrongNameFails) {
  echo_handler handler;
  running_server srv(tls_options(), handler);
  auto ctx = client_context(TLS1_3_VERSION);
  tls_client c(srv.endpoint(), ctx);
  EXPECT_TRUE(c.handshake("wrong.example.test"));
}

TEST_F(ServerTls, tls11IsRefused) {
  echo_handler handler;
  running_server srv(tls_options(), handler);
  net::ssl::context ctx(net::ssl::context::tls_client);
  // Let the client offer TLS 1.1 at all, so the refusal is the server's.
  SSL_CTX_set_security_level(ctx.native_handle(), 0);
  SSL_CTX_set_cipher_list(ctx.native_handle(), "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
  tls_client c(srv.endpoint(), ctx);
  EXPECT_TRUE(c.handshake());
}

TEST_F(ServerTls, plainHttpOnTlsPortFailsOnlyThatConnection) {
  echo_handler handler;
  running_server srv(tls_options(), handler);
  {
    client plain(srv.endpoint());
    ASSERT_FALSE(plain.write_raw("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    bhttp::response<bhttp::string_body> res;
    EXPECT_TRUE(plain.read(res)) << "a plain-HTTP client must not get an HTTP answer";
    EXPECT_NE(plain.wait_closed(), net::error::timed_out);
  }
  EXPECT_TRUE(eventually([&] { return srv.get().open_connections() == 0; }));
  auto ctx = client_context(TLS1_3_VERSION);
  tls_client c(srv.endpoint(), ctx);
  ASSERT_FALSE(c.handshake());
  EXPECT_EQ(c.request(bhttp::verb::get, "/after").body(), "GET /after body=0 tls");
  EXPECT_EQ(handler.calls.load(), 1);
}

TEST_F(ServerTls, stalledHandshakeIsClosed) {
  echo_handler handler;
  auto opts = tls_options();
  opts.header_timeout = 300ms;
  running_server srv(opts, handler);
  client silent(srv.endpoint());
  // Half a ClientHello record header, then nothing.
  ASSERT_FALSE(silent.write_raw(std::string("\x16\x03\x01", 3)));
  const auto start = clock::now();
  EXPECT_NE(silent.wait_closed(), net::error::timed_out);
  EXPECT_LT(clock::now() - start, 1500ms);
  // Meanwhile and afterwards the server is fine.
  auto ctx = client_context(TLS1_2_VERSION);
  tls_client c(srv.endpoint(), ctx);
  ASSERT_FALSE(c.handshake());
  EXPECT_EQ(c.request(bhttp::verb::get, "/ok").result(), bhttp::status::ok);
}

TEST_F(ServerTls, gracefulStopClosesIdleTlsConnection) {
  echo_handler handler;
  auto opts = tls_options();
  opts.idle_timeout = 30s;
  running_server srv(opts, handler);
  auto ctx = client_context(TLS1_3_VERSION);
  tls_client c(srv.endpoint(), ctx);
  ASSERT_FALSE(c.handshake());
  EXPECT_EQ(c.request(bhttp::verb::get, "/").result(), bhttp::status::ok);
  srv.get().stop();
  EXPECT_TRUE(srv.wait_for_exit(2s));
  EXPECT_NE(c.wait_closed(), net::error::timed_out);
}

TEST_F(ServerTls, badCertificateFileFailsConstruction) {
  echo_handler handler;
  auto opts = tls_options();
  opts.tls_cert_file = (dir_ / "missing.crt").string();
  try {
    server s(opts, handler);
    ADD_FAILURE() << "expected a TLS configuration error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.crt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace emuscim::http::testing
