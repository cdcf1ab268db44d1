// go-yaml v2 as the oracle: kubectl 1.33 (a Go program using sigs.k8s.io/yaml v1.4.0,
// i.e. go-yaml v2.4) prints objects with `-o yaml` exactly as kube-apiserver writes
// application/yaml (JSONToYAML(json.Marshal(obj))), and reads YAML files exactly as the
// apiserver reads YAML bodies (YAMLToJSON, then unstructured JSON decoding).
//
// Output direction: thousands of generated objects full of YAML-tricky strings, keys and
// numbers go through `kubectl label --local -f list.json k=v -o yaml`; each printed object
// must equal our AppendYaml of the same object (plus the label) byte for byte.
// Input direction: our YAML for those objects, plus hand-written YAML covering go-yaml's
// resolution table, tags, anchors and merge keys, goes through
// `kubectl label --local -f docs.yaml k=v -o json`; ParseYaml of each document (plus the
// label) must equal ParseJson of kubectl's JSON (same values, same int/float typing).
//
// `kubectl label --local` runs offline. Skipped when kubectl.1.33 is not installed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/yaml.h"
#include "encoding/yaml/key_order.h"
#include "test_util.h"

namespace kstream {
namespace {

namespace fs = std::filesystem;
using api::Member;
using api::Value;

using test::FindKubectl133;
using test::RunKubectlLabel;
using test::ReadFile;
using test::TempDir;
using test::WriteFile;

// ---------------------------------------------------------------------------------------
// Generator of YAML-tricky objects (fixed seeds).

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Below(v.size())]; }

  // Strings every go-yaml rule cares about. `key` excludes U+0085 (which makes
  // JSONToYAML fail in keys) and bounds the length (keys over 1022 JSON characters fail).
  std::string String(bool key) {
    switch (Below(8)) {
      case 0: case 1: return Pick(Specials());
      case 2: return Soup(key, 1 + Below(12));
      case 3: return LongText(key);
      case 4: {
        std::string s;
        size_t n = 1 + Below(key ? 150 : 300);
        for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + Below(26)));
        return s;
      }
      case 5: return Lines(key);
      case 6: return NumberLike();
      default: return Soup(key, 1 + Below(4));
    }
  }

  // Never "<<": written plain, it reads back as a merge key (a Go behaviour covered by
  // unit tests) and would make the read-back run fail.
  std::string Key() {
    if (Chance(0.3)) return Pick(NaturalKeys());
    std::string k = String(true);
    return k == "<<" ? "<<<" : k;
  }

  Value Scalar() {
    switch (Below(10)) {
      case 0: return Value();
      case 1: return Value(Chance(0.5));
      case 2: case 3: return Value(Int());
      case 4: case 5: case 6: return Value(Float());
      default: return Value(String(false));
    }
  }

  Value Any(int depth) {
    if (depth >= 5) return Scalar();
    size_t r = Below(10);
    if (r < 3) return Map(depth + 1, Below(7));
    if (r < 5) {
      Value::Array items;
      size_t n = Below(5);
      for (size_t i = 0; i < n; ++i) items.push_back(Any(depth + 1));
      return Value(std::move(items));
    }
    return Scalar();
  }

  Value Map(int depth, size_t n) {
    std::vector<Member> members;
    for (size_t i = 0; i < n; ++i) members.push_back(Member{Key(), Any(depth)});
    return members.empty() ? Value::EmptyObject() : Value::FromMembers(std::move(members));
  }

  int64_t Int() {
    static const std::vector<int64_t> kInts = {0, 1, -1, 7, 10, 100, 1000000, 2147483647,
                                               -2147483648LL, 4294967296LL,
                                               std::numeric_limits<int64_t>::max(),
                                               std::numeric_limits<int64_t>::min(),
                                               std::numeric_limits<int64_t>::max() - 1,
                                               std::numeric_limits<int64_t>::min() + 1};
    if (Chance(0.5)) return Pick(kInts);
    return static_cast<int64_t>(rng_()) >> Below(63);
  }

  double Float() {
    static const std::vector<double> kFloats = {
        0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e6, 1e20, 1e21, 1e22, 1e100, -1e21,
        9223372036854775808.0, -9223372036854775808.0, 9223372036854774784.0,
        18446744073709551616.0, 18446744073709549568.0, 12345678901234567890.0,
        1e-6, 1e-7, 1.5e-7, 0.0001, 0.00001, 5e-324, 2.2250738585072014e-308,
        1.7976931348623157e308, 123456.789, 1234567.5, 100000.5, 999999.5, 0.1, 0.2, 0.3,
        3.141592653589793, 2.718281828459045, 1.0000000000000002, 4503599627370496.5,
        9007199254740993.0, 1e15, 1e16, 1e17, 123e-20};
    if (Chance(0.4)) return Pick(kFloats);
    double mant = std::uniform_real_distribution<double>(1, 10)(rng_);
    int exp = static_cast<int>(Below(80)) - 40;
    double v = mant * std::pow(10.0, exp);
    if (Chance(0.3)) v = std::round(v);
    if (Chance(0.2)) v = std::ldexp(1.0, static_cast<int>(Below(70)));
    return Chance(0.5) ? -v : v;
  }

 private:
  static const std::vector<std::string>& Specials() {
    static const std::vector<std::string> k = {
        "", " ", "  ", "\t", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE",
        "false", "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON",
        "off", "Off", "OFF", "yES", "oN", ".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan",
        ".NaN", ".NAN", ".iNf", "inf", "nan", "NaN", "Infinity", "<<", "=", "-", "--", "---",
        "----", "--- a", "...", "... a", "?", "? a", "?a", ":", ": a", ":a", "a:", "a:b", "a: b",
        "a :b", "a #b", "a#b", "#a", "# a", "!a", "! a", "&a", "*a", "|", "|a", ">", ">a", "'a",
        "a'b", "''", "\"a", "a\"b", "%a", "@a", "`a", ",a", "a,b", "[a", "a[b", "]", "{a",
        "a}", "{}", "[]", "- a", "-a", "-", "a -", "a - b", "0", "1", "-1", "+1", "01", "08",
        "0o17", "0x1F", "0X1f", "0b101", "0B101", "-0b11", "0x", "0b", "1_000", "_1", "1_",
        "1e3", "1E3", "1e+3", "1e-3", "1.5", ".5", "5.", "+.5", "-.5", ".", "1e400", "-1e400",
        "1e-400", "1.5e", "1__0", "0755", "-0", "-0.0", "+0", "1:20", "1:20:30.5", "-1:20",
        "190:20:30", "1:60", "1:5x", "12:30", "1:2:3:4", "1.2.3", "1,000", "2001-12-14",
        "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.10Z", "2001-12-14 21:59:43.10",
        "2001-12-14  21:59:43", "2001-12-14T21:59:43+25:00", "2001-12-14T21:59:43+24:60",
        "2008-02-29", "2009-02-29", "2008-13-01", "2008-1-1", "2008-01-01T01:01:01Z",
        "2008-01-01T24:00:00Z", "2008-01-01 1:1:1", "20080101", "1234-", "0000-01-01",
        "2001-12-14T21:59:43.123456789012Z", "2001-12-14T21:59:43,5Z", "a\\b", "\\",
        "a\"b'c", "\x01", "a\x1f" "b", "\x1b[0m", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac",
        "\xf0\x9f\x98\x80", "a\xc2\xa0" "b", "\xc2\xa0", "a\xe2\x80\xa8" "b", "\xe2\x80\xa9",
        "\xef\xbb\xbf", "\xef\xbb\xbf" "a b", "a\xef\xbb\xbf", "\xe2\x80\x8b", "\xef\xbf\xbd",
        "<script>", "a&b", "a<b>", "\r", "a\rb", "\r\n", "a\r\nb", "\n", "\n\n", "a\n",
        "a\n\n", "\na", "\n\na", " \n", "\n ", "a \nb", "a\n b", " a\nb", "a\nb ", "\ta\nb",
        "a\n\tb", "a\n\n\nb", "\xc3\xa9\n\xc3\xa9", "a\n---\nb", "a\n...\nb", "- a\n- b",
        "k: v\nk2: v2", "#!\n", "a\x7f" /* unwritable: the object is skipped */};
    return k;
  }

  static const std::vector<std::string>& NaturalKeys() {
    static const std::vector<std::string> k = {
        "a", "b", "B", "A", "_", "_a", "a_", "a1", "a2", "a10", "a01", "a001", "a0", "a00",
        "a9", "a19", "a1a", "a1_", "a_1", "1", "2", "10", "9", "09", "0", "00", "1a", "x.y",
        "x-y", "x/y", "x y", "x:y", "xY", "xy", "x0y", "x00y", "x10y", "x9y", "\xc3\xa9",
        "e", "f", "z", "\xe6\x97\xa5", "\xd9\xa3", "a\xd9\xa3", "a12345678901234567890",
        "a12345678901234567891", "a99999999999999999999", "apiVersion2", "kind10", "kind9"};
    return k;
  }

  std::string Soup(bool key, size_t tokens) {
    static const std::vector<std::string> kPieces = {
        "a", "b", "Z", "word", "x1", "0", "7", " ", " ", "  ", ":", ": ", " :", "#", " #", "-",
        "- ", "?", ",", "'", "\"", "\\", "[", "]", "{", "}", "&", "*", "!", "|", ">", "%", "@",
        "`", "\n", "\n", "\t", "\r", "\x01", "\x1f", "\xc3\xa9", "\xe6\x97\xa5",
        "\xf0\x9f\x98\x80", "\xc2\xa0", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf",
        "\xc2\x85", "---", "...", "~", "<", ">", "&", ".", "_", "=", "+", "/", "true", "1e3",
        "\xef\xbf\xbd"};
    std::string s;
    for (size_t i = 0; i < tokens; ++i) {
      const std::string& p = Pick(kPieces);
      if (key && p == "\xc2\x85") continue;
      s += p;
    }
    return s;
  }

  std::string LongText(bool key) {
    static const std::vector<std::string> kWords = {
        "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "a", "I", "x", "1", "22",
        "supercalifragilisticexpialidocious-and-then-some-more", "caf\xc3\xa9",
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "\xf0\x9f\x98\x80", "tab\tbed", "quote\"d",
        "it's", "back\\slash", "colon:", "hash#", "-", "--", "#", ":"};
    std::string s;
    if (Chance(0.15)) s += " ";
    if (Chance(0.1)) s += "- ";
    if (Chance(0.1)) s += "'";
    size_t target = key ? 40 + Below(100) : 60 + Below(400);
    while (s.size() < target) {
      s += Pick(kWords);
      size_t sep = Below(20);
      if (sep == 0) {
        s += "  ";
      } else if (sep == 1 && !key) {
        s += "\n";
      } else if (sep == 2) {
        s += ": ";
      } else if (sep == 3 && !key) {
        s += " \n";
      } else if (sep == 4) {
        s += "   ";
      } else {
        s += " ";
      }
    }
    if (Chance(0.1)) s += " ";
    if (Chance(0.1) && !key) s += "\n";
    return s;
  }

  std::string Lines(bool key) {
    static const std::vector<std::string> kParts = {"a", "bb", " ", "  x", "\n", "\n", "\n\n",
                                                    "\t", "#", "- ", "\xc3\xa9", "\xe2\x80\xa8"};
    std::string s;
    size_t n = 1 + Below(8);
    for (size_t i = 0; i < n; ++i) s += Pick(kParts);
    if (key && s.size() > 100) s.resize(100);
    return s;
  }

  std::string NumberLike() {
    static const std::string kChars = "0123456789+-._eExXoObB:";
    std::string s;
    size_t n = 1 + Below(8);
    for (size_t i = 0; i < n; ++i) {
      s.push_back(Chance(0.6) ? static_cast<char>('0' + Below(10)) : kChars[Below(kChars.size())]);
    }
    return s;
  }

  std::mt19937_64 rng_;
};

