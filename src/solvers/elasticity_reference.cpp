// SPDX-License-Identifier: MIT
// Eigen reference for the elasticity operator: assembled from the same element matrices, solved
// by a generic sparse library (elasticity_reference.hpp).
#include "hphtsim/solvers/elasticity_reference.hpp"

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/Dense>
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
  using Vec = Eigen::VectorXd;
  const std::size_t n = op.num_dofs();
  HPHTSIM_CHECK(f.size() == n && u.size() == n, "elasticity reference: f and u need " << n << " entries");
  HPHTSIM_CHECK(opts.rel_tol > 0.0 && opts.rel_tol < 1.0, "rel_tol must be in (0, 1), got " << opts.rel_tol);
  SolveStats st;
  const auto t0 = Clock::now();
  // Reference norm: the load with the reactions of the prescribed values (as MG-PCG).
  std::vector<double> up(n, 0.0), r(n), rall(n);
  for (std::size_t d : op.fixed_dofs()) up[d] = u[d];
  op.residual(f.data(), up.data(), rall.data(), true);
  const double ref = Eigen::Map<const Vec>(rall.data(), Eigen::Index(n)).norm();
  if (!std::isfinite(ref)) throw SolverError("elasticity reference: right-hand side is not finite");
  if (ref == 0.0) {  // no load and no prescribed displacement: the solution is u_p itself
    u.swap(up);
    return st;
  }
  const SpMat a = assemble_elasticity(op);
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> ldlt;
  Eigen::ConjugateGradient<SpMat, Eigen::Lower | Eigen::Upper, Eigen::IncompleteCholesky<double>> cg;
  if (method == EigenElasticityMethod::kSimplicialLdlt) {
    ldlt.compute(Eigen::SparseMatrix<double>(a));
    if (ldlt.info() != Eigen::Success) throw SolverError("elasticity reference: LDLT factorisation failed");
  } else {
    cg.compute(a);
    if (cg.info() != Eigen::Success) throw SolverError("elasticity reference: incomplete Cholesky failed");
  }
  const auto t1 = Clock::now();
  st.setup_seconds = std::chrono::duration<double>(t1 - t0).count();
  int it = 0;
  // x = A_e^-1 b for the element part: direct, or CG to a tolerance tight enough for ours.
  // rel: the tolerance relative to ||b||.
  auto solve_elements = [&](const Vec& b, double rel) -> Vec {
    if (method == EigenElasticityMethod::kSimplicialLdlt) return ldlt.solve(b);
    const double bn = b.norm();
    if (bn == 0.0) return Vec::Zero(b.size());
    cg.setTolerance(std::max(rel, 1e-15));
    cg.setMaxIterations(std::max(1, opts.max_iterations - it));
    Vec x = cg.solve(b);
    it += int(cg.iterations());
    return x;
  };
  // Fluid regions: A = A_e + G C G^T, by Woodbury with Y = A_e^-1 G, S = C^-1 + G^T Y.
  const std::vector<FluidRegion>& R = op.fluid_regions();
  const std::size_t nr = R.size();
  std::vector<char> fixed(n, 0);
  for (std::size_t d : op.fixed_dofs()) fixed[d] = 1;
  std::vector<Vec> G(nr, Vec::Zero(Eigen::Index(n))), Y(nr);
  Eigen::MatrixXd S = Eigen::MatrixXd::Zero(Eigen::Index(nr), Eigen::Index(nr));
  for (std::size_t q = 0; q < nr; ++q) {
    for (std::size_t k = 0; k < R[q].dofs.size(); ++k)
      if (!fixed[R[q].dofs[k]]) G[q][Eigen::Index(R[q].dofs[k])] = R[q].g[k];
    Y[q] = solve_elements(G[q], 0.01 * opts.rel_tol);
  }
  for (std::size_t q = 0; q < nr; ++q) {
    S(Eigen::Index(q), Eigen::Index(q)) += R[q].volume / R[q].bulk;
    for (std::size_t s = 0; s < nr; ++s) S(Eigen::Index(q), Eigen::Index(s)) += G[q].dot(Y[s]);
  }
  const Eigen::LDLT<Eigen::MatrixXd> cap(0.5 * (S + S.transpose()));
  auto solve_full = [&](const Vec& b) -> Vec {
    Vec x = solve_elements(b, std::min(0.1, 0.1 * opts.rel_tol * ref / b.norm()));
    if (nr == 0) return x;
    Vec t = Vec::Zero(Eigen::Index(nr));
    for (std::size_t q = 0; q < nr; ++q) t[Eigen::Index(q)] = G[q].dot(x);
    const Vec y = cap.solve(t);
    for (std::size_t q = 0; q < nr; ++q) x -= y[Eigen::Index(q)] * Y[q];
    return x;
  };
  // Iterative refinement on the true residual (op.residual, fluid terms included).
  double rel = 0.0;
  for (int round = 0; round < 8; ++round) {
    op.residual(f.data(), u.data(), r.data());
    const Eigen::Map<const Vec> rv(r.data(), Eigen::Index(n));
    rel = rv.norm() / ref;
    if (!std::isfinite(rel) || rel <= opts.rel_tol || it >= opts.max_iterations) break;
    const Vec w = solve_full(rv);
    Eigen::Map<Vec>(u.data(), Eigen::Index(n)) += w;
  }
  st.iterations = method == EigenElasticityMethod::kSimplicialLdlt ? 1 : it;
  st.rel_residual = rel;
  st.solve_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  if (!(rel <= opts.rel_tol)) {
    std::ostringstream os;
    os << "elasticity reference: not converged (" << it << " CG iterations): relative residual " << rel
       << ", tolerance " << opts.rel_tol;
    throw SolverError(os.str());
  }
  return st;
}

}  // namespace hphtsim::solvers
