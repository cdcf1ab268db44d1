// What go-yaml v2 reads back when it parses the JSON text that Go's json.Marshal writes
// for a string: the first half of sigs.k8s.io/yaml.JSONToYAML, which is how kube-apiserver
// and kubectl produce YAML (json.Marshal(obj), then yaml.Unmarshal of that JSON text into
// interface{}, then yaml.Marshal).
//
// For almost every string the round trip is the identity. The exceptions, all consequences
// of go-yaml scanning the JSON text as a YAML flow document:
//   - bytes that are not valid UTF-8 become U+FFFD, one per byte (json.Marshal);
//   - U+0085 (NEL), which json.Marshal writes raw, is a YAML line break: inside the quoted
//     scalar it is folded like a newline in YAML (spaces around it dropped, a single break
//     becomes a space, n consecutive breaks become n-1 "\n"); in a map key it makes the key
//     span lines, which YAML forbids for a simple key, so JSONToYAML fails;
//   - DEL (U+007F), the C1 controls U+0080-U+009F other than NEL, U+FFFE and U+FFFF are
//     raw in the JSON text and rejected by go-yaml's reader ("control characters are not
//     allowed"): JSONToYAML fails;
//   - a map key whose JSON text is longer than 1022 characters between its quotes is not a
//     possible simple key for the YAML scanner (1024-character limit including the
//     quotes), and JSONToYAML fails ("did not find expected ',' or '}'");
//   - after a folded NEL, `---` or `...` at the start of the (YAML) line followed by a
//     space or another NEL is a document marker, and JSONToYAML fails.
// Failures are OutOfRange statuses with go-yaml's message.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kstream::encoding::yaml {

enum class StringRole : uint8_t { kValue, kMapKey };

// Sets *out to the string go-yaml reads back for the Go string `s` in the given role.
// *out points into `s` when nothing changes (the common case, decided by one fast scan),
// otherwise into *scratch, which is overwritten.
Status ReadBackJsonString(std::string_view s, StringRole role, std::string* scratch,
                          std::string_view* out);

// Maximum length, in characters of its JSON text between the quotes, of a map key that
// JSONToYAML accepts.
inline constexpr size_t kMaxJsonKeyChars = 1022;

}  // namespace kstream::encoding::yaml
