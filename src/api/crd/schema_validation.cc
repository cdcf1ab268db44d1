// Validation of a CRD version's openAPIV3Schema (apis/apiextensions/validation:
// validateCustomResourceDefinitionValidation and ValidateCustomResourceDefinitionOpenAPISchema
// with specStandardValidatorV3; apiserver/schema: NewStructural, ValidateStructural
// (invariants and completeness); schema/defaulting.ValidateDefaults).

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "api/crd/internal.h"
#include "api/crd/structural.h"

namespace kstream::api::crd {
namespace {

using internal::ErrForbidden;
using internal::ErrInvalid;
using internal::ErrNotSupported;
using internal::ErrRequired;
using internal::GoJson;
using internal::GoQuote;
using internal::Node;
using internal::PathChild;
using internal::PathIndex;
using internal::PathKey;

std::string Props(const std::string& p, std::string_view k) { return PathKey(PathChild(p, "properties"), k); }

bool IsMetaField(std::string_view k) { return k == "apiVersion" || k == "kind" || k == "metadata"; }

bool ValueValidationIsZero(const Node& n) {
  return n.format.empty() && !n.maximum && !n.exclusive_maximum && !n.minimum && !n.exclusive_minimum &&
         !n.max_length && !n.min_length && !n.has_pattern && !n.max_items && !n.min_items && !n.unique_items &&
         !n.multiple_of && n.enum_values.empty() && !n.max_properties && !n.min_properties && n.required.empty() &&
         n.all_of.empty() && n.one_of.empty() && n.any_of.empty() && !n.not_;
}

bool ExtensionsAreZero(const Node& n) {
  return !n.preserve_unknown && !n.embedded && !n.int_or_string && n.list_map_keys.empty() && !n.list_type &&
         !n.map_type && n.x_validations == nullptr;
}

// reflect.DeepEqual(nested, NestedValueValidation{ForbiddenGenerics: Generic{Type: type}}).
bool IsBareType(const Node& n, std::string_view type) {
  return n.type == type && n.description.empty() && n.title.empty() && !n.has_external_docs && !n.nullable &&
         n.default_value == nullptr && !n.has_additional && !n.properties_present && !n.items && !n.items_is_array &&
         ValueValidationIsZero(n) && ExtensionsAreZero(n);
}

bool IsIntOrStringAnyOf(const std::vector<std::unique_ptr<Node>>& any_of) {
  return any_of.size() == 2 && IsBareType(*any_of[0], "integer") && IsBareType(*any_of[1], "string");
}

enum class Level { kRoot, kItem, kField };

// ---- ValidateStructural: invariants -----------------------------------------------------

class Structural {
 public:
  explicit Structural(std::vector<FieldError>* out) : out_(out) {}

