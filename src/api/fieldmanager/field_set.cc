// PathElement, FieldSet and their FieldsV1 encoding (structured-merge-diff's fieldpath
// package), plus the value ordering and printing helpers they need.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <cmath>
#include <limits>
#include <optional>

#include "api/fieldmanager/field_manager.h"
#include "api/fieldmanager/typed.h"
#include "api/json.h"
#include "encoding/json/encode.h"

namespace kstream::api::fieldmanager {

namespace ej = ::kstream::encoding::json;

// ---------------------------------------------------------------------------------------
// Values.

namespace {

int Sign(double a, double b) { return a < b ? -1 : (a > b ? 1 : 0); }
template <typename T>
int Cmp3(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool IsNumber(const Value& v) { return v.is_int() || v.is_float(); }
double AsDouble(const Value& v) { return v.is_float() ? v.as_float() : static_cast<double>(v.as_int()); }

int CompareMaps(const Value& a, const Value& b) {
  const Value::Object& l = a.as_object();
  const Value::Object& r = b.as_object();
  if (l.empty() && r.empty()) return 0;
  // Zip over the union of keys in lexical order (value.MapCompareUsing).
  size_t i = 0, li = 0, ri = 0;
  while (li < l.size() || ri < r.size()) {
    int c;
    const Value* lv = nullptr;
    const Value* rv = nullptr;
    if (ri == r.size() || (li < l.size() && l[li].key < r[ri].key)) {
      lv = &l[li++].value;
    } else if (li == l.size() || r[ri].key < l[li].key) {
      rv = &r[ri++].value;
    } else {
      lv = &l[li++].value;
      rv = &r[ri++].value;
    }
    if (i == l.size()) {
      c = -1;
    } else if (i == r.size()) {
      c = 1;
    } else if (lv == nullptr) {
      c = 1;
    } else if (rv == nullptr) {
      c = -1;
    } else {
      c = CompareValues(*lv, *rv);
    }
    ++i;
    if (c != 0) return c;
  }
  return 0;
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
  if (a.is_float()) {
    if (b.is_float()) return Sign(a.as_float(), b.as_float());
    if (b.is_int()) return Sign(a.as_float(), static_cast<double>(b.as_int()));
    return -1;
  }
  if (b.is_float()) {
    if (a.is_int()) return Sign(static_cast<double>(a.as_int()), b.as_float());
    return 1;
  }
  if (a.is_int()) return b.is_int() ? Cmp3(a.as_int(), b.as_int()) : -1;
  if (b.is_int()) return 1;
  if (a.is_string()) return b.is_string() ? Cmp3(a.as_string(), b.as_string()) : -1;
  if (b.is_string()) return 1;
  if (a.is_bool()) return b.is_bool() ? Cmp3(a.as_bool(), b.as_bool()) : -1;
  if (b.is_bool()) return 1;
  if (a.is_array()) {
    if (!b.is_array()) return -1;
    const Value::Array& l = a.as_array();
    const Value::Array& r = b.as_array();
    for (size_t i = 0;; ++i) {
      if (i >= l.size() && i >= r.size()) return 0;
      if (i >= l.size()) return -1;
      if (i >= r.size()) return 1;
      if (int c = CompareValues(l[i], r[i]); c != 0) return c;
    }
  }
  if (b.is_array()) return 1;
  if (a.is_object()) return b.is_object() ? CompareMaps(a, b) : -1;
  if (b.is_object()) return 1;
  return 0;  // both null
}

bool ValuesEqual(const Value& a, const Value& b) {
  if (a.is_float() || b.is_float()) {
    if (!IsNumber(a) || !IsNumber(b)) return false;
    return AsDouble(a) == AsDouble(b);
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kNull:
      return true;
    case Value::Kind::kBool:
      return a.as_bool() == b.as_bool();
    case Value::Kind::kInt:
      return a.as_int() == b.as_int();
    case Value::Kind::kString:
      return a.as_string() == b.as_string();
    case Value::Kind::kArray: {
      const auto& l = a.as_array();
      const auto& r = b.as_array();
      if (l.size() != r.size()) return false;
      for (size_t i = 0; i < l.size(); ++i) {
        if (!ValuesEqual(l[i], r[i])) return false;
      }
      return true;
    }
    case Value::Kind::kObject: {
      const auto& l = a.as_object();
      const auto& r = b.as_object();
      if (l.size() != r.size()) return false;
      for (size_t i = 0; i < l.size(); ++i) {  // both sorted with unique keys
        if (l[i].key != r[i].key || !ValuesEqual(l[i].value, r[i].value)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

namespace internal {

int ValueDepth(const Value& v) {
  struct Frame {
    const Value* v;
    int depth;
  };
  int max_depth = 0;
  std::vector<Frame> stack{{&v, 0}};
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    if (f.depth > max_depth) max_depth = f.depth;
    if (f.depth > kMaxDepth) return f.depth;
    if (f.v->is_array()) {
      for (const Value& c : f.v->as_array()) stack.push_back({&c, f.depth + 1});
    } else if (f.v->is_object()) {
      for (const Member& m : f.v->as_object()) stack.push_back({&m.value, f.depth + 1});
    }
  }
  return max_depth;
}

Status CheckDepth(const Value& v, std::string_view what) {
  if (ValueDepth(v) > kMaxDepth) {
    return InvalidArgument(std::string(what) + " is nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  return Status::Ok();
}

std::string GoFloatV(double v) {
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "-d.ddde+XX"
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits.push_back(c);
  }
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {  // strconv 'g' with the shortest precision
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits.substr(1));
    }
    out.push_back('e');
    out.push_back(exp < 0 ? '-' : '+');
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out.push_back('0');
    out += std::to_string(a);
    return out;
  }
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp - 1), '0');
    out += digits;
    return out;
  }
  if (static_cast<int>(digits.size()) <= exp + 1) {
    out += digits;
    out.append(static_cast<size_t>(exp + 1) - digits.size(), '0');
    return out;
  }
  out += digits.substr(0, static_cast<size_t>(exp + 1));
  out.push_back('.');
  out += digits.substr(static_cast<size_t>(exp + 1));
  return out;
}

std::string ValueToString(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kFloat:
      return GoFloatV(v.as_float());
    case Value::Kind::kInt:
      return std::to_string(v.as_int());
    case Value::Kind::kString:
      return GoQuote(v.as_string());
    case Value::Kind::kBool:
      return v.as_bool() ? "true" : "false";
    case Value::Kind::kArray: {
      std::string out = "[";
      bool first = true;
      for (const Value& c : v.as_array()) {
        if (!first) out += ",";
        first = false;
        out += ValueToString(c);
      }
      return out + "]";
    }
    case Value::Kind::kObject: {
      std::string out;
      for (const Member& m : v.as_object()) out += m.key + "=" + ValueToString(m.value);
      return out;
    }
  }
  return "{{undefined}}";
}

}  // namespace internal

// ---------------------------------------------------------------------------------------
// PathElement.

PathElement PathElement::Field(std::string name) {
  PathElement pe;
  pe.kind_ = Kind::kField;
  pe.name_ = std::move(name);
  return pe;
}

PathElement PathElement::Key(std::vector<Member> fields) {
  std::stable_sort(fields.begin(), fields.end(), [](const Member& a, const Member& b) { return a.key < b.key; });
  PathElement pe;
  pe.kind_ = Kind::kKey;
  pe.key_ = std::move(fields);
  return pe;
}

PathElement PathElement::OfValue(Value value) {
  PathElement pe;
  pe.kind_ = Kind::kValue;
  pe.value_ = std::move(value);
  return pe;
}

PathElement PathElement::Index(int64_t index) {
  PathElement pe;
  pe.kind_ = Kind::kIndex;
  pe.index_ = index;
  return pe;
}

int Compare(const PathElement& a, const PathElement& b) {
  if (a.kind() != b.kind()) return a.kind() < b.kind() ? -1 : 1;
  switch (a.kind()) {
    case PathElement::Kind::kField:
      return Cmp3(a.field_name(), b.field_name());
    case PathElement::Kind::kKey: {
      const auto& l = a.key_fields();
      const auto& r = b.key_fields();
      for (size_t i = 0;; ++i) {
        if (i >= l.size() && i >= r.size()) return 0;
        if (i >= l.size()) return -1;
        if (i >= r.size()) return 1;
        if (int c = Cmp3(l[i].key, r[i].key); c != 0) return c;
        if (int c = CompareValues(l[i].value, r[i].value); c != 0) return c;
      }
    }
    case PathElement::Kind::kValue:
      return CompareValues(a.value(), b.value());
    case PathElement::Kind::kIndex:
      return Cmp3(a.index(), b.index());
  }
  return 0;
}

bool operator==(const PathElement& a, const PathElement& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case PathElement::Kind::kField:
      return a.field_name() == b.field_name();
    case PathElement::Kind::kKey: {
      const auto& l = a.key_fields();
      const auto& r = b.key_fields();
      if (l.size() != r.size()) return false;
      for (size_t i = 0; i < l.size(); ++i) {
        if (l[i].key != r[i].key || !ValuesEqual(l[i].value, r[i].value)) return false;
      }
      return true;
    }
    case PathElement::Kind::kValue:
      return ValuesEqual(a.value(), b.value());
    case PathElement::Kind::kIndex:
      return a.index() == b.index();
  }
  return false;
}

namespace {

// jsoniter's Stream.WriteString (how structured-merge-diff writes the key field names):
// `"` and `\` escaped, \n \r \t short, other control bytes \u00XX, everything else raw.
void AppendJsoniterString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

std::string PathElement::Serialize() const {
  std::string out;
  switch (kind_) {
    case Kind::kField:
      out = "f:" + name_;
      break;
    case Kind::kKey:
      out = "k:{";
      for (size_t i = 0; i < key_.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendJsoniterString(&out, key_[i].key);
        out.push_back(':');
        AppendJson(key_[i].value, &out).IgnoreError();  // values come from JSON: finite
      }
      out.push_back('}');
      break;
    case Kind::kValue:
      out = "v:";
      AppendJson(value_, &out).IgnoreError();
      break;
    case Kind::kIndex:
      out = "i:" + std::to_string(index_);
      break;
  }
  return out;
}

Result<PathElement> PathElement::Deserialize(std::string_view key) {
  if (key.size() < 2) return InvalidArgument("key must be 2 characters long:");
  if (key[1] != ':') return InvalidArgument("missing colon: " + std::string(key));
  std::string_view rest = key.substr(2);
  switch (key[0]) {
    case 'f':
      return Field(std::string(rest));
    case 'v': {
      auto v = ParseJson(rest);
      if (!v.ok()) return InvalidArgument(std::string(v.status().message()));
      KS_RETURN_IF_ERROR(internal::CheckDepth(*v, "a path element value"));
      return OfValue(std::move(v).value());
    }
    case 'k': {
      auto v = ParseJson(rest);
      if (!v.ok()) return InvalidArgument(std::string(v.status().message()));
      if (!v->is_object()) return InvalidArgument("ReadObjectCB: expect { or n, but found " + std::string(rest.substr(0, 1)));
      KS_RETURN_IF_ERROR(internal::CheckDepth(*v, "a path element key"));
      std::vector<Member> fields = v->as_object();
      return Key(std::move(fields));
    }
    case 'i': {
      // strconv.Atoi: an optional sign and decimal digits, within int64.
      std::string_view digits = rest;
      bool neg = false;
      if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
        neg = digits[0] == '-';
        digits.remove_prefix(1);
      }
      uint64_t n = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      const uint64_t limit = neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
      if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || n > limit) {
        return InvalidArgument("strconv.Atoi: parsing " + internal::GoQuote(rest) + ": invalid syntax");
      }
      int64_t i = neg ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
      return Index(i);
    }
    default:
      return Status(StatusCode::kUnimplemented, "unknown path element type");
  }
}

