#include "server/negotiate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace kstream::server {
namespace {

constexpr std::string_view k406 =
    "only the following media types are accepted: application/json, application/yaml, "
    "application/vnd.kubernetes.protobuf";
constexpr std::string_view k406Stream =
    "only the following media types are accepted: application/json;stream=watch, "
    "application/vnd.kubernetes.protobuf;stream=watch";
constexpr std::string_view k415 =
    "the body of the request was in an unknown format - accepted media types include: application/json, "
    "application/yaml, application/vnd.kubernetes.protobuf";

const std::vector<MediaTypeInfo>& Types() { return BuiltinMediaTypes(); }

// The media type chosen for a resource endpoint with a table convertor, or the error.
std::string Chosen(std::string_view accept, ResourceEndpoint ep = {}) {
  auto r = NegotiateOutput(accept, Types(), ResourceTransformCheck(ep), "v1");
  if (!r.ok()) return "406: " + std::string(r.status().message());
  std::string out(r->media_type->media_type);
  if (r->target) out += " as " + r->target->group + "/" + r->target->version + "/" + r->target->kind;
  return out;
}

std::string ChosenStream(std::string_view accept) {
  auto r = NegotiateOutputStream(accept, Types(), ResourceTransformCheck({}), "v1");
  if (!r.ok()) return "406: " + std::string(r.status().message());
  return std::string(r->media_type->media_type);
}

TEST(NegotiateTest, BuiltinList) {
  ASSERT_EQ(Types().size(), 3u);
  EXPECT_EQ(Types()[0].media_type, "application/json");
  EXPECT_TRUE(Types()[0].streamable);
  EXPECT_TRUE(Types()[0].has_pretty);
  EXPECT_EQ(Types()[1].media_type, "application/yaml");
  EXPECT_FALSE(Types()[1].streamable);
  EXPECT_EQ(Types()[2].media_type, "application/vnd.kubernetes.protobuf");
  EXPECT_TRUE(Types()[2].streamable);
  EXPECT_FALSE(Types()[2].has_pretty);
}

TEST(NegotiateTest, PlainTypes) {
  EXPECT_EQ(Chosen(""), "application/json");
  EXPECT_EQ(Chosen("application/json"), "application/json");
  EXPECT_EQ(Chosen("application/yaml"), "application/yaml");
  EXPECT_EQ(Chosen("application/vnd.kubernetes.protobuf"), "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(Chosen("application/vnd.kubernetes.protobuf, */*"), "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(Chosen("*/*"), "application/json");
  EXPECT_EQ(Chosen("*"), "application/json");
  EXPECT_EQ(Chosen("application/*"), "application/json");
  EXPECT_EQ(Chosen("text/html, application/yaml"), "application/yaml");
}

TEST(NegotiateTest, NotAcceptable) {
  EXPECT_EQ(Chosen("text/html"), "406: " + std::string(k406));
  EXPECT_EQ(Chosen("application/JSON"), "406: " + std::string(k406));  // goautoneg is case-sensitive
  EXPECT_EQ(Chosen("application"), "406: " + std::string(k406));       // no subtype: clause dropped
  EXPECT_EQ(Chosen("application/json/x"), "406: " + std::string(k406));
  EXPECT_EQ(Chosen(","), "406: " + std::string(k406));
  // A conversion the endpoint does not allow skips the clause; nothing else: 406.
  EXPECT_EQ(Chosen("application/json;as=Foo;g=example.com;v=v1"), "406: " + std::string(k406));
  // Default restrictions allow no conversion at all.
  auto r = NegotiateOutput("application/json;as=Table;g=meta.k8s.io;v=v1", Types());
  EXPECT_EQ(r.status().message(), k406);
  EXPECT_EQ(NotAcceptableMessage(MediaTypeNames(Types(), false)), k406);
}

TEST(NegotiateTest, KubectlTableAccept) {
  constexpr std::string_view kKubectl =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
      "application/json";
  EXPECT_EQ(Chosen(kKubectl), "application/json as meta.k8s.io/v1/Table");
  EXPECT_EQ(Chosen(kKubectl, {.has_table_convertor = false}), "application/json");
  EXPECT_EQ(Chosen("application/yaml;as=Table;v=v1beta1;g=meta.k8s.io"), "application/yaml as meta.k8s.io/v1beta1/Table");
  // Never a protobuf Table.
  EXPECT_EQ(Chosen("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json"),
            "application/json");
  EXPECT_EQ(Chosen("application/json;as=Table;v=v2;g=meta.k8s.io"), "406: " + std::string(k406));
  EXPECT_EQ(Chosen("application/json;as=Table"), "406: " + std::string(k406));
  // PartialObjectMetadata in any encoding.
  EXPECT_EQ(Chosen("application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"),
            "application/vnd.kubernetes.protobuf as meta.k8s.io/v1/PartialObjectMetadataList");
}

TEST(NegotiateTest, CustomResourceEndpoint) {
  ResourceEndpoint crd{.has_table_convertor = true, .json_yaml_only = true};
  EXPECT_EQ(Chosen("application/vnd.kubernetes.protobuf", crd), "406: " + std::string(k406));
  EXPECT_EQ(Chosen("application/vnd.kubernetes.protobuf, application/json", crd), "application/json");
  EXPECT_EQ(Chosen("application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1", crd),
            "application/vnd.kubernetes.protobuf as meta.k8s.io/v1/PartialObjectMetadataList");
  // */* matches JSON first, which is allowed.
  EXPECT_EQ(Chosen("*/*", crd), "application/json");
}

TEST(NegotiateTest, QualityAndSpecificityOrder) {
  EXPECT_EQ(Chosen("application/yaml;q=0.5, application/json"), "application/json");
  EXPECT_EQ(Chosen("application/json;q=0.1, application/yaml;q=0.9"), "application/yaml");
  // Ties keep header order.
  EXPECT_EQ(Chosen("application/yaml, application/json"), "application/yaml");
  EXPECT_EQ(Chosen("application/vnd.kubernetes.protobuf;q=0.5, application/yaml;q=0.5"),
            "application/vnd.kubernetes.protobuf");
  // Concrete before wildcard at equal q.
  EXPECT_EQ(Chosen("*/*, application/yaml"), "application/yaml");
  EXPECT_EQ(Chosen("application/*, application/yaml"), "application/yaml");
  // goautoneg's comparator puts a concrete type before a wildcard whatever their q.
  EXPECT_EQ(Chosen("*/*;q=0.9, application/yaml;q=0.1"), "application/yaml");
  // q=0 is not a rejection in 1.33.
  EXPECT_EQ(Chosen("application/yaml;q=0"), "application/yaml");
}

TEST(NegotiateTest, ParseAccept) {
  auto c = ParseAccept(" application/json ; charset = utf-8 ;novalue; q=0.3 ,text/*;q=abc, bad, */*;q= 1");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].type, "application");
  EXPECT_EQ(c[0].subtype, "json");
  EXPECT_EQ(c[0].params.size(), 1u);
  EXPECT_EQ(c[0].params.at("charset"), "utf-8");
  EXPECT_EQ(c[0].q, static_cast<double>(0.3f));  // float32 precision
  EXPECT_EQ(c[1].type, "text");                   // q=abc -> 0, still before */* (specificity)
  EXPECT_EQ(c[1].q, 0);
  EXPECT_EQ(c[2].type, "*");
  EXPECT_EQ(c[2].q, 0);  // " 1" does not parse
  EXPECT_TRUE(std::isinf(ParseAccept("a/b;q=inf")[0].q));
  EXPECT_TRUE(std::isinf(ParseAccept("a/b;q=1e39")[0].q));  // float32 overflow
  EXPECT_EQ(ParseAccept("a/b;q=1e-3")[0].q, static_cast<double>(0.001f));
  EXPECT_EQ(ParseAccept("a/b;q=1;q=0.5")[0].q, static_cast<double>(0.5f));
  EXPECT_EQ(ParseAccept("a/b;x=1;x=2")[0].params.at("x"), "2");
  EXPECT_TRUE(ParseAccept("").empty());
}

