// SPDX-License-Identifier: MIT
#include "hphtsim/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "hphtsim/core/error.hpp"

namespace hphtsim::io {

namespace {

namespace fs = std::filesystem;

std::string errno_text(int error) { return std::generic_category().message(error); }

/// Closes a POSIX descriptor on every way out.
class Descriptor {
 public:
  explicit Descriptor(int fd) noexcept : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const noexcept { return fd_; }
  /// Closes now; the error of close() (a delayed write error, say), or 0.
  int close() noexcept {
    const int status = ::close(fd_);
    fd_ = -1;
    return status < 0 ? errno : 0;
  }

 private:
  int fd_;
};

/// fsync of a file or directory. EINVAL: the file system has no sync for it; nothing to do.
void sync_path(const fs::path& path, bool directory, const char* what) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0)));
  if (fd.get() < 0) {
    throw IoError(std::string("cannot open ") + what + " " + path.string() +
                  " to sync it: " + errno_text(errno));
  }
  if (::fsync(fd.get()) < 0 && errno != EINVAL) {
    throw IoError(std::string("cannot sync ") + what + " " + path.string() +
                  " to disk: " + errno_text(errno));
  }
}

fs::path directory_of(const fs::path& path) {
  const fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

}  // namespace

fs::path temporary_path_for(const fs::path& target) {
  fs::path temp = target;
  temp += ".tmp";
  return temp;
}

bool commit_file(const fs::path& temp, const fs::path& target, Replace replace) {
  // The data first: a rename that reaches the disk before the data would publish a file of
  // zeros (ext4 with delalloc, XFS) after a power loss.
  sync_path(temp, /*directory=*/false, "file");
  std::error_code ec;
  if (replace == Replace::kAllowed) {
    fs::rename(temp, target, ec);
  } else {
    // A hard link fails if the name exists: no window in which another file is replaced.
    fs::create_hard_link(temp, target, ec);
    if (ec == std::errc::file_exists) return false;
    if (ec) {  // a file system without hard links
      ec.clear();
      if (fs::exists(target, ec)) return false;
      fs::rename(temp, target, ec);
    } else {
      fs::remove(temp, ec);
    }
  }
  if (ec) {
    throw IoError("cannot move " + temp.string() + " to " + target.string() + ": " + ec.message());
  }
  sync_path(directory_of(target), /*directory=*/true, "directory");
  return true;
}

void replace_file(const fs::path& target, const std::function<void(const fs::path&)>& write) {
  const fs::path temp = temporary_path_for(target);
  try {
    write(temp);
    commit_file(temp, target, Replace::kAllowed);
  } catch (...) {
    std::error_code ec;
    fs::remove(temp, ec);
    throw;
  }
}

void replace_file_contents(const fs::path& target, std::string_view contents) {
  replace_file(target, [&](const fs::path& temp) {
    Descriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (fd.get() < 0) {
      throw IoError("cannot create " + temp.string() + ": " + errno_text(errno));
    }
    const char* data = contents.data();
    std::size_t left = contents.size();
    while (left > 0) {
      const ssize_t n = ::write(fd.get(), data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw IoError("cannot write " + temp.string() + ": " + errno_text(errno));
      data += n;
      left -= std::size_t(n);
    }
    if (const int error = fd.close(); error != 0) {
      throw IoError("cannot write " + temp.string() + ": " + errno_text(error));
    }
  });
}

}  // namespace hphtsim::io
