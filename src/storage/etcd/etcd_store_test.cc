// etcd-specific behaviour of EtcdStore (the Store contract itself is conformance_test.cc):
// paging at one pinned revision, byte-budget adaption, TLS, fail-over on a 3-member cluster,
// watch progress / compaction / cancel / resume, etcd's native layout (checked with
// etcdctl), and the handling of failures and malformed responses (against a fake etcd).
#include "storage/etcd/etcd_store.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rpc.grpc.pb.h"
#include "testing/etcd_process.h"
#include "testing/temp_dir.h"

namespace kstream::storage {
namespace {

using namespace std::chrono_literals;
using kstream::testing::EtcdCluster;
using kstream::testing::EtcdProcess;
using kstream::testing::EtcdProcessOptions;
using kstream::testing::EtcdTlsFiles;
using kstream::testing::RunEtcdctl;
using kstream::testing::RunProgram;
using Clock = std::chrono::steady_clock;

// For Result<T> values.
#define ASSERT_OK(expr)                                   \
  do {                                                    \
    const auto& ks_s_ = (expr);                           \
    ASSERT_TRUE(ks_s_.ok()) << ks_s_.status().ToString(); \
  } while (0)

std::string Key(const std::string& prefix, int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%05d", i);
  return prefix + buf;
}

// Writes many keys quickly: etcd Txns of 100 puts each (raw gRPC, not the store).
void BulkPut(const std::string& endpoint, const std::vector<std::pair<std::string, std::string>>& kvs) {
  auto channel = grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
  auto kv = etcdserverpb::KV::NewStub(channel);
  for (size_t i = 0; i < kvs.size(); i += 100) {
    etcdserverpb::TxnRequest req;
    for (size_t j = i; j < std::min(kvs.size(), i + 100); ++j) {
      auto* put = req.add_success()->mutable_request_put();
      put->set_key(kvs[j].first);
      put->set_value(kvs[j].second);
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 20s);
    etcdserverpb::TxnResponse resp;
    grpc::Status s = kv->Txn(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
}

EtcdOptions OptionsFor(std::vector<std::string> endpoints) {
  EtcdOptions o;
  o.endpoints = std::move(endpoints);
  return o;
}

std::unique_ptr<EtcdStore> MustOpen(const EtcdOptions& o) {
  auto s = EtcdStore::Open(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// Collects events from a watch until `want` arrived or `budget` passed.
std::vector<Event> Drain(WatchStream& w, size_t want, std::chrono::milliseconds budget = 20s) {
  std::vector<Event> out;
  const auto deadline = Clock::now() + budget;
  while (out.size() < want && Clock::now() < deadline) {
    auto b = w.Next(200ms);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    if (!b.ok()) break;
    for (auto& e : b->events) out.push_back(std::move(e));
  }
  return out;
}

// One etcd for the tests of this suite (each uses its own key prefix).
class EtcdStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    etcd_ = new EtcdProcess();
    Status s = etcd_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static void TearDownTestSuite() {
    delete etcd_;
    etcd_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(etcd_, nullptr);
    ASSERT_TRUE(etcd_->running());
    store_ = MustOpen(OptionsFor({etcd_->endpoint()}));
    ASSERT_NE(store_, nullptr);
  }

  static EtcdProcess* etcd_;
  std::unique_ptr<EtcdStore> store_;
};
EtcdProcess* EtcdStoreTest::etcd_ = nullptr;

// ---- Native layout

TEST_F(EtcdStoreTest, WritesAreEtcdsNativeLayout) {
  // Binary bytes, as a protobuf-encoded object in kube's envelope would be.
  const std::string key = "/registry/configmaps/default/raw";
  std::string value("k8s\0\x0a\x02v1\xff\x00 end", 15);
  TxnRequest put{.key = key, .value = value};
  auto r = store_->Txn(put);
  ASSERT_OK(r);
  ASSERT_TRUE(r->succeeded);
  auto got = RunEtcdctl(etcd_->endpoint(), {"get", key, "--print-value-only"});
  ASSERT_OK(got);
  EXPECT_EQ(*got, value + "\n");  // etcdctl prints the raw value and a newline
  // Its revision is etcd's revision.
  auto json = RunEtcdctl(etcd_->endpoint(), {"get", key, "-w", "json"});
  ASSERT_OK(json);
  EXPECT_NE(json->find("\"mod_revision\":" + std::to_string(r->revision) + ","), std::string::npos) << *json;

  // And what etcdctl writes, we read.
  ASSERT_OK(RunEtcdctl(etcd_->endpoint(), {"put", "/registry/configmaps/default/from-etcdctl", "hello"}));
  auto kv = store_->Get("/registry/configmaps/default/from-etcdctl");
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value, "hello");
  EXPECT_EQ(kv->version, 1);
}

// ---- Paging

TEST_F(EtcdStoreTest, EndpointStatusDescribesEachMember) {
  ASSERT_OK(store_->Put("/status/a", "x"));
  auto st = store_->EndpointStatus();
  ASSERT_EQ(st.size(), 1u);
  ASSERT_TRUE(st[0].error.ok()) << st[0].error.ToString();
  EXPECT_EQ(st[0].endpoint, etcd_->endpoint());
  EXPECT_TRUE(st[0].version.starts_with("3.")) << st[0].version;
  EXPECT_GT(st[0].db_size, 0);
  EXPECT_NE(st[0].member_id, 0u);
  EXPECT_EQ(st[0].leader, st[0].member_id);  // a single member leads itself
  EXPECT_GE(st[0].revision, 2);
  EXPECT_TRUE(st[0].errors.empty());

  // An endpoint nobody listens on is reported, not skipped.
  EtcdOptions o = OptionsFor({etcd_->endpoint(), "127.0.0.1:1"});
  o.request_timeout = std::chrono::milliseconds(500);
  o.dial_timeout = std::chrono::milliseconds(200);
  auto two = MustOpen(o);
  ASSERT_NE(two, nullptr);
  auto both = two->EndpointStatus();
  ASSERT_EQ(both.size(), 2u);
  EXPECT_TRUE(both[0].error.ok());
  EXPECT_EQ(both[1].endpoint, "127.0.0.1:1");
  EXPECT_EQ(both[1].error.code(), StatusCode::kUnavailable);
}

TEST_F(EtcdStoreTest, PagedRangeIsOneSnapshotWhileOthersWrite) {
  constexpr int kKeys = 2500;
  const std::string prefix = "/paging/k";
  std::vector<std::pair<std::string, std::string>> kvs;
  std::vector<std::string> expected;
  for (int i = 0; i < kKeys; ++i) {
    kvs.emplace_back(Key(prefix, 2 * i), "v" + std::to_string(2 * i));  // even numbers only
    expected.push_back(kvs.back().first);
  }
  ASSERT_NO_FATAL_FAILURE(BulkPut(etcd_->endpoint(), kvs));

  EtcdOptions o = OptionsFor({etcd_->endpoint()});
  o.range_page_limit = 100;
  o.range_first_page_limit = 7;
  auto store = MustOpen(o);
  ASSERT_NE(store, nullptr);

  auto it = store->Range(KeyRange::Prefix("/paging/"));
  ASSERT_OK(it);
  const Revision pinned = (*it)->revision();

  // From now on a writer adds keys between the existing ones and rewrites existing ones.
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (!store->Put(Key(prefix, 2 * (i % kKeys) + 1), "new").ok()) return;
      if (!store->Put(Key(prefix, 2 * ((i * 7) % kKeys)), "changed").ok()) return;
      writes += 2;
    }
  });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Join() {
      stop = true;
      t.join();
    }
  } join{stop, writer};

