// RFC 7386 JSON merge patch with the semantics of gopkg.in/evanphx/json-patch.v4 (v4.12)
// MergePatch, which kube-apiserver applies MergePatchType with:
//
//   mergeDocs(doc, patch): for each member k: v of the patch,
//     v null                      -> delete doc[k]
//     doc[k] missing or null      -> doc[k] = pruneNulls(v)
//     otherwise                   -> doc[k] = merge(doc[k], v)
//   merge(cur, v): cur not an object -> pruneNulls(v); v not an object -> v (as is);
//                  both objects      -> mergeDocs(cur, v)
//   pruneNulls: removes null members of objects, recursively (also inside arrays, whose
//               null elements stay).
//
// The recursion follows the patch, whose depth is checked first.
#include <string>
#include <utility>
#include <vector>

#include "api/json.h"
#include "api/patch/internal.h"
#include "api/patch/patch.h"

namespace kstream::api::patch {
namespace {

constexpr std::string_view kBadJsonPatch = "Invalid JSON Patch";  // json-patch's ErrBadJSONPatch
constexpr std::string_view kBadJsonDoc = "Invalid JSON Document";  // ErrBadJSONDoc

void PruneNulls(Value* v) {
  if (v->is_object()) {
    std::vector<std::string> nulls;
    for (const Member& m : v->as_object()) {
      if (m.value.is_null()) nulls.push_back(m.key);
    }
    for (const std::string& k : nulls) v->Erase(k);
    std::vector<std::string> keys;
    for (const Member& m : v->as_object()) {
      if (m.value.is_object() || m.value.is_array()) keys.push_back(m.key);
    }
    for (const std::string& k : keys) PruneNulls(v->Find(k));
  } else if (v->is_array()) {
    for (Value& e : v->mutable_array()) {
      if (!e.is_null()) PruneNulls(&e);
    }
  }
}

void MergeDocs(Value* doc, Value* patch);

// json-patch's merge(cur, patch): the value that replaces cur.
Value Merge(Value cur, Value patch) {
  if (!cur.is_object()) {
    PruneNulls(&patch);
    return patch;
  }
  if (!patch.is_object()) return patch;
  MergeDocs(&cur, &patch);
  return cur;
}

void MergeDocs(Value* doc, Value* patch) {
  std::vector<std::string> keys;
  for (const Member& m : patch->as_object()) keys.push_back(m.key);
  for (const std::string& k : keys) {
    Value v = std::move(*patch->Find(k));
    if (v.is_null()) {
      doc->Erase(k);
      continue;
    }
    Value* cur = doc->Find(k);
    if (cur == nullptr || cur->is_null()) {
      PruneNulls(&v);
      doc->Set(k, std::move(v));
      continue;
    }
    *cur = Merge(std::move(*cur), std::move(v));
  }
}

}  // namespace

Result<Value> ApplyMergePatch(const Value& doc, std::string_view patch) {
  auto parsed = ParseJson(patch);
  if (!parsed.ok()) return InvalidArgument(std::string(kBadJsonPatch));
  Value p = std::move(parsed).value();
  // A document that is null is ErrBadJSONDoc, which kube passes on unclassified (a 500).
  if (doc.is_null()) return Internal(std::string(kBadJsonDoc));
  if (p.is_null()) return InvalidArgument(std::string(kBadJsonPatch));
  if (internal::NestsDeeperThan(p, kMaxPatchDepth)) {
    return InvalidArgument("merge patch nested deeper than " + std::to_string(kMaxPatchDepth) + " levels");
  }
  if (p.is_array()) {
    // Not an object: the patch (an array) becomes the document.
    PruneNulls(&p);
    return p;
  }
  if (!p.is_object()) return InvalidArgument(std::string(kBadJsonPatch));
  if (!doc.is_object()) {
    // The document is not an object: the patch, without its nulls, becomes the document.
    PruneNulls(&p);
    return p;
  }
  Value out = doc;
  MergeDocs(&out, &p);
  return out;
}

}  // namespace kstream::api::patch
