#include "server/api_server.h"

#include <charconv>
#include <future>
#include <map>
#include <set>
#include <mutex>
#include <random>
#include <thread>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include "api/json.h"
#include "api/openapi/definitions.h"
#include "api/k8s/autoscaling/v1/types.h"
#include "api/k8s/meta/v1/types.h"
#include "api/yaml.h"
#include "api/typed/scheme.h"
#include "api/typed/unstructured.h"
#include "collection/table.h"
#include "collection/typed_list.h"
#include "collection/unstructured_json.h"
#include "collection/yaml_list.h"
#include "encoding/gzip/gzip_sink.h"
#include "encoding/protobuf/wire.h"
#include "registry/field_selector.h"
#include "registry/label_selector.h"
#include "registry/printers.h"
#include "server/negotiate.h"
#include "server/openapi.h"
#include "server/write_path.h"
#include "api/patch/patch.h"
#include "api/fieldmanager/field_manager.h"

namespace kstream::server {

namespace meta = k8s::meta::v1;
using registry::ApiError;
using registry::ApiResult;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kYaml = "application/yaml";
constexpr std::string_view kProtobuf = "application/vnd.kubernetes.protobuf";

// What the response is encoded as (the negotiated Accept clause).
struct Output {
  enum class Format { kJson, kYaml, kProtobuf };
  enum class Target { kNone, kTable, kPartialObjectMetadata, kPartialObjectMetadataList };
  Format format = Format::kJson;
  bool pretty = false;
  Target target = Target::kNone;
  std::string target_version = "v1";  // meta.k8s.io version of the transform

  std::string_view ContentType() const {
    switch (format) {
      case Format::kJson:
        return kJson;
      case Format::kYaml:
        return kYaml;
      case Format::kProtobuf:
        return kProtobuf;
    }
    return kJson;
  }
};

bool ParseBool(std::string_view s, bool* out) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") {
    *out = false;
    return true;
  }
  return false;
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

meta::Time Now() { return meta::Time::Now(); }

// Items converted to PartialObjectMetadata (kind/apiVersion set on each, as kube does).
class PartialMetadataSource final : public collection::ItemSource<typed::Object> {
 public:
  PartialMetadataSource(const typed::KindEntry* kind, collection::ItemSource<typed::Object>* items)
      : kind_(kind), items_(items) {}
  Result<const typed::Object*> Next() override {
    KS_ASSIGN_OR_RETURN(const typed::Object* item, items_->Next());
    if (item == nullptr) return static_cast<const typed::Object*>(nullptr);
    if (!current_) {
      current_ = kind_->New();
      current_->SetTypeMetaFromKind();
    }
    *current_->object_meta() = *item->object_meta();
    return static_cast<const typed::Object*>(current_.get());
  }
  Status Rewind() override { return items_->Rewind(); }

 private:
  const typed::KindEntry* kind_;
  collection::ItemSource<typed::Object>* items_;
  std::unique_ptr<typed::Object> current_;
};

}  // namespace

// ---------------------------------------------------------------------------------------

namespace {
constexpr std::string_view kServerGitVersion = "v1.33.0-kstream";
}  // namespace

std::string VersionJson() {
  return "{\n"
         "  \"major\": \"1\",\n"
         "  \"minor\": \"33\",\n"
         "  \"emulationMajor\": \"1\",\n"
         "  \"emulationMinor\": \"33\",\n"
         "  \"minCompatibilityMajor\": \"1\",\n"
         "  \"minCompatibilityMinor\": \"32\",\n"
         "  \"gitVersion\": \"" + std::string(kServerGitVersion) + "\",\n"
         "  \"gitCommit\": \"0000000000000000000000000000000000000000\",\n"
         "  \"gitTreeState\": \"clean\",\n"
         "  \"buildDate\": \"2026-11-29T00:00:00Z\",\n"
         "  \"goVersion\": \"n/a (kstream, C++20)\",\n"
         "  \"compiler\": \"gc\",\n"
         "  \"platform\": \"linux/amd64\"\n"
         "}";
}

namespace {

// A custom resource's field for field selectors: metadata.name/namespace and the CRD's
// selectableFields (strings as they are, integers and booleans printed).
std::optional<std::string> CustomFieldValue(const registry::CustomResourceVersion& v, const typed::Object& o,
                                            std::string_view field) {
  const k8s::meta::v1::ObjectMeta* om = o.object_meta();
  if (field == "metadata.name") return om ? om->Name : std::string();
  if (field == "metadata.namespace") return om ? om->Namespace : std::string();
  for (const auto& [name, path] : v.selectable_fields) {
    if (name != field) continue;
    const auto* u = dynamic_cast<const typed::UnstructuredObject*>(&o);
    if (u == nullptr) return std::nullopt;
    api::Value value = u->ToValue();
    auto found = path.Find(value);
    if (found.empty()) return std::nullopt;
    const api::Value& x = *found[0];
    if (x.is_string()) return x.as_string();
    if (x.is_bool()) return std::string(x.as_bool() ? "true" : "false");
    if (x.is_int()) return std::to_string(x.as_int());
    return std::nullopt;
  }
  return std::nullopt;
}

// A write through /status: the stored object with the status (and resourceVersion) of
// `given`; everything else stays as stored.
registry::ApiResult<std::unique_ptr<typed::Object>> MergeStatusInto(const typed::Scheme& scheme,
                                                                    const typed::Object& current,
                                                                    const typed::Object& given) {
  (void)scheme;
  auto cur_copy = current.Clone();
  auto given_copy = given.Clone();
  auto cv = ObjectToValue(*cur_copy);
  auto nv = ObjectToValue(*given_copy);
  if (!cv.ok() || !nv.ok()) return ApiError::Internal("cannot convert the object for a status update");
  if (const api::Value* st = nv->Find("status")) {
    cv->Set("status", *st);
  } else {
    cv->Erase("status");
  }
  const api::Value* nmd = nv->Find("metadata");
  api::Value* cmd = cv->Find("metadata");
  if (nmd != nullptr && cmd != nullptr && cmd->is_object()) {
    if (const api::Value* rv = nmd->Find("resourceVersion")) {
      cmd->Set("resourceVersion", *rv);
    } else {
      cmd->Erase("resourceVersion");
    }
  }
  auto merged = ValueToObject(current.kind(), *cv, nullptr);
  if (!merged.ok()) return ApiError::BadRequest(std::string(merged.status().message()));
  return std::move(merged).value();
}

}  // namespace

struct ApiServer::Impl {
  ApiServer* self;
  const typed::Scheme& scheme;
  const typed::KindEntry* status_kind;
  const typed::KindEntry* pom_kind;
  const typed::KindEntry* pom_list_kind;
  // One size pass for concurrent protobuf lists of the same snapshot.
  collection::ListSizeCache size_cache;
  // /openapi/v3, built on first use.
  OpenApiV3 openapi;
  std::once_flag openapi_built;

  // The documents of custom resource group versions (rebuilt on every CRD change).
  std::mutex custom_openapi_mu;
  std::set<std::string> custom_openapi_paths;

  void UpdateCustomOpenApi(const std::vector<std::shared_ptr<const registry::CustomResourceVersion>>& served) {
    BuildOpenApi();
    std::lock_guard lock(custom_openapi_mu);
    std::map<std::string, std::vector<const registry::CustomResourceVersion*>> by_gv;
    for (const auto& v : served) {
      by_gv["apis/" + std::string(v->info.group) + "/" + std::string(v->info.version)].push_back(v.get());
    }
    const api::Value& builtin = api::BuiltinOpenApiDefinitions().schemas;
    for (const auto& [path, versions] : by_gv) {
      api::Value extra = api::Value::EmptyObject();
      std::vector<OpenApiResource> resources;
      for (const registry::CustomResourceVersion* v : versions) {
        api::Value defs = CustomResourceDefinitions(v->info, v->openapi_schema);
        for (const api::Member& m : defs.as_object()) extra.Set(m.key, m.value);
        OpenApiResource r;
        r.info = &v->info;
        r.kind_schema = CustomResourceSchemaName(v->info.group, v->info.version, v->info.kind);
        r.list_schema = CustomResourceSchemaName(v->info.group, v->info.version, v->info.list_kind);
        if (v->status_subresource) r.subresource_schemas["status"] = r.kind_schema;
        if (v->scale_subresource) r.subresource_schemas["scale"] = "io.k8s.api.autoscaling.v1.Scale";
        r.strategic_merge = false;
        resources.push_back(std::move(r));
      }
      openapi.Set(path, BuildGroupVersionDocument(path, resources, builtin, kServerGitVersion, &extra));
    }
    for (const std::string& old : custom_openapi_paths) {
      if (!by_gv.contains(old)) openapi.Remove(old);
    }
    custom_openapi_paths.clear();
    for (const auto& [path, versions] : by_gv) custom_openapi_paths.insert(path);
  }

  void BuildOpenApi() {
    std::call_once(openapi_built, [this] {
      std::map<std::string, std::vector<OpenApiResource>> by_gv;
      // Hold the snapshot: the catalog's thread may swap in a new one meanwhile.
      const std::shared_ptr<const Discovery> disco = self->discovery();
      for (const typed::ResourceInfo* info : disco->ServedResources()) {
        if (info->custom()) continue;
        std::string path = info->group.empty() ? "api/" + std::string(info->version)
                                                : "apis/" + std::string(info->group) + "/" + std::string(info->version);
        by_gv[path].push_back(BuiltinOpenApiResource(*info));
      }
      const api::Value& defs = api::BuiltinOpenApiDefinitions().schemas;
      for (const auto& [path, resources] : by_gv) {
        openapi.Set(path, BuildGroupVersionDocument(path, resources, defs, kServerGitVersion));
      }
    });
  }

  explicit Impl(ApiServer* s)
      : self(s),
        scheme(s->registry_->scheme()),
        status_kind(scheme.Find("v1", "Status")),
        pom_kind(scheme.Find("meta.k8s.io/v1", "PartialObjectMetadata")),
        pom_list_kind(scheme.Find("meta.k8s.io/v1", "PartialObjectMetadataList")) {}

  // ----- PATCH (kube's handlers/patch.go)

  static std::string JsonOf(const api::Value& v) {
    auto j = api::ToJson(v);
    return j.ok() ? std::move(j).value() : std::string();
  }

