// RFC 6902 JSON Patch with the semantics of gopkg.in/evanphx/json-patch.v4 (v4.12), the
// library kube-apiserver applies JSONPatchType with. json-patch works on lazily decoded JSON
// (a null member is a nil node, a scalar is its raw text); the rules below restate its
// behaviour on Values.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/json.h"
#include "api/patch/internal.h"
#include "api/patch/patch.h"

namespace kstream::api::patch {
namespace {

// --- Raw JSON scanning (of the request body, already validated by ParseJson) -------------
//
// `test` compares scalars by their JSON text, so the literal of each operation's "value" is
// needed as written.

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipWs(std::string_view s, size_t i) {
  while (i < s.size() && IsWs(s[i])) ++i;
  return i;
}

// s[i] is the opening quote; returns the index after the closing one.
size_t SkipString(std::string_view s, size_t i) {
  ++i;
  while (i < s.size() && s[i] != '"') {
    i += s[i] == '\\' ? 2 : 1;
  }
  return i + 1;
}

// Returns the index just after the JSON value starting at s[i].
size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return i;
  char c = s[i];
  if (c == '"') return SkipString(s, i);
  if (c == '{' || c == '[') {
    int depth = 0;
    while (i < s.size()) {
      c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++i;
      if (depth == 0) break;
    }
    return i;
  }
  while (i < s.size() && !IsWs(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}') ++i;
  return i;
}

// The decoded text of the string literal `lit` (with its quotes), as ParseJson decodes it.
std::string DecodeKey(std::string_view lit) {
  bool plain = true;
  for (char c : lit) {
    if (c == '\\' || static_cast<unsigned char>(c) >= 0x80) plain = false;
  }
  if (plain) return std::string(lit.substr(1, lit.size() - 2));
  auto v = ParseJson(lit);
  return v.ok() && v->is_string() ? v->as_string() : std::string();
}

// The members of the object literal starting at s[i] ('{'), keys decoded, in order.
std::vector<std::pair<std::string, std::string_view>> RawMembers(std::string_view s, size_t i) {
  std::vector<std::pair<std::string, std::string_view>> out;
  i = SkipWs(s, i + 1);
  if (i < s.size() && s[i] == '}') return out;
  while (i < s.size()) {
    size_t kend = SkipString(s, i);
    std::string key = DecodeKey(s.substr(i, kend - i));
    i = SkipWs(s, kend);  // at ':'
    i = SkipWs(s, i + 1);
    size_t vend = SkipValue(s, i);
    out.emplace_back(std::move(key), s.substr(i, vend - i));
    i = SkipWs(s, vend);  // at ',' or '}'
    if (i >= s.size() || s[i] == '}') break;
    i = SkipWs(s, i + 1);
  }
  return out;
}

// The elements of the array literal starting at s[i] ('[').
std::vector<std::string_view> RawElements(std::string_view s, size_t i) {
  std::vector<std::string_view> out;
  i = SkipWs(s, i + 1);
  if (i < s.size() && s[i] == ']') return out;
  while (i < s.size()) {
    size_t vend = SkipValue(s, i);
    out.push_back(s.substr(i, vend - i));
    i = SkipWs(s, vend);
    if (i >= s.size() || s[i] == ']') break;
    i = SkipWs(s, i + 1);
  }
  return out;
}

// For each operation of the patch body (a JSON array), the literal of its "value" member
// (the last one when repeated), or nullopt.
std::vector<std::optional<std::string_view>> RawOperationValues(std::string_view body) {
  std::vector<std::optional<std::string_view>> out;
  size_t i = SkipWs(body, 0);
  for (std::string_view op : RawElements(body, i)) {
    std::optional<std::string_view> value;
    if (!op.empty() && op[0] == '{') {
      for (auto& [key, raw] : RawMembers(op, 0)) {
        if (key == "value") value = raw;
      }
    }
    out.push_back(value);
  }
  return out;
}

// json-patch's lazyNode.equal(doc node, patch literal): objects and arrays structurally,
// scalars by their compacted JSON text (the document side is the Go encoding of the object,
// which Value's encoder reproduces). Null members are nil nodes: equal only to null.
// Recursion follows the literal (the patch), whose depth is bounded.
bool EqualRaw(const Value& n, std::string_view raw) {
  if (raw.empty()) return false;
  if (n.is_object()) {
    if (raw[0] != '{') return false;
    std::vector<std::pair<std::string, std::string_view>> members = RawMembers(raw, 0);
    // Go decodes the literal into a map: the last of repeated keys wins.
    std::vector<std::pair<std::string, std::string_view>> unique;
    for (auto& m : members) {
      bool replaced = false;
      for (auto& u : unique) {
        if (u.first == m.first) {
          u.second = m.second;
          replaced = true;
          break;
        }
      }
      if (!replaced) unique.push_back(std::move(m));
    }
    if (unique.size() != n.as_object().size()) return false;
    for (const auto& [key, ov] : unique) {
      const Value* v = n.Find(key);
      if (v == nullptr) return false;
      bool onull = ov == "null";
      if (v->is_null() != onull) return false;
      if (v->is_null()) continue;
      if (!EqualRaw(*v, ov)) return false;
    }
    return true;
  }
  if (n.is_array()) {
    if (raw[0] != '[') return false;
    std::vector<std::string_view> elems = RawElements(raw, 0);
    const Value::Array& a = n.as_array();
    if (elems.size() != a.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      bool onull = elems[i] == "null";
      if (a[i].is_null() != onull) return false;
      if (a[i].is_null()) continue;
      if (!EqualRaw(a[i], elems[i])) return false;
    }
    return true;
  }
  std::string text;
  if (!AppendJson(n, &text).ok()) return false;
  return text == raw;  // a scalar literal has no insignificant whitespace inside
}

// --- Paths ---------------------------------------------------------------------------------

// RFC 6901 unescaping as json-patch does it (strings.NewReplacer("~1", "/", "~0", "~")).
std::string DecodePatchKey(std::string_view k) {
  std::string out;
  out.reserve(k.size());
  for (size_t i = 0; i < k.size(); ++i) {
    if (k[i] == '~' && i + 1 < k.size() && (k[i + 1] == '1' || k[i + 1] == '0')) {
      out.push_back(k[i + 1] == '1' ? '/' : '~');
      ++i;
    } else {
      out.push_back(k[i]);
    }
  }
  return out;
}

// strconv.Atoi: an optional sign and at least one decimal digit, within int64.
std::optional<int64_t> GoAtoi(std::string_view s) {
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    i = 1;
  }
  if (i >= s.size()) return std::nullopt;
  uint64_t v = 0;
  const uint64_t limit = neg ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (limit - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  if (neg) return v == (uint64_t{1} << 63) ? INT64_MIN : -static_cast<int64_t>(v);
  return static_cast<int64_t>(v);
}

Status Fail(std::string msg) { return FailedPrecondition(std::move(msg)); }

// The message of strconv.Atoi's error for `key`.
std::string AtoiError(std::string_view key) {
  std::string_view digits = key;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  bool syntax_ok = !digits.empty();
  for (char c : digits) {
    if (c < '0' || c > '9') syntax_ok = false;
  }
  return "strconv.Atoi: parsing " + internal::GoQuote(key) + ": " +
         (syntax_ok ? "value out of range" : "invalid syntax");
}

// An array index for get/remove/replace (partialArray.get/remove/set): negative indices count
// from the end; the index must name an element.
Result<size_t> ElementIndex(const Value::Array& a, std::string_view key) {
  std::optional<int64_t> idx = GoAtoi(key);
  if (!idx) return Fail(AtoiError(key));
  int64_t n = static_cast<int64_t>(a.size());
  int64_t i = *idx;
  if (i < 0) {
    if (i < -n) return Fail("Unable to access invalid index: " + std::to_string(i) + ": invalid index referenced");
    i += n;
  }
  if (i >= n) return Fail("Unable to access invalid index: " + std::to_string(*idx) + ": invalid index referenced");
  return static_cast<size_t>(i);
}

// What findObject returns: the container of the path's last segment and that segment.
struct Target {
  Value* container;  // an object or an array within the document
  std::string key;   // unescaped
};

// json-patch's findObject: every segment but the last must name an existing object or
// array (the text before the first '/' is ignored, as strings.Split leaves it there).
std::optional<Target> FindObject(Value* doc, std::string_view path) {
  std::vector<std::string_view> split;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      split.push_back(path.substr(start));
      break;
    }
    split.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (split.size() < 2) return std::nullopt;
  Value* cur = doc;
  for (size_t i = 1; i + 1 < split.size(); ++i) {
    std::string part = DecodePatchKey(split[i]);
    Value* next = nullptr;
    if (cur->is_object()) {
      next = cur->Find(part);
    } else {
      auto idx = ElementIndex(cur->as_array(), part);
      if (!idx.ok()) return std::nullopt;
      next = &cur->mutable_array()[*idx];
    }
    if (next == nullptr || !(next->is_object() || next->is_array())) return std::nullopt;
    cur = next;
  }
  return Target{cur, DecodePatchKey(split.back())};
}

// container.get: an object's member (nullptr when missing: a nil node) or an array element
// (an error when the index is bad).
Result<Value*> Get(const Target& t) {
  if (t.container->is_object()) return t.container->Find(t.key);
  KS_ASSIGN_OR_RETURN(size_t i, ElementIndex(t.container->as_array(), t.key));
  return &t.container->mutable_array()[i];
}

// container.add.
Status Add(const Target& t, Value v) {
  if (t.container->is_object()) {
    t.container->Set(t.key, std::move(v));
    return Status::Ok();
  }
  Value::Array& a = t.container->mutable_array();
  if (t.key == "-") {
    a.push_back(std::move(v));
    return Status::Ok();
  }
  std::optional<int64_t> idx = GoAtoi(t.key);
  if (!idx) return Fail("value was not a proper array index: '" + t.key + "': " + AtoiError(t.key));
  int64_t size = static_cast<int64_t>(a.size()) + 1;
  int64_t i = *idx;
  if (i >= size) return Fail("Unable to access invalid index: " + std::to_string(i) + ": invalid index referenced");
  if (i < 0) {
    if (i < -size) return Fail("Unable to access invalid index: " + std::to_string(i) + ": invalid index referenced");
    i += size;
  }
  a.insert(a.begin() + i, std::move(v));
  return Status::Ok();
}

// container.remove.
Status Remove(const Target& t) {
  if (t.container->is_object()) {
    if (!t.container->Erase(t.key)) return Fail("Unable to remove nonexistent key: " + t.key + ": missing value");
    return Status::Ok();
  }
  Value::Array& a = t.container->mutable_array();
  std::optional<int64_t> idx = GoAtoi(t.key);
  if (!idx) return Fail(AtoiError(t.key));
  int64_t n = static_cast<int64_t>(a.size());
  int64_t i = *idx;
  if (i >= n) return Fail("Unable to access invalid index: " + std::to_string(i) + ": invalid index referenced");
  if (i < 0) {
    if (i < -n) return Fail("Unable to access invalid index: " + std::to_string(i) + ": invalid index referenced");
    i += n;
  }
  a.erase(a.begin() + i);
  return Status::Ok();
}

// --- Operations ------------------------------------------------------------------------------

class Applier {
 public:
  Applier(Value doc, std::string_view body) : doc_(std::move(doc)), body_(body) {}

