// Serving certificates the API server makes for itself on first start.
//
// EnsureServingCertificates keeps, in one private directory (0700), a self-signed CA
// (`ca.crt`, `ca.key`: CN "kstream-ca", 10 years) and a serving certificate signed by it
// (`apiserver.crt`, `apiserver.key`: CN "kstream-apiserver", 1 year) whose SANs cover the
// names clients use for a local API server: DNS localhost, kubernetes, kubernetes.default,
// kubernetes.default.svc, IP 127.0.0.1 and ::1 (plus any extra names asked for). Keys are
// ECDSA P-256 in PKCS#8 PEM ("PRIVATE KEY"), files 0600; certificates are PEM, 0644; every
// file is replaced atomically. The profile is the one Go's crypto/tls (kubectl, client-go)
// and OpenSSL with X509_V_FLAG_X509_STRICT (Python 3.13's ssl default) accept: v3,
// positive 128-bit random serials, CA with critical basicConstraints CA:TRUE, keyUsage
// keyCertSign|cRLSign|digitalSignature and a subject key id; the leaf with critical
// keyUsage digitalSignature|keyEncipherment, extKeyUsage serverAuth, subject and authority
// key ids, SANs.
//
// On later starts valid files are reused untouched (parse, key matches certificate, the
// leaf is issued by the CA and carries the wanted SANs, neither expires within 30 days):
// the CA clients already trust keeps working. A bad or missing serving pair is re-issued
// by the existing CA; a bad or missing CA replaces all four files (clients then need the
// new ca.crt). What was done is reported in CertPaths::generated_* and ::message.
//
// Calls are serialised across processes with an flock on `<dir>/.lock`; the function is
// thread-safe for distinct directories, and for the same directory too (the lock).
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "base/status.h"

namespace kstream::server::auth {

inline constexpr char kCaCertFile[] = "ca.crt";
inline constexpr char kCaKeyFile[] = "ca.key";
inline constexpr char kServingCertFile[] = "apiserver.crt";
inline constexpr char kServingKeyFile[] = "apiserver.key";

struct CertPaths {
  std::string ca_cert;  // <dir>/ca.crt: what clients trust (kubeconfig certificate-authority-data)
  std::string cert;     // <dir>/apiserver.crt: the serving certificate (PEM)
  std::string key;      // <dir>/apiserver.key: its private key (PEM)

  bool generated_ca = false;       // ca.crt/ca.key were (re)made by this call
  bool generated_serving = false;  // apiserver.crt/apiserver.key were (re)made by this call
  // One line for the log saying what was generated and why ("" when all files were reused).
  std::string message;
};

struct CertOptions {
  // Extra subject alternative names for the serving certificate, besides the defaults:
  // DNS names (e.g. the host name) and IP literals (e.g. the bind address).
  std::vector<std::string> extra_dns_names;
  std::vector<std::string> extra_ips;
  int ca_validity_days = 3650;
  int serving_validity_days = 365;
  // Files expiring sooner than this are replaced.
  int renew_before_days = 30;
  // The time to issue at and judge expiry by; 0 = now. (Tests use it to make expired files.)
  time_t now = 0;
};

// The names every serving certificate carries.
const std::vector<std::string>& DefaultServingDnsNames();  // localhost, kubernetes, ...
const std::vector<std::string>& DefaultServingIps();       // 127.0.0.1, ::1

// See the header comment. `dir` is created (0700) when missing. Fills `out` on success.
// Errors: kInvalidArgument for a bad extra SAN, kUnavailable for file-system failures,
// kInternal when OpenSSL fails.
Status EnsureServingCertificates(const std::string& dir, CertPaths* out);
Status EnsureServingCertificates(const std::string& dir, const CertOptions& options, CertPaths* out);

}  // namespace kstream::server::auth
