#include "registry/printers.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/typed/scheme.h"

namespace kstream::registry {
namespace {

namespace mv1 = k8s::meta::v1;
using collection::TableRowContent;

// All ages are relative to this instant.
const mv1::Time kNow = mv1::Time::FromUtc(2025, 1, 1, 12, 0, 0);

std::unique_ptr<typed::Object> Decode(const std::string& json) {
  auto obj = typed::DecodeObjectJson(typed::Scheme::Default(), json);
  EXPECT_TRUE(obj.ok()) << obj.status().ToString() << "\n" << json;
  if (!obj.ok()) return nullptr;
  return std::move(obj).value();
}

struct Printed {
  std::string cells;       // the cells, JSON-like without escaping: ["a",1,...]
  std::string conditions;  // the conditions as compact JSON ("null" when none)
};

// The cells, readable: strings quoted but not escaped (the Table's JSON escapes `<` and
// `>` as Go does; table_test.cc checks those bytes).
std::string CellsText(const typed::Slice<api::Value>& cells) {
  std::string out = "[";
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ",";
    if (cells[i].is_string()) {
      out += "\"" + cells[i].as_string() + "\"";
    } else if (cells[i].is_int()) {
      out += std::to_string(cells[i].as_int());
    } else {
      out += "?";
    }
  }
  return out + "]";
}

Printed Print(std::string_view group, std::string_view resource, const std::string& json) {
  auto obj = Decode(json);
  if (obj == nullptr) return {};
  TableRowContent row;
  Status s = PrinterFor(group, resource).PrintRow(*obj, kNow, &row);
  EXPECT_TRUE(s.ok()) << s.ToString();
  Printed p;
  p.cells = CellsText(row.cells);
  EXPECT_TRUE(typed::EncodeJson(row.conditions, &p.conditions).ok());
  return p;
}

std::string ColumnNames(const TablePrinter& p) {
  std::string out;
  for (const auto& c : p.columns()) {
    if (!out.empty()) out += ",";
    out += c.Name;
    if (!c.Format.empty()) out += "[" + c.Format + "]";
    if (c.Priority != 0) out += "(" + std::to_string(c.Priority) + ")";
    if (c.Type != "string") out += ":" + c.Type;
  }
  return out;
}

// A pod with the given spec and status JSON members.
std::string PodJson(const std::string& spec, const std::string& status,
                    const std::string& extra_meta = "") {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns",)"
         R"("creationTimestamp":"2025-01-01T11:55:00Z")" +
         extra_meta + R"(},"spec":)" + spec + R"(,"status":)" + status + "}";
}

// ---------------------------------------------------------------------------------------
// Columns

TEST(PrintersTest, ColumnsOfEachPrinter) {
  EXPECT_EQ(ColumnNames(PrinterFor("", "pods")),
            "Name[name],Ready,Status,Restarts,Age,IP(1),Node(1),Nominated Node(1),"
            "Readiness Gates(1)");
  EXPECT_EQ(ColumnNames(PrinterFor("", "configmaps")), "Name[name],Data,Age");
  EXPECT_EQ(ColumnNames(PrinterFor("", "secrets")), "Name[name],Type,Data,Age");
  EXPECT_EQ(ColumnNames(PrinterFor("", "namespaces")), "Name[name],Status,Age");
  EXPECT_EQ(ColumnNames(PrinterFor("", "services")),
            "Name[name],Type,Cluster-IP,External-IP,Port(s),Age,Selector(1)");
  EXPECT_EQ(ColumnNames(PrinterFor("apps", "deployments")),
            "Name[name],Ready,Up-to-date,Available,Age,Containers(1),Images(1),Selector(1)");
  EXPECT_EQ(ColumnNames(PrinterFor("", "events")),
            "Last Seen,Type,Reason,Object,Subobject(1),Source(1),Message,First Seen(1),"
            "Count(1),Name[name](1)");
  EXPECT_EQ(&PrinterFor("events.k8s.io", "events"), &PrinterFor("", "events"));
  EXPECT_EQ(ColumnNames(PrinterFor("", "nodes")),
            "Name[name],Status,Roles,Age,Version,Internal-IP(1),External-IP(1),OS-Image(1),"
            "Kernel-Version(1),Container-Runtime(1)");
  // Everything else: the default convertor.
  EXPECT_EQ(&PrinterFor("apps", "replicasets"), &DefaultTablePrinter());
  EXPECT_EQ(&PrinterFor("", "deployments"), &DefaultTablePrinter());
  EXPECT_EQ(&PrinterFor("stable.example.com", "crontabs"), &DefaultTablePrinter());
  EXPECT_EQ(ColumnNames(DefaultTablePrinter()), "Name[name],Created At:date");
  EXPECT_TRUE(DefaultTablePrinter().empty_rows_null());
  EXPECT_FALSE(PrinterFor("", "pods").empty_rows_null());
}

TEST(PrintersTest, ColumnDescriptionsAreTheSwaggerDocs) {
  const auto& pod = PrinterFor("", "pods").columns();
  EXPECT_EQ(pod[0].Description,
            "Name must be unique within a namespace. Is required when creating resources, "
            "although some resources may allow a client to request the generation of an "
            "appropriate name automatically. Name is primarily intended for creation "
            "idempotence and configuration definition. Cannot be updated. More info: "
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names");
  EXPECT_EQ(pod[4].Description,
            "CreationTimestamp is a timestamp representing the server time when this object "
            "was created. It is not guaranteed to be set in happens-before order across "
            "separate operations. Clients may not set this value. It is represented in "
            "RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "
            "lists. More info: https://git.k8s.io/community/contributors/devel/"
            "sig-architecture/api-conventions.md#metadata");
  EXPECT_EQ(pod[5].Description,
            "podIP address allocated to the pod. Routable at least within the cluster. Empty "
            "if not yet allocated.");
  EXPECT_EQ(PrinterFor("apps", "deployments").columns()[3].Description,
            "Total number of available non-terminating pods (ready for at least "
            "minReadySeconds) targeted by this deployment.");
  EXPECT_EQ(PrinterFor("", "events").columns()[3].Description,
            "The object that this event is about.");
  EXPECT_EQ(PrinterFor("", "nodes").columns()[4].Description,
            "Kubelet Version reported by the node.");
  EXPECT_EQ(DefaultTablePrinter().columns()[1].Description, pod[4].Description);
}

// ---------------------------------------------------------------------------------------
// Pods

TEST(PrintersTest, PodRunning) {
  auto p = Print("", "pods",
                 PodJson(R"({"nodeName":"node-a","containers":[{"name":"a"},{"name":"b"}]})",
                         R"({"phase":"Running","podIP":"10.0.0.5","conditions":[)"
                         R"({"type":"Ready","status":"True"}],"containerStatuses":[)"
                         R"({"name":"a","ready":true,"restartCount":0,"state":{"running":{}}},)"
                         R"({"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}]})"));
  EXPECT_EQ(p.cells, R"(["p","2/2","Running","0","5m","10.0.0.5","node-a","<none>","<none>"])");
  EXPECT_EQ(p.conditions, "null");
}