  Status Apply(const Value& op, size_t index) {
    std::string kind = Kind(op);
    if (kind == "add") return AddOp(op);
    if (kind == "remove") return RemoveOp(op);
    if (kind == "replace") return ReplaceOp(op);
    if (kind == "move") return MoveOp(op);
    if (kind == "test") return TestOp(op, index);
    if (kind == "copy") return CopyOp(op);
    return Fail("Unexpected kind: " + kind);
  }

  Value Take() && { return std::move(doc_); }

 private:
  static std::string Kind(const Value& op) {
    const Value* k = op.is_object() ? op.Find("op") : nullptr;
    return k != nullptr && k->is_string() ? k->as_string() : "unknown";
  }

  // Operation.Path / From: the member decoded as a Go string.
  static Result<std::string> StringMember(const Value& op, std::string_view name, std::string_view missing) {
    const Value* v = op.is_object() ? op.Find(name) : nullptr;
    if (v == nullptr || v->is_null()) return Fail(std::string(missing));
    if (!v->is_string()) {
      return Fail("json: cannot unmarshal " + std::string(JsonKindName(*v)) +
                  " into Go value of type string");
    }
    return v->as_string();
  }
  static Result<std::string> Path(const Value& op) {
    return StringMember(op, "path", "operation missing path field: missing value");
  }
  static Result<std::string> From(const Value& op) {
    return StringMember(op, "from", "operation, missing from field: missing value");
  }
  // Operation.value(): nullptr when the member is absent (a null member is a null Value).
  static const Value* OpValue(const Value& op) { return op.is_object() ? op.Find("value") : nullptr; }

