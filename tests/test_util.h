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

#include "testing/kubectl.h"
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

using ::kstream::testing::FindKubectl133;
using ::kstream::testing::OracleRequired;

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
