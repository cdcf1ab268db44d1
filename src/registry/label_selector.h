// LabelSelector: kube's label selector (the `labelSelector` query parameter), parsed and
// matched exactly as apimachinery's labels.Parse / internalSelector do.
//
// Syntax: requirements separated by `,` and ANDed:
//   k=v  k==v  k!=v  k in (a,b)  k notin (a,b)  k  !k  k>N  k<N
// Whitespace (space, tab, CR, LF) between tokens is ignored; `in`/`notin` are keywords
// only where an operator is expected (`in in (in)` is valid). `!=` and `notin` also match
// objects without the key; `>`/`<` compare as int64 and never match a missing or
// non-integer label. Keys are qualified names (optional DNS-subdomain prefix + '/' + a name
// of at most 63 characters of [A-Za-z0-9_.-] starting and ending alphanumeric), values are
// empty or such a name. Requirements are kept sorted by key (stable), values of
// `in`/`notin` sorted and deduplicated, as kube does.
//
// Parse errors carry the exact text kube-apiserver puts into its 400 BadRequest Status,
// e.g. `unable to parse requirement: found '', expected: ',', ')' or identifier` or
// `unable to parse requirement: <nil>: Invalid value: "a:b": name part must consist of ...`
// (1.33 wording: "must be no more than 63 characters", "a qualified name ...").
//
// A LabelSelector is an immutable value after parsing: thread-safe for concurrent const
// use. Matches() never allocates.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "encoding/go_strconv.h"
#include "api/typed/codec.h"
#include "base/status.h"

namespace kstream::registry {

class LabelSelector {
 public:
  enum class Op : uint8_t {
    kIn,            // "in"
    kNotIn,         // "notin"
    kEquals,        // "="
    kDoubleEquals,  // "=="
    kNotEquals,     // "!="
    kGreaterThan,   // "gt" (written '>')
    kLessThan,      // "lt" (written '<')
    kExists,        // "exists" (a bare key)
    kDoesNotExist,  // "!" (a '!' before the key)
  };

  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;  // sorted, unique (kube's sets.String.List())
    int64_t int_value = 0;            // for kGreaterThan / kLessThan

    // `value` is the object's label value, or nullptr when the label is absent.
    bool Matches(const std::string* value) const;
    // kube's Requirement.String(): "k in (a,b)", "!k", "k>3".
    std::string String() const;
  };

  LabelSelector() = default;  // the empty selector: matches everything

  // True when the selector does not restrict anything (labels.Everything()).
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

  bool Matches(const typed::Map<std::string>& labels) const;
  // For unstructured objects: `lookup(key)` returns the label's value or nullptr.
  bool Matches(const std::function<const std::string*(std::string_view key)>& lookup) const;
  // The same without std::function overhead; `lookup` as above.
  template <class Lookup>
  bool MatchesWith(Lookup&& lookup) const {
    for (const Requirement& r : requirements_) {
      if (!r.Matches(lookup(std::string_view(r.key)))) return false;
    }
    return true;
  }

  // kube's RequiresExactMatch: the first requirement on `label` (in key order) when it is
  // `=`, `==`, or `in` with exactly one value; false otherwise.
  bool RequiresExactMatch(std::string_view label, std::string* value) const;

  // kube's String(): the requirements' strings joined by ",".
  std::string String() const;

 private:
  friend Result<LabelSelector> ParseLabelSelector(std::string_view selector);
  std::vector<Requirement> requirements_;
};

// labels.Parse(selector). An empty (or all-whitespace) string gives the empty selector.
// Errors are InvalidArgument with kube's exact message (the 400 Status message).
Result<LabelSelector> ParseLabelSelector(std::string_view selector);

// Go's strconv.Quote (encoding/go_strconv.h).
using encoding::GoQuote;

}  // namespace kstream::registry
