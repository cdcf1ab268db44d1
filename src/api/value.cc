#include "api/value.h"

#include <algorithm>
#include <cmath>

namespace kstream::api {
namespace {

struct KeyLess {
  bool operator()(const Member& m, std::string_view key) const { return m.key < key; }
};

}  // namespace

Value Value::EmptyObject() {
  Value v;
  v.v_ = Object{};
  return v;
}

Value Value::FromMembers(std::vector<Member> members) {
  // Input written by a Go-compatible encoder is already strictly sorted: keep it as is.
  bool sorted = true;
  for (size_t i = 1; i < members.size() && sorted; ++i) sorted = members[i - 1].key < members[i].key;
  if (sorted) {
    Value v;
    v.v_ = std::move(members);
    return v;
  }
  // Stable sort keeps the input order among equal keys; the last of each run wins.
  std::stable_sort(members.begin(), members.end(),
                   [](const Member& a, const Member& b) { return a.key < b.key; });
  Object out;
  out.reserve(members.size());
  for (auto& m : members) {
    if (!out.empty() && out.back().key == m.key) {
      out.back().value = std::move(m.value);
    } else {
      out.push_back(std::move(m));
    }
  }
  Value v;
  v.v_ = std::move(out);
  return v;
}

const Value* Value::Find(std::string_view key) const {
  const Object& obj = std::get<Object>(v_);
  auto it = std::lower_bound(obj.begin(), obj.end(), key, KeyLess{});
  if (it == obj.end() || it->key != key) return nullptr;
  return &it->value;
}

Value* Value::Find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->Find(key));
}

Value& Value::Set(std::string_view key, Value value) {
  if (is_null()) v_ = Object{};
  Object& obj = std::get<Object>(v_);
  auto it = std::lower_bound(obj.begin(), obj.end(), key, KeyLess{});
  if (it != obj.end() && it->key == key) {
    it->value = std::move(value);
    return it->value;
  }
  it = obj.insert(it, Member{std::string(key), std::move(value)});
  return it->value;
}

bool Value::Erase(std::string_view key) {
  Object& obj = std::get<Object>(v_);
  auto it = std::lower_bound(obj.begin(), obj.end(), key, KeyLess{});
  if (it == obj.end() || it->key != key) return false;
  obj.erase(it);
  return true;
}

namespace {

bool IsNonEmptyContainer(const Value& v) {
  return (v.is_array() && !v.as_array().empty()) || (v.is_object() && !v.as_object().empty());
}

}  // namespace

void Value::FlattenForDestruction() {
  // Fast path: no nested non-empty container, so the variant's own destruction is shallow.
  bool nested = false;
  if (is_array()) {
    for (const Value& e : std::get<Array>(v_)) nested = nested || IsNonEmptyContainer(e);
  } else {
    for (const Member& m : std::get<Object>(v_)) nested = nested || IsNonEmptyContainer(m.value);
  }
  if (!nested) return;
  // Move every nested container onto a worklist, and theirs in turn, so that each Value is
  // destroyed with no nested containers left (no recursion).
  std::vector<Value> work;
  auto take_children = [&work](Value& v) {
    if (v.is_array()) {
      for (Value& e : std::get<Array>(v.v_)) {
        if (IsNonEmptyContainer(e)) work.push_back(std::move(e));
      }
    } else if (v.is_object()) {
      for (Member& m : std::get<Object>(v.v_)) {
        if (IsNonEmptyContainer(m.value)) work.push_back(std::move(m.value));
      }
    }
  };
  take_children(*this);
  while (!work.empty()) {
    Value v = std::move(work.back());
    work.pop_back();
    take_children(v);
  }
}

// Copies recursively (depth-first, which lays a copied tree out in memory in the order
// encoders walk it) for the first kCopyRecursionLimit levels, and with an explicit stack
// below that, so native stack use stays bounded however deep the value is.
void Value::CopyFrom(const Value& other) { CopyFrom(other, 0); }

