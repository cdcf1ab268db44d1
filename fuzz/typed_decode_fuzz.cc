// Fuzz target: decoding hostile bytes as built-in kinds never crashes, and whatever
// decodes re-encodes stably.
//
// Input layout: [kind byte][mode byte] then the payload. The kind byte picks one of the
// Scheme's kinds; the mode byte picks protobuf (the payload is the message body, wrapped
// in the k8s\0 envelope here) or JSON (the payload is parsed, then decoded typed).
//
// Properties, for every input that decodes:
//   - encoding to protobuf succeeds; JSON compact and indented succeed or fail together,
//     cleanly (Go cannot write everything protobuf can carry: NaN from a double,
//     RawExtension bytes that are not JSON); YAML fails only where JSONToYAML does;
//   - protobuf is a fixed point after one round: decode(encode(x)) encodes to the same bytes;
//   - JSON is a fixed point after one round: decode(json(x)) writes the same JSON.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "encoding/protobuf/wire.h"
#include "fuzz_input.h"

namespace {

namespace typed = kstream::typed;

void Check(bool ok, const char* what, const typed::KindEntry& k) {
  if (!ok) {
    fprintf(stderr, "typed_decode_fuzz: %s/%s: %s\n", k.api_version().c_str(), std::string(k.kind).c_str(),
            what);
    abort();
  }
}

void CheckStable(typed::Object& obj) {
  const typed::KindEntry& k = obj.kind();
  std::string json;
  kstream::Status js = typed::AppendObjectJson(obj, &json);
  if (js.ok()) {
    std::string indented, yaml;
    Check(typed::AppendObjectJson(obj, &indented, kstream::encoding::json::Style::kIndent).ok(),
          "indented JSON failed where compact JSON worked", k);
    // YAML may fail where JSON works, as JSONToYAML does in Go (go-yaml rejects DEL and C1
    // controls in the JSON text, and long or multi-line keys): with go-yaml's message.
    kstream::Status ys = typed::AppendObjectYaml(obj, &yaml);
    Check(ys.ok() || ys.message().starts_with("yaml: "), "YAML failed without go-yaml's reason", k);
    auto v = kstream::api::ParseJson(json);
    Check(v.ok(), "our JSON does not parse", k);
    auto again = typed::DecodeObjectAs(k, *v);
    Check(again.ok(), "our JSON does not decode", k);
    std::string json2;
    Check(typed::AppendObjectJson(**again, &json2).ok(), "re-encoding JSON failed", k);
    auto v2 = kstream::api::ParseJson(json2);
    auto third = typed::DecodeObjectAs(k, *v2);
    Check(third.ok(), "second JSON round does not decode", k);
    std::string json3;
    Check(typed::AppendObjectJson(**third, &json3).ok() && json3 == json2, "JSON is not stable", k);
  } else {
    std::string indented;
    Check(!typed::AppendObjectJson(obj, &indented, kstream::encoding::json::Style::kIndent).ok(),
          "indented JSON worked where compact JSON failed", k);
  }
  if (k.protobuf) {
    std::string pb;
    Check(typed::AppendObjectProtobuf(obj, &pb).ok(), "protobuf encoding failed", k);
    auto back = typed::DecodeObjectProtobufAs(k, pb);
    Check(back.ok(), "our protobuf does not decode", k);
    std::string pb2;
    Check(typed::AppendObjectProtobuf(**back, &pb2).ok(), "protobuf re-encoding failed", k);
    auto back2 = typed::DecodeObjectProtobufAs(k, pb2);
    Check(back2.ok(), "second protobuf round does not decode", k);
    std::string pb3;
    Check(typed::AppendObjectProtobuf(**back2, &pb3).ok() && pb3 == pb2, "protobuf is not stable", k);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kstream::fuzz::FuzzInput in(data, size);
  const auto& kinds = typed::Scheme::Default().kinds();
  uint16_t pick = static_cast<uint16_t>(in.Byte() << 8);
  pick |= in.Byte();
  const typed::KindEntry& kind = kinds[pick % kinds.size()];
  const bool as_protobuf = (in.Byte() & 1) != 0;
  std::string_view payload = in.Rest();
  if (as_protobuf) {
    if (!kind.protobuf) return 0;
    std::string enveloped;
    kstream::encoding::protobuf::AppendEnvelopeHeader(&enveloped, kind.api_version(), kind.kind,
                                                      payload.size());
    enveloped.append(payload);
    kstream::encoding::protobuf::AppendEnvelopeTrailer(&enveloped);
    auto obj = typed::DecodeObjectProtobufAs(kind, enveloped);
    if (obj.ok()) CheckStable(**obj);
  } else {
    auto v = kstream::api::ParseJson(payload);
    if (!v.ok()) return 0;
    auto obj = typed::DecodeObjectAs(kind, *v);
    if (obj.ok()) CheckStable(**obj);
  }
  return 0;
}
