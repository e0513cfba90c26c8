// SPDX-License-Identifier: MIT
// Reader of the config's `pressure.crystal_stress` section (physics/crystal_stress.hpp).
#pragma once

#include "hphtsim/core/config.hpp"
#include "hphtsim/physics/crystal_stress.hpp"

namespace hphtsim::simulation {

physics::CrystalStressSettings read_crystal_stress(const core::ConfigNode& section);

}  // namespace hphtsim::simulation
