// Server-side apply and metadata.managedFields: kube's field manager on unstructured Values.
//
// This is sigs.k8s.io/structured-merge-diff v4 (fieldpath, typed, merge) together with
// k8s.io/apimachinery/pkg/util/managedfields/internal (the managers chain kube builds in
// NewDefaultFieldManager), working on kstream's JSON-form objects (api::Value) and OpenAPI
// schemas (api::SchemaNode):
//
//   - FieldSet is fieldpath.Set: a trie of path elements (`f:<field>`, `k:<key json>`,
//     `v:<value json>`, `i:<index>`), with the FieldsV1 encoding of managedFields entries.
//   - FieldsOf is typed.ToFieldSet: the fields an object sets, under a schema.
//   - Update records a create / update / non-apply patch (FieldManager.UpdateNoErrors).
//   - Apply performs a server-side apply (FieldManager.Apply): merge, prune, conflicts.
//
// Schemas. A node's kind comes from the schema (type, properties, additionalProperties,
// items); lists are associative by x-kubernetes-list-type map (keyed by
// x-kubernetes-list-map-keys) or set, or, without a list type, by a "merge" patch strategy
// with a merge key; every other list is atomic. x-kubernetes-map-type atomic makes maps and
// structs atomic. A null SchemaNode (a field the schema does not know, or a schemaless custom
// resource) is structured-merge-diff's "deduced" type: objects are granular maps whose
// members all count as fields, lists are atomic, anything else is a scalar. At the root,
// `metadata` always uses the built-in ObjectMeta schema when the given schema does not
// describe it (custom resource schemas usually do not), and apiVersion/kind/metadata are
// always declared fields.
//
// Values compare as structured-merge-diff compares them: an int and a float are equal when
// numerically equal (1 == 1.0), so writing 1.0 over 1 is no change.
//
// Errors. Functions return kInvalidArgument for malformed input (nesting deeper than
// kMaxDepth, unparsable `now`, what kube answers 400 BadRequest to) and kInternal for what
// kube answers with a plain Go error, i.e. HTTP 500 with an empty reason and the message
// as is (e.g. "failed to create typed patch object (default/cm; /v1, Kind=ConfigMap):
// .data.a: expected string, got 1"). Apply conflicts are ApplyConflictError (HTTP 409).
//
// Thread-safety: all functions are pure (no shared mutable state) and may run concurrently.
// Values and SchemaNodes passed in are only read and must outlive the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api/openapi/definitions.h"
#include "api/value.h"
#include "base/status.h"

namespace kstream::api::fieldmanager {

// Nesting limit for objects and FieldsV1 documents (kInvalidArgument beyond it): every walk
// here recurses once per level, so this bounds native stack use.
inline constexpr int kMaxDepth = 1000;

// One step of a field path (fieldpath.PathElement).
class PathElement {
 public:
  enum class Kind : uint8_t { kField, kKey, kValue, kIndex };

  static PathElement Field(std::string name);
  // An associative list item selected by its key fields; `fields` are sorted by name.
  static PathElement Key(std::vector<Member> fields);
  // A set item (a scalar list element) selected by its value.
  static PathElement OfValue(Value value);
  static PathElement Index(int64_t index);

  Kind kind() const { return kind_; }
  const std::string& field_name() const { return name_; }
  const std::vector<Member>& key_fields() const { return key_; }
  const Value& value() const { return value_; }
  int64_t index() const { return index_; }

  // The FieldsV1 key: `f:name`, `k:{"name":"x","port":80}`, `v:"x"`, `i:3`.
  std::string Serialize() const;
  // Parses a FieldsV1 key. An unknown type letter is kUnimplemented (readers skip such
  // keys, as kube does); other malformed keys are kInvalidArgument.
  static Result<PathElement> Deserialize(std::string_view key);
  // The human form used in messages (PathElement.String): `.name`, `[name="x",port=80]`,
  // `[="x"]`, `[3]`.
  std::string ToString() const;

 private:
  Kind kind_ = Kind::kField;
  std::string name_;
  std::vector<Member> key_;
  Value value_;
  int64_t index_ = 0;
};

// structured-merge-diff's total order of path elements (fields < keys < values < indexes,
// then by content) and its equality.
int Compare(const PathElement& a, const PathElement& b);
inline bool operator<(const PathElement& a, const PathElement& b) { return Compare(a, b) < 0; }
bool operator==(const PathElement& a, const PathElement& b);

using Path = std::vector<PathElement>;
// Path.String(): the elements' ToString() concatenated, e.g. `.spec.containers[name="a"].image`.
std::string PathString(const Path& path);

// value.Compare and value.Equals: ints and floats compare numerically; otherwise kinds order
// numbers < strings < bools < lists < maps < null.
int CompareValues(const Value& a, const Value& b);
bool ValuesEqual(const Value& a, const Value& b);

// A set of field paths (fieldpath.Set). A path is a member when its field itself is owned;
// parents of members are not members unless inserted. Value type; copies are deep.
class FieldSet {
 public:
  FieldSet();
  FieldSet(const FieldSet&);
  FieldSet(FieldSet&&) noexcept;
  FieldSet& operator=(const FieldSet&);
  FieldSet& operator=(FieldSet&&) noexcept;
  ~FieldSet();

