// SPDX-License-Identifier: MIT
// Carbon transport and crystal growth on prescribed temperature fields: a 1-D column from a
// hot source to a cold crystal against its analytic flux, conservation, the growth window,
// the habit, and symmetry of a multi-seed layout.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "hphtsim/core/config.hpp"
#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/growth/crystals.hpp"
#include "hphtsim/growth/growth_window.hpp"
#include "../support/benchmark_row.hpp"

using namespace hphtsim;

namespace {

// A 4 x 4 x 12 mm column of 1 mm cells: carbon source on top (z 3..6 mm), solvent in the
// middle (-2..3 mm), a 4 mm seed filling the bottom (-6..-2 mm).
const char* column = R"YAML(
cell: {size: ["4 mm", "4 mm", "12 mm"]}
assembly:
  - {name: solvent, shape: box, material: metal, center: ["0 mm", "0 mm", "0 mm"], size: ["4 mm", "4 mm", "12 mm"]}
  - {name: source, shape: box, material: graphite, center: ["0 mm", "0 mm", "4.5 mm"], size: ["4 mm", "4 mm", "3 mm"]}
seeds:
  - {name: s, center: ["0 mm", "0 mm", "-4 mm"], size: "4 mm"}
)YAML";

struct Column {
  core::Grid grid = core::Grid::uniform(4, 4, 12, 4e-3, 4e-3, 12e-3, -2e-3, -2e-3, -6e-3);
  geometry::Assembly assembly;
  geometry::MaterialMap map;
  std::vector<double> T;
  Column() {
    core::Config c = core::Config::load_string(column);
    assembly = geometry::Assembly::from_config(c.root());
    map = geometry::paint(assembly, grid);
    T.assign(grid.size(), 0.0);
  }
  // Linear in z: T_crystal at the crystal face (z = -2 mm), T_crystal + dT at the source face (z = 3 mm).
  void temperature(double T_crystal, double dT) {
    for (int k = 0; k < grid.nz; ++k)
      for (int j = 0; j < grid.ny; ++j)
        for (int i = 0; i < grid.nx; ++i) T[grid.index(i, j, k)] = T_crystal + dT * (grid.zc(k) + 2e-3) / 5e-3;
  }
};

growth::GrowthSettings settings_at(double T_crystal, double p = 6e9) {
  growth::GrowthSettings s;
  s.habit_temperature = T_crystal;  // {100} and {111} kinetics equal at the crystal face
  s.initial_carbon = s.solubility.diamond(T_crystal, p);  // saturated at the crystal's temperature
  return s;
}

// Steady growth rate (kg/s) after enough implicit steps for the diffusion to settle.
double steady_rate(double T_crystal, double dT, double p, growth::GrowthStatus* status = nullptr,
                   double* balance = nullptr, double E_diffusion = 0.0, double E_kinetics = 0.0) {
  Column col;
  col.temperature(T_crystal, dT);
  growth::GrowthSettings s = settings_at(T_crystal, p);
  s.diffusivity_activation_energy = E_diffusion;
  s.kinetic_activation_energy = E_kinetics;
  growth::CrystalGrowth g(col.grid, col.map, col.assembly, 0, 1, s, 2260.0);
  std::vector<double> T_seed = {T_crystal - 0.5 * dT * 4.0 / 5.0};  // mean over the seed's cells
  solvers::SolveOptions opts;
  opts.rel_tol = 1e-12;
  for (int s = 0; s < 8; ++s) g.step(col.T, p, T_seed, 20000.0, opts);
  if (status) *status = g.seeds()[0].status;
  if (balance) *balance = g.balance_error();
  return g.seeds()[0].growth_rate;
}

}  // namespace

