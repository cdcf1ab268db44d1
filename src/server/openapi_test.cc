#include "server/openapi.h"

#include <gtest/gtest.h>

#include "api/json.h"
#include "api/openapi/definitions.h"
#include "api/typed/scheme.h"
#include "api/typed/unstructured.h"

namespace kstream::server {
namespace {

using api::Value;

const typed::ResourceInfo* Resource(std::string_view group, std::string_view version, std::string_view resource) {
  return typed::Scheme::Default().FindResource(group, version, resource);
}

Value BuildDoc(std::string_view path, std::vector<const typed::ResourceInfo*> infos) {
  std::vector<OpenApiResource> rs;
  for (const auto* i : infos) rs.push_back(BuiltinOpenApiResource(*i));
  std::string json =
      BuildGroupVersionDocument(path, rs, api::BuiltinOpenApiDefinitions().schemas, "v1.33.0-kstream");
  auto v = api::ParseJson(json);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? std::move(v).value() : Value();
}

const Value* At(const Value& v, std::initializer_list<std::string_view> path) {
  const Value* cur = &v;
  for (std::string_view k : path) {
    if (cur == nullptr || !cur->is_object()) return nullptr;
    cur = cur->Find(k);
  }
  return cur;
}

bool HasQueryParam(const Value& op, std::string_view name) {
  const Value* params = op.Find("parameters");
  if (params == nullptr || !params->is_array()) return false;
  for (const Value& p : params->as_array()) {
    const Value* n = p.Find("name");
    const Value* in = p.Find("in");
    if (n && in && n->as_string() == name && in->as_string() == "query") return true;
  }
  return false;
}

TEST(OpenApiTest, GeneratedDefinitionsFollowKubeOpenApi) {
  // Facts of kube's api/openapi-spec/v3 documents.
  const Value& defs = api::BuiltinOpenApiDefinitions().schemas;
  const Value* spec = defs.Find("io.k8s.api.apps.v1.DeploymentSpec");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(*At(*spec, {"required"}), *api::ParseJson(R"(["selector","template"])"));
  EXPECT_EQ(*At(*spec, {"properties", "replicas"}), *api::ParseJson(R"({"format":"int32","type":"integer"})"));
  EXPECT_EQ(*At(*spec, {"properties", "template"}),
            *api::ParseJson(R"({"allOf":[{"$ref":"#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec"}],"default":{}})"));
  EXPECT_EQ(At(*spec, {"properties", "strategy", "x-kubernetes-patch-strategy"})->as_string(), "retainKeys");
  const Value* containers = At(*defs.Find("io.k8s.api.core.v1.PodSpec"), {"properties", "containers"});
  ASSERT_NE(containers, nullptr);
  EXPECT_EQ(At(*containers, {"x-kubernetes-list-type"})->as_string(), "map");
  EXPECT_EQ(*At(*containers, {"x-kubernetes-list-map-keys"}), *api::ParseJson(R"(["name"])"));
  EXPECT_EQ(At(*containers, {"x-kubernetes-patch-merge-key"})->as_string(), "name");
  EXPECT_EQ(At(*containers, {"x-kubernetes-patch-strategy"})->as_string(), "merge");
  EXPECT_EQ(*defs.Find("io.k8s.apimachinery.pkg.util.intstr.IntOrString"),
            *api::ParseJson(R"({"format":"int-or-string","oneOf":[{"type":"integer"},{"type":"string"}]})"));
  EXPECT_EQ(*defs.Find("io.k8s.apimachinery.pkg.apis.meta.v1.Time"),
            *api::ParseJson(R"({"format":"date-time","type":"string"})"));
  // Kinds carry their group/version/kind (the core group as "").
  EXPECT_EQ(*At(*defs.Find("io.k8s.api.core.v1.ConfigMap"), {"x-kubernetes-group-version-kind"}),
            *api::ParseJson(R"([{"group":"","kind":"ConfigMap","version":"v1"}])"));
  EXPECT_EQ(api::BuiltinOpenApiDefinitions().NameForKind("apps", "v1", "Deployment"), "io.k8s.api.apps.v1.Deployment");
  // A DaemonSetCondition's non-omitempty strings default to "" (kube's `"default": ""`).
  EXPECT_EQ(*At(*defs.Find("io.k8s.api.apps.v1.DaemonSetCondition"), {"properties", "type"}),
            *api::ParseJson(R"({"default":"","type":"string"})"));
}

TEST(OpenApiTest, GroupVersionDocumentHasPathsOperationsAndReachableSchemas) {
  Value doc = BuildDoc("api/v1", {Resource("", "v1", "configmaps"), Resource("", "v1", "namespaces")});
  EXPECT_EQ(At(doc, {"openapi"})->as_string(), "3.0.0");
  EXPECT_EQ(At(doc, {"info", "title"})->as_string(), "Kubernetes");
  const Value* item = At(doc, {"paths", "/api/v1/namespaces/{namespace}/configmaps/{name}"});
  ASSERT_NE(item, nullptr);
  const Value* patch = item->Find("patch");
  ASSERT_NE(patch, nullptr);
  // What kubectl's field-validation verifier looks for.
  EXPECT_TRUE(HasQueryParam(*patch, "fieldValidation"));
  EXPECT_EQ(*At(*patch, {"x-kubernetes-group-version-kind"}),
            *api::ParseJson(R"({"group":"","kind":"ConfigMap","version":"v1"})"));
  EXPECT_EQ(At(*patch, {"operationId"})->as_string(), "patchCoreV1NamespacedConfigMap");
  EXPECT_EQ(At(*patch, {"x-kubernetes-action"})->as_string(), "patch");
  EXPECT_NE(At(*patch, {"requestBody", "content", "application/strategic-merge-patch+json"}), nullptr);
  EXPECT_NE(At(*patch, {"requestBody", "content", "application/apply-patch+yaml"}), nullptr);
  EXPECT_NE(At(doc, {"paths", "/api/v1/namespaces/{namespace}/configmaps", "post"}), nullptr);
  EXPECT_TRUE(HasQueryParam(*At(doc, {"paths", "/api/v1/namespaces/{namespace}/configmaps", "post"}), "fieldValidation"));
  EXPECT_EQ(At(doc, {"paths", "/api/v1/configmaps", "get", "operationId"})->as_string(),
            "listCoreV1ConfigMapForAllNamespaces");
  // Cluster-scoped: no namespace in the path; the status subresource has its own path.
  EXPECT_NE(At(doc, {"paths", "/api/v1/namespaces/{name}", "put"}), nullptr);
  EXPECT_NE(At(doc, {"paths", "/api/v1/namespaces/{name}/status", "patch"}), nullptr);
  // Schemas: every one referenced, directly or through others, and nothing else.
  const Value* schemas = At(doc, {"components", "schemas"});
  ASSERT_NE(schemas, nullptr);
  for (const char* want : {"io.k8s.api.core.v1.ConfigMap", "io.k8s.api.core.v1.ConfigMapList",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.api.core.v1.Namespace"}) {
    EXPECT_NE(schemas->Find(want), nullptr) << want;
  }
  EXPECT_EQ(schemas->Find("io.k8s.api.apps.v1.Deployment"), nullptr);
  EXPECT_EQ(schemas->Find("io.k8s.api.core.v1.Pod"), nullptr);
}

TEST(OpenApiTest, IndexListsDocumentsWithTheirHashes) {
  OpenApiV3 o;
  o.Set("api/v1", "{\"a\":1}");
  o.Set("apis/apps/v1", "{\"b\":2}");
  auto index = api::ParseJson(*o.Index());
  ASSERT_TRUE(index.ok());
  std::string hash = Sha512Hex("{\"a\":1}");
  EXPECT_EQ(hash.size(), 128u);
  EXPECT_EQ(At(*index, {"paths", "api/v1", "serverRelativeURL"})->as_string(), "/openapi/v3/api/v1?hash=" + hash);
  EXPECT_NE(At(*index, {"paths", "apis/apps/v1"}), nullptr);
  ASSERT_NE(o.Find("api/v1"), nullptr);
  EXPECT_EQ(o.Find("api/v1")->hash, hash);
  // A held document survives its replacement.
  auto held = o.Find("apis/apps/v1");
  o.Remove("apis/apps/v1");
  EXPECT_EQ(o.Find("apis/apps/v1"), nullptr);
  EXPECT_EQ(held->json, "{\"b\":2}");
  index = api::ParseJson(*o.Index());
  EXPECT_EQ(At(*index, {"paths", "apis/apps/v1"}), nullptr);
}

TEST(OpenApiTest, CustomResourceDocumentsUseTheCrdSchema) {
  EXPECT_EQ(CustomResourceSchemaName("stable.example.com", "v1", "CronTab"), "com.example.stable.v1.CronTab");
  typed::ResourceInfo info;
  info.group = "stable.example.com";
  info.version = "v1";
  info.kind = "CronTab";
  info.list_kind = "CronTabList";
  info.resource = "crontabs";
  info.singular = "crontab";
  info.namespaced = true;
  info.verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
  info.custom_kind = typed::UnstructuredKinds::Global().Get("stable.example.com", "v1", "CronTab");
  Value schema = *api::ParseJson(R"({"type":"object","properties":{"spec":{"type":"object","properties":{"x":{"type":"string"}}}}})");
  Value extra = CustomResourceDefinitions(info, schema);
  OpenApiResource r;
  r.info = &info;
  r.kind_schema = "com.example.stable.v1.CronTab";
  r.list_schema = "com.example.stable.v1.CronTabList";
  r.strategic_merge = false;
  auto doc = api::ParseJson(BuildGroupVersionDocument("apis/stable.example.com/v1", {r},
                                                      api::BuiltinOpenApiDefinitions().schemas, "v1.33.0", &extra));
  ASSERT_TRUE(doc.ok());
  const Value* kind = At(*doc, {"components", "schemas", "com.example.stable.v1.CronTab"});
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(At(*kind, {"properties", "spec", "properties", "x", "type"})->as_string(), "string");
  EXPECT_EQ(At(*kind, {"properties", "apiVersion", "type"})->as_string(), "string");
  EXPECT_NE(At(*doc, {"components", "schemas", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}), nullptr);
  const Value* patch = At(*doc, {"paths", "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}", "patch"});
  ASSERT_NE(patch, nullptr);
  EXPECT_EQ(At(*patch, {"requestBody", "content", "application/strategic-merge-patch+json"}), nullptr);
  EXPECT_NE(At(*patch, {"requestBody", "content", "application/merge-patch+json"}), nullptr);
  EXPECT_EQ(At(*patch, {"operationId"})->as_string(), "patchStableExampleComV1NamespacedCronTab");
}

}  // namespace
}  // namespace kstream::server
