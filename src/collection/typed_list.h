// Streaming encoders for lists of built-in kinds (PodList, ConfigMapList, ...): JSON and
// protobuf, byte-identical to encoding the generated *List struct in one go.
//
// JSON (../shared/spec/k8s-api-facts.md §3.1): `{"kind":..,"apiVersion":..,"metadata":
// <ListMeta>,"items":[..]}` + "\n": kind and apiVersion only when non-empty, metadata always
// (`{}` when empty), items `[]` when empty (the HTTP list handlers force non-nil items). The
// indented style is json.MarshalIndent of the list, without the newline.
//
// Protobuf (§2.4): the "k8s\0" envelope with typeMeta {apiVersion, kind}; raw = ListMeta as
// field 1, then every item as field 2. The envelope carries the list's total size before
// the first item, so the encoder walks the items twice over the same snapshot: first for
// their sizes (each item's size is computed once and kept: 4 bytes per item), then to write
// them (ItemSource::Rewind). Items are written as bare messages (no envelope, no TypeMeta).
//
// Items are typed::Object (any built-in kind); their own kind/apiVersion are left as they
// are (kube's list items carry none). Like the unstructured encoder, both encode one piece
// per EncodeNext() (the opening, one item, the closing), hold at most one encoded item, and
// stop for good after the first error.
//
// Not thread-safe. The header, source and sink must outlive the encoder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/k8s/meta/v1/types.h"
#include "api/typed/object.h"
#include "base/status.h"
#include "collection/item_source.h"
#include "encoding/json/encode.h"
#include "encoding/sink.h"

namespace kstream::collection {

struct TypedListHeader {
  std::string api_version;  // "v1"
  std::string kind;         // "PodList"
  k8s::meta::v1::ListMeta metadata;
};

class TypedListJsonEncoder {
 public:
  TypedListJsonEncoder(const TypedListHeader* header, ItemSource<typed::Object>* items,
                       encoding::json::Style style = encoding::json::Style::kCompact);

  Result<bool> EncodeNext(encoding::Sink* sink);
  Status EncodeAll(encoding::Sink* sink);
  size_t items_written() const { return items_written_; }
  size_t buffer_capacity() const { return buf_.capacity(); }

 private:
  enum class State { kStart, kItems, kDone, kFailed };
  Status EncodePiece(State* next);

  const TypedListHeader* header_;
  ItemSource<typed::Object>* items_;
  encoding::json::Style style_;
  State state_ = State::kStart;
  Status error_;
  size_t items_written_ = 0;
  std::string buf_;
};

class TypedListProtobufEncoder {
 public:
  TypedListProtobufEncoder(const TypedListHeader* header, ItemSource<typed::Object>* items);

  Result<bool> EncodeNext(encoding::Sink* sink);
  Status EncodeAll(encoding::Sink* sink);
  size_t items_written() const { return items_written_; }
  size_t buffer_capacity() const { return buf_.capacity(); }

 private:
  enum class State { kStart, kItems, kDone, kFailed };
  Status EncodePiece(State* next);
  Status ComputeSizes();

  const TypedListHeader* header_;
  ItemSource<typed::Object>* items_;
  State state_ = State::kStart;
  Status error_;
  std::vector<uint32_t> item_sizes_;  // from the first pass
  uint64_t raw_size_ = 0;             // ListMeta field + item fields
  uint64_t raw_written_ = 0;
  size_t items_written_ = 0;
  std::string buf_;
};

}  // namespace kstream::collection
