#include "registry/registry.h"

#include <charconv>
#include <random>
#include <thread>

#include "api/fieldmanager/field_manager.h"
#include "api/json.h"
#include "api/openapi/definitions.h"
#include "api/typed/scheme.h"
#include "api/typed/unstructured.h"
#include "api/k8s/core/v1/types.h"
#include "collection/stored_proto.h"
#include "registry/continue_token.h"
#include "registry/custom_resources.h"
#include "registry/label_selector.h"
#include "registry/validation.h"
#include "registry/storage_layout.h"

namespace kstream::registry {

namespace meta = k8s::meta::v1;
using storage::Revision;

namespace {

// Records a write in the object's managedFields (kube's fieldmanager Update): the fields
// `obj` changed against `old` (nullptr: a create) now belong to the write's manager.
std::optional<ApiError> TrackManagedFields(const typed::ResourceInfo& info, const typed::Object* old,
                                           std::unique_ptr<typed::Object>& obj, const WriteOptions& options,
                                           const k8s::meta::v1::Time& now, const api::SchemaNode& schema) {
  if (options.managed_fields_done) return std::nullopt;
  auto to_value = [](const typed::Object& o) -> Result<api::Value> {
    auto copy = o.Clone();
    std::string json;
    KS_RETURN_IF_ERROR(typed::AppendObjectJson(*copy, &json));
    return api::ParseJson(json);
  };
  api::Value live;
  if (old != nullptr) {
    auto v = to_value(*old);
    if (!v.ok()) return ApiError::Internal(std::string(v.status().message()));
    live = std::move(v).value();
  }
  auto updated = to_value(*obj);
  if (!updated.ok()) return ApiError::Internal(std::string(updated.status().message()));
  api::fieldmanager::WriteContext ctx =
      ManagedFieldsContext(info, options.field_manager, options.subresource, now.FormatRfc3339());
  auto tracked = api::fieldmanager::Update(live, std::move(updated).value(), schema, ctx);
  if (!tracked.ok()) return ApiError::Internal(std::string(tracked.status().message()));
  auto back = typed::DecodeObjectAs(obj->kind(), *tracked);
  if (!back.ok()) return ApiError::Internal(std::string(back.status().message()));
  obj = std::move(back).value();
  obj->SetTypeMetaFromKind();
  CanonicalizeManagedFields(obj->object_meta());
  return std::nullopt;
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  return rng;
}

GroupResource GR(const typed::ResourceInfo& info) { return GroupResource{info.group, info.resource}; }

std::string Prefix(const typed::ResourceInfo& info) {
  return ResourcePrefix(info.group, info.resource, /*built_in=*/!info.custom());
}

StorageFormat FormatFor(const typed::ResourceInfo& info) { return StorageFormatFor(info.group, !info.custom()); }

// Parses a resourceVersion ("" and "0" are 0). kube: APIObjectVersioner.ParseResourceVersion.
std::optional<Revision> ParseRv(std::string_view rv) {
  if (rv.empty()) return Revision{0};
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), v);
  if (ec != std::errc() || p != rv.data() + rv.size() || v > static_cast<uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return static_cast<Revision>(v);
}

ApiError InvalidRv(std::string_view rv) {
  std::string q(rv);
  return ApiError::BadRequest("resourceVersion: Invalid value: \"" + q + "\": strconv.ParseUint: parsing \"" + q +
                              "\": invalid syntax");
}

// The object's namespace from the request: filled in when empty, a 400 when it differs;
// cleared for cluster-scoped resources.
std::optional<ApiError> SetNamespace(const typed::ResourceInfo& info, std::string_view ns, meta::ObjectMeta* m) {
  if (!info.namespaced) {
    m->Namespace.clear();
  } else if (m->Namespace.empty()) {
    m->Namespace = std::string(ns);
  } else if (m->Namespace != ns) {
    return ApiError::BadRequest("the namespace of the object (" + m->Namespace +
                                ") does not match the namespace on the request (" + std::string(ns) + ")");
  }
  return std::nullopt;
}

// Kinds whose strategy sets metadata.generation (1 on create, +1 when the spec changes).
bool TracksGeneration(const typed::ResourceInfo& info) {
  if (info.custom()) return true;
  static const std::vector<std::pair<std::string_view, std::string_view>> kTracked = {
      {"apps", "deployments"},
      {"apps", "statefulsets"},
      {"apps", "daemonsets"},
      {"apps", "replicasets"},
      {"", "replicationcontrollers"},
      {"batch", "jobs"},
      {"batch", "cronjobs"},
      {"policy", "poddisruptionbudgets"},
      {"networking.k8s.io", "networkpolicies"},
      {"networking.k8s.io", "ingresses"},
      {"autoscaling", "horizontalpodautoscalers"},
      {"admissionregistration.k8s.io", "validatingwebhookconfigurations"},
      {"admissionregistration.k8s.io", "mutatingwebhookconfigurations"},
      {"admissionregistration.k8s.io", "validatingadmissionpolicies"},
      {"admissionregistration.k8s.io", "validatingadmissionpolicybindings"},
      {"apiextensions.k8s.io", "customresourcedefinitions"},
      {"flowcontrol.apiserver.k8s.io", "flowschemas"},
      {"flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"},
  };
  for (const auto& [g, r] : kTracked) {
    if (info.group == g && info.resource == r) return true;
  }
  return false;
}

// Resources whose DELETE answers with the deleted object rather than a Status.
bool ReturnsDeletedObject(const typed::ResourceInfo& info) {
  if (!info.group.empty()) return false;
  return info.resource == "pods" || info.resource == "services" || info.resource == "namespaces";
}

// The object without metadata and status, as JSON: what a spec change is measured by.
// Custom resources count everything outside metadata, status too unless the CRD has the
// status subresource (kube's customresource strategy).
std::string SpecFingerprint(typed::Object& obj, bool keep_status = false) {
  std::string json;
  if (!typed::AppendObjectJson(obj, &json).ok()) return json;
  auto v = api::ParseJson(json);
  if (!v.ok() || !v->is_object()) return json;
  v->Erase("metadata");
  if (!keep_status) v->Erase("status");
  std::string out;
  if (!api::AppendJson(*v, &out).ok()) return json;
  return out;
}

// Re-types an object decoded from storage to the endpoint's kind when another version of
// the resource stored it (no conversion functions yet: fields are matched by JSON name).
Result<std::unique_ptr<typed::Object>> AsEndpointKind(const typed::Scheme& scheme, const typed::ResourceInfo& info,
                                                      std::unique_ptr<typed::Object> obj) {
  const typed::KindEntry& k = obj->kind();
  if (k.kind == info.kind && k.group == info.group && k.version == info.version) return obj;
  std::string json;
  KS_RETURN_IF_ERROR(typed::AppendObjectJson(*obj, &json));
  KS_ASSIGN_OR_RETURN(api::Value v, api::ParseJson(json));
  v.Set("apiVersion", info.api_version());
  v.Set("kind", std::string(info.kind));
  return typed::DecodeObject(scheme, v);
}

// A stored object as the endpoint's kind, resourceVersion = `mod_revision`. Custom
// resources are stored as JSON in their storage version; conversion is None (kube's
// default): the object is served in the endpoint's version as it is.
Result<std::unique_ptr<typed::Object>> DecodeForEndpoint(const typed::Scheme& scheme, const typed::ResourceInfo& info,
                                                         std::string_view value, Revision mod_revision) {
  if (info.custom()) {
    KS_ASSIGN_OR_RETURN(api::Value v, api::ParseJson(value));
    auto obj = std::make_unique<typed::UnstructuredObject>(info.custom_kind);
    typed::DecodeContext ctx;
    KS_RETURN_IF_ERROR(obj->DecodeValue(std::move(v), ctx));
    obj->SetTypeMetaFromKind();
    obj->object_meta()->ResourceVersion = std::to_string(mod_revision);
    return std::unique_ptr<typed::Object>(std::move(obj));
  }
  KS_ASSIGN_OR_RETURN(auto obj, DecodeFromStorage(value, mod_revision));
  return AsEndpointKind(scheme, info, std::move(obj));
}

// An ItemSource over one storage snapshot of a key range: decodes each stored object
// (resourceVersion = its mod revision) and skips those the filter rejects. Without a
// filter, protobuf lists take the stored bytes as they are where they can
// (collection::StoredProtoSource).
class StoreItemSource final : public collection::ItemSource<typed::Object>, public collection::StoredProtoSource {
 public:
  StoreItemSource(const typed::Scheme* scheme, const typed::ResourceInfo* info,
                  std::unique_ptr<storage::RangeIterator> it, ObjectFilter filter)
      : scheme_(scheme),
        info_(info),
        api_version_(info->api_version()),
        it_(std::move(it)),
        filter_(std::move(filter)) {}

