// JsonPath: the subset of kubectl's JSONPath (k8s.io/client-go/util/jsonpath) that CRDs use
// in additionalPrinterColumns and selectableFields: a path of `.field` steps, `['field']`,
// `[N]` (negative counts from the end), `[*]` / `.*`, and filters `[?(@.a.b=="v")]`,
// `[?(@.a!="v")]`, `[?(@.a)]` (numbers and strings compared as JSONPath does). The
// expression is written without the surrounding braces, e.g.
// `.status.conditions[?(@.type=="Ready")].status`.
//
// Missing keys match nothing (AllowMissingKeys(true), as the CRD table convertor sets).
// Immutable after Parse; Find is thread-safe. Results point into the searched value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/value.h"
#include "base/status.h"

namespace kstream::registry {

class JsonPath {
 public:
  // InvalidArgument for syntax this subset (or kubectl) does not accept.
  static Result<JsonPath> Parse(std::string_view expr);

  std::vector<const api::Value*> Find(const api::Value& root) const;
  const std::string& text() const { return text_; }

  struct Step {
    enum class Kind { kField, kIndex, kWildcard, kFilter } kind = Kind::kField;
    std::string field;  // kField
    int64_t index = 0;  // kIndex
    // kFilter: @.<filter_path> <op> <literal>; op "" = exists.
    std::vector<std::string> filter_path;
    std::string op;
    api::Value literal;
  };

 private:
  std::string text_;
  std::vector<Step> steps_;
};

// How kubectl's JSONPath prints one result as text (fmt.Fprint of the Go value): strings
// as they are, integers in decimal, floats with Go's %v, bools, maps as map[k:v ...] with
// sorted keys, arrays as [a b].
std::string JsonPathText(const api::Value& v);

}  // namespace kstream::registry
