// SPDX-License-Identifier: MIT
// Private to src/solvers: the scalar V-cycle's per-plane kernels (the k-plane wavefront, one
// red-black Gauss-Seidel colour, restriction, prolongation), inline so that multigrid_pcg.cpp
// fuses them into its two passes per level (the AMReX *_K.H split).
//
// Transfers. Restriction sums the children's residuals (the rhs of a conductance-form system is
// an integrated quantity); prolongation injects the coarse value into every child (its
// transpose). With pre-smoothing red-then-black, post-smoothing black-then-red and equal sweep
// counts, the V-cycle is a symmetric positive definite operator, as PCG requires. Trilinear
// prolongation with R = P^T was tried: 9 instead of 7 iterations for smooth k at 64^3, and 53-72
// instead of 8-11 with the 1000x block (linear interpolation across a conductivity jump is
// wrong where the flux, not the gradient, is continuous).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "multigrid_detail.hpp"

namespace hphtsim::solvers::multigrid_detail {

using namespace kernels;

/// Runs stage(s, k) for every stage s in [0, S) and plane k in [0, nz) so that stage s on plane
/// k sees stage s-1 complete on planes k-1, k, k+1, and no stage s-1 read of plane k is
/// overtaken by stage s: a wavefront (temporal blocking) over k-planes, so S sweeps stream the
/// level's arrays from memory about once instead of S times. Each thread owns a slab of planes.
/// Phase A: it walks its slab in wavefront order (step m runs stage s on plane m - s), restricted
/// to a trapezoid [a + s, b - s) whose stencils never reach another slab. Then, stage by stage
/// with a barrier in between, it finishes the planes left at its slab ends. Stages must be
/// order-independent within themselves (one GS colour, a per-plane residual), so the result is
/// bitwise the same for any thread count.
template <class StageFn>
inline void wavefront(int nz, int S, bool parallel, StageFn&& stage) {
#pragma omp parallel if (parallel)
  {
#ifdef _OPENMP
    const int nt = omp_get_num_threads(), t = omp_get_thread_num();
#else
    const int nt = 1, t = 0;
#endif
    const int a = int(std::int64_t(nz) * t / nt), b = int(std::int64_t(nz) * (t + 1) / nt);
    auto lo = [&](int s) { return t == 0 ? a : a + s; };
    auto hi = [&](int s) { return t == nt - 1 ? b : b - s; };
    for (int m = a; m < b + S; ++m)
      for (int s = 0; s < S; ++s) {
        const int k = m - s;
        if (k >= lo(s) && k < hi(s)) stage(s, k);
      }
    if (nt > 1) {
      for (int s = 0; s < S; ++s) {
#pragma omp barrier
        if (lo(s) >= hi(s)) {
          for (int k = a; k < b; ++k) stage(s, k);
        } else {
          for (int k = a; k < lo(s); ++k) stage(s, k);
          for (int k = hi(s); k < b; ++k) stage(s, k);
        }
      }
    }
  }
}

/// One colour of red-black Gauss-Seidel on plane k (colour 0: i+j+k even). from_zero: every
/// neighbour is known to be zero (first half-sweep from a zero guess), so u is not read.
inline void gs_plane(const Level& L, double* u, const double* f, int k, int colour, bool from_zero) {
  const CoefView a = L.view();
  const double* inv = L.inv_dtot.data();
  const int nx = L.nx, ny = L.ny, nz = L.nz;
  for (int j = 0; j < ny; ++j) {
    const std::size_t c0 = L.idx(0, j, k);
    const int i0 = (j + k + colour) & 1;
    if (from_zero) {  // every neighbour is zero: no stencil
      for (int i = i0; i < nx; i += 2) u[c0 + std::size_t(i)] = f[c0 + std::size_t(i)] * inv[c0 + std::size_t(i)];
      continue;
    }
    dispatch_yz(yz_mask(j, k, ny, nz), [&](auto fyz) {
      for_row_colour<decltype(fyz)::value>(nx, c0, i0, [&](auto fl, std::size_t c) {
        u[c] = gs_cell<decltype(fl)::value>(a, inv, u, f, c);
      });
    });
  }
}

/// Residual of fine plane k summed over x/y children into this plane's coarse-sized buffer
/// L.plane_restrict[k] (the z children are added by restrict_finish_plane).
inline void restrict_plane(Level& L, const double* u, const double* f, int k, const Level& C) {
  const CoefView a = L.view();
  const double* inv = L.inv_dtot.data();
  const int nx = L.nx, ny = L.ny, nz = L.nz;
  const int rx = L.rx, ry = L.ry;
  double* row = L.row_scratch.data() + std::size_t(nx) * std::size_t(k);
  double* fplane = L.plane_restrict.data() + C.plane() * std::size_t(k);
  std::fill(fplane, fplane + C.plane(), 0.0);
  for (int j = 0; j < ny; ++j) {
    const std::size_t c0 = L.idx(0, j, k);
    dispatch_yz(yz_mask(j, k, ny, nz), [&](auto fyz) {
      for_row<decltype(fyz)::value>(nx, c0, [&](auto fl, std::size_t c) {
        row[c - c0] = smoother_residual_cell<decltype(fl)::value>(a, inv, u, f, c);
      });
    });
    double* frow = fplane + std::size_t(C.nx) * std::size_t(j / ry);
    if (rx == 2) {
      const int half = nx / 2;
      for (int I = 0; I < half; ++I) frow[I] += row[2 * I] + row[2 * I + 1];
      if (nx & 1) frow[half] += row[nx - 1];
    } else {
      for (int i = 0; i < nx; ++i) frow[i] += row[i];
    }
  }
}

/// When k is the last z child of its coarse plane K: C.f(K) = sum of its children's buffers,
/// in increasing k (a fixed order).
inline void restrict_finish_plane(const Level& L, int k, Level& C) {
  const int K = k / L.rz;
  const int k0 = K * L.rz, k1 = std::min(k0 + L.rz, L.nz);
  if (k != k1 - 1) return;
  const std::size_t np = C.plane();
  double* fc = C.f.data() + np * std::size_t(K);
  const double* p0 = L.plane_restrict.data() + np * std::size_t(k0);
  if (k1 - k0 == 2) {
    const double* p1 = p0 + np;
    for (std::size_t c = 0; c < np; ++c) fc[c] = p0[c] + p1[c];
  } else {
    std::copy(p0, p0 + np, fc);
  }
}

/// u += P e on plane k: each fine cell gets its parent's correction.
inline void prolong_plane(const Level& L, double* u, const Level& C, int k) {
  const int nx = L.nx, ny = L.ny;
  const int sy = L.ry - 1, sz = L.rz - 1;  // shifts (ratio 1 or 2)
  const double* e = C.u.data();
  for (int j = 0; j < ny; ++j) {
    double* urow = u + L.idx(0, j, k);
    const double* erow = e + C.idx(0, j >> sy, k >> sz);
    if (L.rx == 2) {
      const int half = nx / 2;
      for (int I = 0; I < half; ++I) {
        urow[2 * I] += erow[I];
        urow[2 * I + 1] += erow[I];
      }
      if (nx & 1) urow[nx - 1] += erow[half];
    } else {
      for (int i = 0; i < nx; ++i) urow[i] += erow[i];
    }
  }
}

}  // namespace hphtsim::solvers::multigrid_detail
