// Tests of the three PATCH algorithms. Expected results are upstream facts:
//   - the RFC 6902 / RFC 7386 examples;
//   - the strategic merge patch cases of k8s.io/apimachinery's strategicpatch/patch_test.go,
//     on a schema equivalent to its MergeItem test struct;
//   - the behaviour of the Go implementations, recorded from kubectl 1.33 (`kubectl patch
//     --local`, which runs the same json-patch v4 and strategicpatch code on a Deployment
//     with the built-in Go types); PatchKubectlOracleTest re-checks those cases against
//     kubectl when it is installed.
// json-patch's `test` compares scalars by their JSON text; kubectl re-encodes a patch through
// YAML before applying it, so the cases about literal spellings (`2.0`, "x<y") are taken
// from json-patch v4's source instead and are not sent to the oracle.
#include "api/patch/patch.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/json.h"
#include "testing/kubectl.h"
#include "testing/temp_dir.h"

namespace kstream::api::patch {
namespace {

Value J(std::string_view s) {
  auto r = ParseJson(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : Value();
}

std::string C(const Value& v) { return *ToJson(v); }

// The value at a dotted path ("" for the whole value; numbers index arrays), or nullptr.
const Value* At(const Value& v, std::string_view path) {
  const Value* cur = &v;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view seg = path.substr(0, dot);
    if (cur->is_array()) {
      size_t i = static_cast<size_t>(std::atoi(std::string(seg).c_str()));
      if (i >= cur->as_array().size()) return nullptr;
      cur = &cur->as_array()[i];
    } else if (cur->is_object()) {
      cur = cur->Find(seg);
      if (cur == nullptr) return nullptr;
    } else {
      return nullptr;
    }
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return cur;
}

// A Deployment with merge lists (containers by name, ports by containerPort, env by name,
// volumes by name with retainKeys, ownerReferences by uid, finalizers of strings), a
// retainKeys struct (strategy), a replaced list (tolerations) and maps.
constexpr std::string_view kDeployment = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web","tier":"fe"},"finalizers":["a.example.com/f1","b.example.com/f2"],"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner1","uid":"u1"},{"apiVersion":"v1","kind":"ConfigMap","name":"owner2","uid":"u2"}],"annotations":{"html":"x<y","num":"10"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"args":["--x","--y"]},{"name":"sidecar","image":"busybox","command":["sleep","3600"]},{"name":"injected","image":"proxy"}],"volumes":[{"name":"data","emptyDir":{}},{"name":"cfg","configMap":{"name":"cm1"}}],"tolerations":[{"key":"k1","operator":"Exists"},{"key":"k2","operator":"Equal","value":"v"}],"nodeSelector":{"disk":"ssd"}}}}})";

SchemaNode DeploymentSchema() { return BuiltinKindSchema("apps", "v1", "Deployment"); }

enum class Type { kJson, kMerge, kStrategic };

// One patch of the Deployment, with its effect as kubectl 1.33 shows it.
struct DeploymentCase {
  const char* name;
  Type type;
  const char* patch;
  const char* path;      // what `expected` describes, dotted ("" = the object)
  const char* expected;  // JSON on success; the error message otherwise
  StatusCode code = StatusCode::kOk;
  bool oracle = true;  // whether kubectl (which re-encodes the patch through YAML) can check it
};

const std::vector<DeploymentCase>& DeploymentCases() {
  using enum StatusCode;
  static const std::vector<DeploymentCase> cases = {
      // --- JSON patch ---
      {"add member", Type::kJson, R"([{"op":"add","path":"/metadata/labels/new","value":"x"}])", "metadata.labels",
       R"({"app":"web","new":"x","tier":"fe"})"},
      {"add replaces member", Type::kJson, R"([{"op":"add","path":"/metadata/labels","value":{"only":"one"}}])",
       "metadata.labels", R"({"only":"one"})"},
      {"add inserts into array", Type::kJson,
       R"([{"op":"add","path":"/spec/template/spec/containers/1","value":{"name":"mid","image":"m"}}])",
       "spec.template.spec.containers",
       R"([{"args":["--x","--y"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"nginx:1.25","name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}]},{"image":"m","name":"mid"},{"command":["sleep","3600"],"image":"busybox","name":"sidecar"},{"image":"proxy","name":"injected"}])"},
      {"add - appends", Type::kJson,
       R"([{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"last","image":"l"}}])",
       "spec.template.spec.containers.2", R"({"image":"proxy","name":"injected"})"},
      {"add at length appends", Type::kJson,
       R"([{"op":"add","path":"/spec/template/spec/containers/3","value":{"name":"end"}},{"op":"test","path":"/spec/template/spec/containers/3","value":{"name":"end"}}])",
       "spec.template.spec.containers.0.name", R"("app")"},
      {"add negative index", Type::kJson,
       R"([{"op":"add","path":"/spec/template/spec/containers/-2","value":{"name":"neg"}},{"op":"test","path":"/spec/template/spec/containers/2","value":{"name":"neg"}}])",
       "metadata.name", R"("web")"},
      {"add beyond length", Type::kJson, R"([{"op":"add","path":"/spec/template/spec/containers/4","value":{}}])", "",
       "error in add for path: '/spec/template/spec/containers/4': Unable to access invalid index: 4: invalid index "
       "referenced",
       kFailedPrecondition},
      {"add bad index", Type::kJson, R"([{"op":"add","path":"/spec/template/spec/containers/x","value":{}}])", "",
       "error in add for path: '/spec/template/spec/containers/x': value was not a proper array index: 'x': "
       "strconv.Atoi: parsing \"x\": invalid syntax",
       kFailedPrecondition},
      {"add does not create parents", Type::kJson, R"([{"op":"add","path":"/metadata/missing/child","value":1}])", "",
       "add operation does not apply: doc is missing path: \"/metadata/missing/child\": missing value",
       kFailedPrecondition},
      {"add without value adds null", Type::kJson, R"([{"op":"add","path":"/metadata/generateName"}])",
       "metadata.generateName", "null"},
      {"path before first slash ignored", Type::kJson,
       R"([{"op":"add","path":"ignored/metadata/generateName","value":"g"}])", "metadata.generateName", R"("g")"},
      {"escaped segment", Type::kJson, R"([{"op":"add","path":"/metadata/labels/a~1b~0c","value":"esc"}])",
       "metadata.labels", R"({"a/b~c":"esc","app":"web","tier":"fe"})"},
      {"remove member", Type::kJson, R"([{"op":"remove","path":"/metadata/labels/tier"}])", "metadata.labels",
       R"({"app":"web"})"},
      {"remove missing member", Type::kJson, R"([{"op":"remove","path":"/metadata/labels/nope"}])", "",
       "error in remove for path: '/metadata/labels/nope': Unable to remove nonexistent key: nope: missing value",
       kFailedPrecondition},
      {"remove negative index", Type::kJson, R"([{"op":"remove","path":"/spec/template/spec/containers/-1"}])",
       "spec.template.spec.containers.1.name", R"("sidecar")"},
      {"replace member", Type::kJson, R"([{"op":"replace","path":"/spec/replicas","value":5}])", "spec.replicas", "5"},
      {"replace missing member adds it", Type::kJson,
       R"([{"op":"replace","path":"/metadata/labels/nope","value":"added"}])", "metadata.labels",
       R"({"app":"web","nope":"added","tier":"fe"})"},
      {"replace +1 index", Type::kJson,
       R"([{"op":"replace","path":"/spec/template/spec/containers/+1/image","value":"plus"}])",
       "spec.template.spec.containers.1.image", R"("plus")"},
      {"move member", Type::kJson, R"([{"op":"move","from":"/metadata/labels/tier","path":"/metadata/generateName"}])",
       "metadata.generateName", R"("fe")"},
      {"move element to end", Type::kJson,
       R"([{"op":"move","from":"/spec/template/spec/containers/0","path":"/spec/template/spec/containers/-"}])",
       "spec.template.spec.containers.2.name", R"("app")"},
      {"copy member", Type::kJson,
       R"([{"op":"copy","from":"/spec/template/spec/containers/0/image","path":"/spec/template/spec/containers/1/image"}])",
       "spec.template.spec.containers.1.image", R"("nginx:1.25")"},
      {"copy missing member copies null", Type::kJson, R"([{"op":"copy","from":"/metadata/nope","path":"/metadata/copied"}])",
       "metadata.copied", "null"},
      {"test then replace", Type::kJson,
       R"([{"op":"test","path":"/spec/replicas","value":2},{"op":"replace","path":"/spec/replicas","value":3}])",
       "spec.replicas", "3"},
      {"test missing equals null", Type::kJson, R"([{"op":"test","path":"/metadata/nope","value":null}])",
       "metadata.name", R"("web")"},
      {"test object in any key order", Type::kJson,
       R"([{"op":"test","path":"/metadata/labels","value":{"tier" : "fe", "app":"web"}}])", "metadata.name", R"("web")"},
      {"test object with extra member", Type::kJson,
       R"([{"op":"test","path":"/metadata/labels","value":{"app":"web","tier":"fe","x":null}}])", "",
       "testing value /metadata/labels failed: test failed", kFailedPrecondition},
      {"test array order", Type::kJson,
       R"([{"op":"test","path":"/spec/template/spec/containers/0/args","value":["--y","--x"]}])", "",
       "testing value /spec/template/spec/containers/0/args failed: test failed", kFailedPrecondition},
      {"test string against number", Type::kJson, R"([{"op":"test","path":"/metadata/annotations/num","value":10}])",
       "", "testing value /metadata/annotations/num failed: test failed", kFailedPrecondition},
      // json-patch v4 compares a scalar's JSON text: the object's Go encoding (2, "x\u003cy")
      // against the literal as written.
      {"test 2.0 is not 2", Type::kJson, R"([{"op":"test","path":"/spec/replicas","value":2.0}])", "",
       "testing value /spec/replicas failed: test failed", kFailedPrecondition, false},
      {"test literal x<y is not Go's encoding", Type::kJson,
       R"([{"op":"test","path":"/metadata/annotations/html","value":"x<y"}])", "",
       "testing value /metadata/annotations/html failed: test failed", kFailedPrecondition, false},
      {"test Go's encoding", Type::kJson,
       R"([{"op":"test","path":"/metadata/annotations/html","value":"x\u003cy"}])", "metadata.name", R"("web")",
       kOk, false},
      {"unknown op", Type::kJson, R"([{"op":"bogus","path":"/a"}])", "", "Unexpected kind: bogus", kFailedPrecondition},
      {"op missing", Type::kJson, R"([{"path":"/a"}])", "", "Unexpected kind: unknown", kFailedPrecondition},
      {"body is an object", Type::kJson, R"({"op":"add"})", "",
       "json: cannot unmarshal object into Go value of type jsonpatch.Patch", kInvalidArgument},
      {"operation is a number", Type::kJson, "[1]", "",
       "json: cannot unmarshal number into Go value of type jsonpatch.Operation", kInvalidArgument},
      // --- JSON merge patch ---
      {"merge deletes and adds", Type::kMerge, R"({"metadata":{"labels":{"tier":null,"env":"prod"}}})",
       "metadata.labels", R"({"app":"web","env":"prod"})"},
      {"merge replaces lists", Type::kMerge, R"({"spec":{"template":{"spec":{"containers":[{"name":"only"}]}}}})",
       "spec.template.spec.containers", R"([{"name":"only"}])"},
      {"merge deletes nested", Type::kMerge, R"({"spec":{"strategy":{"rollingUpdate":null}}})", "spec.strategy",
       R"({"type":"RollingUpdate"})"},
      {"merge prunes nulls of added objects", Type::kMerge, R"({"metadata":{"annotations":{"a":{"b":null,"c":1}}}})",
       "metadata.annotations", R"({"a":{"c":1},"html":"x<y","num":"10"})"},
      {"merge keeps nulls in arrays", Type::kMerge,
       R"({"spec":{"template":{"spec":{"tolerations":[null,{"key":"x","value":null}]}}}})",
       "spec.template.spec.tolerations", R"([null,{"key":"x"}])"},
      {"merge array over object is kept as is", Type::kMerge, R"({"spec":{"selector":[{"a":null}]}})",
       "spec.selector", R"([{"a":null}])"},
      {"merge scalar over object", Type::kMerge, R"({"metadata":{"labels":"str"}})", "metadata.labels", R"("str")"},
      {"merge empty arrays stay", Type::kMerge, R"({"spec":{"newfield":{"x":null,"y":[],"z":[null]}}})",
       "spec.newfield", R"({"y":[],"z":[null]})"},
      {"merge object over scalar", Type::kMerge, R"({"spec":{"template":{"spec":{"nodeSelector":{"disk":{"a":null,"b":2}}}}}})",
       "spec.template.spec.nodeSelector", R"({"disk":{"b":2}})"},
      {"merge string body", Type::kMerge, R"("str")", "", "Invalid JSON Patch", kInvalidArgument},
      {"merge null body", Type::kMerge, "null", "", "Invalid JSON Patch", kInvalidArgument},
      // --- strategic merge patch ---
      {"containers merge by name, env by name", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26","env":[{"name":"B","value":"20"},{"name":"C","value":"3"}]}]}}}})",
       "spec.template.spec.containers",
       R"([{"args":["--x","--y"],"env":[{"name":"A","value":"1"},{"name":"B","value":"20"},{"name":"C","value":"3"}],"image":"nginx:1.26","name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}]},{"command":["sleep","3600"],"image":"busybox","name":"sidecar"},{"image":"proxy","name":"injected"}])"},
      {"ports merge by containerPort, patch order first", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","ports":[{"containerPort":8080,"name":"alt"},{"containerPort":80,"name":"http"}]}]}}}})",
       "spec.template.spec.containers.0.ports",
       R"([{"containerPort":8080,"name":"alt"},{"containerPort":80,"name":"http","protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}])"},
      {"tolerations are replaced", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"tolerations":[{"key":"k3","operator":"Exists"}]}}}})",
       "spec.template.spec.tolerations", R"([{"key":"k3","operator":"Exists"}])"},
      {"strategy retainKeys", Type::kStrategic, R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})",
       "spec.strategy", R"({"type":"Recreate"})"},
      {"strategy without retainKeys merges", Type::kStrategic, R"({"spec":{"strategy":{"type":"Recreate"}}})",
       "spec.strategy", R"({"rollingUpdate":{"maxSurge":1,"maxUnavailable":0},"type":"Recreate"})"},
      {"volume source switched with retainKeys", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"volumes":[{"name":"cfg","$retainKeys":["name","secret"],"secret":{"secretName":"s1"}}]}}}})",
       "spec.template.spec.volumes", R"([{"emptyDir":{},"name":"data"},{"name":"cfg","secret":{"secretName":"s1"}}])"},
      {"finalizers union and deleteFromPrimitiveList", Type::kStrategic,
       R"({"metadata":{"finalizers":["c.example.com/f3","a.example.com/f1"],"$deleteFromPrimitiveList/finalizers":["b.example.com/f2"]}})",
       "metadata.finalizers", R"(["c.example.com/f3","a.example.com/f1"])"},
      {"finalizers with setElementOrder", Type::kStrategic,
       R"({"metadata":{"$setElementOrder/finalizers":["c.example.com/f3","a.example.com/f1"],"finalizers":["c.example.com/f3"],"$deleteFromPrimitiveList/finalizers":["b.example.com/f2"]}})",
       "metadata.finalizers", R"(["c.example.com/f3","a.example.com/f1"])"},
      {"null deleteFromPrimitiveList deletes the list", Type::kStrategic,
       R"({"metadata":{"$deleteFromPrimitiveList/finalizers":null}})", "metadata",
       R"({"annotations":{"html":"x<y","num":"10"},"labels":{"app":"web","tier":"fe"},"name":"web","namespace":"default","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner1","uid":"u1"},{"apiVersion":"v1","kind":"ConfigMap","name":"owner2","uid":"u2"}]})"},
      {"ownerReferences merge by uid", Type::kStrategic,
       R"({"metadata":{"ownerReferences":[{"uid":"u2","name":"owner2b"},{"apiVersion":"v1","kind":"Secret","name":"owner3","uid":"u3"}]}})",
       "metadata.ownerReferences",
       R"([{"apiVersion":"v1","kind":"ConfigMap","name":"owner1","uid":"u1"},{"apiVersion":"v1","kind":"ConfigMap","name":"owner2b","uid":"u2"},{"apiVersion":"v1","kind":"Secret","name":"owner3","uid":"u3"}])"},
      {"labels merge", Type::kStrategic, R"({"metadata":{"labels":{"tier":null,"env":"prod"}}})", "metadata.labels",
       R"({"app":"web","env":"prod"})"},
      {"map $patch: replace", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"nodeSelector":{"$patch":"replace","zone":"a"}}}}})",
       "spec.template.spec.nodeSelector", R"({"zone":"a"})"},
      {"map $patch: delete", Type::kStrategic, R"({"spec":{"template":{"spec":{"nodeSelector":{"$patch":"delete"}}}}})",
       "spec.template.spec.nodeSelector", "{}"},
      {"element $patch: delete", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"sidecar"}]}}}})",
       "spec.template.spec.containers",
       R"([{"args":["--x","--y"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"nginx:1.25","name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}]},{"image":"proxy","name":"injected"}])"},
      {"list $patch: replace", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"alpine"}]}}}})",
       "spec.template.spec.containers", R"([{"image":"alpine","name":"only"}])"},
      {"nested deletes and a new element with nulls", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A","$patch":"delete"}],"ports":[{"containerPort":443,"$patch":"delete"}]}]}}}})",
       "spec.template.spec.containers.0",
       R"({"args":["--x","--y"],"env":[{"name":"B","value":"2"}],"image":"nginx:1.25","name":"app","ports":[{"containerPort":80,"protocol":"TCP"}]})"},
      {"new element keeps nulls, directive map dropped", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","resources":{"limits":{"cpu":"1"}},"securityContext":{"$patch":"delete"}},{"name":"new","image":"n","env":[{"name":"X","value":null}]}]}}}})",
       "spec.template.spec.containers",
       R"([{"args":["--x","--y"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"nginx:1.25","name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}],"resources":{"limits":{"cpu":"1"}}},{"env":[{"name":"X","value":null}],"image":"n","name":"new"},{"command":["sleep","3600"],"image":"busybox","name":"sidecar"},{"image":"proxy","name":"injected"}])"},
      {"null deletes lists", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","args":null,"env":null}]}}}})",
       "spec.template.spec.containers.0",
       R"({"image":"nginx:1.25","name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}]})"},
      {"new list without its deleted elements", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"initContainers":[{"name":"init","image":"i"},{"name":"gone","$patch":"delete"}]}}}})",
       "spec.template.spec.initContainers", R"([{"image":"i","name":"init"}])"},
      {"selector merges", Type::kStrategic,
       R"({"spec":{"selector":{"matchLabels":{"app":"web2"},"matchExpressions":[{"key":"x","operator":"Exists"}]}}})",
       "spec.selector", R"({"matchExpressions":[{"key":"x","operator":"Exists"}],"matchLabels":{"app":"web2"}})"},
      {"scalars replace, any type", Type::kStrategic, R"({"spec":{"replicas":"3","paused":true}})", "spec.replicas",
       R"("3")"},
      {"retainKeys on a struct", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"$retainKeys":["containers"],"containers":[{"name":"app"}]}}}})",
       "spec.template.spec",
       R"({"containers":[{"args":["--x","--y"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"nginx:1.25","name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}]},{"command":["sleep","3600"],"image":"busybox","name":"sidecar"},{"image":"proxy","name":"injected"}]})"},
      // What kubectl apply sends after dropping `sidecar` from, adding `logger` to and changing
      // `app` in its last-applied configuration; `injected` was added to the live object by
      // someone else and stays where it was relative to `app`.
      {"kubectl apply: setElementOrder, delete and add", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"logger"}],"containers":[{"image":"nginx:1.27","name":"app"},{"image":"fluentd","name":"logger"},{"$patch":"delete","name":"sidecar"}]}}}})",
       "spec.template.spec.containers",
       R"([{"args":["--x","--y"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"nginx:1.27","name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}]},{"image":"proxy","name":"injected"},{"image":"fluentd","name":"logger"}])"},
      {"kubectl apply: reorder lists", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],"containers":[{"name":"app","$setElementOrder/env":[{"name":"B"},{"name":"A"}],"$setElementOrder/ports":[{"containerPort":443},{"containerPort":80}],"args":["--z"]}]}}}})",
       "spec.template.spec.containers",
       R"([{"command":["sleep","3600"],"image":"busybox","name":"sidecar"},{"args":["--z"],"env":[{"name":"B","value":"2"},{"name":"A","value":"1"}],"image":"nginx:1.25","name":"app","ports":[{"containerPort":443,"protocol":"TCP"},{"containerPort":80,"protocol":"TCP"}]},{"image":"proxy","name":"injected"}])"},
      {"unknown field in setElementOrder", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"$setElementOrder/foo":[{"name":"a"}]}}}})", "",
       "unable to find api field in struct PodSpec for the json field \"foo\"", kInternal},
      {"missing merge key", Type::kStrategic, R"({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})", "",
       "map: map[image:x] does not contain declared merge key: name", kInternal},
      {"bad setElementOrder key", Type::kStrategic, R"({"metadata":{"$setElementOrderX/finalizers":[]}})", "",
       "invalid patch format of setElementOrder list", kInvalidArgument},
      {"bad deleteFromPrimitiveList key", Type::kStrategic, R"({"metadata":{"$deleteFromPrimitiveList":["x"]}})", "",
       "invalid patch format of primitive list", kInvalidArgument},
      {"element $patch: merge", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"containers":[{"$patch":"merge","name":"app"}]}}}})", "",
       "merging lists cannot yet be specified in the patch", kInternal},
      {"unknown map directive", Type::kStrategic, R"({"spec":{"selector":{"$patch":"bogus"}}})", "",
       "unknown patch type: bogus in map: map[$patch:bogus]", kInternal},
      {"key outside retainKeys", Type::kStrategic,
       R"({"spec":{"template":{"spec":{"$retainKeys":["volumes"],"containers":[{"name":"app"}]}}}})", "",
       "invalid patch format of retainKeys", kInvalidArgument},
      {"retainKeys not a list", Type::kStrategic, R"({"spec":{"template":{"spec":{"$retainKeys":"volumes"}}}})", "",
       "invalid patch format of retainKeys", kInvalidArgument},
  };
  return cases;
}

