// End-to-end: kubectl 1.33 against a real kstream-apiserver process, on the embedded LMDB
// store and on a real etcd (every case runs on both: the test is parameterised by storage).
//
// Each case starts a fresh server (about 100 ms); the etcd cases share one etcd per test
// suite, started on first use, and wipe the /registry/ keys before each server start. kubectl
// runs with the server's generated kubeconfig and a private HOME and --cache-dir per case, so
// no discovery cache leaks between cases. Objects are declared in YAML files (kubectl create
// -f with --validate=false: the server does not serve OpenAPI yet). Expected texts are
// kubectl's own (its tabwriter columns, its "Error from server (...)" prefixes).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "api/json.h"
#include "api/value.h"
#include "e2e/kubectl_fixture.h"
#include "e2e/server_process.h"
#include "e2e/storage_param.h"
#include "testing/etcd_process.h"
#include "testing/kubectl.h"
#include "testing/temp_dir.h"

extern char** environ;

namespace kstream::e2e {
namespace {

std::string ConfigMapYaml(const std::string& ns, const std::string& name, const std::string& labels = "",
                          const std::string& data = "  k: v\n") {
  std::string y = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n";
  if (!labels.empty()) y += "  labels:\n" + labels;
  return y + "data:\n" + data;
}

std::string NamespaceYaml(const std::string& ns) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n";
}

// The multi-kind document set of the create -f / delete -f case.
const char kAppYaml[] = R"(apiVersion: v1
kind: Namespace
metadata:
  name: demo
  labels:
    team: blue
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: demo
  labels:
    app: web
data:
  greeting: hello
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
  namespace: demo
data:
  password: aHVudGVyMg==
stringData:
  user: admin
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-sa
  namespace: demo
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: demo
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
    protocol: TCP
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
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
      serviceAccountName: app-sa
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 8080
)";

// ---------------------------------------------------------------------------------------
// Cases

TEST_P(KubectlE2ETest, VersionAndRawEndpoints) {
  std::string out = KubectlOk({"version"});
  EXPECT_NE(out.find("Client Version: v1.33."), std::string::npos) << out;
  EXPECT_NE(out.find("Server Version: v1.33."), std::string::npos) << out;

  api::Value v = ParseJsonOrDie(KubectlOk({"version", "-o", "json"}));
  EXPECT_EQ(Str(v, {"serverVersion", "major"}), "1");
  EXPECT_EQ(Str(v, {"serverVersion", "minor"}), "33");
  EXPECT_TRUE(Str(v, {"serverVersion", "gitVersion"}).starts_with("v1.33.")) << Str(v, {"serverVersion", "gitVersion"});

  api::Value raw_version = ParseJsonOrDie(KubectlOk({"get", "--raw", "/version"}));
  EXPECT_EQ(Str(raw_version, {"major"}), "1");
  EXPECT_EQ(Str(raw_version, {"minor"}), "33");

  EXPECT_EQ(KubectlOk({"get", "--raw", "/healthz"}), "ok");
  EXPECT_EQ(KubectlOk({"get", "--raw", "/livez"}), "ok");
  EXPECT_EQ(KubectlOk({"get", "--raw", "/readyz"}), "ok");

  CreateFromYaml("cm.yaml", ConfigMapYaml("default", "raw-cm", "", "  a: \"1\"\n"));
  std::string list = KubectlOk({"get", "--raw", "/api/v1/namespaces/default/configmaps"});
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list.back(), '\n');  // compact JSON + newline
  api::Value l = ParseJsonOrDie(list);
  EXPECT_EQ(Str(l, {"kind"}), "ConfigMapList");
  EXPECT_EQ(Str(l, {"apiVersion"}), "v1");
  EXPECT_FALSE(Str(l, {"metadata", "resourceVersion"}).empty());
  const api::Value* items = At(l, {"items"});
  ASSERT_TRUE(items != nullptr && items->is_array());
  ASSERT_EQ(items->as_array().size(), 1u);
  const api::Value& item = items->as_array()[0];
  EXPECT_EQ(Str(item, {"metadata", "name"}), "raw-cm");
  EXPECT_EQ(Str(item, {"metadata", "namespace"}), "default");
  EXPECT_EQ(Str(item, {"data", "a"}), "1");
  // Items of a built-in list carry no kind/apiVersion (kubernetes/kubernetes#3030).
  EXPECT_EQ(item.Find("kind"), nullptr);
  EXPECT_EQ(item.Find("apiVersion"), nullptr);

  api::Value one = ParseJsonOrDie(KubectlOk({"get", "--raw", "/api/v1/namespaces/default/configmaps/raw-cm"}));
  EXPECT_EQ(Str(one, {"kind"}), "ConfigMap");
  EXPECT_EQ(Str(one, {"apiVersion"}), "v1");

  ProcResult missing = Kubectl({"get", "--raw", "/api/v1/namespaces/default/configmaps/nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "Error from server (NotFound): configmaps \"nope\" not found\n");
}

