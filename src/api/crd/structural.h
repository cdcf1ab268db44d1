// Structural schemas of CustomResourceDefinitions: what kube-apiserver's
// apiextensions-apiserver does with a CRD version's `schema.openAPIV3Schema`.
//
// A custom resource is an unstructured Value (api/value.h) in its JSON form. For every
// request kube runs, in this order:
//   1. pruning (schema/pruning): fields the schema does not specify are dropped, except
//      under x-kubernetes-preserve-unknown-fields and in additionalProperties maps; at the
//      root and in x-kubernetes-embedded-resource objects apiVersion, kind and metadata are
//      kept. Non-nullable nulls without a default are dropped next
//      (defaulting.PruneNonNullableNullsWithoutDefaults), and the metadata of embedded
//      resources is coerced to ObjectMeta (unknown ObjectMeta fields dropped);
//   2. defaulting (schema/defaulting): `default`s for missing fields and non-nullable nulls;
//   3. validation: kube-openapi's schema validator (apiserver/validation
//      ValidateCustomResource), then embedded-resource TypeMeta/ObjectMeta
//      (schema/objectmeta.Validate), then list-type set/map uniqueness
//      (schema/listtype.ValidateListSetsAndMaps). CEL (x-kubernetes-validations) is not run.
// Schema::Prune, Schema::Default and Schema::Validate are those three steps. Creating a CRD
// validates the schema itself (apis/apiextensions/validation, structural part):
// ValidateStructuralSchema.
//
// Error messages, causes and field paths follow kube's field.Error rendering: Go's %q for
// strings, %v for numbers, JSON for objects and arrays. Kube iterates Go maps, so the order
// of errors from sibling object members is random there; here it is always by key.
//
// Ownership and thread-safety: a compiled Schema owns a copy of its schema Value and is
// immutable after Compile, so one shared_ptr<const Schema> can be used from any number of
// threads at once (the regular expressions are RE2, which is thread-safe). The free
// function is pure. Hostile input is bounded: schemas nested deeper than
// kMaxSchemaDepth are rejected, and walks over objects follow the schema (never deeper
// than it) or use explicit stacks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/value.h"
#include "base/status.h"

namespace kstream::api::crd {

// Schemas nested deeper than this many schema levels (properties, items,
// additionalProperties, allOf/anyOf/oneOf/not each count one) are rejected.
inline constexpr int kMaxSchemaDepth = 1000;

// One validation error, as kube's field.Error: `type` is the StatusCause reason
// ("FieldValueRequired", "FieldValueInvalid", "FieldValueTypeInvalid",
// "FieldValueNotSupported", "FieldValueTooLong", "FieldValueTooMany",
// "FieldValueDuplicate", "FieldValueForbidden"), `field` the path ("spec.replicas",
// "spec.items[0].name", "<nil>" for kube's nil path), `message` the ErrorBody
// (`Invalid value: "string": spec.replicas in body must be of type integer: "string"`,
// `Required value`, `Unsupported value: "x": supported values: "a", "b"`, ...).
// A Status cause's `message` is `message`; the aggregate error text is
// `field + ": " + message`.
struct FieldError {
  std::string type;
  std::string field;
  std::string message;

  friend bool operator==(const FieldError& a, const FieldError& b) {
    return a.type == b.type && a.field == b.field && a.message == b.message;
  }
};

namespace internal {
struct Node;
}

// A compiled structural schema (regexes compiled once; immutable; thread-safe to share).
class Schema {
 public:
  // Compiles a JSONSchemaProps in JSON form. Fails (InvalidArgument) on values of the
  // wrong JSON type ("type": 5), on what kube's NewStructural cannot represent ($ref, id,
  // $schema, patternProperties, dependencies, additionalItems, definitions, `items` as an
  // array) and on nesting deeper than kMaxSchemaDepth. It does not check that the schema
  // is structural: use ValidateStructuralSchema for that (CRD admission).
  static Result<std::shared_ptr<const Schema>> Compile(const Value& openapi_v3_schema);

  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  const Value& raw() const { return raw_; }

  // Pruning as kube's decoder does it (pruning.PruneWithOptions with the resource root,
  // then defaulting.PruneNonNullableNullsWithoutDefaults, then the ObjectMeta coercion
  // of embedded resources). At the root apiVersion, kind and metadata are never touched.
  // Appends the paths of the dropped unknown fields to `pruned` when given, as kube
  // reports them in `unknown field "<path>"` warnings: "spec.foo", "spec.list[0].bar",
  // "spec.map.key.x" (pruning paths, sorted), then "spec.template.metadata.foo" (unknown
  // ObjectMeta fields of embedded resources; map keys there as "[key]").
  void Prune(Value* obj, std::vector<std::string>* pruned = nullptr) const;

  // defaulting.Default: sets the `default` of every property that is missing (or null
  // while not nullable), recursing into set and defaulted values, arrays and maps.
  // Defaults are deep copies. Run after Prune, as kube does on create, update and read.
  void Default(Value* obj) const;

  // Validation of a (pruned, defaulted) custom resource, errors in kube's order: the
  // kube-openapi schema validator's (types, integer vs number, int-or-string, nullable,
  // required, enum, pattern, formats, bounds, multipleOf, lengths, item and property
  // counts, uniqueItems, allOf/anyOf/oneOf/not), then those of embedded resources
  // (apiVersion/kind required, their ObjectMeta), then duplicates in x-kubernetes-list-type
  // set/map lists. The root's ObjectMeta rules (name, labels, ...) and TypeMeta are the
  // caller's; the schema's own constraints on metadata.name/generateName are checked here.
  // Errors at kube's nil path (allOf/anyOf/oneOf/not failures, root-level errors) have
  // field "<nil>", as kube reports them.
  std::vector<FieldError> Validate(const Value& obj) const;

 private:
  Schema();
  Value raw_;
  std::unique_ptr<internal::Node> root_;
};

// Options of ValidateStructuralSchema.
struct StructuralSchemaOptions {
  // The version has the status subresource: only some fields are allowed at the root
  // (kube's `only [...] fields are allowed at the root of the schema if the status
  // subresource is enabled`).
  bool status_subresource = false;
};

// Validation of a CRD version's schema itself (what creating a CRD checks:
// apiextensions validation.ValidateCustomResourceDefinition, the openAPIV3Schema part):
// supported types and keywords, structural invariants (every specified field has a type
// unless x-kubernetes-int-or-string/preserve-unknown-fields, no additionalProperties at the
// root or together with properties, value validations only use specified fields, metadata
// at the root may only restrict name and generateName, ...), list/map type rules, and
// defaults (valid against their schema, pruned). `path` is the field path of the schema,
// e.g. "spec.versions[0].schema.openAPIV3Schema". Errors with kube's wording and order.
// x-kubernetes-validations rules are checked for the static rules only (no CEL).
std::vector<FieldError> ValidateStructuralSchema(const Value& openapi_v3_schema, const std::string& path);
std::vector<FieldError> ValidateStructuralSchema(const Value& openapi_v3_schema, const std::string& path,
                                                 const StructuralSchemaOptions& options);

}  // namespace kstream::api::crd
