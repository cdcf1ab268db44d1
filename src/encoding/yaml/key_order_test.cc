#include "encoding/yaml/key_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "encoding/yaml/unicode.h"

namespace kstream::encoding::yaml {
namespace {

std::vector<std::string> Sorted(std::vector<std::string> keys) {
  std::vector<std::string_view> views(keys.begin(), keys.end());
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < keys.size(); ++i) order.push_back(i);
  SortKeyIndexes(views, &order);
  std::vector<std::string> out;
  for (uint32_t i : order) out.push_back(keys[i]);
  return out;
}

TEST(KeyLess, NaturalOrder) {
  // Each key sorts before the next (go-yaml v2 sorter.go).
  const std::vector<std::string> chain = {
      "", "1", "2", "9", "09", "10", "a", "a_", "a1", "a01", "a001", "a2", "a10", "aB", "ab", "b"};
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    EXPECT_TRUE(KeyLess(chain[i], chain[i + 1])) << chain[i] << " < " << chain[i + 1];
    EXPECT_FALSE(KeyLess(chain[i + 1], chain[i])) << chain[i + 1] << " !< " << chain[i];
  }
  EXPECT_TRUE(KeyLess("B", "a"));        // letters by code point
  EXPECT_TRUE(KeyLess("a_b", "ab"));     // a non-letter before a letter
  EXPECT_TRUE(KeyLess("x.y", "x0"));     // non-digits before digits ...
  EXPECT_TRUE(KeyLess("x/y", "x0"));
  EXPECT_TRUE(KeyLess("x~", "x5"));      // ... whatever their code point
  EXPECT_TRUE(KeyLess("x y", "x.y"));    // otherwise by code point
  EXPECT_TRUE(KeyLess("a19", "a100"));   // leading-zero rule keeps the run's magnitude
  EXPECT_TRUE(KeyLess("x1_", "x10"));
  EXPECT_TRUE(KeyLess("z", "\xc3\xa9"));  // é is a letter after z
  EXPECT_TRUE(KeyLess("a\xd9\xa3", "a\xd9\xa4"));  // Arabic-Indic digits are digits
  EXPECT_FALSE(KeyLess("a", "a"));
}

TEST(KeyLess, UnicodeClasses) {
  EXPECT_TRUE(IsLetter(U'\u00e9'));
  EXPECT_TRUE(IsLetter(U'\u65e5'));
  EXPECT_TRUE(IsLetter(U'\u00aa'));
  EXPECT_FALSE(IsLetter(U'\u00a0'));
  EXPECT_FALSE(IsLetter(U'\U0001F600'));
  EXPECT_TRUE(IsLetter(U'\U00031350'));  // CJK Extension H (Unicode 15.0)
  EXPECT_TRUE(IsDigit(U'\u0663'));
  EXPECT_FALSE(IsDigit(U'\u00b2'));        // superscript two is No, not Nd
  EXPECT_TRUE(IsDigit(U'\U0001E4F0'));     // Nag Mundari digit zero (Unicode 15.0)
}

TEST(SortKeyIndexes, SortsLikeGo) {
  EXPECT_EQ(Sorted({"a10", "a2", "a1", "b", "B", "_", "10", "9"}),
            (std::vector<std::string>{"_", "9", "10", "B", "a1", "a2", "a10", "b"}));
  // More than 12 keys takes the merge sort path.
  std::vector<std::string> many;
  for (int i = 30; i >= 0; --i) many.push_back("k" + std::to_string(i));
  std::vector<std::string> want;
  for (int i = 0; i <= 30; ++i) want.push_back("k" + std::to_string(i));
  EXPECT_EQ(Sorted(many), want);
}

TEST(SortKeyIndexes, IntransitiveKeysAreSafeAndStableFromBytewiseOrder) {
  // "8+" < "0755" (8 < 755), "0755" < "0é" (non-letter first), "0é" < "8+" (0 < 8): Go's
  // output for these depends on map iteration order. Starting from bytewise order, the
  // insertion sort leaves them as they are, which is one of Go's possible outputs.
  EXPECT_TRUE(KeyLess("8+", "0755"));
  EXPECT_TRUE(KeyLess("0755", "0\xc3\xa9"));
  EXPECT_TRUE(KeyLess("0\xc3\xa9", "8+"));
  EXPECT_EQ(Sorted({"0755", "0\xc3\xa9", "8+"}), (std::vector<std::string>{"0755", "0\xc3\xa9", "8+"}));
  // Long digit runs wrap around int64 like Go's; sorting must still terminate sanely.
  std::vector<std::string> wild;
  for (int i = 0; i < 40; ++i) {
    wild.push_back(std::string(static_cast<size_t>(i % 7 + 15), static_cast<char>('0' + i % 10)) +
                   (i % 3 ? "x" : "\xc3\xa9"));
  }
  EXPECT_EQ(Sorted(wild).size(), wild.size());
}

}  // namespace
}  // namespace kstream::encoding::yaml
