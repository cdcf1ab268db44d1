// Test support for list encoders: the upstream fixtures' bytes, and an ItemSource over
// typed objects held in a vector (the storage snapshot's stand-in) that counts how it is
// walked. Header-only; ReadFixture needs KSTREAM_SHARED_DIR, which test targets define.
#pragma once

#include <cstddef>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "api/typed/object.h"
#include "collection/item_source.h"

namespace kstream::testing {

// The whole file at `path` ("" when it cannot be read).
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#ifdef KSTREAM_SHARED_DIR
// A file under ../shared/fixtures, e.g. "k8s-api/HEAD/core.v1.Pod.json".
inline std::string ReadFixture(const std::string& name) {
  return ReadFile(std::string(KSTREAM_SHARED_DIR) + "/fixtures/" + name);
}
#endif

class ObjectVectorSource final : public collection::ItemSource<typed::Object> {
 public:
  explicit ObjectVectorSource(const std::vector<std::unique_ptr<typed::Object>>* items) : items_(items) {}
  Result<const typed::Object*> Next() override {
    if (next_ >= items_->size()) return static_cast<const typed::Object*>(nullptr);
    ++calls_;
    return (*items_)[next_++].get();
  }
  Status Rewind() override {
    next_ = 0;
    ++rewinds_;
    return Status::Ok();
  }
  int rewinds() const { return rewinds_; }
  size_t calls() const { return calls_; }  // items handed out, over every pass

 private:
  const std::vector<std::unique_ptr<typed::Object>>* items_;
  size_t next_ = 0;
  int rewinds_ = 0;
  size_t calls_ = 0;
};

}  // namespace kstream::testing