  // encoding/json's word for a JSON value's type in "cannot unmarshal X into ..." errors.
  static std::string JsonKindWord(const api::Value& v) {
    switch (v.kind()) {
      case api::Value::Kind::kArray:
        return "array";
      case api::Value::Kind::kString:
        return "string";
      case api::Value::Kind::kBool:
        return "bool";
      case api::Value::Kind::kObject:
        return "object";
      case api::Value::Kind::kNull:
        return "null";
      default:
        return "number";
    }
  }

  // Server-side apply's 409 (managedfields' conflict.go).
  static ApiError ApplyConflict(const api::fieldmanager::ApplyConflictError& c) {
    ApiError e = ApiError::Make(409, "Conflict", c.message);
    auto& d = e.status.Details.ensure();
    for (const auto& one : c.conflicts) {
      meta::StatusCause cause;
      cause.Type = std::string(api::fieldmanager::Conflict::kCauseType);
      cause.Message = one.CauseMessage();
      cause.Field = one.path;
      d.Causes.push_back(std::move(cause));
    }
    return e;
  }

  // kube's NewGenericServerResponse(422, ...): the real reason is not shown.
  static ApiError Unprocessable() {
    ApiError e = ApiError::Make(422, "Invalid", "the server rejected our request due to an error in our request");
    e.status.Details.ensure();
    return e;
  }

  static ApiError PatchError(const Status& s) {
    switch (s.code()) {
      case StatusCode::kFailedPrecondition:
        return Unprocessable();
      case StatusCode::kResourceExhausted:
        return ApiError::RequestEntityTooLarge(std::string(s.message()));
      case StatusCode::kInternal:
        // Errors kube does not classify: a 500 with Go's text, reason "" (ErrorToAPIStatus).
        return ApiError::Unknown(std::string(s.message()));
      default:
        return ApiError::BadRequest(std::string(s.message()));
    }
  }

  // The patched object's problems as kube reports them for patches: 422 on field "patch".
  static ApiError PatchInvalid(std::string_view patched, std::string_view detail) {
    std::vector<registry::FieldCause> causes;
    causes.push_back({"FieldValueInvalid", "Invalid value: " + registry::GoQuote(patched) + ": " + std::string(detail), "patch"});
    return ApiError::Invalid("", "", "", causes);
  }

  registry::ApiResult<registry::WriteResult> PatchObject(Request& req, const typed::ResourceInfo& info,
                                                         const std::string& ns, const std::string& name,
                                                         const std::string& subresource, const WriteQuery& wq,
                                                         const registry::WriteOptions& wopts, bool apply_patch) {
    std::string_view ct = req.Header("Content-Type");
    ct = ct.substr(0, ct.find(';'));
    const typed::KindEntry* kind = info.custom() ? info.custom_kind : scheme.Find(info.api_version(), info.kind);
    if (kind == nullptr) return ApiError::Internal("no kind for " + info.api_version() + "/" + std::string(info.kind));
    api::SchemaNode schema = self->registry_->SchemaFor(info);
    std::shared_ptr<const registry::CustomResourceVersion> crv;
    if (info.custom() && self->crds_ != nullptr) crv = self->crds_->ForInfo(&info);
    enum class Type { kJson, kMerge, kStrategic, kApply } type =
        ct == "application/json-patch+json"    ? Type::kJson
        : ct == "application/merge-patch+json" ? Type::kMerge
        : ct == "application/strategic-merge-patch+json" ? Type::kStrategic
                                                         : Type::kApply;
    bool check_fields = wq.validation != FieldValidation::kIgnore;
    // The patch document, parsed once.
    api::Value patch_doc;
    std::vector<std::string> patch_dups;
    if (type == Type::kStrategic) {
      auto v = api::ParseJson(req.body, &patch_dups);
      if (!v.ok()) return ApiError::BadRequest(std::string(v.status().message()));
      if (!v->is_object()) return ApiError::BadRequest("json: cannot unmarshal " + JsonKindWord(*v) + " into Go value of type map[string]interface {}");
      patch_doc = std::move(v).value();
    } else if (type == Type::kApply) {
      auto v = api::ParseYaml(req.body);
      if (!v.ok()) return ApiError::BadRequest("error decoding YAML: " + std::string(v.status().message()));
      if (!v->is_object()) return ApiError::BadRequest("error decoding YAML: object required");
      patch_doc = std::move(v).value();
    } else if (type == Type::kMerge && check_fields) {
      auto v = api::ParseJson(req.body, &patch_dups);
      if (!v.ok()) return ApiError::BadRequest("error decoding patch: " + std::string(v.status().message()));
    }
    std::string now = self->registry_->Now().FormatRfc3339();
    std::vector<std::string> warnings;

    registry::UpdateFunc fn = [&](const typed::Object* cur) -> registry::ApiResult<std::unique_ptr<typed::Object>> {
      warnings.clear();
      api::Value doc;
      if (cur != nullptr) {
        auto copy = cur->Clone();
        auto v = ObjectToValue(*copy);
        if (!v.ok()) return ApiError::Internal(std::string(v.status().message()));
        doc = std::move(v).value();
      }
      api::Value patched;
      switch (type) {
        case Type::kJson: {
          auto r = api::patch::ApplyJsonPatch(doc, req.body);
          if (!r.ok()) return PatchError(r.status());
          patched = std::move(r).value();
          break;
        }
        case Type::kMerge: {
          auto r = api::patch::ApplyMergePatch(doc, req.body);
          if (!r.ok()) return PatchError(r.status());
          patched = std::move(r).value();
          break;
        }
        case Type::kStrategic: {
          auto r = api::patch::ApplyStrategicMergePatch(doc, patch_doc, schema);
          if (!r.ok()) return PatchError(r.status());
          patched = std::move(r).value();
          break;
        }
        case Type::kApply: {
          api::fieldmanager::WriteContext ctx = registry::ManagedFieldsContext(info, wq.field_manager, subresource, now);
          api::Value config = patch_doc;
          // The config's apiVersion/kind must be the endpoint's.
          auto applied = api::fieldmanager::Apply(cur ? doc : api::Value(), config, schema, ctx, wq.force.value_or(false));
          if (auto* conflict = std::get_if<api::fieldmanager::ApplyConflictError>(&applied)) {
            return ApplyConflict(*conflict);
          }
          if (auto* st = std::get_if<Status>(&applied)) {
            if (st->code() == StatusCode::kInternal) return ApiError::Unknown(std::string(st->message()));
            return ApiError::BadRequest(std::string(st->message()));
          }
          patched = std::move(std::get<api::Value>(applied));
          break;
        }
      }
      if (!patched.is_object()) return PatchInvalid(JsonOf(patched), "json: cannot unmarshal into an object");
      // An object's kind and version are the endpoint's.
      patched.Set("apiVersion", info.api_version());
      patched.Set("kind", std::string(info.kind));
      std::vector<std::string> unknown;
      auto obj = ValueToObject(*kind, patched, check_fields ? &unknown : nullptr);
      if (!obj.ok()) return PatchInvalid(JsonOf(patched), obj.status().message());
      if (crv && crv->schema && check_fields) {
        // A custom resource's unknown fields are those its schema prunes.
        api::Value copy = patched;
        std::vector<std::string> pruned;
        crv->schema->Prune(&copy, &pruned);
        for (std::string& p : pruned) unknown.push_back(p.starts_with(".") ? p.substr(1) : p);
      }
      if (type == Type::kApply) {
        if (!unknown.empty() && wq.validation == FieldValidation::kStrict) {
          return ApiError::BadRequest("error strict decoding YAML: " + typed::StrictDecodingError(unknown, {}));
        }
      } else if (wq.validation == FieldValidation::kStrict && (!unknown.empty() || !patch_dups.empty())) {
        return PatchInvalid(JsonOf(patched), typed::StrictDecodingError(unknown, patch_dups));
      }
      if (wq.validation == FieldValidation::kWarn) warnings = StrictDecodingProblems(unknown, patch_dups);
      if (type == Type::kApply) registry::CanonicalizeManagedFields((*obj)->object_meta());
      if (!subresource.empty() && cur != nullptr) {
        if (subresource == "status") return MergeStatusInto(scheme, *cur, **obj);
      }
      return std::move(obj).value();
    };
    registry::WriteOptions opts = wopts;
    opts.managed_fields_done = type == Type::kApply;
    auto r = self->registry_->Patch(info, ns, name, fn, opts, /*allow_create=*/type == Type::kApply);
    for (std::string& wmsg : warnings) req.warnings.push_back(std::move(wmsg));
    return r;
  }

  // ----- the scale subresource (autoscaling/v1 Scale of deployments, replicasets,
  // statefulsets and replicationcontrollers)

