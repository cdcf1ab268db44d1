#include "kstream_bench/counters.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace kstream::bench {

std::string_view ListFormatName(ListFormat f) {
  switch (f) {
    case ListFormat::kJson: return "json";
    case ListFormat::kProtobuf: return "protobuf";
    case ListFormat::kTable: return "table";
    case ListFormat::kYaml: return "yaml";
  }
  return "?";
}

Result<ListFormat> ParseListFormat(std::string_view name) {
  if (name == "json") return ListFormat::kJson;
  if (name == "protobuf" || name == "pb") return ListFormat::kProtobuf;
  if (name == "table") return ListFormat::kTable;
  if (name == "yaml") return ListFormat::kYaml;
  return InvalidArgument("unknown format \"" + std::string(name) + "\" (json, protobuf, table or yaml)");
}

std::string_view AcceptHeader(ListFormat f) {
  switch (f) {
    case ListFormat::kJson: return "application/json";
    case ListFormat::kProtobuf: return "application/vnd.kubernetes.protobuf";
    case ListFormat::kTable: return "application/json;as=Table;v=v1;g=meta.k8s.io";
    case ListFormat::kYaml: return "application/yaml";
  }
  return "";
}

std::string_view ExpectedMediaType(ListFormat f) {
  switch (f) {
    case ListFormat::kJson:
    case ListFormat::kTable: return "application/json";
    case ListFormat::kProtobuf: return "application/vnd.kubernetes.protobuf";
    case ListFormat::kYaml: return "application/yaml";
  }
  return "";
}

// ---------------------------------------------------------------------------------------

Status ItemCounter::Feed(std::string_view bytes) {
  if (!error_.ok()) return error_;
  if (finished_) return error_ = Internal("body bytes after the end of the body");
  Status s = FeedImpl(bytes);
  offset_ += bytes.size();
  if (!s.ok()) error_ = s;
  return s;
}

Status ItemCounter::Finish() {
  if (!error_.ok()) return error_;
  if (finished_) return Status::Ok();
  finished_ = true;
  Status s = FinishImpl();
  if (!s.ok()) error_ = s;
  return s;
}

Status ItemCounter::Malformed(std::string_view what, uint64_t at) const {
  return InvalidArgument(std::string(what) + " at byte " + std::to_string(at));
}

