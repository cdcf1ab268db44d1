#include "registry/label_selector.h"

#include <gtest/gtest.h>

#include <string>

namespace kstream::registry {
namespace {

using Op = LabelSelector::Op;

LabelSelector Parse(std::string_view s) {
  auto r = ParseLabelSelector(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().message();
  return r.ok() ? *r : LabelSelector();
}

std::string Error(std::string_view s) {
  auto r = ParseLabelSelector(s);
  EXPECT_FALSE(r.ok()) << s;
  return r.ok() ? std::string() : std::string(r.status().message());
}

typed::Map<std::string> Labels(std::initializer_list<std::pair<const std::string, std::string>> l) {
  typed::Map<std::string> m;
  for (const auto& [k, v] : l) m[k] = v;
  return m;
}

constexpr std::string_view kNameRegexErr =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
constexpr std::string_view kValueErr =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

TEST(LabelSelectorTest, EmptyMatchesEverything) {
  for (std::string_view s : {"", " ", "\t\r\n "}) {
    LabelSelector sel = Parse(s);
    EXPECT_TRUE(sel.empty());
    EXPECT_TRUE(sel.Matches(Labels({})));
    EXPECT_TRUE(sel.Matches(Labels({{"a", "b"}})));
    EXPECT_EQ(sel.String(), "");
  }
}

TEST(LabelSelectorTest, Operators) {
  struct Case {
    std::string_view in;
    Op op;
    std::string_view string;
  } cases[] = {
      {"a=b", Op::kEquals, "a=b"},           {"a==b", Op::kDoubleEquals, "a==b"},
      {"a!=b", Op::kNotEquals, "a!=b"},      {"a in (b)", Op::kIn, "a in (b)"},
      {"a notin (b)", Op::kNotIn, "a notin (b)"}, {"a", Op::kExists, "a"},
      {"!a", Op::kDoesNotExist, "!a"},       {"a>3", Op::kGreaterThan, "a>3"},
      {"a<3", Op::kLessThan, "a<3"},         {"a=", Op::kEquals, "a="},
  };
  for (const Case& c : cases) {
    LabelSelector sel = Parse(c.in);
    ASSERT_EQ(sel.requirements().size(), 1u) << c.in;
    EXPECT_EQ(sel.requirements()[0].key, "a");
    EXPECT_EQ(sel.requirements()[0].op, c.op) << c.in;
    EXPECT_EQ(sel.String(), c.string);
  }
}

TEST(LabelSelectorTest, WhitespaceAndSorting) {
  LabelSelector sel = Parse("  z notin ( x , y ) ,\tb\n=\r c , !a, m in (q,p,q) ");
  EXPECT_EQ(sel.String(), "!a,b=c,m in (p,q),z notin (x,y)");
  ASSERT_EQ(sel.requirements().size(), 4u);
  EXPECT_EQ(sel.requirements()[2].values, (std::vector<std::string>{"p", "q"}));
}

TEST(LabelSelectorTest, KubeDocExampleWithEmptyValues) {
  LabelSelector sel = Parse("x in (foo,,baz),y,z notin ()");
  EXPECT_EQ(sel.String(), "x in (,baz,foo),y,z notin ()");
  EXPECT_EQ(sel.requirements()[0].values, (std::vector<std::string>{"", "baz", "foo"}));
  EXPECT_EQ(Parse("a in (,)").requirements()[0].values, (std::vector<std::string>{""}));
  EXPECT_EQ(Parse("a in (,b)").requirements()[0].values, (std::vector<std::string>{"", "b"}));
  EXPECT_EQ(Parse("a in (b,)").requirements()[0].values, (std::vector<std::string>{"", "b"}));
}

TEST(LabelSelectorTest, KeywordsAsKeysAndValues) {
  LabelSelector sel = Parse("in in (in,notin),notin=notin");
  EXPECT_EQ(sel.String(), "in in (in,notin),notin=notin");
  EXPECT_TRUE(sel.Matches(Labels({{"in", "notin"}, {"notin", "notin"}})));
}

TEST(LabelSelectorTest, PrefixedKeys) {
  LabelSelector sel = Parse("app.kubernetes.io/name=web,example.com/x_Y.z-1");
  EXPECT_EQ(sel.String(), "app.kubernetes.io/name=web,example.com/x_Y.z-1");
  std::string k63(63, 'k');
  Parse(k63 + "=v");
  Parse(std::string(253, 'p') + "/" + k63);
  Parse("a=" + std::string(63, 'v'));
}

TEST(LabelSelectorTest, Matches) {
  auto m = Labels({{"env", "prod"}, {"tier", "web"}, {"n", "10"}, {"bad", "x1"}});
  EXPECT_TRUE(Parse("env=prod").Matches(m));
  EXPECT_TRUE(Parse("env==prod,tier=web").Matches(m));
  EXPECT_FALSE(Parse("env=dev").Matches(m));
  EXPECT_FALSE(Parse("missing=x").Matches(m));
  EXPECT_TRUE(Parse("env!=dev").Matches(m));
  EXPECT_TRUE(Parse("missing!=x").Matches(m));  // != matches a missing key
  EXPECT_FALSE(Parse("env!=prod").Matches(m));
  EXPECT_TRUE(Parse("env in (dev,prod)").Matches(m));
  EXPECT_FALSE(Parse("missing in (dev,prod)").Matches(m));
  EXPECT_FALSE(Parse("env notin (dev,prod)").Matches(m));
  EXPECT_TRUE(Parse("missing notin (dev,prod)").Matches(m));  // notin matches a missing key
  EXPECT_TRUE(Parse("env").Matches(m));
  EXPECT_FALSE(Parse("missing").Matches(m));
  EXPECT_TRUE(Parse("!missing").Matches(m));
  EXPECT_FALSE(Parse("!env").Matches(m));
  EXPECT_TRUE(Parse("n>9").Matches(m));
  EXPECT_FALSE(Parse("n>10").Matches(m));
  EXPECT_TRUE(Parse("n<11").Matches(m));
  EXPECT_FALSE(Parse("n<10").Matches(m));
  EXPECT_FALSE(Parse("bad>0").Matches(m));      // a non-integer label never matches
  EXPECT_FALSE(Parse("missing>0").Matches(m));  // nor a missing one
  EXPECT_FALSE(Parse("missing<0").Matches(m));
  EXPECT_TRUE(Parse("env=prod,n>1,!missing,tier in (web)").Matches(m));
  EXPECT_FALSE(Parse("env=prod,n>100").Matches(m));
  // An empty value matches an empty label, not a missing one.
  EXPECT_TRUE(Parse("e=").Matches(Labels({{"e", ""}})));
  EXPECT_FALSE(Parse("e=").Matches(Labels({})));
}

TEST(LabelSelectorTest, IntegerComparisons) {
  auto m = Labels({{"n", "-7"}, {"big", "9223372036854775807"}, {"over", "9223372036854775808"}, {"plus", "+3"}});
  EXPECT_TRUE(Parse("n<0").Matches(m));
  EXPECT_TRUE(Parse("big>9223372036854775806").Matches(m));
  EXPECT_FALSE(Parse("over>0").Matches(m));  // out of int64 range: not an integer
  EXPECT_TRUE(Parse("plus>2").Matches(m));   // ParseInt accepts a '+'
}

TEST(LabelSelectorTest, GenericLookup) {
  LabelSelector sel = Parse("a=1,!b");
  std::string one = "1";
  auto lookup = [&](std::string_view k) -> const std::string* { return k == "a" ? &one : nullptr; };
  EXPECT_TRUE(sel.MatchesWith(lookup));
  EXPECT_TRUE(sel.Matches(std::function<const std::string*(std::string_view)>(lookup)));
  auto with_b = [&](std::string_view k) -> const std::string* { return &one; };
  EXPECT_FALSE(sel.MatchesWith(with_b));
}

TEST(LabelSelectorTest, RequiresExactMatch) {
  std::string v;
  EXPECT_TRUE(Parse("a=b").RequiresExactMatch("a", &v));
  EXPECT_EQ(v, "b");
  EXPECT_TRUE(Parse("x=y,a==c").RequiresExactMatch("a", &v));
  EXPECT_EQ(v, "c");
  EXPECT_TRUE(Parse("a in (d)").RequiresExactMatch("a", &v));
  EXPECT_EQ(v, "d");
  EXPECT_FALSE(Parse("a in (d,e)").RequiresExactMatch("a", &v));
  EXPECT_FALSE(Parse("a!=b").RequiresExactMatch("a", &v));
  EXPECT_FALSE(Parse("a").RequiresExactMatch("a", &v));
  EXPECT_FALSE(Parse("b=c").RequiresExactMatch("a", &v));
}

TEST(LabelSelectorTest, SyntaxErrors) {
  // The texts kube-apiserver 1.33 answers with (400 BadRequest messages).
  EXPECT_EQ(Error("a in ("), "unable to parse requirement: found '', expected: ',', ')' or identifier");
  EXPECT_EQ(Error("!!"), "unable to parse requirement: found '!', expected: identifier");
  EXPECT_EQ(Error("type=app,versionv1.0.1)"),
            "unable to parse requirement: found ')', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(Error("env IN (a)"), "unable to parse requirement: found 'IN', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(Error("e!!!!!ss"), "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(Error("x ("), "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(Error("a in x"), "unable to parse requirement: found 'x' expected: '('");
  EXPECT_EQ(Error("a in (x y)"), "unable to parse requirement: found 'y', expected: ',' or ')'");
  EXPECT_EQ(Error("a in (x,=)"), "unable to parse requirement: found '=', expected: ',', or identifier");
  EXPECT_EQ(Error("a in (="), "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  EXPECT_EQ(Error("a=("), "unable to parse requirement: found '(', expected: identifier");
  EXPECT_EQ(Error("=a"), "found '=', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(Error(","), "found ',', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(Error("a,"), "found '', expected: identifier after ','");
  EXPECT_EQ(Error("a,,b"), "found ',', expected: identifier after ','");
  EXPECT_EQ(Error("a=b c"), "found 'c', expected: ',' or 'end of string'");
  EXPECT_EQ(Error("a=b)"), "found ')', expected: ',' or 'end of string'");
  EXPECT_EQ(Error("!a=b"), "found '=', expected: ',' or 'end of string'");
  EXPECT_EQ(Error("a b"), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
}

TEST(LabelSelectorTest, KeyValidationErrors) {
  EXPECT_EQ(Error("app:monolith"),
            "unable to parse requirement: <nil>: Invalid value: \"app:monolith\": name part " + std::string(kNameRegexErr));
  EXPECT_EQ(Error("*bar"), "unable to parse requirement: <nil>: Invalid value: \"*bar\": name part " +
                               std::string(kNameRegexErr));
  EXPECT_EQ(Error("app.kubernetes_io/name=vault-secrets-operator"),
            "unable to parse requirement: <nil>: Invalid value: \"app.kubernetes_io/name\": prefix part a lowercase "
            "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
            "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_EQ(Error("a/b/c ?=? def"),
            "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name " +
                std::string(kNameRegexErr) +
                " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
  EXPECT_EQ(Error("a/"), "unable to parse requirement: <nil>: Invalid value: \"a/\": name part must be non-empty; "
                         "name part " + std::string(kNameRegexErr));
  EXPECT_EQ(Error("/a"), "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must be non-empty");
  EXPECT_EQ(Error(std::string(64, 'k')), "unable to parse requirement: <nil>: Invalid value: \"" +
                                             std::string(64, 'k') + "\": name part must be no more than 63 characters");
  std::string long_prefix(254, 'p');
  EXPECT_EQ(Error(long_prefix + "/a"), "unable to parse requirement: <nil>: Invalid value: \"" + long_prefix +
                                           "/a\": prefix part must be no more than 253 characters");
  // Go's %q quoting of the bad key.
  EXPECT_EQ(Error("a\"b"), "unable to parse requirement: <nil>: Invalid value: \"a\\\"b\": name part " +
                               std::string(kNameRegexErr));
}

TEST(LabelSelectorTest, ValueValidationErrors) {
  EXPECT_EQ(Error("app=demo-{nginx}"),
            "unable to parse requirement: values[0][app]: Invalid value: \"demo-{nginx}\": " + std::string(kValueErr));
  EXPECT_EQ(Error("environment>qa"),
            "unable to parse requirement: values[0]: Invalid value: \"qa\": for 'Gt', 'Lt' operators, the value "
            "must be an integer");
  // Both checks fail: an aggregate in brackets.
  EXPECT_EQ(Error("a>x-"),
            "unable to parse requirement: [values[0]: Invalid value: \"x-\": for 'Gt', 'Lt' operators, the value "
            "must be an integer, values[0][a]: Invalid value: \"x-\": " + std::string(kValueErr) + "]");
  // -5 is an integer but not a label value.
  EXPECT_EQ(Error("a>-5"), "unable to parse requirement: values[0][a]: Invalid value: \"-5\": " + std::string(kValueErr));
  // Index into the sorted set.
  EXPECT_EQ(Error("a in (b,-c)"),
            "unable to parse requirement: values[0][a]: Invalid value: \"-c\": " + std::string(kValueErr));
  std::string v64(64, 'v');
  EXPECT_EQ(Error("a=" + v64),
            "unable to parse requirement: values[0][a]: Invalid value: \"" + v64 + "\": must be no more than 63 characters");
  std::string bad64 = "-" + std::string(63, 'v');
  EXPECT_EQ(Error("a=" + bad64), "unable to parse requirement: values[0][a]: Invalid value: \"" + bad64 +
                                     "\": must be no more than 63 characters; " + std::string(kValueErr));
}

TEST(LabelSelectorTest, NulBytesActLikeGo) {
  // A NUL inside a token ends it; the lexer goes on after it.
  EXPECT_EQ(Error(std::string_view("a=b\0junk", 8)), "found 'junk', expected: ',' or 'end of string'");
  // A NUL where a token starts is the end of the input.
  LabelSelector sel = Parse(std::string_view("a=b \0 ,junk", 11));
  EXPECT_EQ(sel.String(), "a=b");
}

TEST(LabelSelectorTest, NeverCrashesOnJunk) {
  const std::string alphabet = "a=!(),<> \tin\x01\xff/.-_";
  uint32_t seed = 1;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    int n = static_cast<int>(seed % 12);
    for (int j = 0; j < n; ++j) {
      seed = seed * 1103515245 + 12345;
      s.push_back(alphabet[(seed >> 16) % alphabet.size()]);
    }
    seed = seed * 1103515245 + 12345;
    auto r = ParseLabelSelector(s);
    if (r.ok()) {
      // Round trip: the printed form parses to the same selector.
      auto again = ParseLabelSelector(r->String());
      ASSERT_TRUE(again.ok()) << s << " -> " << r->String();
      EXPECT_EQ(again->String(), r->String());
    }
  }
}

TEST(GoQuoteTest, MatchesStrconvQuote) {
  EXPECT_EQ(GoQuote("abc"), "\"abc\"");
  EXPECT_EQ(GoQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoQuote("\n\t\r\a\b\f\v"), "\"\\n\\t\\r\\a\\b\\f\\v\"");
  EXPECT_EQ(GoQuote(std::string_view("\x00\x01\x7f", 3)), "\"\\x00\\x01\\x7f\"");
  EXPECT_EQ(GoQuote("\xff"), "\"\\xff\"");
  EXPECT_EQ(GoQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");   // printable UTF-8 verbatim
  EXPECT_EQ(GoQuote("\xc2\xa0"), "\"\\u00a0\"");           // NBSP is not printable
  EXPECT_EQ(GoQuote("\xc2\x85"), "\"\\u0085\"");           // C1 control
  EXPECT_EQ(GoQuote("\xe2\x80\x8b"), "\"\\u200b\"");       // zero-width space
  EXPECT_EQ(GoQuote("\xf3\xb0\x80\x80"), "\"\\U000f0000\"");  // private use plane
  EXPECT_EQ(GoQuote("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");  // emoji
}

}  // namespace
}  // namespace kstream::registry
