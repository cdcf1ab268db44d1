#include "registry/field_selector.h"

#include <algorithm>
#include <string>
#include <utility>

#include "api/k8s/batch/v1/types.h"
#include "api/k8s/certificates/v1/types.h"
#include "api/k8s/certificates/v1alpha1/types.h"
#include "api/k8s/certificates/v1beta1/types.h"
#include "api/k8s/core/v1/types.h"
#include "api/k8s/events/v1/types.h"
#include "api/k8s/events/v1beta1/types.h"
#include "api/k8s/resource/v1/types.h"
#include "api/k8s/resource/v1beta1/types.h"
#include "api/k8s/resource/v1beta2/types.h"
#include "encoding/utf8.h"
#include "registry/label_selector.h"

namespace kstream::registry {

// ---------------------------------------------------------------------------------------
// Escaping

std::string EscapeFieldValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

Result<std::string> UnescapeFieldValue(std::string_view s) {
  if (s.find_first_of("\\,=") == std::string_view::npos) return std::string(s);
  // Go ranges over runes: an invalid UTF-8 byte is U+FFFD, written back as its encoding.
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  bool in_slash = false;
  for (size_t i = 0; i < n;) {
    size_t len = encoding::ValidUtf8Length(p + i, n - i);
    std::string_view rune = len == 0 ? std::string_view("\xEF\xBF\xBD") : s.substr(i, len);
    i += len == 0 ? 1 : len;
    char c = rune.size() == 1 ? rune[0] : '\0';
    if (in_slash) {
      if (c == '\\' || c == ',' || c == '=') {
        out.push_back(c);
      } else {
        return InvalidArgument("invalid field selector: invalid escape sequence: \\" + std::string(rune));
      }
      in_slash = false;
      continue;
    }
    if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      return InvalidArgument("invalid field selector: unescaped character in value: " +
                             std::to_string(static_cast<int>(c)));
    } else {
      out.append(rune);
    }
  }
  if (in_slash) return InvalidArgument("invalid field selector: invalid escape sequence: \\");
  return out;
}

// ---------------------------------------------------------------------------------------
// Parsing

