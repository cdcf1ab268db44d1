#include "storage/etcd/etcd_store.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

#include "kv.pb.h"
#include "rpc.grpc.pb.h"
#include "rpc.pb.h"

namespace kstream::storage {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// etcd's require-leader metadata: a member that knows no leader refuses the request at
// once ("etcdserver: no leader") instead of letting it wait, and ends watch streams when
// it loses its leader, so we fail over.
constexpr char kRequireLeaderKey[] = "hasleader";
constexpr char kRequireLeaderValue[] = "true";

constexpr milliseconds kFirstBackoff{25};  // between rounds over the endpoints
constexpr milliseconds kFirstRedial{100};   // between re-creations of a failed channel
constexpr milliseconds kMaxRedial{2000};
constexpr milliseconds kMaxBackoff{500};
// Watch responses queued between the stream reader and Next (each response holds whole
// revisions; the stream is flow-controlled beyond this).
constexpr size_t kMaxQueuedResponses = 4;

bool Has(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

void AtomicMax(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (cur < v && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

// gRPC takes system_clock deadlines; we measure with steady_clock.
std::chrono::system_clock::time_point ToSystem(Clock::time_point t) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(t - Clock::now());
}

std::string Millis(milliseconds d) { return std::to_string(d.count()) + " ms"; }

Result<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidArgument(std::string("etcd: cannot read TLS ") + what + " '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return InvalidArgument(std::string("etcd: cannot read TLS ") + what + " '" + path + "'");
  std::string text = out.str();
  if (text.empty()) return InvalidArgument(std::string("etcd: TLS ") + what + " '" + path + "' is empty");
  return text;
}

KeyValue ToKeyValue(const mvccpb::KeyValue& kv) {
  return KeyValue{kv.key(), kv.value(), kv.create_revision(), kv.mod_revision(), kv.version()};
}

// store.h's KeyRange as etcd's (key, range_end): an empty end is the single key `start`;
// "\0" is etcd's "no upper bound" (what KeyRange::Prefix gives for an all-0xff prefix).
// No key is empty, so an empty start is the same range as one starting at "\0".
Status ToEtcdRange(const KeyRange& range, std::string* key, std::string* end) {
  if (range.start.empty() && range.end.empty()) return InvalidArgument("etcd: empty key");
  if (!range.end.empty() && range.end != std::string_view("\0", 1) && range.end < range.start) {
    return InvalidArgument("etcd: range end is before its start");
  }
  *key = range.start.empty() ? std::string(1, '\0') : range.start;
  *end = range.end;
  return Status::Ok();
}

// A failed RPC that provably did not reach etcd's state machine: safe to retry, even a write.
bool NotApplied(const grpc::Status& s) {
  const std::string& m = s.error_message();
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      // gRPC never sent it (no transport), or etcd refused it before proposing it.
      return Has(m, "failed to connect to all addresses") || Has(m, "Connection refused") ||
             Has(m, "etcdserver: no leader");
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Has(m, "etcdserver: too many requests");
    default:
      return Has(m, "raft proposal dropped");
  }
}

// A transient failure: a read may be retried (elsewhere); a write's outcome is unknown.
bool Transient(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::ABORTED:
      return true;
    case grpc::StatusCode::UNKNOWN:
      // Transport failures that gRPC could not classify.
      return Has(s.error_message(), "Stream removed") || Has(s.error_message(), "Socket closed");
    default:
      return NotApplied(s);
  }
}

Status MapError(const grpc::Status& s, const std::string& endpoint) {
  const std::string& m = s.error_message();
  std::string text = "etcd " + endpoint + ": " + m;
  switch (s.error_code()) {
    case grpc::StatusCode::OK:
      return Status::Ok();
    case grpc::StatusCode::OUT_OF_RANGE:
      if (Has(m, "compacted")) return Expired(std::move(text));
      return OutOfRange(std::move(text));
    case grpc::StatusCode::INVALID_ARGUMENT:
      if (Has(m, "request is too large")) return ResourceExhausted(std::move(text));
      return InvalidArgument(std::move(text));
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      if (Has(m, "too many requests")) return Unavailable(std::move(text));
      return ResourceExhausted(std::move(text));
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::ABORTED:
      return Unavailable(std::move(text));
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::FAILED_PRECONDITION:
      return FailedPrecondition(std::move(text));
    case grpc::StatusCode::UNIMPLEMENTED:
      return Unimplemented(std::move(text));
    default:
      if (Transient(s)) return Unavailable(std::move(text));
      return Internal(std::move(text));
  }
}

Status Malformed(const std::string& what) { return Internal("etcd: malformed response: " + what); }

enum class Kind { kRead, kWrite };

}  // namespace

// ---------------------------------------------------------------------------------------
// Client: the channels to every endpoint, the fail-over policy, shared counters.

class EtcdStore::Client {
 public:
  // One channel to an endpoint with its stubs. Immutable; replaced as a whole when the
  // channel is stuck in TRANSIENT_FAILURE (see Acquire). Calls hold it by shared_ptr.
  struct Connection {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<etcdserverpb::KV::Stub> kv;
    std::unique_ptr<etcdserverpb::Watch::Stub> watch;
    std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance;
  };
  struct Endpoint {
    std::string target;
    std::mutex mu;  // guards the fields below
    std::shared_ptr<Connection> conn;
    Clock::time_point created;  // of conn
    milliseconds redial_backoff{kFirstRedial};
  };
  using Rpc = std::function<grpc::Status(Connection&, grpc::ClientContext&)>;

