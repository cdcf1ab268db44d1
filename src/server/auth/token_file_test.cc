#include "server/auth/token_file.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "server/auth/files.h"
#include "testing/temp_dir.h"

namespace kstream::server::auth {
namespace {

using Groups = std::vector<std::string>;

TokenAuthenticator MustParse(std::string_view csv) {
  auto a = TokenAuthenticator::Parse(csv, "f.csv");
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? std::move(a).value() : TokenAuthenticator();
}

std::string ParseError(std::string_view csv) {
  auto a = TokenAuthenticator::Parse(csv, "f.csv");
  if (a.ok()) return "<ok>";
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
  return std::string(a.status().message());
}

TEST(TokenFile, ParsesKubeFormat) {
  auto a = MustParse(
      "tok1,alice,uid-1\n"
      "tok2,bob,uid-2,\"dev,ops\"\n"
      "tok3,carol,uid-3,single,ignored,columns\n");
  EXPECT_EQ(a.size(), 3u);
  const UserInfo* u = a.Authenticate("tok1");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->name, "alice");
  EXPECT_EQ(u->uid, "uid-1");
  EXPECT_TRUE(u->groups.empty());
  u = a.Authenticate("tok2");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->name, "bob");
  EXPECT_EQ(u->groups, (Groups{"dev", "ops"}));
  u = a.Authenticate("tok3");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->groups, (Groups{"single"}));
  EXPECT_EQ(a.Authenticate("tok"), nullptr);
  EXPECT_EQ(a.Authenticate("tok10"), nullptr);
  EXPECT_EQ(a.Authenticate(""), nullptr);
  EXPECT_TRUE(a.warnings().empty());
}

TEST(TokenFile, GoCsvDetails) {
  // CRLF folded, blank lines skipped, final line without newline, final \r dropped.
  auto a = MustParse("\r\n\nt1,u1,id1\r\n\nt2,u2,id2,\"g1,g2\"\r\nt3,u3,id3\r");
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(a.Authenticate("t2")->groups, (Groups{"g1", "g2"}));
  EXPECT_EQ(a.Authenticate("t3")->uid, "id3");
  // Spaces are part of fields; groups are not trimmed; a lone \r stays.
  a = MustParse("t, u , id,a, b\nt2,u,i\rd,\" a , b \"");
  EXPECT_EQ(a.Authenticate("t")->name, " u ");
  EXPECT_EQ(a.Authenticate("t")->uid, " id");
  EXPECT_EQ(a.Authenticate("t")->groups, (Groups{"a"}));
  EXPECT_EQ(a.Authenticate("t2")->uid, "i\rd");
  EXPECT_EQ(a.Authenticate("t2")->groups, (Groups{" a ", " b "}));
  // Quoted fields: "" is a quote; commas and line breaks inside (CRLF folded there too).
  a = MustParse("\"t\"\"x\",\"a,b\",\"multi\r\nline\"\n");
  ASSERT_NE(a.Authenticate("t\"x"), nullptr);
  EXPECT_EQ(a.Authenticate("t\"x")->name, "a,b");
  EXPECT_EQ(a.Authenticate("t\"x")->uid, "multi\nline");
  // An empty 4th field is one empty group (strings.Split("", ",") == [""]), as in kube.
  a = MustParse("t,u,id,\nt2,u,id,\"\"\nt3,u,id,\"a,,b\"\n");
  EXPECT_EQ(a.Authenticate("t")->groups, (Groups{""}));
  EXPECT_EQ(a.Authenticate("t2")->groups, (Groups{""}));
  EXPECT_EQ(a.Authenticate("t3")->groups, (Groups{"a", "", "b"}));
  // Nothing at all, or only blank lines.
  EXPECT_EQ(MustParse("").size(), 0u);
  EXPECT_EQ(MustParse("\n\r\n\n").size(), 0u);
  EXPECT_EQ(MustParse("\r").size(), 0u);
}

TEST(TokenFile, TooFewColumnsIsAnErrorAndCommentsAreRecords) {
  const std::string kMsg = "token file 'f.csv' must have at least 3 columns (token, user name, user uid), found ";
  EXPECT_EQ(ParseError("t,u,id\nt2,u2\n"), kMsg + "2");
  // encoding/csv as kube sets it up has no comment character.
  EXPECT_EQ(ParseError("# tokens\nt,u,id\n"), kMsg + "1");
  EXPECT_EQ(ParseError("#a,b,c\n"), "<ok>");  // a 3-field "comment" is a token
  EXPECT_EQ(MustParse("#a,b,c\n").Authenticate("#a")->name, "b");
  EXPECT_EQ(ParseError(" \n"), kMsg + "1");  // a line of spaces is not blank
}

