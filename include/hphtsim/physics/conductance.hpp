// SPDX-License-Identifier: MIT
// Face conductances of the cell-centred finite-volume discretisation, shared by the electric,
// thermal and (later) carbon fields. Between cells c and n across a face of area A the two
// half-cells are in series: T = A / (d_c/(2 k_c) + d_n/(2 k_n)) — the harmonic mean of the
// coefficients, exact for piecewise-constant k and second order in general.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/solvers/stencil_operator.hpp"

namespace hphtsim::physics {

/// The cells of several materials (volume fractions): their inverse coefficient along x, y and
/// z (docs/model.md, "Mixed cells"), which replaces the per-cell one. Both pointers null: none.
struct DirectionalCells {
  const std::vector<std::int32_t>* index = nullptr;         ///< per cell: into value, or -1
  const std::vector<std::array<double, 3>>* value = nullptr;  ///< per mixed cell, x y z
  /// The inverse coefficient of cell c along `axis`: its own, or the per-cell one.
  double along(const std::vector<double>& per_cell, std::size_t c, int axis) const {
    const std::int32_t m = index ? (*index)[c] : -1;
    return m < 0 ? per_cell[c] : (*value)[std::size_t(m)][std::size_t(axis)];
  }
};

/// Fills op.tx/ty/tz from per-cell resistivities r = 1/k (use 1/sigma for the electric field),
/// along each axis from `directional` for its cells. Faces with active[c] == 0 or active[n] == 0
/// get T = 0 (pass an empty mask for "all active").
void fill_face_conductances(const core::Grid& grid, const std::vector<double>& inverse_coefficient,
                            const std::vector<unsigned char>& active, solvers::StencilOperator& op,
                            const DirectionalCells& directional = {});

}  // namespace hphtsim::physics