  Status AddOp(const Value& op) {
    auto path = Path(op);
    if (!path.ok()) return Fail("add operation failed to decode path: missing value");
    auto t = FindObject(&doc_, *path);
    if (!t) return Fail("add operation does not apply: doc is missing path: \"" + *path + "\": missing value");
    const Value* v = OpValue(op);
    Status st = Add(*t, v != nullptr ? *v : Value());
    if (!st.ok()) return Fail("error in add for path: '" + *path + "': " + std::string(st.message()));
    return Status::Ok();
  }

  Status RemoveOp(const Value& op) {
    auto path = Path(op);
    if (!path.ok()) return Fail("remove operation failed to decode path: missing value");
    auto t = FindObject(&doc_, *path);
    if (!t) return Fail("remove operation does not apply: doc is missing path: \"" + *path + "\": missing value");
    Status st = Remove(*t);
    if (!st.ok()) return Fail("error in remove for path: '" + *path + "': " + std::string(st.message()));
    return Status::Ok();
  }

  Status ReplaceOp(const Value& op) {
    auto path = Path(op);
    if (!path.ok()) return Fail("replace operation failed to decode path: " + std::string(path.status().message()));
    const Value* v = OpValue(op);
    if (path->empty()) {
      // The whole document, which must become an object or an array.
      if (v == nullptr || !(v->is_object() || v->is_array())) {
        return Fail("replace operation value must be object or array");
      }
      doc_ = *v;
      return Status::Ok();
    }
    auto t = FindObject(&doc_, *path);
    if (!t) return Fail("replace operation does not apply: doc is missing path: " + *path + ": missing value");
    // json-patch checks the target with get, which only fails for arrays: replacing a
    // missing object member adds it.
    if (!Get(*t).ok()) return Fail("replace operation does not apply: doc is missing key: " + *path + ": missing value");
    Value nv = v != nullptr ? *v : Value();
    if (t->container->is_object()) {
      t->container->Set(t->key, std::move(nv));
    } else {
      KS_ASSIGN_OR_RETURN(size_t i, ElementIndex(t->container->as_array(), t->key));
      t->container->mutable_array()[i] = std::move(nv);
    }
    return Status::Ok();
  }

