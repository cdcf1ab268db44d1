// End-to-end: the official Python client (Debian's python3-kubernetes, run with
// /usr/bin/python3) against a real kstream-apiserver process, on the embedded LMDB store and
// on a real etcd (every case runs on both).
//
// The checks live in tests/e2e/python/*.py: each script loads the server's generated
// kubeconfig, works in a namespace of its own, prints `PASS <check>` per check and exits
// non-zero (with a traceback) at the first failure. This test starts a fresh server per case
// (the etcd cases share one etcd per suite, wiped of /registry/ before each start), runs one
// script and checks its exit status and its PASS lines. Without python3-kubernetes the cases
// skip, or fail when KSTREAM_REQUIRE_ORACLE is set.
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/server_process.h"
#include "e2e/storage_param.h"
#include "testing/etcd_process.h"
#include "testing/kubectl.h"

namespace kstream::e2e {
namespace {

using namespace std::chrono_literals;

constexpr char kPython[] = "/usr/bin/python3";

std::string ScriptDir() { return std::string(KSTREAM_SOURCE_DIR) + "/tests/e2e/python"; }

// Environment for the scripts: no bytecode written into the source tree, no user site
// packages shadowing the Debian ones.
const std::vector<std::string>& PythonEnv() {
  static const std::vector<std::string> env = {"PYTHONDONTWRITEBYTECODE=1", "PYTHONNOUSERSITE=1"};
  return env;
}

// Whether /usr/bin/python3 can import the kubernetes package (checked once).
bool HavePythonClient() {
  static const bool have = [] {
    auto r = testing::RunProgram({kPython, "-c", "import kubernetes.client, kubernetes.config, kubernetes.watch"},
                                 30s, PythonEnv());
    return r.ok();
  }();
  return have;
}

std::vector<std::string> PassLines(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("PASS ")) lines.push_back(line.substr(5));
  }
  return lines;
}

class PythonClientTest : public StorageParamTest {
 protected:
  void SetUp() override {
    if (!HavePythonClient()) {
      if (testing::OracleRequired()) {
        FAIL() << kPython << " cannot import kubernetes (install python3-kubernetes; KSTREAM_REQUIRE_ORACLE is set)";
      }
      GTEST_SKIP() << kPython << " cannot import kubernetes (python3-kubernetes not installed)";
    }
  }

  void TearDown() override {
    if (HasFailure() && server_ != nullptr) std::fprintf(stderr, "server log:\n%s\n", server_->LogTail().c_str());
  }

  void StartServer(std::vector<std::string> extra_args = {}) {
    ApiServerOptions opts;
    opts.extra_args = std::move(extra_args);
    if (GetParam() == Storage::kEtcd) {
      ASSERT_NO_FATAL_FAILURE(PrepareEtcd());
      opts.extra_args.push_back("--storage=etcd");
      opts.extra_args.push_back("--etcd-servers=" + etcd_->client_url());
    }
    server_ = std::make_unique<ApiServerProcess>(opts);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Runs tests/e2e/python/<script> and expects it to pass with exactly `checks` (in order).
  void RunScript(const std::string& script, const std::string& ns, const std::vector<std::string>& checks) {
    auto out = testing::RunProgram({kPython, ScriptDir() + "/" + script, "--kubeconfig", server_->kubeconfig(),
                                    "--namespace", ns},
                                   120s, PythonEnv());
    ASSERT_TRUE(out.ok()) << script << ": " << out.status().ToString();
    EXPECT_EQ(PassLines(*out), checks) << *out;
    EXPECT_NE(out->find("\nOK (kubernetes client "), std::string::npos) << *out;
  }

  std::unique_ptr<ApiServerProcess> server_;
};

TEST_P(PythonClientTest, ListWithPagination) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  RunScript("list_pagination.py", "py-pages",
            {"created 23 configmaps", "paginated list: 5 pages, all 23 items once, remaining_item_count",
             "unpaginated list", "selectors with pagination", "all-namespaces pagination", "cluster-scoped pagination",
             "malformed continue token is 400"});
}

TEST_P(PythonClientTest, CreateReadReplaceDelete) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  RunScript("crud.py", "py-crud",
            {"namespace create/read", "configmap create/read/replace", "stale replace is 409 Conflict",
             "AlreadyExists / NotFound", "generateName", "secret create", "deployment create/replace/list",
             "delete (with preconditions)", "namespace delete"});
}

TEST_P(PythonClientTest, Watch) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto out = testing::RunProgram({kPython, ScriptDir() + "/watch.py", "--kubeconfig", server_->kubeconfig(),
                                  "--namespace", "py-watch"},
                                 120s, PythonEnv());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::vector<std::string> passed = PassLines(*out);
  ASSERT_EQ(passed.size(), 5u) << *out;
  EXPECT_EQ(passed[0], "watch ADDED/MODIFIED/DELETED from another thread");
  EXPECT_EQ(passed[1], "watch resumes from a resource_version");
  EXPECT_EQ(passed[2], "watch without resource_version starts with the current state");
  EXPECT_EQ(passed[3], "label-selected watch with selector transitions");
  EXPECT_TRUE(passed[4].starts_with("timeout_seconds ends the watch (")) << passed[4];
}

TEST_P(PythonClientTest, CustomObjects) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  RunScript("custom_objects.py", "py-custom",
            {"CRD created and established", "create/get with defaults and validation", "list with a label selector",
             "patch and status subresource", "watch custom objects", "delete object and CRD"});
}

// A watch from a compacted resourceVersion: the server compacts every 200 ms here.
TEST_P(PythonClientTest, WatchFromCompactedResourceVersion) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--etcd-compaction-interval=200ms"}));
  RunScript("watch_expired.py", "py-expired",
            {"Exact list at a compacted resourceVersion is 410 Expired",
             "watch from a compacted resourceVersion raises 410 Expired", "re-list and watch after 410"});
}

INSTANTIATE_TEST_SUITE_P(Storage, PythonClientTest, ::testing::Values(Storage::kLmdb, Storage::kEtcd), StorageName);

}  // namespace
}  // namespace kstream::e2e
