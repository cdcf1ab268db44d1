#include "registry/api_error.h"

#include "registry/label_selector.h"

namespace kstream::registry {

namespace meta = k8s::meta::v1;

std::string GroupResource::String() const {
  if (group.empty()) return std::string(resource);
  return std::string(resource) + "." + std::string(group);
}

namespace {

meta::StatusDetails& Details(ApiError& e) { return e.status.Details.ensure(); }

// details {name, group, kind: <resource>}, as kube's errors about one object carry.
meta::StatusDetails& ObjectDetails(ApiError& e, GroupResource gr, std::string_view name) {
  auto& d = Details(e);
  d.Name = std::string(name);
  d.Group = std::string(gr.group);
  d.Kind = std::string(gr.resource);
  return d;
}

}  // namespace

ApiError ApiError::Make(int code, std::string reason, std::string message) {
  ApiError e;
  e.status.Status_ = "Failure";
  e.status.Code = code;
  e.status.Reason = std::move(reason);
  e.status.Message = std::move(message);
  return e;
}

ApiError ApiError::NotFound(GroupResource gr, std::string_view name) {
  ApiError e = Make(404, "NotFound", gr.String() + " " + GoQuote(name) + " not found");
  ObjectDetails(e, gr, name);
  return e;
}

ApiError ApiError::AlreadyExists(GroupResource gr, std::string_view name) {
  ApiError e = Make(409, "AlreadyExists", gr.String() + " " + GoQuote(name) + " already exists");
  ObjectDetails(e, gr, name);
  return e;
}

ApiError ApiError::GenerateNameConflict(GroupResource gr, std::string_view name, int retry_after_seconds) {
  ApiError e = Make(409, "AlreadyExists",
                    gr.String() + " " + GoQuote(name) +
                        " already exists, the server was not able to generate a unique name for the object");
  auto& d = ObjectDetails(e, gr, name);
  d.RetryAfterSeconds = retry_after_seconds;
  e.retry_after_seconds = retry_after_seconds;
  return e;
}

ApiError ApiError::Conflict(GroupResource gr, std::string_view name, std::string_view message) {
  ApiError e = Make(409, "Conflict",
                    "Operation cannot be fulfilled on " + gr.String() + " " + GoQuote(name) + ": " +
                        std::string(message));
  ObjectDetails(e, gr, name);
  return e;
}

ApiError ApiError::Invalid(std::string_view group, std::string_view kind, std::string_view name,
                           const std::vector<FieldCause>& causes) {
  std::string qualified(kind);
  if (!group.empty()) qualified += "." + std::string(group);
  std::string agg;
  if (causes.size() == 1) {
    agg = causes[0].field + ": " + causes[0].message;
  } else {
    agg = "[";
    for (size_t i = 0; i < causes.size(); ++i) {
      if (i > 0) agg += ", ";
      agg += causes[i].field + ": " + causes[i].message;
    }
    agg += "]";
  }
  ApiError e = Make(422, "Invalid", qualified + " " + GoQuote(name) + " is invalid: " + agg);
  auto& d = Details(e);
  d.Name = std::string(name);
  d.Group = std::string(group);
  d.Kind = std::string(kind);
  for (const FieldCause& c : causes) {
    meta::StatusCause sc;
    sc.Type = c.type;
    sc.Message = c.message;
    sc.Field = c.field;
    d.Causes.push_back(std::move(sc));
  }
  return e;
}

ApiError ApiError::BadRequest(std::string message) { return Make(400, "BadRequest", std::move(message)); }

ApiError ApiError::Forbidden(GroupResource gr, std::string_view name, std::string_view message) {
  std::string text = gr.String();
  if (!name.empty()) text += " " + GoQuote(name);
  text += " is forbidden: " + std::string(message);
  ApiError e = Make(403, "Forbidden", std::move(text));
  ObjectDetails(e, gr, name);
  return e;
}

ApiError ApiError::MethodNotSupported(GroupResource gr, std::string_view verb) {
  ApiError e = Make(405, "MethodNotAllowed",
                    std::string(verb) + " is not supported on resources of kind " + GoQuote(gr.String()));
  auto& d = Details(e);
  d.Group = std::string(gr.group);
  d.Kind = std::string(gr.resource);
  return e;
}

ApiError ApiError::NotAcceptable(std::string message) { return Make(406, "NotAcceptable", std::move(message)); }

ApiError ApiError::UnsupportedMediaType(std::string message) {
  return Make(415, "UnsupportedMediaType", std::move(message));
}

ApiError ApiError::RequestEntityTooLarge(std::string message) {
  return Make(413, "RequestEntityTooLarge", "Request entity too large: " + message);
}

ApiError ApiError::Unauthorized(std::string message) {
  if (message.empty()) message = "not authorized";
  return Make(401, "Unauthorized", std::move(message));
}

ApiError ApiError::Gone(std::string message) { return Make(410, "Expired", std::move(message)); }

ApiError ApiError::Internal(std::string message) {
  ApiError e = Make(500, "InternalError", "Internal error occurred: " + message);
  meta::StatusCause c;
  c.Message = std::move(message);
  Details(e).Causes.push_back(std::move(c));
  return e;
}

ApiError ApiError::Timeout(std::string message, int retry_after_seconds) {
  ApiError e = Make(504, "Timeout", "Timeout: " + message);
  Details(e).RetryAfterSeconds = retry_after_seconds;
  e.retry_after_seconds = retry_after_seconds;
  return e;
}

ApiError ApiError::TooManyRequests(std::string message, int retry_after_seconds) {
  ApiError e = Make(429, "TooManyRequests", std::move(message));
  Details(e).RetryAfterSeconds = retry_after_seconds;
  e.retry_after_seconds = retry_after_seconds;
  return e;
}

ApiError ApiError::ServiceUnavailable(std::string message) {
  return Make(503, "ServiceUnavailable", std::move(message));
}

ApiError ApiError::Unknown(std::string message) { return Make(500, "", std::move(message)); }

ApiError ApiError::FromStorage(const Status& s, GroupResource gr, std::string_view name) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return NotFound(gr, name);
    case StatusCode::kAlreadyExists:
      return AlreadyExists(gr, name);
    case StatusCode::kAborted:
      return Conflict(gr, name,
                      "the object has been modified; please apply your changes to the latest version "
                      "and try again");
    case StatusCode::kExpired:
      return Gone("The resourceVersion for the provided list is too old.");
    case StatusCode::kResourceExhausted: {
      // etcd's own text ("etcdserver: request is too large", "etcdserver: mvcc: database
      // space exceeded"): kube passes it through as a plain (500, reasonless) error.
      std::string_view m = s.message();
      size_t at = m.find("etcdserver: ");
      return Unknown(std::string(at == std::string_view::npos ? m : m.substr(at)));
    }
    case StatusCode::kUnavailable:
      return ServiceUnavailable(std::string(s.message()));
    default:
      return Internal(std::string(s.message()));
  }
}

}  // namespace kstream::registry
