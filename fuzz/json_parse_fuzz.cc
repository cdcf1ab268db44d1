// Fuzz target: JSON parsing never crashes; the simdjson fast path and the lenient parser
// agree on every input (same verdict, same Value); our output parses back to the same
// value; and from the second round on, encode/parse is a fixed point, in both compact and
// indented styles. (Not from the first round: Go writes the float -0 as `-0`, which
// decodes as the int 0, and an integral float such as 1e3 as `1000`, which decodes as an
// int. `Equivalent` allows exactly those changes.)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "api/json.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "json_parse_fuzz: %s\n", what);
    abort();
  }
}

// Equal, except that a float may have become the int with the same value.
bool Equivalent(const kstream::api::Value& a, const kstream::api::Value& b) {
  using Kind = kstream::api::Value::Kind;
  if (a.kind() == Kind::kFloat && b.kind() == Kind::kInt) {
    return a.as_float() == static_cast<double>(b.as_int());
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto& x = a.as_array();
    const auto& y = b.as_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!Equivalent(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto& x = a.as_object();
    const auto& y = b.as_object();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].key != y[i].key || !Equivalent(x[i].value, y[i].value)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto fast = kstream::api::ParseJson(input);
  auto lenient = kstream::api::internal::ParseJsonLenient(input);
  Check(fast.ok() == lenient.ok(), "parsers disagree on validity");
  if (!fast.ok()) return 0;
  Check(*fast == *lenient, "parsers disagree on the value");

  auto compact = kstream::api::ToJson(*fast);
  Check(compact.ok(), "encoding a parsed value failed");
  auto again = kstream::api::ParseJson(*compact);
  Check(again.ok(), "our output does not parse");
  Check(Equivalent(*fast, *again), "value changed across encode/parse");
  std::string second = *kstream::api::ToJson(*again);
  auto third = kstream::api::ParseJson(second);
  Check(third.ok() && *third == *again, "second round changed the value");
  Check(*kstream::api::ToJson(*third) == second, "encoding is not a fixed point");

  auto indented = kstream::api::ToJson(*fast, kstream::encoding::json::Style::kIndent);
  Check(indented.ok(), "indented encoding failed");
  auto from_indented = kstream::api::ParseJson(*indented);
  Check(from_indented.ok() && *from_indented == *again, "indented output parses differently");
  return 0;
}
