#include "encoding/gzip/gzip_sink.h"

#define ZLIB_CONST
#include <zlib.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "encoding/sink.h"

namespace kstream::encoding {
namespace {

// ---------------------------------------------------------------------------------------
// Helpers

// Records everything that reaches it, with an optional shared event log (to check the
// order of the commit callback and downstream calls) and injectable failures.
class RecordingSink final : public Sink {
 public:
  explicit RecordingSink(std::vector<std::string>* events = nullptr) : events_(events) {}

  Status Write(std::string_view bytes) override {
    if (events_) events_->push_back("write");
    if (fail_write_at_ >= 0 && static_cast<int>(write_sizes_.size()) == fail_write_at_) {
      return Unavailable("client went away");
    }
    data_.append(bytes);
    write_sizes_.push_back(bytes.size());
    return Status::Ok();
  }
  Status Flush() override {
    if (events_) events_->push_back("flush");
    ++flushes_;
    if (fail_flush_) return Unavailable("flush failed");
    return Status::Ok();
  }
  Status Close() override {
    if (events_) events_->push_back("close");
    ++closes_;
    if (fail_close_) return Unavailable("close failed");
    return Status::Ok();
  }

  const std::string& data() const { return data_; }
  const std::vector<size_t>& write_sizes() const { return write_sizes_; }
  size_t max_write() const {
    return write_sizes_.empty() ? 0 : *std::max_element(write_sizes_.begin(), write_sizes_.end());
  }
  int flushes() const { return flushes_; }
  int closes() const { return closes_; }

  int fail_write_at_ = -1;  // index of the write that fails (-1: none)
  bool fail_flush_ = false;
  bool fail_close_ = false;

 private:
  std::vector<std::string>* events_;
  std::string data_;
  std::vector<size_t> write_sizes_;
  int flushes_ = 0;
  int closes_ = 0;
};

// Records every commit callback call.
struct CommitLog {
  std::vector<bool> calls;
  std::vector<std::string>* events = nullptr;
  Status result;
  GzipSink::CommitFn Fn() {
    return [this](bool gzip) {
      calls.push_back(gzip);
      if (events) events->push_back(gzip ? "commit:gzip" : "commit:plain");
      return result;
    };
  }
};

// Inflates a gzip stream. With `complete`, the stream must end (trailer checked by zlib)
// exactly at the end of `in`; otherwise `in` is a prefix cut at a sync flush.
std::string Gunzip(std::string_view in, bool complete = true) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + 15), Z_OK);
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<const Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_SYNC_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // input exhausted
    if (rc != Z_OK) {
      ADD_FAILURE() << "inflate error " << rc << (z.msg ? z.msg : "");
      break;
    }
  }
  if (complete) {
    EXPECT_EQ(rc, Z_STREAM_END) << "gzip stream not terminated";
    EXPECT_EQ(z.avail_in, 0u) << "bytes after the gzip trailer";
  } else {
    EXPECT_NE(rc, Z_STREAM_END);
    EXPECT_EQ(z.avail_in, 0u);
  }
  inflateEnd(&z);
  return out;
}

uint32_t ReadLe32(std::string_view s) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

// Checks the gzip framing byte by byte: magic, method, and the trailer's CRC-32 and
// length of `plain`.
void ExpectGzipFraming(std::string_view gz, std::string_view plain) {
  ASSERT_GE(gz.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_EQ(static_cast<unsigned char>(gz[2]), 8);  // deflate
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(plain.data()), static_cast<uInt>(plain.size()));
  EXPECT_EQ(ReadLe32(gz.substr(gz.size() - 8)), static_cast<uint32_t>(crc));
  EXPECT_EQ(ReadLe32(gz.substr(gz.size() - 4)), static_cast<uint32_t>(plain.size()));
}

// Deterministic body that compresses like API objects do: JSON-ish items with some
// random content (names, uids, payloads).
class BodyGenerator {
 public:
  explicit BodyGenerator(uint64_t seed) : rng_(seed) {}
  // Appends the next item.
  void NextItem(std::string* out) {
    static constexpr char kHex[] = "0123456789abcdef";
    static constexpr char kAlpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    out->append("{\"metadata\":{\"name\":\"pod-");
    out->append(std::to_string(item_++));
    out->append("\",\"namespace\":\"default\",\"uid\":\"");
    for (int i = 0; i < 32; ++i) out->push_back(kHex[rng_() % 16]);
    out->append("\"},\"spec\":{\"nodeName\":\"node-");
    out->append(std::to_string(rng_() % 100));
    out->append("\",\"data\":\"");
    size_t n = rng_() % 600;
    for (size_t i = 0; i < n; ++i) out->push_back(kAlpha[rng_() % (sizeof(kAlpha) - 1)]);
    out->append("\"}},");
  }
  std::string Body(size_t size) {
    std::string s;
    while (s.size() < size) NextItem(&s);
    s.resize(size);
    return s;
  }

