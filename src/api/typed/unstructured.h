// UnstructuredObject: a custom resource behind the typed Object interface.
//
// kube serves custom resources as unstructured maps: their JSON has every object's keys
// sorted bytewise (Go's map encoding), metadata included, and there is no protobuf form.
// kstream's registry, list encoders and watch work on typed::Object, so a custom resource
// is an Object whose KindEntry is made at run time for a CRD's group/version/kind
// (MakeUnstructuredKind) and whose value is:
//   - `content`: every member of the JSON object except "metadata" (an api::Value object,
//     apiVersion and kind included), and
//   - the typed ObjectMeta (object_meta()), which the registry reads and sets (uid,
//     resourceVersion, generation, ...). Unknown metadata fields are dropped on decode, as
//     kube's ObjectMeta coercion drops them.
// AppendJson writes content and metadata merged in key order, metadata with sorted keys
// (kube writes it from a map: {"creationTimestamp":...,"generation":1,"managedFields":[...],
// "name":...}). ProtoSize/ProtoWrite/DecodeProto are not available (kind().protobuf is false:
// the server answers protobuf requests with 406 before reaching them).
//
// Ownership: a KindEntry made by MakeUnstructuredKind owns its strings and must outlive every
// object made from it (the CRD catalog keeps them for the life of the process).
// Not thread-safe for concurrent mutation, like every Object.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "api/typed/object.h"
#include "api/value.h"

namespace kstream::typed {

class UnstructuredObject final : public Object {
 public:
  explicit UnstructuredObject(const KindEntry* entry);

  void AppendJson(JsonWriter& w) const override;
  Status DecodeJson(const api::Value& in, DecodeContext& ctx) override;
  // The same, taking `in` over instead of copying its content (the list path's decode of
  // every stored item).
  Status DecodeValue(api::Value in, DecodeContext& ctx);
  size_t ProtoSize() const override { return 0; }
  uint8_t* ProtoWrite(uint8_t* end) const override { return end; }
  Status DecodeProto(std::string_view body) override;

  k8s::meta::v1::TypeMeta* type_meta() override { return &type_meta_; }
  k8s::meta::v1::ObjectMeta* object_meta() override { return &meta_; }
  using Object::object_meta;
  k8s::meta::v1::ListMeta* list_meta() override { return nullptr; }
  std::unique_ptr<Object> Clone() const override;

  // Everything but metadata. apiVersion/kind follow type_meta() when encoding.
  const api::Value& content() const { return content_; }
  api::Value& mutable_content() { return content_; }
  // The whole object as one value (metadata rendered from object_meta()).
  api::Value ToValue() const;
  // The metadata as kube writes it for unstructured objects (sorted keys).
  api::Value MetadataValue() const;

 private:
  k8s::meta::v1::TypeMeta type_meta_;
  k8s::meta::v1::ObjectMeta meta_;
  api::Value content_ = api::Value::EmptyObject();
};

// Owns the strings of run-time kinds and hands out KindEntries with stable addresses.
// Entries are never freed (a process sees few CRDs); the same group/version/kind asked for
// twice gives the same entry. Thread-safe.
class UnstructuredKinds {
 public:
  static UnstructuredKinds& Global();
  const KindEntry* Get(std::string_view group, std::string_view version, std::string_view kind,
                       bool is_list = false, std::string_view item_kind = {});

 private:
  std::mutex mu_;
  std::deque<std::string> strings_;
  std::deque<KindEntry> entries_;
};

}  // namespace kstream::typed
