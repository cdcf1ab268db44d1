#include "encoding/yaml/json_readback.h"

#include <cstdint>
#include <cstring>

#include "encoding/yaml/unicode.h"

namespace kstream::encoding::yaml {
namespace {

// Characters json.Marshal's escaped text of one ASCII byte takes.
inline size_t EscapedAsciiChars(unsigned char c) {
  switch (c) {
    case '"': case '\\': case '\n': case '\r': case '\t': case '\b': case '\f':
      return 2;
    case '<': case '>': case '&':
      return 6;
    default:
      return c < 0x20 ? 6 : 1;
  }
}

Status ControlCharacterError() {
  return OutOfRange("yaml: control characters are not allowed");
}

Status KeyError(std::string_view why) {
  return OutOfRange("yaml: did not find expected ',' or '}' (" + std::string(why) + ")");
}

}  // namespace

Status ReadBackJsonString(std::string_view s, StringRole role, std::string* scratch,
                          std::string_view* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  // Fast scan: plain ASCII without DEL reads back unchanged. Eight bytes at a time: a
  // byte >= 0x7F has its high bit set in x or in x + 1 (a carry out of 0xFF only happens
  // for a byte that is itself detected).
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    if (((x + 0x0101010101010101ULL) | x) & 0x8080808080808080ULL) break;
  }
  while (i < n && p[i] < 0x7F) ++i;
  const bool is_key = role == StringRole::kMapKey;
  // Escapes take at most 6 characters, so only long keys need counting.
  size_t key_chars = 0;
  if (is_key && n > kMaxJsonKeyChars / 6) {
    for (size_t j = 0; j < i; ++j) key_chars += EscapedAsciiChars(p[j]);
  }
  if (i == n) {
    if (is_key && key_chars > kMaxJsonKeyChars) {
      return KeyError("a map key longer than 1022 characters in JSON is not a simple key");
    }
    *out = s;
    return Status::Ok();
  }
  // Slow path: coerce to valid UTF-8, check characters, find NELs.
  bool changed = false;
  bool has_nel = false;
  for (size_t j = i; j < n;) {
    unsigned char c = p[j];
    if (c < 0x80) {
      if (c == 0x7F) return ControlCharacterError();
      if (is_key) key_chars += EscapedAsciiChars(c);
      ++j;
      continue;
    }
    size_t len = ValidUtf8Length(p + j, n - j);
    if (len == 0) {
      changed = true;  // becomes U+FFFD (written \ufffd)
      key_chars += 6;
      ++j;
      continue;
    }
    char32_t r = DecodeUtf8(p + j, len);
    if (r == 0x85) {
      has_nel = true;
    } else if ((r >= 0x80 && r <= 0x9F) || r == 0xFFFE || r == 0xFFFF) {
      return ControlCharacterError();
    }
    key_chars += (r == 0x2028 || r == 0x2029) ? 6 : 1;
    j += len;
  }
  if (is_key) {
    if (has_nel) return KeyError("a map key with U+0085 spans lines in YAML");
    if (key_chars > kMaxJsonKeyChars) {
      return KeyError("a map key longer than 1022 characters in JSON is not a simple key");
    }
  }
  if (!changed && !has_nel) {
    *out = s;
    return Status::Ok();
  }
  std::string coerced;
  std::string_view text = s;
  if (changed) {
    coerced.reserve(n + 8);
    coerced.append(s.substr(0, i));
    AppendCoercedUtf8(&coerced, s.substr(i));
    text = coerced;
  }
  if (!has_nel) {
    *scratch = std::move(coerced);
    *out = *scratch;
    return Status::Ok();
  }
  // Fold the raw blanks (space, NEL) the way go-yaml scans a double-quoted scalar.
  std::string folded;
  folded.reserve(text.size());
  const size_t m = text.size();
  auto is_nel = [&](size_t k) {
    return k + 1 < m && static_cast<unsigned char>(text[k]) == 0xC2 &&
           static_cast<unsigned char>(text[k + 1]) == 0x85;
  };
  size_t k = 0;
  bool at_line_start = false;  // the previous blank run ended with a NEL (column 0)
  while (true) {
    if (at_line_start && k + 3 <= m &&
        (text.substr(k, 3) == "---" || text.substr(k, 3) == "...") &&
        k + 3 < m && (text[k + 3] == ' ' || is_nel(k + 3))) {
      return OutOfRange("yaml: found unexpected document indicator");
    }
    size_t start = k;
    while (k < m && text[k] != ' ' && !is_nel(k)) ++k;
    folded.append(text.substr(start, k - start));
    if (k >= m) break;
    size_t whitespace = 0;
    bool leading_blanks = false;
    size_t trailing_breaks = 0;
    at_line_start = false;
    while (k < m && (text[k] == ' ' || is_nel(k))) {
      if (text[k] == ' ') {
        if (!leading_blanks) ++whitespace;
        ++k;
        at_line_start = false;
      } else {
        if (!leading_blanks) {
          whitespace = 0;
          leading_blanks = true;
        } else {
          ++trailing_breaks;
        }
        k += 2;
        at_line_start = true;
      }
    }
    if (leading_blanks) {
      if (trailing_breaks == 0) {
        folded.push_back(' ');
      } else {
        folded.append(trailing_breaks, '\n');
      }
    } else {
      folded.append(whitespace, ' ');
    }
    if (k >= m) break;
  }
  *scratch = std::move(folded);
  *out = *scratch;
  return Status::Ok();
}

}  // namespace kstream::encoding::yaml
