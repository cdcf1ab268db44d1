// The write path's request-level rules (kube's handlers/create.go, update.go, patch.go):
// the options of a write from the query (dryRun, fieldManager, fieldValidation, force) and
// their validation, the field manager of a write, how field-validation problems become
// errors or warnings, and the conversions between typed objects and their unstructured
// JSON form that patching and managedFields work on.
//
// Stateless functions; safe from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/openapi/definitions.h"
#include "api/typed/object.h"
#include "api/value.h"
#include "registry/api_error.h"
#include "server/http.h"

namespace kstream::server {

enum class FieldValidation { kIgnore, kWarn, kStrict };

struct WriteQuery {
  bool dry_run = false;
  std::string field_manager;  // as given ("" when absent)
  FieldValidation validation = FieldValidation::kWarn;  // kube's default since 1.23
  std::optional<bool> force;
};

// Parses and validates the write options of `req` as kube's Create/Update/Patch/
// DeleteOptions (`options_kind`): an invalid dryRun, fieldValidation or fieldManager is a
// 422 on "<options_kind>.meta.k8s.io"; for PatchOptions also `force` outside apply and a
// missing fieldManager for apply. An unparseable `force` is a 400.
registry::ApiResult<WriteQuery> ParseWriteQuery(const Request& req, std::string_view options_kind,
                                                bool apply_patch = false);

// kube's managerOrUserAgent: the fieldManager if given, else the User-Agent up to its
// first '/', without non-printable characters, at most 128 characters.
std::string ManagerOrUserAgent(std::string_view field_manager, std::string_view user_agent);

// `299 - "<text>"`, the text escaped as a Go %q-free quoted string (backslash and quote).
std::string WarningHeaderValue(std::string_view text);

// Strict-decoding problems as kube words them one by one: `unknown field "spec.x"`,
// `duplicate field "metadata.name"`.
std::vector<std::string> StrictDecodingProblems(const std::vector<std::string>& unknown,
                                                const std::vector<std::string>& duplicates);

// Applies the field-validation directive to decoding problems: Strict -> the error kube
// returns (400 `strict decoding error: ...`), Warn -> warnings added to `req`, Ignore ->
// nothing.
// `strict_prefix` goes before the strict decoding error (create and update: `ConfigMap in
// version "v1" cannot be handled as a ConfigMap: `).
std::optional<registry::ApiError> CheckFieldValidation(FieldValidation v, const std::vector<std::string>& unknown,
                                                       const std::vector<std::string>& duplicates, Request* req,
                                                       std::string_view strict_prefix = {});

// The object's JSON form as an unstructured value (what patches apply to).
Result<api::Value> ObjectToValue(typed::Object& obj);
// Decodes an unstructured value as `kind`; unknown fields are collected when asked for.
Result<std::unique_ptr<typed::Object>> ValueToObject(const typed::KindEntry& kind, const api::Value& v,
                                                     std::vector<std::string>* unknown_fields);

}  // namespace kstream::server

namespace kstream::server {

// The autoscaling/v1 Scale of a deployment, replicaset, statefulset (a label selector in
// spec.selector) or replicationcontroller (`rc`: a label map in spec.selector), as kube's
// scale subresources build it: metadata name/namespace/uid/resourceVersion/
// creationTimestamp, spec.replicas, status.replicas and status.selector (the selector's
// canonical string).
Result<api::Value> ScaleOf(const api::Value& parent, bool rc);

}  // namespace kstream::server

namespace kstream::server {

// The Scale of a custom resource with a scale subresource: replicas at the CRD's
// specReplicasPath / statusReplicasPath (".spec.replicas"), the selector string at
// labelSelectorPath (omitted when empty or absent).
Result<api::Value> CustomScaleOf(const api::Value& parent, std::string_view spec_replicas_path,
                                 std::string_view status_replicas_path, std::string_view label_selector_path);
// Sets the integer at a simple ".a.b" path, creating objects on the way.
Status SetAtSimplePath(api::Value* obj, std::string_view path, api::Value v);

}  // namespace kstream::server
