// SPDX-License-Identifier: MIT
// The default cell pushed out of the growth window: too little pressure (graphite side of the
// equilibrium line) or too cold (frozen solvent). Growth must stop, with a clear message.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hphtsim/io/result_reader.hpp"

namespace fs = std::filesystem;

namespace {

const std::string source_dir = HPHTSIM_SOURCE_DIR;
const std::string binary = HPHTSIM_BINARY;

struct WindowRun {
  int code;
  std::string log;
  fs::path h5;
};

WindowRun run_default(const std::string& name, const std::string& extra) {
  fs::path dir = fs::temp_directory_path() / ("hphtsim_window_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path h5 = dir / "run.h5", log = dir / "log.txt";
  std::string cmd = "OMP_NUM_THREADS=1 '" + binary + "' run '" + source_dir + "/configs/tgm_lab_small.yaml' -o '" +
                    h5.string() + "' --until \"2.5 h\" --set cell.cells=32 --set seeds.0.size=\"1.2 mm\" --set solver.coupling_tolerance=\"0.01 K\" " +
                    extra + " > '" + log.string() + "' 2>&1";
  int status = std::system(cmd.c_str());
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ss.str(), h5};
}

// The run ended with the seed out of the window (growth_status: 1 frozen solvent, 2 graphite
// side of the line) and not growing; removes the run's directory.
void expect_stopped(const WindowRun& r, double status_code) {
  const auto status = hphtsim::io::read_series(r.h5, "growth_status");
  const auto rate = hphtsim::io::read_series(r.h5, "growth_rate");
  EXPECT_EQ(status.back(), status_code) << r.log;
  EXPECT_EQ(rate.back(), 0.0);
  fs::remove_all(r.h5.parent_path());
}

}  // namespace

TEST(GrowthWindow, TooLittlePressureStopsGrowthOnTheGraphiteSide) {
  // 55 MPa of oil gives 3.75 GPa cold; with ~1.3 GPa of thermal pressure the melt at the seed
  // is at ~5.07 GPa, below the Kennedy line (5.6 GPa) at the seed's ~1460 degC.
  WindowRun r = run_default("pressure", "--set recipe.oil_pressure.segments.0.ramp_to=\"55 MPa\"");
  ASSERT_EQ(r.code, 0) << r.log;
  EXPECT_NE(r.log.find("stopped growing: graphite-stable"), std::string::npos) << r.log;
  expect_stopped(r, 2.0);
}

TEST(GrowthWindow, TooColdFreezesTheSolvent) {
  WindowRun r = run_default("cold", "--set recipe.heater.segments.1.ramp_to=\"1000 degC\"");
  ASSERT_EQ(r.code, 0) << r.log;
  expect_stopped(r, 1.0);
}

TEST(GrowthWindow, InTheWindowTheSeedGrowsAndTheCrystalIsInTheSnapshots) {
  WindowRun r = run_default("grow", "");
  ASSERT_EQ(r.code, 0) << r.log;
  auto status = hphtsim::io::read_series(r.h5, "growth_status");
  auto mass = hphtsim::io::read_series(r.h5, "mass");
  EXPECT_EQ(status.back(), 0.0) << r.log;
  EXPECT_GT(mass.back(), mass.front());
  const int n = hphtsim::io::count_snapshots(r.h5);
  auto crystal = hphtsim::io::read_snapshot_field(r.h5, n - 1, "crystal");
  auto carbon = hphtsim::io::read_snapshot_field(r.h5, n - 1, "carbon");
  double cells = 0, cmax = 0;
  for (double v : crystal) cells += v > 0.5;
  for (double v : carbon) cmax = std::max(cmax, v);
  EXPECT_GT(cells, 0);
  EXPECT_GT(cmax, 0.01);
  fs::remove_all(r.h5.parent_path());
}