  asio::awaitable<void> ServeScale(Request& req, ResponseWriter& w, const typed::ResourceInfo& info,
                                   const std::string& ns, const std::string& name, const WriteQuery& wq,
                                   const registry::WriteOptions& wopts, const Output& out) {
    static const typed::ResourceInfo kScaleInfo = [] {
      typed::ResourceInfo r;
      r.group = "autoscaling";
      r.version = "v1";
      r.kind = "Scale";
      r.resource = "scale";
      return r;
    }();
    const typed::KindEntry* scale_kind = scheme.Find("autoscaling/v1", "Scale");
    const bool rc = info.group.empty();
    std::shared_ptr<const registry::CustomResourceVersion> crv;
    if (info.custom() && self->crds_ != nullptr) crv = self->crds_->ForInfo(&info);
    auto scale_of = [&](const api::Value& parent) {
      if (crv) {
        return CustomScaleOf(parent, crv->spec_replicas_path, crv->status_replicas_path, crv->label_selector_path);
      }
      return ScaleOf(parent, rc);
    };
    auto to_scale = [&](typed::Object& parent) -> registry::ApiResult<std::unique_ptr<typed::Object>> {
      auto pv = ObjectToValue(parent);
      if (!pv.ok()) return ApiError::Internal(std::string(pv.status().message()));
      auto sv = scale_of(*pv);
      if (!sv.ok()) return ApiError::Internal(std::string(sv.status().message()));
      auto so = ValueToObject(*scale_kind, *sv, nullptr);
      if (!so.ok()) return ApiError::Internal(std::string(so.status().message()));
      return std::move(so).value();
    };
    const std::string& m = req.method;
    if (m == "GET") {
      auto parent = self->registry_->Get(info, ns, name, req.Query("resourceVersion").value_or(""));
      if (!parent.ok()) {
        co_await SendError(req, w, parent.error(), &out);
        co_return;
      }
      auto scale = to_scale(**parent);
      if (!scale.ok()) {
        co_await SendError(req, w, scale.error(), &out);
        co_return;
      }
      co_await SendObject(req, w, kScaleInfo, **scale, out, 200);
      co_return;
    }
    if (m != "PUT" && m != "PATCH") {
      ApiError e = ApiError::Make(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
      e.status.Details.ensure();
      co_await SendError(req, w, e, &out);
      co_return;
    }
    std::string_view ct = req.Header("Content-Type");
    ct = ct.substr(0, ct.find(';'));
    // PUT: the new Scale, decoded once.
    api::Value put_scale;
    std::vector<std::string> dups;
    if (m == "PUT") {
      auto v = ct == "application/yaml" ? api::ParseYaml(req.body) : api::ParseJson(req.body, &dups);
      if (!v.ok()) {
        co_await SendError(req, w, ApiError::BadRequest(std::string(v.status().message())), &out);
        co_return;
      }
      put_scale = std::move(v).value();
    } else if (ct == "application/apply-patch+yaml") {
      co_await SendError(req, w, ApiError::UnsupportedMediaType(
                                     "the body of the request was in an unknown format - accepted media types include: "
                                     "application/json-patch+json, application/merge-patch+json, "
                                     "application/strategic-merge-patch+json"),
                         &out);
      co_return;
    }
    api::SchemaNode scale_schema = api::BuiltinKindSchema("autoscaling", "v1", "Scale");
    std::vector<std::string> warnings;
    registry::UpdateFunc fn = [&](const typed::Object* cur) -> registry::ApiResult<std::unique_ptr<typed::Object>> {
      warnings.clear();
      auto parent = cur->Clone();
      auto pv = ObjectToValue(*parent);
      if (!pv.ok()) return ApiError::Internal(std::string(pv.status().message()));
      auto current_scale = scale_of(*pv);
      if (!current_scale.ok()) return ApiError::Internal(std::string(current_scale.status().message()));
      api::Value next;
      if (m == "PUT") {
        next = put_scale;
      } else if (ct == "application/json-patch+json") {
        auto r = api::patch::ApplyJsonPatch(*current_scale, req.body);
        if (!r.ok()) return PatchError(r.status());
        next = std::move(r).value();
      } else if (ct == "application/merge-patch+json") {
        auto r = api::patch::ApplyMergePatch(*current_scale, req.body);
        if (!r.ok()) return PatchError(r.status());
        next = std::move(r).value();
      } else {
        auto pd = api::ParseJson(req.body);
        if (!pd.ok()) return ApiError::BadRequest(std::string(pd.status().message()));
        auto r = api::patch::ApplyStrategicMergePatch(*current_scale, *pd, scale_schema);
        if (!r.ok()) return PatchError(r.status());
        next = std::move(r).value();
      }
      if (!next.is_object()) return ApiError::BadRequest("the body of the request is not a Scale object");
      next.Set("apiVersion", "autoscaling/v1");
      next.Set("kind", "Scale");
      std::vector<std::string> unknown;
      auto decoded = ValueToObject(*scale_kind, next, &unknown);
      if (!decoded.ok()) return ApiError::BadRequest(std::string(decoded.status().message()));
      if (auto err = CheckFieldValidation(wq.validation, unknown, dups, &req)) return std::move(*err);
      const auto* sc = (*decoded)->As<k8s::autoscaling::v1::Scale>();
      if (sc->Spec.Replicas < 0) {
        std::vector<registry::FieldCause> causes;
        causes.push_back({"FieldValueInvalid",
                          "Invalid value: " + std::to_string(sc->Spec.Replicas) + ": must be greater than or equal to 0",
                          "spec.replicas"});
        return ApiError::Invalid("autoscaling", "Scale", name, causes);
      }
      if (!sc->ObjectMeta.Name.empty() && sc->ObjectMeta.Name != name) {
        return ApiError::BadRequest("the name of the object (" + sc->ObjectMeta.Name +
                                    ") does not match the name on the URL (" + name + ")");
      }
      if (crv) {
        (void)SetAtSimplePath(&*pv, crv->spec_replicas_path, api::Value(static_cast<int64_t>(sc->Spec.Replicas)));
      } else {
        api::Value* spec = pv->Find("spec");
        if (spec == nullptr || !spec->is_object()) spec = &pv->Set("spec", api::Value::EmptyObject());
        spec->Set("replicas", static_cast<int64_t>(sc->Spec.Replicas));
      }
      // The Scale's resourceVersion, when given, is a precondition on the parent.
      if (api::Value* md = pv->Find("metadata"); md != nullptr && md->is_object()) {
        if (!sc->ObjectMeta.ResourceVersion.empty()) md->Set("resourceVersion", sc->ObjectMeta.ResourceVersion);
      }
      auto updated = ValueToObject(cur->kind(), *pv, nullptr);
      if (!updated.ok()) return ApiError::Internal(std::string(updated.status().message()));
      return std::move(updated).value();
    };
    auto r = self->registry_->Patch(info, ns, name, fn, wopts);
    if (!r.ok()) {
      co_await SendError(req, w, r.error(), &out);
      co_return;
    }
    auto scale = to_scale(*r->object);
    if (!scale.ok()) {
      co_await SendError(req, w, scale.error(), &out);
      co_return;
    }
    co_await SendObject(req, w, kScaleInfo, **scale, out, 200);
  }

  // ----- /openapi/v2: an empty Swagger 2.0 document (no definitions). kubectl 1.33 works
  // from /openapi/v3 and reads v2 only for kinds v3 does not describe (the objects of a CRD
  // created by the same `apply -f`): it then skips client-side validation, as it does for
  // kinds missing from kube's v2 document. Protobuf (gnostic openapi_v2.Document) or JSON.

  asio::awaitable<void> ServeOpenApiV2(Request& req, ResponseWriter& w) {
    std::string_view accept = req.Header("Accept");
    std::vector<Header> h;
    if (accept.find("application/com.github.proto-openapi.spec.v2") != std::string_view::npos) {
      // Length-delimited fields (numbers below 16: a one-byte key).
      auto field = [](std::string* out, uint32_t number, std::string_view bytes) {
        out->push_back(static_cast<char>((number << 3) | 2));
        uint64_t n = bytes.size();
        while (n >= 0x80) {
          out->push_back(static_cast<char>(n | 0x80));
          n >>= 7;
        }
        out->push_back(static_cast<char>(n));
        out->append(bytes);
      };
      std::string info;
      field(&info, 1, "Kubernetes");        // Info.title
      field(&info, 2, kServerGitVersion);   // Info.version
      std::string doc;
      field(&doc, 1, "2.0");                // Document.swagger
      field(&doc, 2, info);                 // Document.info
      field(&doc, 8, "");                   // Document.paths (empty)
      h.push_back({"Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"});
      (void)co_await w.Send(200, std::move(h), doc);
      co_return;
    }
    h.push_back({"Content-Type", "application/json"});
    (void)co_await w.Send(200, std::move(h),
                          "{\"swagger\":\"2.0\",\"info\":{\"title\":\"Kubernetes\",\"version\":\"" +
                              std::string(kServerGitVersion) + "\"},\"paths\":{}}");
  }

  // ----- /openapi/v3 (kube-openapi's handler3)

  asio::awaitable<void> ServeOpenApi(Request& req, ResponseWriter& w) {
    BuildOpenApi();
    std::string_view path = req.path;
    path.remove_prefix(std::string_view("/openapi/v3").size());
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (path.empty()) {
      auto index = openapi.Index();
      std::vector<Header> h;
      h.push_back({"Content-Type", "application/json"});
      (void)co_await w.Send(200, std::move(h), *index);
      co_return;
    }
    auto doc = openapi.Find(path);
    if (doc == nullptr) {
      std::vector<Header> h;
      h.push_back({"Content-Type", "text/plain; charset=utf-8"});
      h.push_back({"X-Content-Type-Options", "nosniff"});
      (void)co_await w.Send(404, std::move(h), "404 page not found\n");
      co_return;
    }
    // Only JSON is served (the protobuf form is optional for clients; kubectl asks for JSON).
    bool json_ok = false;
    std::string_view accept = req.Header("Accept");
    while (!accept.empty() && !json_ok) {
      size_t comma = accept.find(',');
      std::string_view clause = accept.substr(0, comma);
      accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
      clause = clause.substr(0, clause.find(';'));
      while (!clause.empty() && clause.front() == ' ') clause.remove_prefix(1);
      while (!clause.empty() && clause.back() == ' ') clause.remove_suffix(1);
      json_ok = clause == "application/json" || clause == "application/*" || clause == "*/*";
    }
    if (!json_ok) {
      std::vector<Header> h;
      (void)co_await w.Send(406, std::move(h), "");
      co_return;
    }
    std::string etag = "\"" + doc->hash + "\"";
    if (auto hash = req.Query("hash"); hash && !hash->empty() && *hash != doc->hash) {
      std::vector<Header> h;
      h.push_back({"Location", "/openapi/v3/" + std::string(path) + "?hash=" + doc->hash});
      (void)co_await w.Send(301, std::move(h), "");
      co_return;
    }
    std::vector<Header> h;
    h.push_back({"Content-Type", "application/json"});
    h.push_back({"Etag", etag});
    if (req.Query("hash")) {
      h.push_back({"Cache-Control", "public, immutable"});
      h.push_back({"Vary", "Accept"});
    }
    if (req.Header("If-None-Match") == etag) {
      (void)co_await w.Send(304, std::move(h), "");
      co_return;
    }
    co_await SendBody(req, w, 200, std::move(h), doc->json);
  }

  // ----- encoding helpers

  static std::vector<Header> BaseHeaders(std::string_view content_type) {
    return {{"Cache-Control", "no-cache, private"}, {"Content-Type", std::string(content_type)}};
  }

  Status EncodeObject(typed::Object& obj, const Output& out, std::string* body) {
    switch (out.format) {
      case Output::Format::kJson:
        KS_RETURN_IF_ERROR(typed::AppendObjectJson(
            obj, body, out.pretty ? encoding::json::Style::kIndent : encoding::json::Style::kCompact));
        if (!out.pretty) body->push_back('\n');
        return Status::Ok();
      case Output::Format::kYaml:
        return typed::AppendObjectYaml(obj, body);
      case Output::Format::kProtobuf:
        return typed::AppendObjectProtobuf(obj, body);
    }
    return Status::Ok();
  }

  static void AddGzipHeaders(std::vector<Header>* headers) {
    headers->push_back({"Content-Encoding", "gzip"});
    headers->push_back({"Vary", "Accept-Encoding"});
  }

  // Sends a complete body; GzipSink decides on gzip (client accepts it, over 128 KiB).
  asio::awaitable<void> SendBody(Request& req, ResponseWriter& w, int code, std::vector<Header> headers,
                                 std::string body) {
    for (const std::string& warning : req.warnings) headers.push_back({"Warning", WarningHeaderValue(warning)});
    encoding::BufferSink out;
    bool gzip = false;
    auto gz = encoding::MaybeGzip(&out, req.Header("Accept-Encoding"), [&gzip](bool g) {
      gzip = g;
      return Status::Ok();
    });
    Status s = gz->Write(body);
    if (s.ok()) s = gz->Close();
    if (s.ok() && gzip) {
      AddGzipHeaders(&headers);
      (void)co_await w.Send(code, std::move(headers), out.data());
      co_return;
    }
    (void)co_await w.Send(code, std::move(headers), body);
  }

  // The Table's includeObject (default Metadata); an error for an unknown value.
  static std::optional<ApiError> ParseIncludeObject(const Request& req, collection::TableOptions* topts) {
    auto include = req.Query("includeObject");
    if (!include || include->empty() || *include == "Metadata") return std::nullopt;
    if (*include == "None") {
      topts->include_object = collection::IncludeObject::kNone;
    } else if (*include == "Object") {
      topts->include_object = collection::IncludeObject::kObject;
    } else {
      return ApiError::BadRequest("unrecognized includeObject value: \"" + std::string(*include) + "\"");
    }
    return std::nullopt;
  }

  // A Status error, encoded as negotiated (JSON when the negotiation itself failed).
  asio::awaitable<void> SendError(Request& req, ResponseWriter& w, const ApiError& err,
                                  const Output* out = nullptr) {
    auto obj = status_kind->New();
    *obj->As<meta::Status>() = err.status;
    Output o = out ? *out : Output{};
    o.target = Output::Target::kNone;
    if (out == nullptr) {
      // Errors found before negotiation (and 406s): kube's ErrorNegotiated encodes for the
      // client's Accept when a serializer matches it (no transforms), and writes raw
      // pretty JSON when none does.
      auto neg = NegotiateOutput(req.Header("Accept"), BuiltinMediaTypes());
      if (!neg.ok()) {
        co_await SendRawJsonError(w, err);
        co_return;
      }
      o = ToOutput(*neg, req);
    }
    std::string body;
    if (!EncodeObject(*obj, o, &body).ok()) {
      body.clear();
      o = Output{};
      (void)EncodeObject(*obj, o, &body);
    }
    auto headers = BaseHeaders(o.ContentType());
    if (err.retry_after_seconds > 0) headers.push_back({"Retry-After", std::to_string(err.retry_after_seconds)});
    co_await SendBody(req, w, err.code(), std::move(headers), std::move(body));
  }

  // 406: kube writes it with WriteRawJSON: pretty JSON, no newline, whatever was asked.
  asio::awaitable<void> SendRawJsonError(ResponseWriter& w, const ApiError& err) {
    auto obj = status_kind->New();
    *obj->As<meta::Status>() = err.status;
    std::string body;
    (void)typed::AppendObjectJson(*obj, &body, encoding::json::Style::kIndent);
    (void)co_await w.Send(err.code(), BaseHeaders(kJson), body);
  }

  Output ToOutput(const NegotiatedOutput& n, const Request& req) {
    Output o;
    switch (n.media_type->serializer) {
      case Serializer::kYaml:
        o.format = Output::Format::kYaml;
        break;
      case Serializer::kProtobuf:
        o.format = Output::Format::kProtobuf;
        break;
      default:
        o.format = Output::Format::kJson;
    }
    o.pretty = o.format == Output::Format::kJson &&
               UsePrettySerializer(n, req.Query("pretty").value_or(""), req.Header("User-Agent"));
    if (n.target) {
      if (n.target->kind == "Table") {
        o.target = Output::Target::kTable;
      } else if (n.target->kind == "PartialObjectMetadata") {
        o.target = Output::Target::kPartialObjectMetadata;
      } else if (n.target->kind == "PartialObjectMetadataList") {
        o.target = Output::Target::kPartialObjectMetadataList;
      }
      o.target_version = n.target->version;
    }
    return o;
  }

  // Negotiates the response of a resource endpoint. `list`: the result is a list.
  std::variant<Output, ApiError> NegotiateResource(Request& req, bool list, bool watch, bool custom = false) {
    ResourceEndpoint endpoint;
    endpoint.json_yaml_only = custom;  // custom resources have no protobuf form
    TransformCheck allow = ResourceTransformCheck(endpoint);
    auto neg = watch ? NegotiateOutputStream(req.Header("Accept"), BuiltinMediaTypes(), allow)
                     : NegotiateOutput(req.Header("Accept"), BuiltinMediaTypes(), allow);
    if (!neg.ok()) return ApiError::NotAcceptable(std::string(neg.status().message()));
    Output o = ToOutput(*neg, req);
    if (o.target == Output::Target::kPartialObjectMetadata && list && !watch) {
      return ApiError::NotAcceptable(
          "you requested PartialObjectMetadata, but the requested object is a list (*v1.PartialObjectMetadataList)");
    }
    if (o.target == Output::Target::kPartialObjectMetadataList && !list) {
      return ApiError::NotAcceptable(
          "you requested PartialObjectMetadataList, but the requested object is not a list (*v1.PartialObjectMetadata)");
    }
    if (o.target != Output::Target::kNone && o.target_version == "v1beta1" &&
        o.target != Output::Target::kTable) {
      o.target_version = "v1";  // the v1beta1 forms are the same objects
    }
    return o;
  }

  // After a write of a CRD: waits (briefly) until the catalog has taken it in, so that the
  // answer is only sent once discovery and /openapi/v3 show the change (kube establishes a
  // new CRD asynchronously; clients that create a CRD and then its objects win here).
  void AwaitCrdCatalog(const typed::ResourceInfo& info) {
    if (self->crds_ == nullptr || info.group != "apiextensions.k8s.io" || info.resource != "customresourcedefinitions") {
      return;
    }
    auto rev = self->registry_->store()->CurrentRevision();
    if (rev.ok()) (void)self->crds_->WaitForRevision(*rev, std::chrono::seconds(2));
  }

  // The table convertor of a resource (a CRD's columns for custom resources).
  const collection::TablePrinter& PrinterFor(const typed::ResourceInfo& info) {
    if (info.custom() && self->crds_ != nullptr) {
      // Versions live for the process: the printer reference stays valid.
      if (auto v = self->crds_->ForInfo(&info)) return *v->printer;
    }
    return registry::PrinterFor(info.group, info.resource);
  }

  // ----- streaming

  // Writes a list body from `enc`: the gzip decision at 128 KiB, then batches of
  // ~batch_bytes awaited on the socket. Errors before the first byte become a Status.
  asio::awaitable<void> StreamList(Request& req, ResponseWriter& w, collection::PieceEncoder& enc,
                                   const Output& out, int code = 200) {
    // What is ready for the wire. Without gzip, an encoded piece of a batch or more (a large
    // item) is written from the encoder's buffer, not copied (it is unchanged until the next
    // EncodeNext); gzip output is always copied (the deflater reuses its chunk buffer).
    encoding::WireBuffer pending(self->options_.batch_bytes);
    bool gzip = false;
    bool committed = false;
    encoding::GzipOptions gopts;
    gopts.enabled = encoding::AcceptsGzip(req.Header("Accept-Encoding"));
    gopts.chunk_bytes = self->options_.batch_bytes;
    encoding::GzipSink gz(&pending, [&gzip, &committed](bool g) {
      gzip = g;
      committed = true;
      return Status::Ok();
    }, gopts);
    auto headers = [&] {
      auto h = BaseHeaders(out.ContentType());
      if (gzip) AddGzipHeaders(&h);
      return h;
    };
    if (!self->options_.streaming) {
      // kube before 1.33: the whole body in memory, then one write.
      encoding::BufferSink all;
      Status s = enc.EncodeAll(&all);
      if (!s.ok()) {
        co_await SendError(req, w, ApiError::Internal(std::string(s.message())), &out);
        co_return;
      }
      s = gz.Write(all.data());
      if (s.ok()) s = gz.Close();
      if (!s.ok()) {
        co_await SendError(req, w, ApiError::Internal(std::string(s.message())), &out);
        co_return;
      }
      (void)co_await w.Send(code, headers(), pending.data());
      co_return;
    }
    while (true) {
      pending.SetBorrowing(committed && !gzip);
      auto more = enc.EncodeNext(&gz);
      pending.SetBorrowing(false);
      if (!more.ok()) {
        if (!w.head_sent()) {
          co_await SendError(req, w, ApiError::Internal(std::string(more.status().message())), &out);
        } else {
          w.Abort();
        }
        co_return;
      }
      if (!*more) break;
      if (pending.data().size() >= self->options_.batch_bytes) {
        if (!w.head_sent() && !(co_await w.Begin(code, headers())).ok()) co_return;
        if (!(co_await w.Chunk(pending.data())).ok()) co_return;
        pending.Clear();
      }
    }
    if (Status s = gz.Close(); !s.ok()) {
      if (!w.head_sent()) {
        co_await SendError(req, w, ApiError::Internal(std::string(s.message())), &out);
      } else {
        w.Abort();
      }
      co_return;
    }
    if (!w.head_sent()) {
      (void)co_await w.Send(code, headers(), pending.data());
      co_return;
    }
    if (!(co_await w.Chunk(pending.data())).ok()) co_return;
    (void)co_await w.End();
  }

  // Encodes a list page for `out` and streams it.
  asio::awaitable<void> SendList(Request& req, ResponseWriter& w, const typed::ResourceInfo& info,
                                 registry::ListPage& page, const Output& out, int code = 200) {
    collection::ItemSource<typed::Object>* items = page.items.get();
    auto style = out.pretty ? encoding::json::Style::kIndent : encoding::json::Style::kCompact;
    if (out.target == Output::Target::kTable) {
      collection::TableOptions topts;
      if (auto err = ParseIncludeObject(req, &topts)) {
        co_await SendError(req, w, *err, &out);
        co_return;
      }
      topts.api_version = "meta.k8s.io/" + out.target_version;
      const auto& printer = PrinterFor(info);
      if (out.format == Output::Format::kYaml) {
        auto header = collection::TableHeaderValue(printer, topts, page.meta);
        if (!header.ok()) {
          co_await SendError(req, w, ApiError::Internal(std::string(header.status().message())), &out);
          co_return;
        }
        collection::TableRowValueSource rows(&printer, &topts, Now(), items);
        collection::YamlListEncoder enc(std::move(header).value(), "rows", &rows);
        co_await StreamList(req, w, enc, out, code);
      } else {
        collection::TableJsonEncoder enc(&printer, &topts, &page.meta, Now(), items, style);
        co_await StreamList(req, w, enc, out, code);
      }
      co_return;
    }
    if (info.custom() && out.target != Output::Target::kPartialObjectMetadataList) {
      // An UnstructuredList: keys sorted, items as stored (apiVersion and kind included).
      api::Value header = api::Value::EmptyObject();
      header.Set("apiVersion", info.api_version());
      header.Set("kind", std::string(info.list_kind));
      std::string meta_json;
      typed::JsonWriter mw(&meta_json, encoding::json::Style::kCompact);
      meta::AppendJson(mw, page.meta);
      auto mv = api::ParseJson(meta_json);
      header.Set("metadata", mv.ok() ? std::move(mv).value() : api::Value::EmptyObject());
      if (out.format == Output::Format::kYaml) {
        collection::YamlListEncoder enc(std::move(header), "items", items);
        co_await StreamList(req, w, enc, out, code);
      } else {
        collection::UnstructuredListJsonEncoder enc(&header, items, style);
        co_await StreamList(req, w, enc, out, code);
      }
      co_return;
    }
    collection::TypedListHeader header;
    std::unique_ptr<PartialMetadataSource> pom;
    if (out.target == Output::Target::kPartialObjectMetadataList) {
      header.api_version = "meta.k8s.io/" + out.target_version;
      header.kind = "PartialObjectMetadataList";
      pom = std::make_unique<PartialMetadataSource>(pom_kind, items);
      items = pom.get();
    } else {
      header.api_version = info.api_version();
      header.kind = std::string(info.list_kind);
    }
    header.metadata = page.meta;
    switch (out.format) {
      case Output::Format::kJson: {
        collection::TypedListJsonEncoder enc(&header, items, style);
        co_await StreamList(req, w, enc, out, code);
        break;
      }
      case Output::Format::kProtobuf: {
        std::string key;
        if (!page.snapshot_key.empty()) key = header.api_version + '\0' + header.kind + '\0' + page.snapshot_key;
        collection::TypedListProtobufEncoder enc(&header, items, &size_cache, std::move(key));
        co_await StreamList(req, w, enc, out, code);
        break;
      }
      case Output::Format::kYaml: {
        auto enc = collection::YamlListEncoder::ForTypedList(header, items);
        if (!enc.ok()) {
          co_await SendError(req, w, ApiError::Internal(std::string(enc.status().message())), &out);
          co_return;
        }
        co_await StreamList(req, w, **enc, out, code);
        break;
      }
    }
  }

  // A single object in the negotiated form.
  asio::awaitable<void> SendObject(Request& req, ResponseWriter& w, const typed::ResourceInfo& info,
                                   typed::Object& obj, const Output& out, int code) {
    std::string body;
    Status s;
    if (out.target == Output::Target::kTable) {
      collection::TableOptions topts;
      (void)ParseIncludeObject(req, &topts);  // single objects ignore an unknown value
      topts.api_version = "meta.k8s.io/" + out.target_version;
      const auto& printer = PrinterFor(info);
      if (out.format == Output::Format::kYaml) {
        // A one-row table, as YAML.
        class One final : public collection::ItemSource<typed::Object> {
         public:
          explicit One(typed::Object* o) : o_(o) {}
          Result<const typed::Object*> Next() override {
            if (done_) return static_cast<const typed::Object*>(nullptr);
            done_ = true;
            return static_cast<const typed::Object*>(o_);
          }
          Status Rewind() override {
            done_ = false;
            return Status::Ok();
          }

         private:
          typed::Object* o_;
          bool done_ = false;
        } src(&obj);
        auto header = collection::TableHeaderValue(printer, topts, meta::ListMeta{});
        if (header.ok()) {
          collection::TableRowValueSource rows(&printer, &topts, Now(), &src);
          collection::YamlListEncoder enc(std::move(header).value(), "rows", &rows);
          encoding::BufferSink sink;
          s = enc.EncodeAll(&sink);
          body = sink.Take();
        } else {
          s = header.status();
        }
      } else {
        s = collection::AppendSingleObjectTable(printer, obj, topts, Now(), &body,
                                                out.pretty ? encoding::json::Style::kIndent
                                                           : encoding::json::Style::kCompact);
        if (s.ok() && !out.pretty) body.push_back('\n');
      }
    } else if (out.target == Output::Target::kPartialObjectMetadata) {
      auto pom = pom_kind->New();
      *pom->object_meta() = *obj.object_meta();
      s = EncodeObject(*pom, out, &body);
    } else {
      s = EncodeObject(obj, out, &body);
    }
    if (!s.ok()) {
      co_await SendError(req, w, ApiError::Internal(std::string(s.message())), &out);
      co_return;
    }
    co_await SendBody(req, w, code, BaseHeaders(out.ContentType()), std::move(body));
  }

  // ----- watch

  struct WatchBridge {
    using Batch = std::shared_ptr<std::vector<registry::WatchEvent>>;
    using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, Batch)>;
    std::unique_ptr<registry::WatchSession> session;
    std::unique_ptr<Channel> channel;
    std::atomic<bool> stop{false};
  };