std::string PathElement::ToString() const {
  switch (kind_) {
    case Kind::kField:
      return "." + name_;
    case Kind::kKey: {
      std::string out = "[";
      for (size_t i = 0; i < key_.size(); ++i) {
        if (i > 0) out += ",";
        out += key_[i].key + "=" + internal::ValueToString(key_[i].value);
      }
      return out + "]";
    }
    case Kind::kValue:
      return "[=" + internal::ValueToString(value_) + "]";
    case Kind::kIndex:
      return "[" + std::to_string(index_) + "]";
  }
  return "{{invalid path element}}";
}

std::string PathString(const Path& path) {
  std::string out;
  for (const PathElement& pe : path) out += pe.ToString();
  return out;
}

// ---------------------------------------------------------------------------------------
// FieldSet.

struct FieldSet::Child {
  PathElement pe;
  FieldSet set;
};

FieldSet::FieldSet() = default;
FieldSet::FieldSet(const FieldSet&) = default;
FieldSet::FieldSet(FieldSet&&) noexcept = default;
FieldSet& FieldSet::operator=(const FieldSet&) = default;
FieldSet& FieldSet::operator=(FieldSet&&) noexcept = default;
FieldSet::~FieldSet() = default;

namespace {

template <typename T, typename PeOf>
auto LowerBound(std::vector<T>& v, const PathElement& pe, PeOf pe_of) {
  return std::lower_bound(v.begin(), v.end(), pe, [&](const T& x, const PathElement& p) { return pe_of(x) < p; });
}
template <typename T, typename PeOf>
auto LowerBound(const std::vector<T>& v, const PathElement& pe, PeOf pe_of) {
  return std::lower_bound(v.begin(), v.end(), pe, [&](const T& x, const PathElement& p) { return pe_of(x) < p; });
}

const PathElement& Self(const PathElement& p) { return p; }

bool MembersHave(const std::vector<PathElement>& members, const PathElement& pe) {
  auto it = LowerBound(members, pe, Self);
  return it != members.end() && *it == pe;
}

void InsertMember(std::vector<PathElement>* members, const PathElement& pe) {
  auto it = LowerBound(*members, pe, Self);
  if (it != members->end() && *it == pe) return;
  members->insert(it, pe);
}

}  // namespace

