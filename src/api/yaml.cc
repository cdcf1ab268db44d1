#include "api/yaml.h"

#include <yaml.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "api/json.h"
#include "encoding/json/encode.h"
#include "encoding/go_strconv.h"
#include "encoding/yaml/json_readback.h"
#include "encoding/yaml/key_order.h"
#include "encoding/yaml/resolve.h"
#include "encoding/yaml/unicode.h"

namespace kstream::api {
namespace ey = encoding::yaml;

// ---------------------------------------------------------------------------------------
// Output

namespace {

// Appends the plain scalar go-yaml writes for the float64 `f` after a JSON round trip: the
// JSON text is resolved again (an int, a uint64, or a float written with 'g').
Status AppendYamlNumber(double f, std::string* text) {
  if (!std::isfinite(f)) return encoding::json::AppendFloat64(text, f);  // the JSON error
  if (std::trunc(f) != f || std::fabs(f) >= 1e21) {
    // Go's JSON text has a fraction or an exponent: go-yaml reads it as a float.
    encoding::AppendGoFloatG(text, f, 64);
    return Status::Ok();
  }
  KS_RETURN_IF_ERROR(encoding::json::AppendFloat64(text, f));
  bool integral = true;
  for (char c : *text) {
    if (!((c >= '0' && c <= '9') || c == '-')) {
      integral = false;
      break;
    }
  }
  if (integral) {
    int64_t i;
    uint64_t u;
    if (encoding::ParseGoInt(*text, &i)) {
      text->clear();
      encoding::json::AppendInt(text, i);  // "-0" -> "0"
      return Status::Ok();
    }
    if (encoding::ParseGoUint(*text, &u)) return Status::Ok();  // the text is the number
  }
  text->clear();
  encoding::AppendGoFloatG(text, f, 64);
  return Status::Ok();
}

// Walks a Value into an Emitter with an explicit stack (nesting never depends on the
// thread's stack size), reusing per-depth scratch space for mapping keys.
class YamlWriter {
 public:
  explicit YamlWriter(ey::Emitter* e) : e_(e) {}

  // Emits `root`, whose parent collection is at nesting `base_depth`.
  Status Emit(const Value& root, int base_depth) {
    stack_.clear();
    KS_RETURN_IF_ERROR(Node(root, base_depth));
    while (!stack_.empty()) {
      Frame& f = stack_.back();
      const int depth = f.depth;
      if (f.value->is_array()) {
        const Value::Array& arr = f.value->as_array();
        if (f.next == arr.size()) {
          e_->EndSequence();
          stack_.pop_back();
          continue;
        }
        const Value& child = arr[f.next++];
        KS_RETURN_IF_ERROR(Node(child, depth));
      } else {
        const Value::Object& obj = f.value->as_object();
        Scratch& s = scratch_[static_cast<size_t>(depth) - 1];
        if (f.next == s.order.size()) {
          e_->EndMapping();
          stack_.pop_back();
          continue;
        }
        uint32_t idx = s.order[f.next++];
        e_->String(s.keys[idx]);
        KS_RETURN_IF_ERROR(Node(obj[idx].value, depth));
      }
    }
    return Status::Ok();
  }

 private:
  struct Frame {
    const Value* value;  // an array or object being emitted
    int depth;           // its nesting (1 for a top-level collection)
    size_t next;         // next element, or next key in the sorted order
  };
  struct Scratch {
    std::vector<std::string_view> keys;
    std::vector<uint32_t> order;
    std::vector<std::string> storage;  // read-back keys that differ from the Value's
  };

  // Emits a scalar, or opens a collection (pushing a frame unless it is empty).
  Status Node(const Value& v, int parent_depth) {
    switch (v.kind()) {
      case Value::Kind::kNull:
        e_->PlainScalar("null");
        return Status::Ok();
      case Value::Kind::kBool:
        e_->PlainScalar(v.as_bool() ? "true" : "false");
        return Status::Ok();
      case Value::Kind::kInt:
        number_.clear();
        encoding::json::AppendInt(&number_, v.as_int());
        e_->PlainScalar(number_);
        return Status::Ok();
      case Value::Kind::kFloat:
        number_.clear();
        KS_RETURN_IF_ERROR(AppendYamlNumber(v.as_float(), &number_));
        e_->PlainScalar(number_);
        return Status::Ok();
      case Value::Kind::kString: {
        std::string_view s;
        KS_RETURN_IF_ERROR(
            ey::ReadBackJsonString(v.as_string(), ey::StringRole::kValue, &string_scratch_, &s));
        e_->String(s);
        return Status::Ok();
      }
      case Value::Kind::kArray: {
        if (parent_depth + 1 > kMaxJsonDepth) return OutOfRange("yaml: exceeded max depth");
        bool empty = v.as_array().empty();
        e_->BeginSequence(empty);
        if (empty) {
          e_->EndSequence();
        } else {
          stack_.push_back(Frame{&v, parent_depth + 1, 0});
        }
        return Status::Ok();
      }
      case Value::Kind::kObject: {
        if (parent_depth + 1 > kMaxJsonDepth) return OutOfRange("yaml: exceeded max depth");
        const Value::Object& obj = v.as_object();
        if (obj.empty()) {
          e_->BeginMapping(true);
          e_->EndMapping();
          return Status::Ok();
        }
        KS_RETURN_IF_ERROR(PrepareKeys(obj, parent_depth + 1));
        e_->BeginMapping(false);
        stack_.push_back(Frame{&v, parent_depth + 1, 0});
        return Status::Ok();
      }
    }
    return Internal("unknown value kind");
  }

