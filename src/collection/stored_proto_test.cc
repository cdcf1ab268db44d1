#include "collection/stored_proto.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "api/typed/scheme.h"
#include "collection/typed_list.h"
#include "encoding/protobuf/wire.h"
#include "encoding/sink.h"
#include "testing/fixtures.h"
#include "testing/random_value.h"

namespace kstream::collection {
namespace {

namespace fs = std::filesystem;
using typed::Object;

// What storage holds for `obj`: its envelope with resourceVersion cleared.
std::string StoredBytes(Object& obj) {
  std::string rv = obj.object_meta()->ResourceVersion;
  obj.object_meta()->ResourceVersion.clear();
  std::string out;
  EXPECT_TRUE(typed::AppendObjectProtobuf(obj, &out).ok());
  obj.object_meta()->ResourceVersion = rv;
  return out;
}

// What the decoding path writes for a list item: the object's bare message.
std::string ItemBytes(const Object& obj) { return typed::ObjectProtoBody(obj); }

std::string Spliced(const StoredProtoItem& item) {
  std::string out = "prefix";
  out.reserve(item.Size() + 6);
  item.AppendTo(&out);
  EXPECT_EQ(out.size(), item.Size() + 6);
  return out.substr(6);
}

// Every upstream fixture of a kind with ObjectMeta: the spliced stored bytes equal the
// decoded object re-encoded with that resourceVersion, for revisions of every length.
TEST(StoredProto, SplicedBytesEqualTheDecodedItemForEveryFixtureKind) {
  const fs::path dir = fs::path(KSTREAM_SHARED_DIR) / "fixtures" / "k8s-api" / "HEAD";
  size_t kinds = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".pb") continue;
    auto obj = typed::DecodeObjectProtobuf(typed::Scheme::Default(), testing::ReadFile(entry.path().string()));
    if (!obj.ok() || (*obj)->object_meta() == nullptr) continue;
    Object& o = **obj;
    const std::string api_version = o.kind().api_version();
    const std::string kind(o.kind().kind);
    std::string stored = StoredBytes(o);
    for (std::string rv : {"1", "42", "1234567", "18446744073709551615"}) {
      o.object_meta()->ResourceVersion = rv;
      StoredProtoItem item;
      ASSERT_TRUE(ParseStoredProto(stored, api_version, kind, &item)) << entry.path();
      item.rv = rv;
      EXPECT_EQ(item.Size(), ItemBytes(o).size()) << entry.path();
      EXPECT_EQ(Spliced(item), ItemBytes(o)) << entry.path() << " rv " << rv;
    }
    ++kinds;
  }
  EXPECT_GT(kinds, 150u);
}

// ObjectMeta's length varint grows by a byte when the revision pushes it past 127.
TEST(StoredProto, MetadataLengthVarintGrows) {
  auto obj = typed::Scheme::Default().Find("v1", "ConfigMap")->New();
  auto* m = obj->object_meta();
  for (size_t name_len : {100u, 117u, 118u, 120u, 125u, 126u, 127u, 16000u, 16379u, 16384u}) {
    m->Name = std::string(name_len, 'n');
    std::string stored = StoredBytes(*obj);
    for (std::string rv : {"7", "123456789"}) {
      m->ResourceVersion = rv;
      StoredProtoItem item;
      ASSERT_TRUE(ParseStoredProto(stored, "v1", "ConfigMap", &item));
      item.rv = rv;
      EXPECT_EQ(Spliced(item), ItemBytes(*obj)) << name_len << " " << rv;
    }
  }
}

