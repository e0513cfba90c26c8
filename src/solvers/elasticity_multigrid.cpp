// SPDX-License-Identifier: MIT
// CG preconditioned by one symmetric geometric-multigrid V-cycle for the Q1 / B-bar elasticity
// operator (elasticity.hpp).
//
// The pieces: elasticity_stencil.cpp (transfer maps, assembled stencils, element projections),
// elasticity_hierarchy.cpp (coarse grids, Galerkin operators, coarsest Cholesky; its file
// comment documents the hierarchy), elasticity_smoother.cpp (Chebyshev, Lanczos lambda_max).
// This file holds the fluid-region (Woodbury) correction, the transfers, the V-cycle and the
// PCG loop.
//
// Determinism: node loops gather, element loops run in two plane phases, dot products are
// summed per node plane in plane order: results are bitwise independent of the thread count.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

#include "elasticity_detail.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/solvers/elasticity.hpp"

namespace hphtsim::solvers {

using namespace elasticity_detail;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

/// Fluid regions: W_r = B G_r (G_r without its prescribed dofs), S = C^-1 + G^T W, for the
/// current smoothing degrees (B must be the V-cycle the solve uses).
void ElasticityMGPCG::Impl::prepare_regions() {
  const Level& L0 = levels[0];
  region_degrees = {degree_pre, degree_post};
  const std::vector<FluidRegion>& R = op->fluid_regions();
  const std::size_t nr = R.size(), n = L0.dofs();
  wr.assign(nr, {});
  std::vector<double> gfull(n, 0.0);
  std::vector<char> fixed(n, 0);
  for (std::size_t d : op->fixed_dofs()) fixed[d] = 1;
  for (std::size_t r = 0; r < nr; ++r) {
    std::fill(gfull.begin(), gfull.end(), 0.0);
    for (std::size_t q = 0; q < R[r].dofs.size(); ++q)
      if (!fixed[R[r].dofs[q]]) gfull[R[r].dofs[q]] = R[r].g[q];
    wr[r].assign(n, 0.0);
    vcycle(0, wr[r].data(), gfull.data());
  }
  Eigen::MatrixXd S = Eigen::MatrixXd::Zero(Eigen::Index(nr), Eigen::Index(nr));
  for (std::size_t r = 0; r < nr; ++r) {
    S(Eigen::Index(r), Eigen::Index(r)) += R[r].volume / R[r].bulk;
    for (std::size_t s = 0; s < nr; ++s) S(Eigen::Index(r), Eigen::Index(s)) += region_dot(R[r], wr[s].data(), fixed);
  }
  if (nr > 0) {
    cap.compute(0.5 * (S + S.transpose()));
    if (cap.info() != Eigen::Success) throw SolverError("elasticity multigrid: fluid-region capacitance not SPD");
  }
}

/// G_R . v over the free dofs.
double ElasticityMGPCG::Impl::region_dot(const FluidRegion& R, const double* v, const std::vector<char>& fixed) {
  double s = 0.0;
  for (std::size_t q = 0; q < R.dofs.size(); ++q)
    if (!fixed[R.dofs[q]]) s += R.g[q] * v[R.dofs[q]];
  return s;
}

/// z = M^-1 r: the V-cycle B r, corrected for the fluid regions' rank-one terms (Woodbury).
void ElasticityMGPCG::Impl::precondition(double* z, const double* r) {
  vcycle(0, z, r);
  const std::vector<FluidRegion>& R = op->fluid_regions();
  if (R.empty()) return;
  const std::size_t nr = R.size(), n = levels[0].dofs();
  if (fixed_scratch.size() != n) {
    fixed_scratch.assign(n, 0);
    for (std::size_t d : op->fixed_dofs()) fixed_scratch[d] = 1;
  }
  Eigen::VectorXd t = Eigen::VectorXd::Zero(Eigen::Index(nr));
  for (std::size_t q = 0; q < nr; ++q) t[Eigen::Index(q)] = region_dot(R[q], z, fixed_scratch);
  const Eigen::VectorXd y = cap.solve(t);
  const bool par = levels[0].parallel();
  for (std::size_t q = 0; q < nr; ++q) {
    const double c = y[Eigen::Index(q)];
    const double* w = wr[q].data();
#pragma omp parallel for schedule(static) if (par)
    for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(n); ++i) z[i] -= c * w[i];
  }
}

