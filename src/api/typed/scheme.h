// Scheme: the registry of built-in kinds (group/version/kind -> codecs), and whole-object
// encoding and decoding in JSON, YAML and protobuf.
//
// The default Scheme holds every kind generated from ../shared/schema (GeneratedKinds())
// and the REST facts of every built-in resource (GeneratedResources(), resource.h).
// Lookups are by apiVersion ("v1", "apps/v1") and kind. As in kube (metav1's
// AddToGroupVersion), the option kinds and WatchEvent of meta.k8s.io/v1 are also
// registered in every group version, and Status, APIVersions, APIGroupList, APIGroup and
// APIResourceList in the core "v1".
//
// Object codecs follow kube-apiserver's serializers:
//   - JSON: json.Marshal of the typed struct (struct field order), compact or MarshalIndent;
//   - YAML: sigs.k8s.io/yaml.JSONToYAML of that JSON (keys sorted by go-yaml);
//   - protobuf: "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw = message}.
// Encoders write kind/apiVersion from the object's kind (as kube sets the GVK on encode).
//
// The Scheme is immutable after construction; Default() is safe to use from any thread.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/typed/object.h"
#include "api/typed/resource.h"
#include "api/value.h"
#include "base/status.h"

namespace kstream::typed {

class Scheme {
 public:
  explicit Scheme(const std::vector<KindEntry>* kinds,
                  const std::vector<ResourceInfo>* resources = nullptr);

  // Every generated built-in kind and built-in resource.
  static const Scheme& Default();

  // nullptr if the kind is not registered.
  const KindEntry* Find(std::string_view api_version, std::string_view kind) const;
  const std::vector<KindEntry>& kinds() const { return *kinds_; }

  // The resource named `resource` (plural, lower case: "deployments") in group/version
  // (group "" for the core group); nullptr if there is none.
  const ResourceInfo* FindResource(std::string_view group, std::string_view version,
                                   std::string_view resource) const;
  // The resource whose objects are of this kind ("apps/v1", "Deployment"); nullptr for kinds
  // that are not resources (lists, options, Status, ...).
  const ResourceInfo* ResourceForKind(std::string_view api_version, std::string_view kind) const;
  // Every resource, in resources.json order.
  const std::vector<ResourceInfo>& resources() const { return resources_ ? *resources_ : kNoResources; }

 private:
  void Add(const KindEntry* e);

  const std::vector<KindEntry>* kinds_;
  std::deque<std::string> names_;     // storage for the extra entries' group/version
  std::deque<KindEntry> extra_;       // meta kinds registered in other group versions
  std::unordered_map<std::string, const KindEntry*> by_gvk_;  // "apiVersion/Kind"
  const std::vector<ResourceInfo>* resources_;
  std::unordered_map<std::string, const ResourceInfo*> resource_by_gvr_;  // "group/version/resource"
  std::unordered_map<std::string, const ResourceInfo*> resource_by_gvk_;  // "apiVersion/Kind"
  static inline const std::vector<ResourceInfo> kNoResources;
};

struct DecodeOptions {
  // Collects the paths of unknown fields ("spec.foo"), for strict field validation.
  std::vector<std::string>* unknown_fields = nullptr;
  // Collects the paths of keys given twice in one JSON object ("metadata.name"); only
  // DecodeObjectJson can see them (a parsed Value holds the last one only).
  std::vector<std::string>* duplicate_fields = nullptr;
};

// kube's strict decoding error text for the problems DecodeOptions collected:
// `strict decoding error: unknown field "spec.foo", duplicate field "metadata.name"`
// (unknown fields first; a key both unknown and repeated is reported once, as unknown, as
// Go does; at most 100 problems, as Go keeps). Empty if there are none.
std::string StrictDecodingError(const std::vector<std::string>& unknown_fields,
                                const std::vector<std::string>& duplicate_fields);

// Decodes a parsed JSON/YAML object of a registered kind (its apiVersion and kind decide the
// type). Errors as kube's decoder gives them: a missing kind, a kind not registered, a
// field of the wrong type.
Result<std::unique_ptr<Object>> DecodeObject(const Scheme& scheme, const api::Value& v,
                                             const DecodeOptions& options = {});

// Parses JSON text and decodes it as above (the path to use when duplicate fields matter).
Result<std::unique_ptr<Object>> DecodeObjectJson(const Scheme& scheme, std::string_view json,
                                                 const DecodeOptions& options = {});

// Decodes an enveloped protobuf object ("k8s\0" + runtime.Unknown).
Result<std::unique_ptr<Object>> DecodeObjectProtobuf(const Scheme& scheme, std::string_view data);

// The same, for a kind known from the context (kinds without TypeMeta, such as WatchEvent,
// carry no kind of their own).
Result<std::unique_ptr<Object>> DecodeObjectAs(const KindEntry& kind, const api::Value& v,
                                               const DecodeOptions& options = {});
Result<std::unique_ptr<Object>> DecodeObjectProtobufAs(const KindEntry& kind, std::string_view data);

// Encoders. Each sets kind/apiVersion from the object's kind first (kinds without TypeMeta
// have none, and their protobuf envelope's typeMeta is empty, as in kube).
Status AppendObjectJson(Object& obj, std::string* out,
                        encoding::json::Style style = encoding::json::Style::kCompact);
Status AppendObjectYaml(Object& obj, std::string* out);
Status AppendObjectProtobuf(Object& obj, std::string* out);

// The message body of an object (no envelope), e.g. a list item.
std::string ObjectProtoBody(const Object& obj);

}  // namespace kstream::typed
