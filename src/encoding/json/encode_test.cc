#include "encoding/json/encode.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kstream::encoding::json {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendString(&out, s);
  return out;
}

std::string Float(double d) {
  std::string out;
  Status s = AppendFloat64(&out, d);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::string B64(std::string_view s) {
  std::string out;
  AppendBase64(&out, s);
  return out;
}

TEST(JsonStringTest, HtmlAndSpecialEscapes) {
  EXPECT_EQ(Str("<a&b>"), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(Str("q\"b\\s/"), R"("q\"b\\s/")");
  EXPECT_EQ(Str("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Str(std::string("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(Str("\xe2\x80\xa8 \xe2\x80\xa9 \xe2\x80\xa7"), "\"\\u2028 \\u2029 \xe2\x80\xa7\"");
}

TEST(JsonStringTest, InvalidUtf8BecomesOneReplacementPerByte) {
  EXPECT_EQ(Str("\x80"), R"("\ufffd")");
  EXPECT_EQ(Str("a\xe2\x80z"), R"("a\ufffd\ufffdz")");        // truncated sequence
  EXPECT_EQ(Str("\xc0\xaf"), R"("\ufffd\ufffd")");             // overlong
  EXPECT_EQ(Str("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");   // UTF-8 encoded surrogate
  EXPECT_EQ(Str("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  EXPECT_EQ(Str("\xef\xbf\xbd"), "\"\xef\xbf\xbd\"");          // a real U+FFFD stays literal
  EXPECT_EQ(Str("h\xc3\xa9llo \xf0\x9f\x98\x80"), "\"h\xc3\xa9llo \xf0\x9f\x98\x80\"");
}

TEST(JsonStringTest, LongStringsCrossTheVectorPath) {
  // Specials at every offset of a 16-byte block, around block boundaries.
  for (size_t pos = 0; pos < 40; ++pos) {
    std::string s(40, 'x');
    s[pos] = '<';
    std::string want = "\"" + std::string(pos, 'x') + "\\u003c" + std::string(39 - pos, 'x') + "\"";
    EXPECT_EQ(Str(s), want) << pos;
    s[pos] = '\xe9';  // lone continuation-less lead byte
    want = "\"" + std::string(pos, 'x') + "\\ufffd" + std::string(39 - pos, 'x') + "\"";
    EXPECT_EQ(Str(s), want) << pos;
  }
}

TEST(JsonFloatTest, PlainAndExponentForms) {
  EXPECT_EQ(Float(0), "0");
  EXPECT_EQ(Float(-0.0), "-0");
  EXPECT_EQ(Float(1), "1");
  EXPECT_EQ(Float(1.5), "1.5");
  EXPECT_EQ(Float(0.000001), "0.000001");
  EXPECT_EQ(Float(1e-7), "1e-7");
  EXPECT_EQ(Float(1.5e-7), "1.5e-7");
  EXPECT_EQ(Float(1e-10), "1e-10");
  EXPECT_EQ(Float(123456789.123), "123456789.123");
  EXPECT_EQ(Float(1e20), "100000000000000000000");
  EXPECT_EQ(Float(1e21), "1e+21");
  EXPECT_EQ(Float(-1e21), "-1e+21");
  EXPECT_EQ(Float(1.5e300), "1.5e+300");
  EXPECT_EQ(Float(0.1), "0.1");
  EXPECT_EQ(Float(0.1 + 0.2), "0.30000000000000004");
  // Shortest digits padded with zeros (not the exact binary value's digits).
  EXPECT_EQ(Float(123456789012345678901.0), "123456789012345680000");
  EXPECT_EQ(Float(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(Float(std::numeric_limits<double>::denorm_min()), "5e-324");
  EXPECT_EQ(Float(9007199254740993.0), "9007199254740992");
}

TEST(JsonFloatTest, NonFiniteIsAnError) {
  std::string out = "x";
  EXPECT_FALSE(AppendFloat64(&out, std::nan("")).ok());
  EXPECT_FALSE(AppendFloat64(&out, std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(AppendFloat64(&out, -std::numeric_limits<double>::infinity()).ok());
  EXPECT_EQ(out, "x");
}

TEST(JsonIntTest, ExtremesAreExact) {
  std::string out;
  AppendInt(&out, std::numeric_limits<int64_t>::min());
  out.push_back(',');
  AppendUint(&out, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(out, "-9223372036854775808,18446744073709551615");
}

TEST(JsonBase64Test, PaddedStandardAlphabet) {
  EXPECT_EQ(B64(""), R"("")");
  EXPECT_EQ(B64("f"), R"("Zg==")");
  EXPECT_EQ(B64("fo"), R"("Zm8=")");
  EXPECT_EQ(B64("foo"), R"("Zm9v")");
  EXPECT_EQ(B64("\xfb\xff\xbf"), R"("+/+/")");
}

}  // namespace
}  // namespace kstream::encoding::json
