// SPDX-License-Identifier: MIT
// Reader of the config's `growth` section (model.cpp calls it after the checks that need the
// rest of the model: roles, seeds, pressure).
#pragma once

#include "hphtsim/core/config.hpp"
#include "hphtsim/growth/crystals.hpp"

namespace hphtsim::simulation {

growth::GrowthSettings read_growth_settings(const core::ConfigNode& growth_section);

}  // namespace hphtsim::simulation
