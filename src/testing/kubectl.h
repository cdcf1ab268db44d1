// Locating kubectl 1.33, the Go byte oracle of the tests (a Go program that decodes and
// encodes objects as Kubernetes does). For tests.
#pragma once

#include <stdio.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace kstream::testing {

// The kubectl 1.33 binary next to the `kubectl` dispatcher, or "" if there is none.
inline std::string FindKubectl133() {
  FILE* p = popen("readlink -f \"$(command -v kubectl)\" 2>/dev/null", "r");
  if (p == nullptr) return "";
  char buf[4096];
  std::string path;
  if (fgets(buf, sizeof(buf), p) != nullptr) path = buf;
  pclose(p);
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  if (path.empty()) return "";
  std::filesystem::path exact = std::filesystem::path(path).parent_path() / "kubectl.1.33";
  return std::filesystem::exists(exact) ? exact.string() : "";
}

// Whether the kubectl oracle must be present (CI sets KSTREAM_REQUIRE_ORACLE=1, so a
// machine without kubectl fails instead of silently skipping the oracle tests).
inline bool OracleRequired() { return std::getenv("KSTREAM_REQUIRE_ORACLE") != nullptr; }

}  // namespace kstream::testing