  Status EncodeWatchEvent(const typed::ResourceInfo& info, registry::WatchEvent& ev, const Output& out,
                          bool* first_table, std::string* frame) {
    std::unique_ptr<typed::Object> status_obj;
    typed::Object* obj = ev.object.get();
    if (ev.type == registry::WatchEvent::Type::kError) {
      status_obj = status_kind->New();
      *status_obj->As<meta::Status>() = ev.error->status;
      obj = status_obj.get();
    }
    std::string body;
    bool is_status = ev.type == registry::WatchEvent::Type::kError;
    std::unique_ptr<typed::Object> pom;
    if (!is_status && (out.target == Output::Target::kPartialObjectMetadata ||
                       out.target == Output::Target::kPartialObjectMetadataList)) {
      pom = pom_kind->New();
      *pom->object_meta() = *obj->object_meta();
      obj = pom.get();
    }
    std::string_view type = registry::WatchEvent::TypeName(ev.type);
    if (out.format == Output::Format::kProtobuf) {
      KS_RETURN_IF_ERROR(typed::AppendObjectProtobuf(*obj, &body));
      // WatchEvent{1: type, 2: RawExtension{1: raw}} in a 4-byte big-endian frame.
      namespace pb = encoding::protobuf;
      size_t raw_ext_size = pb::BytesFieldSize(1, body.size());
      uint32_t n = static_cast<uint32_t>(pb::BytesFieldSize(1, type.size()) + pb::BytesFieldSize(2, raw_ext_size));
      char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)};
      frame->append(len, 4);
      pb::AppendBytesField(frame, 1, type);
      pb::AppendKey(frame, 2, pb::WireType::kBytes);
      pb::AppendVarint(frame, raw_ext_size);
      pb::AppendBytesField(frame, 1, body);
      return Status::Ok();
    }
    // JSON: {"type":..,"object":..}\n
    if (!is_status && out.target == Output::Target::kTable) {
      collection::TableOptions topts;
      topts.api_version = "meta.k8s.io/" + out.target_version;
      topts.no_headers = !*first_table;
      *first_table = false;
      KS_RETURN_IF_ERROR(collection::AppendSingleObjectTable(PrinterFor(info),
                                                            *obj, topts, Now(), &body));
    } else {
      KS_RETURN_IF_ERROR(typed::AppendObjectJson(*obj, &body));
    }
    frame->append("{\"type\":\"");
    frame->append(type);
    frame->append("\",\"object\":");
    frame->append(body);
    frame->append("}\n");
    return Status::Ok();
  }

  asio::awaitable<void> ServeWatch(Request& req, ResponseWriter& w, const typed::ResourceInfo& info,
                                   std::string_view ns, registry::WatchOptions wopts, const Output& out,
                                   std::chrono::milliseconds timeout) {
    auto session = self->registry_->Watch(info, ns, wopts);
    if (!session.ok()) {
      co_await SendError(req, w, session.error(), &out);
      co_return;
    }
    auto executor = co_await asio::this_coro::executor;
    auto bridge = std::make_shared<WatchBridge>();
    bridge->session = std::move(session).value();
    bridge->channel = std::make_unique<WatchBridge::Channel>(executor, 2);

    // The bridge thread: blocks on the storage watch, hands batches to the coroutine
    // through the bounded channel (a slow client stops it here).
    self->bridges_->fetch_add(1);
    std::thread([bridge, live = self->bridges_] {
      struct Done {
        std::atomic<int>* n;
        ~Done() { n->fetch_sub(1); }
      } done{live.get()};
      while (!bridge->stop) {
        auto events = bridge->session->Next(std::chrono::milliseconds(500));
        bool finished = bridge->session->finished();
        if (events.empty() && !finished) continue;
        auto batch = std::make_shared<std::vector<registry::WatchEvent>>(std::move(events));
        auto sent = std::make_shared<std::promise<bool>>();
        auto fut = sent->get_future();
        bridge->channel->async_send(boost::system::error_code{}, batch,
                                    [sent](boost::system::error_code ec) { sent->set_value(!ec); });
        // The completion runs on the server's executor, which stops running handlers when
        // the server stops: after a stop, wait a little, then give up rather than forever.
        for (int waited_ms = 0; fut.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready;) {
          waited_ms += 50;
          if (bridge->stop && waited_ms >= 1000) return;
        }
        if (!fut.get()) return;
        if (finished) {
          bridge->channel->async_send(boost::system::error_code{}, nullptr,
                                      [](boost::system::error_code) {});
          return;
        }
      }
      // Stopped before the session said it finished: tell the coroutine the stream ended.
      bridge->channel->async_send(boost::system::error_code{}, nullptr, [](boost::system::error_code) {});
    }).detach();

    uint64_t stop_id = 0;
    if (self->http_) {
      stop_id = self->http_->OnStop([bridge] {
        bridge->stop = true;
        bridge->session->Cancel();
      });
    }

    std::vector<Header> headers = BaseHeaders(out.format == Output::Format::kProtobuf
                                                  ? std::string_view("application/vnd.kubernetes.protobuf;stream=watch")
                                                  : kJson);
    w.set_keep_alive(false);
    bool ok = (co_await w.Begin(200, std::move(headers))).ok();
    bool peer_closed = false;
    if (ok) {
      auto events_loop = [&]() -> asio::awaitable<void> {
        bool first_table = true;
        std::string frame;
        while (true) {
          auto [ec, batch] = co_await bridge->channel->async_receive(asio::as_tuple(asio::use_awaitable));
          if (ec || !batch) co_return;
          frame.clear();
          for (auto& ev : *batch) {
            if (Status s = EncodeWatchEvent(info, ev, out, &first_table, &frame); !s.ok()) {
              ok = false;
              co_return;
            }
          }
          if (!frame.empty() && !(co_await w.Chunk(frame)).ok()) {
            ok = false;
            co_return;
          }
        }
      };
      auto peer = [&]() -> asio::awaitable<void> {
        co_await w.transport()->WaitPeerClose();
        // Only the peer going away counts: when the deadline or the event loop ends first,
        // the wait is cancelled and the stream must still end with its final chunk.
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() == asio::cancellation_type::none) peer_closed = true;
      };
      asio::steady_timer deadline(executor);
      deadline.expires_after(timeout);
      co_await (events_loop() || peer() || deadline.async_wait(asio::use_awaitable));
    }
    bridge->stop = true;
    bridge->session->Cancel();
    bridge->channel->cancel();  // completes a send the bridge thread is blocked on
    bridge->channel->close();
    if (self->http_) self->http_->Unsubscribe(stop_id);
    if (ok && !peer_closed) {
      (void)co_await w.End();
    } else {
      w.Abort();
    }
  }
};

