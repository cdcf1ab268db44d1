#include "collection/table.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/k8s/core/v1/types.h"
#include "api/typed/scheme.h"
#include "encoding/sink.h"
#include "registry/printers.h"
#include "testing/random_value.h"

namespace kstream::collection {
namespace {

namespace mv1 = k8s::meta::v1;
using encoding::BatchSink;
using encoding::BufferSink;
using encoding::CallbackSink;
using encoding::json::Style;
using registry::DefaultTablePrinter;
using registry::PrinterFor;
using typed::Object;

const mv1::Time kNow = mv1::Time::FromUtc(2025, 1, 1, 12, 0, 0);

// The swagger docs, as JSON string contents (Go escapes the newlines).
constexpr std::string_view kNameDoc =
    "Name must be unique within a namespace. Is required when creating resources, although "
    "some resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr std::string_view kCreationDoc =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\\n\\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";
constexpr std::string_view kConfigMapDataDoc =
    "Data contains the configuration data. Each key must consist of alphanumeric characters, "
    "'-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. "
    "The keys stored in Data must not overlap with the keys in the BinaryData field, this is "
    "enforced during validation process.";

std::string Col(std::string_view name, std::string_view type, std::string_view format,
                std::string_view desc, int priority) {
  return "{\"name\":\"" + std::string(name) + "\",\"type\":\"" + std::string(type) +
         "\",\"format\":\"" + std::string(format) + "\",\"description\":\"" + std::string(desc) +
         "\",\"priority\":" + std::to_string(priority) + "}";
}

const std::string kConfigMapColumns = "[" + Col("Name", "string", "name", kNameDoc, 0) + "," +
                                      Col("Data", "string", "", kConfigMapDataDoc, 0) + "," +
                                      Col("Age", "string", "", kCreationDoc, 0) + "]";

const std::string kPodColumns =
    "[" + Col("Name", "string", "name", kNameDoc, 0) + "," +
    Col("Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.",
        0) +
    "," + Col("Status", "string", "", "The aggregate status of the containers in this pod.", 0) +
    "," +
    Col("Restarts", "string", "",
        "The number of times the containers in this pod have been restarted and when the last "
        "container in this pod has restarted.",
        0) +
    "," + Col("Age", "string", "", kCreationDoc, 0) + "," +
    Col("IP", "string", "",
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if "
        "not yet allocated.",
        1) +
    "," +
    Col("Node", "string", "",
        "NodeName indicates in which node this pod is scheduled. If empty, this pod is a "
        "candidate for scheduling by the scheduler defined in schedulerName. Once this field "
        "is set, the kubelet for this node becomes responsible for the lifecycle of this pod. "
        "This field should not be used to express a desire for the pod to be scheduled on a "
        "specific node. "
        "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
        1) +
    "," +
    Col("Nominated Node", "string", "",
        "nominatedNodeName is set only when this pod preempts other pods on the node, but it "
        "cannot be scheduled right away as preemption victims receive their graceful "
        "termination periods. This field does not guarantee that the pod will be scheduled on "
        "this node. Scheduler may decide to place the pod elsewhere if other nodes become "
        "available sooner. Scheduler may also decide to give the resources on this node to a "
        "higher priority pod that is created after preemption. As a result, this field may be "
        "different than PodSpec.nodeName when the pod is scheduled.",
        1) +
    "," +
    Col("Readiness Gates", "string", "",
        "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready "
        "when all its containers are ready AND all conditions specified in the readiness gates "
        "have status equal to \\\"True\\\" More info: "
        "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
        1) +
    "]";

std::unique_ptr<Object> Decode(const std::string& json) {
  auto obj = typed::DecodeObjectJson(typed::Scheme::Default(), json);
  EXPECT_TRUE(obj.ok()) << obj.status().ToString() << "\n" << json;
  if (!obj.ok()) return nullptr;
  return std::move(obj).value();
}

// List items carry no kind/apiVersion.
std::unique_ptr<Object> DecodeItem(const std::string& json) {
  auto obj = Decode(json);
  if (obj != nullptr) *obj->type_meta() = mv1::TypeMeta{};
  return obj;
}

class ObjectSource final : public ItemSource<Object> {
 public:
  explicit ObjectSource(const std::vector<std::unique_ptr<Object>>* items) : items_(items) {}
  Result<const Object*> Next() override {
    if (next_ >= items_->size()) return static_cast<const Object*>(nullptr);
    return (*items_)[next_++].get();
  }
  Status Rewind() override {
    next_ = 0;
    return Status::Ok();
  }

