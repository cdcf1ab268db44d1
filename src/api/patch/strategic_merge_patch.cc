// Strategic merge patch: a port of the apply half of
// k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch with
// MergeParallelList and IgnoreUnmatchedNulls, as kube-apiserver calls it), kube 1.33, on
// Values, with the patch metadata read from OpenAPI schemas instead of Go struct tags.
//
// The structure follows patch.go function by function (mergeMap, mergePatchIntoOriginal,
// mergeSlice, normalizeElementOrder, ...), so that the order of checks, and therefore which
// error a bad patch gets, matches. Go facts that matter for the result and are reproduced:
//   - interface comparison: values of different Go types (int64 vs float64) are unequal,
//     comparing two maps or two slices panics (a 500 in kube), hashing one panics too;
//   - sort.SliceStable's exact algorithm (insertion sort on blocks of 20, then SymMerge),
//     because strategicpatch sorts with a comparator that is not a strict weak order;
//   - the slice aliasing in mergePatchIntoOriginal: the live list it orders server-only
//     items by shares its array with the list being merged, so deletions shift it in place
//     and the first appended patch items overwrite its tail.
// Go maps iterate in random order; where strategicpatch's result could depend on that order
// (a patch with both `x` and `$deleteFromPrimitiveList/x` naming the same element), members
// are processed in key order.
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "api/json.h"
#include "api/patch/internal.h"
#include "api/patch/patch.h"
#include "base/ascii.h"

namespace kstream::api::patch {
namespace {

using internal::GoS;
using internal::GoTypeName;
using internal::GoV;
using Array = Value::Array;
using Kind = Value::Kind;

constexpr std::string_view kDirectiveMarker = "$patch";
constexpr std::string_view kDeleteDirective = "delete";
constexpr std::string_view kReplaceDirective = "replace";
constexpr std::string_view kMergeDirective = "merge";
constexpr std::string_view kRetainKeysStrategy = "retainKeys";
constexpr std::string_view kDeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
constexpr std::string_view kRetainKeysDirective = "$retainKeys";
constexpr std::string_view kSetElementOrderPrefix = "$setElementOrder";

constexpr std::string_view kGoMapType = "map[string]interface {}";
constexpr std::string_view kGoSliceType = "[]interface {}";

// --- Errors ----------------------------------------------------------------------------------
// mergepatch's sentinel errors get the HTTP class interpretStrategicMergePatchError gives them;
// every other error reaches the client unclassified (500).

Status ErrBadJsonDoc() { return InvalidArgument("invalid JSON document"); }
Status ErrNoListOfLists() { return FailedPrecondition("lists of lists are not supported"); }
Status ErrBadPatchFormatForPrimitiveList() { return InvalidArgument("invalid patch format of primitive list"); }
Status ErrBadPatchFormatForRetainKeys() { return InvalidArgument("invalid patch format of retainKeys"); }
Status ErrBadPatchFormatForSetElementOrderList() {
  return InvalidArgument("invalid patch format of setElementOrder list");
}
Status Unclassified(std::string msg) { return Internal(std::move(msg)); }
Status ErrNoMergeKey(const Value& m, std::string_view key) {
  return Unclassified("map: " + GoV(m) + " does not contain declared merge key: " + std::string(key));
}
Status ErrBadArgType(std::string_view expected, const Value& actual) {
  return Unclassified("expected a " + std::string(expected) + ", but received a " + GoTypeName(actual));
}
Status ErrBadPatchType(const Value& t, const Value& m) {
  return Unclassified("unknown patch type: " + GoS(t) + " in map: " + GoV(m));
}
// Go runtime panics, which kube-apiserver's handler recovers into 500s.
Status PanicUncomparable(const Value& v) {
  return Unclassified("runtime error: comparing uncomparable type " + GoTypeName(v));
}
Status PanicUnhashable(const Value& v) {
  return Unclassified("runtime error: hash of unhashable type " + GoTypeName(v));
}
Status PanicNilPointer() { return Unclassified("runtime error: invalid memory address or nil pointer dereference"); }

// --- Go value semantics ----------------------------------------------------------------------

// a == b on two interface{} values.
Result<bool> GoEq(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kNull: return true;
    case Kind::kBool: return a.as_bool() == b.as_bool();
    case Kind::kInt: return a.as_int() == b.as_int();
    case Kind::kFloat: return a.as_float() == b.as_float();
    case Kind::kString: return a.as_string() == b.as_string();
    case Kind::kArray:
    case Kind::kObject: return PanicUncomparable(a);
  }
  return false;
}

bool IsUnhashable(const Value& v) { return v.is_array() || v.is_object(); }

bool IsString(const Value& v, std::string_view s) { return v.is_string() && v.as_string() == s; }

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::vector<std::string> Keys(const Value& object) {
  std::vector<std::string> keys;
  keys.reserve(object.as_object().size());
  for (const Member& m : object.as_object()) keys.push_back(m.key);
  return keys;
}

// --- Patch metadata (LookupPatchMeta over OpenAPI schemas) -------------------------------------

// The Go type strategicpatch's PatchMetaFromStruct walks, as a schema. `lenient` means no
// information (a null schema): lists are replaced, maps merged, and no lookup fails.
struct Schema {
  SchemaNode node;
  bool lenient = true;

  static Schema Of(const SchemaNode& n) { return Schema{n, n.null()}; }

