#include "collection/piece_encoder.h"

namespace kstream::collection {

Result<bool> PieceEncoder::EncodeNext(encoding::Sink* sink) {
  if (state_ == State::kDone) return false;
  if (state_ == State::kFailed) return error_;
  State next = state_;
  buf_.clear();
  Status s = EncodePiece(&next);
  if (s.ok()) s = sink->Write(buf_);
  if (!s.ok()) {
    state_ = State::kFailed;
    error_ = s;
    return s;
  }
  if (state_ == State::kItems && next == State::kItems) ++items_written_;
  state_ = next;
  return state_ != State::kDone;
}

Status PieceEncoder::EncodeAll(encoding::Sink* sink) {
  while (true) {
    KS_ASSIGN_OR_RETURN(bool more, EncodeNext(sink));
    if (!more) return Status::Ok();
  }
}

}  // namespace kstream::collection