 private:
  const std::vector<std::unique_ptr<Object>>* items_;
  size_t next_ = 0;
};

Result<std::string> EncodeTable(const TablePrinter& printer, const TableOptions& options,
                                const mv1::ListMeta& meta,
                                const std::vector<std::unique_ptr<Object>>& items,
                                Style style = Style::kCompact) {
  ObjectSource source(&items);
  TableJsonEncoder enc(&printer, &options, &meta, kNow, &source, style);
  BufferSink sink;
  KS_RETURN_IF_ERROR(enc.EncodeAll(&sink));
  return sink.Take();
}

std::vector<std::unique_ptr<Object>> ConfigMaps() {
  std::vector<std::unique_ptr<Object>> items;
  items.push_back(DecodeItem(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default",)"
      R"("uid":"u1","resourceVersion":"10","creationTimestamp":"2025-01-01T11:55:00Z",)"
      R"("labels":{"x":"y"}},"data":{"k1":"v","k2":"v"},"binaryData":{"b":"AAE="}})"));
  items.push_back(DecodeItem(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","namespace":"default",)"
      R"("creationTimestamp":"2024-12-30T12:00:00Z"}})"));
  return items;
}

mv1::ListMeta ListMeta(std::string rv, std::string cont = "", std::optional<int64_t> remaining = {}) {
  mv1::ListMeta m;
  m.ResourceVersion = std::move(rv);
  m.Continue = std::move(cont);
  m.RemainingItemCount = remaining;
  return m;
}

// ---------------------------------------------------------------------------------------
// Exact bytes

TEST(TableTest, ConfigMapTable) {
  auto items = ConfigMaps();
  TableOptions options;  // includeObject=Metadata
  auto got = EncodeTable(PrinterFor("", "configmaps"), options, ListMeta("42", "abc", 5), items);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got,
            R"({"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"42",)"
            R"("continue":"abc","remainingItemCount":5},"columnDefinitions":)" +
                kConfigMapColumns +
                R"(,"rows":[{"cells":["a",3,"5m"],"object":{"kind":"PartialObjectMetadata",)"
                R"("apiVersion":"meta.k8s.io/v1","metadata":{"name":"a","namespace":"default",)"
                R"("uid":"u1","resourceVersion":"10","creationTimestamp":"2025-01-01T11:55:00Z",)"
                R"("labels":{"x":"y"}}}},{"cells":["b",0,"2d"],"object":{"kind":)"
                R"("PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"b",)"
                R"("namespace":"default","creationTimestamp":"2024-12-30T12:00:00Z"}}}]})"
                "\n");
}

TEST(TableTest, PodTable) {
  std::vector<std::unique_ptr<Object>> items;
  items.push_back(DecodeItem(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default",)"
      R"("creationTimestamp":"2025-01-01T08:00:00Z"},"spec":{"nodeName":"node-a","containers":)"
      R"([{"name":"app","image":"nginx"},{"name":"log","image":"busybox"}]},"status":{"phase":)"
      R"("Running","podIP":"10.0.0.5","conditions":[{"type":"Ready","status":"True"}],)"
      R"("containerStatuses":[{"name":"app","ready":true,"restartCount":3,"state":{"running":)"
      R"({"startedAt":"2025-01-01T11:58:01Z"}},"lastState":{"terminated":{"exitCode":1,)"
      R"("finishedAt":"2025-01-01T11:58:00Z"}}},{"name":"log","ready":true,"restartCount":0,)"
      R"("state":{"running":{}}}]}})"));
  items.push_back(DecodeItem(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"job-x","namespace":"default",)"
      R"("creationTimestamp":"2024-12-31T12:00:00Z"},"spec":{"nodeName":"node-b","containers":)"
      R"([{"name":"c","image":"i"}]},"status":{"phase":"Succeeded","containerStatuses":[{"name":)"
      R"("c","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":)"
      R"("Completed"}}}]}})"));
  TableOptions options;
  options.include_object = IncludeObject::kNone;
  auto got = EncodeTable(PrinterFor("", "pods"), options, ListMeta("7"), items);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got,
            R"({"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"7"},)"
            R"("columnDefinitions":)" +
                kPodColumns +
                R"J(,"rows":[{"cells":["web-1","2/2","Running","3 (2m ago)","4h","10.0.0.5",)J"
                R"("node-a","\u003cnone\u003e","\u003cnone\u003e"],"object":null},{"cells":)"
                R"(["job-x","0/1","Completed","0","24h","\u003cnone\u003e","node-b",)"
                R"("\u003cnone\u003e","\u003cnone\u003e"],"conditions":[{"type":"Completed",)"
                R"("status":"True","reason":"Succeeded","message":"The pod has completed )"
                R"(successfully."}],"object":null}]})"
                "\n");
}

