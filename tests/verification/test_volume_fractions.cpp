// SPDX-License-Identifier: MIT
// Volume fractions (geometry/volume_fractions) and the mixed-cell coefficients built from
// them (materials/mixing, docs/model.md "Mixed cells"): volumes of round parts, the resistance
// of a tube heater against rho L / A, the lines the mixing rule uses, and that rule on a
// laminate.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "hphtsim/materials/mixing.hpp"
#include "hphtsim/simulation/simulation.hpp"
#include "../support/benchmark_row.hpp"

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

TEST(VolumeFractions, LinesAlongTheTubeAxisArePureAndAcrossItMixed) {
  // Every surface here is a round side about z: a line along z stays in one part, so the
  // coefficient along z is the arithmetic mean; across, lines cross the round side and the
  // coefficient lies between the harmonic and the arithmetic mean (Wiener's bounds).
  const auto m = simulation::Model::from_file(tube_config, {"cell.cells=24"});
  int strictly_between = 0;
  for (const auto& cell : m.map.mixed) {
    const std::size_t parts = cell.parts.size();
    std::vector<double> k(parts);
    double arithmetic = 0.0, inverse = 0.0;
    for (std::size_t p = 0; p < parts; ++p) {
      k[p] = p == 0 ? 1.0 : 30.0 * double(p);  // any distinct values
      arithmetic += cell.parts[p].fraction * k[p];
      inverse += cell.parts[p].fraction / k[p];
    }
    for (int d = 0; d < 3; ++d) {
      const auto& lines = cell.lines[std::size_t(d)];
      double wsum = 0.0;
      for (std::size_t l = 0; l < lines.weight.size(); ++l) {
        wsum += lines.weight[l];
        double fsum = 0.0;
        for (std::size_t p = 0; p < parts; ++p) fsum += lines.fraction[l * parts + p];
        EXPECT_NEAR(fsum, 1.0, 1e-5);
      }
      EXPECT_NEAR(wsum, 1.0, 1e-5);
      const double kd = materials::lines_in_parallel(lines.weight.data(), lines.fraction.data(), lines.weight.size(),
                                                     k.data(), parts);
      if (d == 2) {
        EXPECT_NEAR(kd / arithmetic, 1.0, 1e-5) << "cell " << cell.cell;
      } else {
        EXPECT_GE(kd, (1.0 - 1e-5) / inverse) << "cell " << cell.cell;
        EXPECT_LE(kd, (1.0 + 1e-5) * arithmetic) << "cell " << cell.cell;
        strictly_between += kd < 0.99 * arithmetic && kd > 1.01 / inverse;
      }
    }
  }
  EXPECT_GT(strictly_between, 0);  // oblique cells exist, and they are neither bound
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
      EXPECT_TRUE(hphtsim::testing::benchmark_row(
          {"tube heater between two discs, 40^3", "heater resistance (ohm)", expected, R, 5e-3,
           hphtsim::testing::Compare::relative, "ohm", "rho L / (pi (r_o^2 - r_i^2))"}));
    }
  }
}