TEST(PrintersTest, PodPendingWithWaitingReason) {
  auto p = Print("", "pods",
                 PodJson(R"({"containers":[{"name":"a"}],"readinessGates":[)"
                         R"({"conditionType":"x"},{"conditionType":"y"}]})",
                         R"({"phase":"Pending","nominatedNodeName":"n2","podIPs":[{"ip":"fd00::1"}],)"
                         R"("conditions":[{"type":"x","status":"True"},{"type":"y","status":"False"}],)"
                         R"("containerStatuses":[{"name":"a","ready":false,"restartCount":0,)"
                         R"("state":{"waiting":{"reason":"ContainerCreating"}}}]})"));
  EXPECT_EQ(p.cells,
            R"(["p","0/1","ContainerCreating","0","5m","fd00::1","<none>","n2","1/2"])");
}

TEST(PrintersTest, PodWithoutStatusesUsesPhase) {
  auto p = Print("", "pods", PodJson(R"({"containers":[{"name":"a"}]})", R"({"phase":"Pending"})"));
  EXPECT_EQ(p.cells, R"(["p","0/1","Pending","0","5m","<none>","<none>","<none>","<none>"])");
  // status.reason overrides the phase; SchedulingGated overrides both.
  p = Print("", "pods",
            PodJson(R"({"containers":[{"name":"a"}]})", R"({"phase":"Failed","reason":"Evicted"})"));
  EXPECT_EQ(p.cells, R"(["p","0/1","Evicted","0","5m","<none>","<none>","<none>","<none>"])");
  EXPECT_EQ(p.conditions,
            R"([{"type":"Completed","status":"True","reason":"Failed","message":"The pod failed."}])");
  p = Print("", "pods",
            PodJson(R"({"containers":[{"name":"a"}]})",
                    R"({"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False",)"
                    R"("reason":"SchedulingGated"}]})"));
  EXPECT_EQ(p.cells,
            R"(["p","0/1","SchedulingGated","0","5m","<none>","<none>","<none>","<none>"])");
}

