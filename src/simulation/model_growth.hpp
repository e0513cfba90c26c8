// SPDX-License-Identifier: MIT
// Reader of the config's `growth` section (model.cpp calls it after the checks that need the
// rest of the model: roles, seeds, pressure).
#pragma once

#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"
#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/growth/crystals.hpp"

namespace hphtsim::simulation {

/// `solvent`: the solvent's material name and `seeds` the assembly's, for each seed's observed
/// growth window (the solvent's sourced table for the seed's face, unless `window` is given).
growth::GrowthSettings read_growth_settings(const core::ConfigNode& growth_section, const std::string& solvent,
                                            const std::vector<geometry::Seed>& seeds);

}  // namespace hphtsim::simulation