TEST(TokenFile, CsvSyntaxErrorsHaveGoTexts) {
  EXPECT_EQ(ParseError("a,b\"c,d\n"), "parse error on line 1, column 4: bare \" in non-quoted-field");
  EXPECT_EQ(ParseError("\n\nx\"y\n"), "parse error on line 3, column 2: bare \" in non-quoted-field");
  // A quote with leading space is not a quoted field.
  EXPECT_EQ(ParseError("t,u,id, \"g\"\n"), "parse error on line 1, column 9: bare \" in non-quoted-field");
  EXPECT_EQ(ParseError("\"abc\"x,1,2\n"), "parse error on line 1, column 5: extraneous or missing \" in quoted-field");
  EXPECT_EQ(ParseError("tok,user,\"uid\nmore\n"),
            "record on line 1; parse error on line 2, column 6: extraneous or missing \" in quoted-field");
  EXPECT_EQ(ParseError("tok,\"a\nb\"x\n"),
            "record on line 1; parse error on line 2, column 2: extraneous or missing \" in quoted-field");
  EXPECT_EQ(ParseError("t,u,\"id"), "parse error on line 1, column 8: extraneous or missing \" in quoted-field");
  EXPECT_EQ(ParseError("t,u,id\n\"\n"), "parse error on line 2, column 3: extraneous or missing \" in quoted-field");
}

TEST(TokenFile, HostileInputNeverCrashes) {
  // Short strings over the characters that matter to the CSV state machine.
  static constexpr char kAlphabet[] = {'a', ',', '"', '\r', '\n', ' ', '\0', '\xC2', '\xA0'};
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 16;
  };
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    size_t n = next() % 24;
    for (size_t j = 0; j < n; ++j) s.push_back(kAlphabet[next() % sizeof(kAlphabet)]);
    auto a = TokenAuthenticator::Parse(s, "f");
    if (a.ok()) {
      ++ok;
      for (const auto& w : a->warnings()) EXPECT_FALSE(w.empty());
    } else {
      EXPECT_FALSE(a.status().message().empty());
    }
    (void)BearerToken(s);
  }
  EXPECT_GT(ok, 100);
}

TEST(TokenFile, EmptyAndDuplicateTokensWarnLikeKube) {
  auto a = MustParse(
      ",nobody,0\n"
      "t,first,1\n"
      "x,other,2\n"
      "t,second,3,\"g\"\n");
  EXPECT_EQ(a.size(), 2u);
  ASSERT_NE(a.Authenticate("t"), nullptr);
  EXPECT_EQ(a.Authenticate("t")->name, "second");  // later wins
  EXPECT_EQ(a.Authenticate("t")->groups, (Groups{"g"}));
  EXPECT_EQ(a.Authenticate(""), nullptr);
  EXPECT_EQ(a.warnings(), (std::vector<std::string>{
                              "empty token has been found in token file 'f.csv', record number '1'",
                              "duplicate token has been found in token file 'f.csv', record number '4'",
                          }));
}

TEST(TokenFile, TokenForUserIsTheFirstThatStillBelongsToTheUser) {
  auto a = MustParse(
      "t1,bob,1\n"
      "t2,admin,2\n"
      "t3,admin,3\n"
      "t2,carol,4\n");
  EXPECT_EQ(a.TokenForUser("admin"), "t3");
  EXPECT_EQ(a.TokenForUser("bob"), "t1");
  EXPECT_EQ(a.TokenForUser("carol"), "t2");
  EXPECT_EQ(a.TokenForUser("dave"), std::nullopt);
}

TEST(TokenFile, LoadFromDisk) {
  kstream::testing::TempDir dir("ks-token");
  const std::string path = dir.str() + "/tokens.csv";
  auto missing = LoadTokenFile(path);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(path), std::string_view::npos);
  ASSERT_TRUE(WriteFileAtomic(path, "a,b\n", 0600).ok());
  auto bad = LoadTokenFile(path);
  EXPECT_EQ(bad.status().message(),
            "token file '" + path + "' must have at least 3 columns (token, user name, user uid), found 2");
  ASSERT_TRUE(WriteFileAtomic(path, "secret,jane,42,\"system:masters\"\n", 0600).ok());
  auto ok = LoadTokenFile(path);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->Authenticate("secret")->groups, (Groups{"system:masters"}));
}

