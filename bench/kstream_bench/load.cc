#include "kstream_bench/load.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include <boost/asio.hpp>

#include "kstream_bench/http_client.h"

namespace kstream::bench {

namespace {

using Clock = std::chrono::steady_clock;

// splitmix64: a fast deterministic generator seeded by the object index.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

void AppendAlnum(std::string* out, size_t n, Rng& rng) {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  size_t start = out->size();
  out->resize(start + n);
  char* p = out->data() + start;
  size_t i = 0;
  while (i < n) {
    uint64_t r = rng.Next();
    for (int k = 0; k < 10 && i < n; ++k, r >>= 6) p[i++] = kChars[(r & 63) % 62];
  }
}

void AppendBase64OfRandom(std::string* out, size_t raw, Rng& rng) {
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < raw; i += 3) {
    uint64_t r = rng.Next();
    size_t n = std::min<size_t>(3, raw - i);
    uint32_t v = static_cast<uint32_t>(r & 0xffffff);
    if (n < 3) v &= n == 1 ? 0xff0000 : 0xffff00;
    out->push_back(kB64[(v >> 18) & 63]);
    out->push_back(kB64[(v >> 12) & 63]);
    out->push_back(n > 1 ? kB64[(v >> 6) & 63] : '=');
    out->push_back(n > 2 ? kB64[v & 63] : '=');
  }
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string HexId(Rng& rng, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  while (s.size() < n) {
    uint64_t r = rng.Next();
    for (int k = 0; k < 16 && s.size() < n; ++k, r >>= 4) s.push_back(kHex[r & 15]);
  }
  return s;
}

std::string Ip(uint64_t a, uint64_t b, uint64_t index) {
  return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string((index / 250) % 250) + "." +
         std::to_string(index % 250 + 2);
}

std::string Container(const std::string& name, const std::string& image, int port, const std::string& cpu,
                      const std::string& mem, const std::string& mem_limit, const std::string& extra_env) {
  std::string p = std::to_string(port);
  return R"({"name":")" + name + R"(","image":")" + image + R"(","command":["/usr/local/bin/)" + name +
         R"("],"args":["--port=)" + p + R"(","--log-format=json","--config=/etc/)" + name + R"(/config.yaml"],)" +
         R"("ports":[{"name":"http","containerPort":)" + p + R"(,"protocol":"TCP"}],)" +
         R"("env":[{"name":"LOG_LEVEL","value":"info"},{"name":"GOMAXPROCS","value":"2"},)" +
         R"({"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},)" +
         R"({"name":"POD_NAMESPACE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}},)" +
         R"({"name":"POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}},)" +
         R"({"name":"NODE_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"spec.nodeName"}}})" +
         extra_env + R"(],)" +
         R"("resources":{"limits":{"memory":")" + mem_limit + R"("},"requests":{"cpu":")" + cpu +
         R"(","memory":")" + mem + R"("}},)" +
         R"("volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/)" + name + R"("},)" +
         R"({"name":"kube-api-access","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],)" +
         R"("livenessProbe":{"httpGet":{"path":"/healthz","port":)" + p +
         R"(,"scheme":"HTTP"},"initialDelaySeconds":10,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},)" +
         R"("readinessProbe":{"httpGet":{"path":"/ready","port":)" + p +
         R"(,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3},)" +
         R"("terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent",)" +
         R"("securityContext":{"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false}})";
}

constexpr const char* kStartTime = "2026-11-28T10:15:02Z";
constexpr const char* kReadyTime = "2026-11-28T10:15:09Z";

