// intstr.IntOrString (k8s.io/apimachinery/pkg/util/intstr): an int32 or a string, e.g. a
// container port number or name, or a rolling update's `maxSurge: 3` / `"25%"`.
//
// Encodings (../shared/schema/JSON-RULES.md §8, PROTOBUF-RULES.md §6; intstr.go,
// generated.pb.go):
//   - JSON: type Int -> the number, type String -> the string; any other type (only
//     reachable from protobuf input, where the type is a free int64) is an encode error.
//     Decoding follows IntOrString.UnmarshalJSON: a JSON string makes it a String; any
//     other value makes it an Int decoded as encoding/json decodes an int32, so `null`
//     gives type Int and leaves the int (and string) values as they were, and `true`,
//     `1.5` or `{}` fail with Go's "cannot unmarshal ... of type int32" (with the field
//     context encoding/json adds).
//   - Protobuf: {1: type, 2: intVal, 3: strVal}, all three always written; a negative
//     intVal is sign-extended to 10 bytes.
//
// A plain value type; thread-safe as any value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "api/typed/codec.h"
#include "api/value.h"
#include "base/status.h"

namespace kstream::k8s::intstr {

class IntOrString {
 public:
  // Go's intstr.Type (an int64; protobuf can carry any value).
  enum class Type : int64_t { kInt = 0, kString = 1 };

  IntOrString() = default;  // Int 0
  static IntOrString FromInt(int32_t v) {
    IntOrString r;
    r.int_val_ = v;
    return r;
  }
  static IntOrString FromString(std::string s) {
    IntOrString r;
    r.type_ = Type::kString;
    r.str_val_ = std::move(s);
    return r;
  }

  Type type() const { return type_; }
  bool is_int() const { return type_ == Type::kInt; }
  bool is_string() const { return type_ == Type::kString; }
  // The stored values, whatever the type says (Go keeps both fields).
  int32_t int_value() const { return int_val_; }
  const std::string& str_value() const { return str_val_; }

  void set_type(Type t) { type_ = t; }
  void set_int_value(int32_t v) { int_val_ = v; }
  void set_str_value(std::string s) { str_val_ = std::move(s); }

  friend bool operator==(const IntOrString&, const IntOrString&) = default;

 private:
  Type type_ = Type::kInt;
  int32_t int_val_ = 0;
  std::string str_val_;
};

void AppendJson(typed::JsonWriter& w, const IntOrString& v);
::kstream::Status DecodeJson(const api::Value& in, IntOrString* out, typed::DecodeContext& ctx);
size_t ProtoSize(const IntOrString& v);
uint8_t* ProtoWrite(const IntOrString& v, uint8_t* end);
::kstream::Status DecodeProto(std::string_view body, IntOrString* out);
inline std::string GoTypeName(const IntOrString*) { return "intstr.IntOrString"; }

}  // namespace kstream::k8s::intstr