Value MakeObject(Gen& g, size_t index) {
  std::vector<Member> meta = {Member{"name", Value("o" + std::to_string(index))}};
  std::vector<Member> top = {
      Member{"apiVersion", Value("example.com/v1")},
      Member{"kind", Value("Foo")},
      Member{"metadata", Value::FromMembers(std::move(meta))},
      Member{"spec", g.Map(1, 1 + g.Below(10))},
  };
  if (g.Chance(0.3)) top.push_back(Member{"data", g.Any(1)});
  return Value::FromMembers(std::move(top));
}

// kubectl adds the label k=v; so do we.
Value WithLabel(Value v) {
  Value* meta = v.Find("metadata");
  if (meta != nullptr && meta->is_object()) {
    Value labels = Value::EmptyObject();
    labels.Set("k", Value("v"));
    meta->Set("labels", std::move(labels));
  }
  return v;
}

// Removes strings that JSONToYAML rejects (DEL, C1 controls, U+FFFE/U+FFFF) from the
// generator's output (they fail the whole kubectl run; unit tests cover them).
bool Representable(const Value& v) {
  std::string out;
  return api::AppendYaml(v, &out).ok();
}

// Whether go-yaml's key order is well defined for every map in `v`. Its comparator is not
// transitive for some mixes of digits, letters and other characters ("8+" < "0755" <
// "0\xc3\xa9" < "8+"); Go then sorts keys that start in random map iteration order, so
// kubectl's output varies from run to run and no byte comparison is meaningful.
bool KeyOrderIsDeterministic(const Value& v) {
  if (v.is_array()) {
    for (const Value& e : v.as_array()) {
      if (!KeyOrderIsDeterministic(e)) return false;
    }
    return true;
  }
  if (!v.is_object()) return true;
  std::vector<std::string_view> keys;
  for (const Member& m : v.as_object()) {
    keys.push_back(m.key);
    if (!KeyOrderIsDeterministic(m.value)) return false;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = 0; j < keys.size(); ++j) {
      for (size_t k = 0; k < keys.size(); ++k) {
        if (encoding::yaml::KeyLess(keys[i], keys[j]) && encoding::yaml::KeyLess(keys[j], keys[k]) &&
            !encoding::yaml::KeyLess(keys[i], keys[k])) {
          return false;
        }
      }
    }
  }
  return true;
}

