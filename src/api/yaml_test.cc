#include "api/yaml.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "api/json.h"
#include "encoding/yaml/emitter.h"

namespace kstream::api {

// Readable failure messages: Values print as their JSON.
void PrintTo(const Value& v, std::ostream* os) {
  std::string s;
  if (AppendJson(v, &s).ok()) {
    *os << s;
  } else {
    *os << "<unprintable Value>";
  }
}

namespace {

namespace fs = std::filesystem;

std::string Yaml(const Value& v) {
  std::string out;
  Status st = AppendYaml(v, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

Value J(std::string_view json) {
  auto v = ParseJson(json);
  EXPECT_TRUE(v.ok()) << json << ": " << v.status().ToString();
  return v.ok() ? *v : Value();
}

Value Y(std::string_view yaml) {
  auto v = ParseYaml(yaml);
  EXPECT_TRUE(v.ok()) << yaml << ": " << v.status().ToString();
  return v.ok() ? *v : Value();
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---------------------------------------------------------------------------------------
// Output

struct Golden {
  const char* spec_json;
  const char* yaml;
};
const Golden kGolden[] = {
#include "api/yaml_golden_test.inc"
};

TEST(AppendYaml, MatchesKubectlGoldens) {
  for (const Golden& g : kGolden) {
    Value obj = Value::EmptyObject();
    obj.Set("spec", J(g.spec_json));
    EXPECT_EQ(Yaml(obj), g.yaml) << g.spec_json;
  }
}

TEST(AppendYaml, NumbersAreReresolvedFromGoJsonText) {
  struct Case {
    Value v;
    const char* yaml;
  };
  const Case cases[] = {
      {Value(int64_t{0}), "0\n"},
      {Value(std::numeric_limits<int64_t>::min()), "-9223372036854775808\n"},
      {Value(std::numeric_limits<int64_t>::max()), "9223372036854775807\n"},
      {Value(1.0), "1\n"},
      {Value(-0.0), "0\n"},
      {Value(1.5), "1.5\n"},
      {Value(1e6), "1000000\n"},
      {Value(1234567.5), "1.2345675e+06\n"},
      {Value(1e20), "1e+20\n"},
      {Value(1e21), "1e+21\n"},
      {Value(1.5e-7), "1.5e-07\n"},
      {Value(0.0001), "0.0001\n"},
      {Value(0.00001), "1e-05\n"},
      {Value(4611686018427387904.0), "4611686018427388000\n"},    // 2^62: int64 from shortest digits
      {Value(9223372036854775808.0), "9223372036854776000\n"},    // 2^63: uint64
      {Value(-9223372036854775808.0), "-9.223372036854776e+18\n"},  // -2^63: below int64 in text
      {Value(18446744073709551616.0), "1.8446744073709552e+19\n"},  // 2^64: float
      {Value(5e-324), "5e-324\n"},
  };
  for (const Case& c : cases) EXPECT_EQ(Yaml(c.v), c.yaml) << c.yaml;
}

TEST(AppendYaml, KeysInGoYamlNaturalOrder) {
  Value v = J(R"({"a10":1,"a2":2,"a1":3,"b":4,"B":5,"_":6,"10":7,"9":8})");
  EXPECT_EQ(Yaml(v), "_: 6\n\"9\": 8\n\"10\": 7\nB: 5\na1: 3\na2: 2\na10: 1\nb: 4\n");
}

TEST(AppendYaml, InvalidUtf8IsReplacedAsJsonDoes) {
  Value v = Value::EmptyObject();
  v.Set("k\xff", Value("v\xfe"));
  EXPECT_EQ(Yaml(v), "k\xef\xbf\xbd: v\xef\xbf\xbd\n");
  // Two keys that read back equal: the later one (bytewise) wins, as go-yaml keeps the
  // last duplicate of the JSON text.
  v.Set("k\xfe", Value("second"));
  EXPECT_EQ(Yaml(v), "k\xef\xbf\xbd: v\xef\xbf\xbd\n");
  v = Value::EmptyObject();
  v.Set("k\xfe", Value("first"));
  v.Set("k\xff", Value("second"));
  EXPECT_EQ(Yaml(v), "k\xef\xbf\xbd: second\n");
}

TEST(AppendYaml, UnrepresentableValuesFailAndLeaveOutputAlone) {
  const Value bad[] = {
      Value(std::nan("")),
      Value(std::numeric_limits<double>::infinity()),
      J(R"({"s":"a\u007fb"})"),
      J(R"({"s":["\u0080"]})"),
      J(R"({"s":"\uffff"})"),
      J(R"({"a\u0085b":1})"),
      J(R"({")" + std::string(1023, 'k') + R"(":1})"),
  };
  for (const Value& v : bad) {
    std::string out = "prefix";
    Status st = AppendYaml(v, &out);
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.code(), StatusCode::kOutOfRange) << st.ToString();
    EXPECT_EQ(out, "prefix");
  }
}

TEST(AppendYaml, DeepNestingUpToTheJsonLimit) {
  auto wrap = [](Value inner) {
    Value::Array a;
    a.push_back(std::move(inner));  // (an initializer list would copy)
    return Value(std::move(a));
  };
  Value v("x");
  for (int i = 0; i < kMaxJsonDepth; ++i) {
    if (i % 2 == 0) {
      v = wrap(std::move(v));
    } else {
      Value o = Value::EmptyObject();
      o.Set("k", std::move(v));
      v = std::move(o);
    }
  }
  std::string out;
  ASSERT_TRUE(AppendYaml(v, &out).ok());
  EXPECT_EQ(out.substr(0, 10), "k:\n- k:\n  ");
  auto back = ParseYaml(out);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  std::string again;
  ASSERT_TRUE(AppendYaml(*back, &again).ok());
  EXPECT_EQ(again, out);
  Value deeper = wrap(std::move(v));
  out.clear();
  Status st = AppendYaml(deeper, &out);
  EXPECT_EQ(st.code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(out.empty());
}

TEST(AppendYaml, MergeKeyStringIsWrittenPlainAndReadsBackAsAMerge) {
  // go-yaml writes the string "<<" unquoted; reading that back is a merge, so the
  // document no longer means the same (or fails) -- as in Go.
  std::string yaml = Yaml(J(R"({"<<":1})"));
  EXPECT_EQ(yaml, "<<: 1\n");
  auto back = ParseYaml(yaml);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("map merge requires map"), std::string::npos);
  EXPECT_EQ(Y(Yaml(J(R"({"<<":{"a":1},"b":2})"))), J(R"({"a":1,"b":2})"));
}

TEST(AppendYaml, NelFoldsAsGoYamlReadsTheJson) {
  EXPECT_EQ(Yaml(J(R"({"s":"a\u0085b","t":"a\u0085\u0085b"})")), "s: a b\nt: |-\n  a\n  b\n");
}

// The collection layer writes a List item by item: EmitYamlNode per item between
// BeginSequence and EndSequence, into fresh buffers, gives the same bytes as AppendYaml of
// the whole List.
TEST(EmitYamlNode, StreamsListItems) {
  Value list = J(R"({"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"7"},"items":[
      {"kind":"Foo","metadata":{"name":"a"},"data":{"x":"1\n\n"}},
      {"kind":"Foo","metadata":{"name":"b"},"data":{"long":")" + std::string(200, 'z') + R"("}},
      {"kind":"Foo","metadata":{"name":"c"},"data":[[1,2],{}]}]})");
  std::string whole = Yaml(list);

  std::vector<std::string> chunks(1);
  encoding::yaml::Emitter e(&chunks.back());
  e.BeginMapping(false);
  e.String("apiVersion");
  e.String("v1");
  e.String("items");
  const auto& items = list.Find("items")->as_array();
  e.BeginSequence(items.empty());
  for (const Value& item : items) {
    chunks.emplace_back();
    e.set_output(&chunks.back());
    ASSERT_TRUE(EmitYamlNode(item, &e).ok());
  }
  chunks.emplace_back();
  e.set_output(&chunks.back());
  e.EndSequence();
  e.String("kind");
  e.String("List");
  e.String("metadata");
  ASSERT_TRUE(EmitYamlNode(*list.Find("metadata"), &e).ok());
  e.EndMapping();
  e.EndDocument();
  std::string joined;
  for (const std::string& c : chunks) joined += c;
  EXPECT_EQ(joined, whole);
  EXPECT_EQ(chunks[1].substr(0, 3), "\n- ");
}

// ---------------------------------------------------------------------------------------
// Fixtures: the upstream round-trip fixtures' YAML is JSONToYAML of their JSON.

TEST(YamlFixtures, BothDirections) {
  size_t total = 0, out_ok = 0, in_ok = 0;
  for (const char* dir : {"fixtures/k8s-api/HEAD", "fixtures/k8s-apiextensions/HEAD"}) {
    fs::path d = fs::path(KSTREAM_SHARED_DIR) / dir;
    if (!fs::exists(d)) continue;
    for (const auto& entry : fs::directory_iterator(d)) {
      if (entry.path().extension() != ".json") continue;
      fs::path yaml_path = entry.path();
      yaml_path.replace_extension(".yaml");
      if (!fs::exists(yaml_path)) continue;
      ++total;
      std::string json = ReadFile(entry.path()), want = ReadFile(yaml_path);
      auto v = ParseJson(json);
      ASSERT_TRUE(v.ok()) << entry.path();
      std::string got;
      Status st = AppendYaml(*v, &got);
      EXPECT_TRUE(st.ok()) << entry.path() << ": " << st.ToString();
      EXPECT_EQ(got, want) << entry.path();
      out_ok += st.ok() && got == want;
      // Reading the YAML gives the same object. (The fixtures have no float that is an
      // integer, the one case where YAML turns a JSON float into an int.)
      auto back = ParseYaml(want);
      ASSERT_TRUE(back.ok()) << yaml_path << ": " << back.status().ToString();
      EXPECT_EQ(*back, *v) << yaml_path;
      in_ok += *back == *v;
    }
  }
  std::printf("[ fixtures ] JSON->YAML %zu/%zu byte-identical, YAML->Value %zu/%zu equal\n", out_ok,
              total, in_ok, total);
  EXPECT_GT(total, 150u);
}

// ---------------------------------------------------------------------------------------
// Input

TEST(ParseYaml, ResolutionTable) {
  struct Case {
    const char* yaml;
    const char* json;  // expected value (ParseJson: 1 is int64, 1.0 float64)
  };
  const Case cases[] = {
      {"~", "null"}, {"null", "null"}, {"Null", "null"}, {"NULL", "null"}, {"", "null"},
      {"nULL", "\"nULL\""}, {"y", "true"}, {"Y", "true"}, {"yes", "true"}, {"Yes", "true"},
      {"YES", "true"}, {"true", "true"}, {"True", "true"}, {"TRUE", "true"}, {"on", "true"},
      {"On", "true"}, {"ON", "true"}, {"n", "false"}, {"N", "false"}, {"no", "false"},
      {"No", "false"}, {"NO", "false"}, {"false", "false"}, {"False", "false"}, {"FALSE", "false"},
      {"off", "false"}, {"Off", "false"}, {"OFF", "false"}, {"yES", "\"yES\""}, {"tRUE", "\"tRUE\""},
      {"0", "0"}, {"-0", "0"}, {"+1", "1"}, {"0755", "493"}, {"0o17", "15"}, {"0x1F", "31"},
      {"-0x1F", "-31"}, {"0b101", "5"}, {"1_000", "1000"}, {"08", "8"}, {"1e3", "1000"},
      {"1.0", "1"}, {"-0.0", "0"}, {"1.5", "1.5"}, {".5", "0.5"}, {"-.5", "-0.5"}, {"5.", "5"},
      {"1e21", "1e21"}, {"1e-400", "0"}, {"1e400", "\"1e400\""},
      {"9223372036854775807", "9223372036854775807"},
      {"9223372036854775808", "9223372036854775808.0"},   // uint64 -> JSON -> float64
      {"18446744073709551615", "18446744073709551615.0"},
      {"18446744073709551616", "18446744073709551616.0"},
      {"4611686018427387904.0", "4611686018427388000"},  // float -> shortest JSON digits -> int64
      {"-9223372036854775808.0", "-9223372036854775808.0"},
      {"1:20", "\"1:20\""}, {"2001-12-14", "\"2001-12-14\""},
      {"2001-12-14T21:59:43.10Z", "\"2001-12-14T21:59:43.10Z\""}, {"<<", "\"<<\""},
      {"'1'", "\"1\""}, {"\"true\"", "\"true\""}, {"''", "\"\""}, {"'~'", "\"~\""},
      {"!!str 1", "\"1\""}, {"!!str", "\"\""}, {"!!int \"12\"", "12"}, {"!!float 1", "1"},
      {"!!float 1.5", "1.5"}, {"!!bool yes", "true"}, {"!!null ~", "null"},
      {"!!timestamp 2001-12-14", "\"2001-12-14\""}, {"!!binary aGVsbG8=", "\"hello\""},
      {"!!binary /w==", "\"\\ufffd\""}, {"!foo bar", "\"bar\""}, {"! 12", "\"12\""},
      {"!!map x", "\"x\""}, {"!<tag:yaml.org,2002:int> 7", "7"}, {"a b  c", "\"a b  c\""},
      {"\"\\t\\u00e9\\U0001F600\\x41\"", "\"\\t\xc3\xa9\xf0\x9f\x98\x80" "A\""},
  };
  for (const Case& c : cases) {
    std::string doc = std::string("v: ") + c.yaml + "\n";
    auto got = ParseYaml(doc);
    ASSERT_TRUE(got.ok()) << doc << got.status().ToString();
    Value want = Value::EmptyObject();
    want.Set("v", J(c.json));
    EXPECT_EQ(*got, want) << doc;
  }
}

TEST(ParseYaml, KeysBecomeStrings) {
  Value got = Y("1: int\n0x10: hex\n1.5: float\n2.0: two\n1e3: exp\n0.1: tenth\n123456789.0: f32\n"
                "1e100: inf32\n.nan: nan\n-.inf: ninf\ntrue: t\nno: f\n2001-12-14: ts\n!!binary aGk=: bin\n"
                "-0: z\n-0.0: nz\n");
  EXPECT_EQ(got, J(R"({"1":"int","16":"hex","1.5":"float","2":"two","1000":"exp","0.1":"tenth",
                      "1.2345679e+08":"f32",".inf":"inf32",".nan":"nan","-.inf":"ninf","true":"t",
                      "false":"f","2001-12-14":"ts","hi":"bin","0":"z","-0":"nz"})"));
  for (const char* bad : {"~: x\n", "null: x\n", "18446744073709551615: x\n", "? [a]\n: x\n",
                          "? {a: 1}\n: x\n", "&k [a]: x\n"}) {
    EXPECT_FALSE(ParseYaml(bad).ok()) << bad;
  }
}

TEST(ParseYaml, AnchorsAliasesAndMerges) {
  EXPECT_EQ(Y("a: &x [1, {b: 2}]\nc: *x\n"), J(R"({"a":[1,{"b":2}],"c":[1,{"b":2}]})"));
  EXPECT_EQ(Y("base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  c: 3\n"),
            J(R"({"base":{"a":1,"b":2},"m":{"a":1,"b":2,"c":3}})"));
  // go-yaml v2: a merge overwrites keys set before it, later keys overwrite the merge.
  EXPECT_EQ(*Y("b: &b {a: 1}\nm:\n  a: 0\n  <<: *b\n").Find("m"), J(R"({"a":1})"));
  EXPECT_EQ(*Y("b: &b {a: 1}\nm:\n  <<: *b\n  a: 0\n").Find("m"), J(R"({"a":0})"));
  // A sequence of maps: earlier ones win.
  EXPECT_EQ(*Y("m:\n  <<: [{x: 1}, {x: 2, z: 3}]\n").Find("m"), J(R"({"x":1,"z":3})"));
  EXPECT_EQ(*Y("m:\n  <<: {y: 1}\n").Find("m"), J(R"({"true":1})"));  // y is YAML 1.1 true
  EXPECT_EQ(*Y("o: &o {x: 9}\nm:\n  <<: [*o, {x: 2}]\n").Find("m"), J(R"({"x":9})"));
  EXPECT_EQ(*Y("m:\n  !!merge <<: {x: 1}\n").Find("m"), J(R"({"x":1})"));
  EXPECT_EQ(*Y("m:\n  \"<<\": {x: 1}\n").Find("m"), J(R"({"<<":{"x":1}})"));  // quoted: a key
  EXPECT_EQ(*Y("m:\n  <<: {x: 1, <<: {z: 2}}\n").Find("m"), J(R"({"x":1,"z":2})"));
  EXPECT_EQ(Y("dup: 1\ndup: 2\n"), J(R"({"dup":2})"));
  for (const char* bad : {"m:\n  <<: 1\n", "m:\n  <<: [1]\n", "s: &s [1]\nm:\n  <<: *s\n",
                          "m:\n  <<: ~\n", "a: *nope\n", "a: &a [*a]\n", "a: &a {b: *a}\n"}) {
    EXPECT_FALSE(ParseYaml(bad).ok()) << bad;
  }
}

TEST(ParseYaml, NonFiniteFloatsFailUnlessReplaced) {
  for (const char* bad : {"a: .inf\n", "a: -.Inf\n", "a: .nan\n", "a: [.NaN]\n", "a: !!float .inf\n"}) {
    auto r = ParseYaml(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("json: unsupported value"), std::string::npos);
  }
  // json.Marshal never sees a NaN that a later duplicate key replaced.
  EXPECT_EQ(Y("a: .nan\na: 1\n"), J(R"({"a":1})"));
}

TEST(ParseYaml, BlockAndFlowStyles) {
  EXPECT_EQ(Y("lit: |\n  a\n  b\nkeep: |+\n  a\n\nstrip: |-\n  a\nfold: >\n  a\n  b\n\n  c\n"
              "flow: {a: [1, 2], 'b': \"c\", d: }\n? complex\n: v\nsq: 'it''s'\nplain: a\n  b\n"),
            J(R"({"lit":"a\nb\n","keep":"a\n\n","strip":"a","fold":"a b\nc\n","flow":{"a":[1,2],"b":"c","d":null},
                 "complex":"v","sq":"it's","plain":"a b"})"));
}

TEST(ParseYaml, Documents) {
  EXPECT_EQ(Y(""), Value());
  EXPECT_EQ(Y("# only a comment\n"), Value());
  EXPECT_EQ(Y("---\n---\n...\n"), Value());
  EXPECT_EQ(Y("---\na: 1\n...\n---\n"), J(R"({"a":1})"));
  auto two = ParseYaml("a: 1\n---\nb: 2\n");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("expected one document"), std::string::npos);