  Result<const typed::Object*> Next() override {
    while (true) {
      KS_ASSIGN_OR_RETURN(const storage::KeyValueView* kv, it_->Next());
      if (kv == nullptr) return static_cast<const typed::Object*>(nullptr);
      KS_RETURN_IF_ERROR(Decode(*kv));
      if (filter_(*current_)) return static_cast<const typed::Object*>(current_.get());
    }
  }

  Status NextStoredProto(const collection::StoredProtoItem** stored, const typed::Object** object) override {
    *stored = nullptr;
    if (!filter_.empty()) {
      KS_ASSIGN_OR_RETURN(*object, Next());
      return Status::Ok();
    }
    *object = nullptr;
    KS_ASSIGN_OR_RETURN(const storage::KeyValueView* kv, it_->Next());
    if (kv == nullptr) return Status::Ok();
    if (collection::ParseStoredProto(kv->value, api_version_, info_->kind, &stored_)) {
      rv_ = std::to_string(kv->mod_revision);
      stored_.rv = rv_;
      *stored = &stored_;
      return Status::Ok();
    }
    KS_RETURN_IF_ERROR(Decode(*kv));
    *object = current_.get();
    return Status::Ok();
  }

  Status Rewind() override { return it_->Rewind(); }

 private:
  Status Decode(const storage::KeyValueView& kv) {
    auto obj = DecodeForEndpoint(*scheme_, *info_, kv.value, kv.mod_revision);
    if (!obj.ok()) {
      return Internal("decoding " + std::string(kv.key) + ": " + std::string(obj.status().message()));
    }
    current_ = std::move(obj).value();
    // Items of a built-in list carry no kind/apiVersion, as kube's (only the list is
    // versioned; kubernetes/kubernetes#3030).
    if (auto* tm = current_->type_meta()) *tm = {};
    return Status::Ok();
  }

  const typed::Scheme* scheme_;
  const typed::ResourceInfo* info_;
  std::string api_version_;
  std::unique_ptr<storage::RangeIterator> it_;
  ObjectFilter filter_;
  std::unique_ptr<typed::Object> current_;
  collection::StoredProtoItem stored_;
  std::string rv_;
};

// What kube's Secret decoding does to every written Secret: the type defaults to Opaque
// (SetDefaults_Secret) and stringData is merged into data, overwriting, then dropped
// (Convert_v1_Secret_To_core_Secret; the internal type has no stringData).
void NormalizeSecret(typed::Object& obj) {
  auto* secret = obj.As<k8s::core::v1::Secret>();
  if (secret == nullptr) return;
  if (secret->Type.empty()) secret->Type = "Opaque";
  if (secret->StringData.empty()) {
    secret->StringData.set_nil();
    return;
  }
  for (const auto& [k, v] : secret->StringData) secret->Data[k].assign_bytes(v);
  secret->Data.set_non_nil();
  secret->StringData.set_nil();
}

constexpr const char* kExpiredContinue =
    "The provided continue parameter is too old to display a consistent list result. You can start a new "
    "list without the continue parameter, or use the continue token in this response to retrieve the "
    "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
    "that were created, modified, or deleted between the time the first chunk was returned and now may show "
    "up in the list.";

constexpr const char* kModifiedMessage =
    "the object has been modified; please apply your changes to the latest version and try again";

}  // namespace

// ---------------------------------------------------------------------------------------

std::string_view WatchEvent::TypeName(Type t) {
  switch (t) {
    case Type::kAdded:
      return "ADDED";
    case Type::kModified:
      return "MODIFIED";
    case Type::kDeleted:
      return "DELETED";
    case Type::kBookmark:
      return "BOOKMARK";
    case Type::kError:
      return "ERROR";
  }
  return "ERROR";
}

api::fieldmanager::WriteContext ManagedFieldsContext(const typed::ResourceInfo& info, std::string_view manager,
                                                     std::string_view subresource, std::string_view now) {
  api::fieldmanager::WriteContext ctx;
  ctx.manager = std::string(manager);
  ctx.api_version = info.api_version();
  ctx.kind = std::string(info.kind);
  ctx.subresource = std::string(subresource);
  ctx.now = std::string(now);
  ctx.custom_resource = info.custom();
  if (subresource.empty() && info.FindSubresource("status") != nullptr) {
    api::fieldmanager::Path status;
    status.push_back(api::fieldmanager::PathElement::Field("status"));
    ctx.reset_fields.Insert(status);
  }
  return ctx;
}

void CanonicalizeManagedFields(k8s::meta::v1::ObjectMeta* meta) {
  if (meta == nullptr) return;
  for (auto& entry : meta->ManagedFields) {
    if (!entry.FieldsV1) continue;
    std::string_view raw(entry.FieldsV1->raw);
    auto set = api::fieldmanager::FieldSet::FromFieldsV1Json(raw);
    if (!set.ok()) continue;
    *entry.FieldsV1 = k8s::meta::v1::FieldsV1(set->ToFieldsV1Json());
  }
}