// Splits kubectl's YAML output (objects printed one after another, each starting with its
// top-level `apiVersion:` key at column 0) into objects. A document that ends in a literal
// block whose last line break is U+2028 or U+2029 has no final "\n" (go-yaml's column is
// 0 after any line break), so the next object may follow one of those too.
std::vector<std::string> SplitYamlObjects(const std::string& out) {
  std::vector<std::string> objs;
  size_t start = 0;
  size_t from = 1;
  while (start < out.size()) {
    size_t next = out.find("apiVersion: ", from);
    while (next != std::string::npos) {
      bool after_newline = out[next - 1] == '\n';
      bool after_ls_ps = next >= 3 && out.compare(next - 3, 2, "\xe2\x80") == 0 &&
                         (out[next - 1] == '\xa8' || out[next - 1] == '\xa9');
      if (after_newline || after_ls_ps) break;
      next = out.find("apiVersion: ", next + 1);
    }
    if (next == std::string::npos) {
      objs.push_back(out.substr(start));
      break;
    }
    objs.push_back(out.substr(start, next - start));
    start = next;
    from = next + 1;
  }
  return objs;
}

// Splits kubectl's indented JSON output into objects.
std::vector<std::string> SplitJsonObjects(const std::string& out) {
  std::vector<std::string> objs;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find("\n}\n", start);
    if (end == std::string::npos) {
      if (out.find_first_not_of(" \n", start) != std::string::npos) objs.push_back(out.substr(start));
      break;
    }
    objs.push_back(out.substr(start, end + 3 - start));
    start = end + 3;
  }
  return objs;
}

