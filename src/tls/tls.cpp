#include "emuscim/tls/tls.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace emuscim::tls {

namespace {

// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only (Mozilla "intermediate").
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";

constexpr long kValidityDays = 825;  // the longest lifetime Apple platforms accept
constexpr const char* kCertName = "emuscim.crt";
constexpr const char* kKeyName = "emuscim.key";

template <auto Fn>
struct deleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Fn(p);
  }
};
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free_all>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, deleter<EVP_PKEY_CTX_free>>;
using bignum_ptr = std::unique_ptr<BIGNUM, deleter<BN_free>>;
using general_names_ptr = std::unique_ptr<GENERAL_NAMES, deleter<GENERAL_NAMES_free>>;
using general_name_ptr = std::unique_ptr<GENERAL_NAME, deleter<GENERAL_NAME_free>>;
using octet_string_ptr = std::unique_ptr<ASN1_OCTET_STRING, deleter<ASN1_OCTET_STRING_free>>;
using ia5_string_ptr = std::unique_ptr<ASN1_IA5STRING, deleter<ASN1_IA5STRING_free>>;
using x509_extension_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION_free>>;

// Drains OpenSSL's thread-local error queue into one line.
std::string openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("unknown OpenSSL error") : out;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("tls: " + what + ": " + openssl_errors());
}

// Never prompt on a terminal for a passphrase: encrypted keys are simply rejected.
int no_password(char*, int, int, void*) { return 0; }

std::string read_file(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("tls: cannot read " + std::string(what) + " file '" + path.string() +
                             "': " + std::strerror(errno));
  }
  std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) {
    throw std::runtime_error("tls: cannot read " + std::string(what) + " file '" + path.string() + "'");
  }
  return data;
}

bio_ptr memory_bio(const std::string& data) {
  bio_ptr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) fail("BIO_new_mem_buf");
  return bio;
}

// Writes via a temporary file and rename, so a reader never sees a half-written file and an
// existing key file never keeps looser permissions.
void write_file_atomically(const std::filesystem::path& path, const std::string& data, mode_t mode) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  auto error = [&](const char* op) {
    return std::runtime_error("tls: cannot write '" + path.string() + "': " + op + ": " + std::strerror(errno));
  };
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw error("open");
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const auto err = error("write");
      ::close(fd);
      ::unlink(tmp.c_str());
      throw err;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    const auto err = error("fchmod/fsync");
    ::close(fd);
    ::unlink(tmp.c_str());
    throw err;
  }
  if (::close(fd) != 0) {
    const auto err = error("close");
    ::unlink(tmp.c_str());
    throw err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const auto err = error("rename");
    ::unlink(tmp.c_str());
    throw err;
  }
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

pkey_ptr generate_p256_key() {
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") <= 0) {
    fail("cannot set up EC P-256 key generation");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) <= 0) fail("cannot generate EC P-256 key");
  return pkey_ptr(raw);
}

bool valid_dns_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '*' || c == '_';
    if (!ok) return false;
  }
  return true;
}

void add_name(GENERAL_NAMES* names, const std::string& host) {
  general_name_ptr name(GENERAL_NAME_new());
  if (!name) fail("GENERAL_NAME_new");
  if (octet_string_ptr ip(a2i_IPADDRESS(host.c_str())); ip) {
    // RFC 5280 §4.2.1.6: an IP address goes in iPAddress, never in dNSName.
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, ip.release());
  } else {
    ERR_clear_error();  // a2i_IPADDRESS leaves nothing useful behind for a DNS name
    if (!valid_dns_name(host)) throw std::runtime_error("tls: not a valid host name for a certificate: '" + host + "'");
    ia5_string_ptr dns(ASN1_IA5STRING_new());
    if (!dns || ASN1_STRING_set(dns.get(), host.data(), static_cast<int>(host.size())) != 1) fail("ASN1_STRING_set");
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, dns.release());
  }
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) fail("sk_GENERAL_NAME_push");
  name.release();
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  x509_extension_ptr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail(std::string("cannot add extension ") + OBJ_nid2sn(nid));
}

}  // namespace