  void Invariants(const Node* s, Level lvl, const std::string& p) {
    if (s == nullptr) return;
    if (s->type == "array" && !s->items) out_->push_back(ErrRequired(PathChild(p, "items"), "must be specified"));
    Invariants(s->items.get(), Level::kItem, PathChild(p, "items"));
    for (const auto& [k, v] : s->properties) Invariants(v.get(), Level::kField, Props(p, k));
    if (s->has_additional) {
      if (lvl == Level::kRoot) {
        out_->push_back(ErrForbidden(PathChild(p, "additionalProperties"), "must not be used at the root"));
      }
      if (s->additional) Invariants(s->additional.get(), Level::kField, PathChild(p, "additionalProperties"));
    }
    if (s->int_or_string && s->preserve_unknown) {
      out_->push_back(ErrInvalid(PathChild(p, "x-kubernetes-preserve-unknown-fields"), "true",
                                 "must be false if x-kubernetes-int-or-string is true"));
    }
    if (s->int_or_string && s->embedded) {
      out_->push_back(ErrInvalid(PathChild(p, "x-kubernetes-embedded-resource"), "true",
                                 "must be false if x-kubernetes-int-or-string is true"));
    }
    bool skip_any_of = IsIntOrStringAnyOf(s->any_of);
    bool skip_first_all_of_any_of = !s->all_of.empty() && IsIntOrStringAnyOf(s->all_of[0]->any_of);
    ValueValidation(*s, skip_any_of, skip_first_all_of_any_of, lvl, p);

    bool check_metadata = lvl == Level::kRoot || s->embedded;
    if (s->embedded && s->type != "object") {
      const char* msg = "must be object if x-kubernetes-embedded-resource is true";
      if (s->type.empty()) {
        out_->push_back(ErrRequired(PathChild(p, "type"), msg));
      } else {
        out_->push_back(ErrInvalid(PathChild(p, "type"), GoQuote(s->type), msg));
      }
    } else if (s->type.empty() && !s->int_or_string && !s->preserve_unknown) {
      const char* msg = lvl == Level::kRoot   ? "must not be empty at the root"
                        : lvl == Level::kItem ? "must not be empty for specified array items"
                                              : "must not be empty for specified object fields";
      out_->push_back(ErrRequired(PathChild(p, "type"), msg));
    }
    if (s->embedded && s->has_additional) {
      out_->push_back(ErrForbidden(PathChild(p, "additionalProperties"),
                                   "must not be used if x-kubernetes-embedded-resource is set"));
    }
    if (lvl == Level::kRoot && !s->type.empty() && s->type != "object") {
      out_->push_back(ErrInvalid(PathChild(p, "type"), GoQuote(s->type), "must be object at the root"));
    }
    for (const char* meta : {"kind", "apiVersion"}) {
      const Node* f = s->Property(meta);
      if (f != nullptr && check_metadata && f->type != "string") {
        out_->push_back(ErrInvalid(PathChild(Props(p, meta), "type"), GoQuote(f->type), "must be string"));
      }
    }
    if (const Node* m = s->Property("metadata")) MetadataInvariants(*m, check_metadata, lvl, Props(p, "metadata"));
    if (s->embedded && !s->preserve_unknown && s->properties.empty()) {
      out_->push_back(ErrRequired(PathChild(p, "properties"),
                                  "must not be empty if x-kubernetes-embedded-resource is true without "
                                  "x-kubernetes-preserve-unknown-fields"));
    }
  }

  void Completeness(const Node& s, const std::string& p) { ValueValidationCompleteness(s, &s, p, p); }

 private:
  void MetadataInvariants(const Node& m, bool check_metadata, Level lvl, const std::string& p) {
    if (check_metadata && m.type != "object") {
      out_->push_back(ErrInvalid(PathChild(p, "type"), GoQuote(m.type), "must be object"));
    }
    if (lvl != Level::kRoot) return;
    bool name = m.Property("name") != nullptr;
    bool generate_name = m.Property("generateName") != nullptr;
    size_t n = m.properties.size();
    bool properties_ok = n == 0 || (name && generate_name && n == 2) || ((name || generate_name) && n == 1);
    bool only_name = properties_ok && !m.items && m.description.empty() && m.title.empty() && !m.has_external_docs &&
                     !m.has_additional && !m.nullable && ExtensionsAreZero(m) && ValueValidationIsZero(m);
    if (!only_name) {
      out_->push_back(ErrForbidden(p, "must not specify anything other than name and generateName, but metadata is "
                                      "implicitly specified"));
    }
  }

