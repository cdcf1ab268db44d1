// ApiServerProcess: runs a real kstream-apiserver binary for end-to-end tests.
//
// Start() launches `kstream-apiserver --data-dir <temp> --secure-port=0 --insecure-port=0`
// (plus the caller's flags), waits until it logs the ports it bound and /readyz answers,
// and exposes the URLs, the generated kubeconfig and the admin token. Stop() sends SIGTERM
// and waits (SIGKILL after a timeout); the destructor stops it and removes the data dir
// (unless the caller gave one). The server's stderr goes to a log file (LogTail).
//
// Not thread-safe; one object per server process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/status.h"

namespace kstream::e2e {

struct ApiServerOptions {
  std::string binary;                  // empty: KSTREAM_APISERVER_BIN
  std::string data_dir;                // empty: a fresh temporary directory (removed after)
  std::vector<std::string> extra_args;  // e.g. {"--storage=etcd", "--etcd-servers=..."}
  std::chrono::milliseconds start_timeout{std::chrono::seconds(30)};
};

class ApiServerProcess {
 public:
  explicit ApiServerProcess(ApiServerOptions options = {});
  ~ApiServerProcess();
  ApiServerProcess(const ApiServerProcess&) = delete;
  ApiServerProcess& operator=(const ApiServerProcess&) = delete;

  Status Start();
  // SIGTERM, wait up to `timeout` (then SIGKILL). Returns the exit status (or -1).
  int Stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool running() const { return pid_ > 0; }

  pid_t pid() const { return pid_; }
  int secure_port() const { return secure_port_; }
  int insecure_port() const { return insecure_port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(secure_port_); }
  std::string insecure_url() const { return "http://127.0.0.1:" + std::to_string(insecure_port_); }
  const std::string& data_dir() const { return data_dir_; }
  std::string kubeconfig() const { return data_dir_ + "/kubeconfig"; }
  std::string ca_file() const { return data_dir_ + "/pki/ca.crt"; }
  const std::string& token() const { return token_; }
  std::string LogTail(size_t bytes = 4000) const;

 private:
  ApiServerOptions options_;
  std::string temp_dir_;  // owned when data_dir was not given
  std::string data_dir_;
  std::string log_file_;
  pid_t pid_ = -1;
  int secure_port_ = 0;
  int insecure_port_ = 0;
  std::string token_;
};

// The kubectl 1.33 binary next to the `kubectl` dispatcher ("" if not found).
std::string Kubectl133();

}  // namespace kstream::e2e
