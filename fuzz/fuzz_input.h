// FuzzInput: carves a fuzzer's byte string into the decisions and payloads of one test
// case (a tiny, dependency-free cousin of LLVM's FuzzedDataProvider, so the same targets
// also build with g++ as corpus replayers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kstream::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return rest_.empty(); }

  // One byte (0 once the input is exhausted).
  uint8_t Byte() {
    if (rest_.empty()) return 0;
    uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  // The bytes up to the next `sep` (not included) or to the end.
  std::string_view Piece(char sep) {
    size_t k = rest_.find(sep);
    std::string_view piece = rest_.substr(0, k);
    rest_.remove_prefix(k == std::string_view::npos ? rest_.size() : k + 1);
    return piece;
  }

  std::string_view Rest() {
    std::string_view r = rest_;
    rest_ = {};
    return r;
  }

 private:
  std::string_view rest_;
};

}  // namespace kstream::fuzz
