#include "storage/lmdb/lmdb_store.h"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <vector>

namespace kstream::storage {

namespace {

constexpr std::string_view kFormat = "kstream-mvcc/1";
constexpr size_t kIndexEntry = 9;  // revision (8 bytes, big-endian) + tombstone flag
constexpr size_t kCompactChunk = 4096;  // log entries per compaction write transaction

// ---- encoding helpers

void PutBE64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
uint64_t GetBE64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

struct RevKey {
  uint8_t b[8];
  explicit RevKey(Revision r) { PutBE64(b, static_cast<uint64_t>(r)); }
  MDB_val val() { return MDB_val{sizeof(b), b}; }
};

struct IndexEntry {
  uint8_t b[kIndexEntry];
  IndexEntry(Revision r, bool tombstone) {
    PutBE64(b, static_cast<uint64_t>(r));
    b[8] = tombstone ? 1 : 0;
  }
  MDB_val val() { return MDB_val{sizeof(b), b}; }
};

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

// A log record: [type u8][create i64][version i64][prev_mod i64][key_len u32][key][value].
enum RecordType : uint8_t { kPutRecord = 0, kDeleteRecord = 1 };
constexpr size_t kRecordHeader = 1 + 8 + 8 + 8 + 4;

struct Record {
  RecordType type;
  Revision create_revision;
  int64_t version;
  Revision prev_mod_revision;
  std::string_view key;
  std::string_view value;
};

std::string EncodeRecord(const Record& r) {
  std::string out(kRecordHeader + r.key.size() + r.value.size(), '\0');
  char* p = out.data();
  p[0] = static_cast<char>(r.type);
  std::memcpy(p + 1, &r.create_revision, 8);
  std::memcpy(p + 9, &r.version, 8);
  std::memcpy(p + 17, &r.prev_mod_revision, 8);
  uint32_t klen = static_cast<uint32_t>(r.key.size());
  std::memcpy(p + 25, &klen, 4);
  std::memcpy(p + kRecordHeader, r.key.data(), r.key.size());
  if (!r.value.empty()) std::memcpy(p + kRecordHeader + r.key.size(), r.value.data(), r.value.size());
  return out;
}

Result<Record> DecodeRecord(std::string_view s) {
  if (s.size() < kRecordHeader) return Internal("lmdb store: corrupt log record (short)");
  Record r;
  r.type = static_cast<RecordType>(s[0]);
  if (r.type != kPutRecord && r.type != kDeleteRecord) return Internal("lmdb store: corrupt log record (type)");
  std::memcpy(&r.create_revision, s.data() + 1, 8);
  std::memcpy(&r.version, s.data() + 9, 8);
  std::memcpy(&r.prev_mod_revision, s.data() + 17, 8);
  uint32_t klen;
  std::memcpy(&klen, s.data() + 25, 4);
  if (klen > s.size() - kRecordHeader) return Internal("lmdb store: corrupt log record (key length)");
  r.key = s.substr(kRecordHeader, klen);
  r.value = s.substr(kRecordHeader + klen);
  return r;
}

Status LmdbError(int rc, std::string_view what) {
  std::string msg = "lmdb store: " + std::string(what) + ": " + mdb_strerror(rc);
  switch (rc) {
    case MDB_MAP_FULL:
    case MDB_READERS_FULL:
    case MDB_TXN_FULL:
      return ResourceExhausted(std::move(msg));
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
      return FailedPrecondition(std::move(msg));
    case MDB_BAD_VALSIZE:
      return InvalidArgument(std::move(msg));
    case MDB_KEYEXIST:  // only MDB_APPEND of the log can see it: the log is damaged
      return Internal(std::move(msg));
    default:
      return Unavailable(std::move(msg));
  }
}

Status CompactedError() { return Expired("mvcc: required revision has been compacted"); }
Status FutureError() { return OutOfRange("mvcc: required revision is a future revision"); }

// RAII read or write transaction.
class LmdbTxn {
 public:
  LmdbTxn() = default;
  LmdbTxn(const LmdbTxn&) = delete;
  LmdbTxn& operator=(const LmdbTxn&) = delete;
  ~LmdbTxn() {
    if (txn_) mdb_txn_abort(txn_);
  }
  Status Begin(MDB_env* env, bool write) {
    int rc = mdb_txn_begin(env, nullptr, write ? 0 : MDB_RDONLY, &txn_);
    if (rc != 0) {
      txn_ = nullptr;
      return LmdbError(rc, write ? "begin write transaction" : "begin read transaction");
    }
    return Status::Ok();
  }
  Status Commit() {
    int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    return rc == 0 ? Status::Ok() : LmdbError(rc, "commit");
  }
  MDB_txn* get() const { return txn_; }
  MDB_txn* release() {
    MDB_txn* t = txn_;
    txn_ = nullptr;
    return t;
  }