void Value::CopyFrom(const Value& other, int depth) {
  constexpr int kCopyRecursionLimit = 64;
  if (depth >= kCopyRecursionLimit) {
    CopyIteratively(other);
    return;
  }
  auto copy_child = [depth](const Value& from, Value& to) {
    if (from.kind() < Kind::kArray) {
      to.v_ = from.v_;
    } else {
      to.CopyFrom(from, depth + 1);
    }
  };
  if (other.is_array()) {
    const Array& src = other.as_array();
    Array dst(src.size());
    for (size_t i = 0; i < src.size(); ++i) copy_child(src[i], dst[i]);
    v_ = std::move(dst);
  } else if (other.is_object()) {
    const Object& src = other.as_object();
    Object dst(src.size());
    for (size_t i = 0; i < src.size(); ++i) {
      dst[i].key = src[i].key;
      copy_child(src[i].value, dst[i].value);
    }
    v_ = std::move(dst);
  } else {
    v_ = other.v_;
  }
}

void Value::CopyIteratively(const Value& other) {
  struct Job {
    const Value* from;
    Value* to;
  };
  std::vector<Job> jobs = {{&other, this}};
  while (!jobs.empty()) {
    Job job = jobs.back();
    jobs.pop_back();
    const Value& from = *job.from;
    Value& to = *job.to;
    if (from.is_array()) {
      const Array& src = from.as_array();
      to.v_ = Array(src.size());  // sized before any job points into it
      Array& dst = std::get<Array>(to.v_);
      for (size_t i = src.size(); i-- > 0;) {  // last to first: the first child is next
        if (src[i].kind() < Kind::kArray) {
          dst[i].v_ = src[i].v_;
        } else {
          jobs.push_back({&src[i], &dst[i]});
        }
      }
    } else if (from.is_object()) {
      const Object& src = from.as_object();
      to.v_ = Object(src.size());
      Object& dst = std::get<Object>(to.v_);
      for (size_t i = src.size(); i-- > 0;) {
        dst[i].key = src[i].key;
        if (src[i].value.kind() < Kind::kArray) {
          dst[i].value.v_ = src[i].value.v_;
        } else {
          jobs.push_back({&src[i].value, &dst[i].value});
        }
      }
    } else {
      to.v_ = from.v_;
    }
  }
}

bool operator==(const Value& a, const Value& b) {
  using Kind = Value::Kind;
  std::vector<std::pair<const Value*, const Value*>> pending = {{&a, &b}};
  while (!pending.empty()) {
    auto [x, y] = pending.back();
    pending.pop_back();
    if (x->kind() != y->kind()) return false;
    switch (x->kind()) {
      case Kind::kNull: break;
      case Kind::kBool:
        if (x->as_bool() != y->as_bool()) return false;
        break;
      case Kind::kInt:
        if (x->as_int() != y->as_int()) return false;
        break;
      case Kind::kFloat:
        if (x->as_float() != y->as_float() ||
            std::signbit(x->as_float()) != std::signbit(y->as_float())) {
          return false;
        }
        break;
      case Kind::kString:
        if (x->as_string() != y->as_string()) return false;
        break;
      case Kind::kArray: {
        const auto& xs = x->as_array();
        const auto& ys = y->as_array();
        if (xs.size() != ys.size()) return false;
        for (size_t i = 0; i < xs.size(); ++i) pending.emplace_back(&xs[i], &ys[i]);
        break;
      }
      case Kind::kObject: {
        const auto& xs = x->as_object();
        const auto& ys = y->as_object();
        if (xs.size() != ys.size()) return false;
        for (size_t i = 0; i < xs.size(); ++i) {
          if (xs[i].key != ys[i].key) return false;
          pending.emplace_back(&xs[i].value, &ys[i].value);
        }
        break;
      }
    }
  }
  return true;
}

}  // namespace kstream::api
