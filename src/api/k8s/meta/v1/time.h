// The hand-written value types of k8s.io/apimachinery/pkg/apis/meta/v1 whose encodings are
// custom: Time, MicroTime, Duration and FieldsV1 (../shared/schema/JSON-RULES.md §8,
// PROTOBUF-RULES.md §6). Each fulfils the typed codec contract of api/typed/codec.h
// (AppendJson / DecodeJson / ProtoSize / ProtoWrite / DecodeProto / GoTypeName, found by
// argument-dependent lookup) byte for byte as kube-apiserver's Go code does.
//
// Time and MicroTime are instants: Unix seconds plus nanoseconds in [0, 1e9), with no time
// zone (Go keeps one, but every encoding writes UTC, so the zone is never observable).
// Go's zero time, 0001-01-01T00:00:00Z, is the default value and is "zero" (IsZero, JSON
// `null`, empty protobuf body). Note that the Unix epoch is *not* zero.
//   - Time writes whole seconds everywhere: JSON `"2008-01-01T01:01:01Z"`, protobuf
//     {1: seconds, 2: 0}; decoding keeps a JSON fraction in memory (as Go does) but
//     protobuf drops nanos (time_proto.go Unmarshal uses time.Unix(seconds, 0)).
//   - MicroTime writes 6 fraction digits in JSON and nanos truncated to whole
//     microseconds in protobuf (micro_time_proto.go truncates on write and on read, so
//     both forms agree); in memory it keeps whatever it was given (Now() has nanoseconds).
// Year formatting and the calendar reproduce Go's for every int64 second count (Go's own
// wrap-around included), so even absurd protobuf input prints as Go would print it.
//
// Duration is a signed nanosecond count (time.Duration): JSON is Duration.String()
// (`"1h0m0s"`, `"1.5µs"` with U+00B5), decoding is time.ParseDuration, protobuf {1: ns}.
//
// FieldsV1 holds raw bytes (JSON text of a managed-fields set) with []byte nil semantics:
// nil writes JSON `null` and no protobuf field; anything else, even empty, is written (an
// empty or invalid JSON value is an encode error, as encoding/json reports it for Go).
// Decoding JSON cannot keep the input's original text because api::Value is already
// parsed: the value is re-encoded compactly with api::AppendJson, so object members come
// out in sorted key order, duplicate keys collapse to the last, numbers are respelled
// (`1.0` -> `1`, `1e3` -> `1000`) and string escapes are normalised. Go would store the
// input bytes verbatim (whitespace included). For server-written managed fields (compact,
// sorted) the two agree.
//
// All types are plain values; functions are pure and thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "api/typed/codec.h"
#include "api/value.h"
#include "base/status.h"

namespace kstream::k8s::meta::v1 {

// Unix seconds of Go's zero time (0001-01-01T00:00:00Z).
inline constexpr int64_t kZeroTimeUnixSeconds = -62135596800;

namespace internal {

// What Time and MicroTime share: an instant as (Unix seconds, nanoseconds in [0, 1e9)).
struct Instant {
  int64_t sec = kZeroTimeUnixSeconds;
  int32_t nsec = 0;

  // time.Unix(sec, nsec): nsec outside [0, 1e9) carries into the seconds.
  static Instant FromUnix(int64_t sec, int64_t nsec);
  // The current wall-clock time.
  static Instant Now();
  // time.Date(year, month, day, hour, min, sec, nsec, time.UTC), normalising out-of-range
  // fields as Go does (month 13 is January of the next year, and so on). The result must
  // fit int64 Unix seconds (any year within about ±292 billion).
  static Instant FromUtc(int64_t year, int month, int day, int hour, int min, int sec,
                         int64_t nsec);