TEST(PrintersTest, PodInitContainers) {
  const std::string spec =
      R"({"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]})";
  auto status = [](const std::string& second_state, int restarts = 0) {
    return R"({"phase":"Pending","initContainerStatuses":[)"
           R"({"name":"i1","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0}}},)"
           R"({"name":"i2","ready":false,"restartCount":)" +
           std::to_string(restarts) + R"(,"state":)" + second_state +
           R"(}],"containerStatuses":[{"name":"a","ready":false,"restartCount":7,)"
           R"("state":{"waiting":{"reason":"PodInitializing"}}}]})";
  };
  auto cells = [&](const std::string& second_state, int restarts = 0) {
    return Print("", "pods", PodJson(spec, status(second_state, restarts))).cells;
  };
  // Running (no reason) -> Init:<index>/<count>; container restarts are not counted.
  EXPECT_EQ(cells(R"({"running":{}})"),
            R"(["p","0/1","Init:1/2","0","5m","<none>","<none>","<none>","<none>"])");
  EXPECT_EQ(cells(R"({"waiting":{"reason":"PodInitializing"}})"),
            R"(["p","0/1","Init:1/2","0","5m","<none>","<none>","<none>","<none>"])");
  EXPECT_EQ(cells(R"({"waiting":{"reason":"CrashLoopBackOff"}})", 4),
            R"(["p","0/1","Init:CrashLoopBackOff","4","5m","<none>","<none>","<none>","<none>"])");
  EXPECT_EQ(cells(R"({"terminated":{"exitCode":1}})"),
            R"(["p","0/1","Init:ExitCode:1","0","5m","<none>","<none>","<none>","<none>"])");
  EXPECT_EQ(cells(R"({"terminated":{"exitCode":137,"signal":9}})"),
            R"(["p","0/1","Init:Signal:9","0","5m","<none>","<none>","<none>","<none>"])");
  EXPECT_EQ(cells(R"({"terminated":{"exitCode":2,"reason":"Error"}})"),
            R"(["p","0/1","Init:Error","0","5m","<none>","<none>","<none>","<none>"])");
}

TEST(PrintersTest, PodInitializingButInitializedConditionCountsContainers) {
  // The Initialized condition makes the app containers' state and restarts count again.
  auto p = Print("", "pods",
                 PodJson(R"({"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]})",
                         R"({"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],)"
                         R"("initContainerStatuses":[{"name":"i1","ready":false,"restartCount":1,)"
                         R"("state":{"waiting":{"reason":"Blocked"}}}],)"
                         R"("containerStatuses":[{"name":"a","ready":true,"restartCount":2,)"
                         R"("state":{"running":{}}}]})"));
  EXPECT_EQ(p.cells, R"(["p","1/1","Init:Blocked","2","5m","<none>","<none>","<none>","<none>"])");
}

