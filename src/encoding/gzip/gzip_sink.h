// GzipSink: response compression decided at 128 KiB, the way kube-apiserver decides it.
//
// kube-apiserver gzips a response body only when the client sent `Accept-Encoding: gzip`
// (exact token, see AcceptsGzip) and the body is larger than 128 KiB (strictly greater
// than kGzipThresholdBytes). Since a streamed LIST does not know its size in advance, the
// decision is deferred: GzipSink buffers the first bytes of the body and *commits* as soon
// as the answer is known:
//   - the buffered bytes plus the incoming write exceed the threshold -> commit with gzip:
//     compress the buffer, the write, and everything after it (zlib, gzip wrapper);
//   - Close() arrives first -> commit without gzip: the buffered bytes go downstream plain.
// Committing calls the optional commit callback exactly once, with the decision, before the
// first byte goes downstream: that is where the HTTP layer sets `Content-Encoding: gzip` and
// `Vary: Accept-Encoding` (gzip only), `Content-Type`, and sends the status line. Before
// the commit nothing has been sent, so an error found then can still become a proper
// Status response: discard the sink and write the error instead.
//
// Single-shot vs streamed writes. kube's deferredResponseWriter looks at the first write:
// > 131072 bytes commits gzip at once, 5..131072 bytes is taken as a whole single-shot
// object and commits plain at once, <= 4 bytes (a streaming encoder's `{` or `k8s\0`)
// starts buffering until the total exceeds the threshold. GzipSink does not look at write
// sizes; it buffers until the total exceeds the threshold or the body ends. For kube's own
// encoders the observable result is the same: a single-shot object is written in one
// Write followed by Close, so it is plain iff it is <= 131072 bytes in both designs (same
// status, headers and body bytes; we only send it at Close instead of at the Write, which
// is immediately before). The designs differ only for a first write of 5..131072 bytes
// followed by more bytes past the threshold: kube would send that plain, GzipSink gzips it.
// kube's encoders never produce that pattern, but ours could (a list header written in one
// piece, or a BatchSink in front of this sink whose first batch is 64 KiB), and there the
// size-only rule is what we want: large lists get compressed whatever the write pattern,
// and the decision never depends on how an encoder happens to chunk its output. Either
// way the client inflates to identical bytes. Buffering a single-shot object costs one
// copy of at most 128 KiB.
//
// Memory is bounded whatever the body size: before the commit, the buffer (capacity never
// above the threshold: the write that would overflow it triggers the commit and is
// compressed straight from the caller's bytes); after a gzip commit, the buffer is freed
// and the sink holds the zlib deflate state (about 256 KiB at windowBits 15, memLevel 8,
// allocated only when gzip is chosen) plus one output chunk of `chunk_bytes`. Compressed
// output goes downstream in chunks of exactly `chunk_bytes` (the last one and those cut by
// Flush are shorter); it is never accumulated. A plain commit writes the buffered bytes in
// one piece (at most the threshold) and passes later writes through unchanged.
//
// Flush() before the commit does nothing at all (buffering is the point: no commit, no
// downstream call). After a gzip commit it does a zlib Z_SYNC_FLUSH, so everything written
// so far can be inflated by the client, emits the partial chunk and flushes downstream.
// Close() ends the gzip stream (Z_FINISH, trailer with CRC-32 and length), emits the rest
// and closes downstream. kube never gzips watch streams; Flush exists so the sink behaves
// sensibly if someone wraps a long-lived stream anyway.
//
// Disabled mode (GzipOptions::enabled = false, or MaybeGzip with a header that does not
// accept gzip): no buffering at all, as in kube when the client did not ask for gzip. The
// first non-empty Write (or Close) commits plain and writes pass straight through. Using a
// disabled GzipSink rather than no GzipSink keeps one commit point for the HTTP layer.
//
// Wire bytes: compressed bytes come from zlib (level 1 by default, as kube's BestSpeed) and
// differ from Go's compress/gzip output; the inflated body is identical, which is all HTTP
// promises. The gzip header is zlib's default (mtime 0, OS byte 3 where Go writes 255).
//
// Errors: downstream and callback errors are returned as they are; zlib errors become
// Internal. The first error is sticky: every later call returns it, and Close() after an
// error does not close downstream (a broken body must not look complete). An empty Write
// is a no-op. Writing after Close() is a programming error (assert; FailedPrecondition in
// release builds), and so is closing twice.
//
// Ownership and threads: the sink does not own `downstream`, which must outlive it. Like
// every Sink it is single-threaded. Not copyable or movable: an encoder holds a pointer to
// it for the whole body (MaybeGzip hands it out on the heap).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "encoding/sink.h"

