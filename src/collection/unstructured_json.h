// The streaming JSON encoder for unstructured lists (custom resources, `kind: List`).
//
// Writes the bytes Go's kube-apiserver writes for an UnstructuredList
// (../shared/spec/k8s-api-facts.md §3.1): an object whose keys are the header's keys plus
// `items`, sorted bytewise; `items` is always an array (`[]` when empty, never null) and
// any `items` member of the header is ignored. The compact style ends with `\n`
// (json.Encoder.Encode); the indented style is json.MarshalIndent(list, "", "  ") and has
// no trailing newline.
//
// Items are pulled from an ItemSource one at a time, encoded into a scratch buffer, and
// written to the Sink; the encoder holds at most one encoded item (the scratch buffer keeps
// the capacity of the largest item seen). Output is byte-identical to encoding the whole
// list in one go, whatever the sink.
//
// Driven through PieceEncoder (EncodeAll / EncodeNext, one piece per step). An error from
// the source, the encoding (NaN/Inf) or the sink stops the encoder for good; bytes already
// written stay written (the caller aborts the response).
//
// Not thread-safe. The header, source and sink must outlive the encoder.
#pragma once

#include <string>

#include "api/typed/object.h"
#include "api/value.h"
#include "base/status.h"
#include "collection/item_source.h"
#include "collection/piece_encoder.h"
#include "encoding/json/encode.h"
#include "encoding/sink.h"

namespace kstream::collection {

class UnstructuredListJsonEncoder final : public PieceEncoder {
 public:
  // `header` is an object with the list-level members (apiVersion, kind, metadata, ...).
  UnstructuredListJsonEncoder(const api::Value* header, ItemSource<api::Value>* items,
                              encoding::json::Style style = encoding::json::Style::kCompact);
  // Items that are typed objects (custom resources: typed::UnstructuredObject), each
  // written with its own AppendJson.
  UnstructuredListJsonEncoder(const api::Value* header, ItemSource<typed::Object>* items,
                              encoding::json::Style style = encoding::json::Style::kCompact);

 private:
  Status EncodePiece(State* next_state) override;

  // Appends the header members whose keys sort before (or after) "items".
  Status AppendHeaderMembers(bool before_items, bool* first);

  const api::Value* header_;
  ItemSource<api::Value>* items_ = nullptr;
  ItemSource<typed::Object>* typed_items_ = nullptr;
  encoding::json::Style style_;
};

// The reference: the whole list as one Value, encoded in one go (what the buffered
// encoder does). Tests compare the streaming encoder against it.
Result<std::string> EncodeUnstructuredListOneShot(const api::Value& header,
                                                  const std::vector<api::Value>& items,
                                                  encoding::json::Style style);

}  // namespace kstream::collection
