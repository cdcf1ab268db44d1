#include "collection/list_size_cache.h"

namespace kstream::collection {

Result<ListSizeCache::Sizes> ListSizeCache::GetOrCompute(const std::string& key,
                                                         const std::function<Result<Sizes>()>& compute) {
  std::shared_ptr<Flight> flight;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (auto it = ready_.find(key); it != ready_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.sizes;
    }
    if (auto it = inflight_.find(key); it != inflight_.end()) {
      std::shared_ptr<Flight> other = it->second;
      cv_.wait(lock, [&] { return other->done; });
      return other->result;
    }
    flight = std::make_shared<Flight>();
    inflight_.emplace(key, flight);
    ++computations_;
  }
  Result<Sizes> result = compute();
  {
    std::lock_guard<std::mutex> lock(mu_);
    flight->result = result;
    flight->done = true;
    inflight_.erase(key);
    if (result.ok() && capacity_ > 0) {
      lru_.push_front(key);
      ready_[key] = Ready{*result, lru_.begin()};
      while (ready_.size() > capacity_) {
        ready_.erase(lru_.back());
        lru_.pop_back();
      }
    }
  }
  cv_.notify_all();
  return result;
}

}  // namespace kstream::collection
