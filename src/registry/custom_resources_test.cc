// The CRD catalog over a real LMDB store: a CRD written through the Registry is picked up
// by the catalog's watch, served (REST facts, printer, schema rules), given kube's status,
// and forgotten (with its objects) when deleted.
#include "registry/custom_resources.h"

#include <gtest/gtest.h>

#include <thread>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "api/typed/unstructured.h"
#include "registry/registry.h"
#include "storage/lmdb/lmdb_store.h"
#include "testing/temp_dir.h"

namespace kstream::registry {
namespace {

using namespace std::chrono_literals;

const char kCrd[] = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
  "metadata":{"name":"widgets.example.com"},
  "spec":{"group":"example.com","scope":"Namespaced",
    "names":{"plural":"widgets","kind":"Widget","shortNames":["wd"]},
    "versions":[
      {"name":"v1","served":true,"storage":true,
       "schema":{"openAPIV3Schema":{"type":"object","properties":{
         "spec":{"type":"object","properties":{"size":{"type":"integer","minimum":1,"default":1},
                                               "color":{"type":"string"}}},
         "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}}}},
       "subresources":{"status":{}},
       "additionalPrinterColumns":[{"name":"Size","type":"integer","jsonPath":".spec.size"}],
       "selectableFields":[{"jsonPath":".spec.color"}]},
      {"name":"v1beta1","served":true,"storage":false,
       "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})";

class CustomResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = storage::LmdbStore::Open(storage::LmdbOptions{.path = dir_.str() + "/db"});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    reg_ = std::make_unique<Registry>(store_.get(), &typed::Scheme::Default());
    ASSERT_TRUE(reg_->Bootstrap().ok());
    crds_ = std::make_unique<CustomResourceCatalog>(reg_.get());
    reg_->set_custom_resources(crds_.get());
    crds_->AddListener([this] { ++changes_; });
    ASSERT_TRUE(crds_->Start().ok());
    crd_info_ = typed::Scheme::Default().FindResource("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  }
  void TearDown() override { crds_->Stop(); }

  std::unique_ptr<typed::Object> Decode(const typed::KindEntry& kind, std::string_view json) {
    auto v = api::ParseJson(json);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    auto o = typed::DecodeObjectAs(kind, *v);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return std::move(o).value();
  }

  // Creates the CRD and waits until the catalog serves it.
  void CreateCrd() {
    auto created = reg_->Create(*crd_info_, "", Decode(*typed::Scheme::Default().Find("apiextensions.k8s.io/v1",
                                                                                       "CustomResourceDefinition"),
                                                       kCrd));
    ASSERT_TRUE(created.ok()) << created.error().message();
    auto rev = std::stoll((*created)->object_meta()->ResourceVersion);
    ASSERT_TRUE(crds_->WaitForRevision(rev, 5s));
    ASSERT_NE(crds_->Find("example.com", "v1", "widgets"), nullptr);
  }

  std::string Json(typed::Object& o) {
    std::string out;
    EXPECT_TRUE(typed::AppendObjectJson(o, &out).ok());
    return out;
  }

  testing::TempDir dir_{"kstream-crds"};
  std::unique_ptr<storage::LmdbStore> store_;
  std::unique_ptr<Registry> reg_;
  std::unique_ptr<CustomResourceCatalog> crds_;
  const typed::ResourceInfo* crd_info_ = nullptr;
  std::atomic<int> changes_{0};
};

TEST_F(CustomResourcesTest, ACrdIsServedWithItsRestFactsAndGetsKubesStatus) {
  ASSERT_NO_FATAL_FAILURE(CreateCrd());
  auto v1 = crds_->Find("example.com", "v1", "widgets");
  EXPECT_EQ(v1->info.kind, "Widget");
  EXPECT_EQ(v1->info.list_kind, "WidgetList");  // defaulted
  EXPECT_EQ(v1->info.singular, "widget");       // defaulted
  EXPECT_TRUE(v1->info.namespaced);
  EXPECT_EQ(v1->info.short_names, (std::vector<std::string_view>{"wd"}));
  ASSERT_EQ(v1->info.subresources.size(), 1u);
  EXPECT_EQ(v1->info.subresources[0].name, "status");
  EXPECT_TRUE(v1->info.custom());
  EXPECT_TRUE(v1->storage);
  auto beta = crds_->Find("example.com", "v1beta1", "widgets");
  ASSERT_NE(beta, nullptr);
  EXPECT_FALSE(beta->storage);
  EXPECT_EQ(beta->storage_version, "v1");
  EXPECT_EQ(crds_->ForInfo(&v1->info), v1);
  EXPECT_GE(changes_.load(), 1);

  // The controllers' status: accepted names, stored versions, the two conditions.
  api::Value crd;
  for (int i = 0; i < 100; ++i) {
    auto got = reg_->Get(*crd_info_, "", "widgets.example.com");
    ASSERT_TRUE(got.ok());
    crd = *api::ParseJson(Json(**got));
    if (crd.Find("status") && crd.Find("status")->Find("conditions")) break;
    std::this_thread::sleep_for(20ms);
  }
  const api::Value* status = crd.Find("status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->Find("acceptedNames")->Find("kind")->as_string(), "Widget");
  EXPECT_EQ(*status->Find("storedVersions"), *api::ParseJson(R"(["v1"])"));
  const auto& conds = status->Find("conditions")->as_array();
  ASSERT_EQ(conds.size(), 2u);
  EXPECT_EQ(conds[0].Find("type")->as_string(), "NamesAccepted");
  EXPECT_EQ(conds[0].Find("reason")->as_string(), "NoConflicts");
  EXPECT_EQ(conds[1].Find("type")->as_string(), "Established");
  EXPECT_EQ(conds[1].Find("status")->as_string(), "True");
  EXPECT_EQ(conds[1].Find("reason")->as_string(), "InitialNamesAccepted");
}

TEST_F(CustomResourcesTest, ObjectsArePrunedDefaultedValidatedAndStoredAsJson) {
  ASSERT_NO_FATAL_FAILURE(CreateCrd());
  auto v1 = crds_->Find("example.com", "v1", "widgets");
  auto created = reg_->Create(
      v1->info, "default",
      Decode(*v1->info.custom_kind, R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a"},
                                        "spec":{"color":"red","unknown":1},"status":{"ready":true}})"));
  ASSERT_TRUE(created.ok()) << created.error().message();
  api::Value obj = *api::ParseJson(Json(**created));
  // Pruned, defaulted; the status subresource keeps status out of creates.
  EXPECT_EQ(*obj.Find("spec"), *api::ParseJson(R"({"color":"red","size":1})"));
  EXPECT_EQ(obj.Find("status"), nullptr);
  EXPECT_EQ(obj.Find("metadata")->Find("generation")->as_int(), 1);
  // Stored as JSON under /registry/<group>/<plural>/.
  auto kv = store_->Get("/registry/example.com/widgets/default/a");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->value.front(), '{');
  EXPECT_EQ(kv->value.back(), '\n');
  EXPECT_EQ(kv->value.find("resourceVersion"), std::string::npos);

  auto invalid = reg_->Create(v1->info, "default",
                              Decode(*v1->info.custom_kind, R"({"apiVersion":"example.com/v1","kind":"Widget",
                                                               "metadata":{"name":"b"},"spec":{"size":0}})"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code(), 422);
  EXPECT_NE(invalid.error().message().find("Widget.example.com \"b\" is invalid: spec.size"), std::string::npos)
      << invalid.error().message();

  // Served in v1beta1 too (conversion None: the same object with that apiVersion).
  auto beta = crds_->Find("example.com", "v1beta1", "widgets");
  auto got = reg_->Get(beta->info, "default", "a");
  ASSERT_TRUE(got.ok()) << got.error().message();
  api::Value b = *api::ParseJson(Json(**got));
  EXPECT_EQ(b.Find("apiVersion")->as_string(), "example.com/v1beta1");
  EXPECT_EQ(b.Find("spec")->Find("color")->as_string(), "red");

  // Main-resource updates keep the stored status and bump generation on spec changes only.
  WriteOptions status_write;
  status_write.subresource = "status";
  UpdateFunc set_status = [&](const typed::Object* cur) -> ApiResult<std::unique_ptr<typed::Object>> {
    auto c = cur->Clone();
    static_cast<typed::UnstructuredObject*>(c.get())->mutable_content().Set("status", *api::ParseJson(R"({"ready":true})"));
    return c;
  };
  auto st = reg_->Patch(v1->info, "default", "a", set_status, status_write);
  ASSERT_TRUE(st.ok()) << st.error().message();
  api::Value after = *api::ParseJson(Json(*st->object));
  EXPECT_EQ(*after.Find("status"), *api::ParseJson(R"({"ready":true})"));
  EXPECT_EQ(after.Find("metadata")->Find("generation")->as_int(), 1);
  UpdateFunc change_spec = [&](const typed::Object* cur) -> ApiResult<std::unique_ptr<typed::Object>> {
    auto c = cur->Clone();
    auto& content = static_cast<typed::UnstructuredObject*>(c.get())->mutable_content();
    content.Find("spec")->Set("size", 5);
    content.Erase("status");  // ignored: the main resource does not write status
    return c;
  };
  auto up = reg_->Patch(v1->info, "default", "a", change_spec, WriteOptions{});
  ASSERT_TRUE(up.ok()) << up.error().message();
  after = *api::ParseJson(Json(*up->object));
  EXPECT_EQ(after.Find("spec")->Find("size")->as_int(), 5);
  EXPECT_EQ(*after.Find("status"), *api::ParseJson(R"({"ready":true})"));
  EXPECT_EQ(after.Find("metadata")->Find("generation")->as_int(), 2);

  // The printer columns.
  collection::TableRowContent row;
  ASSERT_TRUE(v1->printer->PrintRow(*up->object, k8s::meta::v1::Time::Now(), &row).ok());
  ASSERT_EQ(row.cells.size(), 2u);
  EXPECT_EQ(row.cells[0].as_string(), "a");
  EXPECT_EQ(row.cells[1].as_int(), 5);
  ASSERT_EQ(v1->printer->columns().size(), 2u);
  EXPECT_EQ(v1->printer->columns()[1].Description, "Custom resource definition column (in JSONPath format): .spec.size");
}

TEST_F(CustomResourcesTest, DeletingTheCrdForgetsItAndItsObjects) {
  ASSERT_NO_FATAL_FAILURE(CreateCrd());
  auto v1 = crds_->Find("example.com", "v1", "widgets");
  ASSERT_TRUE(reg_->Create(v1->info, "default",
                           Decode(*v1->info.custom_kind, R"({"apiVersion":"example.com/v1","kind":"Widget",
                                                            "metadata":{"name":"a"},"spec":{}})"))
                  .ok());
  auto del = reg_->Delete(*crd_info_, "", "widgets.example.com");
  ASSERT_TRUE(del.ok()) << del.error().message();
  auto rev = store_->CurrentRevision();
  ASSERT_TRUE(crds_->WaitForRevision(*rev, 5s));
  EXPECT_EQ(crds_->Find("example.com", "v1", "widgets"), nullptr);
  EXPECT_TRUE(crds_->Served().empty());
  EXPECT_EQ(store_->Get("/registry/example.com/widgets/default/a").status().code(), StatusCode::kNotFound);
  // Requests that started before still hold a valid version.
  EXPECT_EQ(v1->info.kind, "Widget");
}

TEST_F(CustomResourcesTest, ClusterScopedWithoutStatusSubresource) {
  auto crd_kind = typed::Scheme::Default().Find("apiextensions.k8s.io/v1", "CustomResourceDefinition");
  auto created = reg_->Create(*crd_info_, "", Decode(*crd_kind, R"({"apiVersion":"apiextensions.k8s.io/v1",
      "kind":"CustomResourceDefinition","metadata":{"name":"gadgets.example.com"},
      "spec":{"group":"example.com","scope":"Cluster","names":{"plural":"gadgets","kind":"Gadget"},
              "versions":[{"name":"v1","served":true,"storage":true,
                           "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})"));
  ASSERT_TRUE(created.ok()) << created.error().message();
  ASSERT_TRUE(crds_->WaitForRevision(std::stoll((*created)->object_meta()->ResourceVersion), 5s));
  auto v = crds_->Find("example.com", "v1", "gadgets");
  ASSERT_NE(v, nullptr);
  EXPECT_FALSE(v->info.namespaced);
  EXPECT_TRUE(v->info.subresources.empty());
  auto obj = reg_->Create(v->info, "",
                          Decode(*v->info.custom_kind, R"({"apiVersion":"example.com/v1","kind":"Gadget",
                                                          "metadata":{"name":"g"},"spec":{"a":1},"status":{"s":1}})"));
  ASSERT_TRUE(obj.ok()) << obj.error().message();
  EXPECT_TRUE((*obj)->object_meta()->Namespace.empty());
  EXPECT_TRUE(store_->Get("/registry/example.com/gadgets/g").ok());
  // Without the status subresource the status is an ordinary field: kept on create, and a
  // change of it is a change of the object (generation + 1).
  api::Value stored = *api::ParseJson(Json(**obj));
  EXPECT_EQ(*stored.Find("status"), *api::ParseJson(R"({"s":1})"));
  UpdateFunc bump = [&](const typed::Object* cur) -> ApiResult<std::unique_ptr<typed::Object>> {
    auto c = cur->Clone();
    static_cast<typed::UnstructuredObject*>(c.get())->mutable_content().Set("status", *api::ParseJson(R"({"s":2})"));
    return c;
  };
  auto up = reg_->Patch(v->info, "", "g", bump, WriteOptions{});
  ASSERT_TRUE(up.ok()) << up.error().message();
  EXPECT_EQ(up->object->object_meta()->Generation, 2);
  UpdateFunc labels_only = [&](const typed::Object* cur) -> ApiResult<std::unique_ptr<typed::Object>> {
    auto c = cur->Clone();
    c->object_meta()->Labels["x"] = "y";
    return c;
  };
  up = reg_->Patch(v->info, "", "g", labels_only, WriteOptions{});
  ASSERT_TRUE(up.ok()) << up.error().message();
  EXPECT_EQ(up->object->object_meta()->Generation, 2);  // metadata does not count
}

TEST_F(CustomResourcesTest, InvalidCrdsAreRejectedWithKubesCauses) {
  auto crd_kind = typed::Scheme::Default().Find("apiextensions.k8s.io/v1", "CustomResourceDefinition");
  auto bad = reg_->Create(*crd_info_, "", Decode(*crd_kind, R"({"apiVersion":"apiextensions.k8s.io/v1",
      "kind":"CustomResourceDefinition","metadata":{"name":"wrong.example.com"},
      "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget"},
              "versions":[{"name":"v1","served":true,"storage":true}]}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), 422);
  std::string msg(bad.error().message());
  EXPECT_NE(msg.find("metadata.name: Invalid value: \"wrong.example.com\": must be spec.names.plural+\".\"+spec.group"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"),
            std::string::npos)
      << msg;
}

}  // namespace
}  // namespace kstream::registry
