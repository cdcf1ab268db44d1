// The Store contract (store.h), run against every backend: the embedded LMDB store and a
// real etcd started for the test. Each test gets a fresh, empty store.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <memory>
#include <thread>

#include "storage/lmdb/lmdb_store.h"
#include "storage/store.h"
#include "storage/test_backends.h"

namespace kstream::storage {
namespace {

using namespace std::chrono_literals;

class ConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto b = testing_backends::Open(GetParam());
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    backend_ = std::move(b).value();
    s_ = backend_->store();
  }

  // Reads a whole range into (key -> value) pairs, in order.
  std::vector<std::pair<std::string, std::string>> All(const KeyRange& r, const RangeOptions& o = {}) {
    std::vector<std::pair<std::string, std::string>> out;
    auto it = s_->Range(r, o);
    EXPECT_TRUE(it.ok()) << it.status().ToString();
    if (!it.ok()) return out;
    while (true) {
      auto kv = (*it)->Next();
      EXPECT_TRUE(kv.ok()) << kv.status().ToString();
      if (!kv.ok() || *kv == nullptr) break;
      out.emplace_back(std::string((*kv)->key), std::string((*kv)->value));
    }
    return out;
  }

  Revision Rev() {
    auto r = s_->CurrentRevision();
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : -1;
  }

  std::unique_ptr<testing_backends::Backend> backend_;
  Store* s_ = nullptr;
};

using KV = std::vector<std::pair<std::string, std::string>>;

