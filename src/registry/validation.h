// Name validation shared by the registry: the patterns of kube's
// apimachinery/pkg/util/validation (DNS-1123 labels and subdomains, the name part of a
// qualified name). The Matches* functions check the pattern only; the Is* functions also
// check kube's length limits. Pure functions.
#pragma once

#include <string_view>

namespace kstream::registry {

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesDns1123Label(std::string_view s);
// Labels as above joined by dots.
bool MatchesDns1123Subdomain(std::string_view s);
// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] (non-empty).
bool MatchesQualifiedNamePart(std::string_view s);

// At most 63 characters.
inline bool IsDns1123Label(std::string_view s) { return s.size() <= 63 && MatchesDns1123Label(s); }
// At most 253 characters.
inline bool IsDns1123Subdomain(std::string_view s) { return s.size() <= 253 && MatchesDns1123Subdomain(s); }
// The name of a qualified name or a label value: at most 63 characters; empty only when
// `allow_empty`.
inline bool IsQualifiedNamePart(std::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  return s.size() <= 63 && MatchesQualifiedNamePart(s);
}
// validation.IsQualifiedName: "[<DNS-1123 subdomain>/]<name part>".
bool IsQualifiedName(std::string_view s);

}  // namespace kstream::registry