std::string PodBody(const LoadOptions& o, uint64_t index, const std::string& padding) {
  const std::string name = ObjectName(o, index);
  std::string annotations =
      R"("kubectl.kubernetes.io/restartedAt":"2026-11-27T08:00:00Z","prometheus.io/port":"9090","prometheus.io/scrape":"true")";
  if (!padding.empty()) annotations += R"(,"kstream-bench/padding":")" + padding + "\"";
  std::string s = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":)" + JsonQuote(name) +
                  R"(,"namespace":)" + JsonQuote(o.ns) +
                  R"(,"labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/part-of":"shop","pod-template-hash":"7d9c8b6f5d","tier":"frontend"},)" +
                  R"("annotations":{)" + annotations + R"(},)" +
                  R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d9c8b6f5d","uid":"0b1d6f5e-6c1a-4d0e-9f7a-3c2b1a0f9e8d","controller":true,"blockOwnerDeletion":true}]},)";
  s += R"("spec":{"volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},)"
       R"({"name":"cache","emptyDir":{"sizeLimit":"1Gi"}},)"
       R"({"name":"kube-api-access","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},)"
       R"({"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},)"
       R"({"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],)"
       R"("containers":[)";
  s += Container("web", "registry.example.com/shop/web:1.42.3", 8080, "250m", "256Mi", "512Mi",
                 R"(,{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"db-credentials","key":"password"}}})");
  s += ",";
  s += Container("envoy", "registry.example.com/proxy/envoy:1.30.1", 15001, "100m", "128Mi", "256Mi", "");
  s += ",";
  s += Container("log-shipper", "registry.example.com/obs/fluent-bit:3.0.4", 2020, "50m", "64Mi", "128Mi", "");
  s += R"(],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",)"
       R"("serviceAccountName":"web","serviceAccount":"web","nodeName":"worker-)" +
       std::to_string(index % 64) +
       R"(","securityContext":{"runAsUser":1000,"fsGroup":2000},)"
       R"("affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app.kubernetes.io/name":"web"}},"topologyKey":"kubernetes.io/hostname"}}]}},)"
       R"("schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},)"
       R"({"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],)"
       R"("priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},)";
  s += R"("status":)" + PodStatusJson(index) + "}";
  return s;
}

}  // namespace

std::string ObjectName(const LoadOptions& o, uint64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu", static_cast<unsigned long long>(index));
  return o.name_prefix + buf;
}

std::string CollectionPath(const LoadOptions& o) {
  if (o.kind == LoadKind::kWidget) return "/apis/bench.kstream.io/v1/namespaces/" + QueryEscape(o.ns) + "/widgets";
  const char* resource = o.kind == LoadKind::kConfigMap ? "configmaps" : o.kind == LoadKind::kSecret ? "secrets" : "pods";
  return "/api/v1/namespaces/" + QueryEscape(o.ns) + "/" + resource;
}

std::string WidgetCrdJson() {
  return R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",)"
         R"("metadata":{"name":"widgets.bench.kstream.io"},"spec":{"group":"bench.kstream.io","scope":"Namespaced",)"
         R"("names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},)"
         R"("versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",)"
         R"("properties":{"spec":{"type":"object","required":["payload"],"properties":{)"
         R"("replicas":{"type":"integer","minimum":0},"tier":{"type":"string","enum":["gold","silver","bronze"]},)"
         R"("payload":{"type":"string"}}},"status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}},)"
         R"("subresources":{"status":{}},"additionalPrinterColumns":[)"
         R"({"name":"Tier","type":"string","jsonPath":".spec.tier"},)"
         R"({"name":"Replicas","type":"integer","jsonPath":".spec.replicas"},)"
         R"({"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}]}]}})";
}