TEST_P(ConformanceTest, NewStoreIsEmptyAtRevisionOne) {
  EXPECT_EQ(Rev(), 1);
  EXPECT_EQ(*s_->CompactedRevision(), 0);
  EXPECT_EQ(s_->Get("/a").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(All(KeyRange::Prefix("/")).empty());
  EXPECT_EQ(*s_->Count(KeyRange::Prefix("/")), 0);
}

TEST_P(ConformanceTest, WritesTakeConsecutiveRevisionsAndTrackVersions) {
  auto r1 = s_->Create("/registry/configmaps/ns/a", "v1");
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(*r1, 2);
  auto kv = s_->Get("/registry/configmaps/ns/a");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(*kv, (KeyValue{"/registry/configmaps/ns/a", "v1", 2, 2, 1}));

  auto r2 = s_->Update("/registry/configmaps/ns/a", "v2", 2);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(*r2, 3);
  EXPECT_EQ(*s_->Get("/registry/configmaps/ns/a"), (KeyValue{"/registry/configmaps/ns/a", "v2", 2, 3, 2}));

  // Conflicts and absent keys.
  EXPECT_EQ(s_->Create("/registry/configmaps/ns/a", "x").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s_->Update("/registry/configmaps/ns/a", "x", 2).status().code(), StatusCode::kAborted);
  EXPECT_EQ(s_->Update("/registry/configmaps/ns/b", "x", 2).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s_->Delete("/registry/configmaps/ns/a", 2).status().code(), StatusCode::kAborted);
  EXPECT_EQ(s_->Delete("/registry/configmaps/ns/b").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s_->Update("/registry/configmaps/ns/a", "x", 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Rev(), 3);  // failed writes take no revision

  auto r3 = s_->Delete("/registry/configmaps/ns/a", 3);
  ASSERT_TRUE(r3.ok()) << r3.status().ToString();
  EXPECT_EQ(*r3, 4);
  EXPECT_EQ(s_->Get("/registry/configmaps/ns/a").status().code(), StatusCode::kNotFound);

  // A new incarnation starts over: create revision and version.
  auto r4 = s_->Create("/registry/configmaps/ns/a", "v3");
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(*s_->Get("/registry/configmaps/ns/a"), (KeyValue{"/registry/configmaps/ns/a", "v3", 5, 5, 1}));
  EXPECT_EQ(*s_->Put("/registry/configmaps/ns/a", "v4"), 6);
  EXPECT_EQ(*s_->Get("/registry/configmaps/ns/a"), (KeyValue{"/registry/configmaps/ns/a", "v4", 5, 6, 2}));
}

TEST_P(ConformanceTest, TxnReportsPreviousOrCurrentVersion) {
  TxnRequest create{.key = "/k", .precondition = TxnRequest::Precondition::kAbsent, .value = "a"};
  auto r = s_->Txn(create);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->succeeded);
  EXPECT_EQ(r->revision, 2);
  EXPECT_FALSE(r->kv.has_value());

  // A failed precondition returns the current version (for a retry without a read).
  auto again = s_->Txn(create);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->succeeded);
  EXPECT_EQ(again->revision, 2);
  ASSERT_TRUE(again->kv.has_value());
  EXPECT_EQ(*again->kv, (KeyValue{"/k", "a", 2, 2, 1}));

  TxnRequest update{.key = "/k", .precondition = TxnRequest::Precondition::kModRevision, .mod_revision = 2,
                    .value = "b"};
  auto u = s_->Txn(update);
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->succeeded);
  EXPECT_EQ(u->revision, 3);
  ASSERT_TRUE(u->kv.has_value());
  EXPECT_EQ(u->kv->value, "a");  // the previous version

  TxnRequest del{.key = "/k", .precondition = TxnRequest::Precondition::kModRevision, .mod_revision = 3,
                 .op = TxnRequest::Op::kDelete, .value = {}};
  auto d = s_->Txn(del);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->succeeded);
  EXPECT_EQ(d->revision, 4);
  ASSERT_TRUE(d->kv.has_value());
  EXPECT_EQ(d->kv->value, "b");

  // Deleting an absent key unconditionally succeeds without a new revision (as etcd).
  auto d2 = s_->Txn(TxnRequest{.key = "/k", .op = TxnRequest::Op::kDelete, .value = {}});
  ASSERT_TRUE(d2.ok());
  EXPECT_TRUE(d2->succeeded);
  EXPECT_EQ(d2->revision, 4);
  EXPECT_FALSE(d2->kv.has_value());
  EXPECT_EQ(Rev(), 4);

  EXPECT_EQ(s_->Txn(TxnRequest{.key = "", .value = "x"}).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(ConformanceTest, ReadsAtPastRevisions) {
  ASSERT_TRUE(s_->Create("/a", "1").ok());           // 2
  ASSERT_TRUE(s_->Create("/b", "1").ok());           // 3
  ASSERT_TRUE(s_->Update("/a", "2", 2).ok());        // 4
  ASSERT_TRUE(s_->Delete("/b").ok());                // 5
  ASSERT_TRUE(s_->Create("/c", "1").ok());           // 6
  EXPECT_EQ(s_->Get("/a", 2)->value, "1");
  EXPECT_EQ(s_->Get("/a", 3)->value, "1");
  EXPECT_EQ(s_->Get("/a", 4)->value, "2");
  EXPECT_EQ(s_->Get("/a", 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s_->Get("/b", 4)->value, "1");
  EXPECT_EQ(s_->Get("/b", 5).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s_->Get("/a", 7).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(All(KeyRange::Prefix("/"), {.revision = 3}), (KV{{"/a", "1"}, {"/b", "1"}}));
  EXPECT_EQ(All(KeyRange::Prefix("/"), {.revision = 5}), (KV{{"/a", "2"}}));
  EXPECT_EQ(All(KeyRange::Prefix("/")), (KV{{"/a", "2"}, {"/c", "1"}}));
  EXPECT_EQ(*s_->Count(KeyRange::Prefix("/"), 3), 2);
  EXPECT_EQ(*s_->Count(KeyRange::Prefix("/"), 5), 1);
  EXPECT_EQ(s_->Range(KeyRange::Prefix("/"), {.revision = 9}).status().code(), StatusCode::kOutOfRange);
}

TEST_P(ConformanceTest, RangesArePrefixesOrIntervalsInKeyOrder) {
  for (std::string k : {"/registry/pods/b/x", "/registry/pods/a/y", "/registry/pods/a/x", "/registry/podsx/a",
                        "/registry/pod", "/registry/services/specs/a/s", "/registry/pods/c/\xff"}) {
    ASSERT_TRUE(s_->Create(k, "v:" + k).ok()) << k;
  }
  auto pods = All(KeyRange::Prefix("/registry/pods/"));
  ASSERT_EQ(pods.size(), 4u);
  EXPECT_EQ(pods[0].first, "/registry/pods/a/x");
  EXPECT_EQ(pods[1].first, "/registry/pods/a/y");
  EXPECT_EQ(pods[2].first, "/registry/pods/b/x");
  EXPECT_EQ(pods[3].first, "/registry/pods/c/\xff");
  EXPECT_EQ(pods[0].second, "v:/registry/pods/a/x");
  EXPECT_EQ(All(KeyRange::Prefix("/registry/pods/a/")).size(), 2u);
  EXPECT_EQ(All(KeyRange::Between("/registry/pods/a/y", "/registry/pods/c/")).size(), 2u);
  EXPECT_EQ(All(KeyRange{"/registry/pod", ""}), (KV{{"/registry/pod", "v:/registry/pod"}}));  // one key
  EXPECT_EQ(All(KeyRange::Prefix("")).size(), 7u);  // everything
  EXPECT_EQ(*s_->Count(KeyRange::Prefix("/registry/pods/")), 4);
  EXPECT_EQ(s_->Range(KeyRange::Between("/b", "/a")).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(ConformanceTest, LimitSetsMoreAndRewindReplaysTheSnapshot) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(s_->Create("/k/" + std::to_string(i), std::to_string(i)).ok());
  auto it = s_->Range(KeyRange::Prefix("/k/"), {.limit = 4});
  ASSERT_TRUE(it.ok());
  const Revision at = (*it)->revision();
  EXPECT_EQ(at, 11);
  std::vector<std::string> first;
  while (auto kv = *(*it)->Next()) first.emplace_back(kv->key);
  EXPECT_EQ(first, (std::vector<std::string>{"/k/0", "/k/1", "/k/2", "/k/3"}));
  EXPECT_TRUE((*it)->more());
  // Writes after the snapshot do not show in it, even after a rewind.
  ASSERT_TRUE(s_->Delete("/k/1").ok());
  ASSERT_TRUE(s_->Create("/k/00", "new").ok());
  ASSERT_TRUE((*it)->Rewind().ok());
  std::vector<std::string> second;
  while (auto kv = *(*it)->Next()) second.emplace_back(kv->key);
  EXPECT_EQ(second, first);
  EXPECT_EQ((*it)->revision(), at);
  // The whole range: no more.
  auto all = s_->Range(KeyRange::Prefix("/k/"), {.limit = 10});
  ASSERT_TRUE(all.ok());
  int n = 0;
  while (*(*all)->Next()) ++n;
  EXPECT_EQ(n, 10);
  EXPECT_FALSE((*all)->more());
}

TEST_P(ConformanceTest, IteratorViewsAreValidUntilNext) {
  std::string big(300000, 'x');
  for (int i = 0; i < 5; ++i) {
    big[0] = static_cast<char>('a' + i);
    ASSERT_TRUE(s_->Create("/big/" + std::to_string(i), big).ok());
  }
  auto it = s_->Range(KeyRange::Prefix("/big/"));
  ASSERT_TRUE(it.ok());
  int i = 0;
  while (auto kv = *(*it)->Next()) {
    EXPECT_EQ(kv->value.size(), big.size());
    EXPECT_EQ(kv->value[0], 'a' + i);
    EXPECT_EQ(kv->value.back(), 'x');
    EXPECT_EQ(kv->key, "/big/" + std::to_string(i));
    EXPECT_EQ(kv->ToOwned().value.size(), big.size());
    ++i;
  }
  EXPECT_EQ(i, 5);
}

// Watches.

std::vector<Event> Drain(WatchStream& w, size_t want, std::chrono::milliseconds budget = 10s) {
  std::vector<Event> out;
  auto deadline = std::chrono::steady_clock::now() + budget;
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    auto b = w.Next(200ms);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    if (!b.ok()) break;
    for (auto& e : b->events) out.push_back(std::move(e));
  }
  return out;
}

TEST_P(ConformanceTest, WatchReplaysFromARevisionWithPreviousValues) {
  ASSERT_TRUE(s_->Create("/w/a", "1").ok());      // 2
  ASSERT_TRUE(s_->Create("/other", "x").ok());    // 3
  ASSERT_TRUE(s_->Update("/w/a", "2", 2).ok());   // 4
  ASSERT_TRUE(s_->Delete("/w/a").ok());           // 5
  auto w = s_->Watch(KeyRange::Prefix("/w/"), 2, {.progress_interval = 0ms});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto events = Drain(**w, 3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, Event::Type::kPut);
  EXPECT_EQ(events[0].kv, (KeyValue{"/w/a", "1", 2, 2, 1}));
  EXPECT_FALSE(events[0].prev.has_value());
  EXPECT_EQ(events[1].kv, (KeyValue{"/w/a", "2", 2, 4, 2}));
  ASSERT_TRUE(events[1].prev.has_value());
  EXPECT_EQ(*events[1].prev, (KeyValue{"/w/a", "1", 2, 2, 1}));
  EXPECT_EQ(events[2].type, Event::Type::kDelete);
  EXPECT_EQ(events[2].kv.key, "/w/a");
  EXPECT_EQ(events[2].kv.mod_revision, 5);
  ASSERT_TRUE(events[2].prev.has_value());
  EXPECT_EQ(events[2].prev->value, "2");

  // Live events after the replay, in order, from another thread.
  std::thread writer([&] {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(s_->Put("/w/" + std::to_string(i), "v").ok());
  });
  auto live = Drain(**w, 20);
  writer.join();
  ASSERT_EQ(live.size(), 20u);
  for (size_t i = 1; i < live.size(); ++i) EXPECT_GT(live[i].kv.mod_revision, live[i - 1].kv.mod_revision);
}

TEST_P(ConformanceTest, WatchBatchRevisionIsItsLastEvents) {
  ASSERT_TRUE(s_->Create("/w/a", "1").ok());  // 2
  ASSERT_TRUE(s_->Create("/x", "1").ok());    // 3, outside the watched prefix
  auto w = s_->Watch(KeyRange::Prefix("/w/"), 2, {.progress_interval = 0ms});
  ASSERT_TRUE(w.ok());
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto b = (*w)->Next(200ms);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    if (b->events.empty()) continue;
    ASSERT_EQ(b->events.size(), 1u);
    EXPECT_EQ(b->revision, 2);
    EXPECT_EQ(b->events.back().kv.mod_revision, 2);
    return;
  }
  FAIL() << "no event";
}

TEST_P(ConformanceTest, WatchFromZeroSeesOnlyNewChanges) {
  ASSERT_TRUE(s_->Create("/w/old", "1").ok());
  auto w = s_->Watch(KeyRange::Prefix("/w/"), 0, {.progress_interval = 0ms});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(s_->Create("/w/new", "1").ok());
  auto events = Drain(**w, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kv.key, "/w/new");
}

TEST_P(ConformanceTest, IdleWatchSendsProgressNotifications) {
  ASSERT_TRUE(s_->Create("/x", "1").ok());
  auto w = s_->Watch(KeyRange::Prefix("/w/"), 0, {.progress_interval = 300ms});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(s_->Create("/y", "1").ok());  // outside the watched prefix
  const Revision current = Rev();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  bool got = false;
  while (!got && std::chrono::steady_clock::now() < deadline) {
    auto b = (*w)->Next(1s);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    ASSERT_TRUE(b->events.empty());
    if (b->revision != 0) {
      EXPECT_GE(b->revision, current);
      got = true;
    }
  }
  EXPECT_TRUE(got);
}

TEST_P(ConformanceTest, WatchNextTimesOutAndCancelUnblocks) {
  auto w = s_->Watch(KeyRange::Prefix("/w/"), 0, {.progress_interval = 0ms});
  ASSERT_TRUE(w.ok());
  auto b = (*w)->Next(100ms);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->events.empty());
  EXPECT_EQ(b->revision, 0);
  std::atomic<bool> returned{false};
  std::thread t([&] {
    auto r = (*w)->Next(60s);
    EXPECT_EQ(r.status().code(), StatusCode::kAborted);
    returned = true;
  });
  std::this_thread::sleep_for(100ms);  // let it block (the test passes either way)
  (*w)->Cancel();
  t.join();
  EXPECT_TRUE(returned);
}

TEST_P(ConformanceTest, CompactionDropsHistory) {
  ASSERT_TRUE(s_->Create("/a", "1").ok());      // 2
  ASSERT_TRUE(s_->Update("/a", "2", 2).ok());   // 3
  ASSERT_TRUE(s_->Create("/b", "1").ok());      // 4
  ASSERT_TRUE(s_->Delete("/b").ok());           // 5
  ASSERT_TRUE(s_->Create("/c", "1").ok());      // 6
  ASSERT_TRUE(s_->Compact(5).ok());
  EXPECT_EQ(*s_->CompactedRevision(), 5);
  EXPECT_EQ(s_->Get("/a", 4).status().code(), StatusCode::kExpired);
  EXPECT_EQ(s_->Get("/a", 5)->value, "2");  // the state at the compaction revision stays
  EXPECT_EQ(s_->Get("/b", 5).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s_->Range(KeyRange::Prefix("/"), {.revision = 3}).status().code(), StatusCode::kExpired);
  EXPECT_EQ(All(KeyRange::Prefix("/"), {.revision = 5}), (KV{{"/a", "2"}}));
  EXPECT_EQ(All(KeyRange::Prefix("/")), (KV{{"/a", "2"}, {"/c", "1"}}));
  EXPECT_EQ(*s_->Count(KeyRange::Prefix("/"), 5), 1);
  EXPECT_EQ(s_->Count(KeyRange::Prefix("/"), 4).status().code(), StatusCode::kExpired);
  // Watching from before the compaction is a clear error; from it, fine.
  auto old = s_->Watch(KeyRange::Prefix("/"), 3, {.progress_interval = 0ms});
  if (old.ok()) {
    EXPECT_EQ((*old)->Next(5s).status().code(), StatusCode::kExpired);
  } else {
    EXPECT_EQ(old.status().code(), StatusCode::kExpired);
  }
  auto w = s_->Watch(KeyRange::Prefix("/"), 6, {.progress_interval = 0ms});
  ASSERT_TRUE(w.ok());
  auto events = Drain(**w, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kv.key, "/c");
  // Compacting again at or below, or in the future.
  EXPECT_EQ(s_->Compact(5).code(), StatusCode::kExpired);
  EXPECT_EQ(s_->Compact(3).code(), StatusCode::kExpired);
  EXPECT_EQ(s_->Compact(100).code(), StatusCode::kOutOfRange);
  // Writes go on; versions keep counting.
  ASSERT_TRUE(s_->Update("/a", "3", 3).ok());
  EXPECT_EQ(*s_->Get("/a"), (KeyValue{"/a", "3", 2, 7, 3}));
  ASSERT_TRUE(s_->Compact(7).ok());
  EXPECT_EQ(All(KeyRange::Prefix("/")), (KV{{"/a", "3"}, {"/c", "1"}}));
}

TEST_P(ConformanceTest, AutoCompactorKeepsOneIntervalOfHistory) {
  AutoCompactor c(s_, 0ms);  // steps driven by the test
  ASSERT_TRUE(s_->Put("/a", "1").ok());  // 2
  EXPECT_EQ(*c.Step(), 0);               // records 2
  ASSERT_TRUE(s_->Put("/a", "2").ok());  // 3
  ASSERT_TRUE(s_->Put("/a", "3").ok());  // 4
  EXPECT_EQ(*c.Step(), 2);               // compacts to what was current one step ago; records 4
  EXPECT_EQ(*s_->CompactedRevision(), 2);
  EXPECT_EQ(s_->Get("/a", 3)->value, "2");  // still within the kept interval
  EXPECT_EQ(*c.Step(), 4);
  EXPECT_EQ(s_->Get("/a", 3).status().code(), StatusCode::kExpired);
  EXPECT_EQ(*c.Step(), 0);  // nothing written since: nothing new to drop
}

TEST_P(ConformanceTest, ConcurrentWritersGetUniqueRevisionsAndReadersConsistentSnapshots) {
  constexpr int kThreads = 4, kPerThread = 100;
  std::vector<std::thread> writers;
  std::vector<std::vector<Revision>> revs(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = s_->Create("/c/" + std::to_string(t) + "/" + std::to_string(i), "v");
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        revs[t].push_back(*r);
      }
    });
  }
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      auto it = s_->Range(KeyRange::Prefix("/c/"));
      ASSERT_TRUE(it.ok());
      int64_t n = 0;
      while (*(*it)->Next()) ++n;
      // Every key was created by its own revision after the empty store's 1.
      EXPECT_EQ(n, (*it)->revision() - 1);
    }
  });
  for (auto& w : writers) w.join();
  stop = true;
  reader.join();
  std::vector<Revision> all;
  for (auto& v : revs) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<Revision>(i + 2));
}

