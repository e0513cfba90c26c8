// SPDX-License-Identifier: MIT
// Reading a cell field at a point and over a region: the probes and region means that
// diagnostics, control and the outputs share. Reductions are thread-count independent
// (core/parallel.hpp), so a figure does not move with OMP_NUM_THREADS.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "hphtsim/core/grid.hpp"

namespace hphtsim::core {

/// Trilinear interpolation between cell centres at `position` (m), clamped at the outermost
/// centres.
double probe_value(const Grid& grid, const std::vector<double>& field, const std::array<double, 3>& position);

/// Volume-weighted mean of `field` over the cells with region_of[c] == region; NaN when the
/// region is < 0 or covers no cell.
double region_mean(const Grid& grid, const std::vector<std::int32_t>& region_of, const std::vector<double>& cell_volume,
                   const std::vector<double>& field, int region);

}  // namespace hphtsim::core
