#include "server/auth/certs.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/files.h"

namespace kstream::server::auth {
namespace {

constexpr char kCaCommonName[] = "kstream-ca";
constexpr char kServingCommonName[] = "kstream-apiserver";
constexpr long kSecondsPerDay = 86400;
constexpr size_t kMaxPemBytes = 1 << 20;

struct OpenSslFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, OpenSslFree>;

// The reason OpenSSL last gave, with `what` in front; clears OpenSSL's error queue.
Status OpenSslError(std::string_view what) {
  std::string msg(what);
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  return Internal(std::move(msg));
}

// A passphrase callback that refuses: an encrypted key is reported as unreadable instead
// of OpenSSL prompting on the terminal.
int NoPassphrase(char*, int, int, void*) { return -1; }

Ptr<X509> ParseCertPem(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  return cert;
}

Ptr<EVP_PKEY> ParseKeyPem(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  return key;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Result<std::string> CertToPem(X509* cert) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("encode certificate");
  return BioContents(bio.get());
}

// PKCS#8 ("PRIVATE KEY"), unencrypted.
Result<std::string> KeyToPem(EVP_PKEY* key) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("encode private key");
  }
  return BioContents(bio.get());
}

Result<Ptr<EVP_PKEY>> GenerateKey() {
  Ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generate ECDSA P-256 key");
  return key;
}

