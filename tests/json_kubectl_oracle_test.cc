// Go's encoding/json as the oracle: kubectl (a Go program) decodes objects the way
// Kubernetes decodes unstructured data and prints them with encoding/json. For thousands
// of generated objects, kubectl's output must equal ours byte for byte (after widening our
// 2-space indentation to kubectl's 4 spaces).
//
// `kubectl label --local -f FILE k=v -o json` runs offline; it adds the label k=v, which
// we add to our copy too.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "api/json.h"
#include "test_util.h"
#include "testing/random_value.h"

namespace kstream {
namespace {

namespace fs = std::filesystem;
using api::Value;

using test::ReadFile;

// Our MarshalIndent form with 4-space indentation, as kubectl's printer writes it.
// Strings never contain raw newlines, so widening each line's leading spaces is exact.
std::string WidenIndent(const std::string& two) {
  std::string out;
  size_t i = 0;
  while (i < two.size()) {
    size_t spaces = 0;
    while (i + spaces < two.size() && two[i + spaces] == ' ') ++spaces;
    out.append(spaces * 2, ' ');
    i += spaces;
    size_t nl = two.find('\n', i);
    if (nl == std::string::npos) {
      out.append(two, i, std::string::npos);
      break;
    }
    out.append(two, i, nl - i + 1);
    i = nl + 1;
  }
  return out;
}

// Splits kubectl's output (one indented object after another) into objects.
std::vector<std::string> SplitObjects(const std::string& out) {
  std::vector<std::string> objs;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find("\n}\n", start);
    if (end == std::string::npos) {
      objs.push_back(out.substr(start));
      break;
    }
    objs.push_back(out.substr(start, end + 2 - start));
    start = end + 3;
  }
  return objs;
}

class JsonKubectlOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kubectl_ = test::FindKubectl133();
    if (kubectl_.empty()) {
      if (test::OracleRequired()) FAIL() << "kubectl.1.33 not found (KSTREAM_REQUIRE_ORACLE is set)";
      GTEST_SKIP() << "kubectl.1.33 not found next to the kubectl dispatcher";
    }
  }

  // Runs kubectl on a List of `items` (already-encoded JSON objects) and returns its
  // per-object output.
  std::vector<std::string> Kubectl(const std::vector<std::string>& items) {
    std::string list = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) list += ",";
      list += items[i];
    }
    list += "]}";
    fs::path in = dir_.path() / "list.json";
    test::WriteFile(in, list);
    bool ok = false;
    std::string err;
    std::string out = test::RunKubectlLabel(kubectl_, in, "json", dir_.path(), &ok, &err);
    EXPECT_TRUE(ok) << err;
    return SplitObjects(out);
  }

  // What we expect kubectl to print for the object encoded as `text`.
  static std::string Ours(const std::string& text) {
    Value v = *api::ParseJson(text);
    Value* meta = v.Find("metadata");
    Value* labels = meta->Find("labels");
    if (labels == nullptr) labels = &meta->Set("labels", Value::EmptyObject());
    labels->Set("k", "v");
    return WidenIndent(*api::ToJson(v, encoding::json::Style::kIndent));
  }

  std::string kubectl_;
  test::TempDir dir_{"kstream-json-oracle"};
};

TEST_F(JsonKubectlOracleTest, GeneratedObjectsMatchGoByteForByte) {
  constexpr int kObjects = 3000;
  std::vector<std::string> inputs;
  for (int seed = 0; seed < kObjects; ++seed) {
    std::mt19937_64 rng(static_cast<uint64_t>(seed) + 1000000);
    Value obj = testing::RandomResource(rng, rng() % 4 == 0 ? rng() % 3000 : 0);
    // Labels must be valid for kubectl to accept the object; keep the random data in spec.
    obj.Find("metadata")->Erase("labels");
    obj.Find("metadata")->Set("name", "obj-" + std::to_string(seed));
    obj.Find("metadata")->Set("namespace", "default");
    if (seed % 3 == 0) obj.Set("floats", testing::RandomValue(rng, 0, 0));
    Value::Array floats;
    for (int i = 0; i < 8; ++i) floats.emplace_back(testing::RandomFloat(rng));
    obj.Set("numbers", Value(std::move(floats)));
    inputs.push_back(*api::ToJson(obj));
  }
  std::vector<std::string> got = Kubectl(inputs);
  ASSERT_EQ(got.size(), inputs.size());
  int identical = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string want = Ours(inputs[i]);
    if (got[i] == want) {
      ++identical;
    } else if (identical + 5 > static_cast<int>(i)) {  // report the first few
      ADD_FAILURE() << "object " << i << " differs\nkubectl:\n" << got[i] << "\nours:\n" << want;
    }
  }
  EXPECT_EQ(identical, kObjects);
}

// Input bytes our encoder never writes: lone surrogate escapes, escaped HTML characters,
// numbers in every spelling, duplicate keys.
//
// Raw invalid UTF-8 cannot be checked this way: kubectl passes every file (and stdin)
// through golang.org/x/text's UTF-8 decoder before parsing, which replaces a truncated
// sequence such as E2 80 with one U+FFFD, where encoding/json (what the API server runs
// on request bodies) replaces each bad byte (utf8.DecodeRune in decode.go's unquote).
// Those cases are unit tests of ParseJson.
TEST_F(JsonKubectlOracleTest, HandWrittenDecodingCases) {
  std::vector<std::string> inputs = {
      R"({"apiVersion":"x/v1","kind":"A","metadata":{"name":"b"},"s":"\ud800 \udc00x \ud83d\ude00 \ud800\u0041"})",
      R"({"apiVersion":"x/v1","kind":"A","metadata":{"name":"c"},"s":"\u003c\/\u0026\u2028\u2029\b\f\u0001\u007f"})",
      R"({"apiVersion":"x/v1","kind":"A","metadata":{"name":"d"},"n":[1.0,1e3,1E-7,-0,-0.0,0.000001,1e21,1e20,9223372036854775807,9223372036854775808,-9223372036854775809,18446744073709551616,1.7976931348623157e308,5e-324,2.5e-324,1e-400,0.1,123456789012345678901234567890]})",
      R"({"apiVersion":"x/v1","kind":"A","metadata":{"name":"e"},"d":{"k":1,"k":2,"a":{"x":1},"a":[true]}})",
  };
  std::vector<std::string> got = Kubectl(inputs);
  ASSERT_EQ(got.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(got[i], Ours(inputs[i])) << "case " << i;
  }
}

}  // namespace
}  // namespace kstream
