// End to end: a real kstream-apiserver, loaded and listed by the kstream-bench binary
// (load, then list in JSON, protobuf+gzip with the raw baseline, paging, YAML, Table and
// over HTTPS), checking the counts and the JSON results it writes.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/json.h"

namespace kstream::bench {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command; returns its exit status and combined output.
int Shell(const std::string& cmd, std::string* out) {
  out->clear();
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int PortAfter(const std::string& log, const std::string& marker) {
  size_t p = log.find(marker);
  return p == std::string::npos ? 0 : std::atoi(log.c_str() + p + marker.size());
}

class SmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kstream-bench-smoke-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string data = dir_ + "/data";
    const std::string log = dir_ + "/apiserver.log";
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::string a1 = "--data-dir=" + data;
      execl(KSTREAM_APISERVER_BIN, KSTREAM_APISERVER_BIN, a1.c_str(), "--secure-port=0", "--insecure-port=0",
            "--bind-address=127.0.0.1", static_cast<char*>(nullptr));
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline && (port_ == 0 || secure_port_ == 0)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const std::string text = ReadFile(log);
      port_ = PortAfter(text, "plain HTTP on http://127.0.0.1:");
      secure_port_ = PortAfter(text, "serving on https://127.0.0.1:");
      int st;
      ASSERT_NE(waitpid(pid_, &st, WNOHANG), pid_) << "kstream-apiserver exited:\n" << text;
    }
    ASSERT_GT(port_, 0) << ReadFile(log);
    tokens_ = data + "/tokens.csv";
    ca_ = data + "/pki/ca.crt";
    base_ = "http://127.0.0.1:" + std::to_string(port_);
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st;
      waitpid(pid_, &st, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  std::string Bench(const std::string& args) const {
    return std::string(KSTREAM_BENCH_BIN) + " " + args + " --token-file " + tokens_;
  }

  // `list` with --json-out; returns the parsed result (and checks the exit status).
  api::Value List(const std::string& args, int want_exit = 0) {
    const std::string json = dir_ + "/result-" + std::to_string(++runs_) + ".json";
    std::string out;
    int rc = Shell(Bench("list " + args + " --server-pid " + std::to_string(pid_) + " --json-out " + json), &out);
    EXPECT_EQ(rc, want_exit) << args << "\n" << out;
    auto v = api::ParseJson(ReadFile(json));
    EXPECT_TRUE(v.ok()) << args << "\n" << out;
    last_output_ = out;
    return v.ok() ? std::move(v).value() : api::Value();
  }

  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int secure_port_ = 0;
  std::string tokens_, ca_, base_;
  int runs_ = 0;
  std::string last_output_;
};

TEST_F(SmokeTest, LoadThenListEveryWay) {
  std::string out;
  ASSERT_EQ(Shell(Bench("load --url " + base_ +
                      " --kind configmap --count 200 --size 10KB --namespace smoke --concurrency 4 --quiet"),
                &out),
            0)
      << out;
  EXPECT_NE(out.find("load: 200 configmaps in namespace smoke: 200 created, 0 already existed;"), std::string::npos)
      << out;
  // Again: everything exists already.
  ASSERT_EQ(Shell(Bench("load --url " + base_ + " --count 10 --size 10KB --namespace smoke --quiet"), &out), 0) << out;
  EXPECT_NE(out.find("0 created, 10 already existed"), std::string::npos) << out;

  const std::string url = base_ + "/api/v1/namespaces/smoke/configmaps";
  // JSON, 3 clients.
  api::Value r = List("--url " + url + " --clients 3 --repeat 2 --accept json");
  ASSERT_TRUE(r.is_object()) << last_output_;
  EXPECT_TRUE(r.Find("ok")->as_bool());
  const api::Value& run = r.Find("runs")->as_array().at(0);
  EXPECT_EQ(run.Find("target")->as_string(), "server");
  EXPECT_EQ(run.Find("items_per_list")->as_int(), 200);
  EXPECT_EQ(run.Find("lists_ok")->as_int(), 6);
  EXPECT_EQ(run.Find("lists_failed")->as_int(), 0);
  EXPECT_GT(run.Find("wire_bytes_per_list")->as_int(), 2000000);
  EXPECT_TRUE(run.Find("chunked")->as_bool());
  const api::Value* server = run.Find("server");
  ASSERT_TRUE(server != nullptr && server->is_object());
  EXPECT_GT(server->Find("rss_anon_peak_kib")->as_int(), 0);
  EXPECT_GE(server->Find("rss_anon_peak_kib")->as_int(), server->Find("rss_anon_idle_kib")->as_int());
  EXPECT_GE(server->Find("samples")->as_array().size(), 1u);

  // protobuf + gzip, with the raw baseline in the same command.
  r = List("--url " + url + " --clients 3 --accept protobuf --gzip --raw");
  ASSERT_TRUE(r.is_object()) << last_output_;
  ASSERT_EQ(r.Find("runs")->as_array().size(), 2u);
  const api::Value& pb = r.Find("runs")->as_array()[0];
  const api::Value& raw = r.Find("runs")->as_array()[1];
  EXPECT_EQ(pb.Find("items_per_list")->as_int(), 200);
  EXPECT_EQ(pb.Find("content_encoding")->as_string(), "gzip");
  EXPECT_EQ(pb.Find("content_type")->as_string(), "application/vnd.kubernetes.protobuf");
  EXPECT_LT(pb.Find("wire_bytes")->as_int(), pb.Find("decoded_bytes")->as_int());
  EXPECT_EQ(raw.Find("target")->as_string(), "raw");
  EXPECT_EQ(raw.Find("items_per_list")->as_int(), 200);
  EXPECT_EQ(raw.Find("lists_ok")->as_int(), 3);
  EXPECT_EQ(raw.Find("wire_bytes")->as_int(), pb.Find("wire_bytes")->as_int());  // the same bytes
  EXPECT_TRUE(raw.Find("server")->is_null());
  EXPECT_TRUE(r.Find("ratio_to_raw")->is_float() || r.Find("ratio_to_raw")->is_int());
  EXPECT_NE(last_output_.find("ratio to raw: "), std::string::npos) << last_output_;

  // Paging: 200 items in pages of 64, JSON and protobuf.
  for (const char* accept : {"json", "protobuf"}) {
    r = List("--url " + url + " --clients 2 --accept " + accept + " --limit 64 --expect-items 200");
    const api::Value& paged = r.Find("runs")->as_array().at(0);
    EXPECT_EQ(paged.Find("items_per_list")->as_int(), 200) << accept;
    EXPECT_EQ(paged.Find("pages")->as_int(), 8) << accept;
  }

  // YAML and Table, across namespaces.
  r = List("--url " + url + " --accept yaml --expect-items 200 --raw-only");
  EXPECT_EQ(r.Find("runs")->as_array().at(0).Find("target")->as_string(), "raw");
  r = List("--url " + base_ + "/api/v1/namespaces/smoke/configmaps --accept yaml");
  EXPECT_EQ(r.Find("runs")->as_array().at(0).Find("items_per_list")->as_int(), 200);
  r = List("--url " + base_ + "/api/v1/namespaces/smoke/configmaps --accept table --gzip");
  EXPECT_EQ(r.Find("runs")->as_array().at(0).Find("items_per_list")->as_int(), 200);

  // HTTPS, verified against the server's CA.
  ASSERT_GT(secure_port_, 0);
  r = List("--url https://127.0.0.1:" + std::to_string(secure_port_) + "/api/v1/namespaces/smoke/configmaps --ca " +
           ca_ + " --clients 2 --expect-items 200");
  EXPECT_TRUE(r.Find("ok")->as_bool()) << last_output_;

  // A wrong count fails the run, with the reason.
  r = List("--url " + url + " --expect-items 201", /*want_exit=*/1);
  EXPECT_NE(last_output_.find("item count mismatch: 200 items, --expect-items says 201"), std::string::npos)
      << last_output_;
  EXPECT_FALSE(r.Find("ok")->as_bool());
}

TEST_F(SmokeTest, CustomResourcesLoadAndList) {
  // The load creates the Widget CRD, then the widgets (validated against its schema).
  std::string out;
  ASSERT_EQ(Shell(Bench("load --url " + base_ +
                        " --kind widget --count 120 --size 5KB --namespace crs --concurrency 4 --quiet"),
                  &out),
            0)
      << out;
  EXPECT_NE(out.find("load: 120 widgets in namespace crs: 120 created, 0 already existed;"), std::string::npos) << out;
  // Again: the CRD and the widgets exist already.
  ASSERT_EQ(Shell(Bench("load --url " + base_ + " --kind widget --count 5 --size 5KB --namespace crs --quiet"), &out), 0)
      << out;
  EXPECT_NE(out.find("0 created, 5 already existed"), std::string::npos) << out;

  const std::string url = base_ + "/apis/bench.kstream.io/v1/namespaces/crs/widgets";
  api::Value r = List("--url " + url + " --clients 2 --accept json --gzip --expect-items 120 --raw");
  ASSERT_TRUE(r.is_object()) << last_output_;
  EXPECT_TRUE(r.Find("ok")->as_bool()) << last_output_;
  const api::Value& run = r.Find("runs")->as_array().at(0);
  EXPECT_EQ(run.Find("content_type")->as_string(), "application/json");
  EXPECT_EQ(run.Find("content_encoding")->as_string(), "gzip");
  EXPECT_GT(run.Find("decoded_bytes")->as_int(), 120 * 5000);
  EXPECT_EQ(r.Find("runs")->as_array().at(1).Find("wire_bytes")->as_int(), run.Find("wire_bytes")->as_int());
  // Table (the CRD's printer columns), YAML, and pages.
  r = List("--url " + url + " --accept table --expect-items 120");
  EXPECT_TRUE(r.Find("ok")->as_bool()) << last_output_;
  r = List("--url " + url + " --accept yaml --limit 50 --expect-items 120");
  EXPECT_EQ(r.Find("runs")->as_array().at(0).Find("pages")->as_int(), 3);
}

TEST_F(SmokeTest, BadTokenFails) {
  std::string out;
  const std::string cmd = std::string(KSTREAM_BENCH_BIN) + " list --url " + base_ +
                          "/api/v1/configmaps --token wrong";
  EXPECT_EQ(Shell(cmd, &out), 1);
  EXPECT_NE(out.find("HTTP 401"), std::string::npos) << out;
  EXPECT_NE(Shell(std::string(KSTREAM_BENCH_BIN) + " load --url " + base_ + " --count 1 --token wrong --quiet", &out), 0);
  EXPECT_NE(out.find("401"), std::string::npos) << out;
  EXPECT_EQ(Shell(std::string(KSTREAM_BENCH_BIN) + " list --nope", &out), 2);
  EXPECT_NE(out.find("unknown flag --nope"), std::string::npos) << out;
}

}  // namespace
}  // namespace kstream::bench
