// Value: the unstructured object model (what custom resources and unknown kinds are).
//
// A Value is one of null, bool, int64, float64, string, array or object, i.e. what Go's
// `map[string]interface{}` holds after Kubernetes' unstructured decoding
// (sigs.k8s.io/json UnmarshalCaseSensitivePreserveInts): integers that fit int64 stay
// int64, every other number is float64. There is no "nil array" distinct from null: a JSON
// `null` is a null Value, `[]` an empty array.
//
// Objects keep their members sorted by key (bytewise, as Go sorts map keys on output) with
// unique keys, so encoders walk them in order without sorting. Mutators preserve that
// invariant; `Object` is exposed read-only for iteration.
//
// Values own their data (deep copies on copy); moves are cheap. Copying, comparing,
// encoding and destroying walk nested values with an explicit stack, not recursion, so a
// deeply nested value (up to the parsers' limit of 10000 levels, or deeper when built in
// code) costs heap, never native stack. Not thread-safe for concurrent mutation;
// concurrent const access is fine. References and pointers returned by accessors stay
// valid until the Value (or the containing member) is mutated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace kstream::api {

struct Member;

class Value {
 public:
  enum class Kind : uint8_t { kNull, kBool, kInt, kFloat, kString, kArray, kObject };
  using Array = std::vector<Value>;
  using Object = std::vector<Member>;  // sorted by key, keys unique

  // Implicit conversions from the C++ types, so `Value v = 3;` or `Set("k", "v")` read
  // naturally. (Defined below, once Member is complete.)
  Value();  // null
  Value(std::nullptr_t);
  Value(bool b);
  Value(int i);
  Value(long i);
  Value(long long i);
  Value(double d);
  Value(const char* s);
  Value(std::string_view s);
  Value(std::string s);
  Value(Array a);
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  // An object from members in any order; for duplicate keys the last one wins.
  static Value FromMembers(std::vector<Member> members);
  static Value EmptyObject();
  static Value EmptyArray() { return Value(Array{}); }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }

  // Accessors; calling one for the wrong kind is a programming error (std::bad_variant_access).
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_float() const { return std::get<double>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  std::string& mutable_string() { return std::get<std::string>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& mutable_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }

  // Object member access (the Value must be an object, or null for Set which turns it into
  // one). Find returns nullptr when absent.
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  // Inserts or replaces; returns the stored value.
  Value& Set(std::string_view key, Value value);
  // Removes a member; returns whether it existed.
  bool Erase(std::string_view key);

  // Structural equality: kinds must match (int 1 != float 1.0, -0.0 != 0.0, as they
  // encode differently); objects compare as maps.
  friend bool operator==(const Value& a, const Value& b);

 private:
  // Destroys nested containers iteratively; leaves *this shallow.
  void FlattenForDestruction();
  void CopyFrom(const Value& other);
  void CopyFrom(const Value& other, int depth);
  void CopyIteratively(const Value& other);

  std::variant<std::monostate, bool, int64_t, double, std::string, Array, Object> v_;
};

struct Member {
  std::string key;
  Value value;

  friend bool operator==(const Member& a, const Member& b) {
    return a.key == b.key && a.value == b.value;
  }
};

inline Value::Value() = default;
inline Value::Value(std::nullptr_t) {}
inline Value::Value(bool b) : v_(b) {}
inline Value::Value(int i) : v_(static_cast<int64_t>(i)) {}
inline Value::Value(long i) : v_(static_cast<int64_t>(i)) {}
inline Value::Value(long long i) : v_(static_cast<int64_t>(i)) {}
inline Value::Value(double d) : v_(d) {}
inline Value::Value(const char* s) : v_(std::string(s)) {}
inline Value::Value(std::string_view s) : v_(std::string(s)) {}
inline Value::Value(std::string s) : v_(std::move(s)) {}
inline Value::Value(Array a) : v_(std::move(a)) {}
inline Value::Value(const Value& other) {
  if (other.kind() < Kind::kArray) {
    v_ = other.v_;
  } else {
    CopyFrom(other);
  }
}
inline Value::Value(Value&&) noexcept = default;
inline Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    Value old(std::move(*this));  // destroyed iteratively
    v_ = std::move(other.v_);
  }
  return *this;
}
inline Value& Value::operator=(const Value& other) {
  if (this != &other) *this = Value(other);
  return *this;
}
inline Value::~Value() {
  if (kind() >= Kind::kArray) FlattenForDestruction();
}

}  // namespace kstream::api
