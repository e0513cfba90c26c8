// SPDX-License-Identifier: MIT
// CG preconditioned by one symmetric geometric-multigrid V-cycle, matrix-free, OpenMP over
// k-planes.
//
// The hierarchy and its coarse operators are built in multigrid_hierarchy.cpp, and the per-plane
// smoother and transfer kernels are in multigrid_kernels.hpp; this file holds the V-cycle, the
// fused PCG vector operations and the PCG loop.
//
// Memory traffic. Smoothing is the hot loop, so the smoother uses a precomputed inverse
// diagonal, and each V-cycle level makes two passes over its arrays instead of ~12: a wavefront
// over k-planes runs pre-smoothing (from a zero guess) + residual + restriction in one pass, and
// prolongation + post-smoothing (+ PCG's r.z on the finest level) in another. PCG fuses
// p = z + beta p with q = A p and p.q the same way.
//
// Determinism. Gauss-Seidel red-black is order-independent within a colour; restriction sums
// each fine plane into its own buffer and adds the buffers in a fixed order; dot products are
// summed per k-plane into a preallocated array, then added serially in plane order. Results are
// bitwise independent of the number of OpenMP threads.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <vector>

#include "hphtsim/core/error.hpp"
#include "hphtsim/solvers/linear_solver.hpp"
#include "multigrid_detail.hpp"
#include "multigrid_kernels.hpp"