TEST(TableTest, EmptyTables) {
  std::vector<std::unique_ptr<Object>> none;
  TableOptions options;
  // A printer's list: rows [] (printXList makes a non-nil slice).
  auto got = EncodeTable(PrinterFor("", "configmaps"), options, ListMeta("5"), none);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, R"({"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":)"
                  R"("5"},"columnDefinitions":)" +
                      kConfigMapColumns + R"(,"rows":[]})" + "\n");
  // The default convertor: rows null.
  got = EncodeTable(DefaultTablePrinter(), options, ListMeta("5"), none);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, R"({"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":)"
                  R"("5"},"columnDefinitions":[)" +
                      Col("Name", "string", "name", kNameDoc, 0) + "," +
                      Col("Created At", "date", "", kCreationDoc, 0) + R"(],"rows":null})" + "\n");
  // Indented, no headers, empty ListMeta.
  options.no_headers = true;
  got = EncodeTable(PrinterFor("", "pods"), options, mv1::ListMeta(), none, Style::kIndent);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got,
            "{\n  \"kind\": \"Table\",\n  \"apiVersion\": \"meta.k8s.io/v1\",\n  \"metadata\": "
            "{},\n  \"columnDefinitions\": null,\n  \"rows\": []\n}");
  got = EncodeTable(DefaultTablePrinter(), options, mv1::ListMeta(), none, Style::kIndent);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got,
            "{\n  \"kind\": \"Table\",\n  \"apiVersion\": \"meta.k8s.io/v1\",\n  \"metadata\": "
            "{},\n  \"columnDefinitions\": null,\n  \"rows\": null\n}");
}

TEST(TableTest, IndentedRows) {
  auto items = ConfigMaps();
  TableOptions options;
  options.no_headers = true;
  auto got = EncodeTable(PrinterFor("", "configmaps"), options, ListMeta("42"), items,
                         Style::kIndent);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, R"({
  "kind": "Table",
  "apiVersion": "meta.k8s.io/v1",
  "metadata": {
    "resourceVersion": "42"
  },
  "columnDefinitions": null,
  "rows": [
    {
      "cells": [
        "a",
        3,
        "5m"
      ],
      "object": {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {
          "name": "a",
          "namespace": "default",
          "uid": "u1",
          "resourceVersion": "10",
          "creationTimestamp": "2025-01-01T11:55:00Z",
          "labels": {
            "x": "y"
          }
        }
      }
    },
    {
      "cells": [
        "b",
        0,
        "2d"
      ],
      "object": {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {
          "name": "b",
          "namespace": "default",
          "creationTimestamp": "2024-12-30T12:00:00Z"
        }
      }
    }
  ]
})");
  options.include_object = IncludeObject::kNone;
  items.pop_back();
  got = EncodeTable(PrinterFor("", "configmaps"), options, ListMeta("42"), items, Style::kIndent);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, R"({
  "kind": "Table",
  "apiVersion": "meta.k8s.io/v1",
  "metadata": {
    "resourceVersion": "42"
  },
  "columnDefinitions": null,
  "rows": [
    {
      "cells": [
        "a",
        3,
        "5m"
      ],
      "object": null
    }
  ]
})");
}

