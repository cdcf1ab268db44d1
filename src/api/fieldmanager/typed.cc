// structured-merge-diff's typed package on Values: schema atoms, validation, ToFieldSet,
// Compare, Merge, RemoveItems and EnsureNamedFieldsAreMembers.
#include "api/fieldmanager/typed.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>

#include "api/json.h"

namespace kstream::api::fieldmanager {

namespace internal {
namespace {

enum class ScalarType : uint8_t { kUntyped, kString, kNumeric, kBoolean };

// A schema node as structured-merge-diff's schema.Atom: which of map / scalar / list it
// can be (all three for the deduced type), with the relationship details.
struct Atom {
  bool map = false;
  bool scalar = false;
  bool list = false;
  SchemaNode node;    // null: deduced
  bool root = false;  // the object's root: apiVersion, kind and metadata are declared
  bool map_atomic = false;
  bool list_assoc = false;
  std::vector<std::string> keys;
  ScalarType scalar_type = ScalarType::kUntyped;
};

const SchemaNode& ObjectMetaSchema() {
  static const SchemaNode node =
      SchemaNode::Named(&BuiltinOpenApiDefinitions().schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  return node;
}

const Value* SchemaMember(const SchemaNode& s, std::string_view name) {
  const Value* v = s.schema();
  return v != nullptr && v->is_object() ? v->Find(name) : nullptr;
}

// The "default" of a property: on its own schema, else on the one it refers to.
const Value* DefaultOf(const SchemaNode& s) {
  for (const Value* v : {s.field_schema(), s.schema()}) {
    if (v != nullptr && v->is_object()) {
      if (const Value* d = v->Find("default")) return d;
    }
  }
  return nullptr;
}

Atom Resolve(const SchemaNode& s, bool root) {
  Atom a;
  a.node = s;
  a.root = root;
  if (s.null()) {
    a.map = a.scalar = a.list = true;
    return a;
  }
  const std::string_view type = s.type();
  const bool has_items = !s.Items().null();
  const bool has_props = s.has_properties();
  const bool has_additional = !s.AdditionalProperties().null();
  if (type == "object" || (type.empty() && (has_props || has_additional))) {
    a.map = true;
  } else if (type == "array" || (type.empty() && has_items)) {
    a.list = true;
  } else if (type == "string") {
    a.scalar = true;
    a.scalar_type = ScalarType::kString;
  } else if (type == "integer" || type == "number") {
    a.scalar = true;
    a.scalar_type = ScalarType::kNumeric;
  } else if (type == "boolean") {
    a.scalar = true;
    a.scalar_type = ScalarType::kBoolean;
  } else if (s.int_or_string() || SchemaMember(s, "oneOf") != nullptr || SchemaMember(s, "anyOf") != nullptr ||
             !type.empty()) {
    a.scalar = true;  // untyped scalar (IntOrString, Quantity, ...)
  } else {
    a.map = a.scalar = a.list = true;  // no type at all: deduced
    a.node = SchemaNode();
    return a;
  }
  if (a.map) a.map_atomic = s.map_type() == "atomic";
  if (a.list) {
    const std::string_view lt = s.list_type();
    if (lt == "map") {
      a.list_assoc = true;
      a.keys = s.list_map_keys();
    } else if (lt == "set") {
      a.list_assoc = true;
    } else if (lt.empty()) {
      // Without a list type, a "merge" patch strategy with its merge key makes the list
      // associative (kube-openapi's schemaconv).
      if (s.patch_strategy().find("merge") != std::string_view::npos && !s.patch_merge_key().empty()) {
        a.list_assoc = true;
        a.keys = {std::string(s.patch_merge_key())};
      }
    }
  }
  return a;
}

// deduceAtom: narrows a multi-kind atom to the kind of the value (when it allows it).
Atom Deduce(const Atom& a, const Value* v) {
  if (v == nullptr) return a;
  Atom r = a;
  switch (v->kind()) {
    case Value::Kind::kBool:
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
    case Value::Kind::kString:
      if (a.scalar) r.map = r.list = false;
      break;
    case Value::Kind::kArray:
      if (a.list) r.map = r.scalar = false;
      break;
    case Value::Kind::kObject:
      if (a.map) r.scalar = r.list = false;
      break;
    case Value::Kind::kNull:
      break;
  }
  return r;
}

bool SameKinds(const Atom& a, const Atom& b) { return a.map == b.map && a.scalar == b.scalar && a.list == b.list; }

SchemaNode MapChild(const Atom& a, std::string_view key) {
  if (a.root && key == "metadata") {
    SchemaNode m = a.node.null() ? SchemaNode() : a.node.Property("metadata");
    if (m.null() || !m.has_properties()) return ObjectMetaSchema();
    return m;
  }
  if (a.node.null()) return SchemaNode();
  return a.node.Property(key);
}

bool IsNamed(const Atom& a, std::string_view key) {
  if (a.root && (key == "apiVersion" || key == "kind" || key == "metadata")) return true;
  return !a.node.null() && a.node.HasProperty(key);
}

// A struct member the schema does not declare (and no additionalProperties or
// x-kubernetes-preserve-unknown-fields lets in).
bool Undeclared(const Atom& a, std::string_view key) {
  return !a.node.null() && a.node.has_properties() && !IsNamed(a, key) && a.node.AdditionalProperties().null() &&
         !a.node.preserve_unknown_fields();
}

// listItemToPathElement.
Result<PathElement> ListItemPE(const Atom& a, size_t index, const Value& child, const TypeOptions& opts) {
  if (!a.list_assoc) return PathElement::Index(static_cast<int64_t>(index));
  if (!a.keys.empty()) {
    if (child.is_null()) return InvalidArgument("associative list with keys may not have a null element");
    if (!child.is_object()) return InvalidArgument("associative list with keys may not have non-map elements");
    std::vector<Member> fields;
    const SchemaNode items = a.node.null() ? SchemaNode() : a.node.Items();
    for (const std::string& name : a.keys) {
      if (const Value* v = child.Find(name)) {
        fields.push_back({name, *v});
        continue;
      }
      const Value* def = items.null() ? nullptr : DefaultOf(items.Property(name));
      if (def != nullptr) {
        fields.push_back({name, *def});
      } else if (opts.builtin && name == "protocol") {
        fields.push_back({name, Value("TCP")});
      } else {
        return InvalidArgument("associative list with keys has an element that omits key field " + GoQuote(name) +
                               " (and doesn't have default value)");
      }
    }
    return PathElement::Key(std::move(fields));
  }
  if (child.is_object()) return InvalidArgument("associative list without keys has an element that's a map type");
  if (child.is_array()) return InvalidArgument("not supported: associative list with lists as elements");
  if (child.is_null()) return InvalidArgument("associative list without keys has an element that's an explicit null");
  return PathElement::OfValue(child);
}

SchemaNode ItemsOf(const Atom& a) { return a.node.null() ? SchemaNode() : a.node.Items(); }

// Go's %v and %#v of an unstructured value, for validation messages.
std::string GoV(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return "<nil>";
    case Value::Kind::kString:
      return v.as_string();
    case Value::Kind::kFloat:
      return GoFloatV(v.as_float());
    case Value::Kind::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < v.as_array().size(); ++i) out += (i ? " " : "") + GoV(v.as_array()[i]);
      return out + "]";
    }
    case Value::Kind::kObject: {
      std::string out = "map[";
      for (size_t i = 0; i < v.as_object().size(); ++i) {
        out += (i ? " " : "") + v.as_object()[i].key + ":" + GoV(v.as_object()[i].value);
      }
      return out + "]";
    }
    default:
      return ValueToString(v);
  }
}

std::string GoType(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int64";
    case Value::Kind::kFloat:
      return "float64";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kArray:
      return "[]interface {}";
    case Value::Kind::kObject:
      return "map[string]interface {}";
    default:
      return "<nil>";
  }
}

