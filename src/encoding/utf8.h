// UTF-8 helpers with Go's acceptance rules (unicode/utf8): what counts as valid decides
// where Go's encoders and decoders substitute U+FFFD, so every codec uses these.
//
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kstream::encoding {

// Length of the valid multi-byte UTF-8 sequence at p[0, n) (n >= 1, p[0] >= 0x80), or 0
// if p[0] does not start one (where Go's utf8.DecodeRune returns RuneError, 1). No
// overlong forms, no surrogates, nothing above U+10FFFF. The hot loops of the encoders
// call this for non-ASCII bytes only.
inline size_t ValidMultiByteUtf8Length(const unsigned char* p, size_t n) {
  unsigned char c = p[0];
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < n && p[k] >= lo && p[k] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// As ValidMultiByteUtf8Length, for any byte: ASCII is 1.
inline size_t ValidUtf8Length(const unsigned char* p, size_t n) {
  return p[0] < 0x80 ? 1 : ValidMultiByteUtf8Length(p, n);
}

// Decodes the valid UTF-8 sequence of `len` bytes at p (as returned by ValidUtf8Length).
inline char32_t DecodeUtf8(const unsigned char* p, size_t len) {
  switch (len) {
    case 1: return p[0];
    case 2: return (char32_t{p[0]} & 0x1F) << 6 | (p[1] & 0x3F);
    case 3: return (char32_t{p[0]} & 0x0F) << 12 | (char32_t{p[1]} & 0x3F) << 6 | (p[2] & 0x3F);
    default:
      return (char32_t{p[0]} & 0x07) << 18 | (char32_t{p[1]} & 0x3F) << 12 |
             (char32_t{p[2]} & 0x3F) << 6 | (p[3] & 0x3F);
  }
}

// Appends the UTF-8 encoding of `r` (a Unicode scalar value).
void AppendUtf8(std::string* out, char32_t r);

// Appends `s` with each byte that is not part of valid UTF-8 replaced by U+FFFD (what Go's
// encoding/json does to strings, encoding and decoding).
void AppendCoercedUtf8(std::string* out, std::string_view s);

}  // namespace kstream::encoding