  explicit Client(EtcdOptions options) : options_(std::move(options)) {}

  Status Init() {
    bool tls = options_.tls.active();
    std::vector<std::string> targets;
    for (std::string e : options_.endpoints) {
      if (e.starts_with("https://")) {
        tls = true;
        e.erase(0, 8);
      } else if (e.starts_with("http://")) {
        e.erase(0, 7);
      }
      while (!e.empty() && e.back() == '/') e.pop_back();
      if (e.empty()) return InvalidArgument("etcd: empty endpoint");
      targets.push_back(std::move(e));
    }
    if (targets.empty()) return InvalidArgument("etcd: no endpoints");

    if (tls) {
      const EtcdTlsOptions& t = options_.tls;
      if (t.cert_file.empty() != t.key_file.empty()) {
        return InvalidArgument("etcd: TLS cert_file and key_file must be set together");
      }
      grpc::SslCredentialsOptions ssl;
      if (!t.ca_file.empty()) {
        KS_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFile(t.ca_file, "CA file"));
      }
      if (!t.cert_file.empty()) {
        KS_ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadFile(t.cert_file, "client certificate file"));
        KS_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadFile(t.key_file, "client key file"));
      }
      creds_ = grpc::SslCredentials(ssl);
    } else {
      creds_ = grpc::InsecureChannelCredentials();
    }

    args_.SetMaxReceiveMessageSize(-1);  // etcd's responses are bounded by etcd, not by 4 MiB
    args_.SetMaxSendMessageSize(-1);
    args_.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);  // etcd accepts pings >= 5 s apart
    args_.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
    args_.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
    args_.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args_.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args_.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // this store's own connections
    if (tls && !options_.tls.server_name.empty()) args_.SetSslTargetNameOverride(options_.tls.server_name);

    for (std::string& target : targets) {
      auto ep = std::make_unique<Endpoint>();
      ep->target = std::move(target);
      ep->conn = NewConnection(ep->target);
      ep->created = Clock::now();
      endpoints_.push_back(std::move(ep));
    }
    return Status::Ok();
  }

  const EtcdOptions& options() const { return options_; }
  size_t size() const { return endpoints_.size(); }
  size_t current() const { return current_.load(std::memory_order_relaxed) % endpoints_.size(); }
  Endpoint& endpoint(size_t i) { return *endpoints_[i % endpoints_.size()]; }
  void SetCurrent(size_t i, size_t first) {
    if (i != first) failovers_.fetch_add(1, std::memory_order_relaxed);
    current_.store(i, std::memory_order_relaxed);
  }

  // A connected channel to the endpoint, or nullptr (without waiting) if its last connection
  // attempt failed, or if it is not connected by `until`.
  //
  // gRPC 1.51 keeps a channel whose connection attempt failed in TRANSIENT_FAILURE until its
  // resolver produces a new address list (for "host:port": DNS, at most every 30 s), even
  // once the server is back. So a channel found in TRANSIENT_FAILURE is replaced by a new
  // one, at most once per redial backoff (100 ms doubling to 2 s) per endpoint.
  std::shared_ptr<Connection> Acquire(Endpoint& ep, Clock::time_point until) {
    std::shared_ptr<Connection> c;
    {
      std::lock_guard lock(ep.mu);
      c = ep.conn;
    }
    grpc_connectivity_state state = c->channel->GetState(/*try_to_connect=*/true);
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE) {
      std::lock_guard lock(ep.mu);
      const auto now = Clock::now();
      if (ep.conn == c) {
        if (now < ep.created + ep.redial_backoff) return nullptr;
        ep.conn = NewConnection(ep.target);
        ep.created = now;
        ep.redial_backoff = std::min(ep.redial_backoff * 2, kMaxRedial);
      }
      c = ep.conn;
      state = c->channel->GetState(true);
    }
    while (state != GRPC_CHANNEL_READY) {
      if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) return nullptr;
      if (!c->channel->WaitForStateChange(state, ToSystem(until))) return nullptr;
      state = c->channel->GetState(true);
    }
    std::lock_guard lock(ep.mu);
    if (ep.conn == c) ep.redial_backoff = kFirstRedial;
    return c;
  }

  static void Prepare(grpc::ClientContext& ctx) { ctx.AddMetadata(kRequireLeaderKey, kRequireLeaderValue); }

  // Runs `rpc` with fail-over (see the header comment for which failures are retried).
  Status Call(Kind kind, const Rpc& rpc) {
    const auto deadline = Clock::now() + options_.request_timeout;
    const size_t n = endpoints_.size();
    const size_t first = current();
    milliseconds backoff = kFirstBackoff;
    std::string last_error = "no endpoint tried";
    while (true) {
      for (size_t k = 0; k < n; ++k) {
        const size_t i = (first + k) % n;
        Endpoint& ep = *endpoints_[i];
        const auto now = Clock::now();
        if (now >= deadline) break;
        std::shared_ptr<Connection> conn = Acquire(ep, std::min(deadline, now + options_.dial_timeout));
        if (conn == nullptr) {
          last_error = ep.target + ": not connected";
          continue;
        }
        grpc::ClientContext ctx;
        ctx.set_deadline(ToSystem(deadline));
        Prepare(ctx);
        grpc::Status s = rpc(*conn, ctx);
        if (s.ok()) {
          SetCurrent(i, first);
          return Status::Ok();
        }
        if (NotApplied(s) || (kind == Kind::kRead && Transient(s))) {
          last_error = ep.target + ": " + s.error_message();
          continue;
        }
        if (kind == Kind::kWrite && Transient(s)) {
          return Unavailable("etcd " + ep.target + ": outcome unknown (the write may or may not have applied): " +
                             s.error_message());
        }
        return MapError(s, ep.target);
      }
      if (Clock::now() + backoff >= deadline) break;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
    return Unavailable("etcd: no endpoint served the request within " + Millis(options_.request_timeout) +
                       "; last error: " + last_error);
  }

  // A Range with fail-over; `resp` is cleared before each attempt.
  Status Range(const etcdserverpb::RangeRequest& req, etcdserverpb::RangeResponse* resp) {
    Status s = Call(Kind::kRead, [&](Connection& c, grpc::ClientContext& ctx) {
      resp->Clear();
      return c.kv->Range(&ctx, req, resp);
    });
    if (s.code() == StatusCode::kExpired && req.revision() > 0) NoteCompactedFloor(req.revision() + 1);
    if (s.ok() && (!resp->has_header() || resp->header().revision() <= 0)) {
      return Malformed("range response without a revision");
    }
    return s;
  }

  // Maintenance.Status of endpoint i itself (no fail-over: it describes that member).
  Status MemberStatus(size_t i, etcdserverpb::StatusResponse* resp) {
    Endpoint& ep = endpoint(i);
    const auto deadline = Clock::now() + options_.request_timeout;
    std::shared_ptr<Connection> conn = Acquire(ep, std::min(deadline, Clock::now() + options_.dial_timeout));
    if (conn == nullptr) return Unavailable("etcd " + ep.target + ": not connected");
    grpc::ClientContext ctx;
    ctx.set_deadline(ToSystem(deadline));
    grpc::Status s = conn->maintenance->Status(&ctx, etcdserverpb::StatusRequest(), resp);
    if (!s.ok()) return MapError(s, ep.target);
    return Status::Ok();
  }

  // The oldest readable revision is at least `r`.
  void NoteCompactedFloor(Revision r) { AtomicMax(compacted_floor_, r); }
  Revision compacted_floor() const { return compacted_floor_.load(std::memory_order_relaxed); }

  void NotePage(int64_t bytes, int64_t keys) {
    range_pages_.fetch_add(1, std::memory_order_relaxed);
    AtomicMax(range_page_max_bytes_, bytes);
    AtomicMax(range_page_max_keys_, keys);
  }
  void NoteWatchReconnect() { watch_reconnects_.fetch_add(1, std::memory_order_relaxed); }

  Stats stats() const {
    Stats s;
    s.range_pages = range_pages_.load();
    s.range_page_max_bytes = range_page_max_bytes_.load();
    s.range_page_max_keys = range_page_max_keys_.load();
    s.failovers = failovers_.load();
    s.watch_reconnects = watch_reconnects_.load();
    return s;
  }

 private:
  const EtcdOptions options_;
  std::shared_ptr<Connection> NewConnection(const std::string& target) {
    auto c = std::make_shared<Connection>();
    c->channel = grpc::CreateCustomChannel(target, creds_, args_);
    c->kv = etcdserverpb::KV::NewStub(c->channel);
    c->watch = etcdserverpb::Watch::NewStub(c->channel);
    c->maintenance = etcdserverpb::Maintenance::NewStub(c->channel);
    return c;
  }

  std::shared_ptr<grpc::ChannelCredentials> creds_;
  grpc::ChannelArguments args_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::atomic<size_t> current_{0};
  std::atomic<int64_t> compacted_floor_{0};
  std::atomic<int64_t> range_pages_{0};
  std::atomic<int64_t> range_page_max_bytes_{0};
  std::atomic<int64_t> range_page_max_keys_{0};
  std::atomic<int64_t> failovers_{0};
  std::atomic<int64_t> watch_reconnects_{0};
};

