#include "encoding/go_strconv.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "encoding/utf8.h"

namespace kstream::encoding {
namespace {

inline char Lower(char c) { return static_cast<char>(c | 0x20); }

// Go's strconv.underscoreOK: underscores only between digits, or between a base prefix
// and a digit.
bool UnderscoreOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

}  // namespace

bool ParseGoUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  const std::string_view s0 = s;
  unsigned base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && Lower(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  bool underscores = false;
  uint64_t n = 0;
  bool overflow = false;
  for (char c : s) {
    unsigned d;
    if (c == '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (Lower(c) >= 'a' && Lower(c) <= 'z') {
      d = static_cast<unsigned>(Lower(c) - 'a' + 10);
    } else {
      return false;
    }
    if (d >= base) return false;
    if (overflow) continue;  // keep validating syntax, as Go reports syntax before range
    if (n > (UINT64_MAX - d) / base) {
      overflow = true;
      continue;
    }
    n = n * base + d;
  }
  if (underscores && !UnderscoreOk(s0)) return false;
  if (overflow) return false;
  *out = n;
  return true;
}

bool ParseGoInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t u;
  if (!ParseGoUint(s, &u)) return false;
  constexpr uint64_t kCutoff = uint64_t{1} << 63;
  if (!neg && u >= kCutoff) return false;
  if (neg && u > kCutoff) return false;
  *out = neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
  return true;
}

bool ParseGoFloat(std::string_view s, double* out) {
  // Validate Go's decimal float syntax and collect the text without underscores.
  char stack_buf[128];
  std::string heap_buf;
  char* buf = stack_buf;
  if (s.size() + 1 > sizeof(stack_buf)) {
    heap_buf.resize(s.size() + 1);
    buf = heap_buf.data();
  }
  size_t n = 0;
  size_t i = 0;
  bool underscores = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (s[i] == '-') buf[n++] = '-';
    ++i;
  }
  bool sawdot = false;
  bool sawdigits = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c == '.') {
      if (sawdot) break;
      sawdot = true;
      buf[n++] = c;
      continue;
    }
    if (c >= '0' && c <= '9') {
      sawdigits = true;
      buf[n++] = c;
      continue;
    }
    break;
  }
  if (!sawdigits) return false;
  if (i < s.size() && Lower(s[i]) == 'e') {
    buf[n++] = 'e';
    ++i;
    if (i >= s.size()) return false;
    if (s[i] == '+' || s[i] == '-') buf[n++] = s[i++];
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); ++i) {
      if (s[i] == '_') {
        underscores = true;
        continue;
      }
      buf[n++] = s[i];
    }
  }
  if (i != s.size()) return false;
  if (underscores && !UnderscoreOk(s)) return false;
  double v = 0;
  auto r = std::from_chars(buf, buf + n, v, std::chars_format::general);
  if (r.ec == std::errc() && r.ptr == buf + n) {
    *out = v;
    return true;
  }
  if (r.ec != std::errc::result_out_of_range) return false;
  // Out of range: overflow is Go's ErrRange; underflow gives the rounded denormal or zero.
  buf[n] = '\0';
  errno = 0;
  v = std::strtod(buf, nullptr);
  if (std::isinf(v)) return false;
  *out = v;
  return true;
}

