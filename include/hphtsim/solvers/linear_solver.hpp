// SPDX-License-Identifier: MIT
// Solvers for StencilOperator systems A x = b: the production geometric-multigrid-preconditioned
// CG (matrix-free, OpenMP) and the Eigen sparse reference (CG + IncompleteCholesky) that tests
// and benchmarks compare it with. Both stop at ||b - A x||_2 <= rel_tol ||b||_2 and throw
// hphtsim::SolverError when they cannot get there within max_iterations.
#pragma once

#include <memory>
#include <vector>

#include "hphtsim/solvers/stencil_operator.hpp"

namespace hphtsim::solvers {

struct SolveOptions {
  double rel_tol = 1e-8;
  int max_iterations = 200;
  /// Iterations to do even when the first guess already meets rel_tol (unless its residual is
  /// exactly zero): a fixed-point loop around the solve then improves the solution every pass
  /// although each pass changes the right-hand side or operator by less than rel_tol.
  int min_iterations = 0;
  int pre_smooth = 2;   ///< red-black Gauss-Seidel sweeps before restriction (V(2,2), as AMReX MLMG)
  int post_smooth = 2;  ///< and after prolongation
};

struct SolveStats {
  int iterations = 0;
  double rel_residual = 0.0;  ///< ||b - A x|| / ||b|| at exit (0 when b == 0)
  double setup_seconds = 0.0;
  double solve_seconds = 0.0;
};

/// CG preconditioned by one symmetric multigrid V-cycle. The hierarchy (coarse operators,
/// work vectors) is built once; `update` refreshes coefficients for a new operator of the same
/// size without allocating. Reductions are summed in a fixed order, so results do not depend
/// on the number of OpenMP threads.
class MultigridPCG {
 public:
  explicit MultigridPCG(const StencilOperator& op);
  ~MultigridPCG();
  MultigridPCG(MultigridPCG&&) noexcept;
  MultigridPCG& operator=(MultigridPCG&&) noexcept;

  /// Re-read coefficients of `op` (same dimensions as the constructor's).
  void update(const StencilOperator& op);
  /// Solve A x = b; x holds the initial guess on entry (size op.size()).
  SolveStats solve(const std::vector<double>& b, std::vector<double>& x, const SolveOptions& opts = {});
  int levels() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Reference: assemble A into an Eigen sparse matrix and solve with
/// ConjugateGradient<SparseMatrix, Lower|Upper, IncompleteCholesky>. Slow; for tests/benchmarks.
SolveStats solve_eigen_cg_ic(const StencilOperator& op, const std::vector<double>& b,
                             std::vector<double>& x, const SolveOptions& opts = {});

}  // namespace hphtsim::solvers
