// SPDX-License-Identifier: MIT
// The default cell's pressure through the hphtsim command (24^3, pressurise and heat, 3 h):
// p_cell follows the oil pressure through the calibration while cold, rises on heating by a
// bounded amount (positive, below the isochoric thermal pressure of the solvent), the snapshot
// field p is mirror-symmetric, and the growth window reads the pressure at the seed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "hphtsim/io/result_file.hpp"
#include "hphtsim/physics/mechanics.hpp"
#include "hphtsim/physics/phase_diagram.hpp"
#include "hphtsim/simulation/model.hpp"

namespace fs = std::filesystem;

namespace {

const std::string source_dir = HPHTSIM_SOURCE_DIR;
const std::string binary = HPHTSIM_BINARY;
const std::vector<std::string> overrides = {"cell.cells=32", "seeds.0.size=\"1.2 mm\"", "pressure.field=true"};

hphtsim::simulation::Model model() {
  return hphtsim::simulation::Model::from_file(source_dir + "/configs/tgm_default.yaml", overrides);
}


void FollowsTheOilPressureThroughTheCalibrationWhileCold(const fs::path& h5) {
  const auto m = model();
  const auto t = hphtsim::io::read_series(h5, "time");
  const auto oil = hphtsim::io::read_series(h5, "oil_pressure");
  const auto cal = hphtsim::io::read_series(h5, "p_calibrated");
  const auto cell = hphtsim::io::read_series(h5, "p_cell");
  const auto T_source = hphtsim::io::read_series(h5, "T_source");
  int cold_rows = 0;
  for (std::size_t r = 0; r < t.size(); ++r) {
    EXPECT_NEAR(cal[r], m.calibration.cell_pressure(oil[r]), 1e-9 * 6e9);
    EXPECT_NEAR(m.calibration.oil_pressure(cal[r]), oil[r], 1e-9 * 95e6);  // oil -> cell -> oil
    if (T_source[r] > m.time.initial_temperature + 0.01) continue;
    // No free strain yet: the cell is at the calibrated pressure exactly.
    EXPECT_NEAR(cell[r], cal[r], 1e-9 * 6e9) << "t = " << t[r];
    ++cold_rows;
  }
  EXPECT_GE(cold_rows, 3);
  EXPECT_GT(oil.back(), 90e6);
}

void RisesOnHeatingByABoundedAmount(const fs::path& h5) {
  const auto m = model();
  const auto cal = hphtsim::io::read_series(h5, "p_calibrated");
  const auto cell = hphtsim::io::read_series(h5, "p_cell");
  const auto T_source = hphtsim::io::read_series(h5, "T_source");
  const auto T_seed = hphtsim::io::read_series(h5, "T_seed");
  // The isochoric thermal pressure of the solvent (dp/dT at constant volume = alpha_V K) at the
  // hotter capsule temperature: the capsule can expand into the cooler, softer medium around it,
  // so its mean pressure rises by less.
  const auto& solvent = m.materials[std::size_t(m.map.material[std::size_t(
      std::find(m.map.region.begin(), m.map.region.end(), m.solvent_region) - m.map.region.begin())])];
  const double T0 = m.time.initial_temperature;
  const double K = hphtsim::physics::bulk_modulus(solvent.extra.at("youngs_modulus")(T0), solvent.extra.at("poisson_ratio")(T0));
  const double alpha_V = 3.0 * solvent.extra.at("thermal_expansion")(T0);
  const double bound = alpha_V * K * (std::max(T_source.back(), T_seed.back()) - T0);
  const double rise = cell.back() - cal.back();
  std::cout << "[ pressure ] p_calibrated " << cal.back() * 1e-9 << " GPa, p_cell " << cell.back() * 1e-9
            << " GPa: rise " << rise * 1e-9 << " GPa on heating to " << T_source.back() - 273.15
            << " degC (isochoric bound " << bound * 1e-9 << " GPa)\n";
  EXPECT_GT(T_source.back(), 1600.0);
  EXPECT_GT(rise, 0.1e9);
  EXPECT_LT(rise, bound);
}

void SnapshotFieldIsMirrorSymmetric(const fs::path& h5) {
  const auto m = model();
  const int n = hphtsim::io::count_snapshots(h5);
  ASSERT_GE(n, 2);
  const auto p = hphtsim::io::read_snapshot_field(h5, n - 1, "p");
  const auto& g = m.grid;
  ASSERT_EQ(p.size(), g.size());
  double mirror = 0.0, swap = 0.0, scale = 0.0;
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const double v = p[g.index(i, j, k)];
        scale = std::max(scale, std::abs(v));
        mirror = std::max(mirror, std::abs(v - p[g.index(g.nx - 1 - i, j, k)]));
        swap = std::max(swap, std::abs(v - p[g.index(j, i, k)]));
      }
  std::cout << "[ pressure ] symmetry: mirror x " << mirror << " Pa, x<->y " << swap << " Pa on " << scale << " Pa\n";
  EXPECT_LE(mirror, 1e-5 * scale);
  EXPECT_LE(swap, 1e-5 * scale);
}

void TheGrowthWindowReadsThePressureAtTheSeed(const fs::path& h5) {
  const auto m = model();
  const auto p_seed = hphtsim::io::read_series(h5, "p_seed");
  const auto T_seed = hphtsim::io::read_series(h5, "T_seed");
  const auto margin = hphtsim::io::read_series(h5, "line_margin_GPa");
  const auto cal = hphtsim::io::read_series(h5, "p_calibrated");
  ASSERT_TRUE(m.growth.has_value());
  const auto line = m.growth->solubility.line;
  for (std::size_t r = 1; r < p_seed.size(); ++r)
    EXPECT_NEAR(margin[r], (p_seed[r] - hphtsim::physics::equilibrium_pressure(line, T_seed[r])) * 1e-9, 1e-9) << r;
  // The melt at the seed is hotter than when calibrated: above the calibrated pressure.
  EXPECT_GT(p_seed.back(), cal.back());
}

}  // namespace

// One simulation, four checks (CTest runs each TEST in a process of its own).
TEST(DefaultCellPressure, FollowsTheCalibrationRisesOnHeatingIsSymmetricAndReachesTheGrowthWindow) {
  const fs::path dir = fs::temp_directory_path() / ("hphtsim_pressure_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path h5 = dir / "run.h5";
  std::string cmd = "OMP_NUM_THREADS=1 '" + binary + "' run '" + source_dir + "/configs/tgm_default.yaml' -o '" +
                    h5.string() + "' --until \"3 h\" -q";
  for (const auto& o : overrides) cmd += " --set " + o;
  cmd += " > '" + (dir / "log.txt").string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(dir / "log.txt");
  std::stringstream log;
  log << in.rdbuf();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << log.str();
  {
    SCOPED_TRACE("calibration");
    FollowsTheOilPressureThroughTheCalibrationWhileCold(h5);
  }
  {
    SCOPED_TRACE("thermal pressure");
    RisesOnHeatingByABoundedAmount(h5);
  }
  {
    SCOPED_TRACE("symmetry");
    SnapshotFieldIsMirrorSymmetric(h5);
  }
  {
    SCOPED_TRACE("pressure at the seed");
    TheGrowthWindowReadsThePressureAtTheSeed(h5);
  }
  fs::remove_all(dir);
}
