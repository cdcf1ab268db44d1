// End-to-end: the write path with kubectl 1.33's default flags (client-side validation
// through the server's OpenAPI v3 and fieldValidation=Strict), on LMDB and on etcd:
// create -f, apply -f (client-side and --server-side, re-applied with changes), diff,
// patch of every type, label, annotate, scale, edit with a scripted EDITOR, explain and
// delete -f; then custom resources: a CRD with a schema, printer columns, selectable fields
// and the status and scale subresources, served within moments of its creation.
//
// Expected texts are kubectl's own output for these commands against kube-apiserver.
#include <filesystem>
#include <thread>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/kubectl_fixture.h"

namespace kstream::e2e {
namespace {

const char kShopYaml[] = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: fast
  level: "3"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox:1.36
)";

// The same set, changed: a data key removed and one added, 3 replicas, a new image, the
// sidecar removed.
const char kShopYamlChanged[] = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: slow
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
)";

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The managedFields entry of `manager` (nullptr if none).
const api::Value* ManagedEntry(const api::Value& obj, const std::string& manager, const std::string& operation) {
  const api::Value* mf = At(obj, {"metadata", "managedFields"});
  if (mf == nullptr || !mf->is_array()) return nullptr;
  for (const api::Value& e : mf->as_array()) {
    if (Str(e, {"manager"}) == manager && Str(e, {"operation"}) == operation) return &e;
  }
  return nullptr;
}

using KubectlWriteE2ETest = KubectlE2ETest;

TEST_P(KubectlWriteE2ETest, CreateValidatesOnTheServerWithDefaultFlags) {
  // No --validate=false: kubectl reads /openapi/v3, sees fieldValidation and sends Strict.
  std::string ok = File("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata:\n  a: b\n");
  EXPECT_EQ(KubectlOk({"create", "-f", ok}), "configmap/good created\n");

  std::string bad = File("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndatta:\n  a: b\n");
  ProcResult r = Kubectl({"create", "-f", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error from server (BadRequest): error when creating \"" + bad +
                       "\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: "
                       "unknown field \"datta\"\n");
  // --validate=warn: the object is created and kubectl prints the server's warning.
  r = Kubectl({"create", "--validate=warn", "-f", bad});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "configmap/bad created\n");
  EXPECT_TRUE(Contains(r.err, "Warning: unknown field \"datta\"")) << r.err;

  // explain reads the same documents.
  std::string explain = KubectlOk({"explain", "deployment.spec.replicas"});
  EXPECT_TRUE(Contains(explain, "KIND:       Deployment")) << explain;
  EXPECT_TRUE(Contains(explain, "FIELD: replicas <integer>")) << explain;
  explain = KubectlOk({"explain", "pods.spec.containers"});
  EXPECT_TRUE(Contains(explain, "FIELD: containers <[]Container>")) << explain;
  EXPECT_TRUE(Contains(explain, "  image\t<string>")) << explain;
}

