#include "server/write_path.h"

#include <unordered_set>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "registry/label_selector.h"

namespace kstream::server {

using registry::ApiError;
using registry::FieldCause;

namespace {

bool IsPrintableAscii(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// Go's unicode.IsPrint over UTF-8 text, approximated: ASCII printables and every non-ASCII
// rune except the C1 controls, U+FFFD from invalid bytes excluded.
std::string PrintablePrefix(std::string_view s, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < s.size() && out.size() < max_bytes) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (IsPrintableAscii(c)) out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len == 1 || i + len > s.size()) {
      ++i;
      continue;
    }
    bool ok = true;
    for (size_t k = 1; k < len; ++k) ok = ok && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && !(c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0)) out.append(s.substr(i, len));
    i += ok ? len : 1;
  }
  return out;
}

}  // namespace

std::string ManagerOrUserAgent(std::string_view field_manager, std::string_view user_agent) {
  if (!field_manager.empty()) return std::string(field_manager);
  return PrintablePrefix(user_agent.substr(0, user_agent.find('/')), 128);
}

std::string WarningHeaderValue(std::string_view text) {
  std::string out = "299 - \"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::vector<std::string> StrictDecodingProblems(const std::vector<std::string>& unknown,
                                                const std::vector<std::string>& duplicates) {
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen(unknown.begin(), unknown.end());
  for (const std::string& f : unknown) out.push_back("unknown field \"" + f + "\"");
  for (const std::string& f : duplicates) {
    if (!seen.contains(f)) out.push_back("duplicate field \"" + f + "\"");
  }
  if (out.size() > 100) out.resize(100);
  return out;
}

std::optional<ApiError> CheckFieldValidation(FieldValidation v, const std::vector<std::string>& unknown,
                                             const std::vector<std::string>& duplicates, Request* req,
                                             std::string_view strict_prefix) {
  if (unknown.empty() && duplicates.empty()) return std::nullopt;
  switch (v) {
    case FieldValidation::kIgnore:
      return std::nullopt;
    case FieldValidation::kWarn:
      for (std::string& p : StrictDecodingProblems(unknown, duplicates)) req->warnings.push_back(std::move(p));
      return std::nullopt;
    case FieldValidation::kStrict:
      return ApiError::BadRequest(std::string(strict_prefix) + typed::StrictDecodingError(unknown, duplicates));
  }
  return std::nullopt;
}

registry::ApiResult<WriteQuery> ParseWriteQuery(const Request& req, std::string_view options_kind, bool apply_patch) {
  WriteQuery q;
  std::vector<FieldCause> causes;
  for (const auto& [k, v] : req.query) {
    if (k != "dryRun") continue;
    if (v != "All") {
      causes.push_back({"FieldValueNotSupported", "Unsupported value: \"" + v + "\": supported values: \"All\"", "dryRun"});
    } else {
      q.dry_run = true;
    }
  }
  if (auto fm = req.Query("fieldManager")) q.field_manager = std::string(*fm);
  if (auto fv = req.Query("fieldValidation"); fv && !fv->empty()) {
    if (*fv == "Ignore") {
      q.validation = FieldValidation::kIgnore;
    } else if (*fv == "Warn") {
      q.validation = FieldValidation::kWarn;
    } else if (*fv == "Strict") {
      q.validation = FieldValidation::kStrict;
    } else {
      causes.push_back({"FieldValueNotSupported",
                        "Unsupported value: \"" + std::string(*fv) + "\": supported values: \"Ignore\", \"Strict\", \"Warn\"",
                        "fieldValidation"});
    }
  }
  if (auto f = req.Query("force")) {
    if (*f == "true" || *f == "1" || *f == "True" || *f == "TRUE" || *f == "t" || *f == "T") {
      q.force = true;
    } else if (*f == "false" || *f == "0" || *f == "False" || *f == "FALSE" || *f == "f" || *f == "F" || f->empty()) {
      q.force = false;
    } else {
      return ApiError::BadRequest("strconv.ParseBool: parsing \"" + std::string(*f) + "\": invalid syntax");
    }
  }
  if (options_kind == "PatchOptions") {
    if (!apply_patch && q.force.has_value()) {
      causes.insert(causes.begin(), {"FieldValueForbidden", "Forbidden: may not be specified for non-apply patch", "force"});
    }
    if (apply_patch && q.field_manager.empty()) {
      causes.insert(causes.begin(), {"FieldValueRequired", "Required value: is required for apply patch", "fieldManager"});
    }
  }
  if (q.field_manager.size() > 128) {
    causes.push_back({"FieldValueTooLong", "Too long: may not be more than 128 bytes", "fieldManager"});
  } else {
    for (unsigned char c : q.field_manager) {
      if (c < 0x20 || c == 0x7f) {
        causes.push_back({"FieldValueInvalid", "Invalid value: \"" + q.field_manager + "\": invalid characters",
                          "fieldManager"});
        break;
      }
    }
  }
  if (!causes.empty()) return ApiError::Invalid("meta.k8s.io", options_kind, "", causes);
  return q;
}

Result<api::Value> ObjectToValue(typed::Object& obj) {
  std::string json;
  KS_RETURN_IF_ERROR(typed::AppendObjectJson(obj, &json));
  return api::ParseJson(json);
}

Result<std::unique_ptr<typed::Object>> ValueToObject(const typed::KindEntry& kind, const api::Value& v,
                                                     std::vector<std::string>* unknown_fields) {
  typed::DecodeOptions opts;
  opts.unknown_fields = unknown_fields;
  return typed::DecodeObjectAs(kind, v, opts);
}

