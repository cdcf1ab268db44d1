#include "server/discovery.h"

#include <openssl/sha.h>

#include <algorithm>
#include <set>
#include <utility>

#include "api/k8s/apidiscovery/v2/types.h"
#include "api/k8s/meta/v1/types.h"
#include "server/openapi.h"
#include "api/typed/codec.h"
#include "api/typed/object.h"
#include "encoding/json/encode.h"

namespace kstream::server {

namespace meta = k8s::meta::v1;
namespace apidisc = k8s::apidiscovery::v2;
using encoding::json::Style;
using typed::ResourceInfo;
using typed::SubresourceInfo;

namespace {

// ---------------------------------------------------------------------------------------
// Priorities (kube-apiserver 1.33: DefaultGenericAPIServicePriorities + the kube-specific
// entries of apiVersionPriorities).

struct VersionPriorityEntry {
  std::string_view version;
  int32_t priority;
};
struct GroupPriorityEntry {
  std::string_view group;
  int32_t priority;
  std::vector<VersionPriorityEntry> versions;  // only those differing from the defaults
};

const std::vector<GroupPriorityEntry>& PriorityTable() {
  static const std::vector<GroupPriorityEntry> table = {
      {"", 18000, {{"v1", 1}}},
      {"apiregistration.k8s.io", 18000, {}},
      {"extensions", 17900, {{"v1beta1", 1}}},
      {"apps", 17800, {}},
      {"events.k8s.io", 17750, {{"v1", 15}, {"v1beta1", 5}}},
      {"authentication.k8s.io", 17700, {}},
      {"authorization.k8s.io", 17600, {}},
      {"autoscaling", 17500, {{"v2", 30}, {"v1", 15}}},
      {"batch", 17400, {}},
      {"certificates.k8s.io", 17300, {}},
      {"networking.k8s.io", 17200, {}},
      {"policy", 17100, {}},
      {"rbac.authorization.k8s.io", 17000, {}},
      {"storage.k8s.io", 16800, {}},
      {"admissionregistration.k8s.io", 16700, {{"v1", 15}, {"v1beta1", 12}, {"v1alpha1", 9}}},
      {"apiextensions.k8s.io", 16700, {}},
      {"scheduling.k8s.io", 16600, {}},
      {"coordination.k8s.io", 16500, {{"v1", 15}, {"v1beta1", 13}, {"v1alpha2", 12}}},
      {"node.k8s.io", 16300, {}},
      {"discovery.k8s.io", 16200, {{"v1beta1", 12}}},
      {"resource.k8s.io", 16200, {{"v1beta2", 15}, {"v1beta1", 9}, {"v1alpha3", 1}}},
      {"flowcontrol.apiserver.k8s.io",
       16100,
       {{"v1", 21}, {"v1beta3", 18}, {"v1beta2", 15}, {"v1beta1", 12}, {"v1alpha1", 9}}},
      {"internal.apiserver.k8s.io", 16000, {{"v1alpha1", 9}}},
      {"storagemigration.k8s.io", 15800, {{"v1alpha1", 9}}},
  };
  return table;
}

const GroupPriorityEntry* FindGroupPriority(std::string_view group) {
  for (const GroupPriorityEntry& e : PriorityTable()) {
    if (e.group == group) return &e;
  }
  return nullptr;
}

// version.parseKubeVersion: ^v(\d+)(?:(alpha|beta)(\d+))?$
enum class VersionType { kAlpha = 0, kBeta = 1, kGA = 2 };
struct KubeVersion {
  VersionType type = VersionType::kGA;
  uint64_t major = 0;
  uint64_t minor = 0;
};

// Parses a run of digits (at least one) at the front of `s`; saturates on overflow (Go's
// Atoi would fail there, and the version would not be kube-like; such versions do not occur).
bool ParseDigits(std::string_view& s, uint64_t* out) {
  size_t n = 0;
  uint64_t v = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
    uint64_t d = static_cast<uint64_t>(s[n] - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    ++n;
  }
  if (n == 0) return false;
  *out = v;
  s.remove_prefix(n);
  return true;
}

std::optional<KubeVersion> ParseKubeVersion(std::string_view v) {
  if (v.empty() || v[0] != 'v') return std::nullopt;
  v.remove_prefix(1);
  KubeVersion kv;
  if (!ParseDigits(v, &kv.major)) return std::nullopt;
  if (v.empty()) return kv;
  if (v.substr(0, 5) == "alpha") {
    kv.type = VersionType::kAlpha;
    v.remove_prefix(5);
  } else if (v.substr(0, 4) == "beta") {
    kv.type = VersionType::kBeta;
    v.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  if (!ParseDigits(v, &kv.minor) || !v.empty()) return std::nullopt;
  return kv;
}

// Whether version `a` of `group` sorts before `b` (kube's ByVersionPriority).
bool VersionBefore(std::string_view group, std::string_view a, std::string_view b) {
  int32_t pa = VersionPriority(group, a);
  int32_t pb = VersionPriority(group, b);
  if (pa != pb) return pa > pb;
  return CompareKubeAwareVersions(a, b) > 0;
}

// ---------------------------------------------------------------------------------------
// Encoding helpers

template <class T>
std::string EncodeJson(const T& v, Style style) {
  std::string out;
  typed::JsonWriter w(&out, style);
  AppendJson(w, v);
  // The documents hold strings, bools and nested structs only: encoding cannot fail.
  return out;
}

template <class T>
DiscoveryDocument JsonDocument(const T& v) {
  DiscoveryDocument doc;
  doc.json = EncodeJson(v, Style::kCompact);
  doc.json.push_back('\n');
  doc.pretty_json = EncodeJson(v, Style::kIndent);
  return doc;
}

std::string ApiVersionOf(std::string_view group, std::string_view version) {
  if (group.empty()) return std::string(version);
  std::string s(group);
  s.push_back('/');
  s.append(version);
  return s;
}

typed::Slice<std::string> ToSlice(const std::vector<std::string_view>& v) {
  typed::Slice<std::string> s;
  for (std::string_view x : v) s.emplace_back(x);
  return s;
}

template <class S>
void FillSortedVerbs(const std::vector<std::string_view>& verbs, S* out) {
  out->set_non_nil();  // `"verbs":[]`, never null
  for (std::string_view v : verbs) out->emplace_back(v);
  std::sort(out->begin(), out->end());
}

// One served group version: its resources, and the legacy APIResource entries (sorted).
struct GroupVersionEntry {
  std::string group;
  std::string version;
  std::vector<const ResourceInfo*> resources;  // sorted by resource name
  std::vector<meta::APIResource> api_resources;
};

struct GroupEntry {
  std::string name;
  std::vector<GroupVersionEntry*> versions;  // preferred first
};

std::vector<meta::APIResource> LegacyResources(const typed::Scheme& scheme,
                                               const std::vector<const ResourceInfo*>& infos,
                                               const std::vector<CustomResourceDiscovery>& custom) {
  std::vector<meta::APIResource> out;
  for (const ResourceInfo* r : infos) {
    meta::APIResource top;
    top.Name = std::string(r->resource);
    top.SingularName = std::string(r->singular);
    top.Namespaced = r->namespaced;
    top.Kind = std::string(r->kind);
    FillSortedVerbs(r->verbs, &top.Verbs);
    top.ShortNames = ToSlice(r->short_names);
    top.Categories = ToSlice(r->categories);
    if (r->custom()) {
      for (const CustomResourceDiscovery& c : custom) {
        if (c.info == r) top.StorageVersionHash = StorageVersionHash(r->group, c.storage_version, r->kind);
      }
    } else if (std::optional<StorageKind> sk = StorageKindFor(scheme, *r)) {
      top.StorageVersionHash = StorageVersionHash(sk->group, sk->version, sk->kind);
    }
    out.push_back(std::move(top));
    for (const SubresourceInfo& s : r->subresources) {
      if (!IsServedSubresource(*r, s)) continue;
      meta::APIResource sub;
      sub.Name = std::string(r->resource) + "/" + std::string(s.name);
      sub.Namespaced = r->namespaced;
      sub.Group = std::string(s.group);
      sub.Version = std::string(s.version);
      sub.Kind = std::string(s.kind);
      FillSortedVerbs(s.verbs, &sub.Verbs);
      out.push_back(std::move(sub));
    }
  }
  // kube's installer registers the storage paths in sort.Strings order.
  std::sort(out.begin(), out.end(),
            [](const meta::APIResource& a, const meta::APIResource& b) { return a.Name < b.Name; });
  return out;
}

// kube's ConvertGroupVersionIntoToDiscovery (endpoints/installer.go).
typed::Slice<apidisc::APIResourceDiscovery> AggregatedResources(
    const std::vector<meta::APIResource>& list) {
  typed::Slice<apidisc::APIResourceDiscovery> out;
  std::map<std::string, size_t, std::less<>> parents;
  auto scope_of = [](bool namespaced) { return std::string(namespaced ? "Namespaced" : "Cluster"); };
  for (const meta::APIResource& r : list) {
    if (r.Name.find('/') != std::string::npos) continue;
    apidisc::APIResourceDiscovery d;
    d.Resource = r.Name;
    d.Scope = scope_of(r.Namespaced);
    meta::GroupVersionKind& gvk = d.ResponseKind.emplace();
    gvk.Group = r.Group;
    gvk.Version = r.Version;
    gvk.Kind = r.Kind;
    d.Verbs = r.Verbs;
    d.ShortNames = r.ShortNames;
    d.Categories = r.Categories;
    d.SingularResource = r.SingularName;
    out.push_back(std::move(d));
    parents[r.Name] = out.size() - 1;
  }
  for (const meta::APIResource& r : list) {
    size_t slash = r.Name.find('/');
    if (slash == std::string::npos) continue;
    std::string parent = r.Name.substr(0, slash);
    auto it = parents.find(parent);
    if (it == parents.end()) {
      // A subresource without its parent (cannot happen with the resource table: every
      // subresource hangs off a resource). kube adds an empty parent.
      apidisc::APIResourceDiscovery d;
      d.Resource = parent;
      d.Scope = scope_of(r.Namespaced);
      d.ResponseKind.emplace();
      out.push_back(std::move(d));
      it = parents.emplace(parent, out.size() - 1).first;
    }
    apidisc::APISubresourceDiscovery s;
    s.Subresource = r.Name.substr(slash + 1);
    s.Verbs = r.Verbs;
    meta::GroupVersionKind& gvk = s.ResponseKind.emplace();
    if (!r.Kind.empty()) {
      gvk.Group = r.Group;
      gvk.Version = r.Version;
      gvk.Kind = r.Kind;
    }
    out[it->second].Subresources.push_back(std::move(s));
  }
  return out;
}

apidisc::APIGroupDiscovery AggregatedGroup(const GroupEntry& g) {
  apidisc::APIGroupDiscovery item;
  item.ObjectMeta.Name = g.name;
  for (const GroupVersionEntry* gv : g.versions) {
    apidisc::APIVersionDiscovery v;
    v.Version = gv->version;
    v.Resources = AggregatedResources(gv->api_resources);
    v.Freshness = "Current";
    item.Versions.push_back(std::move(v));
  }
  return item;
}

const typed::KindEntry& AggregatedListKind() {
  static const typed::KindEntry entry = typed::MakeKindEntry<apidisc::APIGroupDiscoveryList>(
      "apidiscovery.k8s.io", "v2", "APIGroupDiscoveryList", false, true, "APIGroupDiscovery", true);
  return entry;
}

DiscoveryDocument AggregatedDocument(typed::Slice<apidisc::APIGroupDiscovery> items) {
  typed::ObjectOf<apidisc::APIGroupDiscoveryList> obj(&AggregatedListKind());
  apidisc::APIGroupDiscoveryList& list = obj.value;
  list.Items = std::move(items);
  list.Items.set_non_nil();
  // The ETag is computed before kind/apiVersion are set, as kube's calculateETag marshals
  // APIGroupDiscoveryList{Items: ...}.
  const std::string etag = Sha512Hex(EncodeJson(list, Style::kCompact));

  obj.SetTypeMetaFromKind();
  DiscoveryDocument doc = JsonDocument(list);
  doc.etag = "\"" + etag + "\"";
  // Encodes into a string; a kind with a protobuf form cannot fail.
  typed::AppendObjectProtobuf(obj, &doc.protobuf).IgnoreError();
  return doc;
}

meta::GroupVersionForDiscovery ForDiscovery(const GroupVersionEntry& gv) {
  meta::GroupVersionForDiscovery d;
  d.GroupVersion = ApiVersionOf(gv.group, gv.version);
  d.Version = gv.version;
  return d;
}

meta::APIGroup LegacyGroup(const GroupEntry& g) {
  meta::APIGroup out;
  out.Name = g.name;
  out.Versions.set_non_nil();
  for (const GroupVersionEntry* gv : g.versions) out.Versions.push_back(ForDiscovery(*gv));
  if (!g.versions.empty()) out.PreferredVersion = ForDiscovery(*g.versions.front());
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Rules

int CompareKubeAwareVersions(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  std::optional<KubeVersion> ka = ParseKubeVersion(a);
  std::optional<KubeVersion> kb = ParseKubeVersion(b);
  if (!ka && !kb) return a < b ? 1 : -1;  // strings.Compare(b, a)
  if (!ka) return -1;
  if (!kb) return 1;
  if (ka->type != kb->type) return static_cast<int>(ka->type) - static_cast<int>(kb->type);
  if (ka->major != kb->major) return ka->major > kb->major ? 1 : -1;
  if (ka->minor != kb->minor) return ka->minor > kb->minor ? 1 : -1;
  return 0;  // e.g. "v01" and "v1"
}

int32_t GroupPriority(std::string_view group) {
  const GroupPriorityEntry* e = FindGroupPriority(group);
  return e ? e->priority : 0;
}

int32_t VersionPriority(std::string_view group, std::string_view version) {
  if (const GroupPriorityEntry* e = FindGroupPriority(group)) {
    for (const VersionPriorityEntry& v : e->versions) {
      if (v.version == version) return v.priority;
    }
  }
  std::optional<KubeVersion> kv = ParseKubeVersion(version);
  if (!kv) return 0;
  switch (kv->type) {
    case VersionType::kGA:
      return 15;
    case VersionType::kBeta:
      return 9;
    case VersionType::kAlpha:
      return 1;
  }
  return 0;
}

std::string StorageVersionHash(std::string_view group, std::string_view version,
                               std::string_view kind) {
  std::string gvk;
  gvk.append(group).append("/").append(version).append("/").append(kind);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(gvk.data()), gvk.size(), digest);
  std::string quoted;
  encoding::json::AppendBase64(&quoted, std::string_view(reinterpret_cast<const char*>(digest), 8));
  return quoted.substr(1, quoted.size() - 2);  // base64 has nothing to escape: strip the quotes
}

bool IsStored(const ResourceInfo& info) { return info.HasVerb("watch"); }

std::optional<StorageKind> StorageKindFor(const typed::Scheme& scheme, const ResourceInfo& info) {
  if (!IsStored(info)) return std::nullopt;
  // kube-apiserver 1.33 exceptions to "the preferred version of the group".
  if (info.group == "events.k8s.io" && info.resource == "events") {
    return StorageKind{"", "v1", "Event"};  // AddCohabitatingResources(core events, ...)
  }
  if (info.group == "networking.k8s.io" &&
      (info.resource == "ipaddresses" || info.resource == "servicecidrs")) {
    return StorageKind{"networking.k8s.io", "v1beta1", std::string(info.kind)};
  }
  std::string_view best = info.version;
  for (const ResourceInfo& r : scheme.resources()) {
    if (r.group == info.group && r.kind == info.kind && VersionBefore(r.group, r.version, best)) {
      best = r.version;
    }
  }
  return StorageKind{std::string(info.group), std::string(best), std::string(info.kind)};
}

bool IsServedSubresource(const ResourceInfo& info, const SubresourceInfo& sub) {
  if (sub.name == "status" && !info.HasVerb("get")) return false;  // the review kinds
  if (info.group == "storage.k8s.io" && info.resource == "csinodes" && sub.name == "status") {
    return false;  // CSINode has no status
  }
  return true;
}

bool DefaultServed(const ResourceInfo& info) { return info.default_served; }

std::function<bool(const ResourceInfo&)> ServeGroupVersions(std::vector<std::string> group_versions) {
  std::set<std::string, std::less<>> set(group_versions.begin(), group_versions.end());
  return [set = std::move(set)](const ResourceInfo& info) {
    return set.count(ApiVersionOf(info.group, info.version)) > 0;
  };
}

// ---------------------------------------------------------------------------------------
// Discovery

Discovery Discovery::Build(const typed::Scheme& scheme, const DiscoveryOptions& options) {
  Discovery d;
  State& st = *d.state_;
  const std::function<bool(const ResourceInfo&)> served =
      options.served ? options.served : std::function<bool(const ResourceInfo&)>(DefaultServed);

  // Served resources by group version. A resource whose kind the Scheme cannot encode
  // (e.g. apiregistration.k8s.io APIService: no generated type) cannot be served.
  std::map<std::pair<std::string, std::string>, GroupVersionEntry> gvs;
  for (const ResourceInfo& r : scheme.resources()) {
    if (!served(r)) continue;
    if (scheme.Find(ApiVersionOf(r.group, r.version), r.kind) == nullptr) continue;
    GroupVersionEntry& gv = gvs[{std::string(r.group), std::string(r.version)}];
    gv.group = std::string(r.group);
    gv.version = std::string(r.version);
    gv.resources.push_back(&r);
  }
  for (const CustomResourceDiscovery& c : options.custom) {
    const ResourceInfo& r = *c.info;
    GroupVersionEntry& gv = gvs[{std::string(r.group), std::string(r.version)}];
    gv.group = std::string(r.group);
    gv.version = std::string(r.version);
    gv.resources.push_back(&r);
  }
  for (auto& [key, gv] : gvs) {
    std::sort(gv.resources.begin(), gv.resources.end(),
              [](const ResourceInfo* a, const ResourceInfo* b) { return a->resource < b->resource; });
    gv.api_resources = LegacyResources(scheme, gv.resources, options.custom);
  }

  // Groups other than core, each with its versions in preference order.
  std::map<std::string, GroupEntry> groups;
  GroupVersionEntry* core = nullptr;
  for (auto& [key, gv] : gvs) {
    if (gv.group.empty()) {
      if (gv.version == "v1") core = &gv;  // the legacy group is /api/v1 only
      continue;
    }
    GroupEntry& g = groups[gv.group];
    g.name = gv.group;
    g.versions.push_back(&gv);
  }
  for (auto& entry : groups) {
    GroupEntry& g = entry.second;
    std::stable_sort(g.versions.begin(), g.versions.end(),
                     [&g](const GroupVersionEntry* a, const GroupVersionEntry* b) {
                       return VersionBefore(g.name, a->version, b->version);
                     });
  }

  // Legacy /apis order: APIServices sorted by group priority, then by name
  // "<version>.<group>"; a group sits where its first APIService does; the aggregator's own
  // group first.
  std::vector<const GroupEntry*> legacy_order;
  {
    struct Service {
      int32_t priority;
      std::string name;
      const GroupEntry* group;
    };
    std::vector<Service> services;
    for (const auto& [name, g] : groups) {
      for (const GroupVersionEntry* gv : g.versions) {
        services.push_back({GroupPriority(name), gv->version + "." + name, &g});
      }
    }
    std::sort(services.begin(), services.end(), [](const Service& a, const Service& b) {
      if (a.priority != b.priority) return a.priority > b.priority;
      return a.name < b.name;
    });
    auto registration = groups.find("apiregistration.k8s.io");
    if (registration != groups.end()) legacy_order.push_back(&registration->second);
    for (const Service& s : services) {
      if (std::find(legacy_order.begin(), legacy_order.end(), s.group) == legacy_order.end()) {
        legacy_order.push_back(s.group);
      }
    }
  }

  // Aggregated /apis order: group priority (the highest of its versions; ours are per
  // group), then group name.
  std::vector<const GroupEntry*> aggregated_order;
  for (const auto& [name, g] : groups) aggregated_order.push_back(&g);
  std::stable_sort(aggregated_order.begin(), aggregated_order.end(),
                   [](const GroupEntry* a, const GroupEntry* b) {
                     int32_t pa = GroupPriority(a->name);
                     int32_t pb = GroupPriority(b->name);
                     if (pa != pb) return pa > pb;
                     return a->name < b->name;
                   });

  // /api
  {
    meta::APIVersions v;
    v.TypeMeta.Kind = "APIVersions";
    v.Versions.set_non_nil();
    if (core) v.Versions.push_back("v1");
    meta::ServerAddressByClientCIDR addr;
    addr.ClientCIDR = "0.0.0.0/0";
    addr.ServerAddress = options.server_address;
    v.ServerAddressByClientCIDRs.push_back(std::move(addr));
    st.legacy["/api"] = JsonDocument(v);
  }
  // /apis and /apis/<group>
  {
    meta::APIGroupList list;
    list.TypeMeta.Kind = "APIGroupList";
    list.TypeMeta.APIVersion = "v1";
    list.Groups.set_non_nil();
    for (const GroupEntry* g : legacy_order) {
      meta::APIGroup group = LegacyGroup(*g);
      list.Groups.push_back(group);
      group.TypeMeta.Kind = "APIGroup";
      group.TypeMeta.APIVersion = "v1";
      st.legacy["/apis/" + g->name] = JsonDocument(group);
    }
    st.legacy["/apis"] = JsonDocument(list);
  }
  // /api/v1 and /apis/<group>/<version>
  for (const auto& [key, gv] : gvs) {
    if (gv.group.empty() && &gv != core) continue;
    meta::APIResourceList list;
    list.TypeMeta.Kind = "APIResourceList";
    // The legacy group (and extensions) are written without apiVersion.
    if (!gv.group.empty() && gv.group != "extensions") list.TypeMeta.APIVersion = "v1";
    list.GroupVersion = ApiVersionOf(gv.group, gv.version);
    list.APIResources.set_non_nil();
    for (const meta::APIResource& r : gv.api_resources) list.APIResources.push_back(r);
    std::string path = gv.group.empty() ? "/api/" + gv.version : "/apis/" + list.GroupVersion;
    st.legacy[path] = JsonDocument(list);
  }

  // Aggregated documents.
  {
    typed::Slice<apidisc::APIGroupDiscovery> items;
    if (core) {
      GroupEntry core_group;
      core_group.versions.push_back(core);
      items.push_back(AggregatedGroup(core_group));
    }
    st.aggregated_core = AggregatedDocument(std::move(items));
  }
  {
    typed::Slice<apidisc::APIGroupDiscovery> items;
    for (const GroupEntry* g : aggregated_order) items.push_back(AggregatedGroup(*g));
    st.aggregated_apis = AggregatedDocument(std::move(items));
  }

  // Served resources and group versions, in discovery (legacy) order.
  auto add_gv = [&](const GroupVersionEntry& gv) {
    st.group_versions.push_back(ApiVersionOf(gv.group, gv.version));
    for (const ResourceInfo* r : gv.resources) st.served.push_back(r);
  };
  if (core) add_gv(*core);
  for (const GroupEntry* g : legacy_order) {
    for (const GroupVersionEntry* gv : g->versions) add_gv(*gv);
  }
  return d;
}

const DiscoveryDocument* Discovery::Legacy(std::string_view path) const {
  auto it = state_->legacy.find(path);
  return it == state_->legacy.end() ? nullptr : &it->second;
}

const ResourceInfo* Discovery::FindServed(std::string_view group, std::string_view version,
                                          std::string_view resource) const {
  for (const ResourceInfo* r : state_->served) {
    if (r->group == group && r->version == version && r->resource == resource) return r;
  }
  return nullptr;
}

bool Discovery::ServesGroupVersion(std::string_view group, std::string_view version) const {
  std::string gv = ApiVersionOf(group, version);
  return std::find(state_->group_versions.begin(), state_->group_versions.end(), gv) !=
         state_->group_versions.end();
}

}  // namespace kstream::server
