#include "encoding/yaml/resolve.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace kstream::encoding::yaml {
namespace {

using K = Resolved::Kind;

TEST(ResolvePlain, Yaml11WordsInEverySpelling) {
  const std::set<std::string> kTrue = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  const std::set<std::string> kFalse = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  const std::set<std::string> kNull = {"", "~", "null", "Null", "NULL"};
  const std::set<std::string> kNan = {".nan", ".NaN", ".NAN"};
  const std::set<std::string> kInf = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"};
  const std::set<std::string> kNegInf = {"-.inf", "-.Inf", "-.INF"};
  // Every upper/lower-case variant of every word: only the listed spellings are special.
  for (std::string word : {"y", "n", "yes", "no", "true", "false", "on", "off", "null", ".nan",
                           ".inf", "+.inf", "-.inf"}) {
    size_t letters = word.size();
    for (unsigned mask = 0; mask < (1u << letters); ++mask) {
      std::string s = word;
      for (size_t i = 0; i < s.size(); ++i) {
        if ((mask >> i) & 1) s[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[i])));
      }
      Resolved r = ResolvePlain(s);
      if (kTrue.count(s)) {
        EXPECT_EQ(r.kind, K::kBool) << s;
        EXPECT_TRUE(r.b) << s;
      } else if (kFalse.count(s)) {
        EXPECT_EQ(r.kind, K::kBool) << s;
        EXPECT_FALSE(r.b) << s;
      } else if (kNull.count(s)) {
        EXPECT_EQ(r.kind, K::kNull) << s;
      } else if (kNan.count(s)) {
        EXPECT_EQ(r.kind, K::kFloat) << s;
        EXPECT_TRUE(std::isnan(r.f)) << s;
      } else if (kInf.count(s) || kNegInf.count(s)) {
        EXPECT_EQ(r.kind, K::kFloat) << s;
        EXPECT_EQ(r.f, kInf.count(s) ? INFINITY : -INFINITY) << s;
      } else {
        EXPECT_EQ(r.kind, K::kString) << s;
        EXPECT_TRUE(ResolvesToString(s)) << s;
      }
    }
  }
  EXPECT_EQ(ResolvePlain("").kind, K::kNull);
  EXPECT_EQ(ResolvePlain("~").kind, K::kNull);
  EXPECT_EQ(ResolvePlain("<<").kind, K::kString);  // merge keys are the decoder's business
}

TEST(ResolvePlain, Numbers) {
  struct Case {
    const char* in;
    K kind;
    double value;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"0", K::kInt, 0}, {"-0", K::kInt, 0}, {"+1", K::kInt, 1}, {"0755", K::kInt, 493},
           {"0o17", K::kInt, 15}, {"0x1F", K::kInt, 31}, {"-0x1F", K::kInt, -31}, {"0b101", K::kInt, 5},
           {"-0b101", K::kInt, -5}, {"1_000", K::kInt, 1000}, {"1__0_", K::kInt, 10}, {"0x_1F", K::kInt, 31},
           {"08", K::kFloat, 8}, {"09.5", K::kFloat, 9.5}, {"1e3", K::kFloat, 1000}, {"1.0", K::kFloat, 1},
           {"1.5", K::kFloat, 1.5}, {".5", K::kFloat, 0.5}, {"-.5", K::kFloat, -0.5}, {"+.5", K::kFloat, 0.5},
           {"5.", K::kFloat, 5}, {"1e-400", K::kFloat, 0}, {"1_000.5", K::kFloat, 1000.5},
           {".5_0", K::kFloat, 0.5}, {"1e21", K::kFloat, 1e21},
           {"9223372036854775808", K::kUint, 9223372036854775808.0},
           {"18446744073709551615", K::kUint, 18446744073709551615.0},
           {"18446744073709551616", K::kFloat, 18446744073709551616.0},
           {"-9223372036854775809", K::kFloat, -9223372036854775809.0}}) {
    Resolved r = ResolvePlain(c.in);
    EXPECT_EQ(r.kind, c.kind) << c.in;
    double got = r.kind == K::kInt ? static_cast<double>(r.i)
                 : r.kind == K::kUint ? static_cast<double>(r.u) : r.f;
    EXPECT_EQ(got, c.value) << c.in;
  }
  for (const char* s : {"1e400", "-1e400", "0x", "0b", "0xG", "+", "-", ".", "1.2.3", "1,000",
                        "._5", "1e3_0x", "+.inf_", "12:30", "1:20", "0b2", "Infinity", "inf", "nan",
                        "1e", "e3", "_1", "x1", "--1"}) {
    EXPECT_EQ(ResolvePlain(s).kind, K::kString) << s;
  }
  EXPECT_EQ(ResolvePlain("-9223372036854775808").i, INT64_MIN);
}