Result<Value> ApplyCase(const Value& doc, Type type, std::string_view patch) {
  switch (type) {
    case Type::kJson: return ApplyJsonPatch(doc, patch);
    case Type::kMerge: return ApplyMergePatch(doc, patch);
    case Type::kStrategic: {
      auto parsed = ParseJson(patch);
      if (!parsed.ok()) return parsed.status();
      return ApplyStrategicMergePatch(doc, *parsed, DeploymentSchema());
    }
  }
  return Internal("unreachable");
}

TEST(PatchDeploymentTest, AsKubectlShowsIt) {
  Value doc = J(kDeployment);
  for (const DeploymentCase& c : DeploymentCases()) {
    SCOPED_TRACE(c.name);
    auto r = ApplyCase(doc, c.type, c.patch);
    if (c.code != StatusCode::kOk) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
      EXPECT_EQ(r.status().message(), c.expected);
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const Value* got = At(*r, c.path);
    ASSERT_NE(got, nullptr) << C(*r);
    EXPECT_EQ(C(*got), C(J(c.expected)));
  }
}

// --- JSON patch ------------------------------------------------------------------------------

// RFC 6902 Appendix A, as json-patch v4 applies it.
struct RfcCase {
  const char* name;
  const char* doc;
  const char* patch;
  const char* expected;  // nullptr: the patch fails (422)
};