  bool is_map() const { return !node.has_properties() && !node.AdditionalProperties().null(); }
  // A Go struct: properties, or an object schema without them (RawExtension, FieldsV1,
  // apiextensions JSON and the like are structs without JSON fields).
  bool is_struct() const {
    if (node.has_properties()) return true;
    if (!node.AdditionalProperties().null()) return false;
    std::string_view t = node.type();
    return t.empty() || t == "object";
  }
};

struct FieldMeta {
  Schema sub;
  std::string strategy;   // x-kubernetes-patch-strategy, e.g. "merge,retainKeys"
  std::string merge_key;  // x-kubernetes-patch-merge-key
};

// The Go type name of a schema (reflect.Type.Name()): the last segment of its definition's
// name, or its kind for a kind's root schema.
std::string GoTypeNameOf(const SchemaNode& node) {
  auto ref_of = [](const Value* s) -> std::string_view {
    if (s == nullptr || !s->is_object()) return {};
    if (const Value* r = s->Find("$ref"); r != nullptr && r->is_string()) return r->as_string();
    if (const Value* all = s->Find("allOf"); all != nullptr && all->is_array() && all->as_array().size() == 1) {
      if (const Value* r = all->as_array()[0].Find("$ref"); r != nullptr && r->is_string()) return r->as_string();
    }
    return {};
  };
  std::string_view name = SchemaRefName(ref_of(node.field_schema()));
  if (!name.empty()) {
    size_t dot = name.rfind('.');
    return std::string(dot == std::string_view::npos ? name : name.substr(dot + 1));
  }
  if (const Value* gvk = node.ExtensionValue("x-kubernetes-group-version-kind");
      gvk != nullptr && gvk->is_array() && !gvk->as_array().empty()) {
    if (const Value* k = gvk->as_array()[0].Find("kind"); k != nullptr && k->is_string()) return k->as_string();
  }
  return "";
}

// reflect.Kind of a schema's Go type, as Kind.String() prints it.
std::string GoKindOf(const Schema& s) {
  if (s.is_map()) return "map";
  if (s.is_struct()) return "struct";
  std::string_view t = s.node.type();
  std::string_view format = s.node.schema() != nullptr && s.node.schema()->is_object() &&
                                    s.node.schema()->Find("format") != nullptr &&
                                    s.node.schema()->Find("format")->is_string()
                                ? std::string_view(s.node.schema()->Find("format")->as_string())
                                : std::string_view();
  if (t == "array") return "slice";
  if (t == "string") return format == "byte" ? "slice" : "string";
  if (t == "boolean") return "bool";
  if (t == "integer") return format == "int32" ? "int32" : "int64";
  if (t == "number") return format == "float" ? "float32" : "float64";
  return "interface";
}

// PatchMetaFromStruct.LookupPatchMetadataForStruct (forkedjson.LookupPatchMetadataForStruct):
// a struct's field (exact JSON name, else a case-insensitive match, as encoding/json matches),
// or a map's value type.
Result<FieldMeta> LookupForStruct(const Schema& s, std::string_view key) {
  if (s.lenient) return FieldMeta{};
  const SchemaNode& node = s.node;
  if (node.has_properties()) {
    std::string field_name(key);
    if (!node.HasProperty(key)) {
      field_name.clear();
      for (const Member& m : node.schema()->Find("properties")->as_object()) {
        if (EqualFoldAscii(m.key, key)) {
          field_name = m.key;
          break;
        }
      }
      if (field_name.empty()) {
        return Unclassified("unable to find api field in struct " + GoTypeNameOf(node) + " for the json field " +
                            internal::GoQuote(key));
      }
    }
    SchemaNode field = node.Property(field_name);
    return FieldMeta{Schema::Of(field), std::string(field.patch_strategy()), std::string(field.patch_merge_key())};
  }
  if (SchemaNode ap = node.AdditionalProperties(); !ap.null()) return FieldMeta{Schema::Of(ap), "", ""};
  if (s.is_struct()) {
    return Unclassified("unable to find api field in struct " + GoTypeNameOf(node) + " for the json field " +
                        internal::GoQuote(key));
  }
  return Unclassified("merging an object in json but data type is not map or struct, instead is: " + GoKindOf(s));
}

// PatchMetaFromStruct.LookupPatchMetadataForSlice: the field's metadata and its element type.
Result<FieldMeta> LookupForSlice(const Schema& s, std::string_view key) {
  KS_ASSIGN_OR_RETURN(FieldMeta fm, LookupForStruct(s, key));
  if (s.lenient || fm.sub.lenient) return fm;
  if (GoKindOf(fm.sub) != "slice") {
    return Unclassified("expected slice or array type, but got: " + GoKindOf(s));
  }
  SchemaNode items = fm.sub.node.Items();
  if (!items.null() && items.type() == "array") return Unclassified("unexpected slice of slice");
  fm.sub = Schema::Of(items);
  return fm;
}

// extractRetainKeysPatchStrategy: the strategy other than retainKeys.
Result<std::string> PatchStrategy(std::string_view strategy) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t comma = strategy.find(',', start);
    parts.emplace_back(strategy.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  auto unexpected = [&]() {
    std::string list = "[";
    for (size_t i = 0; i < parts.size(); ++i) list += (i ? " " : "") + parts[i];
    return Unclassified("unexpected patch strategy: " + list + "]");
  };
  if (parts.size() == 1) return parts[0] == kRetainKeysStrategy ? std::string() : parts[0];
  if (parts.size() == 2) {
    if (parts[0] == kRetainKeysStrategy) return parts[1];
    if (parts[1] == kRetainKeysStrategy) return parts[0];
  }
  return unexpected();
}

// --- Directive helpers -------------------------------------------------------------------------

// extractKey: "<prefix>/<key>" -> key.
Result<std::string> ExtractKey(std::string_view s, std::string_view prefix) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || s.substr(0, slash) != prefix) {
    if (prefix == kDeleteFromPrimitiveListPrefix) return ErrBadPatchFormatForPrimitiveList();
    return ErrBadPatchFormatForSetElementOrderList();
  }
  return std::string(s.substr(slash + 1));
}