namespace kstream::encoding {

// kube-apiserver's defaultGzipThresholdBytes: bodies strictly larger are compressed.
inline constexpr size_t kGzipThresholdBytes = 128 * 1024;
// kube-apiserver's defaultGzipContentEncodingLevel (BestSpeed).
inline constexpr int kGzipDefaultLevel = 1;
// Size of the compressed output chunks handed downstream.
inline constexpr size_t kGzipChunkBytes = 64 * 1024;

// True iff the Accept-Encoding header value names gzip the way kube-apiserver's
// negotiateContentEncoding accepts it: the value is split on ',', each token is trimmed of
// ASCII whitespace (Go's strings.TrimSpace; its extra Unicode spaces are not trimmed here)
// and must equal "gzip" exactly, case-sensitively. So "deflate, gzip" matches, while
// "gzip;q=1.0", "GZIP" and "x-gzip" do not. q-values are never interpreted. Go's
// Header.Get reads only the first Accept-Encoding field; the caller passes that one.
bool AcceptsGzip(std::string_view accept_encoding_header);

struct GzipOptions {
  // False: never compress, never buffer (the client did not ask for gzip).
  bool enabled = true;
  // Compress iff the body is strictly larger than this many bytes.
  size_t threshold_bytes = kGzipThresholdBytes;
  // zlib level: 0..9, or -1 (Z_DEFAULT_COMPRESSION). Checked when gzip is chosen; an
  // invalid level makes that Write fail with Internal before anything is committed.
  int level = kGzipDefaultLevel;
  // Size of each compressed chunk handed downstream, clamped to [64 B, 1 GiB] (zlib needs
  // a few bytes of room to finish a sync flush). options() reports the clamped value.
  size_t chunk_bytes = kGzipChunkBytes;
};

class GzipSink final : public Sink {
 public:
  // Called once when the sink commits, with true iff the body will be gzip-encoded,
  // before any byte goes downstream. A non-OK return aborts: nothing is written and the
  // sink returns that Status from then on.
  using CommitFn = std::function<Status(bool gzip)>;

  explicit GzipSink(Sink* downstream, CommitFn on_commit = nullptr, GzipOptions options = {});
  ~GzipSink() override;

  GzipSink(const GzipSink&) = delete;
  GzipSink& operator=(const GzipSink&) = delete;

  Status Write(std::string_view bytes) override;
  Status Flush() override;
  Status Close() override;

  const GzipOptions& options() const { return options_; }
  // Whether the decision is taken, and which (gzip() is false until committed()).
  bool committed() const { return committed_; }
  bool gzip() const { return gzip_; }
  bool closed() const { return closed_; }
  // Uncompressed bytes accepted by Write, and bytes handed downstream (compressed or not).
  uint64_t bytes_in() const { return bytes_in_; }
  uint64_t bytes_out() const { return bytes_out_; }
  // Bytes held before the commit, the capacity of that buffer now (0 once committed), and
  // the largest capacity it ever had (never above options().threshold_bytes).
  size_t buffered() const { return buffer_.size(); }
  size_t buffer_capacity() const { return buffer_.capacity(); }
  size_t peak_buffer_capacity() const { return peak_buffer_capacity_; }
  // Size of the compressed output chunk while gzip is active (0 before and after).
  size_t chunk_capacity() const { return chunk_ ? chunk_bytes_ : 0; }

 private:
  struct ZStream;
  struct ZStreamDeleter {
    void operator()(ZStream* z) const;
  };

  Status Fail(Status s);
  Status Commit(bool gzip);
  Status StartGzip();
  Status Deflate(std::string_view bytes, int flush);
  Status EmitChunk();
  Status WriteDownstream(std::string_view bytes);
  void ReleaseBuffer();
  void ReleaseGzip();

  Sink* downstream_;
  CommitFn on_commit_;
  GzipOptions options_;
  size_t chunk_bytes_;

  bool committed_ = false;
  bool gzip_ = false;
  bool closed_ = false;
  Status error_;  // first error; sticky

  std::vector<char> buffer_;  // pre-commit bytes; capacity <= threshold
  size_t peak_buffer_capacity_ = 0;
  std::unique_ptr<ZStream, ZStreamDeleter> z_;  // deflate state, gzip mode only
  std::unique_ptr<char[]> chunk_;               // compressed output chunk, gzip mode only

  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
};

// Convenience for the HTTP layer: a GzipSink that compresses iff
// AcceptsGzip(accept_encoding_header) (options.enabled is overridden accordingly).
std::unique_ptr<GzipSink> MaybeGzip(Sink* downstream, std::string_view accept_encoding_header,
                                    GzipSink::CommitFn on_commit = nullptr,
                                    GzipOptions options = {});

}  // namespace kstream::encoding
