// The TableConvertors of the built-in resources: what `kubectl get` shows, computed on the
// server (../shared/spec/k8s-api-facts.md §9).
//
// PrinterFor(group, resource) returns the printer kube-apiserver 1.33 uses for a resource:
//   - kube's own printers (kubernetes pkg/printers/internalversion/printers.go, called by
//     the server with Wide=true, so every column, priority > 0 included) for namespaces,
//     configmaps, secrets, pods, services, deployments (apps), events (core and
//     events.k8s.io, which share kube's Event storage and printer) and nodes;
//   - kube's default convertor (apiserver/pkg/registry/rest/table.go) for every other
//     resource: columns Name (string, format name) and Created At (date), cells
//     [name, creationTimestamp in UTC RFC 3339]; an empty list gives `"rows":null`.
// Column descriptions are the swagger docs of the Go types (e.g. metav1.ObjectMeta{}.
// SwaggerDoc()["name"]), as of k8s.io/api v0.33.
//
// Cells follow printers.go exactly: pod Ready/Status/Restarts (init containers, sidecars,
// "Init:", "Terminating", "Completed" -> "Running"/"NotReady", "N (Xm ago)" restarts),
// the pod row condition Completed for Succeeded/Failed pods, service external IPs and port
// strings, deployment selectors, event sources, node roles, ages by HumanDuration
// (`<unknown>` for a zero time). Printers see the versioned object (core/v1, apps/v1,
// events.k8s.io/v1) where kube prints its internal form after decoding from storage; where
// that decoding would change what is printed, the printer applies the same rule: the
// defaults kube applies on decode (service type ClusterIP, port protocol TCP, secret type
// Opaque, namespace phase Active, deployment replicas 1), pod IP = status.podIP before
// status.podIPs[0], service cluster IP = spec.clusterIPs[0], else spec.clusterIP, secret
// data counted over data ∪ stringData.
//
// Printers are immutable singletons: thread-safe, valid for the life of the process.
#pragma once

#include <string>
#include <string_view>

#include "api/k8s/meta/v1/time.h"
#include "collection/table.h"

namespace kstream::registry {

using TablePrinter = collection::TablePrinter;

// The printer of a resource ("" for the core group; resource is the plural, e.g. "pods").
const TablePrinter& PrinterFor(std::string_view group, std::string_view resource);

// The swagger docs of ObjectMeta's name and creationTimestamp (column descriptions).
std::string_view ObjectMetaNameDoc();
std::string_view ObjectMetaCreationTimestampDoc();

// kube's default convertor (rest/table.go), for resources without a printer.
const TablePrinter& DefaultTablePrinter();

// translateTimestampSince: "<unknown>" for the zero time, else HumanDuration(now - t)
// (Go's saturating Time.Sub).
std::string TranslateTimestampSince(const k8s::meta::v1::Time& t, const k8s::meta::v1::Time& now);

}  // namespace kstream::registry
