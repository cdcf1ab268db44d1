// The schema-driven walks over custom resources: pruning (schema/pruning), null pruning
// and defaulting (schema/defaulting), embedded ObjectMeta coercion and validation
// (schema/objectmeta) and list-type uniqueness (schema/listtype).
//
// Every recursion descends one schema level per call, so its depth is bounded by the
// schema's (kMaxSchemaDepth); walks without a schema use explicit stacks.

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/crd/internal.h"
#include "api/json.h"

namespace kstream::api::crd::internal {
namespace {

bool IsMetaField(std::string_view k) { return k == "apiVersion" || k == "kind" || k == "metadata"; }

// ---- pruning ------------------------------------------------------------------------

class Pruner {
 public:
  explicit Pruner(std::vector<std::string>* out) : out_(out) {}

  void Prune(Value* x, const Node* s, bool resource_root) {
    if (s != nullptr && s->preserve_unknown) {
      SkipPrune(x, s, resource_root);
      return;
    }
    if (x->is_object()) {
      if (s == nullptr) {
        ClearObject(x);
        return;
      }
      PruneMembers(x, s, resource_root, /*drop_unknown=*/true);
    } else if (x->is_array()) {
      auto& items = x->mutable_array();
      for (size_t i = 0; i < items.size(); ++i) {
        size_t l = AppendIndex(i);
        if (s == nullptr) {
          PruneWithoutSchema(&items[i]);
        } else {
          Prune(&items[i], s->items.get(), false);
        }
        path_.resize(l);
      }
    }
  }

 private:
  void SkipPrune(Value* x, const Node* s, bool resource_root) {
    if (s == nullptr) return;
    if (x->is_object()) {
      PruneMembers(x, s, resource_root, /*drop_unknown=*/false);
    } else if (x->is_array()) {
      auto& items = x->mutable_array();
      for (size_t i = 0; i < items.size(); ++i) {
        size_t l = AppendIndex(i);
        SkipPrune(&items[i], s->items.get(), false);
        path_.resize(l);
      }
    }
  }

  // The members of object x under schema s: the ones s declares (or its
  // additionalProperties) are pruned in turn; the others are recorded and dropped when
  // drop_unknown. apiVersion, kind and metadata of an embedded resource are left alone.
  void PruneMembers(Value* x, const Node* s, bool resource_root, bool drop_unknown) {
    const bool embedded = s->embedded || resource_root;
    std::vector<std::string> drop;
    const Value::Object& members = x->as_object();
    for (size_t i = 0; i < members.size(); ++i) {
      const std::string& k = members[i].key;
      if (embedded && IsMetaField(k)) continue;
      const Node* prop = s->Property(k);
      if (prop != nullptr || s->has_additional) {  // additionalProperties may have no schema
        size_t l = AppendKey(k);
        Prune(x->Find(k), prop != nullptr ? prop : s->additional.get(), false);
        path_.resize(l);
      } else if (drop_unknown) {
        if (!IsMetaField(k) || !path_.empty()) Record(k);
        drop.push_back(k);
      }
    }
    for (const std::string& k : drop) x->Erase(k);
  }

  // prune(x, nil): objects lose all their fields; arrays are walked (iteratively: arrays
  // of arrays can be as deep as the input).
  void PruneWithoutSchema(Value* root) {
    std::vector<std::pair<Value*, std::string>> stack;
    stack.emplace_back(root, path_);
    std::string saved = path_;
    while (!stack.empty()) {
      auto [x, p] = std::move(stack.back());
      stack.pop_back();
      if (x->is_object()) {
        path_ = p;
        ClearObject(x);
      } else if (x->is_array()) {
        auto& items = x->mutable_array();
        for (size_t i = items.size(); i-- > 0;) {
          stack.emplace_back(&items[i], out_ ? PathIndex(p, i) : std::string());
        }
      }
    }
    path_ = std::move(saved);
  }

  void ClearObject(Value* x) {
    for (const Member& m : x->as_object()) Record(m.key);
    *x = Value::EmptyObject();
  }