 private:
  std::mt19937_64 rng_;
  uint64_t item_ = 0;
};

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

enum class SplitMode { kOneWrite, kOneByte, kRandom, kStreamingStart };

// Cuts [0, size) into write sizes.
std::vector<size_t> Split(size_t size, SplitMode mode, std::mt19937_64& rng, size_t max_piece = 5000) {
  std::vector<size_t> pieces;
  size_t left = size;
  if (mode == SplitMode::kStreamingStart && left > 0) {
    pieces.push_back(1);  // `{`, as kube's streaming JSON encoder starts
    --left;
  }
  while (left > 0) {
    size_t n = 0;
    switch (mode) {
      case SplitMode::kOneWrite: n = left; break;
      case SplitMode::kOneByte: n = 1; break;
      case SplitMode::kRandom:
      case SplitMode::kStreamingStart: n = 1 + rng() % max_piece; break;
    }
    n = std::min(n, left);
    pieces.push_back(n);
    left -= n;
  }
  return pieces;
}

// Writes `body` in `pieces` then closes; returns the Close status.
Status WriteAll(Sink* sink, std::string_view body, const std::vector<size_t>& pieces) {
  size_t off = 0;
  for (size_t n : pieces) {
    KS_RETURN_IF_ERROR(sink->Write(body.substr(off, n)));
    off += n;
  }
  return sink->Close();
}

// ---------------------------------------------------------------------------------------
// AcceptsGzip

TEST(AcceptsGzipTest, ExactTokenAfterTrimming) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate"));
  EXPECT_TRUE(AcceptsGzip("gzip,deflate"));  // node-fetch
  EXPECT_TRUE(AcceptsGzip("  gzip  "));
  EXPECT_TRUE(AcceptsGzip("\tgzip\t"));
  EXPECT_TRUE(AcceptsGzip("br,\t gzip \t,zstd"));
  EXPECT_TRUE(AcceptsGzip(",gzip,"));
  EXPECT_TRUE(AcceptsGzip("deflate,,gzip"));
  EXPECT_TRUE(AcceptsGzip("identity, gzip;q=0.5, gzip"));
}

TEST(AcceptsGzipTest, RejectsEverythingElse) {
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip(" "));
  EXPECT_FALSE(AcceptsGzip(","));
  EXPECT_FALSE(AcceptsGzip("gzip;q=1.0"));  // parameters are not parsed, so no match
  EXPECT_FALSE(AcceptsGzip("gzip; q=1"));
  EXPECT_FALSE(AcceptsGzip("gzip ;q=0.5"));
  EXPECT_FALSE(AcceptsGzip("GZIP"));  // Go compares case-sensitively
  EXPECT_FALSE(AcceptsGzip("Gzip"));
  EXPECT_FALSE(AcceptsGzip("x-gzip"));
  EXPECT_FALSE(AcceptsGzip("gzipp"));
  EXPECT_FALSE(AcceptsGzip("g zip"));
  EXPECT_FALSE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("deflate"));
  EXPECT_FALSE(AcceptsGzip("deflate br"));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("gzip\xc2\xa0"));  // non-ASCII space is not trimmed
}

// ---------------------------------------------------------------------------------------
// Threshold and commit

struct RunResult {
  RecordingSink down;
  CommitLog log;
  std::vector<std::string> events;
  Status close_status;
  uint64_t bytes_in = 0, bytes_out = 0;
  bool committed = false, gzip = false;
  size_t peak_buffer_capacity = 0, buffer_capacity_after = 0, chunk_capacity_after = 0;

  RunResult() : down(&events) { log.events = &events; }
};

void RunBody(RunResult* r, std::string_view body, const std::vector<size_t>& pieces,
             GzipOptions options = {}) {
  GzipSink sink(&r->down, r->log.Fn(), options);
  r->close_status = WriteAll(&sink, body, pieces);
  r->bytes_in = sink.bytes_in();
  r->bytes_out = sink.bytes_out();
  r->committed = sink.committed();
  r->gzip = sink.gzip();
  r->peak_buffer_capacity = sink.peak_buffer_capacity();
  r->buffer_capacity_after = sink.buffer_capacity();
  r->chunk_capacity_after = sink.chunk_capacity();
}

