#include "registry/custom_resources.h"

#include <algorithm>
#include <cctype>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "api/typed/unstructured.h"
#include "registry/human_duration.h"
#include "registry/label_selector.h"
#include "registry/printers.h"
#include "registry/registry.h"
#include "registry/storage_layout.h"

namespace kstream::registry {

namespace meta = k8s::meta::v1;
using api::Value;

namespace {

const Value* Path(const Value& v, std::initializer_list<std::string_view> keys) {
  const Value* cur = &v;
  for (std::string_view k : keys) {
    if (!cur->is_object()) return nullptr;
    cur = cur->Find(k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

std::string Str(const Value& v, std::initializer_list<std::string_view> keys) {
  const Value* s = Path(v, keys);
  return s && s->is_string() ? s->as_string() : std::string();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const typed::ResourceInfo* CrdInfo(const typed::Scheme& scheme) {
  return scheme.FindResource("apiextensions.k8s.io", "v1", "customresourcedefinitions");
}

// The table convertor of a custom resource version (tableconvertor.go).
class CrdPrinter final : public collection::TablePrinter {
 public:
  explicit CrdPrinter(const std::vector<PrinterColumn>* cols) : cols_(cols) {
    columns_.set_non_nil();
    meta::TableColumnDefinition name;
    name.Name = "Name";
    name.Type = "string";
    name.Format = "name";
    name.Description = std::string(ObjectMetaNameDoc());
    columns_.push_back(name);
    for (const PrinterColumn& c : *cols_) {
      meta::TableColumnDefinition d;
      d.Name = c.name;
      d.Type = c.type;
      d.Format = c.format;
      d.Description = c.description;
      d.Priority = c.priority;
      columns_.push_back(d);
    }
  }

  const typed::Slice<meta::TableColumnDefinition>& columns() const override { return columns_; }

  Status PrintRow(const typed::Object& obj, const meta::Time& now, collection::TableRowContent* row) const override {
    row->Clear();
    const auto* u = dynamic_cast<const typed::UnstructuredObject*>(&obj);
    if (u == nullptr) return InvalidArgument("not a custom resource");
    Value v = u->ToValue();
    row->cells.push_back(Value(u->object_meta() ? u->object_meta()->Name : std::string()));
    for (const PrinterColumn& c : *cols_) {
      auto found = c.path.Find(v);
      if (found.empty() || found[0]->is_null()) {
        row->cells.push_back(Value());
        continue;
      }
      const Value& x = *found[0];
      if (c.type == "string") {
        row->cells.push_back(Value(JsonPathText(x)));
      } else if (c.type == "integer") {
        if (x.is_int()) {
          row->cells.push_back(x);
        } else if (x.is_float()) {
          row->cells.push_back(Value(static_cast<int64_t>(x.as_float())));
        } else {
          row->cells.push_back(Value());
        }
      } else if (c.type == "number") {
        if (x.is_int()) {
          row->cells.push_back(Value(static_cast<double>(x.as_int())));
        } else if (x.is_float()) {
          row->cells.push_back(x);
        } else {
          row->cells.push_back(Value());
        }
      } else if (c.type == "boolean") {
        row->cells.push_back(x.is_bool() ? x : Value());
      } else if (c.type == "date") {
        if (!x.is_string()) {
          row->cells.push_back(Value());
          continue;
        }
        auto t = meta::Time::ParseRfc3339(x.as_string());
        if (!t.ok()) {
          row->cells.push_back(Value("<invalid>"));
        } else {
          row->cells.push_back(Value(TranslateTimestampSince(*t, now)));
        }
      } else {
        row->cells.push_back(Value());
      }
    }
    return Status::Ok();
  }

 private:
  const std::vector<PrinterColumn>* cols_;
  typed::Slice<meta::TableColumnDefinition> columns_;
};

meta::Time NowSeconds() { return meta::Time::Now().Rfc3339Copy(); }

}  // namespace

CustomResourceCatalog::CustomResourceCatalog(Registry* registry) : registry_(registry) {}

CustomResourceCatalog::~CustomResourceCatalog() { Stop(); }

void CustomResourceCatalog::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void CustomResourceCatalog::AddListener(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(fn));
}

std::vector<std::shared_ptr<const CustomResourceVersion>> CustomResourceCatalog::Served() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const CustomResourceVersion>> out;
  for (const auto& [name, versions] : by_crd_) {
    for (const auto& v : versions) out.push_back(v);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a->info.group, a->info.version, a->info.resource) <
           std::tie(b->info.group, b->info.version, b->info.resource);
  });
  return out;
}

std::shared_ptr<const CustomResourceVersion> CustomResourceCatalog::Find(std::string_view group,
                                                                         std::string_view version,
                                                                         std::string_view resource) const {
  std::lock_guard lock(mu_);
  for (const auto& [name, versions] : by_crd_) {
    for (const auto& v : versions) {
      if (v->info.group == group && v->info.version == version && v->info.resource == resource) return v;
    }
  }
  return nullptr;
}

std::shared_ptr<const CustomResourceVersion> CustomResourceCatalog::ForInfo(const typed::ResourceInfo* info) const {
  std::lock_guard lock(mu_);
  auto it = all_.find(info);
  return it == all_.end() ? nullptr : it->second;
}

bool CustomResourceCatalog::WaitForRevision(storage::Revision rev, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return synced_.load() >= rev; });
}

