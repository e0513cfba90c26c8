// SPDX-License-Identifier: MIT
// Axisymmetric (r, z) cells (cell.geometry: axisymmetric) against the 3-D simulator:
//  - the default cell's insides in a cylinder of medium held at the coolant temperature by a
//    near-perfect heat sink (tests/data/jacketed_cell.yaml), so that both geometries are exact
//    and only the discretisations differ: probe temperature rises within 0.5 %, the source-seed
//    difference within 2 %, the heater's resistance within 0.5 %;
//  - the default gem cell runs in (r, z) with its thermo-elastic field under load control, and a
//    restart inside it equals the uninterrupted run.
// Input errors of the mode are in tests/unit/test_input_rules.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "hphtsim/simulation/simulation.hpp"
#include "../support/benchmark_row.hpp"

namespace {

using namespace hphtsim;
const std::string source_dir = HPHTSIM_SOURCE_DIR;

struct CellFigures {
  double source = 0.0, seed = 0.0, resistance = 0.0;  // probe rises over the coolant (K), ohm
};

CellFigures run_jacketed(const std::vector<std::string>& sets) {
  simulation::Simulation sim(simulation::Model::from_file(source_dir + "/tests/data/jacketed_cell.yaml", sets));
  simulation::RunOptions opts;
  sim.run(opts);
  const auto& m = sim.model();
  const auto& d = sim.diagnostics();
  auto probe = [&](const char* name) {
    for (std::size_t p = 0; p < m.probes.size(); ++p)
      if (m.probes[p].name == name) return d.T_probe[p] - m.thermal.coolant_temperature;
    ADD_FAILURE() << "no probe " << name;
    return 0.0;
  };
  return {probe("source"), probe("seed"), d.electric.resistance};
}

}  // namespace

TEST(Axisymmetric, AJacketedCellAgreesWithTheSameCellIn3D) {
  // 3-D at 64^3 (the finest a test affords: its own error is a few tenths of a percent, the
  // 2-D one at 128 x 256 below 0.1 %, docs/validation.md); 2-D at 128 x 256.
  const CellFigures cube = run_jacketed({"cell.cells=64"});
  const CellFigures ring = run_jacketed({"cell.geometry=axisymmetric", "cell.cells=[128, 256]"});
  const double d_cube = cube.source - cube.seed, d_ring = ring.source - ring.seed;
  std::cout << "[ axisym ] jacketed cell, 3-D 64^3 vs (r, z) 128 x 256: source rise " << cube.source << " / "
            << ring.source << " K, seed rise " << cube.seed << " / " << ring.seed << " K, source-seed " << d_cube
            << " / " << d_ring << " K, R " << cube.resistance * 1e3 << " / " << ring.resistance * 1e3 << " mOhm\n";
  namespace ht = hphtsim::testing;
  const char* name = "jacketed cell: (r, z) 128 x 256 against 3-D 64^3";
  const char* ref = "the same cell solved in 3-D";
  EXPECT_TRUE(ht::benchmark_row({name, "source temperature rise (K)", cube.source, ring.source, 5e-3,
                                 ht::Compare::relative, "K", ref}));
  EXPECT_TRUE(ht::benchmark_row({name, "seed temperature rise (K)", cube.seed, ring.seed, 5e-3, ht::Compare::relative,
                                 "K", ref}));
  EXPECT_TRUE(ht::benchmark_row({name, "source-seed difference (K)", d_cube, d_ring, 2e-2, ht::Compare::relative, "K",
                                 ref}));
  EXPECT_TRUE(ht::benchmark_row({name, "heater resistance (ohm)", cube.resistance, ring.resistance, 5e-3,
                                 ht::Compare::relative, "ohm", ref}));
}

