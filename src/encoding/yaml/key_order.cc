#include "encoding/yaml/key_order.h"

#include <algorithm>

#include "encoding/yaml/unicode.h"

namespace kstream::encoding::yaml {
namespace {

// The rune at byte offset i of valid UTF-8 (invalid bytes, which callers never pass, read
// as U+FFFD like Go's []rune conversion).
inline char32_t RuneAt(const unsigned char* p, size_t n, size_t i, size_t* width) {
  if (p[i] < 0x80) {
    *width = 1;
    return p[i];
  }
  size_t len = ValidUtf8Length(p + i, n - i);
  if (len == 0) {
    *width = 1;
    return 0xFFFD;
  }
  *width = len;
  return DecodeUtf8(p + i, len);
}

}  // namespace

bool KeyLess(std::string_view as, std::string_view bs) {
  const auto* a = reinterpret_cast<const unsigned char*>(as.data());
  const auto* b = reinterpret_cast<const unsigned char*>(bs.data());
  const size_t an_bytes = as.size(), bn_bytes = bs.size();
  // Byte offsets of the current rune in each string (equal up to the first difference).
  size_t i = 0;
  while (i < an_bytes && i < bn_bytes) {
    if (a[i] == b[i] && a[i] < 0x80) {
      ++i;
      continue;
    }
    size_t wa, wb;
    char32_t ra = RuneAt(a, an_bytes, i, &wa);
    char32_t rb = RuneAt(b, bn_bytes, i, &wb);
    if (ra == rb) {
      i += wa;  // wa == wb for equal runes of valid UTF-8
      continue;
    }
    bool al = IsLetter(ra), bl = IsLetter(rb);
    if (al && bl) return ra < rb;
    if (al || bl) return bl;
    // Digit runs from here, as wrapping int64 (Go's overflow semantics).
    uint64_t an = 0, bn = 0;
    if (ra == '0' || rb == '0') {
      // Look back over the common prefix for a non-zero digit of the same run.
      size_t j = i;
      while (j > 0) {
        size_t k = j - 1;
        while (k > 0 && (a[k] & 0xC0) == 0x80) --k;  // start of the previous rune
        size_t w;
        char32_t r = RuneAt(a, an_bytes, k, &w);
        if (!IsDigit(r)) break;
        if (r != '0') {
          an = 1;
          bn = 1;
          break;
        }
        j = k;
      }
    }
    size_t ai = i, bi = i;
    size_t a_digits = 0, b_digits = 0;
    while (ai < an_bytes) {
      size_t w;
      char32_t r = RuneAt(a, an_bytes, ai, &w);
      if (!IsDigit(r)) break;
      an = an * 10 + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(r) - '0'));
      ai += w;
      ++a_digits;
    }
    while (bi < bn_bytes) {
      size_t w;
      char32_t r = RuneAt(b, bn_bytes, bi, &w);
      if (!IsDigit(r)) break;
      bn = bn * 10 + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(r) - '0'));
      bi += w;
      ++b_digits;
    }
    if (an != bn) return static_cast<int64_t>(an) < static_cast<int64_t>(bn);
    if (a_digits != b_digits) return a_digits < b_digits;
    return ra < rb;
  }
  // One is a prefix of the other (in runes): the shorter sorts first. Equal runes have
  // equal widths, so the byte lengths order them as the rune counts would.
  return an_bytes < bn_bytes;
}

void SortKeyIndexes(const std::vector<std::string_view>& keys, std::vector<uint32_t>* order) {
  std::vector<uint32_t>& o = *order;
  const size_t n = o.size();
  auto less = [&](uint32_t x, uint32_t y) { return KeyLess(keys[x], keys[y]); };
  bool sorted = true;
  for (size_t k = 1; k < n; ++k) {
    if (less(o[k], o[k - 1])) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  if (n <= 12) {
    for (size_t k = 1; k < n; ++k) {
      for (size_t j = k; j > 0 && less(o[j], o[j - 1]); --j) std::swap(o[j], o[j - 1]);
    }
    return;
  }
  // Bottom-up merge sort: well defined for any comparator.
  std::vector<uint32_t> tmp(n);
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = std::min(lo + width, n), hi = std::min(lo + 2 * width, n);
      size_t x = lo, y = mid, t = lo;
      while (x < mid && y < hi) tmp[t++] = less(o[y], o[x]) ? o[y++] : o[x++];
      while (x < mid) tmp[t++] = o[x++];
      while (y < hi) tmp[t++] = o[y++];
    }
    o.swap(tmp);
  }
}

}  // namespace kstream::encoding::yaml
