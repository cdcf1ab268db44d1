#include "api/k8s/apimachinery/resource/quantity.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "encoding/json/encode.h"
#include "encoding/protobuf/wire.h"

namespace kstream::k8s::apimachinery::resource {

namespace pb = encoding::protobuf;

namespace {

constexpr int64_t kMostPositive = std::numeric_limits<int64_t>::max();
constexpr int64_t kMostNegative = std::numeric_limits<int64_t>::min();
constexpr std::string_view kMaxInt64Digits = "9223372036854775807";

// Go's int32(x) of a wider integer: the low 32 bits, two's complement.
int32_t Wrap32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); }
// Go's -x on an int32 (MinInt32 stays MinInt32).
int32_t Neg32(int32_t v) { return static_cast<int32_t>(0u - static_cast<uint32_t>(v)); }
// Go's -x on an int64 (MinInt64 stays MinInt64).
int64_t Neg64(int64_t v) { return static_cast<int64_t>(0ull - static_cast<uint64_t>(v)); }

Status ErrFormatWrong() { return InvalidArgument(std::string(kErrFormatWrong)); }
Status ErrNumeric() { return InvalidArgument(std::string(kErrNumeric)); }
Status ErrSuffix() { return InvalidArgument(std::string(kErrSuffix)); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsSuffixChar(char c) {
  switch (c) {
    case 'e': case 'E': case 'i': case 'n': case 'u': case 'm':
    case 'k': case 'K': case 'M': case 'G': case 'T': case 'P':
      return true;
    default:
      return false;
  }
}

// strconv.ParseInt(s, 10, 64): optional sign, then one or more ASCII digits, in range.
bool GoParseInt64(std::string_view s, int64_t* out) {
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return false;
  uint64_t n = 0;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    n = n * 10 + d;
  }
  if (!neg && n > static_cast<uint64_t>(kMostPositive)) return false;
  if (neg && n > static_cast<uint64_t>(kMostPositive) + 1) return false;
  *out = neg ? static_cast<int64_t>(0ull - n) : static_cast<int64_t>(n);
  return true;
}

// suffix.go's interpret: base, exponent (Go truncates a parsed "e<int64>" to int32) and
// format of a suffix.
struct Interpretation {
  int32_t base = 10;
  int32_t exponent = 0;
  Format format = Format::kDecimalSI;
};