std::string NewUuid() {
  uint64_t a = Rng()(), b = Rng()();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
           static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
           static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string RandomNameSuffix() {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string s;
  for (int i = 0; i < 5; ++i) s.push_back(kAlphabet[Rng()() % kAlphabet.size()]);
  return s;
}

std::vector<FieldCause> ValidateObjectName(const typed::ResourceInfo& info, std::string_view name) {
  std::vector<FieldCause> causes;
  bool label = info.group.empty() && info.resource == "namespaces";
  if (label) {
    if (!IsDns1123Label(name)) {
      std::string msg = "Invalid value: " + GoQuote(name) + ": ";
      if (name.size() > 63) {
        msg += "must be no more than 63 characters";
      } else {
        msg +=
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
            "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
            "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
      }
      causes.push_back({"FieldValueInvalid", msg, "metadata.name"});
    }
  } else if (!IsDns1123Subdomain(name)) {
    std::string msg = "Invalid value: " + GoQuote(name) + ": ";
    if (name.size() > 253) {
      msg += "must be no more than 253 characters";
    } else {
      msg +=
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
          "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
          "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    }
    causes.push_back({"FieldValueInvalid", msg, "metadata.name"});
  }
  return causes;
}

// ---------------------------------------------------------------------------------------

Registry::Registry(storage::Store* store, const typed::Scheme* scheme, RegistryOptions options)
    : store_(store), scheme_(scheme), options_(std::move(options)) {}

Registry::~Registry() {
  {
    std::lock_guard<std::mutex> lock(ns_mu_);
    ns_stop_ = true;
  }
  ns_cv_.notify_all();
  if (ns_worker_.joinable()) ns_worker_.join();
}

void Registry::EnqueueNamespaceCleanup(std::string ns) {
  std::lock_guard<std::mutex> lock(ns_mu_);
  if (std::find(ns_pending_.begin(), ns_pending_.end(), ns) != ns_pending_.end()) return;
  ns_pending_.push_back(std::move(ns));
  if (!ns_worker_.joinable()) ns_worker_ = std::thread([this] { NamespaceWorker(); });
  ns_cv_.notify_all();
}

void Registry::NamespaceWorker() {
  const typed::ResourceInfo* ns_info = scheme_->FindResource("", "v1", "namespaces");
  std::unique_lock<std::mutex> lock(ns_mu_);
  while (true) {
    ns_cv_.wait(lock, [this] { return ns_stop_ || !ns_pending_.empty(); });
    if (ns_stop_) return;
    std::string ns = std::move(ns_pending_.front());
    ns_pending_.pop_front();
    ++ns_busy_;
    lock.unlock();
    // Empty the namespace, then remove it (kube: the namespace controller, then the
    // "kubernetes" finalizer). On a storage error, try again a little later.
    bool done = false;
    if (DeleteNamespaceContents(ns).ok()) {
      std::string key = ObjectKey(Prefix(*ns_info), "", ns);
      auto cur = store_->Get(key);
      if (!cur.ok()) {
        done = cur.status().code() == StatusCode::kNotFound;
      } else {
        auto del = store_->Delete(key, cur->mod_revision);
        done = del.ok() || del.status().code() == StatusCode::kNotFound;
      }
    }
    lock.lock();
    --ns_busy_;
    if (!done && !ns_stop_) {
      ns_pending_.push_back(ns);
      ns_cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return ns_stop_; });
    }
    ns_cv_.notify_all();
  }
}

bool Registry::WaitForNamespaceCleanup(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(ns_mu_);
  return ns_cv_.wait_for(lock, timeout, [this] { return ns_pending_.empty() && ns_busy_ == 0; });
}

std::string Registry::CollectionKeyFor(const typed::ResourceInfo& info, std::string_view ns) const {
  return CollectionKey(Prefix(info), info.namespaced ? ns : std::string_view());
}

Status Registry::Bootstrap() {
  const typed::ResourceInfo* ns_info = scheme_->FindResource("", "v1", "namespaces");
  if (ns_info == nullptr) return Internal("the scheme has no namespaces resource");
  const typed::KindEntry* kind = scheme_->Find("v1", "Namespace");
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    auto existing = store_->Get(ObjectKey(Prefix(*ns_info), "", name));
    if (existing.ok()) continue;
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    auto obj = kind->New();
    obj->object_meta()->Name = name;
    WriteOptions by_server;
    by_server.field_manager = "kube-apiserver";
    auto created = Create(*ns_info, "", std::move(obj), by_server);
    if (!created.ok() && created.error().code() != 409) {
      return Internal("creating namespace " + std::string(name) + ": " + std::string(created.error().message()));
    }
  }
  // Namespaces that were terminating when the server stopped.
  auto page = List(*ns_info, "", {});
  if (!page.ok()) return Internal(std::string(page.error().message()));
  while (true) {
    auto item = page->items->Next();
    if (!item.ok()) return item.status();
    if (*item == nullptr) break;
    if ((*item)->object_meta()->DeletionTimestamp) EnqueueNamespaceCleanup((*item)->object_meta()->Name);
  }
  return Status::Ok();
}

std::optional<ApiError> Registry::CheckNamespaceExists(std::string_view ns) {
  const typed::ResourceInfo* ns_info = scheme_->FindResource("", "v1", "namespaces");
  auto got = store_->Get(ObjectKey(Prefix(*ns_info), "", ns));
  if (got.ok()) {
    auto obj = DecodeFromStorage(got->value, got->mod_revision);
    if (obj.ok() && (*obj)->object_meta()->DeletionTimestamp) {
      return ApiError::Make(403, "Forbidden", "");  // completed by the caller (it knows the object)
    }
    return std::nullopt;
  }
  if (got.status().code() == StatusCode::kNotFound) return ApiError::NotFound({"", "namespaces"}, ns);
  return ApiError::FromStorage(got.status(), {"", "namespaces"}, ns);
}

ApiResult<std::unique_ptr<typed::Object>> Registry::Get(const typed::ResourceInfo& info, std::string_view ns,
                                                        std::string_view name, std::string_view resource_version) {
  auto rv = ParseRv(resource_version);
  if (!rv) return InvalidRv(resource_version);
  // GET with a resourceVersion is "not older than"; we always read the latest.
  if (*rv > 0) {
    auto ok = ResolveNotOlderThan(*rv);
    if (!ok.ok()) return std::move(ok).error();
  }
  auto kv = store_->Get(ObjectKey(Prefix(info), info.namespaced ? ns : "", name));
  if (!kv.ok()) return ApiError::FromStorage(kv.status(), GR(info), name);
  auto obj = DecodeForEndpoint(*scheme_, info, kv->value, kv->mod_revision);
  if (!obj.ok()) return ApiError::Internal(std::string(obj.status().message()));
  return std::move(obj).value();
}

