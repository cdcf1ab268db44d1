// Store: an etcd-style MVCC key-value store, the storage contract of kstream.
//
// Every successful write gets the next store-wide revision (int64). As in etcd, a new,
// empty store is at revision 1 and its first write gets revision 2. A key's versions are
// kept until compaction,
// so reads can be made at a past revision and watches can replay changes from a revision.
// `metadata.resourceVersion` of an object is the mod revision of its key.
//
//   - Get / Range read one consistent snapshot (the current revision, or a past one).
//     Range returns a pull iterator (RangeIterator) that walks the snapshot without loading
//     it: memory stays bounded however large the range is. It can be rewound to walk the
//     same snapshot again (protobuf list encoding needs two passes).
//   - Txn is a single-key transaction with a precondition (absent / mod revision equals),
//     as kube-apiserver uses etcd's Txn: create-if-absent, update-if-unchanged,
//     delete-if-unchanged. Create / Update / Delete are shorthands returning kube-ish errors.
//   - Watch streams the changes under a prefix from a revision, in revision order, with the
//     previous value of each key, plus progress notifications while idle.
//   - Compact(rev) drops history older than rev; reading or watching at a compacted
//     revision fails with StatusCode::kExpired (the API turns it into 410 Expired).
//
// Errors: kNotFound (Get/Update/Delete of an absent key), kAlreadyExists (Create of a
// present key), kAborted (a mod-revision precondition failed: a conflict), kExpired (a
// compacted revision), kOutOfRange (a revision newer than the store's), kInvalidArgument
// (bad arguments: an empty key, a range end before its start), kUnavailable (the backend
// cannot be reached; for a write this may mean "outcome unknown": the write may or may
// not have applied, so re-read before retrying), kResourceExhausted (the store is full /
// a value is too large),
// kInternal / kFailedPrecondition (corrupt or foreign data files, at open).
//
// Thread-safety: a Store is safe to use from many threads at once. An iterator or a watch
// belongs to one thread at a time (it may move between threads), and must not outlive its
// store. Views returned by an
// iterator (KeyValueView) stay valid until the next call on that iterator, or its
// destruction; copy what must live longer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kstream::storage {

using Revision = int64_t;

// One version of a key, owning its bytes.
struct KeyValue {
  std::string key;
  std::string value;
  Revision create_revision = 0;  // the revision that created this incarnation of the key
  Revision mod_revision = 0;     // the revision of this version (the resourceVersion)
  int64_t version = 0;           // writes to this incarnation so far (1 after create)

  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

// The same, as views into storage (valid until the iterator moves; see above).
struct KeyValueView {
  std::string_view key;
  std::string_view value;
  Revision create_revision = 0;
  Revision mod_revision = 0;
  int64_t version = 0;

  KeyValue ToOwned() const {
    return KeyValue{std::string(key), std::string(value), create_revision, mod_revision, version};
  }
};

// The keys a range covers: [start, end). As in etcd, an empty `end` means the single key
// `start`, and an `end` of "\0" means every key from `start` on (Prefix("") is the whole
// keyspace).
struct KeyRange {
  std::string start;
  std::string end;  // exclusive

  static KeyRange Prefix(std::string_view prefix);  // end = prefix + 1 (etcd's GetPrefixRangeEnd)
  static KeyRange Between(std::string_view start, std::string_view end) {
    return KeyRange{std::string(start), std::string(end)};
  }
  bool Contains(std::string_view key) const;
};

struct RangeOptions {
  Revision revision = 0;  // 0: the current revision
  int64_t limit = 0;      // at most this many entries (0: no limit)
};

// A pull iterator over one snapshot of a range, in key order.
class RangeIterator {
 public:
  virtual ~RangeIterator() = default;

  // The next entry, or nullptr after the last one. Errors are final: after one, Next keeps
  // returning it.
  virtual Result<const KeyValueView*> Next() = 0;
  // Starts again from the first entry of the same snapshot (same revision, same entries).
  virtual Status Rewind() = 0;
  // The revision the snapshot was taken at.
  virtual Revision revision() const = 0;
  // After the iterator has returned nullptr: whether the range has more keys beyond the
  // limit (etcd's `more`).
  virtual bool more() const = 0;
};

// Txn: one key, one precondition, one operation.
struct TxnRequest {
  enum class Precondition {
    kNone,         // always
    kAbsent,       // the key does not exist (create)
    kModRevision,  // the key exists and its mod revision is `mod_revision` (> 0) (update, delete)
  };
  enum class Op { kPut, kDelete };