void ElasticityMGPCG::Impl::restrict_to(std::size_t l) {
  const Level& F = levels[l];
  Level& C = levels[l + 1];
  const double* r = F.r.data();
  double* b = C.b.data();
#pragma omp parallel for schedule(static) if (C.parallel())
  for (int K = 0; K < C.NZ(); ++K)
    for (int J = 0; J < C.NY(); ++J)
      for (int I = 0; I < C.NX(); ++I) {
        double acc[3] = {0.0, 0.0, 0.0};
        for (int ck = F.mz.cs[std::size_t(K)]; ck < F.mz.cs[std::size_t(K) + 1]; ++ck)
          for (int cj = F.my.cs[std::size_t(J)]; cj < F.my.cs[std::size_t(J) + 1]; ++cj) {
            const double wjk = F.my.chw[std::size_t(cj)] * F.mz.chw[std::size_t(ck)];
            for (int ci = F.mx.cs[std::size_t(I)]; ci < F.mx.cs[std::size_t(I) + 1]; ++ci) {
              const double w = wjk * F.mx.chw[std::size_t(ci)];
              const double* src =
                  r + 3 * F.node(F.mx.ch[std::size_t(ci)], F.my.ch[std::size_t(cj)], F.mz.ch[std::size_t(ck)]);
              acc[0] += w * src[0];
              acc[1] += w * src[1];
              acc[2] += w * src[2];
            }
          }
        const std::size_t nc = C.node(I, J, K);
        const unsigned fx = C.fixed[nc];
        for (int c = 0; c < 3; ++c) b[3 * nc + std::size_t(c)] = (fx & (1u << c)) ? 0.0 : acc[c];
      }
}

void ElasticityMGPCG::Impl::prolong_add(std::size_t l, double* x) {
  const Level& F = levels[l];
  const Level& C = levels[l + 1];
  const double* e = C.x.data();
#pragma omp parallel for schedule(static) if (F.parallel())
  for (int k = 0; k < F.NZ(); ++k)
    for (int j = 0; j < F.NY(); ++j)
      for (int i = 0; i < F.NX(); ++i) {
        double acc[3] = {0.0, 0.0, 0.0};
        for_each_parent(F, i, j, k, [&](int I, int J, int K, double wx, double wy, double wz) {
          const double w = wx * wy * wz;
          const double* src = e + 3 * C.node(I, J, K);
          acc[0] += w * src[0];
          acc[1] += w * src[1];
          acc[2] += w * src[2];
        });
        double* dst = x + 3 * F.node(i, j, k);
        const unsigned fx = F.fixed[F.node(i, j, k)];
        for (int c = 0; c < 3; ++c)
          if (!(fx & (1u << c))) dst[c] += acc[c];
      }
}

/// x = V-cycle(b) on level l (x overwritten).
void ElasticityMGPCG::Impl::vcycle(std::size_t l, double* x, const double* b) {
  Level& L = levels[l];
  if (l + 1 == levels.size()) {
    const Eigen::Map<const Eigen::VectorXd> bv(b, Eigen::Index(L.dofs()));
    Eigen::Map<Eigen::VectorXd> xv(x, Eigen::Index(L.dofs()));
    xv = coarse.solve(bv);
    return;
  }
  chebyshev(l, x, b, degree_pre, true);
  restrict_to(l);
  Level& C = levels[l + 1];
  vcycle(l + 1, C.x.data(), C.b.data());
  prolong_add(l, x);
  chebyshev(l, x, b, degree_post, false, false);
}

ElasticityMGPCG::ElasticityMGPCG(const ElasticOperator& op) : impl_(std::make_unique<Impl>(op)) { impl_->refresh(); }
ElasticityMGPCG::~ElasticityMGPCG() = default;
ElasticityMGPCG::ElasticityMGPCG(ElasticityMGPCG&&) noexcept = default;
ElasticityMGPCG& ElasticityMGPCG::operator=(ElasticityMGPCG&&) noexcept = default;

