#include "testing/etcd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <sstream>
#include <thread>

extern char** environ;

namespace kstream::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::string ErrnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

// A closed-on-exec fd, closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// The build may name the binaries (compile definitions of the test target).
#ifndef KSTREAM_ETCD_BIN
#define KSTREAM_ETCD_BIN "/usr/bin/etcd"
#endif
#ifndef KSTREAM_ETCDCTL_BIN
#define KSTREAM_ETCDCTL_BIN "/usr/bin/etcdctl"
#endif

std::string FindBinary(const char* env_var, const char* fallback_path, const char* name) {
  if (const char* v = std::getenv(env_var); v != nullptr && *v != '\0') return v;
  if (IsExecutable(fallback_path)) return fallback_path;
  return name;  // searched in PATH
}

// `count` distinct free loopback TCP ports: all are bound (port 0) at once, then released.
// Another process may still take one before etcd binds it; callers retry on that.
Result<std::vector<int>> PickFreePorts(int count) {
  std::vector<std::unique_ptr<Fd>> sockets;
  std::vector<int> ports;
  for (int i = 0; i < count; ++i) {
    auto fd = std::make_unique<Fd>(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd->get() < 0) return Internal(ErrnoText("socket"));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd->get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return Internal(ErrnoText("bind 127.0.0.1:0"));
    }
    socklen_t len = sizeof addr;
    if (::getsockname(fd->get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return Internal(ErrnoText("getsockname"));
    }
    ports.push_back(ntohs(addr.sin_port));
    sockets.push_back(std::move(fd));
  }
  return ports;
}

// GET http://127.0.0.1:port/health; true if etcd reports itself healthy.
bool HttpHealthy(int port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return false;
  timeval tv{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
  const std::string request = "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return false;
  }
  std::string response;
  char buf[1024];
  while (response.size() < 64 * 1024) {
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  return response.find("\"health\":\"true\"") != std::string::npos;
}

// The environment of a child: ours, minus ETCD*/ETCDCTL* variables (which etcd and etcdctl
// would read as flags), plus `extra`.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view v(*e);
    if (v.starts_with("ETCD")) continue;
    env.emplace_back(v);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The path to execute for `name`: itself if it has a '/', else the first executable match
// in $PATH (resolved here, before fork, so the child only makes system calls).
std::string ResolveBinary(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (IsExecutable(candidate)) return candidate;
  }
  return name;
}

// Children are forked by one thread that lives as long as the process, and they ask the
// kernel (PR_SET_PDEATHSIG) to kill them when that thread dies: so a test process that
// crashes or is killed takes its etcd servers with it. (The death signal follows the
// forking thread, hence the dedicated thread rather than the caller's.)
class Spawner {
 public:
  static Spawner& Get() {
    static Spawner* spawner = new Spawner();  // never destroyed: its thread runs until exit
    return *spawner;
  }

  // Starts argv[0] with stdin from /dev/null and stdout/stderr to the given fds.
  Result<pid_t> Spawn(std::vector<std::string> argv, std::vector<std::string> env, int out_fd, int err_fd) {
    Request req{std::move(argv), std::move(env), out_fd, err_fd};
    std::unique_lock lock(mu_);
    queue_.push_back(&req);
    cv_.notify_all();
    cv_.wait(lock, [&] { return req.done; });
    if (req.error != 0) return Internal("cannot start " + req.argv[0] + ": " + std::strerror(req.error));
    return req.pid;
  }

 private:
  struct Request {
    std::vector<std::string> argv;
    std::vector<std::string> env;
    int out_fd;
    int err_fd;
    pid_t pid = -1;
    int error = 0;
    bool done = false;
  };

  Spawner() { std::thread([this] { Loop(); }).detach(); }

