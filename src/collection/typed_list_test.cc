#include "collection/typed_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "api/json.h"
#include "api/k8s/apiextensions/v1/types.h"
#include "api/k8s/apps/v1/types.h"
#include "api/k8s/core/v1/types.h"
#include "api/typed/scheme.h"
#include "testing/fixtures.h"
#include "testing/random_value.h"

namespace kstream::collection {
namespace {

using encoding::BatchSink;
using encoding::BufferSink;
using encoding::CallbackSink;
using encoding::json::Style;
using typed::Object;

// A fixture object decoded as its typed kind.
std::unique_ptr<Object> FixtureObject(const std::string& path) {
  auto v = api::ParseJson(testing::ReadFixture(path));
  EXPECT_TRUE(v.ok()) << path;
  auto obj = typed::DecodeObject(typed::Scheme::Default(), *v);
  EXPECT_TRUE(obj.ok()) << path << ": " << obj.status().ToString();
  return std::move(obj).value();
}

// Varies a template object: name, namespace, labels, annotations (random strings of every
// escaping class), so that items differ in size and content.
void Mutate(Object& obj, std::mt19937_64& rng) {
  auto* meta = obj.object_meta();
  ASSERT_NE(meta, nullptr);
  meta->Name = testing::RandomString(rng, 30);
  meta->Namespace = testing::RandomString(rng, 12);
  meta->ResourceVersion = std::to_string(rng() % 1000000);
  if (rng() % 2) {
    meta->Labels.set_nil();
  }
  for (size_t i = rng() % 4; i > 0; --i) meta->Labels[testing::RandomString(rng, 10)] = testing::RandomString(rng, 20);
  for (size_t i = rng() % 3; i > 0; --i) {
    meta->Annotations[testing::RandomString(rng, 10)] = testing::RandomString(rng, rng() % 10 == 0 ? 5000 : 50);
  }
  // Items in a list carry no kind/apiVersion.
  if (auto* tm = obj.type_meta()) *tm = {};
}

// The reference: the generated *List struct holding the same items, encoded in one go.
template <class List>
void OneShot(const TypedListHeader& header, const std::vector<std::unique_ptr<Object>>& items,
             std::string* json, std::string* json_indent, std::string* pb) {
  using Item = typename std::remove_reference_t<decltype(std::declval<List>().Items)>::value_type;
  const typed::KindEntry* entry = typed::Scheme::Default().Find(header.api_version, header.kind);
  ASSERT_NE(entry, nullptr);
  auto list_obj = entry->New();
  List* list = list_obj->As<List>();
  ASSERT_NE(list, nullptr);
  list->ListMeta = header.metadata;
  list->Items.set_non_nil();  // HTTP list handlers never send null items
  for (const auto& it : items) list->Items.push_back(*it->As<Item>());
  ASSERT_TRUE(typed::AppendObjectJson(*list_obj, json, Style::kCompact).ok());
  json->push_back('\n');  // json.Encoder.Encode
  ASSERT_TRUE(typed::AppendObjectJson(*list_obj, json_indent, Style::kIndent).ok());
  ASSERT_TRUE(typed::AppendObjectProtobuf(*list_obj, pb).ok());
}

struct Streamed {
  std::string bytes;
  bool downstream_ok = true;
  size_t max_piece = 0;
  size_t encoder_capacity = 0;
};

template <class Encoder>
Streamed Stream(Encoder& enc, size_t batch) {
  Streamed r;
  BufferSink out;
  CallbackSink downstream([&](std::string_view b) {
    r.downstream_ok = r.downstream_ok && (b.size() <= batch || b.size() % batch == 0);
    return out.Write(b);
  });
  BatchSink batcher(&downstream, batch);
  CallbackSink pieces([&](std::string_view b) {
    r.max_piece = std::max(r.max_piece, b.size());
    return batcher.Write(b);
  });
  Status s = enc.EncodeAll(&pieces);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(batcher.Close().ok());
  r.bytes = out.Take();
  r.encoder_capacity = enc.buffer_capacity();
  return r;
}

template <class List>
void CheckKind(const std::string& fixture, const std::string& api_version, const std::string& list_kind,
               int lists) {
  auto tmpl = FixtureObject(fixture);
  const size_t kBatches[] = {1, 7, 100, 4096, 64 * 1024};
  size_t checked_items = 0;
  for (int seed = 0; seed < lists; ++seed) {
    std::mt19937_64 rng(static_cast<uint64_t>(seed) * 7919 + list_kind.size());
    std::vector<std::unique_ptr<Object>> items;
    size_t n = seed % 10 == 0 ? 0 : (seed % 10 == 1 ? 1 : rng() % 30);
    for (size_t i = 0; i < n; ++i) {
      items.push_back(tmpl->Clone());
      Mutate(*items.back(), rng);
    }
    TypedListHeader header;
    header.api_version = api_version;
    header.kind = list_kind;
    if (rng() % 2) header.metadata.ResourceVersion = std::to_string(rng() % 100000);
    if (rng() % 3 == 0) header.metadata.Continue = testing::RandomString(rng, 20);
    if (rng() % 4 == 0) header.metadata.RemainingItemCount = static_cast<int64_t>(rng() % 1000);

    std::string want_json, want_indent, want_pb;
    OneShot<List>(header, items, &want_json, &want_indent, &want_pb);
    size_t batch = kBatches[rng() % std::size(kBatches)];

    testing::ObjectVectorSource s1(&items);
    TypedListJsonEncoder json_enc(&header, &s1);
    Streamed got = Stream(json_enc, batch);
    ASSERT_EQ(got.bytes, want_json) << list_kind << " seed " << seed;
    EXPECT_TRUE(got.downstream_ok);
    EXPECT_LE(got.encoder_capacity, std::max<size_t>(2 * got.max_piece, 64));

    testing::ObjectVectorSource s2(&items);
    TypedListJsonEncoder indent_enc(&header, &s2, Style::kIndent);
    ASSERT_EQ(Stream(indent_enc, batch).bytes, want_indent) << list_kind << " seed " << seed;

    testing::ObjectVectorSource s3(&items);
    TypedListProtobufEncoder pb_enc(&header, &s3);
    Streamed got_pb = Stream(pb_enc, batch);
    ASSERT_EQ(got_pb.bytes, want_pb) << list_kind << " seed " << seed;
    EXPECT_EQ(s3.rewinds(), 1);             // one size pass, one write pass
    EXPECT_EQ(s3.calls(), 2 * items.size());  // each item fetched once per pass
    EXPECT_LE(got_pb.encoder_capacity, std::max<size_t>(2 * got_pb.max_piece, 64));
    checked_items += items.size();
  }
  EXPECT_GT(checked_items, static_cast<size_t>(lists));
}

TEST(TypedListTest, ConfigMapListsStreamLikeTheGeneratedList) {
  CheckKind<k8s::core::v1::ConfigMapList>("k8s-api/HEAD/core.v1.ConfigMap.json", "v1", "ConfigMapList", 400);
}

TEST(TypedListTest, PodListsStreamLikeTheGeneratedList) {
  CheckKind<k8s::core::v1::PodList>("k8s-api/HEAD/core.v1.Pod.json", "v1", "PodList", 150);
}

TEST(TypedListTest, DeploymentListsStreamLikeTheGeneratedList) {
  CheckKind<k8s::apps::v1::DeploymentList>("k8s-api/HEAD/apps.v1.Deployment.json", "apps/v1",
                                           "DeploymentList", 150);
}

TEST(TypedListTest, SecretListsStreamLikeTheGeneratedList) {
  CheckKind<k8s::core::v1::SecretList>("k8s-api/HEAD/core.v1.Secret.json", "v1", "SecretList", 300);
}

TEST(TypedListTest, CustomResourceDefinitionListsStreamLikeTheGeneratedList) {
  CheckKind<k8s::apiextensions::v1::CustomResourceDefinitionList>(
      "k8s-apiextensions/HEAD/apiextensions.k8s.io.v1.CustomResourceDefinition.json",
      "apiextensions.k8s.io/v1", "CustomResourceDefinitionList", 100);
}

TEST(TypedListTest, EmptyListsMatchKubesVectors) {
  // From apimachinery's protobuf collections_test.go (facts §2.4): an empty list.
  TypedListHeader header;  // no kind, no apiVersion
  std::vector<std::unique_ptr<Object>> none;
  testing::ObjectVectorSource src(&none);
  TypedListProtobufEncoder enc(&header, &src);
  BufferSink out;
  ASSERT_TRUE(enc.EncodeAll(&out).ok());
  EXPECT_EQ(out.data(), std::string("k8s\0\x0a\x04\x0a\x00\x12\x00\x12\x08\x0a\x06\x0a\x00\x12\x00\x1a\x00\x1a\x00\x22\x00", 24));

  testing::ObjectVectorSource src2(&none);
  TypedListJsonEncoder jenc(&header, &src2);
  BufferSink jout;
  ASSERT_TRUE(jenc.EncodeAll(&jout).ok());
  EXPECT_EQ(jout.data(), "{\"metadata\":{},\"items\":[]}\n");
}

TEST(TypedListTest, ProtobufNeedsARewindableSource) {
  auto item = FixtureObject("k8s-api/HEAD/core.v1.ConfigMap.json");
  class OneShotSource : public ItemSource<Object> {
   public:
    explicit OneShotSource(const Object* o) : o_(o) {}
    Result<const Object*> Next() override {
      const Object* r = o_;
      o_ = nullptr;
      return r;
    }

   private:
    const Object* o_;
  } src(item.get());
  TypedListHeader header{"v1", "ConfigMapList", {}};
  TypedListProtobufEncoder enc(&header, &src);
  BufferSink out;
  Status s = enc.EncodeAll(&out);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(out.data(), "");  // nothing written before the sizes are known
  EXPECT_FALSE(enc.EncodeNext(&out).ok());
}

}  // namespace
}  // namespace kstream::collection