void ElasticityMGPCG::update() { impl_->refresh(); }
int ElasticityMGPCG::levels() const { return int(impl_->levels.size()); }
std::vector<std::size_t> ElasticityMGPCG::level_dofs() const {
  std::vector<std::size_t> out;
  for (const Level& L : impl_->levels) out.push_back(L.dofs());
  return out;
}

SolveStats ElasticityMGPCG::solve(const std::vector<double>& f, std::vector<double>& u, const SolveOptions& opts) {
  Impl& m = *impl_;
  const ElasticOperator& op = *m.op;
  const std::size_t n = op.num_dofs();
  HPHTSIM_CHECK(f.size() == n && u.size() == n, "elasticity solve: f and u need " << n << " entries, got " << f.size()
                                                                                  << " and " << u.size());
  HPHTSIM_CHECK(opts.rel_tol > 0.0 && opts.rel_tol < 1.0, "rel_tol must be in (0, 1), got " << opts.rel_tol);
  HPHTSIM_CHECK(opts.max_iterations >= 1, "max_iterations must be >= 1");
  HPHTSIM_CHECK(opts.pre_smooth >= 1 && opts.post_smooth >= 1, "Chebyshev degrees must be >= 1");
  m.degree_pre = opts.pre_smooth;
  m.degree_post = opts.post_smooth;
  if (!op.fluid_regions().empty() && m.region_degrees != std::make_pair(m.degree_pre, m.degree_post))
    m.prepare_regions();
  const auto t0 = Clock::now();
  SolveStats st;
  const Level& L0 = m.levels[0];
  m.cg_r.resize(n);
  m.cg_z.resize(n);
  m.cg_p.resize(n);
  m.cg_q.resize(n);
  double* r = m.cg_r.data();
  double* z = m.cg_z.data();
  double* p = m.cg_p.data();
  double* q = m.cg_q.data();
  // Reference norm: the load with the reactions of the prescribed values, over all rows.
  {
    std::vector<double> up(n, 0.0);
    for (std::size_t d : op.fixed_dofs()) up[d] = u[d];
    op.residual(f.data(), up.data(), r, true);
  }
  const double ref = std::sqrt(level_dot(L0, r, r));
  if (!std::isfinite(ref)) throw SolverError("elasticity solve: right-hand side is not finite");
  op.residual(f.data(), u.data(), r);
  double rn = std::sqrt(level_dot(L0, r, r));
  st.setup_seconds = 0.0;
  if (ref == 0.0) {  // no load and no prescribed displacement: the solution is u_p itself
    std::vector<double> up(n, 0.0);
    for (std::size_t d : op.fixed_dofs()) up[d] = u[d];
    u.swap(up);
    st.solve_seconds = seconds_since(t0);
    return st;
  }
  if (rn <= opts.rel_tol * ref) {
    st.rel_residual = rn / ref;
    st.solve_seconds = seconds_since(t0);
    return st;
  }
  m.precondition(z, r);
  std::copy(z, z + n, p);
  double rz = level_dot(L0, r, z);
  int it = 0;
  while (true) {
    op.apply(p, q);
    const double pq = level_dot(L0, p, q);
    if (!(pq > 0.0)) {
      std::ostringstream os;
      os << "elasticity MG-PCG: breakdown (p.Ap = " << pq << ") at iteration " << it;
      throw SolverError(os.str());
    }
    const double alpha = rz / pq;
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(n); ++i) {
      u[std::size_t(i)] += alpha * p[i];
      r[i] -= alpha * q[i];
    }
    ++it;
    rn = std::sqrt(level_dot(L0, r, r));
    if (!std::isfinite(rn)) throw SolverError("elasticity MG-PCG: residual is not finite");
    if (rn <= opts.rel_tol * ref) break;
    if (it >= opts.max_iterations) {
      std::ostringstream os;
      os << "elasticity MG-PCG: not converged after " << it << " iterations: relative residual " << rn / ref
         << ", tolerance " << opts.rel_tol;
      throw SolverError(os.str());
    }
    m.precondition(z, r);
    const double rz1 = level_dot(L0, r, z);
    const double beta = rz1 / rz;
    rz = rz1;
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(n); ++i) p[i] = z[i] + beta * p[i];
  }
  st.iterations = it;
  st.rel_residual = rn / ref;
  st.solve_seconds = seconds_since(t0);
  return st;
}

}  // namespace hphtsim::solvers
