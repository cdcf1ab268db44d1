#include "server/auth/kubeconfig.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/auth/files.h"
#include "testing/etcd_process.h"  // RunProgram
#include "testing/kubectl.h"
#include "testing/temp_dir.h"

namespace kstream::server::auth {
namespace {

constexpr char kPem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

TEST(Kubeconfig, LayoutOfKubectlConfigView) {
  EXPECT_EQ(KubeconfigYaml("https://127.0.0.1:6443", kPem, "tok-en_1"),
            "apiVersion: v1\n"
            "clusters:\n"
            "- cluster:\n"
            "    certificate-authority-data: "
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=\n"
            "    server: https://127.0.0.1:6443\n"
            "  name: kstream\n"
            "contexts:\n"
            "- context:\n"
            "    cluster: kstream\n"
            "    user: admin\n"
            "  name: kstream\n"
            "current-context: kstream\n"
            "kind: Config\n"
            "preferences: {}\n"
            "users:\n"
            "- name: admin\n"
            "  user:\n"
            "    token: tok-en_1\n");
}

TEST(Kubeconfig, Base64Std) {
  EXPECT_EQ(Base64Std(""), "");
  EXPECT_EQ(Base64Std("f"), "Zg==");
  EXPECT_EQ(Base64Std("fo"), "Zm8=");
  EXPECT_EQ(Base64Std("foo"), "Zm9v");
  EXPECT_EQ(Base64Std("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Std(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Kubeconfig, YamlStringQuotesWhatYamlWouldMisread) {
  EXPECT_EQ(YamlString("kstream"), "kstream");
  EXPECT_EQ(YamlString("https://[::1]:6443"), "\"https://[::1]:6443\"");
  EXPECT_EQ(YamlString("https://127.0.0.1:6443/base"), "https://127.0.0.1:6443/base");
  EXPECT_EQ(YamlString("system:admin"), "system:admin");
  EXPECT_EQ(YamlString("abc:"), "\"abc:\"");
  EXPECT_EQ(YamlString(""), "\"\"");
  EXPECT_EQ(YamlString("true"), "\"true\"");
  EXPECT_EQ(YamlString("Yes"), "\"Yes\"");
  EXPECT_EQ(YamlString("NULL"), "\"NULL\"");
  EXPECT_EQ(YamlString("n"), "\"n\"");
  EXPECT_EQ(YamlString("nope"), "nope");
  EXPECT_EQ(YamlString("123"), "\"123\"");
  EXPECT_EQ(YamlString("-abc"), "\"-abc\"");
  EXPECT_EQ(YamlString("_abc"), "\"_abc\"");
  EXPECT_EQ(YamlString("a b"), "\"a b\"");
  EXPECT_EQ(YamlString("a#b"), "\"a#b\"");
  EXPECT_EQ(YamlString("q\"b\\s\n\t\r\x01\x7f"), "\"q\\\"b\\\\s\\n\\t\\r\\x01\\x7F\"");
  EXPECT_EQ(YamlString("h\xC3\xA9"), "\"h\xC3\xA9\"");
}

class KubectlConfigView : public ::testing::Test {
 protected:
  void SetUp() override {
    kubectl_ = kstream::testing::FindKubectl133();
    if (kubectl_.empty()) {
      if (kstream::testing::OracleRequired()) FAIL() << "kubectl 1.33 not found";
      GTEST_SKIP() << "kubectl 1.33 not found";
    }
  }
  // `kubectl config view --raw -o jsonpath=<path>` on `file`.
  std::string View(const std::string& file, const std::string& jsonpath) {
    auto out = kstream::testing::RunProgram(
        {kubectl_, "config", "view", "--kubeconfig", file, "--raw", "-o", "jsonpath=" + jsonpath});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : "";
  }

  std::string kubectl_;
  kstream::testing::TempDir dir_{"ks-kubeconfig"};
};

TEST_F(KubectlConfigView, ValuesRoundTrip) {
  const std::string file = dir_.str() + "/admin.kubeconfig";
  ASSERT_TRUE(WriteFileAtomic(file, KubeconfigYaml("https://127.0.0.1:6443", kPem, "s3cr3t-_tok"), 0600).ok());
  EXPECT_EQ(View(file, "{.apiVersion}/{.kind}/{.current-context}"), "v1/Config/kstream");
  EXPECT_EQ(View(file, "{.clusters[0].name} {.clusters[0].cluster.server}"), "kstream https://127.0.0.1:6443");
  EXPECT_EQ(View(file, "{.clusters[0].cluster.certificate-authority-data}"), Base64Std(kPem));
  EXPECT_EQ(View(file, "{.users[0].name} {.users[0].user.token}"), "admin s3cr3t-_tok");
  EXPECT_EQ(View(file, "{.contexts[0].name} {.contexts[0].context.cluster} {.contexts[0].context.user}"),
            "kstream kstream admin");
  // kubectl itself re-encodes it to the same YAML.
  auto yaml = kstream::testing::RunProgram({kubectl_, "config", "view", "--kubeconfig", file, "--raw"});
  ASSERT_TRUE(yaml.ok()) << yaml.status().ToString();
  EXPECT_EQ(*yaml, KubeconfigYaml("https://127.0.0.1:6443", kPem, "s3cr3t-_tok"));
}

TEST_F(KubectlConfigView, AwkwardValuesRoundTrip) {
  const std::string file = dir_.str() + "/odd.kubeconfig";
  const std::string token = "0123e5";  // a number if written plain
  ASSERT_TRUE(WriteFileAtomic(file,
                              KubeconfigYaml("https://[::1]:6443", kPem, token, "my cluster: #1", "true", "-ctx"),
                              0600)
                  .ok());
  EXPECT_EQ(View(file, "{.current-context}"), "-ctx");
  EXPECT_EQ(View(file, "{.clusters[0].name}|{.clusters[0].cluster.server}"), "my cluster: #1|https://[::1]:6443");
  EXPECT_EQ(View(file, "{.users[0].name}|{.users[0].user.token}"), "true|" + token);
  EXPECT_EQ(View(file, "{.contexts[0].context.cluster}|{.contexts[0].context.user}"), "my cluster: #1|true");
}

}  // namespace
}  // namespace kstream::server::auth