  void ValueValidation(const Node& v, bool skip_any_of, bool skip_first_all_of_any_of, Level lvl,
                       const std::string& p) {
    if (!skip_any_of) {
      for (size_t i = 0; i < v.any_of.size(); ++i) {
        Nested(v.any_of[i].get(), false, false, lvl, PathIndex(PathChild(p, "anyOf"), i));
      }
    }
    for (size_t i = 0; i < v.all_of.size(); ++i) {
      Nested(v.all_of[i].get(), skip_first_all_of_any_of && i == 0, false, lvl, PathIndex(PathChild(p, "allOf"), i));
    }
    for (size_t i = 0; i < v.one_of.size(); ++i) {
      Nested(v.one_of[i].get(), false, false, lvl, PathIndex(PathChild(p, "oneOf"), i));
    }
    Nested(v.not_.get(), false, false, lvl, PathChild(p, "not"));
    if (v.has_pattern && v.pattern_re == nullptr) {
      out_->push_back(ErrInvalid(PathChild(p, "pattern"), GoQuote(v.pattern),
                                 "must be a valid regular expression, but isn't: " + v.pattern_error));
    }
  }

  void Nested(const Node* v, bool skip_any_of, bool skip_all_of_any_of, Level lvl, const std::string& p) {
    if (v == nullptr) return;
    ValueValidation(*v, skip_any_of, skip_all_of_any_of, lvl, p);
    Nested(v->items.get(), false, false, lvl, PathChild(p, "items"));
    for (const auto& [k, f] : v->properties) Nested(f.get(), false, false, Level::kField, Props(p, k));
    auto forbid = [&](const char* field, const char* msg) { out_->push_back(ErrForbidden(PathChild(p, field), msg)); };
    if (!v->type.empty()) forbid("type", "must be empty to be structural");
    if (v->has_additional) forbid("additionalProperties", "must be undefined to be structural");
    if (v->default_value != nullptr) forbid("default", "must be undefined to be structural");
    if (!v->title.empty()) forbid("title", "must be empty to be structural");
    if (!v->description.empty()) forbid("description", "must be empty to be structural");
    if (v->nullable) forbid("nullable", "must be false to be structural");
    if (v->has_external_docs) forbid("externalDocs", "must be undefined to be structural");
    if (v->preserve_unknown) forbid("x-kubernetes-preserve-unknown-fields", "must be false to be structural");
    if (v->embedded) forbid("x-kubernetes-embedded-resource", "must be false to be structural");
    if (v->int_or_string) forbid("x-kubernetes-int-or-string", "must be false to be structural");
    if (!v->list_map_keys.empty()) forbid("x-kubernetes-list-map-keys", "must be empty to be structural");
    if (v->list_type) forbid("x-kubernetes-list-type", "must be undefined to be structural");
    if (v->map_type) forbid("x-kubernetes-map-type", "must be undefined to be structural");
    if (v->x_validations != nullptr) forbid("x-kubernetes-validations", "must be empty to be structural");
    if (v->Property("metadata") != nullptr) {
      out_->push_back(ErrForbidden(Props(p, "metadata"), "must not be specified in a nested context"));
    }
  }

  void ValueValidationCompleteness(const Node& v, const Node* s, const std::string& s_path, const std::string& v_path) {
    NestedCompleteness(v.not_.get(), s, s_path, PathChild(v_path, "not"));
    for (size_t i = 0; i < v.all_of.size(); ++i) {
      NestedCompleteness(v.all_of[i].get(), s, s_path, PathIndex(PathChild(v_path, "allOf"), i));
    }
    for (size_t i = 0; i < v.any_of.size(); ++i) {
      NestedCompleteness(v.any_of[i].get(), s, s_path, PathIndex(PathChild(v_path, "anyOf"), i));
    }
    for (size_t i = 0; i < v.one_of.size(); ++i) {
      NestedCompleteness(v.one_of[i].get(), s, s_path, PathIndex(PathChild(v_path, "oneOf"), i));
    }
  }

  void NestedCompleteness(const Node* v, const Node* s, const std::string& s_path, const std::string& v_path) {
    if (v == nullptr) return;
    if (s == nullptr) {
      out_->push_back(ErrRequired(s_path, "because it is defined in " + v_path));
      return;
    }
    ValueValidationCompleteness(*v, s, s_path, v_path);
    NestedCompleteness(v->items.get(), s->items.get(), PathChild(s_path, "items"), PathChild(v_path, "items"));
    for (const auto& [k, f] : v->properties) {
      const Node* sf = s->Property(k);
      if (sf == nullptr) {
        out_->push_back(ErrRequired(Props(s_path, k), "because it is defined in " + Props(v_path, k)));
      } else {
        NestedCompleteness(f.get(), sf, Props(s_path, k), Props(v_path, k));
      }
    }
  }

