// `kstream-bench load`: creates N objects of one kind through the API, as JSON POSTs
// from C concurrent keep-alive connections (coroutines on one I/O thread: the server does
// the work), creating the namespace first when it is missing.
//
// Objects are generated deterministically from their index:
//   - ConfigMap: data.payload of `size` characters (pseudo-random alphanumerics, or one
//     repeated character with random_payload = false);
//   - Secret (Opaque): data.payload holding base64 of `size` random bytes;
//   - Widget (a custom resource): spec.payload of `size` characters, spec.replicas, spec.tier;
//   - Pod: shaped like a pod of a Deployment on a real node: labels, annotations, an owner
//     reference, three containers (app + two sidecars) with ports, env (values and
//     fieldRef/secretKeyRef), resources, liveness/readiness probes, volume mounts and
//     security context; volumes, tolerations, affinity; and a Running status (conditions,
//     IPs, container statuses). When the server does not keep the status given at create
//     (kube resets it), it is written through the status subresource. An annotation pads
//     the object up to `size` bytes when that is larger than the pod itself.
// Objects that already exist (409) are counted as such and kept.
//
// Progress goes to stderr (one line rewritten in place on a terminal, a line every 10%
// otherwise); the summary line is returned.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "kstream_bench/args.h"

namespace kstream::bench {

// "<prefix><index, at least 6 digits>"
std::string ObjectName(const LoadOptions& o, uint64_t index);
// The collection path: /api/v1/namespaces/<ns>/<resource> (widgets: under /apis/bench.kstream.io/v1).
std::string CollectionPath(const LoadOptions& o);
// The CRD of the widget kind (widgets.bench.kstream.io: a structural schema with an enum, a
// minimum and a required field, the status subresource and printer columns).
std::string WidgetCrdJson();
// The JSON body that creates object `index`.
std::string ObjectJson(const LoadOptions& o, uint64_t index);
// For pods: the status part ({"phase":...}) written after create.
std::string PodStatusJson(uint64_t index);

struct LoadResult {
  uint64_t created = 0;
  uint64_t existing = 0;
  uint64_t bytes = 0;  // request body bytes sent for the created objects
  double seconds = 0;
  std::string Summary(const LoadOptions& o) const;
};

Result<LoadResult> RunLoad(const LoadOptions& o);

}  // namespace kstream::bench
