// SPDX-License-Identifier: MIT
// The Model: everything a run needs, read and validated from a config before anything is
// computed or written: grid, painted assembly, materials per id, electric control, anvil
// cooling, probes, time stepping and solver settings. Building a Model is what
// `hphtsim check` does; every problem is a ConfigError naming its key.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/grid.hpp"
#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/materials/material.hpp"
#include "hphtsim/physics/electric.hpp"
#include "hphtsim/physics/thermal.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::simulation {

struct Probe {
  std::string name;
  std::array<double, 3> position{0, 0, 0};  ///< m
};

struct TimeSettings {
  double initial_temperature = 298.15;  ///< K
  bool start_from_steady_state = false; ///< solve the steady state first, then step from it
  double end = 0.0;                     ///< s, simulated time of a run unless --until says otherwise
  double step = 10.0;                   ///< s, first step
  double max_step = 600.0;              ///< s
  double step_growth = 1.2;             ///< factor per step while the coupling converges easily
  double snapshot_interval = 1800.0;    ///< s
};

struct CouplingSettings {
  double tolerance = 1e-3;   ///< K: Picard stops when the largest change of T is below this
  int max_iterations = 50;
};

struct Model {
  std::string config_yaml;  ///< resolved config (after overrides), written to /meta
  core::Grid grid;
  geometry::Assembly assembly;
  geometry::MaterialMap map;
  std::vector<materials::Material> materials;  ///< indexed by map.material ids
  physics::ElectricSettings electric;
  physics::ThermalBoundary thermal;
  std::vector<Probe> probes;
  int heater_region = -1, source_region = -1, solvent_region = -1;  ///< primitive indices or -1
  TimeSettings time;
  CouplingSettings coupling;
  solvers::SolveOptions linear;

  /// Reads and validates; checks that every key was understood.
  static Model from_config(const core::Config& config);
  /// Loads a file, applies "key=value" overrides, then from_config.
  static Model from_file(const std::filesystem::path& path, const std::vector<std::string>& overrides = {});

  std::size_t seed_count() const { return assembly.seeds.size(); }
  /// Region id of seed s in map.region.
  int seed_region(std::size_t s) const { return int(assembly.primitives.size() + s); }
};

}  // namespace hphtsim::simulation
