// The storage layout against a real etcd: objects written through kstream's layout and
// EtcdStore are what kube-apiserver would have written, as etcdctl shows them.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "registry/storage_layout.h"
#include "storage/etcd/etcd_store.h"
#include "testing/etcd_process.h"

namespace kstream::registry {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(KSTREAM_SHARED_DIR) + "/fixtures/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(StorageLayoutEtcdTest, EtcdctlSeesKubeApiserversLayout) {
  kstream::testing::EtcdProcess etcd;
  Status started = etcd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  storage::EtcdOptions options;
  options.endpoints = {etcd.endpoint()};
  auto store = storage::EtcdStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();

  // A Deployment (built-in: protobuf) and a custom resource (JSON).
  auto deployment = typed::DecodeObjectJson(typed::Scheme::Default(), ReadFixture("k8s-api/HEAD/apps.v1.Deployment.json"));
  ASSERT_TRUE(deployment.ok()) << deployment.status().ToString();
  auto stored = EncodeForStorage(**deployment, StorageFormatFor("apps", true));
  ASSERT_TRUE(stored.ok());
  const std::string key = ObjectKey(ResourcePrefix("apps", "deployments", true), "ns", "web");
  auto rev = (*store)->Create(key, *stored);
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();

  auto cr = api::ParseJson(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns"},"spec":{"size":3}})");
  ASSERT_TRUE(cr.ok());
  auto cr_stored = EncodeForStorage(*cr);
  ASSERT_TRUE(cr_stored.ok());
  ASSERT_TRUE((*store)->Create(ObjectKey(ResourcePrefix("example.com", "widgets", false), "ns", "w"), *cr_stored).ok());

  auto keys = kstream::testing::RunEtcdctl(etcd.endpoint(), {"get", "/registry/", "--prefix", "--keys-only"});
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, "/registry/deployments/ns/web\n\n/registry/example.com/widgets/ns/w\n\n");

  auto raw = kstream::testing::RunEtcdctl(etcd.endpoint(), {"get", "/registry/deployments/ns/web", "--print-value-only"});
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_EQ(*raw, *stored + "\n");  // etcdctl adds the newline
  std::string_view value = std::string_view(*raw).substr(0, raw->size() - 1);
  EXPECT_TRUE(value.starts_with(std::string_view("k8s\0\n\x15\n\x07" "apps/v1\x12\x0a" "Deployment", 27)));
  // What etcd holds decodes to the object, its resourceVersion from the mod revision.
  auto back = DecodeFromStorage(value, *rev);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->object_meta()->ResourceVersion, std::to_string(*rev));
  EXPECT_EQ((*back)->object_meta()->Name, (*deployment)->object_meta()->Name);

  auto cr_raw = kstream::testing::RunEtcdctl(etcd.endpoint(), {"get", "/registry/example.com/widgets/ns/w", "--print-value-only"});
  ASSERT_TRUE(cr_raw.ok());
  EXPECT_EQ(*cr_raw,
            R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns"},"spec":{"size":3}})"
            "\n\n");
}

}  // namespace
}  // namespace kstream::registry
