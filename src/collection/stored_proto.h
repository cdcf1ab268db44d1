// Protobuf list items straight from their stored bytes.
//
// Built-in objects are stored as the protobuf envelope ("k8s\0" + runtime.Unknown) of the
// object with an empty resourceVersion (registry/storage_layout.h): inside the raw message,
// ObjectMeta is field 1 and its resourceVersion (field 6) is present and empty, `32 00`,
// because gogo writes every non-pointer string. A protobuf list item is that same message,
// unenveloped, with the resourceVersion filled in (the key's mod revision). So the item's
// bytes are the stored raw message with two edits: ObjectMeta's length varint rewritten and
// the revision's digits inserted after the `32`. No decode, no encode: a size is a few
// arithmetic operations on a parsed header, and writing an item is three memcpys.
//
// This gives the bytes the decode-and-encode path gives whenever decoding and re-encoding
// the stored message reproduces it, which holds for every message in the canonical field
// order with known fields only (what kstream and kube of the same API version write).
// ParseStoredProto accepts only the canonical ObjectMeta head (fields 1-5 in order, then
// an empty field 6) and an envelope of exactly the expected kind with no content encoding;
// anything else is left to the decoding path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/typed/object.h"
#include "base/status.h"

namespace kstream::collection {

struct StoredProtoItem {
  std::string_view raw;        // the stored object's message (the envelope's raw field)
  size_t meta_len_begin = 0;   // offsets into raw: ObjectMeta's length varint
  size_t meta_len_end = 0;
  uint64_t meta_len = 0;       // ObjectMeta's stored length
  size_t rv_len_at = 0;        // the offset of the resourceVersion field's (zero) length byte
  std::string_view rv;         // the resourceVersion to splice in (at most 127 bytes)

  // The item's encoded size and bytes (appended to `out`).
  size_t Size() const;
  void AppendTo(std::string* out) const;
};

// Parses stored bytes for the splice above. False (not an error) when the bytes are not
// an envelope of `api_version`/`kind` in the canonical layout; `out->rv` is left alone.
bool ParseStoredProto(std::string_view stored, std::string_view api_version, std::string_view kind,
                      StoredProtoItem* out);

// Optional capability of an ItemSource<typed::Object> (TypedListProtobufEncoder looks for
// it): items as stored protobuf where possible, decoded objects otherwise. Advances the
// same cursor as Next(); Rewind() restarts both.
class StoredProtoSource {
 public:
  virtual ~StoredProtoSource() = default;
  // The next item: exactly one of *stored and *object is set, or both null at the end.
  // Pointers stay valid until the next call.
  virtual Status NextStoredProto(const StoredProtoItem** stored, const typed::Object** object) = 0;
};

}  // namespace kstream::collection
