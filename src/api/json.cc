#include "api/json.h"

#include "encoding/go_strconv.h"
#include "encoding/utf8.h"

#include <simdjson.h>

#include <cmath>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <unordered_set>
#include <vector>

namespace kstream::api {
namespace ej = encoding::json;

// ---------------------------------------------------------------------------------------
// Encoding

namespace {

Status AppendScalar(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kNull: ej::AppendNull(out); return Status::Ok();
    case Value::Kind::kBool: ej::AppendBool(out, v.as_bool()); return Status::Ok();
    case Value::Kind::kInt: ej::AppendInt(out, v.as_int()); return Status::Ok();
    case Value::Kind::kFloat: return ej::AppendFloat64(out, v.as_float());
    case Value::Kind::kString: ej::AppendString(out, v.as_string()); return Status::Ok();
    default: return Internal("not a scalar");
  }
}

size_t ContainerSize(const Value& v) {
  return v.is_array() ? v.as_array().size() : v.as_object().size();
}

}  // namespace

// Walks containers with an explicit stack (no recursion), so nesting depth costs heap only.
Status AppendJson(const Value& v, std::string* out, ej::Style style, int depth) {
  if (v.kind() < Value::Kind::kArray) return AppendScalar(v, out);
  const bool indent = style == ej::Style::kIndent;
  struct Frame {
    const Value* container;
    size_t next;
  };
  std::vector<Frame> stack;
  // Opens a container: empty ones are written whole ({} and [] stay on one line).
  auto open = [&](const Value& c) {
    out->push_back(c.is_array() ? '[' : '{');
    if (ContainerSize(c) == 0) {
      out->push_back(c.is_array() ? ']' : '}');
    } else {
      stack.push_back({&c, 0});
    }
  };
  open(v);
  while (!stack.empty()) {
    Frame& f = stack.back();
    const Value& c = *f.container;
    const int level = depth + static_cast<int>(stack.size());  // of c's elements
    if (f.next == ContainerSize(c)) {
      if (indent) ej::AppendNewlineIndent(out, level - 1);
      out->push_back(c.is_array() ? ']' : '}');
      stack.pop_back();
      continue;
    }
    if (f.next > 0) out->push_back(',');
    if (indent) ej::AppendNewlineIndent(out, level);
    const Value* child;
    if (c.is_array()) {
      child = &c.as_array()[f.next];
    } else {
      const Member& m = c.as_object()[f.next];
      ej::AppendString(out, m.key);
      out->append(indent ? ": " : ":");
      child = &m.value;
    }
    ++f.next;
    if (child->kind() >= Value::Kind::kArray) {
      open(*child);  // may invalidate f
    } else {
      KS_RETURN_IF_ERROR(AppendScalar(*child, out));
    }
  }
  return Status::Ok();
}

Result<std::string> ToJson(const Value& v, ej::Style style) {
  std::string out;
  KS_RETURN_IF_ERROR(AppendJson(v, &out, style));
  return out;
}

// ---------------------------------------------------------------------------------------
// Parsing: the lenient parser (authoritative for every input simdjson rejects)

namespace {

// Go's quoteChar: how encoding/json names an offending byte in its messages.
std::string QuoteChar(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  switch (c) {
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\t': return "'\\t'";
    case '\b': return "'\\b'";
    case '\f': return "'\\f'";
    default: break;
  }
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string s = "'\\x";
  s.push_back(kHexDigits[c >> 4]);
  s.push_back(kHexDigits[c & 0xF]);
  s.push_back('\'');
  return s;
}

class LenientParser {
 public:
  explicit LenientParser(std::string_view in, std::vector<std::string>* duplicates = nullptr)
      : p_(reinterpret_cast<const unsigned char*>(in.data())), n_(in.size()), duplicates_(duplicates) {}

