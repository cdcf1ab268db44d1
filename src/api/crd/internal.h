// Internals of the structural-schema library (api/crd/structural.h): the parsed schema
// tree, Go-compatible rendering helpers and the walkers. Not a public interface.
//
// A Node is one JSONSchemaProps, parsed from its JSON form. Nodes at structural positions
// (the root, properties, items, additionalProperties) are kube's Structural; nodes under
// allOf/anyOf/oneOf/not are its NestedValueValidation. Values it refers to (default, enum
// members, x-kubernetes-validations) point into the schema Value the tree was parsed from,
// which must outlive it. Immutable after parsing; safe for concurrent reads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "encoding/go_strconv.h"
#include "api/crd/structural.h"
#include "api/value.h"

namespace kstream::api::crd::internal {

struct Node {
  // Generic (structural) fields.
  std::string type;
  std::string description;
  std::string title;
  bool has_external_docs = false;
  bool nullable = false;
  const Value* default_value = nullptr;  // a non-null `default`, or nullptr

  // additionalProperties: absent, a bool, or a schema (then additional_allows is true).
  bool has_additional = false;
  bool additional_allows = false;
  std::unique_ptr<Node> additional;

  std::vector<std::pair<std::string, std::unique_ptr<Node>>> properties;  // sorted by key
  bool properties_present = false;  // `properties` given (possibly empty)
  std::unique_ptr<Node> items;
  bool items_is_array = false;  // `items` given as an array (not structural)
  std::vector<std::unique_ptr<Node>> items_array;

  // Kubernetes extensions.
  bool preserve_unknown = false;        // x-kubernetes-preserve-unknown-fields: true
  bool preserve_unknown_false = false;  // x-kubernetes-preserve-unknown-fields: false
  bool embedded = false;                // x-kubernetes-embedded-resource
  bool int_or_string = false;           // x-kubernetes-int-or-string
  std::optional<std::string> list_type;
  std::optional<std::string> map_type;
  std::vector<std::string> list_map_keys;
  const Value* x_validations = nullptr;  // a non-empty x-kubernetes-validations array

  // Value validations.
  std::string format;
  std::optional<double> maximum;
  std::optional<double> minimum;
  std::optional<double> multiple_of;
  bool exclusive_maximum = false;
  bool exclusive_minimum = false;
  std::optional<int64_t> max_length;
  std::optional<int64_t> min_length;
  std::optional<int64_t> max_items;
  std::optional<int64_t> min_items;
  std::optional<int64_t> max_properties;
  std::optional<int64_t> min_properties;
  bool unique_items = false;
  bool has_pattern = false;
  std::string pattern;
  std::unique_ptr<RE2> pattern_re;  // null when the pattern does not compile
  std::string pattern_error;        // Go's regexp error text when it does not
  std::vector<const Value*> enum_values;
  std::vector<std::string> required;
  std::vector<std::unique_ptr<Node>> all_of;
  std::vector<std::unique_ptr<Node>> any_of;
  std::vector<std::unique_ptr<Node>> one_of;
  std::unique_ptr<Node> not_;

  // Keywords kube does not support in CRD schemas (presence only, or parsed for the
  // recursion of CRD validation).
  bool has_id = false;
  bool has_schema_url = false;  // $schema
  bool has_ref = false;          // $ref given
  bool ref_nonempty = false;
  bool has_pattern_properties = false;
  bool has_dependencies = false;  // dependencies given (possibly empty)
  bool dependencies_nonempty = false;
  bool has_additional_items = false;
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> definitions;  // sorted
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> dependency_schemas;  // sorted

  // The view of kube-openapi's validator for custom resources (ConvertJSONSchemaProps
  // with StripUnsupportedFormatsPostProcess): int-or-string is type [integer, string];
  // formats kube does not support are dropped.
  std::vector<std::string> cr_types;
  std::string cr_format;
  // The structural schema's ToKubeOpenAPI view (defaults validation): `type` as written.
  std::vector<std::string> raw_types;

