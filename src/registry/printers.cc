#include "registry/printers.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/k8s/apps/v1/types.h"
#include "api/k8s/core/v1/types.h"
#include "api/k8s/events/v1/types.h"
#include "api/k8s/meta/v1/types.h"
#include "registry/human_duration.h"
#include "registry/validation.h"

namespace kstream::registry {

namespace {

namespace core = k8s::core::v1;
namespace mv1 = k8s::meta::v1;
using collection::TableRowContent;
using ColumnList = typed::Slice<mv1::TableColumnDefinition>;

// ---------------------------------------------------------------------------------------
// Swagger docs (k8s.io/api and apimachinery v0.33, types_swagger_doc_generated.go).

constexpr std::string_view kDocObjectMetaName =
    "Name must be unique within a namespace. Is required when creating resources, although "
    "some resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr std::string_view kDocObjectMetaCreationTimestamp =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";

constexpr std::string_view kDocPodStatusPodIP =
    "podIP address allocated to the pod. Routable at least within the cluster. Empty if not "
    "yet allocated.";
constexpr std::string_view kDocPodSpecNodeName =
    "NodeName indicates in which node this pod is scheduled. If empty, this pod is a "
    "candidate for scheduling by the scheduler defined in schedulerName. Once this field is "
    "set, the kubelet for this node becomes responsible for the lifecycle of this pod. This "
    "field should not be used to express a desire for the pod to be scheduled on a specific "
    "node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename";
constexpr std::string_view kDocPodStatusNominatedNodeName =
    "nominatedNodeName is set only when this pod preempts other pods on the node, but it "
    "cannot be scheduled right away as preemption victims receive their graceful termination "
    "periods. This field does not guarantee that the pod will be scheduled on this node. "
    "Scheduler may decide to place the pod elsewhere if other nodes become available sooner. "
    "Scheduler may also decide to give the resources on this node to a higher priority pod "
    "that is created after preemption. As a result, this field may be different than "
    "PodSpec.nodeName when the pod is scheduled.";
constexpr std::string_view kDocPodSpecReadinessGates =
    "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready "
    "when all its containers are ready AND all conditions specified in the readiness gates "
    "have status equal to \"True\" More info: "
    "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates";

constexpr std::string_view kDocServiceSpecType =
    "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
    "ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a "
    "cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by "
    "the selector or if that is not specified, by manual construction of an Endpoints object "
    "or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the "
    "endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" "
    "builds on ClusterIP and allocates a port on every node which routes to the same "
    "endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external "
    "load-balancer (if supported in the current cloud) which routes to the same endpoints as "
    "the clusterIP. \"ExternalName\" aliases this service to the specified externalName. "
    "Several other fields do not apply to ExternalName services. More info: "
    "https://kubernetes.io/docs/concepts/services-networking/service/"
    "#publishing-services-service-types";
constexpr std::string_view kDocServiceSpecClusterIP =
    "clusterIP is the IP address of the service and is usually assigned randomly. If an "
    "address is specified manually, is in-range (as per system configuration), and is not in "
    "use, it will be allocated to the service; otherwise creation of the service will fail. "
    "This field may not be changed through updates unless the type field is also being "
    "changed to ExternalName (which requires this field to be blank) or the type field is "
    "being changed from ExternalName (in which case this field may optionally be specified, "
    "as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP "
    "address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is "
    "useful when direct endpoint connections are preferred and proxying is not required.  "
    "Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified "
    "when creating a Service of type ExternalName, creation will fail. This field will be "
    "wiped when updating a Service to type ExternalName. More info: "
    "https://kubernetes.io/docs/concepts/services-networking/service/"
    "#virtual-ips-and-service-proxies";
constexpr std::string_view kDocServiceSpecExternalIPs =
    "externalIPs is a list of IP addresses for which nodes in the cluster will also accept "
    "traffic for this service.  These IPs are not managed by Kubernetes.  The user is "
    "responsible for ensuring that traffic arrives at a node with this IP.  A common example "
    "is external load-balancers that are not part of the Kubernetes system.";
constexpr std::string_view kDocServiceSpecPorts =
    "The list of ports that are exposed by this service. More info: "
    "https://kubernetes.io/docs/concepts/services-networking/service/"
    "#virtual-ips-and-service-proxies";
constexpr std::string_view kDocServiceSpecSelector =
    "Route service traffic to pods with label keys and values matching this selector. If "
    "empty or not present, the service is assumed to have an external process managing its "
    "endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, "
    "and LoadBalancer. Ignored if type is ExternalName. More info: "
    "https://kubernetes.io/docs/concepts/services-networking/service/";

// extensions/v1beta1 DeploymentStatus / DeploymentSpec (printers.go uses those types' docs).
constexpr std::string_view kDocDeploymentStatusUpdatedReplicas =
    "Total number of non-terminating pods targeted by this deployment that have the desired "
    "template spec.";
constexpr std::string_view kDocDeploymentStatusAvailableReplicas =
    "Total number of available non-terminating pods (ready for at least minReadySeconds) "
    "targeted by this deployment.";
constexpr std::string_view kDocDeploymentSpecSelector =
    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be "
    "the ones affected by this deployment.";

constexpr std::string_view kDocEventLastTimestamp =
    "The time at which the most recent occurrence of this event was recorded.";
constexpr std::string_view kDocEventType =
    "Type of this event (Normal, Warning), new types could be added in the future";
constexpr std::string_view kDocEventReason =
    "This should be a short, machine understandable string that gives the reason for the "
    "transition into the object's current status.";
constexpr std::string_view kDocEventInvolvedObject = "The object that this event is about.";
constexpr std::string_view kDocObjectReferenceFieldPath =
    "If referring to a piece of an object instead of an entire object, this string should "
    "contain a valid JSON/Go field access statement, such as "
    "desiredState.manifest.containers[2]. For example, if the object reference is to a "
    "container within a pod, this would take on a value like: \"spec.containers{name}\" "
    "(where \"name\" refers to the name of the container that triggered the event) or if no "
    "container name is specified \"spec.containers[2]\" (container with index 2 in this "
    "pod). This syntax is chosen only to have some well-defined way of referencing a part of "
    "an object.";
constexpr std::string_view kDocEventSource =
    "The component reporting this event. Should be a short machine understandable string.";
constexpr std::string_view kDocEventMessage =
    "A human-readable description of the status of this operation.";
constexpr std::string_view kDocEventFirstTimestamp =
    "The time at which the event was first recorded. (Time of server receipt is in "
    "TypeMeta.)";
constexpr std::string_view kDocEventCount = "The number of times this event has occurred.";

constexpr std::string_view kDocSecretType =
    "Used to facilitate programmatic handling of secret data. More info: "
    "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types";
constexpr std::string_view kDocSecretData =
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', "
    "'_' or '.'. The serialized form of the secret data is a base64 encoded string, "
    "representing the arbitrary (possibly non-string) data value here. Described in "
    "https://tools.ietf.org/html/rfc4648#section-4";
constexpr std::string_view kDocConfigMapData =
    "Data contains the configuration data. Each key must consist of alphanumeric characters, "
    "'-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. "
    "The keys stored in Data must not overlap with the keys in the BinaryData field, this is "
    "enforced during validation process.";

constexpr std::string_view kDocNodeSystemInfoKubeletVersion = "Kubelet Version reported by the node.";
constexpr std::string_view kDocNodeStatusAddresses =
    "List of addresses reachable to the node. Queried from cloud provider, if available. "
    "More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This "
    "field is declared as mergeable, but the merge key is not sufficiently unique, which can "
    "cause data corruption when it is merged. Callers should instead use a full-replacement "
    "patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that "
    "addresses can change during the lifetime of a Node. However, there are some exceptions "
    "where this may not be possible, such as Pods that inherit a Node's address in its own "
    "status or consumers of the downward API (status.hostIP).";
constexpr std::string_view kDocNodeSystemInfoOSImage =
    "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).";
constexpr std::string_view kDocNodeSystemInfoKernelVersion =
    "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).";
constexpr std::string_view kDocNodeSystemInfoContainerRuntimeVersion =
    "ContainerRuntime Version reported by the node through runtime remote API (e.g. "
    "containerd://1.4.2).";

// ---------------------------------------------------------------------------------------
// Columns

mv1::TableColumnDefinition Column(std::string_view name, std::string_view type,
                                  std::string_view description, int32_t priority = 0,
                                  std::string_view format = "") {
  mv1::TableColumnDefinition c;
  c.Name = std::string(name);
  c.Type = std::string(type);
  c.Format = std::string(format);
  c.Description = std::string(description);
  c.Priority = priority;
  return c;
}

mv1::TableColumnDefinition NameColumn(int32_t priority = 0) {
  return Column("Name", "string", kDocObjectMetaName, priority, "name");
}
mv1::TableColumnDefinition AgeColumn() {
  return Column("Age", "string", kDocObjectMetaCreationTimestamp);
}

constexpr std::string_view kDocContainers = "Names of each container in the template.";
constexpr std::string_view kDocImages = "Images referenced by each container in the template.";

// ---------------------------------------------------------------------------------------
// Helpers (printers.go and the apimachinery functions it calls)

// now.Sub(t) with Go's saturation at the Duration limits.
std::chrono::nanoseconds Since(int64_t t_sec, int32_t t_nsec, const mv1::Time& now) {
  const __int128 d = (static_cast<__int128>(now.unix_seconds()) - t_sec) * 1000000000 +
                     (static_cast<__int128>(now.nanos()) - t_nsec);
  if (d > INT64_MAX) return std::chrono::nanoseconds(INT64_MAX);
  if (d < INT64_MIN) return std::chrono::nanoseconds(INT64_MIN);
  return std::chrono::nanoseconds(static_cast<int64_t>(d));
}

std::string TranslateMicroTimestampSince(const mv1::MicroTime& t, const mv1::Time& now) {
  if (t.IsZero()) return "<unknown>";
  return HumanDuration(Since(t.unix_seconds(), t.nanos(), now));
}

// Go's t.Before(u) on instants.
bool Before(const mv1::Time& t, const mv1::Time& u) {
  if (t.unix_seconds() != u.unix_seconds()) return t.unix_seconds() < u.unix_seconds();
  return t.nanos() < u.nanos();
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

// strings.ToLower for the ASCII letters (kinds are ASCII).
std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The length of the Unicode white space rune (Go's unicode.IsSpace) starting at s[i], or 0.
size_t SpaceAt(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b == ' ' || (b >= '\t' && b <= '\r')) return 1;
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  if (b == 0xC2 && (at(1) == 0x85 || at(1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (b == 0xE1 && at(1) == 0x9A && at(2) == 0x80) return 3;     // U+1680
  if (b == 0xE2 && at(1) == 0x80) {
    const unsigned char c = at(2);
    if ((c >= 0x80 && c <= 0x8A) || c == 0xA8 || c == 0xA9 || c == 0xAF) return 3;
  }
  if (b == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) return 3;  // U+205F
  if (b == 0xE3 && at(1) == 0x80 && at(2) == 0x80) return 3;  // U+3000
  return 0;
}

// strings.TrimSpace.
std::string TrimSpace(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t n = SpaceAt(s, begin);
    if (n == 0) break;
    begin += n;
  }
  size_t end = s.size();
  while (end > begin) {
    // Find the start of the last rune (at most 3 bytes back for the spaces above).
    size_t start = end - 1;
    while (start > begin && end - start < 3 &&
           (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
      --start;
    }
    size_t n = SpaceAt(s, start);
    if (n == 0 || start + n != end) break;
    end = start;
  }
  return std::string(s.substr(begin, end - begin));
}

// labels.FormatLabels: "k=v,..." in key order, "<none>" when empty.
std::string FormatLabels(const typed::Map<std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out.push_back(',');
    out.append(k).push_back('=');
    out.append(v);
  }
  return out.empty() ? "<none>" : out;
}

// --- label selectors (metav1.LabelSelectorAsSelector(...).String()) ---

// validateLabelKey: a qualified name, "[prefix/]name".
bool IsLabelKey(std::string_view key) { return IsQualifiedName(key); }

bool IsLabelValue(std::string_view v) { return IsQualifiedNamePart(v, true); }

// The selector's text, or "<invalid>" when LabelSelectorAsSelector fails. A nil selector
// (labels.Nothing()) and an empty one (labels.Everything()) both print "".
std::string FormatSelector(const typed::Ptr<mv1::LabelSelector>& ps) {
  if (!ps) return "";
  struct Requirement {
    std::string key;
    std::string text;
  };
  std::vector<Requirement> reqs;
  for (const auto& [k, v] : ps->MatchLabels) {
    if (!IsLabelKey(k) || !IsLabelValue(v)) return "<invalid>";
    reqs.push_back({k, k + "=" + v});
  }
  for (const mv1::LabelSelectorRequirement& e : ps->MatchExpressions) {
    if (!IsLabelKey(e.Key)) return "<invalid>";
    std::string text;
    if (e.Operator == "In" || e.Operator == "NotIn") {
      if (e.Values.empty()) return "<invalid>";
      std::vector<std::string> values(e.Values.begin(), e.Values.end());
      for (const std::string& v : values) {
        if (!IsLabelValue(v)) return "<invalid>";
      }
      std::sort(values.begin(), values.end());
      text = e.Key + (e.Operator == "In" ? " in (" : " notin (") + Join(values, ",") + ")";
    } else if (e.Operator == "Exists" || e.Operator == "DoesNotExist") {
      if (!e.Values.empty()) return "<invalid>";
      text = (e.Operator == "DoesNotExist" ? "!" : "") + e.Key;
    } else {
      return "<invalid>";
    }
    reqs.push_back({e.Key, std::move(text)});
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  std::string out;
  for (const Requirement& r : reqs) {
    if (!out.empty()) out.push_back(',');
    out.append(r.text);
  }
  return out;
}

// layoutContainerCells.
void LayoutContainerCells(const typed::Slice<core::Container>& containers, std::string* names,
                          std::string* images) {
  for (size_t i = 0; i < containers.size(); ++i) {
    if (i > 0) {
      names->push_back(',');
      images->push_back(',');
    }
    names->append(containers[i].Name);
    images->append(containers[i].Image);
  }
}

Status WrongKind(const typed::Object& obj, std::string_view printer) {
  return InvalidArgument("the " + std::string(printer) + " table printer cannot print an object of kind " +
                         obj.kind().api_version() + ", Kind=" + std::string(obj.kind().kind));
}

void AddCell(TableRowContent* row, api::Value v) { row->cells.push_back(std::move(v)); }

// ---------------------------------------------------------------------------------------
// A printer: columns + a row function.

using RowFn = Status (*)(const typed::Object& obj, const mv1::Time& now, TableRowContent* row);

class FuncPrinter final : public collection::TablePrinter {
 public:
  FuncPrinter(std::vector<mv1::TableColumnDefinition> columns, RowFn fn, bool empty_rows_null)
      : fn_(fn), empty_rows_null_(empty_rows_null) {
    columns_.set_non_nil();
    for (auto& c : columns) columns_.push_back(std::move(c));
  }
  const ColumnList& columns() const override { return columns_; }
  Status PrintRow(const typed::Object& obj, const mv1::Time& now,
                  TableRowContent* row) const override {
    row->Clear();
    return fn_(obj, now, row);
  }
  bool empty_rows_null() const override { return empty_rows_null_; }

 private:
  ColumnList columns_;
  RowFn fn_;
  bool empty_rows_null_;
};

// ---------------------------------------------------------------------------------------
// Default (rest/table.go)

Status PrintDefault(const typed::Object& obj, const mv1::Time&, TableRowContent* row) {
  const mv1::ObjectMeta* meta = obj.object_meta();
  if (meta == nullptr) {
    return InvalidArgument("the resource of kind " + std::string(obj.kind().kind) +
                           " does not support being converted to a Table");
  }
  AddCell(row, meta->Name);
  AddCell(row, meta->CreationTimestamp.FormatRfc3339());
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Namespaces, ConfigMaps, Secrets

Status PrintNamespace(const typed::Object& obj, const mv1::Time& now, TableRowContent* row) {
  const auto* ns = obj.As<core::Namespace>();
  if (ns == nullptr) return WrongKind(obj, "namespaces");
  AddCell(row, ns->ObjectMeta.Name);
  // SetDefaults_NamespaceStatus.
  AddCell(row, ns->Status.Phase.empty() ? std::string("Active") : ns->Status.Phase);
  AddCell(row, TranslateTimestampSince(ns->ObjectMeta.CreationTimestamp, now));
  return Status::Ok();
}

Status PrintConfigMap(const typed::Object& obj, const mv1::Time& now, TableRowContent* row) {
  const auto* cm = obj.As<core::ConfigMap>();
  if (cm == nullptr) return WrongKind(obj, "configmaps");
  AddCell(row, cm->ObjectMeta.Name);
  AddCell(row, static_cast<int64_t>(cm->Data.size() + cm->BinaryData.size()));
  AddCell(row, TranslateTimestampSince(cm->ObjectMeta.CreationTimestamp, now));
  return Status::Ok();
}

Status PrintSecret(const typed::Object& obj, const mv1::Time& now, TableRowContent* row) {
  const auto* s = obj.As<core::Secret>();
  if (s == nullptr) return WrongKind(obj, "secrets");
  AddCell(row, s->ObjectMeta.Name);
  // SetDefaults_Secret.
  AddCell(row, s->Type.empty() ? std::string("Opaque") : s->Type);
  // The conversion to the internal type merges stringData into data.
  size_t n = s->Data.size();
  for (const auto& [k, v] : s->StringData) {
    if (s->Data.find(k) == s->Data.end()) ++n;
  }
  AddCell(row, static_cast<int64_t>(n));
  AddCell(row, TranslateTimestampSince(s->ObjectMeta.CreationTimestamp, now));
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Pods (printPod)

bool IsRestartableInitContainer(const core::Container* c) {
  return c != nullptr && c->RestartPolicy.has_value() && *c->RestartPolicy == "Always";
}

bool HasPodReadyCondition(const core::PodStatus& status) {
  for (const core::PodCondition& c : status.Conditions) {
    if (c.Type == "Ready" && c.Status == "True") return true;
  }
  return false;
}

bool IsPodInitializedConditionTrue(const core::PodStatus& status) {
  for (const core::PodCondition& c : status.Conditions) {
    if (c.Type != "Initialized") continue;
    return c.Status == "True";
  }
  return false;
}

Status PrintPod(const typed::Object& obj, const mv1::Time& now, TableRowContent* row) {
  const auto* pod = obj.As<core::Pod>();
  if (pod == nullptr) return WrongKind(obj, "pods");
  const core::PodSpec& spec = pod->Spec;
  const core::PodStatus& status = pod->Status;

  int64_t restarts = 0;
  int64_t restartable_init_restarts = 0;
  int64_t total_containers = static_cast<int64_t>(spec.Containers.size());
  int64_t ready_containers = 0;
  mv1::Time last_restart;
  mv1::Time last_restartable_init_restart;

  const std::string& phase = status.Phase;
  std::string reason = phase;
  if (!status.Reason.empty()) reason = status.Reason;
  for (const core::PodCondition& c : status.Conditions) {
    if (c.Type == "PodScheduled" && c.Reason == "SchedulingGated") reason = "SchedulingGated";
  }

  if (phase == "Succeeded" || phase == "Failed") {
    mv1::TableRowCondition cond;
    cond.Type = "Completed";
    cond.Status = "True";
    cond.Reason = phase;
    cond.Message = phase == "Succeeded" ? "The pod has completed successfully." : "The pod failed.";
    row->conditions.push_back(std::move(cond));
  }

  // Init containers by name (the last one of a name wins, as in the Go map).
  std::map<std::string_view, const core::Container*> init_containers;
  for (const core::Container& c : spec.InitContainers) {
    init_containers[c.Name] = &c;
    if (IsRestartableInitContainer(&c)) ++total_containers;
  }
  auto init_container = [&](const std::string& name) -> const core::Container* {
    auto it = init_containers.find(name);
    return it == init_containers.end() ? nullptr : it->second;
  };

  bool initializing = false;
  for (size_t i = 0; i < status.InitContainerStatuses.size(); ++i) {
    const core::ContainerStatus& c = status.InitContainerStatuses[i];
    restarts += c.RestartCount;
    if (c.LastTerminationState.Terminated) {
      const mv1::Time& finished = c.LastTerminationState.Terminated->FinishedAt;
      if (Before(last_restart, finished)) last_restart = finished;
    }
    const bool restartable = IsRestartableInitContainer(init_container(c.Name));
    if (restartable) {
      restartable_init_restarts += c.RestartCount;
      if (c.LastTerminationState.Terminated) {
        const mv1::Time& finished = c.LastTerminationState.Terminated->FinishedAt;
        if (Before(last_restartable_init_restart, finished)) last_restartable_init_restart = finished;
      }
    }
    const core::ContainerStateTerminated* term = c.State.Terminated.get();
    const core::ContainerStateWaiting* wait = c.State.Waiting.get();
    if (term != nullptr && term->ExitCode == 0) continue;
    if (restartable && c.Started.has_value() && *c.Started) {
      if (c.Ready) ++ready_containers;
      continue;
    }
    if (term != nullptr) {
      // Initialization failed.
      if (term->Reason.empty()) {
        if (term->Signal != 0) {
          reason = "Init:Signal:" + std::to_string(term->Signal);
        } else {
          reason = "Init:ExitCode:" + std::to_string(term->ExitCode);
        }
      } else {
        reason = "Init:" + term->Reason;
      }
    } else if (wait != nullptr && !wait->Reason.empty() && wait->Reason != "PodInitializing") {
      reason = "Init:" + wait->Reason;
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(spec.InitContainers.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || IsPodInitializedConditionTrue(status)) {
    restarts = restartable_init_restarts;
    last_restart = last_restartable_init_restart;
    bool has_running = false;
    for (size_t i = status.ContainerStatuses.size(); i-- > 0;) {
      const core::ContainerStatus& c = status.ContainerStatuses[i];
      restarts += c.RestartCount;
      if (c.LastTerminationState.Terminated) {
        const mv1::Time& finished = c.LastTerminationState.Terminated->FinishedAt;
        if (Before(last_restart, finished)) last_restart = finished;
      }
      const core::ContainerStateTerminated* term = c.State.Terminated.get();
      const core::ContainerStateWaiting* wait = c.State.Waiting.get();
      if (wait != nullptr && !wait->Reason.empty()) {
        reason = wait->Reason;
      } else if (term != nullptr && !term->Reason.empty()) {
        reason = term->Reason;
      } else if (term != nullptr) {
        if (term->Signal != 0) {
          reason = "Signal:" + std::to_string(term->Signal);
        } else {
          reason = "ExitCode:" + std::to_string(term->ExitCode);
        }
      } else if (c.Ready && c.State.Running) {
        has_running = true;
        ++ready_containers;
      }
    }
    // Back to "Running" if a container still reports running.
    if (reason == "Completed" && has_running) {
      reason = HasPodReadyCondition(status) ? "Running" : "NotReady";
    }
  }

  const bool deleting = static_cast<bool>(pod->ObjectMeta.DeletionTimestamp);
  if (deleting && status.Reason == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase != "Failed" && phase != "Succeeded") {
    reason = "Terminating";
  }

  std::string restarts_str = std::to_string(restarts);
  if (restarts != 0 && !last_restart.IsZero()) {
    restarts_str += " (" + TranslateTimestampSince(last_restart, now) + " ago)";
  }

  AddCell(row, pod->ObjectMeta.Name);
  AddCell(row, std::to_string(ready_containers) + "/" + std::to_string(total_containers));
  AddCell(row, reason);
  AddCell(row, restarts_str);
  AddCell(row, TranslateTimestampSince(pod->ObjectMeta.CreationTimestamp, now));

  // Wide columns. The internal PodStatus's podIPs[0] is v1 podIP when set.
  std::string pod_ip = status.PodIP;
  if (pod_ip.empty() && !status.PodIPs.empty()) pod_ip = status.PodIPs[0].IP;
  if (pod_ip.empty()) pod_ip = "<none>";
  std::string node_name = spec.NodeName.empty() ? "<none>" : spec.NodeName;
  std::string nominated =
      status.NominatedNodeName.empty() ? "<none>" : status.NominatedNodeName;
  std::string gates = "<none>";
  if (!spec.ReadinessGates.empty()) {
    int64_t true_conditions = 0;
    for (const core::PodReadinessGate& gate : spec.ReadinessGates) {
      for (const core::PodCondition& c : status.Conditions) {
        if (c.Type == gate.ConditionType) {
          if (c.Status == "True") ++true_conditions;
          break;
        }
      }
    }
    gates = std::to_string(true_conditions) + "/" + std::to_string(spec.ReadinessGates.size());
  }
  AddCell(row, pod_ip);
  AddCell(row, node_name);
  AddCell(row, nominated);
  AddCell(row, gates);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Services

std::string ServiceExternalIP(const core::Service& svc, const std::string& type) {
  const core::ServiceSpec& spec = svc.Spec;
  if (type == "ClusterIP" || type == "NodePort") {
    if (!spec.ExternalIPs.empty()) {
      return Join(std::vector<std::string>(spec.ExternalIPs.begin(), spec.ExternalIPs.end()), ",");
    }
    return "<none>";
  }
  if (type == "LoadBalancer") {
    // loadBalancerStatusStringer (wide: not clipped): the sorted set of IPs/hostnames.
    std::set<std::string> ingress;
    for (const core::LoadBalancerIngress& in : svc.Status.LoadBalancer.Ingress) {
      if (!in.IP.empty()) {
        ingress.insert(in.IP);
      } else if (!in.Hostname.empty()) {
        ingress.insert(in.Hostname);
      }
    }
    std::vector<std::string> results(ingress.begin(), ingress.end());
    if (!spec.ExternalIPs.empty()) {
      results.insert(results.end(), spec.ExternalIPs.begin(), spec.ExternalIPs.end());
      return Join(results, ",");
    }
    if (!results.empty()) return Join(results, ",");
    return "<pending>";
  }
  if (type == "ExternalName") return spec.ExternalName;
  return "<unknown>";
}

Status PrintService(const typed::Object& obj, const mv1::Time& now, TableRowContent* row) {
  const auto* svc = obj.As<core::Service>();
  if (svc == nullptr) return WrongKind(obj, "services");
  const core::ServiceSpec& spec = svc->Spec;
  // SetDefaults_Service.
  const std::string type = spec.Type.empty() ? std::string("ClusterIP") : spec.Type;
  std::string internal_ip = "<none>";
  if (!spec.ClusterIPs.empty()) {
    internal_ip = spec.ClusterIPs[0];
  } else if (!spec.ClusterIP.empty()) {
    internal_ip = spec.ClusterIP;
  }
  std::string ports;
  for (size_t i = 0; i < spec.Ports.size(); ++i) {
    const core::ServicePort& p = spec.Ports[i];
    if (i > 0) ports.push_back(',');
    // SetDefaults_ServicePort.
    const std::string& protocol = p.Protocol.empty() ? std::string("TCP") : p.Protocol;
    ports += std::to_string(p.Port);
    if (p.NodePort > 0) ports += ":" + std::to_string(p.NodePort);
    ports += "/" + protocol;
  }
  if (ports.empty()) ports = "<none>";

  AddCell(row, svc->ObjectMeta.Name);
  AddCell(row, type);
  AddCell(row, internal_ip);
  AddCell(row, ServiceExternalIP(*svc, type));
  AddCell(row, ports);
  AddCell(row, TranslateTimestampSince(svc->ObjectMeta.CreationTimestamp, now));
  AddCell(row, FormatLabels(spec.Selector));
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Deployments

Status PrintDeployment(const typed::Object& obj, const mv1::Time& now, TableRowContent* row) {
  const auto* d = obj.As<k8s::apps::v1::Deployment>();
  if (d == nullptr) return WrongKind(obj, "deployments");
  // SetDefaults_Deployment (apps/v1): replicas 1.
  const int64_t desired = d->Spec.Replicas.has_value() ? *d->Spec.Replicas : 1;
  std::string names;
  std::string images;
  LayoutContainerCells(d->Spec.Template.Spec.Containers, &names, &images);
  AddCell(row, d->ObjectMeta.Name);
  AddCell(row, std::to_string(d->Status.ReadyReplicas) + "/" + std::to_string(desired));
  AddCell(row, static_cast<int64_t>(d->Status.UpdatedReplicas));
  AddCell(row, static_cast<int64_t>(d->Status.AvailableReplicas));
  AddCell(row, TranslateTimestampSince(d->ObjectMeta.CreationTimestamp, now));
  AddCell(row, std::move(names));
  AddCell(row, std::move(images));
  AddCell(row, FormatSelector(d->Spec.Selector));
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Events (core/v1 and events.k8s.io/v1 both print as kube's internal Event)

struct EventView {
  const std::string* name;
  const core::ObjectReference* involved;
  const std::string* reason;
  const std::string* message;
  const core::EventSource* source;
  const mv1::Time* first;
  const mv1::Time* last;
  int32_t count;
  const std::string* type;
  const mv1::MicroTime* event_time;
  bool has_series;
  int32_t series_count;
  const mv1::MicroTime* series_last;
  const std::string* reporting_controller;
  const std::string* reporting_instance;
};

std::string FirstNonEmpty(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

Status PrintEvent(const typed::Object& obj, const mv1::Time& now, TableRowContent* row) {
  EventView e{};
  if (const auto* ev = obj.As<core::Event>()) {
    e = {&ev->ObjectMeta.Name, &ev->InvolvedObject, &ev->Reason, &ev->Message, &ev->Source,
         &ev->FirstTimestamp, &ev->LastTimestamp, ev->Count, &ev->Type, &ev->EventTime,
         static_cast<bool>(ev->Series), ev->Series ? ev->Series->Count : 0,
         ev->Series ? &ev->Series->LastObservedTime : nullptr, &ev->ReportingController,
         &ev->ReportingInstance};
  } else if (const auto* ev = obj.As<k8s::events::v1::Event>()) {
    e = {&ev->ObjectMeta.Name, &ev->Regarding, &ev->Reason, &ev->Note, &ev->DeprecatedSource,
         &ev->DeprecatedFirstTimestamp, &ev->DeprecatedLastTimestamp, ev->DeprecatedCount,
         &ev->Type, &ev->EventTime, static_cast<bool>(ev->Series),
         ev->Series ? ev->Series->Count : 0,
         ev->Series ? &ev->Series->LastObservedTime : nullptr, &ev->ReportingController,
         &ev->ReportingInstance};
  } else {
    return WrongKind(obj, "events");
  }

  std::string first = TranslateTimestampSince(*e.first, now);
  if (e.first->IsZero()) first = TranslateMicroTimestampSince(*e.event_time, now);
  std::string last = TranslateTimestampSince(*e.last, now);
  if (e.last->IsZero()) last = first;
  int64_t count = e.count;
  if (e.has_series) {
    last = TranslateMicroTimestampSince(*e.series_last, now);
    count = e.series_count;
  } else if (count == 0) {
    count = 1;  // singleton events have no count in the new API
  }
  std::string target = AsciiLower(e.involved->Kind);
  if (!e.involved->Name.empty()) target += "/" + e.involved->Name;
  const std::string component = FirstNonEmpty(e.source->Component, *e.reporting_controller);
  const std::string instance = FirstNonEmpty(e.source->Host, *e.reporting_instance);
  const std::string source = instance.empty() ? component : component + ", " + instance;

  AddCell(row, last);
  AddCell(row, *e.type);
  AddCell(row, *e.reason);
  AddCell(row, target);
  AddCell(row, e.involved->FieldPath);
  AddCell(row, source);
  AddCell(row, TrimSpace(*e.message));
  AddCell(row, first);
  AddCell(row, count);
  AddCell(row, *e.name);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// Nodes

Status PrintNode(const typed::Object& obj, const mv1::Time& now, TableRowContent* row) {
  const auto* node = obj.As<core::Node>();
  if (node == nullptr) return WrongKind(obj, "nodes");
  const core::NodeCondition* ready = nullptr;
  for (const core::NodeCondition& c : node->Status.Conditions) {
    if (c.Type == "Ready") ready = &c;  // the last one wins, as in the Go map
  }
  std::vector<std::string> status;
  if (ready != nullptr) status.push_back(ready->Status == "True" ? "Ready" : "NotReady");
  if (status.empty()) status.push_back("Unknown");
  if (node->Spec.Unschedulable) status.push_back("SchedulingDisabled");

  std::set<std::string> roles;
  constexpr std::string_view kRolePrefix = "node-role.kubernetes.io/";
  for (const auto& [k, v] : node->ObjectMeta.Labels) {
    if (std::string_view(k).substr(0, kRolePrefix.size()) == kRolePrefix) {
      if (k.size() > kRolePrefix.size()) roles.insert(k.substr(kRolePrefix.size()));
    } else if (k == "kubernetes.io/role" && !v.empty()) {
      roles.insert(v);
    }
  }
  std::string roles_str = Join(std::vector<std::string>(roles.begin(), roles.end()), ",");
  if (roles_str.empty()) roles_str = "<none>";

  auto address = [&](std::string_view type) -> std::string {
    for (const core::NodeAddress& a : node->Status.Addresses) {
      if (a.Type == type) return a.Address;
    }
    return "<none>";
  };
  const core::NodeSystemInfo& info = node->Status.NodeInfo;
  auto or_unknown = [](const std::string& s) { return s.empty() ? std::string("<unknown>") : s; };

  AddCell(row, node->ObjectMeta.Name);
  AddCell(row, Join(status, ","));
  AddCell(row, roles_str);
  AddCell(row, TranslateTimestampSince(node->ObjectMeta.CreationTimestamp, now));
  AddCell(row, info.KubeletVersion);
  AddCell(row, address("InternalIP"));
  AddCell(row, address("ExternalIP"));
  AddCell(row, or_unknown(info.OSImage));
  AddCell(row, or_unknown(info.KernelVersion));
  AddCell(row, or_unknown(info.ContainerRuntimeVersion));
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------
// The table

const FuncPrinter& DefaultPrinter() {
  static const FuncPrinter* p = new FuncPrinter(
      {NameColumn(), Column("Created At", "date", kDocObjectMetaCreationTimestamp)}, &PrintDefault,
      /*empty_rows_null=*/true);
  return *p;
}

const FuncPrinter& NamespacePrinter() {
  static const FuncPrinter* p = new FuncPrinter(
      {NameColumn(), Column("Status", "string", "The status of the namespace"), AgeColumn()},
      &PrintNamespace, false);
  return *p;
}

const FuncPrinter& ConfigMapPrinter() {
  static const FuncPrinter* p = new FuncPrinter(
      {NameColumn(), Column("Data", "string", kDocConfigMapData), AgeColumn()}, &PrintConfigMap,
      false);
  return *p;
}

const FuncPrinter& SecretPrinter() {
  static const FuncPrinter* p = new FuncPrinter(
      {NameColumn(), Column("Type", "string", kDocSecretType),
       Column("Data", "string", kDocSecretData), AgeColumn()},
      &PrintSecret, false);
  return *p;
}

const FuncPrinter& PodPrinter() {
  static const FuncPrinter* p = new FuncPrinter(
      {NameColumn(),
       Column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
       Column("Status", "string", "The aggregate status of the containers in this pod."),
       Column("Restarts", "string",
              "The number of times the containers in this pod have been restarted and when the "
              "last container in this pod has restarted."),
       AgeColumn(), Column("IP", "string", kDocPodStatusPodIP, 1),
       Column("Node", "string", kDocPodSpecNodeName, 1),
       Column("Nominated Node", "string", kDocPodStatusNominatedNodeName, 1),
       Column("Readiness Gates", "string", kDocPodSpecReadinessGates, 1)},
      &PrintPod, false);
  return *p;
}

const FuncPrinter& ServicePrinter() {
  static const FuncPrinter* p = new FuncPrinter(
      {NameColumn(), Column("Type", "string", kDocServiceSpecType),
       Column("Cluster-IP", "string", kDocServiceSpecClusterIP),
       Column("External-IP", "string", kDocServiceSpecExternalIPs),
       Column("Port(s)", "string", kDocServiceSpecPorts), AgeColumn(),
       Column("Selector", "string", kDocServiceSpecSelector, 1)},
      &PrintService, false);
  return *p;
}

const FuncPrinter& DeploymentPrinter() {
  static const FuncPrinter* p = new FuncPrinter(
      {NameColumn(), Column("Ready", "string", "Number of the pod with ready state"),
       Column("Up-to-date", "string", kDocDeploymentStatusUpdatedReplicas),
       Column("Available", "string", kDocDeploymentStatusAvailableReplicas), AgeColumn(),
       Column("Containers", "string", kDocContainers, 1),
       Column("Images", "string", kDocImages, 1),
       Column("Selector", "string", kDocDeploymentSpecSelector, 1)},
      &PrintDeployment, false);
  return *p;
}

const FuncPrinter& EventPrinter() {
  static const FuncPrinter* p = new FuncPrinter(
      {Column("Last Seen", "string", kDocEventLastTimestamp),
       Column("Type", "string", kDocEventType), Column("Reason", "string", kDocEventReason),
       Column("Object", "string", kDocEventInvolvedObject),
       Column("Subobject", "string", kDocObjectReferenceFieldPath, 1),
       Column("Source", "string", kDocEventSource, 1),
       Column("Message", "string", kDocEventMessage),
       Column("First Seen", "string", kDocEventFirstTimestamp, 1),
       Column("Count", "string", kDocEventCount, 1), NameColumn(1)},
      &PrintEvent, false);
  return *p;
}

const FuncPrinter& NodePrinter() {
  static const FuncPrinter* p = new FuncPrinter(
      {NameColumn(), Column("Status", "string", "The status of the node"),
       Column("Roles", "string", "The roles of the node"), AgeColumn(),
       Column("Version", "string", kDocNodeSystemInfoKubeletVersion),
       Column("Internal-IP", "string", kDocNodeStatusAddresses, 1),
       Column("External-IP", "string", kDocNodeStatusAddresses, 1),
       Column("OS-Image", "string", kDocNodeSystemInfoOSImage, 1),
       Column("Kernel-Version", "string", kDocNodeSystemInfoKernelVersion, 1),
       Column("Container-Runtime", "string", kDocNodeSystemInfoContainerRuntimeVersion, 1)},
      &PrintNode, false);
  return *p;
}

}  // namespace

std::string TranslateTimestampSince(const mv1::Time& t, const mv1::Time& now) {
  if (t.IsZero()) return "<unknown>";
  return HumanDuration(Since(t.unix_seconds(), t.nanos(), now));
}

const TablePrinter& DefaultTablePrinter() { return DefaultPrinter(); }

std::string_view ObjectMetaNameDoc() { return kDocObjectMetaName; }
std::string_view ObjectMetaCreationTimestampDoc() { return kDocObjectMetaCreationTimestamp; }

const TablePrinter& PrinterFor(std::string_view group, std::string_view resource) {
  if (group.empty()) {
    if (resource == "pods") return PodPrinter();
    if (resource == "configmaps") return ConfigMapPrinter();
    if (resource == "secrets") return SecretPrinter();
    if (resource == "namespaces") return NamespacePrinter();
    if (resource == "services") return ServicePrinter();
    if (resource == "events") return EventPrinter();
    if (resource == "nodes") return NodePrinter();
  } else if (group == "apps") {
    if (resource == "deployments") return DeploymentPrinter();
  } else if (group == "events.k8s.io") {
    if (resource == "events") return EventPrinter();
  }
  return DefaultPrinter();
}

}  // namespace kstream::registry