// removeDirectives: drops every map carrying a $patch directive (the whole value when it is
// one); returns whether `v` is kept.
bool RemoveDirectives(Value* v) {
  if (v->is_object()) {
    if (v->Find(kDirectiveMarker) != nullptr) return false;
    for (const std::string& k : Keys(*v)) {
      if (!RemoveDirectives(v->Find(k))) v->Erase(k);
    }
    return true;
  }
  if (v->is_array()) {
    Array kept;
    for (Value& e : v->mutable_array()) {
      if (RemoveDirectives(&e)) kept.push_back(std::move(e));
    }
    v->mutable_array() = std::move(kept);
  }
  return true;
}

// discardNullValuesFromPatch.
void DiscardNulls(Value* v) {
  if (v->is_object()) {
    for (const std::string& k : Keys(*v)) {
      Value* m = v->Find(k);
      if (m->is_null()) {
        v->Erase(k);
      } else {
        DiscardNulls(m);
      }
    }
  } else if (v->is_array()) {
    for (Value& e : v->mutable_array()) DiscardNulls(&e);
  }
}

bool IsDirectiveKey(std::string_view k) {
  return k == kDirectiveMarker || k == kRetainKeysDirective || StartsWith(k, kSetElementOrderPrefix) ||
         StartsWith(k, kDeleteFromPrimitiveListPrefix);
}

// Removes directive keys left anywhere in `root` (where strategicpatch copies patch values
// without merging them; kube's typed decoding drops them as unknown fields). Iterative.
void StripDirectiveKeys(Value* root) {
  std::vector<Value*> stack{root};
  while (!stack.empty()) {
    Value* v = stack.back();
    stack.pop_back();
    if (v->is_object()) {
      std::vector<std::string> drop, nested;
      for (const Member& m : v->as_object()) {
        if (IsDirectiveKey(m.key)) {
          drop.push_back(m.key);
        } else if (m.value.is_object() || m.value.is_array()) {
          nested.push_back(m.key);
        }
      }
      for (const std::string& k : drop) v->Erase(k);
      for (const std::string& k : nested) stack.push_back(v->Find(k));
    } else if (v->is_array()) {
      for (Value& e : v->mutable_array()) {
        if (e.is_object() || e.is_array()) stack.push_back(&e);
      }
    }
  }
}

// --- List helpers ------------------------------------------------------------------------------

// sliceElementType: the common Go type of the elements of the lists.
Result<Kind> SliceElementType(std::initializer_list<const Array*> lists) {
  std::optional<Kind> prev;
  for (const Array* list : lists) {
    for (const Value& v : *list) {
      if (!prev) {
        if (v.is_null()) return PanicNilPointer();  // reflect.TypeOf(nil).Kind()
        prev = v.kind();
        if (*prev == Kind::kArray) return ErrNoListOfLists();
      } else if (v.kind() != *prev) {
        std::string all = "[";
        bool first = true;
        for (const Array* l : lists) {
          if (!first) all += " ";
          first = false;
          all += GoV(Value(*l));
        }
        return Unclassified("list element types are not identical: " + all + "]");
      }
    }
  }
  if (!prev) return Unclassified("no elements in any of the given slices");
  return *prev;
}

// What `index` compares of an item: its merge key's value for lists of maps (nil when the item
// is not a map or lacks the key), the item itself otherwise.
const Value& IndexValue(const Value& item, std::string_view merge_key, Kind kind, const Value& nil) {
  if (kind != Kind::kObject) return item;
  if (!item.is_object()) return nil;
  const Value* v = item.Find(merge_key);
  return v != nullptr ? *v : nil;
}

// index(l, valToLookUp, mergeKey, kind).
Result<int64_t> Index(std::span<const Value> l, const Value& val, std::string_view merge_key, Kind kind) {
  const Value nil;
  const Value& want = IndexValue(val, merge_key, kind, nil);
  for (size_t i = 0; i < l.size(); ++i) {
    KS_ASSIGN_OR_RETURN(bool eq, GoEq(want, IndexValue(l[i], merge_key, kind, nil)));
    if (eq) return static_cast<int64_t>(i);
  }
  return int64_t{-1};
}

// What an ordering list keeps of an item: for maps only the merge key (all that index and the
// merge key checks look at), scalars whole.
Value OrderItem(const Value& e, std::string_view merge_key) {
  if (!e.is_object()) return e;
  Value item = Value::EmptyObject();
  if (const Value* k = e.Find(merge_key)) item.Set(merge_key, *k);
  return item;
}

Array OrderItems(std::span<const Value> l, std::string_view merge_key) {
  Array out;
  out.reserve(l.size());
  for (const Value& e : l) out.push_back(OrderItem(e, merge_key));
  return out;
}

// findMapInSliceBasedOnKeyValue: the first map whose `key` is present and equal to `value`.
Result<std::optional<size_t>> FindMapInSlice(std::span<const Value> l, std::string_view key, const Value& value) {
  for (size_t k = 0; k < l.size(); ++k) {
    if (!l[k].is_object()) return Unclassified("value for key " + std::to_string(k) + " is not a map");
    if (const Value* v = l[k].Find(key)) {
      KS_ASSIGN_OR_RETURN(bool eq, GoEq(*v, value));
      if (eq) return std::optional<size_t>(k);
    }
  }
  return std::optional<size_t>();
}