bool Interpret(std::string_view s, Interpretation* r) {
  struct Entry {
    std::string_view suffix;
    int32_t base;
    int32_t exponent;
  };
  static constexpr Entry kTable[] = {
      {"", 10, 0},   {"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3},  {"k", 10, 3},
      {"M", 10, 6},  {"G", 10, 9},  {"T", 10, 12}, {"P", 10, 15},  {"E", 10, 18},
      {"Ki", 2, 10}, {"Mi", 2, 20}, {"Gi", 2, 30}, {"Ti", 2, 40},  {"Pi", 2, 50},
      {"Ei", 2, 60},
  };
  for (const Entry& e : kTable) {
    if (e.suffix == s) {
      *r = {e.base, e.exponent, e.base == 2 ? Format::kBinarySI : Format::kDecimalSI};
      return true;
    }
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    int64_t parsed;
    if (!GoParseInt64(s.substr(1), &parsed)) return false;
    *r = {10, Wrap32(parsed), Format::kDecimalExponent};
    return true;
  }
  return false;
}

// int64Multiply: a*b, or false on overflow (a, b >= 0 here).
bool Int64Multiply(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}

// ---- decimal digit strings (magnitudes, most significant digit first)

void StripLeadingZeros(std::string* d) {
  size_t n = d->find_first_not_of('0');
  if (n == std::string::npos) {
    d->clear();
  } else if (n > 0) {
    d->erase(0, n);
  }
}

// Removes trailing zeros and returns how many there were.
int64_t StripTrailingZeros(std::string* d) {
  size_t n = d->find_last_not_of('0');
  int64_t tz = static_cast<int64_t>(d->size() - (n == std::string::npos ? 0 : n + 1));
  d->resize(d->size() - static_cast<size_t>(tz));
  return tz;
}

// d *= m (m small).
void MultiplySmall(std::string* d, uint32_t m) {
  uint64_t carry = 0;
  for (size_t i = d->size(); i-- > 0;) {
    uint64_t v = static_cast<uint64_t>((*d)[i] - '0') * m + carry;
    (*d)[i] = static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  std::string head;
  while (carry > 0) {
    head.push_back(static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
  std::reverse(head.begin(), head.end());
  d->insert(0, head);
}

// d += 1.
void Increment(std::string* d) {
  for (size_t i = d->size(); i-- > 0;) {
    if ((*d)[i] != '9') {
      ++(*d)[i];
      return;
    }
    (*d)[i] = '0';
  }
  d->insert(d->begin(), '1');
}

// Compares the magnitudes a×10^ea and b×10^eb (digits without leading or trailing zeros;
// empty is zero).
int CmpMagnitude(std::string_view a, int64_t ea, std::string_view b, int64_t eb) {
  if (a.empty() || b.empty()) return (a.empty() ? 0 : 1) - (b.empty() ? 0 : 1);
  // 10^(order-1) <= value < 10^order.
  int64_t oa = static_cast<int64_t>(a.size()) + ea;
  int64_t ob = static_cast<int64_t>(b.size()) + eb;
  if (oa != ob) return oa < ob ? -1 : 1;
  size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    char ca = i < a.size() ? a[i] : '0';
    char cb = i < b.size() ? b[i] : '0';
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

std::string UnsignedDigits(uint64_t v) { return std::to_string(v); }

uint64_t Magnitude(int64_t v) {
  return v < 0 ? 0ull - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

int64_t Pow10(int64_t k) {  // 0 <= k <= 18
  int64_t p = 1;
  while (k-- > 0) p *= 10;
  return p;
}

// v × 10^k (k >= 0), or false on overflow.
bool ScaleUpChecked(int64_t v, int64_t k, int64_t* out) {
  int64_t r = v;
  for (int64_t i = 0; i < k && r != 0; ++i) {
    if (__builtin_mul_overflow(r, int64_t{10}, &r)) return false;
  }
  *out = r;
  return true;
}

// v × 10^k (k >= 0) with saturation at the int64 limits.
int64_t SaturatingScaleUp(int64_t v, int64_t k) {
  int64_t r;
  if (ScaleUpChecked(v, k, &r)) return r;
  return v < 0 ? kMostNegative : kMostPositive;
}

// Go's removeInt64Factors: value == result × base^times, with Go's quirk that the most
// negative int64 is returned as is (its negation wraps).
void RemoveInt64Factors(int64_t value, int64_t base, int64_t* result, int32_t* times) {
  *times = 0;
  int64_t r = value;
  bool negative = r < 0;
  if (negative) r = Neg64(r);
  while (r >= base && r % base == 0) {
    ++*times;
    r /= base;
  }
  if (negative) r = Neg64(r);
  *result = r;
}

// inf.Dec's AsCanonicalBytes on ±digits×10^exp: Go's int32 exponent is lowered to a
// multiple of 3 one step at a time (wrapping like Go), multiplying the mantissa by 10.
void BigCanonical(bool negative, std::string_view digits, int64_t exp, std::string* number,
                  int32_t* exponent) {
  int32_t e = Wrap32(exp);
  size_t zeros = 0;
  while (e % 3 != 0) {
    ++zeros;
    e = Wrap32(static_cast<int64_t>(e) - 1);
  }
  number->clear();
  if (negative) number->push_back('-');
  number->append(digits);
  number->append(zeros, '0');
  *exponent = e;
}

void AppendDecimalSuffix(std::string* out, int32_t exponent, Format format) {
  if (format == Format::kDecimalExponent) {
    if (exponent != 0) {
      out->push_back('e');
      out->append(std::to_string(exponent));
    }
    return;
  }
  // DecimalSI: only n..E exist; for any other exponent Go (v1.33) writes no suffix.
  switch (exponent) {
    case -9: out->push_back('n'); break;
    case -6: out->push_back('u'); break;
    case -3: out->push_back('m'); break;
    case 3: out->push_back('k'); break;
    case 6: out->push_back('M'); break;
    case 9: out->push_back('G'); break;
    case 12: out->push_back('T'); break;
    case 15: out->push_back('P'); break;
    case 18: out->push_back('E'); break;
    default: break;
  }
}

// Go's strings.TrimSpace (unicode.IsSpace runes at both ends).
bool SpaceAt(std::string_view s, size_t i, size_t* width) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  size_t n = s.size() - i;
  unsigned char c = b(0);
  if (c == ' ' || (c >= '\t' && c <= '\r')) {
    *width = 1;
    return true;
  }
  if (c == 0xC2 && n >= 2 && (b(1) == 0x85 || b(1) == 0xA0)) {
    *width = 2;
    return true;
  }
  if (n >= 3) {
    unsigned c1 = b(1), c2 = b(2);
    bool space = (c == 0xE1 && c1 == 0x9A && c2 == 0x80) ||                           // U+1680
                 (c == 0xE2 && c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) ||           // U+2000-200A
                                              c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) ||  // 2028 2029 202F
                 (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) ||                           // U+205F
                 (c == 0xE3 && c1 == 0x80 && c2 == 0x80);                             // U+3000
    if (space) {
      *width = 3;
      return true;
    }
  }
  return false;
}

std::string_view GoTrimSpace(std::string_view s) {
  size_t w;
  while (!s.empty() && SpaceAt(s, 0, &w)) s.remove_prefix(w);
  while (!s.empty()) {
    // The last rune: a space is 1, 2 or 3 bytes long; its encoding ends the string.
    bool trimmed = false;
    for (size_t len = 1; len <= 3 && len <= s.size(); ++len) {
      if (SpaceAt(s, s.size() - len, &w) && w == len) {
        s.remove_suffix(len);
        trimmed = true;
        break;
      }
    }
    if (!trimmed) break;
  }
  return s;
}

}  // namespace

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kDecimalExponent: return "DecimalExponent";
    case Format::kBinarySI: return "BinarySI";
    case Format::kDecimalSI: return "DecimalSI";
    case Format::kNone: break;
  }
  return "";
}

// parseQuantityString's pieces: `value` is the signed number text (what inf.Dec parses),
// `num` its integer digits without leading zeros ("0" if none), `denom` the fraction
// digits, `suffix` the rest.
struct Quantity::Parts {
  bool positive = true;
  std::string_view value, num, denom, suffix;
};

namespace {

// quantity.go's parseQuantityString.
Status SplitQuantity(std::string_view str, bool* positive, std::string_view* value,
                     std::string_view* num, std::string_view* denom, std::string_view* suffix) {
  static constexpr std::string_view kZero = "0";
  *positive = true;
  size_t pos = 0;
  const size_t end = str.size();
  if (pos < end) {
    if (str[0] == '-') {
      *positive = false;
      ++pos;
    } else if (str[0] == '+') {
      ++pos;
    }
  }
  // Leading zeros.
  for (size_t i = pos;; ++i) {
    if (i >= end) {
      *num = kZero;
      *value = kZero;
      return Status::Ok();
    }
    if (str[i] != '0') break;
    ++pos;
  }
  // Integer digits.
  for (size_t i = pos;; ++i) {
    if (i >= end) {
      *num = str.substr(pos);
      *value = str;
      return Status::Ok();
    }
    if (!IsDigit(str[i])) {
      *num = str.substr(pos, i - pos);
      pos = i;
      break;
    }
  }
  if (num->empty()) *num = kZero;
  // Fraction.
  if (pos < end && str[pos] == '.') {
    ++pos;
    for (size_t i = pos;; ++i) {
      if (i >= end) {
        *denom = str.substr(pos);
        *value = str;
        return Status::Ok();
      }
      if (!IsDigit(str[i])) {
        *denom = str.substr(pos, i - pos);
        pos = i;
        break;
      }
    }
  }
  *value = str.substr(0, pos);
  // Suffix: letters, an optional sign, digits.
  const size_t suffix_start = pos;
  for (size_t i = pos;; ++i) {
    if (i >= end) {
      *suffix = str.substr(suffix_start);
      return Status::Ok();
    }
    if (!IsSuffixChar(str[i])) {
      pos = i;
      break;
    }
  }
  if (pos < end && (str[pos] == '-' || str[pos] == '+')) ++pos;
  for (size_t i = pos;; ++i) {
    if (i >= end) {
      *suffix = str.substr(suffix_start);
      return Status::Ok();
    }
    if (!IsDigit(str[i])) break;
  }
  return ErrFormatWrong();
}

}  // namespace

Result<Quantity> Quantity::Parse(std::string_view str) {
  if (str.empty()) return ErrFormatWrong();
  if (str == "0") {
    Quantity q;
    q.format_ = Format::kDecimalSI;
    q.kept_ = true;
    q.str_ = "0";
    return q;
  }
  Parts p;
  KS_RETURN_IF_ERROR(SplitQuantity(str, &p.positive, &p.value, &p.num, &p.denom, &p.suffix));
  Interpretation in;
  if (!Interpret(p.suffix, &in)) return ErrSuffix();

  // The int64 fast path.
  int64_t precision = 0;
  int32_t scale = 0;
  int64_t mantissa = 1;
  const int64_t digits = static_cast<int64_t>(p.num.size() + p.denom.size());
  if (in.format == Format::kBinarySI) {
    if (in.exponent >= 0 && p.denom.empty()) {
      mantissa = int64_t{1} << in.exponent;
      // Go: 15 - len(num) - int32(float32(exponent)*3/10) - 1; exact for exponents 10..60.
      precision = 15 - static_cast<int64_t>(p.num.size()) - in.exponent * 3 / 10 - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = in.exponent;
    precision = 18 - digits;
  }
  if (precision >= 0) {
    scale = Wrap32(static_cast<int64_t>(scale) - static_cast<int64_t>(p.denom.size()));
    if (scale >= -9) {
      std::string shifted;
      shifted.reserve(static_cast<size_t>(digits));
      shifted.append(p.num);
      shifted.append(p.denom);
      int64_t value;
      if (!GoParseInt64(shifted, &value)) return ErrNumeric();
      int64_t result;
      if (Int64Multiply(value, mantissa, &result)) {
        if (!p.positive) result = -result;
        Quantity q;
        q.i_value_ = result;
        q.i_scale_ = scale;
        q.format_ = in.format;
        // Already canonical: the text is kept.
        bool keep;
        if (in.format == Format::kBinarySI) {
          keep = in.exponent % 10 == 0 && (value & 0x07) != 0;
        } else {
          keep = scale % 3 == 0 && !std::string_view(shifted).ends_with("000") && shifted[0] != '0';
        }
        if (keep) {
          q.kept_ = true;
          q.str_.assign(str);
        } else {
          q.Canonicalize();
        }
        return q;
      }
    }
  }
  return ParseSlow(p, in.base, in.exponent, in.format);
}

// The inf.Dec path of ParseQuantity, computed on digits and an exponent.
Result<Quantity> Quantity::ParseSlow(const Parts& p, int32_t base, int32_t exponent,
                                     Format format) {
  // inf.Dec.SetString(value): an optional sign, digits with at most one '.', at least one
  // digit; its scale is the number of fraction digits.
  std::string_view v = p.value;
  size_t i = 0;
  bool negative = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    negative = v[0] == '-';
    i = 1;
  }
  std::string digits;
  digits.reserve(v.size());
  bool seen_dot = false;
  int64_t fraction_digits = 0;
  for (; i < v.size(); ++i) {
    if (v[i] == '.') {
      seen_dot = true;
      continue;
    }
    digits.push_back(v[i]);
    if (seen_dot) ++fraction_digits;
  }
  if (digits.empty()) return ErrNumeric();
  StripLeadingZeros(&digits);

  // value = digits × 10^(-inf_scale), inf_scale an int32 as in Go.
  int32_t inf_scale = Wrap32(fraction_digits);
  if (base == 10) {
    inf_scale = Wrap32(static_cast<int64_t>(inf_scale) + Neg32(exponent));
  } else if (!digits.empty()) {
    for (int32_t k = 0; k < exponent; k += 10) MultiplySmall(&digits, 1024);
  }

  Quantity q;
  q.is_dec_ = true;
  q.format_ = format;
  if (digits.empty()) {  // zero: Go skips the rounding
    q.go_scale_ = inf_scale;
    q.Canonicalize();
    return q;
  }
  int64_t exp = StripTrailingZeros(&digits) - static_cast<int64_t>(inf_scale);

  // amount.Round(amount, 9, inf.RoundUp) on the magnitude: inf.Dec computes the shift
  // 9 - scale in int32. When that wraps, Go divides by a power of ten with more than 2^31
  // digits (it hangs, or panics for one scale); the quotient it would reach is 0 with a
  // non-zero remainder, rounded up to 1e-9.
  if (int64_t{9} - inf_scale > std::numeric_limits<int32_t>::max()) {
    digits = "1";
    exp = -9;
  } else if (exp < -9) {
    int64_t drop = -9 - exp;
    if (drop >= static_cast<int64_t>(digits.size())) {
      digits = "1";  // the remainder is non-zero: digits has no trailing zeros
    } else {
      digits.resize(digits.size() - static_cast<size_t>(drop));
      Increment(&digits);
    }
    exp = -9 + StripTrailingZeros(&digits);
  }
  q.go_scale_ = 9;

  if (format == Format::kBinarySI) {
    if (CmpMagnitude(digits, exp, kMaxInt64Digits, 0) > 0) {  // capped at 2^63-1
      digits.assign(kMaxInt64Digits);
      exp = 0;
      q.go_scale_ = 0;
    }
    if (static_cast<int64_t>(digits.size()) + exp <= 0) {  // 0 < value < 1
      q.format_ = Format::kDecimalSI;
    }
  }
  q.negative_ = negative;
  q.digits_ = std::move(digits);
  q.exp_ = exp;
  q.Canonicalize();
  return q;
}

Quantity Quantity::New(int64_t value, Format format) { return NewScaled(value, 0, format); }

Quantity Quantity::NewMilli(int64_t value, Format format) { return NewScaled(value, -3, format); }

Quantity Quantity::NewScaled(int64_t value, int32_t scale, Format format) {
  Quantity q;
  q.i_value_ = value;
  q.i_scale_ = scale;
  q.format_ = format;
  q.Canonicalize();
  return q;
}

bool Quantity::IsZero() const { return is_dec_ ? digits_.empty() : i_value_ == 0; }

int Quantity::Sign() const {
  if (is_dec_) return digits_.empty() ? 0 : (negative_ ? -1 : 1);
  return i_value_ == 0 ? 0 : (i_value_ < 0 ? -1 : 1);
}

namespace {

// A value as sign, digits (no leading or trailing zeros) and exponent.
struct DecimalView {
  int sign = 0;
  std::string digits;
  int64_t exp = 0;
};

DecimalView ViewOfInt(int64_t value, int32_t scale) {
  DecimalView v;
  if (value == 0) return v;
  v.sign = value < 0 ? -1 : 1;
  v.digits = UnsignedDigits(Magnitude(value));
  v.exp = static_cast<int64_t>(scale) + StripTrailingZeros(&v.digits);
  return v;
}

int CmpViews(const DecimalView& a, const DecimalView& b) {
  if (a.sign != b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign == 0) return 0;
  int c = CmpMagnitude(a.digits, a.exp, b.digits, b.exp);
  return a.sign < 0 ? -c : c;
}

}  // namespace

int Quantity::Cmp(const Quantity& other) const {
  auto view = [](const Quantity& q) {
    if (!q.is_dec_) return ViewOfInt(q.i_value_, q.i_scale_);
    DecimalView v;
    v.sign = q.Sign();
    v.digits = q.digits_;
    v.exp = q.exp_;
    return v;
  };
  return CmpViews(view(*this), view(other));
}

int Quantity::CmpInt64(int64_t v) const {
  if (is_dec_) {
    DecimalView mine;
    mine.sign = Sign();
    mine.digits = digits_;
    mine.exp = exp_;
    return CmpViews(mine, ViewOfInt(v, 0));
  }
  return CmpViews(ViewOfInt(i_value_, i_scale_), ViewOfInt(v, 0));
}

int64_t Quantity::ScaledValue(int32_t scale) const {
  if (IsZero()) return 0;
  if (!is_dec_) {
    // int64Amount.AsScaledInt64: exact, rounding away from zero.
    int64_t diff = static_cast<int64_t>(i_scale_) - scale;
    if (diff >= 0) return SaturatingScaleUp(i_value_, diff);
    int64_t k = -diff;
    int64_t away = i_value_ > 0 ? 1 : -1;
    if (k >= 19) return away;
    int64_t p = Pow10(k);
    int64_t q = i_value_ / p;
    if (i_value_ % p != 0) q += away;
    return q;
  }
  // scale_int.go's scaledValue(unscaled, scale, newScale) on Go's inf.Dec: unscaled =
  // ±digits×10^(exp+go_scale) (an integer), newScale = -scale as an int32.
  const int64_t unscaled_exp = exp_ + go_scale_;
  const int64_t dif = static_cast<int64_t>(go_scale_) - Neg32(scale);
  // The magnitude of unscaled / 10^dif: integer part and whether a fraction remains.
  const int64_t point = unscaled_exp - dif;
  const int64_t n = static_cast<int64_t>(digits_.size());
  std::string integer;
  bool fraction = false;
  if (point >= 0) {
    if (n + point > 20) return negative_ ? kMostNegative : kMostPositive;
    integer = digits_;
    integer.append(static_cast<size_t>(point), '0');
  } else {
    fraction = true;  // digits_ has no trailing zeros
    if (-point < n) integer = digits_.substr(0, static_cast<size_t>(n + point));
  }
  unsigned __int128 mag = 0;
  for (char c : integer) mag = mag * 10 + static_cast<unsigned>(c - '0');
  const unsigned __int128 kLimit = static_cast<unsigned __int128>(kMostPositive) + 1;
  if (!negative_) {
    if (fraction) mag += 1;  // both of Go's branches round a positive value up
    return mag > static_cast<unsigned __int128>(kMostPositive) ? kMostPositive
                                                               : static_cast<int64_t>(mag);
  }
  if (fraction) {
    // Go's fast path (|unscaled| < MaxInt64 and dif < 19) truncates and adds 1; the big
    // path floors and adds 1, which is the truncated value.
    bool small = false;
    if (dif < 19) {
      int64_t len = n + unscaled_exp;
      if (len < 19) {
        small = true;
      } else if (len == 19) {
        std::string u = digits_;
        u.append(static_cast<size_t>(unscaled_exp), '0');
        small = u < kMaxInt64Digits;
      }
    }
    if (small) return 1 - static_cast<int64_t>(mag);  // mag < |unscaled| < 2^63-1
  }
  if (mag >= kLimit) return kMostNegative;
  return Neg64(static_cast<int64_t>(static_cast<uint64_t>(mag)));
}

void Quantity::ResetForJsonNull() {
  is_dec_ = false;
  i_value_ = 0;
  i_scale_ = 0;
  digits_.clear();
  negative_ = false;
  exp_ = 0;
  go_scale_ = 0;
  if (!kept_) str_ = "0";
}

// CanonicalizeBytes.
void Quantity::Canonicalize() {
  kept_ = false;
  str_.clear();
  if (IsZero()) {
    str_ = "0";
    return;
  }
  Format format = format_;
  switch (format) {
    case Format::kDecimalExponent:
    case Format::kDecimalSI:
      break;
    case Format::kBinarySI: {
      if (CmpInt64(-1024) > 0 && CmpInt64(1024) < 0) {
        format = Format::kDecimalSI;
        break;
      }
      // AsScale(0): only an integer value prints in BinarySI.
      int64_t integer = 0;
      bool exact;
      bool fits = true;
      if (!is_dec_) {
        if (i_scale_ >= 0) {
          exact = true;
          fits = ScaleUpChecked(i_value_, i_scale_, &integer);
        } else {
          int64_t k = -static_cast<int64_t>(i_scale_);
          exact = k < 19 && i_value_ % Pow10(k) == 0;
          if (exact) integer = i_value_ / Pow10(k);
        }
      } else {
        exact = exp_ >= 0;
        if (exact) {
          fits = CmpMagnitude(digits_, exp_, kMaxInt64Digits, 0) <= 0;
          if (fits) {
            std::string d = digits_;
            d.append(static_cast<size_t>(exp_), '0');
            GoParseInt64(d, &integer);
            if (negative_) integer = -integer;
          }
        }
      }
      if (!exact || !fits) {
        // Not exact: Go prints DecimalSI. Beyond int64 (unreachable from parsing, which
        // caps BinarySI at 2^63-1) Go would print a base-1024 mantissa; DecimalSI here.
        format = Format::kDecimalSI;
        break;
      }
      int64_t mantissa;
      int32_t times;
      RemoveInt64Factors(integer, 1024, &mantissa, &times);
      str_ = std::to_string(mantissa);
      static constexpr std::string_view kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
      if (times >= 1 && times <= 6) str_.append(kBinary[times]);
      return;
    }
    case Format::kNone:
      format = Format::kDecimalExponent;
      break;
  }
  AppendDecimalCanonical(&str_, format);
}

// AsCanonicalBytes (int64Amount or inf.Dec) plus the base-10 suffix.
void Quantity::AppendDecimalCanonical(std::string* out, Format format) const {
  std::string number;
  int32_t exponent;
  if (!is_dec_) {
    int64_t amount;
    int32_t times;
    RemoveInt64Factors(i_value_, 10, &amount, &times);
    exponent = Wrap32(static_cast<int64_t>(i_scale_) + times);
    bool ok = true;
    switch (exponent % 3) {
      case 1:
      case -2:
        ok = !__builtin_mul_overflow(amount, int64_t{10}, &amount);
        if (ok) exponent = Wrap32(static_cast<int64_t>(exponent) - 1);
        break;
      case 2:
      case -1:
        ok = !__builtin_mul_overflow(amount, int64_t{100}, &amount);
        if (ok) exponent = Wrap32(static_cast<int64_t>(exponent) - 2);
        break;
      default:
        break;
    }
    if (ok) {
      number = std::to_string(amount);
    } else {
      // Overflow: Go redoes it on inf.Dec.
      DecimalView v = ViewOfInt(i_value_, i_scale_);
      BigCanonical(v.sign < 0, v.digits, v.exp, &number, &exponent);
    }
  } else {
    BigCanonical(negative_, digits_, exp_, &number, &exponent);
  }
  out->append(number);
  AppendDecimalSuffix(out, exponent, format);
}

// ---------------------------------------------------------------------------------------
// Codecs

void AppendJson(typed::JsonWriter& w, const Quantity& q) {
  // Quantity strings never contain a character JSON escapes.
  std::string* out = w.out();
  out->push_back('"');
  out->append(q.String());
  out->push_back('"');
}

Status DecodeJson(const api::Value& in, Quantity* out, typed::DecodeContext& ctx) {
  std::string text;
  std::string_view s;
  switch (in.kind()) {
    case api::Value::Kind::kNull:
      out->ResetForJsonNull();
      return Status::Ok();
    case api::Value::Kind::kString: {
      const std::string& str = in.as_string();
      // These are escaped in the raw JSON, whose backslash Go's parser rejects.
      for (char c : str) {
        if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') {
          return ctx.CustomError(kErrFormatWrong);
        }
      }
      s = GoTrimSpace(str);
      break;
    }
    case api::Value::Kind::kInt:
      encoding::json::AppendInt(&text, in.as_int());
      s = text;
      break;
    case api::Value::Kind::kFloat:
      if (!encoding::json::AppendFloat64(&text, in.as_float()).ok()) {
        return ctx.CustomError(kErrFormatWrong);
      }
      s = text;
      break;
    default:  // true, false, [...], {...}: Go parses the raw bytes, which fail the format
      return ctx.CustomError(kErrFormatWrong);
  }
  Result<Quantity> q = Quantity::Parse(s);
  if (!q.ok()) return ctx.CustomError(q.status().message());
  *out = std::move(q).value();
  return Status::Ok();
}

