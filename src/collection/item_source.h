// ItemSource: a pull iterator over the items of one list snapshot.
//
// List encoders pull items one at a time and encode each before asking for the next, so a
// list is never materialised: a source backed by storage walks one consistent snapshot
// (one revision) and hands out one item at a time. The pointer returned by Next() stays
// valid until the next call to Next() (or the source's destruction); the source owns it.
//
// Protobuf lists need every item's size before the first byte; sources that can walk the
// same snapshot again implement Rewind() (the default says they cannot).
//
// Sources are single-threaded: one encoder pulls from one source.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "base/status.h"

namespace kstream::collection {

template <typename Item>
class ItemSource {
 public:
  virtual ~ItemSource() = default;
  // The next item, nullptr after the last one, or an error (e.g. the snapshot was
  // compacted away, a stored value failed to decode).
  virtual Result<const Item*> Next() = 0;
  // Starts again at the first item of the same snapshot.
  virtual Status Rewind() { return Unimplemented("this item source cannot be walked twice"); }
};

// Serves items held in a vector (tests, small in-memory lists). Does not own the vector.
template <typename Item>
class VectorItemSource final : public ItemSource<Item> {
 public:
  explicit VectorItemSource(const std::vector<Item>* items) : items_(items) {}
  Result<const Item*> Next() override {
    if (next_ >= items_->size()) return static_cast<const Item*>(nullptr);
    return &(*items_)[next_++];
  }
  Status Rewind() override {
    next_ = 0;
    return Status::Ok();
  }

 private:
  const std::vector<Item>* items_;
  size_t next_ = 0;
};

}  // namespace kstream::collection
