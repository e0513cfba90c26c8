// SPDX-License-Identifier: MIT
// Reading a cell field at a point: the probes that diagnostics, control and the outputs share
// (region means: geometry/region_mean.hpp). Reductions are thread-count independent
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

}  // namespace hphtsim::core
