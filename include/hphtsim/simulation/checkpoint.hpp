// SPDX-License-Identifier: MIT
// SimulationState <-> the named scalars and arrays of an io checkpoint.
#pragma once

#include <string>

#include "hphtsim/io/checkpoint.hpp"
#include "hphtsim/simulation/simulation.hpp"

namespace hphtsim::simulation {

io::CheckpointData to_checkpoint(const SimulationState& state, const std::string& config_yaml);
/// Throws ConfigError("--restart", ...) when an entry is missing.
SimulationState from_checkpoint(const io::CheckpointData& data);

}  // namespace hphtsim::simulation