std::shared_ptr<const CustomResourceVersion> CustomResourceCatalog::Build(const Value& crd, const Value& version,
                                                                          std::string_view storage_version) {
  auto v = std::make_shared<CustomResourceVersion>();
  auto keep = [&](std::string s) -> std::string_view { return v->strings.emplace_back(std::move(s)); };
  typed::ResourceInfo& info = v->info;
  std::string group = Str(crd, {"spec", "group"});
  std::string ver = Str(version, {"name"});
  std::string kind = Str(crd, {"spec", "names", "kind"});
  std::string list_kind = Str(crd, {"spec", "names", "listKind"});
  if (list_kind.empty()) list_kind = kind + "List";
  std::string singular = Str(crd, {"spec", "names", "singular"});
  if (singular.empty()) singular = Lower(kind);
  info.group = keep(group);
  info.version = keep(ver);
  info.kind = keep(kind);
  info.list_kind = keep(list_kind);
  info.resource = keep(Str(crd, {"spec", "names", "plural"}));
  info.singular = keep(singular);
  info.namespaced = Str(crd, {"spec", "scope"}) != "Cluster";
  for (const char* verb : {"delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"}) {
    info.verbs.push_back(verb);
  }
  if (const Value* sn = Path(crd, {"spec", "names", "shortNames"}); sn && sn->is_array()) {
    for (const Value& s : sn->as_array()) {
      if (s.is_string()) info.short_names.push_back(keep(s.as_string()));
    }
  }
  if (const Value* cats = Path(crd, {"spec", "names", "categories"}); cats && cats->is_array()) {
    for (const Value& s : cats->as_array()) {
      if (s.is_string()) info.categories.push_back(keep(s.as_string()));
    }
  }
  if (const Value* sub = Path(version, {"subresources"}); sub && sub->is_object()) {
    if (sub->Find("status") != nullptr) {
      v->status_subresource = true;
      typed::SubresourceInfo s;
      s.name = "status";
      s.kind = info.kind;
      s.verbs = {"get", "patch", "update"};
      info.subresources.push_back(s);
    }
    if (const Value* scale = sub->Find("scale"); scale && scale->is_object()) {
      v->scale_subresource = true;
      v->spec_replicas_path = Str(*scale, {"specReplicasPath"});
      v->status_replicas_path = Str(*scale, {"statusReplicasPath"});
      v->label_selector_path = Str(*scale, {"labelSelectorPath"});
      typed::SubresourceInfo s;
      s.name = "scale";
      s.group = "autoscaling";
      s.version = "v1";
      s.kind = "Scale";
      s.verbs = {"get", "patch", "update"};
      info.subresources.push_back(s);
    }
  }
  info.stability = "ga";
  info.default_served = true;
  info.custom_kind = typed::UnstructuredKinds::Global().Get(group, ver, kind);
  info.custom_list_kind = typed::UnstructuredKinds::Global().Get(group, ver, list_kind, true, kind);
  v->crd_name = Str(crd, {"metadata", "name"});
  v->storage_version = std::string(storage_version);
  v->storage = ver == storage_version;
  if (const Value* schema = Path(version, {"schema", "openAPIV3Schema"}); schema && schema->is_object()) {
    v->openapi_schema = *schema;
    auto compiled = api::crd::Schema::Compile(*schema);
    if (compiled.ok()) v->schema = std::move(compiled).value();
  }
  if (const Value* cols = Path(version, {"additionalPrinterColumns"}); cols && cols->is_array() &&
      !cols->as_array().empty()) {
    for (const Value& c : cols->as_array()) {
      PrinterColumn pc;
      pc.name = Str(c, {"name"});
      pc.type = Str(c, {"type"});
      pc.format = Str(c, {"format"});
      std::string path = Str(c, {"jsonPath"});
      pc.description = Str(c, {"description"});
      if (pc.description.empty()) pc.description = "Custom resource definition column (in JSONPath format): " + path;
      if (const Value* p = c.Find("priority"); p && p->is_int()) pc.priority = static_cast<int32_t>(p->as_int());
      auto jp = JsonPath::Parse(path);
      if (!jp.ok()) continue;
      pc.path = std::move(jp).value();
      v->columns.push_back(std::move(pc));
    }
  } else {
    PrinterColumn age;
    age.name = "Age";
    age.type = "date";
    age.description = std::string(ObjectMetaCreationTimestampDoc());
    age.path = *JsonPath::Parse(".metadata.creationTimestamp");
    v->columns.push_back(std::move(age));
  }
  if (const Value* sf = Path(version, {"selectableFields"}); sf && sf->is_array()) {
    for (const Value& f : sf->as_array()) {
      std::string path = Str(f, {"jsonPath"});
      auto jp = JsonPath::Parse(path);
      if (!jp.ok() || path.size() < 2) continue;
      v->selectable_fields.emplace_back(path.substr(1), std::move(jp).value());
    }
  }
  v->printer = std::make_unique<CrdPrinter>(&v->columns);
  return v;
}