ApiServer::ApiServer(registry::Registry* registry, const Discovery* discovery, const auth::TokenAuthenticator* tokens,
                     ApiServerOptions options)
    : registry_(registry),
      discovery_(discovery, [](const Discovery*) {}),
      tokens_(tokens),
      options_(std::move(options)) {
  impl_ = std::make_unique<Impl>(this);
}

ApiServer::~ApiServer() { WaitForWatches(std::chrono::seconds(5)); }

std::shared_ptr<const Discovery> ApiServer::discovery() const {
  std::lock_guard lock(discovery_mu_);
  return discovery_;
}

void ApiServer::ServeCustomResources(registry::CustomResourceCatalog* crds, DiscoveryOptions discovery_options) {
  {
    std::lock_guard lock(discovery_mu_);
    crds_ = crds;
    discovery_options_ = std::move(discovery_options);
  }
  crds->AddListener([this] { RebuildForCustomResources(); });
  RebuildForCustomResources();
}

void ApiServer::RebuildForCustomResources() {
  registry::CustomResourceCatalog* crds;
  DiscoveryOptions opts;
  {
    std::lock_guard lock(discovery_mu_);
    crds = crds_;
    opts = discovery_options_;
  }
  auto served = crds->Served();
  for (const auto& v : served) opts.custom.push_back({&v->info, v->storage_version});
  auto next = std::make_shared<Discovery>(Discovery::Build(registry_->scheme(), opts));
  {
    std::lock_guard lock(discovery_mu_);
    discovery_ = std::move(next);
  }
  impl_->UpdateCustomOpenApi(served);
}

