// ApiServer: the Kubernetes REST API over the HTTP layer.
//
// Handle() is the HttpServer's handler. For each request it: authenticates the bearer
// token (401 otherwise; /healthz, /livez, /readyz and /version are public, as kube's
// anonymous + RBAC defaults make them), applies the in-flight limits (429, long-running
// watches excluded, as kube), routes (discovery, /version, health, resources), negotiates
// the content type (406/415), calls the Registry and writes the answer.
//
// LIST bodies stream: the collection encoder for the negotiated type (JSON, YAML,
// protobuf, Table, PartialObjectMetadataList) pulls items from the storage snapshot one
// at a time; encoded bytes go through the gzip decision (GzipSink) into a batch that is
// written to the socket, awaited, every ~64 KiB. A slow client therefore holds one item,
// one batch and the socket buffers. With `streaming = false` the same encoder writes into
// memory first and the body is sent in one piece (kube before 1.33): same bytes.
//
// WATCH: events come from a Registry WatchSession on a bridge thread (storage watches
// block) through a bounded channel; each event is encoded and written when it arrives.
//
// Thread-safety: Handle may run concurrently on all HTTP threads.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "registry/custom_resources.h"
#include "registry/registry.h"
#include "server/auth/token_file.h"
#include "server/discovery.h"
#include "server/http.h"

namespace kstream::server {

struct ApiServerOptions {
  bool streaming = true;
  int max_requests_inflight = 400;           // read-only requests; 0: no limit
  int max_mutating_requests_inflight = 200;  // 0: no limit
  std::chrono::seconds min_request_timeout{1800};
  std::chrono::milliseconds watch_bookmark_interval{std::chrono::seconds(60)};
  size_t batch_bytes = 64 * 1024;
};

class ApiServer {
 public:
  ApiServer(registry::Registry* registry, const Discovery* discovery, const auth::TokenAuthenticator* tokens,
            ApiServerOptions options);
  ~ApiServer();

  asio::awaitable<void> Handle(Request& req, ResponseWriter& w);

  // For graceful shutdown: watches end when the HTTP server stops.
  void set_http_server(HttpServer* http) { http_ = http; }
  // Waits (up to `timeout`) until every watch's storage bridge thread has ended; call after
  // the HTTP server stopped and before the store is closed.
  void WaitForWatches(std::chrono::milliseconds timeout);
  // Serves the custom resources of `crds` too: discovery and /openapi/v3 are rebuilt
  // (from `discovery_options` plus the CRDs' versions) whenever the catalog changes.
  void ServeCustomResources(registry::CustomResourceCatalog* crds, DiscoveryOptions discovery_options);
  // The discovery documents in use now.
  std::shared_ptr<const Discovery> discovery() const;

  // Requests being served now (tests, metrics).
  int inflight() const { return readonly_inflight_.load() + mutating_inflight_.load(); }

  struct Impl;

 private:
  void RebuildForCustomResources();

  registry::Registry* registry_;
  mutable std::mutex discovery_mu_;
  std::shared_ptr<const Discovery> discovery_;
  registry::CustomResourceCatalog* crds_ = nullptr;
  DiscoveryOptions discovery_options_;
  const auth::TokenAuthenticator* tokens_;
  ApiServerOptions options_;
  HttpServer* http_ = nullptr;
  std::atomic<int> readonly_inflight_{0};
  std::atomic<int> mutating_inflight_{0};
  std::shared_ptr<std::atomic<int>> bridges_ = std::make_shared<std::atomic<int>>(0);
  std::unique_ptr<Impl> impl_;
};

// The /version document (version.Info of kube 1.33, MarshalIndent, no trailing newline).
std::string VersionJson();

}  // namespace kstream::server