namespace {

using Client = EtcdStore::Client;

// ---------------------------------------------------------------------------------------
// Range iterator: pages at one pinned revision.

class EtcdRangeIterator final : public RangeIterator {
 public:
  EtcdRangeIterator(std::shared_ptr<Client> client, std::string key, std::string end, const RangeOptions& o)
      : client_(std::move(client)),
        key_(std::move(key)),
        end_(std::move(end)),
        limit_(o.limit),
        revision_(o.revision) {
    const EtcdOptions& opts = client_->options();
    page_limit_ = std::max<int64_t>(1, std::min(opts.range_first_page_limit, opts.range_page_limit));
  }

  // Reads the first page (and pins the revision).
  Status Start() {
    Fetch(key_);
    return error_;
  }

  Result<const KeyValueView*> Next() override {
    if (!error_.ok()) return error_;
    while (true) {
      if (index_ < page_.kvs_size()) {
        const mvccpb::KeyValue& kv = page_.kvs(index_++);
        ++returned_;
        view_ = KeyValueView{kv.key(), kv.value(), kv.create_revision(), kv.mod_revision(), kv.version()};
        return &view_;
      }
      if (done_) return nullptr;
      if (!page_.more() || (limit_ > 0 && returned_ >= limit_)) {
        done_ = true;
        more_ = page_.more();
        return nullptr;
      }
      // The next page starts just after this page's last key.
      std::string next = page_.kvs(page_.kvs_size() - 1).key();
      next.push_back('\0');
      Fetch(next);
      if (!error_.ok()) return error_;
    }
  }

  Status Rewind() override {
    if (!error_.ok()) return error_;
    returned_ = 0;
    done_ = false;
    more_ = false;
    if (first_page_) {
      index_ = 0;
      return Status::Ok();
    }
    Fetch(key_);
    return error_;
  }

