#include "collection/unstructured_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "api/json.h"
#include "testing/random_value.h"

namespace kstream::collection {
namespace {

using api::Value;
using encoding::BatchSink;
using encoding::BufferSink;
using encoding::CallbackSink;
using encoding::json::Style;

Value Parse(std::string_view s) { return *api::ParseJson(s); }

std::string Stream(const Value& header, const std::vector<Value>& items, Style style) {
  VectorItemSource<Value> source(&items);
  UnstructuredListJsonEncoder enc(&header, &source, style);
  BufferSink sink;
  Status s = enc.EncodeAll(&sink);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return sink.Take();
}

TEST(UnstructuredListJsonTest, KubeExamples) {
  // From apimachinery's collections_test.go (facts §3.1).
  EXPECT_EQ(Stream(Value::EmptyObject(), {}, Style::kCompact), "{\"items\":[]}\n");
  Value header = Parse(R"({"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"2345","continue":"abc","remainingItemCount":"1"}})");
  std::vector<Value> items = {Parse(R"({"kind":"Carp","apiVersion":"v1","metadata":{"name":"pod2"}})")};
  EXPECT_EQ(Stream(header, items, Style::kCompact),
            R"({"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"Carp","metadata":{"name":"pod2"}}],"kind":"List","metadata":{"continue":"abc","remainingItemCount":"1","resourceVersion":"2345"}})"
            "\n");
}

TEST(UnstructuredListJsonTest, HeaderItemsMemberIsIgnored) {
  Value header = Parse(R"({"items":[1,2],"kind":"List"})");
  EXPECT_EQ(Stream(header, {Value(3)}, Style::kCompact), "{\"items\":[3],\"kind\":\"List\"}\n");
}

TEST(UnstructuredListJsonTest, IndentedMatchesMarshalIndent) {
  Value header = Parse(R"({"apiVersion":"v1","kind":"List","metadata":{}})");
  EXPECT_EQ(Stream(header, {}, Style::kIndent),
            "{\n  \"apiVersion\": \"v1\",\n  \"items\": [],\n  \"kind\": \"List\",\n  \"metadata\": {}\n}");
  EXPECT_EQ(Stream(header, {Parse(R"({"a":[1]})"), Value(2)}, Style::kIndent),
            "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    {\n      \"a\": [\n        1\n      ]\n    },\n"
            "    2\n  ],\n  \"kind\": \"List\",\n  \"metadata\": {}\n}");
  // Only "items".
  EXPECT_EQ(Stream(Value::EmptyObject(), {Value(1)}, Style::kIndent), "{\n  \"items\": [\n    1\n  ]\n}");
}

TEST(UnstructuredListJsonTest, StepsWriteOnePieceEach) {
  std::vector<Value> items = {Value(1), Value(2), Value(3)};
  Value header = Parse(R"({"kind":"List"})");
  VectorItemSource<Value> source(&items);
  UnstructuredListJsonEncoder enc(&header, &source);
  std::vector<std::string> pieces;
  CallbackSink sink([&](std::string_view b) {
    pieces.emplace_back(b);
    return Status::Ok();
  });
  while (*enc.EncodeNext(&sink)) {
  }
  EXPECT_EQ(pieces, (std::vector<std::string>{"{\"items\":[", "1", ",2", ",3", "],\"kind\":\"List\"}\n"}));
  EXPECT_EQ(enc.items_written(), 3u);
  EXPECT_FALSE(*enc.EncodeNext(&sink));  // done stays done
}

// Fails on the third item only, then would go on serving items.
class FailingSource : public ItemSource<Value> {
 public:
  Result<const Value*> Next() override {
    if (n_++ == 2) return Unavailable("snapshot compacted");
    if (n_ > 5) return static_cast<const Value*>(nullptr);
    return &v_;
  }

 private:
  int n_ = 0;
  Value v_{1};
};

TEST(UnstructuredListJsonTest, SourceAndEncodeErrorsStopTheEncoder) {
  Value header = Value::EmptyObject();
  FailingSource source;
  UnstructuredListJsonEncoder enc(&header, &source);
  BufferSink sink;
  Status s = enc.EncodeAll(&sink);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(sink.data(), "{\"items\":[1,1");
  // A caller that keeps going gets the same error: the body can never be completed with an
  // item missing.
  for (int i = 0; i < 5; ++i) {
    auto more = enc.EncodeNext(&sink);
    ASSERT_FALSE(more.ok());
    EXPECT_EQ(more.status().message(), "snapshot compacted");
  }
  EXPECT_EQ(sink.data(), "{\"items\":[1,1");
  EXPECT_EQ(enc.items_written(), 2u);

  std::vector<Value> items = {Value(1), Value(std::nan(""))};
  VectorItemSource<Value> nan_source(&items);
  UnstructuredListJsonEncoder enc2(&header, &nan_source);
  BufferSink sink2;
  EXPECT_EQ(enc2.EncodeAll(&sink2).code(), StatusCode::kOutOfRange);
}

