// Black-box tests of the kstream-codec command line: runs the built binary as a user would.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "api/json.h"
#include "test_util.h"

namespace kstream {
namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

using test::ReadFile;

class CodecCliTest : public ::testing::Test {
 protected:
  RunResult Run(const std::string& args, const std::string& input) {
    fs::path in = dir_.path() / "in", out = dir_.path() / "out", err = dir_.path() / "err";
    test::WriteFile(in, input);
    std::string cmd = std::string(KSTREAM_CODEC_BIN) + " " + args + " < " + in.string() + " > " +
                      out.string() + " 2> " + err.string();
    int status = std::system(cmd.c_str());
    RunResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  test::TempDir dir_{"kstream-codec-test"};
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
  EXPECT_EQ(r.err, "kstream-codec: unsupported output format \"xml\" (want json, json-pretty, yaml or protobuf)\n");

  r = Run("convert --from json --to json --bogus", "{}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kstream-codec: unknown option --bogus\n");

  r = Run("convert --to json", "{}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kstream-codec: --from is required (json, yaml or protobuf)\n");

  r = Run("convert --from", "{}");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kstream-codec: flag --from needs a value\n");

  r = Run("frobnicate", "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown command \"frobnicate\""), std::string::npos);
}

TEST_F(CodecCliTest, BuiltInKindsAreTypedAndConvertToProtobufLikeTheFixtures) {
  int checked = 0;
  for (const char* name : {"core.v1.Pod", "apps.v1.Deployment", "core.v1.ConfigMap", "batch.v1.Job"}) {
    fs::path base = fs::path(KSTREAM_SHARED_DIR) / "fixtures/k8s-api/HEAD" / name;
    std::string json = ReadFile(base.string() + ".json");
    std::string pb = ReadFile(base.string() + ".pb");
    RunResult r = Run("convert --from json --to protobuf", json);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out, pb) << name;
    r = Run("convert --from protobuf --to json-pretty", pb);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out, json) << name;
    r = Run("convert --from protobuf --to yaml", pb);
    EXPECT_EQ(r.out, ReadFile(base.string() + ".yaml")) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST_F(CodecCliTest, TypedDecodingUsesStructOrderAndDropsUnknownFields) {
  RunResult r = Run("convert --from yaml --to json",
                    "apiVersion: v1\nkind: ConfigMap\ndata: {b: \"2\", a: \"1\"}\nbogus: 1\nmetadata: {name: x}\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"},"data":{"a":"1","b":"2"}})");
  // The same object unstructured keeps everything, keys sorted.
  r = Run("convert --from yaml --to json --unstructured",
          "apiVersion: v1\nkind: ConfigMap\ndata: {b: \"2\", a: \"1\"}\nbogus: 1\nmetadata: {name: x}\n");
  EXPECT_EQ(r.out, R"({"apiVersion":"v1","bogus":1,"data":{"a":"1","b":"2"},"kind":"ConfigMap","metadata":{"name":"x"}})");
  // A typed field of the wrong type is kube's error.
  r = Run("convert --from json --to json", R"({"apiVersion":"v1","kind":"ConfigMap","data":[1]})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kstream-codec: ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: "
                   "cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string\n");
}

TEST_F(CodecCliTest, StrictRejectsUnknownAndDuplicateFieldsAsKubeDoes) {
  const std::string cm =
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","name":"y","nam":1},"data":{"a":"1"}})";
  // Without --strict: the last duplicate wins and unknown fields are dropped.
  RunResult r = Run("convert --from json --to json", cm);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"y"},"data":{"a":"1"}})");
  r = Run("convert --from json --to json --strict", cm);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "kstream-codec: ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict "
                   "decoding error: unknown field \"metadata.nam\", duplicate field \"metadata.name\"\n");
  // YAML input: unknown fields (duplicate YAML keys are the YAML parser's business).
  r = Run("convert --from yaml --to json --strict", "apiVersion: v1\nkind: Secret\nstringdata: {a: b}\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("strict decoding error: unknown field \"stringdata\""), std::string::npos) << r.err;
  // Unstructured objects have no unknown fields, but duplicates still count.
  r = Run("convert --from json --to json --strict", R"({"apiVersion":"x.io/v1","kind":"W","a":1,"a":2})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "kstream-codec: strict decoding error: duplicate field \"a\"\n");
  // A clean object passes.
  r = Run("convert --from json --to json --strict", R"({"apiVersion":"v1","kind":"ConfigMap","data":{"a":"1"}})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CodecCliTest, CustomResourcesHaveNoProtobuf) {
  RunResult r = Run("convert --from json --to protobuf", R"({"apiVersion":"example.com/v1","kind":"Widget"})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("custom resources have no protobuf encoding"), std::string::npos) << r.err;
  r = Run("convert --from protobuf --to json", "not protobuf");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("expected prefix"), std::string::npos) << r.err;
}

TEST_F(CodecCliTest, ListStreamingAndBufferedOutputsAreIdentical) {
  std::string pod = ReadFile(fs::path(KSTREAM_SHARED_DIR) / "fixtures/k8s-api/HEAD/core.v1.Pod.json");
  std::string stream;
  for (int i = 0; i < 40; ++i) stream += (i ? "---\n" : "") + pod + "\n";  // ~0.5 MB of Pods (compact JSON)
  for (const char* to : {"json", "json-pretty", "protobuf"}) {
    RunResult streamed = Run(std::string("list --to ") + to, stream);
    RunResult buffered = Run(std::string("list --buffered --to ") + to, stream);
    EXPECT_EQ(streamed.exit_code, 0) << to << ": " << streamed.err;
    EXPECT_EQ(buffered.exit_code, 0) << to << ": " << buffered.err;
    EXPECT_GT(streamed.out.size(), 500000u) << to;
    EXPECT_EQ(streamed.out, buffered.out) << to;
  }
  // The JSON list is a PodList of 40 items without kind/apiVersion of their own.
  RunResult r = Run("list --to json", stream);
  auto list = api::ParseJson(r.out);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->Find("kind")->as_string(), "PodList");
  EXPECT_EQ(list->Find("items")->as_array().size(), 40u);
  EXPECT_EQ(list->Find("items")->as_array()[0].Find("kind"), nullptr);
  // Its protobuf form decodes as a PodList.
  RunResult pb = Run("list --to protobuf", stream);
  RunResult back = Run("convert --from protobuf --to json", pb.out);
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(back.out + "\n", r.out);
}

TEST_F(CodecCliTest, ListOfCustomResourcesIsUnstructured) {
  RunResult r = Run("list --to json",
                    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: a}\n---\n"
                    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: b}\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"apiVersion":"v1","items":[{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a"}},)"
                   R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"b"}}],"kind":"List","metadata":{}})"
                   "\n");
  r = Run("list --to protobuf", "apiVersion: example.com/v1\nkind: Widget\n");
  EXPECT_EQ(r.exit_code, 1);
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
}  // namespace kstream
