// SPDX-License-Identifier: MIT
// Buoyant convection of a side-heated melt (physics/melt_convection.hpp): the correlations'
// values and branches, and the melt's Rayleigh number measured from a field whose horizontal
// temperature difference, radius and height are known.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/physics/melt_convection.hpp"

using namespace hphtsim;

TEST(MeltConvection, SideHeatedCorrelationsByAspectRatioAndDiffusionBelowOnset) {
  const double Sc = 700.0, f = Sc / (0.2 + Sc);
  // 1 <= H/L <= 2 (Catton 1978, Incropera eq. 9.50) and below it the same law.
  EXPECT_NEAR(physics::side_heated_sherwood(1e7, Sc, 1.5), 0.18 * std::pow(f * 1e7, 0.29), 1e-12);
  EXPECT_NEAR(physics::side_heated_sherwood(1e7, Sc, 0.5), 0.18 * std::pow(f * 1e7, 0.29), 1e-12);
  // 2 < H/L <= 10 (eq. 9.49), with the aspect-ratio factor.
  EXPECT_NEAR(physics::side_heated_sherwood(1e7, Sc, 4.0), 0.22 * std::pow(f * 1e7, 0.28) * std::pow(4.0, -0.25), 1e-12);
  // The published laws do not quite meet at H/L = 2: about 12 % apart at Ra = 1e7.
  const double below = physics::side_heated_sherwood(1e7, Sc, 2.0), above = physics::side_heated_sherwood(1e7, Sc, 2.0001);
  EXPECT_NEAR(above / below, 1.0, 0.15);
  // Below the onset: diffusion, never less than 1.
  EXPECT_DOUBLE_EQ(physics::side_heated_sherwood(10.0, Sc, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(physics::side_heated_sherwood(0.0, Sc, 1.0), 1.0);
}

namespace {
// A melt cylinder of radius R and height H on the axis of a box, T = T0 + G r.
struct Cylinder {
  core::Grid g;
  std::vector<unsigned char> melt;
  std::vector<double> T;
};
Cylinder cylinder(int n, double R, double H, double G) {
  Cylinder c;
  c.g = core::Grid::uniform(n, n, n, 2.4 * R, 2.4 * R, 2.0 * H, -1.2 * R, -1.2 * R, -H);
  c.melt.assign(c.g.size(), 0);
  c.T.assign(c.g.size(), 1600.0);
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double r = std::hypot(c.g.xc(i), c.g.yc(j)), z = c.g.zc(k);
        const std::size_t id = c.g.index(i, j, k);
        if (r < R && std::abs(z) < 0.5 * H) c.melt[id] = 1;
        c.T[id] = 1600.0 + G * r;
      }
  return c;
}
}  // namespace

TEST(MeltConvection, RayleighNumberFromTheMeltsHorizontalDifferenceRadiusAndHeight) {
  const double R = 9e-3, H = 9e-3, G = 1000.0;  // 1 K/mm: 9 K from the axis to the wall
  const physics::MeltConvectionSettings s;     // 5 mPa s, 1.2e-4 1/K
  const double rho = 7300.0, D = 1e-9;
  const Cylinder c = cylinder(60, R, H, G);
  const physics::MeltConvection m = physics::melt_convection(c.g, c.melt, c.T, rho, D, s);
  const double cell = c.g.dx(0);
  // Measured on cell centres: within two cells of the continuous values.
  EXPECT_NEAR(m.dT_horizontal, G * R, 2.0 * G * cell);
  EXPECT_NEAR(m.radius, R, 2.0 * cell);
  EXPECT_NEAR(m.height, H, 2.0 * c.g.dz(0));
  const double nu = s.viscosity / rho;
  EXPECT_NEAR(m.schmidt, nu / D, 1e-9 * nu / D);
  EXPECT_NEAR(m.rayleigh, s.gravity * s.thermal_expansion * m.dT_horizontal * std::pow(m.radius, 3) / (nu * D),
              1e-9 * m.rayleigh);
  EXPECT_GT(m.rayleigh, 1e6);  // a Fe-Ni melt of this size convects: Sh well above 1
  EXPECT_GT(m.sherwood, 10.0);
  // Twice the horizontal difference: Ra doubles, Sh rises by 2^0.29 (same cells, same law).
  const Cylinder c2 = cylinder(60, R, H, 2.0 * G);
  const physics::MeltConvection m2 = physics::melt_convection(c2.g, c2.melt, c2.T, rho, D, s);
  EXPECT_NEAR(m2.rayleigh / m.rayleigh, 2.0, 1e-9);
  EXPECT_NEAR(m2.sherwood / m.sherwood, std::pow(2.0, 0.29), 1e-9);
  // No melt: no convection.
  const std::vector<unsigned char> none(c.g.size(), 0);
  EXPECT_DOUBLE_EQ(physics::melt_convection(c.g, none, c.T, rho, D, s).sherwood, 1.0);
}