TEST(StoredProto, RejectsWhatItCannotSplice) {
  auto obj = typed::Scheme::Default().Find("v1", "ConfigMap")->New();
  obj->object_meta()->Name = "a";
  obj->object_meta()->Namespace = "b";
  std::string stored = StoredBytes(*obj);
  StoredProtoItem item;
  ASSERT_TRUE(ParseStoredProto(stored, "v1", "ConfigMap", &item));
  // Another kind or version than the endpoint's: the decoding path re-types it.
  EXPECT_FALSE(ParseStoredProto(stored, "v1", "Secret", &item));
  EXPECT_FALSE(ParseStoredProto(stored, "v2", "ConfigMap", &item));
  // JSON, garbage, truncation at every length (the envelope's last two fields, both
  // empty, are optional: without them it is the same object).
  EXPECT_FALSE(ParseStoredProto(R"({"kind":"ConfigMap","apiVersion":"v1"})", "v1", "ConfigMap", &item));
  for (size_t n = 0; n < stored.size() - 4; ++n) {
    EXPECT_FALSE(ParseStoredProto(stored.substr(0, n), "v1", "ConfigMap", &item)) << n;
  }
  // A stored resourceVersion (not written by kube's storage).
  obj->object_meta()->ResourceVersion = "5";
  std::string with_rv;
  ASSERT_TRUE(typed::AppendObjectProtobuf(*obj, &with_rv).ok());
  EXPECT_FALSE(ParseStoredProto(with_rv, "v1", "ConfigMap", &item));
  // An envelope with a content type.
  std::string ct = stored;
  ASSERT_EQ(ct.substr(ct.size() - 4), std::string("\x1a\x00\x22\x00", 4));
  ct.replace(ct.size() - 2, 2, std::string("\x22\x01x", 3));
  EXPECT_FALSE(ParseStoredProto(ct, "v1", "ConfigMap", &item));
  // Fields of ObjectMeta out of order (decode and re-encode would reorder them).
  namespace pb = encoding::protobuf;
  std::string meta;
  pb::AppendBytesField(&meta, 3, "b");
  pb::AppendBytesField(&meta, 1, "a");
  pb::AppendBytesField(&meta, 6, "");
  std::string raw;
  pb::AppendBytesField(&raw, 1, meta);
  std::string env;
  pb::AppendEnvelopeHeader(&env, "v1", "ConfigMap", raw.size());
  env += raw;
  pb::AppendEnvelopeTrailer(&env);
  EXPECT_FALSE(ParseStoredProto(env, "v1", "ConfigMap", &item));
}

// Hands out stored bytes for some items and decoded objects for others, as a storage
// source does; a plain ObjectVectorSource over the same objects is the reference.
class MixedSource final : public ItemSource<Object>, public StoredProtoSource {
 public:
  MixedSource(const std::vector<std::unique_ptr<Object>>* objects, const std::vector<std::string>* stored)
      : objects_(objects), stored_(stored) {}
  Result<const Object*> Next() override {
    if (next_ >= objects_->size()) return static_cast<const Object*>(nullptr);
    return (*objects_)[next_++].get();
  }
  Status NextStoredProto(const StoredProtoItem** stored, const Object** object) override {
    *stored = nullptr;
    *object = nullptr;
    if (next_ >= objects_->size()) return Status::Ok();
    size_t i = next_++;
    if (i % 3 == 2) {
      *object = (*objects_)[i].get();
      return Status::Ok();
    }
    if (!ParseStoredProto((*stored_)[i], "v1", "Pod", &item_)) return Internal("not spliceable");
    rv_ = (*objects_)[i]->object_meta()->ResourceVersion;
    item_.rv = rv_;
    *stored = &item_;
    ++spliced_;
    return Status::Ok();
  }
  Status Rewind() override {
    next_ = 0;
    return Status::Ok();
  }
  size_t spliced_ = 0;

 private:
  const std::vector<std::unique_ptr<Object>>* objects_;
  const std::vector<std::string>* stored_;
  size_t next_ = 0;
  StoredProtoItem item_;
  std::string rv_;
};

TEST(StoredProto, ListEncoderGivesTheSameBytesFromStoredItems) {
  const fs::path fixture = fs::path(KSTREAM_SHARED_DIR) / "fixtures/k8s-api/HEAD/core.v1.Pod.pb";
  auto tmpl = typed::DecodeObjectProtobuf(typed::Scheme::Default(), testing::ReadFile(fixture.string()));
  ASSERT_TRUE(tmpl.ok());
  std::mt19937_64 rng(11);
  for (size_t n : {0u, 1u, 2u, 3u, 50u}) {
    std::vector<std::unique_ptr<Object>> objects;
    std::vector<std::string> stored;
    for (size_t i = 0; i < n; ++i) {
      auto o = typed::DecodeObjectProtobuf(typed::Scheme::Default(), testing::ReadFile(fixture.string()));
      ASSERT_TRUE(o.ok());
      (*o)->object_meta()->Name = testing::RandomString(rng, 1 + rng() % 200);
      (*o)->object_meta()->ResourceVersion = std::to_string(rng() >> (rng() % 60));
      stored.push_back(StoredBytes(**o));
      if (auto* tm = (*o)->type_meta()) *tm = {};
      objects.push_back(std::move(o).value());
    }
    TypedListHeader header{"v1", "PodList", {}};
    header.metadata.ResourceVersion = "99";
    MixedSource mixed(&objects, &stored);
    testing::ObjectVectorSource plain(&objects);
    TypedListProtobufEncoder a(&header, &mixed), b(&header, &plain);
    encoding::BufferSink sa, sb;
    ASSERT_TRUE(a.EncodeAll(&sa).ok());
    ASSERT_TRUE(b.EncodeAll(&sb).ok());
    EXPECT_EQ(sa.Take(), sb.Take()) << n;
    EXPECT_EQ(mixed.spliced_, 2 * (n - n / 3));  // both passes
  }
}

}  // namespace
}  // namespace kstream::collection
