#include "api/json.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kstream::api {
namespace {

using encoding::json::Style;

Value Parse(std::string_view s) {
  auto r = ParseJson(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : Value();
}

std::string Compact(std::string_view s) { return *ToJson(Parse(s)); }

TEST(ParseJsonTest, NumbersFollowUnstructuredRules) {
  EXPECT_TRUE(Parse("1").is_int());
  EXPECT_EQ(Parse("-9223372036854775808").as_int(), INT64_MIN);
  EXPECT_TRUE(Parse("-0").is_int());
  EXPECT_EQ(Parse("-0").as_int(), 0);
  EXPECT_TRUE(Parse("1.0").is_float());
  EXPECT_TRUE(Parse("1e3").is_float());
  EXPECT_EQ(Parse("1e3").as_float(), 1000);
  Value big = Parse("9223372036854775808");
  ASSERT_TRUE(big.is_float());
  EXPECT_EQ(big.as_float(), 9223372036854775808.0);
  Value huge = Parse("100000000000000000000000");  // beyond uint64: lenient path
  ASSERT_TRUE(huge.is_float());
  EXPECT_EQ(huge.as_float(), 1e23);
  EXPECT_EQ(Parse("1e-400").as_float(), 0.0);  // underflow is not an error in Go
  EXPECT_FALSE(ParseJson("1e400").ok());
  EXPECT_FALSE(ParseJson("-1e400").ok());
}

TEST(ParseJsonTest, WrittenBackAsGoDoes) {
  EXPECT_EQ(Compact(R"({"b":1.0,"a":1e3,"c":1.5,"d":-0.0,"e":100000000000000000000000})"),
            R"({"a":1000,"b":1,"c":1.5,"d":-0,"e":1e+23})");
}

TEST(ParseJsonTest, DuplicateKeysLastWins) {
  EXPECT_EQ(Compact(R"({"a":1,"b":2,"a":3})"), R"({"a":3,"b":2})");
  EXPECT_EQ(Compact(R"({"a":{"x":1},"a":[true]})"), R"({"a":[true]})");
}

TEST(ParseJsonTest, InvalidUtf8AndLoneSurrogatesBecomeReplacementChars) {
  EXPECT_EQ(Parse("\"a\x80z\"").as_string(), "a\xef\xbf\xbdz");
  EXPECT_EQ(Parse("\"\xe2\x80\"").as_string(), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(Parse(R"("\ud800")").as_string(), "\xef\xbf\xbd");
  EXPECT_EQ(Parse(R"("\udc00x")").as_string(), "\xef\xbf\xbdx");
  // A high surrogate followed by a non-surrogate escape: both decoded on their own.
  EXPECT_EQ(Parse(R"("\ud800\u0041")").as_string(), "\xef\xbf\xbd" "A");
  EXPECT_EQ(Parse(R"("\ud800\ud800\udc00")").as_string(), "\xef\xbf\xbd\xf0\x90\x80\x80");
  EXPECT_EQ(Parse(R"("\ud83d\ude00")").as_string(), "\xf0\x9f\x98\x80");
  // Keys too.
  EXPECT_EQ(Compact("{\"k\xff\":1}"), "{\"k\xef\xbf\xbd\":1}");
}

TEST(ParseJsonTest, SyntaxErrorsAreGoStyle) {
  auto msg = [](std::string_view s) { return std::string(ParseJson(s).status().message()); };
  EXPECT_EQ(msg(""), "unexpected end of JSON input");
  EXPECT_EQ(msg("{\"a\":1"), "unexpected end of JSON input");
  EXPECT_EQ(msg("[1] x"), "invalid character 'x' after top-level value (at offset 4)");
  EXPECT_EQ(msg("{\"a\" 1}"), "invalid character '1' after object key (at offset 5)");
  EXPECT_EQ(msg("[1 2]"), "invalid character '2' after array element (at offset 3)");
  EXPECT_EQ(msg("{,}"), "invalid character ',' looking for beginning of object key string (at offset 1)");
  EXPECT_EQ(msg("[tru]"), "invalid character ']' in literal true (expecting the next letter) (at offset 4)");
  EXPECT_EQ(msg("\"a\x01\""), "invalid character '\\x01' in string literal (at offset 2)");
  EXPECT_FALSE(ParseJson("[01]").ok());
  EXPECT_FALSE(ParseJson("[1.]").ok());
  EXPECT_FALSE(ParseJson("[+1]").ok());
  EXPECT_FALSE(ParseJson("{\"a\":1,}").ok());
  EXPECT_FALSE(ParseJson("[\"\\x\"]").ok());
  EXPECT_FALSE(ParseJson("[\"\\u12\"]").ok());
}

TEST(ParseJsonTest, DepthLimit) {
  std::string ok = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  std::string deep = std::string(10001, '[') + std::string(10001, ']');
  EXPECT_EQ(ParseJson(deep).status().message(), "exceeded max depth");
}

TEST(ParseJsonTest, DuplicateFieldsAreReportedWithTheirPathsInDocumentOrder) {
  std::vector<std::string> dups;
  auto v = ParseJson(R"({"a":1,"a":2,"b":{"x":1,"y":[{"k":1,"k":2},{"k":3}],"x":{"z":0}},)"
                     R"("c":[[{"q":1,"q":1}]],"a":3,"":0,"":1})",
                     &dups);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(dups, (std::vector<std::string>{"a", "b.y[0].k", "b.x", "c[0][0].q", ""}));
  // The value is what ParseJson gives: the last duplicate wins.
  EXPECT_EQ(*v, Parse(R"({"a":1,"a":2,"b":{"x":1,"y":[{"k":1,"k":2},{"k":3}],"x":{"z":0}},)"
                      R"("c":[[{"q":1,"q":1}]],"a":3,"":0,"":1})"));
  EXPECT_EQ(v->Find("a")->as_int(), 3);
  EXPECT_TRUE(v->Find("b")->Find("x")->is_object());
}

TEST(ParseJsonTest, DuplicateFieldsComparedAfterUnescaping) {
  std::vector<std::string> dups;
  ASSERT_TRUE(ParseJson(R"({"metadata":{"name":"a","n\u0061me":"b"}})", &dups).ok());
  EXPECT_EQ(dups, std::vector<std::string>{"metadata.name"});
}

TEST(ParseJsonTest, NoDuplicatesNoReports) {
  std::vector<std::string> dups;
  ASSERT_TRUE(ParseJson(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})", &dups).ok());
  EXPECT_TRUE(dups.empty());
  // Errors are the same as without duplicate tracking.
  auto bad = ParseJson(R"({"a":1,"a":)", &dups);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), ParseJson(R"({"a":1,"a":)").status().message());
}

TEST(AppendJsonTest, IndentedIsMarshalIndent) {
  Value v = Parse(R"({"b":[],"a":{},"c":[1,{"d":null}],"e":"x"})");
  EXPECT_EQ(*ToJson(v, Style::kIndent),
            "{\n  \"a\": {},\n  \"b\": [],\n  \"c\": [\n    1,\n    {\n      \"d\": null\n    }\n  ],\n  \"e\": \"x\"\n}");
  EXPECT_EQ(*ToJson(Value(3), Style::kIndent), "3");
}

TEST(AppendJsonTest, NaNFails) {
  Value v = Value::EmptyObject();
  v.Set("x", Value(std::nan("")));
  EXPECT_FALSE(ToJson(v).ok());
}

TEST(ValueTest, SetKeepsKeysSorted) {
  Value v;
  v.Set("b", 1);
  v.Set("a", 2);
  v.Set("c", 3);
  v.Set("a", 4);
  EXPECT_EQ(*ToJson(v), R"({"a":4,"b":1,"c":3})");
  EXPECT_TRUE(v.Erase("b"));
  EXPECT_FALSE(v.Erase("b"));
  EXPECT_EQ(v.Find("c")->as_int(), 3);
  EXPECT_EQ(v.Find("z"), nullptr);
}

TEST(ValueTest, KeysSortBytewise) {
  // Bytewise: uppercase before lowercase, and UTF-8 bytes (>= 0x80) after ASCII.
  EXPECT_EQ(Compact("{\"\xc3\xa9\":1,\"Z\":2,\"a\":3,\"\":4}"), "{\"\":4,\"Z\":2,\"a\":3,\"\xc3\xa9\":1}");
}

}  // namespace
}  // namespace kstream::api