  // Fills scratch_[depth - 1] with the object's keys as go-yaml reads them back and their
  // go-yaml order.
  Status PrepareKeys(const Value::Object& obj, int depth) {
    if (scratch_.size() < static_cast<size_t>(depth)) scratch_.resize(static_cast<size_t>(depth));
    Scratch& s = scratch_[static_cast<size_t>(depth) - 1];
    s.keys.clear();
    s.order.clear();
    s.storage.clear();
    bool changed = false;
    for (const Member& m : obj) {
      std::string_view key;
      std::string tmp;
      KS_RETURN_IF_ERROR(ey::ReadBackJsonString(m.key, ey::StringRole::kMapKey, &tmp, &key));
      if (key.data() != m.key.data()) {
        changed = true;
        s.storage.push_back(std::move(tmp));
      }
      s.keys.push_back(key);
    }
    if (changed) {
      // Views into `storage` may have moved while it grew: recompute them.
      size_t k = 0;
      for (size_t i = 0; i < obj.size(); ++i) {
        if (s.keys[i].data() != obj[i].key.data()) s.keys[i] = s.storage[k++];
      }
    }
    if (!changed) {
      for (uint32_t i = 0; i < obj.size(); ++i) s.order.push_back(i);
    } else {
      // Keys that read back equal (invalid UTF-8 replaced) are one YAML key: the JSON text
      // has them in bytewise order of the originals and go-yaml keeps the last. Find the
      // last of each run of equal keys by sorting (not by comparing all pairs).
      std::vector<uint32_t> by_key(obj.size());
      for (uint32_t i = 0; i < obj.size(); ++i) by_key[i] = i;
      std::stable_sort(by_key.begin(), by_key.end(),
                       [&s](uint32_t a, uint32_t b) { return s.keys[a] < s.keys[b]; });
      for (size_t k = 0; k < by_key.size(); ++k) {
        bool later_twin = k + 1 < by_key.size() && s.keys[by_key[k + 1]] == s.keys[by_key[k]];
        if (!later_twin) s.order.push_back(by_key[k]);
      }
      std::sort(s.order.begin(), s.order.end());
    }
    ey::SortKeyIndexes(s.keys, &s.order);
    return Status::Ok();
  }

