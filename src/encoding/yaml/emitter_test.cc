#include "encoding/yaml/emitter.h"

#include <gtest/gtest.h>

#include <string>

namespace kstream::encoding::yaml {
namespace {

TEST(AnalyzeScalar, Flags) {
  ScalarAnalysis a = AnalyzeScalar("plain-name.v1");
  EXPECT_TRUE(a.block_plain_allowed);
  EXPECT_FALSE(a.multiline);
  EXPECT_EQ(a.chars, 13u);
  a = AnalyzeScalar("a: b");
  EXPECT_FALSE(a.block_plain_allowed);
  EXPECT_TRUE(a.single_quoted_allowed);
  a = AnalyzeScalar("a:b");
  EXPECT_TRUE(a.block_plain_allowed);
  EXPECT_FALSE(a.flow_plain_allowed);
  a = AnalyzeScalar(" lead");
  EXPECT_FALSE(a.block_plain_allowed);
  a = AnalyzeScalar("a\tb");  // tab is not printable for libyaml
  EXPECT_FALSE(a.single_quoted_allowed);
  EXPECT_FALSE(a.block_allowed);
  a = AnalyzeScalar("a\nb");
  EXPECT_TRUE(a.multiline);
  EXPECT_TRUE(a.block_allowed);
  EXPECT_FALSE(a.block_plain_allowed);
  a = AnalyzeScalar("a \nb");  // space before a break
  EXPECT_FALSE(a.single_quoted_allowed);
  EXPECT_FALSE(a.block_allowed);
  a = AnalyzeScalar("a\n b");  // space after a break
  EXPECT_FALSE(a.single_quoted_allowed);
  EXPECT_TRUE(a.block_allowed);
  a = AnalyzeScalar("caf\xc3\xa9 \xe6\x97\xa5");
  EXPECT_TRUE(a.block_plain_allowed);
  EXPECT_FALSE(a.ascii);
  EXPECT_EQ(a.chars, 6u);
  a = AnalyzeScalar("\xf0\x9f\x98\x80");  // outside the BMP: "special" for libyaml
  EXPECT_FALSE(a.single_quoted_allowed);
  a = AnalyzeScalar("---x");
  EXPECT_FALSE(a.block_plain_allowed);
  a = AnalyzeScalar("");
  EXPECT_TRUE(a.block_plain_allowed);
  EXPECT_FALSE(a.block_allowed);
}

TEST(RequestedStringStyle, GoYamlStringv) {
  EXPECT_EQ(RequestedStringStyle("abc"), ScalarStyle::kPlain);
  EXPECT_EQ(RequestedStringStyle("a: b"), ScalarStyle::kPlain);  // the emitter downgrades it
  EXPECT_EQ(RequestedStringStyle("true"), ScalarStyle::kDoubleQuoted);
  EXPECT_EQ(RequestedStringStyle("123"), ScalarStyle::kDoubleQuoted);
  EXPECT_EQ(RequestedStringStyle(""), ScalarStyle::kDoubleQuoted);
  EXPECT_EQ(RequestedStringStyle("1:20"), ScalarStyle::kDoubleQuoted);
  EXPECT_EQ(RequestedStringStyle("2001-12-14"), ScalarStyle::kDoubleQuoted);
  EXPECT_EQ(RequestedStringStyle("a\nb"), ScalarStyle::kLiteral);
  EXPECT_EQ(RequestedStringStyle("1e400"), ScalarStyle::kPlain);
}

std::string Str(const std::string& s) {
  std::string out;
  Emitter e(&out);
  e.BeginMapping(false);
  e.String("k");
  e.String(s);
  e.EndMapping();
  e.EndDocument();
  return out;
}

TEST(Emitter, ScalarStyles) {
  EXPECT_EQ(Str("v"), "k: v\n");
  EXPECT_EQ(Str(""), "k: \"\"\n");
  EXPECT_EQ(Str(" "), "k: ' '\n");
  EXPECT_EQ(Str("it's: x"), "k: 'it''s: x'\n");
  EXPECT_EQ(Str("true"), "k: \"true\"\n");
  EXPECT_EQ(Str("- a"), "k: '- a'\n");
  EXPECT_EQ(Str("a\tb"), "k: \"a\\tb\"\n");
  EXPECT_EQ(Str("\x01\x1b\x7f"), "k: \"\\x01\\e\\x7F\"\n");
  EXPECT_EQ(Str("x\xf0\x9f\x98\x80"), "k: \"x\\U0001F600\"\n");
  EXPECT_EQ(Str("\xef\xbb\xbf" "ab c"), "k: \"\\uFEFF\\x61\\x62\\x20\\x63\"\n");  // BOM quirk
  EXPECT_EQ(Str("a\xe2\x80\xa8" "b"), "k: 'a\xe2\x80\xa8  b'\n");  // LS breaks the line
  EXPECT_EQ(Str("a\nb"), "k: |-\n  a\n  b\n");
  EXPECT_EQ(Str("a\n"), "k: |\n  a\n");
  EXPECT_EQ(Str("a\n\n"), "k: |+\n  a\n\n");
  EXPECT_EQ(Str("\n"), "k: |2+\n\n");
  EXPECT_EQ(Str(" x\ny"), "k: |2-\n   x\n  y\n");
  EXPECT_EQ(Str("a \nb"), "k: \"a \\nb\"\n");
  EXPECT_EQ(Str("a\r\nb"), "k: \"a\\r\\nb\"\n");
}

TEST(Emitter, FoldsLongScalarsAtColumn80) {
  std::string words;
  for (int i = 0; i < 30; ++i) words += (i ? " " : "") + std::string("word");
  EXPECT_EQ(Str(words),
            "k: word word word word word word word word word word word word word word word word\n"
            "  word word word word word word word word word word word word word word\n");
  EXPECT_EQ(Str(std::string(100, 'x')), "k: " + std::string(100, 'x') + "\n");  // no space, no fold
  std::string quoted = " " + words;
  EXPECT_EQ(Str(quoted),
            "k: ' word word word word word word word word word word word word word word word word\n"
            "  word word word word word word word word word word word word word word'\n");
  std::string dq = "\t" + words;
  std::string out = Str(dq);
  EXPECT_EQ(out.substr(0, 6), "k: \"\\t");
  EXPECT_NE(out.find("\n  word"), std::string::npos);
}

TEST(Emitter, Structure) {
  std::string out;
  Emitter e(&out);
  e.BeginMapping(false);
  e.String("list");
  e.BeginSequence(false);
  e.String("a");
  e.BeginMapping(false);
  e.String("x");
  e.PlainScalar("1");
  e.String("y");
  e.BeginSequence(false);
  e.PlainScalar("2");
  e.EndSequence();
  e.EndMapping();
  e.BeginSequence(false);
  e.BeginSequence(false);
  e.PlainScalar("3");
  e.EndSequence();
  e.EndSequence();
  e.BeginMapping(true);
  e.EndMapping();
  e.BeginSequence(true);
  e.EndSequence();
  e.EndSequence();
  e.String("map");
  e.BeginMapping(false);
  e.String(std::string(129, 'k'));  // too long for a simple key
  e.BeginMapping(false);
  e.String("a");
  e.PlainScalar("1");
  e.EndMapping();
  e.String("multi\nline");
  e.String("v");
  e.EndMapping();
  e.EndMapping();
  e.EndDocument();
  EXPECT_EQ(out,
            "list:\n"
            "- a\n"
            "- x: 1\n"
            "  \"y\":\n"
            "  - 2\n"
            "- - - 3\n"
            "- {}\n"
            "- []\n"
            "map:\n"
            "  ? " + std::string(129, 'k') + "\n"
            "  : a: 1\n"
            "  ? |-\n"
            "    multi\n"
            "    line\n"
            "  : v\n");
}

TEST(Emitter, RootNodes) {
  auto root = [](auto emit) {
    std::string out;
    Emitter e(&out);
    emit(e);
    e.EndDocument();
    return out;
  };
  EXPECT_EQ(root([](Emitter& e) { e.PlainScalar("null"); }), "null\n");
  EXPECT_EQ(root([](Emitter& e) { e.String("a\n"); }), "|\n  a\n");
  EXPECT_EQ(root([](Emitter& e) { e.BeginMapping(true); e.EndMapping(); }), "{}\n");
  EXPECT_EQ(root([](Emitter& e) { e.BeginSequence(true); e.EndSequence(); }), "[]\n");
  EXPECT_EQ(root([](Emitter& e) {
              e.BeginSequence(false);
              e.String("a");
              e.EndSequence();
            }),
            "- a\n");
}

// A list emitted one item at a time, each into its own buffer, is byte-identical to the
// whole document emitted at once.
TEST(Emitter, StreamsEntriesIntoSwappedBuffers) {
  auto emit_list = [](Emitter& e, std::vector<std::string>* pieces) {
    e.BeginMapping(false);
    e.String("apiVersion");
    e.String("v1");
    e.String("items");
    e.BeginSequence(false);
    for (int i = 0; i < 3; ++i) {
      if (pieces) {
        pieces->emplace_back();
        e.set_output(&pieces->back());
      }
      e.BeginMapping(false);
      e.String("name");
      e.String(i == 1 ? "ends with a keep literal\n\n" : "n" + std::to_string(i));
      e.EndMapping();
    }
    if (pieces) {
      pieces->emplace_back();
      e.set_output(&pieces->back());
    }
    e.EndSequence();
    e.String("kind");
    e.String("List");
    e.EndMapping();
    e.EndDocument();
  };
  std::string whole;
  Emitter one(&whole);
  emit_list(one, nullptr);
  std::vector<std::string> pieces;
  std::string head;
  Emitter streamed(&head);
  pieces.reserve(8);
  emit_list(streamed, &pieces);
  std::string joined = head;
  for (const std::string& p : pieces) joined += p;
  EXPECT_EQ(joined, whole);
  EXPECT_EQ(whole,
            "apiVersion: v1\n"
            "items:\n"
            "- name: n0\n"
            "- name: |+\n"
            "    ends with a keep literal\n"
            "\n"
            "- name: n2\n"
            "kind: List\n");
}

}  // namespace
}  // namespace kstream::encoding::yaml
