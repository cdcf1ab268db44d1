#include "registry/storage_layout.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "storage/lmdb/lmdb_store.h"
#include "testing/temp_dir.h"

namespace kstream::registry {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(KSTREAM_SHARED_DIR) + "/fixtures/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(StorageLayoutTest, PrefixesAreKubeApiserversOwn) {
  EXPECT_EQ(ResourcePrefix("", "configmaps", true), "configmaps");
  EXPECT_EQ(ResourcePrefix("", "pods", true), "pods");
  EXPECT_EQ(ResourcePrefix("apps", "deployments", true), "deployments");
  EXPECT_EQ(ResourcePrefix("coordination.k8s.io", "leases", true), "leases");
  EXPECT_EQ(ResourcePrefix("", "services", true), "services/specs");
  EXPECT_EQ(ResourcePrefix("", "endpoints", true), "services/endpoints");
  EXPECT_EQ(ResourcePrefix("", "nodes", true), "minions");
  EXPECT_EQ(ResourcePrefix("", "replicationcontrollers", true), "controllers");
  EXPECT_EQ(ResourcePrefix("networking.k8s.io", "ingresses", true), "ingress");
  EXPECT_EQ(ResourcePrefix("events.k8s.io", "events", true), "events");  // shares core events
  EXPECT_EQ(ResourcePrefix("apiextensions.k8s.io", "customresourcedefinitions", true),
            "apiextensions.k8s.io/customresourcedefinitions");
  EXPECT_EQ(ResourcePrefix("apiregistration.k8s.io", "apiservices", true), "apiregistration.k8s.io/apiservices");
  EXPECT_EQ(ResourcePrefix("example.com", "widgets", false), "example.com/widgets");
  // A custom resource that happens to be named like a special built-in keeps its group.
  EXPECT_EQ(ResourcePrefix("example.com", "services", false), "example.com/services");

  EXPECT_EQ(ObjectKey("configmaps", "kube-system", "cfg"), "/registry/configmaps/kube-system/cfg");
  EXPECT_EQ(ObjectKey("minions", "", "node-1"), "/registry/minions/node-1");
  EXPECT_EQ(CollectionKey("pods"), "/registry/pods/");
  EXPECT_EQ(CollectionKey("pods", "ns"), "/registry/pods/ns/");

  EXPECT_EQ(StorageFormatFor("", true), StorageFormat::kProtobuf);
  EXPECT_EQ(StorageFormatFor("apps", true), StorageFormat::kProtobuf);
  EXPECT_EQ(StorageFormatFor("apiextensions.k8s.io", true), StorageFormat::kJson);
  EXPECT_EQ(StorageFormatFor("example.com", false), StorageFormat::kJson);
}

TEST(StorageLayoutTest, BuiltInObjectsAreStoredAsProtobufWithoutResourceVersion) {
  auto obj = typed::DecodeObjectJson(typed::Scheme::Default(), ReadFixture("k8s-api/HEAD/core.v1.ConfigMap.json"));
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  ASSERT_FALSE((*obj)->object_meta()->ResourceVersion.empty());  // the fixture has one
  std::string want_json;
  auto stored = EncodeForStorage(**obj, StorageFormat::kProtobuf);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->starts_with(std::string_view("k8s\0", 4)));

  kstream::testing::TempDir dir("kstream-layout");
  auto store = storage::LmdbStore::Open({.path = dir.str()});
  ASSERT_TRUE(store.ok());
  const std::string key = ObjectKey(ResourcePrefix("", "configmaps", true), "ns", "name");
  auto rev = (*store)->Create(key, *stored);
  ASSERT_TRUE(rev.ok());
  auto kv = (*store)->Get("/registry/configmaps/ns/name");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->value, *stored);

  // The raw bytes carry no resourceVersion; decoding fills it from the mod revision.
  auto raw = typed::DecodeObjectProtobuf(typed::Scheme::Default(), kv->value);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ((*raw)->object_meta()->ResourceVersion, "");
  auto back = DecodeFromStorage(kv->value, kv->mod_revision);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->object_meta()->ResourceVersion, std::to_string(*rev));
  // Otherwise the same object.
  (*obj)->object_meta()->ResourceVersion = std::to_string(*rev);
  std::string a, b;
  ASSERT_TRUE(typed::AppendObjectJson(**obj, &a).ok());
  ASSERT_TRUE(typed::AppendObjectJson(**back, &b).ok());
  EXPECT_EQ(a, b);
}

TEST(StorageLayoutTest, CustomResourcesAndCrdsAreStoredAsJson) {
  auto cr = api::ParseJson(
      R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns","resourceVersion":"7"},"spec":{"size":3}})");
  ASSERT_TRUE(cr.ok());
  auto stored = EncodeForStorage(*cr);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored,
            R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns"},"spec":{"size":3}})"
            "\n");
  auto back = DecodeUnstructuredFromStorage(*stored, 42);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Find("metadata")->Find("resourceVersion")->as_string(), "42");

  auto crd = typed::DecodeObjectJson(
      typed::Scheme::Default(),
      ReadFixture("k8s-apiextensions/HEAD/apiextensions.k8s.io.v1.CustomResourceDefinition.json"));
  ASSERT_TRUE(crd.ok()) << crd.status().ToString();
  auto crd_stored = EncodeForStorage(**crd, StorageFormatFor("apiextensions.k8s.io", true));
  ASSERT_TRUE(crd_stored.ok());
  EXPECT_TRUE(crd_stored->starts_with(R"({"kind":"CustomResourceDefinition","apiVersion":"apiextensions.k8s.io/v1",)"));
  EXPECT_TRUE(crd_stored->ends_with("}\n"));
  EXPECT_EQ(crd_stored->find("resourceVersion"), std::string::npos);
  auto crd_back = DecodeFromStorage(*crd_stored, 9);
  ASSERT_TRUE(crd_back.ok()) << crd_back.status().ToString();
  EXPECT_EQ((*crd_back)->object_meta()->ResourceVersion, "9");
  EXPECT_FALSE(DecodeFromStorage("garbage", 1).ok());
}

}  // namespace
}  // namespace kstream::registry