  ey::Emitter* e_;
  std::string number_;
  std::string string_scratch_;
  std::vector<Frame> stack_;
  std::vector<Scratch> scratch_;
};

}  // namespace

Status EmitYamlNode(const Value& v, ey::Emitter* emitter) {
  YamlWriter w(emitter);
  return w.Emit(v, static_cast<int>(emitter->depth()));
}

Status AppendYaml(const Value& v, std::string* out) {
  const size_t start = out->size();
  ey::Emitter e(out);
  YamlWriter w(&e);
  Status st = w.Emit(v, 0);
  if (!st.ok()) {
    out->resize(start);
    return st;
  }
  e.EndDocument();
  return Status::Ok();
}

Result<std::string> ToYaml(const Value& v) {
  std::string out;
  KS_RETURN_IF_ERROR(AppendYaml(v, &out));
  return out;
}

// ---------------------------------------------------------------------------------------
// Input

namespace {

// A node of one document, as go-yaml v2's parser builds them from libyaml events.
// Children are linked (first_child / next_sibling) to avoid per-node allocations; texts
// live in the document's arena.
struct Node {
  enum class Kind : uint8_t { kScalar, kSequence, kMapping, kAlias };
  Kind kind;
  bool implicit = false;      // scalar: plain and untagged (or tagged "!")
  bool alias_active = false;  // alias: being expanded (cycle detection)
  uint32_t line = 0, column = 0;
  uint32_t text_off = 0, text_len = 0;  // scalar value or alias name
  uint32_t tag_off = 0, tag_len = 0;
  int32_t target = -1;  // alias: the anchored node
  int32_t first_child = -1, last_child = -1, next_sibling = -1;
  uint32_t child_count = 0;
};

std::string Position(uint32_t line, uint32_t column) {
  return "line " + std::to_string(line + 1) + ", column " + std::to_string(column + 1);
}

// Go's base64.StdEncoding.DecodeString: padded standard alphabet; \r and \n are ignored.
bool DecodeBase64(std::string_view in, std::string* out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string clean;
  clean.reserve(in.size());
  for (char c : in) {
    if (c != '\r' && c != '\n') clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return false;
  out->clear();
  for (size_t i = 0; i < clean.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = clean[i + static_cast<size_t>(k)];
      if (c == '=') {
        if (i + 4 != clean.size() || k < 2) return false;
        v[k] = 0;
        ++pad;
      } else {
        if (pad > 0) return false;
        v[k] = val(c);
        if (v[k] < 0) return false;
      }
    }
    uint32_t bits = static_cast<uint32_t>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    out->push_back(static_cast<char>(bits >> 16));
    if (pad < 2) out->push_back(static_cast<char>((bits >> 8) & 0xFF));
    if (pad < 1) out->push_back(static_cast<char>(bits & 0xFF));
    // Go rejects non-zero trailing bits only in strict mode; StdEncoding is not strict.
  }
  return true;
}

// json.Marshal's treatment of invalid UTF-8: each bad byte becomes U+FFFD.
std::string CoerceUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  encoding::AppendCoercedUtf8(&out, s);
  return out;
}

// go-yaml v2's allowedAliasRatio.
double AllowedAliasRatio(int64_t decode_count) {
  constexpr double kLow = 400000, kHigh = 4000000;
  if (decode_count <= kLow) return 0.99;
  if (decode_count >= kHigh) return 0.10;
  return 0.99 - 0.89 * ((static_cast<double>(decode_count) - kLow) / (kHigh - kLow));
}

// The value a finite float64 has after json.Marshal and unstructured JSON decoding: its
// Go JSON text, if integer-looking and within int64, is an int64 (the text's value: 2^62
// is written 4611686018427388000 with shortest digits, and -2^63 as -9223372036854776000,
// which is out of range and stays a float).
Value JsonNumber(double f) {
  if (std::trunc(f) != f || std::fabs(f) >= 1e21) return Value(f);
  std::string text;
  text.reserve(32);
  if (!encoding::json::AppendFloat64(&text, f).ok()) return Value(f);
  int64_t i;
  if (encoding::ParseGoInt(text, &i)) return Value(i);  // decimal digits only here
  return Value(f);
}

// One document: the node tree (filled by ParseStream from libyaml events, as go-yaml v2's
// parser builds it), then go-yaml v2's decoding of it into a Value.
class Document {
 public:
  explicit Document(size_t input_size)
      : alias_budget_(std::max<size_t>(size_t{32} << 20, input_size * 8)) {}

  void Reset() {
    nodes.clear();
    arena.clear();
    anchors.clear();
    root = -1;
  }

  std::vector<Node> nodes;
  std::string arena;
  std::unordered_map<std::string, int32_t> anchors;
  int32_t root = -1;

  std::string_view Text(const Node& n) const { return std::string_view(arena).substr(n.text_off, n.text_len); }
  std::string_view Tag(const Node& n) const { return std::string_view(arena).substr(n.tag_off, n.tag_len); }

  Status Decode(Value* out) {
    decode_count_ = 0;
    alias_count_ = 0;
    alias_depth_ = 0;
    alias_bytes_ = 0;
    nonfinite_ = 0;
    if (root < 0) {
      *out = Value();
      return Status::Ok();
    }
    ++decode_count_;  // the document node
    KS_RETURN_IF_ERROR(Unmarshal(root, out));
    if (nonfinite_ > 0) KS_RETURN_IF_ERROR(CheckFinite(*out));
    return Status::Ok();
  }

 private:
  Status Count(const Node& n) {
    ++decode_count_;
    if (alias_depth_ > 0) {
      ++alias_count_;
      alias_bytes_ += 16 + (n.kind == Node::Kind::kScalar ? n.text_len : 0);
      if (alias_bytes_ > alias_budget_) {
        return ResourceExhausted("yaml: document expands to more than " +
                                 std::to_string(alias_budget_) + " bytes through aliases");
      }
    }
    if (alias_count_ > 100 && decode_count_ > 1000 &&
        static_cast<double>(alias_count_) / static_cast<double>(decode_count_) >
            AllowedAliasRatio(decode_count_)) {
      return ResourceExhausted("yaml: document contains excessive aliasing");
    }
    return Status::Ok();
  }

