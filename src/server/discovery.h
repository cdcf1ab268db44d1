// Discovery: the discovery documents of the API server, built once at startup.
//
// kube-apiserver answers clients' discovery requests (kubectl, client-go; see
// ../shared/spec/k8s-api-facts.md §8.1-8.2) with documents that depend only on which
// group versions it serves. `Discovery::Build` computes every one of them from the REST
// facts of the Scheme (typed::ResourceInfo) and keeps the response bodies as bytes:
//
//   legacy (plain `application/json`):
//     /api                APIVersions     {"kind":"APIVersions","versions":["v1"],
//                                          "serverAddressByClientCIDRs":[...]}  (no apiVersion)
//     /apis               APIGroupList    {"kind":"APIGroupList","apiVersion":"v1","groups":[...]}
//     /apis/<g>           APIGroup        {"kind":"APIGroup","apiVersion":"v1","name":..,...}
//     /api/v1             APIResourceList {"kind":"APIResourceList","groupVersion":"v1",...}
//     /apis/<g>/<v>       APIResourceList {"kind":"APIResourceList","apiVersion":"v1",...}
//   aggregated (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`, or
//   the protobuf twin): an apidiscovery.k8s.io/v2 APIGroupDiscoveryList, one for /api (the
//   core group, named "") and one for /apis (every other group), with an ETag.
//
// Kube's rules reproduced here:
//   - group order (/apis, both forms): group priority descending (kube-aggregator's
//     apiVersionPriorities table, GroupPriority()), ties by APIService name
//     "<version>.<group>" (legacy) or by group name (aggregated); apiregistration.k8s.io
//     first when served. Versions within a group: version priority descending, then
//     kube-aware version order (v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > other, by name);
//     the first is the preferred version.
//   - resources of a group version sorted by name (byte order), subresources as
//     "parent/sub" entries (singularName "", the parent's scope, group/version only for a
//     response kind of another group, e.g. pods/eviction -> policy/v1 Eviction), verbs
//     sorted, storageVersionHash on stored top-level resources only (StorageVersionHash()).
//   - aggregated resources: the legacy list converted as kube's
//     ConvertGroupVersionIntoToDiscovery does (subresources nested under their parent,
//     responseKind group/version empty unless cross-group), freshness "Current".
//   - ETag: `"` + uppercase hex SHA-512 of json.Marshal(APIGroupDiscoveryList{Items})
//     (kind/apiVersion empty, so `{"metadata":{},"items":[...]}`) + `"`.
// Which resources are served: DiscoveryOptions::served (default: ResourceInfo::default_served,
// i.e. GA and pre-1.24 betas); resources whose kind the Scheme cannot encode are never served.
//
// Ownership and lifetime: a Discovery owns its documents. ServedResources() and
// FindServed() return pointers into the Scheme's resource table: the Scheme must outlive
// the Discovery (Scheme::Default() lives forever). Pointers and references to documents
// stay valid for the Discovery's life (moving a Discovery keeps them valid too).
// Thread-safety: immutable after Build(); any number of threads may read concurrently.
// No HTTP types here: the server's handlers choose the document and the form (JSON, pretty
// JSON, protobuf) and write the headers (Content-Type, ETag).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/typed/resource.h"
#include "api/typed/scheme.h"

namespace kstream::server {

// One response body in the forms a handler may send.
struct DiscoveryDocument {
  // Compact JSON + "\n" (what kube's json.Encoder writes).
  std::string json;
  // json.MarshalIndent(v, "", "  "), no trailing newline (`?pretty=true`).
  std::string pretty_json;
  // Aggregated documents only: "k8s\0" + runtime.Unknown{apidiscovery.k8s.io/v2,
  // APIGroupDiscoveryList, body}. Empty for the legacy documents.
  std::string protobuf;
  // Aggregated documents only: the ETag header value, quotes included. Empty otherwise.
  std::string etag;
};

// A custom resource version to serve (from a CRD), with the version its objects are
// stored in (for storageVersionHash).
struct CustomResourceDiscovery {
  const typed::ResourceInfo* info = nullptr;
  std::string storage_version;
};

struct DiscoveryOptions {
  // "host:port" for /api's serverAddressByClientCIDRs ({"clientCIDR":"0.0.0.0/0",...}).
  std::string server_address;
  // Whether a resource (one group version of it) is served. Empty: DefaultServed.
  std::function<bool(const typed::ResourceInfo&)> served;
  // Custom resources, served in addition to the Scheme's (they must outlive the Discovery).
  std::vector<CustomResourceDiscovery> custom;
};

// The default predicate: info.default_served.
bool DefaultServed(const typed::ResourceInfo& info);
// A predicate serving exactly the listed group versions ("v1", "apps/v1", "batch/v1beta1").
std::function<bool(const typed::ResourceInfo&)> ServeGroupVersions(
    std::vector<std::string> group_versions);

class Discovery {
 public:
  static Discovery Build(const typed::Scheme& scheme, const DiscoveryOptions& options = {});