 private:
  MDB_txn* txn_ = nullptr;
};

// RAII cursor. A write transaction frees its cursors when it commits, so a cursor of a
// write transaction must be Close()d before the commit (a read transaction's cursor may be
// closed before or after the transaction ends).
class Cursor {
 public:
  Cursor() = default;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor() { Close(); }
  void Close() {
    if (c_) mdb_cursor_close(c_);
    c_ = nullptr;
  }
  Status Open(MDB_txn* txn, MDB_dbi dbi) {
    int rc = mdb_cursor_open(txn, dbi, &c_);
    if (rc != 0) {
      c_ = nullptr;
      return LmdbError(rc, "open cursor");
    }
    return Status::Ok();
  }
  MDB_cursor* get() const { return c_; }

 private:
  MDB_cursor* c_ = nullptr;
};

struct Version {
  Revision revision = 0;
  bool tombstone = false;
};

Version DecodeIndexEntry(const MDB_val& d) {
  const auto* p = static_cast<const uint8_t*>(d.mv_data);
  return Version{static_cast<Revision>(GetBE64(p)), p[8] != 0};
}

// The version of `key` at revision `rev` (the newest with revision <= rev), if any. Leaves
// the cursor on one of the key's entries (or unpositioned if the key has none).
Result<std::optional<Version>> FindVersion(MDB_cursor* cur, std::string_view key, Revision rev) {
  MDB_val k = Val(key);
  IndexEntry probe(rev + 1, false);
  MDB_val d = probe.val();
  int rc = mdb_cursor_get(cur, &k, &d, MDB_GET_BOTH_RANGE);
  if (rc == 0) {
    // On the first version newer than rev: the one before it, if any.
    rc = mdb_cursor_get(cur, &k, &d, MDB_PREV_DUP);
    if (rc == MDB_NOTFOUND) return std::optional<Version>();
    if (rc != 0) return LmdbError(rc, "read index");
    return std::optional<Version>(DecodeIndexEntry(d));
  }
  if (rc != MDB_NOTFOUND) return LmdbError(rc, "read index");
  // Every version is <= rev (or the key is absent): the last one.
  k = Val(key);
  rc = mdb_cursor_get(cur, &k, &d, MDB_SET);
  if (rc == MDB_NOTFOUND) return std::optional<Version>();
  if (rc != 0) return LmdbError(rc, "read index");
  rc = mdb_cursor_get(cur, &k, &d, MDB_LAST_DUP);
  if (rc != 0) return LmdbError(rc, "read index");
  return std::optional<Version>(DecodeIndexEntry(d));
}

}  // namespace

struct LmdbStore::Dbs {
  MDB_dbi log = 0;
  MDB_dbi index = 0;
  MDB_dbi meta = 0;
};

namespace {

Result<int64_t> ReadMetaInt(MDB_txn* txn, MDB_dbi meta, std::string_view name) {
  MDB_val k = Val(name), d;
  int rc = mdb_get(txn, meta, &k, &d);
  if (rc == MDB_NOTFOUND) return int64_t{0};
  if (rc != 0) return LmdbError(rc, "read meta");
  if (d.mv_size != 8) return Internal("lmdb store: corrupt meta entry " + std::string(name));
  return static_cast<int64_t>(GetBE64(static_cast<const uint8_t*>(d.mv_data)));
}

Status WriteMetaInt(MDB_txn* txn, MDB_dbi meta, std::string_view name, int64_t v) {
  RevKey b(v);
  MDB_val k = Val(name), d = b.val();
  int rc = mdb_put(txn, meta, &k, &d, 0);
  return rc == 0 ? Status::Ok() : LmdbError(rc, "write meta");
}

// The snapshot revision to read at: `requested`, or the snapshot's current one if 0.
Result<Revision> ResolveRevision(MDB_txn* txn, MDB_dbi meta, Revision requested) {
  KS_ASSIGN_OR_RETURN(int64_t current, ReadMetaInt(txn, meta, "rev"));
  if (requested == 0) return current;
  if (requested < 0) return InvalidArgument("negative revision");
  if (requested > current) return FutureError();
  KS_ASSIGN_OR_RETURN(int64_t compacted, ReadMetaInt(txn, meta, "compacted"));
  if (requested < compacted) return CompactedError();
  return requested;
}

Result<Record> ReadRecord(MDB_txn* txn, MDB_dbi log, Revision rev) {
  RevKey b(rev);
  MDB_val k = b.val(), d;
  int rc = mdb_get(txn, log, &k, &d);
  if (rc == MDB_NOTFOUND) return NotFound("lmdb store: no log record at revision " + std::to_string(rev));
  if (rc != 0) return LmdbError(rc, "read log");
  return DecodeRecord(View(d));
}

// The record of a version the index lists: it must exist (else the store is damaged).
Result<Record> ReadIndexedRecord(MDB_txn* txn, MDB_dbi log, Revision rev) {
  Result<Record> r = ReadRecord(txn, log, rev);
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
    return Internal("lmdb store: damaged: the index lists revision " + std::to_string(rev) +
                    " but the log has no record of it");
  }
  return r;
}

KeyValue ToKeyValue(const Record& r, Revision mod) {
  return KeyValue{std::string(r.key), std::string(r.value), r.create_revision, mod, r.version};
}

Status ValidateKey(std::string_view key, MDB_env* env) {
  if (key.empty()) return InvalidArgument("empty key");
  if (key.size() > static_cast<size_t>(mdb_env_get_maxkeysize(env))) {
    return InvalidArgument("key longer than " + std::to_string(mdb_env_get_maxkeysize(env)) + " bytes");
  }
  return Status::Ok();
}

Status ValidateRange(const KeyRange& range) {
  if (range.start.empty() && range.end.empty()) return InvalidArgument("empty key");
  if (!range.end.empty() && range.end != std::string_view("\0", 1) && range.end <= range.start) {
    return InvalidArgument("range end is not after its start");
  }
  return Status::Ok();
}

}  // namespace