  // go-yaml's d.unmarshal(n, interface{}) followed by the JSON conversion of the result,
  // with an explicit stack instead of recursion so that nesting (up to kMaxJsonDepth, and
  // through aliases) never depends on the thread's stack size. Frames live in a deque, so
  // pointers into lower frames stay valid while frames are pushed and popped above them.
  struct Frame {
    enum class Type : uint8_t { kNode, kSequence, kMapping, kMerge };
    Frame(Type t, int32_t n, int d, Value* o) : type(t), node(n), depth(d), out(o) {}
    Type type;
    int32_t node;               // kNode/kMerge: the node to decode; else the collection
    int depth;                  // kNode/kMerge: depth of the parent; else the collection's
    Value* out;                 // kNode/kSequence/owning kMapping: where the result goes
    int32_t next_child = -1;    // kSequence/kMapping: the next child (or key) to process
    int32_t release_alias = -1; // an alias node to deactivate when this frame is done
    Value::Array items;                     // kSequence
    std::vector<Member> own;                // owning kMapping
    std::vector<Member>* members = nullptr; // kMapping: own, or the map merged into
    bool awaiting_value = false;            // kMapping: `pending` is being decoded
    Member pending;                         // kMapping: key and value being decoded
  };

  Status Unmarshal(int32_t top, Value* result) {
    std::deque<Frame> stack;
    stack.emplace_back(Frame::Type::kNode, top, 0, result);
    while (!stack.empty()) {
      Frame& f = stack.back();
      switch (f.type) {
        case Frame::Type::kNode:
        case Frame::Type::kMerge: {
          bool done = false;
          KS_RETURN_IF_ERROR(EnterNode(&f, &done));
          if (done) Leave(&stack);
          break;
        }
        case Frame::Type::kSequence: {
          if (f.next_child < 0) {
            *f.out = Value(std::move(f.items));
            Leave(&stack);
            break;
          }
          int32_t c = f.next_child;
          f.next_child = nodes[static_cast<size_t>(c)].next_sibling;
          f.items.emplace_back();  // reserved: no reallocation
          Value* slot = &f.items.back();
          int depth = f.depth;
          stack.emplace_back(Frame::Type::kNode, c, depth, slot);
          break;
        }
        case Frame::Type::kMapping: {
          if (f.awaiting_value) {
            f.members->push_back(std::move(f.pending));
            f.pending = Member();
            f.awaiting_value = false;
          }
          if (f.next_child < 0) {
            if (f.out != nullptr) {
              *f.out = f.own.empty() ? Value::EmptyObject() : Value::FromMembers(std::move(f.own));
            }
            Leave(&stack);
            break;
          }
          int32_t k = f.next_child;
          int32_t v = nodes[static_cast<size_t>(k)].next_sibling;
          if (v < 0) return Internal("yaml: mapping without value");
          f.next_child = nodes[static_cast<size_t>(v)].next_sibling;
          if (IsMerge(nodes[static_cast<size_t>(k)])) {
            KS_RETURN_IF_ERROR(PushMerge(v, &stack));
            break;
          }
          KS_RETURN_IF_ERROR(DecodeKey(k, &f.pending.key));
          f.awaiting_value = true;
          Value* slot = &f.pending.value;
          int depth = f.depth;
          stack.emplace_back(Frame::Type::kNode, v, depth, slot);
          break;
        }
      }
    }
    return Status::Ok();
  }

  // Pops the finished top frame, releasing the alias it expanded.
  void Leave(std::deque<Frame>* stack) {
    int32_t alias = stack->back().release_alias;
    if (alias >= 0) {
      nodes[static_cast<size_t>(alias)].alias_active = false;
      --alias_depth_;
    }
    stack->pop_back();
  }

  // A kNode or kMerge frame: counts the node (and the alias it may be), then decodes a
  // scalar in place (*done) or turns the frame into a collection frame.
  Status EnterNode(Frame* f, bool* done) {
    Node* n = &nodes[static_cast<size_t>(f->node)];
    KS_RETURN_IF_ERROR(Count(*n));
    if (n->kind == Node::Kind::kAlias) {
      if (n->alias_active) {
        return InvalidArgument("yaml: anchor '" + std::string(Text(*n)) + "' value contains itself");
      }
      n->alias_active = true;
      ++alias_depth_;
      f->release_alias = f->node;
      f->node = n->target;
      n = &nodes[static_cast<size_t>(f->node)];
      KS_RETURN_IF_ERROR(Count(*n));
    }
    if (f->type == Frame::Type::kMerge) {
      // Checked by PushMerge: a mapping, merged into the map below.
      f->type = Frame::Type::kMapping;
      f->next_child = n->first_child;
      return Status::Ok();
    }
    switch (n->kind) {
      case Node::Kind::kScalar:
        KS_RETURN_IF_ERROR(DecodeScalar(*n, f->out));
        *done = true;
        return Status::Ok();
      case Node::Kind::kSequence:
        if (f->depth + 1 > kMaxJsonDepth) return InvalidArgument("yaml: exceeded max depth of 10000");
        f->type = Frame::Type::kSequence;
        f->depth += 1;
        f->items.reserve(n->child_count);
        f->next_child = n->first_child;
        return Status::Ok();
      case Node::Kind::kMapping:
        if (f->depth + 1 > kMaxJsonDepth) return InvalidArgument("yaml: exceeded max depth of 10000");
        f->type = Frame::Type::kMapping;
        f->depth += 1;
        f->own.reserve(n->child_count / 2);
        f->members = &f->own;
        f->next_child = n->first_child;
        return Status::Ok();
      case Node::Kind::kAlias:
        break;  // an alias never targets an alias
    }
    return Internal("yaml: alias of an alias");
  }

