#include "collection/list_size_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "api/typed/scheme.h"
#include "collection/typed_list.h"
#include "encoding/sink.h"
#include "testing/fixtures.h"

namespace kstream::collection {
namespace {

using Sizes = ListSizeCache::Sizes;

TEST(ListSizeCache, ComputesOncePerKey) {
  ListSizeCache cache;
  int calls = 0;
  auto compute = [&]() -> Result<Sizes> {
    ++calls;
    return Sizes{3, 300};
  };
  for (int i = 0; i < 3; ++i) {
    auto r = cache.GetOrCompute("a", compute);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->items, 3u);
    EXPECT_EQ(r->items_bytes, 300u);
  }
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(cache.GetOrCompute("b", compute).ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(cache.computations(), 2u);
}

TEST(ListSizeCache, ConcurrentCallersWaitForOneComputation) {
  ListSizeCache cache;
  std::atomic<int> calls{0};
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = cache.GetOrCompute("k", [&]() -> Result<Sizes> {
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return Sizes{7, 700};
      });
      if (r.ok() && r->items == 7 && r->items_bytes == 700) ++right;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(right.load(), 8);
}

TEST(ListSizeCache, ErrorsAreNotCached) {
  ListSizeCache cache;
  int calls = 0;
  auto r = cache.GetOrCompute("k", [&]() -> Result<Sizes> {
    ++calls;
    return Internal("snapshot compacted");
  });
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "snapshot compacted");
  auto again = cache.GetOrCompute("k", [&]() -> Result<Sizes> {
    ++calls;
    return Sizes{1, 10};
  });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(calls, 2);
}

TEST(ListSizeCache, KeepsTheMostRecentEntries) {
  ListSizeCache cache(2);
  int calls = 0;
  auto compute = [&]() -> Result<Sizes> {
    ++calls;
    return Sizes{1, 1};
  };
  ASSERT_TRUE(cache.GetOrCompute("a", compute).ok());
  ASSERT_TRUE(cache.GetOrCompute("b", compute).ok());
  ASSERT_TRUE(cache.GetOrCompute("a", compute).ok());  // a is now the most recent
  ASSERT_TRUE(cache.GetOrCompute("c", compute).ok());  // evicts b
  EXPECT_EQ(calls, 3);
  ASSERT_TRUE(cache.GetOrCompute("a", compute).ok());
  EXPECT_EQ(calls, 3);
  ASSERT_TRUE(cache.GetOrCompute("b", compute).ok());
  EXPECT_EQ(calls, 4);
}

TEST(ListSizeCache, ProtobufListsOfOneSnapshotShareTheSizePass) {
  std::vector<std::unique_ptr<typed::Object>> items;
  for (int i = 0; i < 20; ++i) {
    auto o = typed::Scheme::Default().Find("v1", "ConfigMap")->New();
    o->object_meta()->Name = "cm-" + std::string(static_cast<size_t>(i) * 13, 'x');
    o->object_meta()->ResourceVersion = std::to_string(i * 1000);
    if (auto* tm = o->type_meta()) *tm = {};
    items.push_back(std::move(o));
  }
  TypedListHeader header{"v1", "ConfigMapList", {}};
  header.metadata.ResourceVersion = "5";
  ListSizeCache cache;
  auto encode = [&](ItemSource<typed::Object>* src, ListSizeCache* c, const std::string& key) {
    TypedListProtobufEncoder enc(&header, src, c, key);
    encoding::BufferSink out;
    EXPECT_TRUE(enc.EncodeAll(&out).ok());
    return out.Take();
  };
  testing::ObjectVectorSource reference_src(&items);
  const std::string reference = encode(&reference_src, nullptr, "");
  EXPECT_EQ(reference_src.calls(), 40u);  // two passes

  testing::ObjectVectorSource first(&items), second(&items), other(&items);
  EXPECT_EQ(encode(&first, &cache, "snap-1"), reference);
  EXPECT_EQ(first.calls(), 40u);
  EXPECT_EQ(encode(&second, &cache, "snap-1"), reference);
  EXPECT_EQ(second.calls(), 20u);  // the write pass only
  EXPECT_EQ(encode(&other, &cache, "snap-2"), reference);
  EXPECT_EQ(other.calls(), 40u);

  // Sizes that do not match the items (a wrong key) end the list with an error, never a
  // body whose length field lies.
  std::vector<std::unique_ptr<typed::Object>> fewer;
  fewer.push_back(items[0]->kind().New());
  testing::ObjectVectorSource wrong(&fewer);
  TypedListProtobufEncoder enc(&header, &wrong, &cache, "snap-1");
  encoding::BufferSink out;
  EXPECT_FALSE(enc.EncodeAll(&out).ok());
}

}  // namespace
}  // namespace kstream::collection
