#include "registry/validation.h"

#include <gtest/gtest.h>

#include <string>

namespace kstream::registry {
namespace {

TEST(ValidationTest, Dns1123Label) {
  EXPECT_TRUE(IsDns1123Label("a"));
  EXPECT_TRUE(IsDns1123Label("my-name-1"));
  EXPECT_TRUE(IsDns1123Label(std::string(63, 'a')));
  EXPECT_FALSE(IsDns1123Label(std::string(64, 'a')));
  for (const char* bad : {"", "-a", "a-", "A", "a.b", "a_b"}) EXPECT_FALSE(IsDns1123Label(bad)) << bad;
}

TEST(ValidationTest, Dns1123Subdomain) {
  EXPECT_TRUE(IsDns1123Subdomain("example.com"));
  EXPECT_TRUE(IsDns1123Subdomain("a-1.b-2.c"));
  EXPECT_FALSE(IsDns1123Subdomain(std::string(254, 'a')));
  EXPECT_TRUE(MatchesDns1123Subdomain(std::string(254, 'a')));  // the pattern alone has no limit
  for (const char* bad : {"", ".", "a.", ".a", "a..b", "a.-b", "Example.com", "a_b.c"}) {
    EXPECT_FALSE(IsDns1123Subdomain(bad)) << bad;
  }
}

TEST(ValidationTest, QualifiedNames) {
  EXPECT_TRUE(IsQualifiedName("app"));
  EXPECT_TRUE(IsQualifiedName("app.kubernetes.io/name"));
  EXPECT_TRUE(IsQualifiedName("My_Name.v1"));
  for (const char* bad : {"", "/name", "a/b/c", "Example.com/x", "app/", "-x", "x-", "a b"}) {
    EXPECT_FALSE(IsQualifiedName(bad)) << bad;
  }
  EXPECT_FALSE(IsQualifiedName(std::string(64, 'a')));
  EXPECT_TRUE(IsQualifiedNamePart("", true));  // an empty label value
  EXPECT_FALSE(IsQualifiedNamePart("", false));
}

}  // namespace
}  // namespace kstream::registry