  bool IsMerge(const Node& k) const {
    return k.kind == Node::Kind::kScalar && Text(k) == "<<" &&
           (k.implicit || Tag(k) == ey::kMergeTag);
  }

  Status FailWantMap(const Node& n) {
    return InvalidArgument("yaml: " + Position(n.line, n.column) +
                           ": map merge requires map or sequence of maps as the value");
  }

  // go-yaml's d.merge for the value node `idx` of a `<<` key in the mapping on top of the
  // stack: a map or an alias of a map is merged into it; for a sequence of those, earlier
  // ones take precedence, so they are merged last (pushed first).
  Status PushMerge(int32_t idx, std::deque<Frame>* stack) {
    Frame& map = stack->back();
    std::vector<Member>* members = map.members;
    const int depth = map.depth;
    const Node& n = nodes[static_cast<size_t>(idx)];
    auto is_map_or_alias_of_map = [&](const Node& x) {
      if (x.kind == Node::Kind::kMapping) return true;
      return x.kind == Node::Kind::kAlias &&
             nodes[static_cast<size_t>(x.target)].kind == Node::Kind::kMapping;
    };
    auto push = [&](int32_t node) {
      stack->emplace_back(Frame::Type::kMerge, node, depth, nullptr);
      stack->back().members = members;
    };
    switch (n.kind) {
      case Node::Kind::kMapping:
      case Node::Kind::kAlias:
        if (!is_map_or_alias_of_map(n)) return FailWantMap(n);
        push(idx);
        return Status::Ok();
      case Node::Kind::kSequence:
        for (int32_t c = n.first_child; c >= 0; c = nodes[static_cast<size_t>(c)].next_sibling) {
          if (!is_map_or_alias_of_map(nodes[static_cast<size_t>(c)])) {
            return FailWantMap(nodes[static_cast<size_t>(c)]);
          }
        }
        for (int32_t c = n.first_child; c >= 0; c = nodes[static_cast<size_t>(c)].next_sibling) {
          push(c);
        }
        return Status::Ok();
      default:
        return FailWantMap(n);
    }
  }

  // A mapping key: go-yaml's decoding into interface{}, then sigs.k8s.io/yaml's
  // conversion of the key to a string.
  Status DecodeKey(int32_t idx, std::string* key) {
    Node* n = &nodes[static_cast<size_t>(idx)];
    KS_RETURN_IF_ERROR(Count(*n));
    // Follow aliases (their expansion counts like go-yaml's).
    int guard = 0;
    while (n->kind == Node::Kind::kAlias) {
      if (++guard > 1000) return InvalidArgument("yaml: alias chain too long");
      ++alias_depth_;
      Status st = Count(nodes[static_cast<size_t>(n->target)]);
      --alias_depth_;
      KS_RETURN_IF_ERROR(st);
      n = &nodes[static_cast<size_t>(n->target)];
    }
    if (n->kind != Node::Kind::kScalar) {
      return InvalidArgument("yaml: " + Position(n->line, n->column) + ": invalid map key: " +
                             (n->kind == Node::Kind::kMapping ? "a mapping" : "a sequence"));
    }
    std::string_view text = Text(*n);
    std::string_view tag = Tag(*n);
    if (tag.empty() && !n->implicit) {
      key->assign(text);
      return Status::Ok();
    }
    ey::Resolved r;
    std::string error;
    if (!ey::Resolve(tag, text, &r, &error)) {
      return InvalidArgument("yaml: " + Position(n->line, n->column) + ": " + error);
    }
    using K = ey::Resolved::Kind;
    switch (r.kind) {
      case K::kNull:
        return InvalidArgument("yaml: " + Position(n->line, n->column) +
                               ": unsupported map key of type: <nil> (a null key)");
      case K::kBool:
        key->assign(r.b ? "true" : "false");
        return Status::Ok();
      case K::kInt:
        key->clear();
        encoding::json::AppendInt(key, r.i);
        return Status::Ok();
      case K::kUint:
        return InvalidArgument("yaml: " + Position(n->line, n->column) +
                               ": unsupported map key of type: uint64, key: " + std::string(text));
      case K::kFloat: {
        key->clear();
        if (std::isnan(r.f)) {
          key->assign(".nan");
        } else if (std::isinf(r.f)) {
          key->assign(r.f > 0 ? ".inf" : "-.inf");
        } else {
          encoding::AppendGoFloatG(key, r.f, 32);
          if (*key == "+Inf") *key = ".inf";
          if (*key == "-Inf") *key = "-.inf";
        }
        return Status::Ok();
      }
      case K::kBinary: {
        std::string data;
        if (!DecodeBase64(text, &data)) {
          return InvalidArgument("yaml: !!binary value contains invalid base64 data");
        }
        *key = CoerceUtf8(data);
        return Status::Ok();
      }
      default:  // string, timestamp text, custom tag
        key->assign(text);
        return Status::Ok();
    }
  }

