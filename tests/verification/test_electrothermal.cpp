// SPDX-License-Identifier: MIT
// Verification of the coupled electric + thermal model against closed-form solutions and
// conservation, and of the default cell's symmetry and thread independence.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hphtsim/core/config.hpp"
#include "hphtsim/simulation/simulation.hpp"
#include "../support/benchmark_row.hpp"

using namespace hphtsim;

namespace {

const std::string source_dir = HPHTSIM_SOURCE_DIR;

simulation::Model slab_model(int nz) {
  return simulation::Model::from_file(source_dir + "/tests/data/slab.yaml", {"cell.cells=[4, 4, " + std::to_string(nz) + "]"});
}

// Slab parameters of tests/data/slab.yaml.
constexpr double L = 0.020, A = 16e-6, rho_e = 1e-6, V = 0.2, k = 20.0, h = 5e4, T_cool = 300.0;

double slab_max_error(int nz, double* joule_error = nullptr, double* balance = nullptr) {
  simulation::Simulation sim(slab_model(nz));
  sim.solve_steady();
  const auto& d = sim.diagnostics();
  const double R = rho_e * L / A, P = V * V / R, q = P / (A * L);
  EXPECT_NEAR(d.electric.resistance, R, 1e-9 * R);
  EXPECT_NEAR(d.electric.current, V / R, 1e-9 * V / R);
  if (joule_error) *joule_error = std::abs(d.electric.joule_total - P) / P;
  if (balance) *balance = std::abs(d.heat_out - d.electric.joule_total) / d.electric.joule_total;
  const auto& g = sim.model().grid;
  auto& T = sim.field("T");
  auto& qd = sim.field("q");
  double err = 0.0;
  for (int kk = 0; kk < g.nz; ++kk) {
    const double z = g.zc(kk);
    const double exact = T_cool + q * L / (2 * h) + q / (2 * k) * (L * L / 4 - z * z);
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        err = std::max(err, std::abs(T[g.index(i, j, kk)] - exact));
        EXPECT_NEAR(qd[g.index(i, j, kk)], q, 1e-8 * q);  // uniform Joule heat
      }
  }
  return err;
}

}  // namespace

TEST(JouleSlab, MatchesTheAnalyticParabolaAndConservesEnergy) {
  double joule_error = 0, balance = 0;
  const double e1 = slab_max_error(40, &joule_error, &balance);
  const double e2 = slab_max_error(80);
  const double q = V * V / (rho_e * L / A) / (A * L);
  const double rise = q * L / (2 * h) + q * L * L / (8 * k);
  std::cout << "[ slab ] peak rise " << rise << " K, max error " << e1 << " K (40 cells), " << e2
            << " K (80 cells), order " << std::log2(e1 / e2) << ", Joule vs V*I " << joule_error
            << ", steady balance " << balance << "\n";
  namespace ht = hphtsim::testing;
  const char* slab = "Joule slab: 1-D resistive slab with Joule heat and film cooling";
  const char* analytic = "analytic parabola T(z) = T_c + q L / 2h + q (L^2/4 - z^2) / 2k";
  EXPECT_TRUE(ht::benchmark_row({slab, "peak-rise error at 40 cells, relative to the rise", 0.0, e1 / rise, 1e-3,
                                 ht::Compare::at_most, "", analytic}));
  EXPECT_TRUE(ht::benchmark_row({slab, "observed order 40->80", 2.0, std::log2(e1 / e2), 0.1, ht::Compare::at_least,
                                 "", analytic}));
  EXPECT_LT(joule_error, 1e-8);
  EXPECT_TRUE(ht::benchmark_row({slab, "steady energy balance (heat out - Joule heat) / Joule heat", 0.0, balance,
                                 1e-3, ht::Compare::absolute, "", "energy conservation"}));
}

TEST(JouleSlab, TransientStepsConserveEnergy) {
  simulation::Simulation sim(slab_model(40));
  double worst = 0.0;
  for (int s = 0; s < 10; ++s) {
    sim.step(2.0);
    const auto& d = sim.diagnostics();
    EXPECT_GT(d.stored_rate, 0.0);
    worst = std::max(worst, std::abs(d.energy_imbalance));
  }
  std::cout << "[ slab ] worst transient energy imbalance over 10 steps: " << worst << "\n";
  EXPECT_TRUE(hphtsim::testing::benchmark_row(
      {"Joule slab: 1-D resistive slab with Joule heat and film cooling",
       "worst transient energy imbalance over 10 steps (relative)", 0.0, worst, 1e-6,
       hphtsim::testing::Compare::absolute, "", "energy conservation (stored + out = Joule heat)"}));
}