  bool IsZero() const { return sec == kZeroTimeUnixSeconds && nsec == 0; }
  friend auto operator<=>(const Instant&, const Instant&) = default;
};

// t.UTC().Format(layout) for RFC 3339 with `frac_digits` fraction digits (0: none; 6:
// always six, truncated), appended to *out.
void AppendRfc3339(std::string* out, const Instant& t, int frac_digits);

// time.Parse(time.RFC3339, s) (micro = false) or time.Parse(metav1.RFC3339Micro, s)
// (micro = true), with Go's error messages.
Result<Instant> ParseRfc3339(std::string_view s, bool micro);

// Go's time-package quoting of a string in error messages: ASCII verbatim (`"` and `\`
// escaped), every byte of a non-ASCII or control character as \xNN.
std::string GoTimeQuote(std::string_view s);

}  // namespace internal

// ---------------------------------------------------------------------------------------
// Time (metav1.Time)

class Time {
 public:
  Time() = default;  // Go's zero time

  static Time Now() { return Time(internal::Instant::Now()); }
  // time.Unix(seconds, nanos).
  static Time FromUnix(int64_t seconds, int64_t nanos = 0) {
    return Time(internal::Instant::FromUnix(seconds, nanos));
  }
  // time.Date(..., time.UTC).
  static Time FromUtc(int64_t year, int month, int day, int hour = 0, int min = 0, int sec = 0,
                      int64_t nanos = 0) {
    return Time(internal::Instant::FromUtc(year, month, day, hour, min, sec, nanos));
  }
  // time.Parse(time.RFC3339, s): any offset, an optional fraction (`.` or `,`, any number
  // of digits, kept to the nanosecond). Errors carry Go's message.
  static Result<Time> ParseRfc3339(std::string_view s);

  int64_t unix_seconds() const { return t_.sec; }
  int32_t nanos() const { return t_.nsec; }
  bool IsZero() const { return t_.IsZero(); }

  // The UTC RFC 3339 text with whole seconds ("2008-01-01T01:01:01Z"), as the JSON form
  // writes it (also for the zero time, which JSON writes as null).
  std::string FormatRfc3339() const;
  // A copy truncated to whole seconds (Go's Rfc3339Copy).
  Time Rfc3339Copy() const { return FromUnix(t_.sec, 0); }

  friend auto operator<=>(const Time&, const Time&) = default;
  friend bool operator==(const Time&, const Time&) = default;

 private:
  explicit Time(internal::Instant t) : t_(t) {}
  internal::Instant t_;
};

void AppendJson(typed::JsonWriter& w, const Time& v);
::kstream::Status DecodeJson(const api::Value& in, Time* out, typed::DecodeContext& ctx);
size_t ProtoSize(const Time& v);
uint8_t* ProtoWrite(const Time& v, uint8_t* end);
::kstream::Status DecodeProto(std::string_view body, Time* out);
inline std::string GoTypeName(const Time*) { return "v1.Time"; }

// ---------------------------------------------------------------------------------------
// MicroTime (metav1.MicroTime)

class MicroTime {
 public:
  MicroTime() = default;  // Go's zero time

  static MicroTime Now() { return MicroTime(internal::Instant::Now()); }
  static MicroTime FromUnix(int64_t seconds, int64_t nanos = 0) {
    return MicroTime(internal::Instant::FromUnix(seconds, nanos));
  }
  static MicroTime FromUtc(int64_t year, int month, int day, int hour = 0, int min = 0,
                           int sec = 0, int64_t nanos = 0) {
    return MicroTime(internal::Instant::FromUtc(year, month, day, hour, min, sec, nanos));
  }
  static MicroTime FromTime(const Time& t) { return FromUnix(t.unix_seconds(), t.nanos()); }
  // time.Parse("2006-01-02T15:04:05.000000Z07:00", s): exactly six fraction digits.
  static Result<MicroTime> ParseRfc3339Micro(std::string_view s);

  int64_t unix_seconds() const { return t_.sec; }
  int32_t nanos() const { return t_.nsec; }
  bool IsZero() const { return t_.IsZero(); }
  Time ToTime() const { return Time::FromUnix(t_.sec, t_.nsec); }

