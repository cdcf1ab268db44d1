#include "encoding/yaml/emitter.h"

#include <array>

#include "encoding/yaml/resolve.h"

namespace kstream::encoding::yaml {
namespace {

// Character classes of libyaml's yaml_private.h (yamlprivateh.go), on UTF-8 bytes.
// Callers pass valid UTF-8; reads past the end are guarded anyway.

inline size_t Width(unsigned char b) {
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return 4;
  return 1;
}

inline unsigned char At(const unsigned char* p, size_t n, size_t i) { return i < n ? p[i] : 0; }

inline bool IsBreak(const unsigned char* p, size_t n, size_t i) {
  unsigned char c = p[i];
  if (c == '\r' || c == '\n') return true;
  if (c == 0xC2) return At(p, n, i + 1) == 0x85;
  if (c == 0xE2) return At(p, n, i + 1) == 0x80 && (At(p, n, i + 2) == 0xA8 || At(p, n, i + 2) == 0xA9);
  return false;
}

inline bool IsBlankz(const unsigned char* p, size_t n, size_t i) {
  unsigned char c = p[i];
  return c == ' ' || c == '\t' || c == 0 || IsBreak(p, n, i);
}

inline bool IsPrintable(const unsigned char* p, size_t n, size_t i) {
  unsigned char c = p[i];
  if (c == 0x0A || (c >= 0x20 && c <= 0x7E)) return true;
  if (c < 0x80) return false;
  unsigned char c1 = At(p, n, i + 1);
  if (c == 0xC2) return c1 >= 0xA0;
  if (c > 0xC2 && c < 0xED) return true;
  if (c == 0xED) return c1 < 0xA0;
  if (c == 0xEE) return true;
  if (c == 0xEF) {
    unsigned char c2 = At(p, n, i + 2);
    return !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF));
  }
  return false;
}

constexpr char kHexUpper[] = "0123456789ABCDEF";

// ASCII bytes that need no attention from the scalar analysis anywhere after the first
// character: printable, not a space, not an indicator that matters mid-scalar.
constexpr std::array<bool, 256> MakeQuietTable() {
  std::array<bool, 256> t{};
  for (int c = 0x21; c <= 0x7E; ++c) t[c] = true;
  for (char c : std::string_view(",?[]{}:#")) t[static_cast<unsigned char>(c)] = false;
  return t;
}
constexpr std::array<bool, 256> kQuiet = MakeQuietTable();

// The same for the first character, where more indicators count.
constexpr std::array<bool, 256> MakeQuietFirstTable() {
  std::array<bool, 256> t = MakeQuietTable();
  for (char c : std::string_view("-&*!|>'\"%@`")) t[static_cast<unsigned char>(c)] = false;
  t['.'] = false;  // "..." document end marker
  return t;
}
constexpr std::array<bool, 256> kQuietFirst = MakeQuietFirstTable();

}  // namespace

