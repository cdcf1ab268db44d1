#include "encoding/gzip/gzip_sink.h"

#define ZLIB_CONST  // next_in is `const Bytef*`
#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <string>

namespace kstream::encoding {

namespace {

// zlib's windowBits for a raw deflate window of 32 KiB (15) plus 16: gzip wrapper.
constexpr int kGzipWindowBits = 16 + 15;
constexpr int kMemLevel = 8;  // zlib's default
// Largest piece handed to zlib at once (avail_in is a 32-bit uInt).
constexpr size_t kMaxDeflateInput = size_t{1} << 30;
// Output chunk bounds. zlib needs more than 6 bytes of output space to finish a
// Z_SYNC_FLUSH (with less it emits a new flush marker on every call and never ends);
// avail_out is a 32-bit uInt.
constexpr size_t kMinChunkBytes = 64;
constexpr size_t kMaxChunkBytes = size_t{1} << 30;
// Smallest capacity the pre-commit buffer starts with (kube starts at 80 bytes).
constexpr size_t kMinBufferCapacity = 256;

bool IsAsciiSpace(char c) {
  // Go's strings.TrimSpace, ASCII part: '\t', '\n', '\v', '\f', '\r', ' '.
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view TrimAsciiSpace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

Status ZlibError(std::string_view what, int rc, const z_stream& z) {
  std::string msg = "gzip: ";
  msg.append(what);
  msg.append(" failed (zlib ");
  msg.append(std::to_string(rc));
  if (z.msg != nullptr) {
    msg.append(": ");
    msg.append(z.msg);
  }
  msg.append(")");
  return Internal(std::move(msg));
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding_header) {
  std::string_view rest = accept_encoding_header;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view token = rest.substr(0, comma);
    if (TrimAsciiSpace(token) == "gzip") return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

struct GzipSink::ZStream {
  z_stream s{};
  bool initialized = false;
};

void GzipSink::ZStreamDeleter::operator()(ZStream* z) const {
  if (z->initialized) deflateEnd(&z->s);
  delete z;
}

GzipSink::GzipSink(Sink* downstream, CommitFn on_commit, GzipOptions options)
    : downstream_(downstream),
      on_commit_(std::move(on_commit)),
      options_(options),
      chunk_bytes_(std::clamp<size_t>(options.chunk_bytes, kMinChunkBytes, kMaxChunkBytes)) {
  assert(downstream_ != nullptr);
  options_.chunk_bytes = chunk_bytes_;
}

GzipSink::~GzipSink() = default;

Status GzipSink::Fail(Status s) {
  if (!s.ok() && error_.ok()) error_ = s;
  return s;
}

Status GzipSink::Write(std::string_view bytes) {
  assert(!closed_ && "GzipSink::Write after Close");
  if (closed_) return FailedPrecondition("gzip: Write after Close");
  if (!error_.ok()) return error_;
  if (bytes.empty()) return Status::Ok();
  bytes_in_ += bytes.size();

  if (committed_) {
    return Fail(gzip_ ? Deflate(bytes, Z_NO_FLUSH) : WriteDownstream(bytes));
  }
  if (!options_.enabled) {
    KS_RETURN_IF_ERROR(Fail(Commit(false)));
    return Fail(WriteDownstream(bytes));
  }

  // Invariant: buffer_.size() <= threshold, so the subtraction cannot wrap.
  if (bytes.size() > options_.threshold_bytes - buffer_.size()) {
    // The body is now known to exceed the threshold: gzip it. Set zlib up first, so that a
    // failure there leaves the response uncommitted (the caller can still send an error).
    KS_RETURN_IF_ERROR(Fail(StartGzip()));
    KS_RETURN_IF_ERROR(Fail(Commit(true)));
    if (!buffer_.empty()) {
      KS_RETURN_IF_ERROR(Fail(Deflate(std::string_view(buffer_.data(), buffer_.size()), Z_NO_FLUSH)));
    }
    ReleaseBuffer();
    return Fail(Deflate(bytes, Z_NO_FLUSH));
  }

  // Still at or under the threshold: buffer. Grow by doubling but never beyond the
  // threshold, so the buffer's capacity is bounded by it (vector::reserve is exact).
  size_t need = buffer_.size() + bytes.size();
  if (need > buffer_.capacity()) {
    size_t cap = std::max({need, 2 * buffer_.capacity(), kMinBufferCapacity});
    buffer_.reserve(std::min(cap, options_.threshold_bytes));
    peak_buffer_capacity_ = std::max(peak_buffer_capacity_, buffer_.capacity());
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  return Status::Ok();
}

Status GzipSink::Flush() {
  assert(!closed_ && "GzipSink::Flush after Close");
  if (closed_) return FailedPrecondition("gzip: Flush after Close");
  if (!error_.ok()) return error_;
  if (!committed_) return Status::Ok();  // the decision is still open: hold everything
  if (gzip_) {
    KS_RETURN_IF_ERROR(Fail(Deflate({}, Z_SYNC_FLUSH)));
    KS_RETURN_IF_ERROR(Fail(EmitChunk()));
  }
  return Fail(downstream_->Flush());
}

Status GzipSink::Close() {
  assert(!closed_ && "GzipSink::Close twice");
  if (closed_) return FailedPrecondition("gzip: Close twice");
  closed_ = true;
  Status s = error_;
  if (s.ok()) {
    if (!committed_) {
      // The body ended at or under the threshold: send it as it is.
      s = Commit(false);
      if (s.ok() && !buffer_.empty()) {
        s = WriteDownstream(std::string_view(buffer_.data(), buffer_.size()));
      }
    } else if (gzip_) {
      s = Deflate({}, Z_FINISH);
      if (s.ok()) s = EmitChunk();
    }
    if (s.ok()) s = downstream_->Close();
    Fail(s).IgnoreError();
  }
  ReleaseBuffer();
  ReleaseGzip();
  return s;
}

Status GzipSink::Commit(bool gzip) {
  assert(!committed_);
  committed_ = true;
  gzip_ = gzip;
  if (on_commit_) return on_commit_(gzip);
  return Status::Ok();
}

Status GzipSink::StartGzip() {
  std::unique_ptr<ZStream, ZStreamDeleter> z(new ZStream());
  int rc = deflateInit2(&z->s, options_.level, Z_DEFLATED, kGzipWindowBits, kMemLevel,
                        Z_DEFAULT_STRATEGY);
  if (rc != Z_OK) return ZlibError("deflateInit2", rc, z->s);
  z->initialized = true;
  chunk_.reset(new char[chunk_bytes_]);
  z->s.next_out = reinterpret_cast<Bytef*>(chunk_.get());
  z->s.avail_out = static_cast<uInt>(chunk_bytes_);
  z_ = std::move(z);
  return Status::Ok();
}

// Feeds `bytes` to zlib with `flush` (applied after the last piece), handing every chunk
// that fills up downstream. Returns when zlib has consumed the input and, for
// Z_SYNC_FLUSH / Z_FINISH, produced all the output that flush asks for.
Status GzipSink::Deflate(std::string_view bytes, int flush) {
  z_stream& z = z_->s;
  do {
    size_t piece = std::min(bytes.size(), kMaxDeflateInput);
    bool last = piece == bytes.size();
    int piece_flush = last ? flush : Z_NO_FLUSH;
    z.next_in = reinterpret_cast<const Bytef*>(bytes.data());
    z.avail_in = static_cast<uInt>(piece);
    bytes.remove_prefix(piece);
    for (;;) {
      if (z.avail_out == 0) KS_RETURN_IF_ERROR(EmitChunk());
      int rc = deflate(&z, piece_flush);
      if (rc == Z_STREAM_END) break;  // Z_FINISH done (trailer written)
      if (rc != Z_OK && rc != Z_BUF_ERROR) return ZlibError("deflate", rc, z);
      // zlib is done with a flush when it leaves output space unused.
      if (piece_flush == Z_NO_FLUSH && z.avail_in == 0) break;
      if (piece_flush == Z_SYNC_FLUSH && z.avail_in == 0 && z.avail_out != 0) break;
      if (rc == Z_BUF_ERROR && z.avail_out != 0) {
        return ZlibError("deflate (no progress)", rc, z);
      }
    }
  } while (!bytes.empty());
  return Status::Ok();
}

Status GzipSink::EmitChunk() {
  z_stream& z = z_->s;
  size_t used = chunk_bytes_ - z.avail_out;
  if (used == 0) return Status::Ok();
  Status s = WriteDownstream(std::string_view(chunk_.get(), used));
  z.next_out = reinterpret_cast<Bytef*>(chunk_.get());
  z.avail_out = static_cast<uInt>(chunk_bytes_);
  return s;
}

Status GzipSink::WriteDownstream(std::string_view bytes) {
  KS_RETURN_IF_ERROR(downstream_->Write(bytes));
  bytes_out_ += bytes.size();
  return Status::Ok();
}

void GzipSink::ReleaseBuffer() { std::vector<char>().swap(buffer_); }

void GzipSink::ReleaseGzip() {
  z_.reset();
  chunk_.reset();
}

std::unique_ptr<GzipSink> MaybeGzip(Sink* downstream, std::string_view accept_encoding_header,
                                    GzipSink::CommitFn on_commit, GzipOptions options) {
  options.enabled = AcceptsGzip(accept_encoding_header);
  return std::make_unique<GzipSink>(downstream, std::move(on_commit), options);
}

}  // namespace kstream::encoding
