#include "emuscim/tls/tls.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace fs = std::filesystem;
using emuscim::tls::make_server_context;
using emuscim::tls::write_self_signed;

namespace {

class temp_dir {
 public:
  temp_dir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("emuscim-tls-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct x509_deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

x509_ptr load_cert(const fs::path& path) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (bio == nullptr) return nullptr;
  x509_ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

std::string ip_to_text(const ASN1_OCTET_STRING* ip) {
  const int len = ASN1_STRING_length(ip);
  char buf[INET6_ADDRSTRLEN] = {0};
  const int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC || inet_ntop(family, ASN1_STRING_get0_data(ip), buf, sizeof buf) == nullptr) {
    return "<bad iPAddress>";
  }
  return buf;
}

struct san_entries {
  std::vector<std::string> dns;
  std::vector<std::string> ip;  // textual
};

san_entries read_sans(X509* cert) {
  san_entries out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const auto* s = name->d.dNSName;
      out.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                           static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else if (name->type == GEN_IPADD) {
      out.ip.push_back(ip_to_text(name->d.iPAddress));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// Expects make_server_context to throw a message containing `needle`.
void expect_throws_naming(const fs::path& cert, const fs::path& key, const std::string& needle) {
  try {
    (void)make_server_context(cert, key);
    ADD_FAILURE() << "expected std::runtime_error mentioning " << needle;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(SelfSigned, writesLoadableCertAndKey) {
  temp_dir dir;
  const auto files = write_self_signed(dir.path() / "sub", {"scim.example.test", "10.1.2.3"});
  EXPECT_EQ(files.cert, dir.path() / "sub" / "emuscim.crt");
  EXPECT_EQ(files.key, dir.path() / "sub" / "emuscim.key");
  ASSERT_TRUE(fs::exists(files.cert));
  ASSERT_TRUE(fs::exists(files.key));
  EXPECT_NO_THROW((void)make_server_context(files.cert, files.key));

  struct stat st {};
  ASSERT_EQ(::stat(files.key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SelfSigned, certificateHasSansAndServerExtensions) {
  temp_dir dir;
  const auto files = write_self_signed(dir.path(), {"scim.example.test", "10.1.2.3", "localhost"});
  auto cert = load_cert(files.cert);
  ASSERT_TRUE(cert);

  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);

  const auto sans = read_sans(cert.get());
  EXPECT_TRUE(contains(sans.dns, "scim.example.test"));
  EXPECT_TRUE(contains(sans.dns, "localhost"));
  EXPECT_EQ(std::count(sans.dns.begin(), sans.dns.end(), "localhost"), 1);
  EXPECT_FALSE(contains(sans.dns, "10.1.2.3")) << "IP addresses belong in iPAddress entries";
  EXPECT_TRUE(contains(sans.ip, "10.1.2.3"));
  EXPECT_TRUE(contains(sans.ip, "127.0.0.1"));
  EXPECT_TRUE(contains(sans.ip, "::1"));

  // What a verifying client checks.
  EXPECT_EQ(X509_check_host(cert.get(), "scim.example.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "other.example.test", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);

  // CN = first host.
  char cn[128] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "scim.example.test");

  // basicConstraints CA:FALSE, keyUsage digitalSignature, extendedKeyUsage serverAuth.
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  const uint32_t ku = X509_get_key_usage(cert.get());
  EXPECT_TRUE(ku & KU_DIGITAL_SIGNATURE);
  EXPECT_FALSE(ku & KU_KEY_CERT_SIGN);
  EXPECT_TRUE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);

  // Key: EC P-256.
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
  char group[64] = {0};
  size_t group_len = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(pub, group, sizeof group, &group_len), 1);
  EXPECT_STREQ(group, "prime256v1");

  // Valid now, for about 825 days.
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(cert.get())), 0);
  int days = 0;
  int secs = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())), 1);
  EXPECT_GE(days, 824);
  EXPECT_LE(days, 826);
}

TEST(SelfSigned, defaultsToLocalhostAndRandomSerial) {
  temp_dir dir;
  const auto a = write_self_signed(dir.path() / "a", {});
  const auto b = write_self_signed(dir.path() / "b", {});
  auto ca = load_cert(a.cert);
  auto cb = load_cert(b.cert);
  ASSERT_TRUE(ca && cb);
  char cn[128] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(ca.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "localhost");
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca.get()), X509_get0_serialNumber(cb.get())), 0);
  const auto sans = read_sans(ca.get());
  EXPECT_EQ(sans.dns, std::vector<std::string>{"localhost"});
  EXPECT_EQ(sans.ip, (std::vector<std::string>{"127.0.0.1", "::1"}));
}