namespace {

std::string Printable(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static const char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

// ---------------------------------------------------------------------------------------
// JSON

bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool IsScalarChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '+' || c == '.';
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

class JsonCounter final : public ItemCounter {
 public:
  explicit JsonCounter(std::string array_key) : key_(std::move(array_key)) {}

 private:
  enum class S : uint8_t {
    kValue,          // a value must follow (top level, after ':' or after ',' in an array)
    kValueOrClose,   // after '['
    kKeyOrClose,     // after '{'
    kKey,            // after ',' in an object
    kColon,          // after a key
    kCommaOrClose,   // after a value inside a container
    kString,         // inside a string
    kScalar,         // inside a number or literal
    kDone,           // after the top-level value: only white space
  };
  // What the next value means to the counter.
  enum class Role : uint8_t { kOther, kItems, kMetadata, kContinue };
  enum class Capture : uint8_t { kNone, kKey, kContinue };

  static constexpr size_t kMaxDepth = 100000;
  static constexpr size_t kMaxCapture = 64 * 1024;
  static constexpr size_t kMaxToken = 512;

  Status FeedImpl(std::string_view bytes) override {
    const char* p = bytes.data();
    const size_t n = bytes.size();
    size_t i = 0;
    while (i < n) {
      if (state_ == S::kString) {
        i = ScanString(p, n, i);
        continue;
      }
      const char c = p[i];
      const uint64_t at = offset_ + i;
      switch (state_) {
        case S::kScalar:
          if (IsScalarChar(c)) {
            if (token_.size() >= kMaxToken) return Malformed("JSON: a number or literal too long", at);
            token_.push_back(c);
            ++i;
            continue;
          }
          KS_RETURN_IF_ERROR(EndScalar(at));
          continue;  // reprocess c in the new state
        case S::kDone:
          if (!IsJsonSpace(c)) return Malformed("JSON: " + Printable(c) + " after the end of the document", at);
          break;
        case S::kValue:
        case S::kValueOrClose:
          if (IsJsonSpace(c)) break;
          if (c == ']' && state_ == S::kValueOrClose) {
            KS_RETURN_IF_ERROR(Close(c, at));
            break;
          }
          KS_RETURN_IF_ERROR(StartValue(c, at));
          break;
        case S::kKeyOrClose:
        case S::kKey:
          if (IsJsonSpace(c)) break;
          if (c == '}' && state_ == S::kKeyOrClose) {
            KS_RETURN_IF_ERROR(Close(c, at));
            break;
          }
          if (c != '"') return Malformed("JSON: expected an object key, found " + Printable(c), at);
          StartString(/*is_key=*/true);
          break;
        case S::kColon:
          if (IsJsonSpace(c)) break;
          if (c != ':') return Malformed("JSON: expected ':', found " + Printable(c), at);
          state_ = S::kValue;
          break;
        case S::kCommaOrClose:
          if (IsJsonSpace(c)) break;
          if (c == ',') {
            state_ = stack_.back() == '{' ? S::kKey : S::kValue;
            break;
          }
          if (c == '}' || c == ']') {
            KS_RETURN_IF_ERROR(Close(c, at));
            break;
          }
          return Malformed("JSON: expected ',' or a closing bracket, found " + Printable(c), at);
        case S::kString:
          break;  // handled above
      }
      ++i;
    }
    return Status::Ok();
  }

  Status FinishImpl() override {
    const uint64_t at = offset_;
    if (state_ == S::kScalar) KS_RETURN_IF_ERROR(EndScalar(at));
    if (state_ != S::kDone) {
      if (!started_) return Malformed("JSON: the body is empty", at);
      return Malformed("JSON: the document ends early (" + std::to_string(stack_.size()) +
                           " unclosed brackets" + (state_ == S::kString ? ", inside a string" : "") + ")",
                       at);
    }
    if (!seen_items_) return InvalidArgument("JSON: the document has no top-level \"" + key_ + "\" array");
    if (duplicate_items_) return InvalidArgument("JSON: the document has two top-level \"" + key_ + "\" keys");
    return Status::Ok();
  }

  // The first byte of a value.
  Status StartValue(char c, uint64_t at) {
    Role role = Role::kOther;
    if (stack_.size() == 1) {
      role = pending_;
    } else if (stack_.size() == 2) {
      if (items_open_) ++items_;
      if (meta_open_ && pending_ == Role::kContinue) role = Role::kContinue;
    }
    pending_ = Role::kOther;
    if (stack_.empty() && c != '{') {
      return Malformed("JSON: the document is not an object (starts with " + Printable(c) + ")", at);
    }
    started_ = true;
    if (role == Role::kItems && c != '[' && c != 'n') {
      return Malformed("JSON: \"" + key_ + "\" is not an array", at);
    }
    switch (c) {
      case '{':
        if (stack_.size() >= kMaxDepth) return Malformed("JSON: nesting too deep", at);
        stack_.push_back('{');
        if (role == Role::kMetadata) meta_open_ = true;
        state_ = S::kKeyOrClose;
        return Status::Ok();
      case '[':
        if (stack_.size() >= kMaxDepth) return Malformed("JSON: nesting too deep", at);
        stack_.push_back('[');
        if (role == Role::kItems) items_open_ = true;
        state_ = S::kValueOrClose;
        return Status::Ok();
      case '"':
        StartString(/*is_key=*/false);
        if (role == Role::kContinue) {
          capture_ = Capture::kContinue;
          cap_.clear();
        }
        return Status::Ok();
      default:
        if (c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
          token_.assign(1, c);
          token_start_ = at;
          state_ = S::kScalar;
          return Status::Ok();
        }
        return Malformed("JSON: expected a value, found " + Printable(c), at);
    }
  }

  Status EndScalar(uint64_t at) {
    if (token_ != "true" && token_ != "false" && token_ != "null" && !IsJsonNumber(token_)) {
      return Malformed("JSON: invalid literal \"" + token_ + "\"", token_start_);
    }
    EndValue();
    return Status::Ok();
  }

  void EndValue() { state_ = stack_.empty() ? S::kDone : S::kCommaOrClose; }

  Status Close(char c, uint64_t at) {
    char open = stack_.back();
    if ((c == '}') != (open == '{')) return Malformed("JSON: mismatched " + Printable(c), at);
    if (stack_.size() == 2) {
      if (open == '[') items_open_ = false;
      if (open == '{') meta_open_ = false;
    }
    stack_.pop_back();
    EndValue();
    return Status::Ok();
  }

  void StartString(bool is_key) {
    state_ = S::kString;
    str_is_key_ = is_key;
    escape_ = false;
    capture_ = Capture::kNone;
    if (is_key && (stack_.size() == 1 || (stack_.size() == 2 && meta_open_))) {
      capture_ = Capture::kKey;
      cap_.clear();
    }
  }

  void EndString() {
    if (str_is_key_) {
      state_ = S::kColon;
      pending_ = Role::kOther;
      if (capture_ == Capture::kKey) {
        if (stack_.size() == 1) {
          if (cap_ == key_) {
            pending_ = Role::kItems;
            duplicate_items_ = duplicate_items_ || seen_items_;
            seen_items_ = true;
          } else if (cap_ == "metadata") {
            pending_ = Role::kMetadata;
          }
        } else if (cap_ == "continue") {
          pending_ = Role::kContinue;
        }
      }
    } else {
      if (capture_ == Capture::kContinue) continue_ = cap_;
      EndValue();
    }
    capture_ = Capture::kNone;
  }

  // Consumes string bytes from p[i]; returns the index after what it consumed.
  size_t ScanString(const char* p, size_t n, size_t i) {
    if (escape_) {
      escape_ = false;
      if (capture_ != Capture::kNone && cap_.size() < kMaxCapture) cap_.push_back(p[i]);
      return i + 1;
    }
    if (capture_ != Capture::kNone) {
      // Short strings of interest (keys, the continue token): byte by byte.
      for (; i < n; ++i) {
        char c = p[i];
        if (c == '"') {
          EndString();
          return i + 1;
        }
        if (cap_.size() < kMaxCapture) cap_.push_back(c);
        if (c == '\\') {
          escape_ = true;
          return i + 1;
        }
      }
      return n;
    }
    // Everything else: jump to the next quote and look at the backslashes before it.
    while (i < n) {
      const char* q = static_cast<const char*>(std::memchr(p + i, '"', n - i));
      if (q == nullptr) {
        size_t run = 0;
        for (size_t k = n; k > i && p[k - 1] == '\\'; --k) ++run;
        escape_ = (run % 2) == 1;
        return n;
      }
      size_t qi = static_cast<size_t>(q - p);
      size_t run = 0;
      for (size_t k = qi; k > i && p[k - 1] == '\\'; --k) ++run;
      if (run % 2 == 1) {  // an escaped quote
        i = qi + 1;
        continue;
      }
      EndString();
      return qi + 1;
    }
    return n;
  }

  std::string key_;
  std::vector<char> stack_;
  S state_ = S::kValue;
  Role pending_ = Role::kOther;
  Capture capture_ = Capture::kNone;
  std::string cap_;
  std::string token_;
  uint64_t token_start_ = 0;
  bool str_is_key_ = false;
  bool escape_ = false;
  bool started_ = false;
  bool items_open_ = false;
  bool meta_open_ = false;
  bool seen_items_ = false;
  bool duplicate_items_ = false;  // kube never writes the key twice: reported
};

// ---------------------------------------------------------------------------------------
// protobuf

class ProtobufCounter final : public ItemCounter {
 private:
  enum class S : uint8_t { kMagic, kTag, kVarint, kLen, kSkip, kMeta };
  static constexpr uint64_t kMaxMeta = 1 << 20;

  Status FeedImpl(std::string_view bytes) override {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const size_t n = bytes.size();
    size_t i = 0;
    while (i < n) {
      const uint64_t at = offset_ + i;
      if (level_ == 1 && raw_remaining_ == 0) {
        if (state_ != S::kTag || shift_ != 0) return Malformed("protobuf: a field crosses the end of the list", at);
        level_ = 0;
      }
      if (state_ == S::kSkip || state_ == S::kMeta) {
        size_t take = static_cast<size_t>(std::min<uint64_t>(skip_, n - i));
        if (state_ == S::kMeta) meta_.append(reinterpret_cast<const char*>(p + i), take);
        skip_ -= take;
        Consume(take);
        i += take;
        if (skip_ == 0) {
          if (state_ == S::kMeta) KS_RETURN_IF_ERROR(ParseListMeta(at));
          state_ = S::kTag;
        }
        continue;
      }
      const unsigned char b = p[i];
      ++i;
      Consume(1);
      if (state_ == S::kMagic) {
        static const unsigned char kMagic[4] = {'k', '8', 's', 0};
        if (b != kMagic[magic_]) return Malformed("protobuf: not a k8s envelope (bad magic)", at);
        if (++magic_ == 4) state_ = S::kTag;
        continue;
      }
      // kTag, kVarint, kLen: one varint byte.
      if (shift_ >= 63 && (b & 0x7f) > 1) return Malformed("protobuf: varint overflows 64 bits", at);
      value_ |= static_cast<uint64_t>(b & 0x7f) << shift_;
      shift_ += 7;
      if (b & 0x80) continue;
      const uint64_t v = value_;
      value_ = 0;
      shift_ = 0;
      KS_RETURN_IF_ERROR(OnVarint(v, at));
    }
    return Status::Ok();
  }

  void Consume(size_t k) {
    if (level_ == 1) raw_remaining_ -= k;
  }

  Status OnVarint(uint64_t v, uint64_t at) {
    switch (state_) {
      case S::kTag: {
        field_ = v >> 3;
        const int wt = static_cast<int>(v & 7);
        if (field_ == 0) return Malformed("protobuf: field number 0", at);
        if (level_ == 0 && field_ == 2 && wt != 2) return Malformed("protobuf: envelope raw field is not bytes", at);
        if (level_ == 1 && (field_ == 1 || field_ == 2) && wt != 2) {
          return Malformed("protobuf: list field " + std::to_string(field_) + " is not a message", at);
        }
        switch (wt) {
          case 0: state_ = S::kVarint; return Status::Ok();
          case 1: return StartSkip(8, at);
          case 2: state_ = S::kLen; return Status::Ok();
          case 5: return StartSkip(4, at);
          default: return Malformed("protobuf: unsupported wire type " + std::to_string(wt), at);
        }
      }
      case S::kVarint:
        state_ = S::kTag;
        return Status::Ok();
      case S::kLen:
        if (level_ == 0 && field_ == 2) {
          if (raw_seen_) return Malformed("protobuf: two raw fields in the envelope", at);
          raw_seen_ = true;
          level_ = 1;
          raw_remaining_ = v;
          state_ = S::kTag;
          return Status::Ok();
        }
        if (level_ == 0 && field_ == 3) saw_encoding_ = true;
        if (level_ == 0 && field_ == 4) saw_type_ = true;
        if (level_ == 1 && field_ == 2) ++items_;
        if (level_ == 1 && field_ == 1 && v <= kMaxMeta) {
          if (v > raw_remaining_) return LengthError(v, at);
          meta_.clear();
          skip_ = v;
          if (v == 0) {
            state_ = S::kTag;
            return ParseListMeta(at);
          }
          state_ = S::kMeta;
          return Status::Ok();
        }
        return StartSkip(v, at);
      default:
        return Internal("protobuf counter: bad state");
    }
  }

  Status LengthError(uint64_t v, uint64_t at) const {
    return Malformed("protobuf: a field of " + std::to_string(v) + " bytes is longer than the " +
                         std::to_string(raw_remaining_) + " bytes left in the list",
                     at);
  }

  Status StartSkip(uint64_t v, uint64_t at) {
    if (level_ == 1 && v > raw_remaining_) return LengthError(v, at);
    skip_ = v;
    state_ = v == 0 ? S::kTag : S::kSkip;
    return Status::Ok();
  }

  // ListMeta: field 3 is `continue`.
  Status ParseListMeta(uint64_t at) {
    std::string_view m = meta_;
    size_t i = 0;
    auto varint = [&](uint64_t* out) {
      uint64_t v = 0;
      for (int shift = 0; shift < 64 && i < m.size(); shift += 7) {
        unsigned char b = static_cast<unsigned char>(m[i++]);
        v |= static_cast<uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) {
          *out = v;
          return true;
        }
      }
      return false;
    };
    while (i < m.size()) {
      uint64_t tag = 0, len = 0;
      if (!varint(&tag)) return Malformed("protobuf: bad ListMeta", at);
      switch (tag & 7) {
        case 0:
          if (!varint(&len)) return Malformed("protobuf: bad ListMeta", at);
          break;
        case 2:
          if (!varint(&len) || len > m.size() - i) return Malformed("protobuf: bad ListMeta", at);
          if ((tag >> 3) == 3) continue_.assign(m.substr(i, len));
          i += len;
          break;
        case 1:
        case 5: {
          size_t k = (tag & 7) == 1 ? 8 : 4;
          if (k > m.size() - i) return Malformed("protobuf: bad ListMeta", at);
          i += k;
          break;
        }
        default:
          return Malformed("protobuf: bad ListMeta", at);
      }
    }
    return Status::Ok();
  }

  Status FinishImpl() override {
    const uint64_t at = offset_;
    if (state_ == S::kMagic) return Malformed("protobuf: the body ends inside the magic", at);
    if (level_ == 1 && raw_remaining_ == 0 && state_ == S::kTag && shift_ == 0) level_ = 0;
    if (level_ == 1) {
      return Malformed("protobuf: the body ends inside the list (" + std::to_string(raw_remaining_) +
                           " of its bytes missing)",
                       at);
    }
    if (state_ != S::kTag || shift_ != 0) return Malformed("protobuf: the body ends inside a field", at);
    if (!raw_seen_) return InvalidArgument("protobuf: the envelope has no raw field");
    if (!saw_encoding_ || !saw_type_) {
      return Malformed("protobuf: the envelope ends without its contentEncoding and contentType fields", at);
    }
    return Status::Ok();
  }

  S state_ = S::kMagic;
  int magic_ = 0;
  int level_ = 0;  // 0: the envelope; 1: inside raw (the list message)
  uint64_t raw_remaining_ = 0;
  bool raw_seen_ = false;
  bool saw_encoding_ = false;  // envelope field 3
  bool saw_type_ = false;      // envelope field 4
  uint64_t value_ = 0;
  int shift_ = 0;
  uint64_t field_ = 0;
  uint64_t skip_ = 0;
  std::string meta_;
};

// ---------------------------------------------------------------------------------------
// YAML

class YamlCounter final : public ItemCounter {
 public:
  explicit YamlCounter(std::string key) : key_(std::move(key)) {}

