#include "api/typed/scheme.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api/json.h"
#include "api/k8s/apps/v1/types.h"
#include "api/k8s/core/v1/types.h"

namespace kstream::typed {
namespace {

const Scheme& S() { return Scheme::Default(); }

std::string ApiVersion(const ResourceInfo& r) {
  return r.group.empty() ? std::string(r.version) : std::string(r.group) + "/" + std::string(r.version);
}

TEST(SchemeResourcesTest, CoreFactsAsDiscoveryReportsThem) {
  const ResourceInfo* pods = S().FindResource("", "v1", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(pods->kind, "Pod");
  EXPECT_EQ(pods->list_kind, "PodList");
  EXPECT_EQ(pods->singular, "pod");
  EXPECT_TRUE(pods->namespaced);
  EXPECT_EQ(pods->short_names, std::vector<std::string_view>{"po"});
  EXPECT_EQ(pods->categories, std::vector<std::string_view>{"all"});
  EXPECT_TRUE(pods->HasVerb("list"));
  EXPECT_TRUE(pods->HasVerb("watch"));
  EXPECT_TRUE(pods->HasVerb("deletecollection"));
  EXPECT_FALSE(pods->HasVerb("proxy"));
  const SubresourceInfo* status = pods->FindSubresource("status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->kind, "Pod");
  EXPECT_EQ(status->group, "");
  EXPECT_EQ(status->version, "");  // the parent's own group version
  const SubresourceInfo* eviction = pods->FindSubresource("eviction");
  ASSERT_NE(eviction, nullptr);
  EXPECT_EQ(eviction->group, "policy");
  EXPECT_EQ(eviction->kind, "Eviction");
  EXPECT_EQ(eviction->verbs, std::vector<std::string_view>{"create"});
  EXPECT_EQ(pods->FindSubresource("nope"), nullptr);
  EXPECT_TRUE(pods->default_served);
  EXPECT_EQ(pods->stability, "ga");

  const ResourceInfo* namespaces = S().FindResource("", "v1", "namespaces");
  ASSERT_NE(namespaces, nullptr);
  EXPECT_FALSE(namespaces->namespaced);
  EXPECT_EQ(namespaces->short_names, std::vector<std::string_view>{"ns"});

  const ResourceInfo* deployments = S().FindResource("apps", "v1", "deployments");
  ASSERT_NE(deployments, nullptr);
  const SubresourceInfo* scale = deployments->FindSubresource("scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(scale->group, "autoscaling");
  EXPECT_EQ(scale->version, "v1");
  EXPECT_EQ(scale->kind, "Scale");

  const ResourceInfo* crds = S().FindResource("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  ASSERT_NE(crds, nullptr);
  EXPECT_FALSE(crds->namespaced);
  EXPECT_EQ(crds->short_names, (std::vector<std::string_view>{"crd", "crds"}));
}

TEST(SchemeResourcesTest, LookupsAreExact) {
  EXPECT_EQ(S().FindResource("", "v1", "Pods"), nullptr);
  EXPECT_EQ(S().FindResource("", "v1", "pod"), nullptr);
  EXPECT_EQ(S().FindResource("apps", "v1", "pods"), nullptr);
  EXPECT_EQ(S().FindResource("", "v2", "pods"), nullptr);
  EXPECT_EQ(S().ResourceForKind("apps/v1", "Deployment"), S().FindResource("apps", "v1", "deployments"));
  EXPECT_EQ(S().ResourceForKind("v1", "PodList"), nullptr);
  EXPECT_EQ(S().ResourceForKind("v1", "Status"), nullptr);
  EXPECT_EQ(S().ResourceForKind("apps/v2", "Deployment"), nullptr);
  EXPECT_EQ(S().ResourceForKind("apps/v1", "deployment"), nullptr);
}

// Cross-checks the two generated tables (k8s-types.json and resources.json): every
// resource of a group version we have types for has a kind with ObjectMeta, and a list
// kind whose items are that kind.
TEST(SchemeResourcesTest, EveryResourceOfAGeneratedGroupVersionHasItsKinds) {
  std::set<std::string> generated_group_versions;
  for (const KindEntry& k : S().kinds()) generated_group_versions.insert(k.api_version());
  size_t checked = 0;
  for (const ResourceInfo& r : S().resources()) {
    std::string gv = ApiVersion(r);
    if (!generated_group_versions.contains(gv)) continue;  // e.g. apiregistration.k8s.io
    SCOPED_TRACE(gv + " " + std::string(r.resource));
    const KindEntry* kind = S().Find(gv, r.kind);
    ASSERT_NE(kind, nullptr);
    EXPECT_TRUE(kind->has_object_meta);
    EXPECT_FALSE(kind->is_list);
    EXPECT_EQ(S().ResourceForKind(gv, r.kind), &r);
    if (!r.list_kind.empty()) {
      const KindEntry* list = S().Find(gv, r.list_kind);
      ASSERT_NE(list, nullptr);
      EXPECT_TRUE(list->is_list);
      EXPECT_EQ(list->item_kind, r.kind);
    }
    ++checked;
  }
  // resources.json has 169 entries, 5 of them stale; all but APIService (kube-aggregator's
  // group, not in the schema) are of generated group versions.
  EXPECT_EQ(S().resources().size(), 164u);
  EXPECT_EQ(checked, 163u);
}

TEST(SchemeTest, MetaKindsAreRegisteredAsKubeDoes) {
  // metav1.AddToGroupVersion: options and WatchEvent in every group version...
  for (std::string_view gv : {"v1", "apps/v1", "batch/v1", "apiextensions.k8s.io/v1"}) {
    SCOPED_TRACE(gv);
    for (std::string_view kind : {"WatchEvent", "ListOptions", "DeleteOptions", "PatchOptions"}) {
      const KindEntry* e = S().Find(gv, kind);
      ASSERT_NE(e, nullptr) << kind;
      EXPECT_EQ(e->api_version(), gv);
    }
  }
  // ...Status and discovery kinds only in the core v1.
  EXPECT_NE(S().Find("v1", "Status"), nullptr);
  EXPECT_NE(S().Find("v1", "APIResourceList"), nullptr);
  EXPECT_EQ(S().Find("apps/v1", "Status"), nullptr);
  // Lookups are case-sensitive.
  EXPECT_EQ(S().Find("v1", "pod"), nullptr);
  EXPECT_EQ(S().Find("V1", "Pod"), nullptr);
}

Result<std::unique_ptr<Object>> Decode(std::string_view json, const DecodeOptions& o = {}) {
  return DecodeObjectJson(S(), json, o);
}

TEST(SchemeTest, DecodeErrorsAreKubes) {
  auto r = Decode(R"({"apiVersion":"v1","metadata":{}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), R"(Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{}}')");
  r = Decode(R"({"kind":"Pod"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), R"(Object 'apiVersion' is missing in '{"kind":"Pod"}')");
  r = Decode(R"({"apiVersion":"v1","kind":"Deployment"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), R"(no kind "Deployment" is registered for version "v1")");
  r = Decode(R"({"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":5}]}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string");
  r = Decode(R"({"apiVersion":"v1","kind":"Pod","spec":{"containers":{}}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container");
  r = Decode(R"([1])");
  ASSERT_FALSE(r.ok());
  r = Decode(R"({"apiVersion":"v1","kind":"Pod",)");
  ASSERT_FALSE(r.ok());
}

TEST(SchemeTest, DecodingIsCaseSensitiveAndDropsUnknownFields) {
  std::vector<std::string> unknown;
  auto r = Decode(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"Name":"x","name":"y","zz":1},)"
                  R"("Data":{"a":"b"},"data":{"k":"v"}})",
                  {.unknown_fields = &unknown});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto* cm = (*r)->As<k8s::core::v1::ConfigMap>();
  ASSERT_NE(cm, nullptr);
  EXPECT_EQ(cm->ObjectMeta.Name, "y");
  ASSERT_EQ(cm->Data.size(), 1u);
  std::sort(unknown.begin(), unknown.end());
  EXPECT_EQ(unknown, (std::vector<std::string>{"Data", "metadata.Name", "metadata.zz"}));
  std::string json;
  ASSERT_TRUE(AppendObjectJson(**r, &json).ok());
  EXPECT_EQ(json, R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"y"},"data":{"k":"v"}})");
}

TEST(SchemeTest, StrictDecodingReportsUnknownAndDuplicateFields) {
  std::vector<std::string> unknown, dups;
  auto r = Decode(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","name":"b",)"
                  R"("labels":{"x":"1","x":"2"}},"spec":{"replicas":1,"replicas":2,"bogus":1,"bogus":2,)"
                  R"("template":{"spec":{"containers":[{"name":"c","image":"i","imagee":"j"}]}}}})",
                  {.unknown_fields = &unknown, .duplicate_fields = &dups});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto* d = (*r)->As<k8s::apps::v1::Deployment>();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->ObjectMeta.Name, "b");  // the last one wins, as in Go
  ASSERT_TRUE(d->Spec.Replicas);
  EXPECT_EQ(*d->Spec.Replicas, 2);
  EXPECT_EQ(dups, (std::vector<std::string>{"metadata.name", "metadata.labels.x", "spec.replicas",
                                            "spec.bogus"}));
  std::sort(unknown.begin(), unknown.end());
  EXPECT_EQ(unknown, (std::vector<std::string>{"spec.bogus", "spec.template.spec.containers[0].imagee"}));
  EXPECT_EQ(StrictDecodingError(unknown, dups),
            "strict decoding error: unknown field \"spec.bogus\", unknown field "
            "\"spec.template.spec.containers[0].imagee\", duplicate field \"metadata.name\", "
            "duplicate field \"metadata.labels.x\", duplicate field \"spec.replicas\"");
  EXPECT_EQ(StrictDecodingError({}, {}), "");
}

TEST(SchemeTest, StrictDecodingErrorKeepsAtMostAHundred) {
  std::vector<std::string> unknown;
  for (int i = 0; i < 150; ++i) unknown.push_back("f" + std::to_string(i));
  std::string msg = StrictDecodingError(unknown, {"dup"});
  size_t count = 0;
  for (size_t p = msg.find("field \""); p != std::string::npos; p = msg.find("field \"", p + 1)) ++count;
  EXPECT_EQ(count, 100u);
  EXPECT_EQ(msg.find("dup"), std::string::npos);
  EXPECT_NE(msg.find("\"f99\""), std::string::npos);
  EXPECT_EQ(msg.find("\"f100\""), std::string::npos);
}

TEST(SchemeTest, ProtobufEnvelopeErrors) {
  EXPECT_FALSE(DecodeObjectProtobuf(S(), "").ok());
  EXPECT_FALSE(DecodeObjectProtobuf(S(), "k8s").ok());
  EXPECT_FALSE(DecodeObjectProtobuf(S(), std::string("k9s\0", 4)).ok());
  // A ConfigMap encoded, then cut at every length: never a crash, and an error whenever
  // the cut falls inside the object's bytes (a cut at a field boundary of the envelope is
  // a valid, shorter message).
  auto cm = Decode(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"b"}})");
  ASSERT_TRUE(cm.ok());
  std::string pb;
  ASSERT_TRUE(AppendObjectProtobuf(**cm, &pb).ok());
  ASSERT_TRUE(DecodeObjectProtobuf(S(), pb).ok());
  const size_t body = ObjectProtoBody(**cm).size();
  const size_t trailer = 4;  // contentEncoding and contentType, empty
  const size_t body_start = pb.size() - trailer - body;
  for (size_t n = 0; n < pb.size(); ++n) {
    auto cut = DecodeObjectProtobuf(S(), std::string_view(pb).substr(0, n));
    if (n > body_start && n < body_start + body) {
      EXPECT_FALSE(cut.ok()) << n;
    }
  }
  // A kind the scheme does not know.
  std::string other = pb;
  size_t at = other.find("ConfigMap");
  ASSERT_NE(at, std::string::npos);
  other.replace(at, 9, "ConfigMaq");
  auto r = DecodeObjectProtobuf(S(), other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), R"(no kind "ConfigMaq" is registered for version "v1")");
}

}  // namespace
}  // namespace kstream::typed
