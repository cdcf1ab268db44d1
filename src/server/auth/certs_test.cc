#include "server/auth/certs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/auth/files.h"
#include "server/auth/kubeconfig.h"
#include "server/auth/token_file.h"
#include "testing/etcd_process.h"  // RunProgram
#include "testing/kubectl.h"
#include "testing/temp_dir.h"

namespace kstream::server::auth {
namespace {

namespace fs = std::filesystem;

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
  void operator()(SSL* p) const { SSL_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, X509Free>;

std::string Read(const std::string& path) {
  auto r = ReadFileLimited(path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

Ptr<X509> LoadCert(const std::string& path) {
  std::string pem = Read(path);
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Ptr<X509>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

Ptr<EVP_PKEY> LoadKey(const std::string& path) {
  std::string pem = Read(path);
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Ptr<EVP_PKEY>(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string CommonName(X509_NAME* name) {
  char buf[256];
  int n = X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof(buf));
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

// "DNS:x" / "IP:y" for every SAN, in order.
std::vector<std::string> Sans(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      const ASN1_IA5STRING* s = gn->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                         static_cast<size_t>(ASN1_STRING_length(s))));
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = gn->d.iPAddress;
      char buf[INET6_ADDRSTRLEN];
      int af = ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6;
      inet_ntop(af, ASN1_STRING_get0_data(s), buf, sizeof(buf));
      out.push_back(std::string("IP:") + buf);
    } else {
      out.push_back("other");
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

bool ExtensionCritical(X509* cert, int nid) {
  int i = X509_get_ext_by_NID(cert, nid, -1);
  return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, i)) == 1;
}

std::string Hex(const ASN1_OCTET_STRING* s) {
  if (s == nullptr) return "";
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < ASN1_STRING_length(s); ++i) {
    unsigned char c = ASN1_STRING_get0_data(s)[i];
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

int ValidityDays(X509* cert) {
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert));
  return days;
}

struct VerifyTarget {
  std::string host;  // checked as a DNS name when set
  std::string ip;    // checked as an IP when set
};

// X509_verify_cert of `leaf` against `ca` alone, strict, for a TLS server, and the name.
int Verify(X509* ca, X509* leaf, const VerifyTarget& target) {
  Ptr<X509_STORE> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca);
  Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (!target.host.empty()) X509_VERIFY_PARAM_set1_host(param, target.host.c_str(), target.host.size());
  if (!target.ip.empty()) X509_VERIFY_PARAM_set1_ip_asc(param, target.ip.c_str());
  int ok = X509_verify_cert(ctx.get());
  int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return ok == 1 ? X509_V_OK : (err == X509_V_OK ? -1 : err);
}

struct Snapshot {
  std::string ca_crt, ca_key, crt, key;
  bool operator==(const Snapshot&) const = default;
};

Snapshot Files(const std::string& dir) {
  return {Read(dir + "/ca.crt"), Read(dir + "/ca.key"), Read(dir + "/apiserver.crt"), Read(dir + "/apiserver.key")};
}

CertPaths MustEnsure(const std::string& dir, const CertOptions& options = {}) {
  CertPaths paths;
  Status s = EnsureServingCertificates(dir, options, &paths);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return paths;
}

class CertsTest : public ::testing::Test {
 protected:
  kstream::testing::TempDir root_{"ks-certs"};
  std::string dir_ = root_.str() + "/pki/apiserver";
};

TEST_F(CertsTest, FirstStartGeneratesCaAndServingCertificate) {
  CertPaths paths = MustEnsure(dir_);
  EXPECT_EQ(paths.ca_cert, dir_ + "/ca.crt");
  EXPECT_EQ(paths.cert, dir_ + "/apiserver.crt");
  EXPECT_EQ(paths.key, dir_ + "/apiserver.key");
  EXPECT_TRUE(paths.generated_ca);
  EXPECT_TRUE(paths.generated_serving);
  EXPECT_EQ(paths.message, "generated a new CA and serving certificate in " + dir_);

  EXPECT_EQ(FileMode(dir_), 0700);
  EXPECT_EQ(FileMode(dir_ + "/ca.key"), 0600);
  EXPECT_EQ(FileMode(dir_ + "/apiserver.key"), 0600);
  EXPECT_EQ(FileMode(dir_ + "/ca.crt"), 0644);
  EXPECT_EQ(FileMode(dir_ + "/apiserver.crt"), 0644);
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{".lock", "ca.crt", "ca.key", "apiserver.crt", "apiserver.key"}));

