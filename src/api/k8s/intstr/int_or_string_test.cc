// IntOrString against Go: PROTOBUF-RULES.md §6 examples, intstr.go's (Un)MarshalJSON, and
// kube's typed decoder run through kubectl 1.33 (Service.spec.ports[].targetPort with
// `kubectl set selector --local`; recorded here, re-run live by kubectl_oracle_test.cc).
#include "api/k8s/intstr/int_or_string.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.h"
#include "testing/hex.h"

namespace kstream::k8s::intstr {
namespace {

using ::kstream::testing::Hex;
using ::kstream::testing::Unhex;

using encoding::json::Style;

template <class T>
std::string Json(const T& v, Style style = Style::kCompact) {
  std::string out;
  Status s = typed::EncodeJson(v, &out, style);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// Decodes `json` as the value of ServicePort.targetPort (spec.ports[0].targetPort), the
// context kubectl's errors below were recorded in.
Status DecodeAsTargetPort(std::string_view json, IntOrString* out) {
  Result<api::Value> v = api::ParseJson(json);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  typed::DecodeContext ctx;
  ctx.PushKey("spec");
  ctx.PushKey("ports");
  ctx.PushIndex(0);
  std::string_view prev = ctx.EnterStruct("ServicePort");
  ctx.PushKey("targetPort");
  Status s = DecodeJson(*v, out, ctx);
  ctx.LeaveStruct(prev);
  return s;
}

TEST(IntOrStringTest, Accessors) {
  IntOrString d;
  EXPECT_EQ(d.type(), IntOrString::Type::kInt);
  EXPECT_EQ(d.int_value(), 0);
  EXPECT_EQ(d, IntOrString::FromInt(0));
  IntOrString s = IntOrString::FromString("25%");
  EXPECT_TRUE(s.is_string());
  EXPECT_FALSE(s.is_int());
  EXPECT_EQ(s.str_value(), "25%");
  EXPECT_NE(s, IntOrString::FromString("26%"));
  EXPECT_EQ(GoTypeName(static_cast<const IntOrString*>(nullptr)), "intstr.IntOrString");
  EXPECT_EQ(typed::GoTypeName(static_cast<const typed::Ptr<IntOrString>*>(nullptr)),
            "*intstr.IntOrString");
}

TEST(IntOrStringTest, JsonEncode) {
  EXPECT_EQ(Json(IntOrString::FromInt(5)), "5");
  EXPECT_EQ(Json(IntOrString::FromInt(-5)), "-5");
  EXPECT_EQ(Json(IntOrString::FromInt(2147483647)), "2147483647");
  EXPECT_EQ(Json(IntOrString::FromString("50%")), "\"50%\"");
  EXPECT_EQ(Json(IntOrString::FromString("")), "\"\"");
  EXPECT_EQ(Json(IntOrString::FromString("<&>")), "\"\\u003c\\u0026\\u003e\"");
  // The type decides, whatever the other field holds.
  IntOrString v = IntOrString::FromString("x");
  v.set_int_value(9);
  EXPECT_EQ(Json(v), "\"x\"");
  v.set_type(IntOrString::Type::kInt);
  EXPECT_EQ(Json(v), "9");
  EXPECT_EQ(Json(typed::Slice<IntOrString>{IntOrString::FromInt(1), IntOrString::FromString("a")},
                 Style::kIndent),
            "[\n  1,\n  \"a\"\n]");
}

TEST(IntOrStringTest, JsonEncodeImpossibleType) {
  IntOrString v;
  v.set_type(static_cast<IntOrString::Type>(42));
  std::string out = "keep";
  Status s = typed::EncodeJson(v, &out);
  EXPECT_EQ(s.message(),
            "json: error calling MarshalJSON for type intstr.IntOrString: impossible "
            "IntOrString.Type");
  EXPECT_EQ(out, "keep");
}

TEST(IntOrStringTest, JsonDecode) {
  IntOrString v;
  ASSERT_TRUE(DecodeAsTargetPort("7", &v).ok());
  EXPECT_EQ(v, IntOrString::FromInt(7));
  ASSERT_TRUE(DecodeAsTargetPort("-5", &v).ok());
  EXPECT_EQ(v, IntOrString::FromInt(-5));
  ASSERT_TRUE(DecodeAsTargetPort("\"x\"", &v).ok());
  EXPECT_TRUE(v.is_string());
  EXPECT_EQ(v.str_value(), "x");
  EXPECT_EQ(v.int_value(), -5);  // Go sets only StrVal
  ASSERT_TRUE(DecodeAsTargetPort("\"\\u003c&\"", &v).ok());
  EXPECT_EQ(v.str_value(), "<&");
  ASSERT_TRUE(DecodeAsTargetPort("\"5\"", &v).ok());  // a numeric string stays a string
  EXPECT_TRUE(v.is_string());
  EXPECT_EQ(v.str_value(), "5");
  EXPECT_EQ(Json(v), "\"5\"");
  ASSERT_TRUE(DecodeAsTargetPort("2147483647", &v).ok());
  EXPECT_EQ(v.int_value(), 2147483647);
  ASSERT_TRUE(DecodeAsTargetPort("-2147483648", &v).ok());
  EXPECT_EQ(v.int_value(), -2147483648);
}

TEST(IntOrStringTest, JsonDecodeNull) {
  // encoding/json calls UnmarshalJSON("null") on a non-pointer field: the type becomes Int
  // and json.Unmarshal(null, &IntVal) leaves IntVal alone. kubectl: `"targetPort": 0`.
  IntOrString v;
  ASSERT_TRUE(DecodeAsTargetPort("null", &v).ok());
  EXPECT_EQ(Json(v), "0");
  IntOrString s = IntOrString::FromString("http");
  s.set_int_value(8080);
  ASSERT_TRUE(DecodeAsTargetPort("null", &s).ok());
  EXPECT_EQ(s.type(), IntOrString::Type::kInt);
  EXPECT_EQ(s.int_value(), 8080);
  EXPECT_EQ(s.str_value(), "http");
  // A pointer field (*IntOrString, e.g. maxSurge) is set to nil by null instead.
  typed::Ptr<IntOrString> p;
  p.emplace() = IntOrString::FromInt(3);
  typed::DecodeContext ctx;
  ASSERT_TRUE(typed::DecodeJson(api::Value(), &p, ctx).ok());
  EXPECT_FALSE(p);
}

TEST(IntOrStringTest, JsonDecodeErrorsAsGo) {
  // Recorded from kubectl 1.33 (`error: unable to decode ...: <message>`).
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"true", "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32"},
      {"1.5", "json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32"},
      {"99999999999", "json: cannot unmarshal number 99999999999 into Go struct field ServicePort.spec.ports.targetPort of type int32"},
      {"{}", "json: cannot unmarshal object into Go struct field ServicePort.spec.ports.targetPort of type int32"},
      {"[]", "json: cannot unmarshal array into Go struct field ServicePort.spec.ports.targetPort of type int32"},
  };
  for (const auto& [json, want] : cases) {
    SCOPED_TRACE(json);
    IntOrString v;
    EXPECT_EQ(DecodeAsTargetPort(json, &v).message(), want);
  }
  // Without a struct around it, Go's message names the Go value.
  IntOrString v;
  typed::DecodeContext ctx;
  EXPECT_EQ(DecodeJson(api::Value(true), &v, ctx).message(),
            "json: cannot unmarshal bool into Go value of type int32");
}

TEST(IntOrStringTest, ProtoRulesExamples) {
  EXPECT_EQ(Hex(typed::EncodeProto(IntOrString::FromInt(5))), "08 00 10 05 1a 00");
  EXPECT_EQ(Hex(typed::EncodeProto(IntOrString::FromString("50%"))), "08 01 10 00 1a 03 35 30 25");
  EXPECT_EQ(ProtoSize(IntOrString::FromString("50%")), 9u);
  // int32 is sign-extended to 64 bits.
  EXPECT_EQ(Hex(typed::EncodeProto(IntOrString::FromInt(-1))),
            "08 00 10 ff ff ff ff ff ff ff ff ff 01 1a 00");
  // All three fields always, whatever the type.
  IntOrString both = IntOrString::FromString("a");
  both.set_int_value(300);
  EXPECT_EQ(Hex(typed::EncodeProto(both)), "08 01 10 ac 02 1a 01 61");
}

TEST(IntOrStringTest, ProtoDecode) {
  IntOrString v;
  ASSERT_TRUE(DecodeProto(Unhex("08 01 10 00 1a 03 35 30 25"), &v).ok());
  EXPECT_EQ(v, IntOrString::FromString("50%"));
  ASSERT_TRUE(DecodeProto(Unhex("08 00 10 ff ff ff ff ff ff ff ff ff 01 1a 00"), &v).ok());
  EXPECT_EQ(v, IntOrString::FromInt(-1));
  // Merge semantics: absent fields keep their values; unknown fields are skipped.
  ASSERT_TRUE(DecodeProto(Unhex("10 07 22 01 78"), &v).ok());
  EXPECT_EQ(v, IntOrString::FromInt(7));
  // Any int64 type value is accepted (and then fails to encode as JSON).
  ASSERT_TRUE(DecodeProto(Unhex("08 2a"), &v).ok());
  EXPECT_EQ(static_cast<int64_t>(v.type()), 42);
  std::string out;
  EXPECT_FALSE(typed::EncodeJson(v, &out).ok());
  // Round trip.
  for (const IntOrString& x : {IntOrString::FromInt(0), IntOrString::FromInt(-2147483648),
                               IntOrString::FromString(""), IntOrString::FromString("25%")}) {
    IntOrString back;
    ASSERT_TRUE(DecodeProto(typed::EncodeProto(x), &back).ok());
    EXPECT_EQ(back, x);
  }
  EXPECT_EQ(DecodeProto(Unhex("0a 00"), &v).message(), "proto: wrong wireType = 2 for field Type");
  EXPECT_EQ(DecodeProto(Unhex("12 00"), &v).message(), "proto: wrong wireType = 2 for field IntVal");
  EXPECT_EQ(DecodeProto(Unhex("18 00"), &v).message(), "proto: wrong wireType = 0 for field StrVal");
  EXPECT_FALSE(DecodeProto(Unhex("1a 05 61"), &v).ok());
}

// The upstream fixtures: every IntOrString there decodes, re-encodes to the fixture's JSON,
// and its length-prefixed protobuf body occurs in the protobuf fixture.
TEST(IntOrStringFixtureTest, RollingUpdates) {
  auto read = [](const std::string& name) {
    std::ifstream in(std::string(KSTREAM_SHARED_DIR) + "/fixtures/k8s-api/HEAD/" + name,
                     std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  struct Case {
    const char* fixture;
    std::vector<std::string_view> path;
  };
  const Case cases[] = {
      {"apps.v1.Deployment", {"spec", "strategy", "rollingUpdate", "maxSurge"}},
      {"apps.v1.Deployment", {"spec", "strategy", "rollingUpdate", "maxUnavailable"}},
      {"apps.v1.DaemonSet", {"spec", "updateStrategy", "rollingUpdate", "maxSurge"}},
      {"apps.v1.StatefulSet", {"spec", "updateStrategy", "rollingUpdate", "maxUnavailable"}},
      {"policy.v1.PodDisruptionBudget", {"spec", "minAvailable"}},
      {"policy.v1.PodDisruptionBudget", {"spec", "maxUnavailable"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.fixture) + " " + std::string(c.path.back()));
    const api::Value obj = *api::ParseJson(read(std::string(c.fixture) + ".json"));
    const std::string pb = read(std::string(c.fixture) + ".pb");
    const api::Value* v = &obj;
    for (std::string_view key : c.path) {
      v = v->Find(key);
      ASSERT_NE(v, nullptr) << key;
    }
    IntOrString x;
    typed::DecodeContext ctx;
    ASSERT_TRUE(DecodeJson(*v, &x, ctx).ok());
    EXPECT_EQ(Json(x), *api::ToJson(*v));
    std::string body = typed::EncodeProto(x);
    std::string prefixed;
    encoding::protobuf::AppendVarint(&prefixed, body.size());
    prefixed += body;
    EXPECT_NE(pb.find(prefixed), std::string::npos) << Hex(body);
  }
}

}  // namespace
}  // namespace kstream::k8s::intstr