FieldSet* FieldSet::Descend(const PathElement& pe) {
  auto it = LowerBound(children_, pe, [](const Child& c) -> const PathElement& { return c.pe; });
  if (it != children_.end() && it->pe == pe) return &it->set;
  it = children_.insert(it, Child{pe, FieldSet()});
  return &it->set;
}

const FieldSet* FieldSet::WithPrefix(const PathElement& pe) const {
  auto it = LowerBound(children_, pe, [](const Child& c) -> const PathElement& { return c.pe; });
  if (it != children_.end() && it->pe == pe) return &it->set;
  return nullptr;
}

void FieldSet::Insert(const Path& path) {
  if (path.empty()) return;
  FieldSet* s = this;
  for (size_t i = 0; i + 1 < path.size(); ++i) s = s->Descend(path[i]);
  InsertMember(&s->members_, path.back());
}

bool FieldSet::Has(const Path& path) const {
  if (path.empty()) return false;
  const FieldSet* s = this;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    s = s->WithPrefix(path[i]);
    if (s == nullptr) return false;
  }
  return MembersHave(s->members_, path.back());
}

bool FieldSet::empty() const {
  if (!members_.empty()) return false;
  for (const Child& c : children_) {
    if (!c.set.empty()) return false;
  }
  return true;
}