std::string PodStatusJson(uint64_t index) {
  Rng rng{index * 7919 + 17};
  std::string pod_ip = Ip(10, 244, index);
  std::string host_ip = Ip(10, 0, index / 110);
  auto cond = [](const char* type) {
    return std::string(R"({"type":")") + type + R"(","status":"True","lastProbeTime":null,"lastTransitionTime":")" +
           kReadyTime + "\"}";
  };
  auto cstatus = [&](const char* name, const char* image) {
    std::string img = image;
    return std::string(R"({"name":")") + name + R"(","state":{"running":{"startedAt":")" + kReadyTime +
           R"("}},"lastState":{},"ready":true,"restartCount":0,"image":")" + img + R"(","imageID":")" +
           img.substr(0, img.find(':')) + "@sha256:" + HexId(rng, 64) + R"(","containerID":"containerd://)" +
           HexId(rng, 64) + R"(","started":true})";
  };
  return R"({"phase":"Running","conditions":[)" + cond("PodReadyToStartContainers") + "," + cond("Initialized") +
         "," + cond("Ready") + "," + cond("ContainersReady") + "," + cond("PodScheduled") +
         R"(],"hostIP":")" + host_ip + R"(","hostIPs":[{"ip":")" + host_ip + R"("}],"podIP":")" + pod_ip +
         R"(","podIPs":[{"ip":")" + pod_ip + R"("}],"startTime":")" + kStartTime + R"(","containerStatuses":[)" +
         cstatus("envoy", "registry.example.com/proxy/envoy:1.30.1") + "," +
         cstatus("log-shipper", "registry.example.com/obs/fluent-bit:3.0.4") + "," +
         cstatus("web", "registry.example.com/shop/web:1.42.3") + R"(],"qosClass":"Burstable"})";
}

std::string ObjectJson(const LoadOptions& o, uint64_t index) {
  Rng rng{index * 0x2545F4914F6CDD1DULL + 1};
  const std::string name = ObjectName(o, index);
  switch (o.kind) {
    case LoadKind::kConfigMap: {
      std::string s = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":)" + JsonQuote(name) +
                      R"(,"namespace":)" + JsonQuote(o.ns) +
                      R"(,"labels":{"app.kubernetes.io/managed-by":"kstream-bench"}},"data":{"payload":")";
      if (o.random_payload) {
        AppendAlnum(&s, o.size, rng);
      } else {
        s.append(o.size, 'x');
      }
      s += "\"}}";
      return s;
    }
    case LoadKind::kSecret: {
      std::string s = R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":)" + JsonQuote(name) +
                      R"(,"namespace":)" + JsonQuote(o.ns) +
                      R"(,"labels":{"app.kubernetes.io/managed-by":"kstream-bench"}},"type":"Opaque","data":{"payload":")";
      if (o.random_payload) {
        AppendBase64OfRandom(&s, o.size, rng);
      } else {
        s.append((o.size + 2) / 3 * 4, 'A');
      }
      s += "\"}}";
      return s;
    }
    case LoadKind::kWidget: {
      static constexpr const char* kTiers[] = {"gold", "silver", "bronze"};
      std::string s = R"({"apiVersion":"bench.kstream.io/v1","kind":"Widget","metadata":{"name":)" + JsonQuote(name) +
                      R"(,"namespace":)" + JsonQuote(o.ns) +
                      R"(,"labels":{"app.kubernetes.io/managed-by":"kstream-bench"}},"spec":{"replicas":)" +
                      std::to_string(index % 5) + R"(,"tier":")" + kTiers[index % 3] + R"(","payload":")";
      if (o.random_payload) {
        AppendAlnum(&s, o.size, rng);
      } else {
        s.append(o.size, 'x');
      }
      s += "\"}}";
      return s;
    }
    case LoadKind::kPod: {
      std::string s = PodBody(o, index, "");
      constexpr size_t kAnnotationOverhead = sizeof(R"(,"kstream-bench/padding":"")") - 1;
      if (o.size > s.size() + kAnnotationOverhead) {
        std::string padding;
        const size_t n = o.size - s.size() - kAnnotationOverhead;
        if (o.random_payload) {
          AppendAlnum(&padding, n, rng);
        } else {
          padding.assign(n, 'x');
        }
        s = PodBody(o, index, padding);
      }
      return s;
    }
  }
  return "";
}

