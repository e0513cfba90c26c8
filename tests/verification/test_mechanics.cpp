// SPDX-License-Identifier: MIT
// Verification of the cell mechanics (physics/mechanics.hpp) against closed-form answers:
// hydrostatic compression of a homogeneous box between frictionless walls, confined and free
// thermal expansion; against the Eigen reference on a heterogeneous cell (diamond-stiff and
// molten inclusions); mirror symmetry; the hydrostatic pressure of a molten inclusion; the
// superposition p = delta p_unit + p_free and its mean-pressure control.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/grid.hpp"
#include "hphtsim/physics/mechanics.hpp"
#include "hphtsim/solvers/elasticity_reference.hpp"
#include "../support/benchmark_row.hpp"

namespace hp = hphtsim::physics;
namespace hs = hphtsim::solvers;
namespace hc = hphtsim::core;

namespace {

// Pyrophyllite (configs/materials.yaml): E = 60 GPa, nu = 0.25 -> K = 40 GPa, mu = 24 GPa.
constexpr double kE = 60e9, kNu = 0.25, kK = 40e9, kAlpha = 1.5e-5;
constexpr double kL = 32.5e-3;  // cube edge (m)

std::vector<double> graded(int n, double L, double a) {
  std::vector<double> e(std::size_t(n) + 1);
  for (int i = 0; i <= n; ++i) {
    const double s = double(i) / n;
    e[std::size_t(i)] = -0.5 * L + L * (s + a * std::sin(M_PI * s) / M_PI);
  }
  return e;
}

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

TEST(Mechanics, WallCompressionOfAHomogeneousBoxIsHydrostatic) {
  const double delta = 0.1e-3;
  // A cube on a uniform grid, and a box of unequal edges on a graded grid.
  const hc::Grid grids[2] = {hc::Grid::uniform(8, 8, 8, kL, kL, kL, -kL / 2, -kL / 2, -kL / 2),
                             hc::Grid::from_edges(graded(7, 30e-3, 0.3), graded(9, 34e-3, -0.2), graded(6, 28e-3, 0.25))};
  for (const hc::Grid& g : grids) {
    hp::Mechanics mech(g);
    const std::vector<double> E(g.size(), kE), nu(g.size(), kNu);
    std::vector<double> p;
    const hp::MechanicsResult r = mech.solve({&E, &nu, nullptr}, delta, p);
    // Each edge shortens by 2 delta: volumetric strain -2 delta (1/Lx + 1/Ly + 1/Lz), p = -K tr eps.
    const double Lx = g.x.back() - g.x.front(), Ly = g.y.back() - g.y.front(), Lz = g.z.back() - g.z.front();
    const double expected = kK * 2.0 * delta * (1.0 / Lx + 1.0 / Ly + 1.0 / Lz);
    for (double v : p) ASSERT_NEAR(v, expected, 1e-6 * expected);
    EXPECT_NEAR(r.mean_pressure, expected, 1e-6 * expected);
    std::printf("homogeneous compression %dx%dx%d: p = %.6f MPa (expected %.6f), %d iterations\n", g.nx, g.ny, g.nz,
                r.mean_pressure / 1e6, expected / 1e6, r.iterations);
  }
}

TEST(Mechanics, ConfinedHeatingGivesThermalPressure) {
  const hc::Grid g = hc::Grid::uniform(8, 6, 10, kL, 0.8 * kL, 1.1 * kL);
  hp::Mechanics mech(g);
  const double dT = 1000.0, e = 3.0 * kAlpha * dT;
  const std::vector<double> E(g.size(), kE), nu(g.size(), kNu), eig(g.size(), e);
  std::vector<double> p;
  mech.solve({&E, &nu, &eig}, 0.0, p);
  // Zero strain everywhere: sigma = -K e I, p = K e = 3 K alpha dT.
  for (double v : p) ASSERT_NEAR(v, kK * e, 1e-6 * kK * e);
  std::printf("confined heating by %.0f K: p = %.4f GPa (3 K alpha dT = %.4f GPa)\n", dT, p[0] / 1e9, kK * e / 1e9);
}

TEST(Mechanics, FreeThermalExpansionIsStressFree) {
  const hc::Grid g = hc::Grid::uniform(8, 8, 8, kL, kL, kL);
  hp::Mechanics mech(g);
  const double e = 3.0 * kAlpha * 800.0;
  const std::vector<double> E(g.size(), kE), nu(g.size(), kNu), eig(g.size(), e);
  std::vector<double> p;
  const hp::MechanicsResult r = mech.solve_for_mean_pressure({&E, &nu, &eig}, 0.0, {}, p);
  EXPECT_LE(max_abs(p), 1e-8 * kK * e);
  // The walls retreat by e L / 6 (each edge grows by the free strain e/3).
  EXPECT_NEAR(r.delta, -e * kL / 6.0, 1e-9 * e * kL);
}

/// Pyrophyllite cube with a diamond block and a molten block (off-centre), thermal eigenstrain
/// varying along z. The melt (K = 100 GPa, mu = 0.1 GPa) is a fluid region, or with
/// `fluid` false a nearly incompressible solid (nu = 0.4995).
struct Cell {
  hc::Grid g;
  std::vector<double> E, nu, eig;
  std::vector<unsigned char> melt;
  bool fluid = true;
  hp::MechanicsInput input() const { return {&E, &nu, &eig, fluid ? &melt : nullptr}; }
};

Cell heterogeneous_cell(int n, bool fluid = true) {
  Cell c{hc::Grid::uniform(n, n, n, kL, kL, kL, -kL / 2, -kL / 2, -kL / 2), {}, {}, {}, {}, fluid};
  const std::size_t N = c.g.size();
  c.E.assign(N, kE);
  c.nu.assign(N, kNu);
  c.eig.assign(N, 0.0);
  c.melt.assign(N, 0);
  const hp::ElasticModuli m = hp::melt_moduli(100e9);
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double x = c.g.xc(i) / kL, y = c.g.yc(j) / kL, z = c.g.zc(k) / kL;  // in [-0.5, 0.5]
        const std::size_t id = c.g.index(i, j, k);
        c.eig[id] = 3.0 * kAlpha * (600.0 + 400.0 * (0.5 + z));
        if (std::abs(x + 0.15) < 0.12 && std::abs(y) < 0.2 && std::abs(z + 0.05) < 0.15) {  // diamond
          c.E[id] = 1050e9;
          c.nu[id] = 0.1;
        }
        if (std::abs(x - 0.15) < 0.13 && std::abs(y - 0.05) < 0.2 && std::abs(z - 0.05) < 0.17) {  // melt
          c.E[id] = m.youngs_modulus;
          c.nu[id] = m.poisson_ratio;
          c.melt[id] = 1;
        }
      }
  return c;
}