  std::vector<FieldError>* out_;
};

std::vector<FieldError> ValidateStructural(const Node& root, const std::string& p) {
  std::vector<FieldError> errs;
  Structural v(&errs);
  v.Invariants(&root, Level::kRoot, p);
  v.Completeness(root, p);
  std::stable_sort(errs.begin(), errs.end(), [](const FieldError& a, const FieldError& b) {
    return a.field + ": " + a.message < b.field + ": " + b.message;
  });
  return errs;
}

// ---- defaulting.ValidateDefaults ------------------------------------------------------

void ValidateDefaults(const std::string& pth, const Node* s, bool embedded_root, bool inside_meta,
                      std::vector<FieldError>* out) {
  if (s == nullptr) return;
  bool embedded = s->embedded || embedded_root;
  if (embedded) inside_meta = false;
  if (s->default_value != nullptr) {
    const Value& def = *s->default_value;
    std::string dp = PathChild(pth, "default");
    if (inside_meta) {
      // kube also coerces and validates the surrounding object's metadata here.
      internal::ValidateOpenApi(*s, def, /*defaults_mode=*/true, dp, out);
    } else {
      Value pruned = def;
      internal::PruneUnknown(&pruned, s, embedded, nullptr);
      if (!internal::GoDeepEqual(pruned, def)) {
        out->push_back(ErrInvalid(dp, internal::RenderValue(def), "must not have unknown fields"));
      }
      if (auto err = internal::CoerceCheck(dp, def, s, embedded)) {
        out->push_back(*err);
      } else {
        std::vector<FieldError> meta_errs;
        internal::ValidateEmbeddedResources(dp, def, s, embedded, &meta_errs);
        if (!meta_errs.empty()) {
          out->insert(out->end(), meta_errs.begin(), meta_errs.end());
        } else {
          internal::ValidateOpenApi(*s, def, /*defaults_mode=*/true, dp, out);
        }
      }
    }
  }
  // additionalProperties are not followed: defaults are forbidden there.
  if (s->items) ValidateDefaults(PathChild(pth, "items"), s->items.get(), false, inside_meta, out);
  for (const auto& [k, sub] : s->properties) {
    bool sub_inside_meta = inside_meta || (embedded && IsMetaField(k));
    ValidateDefaults(Props(pth, k), sub.get(), false, sub_inside_meta, out);
  }
}

// ---- ValidateCustomResourceDefinitionOpenAPISchema (specStandardValidatorV3) ----------

struct Ssv {
  bool allow_defaults = true;
  std::string disallow_defaults_reason;
  bool inside_resource_meta = false;

