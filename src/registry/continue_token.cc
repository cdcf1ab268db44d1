#include "registry/continue_token.h"

#include <string>

#include "api/json.h"
#include "api/value.h"
#include "encoding/go_strconv.h"
#include "encoding/json/encode.h"
#include "encoding/utf8.h"

namespace kstream::registry {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kInvalid = "continue key is not valid";
constexpr std::string_view kVersion = "meta.k8s.io/v1";

int DecodeChar(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

Status CorruptInput(size_t at) {
  return InvalidArgument("illegal base64 data at input byte " + std::to_string(at));
}

// Whether a JSON object key selects the struct field `name` (ASCII, lower case): Go's
// encoding/json matches exactly or case-insensitively, folding as
// unicode.ToUpper(unicode.ToLower(r)) does (so U+017F matches 's' and U+212A matches 'k').
bool KeyMatches(std::string_view key, std::string_view name) {
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  size_t n = key.size();
  size_t j = 0;
  for (size_t i = 0; i < n;) {
    if (j >= name.size()) return false;
    char32_t r;
    size_t len = encoding::ValidUtf8Length(p + i, n - i);
    if (len == 0) return false;
    r = encoding::DecodeUtf8(p + i, len);
    i += len;
    if (r >= 'A' && r <= 'Z') r = r - 'A' + 'a';
    if (r == 0x17F) r = 's';
    if (r == 0x212A) r = 'k';
    if (r != static_cast<unsigned char>(name[j])) return false;
    ++j;
  }
  return j == name.size();
}

Status FieldTypeError(std::string what, std::string_view field, std::string_view go_type) {
  return InvalidArgument("json: cannot unmarshal " + what + " into Go struct field continueToken." +
                         std::string(field) + " of type " + std::string(go_type));
}

struct RawToken {
  std::string v;
  int64_t rv = 0;
  std::string start;
};

// api::ParseJson's syntax errors add " (at offset N)", which Go's SyntaxError.Error()
// does not print.
Status WithoutOffset(const Status& s) {
  std::string_view m = s.message();
  size_t at = m.rfind(" (at offset ");
  if (at == std::string_view::npos || m.back() != ')') return s;
  return InvalidArgument(std::string(m.substr(0, at)));
}

// json.Unmarshal(data, &continueToken{}): the first error, as Go reports it.
Status UnmarshalToken(std::string_view data, RawToken* out) {
  Result<api::Value> parsed = api::ParseJson(data);
  if (!parsed.ok()) return WithoutOffset(parsed.status());
  const api::Value& doc = *parsed;
  if (doc.is_null()) return Status::Ok();
  if (!doc.is_object()) {
    return InvalidArgument("json: cannot unmarshal " + std::string(api::JsonKindName(doc)) +
                           " into Go value of type storage.continueToken");
  }
  Status first;
  auto save = [&](Status s) {
    if (first.ok()) first = std::move(s);
  };
  for (const api::Member& m : doc.as_object()) {
    const api::Value& v = m.value;
    if (KeyMatches(m.key, "v") || KeyMatches(m.key, "start")) {
      bool is_v = KeyMatches(m.key, "v");
      if (v.is_null()) continue;
      if (!v.is_string()) {
        save(FieldTypeError(std::string(api::JsonKindName(v)), is_v ? "v" : "start", "string"));
        continue;
      }
      (is_v ? out->v : out->start) = v.as_string();
    } else if (KeyMatches(m.key, "rv")) {
      if (v.is_null()) continue;
      if (v.is_int()) {
        out->rv = v.as_int();
      } else if (v.is_float()) {
        // Go quotes the literal; ours is the shortest form of the parsed number.
        std::string text;
        encoding::AppendGoFloatG(&text, v.as_float());
        save(FieldTypeError("number " + text, "rv", "int64"));
      } else {
        save(FieldTypeError(std::string(api::JsonKindName(v)), "rv", "int64"));
      }
    }
  }
  return first;
}

std::string Invalid(std::string_view detail) {
  std::string out = "invalid continue token: ";
  out.append(kInvalid);
  out.append(": ");
  out.append(detail);
  return out;
}

}  // namespace

std::string Base64RawUrlEncode(std::string_view data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = uint32_t{p[i]} << 16 | uint32_t{p[i + 1]} << 8 | p[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (n - i == 1) {
    uint32_t v = uint32_t{p[i]} << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (n - i == 2) {
    uint32_t v = uint32_t{p[i]} << 16 | uint32_t{p[i + 1]} << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

Result<std::string> Base64RawUrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  const auto* src = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t si = 0;
  // Go's decodeQuantum, one quantum of up to four characters at a time.
  while (si < n) {
    int dbuf[4] = {0, 0, 0, 0};
    int dlen = 4;
    for (int j = 0; j < 4; ++j) {
      if (si == n) {
        if (j == 0) return out;
        if (j == 1) return CorruptInput(si - 1);
        dlen = j;
        break;
      }
      unsigned char in = src[si++];
      int d = DecodeChar(in);
      if (d >= 0) {
        dbuf[j] = d;
        continue;
      }
      if (in == '\n' || in == '\r') {
        --j;
        continue;
      }
      return CorruptInput(si - 1);
    }
    uint32_t val = uint32_t(dbuf[0]) << 18 | uint32_t(dbuf[1]) << 12 | uint32_t(dbuf[2]) << 6 | uint32_t(dbuf[3]);
    out.push_back(static_cast<char>(val >> 16));
    if (dlen >= 3) out.push_back(static_cast<char>(val >> 8));
    if (dlen == 4) out.push_back(static_cast<char>(val));
  }
  return out;
}

std::string GoPathClean(std::string_view path) {
  if (path.empty()) return ".";
  bool rooted = path[0] == '/';
  size_t n = path.size();
  std::string out;
  out.reserve(n);
  size_t r = 0, dotdot = 0;
  if (rooted) {
    out.push_back('/');
    r = dotdot = 1;
  }
  while (r < n) {
    if (path[r] == '/') {
      ++r;
    } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
      ++r;
    } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
      r += 2;
      if (out.size() > dotdot) {
        // Drop the last element and the slash before it (never below `dotdot`).
        char removed = out.back();
        out.pop_back();
        while (out.size() > dotdot && removed != '/') {
          removed = out.back();
          out.pop_back();
        }
      } else if (!rooted) {
        if (!out.empty()) out.push_back('/');
        out.append("..");
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back('/');
      for (; r < n && path[r] != '/'; ++r) out.push_back(path[r]);
    }
  }
  if (out.empty()) return ".";
  return out;
}

std::string EncodeContinueStart(int64_t rv, std::string_view start) {
  std::string json = "{\"v\":\"meta.k8s.io/v1\",\"rv\":";
  encoding::json::AppendInt(&json, rv);
  json.append(",\"start\":");
  encoding::json::AppendString(&json, start);
  json.push_back('}');
  return Base64RawUrlEncode(json);
}

std::string EncodeContinue(int64_t rv, std::string_view last_key_without_prefix) {
  std::string start(last_key_without_prefix);
  start.push_back('\0');
  return EncodeContinueStart(rv, start);
}

Result<ContinueToken> DecodeContinue(std::string_view token) {
  Result<std::string> data = Base64RawUrlDecode(token);
  if (!data.ok()) return InvalidArgument(Invalid(data.status().message()));
  RawToken raw;
  Status s = UnmarshalToken(*data, &raw);
  if (!s.ok()) return InvalidArgument(Invalid(s.message()));
  if (raw.v != kVersion) {
    return InvalidArgument("invalid continue token: continue key is not valid: server does not recognize this "
                           "encoded version " + raw.v);
  }
  if (raw.rv == 0) {
    return InvalidArgument(
        "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version "
        "meta.k8s.io/v1)");
  }
  if (raw.start.empty()) {
    return InvalidArgument(
        "invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
  }
  // Path traversal defence: the key, rooted, must already be clean.
  std::string key = raw.start;
  if (key[0] != '/') key.insert(key.begin(), '/');
  std::string cleaned = GoPathClean(key);
  if (cleaned != key) return InvalidArgument(Invalid(raw.start));
  ContinueToken out;
  out.rv = raw.rv;
  out.start = cleaned.substr(1);
  return out;
}

}  // namespace kstream::registry