// The crystal fills the column's cross-section A, so its surface lies at z = -6 mm + V / A (V
// its volume): the melt between it and the source is L = 9 mm - V / A thick, 5 mm at the start.
// The flux through the series of kinetics and diffusion over L is the analytic value; the
// model's uptake path ends on the crystal's surface, not on its cells' faces, so it follows L
// while the crystal grows within a cell.
TEST(Growth, DiffusionLimitedFluxMatchesTheAnalyticValue) {
  const double T_crystal = 1650.0, dT = 20.0, p = 6.0e9;
  growth::GrowthSettings s = settings_at(T_crystal);
  const double rho = s.melt_density, A = 16e-6;
  const double driving = s.solubility.diamond(T_crystal + dT, p) - s.solubility.diamond(T_crystal, p);
  auto analytic = [&](double L) { return A * driving / (1.0 / (rho * s.kinetic_coefficient) + L / (rho * s.effective_diffusivity())); };
  // Steady: steps of 20000 s, eight times the diffusion time over 5 mm; the uptake of the last
  // one is set by the surface at its start. Its profile lags the 1 % move of the surface in the
  // step before by about 1/9 of it (backward Euler), well below the 4 % that the thinner melt
  // makes: hence 0.5 %.
  Column col;
  col.temperature(T_crystal, dT);
  growth::CrystalGrowth g(col.grid, col.map, col.assembly, 0, 1, s, 2260.0);
  const std::vector<double> T_seed = {T_crystal - 0.5 * dT * 4.0 / 5.0};
  solvers::SolveOptions opts;
  opts.rel_tol = 1e-12;
  for (int step = 0; step < 8; ++step) g.step(col.T, p, T_seed, 20000.0, opts);
  const double L = 9e-3 - g.seeds()[0].mass / s.diamond_density / A;
  g.step(col.T, p, T_seed, 20000.0, opts);
  const double rate = g.seeds()[0].growth_rate;
  std::cout << "[ growth ] 1-D steady flux: model " << rate << " kg/s, analytic " << analytic(L) << " kg/s over L = "
            << L * 1e3 << " mm (" << analytic(5e-3) << " kg/s over the initial 5 mm)\n";
  EXPECT_LT(L, 5e-3 - 1e-6);  // the crystal grew into its first melt cell
  EXPECT_TRUE(hphtsim::testing::benchmark_row(
      {"1-D diffusion-limited growth: hot source to a cold crystal", "growth rate (kg/s)", analytic(L), rate, 5e-3,
       hphtsim::testing::Compare::relative, "kg/s", "analytic flux of kinetics and diffusion in series"}));
  EXPECT_GT(rate, analytic(5e-3) * 1.02);  // not the rate of the crystal's cells' faces
  EXPECT_LT(std::abs(g.balance_error()), 1e-9);
}

TEST(Growth, RateRisesWithTheTemperatureDifferenceAndStopsOutsideTheWindow) {
  const double T = 1650.0, p = 6.0e9;
  const double r10 = steady_rate(T, 10.0, p), r20 = steady_rate(T, 20.0, p), r40 = steady_rate(T, 40.0, p);
  EXPECT_GT(r10, 0.0);
  EXPECT_GT(r20, r10);
  EXPECT_GT(r40, r20);
  growth::GrowthStatus st;
  EXPECT_EQ(steady_rate(T, 0.0, p, &st), 0.0);
  EXPECT_EQ(st, growth::GrowthStatus::undersaturated);
  EXPECT_EQ(steady_rate(T, -10.0, p, &st), 0.0);
  EXPECT_EQ(st, growth::GrowthStatus::undersaturated);
  // Graphite side of the Kennedy line: at 1650 K it lies at 5.39 GPa.
  EXPECT_EQ(steady_rate(T, 20.0, 5.0e9, &st), 0.0);
  EXPECT_EQ(st, growth::GrowthStatus::graphite_stable);
  // Below the eutectic (1200 degC at 5.5 GPa, +11 K/GPa): frozen solvent.
  EXPECT_EQ(steady_rate(1400.0, 20.0, 6.0e9, &st), 0.0);
  EXPECT_EQ(st, growth::GrowthStatus::solvent_frozen);
}

TEST(Growth, ConservesCarbonOverATransientWithCellConversions) {
  Column col;
  col.temperature(1650.0, 50.0);
  growth::GrowthSettings s = settings_at(1650.0);
  s.kinetic_coefficient = 1e-3;
  s.solubility.dc_dT = 1e-3;  // strong driving force so cells fill and convert within the test
  growth::CrystalGrowth g(col.grid, col.map, col.assembly, 0, 1, s, 2260.0);
  solvers::SolveOptions opts;
  opts.rel_tol = 1e-12;
  const int cells0 = g.seeds()[0].cells;
  double worst = 0.0;
  for (int step = 0; step < 40; ++step) {
    g.step(col.T, 6e9, {1640.0}, 3600.0, opts);
    worst = std::max(worst, std::abs(g.balance_error()));
  }
  std::cout << "[ growth ] deposited " << g.carbon_deposited() * 1e6 << " mg, crystal cells " << cells0 << " -> "
            << g.seeds()[0].cells << ", worst balance error " << worst << "\n";
  EXPECT_GT(g.seeds()[0].cells, cells0) << "the crystal grew on the grid";
  EXPECT_TRUE(hphtsim::testing::benchmark_row(
      {"carbon conservation: 40 growth steps with cell conversions", "worst balance error (relative)", 0.0, worst, 1e-6,
       hphtsim::testing::Compare::absolute, "", "carbon conservation (melt + crystal + source = initial)"}));
}

