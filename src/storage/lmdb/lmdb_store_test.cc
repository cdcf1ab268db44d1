// LMDB-specific behaviour: durability across kill -9, reopening, refusing foreign or
// corrupt data, space reuse after compaction, bounded memory for large ranges. (The Store
// contract itself is tested for every backend in ../conformance_test.cc.)
#include "storage/lmdb/lmdb_store.h"

#include <gtest/gtest.h>
#include <lmdb.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "testing/temp_dir.h"

namespace kstream::storage {
namespace {

using kstream::testing::TempDir;

std::unique_ptr<LmdbStore> OpenOrDie(const std::string& path) {
  auto s = LmdbStore::Open(LmdbOptions{.path = path});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

std::string ValueFor(int i) { return std::to_string(i) + ":" + std::string(10000 + i % 97, 'a' + i % 26); }

TEST(LmdbStoreTest, ReopenKeepsDataRevisionsAndCompaction) {
  TempDir dir("kstream-lmdb");
  {
    auto s = OpenOrDie(dir.str());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->Create("/a", "1").ok());
    ASSERT_TRUE(s->Update("/a", "2", 2).ok());
    ASSERT_TRUE(s->Create("/b", "x").ok());
    ASSERT_TRUE(s->Compact(3).ok());
  }
  auto s = OpenOrDie(dir.str());
  ASSERT_TRUE(s);
  EXPECT_EQ(*s->CurrentRevision(), 4);
  EXPECT_EQ(*s->CompactedRevision(), 3);
  EXPECT_EQ(*s->Get("/a"), (KeyValue{"/a", "2", 2, 3, 2}));
  EXPECT_EQ(s->Get("/a", 2).status().code(), StatusCode::kExpired);
  EXPECT_EQ(*s->Put("/c", "y"), 5);
}

// A child process writes as fast as it can and reports each acknowledged revision through
// a pipe; the parent kills it with SIGKILL mid-stream, reopens the store, and finds every
// acknowledged write.
TEST(LmdbStoreTest, AcknowledgedWritesSurviveKill9) {
  TempDir dir("kstream-lmdb");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto s = LmdbStore::Open(LmdbOptions{.path = dir.str()});
    if (!s.ok()) _exit(2);
    for (int i = 0;; ++i) {
      auto r = (*s)->Put("/d/" + std::to_string(i), ValueFor(i));
      if (!r.ok()) _exit(3);
      int64_t msg[2] = {i, *r};
      if (write(fds[1], msg, sizeof(msg)) != sizeof(msg)) _exit(4);
    }
  }
  close(fds[1]);
  std::vector<std::pair<int64_t, int64_t>> acked;
  int64_t msg[2];
  while (acked.size() < 300 && read(fds[0], msg, sizeof(msg)) == sizeof(msg)) acked.emplace_back(msg[0], msg[1]);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  while (read(fds[0], msg, sizeof(msg)) == sizeof(msg)) acked.emplace_back(msg[0], msg[1]);
  close(fds[0]);
  ASSERT_GE(acked.size(), 300u);