  Revision revision() const override { return revision_; }
  bool more() const override { return more_; }

 private:
  void Fetch(const std::string& from) {
    const EtcdOptions& opts = client_->options();
    etcdserverpb::RangeRequest req;
    req.set_key(from);
    req.set_range_end(end_);
    req.set_revision(revision_);
    int64_t want = page_limit_;
    if (limit_ > 0) want = std::min(want, limit_ - returned_);
    req.set_limit(want);
    page_ = etcdserverpb::RangeResponse();  // drop the previous page before reading the next
    index_ = 0;
    first_page_ = from == key_;
    Status s = client_->Range(req, &page_);
    if (!s.ok()) {
      Fail(std::move(s));
      return;
    }
    if (revision_ == 0) revision_ = page_.header().revision();
    // Validate what we hand out: at most `want` keys, ascending, inside the range, not newer
    // than the snapshot; a page that says `more` must make progress.
    const int n = page_.kvs_size();
    if (n > want) return Fail(Malformed("range page larger than its limit"));
    if (page_.more() && n == 0) return Fail(Malformed("empty range page with more"));
    int64_t bytes = 0;
    const std::string* prev = nullptr;
    for (const mvccpb::KeyValue& kv : page_.kvs()) {
      if (kv.key() < from || (prev != nullptr && kv.key() <= *prev) ||
          (!end_.empty() && end_ != std::string_view("\0", 1) && kv.key() >= end_) ||
          (end_.empty() && kv.key() != from) || kv.mod_revision() > revision_) {
        return Fail(Malformed("range page with a key out of order, out of range or too new"));
      }
      prev = &kv.key();
      bytes += static_cast<int64_t>(kv.key().size() + kv.value().size());
    }
    client_->NotePage(bytes, n);
    // Adapt the page count to the byte budget: as many keys as the budget holds at this
    // page's average size, growing at most 4x per page (sizes may change along the range).
    if (n > 0) {
      const int64_t avg = std::max<int64_t>(1, bytes / n);
      const int64_t fit = std::max<int64_t>(1, opts.range_page_bytes / avg);
      page_limit_ = std::clamp<int64_t>(std::min(fit, page_limit_ * 4), 1, opts.range_page_limit);
    }
  }

  void Fail(Status s) {
    error_ = std::move(s);
    page_ = etcdserverpb::RangeResponse();
  }

  std::shared_ptr<Client> client_;
  const std::string key_;
  const std::string end_;
  const int64_t limit_;
  Revision revision_;
  int64_t page_limit_;
  etcdserverpb::RangeResponse page_;
  int index_ = 0;
  bool first_page_ = true;
  int64_t returned_ = 0;
  bool done_ = false;
  bool more_ = false;
  Status error_;
  KeyValueView view_;
};

// ---------------------------------------------------------------------------------------
// Watch: one stream, a reader thread, a bounded queue.

class EtcdWatch final : public WatchStream {
 public:
  EtcdWatch(std::shared_ptr<Client> client, std::string key, std::string end, Revision from,
            const WatchOptions& options)
      : client_(std::move(client)),
        key_(std::move(key)),
        end_(std::move(end)),
        from_(from),
        options_(options),
        last_activity_(Clock::now()),
        last_progress_request_(last_activity_) {
    if (from_ > 0) last_received_ = from_ - 1;
  }

  ~EtcdWatch() override {
    Cancel();
    if (reader_.joinable()) reader_.join();
  }

