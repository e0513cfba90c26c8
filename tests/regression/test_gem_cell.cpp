// SPDX-License-Identifier: MIT
// The default gem-growth cell (configs/tgm_default.yaml, issue 12) against the published trends
// of TGM cells, on steady fields at the hold's power: the hottest melt lies at its outer edge
// next to the source and the coldest at the seed, the axial gradient at the seed exceeds the
// radial one, and a taller solvent (the seed further from the heater's middle) lowers the seed
// temperature. The whole cycle's figures are in docs/validation.md (benchmarks/cycle.sh).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "hphtsim/core/sampling.hpp"
#include "hphtsim/simulation/simulation.hpp"

namespace {

using namespace hphtsim;
const std::string source_dir = HPHTSIM_SOURCE_DIR;

// Steady state at the recipe's growth power (1280 W) and oil pressure, at `cells`^3.
std::unique_ptr<simulation::Simulation> steady_gem_cell(int cells, std::vector<std::string> sets = {}) {
  // Strings built by appending: GCC 12 warns falsely (-Wrestrict) on literal + std::string here.
  std::string cells_key = "cell.cells=";
  cells_key += std::to_string(cells);
  sets.insert(sets.end(), {cells_key, "pressure.field=false",
                           "recipe.heater={control: power, start: \"1280 W\", segments: [{hold: \"1 h\"}]}",
                           "recipe.oil_pressure={start: \"95 MPa\", segments: [{hold: \"1 h\"}]}"});
  auto sim = std::make_unique<simulation::Simulation>(
      simulation::Model::from_file(source_dir + "/configs/tgm_default.yaml", sets));
  sim->solve_steady();
  return sim;
}

}  // namespace

TEST(GemCell, HottestMeltByTheSourceAtTheWallAndColdestAtTheSeed) {
  auto run = steady_gem_cell(40);
  simulation::Simulation& sim = *run;
  const simulation::Model& m = sim.model();
  const core::Grid& g = m.grid;
  const auto& T = sim.field("T");
  // Melt cells: the solvent region of the painted map (no crystal has grown yet).
  std::size_t hot = 0, cold = 0;
  bool any = false;
  for (std::size_t c = 0; c < g.size(); ++c) {
    if (m.map.region[c] != m.solvent_region) continue;
    if (!any || T[c] > T[hot]) hot = c;
    if (!any || T[c] < T[cold]) cold = c;
    any = true;
  }
  ASSERT_TRUE(any);
  auto centre = [&](std::size_t c) {
    const int i = int(c % std::size_t(g.nx)), j = int((c / std::size_t(g.nx)) % std::size_t(g.ny)),
              k = int(c / (std::size_t(g.nx) * std::size_t(g.ny)));
    return std::array<double, 3>{g.xc(i), g.yc(j), g.zc(k)};
  };
  const auto h = centre(hot), l = centre(cold);
  const auto& seed = m.assembly.seeds[0].center;
  const double r_hot = std::hypot(h[0], h[1]);
  const double d_cold = std::sqrt(std::pow(l[0] - seed[0], 2) + std::pow(l[1] - seed[1], 2) + std::pow(l[2] - seed[2], 2));
  // The dT at the seed along z and along x, by probes 0.5 mm either side.
  auto at = [&](double x, double y, double z) { return core::probe_value(g, T, {x, y, z}); };
  const double dz = 0.5e-3;
  const double grad_z = (at(seed[0], seed[1], seed[2] + 0.5e-3 + dz) - at(seed[0], seed[1], seed[2] + 0.5e-3 - dz)) / (2 * dz);
  const double grad_r = (at(seed[0] + 2 * dz, seed[1], seed[2] + 0.5e-3) - at(seed[0], seed[1], seed[2] + 0.5e-3)) / (2 * dz);
  std::cout << "[ gem cell ] steady 1280 W: hottest melt " << T[hot] - 273.15 << " degC at r " << r_hot * 1e3 << " mm, z "
            << h[2] * 1e3 << " mm; coldest " << T[cold] - 273.15 << " degC " << d_cold * 1e3
            << " mm from the seed (z " << l[2] * 1e3 << " mm); at the seed dT/dz " << grad_z * 1e-3 << " K/mm, dT/dr " << grad_r * 1e-3 << " K/mm\n";
  EXPECT_GT(r_hot, 6e-3) << "at the outer edge of the melt (bore radius 9 mm)";
  EXPECT_GT(h[2], -1.5e-3) << "in the top of the melt, next to the source (its face at z = 1 mm)";
  // The bottom of the melt is radially flat (dT/dr ~0.05 K/mm): the coldest melt lies on the
  // seed bed, and the melt on the seed's top face is within 1 K of it.
  const double T_on_seed = at(seed[0], seed[1], seed[2] + 0.5e-3 + 0.3e-3);
  EXPECT_LT(l[2], seed[2] + 0.5e-3 + 1.5e-3) << "the coldest melt is at the bottom, on the seed bed";
  EXPECT_LT(T_on_seed, T[cold] + 1.0) << "the melt on the seed is as cold as the melt gets";
  EXPECT_GT(std::abs(grad_z), std::abs(grad_r));
  EXPECT_GT(grad_z, 0.0) << "hotter above the seed (towards the source)";
  // The series a grower reads (dTdz_seed, dTdr_seed) are these gradients: the same central
  // difference over the seed's half edge (0.5 mm) along z; along r the mean of four points one
  // edge (1 mm) off the axis, which on this cell's axis equals the one-sided +x difference.
  const auto& d = sim.diagnostics();
  ASSERT_EQ(d.dTdz_seed.size(), 1u);
  EXPECT_NEAR(d.dTdz_seed[0], grad_z, 1e-9 * std::abs(grad_z));
  EXPECT_NEAR(d.dTdr_seed[0], grad_r, 0.02e3) << "K/m: within 0.02 K/mm";
  // Plain Picard needed 100-300 passes for this steady state; Anderson mixing (electrothermal.cpp).
  std::cout << "[ gem cell ] steady state in " << sim.diagnostics().coupling_iterations << " coupling passes\n";
  EXPECT_LT(sim.diagnostics().coupling_iterations, 40);
}

TEST(GemCell, ATallerSolventLowersTheSeedTemperature) {
  // 9 mm (default) and 11 mm of solvent, the seed bed and seed moved down by the 2 mm.
  auto T_seed = [&](double extra_mm) {
    auto key = [](const char* k, const std::string& v) {
      std::string s = k;
      s += v;
      return s;
    };
    auto mm = [](double v) {
      std::string s = "\"";
      s += std::to_string(v);
      s += " mm\"";
      return s;
    };
    auto on_axis = [&](double z) {
      std::string s = "[\"0 mm\", \"0 mm\", ";
      s += mm(z);
      s += "]";
      return s;
    };
    auto sim = steady_gem_cell(32, {key("assembly.6.height=", mm(9.0 + extra_mm)),
                                    key("assembly.6.center=", on_axis(-3.5 - extra_mm / 2)),
                                    key("assembly.5.center=", on_axis(-9.0 - extra_mm)),
                                    key("seeds.0.center=", on_axis(-8.5 - extra_mm))});
    return sim->diagnostics().T_seed[0];
  };
  const double t9 = T_seed(0.0), t11 = T_seed(2.0);
  std::cout << "[ gem cell ] seed at 1280 W: " << t9 - 273.15 << " degC under 9 mm of solvent, " << t11 - 273.15
            << " degC under 11 mm\n";
  EXPECT_LT(t11, t9 - 5.0);
}
