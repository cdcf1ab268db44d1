#include "api/k8s/meta/v1/time.h"

#include <chrono>
#include <cstring>

#include "api/json.h"
#include "encoding/utf8.h"

namespace kstream::k8s::meta::v1 {

namespace pb = encoding::protobuf;

namespace {

constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kSecondsPerDay = 86400;

// Go's time package counts "absolute" seconds (a uint64) from March 1 of the year
// -292277022400, a 400-year-cycle boundary far enough back that every date computation is
// on non-negative numbers. kUnixToAbsolute is the Unix epoch in that count; Go adds it
// with wrap-around, so do we, which makes our calendar agree with Go's for every int64.
constexpr uint64_t kAbsoluteYears = 292277022400;
constexpr uint64_t kUnixToAbsolute = 9223372028741760000ULL;
constexpr uint32_t kMarchThroughDecember = 306;  // days from March 1 to December 31

int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLeap(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysIn(int month, int64_t year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeap(year)) return 29;
  return kDays[month - 1];
}

// Days from 1970-01-01 to year-month-day of the proleptic Gregorian calendar (month in
// [1, 12]; day may be any value, counting on from the first of the month).
int64_t DaysFromCivil(int64_t year, int month, int64_t day) {
  // Shift the year to start on March 1 so the leap day is the year's last day.
  const int64_t y = month <= 2 ? year - 1 : year;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;                              // [0, 399]
  const int64_t month_from_march = month > 2 ? month - 3 : month + 9;     // [0, 11]
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;  // March 1 = 0
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;  // 719468: 0000-03-01 to 1970-01-01
}

struct Civil {
  int64_t year;
  int month, day, hour, min, sec;
};

// The UTC calendar fields of a Unix second count, exactly as Go computes them.
Civil ToCivil(int64_t unix_sec) {
  const uint64_t abs = static_cast<uint64_t>(unix_sec) + kUnixToAbsolute;
  const uint64_t days = abs / kSecondsPerDay;
  const uint32_t secs = static_cast<uint32_t>(abs % kSecondsPerDay);
  // Split the day count into 400/100-year centuries, years within the century and the
  // day within the (March-based) year.
  const uint64_t d = 4 * days + 3;
  const uint64_t century = d / 146097;
  const uint32_t cdays4 = static_cast<uint32_t>(d % 146097) / 4 * 4 + 3;
  const uint32_t cyear = cdays4 / 1461;
  const uint32_t yday = cdays4 % 1461 / 4;  // 0 = March 1
  const uint32_t amonth = (5 * yday + 461) / 153;  // 3 = March ... 14 = February
  const uint32_t mday = (5 * yday + 461) % 153 / 5;
  const uint32_t jan_feb = yday >= kMarchThroughDecember ? 1 : 0;
  Civil c;
  c.year = static_cast<int64_t>(century * 100 - kAbsoluteYears) + cyear + jan_feb;
  c.month = static_cast<int>(amonth - 12 * jan_feb);
  c.day = static_cast<int>(mday + 1);
  c.hour = static_cast<int>(secs / 3600);
  c.min = static_cast<int>(secs / 60 % 60);
  c.sec = static_cast<int>(secs % 60);
  return c;
}

// Go's appendInt(b, x, width): a '-' for negatives, then the magnitude zero-padded.
void AppendPadded(std::string* out, int64_t x, int width) {
  uint64_t u = static_cast<uint64_t>(x);
  if (x < 0) {
    out->push_back('-');
    u = 0 - u;
  }
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u > 0);
  for (int pad = width - n; pad > 0; --pad) out->push_back('0');
  while (n > 0) out->push_back(digits[--n]);
}

// Go's getnum: one or two digits (fixed: exactly two). Consumes them on success.
bool GetNum(std::string_view* s, bool fixed, int* out) {
  if (s->empty() || !IsDigit((*s)[0])) return false;
  if (s->size() < 2 || !IsDigit((*s)[1])) {
    if (fixed) return false;
    *out = (*s)[0] - '0';
    s->remove_prefix(1);
    return true;
  }
  *out = ((*s)[0] - '0') * 10 + ((*s)[1] - '0');
  s->remove_prefix(2);
  return true;
}

// Go's atoi for short strings (an optional sign, then only digits; "" and "-" are 0).
bool SmallAtoi(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int64_t x = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    x = x * 10 + (c - '0');
  }
  *out = neg ? -x : x;
  return true;
}