  // Starts the stream and waits until etcd has created the watcher.
  Status Start() {
    reader_ = std::thread([this] { ReaderMain(); });
    const auto deadline = Clock::now() + client_->options().request_timeout + client_->options().dial_timeout;
    std::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return started_ || reader_done_; })) {
      return Unavailable("etcd: the watch was not created within " + Millis(client_->options().request_timeout));
    }
    if (started_) return Status::Ok();
    return terminal_;
  }

  Result<WatchBatch> Next(milliseconds timeout) override {
    const auto deadline = Clock::now() + timeout;
    const size_t cap = std::max<size_t>(1, options_.max_batch_events);
    std::unique_lock lock(mu_);
    while (true) {
      if (cancelled_.load()) return Aborted("etcd: watch cancelled");
      // Gather queued events (whole responses) up to the batch cap.
      while (!queue_.empty() && !queue_.front().events.empty() && pending_.size() < cap) {
        for (Event& e : queue_.front().events) pending_.push_back(std::move(e));
        queue_.pop_front();
        space_cv_.notify_one();
      }
      if (!pending_.empty()) return TakeBatch(cap);
      if (!queue_.empty()) {  // a progress notification
        Revision r = std::max(queue_.front().progress, delivered_);
        queue_.pop_front();
        space_cv_.notify_one();
        delivered_ = r;
        last_activity_ = Clock::now();
        return WatchBatch{{}, r};
      }
      if (reader_done_) return terminal_;
      const auto now = Clock::now();
      if (now >= deadline) return WatchBatch{};
      auto wake = deadline;
      if (options_.progress_interval.count() > 0) {
        const auto due = std::max(last_activity_, last_progress_request_) + options_.progress_interval;
        if (now >= due) {
          last_progress_request_ = now;
          lock.unlock();
          RequestProgress();
          lock.lock();
          continue;
        }
        wake = std::min(wake, due);
      }
      cv_.wait_until(lock, wake);
    }
  }

  void Cancel() override {
    cancelled_.store(true);
    {
      std::lock_guard lock(ctx_mu_);
      if (ctx_ != nullptr) ctx_->TryCancel();
    }
    std::lock_guard lock(mu_);
    cv_.notify_all();
    space_cv_.notify_all();
  }

 private:
  struct Item {
    std::vector<Event> events;  // empty: a progress notification at `progress`
    Revision progress = 0;
  };
  using Stream = grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>;

  WatchBatch TakeBatch(size_t cap) {
    WatchBatch batch;
    // Cut at the cap, but never inside a revision (its changes are delivered together).
    while (!pending_.empty() &&
           (batch.events.size() < cap || pending_.front().kv.mod_revision == batch.events.back().kv.mod_revision)) {
      batch.events.push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
    batch.revision = batch.events.back().kv.mod_revision;
    delivered_ = std::max(delivered_, batch.revision);
    last_activity_ = Clock::now();
    return batch;
  }

  void RequestProgress() {
    etcdserverpb::WatchRequest req;
    req.mutable_progress_request();
    std::lock_guard lock(stream_mu_);
    if (stream_ != nullptr) stream_->Write(req);  // a failure shows up on the reader side
  }

  // Ends the reader: `status` is what Next reports once the queue is drained.
  void Finish(Status status) {
    if (status.ok()) status = Internal("etcd: watch ended without an error");  // never OK
    std::lock_guard lock(mu_);
    terminal_ = std::move(status);
    reader_done_ = true;
    cv_.notify_all();
  }

  // Sleeps for `d` unless cancelled first; false if cancelled.
  bool Pause(milliseconds d) {
    std::unique_lock lock(mu_);
    return !space_cv_.wait_for(lock, d, [&] { return cancelled_.load(); });
  }

  bool Push(Item item) {
    std::unique_lock lock(mu_);
    space_cv_.wait(lock, [&] { return queue_.size() < kMaxQueuedResponses || cancelled_.load(); });
    if (cancelled_.load()) return false;
    queue_.push_back(std::move(item));
    cv_.notify_all();
    return true;
  }

  // Converts a response to an Item; false if it is malformed.
  static bool ToItem(const etcdserverpb::WatchResponse& resp, Item* item) {
    for (const mvccpb::Event& e : resp.events()) {
      Event ev;
      if (e.type() == mvccpb::Event::PUT) {
        ev.type = Event::Type::kPut;
      } else if (e.type() == mvccpb::Event::DELETE) {
        ev.type = Event::Type::kDelete;
      } else {
        return false;
      }
      if (!e.has_kv() || e.kv().key().empty() || e.kv().mod_revision() <= 0) return false;
      if (!item->events.empty() && e.kv().mod_revision() < item->events.back().kv.mod_revision) return false;
      ev.kv = ToKeyValue(e.kv());
      if (e.has_prev_kv()) ev.prev = ToKeyValue(e.prev_kv());
      item->events.push_back(std::move(ev));
    }
    if (item->events.empty()) {
      if (!resp.has_header() || resp.header().revision() <= 0) return false;
      item->progress = resp.header().revision();
    }
    return true;
  }

  // Opens a stream on some endpoint (fail-over, backoff, until request_timeout) and reads
  // its `created` response. On success conn/ctx/stream are set and published.
  Status Open(std::shared_ptr<Client::Connection>* conn_out, std::unique_ptr<grpc::ClientContext>* ctx_out,
              std::unique_ptr<Stream>* stream_out) {
    const EtcdOptions& opts = client_->options();
    const auto deadline = Clock::now() + opts.request_timeout;
    const size_t n = client_->size();
    const size_t first = client_->current();
    milliseconds backoff = kFirstBackoff;
    std::string last_error = "no endpoint tried";
    etcdserverpb::WatchRequest create;
    etcdserverpb::WatchCreateRequest* c = create.mutable_create_request();
    c->set_key(key_);
    c->set_range_end(end_);
    c->set_prev_kv(true);
    c->set_start_revision(started_once_ ? last_received_ + 1 : from_);
    while (true) {
      for (size_t k = 0; k < n; ++k) {
        if (cancelled_.load()) return Aborted("etcd: watch cancelled");
        const size_t i = (first + k) % n;
        Client::Endpoint& ep = client_->endpoint(i);
        const auto now = Clock::now();
        if (now >= deadline) break;
        std::shared_ptr<Client::Connection> conn = client_->Acquire(ep, std::min(deadline, now + opts.dial_timeout));
        if (conn == nullptr) {
          last_error = ep.target + ": not connected";
          continue;
        }
        auto ctx = std::make_unique<grpc::ClientContext>();
        Client::Prepare(*ctx);
        {
          std::lock_guard lock(ctx_mu_);
          if (cancelled_.load()) return Aborted("etcd: watch cancelled");
          ctx_ = ctx.get();
        }
        std::unique_ptr<Stream> stream = conn->watch->Watch(ctx.get());
        etcdserverpb::WatchResponse resp;
        grpc::Status gs;
        bool created = stream->Write(create) && stream->Read(&resp);
        if (!created) {
          gs = stream->Finish();
          Unpublish();
          if (cancelled_.load()) return Aborted("etcd: watch cancelled");
          if (!Transient(gs)) return MapError(gs, ep.target);
          last_error = ep.target + ": " + gs.error_message();
          continue;
        }
        if (!resp.created()) {
          Abandon(ctx.get(), stream.get());
          return Malformed("the first watch response is not `created`");
        }
        if (resp.canceled()) {
          Abandon(ctx.get(), stream.get());
          return CanceledStatus(resp, ep.target);
        }
        if (!started_once_ && from_ == 0) {
          if (!resp.has_header() || resp.header().revision() <= 0) {
            Abandon(ctx.get(), stream.get());
            return Malformed("watch created without a revision");
          }
          last_received_ = resp.header().revision();  // the watch starts after this one
        }
        client_->SetCurrent(i, first);
        {
          std::lock_guard lock(stream_mu_);
          stream_ = stream.get();
        }
        *conn_out = std::move(conn);
        *ctx_out = std::move(ctx);
        *stream_out = std::move(stream);
        return Status::Ok();
      }
      if (Clock::now() + backoff >= deadline) break;
      if (!Pause(backoff)) return Aborted("etcd: watch cancelled");
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
    return Unavailable("etcd: no endpoint could serve the watch within " + Millis(opts.request_timeout) +
                       "; last error: " + last_error);
  }

  Status CanceledStatus(const etcdserverpb::WatchResponse& resp, const std::string& endpoint) {
    if (resp.compact_revision() > 0) {
      client_->NoteCompactedFloor(resp.compact_revision());
      return Expired("etcd " + endpoint + ": watch revision compacted (compacted at " +
                     std::to_string(resp.compact_revision()) + ")");
    }
    if (Has(resp.cancel_reason(), "compacted")) return Expired("etcd " + endpoint + ": " + resp.cancel_reason());
    return Unavailable("etcd " + endpoint + ": watch cancelled by the server: " + resp.cancel_reason());
  }

  void Unpublish() {
    {
      std::lock_guard lock(stream_mu_);
      stream_ = nullptr;
    }
    std::lock_guard lock(ctx_mu_);
    ctx_ = nullptr;
  }

  // Cancels a stream we give up on, drains it and finishes it.
  void Abandon(grpc::ClientContext* ctx, Stream* stream) {
    Unpublish();
    ctx->TryCancel();
    etcdserverpb::WatchResponse ignored;
    while (stream->Read(&ignored)) {
    }
    stream->Finish();  // CANCELLED, by us
  }

  void ReaderMain() {
    milliseconds pause = kFirstBackoff;  // between re-creations of streams that gave nothing
    while (true) {
      // Destroyed in reverse order: the stream, its context, then the channel.
      std::shared_ptr<Client::Connection> conn;
      std::unique_ptr<grpc::ClientContext> ctx;
      std::unique_ptr<Stream> stream;
      Status s = Open(&conn, &ctx, &stream);
      if (!s.ok()) return Finish(std::move(s));
      if (!started_once_) {
        started_once_ = true;
        std::lock_guard lock(mu_);
        started_ = true;
        cv_.notify_all();
      }
      const std::string target = client_->endpoint(client_->current()).target;
      etcdserverpb::WatchResponse resp;
      Status terminal;
      bool received = false;
      while (stream->Read(&resp)) {
        received = true;
        if (resp.canceled() || resp.compact_revision() > 0) {
          terminal = CanceledStatus(resp, target);
          break;
        }
        if (resp.created()) continue;
        Item item;
        if (!ToItem(resp, &item)) {
          terminal = Malformed("bad watch response");
          break;
        }
        const Revision r = item.events.empty() ? item.progress : item.events.back().kv.mod_revision;
        last_received_ = std::max(last_received_, r);
        if (!Push(std::move(item))) break;  // cancelled
      }
      if (!terminal.ok()) {
        Abandon(ctx.get(), stream.get());
        return Finish(std::move(terminal));
      }
      if (cancelled_.load()) {
        Abandon(ctx.get(), stream.get());
        return Finish(Aborted("etcd: watch cancelled"));
      }
      Unpublish();
      grpc::Status gs = stream->Finish();
      if (cancelled_.load()) return Finish(Aborted("etcd: watch cancelled"));
      if (!Transient(gs) && gs.error_code() != grpc::StatusCode::OK) return Finish(MapError(gs, target));
      // The stream broke (or the server ended it): resume after the last revision received
      // (pausing first if the stream gave nothing, so a server that keeps ending streams at
      // once is not hammered).
      client_->NoteWatchReconnect();
      pause = received ? kFirstBackoff : std::min(pause * 2, kMaxBackoff);
      if (!received && !Pause(pause)) return Finish(Aborted("etcd: watch cancelled"));
    }
  }

  std::shared_ptr<Client> client_;
  const std::string key_;
  const std::string end_;
  const Revision from_;
  const WatchOptions options_;

  // Reader-thread state.
  std::thread reader_;
  bool started_once_ = false;
  Revision last_received_ = 0;  // every change up to here was received (resume point - 1)

  std::atomic<bool> cancelled_{false};
  std::mutex ctx_mu_;  // guards ctx_ (for TryCancel from any thread)
  grpc::ClientContext* ctx_ = nullptr;
  std::mutex stream_mu_;  // guards stream_ for writes (progress requests)
  Stream* stream_ = nullptr;

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;        // Next / Start wait here
  std::condition_variable space_cv_;  // the reader waits here for queue room (or pauses)
  std::deque<Item> queue_;
  std::deque<Event> pending_;  // events taken from the queue, not yet delivered
  bool started_ = false;
  bool reader_done_ = false;
  Status terminal_;
  Revision delivered_ = 0;
  Clock::time_point last_activity_;
  Clock::time_point last_progress_request_;
};

}  // namespace