std::string Json(const Value& v) {
  std::string s;
  EXPECT_TRUE(api::AppendJson(v, &s).ok());
  return s;
}

// Hand-written YAML documents for the input direction: go-yaml's resolution table, tags,
// anchors, aliases and merge keys, key conversion, block scalars and flow styles.
std::vector<std::string> HandWrittenDocs() {
  std::vector<std::string> docs;
  auto wrap = [](const std::string& name, const std::string& body) {
    return "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: " + name + "\n" + body;
  };
  const std::vector<std::string> scalars = {
      "~", "null", "Null", "NULL", "nULL", "", "y", "Y", "yes", "Yes", "YES", "n", "N", "no",
      "No", "NO", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "on", "On", "ON",
      "off", "Off", "OFF", "0", "-0", "+0", "1", "+1", "-1", "007", "08", "0755", "-0755",
      "0o17", "0O17", "0x1F", "0X1f", "-0x1F", "0b101", "-0b101", "0B11", "1_000", "1__0_",
      "1e3", "1E3", "1e+3", "-1e-3", "1.0", "1.5", "-1.5", ".5", "-.5", "+.5", "5.", "1.e2",
      "1e400", "1e-400", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
      "18446744073709551616", "99999999999999999999999", "1e21", "1e20",
      "123456789012345678901234567890.5", "0.1", "3.14159265358979323846", "1:20",
      "190:20:30.15", "2001-12-14", "2001-12-14T21:59:43.10Z", "2001-12-14 21:59:43.10",
      "2001-12-14t21:59:43.10-05:00", "2002-02-30", "12:30:45", "0x", "0b", "0o", "0xG",
      "+", ".", "._5", ".5_0", "1_000.5", "0x_1F", "1e3_0", "'quoted'", "\"1\"", "\"true\"", "'~'", "\"\"", "''", "!!str 1", "!!str true",
      "!!str ~", "!!int 12", "!!int \"12\"", "!!int 0x1F", "!!float 1", "!!float \"2\"",
      "!!float 1.5", "!!bool yes", "!!bool \"false\"", "!!null ~", "!!null \"\"",
      "!!timestamp 2001-12-14", "!!binary aGVsbG8=", "!!binary \"/w==\"", "!foo bar",
      "! 12", "! true", "!<!> x", "!!map x", "<<", "!<tag:yaml.org,2002:int> 7", "a b  c", "a\t b"};
  {
    std::string body = "spec:\n";
    for (size_t i = 0; i < scalars.size(); ++i) {
      body += "  v" + std::to_string(i) + ": " + scalars[i] + "\n";
    }
    body += "  list:\n";
    for (const std::string& s : scalars) body += "  - " + s + "\n";
    docs.push_back(wrap("scalars", body));
  }
  docs.push_back(wrap("keys",
                      "spec:\n  keys:\n    1: int\n    0x10: hex\n    1.5: float\n    2.0: two\n"
                      "    1e3: exp\n    0.1: tenth\n    123456789.0: big\n    1.0000001: f32\n"
                      "    12345678.5: f32b\n    .inf: inf\n    -.inf: ninf\n"
                      "    .nan: nan\n    true: t\n    no: n\n    2001-12-14: ts\n"
                      "    '3': quoted three\n    !!str 4: tagged\n    !!binary aGk=: bin\n"
                      "    9223372036854775807: max\n    -9223372036854775808: min\n"
                      "    -0: negzero\n    -0.0: negzerof\n"));
  docs.push_back(wrap("merge",
                      "spec:\n  base: &base {a: 1, b: 2}\n  other: &other {b: 3, c: 4}\n"
                      "  m1:\n    <<: *base\n    c: 5\n  m2:\n    a: 0\n    <<: *base\n"
                      "  m3:\n    <<: [*other, *base]\n    d: 6\n  m4:\n    <<: {x: 1}\n"
                      "  m5: !!merge {}\n  m6:\n    !!merge <<: *base\n  m7:\n    \"<<\": *base\n"
                      "  m8:\n    <<: [{p: 1}, {p: 2, q: 3}]\n    <<: {q: 9}\n"
                      "  seq: &s [1, 2, *base]\n  again: *s\n  str: &str hello\n  strs: [*str, *str]\n"
                      "  nested:\n    <<: {inner: {<<: *base, z: 1}}\n"));
  docs.push_back(wrap("blocks",
                      "spec:\n  lit: |\n    line1\n    line2\n  litkeep: |+\n    a\n\n  litstrip: |-\n"
                      "    a\n  folded: >\n    a\n    b\n\n    c\n  foldedstrip: >-\n    x y\n"
                      "     indented\n    z\n  indent: |2\n      two extra\n    base\n"
                      "  dq: \"a\\tb\\n\\u00e9\\U0001F600\\x41\\\\\\\"\"\n  sq: 'it''s'\n"
                      "  multi: this is\n    a plain\n\n    multiline scalar\n"
                      "  flow: {a: [1, 2, {b: c}], 'd': \"e\", f: }\n  empty: {}\n  emptyl: []\n"
                      "  ? complex key\n  : value\n  dup: 1\n  dup: 2\n"));
  docs.push_back("---\n" + wrap("explicit-start", "spec: {a: 1}\n") + "...\n");
  docs.push_back(wrap("comments", "# comment\nspec: # trailing\n  a: 1 # one\n  b: '#not'\n"));
  return docs;
}

class YamlKubectlOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    kubectl_ = FindKubectl133();
    if (kubectl_.empty()) {
      if (test::OracleRequired()) FAIL() << "kubectl.1.33 not found (KSTREAM_REQUIRE_ORACLE is set)";
      GTEST_SKIP() << "kubectl.1.33 not found next to the kubectl dispatcher";
    }
    ASSERT_FALSE(dir_.path().empty());
  }
  std::string kubectl_;
  TempDir dir_;
};

TEST_F(YamlKubectlOracle, GeneratedObjectsPrintLikeKubectlAndReadBack) {
  // KS_YAML_ORACLE_BATCHES=N runs more batches (other seeds) when hunting for rare cases.
  size_t kBatches = 6;
  if (const char* env = std::getenv("KS_YAML_ORACLE_BATCHES")) kBatches = std::strtoul(env, nullptr, 10);
  constexpr size_t kPerBatch = 1000;
  size_t compared = 0, read_back = 0, ambiguous = 0;
  for (size_t batch = 0; batch < kBatches; ++batch) {
    Gen g(0x5eed0000 + batch);
    std::vector<Value> objs;
    while (objs.size() < kPerBatch) {
      Value v = MakeObject(g, batch * kPerBatch + objs.size());
      if (Representable(v)) objs.push_back(std::move(v));
    }
    // Output direction.
    std::string list = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[";
    for (size_t i = 0; i < objs.size(); ++i) {
      if (i > 0) list += ",";
      list += Json(objs[i]);
    }
    list += "]}";
    fs::path list_file = dir_.path() / "list.json";
    WriteFile(list_file, list);
    bool ok;
    std::string err;
    std::string out = RunKubectlLabel(kubectl_, list_file, "yaml", dir_.path(), &ok, &err);
    ASSERT_TRUE(ok) << "kubectl failed: " << err;
    std::vector<std::string> printed = SplitYamlObjects(out);
    ASSERT_EQ(printed.size(), objs.size());
    std::string docs;
    std::vector<Value> ours;
    for (size_t i = 0; i < objs.size(); ++i) {
      Value labeled = WithLabel(objs[i]);
      std::string yaml;
      ASSERT_TRUE(api::AppendYaml(labeled, &yaml).ok());
      if (KeyOrderIsDeterministic(labeled)) {
        EXPECT_EQ(yaml, printed[i]) << "object " << i << " of batch " << batch << ", JSON: "
                                    << Json(objs[i]);
        ++compared;
      } else {
        ++ambiguous;
      }
      // A document ending in a U+2028/U+2029 line break has no final "\n"; the separator
      // must start a line of its own.
      if (!docs.empty() && docs.back() != '\n') docs += "\n";
      docs += "---\n" + yaml;
      ours.push_back(std::move(labeled));
    }
    // Input direction: kubectl reads our YAML; ParseYaml must agree with it.
    fs::path docs_file = dir_.path() / "docs.yaml";
    WriteFile(docs_file, docs);
    std::string json_out = RunKubectlLabel(kubectl_, docs_file, "json", dir_.path(), &ok, &err);
    ASSERT_TRUE(ok) << "kubectl failed: " << err;
    std::vector<std::string> read = SplitJsonObjects(json_out);
    ASSERT_EQ(read.size(), objs.size());
    auto parsed = api::ParseYamlDocuments(docs);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ASSERT_EQ(parsed->size(), objs.size());
    for (size_t i = 0; i < objs.size(); ++i) {
      auto want = api::ParseJson(read[i]);
      ASSERT_TRUE(want.ok()) << want.status().ToString();
      // Labeling an object that already has the label changes nothing.
      EXPECT_EQ(Json((*parsed)[i]), Json(*want)) << "document " << i << " of batch " << batch;
      ++read_back;
    }
  }
  std::printf("[ oracle   ] %zu objects printed as kubectl prints them (%zu more with a "
              "nondeterministic Go key order not compared), %zu read back as kubectl reads them\n",
              compared, ambiguous, read_back);
}

TEST_F(YamlKubectlOracle, HandWrittenYamlReadsLikeKubectl) {
  std::vector<std::string> docs = HandWrittenDocs();
  std::string stream;
  for (const std::string& d : docs) stream += (d.rfind("---", 0) == 0 ? "" : "---\n") + d;
  fs::path file = dir_.path() / "hand.yaml";
  WriteFile(file, stream);
  bool ok;
  std::string err;
  std::string out = RunKubectlLabel(kubectl_, file, "json", dir_.path(), &ok, &err);
  ASSERT_TRUE(ok) << "kubectl failed: " << err;
  std::vector<std::string> read = SplitJsonObjects(out);
  ASSERT_EQ(read.size(), docs.size());
  auto parsed = api::ParseYamlDocuments(stream);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    auto want = api::ParseJson(read[i]);
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(Json(WithLabel((*parsed)[i])), Json(*want)) << docs[i];
  }
  // And printing each of them matches kubectl's YAML.
  std::string yaml_out = RunKubectlLabel(kubectl_, file, "yaml", dir_.path(), &ok, &err);
  ASSERT_TRUE(ok) << err;
  std::vector<std::string> printed = SplitYamlObjects(yaml_out);
  ASSERT_EQ(printed.size(), docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    std::string yaml;
    ASSERT_TRUE(api::AppendYaml(WithLabel((*parsed)[i]), &yaml).ok());
    EXPECT_EQ(yaml, printed[i]);
  }
}