  size_t AppendKey(std::string_view k) {
    size_t l = path_.size();
    if (out_ == nullptr) return l;
    if (!path_.empty()) path_.push_back('.');
    path_.append(k);
    return l;
  }
  size_t AppendIndex(size_t i) {
    size_t l = path_.size();
    if (out_ == nullptr) return l;
    path_ += "[" + std::to_string(i) + "]";
    return l;
  }
  void Record(std::string_view k) {
    if (out_ == nullptr) return;
    size_t l = AppendKey(k);
    out_->push_back(path_);
    path_.resize(l);
  }

  std::vector<std::string>* out_;
  std::string path_;
};

// ---- ObjectMeta (k8s.io/apimachinery metav1.ObjectMeta as encoding/json sees it) ----

enum class MetaType { kString, kInt, kTime, kStringMap, kStringList, kOwnerRefs, kManagedFields, kIntPointer };

struct MetaField {
  std::string_view name;
  MetaType type;
};

constexpr MetaField kObjectMetaFields[] = {
    {"annotations", MetaType::kStringMap},
    {"creationTimestamp", MetaType::kTime},
    {"deletionGracePeriodSeconds", MetaType::kIntPointer},
    {"deletionTimestamp", MetaType::kTime},
    {"finalizers", MetaType::kStringList},
    {"generateName", MetaType::kString},
    {"generation", MetaType::kInt},
    {"labels", MetaType::kStringMap},
    {"managedFields", MetaType::kManagedFields},
    {"name", MetaType::kString},
    {"namespace", MetaType::kString},
    {"ownerReferences", MetaType::kOwnerRefs},
    {"resourceVersion", MetaType::kString},
    {"selfLink", MetaType::kString},
    {"uid", MetaType::kString},
};

const MetaField* FindMetaField(std::string_view name) {
  for (const MetaField& f : kObjectMetaFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string NumberText(const Value& v) { return v.is_int() ? GoInt(v.as_int()) : GoJson(v); }

// encoding/json's UnmarshalTypeError text. A number names its literal only when the
// target is numeric (the conversion failed); otherwise just its JSON kind.
std::string FieldTypeError(const Value& v, std::string_view field, std::string_view go_type) {
  std::string kind(JsonKindName(v));
  if ((v.is_int() || v.is_float()) && go_type == "int64") kind = "number " + NumberText(v);
  return "json: cannot unmarshal " + kind + " into Go struct field ObjectMeta." + std::string(field) + " of type " +
         std::string(go_type);
}

// The error encoding/json reports when unmarshalling `meta` into a metav1.ObjectMeta
// (the first in key order), or nullopt.
std::optional<std::string> ObjectMetaUnmarshalError(const Value& meta) {
  if (meta.is_null()) return std::nullopt;
  if (!meta.is_object()) {
    return "json: cannot unmarshal " + std::string(JsonKindName(meta)) + " into Go value of type v1.ObjectMeta";
  }
  for (const Member& m : meta.as_object()) {
    const MetaField* f = FindMetaField(m.key);
    const Value& v = m.value;
    if (f == nullptr || v.is_null()) continue;
    switch (f->type) {
      case MetaType::kString:
        if (!v.is_string()) return FieldTypeError(v, m.key, "string");
        break;
      case MetaType::kInt:
      case MetaType::kIntPointer:
        if (!v.is_int()) return FieldTypeError(v, m.key, "int64");
        break;
      case MetaType::kTime:
        if (!v.is_string()) {
          return "json: cannot unmarshal " + std::string(JsonKindName(v)) + " into Go value of type string";
        }
        break;
      case MetaType::kStringMap:
        if (!v.is_object()) return FieldTypeError(v, m.key, "map[string]string");
        for (const Member& e : v.as_object()) {
          if (!e.value.is_string() && !e.value.is_null()) return FieldTypeError(e.value, m.key, "string");
        }
        break;
      case MetaType::kStringList:
        if (!v.is_array()) return FieldTypeError(v, m.key, "[]string");
        for (const Value& e : v.as_array()) {
          if (!e.is_string() && !e.is_null()) return FieldTypeError(e, m.key, "string");
        }
        break;
      case MetaType::kOwnerRefs:
        if (!v.is_array()) return FieldTypeError(v, m.key, "[]v1.OwnerReference");
        for (const Value& e : v.as_array()) {
          if (!e.is_object() && !e.is_null()) return FieldTypeError(e, m.key, "v1.OwnerReference");
        }
        break;
      case MetaType::kManagedFields:
        if (!v.is_array()) return FieldTypeError(v, m.key, "[]v1.ManagedFieldsEntry");
        for (const Value& e : v.as_array()) {
          if (!e.is_object() && !e.is_null()) return FieldTypeError(e, m.key, "v1.ManagedFieldsEntry");
        }
        break;
    }
  }
  return std::nullopt;
}

// Whether json.Marshal of the decoded ObjectMeta field omits it (omitempty).
bool MetaFieldOmitted(const MetaField& f, const Value& v) {
  if (v.is_null()) return true;
  switch (f.type) {
    case MetaType::kString: return v.as_string().empty();
    case MetaType::kInt: return v.as_int() == 0;
    case MetaType::kIntPointer: return false;
    case MetaType::kTime: return false;
    case MetaType::kStringMap: return v.as_object().empty();
    case MetaType::kStringList:
    case MetaType::kOwnerRefs:
    case MetaType::kManagedFields: return v.as_array().empty();
  }
  return false;
}

// ---- k8s.io/apimachinery/pkg/util/validation ----------------------------------------

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

std::string MaxLenError(int n) { return "must be no more than " + std::to_string(n) + " characters"; }

std::string RegexError(std::string msg, std::string_view fmt, std::initializer_list<std::string_view> examples) {
  if (examples.size() == 0) return msg + " (regex used for validation is '" + std::string(fmt) + "')";
  msg += " (e.g. ";
  size_t i = 0;
  for (std::string_view e : examples) {
    if (i++ > 0) msg += " or ";
    msg += "'" + std::string(e) + "', ";
  }
  msg += "regex used for validation is '" + std::string(fmt) + "')";
  return msg;
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesDns1123Label(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

std::vector<std::string> IsDNS1123Label(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(MaxLenError(63));
  if (!MatchesDns1123Label(v)) {
    errs.push_back(RegexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                              "'-', and must start and end with an alphanumeric character",
                              "[a-z0-9]([-a-z0-9]*[a-z0-9])?", {"my-name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> IsDNS1123Subdomain(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 253) errs.push_back(MaxLenError(253));
  bool ok = true;
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    std::string_view label = v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!MatchesDns1123Label(label)) ok = false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!ok) {
    errs.push_back(RegexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                              "'-' or '.', and must start and end with an alphanumeric character",
                              "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", {"example.com"}));
  }
  return errs;
}

std::vector<std::string> IsDNS1035Label(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(MaxLenError(63));
  bool ok = !v.empty() && v.front() >= 'a' && v.front() <= 'z' && IsLowerAlnum(v.back());
  for (char c : v) {
    if (!IsLowerAlnum(c) && c != '-') ok = false;
  }
  if (!ok) {
    errs.push_back(RegexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
                              "with an alphabetic character, and end with an alphanumeric character",
                              "[a-z]([-a-z0-9]*[a-z0-9])?", {"my-name", "abc-123"}));
  }
  return errs;
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

constexpr std::string_view kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character";
constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

std::vector<std::string> IsQualifiedName(std::string_view value) {
  std::vector<std::string> errs;
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = value.find('/', start);
    parts.push_back(value.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string_view name;
  if (parts.size() == 1) {
    name = parts[0];
  } else if (parts.size() == 2) {
    std::string_view prefix = parts[0];
    name = parts[1];
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& m : IsDNS1123Subdomain(prefix)) errs.push_back("prefix part " + m);
    }
  } else {
    errs.push_back("a qualified name " +
                   RegexError(std::string(kQualifiedNameErrMsg), kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + MaxLenError(63));
  }
  if (!MatchesQualifiedNamePart(name)) {
    errs.push_back("name part " +
                   RegexError(std::string(kQualifiedNameErrMsg), kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> IsValidLabelValue(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back(MaxLenError(63));
  if (!value.empty() && !MatchesQualifiedNamePart(value)) {
    errs.push_back(RegexError("a valid label must be an empty string or consist of alphanumeric characters, '-', "
                              "'_' or '.', and must start and end with an alphanumeric character",
                              "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::vector<std::string> ValidatePathSegmentName(std::string_view name, bool prefix) {
  if (!prefix) {
    if (name == ".") return {"may not be '.'"};
    if (name == "..") return {"may not be '..'"};
  }
  std::vector<std::string> errs;
  if (name.find('/') != std::string_view::npos) errs.push_back("may not contain '/'");
  if (name.find('%') != std::string_view::npos) errs.push_back("may not contain '%'");
  return errs;
}

std::string StringField(const Value& meta, std::string_view key) {
  const Value* v = meta.is_object() ? meta.Find(key) : nullptr;
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

// metavalidation.ValidateObjectMeta for an embedded resource (name defaulted to
// "fakename"; ownerReferences, finalizers and managedFields are not checked).
void ValidateEmbeddedObjectMeta(const Value& meta, const std::string& path, std::vector<FieldError>* out) {
  std::string generate_name = StringField(meta, "generateName");
  std::string name = StringField(meta, "name");
  if (name.empty()) name = "fakename";
  std::string ns = StringField(meta, "namespace");
  if (!generate_name.empty()) {
    for (const std::string& msg : ValidatePathSegmentName(generate_name, true)) {
      out->push_back(ErrInvalid(PathChild(path, "generateName"), GoQuote(generate_name), msg));
    }
  }
  for (const std::string& msg : ValidatePathSegmentName(name, false)) {
    out->push_back(ErrInvalid(PathChild(path, "name"), GoQuote(name), msg));
  }
  if (!ns.empty()) {
    for (const std::string& msg : IsDNS1123Label(ns)) {
      out->push_back(ErrInvalid(PathChild(path, "namespace"), GoQuote(ns), msg));
    }
  }
  if (const Value* g = meta.is_object() ? meta.Find("generation") : nullptr; g != nullptr && g->is_int() &&
                                                                              g->as_int() < 0) {
    out->push_back(ErrInvalid(PathChild(path, "generation"), GoInt(g->as_int()), "must be greater than or equal to 0"));
  }
  if (const Value* labels = meta.is_object() ? meta.Find("labels") : nullptr; labels != nullptr && labels->is_object()) {
    std::string lp = PathChild(path, "labels");
    for (const Member& m : labels->as_object()) {
      for (const std::string& msg : IsQualifiedName(m.key)) out->push_back(ErrInvalid(lp, GoQuote(m.key), msg));
      std::string v = m.value.is_string() ? m.value.as_string() : std::string();
      for (const std::string& msg : IsValidLabelValue(v)) out->push_back(ErrInvalid(lp, GoQuote(v), msg));
    }
  }
  if (const Value* ann = meta.is_object() ? meta.Find("annotations") : nullptr; ann != nullptr && ann->is_object()) {
    std::string ap = PathChild(path, "annotations");
    size_t total = 0;
    for (const Member& m : ann->as_object()) {
      std::string lower = m.key;
      for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      for (const std::string& msg : IsQualifiedName(lower)) out->push_back(ErrInvalid(ap, GoQuote(m.key), msg));
      total += m.key.size() + (m.value.is_string() ? m.value.as_string().size() : 0);
    }
    if (total > 256 * 1024) out->push_back(ErrTooLong(ap, 256 * 1024));
  }
}

void ValidateEmbeddedResource(const std::string& pth, const Value& x, std::vector<FieldError>* out) {
  if (x.Find("apiVersion") == nullptr) out->push_back(ErrRequired(PathChild(pth, "apiVersion"), ""));
  if (x.Find("kind") == nullptr) out->push_back(ErrRequired(PathChild(pth, "kind"), ""));
  for (const Member& m : x.as_object()) {
    const Value& v = m.value;
    if (m.key == "apiVersion") {
      std::string p = PathChild(pth, "apiVersion");
      if (!v.is_string()) {
        out->push_back(ErrInvalid(p, RenderValue(v), "must be a string"));
      } else if (v.as_string().empty()) {
        out->push_back(ErrRequired(p, ""));
      } else if (v.as_string() != "/" && std::count(v.as_string().begin(), v.as_string().end(), '/') > 1) {
        out->push_back(
            ErrInvalid(p, GoQuote(v.as_string()), "unexpected GroupVersion string: " + v.as_string()));
      }
    } else if (m.key == "kind") {
      std::string p = PathChild(pth, "kind");
      if (!v.is_string()) {
        out->push_back(ErrInvalid(p, RenderValue(v), "must be a string"));
      } else if (v.as_string().empty()) {
        out->push_back(ErrRequired(p, ""));
      } else {
        std::string lower = v.as_string();
        for (char& c : lower) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        std::vector<std::string> errs = IsDNS1035Label(lower);
        if (!errs.empty()) {
          std::string joined;
          for (size_t i = 0; i < errs.size(); ++i) joined += (i ? "," : "") + errs[i];
          out->push_back(
              ErrInvalid(p, GoQuote(v.as_string()), "may have mixed case, but should otherwise match: " + joined));
        }
      }
    } else if (m.key == "metadata") {
      std::string p = PathChild(pth, "metadata");
      if (auto err = ObjectMetaUnmarshalError(v)) {
        out->push_back(ErrInvalid(p, RenderValue(v), *err));
      } else {
        ValidateEmbeddedObjectMeta(v, p, out);
      }
    }
  }
}

void ValidateEmbeddedRec(const std::string& pth, const Value& x, const Node* s, bool root,
                         std::vector<FieldError>* out) {
  if (s == nullptr) return;
  if (x.is_object()) {
    if (s->embedded || root) ValidateEmbeddedResource(pth, x, out);
    for (const Member& m : x.as_object()) {
      if (const Node* prop = s->Property(m.key)) {
        ValidateEmbeddedRec(PathChild(pth, m.key), m.value, prop, false, out);
      } else if (s->has_additional) {
        ValidateEmbeddedRec(PathKey(pth, m.key), m.value, s->additional.get(), false, out);
      }
    }
  } else if (x.is_array()) {
    for (size_t i = 0; i < x.as_array().size(); ++i) {
      ValidateEmbeddedRec(PathIndex(pth, i), x.as_array()[i], s->items.get(), false, out);
    }
  }
}

// ---- list types -----------------------------------------------------------------------

// A key for Go's map[interface{}] of scalars: type-tagged.
std::string ScalarKey(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "n";
    case Value::Kind::kBool: return v.as_bool() ? "bt" : "bf";
    case Value::Kind::kInt: return "i" + GoInt(v.as_int());
    case Value::Kind::kFloat: {
      double d = v.as_float();
      if (d == 0) d = 0;  // -0 == 0
      return "f" + GoFloat(d);
    }
    case Value::Kind::kString: return "s" + v.as_string();
    default: return "c" + GoJson(v);  // compounds compare by their JSON
  }
}

// validateListSet: the indices of the first repeated appearance of each value.
std::vector<size_t> NonUniqueIndices(const std::vector<std::string>& keys) {
  std::vector<size_t> out;
  if (keys.size() <= 1) return out;
  std::unordered_map<std::string, int> seen;
  for (size_t i = 0; i < keys.size(); ++i) {
    int& times = seen[keys[i]];
    ++times;
    if (times == 2) out.push_back(i);
  }
  return out;
}

void ListSetsAndMapsValue(const std::string& path, const Node* s, const Value& obj, std::vector<FieldError>* out);

void ListSetsAndMapsArray(const std::string& path, const Node* s, const Value& obj, std::vector<FieldError>* out) {
  const auto& items = obj.as_array();
  if (s->list_type) {
    if (*s->list_type == "set") {
      std::vector<std::string> keys;
      keys.reserve(items.size());
      for (const Value& v : items) keys.push_back(ScalarKey(v));
      for (size_t i : NonUniqueIndices(keys)) out->push_back(ErrDuplicate(PathIndex(path, i), RenderValue(items[i])));
    } else if (*s->list_type == "map") {
      bool ok = true;
      for (size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_null() && !items[i].is_object()) {
          out->push_back(
              ErrInvalid(PathIndex(path, i), RenderValue(items[i]), "must be an object for an array of list-type map"));
          ok = false;
          break;
        }
      }
      if (ok && items.size() > 1) {
        if (s->list_map_keys.size() == 1) {
          const std::string& key_field = s->list_map_keys[0];
          std::vector<std::string> keys;
          std::vector<const Value*> key_values;
          for (const Value& x : items) {
            const Value* k = x.is_object() ? x.Find(key_field) : nullptr;
            keys.push_back(k == nullptr ? std::string("u") : ScalarKey(*k));  // unspecifiedKeyValue{}
            key_values.push_back(k);
          }
          for (size_t i : NonUniqueIndices(keys)) {
            Value dup = Value::EmptyObject();
            if (key_values[i] != nullptr) dup.Set(key_field, *key_values[i]);
            out->push_back(ErrDuplicate(PathIndex(path, i), RenderValue(dup)));
          }
        } else {
          std::vector<std::string> keys;
          std::vector<Value> key_values;
          for (const Value& x : items) {
            Value key = Value::EmptyObject();
            if (x.is_object()) {
              for (const std::string& f : s->list_map_keys) {
                if (const Value* k = x.Find(f)) key.Set(f, *k);
              }
            }
            keys.push_back("c" + GoJson(key));
            key_values.push_back(std::move(key));
          }
          for (size_t i : NonUniqueIndices(keys)) out->push_back(ErrDuplicate(PathIndex(path, i), RenderValue(key_values[i])));
        }
      }
    }
  }
  if (s->items) {
    for (size_t i = 0; i < items.size(); ++i) ListSetsAndMapsValue(PathIndex(path, i), s->items.get(), items[i], out);
  }
}

void ListSetsAndMapsObject(const std::string& path, const Node* s, const Value& obj, std::vector<FieldError>* out) {
  if (s->additional) {
    for (const Member& m : obj.as_object()) ListSetsAndMapsValue(PathKey(path, m.key), s->additional.get(), m.value, out);
  }
  if (!s->properties.empty()) {
    for (const Member& m : obj.as_object()) {
      if (const Node* sub = s->Property(m.key)) ListSetsAndMapsValue(PathChild(path, m.key), sub, m.value, out);
    }
  }
}

void ListSetsAndMapsValue(const std::string& path, const Node* s, const Value& obj, std::vector<FieldError>* out) {
  if (obj.is_array()) {
    ListSetsAndMapsArray(path, s, obj, out);
  } else if (obj.is_object()) {
    ListSetsAndMapsObject(path, s, obj, out);
  }
}

}  // namespace

void PruneUnknown(Value* obj, const Node* s, bool is_resource_root, std::vector<std::string>* pruned) {
  size_t start = pruned != nullptr ? pruned->size() : 0;
  Node empty;
  if (s == nullptr && is_resource_root) s = &empty;
  Pruner(pruned).Prune(obj, s, is_resource_root);
  if (pruned != nullptr) std::sort(pruned->begin() + static_cast<std::ptrdiff_t>(start), pruned->end());
}

void PruneNonNullableNullsWithoutDefaults(Value* x, const Node* s) {
  if (s == nullptr) return;  // without a schema nothing can be dropped below
  if (x->is_object()) {
    std::vector<std::string> drop;
    const Value::Object& members = x->as_object();
    for (size_t i = 0; i < members.size(); ++i) {
      const std::string& k = members[i].key;
      const Node* field = s->Property(k);
      if (field == nullptr && s->has_additional) field = s->additional.get();
      const Value& v = members[i].value;
      if (v.is_null() && field != nullptr && !field->nullable && field->default_value == nullptr) {
        drop.push_back(k);
      } else {
        PruneNonNullableNullsWithoutDefaults(x->Find(k), field);
      }
    }
    for (const std::string& k : drop) x->Erase(k);
  } else if (x->is_array()) {
    for (Value& v : x->mutable_array()) PruneNonNullableNullsWithoutDefaults(&v, s->items.get());
  }
}

void CoerceEmbeddedMetadata(const std::string& base, Value* x, const Node* s, std::vector<std::string>* unknown) {
  if (s == nullptr) return;
  if (x->is_object()) {
    if (s->embedded) {
      Value* meta = x->Find("metadata");
      if (meta != nullptr && !ObjectMetaUnmarshalError(*meta)) {
        if (meta->is_null()) {
          *meta = Value::EmptyObject();
        } else {
          std::vector<std::string> drop;
          for (const Member& m : meta->as_object()) {
            const MetaField* f = FindMetaField(m.key);
            if (f == nullptr) {
              if (unknown != nullptr) unknown->push_back(PathChild(base, "metadata") + "." + m.key);
              drop.push_back(m.key);
            } else if (MetaFieldOmitted(*f, m.value)) {
              drop.push_back(m.key);
            }
          }
          for (const std::string& k : drop) meta->Erase(k);
        }
      }
    }
    const Value::Object& members = x->as_object();
    for (size_t i = 0; i < members.size(); ++i) {
      const std::string& k = members[i].key;
      if (const Node* prop = s->Property(k)) {
        CoerceEmbeddedMetadata(PathChild(base, k), x->Find(k), prop, unknown);
      } else if (s->has_additional) {
        CoerceEmbeddedMetadata(PathKey(base, k), x->Find(k), s->additional.get(), unknown);
      }
    }
  } else if (x->is_array()) {
    auto& items = x->mutable_array();
    for (size_t i = 0; i < items.size(); ++i) CoerceEmbeddedMetadata(PathIndex(base, i), &items[i], s->items.get(), unknown);
  }
}

namespace {
std::optional<FieldError> CoerceCheckRec(const std::string& pth, const Value& x, const Node* s, bool root) {
  if (s == nullptr) return std::nullopt;
  if (x.is_object()) {
    for (const Member& m : x.as_object()) {
      if (s->embedded || root) {
        if ((m.key == "apiVersion" || m.key == "kind") && !m.value.is_string()) {
          return ErrInvalid(PathChild(pth, m.key), RenderValue(m.value), "must be a string");
        }
        if (m.key == "metadata") {
          if (auto err = ObjectMetaUnmarshalError(m.value)) {
            return ErrInvalid(PathChild(pth, "metadata"), RenderValue(m.value), *err);
          }
        }
      }
      if (const Node* prop = s->Property(m.key)) {
        if (auto e = CoerceCheckRec(PathChild(pth, m.key), m.value, prop, false)) return e;
      } else if (s->has_additional) {
        if (auto e = CoerceCheckRec(PathKey(pth, m.key), m.value, s->additional.get(), false)) return e;
      }
    }
  } else if (x.is_array()) {
    for (size_t i = 0; i < x.as_array().size(); ++i) {
      if (auto e = CoerceCheckRec(PathIndex(pth, i), x.as_array()[i], s->items.get(), false)) return e;
    }
  }
  return std::nullopt;
}
}  // namespace

std::optional<FieldError> CoerceCheck(const std::string& base, const Value& x, const Node* s, bool is_resource_root) {
  Node empty;
  if (s == nullptr && is_resource_root) s = &empty;
  return CoerceCheckRec(base, x, s, is_resource_root);
}

void ApplyDefaults(Value* x, const Node* s) {
  if (s == nullptr) return;
  if (x->is_object()) {
    for (const auto& [k, prop] : s->properties) {
      if (prop->default_value == nullptr) continue;
      const Value* cur = x->Find(k);
      if (cur == nullptr || (cur->is_null() && !prop->nullable)) x->Set(k, *prop->default_value);
    }
    const Value::Object& members = x->as_object();
    for (size_t i = 0; i < members.size(); ++i) {
      const std::string& k = members[i].key;
      Value* child = x->Find(k);
      if (const Node* prop = s->Property(k)) {
        ApplyDefaults(child, prop);
      } else if (s->has_additional) {
        const Node* ap = s->additional.get();
        if (ap != nullptr && child->is_null() && !ap->nullable && ap->default_value != nullptr) {
          *child = *ap->default_value;
        }
        ApplyDefaults(child, ap);
      }
    }
  } else if (x->is_array()) {
    const Node* it = s->items.get();
    for (Value& v : x->mutable_array()) {
      if (it != nullptr && v.is_null() && !it->nullable && it->default_value != nullptr) v = *it->default_value;
      ApplyDefaults(&v, it);
    }
  }
}

void ValidateEmbeddedResources(const std::string& base, const Value& obj, const Node* s, bool is_resource_root,
                               std::vector<FieldError>* out) {
  Node empty;
  if (s == nullptr && is_resource_root) s = &empty;
  ValidateEmbeddedRec(base, obj, s, is_resource_root, out);
}

void ValidateListSetsAndMaps(const std::string& base, const Node* s, const Value& obj, std::vector<FieldError>* out) {
  if (s == nullptr || !obj.is_object()) return;
  ListSetsAndMapsObject(base, s, obj, out);
}

}  // namespace kstream::api::crd::internal
