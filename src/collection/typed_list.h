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
// A source that also implements StoredProtoSource (stored_proto.h) hands out items as their
// stored bytes where it can: those are sized and written without being decoded.
//
// Items are typed::Object (any built-in kind); their own kind/apiVersion are left as they
// are (kube's list items carry none). Both are PieceEncoders (one piece per EncodeNext():
// the opening, one item, the closing), hold at most one encoded item, and stop for good
// after the first error.
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
#include "collection/list_size_cache.h"
#include "collection/piece_encoder.h"
#include "collection/stored_proto.h"
#include "encoding/json/encode.h"
#include "encoding/sink.h"

namespace kstream::collection {

struct TypedListHeader {
  std::string api_version;  // "v1"
  std::string kind;         // "PodList"
  k8s::meta::v1::ListMeta metadata;
};

class TypedListJsonEncoder final : public PieceEncoder {
 public:
  TypedListJsonEncoder(const TypedListHeader* header, ItemSource<typed::Object>* items,
                       encoding::json::Style style = encoding::json::Style::kCompact);

 private:
  Status EncodePiece(State* next) override;

  const TypedListHeader* header_;
  ItemSource<typed::Object>* items_;
  encoding::json::Style style_;
};

class TypedListProtobufEncoder final : public PieceEncoder {
 public:
  TypedListProtobufEncoder(const TypedListHeader* header, ItemSource<typed::Object>* items);
  // With a size cache: lists with the same non-empty `snapshot_key` (the same items, see
  // list_size_cache.h) share one size pass. The key must also identify the list's kind.
  TypedListProtobufEncoder(const TypedListHeader* header, ItemSource<typed::Object>* items,
                           ListSizeCache* size_cache, std::string snapshot_key);

 private:
  Status EncodePiece(State* next) override;
  Status ComputeSizes();
  // The next item from either interface of the source.
  Status NextItem(const StoredProtoItem** stored, const typed::Object** object);

  const TypedListHeader* header_;
  ItemSource<typed::Object>* items_;
  StoredProtoSource* stored_source_;  // items_ as a StoredProtoSource, or null
  ListSizeCache* size_cache_ = nullptr;
  std::string snapshot_key_;
  std::vector<uint32_t> item_sizes_;  // from the first pass, when it ran here
  uint64_t expected_items_ = 0;
  uint64_t raw_size_ = 0;             // ListMeta field + item fields
  uint64_t raw_written_ = 0;
};

}  // namespace kstream::collection