TEST(PrintersTest, PodSidecarInitContainers) {
  // A restartable init container (sidecar) counts in the total, and in ready once started;
  // its restarts count with the app containers'.
  auto p = Print(
      "", "pods",
      PodJson(R"({"initContainers":[{"name":"side","restartPolicy":"Always"}],)"
              R"("containers":[{"name":"a"}]})",
              R"({"phase":"Running","conditions":[{"type":"Ready","status":"True"}],)"
              R"("initContainerStatuses":[{"name":"side","ready":true,"started":true,)"
              R"("restartCount":2,"state":{"running":{}},"lastState":{"terminated":)"
              R"({"exitCode":1,"finishedAt":"2025-01-01T11:00:00Z"}}}],)"
              R"("containerStatuses":[{"name":"a","ready":true,"restartCount":1,)"
              R"("state":{"running":{}},"lastState":{"terminated":)"
              R"({"exitCode":1,"finishedAt":"2025-01-01T11:30:00Z"}}}]})"));
  EXPECT_EQ(p.cells,
            R"J(["p","2/2","Running","3 (30m ago)","5m","<none>","<none>","<none>","<none>"])J");
  // Not started yet: Init:0/1, and the sidecar is not ready.
  p = Print("", "pods",
            PodJson(R"({"initContainers":[{"name":"side","restartPolicy":"Always"}],)"
                    R"("containers":[{"name":"a"}]})",
                    R"({"phase":"Pending","initContainerStatuses":[{"name":"side","ready":false,)"
                    R"("started":false,"restartCount":0,"state":{"running":{}}}]})"));
  EXPECT_EQ(p.cells, R"(["p","0/2","Init:0/1","0","5m","<none>","<none>","<none>","<none>"])");
}

TEST(PrintersTest, PodRestartsWithLastRestartAge) {
  auto p = Print("", "pods",
                 PodJson(R"({"containers":[{"name":"a"},{"name":"b"}]})",
                         R"({"phase":"Running","containerStatuses":[)"
                         R"({"name":"a","ready":false,"restartCount":5,)"
                         R"("state":{"waiting":{"reason":"CrashLoopBackOff"}},)"
                         R"("lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-01-01T11:58:00Z"}}},)"
                         R"({"name":"b","ready":true,"restartCount":1,"state":{"running":{}},)"
                         R"("lastState":{"terminated":{"exitCode":0,"finishedAt":"2024-12-31T12:00:00Z"}}}]})"));
  EXPECT_EQ(p.cells, R"J(["p","1/2","CrashLoopBackOff","6 (2m ago)","5m","<none>","<none>",)J"
                     R"("<none>","<none>"])");
  // Restarts without a recorded termination: the bare count.
  p = Print("", "pods",
            PodJson(R"({"containers":[{"name":"a"}]})",
                    R"({"phase":"Running","containerStatuses":[{"name":"a","ready":true,)"
                    R"("restartCount":4,"state":{"running":{}}}]})"));
  EXPECT_EQ(p.cells, R"(["p","1/1","Running","4","5m","<none>","<none>","<none>","<none>"])");
}

TEST(PrintersTest, PodTerminatedContainerReasons) {
  // The first container's state wins (they are walked from the last one).
  auto p = Print("", "pods",
                 PodJson(R"({"containers":[{"name":"a"},{"name":"b"}]})",
                         R"({"phase":"Running","containerStatuses":[)"
                         R"({"name":"a","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":3}}},)"
                         R"({"name":"b","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"signal":15}}}]})"));
  EXPECT_EQ(p.cells, R"(["p","0/2","ExitCode:3","0","5m","<none>","<none>","<none>","<none>"])");
  p = Print("", "pods",
            PodJson(R"({"containers":[{"name":"a"}]})",
                    R"({"phase":"Running","containerStatuses":[)"
                    R"({"name":"a","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"signal":15}}}]})"));
  EXPECT_EQ(p.cells, R"(["p","0/1","Signal:15","0","5m","<none>","<none>","<none>","<none>"])");
}

TEST(PrintersTest, PodSucceededIsCompleted) {
  auto p = Print("", "pods",
                 PodJson(R"({"containers":[{"name":"a"}]})",
                         R"({"phase":"Succeeded","containerStatuses":[{"name":"a","ready":false,)"
                         R"("restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})"));
  EXPECT_EQ(p.cells, R"(["p","0/1","Completed","0","5m","<none>","<none>","<none>","<none>"])");
  EXPECT_EQ(p.conditions,
            R"([{"type":"Completed","status":"True","reason":"Succeeded",)"
            R"("message":"The pod has completed successfully."}])");
}