void AppendGoFloatG(std::string* out, double v, int bit_size) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (bit_size == 32) v = static_cast<double>(static_cast<float>(v));
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (v == 0) {
    out->append(std::signbit(v) ? "-0" : "0");
    return;
  }
  // Shortest round-trip digits as "d.ddde±XX".
  char sci[48];
  std::to_chars_result r =
      bit_size == 32
          ? std::to_chars(sci, sci + sizeof(sci), static_cast<float>(v), std::chars_format::scientific)
          : std::to_chars(sci, sci + sizeof(sci), v, std::chars_format::scientific);
  std::string_view text(sci, static_cast<size_t>(r.ptr - sci));
  bool neg = false;
  if (text.front() == '-') {
    neg = true;
    text.remove_prefix(1);
  }
  size_t epos = text.find('e');
  char digits[32];
  int nd = 0;
  for (char c : text.substr(0, epos)) {
    if (c != '.') digits[nd++] = c;
  }
  int exp = 0;
  {
    const char* p = text.data() + epos + 1;
    if (*p == '+') ++p;
    std::from_chars(p, text.data() + text.size(), exp);
  }
  if (neg) out->push_back('-');
  if (exp < -4 || exp >= 6) {
    // %e with the shortest digits.
    out->push_back(digits[0]);
    if (nd > 1) {
      out->push_back('.');
      out->append(digits + 1, static_cast<size_t>(nd - 1));
    }
    out->push_back('e');
    out->push_back(exp < 0 ? '-' : '+');
    int e = exp < 0 ? -exp : exp;
    if (e < 10) {
      out->push_back('0');
      out->push_back(static_cast<char>('0' + e));
    } else if (e < 100) {
      out->push_back(static_cast<char>('0' + e / 10));
      out->push_back(static_cast<char>('0' + e % 10));
    } else {
      out->push_back(static_cast<char>('0' + e / 100));
      out->push_back(static_cast<char>('0' + e / 10 % 10));
      out->push_back(static_cast<char>('0' + e % 10));
    }
    return;
  }
  // %f with the shortest digits; the decimal point goes after dp digits.
  int dp = exp + 1;
  if (dp > 0) {
    for (int i = 0; i < dp; ++i) out->push_back(i < nd ? digits[i] : '0');
  } else {
    out->push_back('0');
  }
  int frac = nd - dp;
  if (frac > 0) {
    out->push_back('.');
    for (int i = 0; i < frac; ++i) {
      int k = dp + i;
      out->push_back(k >= 0 && k < nd ? digits[k] : '0');
    }
  }
}

// ---------------------------------------------------------------------------------------
// Go's strconv.Quote

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Go's unicode.IsPrint, exact for ASCII, approximated above (see the header).
bool IsPrintRune(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r <= 0xA0) return false;               // C1 controls, U+00A0 (a space other than ' ')
  if (r == 0xAD) return false;               // soft hyphen (Cf)
  if (r >= 0x600 && r <= 0x605) return false;
  if (r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x180E || r == 0x1680) return false;
  if (r >= 0x2000 && r <= 0x200F) return false;  // spaces, zero-width, marks
  if (r >= 0x2028 && r <= 0x202F) return false;
  if (r >= 0x205F && r <= 0x206F) return false;
  if (r == 0x3000 || r == 0xFEFF) return false;
  if (r >= 0xD800 && r <= 0xF8FF) return false;  // surrogates (unreachable), private use
  if (r >= 0xFFF9 && r <= 0xFFFB) return false;
  if (r == 0xFFFE || r == 0xFFFF) return false;
  if (r >= 0xE0000) return false;  // tags, variation selectors supplement, private planes
  return true;
}

void AppendHexN(std::string* out, uint32_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) out->push_back(kHex[(v >> (4 * i)) & 0xF]);
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  for (size_t i = 0; i < n;) {
    size_t len = ValidUtf8Length(p + i, n - i);
    if (len == 0) {  // an invalid byte
      out.append("\\x");
      AppendHexN(&out, p[i], 2);
      ++i;
      continue;
    }
    char32_t r = DecodeUtf8(p + i, len);
    if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
    } else if (IsPrintRune(r)) {
      out.append(s.substr(i, len));
    } else {
      switch (r) {
        case '\a': out.append("\\a"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\v': out.append("\\v"); break;
        default:
          if (r < 0x20 || r == 0x7F) {
            out.append("\\x");
            AppendHexN(&out, r, 2);
          } else if (r < 0x10000) {
            out.append("\\u");
            AppendHexN(&out, r, 4);
          } else {
            out.append("\\U");
            AppendHexN(&out, r, 8);
          }
      }
    }
    i += len;
  }
  out.push_back('"');
  return out;
}

}  // namespace kstream::encoding
