// CustomResourceCatalog: the custom resources the server's CRDs define (kube's
// apiextensions-apiserver: the CRD controllers plus the custom resource handlers' state).
//
// CRDs (apiextensions.k8s.io/v1 CustomResourceDefinition) are ordinary objects of the
// Registry. The catalog follows them through a storage watch (one background thread), so a
// CRD written by any client (or by another server on the same etcd) is served within
// moments:
//   - for every served version of an accepted CRD it keeps a CustomResourceVersion: the
//     REST facts (a typed::ResourceInfo whose custom_kind is a run-time UnstructuredObject
//     kind), the compiled structural schema (pruning, defaulting, validation), the printer
//     columns (a TablePrinter over JSONPath), the selectable fields, and the status and
//     scale subresources;
//   - it writes the CRD's status as kube's controllers do: acceptedNames, storedVersions and
//     the conditions NamesAccepted (False with reason "...Conflict" when another CRD of the
//     group holds the plural or kind) and Established;
//   - when a CRD is deleted it stops serving its resources and deletes their objects.
// Listeners (the server: discovery and OpenAPI documents) are called after each change.
//
// ValidateCustomResourceDefinition is the CRD strategy's defaulting and validation (names,
// versions, scope, schema), called by the Registry on CRD creates and updates.
//
// Lifetime: CustomResourceVersions are immutable and shared; a ResourceInfo pointer taken
// from one stays valid for the life of the process (versions are never freed, so a request
// that started before a CRD change finishes safely). Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/crd/structural.h"
#include "api/typed/resource.h"
#include "api/value.h"
#include "collection/table.h"
#include "registry/api_error.h"
#include "registry/jsonpath.h"
#include "storage/store.h"

namespace kstream::registry {

class Registry;

struct PrinterColumn {
  std::string name;
  std::string type;  // integer, number, string, boolean, date
  std::string format;
  std::string description;
  int32_t priority = 0;
  JsonPath path;
};

struct CustomResourceVersion {
  typed::ResourceInfo info;  // string views into `strings`
  std::string crd_name;      // "<plural>.<group>"
  std::string storage_version;
  bool storage = false;
  // The version's structural schema (null: none given).
  std::shared_ptr<const api::crd::Schema> schema;
  api::Value openapi_schema;  // the raw openAPIV3Schema (null when none)
  std::vector<PrinterColumn> columns;
  // selectableFields: the field selector name ("spec.color") and its JSONPath.
  std::vector<std::pair<std::string, JsonPath>> selectable_fields;
  bool status_subresource = false;
  bool scale_subresource = false;
  std::string spec_replicas_path;    // ".spec.replicas"
  std::string status_replicas_path;  // ".status.replicas"
  std::string label_selector_path;   // "" when not given
  std::unique_ptr<collection::TablePrinter> printer;

  std::deque<std::string> strings;
};

class CustomResourceCatalog {
 public:
  explicit CustomResourceCatalog(Registry* registry);
  ~CustomResourceCatalog();
  CustomResourceCatalog(const CustomResourceCatalog&) = delete;
  CustomResourceCatalog& operator=(const CustomResourceCatalog&) = delete;

  // Reads the stored CRDs, then follows them with a watch on a background thread.
  Status Start();
  void Stop();

  // Every served version of every established CRD, by group, version and resource order.
  std::vector<std::shared_ptr<const CustomResourceVersion>> Served() const;
  std::shared_ptr<const CustomResourceVersion> Find(std::string_view group, std::string_view version,
                                                    std::string_view resource) const;
  // The version whose info() is `info` (any version ever served); nullptr otherwise.
  std::shared_ptr<const CustomResourceVersion> ForInfo(const typed::ResourceInfo* info) const;

  // Called (on the catalog's thread) after every change of the served set.
  void AddListener(std::function<void()> fn);
  // The storage revision the catalog has caught up with.
  storage::Revision synced_revision() const { return synced_.load(); }
  // Waits until the catalog has seen revision `rev` (tests, and writes that must be
  // visible before answering). False on timeout.
  bool WaitForRevision(storage::Revision rev, std::chrono::milliseconds timeout) const;

  // The custom resource write rules (kube's customresource strategy): prunes unknown fields
  // (their paths in `pruned`, for field validation), applies defaults, keeps the stored
  // status on main-resource writes when the status subresource is on (and everything but
  // the status on /status writes is the caller's business), and validates against the
  // schema (422 with kube's causes).
  std::optional<ApiError> PrepareWrite(const CustomResourceVersion& v, api::Value* obj, const api::Value* old,
                                       std::string_view subresource, std::vector<std::string>* pruned) const;

 private:
  void Run();
  void Reconcile(const api::Value& crd, storage::Revision rev);
  void Forget(const std::string& crd_name);
  void Publish();
  std::shared_ptr<const CustomResourceVersion> Build(const api::Value& crd, const api::Value& version,
                                                     std::string_view storage_version);

  Registry* registry_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  // crd name -> its served versions
  std::map<std::string, std::vector<std::shared_ptr<const CustomResourceVersion>>> by_crd_;
  // every version ever built, by ResourceInfo address (never erased)
  std::map<const typed::ResourceInfo*, std::shared_ptr<const CustomResourceVersion>> all_;
  std::vector<std::function<void()>> listeners_;
  std::atomic<storage::Revision> synced_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The CRD strategy: defaults (singular, listKind, conversion None) and validation (422 on
// CustomResourceDefinition.apiextensions.k8s.io). `crd` is the object's JSON form and is
// defaulted in place; `old` is the stored CRD on updates.
std::optional<ApiError> ValidateCustomResourceDefinition(api::Value* crd, const api::Value* old);

}  // namespace kstream::registry
