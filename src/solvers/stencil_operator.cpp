// SPDX-License-Identifier: MIT
#include "hphtsim/solvers/stencil_operator.hpp"

#include "hphtsim/solvers/stencil_kernels.hpp"

namespace hphtsim::solvers {

StencilOperator::StencilOperator(int nx_, int ny_, int nz_)
    : nx(nx_), ny(ny_), nz(nz_),
      diag(size(), 0.0), tx(size(), 0.0), ty(size(), 0.0), tz(size(), 0.0) {}

void StencilOperator::apply(const double* u, double* y) const {
  using namespace kernels;
  const CoefView a{diag.data(), tx.data(), ty.data(), tz.data(), std::ptrdiff_t(nx),
                   std::ptrdiff_t(nx) * std::ptrdiff_t(ny)};
  const int nx_ = nx, ny_ = ny, nz_ = nz;
  // One k-plane per iteration, static schedule: each thread streams a contiguous slab, and the
  // result is bitwise independent of the thread count (no reductions).
#pragma omp parallel for schedule(static)
  for (int k = 0; k < nz_; ++k) {
    for (int j = 0; j < ny_; ++j) {
      const std::size_t c0 = std::size_t(nx_) * (std::size_t(j) + std::size_t(ny_) * std::size_t(k));
      dispatch_yz(yz_mask(j, k, ny_, nz_), [&](auto fyz) {
        for_row<decltype(fyz)::value>(nx_, c0, [&](auto f, std::size_t c) {
          y[c] = apply_cell<decltype(f)::value>(a, u, c);
        });
      });
    }
  }
}

}  // namespace hphtsim::solvers
