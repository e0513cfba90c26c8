// SPDX-License-Identifier: MIT
// Volume fractions (geometry/volume_fractions) and the mixed-cell coefficients built from
// them (materials/mixing, docs/model.md "Mixed cells"): volumes of round parts, the resistance
// of a tube heater against rho L / A, and the mixing rule on a laminate.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "hphtsim/materials/mixing.hpp"
#include "hphtsim/simulation/simulation.hpp"

using namespace hphtsim;

namespace {

const std::string tube_config = std::string(HPHTSIM_SOURCE_DIR) + "/tests/data/tube_heater.yaml";
constexpr double kPi = 3.14159265358979323846;

/// Volume of region r: its cells, the mixed ones by their fraction.
double region_volume(const simulation::Model& m, int r) {
  const core::Grid& g = m.grid;
  double v = 0.0;
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        const int mix = m.map.mixed_index[c];
        if (mix < 0) {
          if (m.map.region[c] == r) v += g.volume(i, j, k);
          continue;
        }
        for (const auto& p : m.map.mixed[std::size_t(mix)].parts)
          if (p.region == r) v += p.fraction * g.volume(i, j, k);
      }
  return v;
}

}  // namespace

TEST(VolumeFractions, RoundPartsHaveTheirVolume) {
  const double ro = 6.3e-3, ri = 5.1e-3, h = 12e-3, rd = 7.2e-3, hd = 4e-3;
  for (int n : {16, 24, 40}) {
    const auto m = simulation::Model::from_file(tube_config, {"cell.cells=" + std::to_string(n)});
    ASSERT_FALSE(m.map.mixed.empty());
    const double tube = region_volume(m, m.assembly.find_primitive("heater"));
    const double disc = region_volume(m, m.assembly.find_primitive("top_disc"));
    std::printf("[ fractions ] %d^3: %zu mixed cells, tube volume error %.2e, disc %.2e\n", n, m.map.mixed.size(),
                tube / (kPi * (ro * ro - ri * ri) * h) - 1.0, disc / (kPi * rd * rd * hd) - 1.0);
    EXPECT_NEAR(tube / (kPi * (ro * ro - ri * ri) * h), 1.0, 2e-3) << n;
    EXPECT_NEAR(disc / (kPi * rd * rd * hd), 1.0, 1e-3) << n;
  }
}

TEST(VolumeFractions, MixedCellNormalsPointAcrossTheRoundSide) {
  const auto m = simulation::Model::from_file(tube_config, {"cell.cells=24"});
  for (const auto& cell : m.map.mixed) {
    const std::size_t c = cell.cell;
    const int i = int(c % std::size_t(m.grid.nx)), j = int((c / std::size_t(m.grid.nx)) % std::size_t(m.grid.ny));
    const double x = m.grid.xc(i), y = m.grid.yc(j), r = std::hypot(x, y);
    EXPECT_NEAR(cell.normal[2], 0.0, 1e-12);  // all interfaces here are round sides about z
    EXPECT_GT(std::abs(cell.normal[0] * x + cell.normal[1] * y) / r, 0.85) << "cell " << c;  // radial
  }
}

TEST(VolumeFractions, TubeHeaterResistance) {
  const double rho = 1e-5, L = 12e-3, ro = 6.3e-3, ri = 5.1e-3;
  const double expected = rho * L / (kPi * (ro * ro - ri * ri));
  for (int n : {24, 32, 40, 48}) {
    simulation::Simulation sim(simulation::Model::from_file(tube_config, {"cell.cells=" + std::to_string(n)}));
    const double R = sim.diagnostics().electric.resistance;
    std::printf("[ tube ] %d^3 (%s): R = %.6e ohm, rho L / A = %.6e, error %+.3f %%\n", n,
                sim.model().grid_description.c_str(), R, expected, 100.0 * (R / expected - 1.0));
    if (n == 40) {
      EXPECT_NEAR(R / expected, 1.0, 5e-3);
    }
  }
}

TEST(VolumeFractions, MixingRuleIsExactForALaminate) {
  // Two layers normal to z, 30 % of k = 1 and 70 % of k = 10: series along z, parallel across.
  materials::MixingSum s;
  s.add(0.3, 1.0);
  s.add(0.7, 10.0);
  const auto k = materials::directional(s.result(), {0.0, 0.0, 1.0});
  EXPECT_DOUBLE_EQ(k[0], 0.3 * 1.0 + 0.7 * 10.0);
  EXPECT_DOUBLE_EQ(k[1], 7.3);
  EXPECT_NEAR(k[2], 1.0 / (0.3 / 1.0 + 0.7 / 10.0), 1e-14);
  // An oblique normal at 45 degrees in x-z: the mean of the two along x and z.
  const double h = std::sqrt(0.5);
  const auto o = materials::directional(s.result(), {h, 0.0, h});
  EXPECT_NEAR(o[0], 0.5 * (7.3 + 1.0 / 0.37), 1e-12);
  EXPECT_NEAR(o[1], 7.3, 1e-12);
}
