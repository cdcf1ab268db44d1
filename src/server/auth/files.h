// Small file helpers for the server's credential files (certificates, keys, token file,
// kubeconfig): atomic replacement with an exact mode, bounded reads, private directories.
//
// WriteFileAtomic writes into a fresh temporary file in the destination's directory, sets
// its mode, fsyncs it, renames it over `path` and fsyncs the directory: a reader (or a
// crash) sees either the old file or the complete new one, never a prefix, and a secret
// file is never readable by others, not even for a moment. Free functions, no state;
// safe to call from any thread (two concurrent writers of the same path: last rename wins).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kstream::server::auth {

// Replaces `path` with `bytes`; the file gets exactly `mode` (umask does not apply).
// Errors: kUnavailable with the failing call and errno text.
Status WriteFileAtomic(const std::string& path, std::string_view bytes, mode_t mode);

// The whole content of `path`. kNotFound when it does not exist; kResourceExhausted when
// it is larger than `max_bytes` (credential files are small: a huge one is a mistake).
Result<std::string> ReadFileLimited(const std::string& path, size_t max_bytes = 1 << 20);

// Creates `dir` (and missing parents) with `mode` when it does not exist; an existing
// directory is left as it is. kFailedPrecondition when `dir` exists but is not a directory.
Status EnsureDirectory(const std::string& dir, mode_t mode = 0700);

// The file's permission bits, or -1 when it cannot be stat'ed.
int FileMode(const std::string& path);

// An exclusive advisory lock (flock) on `<dir>/.lock`, held for the object's lifetime:
// serialises the check-then-generate steps of processes sharing a credentials directory.
// Blocks until the lock is free. Not copyable.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  // OK, or why the lock file could not be opened or locked.
  const Status& status() const { return status_; }

 private:
  int fd_ = -1;
  Status status_;
};

}  // namespace kstream::server::auth
