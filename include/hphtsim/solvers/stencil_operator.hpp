// SPDX-License-Identifier: MIT
// The one linear operator every scalar field of hphtsim (electric potential, temperature,
// carbon) solves with: a cell-centred finite-volume 7-point operator in conductance form
//
//   (A u)_c = diag_c u_c + sum over the 6 faces f of c:  T_f (u_c - u_nb(f))
//
// T_f (W/K, S, ...) is the face transmissibility k_f A_f / d_f; diag_c collects everything that
// is not a flux between two cells: the implicit mass term rho c V / dt, and boundary terms
// (Dirichlet or Robin contributions folded in by the physics). The matrix is symmetric and,
// with diag >= 0 and at least one positive entry per connected region, positive definite.
// Solvers know nothing of diamonds: physics fills these arrays.
#pragma once

#include <cstddef>
#include <vector>

namespace hphtsim::solvers {

struct StencilOperator {
  int nx = 0, ny = 0, nz = 0;
  /// Per cell, contiguous, x fastest (index = i + nx*(j + ny*k)).
  std::vector<double> diag;
  /// tx[c]: transmissibility of the face between c and its +x neighbour; 0 on the last x plane
  /// (likewise ty, tz). Three arrays of one value per cell, as AMReX's face coefficients.
  std::vector<double> tx, ty, tz;

  StencilOperator() = default;
  StencilOperator(int nx_, int ny_, int nz_);  ///< all arrays zero, sized nx*ny*nz
  std::size_t size() const { return std::size_t(nx) * std::size_t(ny) * std::size_t(nz); }
  std::size_t index(int i, int j, int k) const {
    return std::size_t(i) + std::size_t(nx) * (std::size_t(j) + std::size_t(ny) * std::size_t(k));
  }
  /// y = A u (OpenMP parallel over k-planes; u and y must not alias, both of size()).
  void apply(const double* u, double* y) const;
};

}  // namespace hphtsim::solvers
