// SPDX-License-Identifier: MIT
// The scalar multigrid hierarchy of MultigridPCG (multigrid_pcg.cpp): the shape of the levels
// (semicoarsening by strength), the coarse coefficients, the dense coarsest inverse.
//
// Hierarchy. Each coarse cell aggregates up to 2 fine cells per axis. An axis is halved (coarse
// size ceil(n/2), the last coarse cell holding a single fine layer when n is odd) while it has
// at least 3 cells and its coupling strength (geometric mean of its T) is at least half that of
// the strongest axis: semicoarsening, so flat or elongated cells become isotropic on coarse
// levels. Coarsening stops once a level has <= kCoarsestCells cells or no axis can be halved.
// The coarsest level is solved exactly with a dense symmetrised inverse, so every level of the
// preconditioner is a fixed symmetric linear map. The shape of the hierarchy is decided in the
// constructor; update() only refills coefficients.
//
// Coarse operator. T_C on a coarse face = (sum of the fine T crossing that face) * 2/(w_- + w_+),
// where w_-/w_+ are the numbers of fine layers the two coarse cells hold along the face normal:
// the fine sum carries the coarse face area, the factor the longer centre distance. It is 1/2
// for full 2-cell aggregates (exact rediscretisation of k A/d for uniform k), 2/3 next to a
// single-layer cell of an odd dimension, and 1 along an axis that is not coarsened.
// diag_C = sum of the children's diag, which is exact for the mass term rho c V/dt. A Dirichlet
// term folded into diag is a boundary-face transmissibility k A/(d/2), though, and summing it
// would make the coarse boundary 2x too stiff per level: iterations then grow with N (12, 14,
// 17 at 64^3, 128^3, 256^3 instead of 8, 9, 9). So diag on domain-boundary cells is split into a
// boundary-like part (estimated, see split_boundary_diag) that is coarsened like a face, and a
// mass part that is summed.
//
// Children without any face (rows a physics code decouples as identity rows, e.g. cells
// outside the electric circuit) do not add their diag to a coarse cell that has connected
// children: the smoother solves them exactly, and their diag would only stiffen the coarse cell
// (11 instead of 8 iterations in the unit test that mimics the electric problem).
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

#include "hphtsim/core/error.hpp"
#include "multigrid_detail.hpp"