// ---- Open

Result<std::unique_ptr<LmdbStore>> LmdbStore::Open(const LmdbOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return Unavailable("lmdb store: cannot create " + options.path + ": " + ec.message());
  std::unique_ptr<LmdbStore> s(new LmdbStore());
  s->path_ = options.path;
  s->dbs_ = std::make_unique<Dbs>();
  std::string lock_path = options.path + "/kstream.lock";
  s->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s->lock_fd_ < 0) return Unavailable("lmdb store: cannot open " + lock_path + ": " + strerror(errno));
  if (::flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return FailedPrecondition("lmdb store: " + options.path + " is in use by another process");
  }
  int rc = mdb_env_create(&s->env_);
  if (rc != 0) return LmdbError(rc, "create environment");
  mdb_env_set_mapsize(s->env_, options.map_size);
  mdb_env_set_maxreaders(s->env_, options.max_readers);
  mdb_env_set_maxdbs(s->env_, 4);
  rc = mdb_env_open(s->env_, options.path.c_str(), MDB_NOTLS, 0644);
  if (rc != 0 && rc != MDB_INVALID && rc != MDB_VERSION_MISMATCH && rc != MDB_CORRUPTED) {
    return Unavailable("lmdb store: cannot open " + options.path + ": " + mdb_strerror(rc));
  }
  if (rc != 0) {
    return FailedPrecondition("lmdb store: " + options.path + " does not hold a kstream store (" +
                              mdb_strerror(rc) + ")");
  }
  int dead = 0;
  mdb_reader_check(s->env_, &dead);

  LmdbTxn txn;
  KS_RETURN_IF_ERROR(txn.Begin(s->env_, /*write=*/true));
  rc = mdb_dbi_open(txn.get(), "meta", 0, &s->dbs_->meta);
  bool fresh = false;
  if (rc == MDB_NOTFOUND) {
    MDB_dbi main;
    MDB_stat st;
    if (mdb_dbi_open(txn.get(), nullptr, 0, &main) != 0 || mdb_stat(txn.get(), main, &st) != 0 ||
        st.ms_entries != 0) {
      return FailedPrecondition("lmdb store: " + options.path +
                                " holds an LMDB environment that is not a kstream store");
    }
    fresh = true;
    rc = mdb_dbi_open(txn.get(), "meta", MDB_CREATE, &s->dbs_->meta);
  } else if (rc == MDB_INCOMPATIBLE) {
    return FailedPrecondition("lmdb store: " + options.path + " holds an LMDB environment that is not a kstream store");
  }
  if (rc != 0) return LmdbError(rc, "open meta");
  if (!fresh) {
    MDB_val k = Val("format"), d;
    rc = mdb_get(txn.get(), s->dbs_->meta, &k, &d);
    if (rc != 0 || View(d) != kFormat) {
      return FailedPrecondition("lmdb store: " + options.path + " is not a kstream store of format " +
                                std::string(kFormat));
    }
  }
  const unsigned create = fresh ? MDB_CREATE : 0;
  rc = mdb_dbi_open(txn.get(), "log", create, &s->dbs_->log);
  if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
    return FailedPrecondition("lmdb store: " + options.path + " is a damaged kstream store (no log)");
  }
  if (rc != 0) return LmdbError(rc, "open log");
  rc = mdb_dbi_open(txn.get(), "index", create | MDB_DUPSORT | MDB_DUPFIXED, &s->dbs_->index);
  if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
    return FailedPrecondition("lmdb store: " + options.path + " is a damaged kstream store (no index)");
  }
  if (rc != 0) return LmdbError(rc, "open index");
  if (fresh) {
    MDB_val k = Val("format"), d = Val(kFormat);
    rc = mdb_put(txn.get(), s->dbs_->meta, &k, &d, 0);
    if (rc != 0) return LmdbError(rc, "write meta");
    KS_RETURN_IF_ERROR(WriteMetaInt(txn.get(), s->dbs_->meta, "rev", 1));  // as etcd: a new store is at 1
    KS_RETURN_IF_ERROR(WriteMetaInt(txn.get(), s->dbs_->meta, "compacted", 0));
  }
  KS_ASSIGN_OR_RETURN(s->committed_, ReadMetaInt(txn.get(), s->dbs_->meta, "rev"));
  KS_RETURN_IF_ERROR(txn.Commit());
  return s;
}

