#include "api/yaml.h"

#include <yaml.h>

#include <cmath>
#include <cstring>
#include <unordered_map>

#include "api/json.h"
#include "encoding/json/encode.h"
#include "encoding/yaml/go_strconv.h"
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
    if (ey::ParseGoInt(*text, &i)) {
      text->clear();
      encoding::json::AppendInt(text, i);  // "-0" -> "0"
      return Status::Ok();
    }
    if (ey::ParseGoUint(*text, &u)) return Status::Ok();  // the text is the number
  }
  text->clear();
  ey::AppendGoFloatG(text, f, 64);
  return Status::Ok();
}

// Walks a Value into an Emitter, reusing per-depth scratch space for mapping keys.
class YamlWriter {
 public:
  explicit YamlWriter(ey::Emitter* e) : e_(e) {}

  Status Emit(const Value& v, int depth) {
    switch (v.kind()) {
      case Value::Kind::kNull:
        e_->PlainScalar("null");
        return Status::Ok();
      case Value::Kind::kBool:
        e_->PlainScalar(v.as_bool() ? "true" : "false");
        return Status::Ok();
      case Value::Kind::kInt: {
        number_.clear();
        encoding::json::AppendInt(&number_, v.as_int());
        e_->PlainScalar(number_);
        return Status::Ok();
      }
      case Value::Kind::kFloat: {
        number_.clear();
        KS_RETURN_IF_ERROR(AppendYamlNumber(v.as_float(), &number_));
        e_->PlainScalar(number_);
        return Status::Ok();
      }
      case Value::Kind::kString: {
        std::string_view s;
        KS_RETURN_IF_ERROR(
            ey::ReadBackJsonString(v.as_string(), ey::StringRole::kValue, &string_scratch_, &s));
        e_->String(s);
        return Status::Ok();
      }
      case Value::Kind::kArray: {
        if (depth + 1 > kMaxJsonDepth) return OutOfRange("yaml: exceeded max depth");
        const auto& arr = v.as_array();
        e_->BeginSequence(arr.empty());
        for (const Value& item : arr) KS_RETURN_IF_ERROR(Emit(item, depth + 1));
        e_->EndSequence();
        return Status::Ok();
      }
      case Value::Kind::kObject:
        if (depth + 1 > kMaxJsonDepth) return OutOfRange("yaml: exceeded max depth");
        return EmitObject(v.as_object(), depth + 1);
    }
    return Internal("unknown value kind");
  }

 private:
  struct Scratch {
    std::vector<std::string_view> keys;
    std::vector<uint32_t> order;
    std::vector<std::string> storage;  // read-back keys that differ from the Value's
  };

  Status EmitObject(const Value::Object& obj, int depth) {
    if (obj.empty()) {
      e_->BeginMapping(true);
      e_->EndMapping();
      return Status::Ok();
    }
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
    for (uint32_t i = 0; i < obj.size(); ++i) s.order.push_back(i);
    if (changed) {
      // Keys that read back equal (invalid UTF-8 replaced) are one YAML key: the JSON text
      // has them in bytewise order of the originals and go-yaml keeps the last.
      std::vector<uint32_t> kept;
      for (uint32_t i = 0; i < obj.size(); ++i) {
        bool later_twin = false;
        for (uint32_t j = i + 1; j < obj.size(); ++j) {
          if (s.keys[j] == s.keys[i]) {
            later_twin = true;
            break;
          }
        }
        if (!later_twin) kept.push_back(i);
      }
      s.order = std::move(kept);
    }
    ey::SortKeyIndexes(s.keys, &s.order);
    e_->BeginMapping(false);
    // `s` may be invalidated by nested objects growing scratch_: index it freshly.
    const size_t n = scratch_[static_cast<size_t>(depth) - 1].order.size();
    for (size_t i = 0; i < n; ++i) {
      Scratch& cur = scratch_[static_cast<size_t>(depth) - 1];
      uint32_t idx = cur.order[i];
      e_->String(cur.keys[idx]);
      KS_RETURN_IF_ERROR(Emit(obj[idx].value, depth));
    }
    e_->EndMapping();
    return Status::Ok();
  }

