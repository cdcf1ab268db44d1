// resource.Quantity (k8s.io/apimachinery/pkg/api/resource): a fixed-point decimal number
// with a unit suffix ("100m", "1.5Gi", "2e3"), with the exact text, JSON and protobuf
// behaviour of Kubernetes v1.33 (../shared/schema/JSON-RULES.md §8.4, PROTOBUF-RULES.md §6;
// upstream quantity.go, amount.go, suffix.go, math.go, scale_int.go, quantity_proto.go).
//
// What Go does, and so what this does:
//   - Parse (Go's ParseQuantity) splits sign, digits, fraction and suffix; a value that fits
//     the int64 fast path keeps its original text when that text is already "canonical"
//     (so "+1", "1E3" and "100.035k" are written back verbatim); anything else is computed
//     exactly (arbitrary precision), rounded up (away from zero) to a multiple of 1e-9, and
//     BinarySI values are capped at 2^63-1.
//   - String() is that kept text, or the canonical form (CanonicalizeBytes), including
//     Go's quirks: a DecimalSI exponent beyond the suffix table prints no suffix at all
//     ("1000E" is 10^21 but prints "1"), exponents wrap like Go's int32 ("1.5e-2147483648"
//     prints "150e2147483646"), and Go's two internal representations (int64Amount and
//     inf.Dec) are mirrored so that their few differences show as in Go.
//   - JSON: always a string, never null. Protobuf: {1: String()}, always written.
//
// Go computes the slow path with math/big and inf.Dec, whose cost grows with the size of
// the exponent; here a value is digits plus an exponent, so every input (10,000 digits,
// "1e-999999999") is handled in time linear in its length. Where Go itself would hang or
// panic (the scale arithmetic of inf.Dec wrapping around int32, e.g.
// "1234567890123456789e2147483647"), the result is the one Go's code defines if it finished:
// the magnitude rounds up to 1e-9. Input longer than 2^31 bytes (where Go's int32 length
// arithmetic would wrap) is not modelled.
//
// Upstream changed after v1.33 (kubernetes#140459, 2026): a DecimalSI exponent beyond the
// suffix table falls back to "e" notation ("1000E" prints "1e21"). This follows v1.33 and
// JSON-RULES.md; the switch is the default case of AppendDecimalSuffix in quantity.cc.
//
// Deliberate differences from Go, none reachable through parsing or the wire:
//   - Value/MilliValue/ScaledValue saturate at the int64 limits where Go overflows (Go
//     documents the result as undefined).
//   - Cmp is exact and never changes the receiver (Go's Cmp converts q to inf.Dec in place
//     and panics on some extreme scale pairs).
//   - A BinarySI value built with NewScaled beyond int64 prints as DecimalSI (Go prints a
//     base-1024 mantissa; parsing caps BinarySI at 2^63-1, so it never arises there).
//   - JSON null keeps a text kept at parse time; Go keeps whatever it had cached in `s`,
//     which also depends on earlier String() calls.
//
// The behaviour was checked against kubectl 1.33 (Go) on recorded and random inputs; see
// quantity_test.cc.
//
// A Quantity is a value type (copyable, ~96 bytes); const methods are thread-safe. The
// string returned by String() lives as long as the Quantity is not modified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/typed/codec.h"
#include "api/value.h"
#include "base/status.h"

namespace kstream::k8s::apimachinery::resource {

// Go's resource.Format. kNone is the empty (or any unknown) format, which prints as
// DecimalExponent.
enum class Format : uint8_t { kNone, kDecimalExponent, kBinarySI, kDecimalSI };

// "DecimalExponent", "BinarySI", "DecimalSI", or "" for kNone.
std::string_view FormatName(Format f);

// Go's error messages (ErrFormatWrong, ErrNumeric, ErrSuffix).
inline constexpr std::string_view kErrFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
inline constexpr std::string_view kErrNumeric = "unable to parse numeric part of quantity";
inline constexpr std::string_view kErrSuffix = "unable to parse quantity's suffix";

class Quantity {
 public:
  // The zero value (Go's Quantity{}): String() == "0", format kNone.
  Quantity() = default;

  // Go's ParseQuantity. Errors are InvalidArgument with Go's message (kErr* above). No
  // whitespace is accepted (JSON decoding trims it first, as Go's UnmarshalJSON does).
  static Result<Quantity> Parse(std::string_view s);

