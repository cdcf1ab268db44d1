#include "api/value.h"

#include <algorithm>

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

bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

}  // namespace kstream::api
