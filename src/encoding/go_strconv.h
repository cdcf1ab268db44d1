// The pieces of Go's strconv that our Go-compatible codecs rely on, reimplemented with
// Go's exact acceptance rules and output formats (locale-independent).
//
// encoding/json's decoder converts numbers with strconv.ParseFloat.
// go-yaml v2 (resolve.go) decides what a plain scalar means with strconv.ParseInt(s, 0, 64),
// strconv.ParseUint(s, 0, 64) and strconv.ParseFloat(s, 64), and writes floats with
// strconv.FormatFloat(f, 'g', -1, 64); sigs.k8s.io/yaml turns float map keys into strings
// with FormatFloat(f, 'g', -1, 32). Byte-identical YAML needs the same answers here.
//
// Pure functions, thread-safe, no allocation except appending to the caller's string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kstream::encoding {

// strconv.ParseUint(s, 0, 64): optional base prefix 0b/0o/0x (any case) or a leading 0 for
// octal, digits of that base, `_` separators where Go's underscoreOK allows them. No sign.
// Returns false on a syntax or range error.
bool ParseGoUint(std::string_view s, uint64_t* out);

// strconv.ParseInt(s, 0, 64): an optional sign, then as ParseGoUint, within int64 range.
bool ParseGoInt(std::string_view s, int64_t* out);

// strconv.ParseFloat(s, 64) for decimal syntax: optional sign, digits with at most one `.`
// (at least one digit), optional exponent `e`/`E` [sign] digits, `_` separators as Go
// allows. Overflow is an error (false); underflow rounds to a denormal or zero as Go does.
// Go's hexadecimal floats and the words inf/infinity/nan are not accepted (false): go-yaml
// only calls ParseFloat on text that cannot be either.
bool ParseGoFloat(std::string_view s, double* out);

// strconv.FormatFloat(v, 'g', -1, bit_size) for bit_size 64, or 32 (v is first rounded
// to float32, as Go does). Infinities and NaN give "+Inf", "-Inf", "NaN".
void AppendGoFloatG(std::string* out, double v, int bit_size = 64);

// Go's strconv.Quote (fmt's %q for strings), as kube's error messages print values: `"`
// and `\` escaped, \a \b \f \n \r \t \v, other control bytes and invalid UTF-8 bytes as
// \xNN, non-printable runes as \uNNNN / \UNNNNNNNN, printable UTF-8 verbatim. Go's
// unicode.IsPrint is approximated for non-ASCII (controls, spaces other than U+0020,
// format characters and private-use runes are escaped; unassigned runes are not detected).
std::string GoQuote(std::string_view s);

}  // namespace kstream::encoding