TEST(Growth, HabitFlipsFromCubeToOctahedronAcrossTheWindow) {
  growth::GrowthSettings s;  // Palyanov 2013: cube 1300, cubo-octahedron 1335, octahedron 1370 degC
  EXPECT_DOUBLE_EQ(s.habit_index(1300 + 273.15), -1.0);
  EXPECT_NEAR(s.habit_index(1335 + 273.15), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(s.habit_index(1370 + 273.15), 1.0);
  EXPECT_LT(s.rate_ratio(1300 + 273.15), 1.0);  // {100} slower: cube
  EXPECT_GT(s.rate_ratio(1370 + 273.15), 1.0);  // {111} slower: octahedron
}

namespace {

// A seed in a box of melt held at uniform supersaturation by a diamond source all around.
double grown_shape(double T_K) {
  const char* text = R"YAML(
cell: {size: ["15 mm", "15 mm", "15 mm"]}
assembly:
  - {name: source, shape: box, material: graphite, center: ["0 mm", "0 mm", "0 mm"], size: ["15 mm", "15 mm", "15 mm"]}
  - {name: solvent, shape: box, material: metal, center: ["0 mm", "0 mm", "0 mm"], size: ["13 mm", "13 mm", "13 mm"]}
seeds:
  - {name: s, center: ["0 mm", "0 mm", "0 mm"], size: "1 mm"}
)YAML";
  core::Config c = core::Config::load_string(text);
  auto assembly = geometry::Assembly::from_config(c.root());
  auto grid = core::Grid::uniform(15, 15, 15, 15e-3, 15e-3, 15e-3, -7.5e-3, -7.5e-3, -7.5e-3);
  auto map = geometry::paint(assembly, grid);
  growth::GrowthSettings s;
  s.source_is_diamond = false;  // graphite saturation: uniform supersaturation without a gradient
  s.kinetic_coefficient = 1e-4;
  s.initial_carbon = s.solubility.graphite(T_K);
  growth::CrystalGrowth g(grid, map, assembly, 1, 0, s, 2260.0);
  std::vector<double> T(grid.size(), T_K);
  solvers::SolveOptions opts;
  for (int step = 0; step < 400 && g.seeds()[0].cells < 300; ++step) g.step(T, 6.5e9, {T_K}, 600.0, opts);
  std::cout << "[ growth ] at " << T_K - 273.15 << " degC: " << g.seeds()[0].cells << " cells, shape index "
            << g.seeds()[0].shape_index << "\n";
  return g.seeds()[0].shape_index;
}

}  // namespace

TEST(Growth, GrownShapeFollowsTheHabit) {
  const double cube = grown_shape(1300 + 273.15), octa = grown_shape(1370 + 273.15);
  EXPECT_LT(cube, 0.0) << "cube-like at 1300 degC";
  EXPECT_GT(octa, 0.0) << "octahedron-like at 1370 degC";
}

