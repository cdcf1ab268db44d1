#include "registry/jsonpath.h"

#include <gtest/gtest.h>

#include "api/json.h"

namespace kstream::registry {
namespace {

api::Value Parse(std::string_view s) { return *api::ParseJson(s); }

std::vector<std::string> Texts(std::string_view path, const api::Value& v) {
  auto p = JsonPath::Parse(path);
  EXPECT_TRUE(p.ok()) << path << ": " << p.status().ToString();
  std::vector<std::string> out;
  if (!p.ok()) return out;
  for (const api::Value* r : p->Find(v)) out.push_back(JsonPathText(*r));
  return out;
}

const char kObj[] = R"({"metadata":{"name":"a","labels":{"app.kubernetes.io/name":"x"}},
  "spec":{"replicas":3,"ratio":0.5,"ok":true,"tags":["p","q"],"nested":{"k":"v"}},
  "status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Synced","status":"False","n":2}]}})";

TEST(JsonPathTest, FieldsIndexesAndWildcards) {
  api::Value v = Parse(kObj);
  EXPECT_EQ(Texts(".metadata.name", v), std::vector<std::string>{"a"});
  EXPECT_EQ(Texts(".spec.replicas", v), std::vector<std::string>{"3"});
  EXPECT_EQ(Texts(".spec.ratio", v), std::vector<std::string>{"0.5"});
  EXPECT_EQ(Texts(".spec.ok", v), std::vector<std::string>{"true"});
  EXPECT_EQ(Texts(".spec.tags[1]", v), std::vector<std::string>{"q"});
  EXPECT_EQ(Texts(".spec.tags[-1]", v), std::vector<std::string>{"q"});
  EXPECT_EQ(Texts(".spec.tags[*]", v), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(Texts(".spec.tags", v), std::vector<std::string>{"[p q]"});
  EXPECT_EQ(Texts(".spec.nested", v), std::vector<std::string>{"map[k:v]"});
  EXPECT_EQ(Texts(".metadata.labels['app.kubernetes.io/name']", v), std::vector<std::string>{"x"});
  EXPECT_EQ(Texts(".metadata.labels.app\\.kubernetes\\.io/name", v), std::vector<std::string>{"x"});
  // Missing keys and out-of-range indexes match nothing (AllowMissingKeys).
  EXPECT_TRUE(Texts(".spec.nope", v).empty());
  EXPECT_TRUE(Texts(".spec.tags[5]", v).empty());
  EXPECT_TRUE(Texts(".metadata.name.deeper", v).empty());
}

TEST(JsonPathTest, Filters) {
  api::Value v = Parse(kObj);
  EXPECT_EQ(Texts(".status.conditions[?(@.type==\"Ready\")].status", v), std::vector<std::string>{"True"});
  EXPECT_EQ(Texts(".status.conditions[?(@.type=='Synced')].status", v), std::vector<std::string>{"False"});
  EXPECT_EQ(Texts(".status.conditions[?(@.type!=\"Ready\")].type", v), std::vector<std::string>{"Synced"});
  EXPECT_EQ(Texts(".status.conditions[?(@.n)].type", v), std::vector<std::string>{"Synced"});
  EXPECT_EQ(Texts(".status.conditions[?(@.n==2)].type", v), std::vector<std::string>{"Synced"});
  EXPECT_EQ(Texts(".status.conditions[?(@.n>1)].type", v), std::vector<std::string>{"Synced"});
  EXPECT_TRUE(Texts(".status.conditions[?(@.type==\"Nope\")].status", v).empty());
}

TEST(JsonPathTest, RejectsWhatItCannotRead) {
  for (std::string_view bad : {".spec.", ".spec[", ".spec[x]", ".spec[?(@.a==\"b\"]", "spec", ".spec..x"}) {
    EXPECT_FALSE(JsonPath::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace kstream::registry