// The pressure field of Mechanics (two MG-PCG parts combined) against the Eigen LDLT solution of
// the combined problem (wall displacement and eigenstrain together).
TEST(Mechanics, AgreesWithEigenReferenceOnAHeterogeneousCell) {
  for (bool fluid : {true, false}) {
    const Cell c = heterogeneous_cell(10, fluid);
    hp::Mechanics mech(c.g);
    hs::SolveOptions opts;
    opts.rel_tol = 1e-12;
    std::vector<double> p;
    const double delta = 0.2e-3;
    const hp::MechanicsResult r = mech.solve(c.input(), delta, p, opts);
    const hs::ElasticOperator& op = mech.op();
    const std::size_t nd = op.num_dofs();
    std::vector<double> f(nd, 0.0), u(nd, 0.0);
    op.add_eigenstrain_load(c.eig.data(), f.data());
    for (int k = 0; k <= c.g.nz; ++k)
      for (int j = 0; j <= c.g.ny; ++j)
        for (int i = 0; i <= c.g.nx; ++i) {
          const std::size_t d = 3 * op.node(i, j, k);
          if (i == 0) u[d] = delta;
          if (i == c.g.nx) u[d] = -delta;
          if (j == 0) u[d + 1] = delta;
          if (j == c.g.ny) u[d + 1] = -delta;
          if (k == 0) u[d + 2] = delta;
          if (k == c.g.nz) u[d + 2] = -delta;
        }
    hs::solve_elasticity_eigen(op, f, u, opts, hs::EigenElasticityMethod::kSimplicialLdlt);
    std::vector<double> pr(c.g.size());
    op.cell_pressure(u.data(), c.eig.data(), pr.data());
    double dmax = 0.0;
    for (std::size_t id = 0; id < c.g.size(); ++id) dmax = std::max(dmax, std::abs(pr[id] - p[id]));
    EXPECT_TRUE(hphtsim::testing::benchmark_row(
        {std::string("elasticity vs Eigen's sparse LDLT, heterogeneous 10^3 cell, melt as ") +
             (fluid ? "fluid region" : "nu = 0.4995 solid"),
         "max |p - p_Eigen| / max |p|", 0.0, dmax / max_abs(p), 1e-8, hphtsim::testing::Compare::at_most, "",
         "the same discrete system solved by Eigen::SimplicialLDLT"}));
    std::vector<double> um;
    mech.displacement(delta, um);
    double num = 0.0, den = 0.0;
    for (std::size_t d = 0; d < nd; ++d) {
      num += (um[d] - u[d]) * (um[d] - u[d]);
      den += u[d] * u[d];
    }
    EXPECT_LT(std::sqrt(num / den), 1e-8);
    std::printf("heterogeneous cell 10^3, melt as %s: max |p - p_Eigen| / max|p| = %.2e, displacement rel. diff "
                "%.2e, %d + %d MG-PCG iterations (unit, free) to 1e-12\n",
                fluid ? "fluid region" : "nu = 0.4995 solid", dmax / max_abs(p), std::sqrt(num / den), r.iterations_unit,
                r.iterations_free);
  }
}