  std::string_view key;
  Precondition precondition = Precondition::kNone;
  Revision mod_revision = 0;
  Op op = Op::kPut;
  std::string_view value;  // kPut
};

struct TxnResult {
  bool succeeded = false;
  // The store's revision after the transaction: the new revision if it wrote, the current
  // one otherwise.
  Revision revision = 0;
  // If succeeded: the key's previous version (none for a create / a delete of an absent
  // key). If not: the key's current version (none if absent), so a caller can retry an
  // update without another read, as kube's GuaranteedUpdate does.
  std::optional<KeyValue> kv;
};

struct Event {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  // kPut: the new version. kDelete: key, empty value, mod_revision = the deletion revision,
  // create_revision and version 0 (as etcd reports a delete).
  KeyValue kv;
  std::optional<KeyValue> prev;  // the version before this event, if any (and not compacted)
};

struct WatchOptions {
  // Send a progress notification (an empty batch carrying the store revision) after this
  // long without events. Zero: never.
  std::chrono::milliseconds progress_interval{std::chrono::seconds(5)};
  // Cap on the events of one batch (more arrive in the next batch).
  size_t max_batch_events = 1000;
};

struct WatchBatch {
  std::vector<Event> events;  // in revision order; empty for a progress notification
  // Every change up to this revision has been delivered (the revision of the last event,
  // or the store's revision for a progress notification).
  Revision revision = 0;
  bool progress() const { return events.empty(); }
};

// A stream of changes. Next blocks until events, a progress notification, an error or the
// timeout (then an empty batch with revision 0: nothing to report yet).
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Errors: kExpired (the start revision was compacted, or events were compacted before
  // they could be delivered), kUnavailable (the backend went away), kAborted (cancelled).
  virtual Result<WatchBatch> Next(std::chrono::milliseconds timeout) = 0;
  // Makes a blocked or later Next return kAborted. Thread-safe.
  virtual void Cancel() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<Revision> CurrentRevision() = 0;
  // The oldest revision still readable (everything older is compacted); 0 if never compacted.
  virtual Result<Revision> CompactedRevision() = 0;

  // kNotFound if the key does not exist at that revision.
  virtual Result<KeyValue> Get(std::string_view key, Revision revision = 0) = 0;
  virtual Result<std::unique_ptr<RangeIterator>> Range(const KeyRange& range,
                                                       const RangeOptions& options = {}) = 0;
  // The number of keys in the range at a revision (etcd's count_only), without reading values.
  virtual Result<int64_t> Count(const KeyRange& range, Revision revision = 0) = 0;

  virtual Result<TxnResult> Txn(const TxnRequest& request) = 0;

  // Watches keys in `range` for changes with revision >= from_revision (0: changes after
  // the current revision).
  virtual Result<std::unique_ptr<WatchStream>> Watch(const KeyRange& range, Revision from_revision,
                                               const WatchOptions& options = {}) = 0;

  // Drops the history before `revision`: afterwards reads at revisions < `revision` fail
  // with kExpired (the versions current at `revision` stay readable). As in etcd,
  // compacting at or below the compacted revision is kExpired, and beyond the current
  // revision kOutOfRange.
  virtual Status Compact(Revision revision) = 0;

  // Shorthands over Txn, with the errors of the header comment. Each returns the write's
  // revision.
  Result<Revision> Create(std::string_view key, std::string_view value);
  Result<Revision> Update(std::string_view key, std::string_view value, Revision expected_mod_revision);
  Result<Revision> Put(std::string_view key, std::string_view value);  // unconditional
  Result<Revision> Delete(std::string_view key, Revision expected_mod_revision = 0);  // 0: any
};

// kube-apiserver's default --etcd-compaction-interval.
inline constexpr std::chrono::milliseconds kDefaultCompactionInterval = std::chrono::minutes(5);

// Automatic compaction as kube-apiserver drives etcd's: every `interval`, compact to the
// revision that was current one interval ago (so at least `interval` of history is kept:
// 5 minutes by default). Runs a background thread until destroyed; an interval of zero
// runs none (Step() only). The store must outlive it.
class AutoCompactor {
 public:
  explicit AutoCompactor(Store* store, std::chrono::milliseconds interval = kDefaultCompactionInterval);
  ~AutoCompactor();
  AutoCompactor(const AutoCompactor&) = delete;
  AutoCompactor& operator=(const AutoCompactor&) = delete;

  // For tests: runs one step now (compacts to the revision recorded by the previous step,
  // records the current one). Returns the revision compacted to (0 if none).
  Result<Revision> Step();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kstream::storage
