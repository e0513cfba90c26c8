// SPDX-License-Identifier: MIT
// The Model: everything a run needs, read and validated from a config before anything is
// computed or written: grid, painted assembly, materials per id, electric control, anvil
// cooling, probes, time stepping and solver settings. Building a Model is what
// `hphtsim check` does; every problem is a ConfigError naming its key.
#pragma once

#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/grid.hpp"
#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/materials/material.hpp"
#include "hphtsim/physics/cell_pressure.hpp"
#include "hphtsim/physics/crystal_stress.hpp"
#include "hphtsim/physics/electric.hpp"
#include "hphtsim/physics/thermal.hpp"

#include "hphtsim/growth/crystals.hpp"
#include "hphtsim/process/calibration.hpp"
#include "hphtsim/process/control.hpp"
#include "hphtsim/process/recipe.hpp"
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
  double step = 10.0;                   ///< s, first step and first step after a segment change
  double max_step = 600.0;              ///< s
  double min_step = 1e-3;               ///< s, below this a step that fails is an error
  double step_growth = 2.0;             ///< largest growth factor from one step to the next
  double tolerance = 1.0;               ///< K, local error per step (max norm) of the step control
  double snapshot_interval = 1800.0;    ///< s
  double checkpoint_wall_interval = 3600.0;  ///< s of wall time between checkpoints
};

using process::HeaterRecipe;

struct CouplingSettings {
  double tolerance = 1e-2;   ///< K: Picard stops when the largest change of T is below this
  int max_iterations = 50;
};

struct Model {
  std::string config_yaml;  ///< resolved config (after overrides), written to /meta
  core::Grid grid;
  std::string grid_description;  ///< how the grid was laid out (conforming, graded, uniform)
  std::vector<std::string> warnings;  ///< what reading the config skipped (e.g. a log's unknown columns)
  geometry::Assembly assembly;
  geometry::MaterialMap map;
  std::vector<materials::Material> materials;  ///< indexed by map.material ids
  physics::ElectricSettings electric;
  physics::ThermalBoundary thermal;
  std::vector<Probe> probes;
  int heater_region = -1, source_region = -1, solvent_region = -1;  ///< primitive indices or -1
  TimeSettings time;
  HeaterRecipe heater_recipe;
  process::Schedule oil_pressure;          ///< Pa; empty without recipe.oil_pressure
  process::Schedule coolant_temperature;   ///< K; empty without recipe.coolant_temperature
  /// The anvils' coolant temperature at t: the recipe's program, else anvils.coolant_temperature.
  double coolant_at(double t) const {
    return coolant_temperature.empty() ? thermal.coolant_temperature : coolant_temperature.value(t);
  }
  std::vector<process::Drift> drifts;
  /// Cell pressure: from the oil-pressure recipe through the calibration, or a constant.
  process::PressureCalibration calibration;
  double constant_cell_pressure = std::numeric_limits<double>::quiet_NaN();  ///< Pa
  /// Thermo-elastic pressure field (docs/mechanics.md): pressure.field: true (every material
  /// then needs youngs_modulus, poisson_ratio and thermal_expansion), its relaxation, refresh
  /// rule and solver tolerance (solver.mechanics_tolerance).
  physics::PressureSettings pressure;
  physics::CrystalStressSettings crystal_stress;  ///< pressure.crystal_stress (used with the pressure field)
  /// Carbon transport and crystal growth (the `growth` section), absent without it.
  std::optional<growth::GrowthSettings> growth;
  CouplingSettings coupling;
  solvers::SolveOptions linear;

  /// Reads and validates; checks that every key was understood.
  static Model from_config(const core::Config& config);
  /// Loads a file, applies "key=value" overrides, then from_config.
  static Model from_file(const std::filesystem::path& path, const std::vector<std::string>& overrides = {});

  std::size_t seed_count() const { return assembly.seeds.size(); }
  /// Region id of seed s in map.region.
  int seed_region(std::size_t s) const { return int(assembly.primitives.size() + s); }
  /// Calibrated cell pressure (Pa) at time t (oil -> cell, room-temperature calibration, or
  /// the constant); NaN when the config gives no pressure.
  double cell_pressure(double t) const;
  bool has_pressure() const { return !calibration.empty() || !std::isnan(constant_cell_pressure); }
  /// The earliest recipe segment end after t (heater or oil pressure); +inf if none.
  double next_recipe_boundary(double t) const;
  /// True while a heater or oil-pressure segment ramps at t (the step controller then follows
  /// the changing load; the ETA counts such stretches apart).
  bool recipe_ramping(double t) const;
  /// [start, end] (s) of the main hold, the growth stage: the longest heater segment (a hold or
  /// a ramp) whose start and end values are both at least half the heater program's peak (a
  /// production power program ramps through its hold); else the longest oil-pressure hold; else
  /// [0, time.end].
  std::array<double, 2> main_hold() const;
};

}  // namespace hphtsim::simulation
