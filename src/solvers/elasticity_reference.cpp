// SPDX-License-Identifier: MIT
// Eigen reference for the elasticity operator: assembled from the same element matrices, solved
// by a generic sparse library (elasticity_reference.hpp).
#include "hphtsim/solvers/elasticity_reference.hpp"

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCholesky>
#include <chrono>
#include <cmath>
#include <sstream>
#include <vector>

#include "hphtsim/core/error.hpp"

namespace hphtsim::solvers {

Eigen::SparseMatrix<double, Eigen::RowMajor> assemble_elasticity(const ElasticOperator& op) {
  const std::size_t n = op.num_dofs();
  std::vector<char> fixed(n, 0);
  for (std::size_t d : op.fixed_dofs()) fixed[d] = 1;
  std::vector<Eigen::Triplet<double>> trip;
  trip.reserve(std::size_t(elastic::kDofs * elastic::kDofs) * op.grid().size());
  std::vector<double> ke(std::size_t(elastic::kDofs * elastic::kDofs));
  std::size_t dof[elastic::kDofs];
  for (int k = 0; k < op.nz(); ++k)
    for (int j = 0; j < op.ny(); ++j)
      for (int i = 0; i < op.nx(); ++i) {
        op.element_matrix(i, j, k, ke.data());
        for (int a = 0; a < elastic::kNodes; ++a)
          for (int c = 0; c < 3; ++c)
            dof[3 * a + c] = 3 * op.node(i + (a & 1), j + ((a >> 1) & 1), k + ((a >> 2) & 1)) + std::size_t(c);
        for (int col = 0; col < elastic::kDofs; ++col) {
          if (fixed[dof[col]]) continue;
          for (int r = 0; r < elastic::kDofs; ++r) {
            if (fixed[dof[r]]) continue;
            trip.emplace_back(Eigen::Index(dof[r]), Eigen::Index(dof[col]), ke[std::size_t(col * elastic::kDofs + r)]);
          }
        }
      }
  for (std::size_t d : op.fixed_dofs()) trip.emplace_back(Eigen::Index(d), Eigen::Index(d), 1.0);
  Eigen::SparseMatrix<double, Eigen::RowMajor> a{Eigen::Index(n), Eigen::Index(n)};
  a.setFromTriplets(trip.begin(), trip.end());
  return a;
}

SolveStats solve_elasticity_eigen(const ElasticOperator& op, const std::vector<double>& f, std::vector<double>& u,
                                  const SolveOptions& opts, EigenElasticityMethod method) {
  using Clock = std::chrono::steady_clock;
  using SpMat = Eigen::SparseMatrix<double, Eigen::RowMajor>;
  const std::size_t n = op.num_dofs();
  HPHTSIM_CHECK(f.size() == n && u.size() == n, "elasticity reference: f and u need " << n << " entries");
  HPHTSIM_CHECK(opts.rel_tol > 0.0 && opts.rel_tol < 1.0, "rel_tol must be in (0, 1), got " << opts.rel_tol);
  SolveStats st;
  const auto t0 = Clock::now();
  // Right-hand side of the correction problem A0 w = r(u), and the reference norm.
  std::vector<double> up(n, 0.0), r(n), rall(n);
  for (std::size_t d : op.fixed_dofs()) up[d] = u[d];
  op.residual(f.data(), up.data(), rall.data(), true);
  op.residual(f.data(), u.data(), r.data());
  const Eigen::Map<const Eigen::VectorXd> rallv(rall.data(), Eigen::Index(n));
  const double ref = rallv.norm();
  if (!std::isfinite(ref)) throw SolverError("elasticity reference: right-hand side is not finite");
  const SpMat a = assemble_elasticity(op);
  const Eigen::Map<const Eigen::VectorXd> bv(r.data(), Eigen::Index(n));
  Eigen::Map<Eigen::VectorXd> uv(u.data(), Eigen::Index(n));
  if (ref == 0.0) {
    st.setup_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return st;
  }
  Eigen::VectorXd w = Eigen::VectorXd::Zero(Eigen::Index(n));
  double rel = 0.0;
  if (method == EigenElasticityMethod::kSimplicialLdlt) {
    Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> ldlt;
    ldlt.compute(Eigen::SparseMatrix<double>(a));
    if (ldlt.info() != Eigen::Success) throw SolverError("elasticity reference: LDLT factorisation failed");
    const auto t1 = Clock::now();
    st.setup_seconds = std::chrono::duration<double>(t1 - t0).count();
    w = ldlt.solve(bv);
    rel = (bv - a * w).norm() / ref;
    st.iterations = 1;
    st.solve_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  } else {
    Eigen::ConjugateGradient<SpMat, Eigen::Lower | Eigen::Upper, Eigen::IncompleteCholesky<double>> cg;
    cg.compute(a);
    if (cg.info() != Eigen::Success) throw SolverError("elasticity reference: incomplete Cholesky failed");
    const auto t1 = Clock::now();
    st.setup_seconds = std::chrono::duration<double>(t1 - t0).count();
    // Eigen's tolerance is relative to ||b||; ours to ref. Restart until the true residual
    // meets the tolerance or the budget is spent.
    const double bnorm = bv.norm();
    int it = 0;
    for (;;) {
      cg.setTolerance(std::max(opts.rel_tol * ref / bnorm, 1e-16));
      cg.setMaxIterations(opts.max_iterations - it);
      const Eigen::VectorXd guess = w;
      w = cg.solveWithGuess(bv, guess);
      it += int(cg.iterations());
      rel = (bv - a * w).norm() / ref;
      if (!std::isfinite(rel) || rel <= opts.rel_tol || it >= opts.max_iterations || cg.iterations() == 0) break;
    }
    st.iterations = it;
    st.solve_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
    if (!(rel <= opts.rel_tol)) {
      std::ostringstream os;
      os << "elasticity reference CG: not converged after " << it << " iterations: relative residual " << rel
         << ", tolerance " << opts.rel_tol;
      throw SolverError(os.str());
    }
  }
  uv += w;
  st.rel_residual = rel;
  return st;
}

}  // namespace hphtsim::solvers
