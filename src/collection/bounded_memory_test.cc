// Memory stays flat while a huge list streams: the encoder holds one item and the sinks one
// batch (plus the gzip state), whatever the size of the list. Measured with the process's
// peak resident set (VmHWM), which only grows: if any layer accumulated the body, the peak
// would grow by about the body's size.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "collection/unstructured_json.h"
#include "encoding/gzip/gzip_sink.h"
#include "encoding/sink.h"

namespace kstream::collection {
namespace {

using api::Value;

// Resets the peak resident set size to the current one (Linux: `5` > clear_refs), so an
// earlier test's peak cannot hide this test's growth.
bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

// Peak resident set size of this process in bytes (0 if /proc is unavailable).
size_t PeakRssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Hands out `count` ConfigMap-like items of `payload` bytes each, built on the fly: the
// source itself holds one item, like a storage snapshot iterator.
class GeneratingSource final : public ItemSource<Value> {
 public:
  GeneratingSource(size_t count, size_t payload) : count_(count) {
    item_.Set("apiVersion", "v1");
    item_.Set("kind", "ConfigMap");
    item_.Set("metadata", Value::EmptyObject()).Set("namespace", "default");
    std::string data(payload, 'x');
    for (size_t i = 0; i < payload; i += 97) data[i] = static_cast<char>('a' + i % 26);
    item_.Set("data", Value::EmptyObject()).Set("payload", std::move(data));
  }
  Result<const Value*> Next() override {
    if (next_ >= count_) return static_cast<const Value*>(nullptr);
    item_.Find("metadata")->Set("name", "cm-" + std::to_string(next_++));
    return &item_;
  }

 private:
  size_t count_;
  size_t next_ = 0;
  Value item_;
};

// Discards bytes (the socket's stand-in), counting them.
class CountingSink final : public encoding::Sink {
 public:
  Status Write(std::string_view b) override {
    bytes_ += b.size();
    return Status::Ok();
  }
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t bytes_ = 0;
};

TEST(BoundedMemoryTest, OneGigabyteListStreamsInFlatMemory) {
  constexpr size_t kItems = 10000, kPayload = 100 * 1024;  // the KEP's 10,000 x 100 KB
  Value header;
  header.Set("apiVersion", "v1");
  header.Set("kind", "List");
  header.Set("metadata", Value::EmptyObject()).Set("resourceVersion", "42");
  GeneratingSource source(kItems, kPayload);
  UnstructuredListJsonEncoder enc(&header, &source);
  CountingSink socket;
  encoding::BatchSink batcher(&socket);

  ASSERT_TRUE(ResetPeakRss());
  size_t before = PeakRssBytes();
  ASSERT_GT(before, 0u);
  ASSERT_TRUE(enc.EncodeAll(&batcher).ok());
  ASSERT_TRUE(batcher.Close().ok());
  size_t growth = PeakRssBytes() - before;

  EXPECT_GT(socket.bytes(), uint64_t{kItems} * kPayload);  // > 1 GB went through
  EXPECT_EQ(enc.items_written(), kItems);
  EXPECT_LT(growth, size_t{16} << 20) << "peak RSS grew by " << growth << " bytes";
  RecordProperty("body_bytes", std::to_string(socket.bytes()));
  RecordProperty("peak_rss_growth_bytes", std::to_string(growth));
}

TEST(BoundedMemoryTest, GzippedListStreamsInFlatMemory) {
  constexpr size_t kItems = 2000, kPayload = 100 * 1024;  // 200 MB through gzip
  Value header;
  header.Set("kind", "List");
  GeneratingSource source(kItems, kPayload);
  UnstructuredListJsonEncoder enc(&header, &source);
  CountingSink socket;
  encoding::BatchSink batcher(&socket);
  encoding::GzipSink gzip(&batcher);

  ASSERT_TRUE(ResetPeakRss());
  size_t before = PeakRssBytes();
  ASSERT_TRUE(enc.EncodeAll(&gzip).ok());
  ASSERT_TRUE(gzip.Close().ok());
  size_t growth = PeakRssBytes() - before;

  EXPECT_TRUE(gzip.gzip());
  EXPECT_GT(gzip.bytes_in(), uint64_t{kItems} * kPayload);
  EXPECT_EQ(socket.bytes(), gzip.bytes_out());
  EXPECT_LT(socket.bytes(), gzip.bytes_in() / 4);  // the payload compresses well
  EXPECT_LT(growth, size_t{16} << 20) << "peak RSS grew by " << growth << " bytes";
}

}  // namespace
}  // namespace kstream::collection