  // Go's NewQuantity(value, format), NewMilliQuantity(value, format) and
  // NewScaledQuantity(value, scale) (value × 10^scale); `format` is the format to print in.
  static Quantity New(int64_t value, Format format);
  static Quantity NewMilli(int64_t value, Format format);
  static Quantity NewScaled(int64_t value, int32_t scale, Format format = Format::kDecimalSI);

  // Go's q.String(): the kept original text or the canonical form.
  const std::string& String() const { return str_; }
  // Whether String() is the parsed text kept verbatim (Go's cached `s` after parsing).
  bool text_kept() const { return kept_; }
  Format format() const { return format_; }

  bool IsZero() const;
  // -1, 0 or 1.
  int Sign() const;
  // Exact three-way comparison of the values (-1, 0, 1); formats are ignored.
  int Cmp(const Quantity& other) const;
  int CmpInt64(int64_t v) const;

  // Go's Value(), MilliValue() and ScaledValue(scale): ceil(q / 10^scale) as Go rounds it.
  // The int64 representation (fast-path values) rounds away from zero; the inf.Dec one
  // (slow-path values) rounds negative values as Go's scaledValue does (so "-1.5" gives -2
  // but "-0.1234567891" gives 1, exactly like Go). Saturates on overflow.
  int64_t Value() const { return ScaledValue(0); }
  int64_t MilliValue() const { return ScaledValue(-3); }
  int64_t ScaledValue(int32_t scale) const;

  // What Go's UnmarshalJSON does with `null`: the value becomes zero; the format and a kept
  // original text stay (so String() still returns that text, as in Go).
  void ResetForJsonNull();

 private:
  struct Parts;
  static Result<Quantity> ParseSlow(const Parts& p, int32_t base, int32_t exponent,
                                    Format format);
  // Fills str_ with the canonical form (kept_ = false).
  void Canonicalize();
  void AppendDecimalCanonical(std::string* out, Format format) const;

  // Go's int64Amount (when !is_dec_): i_value_ × 10^i_scale_.
  int64_t i_value_ = 0;
  int32_t i_scale_ = 0;
  // Go's inf.Dec (when is_dec_): ±digits_ × 10^exp_, digits_ without leading or trailing
  // zeros (empty for zero); go_scale_ is the inf.Dec scale Go would hold (9 after rounding,
  // 0 when BinarySI was capped), which only Go's scaledValue looks at.
  int64_t exp_ = 0;
  std::string digits_;
  int32_t go_scale_ = 0;
  bool is_dec_ = false;
  bool negative_ = false;

  Format format_ = Format::kNone;
  bool kept_ = false;
  std::string str_ = "0";
};

// JSON: `"` + String() + `"`.
void AppendJson(typed::JsonWriter& w, const Quantity& q);
// Go's Quantity.UnmarshalJSON: null -> ResetForJsonNull(); a string -> ParseQuantity of
// the trimmed (Go's strings.TrimSpace) text; a number -> ParseQuantity of its text; other
// JSON values fail with ErrFormatWrong (Go parses their raw bytes). Go sees the raw
// bytes, we see the decoded Value, so:
//   - a number's text is rebuilt (AppendInt / Go's float formatting): `1e3` arrives as the
//     float 1000, formatted "1000", which prints "1k" where Go keeps "1e3"; integers beyond
//     int64 lose digits to float64; `1`, `-1`, `1.5`, `1.0` give what Go gives;
//   - a string holding a character that JSON must escape (`"`, `\`, controls) fails with
//     ErrFormatWrong, as the raw bytes hold a backslash in Go; an escape that JSON allows
//     but does not require (`\u0031`) is decoded here but fails in Go.
// Errors are ctx.CustomError(Go's message).
Status DecodeJson(const api::Value& in, Quantity* out, typed::DecodeContext& ctx);

// Protobuf message {1: String()} (quantity_proto.go), always written.
size_t ProtoSize(const Quantity& q);
uint8_t* ProtoWrite(const Quantity& q, uint8_t* end);
// quantity_proto.go's Unmarshal: field 1 replaces *out by ParseQuantity of the bytes (no
// trimming); other fields are skipped; errors as Go words them.
Status DecodeProto(std::string_view body, Quantity* out);

inline std::string GoTypeName(const Quantity*) { return "resource.Quantity"; }

}  // namespace kstream::k8s::apimachinery::resource