// validateMergeKeyInLists.
Status ValidateMergeKeyInLists(std::string_view merge_key, std::initializer_list<std::span<const Value>> lists) {
  for (std::span<const Value> list : lists) {
    for (const Value& item : list) {
      if (!item.is_object()) return ErrBadArgType(kGoMapType, item);
      if (item.Find(merge_key) == nullptr) return ErrNoMergeKey(item, merge_key);
    }
  }
  return Status::Ok();
}

// sort.SliceStable's algorithm (Go's stable_func: insertion sort of blocks of 20, then
// SymMerge), on a permutation, with a comparator that may fail (a Go panic): the first
// failure is kept and the comparator answers false from then on.
class StableSorter {
 public:
  template <typename Less>
  static void Sort(std::vector<size_t>* perm, Less less) {
    StableSorter s(perm);
    auto l = [&](size_t i, size_t j) { return less((*perm)[i], (*perm)[j]); };
    size_t n = perm->size();
    size_t block = 20;
    size_t a = 0, b = block;
    while (b <= n) {
      s.InsertionSort(l, a, b);
      a = b;
      b += block;
    }
    s.InsertionSort(l, a, n);
    while (block < n) {
      a = 0;
      b = 2 * block;
      while (b <= n) {
        s.SymMerge(l, a, a + block, b);
        a = b;
        b += 2 * block;
      }
      if (size_t m = a + block; m < n) s.SymMerge(l, a, m, n);
      block *= 2;
    }
  }

 private:
  explicit StableSorter(std::vector<size_t>* perm) : perm_(perm) {}
  void Swap(size_t i, size_t j) { std::swap((*perm_)[i], (*perm_)[j]); }

  template <typename L>
  void InsertionSort(L& less, size_t a, size_t b) {
    for (size_t i = a + 1; i < b; ++i) {
      for (size_t j = i; j > a && less(j, j - 1); --j) Swap(j, j - 1);
    }
  }

  template <typename L>
  void SymMerge(L& less, size_t a, size_t m, size_t b) {
    if (m - a == 1) {
      size_t i = m, j = b;
      while (i < j) {
        size_t h = (i + j) / 2;
        if (less(h, a)) {
          i = h + 1;
        } else {
          j = h;
        }
      }
      for (size_t k = a; k + 1 < i; ++k) Swap(k, k + 1);
      return;
    }
    if (b - m == 1) {
      size_t i = a, j = m;
      while (i < j) {
        size_t h = (i + j) / 2;
        if (!less(m, h)) {
          i = h + 1;
        } else {
          j = h;
        }
      }
      for (size_t k = m; k > i; --k) Swap(k, k - 1);
      return;
    }
    size_t mid = (a + b) / 2;
    size_t n = mid + m;
    size_t start, r;
    if (m > mid) {
      start = n - b;
      r = mid;
    } else {
      start = a;
      r = m;
    }
    size_t p = n - 1;
    while (start < r) {
      size_t c = (start + r) / 2;
      if (!less(p - c, c)) {
        start = c + 1;
      } else {
        r = c;
      }
    }
    size_t end = n - start;
    if (start < m && m < end) Rotate(start, m, end);
    if (a < start && start < mid) SymMerge(less, a, start, mid);
    if (mid < end && end < b) SymMerge(less, mid, end, b);
  }

  void SwapRange(size_t a, size_t b, size_t n) {
    for (size_t i = 0; i < n; ++i) Swap(a + i, b + i);
  }

  void Rotate(size_t a, size_t m, size_t b) {
    size_t i = m - a, j = b - m;
    while (i != j) {
      if (i > j) {
        SwapRange(m - i, m, j);
        i -= j;
      } else {
        SwapRange(m - i, m + j - i, i);
        j -= i;
      }
    }
    SwapRange(m - i, m, i);
  }

  std::vector<size_t>* perm_;
};

// extractToDeleteItems: (items, the items carrying `$patch: delete`).
Result<std::pair<Array, Array>> ExtractToDeleteItems(Array l) {
  Array non_delete, to_delete;
  for (Value& v : l) {
    if (!v.is_object()) return ErrBadArgType(kGoMapType, v);
    const Value* d = v.Find(kDirectiveMarker);
    if (d != nullptr && IsString(*d, kDeleteDirective)) {
      to_delete.push_back(std::move(v));
    } else {
      non_delete.push_back(std::move(v));
    }
  }
  return std::make_pair(std::move(non_delete), std::move(to_delete));
}

