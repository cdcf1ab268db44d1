#include "api/k8s/runtime/raw_extension.h"

#include "api/json.h"

namespace kstream::k8s::runtime {

namespace {

constexpr std::string_view kCborSelfDescribed = "\xd9\xd9\xf7";

// extension.go guessContentType: JSON if the first byte can start a JSON value.
bool LooksLikeJson(std::string_view raw) {
  if (raw.empty()) return false;
  switch (raw[0]) {
    case '\t': case '\r': case '\n': case ' ':
    case '{': case '[': case 'n': case 't': case 'f': case '"': case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return true;
    default:
      return false;
  }
}

}  // namespace

void AppendJson(typed::JsonWriter& w, const RawExtension& v) {
  if (v.raw.is_nil()) {
    w.Null();
    return;
  }
  const std::string_view raw = v.raw;
  if (raw.substr(0, kCborSelfDescribed.size()) == kCborSelfDescribed) {
    w.Fail(Unimplemented(
        "json: error calling MarshalJSON for type runtime.RawExtension: CBOR-encoded "
        "RawExtension is not supported"));
    return;
  }
  if (!LooksLikeJson(raw)) {
    w.Fail(InvalidArgument(
        "json: error calling MarshalJSON for type runtime.RawExtension: cannot convert "
        "RawExtension with unrecognized content type to unstructured"));
    return;
  }
  w.RawJson(raw);
}

Status DecodeJson(const api::Value& in, RawExtension* out, typed::DecodeContext& /*ctx*/) {
  if (in.is_null()) return Status::Ok();
  std::string raw;
  KS_RETURN_IF_ERROR(api::AppendJson(in, &raw));
  out->raw.assign_bytes(raw);
  return Status::Ok();
}

size_t ProtoSize(const RawExtension& v) { return typed::RawBytesMessageSize(v.raw); }

uint8_t* ProtoWrite(const RawExtension& v, uint8_t* end) { return typed::WriteRawBytesMessage(v.raw, end); }

Status DecodeProto(std::string_view body, RawExtension* out) { return typed::DecodeRawBytesMessage(body, &out->raw); }

}  // namespace kstream::k8s::runtime