  Status DecodeScalar(const Node& n, Value* out) {
    std::string_view text = Text(n);
    std::string_view tag = Tag(n);
    if (tag.empty() && !n.implicit) {
      *out = Value(text);
      return Status::Ok();
    }
    ey::Resolved r;
    std::string error;
    if (!ey::Resolve(tag, text, &r, &error)) {
      return InvalidArgument("yaml: " + Position(n.line, n.column) + ": " + error);
    }
    using K = ey::Resolved::Kind;
    switch (r.kind) {
      case K::kNull: *out = Value(); break;
      case K::kBool: *out = Value(r.b); break;
      case K::kInt: *out = Value(r.i); break;
      case K::kUint: *out = Value(static_cast<double>(r.u)); break;
      case K::kFloat:
        if (!std::isfinite(r.f)) ++nonfinite_;
        *out = std::isfinite(r.f) ? JsonNumber(r.f) : Value(r.f);
        break;
      case K::kBinary: {
        std::string data;
        if (!DecodeBase64(text, &data)) {
          return InvalidArgument("yaml: !!binary value contains invalid base64 data");
        }
        *out = Value(CoerceUtf8(data));
        break;
      }
      default: *out = Value(text); break;
    }
    return Status::Ok();
  }

  // json.Marshal fails on NaN and infinities that survived into the result (a later
  // duplicate key may have replaced them). Iterative, like the decoder.
  static Status CheckFinite(const Value& root) {
    std::vector<const Value*> todo = {&root};
    while (!todo.empty()) {
      const Value& v = *todo.back();
      todo.pop_back();
      switch (v.kind()) {
        case Value::Kind::kFloat:
          if (!std::isfinite(v.as_float())) {
            return InvalidArgument(std::isnan(v.as_float()) ? "json: unsupported value: NaN"
                                   : v.as_float() > 0     ? "json: unsupported value: +Inf"
                                                          : "json: unsupported value: -Inf");
          }
          break;
        // Children pushed last to first: the walk is in document order (json.Marshal's
        // order), so the error names the first non-finite value, as Go's does.
        case Value::Kind::kArray: {
          const auto& items = v.as_array();
          for (size_t i = items.size(); i-- > 0;) todo.push_back(&items[i]);
          break;
        }
        case Value::Kind::kObject: {
          const auto& members = v.as_object();
          for (size_t i = members.size(); i-- > 0;) todo.push_back(&members[i].value);
          break;
        }
        default:
          break;
      }
    }
    return Status::Ok();
  }