  auto walk = [&](std::vector<std::string>* keys) {
    while (true) {
      auto kv = (*it)->Next();
      ASSERT_OK(kv);
      if (*kv == nullptr) break;
      const KeyValueView& v = **kv;
      ASSERT_LE(v.mod_revision, pinned);
      ASSERT_EQ(v.value, "v" + std::to_string(std::stoi(std::string(v.key.substr(prefix.size())))));
      keys->emplace_back(v.key);
      // Make sure writes land between pages, whatever the writer thread's pace.
      if (keys->size() % 100 == 0) ASSERT_OK(store->Put(Key(prefix, 2 * static_cast<int>(keys->size()) + 1), "x"));
    }
  };
  std::vector<std::string> first;
  ASSERT_NO_FATAL_FAILURE(walk(&first));
  EXPECT_EQ(first, expected);
  EXPECT_FALSE((*it)->more());

  // Rewind: the same snapshot again, after more writes.
  ASSERT_TRUE((*it)->Rewind().ok());
  std::vector<std::string> second;
  ASSERT_NO_FATAL_FAILURE(walk(&second));
  EXPECT_EQ(second, expected);
  EXPECT_EQ((*it)->revision(), pinned);

  stop = true;
  auto now = store->CurrentRevision();
  ASSERT_OK(now);
  EXPECT_GE(*now, pinned + 50);  // the pages really were read while the store moved on
  EXPECT_EQ(*store->Count(KeyRange::Prefix("/paging/"), pinned), kKeys);
  EXPECT_GT(*store->Count(KeyRange::Prefix("/paging/")), kKeys);

  const EtcdStore::Stats st = store->stats();
  EXPECT_GE(st.range_pages, 2 * kKeys / 100);
  EXPECT_LE(st.range_page_max_keys, 100);