// ------------------------------------------------------------------------------------
// Validation (validatingObjectWalker).

class Validator {
 public:
  Validator(bool allow_duplicates, const TypeOptions& opts) : allow_duplicates_(allow_duplicates), opts_(opts) {}

  void Walk(const Value& v, const SchemaNode& s, bool root, const std::string& path) {
    const Atom a = Deduce(Resolve(s, root), &v);
    if (a.map) {
      if (v.is_null()) return;
      if (!v.is_object()) return Error(path, "expected map, got &{" + GoV(v) + "}");
      for (const Member& m : v.as_object()) {
        std::string child_path = path + "." + m.key;
        if (Undeclared(a, m.key)) return Error(child_path, "field not declared in schema");
        Walk(m.value, MapChild(a, m.key), false, child_path);
      }
    } else if (a.scalar) {
      if (v.is_null()) return;
      switch (a.scalar_type) {
        case ScalarType::kNumeric:
          if (!v.is_int() && !v.is_float()) Error(path, "expected numeric (int or float), got " + GoType(v));
          break;
        case ScalarType::kString:
          if (!v.is_string()) Error(path, "expected string, got &value.valueUnstructured{Value:" + ValueToString(v) + "}");
          break;
        case ScalarType::kBoolean:
          if (!v.is_bool()) Error(path, "expected boolean, got &{" + GoV(v) + "}");
          break;
        case ScalarType::kUntyped:
          break;
      }
    } else if (a.list) {
      if (v.is_null()) return;
      if (!v.is_array()) return Error(path, "expected list, got &{" + GoV(v) + "}");
      std::vector<PathElement> seen;
      const SchemaNode items = ItemsOf(a);
      const Value::Array& arr = v.as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        auto pe = ListItemPE(a, i, arr[i], opts_);
        if (!pe.ok()) return Error(path, "element " + std::to_string(i) + ": " + std::string(pe.status().message()));
        if (a.list_assoc) {
          auto it = std::lower_bound(seen.begin(), seen.end(), *pe);
          if (it != seen.end() && *it == *pe) {
            if (!allow_duplicates_) Error(path, "duplicate entries for key " + pe->ToString());
          } else {
            seen.insert(it, *pe);
          }
        }
        Walk(arr[i], items, false, path + pe->ToString());
      }
    }
  }

  Status Finish() const {
    if (errors_.empty()) return Status::Ok();
    if (errors_.size() == 1) return InvalidArgument(errors_[0]);
    std::string msg = "errors:";
    for (const std::string& e : errors_) msg += "\n  " + e;
    return InvalidArgument(msg);
  }

 private:
  void Error(const std::string& path, const std::string& msg) { errors_.push_back(path.empty() ? msg : path + ": " + msg); }

  bool allow_duplicates_;
  const TypeOptions& opts_;
  std::vector<std::string> errors_;
};