// Go's parseNanoseconds for a fraction of `nbytes` bytes starting with the separator,
// which the callers have checked to be all digits after the separator (the RFC 3339
// special case) or not (the fixed-width layout element).
bool ParseNanoseconds(std::string_view value, size_t nbytes, int64_t* ns) {
  if (value[0] != '.' && value[0] != ',') return false;
  if (nbytes > 10) nbytes = 10;
  if (!SmallAtoi(value.substr(1, nbytes - 1), ns)) return false;
  if (*ns < 0) return true;  // the caller reports "fractional second out of range"
  for (size_t i = nbytes; i < 10; ++i) *ns *= 10;
  return true;
}

constexpr std::string_view kLayoutRfc3339 = "2006-01-02T15:04:05Z07:00";
constexpr std::string_view kLayoutRfc3339Micro = "2006-01-02T15:04:05.000000Z07:00";

// time.Parse for the two layouts above, element by element as Go's general parser walks
// them (its RFC 3339 fast path accepts a subset of this with the same results), with the
// same errors in the same order.
class LayoutParser {
 public:
  LayoutParser(std::string_view value, bool micro)
      : layout_(micro ? kLayoutRfc3339Micro : kLayoutRfc3339), value_(value), v_(value),
        micro_(micro) {}

  Result<internal::Instant> Parse() {
    // 2006
    std::string_view hold = v_;
    if (v_.size() < 4) return CannotParse(hold, "2006");
    int64_t year = 0;
    for (int i = 0; i < 4; ++i) {
      if (!IsDigit(v_[i])) return CannotParse(hold, "2006");
      year = year * 10 + (v_[i] - '0');
    }
    v_.remove_prefix(4);
    KS_RETURN_IF_ERROR(Skip('-'));
    // 01
    hold = v_;
    int month = 0;
    if (!GetNum(&v_, true, &month)) return CannotParse(hold, "01");
    if (month < 1 || month > 12) return OutOfRangeError("month");
    KS_RETURN_IF_ERROR(Skip('-'));
    // 02 (validated against the month once everything else parsed, as Go does)
    hold = v_;
    int day = 0;
    if (!GetNum(&v_, true, &day)) return CannotParse(hold, "02");
    KS_RETURN_IF_ERROR(Skip('T'));
    // 15: one or two digits
    hold = v_;
    int hour = 0;
    if (!GetNum(&v_, false, &hour)) return CannotParse(hold, "15");
    if (hour >= 24) return OutOfRangeError("hour");
    KS_RETURN_IF_ERROR(Skip(':'));
    // 04
    hold = v_;
    int min = 0;
    if (!GetNum(&v_, true, &min)) return CannotParse(hold, "04");
    if (min >= 60) return OutOfRangeError("minute");
    KS_RETURN_IF_ERROR(Skip(':'));
    // 05, and a fraction the layout does not ask for
    hold = v_;
    int sec = 0;
    if (!GetNum(&v_, true, &sec)) return CannotParse(hold, "05");
    if (sec >= 60) return OutOfRangeError("second");
    int64_t nsec = 0;
    if (!micro_ && v_.size() >= 2 && (v_[0] == '.' || v_[0] == ',') && IsDigit(v_[1])) {
      size_t n = 2;
      while (n < v_.size() && IsDigit(v_[n])) ++n;
      ParseNanoseconds(v_, n, &nsec);  // cannot fail: all digits
      v_.remove_prefix(n);
    }
    // .000000: exactly a separator and six characters that atoi accepts
    if (micro_) {
      hold = v_;
      if (v_.size() < 7 || !ParseNanoseconds(v_, 7, &nsec)) return CannotParse(hold, ".000000");
      if (nsec < 0) return OutOfRangeError("fractional second");
      v_.remove_prefix(7);
    }
    // Z07:00
    hold = v_;
    int64_t offset = 0;
    if (!v_.empty() && v_[0] == 'Z') {
      v_.remove_prefix(1);
    } else {
      if (v_.size() < 6 || v_[3] != ':') return CannotParse(hold, "Z07:00");
      const char sign = v_[0];
      std::string_view hh = v_.substr(1, 2);
      std::string_view mm = v_.substr(4, 2);
      v_.remove_prefix(6);
      int hr = 0;
      int mn = 0;
      bool ok = GetNum(&hh, true, &hr) && GetNum(&mm, true, &mn);
      // Go allows 24 hours and 60 minutes ("some people do write offsets of 24 hours").
      const char* range = nullptr;
      if (hr > 24) range = "time zone offset hour";
      if (mn > 60) range = "time zone offset minute";
      if (sign != '+' && sign != '-') ok = false;
      if (range != nullptr) return OutOfRangeError(range);
      if (!ok) return CannotParse(hold, "Z07:00");
      offset = (int64_t{hr} * 60 + mn) * 60;
      if (sign == '-') offset = -offset;
    }
    if (!v_.empty()) return Error(": extra text: " + internal::GoTimeQuote(v_));
    if (day < 1 || day > DaysIn(month, year)) return Error(": day out of range");

    internal::Instant t;
    t.sec = DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 + min * 60 + sec -
            offset;
    t.nsec = static_cast<int32_t>(nsec);
    return t;
  }

