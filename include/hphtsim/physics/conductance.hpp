// SPDX-License-Identifier: MIT
// Face conductances of the cell-centred finite-volume discretisation, shared by the electric,
// thermal and (later) carbon fields. Between cells c and n across a face of area A the two
// half-cells are in series: T = A / (d_c/(2 k_c) + d_n/(2 k_n)) — the harmonic mean of the
// coefficients, exact for piecewise-constant k and second order in general.
#pragma once

#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/solvers/stencil_operator.hpp"

namespace hphtsim::physics {

/// Fills op.tx/ty/tz from per-cell resistivities r = 1/k (use 1/sigma for the electric field).
/// Faces with active[c] == 0 or active[n] == 0 get T = 0 (pass an empty mask for "all active").
void fill_face_conductances(const core::Grid& grid, const std::vector<double>& inverse_coefficient,
                            const std::vector<unsigned char>& active, solvers::StencilOperator& op);

}  // namespace hphtsim::physics
