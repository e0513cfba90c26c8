// SPDX-License-Identifier: MIT
// Method of manufactured solutions for the elasticity operator (solvers/elasticity.hpp):
// -div sigma(u) = f on a box with smooth variable shear and bulk moduli (so variable E and nu),
// every displacement component prescribed on the faces (u = u_exact there). The Q1 / B-bar
// discretisation with per-cell (cell-centre) moduli must converge at second order in the
// displacement's L2 norm, also with K/mu = 100 (nu ~ 0.495, where a plain Q1 element locks)
// and on a graded grid. Solved by MG-PCG to 1e-11 so the algebraic error is negligible.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/solvers/elasticity.hpp"
#include "../support/benchmark_row.hpp"

namespace hs = hphtsim::solvers;
namespace hc = hphtsim::core;

namespace {

// u_c = sin(k_c . x + phi_c): all derivatives in closed form.
constexpr double kWave[3][3] = {{1.1, 0.7, -0.5}, {-0.6, 1.3, 0.8}, {0.9, -0.4, 1.2}};
constexpr double kPhase[3] = {0.3, -0.2, 0.5};

double arg(int c, const double* x) { return kWave[c][0] * x[0] + kWave[c][1] * x[1] + kWave[c][2] * x[2] + kPhase[c]; }
double u_exact(int c, const double* x) { return std::sin(arg(c, x)); }
double du(int c, int p, const double* x) { return kWave[c][p] * std::cos(arg(c, x)); }
double ddu(int c, int p, int q, const double* x) { return -kWave[c][p] * kWave[c][q] * std::sin(arg(c, x)); }

/// Moduli: mu = mu0 (1 + 0.4 sin(2x + y) cos(z)), K = ratio * mu0 (1 + 0.3 cos(x - 2z) sin(y + 0.4)).
struct Moduli {
  double mu0 = 1.0, ratio = 2.5;
  double mu(const double* x) const { return mu0 * (1.0 + 0.4 * std::sin(2 * x[0] + x[1]) * std::cos(x[2])); }
  void dmu(const double* x, double* g) const {
    g[0] = mu0 * 0.8 * std::cos(2 * x[0] + x[1]) * std::cos(x[2]);
    g[1] = mu0 * 0.4 * std::cos(2 * x[0] + x[1]) * std::cos(x[2]);
    g[2] = -mu0 * 0.4 * std::sin(2 * x[0] + x[1]) * std::sin(x[2]);
  }
  double K(const double* x) const { return ratio * mu0 * (1.0 + 0.3 * std::cos(x[0] - 2 * x[2]) * std::sin(x[1] + 0.4)); }
  void dK(const double* x, double* g) const {
    g[0] = -ratio * mu0 * 0.3 * std::sin(x[0] - 2 * x[2]) * std::sin(x[1] + 0.4);
    g[1] = ratio * mu0 * 0.3 * std::cos(x[0] - 2 * x[2]) * std::cos(x[1] + 0.4);
    g[2] = ratio * mu0 * 0.6 * std::sin(x[0] - 2 * x[2]) * std::sin(x[1] + 0.4);
  }
};

/// f = -div sigma, sigma = lambda theta I + mu (grad u + grad u^T), lambda = K - 2 mu / 3.
std::array<double, 3> body_force(const Moduli& m, const double* x) {
  double gmu[3], gK[3];
  m.dmu(x, gmu);
  m.dK(x, gK);
  const double mu = m.mu(x), lam = m.K(x) - 2.0 * mu / 3.0;
  double glam[3];
  for (int p = 0; p < 3; ++p) glam[p] = gK[p] - 2.0 * gmu[p] / 3.0;
  const double theta = du(0, 0, x) + du(1, 1, x) + du(2, 2, x);
  std::array<double, 3> f{};
  for (int i = 0; i < 3; ++i) {
    double dtheta_i = 0.0;
    for (int j = 0; j < 3; ++j) dtheta_i += ddu(j, i, j, x);
    double s = glam[i] * theta + lam * dtheta_i;
    for (int j = 0; j < 3; ++j) s += gmu[j] * (du(i, j, x) + du(j, i, x)) + mu * (ddu(i, j, j, x) + ddu(j, i, j, x));
    f[std::size_t(i)] = -s;
  }
  return f;
}

struct MmsResult {
  double l2 = 0.0;
  int iterations = 0;
};

MmsResult solve_mms(const hc::Grid& g, const Moduli& mod) {
  hs::ElasticOperator op(g, hs::kClampedFaces);
  std::vector<double> mu(g.size()), kb(g.size());
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const double xc[3] = {g.xc(i), g.yc(j), g.zc(k)};
        mu[g.index(i, j, k)] = mod.mu(xc);
        kb[g.index(i, j, k)] = mod.K(xc);
      }
  op.set_moduli(mu, kb);
  const std::size_t nd = op.num_dofs();
  std::vector<double> f(nd, 0.0), u(nd, 0.0);
  // Load: integral of N_a f over each cell, 3x3x3 Gauss.
  const double gp[3] = {0.5 - 0.5 * std::sqrt(0.6), 0.5, 0.5 + 0.5 * std::sqrt(0.6)};
  const double gw[3] = {5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0};
  auto each_point = [&](int i, int j, int k, const std::function<void(const double*, const double*, double)>& fn) {
    const double h[3] = {g.dx(i), g.dy(j), g.dz(k)};
    for (int c = 0; c < 3; ++c)
      for (int b = 0; b < 3; ++b)
        for (int a = 0; a < 3; ++a) {
          const double xi[3] = {gp[a], gp[b], gp[c]};
          const double x[3] = {g.x[std::size_t(i)] + xi[0] * h[0], g.y[std::size_t(j)] + xi[1] * h[1],
                               g.z[std::size_t(k)] + xi[2] * h[2]};
          fn(x, xi, gw[a] * gw[b] * gw[c] * h[0] * h[1] * h[2]);
        }
  };
  auto shape = [](int a, const double* xi) {
    return ((a & 1) ? xi[0] : 1 - xi[0]) * (((a >> 1) & 1) ? xi[1] : 1 - xi[1]) * (((a >> 2) & 1) ? xi[2] : 1 - xi[2]);
  };
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i)
        each_point(i, j, k, [&](const double* x, const double* xi, double w) {
          const std::array<double, 3> fx = body_force(mod, x);
          for (int a = 0; a < 8; ++a) {
            const double na = shape(a, xi) * w;
            const std::size_t n = op.node(i + (a & 1), j + ((a >> 1) & 1), k + ((a >> 2) & 1));
            for (int c = 0; c < 3; ++c) f[3 * n + std::size_t(c)] += na * fx[std::size_t(c)];
          }
        });
  // Prescribed values on the faces.
  for (int k = 0; k <= g.nz; ++k)
    for (int j = 0; j <= g.ny; ++j)
      for (int i = 0; i <= g.nx; ++i) {
        if (op.fixed_components(i, j, k) == 0) continue;
        const double x[3] = {g.x[std::size_t(i)], g.y[std::size_t(j)], g.z[std::size_t(k)]};
        for (int c = 0; c < 3; ++c) u[3 * op.node(i, j, k) + std::size_t(c)] = u_exact(c, x);
      }
  hs::ElasticityMGPCG mg(op);
  hs::SolveOptions opts;
  opts.rel_tol = 1e-11;
  MmsResult res;
  res.iterations = mg.solve(f, u, opts).iterations;
  // L2 error of the trilinear field, 3x3x3 Gauss.
  double e2 = 0.0;
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i)
        each_point(i, j, k, [&](const double* x, const double* xi, double w) {
          for (int c = 0; c < 3; ++c) {
            double uh = 0.0;
            for (int a = 0; a < 8; ++a)
              uh += shape(a, xi) * u[3 * op.node(i + (a & 1), j + ((a >> 1) & 1), k + ((a >> 2) & 1)) + std::size_t(c)];
            e2 += w * (uh - u_exact(c, x)) * (uh - u_exact(c, x));
          }
        });
  res.l2 = std::sqrt(e2);
  return res;
}