  Status MoveOp(const Value& op) {
    auto from = From(op);
    if (!from.ok()) return Fail("move operation failed to decode from: " + std::string(from.status().message()));
    auto t = FindObject(&doc_, *from);
    if (!t) return Fail("move operation does not apply: doc is missing from path: " + *from + ": missing value");
    auto got = Get(*t);
    if (!got.ok()) return Fail("error in move for path: '" + t->key + "': " + std::string(got.status().message()));
    Value moved = *got != nullptr ? std::move(**got) : Value();
    Status st = Remove(*t);
    if (!st.ok()) return Fail("error in move for path: '" + t->key + "': " + std::string(st.message()));
    auto path = Path(op);
    if (!path.ok()) return Fail("move operation failed to decode path: " + std::string(path.status().message()));
    auto dest = FindObject(&doc_, *path);
    if (!dest) return Fail("move operation does not apply: doc is missing destination path: " + *path + ": missing value");
    st = Add(*dest, std::move(moved));
    if (!st.ok()) return Fail("error in move for path: '" + *path + "': " + std::string(st.message()));
    return Status::Ok();
  }

  Status CopyOp(const Value& op) {
    auto from = From(op);
    if (!from.ok()) return Fail("copy operation failed to decode from: " + std::string(from.status().message()));
    auto t = FindObject(&doc_, *from);
    if (!t) return Fail("copy operation does not apply: doc is missing from path: " + *from + ": missing value");
    auto got = Get(*t);
    if (!got.ok()) return Fail("error in copy for from: '" + *from + "': " + std::string(got.status().message()));
    auto path = Path(op);
    if (!path.ok()) return Fail("copy operation failed to decode path: missing value");
    auto dest = FindObject(&doc_, *path);
    if (!dest) return Fail("copy operation does not apply: doc is missing destination path: " + *path + ": missing value");
    Value copy;
    if (*got != nullptr && !(*got)->is_null()) {
      copy = **got;
      std::string text;
      if (!AppendJson(copy, &text).ok()) return Fail("error while performing deep copy");
      copied_ += static_cast<int64_t>(text.size());
      if (copied_ > kMaxJsonPatchCopyBytes) {
        return Fail("Unable to complete the copy, the accumulated size increase of copy is " +
                    std::to_string(copied_) + ", exceeding the limit " + std::to_string(kMaxJsonPatchCopyBytes));
      }
    }
    Status st = Add(*dest, std::move(copy));
    if (!st.ok()) return Fail("error while adding value during copy: " + std::string(st.message()));
    return Status::Ok();
  }

