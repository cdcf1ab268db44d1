// The managers chain of kube's NewDefaultFieldManager (versionCheck, lastAppliedUpdater,
// lastAppliedManager, skipNonApplied, capManagers, buildManagerInfo, managedFieldsUpdater,
// stripMeta, structuredMerge) and merge.Updater, on Values.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "api/fieldmanager/field_manager.h"
#include "api/fieldmanager/typed.h"
#include "api/json.h"
#include "encoding/json/encode.h"

namespace kstream::api::fieldmanager {

namespace ej = ::kstream::encoding::json;
using internal::TypeOptions;

namespace {

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";
constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;
constexpr size_t kMaxUpdateManagers = 10;
constexpr std::string_view kCurrentOperation = "current-operation";

// ---------------------------------------------------------------------------------------
// Times (metav1.Time: RFC3339 in, UTC seconds out).

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || s[10] != 'T' || !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) ||
      s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return std::nullopt;
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec -
         offset;
}

std::string FormatRfc3339(int64_t t) {
  int64_t days = t / 86400;
  int64_t rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // civil_from_days
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

// ---------------------------------------------------------------------------------------
// Managers (fieldpath.ManagedFields plus the times kube keeps beside it).

// BuildManagerIdentifier: the entry without time and fields, apiVersion only for Update.
std::string Identifier(std::string_view manager, std::string_view operation, std::string_view api_version,
                       std::string_view subresource) {
  std::string out = "{";
  bool first = true;
  auto field = [&](std::string_view key, std::string_view v) {
    if (v.empty()) return;
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out.append(key);
    out.append("\":");
    ej::AppendString(&out, v);
  };
  field("manager", manager);
  field("operation", operation);
  field("apiVersion", api_version);
  field("subresource", subresource);
  out.push_back('}');
  return out;
}

struct Manager {
  // The identity.
  std::string manager;
  std::string operation;  // "Apply" or "Update"
  std::string id_api_version;  // Update only
  std::string subresource;
  // The versioned set.
  std::string api_version;
  FieldSet set;
  std::optional<int64_t> time;

  bool applied() const { return operation == "Apply"; }
  std::string Id() const { return Identifier(manager, operation, id_api_version, subresource); }
  // conflict.go printManager.
  std::string Print() const {
    std::string s = internal::GoQuote(manager);
    if (!subresource.empty()) s += " with subresource " + internal::GoQuote(subresource);
    if (operation == "Update") s += " using " + id_api_version;
    return s;
  }
};
using Managers = std::map<std::string, Manager>;  // by identifier

Manager NewManager(std::string name, std::string operation, const std::string& api_version, std::string subresource) {
  Manager m;
  m.manager = std::move(name);
  m.operation = std::move(operation);
  if (m.operation == "Update") m.id_api_version = api_version;
  m.subresource = std::move(subresource);
  m.api_version = api_version;
  return m;
}

Result<std::string> StringField(const Value& entry, std::string_view key) {
  const Value* v = entry.Find(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return InvalidArgument("json: cannot unmarshal into Go struct field ManagedFieldsEntry." + std::string(key) + " of type string");
  return v->as_string();
}

// One managedFields entry, checked as DecodeManagedFields checks it.
Result<Manager> DecodeEntry(const Value& e, size_t i) {
  if (!e.is_object()) return InvalidArgument("json: cannot unmarshal into Go value of type v1.ManagedFieldsEntry");
  Manager m;
  KS_ASSIGN_OR_RETURN(m.manager, StringField(e, "manager"));
  KS_ASSIGN_OR_RETURN(m.operation, StringField(e, "operation"));
  KS_ASSIGN_OR_RETURN(m.api_version, StringField(e, "apiVersion"));
  KS_ASSIGN_OR_RETURN(m.subresource, StringField(e, "subresource"));
  KS_ASSIGN_OR_RETURN(std::string fields_type, StringField(e, "fieldsType"));
  if (const Value* t = e.Find("time"); t != nullptr && !t->is_null()) {
    std::optional<int64_t> secs = t->is_string() ? ParseRfc3339(t->as_string()) : std::nullopt;
    if (!secs) return InvalidArgument("managed fields entry " + std::to_string(i) + " has an invalid time");
    m.time = secs;
  }
  if (m.operation != "Apply" && m.operation != "Update") return InvalidArgument("operation must be `Apply` or `Update`");
  if (m.api_version.empty()) return InvalidArgument("apiVersion must not be empty");
  if (fields_type.empty()) return InvalidArgument("missing fieldsType in managed fields entry " + std::to_string(i));
  if (fields_type != "FieldsV1") {
    return InvalidArgument("invalid fieldsType " + internal::GoQuote(fields_type) + " in managed fields entry " +
                           std::to_string(i));
  }
  if (m.operation == "Update") m.id_api_version = m.api_version;
  if (const Value* f = e.Find("fieldsV1"); f != nullptr && !f->is_null()) {
    auto set = FieldSet::FromFieldsV1(*f);
    if (!set.ok()) {
      return InvalidArgument("error decoding versioned set from managed fields entry " + std::to_string(i) +
                             ": error decoding set: " + std::string(set.status().message()));
    }
    m.set = std::move(set).value();
  }
  return m;
}

// DecodeManagedFields. nullptr and null are no entries.
Result<Managers> DecodeManaged(const Value* mf) {
  Managers out;
  if (mf == nullptr || mf->is_null()) return out;
  if (!mf->is_array()) return InvalidArgument("json: cannot unmarshal into Go struct field ObjectMeta.metadata.managedFields");
  const Value::Array& arr = mf->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    KS_ASSIGN_OR_RETURN(Manager m, DecodeEntry(arr[i], i));
    std::string id = m.Id();
    out[id] = std::move(m);
  }
  return out;
}

Managers DecodeOrEmpty(const Value* mf) {
  auto r = DecodeManaged(mf);
  return r.ok() ? std::move(r).value() : Managers();
}

// isResetManagedFields: a non-nil empty list, or one entry that is the zero entry.
bool IsReset(const Value* mf) {
  if (mf == nullptr || !mf->is_array()) return false;
  const Value::Array& arr = mf->as_array();
  if (arr.empty()) return true;
  if (arr.size() != 1 || !arr[0].is_object()) return false;
  for (const Member& m : arr[0].as_object()) {
    const bool string_field = m.key == "manager" || m.key == "operation" || m.key == "apiVersion" ||
                              m.key == "fieldsType" || m.key == "subresource";
    const bool pointer_field = m.key == "time" || m.key == "fieldsV1";
    if (string_field && !(m.value.is_null() || (m.value.is_string() && m.value.as_string().empty()))) return false;
    if (pointer_field && !m.value.is_null()) return false;
  }
  return true;
}

// encodeManagedFields + sortEncodedManagedFields.
Value EncodeManaged(const Managers& managers) {
  std::vector<const Manager*> order;
  for (const auto& [id, m] : managers) order.push_back(&m);
  std::stable_sort(order.begin(), order.end(), [](const Manager* p, const Manager* q) {
    if (p->operation != q->operation) return p->operation < q->operation;
    const int64_t pt = p->time.value_or(0), qt = q->time.value_or(0);
    if (pt != qt) return pt < qt;
    if (p->manager != q->manager) return p->manager < q->manager;
    if (p->api_version != q->api_version) return p->api_version < q->api_version;
    return p->subresource < q->subresource;
  });
  Value::Array out;
  for (const Manager* m : order) {
    std::vector<Member> e;
    if (!m->manager.empty()) e.push_back({"manager", m->manager});
    e.push_back({"operation", m->operation});
    if (!m->api_version.empty()) e.push_back({"apiVersion", m->api_version});
    if (m->time) e.push_back({"time", FormatRfc3339(*m->time)});
    e.push_back({"fieldsType", "FieldsV1"});
    e.push_back({"fieldsV1", m->set.ToFieldsV1()});
    if (!m->subresource.empty()) e.push_back({"subresource", m->subresource});
    out.push_back(Value::FromMembers(std::move(e)));
  }
  return Value(std::move(out));
}

Value* Metadata(Value* obj) {
  if (!obj->is_object()) return nullptr;
  Value* m = obj->Find("metadata");
  return m != nullptr && m->is_object() ? m : nullptr;
}
const Value* Metadata(const Value& obj) {
  if (!obj.is_object()) return nullptr;
  const Value* m = obj.Find("metadata");
  return m != nullptr && m->is_object() ? m : nullptr;
}
const Value* ManagedFieldsOf(const Value& obj) {
  const Value* m = Metadata(obj);
  return m != nullptr ? m->Find("managedFields") : nullptr;
}
void StripManagedFields(Value* obj) {
  if (Value* m = Metadata(obj)) m->Erase("managedFields");
}
std::string StringAt(const Value& obj, std::string_view key) {
  const Value* v = obj.is_object() ? obj.Find(key) : nullptr;
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

// EncodeObjectManagedFields.
void WriteManaged(Value* obj, const Managers& managers) {
  Value* meta = Metadata(obj);
  if (meta == nullptr) {
    if (managers.empty() || !obj->is_object()) return;
    meta = &obj->Set("metadata", Value::EmptyObject());
  }
  if (managers.empty()) {
    meta->Erase("managedFields");
  } else {
    meta->Set("managedFields", EncodeManaged(managers));
  }
}

// ---------------------------------------------------------------------------------------
// The updater.

struct Env {
  const SchemaNode& schema;
  const WriteContext& ctx;
  TypeOptions opts;
  int64_t now = 0;
  FieldSet strip;  // stripMetaManager's set

  Env(const SchemaNode& s, const WriteContext& c) : schema(s), ctx(c) {
    opts.builtin = !c.custom_resource;
    for (const char* f : {"apiVersion", "kind", "metadata"}) strip.Insert({PathElement::Field(f)});
    for (const char* f : {"name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
                          "managedFields", "resourceVersion"}) {
      strip.Insert({PathElement::Field("metadata"), PathElement::Field(f)});
    }
  }
  Value EmptyObject() const { return ctx.custom_resource ? Value::EmptyObject() : ZeroObject(schema); }
  std::string ManagerName() const { return ctx.manager.empty() ? "unknown" : ctx.manager; }
};

struct ConflictItem {
  std::string id;
  std::string printed;
  Path path;
};

// merge.Updater.update: other managers lose what changed (or the call reports conflicts
// when not forced) and what was removed.
internal::Comparison UpdateOthers(const Value& old_obj, const Value& new_obj, Managers* managers,
                                  std::string_view workflow, bool force, const Env& env,
                                  std::vector<ConflictItem>* conflicts) {
  internal::Comparison cmp = internal::Compare(old_obj, new_obj, env.schema, env.opts);
  cmp.ExcludeFields(env.ctx.reset_fields);
  const FieldSet changed = cmp.modified.Union(cmp.added);
  std::map<std::string, FieldSet> conflict_sets;
  for (const auto& [id, m] : *managers) {
    if (id == workflow) continue;
    FieldSet c = m.set.Intersection(changed);
    if (!c.empty()) conflict_sets.emplace(id, std::move(c));
  }
  if (!force && !conflict_sets.empty()) {
    for (const auto& entry : conflict_sets) {
      const std::string& id = entry.first;
      const std::string printed = managers->at(id).Print();
      entry.second.Iterate([&](const Path& p) { conflicts->push_back({id, printed, p}); });
    }
    return cmp;
  }
  for (auto it = managers->begin(); it != managers->end();) {
    if (it->first != workflow) {
      if (auto c = conflict_sets.find(it->first); c != conflict_sets.end()) it->second.set = it->second.set.Difference(c->second);
      it->second.set = it->second.set.Difference(cmp.removed);
    }
    if (it->second.set.empty()) {
      it = managers->erase(it);
    } else {
      ++it;
    }
  }
  return cmp;
}

// capManagersManager.capUpdateManagers.
void CapManagers(Managers* managers) {
  std::vector<std::string> updaters;
  for (const auto& [id, m] : *managers) {
    if (!m.applied()) updaters.push_back(id);
  }
  if (updaters.size() <= kMaxUpdateManagers) return;
  std::sort(updaters.begin(), updaters.end(), [&](const std::string& a, const std::string& b) {
    const int64_t ta = managers->at(a).time.value_or(0), tb = managers->at(b).time.value_or(0);
    if (ta != tb) return ta < tb;
    return a < b;
  });
  std::map<std::string, std::string> version_to_first;
  size_t length = updaters.size();
  for (size_t i = 0; i < updaters.size() && length > kMaxUpdateManagers; ++i) {
    const std::string& id = updaters[i];
    auto it = managers->find(id);
    if (it == managers->end()) continue;
    const Manager entry = it->second;
    const std::string& version = entry.api_version;
    Manager bucket_template = NewManager("ancient-changes", "Update", version, "");
    const std::string bucket = bucket_template.Id();
    auto first = version_to_first.find(version);
    if (first == version_to_first.end()) {
      version_to_first.emplace(version, id);
      continue;
    }
    if (managers->find(bucket) == managers->end()) {
      Manager moved = managers->at(first->second);
      managers->erase(first->second);
      moved.manager = bucket_template.manager;
      moved.operation = bucket_template.operation;
      moved.id_api_version = bucket_template.id_api_version;
      moved.subresource.clear();
      (*managers)[bucket] = std::move(moved);
    }
    Manager& b = managers->at(bucket);
    b.set = entry.set.Union(b.set);
    b.api_version = entry.api_version;
    b.time = entry.time;
    if (id != bucket) managers->erase(id);
    --length;
  }
}

// The Update chain below skipNonApplied: buildManagerInfo, managedFieldsUpdater, stripMeta,
// structuredMerge (merge.Updater.Update with the "current-operation" manager), then
// capManagers.
void RecordUpdate(const Value& live, const Value& updated, Managers* managers, const std::string& name,
                  const Env& env) {
  internal::Comparison cmp =
      UpdateOthers(live, updated, managers, kCurrentOperation, /*force=*/true, env, /*conflicts=*/nullptr);
  FieldSet current =
      cmp.modified.Union(cmp.added).Difference(cmp.removed).RecursiveDifference(env.ctx.reset_fields).Difference(env.strip);
  if (!current.empty()) {
    Manager m = NewManager(name, "Update", env.ctx.api_version, env.ctx.subresource);
    const std::string id = m.Id();
    auto it = managers->find(id);
    if (it != managers->end()) {
      it->second.set = current.Union(it->second.set);
      it->second.api_version = env.ctx.api_version;
      it->second.time = env.now;
    } else {
      m.set = std::move(current);
      m.time = env.now;
      (*managers)[id] = std::move(m);
    }
  }
  CapManagers(managers);
}

// merge.Updater.prune with addBackOwnedItems and addBackDanglingItems.
Value Prune(Value merged, const Managers& managers, const std::optional<FieldSet>& last, const Env& env) {
  if (!last || last->empty()) return merged;
  auto ensure = [&](const FieldSet& s) { return internal::EnsureNamedFieldsAreMembers(s, env.schema); };
  auto fields = [&](const Value& v) {
    auto r = internal::ToFieldSet(v, env.schema, env.opts);
    return r.ok() ? std::move(r).value() : FieldSet();
  };
  const FieldSet last_e = ensure(*last);
  Value pruned = internal::RemoveItems(merged, last_e, env.schema, env.opts);
  FieldSet managed;
  for (const auto& [id, m] : managers) managed = managed.Union(m.set);
  const FieldSet merged_e = ensure(fields(merged));
  pruned = internal::RemoveItems(merged, merged_e.Difference(ensure(fields(pruned)).Union(ensure(managed))), env.schema,
                                 env.opts);
  const FieldSet pruned_e = ensure(fields(pruned));
  FieldSet remove = merged_e.Difference(pruned_e).Intersection(last_e);
  // Never prune the object's identity wholesale (kube keeps it because every applied
  // configuration names the object; this also covers one that does not): only what is
  // below metadata can go.
  FieldSet identity;
  for (const char* f : {"apiVersion", "kind", "metadata"}) identity.Insert({PathElement::Field(f)});
  remove = remove.Difference(identity);
  return internal::RemoveItems(merged, remove, env.schema, env.opts);
}

struct ApplyOutcome {
  Value object;
  Managers managers;
  std::vector<ConflictItem> conflicts;
};

// skipNonApplied -> capManagers -> buildManagerInfo -> managedFieldsUpdater -> stripMeta ->
// structuredMerge -> merge.Updater.Apply.
ApplyOutcome ApplyInner(const Value& live, const Value& config, Managers managers, bool force, bool exists,
                        const Env& env) {
  ApplyOutcome out;
  if (managers.empty() && exists) RecordUpdate(env.EmptyObject(), live, &managers, "before-first-apply", env);

  Manager applier = NewManager(env.ManagerName(), "Apply", env.ctx.api_version, env.ctx.subresource);
  const std::string id = applier.Id();
  Value merged = internal::Merge(live, config, env.schema, env.opts);
  std::optional<FieldSet> last;
  if (auto it = managers.find(id); it != managers.end()) {
    last = it->second.set;
    applier.time = it->second.time;
  }
  auto config_set = internal::ToFieldSet(config, env.schema, env.opts);
  applier.set = (config_set.ok() ? std::move(config_set).value() : FieldSet()).RecursiveDifference(env.ctx.reset_fields);
  managers[id] = std::move(applier);
  merged = Prune(std::move(merged), managers, last, env);
  UpdateOthers(live, merged, &managers, id, force, env, &out.conflicts);
  if (!out.conflicts.empty()) return out;
  const bool noop = ValuesEqual(live, merged);
  if (auto it = managers.find(id); it != managers.end()) {
    it->second.set = it->second.set.Difference(env.strip);
    if (it->second.set.empty()) {
      managers.erase(it);
    } else if (!noop) {
      it->second.time = env.now;
    }
  }
  out.object = noop ? live : std::move(merged);
  out.managers = std::move(managers);
  return out;
}

ApplyConflictError MakeConflictError(const std::vector<ConflictItem>& items) {
  ApplyConflictError err;
  for (const ConflictItem& c : items) err.conflicts.push_back({c.printed, PathString(c.path)});
  if (items.size() == 1) {
    err.message = "Apply failed with 1 conflict: conflict with " + err.conflicts[0].manager + ": " + err.conflicts[0].path;
    return err;
  }
  std::map<std::string, std::vector<size_t>> by_manager;  // sorted by identifier
  for (size_t i = 0; i < items.size(); ++i) by_manager[items[i].id].push_back(i);
  std::string lines;
  for (const auto& [id, idx] : by_manager) {
    if (!lines.empty()) lines += "\n";
    lines += "conflicts with " + err.conflicts[idx[0]].manager + ":";
    for (size_t i : idx) lines += "\n- " + err.conflicts[i].path;
  }
  err.message = "Apply failed with " + std::to_string(items.size()) + " conflicts: " + lines;
  return err;
}

// lastAppliedManager.allowedConflictsFromLastApplied.
std::optional<FieldSet> AllowedFromLastApplied(const Value& live, const Env& env) {
  const Value* meta = Metadata(live);
  const Value* ann = meta != nullptr ? meta->Find("annotations") : nullptr;
  const Value* last = ann != nullptr && ann->is_object() ? ann->Find(kLastApplied) : nullptr;
  if (last == nullptr || !last->is_string() || last->as_string().empty()) return std::nullopt;
  auto parsed = ParseJson(last->as_string());
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  if (StringAt(*parsed, "apiVersion") != env.ctx.api_version) return std::nullopt;
  if (!internal::CheckDepth(*parsed, "").ok()) return std::nullopt;
  if (!internal::Validate(*parsed, env.schema, false, env.opts).ok()) return std::nullopt;
  auto set = internal::ToFieldSet(*parsed, env.schema, env.opts);
  if (!set.ok()) return std::nullopt;
  internal::Comparison cmp = internal::Compare(*parsed, live, env.schema, env.opts);
  return set->Difference(cmp.modified).Difference(cmp.added).Difference(cmp.removed);
}

// lastAppliedUpdater: the client-side apply annotation follows kubectl's server-side applies.
void UpdateLastApplied(Value* obj, const Value& config) {
  Value* meta = Metadata(obj);
  if (meta == nullptr) return;
  Value* ann = meta->Find("annotations");
  if (ann == nullptr || !ann->is_object()) return;
  const Value* current = ann->Find(kLastApplied);
  if (current == nullptr || !current->is_string() || current->as_string().empty()) return;
  Value applied = config;
  if (Value* m = Metadata(&applied)) {
    if (Value* a = m->Find("annotations"); a != nullptr && a->is_object()) a->Erase(kLastApplied);
  }
  auto json = ToJson(applied);
  if (!json.ok()) return;
  ann->Set(kLastApplied, *json + "\n");
  size_t total = 0;
  for (const Member& m : ann->as_object()) total += m.key.size() + (m.value.is_string() ? m.value.as_string().size() : 0);
  if (total > kTotalAnnotationSizeLimit) ann->Erase(kLastApplied);
}

std::string GvkString(const std::string& api_version, const std::string& kind) {
  const size_t slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  return group + "/" + version + ", Kind=" + kind;
}

// objectGVKNN: "namespace/name; group/version, Kind=Kind".
std::string ObjectGvkNn(const Value& obj, const Env& env) {
  const Value* meta = Metadata(obj);
  std::string ns = meta != nullptr ? StringAt(*meta, "namespace") : "";
  std::string name = meta != nullptr ? StringAt(*meta, "name") : "";
  std::string api_version = StringAt(obj, "apiVersion");
  std::string kind = StringAt(obj, "kind");
  if (api_version.empty()) api_version = env.ctx.api_version;
  if (kind.empty()) kind = env.ctx.kind;
  return ns + "/" + name + "; " + GvkString(api_version, kind);
}

}  // namespace

Result<FieldSet> FieldsOf(const Value& obj, const SchemaNode& schema) {
  KS_RETURN_IF_ERROR(internal::CheckDepth(obj, "the object"));
  TypeOptions opts;
  Status valid = internal::Validate(obj, schema, /*allow_duplicates=*/true, opts);
  if (!valid.ok()) return Internal(std::string(valid.message()));
  return internal::ToFieldSet(obj, schema, opts);
}

Result<Value> Update(const Value& live, Value updated, const SchemaNode& schema, const WriteContext& ctx) {
  KS_RETURN_IF_ERROR(internal::CheckDepth(live, "the live object"));
  KS_RETURN_IF_ERROR(internal::CheckDepth(updated, "the object"));
  Env env(schema, ctx);
  std::optional<int64_t> now = ParseRfc3339(ctx.now);
  if (!now) return InvalidArgument("invalid time " + internal::GoQuote(ctx.now) + ": want RFC3339");
  env.now = *now;
  Value* meta = Metadata(&updated);
  if (meta == nullptr) return updated;  // no metadata: nothing to track (kube: no accessor)

  // decodeLiveOrNew.
  const Value* live_mf = ManagedFieldsOf(live);
  const Value* new_mf = meta->Find("managedFields");
  Managers managed;
  if (!ctx.subresource.empty()) {
    managed = DecodeOrEmpty(live_mf);
  } else if (!IsReset(new_mf)) {
    auto decoded = DecodeManaged(new_mf);
    if (decoded.ok() && !decoded->empty()) {
      managed = std::move(decoded).value();
    } else {
      managed = DecodeOrEmpty(live_mf);
    }
  }
  meta->Erase("managedFields");  // RemoveObjectManagedFields

  Value live_obj = live.is_null() ? env.EmptyObject() : live;
  StripManagedFields(&live_obj);
  // skipNonAppliedManager: an existing object without managedFields stays untracked.
  if (managed.empty()) {
    const Value* live_meta = Metadata(live_obj);
    if (live_meta != nullptr && !StringAt(*live_meta, "uid").empty()) return updated;
  }
  // The typed conversions; on failure UpdateNoErrors keeps live's managedFields (newer kube;
  // 1.33 dropped them), but only ones that decode, so no garbage is written back.
  if (!internal::Validate(live_obj, schema, true, env.opts).ok() ||
      !internal::Validate(updated, schema, true, env.opts).ok()) {
    if (live_mf != nullptr && !live_mf->is_null() && DecodeManaged(live_mf).ok()) {
      Metadata(&updated)->Set("managedFields", *live_mf);
    }
    return updated;
  }
  RecordUpdate(live_obj, updated, &managed, env.ManagerName(), env);
  WriteManaged(&updated, managed);
  return updated;
}

std::variant<Value, ApplyConflictError, Status> Apply(const Value& live, const Value& config, const SchemaNode& schema,
                                                       const WriteContext& ctx, bool force) {
  if (Status s = internal::CheckDepth(live, "the live object"); !s.ok()) return s;
  if (Status s = internal::CheckDepth(config, "the applied configuration"); !s.ok()) return s;
  Env env(schema, ctx);
  std::optional<int64_t> now = ParseRfc3339(ctx.now);
  if (!now) return InvalidArgument("invalid time " + internal::GoQuote(ctx.now) + ": want RFC3339");
  env.now = *now;
  if (!config.is_object()) return InvalidArgument("the applied configuration must be an object");
  const bool exists = !live.is_null();

  // FieldManager.Apply: the live object's managedFields.
  auto decoded = DecodeManaged(ManagedFieldsOf(live));
  if (!decoded.ok()) return Internal("failed to decode managed fields: " + std::string(decoded.status().message()));
  Managers managed = std::move(decoded).value();

  // versionCheckManager.
  const std::string cfg_api_version = StringAt(config, "apiVersion");
  const std::string cfg_kind = StringAt(config, "kind");
  std::string want_kind = ctx.kind;
  if (want_kind.empty()) want_kind = exists ? StringAt(live, "kind") : cfg_kind;
  if (cfg_api_version != ctx.api_version || cfg_kind != want_kind) {
    return InvalidArgument("invalid object type: " + GvkString(cfg_api_version, cfg_kind));
  }
  // structuredMergeManager.
  if (const Value* mf = ManagedFieldsOf(config); mf != nullptr && mf->is_array()) {
    return InvalidArgument("metadata.managedFields must be nil");
  }
  Value live_obj = exists ? live : Value::EmptyObject();
  StripManagedFields(&live_obj);
  if (Status s = internal::Validate(config, schema, /*allow_duplicates=*/false, env.opts); !s.ok()) {
    return Internal("failed to create typed patch object (" + ObjectGvkNn(config, env) + "): " + std::string(s.message()));
  }
  if (Status s = internal::Validate(live_obj, schema, /*allow_duplicates=*/true, env.opts); !s.ok()) {
    return Internal("failed to create typed live object (" + ObjectGvkNn(live_obj, env) + "): " + std::string(s.message()));
  }

  ApplyOutcome out = ApplyInner(live_obj, config, managed, force, exists, env);
  // lastAppliedManager: kubectl's conflicts on fields its last-applied annotation records
  // (with the live values) are not conflicts.
  if (!out.conflicts.empty() && env.ManagerName() == "kubectl") {
    if (std::optional<FieldSet> allowed = AllowedFromLastApplied(live_obj, env)) {
      std::vector<ConflictItem> remaining;
      for (ConflictItem& c : out.conflicts) {
        if (!allowed->Has(c.path)) remaining.push_back(std::move(c));
      }
      if (remaining.empty()) {
        out = ApplyInner(live_obj, config, std::move(managed), /*force=*/true, exists, env);
      } else {
        out.conflicts = std::move(remaining);
      }
    }
  }
  if (!out.conflicts.empty()) return MakeConflictError(out.conflicts);
  if (env.ManagerName() == "kubectl") UpdateLastApplied(&out.object, config);
  WriteManaged(&out.object, out.managers);
  return std::move(out.object);
}

Result<std::string> ManagedFieldsJson(const Value& managed_fields) {
  if (!managed_fields.is_array()) return InvalidArgument("managedFields must be a list");
  std::string out = "[";
  const Value::Array& arr = managed_fields.as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    const Value& e = arr[i];
    if (!e.is_object()) return InvalidArgument("managed fields entry " + std::to_string(i) + " is not an object");
    if (i > 0) out.push_back(',');
    out.push_back('{');
    bool first = true;
    auto key = [&](std::string_view k) {
      if (!first) out.push_back(',');
      first = false;
      out.push_back('"');
      out.append(k);
      out.append("\":");
    };
    for (std::string_view k : {"manager", "operation", "apiVersion"}) {
      KS_ASSIGN_OR_RETURN(std::string v, StringField(e, k));
      if (v.empty()) continue;
      key(k);
      ej::AppendString(&out, v);
    }
    if (const Value* t = e.Find("time"); t != nullptr && !t->is_null()) {
      std::optional<int64_t> secs = t->is_string() ? ParseRfc3339(t->as_string()) : std::nullopt;
      if (!secs) return InvalidArgument("managed fields entry " + std::to_string(i) + " has an invalid time");
      key("time");
      ej::AppendString(&out, FormatRfc3339(*secs));
    }
    KS_ASSIGN_OR_RETURN(std::string fields_type, StringField(e, "fieldsType"));
    if (!fields_type.empty()) {
      key("fieldsType");
      ej::AppendString(&out, fields_type);
    }
    if (const Value* f = e.Find("fieldsV1"); f != nullptr && !f->is_null()) {
      KS_RETURN_IF_ERROR(internal::CheckDepth(*f, "fieldsV1"));
      KS_ASSIGN_OR_RETURN(FieldSet set, FieldSet::FromFieldsV1(*f));
      key("fieldsV1");
      out.append(set.ToFieldsV1Json());
    }
    KS_ASSIGN_OR_RETURN(std::string sub, StringField(e, "subresource"));
    if (!sub.empty()) {
      key("subresource");
      ej::AppendString(&out, sub);
    }
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace kstream::api::fieldmanager
