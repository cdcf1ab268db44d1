// Content negotiation as kube-apiserver 1.33 does it (apiserver/pkg/endpoints/handlers/
// negotiation/negotiate.go with munnerz/goautoneg; ../shared/spec/k8s-api-facts.md §1):
// which serializer answers a request (Accept), which one reads a body (Content-Type),
// whether JSON is pretty-printed, and the exact 406 / 415 messages.
//
// Data only: strings and small structs in, a pointer into the caller's list of supported
// media types out. No HTTP types, no I/O. Pure functions, thread-safe.
//
// Accept matching: the header is split into clauses (goautoneg.ParseAccept), ordered by q
// then specificity (`*/*` and `type/*` after concrete types; clauses that tie keep header
// order), and the first (clause, serializer) pair whose type/subtype match and whose
// parameters the endpoint allows wins. An empty header picks the first supported type
// (JSON). Nothing matching is a 406: kube 1.33 has no fallback to JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kstream::server {

enum class Serializer : uint8_t { kJson, kYaml, kProtobuf };

// One serializer the endpoint offers (kube's runtime.SerializerInfo, reduced).
struct MediaTypeInfo {
  std::string_view media_type;  // "application/json"
  std::string_view type;        // "application"
  std::string_view subtype;     // "json"
  Serializer serializer = Serializer::kJson;
  bool streamable = false;  // has a stream (watch) serializer: JSON and protobuf
  bool has_pretty = false;  // has a pretty serializer: JSON only
};

// JSON, YAML, protobuf, in kube's order (codec_factory.go); JSON is the default.
const std::vector<MediaTypeInfo>& BuiltinMediaTypes();

// One clause of an Accept header (goautoneg.Accept).
struct AcceptClause {
  std::string type;     // "application", or "*"
  std::string subtype;  // "json", or "*"
  double q = 1.0;       // float32 precision; 0 when the q value does not parse
  std::map<std::string, std::string> params;  // except q; a repeated name keeps the last
};

// goautoneg.ParseAccept: clauses split at ',' and trimmed of spaces; a clause without '/'
// is dropped unless it is "*"; parameters without '=' are dropped; sorted by q, then
// specificity. (Go sorts with an insertion sort up to 12 clauses, which this reproduces;
// longer headers may order ties differently from Go's pdqsort.)
std::vector<AcceptClause> ParseAccept(std::string_view header);

// The target of a transform requested with the media type parameters as=, g=, v=.
struct ConversionTarget {
  std::string group;    // g=
  std::string version;  // v=
  std::string kind;     // as=
};

// EndpointRestrictions.AllowsMediaTypeTransform: may the endpoint answer with serializer
// type/subtype, converted to `target` (nullptr: no conversion asked)?
using TransformCheck =
    std::function<bool(std::string_view type, std::string_view subtype, const ConversionTarget* target)>;

// kube's resource endpoints (handlers/rest.go RequestScope.AllowsMediaTypeTransform):
//   no target: any serializer, or only JSON/YAML when `json_yaml_only` (custom resources,
//     whose StandardSerializers leave protobuf out);
//   meta.k8s.io/v1 or v1beta1 Table: JSON or YAML, and only with a table convertor;
//   meta.k8s.io/v1 or v1beta1 PartialObjectMetadata(List): any serializer;
//   anything else: no.
struct ResourceEndpoint {
  bool has_table_convertor = true;
  bool json_yaml_only = false;
};
TransformCheck ResourceTransformCheck(ResourceEndpoint endpoint);

struct NegotiatedOutput {
  const MediaTypeInfo* media_type = nullptr;  // points into the `supported` list given
  std::optional<ConversionTarget> target;     // when as=/g=/v= was given
  bool pretty = false;                        // the media type parameter pretty=1
  std::string stream;                         // stream=<v> ("watch")
  std::string server_version;                 // sv=<v>
  bool export_ = false;                       // export=1
  std::vector<std::string> unrecognized;      // other parameter names, sorted
};

// NegotiateOutputMediaType. `allows_transform` empty means kube's
// DefaultEndpointRestrictions (no conversion allowed); `server_version` is the only sv=
// value allowed (kube's resource scopes: the meta group version, "v1"; empty: none).
// Errors are InvalidArgument, always a 406 NotAcceptable with the message
// "only the following media types are accepted: <supported, joined by ", ">".
Result<NegotiatedOutput> NegotiateOutput(std::string_view accept, const std::vector<MediaTypeInfo>& supported,
                                         const TransformCheck& allows_transform = {},
                                         std::string_view server_version = {});

// NegotiateOutputMediaTypeStream (watch): as NegotiateOutput, then the chosen serializer
// must be streamable (the first match is not skipped for YAML: `Accept: application/yaml,
// application/json` on a watch is a 406). The 406 lists the stream variants:
// "only the following media types are accepted: application/json;stream=watch,
// application/vnd.kubernetes.protobuf;stream=watch".
Result<NegotiatedOutput> NegotiateOutputStream(std::string_view accept, const std::vector<MediaTypeInfo>& supported,
                                               const TransformCheck& allows_transform = {},
                                               std::string_view server_version = {});

// kube's isPrettyPrint(req): a non-empty `pretty` query value decides (strconv.ParseBool;
// unparsable is false); otherwise a User-Agent starting with "curl", "Wget" or
// "Mozilla/5.0". `query_pretty` is the first value of the `pretty` query parameter ("" if
// absent).
bool IsPrettyPrint(std::string_view query_pretty, std::string_view user_agent);
// Whether to use the pretty serializer: (pretty=1 media parameter || IsPrettyPrint) and the
// chosen serializer has one (JSON).
bool UsePrettySerializer(const NegotiatedOutput& out, std::string_view query_pretty, std::string_view user_agent);

// NegotiateInputSerializerForMediaType: an empty Content-Type means the first supported
// type; otherwise Go's mime.ParseMediaType must accept it (parameters included) and its
// lower-cased base type must be supported. Errors are InvalidArgument, always a 415
// UnsupportedMediaType with "the body of the request was in an unknown format - accepted
// media types include: <types>" (the stream variants when `streaming`).
Result<const MediaTypeInfo*> NegotiateInput(std::string_view content_type, const std::vector<MediaTypeInfo>& supported,
                                            bool streaming = false);

// The Content-Type header of a response: the media type, plus ";stream=watch" for a
// non-JSON watch (kube writes plain "application/json" for JSON watches).
std::string ResponseContentType(const MediaTypeInfo& media_type, bool watch);

// The error texts (negotiation/errors.go), for handlers that check types themselves
// (PATCH lists its patch types).
std::string NotAcceptableMessage(const std::vector<std::string>& accepted);
std::string UnsupportedMediaTypeMessage(const std::vector<std::string>& accepted);
// kube's MediaTypesForSerializer: the media types, or the streamable ones + ";stream=watch".
std::vector<std::string> MediaTypeNames(const std::vector<MediaTypeInfo>& supported, bool stream);

// Go's mime.ParseMediaType: the lower-cased media type and the parameters (names lower
// case), or false where Go returns an error (no type, bad tokens, a malformed parameter,
// a repeated parameter with different values). A trailing ';' is allowed.
bool ParseMediaType(std::string_view value, std::string* media_type, std::map<std::string, std::string>* params);

}  // namespace kstream::server