// ------------------------------------------------------------------------------------
// ToFieldSet (toFieldSetWalker).

class SetBuilder {
 public:
  explicit SetBuilder(const TypeOptions& opts) : opts_(opts) {}

  void Walk(const Value* v, const SchemaNode& s, bool root) {
    const Atom a = Deduce(Resolve(s, root), v);
    if (a.map) {
      if (a.map_atomic) return out_.Insert(path_);
      if (v == nullptr || !v->is_object()) return;
      for (const Member& m : v->as_object()) {
        path_.push_back(PathElement::Field(m.key));
        Walk(&m.value, MapChild(a, m.key), false);
        if (!IsNamed(a, m.key)) out_.Insert(path_);
        path_.pop_back();
      }
    } else if (a.scalar) {
      out_.Insert(path_);
    } else if (a.list) {
      if (!a.list_assoc) return out_.Insert(path_);
      if (v == nullptr || !v->is_array()) return;
      const Value::Array& arr = v->as_array();
      std::vector<std::optional<PathElement>> pes;
      std::map<PathElement, int> count;
      for (size_t i = 0; i < arr.size(); ++i) {
        auto pe = ListItemPE(a, i, arr[i], opts_);
        if (pe.ok()) {
          ++count[*pe];
          pes.push_back(std::move(pe).value());
        } else {
          pes.emplace_back();
        }
      }
      const SchemaNode items = ItemsOf(a);
      for (size_t i = 0; i < arr.size(); ++i) {
        if (!pes[i]) continue;
        path_.push_back(*pes[i]);
        if (count[*pes[i]] > 1) {
          out_.Insert(path_);  // duplicated items are owned as a whole
        } else {
          Walk(&arr[i], items, false);
          out_.Insert(path_);
        }
        path_.pop_back();
      }
    }
  }

  FieldSet& out() { return out_; }

 private:
  const TypeOptions& opts_;
  Path path_;
  FieldSet out_;
};

// ------------------------------------------------------------------------------------
// Compare (compareWalker).

