// Go-compatible JSON encoding primitives.
//
// kube-apiserver writes JSON with Go's encoding/json; these functions append exactly the
// bytes it would write for one scalar (../shared/schema/JSON-RULES.md §2, §3, §7;
// ../shared/spec/k8s-api-facts.md §3.2). Structural encoders (the unstructured Value
// encoder, generated typed encoders, list encoders) are built on them, together with
// the indentation helpers that reproduce `json.MarshalIndent(v, "", "  ")`.
//
// All functions append to a caller-owned std::string and never allocate otherwise.
// They are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kstream::encoding::json {

// Appends `s` as a quoted JSON string with Go's escaping and HTML escaping on:
// `"` `\` -> `\"` `\\`; \n \r \t \b \f short forms; other bytes < 0x20 -> \u00xx
// (lowercase hex); `<` `>` `&` -> \u003c \u003e \u0026; U+2028/U+2029 -> \u2028/\u2029;
// each byte that is not part of valid UTF-8 -> \ufffd. Everything else verbatim.
void AppendString(std::string* out, std::string_view s);

// Appends a decimal integer.
void AppendInt(std::string* out, int64_t v);
void AppendUint(std::string* out, uint64_t v);

// Appends a float64 as Go does: shortest round-trip digits; plain decimal when the value
// is 0 or 1e-6 <= |v| < 1e21, otherwise exponent form (`1e+21`, `1e-7`). NaN and
// infinities are an error (Go: UnsupportedValueError), and nothing is appended.
Status AppendFloat64(std::string* out, double v);

// Appends `bytes` as a quoted, padded, standard base64 string (Go's []byte encoding).
void AppendBase64(std::string* out, std::string_view bytes);

// Appends `true`/`false` or `null`.
inline void AppendBool(std::string* out, bool b) { out->append(b ? "true" : "false"); }
inline void AppendNull(std::string* out) { out->append("null"); }

// Indentation in the MarshalIndent form: newline, then `depth` copies of two spaces.
void AppendNewlineIndent(std::string* out, int depth);

// Formatting of a JSON document: compact (json.Marshal / json.Encoder without its
// trailing newline) or indented as `json.MarshalIndent(v, "", "  ")`.
enum class Style : uint8_t { kCompact, kIndent };

}  // namespace kstream::encoding::json