TEST(Axisymmetric, TheDefaultCellRunsWholeAndARestartEqualsTheUninterruptedRun) {
  const std::vector<std::string> sets = {"cell.geometry=axisymmetric", "cell.cells=[48, 64]"};
  auto model = [&] { return simulation::Model::from_file(source_dir + "/configs/tgm_default.yaml", sets); };
  // Uninterrupted to 3 days, saving the state at 2 days on the way.
  simulation::Simulation whole(model());
  simulation::RunOptions to_two;
  to_two.until = 2 * 86400.0;
  simulation::SimulationState saved;
  to_two.checkpoint = [&](const simulation::SimulationState& s) { saved = s; };
  ASSERT_TRUE(whole.run(to_two));
  simulation::RunOptions to_three;
  to_three.until = 3 * 86400.0;
  ASSERT_TRUE(whole.run(to_three));
  // Restarted from the saved state.
  simulation::Simulation again(model());
  again.restore(saved);
  ASSERT_TRUE(again.run(to_three));
  const auto& a = whole.field_view("T");
  const auto& b = again.field_view("T");
  double diff = 0.0;
  for (std::size_t c = 0; c < a.size(); ++c) diff = std::max(diff, std::abs(a[c] - b[c]));
  EXPECT_EQ(diff, 0.0) << "restart differs from the uninterrupted run";
  ASSERT_NE(whole.crystals(), nullptr);
  const double mass = whole.crystals()->seeds().at(0).mass;
  EXPECT_EQ(mass, again.crystals()->seeds().at(0).mass);
  EXPECT_EQ(whole.diagnostics().p_cell, again.diagnostics().p_cell);
  EXPECT_GT(whole.diagnostics().mechanics_solves, 0);
  // Heated under load control the capsule's pressure rises above the calibrated 5.96 GPa.
  EXPECT_GT(whole.diagnostics().p_cell, whole.diagnostics().p_calibrated);
  // The crystal grew from its 1 mm seed (3.5 mg) by day 3 and the melt stayed in the window.
  std::cout << "[ axisym ] default cell (r, z) 48 x 64 at day 3: seed " << mass * 1e6 << " mg, T_seed "
            << whole.diagnostics().T_seed.at(0) - 273.15 << " degC, p_cell " << whole.diagnostics().p_cell * 1e-9
            << " GPa (calibrated " << whole.diagnostics().p_calibrated * 1e-9 << " GPa)\n";
  EXPECT_GT(mass, 3.6e-6);
}

// Radial conduction through concentric shells with Joule heating in the tube
// (tests/data/concentric_shells.yaml, the 3-D case of ConcentricShells.*): in (r, z) the round
// interfaces are cell edges, so the error of T(centre) - T(ring) against the analytic profile
// falls at second order (in 3-D, with volume fractions, at first order).
TEST(Axisymmetric, ConcentricShellsWithAJouleHeatedTubeFollowTheAnalyticProfile) {
  const std::string cfg = source_dir + "/tests/data/concentric_shells.yaml";
  const double pi = 3.14159265358979323846;
  const double ri = 3.1e-3, ro = 4.3e-3, R = 7.7e-3, Rp = 8.3e-3, kt = 20.0, ks = 2.0, kr = 2000.0, L = 8e-3;
  std::vector<double> error;
  for (int n : {16, 32, 64, 128}) {
    std::string cells = "cell.cells=[";
    cells += std::to_string(n);
    cells += ", 2]";
    // The coupling to 1e-7 K: its default 0.01 K would be a floor of 1 % of this 0.83 K rise.
    simulation::Simulation sim(
        simulation::Model::from_file(cfg, {"cell.geometry=axisymmetric", cells, "solver.coupling_tolerance=\"1e-7 K\""}));
    sim.solve_steady();
    const auto& d = sim.diagnostics();
    const double Qp = d.electric.joule_total / L, q = Qp / (pi * (ro * ro - ri * ri));
    const double exact = q / (4 * kt) * (ro * ro - ri * ri) - q * ri * ri / (2 * kt) * std::log(ro / ri) +
                         Qp / (2 * pi) * (std::log(R / ro) / ks + std::log(Rp / R) / kr);
    error.push_back((d.T_probe[0] - d.T_probe[1]) / exact - 1.0);
    std::cout << "[ axisym ] shells, " << n << " cells in r: T_centre - T_ring " << d.T_probe[0] - d.T_probe[1]
              << " K, analytic " << exact << " K, error " << 100.0 * error.back() << " %\n";
  }
  // The graded conforming grid does not halve every cell from one budget to the next, so the
  // order is taken over the whole range (16 -> 128: 0.21 %, 0.048 %, 0.014 %, 0.0036 %: 1.96).
  namespace ht = hphtsim::testing;
  const char* name = "concentric shells in (r, z): Joule-heated tube, radial conduction";
  const char* exact_source = "analytic radial conduction through concentric shells";
  EXPECT_TRUE(ht::benchmark_row({name, "T_centre - T_ring, relative error at 128 cells in r", 0.0,
                                 std::abs(error.back()), 1e-4, ht::Compare::at_most, "", exact_source}));
  EXPECT_TRUE(ht::benchmark_row({name, "observed order 16->128", 2.0, std::log2(std::abs(error[0] / error[3])) / 3.0,
                                 0.2, ht::Compare::at_least, "", exact_source}));
}