TEST(VolumeFractions, MixingRuleIsExactForALaminate) {
  // A box face off the grid lines (a uniform grid) splits a layer of cells 30 / 70 along z:
  // series along z, parallel along x and y.
  std::ifstream in(tube_config);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("  cells: 40"), std::string("  cells: 40").size(), "  grid: {cells: 20, conform: false}");
  core::Config cfg = core::Config::load_string(text);
  cfg.apply_override(
      "assembly=[{name: medium, shape: box, material: insulator, center: [\"0 mm\", \"0 mm\", \"0 mm\"], "
      "size: [\"20 mm\", \"20 mm\", \"20 mm\"]}, {name: heater, shape: box, material: tube_conductor, "
      "center: [\"0 mm\", \"0 mm\", \"-4.7 mm\"], size: [\"20 mm\", \"20 mm\", \"10.6 mm\"]}, "
      "{name: lead, shape: box, material: disc_conductor, center: [\"-9.5 mm\", \"-9.5 mm\", \"0 mm\"], "
      "size: [\"1 mm\", \"1 mm\", \"20 mm\"]}]");  // the lead: a current path, on cell edges
  const auto m = simulation::Model::from_config(cfg);
  ASSERT_EQ(m.map.mixed.size(), 399u);  // the plane z = 0.6 mm cuts a layer of 20 x 20 cells, one the lead's
  const double k1 = 1.0, k2 = 10.0;  // heater (below the plane: 60 % of the cell), medium
  for (const auto& cell : m.map.mixed) {
    ASSERT_EQ(cell.parts.size(), 2u);
    std::vector<double> k(2);
    for (std::size_t p = 0; p < 2; ++p) k[p] = cell.parts[p].region == 1 ? k1 : k2;
    const double f1 = cell.parts[0].region == 1 ? cell.parts[0].fraction : cell.parts[1].fraction;
    EXPECT_NEAR(f1, 0.6, 1e-9);
    auto along = [&](int d) {
      const auto& l = cell.lines[std::size_t(d)];
      return materials::lines_in_parallel(l.weight.data(), l.fraction.data(), l.weight.size(), k.data(), 2);
    };
    EXPECT_NEAR(along(0), 0.6 * k1 + 0.4 * k2, 1e-5);
    EXPECT_NEAR(along(1), 0.6 * k1 + 0.4 * k2, 1e-5);
    EXPECT_NEAR(along(2), 1.0 / (0.6 / k1 + 0.4 / k2), 1e-5);
  }
}

TEST(ConcentricShells, RadialConductionThroughRoundInterfacesConvergesAtFirstOrder) {
  // T(centre) - T(ring) for uniform heat q in the tube (r_i < r < r_o, bore adiabatic) and
  // conduction out through the shell (to R) and the ring (to the probe at R_p):
  //   q / (4 k_t) (r_o^2 - r_i^2) - q r_i^2 / (2 k_t) ln(r_o / r_i) + Q' / (2 pi) [ln(R / r_o) / k_s
  //   + ln(R_p / R) / k_r], with Q' = q pi (r_o^2 - r_i^2) the heat per length (measured power / L).
  const std::string cfg = std::string(HPHTSIM_SOURCE_DIR) + "/tests/data/concentric_shells.yaml";
  const double ri = 3.1e-3, ro = 4.3e-3, R = 7.7e-3, Rp = 8.3e-3, kt = 20.0, ks = 2.0, kr = 2000.0, L = 8e-3;
  std::vector<double> error;
  for (int n : {32, 48, 64, 96}) {
    simulation::Simulation sim(
        simulation::Model::from_file(cfg, {"cell.cells=[" + std::to_string(n) + ", " + std::to_string(n) + ", 2]"}));
    sim.solve_steady();
    const auto& d = sim.diagnostics();
    const double Qp = d.electric.joule_total / L, q = Qp / (kPi * (ro * ro - ri * ri));
    const double exact = q / (4 * kt) * (ro * ro - ri * ri) - q * ri * ri / (2 * kt) * std::log(ro / ri) +
                         Qp / (2 * kPi) * (std::log(R / ro) / ks + std::log(Rp / R) / kr);
    const double simulated = d.T_probe[0] - d.T_probe[1];
    error.push_back(simulated / exact - 1.0);
    std::printf("[ shells ] %d x %d: T_centre - T_ring = %.5f K, analytic %.5f K, error %+.3f %%\n", n, n, simulated,
                exact, 100.0 * error.back());
  }
  for (std::size_t i = 1; i < error.size(); ++i) EXPECT_LT(std::abs(error[i]), std::abs(error[i - 1])) << i;
  const double order = std::log(std::abs(error[1] / error[3])) / std::log(2.0);  // 48 -> 96
  std::printf("[ shells ] observed order 48 -> 96: %.2f\n", order);
  namespace ht = hphtsim::testing;
  const char* shells = "concentric shells: tube heater, radial conduction through round interfaces";
  const char* exact_source = "analytic radial conduction through concentric shells";
  EXPECT_TRUE(ht::benchmark_row({shells, "observed order 48->96", 1.0, order, 0.1, ht::Compare::at_least, "",
                                 exact_source}));
  EXPECT_TRUE(ht::benchmark_row({shells, "T_centre - T_ring, relative error at 96^2", 0.0, std::abs(error[3]), 0.015,
                                 ht::Compare::at_most, "", exact_source}));
}