 private:
  enum class Line : uint8_t { kTop, kIndented, kMeta };
  static constexpr size_t kMaxTopLine = 512;
  static constexpr size_t kMaxMetaLine = 64 * 1024;

  Status FeedImpl(std::string_view bytes) override {
    const char* p = bytes.data();
    const size_t n = bytes.size();
    size_t i = 0;
    while (i < n) {
      if (line_start_) {
        const char c = p[i];
        if (c == '\n') {
          ++i;
          continue;
        }
        line_start_ = false;
        line_begin_ = offset_ + i;
        line_.clear();
        overflow_ = false;
        kind_ = c == ' ' ? (in_meta_ ? Line::kMeta : Line::kIndented) : Line::kTop;
      }
      const char* q = static_cast<const char*>(std::memchr(p + i, '\n', n - i));
      const size_t end = q != nullptr ? static_cast<size_t>(q - p) : n;
      if (kind_ != Line::kIndented) {
        const size_t cap = kind_ == Line::kTop ? kMaxTopLine : kMaxMetaLine;
        const size_t take = std::min(end - i, cap - std::min(cap, line_.size()));
        line_.append(p + i, take);
        if (take < end - i) overflow_ = true;
      }
      if (q == nullptr) break;
      i = end + 1;
      line_start_ = true;
      if (kind_ == Line::kTop) {
        KS_RETURN_IF_ERROR(TopLine());
      } else if (kind_ == Line::kMeta) {
        MetaLine();
      }
    }
    return Status::Ok();
  }

