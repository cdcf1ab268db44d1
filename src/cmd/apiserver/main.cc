// kstream-apiserver: the Kubernetes-compatible API server.
//
// Flags use kube-apiserver's spelling where kube has one. On first start the data dir gets
// a CA and serving certificate, an admin token (in the token file) and a ready kubeconfig.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <thread>

#include "registry/registry.h"
#include "server/api_server.h"
#include "server/auth/certs.h"
#include "server/auth/files.h"
#include "server/auth/kubeconfig.h"
#include "server/auth/token_file.h"
#include "server/discovery.h"
#include "server/http.h"
#include "storage/etcd/etcd_store.h"
#include "storage/lmdb/lmdb_store.h"

namespace {

using namespace kstream;

struct Flag {
  std::string name;
  std::string value;
  std::string help;
};

constexpr const char* kUsage = "Usage: kstream-apiserver [flags]\n\nFlags:\n";

std::vector<Flag> DefaultFlags() {
  return {
      {"data-dir", "./kstream-data", "Directory for the embedded store, certificates, tokens and the kubeconfig."},
      {"storage", "lmdb", "Storage backend: lmdb (embedded) or etcd (needs --etcd-servers)."},
      {"etcd-servers", "", "Comma-separated etcd client URLs (http:// or https://)."},
      {"etcd-cafile", "", "SSL Certificate Authority file used to secure etcd communication."},
      {"etcd-certfile", "", "SSL certification file used to secure etcd communication."},
      {"etcd-keyfile", "", "SSL key file used to secure etcd communication."},
      {"etcd-compaction-interval", "5m", "The interval of compaction requests (0 disables)."},
      {"bind-address", "0.0.0.0", "The IP address on which to listen for the --secure-port port."},
      {"secure-port", "6443", "The port on which to serve HTTPS with authentication (0: any free port)."},
      {"insecure-port", "", "Serve plain HTTP on 127.0.0.1 at this port too (off unless given)."},
      {"tls-cert-file", "", "File containing the default x509 certificate for HTTPS (default: generated)."},
      {"tls-private-key-file", "", "File containing the default x509 private key matching --tls-cert-file."},
      {"token-auth-file", "", "Bearer tokens file (CSV: token,user,uid,\"group1,group2\"); default <data-dir>/tokens.csv, "
                              "created with an admin token."},
      {"streaming", "true", "Stream list responses item by item (false: encode them in memory first, as kube < 1.33)."},
      {"max-requests-inflight", "400", "Maximum number of non-mutating requests in flight (0: no limit)."},
      {"max-mutating-requests-inflight", "200", "Maximum number of mutating requests in flight (0: no limit)."},
      {"min-request-timeout", "1800", "Minimum watch timeout in seconds (watches last 1-2x this unless timeoutSeconds)."},
      {"watch-bookmark-interval", "60s", "How often idle watches that allow bookmarks get one."},
      {"write-timeout", "60s", "Close a connection whose client has not accepted any response bytes for this long."},
      {"shutdown-watch-termination-grace-period", "5s", "How long requests in flight may take to finish on SIGTERM."},
      {"help", "false", "Print this help."},
  };
}

bool ParseDuration(const std::string& s, std::chrono::milliseconds* out) {
  if (s.empty()) return false;
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (...) {
    return false;
  }
  std::string unit = s.substr(pos);
  double ms;
  if (unit.empty() || unit == "s") {
    ms = v * 1000;
  } else if (unit == "ms") {
    ms = v;
  } else if (unit == "m") {
    ms = v * 60000;
  } else if (unit == "h") {
    ms = v * 3600000;
  } else {
    return false;
  }
  *out = std::chrono::milliseconds(static_cast<int64_t>(ms));
  return true;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::atomic<int> g_signal{0};

void OnSignal(int sig) { g_signal = sig; }

int Fail(const std::string& msg) {
  std::cerr << "kstream-apiserver: " << msg << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<Flag> flags = DefaultFlags();
  std::map<std::string, std::string> values;
  for (const Flag& f : flags) values[f.name] = f.value;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help" || a == "-help") {
      std::cout << kUsage;
      for (const Flag& f : flags) {
        std::cout << "      --" << f.name;
        if (!f.value.empty()) std::cout << " (default \"" << f.value << "\")";
        std::cout << "\n          " << f.help << "\n";
      }
      return 0;
    }
    if (!a.starts_with("--")) return Fail("unexpected argument " + a + " (see --help)");
    a = a.substr(2);
    std::string name = a, value;
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if (values.count(name) && (name == "help")) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Fail("flag needs an argument: --" + name);
    }
    if (!values.count(name)) return Fail("unknown flag: --" + name + " (see --help)");
    values[name] = value;
  }

  const std::string data_dir = values["data-dir"];
  if (Status s = server::auth::EnsureDirectory(data_dir, 0700); !s.ok()) return Fail(s.ToString());

  // Certificates.
  std::string cert = values["tls-cert-file"], key = values["tls-private-key-file"];
  std::string ca_file;
  if (cert.empty() != key.empty()) return Fail("--tls-cert-file and --tls-private-key-file go together");
  if (cert.empty()) {
    server::auth::CertPaths paths;
    server::auth::CertOptions copts;
    if (values["bind-address"] != "0.0.0.0" && values["bind-address"] != "::") {
      copts.extra_ips.push_back(values["bind-address"]);
    }
    if (Status s = server::auth::EnsureServingCertificates(data_dir + "/pki", copts, &paths); !s.ok()) {
      return Fail(s.ToString());
    }
    if (!paths.message.empty()) std::cerr << "kstream-apiserver: " << paths.message << "\n";
    cert = paths.cert;
    key = paths.key;
    ca_file = paths.ca_cert;
  }

  // Tokens.
  std::string token_file = values["token-auth-file"];
  std::string admin_token;
  if (token_file.empty()) {
    token_file = data_dir + "/" + server::auth::kDefaultTokenFileName;
    if (Status s = server::auth::EnsureAdminToken(data_dir, token_file, &admin_token); !s.ok()) {
      return Fail(s.ToString());
    }
  }
  auto tokens = server::auth::LoadTokenFile(token_file);
  if (!tokens.ok()) return Fail(tokens.status().ToString());
  for (const std::string& w : tokens->warnings()) std::cerr << "kstream-apiserver: warning: " << w << "\n";
  if (admin_token.empty()) admin_token = tokens->TokenForUser(server::auth::kAdminUser).value_or("");

  // Storage.
  std::unique_ptr<storage::Store> store;
  const std::string backend = values["storage"];
  if (backend == "lmdb") {
    storage::LmdbOptions lo;
    lo.path = data_dir + "/store";
    auto s = storage::LmdbStore::Open(lo);
    if (!s.ok()) return Fail("opening the store: " + s.status().ToString());
    store = std::move(s).value();
  } else if (backend == "etcd" || backend == "etcd3") {
    storage::EtcdOptions eo;
    eo.endpoints = SplitComma(values["etcd-servers"]);
    if (eo.endpoints.empty()) return Fail("--storage=etcd needs --etcd-servers");
    if (!values["etcd-cafile"].empty() || !values["etcd-certfile"].empty()) {
      eo.tls.enabled = true;
      eo.tls.ca_file = values["etcd-cafile"];
      eo.tls.cert_file = values["etcd-certfile"];
      eo.tls.key_file = values["etcd-keyfile"];
    }
    auto s = storage::EtcdStore::Open(eo);
    if (!s.ok()) return Fail("connecting to etcd: " + s.status().ToString());
    store = std::move(s).value();
  } else {
    return Fail("unknown --storage " + backend + " (lmdb or etcd)");
  }
  std::chrono::milliseconds compaction{};
  if (values["etcd-compaction-interval"] != "0" && !ParseDuration(values["etcd-compaction-interval"], &compaction)) {
    return Fail("invalid --etcd-compaction-interval");
  }
  std::unique_ptr<storage::AutoCompactor> compactor;
  if (compaction.count() > 0) compactor = std::make_unique<storage::AutoCompactor>(store.get(), compaction);

  registry::Registry reg(store.get(), &typed::Scheme::Default());
  if (Status s = reg.Bootstrap(); !s.ok()) return Fail("bootstrapping namespaces: " + s.ToString());
  // Custom resources: the CRDs in storage, followed by a watch.
  registry::CustomResourceCatalog crds(&reg);
  reg.set_custom_resources(&crds);
  if (Status s = crds.Start(); !s.ok()) return Fail("starting the CRD catalog: " + s.ToString());

  server::ApiServerOptions aopts;
  aopts.streaming = values["streaming"] != "false" && values["streaming"] != "0";
  aopts.max_requests_inflight = std::atoi(values["max-requests-inflight"].c_str());
  aopts.max_mutating_requests_inflight = std::atoi(values["max-mutating-requests-inflight"].c_str());
  aopts.min_request_timeout = std::chrono::seconds(std::atoi(values["min-request-timeout"].c_str()));
  if (!ParseDuration(values["watch-bookmark-interval"], &aopts.watch_bookmark_interval)) {
    return Fail("invalid --watch-bookmark-interval");
  }
  std::chrono::milliseconds grace;
  if (!ParseDuration(values["shutdown-watch-termination-grace-period"], &grace)) {
    return Fail("invalid --shutdown-watch-termination-grace-period");
  }

  server::HttpOptions hopts;
  hopts.bind_address = values["bind-address"];
  hopts.secure_port = static_cast<uint16_t>(std::atoi(values["secure-port"].c_str()));
  if (!values["insecure-port"].empty()) hopts.insecure_port = static_cast<uint16_t>(std::atoi(values["insecure-port"].c_str()));
  if (!ParseDuration(values["write-timeout"], &hopts.write_timeout) || hopts.write_timeout.count() <= 0) {
    return Fail("invalid --write-timeout");
  }
  hopts.tls_cert_file = cert;
  hopts.tls_key_file = key;

  std::atomic<server::ApiServer*> api{nullptr};
  server::HttpServer http(hopts, [&api](server::Request& req, server::ResponseWriter& w) -> server::asio::awaitable<void> {
    server::ApiServer* a = api.load();
    if (a == nullptr) {
      std::vector<server::Header> headers;
      headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
      headers.push_back({"Retry-After", "1"});
      (void)co_await w.Send(503, std::move(headers), "the server is starting\n");
      co_return;
    }
    co_await a->Handle(req, w);
  });
  if (Status s = http.Start(); !s.ok()) return Fail(s.ToString());

  server::DiscoveryOptions dopts;
  dopts.server_address = (hopts.bind_address == "0.0.0.0" ? std::string("127.0.0.1") : hopts.bind_address) + ":" +
                         std::to_string(http.secure_port());
  server::Discovery discovery = server::Discovery::Build(typed::Scheme::Default(), dopts);
  server::ApiServer api_server(&reg, &discovery, &tokens.value(), aopts);
  api_server.ServeCustomResources(&crds, dopts);
  api_server.set_http_server(&http);
  api = &api_server;

  const std::string url = "https://127.0.0.1:" + std::to_string(http.secure_port());
  if (!ca_file.empty() && !admin_token.empty()) {
    auto ca = server::auth::ReadFileLimited(ca_file);
    if (!ca.ok()) return Fail(ca.status().ToString());
    std::string kc = server::auth::KubeconfigYaml(url, *ca, admin_token);
    if (Status s = server::auth::WriteFileAtomic(data_dir + "/kubeconfig", kc, 0600); !s.ok()) {
      return Fail(s.ToString());
    }
  }
  std::cerr << "kstream-apiserver: serving on " << url << " (storage " << backend << ", streaming "
            << (aopts.streaming ? "on" : "off") << ")\n";
  if (http.insecure_port() != 0) {
    std::cerr << "kstream-apiserver: plain HTTP on http://127.0.0.1:" << http.insecure_port() << "\n";
  }
  if (!ca_file.empty()) {
    std::cerr << "kstream-apiserver: kubeconfig: " << std::filesystem::absolute(data_dir + "/kubeconfig").string()
              << "\n";
  }
  std::cerr.flush();

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  while (g_signal == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::cerr << "kstream-apiserver: " << (g_signal == SIGTERM ? "SIGTERM" : "signal")
            << ": shutting down\n";
  http.Stop(grace);
  http.Join();
  api = nullptr;
  api_server.WaitForWatches(std::chrono::seconds(5));
  crds.Stop();
  compactor.reset();
  store.reset();
  std::cerr << "kstream-apiserver: stopped\n";
  return 0;
}