Status CustomResourceCatalog::Start() {
  const typed::ResourceInfo* info = CrdInfo(registry_->scheme());
  if (info == nullptr) return Status(StatusCode::kInternal, "no CustomResourceDefinition resource");
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void CustomResourceCatalog::Run() {
  const typed::ResourceInfo* info = CrdInfo(registry_->scheme());
  while (!stop_) {
    // A consistent list, then the changes after it.
    auto page = registry_->List(*info, "", ListOptions{});
    if (!page.ok()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    std::vector<std::pair<Value, storage::Revision>> crds;
    while (true) {
      auto item = page->items->Next();
      if (!item.ok() || *item == nullptr) break;
      auto copy = (*item)->Clone();
      std::string json;
      if (!typed::AppendObjectJson(*copy, &json).ok()) continue;
      auto v = api::ParseJson(json);
      if (v.ok()) crds.emplace_back(std::move(v).value(), page->revision);
    }
    {
      // CRDs gone while we were not watching.
      std::vector<std::string> gone;
      {
        std::lock_guard lock(mu_);
        for (const auto& [name, versions] : by_crd_) {
          bool present = false;
          for (const auto& [crd, rev] : crds) present = present || Str(crd, {"metadata", "name"}) == name;
          if (!present) gone.push_back(name);
        }
      }
      for (const std::string& name : gone) Forget(name);
    }
    for (const auto& [crd, rev] : crds) Reconcile(crd, rev);
    Publish();
    synced_ = std::max(synced_.load(), page->revision);
    cv_.notify_all();

    WatchOptions wo;
    wo.resource_version = std::to_string(page->revision);
    auto session = registry_->Watch(*info, "", wo);
    if (!session.ok()) continue;
    while (!stop_) {
      auto events = (*session)->Next(std::chrono::milliseconds(200));
      if ((*session)->finished()) break;
      bool changed = false;
      storage::Revision latest = 0;
      for (WatchEvent& e : events) {
        if (e.type == WatchEvent::Type::kError) break;
        if (!e.object) continue;
        const meta::ObjectMeta* om = e.object->object_meta();
        storage::Revision rev = 0;
        if (om != nullptr) rev = std::strtoll(om->ResourceVersion.c_str(), nullptr, 10);
        latest = std::max(latest, rev);
        if (e.type == WatchEvent::Type::kDeleted) {
          Forget(om ? om->Name : std::string());
          changed = true;
          continue;
        }
        if (e.type == WatchEvent::Type::kAdded || e.type == WatchEvent::Type::kModified) {
          std::string json;
          if (!typed::AppendObjectJson(*e.object, &json).ok()) continue;
          auto v = api::ParseJson(json);
          if (!v.ok()) continue;
          Reconcile(*v, rev);
          changed = true;
        }
      }
      if (changed) Publish();
      if (latest > 0) {
        synced_ = std::max(synced_.load(), latest);
        cv_.notify_all();
      }
    }
  }
}

void CustomResourceCatalog::Publish() {
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = listeners_;
  }
  for (auto& fn : listeners) fn();
}

void CustomResourceCatalog::Forget(const std::string& crd_name) {
  std::vector<std::shared_ptr<const CustomResourceVersion>> versions;
  {
    std::lock_guard lock(mu_);
    auto it = by_crd_.find(crd_name);
    if (it == by_crd_.end()) return;
    versions = std::move(it->second);
    by_crd_.erase(it);
  }
  // The CRD's objects go with it (kube's CRD finalizer deletes them).
  if (versions.empty()) return;
  const typed::ResourceInfo& info = versions.front()->info;
  std::string prefix = CollectionKey(ResourcePrefix(info.group, info.resource, /*built_in=*/false));
  storage::Store* store = registry_->store();
  while (true) {
    auto it = store->Range(storage::KeyRange::Prefix(prefix), {.revision = 0, .limit = 1000});
    if (!it.ok()) return;
    std::vector<std::string> keys;
    while (true) {
      auto kv = (*it)->Next();
      if (!kv.ok() || *kv == nullptr) break;
      keys.emplace_back((*kv)->key);
    }
    if (keys.empty()) return;
    for (const std::string& k : keys) (void)store->Delete(k, 0);
  }
}

void CustomResourceCatalog::Reconcile(const Value& crd, storage::Revision) {
  const std::string name = Str(crd, {"metadata", "name"});
  const std::string group = Str(crd, {"spec", "group"});
  const std::string plural = Str(crd, {"spec", "names", "plural"});
  const std::string kind = Str(crd, {"spec", "names", "kind"});
  // Names: another accepted CRD of the group holding the plural or the kind wins.
  std::string conflict_reason, conflict_message;
  {
    std::lock_guard lock(mu_);
    for (const auto& [other, versions] : by_crd_) {
      if (other == name || versions.empty()) continue;
      const typed::ResourceInfo& oi = versions.front()->info;
      if (oi.group != group) continue;
      if (oi.resource == plural) {
        conflict_reason = "PluralConflict";
        conflict_message = "\"" + plural + "\" is already in use";
      } else if (oi.kind == kind) {
        conflict_reason = "KindConflict";
        conflict_message = "\"" + kind + "\" is already in use";
      }
    }
  }
  bool accepted = conflict_reason.empty();
  std::string storage_version;
  if (const Value* versions = Path(crd, {"spec", "versions"}); versions && versions->is_array()) {
    for (const Value& v : versions->as_array()) {
      const Value* st = v.Find("storage");
      if (st && st->is_bool() && st->as_bool()) storage_version = Str(v, {"name"});
    }
  }
  std::vector<std::shared_ptr<const CustomResourceVersion>> served;
  if (accepted) {
    if (const Value* versions = Path(crd, {"spec", "versions"}); versions && versions->is_array()) {
      for (const Value& v : versions->as_array()) {
        const Value* s = v.Find("served");
        if (s && s->is_bool() && s->as_bool()) served.push_back(Build(crd, v, storage_version));
      }
    }
  }
  {
    std::lock_guard lock(mu_);
    for (const auto& v : served) all_[&v->info] = v;
    if (served.empty()) {
      by_crd_.erase(name);
    } else {
      by_crd_[name] = served;
    }
  }

  // The status kube's controllers maintain.
  const typed::ResourceInfo* crd_info = CrdInfo(registry_->scheme());
  UpdateFunc fn = [&](const typed::Object* cur) -> ApiResult<std::unique_ptr<typed::Object>> {
    auto copy = cur->Clone();
    std::string json;
    if (!typed::AppendObjectJson(*copy, &json).ok()) return ApiError::Internal("cannot encode the CRD");
    auto v = api::ParseJson(json);
    if (!v.ok()) return ApiError::Internal("cannot encode the CRD");
    Value status = Value::EmptyObject();
    if (const Value* old = v->Find("status"); old && old->is_object()) status = *old;
    const Value* old_conditions = status.Find("conditions");
    auto condition = [&](std::string_view type, bool ok, std::string_view reason, std::string_view message) {
      Value c = Value::EmptyObject();
      c.Set("type", type);
      c.Set("status", ok ? "True" : "False");
      std::string when = NowSeconds().FormatRfc3339();
      if (old_conditions && old_conditions->is_array()) {
        for (const Value& oc : old_conditions->as_array()) {
          if (Str(oc, {"type"}) == type && Str(oc, {"status"}) == (ok ? "True" : "False")) {
            when = Str(oc, {"lastTransitionTime"});
          }
        }
      }
      c.Set("lastTransitionTime", when);
      c.Set("reason", reason);
      c.Set("message", message);
      return c;
    };
    Value conditions = Value::EmptyArray();
    if (accepted) {
      conditions.mutable_array().push_back(condition("NamesAccepted", true, "NoConflicts", "no conflicts found"));
      conditions.mutable_array().push_back(
          condition("Established", true, "InitialNamesAccepted", "the initial names have been accepted"));
    } else {
      conditions.mutable_array().push_back(condition("NamesAccepted", false, conflict_reason, conflict_message));
      conditions.mutable_array().push_back(
          condition("Established", false, "NotAccepted", "not all names are accepted"));
    }
    status.Set("conditions", std::move(conditions));
    if (accepted) {
      Value names = *Path(*v, {"spec", "names"});
      status.Set("acceptedNames", std::move(names));
    } else if (status.Find("acceptedNames") == nullptr) {
      Value names = Value::EmptyObject();
      names.Set("kind", "");
      names.Set("plural", "");
      status.Set("acceptedNames", std::move(names));
    }
    Value stored = Value::EmptyArray();
    if (const Value* sv = status.Find("storedVersions"); sv && sv->is_array()) stored = *sv;
    bool has = false;
    for (const Value& s : stored.as_array()) has = has || (s.is_string() && s.as_string() == storage_version);
    if (!has && !storage_version.empty()) stored.mutable_array().push_back(storage_version);
    status.Set("storedVersions", std::move(stored));
    v->Set("status", std::move(status));
    auto decoded = typed::DecodeObjectAs(cur->kind(), *v);
    if (!decoded.ok()) return ApiError::Internal("cannot decode the CRD: " + std::string(decoded.status().message()));
    return std::move(decoded).value();
  };
  WriteOptions wo;
  wo.field_manager = "kube-apiserver";
  wo.subresource = "status";
  (void)registry_->Patch(*crd_info, "", name, fn, wo);
}

std::optional<ApiError> CustomResourceCatalog::PrepareWrite(const CustomResourceVersion& v, Value* obj,
                                                            const Value* old, std::string_view subresource,
                                                            std::vector<std::string>* pruned) const {
  if (v.status_subresource) {
    if (subresource.empty()) {
      // The main resource does not write the status.
      if (old != nullptr && old->Find("status") != nullptr) {
        obj->Set("status", *old->Find("status"));
      } else {
        obj->Erase("status");
      }
    }
  }
  if (v.schema) {
    v.schema->Prune(obj, pruned);
    v.schema->Default(obj);
    std::vector<api::crd::FieldError> errs = v.schema->Validate(*obj);
    if (!errs.empty()) {
      std::vector<FieldCause> causes;
      for (auto& e : errs) causes.push_back({e.type, e.message, e.field});
      return ApiError::Invalid(v.info.group, v.info.kind, Str(*obj, {"metadata", "name"}), causes);
    }
  }
  return std::nullopt;
}

std::optional<ApiError> ValidateCustomResourceDefinition(Value* crd, const Value* old) {
  (void)old;
  std::vector<FieldCause> causes;
  std::string name = Str(*crd, {"metadata", "name"});
  Value* spec = crd->Find("spec");
  if (spec == nullptr || !spec->is_object()) {
    causes.push_back({"FieldValueRequired", "Required value", "spec"});
    return ApiError::Invalid("apiextensions.k8s.io", "CustomResourceDefinition", name, causes);
  }
  Value* names = spec->Find("names");
  if (names == nullptr || !names->is_object()) names = &spec->Set("names", Value::EmptyObject());
  std::string group = Str(*spec, {"group"});
  std::string plural = Str(*names, {"plural"});
  std::string kind = Str(*names, {"kind"});
  // Defaults (SetDefaults_CustomResourceDefinition).
  if (Str(*names, {"singular"}).empty() && !kind.empty()) names->Set("singular", Lower(kind));
  if (Str(*names, {"listKind"}).empty() && !kind.empty()) names->Set("listKind", kind + "List");
  if (spec->Find("conversion") == nullptr) {
    Value conv = Value::EmptyObject();
    conv.Set("strategy", "None");
    spec->Set("conversion", std::move(conv));
  }
  // Validation (validation.ValidateCustomResourceDefinition).
  if (name != plural + "." + group) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + GoQuote(name) + ": must be spec.names.plural+\".\"+spec.group", "metadata.name"});
  }
  if (group.empty()) {
    causes.push_back({"FieldValueRequired", "Required value", "spec.group"});
  } else if (group.find('.') == std::string::npos) {
    causes.push_back({"FieldValueInvalid", "Invalid value: " + GoQuote(group) + ": should be a domain with at least one dot",
                      "spec.group"});
  }
  std::string scope = Str(*spec, {"scope"});
  if (scope.empty()) {
    causes.push_back({"FieldValueRequired", "Required value", "spec.scope"});
  } else if (scope != "Cluster" && scope != "Namespaced") {
    causes.push_back({"FieldValueNotSupported",
                      "Unsupported value: " + GoQuote(scope) + ": supported values: \"Cluster\", \"Namespaced\"",
                      "spec.scope"});
  }
  auto dns_label = [](const std::string& s) {
    if (s.empty() || s.size() > 63) return false;
    for (char c : s) {
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
        return false;
      }
    }
    return s.front() != '-' && s.back() != '-';
  };
  if (plural.empty()) {
    causes.push_back({"FieldValueRequired", "Required value", "spec.names.plural"});
  } else if (!dns_label(plural)) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + GoQuote(plural) +
                          ": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                          "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                          "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                      "spec.names.plural"});
  }
  if (kind.empty()) causes.push_back({"FieldValueRequired", "Required value", "spec.names.kind"});
  const Value* versions = spec->Find("versions");
  if (versions == nullptr || !versions->is_array() || versions->as_array().empty()) {
    causes.push_back({"FieldValueInvalid", "Invalid value: \"null\": must have exactly one version marked as storage version",
                      "spec.versions"});
    causes.push_back({"FieldValueRequired", "Required value: must have at least one version", "spec.versions"});
  } else {
    int storage = 0;
    size_t i = 0;
    for (const Value& v : versions->as_array()) {
      std::string p = "spec.versions[" + std::to_string(i++) + "]";
      const Value* st = v.Find("storage");
      if (st && st->is_bool() && st->as_bool()) ++storage;
      std::string vname = Str(v, {"name"});
      if (vname.empty()) causes.push_back({"FieldValueRequired", "Required value", p + ".name"});
      const Value* schema = Path(v, {"schema", "openAPIV3Schema"});
      if (schema == nullptr) {
        causes.push_back({"FieldValueRequired", "Required value: schemas are required", p + ".schema.openAPIV3Schema"});
      } else {
        for (auto& e : api::crd::ValidateStructuralSchema(*schema, p + ".schema.openAPIV3Schema")) {
          causes.push_back({e.type, e.message, e.field});
        }
      }
    }
    if (storage != 1) {
      causes.push_back({"FieldValueInvalid",
                        "Invalid value: " + std::to_string(storage) +
                            ": must have exactly one version marked as storage version",
                        "spec.versions"});
    }
  }
  if (!causes.empty()) return ApiError::Invalid("apiextensions.k8s.io", "CustomResourceDefinition", name, causes);
  return std::nullopt;
}

}  // namespace kstream::registry