// The commit callback ran exactly once, with `gzip`, before any downstream call; the body
// inflates (or reads) to `body`; Close reached downstream once.
void ExpectGoodRun(const RunResult& r, std::string_view body, bool gzip) {
  ASSERT_TRUE(r.close_status.ok()) << r.close_status.ToString();
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.gzip, gzip);
  ASSERT_EQ(r.log.calls.size(), 1u);
  EXPECT_EQ(r.log.calls[0], gzip);
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events[0], gzip ? "commit:gzip" : "commit:plain");
  EXPECT_EQ(std::count(r.events.begin(), r.events.end(), "close"), 1);
  EXPECT_EQ(r.events.back(), "close");
  EXPECT_EQ(r.down.closes(), 1);
  EXPECT_EQ(r.bytes_in, body.size());
  EXPECT_EQ(r.bytes_out, r.down.data().size());
  EXPECT_EQ(r.buffer_capacity_after, 0u);
  EXPECT_EQ(r.chunk_capacity_after, 0u);
  if (gzip) {
    ExpectGzipFraming(r.down.data(), body);
    EXPECT_TRUE(Gunzip(r.down.data()) == body) << "inflated body differs";
  } else {
    EXPECT_TRUE(r.down.data() == body) << "plain body differs";
  }
}

TEST(GzipSinkTest, ThresholdBoundaryOneWrite) {
  std::mt19937_64 rng(1);
  BodyGenerator gen(7);
  std::string body = gen.Body(kGzipThresholdBytes + 1);
  {
    RunResult r;  // exactly 128 KiB: not compressed
    std::string_view b = std::string_view(body).substr(0, kGzipThresholdBytes);
    RunBody(&r, b, Split(b.size(), SplitMode::kOneWrite, rng));
    ExpectGoodRun(r, b, /*gzip=*/false);
    EXPECT_EQ(r.down.write_sizes(), std::vector<size_t>{kGzipThresholdBytes});
  }
  {
    RunResult r;  // one byte more: compressed
    RunBody(&r, body, Split(body.size(), SplitMode::kOneWrite, rng));
    ExpectGoodRun(r, body, /*gzip=*/true);
    EXPECT_LT(r.bytes_out, r.bytes_in);
    EXPECT_EQ(r.peak_buffer_capacity, 0u);  // a first write over the threshold is not copied
  }
}

TEST(GzipSinkTest, ThresholdBoundaryOneByteWrites) {
  std::mt19937_64 rng(2);
  BodyGenerator gen(8);
  std::string body = gen.Body(kGzipThresholdBytes + 1);
  {
    RunResult r;
    std::string_view b = std::string_view(body).substr(0, kGzipThresholdBytes);
    RunBody(&r, b, Split(b.size(), SplitMode::kOneByte, rng));
    ExpectGoodRun(r, b, false);
    EXPECT_EQ(r.peak_buffer_capacity, kGzipThresholdBytes);
  }
  {
    RunResult r;
    RunBody(&r, body, Split(body.size(), SplitMode::kOneByte, rng));
    ExpectGoodRun(r, body, true);
    EXPECT_LE(r.peak_buffer_capacity, kGzipThresholdBytes);
  }
}

TEST(GzipSinkTest, ThresholdBoundaryRandomWrites) {
  BodyGenerator gen(9);
  std::string body = gen.Body(kGzipThresholdBytes + 1);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    {
      RunResult r;
      std::string_view b = std::string_view(body).substr(0, kGzipThresholdBytes);
      RunBody(&r, b, Split(b.size(), SplitMode::kRandom, rng, 9000));
      ExpectGoodRun(r, b, false);
    }
    {
      RunResult r;
      RunBody(&r, body, Split(body.size(), SplitMode::kStreamingStart, rng, 9000));
      ExpectGoodRun(r, body, true);
    }
  }
}

TEST(GzipSinkTest, CommitsWhenTheWriteThatCrossesTheThresholdArrives) {
  std::vector<std::string> events;
  RecordingSink down(&events);
  CommitLog log;
  log.events = &events;
  GzipSink sink(&down, log.Fn());
  std::string body = BodyGenerator(3).Body(kGzipThresholdBytes + 100);
  ASSERT_TRUE(sink.Write(std::string_view(body).substr(0, kGzipThresholdBytes)).ok());
  EXPECT_FALSE(sink.committed());
  EXPECT_TRUE(log.calls.empty());
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(sink.buffered(), kGzipThresholdBytes);
  EXPECT_LE(sink.buffer_capacity(), kGzipThresholdBytes);
  ASSERT_TRUE(sink.Write(std::string_view(body).substr(kGzipThresholdBytes)).ok());
  EXPECT_TRUE(sink.committed());
  EXPECT_TRUE(sink.gzip());
  EXPECT_EQ(log.calls, std::vector<bool>{true});
  EXPECT_EQ(sink.buffered(), 0u);
  EXPECT_EQ(sink.buffer_capacity(), 0u);  // pre-commit buffer released
  EXPECT_EQ(sink.chunk_capacity(), kGzipChunkBytes);
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(log.calls.size(), 1u);
  EXPECT_EQ(events.front(), "commit:gzip");
  EXPECT_EQ(Gunzip(down.data()), body);
}

