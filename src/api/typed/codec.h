// The codec framework of typed Kubernetes objects: the containers that reproduce Go's
// value semantics, and the building blocks the generated codecs (and the hand-written
// special types) are made of.
//
// Every typed value type T (a generated struct, or a special type such as Quantity or
// Time) provides, as free functions in its own namespace (found by argument-dependent
// lookup):
//
//   void   AppendJson(JsonWriter& w, const T& v);             // Go's json.Marshal of v
//   Status DecodeJson(const api::Value& in, T* out, DecodeContext& ctx);
//   size_t ProtoSize(const T& v);                              // bytes of the message body
//   uint8_t* ProtoWrite(const T& v, uint8_t* end);             // body, written backwards
//   Status DecodeProto(std::string_view body, T* out);         // merges, as gogo does
//
// This header provides the same functions for the Go scalar types (string, int32, int64,
// bool, float64), and the containers below, so generated code calls them uniformly.
//
// Containers and Go semantics:
//   - Slice<T> is []T: a std::vector that also knows nil from empty (`null` vs `[]` in
//     JSON). It is nil until something is added or set_non_nil() is called.
//   - Map<V> is map[string]V: a std::map (keys in Go's sorted, bytewise order) with the same
//     nil flag.
//   - Bytes is []byte: a std::string with the nil flag (JSON base64; protobuf written only
//     when non-nil).
//   - Ptr<T> is *T for structs (deep-copying, works with incomplete T, so recursive types
//     such as JSONSchemaProps are fine); std::optional<T> is *T for scalars.
//
// JSON decoding reads an api::Value (parsed by api::ParseJson, which already applies Go's
// lenient string rules) into a typed value following encoding/json's typed rules:
// case-sensitive keys, unknown keys ignored (and recorded in the DecodeContext for strict
// field validation), `null` leaves non-pointer values untouched, numbers must fit the Go
// type. Errors read like Go's ("json: cannot unmarshal string into Go struct field
// PodSpec.spec.containers of type []v1.Container").
//
// Everything here is header-only or pure; no global state; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/value.h"
#include "base/status.h"
#include "encoding/json/encode.h"
#include "encoding/protobuf/wire.h"

namespace kstream::typed {

namespace pb = encoding::protobuf;

// ---------------------------------------------------------------------------------------
// Containers

template <class T>
class Slice : public std::vector<T> {
 public:
  using std::vector<T>::vector;
  Slice() = default;
  Slice(std::initializer_list<T> init) : std::vector<T>(init), non_nil_(true) {}

  bool is_nil() const { return this->empty() && !non_nil_; }
  // Makes an empty slice non-nil (`[]`, not `null`).
  void set_non_nil() { non_nil_ = true; }
  void set_nil() {
    this->clear();
    non_nil_ = false;
  }

 private:
  bool non_nil_ = false;
};

template <class V>
class Map : public std::map<std::string, V, std::less<>> {
 public:
  using std::map<std::string, V, std::less<>>::map;

  bool is_nil() const { return this->empty() && !non_nil_; }
  void set_non_nil() { non_nil_ = true; }
  void set_nil() {
    this->clear();
    non_nil_ = false;
  }

 private:
  bool non_nil_ = false;
};

class Bytes : public std::string {
 public:
  using std::string::string;
  Bytes() = default;
  explicit Bytes(std::string s) : std::string(std::move(s)), non_nil_(true) {}

  bool is_nil() const { return this->empty() && !non_nil_; }
  void set_non_nil() { non_nil_ = true; }
  void set_nil() {
    this->clear();
    non_nil_ = false;
  }
  // Replaces the content; the result is non-nil (even when empty).
  void assign_bytes(std::string_view b) {
    this->assign(b.data(), b.size());
    non_nil_ = true;
  }

