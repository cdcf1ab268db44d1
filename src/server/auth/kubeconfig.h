// The admin kubeconfig the API server writes for its users: one cluster (server URL and
// the CA that signed the serving certificate, inline as certificate-authority-data), one
// user with a bearer token, one context joining them, made current.
//
// The YAML has the layout `kubectl config view --raw` prints (keys sorted, two-space
// indent, `preferences: {}`). Values are written plain when YAML reads them back as the
// same string and double-quoted otherwise, so any name, URL or token round-trips.
// A pure function of its arguments; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace kstream::server::auth {

std::string KubeconfigYaml(std::string_view server_url, std::string_view ca_pem, std::string_view token,
                           std::string_view cluster_name = "kstream", std::string_view user = "admin",
                           std::string_view context = "kstream");

// Standard base64 with padding (what Go writes for a []byte in JSON/YAML).
std::string Base64Std(std::string_view bytes);

// `s` as a YAML scalar that reads back as the string `s`: plain when that is safe,
// otherwise double-quoted with escapes.
std::string YamlString(std::string_view s);

}  // namespace kstream::server::auth
