// LmdbStore: the embedded Store backend, an etcd-style MVCC store on LMDB.
//
// Layout (one LMDB environment in a directory, three databases):
//   "log"   revision (8 bytes, big-endian) -> the change made at that revision: put or
//           delete, the key, the value, the key's create revision, version and previous
//           mod revision. It is the history of every key and the replay log of watches.
//   "index" user key -> its versions (DUPSORT, fixed 9-byte entries: revision big-endian +
//           a tombstone flag), so "the version of key K at revision R" is one cursor seek.
//   "meta"  format marker, current revision, compacted revision.
// Every write is one LMDB write transaction (durable when it returns: LMDB syncs on commit),
// taking the next revision. Reads open an LMDB read transaction: a snapshot that never
// blocks writers, and whose pages (values included) are read in place, without copies.
// Compaction deletes superseded versions and tombstones older than the compaction revision
// from both databases, so LMDB reuses their pages.
//
// Record integers are stored in the machine's byte order (revision keys are big-endian):
// a data directory moves between machines of the same byte order only (x86-64, arm64).
//
// Limits: keys up to 511 bytes (LMDB's key size; kube's keys are far shorter); the map
// size (default 64 GiB of address space, the file grows as needed) bounds the data.
// One process at a time: Open takes an exclusive lock on the directory.
//
// Watches scan the log from their next revision, so each watch reads every change once
// (whatever its prefix); the API layer's watch cache keeps their number small. A watch
// from exactly the compaction revision still gets previous values (the version an event at
// that revision replaced is kept until the next compaction); etcd drops them there.
//
// Thread-safe as the Store contract says.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "storage/store.h"

struct MDB_env;

namespace kstream::storage {

struct LmdbOptions {
  std::string path;  // directory; created if missing
  size_t map_size = size_t{64} << 30;
  unsigned max_readers = 4096;  // concurrent read snapshots (open iterators, reads)
};

class LmdbStore final : public Store {
 public:
  // Errors: kFailedPrecondition for data that is not a kstream store (a foreign LMDB
  // environment, a corrupt file, another format version) or a directory in use by another
  // process; kUnavailable for I/O errors.
  static Result<std::unique_ptr<LmdbStore>> Open(const LmdbOptions& options);
  ~LmdbStore() override;

  Result<Revision> CurrentRevision() override;
  Result<Revision> CompactedRevision() override;
  Result<KeyValue> Get(std::string_view key, Revision revision = 0) override;
  Result<std::unique_ptr<RangeIterator>> Range(const KeyRange& range, const RangeOptions& options = {}) override;
  Result<int64_t> Count(const KeyRange& range, Revision revision = 0) override;
  Result<TxnResult> Txn(const TxnRequest& request) override;
  Result<std::unique_ptr<WatchStream>> Watch(const KeyRange& range, Revision from_revision,
                                                const WatchOptions& options = {}) override;
  Status Compact(Revision revision) override;

  // The data file's size in bytes (for tests of space reuse).
  Result<size_t> FileSize() const;

 private:
  struct Dbs;
  class Iterator;
  class LogWatch;
  friend class Iterator;
  friend class LogWatch;

  LmdbStore() = default;

  MDB_env* env_ = nullptr;
  std::unique_ptr<Dbs> dbs_;
  int lock_fd_ = -1;
  std::string path_;

  std::mutex write_mu_;  // one writer (LMDB's own lock, plus our revision bookkeeping)
  // Watch wake-ups: the last committed revision, published after each commit.
  std::mutex rev_mu_;
  std::condition_variable rev_cv_;
  Revision committed_ = 0;
};

}  // namespace kstream::storage