std::optional<ApiError> Registry::PrepareForCreate(const typed::ResourceInfo& info, std::string_view ns,
                                                   typed::Object& obj) {
  meta::ObjectMeta* m = obj.object_meta();
  if (m == nullptr) return ApiError::BadRequest("the object has no metadata");
  if (auto err = SetNamespace(info, ns, m)) return std::move(*err);
  if (!m->ResourceVersion.empty()) {
    return ApiError::Unknown("resourceVersion should not be set on objects to be created");
  }
  if (m->Name.empty() && !m->GenerateName.empty()) {
    m->Name = m->GenerateName.substr(0, 58) + RandomNameSuffix();
  }
  if (m->Name.empty()) {
    return ApiError::Invalid(info.group, info.kind, "",
                             {{"FieldValueRequired", "Required value: name or generateName is required",
                               "metadata.name"}});
  }
  if (auto causes = ValidateObjectName(info, m->Name); !causes.empty()) {
    return ApiError::Invalid(info.group, info.kind, m->Name, causes);
  }
  m->CreationTimestamp = options_.now();
  m->UID = NewUuid();
  m->SelfLink.clear();
  m->DeletionTimestamp.reset();
  m->DeletionGracePeriodSeconds.reset();
  m->Generation = TracksGeneration(info) ? 1 : 0;
  NormalizeSecret(obj);
  if (auto* nsobj = obj.As<k8s::core::v1::Namespace>()) {
    // The namespace strategy: the "kubernetes" finalizer, phase Active, and the
    // kubernetes.io/metadata.name label.
    if (nsobj->Spec.Finalizers.empty()) nsobj->Spec.Finalizers.push_back("kubernetes");
    nsobj->Status = {};
    nsobj->Status.Phase = "Active";
    nsobj->ObjectMeta.Labels["kubernetes.io/metadata.name"] = nsobj->ObjectMeta.Name;
  }
  return std::nullopt;
}

ApiResult<std::unique_ptr<typed::Object>> Registry::Create(const typed::ResourceInfo& info, std::string_view ns,
                                                           std::unique_ptr<typed::Object> obj,
                                                           const WriteOptions& options) {
  if (auto err = PrepareForCreate(info, ns, *obj)) return std::move(*err);
  if (auto err = ApplyStrategy(info, obj, nullptr, options)) return std::move(*err);
  if (auto err = TrackManagedFields(info, nullptr, obj, options, options_.now(), SchemaFor(info))) return std::move(*err);
  meta::ObjectMeta* m = obj->object_meta();
  if (info.namespaced) {
    if (auto err = CheckNamespaceExists(m->Namespace)) {
      if (err->code() == 403) {
        return ApiError::Forbidden(GR(info), m->Name,
                                   "unable to create new content in namespace " + m->Namespace +
                                       " because it is being terminated");
      }
      return std::move(*err);
    }
  }
  auto bytes = EncodeForStorage(*obj, FormatFor(info));
  if (!bytes.ok()) return ApiError::Internal(std::string(bytes.status().message()));
  std::string key = ObjectKey(Prefix(info), m->Namespace, m->Name);
  if (options.dry_run) {
    auto existing = store_->Get(key);
    if (existing.ok()) return ApiError::AlreadyExists(GR(info), m->Name);
    return obj;
  }
  auto rev = store_->Create(key, *bytes);
  if (!rev.ok()) {
    if (rev.status().code() == StatusCode::kAlreadyExists && !m->GenerateName.empty()) {
      return ApiError::GenerateNameConflict(GR(info), m->Name, 1);
    }
    return ApiError::FromStorage(rev.status(), GR(info), m->Name);
  }
  m->ResourceVersion = std::to_string(*rev);
  return obj;
}

api::SchemaNode Registry::SchemaFor(const typed::ResourceInfo& info) const {
  if (info.custom()) {
    if (crds_ == nullptr) return {};
    auto v = crds_->ForInfo(&info);
    // Versions are never freed: the schema outlives the node.
    if (v == nullptr || v->openapi_schema.is_null()) return {};
    return api::SchemaNode(nullptr, &v->openapi_schema);
  }
  return api::BuiltinKindSchema(info.group, info.version, info.kind);
}

std::optional<ApiError> Registry::ApplyStrategy(const typed::ResourceInfo& info, std::unique_ptr<typed::Object>& obj,
                                                const typed::Object* old, const WriteOptions& options) {
  const bool crd = info.group == "apiextensions.k8s.io" && info.resource == "customresourcedefinitions";
  if (!info.custom() && !crd) return std::nullopt;
  auto to_value = [](const typed::Object& o) -> Result<api::Value> {
    auto copy = o.Clone();
    std::string json;
    KS_RETURN_IF_ERROR(typed::AppendObjectJson(*copy, &json));
    return api::ParseJson(json);
  };
  auto v = to_value(*obj);
  if (!v.ok()) return ApiError::Internal(std::string(v.status().message()));
  std::optional<api::Value> ov;
  if (old != nullptr) {
    auto o = to_value(*old);
    if (!o.ok()) return ApiError::Internal(std::string(o.status().message()));
    ov = std::move(o).value();
  }
  if (crd) {
    // The CRD strategy: a create starts without status; a main-resource update keeps it.
    if (options.subresource.empty()) {
      if (ov && ov->Find("status") != nullptr) {
        v->Set("status", *ov->Find("status"));
      } else {
        v->Erase("status");
      }
    }
    if (auto err = ValidateCustomResourceDefinition(&*v, ov ? &*ov : nullptr)) return err;
  } else {
    if (crds_ == nullptr) return std::nullopt;
    auto version = crds_->ForInfo(&info);
    if (version == nullptr) return ApiError::NotFound(GR(info), obj->object_meta()->Name);
    if (auto err = crds_->PrepareWrite(*version, &*v, ov ? &*ov : nullptr, options.subresource, nullptr)) return err;
  }
  auto back = typed::DecodeObjectAs(obj->kind(), *v);
  if (!back.ok()) return ApiError::BadRequest(std::string(back.status().message()));
  obj = std::move(back).value();
  obj->SetTypeMetaFromKind();
  return std::nullopt;
}

ApiResult<std::unique_ptr<typed::Object>> Registry::Update(const typed::ResourceInfo& info, std::string_view ns,
                                                           std::string_view name, std::unique_ptr<typed::Object> obj,
                                                           const WriteOptions& options) {
  std::shared_ptr<typed::Object> given(std::move(obj));
  UpdateFunc fn = [given](const typed::Object*) -> ApiResult<std::unique_ptr<typed::Object>> {
    return given->Clone();
  };
  auto r = GuaranteedUpdate(info, ns, name, fn, options, /*allow_create=*/false, /*put=*/true);
  if (!r.ok()) return std::move(r).error();
  return std::move(r->object);
}

ApiResult<WriteResult> Registry::Patch(const typed::ResourceInfo& info, std::string_view ns, std::string_view name,
                                       const UpdateFunc& fn, const WriteOptions& options, bool allow_create) {
  return GuaranteedUpdate(info, ns, name, fn, options, allow_create, /*put=*/false);
}