TEST(SelfSigned, overwritesExistingFilesWithTightKeyMode) {
  temp_dir dir;
  write_text(dir.path() / "emuscim.key", "old");
  fs::permissions(dir.path() / "emuscim.key", fs::perms::all);
  const auto files = write_self_signed(dir.path(), {"localhost"});
  struct stat st {};
  ASSERT_EQ(::stat(files.key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NO_THROW((void)make_server_context(files.cert, files.key));
}

TEST(SelfSigned, rejectsInvalidHostName) {
  temp_dir dir;
  EXPECT_THROW((void)write_self_signed(dir.path(), {"bad host,DNS:evil"}), std::runtime_error);
}

TEST(ServerContext, missingFilesNameThePath) {
  temp_dir dir;
  const auto files = write_self_signed(dir.path(), {"localhost"});
  const auto missing = dir.path() / "nope.crt";
  expect_throws_naming(missing, files.key, missing.string());
  const auto missing_key = dir.path() / "nope.key";
  expect_throws_naming(files.cert, missing_key, missing_key.string());
}

TEST(ServerContext, unparsableFilesNameThePath) {
  temp_dir dir;
  const auto files = write_self_signed(dir.path(), {"localhost"});
  const auto garbage = dir.path() / "garbage.pem";
  write_text(garbage, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
  expect_throws_naming(garbage, files.key, garbage.string());
  expect_throws_naming(files.cert, garbage, garbage.string());
  const auto empty = dir.path() / "empty.pem";
  write_text(empty, "");
  expect_throws_naming(empty, files.key, empty.string());
  expect_throws_naming(files.cert, empty, empty.string());
  // Certificate and key swapped.
  expect_throws_naming(files.key, files.cert, files.key.string());
}

TEST(ServerContext, mismatchedKeyIsRejected) {
  temp_dir dir;
  const auto a = write_self_signed(dir.path() / "a", {"localhost"});
  const auto b = write_self_signed(dir.path() / "b", {"localhost"});
  try {
    (void)make_server_context(a.cert, b.key);
    ADD_FAILURE() << "expected a mismatch error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("does not match"), std::string::npos) << what;
    EXPECT_NE(what.find(b.key.string()), std::string::npos) << what;
    EXPECT_NE(what.find(a.cert.string()), std::string::npos) << what;
  }
}

TEST(ServerContext, onlyTls12And13WithServerPreference) {
  temp_dir dir;
  const auto files = write_self_signed(dir.path(), {"localhost"});
  auto ctx = make_server_context(files.cert, files.key);
  SSL_CTX* native = ctx.native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(native), TLS1_2_VERSION);
  const long max = SSL_CTX_get_max_proto_version(native);
  EXPECT_TRUE(max == 0 || max == TLS1_3_VERSION);
  const uint64_t opts = SSL_CTX_get_options(native);
  EXPECT_TRUE(opts & SSL_OP_CIPHER_SERVER_PREFERENCE);
  EXPECT_TRUE(opts & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(opts & SSL_OP_NO_RENEGOTIATION);

  // Every TLS 1.2 suite offered is ECDHE + AEAD.
  SSL* ssl = SSL_new(native);
  ASSERT_NE(ssl, nullptr);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get1_supported_ciphers(ssl);
  ASSERT_NE(ciphers, nullptr);
  int count = 0;
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    ++count;
    EXPECT_TRUE(SSL_CIPHER_is_aead(c)) << SSL_CIPHER_get_name(c);
    // TLS 1.3 suites report NID_kx_any (key exchange is negotiated separately).
    const int kx = SSL_CIPHER_get_kx_nid(c);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_any) << SSL_CIPHER_get_name(c);
  }
  EXPECT_GT(count, 0);
  sk_SSL_CIPHER_free(ciphers);
  SSL_free(ssl);
}