// Calls fn(key, l's value or nullptr, r's value or nullptr) for every key of the objects l
// and r (either may be nullptr), in key order, each key once.
template <class Fn>
void ForEachKeyOfBoth(const Value* l, const Value* r, Fn&& fn) {
  static const Value::Object kNone;
  const Value::Object& lo = l != nullptr ? l->as_object() : kNone;
  const Value::Object& ro = r != nullptr ? r->as_object() : kNone;
  size_t i = 0, j = 0;
  while (i < lo.size() || j < ro.size()) {
    if (j == ro.size() || (i < lo.size() && lo[i].key < ro[j].key)) {
      fn(lo[i].key, &lo[i].value, nullptr);
      ++i;
    } else if (i == lo.size() || ro[j].key < lo[i].key) {
      fn(ro[j].key, nullptr, &ro[j].value);
      ++j;
    } else {
      fn(lo[i].key, &lo[i].value, &ro[j].value);
      ++i;
      ++j;
    }
  }
}

class Comparer {
 public:
  Comparer(Comparison* c, const TypeOptions& opts) : c_(c), opts_(opts) {}

  void Walk(const Value* l, const Value* r, const SchemaNode& s, bool root) {
    const Atom atom = Resolve(s, root);
    const Atom al = Deduce(atom, l);
    const Atom ar = Deduce(atom, r);
    bool in_leaf = false;
    if (r == nullptr) {
      Handle(al, l, r, &in_leaf);
    } else if (l == nullptr || SameKinds(al, ar)) {
      Handle(ar, l, r, &in_leaf);
    } else {
      bool other_leaf = false;
      Handle(al, l, r, &other_leaf);
      Handle(ar, l, r, &in_leaf);
    }
    if (!in_leaf) {
      if (l == nullptr) {
        c_->added.Insert(path_);
      } else if (r == nullptr) {
        c_->removed.Insert(path_);
      }
    }
  }

 private:
  void Leaf(const Value* l, const Value* r, bool* in_leaf) {
    if (*in_leaf) return;
    *in_leaf = true;
    if (l == nullptr) {
      c_->added.Insert(path_);
    } else if (r == nullptr) {
      c_->removed.Insert(path_);
    } else if (!ValuesEqual(*l, *r)) {
      c_->modified.Insert(path_);
    }
  }

  void Handle(const Atom& a, const Value* l, const Value* r, bool* in_leaf) {
    if (a.map) {
      const Value* lm = l != nullptr && l->is_object() ? l : nullptr;
      const Value* rm = r != nullptr && r->is_object() ? r : nullptr;
      const bool empty = (lm == nullptr || lm->as_object().empty()) && (rm == nullptr || rm->as_object().empty());
      if (a.map_atomic || empty) return Leaf(l, r, in_leaf);
      ForEachKeyOfBoth(lm, rm, [&](const std::string& key, const Value* lc, const Value* rc) {
        path_.push_back(PathElement::Field(key));
        Walk(lc, rc, MapChild(a, key), false);
        path_.pop_back();
      });
    } else if (a.scalar) {
      Leaf(l, r, in_leaf);
    } else if (a.list) {
      const Value* ll = l != nullptr && l->is_array() ? l : nullptr;
      const Value* rl = r != nullptr && r->is_array() ? r : nullptr;
      const bool empty = (ll == nullptr || ll->as_array().empty()) && (rl == nullptr || rl->as_array().empty());
      if (!a.list_assoc || empty) return Leaf(l, r, in_leaf);
      VisitListItems(a, ll, rl);
    }
  }