  // Iterative (an explicit stack, not recursion), so nesting depth costs heap, not native
  // stack: hostile input cannot overflow the stack however small a thread's stack is.
  Result<Value> ParseDocument() {
    struct Frame {
      bool is_object;
      std::vector<Member> members;  // objects
      std::string key;              // objects: the key whose value is being parsed
      Value::Array items;           // arrays
      std::unordered_set<std::string> seen;  // objects, when duplicates are reported
    };
    // Reports the key just read if the object already had it (as Go's strict decoder
    // does, when it reads the key), with its path: "metadata.labels.a", "items[2].x".
    auto note_key = [this](std::vector<Frame>& stack) {
      if (duplicates_ == nullptr) return;
      Frame& top = stack.back();
      if (top.seen.insert(top.key).second) return;
      std::string path;
      for (size_t i = 0; i + 1 < stack.size(); ++i) {
        if (stack[i].is_object) {
          if (!path.empty()) path.push_back('.');
          path += stack[i].key;
        } else {
          path += "[" + std::to_string(stack[i].items.size()) + "]";
        }
      }
      if (!path.empty()) path.push_back('.');
      path += top.key;
      if (reported_.insert(path).second) duplicates_->push_back(std::move(path));
    };
    std::vector<Frame> stack;
    Value value;
    SkipSpace();
    while (true) {
      // Parse one value into `value`; containers push a frame and parse their first child.
      bool have_value = true;
      if (i_ >= n_) return Error("looking for beginning of value");
      switch (p_[i_]) {
        case '{':
        case '[': {
          if (stack.size() >= static_cast<size_t>(kMaxJsonDepth)) {
            return InvalidArgument("exceeded max depth");
          }
          bool is_object = p_[i_] == '{';
          ++i_;
          SkipSpace();
          if (i_ < n_ && p_[i_] == (is_object ? '}' : ']')) {
            ++i_;
            value = is_object ? Value::EmptyObject() : Value::EmptyArray();
            break;
          }
          stack.push_back(Frame{is_object, {}, {}, {}, {}});
          have_value = false;
          if (is_object) {
            KS_RETURN_IF_ERROR(ParseKey(&stack.back().key));
            note_key(stack);
          }
          break;
        }
        case '"': {
          std::string str;
          KS_RETURN_IF_ERROR(ParseString(&str));
          value = Value(std::move(str));
          break;
        }
        case 't':
          if (!Literal("true")) return Error("in literal true (expecting the next letter)");
          value = Value(true);
          break;
        case 'f':
          if (!Literal("false")) return Error("in literal false (expecting the next letter)");
          value = Value(false);
          break;
        case 'n':
          if (!Literal("null")) return Error("in literal null (expecting the next letter)");
          value = Value();
          break;
        default:
          if (p_[i_] == '-' || (p_[i_] >= '0' && p_[i_] <= '9')) {
            KS_RETURN_IF_ERROR(ParseNumber(&value));
            break;
          }
          return Error("looking for beginning of value");
      }
      if (!have_value) {
        SkipSpace();
        continue;
      }
      // Hand the finished value to its container; close containers that end here.
      while (true) {
        if (stack.empty()) {
          SkipSpace();
          if (i_ < n_) return Error("after top-level value");
          return value;
        }
        Frame& f = stack.back();
        SkipSpace();
        if (f.is_object) {
          f.members.push_back(Member{std::move(f.key), std::move(value)});
          if (i_ < n_ && p_[i_] == ',') {
            ++i_;
            KS_RETURN_IF_ERROR(ParseKey(&f.key));
            note_key(stack);
            break;
          }
          if (i_ < n_ && p_[i_] == '}') {
            ++i_;
            value = Value::FromMembers(std::move(f.members));
            stack.pop_back();
            continue;
          }
          return Error("after object key:value pair");
        }
        f.items.push_back(std::move(value));
        if (i_ < n_ && p_[i_] == ',') {
          ++i_;
          break;
        }
        if (i_ < n_ && p_[i_] == ']') {
          ++i_;
          value = Value(std::move(f.items));
          stack.pop_back();
          continue;
        }
        return Error("after array element");
      }
      SkipSpace();
    }
  }

 private:
  Status Error(std::string_view context) {
    if (i_ >= n_) return InvalidArgument("unexpected end of JSON input");
    return InvalidArgument("invalid character " + QuoteChar(p_[i_]) + " " + std::string(context) +
                           " (at offset " + std::to_string(i_) + ")");
  }

  void SkipSpace() {
    while (i_ < n_ && (p_[i_] == ' ' || p_[i_] == '\n' || p_[i_] == '\r' || p_[i_] == '\t')) ++i_;
  }

  bool Literal(std::string_view word) {
    if (n_ - i_ >= word.size() && std::memcmp(p_ + i_, word.data(), word.size()) == 0) {
      i_ += word.size();
      return true;
    }
    // Advance to the first mismatching byte so the error names it, as Go does.
    size_t k = 0;
    while (i_ < n_ && k < word.size() && p_[i_] == static_cast<unsigned char>(word[k])) ++i_, ++k;
    return false;
  }

  // An object key and its colon; leaves i_ at the start of the member's value.
  Status ParseKey(std::string* key) {
    SkipSpace();
    if (i_ >= n_ || p_[i_] != '"') return Error("looking for beginning of object key string");
    key->clear();
    KS_RETURN_IF_ERROR(ParseString(key));
    SkipSpace();
    if (i_ >= n_ || p_[i_] != ':') return Error("after object key");
    ++i_;
    SkipSpace();
    return Status::Ok();
  }

