// Parsing of JSONSchemaProps (JSON form) into internal::Node, and Schema's entry points.

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "api/crd/internal.h"
#include "api/crd/structural.h"

namespace kstream::api::crd {
namespace internal {
namespace {

const char* JsonTypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "boolean";
    case Value::Kind::kInt:
    case Value::Kind::kFloat: return "number";
    case Value::Kind::kString: return "string";
    case Value::Kind::kArray: return "array";
    case Value::Kind::kObject: return "object";
  }
  return "unknown";
}

struct Parser {
  std::string* err_path;
  std::string* err_msg;

  bool Fail(const std::string& path, std::string msg) {
    *err_path = path;
    *err_msg = std::move(msg);
    return false;
  }
  bool Expect(const Value& v, const std::string& path, Value::Kind kind, const char* what) {
    if (v.kind() == kind) return true;
    return Fail(path, std::string("must be ") + what + ", not " + JsonTypeName(v));
  }
  bool String(const Value& v, const std::string& path, std::string* out) {
    if (!Expect(v, path, Value::Kind::kString, "a string")) return false;
    *out = v.as_string();
    return true;
  }
  bool Bool(const Value& v, const std::string& path, bool* out) {
    if (!Expect(v, path, Value::Kind::kBool, "a boolean")) return false;
    *out = v.as_bool();
    return true;
  }
  bool Number(const Value& v, const std::string& path, std::optional<double>* out) {
    if (v.is_int()) {
      *out = static_cast<double>(v.as_int());
      return true;
    }
    if (v.is_float()) {
      *out = v.as_float();
      return true;
    }
    return Fail(path, std::string("must be a number, not ") + JsonTypeName(v));
  }
  bool Int(const Value& v, const std::string& path, std::optional<int64_t>* out) {
    if (v.is_int()) {
      *out = v.as_int();
      return true;
    }
    return Fail(path, std::string("must be an integer, not ") + JsonTypeName(v));
  }
  bool StringList(const Value& v, const std::string& path, std::vector<std::string>* out) {
    if (!Expect(v, path, Value::Kind::kArray, "an array of strings")) return false;
    out->clear();
    for (size_t i = 0; i < v.as_array().size(); ++i) {
      const Value& e = v.as_array()[i];
      if (!e.is_string()) return Fail(path + "[" + std::to_string(i) + "]", "must be a string");
      out->push_back(e.as_string());
    }
    return true;
  }
  bool SchemaList(const Value& v, const std::string& path, int depth, std::vector<std::unique_ptr<Node>>* out) {
    if (!Expect(v, path, Value::Kind::kArray, "an array of schemas")) return false;
    for (size_t i = 0; i < v.as_array().size(); ++i) {
      auto n = std::make_unique<Node>();
      if (!Parse(v.as_array()[i], path + "[" + std::to_string(i) + "]", depth + 1, n.get())) return false;
      out->push_back(std::move(n));
    }
    return true;
  }
  bool SchemaMap(const Value& v, const std::string& path, int depth,
                 std::vector<std::pair<std::string, std::unique_ptr<Node>>>* out) {
    if (!Expect(v, path, Value::Kind::kObject, "an object of schemas")) return false;
    for (const Member& m : v.as_object()) {  // members are sorted by key
      auto n = std::make_unique<Node>();
      if (!Parse(m.value, path + "[" + m.key + "]", depth + 1, n.get())) return false;
      out->emplace_back(m.key, std::move(n));
    }
    return true;
  }