TEST(GzipSinkTest, SmallSingleShotObjectIsPlainAndUnchanged) {
  // kube commits a 5..131072-byte first write plain at once; we buffer it and send it
  // plain at Close: same headers, same bytes.
  RunResult r;
  std::mt19937_64 rng(4);
  std::string body = BodyGenerator(4).Body(1000);
  RunBody(&r, body, Split(body.size(), SplitMode::kOneWrite, rng));
  ExpectGoodRun(r, body, false);
  EXPECT_EQ(r.events, (std::vector<std::string>{"commit:plain", "write", "close"}));
}

TEST(GzipSinkTest, EmptyBodyIsPlainAndEmpty) {
  RunResult r;
  RunBody(&r, "", {});
  ExpectGoodRun(r, "", false);
  EXPECT_EQ(r.events, (std::vector<std::string>{"commit:plain", "close"}));
  EXPECT_TRUE(r.down.write_sizes().empty());
  EXPECT_EQ(r.bytes_out, 0u);
}

TEST(GzipSinkTest, EmptyWritesAreNoOps) {
  RunResult r;
  GzipSink sink(&r.down, r.log.Fn());
  ASSERT_TRUE(sink.Write("").ok());
  ASSERT_TRUE(sink.Write("{").ok());
  ASSERT_TRUE(sink.Write("").ok());
  ASSERT_TRUE(sink.Write("}").ok());
  EXPECT_FALSE(sink.committed());
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(r.down.data(), "{}");
  EXPECT_EQ(r.down.write_sizes(), std::vector<size_t>{2});
}

TEST(GzipSinkTest, WorksWithoutCommitCallback) {
  RecordingSink down;
  GzipSink sink(&down);
  std::string body = BodyGenerator(6).Body(300000);
  ASSERT_TRUE(sink.Write(body).ok());
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_TRUE(sink.gzip());
  EXPECT_EQ(Gunzip(down.data()), body);
}

TEST(GzipSinkTest, CustomThresholdAndLevels) {
  std::string body = BodyGenerator(10).Body(5000);
  for (int level = -1; level <= 9; ++level) {
    SCOPED_TRACE(level);
    GzipOptions opts;
    opts.threshold_bytes = 1000;
    opts.level = level;
    RunResult r;
    std::mt19937_64 rng(level + 100);
    RunBody(&r, body, Split(body.size(), SplitMode::kRandom, rng, 700), opts);
    ExpectGoodRun(r, body, true);
  }
  {
    GzipOptions opts;
    opts.threshold_bytes = 0;  // everything non-empty is compressed
    RunResult r;
    RunBody(&r, "x", {1}, opts);
    ExpectGoodRun(r, "x", true);
    RunResult e;
    RunBody(&e, "", {}, opts);
    ExpectGoodRun(e, "", false);
  }
}

// ---------------------------------------------------------------------------------------
// Flush

TEST(GzipSinkTest, FlushBeforeCommitEmitsNothing) {
  std::vector<std::string> events;
  RecordingSink down(&events);
  CommitLog log;
  log.events = &events;
  GzipSink sink(&down, log.Fn());
  ASSERT_TRUE(sink.Flush().ok());
  ASSERT_TRUE(sink.Write("{\"kind\":\"PodList\"").ok());
  ASSERT_TRUE(sink.Flush().ok());
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_FALSE(sink.committed());
  EXPECT_TRUE(log.calls.empty());
  EXPECT_TRUE(events.empty());  // no write, no flush, no commit downstream
  EXPECT_EQ(sink.bytes_out(), 0u);
  ASSERT_TRUE(sink.Write("}").ok());
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(down.data(), "{\"kind\":\"PodList\"}");
  EXPECT_EQ(events, (std::vector<std::string>{"commit:plain", "write", "close"}));
}

TEST(GzipSinkTest, FlushAfterGzipCommitMakesEverythingInflatable) {
  RecordingSink down;
  GzipSink sink(&down);
  BodyGenerator gen(11);
  std::string all;
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(round);
    std::string part = gen.Body(round == 0 ? 200000 : 1000 + round);
    all += part;
    ASSERT_TRUE(sink.Write(part).ok());
    ASSERT_TRUE(sink.Flush().ok());
    EXPECT_EQ(down.flushes(), round + 1);
    // Everything written so far is in what downstream received.
    EXPECT_TRUE(Gunzip(down.data(), /*complete=*/false) == all);
  }
  ASSERT_TRUE(sink.Flush().ok());  // a second flush in a row is harmless
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_TRUE(Gunzip(down.data()) == all);
  ExpectGzipFraming(down.data(), all);
}

// ---------------------------------------------------------------------------------------
// Disabled mode and MaybeGzip

