#include "api/openapi/definitions.h"

#include <algorithm>
#include <cstdlib>

#include "api/json.h"

namespace kstream::api {

namespace {
constexpr std::string_view kRefPrefix = "#/components/schemas/";

// The reference a schema stands for: {"$ref": R} or {"allOf":[{"$ref": R}], ...}.
const Value* RefOf(const Value& s) {
  if (!s.is_object()) return nullptr;
  if (const Value* r = s.Find("$ref"); r && r->is_string()) return r;
  if (const Value* all = s.Find("allOf"); all && all->is_array() && all->as_array().size() == 1) {
    const Value& one = all->as_array()[0];
    if (const Value* r = one.Find("$ref"); r && r->is_string()) return r;
  }
  return nullptr;
}
}  // namespace

std::string_view SchemaRefName(std::string_view ref) {
  if (ref.substr(0, kRefPrefix.size()) != kRefPrefix) return {};
  return ref.substr(kRefPrefix.size());
}

std::string OpenApiDefinitions::NameForKind(std::string_view group, std::string_view version,
                                            std::string_view kind) const {
  std::string key = std::string(group) + "/" + std::string(version) + "/" + std::string(kind);
  auto it = std::lower_bound(gvk_index.begin(), gvk_index.end(), key,
                             [](const auto& e, const std::string& k) { return e.first < k; });
  if (it != gvk_index.end() && it->first == key) return it->second;
  return {};
}

const OpenApiDefinitions& BuiltinOpenApiDefinitions() {
  static const OpenApiDefinitions* defs = [] {
    auto* d = new OpenApiDefinitions;
    auto parsed = ParseJson(OpenApiDefinitionsJson());
    if (!parsed.ok()) std::abort();  // generated data: cannot fail
    d->schemas = std::move(parsed).value();
    for (const Member& m : d->schemas.as_object()) {
      const Value* gvks = m.value.Find("x-kubernetes-group-version-kind");
      if (gvks == nullptr || !gvks->is_array()) continue;
      for (const Value& g : gvks->as_array()) {
        const Value* group = g.Find("group");
        const Value* version = g.Find("version");
        const Value* kind = g.Find("kind");
        if (!group || !version || !kind) continue;
        d->gvk_index.emplace_back(group->as_string() + "/" + version->as_string() + "/" + kind->as_string(), m.key);
      }
    }
    std::sort(d->gvk_index.begin(), d->gvk_index.end());
    return d;
  }();
  return *defs;
}

SchemaNode::SchemaNode(const Value* definitions, const Value* schema) : defs_(definitions), field_(schema) {
  schema_ = schema;
  // Follow references (a bounded number of hops: definitions may refer to each other).
  for (int hops = 0; schema_ != nullptr && hops < 8; ++hops) {
    const Value* r = RefOf(*schema_);
    if (r == nullptr || defs_ == nullptr) break;
    std::string_view name = SchemaRefName(r->as_string());
    schema_ = defs_->is_object() ? defs_->Find(name) : nullptr;
  }
}

SchemaNode SchemaNode::Named(const Value* definitions, std::string_view name) {
  if (definitions == nullptr || !definitions->is_object()) return {};
  const Value* s = definitions->Find(name);
  if (s == nullptr) return {};
  return SchemaNode(definitions, s);
}

SchemaNode BuiltinKindSchema(std::string_view group, std::string_view version, std::string_view kind) {
  const OpenApiDefinitions& defs = BuiltinOpenApiDefinitions();
  std::string name = defs.NameForKind(group, version, kind);
  if (name.empty()) return {};
  return SchemaNode::Named(&defs.schemas, name);
}

std::string_view SchemaNode::type() const {
  if (schema_ == nullptr || !schema_->is_object()) return {};
  const Value* t = schema_->Find("type");
  return t && t->is_string() ? std::string_view(t->as_string()) : std::string_view();
}

namespace {
bool BoolExt(const Value* field, const Value* schema, std::string_view name) {
  for (const Value* s : {field, schema}) {
    if (s == nullptr || !s->is_object()) continue;
    if (const Value* v = s->Find(name); v && v->is_bool()) return v->as_bool();
  }
  return false;
}
}  // namespace

bool SchemaNode::preserve_unknown_fields() const {
  return BoolExt(field_, schema_, "x-kubernetes-preserve-unknown-fields");
}
bool SchemaNode::int_or_string() const { return BoolExt(field_, schema_, "x-kubernetes-int-or-string"); }
bool SchemaNode::embedded_resource() const { return BoolExt(field_, schema_, "x-kubernetes-embedded-resource"); }

bool SchemaNode::has_properties() const {
  if (schema_ == nullptr || !schema_->is_object()) return false;
  const Value* p = schema_->Find("properties");
  return p != nullptr && p->is_object();
}

bool SchemaNode::HasProperty(std::string_view name) const {
  if (!has_properties()) return false;
  return schema_->Find("properties")->Find(name) != nullptr;
}

SchemaNode SchemaNode::Property(std::string_view name) const {
  if (schema_ == nullptr || !schema_->is_object()) return {};
  if (const Value* p = schema_->Find("properties"); p && p->is_object()) {
    if (const Value* s = p->Find(name)) return SchemaNode(defs_, s);
  }
  return AdditionalProperties();
}

SchemaNode SchemaNode::AdditionalProperties() const {
  if (schema_ == nullptr || !schema_->is_object()) return {};
  const Value* a = schema_->Find("additionalProperties");
  if (a == nullptr || !a->is_object()) return {};
  return SchemaNode(defs_, a);
}

SchemaNode SchemaNode::Items() const {
  if (schema_ == nullptr || !schema_->is_object()) return {};
  const Value* i = schema_->Find("items");
  if (i == nullptr || !i->is_object()) return {};
  return SchemaNode(defs_, i);
}

const Value* SchemaNode::ExtensionValue(std::string_view name) const {
  for (const Value* s : {field_, schema_}) {
    if (s == nullptr || !s->is_object()) continue;
    if (const Value* v = s->Find(name)) return v;
  }
  return nullptr;
}

std::string_view SchemaNode::Extension(std::string_view name) const {
  const Value* v = ExtensionValue(name);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

std::vector<std::string> SchemaNode::list_map_keys() const {
  std::vector<std::string> keys;
  const Value* v = ExtensionValue("x-kubernetes-list-map-keys");
  if (v && v->is_array()) {
    for (const Value& k : v->as_array()) {
      if (k.is_string()) keys.push_back(k.as_string());
    }
  }
  return keys;
}

}  // namespace kstream::api
