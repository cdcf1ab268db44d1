// Sink: the byte destination of every encoder.
//
// Encoders write a response body into a Sink in pieces (the opening of a list, one item,
// the closing). A Sink decides what to do with the bytes: keep them (BufferSink), batch
// them and hand full batches to a downstream Sink (BatchSink, the bounded streaming path;
// the socket writer is such a downstream), or compress them (GzipSink, encoding/gzip).
// Because streaming and buffered output come from the same encoder code writing to
// different sinks, they are byte-identical by construction.
//
// Contract:
//   - Write(bytes) consumes `bytes` before returning (the caller may reuse its buffer).
//   - Flush() pushes everything written so far as far downstream as the sink can (used
//     between watch events); it never ends the body.
//   - Close() ends the body: flushes and closes what the sink owns. Writing after Close()
//     is a programming error.
//   - A non-OK Status from any call means the body is broken (e.g. the client went away);
//     the caller stops encoding and aborts the response.
// Sinks are single-threaded: one encoder drives one chain of sinks.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kstream::encoding {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Write(std::string_view bytes) = 0;
  virtual Status Flush() { return Status::Ok(); }
  virtual Status Close() { return Flush(); }
};

// Collects everything in memory. Used by tests and by the buffered (non-streaming) mode.
class BufferSink final : public Sink {
 public:
  Status Write(std::string_view bytes) override {
    data_.append(bytes);
    return Status::Ok();
  }
  const std::string& data() const { return data_; }
  std::string Take() { return std::move(data_); }
  // Empties the buffer, keeping its capacity (a writer that sends what was collected and
  // reuses the sink).
  void Clear() { data_.clear(); }

 private:
  std::string data_;
};

// Collects what is ready for an asynchronous writer, which sends data() and Clear()s it
// once it holds at least a batch. While SetBorrowing(true), a write of at least
// `borrow_bytes` that finds the buffer empty is not copied: data() is a view of the
// caller's bytes, which must stay unchanged until the writer has sent them and called
// Clear() (a list encoder's piece, untouched until its next step). Any later write copies
// the borrowed bytes first.
class WireBuffer final : public Sink {
 public:
  explicit WireBuffer(size_t borrow_bytes) : borrow_bytes_(borrow_bytes) {}
  Status Write(std::string_view bytes) override {
    if (!borrowed_.empty()) {
      data_.assign(borrowed_);
      borrowed_ = {};
    }
    if (borrowing_ && data_.empty() && bytes.size() >= borrow_bytes_) {
      borrowed_ = bytes;
      return Status::Ok();
    }
    data_.append(bytes);
    return Status::Ok();
  }
  void SetBorrowing(bool on) { borrowing_ = on; }
  std::string_view data() const { return borrowed_.empty() ? std::string_view(data_) : borrowed_; }
  void Clear() {
    data_.clear();
    borrowed_ = {};
  }

 private:
  size_t borrow_bytes_;
  bool borrowing_ = false;
  std::string data_;
  std::string_view borrowed_;
};

// Batches writes into a buffer of `batch_bytes` and hands each full batch to `downstream`.
// Memory is bounded by one batch whatever the total size. A write larger than the free
// space fills the batch, flushes it, and continues; pieces at least as large as a whole
// batch go downstream directly without copying once the batch is empty.
class BatchSink final : public Sink {
 public:
  static constexpr size_t kDefaultBatchBytes = 64 * 1024;

  explicit BatchSink(Sink* downstream, size_t batch_bytes = kDefaultBatchBytes);

  Status Write(std::string_view bytes) override;
  Status Flush() override;   // hands over a partial batch, then flushes downstream
  Status Close() override;   // Flush, then closes downstream

  size_t batch_bytes() const { return batch_bytes_; }
  // Bytes currently held (always <= batch_bytes()).
  size_t buffered() const { return buf_.size(); }
  // Capacity of the internal buffer: what this sink holds in memory at most.
  size_t capacity() const { return buf_.capacity(); }

 private:
  Status Emit();

  Sink* downstream_;
  size_t batch_bytes_;
  std::string buf_;
};

// Forwards writes to a callback: adapts anything (a file, a test recorder) into a Sink.
class CallbackSink final : public Sink {
 public:
  using Fn = std::function<Status(std::string_view)>;
  explicit CallbackSink(Fn fn) : fn_(std::move(fn)) {}
  Status Write(std::string_view bytes) override { return fn_(bytes); }

 private:
  Fn fn_;
};

}  // namespace kstream::encoding