namespace hphtsim::solvers {

using namespace multigrid_detail;

namespace {

/// Sum of a[i]*b[i] with four fixed interleaved accumulators: vectorisable without
/// -ffast-math, and the summation order depends only on n.
inline double dot_row(const double* a, const double* b, std::size_t n) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

/// Serial, in-order sum of per-plane partials.
inline double ordered_sum(const std::vector<double>& partial) {
  double s = 0.0;
  for (double v : partial) s += v;
  return s;
}

}  // namespace

double MultigridPCG::Impl::vcycle(std::size_t l, double* u, const double* f, int nu1, int nu2) {
  Level& L = levels[l];
  if (l + 1 == levels.size()) {
    Eigen::Map<const Eigen::VectorXd> fv(f, Eigen::Index(L.n));
    Eigen::Map<Eigen::VectorXd> uv(u, Eigen::Index(L.n));
    uv.noalias() = coarse_inverse * fv;
    return l == 0 ? dot(f, u) : 0.0;
  }
  Level& C = levels[l + 1];
  // Pre-smoothing from u = 0, red-then-black nu1 times, then the restricted residual: one
  // wavefront pass. Stages: 0 .. 2 nu1 - 1 colours, 2 nu1 residual, 2 nu1 + 1 coarse sum.
  const int gs_pre = 2 * nu1;
  wavefront(L.nz, gs_pre + 2, L.parallel(), [&](int s, int k) {
    if (s < gs_pre)
      gs_plane(L, u, f, k, s & 1, s == 0);
    else if (s == gs_pre)
      restrict_plane(L, u, f, k, C);
    else
      restrict_finish_plane(L, k, C);
  });
  vcycle(l + 1, C.u.data(), C.f.data(), nu1, nu2);
  // Prolongation, then post-smoothing in the reverse (adjoint) order, black-then-red, which keeps
  // the cycle symmetric; on the finest level also the per-plane r.z of PCG: one pass.
  const int gs_post = 2 * nu2;
  const bool with_dot = l == 0;
  double* part = partial.data();
  wavefront(L.nz, gs_post + 1 + (with_dot ? 1 : 0), L.parallel(), [&](int s, int k) {
    if (s == 0) {
      prolong_plane(L, u, C, k);
    } else if (s <= gs_post) {
      gs_plane(L, u, f, k, s & 1, false);  // s = 1: black
    } else {
      const std::size_t b0 = L.plane() * std::size_t(k);
      part[k] = dot_row(f + b0, u + b0, L.plane());
    }
  });
  return with_dot ? ordered_sum(partial) : 0.0;
}

double MultigridPCG::Impl::update_p_apply_dot(double beta, bool restart) {
  const Level& L = levels.front();
  const CoefView a = L.view();
  const int nx = L.nx, ny = L.ny, nz = L.nz;
  const std::size_t np = L.plane();
  double* pv = p.data();
  double* qv = q.data();
  const double* zv = z.data();
  double* part = partial.data();
  // Stage 0: p = z + beta p on plane k; stage 1: q = A p and p.q on plane k (needs p on k+-1).
  wavefront(nz, 2, L.parallel(), [&](int s, int k) {
    const std::size_t b0 = np * std::size_t(k);
    if (s == 0) {
      if (restart)
        std::copy(zv + b0, zv + b0 + np, pv + b0);
      else
        for (std::size_t c = b0; c < b0 + np; ++c) pv[c] = zv[c] + beta * pv[c];
      return;
    }
    double sum = 0.0;
    for (int j = 0; j < ny; ++j) {
      const std::size_t c0 = L.idx(0, j, k);
      dispatch_yz(yz_mask(j, k, ny, nz), [&](auto fyz) {
        for_row<decltype(fyz)::value>(nx, c0, [&](auto fl, std::size_t c) {
          qv[c] = apply_cell<decltype(fl)::value>(a, pv, c);
        });
      });
      sum += dot_row(pv + c0, qv + c0, std::size_t(nx));
    }
    part[k] = sum;
  });
  return ordered_sum(partial);
}

double MultigridPCG::Impl::residual_norm2(const double* x, const double* b, double* res) {
  const Level& L = levels.front();
  const CoefView a = L.view();
  const int nx = L.nx, ny = L.ny, nz = L.nz;
  double* part = partial.data();
#pragma omp parallel for schedule(static) if (L.parallel())
  for (int k = 0; k < nz; ++k) {
    double s = 0.0;
    for (int j = 0; j < ny; ++j) {
      const std::size_t c0 = L.idx(0, j, k);
      dispatch_yz(yz_mask(j, k, ny, nz), [&](auto fyz) {
        for_row<decltype(fyz)::value>(nx, c0, [&](auto fl, std::size_t c) {
          res[c] = residual_cell<decltype(fl)::value>(a, x, b, c);
        });
      });
      s += dot_row(res + c0, res + c0, std::size_t(nx));
    }
    part[k] = s;
  }
  return ordered_sum(partial);
}

double MultigridPCG::Impl::update_xr(double* x, double* rv, const double* pv, const double* qv,
                                     double alpha) {
  const Level& L = levels.front();
  const std::size_t np = L.plane();
  double* part = partial.data();
#pragma omp parallel for schedule(static) if (L.parallel())
  for (int k = 0; k < L.nz; ++k) {
    const std::size_t b0 = np * std::size_t(k);
    for (std::size_t c = b0; c < b0 + np; ++c) {
      x[c] += alpha * pv[c];
      rv[c] -= alpha * qv[c];
    }
    part[k] = dot_row(rv + b0, rv + b0, np);
  }
  return ordered_sum(partial);
}

double MultigridPCG::Impl::dot(const double* a, const double* b) {
  const Level& L = levels.front();
  const std::size_t np = L.plane();
  double* part = partial.data();
#pragma omp parallel for schedule(static) if (L.parallel())
  for (int k = 0; k < L.nz; ++k) {
    const std::size_t b0 = np * std::size_t(k);
    part[k] = dot_row(a + b0, b + b0, np);
  }
  return ordered_sum(partial);
}

MultigridPCG::MultigridPCG(const StencilOperator& op) : impl_(std::make_unique<Impl>(op)) {}
MultigridPCG::~MultigridPCG() = default;
MultigridPCG::MultigridPCG(MultigridPCG&&) noexcept = default;
MultigridPCG& MultigridPCG::operator=(MultigridPCG&&) noexcept = default;

void MultigridPCG::update(const StencilOperator& op) { impl_->set_coefficients(op); }

int MultigridPCG::levels() const { return int(impl_->levels.size()); }

namespace {
[[noreturn]] void throw_not_converged(const char* why, int it, double rel, double tol) {
  std::ostringstream os;
  os << "MultigridPCG: " << why << " after " << it << " iterations: relative residual " << rel
     << ", tolerance " << tol;
  throw SolverError(os.str());
}
}  // namespace

SolveStats MultigridPCG::solve(const std::vector<double>& b, std::vector<double>& x,
                               const SolveOptions& opts) {
  Impl& s = *impl_;
  const std::size_t n = s.levels.front().n;
  HPHTSIM_CHECK(b.size() == n, "rhs has " << b.size() << " entries, the operator " << n);
  HPHTSIM_CHECK(x.size() == n, "x has " << x.size() << " entries, the operator " << n);
  HPHTSIM_CHECK(opts.rel_tol > 0.0 && opts.rel_tol < 1.0,
                "rel_tol must be in (0, 1), got " << opts.rel_tol);
  HPHTSIM_CHECK(opts.max_iterations >= 1, "max_iterations must be >= 1, got " << opts.max_iterations);
  HPHTSIM_CHECK(opts.pre_smooth >= 1 && opts.pre_smooth == opts.post_smooth,
                "pre_smooth and post_smooth must be equal and >= 1 (a symmetric V-cycle), got "
                    << opts.pre_smooth << " and " << opts.post_smooth);
  const auto t0 = Clock::now();
  SolveStats st;
  st.setup_seconds = s.setup_seconds;

  const double bb = s.dot(b.data(), b.data());
  if (!std::isfinite(bb)) throw SolverError("MultigridPCG: right-hand side is not finite");
  if (bb == 0.0) {
    std::fill(x.begin(), x.end(), 0.0);
    st.solve_seconds = seconds_since(t0);
    return st;
  }
  const double bnorm = std::sqrt(bb);
  const double tol2 = opts.rel_tol * opts.rel_tol * bb;
  const int nu1 = opts.pre_smooth, nu2 = opts.post_smooth;

  double* xv = x.data();
  double rr = s.residual_norm2(xv, b.data(), s.r.data());
  if (!std::isfinite(rr)) throw SolverError("MultigridPCG: initial residual is not finite (x or A?)");
  int it = 0;
  double last_true_rr = std::numeric_limits<double>::infinity();
  // A first guess that already meets the tolerance gets its min_iterations and is then
  // accepted (the residual 2-norm of CG is not monotone: a forced iteration can raise it a
  // little, which must not turn into a stagnation error).
  const bool met_at_start = rr <= tol2;
  auto more = [&] { return rr > tol2 || (it < opts.min_iterations && rr > 0.0); };
  while (more()) {
    // (Re)start: z = M r, p = z.
    double rz = s.vcycle(0, s.z.data(), s.r.data(), nu1, nu2);
    double beta = 0.0;
    bool restart = true;
    for (;;) {
      if (it >= opts.max_iterations)
        throw_not_converged("not converged", it, std::sqrt(rr) / bnorm, opts.rel_tol);
      if (!(rz > 0.0) || !std::isfinite(rz))
        throw_not_converged("breakdown (r.Mr not positive: preconditioner not SPD?)", it,
                            std::sqrt(rr) / bnorm, opts.rel_tol);
      ++it;
      const double pq = s.update_p_apply_dot(beta, restart);
      restart = false;
      if (!(pq > 0.0) || !std::isfinite(pq))
        throw_not_converged("breakdown (p.Ap not positive: matrix not SPD?)", it,
                            std::sqrt(rr) / bnorm, opts.rel_tol);
      const double alpha = rz / pq;
      rr = s.update_xr(xv, s.r.data(), s.p.data(), s.q.data(), alpha);
      if (!std::isfinite(rr)) throw_not_converged("diverged (NaN/Inf)", it, rr, opts.rel_tol);
      if (!more()) break;
      const double rz_new = s.vcycle(0, s.z.data(), s.r.data(), nu1, nu2);
      beta = rz_new / rz;
      rz = rz_new;
    }
    // The recursively updated r drifts from b - A x in rounding; confirm with the true
    // residual, and restart from it in the rare case the drift matters.
    rr = s.residual_norm2(xv, b.data(), s.r.data());
    if (!std::isfinite(rr)) throw_not_converged("diverged (NaN/Inf)", it, rr, opts.rel_tol);
    if (met_at_start && it >= opts.min_iterations) break;
    if (rr > tol2 && it >= opts.max_iterations)
      throw_not_converged("not converged", it, std::sqrt(rr) / bnorm, opts.rel_tol);
    // Each restart must at least halve the true residual; otherwise it sits at the rounding
    // floor (~eps * |A| |x| / |b|, reached with conductance contrasts of 1e6 and more), and
    // iterating on cannot help.
    if (rr > tol2 && rr > 0.25 * last_true_rr)
      throw_not_converged("stagnated at the rounding floor (loosen rel_tol)", it,
                          std::sqrt(rr) / bnorm, opts.rel_tol);
    last_true_rr = rr;
  }
  st.iterations = it;
  st.rel_residual = std::sqrt(rr) / bnorm;
  st.solve_seconds = seconds_since(t0);
  return st;
}

}  // namespace hphtsim::solvers
