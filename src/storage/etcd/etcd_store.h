// EtcdStore: the Store of store.h on a real etcd cluster (v3 API over gRPC, etcd 3.4+).
//
// Data is etcd's own: a key is stored under its bytes, a value is the value bytes, and a
// store revision is etcd's revision, so a kube-apiserver's etcd can be served as is and
// `etcdctl get` reads what we write. The mapping:
//   - Get / Count / Range -> KV.Range (linearizable) at a revision. Range returns a pull
//     iterator that reads in pages, all at ONE pinned revision (the requested one, or the
//     revision of the first page's response): each page asks for `limit` keys starting just
//     after the previous page's last key, and the count is adapted so that a page stays near
//     `range_page_bytes` (etcd has no byte limit: the count shrinks when pages come back big
//     and grows, at most 4x per page, when they are small). Memory is one page, whatever the
//     size of the range; the first page is read by Range() itself (so errors such as
//     kExpired surface there). Rewind() re-reads from the first page at the pinned revision.
//   - Txn -> one etcd Txn: compare (create_revision == 0 for kAbsent, mod_revision == x for
//     kModRevision; x must be > 0, else kInvalidArgument, since etcd would read
//     mod_revision == 0 as "absent"), success = the put / delete with prev_kv, failure = a
//     get of the key.
//   - Watch -> one Watch stream per watch (prev_kv, start_revision = from_revision) read by
//     a background thread into a small bounded queue (the stream is flow-controlled when the
//     consumer is slow). While idle for `progress_interval`, Next() sends a progress request
//     and delivers the answer as an empty batch at the header revision. If the stream breaks
//     (endpoint down, member lost its leader) it is re-created, on the next endpoint if need
//     be, from the revision after the last one received; kUnavailable only if no endpoint
//     serves it within `request_timeout`. A compacted start -> kExpired.
//     Caveat: etcd before 3.4.25 / 3.5.8 may send a requested progress notification ahead
//     of events it has not yet sent (etcd issue 15220); use a fixed etcd for exactness.
//   - Compact -> KV.Compact (physical = false). Compact(0) is kExpired without asking etcd
//     (0 is at or below any store's compacted revision).
//   - EndpointStatus() -> Maintenance.Status of each member (version, db size, leader).
//   - CompactedRevision(): etcd does not report it, so it is found: reads at a revision
//     below the compaction fail, at or above it succeed. We keep the highest revision known
//     to be the compaction floor (from our Compact calls, from kExpired reads and watches)
//     and confirm it with one count-only Range at that revision; if someone else compacted
//     further, a galloping + binary search of such probes finds the exact revision.
//
// Fail-over: `endpoints` are tried in turn, starting at the last one that worked. Reads are
// retried on the next endpoint after any transient failure (connection lost, timeout, no
// leader). Writes (Txn, Compact) are retried only when the request provably did not apply:
// the endpoint was not connected before sending, gRPC could not reach any address, or etcd
// refused it before proposing it ("no leader", "too many requests"); every request carries
// etcd's require-leader metadata so a member cut off from its leader refuses fast. A write
// whose outcome is unknown (the connection broke after sending it, etcd timed out) returns
// kUnavailable "outcome unknown" and is never retried behind the caller's back. Retries go
// round the endpoints with backoff until `request_timeout` has passed. An endpoint whose
// connection failed is skipped at once, and its channel re-created (at most every 100 ms to
// 2 s): gRPC 1.51 would keep it failed until the next DNS re-resolution.
//
// Errors: as store.h; gRPC/etcd errors map as: compacted -> kExpired, future revision ->
// kOutOfRange, request too large / database space exceeded -> kResourceExhausted,
// unreachable / no leader / timeouts -> kUnavailable, authentication -> kFailedPrecondition,
// anything malformed in a response -> kInternal (never a crash).
//
// Ownership and thread-safety: an EtcdStore is safe to use from many threads (gRPC channels
// and stubs are). Iterators and watches share the store's connections and may outlive the
// store. Per store.h, an iterator or a watch is used by one thread at a time
// (WatchStream::Cancel from any thread); views returned by an iterator stay valid until its
// next call. Each watch owns one thread, which Cancel / destruction stop.
//
// Key ranges: an empty KeyRange::end is the single key `start`; an end of "\0" means "to the
// end of the keyspace" (etcd's convention, what KeyRange::Prefix returns for "" or an
// all-0xff prefix). Cost note: etcd 3.4 counts the remaining range for every page it
// serves, so paging a range of n keys costs O(n^2 / page) index steps on the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store.h"