TEST(PrintersTest, PodCompletedWithARunningContainer) {
  const std::string spec = R"({"containers":[{"name":"a"},{"name":"b"}]})";
  const std::string statuses =
      R"("containerStatuses":[{"name":"a","ready":false,"restartCount":0,)"
      R"("state":{"terminated":{"exitCode":0,"reason":"Completed"}}},)"
      R"({"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}])";
  auto p = Print("", "pods",
                 PodJson(spec, R"({"phase":"Running","conditions":[{"type":"Ready","status":"True"}],)" +
                                   statuses + "}"));
  EXPECT_EQ(p.cells, R"(["p","1/2","Running","0","5m","<none>","<none>","<none>","<none>"])");
  p = Print("", "pods", PodJson(spec, R"({"phase":"Running",)" + statuses + "}"));
  EXPECT_EQ(p.cells, R"(["p","1/2","NotReady","0","5m","<none>","<none>","<none>","<none>"])");
}

TEST(PrintersTest, PodTerminating) {
  const std::string deleting = R"(,"deletionTimestamp":"2025-01-01T11:59:00Z")";
  auto p = Print("", "pods",
                 PodJson(R"({"containers":[{"name":"a"}]})",
                         R"({"phase":"Running","containerStatuses":[{"name":"a","ready":true,)"
                         R"("restartCount":0,"state":{"running":{}}}]})",
                         deleting));
  EXPECT_EQ(p.cells, R"(["p","1/1","Terminating","0","5m","<none>","<none>","<none>","<none>"])");
  // Node lost: Unknown.
  p = Print("", "pods",
            PodJson(R"({"containers":[{"name":"a"}]})", R"({"phase":"Running","reason":"NodeLost"})",
                    deleting));
  EXPECT_EQ(p.cells, R"(["p","0/1","Unknown","0","5m","<none>","<none>","<none>","<none>"])");
  // A terminal pod being deleted keeps its status.
  p = Print("", "pods",
            PodJson(R"({"containers":[{"name":"a"}]})",
                    R"({"phase":"Succeeded","containerStatuses":[{"name":"a","ready":false,)"
                    R"("restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})",
                    deleting));
  EXPECT_EQ(p.cells, R"(["p","0/1","Completed","0","5m","<none>","<none>","<none>","<none>"])");
}

TEST(PrintersTest, PodIPPrefersStatusPodIP) {
  auto p = Print("", "pods",
                 PodJson(R"({"containers":[]})",
                         R"({"phase":"Running","podIP":"10.1.1.1","podIPs":[{"ip":"10.9.9.9"}]})"));
  EXPECT_EQ(p.cells, R"(["p","0/0","Running","0","5m","10.1.1.1","<none>","<none>","<none>"])");
}

// ---------------------------------------------------------------------------------------
// Other printers

TEST(PrintersTest, ConfigMapSecretNamespace) {
  EXPECT_EQ(Print("", "configmaps",
                  R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c",)"
                  R"("creationTimestamp":"2025-01-01T11:59:30Z"},"data":{"a":"1","b":"2"},)"
                  R"("binaryData":{"c":"AA=="}})")
                .cells,
            R"(["c",3,"30s"])");
  EXPECT_EQ(Print("", "secrets",
                  R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s",)"
                  R"("creationTimestamp":"2024-12-25T12:00:00Z"},"type":"kubernetes.io/tls",)"
                  R"("data":{"tls.crt":"AA==","tls.key":"AA=="},"stringData":{"tls.key":"x","ca":"y"}})")
                .cells,
            R"(["s","kubernetes.io/tls",3,"7d"])");
  EXPECT_EQ(Print("", "secrets",
                  R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s",)"
                  R"("creationTimestamp":"2025-01-01T11:00:00Z"}})")
                .cells,
            R"(["s","Opaque",0,"60m"])");
  EXPECT_EQ(Print("", "namespaces",
                  R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n",)"
                  R"("creationTimestamp":"2023-01-01T12:00:00Z"},"status":{"phase":"Terminating"}})")
                .cells,
            R"(["n","Terminating","2y1d"])");
  EXPECT_EQ(Print("", "namespaces",
                  R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}})")
                .cells,
            R"(["n","Active","<unknown>"])");
}