  // "2008-01-01T01:01:01.123456Z" (UTC, six digits, truncated).
  std::string FormatRfc3339Micro() const;

  friend auto operator<=>(const MicroTime&, const MicroTime&) = default;
  friend bool operator==(const MicroTime&, const MicroTime&) = default;

 private:
  explicit MicroTime(internal::Instant t) : t_(t) {}
  internal::Instant t_;
};

void AppendJson(typed::JsonWriter& w, const MicroTime& v);
::kstream::Status DecodeJson(const api::Value& in, MicroTime* out, typed::DecodeContext& ctx);
size_t ProtoSize(const MicroTime& v);
uint8_t* ProtoWrite(const MicroTime& v, uint8_t* end);
::kstream::Status DecodeProto(std::string_view body, MicroTime* out);
inline std::string GoTypeName(const MicroTime*) { return "v1.MicroTime"; }

// ---------------------------------------------------------------------------------------
// Duration (metav1.Duration)

class Duration {
 public:
  constexpr Duration() = default;
  constexpr explicit Duration(int64_t nanoseconds) : ns_(nanoseconds) {}
  static constexpr Duration FromNanoseconds(int64_t ns) { return Duration(ns); }
  static constexpr Duration FromSeconds(int64_t s) { return Duration(s * 1000000000); }

  // time.ParseDuration(s), with Go's error messages ("time: invalid duration \"x\"").
  static Result<Duration> Parse(std::string_view s);

  constexpr int64_t nanoseconds() const { return ns_; }
  // time.Duration.String(): "1h0m0s", "1.5s", "100ms", "1.5µs" (U+00B5), "0s".
  std::string String() const;

  friend constexpr auto operator<=>(const Duration&, const Duration&) = default;
  friend constexpr bool operator==(const Duration&, const Duration&) = default;

 private:
  int64_t ns_ = 0;
};

void AppendJson(typed::JsonWriter& w, const Duration& v);
::kstream::Status DecodeJson(const api::Value& in, Duration* out, typed::DecodeContext& ctx);
size_t ProtoSize(const Duration& v);
uint8_t* ProtoWrite(const Duration& v, uint8_t* end);
::kstream::Status DecodeProto(std::string_view body, Duration* out);
inline std::string GoTypeName(const Duration*) { return "v1.Duration"; }

// ---------------------------------------------------------------------------------------
// FieldsV1 (metav1.FieldsV1)

struct FieldsV1 {
  FieldsV1() = default;  // Raw nil
  // Raw set to `json` (non-nil, even if empty).
  explicit FieldsV1(std::string_view json) { raw.assign_bytes(json); }

  typed::Bytes raw;

  bool is_nil() const { return raw.is_nil(); }
  friend bool operator==(const FieldsV1& a, const FieldsV1& b) {
    return a.raw.is_nil() == b.raw.is_nil() && a.raw == b.raw;
  }
};

// nil -> null; Raw starting as CBOR does (0xf6, 0xa0-0xbf, 0xc6-0xdb) -> encode error, as
// kstream has no CBOR transcoder (Go would transcode it to JSON); otherwise Raw as a raw
// JSON value (compacted, re-indented; an invalid or empty Raw is an encode error).
void AppendJson(typed::JsonWriter& w, const FieldsV1& v);
// null leaves the value as it is; anything else becomes Raw (re-encoded, see the top).
::kstream::Status DecodeJson(const api::Value& in, FieldsV1* out, typed::DecodeContext& ctx);
size_t ProtoSize(const FieldsV1& v);
uint8_t* ProtoWrite(const FieldsV1& v, uint8_t* end);
::kstream::Status DecodeProto(std::string_view body, FieldsV1* out);
inline std::string GoTypeName(const FieldsV1*) { return "v1.FieldsV1"; }

}  // namespace kstream::k8s::meta::v1
