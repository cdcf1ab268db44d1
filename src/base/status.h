// Status and Result<T>: errors as values.
//
// Every fallible operation on a hot path returns a `Status` (success or a code plus a
// human-readable message) or a `Result<T>` (a value or a non-OK Status). Exceptions are
// used only at the edges (command-line mains). The codes are deliberately coarse; the
// server layer maps them (together with context it knows) to Kubernetes `Status` objects.
//
// Both types are small value types, cheap to move, and not thread-safe to mutate
// concurrently (like any value). An OK Status is one null pointer: no allocation, and
// trivial to copy and destroy on the success path.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kstream {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,   // malformed input (bad JSON/YAML, unknown option)
  kOutOfRange,        // a value that cannot be represented (NaN in JSON, number overflow)
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,           // a conflict or a stream cut short
  kExpired,           // what was asked for is gone: a storage revision compacted away
  kResourceExhausted, // a size or memory limit was hit
  kUnavailable,       // a downstream (socket, store) failed or went away
  kUnimplemented,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : rep_(code == StatusCode::kOk ? nullptr : new Rep{code, std::move(message)}) {}
  // Errors are rare: copying one copies its message; an OK Status copies nothing.
  Status(const Status& o) : rep_(o.rep_ ? new Rep(*o.rep_) : nullptr) {}
  Status(Status&& o) noexcept : rep_(o.rep_) { o.rep_ = nullptr; }
  Status& operator=(const Status& o) {
    if (this != &o) {
      Rep* copy = o.rep_ ? new Rep(*o.rep_) : nullptr;
      delete rep_;
      rep_ = copy;
    }
    return *this;
  }
  Status& operator=(Status&& o) noexcept {
    if (this != &o) {
      delete rep_;
      rep_ = o.rep_;
      o.rep_ = nullptr;
    }
    return *this;
  }
  ~Status() { delete rep_; }

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : std::string_view(); }
  // "CODE: message", for logs and CLI errors.
  std::string ToString() const;

  // Explicitly discards a status (for call sites where failure is deliberately ignored).
  void IgnoreError() const {}

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  Rep* rep_ = nullptr;  // owned; null when OK
};

inline Status InvalidArgument(std::string msg) { return Status(StatusCode::kInvalidArgument, std::move(msg)); }
inline Status OutOfRange(std::string msg) { return Status(StatusCode::kOutOfRange, std::move(msg)); }
inline Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }
inline Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
inline Status AlreadyExists(std::string msg) { return Status(StatusCode::kAlreadyExists, std::move(msg)); }
inline Status Aborted(std::string msg) { return Status(StatusCode::kAborted, std::move(msg)); }
inline Status Expired(std::string msg) { return Status(StatusCode::kExpired, std::move(msg)); }
inline Status Unavailable(std::string msg) { return Status(StatusCode::kUnavailable, std::move(msg)); }
inline Status Unimplemented(std::string msg) { return Status(StatusCode::kUnimplemented, std::move(msg)); }
inline Status ResourceExhausted(std::string msg) { return Status(StatusCode::kResourceExhausted, std::move(msg)); }
inline Status FailedPrecondition(std::string msg) { return Status(StatusCode::kFailedPrecondition, std::move(msg)); }

// A value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK Status");
  }

  bool ok() const { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace kstream

// Returns early from the enclosing function if `expr` (a Status) is not OK.
#define KS_RETURN_IF_ERROR(expr)                  \
  do {                                            \
    ::kstream::Status ks_status_ = (expr);        \
    if (!ks_status_.ok()) return ks_status_;      \
  } while (0)

#define KS_CONCAT_INNER_(a, b) a##b
#define KS_CONCAT_(a, b) KS_CONCAT_INNER_(a, b)

// `KS_ASSIGN_OR_RETURN(auto x, ExprReturningResult());`
#define KS_ASSIGN_OR_RETURN(lhs, expr) \
  KS_ASSIGN_OR_RETURN_IMPL_(KS_CONCAT_(ks_result_, __LINE__), lhs, expr)
#define KS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