TEST(Growth, SymmetricSeedsGrowEqualMasses) {
  const char* text = R"YAML(
cell: {size: ["12 mm", "12 mm", "8 mm"]}
assembly:
  - {name: solvent, shape: box, material: metal, center: ["0 mm", "0 mm", "0 mm"], size: ["12 mm", "12 mm", "8 mm"]}
  - {name: source, shape: box, material: graphite, center: ["0 mm", "0 mm", "3.5 mm"], size: ["12 mm", "12 mm", "1 mm"]}
seeds:
  - {name: a, center: ["-3 mm", "-3 mm", "-3.5 mm"], size: "1 mm"}
  - {name: b, center: ["3 mm", "-3 mm", "-3.5 mm"], size: "1 mm"}
  - {name: c, center: ["-3 mm", "3 mm", "-3.5 mm"], size: "1 mm"}
  - {name: d, center: ["3 mm", "3 mm", "-3.5 mm"], size: "1 mm"}
)YAML";
  core::Config c = core::Config::load_string(text);
  auto assembly = geometry::Assembly::from_config(c.root());
  // 0.5 mm cells: each seed is 2 x 2 x 2 cells (with 1 mm cells it would be a quarter of four).
  auto grid = core::Grid::uniform(24, 24, 16, 12e-3, 12e-3, 8e-3, -6e-3, -6e-3, -4e-3);
  auto map = geometry::paint(assembly, grid);
  growth::GrowthSettings s = settings_at(1650.0);
  growth::CrystalGrowth g(grid, map, assembly, 0, 1, s, 2260.0);
  std::vector<double> T(grid.size());
  for (int k = 0; k < grid.nz; ++k)
    for (int j = 0; j < grid.ny; ++j)
      for (int i = 0; i < grid.nx; ++i) T[grid.index(i, j, k)] = 1650.0 + 5000.0 * grid.zc(k);  // 5 K/mm
  solvers::SolveOptions opts;
  opts.rel_tol = 1e-12;
  for (int step = 0; step < 10; ++step) g.step(T, 6e9, {1632.5, 1632.5, 1632.5, 1632.5}, 3600.0, opts);
  const auto& sd = g.seeds();
  std::cout << "[ growth ] four seeds: " << sd[0].mass << " " << sd[1].mass << " " << sd[2].mass << " " << sd[3].mass << " kg\n";
  EXPECT_GT(sd[0].mass, 1e-3 * 3515e-9);
  for (int i = 1; i < 4; ++i) EXPECT_NEAR(sd[i].mass, sd[0].mass, 1e-9 * sd[0].mass);
}

// A melt above the nucleation supersaturation (a pre-carburised solvent melting, a melt being
// cooled) loses the excess to spontaneous nuclei, not to the crystal; the ledger still closes.
TEST(Growth, CarbonAboveTheNucleationSupersaturationPrecipitates) {
  const double T = 1650.0, p = 6e9;
  auto run = [&](bool sink, double* nucleated, double* deposited, double* worst_ratio) {
    Column col;
    col.temperature(T, 0.0);
    growth::GrowthSettings s = settings_at(T, p);
    s.initial_carbon = 1.2 * s.solubility.diamond(T, p);
    s.nucleation_sink = sink;
    growth::CrystalGrowth g(col.grid, col.map, col.assembly, 0, 1, s, 2260.0);
    solvers::SolveOptions opts;
    opts.rel_tol = 1e-12;
    // The sink acts at the end of a step (an operator split): the second step's deposit shows it.
    g.step(col.T, p, {T}, 600.0, opts);
    g.step(col.T, p, {T}, 600.0, opts);
    *nucleated = g.carbon_nucleated();
    *deposited = g.carbon_deposited();
    *worst_ratio = 0.0;
    for (std::size_t c = 0; c < col.grid.size(); ++c)
      if (col.map.region[c] == 0) *worst_ratio = std::max(*worst_ratio, g.carbon()[c] / s.solubility.diamond(T, p));
    EXPECT_LT(std::abs(g.balance_error()), 1e-9);
  };
  double n1, d1, r1, n0, d0, r0;
  run(true, &n1, &d1, &r1);
  run(false, &n0, &d0, &r0);
  std::cout << "[ growth ] 20 % supersaturated melt, two 10 min steps: nucleated " << n1 * 1e6 << " mg, deposited "
            << d1 * 1e6 << " mg (without the sink: " << d0 * 1e6 << " mg deposited, largest c/c_eq " << r0 << ")\n";
  EXPECT_GT(n1, 0.0);
  EXPECT_LE(r1, 1.05 * (1.0 + 1e-12)) << "no melt cell stays above the nucleation supersaturation";
  EXPECT_EQ(n0, 0.0);
  EXPECT_GT(r0, 1.05);
  EXPECT_LT(d1, d0) << "the excess carbon no longer all goes to the crystal";
}