 private:
  bool non_nil_ = false;
};

// A bool as an element of a Slice (std::vector<bool> is not a container of bools).
struct GoBool {
  bool value = false;
  GoBool() = default;
  GoBool(bool b) : value(b) {}  // NOLINT: implicit by design
  operator bool() const { return value; }
};

template <class T>
class Ptr {
 public:
  Ptr() = default;
  Ptr(std::nullptr_t) {}
  Ptr(const Ptr& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Ptr(Ptr&&) noexcept = default;
  Ptr& operator=(const Ptr& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Ptr& operator=(Ptr&&) noexcept = default;
  ~Ptr() = default;

  explicit operator bool() const { return p_ != nullptr; }
  T& operator*() const { return *p_; }
  T* operator->() const { return p_.get(); }
  T* get() const { return p_.get(); }
  // Points to a new default T (replacing any previous one) and returns it.
  T& emplace() {
    p_ = std::make_unique<T>();
    return *p_;
  }
  // The pointee, allocated if null (decoders merge into existing values, as Go's do).
  T& ensure() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  void reset() { p_.reset(); }

 private:
  std::unique_ptr<T> p_;
};

// ---------------------------------------------------------------------------------------
// JSON output

// Writes one JSON document (compact or MarshalIndent layout) into a string. Encoders call
// Key()/Element() before each member/element; the writer places commas, newlines and
// indentation. An encode error (a NaN, an invalid raw value) is sticky: the first one is
// kept in status() and the output is to be discarded.
class JsonWriter {
 public:
  JsonWriter(std::string* out, encoding::json::Style style, int depth = 0)
      : out_(out), indent_(style == encoding::json::Style::kIndent), depth_(depth) {}

  std::string* out() const { return out_; }
  bool indent() const { return indent_; }
  int depth() const { return depth_; }
  const Status& status() const { return status_; }
  void Fail(Status s) {
    if (status_.ok()) status_ = std::move(s);
  }

  void BeginObject() {
    out_->push_back('{');
    ++depth_;
    first_ = true;
  }
  // `quoted_key` is the key already quoted and escaped, e.g. "\"metadata\"".
  void Key(std::string_view quoted_key) {
    Separate();
    out_->append(quoted_key);
    out_->append(indent_ ? ": " : ":");
  }
  void EndObject() { Close('}'); }

  void BeginArray() {
    out_->push_back('[');
    ++depth_;
    first_ = true;
  }
  void Element() { Separate(); }
  void EndArray() { Close(']'); }

  void String(std::string_view s) { encoding::json::AppendString(out_, s); }
  void Int(int64_t v) { encoding::json::AppendInt(out_, v); }
  void Bool(bool v) { encoding::json::AppendBool(out_, v); }
  void Null() { encoding::json::AppendNull(out_); }
  void Double(double v) {
    Status s = encoding::json::AppendFloat64(out_, v);
    if (!s.ok()) Fail(std::move(s));
  }
  void Base64(std::string_view bytes) { encoding::json::AppendBase64(out_, bytes); }
  // A raw JSON value (RawExtension and friends): validated and compacted as Go does, then
  // laid out at the current depth in the indented style.
  void RawJson(std::string_view json);

 private:
  void Separate() {
    if (!first_) out_->push_back(',');
    first_ = false;
    if (indent_) encoding::json::AppendNewlineIndent(out_, depth_);
  }
  void Close(char c) {
    --depth_;
    if (indent_ && !first_) encoding::json::AppendNewlineIndent(out_, depth_);
    out_->push_back(c);
    first_ = false;
  }

  std::string* out_;
  bool indent_;
  int depth_;
  bool first_ = true;
  Status status_;
};

// ---------------------------------------------------------------------------------------
// JSON input

// Where a decoder is in the document, for error messages and for the list of unknown
// fields. Keys are views into the Value being decoded.
class DecodeContext {
 public:
  // `unknown_fields`, if given, collects the paths of keys no struct field matched
  // (e.g. "spec.containers[0].imagePullPolicyy"), for strict field validation.
  explicit DecodeContext(std::vector<std::string>* unknown_fields = nullptr)
      : unknown_(unknown_fields) {}

  void PushKey(std::string_view key) { path_.push_back({key, 0, false}); }
  void PushIndex(size_t i) { path_.push_back({{}, i, true}); }
  void Pop() { path_.pop_back(); }

  // The Go struct whose fields are being decoded (for Go's error text); returns the
  // previous one, to restore.
  std::string_view EnterStruct(std::string_view go_name) {
    std::string_view prev = struct_;
    struct_ = go_name;
    return prev;
  }
  void LeaveStruct(std::string_view prev) { struct_ = prev; }

  // Records an unknown key of the object at the current path.
  void Unknown(std::string_view key);

  // "spec.containers[0].name" (indices included).
  std::string Path() const;

  // Go's UnmarshalTypeError for `got` arriving where a `go_type` was expected.
  Status TypeError(const api::Value& got, std::string_view go_type) const;
  // The same, with Go's value text given (e.g. "number 1.5").
  Status TypeErrorText(std::string_view value_text, std::string_view go_type) const;
  // An error from a custom UnmarshalJSON (Quantity, Time, ...), returned as Go returns it.
  Status CustomError(std::string_view message) const;

 private:
  struct Elem {
    std::string_view key;
    size_t index;
    bool is_index;
  };
  std::vector<Elem> path_;
  std::string_view struct_;
  std::vector<std::string>* unknown_;
};

// Scalars.
Status DecodeJson(const api::Value& in, std::string* out, DecodeContext& ctx);
Status DecodeJson(const api::Value& in, bool* out, DecodeContext& ctx);
Status DecodeJson(const api::Value& in, int32_t* out, DecodeContext& ctx);
Status DecodeJson(const api::Value& in, int64_t* out, DecodeContext& ctx);
Status DecodeJson(const api::Value& in, double* out, DecodeContext& ctx);
Status DecodeJson(const api::Value& in, Bytes* out, DecodeContext& ctx);

inline void AppendJson(JsonWriter& w, const std::string& v) { w.String(v); }
inline void AppendJson(JsonWriter& w, bool v) { w.Bool(v); }
inline void AppendJson(JsonWriter& w, int32_t v) { w.Int(v); }
inline void AppendJson(JsonWriter& w, int64_t v) { w.Int(v); }
inline void AppendJson(JsonWriter& w, double v) { w.Double(v); }
// interface{} (metav1.TableRow.cells): any JSON value, as it is.
void AppendJson(JsonWriter& w, const api::Value& v);
inline Status DecodeJson(const api::Value& in, api::Value* out, DecodeContext&) {
  *out = in;
  return Status::Ok();
}

inline void AppendJson(JsonWriter& w, GoBool v) { w.Bool(v.value); }
inline Status DecodeJson(const api::Value& in, GoBool* out, DecodeContext& ctx) {
  return DecodeJson(in, &out->value, ctx);
}
inline void AppendJson(JsonWriter& w, const Bytes& v) {
  if (v.is_nil()) {
    w.Null();
  } else {
    w.Base64(v);
  }
}

// Go type names for error messages (structs give theirs through GoTypeName(const T*)).
inline std::string GoTypeName(const std::string*) { return "string"; }
inline std::string GoTypeName(const bool*) { return "bool"; }
inline std::string GoTypeName(const int32_t*) { return "int32"; }
inline std::string GoTypeName(const int64_t*) { return "int64"; }
inline std::string GoTypeName(const double*) { return "float64"; }
inline std::string GoTypeName(const Bytes*) { return "[]uint8"; }
inline std::string GoTypeName(const GoBool*) { return "bool"; }
inline std::string GoTypeName(const api::Value*) { return "interface {}"; }
template <class T>
std::string GoTypeName(const std::optional<T>*) {
  return "*" + GoTypeName(static_cast<const T*>(nullptr));
}
template <class T>
std::string GoTypeName(const Ptr<T>*) {
  return "*" + GoTypeName(static_cast<const T*>(nullptr));
}
template <class T>
std::string GoTypeName(const Slice<T>*) {
  return "[]" + GoTypeName(static_cast<const T*>(nullptr));
}
template <class V>
std::string GoTypeName(const Map<V>*) {
  return "map[string]" + GoTypeName(static_cast<const V*>(nullptr));
}

// Containers.
template <class T>
void AppendJson(JsonWriter& w, const std::optional<T>& v) {
  if (!v) {
    w.Null();
  } else {
    AppendJson(w, *v);
  }
}

template <class T>
void AppendJson(JsonWriter& w, const Ptr<T>& v) {
  if (!v) {
    w.Null();
  } else {
    AppendJson(w, *v);
  }
}

template <class T>
void AppendJson(JsonWriter& w, const Slice<T>& v) {
  if (v.is_nil()) {
    w.Null();
    return;
  }
  w.BeginArray();
  for (const T& e : v) {
    w.Element();
    AppendJson(w, e);
  }
  w.EndArray();
}

template <class V>
void AppendJson(JsonWriter& w, const Map<V>& v) {
  if (v.is_nil()) {
    w.Null();
    return;
  }
  w.BeginObject();
  std::string quoted;
  for (const auto& [k, e] : v) {
    quoted.clear();
    encoding::json::AppendString(&quoted, k);
    w.Key(quoted);
    AppendJson(w, e);
  }
  w.EndObject();
}

template <class T>
Status DecodeJson(const api::Value& in, std::optional<T>* out, DecodeContext& ctx) {
  if (in.is_null()) {
    out->reset();
    return Status::Ok();
  }
  if (!*out) out->emplace();
  return DecodeJson(in, &**out, ctx);
}

template <class T>
Status DecodeJson(const api::Value& in, Ptr<T>* out, DecodeContext& ctx) {
  if (in.is_null()) {
    out->reset();
    return Status::Ok();
  }
  return DecodeJson(in, &out->ensure(), ctx);
}

template <class T>
Status DecodeJson(const api::Value& in, Slice<T>* out, DecodeContext& ctx) {
  if (in.is_null()) {
    out->set_nil();
    return Status::Ok();
  }
  if (!in.is_array()) return ctx.TypeError(in, GoTypeName(static_cast<const Slice<T>*>(nullptr)));
  const auto& items = in.as_array();
  out->clear();
  out->set_non_nil();
  out->resize(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    ctx.PushIndex(i);
    Status s = DecodeJson(items[i], &(*out)[i], ctx);
    ctx.Pop();
    KS_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

template <class V>
Status DecodeJson(const api::Value& in, Map<V>* out, DecodeContext& ctx) {
  if (in.is_null()) {
    out->set_nil();
    return Status::Ok();
  }
  if (!in.is_object()) return ctx.TypeError(in, GoTypeName(static_cast<const Map<V>*>(nullptr)));
  out->set_non_nil();
  for (const api::Member& m : in.as_object()) {
    ctx.PushKey(m.key);
    // Go decodes each element into a fresh value, then stores it.
    V v{};
    Status s = DecodeJson(m.value, &v, ctx);
    ctx.Pop();
    KS_RETURN_IF_ERROR(s);
    (*out)[m.key] = std::move(v);
  }
  return Status::Ok();
}

// Index of `key` in `keys` (sorted bytewise, `n` of them), or -1: how generated decoders
// match JSON keys to struct fields (case-sensitively, as Kubernetes decodes).
inline int FindKey(const std::string_view* keys, int n, std::string_view key) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (keys[mid] < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < n && keys[lo] == key ? lo : -1;
}

// ---------------------------------------------------------------------------------------
// Protobuf: sizes and backward writers of fields, per Go type (PROTOBUF-RULES.md §2-§4).

// The body of a message field: what ProtoSize/ProtoWrite/DecodeProto of T give.
template <class T>
inline size_t MessageFieldSize(uint32_t field, const T& v) {
  return pb::BytesFieldSize(field, ProtoSize(v));
}
template <class T>
inline uint8_t* WriteMessageField(uint32_t field, const T& v, uint8_t* end) {
  uint8_t* start = ProtoWrite(v, end);
  return pb::WrapBytesFieldBackward(field, start, end);
}

inline size_t StringFieldSize(uint32_t field, std::string_view s) {
  return pb::BytesFieldSize(field, s.size());
}
inline uint8_t* WriteStringField(uint32_t field, std::string_view s, uint8_t* end) {
  return pb::WriteBytesFieldBackward(field, s, end);
}
// int32/int64 are sign-extended to 64 bits (negative numbers take 10 bytes).
inline size_t IntFieldSize(uint32_t field, int64_t v) {
  return pb::VarintFieldSize(field, static_cast<uint64_t>(v));
}
inline uint8_t* WriteIntField(uint32_t field, int64_t v, uint8_t* end) {
  return pb::WriteVarintFieldBackward(field, static_cast<uint64_t>(v), end);
}
inline size_t BoolFieldSize(uint32_t field) { return pb::KeySize(field) + 1; }
inline uint8_t* WriteBoolField(uint32_t field, bool v, uint8_t* end) {
  return pb::WriteVarintFieldBackward(field, v ? 1 : 0, end);
}
inline size_t DoubleFieldSize(uint32_t field) { return pb::KeySize(field) + 8; }
uint8_t* WriteDoubleField(uint32_t field, double v, uint8_t* end);

// A `+protobuf.nullable=true` []string (metav1.Verbs, ExtraValue): a message
// {repeated string items = 1}.
template <class S>
size_t RepeatedStringSize(const S& items) {
  size_t n = 0;
  for (const std::string& s : items) n += StringFieldSize(1, s);
  return n;
}
template <class S>
uint8_t* WriteRepeatedStringBody(const S& items, uint8_t* end) {
  for (auto it = items.rbegin(); it != items.rend(); ++it) end = WriteStringField(1, *it, end);
  return end;
}
template <class S>
uint8_t* WriteRepeatedStringMessage(uint32_t field, const S& items, uint8_t* end) {
  uint8_t* const body_end = end;
  end = WriteRepeatedStringBody(items, end);
  return pb::WrapBytesFieldBackward(field, end, body_end);
}
// The body of such a message: appends its items and makes *out non-nil.
Status DecodeRepeatedStringBody(std::string_view body, Slice<std::string>* out);

// Decoding of one field's value, by Go type. Each checks the wire type.
Status ReadString(pb::Reader& r, pb::WireType wt, std::string_view name, std::string* out);
Status ReadBytesValue(pb::Reader& r, pb::WireType wt, std::string_view name, Bytes* out);
Status ReadInt32(pb::Reader& r, pb::WireType wt, std::string_view name, int32_t* out);
Status ReadInt64(pb::Reader& r, pb::WireType wt, std::string_view name, int64_t* out);
Status ReadBool(pb::Reader& r, pb::WireType wt, std::string_view name, bool* out);
Status ReadDouble(pb::Reader& r, pb::WireType wt, std::string_view name, double* out);
inline Status ReadBool(pb::Reader& r, pb::WireType wt, std::string_view name, GoBool* out) {
  return ReadBool(r, wt, name, &out->value);
}
// A message field: decodes the body into *out (merging, as gogo does).
template <class T>
Status ReadMessage(pb::Reader& r, pb::WireType wt, std::string_view name, T* out) {
  if (wt != pb::WireType::kBytes) return pb::WrongWireType(wt, name);
  std::string_view body;
  KS_RETURN_IF_ERROR(r.ReadBytes(&body));
  return DecodeProto(body, out);
}

// The message {1: bytes Raw} of the raw-JSON holders (runtime.RawExtension, metav1.FieldsV1,
// apiextensions JSON): field 1 is written only when Raw is non-nil.
inline size_t RawBytesMessageSize(const Bytes& raw) {
  return raw.is_nil() ? 0 : pb::BytesFieldSize(1, raw.size());
}
inline uint8_t* WriteRawBytesMessage(const Bytes& raw, uint8_t* end) {
  return raw.is_nil() ? end : pb::WriteBytesFieldBackward(1, raw, end);
}
Status DecodeRawBytesMessage(std::string_view body, Bytes* raw);

// A `+protobuf.nullable=true` []string message: appends its items, and makes *out non-nil.
Status ReadRepeatedStringMessage(pb::Reader& r, pb::WireType wt, std::string_view name,
                                 Slice<std::string>* out);

// The value of a map entry (field 2), by Go type.
inline Status ReadMapValue(pb::Reader& r, pb::WireType wt, std::string_view name, std::string* out) {
  return ReadString(r, wt, name, out);
}
inline Status ReadMapValue(pb::Reader& r, pb::WireType wt, std::string_view name, Bytes* out) {
  return ReadBytesValue(r, wt, name, out);
}
inline Status ReadMapValue(pb::Reader& r, pb::WireType wt, std::string_view name, int32_t* out) {
  return ReadInt32(r, wt, name, out);
}
inline Status ReadMapValue(pb::Reader& r, pb::WireType wt, std::string_view name, int64_t* out) {
  return ReadInt64(r, wt, name, out);
}
template <class T>
Status ReadMapValue(pb::Reader& r, pb::WireType wt, std::string_view name, T* out) {
  return ReadMessage(r, wt, name, out);
}

// Reads one map entry {1: key, 2: value} into *out.
template <class V>
Status ReadMapEntry(pb::Reader& r, pb::WireType wt, std::string_view name, Map<V>* out) {
  if (wt != pb::WireType::kBytes) return pb::WrongWireType(wt, name);
  std::string_view body;
  KS_RETURN_IF_ERROR(r.ReadBytes(&body));
  pb::Reader entry(body);
  std::string key;
  V value{};
  while (!entry.done()) {
    uint32_t f;
    pb::WireType t;
    KS_RETURN_IF_ERROR(entry.Next(&f, &t));
    if (f == 1) {
      KS_RETURN_IF_ERROR(ReadString(entry, t, name, &key));
    } else if (f == 2) {
      KS_RETURN_IF_ERROR(ReadMapValue(entry, t, name, &value));
    } else {
      KS_RETURN_IF_ERROR(entry.Skip(t));
    }
  }
  out->set_non_nil();
  (*out)[std::move(key)] = std::move(value);
  return Status::Ok();
}

// Calls through argument-dependent lookup, for code where the names ProtoSize/... are
// hidden by members (ObjectOf).
template <class T>
size_t ProtoSizeOf(const T& v) {
  return ProtoSize(v);
}
template <class T>
uint8_t* ProtoWriteOf(const T& v, uint8_t* end) {
  return ProtoWrite(v, end);
}
template <class T>
Status DecodeProtoOf(std::string_view body, T* out) {
  return DecodeProto(body, out);
}

// ---------------------------------------------------------------------------------------
// Whole-object entry points

// Go's json.Marshal (compact, no trailing newline) or json.MarshalIndent of v.
template <class T>
Status EncodeJson(const T& v, std::string* out,
                  encoding::json::Style style = encoding::json::Style::kCompact) {
  size_t start = out->size();
  JsonWriter w(out, style);
  AppendJson(w, v);
  if (!w.status().ok()) out->resize(start);
  return w.status();
}

// The protobuf message body of v (no envelope).
template <class T>
std::string EncodeProto(const T& v) {
  std::string out(ProtoSize(v), '\0');
  auto* end = reinterpret_cast<uint8_t*>(out.data()) + out.size();
  ProtoWrite(v, end);
  return out;
}

}  // namespace kstream::typed