TEST(JsonPatchTest, Rfc6902Examples) {
  const RfcCase cases[] = {
      {"A.1", R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])", R"({"baz":"qux","foo":"bar"})"},
      {"A.2", R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])",
       R"({"foo":["bar","qux","baz"]})"},
      {"A.3", R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])", R"({"foo":"bar"})"},
      {"A.4", R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])", R"({"foo":["bar","baz"]})"},
      {"A.5", R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])",
       R"({"baz":"boo","foo":"bar"})"},
      {"A.6", R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
       R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
       R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"},
      {"A.7", R"({"foo":["all","grass","cows","eat"]})", R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
       R"({"foo":["all","cows","eat","grass"]})"},
      {"A.8", R"({"baz":"qux","foo":["a",2,"c"]})",
       R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])",
       R"({"baz":"qux","foo":["a",2,"c"]})"},
      {"A.9", R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])", nullptr},
      {"A.10", R"({"foo":"bar"})", R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])",
       R"({"child":{"grandchild":{}},"foo":"bar"})"},
      {"A.11", R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])",
       R"({"baz":"qux","foo":"bar"})"},
      {"A.12", R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])", nullptr},
      {"A.14", R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])", R"({"/":9,"~1":10})"},
      {"A.15", R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])", nullptr},
      {"A.16", R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])",
       R"({"foo":["bar",["abc","def"]]})"},
  };
  for (const RfcCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = ApplyJsonPatch(J(c.doc), c.patch);
    if (c.expected == nullptr) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(C(*r), C(J(c.expected)));
  }
}