  const size_t alias_budget_;
  int64_t decode_count_ = 0;
  int64_t alias_count_ = 0;
  int alias_depth_ = 0;
  size_t alias_bytes_ = 0;
  size_t nonfinite_ = 0;
};

class LibyamlParser {
 public:
  explicit LibyamlParser(std::string_view input) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(input.data()),
                                 input.size());
  }
  ~LibyamlParser() { yaml_parser_delete(&parser_); }
  LibyamlParser(const LibyamlParser&) = delete;
  LibyamlParser& operator=(const LibyamlParser&) = delete;

  // The next event; false on a syntax error (see Error()).
  bool Next(yaml_event_t* event) { return yaml_parser_parse(&parser_, event) != 0; }

  // The parser's error; `line_offset` is added to the lines it reports.
  Status Error(uint32_t line_offset) const {
    std::string msg = "yaml: ";
    const char* problem = parser_.problem ? parser_.problem : "unknown problem parsing YAML content";
    switch (parser_.error) {
      case YAML_MEMORY_ERROR:
        return ResourceExhausted("yaml: out of memory");
      case YAML_READER_ERROR:
        msg += problem;
        msg += " (at byte offset " + std::to_string(parser_.problem_offset);
        if (parser_.problem_value != -1) {
          char buf[16];
          std::snprintf(buf, sizeof(buf), "#%X", static_cast<unsigned>(parser_.problem_value));
          msg += std::string(", character ") + buf;
        }
        msg += ")";
        return InvalidArgument(std::move(msg));
      default:
        msg += Position(static_cast<uint32_t>(parser_.problem_mark.line) + line_offset,
                        static_cast<uint32_t>(parser_.problem_mark.column));
        msg += ": ";
        msg += problem;
        if (parser_.context) {
          msg += " (";
          msg += parser_.context;
          msg += " at " + Position(static_cast<uint32_t>(parser_.context_mark.line) + line_offset,
                                   static_cast<uint32_t>(parser_.context_mark.column));
          msg += ")";
        }
        return InvalidArgument(std::move(msg));
    }
  }

 private:
  yaml_parser_t parser_;
};

struct EventGuard {
  yaml_event_t event;
  bool live = false;
  ~EventGuard() {
    if (live) yaml_event_delete(&event);
  }
  void Release() {
    if (live) yaml_event_delete(&event);
    live = false;
  }
};