LmdbStore::~LmdbStore() {
  if (env_) mdb_env_close(env_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<size_t> LmdbStore::FileSize() const {
  struct stat st;
  if (::stat((path_ + "/data.mdb").c_str(), &st) != 0) return Unavailable("stat data.mdb failed");
  return static_cast<size_t>(st.st_size);
}

// ---- Reads

Result<Revision> LmdbStore::CurrentRevision() {
  LmdbTxn txn;
  KS_RETURN_IF_ERROR(txn.Begin(env_, false));
  return ReadMetaInt(txn.get(), dbs_->meta, "rev");
}

Result<Revision> LmdbStore::CompactedRevision() {
  LmdbTxn txn;
  KS_RETURN_IF_ERROR(txn.Begin(env_, false));
  return ReadMetaInt(txn.get(), dbs_->meta, "compacted");
}

Result<KeyValue> LmdbStore::Get(std::string_view key, Revision revision) {
  KS_RETURN_IF_ERROR(ValidateKey(key, env_));
  LmdbTxn txn;
  KS_RETURN_IF_ERROR(txn.Begin(env_, false));
  KS_ASSIGN_OR_RETURN(Revision rev, ResolveRevision(txn.get(), dbs_->meta, revision));
  Cursor cur;
  KS_RETURN_IF_ERROR(cur.Open(txn.get(), dbs_->index));
  KS_ASSIGN_OR_RETURN(std::optional<Version> v, FindVersion(cur.get(), key, rev));
  if (!v || v->tombstone) return NotFound("key not found: " + std::string(key));
  KS_ASSIGN_OR_RETURN(Record r, ReadIndexedRecord(txn.get(), dbs_->log, v->revision));
  return ToKeyValue(r, v->revision);
}

class LmdbStore::Iterator final : public RangeIterator {
 public:
  Iterator(LmdbStore* store, MDB_txn* txn, KeyRange range, Revision rev, int64_t limit)
      : store_(store), txn_(txn), range_(std::move(range)), rev_(rev), limit_(limit) {}
  // A read-only transaction's cursor may be closed after the transaction ends (cursor_
  // is destroyed after this body runs).
  ~Iterator() override {
    FlushReleased();
    mdb_txn_abort(txn_);
  }
  Status Init() { return cursor_.Open(txn_, store_->dbs_->index); }

  Result<const KeyValueView*> Next() override {
    if (!error_.ok()) return error_;
    ReleasePreviousValue();
    if (done_) {
      FlushReleased();
      return static_cast<const KeyValueView*>(nullptr);
    }
    Result<const KeyValueView*> r = Step();
    if (!r.ok()) error_ = r.status();
    if (!r.ok() || *r == nullptr) FlushReleased();
    return r;
  }
  Status Rewind() override {
    if (!error_.ok()) return error_;
    started_ = done_ = more_ = false;
    returned_ = 0;
    return Status::Ok();
  }
  Revision revision() const override { return rev_; }
  bool more() const override { return more_; }

 private:
  // The caller is done with the previous value (its view is invalid now): its pages in the
  // map may leave this process's resident set. The map is read-only and shared (no
  // MDB_WRITEMAP), so dropping them discards nothing: the pages stay in the page cache and
  // a later access faults them back in. A large value lives in overflow pages of its own; a
  // page shared with other data is merely faulted in again when next read. So a 1 GB range
  // does not leave 1 GB of mapped pages resident in the process.
  //
  // Every madvise(MADV_DONTNEED) costs a TLB shootdown on every core running this process,
  // so the pages of finished values are collected into one span (values of a range mostly
  // lie close together in the file) and dropped when it reaches kReleaseSpan, and at the end.
  static constexpr uintptr_t kReleaseSpan = uintptr_t{8} << 20;
  void ReleasePreviousValue() {
    static const uintptr_t kPageSize = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    if (view_.value.size() >= kPageSize) {
      auto begin = reinterpret_cast<uintptr_t>(view_.value.data());
      uintptr_t first = begin & ~(kPageSize - 1);
      uintptr_t last = (begin + view_.value.size() + kPageSize - 1) & ~(kPageSize - 1);
      if (release_end_ == 0) {
        release_begin_ = first;
        release_end_ = last;
      } else {
        release_begin_ = std::min(release_begin_, first);
        release_end_ = std::max(release_end_, last);
      }
      if (release_end_ - release_begin_ >= kReleaseSpan) FlushReleased();
    }
    view_ = KeyValueView{};
  }
  void FlushReleased() {
    if (release_end_ == 0) return;
    madvise(reinterpret_cast<void*>(release_begin_), release_end_ - release_begin_, MADV_DONTNEED);
    release_begin_ = release_end_ = 0;
  }

  Result<const KeyValueView*> Step() {
    MDB_val k, d;
    int rc;
    if (!started_) {
      started_ = true;
      k = Val(range_.start);
      rc = mdb_cursor_get(cursor_.get(), &k, &d, range_.start.empty() ? MDB_FIRST : MDB_SET_RANGE);
    } else {
      // Back to the current key (FindVersion may have left the cursor anywhere on it).
      k = Val(current_key_);
      rc = mdb_cursor_get(cursor_.get(), &k, &d, MDB_SET);
      if (rc == 0) rc = mdb_cursor_get(cursor_.get(), &k, &d, MDB_NEXT_NODUP);
    }
    while (true) {
      if (rc == MDB_NOTFOUND) break;
      if (rc != 0) return LmdbError(rc, "read index");
      std::string_view key = View(k);
      if (!range_.Contains(key)) break;
      current_key_.assign(key);
      KS_ASSIGN_OR_RETURN(std::optional<Version> v, FindVersion(cursor_.get(), current_key_, rev_));
      if (v && !v->tombstone) {
        if (limit_ > 0 && returned_ == limit_) {
          more_ = true;
          break;
        }
        KS_ASSIGN_OR_RETURN(Record rec, ReadIndexedRecord(txn_, store_->dbs_->log, v->revision));
        view_ = KeyValueView{rec.key, rec.value, rec.create_revision, v->revision, rec.version};
        ++returned_;
        return &view_;
      }
      k = Val(current_key_);
      rc = mdb_cursor_get(cursor_.get(), &k, &d, MDB_SET);
      if (rc == 0) rc = mdb_cursor_get(cursor_.get(), &k, &d, MDB_NEXT_NODUP);
    }
    done_ = true;
    return static_cast<const KeyValueView*>(nullptr);
  }

  LmdbStore* store_;
  MDB_txn* txn_;
  Cursor cursor_;
  KeyRange range_;
  Revision rev_;
  int64_t limit_;
  int64_t returned_ = 0;
  bool started_ = false;
  bool done_ = false;
  bool more_ = false;
  Status error_;
  std::string current_key_;
  KeyValueView view_;
  uintptr_t release_begin_ = 0, release_end_ = 0;  // finished values' pages not yet dropped
};

Result<std::unique_ptr<RangeIterator>> LmdbStore::Range(const KeyRange& range, const RangeOptions& options) {
  KS_RETURN_IF_ERROR(ValidateRange(range));
  if (options.limit < 0) return InvalidArgument("negative limit");
  LmdbTxn txn;
  KS_RETURN_IF_ERROR(txn.Begin(env_, false));
  KS_ASSIGN_OR_RETURN(Revision rev, ResolveRevision(txn.get(), dbs_->meta, options.revision));
  auto it = std::make_unique<Iterator>(this, txn.release(), range, rev, options.limit);
  KS_RETURN_IF_ERROR(it->Init());
  return std::unique_ptr<RangeIterator>(std::move(it));
}

Result<int64_t> LmdbStore::Count(const KeyRange& range, Revision revision) {
  KS_RETURN_IF_ERROR(ValidateRange(range));
  LmdbTxn txn;
  KS_RETURN_IF_ERROR(txn.Begin(env_, false));
  KS_ASSIGN_OR_RETURN(Revision rev, ResolveRevision(txn.get(), dbs_->meta, revision));
  Cursor cur;
  KS_RETURN_IF_ERROR(cur.Open(txn.get(), dbs_->index));
  MDB_val k = Val(range.start), d;
  int rc = mdb_cursor_get(cur.get(), &k, &d, range.start.empty() ? MDB_FIRST : MDB_SET_RANGE);
  int64_t n = 0;
  std::string key;
  while (rc == 0) {
    if (!range.Contains(View(k))) break;
    key.assign(View(k));
    KS_ASSIGN_OR_RETURN(std::optional<Version> v, FindVersion(cur.get(), key, rev));
    if (v && !v->tombstone) ++n;
    k = Val(key);
    rc = mdb_cursor_get(cur.get(), &k, &d, MDB_SET);
    if (rc == 0) rc = mdb_cursor_get(cur.get(), &k, &d, MDB_NEXT_NODUP);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "read index");
  return n;
}

// ---- Writes

Result<TxnResult> LmdbStore::Txn(const TxnRequest& req) {
  KS_RETURN_IF_ERROR(ValidateKey(req.key, env_));
  if (req.precondition == TxnRequest::Precondition::kModRevision && req.mod_revision <= 0) {
    return InvalidArgument("a mod revision precondition needs a revision > 0");
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  ::kstream::storage::TxnResult result;
  LmdbTxn txn;
  KS_RETURN_IF_ERROR(txn.Begin(env_, true));
  KS_ASSIGN_OR_RETURN(Revision current, ReadMetaInt(txn.get(), dbs_->meta, "rev"));
  Cursor cur;
  KS_RETURN_IF_ERROR(cur.Open(txn.get(), dbs_->index));
  KS_ASSIGN_OR_RETURN(std::optional<Version> v, FindVersion(cur.get(), req.key, current));
  std::optional<KeyValue> existing;
  Record old{};
  if (v && !v->tombstone) {
    KS_ASSIGN_OR_RETURN(old, ReadIndexedRecord(txn.get(), dbs_->log, v->revision));
    existing = ToKeyValue(old, v->revision);
  }
  bool ok = true;
  switch (req.precondition) {
    case TxnRequest::Precondition::kNone: break;
    case TxnRequest::Precondition::kAbsent: ok = !existing; break;
    case TxnRequest::Precondition::kModRevision: ok = existing && existing->mod_revision == req.mod_revision; break;
  }
  if (!ok || (req.op == TxnRequest::Op::kDelete && !existing)) {
    // A failed precondition, or a delete of an absent key (etcd: success, nothing
    // deleted, no new revision).
    result.succeeded = ok;
    result.revision = current;
    if (!ok) result.kv = std::move(existing);
    return result;
  }
  const Revision rev = current + 1;
  Record rec{};
  rec.key = req.key;
  if (req.op == TxnRequest::Op::kPut) {
    rec.type = kPutRecord;
    rec.create_revision = existing ? old.create_revision : rev;
    rec.version = existing ? old.version + 1 : 1;
    rec.prev_mod_revision = existing ? existing->mod_revision : 0;
    rec.value = req.value;
  } else {
    rec.type = kDeleteRecord;
    rec.prev_mod_revision = existing->mod_revision;
  }
  std::string encoded = EncodeRecord(rec);
  RevKey rk(rev);
  MDB_val k = rk.val(), d = Val(encoded);
  int rc = mdb_put(txn.get(), dbs_->log, &k, &d, MDB_APPEND);
  if (rc != 0) return LmdbError(rc, "write log");
  IndexEntry ie(rev, rec.type == kDeleteRecord);
  k = Val(req.key);
  d = ie.val();
  rc = mdb_put(txn.get(), dbs_->index, &k, &d, 0);
  if (rc != 0) return LmdbError(rc, "write index");
  KS_RETURN_IF_ERROR(WriteMetaInt(txn.get(), dbs_->meta, "rev", rev));
  cur.Close();
  KS_RETURN_IF_ERROR(txn.Commit());
  {
    std::lock_guard<std::mutex> l(rev_mu_);
    committed_ = rev;
  }
  rev_cv_.notify_all();
  result.succeeded = true;
  result.revision = rev;
  result.kv = std::move(existing);
  return result;
}

Status LmdbStore::Compact(Revision revision) {
  std::vector<Revision> revs;
  bool first = true;
  while (true) {
    std::lock_guard<std::mutex> lock(write_mu_);
    LmdbTxn txn;
    KS_RETURN_IF_ERROR(txn.Begin(env_, true));
    MDB_txn* t = txn.get();
    KS_ASSIGN_OR_RETURN(Revision compacted, ReadMetaInt(t, dbs_->meta, "compacted"));
    // Log entries below `revision` not yet walked by an earlier compaction.
    KS_ASSIGN_OR_RETURN(Revision walk, ReadMetaInt(t, dbs_->meta, "compact_walk"));
    if (first) {
      KS_ASSIGN_OR_RETURN(Revision current, ReadMetaInt(t, dbs_->meta, "rev"));
      // Compacting at the compacted revision again resumes a walk an error cut short;
      // otherwise, as in etcd, at or below it is kExpired.
      if (revision < compacted || (revision == compacted && walk >= revision)) return CompactedError();
      if (revision > current) return FutureError();
      if (revision > compacted) KS_RETURN_IF_ERROR(WriteMetaInt(t, dbs_->meta, "compacted", revision));
      first = false;
    } else if (compacted > revision) {
      return Status::Ok();  // a newer compaction took over; its walk covers ours
    }
    revs.clear();
    {
      Cursor lc;
      KS_RETURN_IF_ERROR(lc.Open(t, dbs_->log));
      RevKey start(walk);
      MDB_val k = start.val(), d;
      int rc = mdb_cursor_get(lc.get(), &k, &d, MDB_SET_RANGE);
      while (rc == 0 && revs.size() < kCompactChunk) {
        Revision r = static_cast<Revision>(GetBE64(static_cast<const uint8_t*>(k.mv_data)));
        if (r >= revision) break;
        revs.push_back(r);
        rc = mdb_cursor_get(lc.get(), &k, &d, MDB_NEXT);
      }
      if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "read log");
    }
    Cursor ic;
    KS_RETURN_IF_ERROR(ic.Open(t, dbs_->index));
    auto drop = [&](std::string_view key, Version v) -> Status {
      IndexEntry e(v.revision, v.tombstone);
      MDB_val k = Val(key), d = e.val();
      int rc = mdb_del(t, dbs_->index, &k, &d);
      if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "compact index");
      RevKey rk(v.revision);
      MDB_val lk = rk.val();
      rc = mdb_del(t, dbs_->log, &lk, nullptr);
      if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "compact log");
      return Status::Ok();
    };
    for (Revision r : revs) {
      Result<Record> rec_or = ReadRecord(t, dbs_->log, r);
      if (!rec_or.ok()) {
        if (rec_or.status().code() == StatusCode::kNotFound) continue;  // dropped earlier in this walk
        return rec_or.status();
      }
      const std::string key(rec_or->key);
      const bool tombstone = rec_or->type == kDeleteRecord;
      // Versions older than r are superseded by r (< revision): drop them.
      while (true) {
        MDB_val k = Val(key), d;
        int rc = mdb_cursor_get(ic.get(), &k, &d, MDB_SET);
        if (rc == MDB_NOTFOUND) break;
        if (rc != 0) return LmdbError(rc, "compact index");
        rc = mdb_cursor_get(ic.get(), &k, &d, MDB_FIRST_DUP);
        if (rc != 0) return LmdbError(rc, "compact index");
        Version oldest = DecodeIndexEntry(d);
        if (oldest.revision >= r) break;
        KS_RETURN_IF_ERROR(drop(key, oldest));
      }
      // r itself goes if a newer version exists before `revision`, or if it is a tombstone
      // (the key did not exist at `revision`). A version superseded exactly at `revision`
      // stays for now: it is the previous value of that event, which a watch from
      // `revision` reports (the next compaction's walk, starting at `revision`, drops it).
      KS_ASSIGN_OR_RETURN(std::optional<Version> at, FindVersion(ic.get(), key, revision - 1));
      if (tombstone || (at && at->revision != r)) KS_RETURN_IF_ERROR(drop(key, Version{r, tombstone}));
    }
    const bool finished = revs.size() < kCompactChunk;
    KS_RETURN_IF_ERROR(WriteMetaInt(t, dbs_->meta, "compact_walk", finished ? revision : revs.back() + 1));
    ic.Close();
    KS_RETURN_IF_ERROR(txn.Commit());
    if (finished) break;
  }
  return Status::Ok();
}

