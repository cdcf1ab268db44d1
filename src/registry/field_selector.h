// FieldSelector: kube's field selector (the `fieldSelector` query parameter), parsed and
// matched as apimachinery's fields.ParseSelector does, plus the per-resource field label
// conversion kube-apiserver applies before using it (scheme.ConvertFieldLabel) and the
// values of the selectable fields of built-in kinds (the registries' ToSelectableFields).
//
// Syntax: terms `k=v`, `k==v`, `k!=v` joined by `,`, ANDed. In values a backslash escapes
// `\`, `,` and `=` (fields.EscapeValue / UnescapeValue); an unescaped `=` in a value, or
// any other escape, is an error. Keys are not validated or escaped: a term splits at its
// first operator. Terms are sorted (bytewise) as kube sorts them; empty terms and terms
// that are just an operator (`=`) are dropped.
//
// Matching follows fields.Set.Get: a field the object does not have reads as "", so
// `k!=v` matches objects without `k` and `k=` matches them.
//
// Every function returns kube's exact error text (the 400 BadRequest Status message).
// Values are immutable after parsing: thread-safe for concurrent const use.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/typed/object.h"
#include "base/status.h"

namespace kstream::registry {

class FieldSelector {
 public:
  struct Term {
    std::string field;
    std::string value;  // unescaped
    bool not_equals = false;
    bool double_equals = false;  // written `==` (kube keeps both as one term type)
  };

  FieldSelector() = default;  // the empty selector: matches everything

  bool empty() const { return terms_.empty(); }
  const std::vector<Term>& terms() const { return terms_; }

  // `lookup(field)` gives the object's value of `field`, or nullopt when it has none
  // (which compares as "", as kube's fields.Set.Get does).
  bool Matches(const std::function<std::optional<std::string>(std::string_view field)>& lookup) const;
  template <class Lookup>
  bool MatchesWith(Lookup&& lookup) const {
    for (const Term& t : terms_) {
      std::optional<std::string> v = lookup(std::string_view(t.field));
      std::string_view got = v ? std::string_view(*v) : std::string_view();
      if ((got == t.value) == t.not_equals) return false;
    }
    return true;
  }

  // The field paths the terms use, in term order (duplicates kept).
  std::vector<std::string> Fields() const;

  // kube's RequiresExactMatch: the value of the first `field=v` / `field==v` term.
  bool RequiresExactMatch(std::string_view field, std::string* value) const;

  // kube's String(): "f=v" / "f!=v" terms (values escaped) joined by ",".
  std::string String() const;

 private:
  friend Result<FieldSelector> ParseFieldSelector(std::string_view selector);
  friend class FieldSelectorConverter;
  std::vector<Term> terms_;
};

// fields.ParseSelector(selector). Errors (InvalidArgument) carry kube's message:
//   invalid selector: '<selector>'; can't understand '<term>'
//   invalid field selector: invalid escape sequence: \x
//   invalid field selector: unescaped character in value: 61     (the rune, as a number)
Result<FieldSelector> ParseFieldSelector(std::string_view selector);

// fields.EscapeValue / fields.UnescapeValue (UnescapeValue's errors as above).
std::string EscapeFieldValue(std::string_view value);
Result<std::string> UnescapeFieldValue(std::string_view value);

// The field paths kube-apiserver accepts in a fieldSelector for `resource` of `group`
// (AddFieldLabelConversionFunc of the kind; DefaultMetaV1FieldSelectorConversion, i.e.
// metadata.name and metadata.namespace, for kinds without one). Note that kube's own
// lists for some cluster-scoped kinds (nodes, namespaces, certificatesigningrequests,
// clustertrustbundles, resourceslices) do not contain metadata.namespace. Aliases
// (pods: spec.host -> spec.nodeName; events.k8s.io: regarding.* -> involvedObject.*,
// reportingController -> reportingComponent) are accepted by ConvertFieldSelector but
// not listed. The returned reference stays valid forever.
const std::vector<std::string_view>& SupportedFieldSelectors(std::string_view group, std::string_view resource);

// What kube-apiserver does to a parsed selector before listing (handlers/get.go: the
// selector's Transform with scope.Convertor.ConvertFieldLabel): every term's field must be
// supported by the kind (terms are checked in order, the first unsupported one is the
// error) and aliases are renamed to the field names FieldValue() knows. `version` only
// shapes the error text of resource.k8s.io. Errors (InvalidArgument) are kube's texts:
//   "foo" is not a known field selector: only "metadata.name", "metadata.namespace"
//   field label not supported: foo                   (core kinds with extra fields, ...)
//   field label "foo" not supported for batchv1.Job
//   field label not supported for resource.k8s.io/v1beta1, Kind=ResourceSlice: foo
Result<FieldSelector> ConvertFieldSelector(const FieldSelector& selector, std::string_view group,
                                           std::string_view version, std::string_view resource);

// The same for a custom resource (apiextensions crConverter): metadata.name always,
// metadata.namespace when namespaced, and the CRD's selectableFields (jsonPaths without
// the leading '.', e.g. "spec.color"); otherwise `field label not supported: <field>`.
Result<FieldSelector> ConvertCustomResourceFieldSelector(const FieldSelector& selector, bool namespaced,
                                                         const std::vector<std::string>& selectable_fields);

// handlers/get.go for a request naming one object (a watch on .../<name>): an empty
// selector is fine (the caller then selects metadata.name=<name>); otherwise it must
// require metadata.name == name, else 400 "fieldSelector metadata.name doesn't match
// requested name".
Status CheckSelectorMatchesName(const FieldSelector& selector, std::string_view name);

// The value of a selectable field of a built-in typed object, as the kind's registry
// computes it (on the internal version): metadata.name, metadata.namespace (namespaced
// kinds), and the kind's fields (pods: spec.nodeName, spec.restartPolicy,
// spec.schedulerName, spec.serviceAccountName, spec.hostNetwork ("true"/"false"),
// status.phase, status.podIP, status.nominatedNodeName; events: involvedObject.*,
// reason, reportingComponent, source, type; secrets: type; namespaces: status.phase;
// nodes: spec.unschedulable; replicationcontrollers: status.replicas; jobs:
// status.successful; services: spec.clusterIP, spec.type; certificatesigningrequests and
// clustertrustbundles: spec.signerName; resourceslices: spec.nodeName, spec.driver).
// nullopt for a field the kind does not have (kube's fields.Set has no such key, e.g.
// status.podIPs, which pods accept but never set) - it matches as "".
std::optional<std::string> FieldValue(const typed::Object& obj, std::string_view field);

}  // namespace kstream::registry