TEST_P(KubectlE2ETest, ImperativeCreateAndGetFormats) {
  EXPECT_EQ(KubectlOk({"create", "namespace", "team-a"}), "namespace/team-a created\n");
  EXPECT_EQ(KubectlOk({"create", "configmap", "settings", "-n", "team-a", "--from-literal=mode=fast",
                       "--from-literal=level=3"}),
            "configmap/settings created\n");
  EXPECT_EQ(KubectlOk({"create", "secret", "generic", "creds", "-n", "team-a", "--from-literal=user=admin",
                       "--from-literal=pass=s3cr3t"}),
            "secret/creds created\n");

  // Table.
  std::vector<std::string> lines = Lines(KubectlOk({"get", "configmaps", "-n", "team-a"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"NAME", "DATA", "AGE"}));
  std::vector<std::string> row = Fields(lines[1]);
  ASSERT_EQ(row.size(), 3u) << lines[1];
  EXPECT_EQ(row[0], "settings");
  EXPECT_EQ(row[1], "2");
  EXPECT_TRUE(IsAge(row[2])) << row[2];
  // Columns are aligned: the header's DATA starts where the row's data count does.
  EXPECT_EQ(lines[0].find("DATA"), lines[1].find("2 "));

  lines = Lines(KubectlOk({"get", "secrets", "-n", "team-a"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"NAME", "TYPE", "DATA", "AGE"}));
  row = Fields(lines[1]);
  ASSERT_EQ(row.size(), 4u) << lines[1];
  EXPECT_EQ(row[0], "creds");
  EXPECT_EQ(row[1], "Opaque");
  EXPECT_EQ(row[2], "2");

  // -o wide: configmaps have no extra columns.
  lines = Lines(KubectlOk({"get", "cm", "settings", "-n", "team-a", "-o", "wide"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"NAME", "DATA", "AGE"}));

  // -o json of one object.
  api::Value cm = ParseJsonOrDie(KubectlOk({"get", "cm", "settings", "-n", "team-a", "-o", "json"}));
  EXPECT_EQ(Str(cm, {"kind"}), "ConfigMap");
  EXPECT_EQ(Str(cm, {"apiVersion"}), "v1");
  EXPECT_EQ(Str(cm, {"metadata", "name"}), "settings");
  EXPECT_EQ(Str(cm, {"metadata", "namespace"}), "team-a");
  EXPECT_EQ(Str(cm, {"data", "mode"}), "fast");
  EXPECT_EQ(Str(cm, {"data", "level"}), "3");
  EXPECT_TRUE(std::regex_match(Str(cm, {"metadata", "uid"}),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")))
      << Str(cm, {"metadata", "uid"});
  EXPECT_TRUE(std::regex_match(Str(cm, {"metadata", "resourceVersion"}), std::regex("[1-9][0-9]*")));
  EXPECT_TRUE(std::regex_match(Str(cm, {"metadata", "creationTimestamp"}),
                               std::regex("20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")));

  api::Value secret = ParseJsonOrDie(KubectlOk({"get", "secret", "creds", "-n", "team-a", "-o", "json"}));
  EXPECT_EQ(Str(secret, {"type"}), "Opaque");
  EXPECT_EQ(Str(secret, {"data", "user"}), "YWRtaW4=");
  EXPECT_EQ(Str(secret, {"data", "pass"}), "czNjcjN0");

  // -o json of a list: kubectl's List with kind/apiVersion on each item.
  api::Value list = ParseJsonOrDie(KubectlOk({"get", "cm", "-n", "team-a", "-o", "json"}));
  EXPECT_EQ(Str(list, {"kind"}), "List");
  const api::Value* items = At(list, {"items"});
  ASSERT_TRUE(items != nullptr && items->is_array());
  ASSERT_EQ(items->as_array().size(), 1u);
  EXPECT_EQ(Str(items->as_array()[0], {"metadata", "name"}), "settings");

  // -o yaml.
  std::string yaml = KubectlOk({"get", "cm", "settings", "-n", "team-a", "-o", "yaml"});
  EXPECT_TRUE(yaml.starts_with("apiVersion: v1\ndata:\n  level: \"3\"\n  mode: fast\nkind: ConfigMap\nmetadata:\n"))
      << yaml;
  EXPECT_NE(yaml.find("\n  name: settings\n  namespace: team-a\n"), std::string::npos) << yaml;

  // Namespaces: the built-in ones and ours, Active.
  lines = Lines(KubectlOk({"get", "ns"}));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"NAME", "STATUS", "AGE"}));
  std::vector<std::string> names;
  for (size_t i = 1; i < lines.size(); ++i) {
    row = Fields(lines[i]);
    ASSERT_EQ(row.size(), 3u) << lines[i];
    EXPECT_EQ(row[1], "Active") << lines[i];
    names.push_back(row[0]);
  }
  for (const char* want : {"default", "kube-public", "kube-system", "team-a"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  api::Value ns = ParseJsonOrDie(KubectlOk({"get", "ns", "team-a", "-o", "json"}));
  EXPECT_EQ(Str(ns, {"status", "phase"}), "Active");
  EXPECT_EQ(Str(ns, {"metadata", "labels", "kubernetes.io/metadata.name"}), "team-a");

  // An empty namespace.
  ProcResult empty = Kubectl({"get", "pods", "-n", "team-a"});
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(empty.out, "");
  EXPECT_EQ(empty.err, "No resources found in team-a namespace.\n");
}

TEST_P(KubectlE2ETest, CreateAndDeleteMultiDocumentYaml) {
  std::string path = File("app.yaml", kAppYaml);
  EXPECT_EQ(KubectlOk({"create", "--validate=false", "-f", path}),
            "namespace/demo created\n"
            "configmap/app-config created\n"
            "secret/app-secret created\n"
            "serviceaccount/app-sa created\n"
            "service/web created\n"
            "deployment.apps/web created\n");

  std::vector<std::string> lines = Lines(KubectlOk({"get", "deployments", "-n", "demo", "-o", "wide"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE",
                                                         "CONTAINERS", "IMAGES", "SELECTOR"}));
  std::vector<std::string> row = Fields(lines[1]);
  ASSERT_EQ(row.size(), 8u) << lines[1];
  EXPECT_EQ(row[0], "web");
  EXPECT_EQ(row[1], "0/2");
  EXPECT_EQ(row[2], "0");
  EXPECT_EQ(row[3], "0");
  EXPECT_EQ(row[5], "web");
  EXPECT_EQ(row[6], "nginx:1.25");
  EXPECT_EQ(row[7], "app=web");

  lines = Lines(KubectlOk({"get", "svc", "-n", "demo", "-o", "wide"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Fields(lines[0]),
            (std::vector<std::string>{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"}));
  row = Fields(lines[1]);
  ASSERT_EQ(row.size(), 7u) << lines[1];
  EXPECT_EQ(row[0], "web");
  EXPECT_EQ(row[1], "ClusterIP");
  EXPECT_EQ(row[4], "80/TCP");
  EXPECT_EQ(row[6], "app=web");

  lines = Lines(KubectlOk({"get", "serviceaccounts", "-n", "demo"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Fields(lines[0])[0], "NAME");
  EXPECT_EQ(Fields(lines[1])[0], "app-sa");

  // Several kinds in one get.
  std::string several = KubectlOk({"get", "cm,secret,sa,svc,deploy", "-n", "demo", "-o", "name"});
  EXPECT_EQ(several,
            "configmap/app-config\n"
            "secret/app-secret\n"
            "serviceaccount/app-sa\n"
            "service/web\n"
            "deployment.apps/web\n");

  api::Value dep = ParseJsonOrDie(KubectlOk({"get", "deployment", "web", "-n", "demo", "-o", "json"}));
  EXPECT_EQ(Str(dep, {"apiVersion"}), "apps/v1");
  EXPECT_EQ(Str(dep, {"kind"}), "Deployment");
  const api::Value* replicas = At(dep, {"spec", "replicas"});
  ASSERT_TRUE(replicas != nullptr && replicas->is_int());
  EXPECT_EQ(replicas->as_int(), 2);
  const api::Value* generation = At(dep, {"metadata", "generation"});
  ASSERT_TRUE(generation != nullptr && generation->is_int());
  EXPECT_EQ(generation->as_int(), 1);

  // The Secret as kube stores it: stringData merged into data, type defaulted.
  api::Value secret = ParseJsonOrDie(KubectlOk({"get", "secret", "app-secret", "-n", "demo", "-o", "json"}));
  EXPECT_EQ(Str(secret, {"data", "password"}), "aHVudGVyMg==");
  EXPECT_EQ(Str(secret, {"data", "user"}), "YWRtaW4=");
  EXPECT_EQ(secret.Find("stringData"), nullptr);
  EXPECT_EQ(Str(secret, {"type"}), "Opaque");
  lines = Lines(KubectlOk({"get", "secret", "-n", "demo"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Fields(lines[1]).size(), 4u);
  EXPECT_EQ(Fields(lines[1])[2], "2") << lines[1];

  // delete -f in reverse order (contents first, the namespace last). In file order the
  // namespace would go first: it turns Terminating and kstream's namespace worker empties it
  // at once, so the later deletes could race it and find nothing (kube's namespace
  // controller usually takes longer; the outcome is timing-dependent there too).
  std::vector<std::string> docs;
  {
    std::string all = kAppYaml;
    size_t start = 0;
    while (true) {
      size_t sep = all.find("---\n", start);
      docs.push_back(all.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
      if (sep == std::string::npos) break;
      start = sep + 4;
    }
  }
  std::string reversed;
  for (auto it = docs.rbegin(); it != docs.rend(); ++it) reversed += (reversed.empty() ? "" : "---\n") + *it;
  EXPECT_EQ(KubectlOk({"delete", "-f", File("app-reversed.yaml", reversed)}),
            "deployment.apps \"web\" deleted\n"
            "service \"web\" deleted\n"
            "serviceaccount \"app-sa\" deleted\n"
            "secret \"app-secret\" deleted\n"
            "configmap \"app-config\" deleted\n"
            "namespace \"demo\" deleted\n");
  ProcResult gone = Kubectl({"get", "ns", "demo"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.err, "Error from server (NotFound): namespaces \"demo\" not found\n");
  ProcResult none = Kubectl({"get", "cm,secret,sa,svc,deploy", "-n", "demo"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err, "No resources found in demo namespace.\n");
}

TEST_P(KubectlE2ETest, ChunkedListAcrossPages) {
  std::string yaml = NamespaceYaml("paged");
  for (int i = 0; i < 23; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "cm-%02d", i);
    yaml += "---\n" + ConfigMapYaml("paged", name);
  }
  std::string created = CreateFromYaml("paged.yaml", yaml);
  EXPECT_EQ(Count(created, " created\n"), 24u) << created;

  ProcResult r = Kubectl({"get", "cm", "-n", "paged", "--chunk-size=5", "-v=6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 24u) << r.out;
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"NAME", "DATA", "AGE"}));
  for (int i = 0; i < 23; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "cm-%02d", i);
    std::vector<std::string> row = Fields(lines[static_cast<size_t>(i) + 1]);
    ASSERT_EQ(row.size(), 3u);
    EXPECT_EQ(row[0], name);  // each once, in key order
    EXPECT_EQ(row[1], "1");
  }
  // The header is printed once although five responses came back.
  EXPECT_EQ(Count(r.out, "NAME"), 1u);
  // Five requests: the first with limit=5 only, then four with a continue token.
  std::vector<std::string> requests;
  for (const std::string& line : Lines(r.err)) {
    if (line.find("verb=\"GET\"") != std::string::npos &&
        line.find("/api/v1/namespaces/paged/configmaps?") != std::string::npos) {
      requests.push_back(line);
    }
  }
  ASSERT_EQ(requests.size(), 5u) << r.err;
  EXPECT_NE(requests[0].find("configmaps?limit=5\""), std::string::npos) << requests[0];
  for (size_t i = 1; i < requests.size(); ++i) {
    EXPECT_NE(requests[i].find("?continue="), std::string::npos) << requests[i];
    EXPECT_NE(requests[i].find("&limit=5\""), std::string::npos) << requests[i];
    EXPECT_NE(requests[i].find("status=\"200 OK\""), std::string::npos) << requests[i];
  }

  // The same pages as JSON: one List with all 23 items.
  api::Value all = ParseJsonOrDie(KubectlOk({"get", "cm", "-n", "paged", "--chunk-size=5", "-o", "json"}));
  const api::Value* items = At(all, {"items"});
  ASSERT_TRUE(items != nullptr && items->is_array());
  ASSERT_EQ(items->as_array().size(), 23u);
  for (size_t i = 0; i < 23; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "cm-%02zu", i);
    EXPECT_EQ(Str(items->as_array()[i], {"metadata", "name"}), name);
  }

  // One page by hand: continue token and remainingItemCount.
  api::Value page = ParseJsonOrDie(KubectlOk({"get", "--raw", "/api/v1/namespaces/paged/configmaps?limit=5"}));
  EXPECT_EQ(At(page, {"items"})->as_array().size(), 5u);
  EXPECT_NE(Str(page, {"metadata", "continue"}), "<missing>");
  const api::Value* remaining = At(page, {"metadata", "remainingItemCount"});
  ASSERT_TRUE(remaining != nullptr && remaining->is_int());
  EXPECT_EQ(remaining->as_int(), 18);
  // The last page has neither.
  api::Value last = ParseJsonOrDie(KubectlOk({"get", "--raw", "/api/v1/namespaces/paged/configmaps?limit=23"}));
  EXPECT_EQ(At(last, {"items"})->as_array().size(), 23u);
  EXPECT_EQ(At(last, {"metadata", "continue"}), nullptr);
  EXPECT_EQ(At(last, {"metadata", "remainingItemCount"}), nullptr);
}

TEST_P(KubectlE2ETest, LabelFieldSelectorsAndAllNamespaces) {
  std::string yaml = NamespaceYaml("sel-a") + "---\n" + NamespaceYaml("sel-b") + "---\n" +
                     ConfigMapYaml("sel-a", "red", "    color: red\n    tier: front\n") + "---\n" +
                     ConfigMapYaml("sel-a", "green", "    color: green\n    tier: back\n") + "---\n" +
                     ConfigMapYaml("sel-a", "plain") + "---\n" +
                     ConfigMapYaml("sel-b", "blue", "    color: blue\n    tier: front\n");
  CreateFromYaml("sel.yaml", yaml);

  auto names = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"get", "cm"});
    args.push_back("-o");
    args.push_back("name");
    return KubectlOk(args);
  };
  EXPECT_EQ(names({"-n", "sel-a", "-l", "color=red"}), "configmap/red\n");
  EXPECT_EQ(names({"-n", "sel-a", "-l", "color==green"}), "configmap/green\n");
  EXPECT_EQ(names({"-n", "sel-a", "-l", "color!=red"}), "configmap/green\nconfigmap/plain\n");
  EXPECT_EQ(names({"-n", "sel-a", "-l", "color in (red,green)"}), "configmap/green\nconfigmap/red\n");
  EXPECT_EQ(names({"-n", "sel-a", "-l", "color notin (red)"}), "configmap/green\nconfigmap/plain\n");
  EXPECT_EQ(names({"-n", "sel-a", "-l", "tier"}), "configmap/green\nconfigmap/red\n");
  EXPECT_EQ(names({"-n", "sel-a", "-l", "!tier"}), "configmap/plain\n");
  EXPECT_EQ(names({"-n", "sel-a", "-l", "tier=front,color=red"}), "configmap/red\n");
  EXPECT_EQ(names({"-n", "sel-a", "--field-selector", "metadata.name=green"}), "configmap/green\n");
  EXPECT_EQ(names({"-n", "sel-a", "--field-selector", "metadata.name!=green"}), "configmap/plain\nconfigmap/red\n");

  ProcResult none = Kubectl({"get", "cm", "-n", "sel-a", "-l", "color=purple"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err, "No resources found in sel-a namespace.\n");

  ProcResult bad_field = Kubectl({"get", "cm", "-n", "sel-a", "--field-selector", "data.k=v"});
  EXPECT_EQ(bad_field.exit_code, 1);
  EXPECT_NE(bad_field.err.find("\"data.k\" is not a known field selector: only \"metadata.name\", "
                               "\"metadata.namespace\""),
            std::string::npos)
      << bad_field.err;

  // -A: a NAMESPACE column, rows ordered by namespace then name.
  std::vector<std::string> lines = Lines(KubectlOk({"get", "cm", "-A", "-l", "tier=front"}));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"NAMESPACE", "NAME", "DATA", "AGE"}));
  std::vector<std::string> row = Fields(lines[1]);
  ASSERT_EQ(row.size(), 4u) << lines[1];
  EXPECT_EQ(row[0], "sel-a");
  EXPECT_EQ(row[1], "red");
  EXPECT_EQ(row[2], "1");
  row = Fields(lines[2]);
  ASSERT_EQ(row.size(), 4u) << lines[2];
  EXPECT_EQ(row[0], "sel-b");
  EXPECT_EQ(row[1], "blue");
  EXPECT_EQ(row[2], "1");

  std::string all = KubectlOk({"get", "configmaps", "--all-namespaces", "-o", "name"});
  for (const char* want : {"configmap/red\n", "configmap/green\n", "configmap/plain\n", "configmap/blue\n"}) {
    EXPECT_EQ(Count(all, want), 1u) << want << " in " << all;
  }
  EXPECT_EQ(KubectlOk({"get", "cm", "-A", "--field-selector", "metadata.namespace=sel-b", "-o", "name"}),
            "configmap/blue\n");
}

TEST_P(KubectlE2ETest, WatchReceivesChanges) {
  CreateFromYaml("ns.yaml", NamespaceYaml("watched") + "---\n" + ConfigMapYaml("watched", "before"));

  BackgroundProcess watch;
  ASSERT_TRUE(watch.Start(KubectlArgv({"get", "cm", "-w", "-n", "watched"}), ChildEnv(home_),
                          tmp_.str() + "/watch.out"));
  std::string out;
  // The initial list first.
  ASSERT_TRUE(watch.WaitFor([](const std::string& s) { return s.find("before") != std::string::npos; }, &out))
      << out;
  EXPECT_TRUE(out.starts_with("NAME")) << out;

  CreateFromYaml("new.yaml", ConfigMapYaml("watched", "arrived", "", "  a: \"1\"\n  b: \"2\"\n"));
  ASSERT_TRUE(watch.WaitFor([](const std::string& s) { return s.find("arrived") != std::string::npos; }, &out))
      << out;
  {
    std::vector<std::string> lines = Lines(out);
    ASSERT_EQ(lines.size(), 3u) << out;
    std::vector<std::string> row = Fields(lines[2]);
    ASSERT_EQ(row.size(), 3u) << out;
    EXPECT_EQ(row[0], "arrived");
    EXPECT_EQ(row[1], "2");
  }

  // A replace (PUT) shows up as a new row with the new data count.
  std::string cm_yaml = KubectlOk({"get", "cm", "arrived", "-n", "watched", "-o", "yaml"});
  size_t data = cm_yaml.find("data:\n");
  ASSERT_NE(data, std::string::npos);
  cm_yaml.insert(data + 6, "  c: \"3\"\n");
  EXPECT_EQ(KubectlOk({"replace", "--validate=false", "-f", File("replace.yaml", cm_yaml)}),
            "configmap/arrived replaced\n");
  ASSERT_TRUE(watch.WaitFor([](const std::string& s) { return Lines(s).size() >= 4; }, &out)) << out;
  {
    std::vector<std::string> row = Fields(Lines(out)[3]);
    ASSERT_EQ(row.size(), 3u) << out;
    EXPECT_EQ(row[0], "arrived");
    EXPECT_EQ(row[1], "3");
  }
  EXPECT_FALSE(watch.Exited());
  watch.Stop();

  // With --output-watch-events: typed events, ADDED for the initial state, then DELETED.
  BackgroundProcess events;
  ASSERT_TRUE(events.Start(KubectlArgv({"get", "cm", "-w", "-n", "watched", "--output-watch-events", "-o", "json"}),
                           ChildEnv(home_), tmp_.str() + "/events.out"));
  ASSERT_TRUE(events.WaitFor([](const std::string& s) { return Count(s, "{\"type\":\"ADDED\"") == 2; }, &out))
      << out;
  ProcResult del = Kubectl({"delete", "cm", "before", "-n", "watched"});
  EXPECT_EQ(del.out, "configmap \"before\" deleted\n");
  ASSERT_TRUE(events.WaitFor([](const std::string& s) { return s.find("{\"type\":\"DELETED\"") != std::string::npos; },
                             &out))
      << out;
  // Compact JSON, one event a line, the DELETED one carrying the last state.
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_TRUE(lines[2].starts_with("{\"type\":\"DELETED\",\"object\":{\"apiVersion\":\"v1\",\"data\":{\"k\":\"v\"},"
                                   "\"kind\":\"ConfigMap\",\"metadata\":{"))
      << lines[2];
  EXPECT_NE(lines[2].find("\"name\":\"before\""), std::string::npos) << lines[2];

  // The server stops promptly after its watch clients went away (a watch bridge thread used
  // to block forever on a send the stopped event loop never completed: ~10 s shutdowns).
  events.Stop();
  auto stop_started = Clock::now();
  EXPECT_EQ(server_->Stop(), 0);
  auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stop_started).count();
  EXPECT_LT(stop_ms, 4000) << "SIGTERM to exit took " << stop_ms << " ms";
}

TEST_P(KubectlE2ETest, ApiResourcesAndVersions) {
  std::vector<std::string> lines = Lines(KubectlOk({"api-resources"}));
  ASSERT_GT(lines.size(), 20u);
  EXPECT_EQ(Fields(lines[0]), (std::vector<std::string>{"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"}));
  auto row_of = [&](const std::string& name, const std::string& api_version) -> std::vector<std::string> {
    for (const auto& l : lines) {
      std::vector<std::string> f = Fields(l);
      if (!f.empty() && f[0] == name && std::find(f.begin(), f.end(), api_version) != f.end()) return f;
    }
    return {};
  };
  EXPECT_EQ(row_of("configmaps", "v1"), (std::vector<std::string>{"configmaps", "cm", "v1", "true", "ConfigMap"}));
  EXPECT_EQ(row_of("namespaces", "v1"), (std::vector<std::string>{"namespaces", "ns", "v1", "false", "Namespace"}));
  EXPECT_EQ(row_of("secrets", "v1"), (std::vector<std::string>{"secrets", "v1", "true", "Secret"}));
  EXPECT_EQ(row_of("deployments", "apps/v1"),
            (std::vector<std::string>{"deployments", "deploy", "apps/v1", "true", "Deployment"}));
  EXPECT_EQ(row_of("services", "v1"), (std::vector<std::string>{"services", "svc", "v1", "true", "Service"}));

  std::string wide = KubectlOk({"api-resources", "-o", "wide", "--api-group=apps"});
  lines = Lines(wide);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(Fields(lines[0]),
            (std::vector<std::string>{"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"}));
  std::vector<std::string> dep = row_of("deployments", "apps/v1");
  ASSERT_EQ(dep.size(), 7u) << wide;
  EXPECT_EQ(dep[5], "create,delete,deletecollection,get,list,patch,update,watch");
  EXPECT_EQ(dep[6], "all");

  std::string cluster_scoped = KubectlOk({"api-resources", "--namespaced=false", "-o", "name"});
  EXPECT_NE(cluster_scoped.find("\nnamespaces\n"), std::string::npos) << cluster_scoped;
  EXPECT_EQ(cluster_scoped.find("\nconfigmaps\n"), std::string::npos) << cluster_scoped;

  std::vector<std::string> versions = Lines(KubectlOk({"api-versions"}));
  for (const char* want : {"v1", "apps/v1", "batch/v1", "rbac.authorization.k8s.io/v1", "networking.k8s.io/v1"}) {
    EXPECT_NE(std::find(versions.begin(), versions.end(), want), versions.end()) << want;
  }
  EXPECT_TRUE(std::is_sorted(versions.begin(), versions.end()));
}

TEST_P(KubectlE2ETest, DeleteAndErrors) {
  CreateFromYaml("objs.yaml", NamespaceYaml("doomed") + "---\n" + ConfigMapYaml("doomed", "c1") + "---\n" +
                                  ConfigMapYaml("doomed", "c2") + "---\n" + ConfigMapYaml("default", "keep"));

  EXPECT_EQ(KubectlOk({"delete", "cm", "c1", "-n", "doomed"}), "configmap \"c1\" deleted\n");
  ProcResult r = Kubectl({"get", "cm", "c1", "-n", "doomed"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error from server (NotFound): configmaps \"c1\" not found\n");

  r = Kubectl({"delete", "cm", "c1", "-n", "doomed"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): configmaps \"c1\" not found\n");

  // Deleting the namespace removes it and what it holds.
  EXPECT_EQ(KubectlOk({"delete", "ns", "doomed"}), "namespace \"doomed\" deleted\n");
  r = Kubectl({"get", "ns", "doomed"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): namespaces \"doomed\" not found\n");
  r = Kubectl({"get", "cm", "-n", "doomed"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "No resources found in doomed namespace.\n");
  api::Value raw = ParseJsonOrDie(KubectlOk({"get", "--raw", "/api/v1/configmaps"}));
  for (const api::Value& item : At(raw, {"items"})->as_array()) {
    EXPECT_NE(Str(item, {"metadata", "namespace"}), "doomed") << Str(item, {"metadata", "name"});
  }
  EXPECT_EQ(KubectlOk({"get", "cm", "keep", "-n", "default", "-o", "name"}), "configmap/keep\n");

  // get of a missing object.
  r = Kubectl({"get", "cm", "nonexistent"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error from server (NotFound): configmaps \"nonexistent\" not found\n");

  // Create into a missing namespace, declaratively and imperatively.
  std::string nope = File("nope.yaml", ConfigMapYaml("nope", "x"));
  r = Kubectl({"create", "--validate=false", "-f", nope});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): error when creating \"" + nope +
                       "\": namespaces \"nope\" not found\n");
  r = Kubectl({"create", "configmap", "x", "-n", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: failed to create configmap: namespaces \"nope\" not found\n");

  // Create twice.
  r = Kubectl({"create", "namespace", "twice"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Kubectl({"create", "namespace", "twice"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error from server (AlreadyExists): namespaces \"twice\" already exists\n");
  std::string keep = File("keep.yaml", ConfigMapYaml("default", "keep"));
  r = Kubectl({"create", "--validate=false", "-f", keep});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error from server (AlreadyExists): error when creating \"" + keep +
                       "\": configmaps \"keep\" already exists\n");

  // Replace with a stale resourceVersion: 409 Conflict.
  std::string current = KubectlOk({"get", "cm", "keep", "-n", "default", "-o", "yaml"});
  std::string stale = File("stale.yaml", current);
  std::string changed = current;
  size_t data = changed.find("data:\n");
  ASSERT_NE(data, std::string::npos) << current;
  changed.insert(data + 6, "  added: \"yes\"\n");
  EXPECT_EQ(KubectlOk({"replace", "--validate=false", "-f", File("changed.yaml", changed)}),
            "configmap/keep replaced\n");
  r = Kubectl({"replace", "--validate=false", "-f", stale});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error from server (Conflict): error when replacing \"" + stale +
                       "\": Operation cannot be fulfilled on configmaps \"keep\": the object has been modified; "
                       "please apply your changes to the latest version and try again\n");

  // An unknown resource type is kubectl's own error (from discovery).
  r = Kubectl({"get", "flurbs"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: the server doesn't have a resource type \"flurbs\"\n");
}

INSTANTIATE_TEST_SUITE_P(Storage, KubectlE2ETest, ::testing::Values(Storage::kLmdb, Storage::kEtcd), StorageName);

}  // namespace
}  // namespace kstream::e2e
