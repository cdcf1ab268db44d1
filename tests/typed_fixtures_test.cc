// Byte-exactness against the upstream round-trip fixtures: for every fixture of a
// generated kind (NAME.json = json.MarshalIndent(obj, "", "  "), NAME.pb = the k8s\0
// envelope, NAME.yaml = the YAML form), in every direction:
//   .json -> decode -> JSON (indented) == .json      .pb -> decode -> protobuf == .pb
//   .json -> protobuf == .pb                          .pb -> JSON == .json
//   -> YAML == .yaml
// Each direction reports N/M byte-identical; every fixture must pass (a mismatch that
// cannot be fixed is listed in kKnownMismatches with its reason, and in the README).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "test_util.h"

namespace kstream {
namespace {

namespace fs = std::filesystem;
using encoding::json::Style;
using test::ReadFile;

struct Fixture {
  std::string name;  // e.g. "apps.v1.Deployment"
  fs::path base;     // path without extension
  std::string api_version;
  std::string kind;
};

std::vector<Fixture> AllFixtures() {
  std::vector<Fixture> out;
  for (const char* dir : {"fixtures/k8s-api/HEAD", "fixtures/k8s-apiextensions/HEAD"}) {
    fs::path root = fs::path(KSTREAM_SHARED_DIR) / dir;
    for (const auto& e : fs::directory_iterator(root)) {
      if (e.path().extension() != ".json") continue;
      Fixture f;
      f.name = e.path().stem().string();
      f.base = e.path();
      f.base.replace_extension();
      // <group>.<version>.<Kind>; the group may contain dots; "core" is the core group.
      size_t k = f.name.rfind('.');
      size_t v = f.name.rfind('.', k - 1);
      f.kind = f.name.substr(k + 1);
      std::string version = f.name.substr(v + 1, k - v - 1);
      std::string group = f.name.substr(0, v);
      f.api_version = group == "core" ? version : group + "/" + version;
      out.push_back(f);
    }
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  return out;
}

struct Tally {
  int identical = 0;
  int total = 0;
  std::vector<std::string> failures;
  void Add(const std::string& name, bool ok, const std::string& why = "") {
    ++total;
    if (ok) {
      ++identical;
    } else {
      failures.push_back(name + (why.empty() ? "" : " (" + why + ")"));
    }
  }
};

TEST(TypedFixturesTest, EveryDirectionIsByteIdentical) {
  const typed::Scheme& scheme = typed::Scheme::Default();
  std::map<std::string, Tally> directions;
  int generated = 0;
  std::vector<std::string> not_generated;
  for (const Fixture& f : AllFixtures()) {
    const typed::KindEntry* entry = scheme.Find(f.api_version, f.kind);
    if (entry == nullptr) {
      not_generated.push_back(f.name);
      continue;
    }
    ++generated;
    const std::string json = ReadFile(f.base.string() + ".json");
    const std::string pb = ReadFile(f.base.string() + ".pb");
    const std::string yaml = ReadFile(f.base.string() + ".yaml");

    auto parsed = api::ParseJson(json);
    ASSERT_TRUE(parsed.ok()) << f.name;
    // The kind comes from the file name, as in kube's round-trip test: WatchEvent has no
    // TypeMeta of its own.
    auto from_json = typed::DecodeObjectAs(*entry, *parsed);
    auto from_pb = typed::DecodeObjectProtobufAs(*entry, pb);

    auto json_of = [](typed::Object& o, std::string* out) {
      return typed::AppendObjectJson(o, out, Style::kIndent);
    };
    auto pb_of = [](typed::Object& o, std::string* out) { return typed::AppendObjectProtobuf(o, out); };

    std::string out;
    if (!from_json.ok()) {
      std::string why = std::string(from_json.status().message());
      directions["json->json"].Add(f.name, false, why);
      directions["json->protobuf"].Add(f.name, false, why);
      directions["json->yaml"].Add(f.name, false, why);
    } else {
      out.clear();
      Status s = json_of(**from_json, &out);
      directions["json->json"].Add(f.name, s.ok() && out == json, std::string(s.message()));
      out.clear();
      s = pb_of(**from_json, &out);
      directions["json->protobuf"].Add(f.name, s.ok() && out == pb, std::string(s.message()));
      out.clear();
      s = typed::AppendObjectYaml(**from_json, &out);
      directions["json->yaml"].Add(f.name, s.ok() && out == yaml, std::string(s.message()));
    }
    if (!from_pb.ok()) {
      std::string why = std::string(from_pb.status().message());
      directions["protobuf->protobuf"].Add(f.name, false, why);
      directions["protobuf->json"].Add(f.name, false, why);
    } else {
      out.clear();
      Status s = pb_of(**from_pb, &out);
      directions["protobuf->protobuf"].Add(f.name, s.ok() && out == pb, std::string(s.message()));
      out.clear();
      s = json_of(**from_pb, &out);
      directions["protobuf->json"].Add(f.name, s.ok() && out == json, std::string(s.message()));
    }
  }
  for (const auto& [dir, t] : directions) {
    printf("[ fixtures ] %-20s %d/%d byte-identical\n", dir.c_str(), t.identical, t.total);
    RecordProperty(dir, std::to_string(t.identical) + "/" + std::to_string(t.total));
    std::string list;
    for (const auto& fl : t.failures) list += "\n  " + fl;
    EXPECT_EQ(t.identical, t.total) << dir << " mismatches:" << list;
  }
  printf("[ fixtures ] %d fixtures of generated kinds; not generated: %zu\n", generated,
         not_generated.size());
  for (const auto& n : not_generated) printf("[ fixtures ]   not generated: %s\n", n.c_str());
  EXPECT_TRUE(not_generated.empty());
  EXPECT_GE(generated, 197);
}

}  // namespace
}  // namespace kstream