  bool Parse(const Value& v, const std::string& path, int depth, Node* n) {
    if (depth > kMaxSchemaDepth) {
      return Fail(path, "schema nesting exceeds the maximum depth of " + std::to_string(kMaxSchemaDepth));
    }
    if (!v.is_object()) return Fail(path, std::string("must be a schema object, not ") + JsonTypeName(v));
    for (const Member& m : v.as_object()) {
      const std::string& k = m.key;
      const Value& x = m.value;
      if (x.is_null()) continue;  // encoding/json leaves a field that is null unset
      std::string p = path + "." + k;
      bool ok = true;
      if (k == "type") {
        ok = String(x, p, &n->type);
      } else if (k == "format") {
        ok = String(x, p, &n->format);
      } else if (k == "description") {
        ok = String(x, p, &n->description);
      } else if (k == "title") {
        ok = String(x, p, &n->title);
      } else if (k == "id") {
        std::string s;
        ok = String(x, p, &s);
        n->has_id = !s.empty();
      } else if (k == "$schema") {
        std::string s;
        ok = String(x, p, &s);
        n->has_schema_url = !s.empty();
      } else if (k == "$ref") {
        std::string s;
        ok = String(x, p, &s);
        n->has_ref = true;
        n->ref_nonempty = !s.empty();
      } else if (k == "default") {
        n->default_value = &x;
      } else if (k == "maximum") {
        ok = Number(x, p, &n->maximum);
      } else if (k == "minimum") {
        ok = Number(x, p, &n->minimum);
      } else if (k == "multipleOf") {
        ok = Number(x, p, &n->multiple_of);
      } else if (k == "exclusiveMaximum") {
        ok = Bool(x, p, &n->exclusive_maximum);
      } else if (k == "exclusiveMinimum") {
        ok = Bool(x, p, &n->exclusive_minimum);
      } else if (k == "maxLength") {
        ok = Int(x, p, &n->max_length);
      } else if (k == "minLength") {
        ok = Int(x, p, &n->min_length);
      } else if (k == "maxItems") {
        ok = Int(x, p, &n->max_items);
      } else if (k == "minItems") {
        ok = Int(x, p, &n->min_items);
      } else if (k == "maxProperties") {
        ok = Int(x, p, &n->max_properties);
      } else if (k == "minProperties") {
        ok = Int(x, p, &n->min_properties);
      } else if (k == "uniqueItems") {
        ok = Bool(x, p, &n->unique_items);
      } else if (k == "pattern") {
        ok = String(x, p, &n->pattern);
        if (ok && !n->pattern.empty()) {
          n->has_pattern = true;
          n->pattern_re = CompileGoRegexp(n->pattern, &n->pattern_error);
        }
      } else if (k == "enum") {
        ok = Expect(x, p, Value::Kind::kArray, "an array");
        if (ok) {
          for (const Value& e : x.as_array()) n->enum_values.push_back(&e);
        }
      } else if (k == "required") {
        ok = StringList(x, p, &n->required);
      } else if (k == "nullable") {
        ok = Bool(x, p, &n->nullable);
      } else if (k == "externalDocs") {
        ok = Expect(x, p, Value::Kind::kObject, "an object");
        n->has_external_docs = true;
      } else if (k == "properties") {
        n->properties_present = true;
        ok = SchemaMap(x, p, depth, &n->properties);
      } else if (k == "items") {
        if (x.is_array()) {
          n->items_is_array = true;
          ok = SchemaList(x, p, depth, &n->items_array);
        } else {
          n->items = std::make_unique<Node>();
          ok = Parse(x, p, depth + 1, n->items.get());
        }
      } else if (k == "additionalProperties") {
        n->has_additional = true;
        if (x.is_bool()) {
          n->additional_allows = x.as_bool();
        } else if (x.is_object()) {
          n->additional_allows = true;
          n->additional = std::make_unique<Node>();
          ok = Parse(x, p, depth + 1, n->additional.get());
        } else {
          ok = Fail(p, "boolean or JSON schema expected");
        }
      } else if (k == "allOf") {
        ok = SchemaList(x, p, depth, &n->all_of);
      } else if (k == "anyOf") {
        ok = SchemaList(x, p, depth, &n->any_of);
      } else if (k == "oneOf") {
        ok = SchemaList(x, p, depth, &n->one_of);
      } else if (k == "not") {
        n->not_ = std::make_unique<Node>();
        ok = Parse(x, p, depth + 1, n->not_.get());
      } else if (k == "patternProperties") {
        ok = Expect(x, p, Value::Kind::kObject, "an object of schemas");
        n->has_pattern_properties = ok && !x.as_object().empty();
      } else if (k == "definitions") {
        ok = SchemaMap(x, p, depth, &n->definitions);
      } else if (k == "dependencies") {
        ok = Expect(x, p, Value::Kind::kObject, "an object");
        if (ok) {
          n->has_dependencies = true;
          n->dependencies_nonempty = !x.as_object().empty();
          for (const Member& d : x.as_object()) {
            if (d.value.is_object()) {
              auto dn = std::make_unique<Node>();
              if (!Parse(d.value, p + "[" + d.key + "]", depth + 1, dn.get())) return false;
              n->dependency_schemas.emplace_back(d.key, std::move(dn));
            } else if (!d.value.is_array() && !d.value.is_null()) {
              return Fail(p + "[" + d.key + "]", "must be a schema or an array of strings");
            }
          }
        }
      } else if (k == "additionalItems") {
        ok = x.is_bool() || x.is_object() || Fail(p, "boolean or JSON schema expected");
        n->has_additional_items = true;
      } else if (k == "x-kubernetes-preserve-unknown-fields") {
        bool b = false;
        ok = Bool(x, p, &b);
        n->preserve_unknown = b;
        n->preserve_unknown_false = !b;
      } else if (k == "x-kubernetes-embedded-resource") {
        ok = Bool(x, p, &n->embedded);
      } else if (k == "x-kubernetes-int-or-string") {
        ok = Bool(x, p, &n->int_or_string);
      } else if (k == "x-kubernetes-list-type") {
        std::string s;
        ok = String(x, p, &s);
        n->list_type = s;
      } else if (k == "x-kubernetes-map-type") {
        std::string s;
        ok = String(x, p, &s);
        n->map_type = s;
      } else if (k == "x-kubernetes-list-map-keys") {
        ok = StringList(x, p, &n->list_map_keys);
      } else if (k == "x-kubernetes-validations") {
        ok = Expect(x, p, Value::Kind::kArray, "an array");
        if (ok && !x.as_array().empty()) n->x_validations = &x;
      }
      // Everything else (example, unknown keys) does not affect validation.
      if (!ok) return false;
    }

    // The custom-resource view of kube-openapi (ConvertJSONSchemaProps +
    // StripUnsupportedFormatsPostProcess for the 1.0 format set).
    if (!n->type.empty()) n->raw_types = {n->type};
    if (n->int_or_string) {
      n->cr_types = {"integer", "string"};
    } else if (!n->type.empty()) {
      n->cr_types = {n->type};
    }
    if (!n->format.empty()) {
      std::string schema_type = n->cr_types.size() == 1 ? n->cr_types[0] : "";
      if (schema_type.empty() || schema_type == "string") {
        if (IsSupportedStringFormat(n->format)) n->cr_format = n->format;
      } else if (schema_type == "integer") {
        if (n->format == "int32" || n->format == "int64") n->cr_format = n->format;
      } else if (schema_type == "number") {
        if (n->format == "float" || n->format == "double") n->cr_format = n->format;
      }
    }
    return true;
  }
};

// NewStructural's refusals, in its order; "" when it would succeed.
std::string UnsupportedFieldsError(const Node& n) {
  if (n.has_id) return "OpenAPIV3Schema 'id' is not supported";
  if (n.has_schema_url) return "OpenAPIV3Schema 'schema' is not supported";
  if (n.ref_nonempty) return "OpenAPIV3Schema '$ref' is not supported";
  if (n.has_pattern_properties) return "OpenAPIV3Schema 'patternProperties' is not supported";
  if (n.dependencies_nonempty) return "OpenAPIV3Schema 'dependencies' is not supported";
  if (n.has_additional_items) return "OpenAPIV3Schema 'additionalItems' is not supported";
  if (!n.definitions.empty()) return "OpenAPIV3Schema 'definitions' is not supported";
  return "";
}

}  // namespace