// normalizeSliceOrder: `to_sort` stably sorted by the items' positions in `order` (items not in
// it compare as "less" than anything, as strategicpatch's comparator says), deletions last.
Result<Array> NormalizeSliceOrder(Array to_sort, std::span<const Value> order, std::string_view merge_key, Kind kind) {
  Array to_delete;
  if (kind == Kind::kObject) {
    KS_RETURN_IF_ERROR(ValidateMergeKeyInLists(merge_key, {to_sort, order}));
    KS_ASSIGN_OR_RETURN(auto split, ExtractToDeleteItems(std::move(to_sort)));
    to_sort = std::move(split.first);
    to_delete = std::move(split.second);
  }
  std::vector<std::optional<int64_t>> memo(to_sort.size());
  Status failure;
  auto index_of = [&](size_t pos) -> int64_t {
    if (!memo[pos]) {
      auto r = Index(order, to_sort[pos], merge_key, kind);
      if (!r.ok()) {
        if (failure.ok()) failure = r.status();
        return -1;
      }
      memo[pos] = *r;
    }
    return *memo[pos];
  };
  std::vector<size_t> perm(to_sort.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  StableSorter::Sort(&perm, [&](size_t x, size_t y) {
    if (!failure.ok()) return false;
    int64_t ii = index_of(x);
    if (!failure.ok()) return false;
    if (ii >= 0) {
      int64_t ij = index_of(y);
      if (!failure.ok()) return false;
      if (ij >= 0) return ii < ij;
    }
    return true;
  });
  KS_RETURN_IF_ERROR(failure);
  Array sorted;
  sorted.reserve(to_sort.size() + to_delete.size());
  for (size_t pos : perm) sorted.push_back(std::move(to_sort[pos]));
  for (Value& v : to_delete) sorted.push_back(std::move(v));
  return sorted;
}

// mergeSortedSlice: merges server-only items (left) into patch items (right), both already in
// their order, using the positions in the live list where both are found.
Result<Array> MergeSortedSlice(Array left, Array right, std::span<const Value> server_order, std::string_view merge_key,
                               Kind kind) {
  std::vector<std::optional<int64_t>> lmemo(left.size()), rmemo(right.size());
  Array s;
  s.reserve(left.size() + right.size());
  size_t i = 0, j = 0;
  while (i < left.size() || j < right.size()) {
    if (i >= left.size()) {
      s.push_back(std::move(right[j++]));
    } else if (j >= right.size()) {
      s.push_back(std::move(left[i++]));
    } else {
      if (!lmemo[i]) {
        KS_ASSIGN_OR_RETURN(int64_t li, Index(server_order, left[i], merge_key, kind));
        lmemo[i] = li;
      }
      if (!rmemo[j]) {
        KS_ASSIGN_OR_RETURN(int64_t ri, Index(server_order, right[j], merge_key, kind));
        rmemo[j] = ri;
      }
      if (*lmemo[i] >= 0 && *rmemo[j] >= 0 && *lmemo[i] < *rmemo[j]) {
        s.push_back(std::move(left[i++]));
      } else {
        s.push_back(std::move(right[j++]));
      }
    }
  }
  return s;
}

// normalizeElementOrder.
Result<Array> NormalizeElementOrder(Array patch, Array server_only, std::span<const Value> patch_order,
                                    std::span<const Value> server_order, std::string_view merge_key, Kind kind) {
  KS_ASSIGN_OR_RETURN(patch, NormalizeSliceOrder(std::move(patch), patch_order, merge_key, kind));
  KS_ASSIGN_OR_RETURN(server_only, NormalizeSliceOrder(std::move(server_only), server_order, merge_key, kind));
  return MergeSortedSlice(std::move(server_only), std::move(patch), server_order, merge_key, kind);
}

// partitionPrimitivesByPresentInList: (items in partition_by, the others); a Go map keyed by
// the items, so a map or slice item panics.
Result<std::pair<Array, Array>> PartitionPrimitives(Array l, std::span<const Value> partition_by) {
  for (const Value& v : partition_by) {
    if (IsUnhashable(v)) return PanicUnhashable(v);
  }
  Array in, out;
  for (Value& v : l) {
    if (IsUnhashable(v)) return PanicUnhashable(v);
    bool found = false;
    for (const Value& p : partition_by) {
      KS_ASSIGN_OR_RETURN(bool eq, GoEq(v, p));
      if (eq) {
        found = true;
        break;
      }
    }
    (found ? in : out).push_back(std::move(v));
  }
  return std::make_pair(std::move(in), std::move(out));
}

// partitionMapsByPresentInList.
Result<std::pair<Array, Array>> PartitionMaps(Array l, std::span<const Value> partition_by, std::string_view merge_key) {
  Array in, out;
  for (Value& v : l) {
    if (!v.is_object()) return ErrBadArgType(kGoMapType, v);
    const Value* key = v.Find(merge_key);
    if (key == nullptr) return ErrNoMergeKey(v, merge_key);
    KS_ASSIGN_OR_RETURN(auto found, FindMapInSlice(partition_by, merge_key, *key));
    (found ? in : out).push_back(std::move(v));
  }
  return std::make_pair(std::move(in), std::move(out));
}

// deduplicateScalars, with Go's exact (order-changing) algorithm.
Array DeduplicateScalars(Array s) {
  int64_t length = static_cast<int64_t>(s.size()) - 1;
  for (int64_t i = 0; i < length; ++i) {
    for (int64_t j = i + 1; j <= length; ++j) {
      auto eq = GoEq(s[static_cast<size_t>(i)], s[static_cast<size_t>(j)]);
      if (eq.ok() && *eq) {
        s[static_cast<size_t>(j)] = s[static_cast<size_t>(length)];
        s.resize(static_cast<size_t>(length));
        --length;
        --j;
      }
    }
  }
  return s;
}

// deleteFromSlice: `current` without the items in `to_delete` (scalars of one type).
Array DeleteFromSlice(Array current, const Array& to_delete) {
  Array out;
  for (Value& v : current) {
    bool found = false;
    for (const Value& d : to_delete) {
      auto eq = GoEq(v, d);
      if (eq.ok() && *eq) {
        found = true;
        break;
      }
    }
    if (!found) out.push_back(std::move(v));
  }
  return out;
}

// --- The merge ---------------------------------------------------------------------------------

// The live list mergePatchIntoOriginal orders server-only items by, as Go sees it: it shares
// its backing array with the list being merged, so in-place deletions and appends show in it.
struct AliasedOrder {
  Array* items;  // OrderItems of the live list, its full length
};

Status MergeMap(Value* original, Value patch, const Schema& schema);

// deleteMatchingEntries: removes every map whose merge key equals `value`.
Status DeleteMatchingEntries(Array* original, std::string_view key, const Value& value, AliasedOrder* alias) {
  while (true) {
    KS_ASSIGN_OR_RETURN(auto found, FindMapInSlice(*original, key, value));
    if (!found) return Status::Ok();
    size_t i = *found;
    if (alias != nullptr) {
      // append(original[:i], original[i+1:]...) moves the shared array's elements in place;
      // the element at the old end stays.
      Array& a = *alias->items;
      size_t len = original->size();
      for (size_t k = i; k + 1 < len && k + 1 < a.size(); ++k) a[k] = a[k + 1];
    }
    original->erase(original->begin() + static_cast<ptrdiff_t>(i));
  }
}

// mergeSliceWithSpecialElements: applies `$patch: delete` elements to `original` and drops
// directive elements from `patch`; with a `$patch: replace` element the patch's other elements
// become the list (and the patch becomes empty). Returns whether the list was replaced.
Result<bool> MergeSliceWithSpecialElements(Array* original, Array* patch, std::string_view merge_key,
                                           AliasedOrder* alias) {
  Array without;
  bool replace = false;
  for (Value& v : *patch) {
    const Value* type = v.Find(kDirectiveMarker);
    if (type == nullptr) {
      without.push_back(std::move(v));
      continue;
    }
    if (IsString(*type, kDeleteDirective)) {
      const Value* mv = v.Find(merge_key);
      if (mv == nullptr) return ErrNoMergeKey(v, merge_key);
      KS_RETURN_IF_ERROR(DeleteMatchingEntries(original, merge_key, *mv, alias));
    } else if (IsString(*type, kReplaceDirective)) {
      replace = true;  // keep going: the other directive elements are still pruned
    } else if (IsString(*type, kMergeDirective)) {
      return Unclassified("merging lists cannot yet be specified in the patch");
    } else {
      return ErrBadPatchType(*type, v);
    }
  }
  if (replace) {
    *original = std::move(without);
    patch->clear();
  } else {
    *patch = std::move(without);
  }
  return replace;
}

// mergeSliceWithoutSpecialElements: merges each patch map into the original map with the same
// merge key, or appends it.
Status MergeSliceWithoutSpecialElements(Array* original, Array patch, std::string_view merge_key, const Schema& schema,
                                        AliasedOrder* alias) {
  for (Value& v : patch) {
    const Value* mv = v.Find(merge_key);
    if (mv == nullptr) return ErrNoMergeKey(v, merge_key);
    Value key = *mv;
    KS_ASSIGN_OR_RETURN(auto found, FindMapInSlice(*original, merge_key, key));
    if (found) {
      KS_RETURN_IF_ERROR(MergeMap(&(*original)[*found], std::move(v), schema));
    } else {
      if (alias != nullptr && original->size() < alias->items->size()) {
        // append writes into the shared array while it has room.
        (*alias->items)[original->size()] = OrderItem(v, merge_key);
      }
      original->push_back(std::move(v));
    }
  }
  return Status::Ok();
}

// mergeSlice.
Result<Array> MergeSlice(Array original, Array patch, const Schema& schema, std::string_view merge_key,
                         bool is_delete_list, AliasedOrder* alias) {
  if (original.empty() && patch.empty()) return original;
  KS_ASSIGN_OR_RETURN(Kind kind, SliceElementType({&original, &patch}));
  Array merged;
  Array server_order;  // the `original` variable of mergeSlice when it orders the result
  Array patch_order;   // the patch list it orders patch items by
  if (kind != Kind::kObject) {
    if (is_delete_list) return DeleteFromSlice(std::move(original), patch);
    server_order = original;
    patch_order = patch;
    Array both = std::move(original);
    for (Value& v : patch) both.push_back(std::move(v));
    merged = DeduplicateScalars(std::move(both));
  } else {
    if (merge_key.empty()) return Unclassified("cannot merge lists without merge key for " + GoKindOf(schema));
    KS_ASSIGN_OR_RETURN(bool replaced, MergeSliceWithSpecialElements(&original, &patch, merge_key, alias));
    if (replaced) alias = nullptr;  // the list is a new array now
    size_t server_len = original.size();
    patch_order = OrderItems(patch, merge_key);
    KS_RETURN_IF_ERROR(MergeSliceWithoutSpecialElements(&original, std::move(patch), merge_key, schema, alias));
    merged = std::move(original);
    // mergeSlice's `original` shares its array with the merged list, up to its own length.
    server_order = OrderItems(std::span<const Value>(merged.data(), server_len), merge_key);
  }
  std::pair<Array, Array> parts;
  if (merge_key.empty()) {
    KS_ASSIGN_OR_RETURN(parts, PartitionPrimitives(std::move(merged), patch_order));
  } else {
    KS_ASSIGN_OR_RETURN(parts, PartitionMaps(std::move(merged), patch_order, merge_key));
  }
  return NormalizeElementOrder(std::move(parts.first), std::move(parts.second), patch_order, server_order, merge_key,
                               kind);
}

// mergeSliceHandler: merge lists merge, other lists are replaced; deletion lists always merge.
Status MergeSliceHandler(Value* original, Value patch, const Schema& schema, std::string_view strategy,
                         std::string_view merge_key, bool is_delete_list, AliasedOrder* alias) {
  if (strategy == kMergeDirective || is_delete_list) {
    KS_ASSIGN_OR_RETURN(Array merged, MergeSlice(std::move(original->mutable_array()), std::move(patch.mutable_array()),
                                                 schema, merge_key, is_delete_list, alias));
    *original = Value(std::move(merged));
    return Status::Ok();
  }
  *original = std::move(patch);
  return Status::Ok();
}

// applyRetainKeysDirective.
Status ApplyRetainKeysDirective(Value* original, Value* patch) {
  Value* found = patch->Find(kRetainKeysDirective);
  if (found == nullptr) return Status::Ok();
  Value retain = std::move(*found);
  patch->Erase(kRetainKeysDirective);
  if (!retain.is_array()) return ErrBadPatchFormatForRetainKeys();
  for (const Value& v : retain.as_array()) {
    if (IsUnhashable(v)) return PanicUnhashable(v);
  }
  auto retained = [&](std::string_view k) {
    for (const Value& v : retain.as_array()) {
      if (IsString(v, k)) return true;
    }
    return false;
  };
  for (const Member& m : patch->as_object()) {
    if (m.value.is_null() || StartsWith(m.key, kDeleteFromPrimitiveListPrefix) ||
        StartsWith(m.key, kSetElementOrderPrefix)) {
      continue;
    }
    if (!retained(m.key)) return ErrBadPatchFormatForRetainKeys();
  }
  for (const std::string& k : Keys(*original)) {
    if (!retained(k)) original->Erase(k);
  }
  return Status::Ok();
}

// validatePatchWithSetOrderList: the patch list's items must appear in the $setElementOrder
// list, in its order (deletions and directive items aside).
Status ValidatePatchWithSetOrderList(const Array& patch_list, const Array& set_order, std::string_view merge_key) {
  if (set_order.empty() || patch_list.empty()) return Status::Ok();
  std::vector<const Value*> non_delete;
  for (const Value& v : patch_list) {
    if (!merge_key.empty()) {
      if (!v.is_object()) return ErrBadArgType(kGoMapType, v);
      const Value* d = v.Find(kDirectiveMarker);
      if (d != nullptr && IsString(*d, kDeleteDirective)) continue;
    }
    non_delete.push_back(&v);
  }
  size_t pi = 0, si = 0;
  while (pi < non_delete.size() && si < set_order.size()) {
    const Value& item = *non_delete[pi];
    if (item.is_object() && item.Find(kDirectiveMarker) != nullptr) {
      ++pi;
      continue;
    }
    bool equal;
    const Value& so = set_order[si];
    if (merge_key.empty()) {
      KS_ASSIGN_OR_RETURN(equal, GoEq(item, so));
    } else {
      if (!item.is_object()) return ErrBadArgType(kGoMapType, item);
      if (!so.is_object()) return ErrBadArgType(kGoMapType, so);
      const Value* l = item.Find(merge_key);
      if (l == nullptr) return ErrNoMergeKey(item, merge_key);
      const Value* r = so.Find(merge_key);
      if (r == nullptr) return ErrNoMergeKey(so, merge_key);
      KS_ASSIGN_OR_RETURN(equal, GoEq(*l, *r));
    }
    if (equal) ++pi;
    ++si;
  }
  if (pi < non_delete.size() && si >= set_order.size()) {
    return Unclassified("The order in patch list:\n" + GoV(Value(patch_list)) + "\n doesn't match " +
                        std::string(kSetElementOrderPrefix) + " list:\n" + GoV(Value(set_order)) + "\n");
  }
  return Status::Ok();
}

// mergePatchIntoOriginal: merges each list named by a $setElementOrder directive and orders it
// ($setElementOrder first, then the patch's order, then the live order).
Status MergePatchIntoOriginal(Value* original, Value* patch, const Schema& schema) {
  std::vector<std::string> keys;
  for (const Member& m : patch->as_object()) {
    if (StartsWith(m.key, kSetElementOrderPrefix)) keys.push_back(m.key);
  }
  for (const std::string& key : keys) {
    Value set_order = std::move(*patch->Find(key));
    patch->Erase(key);
    if (!set_order.is_array()) return ErrBadArgType(kGoSliceType, set_order);
    KS_ASSIGN_OR_RETURN(std::string original_key, ExtractKey(key, kSetElementOrderPrefix));
    Value* original_list = original->Find(original_key);
    Value* patch_list = patch->Find(original_key);
    if (original_list != nullptr && !original_list->is_array()) return ErrBadArgType(kGoSliceType, *original_list);
    if (patch_list != nullptr && !patch_list->is_array()) return ErrBadArgType(kGoSliceType, *patch_list);
    KS_ASSIGN_OR_RETURN(FieldMeta fm, LookupForSlice(schema, original_key));
    KS_ASSIGN_OR_RETURN(std::string strategy, PatchStrategy(fm.strategy));
    const Array empty;
    const Array& original_value = original_list != nullptr ? original_list->as_array() : empty;
    const Array& patch_value = patch_list != nullptr ? patch_list->as_array() : empty;
    KS_RETURN_IF_ERROR(ValidatePatchWithSetOrderList(patch_value, set_order.as_array(), fm.merge_key));

    // What the ordering needs of the lists as they were before merging.
    Result<Kind> element_type = SliceElementType({&original_value, &patch_value});
    Array server_order = OrderItems(original_value, fm.merge_key);

    Array merged;
    if (original_list != nullptr && patch_list == nullptr) {
      merged = original_list->as_array();
    } else if (original_list == nullptr && patch_list != nullptr) {
      Value list = std::move(*patch_list);
      RemoveDirectives(&list);
      merged = std::move(list.mutable_array());
    } else if (original_list != nullptr && patch_list != nullptr) {
      Value o = std::move(*original_list);
      AliasedOrder alias{&server_order};
      KS_RETURN_IF_ERROR(
          MergeSliceHandler(&o, std::move(*patch_list), fm.sub, strategy, fm.merge_key, false, &alias));
      merged = std::move(o.mutable_array());
    } else {
      continue;
    }

    std::pair<Array, Array> parts;
    if (fm.merge_key.empty()) {
      KS_ASSIGN_OR_RETURN(parts, PartitionPrimitives(std::move(merged), set_order.as_array()));
    } else {
      KS_ASSIGN_OR_RETURN(parts, PartitionMaps(std::move(merged), set_order.as_array(), fm.merge_key));
    }
    KS_ASSIGN_OR_RETURN(Kind kind, std::move(element_type));
    KS_ASSIGN_OR_RETURN(Array both, NormalizeElementOrder(std::move(parts.first), std::move(parts.second),
                                                          set_order.as_array(), server_order, fm.merge_key, kind));
    original->Set(original_key, Value(std::move(both)));
    patch->Erase(original_key);
  }
  return Status::Ok();
}

// Takes a patch value the original has no mergeable counterpart for (no such key, or a value
// of another type): nulls discarded, directive maps removed.
void TakePatchValue(Value* original, const std::string& key, Value v) {
  DiscardNulls(&v);
  if (RemoveDirectives(&v)) {
    original->Set(key, std::move(v));
  } else {
    original->Erase(key);
  }
}

// mergeMap: *original (an object, or null for none) becomes the merge of `patch` into it.
Status MergeMap(Value* original, Value patch, const Schema& schema) {
  if (const Value* directive = patch.Find(kDirectiveMarker)) {
    if (IsString(*directive, kReplaceDirective)) {
      // The patch, as it is, replaces the map.
      patch.Erase(kDirectiveMarker);
      *original = std::move(patch);
      return Status::Ok();
    }
    if (IsString(*directive, kDeleteDirective)) {
      *original = Value::EmptyObject();
      return Status::Ok();
    }
    return ErrBadPatchType(*directive, patch);
  }
  if (original->is_null()) *original = Value::EmptyObject();

  KS_RETURN_IF_ERROR(ApplyRetainKeysDirective(original, &patch));
  KS_RETURN_IF_ERROR(MergePatchIntoOriginal(original, &patch, schema));

  for (const std::string& k : Keys(patch)) {
    Value patch_value = std::move(*patch.Find(k));
    std::string key = k;
    bool is_delete_list = false;
    if (StartsWith(k, kDeleteFromPrimitiveListPrefix)) {
      KS_ASSIGN_OR_RETURN(std::string list_key, ExtractKey(k, kDeleteFromPrimitiveListPrefix));
      is_delete_list = true;
      if (!list_key.empty()) key = std::move(list_key);
    }
    if (patch_value.is_null()) {
      original->Erase(key);
      continue;
    }
    Value* original_value = original->Find(key);
    if (original_value == nullptr || original_value->kind() != patch_value.kind()) {
      if (!is_delete_list) TakePatchValue(original, key, std::move(patch_value));
      continue;
    }
    if (patch_value.is_object()) {
      KS_ASSIGN_OR_RETURN(FieldMeta fm, LookupForStruct(schema, key));
      KS_ASSIGN_OR_RETURN(std::string strategy, PatchStrategy(fm.strategy));
      if (strategy != kReplaceDirective) {
        KS_RETURN_IF_ERROR(MergeMap(original_value, std::move(patch_value), fm.sub));
      } else {
        *original_value = std::move(patch_value);
      }
    } else if (patch_value.is_array()) {
      KS_ASSIGN_OR_RETURN(FieldMeta fm, LookupForSlice(schema, key));
      KS_ASSIGN_OR_RETURN(std::string strategy, PatchStrategy(fm.strategy));
      KS_RETURN_IF_ERROR(MergeSliceHandler(original_value, std::move(patch_value), fm.sub, strategy, fm.merge_key,
                                           is_delete_list, nullptr));
    } else {
      *original_value = std::move(patch_value);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Value> ApplyStrategicMergePatch(const Value& doc, const Value& patch, const SchemaNode& schema) {
  if (patch.is_null()) return doc;  // a nil patch map: nothing to merge
  if (!patch.is_object()) {
    return InvalidArgument("json: cannot unmarshal " + std::string(JsonKindName(patch)) +
                           " into Go value of type map[string]interface {}");
  }
  if (internal::NestsDeeperThan(patch, kMaxPatchDepth)) {
    return InvalidArgument("strategic merge patch nested deeper than " + std::to_string(kMaxPatchDepth) + " levels");
  }
  Value original;
  if (doc.is_null()) {
    original = Value::EmptyObject();
  } else if (doc.is_object()) {
    original = doc;
  } else {
    return ErrBadJsonDoc();
  }
  KS_RETURN_IF_ERROR(MergeMap(&original, patch, Schema::Of(schema)));
  StripDirectiveKeys(&original);
  return original;
}

}  // namespace kstream::api::patch
