#include "server/negotiate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "base/ascii.h"
#include "encoding/go_strconv.h"
#include "encoding/utf8.h"

namespace kstream::server {

const std::vector<MediaTypeInfo>& BuiltinMediaTypes() {
  static const auto* types = new std::vector<MediaTypeInfo>{
      {"application/json", "application", "json", Serializer::kJson, true, true},
      {"application/yaml", "application", "yaml", Serializer::kYaml, false, false},
      {"application/vnd.kubernetes.protobuf", "application", "vnd.kubernetes.protobuf", Serializer::kProtobuf, true,
       false},
  };
  return *types;
}

// ---------------------------------------------------------------------------------------
// goautoneg.ParseAccept

namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// strings.Trim(s, " ").
std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// digits [. digits] | . digits, then an optional exponent (no sign, no underscores).
bool IsPlainDecimal(std::string_view s) {
  size_t i = 0, mant = 0;
  auto digit = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  while (digit(i)) ++i, ++mant;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (digit(i)) ++i, ++mant;
  }
  if (mant == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == s.size();
}

// strconv.ParseFloat(s, 32) as goautoneg uses it: the value (rounded to float32) on
// success or overflow (±Inf), 0 on a syntax error.
double ParseQ(std::string_view s) {
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualFoldAscii(body, "inf") || EqualFoldAscii(body, "infinity")) {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (EqualFoldAscii(s, "nan")) return std::numeric_limits<double>::quiet_NaN();
  double d = 0;
  if (!encoding::ParseGoFloat(s, &d)) {
    // A syntax error gives 0. Well-formed decimal text that ParseGoFloat still rejects
    // overflowed float64, hence float32 too: ±Inf.
    return IsPlainDecimal(body) ? (neg ? -std::numeric_limits<double>::infinity()
                                       : std::numeric_limits<double>::infinity())
                                : 0;
  }
  // Round to float32 (values beyond its range become ±Inf, as Go reports them).
  constexpr double kFloat32Overflow = 3.4028235677973366e38;  // FLT_MAX + half an ulp
  if (std::fabs(d) >= kFloat32Overflow) {
    return d < 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  return static_cast<double>(static_cast<float>(d));
}

// goautoneg's accept_slice.Less (not a strict weak order; reproduced as is).
bool AcceptLess(const AcceptClause& a, const AcceptClause& b) {
  if (a.q > b.q) return true;
  if (a.type != "*" && b.type == "*") return true;
  if (a.subtype != "*" && b.subtype == "*") return true;
  return false;
}

}  // namespace

std::vector<AcceptClause> ParseAccept(std::string_view header) {
  std::vector<AcceptClause> out;
  for (std::string_view raw : Split(header, ',')) {
    std::string_view part = TrimSpaces(raw);
    AcceptClause a;
    std::vector<std::string_view> mrp = Split(part, ';');
    std::vector<std::string_view> sp = Split(mrp[0], '/');
    a.type = std::string(TrimSpaces(sp[0]));
    if (sp.size() == 1 && a.type == "*") {
      a.subtype = "*";
    } else if (sp.size() == 2) {
      a.subtype = std::string(TrimSpaces(sp[1]));
    } else {
      continue;
    }
    for (size_t i = 1; i < mrp.size(); ++i) {
      std::string_view param = mrp[i];
      size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      std::string token(TrimSpaces(param.substr(0, eq)));
      std::string_view value = param.substr(eq + 1);
      if (token == "q") {
        a.q = ParseQ(value);
      } else {
        a.params[token] = std::string(TrimSpaces(value));
      }
    }
    out.push_back(std::move(a));
  }
  // sort.Sort: insertion sort for up to 12 elements (Go's pdqsort cut-off).
  for (size_t i = 1; i < out.size(); ++i) {
    for (size_t j = i; j > 0 && AcceptLess(out[j], out[j - 1]); --j) std::swap(out[j], out[j - 1]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Negotiation

TransformCheck ResourceTransformCheck(ResourceEndpoint endpoint) {
  return [endpoint](std::string_view type, std::string_view subtype, const ConversionTarget* target) {
    if (target == nullptr) {
      if (!endpoint.json_yaml_only) return true;
      return type == "application" && (subtype == "json" || subtype == "yaml");
    }
    if (target->group == "meta.k8s.io" && (target->version == "v1" || target->version == "v1beta1")) {
      if (target->kind == "Table") {
        return endpoint.has_table_convertor && type == "application" && (subtype == "json" || subtype == "yaml");
      }
      return target->kind == "PartialObjectMetadata" || target->kind == "PartialObjectMetadataList";
    }
    return false;
  };
}

namespace {

// acceptMediaTypeOptions: false when this clause's parameters rule the serializer out.
bool AcceptMediaTypeOptions(const AcceptClause& clause, const MediaTypeInfo& accepts,
                            const TransformCheck& allows_transform, std::string_view server_version,
                            NegotiatedOutput* out) {
  NegotiatedOutput options;
  for (const auto& [k, v] : clause.params) {
    if (k == "as" || k == "g" || k == "v") {
      if (!options.target) options.target.emplace();
      (k == "as" ? options.target->kind : k == "g" ? options.target->group : options.target->version) = v;
    } else if (k == "stream") {
      if (!v.empty() && (!accepts.streamable || v != "watch")) return false;
      options.stream = v;
    } else if (k == "sv") {
      if (!v.empty() && (server_version.empty() || v != server_version)) return false;
      options.server_version = v;
    } else if (k == "export") {
      options.export_ = v == "1";
    } else if (k == "pretty") {
      options.pretty = v == "1";
    } else {
      options.unrecognized.push_back(k);
    }
  }
  const ConversionTarget* target = options.target ? &*options.target : nullptr;
  bool allowed = allows_transform ? allows_transform(accepts.type, accepts.subtype, target) : target == nullptr;
  if (!allowed) return false;
  options.media_type = &accepts;
  *out = std::move(options);
  return true;
}

bool NegotiateMediaTypeOptions(std::string_view header, const std::vector<MediaTypeInfo>& accepted,
                               const TransformCheck& allows_transform, std::string_view server_version,
                               NegotiatedOutput* out) {
  if (header.empty() && !accepted.empty()) {
    *out = NegotiatedOutput{};
    out->media_type = &accepted[0];
    return true;
  }
  for (const AcceptClause& clause : ParseAccept(header)) {
    for (const MediaTypeInfo& accepts : accepted) {
      bool match = (clause.type == accepts.type && clause.subtype == accepts.subtype) ||
                   (clause.type == accepts.type && clause.subtype == "*") ||
                   (clause.type == "*" && clause.subtype == "*");
      if (match && AcceptMediaTypeOptions(clause, accepts, allows_transform, server_version, out)) return true;
    }
  }
  return false;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(names[i]);
  }
  return out;
}

}  // namespace

std::vector<std::string> MediaTypeNames(const std::vector<MediaTypeInfo>& supported, bool stream) {
  std::vector<std::string> out;
  for (const MediaTypeInfo& m : supported) {
    if (!stream) {
      out.emplace_back(m.media_type);
    } else if (m.streamable) {
      out.push_back(std::string(m.media_type) + ";stream=watch");
    }
  }
  return out;
}

std::string NotAcceptableMessage(const std::vector<std::string>& accepted) {
  return "only the following media types are accepted: " + JoinNames(accepted);
}

std::string UnsupportedMediaTypeMessage(const std::vector<std::string>& accepted) {
  return "the body of the request was in an unknown format - accepted media types include: " + JoinNames(accepted);
}

Result<NegotiatedOutput> NegotiateOutput(std::string_view accept, const std::vector<MediaTypeInfo>& supported,
                                         const TransformCheck& allows_transform, std::string_view server_version) {
  NegotiatedOutput out;
  if (!NegotiateMediaTypeOptions(accept, supported, allows_transform, server_version, &out)) {
    return InvalidArgument(NotAcceptableMessage(MediaTypeNames(supported, false)));
  }
  return out;
}

Result<NegotiatedOutput> NegotiateOutputStream(std::string_view accept, const std::vector<MediaTypeInfo>& supported,
                                               const TransformCheck& allows_transform,
                                               std::string_view server_version) {
  NegotiatedOutput out;
  if (!NegotiateMediaTypeOptions(accept, supported, allows_transform, server_version, &out) ||
      !out.media_type->streamable) {
    return InvalidArgument(NotAcceptableMessage(MediaTypeNames(supported, true)));
  }
  return out;
}

bool IsPrettyPrint(std::string_view query_pretty, std::string_view user_agent) {
  if (!query_pretty.empty()) {
    // strconv.ParseBool; an error means false.
    static constexpr std::string_view kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
    return std::find(std::begin(kTrue), std::end(kTrue), query_pretty) != std::end(kTrue);
  }
  auto starts = [&](std::string_view p) { return user_agent.substr(0, p.size()) == p; };
  return starts("curl") || starts("Wget") || starts("Mozilla/5.0");
}

bool UsePrettySerializer(const NegotiatedOutput& out, std::string_view query_pretty, std::string_view user_agent) {
  return out.media_type != nullptr && out.media_type->has_pretty &&
         (out.pretty || IsPrettyPrint(query_pretty, user_agent));
}

std::string ResponseContentType(const MediaTypeInfo& media_type, bool watch) {
  std::string out(media_type.media_type);
  if (watch && media_type.media_type != "application/json") out.append(";stream=watch");
  return out;
}

// ---------------------------------------------------------------------------------------
// mime.ParseMediaType

namespace {

// The byte length of the unicode.IsSpace rune at the start of `s`, or 0.
size_t SpaceLength(std::string_view s) {
  if (s.empty()) return 0;
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c < 0x80) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t len = encoding::ValidMultiByteUtf8Length(p, s.size());
  if (len == 0) return 0;
  char32_t r = encoding::DecodeUtf8(p, len);
  bool space = r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 ||
               r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
  return space ? len : 0;
}

std::string_view TrimLeftSpace(std::string_view s) {
  while (size_t n = SpaceLength(s)) s.remove_prefix(n);
  return s;
}

// The byte length of the unicode.IsSpace rune ending `s`, or 0.
size_t TrailingSpaceLength(std::string_view s) {
  for (size_t len = 1; len <= 3 && len <= s.size(); ++len) {
    std::string_view tail = s.substr(s.size() - len);
    if (SpaceLength(tail) == len) return len;
  }
  return 0;
}

std::string_view TrimSpace(std::string_view s) {
  s = TrimLeftSpace(s);
  while (size_t n = TrailingSpaceLength(s)) s.remove_suffix(n);
  return s;
}

bool IsTSpecial(unsigned char c) {
  return std::string_view("()<>@,;:\\\"/[]?=").find(static_cast<char>(c)) != std::string_view::npos;
}
bool IsTokenChar(unsigned char c) { return c > 0x20 && c < 0x7f && !IsTSpecial(c); }

void ConsumeToken(std::string_view v, std::string_view* token, std::string_view* rest) {
  size_t i = 0;
  while (i < v.size() && IsTokenChar(static_cast<unsigned char>(v[i]))) ++i;
  *token = v.substr(0, i);
  *rest = v.substr(i);
}

// consumeValue: a token or a quoted string; ("", v) when neither.
void ConsumeValue(std::string_view v, std::string* value, std::string_view* rest) {
  value->clear();
  if (v.empty()) {
    *rest = v;
    return;
  }
  if (v[0] != '"') {
    std::string_view token;
    ConsumeToken(v, &token, rest);
    value->assign(token);
    return;
  }
  for (size_t i = 1; i < v.size(); ++i) {
    char r = v[i];
    if (r == '"') {
      *rest = v.substr(i + 1);
      return;
    }
    if (r == '\\' && i + 1 < v.size() && IsTSpecial(static_cast<unsigned char>(v[i + 1]))) {
      value->push_back(v[i + 1]);
      ++i;
      continue;
    }
    if (r == '\r' || r == '\n') break;
    value->push_back(r);
  }
  value->clear();
  *rest = v;
}

bool ConsumeMediaParam(std::string_view v, std::string* param, std::string* value, std::string_view* rest) {
  std::string_view r = TrimLeftSpace(v);
  if (r.empty() || r[0] != ';') return false;
  r = TrimLeftSpace(r.substr(1));
  std::string_view token;
  ConsumeToken(r, &token, &r);
  if (token.empty()) return false;
  param->assign(token);
  for (char& c : *param) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  r = TrimLeftSpace(r);
  if (r.empty() || r[0] != '=') return false;
  r = TrimLeftSpace(r.substr(1));
  std::string_view after;
  ConsumeValue(r, value, &after);
  if (value->empty() && after == r) return false;
  *rest = after;
  return true;
}

// strings.ToLower for what can still be a token afterwards: ASCII, and the Kelvin sign
// (U+212A), the one non-ASCII rune that lowers to ASCII ('k'). Other bytes are kept (they
// are never token characters, and TrimSpace only needs the spaces intact).
std::string ToLowerForMediaType(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (s.compare(i, 3, "\xE2\x84\xAA") == 0) {
      out.push_back('k');
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool CheckMediaTypeDisposition(std::string_view s) {
  std::string_view typ, rest;
  ConsumeToken(s, &typ, &rest);
  if (typ.empty()) return false;
  if (rest.empty()) return true;
  if (rest[0] != '/') return false;
  std::string_view subtype;
  ConsumeToken(rest.substr(1), &subtype, &rest);
  return !subtype.empty() && rest.empty();
}

}  // namespace

bool ParseMediaType(std::string_view value, std::string* media_type, std::map<std::string, std::string>* params) {
  size_t semi = value.find(';');
  std::string_view base = value.substr(0, semi);
  std::string lowered = ToLowerForMediaType(base);
  std::string mt(TrimSpace(lowered));
  if (!CheckMediaTypeDisposition(mt)) return false;
  std::map<std::string, std::string> plain, continuation;
  std::string_view v = value.substr(base.size());
  while (!v.empty()) {
    v = TrimLeftSpace(v);
    if (v.empty()) break;
    std::string key, val;
    std::string_view rest;
    if (!ConsumeMediaParam(v, &key, &val, &rest)) {
      if (TrimSpace(v) == ";") break;  // a trailing semicolon is fine
      return false;
    }
    auto& pmap = key.find('*') != std::string::npos ? continuation : plain;
    auto it = pmap.find(key);
    if (it != pmap.end() && it->second != val) return false;  // duplicate parameter name
    pmap[key] = std::move(val);
    v = rest;
  }
  if (media_type != nullptr) *media_type = std::move(mt);
  if (params != nullptr) *params = std::move(plain);
  return true;
}

Result<const MediaTypeInfo*> NegotiateInput(std::string_view content_type, const std::vector<MediaTypeInfo>& supported,
                                            bool streaming) {
  std::string_view ct = content_type;
  if (ct.empty() && !supported.empty()) ct = supported[0].media_type;
  std::string base;
  if (ParseMediaType(ct, &base, nullptr)) {
    for (const MediaTypeInfo& m : supported) {
      if (m.media_type == base) return &m;
    }
  }
  return InvalidArgument(UnsupportedMediaTypeMessage(MediaTypeNames(supported, streaming)));
}

}  // namespace kstream::server