  Status TestOp(const Value& op, size_t index) {
    auto path = Path(op);
    if (!path.ok()) return Fail("test operation failed to decode path: " + std::string(path.status().message()));
    const Value* v = OpValue(op);
    std::string failed = "testing value " + *path + " failed: test failed";
    if (path->empty()) {
      if (v == nullptr || v->is_null()) return Fail(failed);
      return EqualRaw(doc_, RawValue(index)) ? Status::Ok() : Fail(failed);
    }
    auto t = FindObject(&doc_, *path);
    if (!t) return Fail("test operation does not apply: is missing path: " + *path + ": missing value");
    auto got = Get(*t);
    if (!got.ok()) return Fail("error in test for path: '" + *path + "': " + std::string(got.status().message()));
    const Value* val = *got;
    if (val == nullptr || val->is_null()) {
      // A missing or null member equals an absent or null value.
      return v == nullptr || v->is_null() ? Status::Ok() : Fail(failed);
    }
    if (v == nullptr || v->is_null()) return Fail(failed);
    return EqualRaw(*val, RawValue(index)) ? Status::Ok() : Fail(failed);
  }

  std::string_view RawValue(size_t index) {
    if (!raw_values_) raw_values_ = RawOperationValues(body_);
    if (index >= raw_values_->size() || !(*raw_values_)[index]) return {};
    return *(*raw_values_)[index];
  }

  Value doc_;
  std::string_view body_;
  int64_t copied_ = 0;
  std::optional<std::vector<std::optional<std::string_view>>> raw_values_;
};

}  // namespace

Result<Value> ApplyJsonPatch(const Value& doc, std::string_view patch) {
  auto parsed = ParseJson(patch);
  if (!parsed.ok()) return InvalidArgument(std::string(parsed.status().message()));
  const Value& ops = *parsed;
  // jsonpatch.DecodePatch: json.Unmarshal into []map[string]*json.RawMessage.
  if (ops.is_null()) return doc;  // a nil patch: nothing to apply
  if (!ops.is_array()) {
    return InvalidArgument("json: cannot unmarshal " + std::string(JsonKindName(ops)) +
                           " into Go value of type jsonpatch.Patch");
  }
  for (const Value& op : ops.as_array()) {
    if (!op.is_object() && !op.is_null()) {
      return InvalidArgument("json: cannot unmarshal " + std::string(JsonKindName(op)) +
                             " into Go value of type jsonpatch.Operation");
    }
  }
  if (ops.as_array().size() > kMaxJsonPatchOperations) {
    return ResourceExhausted("The allowed maximum operations in a JSON patch is " +
                             std::to_string(kMaxJsonPatchOperations) + ", got " +
                             std::to_string(ops.as_array().size()));
  }
  if (internal::NestsDeeperThan(ops, kMaxPatchDepth)) {
    return InvalidArgument("JSON patch nested deeper than " + std::to_string(kMaxPatchDepth) + " levels");
  }
  // json-patch decodes the document as an object, or as an array when it starts with '['.
  if (!doc.is_object() && !doc.is_array()) {
    return FailedPrecondition("json: cannot unmarshal " + std::string(JsonKindName(doc)) +
                              " into Go value of type jsonpatch.partialDoc");
  }
  Applier applier(doc, patch);
  const Value::Array& list = ops.as_array();
  for (size_t i = 0; i < list.size(); ++i) {
    KS_RETURN_IF_ERROR(applier.Apply(list[i], i));
  }
  return std::move(applier).Take();
}

}  // namespace kstream::api::patch