 private:
  // `parsing time "<value>" as "<layout>": cannot parse "<elem>" as "<layout elem>"`
  ::kstream::Status CannotParse(std::string_view value_elem, std::string_view layout_elem) const {
    return InvalidArgument("parsing time " + internal::GoTimeQuote(value_) + " as " +
                           internal::GoTimeQuote(layout_) + ": cannot parse " +
                           internal::GoTimeQuote(value_elem) + " as " +
                           internal::GoTimeQuote(layout_elem));
  }
  ::kstream::Status Error(const std::string& message) const {
    return InvalidArgument("parsing time " + internal::GoTimeQuote(value_) + message);
  }
  ::kstream::Status OutOfRangeError(std::string_view what) const {
    return Error(": " + std::string(what) + " out of range");
  }
  // A literal layout character.
  ::kstream::Status Skip(char c) {
    if (v_.empty() || v_[0] != c) return CannotParse(v_, std::string_view(&c, 1));
    v_.remove_prefix(1);
    return ::kstream::Status::Ok();
  }

  std::string_view layout_;
  std::string_view value_;
  std::string_view v_;  // what is left to parse
  bool micro_;
};

// JSON decoding shared by Time and MicroTime (their UnmarshalJSON): null is the zero
// time; a string is parsed; anything else fails as json.Unmarshal into a string does.
::kstream::Status DecodeInstantJson(const api::Value& in, bool micro, internal::Instant* out,
                         typed::DecodeContext& ctx) {
  if (in.is_null()) {
    *out = internal::Instant();
    return ::kstream::Status::Ok();
  }
  if (!in.is_string()) return ctx.TypeError(in, "string");
  Result<internal::Instant> t = internal::ParseRfc3339(in.as_string(), micro);
  if (!t.ok()) return ctx.CustomError(t.status().message());
  *out = *t;
  return ::kstream::Status::Ok();
}

