// The three PATCH algorithms of kube-apiserver on the unstructured Value model.
//
//   ApplyJsonPatch            application/json-patch+json   RFC 6902, as gopkg.in/evanphx/json-patch.v4
//                                                           applies it (kube's JSONPatchType)
//   ApplyMergePatch           application/merge-patch+json  RFC 7386, as json-patch.v4 MergePatch
//                                                           (kube's MergePatchType)
//   ApplyStrategicMergePatch  application/strategic-merge-patch+json
//                                                           k8s.io/apimachinery strategicpatch
//                                                           StrategicMergeMapPatch
//
// Each function takes the current object (what kube's handler encodes from the stored object)
// and returns the patched one as a new Value; the inputs are not modified. The caller decodes
// and validates the result as kube does after patching (type checks, unknown fields, defaults).
//
// Errors, as kube-apiserver's patch handler classifies them:
//   kInvalidArgument    -> 400 BadRequest, the status message as the message (a malformed
//                          patch: not JSON, wrong shape, a bad directive format);
//   kFailedPrecondition -> 422, kube's NewGenericServerResponse(422, ...) (a JSON patch that
//                          does not apply; a strategic merge patch with a list of lists);
//   kResourceExhausted  -> 413 (more than 10000 JSON patch operations);
//   kInternal           -> 500 with the message: the strategic merge patch errors kube does not
//                          translate (interpretStrategicMergePatchError's default case, e.g.
//                          "map: map[...] does not contain declared merge key: name", "unable to
//                          find api field in struct PodSpec for the json field \"x\""), and the
//                          cases where Go panics (kube's handler recovers them as 500s).
// Patches nested deeper than kMaxPatchDepth levels are rejected with kInvalidArgument, so the
// recursive parts of the algorithms (which follow the patch's nesting, never the object's)
// stay within a small, fixed stack.
//
// Values produced by these functions keep ints as ints (Value's int64) and floats as floats.
//
// Thread-safety: the functions are pure; concurrent calls are fine. The SchemaNode (and the
// definitions it points into) must stay alive for the duration of the call only.
#pragma once

#include <string_view>

#include "api/openapi/definitions.h"
#include "api/value.h"
#include "base/status.h"

namespace kstream::api::patch {

// The deepest patch accepted (levels of arrays/objects, the top level counting as 1).
inline constexpr int kMaxPatchDepth = 1000;

// The most operations a JSON patch may have (kube's maxJSONPatchOperations).
inline constexpr size_t kMaxJsonPatchOperations = 10000;

// The most bytes `copy` operations of one JSON patch may add (kube-apiserver's
// JSONPatchMaxCopyBytes, which it installs as json-patch's AccumulatedCopySizeLimit).
inline constexpr int64_t kMaxJsonPatchCopyBytes = 3 * 1024 * 1024;

// RFC 6902 JSON Patch as gopkg.in/evanphx/json-patch.v4 applies it (kube's JSONPatchType).
// `patch` is the raw request body. v4's behaviour, including its deviations from the RFC:
//   - a path names its target by the segments after the first `/` (the text before the first
//     `/` is ignored); ~1 and ~0 are unescaped; intermediate segments must exist (no parent is
//     created); array indices are Go integers (`+1`, `01` accepted) and may be negative
//     (counting from the end); `-` appends (add only);
//   - `add` to an existing member replaces it; `replace` of a missing member adds it;
//     `remove` of a missing member fails; `copy` from a missing member copies null;
//     `replace` with path "" replaces the whole document (with an object or array);
//   - `test` compares like json-patch: objects and arrays structurally, scalars by their
//     JSON text (the object's Go encoding against the patch's literal), so `1` does not
//     equal `1.0` and "a<b" (which Go writes as "a\u003cb") does not equal "a<b"; a missing
//     member tests equal to null (values added earlier in the same patch are compared by
//     their Go encoding too, where json-patch would keep their literal);
//   - `copy` operations may add at most kMaxJsonPatchCopyBytes in total.
// Malformed patches (not a JSON array of objects) fail with kInvalidArgument and Go's message
// (`json: cannot unmarshal object into Go value of type jsonpatch.Patch`); a patch that does
// not apply (including an unknown op) with kFailedPrecondition; more than 10000 operations
// with kResourceExhausted ("The allowed maximum operations in a JSON patch is 10000, got N").
// The result is usually an object; `replace` of "" can make it an array.
Result<Value> ApplyJsonPatch(const Value& doc, std::string_view patch);

// RFC 7386 JSON merge patch as evanphx/json-patch.v4 MergePatch (kube's MergePatchType).
// `patch` is the raw request body. null deletes, objects merge recursively, anything else
// replaces; values the patch adds have their null members removed (nulls inside arrays are
// kept). A body that is not JSON, is null or is a scalar fails with kInvalidArgument "Invalid
// JSON Patch"; an array body replaces the whole document (the result is that array). A null
// document is kInternal ("Invalid JSON Document", which kube does not classify either).
Result<Value> ApplyMergePatch(const Value& doc, std::string_view patch);

// Strategic merge patch as k8s.io/apimachinery/pkg/util/strategicpatch StrategicMergeMapPatch
// (kube 1.33), with the patch metadata (x-kubernetes-patch-strategy and
// x-kubernetes-patch-merge-key, i.e. the Go tags patchStrategy/patchMergeKey) read from
// `schema`, the root schema of the object's kind. `patch` is the parsed patch (a JSON object;
// null is a no-op). Covered: maps merge recursively and null deletes; lists with strategy
// "merge" merge by their merge key (lists of primitives: union) and keep strategicpatch's
// element order; other lists and "replace" maps are replaced; `$patch: replace|delete` in maps
// and list elements, `$retainKeys`, `$deleteFromPrimitiveList/<f>`, `$setElementOrder/<f>`;
// the errors of k8s.io/apimachinery/pkg/util/mergepatch, classified as kube's
// interpretStrategicMergePatchError does (see above).
//
// Schema semantics follow strategicpatch's PatchMetaFromStruct: a schema with properties is a
// Go struct (merging a map or list under a key it does not know fails with kInternal "unable
// to find api field in struct <Type> for the json field \"<key>\"", as in kube); a schema with
// additionalProperties is a Go map (values merge by the value schema, no strategy); object
// schemas without either (RawExtension, FieldsV1, apiextensions JSON) are structs without
// JSON fields. A null `schema` means no metadata at all: lists are replaced, maps merged,
// nothing fails for an unknown field.
//
// Directive keys never reach the result: where strategicpatch itself leaves them in (values it
// copies without merging), they are removed as kube's typed decoding would drop them.
//
// Go iterates the patch's maps in random order (mostly the request body's order). Where that
// changes the outcome (a list both added to and deleted from with the same element, or a
// patch with several errors), members are processed in key order, which is one of kube's
// possible outcomes.
Result<Value> ApplyStrategicMergePatch(const Value& doc, const Value& patch, const SchemaNode& schema);

}  // namespace kstream::api::patch