TEST_P(KubectlWriteE2ETest, ApplyDiffPatchLabelScaleEditDelete) {
  std::string app = File("shop.yaml", kShopYaml);
  EXPECT_EQ(KubectlOk({"apply", "-f", app}),
            "namespace/shop created\nconfigmap/settings created\ndeployment.apps/web created\n");
  EXPECT_EQ(KubectlOk({"apply", "-f", app}),
            "namespace/shop unchanged\nconfigmap/settings unchanged\ndeployment.apps/web unchanged\n");

  // diff shows what a re-apply would change (a server-side dry run), and exits 1.
  std::string changed = File("shop-changed.yaml", kShopYamlChanged);
  ProcResult d = Kubectl({"diff", "-f", changed});
  EXPECT_EQ(d.exit_code, 1) << d.err;
  EXPECT_TRUE(Contains(d.out, "-  replicas: 2")) << d.out;
  EXPECT_TRUE(Contains(d.out, "+  replicas: 3")) << d.out;
  EXPECT_TRUE(Contains(d.out, "+      - image: nginx:1.27")) << d.out;
  EXPECT_TRUE(Contains(d.out, "-      - image: busybox:1.36")) << d.out;
  // The dry run changed nothing.
  api::Value dep = ParseJsonOrDie(KubectlOk({"get", "deploy", "web", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(At(dep, {"spec", "replicas"})->as_int(), 2);

  EXPECT_EQ(KubectlOk({"apply", "-f", changed}),
            "namespace/shop unchanged\nconfigmap/settings configured\ndeployment.apps/web configured\n");
  api::Value cm = ParseJsonOrDie(KubectlOk({"get", "cm", "settings", "-n", "shop", "-o", "json", "--show-managed-fields"}));
  EXPECT_EQ(Str(cm, {"data", "mode"}), "slow");
  EXPECT_EQ(Str(cm, {"data", "color"}), "blue");
  EXPECT_EQ(At(cm, {"data", "level"}), nullptr);  // removed from the file: removed (three-way merge)
  EXPECT_NE(ManagedEntry(cm, "kubectl-client-side-apply", "Update"), nullptr);
  dep = ParseJsonOrDie(KubectlOk({"get", "deploy", "web", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(At(dep, {"spec", "replicas"})->as_int(), 3);
  const api::Value* containers = At(dep, {"spec", "template", "spec", "containers"});
  ASSERT_TRUE(containers != nullptr && containers->is_array());
  ASSERT_EQ(containers->as_array().size(), 1u) << KubectlOk({"get", "deploy", "web", "-n", "shop", "-o", "yaml"});
  EXPECT_EQ(Str(containers->as_array()[0], {"image"}), "nginx:1.27");
  EXPECT_EQ(At(dep, {"metadata", "generation"})->as_int(), 2);

  // Every patch type.
  EXPECT_EQ(KubectlOk({"patch", "cm", "settings", "-n", "shop", "--type=merge", "-p", R"({"data":{"x":"1"}})"}),
            "configmap/settings patched\n");
  EXPECT_EQ(KubectlOk({"patch", "cm", "settings", "-n", "shop", "--type=json", "-p",
                       R"([{"op":"add","path":"/data/y","value":"2"},{"op":"remove","path":"/data/color"}])"}),
            "configmap/settings patched\n");
  EXPECT_EQ(KubectlOk({"patch", "deploy", "web", "-n", "shop", "-p",
                       R"({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}})"}),
            "deployment.apps/web patched\n");
  cm = ParseJsonOrDie(KubectlOk({"get", "cm", "settings", "-n", "shop", "-o", "json", "--show-managed-fields"}));
  EXPECT_EQ(Str(cm, {"data", "x"}), "1");
  EXPECT_EQ(Str(cm, {"data", "y"}), "2");
  EXPECT_EQ(At(cm, {"data", "color"}), nullptr);
  EXPECT_NE(ManagedEntry(cm, "kubectl-patch", "Update"), nullptr);
  dep = ParseJsonOrDie(KubectlOk({"get", "deploy", "web", "-n", "shop", "-o", "json"}));
  containers = At(dep, {"spec", "template", "spec", "containers"});
  ASSERT_EQ(containers->as_array().size(), 1u);  // merged by name, not replaced
  EXPECT_EQ(Str(containers->as_array()[0], {"image"}), "nginx:1.28");
  EXPECT_EQ(At(containers->as_array()[0], {"ports"})->as_array().size(), 1u);
  // A patch that changes nothing answers with the object and writes nothing.
  std::string rv = Str(cm, {"metadata", "resourceVersion"});
  EXPECT_EQ(KubectlOk({"patch", "cm", "settings", "-n", "shop", "--type=merge", "-p", R"({"data":{"x":"1"}})"}),
            "configmap/settings patched (no change)\n");
  cm = ParseJsonOrDie(KubectlOk({"get", "cm", "settings", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(Str(cm, {"metadata", "resourceVersion"}), rv);
  ProcResult bad = Kubectl({"patch", "cm", "settings", "-n", "shop", "--type=json", "-p",
                            R"([{"op":"remove","path":"/data/nope"}])"});
  EXPECT_EQ(bad.exit_code, 1);
  // kube's 422 without details, as kubectl words it.
  EXPECT_EQ(bad.err, "The request is invalid: the server rejected our request due to an error in our request\n");

  // label, annotate.
  EXPECT_EQ(KubectlOk({"label", "cm", "settings", "-n", "shop", "tier=backend"}), "configmap/settings labeled\n");
  EXPECT_EQ(KubectlOk({"annotate", "cm", "settings", "-n", "shop", "owner=team-a"}),
            "configmap/settings annotated\n");
  EXPECT_EQ(Lines(KubectlOk({"get", "cm", "-n", "shop", "-l", "tier=backend", "-o", "name"})),
            (std::vector<std::string>{"configmap/settings"}));

  // scale through the scale subresource.
  EXPECT_EQ(KubectlOk({"scale", "deploy", "web", "-n", "shop", "--replicas=5"}), "deployment.apps/web scaled\n");
  api::Value scale =
      ParseJsonOrDie(KubectlOk({"get", "--raw", "/apis/apps/v1/namespaces/shop/deployments/web/scale"}));
  EXPECT_EQ(Str(scale, {"kind"}), "Scale");
  EXPECT_EQ(Str(scale, {"apiVersion"}), "autoscaling/v1");
  EXPECT_EQ(At(scale, {"spec", "replicas"})->as_int(), 5);
  EXPECT_EQ(Str(scale, {"status", "selector"}), "app=web");
  dep = ParseJsonOrDie(KubectlOk({"get", "deploy", "web", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(At(dep, {"spec", "replicas"})->as_int(), 5);

  // edit with a scripted editor.
  std::string editor = File("editor.sh", "#!/bin/sh\nsed -i 's/^  mode: slow$/  mode: edited/' \"$1\"\n");
  std::filesystem::permissions(editor, std::filesystem::perms::owner_all);
  std::vector<std::string> argv = KubectlArgv({"edit", "cm", "settings", "-n", "shop"});
  std::vector<std::string> env = ChildEnv(home_);
  env.push_back("EDITOR=" + editor);
  env.push_back("KUBE_EDITOR=" + editor);
  ProcResult e = RunCapture(argv, env);
  EXPECT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(e.out, "configmap/settings edited\n");
  cm = ParseJsonOrDie(KubectlOk({"get", "cm", "settings", "-n", "shop", "-o", "json", "--show-managed-fields"}));
  EXPECT_EQ(Str(cm, {"data", "mode"}), "edited");
  EXPECT_NE(ManagedEntry(cm, "kubectl-edit", "Update"), nullptr);

  // Server-side apply takes the fields over; another manager conflicts unless forced.
  std::string ssa = File("ssa.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 4
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.29
)");
  EXPECT_EQ(KubectlOk({"apply", "--server-side", "--force-conflicts", "-f", ssa}),
            "deployment.apps/web serverside-applied\n");
  dep = ParseJsonOrDie(KubectlOk({"get", "deploy", "web", "-n", "shop", "-o", "json", "--show-managed-fields"}));
  EXPECT_EQ(At(dep, {"spec", "replicas"})->as_int(), 4);
  EXPECT_NE(ManagedEntry(dep, "kubectl", "Apply"), nullptr);
  std::string other = File("other.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 6
)");
  ProcResult c = Kubectl({"apply", "--server-side", "--field-manager=other", "-f", other});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_TRUE(Contains(c.err, "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas")) << c.err;
  EXPECT_EQ(KubectlOk({"apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", other}),
            "deployment.apps/web serverside-applied\n");
  dep = ParseJsonOrDie(KubectlOk({"get", "deploy", "web", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(At(dep, {"spec", "replicas"})->as_int(), 6);

  // delete -f (the namespace last: deleting it removes its contents in the background).
  std::string objects = File("objects.yaml", std::string(kShopYamlChanged).substr(std::string(kShopYamlChanged).find("---\n") + 4));
  EXPECT_EQ(KubectlOk({"delete", "-f", objects}), "configmap \"settings\" deleted\ndeployment.apps \"web\" deleted\n");
  EXPECT_EQ(KubectlOk({"delete", "namespace", "shop"}), "namespace \"shop\" deleted\n");
}

const char kCrdYaml[] = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec:
                type: string
                pattern: '^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$'
              image:
                type: string
              color:
                type: string
                enum: [red, blue, green]
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
          status:
            type: object
            properties:
              replicas:
                type: integer
              labelSelector:
                type: string
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.labelSelector
    additionalPrinterColumns:
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    selectableFields:
    - jsonPath: .spec.color
)";

const char kCronTabsYaml[] = R"(apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: nightly
  namespace: shop
spec:
  cronSpec: "0 3 * * *"
  image: backup:1
  color: blue
  replicas: 2
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: hourly
  namespace: shop
spec:
  cronSpec: "0 * * * *"
  image: report:1
  color: red
)";

TEST_P(KubectlWriteE2ETest, CustomResourcesFromACrd) {
  // One file: the namespace, the CRD, its objects, a configmap and a deployment. kubectl
  // maps every object before applying any, so (as with kube-apiserver) the custom
  // resources of a CRD created by the same apply are only known to the second run.
  std::string all = File("all.yaml", std::string(kShopYaml) + "---\n" + kCrdYaml + "---\n" + kCronTabsYaml);
  ProcResult first = Kubectl({"apply", "-f", all});
  EXPECT_TRUE(Contains(first.out, "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created"))
      << first.out << first.err;
  EXPECT_TRUE(Contains(first.out, "deployment.apps/web created")) << first.out;
  if (first.exit_code != 0) {
    EXPECT_TRUE(Contains(first.err, "ensure CRDs are installed first")) << first.err;
  }
  EXPECT_EQ(KubectlOk({"wait", "--for=condition=Established", "--timeout=10s",
                       "crd/crontabs.stable.example.com"}),
            "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com condition met\n");
  std::string second = KubectlOk({"apply", "-f", all});
  EXPECT_TRUE(Contains(second, "crontab.stable.example.com/nightly ")) << second;
  EXPECT_TRUE(Contains(second, "crontab.stable.example.com/hourly ")) << second;

  // The CRD's status, as kube's controllers write it.
  api::Value crd = ParseJsonOrDie(KubectlOk({"get", "crd", "crontabs.stable.example.com", "-o", "json"}));
  const api::Value* conds = At(crd, {"status", "conditions"});
  ASSERT_TRUE(conds != nullptr && conds->is_array());
  bool established = false, names = false;
  for (const api::Value& c : conds->as_array()) {
    established = established || (Str(c, {"type"}) == "Established" && Str(c, {"status"}) == "True");
    names = names || (Str(c, {"type"}) == "NamesAccepted" && Str(c, {"status"}) == "True");
  }
  EXPECT_TRUE(established && names) << KubectlOk({"get", "crd", "crontabs.stable.example.com", "-o", "yaml"});
  EXPECT_EQ(Str(crd, {"status", "acceptedNames", "kind"}), "CronTab");

  // get with the CRD's printer columns; the short name; defaulting.
  std::vector<std::string> lines = Lines(KubectlOk({"get", "crontabs", "-n", "shop"}));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"NAME", "SPEC", "REPLICAS", "AGE"}));
  std::vector<std::string> row = Fields(lines[1]);  // hourly: sorted by name
  ASSERT_EQ(row.size(), 8u) << lines[1];
  EXPECT_EQ(row[0], "hourly");
  EXPECT_EQ(row[6], "1");  // defaulted
  api::Value ct = ParseJsonOrDie(KubectlOk({"get", "ct", "nightly", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(Str(ct, {"kind"}), "CronTab");
  EXPECT_EQ(Str(ct, {"apiVersion"}), "stable.example.com/v1");
  EXPECT_EQ(At(ct, {"spec", "replicas"})->as_int(), 2);
  EXPECT_EQ(At(ct, {"metadata", "generation"})->as_int(), 1);

  // Field selectors on selectableFields.
  EXPECT_EQ(Lines(KubectlOk({"get", "ct", "-n", "shop", "--field-selector", "spec.color=blue", "-o", "name"})),
            (std::vector<std::string>{"crontab.stable.example.com/nightly"}));
  ProcResult fs = Kubectl({"get", "ct", "-n", "shop", "--field-selector", "spec.image=x"});
  EXPECT_EQ(fs.exit_code, 1);
  EXPECT_TRUE(Contains(fs.err, "field label not supported: spec.image")) << fs.err;

  // Schema validation and unknown fields.
  std::string bad = File("bad-ct.yaml", R"(apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: bad
  namespace: shop
spec:
  cronSpec: "0 * * * *"
  replicas: 0
)");
  ProcResult r = Kubectl({"apply", "-f", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or "
                              "equal to 1"))
      << r.err;
  std::string unknown = File("unknown-ct.yaml", R"(apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: unknown
  namespace: shop
spec:
  cronSpec: "0 * * * *"
  bogus: 1
)");
  r = Kubectl({"create", "-f", unknown});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "strict decoding error: unknown field \"spec.bogus\"")) << r.err;

  // explain from the CRD's schema.
  std::string explain = KubectlOk({"explain", "crontab.spec"});
  EXPECT_TRUE(Contains(explain, "KIND:       CronTab")) << explain;
  EXPECT_TRUE(Contains(explain, "cronSpec\t<string> -required-")) << explain;

  // Patches: merge and json; strategic merge is not for custom resources (415).
  EXPECT_EQ(KubectlOk({"patch", "ct", "nightly", "-n", "shop", "--type=merge", "-p", R"({"spec":{"image":"backup:2"}})"}),
            "crontab.stable.example.com/nightly patched\n");
  EXPECT_EQ(KubectlOk({"patch", "ct", "nightly", "-n", "shop", "--type=json", "-p",
                       R"([{"op":"replace","path":"/spec/color","value":"green"}])"}),
            "crontab.stable.example.com/nightly patched\n");
  r = Kubectl({"patch", "ct", "nightly", "-n", "shop", "--type=strategic", "-p", R"({"spec":{"image":"x"}})"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: application/strategic-merge-patch+json is not supported by stable.example.com/v1, Kind=CronTab: "
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml\n");
  ct = ParseJsonOrDie(KubectlOk({"get", "ct", "nightly", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(Str(ct, {"spec", "image"}), "backup:2");
  EXPECT_EQ(Str(ct, {"spec", "color"}), "green");
  EXPECT_EQ(At(ct, {"metadata", "generation"})->as_int(), 3);

  // The status subresource: the main resource ignores status, /status writes only it.
  EXPECT_EQ(KubectlOk({"patch", "ct", "nightly", "-n", "shop", "--subresource=status", "--type=merge", "-p",
                       R"({"status":{"replicas":2,"labelSelector":"app=nightly"}})"}),
            "crontab.stable.example.com/nightly patched\n");
  ct = ParseJsonOrDie(KubectlOk({"get", "ct", "nightly", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(At(ct, {"status", "replicas"})->as_int(), 2);
  EXPECT_EQ(At(ct, {"metadata", "generation"})->as_int(), 3);  // status does not count

  // scale through the CRD's scale subresource.
  EXPECT_EQ(KubectlOk({"scale", "ct", "nightly", "-n", "shop", "--replicas=4"}),
            "crontab.stable.example.com/nightly scaled\n");
  api::Value scale =
      ParseJsonOrDie(KubectlOk({"get", "--raw", "/apis/stable.example.com/v1/namespaces/shop/crontabs/nightly/scale"}));
  EXPECT_EQ(At(scale, {"spec", "replicas"})->as_int(), 4);
  EXPECT_EQ(At(scale, {"status", "replicas"})->as_int(), 2);
  EXPECT_EQ(Str(scale, {"status", "selector"}), "app=nightly");

  // Server-side apply of a custom resource.
  std::string ssa = File("ssa-ct.yaml", R"(apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: weekly
  namespace: shop
spec:
  cronSpec: "0 0 * * 0"
  image: weekly:1
)");
  EXPECT_EQ(KubectlOk({"apply", "--server-side", "-f", ssa}), "crontab.stable.example.com/weekly serverside-applied\n");
  ct = ParseJsonOrDie(KubectlOk({"get", "ct", "weekly", "-n", "shop", "-o", "json", "--show-managed-fields"}));
  EXPECT_NE(ManagedEntry(ct, "kubectl", "Apply"), nullptr);
  EXPECT_EQ(At(ct, {"spec", "replicas"})->as_int(), 1);

  // Protobuf is not served for custom resources (406), JSON lists are.
  api::Value list = ParseJsonOrDie(KubectlOk({"get", "--raw", "/apis/stable.example.com/v1/namespaces/shop/crontabs"}));
  EXPECT_EQ(Str(list, {"kind"}), "CronTabList");
  EXPECT_EQ(At(list, {"items"})->as_array().size(), 3u);

  // Deleting the CRD removes the resource type and its objects.
  EXPECT_EQ(KubectlOk({"delete", "crd", "crontabs.stable.example.com"}),
            "customresourcedefinition.apiextensions.k8s.io \"crontabs.stable.example.com\" deleted\n");
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    ProcResult g = Kubectl({"get", "--raw", "/apis/stable.example.com/v1/namespaces/shop/crontabs"});
    gone = g.exit_code != 0;
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(gone);
  EXPECT_EQ(KubectlOk({"apply", "-f", File("crd-again.yaml", kCrdYaml)}),
            "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n");
  EXPECT_EQ(KubectlOk({"wait", "--for=condition=Established", "--timeout=10s", "crd/crontabs.stable.example.com"}),
            "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com condition met\n");
  list = ParseJsonOrDie(KubectlOk({"get", "--raw", "/apis/stable.example.com/v1/namespaces/shop/crontabs"}));
  EXPECT_EQ(At(list, {"items"})->as_array().size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Storage, KubectlWriteE2ETest, ::testing::Values(Storage::kLmdb, Storage::kEtcd),
                         StorageName);

}  // namespace
}  // namespace kstream::e2e
