// SPDX-License-Identifier: MIT
// Cell-centred finite-volume assembly of -div(k grad u) (+ optional mass term) into a
// StencilOperator on a (possibly graded) Cartesian grid given by its cell edges. Used by the
// solver tests, the MMS verification and the benchmarks; it is also the worked example of how
// physics code should fill a StencilOperator:
//
//   interior face:  T_f = A_f / (d_- / k_- + d_+ / k_+)   (harmonic mean; d_+- = centre-to-face)
//   boundary face:  T_b = k_c A_f / (d_c / 2)              (no ghost cell; centre-to-face distance)
//     Dirichlet u = g on the face: add T_b to diag_c and T_b * g to rhs_c;
//     zero-flux (Neumann 0):      add nothing.
//
// The rhs is integrated over the cell (f * volume), because A is in conductance form.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "hphtsim/solvers/stencil_operator.hpp"

namespace hphtsim::solvers::model {

/// Which of the six domain faces a boundary face lies on.
enum class Side { XMin, XMax, YMin, YMax, ZMin, ZMax };

/// Assemble the conduction part of the operator.
///  edges x/y/z: nx+1, ny+1, nz+1 strictly increasing cell edges.
///  k(i, j, k): cell conductivity (> 0).
///  boundary(cell, side, T_b, px, py, pz): called once per boundary face with the face-centre
///    coordinates; returns what to add to diag (T_b for Dirichlet, after adding T_b * g to the
///    caller's rhs; 0 for zero flux).
template <class KFn, class BoundaryFn>
StencilOperator assemble_diffusion(const std::vector<double>& xe, const std::vector<double>& ye,
                                   const std::vector<double>& ze, KFn&& kcell,
                                   BoundaryFn&& boundary) {
  const int nx = int(xe.size()) - 1, ny = int(ye.size()) - 1, nz = int(ze.size()) - 1;
  StencilOperator op(nx, ny, nz);
  for (int k = 0; k < nz; ++k) {
    const double dz = ze[k + 1] - ze[k], zc = 0.5 * (ze[k] + ze[k + 1]);
    for (int j = 0; j < ny; ++j) {
      const double dy = ye[j + 1] - ye[j], yc = 0.5 * (ye[j] + ye[j + 1]);
      for (int i = 0; i < nx; ++i) {
        const double dx = xe[i + 1] - xe[i], xc = 0.5 * (xe[i] + xe[i + 1]);
        const std::size_t c = op.index(i, j, k);
        const double kc = kcell(i, j, k);
        if (i + 1 < nx) {
          const double dxp = xe[i + 2] - xe[i + 1];
          op.tx[c] = dy * dz / (0.5 * dx / kc + 0.5 * dxp / kcell(i + 1, j, k));
        }
        if (j + 1 < ny) {
          const double dyp = ye[j + 2] - ye[j + 1];
          op.ty[c] = dx * dz / (0.5 * dy / kc + 0.5 * dyp / kcell(i, j + 1, k));
        }
        if (k + 1 < nz) {
          const double dzp = ze[k + 2] - ze[k + 1];
          op.tz[c] = dx * dy / (0.5 * dz / kc + 0.5 * dzp / kcell(i, j, k + 1));
        }
        double& d = op.diag[c];
        if (i == 0) d += boundary(c, Side::XMin, kc * dy * dz / (0.5 * dx), xe[0], yc, zc);
        if (i == nx - 1) d += boundary(c, Side::XMax, kc * dy * dz / (0.5 * dx), xe[nx], yc, zc);
        if (j == 0) d += boundary(c, Side::YMin, kc * dx * dz / (0.5 * dy), xc, ye[0], zc);
        if (j == ny - 1) d += boundary(c, Side::YMax, kc * dx * dz / (0.5 * dy), xc, ye[ny], zc);
        if (k == 0) d += boundary(c, Side::ZMin, kc * dx * dy / (0.5 * dz), xc, yc, ze[0]);
        if (k == nz - 1) d += boundary(c, Side::ZMax, kc * dx * dy / (0.5 * dz), xc, yc, ze[nz]);
      }
    }
  }
  return op;
}

/// n+1 edges of a uniform grid on [0, len].
inline std::vector<double> uniform_edges(int n, double len = 1.0) {
  std::vector<double> e(std::size_t(n) + 1);
  for (int i = 0; i <= n; ++i) e[std::size_t(i)] = len * double(i) / double(n);
  return e;
}

/// n+1 edges on [0, 1] from the smooth map s -> s + a sin(2 pi s) / (2 pi) (|a| < 1): spacing
/// varies smoothly by a factor (1+a)/(1-a), which keeps the cell-centred scheme second order.
inline std::vector<double> graded_edges(int n, double a) {
  constexpr double two_pi = 6.283185307179586476925286766559;
  std::vector<double> e(std::size_t(n) + 1);
  for (int i = 0; i <= n; ++i) {
    const double s = double(i) / double(n);
    e[std::size_t(i)] = s + a * std::sin(two_pi * s) / two_pi;
  }
  e[0] = 0.0;
  e[std::size_t(n)] = 1.0;
  return e;
}

/// The benchmark problem: unit cube of n^3 cells, k = k_jump in the centred block
/// [0.25, 0.75)^3 and 1 elsewhere (graphite in pyrophyllite), u = 0 on every face.
/// rhs (size n^3, integrated) is filled with 1 * cell volume.
inline StencilOperator jump_problem(int nx, int ny, int nz, double k_jump,
                                    std::vector<double>* rhs = nullptr) {
  const auto xe = uniform_edges(nx), ye = uniform_edges(ny), ze = uniform_edges(nz);
  auto inside = [](double s) { return s >= 0.25 && s < 0.75; };
  auto kfn = [&](int i, int j, int k) {
    const double xc = 0.5 * (xe[i] + xe[i + 1]), yc = 0.5 * (ye[j] + ye[j + 1]),
                 zc = 0.5 * (ze[k] + ze[k + 1]);
    return inside(xc) && inside(yc) && inside(zc) ? k_jump : 1.0;
  };
  StencilOperator op = assemble_diffusion(
      xe, ye, ze, kfn, [](std::size_t, Side, double tb, double, double, double) { return tb; });
  if (rhs != nullptr) {
    rhs->assign(op.size(), 1.0 / (double(nx) * double(ny) * double(nz)));
  }
  return op;
}

}  // namespace hphtsim::solvers::model
