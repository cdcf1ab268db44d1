#include "server/openapi.h"

#include <openssl/sha.h>

#include <cctype>
#include <set>

#include "api/json.h"
#include "api/openapi/definitions.h"

namespace kstream::server {

using api::Value;

namespace {

Value Obj(std::initializer_list<std::pair<std::string_view, Value>> members) {
  Value v = Value::EmptyObject();
  for (const auto& [k, m] : members) v.Set(k, m);
  return v;
}

Value Ref(std::string_view name) { return Obj({{"$ref", "#/components/schemas/" + std::string(name)}}); }

Value Param(std::string_view name, std::string_view in, std::string_view type, bool required = false) {
  Value p = Obj({{"name", name}, {"in", in}, {"schema", Obj({{"type", type}, {"uniqueItems", true}})}});
  if (required) p.Set("required", true);
  return p;
}

Value Params(std::initializer_list<const char*> names) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {"allowWatchBookmarks", "boolean"}, {"continue", "string"},        {"fieldSelector", "string"},
      {"labelSelector", "string"},        {"limit", "integer"},          {"resourceVersion", "string"},
      {"resourceVersionMatch", "string"}, {"sendInitialEvents", "boolean"}, {"timeoutSeconds", "integer"},
      {"watch", "boolean"},               {"dryRun", "string"},          {"fieldManager", "string"},
      {"fieldValidation", "string"},      {"force", "boolean"},          {"gracePeriodSeconds", "integer"},
      {"orphanDependents", "boolean"},    {"propagationPolicy", "string"},
      {"ignoreStoreReadErrorWithClusterBreakingPotential", "boolean"}};
  Value a = Value::EmptyArray();
  for (const char* n : names) a.mutable_array().push_back(Param(n, "query", kTypes.at(n)));
  return a;
}

Value Content(std::initializer_list<std::string_view> types, std::string_view schema) {
  Value c = Value::EmptyObject();
  for (std::string_view t : types) c.Set(t, Obj({{"schema", Ref(schema)}}));
  return c;
}

Value Responses(std::initializer_list<std::pair<const char*, const char*>> codes, std::string_view schema,
                bool list) {
  Value r = Value::EmptyObject();
  for (const auto& [code, text] : codes) {
    Value content = list ? Content({"application/json", "application/json;stream=watch", "application/yaml",
                                    "application/vnd.kubernetes.protobuf",
                                    "application/vnd.kubernetes.protobuf;stream=watch"},
                                   schema)
                         : Content({"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"},
                                   schema);
    r.Set(code, Obj({{"description", text}, {"content", std::move(content)}}));
  }
  r.Set("401", Obj({{"description", "Unauthorized"}}));
  return r;
}