namespace hphtsim::solvers {

using namespace multigrid_detail;

namespace {

using namespace kernels;

/// Coarsen until a level has at most this many cells; it is then solved densely.
constexpr std::size_t kCoarsestCells = 64;
/// An axis is coarsened only if its coupling is at least this fraction of the strongest one.
constexpr double kSemiCoarsenRatio = 0.5;

/// Number of fine layers held by coarse index I along an axis of n fine cells, ratio r.
inline int child_width(int I, int r, int n) { return std::min(I * r + r, n) - I * r; }

/// Coarse transmissibility contributed by one fine column crossing a coarse face: t[cb] is the
/// fine face on the coarse face, wa/wb the two coarse cells' widths (fine layers) along the
/// normal, so the centre distance grows by (wa + wb)/2. (A series-resistance estimate through
/// the half-children was tried: 2-4x more iterations with misaligned coefficient jumps.)
inline double column_t(const double* t, std::size_t cb, int wa, int wb) {
  return t[cb] * 2.0 / double(wa + wb);
}

/// Fills coarse coefficients from the fine ones (see the file comment).
void coarsen_coefficients(const Level& F, Level& C) {
  const int rx = F.rx, ry = F.ry, rz = F.rz;
#pragma omp parallel for schedule(static) if (F.parallel())
  for (int K = 0; K < C.nz; ++K) {
    const int k0 = K * rz, k1 = std::min(k0 + rz, F.nz);
    for (int J = 0; J < C.ny; ++J) {
      const int j0 = J * ry, j1 = std::min(j0 + ry, F.ny);
      for (int I = 0; I < C.nx; ++I) {
        const int i0 = I * rx, i1 = std::min(i0 + rx, F.nx);
        // Children with no face at all (cells a physics code decouples with an identity row)
        // are solved exactly by the smoother; their diag would only stiffen the coarse cell
        // they share with connected cells, so it counts only if every child is isolated.
        double d_conn = 0.0, d_iso = 0.0, sx = 0.0, sy = 0.0, sz = 0.0;
        bool any_conn = false;
        for (int k = k0; k < k1; ++k)
          for (int j = j0; j < j1; ++j)
            for (int i = i0; i < i1; ++i) {
              const std::size_t f = F.idx(i, j, k);
              const bool conn = F.tx[f] > 0.0 || F.ty[f] > 0.0 || F.tz[f] > 0.0 ||
                                (i > 0 && F.tx[f - 1] > 0.0) ||
                                (j > 0 && F.ty[f - std::size_t(F.nx)] > 0.0) ||
                                (k > 0 && F.tz[f - F.plane()] > 0.0);
              (conn ? d_conn : d_iso) += F.diag[f];
              any_conn = any_conn || conn;
            }
        const double d = any_conn ? d_conn : d_iso;
        if (I + 1 < C.nx) {
          const int wa = child_width(I, rx, F.nx), wb = child_width(I + 1, rx, F.nx);
          for (int k = k0; k < k1; ++k)
            for (int j = j0; j < j1; ++j) sx += column_t(F.tx.data(), F.idx(i1 - 1, j, k), wa, wb);
        }
        if (J + 1 < C.ny) {
          const int wa = child_width(J, ry, F.ny), wb = child_width(J + 1, ry, F.ny);
          for (int k = k0; k < k1; ++k)
            for (int i = i0; i < i1; ++i) sy += column_t(F.ty.data(), F.idx(i, j1 - 1, k), wa, wb);
        }
        if (K + 1 < C.nz) {
          const int wa = child_width(K, rz, F.nz), wb = child_width(K + 1, rz, F.nz);
          for (int j = j0; j < j1; ++j)
            for (int i = i0; i < i1; ++i) sz += column_t(F.tz.data(), F.idx(i, j, k1 - 1), wa, wb);
        }
        const std::size_t c = C.idx(I, J, K);
        C.diag[c] = d;
        C.tx[c] = sx;
        C.ty[c] = sy;
        C.tz[c] = sz;
      }
    }
  }
  // Boundary-like diag parts behave as face transmissibilities k A / (d/2): the coarse one is
  // the sum over the fine side faces (area) divided by w, the coarse cell's number of fine
  // layers along the normal (distance). Summing them like mass would make the coarse boundary
  // 2x too stiff per level (2^l on level l), which costs iterations growing with N.
  const int rr[3] = {rx, ry, rz};
  const int nf[3] = {F.nx, F.ny, F.nz};
  const int nc[3] = {C.nx, C.ny, C.nz};
  for (int side = 0; side < 6; ++side) {
    const int axis = side / 2;
    const int Icell = (side % 2 == 0) ? 0 : nc[axis] - 1;  // coarse layer on this side
    const double inv_w = 1.0 / double(child_width(Icell, rr[axis], nf[axis]));
    // The two transverse axes, in (i,j,k) order.
    const int ta = axis == 0 ? 1 : 0, tb = axis == 2 ? 1 : 2;
    const std::vector<double>& fb = F.bnd[std::size_t(side)];
    std::vector<double>& cb = C.bnd[std::size_t(side)];
    const int fi = (side % 2 == 0) ? 0 : nf[axis] - 1;  // fine layer on this side
    for (int B = 0; B < nc[tb]; ++B)
      for (int A = 0; A < nc[ta]; ++A) {
        double sum = 0.0;
        const int a1 = std::min(A * rr[ta] + rr[ta], nf[ta]), b1 = std::min(B * rr[tb] + rr[tb], nf[tb]);
        for (int b = B * rr[tb]; b < b1; ++b)
          for (int a = A * rr[ta]; a < a1; ++a) {
            int ijk[3];
            ijk[axis] = fi;
            ijk[ta] = a;
            ijk[tb] = b;
            sum += fb[F.side_index(side, ijk[0], ijk[1], ijk[2])];
          }
        int IJK[3];
        IJK[axis] = Icell;
        IJK[ta] = A;
        IJK[tb] = B;
        cb[C.side_index(side, IJK[0], IJK[1], IJK[2])] = sum * inv_w;
        C.diag[C.idx(IJK[0], IJK[1], IJK[2])] -= sum * (1.0 - inv_w);
      }
  }
}

/// inv_dtot = 1 / (diag + sum of face T), once per coefficient update.
void compute_inv_dtot(Level& L) {
  const CoefView a = L.view();
  const int nx = L.nx, ny = L.ny, nz = L.nz;
  double* inv = L.inv_dtot.data();
#pragma omp parallel for schedule(static) if (L.parallel())
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      dispatch_yz(yz_mask(j, k, ny, nz), [&](auto fyz) {
        for_row<decltype(fyz)::value>(nx, L.idx(0, j, k), [&](auto fl, std::size_t c) {
          inv[c] = 1.0 / total_diag<decltype(fl)::value>(a, c);
        });
      });
}

/// Level-0 guess of how much of diag_c is a Dirichlet-type boundary term (which coarsens like
/// a face) rather than mass (which coarsens by summation); StencilOperator only gives the sum.
/// A Dirichlet face of a cell has T_b = k A / (d/2), about twice the transmissibility of the
/// opposite interior face, so each boundary side claims up to 2 T_opposite, scaled down
/// together when diag_c is smaller (an insulated side with some mass claims little, a
/// mass-dominated heat step keeps nearly all of it as mass).
void split_boundary_diag(const StencilOperator& op, Level& L0, int i, int j, int k) {
  const std::size_t c = L0.idx(i, j, k);
  const int n3[3] = {L0.nx, L0.ny, L0.nz};
  const int ijk[3] = {i, j, k};
  const std::vector<double>* t3[3] = {&op.tx, &op.ty, &op.tz};
  const std::size_t stride[3] = {1, std::size_t(L0.nx), L0.plane()};
  double claim[6] = {0, 0, 0, 0, 0, 0};
  double total = 0.0;
  for (int axis = 0; axis < 3; ++axis) {
    if (n3[axis] < 2) continue;  // no opposite face to estimate from
    if (ijk[axis] == 0) claim[2 * axis] = 2.0 * (*t3[axis])[c];
    if (ijk[axis] == n3[axis] - 1) claim[2 * axis + 1] = 2.0 * (*t3[axis])[c - stride[axis]];
    total += claim[2 * axis] + claim[2 * axis + 1];
  }
  const double d = op.diag[c];
  const double scale = total > d ? d / total : 1.0;
  for (int side = 0; side < 6; ++side) {
    const int axis = side / 2;
    if (ijk[axis] == ((side % 2 == 0) ? 0 : n3[axis] - 1))
      L0.bnd[std::size_t(side)][L0.side_index(side, i, j, k)] = claim[side] * scale;
  }
}

/// Typical coupling strength along each axis: geometric mean of the non-zero face
/// transmissibilities (robust to coefficient jumps, unlike the arithmetic mean), from a sample
/// of at most ~2^18 cells.
std::array<double, 3> axis_strength(const Level& L) {
  const int stride = std::max(1, int(std::cbrt(double(L.n) / 262144.0)) + 1);
  const std::vector<double>* t3[3] = {&L.tx, &L.ty, &L.tz};
  const int n3[3] = {L.nx, L.ny, L.nz};
  std::array<double, 3> out{0.0, 0.0, 0.0};
  for (int axis = 0; axis < 3; ++axis) {
    if (n3[axis] < 2) continue;
    double logsum = 0.0;
    std::size_t count = 0;
    for (int k = 0; k < L.nz; k += stride)
      for (int j = 0; j < L.ny; j += stride)
        for (int i = 0; i < L.nx; i += stride) {
          const double t = (*t3[axis])[L.idx(i, j, k)];
          if (t > 0.0) {
            logsum += std::log(t);
            ++count;
          }
        }
    out[std::size_t(axis)] = count > 0 ? std::exp(logsum / double(count)) : 0.0;
  }
  return out;
}

/// Semicoarsening by strength: halve an axis only if it has >= 3 cells and its coupling is at
/// least kSemiCoarsenRatio of the strongest axis. Halving only the strong axes divides their
/// coupling ratio to the others by 4 per level, so anisotropic grids (flat cells, a cubic press
/// cell on a non-cubic grid) are brought back to isotropic coarse levels, where the point
/// smoother works. Isotropic grids get full 2x2x2 coarsening.
void choose_ratios(Level& F) {
  const auto s = axis_strength(F);
  const int n3[3] = {F.nx, F.ny, F.nz};
  // Only axes that can still be halved compete: a strong axis of 1-2 cells must not stop the
  // others, or the "coarsest" level could stay huge (and its dense inverse with it).
  double smax = 0.0;
  for (int a = 0; a < 3; ++a)
    if (n3[a] >= 3) smax = std::max(smax, s[std::size_t(a)]);
  int r[3];
  for (int a = 0; a < 3; ++a)
    r[a] = (n3[a] >= 3 && (smax <= 0.0 || s[std::size_t(a)] >= kSemiCoarsenRatio * smax)) ? 2 : 1;
  F.rx = r[0];
  F.ry = r[1];
  F.rz = r[2];
}

}  // namespace

MultigridPCG::Impl::Impl(const StencilOperator& op) {
  const auto t0 = Clock::now();
  HPHTSIM_CHECK(op.nx > 0 && op.ny > 0 && op.nz > 0,
                "MultigridPCG needs a non-empty grid, got " << op.nx << "x" << op.ny << "x" << op.nz);
  levels.emplace_back(op.nx, op.ny, op.nz);
  set_fine(op);
  // The hierarchy's shape is fixed here, from the constructor's coefficients: update() must
  // not allocate. The strength ratios come mostly from the grid spacing, which update() keeps.
  while (levels.back().n > kCoarsestCells) {
    Level& F = levels.back();
    choose_ratios(F);
    if (F.rx == 1 && F.ry == 1 && F.rz == 1) break;
    const int cx = (F.nx + F.rx - 1) / F.rx, cy = (F.ny + F.ry - 1) / F.ry,
              cz = (F.nz + F.rz - 1) / F.rz;
    F.row_scratch.assign(std::size_t(F.nx) * std::size_t(F.nz), 0.0);
    F.plane_restrict.assign(std::size_t(cx) * std::size_t(cy) * std::size_t(F.nz), 0.0);
    Level C(cx, cy, cz);  // F is not used past this point: push_back may move it
    C.u.assign(C.n, 0.0);
    C.f.assign(C.n, 0.0);
    levels.push_back(std::move(C));
    coarsen_coefficients(levels[levels.size() - 2], levels.back());
  }
  const std::size_t n = levels.front().n;
  r.assign(n, 0.0);
  z.assign(n, 0.0);
  p.assign(n, 0.0);
  q.assign(n, 0.0);
  partial.assign(std::size_t(op.nz), 0.0);
  for (std::size_t l = 1; l < levels.size(); ++l) compute_inv_dtot(levels[l]);  // level 0: set_fine
  factor_coarsest();
  setup_seconds = seconds_since(t0);
}

void MultigridPCG::Impl::set_coefficients(const StencilOperator& op) {
  const auto t0 = Clock::now();
  set_fine(op);
  for (std::size_t l = 1; l < levels.size(); ++l) coarsen_coefficients(levels[l - 1], levels[l]);
  for (std::size_t l = 1; l < levels.size(); ++l) compute_inv_dtot(levels[l]);  // level 0: set_fine
  factor_coarsest();
  setup_seconds = seconds_since(t0);
}

void MultigridPCG::Impl::set_fine(const StencilOperator& op) {
  Level& L0 = levels.front();
  HPHTSIM_CHECK(op.nx == L0.nx && op.ny == L0.ny && op.nz == L0.nz,
                "MultigridPCG::update: operator is " << op.nx << "x" << op.ny << "x" << op.nz
                                                     << ", the solver was built for " << L0.nx << "x"
                                                     << L0.ny << "x" << L0.nz);
  HPHTSIM_CHECK(op.diag.size() == L0.n && op.tx.size() == L0.n && op.ty.size() == L0.n &&
                    op.tz.size() == L0.n,
                "StencilOperator arrays must all have nx*ny*nz = " << L0.n << " entries");
  // Copy (the solver owns its fine coefficients, so the caller's operator may go away) and
  // validate in the same pass: negative or non-finite coefficients, or a cell with no
  // connection and no diagonal, make A singular or indefinite and PCG meaningless.
  bool bad = false;
  const int nx = L0.nx, ny = L0.ny, nz = L0.nz;
#pragma omp parallel for schedule(static) reduction(|| : bad)
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const std::size_t c = L0.idx(i, j, k);
        const double d = op.diag[c];
        const double ax = i + 1 < nx ? op.tx[c] : 0.0;
        const double ay = j + 1 < ny ? op.ty[c] : 0.0;
        const double az = k + 1 < nz ? op.tz[c] : 0.0;
        L0.diag[c] = d;
        L0.tx[c] = ax;
        L0.ty[c] = ay;
        L0.tz[c] = az;
        // The smoother's diagonal, summed in the order of kernels::total_diag.
        const double tot = d + (i > 0 ? op.tx[c - 1] : 0.0) + ax +
                           (j > 0 ? op.ty[c - std::size_t(nx)] : 0.0) + ay +
                           (k > 0 ? op.tz[c - L0.plane()] : 0.0) + az;
        L0.inv_dtot[c] = 1.0 / tot;
        bad = bad || !(d >= 0.0 && ax >= 0.0 && ay >= 0.0 && az >= 0.0 && tot > 0.0 &&
                       std::isfinite(tot));
        if (i == 0 || i == nx - 1 || j == 0 || j == ny - 1 || k == 0 || k == nz - 1)
          split_boundary_diag(op, L0, i, j, k);
      }
    }
  }
  if (bad) {
    for (std::size_t c = 0; c < L0.n; ++c) {
      const double vals[4] = {L0.diag[c], L0.tx[c], L0.ty[c], L0.tz[c]};
      for (double v : vals)
        HPHTSIM_CHECK(v >= 0.0 && std::isfinite(v),
                      "StencilOperator coefficient at cell " << c << " is " << v
                                                             << "; diag and T must be finite and >= 0");
    }
    HPHTSIM_CHECK(false, "StencilOperator has a cell with zero diag and no connected face: the "
                         "matrix is singular");
  }
}

