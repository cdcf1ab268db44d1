// Go-compatible rendering (strconv.Quote, fmt %v, json.Marshal, field.Error bodies),
// field paths, Go's reflect.DeepEqual over JSON values, and Go regexp error texts.

#include <cmath>
#include <utility>
#include <vector>

#include "api/crd/internal.h"
#include "api/json.h"
#include "encoding/go_strconv.h"
#include "encoding/utf8.h"

namespace kstream::api::crd::internal {

std::string GoFloat(double v) {
  std::string out;
  encoding::AppendGoFloatG(&out, v, 64);
  return out;
}

std::string GoInt(int64_t v) { return std::to_string(v); }

std::string GoJson(const Value& v) {
  auto r = ToJson(v);
  return r.ok() ? std::move(r).value() : std::string("null");
}

std::string RenderValue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "\"null\"";
    case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
    case Value::Kind::kInt: return GoInt(v.as_int());
    case Value::Kind::kFloat: return GoFloat(v.as_float());
    case Value::Kind::kString: return GoQuote(v.as_string());
    case Value::Kind::kArray:
    case Value::Kind::kObject: return GoJson(v);
  }
  return "\"\"";
}

std::string PathChild(const std::string& base, std::string_view name) {
  if (base.empty()) return std::string(name);
  std::string out = base;
  out.push_back('.');
  out.append(name);
  return out;
}

std::string PathKey(const std::string& base, std::string_view key) {
  std::string out = base;
  out.push_back('[');
  out.append(key);
  out.push_back(']');
  return out;
}

std::string PathIndex(const std::string& base, size_t index) { return PathKey(base, std::to_string(index)); }

namespace {
FieldError Make(const char* type, const std::string& path, std::string body) {
  return FieldError{type, PathString(path), std::move(body)};
}
std::string WithDetail(std::string s, std::string_view detail) {
  if (!detail.empty()) {
    s += ": ";
    s.append(detail);
  }
  return s;
}
}  // namespace

FieldError ErrRequired(const std::string& path, std::string_view detail) {
  return Make("FieldValueRequired", path, WithDetail("Required value", detail));
}

FieldError ErrForbidden(const std::string& path, std::string_view detail) {
  return Make("FieldValueForbidden", path, WithDetail("Forbidden", detail));
}

FieldError ErrInvalid(const std::string& path, const std::string& value, std::string_view detail) {
  return Make("FieldValueInvalid", path, WithDetail("Invalid value: " + value, detail));
}

FieldError ErrTypeInvalid(const std::string& path, const std::string& value, std::string_view detail) {
  return Make("FieldValueTypeInvalid", path, WithDetail("Invalid value: " + value, detail));
}

FieldError ErrDuplicate(const std::string& path, const std::string& value) {
  return Make("FieldValueDuplicate", path, "Duplicate value: " + value);
}

FieldError ErrNotSupported(const std::string& path, const std::string& value,
                           const std::vector<std::string>& valid_values) {
  std::string detail;
  if (!valid_values.empty()) {
    detail = "supported values: ";
    for (size_t i = 0; i < valid_values.size(); ++i) {
      if (i > 0) detail += ", ";
      detail += GoQuote(valid_values[i]);
    }
  }
  return Make("FieldValueNotSupported", path, WithDetail("Unsupported value: " + value, detail));
}

FieldError ErrTooLong(const std::string& path, int64_t max_length) {
  std::string detail = "value is too long";
  if (max_length >= 0) {
    detail = "may not be more than " + std::to_string(max_length) + (max_length == 1 ? " byte" : " bytes");
  }
  return Make("FieldValueTooLong", path, WithDetail("Too long", detail));
}

FieldError ErrTooMany(const std::string& path, int64_t actual, int64_t max_quantity) {
  std::string body = "Too many";
  if (actual >= 0) body += ": " + std::to_string(actual);
  std::string detail = "has too many items";
  if (max_quantity >= 0) {
    detail = "must have at most " + std::to_string(max_quantity) + (max_quantity == 1 ? " item" : " items");
  }
  return Make("FieldValueTooMany", path, WithDetail(std::move(body), detail));
}

