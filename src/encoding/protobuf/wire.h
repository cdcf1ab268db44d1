// Protobuf wire format, the way Kubernetes' gogo-generated code writes it
// (../shared/schema/PROTOBUF-RULES.md).
//
// Writing is done backwards, as gogo's MarshalToSizedBuffer does: a message is encoded
// from its last field to its first into the end of a buffer whose total size was computed
// beforehand, so the length prefix of every nested message is known once its body has been
// written and no nested size is computed twice. Every Write* function takes `end` (one past
// the last byte still free) and returns the new start.
//
// Reading is forward, over a byte view; Reader never copies and never allocates. Views it
// returns point into the input and live as long as it.
//
// All functions are pure and thread-safe; Reader is a cheap value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kstream::encoding::protobuf {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kBytes = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// Bytes of the varint encoding of v: (bits.Len64(v|1)+6)/7, as gogo's sovGenerated.
inline size_t VarintSize(uint64_t v) {
  return static_cast<size_t>((64 - __builtin_clzll(v | 1) + 6) / 7);
}

// Size of a field key.
inline size_t KeySize(uint32_t field) { return VarintSize(uint64_t{field} << 3); }

// Size of a length-delimited field whose body has `len` bytes (key + length + body).
inline size_t BytesFieldSize(uint32_t field, size_t len) {
  return KeySize(field) + VarintSize(len) + len;
}

// Size of a varint field.
inline size_t VarintFieldSize(uint32_t field, uint64_t v) { return KeySize(field) + VarintSize(v); }

// Backward writers.
inline uint8_t* WriteVarintBackward(uint64_t v, uint8_t* end) {
  size_t n = VarintSize(v);
  uint8_t* p = end - n;
  uint8_t* q = p;
  while (v >= 0x80) {
    *q++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *q = static_cast<uint8_t>(v);
  return p;
}

inline uint8_t* WriteKeyBackward(uint32_t field, WireType wt, uint8_t* end) {
  return WriteVarintBackward((uint64_t{field} << 3) | static_cast<uint8_t>(wt), end);
}

inline uint8_t* WriteBytesBackward(std::string_view bytes, uint8_t* end) {
  end -= bytes.size();
  if (!bytes.empty()) std::memcpy(end, bytes.data(), bytes.size());
  return end;
}

// key + varint. Signed values are sign-extended to 64 bits first (gogo: uint64(x)).
inline uint8_t* WriteVarintFieldBackward(uint32_t field, uint64_t v, uint8_t* end) {
  end = WriteVarintBackward(v, end);
  return WriteKeyBackward(field, WireType::kVarint, end);
}

// key + length + bytes.
inline uint8_t* WriteBytesFieldBackward(uint32_t field, std::string_view bytes, uint8_t* end) {
  end = WriteBytesBackward(bytes, end);
  end = WriteVarintBackward(bytes.size(), end);
  return WriteKeyBackward(field, WireType::kBytes, end);
}

// Completes a length-delimited field whose body was just written at [body_start, body_end).
inline uint8_t* WrapBytesFieldBackward(uint32_t field, uint8_t* body_start, const uint8_t* body_end) {
  uint8_t* p = WriteVarintBackward(static_cast<uint64_t>(body_end - body_start), body_start);
  return WriteKeyBackward(field, WireType::kBytes, p);
}

// key + 8 bytes little-endian (float64 fields).
inline uint8_t* WriteFixed64FieldBackward(uint32_t field, uint64_t bits, uint8_t* end) {
  end -= 8;
  for (int i = 0; i < 8; ++i) end[i] = static_cast<uint8_t>(bits >> (8 * i));
  return WriteKeyBackward(field, WireType::kFixed64, end);
}

// Forward writer used where sizes are known up front (envelopes, list streaming).
void AppendVarint(std::string* out, uint64_t v);
void AppendKey(std::string* out, uint32_t field, WireType wt);
void AppendBytesField(std::string* out, uint32_t field, std::string_view bytes);

// Reads the fields of one message body.
class Reader {
 public:
  explicit Reader(std::string_view body) : p_(reinterpret_cast<const uint8_t*>(body.data())),
                                           end_(p_ + body.size()) {}

  bool done() const { return p_ >= end_; }

  // Reads the next key. Fails on a malformed key or field number 0.
  Status Next(uint32_t* field, WireType* wt);

  Status ReadVarint(uint64_t* v);
  Status ReadFixed64(uint64_t* v);
  Status ReadFixed32(uint32_t* v);
  Status ReadBytes(std::string_view* v);  // length-delimited
  // Skips a value of the given wire type (groups included, as gogo's skipGenerated does).
  Status Skip(WireType wt);

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// The error gogo reports for a known field arriving with another wire type.
Status WrongWireType(WireType got, std::string_view field_name);

// ---- the Kubernetes envelope: "k8s\0" + runtime.Unknown

inline constexpr std::string_view kMagic{"k8s\0", 4};

struct Envelope {
  std::string_view api_version;   // runtime.TypeMeta field 1
  std::string_view kind;          // runtime.TypeMeta field 2
  std::string_view raw;           // Unknown field 2: the object's message body
  bool has_raw = false;
  std::string_view content_encoding;
  std::string_view content_type;
};

// Parses an enveloped object. Views point into `data`.
Result<Envelope> ParseEnvelope(std::string_view data);

// Appends the envelope around a body of `raw_size` bytes except the body itself and the
// trailer: magic, typeMeta, and the raw field's key and length. The caller then writes
// the body and calls AppendEnvelopeTrailer.
void AppendEnvelopeHeader(std::string* out, std::string_view api_version, std::string_view kind,
                          size_t raw_size);
// contentEncoding "" and contentType "" (both always written).
void AppendEnvelopeTrailer(std::string* out);

}  // namespace kstream::encoding::protobuf