ApiResult<WriteResult> Registry::GuaranteedUpdate(const typed::ResourceInfo& info, std::string_view ns,
                                                  std::string_view name, const UpdateFunc& fn,
                                                  const WriteOptions& options, bool allow_create, bool put) {
  std::string obj_ns = info.namespaced ? std::string(ns) : std::string();
  std::string key = ObjectKey(Prefix(info), obj_ns, name);
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto cur = store_->Get(key);
    std::unique_ptr<typed::Object> old;
    if (cur.ok()) {
      auto decoded = DecodeForEndpoint(*scheme_, info, cur->value, cur->mod_revision);
      if (!decoded.ok()) return ApiError::Internal(std::string(decoded.status().message()));
      old = std::move(decoded).value();
    } else if (cur.status().code() != StatusCode::kNotFound || !allow_create) {
      return ApiError::FromStorage(cur.status(), GR(info), name);
    }
    auto produced = fn(old.get());
    if (!produced.ok()) return std::move(produced).error();
    std::unique_ptr<typed::Object> obj = std::move(produced).value();
    meta::ObjectMeta* m = obj->object_meta();
    if (m == nullptr) return ApiError::BadRequest("the object has no metadata");
    if (m->Name.empty()) m->Name = std::string(name);
    if (m->Name != name) {
      return ApiError::BadRequest("the name of the object (" + m->Name + ") does not match the name on the URL (" +
                                  std::string(name) + ")");
    }
    if (auto err = SetNamespace(info, ns, m)) return std::move(*err);

    if (old == nullptr) {
      // Apply to a missing object: a create (kube wipes the system fields first).
      if (!m->UID.empty()) {
        return ApiError::Conflict(GR(info), name,
                                  "uid mismatch: the provided object specified uid " + m->UID +
                                      ", and no existing object was found");
      }
      m->ResourceVersion.clear();
      m->CreationTimestamp = {};
      auto created = Create(info, ns, std::move(obj), options);
      if (!created.ok() && created.error().status.Reason == "AlreadyExists" && attempt + 1 < 16) continue;
      if (!created.ok()) return std::move(created).error();
      return WriteResult{std::move(created).value(), true};
    }

    std::optional<Revision> wanted;
    if (!m->ResourceVersion.empty()) {
      auto rv = ParseRv(m->ResourceVersion);
      if (!rv || *rv == 0) {
        return ApiError::Invalid(info.group, info.kind, name,
                                 {{"FieldValueInvalid", "Invalid value: " + GoQuote(m->ResourceVersion) +
                                                            ": must be a valid resource version",
                                   "metadata.resourceVersion"}});
      }
      wanted = *rv;
    }
    if (wanted && *wanted != cur->mod_revision) return ApiError::Conflict(GR(info), name, kModifiedMessage);
    // A patch carries the stored resourceVersion along: only a patch that sets another one
    // makes it a precondition (a lost race is then retried on the new state).
    if (!put && wanted) wanted.reset();
    meta::ObjectMeta* om = old->object_meta();
    if (!m->UID.empty() && m->UID != om->UID) {
      if (put) {
        return ApiError::Invalid(info.group, info.kind, name,
                                 {{"FieldValueInvalid", "Invalid value: " + GoQuote(m->UID) + ": field is immutable",
                                   "metadata.uid"}});
      }
      return ApiError::Conflict(GR(info), name,
                                "Precondition failed: UID in precondition: " + m->UID + ", UID in object meta: " + om->UID);
    }
    m->UID = om->UID;
    m->CreationTimestamp = om->CreationTimestamp;
    m->DeletionTimestamp = om->DeletionTimestamp;
    m->DeletionGracePeriodSeconds = om->DeletionGracePeriodSeconds;
    m->SelfLink.clear();
    if (auto err = ApplyStrategy(info, obj, old.get(), options)) return std::move(*err);
    m = obj->object_meta();
    if (TracksGeneration(info)) {
      m->Generation = om->Generation;
      const bool keep_status = info.custom() && info.FindSubresource("status") == nullptr;
      if (SpecFingerprint(*obj, keep_status) != SpecFingerprint(*old, keep_status)) {
        m->Generation = om->Generation + 1;
      }
    } else {
      m->Generation = om->Generation;
    }
    NormalizeSecret(*obj);
    if (auto* nsobj = obj->As<k8s::core::v1::Namespace>()) {
      // Status is not updated through the main resource; the name label is kept.
      nsobj->Status = old->As<k8s::core::v1::Namespace>()->Status;
      nsobj->ObjectMeta.Labels["kubernetes.io/metadata.name"] = nsobj->ObjectMeta.Name;
    }
    if (auto err = TrackManagedFields(info, old.get(), obj, options, options_.now(), SchemaFor(info))) return std::move(*err);
    m = obj->object_meta();
    auto bytes = EncodeForStorage(*obj, FormatFor(info));
    if (!bytes.ok()) return ApiError::Internal(std::string(bytes.status().message()));
    if (*bytes == cur->value || options.dry_run) {
      // No change: kube skips the write and answers with the current object.
      m->ResourceVersion = std::to_string(cur->mod_revision);
      return WriteResult{std::move(obj), false};
    }
    auto rev = store_->Update(key, *bytes, cur->mod_revision);
    if (rev.ok()) {
      m->ResourceVersion = std::to_string(*rev);
      return WriteResult{std::move(obj), false};
    }
    if (rev.status().code() == StatusCode::kAborted && !wanted) continue;  // raced: retry
    if (rev.status().code() == StatusCode::kAborted) return ApiError::Conflict(GR(info), name, kModifiedMessage);
    if (rev.status().code() == StatusCode::kNotFound) return ApiError::NotFound(GR(info), name);
    return ApiError::FromStorage(rev.status(), GR(info), name);
  }
  return ApiError::Conflict(GR(info), name, kModifiedMessage);
}

Status Registry::DeleteNamespaceContents(std::string_view ns) {
  std::vector<std::string> prefixes;
  for (const typed::ResourceInfo& r : scheme_->resources()) {
    if (!r.namespaced) continue;
    std::string p = CollectionKey(Prefix(r), ns);
    if (std::find(prefixes.begin(), prefixes.end(), p) == prefixes.end()) prefixes.push_back(std::move(p));
  }
  for (const std::string& p : prefixes) {
    while (true) {
      KS_ASSIGN_OR_RETURN(auto it, store_->Range(storage::KeyRange::Prefix(p), {.revision = 0, .limit = 1000}));
      std::vector<std::pair<std::string, Revision>> keys;
      while (true) {
        KS_ASSIGN_OR_RETURN(const storage::KeyValueView* kv, it->Next());
        if (kv == nullptr) break;
        keys.emplace_back(std::string(kv->key), kv->mod_revision);
      }
      if (keys.empty()) break;
      for (const auto& [k, rev] : keys) {
        auto del = store_->Delete(k, 0);
        if (!del.ok() && del.status().code() != StatusCode::kNotFound) return del.status();
      }
    }
  }
  return Status::Ok();
}

