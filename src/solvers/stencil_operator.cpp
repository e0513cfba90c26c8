// SPDX-License-Identifier: MIT
#include "hphtsim/solvers/stencil_operator.hpp"

namespace hphtsim::solvers {

StencilOperator::StencilOperator(int nx_, int ny_, int nz_)
    : nx(nx_), ny(ny_), nz(nz_),
      diag(size(), 0.0), tx(size(), 0.0), ty(size(), 0.0), tz(size(), 0.0) {}

}  // namespace hphtsim::solvers
