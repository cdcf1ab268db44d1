// ResourceInfo: the REST facts of one built-in resource at one group version (its plural
// and singular names, kind, scope, verbs, short names, categories and subresources), as
// kube-apiserver's discovery reports them. The table of every built-in resource is
// generated from ../shared/schema/resources.json (GeneratedResources(), in
// resources_gen.cc); the Scheme indexes it (Scheme::FindResource, ResourceForKind).
//
// The facts are immutable static data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kstream::typed {

struct KindEntry;

struct SubresourceInfo {
  std::string_view name;     // "status", "scale", "log", ...
  std::string_view group;    // the response kind's group/version; both empty means the
  std::string_view version;  // parent resource's own group version
  std::string_view kind;     // "Scale", "Pod", ...
  std::vector<std::string_view> verbs;
};

struct ResourceInfo {
  std::string_view group;      // "" for the core group
  std::string_view version;    // "v1"
  std::string_view kind;       // "Deployment"
  std::string_view list_kind;  // "DeploymentList" ("" when the resource has no list kind)
  std::string_view resource;   // "deployments"
  std::string_view singular;   // "deployment"
  bool namespaced = false;
  std::vector<std::string_view> verbs;  // discovery verbs: "create", "get", "list", ...
  std::vector<std::string_view> short_names;
  std::vector<std::string_view> categories;
  std::vector<SubresourceInfo> subresources;
  std::string_view stability;  // "ga", "beta" or "alpha"
  // Whether kube-apiserver serves this version without --runtime-config (GA, and betas
  // from before 1.24).
  bool default_served = false;
  // Custom resources (served from a CRD): the run-time kinds of their objects and lists
  // (UnstructuredObject). nullptr for built-in resources.
  const KindEntry* custom_kind = nullptr;
  const KindEntry* custom_list_kind = nullptr;

  bool custom() const { return custom_kind != nullptr; }

  // "v1" or "apps/v1".
  std::string api_version() const {
    return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  }

  bool HasVerb(std::string_view verb) const {
    for (std::string_view v : verbs) {
      if (v == verb) return true;
    }
    return false;
  }
  const SubresourceInfo* FindSubresource(std::string_view name) const {
    for (const SubresourceInfo& s : subresources) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }
};

// Every built-in resource of resources.json, in its order (without its stale entries:
// resources only an old discovery snapshot lists, gone from the v1.33 source).
const std::vector<ResourceInfo>& GeneratedResources();

}  // namespace kstream::typed