  Status TopLine() {
    std::string_view l = line_;
    // A line that starts with one of YAML 1.1's other line breaks (CR, NEL, LS, PS) is the
    // continuation of a scalar: go-yaml writes such a break raw, without indentation.
    if (l[0] == '\r' || l.substr(0, 2) == "\xc2\x85" || l.substr(0, 3) == "\xe2\x80\xa8" ||
        l.substr(0, 3) == "\xe2\x80\xa9") {
      return Status::Ok();
    }
    if (l == "-" || l.substr(0, 2) == "- ") {
      if (!block_value_) return Malformed("YAML: a sequence entry at column 0 where no sequence is open", line_begin_);
      if (current_ == key_) ++items_;
      return Status::Ok();
    }
    if (l[0] == '#') return Status::Ok();
    if (l.substr(0, 3) == "---" || l.substr(0, 3) == "...") {
      return Malformed("YAML: a document marker in a list document", line_begin_);
    }
    if (l[0] == '-' || l[0] == '\t' || l[0] == '[' || l[0] == '{') {
      return Malformed("YAML: a top-level line that is not a mapping key", line_begin_);
    }
    // "key:" or "key: value"; keys may be quoted.
    size_t colon = std::string_view::npos;
    size_t from = 0;
    if (l[0] == '"' || l[0] == '\'') {
      size_t close = l.find(l[0], 1);
      if (close == std::string_view::npos) return Malformed("YAML: an unterminated quoted key", line_begin_);
      from = close + 1;
    }
    for (size_t k = l.find(':', from); k != std::string_view::npos; k = l.find(':', k + 1)) {
      if (k + 1 == l.size() || l[k + 1] == ' ') {
        colon = k;
        break;
      }
    }
    if (colon == std::string_view::npos) {
      return Malformed(overflow_ ? "YAML: a top-level line too long to read its key"
                                 : "YAML: a top-level line that is not a mapping key",
                       line_begin_);
    }
    current_.assign(l.substr(0, colon));
    if (current_ == "kind") seen_kind_ = true;
    if (current_ == "metadata") seen_metadata_ = true;
    std::string_view rest = l.substr(colon + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    block_value_ = rest.empty();
    in_meta_ = block_value_ && current_ == "metadata";
    if (current_ == key_) {
      if (seen_) return Malformed("YAML: a second \"" + key_ + "\" key", line_begin_);
      seen_ = true;
      if (!rest.empty() && rest != "[]" && rest != "null") {
        return Malformed("YAML: \"" + key_ + "\" is not a sequence", line_begin_);
      }
    }
    return Status::Ok();
  }

  void MetaLine() {
    std::string_view l = line_;
    constexpr std::string_view kPrefix = "  continue:";
    if (l.substr(0, kPrefix.size()) != kPrefix || overflow_) return;
    std::string_view v = l.substr(kPrefix.size());
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
      v = v.substr(1, v.size() - 2);
    }
    continue_.assign(v);
  }

