// SPDX-License-Identifier: MIT
// Reference solver: the StencilOperator assembled into an Eigen sparse matrix and solved with
// CG + IncompleteCholesky. It is what a generic sparse library gives; tests use it as the
// independent answer, benchmarks as the baseline MG-PCG must beat.
#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCore>
#include <chrono>
#include <cmath>
#include <sstream>
#include <vector>

#include "hphtsim/core/error.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::solvers {

SolveStats solve_eigen_cg_ic(const StencilOperator& op, const std::vector<double>& b,
                             std::vector<double>& x, const SolveOptions& opts) {
  using Clock = std::chrono::steady_clock;
  using SpMat = Eigen::SparseMatrix<double, Eigen::RowMajor>;
  const std::size_t n = op.size();
  HPHTSIM_CHECK(n > 0, "empty operator");
  HPHTSIM_CHECK(op.diag.size() == n && op.tx.size() == n && op.ty.size() == n && op.tz.size() == n,
                "StencilOperator arrays must all have nx*ny*nz = " << n << " entries");
  HPHTSIM_CHECK(b.size() == n, "rhs has " << b.size() << " entries, the operator " << n);
  HPHTSIM_CHECK(x.size() == n, "x has " << x.size() << " entries, the operator " << n);
  HPHTSIM_CHECK(opts.rel_tol > 0.0 && opts.rel_tol < 1.0, "rel_tol must be in (0, 1), got " << opts.rel_tol);
  HPHTSIM_CHECK(opts.max_iterations >= 1, "max_iterations must be >= 1, got " << opts.max_iterations);

  SolveStats st;
  const auto t0 = Clock::now();
  // Assemble: diag_c + sum of the present faces' T on the diagonal, -T off it. Faces past the
  // domain are ignored, as in StencilOperator::apply.
  std::vector<Eigen::Triplet<double>> trip;
  trip.reserve(7 * n);
  const int nx = op.nx, ny = op.ny, nz = op.nz;
  std::vector<double> dtot(op.diag);
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const std::size_t c = op.index(i, j, k);
        auto link = [&](std::size_t o, double t) {
          dtot[c] += t;
          dtot[o] += t;
          trip.emplace_back(Eigen::Index(c), Eigen::Index(o), -t);
          trip.emplace_back(Eigen::Index(o), Eigen::Index(c), -t);
        };
        if (i + 1 < nx) link(op.index(i + 1, j, k), op.tx[c]);
        if (j + 1 < ny) link(op.index(i, j + 1, k), op.ty[c]);
        if (k + 1 < nz) link(op.index(i, j, k + 1), op.tz[c]);
      }
  for (std::size_t c = 0; c < n; ++c) trip.emplace_back(Eigen::Index(c), Eigen::Index(c), dtot[c]);
  SpMat a{Eigen::Index(n), Eigen::Index(n)};
  a.setFromTriplets(trip.begin(), trip.end());
  trip = {};

  const Eigen::Map<const Eigen::VectorXd> bv(b.data(), Eigen::Index(n));
  Eigen::Map<Eigen::VectorXd> xv(x.data(), Eigen::Index(n));
  const double bnorm = bv.norm();
  if (!std::isfinite(bnorm)) throw SolverError("solve_eigen_cg_ic: right-hand side is not finite");

  // Natural (grid) ordering rather than IncompleteCholesky's default AMD: on a structured grid
  // it is the stronger baseline (64^3 with the 1000x block: 118 instead of 183 iterations,
  // 0.9 instead of 2.3 s), and its triangular solves stream through memory.
  using Ic = Eigen::IncompleteCholesky<double, Eigen::Lower, Eigen::NaturalOrdering<int>>;
  Eigen::ConjugateGradient<SpMat, Eigen::Lower | Eigen::Upper, Ic> cg;
  cg.setTolerance(opts.rel_tol);
  cg.setMaxIterations(opts.max_iterations);
  cg.compute(a);
  if (cg.info() != Eigen::Success)
    throw SolverError("solve_eigen_cg_ic: incomplete Cholesky factorisation failed");
  const auto t1 = Clock::now();
  st.setup_seconds = std::chrono::duration<double>(t1 - t0).count();

  if (bnorm == 0.0) {
    xv.setZero();
    st.solve_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
    return st;
  }
  // Eigen stops on its recursive residual; the true one can be slightly larger, so restart
  // from the current x until the true residual meets the tolerance or the budget is spent.
  double rel = 0.0;
  int it = 0;
  for (;;) {
    cg.setMaxIterations(opts.max_iterations - it);
    Eigen::VectorXd guess = xv;
    xv = cg.solveWithGuess(bv, guess);
    it += int(cg.iterations());
    rel = (bv - a * xv).norm() / bnorm;
    if (!std::isfinite(rel)) break;
    if (rel <= opts.rel_tol || it >= opts.max_iterations || cg.iterations() == 0) break;
  }
  st.iterations = it;
  st.rel_residual = rel;
  st.solve_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  if (!(rel <= opts.rel_tol)) {
    std::ostringstream os;
    os << "solve_eigen_cg_ic: not converged after " << it << " iterations: relative residual "
       << rel << ", tolerance " << opts.rel_tol;
    throw SolverError(os.str());
  }
  return st;
}

}  // namespace hphtsim::solvers