std::vector<double> edges(int n, double L, double grading) {
  std::vector<double> e(std::size_t(n) + 1);
  for (int i = 0; i <= n; ++i) {
    const double s = double(i) / n;
    e[std::size_t(i)] = L * (s + grading * std::sin(M_PI * s) / M_PI);
  }
  return e;
}

void run_study(const char* name, const Moduli& mod, double grading) {
  const int ns[3] = {6, 12, 24};
  double err[3];
  std::printf("MMS elasticity, %s\n   cells      L2 error   order  MG-PCG its\n", name);
  for (int r = 0; r < 3; ++r) {
    const int n = ns[r];
    const hc::Grid g = hc::Grid::from_edges(edges(n, 1.0, grading), edges(n, 0.8, -grading), edges(n, 1.2, grading));
    const MmsResult m = solve_mms(g, mod);
    err[r] = m.l2;
    if (r == 0)
      std::printf("  %3d^3  %12.4e      -   %d\n", n, m.l2, m.iterations);
    else
      std::printf("  %3d^3  %12.4e   %5.3f   %d\n", n, m.l2, std::log2(err[r - 1] / err[r]), m.iterations);
  }
  EXPECT_TRUE(hphtsim::testing::benchmark_row(
      {std::string("MMS elasticity, ") + name, "observed order 12->24", 2.0, std::log2(err[1] / err[2]), 0.1,
       hphtsim::testing::Compare::at_least, "", "manufactured solution, cell-centred FV elasticity (formal order 2)"}));
  EXPECT_GE(std::log2(err[0] / err[1]), 1.8) << name;
}

TEST(ElasticityMms, SecondOrderVariableModuli) { run_study("variable E, nu (K/mu ~ 2.5), uniform grid", Moduli{1.0, 2.5}, 0.0); }

TEST(ElasticityMms, SecondOrderGradedGrid) { run_study("variable E, nu, graded grid", Moduli{1.0, 2.5}, 0.3); }

// K/mu = 100 (nu ~ 0.495): the mean-dilatation treatment keeps second order (no locking).
TEST(ElasticityMms, SecondOrderNearlyIncompressible) {
  run_study("nearly incompressible, K/mu ~ 100 (nu ~ 0.495)", Moduli{1.0, 100.0}, 0.0);
}

}  // namespace
