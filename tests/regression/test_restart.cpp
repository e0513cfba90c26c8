// SPDX-License-Identifier: MIT
// Checkpoint and restart through the hphtsim command: a run stopped by --until, by SIGTERM or
// killed by SIGKILL and continued with --restart ends exactly where an uninterrupted run ends;
// a killed run leaves a readable file with its completed snapshots.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "hphtsim/io/result_reader.hpp"
#include "../support/benchmark_row.hpp"

namespace fs = std::filesystem;

namespace {

const std::string source_dir = HPHTSIM_SOURCE_DIR;
const std::string binary = HPHTSIM_BINARY;
// The small PID cell, snapshots every hour, a checkpoint after every step, 1 thread.
const std::string common = "--set output.snapshot_interval=\"1 h\" --set output.checkpoint_wall_interval=\"0 s\" "
                           "--set time.max_step=\"20 min\" -q --threads 1";

class Restart : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("hphtsim_restart_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  /// `config`: a file of tests/data, or an absolute path.
  static std::string config_path(const std::string& config) {
    return config.front() == '/' ? config : source_dir + "/tests/data/" + config;
  }
  int run(const std::string& args, const std::string& config = "small_cell.yaml") {
    std::string cmd = "cd '" + dir.string() + "' && '" + binary + "' run '" + config_path(config) + "' " +
                      args + " " + common + " >> log.txt 2>&1";
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string log() {
    std::ifstream in(dir / "log.txt");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Waits (at most tries x ms) until the XDMF file lists `count` completed snapshots.
  static void wait_for_snapshots(const fs::path& xmf, std::size_t count, int tries, int ms) {
    for (int i = 0; i < tries; ++i) {
      std::ifstream x(xmf);
      std::stringstream ss;
      ss << x.rdbuf();
      const std::string s = ss.str();
      std::size_t seen = 0;
      for (std::size_t p = s.find("<Time "); p != std::string::npos; p = s.find("<Time ", p + 1)) ++seen;
      if (seen >= count) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
  }
  // Starts `args` on `config` in the background, SIGKILLs it once its XDMF lists `count`
  // snapshots (waiting at most tries x ms), and returns how many snapshots its file holds and
  // whether it had finished before the kill.
  struct Killed {
    int snapshots = 0;
    bool finished = false;
  };
  Killed kill_after_snapshots(const std::string& args, const std::string& config, std::size_t count, int tries, int ms) {
    pid_t pid = spawn(args, config);
    wait_for_snapshots(dir / "part.xmf", count, tries, ms);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    return {hphtsim::io::count_snapshots(dir / "part.h5"), WIFEXITED(status) && WEXITSTATUS(status) == 0};
  }
  // Starts a run in the background and returns its pid.
  pid_t spawn(const std::string& args, const std::string& config = "small_cell.yaml") {
    pid_t pid = fork();
    if (pid == 0) {
      std::string cmd = "cd '" + dir.string() + "' && exec '" + binary + "' run '" + config_path(config) + "' " + args + " " + common +
                        " >> '" + (dir / "log.txt").string() + "' 2>&1";
      execl("/bin/sh", "sh", "-c", cmd.c_str(), (char*)nullptr);
      _exit(127);
    }
    return pid;
  }
  // Largest difference between the two files' last snapshot field and their time series column
  // (row by row: the restart removed what followed the checkpoint), relative to the field's largest value.
  static double max_relative_difference(const fs::path& a, const fs::path& b, const std::string& field = "T",
                                        const std::string& series = "T_control") {
    const int na = hphtsim::io::count_snapshots(a), nb = hphtsim::io::count_snapshots(b);
    EXPECT_EQ(na, nb);
    double ta = 0, tb = 0;
    auto Ta = hphtsim::io::read_snapshot_field(a, na - 1, field, &ta);
    auto Tb = hphtsim::io::read_snapshot_field(b, nb - 1, field, &tb);
    EXPECT_EQ(ta, tb);
    EXPECT_EQ(Ta.size(), Tb.size());
    double d = 0, m = 0;
    for (std::size_t c = 0; c < Ta.size() && c < Tb.size(); ++c) {
      d = std::max(d, std::abs(Ta[c] - Tb[c]));
      m = std::max(m, std::abs(Ta[c]));
    }
    auto sa = hphtsim::io::read_series(a, series), sb = hphtsim::io::read_series(b, series);
    EXPECT_EQ(sa.size(), sb.size());
    for (std::size_t r = 0; r < sa.size() && r < sb.size(); ++r) d = std::max(d, std::abs(sa[r] - sb[r]));
    return d / m;
  }
};

const std::string until_end = "--until \"5 h\"";

}  // namespace

TEST_F(Restart, ContinuingAfterUntilEqualsAnUninterruptedRun) {
  ASSERT_EQ(run("-o full.h5 " + until_end), 0) << log();
  ASSERT_EQ(run("-o part.h5 --until \"47 min\""), 0) << log();
  ASSERT_TRUE(fs::exists(dir / "part.checkpoint.h5"));
  // --until is absolute on a restart too.
  ASSERT_EQ(run("-o part.h5 --restart " + until_end), 0) << log();
  const double diff = max_relative_difference(dir / "full.h5", dir / "part.h5");
  std::cout << "[ restart ] after --until: max relative difference " << diff << "\n";
  EXPECT_TRUE(hphtsim::testing::benchmark_row(
      {"restart equivalence: slab cut at 47 min and continued", "max relative difference of T", 0.0, diff, 1e-10,
       hphtsim::testing::Compare::at_most, "", "an uninterrupted run of the same config"}));
}

// A resistance program: the restart continues from the resistance measured at the switch
// (checkpointed) and from the power the branch search starts at.
TEST_F(Restart, AResistanceProgramContinuesFromItsMeasuredSwitch) {
  const std::string cell = "resistance_cell.yaml";
  ASSERT_EQ(run("-o full.h5", cell), 0) << log();
  ASSERT_EQ(run("-o part.h5 --until \"5 h\"", cell), 0) << log();  // in the resistance ramp
  ASSERT_EQ(run("-o part.h5 --restart", cell), 0) << log();
  const double diff = max_relative_difference(dir / "full.h5", dir / "part.h5", "T", "heater_power");
  const double diff_R = max_relative_difference(dir / "full.h5", dir / "part.h5", "T", "R_setpoint");
  std::cout << "[ restart ] resistance program: max relative difference " << diff << " (power), " << diff_R
            << " (R_setpoint)\n";
  EXPECT_LE(diff, 1e-10);
  EXPECT_LE(diff_R, 1e-10);
}

TEST_F(Restart, SigtermFinishesTheStepCheckpointsAndExitsThree) {
  ASSERT_EQ(run("-o full.h5 " + until_end), 0) << log();
  pid_t pid = spawn("-o part.h5 --until \"30 d\" --set time.max_step=\"1 min\"");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3) << log();
  EXPECT_NE(log().find("--restart"), std::string::npos) << log();
  EXPECT_TRUE(fs::exists(dir / "part.checkpoint.h5"));
  EXPECT_GE(hphtsim::io::count_snapshots(dir / "part.h5"), 1);
}

TEST_F(Restart, SigkillLeavesAReadableFileAndTheRestartMatches) {
  ASSERT_EQ(run("-o full.h5 " + until_end), 0) << log();
  // Kill it once it has written a snapshot beyond the first.
  const Killed killed = kill_after_snapshots("-o part.h5 " + until_end, "small_cell.yaml", 3, 400, 10);
  const int snapshots = killed.snapshots;
  EXPECT_GE(snapshots, 1) << "a killed run leaves a readable file with its completed snapshots";
  for (int s = 0; s < snapshots; ++s) EXPECT_FALSE(hphtsim::io::read_snapshot_field(dir / "part.h5", s, "T").empty());
  if (killed.finished) GTEST_SKIP() << "the run finished before the kill";
  ASSERT_EQ(run("-o part.h5 --restart " + until_end), 0) << log();
  const double diff = max_relative_difference(dir / "full.h5", dir / "part.h5");
  std::cout << "[ restart ] after SIGKILL at snapshot " << snapshots << ": max relative difference " << diff << "\n";
  EXPECT_LE(diff, 1e-10);
}

// With the thermo-elastic pressure field (solved again only when its inputs moved, warm-started
// from the last solution) the restart must carry the field's state too.
TEST_F(Restart, WithThePressureFieldTheRestartMatchesToo) {
  const std::string pressure =
      " --set pressure.cell_pressure=\"5.5 GPa\" --set pressure.field=true --set pressure.relaxation_time=\"2 h\"";
  ASSERT_EQ(run("-o full.h5 " + until_end + pressure), 0) << log();
  ASSERT_EQ(run("-o part.h5 --until \"47 min\"" + pressure), 0) << log();
  ASSERT_EQ(run("-o part.h5 --restart " + until_end + pressure), 0) << log();
  const double dT = max_relative_difference(dir / "full.h5", dir / "part.h5");
  const double dp = max_relative_difference(dir / "full.h5", dir / "part.h5", "p", "p_cell");
  const auto solves = hphtsim::io::read_series(dir / "full.h5", "pressure_solves");
  const auto steps = hphtsim::io::read_series(dir / "full.h5", "time");
  std::cout << "[ restart ] with the pressure field: max relative difference T " << dT << ", p " << dp << " ("
            << solves.back() << " pressure solves in " << steps.size() - 1 << " steps)\n";
  EXPECT_LE(dT, 1e-10);
  EXPECT_LE(dp, 1e-10);
  // The field is reused while its inputs hold: fewer solves than steps, but more than one.
  EXPECT_GT(solves.back(), 1.0);
  EXPECT_LT(solves.back(), double(steps.size() - 1));
}

// The default cell with growth and the pressure field: checkpoints land on steps whose growth
// changed the material map after the field was updated; the continuation must reuse the saved
// field as the uninterrupted run does (crystal mass, T, p and p_seed equal).
TEST_F(Restart, DefaultCellWithGrowthAndPressureMatches) {
  auto run_default = [&](const std::string& args) {
    std::string cmd = "cd '" + dir.string() + "' && '" + binary + "' run '" + source_dir +
                      "/configs/tgm_lab_small.yaml' --set cell.cells=32 --set seeds.0.size=\"1.2 mm\" "
                      "--set output.checkpoint_wall_interval=\"0 s\" -q --threads 1 " +
                      args + " >> log.txt 2>&1";
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  // At 32^3 the crystal covers a new cell during the step that ends at 19.1 h, so the cut at
  // 20 h checkpoints exactly such a state (the field is solved again at 24 h).
  ASSERT_EQ(run_default("-o full.h5 --until \"26 h\""), 0) << log();
  ASSERT_EQ(run_default("-o part.h5 --until \"20 h\""), 0) << log();
  ASSERT_EQ(run_default("-o part.h5 --restart --until \"26 h\""), 0) << log();
  const double dT = max_relative_difference(dir / "full.h5", dir / "part.h5");
  const double dp = max_relative_difference(dir / "full.h5", dir / "part.h5", "p", "p_seed");
  double dm = 0.0, ds = 0.0;
  const auto mass = hphtsim::io::read_series(dir / "full.h5", "mass"), mass2 = hphtsim::io::read_series(dir / "part.h5", "mass");
  const auto solves = hphtsim::io::read_series(dir / "full.h5", "pressure_solves"),
             solves2 = hphtsim::io::read_series(dir / "part.h5", "pressure_solves");
  ASSERT_EQ(mass.size(), mass2.size());
  ASSERT_EQ(solves.size(), solves2.size());
  for (std::size_t r = 0; r < mass.size(); ++r) {
    dm = std::max(dm, std::abs(mass[r] - mass2[r]) / mass.back());
    ds = std::max(ds, std::abs(solves[r] - solves2[r]));
  }
  std::cout << "[ restart ] default cell with growth and pressure: max relative difference T " << dT << ", p/p_seed " << dp
            << ", mass " << dm << ", pressure solves " << ds << " (crystal " << mass.front() << " -> " << mass.back()
            << " mg, " << solves.back() << " solves)\n";
  EXPECT_GT(mass.back(), mass.front() + 1.0);  // the crystal grew across the restart
  namespace ht = hphtsim::testing;
  const char* name = "restart equivalence: lab cell with growth and pressure, cut at 20 h";
  const char* ref = "an uninterrupted run of the same config";
  EXPECT_TRUE(ht::benchmark_row({name, "max relative difference of T", 0.0, dT, 1e-10, ht::Compare::at_most, "", ref}));
  EXPECT_TRUE(ht::benchmark_row({name, "max relative difference of p, p_seed", 0.0, dp, 1e-10, ht::Compare::at_most,
                                 "", ref}));
  EXPECT_TRUE(ht::benchmark_row({name, "max relative difference of the crystal mass", 0.0, dm, 1e-10,
                                 ht::Compare::at_most, "", ref}));
  EXPECT_EQ(ds, 0.0);
}

// An axisymmetric (r, z) run of the default cell, with its growth and pressure field: killed
// with SIGKILL after a few snapshots it leaves a readable file, and its restart from the last
// checkpoint equals the uninterrupted run.
TEST_F(Restart, AnAxisymmetricRunKilledLeavesAReadableFileAndTheRestartMatches) {
  const std::string cfg = source_dir + "/configs/tgm_default.yaml";
  const std::string args = "--set cell.geometry=axisymmetric --set cell.cells=[32,48] --until \"3 d\"";
  ASSERT_EQ(run("-o full.h5 " + args, cfg), 0) << log();
  const Killed killed = kill_after_snapshots("-o part.h5 " + args, cfg, 3, 800, 5);
  const int snapshots = killed.snapshots;
  EXPECT_GE(snapshots, 1) << "a killed run leaves a readable file with its completed snapshots";
  if (killed.finished) GTEST_SKIP() << "the run finished before the kill";
  ASSERT_EQ(run("-o part.h5 --restart " + args, cfg), 0) << log();
  const double dT = max_relative_difference(dir / "full.h5", dir / "part.h5", "T", "mass");
  const double dp = max_relative_difference(dir / "full.h5", dir / "part.h5", "p", "p_cell");
  std::cout << "[ restart ] (r, z) after SIGKILL at snapshot " << snapshots << ": max relative difference T/mass " << dT
            << ", p/p_cell " << dp << "\n";
  EXPECT_LE(dT, 1e-10);
  EXPECT_LE(dp, 1e-10);
}