TEST(Mechanics, SymmetricInclusionGivesAMirrorSymmetricPressure) {
  const int n = 14;
  const hc::Grid g = hc::Grid::uniform(n, n, n, kL, kL, kL, -kL / 2, -kL / 2, -kL / 2);
  std::vector<double> E(g.size(), kE), nu(g.size(), kNu), eig(g.size(), 0.0);
  std::vector<unsigned char> fluid(g.size(), 0);
  const hp::ElasticModuli m = hp::melt_moduli(100e9);
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double x = g.xc(i) / kL, y = g.yc(j) / kL, z = g.zc(k) / kL;
        const double r2 = x * x + y * y + 0.6 * z * z;
        const std::size_t id = g.index(i, j, k);
        eig[id] = 0.03 * (1.0 - r2);  // hot centre
        if (r2 < 0.04) {              // molten core
          E[id] = m.youngs_modulus;
          nu[id] = m.poisson_ratio;
          fluid[id] = 1;
        } else if (r2 < 0.09) {  // stiff shell
          E[id] = 1050e9;
          nu[id] = 0.1;
        }
      }
  hp::Mechanics mech(g);
  hs::SolveOptions opts;
  opts.rel_tol = 1e-12;
  std::vector<double> p;
  mech.solve({&E, &nu, &eig, &fluid}, 0.15e-3, p, opts);
  const double scale = max_abs(p);
  double asym = 0.0;
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double v = p[g.index(i, j, k)];
        asym = std::max({asym, std::abs(v - p[g.index(n - 1 - i, j, k)]), std::abs(v - p[g.index(i, n - 1 - j, k)]),
                         std::abs(v - p[g.index(i, j, n - 1 - k)])});
      }
  EXPECT_LT(asym, 1e-9 * scale);
  std::printf("symmetric inclusion 14^3: max mirror asymmetry of p / max|p| = %.2e\n", asym / scale);
}

struct Spread {
  double lo = 1e300, hi = -1e300, mean = 0.0;
  int count = 0;
};
Spread melt_spread(const Cell& c, const std::vector<double>& p) {
  Spread s;
  double sum = 0.0;
  for (std::size_t id = 0; id < c.g.size(); ++id)
    if (c.melt[id]) {
      s.lo = std::min(s.lo, p[id]);
      s.hi = std::max(s.hi, p[id]);
      sum += p[id];
      ++s.count;
    }
  s.mean = sum / s.count;
  return s;
}

// A molten region carries a hydrostatic pressure: as a fluid region exactly one value, here under
// wall compression (set for a mean of 5.5 GPa over the melt) and a thermal gradient, beside a
// diamond block, while the pyrophyllite around it is far from uniform.
TEST(Mechanics, FluidRegionCarriesAUniformPressure) {
  const Cell c = heterogeneous_cell(24);
  hp::Mechanics mech(c.g);
  std::vector<double> p;
  const hp::MechanicsResult r = mech.solve_for_mean_pressure(c.input(), 5.5e9, c.melt, p);
  EXPECT_NEAR(r.mean_pressure, 5.5e9, 1e-9 * 5.5e9);
  const Spread s = melt_spread(c, p);
  EXPECT_LT((s.hi - s.lo) / s.mean, 1e-12);
  double slo = 1e300, shi = -1e300;
  for (std::size_t id = 0; id < c.g.size(); ++id)
    if (!c.melt[id] && c.E[id] == kE) {
      slo = std::min(slo, p[id]);
      shi = std::max(shi, p[id]);
    }
  EXPECT_GT((shi - slo) / s.mean, 0.1);
  std::printf("fluid region (%d cells): p = %.4f GPa in every cell; pyrophyllite p in [%.3f, %.3f] GPa; delta = %.4f mm; "
              "%d + %d iterations\n",
              s.count, s.mean / 1e9, slo / 1e9, shi / 1e9, r.delta * 1e3, r.iterations_unit, r.iterations_free);
}