// ---- Watch

namespace {
// t + d, or the end of time if that overflows (Next(milliseconds::max()) blocks "forever").
std::chrono::steady_clock::time_point SaturatingAdd(std::chrono::steady_clock::time_point t,
                                                   std::chrono::milliseconds d) {
  using TP = std::chrono::steady_clock::time_point;
  if (d.count() <= 0) return t;
  const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(TP::max() - t);
  return d >= room ? TP::max() : t + std::chrono::duration_cast<TP::duration>(d);
}
}  // namespace

class LmdbStore::LogWatch final : public WatchStream {
 public:
  LogWatch(LmdbStore* store, KeyRange range, Revision next, WatchOptions options)
      : store_(store), range_(std::move(range)), next_(next), options_(options),
        last_delivery_(std::chrono::steady_clock::now()) {}

  Result<WatchBatch> Next(std::chrono::milliseconds timeout) override {
    const auto deadline = SaturatingAdd(std::chrono::steady_clock::now(), timeout);
    const bool progress = options_.progress_interval.count() > 0;
    while (true) {
      if (cancelled_.load()) return Aborted("watch cancelled");
      WatchBatch batch;
      KS_ASSIGN_OR_RETURN(Revision current, Scan(&batch));
      if (!batch.events.empty()) {
        last_delivery_ = std::chrono::steady_clock::now();
        return batch;
      }
      const auto now = std::chrono::steady_clock::now();
      const auto progress_at = SaturatingAdd(last_delivery_, options_.progress_interval);
      if (progress && now >= progress_at) {
        last_delivery_ = now;
        batch.revision = current;  // everything up to `current` has been scanned
        return batch;
      }
      if (now >= deadline) return WatchBatch{};  // nothing to report yet
      std::unique_lock<std::mutex> lock(store_->rev_mu_);
      store_->rev_cv_.wait_until(lock, progress ? std::min(deadline, progress_at) : deadline,
                                 [&] { return cancelled_.load() || store_->committed_ >= next_; });
    }
  }

