// EtcdProcess / EtcdCluster: real etcd servers on loopback, for tests.
//
// An EtcdProcess starts the etcd binary (etcd 3.4+) as a child process with a fresh
// temporary directory (the data dir and the server's log live there; /dev/shm is used when
// available, so fsync is cheap), on free loopback ports (found by binding port 0; a start
// that loses a port race to another process is retried on new ports). Start() returns once
// the server reports healthy on /health (served on a plain-HTTP metrics port; polled against
// a deadline), and endpoint() then gives the client address "127.0.0.1:PORT" (plain gRPC,
// or TLS when configured). Stop() (SIGTERM, then SIGKILL after a grace period) and Kill()
// (SIGKILL) end the process but keep its data; Restart() starts it again on the same ports
// and data and waits until healthy.
// EtcdCluster starts N members that form one cluster (static initial-cluster on loopback).
// RunEtcdctl runs etcdctl (v3 API) against an endpoint and returns its stdout.
//
// Ownership: the object owns the child process and the temporary directory; the
// destructor kills the process (if running) and removes the directory (kept, and its path
// printed, when KS_KEEP_TEST_FILES is set). Children are also killed by the kernel if the
// test process dies (crash, SIGKILL, std::terminate): none outlives its test.
//
// Thread-safety: none; use one object from one thread at a time. The binaries are found via
// the environment variables $KSTREAM_ETCD_BIN / $KSTREAM_ETCDCTL_BIN, else the same-named
// compile definitions (default /usr/bin/etcd, /usr/bin/etcdctl) if executable, else PATH.
// Test-only code: it depends on base/ only (never on the storage layer).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace kstream::testing {

// PEM files for TLS. For a server: its certificate and key, plus the CA that signs client
// certificates (client certificate auth is required when ca_file is set). For etcdctl: the
// CA that signed the server's certificate and the client's own certificate and key.
struct EtcdTlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool enabled() const { return !cert_file.empty() || !ca_file.empty(); }
};

struct EtcdProcessOptions {
  std::string name = "default";  // the member name
  std::string etcd_binary;       // empty: see the header comment
  // Where the temporary directory is made; empty: /dev/shm if usable, else $TMPDIR or /tmp.
  std::string base_dir;
  EtcdTlsFiles tls;  // server TLS for the client port (https) when cert_file is set
  // etcd's raft timing in ms; short so a cluster elects a new leader quickly.
  int heartbeat_ms = 50;
  int election_timeout_ms = 500;
  std::vector<std::string> extra_args;  // appended to etcd's command line
  std::chrono::milliseconds start_timeout{30000};
};

class EtcdProcess {
 public:
  explicit EtcdProcess(EtcdProcessOptions options = {});
  ~EtcdProcess();
  EtcdProcess(const EtcdProcess&) = delete;
  EtcdProcess& operator=(const EtcdProcess&) = delete;

  // Picks free ports, starts etcd on a fresh data dir and waits until it is healthy.
  Status Start();
  // SIGTERM, then SIGKILL if it has not exited after 10 s. Keeps the data. No-op if stopped.
  void Stop();
  // SIGKILL. Keeps the data. No-op if stopped.
  void Kill();
  // (Stops if running and) starts again on the same ports and data; waits until healthy
  // (for a cluster member: until it has a leader, which needs a quorum running).
  Status Restart();

  // "127.0.0.1:PORT", the client address (gRPC; https when TLS is configured).
  std::string endpoint() const;
  // "http://127.0.0.1:PORT" or "https://...", as etcd advertises it.
  std::string client_url() const;
  int client_port() const { return client_port_; }
  int peer_port() const { return peer_port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  const std::string& data_dir() const { return data_dir_; }
  const EtcdProcessOptions& options() const { return options_; }
  // The last `bytes` of the server's log (stdout + stderr), for failure messages.
  std::string LogTail(size_t bytes = 4000) const;

 private:
  friend class EtcdCluster;

  Status MakeTempDir();
  Status Spawn();
  // Polls /health until healthy, the process exits (then `exited` is set) or the deadline.
  Status WaitHealthy(std::chrono::steady_clock::time_point deadline, bool* exited);
  bool LostPortRace() const;
  void Reap(int signal, std::chrono::milliseconds grace);

  EtcdProcessOptions options_;
  std::string temp_dir_;  // owned; removed by the destructor
  std::string data_dir_;
  std::string log_file_;
  int client_port_ = 0;
  int peer_port_ = 0;
  int metrics_port_ = 0;  // plain-HTTP /health and /metrics
  // Static cluster membership; empty: a single-member cluster of this process.
  std::string initial_cluster_;
  std::string cluster_token_;
  pid_t pid_ = -1;
};

// N members of one etcd cluster on loopback. Members can be stopped, killed and
// restarted one by one through member(i).
class EtcdCluster {
 public:
  explicit EtcdCluster(int size = 3, EtcdProcessOptions base = {});
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  // Starts every member and waits until all are healthy (a leader is elected).
  Status Start();
  int size() const { return static_cast<int>(members_.size()); }
  EtcdProcess& member(int i) { return *members_[static_cast<size_t>(i)]; }
  // Every member's endpoint, in member order.
  std::vector<std::string> endpoints() const;

 private:
  std::vector<std::unique_ptr<EtcdProcess>> members_;
  EtcdProcessOptions base_;
};

// Runs `etcdctl --endpoints=<endpoint> <args...>` (ETCDCTL_API=3) and returns its stdout.
// A non-zero exit is an error carrying etcdctl's stderr; so is running past `timeout`
// (etcdctl is then killed). With `tls`, passes --cacert/--cert/--key.
Result<std::string> RunEtcdctl(const std::string& endpoint, const std::vector<std::string>& args,
                               const EtcdTlsFiles& tls = {},
                               std::chrono::milliseconds timeout = std::chrono::seconds(20));

// Runs a program (argv[0] is a path, or a name searched in PATH) with stdin from /dev/null
// and returns its stdout; a non-zero exit or a timeout is an error carrying stderr. For
// test helpers (e.g. openssl to make certificates).
Result<std::string> RunProgram(const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout = std::chrono::seconds(20),
                               const std::vector<std::string>& extra_env = {});

}  // namespace kstream::testing