namespace {

// fields.splitTerms: split at commas not escaped by a backslash.
std::vector<std::string_view> SplitTerms(std::string_view s) {
  std::vector<std::string_view> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_slash) {
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',') {
      terms.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(s.substr(start));
  return terms;
}

// fields.splitTerm: the first position where "!=", "==" or "=" starts (in that order).
bool SplitTerm(std::string_view term, std::string_view* lhs, std::string_view* op, std::string_view* rhs) {
  static constexpr std::string_view kOps[] = {"!=", "==", "="};
  for (size_t i = 0; i < term.size(); ++i) {
    std::string_view rest = term.substr(i);
    for (std::string_view o : kOps) {
      if (rest.substr(0, o.size()) == o) {
        *lhs = term.substr(0, i);
        *op = o;
        *rhs = term.substr(i + o.size());
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Result<FieldSelector> ParseFieldSelector(std::string_view selector) {
  std::vector<std::string_view> parts = SplitTerms(selector);
  std::sort(parts.begin(), parts.end());
  FieldSelector out;
  for (std::string_view part : parts) {
    if (part.empty()) continue;
    std::string_view lhs, op, rhs;
    if (!SplitTerm(part, &lhs, &op, &rhs)) {
      return InvalidArgument("invalid selector: '" + std::string(selector) + "'; can't understand '" +
                             std::string(part) + "'");
    }
    KS_ASSIGN_OR_RETURN(std::string value, UnescapeFieldValue(rhs));
    // Transform with the identity function drops terms whose field and value are empty.
    if (lhs.empty() && value.empty()) continue;
    FieldSelector::Term t;
    t.field = std::string(lhs);
    t.value = std::move(value);
    t.not_equals = op == "!=";
    t.double_equals = op == "==";
    out.terms_.push_back(std::move(t));
  }
  return out;
}

bool FieldSelector::Matches(const std::function<std::optional<std::string>(std::string_view field)>& lookup) const {
  return MatchesWith(lookup);
}

std::vector<std::string> FieldSelector::Fields() const {
  std::vector<std::string> out;
  out.reserve(terms_.size());
  for (const Term& t : terms_) out.push_back(t.field);
  return out;
}

bool FieldSelector::RequiresExactMatch(std::string_view field, std::string* value) const {
  for (const Term& t : terms_) {
    if (!t.not_equals && t.field == field) {
      if (value != nullptr) *value = t.value;
      return true;
    }
  }
  return false;
}

std::string FieldSelector::String() const {
  std::string out;
  for (size_t i = 0; i < terms_.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(terms_[i].field);
    out.append(terms_[i].not_equals ? "!=" : "=");
    out.append(EscapeFieldValue(terms_[i].value));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Field label conversion

namespace {

enum class ErrorStyle {
  kDefault,        // "%q is not a known field selector: only %q, %q"
  kNotSupported,   // "field label not supported: %s"
  kBatchJob,       // "field label %q not supported for batchv1.Job"
  kResourceSlice,  // "field label not supported for resource.k8s.io/<v>, Kind=ResourceSlice: %s"
};

struct Alias {
  std::string_view from;
  std::string_view to;
};

struct FieldLabels {
  std::string_view group;
  std::string_view resource;
  std::vector<std::string_view> fields;  // accepted as is
  std::vector<Alias> aliases;            // accepted and renamed
  ErrorStyle style;
};

const std::vector<FieldLabels>& FieldLabelTable() {
  static const auto* table = new std::vector<FieldLabels>{
      // pkg/apis/core/v1/conversion.go
      {"", "pods",
       {"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
        "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
        "status.nominatedNodeName"},
       {{"spec.host", "spec.nodeName"}},
       ErrorStyle::kNotSupported},
      {"", "nodes", {"metadata.name", "spec.unschedulable"}, {}, ErrorStyle::kNotSupported},
      {"", "replicationcontrollers", {"metadata.name", "metadata.namespace", "status.replicas"}, {},
       ErrorStyle::kNotSupported},
      {"", "events",
       {"metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace",
        "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"},
       {},
       ErrorStyle::kNotSupported},
      {"", "namespaces", {"metadata.name", "status.phase"}, {}, ErrorStyle::kNotSupported},
      {"", "secrets", {"metadata.name", "metadata.namespace", "type"}, {}, ErrorStyle::kNotSupported},
      {"", "services", {"metadata.name", "metadata.namespace", "spec.clusterIP", "spec.type"}, {},
       ErrorStyle::kNotSupported},
      // pkg/apis/batch/v1/conversion.go
      {"batch", "jobs", {"metadata.name", "metadata.namespace", "status.successful"}, {}, ErrorStyle::kBatchJob},
      // pkg/apis/certificates/v1/conversion.go (same lists in v1beta1 / v1alpha1)
      {"certificates.k8s.io", "certificatesigningrequests", {"metadata.name", "spec.signerName"}, {},
       ErrorStyle::kNotSupported},
      {"certificates.k8s.io", "clustertrustbundles", {"metadata.name", "spec.signerName"}, {},
       ErrorStyle::kNotSupported},
      {"certificates.k8s.io", "podcertificaterequests",
       {"metadata.name", "spec.signerName", "spec.podName", "spec.nodeName"},
       {},
       ErrorStyle::kNotSupported},
      // pkg/apis/events/v1/conversion.go: events.k8s.io names mapped to the core ones
      {"events.k8s.io", "events",
       {"metadata.name", "metadata.namespace", "reason", "source", "type"},
       {{"regarding.kind", "involvedObject.kind"},
        {"regarding.namespace", "involvedObject.namespace"},
        {"regarding.name", "involvedObject.name"},
        {"regarding.uid", "involvedObject.uid"},
        {"regarding.apiVersion", "involvedObject.apiVersion"},
        {"regarding.resourceVersion", "involvedObject.resourceVersion"},
        {"regarding.fieldPath", "involvedObject.fieldPath"},
        {"reportingController", "reportingComponent"}},
       ErrorStyle::kNotSupported},
      // pkg/apis/resource/v1beta1/conversion.go
      {"resource.k8s.io", "resourceslices", {"metadata.name", "spec.nodeName", "spec.driver"}, {},
       ErrorStyle::kResourceSlice},
  };
  return *table;
}

const FieldLabels* FindFieldLabels(std::string_view group, std::string_view resource) {
  for (const FieldLabels& f : FieldLabelTable()) {
    if (f.group == group && f.resource == resource) return &f;
  }
  return nullptr;
}

const std::vector<std::string_view>& DefaultFields() {
  static const auto* fields = new std::vector<std::string_view>{"metadata.name", "metadata.namespace"};
  return *fields;
}

std::string UnsupportedFieldMessage(ErrorStyle style, std::string_view field, std::string_view version) {
  switch (style) {
    case ErrorStyle::kDefault:
      return GoQuote(field) + " is not a known field selector: only \"metadata.name\", \"metadata.namespace\"";
    case ErrorStyle::kNotSupported:
      return "field label not supported: " + std::string(field);
    case ErrorStyle::kBatchJob:
      return "field label " + GoQuote(field) + " not supported for batchv1.Job";
    case ErrorStyle::kResourceSlice:
      return "field label not supported for resource.k8s.io/" + std::string(version) +
             ", Kind=ResourceSlice: " + std::string(field);
  }
  return {};
}

}  // namespace

const std::vector<std::string_view>& SupportedFieldSelectors(std::string_view group, std::string_view resource) {
  const FieldLabels* f = FindFieldLabels(group, resource);
  return f ? f->fields : DefaultFields();
}

class FieldSelectorConverter {
 public:
  template <class Convert>
  static Result<FieldSelector> Run(const FieldSelector& in, Convert&& convert) {
    FieldSelector out;
    for (const FieldSelector::Term& t : in.terms_) {
      FieldSelector::Term c = t;
      KS_ASSIGN_OR_RETURN(c.field, convert(std::string_view(t.field)));
      out.terms_.push_back(std::move(c));
    }
    return out;
  }
};

Result<FieldSelector> ConvertFieldSelector(const FieldSelector& selector, std::string_view group,
                                           std::string_view version, std::string_view resource) {
  const FieldLabels* f = FindFieldLabels(group, resource);
  return FieldSelectorConverter::Run(selector, [&](std::string_view field) -> Result<std::string> {
    const std::vector<std::string_view>& fields = f ? f->fields : DefaultFields();
    if (std::find(fields.begin(), fields.end(), field) != fields.end()) return std::string(field);
    if (f) {
      for (const Alias& a : f->aliases) {
        if (a.from == field) return std::string(a.to);
      }
    }
    return InvalidArgument(UnsupportedFieldMessage(f ? f->style : ErrorStyle::kDefault, field, version));
  });
}

Result<FieldSelector> ConvertCustomResourceFieldSelector(const FieldSelector& selector, bool namespaced,
                                                         const std::vector<std::string>& selectable_fields) {
  return FieldSelectorConverter::Run(selector, [&](std::string_view field) -> Result<std::string> {
    if (field == "metadata.name" || (namespaced && field == "metadata.namespace") ||
        std::find(selectable_fields.begin(), selectable_fields.end(), field) != selectable_fields.end()) {
      return std::string(field);
    }
    return InvalidArgument("field label not supported: " + std::string(field));
  });
}

Status CheckSelectorMatchesName(const FieldSelector& selector, std::string_view name) {
  if (selector.empty()) return Status::Ok();
  std::string selected;
  if (!selector.RequiresExactMatch("metadata.name", &selected) || selected != name) {
    return InvalidArgument("fieldSelector metadata.name doesn't match requested name");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Field values

namespace {

using Value = std::optional<std::string>;

std::string BoolString(bool b) { return b ? "true" : "false"; }
const std::string& Str(const std::string& s) { return s; }
std::string Str(const std::optional<std::string>& s) { return s ? *s : std::string(); }

Value PodField(const k8s::core::v1::Pod& pod, std::string_view f) {
  if (f == "spec.nodeName") return pod.Spec.NodeName;
  if (f == "spec.restartPolicy") return pod.Spec.RestartPolicy;
  if (f == "spec.schedulerName") return pod.Spec.SchedulerName;
  if (f == "spec.serviceAccountName") {
    // v1 -> internal conversion: serviceAccount is the deprecated alias.
    return pod.Spec.ServiceAccountName.empty() ? pod.Spec.DeprecatedServiceAccount : pod.Spec.ServiceAccountName;
  }
  if (f == "spec.hostNetwork") return BoolString(pod.Spec.HostNetwork);
  if (f == "status.phase") return pod.Status.Phase;
  if (f == "status.podIP") {
    // internal PodIPs[0]: v1 podIP wins over podIPs when set (conversion).
    if (!pod.Status.PodIP.empty()) return pod.Status.PodIP;
    if (!pod.Status.PodIPs.empty()) return pod.Status.PodIPs[0].IP;
    return std::string();
  }
  if (f == "status.nominatedNodeName") return pod.Status.NominatedNodeName;
  return std::nullopt;
}

// Both event APIs, on the fields of the internal (core) Event.
Value EventField(const k8s::core::v1::ObjectReference& involved, const std::string& reason,
                 const std::string& reporting_controller, const std::string& source_component,
                 const std::string& type, std::string_view f) {
  if (f == "involvedObject.kind") return involved.Kind;
  if (f == "involvedObject.namespace") return involved.Namespace;
  if (f == "involvedObject.name") return involved.Name;
  if (f == "involvedObject.uid") return involved.UID;
  if (f == "involvedObject.apiVersion") return involved.APIVersion;
  if (f == "involvedObject.resourceVersion") return involved.ResourceVersion;
  if (f == "involvedObject.fieldPath") return involved.FieldPath;
  if (f == "reason") return reason;
  if (f == "reportingComponent") return reporting_controller;
  if (f == "source") return source_component.empty() ? reporting_controller : source_component;
  if (f == "type") return type;
  return std::nullopt;
}

template <class E>
Value EventsApiField(const E& e, std::string_view f) {
  return EventField(e.Regarding, e.Reason, e.ReportingController, e.DeprecatedSource.Component, e.Type, f);
}

template <class RS>
Value ResourceSliceField(const RS& rs, std::string_view f) {
  if (f == "spec.nodeName") return Str(rs.Spec.NodeName);
  if (f == "spec.driver") return rs.Spec.Driver;
  return std::nullopt;
}

template <class T>
Value SignerNameField(const T& o, std::string_view f) {
  if (f == "spec.signerName") return Str(o.Spec.SignerName);
  return std::nullopt;
}

Value KindField(const typed::Object& obj, std::string_view f) {
  const typed::KindEntry& k = obj.kind();
  namespace core = k8s::core::v1;
  if (k.group.empty()) {
    if (const auto* pod = obj.As<core::Pod>()) return PodField(*pod, f);
    if (const auto* e = obj.As<core::Event>()) {
      return EventField(e->InvolvedObject, e->Reason, e->ReportingController, e->Source.Component, e->Type, f);
    }
    if (const auto* s = obj.As<core::Secret>()) return f == "type" ? Value(s->Type) : std::nullopt;
    if (const auto* ns = obj.As<core::Namespace>()) return f == "status.phase" ? Value(ns->Status.Phase) : std::nullopt;
    if (const auto* n = obj.As<core::Node>()) {
      return f == "spec.unschedulable" ? Value(BoolString(n->Spec.Unschedulable)) : std::nullopt;
    }
    if (const auto* rc = obj.As<core::ReplicationController>()) {
      return f == "status.replicas" ? Value(std::to_string(rc->Status.Replicas)) : std::nullopt;
    }
    if (const auto* svc = obj.As<core::Service>()) {
      if (f == "spec.clusterIP") return svc->Spec.ClusterIP;
      if (f == "spec.type") return svc->Spec.Type;
      return std::nullopt;
    }
    return std::nullopt;
  }
  if (k.group == "batch") {
    if (const auto* job = obj.As<k8s::batch::v1::Job>()) {
      return f == "status.successful" ? Value(std::to_string(job->Status.Succeeded)) : std::nullopt;
    }
    return std::nullopt;
  }
  if (k.group == "events.k8s.io") {
    if (const auto* e = obj.As<k8s::events::v1::Event>()) return EventsApiField(*e, f);
    if (const auto* e = obj.As<k8s::events::v1beta1::Event>()) return EventsApiField(*e, f);
    return std::nullopt;
  }
  if (k.group == "certificates.k8s.io") {
    namespace c1 = k8s::certificates::v1;
    namespace c1b1 = k8s::certificates::v1beta1;
    namespace c1a1 = k8s::certificates::v1alpha1;
    if (const auto* o = obj.As<c1::CertificateSigningRequest>()) return SignerNameField(*o, f);
    if (const auto* o = obj.As<c1b1::CertificateSigningRequest>()) return SignerNameField(*o, f);
    if (const auto* o = obj.As<c1::ClusterTrustBundle>()) return SignerNameField(*o, f);
    if (const auto* o = obj.As<c1b1::ClusterTrustBundle>()) return SignerNameField(*o, f);
    if (const auto* o = obj.As<c1a1::ClusterTrustBundle>()) return SignerNameField(*o, f);
    auto pcr = [&](const auto& o) -> Value {
      if (f == "spec.signerName") return o.Spec.SignerName;
      if (f == "spec.podName") return o.Spec.PodName;
      if (f == "spec.nodeName") return o.Spec.NodeName;
      return std::nullopt;
    };
    if (const auto* o = obj.As<c1::PodCertificateRequest>()) return pcr(*o);
    if (const auto* o = obj.As<c1b1::PodCertificateRequest>()) return pcr(*o);
    return std::nullopt;
  }
  if (k.group == "resource.k8s.io") {
    if (const auto* o = obj.As<k8s::resource::v1::ResourceSlice>()) return ResourceSliceField(*o, f);
    if (const auto* o = obj.As<k8s::resource::v1beta2::ResourceSlice>()) return ResourceSliceField(*o, f);
    if (const auto* o = obj.As<k8s::resource::v1beta1::ResourceSlice>()) return ResourceSliceField(*o, f);
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> FieldValue(const typed::Object& obj, std::string_view field) {
  if (field == "metadata.name" || field == "metadata.namespace") {
    const k8s::meta::v1::ObjectMeta* meta = obj.object_meta();
    if (meta == nullptr) return std::nullopt;
    return field == "metadata.name" ? meta->Name : meta->Namespace;
  }
  return KindField(obj, field);
}

}  // namespace kstream::registry
