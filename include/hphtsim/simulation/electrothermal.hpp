// SPDX-License-Identifier: MIT
// The electro-thermal process: material laws -> per-cell resistivity, conductivity and chord
// heat capacity (latent heat included) with the cycle's drifts; the Picard coupling of the
// electric potential and the implicit temperature step; and the heater drive. This class is
// the only writer of the heater setpoint: a power recipe sets it from its schedule, a
// temperature recipe finds the power inside the coupling by the implicit PID (the thermocouple
// temperature is affine in the power for frozen properties: superposition of a base field and
// the response to 1 W).
#pragma once

#include <vector>

#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/physics/electric.hpp"
#include "hphtsim/physics/thermal.hpp"
#include "hphtsim/process/control.hpp"
#include "hphtsim/simulation/model.hpp"

namespace hphtsim::simulation {

class ElectroThermal {
 public:
  /// `model` and `map` (the simulation's live material map) must outlive this object.
  ElectroThermal(const Model& model, const geometry::MaterialMap& map, const std::vector<double>& cell_volume,
                 bool verbose);

  /// The electric state at time t with the current temperature (no thermal solve): the
  /// initial state of a run, and the fields of a restored one. keep_warm_start: the solve
  /// does not replace the saved initial guess of the next step's solve.
  void solve_electric(double t, bool keep_warm_start = false);

  /// Couples phi and T over a step ending at t_new (dt = inf: the steady state) until the
  /// largest change of T is below the coupling tolerance. T_scale (K): the temperature scale
  /// of the inexact linear tolerances (the hottest cell of the last state). Returns the Picard
  /// iterations; throws SolverError when it does not converge.
  int couple(double dt, double t_new, double T_scale);

  void begin_step() { T_old_ = T_; }  ///< T_old := T before an attempt
  void reject_step() { T_ = T_old_; }  ///< back to T_old after a failed or rejected attempt
  /// The accepted step's control update (temperature recipes: the PID's integral and error).
  void commit_control(double dt);

  const std::vector<double>& T() const { return T_; }
  std::vector<double>& T() { return T_; }
  const std::vector<double>& T_old() const { return T_old_; }
  std::vector<double>& phi() { return phi_; }
  std::vector<double>& q() { return q_density_; }  ///< W/m^3
  const physics::ElectricState& electric() const { return electric_state_; }
  double T_setpoint() const { return T_setpoint_; }  ///< K, the last coupling's (temperature recipes)
  int linear_iterations() const { return linear_iterations_; }
  double heat_out() const { return thermal_.heat_out(T_); }  ///< W through the anvil faces

  struct State {
    std::vector<double> T, electric_warm_start, T_base, T_response;
    double pid_integral = 0.0, pid_last_error = 0.0;
    bool pid_started = false;
  };
  State state() const;
  /// Restores T (and T_old = T), the warm start and the controller.
  void restore(const State& s);

 private:
  const Model& model_;
  const geometry::MaterialMap& map_;
  const std::vector<double>& cell_volume_;
  bool verbose_;
  physics::ElectricProblem electric_;
  physics::ThermalProblem thermal_;
  process::PidController pid_;
  physics::ElectricState electric_state_;
  double T_setpoint_;
  int linear_iterations_ = 0;
  std::vector<double> T_, T_old_, T_iter_, phi_, joule_heat_, q_density_;  // joule_heat_: W per cell
  std::vector<double> T_base_, T_response_, no_heat_;
  void anderson_mix(int iteration);
  // Anderson(1) mixing of the steady Picard iteration: the previous iterate's input and output.
  std::vector<double> anderson_x_, anderson_g_;
  std::vector<double> resistivity_, conductivity_, rho_cp_;
  // Mixed cells (map_.mixed): resistivity and inverse conductivity along x, y, z.
  std::vector<std::array<double, 3>> mixed_resistivity_, mixed_inverse_conductivity_;
  std::vector<double> drift_factor_;  // of each drift at the last update_properties

  void update_properties(double t);
  void drive_heater(double t);  // the setpoint at t (power recipe), before a solve
};

}  // namespace hphtsim::simulation