TEST(NegotiateTest, Parameters) {
  auto r = NegotiateOutput("application/json;pretty=1;export=1;sv=v1;zz=1;aa=2", Types(), {}, "v1");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->pretty);
  EXPECT_TRUE(r->export_);
  EXPECT_EQ(r->server_version, "v1");
  EXPECT_EQ(r->unrecognized, (std::vector<std::string>{"aa", "zz"}));
  EXPECT_FALSE(r->target);
  // sv must be the allowed version; pretty must be exactly "1".
  EXPECT_EQ(NegotiateOutput("application/json;sv=v2", Types(), {}, "v1").status().message(), k406);
  EXPECT_EQ(NegotiateOutput("application/json;sv=v1", Types()).status().message(), k406);
  EXPECT_TRUE(NegotiateOutput("application/json;sv=", Types())->server_version.empty());
  EXPECT_FALSE(NegotiateOutput("application/json;pretty=true", Types())->pretty);
  // stream=watch is accepted by non-watch negotiation too; other schemas are not.
  EXPECT_EQ(NegotiateOutput("application/json;stream=watch", Types())->stream, "watch");
  EXPECT_EQ(NegotiateOutput("application/json;stream=other", Types()).status().message(), k406);
  EXPECT_EQ(Chosen("application/yaml;stream=watch, application/vnd.kubernetes.protobuf"),
            "application/vnd.kubernetes.protobuf");
}

