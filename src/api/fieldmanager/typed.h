// Internal to the field manager: structured-merge-diff's typed operations (validation,
// ToFieldSet, Compare, Merge, RemoveItems, EnsureNamedFieldsAreMembers) on Values under
// SchemaNodes, and small helpers shared by the .cc files. Not a public API.
//
// Every walk recurses once per nesting level of the value: callers check the value's
// depth (CheckDepth) first. Thread-safe; nothing is retained past a call.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "encoding/go_strconv.h"
#include "api/fieldmanager/field_manager.h"

namespace kstream::api::fieldmanager::internal {

// Nesting depth of a value (0 for scalars), computed without recursion; stops counting
// past kMaxDepth.
int ValueDepth(const Value& v);
// kInvalidArgument "<what> is nested deeper than 1000 levels" when ValueDepth > kMaxDepth.
Status CheckDepth(const Value& v, std::string_view what);

// Go's strconv.Quote (%q) and value.ToString (used in messages).
using encoding::GoQuote;  // encoding/go_strconv.h
std::string GoFloatV(double v);
std::string ValueToString(const Value& v);

struct TypeOptions {
  // Built-in kinds: `protocol` list-map keys default to "TCP" (kube's +default marker).
  bool builtin = true;
};

// typed.AsTyped's validation: kind mismatches with the schema, undeclared fields, list items
// without their keys, duplicates (unless allowed). On failure, kube's ValidationErrors text
// ("<path>: <message>", or "errors:\n  ..." for several) as kInvalidArgument.
Status Validate(const Value& v, const SchemaNode& schema, bool allow_duplicates, const TypeOptions& opts);

Result<FieldSet> ToFieldSet(const Value& v, const SchemaNode& schema, const TypeOptions& opts);

struct Comparison {
  FieldSet removed, modified, added;
  void ExcludeFields(const FieldSet& fields);
};
// TypedValue.Compare(lhs -> rhs).
Comparison Compare(const Value& lhs, const Value& rhs, const SchemaNode& schema, const TypeOptions& opts);

// TypedValue.Merge: rhs merged into lhs (rhs wins on leaves).
Value Merge(const Value& lhs, const Value& rhs, const SchemaNode& schema, const TypeOptions& opts);

// TypedValue.RemoveItems.
Value RemoveItems(const Value& v, const FieldSet& items, const SchemaNode& schema, const TypeOptions& opts);

// Set.EnsureNamedFieldsAreMembers.
FieldSet EnsureNamedFieldsAreMembers(const FieldSet& set, const SchemaNode& schema);

}  // namespace kstream::api::fieldmanager::internal