TEST(TableTest, IncludeObjectModes) {
  auto items = ConfigMaps();
  items.pop_back();  // "a"
  const std::string head =
      R"({"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},"columnDefinitions":null,)"
      R"("rows":[{"cells":["a",3,"5m"],"object":)";
  TableOptions options;
  options.no_headers = true;

  options.include_object = IncludeObject::kNone;
  auto got = EncodeTable(PrinterFor("", "configmaps"), options, {}, items);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, head + "null}]}\n");

  // Object: the whole object, its kind/apiVersion set (the item itself is not changed).
  const std::string full =
      R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"default",)"
      R"("uid":"u1","resourceVersion":"10","creationTimestamp":"2025-01-01T11:55:00Z",)"
      R"("labels":{"x":"y"}},"data":{"k1":"v","k2":"v"},"binaryData":{"b":"AAE="}})";
  options.include_object = IncludeObject::kObject;
  got = EncodeTable(PrinterFor("", "configmaps"), options, {}, items);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, head + full + "}]}\n");
  EXPECT_TRUE(items[0]->type_meta()->Kind.empty());
  // An item that already has them is written as it is.
  items[0]->SetTypeMetaFromKind();
  got = EncodeTable(PrinterFor("", "configmaps"), options, {}, items);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, head + full + "}]}\n");

  // Metadata, with the v1beta1 Table.
  options.include_object = IncludeObject::kMetadata;
  options.api_version = "meta.k8s.io/v1beta1";
  got = EncodeTable(PrinterFor("", "configmaps"), options, {}, items);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got,
            R"({"kind":"Table","apiVersion":"meta.k8s.io/v1beta1","metadata":{},)"
            R"("columnDefinitions":null,"rows":[{"cells":["a",3,"5m"],"object":{"kind":)"
            R"("PartialObjectMetadata","apiVersion":"meta.k8s.io/v1beta1","metadata":{"name":"a",)"
            R"("namespace":"default","uid":"u1","resourceVersion":"10","creationTimestamp":)"
            R"("2025-01-01T11:55:00Z","labels":{"x":"y"}}}}]})"
            "\n");
}

TEST(TableTest, SingleObjectTable) {
  auto items = ConfigMaps();
  const Object& cm = *items[1];  // "b", no resourceVersion
  items[0]->object_meta()->ResourceVersion = "99";
  TableOptions options;
  std::string out = "prefix:";
  ASSERT_TRUE(AppendSingleObjectTable(PrinterFor("", "configmaps"), *items[0], options, kNow, &out)
                  .ok());
  EXPECT_EQ(out,
            R"(prefix:{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":)"
            R"("99"},"columnDefinitions":)" +
                kConfigMapColumns +
                R"(,"rows":[{"cells":["a",3,"5m"],"object":{"kind":"PartialObjectMetadata",)"
                R"("apiVersion":"meta.k8s.io/v1","metadata":{"name":"a","namespace":"default",)"
                R"("uid":"u1","resourceVersion":"99","creationTimestamp":"2025-01-01T11:55:00Z",)"
                R"("labels":{"x":"y"}}}}]})");
  // Later watch events: no headers.
  options.no_headers = true;
  options.include_object = IncludeObject::kNone;
  out.clear();
  ASSERT_TRUE(AppendSingleObjectTable(PrinterFor("", "configmaps"), cm, options, kNow, &out).ok());
  EXPECT_EQ(out,
            R"({"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},)"
            R"("columnDefinitions":null,"rows":[{"cells":["b",0,"2d"],"object":null}]})");
  // One row also for the default convertor.
  out.clear();
  ASSERT_TRUE(AppendSingleObjectTable(DefaultTablePrinter(), cm, options, kNow, &out).ok());
  EXPECT_EQ(out,
            R"({"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},)"
            R"("columnDefinitions":null,"rows":[{"cells":["b","2024-12-30T12:00:00Z"],)"
            R"("object":null}]})");
  out.clear();
  ASSERT_TRUE(
      AppendSingleObjectTable(DefaultTablePrinter(), cm, options, kNow, &out, Style::kIndent).ok());
  EXPECT_EQ(out, R"({
  "kind": "Table",
  "apiVersion": "meta.k8s.io/v1",
  "metadata": {},
  "columnDefinitions": null,
  "rows": [
    {
      "cells": [
        "b",
        "2024-12-30T12:00:00Z"
      ],
      "object": null
    }
  ]
})");
  // A printer of another kind fails, and leaves the output as it was.
  out = "x";
  EXPECT_FALSE(AppendSingleObjectTable(PrinterFor("", "pods"), cm, options, kNow, &out).ok());
  EXPECT_EQ(out, "x");
}

