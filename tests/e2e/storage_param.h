// Tests parameterised by the server's storage (LMDB or a real etcd): one etcd per test
// suite, started on first use and wiped (every /registry/ key) before each later case, so
// every case meets an empty store without paying for a new etcd.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "testing/etcd_process.h"

namespace kstream::e2e {

enum class Storage { kLmdb, kEtcd };

inline std::string StorageName(const ::testing::TestParamInfo<Storage>& info) {
  return info.param == Storage::kLmdb ? "Lmdb" : "Etcd";
}

class StorageParamTest : public ::testing::TestWithParam<Storage> {
 protected:
  static void TearDownTestSuite() { etcd_.reset(); }

  // Starts the suite's etcd on first use; wipes what earlier cases stored.
  static void PrepareEtcd() {
    if (etcd_ == nullptr) {
      auto etcd = std::make_unique<testing::EtcdProcess>();
      Status s = etcd->Start();
      ASSERT_TRUE(s.ok()) << s.ToString();
      etcd_ = std::move(etcd);
      return;
    }
    auto wiped = testing::RunEtcdctl(etcd_->endpoint(), {"del", "--prefix", "/registry/"});
    ASSERT_TRUE(wiped.ok()) << wiped.status().ToString();
  }

  static inline std::unique_ptr<testing::EtcdProcess> etcd_;
};

}  // namespace kstream::e2e