TEST(GzipSinkTest, DisabledPassesThroughWithoutBuffering) {
  std::vector<std::string> events;
  RecordingSink down(&events);
  CommitLog log;
  log.events = &events;
  GzipOptions opts;
  opts.enabled = false;
  GzipSink sink(&down, log.Fn(), opts);
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_TRUE(events.empty());
  std::string big = BodyGenerator(12).Body(3 * kGzipThresholdBytes);
  ASSERT_TRUE(sink.Write("{").ok());
  EXPECT_TRUE(sink.committed());
  EXPECT_FALSE(sink.gzip());
  ASSERT_TRUE(sink.Write(big).ok());
  ASSERT_TRUE(sink.Flush().ok());
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(down.data(), "{" + big);
  EXPECT_EQ(down.write_sizes(), (std::vector<size_t>{1, big.size()}));
  EXPECT_EQ(events, (std::vector<std::string>{"commit:plain", "write", "write", "flush", "close"}));
  EXPECT_EQ(sink.peak_buffer_capacity(), 0u);
}

TEST(GzipSinkTest, DisabledEmptyBodyCommitsPlainAtClose) {
  std::vector<std::string> events;
  RecordingSink down(&events);
  CommitLog log;
  log.events = &events;
  GzipOptions opts;
  opts.enabled = false;
  GzipSink sink(&down, log.Fn(), opts);
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(events, (std::vector<std::string>{"commit:plain", "close"}));
}

TEST(GzipSinkTest, MaybeGzipFollowsAcceptEncoding) {
  std::string body = BodyGenerator(13).Body(200000);
  {
    RecordingSink down;
    auto sink = MaybeGzip(&down, "gzip, deflate");
    ASSERT_TRUE(sink->options().enabled);
    ASSERT_TRUE(sink->Write(body).ok());
    ASSERT_TRUE(sink->Close().ok());
    EXPECT_TRUE(sink->gzip());
    EXPECT_EQ(Gunzip(down.data()), body);
  }
  for (std::string_view header : {"", "gzip;q=1.0", "GZIP", "deflate"}) {
    SCOPED_TRACE(header);
    RecordingSink down;
    CommitLog log;
    auto sink = MaybeGzip(&down, header, log.Fn());
    ASSERT_FALSE(sink->options().enabled);
    ASSERT_TRUE(sink->Write(body).ok());
    ASSERT_TRUE(sink->Close().ok());
    EXPECT_FALSE(sink->gzip());
    EXPECT_EQ(log.calls, std::vector<bool>{false});
    EXPECT_EQ(down.data(), body);
  }
}

// ---------------------------------------------------------------------------------------
// Errors

TEST(GzipSinkTest, DownstreamWriteErrorInGzipModeIsStickyAndDoesNotClose) {
  RecordingSink down;
  down.fail_write_at_ = 0;
  GzipSink sink(&down);
  std::string noise = RandomBytes(400000, 14);  // incompressible: fills chunks at once
  Status s = sink.Write(noise);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "client went away");
  EXPECT_EQ(sink.Write("more").code(), StatusCode::kUnavailable);
  EXPECT_EQ(sink.Flush().code(), StatusCode::kUnavailable);
  EXPECT_EQ(sink.Close().code(), StatusCode::kUnavailable);
  EXPECT_EQ(down.closes(), 0);  // a broken body must not look complete
  EXPECT_EQ(down.flushes(), 0);
  EXPECT_EQ(sink.chunk_capacity(), 0u);
}

TEST(GzipSinkTest, DownstreamWriteErrorInTrailer) {
  // Compressible body: all output stays in zlib/the chunk until Close.
  RecordingSink down;
  down.fail_write_at_ = 0;
  GzipSink sink(&down);
  ASSERT_TRUE(sink.Write(std::string(200000, 'a')).ok());
  EXPECT_EQ(down.write_sizes().size(), 0u);
  EXPECT_EQ(sink.Close().code(), StatusCode::kUnavailable);
  EXPECT_EQ(down.closes(), 0);
}

TEST(GzipSinkTest, DownstreamWriteErrorInPlainMode) {
  RecordingSink down;
  down.fail_write_at_ = 0;
  GzipSink sink(&down);
  ASSERT_TRUE(sink.Write("{}").ok());
  EXPECT_EQ(sink.Close().code(), StatusCode::kUnavailable);
  EXPECT_EQ(down.closes(), 0);
}

TEST(GzipSinkTest, DownstreamFlushAndCloseErrorsPropagate) {
  {
    RecordingSink down;
    down.fail_flush_ = true;
    GzipSink sink(&down);
    ASSERT_TRUE(sink.Write(std::string(200000, 'b')).ok());
    EXPECT_EQ(sink.Flush().code(), StatusCode::kUnavailable);
    EXPECT_EQ(sink.Write("x").code(), StatusCode::kUnavailable);
    EXPECT_EQ(sink.Close().code(), StatusCode::kUnavailable);
  }
  {
    RecordingSink down;
    down.fail_close_ = true;
    GzipSink sink(&down);
    ASSERT_TRUE(sink.Write(std::string(200000, 'c')).ok());
    EXPECT_EQ(sink.Close().code(), StatusCode::kUnavailable);
    EXPECT_EQ(Gunzip(down.data()), std::string(200000, 'c'));  // trailer went out first
  }
  {
    RecordingSink down;
    down.fail_close_ = true;
    GzipSink sink(&down);
    ASSERT_TRUE(sink.Write("{}").ok());
    EXPECT_EQ(sink.Close().code(), StatusCode::kUnavailable);
    EXPECT_EQ(down.data(), "{}");
  }
}

