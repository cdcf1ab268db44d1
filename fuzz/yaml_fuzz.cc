// Fuzz target: YAML parsing never crashes and stays within its limits; every parsed
// document that can be written (AppendYaml) is written as YAML that parses back to a
// value written identically (after the first round the YAML text is a fixed point);
// JSON input, read as YAML, is written without crashing either. The one documented
// exception to the round trip is a map key "<<", which go-yaml writes plain and which
// then reads back as a merge key.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "api/json.h"
#include "api/yaml.h"

namespace {

void Check(bool ok, const char* what, const std::string& detail = "") {
  if (!ok) {
    fprintf(stderr, "yaml_fuzz: %s\n%s\n", what, detail.c_str());
    abort();
  }
}

void RoundTrip(const kstream::api::Value& v) {
  std::string first;
  if (!kstream::api::AppendYaml(v, &first).ok()) return;  // unwritable, as in Go
  Check(!first.empty() && (first.back() == '\n' || first.size() >= 3), "empty YAML", first);
  auto back = kstream::api::ParseYaml(first);
  if (first.find("<<") != std::string::npos) return;
  Check(back.ok(), "our YAML does not parse", first + "\n" + back.status().ToString());
  std::string second;
  Check(kstream::api::AppendYaml(*back, &second).ok(), "re-encoding failed", first);
  Check(second == first, "YAML is not a fixed point", first + "\n----\n" + second);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto docs = kstream::api::ParseYamlDocuments(input);
  if (docs.ok()) {
    for (const auto& v : *docs) RoundTrip(v);
  }
  (void)kstream::api::ParseYaml(input);
  auto json = kstream::api::ParseJson(input);
  if (json.ok()) RoundTrip(*json);
  return 0;
}