ApiResult<DeleteResult> Registry::Delete(const typed::ResourceInfo& info, std::string_view ns,
                                         std::string_view name, const DeleteOptions& options) {
  std::string key = ObjectKey(Prefix(info), info.namespaced ? ns : "", name);
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto cur = store_->Get(key);
    if (!cur.ok()) return ApiError::FromStorage(cur.status(), GR(info), name);
    auto old = DecodeForEndpoint(*scheme_, info, cur->value, cur->mod_revision);
    if (!old.ok()) return ApiError::Internal(std::string(old.status().message()));
    meta::ObjectMeta* om = (*old)->object_meta();
    if (!options.precondition_uid.empty() && options.precondition_uid != om->UID) {
      return ApiError::Conflict(GR(info), name,
                                "Precondition failed: UID in precondition: " + options.precondition_uid +
                                    ", UID in object meta: " + om->UID);
    }
    if (!options.precondition_resource_version.empty() &&
        options.precondition_resource_version != om->ResourceVersion) {
      return ApiError::Conflict(GR(info), name,
                                "Precondition failed: ResourceVersion in precondition: " +
                                    options.precondition_resource_version +
                                    ", ResourceVersion in object meta: " + om->ResourceVersion);
    }
    Revision deleted_at = cur->mod_revision;
    if (auto* nsobj = (*old)->As<k8s::core::v1::Namespace>()) {
      // Mark it Terminating; the worker empties and removes it.
      if (nsobj->ObjectMeta.DeletionTimestamp) {
        return ApiError::Conflict(GR(info), name,
                                  "The system is ensuring all content is removed from this namespace.  Upon "
                                  "completion, this namespace will automatically be purged by the system.");
      }
      nsobj->ObjectMeta.DeletionTimestamp.emplace() = options_.now();
      nsobj->ObjectMeta.DeletionGracePeriodSeconds = 0;
      nsobj->Status.Phase = "Terminating";
      if (options.dry_run) {
        DeleteResult result;
        result.object = std::move(old).value();
        return result;
      }
      auto bytes = EncodeForStorage(**old, FormatFor(info));
      if (!bytes.ok()) return ApiError::Internal(std::string(bytes.status().message()));
      auto rev = store_->Update(key, *bytes, cur->mod_revision);
      if (!rev.ok()) {
        if (rev.status().code() == StatusCode::kAborted && options.precondition_resource_version.empty()) continue;
        return ApiError::FromStorage(rev.status(), GR(info), name);
      }
      EnqueueNamespaceCleanup(std::string(name));
      DeleteResult result;
      result.object = std::move(old).value();
      result.object->object_meta()->ResourceVersion = std::to_string(*rev);
      return result;
    }
    if (!options.dry_run) {
      auto rev = store_->Delete(key, cur->mod_revision);
      if (!rev.ok()) {
        if (rev.status().code() == StatusCode::kAborted && options.precondition_resource_version.empty()) continue;
        return ApiError::FromStorage(rev.status(), GR(info), name);
      }
      deleted_at = *rev;
    }
    DeleteResult result;
    if (ReturnsDeletedObject(info)) {
      auto typed_obj = AsEndpointKind(*scheme_, info, std::move(old).value());
      if (!typed_obj.ok()) return ApiError::Internal(std::string(typed_obj.status().message()));
      result.object = std::move(typed_obj).value();
      result.object->object_meta()->ResourceVersion = std::to_string(deleted_at);
    } else {
      result.status.Status_ = "Success";
      auto& d = result.status.Details.ensure();
      d.Name = std::string(name);
      d.Group = std::string(info.group);
      d.Kind = std::string(info.resource);
      d.UID = om->UID;
    }
    return result;
  }
  return ApiError::Conflict(GR(info), name, kModifiedMessage);
}

// ---------------------------------------------------------------------------------------
// LIST

std::optional<ApiError> Registry::ValidateListOptions(const ListOptions& o) {
  std::vector<FieldCause> causes;
  const std::string& m = o.resource_version_match;
  if (!m.empty()) {
    if (o.resource_version.empty()) {
      causes.push_back({"FieldValueForbidden",
                        "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
                        "resourceVersionMatch"});
    }
    if (!o.continue_token.empty()) {
      causes.push_back({"FieldValueForbidden", "Forbidden: resourceVersionMatch is forbidden when continue is provided",
                        "resourceVersionMatch"});
    }
    if (m != "Exact" && m != "NotOlderThan") {
      causes.push_back({"FieldValueNotSupported",
                        "Unsupported value: " + GoQuote(m) + ": supported values: \"Exact\", \"NotOlderThan\", \"\"",
                        "resourceVersionMatch"});
    }
    if (m == "Exact" && o.resource_version == "0") {
      causes.push_back({"FieldValueForbidden",
                        "Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
                        "resourceVersionMatch"});
    }
  }
  if (causes.empty()) return std::nullopt;
  return ApiError::Invalid("meta.k8s.io", "ListOptions", "", causes);
}