  void VisitListItems(const Atom& a, const Value* ll, const Value* rl) {
    std::vector<PathElement> all;
    std::map<PathElement, std::vector<const Value*>> lv, rv;
    auto index = [&](const Value* list, std::map<PathElement, std::vector<const Value*>>* values, bool lhs) {
      if (list == nullptr) return;
      const Value::Array& arr = list->as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        auto pe = ListItemPE(a, i, arr[i], opts_);
        if (!pe.ok()) continue;
        auto [it, inserted] = values->try_emplace(*pe);
        it->second.push_back(&arr[i]);
        if (inserted && (lhs || lv.find(*pe) == lv.end())) all.push_back(*pe);
      }
    };
    index(ll, &lv, true);
    index(rl, &rv, false);
    const SchemaNode items = ItemsOf(a);
    for (const PathElement& pe : all) {
      static const std::vector<const Value*> kNone;
      auto li = lv.find(pe);
      auto ri = rv.find(pe);
      const std::vector<const Value*>& l = li == lv.end() ? kNone : li->second;
      const std::vector<const Value*>& r = ri == rv.end() ? kNone : ri->second;
      path_.push_back(pe);
      if (l.size() <= 1 && r.size() <= 1) {
        Walk(l.empty() ? nullptr : l[0], r.empty() ? nullptr : r[0], items, false);
      } else if (l.size() >= 2 && r.size() >= 2) {
        bool equal = l.size() == r.size();
        for (size_t k = 0; equal && k < l.size(); ++k) equal = ValuesEqual(*l[k], *r[k]);
        if (!equal) c_->modified.Insert(path_);
      } else if (l.size() >= 2) {
        if (!r.empty()) Walk(nullptr, r[0], items, false);
        c_->removed.Insert(path_);
      } else {
        if (!l.empty()) Walk(l[0], nullptr, items, false);
        c_->added.Insert(path_);
      }
      path_.pop_back();
    }
  }

  Comparison* c_;
  const TypeOptions& opts_;
  Path path_;
};

// ------------------------------------------------------------------------------------
// Merge (mergingWalker with ruleKeepRHS).

class Merger {
 public:
  explicit Merger(const TypeOptions& opts) : opts_(opts) {}

  // nullopt: no output (the parent leaves the member out).
  std::optional<Value> Walk(const Value* l, const Value* r, const SchemaNode& s, bool root) {
    // merge() also runs the lhs atom's handler when the kinds differ, but only the rhs
    // one's output is kept: it alone is needed.
    return Handle(Deduce(Resolve(s, root), r), l, r);
  }

 private:
  static std::optional<Value> Leaf(const Value* l, const Value* r) {
    if (r != nullptr) return *r;
    if (l != nullptr) return *l;
    return std::nullopt;
  }

  std::optional<Value> Handle(const Atom& a, const Value* l, const Value* r) {
    if (a.map) {
      const Value* lm = l != nullptr && l->is_object() ? l : nullptr;
      const Value* rm = r != nullptr && r->is_object() ? r : nullptr;
      const bool empty = (lm == nullptr || lm->as_object().empty()) && (rm == nullptr || rm->as_object().empty());
      if (a.map_atomic || empty) return Leaf(l, r);
      std::vector<Member> out;
      ForEachKeyOfBoth(lm, rm, [&](const std::string& key, const Value* lc, const Value* rc) {
        if (auto child = Walk(lc, rc, MapChild(a, key), false)) out.push_back({key, std::move(*child)});
      });
      if (out.empty()) return std::nullopt;
      return Value::FromMembers(std::move(out));
    }
    if (a.scalar) return Leaf(l, r);
    if (a.list) {
      const Value* ll = l != nullptr && l->is_array() ? l : nullptr;
      const Value* rl = r != nullptr && r->is_array() ? r : nullptr;
      const bool empty = (ll == nullptr || ll->as_array().empty()) && (rl == nullptr || rl->as_array().empty());
      if (!a.list_assoc || empty) return Leaf(l, r);
      return VisitListItems(a, ll, rl);
    }
    return std::nullopt;
  }

  struct Indexed {
    std::vector<PathElement> order;                            // first occurrences
    std::map<PathElement, std::vector<const Value*>> values;  // every occurrence
    const std::vector<const Value*>* Get(const PathElement& pe) const {
      auto it = values.find(pe);
      return it == values.end() ? nullptr : &it->second;
    }
  };

