#include "registry/label_selector.h"

#include <algorithm>
#include <string>
#include <utility>

#include "encoding/utf8.h"
#include "registry/validation.h"

namespace kstream::registry {

// ---------------------------------------------------------------------------------------
// Validation (apimachinery/pkg/util/validation, 1.33 wording)

namespace {

constexpr std::string_view kQualifiedNameErr =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
constexpr std::string_view kDns1123SubdomainErr =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
constexpr std::string_view kLabelValueErr =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

bool MatchesQualifiedName(std::string_view s) { return MatchesQualifiedNamePart(s); }

std::string MaxLenError(int n) { return "must be no more than " + std::to_string(n) + " characters"; }

// validation.IsQualifiedName.
std::vector<std::string> QualifiedNameErrors(std::string_view value) {
  std::vector<std::string> errs;
  size_t slashes = static_cast<size_t>(std::count(value.begin(), value.end(), '/'));
  std::string_view name;
  if (slashes == 0) {
    name = value;
  } else if (slashes == 1) {
    size_t slash = value.find('/');
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      if (prefix.size() > 253) errs.push_back("prefix part " + MaxLenError(253));
      if (!MatchesDns1123Subdomain(prefix)) errs.push_back("prefix part " + std::string(kDns1123SubdomainErr));
    }
  } else {
    errs.push_back("a qualified name " + std::string(kQualifiedNameErr) +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + MaxLenError(63));
  }
  if (!MatchesQualifiedName(name)) errs.push_back("name part " + std::string(kQualifiedNameErr));
  return errs;
}

// validation.IsValidLabelValue.
std::vector<std::string> LabelValueErrors(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back(MaxLenError(63));
  if (!value.empty() && !MatchesQualifiedName(value)) errs.push_back(std::string(kLabelValueErr));
  return errs;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

// field.Invalid(path, value, detail).Error() for a string value.
std::string InvalidFieldError(std::string_view path, std::string_view value, std::string_view detail) {
  std::string out(path);
  out.append(": Invalid value: ");
  out.append(GoQuote(value));
  out.append(": ");
  out.append(detail);
  return out;
}

// utilerrors.NewAggregate(errs).Error(): one message as is, several deduplicated in "[a, b]".
std::string AggregateError(const std::vector<std::string>& errs) {
  if (errs.size() == 1) return errs[0];
  std::vector<std::string> seen;
  for (const std::string& e : errs) {
    if (std::find(seen.begin(), seen.end(), e) == seen.end()) seen.push_back(e);
  }
  if (seen.size() == 1) return seen[0];
  return "[" + Join(seen, ", ") + "]";
}

// strconv.ParseInt(s, 10, 64).
bool ParseInt10(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty()) return false;
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > uint64_t{1} << 63) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Lexer (labels.Lexer)

enum class Tok : uint8_t {
  kError,
  kEnd,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Tok tok;
  std::string literal;
};

bool IsWhitespace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsSpecialSymbol(unsigned char c) {
  switch (c) {
    case '=': case '!': case '(': case ')': case ',': case '>': case '<':
      return true;
    default:
      return false;
  }
}

// string2token for the literal tokens; kIdentifier when `s` is none of them.
Tok LiteralToken(std::string_view s, bool* found) {
  *found = true;
  if (s == ")") return Tok::kClosedPar;
  if (s == ",") return Tok::kComma;
  if (s == "!") return Tok::kDoesNotExist;
  if (s == "==") return Tok::kDoubleEquals;
  if (s == "=") return Tok::kEquals;
  if (s == ">") return Tok::kGreaterThan;
  if (s == "in") return Tok::kIn;
  if (s == "<") return Tok::kLessThan;
  if (s == "!=") return Tok::kNotEquals;
  if (s == "notin") return Tok::kNotIn;
  if (s == "(") return Tok::kOpenPar;
  *found = false;
  return Tok::kIdentifier;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Item Lex() {
    unsigned char ch = SkipWhiteSpaces(Read());
    if (ch == 0) return {Tok::kEnd, ""};
    Unread();
    if (IsSpecialSymbol(ch)) return ScanSpecialSymbol();
    return ScanIdOrKeyword();
  }

 private:
  // 0 at the end of input; a NUL byte in the input reads as 0 too (as in Go).
  unsigned char Read() {
    if (pos_ < s_.size()) return static_cast<unsigned char>(s_[pos_++]);
    return 0;
  }
  void Unread() { --pos_; }

  unsigned char SkipWhiteSpaces(unsigned char ch) {
    while (IsWhitespace(ch)) ch = Read();
    return ch;
  }

  Item ScanIdOrKeyword() {
    std::string buffer;
    while (true) {
      unsigned char ch = Read();
      if (ch == 0) break;
      if (IsSpecialSymbol(ch) || IsWhitespace(ch)) {
        Unread();
        break;
      }
      buffer.push_back(static_cast<char>(ch));
    }
    bool found = false;
    Tok t = LiteralToken(buffer, &found);
    if (found) return {t, std::move(buffer)};
    return {Tok::kIdentifier, std::move(buffer)};
  }

  Item ScanSpecialSymbol() {
    Item last{Tok::kError, ""};
    std::string buffer;
    while (true) {
      unsigned char ch = Read();
      if (ch == 0) break;
      if (IsSpecialSymbol(ch)) {
        buffer.push_back(static_cast<char>(ch));
        bool found = false;
        Tok t = LiteralToken(buffer, &found);
        if (found) {
          last = {t, buffer};
        } else if (last.tok != Tok::kError) {
          Unread();
          break;
        }
      } else {
        Unread();
        break;
      }
    }
    if (last.tok == Tok::kError) return {Tok::kError, "error expected: keyword found '" + buffer + "'"};
    return last;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------
// Parser (labels.Parser)

enum class Context { kKeyAndOperator, kValues };

using Op = LabelSelector::Op;
using Requirement = LabelSelector::Requirement;

class Parser {
 public:
  explicit Parser(std::string_view s) {
    Lexer l(s);
    while (true) {
      Item it = l.Lex();
      bool end = it.tok == Tok::kEnd;
      items_.push_back(std::move(it));
      if (end) break;
    }
  }

  Status Parse(std::vector<Requirement>* out) {
    while (true) {
      const Item& la = Lookahead(Context::kValues);
      Tok tok = TokIn(la, Context::kValues);
      switch (tok) {
        case Tok::kIdentifier:
        case Tok::kDoesNotExist: {
          Requirement r;
          Status s = ParseRequirement(&r);
          if (!s.ok()) return InvalidArgument("unable to parse requirement: " + std::string(s.message()));
          out->push_back(std::move(r));
          const Item& c = Consume();
          switch (TokIn(c, Context::kValues)) {
            case Tok::kEnd:
              return Status::Ok();
            case Tok::kComma: {
              const Item& next = Lookahead(Context::kValues);
              Tok t2 = TokIn(next, Context::kValues);
              if (t2 != Tok::kIdentifier && t2 != Tok::kDoesNotExist) {
                return InvalidArgument("found '" + next.literal + "', expected: identifier after ','");
              }
              break;
            }
            default:
              return InvalidArgument("found '" + c.literal + "', expected: ',' or 'end of string'");
          }
          break;
        }
        case Tok::kEnd:
          return Status::Ok();
        default:
          return InvalidArgument("found '" + la.literal + "', expected: !, identifier, or 'end of string'");
      }
    }
  }

 private:
  static Tok TokIn(const Item& it, Context ctx) {
    if (ctx == Context::kValues && (it.tok == Tok::kIn || it.tok == Tok::kNotIn)) return Tok::kIdentifier;
    return it.tok;
  }
  // The parser never reads past the end token: every path stops at kEnd.
  const Item& Lookahead(Context) const { return items_[std::min(position_, items_.size() - 1)]; }
  const Item& Consume() {
    const Item& it = items_[std::min(position_, items_.size() - 1)];
    ++position_;
    return it;
  }

  Status ParseRequirement(Requirement* r) {
    std::string key;
    Op op = Op::kExists;
    bool inferred = false;
    KS_RETURN_IF_ERROR(ParseKeyAndInferOperator(&key, &op, &inferred));
    std::vector<std::string> values;
    if (!inferred) {
      KS_RETURN_IF_ERROR(ParseOperator(&op));
      switch (op) {
        case Op::kIn:
        case Op::kNotIn:
          KS_RETURN_IF_ERROR(ParseValues(&values));
          break;
        default:
          KS_RETURN_IF_ERROR(ParseExactValue(&values));
          break;
      }
    }
    return NewRequirement(std::move(key), op, std::move(values), r);
  }

  // `inferred`: the operator is Exists or DoesNotExist (nothing more to parse).
  Status ParseKeyAndInferOperator(std::string* key, Op* op, bool* inferred) {
    bool does_not_exist = false;
    const Item* it = &Consume();
    Tok tok = TokIn(*it, Context::kValues);
    if (tok == Tok::kDoesNotExist) {
      does_not_exist = true;
      it = &Consume();
      tok = TokIn(*it, Context::kValues);
    }
    if (tok != Tok::kIdentifier) return InvalidArgument("found '" + it->literal + "', expected: identifier");
    std::vector<std::string> errs = QualifiedNameErrors(it->literal);
    if (!errs.empty()) return InvalidArgument(InvalidFieldError("<nil>", it->literal, Join(errs, "; ")));
    *key = it->literal;
    Tok next = TokIn(Lookahead(Context::kValues), Context::kValues);
    if (does_not_exist) {
      // kube: the operator stays DoesNotExist whatever follows; NewRequirement then sees
      // DoesNotExist with no values (a following token is reported by the caller).
      *op = Op::kDoesNotExist;
      *inferred = true;
    } else if (next == Tok::kEnd || next == Tok::kComma) {
      *op = Op::kExists;
      *inferred = true;
    }
    return Status::Ok();
  }

  Status ParseOperator(Op* op) {
    const Item& it = Consume();
    switch (TokIn(it, Context::kKeyAndOperator)) {
      case Tok::kIn: *op = Op::kIn; break;
      case Tok::kEquals: *op = Op::kEquals; break;
      case Tok::kDoubleEquals: *op = Op::kDoubleEquals; break;
      case Tok::kGreaterThan: *op = Op::kGreaterThan; break;
      case Tok::kLessThan: *op = Op::kLessThan; break;
      case Tok::kNotIn: *op = Op::kNotIn; break;
      case Tok::kNotEquals: *op = Op::kNotEquals; break;
      default:
        return InvalidArgument("found '" + it.literal + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    return Status::Ok();
  }

  static void Insert(std::vector<std::string>* set, std::string v) {
    auto pos = std::lower_bound(set->begin(), set->end(), v);
    if (pos == set->end() || *pos != v) set->insert(pos, std::move(v));
  }

  Status ParseValues(std::vector<std::string>* values) {
    const Item& open = Consume();
    if (TokIn(open, Context::kValues) != Tok::kOpenPar) {
      return InvalidArgument("found '" + open.literal + "' expected: '('");
    }
    const Item& la = Lookahead(Context::kValues);
    switch (TokIn(la, Context::kValues)) {
      case Tok::kIdentifier:
      case Tok::kComma: {
        KS_RETURN_IF_ERROR(ParseIdentifiersList(values));
        if (TokIn(Consume(), Context::kValues) != Tok::kClosedPar) {
          // kube reports the literal it looked at before the list, not the one it found.
          return InvalidArgument("found '" + la.literal + "', expected: ')'");
        }
        return Status::Ok();
      }
      case Tok::kClosedPar:
        Consume();
        Insert(values, "");
        return Status::Ok();
      default:
        return InvalidArgument("found '" + la.literal + "', expected: ',', ')' or identifier");
    }
  }

  Status ParseIdentifiersList(std::vector<std::string>* values) {
    while (true) {
      const Item& it = Consume();
      switch (TokIn(it, Context::kValues)) {
        case Tok::kIdentifier: {
          Insert(values, it.literal);
          const Item& next = Lookahead(Context::kValues);
          switch (TokIn(next, Context::kValues)) {
            case Tok::kComma:
              continue;
            case Tok::kClosedPar:
              return Status::Ok();
            default:
              return InvalidArgument("found '" + next.literal + "', expected: ',' or ')'");
          }
        }
        case Tok::kComma: {
          if (values->empty()) Insert(values, "");  // "(,"
          Tok t2 = TokIn(Lookahead(Context::kValues), Context::kValues);
          if (t2 == Tok::kClosedPar) {
            Insert(values, "");  // ",)"
            return Status::Ok();
          }
          if (t2 == Tok::kComma) Insert(values, "");  // ",,"
          break;
        }
        default:
          return InvalidArgument("found '" + it.literal + "', expected: ',', or identifier");
      }
    }
  }

  Status ParseExactValue(std::vector<std::string>* values) {
    Tok la = TokIn(Lookahead(Context::kValues), Context::kValues);
    if (la == Tok::kEnd || la == Tok::kComma) {
      Insert(values, "");
      return Status::Ok();
    }
    const Item& it = Consume();
    if (TokIn(it, Context::kValues) == Tok::kIdentifier) {
      Insert(values, it.literal);
      return Status::Ok();
    }
    return InvalidArgument("found '" + it.literal + "', expected: identifier");
  }

  // labels.NewRequirement (the key was validated by the parser already and is valid).
  static Status NewRequirement(std::string key, Op op, std::vector<std::string> values, Requirement* r) {
    std::vector<std::string> errs;
    int64_t int_value = 0;
    switch (op) {
      case Op::kIn:
      case Op::kNotIn:
      case Op::kEquals:
      case Op::kDoubleEquals:
      case Op::kNotEquals:
      case Op::kExists:
        break;  // the parser always gives these the right number of values
      case Op::kDoesNotExist:
        break;
      case Op::kGreaterThan:
      case Op::kLessThan:
        for (size_t i = 0; i < values.size(); ++i) {
          if (!ParseInt10(values[i], &int_value)) {
            errs.push_back(InvalidFieldError("values[" + std::to_string(i) + "]", values[i],
                                             "for 'Gt', 'Lt' operators, the value must be an integer"));
          }
        }
        break;
    }
    for (size_t i = 0; i < values.size(); ++i) {
      std::vector<std::string> verrs = LabelValueErrors(values[i]);
      if (!verrs.empty()) {
        errs.push_back(InvalidFieldError("values[" + std::to_string(i) + "][" + key + "]", values[i],
                                         Join(verrs, "; ")));
      }
    }
    if (!errs.empty()) return InvalidArgument(AggregateError(errs));
    r->key = std::move(key);
    r->op = op;
    r->values = std::move(values);
    r->int_value = int_value;
    return Status::Ok();
  }

  std::vector<Item> items_;
  size_t position_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------
// LabelSelector

bool LabelSelector::Requirement::Matches(const std::string* value) const {
  auto has = [&](const std::string& v) { return std::binary_search(values.begin(), values.end(), v); };
  switch (op) {
    case Op::kIn:
    case Op::kEquals:
    case Op::kDoubleEquals:
      return value != nullptr && has(*value);
    case Op::kNotIn:
    case Op::kNotEquals:
      return value == nullptr || !has(*value);
    case Op::kExists:
      return value != nullptr;
    case Op::kDoesNotExist:
      return value == nullptr;
    case Op::kGreaterThan:
    case Op::kLessThan: {
      if (value == nullptr) return false;
      int64_t v = 0;
      if (!ParseInt10(*value, &v)) return false;
      if (values.size() != 1) return false;
      return op == Op::kGreaterThan ? v > int_value : v < int_value;
    }
  }
  return false;
}

std::string LabelSelector::Requirement::String() const {
  std::string out;
  if (op == Op::kDoesNotExist) out.push_back('!');
  out.append(key);
  switch (op) {
    case Op::kEquals: out.append("="); break;
    case Op::kDoubleEquals: out.append("=="); break;
    case Op::kNotEquals: out.append("!="); break;
    case Op::kIn: out.append(" in "); break;
    case Op::kNotIn: out.append(" notin "); break;
    case Op::kGreaterThan: out.append(">"); break;
    case Op::kLessThan: out.append("<"); break;
    case Op::kExists:
    case Op::kDoesNotExist:
      return out;
  }
  bool set = op == Op::kIn || op == Op::kNotIn;
  if (set) out.push_back('(');
  out.append(Join(values, ","));
  if (set) out.push_back(')');
  return out;
}

bool LabelSelector::Matches(const typed::Map<std::string>& labels) const {
  return MatchesWith([&](std::string_view key) -> const std::string* {
    auto it = labels.find(key);
    return it == labels.end() ? nullptr : &it->second;
  });
}

bool LabelSelector::Matches(const std::function<const std::string*(std::string_view key)>& lookup) const {
  return MatchesWith(lookup);
}

bool LabelSelector::RequiresExactMatch(std::string_view label, std::string* value) const {
  for (const Requirement& r : requirements_) {
    if (r.key != label) continue;
    if ((r.op == Op::kEquals || r.op == Op::kDoubleEquals || r.op == Op::kIn) && r.values.size() == 1) {
      if (value != nullptr) *value = r.values[0];
      return true;
    }
    return false;
  }
  return false;
}

std::string LabelSelector::String() const {
  std::string out;
  for (size_t i = 0; i < requirements_.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(requirements_[i].String());
  }
  return out;
}

Result<LabelSelector> ParseLabelSelector(std::string_view selector) {
  Parser p(selector);
  LabelSelector out;
  KS_RETURN_IF_ERROR(p.Parse(&out.requirements_));
  // sort.Sort(ByKey): insertion sort (stable) for the short lists selectors are.
  std::stable_sort(out.requirements_.begin(), out.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return out;
}

}  // namespace kstream::registry