TEST(GzipSinkTest, CommitCallbackErrorStopsEverything) {
  for (size_t size : {size_t{10}, kGzipThresholdBytes + 1}) {
    SCOPED_TRACE(size);
    RecordingSink down;
    CommitLog log;
    log.result = Status(StatusCode::kAborted, "headers refused");
    GzipSink sink(&down, log.Fn());
    std::string body(size, 'd');
    Status ws = sink.Write(body);
    Status cs = sink.Close();
    Status first = ws.ok() ? cs : ws;
    EXPECT_EQ(first.code(), StatusCode::kAborted);
    EXPECT_EQ(cs.code(), StatusCode::kAborted);
    EXPECT_EQ(log.calls.size(), 1u);
    EXPECT_TRUE(down.data().empty());
    EXPECT_EQ(down.closes(), 0);
  }
}

TEST(GzipSinkTest, InvalidLevelFailsBeforeCommitting) {
  RecordingSink down;
  CommitLog log;
  GzipOptions opts;
  opts.level = 42;
  GzipSink sink(&down, log.Fn(), opts);
  ASSERT_TRUE(sink.Write("{").ok());
  Status s = sink.Write(std::string(kGzipThresholdBytes, 'e'));
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_FALSE(sink.committed());  // the caller can still send an error response
  EXPECT_TRUE(log.calls.empty());
  EXPECT_EQ(sink.Close().code(), StatusCode::kInternal);
  EXPECT_TRUE(down.data().empty());
  EXPECT_EQ(down.closes(), 0);
}

TEST(GzipSinkDeathTest, WriteAfterCloseIsAProgrammingError) {
  RecordingSink down;
  GzipSink sink(&down);
  ASSERT_TRUE(sink.Close().ok());
  Status s;
  EXPECT_DEBUG_DEATH(s = sink.Write("x"), "after Close");
#ifdef NDEBUG
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(sink.Close().code(), StatusCode::kFailedPrecondition);
#endif
  EXPECT_TRUE(down.data().empty());
}

// ---------------------------------------------------------------------------------------
// Streaming with bounded memory

// Inflates what it receives on the fly and checks it against the same generator, so the
// test itself holds no copy of the body either.
class StreamingVerifier final : public Sink {
 public:
  explicit StreamingVerifier(uint64_t seed) : expected_(seed) {
    EXPECT_EQ(inflateInit2(&z_, 16 + 15), Z_OK);
  }
  ~StreamingVerifier() override { inflateEnd(&z_); }

  Status Write(std::string_view bytes) override {
    ++writes_;
    max_write_ = std::max(max_write_, bytes.size());
    sizes_.push_back(bytes.size());
    received_ += bytes.size();
    z_.next_in = reinterpret_cast<const Bytef*>(bytes.data());
    z_.avail_in = static_cast<uInt>(bytes.size());
    while (z_.avail_in > 0 && !ended_) {
      z_.next_out = reinterpret_cast<Bytef*>(out_);
      z_.avail_out = sizeof(out_);
      int rc = inflate(&z_, Z_NO_FLUSH);
      Check(std::string_view(out_, sizeof(out_) - z_.avail_out));
      if (rc == Z_STREAM_END) {
        ended_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Internal("inflate failed");
      }
    }
    if (z_.avail_in > 0) return Internal("bytes after the gzip trailer");
    return Status::Ok();
  }
  Status Close() override {
    ++closes_;
    return Status::Ok();
  }

  uint64_t inflated() const { return inflated_; }
  uint64_t received() const { return received_; }
  bool ended() const { return ended_; }
  bool mismatch() const { return mismatch_; }
  size_t max_write() const { return max_write_; }
  const std::vector<size_t>& sizes() const { return sizes_; }
  int closes() const { return closes_; }

 private:
  void Check(std::string_view got) {
    while (!got.empty()) {
      if (pending_.empty()) expected_.NextItem(&pending_), pos_ = 0;
      size_t n = std::min(got.size(), pending_.size() - pos_);
      if (got.substr(0, n) != std::string_view(pending_).substr(pos_, n)) mismatch_ = true;
      got.remove_prefix(n);
      pos_ += n;
      inflated_ += n;
      if (pos_ == pending_.size()) pending_.clear();
    }
  }

