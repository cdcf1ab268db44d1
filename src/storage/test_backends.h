// For tests: every Store backend, opened fresh and empty by name, so one suite runs against
// all of them (conformance_test.cc). "lmdb" is a store in a temporary directory; "etcd" is
// an EtcdStore talking to a real etcd started on loopback for the test (its own process and
// data directory, removed afterwards).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/lmdb/lmdb_store.h"
#include "storage/store.h"
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

inline std::vector<std::string> Names() { return {"lmdb"}; }

inline Result<std::unique_ptr<Backend>> Open(const std::string& name) {
  if (name == "lmdb") {
    auto b = std::make_unique<LmdbBackend>();
    KS_RETURN_IF_ERROR(b->Open());
    return std::unique_ptr<Backend>(std::move(b));
  }
  return InvalidArgument("unknown backend " + name);
}

}  // namespace kstream::storage::testing_backends
