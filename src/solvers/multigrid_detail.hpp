// SPDX-License-Identifier: MIT
// Private to src/solvers (not installed): the scalar multigrid's Level and MultigridPCG::Impl,
// shared by multigrid_hierarchy.cpp (setup) and multigrid_pcg.cpp (V-cycle and PCG loop).
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <array>
#include <chrono>
#include <cstddef>
#include <vector>

#include "hphtsim/solvers/linear_solver.hpp"
#include "hphtsim/solvers/stencil_kernels.hpp"

namespace hphtsim::solvers {
namespace multigrid_detail {

/// Levels smaller than this run on one thread: a parallel region costs more than the work.
inline constexpr std::size_t kParallelMinCells = 32768;

using Clock = std::chrono::steady_clock;
inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Level {
  int nx = 0, ny = 0, nz = 0;
  std::size_t n = 0;
  std::vector<double> diag, tx, ty, tz;
  std::vector<double> inv_dtot;  ///< 1 / (diag + sum of face T): the smoother's diagonal
  std::vector<double> u, f;  ///< correction and rhs (levels >= 1; level 0 uses CG's z and r)
  int rx = 1, ry = 1, rz = 1;  ///< coarsening ratio towards the next level (1 or 2 per axis)
  std::vector<double> row_scratch;     ///< one residual row per fine plane, for restriction
  std::vector<double> plane_restrict;  ///< per fine plane, its residual summed over x/y children
  /// Boundary-like part of diag on each domain side (xmin, xmax, ymin, ymax, zmin, zmax), one
  /// value per cell of that side: see split_boundary_diag.
  std::array<std::vector<double>, 6> bnd;

  Level(int nx_, int ny_, int nz_)
      : nx(nx_), ny(ny_), nz(nz_), n(std::size_t(nx_) * std::size_t(ny_) * std::size_t(nz_)),
        diag(n), tx(n), ty(n), tz(n), inv_dtot(n) {
    for (int side = 0; side < 6; ++side) bnd[std::size_t(side)].assign(side_cells(side), 0.0);
  }
  /// Number of cells on a domain side, and the index of cell (i,j,k) in that side's array.
  std::size_t side_cells(int side) const {
    const int axis = side / 2;
    return axis == 0 ? std::size_t(ny) * std::size_t(nz)
                     : axis == 1 ? std::size_t(nx) * std::size_t(nz) : std::size_t(nx) * std::size_t(ny);
  }
  std::size_t side_index(int side, int i, int j, int k) const {
    const int axis = side / 2;
    return axis == 0 ? std::size_t(j) + std::size_t(ny) * std::size_t(k)
                     : axis == 1 ? std::size_t(i) + std::size_t(nx) * std::size_t(k)
                                 : std::size_t(i) + std::size_t(nx) * std::size_t(j);
  }
  std::size_t plane() const { return std::size_t(nx) * std::size_t(ny); }
  std::size_t idx(int i, int j, int k) const {
    return std::size_t(i) + std::size_t(nx) * (std::size_t(j) + std::size_t(ny) * std::size_t(k));
  }
  kernels::CoefView view() const {
    return kernels::CoefView{diag.data(), tx.data(), ty.data(), tz.data(), std::ptrdiff_t(nx),
                             std::ptrdiff_t(plane())};
  }
  bool parallel() const { return n >= kParallelMinCells; }
};

}  // namespace multigrid_detail

struct MultigridPCG::Impl {
  std::vector<multigrid_detail::Level> levels;
  Eigen::MatrixXd coarse_matrix;   ///< the coarsest operator, dense
  Eigen::LDLT<Eigen::MatrixXd> coarse_ldlt;
  Eigen::MatrixXd coarse_inverse;  ///< symmetrised pseudo-inverse of the coarsest operator
  std::vector<double> r, z, p, q;  ///< PCG work vectors
  std::vector<double> partial;     ///< one partial sum per fine k-plane
  double setup_seconds = 0.0;

  explicit Impl(const StencilOperator& op);
  void set_coefficients(const StencilOperator& op);
  void set_fine(const StencilOperator& op);
  void factor_coarsest();
  /// z = M f on level l (u = output); on level 0 returns f.u (PCG's r.z), else 0.
  double vcycle(std::size_t l, double* u, const double* f, int nu1, int nu2);
  /// p = z + beta p (p = z when restart), q = A p; returns p.q.
  double update_p_apply_dot(double beta, bool restart);

  // Fine-level vector kernels; each returns a deterministic reduction.
  double residual_norm2(const double* x, const double* b, double* res);
  double update_xr(double* x, double* rv, const double* pv, const double* qv, double alpha);
  double dot(const double* a, const double* b);
};

}  // namespace hphtsim::solvers
