// ListSizeCache: one size pass for identical protobuf lists.
//
// A protobuf list carries its total size before the first item, so every protobuf list
// walks its snapshot twice (typed_list.h). Lists of the same snapshot of the same key
// range, encoded as the same kind and unfiltered, have the same bytes: a snapshot at a
// revision never changes. When many clients list the same collection at once (informers
// restarting, the KEP-5116 benchmark), one of them walks the snapshot for the sizes and the
// others wait for its result instead of walking it too; later lists of the same revision
// find it ready. An entry is a key and two numbers; the cache keeps the most recent
// `capacity` entries.
//
// Thread-safe. A failed computation is not cached: its waiters get its error.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/status.h"

namespace kstream::collection {

class ListSizeCache {
 public:
  struct Sizes {
    uint64_t items = 0;
    uint64_t items_bytes = 0;  // the items' fields in the list message (keys and lengths included)
  };

  explicit ListSizeCache(size_t capacity = 256) : capacity_(capacity) {}

  // The sizes for `key`: cached, or computed by `compute` here, or by a concurrent caller
  // with the same key (this call then waits for it).
  Result<Sizes> GetOrCompute(const std::string& key, const std::function<Result<Sizes>()>& compute);

  // Size passes run so far (tests and diagnostics).
  uint64_t computations() const {
    std::lock_guard<std::mutex> lock(mu_);
    return computations_;
  }

 private:
  struct Flight {  // a computation in progress
    bool done = false;
    Result<Sizes> result = Sizes{};
  };
  struct Ready {
    Sizes sizes;
    std::list<std::string>::iterator lru;
  };

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> inflight_;
  std::unordered_map<std::string, Ready> ready_;
  std::list<std::string> lru_;  // keys of ready_, most recent first
  uint64_t computations_ = 0;
};

}  // namespace kstream::collection
