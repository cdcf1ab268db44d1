#include "registry/storage_layout.h"

#include "api/json.h"
#include "api/typed/scheme.h"

namespace kstream::registry {

namespace {

struct SpecialPrefix {
  std::string_view group, resource, prefix;
};
// kube-apiserver's compiled-in prefixes (SpecialDefaultResourcePrefixes).
constexpr SpecialPrefix kSpecialPrefixes[] = {
    {"", "replicationcontrollers", "controllers"},
    {"", "endpoints", "services/endpoints"},
    {"", "nodes", "minions"},
    {"", "services", "services/specs"},
    {"extensions", "ingresses", "ingress"},
    {"networking.k8s.io", "ingresses", "ingress"},
    {"extensions", "podsecuritypolicies", "podsecuritypolicy"},
    {"policy", "podsecuritypolicies", "podsecuritypolicy"},
};

bool GroupPrefixed(std::string_view group, bool built_in) {
  return !built_in || group == "apiextensions.k8s.io" || group == "apiregistration.k8s.io";
}

}  // namespace

std::string ResourcePrefix(std::string_view group, std::string_view resource, bool built_in) {
  if (built_in) {
    for (const SpecialPrefix& s : kSpecialPrefixes) {
      if (s.group == group && s.resource == resource) return std::string(s.prefix);
    }
  }
  if (GroupPrefixed(group, built_in)) return std::string(group) + "/" + std::string(resource);
  return std::string(resource);
}

std::string CollectionKey(std::string_view prefix, std::string_view ns) {
  std::string k = "/registry/";
  k.append(prefix);
  k.push_back('/');
  if (!ns.empty()) {
    k.append(ns);
    k.push_back('/');
  }
  return k;
}

std::string ObjectKey(std::string_view prefix, std::string_view ns, std::string_view name) {
  std::string k = CollectionKey(prefix, ns);
  k.append(name);
  return k;
}

StorageFormat StorageFormatFor(std::string_view group, bool built_in) {
  return GroupPrefixed(group, built_in) ? StorageFormat::kJson : StorageFormat::kProtobuf;
}

Result<std::string> EncodeForStorage(typed::Object& obj, StorageFormat format) {
  if (auto* meta = obj.object_meta()) meta->ResourceVersion.clear();
  std::string out;
  if (format == StorageFormat::kProtobuf) {
    KS_RETURN_IF_ERROR(typed::AppendObjectProtobuf(obj, &out));
  } else {
    KS_RETURN_IF_ERROR(typed::AppendObjectJson(obj, &out));
    out.push_back('\n');
  }
  return out;
}

Result<std::string> EncodeForStorage(api::Value obj) {
  if (!obj.is_object()) return InvalidArgument("the object is not a JSON object");
  if (api::Value* meta = obj.Find("metadata"); meta != nullptr && meta->is_object()) {
    meta->Erase("resourceVersion");
  }
  std::string out;
  KS_RETURN_IF_ERROR(api::AppendJson(obj, &out));
  out.push_back('\n');
  return out;
}

Result<std::unique_ptr<typed::Object>> DecodeFromStorage(std::string_view data, storage::Revision mod_revision) {
  std::unique_ptr<typed::Object> obj;
  if (data.starts_with(std::string_view("k8s\0", 4))) {
    KS_ASSIGN_OR_RETURN(obj, typed::DecodeObjectProtobuf(typed::Scheme::Default(), data));
  } else {
    KS_ASSIGN_OR_RETURN(obj, typed::DecodeObjectJson(typed::Scheme::Default(), data));
  }
  if (auto* meta = obj->object_meta()) meta->ResourceVersion = std::to_string(mod_revision);
  return obj;
}

Result<api::Value> DecodeUnstructuredFromStorage(std::string_view data, storage::Revision mod_revision) {
  KS_ASSIGN_OR_RETURN(api::Value v, api::ParseJson(data));
  if (!v.is_object()) return InvalidArgument("stored data is not a JSON object");
  api::Value* meta = v.Find("metadata");
  if (meta == nullptr || !meta->is_object()) {
    v.Set("metadata", api::Value::EmptyObject());
    meta = v.Find("metadata");
  }
  meta->Set("resourceVersion", std::to_string(mod_revision));
  return v;
}

}  // namespace kstream::registry