  z_stream z_{};
  char out_[65536];
  BodyGenerator expected_;
  std::string pending_;
  size_t pos_ = 0;
  uint64_t inflated_ = 0, received_ = 0;
  bool ended_ = false, mismatch_ = false;
  size_t max_write_ = 0;
  std::vector<size_t> sizes_;
  int writes_ = 0, closes_ = 0;
};

TEST(GzipSinkTest, FiftyMegabytesStreamInFullChunksWithBoundedMemory) {
  constexpr uint64_t kSeed = 42;
  constexpr size_t kTotal = 50u << 20;
  StreamingVerifier down(kSeed);
  CommitLog log;
  GzipSink sink(&down, log.Fn());
  BodyGenerator gen(kSeed);
  std::string item;
  uint64_t written = 0;
  size_t max_item = 0;
  while (written < kTotal) {
    item.clear();
    gen.NextItem(&item);  // item-sized writes, as the collection encoder does
    max_item = std::max(max_item, item.size());
    ASSERT_TRUE(sink.Write(item).ok());
    written += item.size();
    if (sink.committed()) {
      ASSERT_EQ(sink.buffer_capacity(), 0u);
      ASSERT_EQ(sink.chunk_capacity(), kGzipChunkBytes);
    } else {
      ASSERT_LE(sink.buffer_capacity(), kGzipThresholdBytes);
    }
  }
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(log.calls, std::vector<bool>{true});
  EXPECT_LE(sink.peak_buffer_capacity(), kGzipThresholdBytes);
  EXPECT_EQ(sink.buffer_capacity(), 0u);
  EXPECT_EQ(sink.chunk_capacity(), 0u);
  EXPECT_EQ(sink.bytes_in(), written);
  EXPECT_EQ(sink.bytes_out(), down.received());
  EXPECT_LT(sink.bytes_out(), sink.bytes_in());
  EXPECT_TRUE(down.ended());
  EXPECT_FALSE(down.mismatch());
  EXPECT_EQ(down.inflated(), written);
  EXPECT_EQ(down.closes(), 1);
  // Every chunk but the last is exactly full; none is larger.
  EXPECT_EQ(down.max_write(), kGzipChunkBytes);
  ASSERT_GE(down.sizes().size(), 2u);
  for (size_t i = 0; i + 1 < down.sizes().size(); ++i) {
    ASSERT_EQ(down.sizes()[i], kGzipChunkBytes) << "chunk " << i;
  }
}

TEST(GzipSinkTest, HugeSingleWriteIsChunked) {
  RecordingSink down;
  GzipOptions opts;
  opts.chunk_bytes = 4096;
  GzipSink sink(&down, nullptr, opts);
  std::string body = RandomBytes(10u << 20, 15);
  ASSERT_TRUE(sink.Write(body).ok());
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(sink.peak_buffer_capacity(), 0u);
  EXPECT_EQ(down.max_write(), 4096u);
  EXPECT_GT(down.write_sizes().size(), (10u << 20) / 4096);
  EXPECT_TRUE(Gunzip(down.data()) == body);
}

TEST(GzipSinkTest, TinyChunkIsClampedAndFlushTerminates) {
  // zlib cannot finish a sync flush into 6 bytes or less; the sink clamps chunks to 64.
  RecordingSink down;
  GzipOptions opts;
  opts.chunk_bytes = 1;
  opts.threshold_bytes = 10;
  GzipSink sink(&down, nullptr, opts);
  EXPECT_EQ(sink.options().chunk_bytes, 64u);
  std::string body = BodyGenerator(18).Body(20000);
  for (size_t off = 0; off < body.size(); off += 1000) {
    ASSERT_TRUE(sink.Write(std::string_view(body).substr(off, 1000)).ok());
    ASSERT_TRUE(sink.Flush().ok());
    EXPECT_TRUE(Gunzip(down.data(), false) == std::string_view(body).substr(0, off + 1000));
  }
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(down.max_write(), 64u);
  EXPECT_TRUE(Gunzip(down.data()) == body);
}

// ---------------------------------------------------------------------------------------
// Composition with BatchSink

TEST(GzipSinkTest, BatchSinkDownstream) {
  RecordingSink rec;
  BatchSink batch(&rec, 16 * 1024);
  GzipOptions opts;
  opts.chunk_bytes = 5000;  // not a multiple of the batch: BatchSink re-cuts
  GzipSink sink(&batch, nullptr, opts);
  std::mt19937_64 rng(16);
  std::string body = BodyGenerator(16).Body(2u << 20);
  size_t off = 0;
  for (size_t n : Split(body.size(), SplitMode::kStreamingStart, rng, 3000)) {
    ASSERT_TRUE(sink.Write(std::string_view(body).substr(off, n)).ok());
    off += n;
    if (off > body.size() / 2 && rec.flushes() == 0) {
      ASSERT_TRUE(sink.Flush().ok());  // reaches through BatchSink
      EXPECT_EQ(rec.flushes(), 1);
      EXPECT_TRUE(Gunzip(rec.data(), false) == std::string_view(body).substr(0, off));
    }
  }
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_EQ(rec.closes(), 1);
  EXPECT_LE(rec.max_write(), 16u * 1024);
  EXPECT_LE(batch.capacity(), 16u * 1024);
  EXPECT_TRUE(Gunzip(rec.data()) == body);
}

