// Schema's per-object operations: pruning, defaulting, validation.

#include <utility>

#include "api/crd/internal.h"
#include "api/crd/structural.h"

namespace kstream::api::crd {

void Schema::Prune(Value* obj, std::vector<std::string>* pruned) const {
  // unstructuredSchemaCoercer.apply: prune (resource root), drop non-nullable nulls without
  // defaults, then coerce embedded ObjectMeta (its unknown-field paths come last).
  internal::PruneUnknown(obj, root_.get(), /*is_resource_root=*/true, pruned);
  internal::PruneNonNullableNullsWithoutDefaults(obj, root_.get());
  std::vector<std::string> meta_unknown;
  internal::CoerceEmbeddedMetadata("", obj, root_.get(), pruned != nullptr ? &meta_unknown : nullptr);
  if (pruned != nullptr) {
    for (std::string& p : meta_unknown) pruned->push_back(std::move(p));
  }
}

void Schema::Default(Value* obj) const { internal::ApplyDefaults(obj, root_.get()); }

std::vector<FieldError> Schema::Validate(const Value& obj) const {
  std::vector<FieldError> out;
  // customResourceStrategy.Validate: ValidateCustomResource, objectmeta.Validate (not at the
  // resource root), listtype.ValidateListSetsAndMaps.
  internal::ValidateOpenApi(*root_, obj, /*defaults_mode=*/false, "", &out);
  internal::ValidateEmbeddedResources("", obj, root_.get(), /*is_resource_root=*/false, &out);
  internal::ValidateListSetsAndMaps("", root_.get(), obj, &out);
  return out;
}

}  // namespace kstream::api::crd