TEST(JsonPatchTest, V4Behaviours) {
  // A null body is an empty patch.
  EXPECT_EQ(C(*ApplyJsonPatch(J(R"({"a":1})"), "null")), R"({"a":1})");
  EXPECT_EQ(C(*ApplyJsonPatch(J(R"({"a":1})"), "[]")), R"({"a":1})");
  // replace of "" swaps the document for an object or an array.
  EXPECT_EQ(C(*ApplyJsonPatch(J(R"({"a":1})"), R"([{"op":"replace","path":"","value":{"b":2}}])")), R"({"b":2})");
  EXPECT_EQ(ApplyJsonPatch(J(R"({"a":1})"), R"([{"op":"replace","path":"","value":3}])").status().code(),
            StatusCode::kFailedPrecondition);
  // test of "" compares the whole document; test of a null member equals null.
  EXPECT_TRUE(ApplyJsonPatch(J(R"({"a":1,"b":null})"), R"([{"op":"test","path":"","value":{"b":null,"a":1}}])").ok());
  EXPECT_TRUE(ApplyJsonPatch(J(R"({"a":null})"), R"([{"op":"test","path":"/a","value":null}])").ok());
  EXPECT_TRUE(ApplyJsonPatch(J(R"({"a":null})"), R"([{"op":"test","path":"/a"}])").ok());
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":1})"), R"([{"op":"test","path":"/a"}])").ok());
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":{"b":1}})"), R"([{"op":"test","path":"/a","value":null}])").ok());
  // Integers compare by their text: 1 is not 1.0, and 10 is not 1e1.
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":1})"), R"([{"op":"test","path":"/a","value":1.0}])").ok());
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":[10]})"), R"([{"op":"test","path":"/a","value":[1e1]}])").ok());
  EXPECT_TRUE(ApplyJsonPatch(J(R"({"a":[10,{"b":"c"}]})"), R"([{"op":"test","path":"/a","value":[ 10 , {"b" : "c"} ]}])").ok());
  // Floats compare with the object's Go encoding.
  EXPECT_TRUE(ApplyJsonPatch(J(R"({"a":0.5})"), R"([{"op":"test","path":"/a","value":0.5}])").ok());
  // Intermediate segments must exist and be containers.
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":"s"})"), R"([{"op":"add","path":"/a/b","value":1}])").ok());
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":null})"), R"([{"op":"add","path":"/a/b","value":1}])").ok());
  // "-" only appends.
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":[1]})"), R"([{"op":"remove","path":"/a/-"}])").ok());
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":[1]})"), R"([{"op":"remove","path":"/a/-2"}])").ok());
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":[]})"), R"([{"op":"remove","path":"/a/0"}])").ok());
  // move out of a member and into a place under it fails.
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":{"b":1}})"), R"([{"op":"move","from":"/a","path":"/a/c"}])").ok());
  EXPECT_EQ(C(*ApplyJsonPatch(J(R"({"a":{"b":1}})"), R"([{"op":"move","from":"/a","path":"/a"}])")), R"({"a":{"b":1}})");
  // Ints stay ints, floats floats.
  Value r = *ApplyJsonPatch(J("{}"), R"([{"op":"add","path":"/i","value":7},{"op":"add","path":"/f","value":7.5}])");
  EXPECT_TRUE(r.Find("i")->is_int());
  EXPECT_TRUE(r.Find("f")->is_float());
  // Operation members are found whatever their spelling in the body.
  EXPECT_TRUE(ApplyJsonPatch(J(R"({"a":"x"})"), R"([{"op":"test","path":"/a","valu\u0065":"x"}])").ok());
  EXPECT_FALSE(ApplyJsonPatch(J(R"({"a":"x"})"), R"([{"op":"test","path":"/a","value":"y","value":"z"}])").ok());
  EXPECT_TRUE(ApplyJsonPatch(J(R"({"a":"x"})"), R"([{"op":"test","path":"/a","value":"y","value":"x"}])").ok());
}

TEST(JsonPatchTest, Limits) {
  std::string many = "[";
  for (int i = 0; i < 10001; ++i) many += std::string(i ? "," : "") + R"({"op":"test","path":"/a","value":1})";
  many += "]";
  auto r = ApplyJsonPatch(J(R"({"a":1})"), many);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "The allowed maximum operations in a JSON patch is 10000, got 10001");

  // copy may add at most 3 MiB.
  std::string big(1 << 20, 'x');
  std::string patch = R"([{"op":"add","path":"/b","value":")" + big + R"("})";
  for (int i = 0; i < 3; ++i) patch += R"(,{"op":"copy","from":"/b","path":"/c)" + std::to_string(i) + R"("})";
  patch += "]";
  r = ApplyJsonPatch(J("{}"), patch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("exceeding the limit 3145728"), std::string_view::npos) << r.status().message();

  r = ApplyJsonPatch(J("{}"), "[{");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "unexpected end of JSON input");
}

// --- JSON merge patch ---------------------------------------------------------------------------