void ApiServer::WaitForWatches(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (bridges_->load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

namespace {

// A parsed resource path.
struct ResourcePath {
  std::string group, version, resource, name, subresource, ns;
  bool namespaced_path = false;
  bool watch_prefix = false;
};

// A method the resource has no route for: go-restful's 405, which kube's
// serviceErrorHandler turns into NewGenericServerResponse(405, ...) (empty details).
ApiError MethodNotAllowed() {
  ApiError e = ApiError::Make(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  e.status.Details.ensure();
  return e;
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

}  // namespace

asio::awaitable<void> ApiServer::Handle(Request& req, ResponseWriter& w) {
  Impl& im = *impl_;
  const std::string& path = req.path;
  const std::shared_ptr<const Discovery> disco = discovery();

  // Authentication first: a wrong token is 401 everywhere; no token is anonymous, which
  // may only reach the health endpoints and /version (kube's anonymous + RBAC defaults).
  std::string_view authz = req.Header("Authorization");
  bool authenticated = false;
  if (!authz.empty()) {
    auto token = auth::BearerToken(authz);
    if (token && tokens_ && tokens_->Authenticate(*token) != nullptr) authenticated = true;
    if (!authenticated) {
      co_await im.SendError(req, w, ApiError::Unauthorized("Unauthorized"));
      co_return;
    }
  }
  // Health: public.
  if (path == "/healthz" || path == "/livez" || path == "/readyz" || path.starts_with("/healthz/") ||
      path.starts_with("/livez/") || path.starts_with("/readyz/")) {
    bool stopping = http_ && http_->stopping();
    if (path.starts_with("/readyz") && stopping) {
      (void)co_await w.Send(500, Impl::BaseHeaders("text/plain; charset=utf-8"),
                            "[-]shutdown failed: reason withheld\nreadyz check failed\n");
      co_return;
    }
    std::string body = "ok";
    if (req.HasQuery("verbose")) {
      std::string what = path.substr(1, path.find('/', 1) == std::string::npos ? std::string::npos : path.find('/', 1) - 1);
      body = "[+]ping ok\n[+]log ok\n[+]etcd ok\n" + what + " check passed\n";
    }
    std::vector<Header> headers = Impl::BaseHeaders("text/plain; charset=utf-8");
    headers.push_back({"X-Content-Type-Options", "nosniff"});
    (void)co_await w.Send(200, std::move(headers), body);
    co_return;
  }

  if (path == "/version" || path == "/version/") {
    (void)co_await w.Send(200, Impl::BaseHeaders(kJson), VersionJson());
    co_return;
  }
  if (!authenticated) {
    co_await im.SendError(req, w, ApiError::Unauthorized("Unauthorized"));
    co_return;
  }

  if (path == "/openapi/v2" || path == "/openapi/v2/") {
    co_await im.ServeOpenApiV2(req, w);
    co_return;
  }
  if (path == "/openapi/v3" || path == "/openapi/v3/" || path.starts_with("/openapi/v3/")) {
    co_await im.ServeOpenApi(req, w);
    co_return;
  }

  // Discovery.
  if (path == "/api" || path == "/apis" || path == "/api/" || path == "/apis/") {
    std::string p = path.back() == '/' ? path.substr(0, path.size() - 1) : path;
    // Aggregated discovery when asked for it (and only then).
    TransformCheck agg_allow = [](std::string_view, std::string_view subtype, const ConversionTarget* t) {
      return t != nullptr && t->group == "apidiscovery.k8s.io" && t->version == "v2" &&
             t->kind == "APIGroupDiscoveryList" && subtype != "yaml";
    };
    auto neg = NegotiateOutput(req.Header("Accept"), BuiltinMediaTypes(), agg_allow);
    if (neg.ok() && neg->target) {
      const DiscoveryDocument& doc = p == "/api" ? disco->AggregatedCore() : disco->AggregatedApis();
      std::string etag = doc.etag;
      bool proto = neg->media_type->serializer == Serializer::kProtobuf;
      std::string ct = std::string(proto ? kProtobuf : kJson) + ";g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
      std::vector<Header> h = {{"Cache-Control", "public"}, {"Content-Type", ct}, {"Etag", etag}, {"Vary", "Accept"}};
      if (req.Header("If-None-Match") == etag) {
        (void)co_await w.Send(304, std::move(h), "");
        co_return;
      }
      co_await im.SendBody(req, w, 200, std::move(h), proto ? doc.protobuf : doc.json);
      co_return;
    }
    const DiscoveryDocument* doc = disco->Legacy(p);
    bool pretty = IsPrettyPrint(req.Query("pretty").value_or(""), req.Header("User-Agent"));
    (void)co_await w.Send(200, Impl::BaseHeaders(kJson), pretty ? doc->pretty_json : doc->json);
    co_return;
  }

  std::vector<std::string_view> parts = Split(path);
  ResourcePath rp;
  size_t i = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    rp.version = std::string(parts[1]);
    i = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    rp.group = std::string(parts[1]);
    rp.version = std::string(parts[2]);
    i = 3;
  } else if (parts.size() == 2 && parts[0] == "apis") {
    if (const DiscoveryDocument* doc = disco->Legacy("/apis/" + std::string(parts[1]))) {
      (void)co_await w.Send(200, Impl::BaseHeaders(kJson), doc->json);
      co_return;
    }
  }
  auto not_found = [&]() -> asio::awaitable<void> {
    ApiError e = ApiError::Make(404, "NotFound", "the server could not find the requested resource");
    e.status.Details.ensure();
    co_await im.SendError(req, w, e);
  };
  if (i == 0 || !disco->ServesGroupVersion(rp.group, rp.version)) {
    co_await not_found();
    co_return;
  }
  if (i == parts.size()) {
    std::string p = rp.group.empty() ? "/api/" + rp.version : "/apis/" + rp.group + "/" + rp.version;
    const DiscoveryDocument* doc = disco->Legacy(p);
    if (doc == nullptr) {
      co_await not_found();
      co_return;
    }
    bool pretty = IsPrettyPrint(req.Query("pretty").value_or(""), req.Header("User-Agent"));
    (void)co_await w.Send(200, Impl::BaseHeaders(kJson), pretty ? doc->pretty_json : doc->json);
    co_return;
  }
  std::vector<std::string_view> rest(parts.begin() + static_cast<long>(i), parts.end());
  if (!rest.empty() && rest[0] == "watch") {
    rp.watch_prefix = true;
    rest.erase(rest.begin());
  }
  if (rest.size() >= 3 && rest[0] == "namespaces" &&
      disco->FindServed(rp.group, rp.version, rest[2]) != nullptr &&
      disco->FindServed(rp.group, rp.version, rest[2])->namespaced) {
    rp.namespaced_path = true;
    rp.ns = std::string(rest[1]);
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) {
    co_await not_found();
    co_return;
  }
  rp.resource = std::string(rest[0]);
  if (rest.size() >= 2) rp.name = std::string(rest[1]);
  if (rest.size() == 3) rp.subresource = std::string(rest[2]);
  const typed::ResourceInfo* info = disco->FindServed(rp.group, rp.version, rp.resource);
  if (info == nullptr) {
    co_await not_found();
    co_return;
  }
  if (!rp.subresource.empty() && ((rp.subresource != "status" && rp.subresource != "scale") ||
                                  info->FindSubresource(rp.subresource) == nullptr)) {
    co_await not_found();
    co_return;
  }
  if (rp.namespaced_path && !info->namespaced) {
    co_await not_found();
    co_return;
  }
  std::string ns = rp.ns;
  if (!info->namespaced) ns.clear();

  // Verb.
  const std::string& m = req.method;
  bool collection = rp.name.empty();
  bool watch = rp.watch_prefix;
  if (auto wq = req.Query("watch")) {
    bool b = false;
    if (!ParseBool(*wq, &b)) {
      co_await im.SendError(req, w, ApiError::BadRequest("invalid boolean value for watch: " + std::string(*wq)));
      co_return;
    }
    watch = watch || b;
  }
  bool mutating = m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
  bool long_running = watch && m == "GET";

  // In-flight limits (kube: long-running requests are not counted).
  std::atomic<int>* counter = nullptr;
  if (!long_running) {
    counter = mutating ? &mutating_inflight_ : &readonly_inflight_;
    int limit = mutating ? options_.max_mutating_requests_inflight : options_.max_requests_inflight;
    int now = counter->fetch_add(1) + 1;
    if (limit > 0 && now > limit) {
      counter->fetch_sub(1);
      std::vector<Header> headers;
      headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
      headers.push_back({"Retry-After", "1"});
      headers.push_back({"X-Content-Type-Options", "nosniff"});
      (void)co_await w.Send(429, std::move(headers), "Too many requests, please try again later.\n");
      co_return;
    }
  }
  struct Release {
    std::atomic<int>* c;
    ~Release() {
      if (c) c->fetch_sub(1);
    }
  } release{counter};

  // Negotiation of the response.
  bool list_result = collection && (m == "GET" || m == "DELETE");
  auto neg = im.NegotiateResource(req, list_result, watch, info->custom());
  // A custom resource's version (schema, printer, subresources); nullptr for built-ins.
  std::shared_ptr<const registry::CustomResourceVersion> crv;
  if (info->custom() && crds_ != nullptr) crv = crds_->ForInfo(info);
  if (std::holds_alternative<ApiError>(neg)) {
    // Negotiated again without transforms: raw JSON when nothing matches, but e.g. a
    // YAML watch (YAML has no stream serializer) gets its 406 as YAML, as in kube.
    co_await im.SendError(req, w, std::get<ApiError>(neg));
    co_return;
  }
  Output out = std::get<Output>(neg);

  // The write options (dryRun, fieldManager, fieldValidation, force).
  WriteQuery wq;
  bool apply_patch = false;
  if (m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE") {
    std::string_view ct = req.Header("Content-Type");
    apply_patch = m == "PATCH" && ct.substr(0, ct.find(';')) == "application/apply-patch+yaml";
    const char* kind = m == "POST" ? "CreateOptions" : m == "PUT" ? "UpdateOptions" : m == "PATCH" ? "PatchOptions" : "DeleteOptions";
    if (m == "PATCH") {
      // The patch type comes first (kube checks it before the options).
      std::string_view base = ct.substr(0, ct.find(';'));
      static const std::vector<std::string> kBuiltinPatchTypes = {
          "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
          "application/apply-patch+yaml"};
      // Custom resources have no strategic merge patch (no Go struct to read strategies from).
      static const std::vector<std::string> kCustomPatchTypes = {
          "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"};
      const std::vector<std::string>& kPatchTypes = info->custom() ? kCustomPatchTypes : kBuiltinPatchTypes;
      bool known = false;
      for (const std::string& t : kPatchTypes) known = known || base == t;
      if (!known) {
        std::string msg = "the body of the request was in an unknown format - accepted media types include: ";
        for (size_t k = 0; k < kPatchTypes.size(); ++k) msg += (k ? ", " : "") + kPatchTypes[k];
        co_await im.SendError(req, w, ApiError::UnsupportedMediaType(msg), &out);
        co_return;
      }
    }
    auto parsed = ParseWriteQuery(req, kind, apply_patch);
    if (!parsed.ok()) {
      co_await im.SendError(req, w, parsed.error(), &out);
      co_return;
    }
    wq = std::move(parsed).value();
  }
  const bool dry_run = wq.dry_run;
  registry::WriteOptions wopts;
  wopts.dry_run = wq.dry_run;
  wopts.field_manager = ManagerOrUserAgent(wq.field_manager, req.Header("User-Agent"));
  wopts.subresource = rp.subresource;

  // Decodes the request body as an object of this resource.
  // kube's transformDecodeError: `<Kind> in version "<v>" cannot be handled as a <Kind>: `,
  // with the body's kind and version.
  auto cannot_handle = [&](const api::Value* body) {
    std::string kind(info->kind), version(info->version);
    if (body != nullptr && body->is_object()) {
      if (const api::Value* k = body->Find("kind"); k && k->is_string() && !k->as_string().empty()) kind = k->as_string();
      if (const api::Value* av = body->Find("apiVersion"); av && av->is_string() && !av->as_string().empty()) {
        const std::string& s = av->as_string();
        version = s.substr(s.find('/') == std::string::npos ? 0 : s.find('/') + 1);
      }
    }
    return kind + " in version \"" + version + "\" cannot be handled as a " + std::string(info->kind) + ": ";
  };
  auto decode_body = [&]() -> ApiResult<std::unique_ptr<typed::Object>> {
    auto in_type = NegotiateInput(req.Header("Content-Type"), BuiltinMediaTypes());
    if (!in_type.ok()) return ApiError::UnsupportedMediaType(std::string(in_type.status().message()));
    std::string_view in = (*in_type)->media_type;
    Result<std::unique_ptr<typed::Object>> obj = Internal("unreachable");
    api::Value body_value;
    std::vector<std::string> unknown, dups;
    typed::DecodeOptions dopts;
    dopts.unknown_fields = &unknown;
    dopts.duplicate_fields = &dups;
    // As kube's decoder: a missing kind or apiVersion is the endpoint's (clients such as the
    // Python one send bodies without them).
    auto default_type = [&](api::Value& v) {
      if (!v.is_object()) return;
      auto missing = [](const api::Value* f) {
        return f == nullptr || f->is_null() || (f->is_string() && f->as_string().empty());
      };
      if (missing(v.Find("kind"))) v.Set("kind", std::string(info->kind));
      if (missing(v.Find("apiVersion"))) v.Set("apiVersion", info->api_version());
    };
    if (info->custom()) {
      // Custom resources: JSON or YAML, kept as they are; unknown fields are what the
      // schema prunes.
      if (in == kProtobuf) {
        return ApiError::UnsupportedMediaType("the body of the request was in an unknown format - accepted media types "
                                              "include: application/json, application/yaml");
      }
      auto v = in == kYaml ? api::ParseYaml(req.body) : api::ParseJson(req.body, &dups);
      if (!v.ok()) return ApiError::BadRequest(std::string(v.status().message()));
      default_type(*v);
      if (!v->is_object()) return ApiError::BadRequest("the body of the request is not a JSON object");
      std::string av = v->Find("apiVersion")->is_string() ? v->Find("apiVersion")->as_string() : "";
      std::string kd = v->Find("kind")->is_string() ? v->Find("kind")->as_string() : "";
      if (av != info->api_version()) {
        return ApiError::BadRequest("the API version in the data (" + av + ") does not match the expected API version (" +
                                    info->api_version() + ")");
      }
      if (kd != info->kind) {
        return ApiError::BadRequest("the kind in the data (" + kd + ") does not match the expected kind (" +
                                    std::string(info->kind) + ")");
      }
      if (crv && crv->schema) {
        api::Value copy = *v;
        std::vector<std::string> pruned;
        crv->schema->Prune(&copy, &pruned);
        for (std::string& p : pruned) unknown.push_back(p.starts_with(".") ? p.substr(1) : p);
      }
      auto decoded = typed::DecodeObjectAs(*info->custom_kind, *v, dopts);
      if (!decoded.ok()) return ApiError::BadRequest(cannot_handle(&*v) + std::string(decoded.status().message()));
      if (auto err = CheckFieldValidation(wq.validation, unknown, dups, &req, cannot_handle(&*v))) return std::move(*err);
      (*decoded)->SetTypeMetaFromKind();
      return std::move(decoded).value();
    }
    if (in == kProtobuf) {
      obj = typed::DecodeObjectProtobuf(im.scheme, req.body);
    } else {
      auto v = in == kYaml ? api::ParseYaml(req.body) : api::ParseJson(req.body, &dups);
      if (!v.ok()) return ApiError::BadRequest(std::string(v.status().message()));
      default_type(*v);
      body_value = std::move(v).value();
      obj = typed::DecodeObject(im.scheme, body_value, dopts);
      if (!obj.ok() && body_value.is_object()) {
        // The body is of this endpoint's kind but does not decode: kube's wording.
        const api::Value* av = body_value.Find("apiVersion");
        const api::Value* kd = body_value.Find("kind");
        if (av && kd && av->is_string() && kd->is_string() && av->as_string() == info->api_version() &&
            kd->as_string() == info->kind) {
          return ApiError::BadRequest(cannot_handle(&body_value) + std::string(obj.status().message()));
        }
      }
    }
    if (!obj.ok()) return ApiError::BadRequest(std::string(obj.status().message()));
    if (auto err = CheckFieldValidation(wq.validation, unknown, dups, &req, cannot_handle(&body_value))) {
      return std::move(*err);
    }
    const typed::KindEntry& k = (*obj)->kind();
    if (k.group != info->group || k.version != info->version) {
      return ApiError::BadRequest("the API version in the data (" + k.api_version() +
                                  ") does not match the expected API version (" + info->api_version() + ")");
    }
    if (k.kind != info->kind) {
      return ApiError::BadRequest("the kind in the data (" + std::string(k.kind) +
                                  ") does not match the expected kind (" + std::string(info->kind) + ")");
    }
    return std::move(obj).value();
  };

  // Selectors for list, watch and deletecollection.
  auto build_filter = [&](registry::ObjectFilter* filter) -> std::optional<ApiError> {
    std::string label_text(req.Query("labelSelector").value_or(""));
    std::string field_text(req.Query("fieldSelector").value_or(""));
    std::shared_ptr<registry::LabelSelector> labels;
    std::shared_ptr<registry::FieldSelector> fields;
    if (!label_text.empty()) {
      auto ls = registry::ParseLabelSelector(label_text);
      if (!ls.ok()) return ApiError::BadRequest(std::string(ls.status().message()));
      if (!ls->empty()) labels = std::make_shared<registry::LabelSelector>(std::move(ls).value());
    }
    if (!field_text.empty()) {
      auto fs = registry::ParseFieldSelector(field_text);
      if (!fs.ok()) return ApiError::BadRequest(std::string(fs.status().message()));
      auto converted = [&] {
        if (crv == nullptr) return registry::ConvertFieldSelector(*fs, info->group, info->version, info->resource);
        std::vector<std::string> selectable;
        for (const auto& [name, path] : crv->selectable_fields) selectable.push_back(name);
        return registry::ConvertCustomResourceFieldSelector(*fs, info->namespaced, selectable);
      }();
      if (!converted.ok()) return ApiError::BadRequest(std::string(converted.status().message()));
      if (!converted->empty()) fields = std::make_shared<registry::FieldSelector>(std::move(converted).value());
    }
    if (labels || fields) {
      filter->matches = [labels, fields, crv](const typed::Object& o) {
        const meta::ObjectMeta* om = o.object_meta();
        if (labels && (om == nullptr || !labels->Matches(om->Labels))) return false;
        if (fields && crv) {
          return fields->Matches([&o, &crv](std::string_view f) { return CustomFieldValue(*crv, o, f); });
        }
        if (fields && !fields->Matches([&o](std::string_view f) { return registry::FieldValue(o, f); })) return false;
        return true;
      };
    }
    return std::nullopt;
  };

  if (m == "GET" && (collection || watch)) {
    registry::ObjectFilter filter;
    if (auto err = build_filter(&filter)) {
      co_await im.SendError(req, w, *err, &out);
      co_return;
    }
    if (!collection) {
      // A watch of one object (.../watch/.../<name> or ?watch on .../<name>): kube turns
      // it into fieldSelector=metadata.name=<name>.
      auto fs = registry::ParseFieldSelector(req.Query("fieldSelector").value_or(""));
      if (fs.ok()) {
        if (Status s = registry::CheckSelectorMatchesName(*fs, rp.name); !s.ok()) {
          co_await im.SendError(req, w, ApiError::BadRequest(std::string(s.message())), &out);
          co_return;
        }
      }
      auto inner = std::move(filter.matches);
      filter.matches = [inner, name = rp.name](const typed::Object& o) {
        const meta::ObjectMeta* om = o.object_meta();
        return om != nullptr && om->Name == name && (!inner || inner(o));
      };
    }
    if (watch) {
      registry::WatchOptions wo;
      wo.resource_version = std::string(req.Query("resourceVersion").value_or(""));
      wo.resource_version_match = std::string(req.Query("resourceVersionMatch").value_or(""));
      if (auto b = req.Query("allowWatchBookmarks")) ParseBool(*b, &wo.allow_bookmarks);
      if (auto s = req.Query("sendInitialEvents")) {
        wo.send_initial_events_set = ParseBool(*s, &wo.send_initial_events);
      }
      wo.filter = std::move(filter);
      wo.bookmark_interval = options_.watch_bookmark_interval;
      std::chrono::milliseconds timeout;
      if (auto ts = req.Query("timeoutSeconds"); ts && !ts->empty()) {
        int64_t secs = 0;
        if (!ParseInt(*ts, &secs)) {
          co_await im.SendError(req, w, ApiError::BadRequest("invalid timeoutSeconds: " + std::string(*ts)), &out);
          co_return;
        }
        timeout = std::chrono::seconds(std::max<int64_t>(secs, 0));
      } else {
        static thread_local std::mt19937 rng(std::random_device{}());
        double f = std::uniform_real_distribution<double>(0, 1)(rng);
        timeout = std::chrono::milliseconds(
            static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(options_.min_request_timeout).count() * (1 + f)));
      }
      co_await im.ServeWatch(req, w, *info, ns, std::move(wo), out, timeout);
      co_return;
    }
    registry::ListOptions lo;
    lo.resource_version = std::string(req.Query("resourceVersion").value_or(""));
    lo.resource_version_match = std::string(req.Query("resourceVersionMatch").value_or(""));
    lo.continue_token = std::string(req.Query("continue").value_or(""));
    if (auto l = req.Query("limit"); l && !l->empty()) {
      if (!ParseInt(*l, &lo.limit)) {
        co_await im.SendError(req, w, ApiError::BadRequest("invalid limit: " + std::string(*l)), &out);
        co_return;
      }
    }
    if (auto s = req.Query("sendInitialEvents"); s && !s->empty()) {
      std::vector<registry::FieldCause> causes;
      causes.push_back({"FieldValueForbidden", "Forbidden: sendInitialEvents is forbidden for list", "sendInitialEvents"});
      ApiError err = ApiError::Invalid("meta.k8s.io", "ListOptions", "", causes);
      co_await im.SendError(req, w, err, &out);
      co_return;
    }
    lo.filter = std::move(filter);
    auto page = registry_->List(*info, ns, lo);
    if (!page.ok()) {
      co_await im.SendError(req, w, page.error(), &out);
      co_return;
    }
    co_await im.SendList(req, w, *info, *page, out);
    co_return;
  }

  if (rp.subresource == "scale" && !collection && !watch) {
    co_await im.ServeScale(req, w, *info, ns, rp.name, wq, wopts, out);
    co_return;
  }

  if (m == "GET") {
    auto obj = registry_->Get(*info, ns, rp.name, req.Query("resourceVersion").value_or(""));
    if (!obj.ok()) {
      co_await im.SendError(req, w, obj.error(), &out);
      co_return;
    }
    co_await im.SendObject(req, w, *info, **obj, out, 200);
    co_return;
  }

  if (m == "POST" && collection) {
    if (!info->HasVerb("create")) {
      co_await im.SendError(req, w, MethodNotAllowed(), &out);
      co_return;
    }
    auto obj = decode_body();
    if (!obj.ok()) {
      co_await im.SendError(req, w, obj.error(), &out);
      co_return;
    }
    auto created = registry_->Create(*info, ns, std::move(obj).value(), wopts);
    if (!created.ok()) {
      co_await im.SendError(req, w, created.error(), &out);
      co_return;
    }
    if (!dry_run) im.AwaitCrdCatalog(*info);
    co_await im.SendObject(req, w, *info, **created, out, 201);
    co_return;
  }

  if (m == "PUT" && !collection) {
    if (!info->HasVerb("update")) {
      co_await im.SendError(req, w, MethodNotAllowed(), &out);
      co_return;
    }
    auto obj = decode_body();
    if (!obj.ok()) {
      co_await im.SendError(req, w, obj.error(), &out);
      co_return;
    }
    ApiResult<std::unique_ptr<typed::Object>> updated = ApiError::Internal("unreachable");
    if (rp.subresource == "status") {
      // Only the status changes through /status: the rest is the stored object's.
      std::shared_ptr<typed::Object> given(std::move(obj).value());
      registry::UpdateFunc fn = [&im, given](const typed::Object* cur) -> ApiResult<std::unique_ptr<typed::Object>> {
        return MergeStatusInto(im.scheme, *cur, *given);
      };
      auto r = registry_->Patch(*info, ns, rp.name, fn, wopts);
      if (r.ok()) {
        updated = std::move(r->object);
      } else {
        updated = std::move(r).error();
      }
    } else {
      updated = registry_->Update(*info, ns, rp.name, std::move(obj).value(), wopts);
    }
    if (!updated.ok()) {
      co_await im.SendError(req, w, updated.error(), &out);
      co_return;
    }
    if (!dry_run) im.AwaitCrdCatalog(*info);
    co_await im.SendObject(req, w, *info, **updated, out, 200);
    co_return;
  }

  if (m == "DELETE") {
    registry::DeleteOptions dopts;
    dopts.dry_run = dry_run;
    if (!req.body.empty()) {
      // DeleteOptions: preconditions (and propagationPolicy, which we do not need).
      auto v = api::ParseJson(req.body);
      if (v.ok() && v->is_object()) {
        if (const api::Value* pre = v->Find("preconditions"); pre && pre->is_object()) {
          if (const api::Value* uid = pre->Find("uid"); uid && uid->is_string()) dopts.precondition_uid = uid->as_string();
          if (const api::Value* rv = pre->Find("resourceVersion"); rv && rv->is_string()) {
            dopts.precondition_resource_version = rv->as_string();
          }
        }
        if (const api::Value* dr = v->Find("dryRun"); dr && dr->is_array() && !dr->as_array().empty()) {
          dopts.dry_run = true;
        }
      }
    }
    if (collection) {
      if (!info->HasVerb("deletecollection")) {
        co_await im.SendError(req, w, MethodNotAllowed(), &out);
        co_return;
      }
      registry::ListOptions lo;
      if (auto err = build_filter(&lo.filter)) {
        co_await im.SendError(req, w, *err, &out);
        co_return;
      }
      auto page = registry_->DeleteCollection(*info, ns, lo, dopts.dry_run);
      if (!page.ok()) {
        co_await im.SendError(req, w, page.error(), &out);
        co_return;
      }
      co_await im.SendList(req, w, *info, *page, out);
      co_return;
    }
    if (!info->HasVerb("delete")) {
      co_await im.SendError(req, w, MethodNotAllowed(), &out);
      co_return;
    }
    auto deleted = registry_->Delete(*info, ns, rp.name, dopts);
    if (!deleted.ok()) {
      co_await im.SendError(req, w, deleted.error(), &out);
      co_return;
    }
    if (!dopts.dry_run) im.AwaitCrdCatalog(*info);
    if (deleted->object) {
      co_await im.SendObject(req, w, *info, *deleted->object, out, 200);
    } else {
      auto st = im.status_kind->New();
      *st->As<meta::Status>() = deleted->status;
      Output o = out;
      o.target = Output::Target::kNone;
      std::string body;
      (void)im.EncodeObject(*st, o, &body);
      co_await im.SendBody(req, w, 200, Impl::BaseHeaders(o.ContentType()), std::move(body));
    }
    co_return;
  }

  if (m == "PATCH" && !collection) {
    bool allowed = info->HasVerb("patch");
    if (!rp.subresource.empty()) {
      const typed::SubresourceInfo* sub = info->FindSubresource(rp.subresource);
      allowed = sub != nullptr && std::find(sub->verbs.begin(), sub->verbs.end(), "patch") != sub->verbs.end();
    }
    if (!allowed) {
      co_await im.SendError(req, w, MethodNotAllowed(), &out);
      co_return;
    }
    auto r = im.PatchObject(req, *info, ns, rp.name, rp.subresource, wq, wopts, apply_patch);
    if (!r.ok()) {
      co_await im.SendError(req, w, r.error(), &out);
      co_return;
    }
    if (!dry_run) im.AwaitCrdCatalog(*info);
    co_await im.SendObject(req, w, *info, *r->object, out, r->created ? 201 : 200);
    co_return;
  }
  co_await im.SendError(req, w, MethodNotAllowed(), &out);
}

}  // namespace kstream::server