  ey::Emitter* e_;
  std::string number_;
  std::string string_scratch_;
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
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    size_t len = ey::ValidUtf8Length(p + i, s.size() - i);
    if (len == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

// go-yaml v2's allowedAliasRatio.
double AllowedAliasRatio(int64_t decode_count) {
  constexpr double kLow = 400000, kHigh = 4000000;
  if (decode_count <= kLow) return 0.99;
  if (decode_count >= kHigh) return 0.10;
  return 0.99 - 0.89 * ((static_cast<double>(decode_count) - kLow) / (kHigh - kLow));
}

// The value a float64 has after json.Marshal and unstructured JSON decoding.
Value JsonNumber(double f) {
  if (f == 0) return Value(int64_t{0});  // "0" or "-0"
  if (std::fabs(f) < 1e21 && std::trunc(f) == f && f >= -9223372036854775808.0 &&
      f < 9223372036854775808.0) {
    return Value(static_cast<int64_t>(f));
  }
  return Value(f);
}

// One document: nodes from libyaml events, then go-yaml v2's decoding into a Value.
class Document {
 public:
  explicit Document(size_t input_size)
      : alias_budget_(std::max<size_t>(size_t{32} << 20, input_size * 8)) {}

  void Reset() {
    nodes_.clear();
    arena_.clear();
    anchors_.clear();
    root_ = -1;
  }

  std::vector<Node> nodes_;
  std::string arena_;
  std::unordered_map<std::string, int32_t> anchors_;
  int32_t root_ = -1;

  std::string_view Text(const Node& n) const { return std::string_view(arena_).substr(n.text_off, n.text_len); }
  std::string_view Tag(const Node& n) const { return std::string_view(arena_).substr(n.tag_off, n.tag_len); }

  Status Decode(Value* out) {
    decode_count_ = 0;
    alias_count_ = 0;
    alias_depth_ = 0;
    alias_bytes_ = 0;
    nonfinite_ = 0;
    if (root_ < 0) {
      *out = Value();
      return Status::Ok();
    }
    ++decode_count_;  // the document node
    KS_RETURN_IF_ERROR(Unmarshal(root_, 0, out));
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

  // go-yaml's d.unmarshal(n, interface{}) followed by the JSON conversion of the result.
  Status Unmarshal(int32_t idx, int depth, Value* out) {
    Node& n = nodes_[static_cast<size_t>(idx)];
    KS_RETURN_IF_ERROR(Count(n));
    switch (n.kind) {
      case Node::Kind::kAlias: {
        if (n.alias_active) {
          return InvalidArgument("yaml: anchor '" + std::string(Text(n)) + "' value contains itself");
        }
        n.alias_active = true;
        ++alias_depth_;
        Status st = Unmarshal(n.target, depth, out);
        --alias_depth_;
        nodes_[static_cast<size_t>(idx)].alias_active = false;
        return st;
      }
      case Node::Kind::kScalar:
        return DecodeScalar(n, out);
      case Node::Kind::kSequence: {
        if (depth + 1 > kMaxJsonDepth) return InvalidArgument("yaml: exceeded max depth of 10000");
        Value::Array items;
        items.reserve(n.child_count);
        for (int32_t c = n.first_child; c >= 0; c = nodes_[static_cast<size_t>(c)].next_sibling) {
          items.emplace_back();
          KS_RETURN_IF_ERROR(Unmarshal(c, depth + 1, &items.back()));
        }
        *out = Value(std::move(items));
        return Status::Ok();
      }
      case Node::Kind::kMapping: {
        if (depth + 1 > kMaxJsonDepth) return InvalidArgument("yaml: exceeded max depth of 10000");
        std::vector<Member> members;
        members.reserve(n.child_count / 2);
        KS_RETURN_IF_ERROR(MappingInto(idx, depth + 1, &members));
        *out = members.empty() ? Value::EmptyObject() : Value::FromMembers(std::move(members));
        return Status::Ok();
      }
    }
    return Internal("unknown node kind");
  }

  bool IsMerge(const Node& k) const {
    return k.kind == Node::Kind::kScalar && Text(k) == "<<" &&
           (k.implicit || Tag(k) == ey::kMergeTag);
  }

  // The entries of mapping `idx` (at nesting `depth`) set into `members` in order.
  Status MappingInto(int32_t idx, int depth, std::vector<Member>* members) {
    int32_t c = nodes_[static_cast<size_t>(idx)].first_child;
    while (c >= 0) {
      int32_t k = c;
      int32_t v = nodes_[static_cast<size_t>(k)].next_sibling;
      c = v >= 0 ? nodes_[static_cast<size_t>(v)].next_sibling : -1;
      if (v < 0) return Internal("yaml: mapping without value");
      if (IsMerge(nodes_[static_cast<size_t>(k)])) {
        KS_RETURN_IF_ERROR(Merge(v, depth, members));
        continue;
      }
      Member m;
      KS_RETURN_IF_ERROR(DecodeKey(k, &m.key));
      KS_RETURN_IF_ERROR(Unmarshal(v, depth, &m.value));
      members->push_back(std::move(m));
    }
    return Status::Ok();
  }

  Status FailWantMap(const Node& n) {
    return InvalidArgument("yaml: " + Position(n.line, n.column) +
                           ": map merge requires map or sequence of maps as the value");
  }

  // Unmarshals mapping (or alias of a mapping) `idx` into the map being built.
  Status MergeOne(int32_t idx, int depth, std::vector<Member>* members) {
    Node& n = nodes_[static_cast<size_t>(idx)];
    KS_RETURN_IF_ERROR(Count(n));
    if (n.kind == Node::Kind::kAlias) {
      if (n.alias_active) {
        return InvalidArgument("yaml: anchor '" + std::string(Text(n)) + "' value contains itself");
      }
      n.alias_active = true;
      ++alias_depth_;
      Status st = MergeOne(n.target, depth, members);
      --alias_depth_;
      nodes_[static_cast<size_t>(idx)].alias_active = false;
      return st;
    }
    return MappingInto(idx, depth, members);
  }

  Status Merge(int32_t idx, int depth, std::vector<Member>* members) {
    const Node& n = nodes_[static_cast<size_t>(idx)];
    auto is_map_or_alias_of_map = [&](const Node& x) {
      if (x.kind == Node::Kind::kMapping) return true;
      return x.kind == Node::Kind::kAlias &&
             nodes_[static_cast<size_t>(x.target)].kind == Node::Kind::kMapping;
    };
    switch (n.kind) {
      case Node::Kind::kMapping:
      case Node::Kind::kAlias:
        if (!is_map_or_alias_of_map(n)) return FailWantMap(n);
        return MergeOne(idx, depth, members);
      case Node::Kind::kSequence: {
        // Earlier maps take precedence: go-yaml merges them last to first.
        std::vector<int32_t> items;
        for (int32_t c = n.first_child; c >= 0; c = nodes_[static_cast<size_t>(c)].next_sibling) {
          items.push_back(c);
        }
        for (size_t i = items.size(); i-- > 0;) {
          const Node& item = nodes_[static_cast<size_t>(items[i])];
          if (!is_map_or_alias_of_map(item)) return FailWantMap(item);
          KS_RETURN_IF_ERROR(MergeOne(items[i], depth, members));
        }
        return Status::Ok();
      }
      default:
        return FailWantMap(n);
    }
  }

  // A mapping key: go-yaml's decoding into interface{}, then sigs.k8s.io/yaml's
  // conversion of the key to a string.
  Status DecodeKey(int32_t idx, std::string* key) {
    Node* n = &nodes_[static_cast<size_t>(idx)];
    KS_RETURN_IF_ERROR(Count(*n));
    // Follow aliases (their expansion counts like go-yaml's).
    int guard = 0;
    while (n->kind == Node::Kind::kAlias) {
      if (++guard > 1000) return InvalidArgument("yaml: alias chain too long");
      ++alias_depth_;
      Status st = Count(nodes_[static_cast<size_t>(n->target)]);
      --alias_depth_;
      KS_RETURN_IF_ERROR(st);
      n = &nodes_[static_cast<size_t>(n->target)];
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
          ey::AppendGoFloatG(key, r.f, 32);
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
  // duplicate key may have replaced them).
  static Status CheckFinite(const Value& v) {
    switch (v.kind()) {
      case Value::Kind::kFloat:
        if (!std::isfinite(v.as_float())) {
          return InvalidArgument(std::isnan(v.as_float()) ? "json: unsupported value: NaN"
                                 : v.as_float() > 0     ? "json: unsupported value: +Inf"
                                                        : "json: unsupported value: -Inf");
        }
        return Status::Ok();
      case Value::Kind::kArray:
        for (const Value& e : v.as_array()) KS_RETURN_IF_ERROR(CheckFinite(e));
        return Status::Ok();
      case Value::Kind::kObject:
        for (const Member& m : v.as_object()) KS_RETURN_IF_ERROR(CheckFinite(m.value));
        return Status::Ok();
      default:
        return Status::Ok();
    }
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

  Status Error() const {
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
        msg += Position(static_cast<uint32_t>(parser_.problem_mark.line),
                        static_cast<uint32_t>(parser_.problem_mark.column));
        msg += ": ";
        msg += problem;
        if (parser_.context) {
          msg += " (";
          msg += parser_.context;
          msg += " at " + Position(static_cast<uint32_t>(parser_.context_mark.line),
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
template <typename OnDocument>
Status ParseStream(std::string_view input, OnDocument on_document) {
  LibyamlParser parser(input);
  Document doc(input.size());
  std::vector<int32_t> open;  // open collections
  // For a mapping: whether the next child is a key; tracked implicitly by child_count.
  EventGuard ev;
  while (true) {
    ev.Release();
    if (!parser.Next(&ev.event)) return parser.Error();
    ev.live = true;
    const yaml_event_t& e = ev.event;
    auto add_node = [&](Node::Kind kind, const yaml_char_t* anchor, const yaml_char_t* tag) -> int32_t {
      if (doc.nodes_.size() >= static_cast<size_t>(INT32_MAX - 1)) return -1;
      Node n;
      n.kind = kind;
      n.line = static_cast<uint32_t>(e.start_mark.line);
      n.column = static_cast<uint32_t>(e.start_mark.column);
      if (tag != nullptr) {
        size_t len = std::strlen(reinterpret_cast<const char*>(tag));
        n.tag_off = static_cast<uint32_t>(doc.arena_.size());
        n.tag_len = static_cast<uint32_t>(len);
        doc.arena_.append(reinterpret_cast<const char*>(tag), len);
      }
      int32_t idx = static_cast<int32_t>(doc.nodes_.size());
      doc.nodes_.push_back(n);
      if (open.empty()) {
        doc.root_ = idx;
      } else {
        Node& parent = doc.nodes_[static_cast<size_t>(open.back())];
        if (parent.last_child >= 0) {
          doc.nodes_[static_cast<size_t>(parent.last_child)].next_sibling = idx;
        } else {
          parent.first_child = idx;
        }
        parent.last_child = idx;
        ++parent.child_count;
      }
      if (anchor != nullptr) doc.anchors_[reinterpret_cast<const char*>(anchor)] = idx;
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
        break;
      }
      case YAML_ALIAS_EVENT: {
        const char* name = reinterpret_cast<const char*>(e.data.alias.anchor);
        auto it = doc.anchors_.find(name);
        if (it == doc.anchors_.end()) {
          return InvalidArgument("yaml: " +
                                 Position(static_cast<uint32_t>(e.start_mark.line),
                                          static_cast<uint32_t>(e.start_mark.column)) +
                                 ": unknown anchor '" + std::string(name) + "' referenced");
        }
        int32_t target = it->second;
        int32_t idx = add_node(Node::Kind::kAlias, nullptr, nullptr);
        if (idx < 0) return ResourceExhausted("yaml: too many nodes");
        Node& n = doc.nodes_[static_cast<size_t>(idx)];
        n.target = target;
        size_t len = std::strlen(name);
        n.text_off = static_cast<uint32_t>(doc.arena_.size());
        n.text_len = static_cast<uint32_t>(len);
        doc.arena_.append(name, len);
        break;
      }
      case YAML_SCALAR_EVENT: {
        if (doc.arena_.size() + e.data.scalar.length > UINT32_MAX - 1024) {
          return ResourceExhausted("yaml: document too large");
        }
        int32_t idx = add_node(Node::Kind::kScalar, e.data.scalar.anchor, e.data.scalar.tag);
        if (idx < 0) return ResourceExhausted("yaml: too many nodes");
        Node& n = doc.nodes_[static_cast<size_t>(idx)];
        n.implicit = e.data.scalar.plain_implicit != 0;
        n.text_off = static_cast<uint32_t>(doc.arena_.size());
        n.text_len = static_cast<uint32_t>(e.data.scalar.length);
        doc.arena_.append(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (open.size() + 1 > static_cast<size_t>(kMaxJsonDepth)) {
          return InvalidArgument("yaml: " +
                                 Position(static_cast<uint32_t>(e.start_mark.line),
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
  Status st = ParseStream(yaml, [&](Value v) -> Status {
    if (v.is_null()) return Status::Ok();
    if (have) return InvalidArgument("yaml: expected one document, found more than one");
    result = std::move(v);
    have = true;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return result;
}

Result<std::vector<Value>> ParseYamlDocuments(std::string_view yaml) {
  std::vector<Value> docs;
  Status st = ParseStream(yaml, [&](Value v) -> Status {
    if (!v.is_null()) docs.push_back(std::move(v));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return docs;
}

}  // namespace kstream::api
