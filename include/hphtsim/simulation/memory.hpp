// SPDX-License-Identifier: MIT
// The memory a run needs, estimated from its grid before anything grid-sized is allocated, so
// that a grid too large for the machine is a ConfigError naming cell.cells (exit 2) instead of
// std::bad_alloc in the middle of building the model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "hphtsim/core/memory.hpp"

namespace hphtsim::simulation {

/// Bytes a run of `cells` cells needs at its peak (an upper estimate; see memory.cpp for the
/// measurements behind the figures).
double estimated_run_bytes(std::size_t cells, bool pressure_field, bool growth);

/// ConfigError(key, "... needs about X GiB, Y GiB available ...") when the estimate
/// exceeds `available`; nothing when `available` is empty (the memory cannot be told).
void check_run_memory(int nx, int ny, int nz, bool pressure_field, bool growth,
                      const std::optional<core::MemoryBudget>& available, const std::string& key = "cell.cells");

}  // namespace hphtsim::simulation
