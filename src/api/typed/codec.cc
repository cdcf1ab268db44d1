#include "api/typed/codec.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "api/json.h"
#include "encoding/json/raw.h"

namespace kstream::typed {

namespace ej = encoding::json;

void JsonWriter::RawJson(std::string_view json) {
  if (!indent_) {
    Status s = ej::AppendCompacted(out_, json);
    if (!s.ok()) Fail(std::move(s));
    return;
  }
  std::string compact;
  Status s = ej::AppendCompacted(&compact, json);
  if (!s.ok()) {
    Fail(std::move(s));
    return;
  }
  ej::AppendReindented(out_, compact, depth_);
}

void AppendJson(JsonWriter& w, const api::Value& v) {
  Status s = api::AppendJson(v, w.out(), w.indent() ? ej::Style::kIndent : ej::Style::kCompact,
                             w.depth());
  if (!s.ok()) w.Fail(std::move(s));
}

// ---------------------------------------------------------------------------------------
// DecodeContext

void DecodeContext::Unknown(std::string_view key) {
  if (unknown_ == nullptr) return;
  std::string p = Path();
  if (!p.empty()) p.push_back('.');
  p.append(key);
  unknown_->push_back(std::move(p));
}

std::string DecodeContext::Path() const {
  std::string p;
  for (const Elem& e : path_) {
    if (e.is_index) {
      p += "[" + std::to_string(e.index) + "]";
    } else {
      if (!p.empty()) p.push_back('.');
      p.append(e.key);
    }
  }
  return p;
}

namespace {

std::string DescribeJsonValue(const api::Value& v) {
  switch (v.kind()) {
    case api::Value::Kind::kNull: return "null";
    case api::Value::Kind::kBool: return "bool";
    case api::Value::Kind::kInt:
    case api::Value::Kind::kFloat: return "number";
    case api::Value::Kind::kString: return "string";
    case api::Value::Kind::kArray: return "array";
    case api::Value::Kind::kObject: return "object";
  }
  return "value";
}

// Go's text of a JSON number (for "number 1.5" in messages).
std::string NumberText(const api::Value& v) {
  std::string s;
  if (v.is_int()) {
    ej::AppendInt(&s, v.as_int());
  } else {
    ej::AppendFloat64(&s, v.as_float()).IgnoreError();
  }
  return s;
}

}  // namespace

Status DecodeContext::TypeError(const api::Value& got, std::string_view go_type) const {
  return TypeErrorText(DescribeJsonValue(got), go_type);
}

Status DecodeContext::TypeErrorText(std::string_view value_text, std::string_view go_type) const {
  std::string msg = "json: cannot unmarshal ";
  msg.append(value_text);
  // Go's field path: the struct field keys from the top, without indices.
  std::string fields;
  for (const Elem& e : path_) {
    if (e.is_index) continue;
    if (!fields.empty()) fields.push_back('.');
    fields.append(e.key);
  }
  if (!struct_.empty() && !fields.empty()) {
    msg += " into Go struct field ";
    msg.append(struct_);
    msg += "." + fields;
  } else {
    msg += " into Go value";
  }
  msg += " of type ";
  msg.append(go_type);
  return InvalidArgument(std::move(msg));
}

Status DecodeContext::CustomError(std::string_view message) const {
  return InvalidArgument(std::string(message));
}

// ---------------------------------------------------------------------------------------
// Scalar JSON decoders (encoding/json's literalStore rules)

Status DecodeJson(const api::Value& in, std::string* out, DecodeContext& ctx) {
  if (in.is_null()) return Status::Ok();
  if (!in.is_string()) return ctx.TypeError(in, "string");
  *out = in.as_string();
  return Status::Ok();
}

Status DecodeJson(const api::Value& in, bool* out, DecodeContext& ctx) {
  if (in.is_null()) return Status::Ok();
  if (!in.is_bool()) return ctx.TypeError(in, "bool");
  *out = in.as_bool();
  return Status::Ok();
}

namespace {

template <class Int>
Status DecodeInt(const api::Value& in, Int* out, DecodeContext& ctx, std::string_view go_type) {
  if (in.is_null()) return Status::Ok();
  if (in.is_int()) {
    int64_t v = in.as_int();
    if (v < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
        v > static_cast<int64_t>(std::numeric_limits<Int>::max())) {
      return ctx.TypeErrorText("number " + NumberText(in), go_type);
    }
    *out = static_cast<Int>(v);
    return Status::Ok();
  }
  if (in.is_float()) return ctx.TypeErrorText("number " + NumberText(in), go_type);
  return ctx.TypeError(in, go_type);
}

}  // namespace

Status DecodeJson(const api::Value& in, int32_t* out, DecodeContext& ctx) {
  return DecodeInt(in, out, ctx, "int32");
}

Status DecodeJson(const api::Value& in, int64_t* out, DecodeContext& ctx) {
  return DecodeInt(in, out, ctx, "int64");
}

Status DecodeJson(const api::Value& in, double* out, DecodeContext& ctx) {
  if (in.is_null()) return Status::Ok();
  if (in.is_int()) {
    *out = static_cast<double>(in.as_int());
    return Status::Ok();
  }
  if (in.is_float()) {
    *out = in.as_float();
    return Status::Ok();
  }
  return ctx.TypeError(in, "float64");
}

namespace {

// Go's base64.StdEncoding.Decode: padded standard alphabet, \r and \n skipped. Returns the
// index of the first offending input byte, or -1 when valid.
int64_t DecodeBase64(std::string_view in, std::string* out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  out->clear();
  uint32_t acc = 0;
  int n = 0;        // sextets in acc
  int padding = 0;  // '=' seen
  size_t i = 0;
  for (; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\r' || c == '\n') continue;
    if (c == '=') {
      // Padding completes a quantum of 2 or 3 sextets.
      if (n < 2 || padding + n >= 4) return static_cast<int64_t>(i);
      ++padding;
      if (n + padding == 4) {
        if (n == 2) {
          out->push_back(static_cast<char>(acc >> 4));
        } else {
          out->push_back(static_cast<char>(acc >> 10));
          out->push_back(static_cast<char>(acc >> 2));
        }
        n = 0;
        acc = 0;
        // Only newlines may follow the padding.
        for (size_t k = i + 1; k < in.size(); ++k) {
          if (in[k] != '\r' && in[k] != '\n') return static_cast<int64_t>(k);
        }
        return -1;
      }
      continue;
    }
    if (padding > 0) return static_cast<int64_t>(i);
    int v = val(c);
    if (v < 0) return static_cast<int64_t>(i);
    acc = (acc << 6) | static_cast<uint32_t>(v);
    if (++n == 4) {
      out->push_back(static_cast<char>(acc >> 16));
      out->push_back(static_cast<char>(acc >> 8));
      out->push_back(static_cast<char>(acc));
      n = 0;
      acc = 0;
    }
  }
  if (n != 0 || padding != 0) return static_cast<int64_t>(in.size());
  return -1;
}

}  // namespace

Status DecodeJson(const api::Value& in, Bytes* out, DecodeContext& ctx) {
  if (in.is_null()) {
    out->set_nil();
    return Status::Ok();
  }
  if (!in.is_string()) return ctx.TypeError(in, "[]uint8");
  std::string decoded;
  int64_t bad = DecodeBase64(in.as_string(), &decoded);
  if (bad >= 0) return ctx.CustomError("illegal base64 data at input byte " + std::to_string(bad));
  out->assign_bytes(decoded);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Protobuf field readers (gogo's Unmarshal rules)

uint8_t* WriteDoubleField(uint32_t field, double v, uint8_t* end) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return pb::WriteFixed64FieldBackward(field, bits, end);
}

Status ReadString(pb::Reader& r, pb::WireType wt, std::string_view name, std::string* out) {
  if (wt != pb::WireType::kBytes) return pb::WrongWireType(wt, name);
  std::string_view v;
  KS_RETURN_IF_ERROR(r.ReadBytes(&v));
  out->assign(v.data(), v.size());
  return Status::Ok();
}

Status ReadBytesValue(pb::Reader& r, pb::WireType wt, std::string_view name, Bytes* out) {
  if (wt != pb::WireType::kBytes) return pb::WrongWireType(wt, name);
  std::string_view v;
  KS_RETURN_IF_ERROR(r.ReadBytes(&v));
  out->assign_bytes(v);  // present, even if empty: non-nil
  return Status::Ok();
}

Status DecodeRawBytesMessage(std::string_view body, Bytes* raw) {
  pb::Reader r(body);
  while (!r.done()) {
    uint32_t field;
    pb::WireType wt;
    KS_RETURN_IF_ERROR(r.Next(&field, &wt));
    if (field == 1) {
      KS_RETURN_IF_ERROR(ReadBytesValue(r, wt, "Raw", raw));
    } else {
      KS_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::Ok();
}

Status ReadInt32(pb::Reader& r, pb::WireType wt, std::string_view name, int32_t* out) {
  if (wt != pb::WireType::kVarint) return pb::WrongWireType(wt, name);
  uint64_t v;
  KS_RETURN_IF_ERROR(r.ReadVarint(&v));
  *out = static_cast<int32_t>(v);
  return Status::Ok();
}

Status ReadInt64(pb::Reader& r, pb::WireType wt, std::string_view name, int64_t* out) {
  if (wt != pb::WireType::kVarint) return pb::WrongWireType(wt, name);
  uint64_t v;
  KS_RETURN_IF_ERROR(r.ReadVarint(&v));
  *out = static_cast<int64_t>(v);
  return Status::Ok();
}

Status ReadBool(pb::Reader& r, pb::WireType wt, std::string_view name, bool* out) {
  if (wt != pb::WireType::kVarint) return pb::WrongWireType(wt, name);
  uint64_t v;
  KS_RETURN_IF_ERROR(r.ReadVarint(&v));
  *out = v != 0;
  return Status::Ok();
}

Status ReadDouble(pb::Reader& r, pb::WireType wt, std::string_view name, double* out) {
  if (wt != pb::WireType::kFixed64) return pb::WrongWireType(wt, name);
  uint64_t bits;
  KS_RETURN_IF_ERROR(r.ReadFixed64(&bits));
  std::memcpy(out, &bits, sizeof(*out));
  return Status::Ok();
}

Status DecodeRepeatedStringBody(std::string_view body, Slice<std::string>* out) {
  out->set_non_nil();
  pb::Reader items(body);
  while (!items.done()) {
    uint32_t f;
    pb::WireType t;
    KS_RETURN_IF_ERROR(items.Next(&f, &t));
    if (f == 1) {
      out->emplace_back();
      KS_RETURN_IF_ERROR(ReadString(items, t, "Items", &out->back()));
    } else {
      KS_RETURN_IF_ERROR(items.Skip(t));
    }
  }
  return Status::Ok();
}

Status ReadRepeatedStringMessage(pb::Reader& r, pb::WireType wt, std::string_view name,
                                 Slice<std::string>* out) {
  if (wt != pb::WireType::kBytes) return pb::WrongWireType(wt, name);
  std::string_view body;
  KS_RETURN_IF_ERROR(r.ReadBytes(&body));
  return DecodeRepeatedStringBody(body, out);
}

}  // namespace kstream::typed