  static int HexValue(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Reads 4 hex digits at p_[at]; -1 if they are not there.
  int ReadHex4(size_t at) const {
    if (n_ - at < 4 || at > n_) return -1;
    int v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int h = HexValue(p_[at + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  Status ParseString(std::string* s) {
    ++i_;  // opening quote
    while (true) {
      if (i_ >= n_) return Error("in string literal");
      unsigned char c = p_[i_];
      if (c == '"') {
        ++i_;
        return Status::Ok();
      }
      if (c < 0x20) return Error("in string literal");
      if (c == '\\') {
        ++i_;
        if (i_ >= n_) return Error("in string escape code");
        unsigned char e = p_[i_];
        switch (e) {
          case '"': s->push_back('"'); break;
          case '\\': s->push_back('\\'); break;
          case '/': s->push_back('/'); break;
          case 'b': s->push_back('\b'); break;
          case 'f': s->push_back('\f'); break;
          case 'n': s->push_back('\n'); break;
          case 'r': s->push_back('\r'); break;
          case 't': s->push_back('\t'); break;
          case 'u': {
            int cp = ReadHex4(i_ + 1);
            if (cp < 0) {
              // Point at the first bad hex digit, as Go's scanner does.
              size_t k = i_ + 1;
              while (k < n_ && k < i_ + 5 && HexValue(p_[k]) >= 0) ++k;
              i_ = k;
              return Error("in \\u hexadecimal character escape");
            }
            i_ += 4;
            uint32_t r = static_cast<uint32_t>(cp);
            if (r >= 0xD800 && r < 0xE000) {
              // A high surrogate followed by an escaped low surrogate makes one code point;
              // anything else is a lone surrogate and becomes U+FFFD (the following escape,
              // if any, is decoded on its own).
              int lo = (r < 0xDC00 && i_ + 2 < n_ && p_[i_ + 1] == '\\' && p_[i_ + 2] == 'u')
                           ? ReadHex4(i_ + 3)
                           : -1;
              if (lo >= 0xDC00 && lo < 0xE000) {
                r = 0x10000 + ((r - 0xD800) << 10) + (static_cast<uint32_t>(lo) - 0xDC00);
                i_ += 6;
              } else {
                r = 0xFFFD;
              }
            }
            encoding::AppendUtf8(s, r);
            break;
          }
          default:
            return Error("in string escape code");
        }
        ++i_;
        continue;
      }
      if (c < 0x80) {
        // A run of plain ASCII.
        size_t start = i_;
        while (i_ < n_ && p_[i_] >= 0x20 && p_[i_] < 0x80 && p_[i_] != '"' && p_[i_] != '\\') ++i_;
        s->append(reinterpret_cast<const char*>(p_ + start), i_ - start);
        continue;
      }
      size_t len = encoding::ValidMultiByteUtf8Length(p_ + i_, n_ - i_);
      if (len == 0) {
        s->append("\xEF\xBF\xBD");  // U+FFFD for each invalid byte
        ++i_;
      } else {
        s->append(reinterpret_cast<const char*>(p_ + i_), len);
        i_ += len;
      }
    }
  }

  Status ParseNumber(Value* out) {
    size_t start = i_;
    bool integral = true;
    if (p_[i_] == '-') ++i_;
    if (i_ >= n_) return Error("in numeric literal");
    if (p_[i_] == '0') {
      ++i_;
    } else if (p_[i_] >= '1' && p_[i_] <= '9') {
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') ++i_;
    } else {
      return Error("in numeric literal");
    }
    if (i_ < n_ && p_[i_] == '.') {
      integral = false;
      ++i_;
      if (i_ >= n_ || p_[i_] < '0' || p_[i_] > '9') return Error("after decimal point in numeric literal");
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') ++i_;
    }
    if (i_ < n_ && (p_[i_] == 'e' || p_[i_] == 'E')) {
      integral = false;
      ++i_;
      if (i_ < n_ && (p_[i_] == '+' || p_[i_] == '-')) ++i_;
      if (i_ >= n_ || p_[i_] < '0' || p_[i_] > '9') return Error("in exponent of numeric literal");
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') ++i_;
    }
    const char* b = reinterpret_cast<const char*>(p_ + start);
    const char* e = reinterpret_cast<const char*>(p_ + i_);
    if (integral) {
      int64_t v = 0;
      auto r = std::from_chars(b, e, v);
      if (r.ec == std::errc() && r.ptr == e) {
        *out = Value(v);
        return Status::Ok();
      }
    }
    // Go's strconv.ParseFloat: correctly rounded; overflow is an error, underflow is not.
    double d = 0;
    std::string_view text(b, static_cast<size_t>(e - b));
    if (!encoding::ParseGoFloat(text, &d)) {
      return InvalidArgument("json: cannot unmarshal number " + std::string(text) +
                             " into Go value of type float64");
    }
    *out = Value(d);
    return Status::Ok();
  }

  const unsigned char* p_;
  size_t n_;
  size_t i_ = 0;
  std::vector<std::string>* duplicates_;
  std::unordered_set<std::string> reported_;
};

// ---------------------------------------------------------------------------------------
// Parsing: the simdjson fast path

Value ScalarFromElement(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::STRING: return Value(e.get_string().value_unsafe());
    case element_type::INT64: return Value(e.get_int64().value_unsafe());
    // Beyond int64: Go's ParseInt fails, so the number is a float64 (correctly rounded,
    // as the conversion of a uint64 is).
    case element_type::UINT64: return Value(static_cast<double>(e.get_uint64().value_unsafe()));
    case element_type::DOUBLE: return Value(e.get_double().value_unsafe());
    case element_type::BOOL: return Value(e.get_bool().value_unsafe());
    default: return Value();
  }
}

bool IsContainer(simdjson::dom::element e) {
  return e.type() == simdjson::dom::element_type::OBJECT ||
         e.type() == simdjson::dom::element_type::ARRAY;
}

// Converts simdjson's DOM to a Value without recursion (depth costs heap, not stack).
Value FromElement(simdjson::dom::element root) {
  if (!IsContainer(root)) return ScalarFromElement(root);
  struct Frame {
    bool is_object;
    simdjson::dom::object::iterator obj_it, obj_end;
    simdjson::dom::array::iterator arr_it, arr_end;
    std::vector<Member> members;
    std::string key;
    Value::Array items;
  };
  std::vector<Frame> stack;
  auto push = [&stack](simdjson::dom::element e) {
    Frame f;
    f.is_object = e.type() == simdjson::dom::element_type::OBJECT;
    if (f.is_object) {
      simdjson::dom::object o = e.get_object().value_unsafe();
      f.obj_it = o.begin();
      f.obj_end = o.end();
      f.members.reserve(o.size());
    } else {
      simdjson::dom::array a = e.get_array().value_unsafe();
      f.arr_it = a.begin();
      f.arr_end = a.end();
      f.items.reserve(a.size());
    }
    stack.push_back(std::move(f));
  };
  push(root);
  while (true) {
    Frame& f = stack.back();
    simdjson::dom::element child;
    bool done;
    if (f.is_object) {
      done = f.obj_it == f.obj_end;
      if (!done) {
        child = f.obj_it.value();
        if (IsContainer(child)) {
          f.key = std::string(f.obj_it.key());
        } else {
          f.members.push_back(Member{std::string(f.obj_it.key()), ScalarFromElement(child)});
        }
        ++f.obj_it;
      }
    } else {
      done = f.arr_it == f.arr_end;
      if (!done) {
        child = *f.arr_it;
        if (!IsContainer(child)) f.items.push_back(ScalarFromElement(child));
        ++f.arr_it;
      }
    }
    if (!done) {
      if (IsContainer(child)) push(child);  // invalidates f
      continue;
    }
    // The container is complete: hand it to its parent.
    Value value = f.is_object ? Value::FromMembers(std::move(f.members)) : Value(std::move(f.items));
    stack.pop_back();
    if (stack.empty()) return value;
    Frame& parent = stack.back();
    if (parent.is_object) {
      parent.members.push_back(Member{std::move(parent.key), std::move(value)});
    } else {
      parent.items.push_back(std::move(value));
    }
  }
}

simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser p;
    // Only the depth matters here; capacity grows with the first document. If this
    // allocation fails, parse() allocates with the default depth, and deeper documents
    // fall back to the lenient parser, which has the same limit.
    if (p.allocate(simdjson::SIMDJSON_PADDING, kMaxJsonDepth) != simdjson::SUCCESS) return p;
    return p;
  }();
  return parser;
}

}  // namespace

Result<Value> ParseJson(std::string_view json) {
  simdjson::dom::parser& parser = ThreadParser();
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size(), /*realloc_if_needed=*/true).get(root) ==
      simdjson::SUCCESS) {
    return FromElement(root);
  }
  return LenientParser(json).ParseDocument();
}

Result<Value> ParseJson(std::string_view json, std::vector<std::string>* duplicate_fields) {
  if (duplicate_fields == nullptr) return ParseJson(json);
  return LenientParser(json, duplicate_fields).ParseDocument();
}

std::string_view JsonKindName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "bool";
    case Value::Kind::kInt:
    case Value::Kind::kFloat: return "number";
    case Value::Kind::kString: return "string";
    case Value::Kind::kArray: return "array";
    case Value::Kind::kObject: return "object";
  }
  return "null";
}

namespace internal {
Result<Value> ParseJsonLenient(std::string_view json) { return LenientParser(json).ParseDocument(); }
}  // namespace internal

}  // namespace kstream::api