// Quench growth: cooling a growing column by 100 K in 12 minutes (the old default cycle's
// cool-down rate, 8 K/min). The carbon the bulk melt exsolves above the nucleation
// supersaturation nucleates there; next to the crystal (within its diffusion layer) the melt
// still feeds it, so a slow cool-down grows on the crystal either way: recipes end the hold by
// cutting the power (configs/tgm_lab_small.yaml), which the sink does not replace.
TEST(Growth, CoolingTheMeltSendsTheBulkExcessToNuclei) {
  const double p = 6e9;
  auto quench = [&](bool sink, double* nucleated) {
    Column col;
    growth::GrowthSettings s = settings_at(1650.0, p);
    s.nucleation_sink = sink;
    growth::CrystalGrowth g(col.grid, col.map, col.assembly, 0, 1, s, 2260.0);
    solvers::SolveOptions opts;
    opts.rel_tol = 1e-12;
    col.temperature(1650.0, 20.0);
    for (int k = 0; k < 6; ++k) g.step(col.T, p, {1642.0}, 3600.0, opts);
    const double before = g.seeds()[0].mass;
    for (int k = 1; k <= 6; ++k) {
      col.temperature(1650.0 - 100.0 * k / 6.0, 20.0);
      g.step(col.T, p, {1642.0 - 100.0 * k / 6.0}, 120.0, opts);
    }
    EXPECT_LT(std::abs(g.balance_error()), 1e-9);
    *nucleated = g.carbon_nucleated();
    return g.seeds()[0].mass - before;
  };
  double n1 = 0.0, n0 = 0.0;
  const double with_sink = quench(true, &n1), without_sink = quench(false, &n0);
  std::cout << "[ growth ] cooling 100 K in 12 min: grown " << with_sink * 1e6 << " mg with the nucleation sink ("
            << n1 * 1e6 << " mg nucleated), " << without_sink * 1e6 << " mg without\n";
  EXPECT_GT(n1, 0.0);
  EXPECT_EQ(n0, 0.0);
  EXPECT_LT(with_sink, without_sink);
}

// The source erodes and the crystal grows until it touches it: source_remaining falls, the
// contact bit and the one-off event name the source.
TEST(Growth, ReportsTheSourceLeftAndWhenTheCrystalTouchesIt) {
  Column col;
  col.temperature(1650.0, 50.0);
  growth::GrowthSettings s = settings_at(1650.0);
  s.kinetic_coefficient = 1e-3;
  s.solubility.dc_dT = 2e-3;
  // A source ten times denser than graphite, so that it outlasts the crystal's way up to it.
  growth::CrystalGrowth g(col.grid, col.map, col.assembly, 0, 1, s, 22600.0);
  solvers::SolveOptions opts;
  opts.rel_tol = 1e-10;
  EXPECT_DOUBLE_EQ(g.source_remaining(), 1.0);
  EXPECT_EQ(g.seeds()[0].contact, 0);
  double last = 1.0;
  int events = 0, touched_at = -1;
  for (int step = 0; step < 400 && touched_at < 0; ++step) {
    g.step(col.T, 6e9, {1640.0}, 3600.0, opts);
    EXPECT_LE(g.source_remaining(), last);
    last = g.source_remaining();
    for (int r : g.new_contacts()[0]) {
      ++events;
      EXPECT_EQ(r, 1) << "the only part it can touch is the source";
    }
    if (g.seeds()[0].contact & 1) touched_at = step;
    EXPECT_TRUE(std::isfinite(g.seeds()[0].T_front) || touched_at >= 0);
  }
  std::cout << "[ growth ] crystal touched the source after " << touched_at + 1 << " h, source left " << last << "\n";
  ASSERT_GE(touched_at, 0);
  EXPECT_LT(last, 1.0);
  EXPECT_EQ(events, 1);
  EXPECT_EQ(g.seeds()[0].contact, 1);
}