TEST(MergePatchTest, Rfc7386Examples) {
  const RfcCase cases[] = {
      {"1", R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {"2", R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {"3", R"({"a":"b"})", R"({"a":null})", "{}"},
      {"4", R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {"5", R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {"6", R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {"7", R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {"8", R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {"9", R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {"10", R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {"13", R"({"e":null})", R"({"a":1})", R"({"a":1,"e":null})"},
      {"14", R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {"15", "{}", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const RfcCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = ApplyMergePatch(J(c.doc), c.patch);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(C(*r), C(J(c.expected)));
  }
  // RFC examples 11 and 12 (a null or scalar patch replaces the document) are errors in
  // json-patch v4: ErrBadJSONPatch.
  for (const char* p : {"null", R"("bar")", "1", "true", "{", ""}) {
    auto r = ApplyMergePatch(J(R"({"a":"foo"})"), p);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "Invalid JSON Patch");
  }
}

TEST(MergePatchTest, V4Behaviours) {
  // Added values lose their null members, recursively, also inside arrays (whose null
  // elements stay); a value that replaces an object keeps its nulls.
  EXPECT_EQ(C(*ApplyMergePatch(J("{}"), R"({"a":[{"b":null,"c":[null,{"d":null}]}]})")),
            R"({"a":[{"c":[null,{}]}]})");
  EXPECT_EQ(C(*ApplyMergePatch(J(R"({"a":{"x":1}})"), R"({"a":[{"b":null}]})")), R"({"a":[{"b":null}]})");
  EXPECT_EQ(C(*ApplyMergePatch(J(R"({"a":null})"), R"({"a":{"b":null,"c":1}})")), R"({"a":{"c":1}})");
  // An array patch replaces the document with the array (pruned).
  EXPECT_EQ(C(*ApplyMergePatch(J(R"({"a":1})"), R"([{"x":null},null])")), R"([{},null])");
  // Ints stay ints.
  Value r = *ApplyMergePatch(J(R"({"a":1.5})"), R"({"a":2,"b":2.0})");
  EXPECT_TRUE(r.Find("a")->is_int());
  EXPECT_TRUE(r.Find("b")->is_float());
  EXPECT_EQ(ApplyMergePatch(Value(), "{}").status().code(), StatusCode::kInternal);
}

// --- Strategic merge patch: upstream cases ----------------------------------------------------------

// The schema of strategicpatch's test struct MergeItem (patch_test.go), as OpenAPI. It is
// tagged as a kind, as the root schemas patches are applied with are: the error messages name
// the root struct by its kind.
const Value& MergeItemDefinitions() {
  static const Value defs = *ParseJson(R"({
 "test.MergeItem":{"type":"object","x-kubernetes-group-version-kind":[{"group":"test","kind":"MergeItem","version":"v1"}],"properties":{
   "name":{"type":"string"},"value":{"type":"string"},"other":{"type":"string"},
   "mergingList":{"type":"array","items":{"allOf":[{"$ref":"#/components/schemas/test.MergeItem"}]},"x-kubernetes-patch-strategy":"merge","x-kubernetes-patch-merge-key":"name"},
   "nonMergingList":{"type":"array","items":{"allOf":[{"$ref":"#/components/schemas/test.MergeItem"}]}},
   "mergingIntList":{"type":"array","items":{"type":"integer","format":"int32"},"x-kubernetes-patch-strategy":"merge"},
   "nonMergingIntList":{"type":"array","items":{"type":"integer","format":"int32"}},
   "mergeItemPtr":{"allOf":[{"$ref":"#/components/schemas/test.MergeItem"}],"x-kubernetes-patch-strategy":"merge","x-kubernetes-patch-merge-key":"name"},
   "simpleMap":{"type":"object","additionalProperties":{"type":"string"}},
   "replacingItem":{"allOf":[{"$ref":"#/components/schemas/test.RawExtension"}],"x-kubernetes-patch-strategy":"replace"},
   "retainKeysMap":{"allOf":[{"$ref":"#/components/schemas/test.RetainKeysMergeItem"}],"x-kubernetes-patch-strategy":"retainKeys"},
   "retainKeysMergingList":{"type":"array","items":{"allOf":[{"$ref":"#/components/schemas/test.MergeItem"}]},"x-kubernetes-patch-strategy":"merge,retainKeys","x-kubernetes-patch-merge-key":"name"}}},
 "test.RetainKeysMergeItem":{"type":"object","properties":{
   "name":{"type":"string"},"value":{"type":"string"},"other":{"type":"string"},
   "simpleMap":{"type":"object","additionalProperties":{"type":"string"}},
   "mergingIntList":{"type":"array","items":{"type":"integer","format":"int32"},"x-kubernetes-patch-strategy":"merge"},
   "mergingList":{"type":"array","items":{"allOf":[{"$ref":"#/components/schemas/test.MergeItem"}]},"x-kubernetes-patch-strategy":"merge","x-kubernetes-patch-merge-key":"name"},
   "nonMergingList":{"type":"array","items":{"allOf":[{"$ref":"#/components/schemas/test.MergeItem"}]}}}},
 "test.RawExtension":{"type":"object"}
})");
  return defs;
}

SchemaNode MergeItem() { return SchemaNode::Named(&MergeItemDefinitions(), "test.MergeItem"); }

struct SmpCase {
  const char* name;
  const char* original;
  const char* patch;
  const char* expected;  // nullptr when the patch fails
  const char* error = nullptr;
};

void RunSmpCases(const std::vector<SmpCase>& cases) {
  for (const SmpCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = ApplyStrategicMergePatch(J(c.original), J(c.patch), MergeItem());
    if (c.expected == nullptr) {
      ASSERT_FALSE(r.ok());
      EXPECT_NE(r.status().message().find(c.error), std::string_view::npos) << r.status().ToString();
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(C(*r), C(J(c.expected)));
  }
}

// customStrategicMergePatchTestCaseData and customStrategicMergePatchRawTestCases: the
// two-way patch applied to the original gives the modified object.
TEST(StrategicMergePatchTest, UpstreamCustomCases) {
  RunSmpCases({
      {"unique scalars when merging lists", R"({"mergingIntList":[1,2]})", R"({"mergingIntList":[2,3]})",
       R"({"mergingIntList":[1,2,3]})"},
      {"delete map from nested map", R"({"simpleMap":{"key1":1,"key2":1}})", R"({"simpleMap":{"$patch":"delete"}})",
       R"({"simpleMap":{}})"},
      {"delete all items from merging list", R"({"mergingList":[{"name":1},{"name":2}]})",
       R"({"mergingList":[{"$patch":"replace"}]})", R"({"mergingList":[]})"},
      {"merge empty merging lists", R"({"mergingList":[]})", R"({"mergingList":[]})", R"({"mergingList":[]})"},
      {"delete all keys from map", R"({"name":1,"value":1})", R"({"$patch":"replace"})", "{}"},
      {"add key and delete all keys from map", R"({"name":1,"value":1})", R"({"other":"a","$patch":"replace"})",
       R"({"other":"a"})"},
      {"delete all duplicate entries in a merging list",
       R"({"mergingList":[{"name":1},{"name":1},{"name":2,"value":"a"},{"name":3},{"name":3}]})",
       R"({"mergingList":[{"name":1,"$patch":"delete"},{"name":3,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":2,"value":"a"}]})"},
      {"retainKeys map can add a field when no retainKeys directive present", R"({"retainKeysMap":{"name":"foo"}})",
       R"({"retainKeysMap":{"value":"bar"}})", R"({"retainKeysMap":{"name":"foo","value":"bar"}})"},
      {"retainKeys map can change a field when no retainKeys directive present",
       R"({"retainKeysMap":{"name":"foo","value":"a"}})", R"({"retainKeysMap":{"value":"b"}})",
       R"({"retainKeysMap":{"name":"foo","value":"b"}})"},
      {"retainKeys map can delete a field when no retainKeys directive present",
       R"({"retainKeysMap":{"name":"foo","value":"a"}})", R"({"retainKeysMap":{"value":null}})",
       R"({"retainKeysMap":{"name":"foo"}})"},
      {"retainKeys map merge an empty map", R"({"retainKeysMap":{"name":"foo","value":"a"}})",
       R"({"retainKeysMap":{}})", R"({"retainKeysMap":{"name":"foo","value":"a"}})"},
      {"retainKeys list can add a field when no retainKeys directive present",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo"}]})",
       R"({"retainKeysMergingList":[{"name":"foo","value":"a"}]})",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]})"},
      {"retainKeys list can change a field when no retainKeys directive present",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]})",
       R"({"retainKeysMergingList":[{"name":"foo","value":"b"}]})",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"b"}]})"},
      {"retainKeys list can delete a field when no retainKeys directive present",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]})",
       R"({"retainKeysMergingList":[{"name":"foo","value":null}]})",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo"}]})"},
      {"preserve the order from the patch in a merging list",
       R"({"mergingList":[{"name":1},{"name":2,"value":"b"},{"name":3}]})",
       R"({"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},{"name":2,"other":"x"}]})",
       R"({"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},{"name":2,"value":"b","other":"x"}]})"},
      {"preserve the order from the patch in a merging list 2",
       R"({"mergingList":[{"name":1},{"name":2,"value":"b"},{"name":3}]})",
       R"({"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"}]})",
       R"({"mergingList":[{"name":2,"value":"b"},{"name":3,"value":"c"},{"name":1,"value":"a"}]})"},
      {"preserve the order from the patch in a merging int list", R"({"mergingIntList":[1,2,3]})",
       R"({"mergingIntList":[3,1,2]})", R"({"mergingIntList":[3,1,2]})"},
      {"preserve the order from the patch in a merging int list 2", R"({"mergingIntList":[1,2,3]})",
       R"({"mergingIntList":[3,1]})", R"({"mergingIntList":[2,3,1]})"},
      {"$setElementOrder contains item that is not present in the list to be merged",
       R"({"mergingList":[{"name":1},{"name":3}]})",
       R"({"$setElementOrder/mergingList":[{"name":3},{"name":2},{"name":1}],"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]})",
       R"({"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]})"},
      {"$setElementOrder contains item that is not present in the int list to be merged",
       R"({"mergingIntList":[1,3]})", R"({"$setElementOrder/mergingIntList":[3,2,1]})", R"({"mergingIntList":[3,1]})"},
      {"should check if order in $setElementOrder and patch list match",
       R"({"mergingList":[{"name":1},{"name":3},{"name":2}]})",
       R"({"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]})",
       nullptr, "doesn't match"},
      {"should check if order in $setElementOrder and patch int list match", R"({"mergingIntList":[1,3,2]})",
       R"({"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3,1]})", nullptr, "doesn't match"},
      {"missing merge key should error out", R"({"mergingList":[{"name":1,"value":"a"}]})",
       R"({"mergingList":[{"value":"b"}]})", nullptr, "does not contain declared merge key"},
      {"$deleteFromPrimitiveList of nonexistent item in primitive list should not add the item to the list",
       R"({"mergingIntList":[1,2]})", R"({"$deleteFromPrimitiveList/mergingIntList":[3]})",
       R"({"mergingIntList":[1,2]})"},
      {"$deleteFromPrimitiveList on empty primitive list should not add the item to the list",
       R"({"mergingIntList":null})", R"({"$deleteFromPrimitiveList/mergingIntList":[3]})",
       R"({"mergingIntList":null})"},
      {"$deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list",
       R"({"foo":["bar"]})", R"({"$deleteFromPrimitiveList/mergingIntList":[3]})", R"({"foo":["bar"]})"},
      {"$deleteFromPrimitiveList should delete item from a list with merge patch strategy",
       R"({"mergingIntList":[1,2,3]})", R"({"$deleteFromPrimitiveList/mergingIntList":[2]})",
       R"({"mergingIntList":[1,3]})"},
      {"$deleteFromPrimitiveList should delete item from a list without merge patch strategy",
       R"({"nonMergingIntList":[1,2,3]})", R"({"$deleteFromPrimitiveList/nonMergingIntList":[2]})",
       R"({"nonMergingIntList":[1,3]})"},
  });
}