bool GoDeepEqual(const Value& a, const Value& b) {
  std::vector<std::pair<const Value*, const Value*>> stack{{&a, &b}};
  while (!stack.empty()) {
    auto [x, y] = stack.back();
    stack.pop_back();
    if (x->kind() != y->kind()) return false;
    switch (x->kind()) {
      case Value::Kind::kNull: break;
      case Value::Kind::kBool:
        if (x->as_bool() != y->as_bool()) return false;
        break;
      case Value::Kind::kInt:
        if (x->as_int() != y->as_int()) return false;
        break;
      case Value::Kind::kFloat:
        if (!(x->as_float() == y->as_float())) return false;
        break;
      case Value::Kind::kString:
        if (x->as_string() != y->as_string()) return false;
        break;
      case Value::Kind::kArray: {
        const auto& xa = x->as_array();
        const auto& ya = y->as_array();
        if (xa.size() != ya.size()) return false;
        for (size_t i = 0; i < xa.size(); ++i) stack.emplace_back(&xa[i], &ya[i]);
        break;
      }
      case Value::Kind::kObject: {
        const auto& xo = x->as_object();
        const auto& yo = y->as_object();
        if (xo.size() != yo.size()) return false;
        for (size_t i = 0; i < xo.size(); ++i) {  // both sorted by key
          if (xo[i].key != yo[i].key) return false;
          stack.emplace_back(&xo[i].value, &yo[i].value);
        }
        break;
      }
    }
  }
  return true;
}

bool IsFloat64AJSONInteger(double f) {
  constexpr double kMaxJsonFloat = 9007199254740991.0;  // 1<<53 - 1
  if (!std::isfinite(f) || f < -kMaxJsonFloat || f > kMaxJsonFloat) return false;
  if (f == std::trunc(f)) return true;
  // Go converts a negative float64 to uint64 through int64 on amd64: the result is huge,
  // and no test below passes for a non-integral negative value.
  if (f < 0) return false;
  double g = std::trunc(f);
  if (g == 0) return false;  // diff < epsilon * SmallestNonzeroFloat64, which is 0
  double diff = f - g;
  return diff / (f + g) < 1e-9;
}

std::unique_ptr<RE2> CompileGoRegexp(const std::string& pattern, std::string* go_error) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  if (re->ok()) {
    go_error->clear();
    return re;
  }
  const char* code = "invalid or unsupported Perl syntax";
  switch (re->error_code()) {
    case RE2::ErrorBadEscape: code = "invalid escape sequence"; break;
    case RE2::ErrorBadCharClass: code = "invalid character class"; break;
    case RE2::ErrorBadCharRange: code = "invalid character class range"; break;
    case RE2::ErrorMissingBracket: code = "missing closing ]"; break;
    case RE2::ErrorMissingParen: code = "missing closing )"; break;
    case RE2::ErrorUnexpectedParen: code = "unexpected )"; break;
    case RE2::ErrorTrailingBackslash: code = "trailing backslash at end of expression"; break;
    case RE2::ErrorRepeatArgument: code = "missing argument to repetition operator"; break;
    case RE2::ErrorRepeatSize: code = "invalid repeat count"; break;
    case RE2::ErrorRepeatOp: code = "invalid nested repetition operator"; break;
    case RE2::ErrorBadPerlOp: code = "invalid or unsupported Perl syntax"; break;
    case RE2::ErrorBadUTF8: code = "invalid UTF-8"; break;
    case RE2::ErrorBadNamedCapture: code = "invalid named capture"; break;
    case RE2::ErrorPatternTooLarge: code = "expression too large"; break;
    default: break;
  }
  std::string arg = re->error_arg();
  if (re->error_code() == RE2::ErrorMissingParen || arg.empty()) arg = pattern;
  *go_error = std::string("error parsing regexp: ") + code + ": `" + arg + "`";
  return nullptr;
}

}  // namespace kstream::api::crd::internal