TEST(UnstructuredListJsonTest, SinkErrorsPropagate) {
  std::vector<Value> items(10, Value("x"));
  Value header = Value::EmptyObject();
  VectorItemSource<Value> source(&items);
  UnstructuredListJsonEncoder enc(&header, &source);
  int writes = 0;
  CallbackSink sink([&](std::string_view) {
    return ++writes == 3 ? Unavailable("client went away") : Status::Ok();
  });
  EXPECT_EQ(enc.EncodeAll(&sink).code(), StatusCode::kUnavailable);
  EXPECT_EQ(writes, 3);
  EXPECT_FALSE(enc.EncodeNext(&sink).ok());
  EXPECT_EQ(writes, 3);  // nothing more is written after a failed write

  // A failure writing the opening: nothing after it either.
  VectorItemSource<Value> source2(&items);
  UnstructuredListJsonEncoder enc2(&header, &source2);
  int writes2 = 0;
  CallbackSink failing_first([&](std::string_view) {
    ++writes2;
    return Unavailable("client went away");
  });
  EXPECT_FALSE(enc2.EncodeAll(&failing_first).ok());
  EXPECT_FALSE(enc2.EncodeNext(&failing_first).ok());
  EXPECT_EQ(writes2, 1);
}

// The property: for generated lists of every shape, the streaming encoder writing through
// a bounded BatchSink produces exactly the bytes of encoding the whole list as one Value,
// and never holds more than one item plus one batch.
TEST(UnstructuredListJsonTest, StreamingEqualsOneShotForTenThousandLists) {
  constexpr int kLists = 10000;
  const size_t kBatchSizes[] = {1, 7, 64, 1000, 4096, 64 * 1024, 128 * 1024};
  size_t total_bytes = 0, total_items = 0, big_items = 0;
  for (int seed = 0; seed < kLists; ++seed) {
    std::mt19937_64 rng(static_cast<uint64_t>(seed));
    Value header = testing::RandomListHeader(rng);
    size_t n;
    switch (rng() % 10) {
      case 0: n = 0; break;
      case 1: n = 1; break;
      case 2: n = 21 + rng() % 180; break;
      default: n = 2 + rng() % 19; break;
    }
    std::vector<Value> items;
    for (size_t i = 0; i < n; ++i) {
      if (rng() % 3 == 0) {
        items.push_back(testing::RandomValue(rng, 5, 4));
      } else {
        size_t payload = rng() % 1500 == 0 ? (1536 * 1024 - rng() % 4096) : rng() % 256;
        big_items += payload > 1024 * 1024;
        items.push_back(testing::RandomResource(rng, payload));
      }
    }
    // Deep nesting now and then.
    if (rng() % 100 == 0) {
      Value deep = Value(1);
      for (int d = 0; d < 500; ++d) {
        Value::Array wrapper;
        wrapper.push_back(std::move(deep));
        deep = Value(std::move(wrapper));
      }
      items.push_back(std::move(deep));
    }
    Style style = rng() % 4 == 0 ? Style::kIndent : Style::kCompact;
    size_t batch = kBatchSizes[rng() % std::size(kBatchSizes)];

    auto want = EncodeUnstructuredListOneShot(header, items, style);
    ASSERT_TRUE(want.ok()) << "seed " << seed << ": " << want.status().ToString();

    VectorItemSource<Value> source(&items);
    UnstructuredListJsonEncoder enc(&header, &source, style);
    BufferSink out;
    bool downstream_writes_ok = true;
    CallbackSink downstream([&](std::string_view b) {
      // A batch (full, or the last partial one), or whole batches passed through uncopied.
      downstream_writes_ok = downstream_writes_ok && (b.size() <= batch || b.size() % batch == 0);
      return out.Write(b);
    });
    BatchSink batcher(&downstream, batch);
    size_t max_piece = 0;
    CallbackSink pieces([&](std::string_view b) {
      max_piece = std::max(max_piece, b.size());
      return batcher.Write(b);
    });
    while (true) {
      auto more = enc.EncodeNext(&pieces);
      ASSERT_TRUE(more.ok()) << "seed " << seed;
      ASSERT_LE(batcher.buffered(), batch);
      if (!*more) break;
    }
    ASSERT_TRUE(batcher.Close().ok());
    ASSERT_EQ(out.data(), *want) << "seed " << seed << " batch " << batch;
    EXPECT_TRUE(downstream_writes_ok) << "seed " << seed;
    // Memory: one batch in the BatchSink, one piece (the largest item) in the encoder.
    EXPECT_LE(batcher.capacity(), std::max<size_t>(batch, 15) + 1) << "seed " << seed;
    EXPECT_LE(enc.buffer_capacity(), std::max<size_t>(2 * max_piece, 64)) << "seed " << seed;
    total_bytes += want->size();
    total_items += items.size();
  }
  // The generator really produced what the property claims to cover.
  EXPECT_GT(big_items, 10u);
  EXPECT_GT(total_items, 50000u);
  RecordProperty("lists", kLists);
  RecordProperty("bytes", std::to_string(total_bytes));
}

}  // namespace
}  // namespace kstream::collection
