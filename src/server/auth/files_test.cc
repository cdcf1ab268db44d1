#include "server/auth/files.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "testing/temp_dir.h"

namespace kstream::server::auth {
namespace {

namespace fs = std::filesystem;

class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t m) : old_(::umask(m)) {}
  ~UmaskGuard() { ::umask(old_); }

 private:
  mode_t old_;
};

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(WriteFileAtomic, WritesBytesWithExactModeWhateverTheUmask) {
  kstream::testing::TempDir dir("ks-files");
  UmaskGuard umask_guard(0077);
  const std::string pub = dir.str() + "/pub";
  const std::string secret = dir.str() + "/secret";
  ASSERT_TRUE(WriteFileAtomic(pub, std::string("a\0b", 3), 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(secret, "key", 0600).ok());
  EXPECT_EQ(FileMode(pub), 0644);
  EXPECT_EQ(FileMode(secret), 0600);
  EXPECT_EQ(*ReadFileLimited(pub), std::string("a\0b", 3));
  EXPECT_EQ(*ReadFileLimited(secret), "key");
  // No temporary files are left behind.
  EXPECT_EQ(Names(dir.path()), (std::vector<std::string>{"pub", "secret"}));
}

TEST(WriteFileAtomic, ReplacesAnExistingFileAndItsMode) {
  kstream::testing::TempDir dir("ks-files");
  const std::string p = dir.str() + "/f";
  ASSERT_TRUE(WriteFileAtomic(p, "old old old", 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(p, "new", 0600).ok());
  EXPECT_EQ(*ReadFileLimited(p), "new");
  EXPECT_EQ(FileMode(p), 0600);
  ASSERT_TRUE(WriteFileAtomic(p, "", 0600).ok());
  EXPECT_EQ(*ReadFileLimited(p), "");
  EXPECT_EQ(Names(dir.path()), (std::vector<std::string>{"f"}));
}

TEST(WriteFileAtomic, FailsCleanlyWhereItCannotWrite) {
  kstream::testing::TempDir dir("ks-files");
  Status s = WriteFileAtomic(dir.str() + "/no/such/dir/f", "x", 0600);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("no/such/dir/f"), std::string_view::npos) << s.ToString();
  // A directory in the way of the rename.
  ASSERT_TRUE(fs::create_directory(dir.path() / "d"));
  std::ofstream(dir.path() / "d" / "inside") << "x";
  s = WriteFileAtomic(dir.str() + "/d", "x", 0600);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(Names(dir.path()), (std::vector<std::string>{"d"}));  // the temporary file was removed
  EXPECT_EQ(WriteFileAtomic("", "x", 0600).code(), StatusCode::kInvalidArgument);
}

TEST(ReadFileLimited, MissingTooLargeAndDirectory) {
  kstream::testing::TempDir dir("ks-files");
  auto missing = ReadFileLimited(dir.str() + "/nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(WriteFileAtomic(dir.str() + "/big", std::string(100, 'x'), 0600).ok());
  EXPECT_EQ(ReadFileLimited(dir.str() + "/big", 100)->size(), 100u);
  EXPECT_EQ(ReadFileLimited(dir.str() + "/big", 99).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ReadFileLimited(dir.str()).status().code(), StatusCode::kFailedPrecondition);
}

TEST(EnsureDirectory, CreatesPrivateParentsAndLeavesExistingOnesAlone) {
  kstream::testing::TempDir dir("ks-files");
  UmaskGuard umask_guard(0022);
  const std::string nested = dir.str() + "/a/b/c";
  ASSERT_TRUE(EnsureDirectory(nested).ok());
  EXPECT_TRUE(fs::is_directory(nested));
  EXPECT_EQ(FileMode(nested), 0700);
  EXPECT_EQ(FileMode(dir.str() + "/a"), 0700);
  // Existing: not changed.
  ASSERT_EQ(::chmod(nested.c_str(), 0755), 0);
  ASSERT_TRUE(EnsureDirectory(nested).ok());
  EXPECT_EQ(FileMode(nested), 0755);
  ASSERT_TRUE(EnsureDirectory(nested + "/").ok());
  // A file in the way.
  ASSERT_TRUE(WriteFileAtomic(dir.str() + "/file", "x", 0600).ok());
  EXPECT_EQ(EnsureDirectory(dir.str() + "/file").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(EnsureDirectory(dir.str() + "/file/sub").code(), StatusCode::kUnavailable);  // ENOTDIR
}

TEST(DirectoryLock, ExcludesOtherHoldersUntilReleased) {
  kstream::testing::TempDir dir("ks-files");
  const std::string lock_path = dir.str() + "/.lock";
  auto try_lock = [&] {
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    bool got = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd);
    return got;
  };
  {
    DirectoryLock lock(dir.str());
    ASSERT_TRUE(lock.status().ok()) << lock.status().ToString();
    EXPECT_EQ(FileMode(lock_path), 0600);
    EXPECT_FALSE(try_lock());
  }
  EXPECT_TRUE(try_lock());
  DirectoryLock bad(dir.str() + "/missing");
  EXPECT_EQ(bad.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kstream::server::auth