std::string LoadResult::Summary(const LoadOptions& o) const {
  char buf[512];
  const double secs = seconds > 0 ? seconds : 1e-9;
  std::snprintf(buf, sizeof buf,
                "load: %llu %ss in namespace %s: %llu created, %llu already existed; %.1f MB of request bodies in "
                "%.2f s: %.1f objects/s, %.1f MB/s",
                static_cast<unsigned long long>(created + existing), std::string(LoadKindName(o.kind)).c_str(),
                o.ns.c_str(), static_cast<unsigned long long>(created), static_cast<unsigned long long>(existing),
                static_cast<double>(bytes) / 1e6, seconds, static_cast<double>(created + existing) / secs,
                static_cast<double>(bytes) / 1e6 / secs);
  return buf;
}

namespace {

struct LoadState {
  const LoadOptions* o;
  std::shared_ptr<const ClientContext> ctx;
  uint64_t next = 0;
  uint64_t end = 0;
  uint64_t done = 0;
  LoadResult result;
  Status error;
  bool finished = false;
};

// One request, retried on a dropped keep-alive connection and on 429.
asio::awaitable<Result<SimpleResponse>> Send(Connection& conn, const std::string& request) {
  for (int attempt = 0;; ++attempt) {
    auto r = co_await RoundTrip(conn, request, 64u << 20);
    if (!r.ok()) {
      if (attempt < 2 && r.status().code() == StatusCode::kUnavailable) continue;
      co_return r;
    }
    if (r->head.status == 429 && attempt < 50) {
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    co_return r;
  }
}

asio::awaitable<void> Worker(LoadState& st) {
  Connection conn(co_await asio::this_coro::executor, st.ctx);
  const LoadOptions& o = *st.o;
  const HeaderList headers = [&] {
    HeaderList h = AuthHeaders(o.token);
    h.emplace_back("Content-Type", "application/json");
    h.emplace_back("Accept", "application/json");
    return h;
  }();
  const std::string path = CollectionPath(o);
  while (st.error.ok() && st.next < st.end) {
    const uint64_t index = st.next++;
    const std::string body = ObjectJson(o, index);
    auto r = co_await Send(conn, BuildRequest("POST", st.ctx->url(), path, headers, body));
    if (!r.ok()) {
      if (st.error.ok()) st.error = Status(r.status().code(), "create " + ObjectName(o, index) + ": " + std::string(r.status().message()));
      co_return;
    }
    if (r->head.status == 409) {
      ++st.result.existing;
    } else if (r->head.status == 201 || r->head.status == 200) {
      ++st.result.created;
      st.result.bytes += body.size();
      if (o.kind == LoadKind::kPod && r->body.find("\"podIP\":\"" + Ip(10, 244, index) + "\"") == std::string::npos) {
        // The server reset the status at create (as kube does): write it.
        size_t rv = r->body.find("\"resourceVersion\":\"");
        if (rv == std::string::npos) {
          if (st.error.ok()) st.error = Internal("create " + ObjectName(o, index) + ": no resourceVersion in the answer");
          co_return;
        }
        size_t start = rv + 19;
        std::string version = r->body.substr(start, r->body.find('"', start) - start);
        std::string update = body;
        const std::string marker = "\"metadata\":{";
        update.insert(update.find(marker) + marker.size(), "\"resourceVersion\":\"" + version + "\",");
        auto u = co_await Send(conn, BuildRequest("PUT", st.ctx->url(), path + "/" + ObjectName(o, index) + "/status",
                                                  headers, update));
        if (!u.ok() || u->head.status != 200) {
          if (st.error.ok()) {
            st.error = Unavailable("status of " + ObjectName(o, index) + ": " +
                                   (u.ok() ? DescribeErrorResponse(u->head, u->body) : u.status().ToString()));
          }
          co_return;
        }
      }
    } else {
      if (st.error.ok()) st.error = Unavailable("create " + ObjectName(o, index) + ": " + DescribeErrorResponse(r->head, r->body));
      co_return;
    }
    ++st.done;
  }
}

asio::awaitable<Status> EnsureNamespace(LoadState& st) {
  Connection conn(co_await asio::this_coro::executor, st.ctx);
  HeaderList h = AuthHeaders(st.o->token);
  h.emplace_back("Content-Type", "application/json");
  const std::string body = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":)" + JsonQuote(st.o->ns) + "}}";
  auto r = co_await Send(conn, BuildRequest("POST", st.ctx->url(), "/api/v1/namespaces", h, body));
  if (!r.ok()) co_return Status(r.status().code(), "create namespace " + st.o->ns + ": " + std::string(r.status().message()));
  if (r->head.status != 201 && r->head.status != 200 && r->head.status != 409) {
    co_return Unavailable("create namespace " + st.o->ns + ": " + DescribeErrorResponse(r->head, r->body));
  }
  if (st.o->kind == LoadKind::kWidget) {
    // The server answers a CRD create once its resources are served.
    r = co_await Send(conn, BuildRequest("POST", st.ctx->url(), "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                                         h, WidgetCrdJson()));
    if (!r.ok()) co_return Status(r.status().code(), "create the Widget CRD: " + std::string(r.status().message()));
    if (r->head.status != 201 && r->head.status != 200 && r->head.status != 409) {
      co_return Unavailable("create the Widget CRD: " + DescribeErrorResponse(r->head, r->body));
    }
  }
  co_return Status::Ok();
}

// Reports progress every 200 ms while workers run.
template <class Fn>
asio::awaitable<void> Progress(LoadState& st, const int& running, bool tty, Fn& progress) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  const uint64_t step = std::max<uint64_t>(1, st.o->count / 10);
  uint64_t next_step = step;
  while (running > 0) {
    t.expires_after(std::chrono::milliseconds(200));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    if (running == 0) break;
    if (tty) {
      progress(false);
    } else if (st.done >= next_step) {
      progress(false);
      while (next_step <= st.done) next_step += step;
    }
  }
}

}  // namespace

Result<LoadResult> RunLoad(const LoadOptions& o) {
  KS_ASSIGN_OR_RETURN(Url url, ParseUrl(o.url));
  url.target = "/";
  KS_ASSIGN_OR_RETURN(auto ctx, ClientContext::Create(url, o.tls));
  asio::io_context io(1);
  LoadState st;
  st.o = &o;
  st.ctx = ctx;
  st.next = o.start;
  st.end = o.start + o.count;
  Status ns_status = Internal("namespace step did not run");
  asio::co_spawn(io, EnsureNamespace(st), [&](std::exception_ptr e, Status s) {
    ns_status = e ? Internal("namespace step failed") : std::move(s);
  });
  io.run();
  if (!ns_status.ok()) return ns_status;
  io.restart();

  const bool tty = !o.quiet && isatty(2);
  const auto start = Clock::now();
  auto progress = [&](bool final) {
    if (o.quiet) return;
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    const double rate = secs > 0 ? static_cast<double>(st.done) / secs : 0;
    std::fprintf(stderr, "%sload: %llu/%llu %ss (%.0f%%), %.0f objects/s%s", tty ? "\r" : "",
                 static_cast<unsigned long long>(st.done), static_cast<unsigned long long>(o.count),
                 std::string(LoadKindName(o.kind)).c_str(), 100.0 * static_cast<double>(st.done) / static_cast<double>(o.count),
                 rate, tty ? (final ? "\n" : "   ") : "\n");
    std::fflush(stderr);
  };
  const int workers = static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(o.concurrency), o.count));
  int running = workers;
  auto end = start;
  for (int i = 0; i < workers; ++i) {
    asio::co_spawn(io, Worker(st), [&](std::exception_ptr) {
      if (--running == 0) end = Clock::now();
    });
  }
  asio::co_spawn(io, Progress(st, running, tty, progress), asio::detached);
  io.run();
  st.result.seconds = std::chrono::duration<double>(end - start).count();
  if (tty) progress(true);
  if (!st.error.ok()) return st.error;
  return st.result;
}

}  // namespace kstream::bench
