#include "api/typed/unstructured.h"

#include <gtest/gtest.h>

#include "api/json.h"
#include "api/typed/scheme.h"

namespace kstream::typed {
namespace {

const KindEntry* CronTab() { return UnstructuredKinds::Global().Get("stable.example.com", "v1", "CronTab"); }

std::unique_ptr<Object> Decode(std::string_view json, std::vector<std::string>* unknown = nullptr) {
  auto v = api::ParseJson(json);
  EXPECT_TRUE(v.ok());
  DecodeOptions o;
  o.unknown_fields = unknown;
  auto obj = DecodeObjectAs(*CronTab(), *v, o);
  EXPECT_TRUE(obj.ok()) << obj.status().ToString();
  return std::move(obj).value();
}

TEST(UnstructuredObjectTest, WritesEveryKeySortedAsGoMapsDo) {
  // Go's json.Marshal of the map kube holds: keys sorted at every level, metadata included.
  auto obj = Decode(R"({"spec":{"z":1,"a":[{"y":true,"b":null}]},"kind":"CronTab","apiVersion":"stable.example.com/v1",
    "metadata":{"name":"n","namespace":"ns","uid":"u","resourceVersion":"5","generation":2,
                "labels":{"b":"2","a":"1"},"creationTimestamp":"2026-01-02T03:04:05Z"},
    "status":{"x":"y"},"aaa":1})");
  std::string out;
  ASSERT_TRUE(AppendObjectJson(*obj, &out).ok());
  EXPECT_EQ(out,
            R"({"aaa":1,"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"creationTimestamp":"2026-01-02T03:04:05Z","generation":2,"labels":{"a":"1","b":"2"},"name":"n","namespace":"ns","resourceVersion":"5","uid":"u"},"spec":{"a":[{"b":null,"y":true}],"z":1},"status":{"x":"y"}})");
  // The typed metadata is what the registry reads and writes.
  EXPECT_EQ(obj->object_meta()->Name, "n");
  EXPECT_EQ(obj->object_meta()->Generation, 2);
  obj->object_meta()->ResourceVersion = "7";
  out.clear();
  ASSERT_TRUE(AppendObjectJson(*obj, &out).ok());
  EXPECT_NE(out.find(R"("resourceVersion":"7")"), std::string::npos) << out;
  // Indented (?pretty): json.MarshalIndent of the same map.
  out.clear();
  auto small = Decode(R"({"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"n"},"spec":{"a":1}})");
  ASSERT_TRUE(AppendObjectJson(*small, &out, encoding::json::Style::kIndent).ok());
  EXPECT_EQ(out, "{\n  \"apiVersion\": \"stable.example.com/v1\",\n  \"kind\": \"CronTab\",\n  \"metadata\": {\n"
                 "    \"name\": \"n\"\n  },\n  \"spec\": {\n    \"a\": 1\n  }\n}");
}

TEST(UnstructuredObjectTest, DecodeValueTakesTheValueAndDecodesAsDecodeJson) {
  const char* json = R"({"spec":{"z":1},"kind":"CronTab","apiVersion":"stable.example.com/v1",
    "metadata":{"name":"n","labels":{"a":"1"}},"status":{"x":"y"}})";
  auto copied = Decode(json);
  UnstructuredObject taken(CronTab());
  DecodeContext ctx;
  ASSERT_TRUE(taken.DecodeValue(*api::ParseJson(json), ctx).ok());
  std::string a, b;
  ASSERT_TRUE(AppendObjectJson(*copied, &a).ok());
  ASSERT_TRUE(AppendObjectJson(taken, &b).ok());
  EXPECT_EQ(a, b);
  EXPECT_EQ(taken.object_meta()->Name, "n");
  EXPECT_EQ(taken.content().Find("metadata"), nullptr);
  EXPECT_FALSE(taken.DecodeValue(api::Value("x"), ctx).ok());
}

TEST(UnstructuredObjectTest, UnknownMetadataFieldsAreDroppedAndReported) {
  std::vector<std::string> unknown;
  auto obj = Decode(R"({"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"n","bogus":1},
                        "spec":{"free":"form"}})",
                    &unknown);
  EXPECT_EQ(unknown, std::vector<std::string>{"metadata.bogus"});
  std::string out;
  ASSERT_TRUE(AppendObjectJson(*obj, &out).ok());
  EXPECT_EQ(out, R"({"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"n"},"spec":{"free":"form"}})");
}

TEST(UnstructuredObjectTest, CloneIsDeepAndKindsAreShared) {
  auto obj = Decode(R"({"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"n"},"spec":{"a":1}})");
  auto copy = obj->Clone();
  static_cast<UnstructuredObject*>(copy.get())->mutable_content().Find("spec")->Set("a", 2);
  copy->object_meta()->Name = "m";
  EXPECT_EQ(obj->object_meta()->Name, "n");
  EXPECT_EQ(static_cast<UnstructuredObject*>(obj.get())->content().Find("spec")->Find("a")->as_int(), 1);
  EXPECT_EQ(CronTab(), UnstructuredKinds::Global().Get("stable.example.com", "v1", "CronTab"));
  EXPECT_FALSE(CronTab()->protobuf);
  EXPECT_TRUE(CronTab()->unstructured);
  EXPECT_FALSE(obj->DecodeProto("x").ok());
}

}  // namespace
}  // namespace kstream::typed