  auto docs = ParseYamlDocuments("---\na: 1\n---\n---\n~\n---\n# c\n--- # comment\n- x\n---\r\n3\r\n");
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[0], J(R"({"a":1})"));
  EXPECT_EQ((*docs)[1], J(R"(["x"])"));
  EXPECT_EQ((*docs)[2], J("3"));
  // kubectl's splitter: only spaces or a comment may follow "---" on its line...
  auto bad = ParseYamlDocuments("a: 1\n--- 3\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "yaml: line 2: invalid Yaml document separator: 3");
  EXPECT_FALSE(ParseYamlDocuments("---foo\n").ok());
  // ... and each chunk is read by go-yaml's Unmarshal, which stops after its first
  // document: whatever follows "..." in the same chunk is ignored, even garbage.
  docs = ParseYamlDocuments("a: 1\n...\nb: 2\n...\n@@@: [\n---\nc: 3\n");
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1], J(R"({"c":3})"));
  // Errors report lines of the whole stream.
  auto err = ParseYamlDocuments("a: 1\n---\nb: 2\nc: d: e\n");
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.status().message().find("line 4, column 5"), std::string::npos) << err.status().message();
  // Anchors do not cross documents.
  EXPECT_FALSE(ParseYamlDocuments("a: &x 1\n---\nb: *x\n").ok());
  auto empty = ParseYamlDocuments("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParseYaml, SyntaxErrorsCarryLibyamlMessageAndPosition) {
  struct Case {
    const char* yaml;
    const char* message;
  };
  const Case cases[] = {
      {"a: b: c\n", "yaml: line 1, column 5: mapping values are not allowed in this context"},
      {"a:\n  - b\n c: d\n", "yaml: line 3, column 2: did not find expected key (while parsing a block mapping at line 1, column 1)"},
      {"a: [1, 2\n", "did not find expected ',' or ']'"},
      {"a: 'x\n", "found unexpected end of stream"},
      {"a: \"\\q\"\n", "found unknown escape character"},
      {"\ta: 1\n", "found character that cannot start any token"},
      {"a: \xff\n", "invalid leading UTF-8 octet (at byte offset 3"},
      {"a: \x01\n", "control characters are not allowed"},
      {"a: -\n", "block sequence entries are not allowed in this context"},
  };
  for (const Case& c : cases) {
    auto r = ParseYaml(c.yaml);
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.yaml << " -> " << r.status().message();
  }
  auto r = ParseYaml("a: !!int abc\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "yaml: line 1, column 4: cannot decode !!str `abc` as a !!int");
  r = ParseYaml("a:\n  b: *nope\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "yaml: line 2, column 6: unknown anchor 'nope' referenced");
}

TEST(ParseYaml, HostileInputsFailCleanly) {
  // Nesting: 10000 levels are fine, 10001 are not (Go's JSON limit); far deeper input
  // stops at the limit instead of recursing.
  std::string ok_deep = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(ParseYaml(ok_deep).ok());
  std::string too_deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  auto r = ParseYaml(too_deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exceeded max depth"), std::string::npos);
  EXPECT_FALSE(ParseYaml(std::string(1000000, '[')).ok());
  std::string block_deep;
  for (int i = 0; i < 20000; ++i) block_deep += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  EXPECT_FALSE(ParseYaml(block_deep).ok());

  // Billion laughs: go-yaml's alias ratio limit stops it after ~1000 decodes.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c, ++prev) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", " : "") + "*" + prev;
    bomb += "]\n";
  }
  r = ParseYaml(bomb);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("excessive aliasing"), std::string::npos);

  // Few aliases of a big node: within go-yaml's ratio, stopped by the expansion budget.
  std::string big = "s: &s \"" + std::string(1 << 20, 'x') + "\"\nl:\n";
  for (int i = 0; i < 100; ++i) big += "- *s\n";
  for (int i = 0; i < 2000; ++i) big += "- " + std::to_string(i) + "\n";
  r = ParseYaml(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("through aliases"), std::string::npos);

  // Moderate legitimate aliasing is fine.
  std::string fine = "s: &s {a: 1, b: [1, 2, 3]}\nl:\n";
  for (int i = 0; i < 50; ++i) fine += "- *s\n";
  EXPECT_TRUE(ParseYaml(fine).ok());

  // Garbage never crashes.
  const std::string junk[] = {"{", "}", "[", "]", ":", "? ", "- - -", "&", "*", "!", "|", ">",
                              "%YAML 1.1\n%YAML 1.1\n---\n", "!<", "\"\\", "'", "---\n...\n...",
                              std::string("a: \0b", 5), "\xef\xbb\xbf" "a: 1", "\xff\xfe" "a\0:\0"};
  for (const std::string& j : junk) (void)ParseYaml(j);
}

TEST(ParseYaml, RoundTripsAppendYaml) {
  Value v = J(R"({"s":["", " ", "a: b", "true", "1e3", "2001-12-14", "x\ny\n", " lead\n", "\u00e9\u65e5",
                  "\t", "\ud83d\ude00", "\u2028", "a \nb", "#", "- x", "'q'"],
                  "n":[0, -1, 1.5, 1e-7, 1e21, 9223372036854775807, -9223372036854775808],
                  "m":{"a10":{}, "a2":[], "z":null, "t":true},
                  ")" + std::string(130, 'k') + R"(":{"deep":[[["x"]]]}})");
  EXPECT_EQ(Y(Yaml(v)), v);
}

}  // namespace
}  // namespace kstream::api