boost::asio::ssl::context make_server_context(const std::filesystem::path& cert_file,
                                              const std::filesystem::path& key_file) {
  namespace ssl = boost::asio::ssl;
  ERR_clear_error();

  const std::string cert_pem = read_file(cert_file, "certificate");
  const std::string key_pem = read_file(key_file, "private key");

  // Parse both ourselves first so each failure names the right file.
  x509_ptr leaf;
  {
    auto bio = memory_bio(cert_pem);
    leaf.reset(PEM_read_bio_X509_AUX(bio.get(), nullptr, no_password, nullptr));
    if (!leaf) fail("cannot parse certificate file '" + cert_file.string() + "' (expected PEM)");
  }
  pkey_ptr key;
  {
    auto bio = memory_bio(key_pem);
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
    if (!key) fail("cannot parse private key file '" + key_file.string() + "' (expected unencrypted PEM)");
  }
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("tls: private key '" + key_file.string() + "' does not match certificate '" +
                             cert_file.string() + "'");
  }

  ssl::context ctx(ssl::context::tls_server);
  SSL_CTX* native = ctx.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1) {
    fail("cannot restrict protocol versions to TLS 1.2-1.3");
  }
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                  ssl::context::single_dh_use);
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) fail("cannot set TLS 1.2 cipher list");
  if (SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1) fail("cannot set TLS 1.3 cipher suites");
  if (SSL_CTX_set1_groups_list(native, kGroups) != 1) fail("cannot set key exchange groups");
  SSL_CTX_set_default_passwd_cb(native, no_password);

  boost::system::error_code ec;
  ctx.use_certificate_chain(boost::asio::buffer(cert_pem), ec);
  if (ec) {
    throw std::runtime_error("tls: cannot load certificate chain '" + cert_file.string() + "': " + ec.message());
  }
  if (SSL_CTX_use_PrivateKey(native, key.get()) != 1) {
    fail("cannot use private key '" + key_file.string() + "'");
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    throw std::runtime_error("tls: private key '" + key_file.string() + "' does not match certificate '" +
                             cert_file.string() + "'");
  }
  return ctx;
}

self_signed_files write_self_signed(const std::filesystem::path& dir, const std::vector<std::string>& hosts) {
  ERR_clear_error();
  std::error_code fs_ec;
  std::filesystem::create_directories(dir, fs_ec);
  if (fs_ec) throw std::runtime_error("tls: cannot create directory '" + dir.string() + "': " + fs_ec.message());

  // Deduplicated, in order: the caller's hosts, then the loopback names.
  std::vector<std::string> names;
  std::set<std::string> seen;
  auto add = [&](const std::string& h) {
    if (!h.empty() && seen.insert(h).second) names.push_back(h);
  };
  for (const auto& h : hosts) add(h);
  for (const char* h : {"localhost", "127.0.0.1", "::1"}) add(h);

  pkey_ptr key = generate_p256_key();

  x509_ptr cert(X509_new());
  if (!cert) fail("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) fail("X509_set_version");

  // RFC 5280 §4.1.2.2: positive, at most 20 octets; 159 random bits keeps it positive.
  bignum_ptr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    fail("cannot generate serial number");
  }

  // Backdate an hour to tolerate clock skew between this host and its clients.
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60L * 60) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), kValidityDays, 0, nullptr) == nullptr) {
    fail("cannot set validity");
  }
  if (X509_set_pubkey(cert.get(), key.get()) != 1) fail("X509_set_pubkey");

  std::string common_name = "localhost";
  if (!hosts.empty() && !hosts.front().empty() && hosts.front().size() <= 64) common_name = hosts.front();
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  const auto* org = reinterpret_cast<const unsigned char*>("emuscim self-signed");
  if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, org, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1) {
    fail("cannot set subject name");
  }

  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  add_extension(cert.get(), &v3, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), &v3, NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), &v3, NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), &v3, NID_subject_key_identifier, "hash");

  general_names_ptr san(GENERAL_NAMES_new());
  if (!san) fail("GENERAL_NAMES_new");
  for (const auto& name : names) add_name(san.get(), name);
  if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, san.get(), 0, X509V3_ADD_REPLACE) != 1) {
    fail("cannot add subjectAltName");
  }

  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("cannot sign certificate");

  bio_ptr key_bio(BIO_new(BIO_s_mem()));
  bio_ptr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio) fail("BIO_new");
  if (PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("cannot encode private key");
  }
  if (PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) fail("cannot encode certificate");

  self_signed_files files{dir / kCertName, dir / kKeyName};
  write_file_atomically(files.key, bio_contents(key_bio.get()), 0600);
  write_file_atomically(files.cert, bio_contents(cert_bio.get()), 0644);
  return files;
}

}  // namespace emuscim::tls