TEST(TableTest, WrongKindStopsTheEncoder) {
  auto items = ConfigMaps();
  TableOptions options;
  ObjectSource source(&items);
  mv1::ListMeta meta;
  TableJsonEncoder enc(&PrinterFor("", "pods"), &options, &meta, kNow, &source);
  BufferSink sink;
  auto first = enc.EncodeNext(&sink);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  Status s = enc.EncodeAll(&sink);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(enc.EncodeNext(&sink).ok());  // stays failed
  EXPECT_EQ(sink.data().find("\"rows\":["), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Streaming = the one-shot json.Marshal of the whole metav1.Table

// One-shot reference: the generated metav1.Table codec over a fully built Table.
std::string OneShot(const TablePrinter& printer, const TableOptions& options,
                    const mv1::ListMeta& meta, const std::vector<std::unique_ptr<Object>>& items,
                    Style style) {
  mv1::Table table;
  table.TypeMeta.Kind = "Table";
  table.TypeMeta.APIVersion = options.api_version;
  table.ListMeta = meta;
  if (!options.no_headers) table.ColumnDefinitions = printer.columns();
  if (!(items.empty() && printer.empty_rows_null())) table.Rows.set_non_nil();
  for (const auto& item : items) {
    TableRowContent content;
    EXPECT_TRUE(printer.PrintRow(*item, kNow, &content).ok());
    mv1::TableRow row;
    row.Cells = content.cells;
    row.Conditions = content.conditions;
    std::string raw;
    switch (options.include_object) {
      case IncludeObject::kNone:
        break;
      case IncludeObject::kMetadata: {
        mv1::PartialObjectMetadata partial;
        partial.TypeMeta.Kind = "PartialObjectMetadata";
        partial.TypeMeta.APIVersion = options.api_version;
        partial.ObjectMeta = *item->object_meta();
        EXPECT_TRUE(typed::EncodeJson(partial, &raw).ok());
        row.Object = k8s::runtime::RawExtension(raw);
        break;
      }
      case IncludeObject::kObject: {
        auto copy = item->Clone();
        EXPECT_TRUE(typed::AppendObjectJson(*copy, &raw).ok());
        row.Object = k8s::runtime::RawExtension(raw);
        break;
      }
    }
    table.Rows.push_back(std::move(row));
  }
  std::string out;
  EXPECT_TRUE(typed::EncodeJson(table, &out, style).ok());
  if (style == Style::kCompact) out += "\n";
  return out;
}

// A random ConfigMap (which = 0), Pod (1), ReplicaSet (2), or any of them (-1).
std::unique_ptr<Object> RandomItem(std::mt19937_64& rng, int which) {
  auto str = [&](size_t n) { return testing::RandomString(rng, n); };
  std::unique_ptr<Object> obj;
  switch (which >= 0 ? which : static_cast<int>(rng() % 3)) {
    case 0: {
      obj = DecodeItem(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})");
      auto* cm = obj->As<k8s::core::v1::ConfigMap>();
      for (size_t i = rng() % 4; i > 0; --i) cm->Data[str(8)] = str(30);
      break;
    }
    case 1: {
      obj = DecodeItem(
          R"({"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{"containers":[{"name":"a"}]},)"
          R"("status":{"containerStatuses":[{"name":"a","ready":true,"restartCount":1,)"
          R"("state":{"running":{}}}]}})");
      auto* pod = obj->As<k8s::core::v1::Pod>();
      const char* phases[] = {"Running", "Succeeded", "Failed", "Pending", ""};
      pod->Status.Phase = phases[rng() % 5];
      pod->Spec.NodeName = str(10);
      pod->Status.ContainerStatuses[0].State.Waiting.emplace().Reason = str(12);
      break;
    }
    default:
      obj = DecodeItem(R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{}})");
      break;
  }
  auto* meta = obj->object_meta();
  meta->Name = str(20);
  meta->Namespace = str(10);
  meta->ResourceVersion = std::to_string(rng() % 100000);
  meta->CreationTimestamp =
      mv1::Time::FromUnix(kNow.unix_seconds() - static_cast<int64_t>(rng() % 400000000));
  for (size_t i = rng() % 3; i > 0; --i) meta->Labels[str(8)] = str(16);
  for (size_t i = rng() % 2; i > 0; --i) meta->Annotations[str(8)] = str(rng() % 5 == 0 ? 3000 : 40);
  return obj;
}