// Objects that JSONToYAML (and so kube-apiserver's YAML encoder and kubectl -o yaml)
// cannot write: both sides must fail.
TEST_F(YamlKubectlOracle, UnwritableObjectsFailLikeKubectl) {
  const std::vector<std::string> specs = {
      R"({"s":"a\u007fb"})", R"({"s":"a\u0080b"})", R"({"s":"\u009f"})", R"({"s":"\ufffe"})",
      R"({"s":"\uffff"})", R"({"a\u0085b":1})", R"({"s":"a\u0085--- b"})",
      R"({")" + std::string(1023, 'k') + R"(":1})",
      R"({")" + std::string(1017, 'k') + R"(<":1})",
  };
  for (const std::string& spec : specs) {
    std::string obj = R"({"apiVersion":"example.com/v1","kind":"Foo","metadata":{"name":"x"},"spec":)" +
                      spec + "}";
    fs::path file = dir_.path() / "bad.json";
    WriteFile(file, obj);
    bool ok;
    std::string err;
    RunKubectlLabel(kubectl_, file, "yaml", dir_.path(), &ok, &err);
    EXPECT_FALSE(ok) << spec;
    auto v = api::ParseJson(obj);
    ASSERT_TRUE(v.ok());
    std::string yaml;
    EXPECT_FALSE(api::AppendYaml(*v, &yaml).ok()) << spec;
  }
  // Just inside the limits: both succeed and agree.
  const std::vector<std::string> fine = {
      R"({")" + std::string(1022, 'k') + R"(":1})",
      R"({")" + std::string(1016, 'k') + R"(<":1})",
      R"({"s":"a\u0085---b"})",
      R"({"s":"a \u0085 \u0085\u0085 b\u0085"})",
  };
  for (const std::string& spec : fine) {
    std::string obj = R"({"apiVersion":"example.com/v1","kind":"Foo","metadata":{"name":"x"},"spec":)" +
                      spec + "}";
    fs::path file = dir_.path() / "fine.json";
    WriteFile(file, obj);
    bool ok;
    std::string err;
    std::string out = RunKubectlLabel(kubectl_, file, "yaml", dir_.path(), &ok, &err);
    ASSERT_TRUE(ok) << spec << ": " << err;
    auto v = api::ParseJson(obj);
    ASSERT_TRUE(v.ok());
    std::string yaml;
    ASSERT_TRUE(api::AppendYaml(WithLabel(*v), &yaml).ok()) << spec;
    EXPECT_EQ(yaml, out) << spec;
  }
}