  Status FinishImpl() override {
    if (offset_ == 0) return Malformed("YAML: the body is empty", 0);
    if (!line_start_) return Malformed("YAML: the body does not end with a line break", offset_);
    if (!seen_) return InvalidArgument("YAML: the document has no top-level \"" + key_ + "\" key");
    if (!seen_kind_ || !seen_metadata_) {
      return Malformed("YAML: the document ends without its top-level kind and metadata keys", offset_);
    }
    return Status::Ok();
  }

  std::string key_;
  bool line_start_ = true;
  Line kind_ = Line::kTop;
  uint64_t line_begin_ = 0;
  std::string line_;
  bool overflow_ = false;
  std::string current_;      // the current top-level key
  bool block_value_ = false;  // its value is on the following lines
  bool in_meta_ = false;
  bool seen_ = false;
  bool seen_kind_ = false;
  bool seen_metadata_ = false;
};

}  // namespace

std::unique_ptr<ItemCounter> MakeJsonCounter(std::string array_key) {
  return std::make_unique<JsonCounter>(std::move(array_key));
}
std::unique_ptr<ItemCounter> MakeProtobufCounter() { return std::make_unique<ProtobufCounter>(); }
std::unique_ptr<ItemCounter> MakeYamlCounter(std::string sequence_key) {
  return std::make_unique<YamlCounter>(std::move(sequence_key));
}