  auto s = OpenOrDie(dir.str());  // the dead writer's lock is gone with its process
  ASSERT_TRUE(s);
  EXPECT_GE(*s->CurrentRevision(), acked.back().second);
  for (auto [i, rev] : acked) {
    auto kv = s->Get("/d/" + std::to_string(i));
    ASSERT_TRUE(kv.ok()) << "acknowledged write " << i << " lost";
    EXPECT_EQ(kv->value, ValueFor(static_cast<int>(i)));
    EXPECT_EQ(kv->mod_revision, rev);
  }
  // And the store takes writes again.
  EXPECT_TRUE(s->Put("/after", "x").ok());
}

TEST(LmdbStoreTest, ForeignOrCorruptDataIsAClearErrorAtOpen) {
  {  // random bytes where the data file should be
    TempDir dir("kstream-lmdb");
    std::ofstream(dir.path() / "data.mdb", std::ios::binary) << std::string(65536, '\x5a');
    auto s = LmdbStore::Open(LmdbOptions{.path = dir.str()});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(s.status().message().find("does not hold a kstream store"), std::string_view::npos)
        << s.status().message();
  }
  {  // a valid LMDB environment written by someone else
    TempDir dir("kstream-lmdb");
    MDB_env* env;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_open(env, dir.str().c_str(), 0, 0644), 0);
    MDB_txn* txn;
    MDB_dbi dbi;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    ASSERT_EQ(mdb_dbi_open(txn, nullptr, 0, &dbi), 0);
    MDB_val k{3, const_cast<char*>("foo")}, v{3, const_cast<char*>("bar")};
    ASSERT_EQ(mdb_put(txn, dbi, &k, &v, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    auto s = LmdbStore::Open(LmdbOptions{.path = dir.str()});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(s.status().message().find("not a kstream store"), std::string_view::npos) << s.status().message();
  }
  {  // the directory is in use
    TempDir dir("kstream-lmdb");
    auto first = OpenOrDie(dir.str());
    ASSERT_TRUE(first);
    auto second = LmdbStore::Open(LmdbOptions{.path = dir.str()});
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(second.status().message().find("in use"), std::string_view::npos);
  }
}

TEST(LmdbStoreTest, KeysLongerThanLmdbAllowsAreRejected) {
  TempDir dir("kstream-lmdb");
  auto s = OpenOrDie(dir.str());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->Put(std::string(512, 'k'), "v").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(s->Put(std::string(511, 'k'), "v").ok());
}

TEST(LmdbStoreTest, LongReadsDoNotBlockWriters) {
  TempDir dir("kstream-lmdb");
  auto s = OpenOrDie(dir.str());
  ASSERT_TRUE(s);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(s->Put("/r/" + std::to_string(i), "v").ok());
  auto it = s->Range(KeyRange::Prefix("/r/"));
  ASSERT_TRUE(it.ok());
  ASSERT_TRUE(*(*it)->Next());
  // The iterator holds its snapshot; writes (and a compaction) go through meanwhile.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(s->Put("/r/" + std::to_string(i), "w").ok());
  ASSERT_TRUE(s->Compact(*s->CurrentRevision()).ok());
  int n = 1;
  while (auto kv = *(*it)->Next()) {
    EXPECT_EQ(kv->value, "v");
    ++n;
  }
  EXPECT_EQ(n, 10);
}

TEST(LmdbStoreTest, CompactionLetsTheFileStopGrowing) {
  TempDir dir("kstream-lmdb");
  auto s = OpenOrDie(dir.str());
  ASSERT_TRUE(s);
  const std::string value(200 * 1024, 'z');
  auto round = [&] {
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(s->Put("/big/" + std::to_string(i), value).ok());
    ASSERT_TRUE(s->Compact(*s->CurrentRevision()).ok());
  };
  for (int r = 0; r < 3; ++r) round();
  const size_t after_warmup = *s->FileSize();
  for (int r = 0; r < 10; ++r) round();  // 100 MB more written, each round compacted
  const size_t after = *s->FileSize();
  // Without reuse the file would grow by ~100 MB; with it, by a few pages at most.
  EXPECT_LT(after, after_warmup + after_warmup / 4) << after_warmup << " -> " << after;
}

// kube-apiserver needs the previous value of every non-create event; a watch from exactly
// the compaction revision still gets it here (etcd's would not).
TEST(LmdbStoreTest, WatchFromTheCompactionRevisionKeepsPreviousValues) {
  TempDir dir("kstream-lmdb");
  auto s = OpenOrDie(dir.str());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Put("/a", "1").ok());  // 2
  ASSERT_TRUE(s->Put("/b", "1").ok());  // 3
  ASSERT_TRUE(s->Delete("/a").ok());    // 4
  ASSERT_TRUE(s->Compact(4).ok());
  auto w = s->Watch(KeyRange::Prefix("/"), 4, {.progress_interval = std::chrono::milliseconds(0)});
  ASSERT_TRUE(w.ok());
  auto b = (*w)->Next(std::chrono::seconds(5));
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->events.size(), 1u);
  EXPECT_EQ(b->events[0].type, Event::Type::kDelete);
  ASSERT_TRUE(b->events[0].prev.has_value());
  EXPECT_EQ(b->events[0].prev->value, "1");
  // The next compaction drops it; reads were never affected.
  ASSERT_TRUE(s->Put("/c", "1").ok());  // 5
  ASSERT_TRUE(s->Compact(5).ok());
  EXPECT_EQ(s->Get("/a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s->Get("/b")->value, "1");
}

TEST(LmdbStoreTest, NextWithAnEndlessTimeoutBlocksUntilCancelled) {
  TempDir dir("kstream-lmdb");
  auto s = OpenOrDie(dir.str());
  ASSERT_TRUE(s);
  auto w = s->Watch(KeyRange::Prefix("/"), 0,
                    {.progress_interval = std::chrono::milliseconds::max()});
  ASSERT_TRUE(w.ok());
  std::atomic<bool> returned{false};
  std::thread t([&] {
    auto r = (*w)->Next(std::chrono::milliseconds::max());
    EXPECT_EQ(r.status().code(), StatusCode::kAborted);
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(returned.load());  // an overflowing deadline would have returned at once
  (*w)->Cancel();
  t.join();
  EXPECT_TRUE(returned.load());
}

TEST(LmdbStoreTest, AutoCompactorRunsInTheBackground) {
  TempDir dir("kstream-lmdb");
  auto s = OpenOrDie(dir.str());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Put("/a", "1").ok());
  AutoCompactor compactor(s.get(), std::chrono::milliseconds(50));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (*s->CompactedRevision() == 0 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(s->Put("/a", "more").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling, not synchronisation
  }
  EXPECT_GT(*s->CompactedRevision(), 0);
  // What it compacted to was current one interval earlier, never the latest revision.
  EXPECT_LT(*s->CompactedRevision(), *s->CurrentRevision());
}

size_t StatusBytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

// A 200 MB range is walked with bounded memory: values are read in place from the map,
// the process's own (anonymous) memory stays flat, and the map pages of values already
// read are dropped from the resident set, so the whole RSS stays flat too.
TEST(LmdbStoreTest, LargeRangesWalkInBoundedMemory) {
  TempDir dir("kstream-lmdb");
  auto s = OpenOrDie(dir.str());
  ASSERT_TRUE(s);
  std::string value(100 * 1024, 'q');
  for (int i = 0; i < 2000; ++i) {
    value[0] = static_cast<char>(i);
    ASSERT_TRUE(s->Put("/registry/configmaps/ns/" + std::to_string(100000 + i), value).ok());
  }
  const size_t before = StatusBytes("RssAnon");
  const size_t rss_before = StatusBytes("VmRSS");
  size_t rss_peak = rss_before;
  auto it = s->Range(KeyRange::Prefix("/registry/configmaps/"));
  ASSERT_TRUE(it.ok());
  uint64_t sum = 0, bytes = 0;
  size_t peak = before;
  int n = 0;
  while (auto kv = *(*it)->Next()) {
    for (char c : kv->value) sum += static_cast<unsigned char>(c);
    bytes += kv->value.size();
    if (++n % 100 == 0) {
      peak = std::max(peak, StatusBytes("RssAnon"));
      rss_peak = std::max(rss_peak, StatusBytes("VmRSS"));
    }
  }
  EXPECT_EQ(n, 2000);
  EXPECT_EQ(bytes, 2000u * value.size());
  EXPECT_GT(sum, 0u);
  EXPECT_LT(peak - before, size_t{16} << 20) << "anonymous memory grew by " << (peak - before);
  EXPECT_LT(rss_peak - rss_before, size_t{32} << 20) << "resident memory grew by " << (rss_peak - rss_before);
}

}  // namespace
}  // namespace kstream::storage
