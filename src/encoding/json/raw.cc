#include "encoding/json/raw.h"

#include <vector>

#include "encoding/json/encode.h"

namespace kstream::encoding::json {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A validating single pass: the grammar of Go's scanner, writing the compact form.
class Compactor {
 public:
  Compactor(std::string_view in, std::string* out) : in_(in), out_(out) {}

  Status Run() {
    // Containers open at this point, innermost last: true for objects.
    std::vector<bool> stack;
    enum class Expect { kValue, kKeyOrEnd, kKey, kColon, kCommaOrEnd, kValueOrEnd } expect =
        Expect::kValue;
    while (true) {
      SkipSpace();
      if (i_ >= in_.size()) break;
      char c = in_[i_];
      switch (expect) {
        case Expect::kValueOrEnd:
          if (c == ']') {
            Close(&stack);
            if (stack.empty()) return Trailer();
            expect = Expect::kCommaOrEnd;
            continue;
          }
          [[fallthrough]];
        case Expect::kValue:
          if (c == '{' || c == '[') {
            out_->push_back(c);
            ++i_;
            stack.push_back(c == '{');
            expect = c == '{' ? Expect::kKeyOrEnd : Expect::kValueOrEnd;
            continue;
          }
          KS_RETURN_IF_ERROR(Scalar());
          if (stack.empty()) return Trailer();
          expect = Expect::kCommaOrEnd;
          continue;
        case Expect::kKeyOrEnd:
          if (c == '}') {
            Close(&stack);
            if (stack.empty()) return Trailer();
            expect = Expect::kCommaOrEnd;
            continue;
          }
          [[fallthrough]];
        case Expect::kKey:
          if (c != '"') return Error("looking for beginning of object key string");
          KS_RETURN_IF_ERROR(String());
          expect = Expect::kColon;
          continue;
        case Expect::kColon:
          if (c != ':') return Error("after object key");
          out_->push_back(':');
          ++i_;
          expect = Expect::kValue;
          continue;
        case Expect::kCommaOrEnd:
          if (c == ',') {
            out_->push_back(',');
            ++i_;
            expect = stack.back() ? Expect::kKey : Expect::kValue;
            continue;
          }
          if (c == (stack.back() ? '}' : ']')) {
            Close(&stack);
            if (stack.empty()) return Trailer();
            continue;
          }
          return Error(stack.back() ? "after object key:value pair" : "after array element");
      }
    }
    return InvalidArgument("unexpected end of JSON input");
  }

 private:
  void SkipSpace() {
    while (i_ < in_.size() && IsSpace(in_[i_])) ++i_;
  }

  Status Error(std::string_view context) {
    return InvalidArgument("invalid character '" + std::string(1, in_[i_]) + "' " + std::string(context));
  }

  void Close(std::vector<bool>* stack) {
    out_->push_back(stack->back() ? '}' : ']');
    stack->pop_back();
    ++i_;
  }

  // After the top-level value only whitespace may follow.
  Status Trailer() {
    SkipSpace();
    if (i_ < in_.size()) return Error("after top-level value");
    return Status::Ok();
  }

  Status Literal(std::string_view word) {
    if (in_.substr(i_, word.size()) != word) {
      return InvalidArgument("invalid literal in JSON (expected " + std::string(word) + ")");
    }
    out_->append(word);
    i_ += word.size();
    return Status::Ok();
  }

  Status Scalar() {
    char c = in_[i_];
    if (c == '"') return String();
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    if (c == '-' || IsDigit(c)) return Number();
    return Error("looking for beginning of value");
  }

