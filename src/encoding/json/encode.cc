#include "encoding/json/encode.h"

#include "encoding/utf8.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kstream::encoding::json {
namespace {

// Bytes that end a run of verbatim-copyable bytes: control bytes, `"`, `\`, the HTML
// characters, and every byte >= 0x80 (checked as UTF-8 by the slow path).
constexpr std::array<bool, 256> MakeSpecialTable() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&';
  }
  return t;
}
constexpr std::array<bool, 256> kSpecial = MakeSpecialTable();

// Index of the first special byte in p[i, n), or n.
inline size_t FindSpecial(const unsigned char* p, size_t i, size_t n) {
#if defined(__SSE2__)
  const __m128i limit = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i lt = _mm_set1_epi8('<');
  const __m128i gt = _mm_set1_epi8('>');
  const __m128i amp = _mm_set1_epi8('&');
  while (i + 16 <= n) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // Signed compare: true for bytes < 0x20 and for bytes >= 0x80 (negative as int8).
    __m128i m = _mm_cmplt_epi8(x, limit);
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, quote));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, backslash));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, lt));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, gt));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, amp));
    int mask = _mm_movemask_epi8(m);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  while (i < n && !kSpecial[p[i]]) ++i;
  return i;
}

constexpr char kHex[] = "0123456789abcdef";

void AppendAsciiEscape(std::string* out, unsigned char c) {
  switch (c) {
    case '"': out->append("\\\""); return;
    case '\\': out->append("\\\\"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    default: {
      // Control bytes and the HTML characters < > &.
      char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out->append(buf, 6);
      return;
    }
  }
}

}  // namespace

void AppendString(std::string* out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  out->push_back('"');
  size_t run = 0;  // start of the pending verbatim run
  size_t i = 0;
  while (true) {
    i = FindSpecial(p, i, n);
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      out->append(s.data() + run, i - run);
      AppendAsciiEscape(out, c);
      run = ++i;
      continue;
    }
    size_t len = ValidMultiByteUtf8Length(p + i, n - i);
    if (len == 0) {
      out->append(s.data() + run, i - run);
      out->append("\\ufffd");
      run = ++i;
      continue;
    }
    if (len == 3 && c == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
      out->append(s.data() + run, i - run);
      out->append(p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
      i += 3;
      run = i;
      continue;
    }
    i += len;
  }
  out->append(s.data() + run, n - run);
  out->push_back('"');
}

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

void AppendUint(std::string* out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

Status AppendFloat64(std::string* out, double v) {
  if (!std::isfinite(v)) {
    return OutOfRange(std::isnan(v) ? "json: unsupported value: NaN"
                                    : (v > 0 ? "json: unsupported value: +Inf"
                                             : "json: unsupported value: -Inf"));
  }
  if (v == 0) {
    out->append(std::signbit(v) ? "-0" : "0");
    return Status::Ok();
  }
  // The shortest round-trip digits, as "d.ddde±XX" (the same digits Go's
  // strconv.FormatFloat(v, 'e'/'f', -1, 64) picks: shortest, then closest).
  char sci[40];
  auto r = std::to_chars(sci, sci + sizeof(sci), v, std::chars_format::scientific);
  std::string_view text(sci, static_cast<size_t>(r.ptr - sci));
  double a = std::fabs(v);
  if (a < 1e-6 || a >= 1e21) {
    // Exponent form; Go then shortens a two-digit negative exponent "e-0X" to "e-X".
    size_t k = text.size();
    if (k >= 4 && text[k - 4] == 'e' && text[k - 3] == '-' && text[k - 2] == '0') {
      out->append(text.substr(0, k - 2));
      out->push_back(text[k - 1]);
    } else {
      out->append(text);
    }
    return Status::Ok();
  }
  // Plain decimal from the shortest digits: Go's 'f' with precision -1.
  bool negative = text.front() == '-';
  if (negative) text.remove_prefix(1);
  size_t epos = text.find('e');
  std::string_view mantissa = text.substr(0, epos);
  int exp10 = 0;
  std::from_chars(text.data() + epos + 1 + (text[epos + 1] == '+' ? 1 : 0),
                  text.data() + text.size(), exp10);
  char digits[24];
  size_t nd = 0;
  for (char c : mantissa) {
    if (c != '.') digits[nd++] = c;
  }
  // value = 0.d1d2...dn x 10^(exp10+1); the decimal point goes after `point` digits.
  int point = exp10 + 1;
  if (negative) out->push_back('-');
  if (point <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-point), '0');
    out->append(digits, nd);
  } else if (static_cast<size_t>(point) >= nd) {
    out->append(digits, nd);
    out->append(static_cast<size_t>(point) - nd, '0');
  } else {
    out->append(digits, static_cast<size_t>(point));
    out->push_back('.');
    out->append(digits + point, nd - static_cast<size_t>(point));
  }
  return Status::Ok();
}

void AppendBase64(std::string* out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t start = out->size();
  out->resize(start + 2 + (n + 2) / 3 * 4);
  char* o = out->data() + start;
  *o++ = '"';
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = kAlphabet[v & 63];
    o += 4;
  }
  if (size_t rest = n - i; rest > 0) {
    uint32_t v = uint32_t{p[i]} << 16;
    if (rest == 2) v |= uint32_t{p[i + 1]} << 8;
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    o[3] = '=';
    o += 4;
  }
  *o = '"';
}

void AppendNewlineIndent(std::string* out, int depth) {
  out->push_back('\n');
  out->append(static_cast<size_t>(depth) * 2, ' ');
}

}  // namespace kstream::encoding::json
