// Black-box tests of the kstream-codec command line: runs the built binary as a user would.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_util.h"

namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

using kstream::test::ReadFile;

class CodecCliTest : public ::testing::Test {
 protected:
  RunResult Run(const std::string& args, const std::string& input) {
    fs::path in = dir_.path() / "in", out = dir_.path() / "out", err = dir_.path() / "err";
    kstream::test::WriteFile(in, input);
    std::string cmd = std::string(KSTREAM_CODEC_BIN) + " " + args + " < " + in.string() + " > " +
                      out.string() + " 2> " + err.string();
    int status = std::system(cmd.c_str());
    RunResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  kstream::test::TempDir dir_{"kstream-codec-test"};
};

TEST_F(CodecCliTest, JsonToCompactJsonSortsKeysWithoutTrailingNewline) {
  RunResult r = Run("convert --from json --to json",
                    R"({"kind":"Widget","apiVersion":"example.com/v1","spec":{"b":1.0,"a":"<x>"}})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"apiVersion":"example.com/v1","kind":"Widget","spec":{"a":"\u003cx\u003e","b":1}})");
}

TEST_F(CodecCliTest, JsonToPrettyJson) {
  RunResult r = Run("convert --from=json --to=json-pretty --unstructured", R"({"b":[],"a":{"c":1}})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\n  \"a\": {\n    \"c\": 1\n  },\n  \"b\": []\n}");
}

TEST_F(CodecCliTest, YamlToJsonResolvesScalarsAsKubectlDoes) {
  RunResult r = Run("convert --from yaml --to json",
                    "kind: Widget\nspec:\n  on: yes\n  n: 012\n  s: '012'\n  f: 1.5\n  list: [a, 2]\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // YAML 1.1 (go-yaml v2): `on`/`yes` are true and `n` is false (as keys they become the
  // strings "true" and "false"), 012 is octal. Checked against kubectl 1.33 -o json.
  EXPECT_EQ(r.out, R"({"kind":"Widget","spec":{"f":1.5,"false":10,"list":["a",2],"s":"012","true":true}})");
}

TEST_F(CodecCliTest, JsonToYamlMatchesEveryUpstreamFixture) {
  int checked = 0, identical = 0;
  std::string mismatches;
  for (const char* dir : {"/fixtures/k8s-api/HEAD", "/fixtures/k8s-apiextensions/HEAD"}) {
    fs::path root = fs::path(KSTREAM_SHARED_DIR) / fs::path(dir).relative_path();
    ASSERT_TRUE(fs::exists(root)) << root;
    for (const auto& e : fs::directory_iterator(root)) {
      if (e.path().extension() != ".json") continue;
      fs::path yaml = e.path();
      yaml.replace_extension(".yaml");
      if (!fs::exists(yaml)) continue;
      ++checked;
      RunResult r = Run("convert --from json --to yaml", ReadFile(e.path()));
      if (r.exit_code == 0 && r.out == ReadFile(yaml)) {
        ++identical;
      } else {
        mismatches += " " + e.path().filename().string();
      }
    }
  }
  EXPECT_GT(checked, 190);
  EXPECT_EQ(identical, checked) << "mismatches:" << mismatches;
  RecordProperty("identical", std::to_string(identical) + "/" + std::to_string(checked));
}

TEST_F(CodecCliTest, YamlRoundTripsThroughJson) {
  std::string yaml = ReadFile(fs::path(KSTREAM_SHARED_DIR) / "fixtures/k8s-api/HEAD/core.v1.ConfigMap.yaml");
  RunResult r = Run("convert --from yaml --to yaml", yaml);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, yaml);
}

TEST_F(CodecCliTest, BadInputIsAClearErrorWithExitStatusOne) {
  RunResult r = Run("convert --from json --to json", "{\"a\":1,}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "kstream-codec: invalid JSON input: invalid character '}' looking for beginning of "
                   "object key string (at offset 7)\n");

  r = Run("convert --from yaml --to json", "a: [1, 2\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("invalid YAML input"), std::string::npos) << r.err;

  r = Run("convert --from json --to json", "[1,2]");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not an object"), std::string::npos) << r.err;

  r = Run("convert --from json --to json", "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unexpected end of JSON input"), std::string::npos) << r.err;
}

TEST_F(CodecCliTest, BadOptionsAreClearErrors) {
  RunResult r = Run("convert --from json --to xml", "{}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kstream-codec: unsupported output format \"xml\" (want json, json-pretty or yaml)\n");

  r = Run("convert --from json --to json --bogus", "{}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kstream-codec: unknown option --bogus\n");

  r = Run("convert --to json", "{}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kstream-codec: --from is required (json or yaml)\n");

  r = Run("convert --from", "{}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kstream-codec: flag --from needs a value\n");

  r = Run("frobnicate", "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown command \"frobnicate\""), std::string::npos);
}

TEST_F(CodecCliTest, HelpDescribesTheTool) {
  RunResult r = Run("help", "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("kstream-codec convert --from FORMAT --to FORMAT"), std::string::npos);
}

TEST_F(CodecCliTest, NaNCannotComeFromInputButNumbersAtTheEdgesDo) {
  RunResult r = Run("convert --from json --to json",
                    R"({"a":1e400})");
  EXPECT_EQ(r.exit_code, 1);
  r = Run("convert --from json --to json", R"({"big":9223372036854775808,"max":9223372036854775807,"tiny":1e-7,"x":1e21})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"big":9223372036854776000,"max":9223372036854775807,"tiny":1e-7,"x":1e+21})");
}

}  // namespace
