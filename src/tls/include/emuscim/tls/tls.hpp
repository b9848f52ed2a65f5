#pragma once
// TLS for the server (OpenSSL through Boost.Asio's ssl::context) and a self-signed
// certificate generator for local use. OpenSSL APIs only, no shell-outs.

#include <filesystem>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

namespace emuscim::tls {

// TLS 1.2 and 1.3 only, modern AEAD cipher list, server cipher preference, no compression,
// no renegotiation. Throws std::runtime_error with a clear message naming the file when the
// certificate or key is unreadable, unparsable, or the key does not match the certificate.
boost::asio::ssl::context make_server_context(const std::filesystem::path& cert_file,
                                              const std::filesystem::path& key_file);

struct self_signed_files {
  std::filesystem::path cert;  // <dir>/emuscim.crt (PEM)
  std::filesystem::path key;   // <dir>/emuscim.key (PEM, mode 0600)
};
// EC P-256 key, X.509 v3, 825 days, subjectAltName = DNS:<each host>, DNS:localhost,
// IP:127.0.0.1, IP:::1; CN = first host or "localhost". Creates `dir` if needed.
// Throws std::runtime_error on failure.
self_signed_files write_self_signed(const std::filesystem::path& dir, const std::vector<std::string>& hosts);

}  // namespace emuscim::tls
