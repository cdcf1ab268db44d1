// Storage layout: where and how kube-apiserver keeps objects in etcd, so that kstream's
// data (in LMDB or in etcd) is laid out exactly as a real cluster's, and a real cluster's
// etcd data can be served.
//
// Keys: "/registry/<prefix>/<namespace>/<name>" for namespaced objects and
// "/registry/<prefix>/<name>" for cluster-scoped ones, where <prefix> is
//   - the resource name for built-in resources ("configmaps", "deployments", "leases"),
//     except kube's compiled-in special prefixes: replicationcontrollers -> "controllers",
//     endpoints -> "services/endpoints", nodes -> "minions", services -> "services/specs",
//     ingresses -> "ingress", podsecuritypolicies -> "podsecuritypolicy";
//   - "<group>/<resource>" for the apiextensions.k8s.io and apiregistration.k8s.io groups
//     ("apiextensions.k8s.io/customresourcedefinitions") and for custom resources
//     ("example.com/widgets").
// Values: built-in kinds as protobuf (the "k8s\0" envelope), except the
// apiextensions.k8s.io and apiregistration.k8s.io groups and custom resources, which are
// stored as JSON (json.Encoder output: compact, with a trailing newline). The stored
// object has no resourceVersion: it is the key's mod revision, filled in on read.
//
// Pure functions, thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/typed/object.h"
#include "api/value.h"
#include "base/status.h"
#include "storage/store.h"

namespace kstream::registry {

// The <prefix> above. `built_in`: a kind of the typed Scheme (not a custom resource).
std::string ResourcePrefix(std::string_view group, std::string_view resource, bool built_in);

// "/registry/<prefix>/" (every object of the resource) or "/registry/<prefix>/<ns>/" (one
// namespace's).
std::string CollectionKey(std::string_view prefix, std::string_view ns = {});
// An object's key; `ns` empty for cluster-scoped objects.
std::string ObjectKey(std::string_view prefix, std::string_view ns, std::string_view name);

enum class StorageFormat { kProtobuf, kJson };
StorageFormat StorageFormatFor(std::string_view group, bool built_in);

// The stored bytes of an object (resourceVersion cleared first, as kube's storage
// versioner does). Typed objects in `format`; unstructured ones are always JSON.
Result<std::string> EncodeForStorage(typed::Object& obj, StorageFormat format);
Result<std::string> EncodeForStorage(api::Value obj);

// Decodes stored bytes (protobuf envelope or JSON, told apart by the "k8s\0" magic) as a
// typed object, with metadata.resourceVersion set to `mod_revision`.
Result<std::unique_ptr<typed::Object>> DecodeFromStorage(std::string_view data, storage::Revision mod_revision);
// The same for unstructured (custom resource) JSON.
Result<api::Value> DecodeUnstructuredFromStorage(std::string_view data, storage::Revision mod_revision);

}  // namespace kstream::registry
