// SPDX-License-Identifier: MIT
// io/atomic_file: a replaced file is the old one or the new one, never a part, and it is on
// disk (the data fsync'ed before the rename, the directory after it).
//
// To see the fsyncs this file defines fsync() for the whole test binary; it forwards every call
// to the next definition (libc, or the sanitizer's) and, while a test records, notes what the
// descriptor was.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hphtsim/core/error.hpp"
#include "hphtsim/io/atomic_file.hpp"

namespace {

struct Synced {
  ino_t inode;
  bool directory;
  bool target_existed;  ///< whether the watched target name existed at the time
};
std::vector<Synced>* g_synced = nullptr;  // recording when non-null
const char* g_watched = nullptr;

}  // namespace

extern "C" int fsync(int fd) {
  using Fsync = int (*)(int);
  static const Fsync next = reinterpret_cast<Fsync>(dlsym(RTLD_NEXT, "fsync"));
  if (next == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  if (g_synced != nullptr) {
    struct stat st {};
    struct stat target {};
    if (::fstat(fd, &st) == 0) {
      g_synced->push_back({st.st_ino, S_ISDIR(st.st_mode),
                           g_watched != nullptr && ::stat(g_watched, &target) == 0});
    }
  }
  return next(fd);
}

namespace hphtsim::io {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

ino_t inode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hphtsim_atomic_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    g_synced = nullptr;
    g_watched = nullptr;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) out.push_back(entry.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
};

TEST_F(AtomicFileTest, WritesAndReplacesWholeFilesLeavingNoTemporary) {
  const fs::path target = dir_ / "run.xmf";
  EXPECT_EQ(temporary_path_for(target), dir_ / "run.xmf.tmp");
  replace_file_contents(target, "first\n");
  EXPECT_EQ(slurp(target), "first\n");
  const std::string big(3 << 20, 'x');  // more than one write() may take
  replace_file_contents(target, big);
  EXPECT_EQ(slurp(target), big);
  replace_file_contents(target, "");
  EXPECT_EQ(slurp(target), "");
  EXPECT_EQ(names(), std::vector<std::string>{"run.xmf"});
}

TEST_F(AtomicFileTest, SyncsTheDataBeforeTheRenameAndTheDirectoryAfterIt) {
  const fs::path target = dir_ / "run.checkpoint.h5";
  std::vector<Synced> synced;
  ino_t temp_inode = 0;
  const std::string watched = target.string();
  g_watched = watched.c_str();
  g_synced = &synced;
  replace_file(target, [&](const fs::path& temp) {
    std::ofstream(temp) << "state";
    temp_inode = inode_of(temp);
  });
  g_synced = nullptr;
  ASSERT_EQ(synced.size(), 2u);
  EXPECT_EQ(synced[0].inode, temp_inode);  // the new file's data ...
  EXPECT_FALSE(synced[0].directory);
  EXPECT_FALSE(synced[0].target_existed);      // ... before it got the target's name
  EXPECT_EQ(synced[1].inode, inode_of(dir_));  // then the directory entry
  EXPECT_TRUE(synced[1].directory);
  EXPECT_TRUE(synced[1].target_existed);
  EXPECT_EQ(inode_of(target), temp_inode);
  EXPECT_EQ(slurp(target), "state");
}

TEST_F(AtomicFileTest, AFailedWriteLeavesTheOldFileAndNoTemporary) {
  const fs::path target = dir_ / "run.checkpoint.h5";
  replace_file_contents(target, "good");
  EXPECT_THROW(replace_file(target,
                            [](const fs::path& temp) {
                              std::ofstream(temp) << "half";
                              throw IoError("disk full");
                            }),
               IoError);
  EXPECT_EQ(slurp(target), "good");
  EXPECT_EQ(names(), std::vector<std::string>{"run.checkpoint.h5"});
  // A write that makes no file at all is an error too (the commit cannot sync it).
  EXPECT_THROW(replace_file(target, [](const fs::path&) {}), IoError);
  EXPECT_EQ(slurp(target), "good");
}

TEST_F(AtomicFileTest, NeverReplaceKeepsAnExistingTarget) {
  const fs::path target = dir_ / "run.h5";
  const fs::path temp = dir_ / "run.h5.partial-1";
  std::ofstream(temp) << "new";
  EXPECT_TRUE(commit_file(temp, target, Replace::kNever));
  EXPECT_EQ(slurp(target), "new");
  EXPECT_FALSE(fs::exists(temp));

  std::ofstream(temp) << "newer";
  EXPECT_FALSE(commit_file(temp, target, Replace::kNever));
  EXPECT_EQ(slurp(target), "new");
  EXPECT_EQ(slurp(temp), "newer");  // the caller's to remove

  EXPECT_TRUE(commit_file(temp, target, Replace::kAllowed));
  EXPECT_EQ(slurp(target), "newer");
  EXPECT_EQ(names(), std::vector<std::string>{"run.h5"});
}

TEST_F(AtomicFileTest, AMissingDirectoryIsAnIoErrorNamingThePath) {
  const fs::path target = dir_ / "missing" / "run.xmf";
  try {
    replace_file_contents(target, "text");
    FAIL() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "missing").string()), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(names().empty());
}

}  // namespace
}  // namespace hphtsim::io
