// SPDX-License-Identifier: MIT
// The default config (configs/tgm_lab_small.yaml) with its grid laid out by `cell.grid` instead of
// `cell.cells` (the two keys are alternatives, and an override cannot remove a key): shared by
// the grid tests of the unit and verification tiers.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "hphtsim/core/config.hpp"
#include "hphtsim/simulation/model.hpp"

namespace hphtsim::test_support {

/// The default config with its `cells: [64, 64, 64]` line replaced by `grid: GRID`.
inline simulation::Model default_cell_with_grid(const std::string& grid) {
  const std::string dir = std::string(HPHTSIM_SOURCE_DIR) + "/configs";
  std::ifstream in(dir + "/tgm_lab_small.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string line = "cells: [64, 64, 64]";
  const auto at = text.find(line);
  if (at == std::string::npos) throw std::runtime_error("default config without its cells line");
  text.replace(at, line.size(), "grid: " + grid);
  return simulation::Model::from_config(core::Config::load_string(text, dir));
}

}  // namespace hphtsim::test_support
