// Registry: the generic REST store of every built-in resource, over one storage::Store.
//
// One Registry serves all resources of the typed Scheme: it knows where each resource's
// objects live (storage_layout.h), sets the metadata the server owns (uid,
// creationTimestamp, resourceVersion = storage revision, generateName, generation), checks
// namespaces exist, maps storage failures to the exact kube errors (api_error.h), and
// turns storage ranges and watches into LIST pages and WATCH events with kube's
// resourceVersion / resourceVersionMatch / limit / continue semantics
// (../shared/spec/k8s-api-facts.md §5, §6, §10).
//
// LIST never materialises the list: List() returns a ListPage whose ItemSource walks one
// storage snapshot lazily, decoding one stored object at a time (and can rewind, for
// protobuf's two passes). A paged list (limit > 0) first walks the keys of its page once
// to know where the page ends (the continue token and remainingItemCount come before the
// items in every encoding); with a selector that walk decodes and filters.
//
// WATCH: Watch() returns a WatchSession whose Next() blocks (up to a timeout) for the next
// events: first the synthetic ADDED events of the initial state when asked for (walked
// lazily from a snapshot), then the storage changes translated to ADDED / MODIFIED /
// DELETED with selector transitions, BOOKMARKs, and a final ERROR event (410) when the
// history needed was compacted.
//
// Thread-safety: a Registry is safe to use from many threads at once (the Store is). A
// ListPage or WatchSession belongs to one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/k8s/meta/v1/types.h"
#include "api/fieldmanager/field_manager.h"
#include "api/openapi/definitions.h"
#include "api/typed/object.h"
#include "api/typed/resource.h"
#include "api/typed/scheme.h"
#include "collection/item_source.h"
#include "registry/api_error.h"
#include "storage/store.h"

namespace kstream::registry {

// A predicate over objects (label and field selectors, parsed by the caller). Empty: all.
struct ObjectFilter {
  std::function<bool(const typed::Object&)> matches;
  bool empty() const { return !matches; }
  bool operator()(const typed::Object& o) const { return !matches || matches(o); }
};

struct ListOptions {
  std::string resource_version;        // "" when not given
  std::string resource_version_match;  // "", "Exact", "NotOlderThan"
  int64_t limit = 0;                   // <= 0: no paging
  std::string continue_token;
  ObjectFilter filter;
};

// One LIST response's worth: the list metadata and the items (lazily decoded).
struct ListPage {
  storage::Revision revision = 0;
  k8s::meta::v1::ListMeta meta;  // resourceVersion, continue, remainingItemCount
  std::unique_ptr<collection::ItemSource<typed::Object>> items;
  // Unfiltered pages: identifies the items (key range and revision), so that encoders can
  // share work between lists of the same items (collection::ListSizeCache). Empty when
  // the page is filtered.
  std::string snapshot_key;
};

struct WatchOptions {
  std::string resource_version;
  std::string resource_version_match;
  bool send_initial_events = false;
  bool send_initial_events_set = false;
  bool allow_bookmarks = false;
  ObjectFilter filter;
  // How often an idle watch with allow_bookmarks gets a BOOKMARK (kube: about a minute).
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(60)};
};

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  std::unique_ptr<typed::Object> object;  // not for kError
  std::optional<ApiError> error;          // kError
  static std::string_view TypeName(Type t);
};

class WatchSession {
 public:
  virtual ~WatchSession() = default;
  // The next events, waiting up to `timeout` for some; an empty vector when none came.
  // After an ERROR event (or Cancel) the session is finished: finished() turns true.
  virtual std::vector<WatchEvent> Next(std::chrono::milliseconds timeout) = 0;
  virtual bool finished() const = 0;
  // Makes a blocked Next return. Thread-safe.
  virtual void Cancel() = 0;
};

