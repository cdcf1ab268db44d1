// The hand-written types of apiextensions (v1 and v1beta1 share them): `JSON` (any JSON
// value, kept as raw bytes) and the JSONSchemaProps-or-something unions, with the custom
// JSON and protobuf encodings of apiextensions-apiserver's marshal.go and generated.pb.go
// (../shared/schema/JSON-RULES.md §8, PROTOBUF-RULES.md §6):
//
//   JSONSchemaPropsOrBool        JSON: the schema, else true/false.       pb {1: allows, 2: schema?}
//   JSONSchemaPropsOrArray       JSON: the array if non-empty, else the schema (or null).
//                                                                         pb {1: schema?, 2: repeated}
//   JSONSchemaPropsOrStringArray JSON: the strings if non-empty, else the schema, else null.
//                                                                         pb {1: schema?, 2: repeated}
//   JSON                         JSON: the raw bytes, or null when empty. pb {1: raw} if non-nil
//
// The unions are templates over the version's JSONSchemaProps (which contains them, so it
// is incomplete here); each version's json_schema.h names them.
//
// Decoding reads an api::Value, so `JSON` holds the value re-encoded by api::AppendJson
// (compact, keys sorted), not the client's exact bytes.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "api/json.h"
#include "api/typed/codec.h"

namespace kstream::k8s::apiextensions {

struct JSON {
  typed::Bytes Raw;
};

inline std::string GoTypeName(const JSON*) { return "v1.JSON"; }

inline void AppendJson(typed::JsonWriter& w, const JSON& v) {
  if (v.Raw.empty()) {
    w.Null();
  } else {
    w.RawJson(v.Raw);
  }
}

inline Status DecodeJson(const api::Value& in, JSON* out, typed::DecodeContext&) {
  if (in.is_null()) return Status::Ok();  // Go leaves Raw as it is
  std::string raw;
  KS_RETURN_IF_ERROR(api::AppendJson(in, &raw));
  out->Raw.assign_bytes(raw);
  return Status::Ok();
}

inline size_t ProtoSize(const JSON& v) { return typed::RawBytesMessageSize(v.Raw); }
inline uint8_t* ProtoWrite(const JSON& v, uint8_t* end) { return typed::WriteRawBytesMessage(v.Raw, end); }
inline Status DecodeProto(std::string_view body, JSON* out) { return typed::DecodeRawBytesMessage(body, &out->Raw); }

// ---- JSONSchemaPropsOrBool

template <class Props>
struct PropsOrBool {
  bool Allows = false;
  typed::Ptr<Props> Schema;
};

template <class Props>
std::string GoTypeName(const PropsOrBool<Props>*) {
  return GoTypeName(static_cast<const Props*>(nullptr)) + "OrBool";
}

template <class Props>
void AppendJson(typed::JsonWriter& w, const PropsOrBool<Props>& v) {
  if (v.Schema) {
    AppendJson(w, *v.Schema);
  } else {
    w.Bool(v.Allows);
  }
}

template <class Props>
Status DecodeJson(const api::Value& in, PropsOrBool<Props>* out, typed::DecodeContext& ctx) {
  PropsOrBool<Props> nw;
  if (in.is_object()) {
    KS_RETURN_IF_ERROR(DecodeJson(in, &nw.Schema.emplace(), ctx));
    nw.Allows = true;
  } else if (in.is_bool()) {
    nw.Allows = in.as_bool();
  } else {
    return ctx.CustomError("boolean or JSON schema expected");
  }
  *out = std::move(nw);
  return Status::Ok();
}

template <class Props>
size_t ProtoSize(const PropsOrBool<Props>& v) {
  size_t n = typed::BoolFieldSize(1);
  if (v.Schema) n += typed::MessageFieldSize(2, *v.Schema);
  return n;
}
template <class Props>
uint8_t* ProtoWrite(const PropsOrBool<Props>& v, uint8_t* end) {
  if (v.Schema) end = typed::WriteMessageField(2, *v.Schema, end);
  return typed::WriteBoolField(1, v.Allows, end);
}
template <class Props>
Status DecodeProto(std::string_view body, PropsOrBool<Props>* out) {
  encoding::protobuf::Reader r(body);
  while (!r.done()) {
    uint32_t f;
    encoding::protobuf::WireType wt;
    KS_RETURN_IF_ERROR(r.Next(&f, &wt));
    if (f == 1) {
      KS_RETURN_IF_ERROR(typed::ReadBool(r, wt, "Allows", &out->Allows));
    } else if (f == 2) {
      KS_RETURN_IF_ERROR(typed::ReadMessage(r, wt, "Schema", &out->Schema.ensure()));
    } else {
      KS_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::Ok();
}

// ---- JSONSchemaPropsOrArray and JSONSchemaPropsOrStringArray
//
// Both are "a schema, or a list": of schemas (OrArray, Go's JSONSchemas) or of strings
// (OrStringArray, Go's Property). JSON: the list if non-empty, else the schema, else null;
// protobuf: the schema as field 1, the list items as field 2.

template <class Props, class Elem>
struct PropsOrList {
  typed::Ptr<Props> Schema;
  typed::Slice<Elem> List;  // Go: JSONSchemas (OrArray) / Property (OrStringArray)

  static constexpr bool kStrings = std::is_same_v<Elem, std::string>;
};
template <class Props>
using PropsOrArray = PropsOrList<Props, Props>;
template <class Props>
using PropsOrStringArray = PropsOrList<Props, std::string>;

template <class Props, class Elem>
std::string GoTypeName(const PropsOrList<Props, Elem>*) {
  return GoTypeName(static_cast<const Props*>(nullptr)) +
         (PropsOrList<Props, Elem>::kStrings ? "OrStringArray" : "OrArray");
}

template <class Props, class Elem>
void AppendJson(typed::JsonWriter& w, const PropsOrList<Props, Elem>& v) {
  if (!v.List.empty()) {
    typed::AppendJson(w, v.List);
  } else if (v.Schema) {
    AppendJson(w, *v.Schema);
  } else {
    w.Null();
  }
}

template <class Props, class Elem>
Status DecodeJson(const api::Value& in, PropsOrList<Props, Elem>* out, typed::DecodeContext& ctx) {
  PropsOrList<Props, Elem> nw;
  if (in.is_object()) {
    KS_RETURN_IF_ERROR(DecodeJson(in, &nw.Schema.emplace(), ctx));
  } else if (in.is_array()) {
    KS_RETURN_IF_ERROR(typed::DecodeJson(in, &nw.List, ctx));
  }
  *out = std::move(nw);
  return Status::Ok();
}

template <class Props, class Elem>
size_t ProtoSize(const PropsOrList<Props, Elem>& v) {
  size_t n = 0;
  if (v.Schema) n += typed::MessageFieldSize(1, *v.Schema);
  for (const Elem& e : v.List) {
    if constexpr (PropsOrList<Props, Elem>::kStrings) {
      n += typed::StringFieldSize(2, e);
    } else {
      n += typed::MessageFieldSize(2, e);
    }
  }
  return n;
}
template <class Props, class Elem>
uint8_t* ProtoWrite(const PropsOrList<Props, Elem>& v, uint8_t* end) {
  for (auto it = v.List.rbegin(); it != v.List.rend(); ++it) {
    if constexpr (PropsOrList<Props, Elem>::kStrings) {
      end = typed::WriteStringField(2, *it, end);
    } else {
      end = typed::WriteMessageField(2, *it, end);
    }
  }
  if (v.Schema) end = typed::WriteMessageField(1, *v.Schema, end);
  return end;
}
template <class Props, class Elem>
Status DecodeProto(std::string_view body, PropsOrList<Props, Elem>* out) {
  encoding::protobuf::Reader r(body);
  while (!r.done()) {
    uint32_t f;
    encoding::protobuf::WireType wt;
    KS_RETURN_IF_ERROR(r.Next(&f, &wt));
    if (f == 1) {
      KS_RETURN_IF_ERROR(typed::ReadMessage(r, wt, "Schema", &out->Schema.ensure()));
    } else if (f == 2) {
      out->List.emplace_back();
      if constexpr (PropsOrList<Props, Elem>::kStrings) {
        KS_RETURN_IF_ERROR(typed::ReadString(r, wt, "Property", &out->List.back()));
      } else {
        KS_RETURN_IF_ERROR(typed::ReadMessage(r, wt, "JSONSchemas", &out->List.back()));
      }
    } else {
      KS_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::Ok();
}

}  // namespace kstream::k8s::apiextensions