  // Keys: ECDSA P-256, PKCS#8 PEM.
  for (const char* f : {"/ca.key", "/apiserver.key"}) {
    EXPECT_EQ(Read(dir_ + f).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << f;
    Ptr<EVP_PKEY> key = LoadKey(dir_ + f);
    ASSERT_NE(key, nullptr) << f;
    EXPECT_EQ(EVP_PKEY_get_base_id(key.get()), EVP_PKEY_EC);
    char group[64] = {0};
    size_t len = 0;
    ASSERT_EQ(EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len), 1);
    EXPECT_STREQ(group, "prime256v1");
  }

  Ptr<X509> ca = LoadCert(paths.ca_cert);
  Ptr<X509> leaf = LoadCert(paths.cert);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(leaf, nullptr);
  Ptr<EVP_PKEY> ca_key = LoadKey(dir_ + "/ca.key");
  Ptr<EVP_PKEY> leaf_key = LoadKey(paths.key);
  EXPECT_EQ(X509_check_private_key(ca.get(), ca_key.get()), 1);
  EXPECT_EQ(X509_check_private_key(leaf.get(), leaf_key.get()), 1);
  EXPECT_NE(X509_check_private_key(leaf.get(), ca_key.get()), 1);
  ERR_clear_error();

  // The CA.
  EXPECT_EQ(X509_get_version(ca.get()), X509_VERSION_3);
  EXPECT_EQ(CommonName(X509_get_subject_name(ca.get())), "kstream-ca");
  EXPECT_EQ(CommonName(X509_get_issuer_name(ca.get())), "kstream-ca");
  EXPECT_EQ(X509_get_signature_nid(ca.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_TRUE(ExtensionCritical(ca.get(), NID_basic_constraints));
  EXPECT_TRUE(ExtensionCritical(ca.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(ca.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE));
  EXPECT_NE(X509_get0_subject_key_id(ca.get()), nullptr);
  EXPECT_EQ(ValidityDays(ca.get()), 3650);  // + the hour of back-dating

  // The serving certificate.
  EXPECT_EQ(X509_get_version(leaf.get()), X509_VERSION_3);
  EXPECT_EQ(CommonName(X509_get_subject_name(leaf.get())), "kstream-apiserver");
  EXPECT_EQ(CommonName(X509_get_issuer_name(leaf.get())), "kstream-ca");
  EXPECT_EQ(X509_get_signature_nid(leaf.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
  EXPECT_TRUE(ExtensionCritical(leaf.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(leaf.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  EXPECT_EQ(X509_get_extended_key_usage(leaf.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(Sans(leaf.get()),
            (std::vector<std::string>{"DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default",
                                      "DNS:kubernetes.default.svc", "IP:127.0.0.1", "IP:::1"}));
  ASSERT_NE(X509_get0_authority_key_id(leaf.get()), nullptr);
  EXPECT_EQ(Hex(X509_get0_authority_key_id(leaf.get())), Hex(X509_get0_subject_key_id(ca.get())));
  EXPECT_NE(X509_get0_subject_key_id(leaf.get()), nullptr);
  EXPECT_EQ(ValidityDays(leaf.get()), 365);

  // Serials: positive, random 128 bits (at most 17 DER octets), different.
  std::set<std::string> serials;
  for (X509* c : {ca.get(), leaf.get()}) {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(c);
    Ptr<BIGNUM> bn(ASN1_INTEGER_to_BN(serial, nullptr));
    EXPECT_FALSE(BN_is_negative(bn.get()));
    EXPECT_LE(BN_num_bits(bn.get()), 128);
    EXPECT_GT(BN_num_bits(bn.get()), 64);  // fails with probability 2^-64
    char* hex = BN_bn2hex(bn.get());
    serials.insert(hex);
    OPENSSL_free(hex);
  }
  EXPECT_EQ(serials.size(), 2u);

  // The chain verifies (strictly, as a TLS server) for every name and for no other.
  EXPECT_EQ(Verify(ca.get(), leaf.get(), {}), X509_V_OK);
  for (const char* host : {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "LOCALHOST"}) {
    EXPECT_EQ(Verify(ca.get(), leaf.get(), {host, ""}), X509_V_OK) << host;
  }
  for (const char* ip : {"127.0.0.1", "::1", "0:0:0:0:0:0:0:1"}) {
    EXPECT_EQ(Verify(ca.get(), leaf.get(), {"", ip}), X509_V_OK) << ip;
  }
  EXPECT_EQ(Verify(ca.get(), leaf.get(), {"example.com", ""}), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), {"kubernetes.default.svc.cluster.local", ""}), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), {"kstream-apiserver", ""}), X509_V_ERR_HOSTNAME_MISMATCH);  // CN is no SAN
  EXPECT_EQ(Verify(ca.get(), leaf.get(), {"", "127.0.0.2"}), X509_V_ERR_IP_ADDRESS_MISMATCH);
  // The CA verifies itself.
  EXPECT_EQ(Verify(ca.get(), ca.get(), {}), X509_V_OK);
}

TEST_F(CertsTest, SecondStartReusesTheFiles) {
  MustEnsure(dir_);
  Snapshot first = Files(dir_);
  CertPaths again = MustEnsure(dir_);
  EXPECT_FALSE(again.generated_ca);
  EXPECT_FALSE(again.generated_serving);
  EXPECT_EQ(again.message, "");
  EXPECT_EQ(again.cert, dir_ + "/apiserver.crt");
  EXPECT_TRUE(Files(dir_) == first);
}

TEST_F(CertsTest, EachDirectoryGetsItsOwnCa) {
  MustEnsure(dir_);
  MustEnsure(root_.str() + "/other");
  Snapshot a = Files(dir_), b = Files(root_.str() + "/other");
  EXPECT_NE(a.ca_crt, b.ca_crt);
  EXPECT_NE(a.ca_key, b.ca_key);
  Ptr<X509> ca_a = LoadCert(dir_ + "/ca.crt");
  Ptr<X509> leaf_b = LoadCert(root_.str() + "/other/apiserver.crt");
  EXPECT_EQ(Verify(ca_a.get(), leaf_b.get(), {}), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(CertsTest, BadServingPairIsReissuedByTheSameCa) {
  MustEnsure(dir_);
  const Snapshot original = Files(dir_);
  struct Case {
    const char* name;
    std::function<void()> damage;
    std::string problem;
  };
  const std::string crt = dir_ + "/apiserver.crt", key = dir_ + "/apiserver.key";
  std::vector<Case> cases = {
      {"corrupt cert", [&] { ASSERT_TRUE(WriteFileAtomic(crt, "garbage", 0644).ok()); },
       "apiserver.crt: not a PEM certificate"},
      {"truncated cert",
       [&] { ASSERT_TRUE(WriteFileAtomic(crt, original.crt.substr(0, original.crt.size() / 2), 0644).ok()); },
       "apiserver.crt: not a PEM certificate"},
      {"missing key", [&] { fs::remove(key); }, "apiserver.key: missing"},
      {"missing both", [&] { fs::remove(key), fs::remove(crt); }, "apiserver.crt: missing"},
      {"corrupt key", [&] { ASSERT_TRUE(WriteFileAtomic(key, "-----BEGIN PRIVATE KEY-----\nAAAA\n", 0600).ok()); },
       "apiserver.key: not a PEM private key"},
      {"wrong key", [&] { ASSERT_TRUE(WriteFileAtomic(key, original.ca_key, 0600).ok()); },
       "apiserver.key: does not match apiserver.crt"},
      {"directory instead of cert", [&] { fs::remove(crt), fs::create_directory(crt); },
       "apiserver.crt: unreadable (read " + crt + ": is a directory)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_NO_FATAL_FAILURE(c.damage());
    CertPaths paths;
    Status s = EnsureServingCertificates(dir_, &paths);
    if (std::string(c.name) == "directory instead of cert") {
      // The rename onto a directory fails: reported, never crashes.
      EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
      fs::remove_all(crt);
      s = EnsureServingCertificates(dir_, &paths);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(paths.message, "apiserver.crt: missing; issued a new serving certificate in " + dir_ +
                                   " from the existing CA");
    } else {
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(paths.message, c.problem + "; issued a new serving certificate in " + dir_ + " from the existing CA");
    }
    EXPECT_FALSE(paths.generated_ca);
    EXPECT_TRUE(paths.generated_serving);
    Snapshot now = Files(dir_);
    EXPECT_EQ(now.ca_crt, original.ca_crt);
    EXPECT_EQ(now.ca_key, original.ca_key);
    EXPECT_NE(now.crt, original.crt);
    EXPECT_NE(now.key, original.key);
    Ptr<X509> ca = LoadCert(dir_ + "/ca.crt");
    Ptr<X509> leaf = LoadCert(crt);
    EXPECT_EQ(Verify(ca.get(), leaf.get(), {"kubernetes.default.svc", ""}), X509_V_OK);
    EXPECT_EQ(FileMode(key), 0600);
    // And the repaired state is stable.
    CertPaths again = MustEnsure(dir_);
    EXPECT_EQ(again.message, "");
  }
}

TEST_F(CertsTest, ServingPairOfAnotherCaIsReissued) {
  MustEnsure(dir_);
  const std::string other = root_.str() + "/other";
  MustEnsure(other);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/apiserver.crt", Read(other + "/apiserver.crt"), 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/apiserver.key", Read(other + "/apiserver.key"), 0600).ok());
  CertPaths paths = MustEnsure(dir_);
  EXPECT_EQ(paths.message,
            "apiserver.crt: not issued by ca.crt; issued a new serving certificate in " + dir_ + " from the existing CA");
  Ptr<X509> ca = LoadCert(dir_ + "/ca.crt");
  Ptr<X509> leaf = LoadCert(dir_ + "/apiserver.crt");
  EXPECT_EQ(Verify(ca.get(), leaf.get(), {}), X509_V_OK);
}

TEST_F(CertsTest, BadCaReplacesEverything) {
  MustEnsure(dir_);
  struct Case {
    const char* name;
    const char* file;
    std::string content;  // "" = remove
    std::string problem;
  };
  const Snapshot original = Files(dir_);
  std::vector<Case> cases = {
      {"corrupt ca key", "ca.key", "not a key", "ca.key: not a PEM private key"},
      {"missing ca cert", "ca.crt", "", "ca.crt: missing"},
      {"ca key of the leaf", "ca.key", original.key, "ca.key: does not match ca.crt"},
      {"leaf as ca", "ca.crt", original.crt, "ca.key: does not match ca.crt"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Snapshot before = Files(dir_);
    const std::string path = dir_ + "/" + c.file;
    if (c.content.empty()) {
      fs::remove(path);
    } else {
      ASSERT_TRUE(WriteFileAtomic(path, c.content, 0600).ok());
    }
    CertPaths paths = MustEnsure(dir_);
    EXPECT_TRUE(paths.generated_ca);
    EXPECT_TRUE(paths.generated_serving);
    EXPECT_EQ(paths.message, c.problem + "; generated a new CA and serving certificate in " + dir_ +
                                 " (clients must trust the new ca.crt)");
    Snapshot now = Files(dir_);
    EXPECT_NE(now.ca_crt, before.ca_crt);
    EXPECT_NE(now.ca_key, before.ca_key);
    EXPECT_NE(now.crt, before.crt);
    EXPECT_NE(now.key, before.key);
    Ptr<X509> ca = LoadCert(dir_ + "/ca.crt");
    Ptr<X509> leaf = LoadCert(dir_ + "/apiserver.crt");
    EXPECT_EQ(Verify(ca.get(), leaf.get(), {"localhost", ""}), X509_V_OK);
    EXPECT_EQ(MustEnsure(dir_).message, "");
  }
}

TEST_F(CertsTest, NonCaCertificateAsCaIsReplaced) {
  // A matching pair that is not a CA: the serving pair copied over ca.crt/ca.key.
  MustEnsure(dir_);
  const Snapshot original = Files(dir_);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/ca.crt", original.crt, 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/ca.key", original.key, 0600).ok());
  CertPaths paths = MustEnsure(dir_);
  EXPECT_TRUE(paths.generated_ca);
  EXPECT_EQ(paths.message.rfind("ca.crt: not a CA certificate; generated a new CA", 0), 0u) << paths.message;
}

TEST_F(CertsTest, ExpiryAndRenewal) {
  const time_t now = time(nullptr);
  const time_t day = 86400;
  CertOptions past;
  // Issued 400 days ago: the CA is fine, the 1-year serving certificate has expired.
  past.now = now - 400 * day;
  MustEnsure(dir_, past);
  Snapshot old = Files(dir_);
  CertPaths paths = MustEnsure(dir_);
  EXPECT_FALSE(paths.generated_ca);
  EXPECT_TRUE(paths.generated_serving);
  EXPECT_EQ(paths.message.rfind("apiserver.crt: expired on 20", 0), 0u) << paths.message;
  EXPECT_EQ(Files(dir_).ca_crt, old.ca_crt);

  // Issued 340 days ago: 25 days left, inside the 30-day renewal window.
  const std::string soon = root_.str() + "/soon";
  past.now = now - 340 * day;
  MustEnsure(soon, past);
  paths = MustEnsure(soon);
  EXPECT_EQ(paths.message.rfind("apiserver.crt: expires soon, on 20", 0), 0u) << paths.message;
  EXPECT_FALSE(paths.generated_ca);
  // With no renewal window the same files would still be used.
  const std::string soon2 = root_.str() + "/soon2";
  MustEnsure(soon2, past);
  CertOptions no_window;
  no_window.renew_before_days = 0;
  EXPECT_EQ(MustEnsure(soon2, no_window).message, "");

  // A CA issued 3700 days ago has expired: everything is replaced.
  const std::string ancient = root_.str() + "/ancient";
  past.now = now - 3700 * day;
  MustEnsure(ancient, past);
  paths = MustEnsure(ancient);
  EXPECT_TRUE(paths.generated_ca);
  EXPECT_EQ(paths.message.rfind("ca.crt: expired on 20", 0), 0u) << paths.message;

  // Issued in the future (the clock went back): not valid yet, replaced.
  const std::string future = root_.str() + "/future";
  past.now = now + 3 * day;
  MustEnsure(future, past);
  paths = MustEnsure(future);
  EXPECT_EQ(paths.message.rfind("ca.crt: not valid before 20", 0), 0u) << paths.message;
}

TEST_F(CertsTest, ExtraNames) {
  CertOptions options;
  options.extra_dns_names = {"node-1.example.test"};
  options.extra_ips = {"10.1.2.3", "fd00::2"};
  MustEnsure(dir_, options);
  Ptr<X509> leaf = LoadCert(dir_ + "/apiserver.crt");
  Ptr<X509> ca = LoadCert(dir_ + "/ca.crt");
  EXPECT_EQ(Sans(leaf.get()),
            (std::vector<std::string>{"DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default",
                                      "DNS:kubernetes.default.svc", "DNS:node-1.example.test", "IP:127.0.0.1",
                                      "IP:::1", "IP:10.1.2.3", "IP:fd00::2"}));
  EXPECT_EQ(Verify(ca.get(), leaf.get(), {"node-1.example.test", ""}), X509_V_OK);
  EXPECT_EQ(Verify(ca.get(), leaf.get(), {"", "10.1.2.3"}), X509_V_OK);
  // Fewer names asked for: the certificate still covers them.
  EXPECT_EQ(MustEnsure(dir_).message, "");
  // A name it lacks: re-issued.
  options.extra_dns_names = {"node-2.example.test"};
  CertPaths paths = MustEnsure(dir_, options);
  EXPECT_EQ(paths.message, "apiserver.crt: no subject alternative name DNS:node-2.example.test; issued a new "
                           "serving certificate in " + dir_ + " from the existing CA");
  options.extra_dns_names = {};
  options.extra_ips = {"10.9.9.9"};
  paths = MustEnsure(dir_, options);
  EXPECT_EQ(paths.message.rfind("apiserver.crt: no subject alternative name IP:10.9.9.9;", 0), 0u) << paths.message;

  // Invalid input is refused before anything is written.
  const std::string untouched = root_.str() + "/untouched";
  for (auto mutate : std::vector<std::function<void(CertOptions&)>>{
           [](CertOptions& o) { o.extra_dns_names = {"bad name"}; },
           [](CertOptions& o) { o.extra_dns_names = {""}; },
           [](CertOptions& o) { o.extra_dns_names = {"a,DNS:evil"}; },
           [](CertOptions& o) { o.extra_ips = {"300.1.1.1"}; },
           [](CertOptions& o) { o.extra_ips = {"localhost"}; },
           [](CertOptions& o) { o.serving_validity_days = 0; },
           [](CertOptions& o) { o.renew_before_days = 365; },
       }) {
    CertOptions o;
    mutate(o);
    CertPaths p;
    EXPECT_EQ(EnsureServingCertificates(untouched, o, &p).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(fs::exists(untouched));
}

TEST_F(CertsTest, ConcurrentFirstStartsAgree) {
  CertPaths a, b;
  Status sa, sb;
  std::thread t1([&] { sa = EnsureServingCertificates(dir_, &a); });
  std::thread t2([&] { sb = EnsureServingCertificates(dir_, &b); });
  t1.join();
  t2.join();
  ASSERT_TRUE(sa.ok()) << sa.ToString();
  ASSERT_TRUE(sb.ok()) << sb.ToString();
  // The lock serialises them: one generated, the other reused.
  EXPECT_NE(a.generated_ca, b.generated_ca);
  Ptr<X509> ca = LoadCert(dir_ + "/ca.crt");
  Ptr<X509> leaf = LoadCert(dir_ + "/apiserver.crt");
  EXPECT_EQ(Verify(ca.get(), leaf.get(), {}), X509_V_OK);
}

TEST_F(CertsTest, OpensslCliVerifies) {
  if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "openssl not installed";
  CertPaths paths = MustEnsure(dir_);
  auto out = kstream::testing::RunProgram({"/usr/bin/openssl", "verify", "-CAfile", paths.ca_cert, paths.cert});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, paths.cert + ": OK\n");
  out = kstream::testing::RunProgram({"/usr/bin/openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                                      "-verify_hostname", "kubernetes.default.svc", "-CAfile", paths.ca_cert,
                                      paths.cert});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, paths.cert + ": OK\n");
  out = kstream::testing::RunProgram({"/usr/bin/openssl", "verify", "-verify_ip", "::1", "-CAfile", paths.ca_cert,
                                      paths.cert});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  out = kstream::testing::RunProgram({"/usr/bin/openssl", "verify", "-verify_hostname", "example.com", "-CAfile",
                                      paths.ca_cert, paths.cert});
  EXPECT_FALSE(out.ok());
  // The key files are what openssl expects too.
  out = kstream::testing::RunProgram({"/usr/bin/openssl", "pkey", "-in", paths.key, "-noout", "-check"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
}

// ---- TLS handshakes with the generated files

// A TLS server on a loopback address (port 0) serving each connection one HTTP/1.1
// response ("ok"), recording the request heads, until destroyed.
class TlsServer {
 public:
  TlsServer(const CertPaths& paths, const std::string& bind_ip) {
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    if (!ctx_ || SSL_CTX_use_certificate_chain_file(ctx_.get(), paths.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_.get(), paths.key.c_str(), SSL_FILETYPE_PEM) != 1) {
      error_ = "server TLS setup failed";
      return;
    }
    const bool v6 = bind_ip.find(':') != std::string::npos;
    listen_fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage ss{};
    socklen_t len;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      inet_pton(AF_INET6, bind_ip.c_str(), &a->sin6_addr);
      len = sizeof(*a);
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      inet_pton(AF_INET, bind_ip.c_str(), &a->sin_addr);
      len = sizeof(*a);
    }
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
      error_ = std::string("listen on ") + bind_ip + ": " + strerror(errno);
      return;
    }
    port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
      error_ = "pipe";
      return;
    }
    thread_ = std::thread([this] { Run(); });
  }
  ~TlsServer() {
    if (thread_.joinable()) {
      char c = 'x';
      (void)!::write(stop_pipe_[1], &c, 1);
      thread_.join();
    }
    for (int fd : {listen_fd_, stop_pipe_[0], stop_pipe_[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  void Run() {
    for (;;) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents != 0) return;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval tv{10, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      Serve(fd);
      ::close(fd);
    }
  }
  void Serve(int fd) {
    Ptr<SSL> ssl(SSL_new(ctx_.get()));
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) != 1) {
      ERR_clear_error();
      return;
    }
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
      int n = SSL_read(ssl.get(), buf, sizeof(buf));
      if (n <= 0) break;
      head.append(buf, static_cast<size_t>(n));
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(head);
    }
    static const std::string kResponse =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    SSL_write(ssl.get(), kResponse.data(), static_cast<int>(kResponse.size()));
    SSL_shutdown(ssl.get());
    ERR_clear_error();
  }

  Ptr<SSL_CTX> ctx_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::string error_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

// An OpenSSL client handshake to connect_ip:port trusting only `ca_file` and checking
// `name` (a host name, or an IP literal): "" on success, else the verification error.
std::string OpenSslHandshake(const std::string& connect_ip, int port, const std::string& ca_file,
                             const std::string& name) {
  Ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx || SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) return "client setup";
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx.get()), X509_V_FLAG_X509_STRICT);
  const bool v6 = connect_ip.find(':') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, connect_ip.c_str(), &a->sin6_addr);
    len = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, connect_ip.c_str(), &a->sin_addr);
    len = sizeof(*a);
  }
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (fd >= 0) ::close(fd);
    return std::string("connect: ") + strerror(errno);
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  Ptr<SSL> ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), fd);
  unsigned char ipbuf[16];
  const bool is_ip = inet_pton(AF_INET, name.c_str(), ipbuf) == 1 || inet_pton(AF_INET6, name.c_str(), ipbuf) == 1;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), name.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl.get(), name.c_str());
    SSL_set1_host(ssl.get(), name.c_str());
  }
  std::string result;
  if (SSL_connect(ssl.get()) != 1) {
    long v = SSL_get_verify_result(ssl.get());
    result = v != X509_V_OK ? X509_verify_cert_error_string(v) : "handshake failed";
  } else {
    const std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    SSL_write(ssl.get(), req.data(), static_cast<int>(req.size()));
    std::string resp;
    char buf[1024];
    int n;
    while ((n = SSL_read(ssl.get(), buf, sizeof(buf))) > 0) resp.append(buf, static_cast<size_t>(n));
    if (resp.rfind("HTTP/1.1 200 OK\r\n", 0) != 0) result = "bad response: " + resp;
  }
  ERR_clear_error();
  ::close(fd);
  return result;
}

