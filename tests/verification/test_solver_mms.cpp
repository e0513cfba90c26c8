// SPDX-License-Identifier: MIT
// Method of manufactured solutions for the conduction operator the solvers are built for:
// -div(k grad u) = f on the unit cube with a smooth variable k, cell-centred finite volumes with
// harmonic-mean face conductivities and Dirichlet u_exact folded into diag and rhs through the
// ghost-less boundary transmissibility k_c A / (d/2) (model_problems.hpp). Solved by MG-PCG to
// 1e-12 so the algebraic error is far below the discretisation error; the volume-weighted RMS
// error must fall at second order on uniform and on smoothly graded grids.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "hphtsim/solvers/linear_solver.hpp"
#include "hphtsim/solvers/model_problems.hpp"
#include "../support/benchmark_row.hpp"

namespace hs = hphtsim::solvers;

namespace {

// u = cos(x + 0.3) sin(2y + 0.5) e^z (not zero on the boundary, so the Dirichlet folding is
// exercised); k = 1 + 0.5 sin(3x) sin(2y) sin(4z) in [0.5, 1.5].
double u_exact(double x, double y, double z) {
  return std::cos(x + 0.3) * std::sin(2.0 * y + 0.5) * std::exp(z);
}
double k_exact(double x, double y, double z) {
  return 1.0 + 0.5 * std::sin(3.0 * x) * std::sin(2.0 * y) * std::sin(4.0 * z);
}
/// f = -div(k grad u) = -(grad k . grad u + k lap u), with lap u = -4 u.
double f_exact(double x, double y, double z) {
  const double c = std::cos(x + 0.3), s = std::sin(2.0 * y + 0.5), e = std::exp(z);
  const double ux = -std::sin(x + 0.3) * s * e, uy = 2.0 * c * std::cos(2.0 * y + 0.5) * e,
               uz = c * s * e;
  const double lap = -4.0 * c * s * e;
  const double kx = 1.5 * std::cos(3.0 * x) * std::sin(2.0 * y) * std::sin(4.0 * z);
  const double ky = std::sin(3.0 * x) * std::cos(2.0 * y) * std::sin(4.0 * z);
  const double kz = 2.0 * std::sin(3.0 * x) * std::sin(2.0 * y) * std::cos(4.0 * z);
  return -(kx * ux + ky * uy + kz * uz + k_exact(x, y, z) * lap);
}

struct MmsResult {
  double l2_error = 0.0;
  int iterations = 0;
};

MmsResult solve_mms(const std::vector<double>& xe, const std::vector<double>& ye,
                    const std::vector<double>& ze) {
  const int nx = int(xe.size()) - 1, ny = int(ye.size()) - 1, nz = int(ze.size()) - 1;
  auto xc = [&](int i) { return 0.5 * (xe[i] + xe[i + 1]); };
  auto yc = [&](int j) { return 0.5 * (ye[j] + ye[j + 1]); };
  auto zc = [&](int k) { return 0.5 * (ze[k] + ze[k + 1]); };
  std::vector<double> b(std::size_t(nx) * ny * nz, 0.0);
  const hs::StencilOperator op = hs::model::assemble_diffusion(
      xe, ye, ze, [&](int i, int j, int k) { return k_exact(xc(i), yc(j), zc(k)); },
      [&](std::size_t c, hs::model::Side, double tb, double px, double py, double pz) {
        b[c] += tb * u_exact(px, py, pz);  // Dirichlet: T_b g into the rhs, T_b into diag
        return tb;
      });
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const double vol = (xe[i + 1] - xe[i]) * (ye[j + 1] - ye[j]) * (ze[k + 1] - ze[k]);
        b[op.index(i, j, k)] += f_exact(xc(i), yc(j), zc(k)) * vol;  // integrated source
      }
  hs::MultigridPCG mg(op);
  std::vector<double> u(op.size(), 0.0);
  hs::SolveOptions opts;
  opts.rel_tol = 1e-12;
  const auto st = mg.solve(b, u, opts);
  double err2 = 0.0, vol_sum = 0.0;
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const double vol = (xe[i + 1] - xe[i]) * (ye[j + 1] - ye[j]) * (ze[k + 1] - ze[k]);
        const double d = u[op.index(i, j, k)] - u_exact(xc(i), yc(j), zc(k));
        err2 += d * d * vol;
        vol_sum += vol;
      }
  return {std::sqrt(err2 / vol_sum), st.iterations};
}

template <class EdgesFn>
void check_second_order(const char* name, EdgesFn&& edges) {
  const int sizes[3] = {12, 24, 48};
  MmsResult res[3];
  for (int s = 0; s < 3; ++s) res[s] = solve_mms(edges(sizes[s], 0), edges(sizes[s], 1), edges(sizes[s], 2));
  std::cout << "[ mms  ] " << name << "\n[ mms  ]     N    L2 error     order  MG-PCG its\n";
  for (int s = 0; s < 3; ++s) {
    char line[128];
    const double order = s == 0 ? 0.0 : std::log2(res[s - 1].l2_error / res[s].l2_error);
    std::snprintf(line, sizeof line, "[ mms  ] %5d  %10.4e  %6s  %d\n", sizes[s], res[s].l2_error,
                  s == 0 ? "-" : std::to_string(order).substr(0, 5).c_str(), res[s].iterations);
    std::cout << line;
    ::testing::Test::RecordProperty(std::string("l2_error_") + std::to_string(sizes[s]),
                                    std::to_string(res[s].l2_error));
    if (s > 0) {
      ::testing::Test::RecordProperty(std::string("order_") + std::to_string(sizes[s]),
                                      std::to_string(order));
      EXPECT_GE(order, 1.9) << name << ", refinement " << sizes[s - 1] << " -> " << sizes[s];
    }
  }
  EXPECT_TRUE(hphtsim::testing::benchmark_row(
      {std::string("MMS scalar diffusion, ") + name, "observed order 24->48", 2.0,
       std::log2(res[1].l2_error / res[2].l2_error), 0.1, hphtsim::testing::Compare::at_least, "",
       "manufactured solution, cell-centred FV (formal order 2)"}));
}

}  // namespace

TEST(SolverMms, SecondOrderOnUniformGrid) {
  check_second_order("uniform grid", [](int n, int) { return hs::model::uniform_edges(n); });
}

// Smoothly stretched spacing (ratio (1+a)/(1-a) = 1.9 in x, 1.5 in y, 2.3 in z), refined by
// halving every cell: the truncation error is only first order on such grids, but the
// cell-centred scheme is supraconvergent, so the error itself stays second order.
TEST(SolverMms, SecondOrderOnGradedGrid) {
  check_second_order("graded grid", [](int n, int axis) {
    const double a[3] = {0.3, -0.2, 0.4};
    return hs::model::graded_edges(n, a[axis]);
  });
}
