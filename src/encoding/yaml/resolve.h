// go-yaml v2's scalar resolution (resolve.go of gopkg.in/yaml.v2 v2.4.0, the version
// forked as sigs.k8s.io/yaml/goyaml.v2 in sigs.k8s.io/yaml v1.4.0, which Kubernetes 1.33
// and kubectl 1.33 use).
//
// Resolution answers "what does this scalar text mean": a plain (untagged, unquoted) scalar
// is null, a YAML 1.1 bool, an int, a float, a timestamp or a string, by these rules:
//   - exact words: `~`, `null`, `Null`, `NULL` and the empty string are null;
//     y Y yes Yes YES true True TRUE on On ON are true; n N no No NO false False FALSE off
//     Off OFF are false; .nan .NaN .NAN, [+-].inf .Inf .INF are floats;
//   - text starting with a digit or sign: a timestamp when Go's time.Parse accepts it in
//     one of go-yaml's four layouts (YYYY-M-D, YYYY-M-D h:m:s[.frac] with spaces,
//     YYYY-M-DTh:m:s[.frac](Z|±hh:mm), the same with a lowercase t); otherwise, with every
//     `_` removed: strconv.ParseInt(s, 0, 64) (0x, 0o, 0b prefixes, a leading 0 is octal),
//     then ParseUint(s, 0, 64), then a float if the text matches
//     ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ and ParseFloat succeeds (an
//     overflowing exponent like 1e400 fails and stays a string);
//   - text starting with `.`: ParseFloat of the text as is (`.5`);
//   - everything else is a string.
// Explicit tags (!!str, !!int, !!float, !!bool, !!null, !!timestamp) restrict the result:
// a mismatch is an error ("cannot decode !!str `abc` as a !!int"), except that an int is
// accepted as a !!float. !!str and !!binary take the text verbatim; any other tag (custom
// tags, !!map on a scalar, ...) leaves the text a string.
//
// The encoder side uses the same rules to decide whether a string can be written plain
// (it must resolve to a string and not look like a YAML 1.1 base-60 float, `1:20`).
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kstream::encoding::yaml {

inline constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";
inline constexpr std::string_view kIntTag = "tag:yaml.org,2002:int";
inline constexpr std::string_view kFloatTag = "tag:yaml.org,2002:float";
inline constexpr std::string_view kBoolTag = "tag:yaml.org,2002:bool";
inline constexpr std::string_view kNullTag = "tag:yaml.org,2002:null";
inline constexpr std::string_view kTimestampTag = "tag:yaml.org,2002:timestamp";
inline constexpr std::string_view kBinaryTag = "tag:yaml.org,2002:binary";
inline constexpr std::string_view kMergeTag = "tag:yaml.org,2002:merge";
inline constexpr std::string_view kMapTag = "tag:yaml.org,2002:map";
inline constexpr std::string_view kSeqTag = "tag:yaml.org,2002:seq";

// What a scalar resolved to. For kTimestamp the value is the text itself (go-yaml v2 keeps
// timestamp-looking text as a string when decoding into interface{}); for kBinary the
// text still has to be base64-decoded; kOther is a custom tag (the text, as a string).
struct Resolved {
  enum class Kind : uint8_t { kNull, kBool, kInt, kUint, kFloat, kString, kTimestamp, kBinary, kOther };
  Kind kind = Kind::kString;
  bool b = false;
  int64_t i = 0;   // kInt (go-yaml's int: every int64 on 64-bit platforms)
  uint64_t u = 0;  // kUint: above int64's range
  double f = 0;    // kFloat, including NaN and +-Inf
};

// resolve(tag, text). `tag` is the full tag ("" for a plain untagged scalar). Returns
// false for a tag mismatch and sets *error to go-yaml's message (without the "yaml: "
// prefix).
bool Resolve(std::string_view tag, std::string_view text, Resolved* out, std::string* error);

// The common case, resolve("", text), which cannot fail.
Resolved ResolvePlain(std::string_view text);

// Whether the plain scalar `text` resolves to a string: the encoder's test for writing a
// string unquoted (together with !IsBase60Float). Fast for text that cannot be anything
// else.
bool ResolvesToString(std::string_view text);

// go-yaml's isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
bool IsBase60Float(std::string_view text);

// go-yaml's parseTimestamp: whether Go's time.Parse accepts `text` with one of the four
// layouts listed above (including Go's range checks: month 1-12, day valid for the month
// and year, hour < 24, minute and second < 60, zone offset hour <= 24 and minute <= 60).
bool IsGoYamlTimestamp(std::string_view text);

// "!!str" for "tag:yaml.org,2002:str", the tag itself otherwise (go-yaml's shortTag).
std::string ShortTag(std::string_view tag);

}  // namespace kstream::encoding::yaml
