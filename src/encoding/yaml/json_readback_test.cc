#include "encoding/yaml/json_readback.h"

#include <gtest/gtest.h>

namespace kstream::encoding::yaml {
namespace {

Result<std::string> Back(std::string_view s, StringRole role = StringRole::kValue) {
  std::string scratch;
  std::string_view out;
  Status st = ReadBackJsonString(s, role, &scratch, &out);
  if (!st.ok()) return st;
  return std::string(out);
}

TEST(ReadBackJsonString, UnchangedCommonCase) {
  std::string s = "plain text with spaces, \"quotes\" \\ <html> & \n\t\x01 caf\xc3\xa9 \xf0\x9f\x98\x80";
  std::string scratch;
  std::string_view out;
  ASSERT_TRUE(ReadBackJsonString(s, StringRole::kValue, &scratch, &out).ok());
  EXPECT_EQ(out.data(), s.data());  // no copy
}

TEST(ReadBackJsonString, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(*Back("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(*Back("\xe2\x80"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(*Back("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
}

TEST(ReadBackJsonString, NelIsFoldedLikeALineBreak) {
  const std::string nel = "\xc2\x85";
  EXPECT_EQ(*Back("a" + nel + "b"), "a b");
  EXPECT_EQ(*Back("a " + nel + "  b"), "a b");
  EXPECT_EQ(*Back("a" + nel + nel + "b"), "a\nb");
  EXPECT_EQ(*Back("a" + nel + nel + nel + "b"), "a\n\nb");
  EXPECT_EQ(*Back("a" + nel), "a ");
  EXPECT_EQ(*Back(nel + "a"), " a");
  EXPECT_EQ(*Back("a  b" + nel), "a  b ");
  EXPECT_EQ(*Back("a" + nel + "---b"), "a ---b");
  EXPECT_EQ(*Back("a" + nel + " --- b"), "a --- b");
  EXPECT_FALSE(Back("a" + nel + "--- b").ok());
  EXPECT_FALSE(Back("a" + nel + "..." + nel).ok());
}

TEST(ReadBackJsonString, ControlCharactersGoYamlRejects) {
  for (std::string bad : {"a\x7f", "\xc2\x80", "\xc2\x9f", "\xef\xbf\xbe", "\xef\xbf\xbf"}) {
    Result<std::string> r = Back(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "yaml: control characters are not allowed");
    EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  }
  EXPECT_TRUE(Back("\xc2\xa0\xef\xbf\xbd\xef\xbb\xbf").ok());
}

TEST(ReadBackJsonString, MapKeyLimits) {
  EXPECT_TRUE(Back(std::string(1022, 'k'), StringRole::kMapKey).ok());
  EXPECT_FALSE(Back(std::string(1023, 'k'), StringRole::kMapKey).ok());
  EXPECT_TRUE(Back(std::string(1023, 'k'), StringRole::kValue).ok());
  // Escapes count with their JSON length: `<` is \u003c (6), `"` is \" (2).
  EXPECT_TRUE(Back(std::string(1016, 'k') + "<", StringRole::kMapKey).ok());
  EXPECT_FALSE(Back(std::string(1017, 'k') + "<", StringRole::kMapKey).ok());
  EXPECT_FALSE(Back(std::string(511, '"') + "\"", StringRole::kMapKey).ok());
  // Non-ASCII characters count once, invalid bytes as \ufffd.
  std::string e;
  for (int i = 0; i < 1022; ++i) e += "\xc3\xa9";
  EXPECT_TRUE(Back(e, StringRole::kMapKey).ok());
  EXPECT_FALSE(Back(e + "\xff", StringRole::kMapKey).ok());
  EXPECT_FALSE(Back("a\xc2\x85" "b", StringRole::kMapKey).ok());
}

}  // namespace
}  // namespace kstream::encoding::yaml