bool HaveIpv6Loopback() {
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

TEST_F(CertsTest, OpenSslTlsHandshake) {
  CertPaths paths = MustEnsure(dir_);
  TlsServer server(paths, "127.0.0.1");
  ASSERT_EQ(server.error(), "");
  for (const char* name : {"127.0.0.1", "localhost", "kubernetes", "kubernetes.default.svc"}) {
    EXPECT_EQ(OpenSslHandshake("127.0.0.1", server.port(), paths.ca_cert, name), "") << name;
  }
  EXPECT_EQ(OpenSslHandshake("127.0.0.1", server.port(), paths.ca_cert, "example.com"), "hostname mismatch");
  EXPECT_EQ(OpenSslHandshake("127.0.0.1", server.port(), paths.ca_cert, "10.0.0.1"), "IP address mismatch");
  // Another CA is not trusted.
  CertPaths other = MustEnsure(root_.str() + "/other");
  EXPECT_EQ(OpenSslHandshake("127.0.0.1", server.port(), other.ca_cert, "localhost"),
            "unable to get local issuer certificate");
  EXPECT_EQ(server.requests().size(), 4u);

  if (!HaveIpv6Loopback()) return;
  TlsServer server6(paths, "::1");
  ASSERT_EQ(server6.error(), "");
  EXPECT_EQ(OpenSslHandshake("::1", server6.port(), paths.ca_cert, "::1"), "");
  EXPECT_EQ(OpenSslHandshake("::1", server6.port(), paths.ca_cert, "localhost"), "");
}

TEST_F(CertsTest, PythonSslHandshake) {
  if (::system("python3 -c 'import ssl' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 with ssl not available";
  CertPaths paths = MustEnsure(dir_);
  TlsServer server(paths, "127.0.0.1");
  ASSERT_EQ(server.error(), "");
  // create_default_context verifies the chain and the host name; X509_STRICT is Python
  // 3.13's default, set here so older Pythons check it too.
  static const char kScript[] = R"(
import socket, ssl, sys
ca, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
    with ctx.wrap_socket(s, server_hostname=name) as t:
        t.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            chunk = t.recv(4096)
            if not chunk:
                break
            data += chunk
        print(data.split(b"\r\n")[0].decode())
)";
  for (const char* name : {"127.0.0.1", "localhost", "kubernetes.default.svc"}) {
    auto out = kstream::testing::RunProgram({"python3", "-c", kScript, paths.ca_cert, std::to_string(server.port()), name});
    ASSERT_TRUE(out.ok()) << name << ": " << out.status().ToString();
    EXPECT_EQ(*out, "HTTP/1.1 200 OK\n") << name;
  }
  auto bad = kstream::testing::RunProgram({"python3", "-c", kScript, paths.ca_cert, std::to_string(server.port()),
                                           "example.com"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("CERTIFICATE_VERIFY_FAILED"), std::string_view::npos)
      << bad.status().ToString();
}

// Go's crypto/tls (kubectl 1.33) against the generated certificate, with the generated
// kubeconfig and admin token: what a user of kstream-apiserver does first.
TEST_F(CertsTest, KubectlConnectsWithTheGeneratedKubeconfig) {
  const std::string kubectl = kstream::testing::FindKubectl133();
  if (kubectl.empty()) {
    if (kstream::testing::OracleRequired()) FAIL() << "kubectl 1.33 not found";
    GTEST_SKIP() << "kubectl 1.33 not found";
  }
  CertPaths paths = MustEnsure(dir_);
  std::string token;
  ASSERT_TRUE(EnsureAdminToken(dir_, "", &token).ok());
  TlsServer server(paths, "127.0.0.1");
  ASSERT_EQ(server.error(), "");
  const std::string ca_pem = Read(paths.ca_cert);

  int expected_requests = 0;
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    SCOPED_TRACE(host);
    const std::string kubeconfig = root_.str() + "/admin-" + host + ".kubeconfig";
    const std::string url = "https://" + host + ":" + std::to_string(server.port());
    ASSERT_TRUE(WriteFileAtomic(kubeconfig, KubeconfigYaml(url, ca_pem, token), 0600).ok());
    auto out = kstream::testing::RunProgram({kubectl, "--kubeconfig", kubeconfig, "get", "--raw", "/healthz"});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, "ok");
    ++expected_requests;
  }
  std::vector<std::string> requests = server.requests();
  ASSERT_EQ(requests.size(), static_cast<size_t>(expected_requests));
  for (const std::string& head : requests) {
    EXPECT_EQ(head.rfind("GET /healthz HTTP/1.1\r\n", 0), 0u) << head;
    // The token arrives as kube's bearer authenticator expects it, and names the admin.
    size_t at = head.find("\r\nAuthorization: ");
    ASSERT_NE(at, std::string::npos) << head;
    std::string value = head.substr(at + 17, head.find("\r\n", at + 2) - (at + 17));
    auto bearer = BearerToken(value);
    ASSERT_TRUE(bearer.has_value()) << value;
    auto tokens = LoadTokenFile(dir_ + "/tokens.csv");
    ASSERT_TRUE(tokens.ok());
    const UserInfo* user = tokens->Authenticate(*bearer);
    ASSERT_NE(user, nullptr);
    EXPECT_EQ(user->name, "admin");
    EXPECT_EQ(user->groups, (std::vector<std::string>{"system:masters"}));
  }

  // A kubeconfig with another CA: Go refuses the certificate.
  CertPaths other = MustEnsure(root_.str() + "/other");
  const std::string wrong = root_.str() + "/wrong.kubeconfig";
  ASSERT_TRUE(WriteFileAtomic(wrong,
                              KubeconfigYaml("https://127.0.0.1:" + std::to_string(server.port()),
                                             Read(other.ca_cert), token),
                              0600)
                  .ok());
  auto out = kstream::testing::RunProgram(
      {kubectl, "--kubeconfig", wrong, "get", "--raw", "/healthz", "--request-timeout=10s"});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("x509: certificate signed by unknown authority"), std::string_view::npos)
      << out.status().ToString();
}

}  // namespace
}  // namespace kstream::server::auth
