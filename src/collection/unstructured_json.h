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
// Drive it with EncodeAll(), or step by step with EncodeNext() (each step writes the
// opening, one item, or the closing) so that an asynchronous writer can wait for its
// socket between steps. An error from the source, the encoding (NaN/Inf) or the sink
// stops the encoder for good: every later call returns the same error, so a body with a
// missing item can never be completed. Bytes already written stay written (the caller
// aborts the response).
//
// Not thread-safe. The header, source and sink must outlive the encoder.
#pragma once

#include <string>

#include "api/value.h"
#include "base/status.h"
#include "collection/item_source.h"
#include "encoding/json/encode.h"
#include "encoding/sink.h"

namespace kstream::collection {

class UnstructuredListJsonEncoder {
 public:
  // `header` is an object with the list-level members (apiVersion, kind, metadata, ...).
  UnstructuredListJsonEncoder(const api::Value* header, ItemSource<api::Value>* items,
                              encoding::json::Style style = encoding::json::Style::kCompact);

  // Writes the next piece. Returns true while there is more to write, false once the
  // closing has been written.
  Result<bool> EncodeNext(encoding::Sink* sink);
  // Writes everything (does not Close() the sink).
  Status EncodeAll(encoding::Sink* sink);

  // Number of items written so far.
  size_t items_written() const { return items_written_; }
  // Capacity of the scratch buffer: the encoder's own memory (about the largest piece).
  size_t buffer_capacity() const { return buf_.capacity(); }

 private:
  enum class State { kStart, kItems, kDone, kFailed };

  // The next piece into buf_; sets *next_state to the state after it is written.
  Status EncodePiece(State* next_state);

  // Appends the header members whose keys sort before (or after) "items".
  Status AppendHeaderMembers(bool before_items, bool* first);

  const api::Value* header_;
  ItemSource<api::Value>* items_;
  encoding::json::Style style_;
  State state_ = State::kStart;
  Status error_;  // set with kFailed
  size_t items_written_ = 0;
  std::string buf_;  // one piece: the opening, one item, or the closing
};

// The reference: the whole list as one Value, encoded in one go (what the buffered
// encoder does). Tests compare the streaming encoder against it.
Result<std::string> EncodeUnstructuredListOneShot(const api::Value& header,
                                                  const std::vector<api::Value>& items,
                                                  encoding::json::Style style);

}  // namespace kstream::collection
