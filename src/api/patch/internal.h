// Helpers shared by the patch algorithms (not part of the public API): nesting checks and the
// Go formatting that kube's error messages are made of. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "encoding/go_strconv.h"
#include "api/value.h"

namespace kstream::api::patch::internal {

// Whether `v` nests deeper than `limit` levels (a scalar is 0 levels, `[]` and `{}` are 1).
// Iterative: safe on any depth.
bool NestsDeeperThan(const Value& v, int limit);

// fmt.Sprintf("%v", v) of the Go value json.Unmarshal / the unstructured converter makes of
// `v` (map[string]interface{}, []interface{}, string, int64, float64, bool, nil):
// `map[a:1 b:[x y]]`, `<nil>`, floats as %v prints them (`1.5`, `1e+06`). Nesting beyond
// 1000 levels is elided as `...`.
std::string GoV(const Value& v);
// fmt.Sprintf("%s", v): strings as themselves, other scalars as `%!s(int64=1)`,
// `%!s(<nil>)`; maps and slices element-wise.
std::string GoS(const Value& v);
// reflect.TypeOf(v).String() as `%s` prints it: "map[string]interface {}",
// "[]interface {}", "string", "int64", "float64", "bool", "%!s(<nil>)" for nil.
std::string GoTypeName(const Value& v);
// strconv.Quote (what %q prints) for the strings our parsers produce (valid UTF-8).
using encoding::GoQuote;  // encoding/go_strconv.h

}  // namespace kstream::api::patch::internal
