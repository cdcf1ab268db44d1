#include "e2e/server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "testing/kubectl.h"

namespace kstream::e2e {

namespace fs = std::filesystem;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int PortAfter(const std::string& log, const std::string& marker) {
  size_t p = log.find(marker);
  if (p == std::string::npos) return 0;
  return std::atoi(log.c_str() + p + marker.size());
}

}  // namespace

std::string Kubectl133() { return testing::FindKubectl133(); }

ApiServerProcess::ApiServerProcess(ApiServerOptions options) : options_(std::move(options)) {}

ApiServerProcess::~ApiServerProcess() {
  Stop();
  if (!temp_dir_.empty() && std::getenv("KS_KEEP_TEST_FILES") == nullptr) {
    std::error_code ec;
    fs::remove_all(temp_dir_, ec);
  }
}

std::string ApiServerProcess::LogTail(size_t bytes) const {
  std::string log = ReadFile(log_file_);
  if (log.size() > bytes) log = log.substr(log.size() - bytes);
  return log;
}

Status ApiServerProcess::Start() {
  std::string binary = options_.binary;
#ifdef KSTREAM_APISERVER_BIN
  if (binary.empty()) binary = KSTREAM_APISERVER_BIN;
#endif
  if (binary.empty()) return FailedPrecondition("no kstream-apiserver binary");
  if (temp_dir_.empty() && data_dir_.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "kstream-e2e-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return Internal("mkdtemp failed");
    temp_dir_ = tmpl;
  }
  data_dir_ = options_.data_dir.empty() ? temp_dir_ + "/data" : options_.data_dir;
  log_file_ = (temp_dir_.empty() ? data_dir_ + "/.." : temp_dir_) + "/apiserver-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".log";
  std::vector<std::string> args = {binary, "--data-dir=" + data_dir_, "--secure-port=0", "--insecure-port=0",
                                   "--bind-address=127.0.0.1"};
  for (const auto& a : options_.extra_args) args.push_back(a);
  pid_t pid = fork();
  if (pid < 0) return Internal("fork failed");
  if (pid == 0) {
    int fd = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return Unavailable("kstream-apiserver exited at start:\n" + LogTail());
    }
    std::string log = ReadFile(log_file_);
    secure_port_ = PortAfter(log, "serving on https://127.0.0.1:");
    insecure_port_ = PortAfter(log, "plain HTTP on http://127.0.0.1:");
    if (secure_port_ > 0 && insecure_port_ > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (secure_port_ == 0) {
    Stop();
    return Unavailable("kstream-apiserver did not report its ports in time:\n" + LogTail());
  }
  // The admin token: first column of the admin line of tokens.csv.
  std::string tokens = ReadFile(data_dir_ + "/tokens.csv");
  size_t comma = tokens.find(',');
  if (comma != std::string::npos) token_ = tokens.substr(0, comma);
  return Status::Ok();
}

int ApiServerProcess::Stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int st = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &st, 0);
  pid_ = -1;
  return -1;
}

}  // namespace kstream::e2e
