// YAML for unstructured Values, byte-compatible with Kubernetes in both directions.
//
// Output: AppendYaml writes exactly what kube-apiserver sends for `application/yaml` and
// what `kubectl -o yaml` prints for the object, i.e. Go's
// sigs.k8s.io/yaml.JSONToYAML(json.Marshal(v)): the JSON text is re-read by go-yaml v2 and
// marshalled again. Hence:
//   - numbers are re-resolved from their Go JSON text: int64 stays an int; a float64 whose
//     JSON text is integer-looking (`1` for 1.0, `9223372036854776000` for 2^63) is written
//     as that integer when it fits int64 or uint64, anything else with
//     strconv.FormatFloat(f, 'g', -1, 64) (`1.5`, `1e-07`, `1e+21`, `1.8446744073709552e+19`);
//   - map keys come in go-yaml's natural order (encoding/yaml/key_order.h), not bytewise;
//   - strings take go-yaml's style (encoding/yaml/emitter.h): plain when possible,
//     double-quoted when plain text would mean something else (`"true"`, `"1e3"`,
//     `"2008-01-01T01:01:01Z"`), literal blocks for text with newlines, and so on;
//   - strings are first read back as go-yaml reads them from the JSON text
//     (encoding/yaml/json_readback.h): invalid UTF-8 becomes U+FFFD, U+0085 is folded.
// Errors (OutOfRange): NaN or infinite floats (as json.Marshal), strings that go-yaml
// cannot read back from JSON (DEL, C1 controls, U+FFFE/U+FFFF: "control characters are
// not allowed"), map keys of more than 1022 JSON characters or containing U+0085, nesting
// deeper than 10000. On error `out` is left as it was.
//
// Input: ParseYaml / ParseYamlDocuments read YAML the way kubectl and kube-apiserver do:
// sigs.k8s.io/yaml.YAMLToJSON (go-yaml v2 unmarshal into interface{}, then json.Marshal)
// followed by the unstructured JSON decoding of api/json.h. libyaml tokenises and parses;
// go-yaml v2's semantics are applied on top:
//   - plain scalars resolve as go-yaml v2 does (encoding/yaml/resolve.h): null (`~`, `null`,
//     `Null`, `NULL`, empty), YAML 1.1 bools (y/Y/yes/Yes/YES/true/True/TRUE/on/On/ON and
//     n/N/no/No/NO/false/False/FALSE/off/Off/OFF), ints via Go's ParseInt base 0 (0x, 0o,
//     0b, leading-0 octal, `_` ignored, `+` sign), floats (`1.5`, `.5`, `1e3`, `.inf`,
//     `.nan`), timestamps kept as strings; quoted scalars are always strings;
//   - explicit tags !!str !!int !!float !!bool !!null !!timestamp restrict resolution (a
//     mismatch is an error), !!binary is base64-decoded, other tags leave the text a
//     string, tags on collections are ignored;
//   - anchors and aliases (an alias re-reads the anchored node), merge keys `<<` with a
//     map, an alias of a map, or a sequence of those (earlier ones win); as in go-yaml v2
//     a merge overwrites keys set before it in the same map and later keys overwrite it;
//     duplicate keys: the last one wins;
//   - JSON conversion as YAMLToJSON does it: int, bool and float keys become strings
//     (floats formatted as float32: `1.5`, `1e+07`, `.inf`), null and uint64 keys and
//     collections as keys are errors; then the JSON number rules: a float whose Go JSON
//     text (shortest digits) is an integer within int64 becomes that int64 (`1.0` -> 1,
//     `4611686018427387904.0` -> 4611686018427388000), uint64 values become float64, NaN
//     and infinities are errors.
// Limits (InvalidArgument / ResourceExhausted): nesting deeper than 10000; go-yaml v2's
// alias-expansion ratio ("document contains excessive aliasing"); in addition, at most
// max(32 MiB, 8 x input size) of text and nodes produced through aliases.
// Syntax errors are InvalidArgument with libyaml's message and 1-based line and column.
//
// Where Go itself is not deterministic we pick one of its possible answers: go-yaml's key
// comparator is not transitive for some mixes of digits, letters and other characters
// ("8+", "0755", "0é"), and Go sorts such keys starting from random map order; we start
// from bytewise order (for up to 12 keys this is exactly what Go does for that starting
// order). When two different YAML keys map to the same JSON key (`1` and "1"), Go keeps
// one at random; we keep the later one.
// Known differences from Go, for inputs Kubernetes objects do not contain: libyaml 0.2.5 is
// a newer parser than go-yaml's port of libyaml 0.1 and accepts or rejects a few exotic
// syntaxes differently. ParseYaml is stricter than kube-apiserver, which decodes the first
// document of a body and ignores the rest.
//
// All functions are thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/value.h"
#include "base/status.h"
#include "encoding/yaml/emitter.h"

namespace kstream::api {

// Appends the YAML document for `v`. It ends with a newline, except (as in Go) when its last
// scalar is a literal block whose final line break is U+2028 or U+2029.
Status AppendYaml(const Value& v, std::string* out);
Result<std::string> ToYaml(const Value& v);

// Emits `v` as one node at the emitter's current position: the document root, the next
// entry of an open block sequence (a `- ` entry at that sequence's indentation), or the
// next key's value of an open mapping. This is the building block for streaming: a List is
// written by opening the root mapping, emitting the keys before `items`, opening the
// `items` sequence (BeginSequence(empty)), calling EmitYamlNode once per item (the output
// buffer may be swapped between items), then closing the sequence and writing the
// remaining keys. Mapping keys must be emitted by the caller as strings already read back
// (encoding::yaml::ReadBackJsonString) and in go-yaml key order. On error the emitter's
// state is unspecified.
Status EmitYamlNode(const Value& v, encoding::yaml::Emitter* emitter);

// Parses a YAML stream that must hold at most one non-empty document ("" or a stream of
// empty documents give null). A second non-null document is an error ("expected one
// document").
Result<Value> ParseYaml(std::string_view yaml);

// Parses a multi-document stream the way kubectl reads files (apimachinery's YAMLReader,
// then YAMLToJSON per document): the text is split at lines starting with `---` (only
// spaces or a `# comment` may follow on that line, anything else is an error, "invalid
// Yaml document separator"; CRLF line ends read as LF); each piece is decoded as its
// first YAML document (like go-yaml's Unmarshal, text after a `...` end marker in the
// same piece is ignored); documents that decode to null (empty, comments only, explicit
// `null`/`~`) are skipped. Error messages give lines of the whole stream.
Result<std::vector<Value>> ParseYamlDocuments(std::string_view yaml);

}  // namespace kstream::api