  // From a managedFields entry's fieldsV1 (an object; null is the empty set). Keys with an
  // unknown type letter are dropped, as kube does. kInvalidArgument for malformed keys or
  // values, or nesting deeper than kMaxDepth.
  static Result<FieldSet> FromFieldsV1(const Value& fields);
  static Result<FieldSet> FromFieldsV1Json(std::string_view json);

  // The FieldsV1 object. As a Value its keys are sorted bytewise (how kube shows it for
  // custom resources, and how kubectl prints it); ToFieldsV1Json is the byte order kube's
  // encoder writes for built-in types.
  Value ToFieldsV1() const;
  // The exact bytes kube serves for a built-in object (fieldpath.Set.ToJSON as re-escaped by
  // encoding/json): children in path element order, "." (the node itself is a member)
  // first, e.g. {"f:data":{".":{},"f:key":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}}}.
  std::string ToFieldsV1Json() const;

  bool empty() const;
  // Number of members (Set.Size).
  size_t size() const;
  void Insert(const Path& path);  // the empty path is ignored (nobody owns the root)
  bool Has(const Path& path) const;

  FieldSet Union(const FieldSet& other) const;
  FieldSet Intersection(const FieldSet& other) const;
  // Members of this set not members of `other`; a member of `other` does not remove this
  // set's paths below it (Set.Difference).
  FieldSet Difference(const FieldSet& other) const;
  // Also removes everything below the members of `other` (Set.RecursiveDifference).
  FieldSet RecursiveDifference(const FieldSet& other) const;
  // The subset below `pe` (without the prefix); nullptr when there is none.
  const FieldSet* WithPrefix(const PathElement& pe) const;

  // Calls `fn` for every member, in Set.Iterate order (a node's members, then its children's).
  void Iterate(const std::function<void(const Path&)>& fn) const;
  // PathString of every member, in Iterate order (".data.key", ".metadata.labels.app").
  std::vector<std::string> Paths() const;

  friend bool operator==(const FieldSet& a, const FieldSet& b);

 private:
  struct Child;
  FieldSet* Descend(const PathElement& pe);
  void IteratePrefix(Path* prefix, const std::function<void(const Path&)>& fn) const;
  void AppendJson(std::string* out, bool include_self) const;
  Value ToValue(bool include_self) const;

  std::vector<PathElement> members_;  // sorted
  std::vector<Child> children_;       // sorted by pe, every child set non-empty
};

// typed.ToFieldSet: the fields present in `obj` under `schema` (every scalar, every atomic
// list or map, every list item, every map entry that is not a declared struct field).
// kInternal with kube's validation message when `obj` does not fit the schema.
Result<FieldSet> FieldsOf(const Value& obj, const SchemaNode& schema);

// One apply conflict (merge.Conflict), in the form kube reports it.
struct Conflict {
  // printManager: `"kubectl-client-side-apply" using v1`, `"ctl" with subresource "scale"
  // using apps/v1` (Update managers), `"kubectl"` (Apply managers).
  std::string manager;
  // Path.String(): ".spec.replicas", `.spec.containers[name="app"].image`.
  std::string path;

  // The metav1.StatusCause: type "FieldManagerConflict", message "conflict with <manager>",
  // field <path>.
  static constexpr std::string_view kCauseType = "FieldManagerConflict";
  std::string CauseMessage() const { return "conflict with " + manager; }
};

// An apply rejected for conflicts: kube's errors.NewApplyConflict, i.e. a Status with code
// 409, reason "Conflict", status "Failure", `message`, and details.causes built from
// `conflicts` (one cause each, in this order; no name/kind in the details). `conflicts` are
// grouped by manager identifier (sorted), each manager's paths in Set.Iterate order (kube
// lists the managers in Go map order, i.e. unspecified). The message is
//   one:  `Apply failed with 1 conflict: conflict with "m" using v1: .data.a`
//   more: `Apply failed with 3 conflicts: conflicts with "a":\n- .data.x\n- .data.y\n`
//         `conflicts with "b" using v1:\n- .spec.replicas` (managers sorted by their
//         identifier, each with its paths; lines joined by "\n", no trailing newline).
struct ApplyConflictError {
  std::vector<Conflict> conflicts;
  std::string message;
};

struct WriteContext {
  std::string manager;      // fieldManager (the server fills it from the query or the User-Agent); "" -> "unknown"
  std::string api_version;  // "apps/v1" — the version of the request
  std::string subresource;  // "" or "status"/"scale"
  std::string now;          // RFC3339 seconds, e.g. "2026-11-29T08:00:00Z"