  Status Number() {
    size_t start = i_;
    if (in_[i_] == '-') ++i_;
    if (i_ >= in_.size()) return InvalidArgument("unexpected end of JSON input");
    if (in_[i_] == '0') {
      ++i_;
    } else if (IsDigit(in_[i_])) {
      while (i_ < in_.size() && IsDigit(in_[i_])) ++i_;
    } else {
      return Error("in numeric literal");
    }
    if (i_ < in_.size() && in_[i_] == '.') {
      ++i_;
      if (i_ >= in_.size() || !IsDigit(in_[i_])) return InvalidArgument("invalid number in JSON");
      while (i_ < in_.size() && IsDigit(in_[i_])) ++i_;
    }
    if (i_ < in_.size() && (in_[i_] == 'e' || in_[i_] == 'E')) {
      ++i_;
      if (i_ < in_.size() && (in_[i_] == '+' || in_[i_] == '-')) ++i_;
      if (i_ >= in_.size() || !IsDigit(in_[i_])) return InvalidArgument("invalid number in JSON");
      while (i_ < in_.size() && IsDigit(in_[i_])) ++i_;
    }
    out_->append(in_.substr(start, i_ - start));
    return Status::Ok();
  }

  // Copies a string literal, escaping < > & and U+2028/U+2029 as Go's compact does.
  Status String() {
    out_->push_back('"');
    ++i_;
    while (true) {
      if (i_ >= in_.size()) return InvalidArgument("unexpected end of JSON input");
      unsigned char c = static_cast<unsigned char>(in_[i_]);
      if (c == '"') {
        out_->push_back('"');
        ++i_;
        return Status::Ok();
      }
      if (c < 0x20) return Error("in string literal");
      if (c == '\\') {
        if (i_ + 1 >= in_.size()) return InvalidArgument("unexpected end of JSON input");
        char e = in_[i_ + 1];
        if (e == 'u') {
          for (size_t k = 2; k < 6; ++k) {
            if (i_ + k >= in_.size()) return InvalidArgument("unexpected end of JSON input");
            char h = in_[i_ + k];
            bool hex = IsDigit(h) || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
            if (!hex) return InvalidArgument("invalid character in \\u hexadecimal character escape");
          }
          out_->append(in_.substr(i_, 6));
          i_ += 6;
          continue;
        }
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
            e != 't') {
          return InvalidArgument("invalid character in string escape code");
        }
        out_->append(in_.substr(i_, 2));
        i_ += 2;
        continue;
      }
      if (c == '<' || c == '>' || c == '&') {
        static constexpr char kHex[] = "0123456789abcdef";
        char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out_->append(buf, 6);
        ++i_;
        continue;
      }
      if (c == 0xE2 && i_ + 2 < in_.size() && static_cast<unsigned char>(in_[i_ + 1]) == 0x80 &&
          (static_cast<unsigned char>(in_[i_ + 2]) & 0xFE) == 0xA8) {
        out_->append(static_cast<unsigned char>(in_[i_ + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
        i_ += 3;
        continue;
      }
      out_->push_back(static_cast<char>(c));
      ++i_;
    }
  }

  std::string_view in_;
  std::string* out_;
  size_t i_ = 0;
};

}  // namespace

Status AppendCompacted(std::string* out, std::string_view json) {
  size_t start = out->size();
  Status s = Compactor(json, out).Run();
  if (!s.ok()) out->resize(start);
  return s;
}

void AppendReindented(std::string* out, std::string_view in, int depth) {
  bool in_string = false;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (in_string) {
      out->push_back(c);
      if (c == '\\' && i + 1 < in.size()) {
        out->push_back(in[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out->push_back(c);
        break;
      case '{':
      case '[':
        out->push_back(c);
        if (i + 1 < in.size() && (in[i + 1] == '}' || in[i + 1] == ']')) {
          out->push_back(in[++i]);  // empty stays on one line
        } else {
          AppendNewlineIndent(out, ++depth);
        }
        break;
      case '}':
      case ']':
        AppendNewlineIndent(out, --depth);
        out->push_back(c);
        break;
      case ',':
        out->push_back(c);
        AppendNewlineIndent(out, depth);
        break;
      case ':':
        out->append(": ");
        break;
      default:
        out->push_back(c);
    }
  }
}

}  // namespace kstream::encoding::json
