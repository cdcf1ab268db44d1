#include "api/k8s/intstr/int_or_string.h"

namespace kstream::k8s::intstr {

namespace pb = encoding::protobuf;

void AppendJson(typed::JsonWriter& w, const IntOrString& v) {
  switch (v.type()) {
    case IntOrString::Type::kInt:
      w.Int(v.int_value());
      return;
    case IntOrString::Type::kString:
      w.String(v.str_value());
      return;
  }
  w.Fail(InvalidArgument(
      "json: error calling MarshalJSON for type intstr.IntOrString: impossible IntOrString.Type"));
}

Status DecodeJson(const api::Value& in, IntOrString* out, typed::DecodeContext& ctx) {
  if (in.is_string()) {
    out->set_type(IntOrString::Type::kString);
    out->set_str_value(in.as_string());
    return Status::Ok();
  }
  // json.Unmarshal(value, &intstr.IntVal), after setting the type (even for null, which
  // encoding/json hands to UnmarshalJSON for a non-pointer field).
  out->set_type(IntOrString::Type::kInt);
  int32_t v = out->int_value();
  KS_RETURN_IF_ERROR(typed::DecodeJson(in, &v, ctx));
  out->set_int_value(v);
  return Status::Ok();
}

size_t ProtoSize(const IntOrString& v) {
  return typed::IntFieldSize(1, static_cast<int64_t>(v.type())) +
         typed::IntFieldSize(2, v.int_value()) + typed::StringFieldSize(3, v.str_value());
}

uint8_t* ProtoWrite(const IntOrString& v, uint8_t* end) {
  end = typed::WriteStringField(3, v.str_value(), end);
  end = typed::WriteIntField(2, v.int_value(), end);
  return typed::WriteIntField(1, static_cast<int64_t>(v.type()), end);
}

Status DecodeProto(std::string_view body, IntOrString* out) {
  pb::Reader r(body);
  while (!r.done()) {
    uint32_t field;
    pb::WireType wt;
    KS_RETURN_IF_ERROR(r.Next(&field, &wt));
    switch (field) {
      case 1: {
        int64_t t = 0;
        KS_RETURN_IF_ERROR(typed::ReadInt64(r, wt, "Type", &t));
        out->set_type(static_cast<IntOrString::Type>(t));
        break;
      }
      case 2: {
        int32_t v = 0;
        KS_RETURN_IF_ERROR(typed::ReadInt32(r, wt, "IntVal", &v));
        out->set_int_value(v);
        break;
      }
      case 3: {
        std::string s;
        KS_RETURN_IF_ERROR(typed::ReadString(r, wt, "StrVal", &s));
        out->set_str_value(std::move(s));
        break;
      }
      default:
        KS_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::Ok();
}

}  // namespace kstream::k8s::intstr
