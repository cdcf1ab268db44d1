// End-to-end: the JavaScript client @kubernetes/client-node (from npm, installed into
// tests/e2e/js/node_modules by scripts/setup.sh) against a real kstream-apiserver process,
// on the embedded LMDB store and on a real etcd. The checks live in
// tests/e2e/js/custom_resources.mjs (a CRD, CustomObjectsApi list, and an informer that sees
// adds, updates and deletes of custom objects); this test runs it and checks its PASS lines.
// Without node or the installed client the cases are skipped, unless KSTREAM_REQUIRE_ORACLE
// is set (CI), which makes them fail.
#include <filesystem>
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

std::string JsDir() { return std::string(KSTREAM_SOURCE_DIR) + "/tests/e2e/js"; }

std::string FindNode() {
  for (const char* p : {"/usr/bin/node", "/usr/local/bin/node"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return {};
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

class JsClientTest : public StorageParamTest {
 protected:
  void SetUp() override {
    node_ = FindNode();
    bool installed = std::filesystem::exists(JsDir() + "/node_modules/@kubernetes/client-node/package.json");
    if (node_.empty() || !installed) {
      if (testing::OracleRequired()) {
        FAIL() << "node or @kubernetes/client-node missing (run scripts/setup.sh; KSTREAM_REQUIRE_ORACLE is set)";
      }
      GTEST_SKIP() << "node or @kubernetes/client-node not installed (scripts/setup.sh installs them)";
    }
    ApiServerOptions opts;
    if (GetParam() == Storage::kEtcd) {
      ASSERT_NO_FATAL_FAILURE(PrepareEtcd());
      opts.extra_args = {"--storage=etcd", "--etcd-servers=" + etcd_->client_url()};
    }
    server_ = std::make_unique<ApiServerProcess>(opts);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void TearDown() override {
    if (HasFailure() && server_ != nullptr) std::fprintf(stderr, "server log:\n%s\n", server_->LogTail().c_str());
  }

  std::string node_;
  std::unique_ptr<ApiServerProcess> server_;
};

TEST_P(JsClientTest, CustomObjectsListAndInformer) {
  auto out = testing::RunProgram({node_, JsDir() + "/custom_resources.mjs", "--kubeconfig", server_->kubeconfig(),
                                  "--namespace", "js-custom"},
                                 120s);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(PassLines(*out), (std::vector<std::string>{"CRD created and established", "list custom objects",
                                                        "informer initial list", "informer watch events",
                                                        "CRD deleted"}))
      << *out;
  EXPECT_NE(out->find("\nOK\n"), std::string::npos) << *out;
}

INSTANTIATE_TEST_SUITE_P(Storage, JsClientTest, ::testing::Values(Storage::kLmdb, Storage::kEtcd), StorageName);

}  // namespace
}  // namespace kstream::e2e
