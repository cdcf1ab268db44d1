#include "registry/continue_token.h"

#include <gtest/gtest.h>

#include <string>

namespace kstream::registry {
namespace {

using namespace std::string_literals;

std::string TokenFor(std::string_view json) { return Base64RawUrlEncode(json); }

std::string DecodeError(std::string_view token) {
  auto r = DecodeContinue(token);
  EXPECT_FALSE(r.ok()) << token;
  return r.ok() ? std::string() : std::string(r.status().message());
}

std::string JsonError(std::string_view json) { return DecodeError(TokenFor(json)); }

constexpr std::string_view kPrefix = "invalid continue token: continue key is not valid: ";

TEST(ContinueTokenTest, FactsExample) {
  // ../shared/spec/k8s-api-facts.md §5.2: namespaces list, last name "foo", rv 123.
  constexpr std::string_view kToken = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzLCJzdGFydCI6ImZvb1x1MDAwMCJ9";
  EXPECT_EQ(EncodeContinue(123, "foo"), kToken);
  EXPECT_EQ(*Base64RawUrlDecode(kToken), R"({"v":"meta.k8s.io/v1","rv":123,"start":"foo\u0000"})");
  auto t = DecodeContinue(kToken);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->rv, 123);
  EXPECT_EQ(t->start, "foo\0"s);
  EXPECT_EQ(EncodeContinueStart(123, t->start), kToken);
}

TEST(ContinueTokenTest, EncodesLikeGo) {
  EXPECT_EQ(EncodeContinue(5, "default/web"),
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NSwic3RhcnQiOiJkZWZhdWx0L3dlYlx1MDAwMCJ9");
  // HTML characters are escaped as Go's json.Marshal does; rv -1 is the "latest" token.
  EXPECT_EQ(EncodeContinueStart(-1, "a<b\0"s),
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiYVx1MDAzY2JcdTAwMDAifQ");
}

TEST(ContinueTokenTest, RoundTrips) {
  for (std::string key : {"a"s, "default/web-1"s, "kube-system/x.y_z"s, "with space/\xc3\xa9"s, "a<b>&c"s}) {
    for (int64_t rv : {int64_t{1}, int64_t{-1}, int64_t{987654321}, INT64_MAX, INT64_MIN}) {
      auto t = DecodeContinue(EncodeContinue(rv, key));
      ASSERT_TRUE(t.ok()) << key << ": " << t.status().message();
      EXPECT_EQ(t->rv, rv);
      EXPECT_EQ(t->start, key + '\0');
      EXPECT_EQ(EncodeContinueStart(rv, t->start), EncodeContinue(rv, key));
    }
  }
}

TEST(ContinueTokenTest, Base64) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},           {"f", "Zg"},           {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"},
  };
  for (const auto& [raw, enc] : vectors) {
    EXPECT_EQ(Base64RawUrlEncode(raw), enc);
    auto d = Base64RawUrlDecode(enc);
    ASSERT_TRUE(d.ok()) << enc;
    EXPECT_EQ(*d, raw);
  }
  // Go skips CR and LF and accepts nonzero trailing bits (not strict).
  EXPECT_EQ(*Base64RawUrlDecode("Zm\r\n9v"), "foo");
  EXPECT_EQ(*Base64RawUrlDecode("Zh"), "f");
  // CorruptInputError offsets.
  EXPECT_EQ(Base64RawUrlDecode("Zg==").status().message(), "illegal base64 data at input byte 2");
  EXPECT_EQ(Base64RawUrlDecode("Z").status().message(), "illegal base64 data at input byte 0");
  EXPECT_EQ(Base64RawUrlDecode("Zm9vY").status().message(), "illegal base64 data at input byte 4");
  EXPECT_EQ(Base64RawUrlDecode("Zm9v!").status().message(), "illegal base64 data at input byte 4");
  EXPECT_EQ(Base64RawUrlDecode("Zm+v").status().message(), "illegal base64 data at input byte 2");
  EXPECT_EQ(Base64RawUrlDecode("A\n").status().message(), "illegal base64 data at input byte 1");
}

TEST(ContinueTokenTest, Errors) {
  EXPECT_EQ(DecodeError("!!!!"), std::string(kPrefix) + "illegal base64 data at input byte 0");
  EXPECT_EQ(DecodeError("eyJ2Ijo="), std::string(kPrefix) + "illegal base64 data at input byte 7");
  EXPECT_EQ(JsonError("{"), std::string(kPrefix) + "unexpected end of JSON input");
  EXPECT_EQ(JsonError("x"), std::string(kPrefix) + "invalid character 'x' looking for beginning of value");
  EXPECT_EQ(JsonError(R"({"v":"meta.k8s.io/v1","rv":0,"start":"a"})"),
            std::string(kPrefix) + "incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  EXPECT_EQ(JsonError(R"({"v":"meta.k8s.io/v1","start":"a"})"),
            std::string(kPrefix) + "incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  EXPECT_EQ(JsonError(R"({"v":"meta.k8s.io/v1","rv":1,"start":""})"),
            std::string(kPrefix) + "encoded start key empty (version meta.k8s.io/v1)");
  EXPECT_EQ(JsonError(R"({"v":"meta.k8s.io/v2","rv":1,"start":"a"})"),
            std::string(kPrefix) + "server does not recognize this encoded version meta.k8s.io/v2");
  EXPECT_EQ(JsonError("{}"), std::string(kPrefix) + "server does not recognize this encoded version ");
  EXPECT_EQ(JsonError("null"), std::string(kPrefix) + "server does not recognize this encoded version ");
  EXPECT_EQ(JsonError("[]"), std::string(kPrefix) + "json: cannot unmarshal array into Go value of type storage.continueToken");
  EXPECT_EQ(JsonError(R"({"v":"meta.k8s.io/v1","rv":"1","start":"a"})"),
            std::string(kPrefix) + "json: cannot unmarshal string into Go struct field continueToken.rv of type int64");
  EXPECT_EQ(JsonError(R"({"v":1,"rv":1,"start":"a"})"),
            std::string(kPrefix) + "json: cannot unmarshal number into Go struct field continueToken.v of type string");
  EXPECT_EQ(JsonError(R"({"v":"meta.k8s.io/v1","rv":1,"start":{}})"),
            std::string(kPrefix) + "json: cannot unmarshal object into Go struct field continueToken.start of type string");
  EXPECT_EQ(JsonError(R"({"v":"meta.k8s.io/v1","rv":1.5,"start":"a"})"),
            std::string(kPrefix) + "json: cannot unmarshal number 1.5 into Go struct field continueToken.rv of type int64");
}

TEST(ContinueTokenTest, PathTraversal) {
  for (std::string_view start : {"../x", "a//b", "a/", "a/./b", "a/../b", ".", "..", "/a/../b"}) {
    std::string json = R"({"v":"meta.k8s.io/v1","rv":1,"start":")" + std::string(start) + "\"}";
    EXPECT_EQ(JsonError(json), std::string(kPrefix) + std::string(start)) << start;
  }
  // A leading slash is accepted and dropped; "/" alone means "from the beginning".
  auto t = DecodeContinue(TokenFor(R"({"v":"meta.k8s.io/v1","rv":3,"start":"/ns/name\u0000"})"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->start, "ns/name\0"s);
  t = DecodeContinue(TokenFor(R"({"v":"meta.k8s.io/v1","rv":3,"start":"/"})"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->start, "");
}

TEST(ContinueTokenTest, GoJsonLeniency) {
  // Keys match case-insensitively (with Go's Unicode folding), unknown keys are ignored,
  // null leaves a field alone.
  auto t = DecodeContinue(TokenFor(R"({"V":"meta.k8s.io/v1","RV":7,"Start":"x\u0000","extra":[1]})"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->rv, 7);
  EXPECT_EQ(t->start, "x\0"s);
  t = DecodeContinue(TokenFor("{\"v\":\"meta.k8s.io/v1\",\"rv\":7,\"\xc5\xbftart\":\"y\"}"));  // U+017F
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->start, "y");
  EXPECT_FALSE(DecodeContinue(TokenFor(R"({"v":"meta.k8s.io/v1","rv":7,"start":null})")).ok());
  t = DecodeContinue(TokenFor(R"({"v":"meta.k8s.io/v1","rv":-1,"start":"z"})"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rv, -1);
}

TEST(ContinueTokenTest, GoPathClean) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "."},          {"/", "/"},          {"/a/b/../c", "/a/c"}, {"/../a", "/a"},
      {"a/../..", ".."},  {"/a//b/", "/a/b"},  {"/a/./b/.", "/a/b"}, {"abc", "abc"},
      {"../../x", "../../x"}, {"/a/b/..", "/a"}, {"/abc/..", "/"},    {"a/b/../../..", ".."},
      {"//a", "/a"},      {"/a/..b", "/a/..b"}, {"/a/b.", "/a/b."},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(GoPathClean(in), want) << in;
}

TEST(ContinueTokenTest, NeverCrashesOnJunk) {
  uint32_t seed = 7;
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    int n = static_cast<int>(seed % 40);
    for (int j = 0; j < n; ++j) {
      seed = seed * 1103515245 + 12345;
      s.push_back(static_cast<char>(seed >> 16));
    }
    seed = seed * 1103515245 + 12345;
    (void)DecodeContinue(s);
    (void)DecodeContinue(Base64RawUrlEncode(s));
  }
}

}  // namespace
}  // namespace kstream::registry
