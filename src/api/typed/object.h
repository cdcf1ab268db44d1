// Object: a typed Kubernetes object of any built-in kind, behind one interface.
//
// The generated code gives every kind (Pod, ConfigMap, DeploymentList, ...) a C++ struct
// and its codecs; ObjectOf<T> wraps one such value so that generic code (the Scheme, the
// list encoders, the registry later) can decode, encode and reach the metadata of an object
// without knowing its kind at compile time. `KindEntry` describes a kind: its group,
// version, name, whether it has ObjectMeta or is a list, whether it has a protobuf form,
// and makes empty objects of it. The table of every kind is generated
// (GeneratedKinds(), in kinds_gen.cc).
//
// Objects are plain values behind a pointer: not thread-safe for concurrent mutation.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/k8s/meta/v1/types.h"
#include "api/typed/codec.h"

namespace kstream::typed {

class Object;

struct KindEntry {
  std::string_view group;    // "" for the core group
  std::string_view version;  // "v1"
  std::string_view kind;     // "Pod"
  bool has_object_meta = false;
  bool is_list = false;
  std::string_view item_kind;  // for lists: the kind of the items
  bool protobuf = true;        // false for types without a protobuf form (Table, ...)
  // Custom resources: objects are UnstructuredObject (typed/unstructured.h), written with
  // sorted keys as kube's unstructured encoder writes them; lists are UnstructuredLists.
  bool unstructured = false;
  std::unique_ptr<Object> (*make)(const KindEntry* entry) = nullptr;

  // "v1" or "apps/v1".
  std::string api_version() const {
    return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  }
  std::unique_ptr<Object> New() const { return make(this); }
};

class Object {
 public:
  explicit Object(const KindEntry* entry) : entry_(entry) {}
  virtual ~Object() = default;

  const KindEntry& kind() const { return *entry_; }

  virtual void AppendJson(JsonWriter& w) const = 0;
  virtual Status DecodeJson(const api::Value& in, DecodeContext& ctx) = 0;
  virtual size_t ProtoSize() const = 0;
  virtual uint8_t* ProtoWrite(uint8_t* end) const = 0;
  virtual Status DecodeProto(std::string_view body) = 0;

  // nullptr when the kind has no such member.
  virtual k8s::meta::v1::TypeMeta* type_meta() = 0;
  virtual k8s::meta::v1::ObjectMeta* object_meta() = 0;
  virtual k8s::meta::v1::ListMeta* list_meta() = 0;
  const k8s::meta::v1::ObjectMeta* object_meta() const {
    return const_cast<Object*>(this)->object_meta();
  }

  // Sets kind/apiVersion from the kind entry (what kube's encoders do before writing).
  void SetTypeMetaFromKind() {
    if (auto* tm = type_meta()) {
      tm->Kind = std::string(entry_->kind);
      tm->APIVersion = entry_->api_version();
    }
  }

  virtual std::unique_ptr<Object> Clone() const = 0;

  // The typed value, when the caller knows the kind (nullptr otherwise).
  template <class T>
  T* As();
  template <class T>
  const T* As() const {
    return const_cast<Object*>(this)->As<T>();
  }

 private:
  const KindEntry* entry_;
};

template <class T>
class ObjectOf final : public Object {
 public:
  explicit ObjectOf(const KindEntry* entry) : Object(entry) {}
  ObjectOf(const KindEntry* entry, T v) : Object(entry), value(std::move(v)) {}

  void AppendJson(JsonWriter& w) const override {
    using typed::AppendJson;
    AppendJson(w, value);
  }
  Status DecodeJson(const api::Value& in, DecodeContext& ctx) override {
    using typed::DecodeJson;
    return DecodeJson(in, &value, ctx);
  }
  size_t ProtoSize() const override { return typed::ProtoSizeOf(value); }
  uint8_t* ProtoWrite(uint8_t* end) const override { return typed::ProtoWriteOf(value, end); }
  Status DecodeProto(std::string_view body) override { return typed::DecodeProtoOf(body, &value); }

  k8s::meta::v1::TypeMeta* type_meta() override {
    if constexpr (requires(T& t) { t.TypeMeta; }) {
      return &value.TypeMeta;
    } else {
      return nullptr;
    }
  }
  k8s::meta::v1::ObjectMeta* object_meta() override {
    if constexpr (requires(T& t) { t.ObjectMeta; }) {
      return &value.ObjectMeta;
    } else {
      return nullptr;
    }
  }
  k8s::meta::v1::ListMeta* list_meta() override {
    if constexpr (requires(T& t) { t.ListMeta; }) {
      return &value.ListMeta;
    } else {
      return nullptr;
    }
  }
  std::unique_ptr<Object> Clone() const override {
    return std::make_unique<ObjectOf<T>>(&kind(), value);
  }

  T value{};
};

template <class T>
T* Object::As() {
  auto* o = dynamic_cast<ObjectOf<T>*>(this);
  return o ? &o->value : nullptr;
}

template <class T>
std::unique_ptr<Object> MakeObject(const KindEntry* entry) {
  return std::make_unique<ObjectOf<T>>(entry);
}

template <class T>
KindEntry MakeKindEntry(std::string_view group, std::string_view version, std::string_view kind,
                        bool has_object_meta, bool is_list, std::string_view item_kind,
                        bool protobuf) {
  KindEntry e;
  e.group = group;
  e.version = version;
  e.kind = kind;
  e.has_object_meta = has_object_meta;
  e.is_list = is_list;
  e.item_kind = item_kind;
  e.protobuf = protobuf;
  e.make = &MakeObject<T>;
  return e;
}

// Every generated kind (kinds_gen.cc).
const std::vector<KindEntry>& GeneratedKinds();

}  // namespace kstream::typed