TEST(NegotiateTest, WatchStreams) {
  EXPECT_EQ(ChosenStream(""), "application/json");
  EXPECT_EQ(ChosenStream("application/json"), "application/json");
  EXPECT_EQ(ChosenStream("application/vnd.kubernetes.protobuf;stream=watch"), "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(ChosenStream("application/yaml"), "406: " + std::string(k406Stream));
  // The first match wins even if it cannot stream.
  EXPECT_EQ(ChosenStream("application/yaml, application/json"), "406: " + std::string(k406Stream));
  EXPECT_EQ(ChosenStream("application/yaml;stream=watch, application/json"), "application/json");
  EXPECT_EQ(ChosenStream("text/plain"), "406: " + std::string(k406Stream));
  EXPECT_EQ(MediaTypeNames(Types(), true),
            (std::vector<std::string>{"application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"}));
}

TEST(NegotiateTest, ResponseContentType) {
  EXPECT_EQ(ResponseContentType(Types()[0], false), "application/json");
  EXPECT_EQ(ResponseContentType(Types()[0], true), "application/json");
  EXPECT_EQ(ResponseContentType(Types()[1], false), "application/yaml");
  EXPECT_EQ(ResponseContentType(Types()[2], false), "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(ResponseContentType(Types()[2], true), "application/vnd.kubernetes.protobuf;stream=watch");
}

TEST(NegotiateTest, PrettyPrint) {
  constexpr std::string_view kKubectlUa = "kubectl/v1.33.0 (linux/amd64) kubernetes/abcdef0";
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) EXPECT_TRUE(IsPrettyPrint(t, kKubectlUa)) << t;
  for (std::string_view f : {"0", "f", "false", "FALSE", "yes", "on", " true"}) {
    EXPECT_FALSE(IsPrettyPrint(f, "curl/8.5.0")) << f;  // the query value decides
  }
  EXPECT_TRUE(IsPrettyPrint("", "curl/8.5.0"));
  EXPECT_TRUE(IsPrettyPrint("", "Wget/1.21"));
  EXPECT_TRUE(IsPrettyPrint("", "Mozilla/5.0 (X11; Linux x86_64)"));
  EXPECT_FALSE(IsPrettyPrint("", "mozilla/5.0"));
  EXPECT_FALSE(IsPrettyPrint("", kKubectlUa));
  EXPECT_FALSE(IsPrettyPrint("", "OpenAPI-Generator/31.0.0/python"));
  EXPECT_FALSE(IsPrettyPrint("", ""));

  auto json = *NegotiateOutput("application/json", Types());
  auto json_pretty = *NegotiateOutput("application/json;pretty=1", Types());
  auto yaml_pretty = *NegotiateOutput("application/yaml;pretty=1", Types());
  EXPECT_FALSE(UsePrettySerializer(json, "", kKubectlUa));
  EXPECT_TRUE(UsePrettySerializer(json, "true", kKubectlUa));
  EXPECT_TRUE(UsePrettySerializer(json, "", "curl/8"));
  EXPECT_TRUE(UsePrettySerializer(json_pretty, "", kKubectlUa));
  EXPECT_TRUE(UsePrettySerializer(json_pretty, "false", kKubectlUa));  // either one suffices
  EXPECT_FALSE(UsePrettySerializer(yaml_pretty, "true", "curl/8"));    // YAML has no pretty form
}

std::string Input(std::string_view content_type, bool streaming = false) {
  auto r = NegotiateInput(content_type, Types(), streaming);
  if (!r.ok()) return "415: " + std::string(r.status().message());
  return std::string((*r)->media_type);
}

TEST(NegotiateTest, InputContentType) {
  EXPECT_EQ(Input(""), "application/json");
  EXPECT_EQ(Input("application/json"), "application/json");
  EXPECT_EQ(Input("application/json; charset=utf-8"), "application/json");
  EXPECT_EQ(Input("Application/JSON;Charset=UTF-8"), "application/json");
  EXPECT_EQ(Input("  application/yaml  "), "application/yaml");
  EXPECT_EQ(Input("application/json;"), "application/json");
  EXPECT_EQ(Input("application/json; a=1; a=1"), "application/json");
  EXPECT_EQ(Input("application/json; x=\"quoted;value\""), "application/json");
  EXPECT_EQ(Input("application/json; x=\"\""), "application/json");
  EXPECT_EQ(Input("application/vnd.kubernetes.protobuf"), "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(Input("\xc2\xa0" "application/json"), "application/json");  // unicode.IsSpace is trimmed
  EXPECT_EQ(Input("application/vnd.\xe2\x84\xaaubernetes.protobuf"), "application/vnd.kubernetes.protobuf");

  for (std::string_view bad : {"text/plain", "application/json; charset", "application/json; a=1; a=2",
                               "application/json; x=\"unterminated", "application/json;;", "application/json x",
                               "application/", "/json", "application/json/x", "application/apply-patch+yaml",
                               "json", "application/json; =x", "application/json; a=b c=d", "\x01"}) {
    EXPECT_EQ(Input(bad), "415: " + std::string(k415)) << bad;
  }
  EXPECT_EQ(Input("text/plain", true),
            "415: the body of the request was in an unknown format - accepted media types include: "
            "application/json;stream=watch, application/vnd.kubernetes.protobuf;stream=watch");
  EXPECT_EQ(UnsupportedMediaTypeMessage(MediaTypeNames(Types(), false)), k415);
}

TEST(NegotiateTest, ParseMediaTypeLikeGo) {
  std::string mt;
  std::map<std::string, std::string> params;
  ASSERT_TRUE(ParseMediaType("Text/HTML; Charset=\"utf-8\"; q=\"a\\\"b\"", &mt, &params));
  EXPECT_EQ(mt, "text/html");
  EXPECT_EQ(params.at("charset"), "utf-8");
  EXPECT_EQ(params.at("q"), "a\"b");
  ASSERT_TRUE(ParseMediaType("form-data; name=x", &mt, &params));  // a single token is a type too
  EXPECT_EQ(mt, "form-data");
  EXPECT_FALSE(ParseMediaType("", &mt, &params));
  EXPECT_FALSE(ParseMediaType("a/b; c=\"x\ny\"", &mt, &params));
}

TEST(NegotiateTest, NeverCrashesOnJunk) {
  const std::string alphabet = "a/*;=q,. \"\\0.5\t\xc2\xa0json";
  uint32_t seed = 3;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    int n = static_cast<int>(seed % 24);
    for (int j = 0; j < n; ++j) {
      seed = seed * 1103515245 + 12345;
      s.push_back(alphabet[(seed >> 16) % alphabet.size()]);
    }
    seed = seed * 1103515245 + 12345;
    (void)NegotiateOutput(s, Types(), ResourceTransformCheck({}), "v1");
    (void)NegotiateOutputStream(s, Types());
    (void)NegotiateInput(s, Types());
  }
}

}  // namespace
}  // namespace kstream::server