size_t FieldSet::size() const {
  size_t n = members_.size();
  for (const Child& c : children_) n += c.set.size();
  return n;
}

FieldSet FieldSet::Union(const FieldSet& o) const {
  FieldSet out;
  std::set_union(members_.begin(), members_.end(), o.members_.begin(), o.members_.end(),
                 std::back_inserter(out.members_));
  size_t i = 0, j = 0;
  while (i < children_.size() && j < o.children_.size()) {
    int c = Compare(children_[i].pe, o.children_[j].pe);
    if (c < 0) {
      out.children_.push_back(children_[i++]);
    } else if (c > 0) {
      out.children_.push_back(o.children_[j++]);
    } else {
      out.children_.push_back(Child{children_[i].pe, children_[i].set.Union(o.children_[j].set)});
      ++i;
      ++j;
    }
  }
  for (; i < children_.size(); ++i) out.children_.push_back(children_[i]);
  for (; j < o.children_.size(); ++j) out.children_.push_back(o.children_[j]);
  return out;
}

FieldSet FieldSet::Intersection(const FieldSet& o) const {
  FieldSet out;
  std::set_intersection(members_.begin(), members_.end(), o.members_.begin(), o.members_.end(),
                        std::back_inserter(out.members_));
  size_t i = 0, j = 0;
  while (i < children_.size() && j < o.children_.size()) {
    int c = Compare(children_[i].pe, o.children_[j].pe);
    if (c < 0) {
      ++i;
    } else if (c > 0) {
      ++j;
    } else {
      FieldSet s = children_[i].set.Intersection(o.children_[j].set);
      if (!s.empty()) out.children_.push_back(Child{children_[i].pe, std::move(s)});
      ++i;
      ++j;
    }
  }
  return out;
}