const Node* Node::Property(std::string_view key) const {
  auto it = std::lower_bound(properties.begin(), properties.end(), key,
                             [](const auto& p, std::string_view k) { return p.first < k; });
  if (it != properties.end() && it->first == key) return it->second.get();
  return nullptr;
}

bool ParseNode(const Value& v, const std::string& path, int depth, Node* out, std::string* err_path,
               std::string* err_msg) {
  Parser p{err_path, err_msg};
  return p.Parse(v, path, depth, out);
}

namespace {

// The value validations (not, allOf, anyOf, oneOf) are schemas checked as NewStructural
// checks any schema.
std::string ValueValidationStructuralError(const Node& n) {
  if (n.not_) {
    if (std::string e = NewStructuralError(*n.not_); !e.empty()) return e;
  }
  for (const auto& c : n.all_of) {
    if (std::string e = NewStructuralError(*c); !e.empty()) return e;
  }
  for (const auto& c : n.any_of) {
    if (std::string e = NewStructuralError(*c); !e.empty()) return e;
  }
  for (const auto& c : n.one_of) {
    if (std::string e = NewStructuralError(*c); !e.empty()) return e;
  }
  return "";
}

std::string ExtensionsError(const Node& n) {
  if (n.preserve_unknown_false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  return "";
}

}  // namespace

std::string NewStructuralError(const Node& n) {
  if (std::string e = UnsupportedFieldsError(n); !e.empty()) return e;
  if (std::string e = ValueValidationStructuralError(n); !e.empty()) return e;
  if (n.additional) {
    if (std::string e = NewStructuralError(*n.additional); !e.empty()) return e;
  }
  if (std::string e = ExtensionsError(n); !e.empty()) return e;
  if (n.items_is_array) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  if (n.items) {
    if (std::string e = NewStructuralError(*n.items); !e.empty()) return e;
  }
  for (const auto& [k, c] : n.properties) {
    if (std::string e = NewStructuralError(*c); !e.empty()) return e;
  }
  return "";
}

}  // namespace internal

Schema::Schema() = default;
Schema::~Schema() = default;

Result<std::shared_ptr<const Schema>> Schema::Compile(const Value& openapi_v3_schema) {
  std::shared_ptr<Schema> s(new Schema());
  s->raw_ = openapi_v3_schema;
  s->root_ = std::make_unique<internal::Node>();
  std::string err_path, err_msg;
  if (!internal::ParseNode(s->raw_, "openAPIV3Schema", 0, s->root_.get(), &err_path, &err_msg)) {
    return InvalidArgument(err_path + ": " + err_msg);
  }
  // What NewStructural refuses cannot be served (kube: NonStructuralSchema).
  if (std::string e = internal::NewStructuralError(*s->root_); !e.empty()) return InvalidArgument(e);
  return std::shared_ptr<const Schema>(std::move(s));
}

}  // namespace kstream::api::crd
