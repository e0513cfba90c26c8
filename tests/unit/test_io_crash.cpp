// SPDX-License-Identifier: MIT
// Crash consistency of the result file by fault injection: a forked writer is killed with
// SIGKILL at its k-th pwrite() (optionally after writing only up to the first page boundary,
// which is where the kernel stops a write when SIGKILL arrives), for every k of a short run,
// and the file it leaves must hold every snapshot whose write_snapshot() had returned.
//
// To count and stop writes this file defines pwrite() for the whole test binary. It forwards
// every call to the next definition (libc, or the sanitizer's) unless a forked child armed it.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "hphtsim/app/describe_result.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/core/grid.hpp"
#include "hphtsim/io/hdf5_handle.hpp"
#include "hphtsim/io/result_reader.hpp"
#include "hphtsim/io/result_writer.hpp"

namespace {

long g_write_calls = 0;  // counted only in a child that armed g_kill_at
long g_kill_at = 0;      // 0: disarmed; -1: count only; k > 0: kill at the k-th write
bool g_tear = false;
std::vector<char>* g_spans_pages = nullptr;  // when counting: per write, whether it can tear

}  // namespace

extern "C" ssize_t pwrite(int fd, const void* buffer, size_t size, off_t offset) {
  using Pwrite = ssize_t (*)(int, const void*, size_t, off_t);
  static const Pwrite next = reinterpret_cast<Pwrite>(dlsym(RTLD_NEXT, "pwrite"));
  if (next == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  const off_t page = 4096;
  const size_t head = size_t((offset / page + 1) * page - offset);  // bytes to the next page
  if (g_kill_at != 0 && ++g_write_calls == g_kill_at) {
    if (g_tear && head < size) next(fd, buffer, head, offset);
    std::raise(SIGKILL);
  }
  if (g_spans_pages != nullptr) g_spans_pages->push_back(head < size ? 1 : 0);
  return next(fd, buffer, size, offset);
}

namespace hphtsim::io {
namespace {

namespace fs = std::filesystem;

constexpr int kSnapshots = 2;

double value(int snapshot, std::size_t cell) { return snapshot + 1e-3 * double(cell); }

/// The run each child makes; reports the number of completed snapshots on `progress`.
void run_writer(const fs::path& path, int progress) {
  const core::Grid grid = core::Grid::uniform(4, 4, 4, 1e-3, 1e-3, 1e-3);
  ResultWriter writer(path, grid, std::vector<std::int32_t>(grid.size(), 0), {"solvent"},
                      {"0.1.0", "test", "a: 1\n"}, {{"time", "s", 1}, {"T_seed", "K", 2}});
  std::vector<double> field(grid.size());
  for (int s = 0; s < kSnapshots; ++s) {
    for (std::size_t c = 0; c < field.size(); ++c) field[c] = value(s, c);
    writer.write_snapshot(double(s), {{"T", "K", field.data()}, {"phi", "V", field.data()}});
    const int completed = s + 1;
    if (::write(progress, &completed, sizeof completed) != sizeof completed) ::_exit(4);
    writer.append_series_row({double(s), 1.0, 2.0});
    if (s == 1) {  // a dozen key figures: /meta's header must have room for them in place
      for (const char* name :
           {"peak_T", "peak_power", "energy_in", "energy_out", "mass_total", "mass_max", "rate_max",
            "p_max", "p_min", "T_source_max", "runtime", "steps"}) {
        writer.set_meta_attribute(name, 1800.0, "K");
      }
    }
  }
  writer.close();
}

/// What a killed run left, checked in a child of its own with a time limit (HDF5 could loop on
/// a damaged file). Returns an empty string if it holds up, else what is wrong.
std::string check_file(const fs::path& path, int completed) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  const pid_t checker = ::fork();
  if (checker == 0) {
    ::close(pipe_fds[0]);
    ::alarm(20);
    std::string problem;
    try {
      if (!fs::exists(path)) {
        if (completed > 0) problem = "no file after a completed snapshot";
      } else {
        int count = -1;
        try {
          count = count_snapshots(path);
        } catch (const IoError& e) {
          // The one known window: the first snapshot's index node, before anything completed.
          if (completed > 0 || std::string(e.what()).find("index") == std::string::npos) throw;
        }
        if (count >= 0 && count < completed) {
          problem = std::to_string(count) + " snapshots readable of " + std::to_string(completed);
        }
        for (int s = 0; s < count && problem.empty(); ++s) {
          double time = -1.0;
          const auto t = read_snapshot_field(path, s, "T", &time);
          if (time != s || t.size() != 64 || t.back() != value(s, 63)) {
            problem = "wrong data in snapshot " + std::to_string(s);
          }
        }
        if (problem.empty()) {
          read_series(path, "time");
          read_series(path, "T_seed");
          std::string summary = app::describe_result(path);
          if (count == -1) {  // the known window: only the snapshots part may be unreadable
            const auto known = summary.find("snapshots: unreadable");
            if (known != std::string::npos) summary.erase(known, 21);
          }
          const auto bad = summary.find("unreadable");
          if (bad != std::string::npos) problem = "describe_result: " + summary.substr(bad, 200);
        }
      }
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (!problem.empty() && ::write(pipe_fds[1], problem.data(), problem.size()) < 0) ::_exit(3);
    ::_exit(problem.empty() ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  int status = 0;
  ::waitpid(checker, &status, 0);
  char message[512] = {};
  const ssize_t got = ::read(pipe_fds[0], message, sizeof message - 1);
  ::close(pipe_fds[0]);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFSIGNALED(status))
    return "reader hung or crashed (signal " + std::to_string(WTERMSIG(status)) + ")";
  return got > 0 ? std::string(message, std::size_t(got)) : "checker failed";
}

TEST(ResultFileCrash, EveryWriteIsASafePlaceToBeKilled) {
  const fs::path dir =
      fs::temp_directory_path() / ("hphtsim_io_crash_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  struct RemoveOnExit {  // also when an assertion returns early
    fs::path dir;
    ~RemoveOnExit() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  const fs::path path = dir / "run.h5";
  H5open();  // once here rather than in each of the ~300 children

  // Each child: arm the kill at write k (k = 0: count the writes of a whole run instead).
  auto run_child = [&](long kill_at, bool tear, int* completed, std::vector<char>* spans) {
    for (const auto& entry : fs::directory_iterator(dir)) fs::remove(entry.path());
    int progress[2];
    int counter[2];
    if (::pipe(progress) != 0 || ::pipe(counter) != 0) return false;
    const pid_t child = ::fork();
    if (child < 0) return false;
    if (child == 0) {
      ::close(progress[0]);
      ::close(counter[0]);
      g_write_calls = 0;
      g_kill_at = kill_at > 0 ? kill_at : -1;  // -1: count only (never equal)
      g_tear = tear;
      std::vector<char> spans_pages;
      spans_pages.reserve(4096);
      if (kill_at == 0) g_spans_pages = &spans_pages;
      try {
        run_writer(path, progress[1]);
      } catch (...) {
        ::_exit(2);
      }
      g_spans_pages = nullptr;
      const std::size_t n = spans_pages.size();
      if (::write(counter[1], &n, sizeof n) < 0 ||
          ::write(counter[1], spans_pages.data(), n) != ssize_t(n)) {
        ::_exit(3);
      }
      ::_exit(0);
    }
    ::close(progress[1]);
    ::close(counter[1]);
    int status = 0;
    ::waitpid(child, &status, 0);
    *completed = 0;
    for (int n = 0; ::read(progress[0], &n, sizeof n) == sizeof n;) *completed = n;
    std::size_t n = 0;
    if (::read(counter[0], &n, sizeof n) == sizeof n && spans != nullptr) {
      spans->resize(n);
      for (std::size_t got = 0; got < n;) {
        const ssize_t r = ::read(counter[0], spans->data() + got, n - got);
        if (r <= 0) break;
        got += std::size_t(r);
      }
    }
    ::close(progress[0]);
    ::close(counter[0]);
    return kill_at > 0 ? (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
                       : (WIFEXITED(status) && WEXITSTATUS(status) == 0);
  };

  int completed = 0;
  std::vector<char> spans_pages;  // per write of the run: can a kill tear it?
  ASSERT_TRUE(run_child(0, false, &completed, &spans_pages)) << "the uninterrupted run failed";
  ASSERT_EQ(completed, kSnapshots);
  const long writes = long(spans_pages.size());
  ASSERT_GT(writes, 20);
  EXPECT_EQ(check_file(path, completed), "");

  int failures = 0;
  for (long k = 1; k <= writes; ++k) {
    for (const bool tear : {false, true}) {
      if (tear && !spans_pages[std::size_t(k - 1)]) continue;  // the same as killed before it
      ASSERT_TRUE(run_child(k, tear, &completed, nullptr)) << "write " << k << " was not reached";
      const std::string problem = check_file(path, completed);
      EXPECT_EQ(problem, "") << "killed at write " << k << " of " << writes
                             << (tear ? " (torn)" : "") << " after " << completed
                             << " completed snapshots";
      if (!problem.empty() && ++failures >= 5) FAIL() << "giving up after 5 failures";
    }
  }
}

}  // namespace
}  // namespace hphtsim::io