  Indexed Index(const Atom& a, const Value* list) const {
    Indexed ix;
    if (list == nullptr) return ix;
    const Value::Array& arr = list->as_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      auto pe = ListItemPE(a, i, arr[i], opts_);
      if (!pe.ok()) continue;
      auto [it, inserted] = ix.values.try_emplace(*pe);
      it->second.push_back(&arr[i]);
      if (inserted) ix.order.push_back(std::move(pe).value());
    }
    return ix;
  }

  // One item of the output: lhs duplicates are replaced by the rhs item when there is one,
  // kept as they are otherwise.
  void MergeItem(const std::vector<const Value*>* l, const std::vector<const Value*>* r, const SchemaNode& items,
                 Value::Array* out) {
    const Value* rc = r != nullptr ? (*r)[0] : nullptr;
    if (l != nullptr && l->size() > 1) {
      if (rc == nullptr) {
        for (const Value* v : *l) out->push_back(*v);
        return;
      }
      l = nullptr;
    }
    const Value* lc = l != nullptr ? (*l)[0] : nullptr;
    if (auto v = Walk(lc, rc, items, false)) out->push_back(std::move(*v));
  }

  std::optional<Value> VisitListItems(const Atom& a, const Value* ll, const Value* rl) {
    const Indexed lhs = Index(a, ll);
    const Indexed rhs = Index(a, rl);
    const SchemaNode items = ItemsOf(a);
    std::vector<const PathElement*> shared;
    for (const PathElement& pe : rhs.order) {
      if (lhs.Get(pe) != nullptr) shared.push_back(&pe);
    }
    size_t next_shared_i = 0;
    const PathElement* next_shared = shared.empty() ? nullptr : shared[next_shared_i++];
    auto advance = [&] { next_shared = next_shared_i < shared.size() ? shared[next_shared_i++] : nullptr; };

    Value::Array out;
    const size_t l_len = lhs.order.size();
    const size_t r_len = rhs.order.size();
    size_t li = 0, ri = 0;
    while (li < l_len || ri < r_len) {
      if (li < l_len && ri < r_len) {
        const PathElement& pe = lhs.order[li];
        if (pe == rhs.order[ri]) {
          MergeItem(lhs.Get(pe), rhs.Get(pe), items, &out);
          ++li;
          ++ri;
          advance();
          continue;
        }
        if (rhs.Get(pe) != nullptr && next_shared != nullptr && !(*next_shared == pe)) {
          ++li;  // a shared item, but not the one wanted in this round
          continue;
        }
      }
      if (li < l_len) {
        const PathElement& pe = lhs.order[li];
        if (rhs.Get(pe) == nullptr) {
          MergeItem(lhs.Get(pe), nullptr, items, &out);
          ++li;
          continue;
        }
      }
      if (ri < r_len) {
        const PathElement& pe = rhs.order[ri];
        MergeItem(lhs.Get(pe), rhs.Get(pe), items, &out);
        ++ri;
        if (next_shared != nullptr && *next_shared == pe) advance();
      }
    }
    if (out.empty()) return std::nullopt;
    return Value(std::move(out));
  }

  const TypeOptions& opts_;
};

// ------------------------------------------------------------------------------------
// RemoveItems (removingWalker).

std::optional<Value> RemoveWalk(const Value& v, const FieldSet& to_remove, const SchemaNode& s, bool root,
                                const TypeOptions& opts) {
  const Atom a = Deduce(Resolve(s, root), &v);
  if (a.map) {
    if (!v.is_object() || v.as_object().empty() || a.map_atomic) return std::nullopt;
    std::vector<Member> out;
    for (const Member& m : v.as_object()) {
      PathElement pe = PathElement::Field(m.key);
      if (to_remove.Has(Path{pe})) continue;
      const FieldSet* sub = to_remove.WithPrefix(pe);
      if (sub != nullptr && !sub->empty()) {
        std::optional<Value> child = RemoveWalk(m.value, *sub, MapChild(a, m.key), false, opts);
        out.push_back({m.key, child ? std::move(*child) : Value()});
      } else {
        out.push_back(m);
      }
    }
    if (out.empty()) return std::nullopt;
    return Value::FromMembers(std::move(out));
  }
  if (a.scalar) return v;
  if (a.list) {
    if (!v.is_array() || v.as_array().empty() || !a.list_assoc) return std::nullopt;
    const SchemaNode items = ItemsOf(a);
    Value::Array out;
    const Value::Array& arr = v.as_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      auto pe = ListItemPE(a, i, arr[i], opts);
      if (!pe.ok()) {
        out.push_back(arr[i]);
        continue;
      }
      if (to_remove.Has(Path{*pe})) continue;
      const FieldSet* sub = to_remove.WithPrefix(*pe);
      if (sub != nullptr && !sub->empty()) {
        std::optional<Value> item = RemoveWalk(arr[i], *sub, items, false, opts);
        out.push_back(item ? std::move(*item) : Value());
      } else {
        out.push_back(arr[i]);
      }
    }
    if (out.empty()) return std::nullopt;
    return Value(std::move(out));
  }
  return std::nullopt;
}