// The same melt as a nearly incompressible solid (nu = 0.4995, no fluid flag): the mean-dilatation
// element does not lock (no checkerboard), the pressure is uniform to a few %, and the wall
// displacement for the same mean pressure is within 0.5 % of the fluid region's.
TEST(Mechanics, NearlyIncompressibleMeltDoesNotLock) {
  const Cell cf = heterogeneous_cell(20, true), cs = heterogeneous_cell(20, false);
  hp::Mechanics mf(cf.g), ms(cs.g);
  std::vector<double> pf, ps;
  const hp::MechanicsResult rf = mf.solve_for_mean_pressure(cf.input(), 5.5e9, cf.melt, pf);
  const hp::MechanicsResult rs = ms.solve_for_mean_pressure(cs.input(), 5.5e9, cs.melt, ps);
  const Spread s = melt_spread(cs, ps);
  std::printf("nearly incompressible melt (%d cells): p in [%.4f, %.4f] GPa, spread %.2f %% of the mean; delta %.4f mm "
              "(fluid region %.4f mm); %d + %d iterations (fluid region %d + %d)\n",
              s.count, s.lo / 1e9, s.hi / 1e9, 100.0 * (s.hi - s.lo) / s.mean, rs.delta * 1e3, rf.delta * 1e3,
              rs.iterations_unit, rs.iterations_free, rf.iterations_unit, rf.iterations_free);
  EXPECT_LT((s.hi - s.lo) / s.mean, 0.03);
  EXPECT_NEAR(rs.delta, rf.delta, 5e-3 * rf.delta);
}

TEST(Mechanics, SuperpositionWarmStartsAndMeanPressureControl) {
  const Cell c = heterogeneous_cell(10);
  hp::Mechanics mech(c.g);
  std::vector<double> p1, p2, p3;
  const hp::MechanicsInput in = c.input();
  const hp::MechanicsResult r1 = mech.solve(in, 0.1e-3, p1);
  EXPECT_GT(r1.iterations, 0);
  // Same inputs again: both parts are already converged.
  const hp::MechanicsResult r2 = mech.solve(in, 0.3e-3, p2);
  EXPECT_EQ(r2.iterations, 0);
  // Linearity in delta.
  for (std::size_t id = 0; id < p1.size(); ++id)
    ASSERT_NEAR(p2[id] - p1[id], 0.2e-3 * mech.pressure_unit()[id], 1e-9 * max_abs(p2));
  // The delta for a target mean pressure over the melt reproduces it.
  const double d = mech.delta_for_mean_pressure(5e9, c.melt);
  mech.pressure(d, p3);
  EXPECT_NEAR(mech.mean_over(p3, c.melt), 5e9, 1e-6);
  // Cell-centre displacement: sizes and the sign of the compression (x_min side moves in).
  std::vector<double> ux, uy, uz;
  mech.displacement_cells(0.3e-3, ux, uy, uz);
  ASSERT_EQ(ux.size(), c.g.size());
  EXPECT_GT(ux[c.g.index(0, 5, 5)], 0.0);
  EXPECT_LT(ux[c.g.index(9, 5, 5)], 0.0);
}

TEST(Mechanics, RejectsAnIncompressibleOrNegativeModulus) {
  const hc::Grid g = hc::Grid::uniform(2, 2, 2, 1.0, 1.0, 1.0);
  hp::Mechanics mech(g);
  std::vector<double> E(g.size(), kE), nu(g.size(), kNu), p;
  nu[3] = 0.5;
  EXPECT_THROW(mech.solve({&E, &nu, nullptr}, 0.0, p), hphtsim::ConfigError);
  nu[3] = kNu;
  E[1] = -1.0;
  EXPECT_THROW(mech.solve({&E, &nu, nullptr}, 0.0, p), hphtsim::ConfigError);
}

TEST(Mechanics, MeltModuli) {
  const hp::ElasticModuli m = hp::melt_moduli(100e9, 1e-2);
  EXPECT_NEAR(hp::bulk_modulus(m.youngs_modulus, m.poisson_ratio), 100e9, 1e-3);
  EXPECT_NEAR(hp::shear_modulus(m.youngs_modulus, m.poisson_ratio), 1e9, 1e-6);
  EXPECT_NEAR(m.poisson_ratio, 0.495, 1e-3);
  EXPECT_NEAR(hp::melt_moduli(100e9).poisson_ratio, 0.4995, 1e-4);
}

}  // namespace
