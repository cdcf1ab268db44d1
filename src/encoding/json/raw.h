// Raw JSON values embedded in Go-encoded output (RawExtension, FieldsV1, apiextensions
// JSON): encoding/json re-compacts the bytes a MarshalJSON method returns (validating them,
// removing insignificant whitespace, escaping < > & and U+2028/U+2029, leaving everything
// else, including invalid UTF-8, as it is), and MarshalIndent then re-indents them with
// the rest of the document.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace kstream::encoding::json {

// Go's json.Compact with HTML escaping. Invalid JSON (any syntax error, trailing data, an
// empty input) is an error and appends nothing.
Status AppendCompacted(std::string* out, std::string_view json);

// Lays out compact JSON (as produced by AppendCompacted) in the MarshalIndent form, for a
// value nested `depth` levels deep (two spaces per level, no prefix).
void AppendReindented(std::string* out, std::string_view compact_json, int depth);

}  // namespace kstream::encoding::json
