#include "api/typed/scheme.h"

#include <algorithm>
#include <unordered_set>

#include "api/json.h"
#include "api/yaml.h"
#include "encoding/protobuf/wire.h"

namespace kstream::typed {

namespace pb = encoding::protobuf;

namespace {

std::string GvkKey(std::string_view api_version, std::string_view kind) {
  std::string k(api_version);
  k.push_back('/');
  k.append(kind);
  return k;
}

}  // namespace

void Scheme::Add(const KindEntry* e) { by_gvk_.emplace(GvkKey(e->api_version(), e->kind), e); }

Scheme::Scheme(const std::vector<KindEntry>* kinds, const std::vector<ResourceInfo>* resources)
    : kinds_(kinds), resources_(resources) {
  for (const ResourceInfo& r : this->resources()) {
    std::string gvr(r.group);
    gvr.push_back('/');
    gvr.append(r.version);
    gvr.push_back('/');
    gvr.append(r.resource);
    resource_by_gvr_.emplace(std::move(gvr), &r);
    std::string api_version =
        r.group.empty() ? std::string(r.version) : std::string(r.group) + "/" + std::string(r.version);
    resource_by_gvk_.emplace(GvkKey(api_version, r.kind), &r);
  }
  for (const KindEntry& e : *kinds_) Add(&e);
  // metav1.AddToGroupVersion: these meta kinds exist in every group version...
  static constexpr std::string_view kEveryGroupVersion[] = {
      "WatchEvent", "ListOptions", "GetOptions", "DeleteOptions",
      "CreateOptions", "UpdateOptions", "PatchOptions"};
  // ...and these, unversioned, in the core "v1".
  static constexpr std::string_view kCoreV1[] = {"Status", "APIVersions", "APIGroupList", "APIGroup",
                                                 "APIResourceList"};
  std::vector<std::pair<std::string_view, std::string_view>> group_versions;
  for (const KindEntry& e : *kinds_) {
    std::pair<std::string_view, std::string_view> gv{e.group, e.version};
    if (gv.first != "meta.k8s.io" &&
        std::find(group_versions.begin(), group_versions.end(), gv) == group_versions.end()) {
      group_versions.push_back(gv);
    }
  }
  auto register_as = [this](std::string_view kind, std::string_view group, std::string_view version) {
    const KindEntry* meta = Find("meta.k8s.io/v1", kind);
    if (meta == nullptr || Find(group.empty() ? std::string(version)
                                              : std::string(group) + "/" + std::string(version),
                                kind) != nullptr) {
      return;
    }
    KindEntry copy = *meta;
    copy.group = names_.emplace_back(group);
    copy.version = names_.emplace_back(version);
    Add(&extra_.emplace_back(copy));
  };
  for (auto [group, version] : group_versions) {
    for (std::string_view kind : kEveryGroupVersion) register_as(kind, group, version);
  }
  for (std::string_view kind : kCoreV1) register_as(kind, "", "v1");
}

const Scheme& Scheme::Default() {
  static const Scheme scheme(&GeneratedKinds(), &GeneratedResources());
  return scheme;
}

const ResourceInfo* Scheme::FindResource(std::string_view group, std::string_view version,
                                         std::string_view resource) const {
  std::string key(group);
  key.push_back('/');
  key.append(version);
  key.push_back('/');
  key.append(resource);
  auto it = resource_by_gvr_.find(key);
  return it == resource_by_gvr_.end() ? nullptr : it->second;
}

const ResourceInfo* Scheme::ResourceForKind(std::string_view api_version, std::string_view kind) const {
  auto it = resource_by_gvk_.find(GvkKey(api_version, kind));
  return it == resource_by_gvk_.end() ? nullptr : it->second;
}

const KindEntry* Scheme::Find(std::string_view api_version, std::string_view kind) const {
  auto it = by_gvk_.find(GvkKey(api_version, kind));
  return it == by_gvk_.end() ? nullptr : it->second;
}

Result<std::unique_ptr<Object>> DecodeObject(const Scheme& scheme, const api::Value& v,
                                             const DecodeOptions& options) {
  if (!v.is_object()) return InvalidArgument("the object is not a JSON object");
  const api::Value* kind = v.Find("kind");
  const api::Value* api_version = v.Find("apiVersion");
  std::string text;
  if (kind == nullptr || !kind->is_string() || kind->as_string().empty()) {
    api::AppendJson(v, &text).IgnoreError();
    return InvalidArgument("Object 'Kind' is missing in '" + text + "'");
  }
  if (api_version == nullptr || !api_version->is_string() || api_version->as_string().empty()) {
    api::AppendJson(v, &text).IgnoreError();
    return InvalidArgument("Object 'apiVersion' is missing in '" + text + "'");
  }
  const KindEntry* entry = scheme.Find(api_version->as_string(), kind->as_string());
  if (entry == nullptr) {
    return InvalidArgument("no kind \"" + kind->as_string() + "\" is registered for version \"" +
                           api_version->as_string() + "\"");
  }
  return DecodeObjectAs(*entry, v, options);
}

Result<std::unique_ptr<Object>> DecodeObjectJson(const Scheme& scheme, std::string_view json,
                                                 const DecodeOptions& options) {
  KS_ASSIGN_OR_RETURN(api::Value v, api::ParseJson(json, options.duplicate_fields));
  return DecodeObject(scheme, v, options);
}

std::string StrictDecodingError(const std::vector<std::string>& unknown_fields,
                                const std::vector<std::string>& duplicate_fields) {
  constexpr size_t kMaxErrors = 100;  // sigs.k8s.io/json keeps at most 100 strict errors
  std::string out;
  size_t n = 0;
  auto add = [&](std::string_view what, const std::string& path) {
    if (n == kMaxErrors) return;
    out += n++ == 0 ? "strict decoding error: " : ", ";
    out += what;
    out += " field \"";
    out += path;
    out += '"';
  };
  std::unordered_set<std::string_view> unknown(unknown_fields.begin(), unknown_fields.end());
  for (const std::string& f : unknown_fields) add("unknown", f);
  for (const std::string& f : duplicate_fields) {
    if (!unknown.contains(f)) add("duplicate", f);
  }
  return out;
}

Result<std::unique_ptr<Object>> DecodeObjectAs(const KindEntry& kind, const api::Value& v,
                                               const DecodeOptions& options) {
  std::unique_ptr<Object> obj = kind.New();
  DecodeContext ctx(options.unknown_fields);
  KS_RETURN_IF_ERROR(obj->DecodeJson(v, ctx));
  return obj;
}

Result<std::unique_ptr<Object>> DecodeObjectProtobuf(const Scheme& scheme, std::string_view data) {
  KS_ASSIGN_OR_RETURN(pb::Envelope env, pb::ParseEnvelope(data));
  if (env.kind.empty()) {
    return InvalidArgument("Object 'Kind' is missing in the protobuf envelope");
  }
  const KindEntry* entry = scheme.Find(env.api_version, env.kind);
  if (entry == nullptr) {
    return InvalidArgument("no kind \"" + std::string(env.kind) + "\" is registered for version \"" +
                           std::string(env.api_version) + "\"");
  }
  return DecodeObjectProtobufAs(*entry, data);
}

Result<std::unique_ptr<Object>> DecodeObjectProtobufAs(const KindEntry& kind, std::string_view data) {
  KS_ASSIGN_OR_RETURN(pb::Envelope env, pb::ParseEnvelope(data));
  std::unique_ptr<Object> obj = kind.New();
  KS_RETURN_IF_ERROR(obj->DecodeProto(env.raw));
  // The envelope's type is the object's type (kube sets it from the envelope).
  if (auto* tm = obj->type_meta()) {
    tm->APIVersion = std::string(env.api_version);
    tm->Kind = std::string(env.kind);
  }
  return obj;
}

Status AppendObjectJson(Object& obj, std::string* out, encoding::json::Style style) {
  obj.SetTypeMetaFromKind();
  size_t start = out->size();
  JsonWriter w(out, style);
  obj.AppendJson(w);
  if (!w.status().ok()) out->resize(start);
  return w.status();
}

Status AppendObjectYaml(Object& obj, std::string* out) {
  std::string json;
  KS_RETURN_IF_ERROR(AppendObjectJson(obj, &json));
  KS_ASSIGN_OR_RETURN(api::Value v, api::ParseJson(json));
  return api::AppendYaml(v, out);
}

std::string ObjectProtoBody(const Object& obj) {
  std::string body(obj.ProtoSize(), '\0');
  auto* end = reinterpret_cast<uint8_t*>(body.data()) + body.size();
  obj.ProtoWrite(end);
  return body;
}

Status AppendObjectProtobuf(Object& obj, std::string* out) {
  if (!obj.kind().protobuf) {
    return Unimplemented("object " + std::string(obj.kind().kind) +
                         " does not implement the protobuf marshalling interface and cannot be "
                         "encoded to a protobuf message");
  }
  obj.SetTypeMetaFromKind();
  size_t size = obj.ProtoSize();
  const bool typed_meta = obj.type_meta() != nullptr;  // WatchEvent has none: empty typeMeta
  pb::AppendEnvelopeHeader(out, typed_meta ? obj.kind().api_version() : std::string(),
                           typed_meta ? obj.kind().kind : std::string_view(), size);
  size_t body_start = out->size();
  out->resize(body_start + size);
  auto* end = reinterpret_cast<uint8_t*>(out->data()) + out->size();
  obj.ProtoWrite(end);
  pb::AppendEnvelopeTrailer(out);
  return Status::Ok();
}

}  // namespace kstream::typed
