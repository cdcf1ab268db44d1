// OpenAPI v3 definitions of the built-in Kubernetes types, and a navigator over schemas.
//
// OpenApiDefinitionsJson() is generated at build time (tools/gen_openapi.py) from
// ../shared/schema/k8s-types.json: one JSON object mapping each type's OpenAPI name
// ("io.k8s.api.core.v1.Pod") to its schema, as kube-openapi writes version 3 schemas
// (references as {"allOf":[{"$ref":"#/components/schemas/<name>"}]}, list and patch
// semantics as x-kubernetes-* extensions, kinds tagged with
// x-kubernetes-group-version-kind). Descriptions are not part of the schema facts.
//
// The server serves these in /openapi/v3 documents; strategic merge patch and server-side
// apply read the patch strategies, merge keys, list types and map keys from them through
// SchemaNode. Custom resources bring their own schemas (a CRD's openAPIV3Schema), walked
// by the same SchemaNode with their own definitions object.
//
// Thread-safety: OpenApiDefinitions() parses once (thread-safe static) and is immutable.
// SchemaNode is a cheap view: it points into a definitions Value and a schema Value, both
// of which must outlive it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/value.h"

namespace kstream::api {

// The generated JSON (definitions_gen.cc).
std::string_view OpenApiDefinitionsJson();

struct OpenApiDefinitions {
  Value schemas;  // name -> schema
  // The definition name of a kind ("" when unknown), from x-kubernetes-group-version-kind.
  std::string NameForKind(std::string_view group, std::string_view version, std::string_view kind) const;

  std::vector<std::pair<std::string, std::string>> gvk_index;  // "g/v/K" -> name, sorted
};

// The built-in definitions, parsed on first use.
const OpenApiDefinitions& BuiltinOpenApiDefinitions();

// "#/components/schemas/<name>" -> "<name>" ("" when ref has another form).
std::string_view SchemaRefName(std::string_view ref);

// A view of one schema within a definitions object. References ($ref, or allOf with a
// single $ref as kube writes them) are followed on construction, so a node always shows
// the schema's own properties. A null node (no schema: a field the schema does not know)
// answers every question with "nothing".
class SchemaNode {
 public:
  SchemaNode() = default;
  SchemaNode(const Value* definitions, const Value* schema);
  // The definition of `name` in `definitions`.
  static SchemaNode Named(const Value* definitions, std::string_view name);

  bool null() const { return schema_ == nullptr; }
  const Value* schema() const { return schema_; }
  // The unresolved schema (the field's own schema, before following its reference): its
  // x-kubernetes-* extensions sit here.
  const Value* field_schema() const { return field_; }

  std::string_view type() const;  // "object", "array", "string", ... ("" when not given)
  bool preserve_unknown_fields() const;
  bool int_or_string() const;
  bool embedded_resource() const;
  // A property of an object schema; additionalProperties' schema for maps; null otherwise.
  SchemaNode Property(std::string_view name) const;
  bool HasProperty(std::string_view name) const;
  bool has_properties() const;
  // additionalProperties (a map's value schema), or null.
  SchemaNode AdditionalProperties() const;
  // An array's items schema, or null.
  SchemaNode Items() const;

  // Extensions, looked up on the field's own schema first, then on the resolved one.
  std::string_view Extension(std::string_view name) const;  // string-valued; "" if absent
  const Value* ExtensionValue(std::string_view name) const;
  std::string_view patch_strategy() const { return Extension("x-kubernetes-patch-strategy"); }
  std::string_view patch_merge_key() const { return Extension("x-kubernetes-patch-merge-key"); }
  std::string_view list_type() const { return Extension("x-kubernetes-list-type"); }
  std::vector<std::string> list_map_keys() const;
  std::string_view map_type() const { return Extension("x-kubernetes-map-type"); }

 private:
  const Value* defs_ = nullptr;
  const Value* field_ = nullptr;
  const Value* schema_ = nullptr;
};

// The schema of a built-in kind in BuiltinOpenApiDefinitions() (a null node when it has none).
SchemaNode BuiltinKindSchema(std::string_view group, std::string_view version, std::string_view kind);

}  // namespace kstream::api