size_t ProtoSize(const Quantity& q) { return pb::BytesFieldSize(1, q.String().size()); }

uint8_t* ProtoWrite(const Quantity& q, uint8_t* end) {
  return pb::WriteBytesFieldBackward(1, q.String(), end);
}

Status DecodeProto(std::string_view body, Quantity* out) {
  pb::Reader r(body);
  while (!r.done()) {
    uint64_t wire;
    KS_RETURN_IF_ERROR(r.ReadVarint(&wire));
    // Go: fieldNum := int32(wire >> 3).
    const int32_t field = static_cast<int32_t>(static_cast<uint32_t>(wire >> 3));
    const int wire_type = static_cast<int>(wire & 7);
    if (wire_type == 4) {
      return InvalidArgument("proto: Quantity: wiretype end group for non-group");
    }
    if (field <= 0) {
      return InvalidArgument("proto: Quantity: illegal tag " + std::to_string(field) +
                             " (wire type " + std::to_string(wire) + ")");
    }
    if (field == 1) {
      if (wire_type != 2) {
        return InvalidArgument("proto: wrong wireType = " + std::to_string(wire_type) +
                               " for field String_");
      }
      std::string_view s;
      KS_RETURN_IF_ERROR(r.ReadBytes(&s));
      KS_ASSIGN_OR_RETURN(*out, Quantity::Parse(s));
    } else {
      if (wire_type > 5) {
        return InvalidArgument("proto: illegal wireType " + std::to_string(wire_type));
      }
      KS_RETURN_IF_ERROR(r.Skip(static_cast<pb::WireType>(wire_type)));
    }
  }
  return Status::Ok();
}

}  // namespace kstream::k8s::apimachinery::resource
