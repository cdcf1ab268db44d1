// JSON for unstructured Values: Kubernetes-compatible parsing and Go-identical encoding.
//
// Parsing follows kube's unstructured decoding (sigs.k8s.io/json
// UnmarshalCaseSensitivePreserveInts on top of encoding/json):
//   - a number whose text parses as int64 (no `.`, no exponent, in range) is int64, every
//     other number float64 (`1.0`, `1e3`, `9223372036854775808`); a number beyond float64's
//     range is an error;
//   - duplicate object keys: the last one wins;
//   - invalid UTF-8 in strings (each bad byte) and unpaired UTF-16 surrogate escapes become
//     U+FFFD instead of failing;
//   - nesting deeper than 10000 is an error, as in Go.
// Valid input takes simdjson's fast path; input simdjson rejects is re-parsed by a lenient
// parser that applies the rules above and gives Go-style error messages.
//
// Encoding is `json.Marshal` of the corresponding `map[string]interface{}`: keys sorted
// bytewise (Values keep them sorted), Go string escaping and float formatting. The
// indented style is `json.MarshalIndent(v, "", "  ")` for a value nested `depth` levels
// deep (depth 0 for a whole document).
//
// All functions are thread-safe (the fast-path parser is per thread).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/value.h"
#include "base/status.h"
#include "encoding/json/encode.h"

namespace kstream::api {

// Maximum nesting depth accepted by ParseJson (Go's encoding/json limit).
inline constexpr int kMaxJsonDepth = 10000;

Result<Value> ParseJson(std::string_view json);

// The same, also reporting keys that occur more than once in one object (what kube's
// strict decoding calls `duplicate field "<path>"`), each path once, in the order Go's
// decoder meets them: "metadata.name", "metadata.labels.a", "spec.containers[0].name".
// The value is as ParseJson gives it (the last duplicate wins). Slower: the lenient
// parser does the work.
Result<Value> ParseJson(std::string_view json, std::vector<std::string>* duplicate_fields);

// Appends the JSON encoding of `v`. Fails (leaving `out` partially appended) only for
// NaN/Inf floats, as Go does.
Status AppendJson(const Value& v, std::string* out,
                  encoding::json::Style style = encoding::json::Style::kCompact, int depth = 0);

Result<std::string> ToJson(const Value& v,
                           encoding::json::Style style = encoding::json::Style::kCompact);

// The JSON kind Go's decoder names in "json: cannot unmarshal <kind> into Go value of type
// T": "object", "array", "string", "number", "bool" ("null" for null, which Go never reports).
std::string_view JsonKindName(const Value& v);

namespace internal {
// The lenient parser alone (no simdjson fast path). For differential tests and fuzzing:
// on every input it must agree with ParseJson.
Result<Value> ParseJsonLenient(std::string_view json);
}  // namespace internal

}  // namespace kstream::api
