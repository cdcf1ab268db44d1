// Emitter: writes YAML exactly as go-yaml v2's emitter (emitterc.go, a port of libyaml's)
// does when yaml.Marshal encodes the map[string]interface{} / []interface{} / scalar values
// that sigs.k8s.io/yaml.JSONToYAML produces: block style, indent 2, best width 80,
// unicode output, implicit document start and end, no tags, no anchors.
//
// What that means for the bytes:
//   - mappings `key: value`, nested mappings indented by 2; sequences inside a mapping are
//     not indented (`key:\n- a`); a collection inside a sequence starts on the `- ` line;
//     empty collections are written in flow form, `{}` and `[]`;
//   - a key longer than 128 bytes or spanning lines is written as a complex key, `? key`
//     on one line and `: value` on the next;
//   - scalars: the requested style (see RequestedStringStyle for go-yaml's choice) is
//     downgraded as libyaml's analysis demands: plain -> single-quoted when plain is not
//     allowed (leading/trailing space, `: `, ` #`, leading indicator, `---`, line breaks),
//     single-quoted -> double-quoted when that is not allowed either (special characters,
//     a space next to a line break), literal -> double-quoted when a block scalar is not
//     allowed (trailing space, special characters, in a simple key);
//   - plain, single- and double-quoted scalars are folded at a space once the line is past
//     column 80 (columns count characters); literal blocks get an indentation indicator
//     when they start with a space or line break and a chomping indicator `-`/`+`;
//   - double-quoted scalars escape non-printable characters (\0 \a \b \t \n \v \f \r \e
//     \" \\ \N \_ \L \P, else \xXX, \uXXXX, \UXXXXXXXX with uppercase hex; characters
//     outside the BMP are "non-printable" for libyaml and escaped too) and, as go-yaml's
//     is_bom quirk has it, every character of a string that starts with U+FEFF.
//
// The emitter is event driven, like libyaml's: the caller opens and closes collections and
// writes scalars; the emitter knows from its state whether a scalar is a document root, a
// sequence entry, a mapping key or a mapping value. It keeps the exact column/indentation
// state between calls, so a long sequence can be emitted one entry at a time (for example
// the `items:` of a List, each item written by one walker call between BeginSequence and
// EndSequence) and the output buffer can be swapped between entries (set_output) to
// stream the document in pieces: the bytes are the same as in one go.
//
// All scalar text must be valid UTF-8 (the emitter does not validate it).
// An Emitter is a single-threaded object; it does not own the output string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kstream::encoding::yaml {

enum class ScalarStyle : uint8_t { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral };

// libyaml's yaml_emitter_analyze_scalar result for one scalar.
struct ScalarAnalysis {
  bool multiline = false;
  bool flow_plain_allowed = false;
  bool block_plain_allowed = true;
  bool single_quoted_allowed = true;
  bool block_allowed = false;
  bool ascii = true;      // no byte >= 0x80
  size_t chars = 0;       // number of characters (runes)
};

ScalarAnalysis AnalyzeScalar(std::string_view value);

// The style go-yaml v2's encoder asks for when marshalling the Go string `s`
// (encode.go stringv): literal if it contains "\n"; plain if it resolves to a string and
// is not a base-60 float; double-quoted otherwise.
ScalarStyle RequestedStringStyle(std::string_view s);

class Emitter {
 public:
  static constexpr int kBestIndent = 2;
  static constexpr int kBestWidth = 80;
  // Simple keys longer than this (in bytes) become complex keys (`? key`).
  static constexpr size_t kMaxSimpleKeyLength = 128;

  explicit Emitter(std::string* out);

  // Where the following bytes go. May be changed between any two calls.
  void set_output(std::string* out) { out_ = out; }

  // Collections. `empty` must say whether the collection will have no entries: empty
  // ones are written at once in flow form and must still be closed with End*.
  void BeginMapping(bool empty);
  void EndMapping();
  void BeginSequence(bool empty);
  void EndSequence();

  // A scalar node (root, sequence entry, mapping key or value) in the requested style.
  void Scalar(std::string_view value, ScalarStyle style);
  // A Go string, in the style go-yaml picks for it.
  void String(std::string_view s) { Scalar(s, RequestedStringStyle(s)); }
  // Plain scalars for non-string values (`null`, `true`, numbers).
  void PlainScalar(std::string_view text) { Scalar(text, ScalarStyle::kPlain); }

  // Ends the document: the final line break. The emitter is then ready for nothing else
  // (go-yaml writes one document per Marshal).
  void EndDocument();

  // Nesting depth of open collections (0 at the document root).
  size_t depth() const { return frames_.size() - 1; }

 private:
  enum class FrameKind : uint8_t { kDocument, kBlockSequence, kBlockMapping, kEmptyFlow };
  enum class MapState : uint8_t { kKey, kSimpleValue, kValue };
  struct Frame {
    FrameKind kind;
    MapState state;
  };
  enum class NodeShape : uint8_t { kScalar, kEmptyCollection, kCollection };

  void BeforeNode(NodeShape shape, const ScalarAnalysis* scalar, size_t scalar_len);
  void IncreaseIndent(bool flow, bool indentless);
  void PopIndent();

  void Put(char c) {
    out_->push_back(c);
    ++column_;
  }
  void PutBreak() {
    out_->push_back('\n');
    column_ = 0;
  }
  void WriteIndent();
  void WriteIndicator(std::string_view indicator, bool need_whitespace, bool is_whitespace,
                      bool is_indention);

  void WritePlain(std::string_view v, const ScalarAnalysis& a, bool allow_breaks);
  void WriteSingleQuoted(std::string_view v, bool allow_breaks);
  void WriteDoubleQuoted(std::string_view v, bool allow_breaks);
  void WriteLiteral(std::string_view v);
  // Copies one line break character at v[*i] (libyaml's write_break).
  void WriteBreak(std::string_view v, size_t* i);

  std::string* out_;
  std::vector<Frame> frames_;
  std::vector<int> indents_;
  int indent_ = -1;
  int column_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
  // Context of the node being written (libyaml's *_context flags).
  bool mapping_context_ = false;
  bool simple_key_context_ = false;
};

}  // namespace kstream::encoding::yaml
