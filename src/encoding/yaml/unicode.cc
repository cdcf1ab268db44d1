#include "encoding/yaml/unicode.h"

#include <algorithm>

namespace kstream::encoding::yaml {
namespace {

struct RuneRange {
  char32_t lo;
  char32_t hi;
};

#include "encoding/yaml/unicode_tables.inc"

template <size_t N>
bool InRanges(const RuneRange (&ranges)[N], char32_t r) {
  const RuneRange* end = ranges + N;
  const RuneRange* it =
      std::upper_bound(ranges, end, r, [](char32_t v, const RuneRange& rr) { return v < rr.lo; });
  if (it == ranges) return false;
  --it;
  return r <= it->hi;
}

}  // namespace

bool IsLetter(char32_t r) {
  if (r < 0x80) return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
  return InRanges(kLetterRanges, r);
}

bool IsDigit(char32_t r) {
  if (r <= 0xFF) return r >= '0' && r <= '9';
  return InRanges(kDigitRanges, r);
}

}  // namespace kstream::encoding::yaml