  void Loop() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return !queue_.empty(); });
      Request* req = queue_.front();
      queue_.pop_front();
      Fork(*req);
      req->done = true;
      cv_.notify_all();
    }
  }

  static void Fork(Request& req) {
    // Everything the child needs is prepared before fork: after it, only system calls.
    const std::string path = ResolveBinary(req.argv[0]);
    std::vector<char*> args = CStrings(req.argv);
    std::vector<char*> envp = CStrings(req.env);
    int ready[2];  // closed on exec; carries errno if exec fails
    if (::pipe2(ready, O_CLOEXEC) != 0) {
      req.error = errno;
      return;
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      req.error = errno;
      ::close(ready[0]);
      ::close(ready[1]);
      return;
    }
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent died already
      int in = ::open("/dev/null", O_RDONLY);
      if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(req.out_fd, 1) < 0 || ::dup2(req.err_fd, 2) < 0) {
        int e = errno;
        (void)!::write(ready[1], &e, sizeof e);
        ::_exit(127);
      }
      ::execve(path.c_str(), args.data(), envp.data());
      int e = errno;
      (void)!::write(ready[1], &e, sizeof e);
      ::_exit(127);
    }
    ::close(ready[1]);
    int child_errno = 0;
    ssize_t n;
    while ((n = ::read(ready[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
    }
    ::close(ready[0]);
    if (n == static_cast<ssize_t>(sizeof child_errno)) {  // exec failed: reap the child
      int wstatus = 0;
      while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
      }
      req.error = child_errno;
      return;
    }
    req.pid = pid;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request*> queue_;
};

Result<pid_t> SpawnChild(std::vector<std::string> argv, std::vector<std::string> env, int out_fd,
                         int err_fd) {
  return Spawner::Get().Spawn(std::move(argv), std::move(env), out_fd, err_fd);
}

std::string ReadFileTail(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff start = size > static_cast<std::streamoff>(bytes) ? size - static_cast<std::streamoff>(bytes) : 0;
  in.seekg(start);
  std::string out(static_cast<size_t>(size - start), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

std::string DefaultBaseDir() {
  struct stat st{};
  if (::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && ::access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  if (const char* t = std::getenv("TMPDIR"); t != nullptr && *t != '\0') return t;
  return "/tmp";
}

}  // namespace

// ---------------------------------------------------------------------------------------
// EtcdProcess

EtcdProcess::EtcdProcess(EtcdProcessOptions options) : options_(std::move(options)) {
  if (options_.etcd_binary.empty()) {
    options_.etcd_binary = FindBinary("KSTREAM_ETCD_BIN", KSTREAM_ETCD_BIN, "etcd");
  }
}

EtcdProcess::~EtcdProcess() {
  Kill();
  if (!temp_dir_.empty() && std::getenv("KS_KEEP_TEST_FILES") != nullptr) {
    std::fprintf(stderr, "kept %s\n", temp_dir_.c_str());
  } else if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

std::string EtcdProcess::endpoint() const { return "127.0.0.1:" + std::to_string(client_port_); }

std::string EtcdProcess::client_url() const {
  return std::string(options_.tls.cert_file.empty() ? "http" : "https") + "://" + endpoint();
}

std::string EtcdProcess::LogTail(size_t bytes) const { return ReadFileTail(log_file_, bytes); }

Status EtcdProcess::MakeTempDir() {
  if (!temp_dir_.empty()) {
    // A fresh start: drop the previous data (and log) but keep the directory.
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
    std::filesystem::remove(log_file_, ec);
    return Status::Ok();
  }
  std::string base = options_.base_dir.empty() ? DefaultBaseDir() : options_.base_dir;
  std::string pattern = base + "/ks-etcd-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return Internal(ErrnoText("mkdtemp " + pattern));
  temp_dir_ = pattern;
  data_dir_ = temp_dir_ + "/data";
  log_file_ = temp_dir_ + "/etcd.log";
  return Status::Ok();
}

Status EtcdProcess::Spawn() {
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer_port_);
  const std::string initial_cluster =
      initial_cluster_.empty() ? options_.name + "=" + peer_url : initial_cluster_;
  const std::string token =
      cluster_token_.empty() ? "ks-" + options_.name + "-" + std::to_string(peer_port_) : cluster_token_;
  std::vector<std::string> argv = {
      options_.etcd_binary,
      "--name=" + options_.name,
      "--data-dir=" + data_dir_,
      "--listen-client-urls=" + client_url(),
      "--advertise-client-urls=" + client_url(),
      "--listen-peer-urls=" + peer_url,
      "--initial-advertise-peer-urls=" + peer_url,
      "--initial-cluster=" + initial_cluster,
      "--initial-cluster-state=new",
      "--initial-cluster-token=" + token,
      // Plain-HTTP /health for WaitHealthy, whatever the client port's TLS.
      "--listen-metrics-urls=http://127.0.0.1:" + std::to_string(metrics_port_),
      "--heartbeat-interval=" + std::to_string(options_.heartbeat_ms),
      "--election-timeout=" + std::to_string(options_.election_timeout_ms),
      "--logger=zap",
      "--log-outputs=stderr",
      "--log-level=warn",
  };
  if (!options_.tls.cert_file.empty()) {
    argv.push_back("--cert-file=" + options_.tls.cert_file);
    argv.push_back("--key-file=" + options_.tls.key_file);
    if (!options_.tls.ca_file.empty()) {
      argv.push_back("--trusted-ca-file=" + options_.tls.ca_file);
      argv.push_back("--client-cert-auth");
    }
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());

  Fd log(::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (log.get() < 0) return Internal(ErrnoText("open " + log_file_));
  KS_ASSIGN_OR_RETURN(pid_, SpawnChild(std::move(argv), ChildEnvironment({}), log.get(), log.get()));
  return Status::Ok();
}

Status EtcdProcess::WaitHealthy(Clock::time_point deadline, bool* exited) {
  *exited = false;
  // etcd's /health (served on the plain-HTTP metrics port) is healthy once the member has a
  // leader and can serve a linearizable read.
  while (true) {
    int wstatus = 0;
    pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      *exited = true;
      return Unavailable("etcd exited during startup:\n" + LogTail());
    }
    if (HttpHealthy(metrics_port_)) return Status::Ok();
    if (Clock::now() >= deadline) {
      return Unavailable("etcd did not become healthy in time:\n" + LogTail());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

bool EtcdProcess::LostPortRace() const {
  return LogTail(16 * 1024).find("address already in use") != std::string::npos;
}

Status EtcdProcess::Start() {
  if (running()) return FailedPrecondition("etcd is already running");
  const auto deadline = Clock::now() + options_.start_timeout;
  for (int attempt = 0;; ++attempt) {
    KS_RETURN_IF_ERROR(MakeTempDir());
    KS_ASSIGN_OR_RETURN(std::vector<int> ports, PickFreePorts(3));
    client_port_ = ports[0];
    peer_port_ = ports[1];
    metrics_port_ = ports[2];
    KS_RETURN_IF_ERROR(Spawn());
    bool exited = false;
    Status s = WaitHealthy(deadline, &exited);
    if (s.ok()) return s;
    Kill();
    if (exited && LostPortRace() && attempt < 5) continue;
    return s;
  }
}

void EtcdProcess::Reap(int signal, std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  const auto deadline = Clock::now() + grace;
  int wstatus = 0;
  while (Clock::now() < deadline) {
    pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void EtcdProcess::Stop() { Reap(SIGTERM, std::chrono::seconds(10)); }

void EtcdProcess::Kill() { Reap(SIGKILL, std::chrono::seconds(10)); }

Status EtcdProcess::Restart() {
  if (temp_dir_.empty()) return FailedPrecondition("Restart before Start");
  Stop();
  KS_RETURN_IF_ERROR(Spawn());
  bool exited = false;
  Status s = WaitHealthy(Clock::now() + options_.start_timeout, &exited);
  if (!s.ok()) Kill();
  return s;
}

// ---------------------------------------------------------------------------------------
// EtcdCluster

EtcdCluster::EtcdCluster(int size, EtcdProcessOptions base) : base_(std::move(base)) {
  for (int i = 0; i < size; ++i) {
    EtcdProcessOptions o = base_;
    o.name = base_.name + "-" + std::to_string(i);
    members_.push_back(std::make_unique<EtcdProcess>(std::move(o)));
  }
}

EtcdCluster::~EtcdCluster() = default;

std::vector<std::string> EtcdCluster::endpoints() const {
  std::vector<std::string> out;
  for (const auto& m : members_) out.push_back(m->endpoint());
  return out;
}

Status EtcdCluster::Start() {
  const auto deadline = Clock::now() + base_.start_timeout;
  for (int attempt = 0;; ++attempt) {
    KS_ASSIGN_OR_RETURN(std::vector<int> ports, PickFreePorts(3 * size()));
    std::string initial_cluster;
    for (int i = 0; i < size(); ++i) {
      EtcdProcess& m = member(i);
      m.client_port_ = ports[static_cast<size_t>(3 * i)];
      m.peer_port_ = ports[static_cast<size_t>(3 * i + 1)];
      m.metrics_port_ = ports[static_cast<size_t>(3 * i + 2)];
      if (!initial_cluster.empty()) initial_cluster += ",";
      initial_cluster += m.options_.name + "=http://127.0.0.1:" + std::to_string(m.peer_port_);
    }
    Status failed;
    for (auto& m : members_) {
      m->initial_cluster_ = initial_cluster;
      m->cluster_token_ = "ks-cluster-" + std::to_string(ports[0]);
      failed = m->MakeTempDir();
      if (failed.ok()) failed = m->Spawn();
      if (!failed.ok()) break;
    }
    bool lost_race = false;
    if (failed.ok()) {
      for (auto& m : members_) {
        bool exited = false;
        failed = m->WaitHealthy(deadline, &exited);
        if (!failed.ok()) {
          lost_race = exited && m->LostPortRace();
          break;
        }
      }
    }
    if (failed.ok()) return failed;
    for (auto& m : members_) {
      lost_race = lost_race || m->LostPortRace();
      m->Kill();
    }
    if (lost_race && attempt < 5) continue;
    return failed;
  }
}

// ---------------------------------------------------------------------------------------
// Running programs

Result<std::string> RunProgram(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                               const std::vector<std::string>& extra_env) {
  if (argv.empty()) return InvalidArgument("RunProgram: empty argv");
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Internal(ErrnoText("pipe"));
  Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return Internal(ErrnoText("pipe"));
  Fd err_r(err_pipe[0]), err_w(err_pipe[1]);

  KS_ASSIGN_OR_RETURN(pid_t pid, SpawnChild(argv, ChildEnvironment(extra_env), out_w.get(), err_w.get()));
  out_w.Reset();
  err_w.Reset();

  std::string out, err;
  bool out_open = true, err_open = true, timed_out = false;
  const auto deadline = Clock::now() + timeout;
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_open ? out_r.get() : -1, POLLIN, 0}, {err_open ? err_r.get() : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        (i == 0 ? out : err).append(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        (i == 0 ? out_open : err_open) = false;
      }
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return Unavailable(argv[0] + " timed out; stderr: " + err);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Internal(argv[0] + " failed (status " + std::to_string(wstatus) + "): " + err);
  }
  return out;
}

Result<std::string> RunEtcdctl(const std::string& endpoint, const std::vector<std::string>& args,
                               const EtcdTlsFiles& tls, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {FindBinary("KSTREAM_ETCDCTL_BIN", KSTREAM_ETCDCTL_BIN, "etcdctl"),
                                   "--endpoints=" + endpoint};
  if (!tls.ca_file.empty()) argv.push_back("--cacert=" + tls.ca_file);
  if (!tls.cert_file.empty()) argv.push_back("--cert=" + tls.cert_file);
  if (!tls.key_file.empty()) argv.push_back("--key=" + tls.key_file);
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, timeout, {"ETCDCTL_API=3"});
}

}  // namespace kstream::testing
