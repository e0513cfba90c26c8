// SPDX-License-Identifier: MIT
// Figures of the current state: the hottest cell, the energy balance of the last step, region
// means over the carbon source and each seed, the probes, the control and pressure figures,
// and the console note when a seed leaves or re-enters its growth window.
#pragma once

#include <vector>

#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/growth/crystals.hpp"
#include "hphtsim/physics/electric.hpp"
#include "hphtsim/simulation/model.hpp"

namespace hphtsim::simulation {

class ElectroThermal;

/// Figures of the current state, as written to /timeseries.
struct Diagnostics {
  double time = 0.0;
  double step_length = 0.0;            ///< s, length of the last step (0 for a steady state)
  physics::ElectricState electric;
  double T_max = 0.0;                  ///< K, hottest cell
  double heat_out = 0.0;               ///< W through the anvil faces
  double stored_rate = 0.0;            ///< W, rate of change of stored heat over the last step
  double energy_imbalance = 0.0;       ///< (P_joule - heat_out - stored) / P_joule over the last step
  int coupling_iterations = 0;
  int linear_iterations = 0;           ///< thermal + electric, summed over the last step
  double T_control = 0.0;              ///< K, thermocouple (temperature recipe) else NaN
  double T_setpoint = 0.0;             ///< K, its setpoint in temperature segments, else NaN
  double R_setpoint = 0.0;             ///< ohm, the programmed heater resistance in resistance segments, else NaN
  double rate_target = 0.0;            ///< kg/s, the seeds' mean rate target in growth_rate segments, else NaN
  double oil_pressure = 0.0;           ///< Pa, from the recipe (NaN without one)
  double p_calibrated = 0.0;           ///< Pa, from the oil pressure (NaN without a pressure section)
  double p_cell = 0.0;                 ///< Pa, mean over the growth capsule (the field's, else calibrated)
  std::vector<double> p_seed;          ///< Pa, mean over the melt touching each crystal (with the pressure field)
  double anvil_advance = 0.0;          ///< m, each anvil face's advance since the cold compression (with the field)
  int mechanics_solves = 0;            ///< thermo-elastic solves so far (the field is reused while its inputs hold)
  double T_source = 0.0;               ///< K, mean over the carbon source (NaN without that role)
  std::vector<double> T_seed;          ///< K, mean over each seed
  std::vector<double> dT_source_seed;  ///< K, T_source - T_seed
  /// K/m at the centre of each seed's top face: axial (> 0: hotter above), radial (> 0: hotter
  /// outwards); see seed_gradients in diagnostics.cpp.
  std::vector<double> dTdz_seed, dTdr_seed;
  std::vector<double> T_probe;         ///< K, at each probe (trilinear in cell centres)
  int steps = 0;                       ///< accepted steps so far
  int rejected_steps = 0;              ///< steps redone with a smaller size
};

/// Updates the thermal, control and calibrated-pressure figures of `d` at `time` after a step
/// of dt (inf: a steady state, no stored heat). `map` is the live material map. Without the
/// pressure field p_cell is the calibrated pressure.
void update_diagnostics(Diagnostics& d, const Model& model, const geometry::MaterialMap& map,
                        const std::vector<double>& cell_volume, const ElectroThermal& electrothermal, double time,
                        double dt, bool pressure_field);

/// One line on stderr for each seed whose growth status changed since `last` (updated).
void report_status_changes(const std::vector<growth::SeedDiagnostics>& seeds, const Model& model, double time,
                           std::vector<growth::GrowthStatus>& last);
/// One line on stderr for each part a crystal touched for the first time in the last step.
void report_contacts(const growth::CrystalGrowth& growth, const Model& model, double time);

}  // namespace hphtsim::simulation