TEST(PrintersTest, Services) {
  auto svc = [](const std::string& spec, const std::string& status = "{}") {
    return Print("", "services",
                 R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s",)"
                 R"("creationTimestamp":"2025-01-01T09:00:00Z"},"spec":)" +
                     spec + R"(,"status":)" + status + "}")
        .cells;
  };
  EXPECT_EQ(svc(R"({"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],)"
                R"("ports":[{"port":53,"protocol":"UDP"},{"port":443,"nodePort":0}],)"
                R"("selector":{"k8s-app":"kube-dns","tier":"a"}})"),
            R"(["s","ClusterIP","10.96.0.10","<none>","53/UDP,443/TCP","3h",)"
            R"("k8s-app=kube-dns,tier=a"])");
  EXPECT_EQ(svc(R"({"type":"NodePort","clusterIP":"None","externalIPs":["1.2.3.4","5.6.7.8"],)"
                R"("ports":[{"port":80,"nodePort":30080,"protocol":"TCP"}]})"),
            R"(["s","NodePort","None","1.2.3.4,5.6.7.8","80:30080/TCP","3h","<none>"])");
  EXPECT_EQ(svc(R"({"type":"LoadBalancer","clusterIPs":["10.0.0.1"]})"),
            R"(["s","LoadBalancer","10.0.0.1","<pending>","<none>","3h","<none>"])");
  EXPECT_EQ(svc(R"({"type":"LoadBalancer","externalIPs":["9.9.9.9"]})",
                R"({"loadBalancer":{"ingress":[{"ip":"5.5.5.5"},{"hostname":"lb.example.com"},)"
                R"({"ip":"1.1.1.1"},{"ip":"5.5.5.5"}]}})"),
            R"(["s","LoadBalancer","<none>","1.1.1.1,5.5.5.5,lb.example.com,9.9.9.9","<none>",)"
            R"("3h","<none>"])");
  EXPECT_EQ(svc(R"({"type":"ExternalName","externalName":"db.example.com"})"),
            R"(["s","ExternalName","<none>","db.example.com","<none>","3h","<none>"])");
  EXPECT_EQ(svc(R"({"ports":[{"port":8080}]})"),
            R"(["s","ClusterIP","<none>","<none>","8080/TCP","3h","<none>"])");
}

TEST(PrintersTest, Deployments) {
  auto dep = [](const std::string& spec, const std::string& status) {
    return Print("apps", "deployments",
                 R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d",)"
                 R"("creationTimestamp":"2024-12-01T12:00:00Z"},"spec":)" +
                     spec + R"(,"status":)" + status + "}")
        .cells;
  };
  EXPECT_EQ(dep(R"({"replicas":3,"selector":{"matchLabels":{"app":"web","a.io/tier":"fe"},)"
                R"("matchExpressions":[{"key":"env","operator":"NotIn","values":["prod","dev"]},)"
                R"({"key":"legacy","operator":"DoesNotExist"},{"key":"b","operator":"Exists"}]},)"
                R"("template":{"spec":{"containers":[{"name":"web","image":"nginx:1"},)"
                R"({"name":"log","image":"busybox"}]}}})",
                R"({"readyReplicas":2,"updatedReplicas":3,"availableReplicas":1})"),
            R"(["d","2/3",3,1,"31d","web,log","nginx:1,busybox",)"
            R"J("a.io/tier=fe,app=web,b,env notin (dev,prod),!legacy"])J");
  // Defaults: replicas 1; no selector prints "".
  EXPECT_EQ(dep(R"({"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}})", "{}"),
            R"(["d","0/1",0,0,"31d","c","i",""])");
  // An invalid selector (bad operator, bad value) prints <invalid>.
  EXPECT_EQ(dep(R"({"selector":{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}})",
                "{}"),
            R"(["d","0/1",0,0,"31d","","","<invalid>"])");
  EXPECT_EQ(dep(R"({"selector":{"matchLabels":{"a":"-bad-"}}})", "{}"),
            R"(["d","0/1",0,0,"31d","","","<invalid>"])");
  EXPECT_EQ(dep(R"({"selector":{"matchExpressions":[{"key":"a","operator":"In","values":["x"]}]}})",
                "{}"),
            R"J(["d","0/1",0,0,"31d","","","a in (x)"])J");
}

