#include "kstream_bench/load.h"

#include <gtest/gtest.h>

#include "api/crd/structural.h"
#include "api/json.h"
#include "api/k8s/core/v1/types.h"
#include "api/typed/scheme.h"

namespace kstream::bench {
namespace {

// The generated body, decoded strictly as its typed kind.
std::unique_ptr<typed::Object> Decode(const std::string& json) {
  std::vector<std::string> dups;
  auto v = api::ParseJson(json, &dups);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(dups.empty());
  if (!v.ok()) return nullptr;
  auto obj = typed::DecodeObject(typed::Scheme::Default(), *v);
  EXPECT_TRUE(obj.ok()) << obj.status().ToString();
  return obj.ok() ? std::move(obj).value() : nullptr;
}

LoadOptions Options(LoadKind kind, uint64_t size) {
  LoadOptions o;
  o.kind = kind;
  o.size = size;
  o.ns = "bench";
  o.name_prefix = "bench-" + std::string(LoadKindName(kind)) + "-";
  return o;
}

TEST(LoadTest, ConfigMaps) {
  LoadOptions o = Options(LoadKind::kConfigMap, 100000);
  const std::string json = ObjectJson(o, 42);
  auto obj = Decode(json);
  ASSERT_NE(obj, nullptr);
  const auto* cm = obj->As<k8s::core::v1::ConfigMap>();
  ASSERT_NE(cm, nullptr);
  EXPECT_EQ(cm->ObjectMeta.Name, "bench-configmap-000042");
  EXPECT_EQ(cm->ObjectMeta.Namespace, "bench");
  ASSERT_EQ(cm->Data.size(), 1u);
  EXPECT_EQ(cm->Data.begin()->second.size(), 100000u);
  EXPECT_EQ(ObjectJson(o, 42), json);     // deterministic
  EXPECT_NE(ObjectJson(o, 43).substr(200), json.substr(200));  // differs per object
  EXPECT_EQ(CollectionPath(o), "/api/v1/namespaces/bench/configmaps");
  o.random_payload = false;
  EXPECT_NE(ObjectJson(o, 1).find(std::string(1000, 'x')), std::string::npos);
}

TEST(LoadTest, Secrets) {
  LoadOptions o = Options(LoadKind::kSecret, 1000);
  auto obj = Decode(ObjectJson(o, 7));
  ASSERT_NE(obj, nullptr);
  const auto* s = obj->As<k8s::core::v1::Secret>();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->Type, "Opaque");
  ASSERT_EQ(s->Data.size(), 1u);
  EXPECT_EQ(s->Data.begin()->second.size(), 1000u);  // base64 decoded back to the payload size
}

TEST(LoadTest, PodsLookReal) {
  LoadOptions o = Options(LoadKind::kPod, 0);
  const std::string json = ObjectJson(o, 3);
  auto obj = Decode(json);
  ASSERT_NE(obj, nullptr);
  const auto* pod = obj->As<k8s::core::v1::Pod>();
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->Spec.Containers.size(), 3u);
  for (const auto& c : pod->Spec.Containers) {
    EXPECT_GE(c.Env.size(), 6u);
    EXPECT_TRUE(c.LivenessProbe.get() != nullptr);
    EXPECT_TRUE(c.ReadinessProbe.get() != nullptr);
    EXPECT_FALSE(c.Resources.Requests.empty());
  }
  EXPECT_EQ(pod->Status.Phase, "Running");
  EXPECT_EQ(pod->Status.ContainerStatuses.size(), 3u);
  EXPECT_EQ(pod->Status.Conditions.size(), 5u);
  EXPECT_EQ(pod->Status.PodIP, "10.244.0.5");
  EXPECT_GT(json.size(), 4000u);
  EXPECT_LT(json.size(), 12000u);
  // The status alone is what the status subresource gets.
  EXPECT_NE(json.find(PodStatusJson(3)), std::string::npos);

  // Padded up to --size when that is larger.
  o.size = 20000;
  const std::string padded = ObjectJson(o, 3);
  EXPECT_EQ(padded.size(), 20000u);
  ASSERT_NE(Decode(padded), nullptr);
}

TEST(LoadTest, WidgetsFitTheirCrdSchema) {
  auto crd = api::ParseJson(WidgetCrdJson());
  ASSERT_TRUE(crd.ok()) << crd.status().ToString();
  const api::Value* version = &crd->Find("spec")->Find("versions")->as_array().at(0);
  auto schema = api::crd::Schema::Compile(*version->Find("schema")->Find("openAPIV3Schema"));
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();

  LoadOptions o = Options(LoadKind::kWidget, 3000);
  EXPECT_EQ(CollectionPath(o), "/apis/bench.kstream.io/v1/namespaces/bench/widgets");
  for (uint64_t i : {0, 1, 2, 41}) {
    auto obj = api::ParseJson(ObjectJson(o, i));
    ASSERT_TRUE(obj.ok()) << obj.status().ToString();
    api::Value pruned = *obj;
    (*schema)->Prune(&pruned);
    EXPECT_EQ(pruned, *obj) << "nothing to prune in widget " << i;
    EXPECT_TRUE((*schema)->Validate(*obj).empty()) << "widget " << i;
    EXPECT_EQ(obj->Find("metadata")->Find("name")->as_string(), "bench-widget-" + std::string(i < 10 ? "00000" : "0000") + std::to_string(i));
    EXPECT_EQ(obj->Find("spec")->Find("payload")->as_string().size(), 3000u);
  }
  EXPECT_NE(ObjectJson(o, 1), ObjectJson(o, 2));
}

TEST(LoadTest, Summary) {
  LoadOptions o = Options(LoadKind::kConfigMap, 10);
  LoadResult r;
  r.created = 150;
  r.existing = 50;
  r.bytes = 2000000;
  r.seconds = 2;
  EXPECT_EQ(r.Summary(o),
            "load: 200 configmaps in namespace bench: 150 created, 50 already existed; 2.0 MB of request bodies in "
            "2.00 s: 100.0 objects/s, 1.0 MB/s");
}

}  // namespace
}  // namespace kstream::bench