  const Node* Property(std::string_view key) const;
};

// Parses `v` (depth = schema levels above it). On failure returns false with a message
// and the JSON-ish path of the offending value (relative to `path`).
bool ParseNode(const Value& v, const std::string& path, int depth, Node* out, std::string* err_path,
               std::string* err_msg);

// schema.NewStructural's refusal (its first error message), or "" when it accepts `n`.
std::string NewStructuralError(const Node& n);

// ---- Go-compatible rendering -------------------------------------------------------

// strconv.Quote (fmt %q).
using encoding::GoQuote;  // encoding/go_strconv.h
// fmt %v of a float64.
std::string GoFloat(double v);
// fmt %v of an int64.
std::string GoInt(int64_t v);
// json.Marshal of a Value (compact, HTML-escaped).
std::string GoJson(const Value& v);
// How field.Error's ErrorBody prints a bad value held in an interface{} decoded from
// JSON: strings %q, numbers and bools %v, null as "null" (quoted), others as JSON.
std::string RenderValue(const Value& v);

// field.Path over strings: "" is the nil path (String() "<nil>").
std::string PathChild(const std::string& base, std::string_view name);
std::string PathKey(const std::string& base, std::string_view key);
std::string PathIndex(const std::string& base, size_t index);
inline std::string PathString(const std::string& p) { return p.empty() ? "<nil>" : p; }

// field.Error constructors; values are passed rendered (RenderValue / GoQuote / ...).
FieldError ErrRequired(const std::string& path, std::string_view detail);
FieldError ErrForbidden(const std::string& path, std::string_view detail);
FieldError ErrInvalid(const std::string& path, const std::string& value, std::string_view detail);
FieldError ErrTypeInvalid(const std::string& path, const std::string& value, std::string_view detail);
FieldError ErrDuplicate(const std::string& path, const std::string& value);
FieldError ErrNotSupported(const std::string& path, const std::string& value,
                           const std::vector<std::string>& valid_values);
FieldError ErrTooLong(const std::string& path, int64_t max_length);
FieldError ErrTooMany(const std::string& path, int64_t actual, int64_t max_quantity);

// reflect.DeepEqual of two values decoded from JSON (types matter: int64 1 is not
// float64 1; floats compare with ==). Iterative.
bool GoDeepEqual(const Value& a, const Value& b);

// swag.IsFloat64AJSONInteger.
bool IsFloat64AJSONInteger(double f);

// ---- Formats (kube-openapi strfmt.Default) -----------------------------------------

// Whether kube keeps a format for custom-resource validation (StripUnsupportedFormats:
// the names supported since 1.0, compared with '-' removed).
bool IsSupportedStringFormat(std::string_view format);
// strfmt.Default.ContainsName (names compared with '-' removed).
bool FormatIsKnown(std::string_view format);
// strfmt.Default.Validates.
bool FormatValidates(std::string_view format, std::string_view data);

// Go regexp syntax check with Go's error text ("error parsing regexp: ...").
// Returns the compiled RE2 (nullptr on error).
std::unique_ptr<RE2> CompileGoRegexp(const std::string& pattern, std::string* go_error);

// ---- Walkers ------------------------------------------------------------------------

// kube-openapi SchemaValidator + kubeOpenAPIResultToFieldErrors. `defaults_mode` validates
// with the structural schema's ToKubeOpenAPI view (defaults validation: no int-or-string
// type, formats as written); otherwise with the custom resource view. `base` is the
// fldPath ("" = nil).
void ValidateOpenApi(const Node& root, const Value& obj, bool defaults_mode, const std::string& base,
                     std::vector<FieldError>* out);

// schema/objectmeta.Validate (embedded TypeMeta/ObjectMeta).
void ValidateEmbeddedResources(const std::string& base, const Value& obj, const Node* s, bool is_resource_root,
                               std::vector<FieldError>* out);

// schema/listtype.ValidateListSetsAndMaps.
void ValidateListSetsAndMaps(const std::string& base, const Node* s, const Value& obj, std::vector<FieldError>* out);

// pruning.PruneWithOptions; appends sorted unknown-field paths when `pruned` is given.
void PruneUnknown(Value* obj, const Node* s, bool is_resource_root, std::vector<std::string>* pruned);

// defaulting.PruneNonNullableNullsWithoutDefaults.
void PruneNonNullableNullsWithoutDefaults(Value* x, const Node* s);

// objectmeta.Coerce's dropping of unknown ObjectMeta fields in embedded resources.
void CoerceEmbeddedMetadata(const std::string& base, Value* x, const Node* s, std::vector<std::string>* unknown);

// The first error objectmeta.Coerce(..., dropInvalidFields=false) reports, if any.
std::optional<FieldError> CoerceCheck(const std::string& base, const Value& x, const Node* s, bool is_resource_root);

// defaulting.Default.
void ApplyDefaults(Value* x, const Node* s);

}  // namespace kstream::api::crd::internal