TEST(PrintersTest, CoreEvents) {
  auto ev = [](const std::string& members) {
    return Print("", "events",
                 R"({"apiVersion":"v1","kind":"Event","metadata":{"name":"e.1"},)" + members +
                     "}")
        .cells;
  };
  EXPECT_EQ(ev(R"("involvedObject":{"kind":"Pod","name":"web","fieldPath":"spec.containers{a}"},)"
               R"("reason":"Pulled","message":"  Image pulled\n","source":{"component":"kubelet",)"
               R"("host":"node-1"},"firstTimestamp":"2025-01-01T11:00:00Z",)"
               R"("lastTimestamp":"2025-01-01T11:59:00Z","count":4,"type":"Normal")"),
            R"(["60s","Normal","Pulled","pod/web","spec.containers{a}","kubelet, node-1",)"
            R"("Image pulled","60m",4,"e.1"])");
  // New-style event: eventTime, series, reporting controller/instance, no count.
  EXPECT_EQ(ev(R"("involvedObject":{"kind":"Node"},"reason":"R","message":"m",)"
               R"("eventTime":"2025-01-01T10:00:00.000000Z","series":{"count":7,)"
               R"("lastObservedTime":"2025-01-01T11:50:00.000000Z"},"reportingComponent":"ctrl",)"
               R"("reportingInstance":"inst","type":"Warning")"),
            R"(["10m","Warning","R","node","","ctrl, inst","m","120m",7,"e.1"])");
  // Singleton without timestamps.
  EXPECT_EQ(ev(R"("involvedObject":{"kind":"Pod","name":"x"},"source":{"component":"c"})"),
            R"(["<unknown>","","","pod/x","","c","","<unknown>",1,"e.1"])");
}

TEST(PrintersTest, EventsK8sIoEvents) {
  auto p = Print("events.k8s.io", "events",
                 R"({"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e.2"},)"
                 R"("eventTime":"2025-01-01T11:58:00.000000Z","reportingController":"ctrl",)"
                 R"("reportingInstance":"i","action":"A","reason":"Started",)"
                 R"("regarding":{"kind":"Pod","name":"p"},"note":"started\u00a0","type":"Normal"})");
  EXPECT_EQ(p.cells, R"(["2m","Normal","Started","pod/p","","ctrl, i","started","2m",1,"e.2"])");
}

TEST(PrintersTest, Nodes) {
  auto p = Print("", "nodes",
                 R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1",)"
                 R"("creationTimestamp":"2024-11-01T12:00:00Z","labels":{)"
                 R"("node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/":"x",)"
                 R"("kubernetes.io/role":"master","other":"y"}},"spec":{"unschedulable":true},)"
                 R"("status":{"conditions":[{"type":"MemoryPressure","status":"False"},)"
                 R"({"type":"Ready","status":"True"}],"addresses":[{"type":"Hostname","address":"h"},)"
                 R"({"type":"InternalIP","address":"192.168.0.2"}],"nodeInfo":{"kubeletVersion":)"
                 R"("v1.33.0","osImage":"Debian","kernelVersion":"6.1","containerRuntimeVersion":)"
                 R"("containerd://1.7"}}})");
  EXPECT_EQ(p.cells, R"(["n1","Ready,SchedulingDisabled","control-plane,master","61d","v1.33.0",)"
                     R"("192.168.0.2","<none>","Debian","6.1","containerd://1.7"])");
  p = Print("", "nodes",
            R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n2",)"
            R"("creationTimestamp":"2025-01-01T11:00:00Z"},"status":{"conditions":[)"
            R"({"type":"Ready","status":"Unknown"}],"addresses":[{"type":"ExternalIP","address":"3.3.3.3"}]}})");
  EXPECT_EQ(p.cells, R"(["n2","NotReady","<none>","60m","","<none>","3.3.3.3","<unknown>",)"
                     R"("<unknown>","<unknown>"])");
  p = Print("", "nodes", R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n3"}})");
  EXPECT_EQ(p.cells, R"(["n3","Unknown","<none>","<unknown>","","<none>","<none>","<unknown>",)"
                     R"("<unknown>","<unknown>"])");
}

TEST(PrintersTest, DefaultConvertor) {
  auto p = Print("apps", "replicasets",
                 R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"rs",)"
                 R"("creationTimestamp":"2024-06-01T01:02:03Z"}})");
  EXPECT_EQ(p.cells, R"(["rs","2024-06-01T01:02:03Z"])");
  // Go's zero time.
  p = Print("apps", "replicasets",
            R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"rs"}})");
  EXPECT_EQ(p.cells, R"(["rs","0001-01-01T00:00:00Z"])");
}