ScalarAnalysis AnalyzeScalar(std::string_view value) {
  ScalarAnalysis a;
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const size_t n = value.size();
  // Fast path: printable ASCII without spaces or indicators (most names and values)
  // allows every style and is not multiline.
  if (n > 0 && kQuietFirst[p[0]]) {
    size_t i = 1;
    while (i < n && kQuiet[p[i]]) ++i;
    if (i == n) {
      a.multiline = false;
      a.flow_plain_allowed = true;
      a.block_plain_allowed = true;
      a.single_quoted_allowed = true;
      a.block_allowed = true;
      a.ascii = true;
      a.chars = n;
      return a;
    }
  }
  if (n == 0) {
    a.multiline = false;
    a.flow_plain_allowed = false;
    a.block_plain_allowed = true;
    a.single_quoted_allowed = true;
    a.block_allowed = false;
    return a;
  }
  bool block_indicators = false, flow_indicators = false, line_breaks = false,
       special_characters = false;
  bool leading_space = false, leading_break = false, trailing_space = false,
       trailing_break = false, break_space = false, space_break = false;
  bool previous_space = false, previous_break = false;
  if (n >= 3 && ((p[0] == '-' && p[1] == '-' && p[2] == '-') ||
                 (p[0] == '.' && p[1] == '.' && p[2] == '.'))) {
    block_indicators = true;
    flow_indicators = true;
  }
  bool preceded_by_whitespace = true;
  size_t chars = 0;
  bool ascii = true;
  for (size_t i = 0, w = 0; i < n; i += w) {
    unsigned char c = p[i];
    w = Width(c);
    ++chars;
    if (c >= 0x80) ascii = false;
    bool followed_by_whitespace = i + w >= n || p[i + w] == ' ' || p[i + w] == '\t';
    if (i == 0) {
      switch (c) {
        case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*':
        case '!': case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
          flow_indicators = true;
          block_indicators = true;
          break;
        case '?': case ':':
          flow_indicators = true;
          if (followed_by_whitespace) block_indicators = true;
          break;
        case '-':
          if (followed_by_whitespace) {
            flow_indicators = true;
            block_indicators = true;
          }
          break;
        default: break;
      }
    } else {
      switch (c) {
        case ',': case '?': case '[': case ']': case '{': case '}':
          flow_indicators = true;
          break;
        case ':':
          flow_indicators = true;
          if (followed_by_whitespace) block_indicators = true;
          break;
        case '#':
          if (preceded_by_whitespace) {
            flow_indicators = true;
            block_indicators = true;
          }
          break;
        default: break;
      }
    }
    if (!IsPrintable(p, n, i)) special_characters = true;
    if (c == ' ') {
      if (i == 0) leading_space = true;
      if (i + w == n) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (IsBreak(p, n, i)) {
      line_breaks = true;
      if (i == 0) leading_break = true;
      if (i + w == n) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = IsBlankz(p, n, i);
  }
  a.chars = chars;
  a.ascii = ascii;
  a.multiline = line_breaks;
  a.flow_plain_allowed = true;
  a.block_plain_allowed = true;
  a.single_quoted_allowed = true;
  a.block_allowed = true;
  if (leading_space || leading_break || trailing_space || trailing_break) {
    a.flow_plain_allowed = false;
    a.block_plain_allowed = false;
  }
  if (trailing_space) a.block_allowed = false;
  if (break_space) {
    a.flow_plain_allowed = false;
    a.block_plain_allowed = false;
    a.single_quoted_allowed = false;
  }
  if (space_break || special_characters) {
    a.flow_plain_allowed = false;
    a.block_plain_allowed = false;
    a.single_quoted_allowed = false;
    a.block_allowed = false;
  }
  if (line_breaks) {
    a.flow_plain_allowed = false;
    a.block_plain_allowed = false;
  }
  if (flow_indicators) a.flow_plain_allowed = false;
  if (block_indicators) a.block_plain_allowed = false;
  return a;
}

ScalarStyle RequestedStringStyle(std::string_view s) {
  if (s.find('\n') != std::string_view::npos) return ScalarStyle::kLiteral;
  if (ResolvesToString(s) && !IsBase60Float(s)) return ScalarStyle::kPlain;
  return ScalarStyle::kDoubleQuoted;
}

// ---------------------------------------------------------------------------------------

Emitter::Emitter(std::string* out) : out_(out) {
  frames_.push_back(Frame{FrameKind::kDocument, MapState::kKey});
}

void Emitter::IncreaseIndent(bool flow, bool indentless) {
  indents_.push_back(indent_);
  if (indent_ < 0) {
    indent_ = flow ? kBestIndent : 0;
  } else if (!indentless) {
    indent_ += kBestIndent;
  }
}

void Emitter::PopIndent() {
  indent_ = indents_.back();
  indents_.pop_back();
}

void Emitter::WriteIndent() {
  int indent = indent_ < 0 ? 0 : indent_;
  if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) PutBreak();
  if (column_ < indent) {
    out_->append(static_cast<size_t>(indent - column_), ' ');
    column_ = indent;
  }
  whitespace_ = true;
  indention_ = true;
}

void Emitter::WriteIndicator(std::string_view indicator, bool need_whitespace,
                             bool is_whitespace, bool is_indention) {
  if (need_whitespace && !whitespace_) Put(' ');
  out_->append(indicator);
  column_ += static_cast<int>(indicator.size());  // indicators are ASCII
  whitespace_ = is_whitespace;
  indention_ = indention_ && is_indention;
}

void Emitter::BeforeNode(NodeShape shape, const ScalarAnalysis* scalar, size_t scalar_len) {
  Frame& f = frames_.back();
  mapping_context_ = false;
  simple_key_context_ = false;
  switch (f.kind) {
    case FrameKind::kDocument:
    case FrameKind::kEmptyFlow:  // (misuse: nothing may go into an empty collection)
      break;
    case FrameKind::kBlockSequence:
      WriteIndent();
      WriteIndicator("-", true, false, true);
      break;
    case FrameKind::kBlockMapping:
      mapping_context_ = true;
      switch (f.state) {
        case MapState::kKey: {
          WriteIndent();
          bool simple;
          switch (shape) {
            case NodeShape::kScalar:
              simple = !scalar->multiline && scalar_len <= kMaxSimpleKeyLength;
              break;
            case NodeShape::kEmptyCollection: simple = true; break;
            default: simple = false; break;
          }
          if (simple) {
            simple_key_context_ = true;
            f.state = MapState::kSimpleValue;
          } else {
            WriteIndicator("?", true, false, true);
            f.state = MapState::kValue;
          }
          break;
        }
        case MapState::kSimpleValue:
          WriteIndicator(":", false, false, false);
          f.state = MapState::kKey;
          break;
        case MapState::kValue:
          WriteIndent();
          WriteIndicator(":", true, false, true);
          f.state = MapState::kKey;
          break;
      }
      break;
  }
}

void Emitter::BeginMapping(bool empty) {
  BeforeNode(empty ? NodeShape::kEmptyCollection : NodeShape::kCollection, nullptr, 0);
  if (empty) {
    WriteIndicator("{", true, true, false);
    WriteIndicator("}", false, false, false);
    frames_.push_back(Frame{FrameKind::kEmptyFlow, MapState::kKey});
    return;
  }
  IncreaseIndent(false, false);
  frames_.push_back(Frame{FrameKind::kBlockMapping, MapState::kKey});
}

void Emitter::EndMapping() {
  FrameKind kind = frames_.back().kind;
  frames_.pop_back();
  if (kind == FrameKind::kBlockMapping) PopIndent();
}

void Emitter::BeginSequence(bool empty) {
  BeforeNode(empty ? NodeShape::kEmptyCollection : NodeShape::kCollection, nullptr, 0);
  if (empty) {
    WriteIndicator("[", true, true, false);
    WriteIndicator("]", false, false, false);
    frames_.push_back(Frame{FrameKind::kEmptyFlow, MapState::kKey});
    return;
  }
  IncreaseIndent(false, mapping_context_ && !indention_);
  frames_.push_back(Frame{FrameKind::kBlockSequence, MapState::kKey});
}

void Emitter::EndSequence() {
  FrameKind kind = frames_.back().kind;
  frames_.pop_back();
  if (kind == FrameKind::kBlockSequence) PopIndent();
}

void Emitter::Scalar(std::string_view value, ScalarStyle style) {
  ScalarAnalysis a = AnalyzeScalar(value);
  BeforeNode(NodeShape::kScalar, &a, value.size());
  // yaml_emitter_select_scalar_style (block context, implicit tags).
  if (simple_key_context_ && a.multiline) style = ScalarStyle::kDoubleQuoted;
  if (style == ScalarStyle::kPlain) {
    if (!a.block_plain_allowed) style = ScalarStyle::kSingleQuoted;
    if (value.empty() && simple_key_context_) style = ScalarStyle::kSingleQuoted;
  }
  if (style == ScalarStyle::kSingleQuoted && !a.single_quoted_allowed) {
    style = ScalarStyle::kDoubleQuoted;
  }
  if (style == ScalarStyle::kLiteral && (!a.block_allowed || simple_key_context_)) {
    style = ScalarStyle::kDoubleQuoted;
  }
  IncreaseIndent(true, false);
  bool allow_breaks = !simple_key_context_;
  switch (style) {
    case ScalarStyle::kPlain: WritePlain(value, a, allow_breaks); break;
    case ScalarStyle::kSingleQuoted: WriteSingleQuoted(value, allow_breaks); break;
    case ScalarStyle::kDoubleQuoted: WriteDoubleQuoted(value, allow_breaks); break;
    case ScalarStyle::kLiteral: WriteLiteral(value); break;
  }
  PopIndent();
}

void Emitter::EndDocument() {
  // yaml_emitter_emit_document_end: write_indent at indent 0 (implicit end, no "...").
  int saved = indent_;
  indent_ = -1;
  WriteIndent();
  indent_ = saved;
}

void Emitter::WriteBreak(std::string_view v, size_t* i) {
  if (v[*i] == '\n') {
    PutBreak();
    ++*i;
    return;
  }
  size_t w = Width(static_cast<unsigned char>(v[*i]));
  out_->append(v.data() + *i, w);
  *i += w;
  column_ = 0;
}

void Emitter::WritePlain(std::string_view v, const ScalarAnalysis& a, bool allow_breaks) {
  if (!whitespace_) Put(' ');
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size();
  // Fast path: no line breaks (plain scalars never have any) and no column past the
  // width at any space, so no folding.
  if (!a.multiline && (!allow_breaks || static_cast<size_t>(column_) + n <= kBestWidth + 1)) {
    out_->append(v);
    column_ += static_cast<int>(a.chars);
    whitespace_ = false;
    indention_ = false;
    return;
  }
  bool spaces = false, breaks = false;
  size_t i = 0;
  while (i < n) {
    if (p[i] == ' ') {
      if (allow_breaks && !spaces && column_ > kBestWidth && !(i + 1 < n && p[i + 1] == ' ')) {
        WriteIndent();
        ++i;
      } else {
        Put(' ');
        ++i;
      }
      spaces = true;
    } else if (IsBreak(p, n, i)) {
      if (!breaks && p[i] == '\n') PutBreak();
      WriteBreak(v, &i);
      indention_ = true;
      breaks = true;
    } else {
      if (breaks) WriteIndent();
      // A run of characters up to the next space or break.
      size_t start = i;
      int chars = 0;
      while (i < n && p[i] != ' ' && !IsBreak(p, n, i)) {
        i += Width(p[i]);
        ++chars;
      }
      out_->append(v.data() + start, i - start);
      column_ += chars;
      indention_ = false;
      spaces = false;
      breaks = false;
    }
  }
  whitespace_ = false;
  indention_ = false;
}

void Emitter::WriteSingleQuoted(std::string_view v, bool allow_breaks) {
  WriteIndicator("'", true, false, false);
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size();
  bool spaces = false, breaks = false;
  size_t i = 0;
  while (i < n) {
    if (p[i] == ' ') {
      if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i + 1 < n &&
          p[i + 1] != ' ') {
        WriteIndent();
        ++i;
      } else {
        Put(' ');
        ++i;
      }
      spaces = true;
    } else if (IsBreak(p, n, i)) {
      if (!breaks && p[i] == '\n') PutBreak();
      WriteBreak(v, &i);
      indention_ = true;
      breaks = true;
    } else {
      if (breaks) WriteIndent();
      if (p[i] == '\'') Put('\'');
      size_t w = Width(p[i]);
      out_->append(v.data() + i, w);
      ++column_;
      i += w;
      indention_ = false;
      spaces = false;
      breaks = false;
    }
  }
  WriteIndicator("'", false, false, false);
  whitespace_ = false;
  indention_ = false;
}