  // Optional additions.
  // The kind of the request ("Deployment"): Apply checks the applied object's apiVersion and
  // kind against api_version/kind (400 "invalid object type: apps/v1, Kind=Foo"). When
  // empty, the live object's kind is used, or the config's when creating.
  std::string kind;
  // True for custom resources. It changes two things: the empty object a create is compared
  // against (kube's ObjectCreater: {} for custom resources; for built-in kinds the Go zero
  // value of the type, synthesized from the schema — so fields like `spec.strategy` of a
  // Deployment are not "added" on create), and the `protocol` list-map key default ("TCP",
  // kube's +default marker on built-in ports, which the generated schemas lack).
  bool custom_resource = false;
  // The strategy's reset fields for this (sub)resource (rest.ResetFieldsStrategy, e.g.
  // {.status} for a main resource with a status subresource): never owned, never conflict.
  FieldSet reset_fields;
};

// Records a non-apply write (create: live = null Value; update/patch): compares live and
// updated (ignoring the metadata fields kube strips: apiVersion, kind, metadata itself,
// metadata.name/namespace/uid/resourceVersion/generation/creationTimestamp/selfLink/
// clusterName/managedFields; labels, annotations, finalizers, ownerReferences... are
// tracked), gives the changed and added fields to ctx.manager (operation "Update", identity
// manager+apiVersion+subresource), takes them from other managers, drops removed fields
// from every manager, drops empty managers, caps the Update managers at 10 (the oldest are
// merged into "ancient-changes" entries per apiVersion), and writes the result into
// updated.metadata.managedFields (sorted as kube sorts them: operation, time, manager,
// apiVersion, subresource; time set to ctx.now on the entry that changed; the member is
// removed when there are no entries).
//
// Which managedFields are the starting point (fieldmanager.go decodeLiveOrNew):
//   - subresource writes: live's, whatever updated carries;
//   - updated carries `[]` or `[{}]`: none (a reset; documented kube behaviour);
//   - updated carries valid non-empty entries: those (a client may rewrite them);
//   - otherwise (absent, null, invalid): live's (invalid ones there count as none).
// With none on an existing object (live has a uid) the write is not tracked at all and
// managedFields stays absent (skipNonAppliedManager); a create always starts tracking.
// When the objects do not fit the schema, updated gets live's managedFields unchanged if
// they decode, and none otherwise (UpdateNoErrors). Fails only for malformed input (depth, ctx.now).
Result<Value> Update(const Value& live, Value updated, const SchemaNode& schema, const WriteContext& ctx);

// Server-side apply (PATCH application/apply-patch+yaml): merges `config` into `live` (null
// Value when the object does not exist yet) per the schema (maps/structs merge, associative
// lists by their keys, sets by value, atomic lists and maps replaced), removes fields this
// manager applied before but no longer applies and nobody else owns (prune), and records
// the manager's set with operation "Apply" (identity manager+subresource). Fields owned by
// other managers whose values change are conflicts: without `force` the result is the
// ApplyConflictError; with force, ownership moves to the applier. An object without
// managedFields first gets a "before-first-apply" Update entry owning its current fields.
// Re-applying the same config leaves the object and the entry's time unchanged. For the
// manager "kubectl" the client-side apply annotation is honoured (conflicts on fields it
// records are not conflicts) and kept up to date, as kube does.
//
// The result is the merged object with metadata.managedFields set; defaulting, admission
// and validation are the caller's. Status errors: kInvalidArgument (400) for
// "invalid object type: ...", "metadata.managedFields must be nil" and malformed input;
// kInternal (500, message as is) for "failed to decode managed fields: ...",
// "failed to create typed patch object (...): ...", "failed to create typed live object ...".
std::variant<Value, ApplyConflictError, Status> Apply(const Value& live, const Value& config, const SchemaNode& schema,
                                                       const WriteContext& ctx, bool force);

// The managedFields array exactly as kube's encoder writes it for built-in objects (entry
// keys in ManagedFieldsEntry order — manager, operation, apiVersion, time, fieldsType,
// fieldsV1, subresource — and fieldsV1 in FieldSet::ToFieldsV1Json order). `managed_fields`
// is what Update/Apply wrote into metadata.managedFields. kInvalidArgument for entries that
// are not valid managedFields entries.
Result<std::string> ManagedFieldsJson(const Value& managed_fields);

// The Go zero value of a built-in kind's type in JSON form (what kube's ObjectCreater gives
// and compares a create against): non-pointer struct fields as their zero objects,
// non-omitempty scalars as their zero values, other non-omitempty fields (pointers, slices,
// maps) as null, metadata.creationTimestamp as null. Read from the schema's "default" and
// "required" facts.
Value ZeroObject(const SchemaNode& schema);

}  // namespace kstream::api::fieldmanager