// metav1.Timestamp {1: seconds, 2: nanos}, both always written.
size_t TimestampSize(int64_t sec, int32_t nsec) {
  return typed::IntFieldSize(1, sec) + typed::IntFieldSize(2, nsec);
}
uint8_t* WriteTimestamp(int64_t sec, int32_t nsec, uint8_t* end) {
  end = typed::WriteIntField(2, nsec, end);
  return typed::WriteIntField(1, sec, end);
}
::kstream::Status ReadTimestamp(std::string_view body, int64_t* sec, int32_t* nsec) {
  pb::Reader r(body);
  while (!r.done()) {
    uint32_t field;
    pb::WireType wt;
    KS_RETURN_IF_ERROR(r.Next(&field, &wt));
    if (field == 1) {
      KS_RETURN_IF_ERROR(typed::ReadInt64(r, wt, "Seconds", sec));
    } else if (field == 2) {
      KS_RETURN_IF_ERROR(typed::ReadInt32(r, wt, "Nanos", nsec));
    } else {
      KS_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return ::kstream::Status::Ok();
}

// Go's time.Duration.format helpers: the fraction of v / 10^prec (trailing zeros and a
// bare '.' omitted) and the integer, written backwards ending at buf[w].
int FormatFraction(char* buf, int w, uint64_t* v, int prec) {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const uint64_t digit = *v % 10;
    print = print || digit != 0;
    if (print) buf[--w] = static_cast<char>('0' + digit);
    *v /= 10;
  }
  if (print) buf[--w] = '.';
  return w;
}
int FormatInt(char* buf, int w, uint64_t v) {
  if (v == 0) {
    buf[--w] = '0';
    return w;
  }
  while (v > 0) {
    buf[--w] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return w;
}

constexpr uint64_t kTwo63 = uint64_t{1} << 63;

// Go's leadingInt: the leading digits of *s (consumed); false on overflow past 2^63.
bool LeadingInt(std::string_view* s, uint64_t* x) {
  *x = 0;
  size_t i = 0;
  for (; i < s->size() && IsDigit((*s)[i]); ++i) {
    if (*x > kTwo63 / 10) return false;
    *x = *x * 10 + static_cast<uint64_t>((*s)[i] - '0');
    if (*x > kTwo63) return false;
  }
  s->remove_prefix(i);
  return true;
}

// Go's leadingFraction: the leading digits of *s as x / scale; past int64 precision the
// remaining digits are consumed but ignored.
void LeadingFraction(std::string_view* s, uint64_t* x, double* scale) {
  *x = 0;
  *scale = 1;
  bool overflow = false;
  size_t i = 0;
  for (; i < s->size() && IsDigit((*s)[i]); ++i) {
    if (overflow) continue;
    if (*x > (kTwo63 - 1) / 10) {
      overflow = true;
      continue;
    }
    const uint64_t y = *x * 10 + static_cast<uint64_t>((*s)[i] - '0');
    if (y > kTwo63) {
      overflow = true;
      continue;
    }
    *x = y;
    *scale *= 10;
  }
  s->remove_prefix(i);
}

uint64_t DurationUnit(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xc2\xb5s" || u == "\xce\xbcs") return 1000;  // U+00B5, U+03BC
  if (u == "ms") return 1000000;
  if (u == "s") return 1000000000;
  if (u == "m") return 60000000000;
  if (u == "h") return 3600000000000;
  return 0;
}

// Whether FieldsV1 bytes start as a CBOR value would (null, a map, or a tag).
bool LooksLikeCbor(std::string_view raw) {
  if (raw.empty()) return false;
  const auto c = static_cast<unsigned char>(raw[0]);
  return c == 0xf6 || (c >= 0xa0 && c <= 0xbf) || (c >= 0xc6 && c <= 0xdb);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Instant

namespace internal {

Instant Instant::FromUnix(int64_t sec, int64_t nsec) {
  if (nsec < 0 || nsec >= kNanosPerSecond) {
    const int64_t n = nsec / kNanosPerSecond;
    sec = WrapAdd(sec, n);
    nsec -= n * kNanosPerSecond;
    if (nsec < 0) {
      nsec += kNanosPerSecond;
      sec = WrapAdd(sec, -1);
    }
  }
  Instant t;
  t.sec = sec;
  t.nsec = static_cast<int32_t>(nsec);
  return t;
}

Instant Instant::Now() {
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  int64_t sec = ns / kNanosPerSecond;
  int64_t rem = ns % kNanosPerSecond;
  if (rem < 0) {
    rem += kNanosPerSecond;
    --sec;
  }
  return FromUnix(sec, rem);
}

Instant Instant::FromUtc(int64_t year, int month, int day, int hour, int min, int sec,
                         int64_t nsec) {
  // Go's norm(): carry an out-of-range low field into the next one up.
  auto norm = [](int64_t* hi, int64_t* lo, int64_t base) {
    if (*lo < 0) {
      const int64_t n = (-*lo - 1) / base + 1;
      *hi -= n;
      *lo += n * base;
    }
    if (*lo >= base) {
      const int64_t n = *lo / base;
      *hi += n;
      *lo -= n * base;
    }
  };
  int64_t m = month - 1;
  norm(&year, &m, 12);
  int64_t s = sec, mi = min, h = hour, d = day;
  norm(&s, &nsec, kNanosPerSecond);
  norm(&mi, &s, 60);
  norm(&h, &mi, 60);
  norm(&d, &h, 24);
  Instant t;
  t.sec = DaysFromCivil(year, static_cast<int>(m + 1), d) * kSecondsPerDay + h * 3600 + mi * 60 + s;
  t.nsec = static_cast<int32_t>(nsec);
  return t;
}

void AppendRfc3339(std::string* out, const Instant& t, int frac_digits) {
  const Civil c = ToCivil(t.sec);
  AppendPadded(out, c.year, 4);
  out->push_back('-');
  AppendPadded(out, c.month, 2);
  out->push_back('-');
  AppendPadded(out, c.day, 2);
  out->push_back('T');
  AppendPadded(out, c.hour, 2);
  out->push_back(':');
  AppendPadded(out, c.min, 2);
  out->push_back(':');
  AppendPadded(out, c.sec, 2);
  if (frac_digits > 0) {
    out->push_back('.');
    int64_t frac = t.nsec;
    for (int i = frac_digits; i < 9; ++i) frac /= 10;  // truncated, as Go's appendNano
    AppendPadded(out, frac, frac_digits);
  }
  out->push_back('Z');
}

Result<Instant> ParseRfc3339(std::string_view s, bool micro) {
  return LayoutParser(s, micro).Parse();
}

std::string GoTimeQuote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = p[i];
    if (c >= 0x20 && c < 0x80) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // A control character, or every byte of a (valid or not) non-ASCII character.
    size_t width = 1;
    if (c >= 0x80) {
      width = encoding::ValidMultiByteUtf8Length(p + i, s.size() - i);
      if (width == 0) width = 1;
    }
    for (size_t j = 0; j < width; ++j) {
      out.append("\\x");
      out.push_back(kHex[p[i + j] >> 4]);
      out.push_back(kHex[p[i + j] & 0xf]);
    }
    i += width;
  }
  out.push_back('"');
  return out;
}

}  // namespace internal

// ---------------------------------------------------------------------------------------
// Time

Result<Time> Time::ParseRfc3339(std::string_view s) {
  KS_ASSIGN_OR_RETURN(internal::Instant t, internal::ParseRfc3339(s, false));
  return Time(t);
}

std::string Time::FormatRfc3339() const {
  std::string out;
  internal::AppendRfc3339(&out, t_, 0);
  return out;
}

void AppendJson(typed::JsonWriter& w, const Time& v) {
  if (v.IsZero()) {
    w.Null();
    return;
  }
  w.String(v.FormatRfc3339());
}

::kstream::Status DecodeJson(const api::Value& in, Time* out, typed::DecodeContext& ctx) {
  internal::Instant t;
  KS_RETURN_IF_ERROR(DecodeInstantJson(in, false, &t, ctx));
  *out = Time::FromUnix(t.sec, t.nsec);
  return ::kstream::Status::Ok();
}

// Go (time_proto.go) writes Timestamp{Seconds: t.Unix()} and leaves Nanos 0 on purpose.
size_t ProtoSize(const Time& v) { return v.IsZero() ? 0 : TimestampSize(v.unix_seconds(), 0); }

uint8_t* ProtoWrite(const Time& v, uint8_t* end) {
  if (v.IsZero()) return end;
  return WriteTimestamp(v.unix_seconds(), 0, end);
}

// An empty body is the zero time; otherwise time.Unix(seconds, 0): nanos are ignored, and
// seconds 0 (or absent) is the Unix epoch, not the zero time.
::kstream::Status DecodeProto(std::string_view body, Time* out) {
  if (body.empty()) {
    *out = Time();
    return ::kstream::Status::Ok();
  }
  int64_t sec = 0;
  int32_t nsec = 0;
  KS_RETURN_IF_ERROR(ReadTimestamp(body, &sec, &nsec));
  *out = Time::FromUnix(sec, 0);
  return ::kstream::Status::Ok();
}

// ---------------------------------------------------------------------------------------
// MicroTime

Result<MicroTime> MicroTime::ParseRfc3339Micro(std::string_view s) {
  KS_ASSIGN_OR_RETURN(internal::Instant t, internal::ParseRfc3339(s, true));
  return MicroTime(t);
}

std::string MicroTime::FormatRfc3339Micro() const {
  std::string out;
  internal::AppendRfc3339(&out, t_, 6);
  return out;
}

void AppendJson(typed::JsonWriter& w, const MicroTime& v) {
  if (v.IsZero()) {
    w.Null();
    return;
  }
  w.String(v.FormatRfc3339Micro());
}

::kstream::Status DecodeJson(const api::Value& in, MicroTime* out, typed::DecodeContext& ctx) {
  internal::Instant t;
  KS_RETURN_IF_ERROR(DecodeInstantJson(in, true, &t, ctx));
  *out = MicroTime::FromUnix(t.sec, t.nsec);
  return ::kstream::Status::Ok();
}

// Go (micro_time_proto.go) writes Timestamp{Seconds: t.Unix(), Nanos: t.Nanosecond()
// truncated to whole microseconds}, to agree with the JSON form.
size_t ProtoSize(const MicroTime& v) {
  return v.IsZero() ? 0 : TimestampSize(v.unix_seconds(), v.nanos() / 1000 * 1000);
}

uint8_t* ProtoWrite(const MicroTime& v, uint8_t* end) {
  if (v.IsZero()) return end;
  return WriteTimestamp(v.unix_seconds(), v.nanos() / 1000 * 1000, end);
}

::kstream::Status DecodeProto(std::string_view body, MicroTime* out) {
  if (body.empty()) {
    *out = MicroTime();
    return ::kstream::Status::Ok();
  }
  int64_t sec = 0;
  int32_t nsec = 0;
  KS_RETURN_IF_ERROR(ReadTimestamp(body, &sec, &nsec));
  // time.Duration(nanos).Truncate(time.Microsecond) (towards zero, so -1500 is -1000),
  // then time.Unix(seconds, that), which carries negative or large nanos into seconds.
  *out = MicroTime::FromUnix(sec, nsec - nsec % 1000);
  return ::kstream::Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Duration

std::string Duration::String() const {
  // Largest: "-2562047h47m16.854775808s".
  char buf[32];
  int w = sizeof(buf);
  uint64_t u = static_cast<uint64_t>(ns_);
  const bool neg = ns_ < 0;
  if (neg) u = 0 - u;
  if (u < static_cast<uint64_t>(kNanosPerSecond)) {
    // Below a second: the largest of ns, µs, ms in which the value is at least 1.
    int prec = 0;
    buf[--w] = 's';
    --w;
    if (u == 0) {
      buf[w] = '0';
      return std::string(buf + w, sizeof(buf) - w);
    } else if (u < 1000) {
      prec = 0;
      buf[w] = 'n';
    } else if (u < 1000000) {
      prec = 3;
      --w;  // U+00B5 MICRO SIGN takes two bytes
      buf[w] = '\xc2';
      buf[w + 1] = '\xb5';
    } else {
      prec = 6;
      buf[w] = 'm';
    }
    w = FormatFraction(buf, w, &u, prec);
    w = FormatInt(buf, w, u);
  } else {
    buf[--w] = 's';
    w = FormatFraction(buf, w, &u, 9);
    w = FormatInt(buf, w, u % 60);  // seconds
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      w = FormatInt(buf, w, u % 60);  // minutes
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        w = FormatInt(buf, w, u);  // hours: the largest unit (days vary in length)
      }
    }
  }
  if (neg) buf[--w] = '-';
  return std::string(buf + w, sizeof(buf) - w);
}