// kubectl's document splitting: separator lines with comments, CRLF, empty and null
// documents, text after a `...` end marker (ignored), an explicit `---` start.
TEST_F(YamlKubectlOracle, StreamSplitsLikeKubectl) {
  const std::string head = "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: ";
  std::string stream = "# leading comment\n" + head + "a\n...\n@@@ ignored: [\n--- # c\n---\n~\n---\n\n" +
                       "---\r\napiVersion: example.com/v1\r\nkind: Foo\r\nmetadata:\r\n  name: b\r\n" +
                       "spec: \"x\r\n  y\"\r\n---   \n" + head + "c\nspec: |\n  ---x\n  ... y\n";
  fs::path file = dir_.path() / "stream.yaml";
  WriteFile(file, stream);
  bool ok;
  std::string err;
  std::string out = RunKubectlLabel(kubectl_, file, "json", dir_.path(), &ok, &err);
  ASSERT_TRUE(ok) << err;
  std::vector<std::string> read = SplitJsonObjects(out);
  auto parsed = api::ParseYamlDocuments(stream);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), read.size());
  ASSERT_EQ(read.size(), 3u);
  for (size_t i = 0; i < read.size(); ++i) {
    auto want = api::ParseJson(read[i]);
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(Json(WithLabel((*parsed)[i])), Json(*want));
  }
  WriteFile(file, head + "a\n--- 3\n" + head + "b\n");
  RunKubectlLabel(kubectl_, file, "json", dir_.path(), &ok, &err);
  EXPECT_FALSE(ok);
  EXPECT_FALSE(api::ParseYamlDocuments(head + "a\n--- 3\n" + head + "b\n").ok());
}