  void Cancel() override {
    {
      std::lock_guard<std::mutex> lock(store_->rev_mu_);
      cancelled_.store(true);
    }
    store_->rev_cv_.notify_all();
  }

 private:
  // Reads the log from next_ in one snapshot: fills batch.events (at most
  // max_batch_events) and advances next_. Returns the snapshot's revision.
  Result<Revision> Scan(WatchBatch* batch) {
    LmdbTxn txn;
    KS_RETURN_IF_ERROR(txn.Begin(store_->env_, false));
    MDB_txn* t = txn.get();
    KS_ASSIGN_OR_RETURN(Revision current, ReadMetaInt(t, store_->dbs_->meta, "rev"));
    KS_ASSIGN_OR_RETURN(Revision compacted, ReadMetaInt(t, store_->dbs_->meta, "compacted"));
    if (next_ < compacted) return CompactedError();
    if (next_ > current) return current;
    Cursor lc;
    KS_RETURN_IF_ERROR(lc.Open(t, store_->dbs_->log));
    RevKey start(next_);
    MDB_val k = start.val(), d;
    int rc = mdb_cursor_get(lc.get(), &k, &d, MDB_SET_RANGE);
    Revision last = next_ - 1;
    while (rc == 0) {
      Revision r = static_cast<Revision>(GetBE64(static_cast<const uint8_t*>(k.mv_data)));
      if (r > current) break;
      KS_ASSIGN_OR_RETURN(Record rec, DecodeRecord(View(d)));
      if (range_.Contains(rec.key)) {
        Event ev;
        if (rec.type == kPutRecord) {
          ev.type = Event::Type::kPut;
          ev.kv = ToKeyValue(rec, r);
        } else {
          ev.type = Event::Type::kDelete;
          ev.kv = KeyValue{std::string(rec.key), std::string(), 0, r, 0};
        }
        if (rec.prev_mod_revision != 0) {
          Result<Record> prev = ReadRecord(t, store_->dbs_->log, rec.prev_mod_revision);
          if (prev.ok()) {
            if (prev->type == kPutRecord) ev.prev = ToKeyValue(*prev, rec.prev_mod_revision);
          } else if (prev.status().code() != StatusCode::kNotFound) {  // not found: compacted
            return prev.status();
          }
        }
        batch->events.push_back(std::move(ev));
      }
      last = r;
      if (batch->events.size() >= options_.max_batch_events) break;
      rc = mdb_cursor_get(lc.get(), &k, &d, MDB_NEXT);
    }
    if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "read log");
    // Revisions with no log entry left (compacted away) up to `current` carry nothing.
    if (batch->events.size() < options_.max_batch_events) last = current;
    next_ = last + 1;
    // Every change up to `last` is delivered; a batch reports its last event's revision
    // (as etcd's does), the scan position moves on regardless.
    batch->revision = batch->events.empty() ? last : batch->events.back().kv.mod_revision;
    return current;
  }

  LmdbStore* store_;
  KeyRange range_;
  Revision next_;
  WatchOptions options_;
  std::atomic<bool> cancelled_{false};
  std::chrono::steady_clock::time_point last_delivery_;
};

Result<std::unique_ptr<WatchStream>> LmdbStore::Watch(const KeyRange& range, Revision from_revision,
                                                         const WatchOptions& options) {
  KS_RETURN_IF_ERROR(ValidateRange(range));
  if (from_revision < 0) return InvalidArgument("negative revision");
  Revision next = from_revision;
  if (next == 0) {
    KS_ASSIGN_OR_RETURN(Revision current, CurrentRevision());
    next = current + 1;
  } else {
    KS_ASSIGN_OR_RETURN(Revision compacted, CompactedRevision());
    if (next < compacted) return CompactedError();
  }
  if (options.max_batch_events == 0) return InvalidArgument("max_batch_events must be positive");
  return std::unique_ptr<WatchStream>(new LogWatch(this, range, next, options));
}

}  // namespace kstream::storage