namespace {

// An autoscaling/v1 Scale carrying the parent's name, namespace, uid, resourceVersion and
// creationTimestamp, as kube's scale subresources build it.
api::Value ScaleWithMetadataOf(const api::Value& parent) {
  api::Value scale = api::Value::EmptyObject();
  scale.Set("apiVersion", "autoscaling/v1");
  scale.Set("kind", "Scale");
  api::Value md = api::Value::EmptyObject();
  if (const api::Value* pmd = parent.Find("metadata"); pmd && pmd->is_object()) {
    for (const char* k : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
      if (const api::Value* v = pmd->Find(k)) md.Set(k, *v);
    }
  }
  scale.Set("metadata", std::move(md));
  return scale;
}

}  // namespace

Result<api::Value> ScaleOf(const api::Value& parent, bool rc) {
  api::Value scale = ScaleWithMetadataOf(parent);
  api::Value spec = api::Value::EmptyObject();
  api::Value status = api::Value::EmptyObject();
  const api::Value* pspec = parent.Find("spec");
  if (pspec && pspec->is_object()) {
    if (const api::Value* r = pspec->Find("replicas"); r && r->is_int()) spec.Set("replicas", *r);
  }
  int64_t status_replicas = 0;
  if (const api::Value* pst = parent.Find("status"); pst && pst->is_object()) {
    if (const api::Value* r = pst->Find("replicas"); r && r->is_int()) status_replicas = r->as_int();
  }
  status.Set("replicas", status_replicas);
  // The selector's canonical string: requirements sorted by key ("a=b,c in (d,e)").
  std::vector<std::string> reqs;
  const api::Value* sel = pspec && pspec->is_object() ? pspec->Find("selector") : nullptr;
  if (sel && sel->is_object()) {
    const api::Value* labels = rc ? sel : sel->Find("matchLabels");
    if (labels && labels->is_object()) {
      for (const api::Member& mem : labels->as_object()) {
        if (mem.value.is_string()) reqs.push_back(mem.key + "=" + mem.value.as_string());
      }
    }
    const api::Value* exprs = rc ? nullptr : sel->Find("matchExpressions");
    if (exprs && exprs->is_array()) {
      for (const api::Value& e : exprs->as_array()) {
        const api::Value* key = e.Find("key");
        const api::Value* op = e.Find("operator");
        if (!key || !op || !key->is_string() || !op->is_string()) continue;
        std::string values;
        if (const api::Value* vs = e.Find("values"); vs && vs->is_array()) {
          for (const api::Value& v : vs->as_array()) {
            if (!v.is_string()) continue;
            values += (values.empty() ? "" : ",") + v.as_string();
          }
        }
        const std::string& o = op->as_string();
        if (o == "In") reqs.push_back(key->as_string() + " in (" + values + ")");
        if (o == "NotIn") reqs.push_back(key->as_string() + " notin (" + values + ")");
        if (o == "Exists") reqs.push_back(key->as_string());
        if (o == "DoesNotExist") reqs.push_back("!" + key->as_string());
      }
    }
  }
  std::string joined;
  for (const std::string& r : reqs) joined += (joined.empty() ? "" : ",") + r;
  if (!joined.empty()) {
    auto parsed = registry::ParseLabelSelector(joined);
    if (parsed.ok()) status.Set("selector", parsed->String());
  }
  scale.Set("spec", std::move(spec));
  scale.Set("status", std::move(status));
  return scale;
}


namespace {
std::vector<std::string> SplitSimplePath(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = path.starts_with(".") ? 1 : 0;
  while (i < path.size()) {
    size_t j = path.find('.', i);
    if (j == std::string_view::npos) j = path.size();
    parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

const api::Value* GetAtSimplePath(const api::Value& obj, std::string_view path) {
  const api::Value* cur = &obj;
  for (const std::string& p : SplitSimplePath(path)) {
    if (!cur->is_object()) return nullptr;
    cur = cur->Find(p);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}
}  // namespace

Status SetAtSimplePath(api::Value* obj, std::string_view path, api::Value v) {
  std::vector<std::string> parts = SplitSimplePath(path);
  if (parts.empty()) return InvalidArgument("empty path");
  api::Value* cur = obj;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    api::Value* next = cur->Find(parts[i]);
    if (next == nullptr || !next->is_object()) next = &cur->Set(parts[i], api::Value::EmptyObject());
    cur = next;
  }
  cur->Set(parts.back(), std::move(v));
  return Status::Ok();
}

Result<api::Value> CustomScaleOf(const api::Value& parent, std::string_view spec_replicas_path,
                                 std::string_view status_replicas_path, std::string_view label_selector_path) {
  api::Value scale = ScaleWithMetadataOf(parent);
  api::Value spec = api::Value::EmptyObject();
  if (const api::Value* r = GetAtSimplePath(parent, spec_replicas_path); r && r->is_int()) spec.Set("replicas", *r);
  api::Value status = api::Value::EmptyObject();
  int64_t replicas = 0;
  if (const api::Value* r = GetAtSimplePath(parent, status_replicas_path); r && r->is_int()) replicas = r->as_int();
  status.Set("replicas", replicas);
  if (!label_selector_path.empty()) {
    if (const api::Value* sel = GetAtSimplePath(parent, label_selector_path); sel && sel->is_string() &&
                                                                              !sel->as_string().empty()) {
      status.Set("selector", *sel);
    }
  }
  scale.Set("spec", std::move(spec));
  scale.Set("status", std::move(status));
  return scale;
}

}  // namespace kstream::server
