#include "api/patch/internal.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace kstream::api::patch::internal {

bool NestsDeeperThan(const Value& v, int limit) {
  std::vector<std::pair<const Value*, int>> stack;
  stack.emplace_back(&v, 0);
  while (!stack.empty()) {
    auto [cur, depth] = stack.back();
    stack.pop_back();
    if (cur->is_array()) {
      if (depth + 1 > limit) return true;
      for (const Value& e : cur->as_array()) {
        if (e.is_array() || e.is_object()) stack.emplace_back(&e, depth + 1);
      }
    } else if (cur->is_object()) {
      if (depth + 1 > limit) return true;
      for (const Member& m : cur->as_object()) {
        if (m.value.is_array() || m.value.is_object()) stack.emplace_back(&m.value, depth + 1);
      }
    }
  }
  return false;
}

namespace {

constexpr int kMaxFormatDepth = 1000;

// strconv.FormatFloat(f, 'g', -1, 64), which fmt's %v prints for a float64: the shortest
// round-trip digits, in exponent form (at least two exponent digits) when the decimal
// exponent is < -4 or >= 6 (strconv's "shortest" %g decides with precision 6): 1e+06, 1.5.
void AppendGoFloat(std::string* out, double f) {
  if (f == 0) {
    out->append(std::signbit(f) ? "-0" : "0");
    return;
  }
  char buf[64];
  // Shortest round-trip digits in scientific form: d[.ddd]e[+-]x.
  auto res = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  bool neg = false;
  if (!sci.empty() && sci[0] == '-') {
    neg = true;
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  if (neg) out->push_back('-');
  if (exp < -4 || exp >= 6) {
    out->push_back(digits[0]);
    if (digits.size() > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('e');
    out->push_back(exp < 0 ? '-' : '+');
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out->push_back('0');
    out->append(std::to_string(a));
    return;
  }
  if (exp < 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-exp - 1), '0');
    out->append(digits);
    return;
  }
  size_t int_digits = static_cast<size_t>(exp) + 1;
  if (digits.size() <= int_digits) {
    out->append(digits);
    out->append(int_digits - digits.size(), '0');
  } else {
    out->append(digits, 0, int_digits);
    out->push_back('.');
    out->append(digits, int_digits, std::string::npos);
  }
}

void AppendScalarV(std::string* out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: out->append("<nil>"); break;
    case Value::Kind::kBool: out->append(v.as_bool() ? "true" : "false"); break;
    case Value::Kind::kInt: out->append(std::to_string(v.as_int())); break;
    case Value::Kind::kFloat: AppendGoFloat(out, v.as_float()); break;
    case Value::Kind::kString: out->append(v.as_string()); break;
    default: break;
  }
}

void AppendGo(std::string* out, const Value& v, bool verb_s, int depth) {
  if (depth > kMaxFormatDepth) {
    out->append("...");
    return;
  }
  if (v.is_array()) {
    out->push_back('[');
    bool first = true;
    for (const Value& e : v.as_array()) {
      if (!first) out->push_back(' ');
      first = false;
      AppendGo(out, e, verb_s, depth + 1);
    }
    out->push_back(']');
    return;
  }
  if (v.is_object()) {
    out->append("map[");
    bool first = true;
    for (const Member& m : v.as_object()) {  // sorted by key, as fmt prints maps
      if (!first) out->push_back(' ');
      first = false;
      out->append(m.key);
      out->push_back(':');
      AppendGo(out, m.value, verb_s, depth + 1);
    }
    out->push_back(']');
    return;
  }
  if (!verb_s || v.is_string()) {
    AppendScalarV(out, v);
    return;
  }
  // %s of a non-string: %!s(type=value).
  if (v.is_null()) {
    out->append("%!s(<nil>)");
    return;
  }
  out->append("%!s(");
  out->append(GoTypeName(v));
  out->push_back('=');
  AppendScalarV(out, v);
  out->push_back(')');
}

}  // namespace

std::string GoV(const Value& v) {
  std::string out;
  AppendGo(&out, v, false, 0);
  return out;
}

std::string GoS(const Value& v) {
  std::string out;
  AppendGo(&out, v, true, 0);
  return out;
}

std::string GoTypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "%!s(<nil>)";
    case Value::Kind::kBool: return "bool";
    case Value::Kind::kInt: return "int64";
    case Value::Kind::kFloat: return "float64";
    case Value::Kind::kString: return "string";
    case Value::Kind::kArray: return "[]interface {}";
    case Value::Kind::kObject: return "map[string]interface {}";
  }
  return "";
}


}  // namespace kstream::api::patch::internal