namespace kstream::storage {

// TLS to etcd. Enabled when any file is set (or `enabled` is true, e.g. to use the system
// roots without a client certificate); otherwise connections are plaintext.
struct EtcdTlsOptions {
  bool enabled = false;
  std::string ca_file;    // PEM roots that verify the server (empty: the system roots)
  std::string cert_file;  // PEM client certificate (chain), for client-cert auth; with key_file
  std::string key_file;   // PEM private key of cert_file
  // The name checked against the server certificate instead of the endpoint's host (e.g.
  // when connecting by IP to a certificate issued for a DNS name). Empty: the host.
  std::string server_name;

  bool active() const { return enabled || !ca_file.empty() || !cert_file.empty() || !key_file.empty(); }
};

struct EtcdOptions {
  // "host:port" client endpoints of one etcd cluster (an "http://" or "https://" prefix is
  // accepted and stripped; "https://" turns TLS on). Several for fail-over.
  std::vector<std::string> endpoints;
  EtcdTlsOptions tls;
  // How long to wait for one endpoint's connection before trying the next.
  std::chrono::milliseconds dial_timeout{std::chrono::seconds(2)};
  // The deadline of one call, retries and fail-over included (for a Watch: of its creation
  // and of each re-creation after a broken stream).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  // Range paging: at most this many keys per page ...
  int64_t range_page_limit = 1000;
  // ... and about this many bytes (keys + values) per page (the count adapts). A page is
  // held twice while it is read (the gRPC message and its parse), per open range: with 10
  // concurrent 1 GB lists, 4 MiB pages cost ~100 MiB; 1 MiB pages ~30 MiB, at the same MB/s.
  int64_t range_page_bytes = 1 << 20;
  // Keys in a range's first page, before the item size is known.
  int64_t range_first_page_limit = 16;
  // Open() checks that some endpoint answers (kUnavailable otherwise).
  bool check_on_open = true;
};

// One member's Maintenance.Status (what `etcdctl endpoint status` shows).
struct EtcdEndpointStatus {
  std::string endpoint;
  Status error;  // not OK: the member could not be asked; the fields below are unset
  std::string version;  // etcd server version, "3.4.23"
  int64_t db_size = 0;  // backend database size in bytes (and in use)
  int64_t db_size_in_use = 0;
  uint64_t member_id = 0;
  uint64_t leader = 0;  // the member id of the leader it knows (0: none)
  Revision revision = 0;
  uint64_t raft_term = 0;
  bool is_learner = false;
  std::vector<std::string> errors;  // alarms the member reports (e.g. NOSPACE)
};

class EtcdStore final : public Store {
 public:
  // Validates the options (kInvalidArgument: no endpoints, unreadable TLS files), sets up
  // one channel per endpoint and, with check_on_open, reads the current revision once.
  static Result<std::unique_ptr<EtcdStore>> Open(const EtcdOptions& options);
  ~EtcdStore() override;
  EtcdStore(const EtcdStore&) = delete;
  EtcdStore& operator=(const EtcdStore&) = delete;

  Result<Revision> CurrentRevision() override;
  Result<Revision> CompactedRevision() override;
  Result<KeyValue> Get(std::string_view key, Revision revision = 0) override;
  Result<std::unique_ptr<RangeIterator>> Range(const KeyRange& range,
                                               const RangeOptions& options = {}) override;
  Result<int64_t> Count(const KeyRange& range, Revision revision = 0) override;
  Result<TxnResult> Txn(const TxnRequest& request) override;
  Result<std::unique_ptr<WatchStream>> Watch(const KeyRange& range, Revision from_revision,
                                             const WatchOptions& options = {}) override;
  Status Compact(Revision revision) override;

  // Maintenance.Status of every endpoint, in order, each asked directly (no fail-over):
  // for health checks and operators' diagnostics.
  std::vector<EtcdEndpointStatus> EndpointStatus();

  // Counters since Open, for tests and metrics.
  struct Stats {
    int64_t range_pages = 0;          // Range pages read (by iterators)
    int64_t range_page_max_bytes = 0; // the largest page, in key + value bytes
    int64_t range_page_max_keys = 0;  // the most keys in one page
    int64_t failovers = 0;            // calls that succeeded on another endpoint than first tried
    int64_t watch_reconnects = 0;     // watch streams re-created after a break
  };
  Stats stats() const;
  // The endpoint the next call will try first (the last one that worked).
  std::string current_endpoint() const;

  class Client;  // the shared connection state (defined in etcd_store.cc)

 private:
  explicit EtcdStore(std::shared_ptr<Client> client);
  std::shared_ptr<Client> client_;
};

}  // namespace kstream::storage