  Discovery(Discovery&&) noexcept = default;
  Discovery& operator=(Discovery&&) noexcept = default;

  // The legacy document at `path`, exactly one of "/api", "/apis", "/api/v1",
  // "/apis/<group>", "/apis/<group>/<version>" (no trailing slash, no query); nullptr for
  // any other path or a group/version not served.
  const DiscoveryDocument* Legacy(std::string_view path) const;
  // The aggregated APIGroupDiscoveryList for /api (core group only) and /apis (the rest).
  const DiscoveryDocument& AggregatedCore() const { return state_->aggregated_core; }
  const DiscoveryDocument& AggregatedApis() const { return state_->aggregated_apis; }

  // Every served resource (one entry per group version), in discovery order: core first,
  // then groups and versions in /apis order, resources by name.
  const std::vector<const typed::ResourceInfo*>& ServedResources() const {
    return state_->served;
  }
  // The served resource `resource` (plural) of group/version; nullptr if not served.
  const typed::ResourceInfo* FindServed(std::string_view group, std::string_view version,
                                        std::string_view resource) const;
  bool ServesGroupVersion(std::string_view group, std::string_view version) const;
  // Served group versions in discovery order: "v1" first (if served), then "apps/v1", ...
  // (within a group the preferred version first).
  const std::vector<std::string>& GroupVersions() const { return state_->group_versions; }

 private:
  struct State {
    std::map<std::string, DiscoveryDocument, std::less<>> legacy;  // by path
    DiscoveryDocument aggregated_core;
    DiscoveryDocument aggregated_apis;
    std::vector<const typed::ResourceInfo*> served;
    std::vector<std::string> group_versions;
  };
  Discovery() : state_(std::make_unique<State>()) {}
  std::unique_ptr<State> state_;  // heap: documents keep their address across moves
};

// ---------------------------------------------------------------------------------------
// The rules, exposed for the server's other users and for tests.

// kube's version.CompareKubeAwareVersionStrings: > 0 when `a` sorts before (is preferred
// to) `b`, < 0 when after, 0 when equal. Kube-like versions (v<N>[alpha|beta<M>]): GA >
// beta > alpha, then higher major, then higher minor; any kube-like version before any
// other string; other strings in ascending byte order.
int CompareKubeAwareVersions(std::string_view a, std::string_view b);

// kube-aggregator's discovery priorities of the built-in APIs (kube-apiserver 1.33 table).
// Unknown groups: 0. Versions not in the table: 15 for GA, 9 for beta, 1 for alpha, 0 else.
int32_t GroupPriority(std::string_view group);
int32_t VersionPriority(std::string_view group, std::string_view version);

// kube's discovery.StorageVersionHash: base64(sha256("<group>/<version>/<kind>")[:8]),
// e.g. ("", "v1", "ConfigMap") -> "qFsyl6wFWjQ=".
std::string StorageVersionHash(std::string_view group, std::string_view version,
                               std::string_view kind);

struct StorageKind {
  std::string group;
  std::string version;
  std::string kind;
};

// Whether objects of the resource are stored (have a storage version): resources that can
// be watched. Bindings, component statuses and the review kinds (create-only) are not.
bool IsStored(const typed::ResourceInfo& info);

// The group/version/kind the resource's objects are stored as (nullopt if not stored):
// the highest-priority version of the same group and kind in the Scheme (as kube's storage
// factory picks the preferred version), with kube-apiserver 1.33's exceptions: events.k8s.io
// events are stored as core v1 Event (cohabiting resources), networking.k8s.io ipaddresses
// and servicecidrs as v1beta1 (v1 was new in 1.33; storage stays one release behind). For
// APIs newer than 1.33 the rule gives the preferred version, which may differ from what a
// newer kube-apiserver picks in its first GA release.
std::optional<StorageKind> StorageKindFor(const typed::Scheme& scheme,
                                          const typed::ResourceInfo& info);

// Whether a subresource of the table is served. resources.json takes a few subresources
// from +k8s:supportsSubresource markers (declarative validation) that kube-apiserver does
// not serve: "status" of the create-only review kinds and of storage.k8s.io csinodes.
bool IsServedSubresource(const typed::ResourceInfo& info, const typed::SubresourceInfo& sub);

}  // namespace kstream::server