Result<Duration> Duration::Parse(std::string_view orig) {
  auto invalid = [&] { return InvalidArgument("time: invalid duration " + internal::GoTimeQuote(orig)); };
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return Duration(0);
  if (s.empty()) return invalid();
  uint64_t d = 0;
  while (!s.empty()) {
    // [0-9]*(\.[0-9]*)?[^0-9.]+
    if (!(s[0] == '.' || IsDigit(s[0]))) return invalid();
    size_t before = s.size();
    uint64_t v = 0;
    if (!LeadingInt(&s, &v)) return invalid();
    const bool pre = before != s.size();
    bool post = false;
    uint64_t f = 0;
    double scale = 1;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      before = s.size();
      LeadingFraction(&s, &f, &scale);
      post = before != s.size();
    }
    if (!pre && !post) return invalid();  // no digits, e.g. ".s"
    size_t i = 0;
    while (i < s.size() && s[i] != '.' && !IsDigit(s[i])) ++i;
    if (i == 0) {
      return InvalidArgument("time: missing unit in duration " + internal::GoTimeQuote(orig));
    }
    const std::string_view u = s.substr(0, i);
    s.remove_prefix(i);
    const uint64_t unit = DurationUnit(u);
    if (unit == 0) {
      return InvalidArgument("time: unknown unit " + internal::GoTimeQuote(u) + " in duration " +
                             internal::GoTimeQuote(orig));
    }
    if (v > kTwo63 / unit) return invalid();
    v *= unit;
    if (f > 0) {
      // float64, as Go computes it, to be exact to the nanosecond for fractions of hours.
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kTwo63) return invalid();
    }
    d += v;  // wraps as Go's uint64 does
    if (d > kTwo63) return invalid();
  }
  if (neg) return Duration(static_cast<int64_t>(0 - d));
  if (d > kTwo63 - 1) return invalid();
  return Duration(static_cast<int64_t>(d));
}