std::unique_ptr<ItemCounter> MakeItemCounter(ListFormat format) {
  switch (format) {
    case ListFormat::kJson: return MakeJsonCounter("items");
    case ListFormat::kTable: return MakeJsonCounter("rows");
    case ListFormat::kProtobuf: return MakeProtobufCounter();
    case ListFormat::kYaml: return MakeYamlCounter("items");
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// gzip

struct GzipInflater::State {
  z_stream z{};
  bool init = false;
};

GzipInflater::GzipInflater() : state_(std::make_unique<State>()) {
  state_->init = inflateInit2(&state_->z, 16 + MAX_WBITS) == Z_OK;
  out_.resize(256 * 1024);
}

GzipInflater::~GzipInflater() {
  if (state_->init) inflateEnd(&state_->z);
}

Status GzipInflater::Step(std::string_view* in, std::string_view* decoded) {
  *decoded = {};
  if (!state_->init) return Internal("gzip: inflateInit2 failed");
  if (ended_) {
    if (!in->empty()) return InvalidArgument("gzip: data after the end of the gzip stream at byte " + std::to_string(consumed_));
    pending_output_ = false;
    return Status::Ok();
  }
  z_stream& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in->data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(in->size(), 1u << 30));
  z.next_out = reinterpret_cast<Bytef*>(out_.data());
  z.avail_out = static_cast<uInt>(out_.size());
  int rc = inflate(&z, Z_NO_FLUSH);
  const size_t used = static_cast<size_t>(z.next_in - reinterpret_cast<const Bytef*>(in->data()));
  const size_t produced = out_.size() - z.avail_out;
  in->remove_prefix(used);
  consumed_ += used;
  decoded_bytes_ += produced;
  *decoded = std::string_view(out_.data(), produced);
  pending_output_ = z.avail_out == 0;
  if (rc == Z_STREAM_END) {
    ended_ = true;
    pending_output_ = false;
    if (!in->empty()) return InvalidArgument("gzip: data after the end of the gzip stream at byte " + std::to_string(consumed_));
    return Status::Ok();
  }
  if (rc == Z_OK || rc == Z_BUF_ERROR) return Status::Ok();
  return InvalidArgument(std::string("gzip: ") + (z.msg != nullptr ? z.msg : "inflate failed") + " at byte " +
                         std::to_string(consumed_));
}

Status GzipInflater::Finish() const {
  if (!ended_) return InvalidArgument("gzip: the body ends before the end of the gzip stream");
  return Status::Ok();
}

}  // namespace kstream::bench
