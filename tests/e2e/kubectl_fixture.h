// The kubectl end-to-end fixture: a real kstream-apiserver process (LMDB or a real etcd,
// by test parameter) and kubectl 1.33 run against it with a private HOME and cache dir,
// plus the child-process and text helpers the kubectl suites share.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "api/json.h"
#include "api/value.h"
#include "e2e/server_process.h"
#include "e2e/storage_param.h"
#include "testing/etcd_process.h"
#include "testing/kubectl.h"
#include "testing/temp_dir.h"

extern char** environ;

namespace kstream::e2e {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------
// Child processes

struct ProcResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  bool timed_out = false;
  std::string out;
  std::string err;
};

inline std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The current environment with HOME replaced and the kubectl-specific variables dropped.
inline std::vector<std::string> ChildEnv(const std::string& home) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view s(*e);
    if (s.starts_with("HOME=") || s.starts_with("KUBECONFIG=") || s.starts_with("KUBECTL_") ||
        s.starts_with("KUBECACHEDIR=")) {
      continue;
    }
    env.emplace_back(s);
  }
  env.push_back("HOME=" + home);
  return env;
}

// Runs argv (argv[0] a path) with stdin from /dev/null; collects stdout, stderr and the exit
// code. Kills the child at the deadline.
inline ProcResult RunCapture(std::vector<std::string> argv, std::vector<std::string> env,
                      std::chrono::milliseconds timeout = 30s) {
  ProcResult r;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return r;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return r;
  }
  std::vector<char*> cargv = CStrings(argv);
  std::vector<char*> cenv = CStrings(env);
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return r;
  }
  bool open_fd[2] = {true, true};
  int fds[2] = {out_pipe[0], err_pipe[0]};
  auto deadline = Clock::now() + timeout;
  while (open_fd[0] || open_fd[1]) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      break;
    }
    pollfd p[2] = {{open_fd[0] ? fds[0] : -1, POLLIN, 0}, {open_fd[1] ? fds[1] : -1, POLLIN, 0}};
    int n = poll(p, 2, static_cast<int>(left));
    if (n < 0 && errno != EINTR) break;
    char buf[8192];
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || p[i].revents == 0) continue;
      ssize_t got = read(fds[i], buf, sizeof buf);
      if (got > 0) {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        open_fd[i] = false;
      }
    }
  }
  close(fds[0]);
  close(fds[1]);
  if (r.timed_out) kill(pid, SIGKILL);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = (!r.timed_out && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
  return r;
}

// A long-running child (kubectl get -w) whose stdout and stderr go to a file; killed by
// Stop() or the destructor.
class BackgroundProcess {
 public:
  BackgroundProcess() = default;
  ~BackgroundProcess() { Stop(); }
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  bool Start(std::vector<std::string> argv, std::vector<std::string> env, const std::string& out_file) {
    out_file_ = out_file;
    std::vector<char*> cargv = CStrings(argv);
    std::vector<char*> cenv = CStrings(env);
    pid_ = fork();
    if (pid_ == 0) {
      int devnull = open("/dev/null", O_RDONLY);
      if (devnull >= 0) dup2(devnull, 0);
      int fd = open(out_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execve(cargv[0], cargv.data(), cenv.data());
      _exit(127);
    }
    return pid_ > 0;
  }
  std::string Output() const {
    std::ifstream in(out_file_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Polls the output until `pred` holds or the deadline passes; returns the last output.
  template <typename Pred>
  bool WaitFor(Pred pred, std::string* last, std::chrono::milliseconds timeout = 15s) const {
    auto deadline = Clock::now() + timeout;
    while (true) {
      *last = Output();
      if (pred(*last)) return true;
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
  }
  bool Exited() {
    if (pid_ <= 0) return true;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return false;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  std::string out_file_;
};

// ---------------------------------------------------------------------------------------
// Text and JSON helpers

inline std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

inline std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string f;
  while (in >> f) out.push_back(f);
  return out;
}

inline size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + needle.size())) ++n;
  return n;
}

inline const api::Value* At(const api::Value& v, std::initializer_list<std::string_view> path) {
  const api::Value* cur = &v;
  for (std::string_view k : path) {
    if (cur == nullptr || !cur->is_object()) return nullptr;
    cur = cur->Find(k);
  }
  return cur;
}

inline std::string Str(const api::Value& v, std::initializer_list<std::string_view> path) {
  const api::Value* f = At(v, path);
  return f != nullptr && f->is_string() ? f->as_string() : "<missing>";
}

inline bool IsAge(const std::string& s) { return std::regex_match(s, std::regex("[0-9]+s")); }

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// ---------------------------------------------------------------------------------------
// The fixture

class KubectlE2ETest : public StorageParamTest {
 protected:
  void SetUp() override {
    kubectl_ = Kubectl133();
    if (kubectl_.empty()) {
      if (testing::OracleRequired()) FAIL() << "kubectl 1.33 not found (KSTREAM_REQUIRE_ORACLE is set)";
      GTEST_SKIP() << "kubectl 1.33 not found";
    }
    ApiServerOptions opts;
    if (GetParam() == Storage::kEtcd) {
      ASSERT_NO_FATAL_FAILURE(PrepareEtcd());
      opts.extra_args = {"--storage=etcd", "--etcd-servers=" + etcd_->client_url()};
    }
    server_ = std::make_unique<ApiServerProcess>(opts);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    home_ = tmp_.str() + "/home";
    fs::create_directories(home_);
  }

  void TearDown() override {
    if (HasFailure() && server_ != nullptr) std::fprintf(stderr, "server log:\n%s\n", server_->LogTail().c_str());
  }

  std::vector<std::string> KubectlArgv(std::vector<std::string> args) const {
    std::vector<std::string> argv = {kubectl_, "--kubeconfig=" + server_->kubeconfig(),
                                     "--cache-dir=" + tmp_.str() + "/cache"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  ProcResult Kubectl(std::vector<std::string> args) const {
    return RunCapture(KubectlArgv(std::move(args)), ChildEnv(home_));
  }

  // Runs kubectl and expects exit code 0; returns stdout.
  std::string KubectlOk(std::vector<std::string> args) const {
    std::string what;
    for (const auto& a : args) what += " " + a;
    ProcResult r = Kubectl(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << "kubectl" << what << "\nstdout: " << r.out << "\nstderr: " << r.err;
    return r.out;
  }

  std::string File(const std::string& name, const std::string& text) const {
    std::string path = tmp_.str() + "/" + name;
    WriteFile(path, text);
    return path;
  }

  // kubectl create -f of `yaml` (a file named `name`); expects success.
  std::string CreateFromYaml(const std::string& name, const std::string& yaml) const {
    return KubectlOk({"create", "--validate=false", "-f", File(name, yaml)});
  }

  static api::Value ParseJsonOrDie(const std::string& text) {
    auto v = api::ParseJson(text);
    EXPECT_TRUE(v.ok()) << v.status().ToString() << "\n" << text;
    return v.ok() ? std::move(v).value() : api::Value();
  }

  testing::TempDir tmp_{"kstream-kubectl-e2e"};
  std::string home_;
  std::string kubectl_;
  std::unique_ptr<ApiServerProcess> server_;
};


}  // namespace kstream::e2e