namespace {

simulation::Model default_cell(int n, const std::string& coupling_tolerance = "1e-5 K") {
  return simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml",
                                      {"cell.cells=" + std::to_string(n), "solver.coupling_tolerance=" + coupling_tolerance,
                                       "solver.linear_tolerance=1e-10",
                                       // at temperature from t = 0: the thermocouple setpoint starts at 1445 degC
                                       "recipe.heater.start=1445 degC"});
}

}  // namespace

TEST(DefaultCell, SteadyFieldsAreSymmetricAboutTheAxis) {
  simulation::Simulation sim(default_cell(40));
  sim.solve_steady();
  const auto& g = sim.model().grid;
  for (const char* name : {"T", "phi"}) {
    auto& f = sim.field(name);
    double lo = *std::min_element(f.begin(), f.end()), hi = *std::max_element(f.begin(), f.end());
    double mirror = 0.0, swap = 0.0;
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          double v = f[g.index(i, j, k)];
          mirror = std::max({mirror, std::abs(v - f[g.index(g.nx - 1 - i, j, k)]), std::abs(v - f[g.index(i, g.ny - 1 - j, k)])});
          swap = std::max(swap, std::abs(v - f[g.index(j, i, k)]));
        }
    std::cout << "[ symmetry ] " << name << ": range " << hi - lo << ", mirror " << mirror << ", x<->y " << swap << "\n";
    EXPECT_TRUE(hphtsim::testing::benchmark_row(
        {"symmetry: lab cell steady state at 40^3", std::string("max mirror difference of ") + name + " / its range", 0.0,
         mirror / (hi - lo), 1e-6, hphtsim::testing::Compare::at_most, "", "the cell's mirror symmetry"}));
    EXPECT_LT(swap, 1e-6 * (hi - lo)) << name;
  }
  const auto& d = sim.diagnostics();
  EXPECT_GT(d.T_max, 1500.0);
  EXPECT_GT(d.dT_source_seed[0], 5.0) << "the carbon source is hotter than the seed";
  EXPECT_LT(std::abs(d.heat_out - d.electric.power), 1e-3 * d.electric.power);
  EXPECT_NEAR(d.T_control, 1445.0 + 273.15, 1e-3) << "steady PID puts the thermocouple on its setpoint";
}

TEST(DefaultCell, OneAndTwoThreadsAgree) {
  auto run = [](int threads) {
    omp_set_num_threads(threads);
    simulation::Simulation sim(default_cell(40, "1e-3 K"));
    for (int s = 0; s < 3; ++s) sim.step(5.0);
    return std::make_pair(sim.field("T"), sim.field("phi"));
  };
  const int saved = omp_get_max_threads();
  auto [T1, phi1] = run(1);
  auto [T2, phi2] = run(2);
  omp_set_num_threads(saved);
  double dT = 0.0, dphi = 0.0, Tmax = 0.0, phimax = 0.0;
  for (std::size_t c = 0; c < T1.size(); ++c) {
    dT = std::max(dT, std::abs(T1[c] - T2[c]));
    dphi = std::max(dphi, std::abs(phi1[c] - phi2[c]));
    Tmax = std::max(Tmax, std::abs(T1[c]));
    phimax = std::max(phimax, std::abs(phi1[c]));
  }
  std::cout << "[ threads ] max |T1 - T2| = " << dT << " K, max |phi1 - phi2| = " << dphi << " V\n";
  EXPECT_TRUE(hphtsim::testing::benchmark_row(
      {"thread independence: lab cell at 40^3, 3 steps", "max |T(1 thread) - T(2 threads)| / T_max", 0.0, dT / Tmax,
       1e-12, hphtsim::testing::Compare::at_most, "", "OpenMP reductions in a fixed order"}));
  EXPECT_LE(dphi, 1e-12 * phimax);
}