void Emitter::WriteDoubleQuoted(std::string_view v, bool allow_breaks) {
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size();
  // libyaml's is_bom(value, i) looks at the start of the value, not at i: a value that
  // starts with U+FEFF gets every character escaped.
  const bool bom_start = n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
  bool spaces = false;
  WriteIndicator("\"", true, false, false);
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (bom_start || !IsPrintable(p, n, i) || IsBreak(p, n, i) || c == '"' || c == '\\') {
      size_t w = Width(c);
      if (i + w > n) w = n - i;
      char32_t r;
      switch (w) {
        case 1: r = c & 0x7F; break;
        case 2: r = c & 0x1F; break;
        case 3: r = c & 0x0F; break;
        default: r = c & 0x07; break;
      }
      for (size_t k = 1; k < w; ++k) r = (r << 6) | (p[i + k] & 0x3F);
      i += w;
      Put('\\');
      switch (r) {
        case 0x00: Put('0'); break;
        case 0x07: Put('a'); break;
        case 0x08: Put('b'); break;
        case 0x09: Put('t'); break;
        case 0x0A: Put('n'); break;
        case 0x0B: Put('v'); break;
        case 0x0C: Put('f'); break;
        case 0x0D: Put('r'); break;
        case 0x1B: Put('e'); break;
        case 0x22: Put('"'); break;
        case 0x5C: Put('\\'); break;
        case 0x85: Put('N'); break;
        case 0xA0: Put('_'); break;
        case 0x2028: Put('L'); break;
        case 0x2029: Put('P'); break;
        default: {
          int digits;
          if (r <= 0xFF) {
            Put('x');
            digits = 2;
          } else if (r <= 0xFFFF) {
            Put('u');
            digits = 4;
          } else {
            Put('U');
            digits = 8;
          }
          for (int k = (digits - 1) * 4; k >= 0; k -= 4) Put(kHexUpper[(r >> k) & 0xF]);
          break;
        }
      }
      spaces = false;
    } else if (c == ' ') {
      if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i + 1 < n) {
        WriteIndent();
        if (p[i + 1] == ' ') Put('\\');
        ++i;
      } else {
        Put(' ');
        ++i;
      }
      spaces = true;
    } else {
      size_t w = Width(c);
      out_->append(v.data() + i, w);
      ++column_;
      i += w;
      spaces = false;
    }
  }
  WriteIndicator("\"", false, false, false);
  whitespace_ = false;
  indention_ = false;
}

