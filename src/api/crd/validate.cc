// kube-openapi's schema validator (pkg/validation/validate: SchemaValidator with its type,
// schema-props (allOf/anyOf/oneOf/not), string, format, number, slice, common (enum) and
// object validators), its error texts (pkg/validation/errors), and apiextensions'
// kubeOpenAPIResultToFieldErrors.
//
// The emulation keeps kube-openapi's Result semantics that decide which errors are shown:
// errors are de-duplicated by message, and for anyOf/oneOf the failing branch with the
// highest MatchCount is reported, so MatchCount is counted exactly as kube-openapi does.

#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "api/crd/internal.h"
#include "encoding/utf8.h"

namespace kstream::api::crd::internal {
namespace {

enum class Code {
  kInvalidType,
  kRequired,
  kTooLong,
  kTooShort,
  kPattern,
  kEnum,
  kMultipleOf,
  kMax,
  kMin,
  kUnique,
  kMaxItems,
  kMinItems,
  kTooFewProperties,
  kTooManyProperties,
  kUnallowedProperty,
  kMultipleOfMustBePositive,
  kComposite,  // errors.New(CompositeErrorCode, ...): not an *errors.Validation
};

struct VErr {
  VErr(Code c, std::string n, std::string m, std::string v)
      : code(c), name(std::move(n)), message(std::move(m)), value(std::move(v)) {}

  Code code;
  std::string name;     // Validation.Name
  std::string message;  // Error(); the de-duplication key
  std::string value;    // the bad value, rendered as field.Error prints it
  int64_t valid = -1;   // Validation.Valid (a maximum), when it is an int64
  int64_t actual = -1;  // Validation.Value, when it is an int64 count
  std::vector<std::string> values;  // the enum, as NotSupported lists it
};

class VResult {
 public:
  bool valid() const { return errors_.empty(); }
  int match_count() const { return match_count_; }
  void Inc() { ++match_count_; }

  void AddError(VErr e) {
    if (index_ == nullptr && errors_.size() >= 16) {
      index_ = std::make_unique<std::unordered_set<std::string>>();
      for (const VErr& x : errors_) index_->insert(x.message);
    }
    if (index_ != nullptr) {
      if (!index_->insert(e.message).second) return;
    } else {
      for (const VErr& x : errors_) {
        if (x.message == e.message) return;
      }
    }
    errors_.push_back(std::move(e));
  }

  void Merge(VResult&& other) {
    for (VErr& e : other.errors_) AddError(std::move(e));
    match_count_ += other.match_count_;
  }

  std::vector<VErr>& errors() { return errors_; }

