// SPDX-License-Identifier: MIT
// Per-cell math of the 7-point conductance-form operator (see stencil_operator.hpp), kept apart
// from the classes that loop, thread and own memory (the AMReX *_K.H split). Every function here
// is pure and inline, works on raw pointers and a flat cell index, and takes the set of existing
// neighbours as a compile-time mask, so the interior loop carries no branches and vectorises,
// and no boundary cell ever reads outside the arrays (faces past the domain are ignored, whatever
// tx/ty/tz hold on the last plane).
#pragma once

#include <cstddef>
#include <type_traits>

#if defined(__GNUC__)
#define HPHTSIM_KERNEL inline __attribute__((always_inline))
#else
#define HPHTSIM_KERNEL inline
#endif

namespace hphtsim::solvers::kernels {

/// Neighbour-existence bits of a cell: -x, +x, -y, +y, -z, +z.
enum : unsigned { kXm = 1u, kXp = 2u, kYm = 4u, kYp = 8u, kZm = 16u, kZp = 32u };
template <unsigned F>
using Flags = std::integral_constant<unsigned, F>;

/// Coefficients of one level: diag and the +face transmissibilities, x fastest.
struct CoefView {
  const double* diag;
  const double* tx;
  const double* ty;
  const double* tz;
  std::ptrdiff_t sy;  ///< nx
  std::ptrdiff_t sz;  ///< nx*ny
};

/// Transmissibility-weighted sum of the neighbour values of cell c over the faces in F.
template <unsigned F>
HPHTSIM_KERNEL double neighbour_sum(const CoefView& a, const double* u, std::size_t c) {
  double ns = 0.0;
  if constexpr ((F & kXm) != 0u) ns += a.tx[c - 1] * u[c - 1];
  if constexpr ((F & kXp) != 0u) ns += a.tx[c] * u[c + 1];
  if constexpr ((F & kYm) != 0u) ns += a.ty[c - a.sy] * u[c - a.sy];
  if constexpr ((F & kYp) != 0u) ns += a.ty[c] * u[c + a.sy];
  if constexpr ((F & kZm) != 0u) ns += a.tz[c - a.sz] * u[c - a.sz];
  if constexpr ((F & kZp) != 0u) ns += a.tz[c] * u[c + a.sz];
  return ns;
}

/// diag_c + the sum of the face transmissibilities of cell c: the matrix diagonal.
template <unsigned F>
HPHTSIM_KERNEL double total_diag(const CoefView& a, std::size_t c) {
  double ts = a.diag[c];
  if constexpr ((F & kXm) != 0u) ts += a.tx[c - 1];
  if constexpr ((F & kXp) != 0u) ts += a.tx[c];
  if constexpr ((F & kYm) != 0u) ts += a.ty[c - a.sy];
  if constexpr ((F & kYp) != 0u) ts += a.ty[c];
  if constexpr ((F & kZm) != 0u) ts += a.tz[c - a.sz];
  if constexpr ((F & kZp) != 0u) ts += a.tz[c];
  return ts;
}

/// (A u)_c = diag_c u_c + sum_f T_f (u_c - u_nb). The difference form keeps the rounding error
/// relative to the fluxes rather than to T u: with T jumping by 1e6 the other form,
/// (diag + sum T) u_c - sum T u_nb, cancels catastrophically and stalls CG near 1e-8.
template <unsigned F>
HPHTSIM_KERNEL double apply_cell(const CoefView& a, const double* u, std::size_t c) {
  const double uc = u[c];
  double s = a.diag[c] * uc;
  if constexpr ((F & kXm) != 0u) s += a.tx[c - 1] * (uc - u[c - 1]);
  if constexpr ((F & kXp) != 0u) s += a.tx[c] * (uc - u[c + 1]);
  if constexpr ((F & kYm) != 0u) s += a.ty[c - a.sy] * (uc - u[c - a.sy]);
  if constexpr ((F & kYp) != 0u) s += a.ty[c] * (uc - u[c + a.sy]);
  if constexpr ((F & kZm) != 0u) s += a.tz[c - a.sz] * (uc - u[c - a.sz]);
  if constexpr ((F & kZp) != 0u) s += a.tz[c] * (uc - u[c + a.sz]);
  return s;
}

/// f_c - (A u)_c.
template <unsigned F>
HPHTSIM_KERNEL double residual_cell(const CoefView& a, const double* u, const double* f,
                                    std::size_t c) {
  return f[c] - apply_cell<F>(a, u, c);
}

/// Gauss-Seidel value of cell c (solves row c with the neighbours as they are now), with
/// inv_d = 1 / total_diag precomputed: smoothing is the hot loop of multigrid, and a division
/// per cell made it compute-bound.
template <unsigned F>
HPHTSIM_KERNEL double gs_cell(const CoefView& a, const double* inv_d, const double* u,
                              const double* f, std::size_t c) {
  return (f[c] + neighbour_sum<F>(a, u, c)) * inv_d[c];
}

/// Residual f_c - (A u)_c in the form the smoother sees (diagonal 1 / inv_d), for restriction:
/// the preconditioner only needs it consistent with gs_cell, and it does not read diag.
template <unsigned F>
HPHTSIM_KERNEL double smoother_residual_cell(const CoefView& a, const double* inv_d,
                                             const double* u, const double* f, std::size_t c) {
  return f[c] + neighbour_sum<F>(a, u, c) - u[c] / inv_d[c];
}

/// Calls fn(Flags<fyz>{}) with the runtime y/z mask fyz (a combination of kYm..kZp) turned into
/// a compile-time constant.
template <class Fn>
HPHTSIM_KERNEL void dispatch_yz(unsigned fyz, Fn&& fn) {
  switch (fyz) {
#define HPHTSIM_YZ_CASE(m) \
  case (m): fn(Flags<(m)>{}); break;
    HPHTSIM_YZ_CASE(0u) HPHTSIM_YZ_CASE(4u) HPHTSIM_YZ_CASE(8u) HPHTSIM_YZ_CASE(12u)
    HPHTSIM_YZ_CASE(16u) HPHTSIM_YZ_CASE(20u) HPHTSIM_YZ_CASE(24u) HPHTSIM_YZ_CASE(28u)
    HPHTSIM_YZ_CASE(32u) HPHTSIM_YZ_CASE(36u) HPHTSIM_YZ_CASE(40u) HPHTSIM_YZ_CASE(44u)
    HPHTSIM_YZ_CASE(48u) HPHTSIM_YZ_CASE(52u) HPHTSIM_YZ_CASE(56u) HPHTSIM_YZ_CASE(60u)
#undef HPHTSIM_YZ_CASE
    default: break;
  }
}

/// y/z neighbour mask of row (j,k).
HPHTSIM_KERNEL unsigned yz_mask(int j, int k, int ny, int nz) {
  return (j > 0 ? kYm : 0u) | (j < ny - 1 ? kYp : 0u) | (k > 0 ? kZm : 0u) |
         (k < nz - 1 ? kZp : 0u);
}

/// fn(Flags<mask>{}, c) for every cell c of the row starting at c0 (nx cells), with the x bits
/// added to FYZ: the two end cells are peeled so the interior loop is branch-free.
template <unsigned FYZ, class CellFn>
HPHTSIM_KERNEL void for_row(int nx, std::size_t c0, CellFn&& fn) {
  if (nx == 1) {
    fn(Flags<FYZ>{}, c0);
    return;
  }
  fn(Flags<FYZ | kXp>{}, c0);
  const std::size_t last = c0 + std::size_t(nx) - 1;
  for (std::size_t c = c0 + 1; c < last; ++c) fn(Flags<FYZ | kXm | kXp>{}, c);
  fn(Flags<FYZ | kXm>{}, last);
}

/// As for_row, but only the cells i = i0, i0+2, ... (one colour of a red-black ordering).
template <unsigned FYZ, class CellFn>
HPHTSIM_KERNEL void for_row_colour(int nx, std::size_t c0, int i0, CellFn&& fn) {
  if (nx == 1) {
    if (i0 == 0) fn(Flags<FYZ>{}, c0);
    return;
  }
  int i = i0;
  if (i == 0) {
    fn(Flags<FYZ | kXp>{}, c0);
    i = 2;
  }
  // One colour reads only the other colour: no loop-carried dependence through u, which the
  // compiler cannot prove by itself; ivdep lets it vectorise the strided loop.
#pragma GCC ivdep
  for (; i < nx - 1; i += 2) fn(Flags<FYZ | kXm | kXp>{}, c0 + std::size_t(i));
  if (i == nx - 1) fn(Flags<FYZ | kXm>{}, c0 + std::size_t(i));
}

}  // namespace hphtsim::solvers::kernels