// Experiments report the deposition rate rising with temperature at a fixed source-seed
// difference (FeNiMnCo, 5.6 GPa, 1250-1340 degC, physics.md 4.1). Constant D and beta give a
// rate nearly independent of T; their Arrhenius laws make it rise.
TEST(Growth, AtAFixedTemperatureDifferenceTheRateRisesWithTemperatureWithArrheniusLaws) {
  const double p = 6.0e9, dT = 20.0;
  const double flat_lo = steady_rate(1600.0, dT, p), flat_hi = steady_rate(1650.0, dT, p);
  const double lo = steady_rate(1600.0, dT, p, nullptr, nullptr, 50e3, 250e3);
  const double hi = steady_rate(1650.0, dT, p, nullptr, nullptr, 50e3, 250e3);
  std::cout << "[ growth ] rate at dT 20 K, 1600 -> 1650 K: x" << flat_hi / flat_lo << " with constant D and beta, x"
            << hi / lo << " with E_D 50 and E_beta 250 kJ/mol\n";
  EXPECT_NEAR(flat_hi / flat_lo, 1.0, 0.1);
  EXPECT_GT(hi / lo, 1.2);
  // The laws themselves: the reference value at the reference temperature, exp(-E/R dT(1/T)).
  growth::GrowthSettings st;
  st.kinetic_activation_energy = 250e3;
  EXPECT_DOUBLE_EQ(st.kinetic_coefficient_at(st.arrhenius_reference_temperature), st.kinetic_coefficient);
  EXPECT_NEAR(st.kinetic_coefficient_at(1573.15) / st.kinetic_coefficient,
              std::exp(-250e3 / 8.314462618 * (1.0 / 1573.15 - 1.0 / 1673.15)), 1e-12);
}

// The observed growth windows are the sourced tables (physics.md 3.2 / 4.3), per seed face; the
// model gives each seed its solvent's window for its face, or the config's, or none.
TEST(ObservedWindow, MorphologyBandsPerSeedFaceFromWangsTable) {
  using geometry::SeedOrientation;
  const auto* t100 = growth::sourced_morphology("fe64ni36", SeedOrientation::face100);
  const auto* t111 = growth::sourced_morphology("fe64ni36", SeedOrientation::face111);
  ASSERT_NE(t100, nullptr);
  ASSERT_NE(t111, nullptr);
  EXPECT_EQ(growth::sourced_morphology("fenimnco", SeedOrientation::face100), nullptr);  // none published
  auto at = [](const growth::MorphologyTable* t, double degC) { return t->code(degC + 273.15); };
  // (100): plate 1206-1215, tower 1216-1260, tower-steeple 1261-1360 degC
  EXPECT_EQ(at(t100, 1206.0), 0.0);
  EXPECT_EQ(at(t100, 1215.0), 0.0);
  EXPECT_EQ(at(t100, 1215.4), 0.0);  // nearer the plate's edge
  EXPECT_EQ(at(t100, 1215.6), 1.0);
  EXPECT_EQ(at(t100, 1240.0), 1.0);
  EXPECT_EQ(at(t100, 1261.0), 2.0);
  EXPECT_EQ(at(t100, 1360.0), 2.0);
  EXPECT_TRUE(std::isnan(at(t100, 1205.0)));
  EXPECT_TRUE(std::isnan(at(t100, 1361.0)));
  // (111): tower 1233-1238, plate 1239-1364 degC
  EXPECT_EQ(at(t111, 1235.0), 1.0);
  EXPECT_EQ(at(t111, 1300.0), 0.0);
  EXPECT_TRUE(std::isnan(at(t111, 1220.0)));
  EXPECT_STREQ(growth::to_string(growth::Morphology::tower_steeple), "tower-steeple");
}

TEST(ObservedWindow, SourcedWindowsPerSolventAndSeedFace) {
  const growth::SolventWindows* w = growth::sourced_windows("fe64ni36");
  ASSERT_NE(w, nullptr);
  // Wang J.-Z. et al.: (100) 1206-1360 degC, (111) 1233-1364 degC at 5.3-5.9 GPa.
  EXPECT_NEAR(w->for_face(geometry::SeedOrientation::face100).lower, 1206 + 273.15, 1e-9);
  EXPECT_NEAR(w->for_face(geometry::SeedOrientation::face100).upper, 1360 + 273.15, 1e-9);
  EXPECT_NEAR(w->for_face(geometry::SeedOrientation::face111).lower, 1233 + 273.15, 1e-9);
  EXPECT_NEAR(w->for_face(geometry::SeedOrientation::face111).upper, 1364 + 273.15, 1e-9);
  EXPECT_EQ(growth::sourced_windows("pyrophyllite"), nullptr);
  const growth::GrowthWindow& g = w->face100;
  EXPECT_NEAR(g.margin(1300 + 273.15), 60.0, 1e-9);   // nearer the upper edge
  EXPECT_NEAR(g.margin(1220 + 273.15), 14.0, 1e-9);   // nearer the lower edge
  EXPECT_NEAR(g.margin(1380 + 273.15), -20.0, 1e-9);  // outside, above
  EXPECT_TRUE(std::isnan(growth::GrowthWindow{}.margin(1500.0)));
}