TEST(PrintersTest, WrongKindIsAnError) {
  auto cm = Decode(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})");
  ASSERT_NE(cm, nullptr);
  TableRowContent row;
  EXPECT_FALSE(PrinterFor("", "pods").PrintRow(*cm, kNow, &row).ok());
  EXPECT_FALSE(PrinterFor("apps", "deployments").PrintRow(*cm, kNow, &row).ok());
  EXPECT_TRUE(PrinterFor("", "configmaps").PrintRow(*cm, kNow, &row).ok());
}

// ---------------------------------------------------------------------------------------
// Ages (HumanDuration)

TEST(PrintersTest, Ages) {
  auto age = [](int64_t seconds_ago, int64_t nanos = 0) {
    mv1::Time t = mv1::Time::FromUnix(kNow.unix_seconds() - seconds_ago, nanos);
    return TranslateTimestampSince(t, kNow);
  };
  EXPECT_EQ(age(0), "0s");
  EXPECT_EQ(age(-1), "0s");          // up to 1s in the future: clock skew
  EXPECT_EQ(age(0, 500000000), "0s");           // -0.5s
  EXPECT_EQ(age(-1, 500000000), "0s");          // -1.5s truncates to -1
  EXPECT_EQ(age(-2, 500000000), "<invalid>");   // -2.5s
  EXPECT_EQ(age(1, 999999999), "0s");           // 0.000000001s
  EXPECT_EQ(age(120, 500000000), "119s");       // 119.5s
  EXPECT_EQ(age(-2), "<invalid>");
  EXPECT_EQ(age(1), "1s");
  EXPECT_EQ(age(119), "119s");
  EXPECT_EQ(age(120), "2m");
  EXPECT_EQ(age(121), "2m1s");
  EXPECT_EQ(age(599), "9m59s");
  EXPECT_EQ(age(600), "10m");
  EXPECT_EQ(age(3 * 3600 - 1), "179m");
  EXPECT_EQ(age(3 * 3600), "3h");
  EXPECT_EQ(age(3 * 3600 + 60), "3h1m");
  EXPECT_EQ(age(8 * 3600 - 60), "7h59m");
  EXPECT_EQ(age(8 * 3600), "8h");
  EXPECT_EQ(age(48 * 3600 - 1), "47h");
  EXPECT_EQ(age(48 * 3600), "2d");
  EXPECT_EQ(age(49 * 3600), "2d1h");
  EXPECT_EQ(age(8 * 86400 - 3600), "7d23h");
  EXPECT_EQ(age(8 * 86400), "8d");
  EXPECT_EQ(age(730 * 86400 - 1), "729d");
  EXPECT_EQ(age(730 * 86400), "2y");
  EXPECT_EQ(age(735 * 86400), "2y5d");
  EXPECT_EQ(age(8 * 365 * 86400), "8y");
  EXPECT_EQ(age(8 * 365 * 86400 + 20 * 86400), "8y");
  EXPECT_EQ(TranslateTimestampSince(mv1::Time(), kNow), "<unknown>");
  // Year 1 (not the zero time): Go's Time.Sub saturates at ~292 years.
  EXPECT_EQ(TranslateTimestampSince(mv1::Time::FromUtc(1, 1, 1, 0, 0, 1), kNow), "292y");
}

}  // namespace
}  // namespace kstream::registry
