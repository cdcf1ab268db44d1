#include "encoding/go_strconv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kstream::encoding {
namespace {

TEST(ParseGoInt, Base0Prefixes) {
  struct Case {
    const char* in;
    int64_t want;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"0", 0}, {"-0", 0}, {"+0", 0}, {"7", 7}, {"+7", 7}, {"-7", -7}, {"0755", 493},
           {"-0755", -493}, {"0o17", 15}, {"0O17", 15}, {"0x1F", 31}, {"0X1f", 31}, {"-0x10", -16},
           {"0b101", 5}, {"0B11", 3}, {"-0b11", -3}, {"00", 0}, {"1_000", 1000}, {"0x_1F", 31},
           {"9223372036854775807", INT64_MAX}, {"-9223372036854775808", INT64_MIN}}) {
    int64_t got = -12345;
    EXPECT_TRUE(ParseGoInt(c.in, &got)) << c.in;
    EXPECT_EQ(got, c.want) << c.in;
  }
  for (const char* bad : {"", "+", "-", "08", "09", "0x", "0b", "0o", "0b2", "0xG", "1e3", "1.0",
                          " 1", "1 ", "9223372036854775808", "-9223372036854775809", "++1",
                          "1__0", "_1", "1_", "0_x1"}) {
    int64_t got;
    EXPECT_FALSE(ParseGoInt(bad, &got)) << bad;
  }
}

TEST(ParseGoUint, RangeAndSign) {
  uint64_t got;
  ASSERT_TRUE(ParseGoUint("18446744073709551615", &got));
  EXPECT_EQ(got, UINT64_MAX);
  ASSERT_TRUE(ParseGoUint("0xFFFFFFFFFFFFFFFF", &got));
  EXPECT_EQ(got, UINT64_MAX);
  EXPECT_FALSE(ParseGoUint("18446744073709551616", &got));
  EXPECT_FALSE(ParseGoUint("+1", &got));
  EXPECT_FALSE(ParseGoUint("-1", &got));
}

TEST(ParseGoFloat, DecimalSyntax) {
  struct Case {
    const char* in;
    double want;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"1", 1}, {"1.5", 1.5}, {"-1.5", -1.5}, {"+1.5", 1.5}, {".5", 0.5}, {"5.", 5},
           {"1e3", 1000}, {"1E+3", 1000}, {"1e-3", 0.001}, {"1_000.5", 1000.5}, {".5_0", 0.5},
           {"1e1_0", 1e10}, {"1e-400", 0}, {"5e-324", 5e-324}, {"1.7976931348623157e308", 1.7976931348623157e308},
           {"0.1", 0.1}, {"123456789012345678901234567890", 1.2345678901234568e29}}) {
    double got = -1;
    EXPECT_TRUE(ParseGoFloat(c.in, &got)) << c.in;
    EXPECT_EQ(got, c.want) << c.in;
  }
  double got;
  EXPECT_TRUE(ParseGoFloat("-0", &got));
  EXPECT_TRUE(std::signbit(got));
  for (const char* bad : {"", ".", "e3", "1e", "1e+", "1.2.3", "1e400", "-1e400", "_1", "1_",
                          "1__0", "1_.5", "0x1p3", "inf", "nan", "Infinity", "1.5x", " 1"}) {
    EXPECT_FALSE(ParseGoFloat(bad, &got)) << bad;
  }
}

std::string G(double v, int bits = 64) {
  std::string s;
  AppendGoFloatG(&s, v, bits);
  return s;
}

// Expected values are strconv.FormatFloat(v, 'g', -1, bits) outputs.
TEST(AppendGoFloatG, ShortestWithExponentFromSeventhDigit) {
  EXPECT_EQ(G(1.5), "1.5");
  EXPECT_EQ(G(-2.5), "-2.5");
  EXPECT_EQ(G(0), "0");
  EXPECT_EQ(G(-0.0), "-0");
  EXPECT_EQ(G(123456), "123456");
  EXPECT_EQ(G(1234567), "1.234567e+06");
  EXPECT_EQ(G(1e6), "1e+06");
  EXPECT_EQ(G(100000.5), "100000.5");
  EXPECT_EQ(G(1234567.5), "1.2345675e+06");
  EXPECT_EQ(G(1e20), "1e+20");
  EXPECT_EQ(G(1e21), "1e+21");
  EXPECT_EQ(G(0.0001), "0.0001");
  EXPECT_EQ(G(0.00001), "1e-05");
  EXPECT_EQ(G(1.5e-7), "1.5e-07");
  EXPECT_EQ(G(5e-324), "5e-324");
  EXPECT_EQ(G(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(G(18446744073709551616.0), "1.8446744073709552e+19");
  EXPECT_EQ(G(-9223372036854775808.0), "-9.223372036854776e+18");
  EXPECT_EQ(G(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(G(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(G(std::nan("")), "NaN");
}

TEST(AppendGoFloatG, Float32LikeSigsYamlKeys) {
  EXPECT_EQ(G(0.1, 32), "0.1");
  EXPECT_EQ(G(1.0000001, 32), "1.0000001");
  EXPECT_EQ(G(123456789.0, 32), "1.2345679e+08");
  EXPECT_EQ(G(12345678.5, 32), "1.2345678e+07");
  EXPECT_EQ(G(3.14159265358979, 32), "3.1415927");
  EXPECT_EQ(G(1000, 32), "1000");
  EXPECT_EQ(G(1e100, 32), "+Inf");
  EXPECT_EQ(G(-1e100, 32), "-Inf");
}

}  // namespace
}  // namespace kstream::encoding