void Emitter::WriteLiteral(std::string_view v) {
  WriteIndicator("|", true, false, false);
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size();
  // Block scalar hints: indentation indicator, then chomping.
  if (n > 0 && (p[0] == ' ' || IsBreak(p, n, 0))) {
    char hint[2] = {static_cast<char>('0' + kBestIndent), 0};
    WriteIndicator(std::string_view(hint, 1), false, false, false);
  }
  char chomp = 0;
  if (n == 0) {
    chomp = '-';
  } else {
    size_t last = n - 1;
    while (last > 0 && (p[last] & 0xC0) == 0x80) --last;
    if (!IsBreak(p, n, last)) {
      chomp = '-';
    } else if (last == 0) {
      chomp = '+';
    } else {
      size_t prev = last - 1;
      while (prev > 0 && (p[prev] & 0xC0) == 0x80) --prev;
      if (IsBreak(p, n, prev)) chomp = '+';
    }
  }
  if (chomp != 0) {
    char c[1] = {chomp};
    WriteIndicator(std::string_view(c, 1), false, false, false);
  }
  PutBreak();
  indention_ = true;
  whitespace_ = true;
  bool breaks = true;
  size_t i = 0;
  while (i < n) {
    if (IsBreak(p, n, i)) {
      WriteBreak(v, &i);
      indention_ = true;
      breaks = true;
    } else {
      if (breaks) WriteIndent();
      size_t start = i;
      int chars = 0;
      while (i < n && !IsBreak(p, n, i)) {
        i += Width(p[i]);
        ++chars;
      }
      if (i > n) i = n;
      out_->append(v.data() + start, i - start);
      column_ += chars;
      indention_ = false;
      breaks = false;
    }
  }
}

}  // namespace kstream::encoding::yaml