FieldSet FieldSet::Difference(const FieldSet& o) const {
  FieldSet out;
  std::set_difference(members_.begin(), members_.end(), o.members_.begin(), o.members_.end(),
                      std::back_inserter(out.members_));
  size_t i = 0, j = 0;
  while (i < children_.size() && j < o.children_.size()) {
    int c = Compare(children_[i].pe, o.children_[j].pe);
    if (c < 0) {
      out.children_.push_back(children_[i++]);
    } else if (c > 0) {
      ++j;
    } else {
      FieldSet s = children_[i].set.Difference(o.children_[j].set);
      if (!s.empty()) out.children_.push_back(Child{children_[i].pe, std::move(s)});
      ++i;
      ++j;
    }
  }
  for (; i < children_.size(); ++i) out.children_.push_back(children_[i]);
  return out;
}

FieldSet FieldSet::RecursiveDifference(const FieldSet& o) const {
  FieldSet out;
  std::set_difference(members_.begin(), members_.end(), o.members_.begin(), o.members_.end(),
                      std::back_inserter(out.members_));
  for (const Child& c : children_) {
    if (MembersHave(o.members_, c.pe)) continue;
    if (const FieldSet* sub = o.WithPrefix(c.pe)) {
      FieldSet s = c.set.RecursiveDifference(*sub);
      if (!s.empty()) out.children_.push_back(Child{c.pe, std::move(s)});
    } else {
      out.children_.push_back(c);
    }
  }
  return out;
}

void FieldSet::IteratePrefix(Path* prefix, const std::function<void(const Path&)>& fn) const {
  for (const PathElement& m : members_) {
    prefix->push_back(m);
    fn(*prefix);
    prefix->pop_back();
  }
  for (const Child& c : children_) {
    prefix->push_back(c.pe);
    c.set.IteratePrefix(prefix, fn);
    prefix->pop_back();
  }
}

void FieldSet::Iterate(const std::function<void(const Path&)>& fn) const {
  Path prefix;
  IteratePrefix(&prefix, fn);
}

std::vector<std::string> FieldSet::Paths() const {
  std::vector<std::string> out;
  Iterate([&](const Path& p) { out.push_back(PathString(p)); });
  return out;
}

bool operator==(const FieldSet& a, const FieldSet& b) {
  if (a.members_.size() != b.members_.size() || a.children_.size() != b.children_.size()) return false;
  for (size_t i = 0; i < a.members_.size(); ++i) {
    if (!(a.members_[i] == b.members_[i])) return false;
  }
  for (size_t i = 0; i < a.children_.size(); ++i) {
    if (!(a.children_[i].pe == b.children_[i].pe) || !(a.children_[i].set == b.children_[i].set)) return false;
  }
  return true;
}