void MultigridPCG::Impl::factor_coarsest() {
  const Level& C = levels.back();
  const auto n = Eigen::Index(C.n);
  if (coarse_matrix.rows() != n) {  // first call (constructor); update() reuses the storage
    coarse_matrix.resize(n, n);      // (coarse_ldlt sizes itself in its first compute(); do
    coarse_inverse.resize(n, n);     // not assign an uncomputed LDLT: it copies an
  }                                  // uninitialised status field, which UBSan reports)
  Eigen::MatrixXd& a = coarse_matrix;
  a.setZero();
  for (int k = 0; k < C.nz; ++k)
    for (int j = 0; j < C.ny; ++j)
      for (int i = 0; i < C.nx; ++i) {
        const auto c = Eigen::Index(C.idx(i, j, k));
        a(c, c) += C.diag[std::size_t(c)];
        auto link = [&](Eigen::Index o, double t) {
          a(c, c) += t;
          a(o, o) += t;
          a(c, o) -= t;
          a(o, c) -= t;
        };
        if (i + 1 < C.nx) link(Eigen::Index(C.idx(i + 1, j, k)), C.tx[std::size_t(c)]);
        if (j + 1 < C.ny) link(Eigen::Index(C.idx(i, j + 1, k)), C.ty[std::size_t(c)]);
        if (k + 1 < C.nz) link(Eigen::Index(C.idx(i, j, k + 1)), C.tz[std::size_t(c)]);
      }
  // LDLT (pivoted) rather than LLT: with coefficient jumps of 1e6 the coarse matrix is badly
  // conditioned, and a semidefinite one (no diagonal anywhere) still gives a symmetric
  // pseudo-inverse (Eigen zeroes null pivots) instead of NaN. Explicit inverse: the coarse solve
  // becomes one small GEMV; symmetrised so the preconditioner is exactly symmetric.
  coarse_ldlt.compute(a);
  coarse_inverse.setIdentity();
  coarse_ldlt.solveInPlace(coarse_inverse);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = i + 1; j < n; ++j) {
      const double v = 0.5 * (coarse_inverse(i, j) + coarse_inverse(j, i));
      coarse_inverse(i, j) = v;
      coarse_inverse(j, i) = v;
    }
}

}  // namespace hphtsim::solvers