struct DeleteOptions {
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

// What DELETE answers: the deleted object (pods, services, namespaces, ...) or a Status
// "Success" with details.
struct DeleteResult {
  std::unique_ptr<typed::Object> object;  // when the resource returns the deleted object
  k8s::meta::v1::Status status;           // otherwise
};

// Options of a write (create, update, patch).
struct WriteOptions {
  bool dry_run = false;
  // managedFields: the manager this write is recorded for (kube's fieldManager, or the
  // User-Agent's prefix; empty is recorded as "unknown").
  std::string field_manager;
  // "" for the object itself; "status" or "scale" for writes through a subresource.
  std::string subresource;
  // The object's managedFields were computed by the caller (server-side apply); the write
  // is stored as given.
  bool managed_fields_done = false;
};

// PATCH and server-side apply: turns the stored object (nullptr when there is none, only
// when creating is allowed) into the object to store. Called again with the new state
// when the object changed in between (a lost race); not called at all after an error.
using UpdateFunc = std::function<ApiResult<std::unique_ptr<typed::Object>>(const typed::Object* current)>;

struct WriteResult {
  std::unique_ptr<typed::Object> object;
  bool created = false;  // PATCH with apply created the object: 201
};

struct RegistryOptions {
  // NotOlderThan reads of a future revision wait this long before answering 504.
  std::chrono::milliseconds too_large_rv_wait{std::chrono::seconds(3)};
  // Clock for creationTimestamp (tests may fix it).
  std::function<k8s::meta::v1::Time()> now = [] { return k8s::meta::v1::Time::Now().Rfc3339Copy(); };
};

class CustomResourceCatalog;

class Registry {
 public:
  Registry(storage::Store* store, const typed::Scheme* scheme, RegistryOptions options = {});
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Creates the namespaces every cluster has (default, kube-system, kube-public,
  // kube-node-lease) when they do not exist yet, and resumes the removal of namespaces
  // that were terminating when the server stopped.
  Status Bootstrap();

  // Namespace deletion is kube's: DELETE marks the namespace Terminating
  // (deletionTimestamp, status.phase) and answers at once; a background worker (the
  // namespace controller's part) then deletes everything in it and finally the namespace.
  // Creating into a terminating namespace is 403. For tests: waits until no namespace is
  // being removed (false on timeout).
  bool WaitForNamespaceCleanup(std::chrono::milliseconds timeout);

  const typed::Scheme& scheme() const { return *scheme_; }
  // Custom resources: the catalog whose write rules (pruning, defaulting, validation,
  // status subresource) apply to them. Set once, before serving.
  void set_custom_resources(CustomResourceCatalog* crds) { crds_ = crds; }
  CustomResourceCatalog* custom_resources() const { return crds_; }
  // The OpenAPI schema of a resource's objects (built-in definitions, or the CRD
  // version's schema); null when there is none.
  api::SchemaNode SchemaFor(const typed::ResourceInfo& info) const;
  // The registry's clock (creationTimestamp, managedFields times).
  k8s::meta::v1::Time Now() const { return options_.now(); }
  storage::Store* store() const { return store_; }

  ApiResult<std::unique_ptr<typed::Object>> Get(const typed::ResourceInfo& info, std::string_view ns,
                                                std::string_view name, std::string_view resource_version = {});
  ApiResult<std::unique_ptr<typed::Object>> Create(const typed::ResourceInfo& info, std::string_view ns,
                                                   std::unique_ptr<typed::Object> obj,
                                                   const WriteOptions& options = {});
  // PUT: a stale metadata.resourceVersion is a 409; without one the write wins.
  ApiResult<std::unique_ptr<typed::Object>> Update(const typed::ResourceInfo& info, std::string_view ns,
                                                   std::string_view name, std::unique_ptr<typed::Object> obj,
                                                   const WriteOptions& options = {});
  // PATCH (and apply, with allow_create): kube's GuaranteedUpdate. `fn` sees the stored
  // object; a resourceVersion in its result is a precondition (409 when stale), otherwise
  // a concurrent write makes the registry call `fn` again on the new state.
  ApiResult<WriteResult> Patch(const typed::ResourceInfo& info, std::string_view ns, std::string_view name,
                               const UpdateFunc& fn, const WriteOptions& options, bool allow_create = false);
  ApiResult<DeleteResult> Delete(const typed::ResourceInfo& info, std::string_view ns, std::string_view name,
                                 const DeleteOptions& options = {});
  // Deletes every object the options select (in `ns`, or everywhere for ""), then returns
  // the page of what was deleted, read from the snapshot before the deletions.
  ApiResult<ListPage> DeleteCollection(const typed::ResourceInfo& info, std::string_view ns,
                                       const ListOptions& options, bool dry_run = false);

  ApiResult<ListPage> List(const typed::ResourceInfo& info, std::string_view ns, const ListOptions& options);
  ApiResult<std::unique_ptr<WatchSession>> Watch(const typed::ResourceInfo& info, std::string_view ns,
                                                 const WatchOptions& options);

  // kube's ListOptions validation (422 on ListOptions.meta.k8s.io).
  static std::optional<ApiError> ValidateListOptions(const ListOptions& options);
  static std::optional<ApiError> ValidateWatchOptions(const WatchOptions& options);

  // The storage key prefix of a resource's objects in `ns` ("" = all namespaces).
  std::string CollectionKeyFor(const typed::ResourceInfo& info, std::string_view ns) const;

 private:
  ApiResult<storage::Revision> ResolveNotOlderThan(storage::Revision rv);
  std::optional<ApiError> CheckNamespaceExists(std::string_view ns);
  std::optional<ApiError> PrepareForCreate(const typed::ResourceInfo& info, std::string_view ns,
                                           typed::Object& obj);
  // The kind's write strategy beyond metadata: custom resources' schema rules, CRD
  // defaulting and validation.
  std::optional<ApiError> ApplyStrategy(const typed::ResourceInfo& info, std::unique_ptr<typed::Object>& obj,
                                        const typed::Object* old, const WriteOptions& options);
  ApiResult<WriteResult> GuaranteedUpdate(const typed::ResourceInfo& info, std::string_view ns,
                                          std::string_view name, const UpdateFunc& fn, const WriteOptions& options,
                                          bool allow_create, bool put);
  Status DeleteNamespaceContents(std::string_view ns);
  void EnqueueNamespaceCleanup(std::string ns);
  void NamespaceWorker();

  storage::Store* store_;
  const typed::Scheme* scheme_;
  CustomResourceCatalog* crds_ = nullptr;
  RegistryOptions options_;

  std::mutex ns_mu_;
  std::condition_variable ns_cv_;
  std::deque<std::string> ns_pending_;  // namespaces to empty and remove
  int ns_busy_ = 0;                     // being worked on now
  bool ns_stop_ = false;
  std::thread ns_worker_;
};

// The managedFields context of a write: manager, the request's apiVersion and kind, the
// subresource, the time, whether the kind is a custom resource, and the reset fields (a
// resource with a status subresource never gives .status to main-resource writers).
api::fieldmanager::WriteContext ManagedFieldsContext(const typed::ResourceInfo& info, std::string_view manager,
                                                     std::string_view subresource, std::string_view now);
// Rewrites every managedFields entry's fieldsV1 in the byte order kube's encoder writes
// (structured-merge-diff's path element order) after a decode from a sorted api::Value.
void CanonicalizeManagedFields(k8s::meta::v1::ObjectMeta* meta);

// A random UUID v4 in its canonical text form.
std::string NewUuid();
// kube's generateName suffix: 5 characters from "bcdfghjklmnpqrstvwxz2456789".
std::string RandomNameSuffix();
// "ConfigMap" is invalid if not a DNS-1123 subdomain; namespaces must be DNS-1123 labels.
std::vector<FieldCause> ValidateObjectName(const typed::ResourceInfo& info, std::string_view name);

}  // namespace kstream::registry