  // A limit across pages, with `more`.
  for (auto [limit, more] : std::vector<std::pair<int64_t, bool>>{{250, true}, {2500, false}, {2501, false}, {1, true}}) {
    auto lim = store->Range(KeyRange::Prefix("/paging/"), {.revision = pinned, .limit = limit});
    ASSERT_OK(lim);
    int64_t n = 0;
    while (true) {
      auto kv = (*lim)->Next();
      ASSERT_OK(kv);
      if (*kv == nullptr) break;
      ASSERT_EQ((*kv)->key, expected[static_cast<size_t>(n)]);
      ++n;
    }
    EXPECT_EQ(n, std::min<int64_t>(limit, kKeys)) << limit;
    EXPECT_EQ((*lim)->more(), more) << limit;
  }
}

TEST_F(EtcdStoreTest, PageCountAdaptsToTheByteBudget) {
  // 24 values of 64 KiB, then 3000 of 100 bytes; a 256 KiB budget.
  const std::string big(64 * 1024, 'b');
  for (int i = 0; i < 24; ++i) ASSERT_OK(store_->Put(Key("/budget/a", i), big));
  std::vector<std::pair<std::string, std::string>> small;
  for (int i = 0; i < 3000; ++i) small.emplace_back(Key("/budget/b", i), std::string(100, 's'));
  ASSERT_NO_FATAL_FAILURE(BulkPut(etcd_->endpoint(), small));

  EtcdOptions o = OptionsFor({etcd_->endpoint()});
  o.range_page_bytes = 256 * 1024;
  o.range_page_limit = 1000;
  o.range_first_page_limit = 2;
  auto store = MustOpen(o);
  ASSERT_NE(store, nullptr);
  auto it = store->Range(KeyRange::Prefix("/budget/"));
  ASSERT_OK(it);
  int n = 0;
  while (true) {
    auto kv = (*it)->Next();
    ASSERT_OK(kv);
    if (*kv == nullptr) break;
    ++n;
  }
  EXPECT_EQ(n, 3024);
  const EtcdStore::Stats st = store->stats();
  // Big items: pages of at most 4 (256 KiB); small ones: the count grew to the cap.
  EXPECT_LE(st.range_page_max_bytes, 256 * 1024 + 4 * 16);
  EXPECT_EQ(st.range_page_max_keys, 1000);
  EXPECT_GE(st.range_pages, 24 / 4 + 3);
  EXPECT_LE(st.range_pages, 24 / 4 + 12);
}

// ---- Watch

TEST_F(EtcdStoreTest, IdleWatchGetsProgressAtTheStoreRevision) {
  auto w = store_->Watch(KeyRange::Prefix("/progress/"), 0, {.progress_interval = 200ms});
  ASSERT_OK(w);
  ASSERT_OK(store_->Put("/progress-outside", "x"));  // not in the range
  const Revision outside = *store_->CurrentRevision();
  // The first non-empty answer is a progress notification at (at least) that revision.
  const auto deadline = Clock::now() + 10s;
  Revision progress = 0;
  while (progress == 0 && Clock::now() < deadline) {
    auto b = (*w)->Next(1s);
    ASSERT_OK(b);
    ASSERT_TRUE(b->events.empty());
    progress = b->revision;
  }
  EXPECT_GE(progress, outside);

  // After events, progress continues from their revision.
  auto put = store_->Put("/progress/a", "1");
  ASSERT_OK(put);
  auto events = Drain(**w, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kv.mod_revision, *put);
  progress = 0;
  while (progress == 0 && Clock::now() < deadline + 10s) {
    auto b = (*w)->Next(1s);
    ASSERT_OK(b);
    ASSERT_TRUE(b->events.empty());
    progress = b->revision;
  }
  EXPECT_GE(progress, *put);
}

