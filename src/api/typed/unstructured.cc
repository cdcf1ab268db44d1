#include "api/typed/unstructured.h"

#include <algorithm>
#include <vector>

#include "api/json.h"

namespace kstream::typed {

namespace meta = k8s::meta::v1;

UnstructuredObject::UnstructuredObject(const KindEntry* entry) : Object(entry) {}

api::Value UnstructuredObject::MetadataValue() const {
  std::string json;
  JsonWriter w(&json, encoding::json::Style::kCompact);
  meta::AppendJson(w, meta_);
  auto v = api::ParseJson(json);
  if (!v.ok()) return api::Value::EmptyObject();
  // Go's unstructured converter omits what typed JSON writes as null for an unset Time.
  if (const api::Value* ct = v->Find("creationTimestamp"); ct && ct->is_null()) v->Erase("creationTimestamp");
  return std::move(v).value();
}

api::Value UnstructuredObject::ToValue() const {
  api::Value v = content_;
  if (!type_meta_.APIVersion.empty()) v.Set("apiVersion", type_meta_.APIVersion);
  if (!type_meta_.Kind.empty()) v.Set("kind", type_meta_.Kind);
  v.Set("metadata", MetadataValue());
  return v;
}

void UnstructuredObject::AppendJson(JsonWriter& w) const {
  const encoding::json::Style style = w.indent() ? encoding::json::Style::kIndent : encoding::json::Style::kCompact;
  const api::Value metadata = MetadataValue();
  const api::Value api_version(type_meta_.APIVersion);
  const api::Value kind(type_meta_.Kind);
  // Content members, with apiVersion/kind from the TypeMeta and the typed metadata, in key
  // order (Go's map encoding).
  std::vector<std::pair<std::string_view, const api::Value*>> members;
  members.reserve(content_.as_object().size() + 3);
  for (const api::Member& m : content_.as_object()) {
    if (m.key == "metadata") continue;
    if (m.key == "apiVersion" && !type_meta_.APIVersion.empty()) continue;
    if (m.key == "kind" && !type_meta_.Kind.empty()) continue;
    members.emplace_back(m.key, &m.value);
  }
  if (!type_meta_.APIVersion.empty()) members.emplace_back("apiVersion", &api_version);
  if (!type_meta_.Kind.empty()) members.emplace_back("kind", &kind);
  members.emplace_back("metadata", &metadata);
  std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.BeginObject();
  std::string quoted;
  for (const auto& [key, value] : members) {
    quoted.clear();
    encoding::json::AppendString(&quoted, key);
    w.Key(quoted);
    Status s = api::AppendJson(*value, w.out(), style, w.depth());
    if (!s.ok()) w.Fail(std::move(s));
  }
  w.EndObject();
}

Status UnstructuredObject::DecodeJson(const api::Value& in, DecodeContext& ctx) {
  if (!in.is_object()) return ctx.TypeError(in, "map[string]interface {}");
  return DecodeValue(in, ctx);
}

Status UnstructuredObject::DecodeValue(api::Value in, DecodeContext& ctx) {
  if (!in.is_object()) return ctx.TypeError(in, "map[string]interface {}");
  meta_ = {};
  type_meta_ = {};
  if (const api::Value* md = in.Find("metadata"); md != nullptr && !md->is_null()) {
    ctx.PushKey("metadata");
    Status s = meta::DecodeJson(*md, &meta_, ctx);
    ctx.Pop();
    KS_RETURN_IF_ERROR(s);
  }
  in.Erase("metadata");
  if (const api::Value* v = in.Find("apiVersion"); v != nullptr && v->is_string()) type_meta_.APIVersion = v->as_string();
  if (const api::Value* v = in.Find("kind"); v != nullptr && v->is_string()) type_meta_.Kind = v->as_string();
  content_ = std::move(in);
  return Status::Ok();
}

Status UnstructuredObject::DecodeProto(std::string_view) {
  return Status(StatusCode::kUnimplemented, "custom resources have no protobuf form");
}

std::unique_ptr<Object> UnstructuredObject::Clone() const {
  auto c = std::make_unique<UnstructuredObject>(&kind());
  c->type_meta_ = type_meta_;
  c->meta_ = meta_;
  c->content_ = content_;
  return c;
}

UnstructuredKinds& UnstructuredKinds::Global() {
  static UnstructuredKinds* kinds = new UnstructuredKinds;
  return *kinds;
}

const KindEntry* UnstructuredKinds::Get(std::string_view group, std::string_view version, std::string_view kind,
                                        bool is_list, std::string_view item_kind) {
  std::lock_guard lock(mu_);
  for (const KindEntry& e : entries_) {
    if (e.group == group && e.version == version && e.kind == kind) return &e;
  }
  auto keep = [&](std::string_view s) -> std::string_view { return strings_.emplace_back(s); };
  KindEntry e;
  e.group = keep(group);
  e.version = keep(version);
  e.kind = keep(kind);
  e.has_object_meta = true;
  e.is_list = is_list;
  e.item_kind = keep(item_kind);
  e.protobuf = false;
  e.unstructured = true;
  e.make = [](const KindEntry* entry) -> std::unique_ptr<Object> { return std::make_unique<UnstructuredObject>(entry); };
  return &entries_.emplace_back(e);
}

}  // namespace kstream::typed