// A power-controlled steady state near the solvent's melting range: the heater's
// resistivity-temperature feedback stalled the coupling while the electric solve could skip
// passes (0.70 kW at 40^3 did not converge in 50); with at least one electric iteration per
// pass it took about 8 on the uniform grid painted by cell centre. On the conforming grids with
// volume fractions it takes 8-19 passes depending on the budget (32: 8, 40: 19, 44: 14, 48: 12
// at 0.85 kW): the bound guards against the stall, not the exact count.
TEST(DefaultCell, PowerControlledSteadyStatesConvergeInFewCouplingPasses) {
  for (const char* power : {"0.70 kW", "0.85 kW"}) {
    simulation::Simulation sim(simulation::Model::from_file(
        source_dir + "/configs/tgm_lab_small.yaml",
        {"cell.cells=40", "pressure.field=false", std::string("recipe.heater={control: power, start: \"") + power +
                                                      "\", segments: [{hold: \"1 h\"}]}",
         "recipe.oil_pressure={start: \"95 MPa\", segments: [{hold: \"1 h\"}]}"}));
    sim.solve_steady();
    const auto& d = sim.diagnostics();
    std::cout << "[ steady ] " << power << ": " << d.coupling_iterations << " coupling passes, T_max "
              << d.T_max - 273.15 << " degC\n";
    EXPECT_LE(d.coupling_iterations, 25) << power;
    EXPECT_NEAR(d.electric.power, std::stod(power) * 1e3, 1e-6 * 1e3);
    EXPECT_LT(std::abs(d.heat_out - d.electric.power), 1e-3 * d.electric.power);
  }
}

// A separate heat path (anvils.heat_paths) on a 1 mm cap at the top of the slab: the top face
// cools with h2, the bottom with h. Steady 1-D solution of -k T'' = q with Robin ends:
// T = T_c + (-q z'^2 / (2k) + a z' + b), z' = z + L/2, k a = h b, and at z' = L
// -k T' = h2 T, which gives a and b.
TEST(JouleSlab, ASeparateHeatPathCoolsItsEndWithItsOwnCoefficient) {
  const double h2 = 2e4;
  simulation::Model m = simulation::Model::from_config(hphtsim::core::Config::load_string([&] {
    std::ifstream in(source_dir + "/tests/data/slab.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string y = ss.str();
    const std::string anchor = "anvils:\n";
    y.replace(y.find(anchor), anchor.size(),
              "anvils:\n  heat_paths: [{primitive: cap, heat_transfer_coefficient: \"2e4 W/(m^2*K)\"}]\n");
    const std::string bar = "size: [\"4 mm\", \"4 mm\", \"20 mm\"]}\n";
    const auto at = y.rfind(bar);
    y.insert(at + bar.size(),
             "  - {name: cap, shape: box, material: conductor, center: [\"0 mm\", \"0 mm\", \"9.5 mm\"], size: [\"4 mm\", \"4 mm\", \"1 mm\"]}\n");
    return y;
  }()));
  simulation::Simulation sim(std::move(m));
  sim.solve_steady();
  const double R = rho_e * L / A, P = V * V / R, q = P / (A * L);
  // a, b from k a = h b and k (q L / k - a) = h2 (-q L^2 / (2k) + a L + b).
  const double b = (q * L + h2 * q * L * L / (2 * k)) / (h + h2 * (1.0 + h * L / k));
  const double a = h * b / k;
  const auto& g = sim.model().grid;
  const auto& T = sim.field("T");
  double err = 0.0, rise = 0.0;
  for (int kk = 0; kk < g.nz; ++kk) {
    const double zp = g.zc(kk) + L / 2;
    const double exact = T_cool + (-q * zp * zp / (2 * k) + a * zp + b);
    rise = std::max(rise, exact - T_cool);
    err = std::max(err, std::abs(T[g.index(1, 1, kk)] - exact));
  }
  // The heat leaving through the top is h2 A (T_top - T_c): less than half of P as h2 < h.
  std::cout << "[ slab ] heat path h2 = " << h2 << ": peak rise " << rise << " K, max error " << err << " K\n";
  EXPECT_LT(err, 1e-3 * rise);
  EXPECT_NEAR(sim.diagnostics().heat_out, P, 1e-3 * P);
}