// Random puts, deletes and compactions against a model of every key's history; reads at
// random revisions must match the model (or be kExpired below the compaction revision).
TEST_P(ConformanceTest, MatchesAModelUnderRandomWritesAndCompactions) {
  std::mt19937_64 rng(42);
  // model[rev] = the whole keyspace after the write at rev.
  std::map<Revision, std::map<std::string, std::string>> model;
  std::map<std::string, std::string> state;
  model[1] = state;
  Revision compacted = 0;
  const int kOps = 400;
  for (int op = 0; op < kOps; ++op) {
    std::string key = "/m/" + std::to_string(rng() % 12);
    switch (rng() % 10) {
      case 0:
      case 1: {  // delete
        auto r = s_->Delete(key);
        if (state.contains(key)) {
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          state.erase(key);
          model[*r] = state;
        } else {
          ASSERT_EQ(r.status().code(), StatusCode::kNotFound);
        }
        break;
      }
      case 2: {  // compact somewhere between the compacted and the current revision
        Revision current = Rev();
        if (current > compacted + 1) {
          Revision at = compacted + 1 + static_cast<Revision>(rng() % (current - compacted));
          ASSERT_TRUE(s_->Compact(at).ok()) << at;
          compacted = at;
        }
        break;
      }
      default: {  // put
        std::string value = std::to_string(op) + std::string(rng() % 300, 'v');
        auto r = s_->Put(key, value);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        state[key] = value;
        model[*r] = state;
      }
    }
    // Check a random readable revision.
    Revision current = Rev();
    Revision at = std::max<Revision>(1, compacted) + static_cast<Revision>(rng() % (current - std::max<Revision>(1, compacted) + 1));
    auto expect = std::prev(model.upper_bound(at))->second;
    std::map<std::string, std::string> got;
    auto it = s_->Range(KeyRange::Prefix("/m/"), {.revision = at});
    ASSERT_TRUE(it.ok()) << it.status().ToString() << " at " << at;
    while (auto kv = *(*it)->Next()) got[std::string(kv->key)] = std::string(kv->value);
    ASSERT_EQ(got, expect) << "at revision " << at << " (compacted " << compacted << ")";
    if (compacted > 1) {
      ASSERT_EQ(s_->Range(KeyRange::Prefix("/m/"), {.revision = compacted - 1}).status().code(),
                StatusCode::kExpired);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ConformanceTest, ::testing::ValuesIn(testing_backends::Names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace kstream::storage