TEST(GzipSinkTest, BatchSinkUpstreamStillCompressesLargeBodies) {
  // The encoder -> BatchSink -> GzipSink chain hands GzipSink a first write of 64 KiB.
  // kube's first-write heuristic would take that for a single-shot object and commit
  // plain; deciding on the total size compresses it, which is the point of gzip.
  RecordingSink rec;
  CommitLog log;
  GzipSink gz(&rec, log.Fn());
  BatchSink batch(&gz);
  std::string body = BodyGenerator(17).Body(1u << 20);
  for (size_t off = 0; off < body.size(); off += 100) {
    ASSERT_TRUE(batch.Write(std::string_view(body).substr(off, 100)).ok());
  }
  ASSERT_TRUE(batch.Close().ok());
  EXPECT_EQ(log.calls, std::vector<bool>{true});
  EXPECT_TRUE(Gunzip(rec.data()) == body);
  EXPECT_EQ(rec.closes(), 1);

  // And a small body through the same chain stays plain and byte-identical.
  RecordingSink rec2;
  CommitLog log2;
  GzipSink gz2(&rec2, log2.Fn());
  BatchSink batch2(&gz2);
  std::string small = body.substr(0, kGzipThresholdBytes);
  ASSERT_TRUE(batch2.Write(small).ok());
  ASSERT_TRUE(batch2.Close().ok());
  EXPECT_EQ(log2.calls, std::vector<bool>{false});
  EXPECT_TRUE(rec2.data() == small);
}

// ---------------------------------------------------------------------------------------
// Randomized property test

TEST(GzipSinkPropertyTest, SizesAroundTheThreshold) {
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    GzipOptions opts;
    bool small = seed % 2 == 0;
    opts.threshold_bytes = small ? rng() % 3000 : kGzipThresholdBytes;
    static constexpr size_t kChunks[] = {64, 65, 100, 1000, 4096, kGzipChunkBytes};
    opts.chunk_bytes = small ? kChunks[rng() % 6] : kChunks[2 + rng() % 4];
    opts.level = static_cast<int>(rng() % 11) - 1;  // -1..9
    size_t size;
    switch (rng() % 3) {
      case 0: size = opts.threshold_bytes + (rng() % 7) - std::min<size_t>(3, opts.threshold_bytes); break;
      case 1: size = rng() % (2 * opts.threshold_bytes + 10); break;
      default: size = opts.threshold_bytes + 1 + rng() % (opts.threshold_bytes + 10); break;
    }
    SplitMode mode = static_cast<SplitMode>(rng() % 4);
    if (mode == SplitMode::kOneByte && size > 20000) mode = SplitMode::kRandom;
    std::string body = (seed % 5 == 0) ? RandomBytes(size, seed) : BodyGenerator(seed).Body(size);
    std::vector<size_t> pieces = Split(size, mode, rng, 1 + rng() % (opts.threshold_bytes + 100));

    RunResult r;
    GzipSink sink(&r.down, r.log.Fn(), opts);
    bool expect_gzip = size > opts.threshold_bytes;
    size_t off = 0;
    for (size_t n : pieces) {
      ASSERT_TRUE(sink.Write(std::string_view(body).substr(off, n)).ok());
      off += n;
      // The decision is taken exactly when the total passes the threshold.
      ASSERT_EQ(sink.committed(), off > opts.threshold_bytes);
      ASSERT_LE(sink.buffer_capacity(), opts.threshold_bytes);
      if (rng() % 8 == 0) {
        ASSERT_TRUE(sink.Flush().ok());
        if (!sink.committed()) {
          ASSERT_TRUE(r.events.empty());
        }
      }
    }
    r.close_status = sink.Close();
    r.bytes_in = sink.bytes_in();
    r.bytes_out = sink.bytes_out();
    r.committed = sink.committed();
    r.gzip = sink.gzip();
    r.peak_buffer_capacity = sink.peak_buffer_capacity();
    r.buffer_capacity_after = sink.buffer_capacity();
    r.chunk_capacity_after = sink.chunk_capacity();
    ExpectGoodRun(r, body, expect_gzip);
    EXPECT_LE(r.peak_buffer_capacity, opts.threshold_bytes);
    if (expect_gzip) {
      EXPECT_LE(r.down.max_write(), opts.chunk_bytes);
    }
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace kstream::encoding