TEST(ResolvePlain, TimestampsAsGoTimeParseAcceptsThem) {
  for (const char* s : {"2001-12-14", "2001-1-2", "2001-12-14T21:59:43Z", "2001-12-14t21:59:43Z",
                        "2001-12-14T21:59:43.10-05:00", "2001-12-14T21:59:43,5Z",
                        "2001-12-14T21:59:43.123456789012Z", "2001-12-14 21:59:43",
                        "2001-12-14   21:59:43.10", "2008-02-29", "2000-02-29", "0000-01-01",
                        "2001-12-14T21:59:43+24:00", "2001-12-14T21:59:43-00:60", "2001-12-14T1:2:3Z"}) {
    EXPECT_TRUE(IsGoYamlTimestamp(s)) << s;
    EXPECT_EQ(ResolvePlain(s).kind, K::kTimestamp) << s;
  }
  for (const char* s : {"2001-12-14T21:59:43", "2001-12-14 21:59:43Z", "2009-02-29", "1900-02-29",
                        "2008-13-01", "2008-00-01", "2008-01-32", "2008-01-00", "2008-01-01T24:00:00Z",
                        "2008-01-01T00:60:00Z", "2008-01-01T00:00:60Z", "2001-12-14T21:59:43+25:00",
                        "2001-12-14T21:59:43+05:61", "2001-12-14T21:59:43z", "2001-12-14T21:59:43+0500",
                        "20011214", "2001-12-14 ", "2001-12-14T", "01-12-14", "2001-123-1",
                        "2001-12-14T21:59:43.Z", "2001-12-14 21:59"}) {
    EXPECT_FALSE(IsGoYamlTimestamp(s)) << s;
  }
}

TEST(IsBase60Float, Yaml11Sexagesimal) {
  for (const char* s : {"1:20", "190:20:30", "190:20:30.15", "-1:20", "+1:20", "1:5", "1:05",
                        "1_0:20", "1:20.", "1:20._5", "0:0"}) {
    EXPECT_TRUE(IsBase60Float(s)) << s;
  }
  for (const char* s : {"1:60", "1:200", "1:", ":20", "1:2a", "a:20", "1::20", "1:20.5.5", "1:2:", "120"}) {
    EXPECT_FALSE(IsBase60Float(s)) << s;
  }
}

TEST(Resolve, ExplicitTags) {
  Resolved r;
  std::string err;
  ASSERT_TRUE(Resolve(kStrTag, "123", &r, &err));
  EXPECT_EQ(r.kind, K::kString);
  ASSERT_TRUE(Resolve(kIntTag, "0x1F", &r, &err));
  EXPECT_EQ(r.kind, K::kInt);
  EXPECT_EQ(r.i, 31);
  ASSERT_TRUE(Resolve(kFloatTag, "1", &r, &err));  // an int is accepted as a float
  EXPECT_EQ(r.kind, K::kFloat);
  EXPECT_EQ(r.f, 1.0);
  ASSERT_TRUE(Resolve(kBoolTag, "yes", &r, &err));
  EXPECT_TRUE(r.b);
  ASSERT_TRUE(Resolve(kNullTag, "", &r, &err));
  EXPECT_EQ(r.kind, K::kNull);
  ASSERT_TRUE(Resolve(kTimestampTag, "2001-12-14", &r, &err));
  EXPECT_EQ(r.kind, K::kTimestamp);
  ASSERT_TRUE(Resolve(kBinaryTag, "aGk=", &r, &err));
  EXPECT_EQ(r.kind, K::kBinary);
  ASSERT_TRUE(Resolve("!custom", "1", &r, &err));
  EXPECT_EQ(r.kind, K::kOther);
  ASSERT_TRUE(Resolve(kMapTag, "x", &r, &err));
  EXPECT_EQ(r.kind, K::kOther);

  EXPECT_FALSE(Resolve(kIntTag, "abc", &r, &err));
  EXPECT_EQ(err, "cannot decode !!str `abc` as a !!int");
  EXPECT_FALSE(Resolve(kIntTag, "1.5", &r, &err));
  EXPECT_EQ(err, "cannot decode !!float `1.5` as a !!int");
  EXPECT_FALSE(Resolve(kFloatTag, "18446744073709551615", &r, &err));  // uint64 is not converted
  EXPECT_FALSE(Resolve(kBoolTag, "1", &r, &err));
  EXPECT_FALSE(Resolve(kNullTag, "x", &r, &err));
  EXPECT_FALSE(Resolve(kIntTag, "2001-12-14", &r, &err));  // not tried as a timestamp
  EXPECT_EQ(err, "cannot decode !!str `2001-12-14` as a !!int");
  EXPECT_FALSE(Resolve(kTimestampTag, "x", &r, &err));
}

TEST(ShortTag, Prefix) {
  EXPECT_EQ(ShortTag("tag:yaml.org,2002:str"), "!!str");
  EXPECT_EQ(ShortTag("!foo"), "!foo");
}

}  // namespace
}  // namespace kstream::encoding::yaml
