// SPDX-License-Identifier: MIT
// The elasticity multigrid's smoother (ElasticityMGPCG, elasticity_multigrid.cpp): Chebyshev in
// D^-1 A with 3x3 block-Jacobi D, and the Lanczos estimate of its lambda_max per level.
//
// Smoother: Chebyshev polynomial of degree m (pre and post alike, opts.pre_smooth/post_smooth)
// in D^-1 A, D the 3x3 nodal diagonal blocks, on [lmax/kChebyRatio, kChebyUpper lmax]; lmax is
// estimated per level by kLanczosSteps steps of block-Jacobi-preconditioned Lanczos (from CG).
// A polynomial smoother needs only A applications (matrix-free on the fine level), its result
// does not depend on an ordering (deterministic under OpenMP), and the V-cycle with the same
// polynomial before and after the coarse correction is symmetric positive definite, as PCG
// requires.
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "elasticity_detail.hpp"

namespace hphtsim::solvers {

using namespace elasticity_detail;

namespace {

constexpr int kLanczosSteps = 8;
constexpr double kChebyUpper = 1.1;
constexpr double kChebyRatio = 15.0;

}  // namespace

void ElasticityMGPCG::Impl::level_apply(std::size_t l, const double* u, double* y) const {
  if (l == 0)
    op->apply_elements(u, y);
  else
    stencil_apply(levels[l], u, y);
}

/// out = Dinv in (per node 3x3), scaled.
void ElasticityMGPCG::Impl::block_jacobi(const Level& L, const double* in, double* out, double scale) {
  const std::size_t plane = L.plane() / 3;
  const int planes = L.NZ();
  const double* D = L.dinv.data();
#pragma omp parallel for schedule(static) if (L.parallel())
  for (int k = 0; k < planes; ++k)
    for (std::size_t n = plane * std::size_t(k); n < plane * std::size_t(k + 1); ++n) {
      double t[3];
      elastic::mul3(D + 9 * n, in + 3 * n, t);
      out[3 * n] = scale * t[0];
      out[3 * n + 1] = scale * t[1];
      out[3 * n + 2] = scale * t[2];
    }
}

/// Largest eigenvalue of Dinv A by Lanczos (the CG coefficients), deterministic start vector.
double ElasticityMGPCG::Impl::estimate_lmax(std::size_t l) {
  Level& L = levels[l];
  const std::size_t n = L.dofs();
  std::vector<double> r(n), z(n), p(n), q(n);
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < n; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    r[i] = double(s >> 11) * (1.0 / 9007199254740992.0) - 0.5;
  }
  for (std::size_t nd = 0; nd < L.nn; ++nd)
    for (int c = 0; c < 3; ++c)
      if (L.fixed[nd] & (1u << c)) r[3 * nd + std::size_t(c)] = 0.0;
  block_jacobi(L, r.data(), z.data(), 1.0);
  p = z;
  double rz = level_dot(L, r.data(), z.data());
  std::vector<double> alpha, beta;
  for (int it = 0; it < kLanczosSteps && rz > 0.0; ++it) {
    level_apply(l, p.data(), q.data());
    const double pq = level_dot(L, p.data(), q.data());
    if (!(pq > 0.0)) break;
    const double a = rz / pq;
    for (std::size_t i = 0; i < n; ++i) r[i] -= a * q[i];
    block_jacobi(L, r.data(), z.data(), 1.0);
    const double rz1 = level_dot(L, r.data(), z.data());
    const double b = rz1 / rz;
    alpha.push_back(a);
    beta.push_back(b);
    for (std::size_t i = 0; i < n; ++i) p[i] = z[i] + b * p[i];
    rz = rz1;
    if (!(rz > 0.0)) break;
  }
  const int m = int(alpha.size());
  if (m == 0) return 1.0;
  Eigen::MatrixXd T = Eigen::MatrixXd::Zero(m, m);
  for (int i = 0; i < m; ++i) {
    T(i, i) = 1.0 / alpha[std::size_t(i)] + (i > 0 ? beta[std::size_t(i - 1)] / alpha[std::size_t(i - 1)] : 0.0);
    if (i + 1 < m) T(i, i + 1) = T(i + 1, i) = std::sqrt(beta[std::size_t(i)]) / alpha[std::size_t(i)];
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(T, Eigen::EigenvaluesOnly);
  return es.eigenvalues().maxCoeff();
}

/// Chebyshev smoothing of A x = b on level l, degree m. With `zero`, x is taken as 0 on entry.
/// On exit L.r holds b - A x.
void ElasticityMGPCG::Impl::chebyshev(std::size_t l, double* x, const double* b, int m, bool zero, bool need_residual) {
  Level& L = levels[l];
  const std::size_t n = L.dofs();
  double* r = L.r.data();
  double* d = L.d.data();
  double* w = L.w.data();
  const bool par = L.parallel();
  const std::ptrdiff_t nn = std::ptrdiff_t(n);
  if (zero) {
#pragma omp parallel for schedule(static) if (par)
    for (std::ptrdiff_t i = 0; i < nn; ++i) {
      r[i] = b[i];
      x[i] = 0.0;
    }
  } else {
    level_apply(l, x, w);
#pragma omp parallel for schedule(static) if (par)
    for (std::ptrdiff_t i = 0; i < nn; ++i) r[i] = b[i] - w[i];
  }
  const double hi = kChebyUpper * L.lmax, lo = hi / kChebyRatio;
  const double theta = 0.5 * (hi + lo), delta = 0.5 * (hi - lo);
  const double sigma = theta / delta;
  double rho = 1.0 / sigma;
  block_jacobi(L, r, d, 1.0 / theta);
  for (int it = 0; it < m; ++it) {
#pragma omp parallel for schedule(static) if (par)
    for (std::ptrdiff_t i = 0; i < nn; ++i) x[i] += d[i];
    if (it + 1 == m && !need_residual) break;
    level_apply(l, d, w);
    const double rho1 = 1.0 / (2.0 * sigma - rho);
    const double c1 = rho1 * rho, c2 = 2.0 * rho1 / delta;
    const double* D = L.dinv.data();
    const bool last = it + 1 == m;
    const std::ptrdiff_t nodes = std::ptrdiff_t(L.nn);
#pragma omp parallel for schedule(static) if (par)
    for (std::ptrdiff_t nd = 0; nd < nodes; ++nd) {
      double* rn = r + 3 * nd;
      rn[0] -= w[3 * nd];
      rn[1] -= w[3 * nd + 1];
      rn[2] -= w[3 * nd + 2];
      if (last) continue;
      double t[3];
      elastic::mul3(D + 9 * nd, rn, t);
      for (int c = 0; c < 3; ++c) d[3 * nd + c] = c1 * d[3 * nd + c] + c2 * t[c];
    }
    if (last) break;
    rho = rho1;
  }
}

}  // namespace hphtsim::solvers
