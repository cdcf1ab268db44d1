#include "storage/store.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace kstream::storage {

KeyRange KeyRange::Prefix(std::string_view prefix) {
  // etcd's GetPrefixRangeEnd: increment the last byte that is not 0xff, dropping the 0xff
  // bytes after it; a prefix of only 0xff bytes (or empty) has no end: "\0" means "to the
  // end of the keyspace" in etcd, and we use the same convention.
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last < 0xff) {
      end.back() = static_cast<char>(last + 1);
      return KeyRange{std::string(prefix), std::move(end)};
    }
    end.pop_back();
  }
  return KeyRange{std::string(prefix), std::string(1, '\0')};
}

bool KeyRange::Contains(std::string_view key) const {
  if (end.empty()) return key == start;
  if (key < std::string_view(start)) return false;
  if (end == std::string_view("\0", 1)) return true;  // to the end of the keyspace
  return key < std::string_view(end);
}

Result<Revision> Store::Create(std::string_view key, std::string_view value) {
  TxnRequest r;
  r.key = key;
  r.precondition = TxnRequest::Precondition::kAbsent;
  r.op = TxnRequest::Op::kPut;
  r.value = value;
  KS_ASSIGN_OR_RETURN(TxnResult res, Txn(r));
  if (!res.succeeded) return AlreadyExists("key already exists: " + std::string(key));
  return res.revision;
}

Result<Revision> Store::Update(std::string_view key, std::string_view value, Revision expected_mod_revision) {
  TxnRequest r;
  r.key = key;
  r.precondition = TxnRequest::Precondition::kModRevision;
  r.mod_revision = expected_mod_revision;
  r.op = TxnRequest::Op::kPut;
  r.value = value;
  KS_ASSIGN_OR_RETURN(TxnResult res, Txn(r));
  if (!res.succeeded) {
    if (!res.kv) return NotFound("key not found: " + std::string(key));
    return Aborted("key " + std::string(key) + " was modified: mod revision " +
                   std::to_string(res.kv->mod_revision) + ", expected " + std::to_string(expected_mod_revision));
  }
  return res.revision;
}

Result<Revision> Store::Put(std::string_view key, std::string_view value) {
  TxnRequest r;
  r.key = key;
  r.op = TxnRequest::Op::kPut;
  r.value = value;
  KS_ASSIGN_OR_RETURN(TxnResult res, Txn(r));
  return res.revision;
}

Result<Revision> Store::Delete(std::string_view key, Revision expected_mod_revision) {
  TxnRequest r;
  r.key = key;
  r.op = TxnRequest::Op::kDelete;
  if (expected_mod_revision != 0) {
    r.precondition = TxnRequest::Precondition::kModRevision;
    r.mod_revision = expected_mod_revision;
  }
  KS_ASSIGN_OR_RETURN(TxnResult res, Txn(r));
  if (!res.succeeded) {
    if (!res.kv) return NotFound("key not found: " + std::string(key));
    return Aborted("key " + std::string(key) + " was modified: mod revision " +
                   std::to_string(res.kv->mod_revision) + ", expected " + std::to_string(expected_mod_revision));
  }
  if (!res.kv) return NotFound("key not found: " + std::string(key));  // deleted nothing
  return res.revision;
}

// ---- AutoCompactor

struct AutoCompactor::State {
  Store* store;
  std::chrono::milliseconds interval;
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::mutex step_mu;     // serialises Step (background thread and callers)
  Revision recorded = 0;  // the revision current at the previous step
  std::thread thread;
};

AutoCompactor::AutoCompactor(Store* store, std::chrono::milliseconds interval)
    : state_(std::make_unique<State>()) {
  state_->store = store;
  state_->interval = interval;
  if (interval.count() <= 0) return;  // disabled: Step() only
  state_->thread = std::thread([this] {
    State& s = *state_;
    std::unique_lock<std::mutex> lock(s.mu);
    while (!s.stop) {
      if (s.cv.wait_for(lock, s.interval, [&] { return s.stop; })) break;
      lock.unlock();
      Step().status().IgnoreError();  // a failed step is retried at the next interval
      lock.lock();
    }
  });
}

AutoCompactor::~AutoCompactor() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stop = true;
  }
  state_->cv.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
}

Result<Revision> AutoCompactor::Step() {
  std::lock_guard<std::mutex> lock(state_->step_mu);
  KS_ASSIGN_OR_RETURN(Revision current, state_->store->CurrentRevision());
  Revision target = state_->recorded;
  state_->recorded = current;
  if (target <= 0) return Revision{0};
  KS_ASSIGN_OR_RETURN(Revision compacted, state_->store->CompactedRevision());
  if (target <= compacted) return Revision{0};  // nothing new to drop
  Status s = state_->store->Compact(target);
  if (!s.ok()) {
    if (s.code() == StatusCode::kExpired) return Revision{0};  // another compactor got there first
    return s;
  }
  return target;
}

}  // namespace kstream::storage