// "apps" -> "Apps", "rbac.authorization.k8s.io" -> "RbacAuthorization", "" -> "Core".
std::string GroupWord(std::string_view group) {
  if (group.empty()) return "Core";
  std::string g(group);
  for (std::string_view suffix : {".k8s.io", ".kubernetes.io"}) {
    if (g.size() > suffix.size() && g.compare(g.size() - suffix.size(), suffix.size(), suffix) == 0) {
      g.resize(g.size() - suffix.size());
    }
  }
  std::string out;
  bool up = true;
  for (char c : g) {
    if (c == '.' || c == '-') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

std::string Capitalize(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

Value Gvk(std::string_view group, std::string_view version, std::string_view kind) {
  return Obj({{"group", group}, {"kind", kind}, {"version", version}});
}

// Collects the definition names reachable from `v` (every "$ref").
void CollectRefs(const Value& v, const Value& defs, const Value* extra, std::set<std::string>* seen) {
  std::vector<const Value*> stack{&v};
  while (!stack.empty()) {
    const Value* cur = stack.back();
    stack.pop_back();
    if (cur->is_array()) {
      for (const Value& e : cur->as_array()) stack.push_back(&e);
    } else if (cur->is_object()) {
      for (const api::Member& m : cur->as_object()) {
        if (m.key == "$ref" && m.value.is_string()) {
          std::string name(api::SchemaRefName(m.value.as_string()));
          if (!name.empty() && seen->insert(name).second) {
            const Value* d = extra != nullptr ? extra->Find(name) : nullptr;
            if (d == nullptr) d = defs.Find(name);
            if (d != nullptr) stack.push_back(d);
          }
        } else {
          stack.push_back(&m.value);
        }
      }
    }
  }
}

}  // namespace

std::string Sha512Hex(std::string_view data) {
  unsigned char digest[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

OpenApiResource BuiltinOpenApiResource(const typed::ResourceInfo& info) {
  const api::OpenApiDefinitions& defs = api::BuiltinOpenApiDefinitions();
  OpenApiResource r;
  r.info = &info;
  r.kind_schema = defs.NameForKind(info.group, info.version, info.kind);
  if (!info.list_kind.empty()) r.list_schema = defs.NameForKind(info.group, info.version, info.list_kind);
  for (const typed::SubresourceInfo& s : info.subresources) {
    std::string_view g = s.group.empty() && s.version.empty() ? info.group : s.group;
    std::string_view v = s.group.empty() && s.version.empty() ? info.version : s.version;
    std::string name = defs.NameForKind(g, v, s.kind);
    if (!name.empty()) r.subresource_schemas[std::string(s.name)] = name;
  }
  return r;
}

std::string BuildGroupVersionDocument(std::string_view path, const std::vector<OpenApiResource>& resources,
                                      const Value& definitions, std::string_view server_version, const Value* extra) {
  Value paths = Value::EmptyObject();
  const std::string prefix = "/" + std::string(path);
  const std::string status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
  const std::string delete_options = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
  const std::string patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
  Value tags = Value::EmptyArray();
  {
    std::string tag = path.starts_with("api/") ? "core_" + std::string(path.substr(4)) : std::string();
    if (tag.empty()) {
      // apis/<group>/<version> -> "<groupword>_<version>" as kube's tags ("apps_v1").
      std::string_view rest = path.substr(5);
      std::string group(rest.substr(0, rest.find('/')));
      std::string version(rest.substr(rest.find('/') + 1));
      std::string g = group;
      for (std::string_view suffix : {".k8s.io"}) {
        if (g.size() > suffix.size() && g.compare(g.size() - suffix.size(), suffix.size(), suffix) == 0) {
          g.resize(g.size() - suffix.size());
        }
      }
      for (char& c : g) {
        if (c == '.' || c == '-') c = '_';
      }
      tag = g + "_" + version;
    }
    tags.mutable_array().push_back(tag);
  }

  auto op = [&](std::string_view action, std::string_view op_id, std::string_view kind_group,
                std::string_view kind_version, std::string_view kind) {
    Value o = Value::EmptyObject();
    o.Set("operationId", op_id);
    o.Set("tags", tags);
    o.Set("x-kubernetes-action", action);
    o.Set("x-kubernetes-group-version-kind", Gvk(kind_group, kind_version, kind));
    return o;
  };

  for (const OpenApiResource& r : resources) {
    const typed::ResourceInfo& info = *r.info;
    if (r.kind_schema.empty()) continue;
    const std::string gw = GroupWord(info.group) + Capitalize(info.version);
    const std::string ns_word = info.namespaced ? "Namespaced" : "";
    const std::string coll =
        info.namespaced ? prefix + "/namespaces/{namespace}/" + std::string(info.resource) : prefix + "/" + std::string(info.resource);
    Value ns_param = Param("namespace", "path", "string", true);
    Value name_param = Param("name", "path", "string", true);
    Value pretty_param = Param("pretty", "query", "string");

    // The collection.
    Value c = Value::EmptyObject();
    if (info.HasVerb("list") && !r.list_schema.empty()) {
      Value o = op("list", "list" + gw + ns_word + std::string(info.kind), info.group, info.version, info.kind);
      o.Set("parameters", Params({"allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
                                  "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds",
                                  "watch"}));
      o.Set("responses", Responses({{"200", "OK"}}, r.list_schema, true));
      c.Set("get", std::move(o));
    }
    if (info.HasVerb("create")) {
      Value o = op("post", "create" + gw + ns_word + std::string(info.kind), info.group, info.version, info.kind);
      o.Set("parameters", Params({"dryRun", "fieldManager", "fieldValidation"}));
      o.Set("requestBody", Obj({{"content", Content({"*/*"}, r.kind_schema)}, {"required", true}}));
      o.Set("responses", Responses({{"200", "OK"}, {"201", "Created"}, {"202", "Accepted"}}, r.kind_schema, false));
      c.Set("post", std::move(o));
    }
    if (info.HasVerb("deletecollection")) {
      Value o = op("deletecollection", "deletecollection" + gw + ns_word + std::string(info.kind), info.group,
                   info.version, info.kind);
      o.Set("parameters", Params({"continue", "dryRun", "fieldSelector", "gracePeriodSeconds",
                                  "ignoreStoreReadErrorWithClusterBreakingPotential", "labelSelector", "limit",
                                  "orphanDependents", "propagationPolicy", "resourceVersion", "resourceVersionMatch",
                                  "sendInitialEvents", "timeoutSeconds"}));
      o.Set("requestBody", Obj({{"content", Content({"*/*"}, delete_options)}}));
      o.Set("responses", Responses({{"200", "OK"}}, status, false));
      c.Set("delete", std::move(o));
    }
    if (!c.as_object().empty()) {
      Value params = Value::EmptyArray();
      if (info.namespaced) params.mutable_array().push_back(ns_param);
      params.mutable_array().push_back(pretty_param);
      c.Set("parameters", std::move(params));
      paths.Set(coll, std::move(c));
    }
    // Across namespaces.
    if (info.namespaced && info.HasVerb("list") && !r.list_schema.empty()) {
      Value o = op("list", "list" + gw + std::string(info.kind) + "ForAllNamespaces", info.group, info.version,
                   info.kind);
      o.Set("responses", Responses({{"200", "OK"}}, r.list_schema, true));
      Value item = Obj({{"get", std::move(o)}});
      Value ps = Params({"allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
                         "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch"});
      ps.mutable_array().push_back(pretty_param);
      item.Set("parameters", std::move(ps));
      paths.Set(prefix + "/" + std::string(info.resource), std::move(item));
    }

    // One object, and its subresources.
    auto object_path = [&](std::string_view sub, std::string_view schema, std::string_view kg, std::string_view kv,
                           std::string_view kind) {
      std::string suffix = sub.empty() ? std::string() : Capitalize(sub);
      std::string id_tail = ns_word + std::string(info.kind) + suffix;
      Value item = Value::EmptyObject();
      auto has = [&](std::string_view verb) {
        if (sub.empty()) return info.HasVerb(verb);
        const typed::SubresourceInfo* s = info.FindSubresource(sub);
        if (s == nullptr) return false;
        for (std::string_view v : s->verbs) {
          if (v == verb) return true;
        }
        return false;
      };
      if (has("get")) {
        Value o = op("get", "read" + gw + id_tail, kg, kv, kind);
        o.Set("responses", Responses({{"200", "OK"}}, schema, false));
        item.Set("get", std::move(o));
      }
      if (has("update")) {
        Value o = op("put", "replace" + gw + id_tail, kg, kv, kind);
        o.Set("parameters", Params({"dryRun", "fieldManager", "fieldValidation"}));
        o.Set("requestBody", Obj({{"content", Content({"*/*"}, schema)}, {"required", true}}));
        o.Set("responses", Responses({{"200", "OK"}, {"201", "Created"}}, schema, false));
        item.Set("put", std::move(o));
      }
      if (has("patch")) {
        Value o = op("patch", "patch" + gw + id_tail, kg, kv, kind);
        o.Set("parameters", Params({"dryRun", "fieldManager", "fieldValidation", "force"}));
        Value types = r.strategic_merge
                          ? Content({"application/json-patch+json", "application/merge-patch+json",
                                     "application/strategic-merge-patch+json", "application/apply-patch+yaml"},
                                    patch)
                          : Content({"application/json-patch+json", "application/merge-patch+json",
                                     "application/apply-patch+yaml"},
                                    patch);
        o.Set("requestBody", Obj({{"content", std::move(types)}, {"required", true}}));
        o.Set("responses", Responses({{"200", "OK"}, {"201", "Created"}}, schema, false));
        item.Set("patch", std::move(o));
      }
      if (sub.empty() && has("delete")) {
        Value o = op("delete", "delete" + gw + id_tail, kg, kv, kind);
        o.Set("parameters", Params({"dryRun", "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential",
                                    "orphanDependents", "propagationPolicy"}));
        o.Set("requestBody", Obj({{"content", Content({"*/*"}, delete_options)}}));
        o.Set("responses", Responses({{"200", "OK"}, {"202", "Accepted"}}, schema, false));
        item.Set("delete", std::move(o));
      }
      if (item.as_object().empty()) return;
      Value params = Value::EmptyArray();
      params.mutable_array().push_back(name_param);
      if (info.namespaced) params.mutable_array().push_back(ns_param);
      params.mutable_array().push_back(pretty_param);
      item.Set("parameters", std::move(params));
      paths.Set(coll + "/{name}" + (sub.empty() ? std::string() : "/" + std::string(sub)), std::move(item));
    };
    object_path("", r.kind_schema, info.group, info.version, info.kind);
    for (const typed::SubresourceInfo& s : info.subresources) {
      auto it = r.subresource_schemas.find(std::string(s.name));
      if (it == r.subresource_schemas.end()) continue;
      bool own = s.group.empty() && s.version.empty();
      object_path(s.name, it->second, own ? info.group : s.group, own ? info.version : s.version, s.kind);
    }
  }

  std::set<std::string> names;
  CollectRefs(paths, definitions, extra, &names);
  Value schemas = Value::EmptyObject();
  for (const std::string& n : names) {
    const Value* d = extra != nullptr ? extra->Find(n) : nullptr;
    if (d == nullptr) d = definitions.Find(n);
    if (d != nullptr) schemas.Set(n, *d);
  }
  Value doc = Value::EmptyObject();
  doc.Set("openapi", "3.0.0");
  doc.Set("info", Obj({{"title", "Kubernetes"}, {"version", server_version}}));
  doc.Set("paths", std::move(paths));
  Value security_scheme = Obj({{"type", "apiKey"}, {"name", "authorization"}, {"in", "header"},
                               {"description", "Bearer Token authentication"}});
  doc.Set("components", Obj({{"schemas", std::move(schemas)},
                             {"securitySchemes", Obj({{"BearerToken", std::move(security_scheme)}})}}));
  Value sec = Value::EmptyArray();
  sec.mutable_array().push_back(Obj({{"BearerToken", Value::EmptyArray()}}));
  doc.Set("security", std::move(sec));
  auto json = api::ToJson(doc);
  return json.ok() ? std::move(json).value() : std::string("{}");
}

std::string CustomResourceSchemaName(std::string_view group, std::string_view version, std::string_view kind) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= group.size()) {
    size_t j = group.find('.', i);
    if (j == std::string_view::npos) j = group.size();
    parts.push_back(group.substr(i, j - i));
    i = j + 1;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += std::string(*it) + ".";
  return out + std::string(version) + "." + std::string(kind);
}

Value CustomResourceDefinitions(const typed::ResourceInfo& info, const Value& openapi_v3_schema) {
  Value defs = Value::EmptyObject();
  Value kind = openapi_v3_schema.is_object() ? openapi_v3_schema : Obj({{"type", "object"}});
  Value props = Value::EmptyObject();
  if (const Value* p = kind.Find("properties"); p && p->is_object()) props = *p;
  props.Set("apiVersion", Obj({{"type", "string"}}));
  props.Set("kind", Obj({{"type", "string"}}));
  Value all = Value::EmptyArray();
  all.mutable_array().push_back(Ref("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
  props.Set("metadata", Obj({{"allOf", std::move(all)}}));
  kind.Set("properties", std::move(props));
  Value gvks = Value::EmptyArray();
  gvks.mutable_array().push_back(Gvk(info.group, info.version, info.kind));
  kind.Set("x-kubernetes-group-version-kind", std::move(gvks));
  std::string kind_name = CustomResourceSchemaName(info.group, info.version, info.kind);
  defs.Set(kind_name, std::move(kind));

  Value list_props = Value::EmptyObject();
  list_props.Set("apiVersion", Obj({{"type", "string"}}));
  list_props.Set("kind", Obj({{"type", "string"}}));
  list_props.Set("items", Obj({{"type", "array"}, {"items", Ref(kind_name)}}));
  Value lall = Value::EmptyArray();
  lall.mutable_array().push_back(Ref("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"));
  list_props.Set("metadata", Obj({{"allOf", std::move(lall)}}));
  Value required = Value::EmptyArray();
  required.mutable_array().push_back("items");
  Value lgvks = Value::EmptyArray();
  lgvks.mutable_array().push_back(Gvk(info.group, info.version, info.list_kind));
  defs.Set(CustomResourceSchemaName(info.group, info.version, info.list_kind),
           Obj({{"type", "object"}, {"properties", std::move(list_props)}, {"required", std::move(required)},
                {"x-kubernetes-group-version-kind", std::move(lgvks)}}));
  return defs;
}

OpenApiV3::OpenApiV3() {
  auto s = std::make_shared<Snapshot>();
  s->index = std::make_shared<const std::string>("{\"paths\":{}}");
  snap_ = std::move(s);
}

void OpenApiV3::Publish(std::shared_ptr<Snapshot> next) {
  Value paths = Value::EmptyObject();
  for (const auto& [p, d] : next->docs) {
    paths.Set(p, Obj({{"serverRelativeURL", "/openapi/v3/" + p + "?hash=" + d->hash}}));
  }
  Value idx = Value::EmptyObject();
  idx.Set("paths", std::move(paths));
  auto json = api::ToJson(idx);
  next->index = std::make_shared<const std::string>(json.ok() ? std::move(json).value() : "{\"paths\":{}}");
  snap_ = std::move(next);
}

void OpenApiV3::Set(const std::string& path, std::string json) {
  auto doc = std::make_shared<OpenApiDocument>();
  doc->hash = Sha512Hex(json);
  doc->json = std::move(json);
  std::lock_guard lock(mu_);
  auto next = std::make_shared<Snapshot>(*snap_);
  next->docs[path] = std::move(doc);
  Publish(std::move(next));
}

void OpenApiV3::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  if (snap_->docs.find(path) == snap_->docs.end()) return;
  auto next = std::make_shared<Snapshot>(*snap_);
  next->docs.erase(path);
  Publish(std::move(next));
}

std::shared_ptr<const std::string> OpenApiV3::Index() const {
  std::lock_guard lock(mu_);
  return snap_->index;
}

std::shared_ptr<const OpenApiDocument> OpenApiV3::Find(std::string_view path) const {
  std::lock_guard lock(mu_);
  auto it = snap_->docs.find(path);
  return it == snap_->docs.end() ? nullptr : it->second;
}

}  // namespace kstream::server
