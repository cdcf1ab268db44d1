// PieceEncoder: the step machine every streaming list encoder shares.
//
// A list response is written as pieces: the opening, then one item per step, then the
// closing. A subclass encodes the next piece into buf_ (EncodePiece); this base writes it
// to the Sink, counts items, and stops for good after the first error (source, encoding or
// sink): every later call returns the same error, so a body with a missing item can never
// be completed. Drive it with EncodeAll(), or step by step with EncodeNext() so that an
// asynchronous writer can wait for its socket between steps.
//
// Not thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"
#include "encoding/sink.h"

namespace kstream::collection {

class PieceEncoder {
 public:
  virtual ~PieceEncoder() = default;

  // Writes the next piece. Returns true while there is more to write, false once the
  // closing has been written.
  Result<bool> EncodeNext(encoding::Sink* sink);
  // Writes everything (does not Close() the sink).
  Status EncodeAll(encoding::Sink* sink);

  // Number of items written so far.
  size_t items_written() const { return items_written_; }
  // Capacity of the scratch buffer: the encoder's own memory (about the largest piece).
  size_t buffer_capacity() const { return buf_.capacity(); }

 protected:
  enum class State { kStart, kItems, kDone, kFailed };

  // The next piece into buf_ (cleared first by the caller); sets *next to the state after
  // it is written (kItems after the opening or an item, kDone after the closing).
  virtual Status EncodePiece(State* next) = 0;

  State state_ = State::kStart;
  size_t items_written_ = 0;
  std::string buf_;  // one piece: the opening, one item, or the closing

 private:
  Status error_;  // set with kFailed
};

}  // namespace kstream::collection
