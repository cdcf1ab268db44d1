// For tests: every Store backend, opened fresh and empty by name, so one suite runs against
// all of them (conformance_test.cc). "lmdb" is a store in a temporary directory; "etcd" is
// an EtcdStore talking to a real etcd started on loopback for the test (its own process and
// data directory, removed afterwards).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/etcd/etcd_store.h"
#include "storage/lmdb/lmdb_store.h"
#include "storage/store.h"
#include "testing/etcd_process.h"
#include "testing/temp_dir.h"

namespace kstream::storage::testing_backends {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Store* store() = 0;
};

class LmdbBackend final : public Backend {
 public:
  Status Open() {
    KS_ASSIGN_OR_RETURN(store_, LmdbStore::Open(LmdbOptions{.path = dir_.str() + "/db"}));
    return Status::Ok();
  }
  Store* store() override { return store_.get(); }

 private:
  kstream::testing::TempDir dir_{"kstream-lmdb"};
  std::unique_ptr<LmdbStore> store_;
};

class EtcdBackend final : public Backend {
 public:
  Status Open() {
    KS_RETURN_IF_ERROR(etcd_.Start());
    EtcdOptions o;
    o.endpoints = {etcd_.endpoint()};
    KS_ASSIGN_OR_RETURN(store_, EtcdStore::Open(o));
    return Status::Ok();
  }
  Store* store() override { return store_.get(); }

 private:
  kstream::testing::EtcdProcess etcd_;  // declared first: outlives the store
  std::unique_ptr<EtcdStore> store_;
};

inline std::vector<std::string> Names() { return {"lmdb", "etcd"}; }

inline Result<std::unique_ptr<Backend>> Open(const std::string& name) {
  if (name == "lmdb") {
    auto b = std::make_unique<LmdbBackend>();
    KS_RETURN_IF_ERROR(b->Open());
    return std::unique_ptr<Backend>(std::move(b));
  }
  if (name == "etcd") {
    auto b = std::make_unique<EtcdBackend>();
    KS_RETURN_IF_ERROR(b->Open());
    return std::unique_ptr<Backend>(std::move(b));
  }
  return InvalidArgument("unknown backend " + name);
}

}  // namespace kstream::storage::testing_backends
