// Helpers shared by the integration tests: files, temporary directories, and locating and
// running kubectl 1.33 (a Go program, used as the byte oracle for encoding/json and
// go-yaml v2).
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "testing/temp_dir.h"

namespace kstream::test {

namespace fs = std::filesystem;

inline std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out << data;
}

using TempDir = ::kstream::testing::TempDir;

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
  fs::path exact = fs::path(path).parent_path() / "kubectl.1.33";
  return fs::exists(exact) ? exact.string() : "";
}

// Whether the kubectl oracle must be present (CI sets KSTREAM_REQUIRE_ORACLE=1, so a
// machine without kubectl fails instead of silently skipping the oracle tests).
inline bool OracleRequired() { return std::getenv("KSTREAM_REQUIRE_ORACLE") != nullptr; }

// Runs `kubectl label --local -f FILE k=v -o FORMAT` (offline: it decodes FILE as
// Kubernetes does, adds the label k=v, and prints with Go's encoders). Returns stdout;
// *ok is false if kubectl failed, with its stderr in *err.
inline std::string RunKubectlLabel(const std::string& kubectl, const fs::path& file,
                                   const std::string& format, const fs::path& dir, bool* ok,
                                   std::string* err) {
  fs::path out = dir / ("out." + format), errf = dir / "err.txt";
  std::string cmd = "'" + kubectl + "' label --local -f '" + file.string() + "' k=v -o " + format +
                    " > '" + out.string() + "' 2> '" + errf.string() + "'";
  int rc = std::system(cmd.c_str());
  *ok = rc == 0;
  *err = ReadFile(errf);
  return ReadFile(out);
}

}  // namespace kstream::test