void AppendJson(typed::JsonWriter& w, const Duration& v) { w.String(v.String()); }

// UnmarshalJSON: json.Unmarshal into a string (null leaves it "", which ParseDuration
// rejects: a JSON null Duration is an error in Go too), then time.ParseDuration.
::kstream::Status DecodeJson(const api::Value& in, Duration* out, typed::DecodeContext& ctx) {
  std::string_view s;
  if (in.is_string()) {
    s = in.as_string();
  } else if (!in.is_null()) {
    return ctx.TypeError(in, "string");
  }
  Result<Duration> d = Duration::Parse(s);
  if (!d.ok()) return ctx.CustomError(d.status().message());
  *out = *d;
  return ::kstream::Status::Ok();
}

size_t ProtoSize(const Duration& v) { return typed::IntFieldSize(1, v.nanoseconds()); }

uint8_t* ProtoWrite(const Duration& v, uint8_t* end) {
  return typed::WriteIntField(1, v.nanoseconds(), end);
}

::kstream::Status DecodeProto(std::string_view body, Duration* out) {
  pb::Reader r(body);
  while (!r.done()) {
    uint32_t field;
    pb::WireType wt;
    KS_RETURN_IF_ERROR(r.Next(&field, &wt));
    if (field == 1) {
      int64_t ns = 0;
      KS_RETURN_IF_ERROR(typed::ReadInt64(r, wt, "Duration", &ns));
      *out = Duration(ns);
    } else {
      KS_RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return ::kstream::Status::Ok();
}

// ---------------------------------------------------------------------------------------
// FieldsV1

void AppendJson(typed::JsonWriter& w, const FieldsV1& v) {
  if (v.raw.is_nil()) {
    w.Null();
    return;
  }
  if (LooksLikeCbor(v.raw)) {
    w.Fail(Unimplemented(
        "json: error calling MarshalJSON for type v1.FieldsV1: CBOR-encoded fields are not "
        "supported"));
    return;
  }
  w.RawJson(v.raw);
}

::kstream::Status DecodeJson(const api::Value& in, FieldsV1* out, typed::DecodeContext& /*ctx*/) {
  if (in.is_null()) return ::kstream::Status::Ok();
  std::string raw;
  KS_RETURN_IF_ERROR(api::AppendJson(in, &raw));
  out->raw.assign_bytes(raw);
  return ::kstream::Status::Ok();
}

size_t ProtoSize(const FieldsV1& v) { return typed::RawBytesMessageSize(v.raw); }

uint8_t* ProtoWrite(const FieldsV1& v, uint8_t* end) { return typed::WriteRawBytesMessage(v.raw, end); }

::kstream::Status DecodeProto(std::string_view body, FieldsV1* out) {
  return typed::DecodeRawBytesMessage(body, &out->raw);
}

}  // namespace kstream::k8s::meta::v1
