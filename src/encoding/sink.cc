#include "encoding/sink.h"

#include <algorithm>

namespace kstream::encoding {

BatchSink::BatchSink(Sink* downstream, size_t batch_bytes)
    : downstream_(downstream), batch_bytes_(std::max<size_t>(batch_bytes, 1)) {
  buf_.reserve(batch_bytes_);
}

Status BatchSink::Emit() {
  if (buf_.empty()) return Status::Ok();
  Status s = downstream_->Write(buf_);
  buf_.clear();
  return s;
}

Status BatchSink::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    if (buf_.empty() && bytes.size() >= batch_bytes_) {
      // A whole batch or more with nothing pending: pass full batches through uncopied.
      size_t n = bytes.size() - bytes.size() % batch_bytes_;
      KS_RETURN_IF_ERROR(downstream_->Write(bytes.substr(0, n)));
      bytes.remove_prefix(n);
      continue;
    }
    size_t n = std::min(bytes.size(), batch_bytes_ - buf_.size());
    buf_.append(bytes.data(), n);
    bytes.remove_prefix(n);
    if (buf_.size() == batch_bytes_) KS_RETURN_IF_ERROR(Emit());
  }
  return Status::Ok();
}

Status BatchSink::Flush() {
  KS_RETURN_IF_ERROR(Emit());
  return downstream_->Flush();
}

Status BatchSink::Close() {
  KS_RETURN_IF_ERROR(Emit());
  return downstream_->Close();
}

}  // namespace kstream::encoding
