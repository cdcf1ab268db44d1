// ApiError: a Kubernetes API error, i.e. the metav1.Status object kube-apiserver answers
// with (../shared/spec/k8s-api-facts.md §7), and ApiResult<T>: a value or such an error.
//
// The registry knows the context of a failure (which resource, which name, which
// precondition) and turns storage Statuses into the exact Status kube writes: 404
// NotFound with details {name, group, kind: <resource>}, 409 AlreadyExists / Conflict,
// 410 Expired, 422 Invalid with causes, 400 BadRequest, 500 InternalError, 504 Timeout.
// The server encodes the Status with the negotiated serializer (or as raw JSON for 406).
//
// Plain values; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api/k8s/meta/v1/types.h"
#include "base/status.h"

namespace kstream::registry {

// A group + resource ("configmaps", "deployments.apps") as kube prints it in messages.
struct GroupResource {
  std::string_view group;
  std::string_view resource;
  std::string String() const;  // "configmaps" or "deployments.apps"
};

struct FieldCause {
  std::string type;     // "FieldValueInvalid", "FieldValueRequired", ...
  std::string message;  // the field error's text
  std::string field;    // "metadata.name"
};

struct ApiError {
  k8s::meta::v1::Status status;  // kind/apiVersion are set when encoded
  int retry_after_seconds = 0;   // > 0: also a Retry-After header

  int code() const { return status.Code; }
  std::string_view reason() const { return status.Reason; }
  std::string_view message() const { return status.Message; }

  static ApiError Make(int code, std::string reason, std::string message);
  // 404: `<resource> "<name>" not found`.
  static ApiError NotFound(GroupResource gr, std::string_view name);
  // 409: `<resource> "<name>" already exists`.
  static ApiError AlreadyExists(GroupResource gr, std::string_view name);
  // 409 AlreadyExists for a generateName collision.
  static ApiError GenerateNameConflict(GroupResource gr, std::string_view name, int retry_after_seconds);
  // 409: `Operation cannot be fulfilled on <resource> "<name>": <message>`.
  static ApiError Conflict(GroupResource gr, std::string_view name, std::string_view message);
  // 422: `<Kind>[.<group>] "<name>" is invalid: <causes>`.
  static ApiError Invalid(std::string_view group, std::string_view kind, std::string_view name,
                          const std::vector<FieldCause>& causes);
  static ApiError BadRequest(std::string message);
  static ApiError Forbidden(GroupResource gr, std::string_view name, std::string_view message);
  static ApiError MethodNotSupported(GroupResource gr, std::string_view verb);
  static ApiError NotAcceptable(std::string message);
  static ApiError UnsupportedMediaType(std::string message);
  static ApiError RequestEntityTooLarge(std::string message);
  static ApiError Unauthorized(std::string message);
  static ApiError Gone(std::string message);      // 410 Expired
  static ApiError Internal(std::string message);  // 500 "Internal error occurred: ..."
  static ApiError Timeout(std::string message, int retry_after_seconds);  // 504
  static ApiError TooManyRequests(std::string message, int retry_after_seconds);
  static ApiError ServiceUnavailable(std::string message);
  // A non-Status error (kube: 500, empty reason, message = err.Error()).
  static ApiError Unknown(std::string message);

  // A storage Status about object `name` of `gr` (NotFound -> 404, AlreadyExists -> 409,
  // Aborted -> 409 Conflict, Expired -> 410, ResourceExhausted -> the too-large error, ...).
  static ApiError FromStorage(const Status& s, GroupResource gr, std::string_view name);
};

// A value or an ApiError.
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  ApiError& error() & { return std::get<1>(v_); }
  ApiError&& error() && { return std::get<1>(std::move(v_)); }
  const ApiError& error() const& { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, ApiError> v_;
};

}  // namespace kstream::registry