TEST_F(EtcdStoreTest, WatchFromACompactedRevisionIsExpired) {
  auto r1 = store_->Put("/compact/a", "1");
  auto r2 = store_->Put("/compact/a", "2");
  auto r3 = store_->Put("/compact/a", "3");
  ASSERT_OK(r1);
  ASSERT_OK(r2);
  ASSERT_OK(r3);
  // Someone else (etcdctl) compacts: CompactedRevision finds the exact revision.
  ASSERT_OK(RunEtcdctl(etcd_->endpoint(), {"compaction", std::to_string(*r2)}));
  auto compacted = store_->CompactedRevision();
  ASSERT_OK(compacted);
  EXPECT_EQ(*compacted, *r2);

  auto old = store_->Watch(KeyRange::Prefix("/compact/"), *r1, {.progress_interval = 0ms});
  if (old.ok()) {
    auto b = (*old)->Next(10s);
    EXPECT_EQ(b.status().code(), StatusCode::kExpired) << b.status().ToString();
    // Errors are final.
    EXPECT_EQ((*old)->Next(10ms).status().code(), StatusCode::kExpired);
  } else {
    EXPECT_EQ(old.status().code(), StatusCode::kExpired) << old.status().ToString();
  }
  auto ok = store_->Watch(KeyRange::Prefix("/compact/"), *r2, {.progress_interval = 0ms});
  ASSERT_OK(ok);
  auto events = Drain(**ok, 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kv.value, "2");
  EXPECT_FALSE(events[0].prev.has_value());  // its previous version (at r1) is compacted
  EXPECT_EQ(events[1].kv.value, "3");
  ASSERT_TRUE(events[1].prev.has_value());
  EXPECT_EQ(events[1].prev->value, "2");

  // Our own compaction; reads below it expire; compacting again or ahead fails.
  ASSERT_TRUE(store_->Compact(*r3).ok());
  EXPECT_EQ(*store_->CompactedRevision(), *r3);
  EXPECT_EQ(store_->Get("/compact/a", *r2).status().code(), StatusCode::kExpired);
  EXPECT_EQ(store_->Get("/compact/a", *r3)->value, "3");
  EXPECT_EQ(store_->Compact(*r3).code(), StatusCode::kExpired);
  EXPECT_EQ(store_->Compact(*r3 + 1000).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(store_->Get("/compact/a", *r3 + 1000).status().code(), StatusCode::kOutOfRange);
}

TEST_F(EtcdStoreTest, CancelUnblocksNext) {
  auto w = store_->Watch(KeyRange::Prefix("/cancel/"), 0, {.progress_interval = 0ms});
  ASSERT_OK(w);
  std::latch waiting(1);
  Clock::time_point returned_at;
  std::thread t([&] {
    waiting.count_down();
    auto r = (*w)->Next(60s);
    returned_at = Clock::now();
    EXPECT_EQ(r.status().code(), StatusCode::kAborted) << r.status().ToString();
  });
  waiting.wait();
  const auto cancelled_at = Clock::now();
  (*w)->Cancel();
  t.join();
  EXPECT_LT(returned_at - cancelled_at, 5s);
  EXPECT_EQ((*w)->Next(0ms).status().code(), StatusCode::kAborted);
}

TEST_F(EtcdStoreTest, WatchBatchesAreCappedAtRevisionBoundaries) {
  auto w = store_->Watch(KeyRange::Prefix("/batch/"), 0, {.progress_interval = 0ms, .max_batch_events = 3});
  ASSERT_OK(w);
  std::vector<std::pair<std::string, std::string>> kvs;
  for (int i = 0; i < 5; ++i) kvs.emplace_back(Key("/batch/", i), "v");
  ASSERT_NO_FATAL_FAILURE(BulkPut(etcd_->endpoint(), kvs));  // one revision, 5 events
  ASSERT_OK(store_->Put("/batch/z", "v"));
  std::vector<WatchBatch> batches;
  size_t events = 0;
  const auto deadline = Clock::now() + 10s;
  while (events < 6 && Clock::now() < deadline) {
    auto b = (*w)->Next(200ms);
    ASSERT_OK(b);
    if (b->events.empty()) continue;
    events += b->events.size();
    batches.push_back(std::move(*b));
  }
  ASSERT_EQ(events, 6u);
  // The 5 events of one revision stay together even though the cap is 3.
  EXPECT_EQ(batches[0].events.size(), 5u);
  for (const WatchBatch& b : batches) EXPECT_EQ(b.revision, b.events.back().kv.mod_revision);
}

// ---- Errors and options

TEST(EtcdStoreOptionsTest, TlsFilesMustBeReadable) {
  EtcdOptions o = OptionsFor({"127.0.0.1:1"});
  o.tls.cert_file = "/nonexistent/ks-client.crt";
  o.tls.key_file = "/nonexistent/ks-client.key";
  auto s = EtcdStore::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("/nonexistent/ks-client.crt"), std::string_view::npos) << s.status().ToString();

  o.tls = {};
  o.tls.ca_file = "/nonexistent/ks-ca.crt";
  s = EtcdStore::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("/nonexistent/ks-ca.crt"), std::string_view::npos);

  kstream::testing::TempDir dir("ks-etcd-opts");
  const std::string cert = dir.str() + "/client.crt";
  std::ofstream(cert) << "not really a certificate\n";
  o.tls = {};
  o.tls.cert_file = cert;  // readable, but the key is missing
  s = EtcdStore::Open(o);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(EtcdStore::Open(EtcdOptions{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(EtcdStoreOptionsTest, UnreachableEndpointIsUnavailable) {
  EtcdOptions o = OptionsFor({"127.0.0.1:1"});  // nothing listens on port 1
  o.request_timeout = 300ms;
  const auto start = Clock::now();
  EXPECT_EQ(EtcdStore::Open(o).status().code(), StatusCode::kUnavailable);
  o.check_on_open = false;
  auto s = EtcdStore::Open(o);
  ASSERT_OK(s);
  EXPECT_EQ((*s)->Get("/a").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ((*s)->Put("/a", "b").status().code(), StatusCode::kUnavailable);
  EXPECT_LT(Clock::now() - start, 5s);
}

// A fake etcd KV service: each RPC is answered by a test-provided function.
class FakeKv final : public etcdserverpb::KV::Service {
 public:
  using RangeFn = std::function<grpc::Status(const etcdserverpb::RangeRequest&, etcdserverpb::RangeResponse*)>;
  using TxnFn = std::function<grpc::Status(const etcdserverpb::TxnRequest&, etcdserverpb::TxnResponse*)>;

  grpc::Status Range(grpc::ServerContext*, const etcdserverpb::RangeRequest* req,
                     etcdserverpb::RangeResponse* resp) override {
    ++range_calls;
    std::lock_guard lock(mu);
    return range ? range(*req, resp) : grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no range");
  }
  grpc::Status Txn(grpc::ServerContext*, const etcdserverpb::TxnRequest* req, etcdserverpb::TxnResponse* resp) override {
    ++txn_calls;
    std::lock_guard lock(mu);
    return txn ? txn(*req, resp) : grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no txn");
  }
  void Set(RangeFn r, TxnFn t) {
    std::lock_guard lock(mu);
    range = std::move(r);
    txn = std::move(t);
    range_calls = 0;
    txn_calls = 0;
  }

  std::mutex mu;
  RangeFn range;
  TxnFn txn;
  std::atomic<int> range_calls{0};
  std::atomic<int> txn_calls{0};
};

struct FakeEtcd {
  FakeEtcd() {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    b.RegisterService(&kv);
    server = b.BuildAndStart();
  }
  ~FakeEtcd() { server->Shutdown(std::chrono::system_clock::now() + 1s); }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port); }

  FakeKv kv;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

void SetHeader(etcdserverpb::ResponseHeader* h, int64_t rev) { h->set_revision(rev); }

grpc::Status RangeOk(const etcdserverpb::RangeRequest&, etcdserverpb::RangeResponse* resp) {
  SetHeader(resp->mutable_header(), 10);
  return grpc::Status::OK;
}

TEST(EtcdStoreFakeTest, MalformedResponsesAreInternalErrors) {
  FakeEtcd fake;
  ASSERT_NE(fake.server, nullptr);
  EtcdOptions o = OptionsFor({fake.endpoint()});
  o.check_on_open = false;
  o.request_timeout = 2s;
  auto store = MustOpen(o);
  ASSERT_NE(store, nullptr);
  auto add = [](etcdserverpb::RangeResponse* r, const std::string& key) {
    auto* kv = r->add_kvs();
    kv->set_key(key);
    kv->set_mod_revision(5);
  };

  struct Case {
    const char* name;
    FakeKv::RangeFn fn;
  };
  std::vector<Case> cases = {
      {"no header", [](auto&, auto*) { return grpc::Status::OK; }},
      {"keys out of order",
       [&](auto&, auto* r) {
         SetHeader(r->mutable_header(), 10);
         add(r, "/b");
         add(r, "/a");
         return grpc::Status::OK;
       }},
      {"key outside the range",
       [&](auto&, auto* r) {
         SetHeader(r->mutable_header(), 10);
         add(r, "/zzz");
         return grpc::Status::OK;
       }},
      {"more without keys",
       [&](auto&, auto* r) {
         SetHeader(r->mutable_header(), 10);
         r->set_more(true);
         return grpc::Status::OK;
       }},
      {"newer than the snapshot",
       [&](auto&, auto* r) {
         SetHeader(r->mutable_header(), 3);
         add(r, "/a");
         return grpc::Status::OK;
       }},
  };
  for (const Case& c : cases) {
    fake.kv.Set(c.fn, nullptr);
    auto it = store->Range(KeyRange::Between("/a", "/c"));
    EXPECT_EQ(it.status().code(), StatusCode::kInternal) << c.name << ": " << it.status().ToString();
  }
  // Get of one key answered with another.
  fake.kv.Set(
      [&](auto&, auto* r) {
        SetHeader(r->mutable_header(), 10);
        add(r, "/other");
        return grpc::Status::OK;
      },
      nullptr);
  EXPECT_EQ(store->Get("/a").status().code(), StatusCode::kInternal);
  // A second page that repeats the first one's key.
  fake.kv.Set(
      [&](const etcdserverpb::RangeRequest& req, auto* r) {
        SetHeader(r->mutable_header(), 10);
        add(r, "/a");
        r->set_more(true);
        (void)req;
        return grpc::Status::OK;
      },
      nullptr);
  auto it = store->Range(KeyRange::Between("/a", "/c"));
  ASSERT_OK(it);
  ASSERT_OK((*it)->Next());
  EXPECT_EQ((*it)->Next().status().code(), StatusCode::kInternal);
  EXPECT_EQ((*it)->Next().status().code(), StatusCode::kInternal);  // errors are final

  // Txn results that do not match the request.
  std::vector<FakeKv::TxnFn> txns = {
      [](auto&, auto* r) {  // no results
        SetHeader(r->mutable_header(), 10);
        r->set_succeeded(true);
        return grpc::Status::OK;
      },
      [](auto&, auto* r) {  // a range result for a put
        SetHeader(r->mutable_header(), 10);
        r->set_succeeded(true);
        r->add_responses()->mutable_response_range();
        return grpc::Status::OK;
      },
      [](auto&, auto* r) {  // an unconditional txn that failed
        SetHeader(r->mutable_header(), 10);
        r->set_succeeded(false);
        r->add_responses()->mutable_response_range();
        return grpc::Status::OK;
      },
  };
  for (auto& fn : txns) {
    fake.kv.Set(nullptr, fn);
    EXPECT_EQ(store->Put("/a", "v").status().code(), StatusCode::kInternal);
  }
}

TEST(EtcdStoreFakeTest, ErrorsMapToStoreCodes) {
  FakeEtcd fake;
  EtcdOptions o = OptionsFor({fake.endpoint()});
  o.check_on_open = false;
  o.request_timeout = 1s;
  auto store = MustOpen(o);
  ASSERT_NE(store, nullptr);
  struct Case {
    grpc::StatusCode code;
    const char* message;
    StatusCode want;
  };
  for (const Case& c : std::vector<Case>{
           {grpc::StatusCode::OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted", StatusCode::kExpired},
           {grpc::StatusCode::OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision", StatusCode::kOutOfRange},
           {grpc::StatusCode::RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded", StatusCode::kResourceExhausted},
           {grpc::StatusCode::INVALID_ARGUMENT, "etcdserver: request is too large", StatusCode::kResourceExhausted},
           {grpc::StatusCode::UNAUTHENTICATED, "etcdserver: invalid auth token", StatusCode::kFailedPrecondition},
           {grpc::StatusCode::DATA_LOSS, "etcdserver: corrupt cluster", StatusCode::kInternal},
       }) {
    fake.kv.Set([&](auto&, auto*) { return grpc::Status(c.code, c.message); },
                [&](auto&, auto*) { return grpc::Status(c.code, c.message); });
    EXPECT_EQ(store->Get("/a", 3).status().code(), c.want) << c.message;
    EXPECT_EQ(store->Put("/a", "v").status().code(), c.want) << c.message;
  }
}

TEST(EtcdStoreFakeTest, FailOverRetriesReadsButNotWritesOfUnknownOutcome) {
  FakeEtcd a, b;
  EtcdOptions o = OptionsFor({a.endpoint(), b.endpoint()});
  o.check_on_open = false;
  o.request_timeout = 2s;
  auto store = MustOpen(o);
  ASSERT_NE(store, nullptr);
  auto timed_out = [](auto&, auto*) { return grpc::Status(grpc::StatusCode::UNAVAILABLE, "etcdserver: request timed out"); };
  auto no_leader = [](auto&, auto*) { return grpc::Status(grpc::StatusCode::UNAVAILABLE, "etcdserver: no leader"); };
  auto txn_ok = [](auto&, etcdserverpb::TxnResponse* r) {
    SetHeader(r->mutable_header(), 11);
    r->set_succeeded(true);
    r->add_responses()->mutable_response_put();
    return grpc::Status::OK;
  };

  // A read that timed out on `a` is retried on `b`.
  a.kv.Set(timed_out, timed_out);
  b.kv.Set(RangeOk, txn_ok);
  ASSERT_OK(store->CurrentRevision());
  EXPECT_EQ(a.kv.range_calls.load(), 1);
  EXPECT_EQ(b.kv.range_calls.load(), 1);
  EXPECT_EQ(store->current_endpoint(), b.endpoint());
  EXPECT_EQ(store->stats().failovers, 1);

  // A write that timed out may have applied: not retried, kUnavailable.
  a.kv.Set(RangeOk, timed_out);
  b.kv.Set(RangeOk, timed_out);
  auto w = store->Put("/a", "v");
  EXPECT_EQ(w.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(w.status().message().find("outcome unknown"), std::string_view::npos) << w.status().ToString();
  EXPECT_EQ(a.kv.txn_calls.load() + b.kv.txn_calls.load(), 1);

  // A write refused for want of a leader provably did not apply: retried elsewhere. (First
  // make `a` the current endpoint: b's reads time out.)
  a.kv.Set(RangeOk, no_leader);
  b.kv.Set(timed_out, txn_ok);
  ASSERT_OK(store->CurrentRevision());
  EXPECT_EQ(store->current_endpoint(), a.endpoint());
  auto ok = store->Put("/a", "v");
  ASSERT_OK(ok);
  EXPECT_EQ(*ok, 11);
  EXPECT_EQ(a.kv.txn_calls.load(), 1);
  EXPECT_EQ(b.kv.txn_calls.load(), 1);

  // An endpoint that is down is skipped for writes too (nothing was sent).
  FakeEtcd c;
  const std::string dead = c.endpoint();
  c.server->Shutdown(std::chrono::system_clock::now());
  c.server->Wait();
  EtcdOptions o2 = OptionsFor({dead, b.endpoint()});
  o2.check_on_open = false;
  auto store2 = MustOpen(o2);
  ASSERT_NE(store2, nullptr);
  ASSERT_OK(store2->Put("/a", "v"));
  EXPECT_EQ(store2->current_endpoint(), b.endpoint());
}

// ---- TLS end to end (certificates made with openssl)

class EtcdTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "openssl not installed";
    const std::string d = dir_.str();
    auto run = [&](std::vector<std::string> argv) {
      auto r = RunProgram(argv);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    };
    std::ofstream(d + "/leaf.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                      "extendedKeyUsage=serverAuth,clientAuth\n";
    const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
    auto req = [&](std::vector<std::string> head) {
      head.insert(head.end(), ec.begin(), ec.end());
      return head;
    };
    ASSERT_NO_FATAL_FAILURE(run([&] {
      auto a = req({"/usr/bin/openssl", "req", "-x509"});
      a.insert(a.end(), {"-keyout", d + "/ca.key", "-out", d + "/ca.crt", "-days", "2", "-subj", "/CN=ks-test-ca",
                         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"});
      return a;
    }()));
    for (const std::string name : {"server", "client"}) {
      ASSERT_NO_FATAL_FAILURE(run([&] {
        auto a = req({"/usr/bin/openssl", "req"});
        a.insert(a.end(), {"-keyout", d + "/" + name + ".key", "-out", d + "/" + name + ".csr", "-subj", "/CN=" + name});
        return a;
      }()));
      ASSERT_NO_FATAL_FAILURE(run({"/usr/bin/openssl", "x509", "-req", "-in", d + "/" + name + ".csr", "-CA", d + "/ca.crt",
                                   "-CAkey", d + "/ca.key", "-CAcreateserial", "-out", d + "/" + name + ".crt", "-days",
                                   "2", "-extfile", d + "/leaf.ext"}));
    }
  }
  std::string File(const std::string& name) const { return dir_.str() + "/" + name; }

  kstream::testing::TempDir dir_{"ks-etcd-tls"};
};

TEST_F(EtcdTlsTest, ClientCertificateAuth) {
  EtcdProcessOptions po;
  po.tls = EtcdTlsFiles{File("ca.crt"), File("server.crt"), File("server.key")};
  EtcdProcess etcd(po);
  Status started = etcd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();

  EtcdOptions o = OptionsFor({etcd.endpoint()});
  o.tls.ca_file = File("ca.crt");
  o.tls.cert_file = File("client.crt");
  o.tls.key_file = File("client.key");
  auto store = MustOpen(o);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Put("/tls/a", "secret"));
  EXPECT_EQ(store->Get("/tls/a")->value, "secret");
  auto got = RunEtcdctl(etcd.endpoint(), {"get", "/tls/a", "--print-value-only"},
                        EtcdTlsFiles{File("ca.crt"), File("client.crt"), File("client.key")});
  ASSERT_OK(got);
  EXPECT_EQ(*got, "secret\n");

  // Without a client certificate, or in plaintext, etcd refuses us.
  EtcdOptions no_cert = OptionsFor({etcd.endpoint()});
  no_cert.tls.ca_file = File("ca.crt");
  no_cert.request_timeout = 1s;
  EXPECT_EQ(EtcdStore::Open(no_cert).status().code(), StatusCode::kUnavailable);
  EtcdOptions plain = OptionsFor({etcd.endpoint()});
  plain.request_timeout = 1s;
  EXPECT_FALSE(EtcdStore::Open(plain).ok());
}

// ---- Restart and fail-over against real processes

TEST(EtcdRestartTest, WatchResumesAfterTheServerRestarts) {
  EtcdProcess etcd;
  Status started = etcd.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  auto store = MustOpen(OptionsFor({etcd.endpoint()}));
  ASSERT_NE(store, nullptr);
  auto w = store->Watch(KeyRange::Prefix("/resume/"), 0, {.progress_interval = 0ms});
  ASSERT_OK(w);
  ASSERT_OK(store->Put("/resume/a", "1"));
  auto first = Drain(**w, 1);
  ASSERT_EQ(first.size(), 1u);

  etcd.Kill();
  Status restarted = etcd.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  ASSERT_OK(store->Put("/resume/b", "2"));
  ASSERT_OK(store->Put("/resume/a", "3"));
  auto after = Drain(**w, 2);
  ASSERT_EQ(after.size(), 2u);  // nothing lost, nothing repeated
  EXPECT_EQ(after[0].kv.key, "/resume/b");
  EXPECT_EQ(after[1].kv.value, "3");
  ASSERT_TRUE(after[1].prev.has_value());
  EXPECT_EQ(after[1].prev->value, "1");
  EXPECT_EQ(store->Get("/resume/a")->value, "3");
  EXPECT_GE(store->stats().watch_reconnects, 1);
}

TEST(EtcdClusterTest, StoreFailsOverWhenAMemberStops) {
  EtcdCluster cluster(3);
  Status started = cluster.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  auto store = MustOpen(OptionsFor(cluster.endpoints()));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->current_endpoint(), cluster.member(0).endpoint());
  ASSERT_OK(store->Put("/fo/before", "x"));
  auto w = store->Watch(KeyRange::Prefix("/fo/"), 0, {.progress_interval = 0ms});
  ASSERT_OK(w);

  // After a member dies, the first call is a read: a write already in flight on the dying
  // connection would rightly come back "outcome unknown" (not retried), and which of the
  // two the first call meets is a race with gRPC noticing the closed socket. Reads fail
  // over freely; the writes then go to a live member.
  auto serve = [&](int from, int n) {
    ASSERT_OK(store->Count(KeyRange::Prefix("/fo/k")));
    for (int i = from; i < from + n; ++i) {
      auto r = store->Create(Key("/fo/k", i), "v" + std::to_string(i));
      ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
      auto g = store->Get(Key("/fo/k", i));
      ASSERT_TRUE(g.ok()) << g.status().ToString();
      EXPECT_EQ(g->mod_revision, *r);
    }
    auto it = store->Range(KeyRange::Prefix("/fo/k"));
    ASSERT_OK(it);
    int count = 0;
    while (*(*it)->Next() != nullptr) ++count;
    EXPECT_EQ(count, from + n);
  };

  cluster.member(0).Stop();  // the endpoint in use (and perhaps the leader)
  ASSERT_NO_FATAL_FAILURE(serve(0, 10));
  EXPECT_NE(store->current_endpoint(), cluster.member(0).endpoint());
  EXPECT_GE(store->stats().failovers, 1);

  Status restarted = cluster.member(0).Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  const std::string in_use = store->current_endpoint();
  for (int i = 0; i < cluster.size(); ++i) {
    if (cluster.member(i).endpoint() == in_use) cluster.member(i).Kill();
  }
  ASSERT_NO_FATAL_FAILURE(serve(10, 10));
  EXPECT_NE(store->current_endpoint(), in_use);

  // The watch followed along: every change once, in order.
  auto events = Drain(**w, 20);
  ASSERT_EQ(events.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(events[static_cast<size_t>(i)].kv.key, Key("/fo/k", i));
    if (i > 0) {
      EXPECT_GT(events[static_cast<size_t>(i)].kv.mod_revision, events[static_cast<size_t>(i) - 1].kv.mod_revision);
    }
  }
  EXPECT_GE(store->stats().watch_reconnects, 1);
}

// ---- The test utility itself

TEST(EtcdProcessTest, StopRestartKeepsDataAndTheDirectoryIsRemoved) {
  std::string dir;
  {
    EtcdProcess etcd;
    Status s = etcd.Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    dir = etcd.data_dir();
    ASSERT_OK(RunEtcdctl(etcd.endpoint(), {"put", "/p", "kept"}));
    etcd.Stop();
    EXPECT_FALSE(etcd.running());
    EXPECT_FALSE(RunEtcdctl(etcd.endpoint(), {"get", "/p", "--command-timeout=1s", "--dial-timeout=1s"}).ok());
    s = etcd.Restart();
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto got = RunEtcdctl(etcd.endpoint(), {"get", "/p", "--print-value-only"});
    ASSERT_OK(got);
    EXPECT_EQ(*got, "kept\n");
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace kstream::storage