TEST(BearerToken, KubeRules) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER abc"), "abc");
  EXPECT_EQ(BearerToken("BeArEr abc"), "abc");
  EXPECT_EQ(BearerToken("  Bearer abc  "), "abc");
  EXPECT_EQ(BearerToken("\t\r\nBearer abc\v\f"), "abc");
  // Go's strings.TrimSpace trims Unicode spaces too (NBSP, ideographic space).
  EXPECT_EQ(BearerToken("\xC2\xA0" "Bearer abc\xE3\x80\x80"), "abc");
  EXPECT_EQ(BearerToken("Bearer a\xC2\xA0" "b"), "a\xC2\xA0" "b");
  // Split on single spaces: a second space makes the token empty; more parts are ignored.
  EXPECT_EQ(BearerToken("Bearer  abc"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer abc def"), "abc");
  EXPECT_EQ(BearerToken("Bearer abc  def"), "abc");
  EXPECT_EQ(BearerToken("Bearer a=b.c-_~+/"), "a=b.c-_~+/");
  for (const char* bad : {"", "   ", "Bearer", "Bearer ", "Bearer\tabc", "Bearerabc", "bear abc", "Bearer: abc",
                          "Basic YWJj", "Bearers abc", "xBearer abc", "Bearer\xC2\xA0" "abc"}) {
    EXPECT_EQ(BearerToken(bad), std::nullopt) << bad;
  }
  // The view points into the header.
  std::string h = "Bearer tok";
  auto t = BearerToken(h);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->data(), h.data() + 7);
}

bool IsBase64Url(const std::string& s) {
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

TEST(RandomToken, Base64UrlWithoutPadding) {
  for (size_t n : {1u, 2u, 3u, 4u, 32u}) {
    auto t = RandomToken(n);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->size(), (n * 4 + 2) / 3) << n;
    EXPECT_TRUE(IsBase64Url(*t)) << *t;
  }
  // 32 bytes: the 43rd character carries 4 bits and two zero bits.
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string t = *RandomToken(32);
    EXPECT_EQ(kAlphabet.find(t.back()) % 4, 0u) << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(EnsureAdminToken, CreatesOnceThenReuses) {
  kstream::testing::TempDir root("ks-token");
  const std::string dir = root.str() + "/state/auth";
  std::string token;
  ASSERT_TRUE(EnsureAdminToken(dir, "", &token).ok());
  EXPECT_EQ(token.size(), 43u);
  EXPECT_TRUE(IsBase64Url(token)) << token;
  const std::string path = dir + "/tokens.csv";
  EXPECT_EQ(FileMode(dir), 0700);
  EXPECT_EQ(FileMode(path), 0600);
  EXPECT_EQ(*ReadFileLimited(path), token + ",admin,admin,\"system:masters\"\n");
  auto a = LoadTokenFile(path);
  ASSERT_TRUE(a.ok());
  const UserInfo* u = a->Authenticate(token);
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->name, "admin");
  EXPECT_EQ(u->uid, "admin");
  EXPECT_EQ(u->groups, (Groups{"system:masters"}));

  std::string again;
  ASSERT_TRUE(EnsureAdminToken(dir, "", &again).ok());
  EXPECT_EQ(again, token);
  EXPECT_EQ(*ReadFileLimited(path), token + ",admin,admin,\"system:masters\"\n");

  std::string other;
  ASSERT_TRUE(EnsureAdminToken(root.str() + "/elsewhere", "", &other).ok());
  EXPECT_NE(other, token);
}

TEST(EnsureAdminToken, ExistingFiles) {
  kstream::testing::TempDir root("ks-token");
  const std::string path = root.str() + "/my-tokens.csv";
  // An operator's file: the first admin token is used, the file is left alone.
  const std::string content = "t-bob,bob,1\nt-admin,admin,2,\"system:masters\"\nt-admin2,admin,3\n";
  ASSERT_TRUE(WriteFileAtomic(path, content, 0640).ok());
  std::string token;
  ASSERT_TRUE(EnsureAdminToken(root.str(), path, &token).ok());
  EXPECT_EQ(token, "t-admin");
  EXPECT_EQ(*ReadFileLimited(path), content);
  EXPECT_EQ(FileMode(path), 0640);

  // No admin in it.
  ASSERT_TRUE(WriteFileAtomic(path, "t-bob,bob,1\n", 0600).ok());
  Status s = EnsureAdminToken(root.str(), path, &token);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "token file '" + path + "' has no token for user \"admin\"");

  // Malformed: the load error, and the file is not replaced.
  ASSERT_TRUE(WriteFileAtomic(path, "oops\n", 0600).ok());
  s = EnsureAdminToken("", path, &token);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ReadFileLimited(path), "oops\n");

  // An explicit path without a directory to lock: created there.
  const std::string fresh = root.str() + "/fresh.csv";
  ASSERT_TRUE(EnsureAdminToken("", fresh, &token).ok());
  EXPECT_EQ(*ReadFileLimited(fresh), token + ",admin,admin,\"system:masters\"\n");

  EXPECT_EQ(EnsureAdminToken("", "", &token).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kstream::server::auth
