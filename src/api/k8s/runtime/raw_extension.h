// runtime.RawExtension (k8s.io/apimachinery/pkg/runtime/extension.go): an embedded object
// kept as raw bytes (ControllerRevision.data, AdmissionReview objects, WatchEvent.object,
// ...). Only the bytes are held (Go's in-memory `Object` field is never encoded when Raw is
// set, and kstream has no use for it); they have []byte nil semantics: nil and empty are
// different values.
//
// Encodings (../shared/schema/JSON-RULES.md §8.5, PROTOBUF-RULES.md §6):
//   - JSON: Raw nil -> `null`. Raw whose first byte can start JSON (whitespace, `{ [ " -`,
//     a digit, `n t f`) -> Raw as a raw JSON value, which encoding/json validates and
//     compacts and MarshalIndent re-indents (JsonWriter::RawJson). Raw starting with the
//     CBOR self-described tag (d9 d9 f7) would be transcoded to JSON by Go: kstream has
//     no CBOR codec, so that is an encode error (Unimplemented). Anything else, including
//     an empty non-nil Raw, is the encode error Go reports ("cannot convert RawExtension
//     with unrecognized content type to unstructured").
//   - JSON decoding: `null` leaves the value as it is (a fresh one stays nil); any other
//     value becomes Raw. Go stores the input bytes verbatim; api::Value has lost them, so
//     the value is re-encoded compactly with api::AppendJson: object members come out in
//     sorted key order, duplicate keys collapse to the last one, numbers are respelled in
//     Go's float format (`1.0` -> `1`, `1e3` -> `1000`), string escapes are normalised,
//     and whitespace is gone. Compact, sorted input round-trips unchanged.
//   - Protobuf: {1: raw} when Raw is non-nil (an empty non-nil Raw gives `0a 00`),
//     otherwise an empty body; decoding field 1 makes Raw non-nil.
//
// A plain value type; thread-safe as any value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/typed/codec.h"
#include "api/value.h"
#include "base/status.h"

namespace kstream::k8s::runtime {

struct RawExtension {
  RawExtension() = default;  // Raw nil
  // Raw set to `raw` (non-nil, even if empty).
  explicit RawExtension(std::string_view raw) { this->raw.assign_bytes(raw); }

  typed::Bytes raw;

  bool is_nil() const { return raw.is_nil(); }
  friend bool operator==(const RawExtension& a, const RawExtension& b) {
    return a.raw.is_nil() == b.raw.is_nil() && a.raw == b.raw;
  }
};

void AppendJson(typed::JsonWriter& w, const RawExtension& v);
::kstream::Status DecodeJson(const api::Value& in, RawExtension* out, typed::DecodeContext& ctx);
size_t ProtoSize(const RawExtension& v);
uint8_t* ProtoWrite(const RawExtension& v, uint8_t* end);
::kstream::Status DecodeProto(std::string_view body, RawExtension* out);
inline std::string GoTypeName(const RawExtension*) { return "runtime.RawExtension"; }

}  // namespace kstream::k8s::runtime