// ---------------------------------------------------------------------------------------
// EtcdStore

EtcdStore::EtcdStore(std::shared_ptr<Client> client) : client_(std::move(client)) {}
EtcdStore::~EtcdStore() = default;

Result<std::unique_ptr<EtcdStore>> EtcdStore::Open(const EtcdOptions& options) {
  if (options.range_page_limit < 1 || options.range_page_bytes < 1 || options.range_first_page_limit < 1) {
    return InvalidArgument("etcd: range page limits must be positive");
  }
  if (options.request_timeout.count() <= 0 || options.dial_timeout.count() <= 0) {
    return InvalidArgument("etcd: timeouts must be positive");
  }
  auto client = std::make_shared<Client>(options);
  KS_RETURN_IF_ERROR(client->Init());
  std::unique_ptr<EtcdStore> store(new EtcdStore(std::move(client)));
  if (options.check_on_open) {
    Result<Revision> r = store->CurrentRevision();
    if (!r.ok()) return r.status();
  }
  return store;
}

EtcdStore::Stats EtcdStore::stats() const { return client_->stats(); }

std::string EtcdStore::current_endpoint() const { return client_->endpoint(client_->current()).target; }

std::vector<EtcdEndpointStatus> EtcdStore::EndpointStatus() {
  std::vector<EtcdEndpointStatus> out;
  for (size_t i = 0; i < client_->size(); ++i) {
    EtcdEndpointStatus st;
    st.endpoint = client_->endpoint(i).target;
    etcdserverpb::StatusResponse resp;
    st.error = client_->MemberStatus(i, &resp);
    if (st.error.ok()) {
      st.version = resp.version();
      st.db_size = resp.dbsize();
      st.db_size_in_use = resp.dbsizeinuse();
      st.member_id = resp.header().member_id();
      st.leader = resp.leader();
      st.revision = resp.header().revision();
      st.raft_term = resp.raftterm();
      st.is_learner = resp.islearner();
      for (const auto& e : resp.errors()) st.errors.push_back(e);
    }
    out.push_back(std::move(st));
  }
  return out;
}

