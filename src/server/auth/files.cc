#include "server/auth/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace kstream::server::auth {
namespace {

std::string Errno(std::string_view what, const std::string& path, int err) {
  std::string m(what);
  m += ' ';
  m += path;
  m += ": ";
  m += strerror(err);
  return m;
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Closes fd on scope exit unless released.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view bytes, mode_t mode) {
  if (path.empty()) return InvalidArgument("WriteFileAtomic: empty path");
  std::string tmpl = path + ".tmp-XXXXXX";
  // mkstemp creates the file 0600: nobody else can read it while it is being written.
  Fd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (fd.get() < 0) return Unavailable(Errno("create temporary file for", path, errno));
  auto fail = [&](std::string_view what) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return Unavailable(Errno(what, tmpl, err));
  };
  if (::fchmod(fd.get(), mode) != 0) return fail("chmod");
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync");
  if (::close(fd.release()) != 0) return fail("close");
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return Unavailable(Errno("rename to", path, err));
  }
  // Make the rename itself durable. A directory that cannot be opened for this (unusual
  // permissions) does not undo the write, so this is best effort.
  Fd dir(::open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return Status::Ok();
}

Result<std::string> ReadFileLimited(const std::string& path, size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound(Errno("open", path, err));
    return Unavailable(Errno("open", path, err));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Unavailable(Errno("stat", path, errno));
  if (S_ISDIR(st.st_mode)) return FailedPrecondition("read " + path + ": is a directory");
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unavailable(Errno("read", path, errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return ResourceExhausted("read " + path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status EnsureDirectory(const std::string& dir, mode_t mode) {
  if (dir.empty()) return InvalidArgument("EnsureDirectory: empty path");
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return FailedPrecondition(dir + " exists and is not a directory");
    return Status::Ok();
  }
  if (errno != ENOENT) return Unavailable(Errno("stat", dir, errno));
  // Parents first (with the same mode: they are created only when missing too).
  std::string parent = DirName(dir);
  if (parent != dir && parent != "." && parent != "/") KS_RETURN_IF_ERROR(EnsureDirectory(parent, mode));
  if (::mkdir(dir.c_str(), mode) != 0) {
    if (errno == EEXIST) return Status::Ok();  // someone else made it meanwhile
    return Unavailable(Errno("mkdir", dir, errno));
  }
  // mkdir applies the umask; the mode asked for is the mode wanted.
  if (::chmod(dir.c_str(), mode) != 0) return Unavailable(Errno("chmod", dir, errno));
  return Status::Ok();
}

int FileMode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

DirectoryLock::DirectoryLock(const std::string& dir) {
  const std::string path = dir + "/.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    status_ = Unavailable(Errno("open", path, errno));
    return;
  }
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    status_ = Unavailable(Errno("lock", path, errno));
    ::close(fd_);
    fd_ = -1;
    return;
  }
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace kstream::server::auth