// createStrategicMergePatchTestCaseData and strategicMergePatchRawTestCases: the three-way
// patch applied to the current object gives the result (the two-way one to the original
// gives the modified object or twoWayResult).
TEST(StrategicMergePatchTest, UpstreamThreeWayCases) {
  RunSmpCases({
      {"nil original", R"({"name":1,"other":"a"})", R"({"value":1})", R"({"name":1,"value":1,"other":"a"})"},
      {"defined null values should propagate overwrite current fields (with conflict)",
       R"({"name":"a","other":"a"})", R"({"name":1,"value":1,"other":null})", R"({"name":1,"value":1})"},
      {"delete all maps from merging list with conflict",
       R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"other":"b"}]})",
       R"({"mergingList":[{"name":1,"$patch":"delete"},{"name":2,"$patch":"delete"}]})", R"({"mergingList":[]})"},
      {"delete all maps from empty merging list", R"({"mergingList":[]})",
       R"({"mergingList":[{"name":1,"$patch":"delete"},{"name":2,"$patch":"delete"}]})", R"({"mergingList":[]})"},
      {"retainKeys map with no change should not be present",
       R"({"name":"a","other":"c","retainKeysMap":{"name":"foo"}})", R"({"value":"b"})",
       R"({"name":"a","value":"b","other":"c","retainKeysMap":{"name":"foo"}})"},
      {"nested patch merge with empty list (two-way)", R"({"name":"hi"})",
       R"({"mergingList":[{"name":"hello"},{"$patch":"delete","name":"doesntexist"}]})",
       R"({"name":"hi","mergingList":[{"name":"hello"}]})"},
      {"nested patch merge with empty list", R"({"name":"hi","mergingList":[{"name":"hello2"}]})",
       R"({"$setElementOrder/mergingList":[{"name":"hello"},{"name":"doesntexist"}],"mergingList":[{"name":"hello"}]})",
       R"({"name":"hi","mergingList":[{"name":"hello"},{"name":"hello2"}]})"},
      {"delete items in lists of scalars", R"({"mergingIntList":[1,2,3,4]})",
       R"({"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]})",
       R"({"mergingIntList":[1,2,4]})"},
      {"delete all duplicate items in lists of scalars", R"({"mergingIntList":[1,2,3,3,4]})",
       R"({"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]})",
       R"({"mergingIntList":[1,2,4]})"},
      {"add and delete items in lists of scalars (two-way)", R"({"mergingIntList":[1,2,3]})",
       R"({"$setElementOrder/mergingIntList":[1,2,4],"$deleteFromPrimitiveList/mergingIntList":[3],"mergingIntList":[4]})",
       R"({"mergingIntList":[1,2,4]})"},
      {"merge lists of maps", R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})",
       R"({"$setElementOrder/mergingList":[{"name":4},{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":4,"value":4},{"name":3,"value":3}]})",
       R"({"mergingList":[{"name":4,"value":4},{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]})"},
      {"add field to map in merging list with conflict",
       R"({"mergingList":[{"name":1,"other":"a"},{"name":3,"value":2,"other":"b"}]})",
       R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"value":1},{"name":2,"value":2}]})",
       R"({"mergingList":[{"name":1,"value":1,"other":"a"},{"name":2,"value":2},{"name":3,"value":2,"other":"b"}]})"},
      {"delete missing map from merging list with conflict", R"({"mergingList":[{"name":3,"other":"a"}]})",
       R"({"$setElementOrder/mergingList":[{"name":2}],"mergingList":[{"name":2},{"name":1,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":2},{"name":3,"other":"a"}]})"},
      {"add map and delete map from merging list",
       R"({"mergingList":[{"name":1},{"name":2,"other":"b"},{"name":4,"other":"c"}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":3}],"mergingList":[{"name":3},{"name":1,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":2,"other":"b"},{"name":4,"other":"c"},{"name":3}]})"},
      {"add map and delete map from merging list with conflict",
       R"({"mergingList":[{"name":1,"other":"a"},{"name":4,"other":"c"}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":3}],"mergingList":[{"name":2},{"name":3},{"name":1,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":4,"other":"c"},{"name":2},{"name":3}]})"},
      {"replace non merging list nested in merging list",
       R"({"mergingList":[{"name":1,"other":"a","nonMergingList":[{"name":1},{"name":2,"value":2}]},{"name":2,"other":"b"}]})",
       R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"nonMergingList":[{"name":1,"value":1}]}]})",
       R"({"mergingList":[{"name":1,"other":"a","nonMergingList":[{"name":1,"value":1}]},{"name":2,"other":"b"}]})"},
      {"retainKeys map adds an item and deletes an item in nested merging int list",
       R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,2,3,4]}})",
       R"({"retainKeysMap":{"$retainKeys":["mergingIntList","name"],"mergingIntList":[5],"$deleteFromPrimitiveList/mergingIntList":[2],"$setElementOrder/mergingIntList":[1,3,5]}})",
       R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,3,5,4]}})"},
      {"retainKeys map deletes nested merging int list", R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,2,3]}})",
       R"({"retainKeysMap":{"$retainKeys":["name"],"mergingIntList":null}})", R"({"retainKeysMap":{"name":"foo"}})"},
      {"retainKeys map nested merging list with no change",
       R"({"retainKeysMap":{"name":"foo","mergingList":[{"name":"a"},{"name":"b"},{"name":"c"}]}})",
       R"({"retainKeysMap":{"$retainKeys":["mergingList","name","value"],"$setElementOrder/mergingList":[{"name":"a"},{"name":"b"}],"value":"bar"}})",
       R"({"retainKeysMap":{"name":"foo","value":"bar","mergingList":[{"name":"a"},{"name":"b"},{"name":"c"}]}})"},
      {"retainKeys map adds an item in nested merging list",
       R"({"retainKeysMap":{"name":"foo","mergingList":[{"name":"a"},{"name":"b"},{"name":"x"}]}})",
       R"({"retainKeysMap":{"$retainKeys":["mergingList","name"],"$setElementOrder/mergingList":[{"name":"a"},{"name":"b"},{"name":"c"}],"mergingList":[{"name":"c"}]}})",
       R"({"retainKeysMap":{"name":"foo","mergingList":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"x"}]}})"},
      {"retainKeys map deletes an item in nested merging list",
       R"({"retainKeysMap":{"name":"foo","mergingList":[{"name":"a"},{"name":"b"},{"name":"x"}]}})",
       R"({"retainKeysMap":{"$retainKeys":["mergingList","name"],"$setElementOrder/mergingList":[{"name":"a"}],"mergingList":[{"name":"b","$patch":"delete"}]}})",
       R"({"retainKeysMap":{"name":"foo","mergingList":[{"name":"a"},{"name":"x"}]}})"},
      {"retainKeys list of maps clears a field",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a","other":"x"}]})",
       R"({"$setElementOrder/retainKeysMergingList":[{"name":"bar"},{"name":"foo"}],"retainKeysMergingList":[{"$retainKeys":["name","value"],"name":"foo"}]})",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]})"},
      {"retainKeys list of maps deletes a field and clear a field",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a","other":"x"}]})",
       R"({"$setElementOrder/retainKeysMergingList":[{"name":"bar"},{"name":"foo"}],"retainKeysMergingList":[{"$retainKeys":["name"],"name":"foo","value":null}]})",
       R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo"}]})"},
  });
}