Status AddConfExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext) return OpenSslError(std::string("make extension ") + OBJ_nid2sn(nid) + "=" + value);
  if (X509_add_ext(cert, ext.get(), -1) != 1) return OpenSslError("add extension");
  return Status::Ok();
}

Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& dns, const std::vector<std::string>& ips) {
  Ptr<GENERAL_NAMES> names(GENERAL_NAMES_new());
  if (!names) return OpenSslError("allocate SANs");
  for (const std::string& d : dns) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (gn == nullptr || s == nullptr || ASN1_STRING_set(s, d.data(), static_cast<int>(d.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(s);
      return OpenSslError("make DNS SAN");
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, s);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  for (const std::string& ip : ips) {
    ASN1_OCTET_STRING* s = a2i_IPADDRESS(ip.c_str());
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (s == nullptr || gn == nullptr) {
      ASN1_OCTET_STRING_free(s);
      GENERAL_NAME_free(gn);
      return OpenSslError("make IP SAN " + ip);
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, s);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("add subjectAltName");
  }
  return Status::Ok();
}

struct IssueParams {
  const char* common_name;
  EVP_PKEY* subject_key;
  X509* issuer;          // null: self-signed
  EVP_PKEY* signer_key;  // the issuer's key (or subject_key when self-signed)
  time_t now;
  int validity_days;
  bool is_ca;
  const std::vector<std::string>* dns = nullptr;
  const std::vector<std::string>* ips = nullptr;
};

Result<Ptr<X509>> Issue(const IssueParams& p) {
  Ptr<X509> cert(X509_new());
  if (!cert) return OpenSslError("allocate certificate");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return OpenSslError("set version");

  // 128 random bits; positive by construction (DER adds a 0x00 byte when the top bit is
  // set, 17 octets at most, within RFC 5280's 20).
  Ptr<BIGNUM> serial(BN_new());
  if (!serial) return OpenSslError("allocate serial");
  do {
    if (BN_rand(serial.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) return OpenSslError("random serial");
  } while (BN_is_zero(serial.get()));
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return OpenSslError("set serial");
  }

  // Valid from an hour ago (clock skew between this host and its clients), as kube does.
  if (ASN1_TIME_adj(X509_getm_notBefore(cert.get()), p.now, 0, -3600) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), p.now, p.validity_days, 0) == nullptr) {
    return OpenSslError("set validity");
  }

  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(p.common_name), -1, -1, 0) != 1) {
    return OpenSslError("set subject");
  }
  X509* issuer = p.issuer != nullptr ? p.issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) != 1) return OpenSslError("set issuer");
  if (X509_set_pubkey(cert.get(), p.subject_key) != 1) return OpenSslError("set public key");

  if (p.is_ca) {
    KS_RETURN_IF_ERROR(AddConfExtension(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE"));
    KS_RETURN_IF_ERROR(
        AddConfExtension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"));
    KS_RETURN_IF_ERROR(AddConfExtension(cert.get(), issuer, NID_subject_key_identifier, "hash"));
  } else {
    KS_RETURN_IF_ERROR(AddConfExtension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE"));
    KS_RETURN_IF_ERROR(
        AddConfExtension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
    KS_RETURN_IF_ERROR(AddConfExtension(cert.get(), issuer, NID_ext_key_usage, "serverAuth"));
    KS_RETURN_IF_ERROR(AddConfExtension(cert.get(), issuer, NID_subject_key_identifier, "hash"));
    KS_RETURN_IF_ERROR(AddConfExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always"));
    KS_RETURN_IF_ERROR(AddSubjectAltNames(cert.get(), *p.dns, *p.ips));
  }

  if (X509_sign(cert.get(), p.signer_key, EVP_sha256()) <= 0) return OpenSslError("sign certificate");
  return cert;
}

std::string FormatTime(const ASN1_TIME* t) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "?";
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A certificate and key read from disk, or the reason they cannot be used ("" = usable
// as far as the pair itself goes).
struct LoadedPair {
  Ptr<X509> cert;
  Ptr<EVP_PKEY> key;
  std::string problem;
  bool any_file_exists = false;
};

LoadedPair LoadPair(const std::string& dir, const char* cert_name, const char* key_name, time_t now,
                    int renew_before_days) {
  LoadedPair out;
  auto cert_pem = ReadFileLimited(dir + "/" + cert_name, kMaxPemBytes);
  auto key_pem = ReadFileLimited(dir + "/" + key_name, kMaxPemBytes);
  out.any_file_exists = cert_pem.status().code() != StatusCode::kNotFound ||
                        key_pem.status().code() != StatusCode::kNotFound;
  if (!cert_pem.ok()) {
    out.problem = std::string(cert_name) + (cert_pem.status().code() == StatusCode::kNotFound
                                                ? ": missing"
                                                : ": unreadable (" + std::string(cert_pem.status().message()) + ")");
    return out;
  }
  if (!key_pem.ok()) {
    out.problem = std::string(key_name) + (key_pem.status().code() == StatusCode::kNotFound
                                               ? ": missing"
                                               : ": unreadable (" + std::string(key_pem.status().message()) + ")");
    return out;
  }
  out.cert = ParseCertPem(*cert_pem);
  if (!out.cert) {
    out.problem = std::string(cert_name) + ": not a PEM certificate";
    return out;
  }
  out.key = ParseKeyPem(*key_pem);
  if (!out.key) {
    out.problem = std::string(key_name) + ": not a PEM private key";
    return out;
  }
  if (X509_check_private_key(out.cert.get(), out.key.get()) != 1) {
    ERR_clear_error();
    out.problem = std::string(key_name) + ": does not match " + cert_name;
    return out;
  }
  time_t renew_at = now + static_cast<time_t>(renew_before_days) * kSecondsPerDay;
  const ASN1_TIME* not_after = X509_get0_notAfter(out.cert.get());
  const ASN1_TIME* not_before = X509_get0_notBefore(out.cert.get());
  if (X509_cmp_time(not_after, &now) <= 0) {
    out.problem = std::string(cert_name) + ": expired on " + FormatTime(not_after);
  } else if (X509_cmp_time(not_after, &renew_at) <= 0) {
    out.problem = std::string(cert_name) + ": expires soon, on " + FormatTime(not_after);
  } else if (X509_cmp_time(not_before, &now) >= 0) {
    out.problem = std::string(cert_name) + ": not valid before " + FormatTime(not_before);
  }
  ERR_clear_error();
  return out;
}

bool ValidDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '*' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool ValidIp(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

}  // namespace

const std::vector<std::string>& DefaultServingDnsNames() {
  static const std::vector<std::string> kNames = {"localhost", "kubernetes", "kubernetes.default",
                                                  "kubernetes.default.svc"};
  return kNames;
}

const std::vector<std::string>& DefaultServingIps() {
  static const std::vector<std::string> kIps = {"127.0.0.1", "::1"};
  return kIps;
}

Status EnsureServingCertificates(const std::string& dir, CertPaths* out) {
  return EnsureServingCertificates(dir, CertOptions(), out);
}

Status EnsureServingCertificates(const std::string& dir, const CertOptions& options, CertPaths* out) {
  std::vector<std::string> dns = DefaultServingDnsNames();
  std::vector<std::string> ips = DefaultServingIps();
  for (const std::string& d : options.extra_dns_names) {
    if (!ValidDnsName(d)) return InvalidArgument("invalid DNS name for the serving certificate: \"" + d + "\"");
    dns.push_back(d);
  }
  for (const std::string& ip : options.extra_ips) {
    if (!ValidIp(ip)) return InvalidArgument("invalid IP address for the serving certificate: \"" + ip + "\"");
    ips.push_back(ip);
  }
  if (options.ca_validity_days <= 0 || options.serving_validity_days <= 0 || options.renew_before_days < 0 ||
      options.renew_before_days >= options.serving_validity_days ||
      options.renew_before_days >= options.ca_validity_days) {
    return InvalidArgument("invalid certificate validity options");
  }

  KS_RETURN_IF_ERROR(EnsureDirectory(dir, 0700));
  DirectoryLock lock(dir);
  KS_RETURN_IF_ERROR(lock.status());

  CertPaths paths;
  paths.ca_cert = dir + "/" + kCaCertFile;
  paths.cert = dir + "/" + kServingCertFile;
  paths.key = dir + "/" + kServingKeyFile;
  const time_t now = options.now != 0 ? options.now : time(nullptr);

  LoadedPair ca = LoadPair(dir, kCaCertFile, kCaKeyFile, now, options.renew_before_days);
  if (ca.problem.empty()) {
    if (X509_check_ca(ca.cert.get()) < 1) {
      ca.problem = std::string(kCaCertFile) + ": not a CA certificate";
    } else if (X509_verify(ca.cert.get(), X509_get0_pubkey(ca.cert.get())) != 1) {
      ca.problem = std::string(kCaCertFile) + ": not self-signed";
    }
    ERR_clear_error();
  }

  LoadedPair leaf = LoadPair(dir, kServingCertFile, kServingKeyFile, now, options.renew_before_days);
  if (ca.problem.empty() && leaf.problem.empty()) {
    X509* c = leaf.cert.get();
    if (X509_check_issued(ca.cert.get(), c) != X509_V_OK || X509_verify(c, X509_get0_pubkey(ca.cert.get())) != 1) {
      leaf.problem = std::string(kServingCertFile) + ": not issued by " + kCaCertFile;
    } else if (X509_check_purpose(c, X509_PURPOSE_SSL_SERVER, 0) != 1) {
      leaf.problem = std::string(kServingCertFile) + ": not a TLS server certificate";
    } else {
      for (const std::string& d : dns) {
        if (X509_check_host(c, d.c_str(), d.size(), X509_CHECK_FLAG_NO_WILDCARDS, nullptr) != 1) {
          leaf.problem = std::string(kServingCertFile) + ": no subject alternative name DNS:" + d;
          break;
        }
      }
      for (const std::string& ip : ips) {
        if (!leaf.problem.empty()) break;
        if (X509_check_ip_asc(c, ip.c_str(), 0) != 1) {
          leaf.problem = std::string(kServingCertFile) + ": no subject alternative name IP:" + ip;
        }
      }
    }
    ERR_clear_error();
  }

  if (ca.problem.empty() && leaf.problem.empty()) {
    *out = std::move(paths);
    return Status::Ok();
  }

  IssueParams leaf_params{kServingCommonName, nullptr, nullptr, nullptr, now, options.serving_validity_days, false,
                          &dns,               &ips};
  if (!ca.problem.empty()) {
    KS_ASSIGN_OR_RETURN(Ptr<EVP_PKEY> ca_key, GenerateKey());
    KS_ASSIGN_OR_RETURN(Ptr<X509> ca_cert, Issue(IssueParams{kCaCommonName, ca_key.get(), nullptr, ca_key.get(), now,
                                                             options.ca_validity_days, true}));
    KS_ASSIGN_OR_RETURN(std::string ca_key_pem, KeyToPem(ca_key.get()));
    KS_ASSIGN_OR_RETURN(std::string ca_cert_pem, CertToPem(ca_cert.get()));
    // Key before certificate: a crash in between leaves a mismatched pair, which the next
    // start detects and replaces.
    KS_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + kCaKeyFile, ca_key_pem, 0600));
    KS_RETURN_IF_ERROR(WriteFileAtomic(paths.ca_cert, ca_cert_pem, 0644));
    ca.cert = std::move(ca_cert);
    ca.key = std::move(ca_key);
    paths.generated_ca = true;
  }

  KS_ASSIGN_OR_RETURN(Ptr<EVP_PKEY> key, GenerateKey());
  leaf_params.subject_key = key.get();
  leaf_params.issuer = ca.cert.get();
  leaf_params.signer_key = ca.key.get();
  KS_ASSIGN_OR_RETURN(Ptr<X509> cert, Issue(leaf_params));
  KS_ASSIGN_OR_RETURN(std::string key_pem, KeyToPem(key.get()));
  KS_ASSIGN_OR_RETURN(std::string cert_pem, CertToPem(cert.get()));
  KS_RETURN_IF_ERROR(WriteFileAtomic(paths.key, key_pem, 0600));
  KS_RETURN_IF_ERROR(WriteFileAtomic(paths.cert, cert_pem, 0644));
  paths.generated_serving = true;

  if (paths.generated_ca) {
    if (!ca.any_file_exists && !leaf.any_file_exists) {
      paths.message = "generated a new CA and serving certificate in " + dir;
    } else {
      paths.message = ca.problem + "; generated a new CA and serving certificate in " + dir +
                      " (clients must trust the new " + kCaCertFile + ")";
    }
  } else {
    paths.message = leaf.problem + "; issued a new serving certificate in " + dir + " from the existing CA";
  }
  *out = std::move(paths);
  return Status::Ok();
}

}  // namespace kstream::server::auth
