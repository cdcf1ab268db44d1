#include "registry/jsonpath.h"

#include <cctype>

#include "api/json.h"
#include "encoding/go_strconv.h"

namespace kstream::registry {

namespace {

Status Bad(std::string_view expr, std::string_view why) {
  return InvalidArgument("invalid JSONPath " + std::string(expr) + ": " + std::string(why));
}

bool IsFieldChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '/' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Numbers compare by value whatever their JSON form.
bool EqualValues(const api::Value& a, const api::Value& b) {
  auto num = [](const api::Value& v, double* out) {
    if (v.is_int()) {
      *out = static_cast<double>(v.as_int());
      return true;
    }
    if (v.is_float()) {
      *out = v.as_float();
      return true;
    }
    return false;
  };
  double x = 0, y = 0;
  if (num(a, &x) && num(b, &y)) return x == y;
  return a == b;
}

}  // namespace

Result<JsonPath> JsonPath::Parse(std::string_view expr) {
  JsonPath p;
  p.text_ = std::string(expr);
  size_t i = 0;
  auto parse_field = [&](std::string* out) {
    while (i < expr.size()) {
      if (expr[i] == '\\' && i + 1 < expr.size()) {
        out->push_back(expr[i + 1]);
        i += 2;
        continue;
      }
      if (!IsFieldChar(expr[i])) break;
      out->push_back(expr[i++]);
    }
  };
  if (!expr.empty() && expr[0] == '$') ++i;
  while (i < expr.size()) {
    char c = expr[i];
    if (c == '.') {
      ++i;
      if (i < expr.size() && expr[i] == '*') {
        ++i;
        Step w;
        w.kind = Step::Kind::kWildcard;
        p.steps_.push_back(std::move(w));
        continue;
      }
      Step s;
      parse_field(&s.field);
      if (s.field.empty()) {
        if (i == expr.size() && p.steps_.empty()) break;  // "." alone: the root
        return Bad(expr, "empty field name");
      }
      p.steps_.push_back(std::move(s));
      continue;
    }
    if (c != '[') return Bad(expr, "unexpected character");
    size_t close = std::string_view::npos;
    ++i;
    if (i < expr.size() && expr[i] == '?') {
      // [?(@.path op literal)]
      size_t end = expr.find(")]", i);
      if (end == std::string_view::npos) return Bad(expr, "unterminated filter");
      std::string_view f = expr.substr(i + 1, end - i - 1);
      i = end + 2;
      if (f.empty() || f.front() != '(') return Bad(expr, "filter must be ?(...)");
      f.remove_prefix(1);
      auto trim = [](std::string_view s) {
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
      };
      Step s;
      s.kind = Step::Kind::kFilter;
      std::string_view lhs = f, rhs;
      for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
        size_t at = f.find(op);
        if (at != std::string_view::npos) {
          s.op = std::string(op);
          lhs = f.substr(0, at);
          rhs = f.substr(at + op.size());
          break;
        }
      }
      lhs = trim(lhs);
      if (lhs.substr(0, 1) != "@") return Bad(expr, "filter must start with @");
      lhs.remove_prefix(1);
      while (!lhs.empty()) {
        if (lhs.front() != '.') return Bad(expr, "filter path must be @.field");
        lhs.remove_prefix(1);
        size_t n = 0;
        while (n < lhs.size() && IsFieldChar(lhs[n])) ++n;
        if (n == 0) return Bad(expr, "empty field name in filter");
        s.filter_path.emplace_back(lhs.substr(0, n));
        lhs.remove_prefix(n);
      }
      if (!s.op.empty()) {
        rhs = trim(rhs);
        if (rhs.size() >= 2 && (rhs.front() == '"' || rhs.front() == '\'') && rhs.back() == rhs.front()) {
          s.literal = std::string(rhs.substr(1, rhs.size() - 2));
        } else {
          auto v = api::ParseJson(rhs);
          if (!v.ok()) return Bad(expr, "bad filter literal");
          s.literal = std::move(v).value();
        }
      }
      p.steps_.push_back(std::move(s));
      continue;
    }
    close = expr.find(']', i);
    if (close == std::string_view::npos) return Bad(expr, "unterminated [");
    std::string_view in = expr.substr(i, close - i);
    i = close + 1;
    if (in == "*") {
      Step w;
      w.kind = Step::Kind::kWildcard;
      p.steps_.push_back(std::move(w));
    } else if (in.size() >= 2 && (in.front() == '\'' || in.front() == '"') && in.back() == in.front()) {
      Step s;
      s.field = std::string(in.substr(1, in.size() - 2));
      p.steps_.push_back(std::move(s));
    } else {
      Step s;
      s.kind = Step::Kind::kIndex;
      bool neg = !in.empty() && in.front() == '-';
      std::string_view digits = neg ? in.substr(1) : in;
      if (digits.empty()) return Bad(expr, "bad index");
      for (char d : digits) {
        if (!std::isdigit(static_cast<unsigned char>(d))) return Bad(expr, "bad index");
        s.index = s.index * 10 + (d - '0');
        if (s.index > (int64_t{1} << 40)) return Bad(expr, "index too large");
      }
      if (neg) s.index = -s.index;
      p.steps_.push_back(std::move(s));
    }
  }
  return p;
}