// Error classes (interpretStrategicMergePatchError) and Go's runtime behaviour.
TEST(StrategicMergePatchTest, Errors) {
  struct Case {
    const char* original;
    const char* patch;
    StatusCode code;
    const char* message;
  };
  const Case cases[] = {
      // mergepatch's sentinels: 400 or 422.
      {R"({"retainKeysMap":{"name":"a"}})", R"({"retainKeysMap":{"$retainKeys":"name"}})", StatusCode::kInvalidArgument,
       "invalid patch format of retainKeys"},
      {R"({"retainKeysMap":{"name":"a"}})", R"({"retainKeysMap":{"$retainKeys":["name"],"value":"x"}})",
       StatusCode::kInvalidArgument, "invalid patch format of retainKeys"},
      {R"({"mergingIntList":[1]})", R"({"$deleteFromPrimitiveListX/mergingIntList":[1]})", StatusCode::kInvalidArgument,
       "invalid patch format of primitive list"},
      {R"({"mergingIntList":[1]})", R"({"$setElementOrder":[1]})", StatusCode::kInvalidArgument,
       "invalid patch format of setElementOrder list"},
      {R"({"mergingIntList":[]})", R"({"mergingIntList":[[1]]})", StatusCode::kFailedPrecondition,
       "lists of lists are not supported"},
      // Everything else reaches the client as a 500 with Go's message.
      {R"({"unknown":{"a":1}})", R"({"unknown":{"b":2}})", StatusCode::kInternal,
       "unable to find api field in struct MergeItem for the json field \"unknown\""},
      {R"({"replacingItem":{"a":1}})", R"({"replacingItem":{"b":{"c":1}}})", StatusCode::kOk, nullptr},
      {R"({"simpleMap":{"a":{"x":{"p":1}}}})", R"({"simpleMap":{"a":{"x":{"q":1}}}})", StatusCode::kInternal,
       "merging an object in json but data type is not map or struct, instead is: string"},
      {R"({"name":[1]})", R"({"name":[2]})", StatusCode::kInternal, "expected slice or array type, but got: struct"},
      {R"({"mergingIntList":[1]})", R"({"$setElementOrder/mergingIntList":"x"})", StatusCode::kInternal,
       "expected a []interface {}, but received a string"},
      {R"({"mergingIntList":[1,2]})", R"({"mergingIntList":["a"]})", StatusCode::kInternal,
       "list element types are not identical: [[1 2] [a]]"},
      {R"({"mergingIntList":[1]})", R"({"mergingIntList":[null]})", StatusCode::kInternal,
       "list element types are not identical: [[1] [<nil>]]"},
      {R"({"mergingIntList":[]})", R"({"mergingIntList":[null]})", StatusCode::kInternal,
       "runtime error: invalid memory address or nil pointer dereference"},
      {R"({"mergingList":[{"name":1}]})", R"({"mergingList":[{"name":2,"$patch":"merge"}]})", StatusCode::kInternal,
       "merging lists cannot yet be specified in the patch"},
      {R"({"mergingList":[{"name":1}]})", R"({"mergingList":[{"$patch":"delete"}]})", StatusCode::kInternal,
       "map: map[$patch:delete] does not contain declared merge key: name"},
      {R"({"mergingList":[{"name":1}]})", R"({"mergingList":[{"name":1,"$patch":5}]})", StatusCode::kInternal,
       "unknown patch type: %!s(int64=5) in map: map[$patch:5 name:1]"},
      {R"({"simpleMap":{}})", R"({"simpleMap":{"$patch":"merge"}})", StatusCode::kInternal,
       "unknown patch type: merge in map: map[$patch:merge]"},
      {R"({"mergingList":[{"name":{"a":1}}]})", R"({"mergingList":[{"name":{"a":1}}]})", StatusCode::kInternal,
       "runtime error: comparing uncomparable type map[string]interface {}"},
      {R"({"retainKeysMap":{}})", R"({"retainKeysMap":{"$retainKeys":[["name"]]}})", StatusCode::kInternal,
       "runtime error: hash of unhashable type []interface {}"},
      {R"({"mergingList":[]})", R"({"$setElementOrder/mergingList":[]})", StatusCode::kInternal,
       "no elements in any of the given slices"},
      // The patch must be an object.
      {"{}", "[]", StatusCode::kInvalidArgument, "json: cannot unmarshal array into Go value of type map[string]interface {}"},
      {"{}", R"("x")", StatusCode::kInvalidArgument,
       "json: cannot unmarshal string into Go value of type map[string]interface {}"},
      {"[]", "{}", StatusCode::kInvalidArgument, "invalid JSON document"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.original) + " + " + c.patch);
    auto r = ApplyStrategicMergePatch(J(c.original), J(c.patch), MergeItem());
    if (c.code == StatusCode::kOk) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      continue;
    }
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(StrategicMergePatchTest, GoValueSemantics) {
  // A merge key of another Go type (float64 1 vs int64 1) matches nothing: the element is new.
  auto r = ApplyStrategicMergePatch(J(R"({"mergingList":[{"name":1}]})"), J(R"({"mergingList":[{"name":1.0,"value":"x"}]})"),
                                    MergeItem());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->Find("mergingList")->as_array().size(), 2u);
  EXPECT_TRUE(r->Find("mergingList")->as_array()[0].Find("name")->is_float());
  // A patch that is null merges nothing.
  EXPECT_EQ(C(*ApplyStrategicMergePatch(J(R"({"a":1})"), Value(), MergeItem())), R"({"a":1})");
  // A top-level $patch: delete empties the object.
  EXPECT_EQ(C(*ApplyStrategicMergePatch(J(R"({"a":1})"), J(R"({"$patch":"delete"})"), MergeItem())), "{}");
  // A merge key appearing in the patch once found keeps matching appended elements.
  r = ApplyStrategicMergePatch(J(R"({"mergingList":[]})"),
                               J(R"({"mergingList":[{"name":"a","value":"1"},{"name":"a","other":"2"}]})"), MergeItem());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(C(*r), R"({"mergingList":[{"name":"a","other":"2","value":"1"}]})");
}

