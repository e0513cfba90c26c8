// SPDX-License-Identifier: MIT
// Means of a cell field over a region of the assembly (the carbon source, a seed), weighted by
// the region's volume in each cell: a cell the region's surface crosses counts with its
// fraction (volume_fractions.hpp), not wholly or not at all as its largest part would.
#pragma once

#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/geometry/assembly.hpp"

namespace hphtsim::geometry {

/// Sum over cells of field x (cell volume x the region's fraction of the cell) divided by the
/// region's volume; NaN when the region is < 0 or has no volume. Thread-count independent.
double region_mean(const core::Grid& grid, const MaterialMap& map, const std::vector<double>& cell_volume,
                   const std::vector<double>& field, int region);

}  // namespace hphtsim::geometry