 private:
  std::vector<VErr> errors_;
  int match_count_ = 0;
  std::unique_ptr<std::unordered_set<std::string>> index_;
};

VResult Single(VErr e) {
  VResult r;
  r.AddError(std::move(e));
  return r;
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  for (const std::string& x : v) {
    if (x == s) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += v[i];
  }
  return out;
}

// errors.InvalidType(name, "body", typeName, value) with a string value.
VErr InvalidType(const std::string& name, const std::string& type_name, const std::string& value) {
  std::string quoted = GoQuote(value);
  return VErr{Code::kInvalidType, name, name + " in body must be of type " + type_name + ": " + quoted, quoted};
}

// Go's float64 -> int64 conversion on amd64 (out of range: the "integer indefinite").
int64_t GoFloatToInt64(double d) {
  if (!(d > -9223372036854775809.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

size_t RuneCount(const std::string& s) {
  size_t n = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    size_t len = encoding::ValidUtf8Length(p + i, s.size() - i);
    i += len == 0 ? 1 : len;
    ++n;
  }
  return n;
}

// A type-aware key: reflect.DeepEqual(a, b) iff TypedKey(a) == TypedKey(b).
void AppendTypedKey(const Value& root, std::string* out) {
  struct Frame {
    const Value* v;
    size_t next;
  };
  std::vector<Frame> stack{{&root, 0}};
  while (!stack.empty()) {
    Frame& f = stack.back();
    const Value& v = *f.v;
    if (v.is_array()) {
      if (f.next == 0) out->push_back('[');
      if (f.next < v.as_array().size()) {
        const Value* child = &v.as_array()[f.next++];
        stack.push_back({child, 0});
        continue;
      }
      out->push_back(']');
      stack.pop_back();
      continue;
    }
    if (v.is_object()) {
      if (f.next == 0) out->push_back('{');
      if (f.next < v.as_object().size()) {
        const Member& m = v.as_object()[f.next++];
        out->append(GoQuote(m.key));
        out->push_back(':');
        stack.push_back({&m.value, 0});
        continue;
      }
      out->push_back('}');
      stack.pop_back();
      continue;
    }
    switch (v.kind()) {
      case Value::Kind::kNull: out->append("n,"); break;
      case Value::Kind::kBool: out->append(v.as_bool() ? "t," : "f,"); break;
      case Value::Kind::kInt: out->append("i" + GoInt(v.as_int()) + ","); break;
      case Value::Kind::kFloat: {
        double d = v.as_float();
        if (d == 0) d = 0;
        out->append("d" + GoFloat(d) + ",");
        break;
      }
      case Value::Kind::kString: out->append("s" + GoQuote(v.as_string()) + ","); break;
      default: break;
    }
    stack.pop_back();
  }
}

class OpenApiValidator {
 public:
  explicit OpenApiValidator(bool defaults_mode) : defaults_(defaults_mode) {}

  // SchemaValidator.Validate.
  VResult Schema(const Node& n, const std::string& path, const Value& d) {
    VResult r;
    if (d.is_null()) {
      r.Merge(Type(n, path, d));
      r.Merge(Common(n, path, d));
      return r;
    }
    Value::Kind k = d.kind();
    if (!Types(n).empty() || !Format(n).empty()) {
      r.Merge(Type(n, path, d));
      r.Inc();
    }
    r.Merge(Props(n, path, d));
    r.Inc();
    if (k == Value::Kind::kString) {
      r.Merge(String(n, path, d.as_string()));
      r.Inc();
      if (FormatIsKnown(Format(n))) {
        r.Merge(StringFormat(n, path, d.as_string()));
        r.Inc();
      }
    }
    if (k == Value::Kind::kInt || k == Value::Kind::kFloat) {
      r.Merge(Number(n, path, d));
      r.Inc();
    }
    if (k == Value::Kind::kArray) {
      r.Merge(Slice(n, path, d));
      r.Inc();
    }
    r.Merge(Common(n, path, d));
    r.Inc();
    if (k == Value::Kind::kObject) {
      r.Merge(Object(n, path, d));
      r.Inc();
    }
    r.Inc();
    return r;
  }

 private:
  const std::vector<std::string>& Types(const Node& n) const { return defaults_ ? n.raw_types : n.cr_types; }
  const std::string& Format(const Node& n) const { return defaults_ ? n.format : n.cr_format; }

  // typeValidator.
  VResult Type(const Node& n, const std::string& path, const Value& d) {
    VResult r;
    r.Inc();
    const std::vector<std::string>& types = Types(n);
    const std::string& fmt = Format(n);
    if (d.is_null()) {
      if (!types.empty() && !Contains(types, "null") && !n.nullable) {
        return Single(InvalidType(path, Join(types), "null"));
      }
      return r;
    }
    const char* sch = "";
    const char* format = "";
    switch (d.kind()) {
      case Value::Kind::kBool: sch = "boolean"; break;
      case Value::Kind::kString: sch = "string"; break;
      case Value::Kind::kInt: sch = "integer"; format = "int64"; break;
      case Value::Kind::kFloat: sch = "number"; format = "float64"; break;
      case Value::Kind::kArray: sch = "array"; break;
      case Value::Kind::kObject: sch = "object"; break;
      case Value::Kind::kNull: break;
    }
    bool is_float_int = d.is_float() && IsFloat64AJSONInteger(d.as_float()) && Contains(types, "integer");
    bool is_int_float = d.is_int() && Contains(types, "number");
    bool contains = Contains(types, sch);
    bool str_or_slice = d.is_string() || d.is_array();
    if (!str_or_slice && !fmt.empty() && !(contains || fmt == format || is_float_int || is_int_float)) {
      return Single(InvalidType(path, fmt, format));
    }
    if (!(Contains(types, "number") || Contains(types, "integer")) && !fmt.empty() && str_or_slice) return r;
    if (!(contains || is_float_int || is_int_float)) return Single(InvalidType(path, Join(types), sch));
    return r;
  }

  static VErr Composite(const std::string& message) { return VErr{Code::kComposite, "", message, "\"\""}; }

  // schemaPropsValidator.
  VResult Props(const Node& n, const std::string& path, const Value& d) {
    VResult main;
    if (!n.any_of.empty()) {
      std::optional<VResult> best;
      std::optional<VResult> first_success;
      bool succeeded = false;
      for (const auto& sub : n.any_of) {
        VResult r = Schema(*sub, path, d);
        if (r.valid()) {
          best.reset();
          succeeded = true;
          if (!first_success) first_success = std::move(r);
          break;
        }
        if (!best || r.match_count() > best->match_count()) best = std::move(r);
      }
      if (!succeeded) main.AddError(Composite(GoQuote(path) + " must validate at least one schema (anyOf)"));
      if (best) {
        main.Merge(std::move(*best));
      } else if (first_success) {
        main.Merge(std::move(*first_success));
      }
    }
    if (!n.one_of.empty()) {
      std::optional<VResult> best;
      std::optional<VResult> first_success;
      int validated = 0;
      for (const auto& sub : n.one_of) {
        VResult r = Schema(*sub, path, d);
        if (r.valid()) {
          ++validated;
          best.reset();
          if (!first_success) first_success = std::move(r);
          continue;
        }
        if (validated == 0 && (!best || r.match_count() > best->match_count())) best = std::move(r);
      }
      if (validated != 1) {
        std::string additional =
            validated == 0 ? "Found none valid" : "Found " + std::to_string(validated) + " valid alternatives";
        main.AddError(Composite(GoQuote(path) + " must validate one and only one schema (oneOf). " + additional));
        if (best) main.Merge(std::move(*best));
      } else if (first_success) {
        main.Merge(std::move(*first_success));
      }
    }
    if (!n.all_of.empty()) {
      size_t validated = 0;
      for (const auto& sub : n.all_of) {
        VResult r = Schema(*sub, path, d);
        if (r.valid()) ++validated;
        main.Merge(std::move(r));
      }
      if (validated != n.all_of.size()) {
        main.AddError(Composite(GoQuote(path) + " must validate all the schemas (allOf)" +
                                (validated == 0 ? ". None validated" : "")));
      }
    }
    if (n.not_) {
      VResult r = Schema(*n.not_, path, d);
      if (r.valid()) main.AddError(Composite(GoQuote(path) + " must not validate the schema (not)"));
    }
    main.Inc();
    return main;
  }

  // stringValidator: the first failing check only.
  VResult String(const Node& n, const std::string& path, const std::string& s) {
    if (n.max_length || n.min_length) {
      auto len = static_cast<int64_t>(RuneCount(s));
      if (n.max_length && len > *n.max_length) {
        VErr e{Code::kTooLong, path,
               path + " in body should be at most " + std::to_string(*n.max_length) + " chars long", GoQuote(s)};
        e.valid = *n.max_length;
        return Single(std::move(e));
      }
      if (n.min_length && len < *n.min_length) {
        return Single(VErr{Code::kTooShort, path,
                           path + " in body should be at least " + std::to_string(*n.min_length) + " chars long",
                           GoQuote(s)});
      }
    }
    if (n.has_pattern) {
      if (n.pattern_re == nullptr) {
        return Single(VErr{Code::kPattern, path,
                           path + " in body should match '" + n.pattern + ", but pattern is invalid: " +
                               n.pattern_error + "'",
                           GoQuote(s)});
      }
      if (!RE2::PartialMatch(s, *n.pattern_re)) {
        return Single(VErr{Code::kPattern, path, path + " in body should match '" + n.pattern + "'", GoQuote(s)});
      }
    }
    return VResult();
  }

  // formatValidator.
  VResult StringFormat(const Node& n, const std::string& path, const std::string& s) {
    const std::string& fmt = Format(n);
    if (FormatValidates(fmt, s)) return VResult();
    return Single(InvalidType(path, fmt, s));
  }

  // numberValidator: multipleOf, then minimum, then maximum.
  VResult Number(const Node& n, const std::string& path, const Value& d) {
    VResult res;
    VResult mult, min, max;
    bool is_int = d.is_int();
    double data = is_int ? static_cast<double>(d.as_int()) : d.as_float();
    std::string rendered = RenderValue(d);
    if (n.multiple_of) {
      double factor = *n.multiple_of;
      int64_t ifactor = GoFloatToInt64(factor);
      if (is_int && ifactor != 0) {
        // MultipleOfInt (a zero factor would make Go panic: checked as a float instead).
        if (ifactor < 0) {
          mult.AddError(VErr{Code::kMultipleOfMustBePositive, path,
                             "factor MultipleOf declared for " + path + " must be positive: " + GoInt(ifactor),
                             GoInt(ifactor)});
        } else if ((d.as_int() / ifactor) * ifactor != d.as_int()) {
          mult.AddError(VErr{Code::kMultipleOf, path, path + " in body should be a multiple of " + GoInt(ifactor),
                             rendered});
        }
      } else if (factor < 0) {
        mult.AddError(VErr{Code::kMultipleOfMustBePositive, path,
                           "factor MultipleOf declared for " + path + " must be positive: " + GoFloat(factor),
                           GoFloat(factor)});
      } else {
        double m = factor < 1 ? 1 / factor * data : data / factor;
        if (!IsFloat64AJSONInteger(m)) {
          mult.AddError(VErr{Code::kMultipleOf, path, path + " in body should be a multiple of " + GoFloat(factor),
                             is_int ? rendered : GoFloat(data)});
        }
      }
    }
    if (n.maximum) {
      bool excl = n.exclusive_maximum;
      const char* what = excl ? " in body should be less than " : " in body should be less than or equal to ";
      if (is_int) {
        int64_t m = GoFloatToInt64(*n.maximum);
        int64_t v = d.as_int();
        if ((!excl && v > m) || (excl && v >= m)) max.AddError(VErr{Code::kMax, path, path + what + GoInt(m), rendered});
      } else if ((!excl && data > *n.maximum) || (excl && data >= *n.maximum)) {
        max.AddError(VErr{Code::kMax, path, path + what + GoFloat(*n.maximum), rendered});
      }
    }
    if (n.minimum) {
      bool excl = n.exclusive_minimum;
      const char* what = excl ? " in body should be greater than " : " in body should be greater than or equal to ";
      if (is_int) {
        int64_t m = GoFloatToInt64(*n.minimum);
        int64_t v = d.as_int();
        if ((!excl && v < m) || (excl && v <= m)) min.AddError(VErr{Code::kMin, path, path + what + GoInt(m), rendered});
      } else if ((!excl && data < *n.minimum) || (excl && data <= *n.minimum)) {
        min.AddError(VErr{Code::kMin, path, path + what + GoFloat(*n.minimum), rendered});
      }
    }
    res.Merge(std::move(mult));
    res.Merge(std::move(min));
    res.Merge(std::move(max));
    res.Inc();
    return res;
  }

  // schemaSliceValidator.
  VResult Slice(const Node& n, const std::string& path, const Value& d) {
    VResult r;
    const auto& items = d.as_array();
    auto size = static_cast<int64_t>(items.size());
    if (n.items) {
      for (size_t i = 0; i < items.size(); ++i) {
        r.Merge(Schema(*n.items, path + "[" + std::to_string(i) + "]", items[i]));
      }
    }
    if (n.min_items && size < *n.min_items) {
      VErr e{Code::kMinItems, path, path + " in body should have at least " + std::to_string(*n.min_items) + " items",
             GoInt(size)};
      e.actual = size;
      r.AddError(std::move(e));
    }
    if (n.max_items && size > *n.max_items) {
      VErr e{Code::kMaxItems, path, path + " in body should have at most " + std::to_string(*n.max_items) + " items",
             GoInt(size)};
      e.actual = size;
      e.valid = *n.max_items;
      r.AddError(std::move(e));
    }
    if (n.unique_items) {
      std::unordered_set<std::string> seen;
      for (const Value& v : items) {
        std::string key;
        AppendTypedKey(v, &key);
        if (!seen.insert(std::move(key)).second) {
          r.AddError(VErr{Code::kUnique, path, path + " in body shouldn't contain duplicates", "\"\""});
          break;
        }
      }
    }
    r.Inc();
    return r;
  }

  // basicCommonValidator (enum): reflect conversion to each member's type, then DeepEqual.
  VResult Common(const Node& n, const std::string& path, const Value& d) {
    if (n.enum_values.empty()) return VResult();
    for (const Value* e : n.enum_values) {
      if (e->is_null() || d.is_null()) continue;
      if (EnumMatches(d, *e)) return VResult();
    }
    VErr err{Code::kEnum, path, "", RenderValue(d)};
    Value all(Value::Array{});
    for (const Value* e : n.enum_values) {
      all.mutable_array().push_back(*e);
      err.values.push_back(e->is_string() ? e->as_string() : GoJson(*e));
    }
    err.message = path + " in body should be one of " + GoJson(all);
    return Single(std::move(err));
  }

  static bool EnumMatches(const Value& d, const Value& e) {
    using K = Value::Kind;
    K dk = d.kind(), ek = e.kind();
    if (dk == ek) return GoDeepEqual(d, e);
    if (dk == K::kInt && ek == K::kFloat) return static_cast<double>(d.as_int()) == e.as_float();
    if (dk == K::kFloat && ek == K::kInt) return GoFloatToInt64(d.as_float()) == e.as_int();
    if (dk == K::kInt && ek == K::kString) {  // Go's string(rune(i))
      int64_t r = d.as_int();
      std::string s;
      if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
      encoding::AppendUtf8(&s, static_cast<char32_t>(r));
      return s == e.as_string();
    }
    return false;
  }

  // objectValidator.
  VResult Object(const Node& n, const std::string& path, const Value& d) {
    VResult res;
    const Value::Object& members = d.as_object();
    auto num_keys = static_cast<int64_t>(members.size());
    if (n.min_properties && num_keys < *n.min_properties) {
      VErr e{Code::kTooFewProperties, path,
             path + " in body should have at least " + std::to_string(*n.min_properties) + " properties",
             GoInt(num_keys)};
      e.actual = num_keys;
      res.AddError(std::move(e));
    }
    if (n.max_properties && num_keys > *n.max_properties) {
      VErr e{Code::kTooManyProperties, path,
             path + " in body should have at most " + std::to_string(*n.max_properties) + " properties",
             GoInt(num_keys)};
      e.actual = num_keys;
      e.valid = *n.max_properties;
      res.AddError(std::move(e));
    }
    if (n.has_additional && !n.additional_allows) {
      for (const Member& m : members) {
        if (n.Property(m.key) == nullptr) {
          res.AddError(VErr{Code::kUnallowedProperty, path, path + "." + m.key + " in body is a forbidden property",
                            GoQuote(m.key)});
        }
      }
    } else if (n.additional) {
      for (const Member& m : members) {
        if (n.Property(m.key) == nullptr) res.Merge(Schema(*n.additional, path + "." + m.key, m.value));
      }
    }
    for (const auto& [name, prop] : n.properties) {
      if (const Value* v = d.Find(name)) res.Merge(Schema(*prop, path.empty() ? name : path + "." + name, *v));
    }
    for (const std::string& k : n.required) {
      if (d.Find(k) == nullptr) res.AddError(VErr{Code::kRequired, path + "." + k, path + "." + k + " in body is required", ""});
    }
    return res;
  }

  bool defaults_;
};

FieldError ToFieldError(const VErr& e, const std::string& base) {
  if (e.code == Code::kComposite) return ErrInvalid(base, e.value, e.message);
  std::string path = base;
  if (!e.name.empty() && e.name != ".") {
    std::string_view name = e.name;
    if (name.front() == '.') name.remove_prefix(1);
    path = PathChild(base, name);
  }
  std::string value = e.value.empty() ? "\"\"" : e.value;
  switch (e.code) {
    case Code::kRequired: return ErrRequired(path, "");
    case Code::kEnum: return ErrNotSupported(path, value, e.values);
    case Code::kTooLong: return ErrTooLong(path, e.valid);
    case Code::kMaxItems:
    case Code::kTooManyProperties: return ErrTooMany(path, e.actual, e.valid);
    case Code::kInvalidType: return ErrTypeInvalid(path, value, e.message);
    default: return ErrInvalid(path, value, e.message);
  }
}

}  // namespace

void ValidateOpenApi(const Node& root, const Value& obj, bool defaults_mode, const std::string& base,
                     std::vector<FieldError>* out) {
  OpenApiValidator v(defaults_mode);
  VResult r = v.Schema(root, "", obj);
  for (const VErr& e : r.errors()) out->push_back(ToFieldError(e, base));
}

}  // namespace kstream::api::crd::internal