TEST(StrategicMergePatchTest, DirectivesNeverReachTheResult) {
  auto r = ApplyStrategicMergePatch(
      J(R"({"nonMergingList":[{"name":"a"}],"mergingList":[{"name":"a"}]})"),
      J(R"({"nonMergingList":[{"name":"b","$patch":"delete","$retainKeys":["x"]}],
             "mergingList":[{"name":"n","mergingList":[{"name":"x","$patch":"delete"}],"simpleMap":{"$patch":"replace","k":"v"},"retainKeysMap":{"$retainKeys":["name"],"name":"q"},"$setElementOrder/mergingList":[{"name":"x"}],"$deleteFromPrimitiveList/mergingIntList":[1]}],
             "retainKeysMap":{"$retainKeys":["name"],"name":"r","$setElementOrder/mergingList":[]},
             "simpleMap":{"$patch":"replace","z":{"$patch":"delete"}}})"),
      MergeItem());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string out = C(*r);
  EXPECT_EQ(out.find('$'), std::string::npos) << out;
  EXPECT_EQ(C(*At(*r, "nonMergingList")), R"([{"name":"b"}])");
}

TEST(StrategicMergePatchTest, NullSchemaMergesMapsAndReplacesLists) {
  SchemaNode none;
  auto r = ApplyStrategicMergePatch(J(R"({"a":[1,2],"m":{"x":1,"l":[{"name":"a"}]}})"),
                                    J(R"({"a":[3],"m":{"y":2,"l":[{"name":"b"}]}})"), none);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(C(*r), R"({"a":[3],"m":{"l":[{"name":"b"}],"x":1,"y":2}})");
  r = ApplyStrategicMergePatch(J(R"({"m":{"x":1}})"), J(R"({"m":{"$patch":"replace","z":1},"n":{"o":{"p":1}}})"), none);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(C(*r), R"({"m":{"z":1},"n":{"o":{"p":1}}})");
}

// --- Nesting --------------------------------------------------------------------------------------

std::string Nested(int depth, std::string_view leaf) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += R"({"a":)";
  s += leaf;
  for (int i = 0; i < depth; ++i) s += "}";
  return s;
}

TEST(PatchNestingTest, DeepPatchesAreBoundedNotRecursedIntoTheStack) {
  // kMaxPatchDepth levels are fine, with documents as deep; one more is rejected.
  std::string doc = Nested(kMaxPatchDepth - 1, R"({"v":1,"w":1})");
  std::string patch = Nested(kMaxPatchDepth - 1, R"({"v":2,"w":null})");
  std::string want = Nested(kMaxPatchDepth - 1, R"({"v":2})");
  auto smp = ApplyStrategicMergePatch(J(doc), J(patch), SchemaNode());
  ASSERT_TRUE(smp.ok()) << smp.status().ToString();
  EXPECT_EQ(C(*smp), want);
  auto mp = ApplyMergePatch(J(doc), patch);
  ASSERT_TRUE(mp.ok()) << mp.status().ToString();
  EXPECT_EQ(C(*mp), want);
  // The operations array and object are two of the levels.
  std::string value = Nested(kMaxPatchDepth - 3, R"({"v":1,"w":1})");
  auto jp = ApplyJsonPatch(J(value), R"([{"op":"test","path":"","value":)" + value + "}]");
  EXPECT_TRUE(jp.ok()) << jp.status().ToString();

  std::string too_deep = Nested(kMaxPatchDepth, "{}");
  EXPECT_EQ(ApplyStrategicMergePatch(J(doc), J(too_deep), SchemaNode()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyMergePatch(J(doc), too_deep).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyJsonPatch(J("{}"), R"([{"op":"add","path":"/x","value":)" + too_deep + "}]").status().code(),
            StatusCode::kInvalidArgument);

  // A deep document under a shallow patch is no problem.
  std::string deep_doc = Nested(9000, "{}");
  auto shallow = ApplyStrategicMergePatch(J(deep_doc), J(R"({"b":1})"), SchemaNode());
  ASSERT_TRUE(shallow.ok());
  EXPECT_TRUE(shallow->Find("b")->is_int());
}

// --- kubectl as the oracle -----------------------------------------------------------------------

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const std::filesystem::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary);
  out << data;
}

TEST(PatchKubectlOracleTest, DeploymentCasesMatchKubectl) {
  std::string kubectl = kstream::testing::FindKubectl133();
  if (kubectl.empty()) {
    if (kstream::testing::OracleRequired()) FAIL() << "kubectl.1.33 not found (KSTREAM_REQUIRE_ORACLE is set)";
    GTEST_SKIP() << "kubectl.1.33 not found next to the kubectl dispatcher";
  }
  kstream::testing::TempDir dir("kstream-patch-oracle");
  auto in = dir.path() / "in.json", patch = dir.path() / "patch.json", out = dir.path() / "out.json",
       err = dir.path() / "err.txt";
  WriteAll(in, kDeployment);
  Value doc = J(kDeployment);
  for (const DeploymentCase& c : DeploymentCases()) {
    if (!c.oracle) continue;
    SCOPED_TRACE(c.name);
    WriteAll(patch, c.patch);
    const char* type = c.type == Type::kJson ? "json" : c.type == Type::kMerge ? "merge" : "strategic";
    std::string cmd = "'" + kubectl + "' patch --local -f '" + in.string() + "' --type " + type +
                      " --patch-file '" + patch.string() + "' -o json > '" + out.string() + "' 2> '" + err.string() +
                      "'";
    bool kubectl_ok = std::system(cmd.c_str()) == 0;
    auto ours = ApplyCase(doc, c.type, c.patch);
    ASSERT_EQ(ours.ok(), kubectl_ok) << ReadAll(err) << " / " << ours.status().ToString();
    if (kubectl_ok) {
      EXPECT_EQ(C(*ours), C(J(ReadAll(out))));
    } else {
      std::string msg = ReadAll(err);
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      EXPECT_EQ(msg, "error: " + std::string(ours.status().message()));
    }
  }
}

}  // namespace
}  // namespace kstream::api::patch