ApiResult<Revision> Registry::ResolveNotOlderThan(Revision rv) {
  auto deadline = std::chrono::steady_clock::now() + options_.too_large_rv_wait;
  while (true) {
    auto cur = store_->CurrentRevision();
    if (!cur.ok()) return ApiError::FromStorage(cur.status(), {}, "");
    if (*cur >= rv) return *cur;
    if (std::chrono::steady_clock::now() >= deadline) {
      ApiError e = ApiError::Timeout(
          "Too large resource version: " + std::to_string(rv) + ", current: " + std::to_string(*cur), 1);
      auto& d = e.status.Details.ensure();
      meta::StatusCause c;
      c.Type = "ResourceVersionTooLarge";
      c.Message = "Too large resource version";
      d.Causes.push_back(std::move(c));
      return e;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ApiResult<ListPage> Registry::List(const typed::ResourceInfo& info, std::string_view ns, const ListOptions& o) {
  if (auto err = ValidateListOptions(o)) return std::move(*err);
  const std::string prefix_key = CollectionKeyFor(info, ns);
  const storage::KeyRange whole = storage::KeyRange::Prefix(prefix_key);
  std::string start = whole.start;
  Revision rev = 0;
  bool from_continue = false;
  std::string continue_start;  // the token's start (relative to the prefix)

  if (!o.continue_token.empty()) {
    if (!o.resource_version.empty() && o.resource_version != "0") {
      return ApiError::BadRequest("specifying resource version is not allowed when using continue");
    }
    auto tok = DecodeContinue(o.continue_token);
    if (!tok.ok()) return ApiError::BadRequest(std::string(tok.status().message()));
    from_continue = true;
    continue_start = tok->start;
    start = prefix_key + tok->start;
    rev = tok->rv > 0 ? tok->rv : 0;
  } else if (!o.resource_version.empty()) {
    auto rv = ParseRv(o.resource_version);
    if (!rv) return InvalidRv(o.resource_version);
    bool exact = o.resource_version_match == "Exact" ||
                 (o.resource_version_match.empty() && o.limit > 0 && *rv != 0);
    if (exact) {
      rev = *rv;
      auto cur = store_->CurrentRevision();
      if (cur.ok() && rev > *cur) {
        auto ok = ResolveNotOlderThan(rev);
        if (!ok.ok()) return std::move(ok).error();
      }
    } else if (*rv > 0) {
      auto ok = ResolveNotOlderThan(*rv);
      if (!ok.ok()) return std::move(ok).error();
    }
  }

  auto expired = [&]() -> ApiError {
    if (from_continue) {
      ApiError e = ApiError::Gone(kExpiredContinue);
      e.status.ListMeta.Continue = EncodeContinueStart(-1, continue_start);
      return e;
    }
    return ApiError::Gone("The resourceVersion for the provided list is too old.");
  };

  storage::KeyRange range{start, whole.end};
  auto first = store_->Range(range, {.revision = rev, .limit = 0});
  if (!first.ok()) {
    if (first.status().code() == StatusCode::kExpired) return expired();
    return ApiError::FromStorage(first.status(), GR(info), "");
  }
  std::unique_ptr<storage::RangeIterator> it = std::move(first).value();
  rev = it->revision();

  ListPage page;
  page.revision = rev;
  page.meta.ResourceVersion = std::to_string(rev);

  if (o.limit > 0) {
    // Find where this page ends: after `limit` matching objects.
    int64_t matched = 0;
    bool has_more = false;
    std::string last_key;
    std::unique_ptr<typed::Object> scratch;
    while (true) {
      auto kv = it->Next();
      if (!kv.ok()) {
        if (kv.status().code() == StatusCode::kExpired) return expired();
        return ApiError::Internal(std::string(kv.status().message()));
      }
      if (*kv == nullptr) break;
      if (matched >= o.limit) {
        has_more = true;
        break;
      }
      last_key.assign((*kv)->key);
      if (o.filter.empty()) {
        ++matched;
      } else {
        auto obj = DecodeForEndpoint(*scheme_, info, (*kv)->value, (*kv)->mod_revision);
        if (!obj.ok()) return ApiError::Internal(std::string(obj.status().message()));
        if (o.filter(**obj)) ++matched;
      }
    }
    if (has_more) {
      std::string page_end = last_key;
      page_end.push_back('\0');
      page.meta.Continue = EncodeContinue(rev, std::string_view(last_key).substr(prefix_key.size()));
      if (o.filter.empty()) {
        auto rest = store_->Count(storage::KeyRange{page_end, whole.end}, rev);
        if (rest.ok()) page.meta.RemainingItemCount = *rest;
      }
      auto page_it = store_->Range(storage::KeyRange{start, page_end}, {.revision = rev, .limit = 0});
      if (!page_it.ok()) {
        if (page_it.status().code() == StatusCode::kExpired) return expired();
        return ApiError::FromStorage(page_it.status(), GR(info), "");
      }
      it = std::move(page_it).value();
      range.end = page_end;
    } else {
      if (Status s = it->Rewind(); !s.ok()) return ApiError::Internal(std::string(s.message()));
    }
  }
  if (o.filter.empty()) {
    page.snapshot_key = range.start;
    page.snapshot_key.push_back('\0');
    page.snapshot_key += range.end;
    page.snapshot_key.push_back('\0');
    page.snapshot_key += std::to_string(rev);
  }
  page.items = std::make_unique<StoreItemSource>(scheme_, &info, std::move(it), o.filter);
  return page;
}

ApiResult<ListPage> Registry::DeleteCollection(const typed::ResourceInfo& info, std::string_view ns,
                                               const ListOptions& options, bool dry_run) {
  ListOptions all = options;
  all.limit = 0;
  all.continue_token.clear();
  auto page = List(info, ns, all);
  if (!page.ok()) return page;
  if (!dry_run) {
    while (true) {
      auto item = page->items->Next();
      if (!item.ok()) return ApiError::Internal(std::string(item.status().message()));
      if (*item == nullptr) break;
      const meta::ObjectMeta* m = (*item)->object_meta();
      auto del = Delete(info, m->Namespace, m->Name, {});
      if (!del.ok() && del.error().code() != 404) return std::move(del).error();
    }
    if (Status s = page->items->Rewind(); !s.ok()) return ApiError::Internal(std::string(s.message()));
  }
  return page;
}

// ---------------------------------------------------------------------------------------
// WATCH

std::optional<ApiError> Registry::ValidateWatchOptions(const WatchOptions& o) {
  std::vector<FieldCause> causes;
  const std::string& m = o.resource_version_match;
  if (o.send_initial_events_set) {
    if (m != "NotOlderThan") {
      causes.push_back({"FieldValueForbidden",
                        "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                        "resourceVersionMatch"});
    }
  } else if (!m.empty()) {
    causes.push_back({"FieldValueForbidden",
                      "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                      "resourceVersionMatch"});
  }
  if (!m.empty() && m != "NotOlderThan") {
    causes.push_back({"FieldValueNotSupported", "Unsupported value: " + GoQuote(m) + ": supported values: \"NotOlderThan\"",
                      "resourceVersionMatch"});
  }
  if (causes.empty()) return std::nullopt;
  return ApiError::Invalid("meta.k8s.io", "ListOptions", "", causes);
}

namespace {

class StoreWatchSession final : public WatchSession {
 public:
  StoreWatchSession(const typed::Scheme* scheme, const typed::ResourceInfo* info, WatchOptions options,
                    std::unique_ptr<storage::RangeIterator> initial, std::unique_ptr<storage::WatchStream> stream,
                    Revision start_revision)
      : scheme_(scheme),
        info_(info),
        options_(std::move(options)),
        initial_(std::move(initial)),
        stream_(std::move(stream)),
        last_revision_(start_revision),
        last_bookmark_(std::chrono::steady_clock::now()) {}

  bool finished() const override { return finished_; }
  void Cancel() override {
    cancelled_ = true;
    stream_->Cancel();
  }

  std::vector<WatchEvent> Next(std::chrono::milliseconds timeout) override {
    std::vector<WatchEvent> out;
    if (finished_) return out;
    if (cancelled_) {
      finished_ = true;
      return out;
    }
    if (initial_) {
      InitialBatch(&out);
      return out;
    }
    auto batch = stream_->Next(timeout);
    if (!batch.ok()) {
      finished_ = true;
      if (batch.status().code() == StatusCode::kAborted) return out;
      WatchEvent e;
      e.type = WatchEvent::Type::kError;
      if (batch.status().code() == StatusCode::kExpired) {
        e.error = ApiError::Gone("The resourceVersion for the provided watch is too old.");
      } else {
        e.error = ApiError::Internal(std::string(batch.status().message()));
      }
      out.push_back(std::move(e));
      return out;
    }
    for (storage::Event& ev : batch->events) Translate(ev, &out);
    if (batch->revision > last_revision_) last_revision_ = batch->revision;
    if (options_.allow_bookmarks && out.empty() && batch->progress() && batch->revision > 0 &&
        std::chrono::steady_clock::now() - last_bookmark_ >= options_.bookmark_interval) {
      out.push_back(Bookmark(last_revision_, false));
    }
    return out;
  }

 private:
  void Fail(std::vector<WatchEvent>* out, ApiError err) {
    finished_ = true;
    WatchEvent e;
    e.type = WatchEvent::Type::kError;
    e.error = std::move(err);
    out->push_back(std::move(e));
  }

  WatchEvent Bookmark(Revision rev, bool initial_end) {
    last_bookmark_ = std::chrono::steady_clock::now();
    WatchEvent e;
    e.type = WatchEvent::Type::kBookmark;
    const typed::KindEntry* kind =
        scheme_->Find(info_->group.empty() ? std::string(info_->version)
                                           : std::string(info_->group) + "/" + std::string(info_->version),
                      info_->kind);
    e.object = kind->New();
    meta::ObjectMeta* m = e.object->object_meta();
    m->ResourceVersion = std::to_string(rev);
    if (initial_end) m->Annotations["k8s.io/initial-events-end"] = "true";
    return e;
  }

  Result<std::unique_ptr<typed::Object>> Decode(std::string_view value, Revision rev) {
    return DecodeForEndpoint(*scheme_, *info_, value, rev);
  }

  void InitialBatch(std::vector<WatchEvent>* out) {
    size_t bytes = 0;
    while (bytes < 256 * 1024 && out->size() < 256) {
      auto kv = initial_->Next();
      if (!kv.ok()) {
        if (kv.status().code() == StatusCode::kExpired) {
          return Fail(out, ApiError::Gone("The resourceVersion for the provided watch is too old."));
        }
        return Fail(out, ApiError::Internal(std::string(kv.status().message())));
      }
      if (*kv == nullptr) {
        initial_.reset();
        if (options_.send_initial_events && options_.allow_bookmarks) out->push_back(Bookmark(last_revision_, true));
        return;
      }
      bytes += (*kv)->value.size();
      auto obj = Decode((*kv)->value, (*kv)->mod_revision);
      if (!obj.ok()) return Fail(out, ApiError::Internal(std::string(obj.status().message())));
      if (!options_.filter(**obj)) continue;
      WatchEvent e;
      e.type = WatchEvent::Type::kAdded;
      e.object = std::move(obj).value();
      out->push_back(std::move(e));
    }
  }

  void Translate(storage::Event& ev, std::vector<WatchEvent>* out) {
    if (ev.type == storage::Event::Type::kPut) {
      auto cur = Decode(ev.kv.value, ev.kv.mod_revision);
      if (!cur.ok()) return Fail(out, ApiError::Internal(std::string(cur.status().message())));
      bool cur_match = options_.filter(**cur);
      bool old_match = false;
      std::unique_ptr<typed::Object> old;
      if (ev.prev) {
        if (options_.filter.empty()) {
          old_match = true;
        } else {
          auto o = Decode(ev.prev->value, ev.kv.mod_revision);
          if (o.ok()) {
            old = std::move(o).value();
            old_match = options_.filter(*old);
          }
        }
      }
      WatchEvent e;
      if (cur_match && old_match) {
        e.type = WatchEvent::Type::kModified;
        e.object = std::move(cur).value();
      } else if (cur_match) {
        e.type = WatchEvent::Type::kAdded;
        e.object = std::move(cur).value();
      } else if (old_match && old) {
        e.type = WatchEvent::Type::kDeleted;  // stopped matching: the old state at the new revision
        e.object = std::move(old);
      } else {
        return;
      }
      out->push_back(std::move(e));
    } else {
      if (!ev.prev) return;
      auto old = Decode(ev.prev->value, ev.kv.mod_revision);
      if (!old.ok()) return Fail(out, ApiError::Internal(std::string(old.status().message())));
      if (!options_.filter(**old)) return;
      WatchEvent e;
      e.type = WatchEvent::Type::kDeleted;
      e.object = std::move(old).value();
      out->push_back(std::move(e));
    }
  }

  const typed::Scheme* scheme_;
  const typed::ResourceInfo* info_;
  WatchOptions options_;
  std::unique_ptr<storage::RangeIterator> initial_;
  std::unique_ptr<storage::WatchStream> stream_;
  Revision last_revision_;
  std::chrono::steady_clock::time_point last_bookmark_;
  bool finished_ = false;
  std::atomic<bool> cancelled_{false};
};

}  // namespace

ApiResult<std::unique_ptr<WatchSession>> Registry::Watch(const typed::ResourceInfo& info, std::string_view ns,
                                                         const WatchOptions& o) {
  if (auto err = ValidateWatchOptions(o)) return std::move(*err);
  auto rv = ParseRv(o.resource_version);
  if (!rv) return InvalidRv(o.resource_version);
  const std::string prefix_key = CollectionKeyFor(info, ns);
  const storage::KeyRange range = storage::KeyRange::Prefix(prefix_key);

  // Legacy semantics: RV unset or "0" starts with the current state; another RV starts
  // right after it. sendInitialEvents=true (NotOlderThan) sends the state at a revision
  // not older than RV, then the initial-events-end bookmark.
  bool initial = o.send_initial_events || (!o.send_initial_events_set && *rv == 0);
  std::unique_ptr<storage::RangeIterator> it;
  Revision from = 0;
  if (initial) {
    if (*rv > 0) {
      auto ok = ResolveNotOlderThan(*rv);
      if (!ok.ok()) return std::move(ok).error();
    }
    auto r = store_->Range(range, {.revision = 0, .limit = 0});
    if (!r.ok()) return ApiError::FromStorage(r.status(), GR(info), "");
    it = std::move(r).value();
    from = it->revision() + 1;
  } else if (*rv > 0) {
    from = *rv + 1;
  } else {
    auto cur = store_->CurrentRevision();
    if (!cur.ok()) return ApiError::FromStorage(cur.status(), GR(info), "");
    from = *cur + 1;
  }
  storage::WatchOptions wo;
  wo.progress_interval = std::min<std::chrono::milliseconds>(std::chrono::seconds(5), o.bookmark_interval);
  auto stream = store_->Watch(range, from, wo);
  std::unique_ptr<WatchSession> session;
  if (!stream.ok()) {
    if (stream.status().code() != StatusCode::kExpired) return ApiError::FromStorage(stream.status(), GR(info), "");
    // Too old: the stream starts and ends with a 410 ERROR event.
    class Expired final : public WatchSession {
     public:
      std::vector<WatchEvent> Next(std::chrono::milliseconds) override {
        std::vector<WatchEvent> out;
        if (done_) return out;
        done_ = true;
        WatchEvent e;
        e.type = WatchEvent::Type::kError;
        e.error = ApiError::Gone("The resourceVersion for the provided watch is too old.");
        out.push_back(std::move(e));
        return out;
      }
      bool finished() const override { return done_; }
      void Cancel() override { done_ = true; }

     private:
      std::atomic<bool> done_{false};
    };
    session = std::make_unique<Expired>();
    return session;
  }
  session = std::make_unique<StoreWatchSession>(scheme_, &info, o, std::move(it), std::move(stream).value(),
                                                from - 1);
  return session;
}

}  // namespace kstream::registry