// Parses the stream, decoding each document as soon as it is complete. `on_document`
// receives each decoded Value and returns a Status (to stop early).
// `line_offset` is the line of `input` within the caller's text (for messages); with
// `first_only`, parsing stops after the first document (go-yaml's Unmarshal reads one
// document and never looks at the rest).
template <typename OnDocument>
Status ParseStream(std::string_view input, uint32_t line_offset, bool first_only,
                   OnDocument on_document) {
  LibyamlParser parser(input);
  Document doc(input.size());
  std::vector<int32_t> open;  // open collections
  // For a mapping: whether the next child is a key; tracked implicitly by child_count.
  EventGuard ev;
  while (true) {
    ev.Release();
    if (!parser.Next(&ev.event)) return parser.Error(line_offset);
    ev.live = true;
    const yaml_event_t& e = ev.event;
    auto add_node = [&](Node::Kind kind, const yaml_char_t* anchor, const yaml_char_t* tag) -> int32_t {
      if (doc.nodes.size() >= static_cast<size_t>(INT32_MAX - 1)) return -1;
      Node n;
      n.kind = kind;
      n.line = static_cast<uint32_t>(e.start_mark.line) + line_offset;
      n.column = static_cast<uint32_t>(e.start_mark.column);
      if (tag != nullptr) {
        size_t len = std::strlen(reinterpret_cast<const char*>(tag));
        n.tag_off = static_cast<uint32_t>(doc.arena.size());
        n.tag_len = static_cast<uint32_t>(len);
        doc.arena.append(reinterpret_cast<const char*>(tag), len);
      }
      int32_t idx = static_cast<int32_t>(doc.nodes.size());
      doc.nodes.push_back(n);
      if (open.empty()) {
        doc.root = idx;
      } else {
        Node& parent = doc.nodes[static_cast<size_t>(open.back())];
        if (parent.last_child >= 0) {
          doc.nodes[static_cast<size_t>(parent.last_child)].next_sibling = idx;
        } else {
          parent.first_child = idx;
        }
        parent.last_child = idx;
        ++parent.child_count;
      }
      if (anchor != nullptr) doc.anchors[reinterpret_cast<const char*>(anchor)] = idx;
      return idx;
    };
    switch (e.type) {
      case YAML_STREAM_START_EVENT:
        break;
      case YAML_STREAM_END_EVENT:
        return Status::Ok();
      case YAML_DOCUMENT_START_EVENT:
        doc.Reset();
        open.clear();
        break;
      case YAML_DOCUMENT_END_EVENT: {
        Value v;
        KS_RETURN_IF_ERROR(doc.Decode(&v));
        doc.Reset();
        KS_RETURN_IF_ERROR(on_document(std::move(v)));
        if (first_only) return Status::Ok();
        break;
      }
      case YAML_ALIAS_EVENT: {
        const char* name = reinterpret_cast<const char*>(e.data.alias.anchor);
        auto it = doc.anchors.find(name);
        if (it == doc.anchors.end()) {
          return InvalidArgument("yaml: " +
                                 Position(static_cast<uint32_t>(e.start_mark.line) + line_offset,
                                          static_cast<uint32_t>(e.start_mark.column)) +
                                 ": unknown anchor '" + std::string(name) + "' referenced");
        }
        int32_t target = it->second;
        int32_t idx = add_node(Node::Kind::kAlias, nullptr, nullptr);
        if (idx < 0) return ResourceExhausted("yaml: too many nodes");
        Node& n = doc.nodes[static_cast<size_t>(idx)];
        n.target = target;
        size_t len = std::strlen(name);
        n.text_off = static_cast<uint32_t>(doc.arena.size());
        n.text_len = static_cast<uint32_t>(len);
        doc.arena.append(name, len);
        break;
      }
      case YAML_SCALAR_EVENT: {
        if (doc.arena.size() + e.data.scalar.length > UINT32_MAX - 1024) {
          return ResourceExhausted("yaml: document too large");
        }
        int32_t idx = add_node(Node::Kind::kScalar, e.data.scalar.anchor, e.data.scalar.tag);
        if (idx < 0) return ResourceExhausted("yaml: too many nodes");
        Node& n = doc.nodes[static_cast<size_t>(idx)];
        n.implicit = e.data.scalar.plain_implicit != 0;
        n.text_off = static_cast<uint32_t>(doc.arena.size());
        n.text_len = static_cast<uint32_t>(e.data.scalar.length);
        doc.arena.append(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (open.size() + 1 > static_cast<size_t>(kMaxJsonDepth)) {
          return InvalidArgument("yaml: " +
                                 Position(static_cast<uint32_t>(e.start_mark.line) + line_offset,
                                          static_cast<uint32_t>(e.start_mark.column)) +
                                 ": exceeded max depth of 10000");
        }
        bool seq = e.type == YAML_SEQUENCE_START_EVENT;
        int32_t idx = add_node(seq ? Node::Kind::kSequence : Node::Kind::kMapping,
                               seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor,
                               seq ? e.data.sequence_start.tag : e.data.mapping_start.tag);
        if (idx < 0) return ResourceExhausted("yaml: too many nodes");
        open.push_back(idx);
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (!open.empty()) open.pop_back();
        break;
      default:
        break;
    }
  }
}

}  // namespace

Result<Value> ParseYaml(std::string_view yaml) {
  Value result;
  bool have = false;
  Status st = ParseStream(yaml, 0, false, [&](Value v) -> Status {
    if (v.is_null()) return Status::Ok();
    if (have) return InvalidArgument("yaml: expected one document, found more than one");
    result = std::move(v);
    have = true;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return result;
}

namespace {

// Go's unicode.IsSpace for the rune at the start of s (0 if none); sets *width.
bool GoSpaceAt(std::string_view s, size_t* width) {
  if (s.empty()) return false;
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) {
    *width = 1;
    return true;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t len = encoding::ValidUtf8Length(p, s.size());
  if (len < 2) return false;
  char32_t r = encoding::DecodeUtf8(p, len);
  *width = len;
  return r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 ||
         r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

}  // namespace

// kubectl's document splitting (k8s.io/apimachinery/pkg/util/yaml YAMLReader on a
// LineReader): lines (CRLF read as LF) are collected until a line that starts with
// "---"; what follows "---" on that line may only be spaces or a comment. The separator
// line starts the next chunk. Each chunk then goes through YAMLToJSON, which decodes its
// first YAML document only.
Result<std::vector<Value>> ParseYamlDocuments(std::string_view yaml) {
  std::vector<Value> docs;
  std::string chunk;
  uint32_t chunk_line = 0;  // first line of `chunk`
  uint32_t line_no = 0;
  auto flush = [&]() -> Status {
    Status st = ParseStream(chunk, chunk_line, true, [&](Value v) -> Status {
      if (!v.is_null()) docs.push_back(std::move(v));
      return Status::Ok();
    });
    chunk.clear();
    return st;
  };
  size_t pos = 0;
  while (pos < yaml.size()) {
    size_t nl = yaml.find('\n', pos);
    std::string_view line = yaml.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? yaml.size() : nl + 1;
    if (nl != std::string_view::npos && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, 3) == "---") {
      std::string_view rest = line.substr(3);
      size_t w;
      while (GoSpaceAt(rest, &w)) rest.remove_prefix(w);
      if (!rest.empty() && rest[0] != '#') {
        while (!rest.empty() && GoSpaceAt(rest.substr(rest.size() - 1), &w)) rest.remove_suffix(1);
        return InvalidArgument("yaml: line " + std::to_string(line_no + 1) +
                               ": invalid Yaml document separator: " + std::string(rest));
      }
      if (!chunk.empty()) {
        KS_RETURN_IF_ERROR(flush());
        chunk_line = line_no;
      }
    }
    chunk.append(line);
    chunk.push_back('\n');
    ++line_no;
  }
  if (!chunk.empty()) KS_RETURN_IF_ERROR(flush());
  return docs;
}

}  // namespace kstream::api