Result<Revision> EtcdStore::CurrentRevision() {
  // A linearizable count-only read: its header carries the cluster's current revision.
  etcdserverpb::RangeRequest req;
  req.set_key(std::string(1, '\0'));
  req.set_count_only(true);
  etcdserverpb::RangeResponse resp;
  KS_RETURN_IF_ERROR(client_->Range(req, &resp));
  return resp.header().revision();
}

Result<Revision> EtcdStore::CompactedRevision() {
  // Probe(r): whether reads at revision r still work.
  auto probe = [&](Revision r) -> Result<bool> {
    etcdserverpb::RangeRequest req;
    req.set_key(std::string(1, '\0'));
    req.set_count_only(true);
    req.set_revision(r);
    etcdserverpb::RangeResponse resp;
    Status s = client_->Range(req, &resp);
    if (s.ok()) return true;
    if (s.code() == StatusCode::kExpired) return false;
    return s;
  };
  const Revision floor = client_->compacted_floor();
  Revision lo = std::max<Revision>(floor, 1);
  KS_ASSIGN_OR_RETURN(bool readable, probe(lo));
  if (readable) return floor;  // 0 if we know of no compaction and revision 1 reads
  // Someone compacted beyond what we knew: `lo` is unreadable; gallop to a readable
  // revision, then binary-search the first readable one.
  KS_ASSIGN_OR_RETURN(Revision current, CurrentRevision());
  Revision step = 1;
  Revision hi = lo;
  while (true) {
    hi = std::min(lo + step, current);
    KS_ASSIGN_OR_RETURN(readable, probe(hi));
    if (readable) break;
    if (hi == current) {  // compacted meanwhile, past the revision we read: read it again
      KS_ASSIGN_OR_RETURN(Revision now, CurrentRevision());
      if (now == current) return Internal("etcd: the current revision is not readable");
      current = now;
    }
    lo = hi;
    step *= 2;
  }
  while (hi - lo > 1) {  // lo unreadable, hi readable
    const Revision mid = lo + (hi - lo) / 2;
    KS_ASSIGN_OR_RETURN(readable, probe(mid));
    (readable ? hi : lo) = mid;
  }
  client_->NoteCompactedFloor(hi);
  return hi;
}

Result<KeyValue> EtcdStore::Get(std::string_view key, Revision revision) {
  if (key.empty()) return InvalidArgument("etcd: empty key");
  if (revision < 0) return InvalidArgument("etcd: negative revision");
  etcdserverpb::RangeRequest req;
  req.set_key(std::string(key));
  req.set_revision(revision);
  etcdserverpb::RangeResponse resp;
  KS_RETURN_IF_ERROR(client_->Range(req, &resp));
  if (resp.kvs_size() == 0) return NotFound("etcd: key not found");
  if (resp.kvs_size() != 1 || resp.kvs(0).key() != key) return Malformed("get returned another key");
  return ToKeyValue(resp.kvs(0));
}

Result<std::unique_ptr<RangeIterator>> EtcdStore::Range(const KeyRange& range, const RangeOptions& options) {
  if (options.revision < 0) return InvalidArgument("etcd: negative revision");
  if (options.limit < 0) return InvalidArgument("etcd: negative limit");
  std::string key, end;
  KS_RETURN_IF_ERROR(ToEtcdRange(range, &key, &end));
  auto it = std::make_unique<EtcdRangeIterator>(client_, std::move(key), std::move(end), options);
  KS_RETURN_IF_ERROR(it->Start());
  return std::unique_ptr<RangeIterator>(std::move(it));
}

