#pragma once
// The replay's HTTP client: HTTP/1.1 over plain TCP or TLS (Boost.Beast, OpenSSL), one
// keep-alive connection to one origin, a timeout per request. It is the `transport` that
// play() is given by `emuscim replay`. Thread-safety: one client per thread.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "emuscim/replay/player.hpp"

namespace emuscim::replay {

// A --target URL: "https://scim.example.com:8443/scim/v2/enterprises/acme" ->
// {tls, "scim.example.com", "8443", "/scim/v2/enterprises/acme"}. Pure.
struct target_url {
  bool tls = false;
  std::string host;   // without brackets for IPv6
  std::string port;   // "80" / "443" when the URL has none
  std::string path;   // "" or "/…" without a trailing slash
  std::string origin() const;  // "https://scim.example.com:8443" (the port only when given or not default)
};
// nullopt for anything but http:// or https:// with a host.
std::optional<target_url> parse_target_url(std::string_view url);

struct client_options {
  std::optional<std::string> ca_file;  // PEM file of trusted certificates (a self-signed server's)
  bool insecure = false;               // TLS without certificate or host name verification
};

class http_client {
 public:
  http_client(target_url target, client_options options);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // Sends one request to the target's origin. A failure (timeout, refused, TLS) is a result
  // without a reply, never an exception; the connection is then dropped and the next request
  // opens a new one.
  exchange_result send(const http_request& request);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace emuscim::replay