// FieldsV1 reading (serialize.go readIterV1). Inserts the paths below `prefix` found in
// `node` into `out`; `*is_member` tells whether the node itself is a member (it has "." or
// no children at all).
namespace {

Status ReadFieldsV1(const Value& node, Path* prefix, FieldSet* out, bool* is_member) {
  if (prefix->size() > static_cast<size_t>(kMaxDepth)) {
    return InvalidArgument("fieldsV1 is nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  *is_member = false;
  if (node.is_null()) {
    *is_member = true;
    return Status::Ok();
  }
  if (!node.is_object()) return InvalidArgument("ReadMapCB: expect { or n, but found a non-object value");
  bool has_children = false;
  for (const Member& m : node.as_object()) {
    if (m.key == ".") {
      *is_member = true;
      continue;
    }
    auto pe = PathElement::Deserialize(m.key);
    if (!pe.ok()) {
      if (pe.status().code() == StatusCode::kUnimplemented) continue;  // a future kind: dropped
      return InvalidArgument("parsing key as path element: " + std::string(pe.status().message()));
    }
    has_children = true;
    prefix->push_back(std::move(pe).value());
    bool child_member = false;
    KS_RETURN_IF_ERROR(ReadFieldsV1(m.value, prefix, out, &child_member));
    if (child_member) out->Insert(*prefix);
    prefix->pop_back();
  }
  if (!has_children) *is_member = true;
  return Status::Ok();
}

}  // namespace

Result<FieldSet> FieldSet::FromFieldsV1(const Value& fields) {
  FieldSet out;
  Path prefix;
  bool root_member = false;
  KS_RETURN_IF_ERROR(ReadFieldsV1(fields, &prefix, &out, &root_member));
  return out;
}

Result<FieldSet> FieldSet::FromFieldsV1Json(std::string_view json) {
  auto v = ParseJson(json);
  if (!v.ok()) return InvalidArgument(std::string(v.status().message()));
  KS_RETURN_IF_ERROR(internal::CheckDepth(*v, "fieldsV1"));
  return FromFieldsV1(*v);
}

void FieldSet::AppendJson(std::string* out, bool include_self) const {
  out->push_back('{');
  bool first = true;
  auto comma = [&] {
    if (!first) out->push_back(',');
    first = false;
  };
  if (include_self && !(members_.empty() && children_.empty())) {
    comma();
    out->append("\".\":{}");
  }
  size_t mi = 0, ci = 0;
  while (mi < members_.size() || ci < children_.size()) {
    int c;
    if (mi == members_.size()) {
      c = 1;
    } else if (ci == children_.size()) {
      c = -1;
    } else {
      c = Compare(members_[mi], children_[ci].pe);
    }
    comma();
    if (c < 0) {
      ej::AppendString(out, members_[mi].Serialize());
      out->append(":{}");
      ++mi;
    } else {
      ej::AppendString(out, children_[ci].pe.Serialize());
      out->push_back(':');
      children_[ci].set.AppendJson(out, c == 0);
      if (c == 0) ++mi;
      ++ci;
    }
  }
  out->push_back('}');
}

std::string FieldSet::ToFieldsV1Json() const {
  std::string out;
  AppendJson(&out, false);
  return out;
}

Value FieldSet::ToValue(bool include_self) const {
  std::vector<Member> members;
  if (include_self && !(members_.empty() && children_.empty())) members.push_back({".", Value::EmptyObject()});
  for (const PathElement& m : members_) {
    if (WithPrefix(m) != nullptr) continue;  // written with its children
    members.push_back({m.Serialize(), Value::EmptyObject()});
  }
  for (const Child& c : children_) members.push_back({c.pe.Serialize(), c.set.ToValue(MembersHave(members_, c.pe))});
  return Value::FromMembers(std::move(members));
}

Value FieldSet::ToFieldsV1() const { return ToValue(false); }

}  // namespace kstream::api::fieldmanager