Result<int64_t> EtcdStore::Count(const KeyRange& range, Revision revision) {
  if (revision < 0) return InvalidArgument("etcd: negative revision");
  etcdserverpb::RangeRequest req;
  std::string key, end;
  KS_RETURN_IF_ERROR(ToEtcdRange(range, &key, &end));
  req.set_key(std::move(key));
  req.set_range_end(std::move(end));
  req.set_revision(revision);
  req.set_count_only(true);
  etcdserverpb::RangeResponse resp;
  KS_RETURN_IF_ERROR(client_->Range(req, &resp));
  if (resp.count() < 0) return Malformed("negative count");
  return resp.count();
}

Result<TxnResult> EtcdStore::Txn(const TxnRequest& request) {
  if (request.key.empty()) return InvalidArgument("etcd: empty key");
  etcdserverpb::TxnRequest req;
  const std::string key(request.key);
  switch (request.precondition) {
    case TxnRequest::Precondition::kNone:
      break;
    case TxnRequest::Precondition::kAbsent: {
      etcdserverpb::Compare* c = req.add_compare();
      c->set_result(etcdserverpb::Compare::EQUAL);
      c->set_target(etcdserverpb::Compare::CREATE);
      c->set_key(key);
      c->set_create_revision(0);
      break;
    }
    case TxnRequest::Precondition::kModRevision: {
      if (request.mod_revision <= 0) return InvalidArgument("etcd: kModRevision needs a positive mod_revision");
      etcdserverpb::Compare* c = req.add_compare();
      c->set_result(etcdserverpb::Compare::EQUAL);
      c->set_target(etcdserverpb::Compare::MOD);
      c->set_key(key);
      c->set_mod_revision(request.mod_revision);
      break;
    }
  }
  if (request.op == TxnRequest::Op::kPut) {
    etcdserverpb::PutRequest* put = req.add_success()->mutable_request_put();
    put->set_key(key);
    put->set_value(std::string(request.value));
    put->set_prev_kv(true);
  } else {
    etcdserverpb::DeleteRangeRequest* del = req.add_success()->mutable_request_delete_range();
    del->set_key(key);
    del->set_prev_kv(true);
  }
  const bool conditional = request.precondition != TxnRequest::Precondition::kNone;
  if (conditional) req.add_failure()->mutable_request_range()->set_key(key);

  etcdserverpb::TxnResponse resp;
  KS_RETURN_IF_ERROR(client_->Call(Kind::kWrite, [&](Client::Connection& c, grpc::ClientContext& ctx) {
    resp.Clear();
    return c.kv->Txn(&ctx, req, &resp);
  }));
  if (!resp.has_header() || resp.header().revision() <= 0) return Malformed("txn response without a revision");
  if (resp.responses_size() != 1) return Malformed("txn response with " + std::to_string(resp.responses_size()) + " results");
  TxnResult result;
  result.succeeded = resp.succeeded();
  result.revision = resp.header().revision();
  const etcdserverpb::ResponseOp& op = resp.responses(0);
  if (resp.succeeded()) {
    if (request.op == TxnRequest::Op::kPut) {
      if (!op.has_response_put()) return Malformed("txn put without a put result");
      if (op.response_put().has_prev_kv()) result.kv = ToKeyValue(op.response_put().prev_kv());
    } else {
      if (!op.has_response_delete_range()) return Malformed("txn delete without a delete result");
      const auto& d = op.response_delete_range();
      if (d.prev_kvs_size() > 1) return Malformed("txn delete of one key deleted several");
      if (d.prev_kvs_size() == 1) result.kv = ToKeyValue(d.prev_kvs(0));
    }
  } else {
    if (!conditional) return Malformed("an unconditional txn failed");
    if (!op.has_response_range()) return Malformed("txn failure without a range result");
    const auto& r = op.response_range();
    if (r.kvs_size() > 1) return Malformed("txn get of one key returned several");
    if (r.kvs_size() == 1) result.kv = ToKeyValue(r.kvs(0));
  }
  if (result.kv && result.kv->key != key) return Malformed("txn result for another key");
  return result;
}

Result<std::unique_ptr<WatchStream>> EtcdStore::Watch(const KeyRange& range, Revision from_revision,
                                                      const WatchOptions& options) {
  if (from_revision < 0) return InvalidArgument("etcd: negative revision");
  std::string key, end;
  KS_RETURN_IF_ERROR(ToEtcdRange(range, &key, &end));
  auto w = std::make_unique<EtcdWatch>(client_, std::move(key), std::move(end), from_revision, options);
  KS_RETURN_IF_ERROR(w->Start());
  return std::unique_ptr<WatchStream>(std::move(w));
}

Status EtcdStore::Compact(Revision revision) {
  if (revision < 0) return InvalidArgument("etcd: negative revision");
  // Revision 0 is at or below the compacted revision of any store (0 when never compacted).
  if (revision == 0) return Expired("etcd: revision 0 is compacted");
  etcdserverpb::CompactionRequest req;
  req.set_revision(revision);
  req.set_physical(false);
  etcdserverpb::CompactionResponse resp;
  Status s = client_->Call(Kind::kWrite, [&](Client::Connection& c, grpc::ClientContext& ctx) {
    resp.Clear();
    return c.kv->Compact(&ctx, req, &resp);
  });
  // Either way the floor is now at least `revision` (kExpired: etcd had compacted at or
  // beyond it already).
  if (s.ok() || s.code() == StatusCode::kExpired) client_->NoteCompactedFloor(revision);
  return s;
}

}  // namespace kstream::storage