// ------------------------------------------------------------------------------------
// The Go zero value of a built-in type.

bool IsRequired(const SchemaNode& s, std::string_view name) {
  const Value* req = SchemaMember(s, "required");
  if (req == nullptr || !req->is_array()) return false;
  for (const Value& r : req->as_array()) {
    if (r.is_string() && r.as_string() == name) return true;
  }
  return false;
}

Value ZeroObjectAt(const SchemaNode& s, int depth) {
  Value obj = Value::EmptyObject();
  if (depth > 64 || s.null() || !s.has_properties()) return obj;
  const Value* props = SchemaMember(s, "properties");
  for (const Member& m : props->as_object()) {
    const SchemaNode p = s.Property(m.key);
    const Value* def = DefaultOf(p);
    if (def != nullptr && def->is_object() && def->as_object().empty()) {
      obj.Set(m.key, ZeroObjectAt(p, depth + 1));  // a non-pointer struct
    } else if (def != nullptr && !def->is_object() && !def->is_array()) {
      obj.Set(m.key, *def);  // a non-pointer scalar without omitempty
    } else if (IsRequired(s, m.key)) {
      obj.Set(m.key, Value());  // pointers, slices, maps without omitempty
    } else if (m.key == "creationTimestamp" && p.type() == "string") {
      obj.Set(m.key, Value());  // metav1.Time (a struct, never omitted) encodes as null
    }
  }
  return obj;
}

}  // namespace

void Comparison::ExcludeFields(const FieldSet& fields) {
  if (fields.empty()) return;
  removed = removed.RecursiveDifference(fields);
  modified = modified.RecursiveDifference(fields);
  added = added.RecursiveDifference(fields);
}

Status Validate(const Value& v, const SchemaNode& schema, bool allow_duplicates, const TypeOptions& opts) {
  Validator validator(allow_duplicates, opts);
  validator.Walk(v, schema, true, "");
  return validator.Finish();
}

Result<FieldSet> ToFieldSet(const Value& v, const SchemaNode& schema, const TypeOptions& opts) {
  SetBuilder b(opts);
  b.Walk(&v, schema, true);
  return std::move(b.out());
}

Comparison Compare(const Value& lhs, const Value& rhs, const SchemaNode& schema, const TypeOptions& opts) {
  Comparison c;
  Comparer(&c, opts).Walk(&lhs, &rhs, schema, true);
  return c;
}

Value Merge(const Value& lhs, const Value& rhs, const SchemaNode& schema, const TypeOptions& opts) {
  std::optional<Value> out = Merger(opts).Walk(&lhs, &rhs, schema, true);
  return out ? std::move(*out) : Value();
}

Value RemoveItems(const Value& v, const FieldSet& items, const SchemaNode& schema, const TypeOptions& opts) {
  std::optional<Value> out = RemoveWalk(v, items, schema, true, opts);
  return out ? std::move(*out) : Value();
}

FieldSet EnsureNamedFieldsAreMembers(const FieldSet& set, const SchemaNode& schema) {
  // For every member, walks its path through the schema and adds each prefix that ends in
  // a declared struct field (what the recursive upstream version adds, node by node).
  FieldSet out = set;
  set.Iterate([&](const Path& path) {
    SchemaNode node = schema;
    bool typed = true;  // false once below a path element without a type (sets, indexes)
    for (size_t i = 0; i + 1 < path.size() && typed; ++i) {
      const Atom a = Resolve(node, i == 0);
      const PathElement& pe = path[i];
      if (pe.kind() == PathElement::Kind::kField && a.map) {
        if (IsNamed(a, pe.field_name())) out.Insert(Path(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(i) + 1));
        node = MapChild(a, pe.field_name());
      } else if (pe.kind() == PathElement::Kind::kKey && a.list) {
        node = ItemsOf(a);
      } else {
        typed = false;
      }
    }
  });
  return out;
}

}  // namespace internal

Value ZeroObject(const SchemaNode& schema) { return internal::ZeroObjectAt(schema, 0); }

}  // namespace kstream::api::fieldmanager