std::vector<const api::Value*> JsonPath::Find(const api::Value& root) const {
  std::vector<const api::Value*> cur{&root};
  for (const Step& s : steps_) {
    std::vector<const api::Value*> next;
    for (const api::Value* v : cur) {
      switch (s.kind) {
        case Step::Kind::kField:
          if (v->is_object()) {
            if (const api::Value* f = v->Find(s.field)) next.push_back(f);
          }
          break;
        case Step::Kind::kIndex:
          if (v->is_array()) {
            int64_t n = static_cast<int64_t>(v->as_array().size());
            int64_t k = s.index < 0 ? n + s.index : s.index;
            if (k >= 0 && k < n) next.push_back(&v->as_array()[static_cast<size_t>(k)]);
          }
          break;
        case Step::Kind::kWildcard:
          if (v->is_array()) {
            for (const api::Value& e : v->as_array()) next.push_back(&e);
          } else if (v->is_object()) {
            for (const api::Member& m : v->as_object()) next.push_back(&m.value);
          }
          break;
        case Step::Kind::kFilter:
          if (v->is_array()) {
            for (const api::Value& e : v->as_array()) {
              const api::Value* x = &e;
              for (const std::string& f : s.filter_path) {
                x = x->is_object() ? x->Find(f) : nullptr;
                if (x == nullptr) break;
              }
              if (x == nullptr) continue;
              bool keep = true;
              if (s.op == "==") keep = EqualValues(*x, s.literal);
              if (s.op == "!=") keep = !EqualValues(*x, s.literal);
              if (s.op == "<" || s.op == ">" || s.op == "<=" || s.op == ">=") {
                double a = x->is_int() ? static_cast<double>(x->as_int()) : x->is_float() ? x->as_float() : 0;
                double b = s.literal.is_int()     ? static_cast<double>(s.literal.as_int())
                           : s.literal.is_float() ? s.literal.as_float()
                                                  : 0;
                keep = s.op == "<" ? a < b : s.op == ">" ? a > b : s.op == "<=" ? a <= b : a >= b;
              }
              if (keep) next.push_back(&e);
            }
          }
          break;
      }
    }
    cur = std::move(next);
  }
  return cur;
}

std::string JsonPathText(const api::Value& v) {
  switch (v.kind()) {
    case api::Value::Kind::kNull:
      return "<nil>";
    case api::Value::Kind::kBool:
      return v.as_bool() ? "true" : "false";
    case api::Value::Kind::kInt:
      return std::to_string(v.as_int());
    case api::Value::Kind::kFloat: {
      std::string out;
      encoding::AppendGoFloatG(&out, v.as_float());
      return out;
    }
    case api::Value::Kind::kString:
      return v.as_string();
    case api::Value::Kind::kArray: {
      std::string out = "[";
      bool first = true;
      for (const api::Value& e : v.as_array()) {
        if (!first) out += ' ';
        first = false;
        out += JsonPathText(e);
      }
      return out + "]";
    }
    case api::Value::Kind::kObject: {
      std::string out = "map[";
      bool first = true;
      for (const api::Member& m : v.as_object()) {
        if (!first) out += ' ';
        first = false;
        out += m.key + ":" + JsonPathText(m.value);
      }
      return out + "]";
    }
  }
  return {};
}

}  // namespace kstream::registry