  Ssv WithForbiddenDefaults(std::string reason) const {
    Ssv c = *this;
    c.allow_defaults = false;
    c.disallow_defaults_reason = std::move(reason);
    return c;
  }
};

std::string TrimSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

bool HasNewlines(std::string_view s) { return s.find_first_of("\n\r") != std::string_view::npos; }

std::string StringMember(const Value& v, std::string_view key, bool* present = nullptr) {
  const Value* m = v.is_object() ? v.Find(key) : nullptr;
  if (present != nullptr) *present = m != nullptr && m->is_string();
  return m != nullptr && m->is_string() ? m->as_string() : std::string();
}

void XValidations(const Node& s, const std::string& p, std::vector<FieldError>* out) {
  if (s.x_validations == nullptr) return;
  const auto& rules = s.x_validations->as_array();
  for (size_t i = 0; i < rules.size(); ++i) {
    const Value& r = rules[i];
    std::string rp = PathIndex(PathChild(p, "x-kubernetes-validations"), i);
    std::string rule = StringMember(r, "rule");
    std::string message = StringMember(r, "message");
    std::string message_expr = StringMember(r, "messageExpression");
    std::string trimmed_rule = TrimSpace(rule), trimmed_msg = TrimSpace(message),
                trimmed_expr = TrimSpace(message_expr);
    if (trimmed_rule.empty()) {
      out->push_back(ErrRequired(PathChild(rp, "rule"), "rule is not specified"));
    } else if (!message.empty() && trimmed_msg.empty()) {
      out->push_back(ErrInvalid(PathChild(rp, "message"), GoQuote(message), "message must be non-empty if specified"));
    } else if (HasNewlines(trimmed_msg)) {
      out->push_back(ErrInvalid(PathChild(rp, "message"), GoQuote(message), "message must not contain line breaks"));
    } else if (HasNewlines(trimmed_rule) && trimmed_msg.empty()) {
      out->push_back(ErrRequired(PathChild(rp, "message"), "message must be specified if rule contains line breaks"));
    }
    if (!message_expr.empty() && trimmed_expr.empty()) {
      out->push_back(
          ErrRequired(PathChild(rp, "messageExpression"), "messageExpression must be non-empty if specified"));
    }
    bool has_reason = false;
    std::string reason = StringMember(r, "reason", &has_reason);
    if (has_reason && reason != "FieldValueDuplicate" && reason != "FieldValueForbidden" &&
        reason != "FieldValueInvalid" && reason != "FieldValueRequired") {
      out->push_back(ErrNotSupported(PathChild(rp, "reason"), GoQuote(reason),
                                     {"FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid",
                                      "FieldValueRequired"}));
    }
    std::string field_path = StringMember(r, "fieldPath");
    if (!field_path.empty() && TrimSpace(field_path).empty()) {
      out->push_back(
          ErrInvalid(PathChild(rp, "fieldPath"), GoQuote(field_path), "fieldPath must be non-empty if specified"));
    }
    if (HasNewlines(field_path)) {
      out->push_back(
          ErrInvalid(PathChild(rp, "fieldPath"), GoQuote(field_path), "fieldPath must not contain line breaks"));
    }
  }
}

void OpenApiSchema(const Node* s, const std::string& p, const Ssv& ssv, bool is_root, std::vector<FieldError>* out) {
  if (s == nullptr) return;
  // specStandardValidatorV3.validate
  static const std::vector<std::string> kTypes = {"array", "boolean", "integer", "number", "object", "string"};
  if (!s->type.empty() && std::find(kTypes.begin(), kTypes.end(), s->type) == kTypes.end()) {
    out->push_back(ErrNotSupported(PathChild(p, "type"), GoQuote(s->type), kTypes));
  }
  if (s->default_value != nullptr && !ssv.allow_defaults) {
    std::string detail = "must not be set";
    if (!ssv.disallow_defaults_reason.empty()) detail += " " + ssv.disallow_defaults_reason;
    out->push_back(ErrForbidden(PathChild(p, "default"), detail));
  }
  if (s->has_id) out->push_back(ErrForbidden(PathChild(p, "id"), "id is not supported"));
  if (s->has_additional_items) {
    out->push_back(ErrForbidden(PathChild(p, "additionalItems"), "additionalItems is not supported"));
  }
  if (s->has_pattern_properties) {
    out->push_back(ErrForbidden(PathChild(p, "patternProperties"), "patternProperties is not supported"));
  }
  if (!s->definitions.empty()) out->push_back(ErrForbidden(PathChild(p, "definitions"), "definitions is not supported"));
  if (s->has_dependencies) {
    out->push_back(ErrForbidden(PathChild(p, "dependencies"), "dependencies is not supported"));
  }
  if (s->has_ref) out->push_back(ErrForbidden(PathChild(p, "$ref"), "$ref is not supported"));
  if (s->type == "null") {
    out->push_back(
        ErrForbidden(PathChild(p, "type"), "type cannot be set to null, use nullable as an alternative"));
  }
  if (s->items_is_array && !s->items_array.empty()) {
    out->push_back(ErrForbidden(PathChild(p, "items"), "items must be a schema object and not an array"));
  }
  if (ssv.inside_resource_meta && s->embedded) {
    out->push_back(ErrForbidden(PathChild(p, "x-kubernetes-embedded-resource"), "must not be used inside of resource meta"));
  }

  if (s->unique_items) {
    out->push_back(ErrForbidden(PathChild(p, "uniqueItems"),
                                "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
  }
  if (s->has_additional) {
    if (!s->properties.empty() && (!s->additional_allows || s->additional)) {
      out->push_back(
          ErrForbidden(PathChild(p, "additionalProperties"), "additionalProperties and properties are mutual exclusive"));
    }
    Ssv sub = ssv.inside_resource_meta ? ssv.WithForbiddenDefaults("inside additionalProperties applying to object metadata")
                                       : ssv;
    OpenApiSchema(s->additional.get(), PathChild(p, "additionalProperties"), sub, false, out);
  }
  for (const auto& [k, prop] : s->properties) {
    Ssv sub = ssv;
    if ((is_root || s->embedded) && IsMetaField(k)) {
      sub.inside_resource_meta = true;
      if (is_root) sub = sub.WithForbiddenDefaults("in top-level " + k);
    }
    OpenApiSchema(prop.get(), Props(p, k), sub, false, out);
  }
  OpenApiSchema(s->not_.get(), PathChild(p, "not"), ssv, false, out);
  for (size_t i = 0; i < s->all_of.size(); ++i) {
    OpenApiSchema(s->all_of[i].get(), PathIndex(PathChild(p, "allOf"), i), ssv, false, out);
  }
  for (size_t i = 0; i < s->one_of.size(); ++i) {
    OpenApiSchema(s->one_of[i].get(), PathIndex(PathChild(p, "oneOf"), i), ssv, false, out);
  }
  for (size_t i = 0; i < s->any_of.size(); ++i) {
    OpenApiSchema(s->any_of[i].get(), PathIndex(PathChild(p, "anyOf"), i), ssv, false, out);
  }
  for (const auto& [k, d] : s->definitions) OpenApiSchema(d.get(), PathKey(PathChild(p, "definitions"), k), ssv, false, out);
  OpenApiSchema(s->items.get(), PathChild(p, "items"), ssv, false, out);
  for (size_t i = 0; i < s->items_array.size(); ++i) {
    OpenApiSchema(s->items_array[i].get(), PathIndex(PathChild(p, "items"), i), ssv, false, out);
  }
  for (const auto& [k, d] : s->dependency_schemas) {
    OpenApiSchema(d.get(), PathKey(PathChild(p, "dependencies"), k), ssv, false, out);
  }

  if (s->preserve_unknown_false) {
    out->push_back(ErrInvalid(PathChild(p, "x-kubernetes-preserve-unknown-fields"), "false", "must be true or undefined"));
  }
  if (s->map_type && s->type != "object") {
    const char* msg = "must be object if x-kubernetes-map-type is specified";
    if (s->type.empty()) {
      out->push_back(ErrRequired(PathChild(p, "type"), msg));
    } else {
      out->push_back(ErrInvalid(PathChild(p, "type"), GoQuote(s->type), msg));
    }
  }
  if (s->map_type && *s->map_type != "atomic" && *s->map_type != "granular") {
    out->push_back(ErrNotSupported(PathChild(p, "x-kubernetes-map-type"), GoQuote(*s->map_type), {"atomic", "granular"}));
  }
  if (s->list_type && s->type != "array") {
    const char* msg = "must be array if x-kubernetes-list-type is specified";
    if (s->type.empty()) {
      out->push_back(ErrRequired(PathChild(p, "type"), msg));
    } else {
      out->push_back(ErrInvalid(PathChild(p, "type"), GoQuote(s->type), msg));
    }
  } else if (s->list_type && *s->list_type == "set" && s->items) {
    const Node& is = *s->items;
    const char* msg = "must be atomic as item of a list with x-kubernetes-list-type=set";
    if (is.type == "array") {
      if (is.list_type && *is.list_type != "atomic") {
        out->push_back(ErrInvalid(PathChild(PathChild(p, "items"), "x-kubernetes-list-type"), GoQuote(*is.list_type), msg));
      }
    } else if (is.type == "object") {
      if (!is.map_type || *is.map_type != "atomic") {
        // kube reports the items' x-kubernetes-list-type as the value here.
        std::string value = is.list_type ? GoQuote(*is.list_type) : "\"null\"";
        out->push_back(ErrInvalid(PathChild(PathChild(p, "items"), "x-kubernetes-map-type"), value, msg));
      }
    }
  }
  if (s->list_type && *s->list_type != "atomic" && *s->list_type != "set" && *s->list_type != "map") {
    out->push_back(
        ErrNotSupported(PathChild(p, "x-kubernetes-list-type"), GoQuote(*s->list_type), {"atomic", "set", "map"}));
  }
  auto keys_json = [&]() {
    Value keys(Value::Array{});
    for (const std::string& k : s->list_map_keys) keys.mutable_array().push_back(k);
    return GoJson(keys);
  };
  if (!s->list_map_keys.empty()) {
    const char* msg = "must be map if x-kubernetes-list-map-keys is non-empty";
    if (!s->list_type) {
      out->push_back(ErrRequired(PathChild(p, "x-kubernetes-list-type"), msg));
    } else if (*s->list_type != "map") {
      out->push_back(ErrInvalid(PathChild(p, "x-kubernetes-list-type"), GoQuote(*s->list_type), msg));
    }
  }
  if (s->list_type && *s->list_type == "map") {
    if (s->list_map_keys.empty()) {
      out->push_back(ErrRequired(PathChild(p, "x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"));
    }
    if (!s->items && !s->items_is_array) {
      out->push_back(ErrRequired(PathChild(p, "items"), "must have a schema if x-kubernetes-list-type is map"));
    }
    if (s->items_is_array) {
      Value items(Value::Array{});
      out->push_back(ErrInvalid(PathChild(p, "items"), GoJson(items), "must only have a single schema if x-kubernetes-list-type is map"));
    }
    if (s->items && s->items->type != "object") {
      out->push_back(ErrInvalid(PathChild(PathChild(p, "items"), "type"), GoQuote(s->items->type),
                                "must be object if parent array's x-kubernetes-list-type is map"));
    }
    if (s->items && s->items->type == "object") {
      std::vector<std::string> seen;
      for (const std::string& k : s->list_map_keys) {
        if (const Node* kp = s->items->Property(k)) {
          if (kp->type == "array" || kp->type == "object") {
            out->push_back(ErrInvalid(PathChild(Props(PathChild(p, "items"), k), "type"), GoQuote(s->items->type),
                                      "must be a scalar type if parent array's x-kubernetes-list-type is map"));
          }
        } else {
          out->push_back(ErrInvalid(PathChild(p, "x-kubernetes-list-map-keys"), keys_json(),
                                    "entries must all be names of item properties"));
        }
        if (std::find(seen.begin(), seen.end(), k) != seen.end()) {
          out->push_back(ErrInvalid(PathChild(p, "x-kubernetes-list-map-keys"), keys_json(),
                                    "must not contain duplicate entries"));
        }
        seen.push_back(k);
      }
    }
  }
  // validateMapListKeysMapSet
  if (s->items && s->list_type && (*s->list_type == "set" || *s->list_type == "map")) {
    const Node& is = *s->items;
    if (is.nullable) {
      out->push_back(ErrForbidden(PathChild(PathChild(p, "items"), "nullable"),
                                  "cannot be nullable when x-kubernetes-list-type is " + *s->list_type));
    }
    if (*s->list_type == "map") {
      for (const std::string& k : s->list_map_keys) {
        const Node* kp = is.Property(k);
        if (kp == nullptr) continue;
        bool required = std::find(is.required.begin(), is.required.end(), k) != is.required.end();
        std::string kpath = Props(PathChild(p, "items"), k);
        if (!required && kp->default_value == nullptr) {
          out->push_back(ErrRequired(PathChild(kpath, "default"),
                                     "this property is in x-kubernetes-list-map-keys, so it must have a default or be "
                                     "a required property"));
        }
        if (kp->nullable) {
          out->push_back(ErrForbidden(PathChild(kpath, "nullable"),
                                      "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
        }
      }
    }
  }
  XValidations(*s, p, out);
}

// Fields of JSONSchemaProps that may be set at the root with the status subresource.
bool StatusRootCheck(const Node& s, const Value& raw, const std::string& p, std::vector<FieldError>* out) {
  // In JSONSchemaProps' field order: the first field that is set and not allowed.
  bool disallowed = s.has_id || s.has_schema_url || s.has_ref || s.default_value != nullptr ||
                    !s.enum_values.empty() || s.max_properties || s.min_properties || !s.all_of.empty() ||
                    !s.one_of.empty() || !s.any_of.empty() || s.not_ || s.has_additional || s.has_pattern_properties ||
                    s.has_dependencies || s.has_additional_items || !s.definitions.empty() || s.nullable ||
                    s.embedded || s.int_or_string || !s.list_map_keys.empty() || s.list_type || s.map_type;
  if (!s.type.empty() && s.type != "object") {
    out->push_back(ErrInvalid(PathChild(p, "type"), GoQuote(s.type),
                              "only \"object\" is allowed as the type at the root of the schema if the status "
                              "subresource is enabled"));
    return false;
  }
  if (disallowed) {
    out->push_back(ErrInvalid(p, internal::RenderValue(raw),
                              "only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum "
                              "MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items "
                              "Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed "
                              "at the root of the schema if the status subresource is enabled"));
    return false;
  }
  return true;
}

}  // namespace

std::vector<FieldError> ValidateStructuralSchema(const Value& openapi_v3_schema, const std::string& path) {
  return ValidateStructuralSchema(openapi_v3_schema, path, StructuralSchemaOptions{});
}

std::vector<FieldError> ValidateStructuralSchema(const Value& openapi_v3_schema, const std::string& path,
                                                 const StructuralSchemaOptions& options) {
  std::vector<FieldError> errs;
  Node root;
  std::string err_path, err_msg;
  if (!internal::ParseNode(openapi_v3_schema, path, 0, &root, &err_path, &err_msg)) {
    // kube rejects such JSON when decoding the CRD; reported here as a field error.
    errs.push_back(internal::ErrTypeInvalid(err_path, "\"\"", err_msg));
    return errs;
  }
  if (options.status_subresource) StatusRootCheck(root, openapi_v3_schema, path, &errs);
  if (root.nullable) errs.push_back(ErrForbidden(PathChild(path, "nullable"), "nullable cannot be true at the root"));

  std::string structural_init_error = internal::NewStructuralError(root);
  if (structural_init_error.empty()) {
    std::vector<FieldError> verrs = ValidateStructural(root, path);
    if (!verrs.empty()) {
      errs.insert(errs.end(), verrs.begin(), verrs.end());
    } else {
      ValidateDefaults(path, &root, /*embedded_root=*/true, false, &errs);
    }
  }
  OpenApiSchema(&root, path, Ssv{}, /*is_root=*/true, &errs);
  if (errs.empty() && !structural_init_error.empty()) errs.push_back(ErrInvalid(path, "\"\"", structural_init_error));
  return errs;
}

}  // namespace kstream::api::crd