// YAML that YAMLToJSON (and so kubectl and kube-apiserver) rejects: ParseYaml must fail.
TEST_F(YamlKubectlOracle, UnreadableYamlFailsLikeKubectl) {
  const std::vector<std::string> bodies = {
      "spec: .inf\n", "spec: -.Inf\n", "spec: .nan\n", "spec: [1, .NaN]\n",
      "spec:\n  ~: null key\n", "spec:\n  null: null key\n",
      "spec:\n  18446744073709551615: uint64 key\n", "spec:\n  ? [a]\n  : seq key\n",
      "spec:\n  ? {a: 1}\n  : map key\n", "spec: !!int abc\n", "spec: !!float yes\n",
      "spec: !!bool 1\n", "spec: !!null x\n", "spec: !!binary '@@'\n",
      "spec: !!float 18446744073709551615\n", "spec:\n  <<: 1\n", "spec:\n  <<: [1]\n",
      "spec: *unknown\n", "spec: &a [*a]\n", "spec: -\n", "spec:\n\t- a\n",
      "spec: {a: 1\n", "spec: a: b\n", "spec: 'unterminated\n", "spec: \"\\ud800\"\n",
      "spec: \"\\q\"\n", "spec: @x\n", "spec: `x\n",
      "spec:\n  a: 1\n b: 2\n", "spec: [a, b\n",
  };
  for (const std::string& body : bodies) {
    std::string doc = "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: x\n" + body;
    fs::path file = dir_.path() / "bad.yaml";
    WriteFile(file, doc);
    bool ok;
    std::string err;
    std::string out = RunKubectlLabel(kubectl_, file, "json", dir_.path(), &ok, &err);
    auto parsed = api::ParseYaml(doc);
    if (ok) {
      // Accepted by Go: then it must be accepted by us with the same result.
      ASSERT_TRUE(parsed.ok()) << body << ": " << parsed.status().ToString();
      auto want = api::ParseJson(out);
      ASSERT_TRUE(want.ok());
      EXPECT_EQ(Json(WithLabel(*parsed)), Json(*want)) << body;
      ADD_FAILURE() << "kubectl accepted " << body << " (update the list)";
    } else {
      EXPECT_FALSE(parsed.ok()) << body << " kubectl: " << err;
      if (!parsed.ok()) {
        EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << body;
      }
    }
  }
}

}  // namespace
}  // namespace kstream