TEST(TableTest, StreamingEqualsOneShot) {
  std::mt19937_64 rng(20250101);
  const char* resources[] = {"configmaps", "pods", "replicasets"};
  for (int round = 0; round < 60; ++round) {
    const std::string resource = resources[round % 3];
    const TablePrinter& printer = PrinterFor("", resource == "replicasets" ? "x" : resource);
    std::vector<std::unique_ptr<Object>> items;
    const size_t n = rng() % 4 == 0 ? 0 : rng() % 40;
    // Each printer gets its own kind; the default convertor takes anything.
    const int which = round % 3 == 2 ? -1 : round % 3;
    for (size_t i = 0; i < n; ++i) items.push_back(RandomItem(rng, which));
    TableOptions options;
    options.include_object = static_cast<IncludeObject>(rng() % 3);
    options.no_headers = rng() % 4 == 0;
    if (rng() % 5 == 0) options.api_version = "meta.k8s.io/v1beta1";
    mv1::ListMeta meta = ListMeta(std::to_string(rng() % 1000), rng() % 2 ? testing::RandomString(rng, 20) : "");
    if (rng() % 2) meta.RemainingItemCount = static_cast<int64_t>(rng() % 50);
    const Style style = rng() % 2 ? Style::kIndent : Style::kCompact;

    const std::string expected = OneShot(printer, options, meta, items, style);

    // Step by step into a batching sink with a random batch size.
    ObjectSource source(&items);
    TableJsonEncoder enc(&printer, &options, &meta, kNow, &source, style);
    BufferSink out;
    BatchSink batch(&out, 1 + rng() % 300);
    size_t pieces = 0;
    while (true) {
      auto more = enc.EncodeNext(&batch);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      ++pieces;
      if (!*more) break;
    }
    ASSERT_TRUE(batch.Flush().ok());
    EXPECT_EQ(out.data(), expected) << "round " << round;
    EXPECT_EQ(pieces, n + 2);
    EXPECT_EQ(enc.items_written(), n);

    // One-shot into a plain buffer gives the same bytes.
    auto again = EncodeTable(printer, options, meta, items, style);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, expected);

    // The Values (YAML path): header + rows = the parsed document.
    auto header = TableHeaderValue(printer, options, meta);
    ASSERT_TRUE(header.ok()) << header.status().ToString();
    api::Value doc = *header;
    if (items.empty() && printer.empty_rows_null()) {
      doc.Set("rows", nullptr);
    } else {
      api::Value rows = api::Value::EmptyArray();
      ObjectSource src2(&items);
      TableRowValueSource rows_src(&printer, &options, kNow, &src2);
      while (true) {
        auto v = rows_src.Next();
        ASSERT_TRUE(v.ok()) << v.status().ToString();
        if (*v == nullptr) break;
        rows.mutable_array().push_back(**v);
      }
      doc.Set("rows", std::move(rows));
    }
    auto parsed = api::ParseJson(expected);
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(doc == *parsed) << "round " << round;
  }
}

TEST(TableTest, RowValue) {
  auto items = ConfigMaps();
  TableOptions options;
  options.include_object = IncludeObject::kNone;
  auto v = TableRowValue(PrinterFor("", "configmaps"), *items[0], options, kNow);
  ASSERT_TRUE(v.ok());
  auto want = api::ParseJson(R"({"cells":["a",3,"5m"],"object":null})");
  ASSERT_TRUE(want.ok());
  EXPECT_TRUE(*v == *want);
  auto h = TableHeaderValue(PrinterFor("", "configmaps"), TableOptions{IncludeObject::kNone, true},
                            ListMeta("3"));
  ASSERT_TRUE(h.ok());
  want = api::ParseJson(R"({"apiVersion":"meta.k8s.io/v1","columnDefinitions":null,)"
                        R"("kind":"Table","metadata":{"resourceVersion":"3"}})");
  ASSERT_TRUE(want.ok());
  EXPECT_TRUE(*h == *want);
}

}  // namespace
}  // namespace kstream::collection
