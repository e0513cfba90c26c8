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
  /// The accepted step's control update (ending at t_end): the PID's integral and error in
  /// temperature segments; at a segment that switches the programmed quantity, its start value.
  void commit_control(double dt, double t_end);
  /// The accepted step's growth (after commit_control and the growth step): the seeds' mean
  /// rate over it (kg/s) starts a switch to growth_rate (its program starts from that rate).
  /// The target is capped by rate_control.critical_fraction of the seeds' mean critical rate.
  void observe_growth_rate(double t_end, double mean_rate, double mean_critical_rate);
  /// The rate program's target (kg/s) at the last step's end in growth_rate segments, else NaN.
  double rate_target() const { return rate_target_; }
  /// A decision's horizon: t_ahead, or the end of the rate segments t_now is in when sooner,
  /// and the program's target rate there (kg/s; NaN when t_now is in no rate segment).
  struct RateWindow {
    double end, target;
  };
  RateWindow rate_window(double t_now, double t_ahead) const;
  /// The heater power of growth_rate segments, decided by the rate planner.
  void set_rate_ramp(const process::PowerRamp& r) { rate_ramp_ = r; }
  const process::PowerRamp& rate_ramp() const { return rate_ramp_; }

  const std::vector<double>& T() const { return T_; }
  std::vector<double>& T() { return T_; }
  const std::vector<double>& T_old() const { return T_old_; }
  std::vector<double>& phi() { return phi_; }
  std::vector<double>& q() { return q_density_; }  ///< W/m^3
  const physics::ElectricState& electric() const { return electric_state_; }
  /// The last coupling's programmed temperature (K) or resistance (ohm) in temperature and
  /// resistance segments, else NaN.
  double setpoint() const { return setpoint_; }
  /// False when the last resistance coupling found no power within the supply's limit that
  /// gives the programmed resistance.
  bool resistance_reachable() const { return resistance_reachable_; }
  int linear_iterations() const { return linear_iterations_; }
  double heat_out() const { return thermal_.heat_out(T_); }  ///< W through the anvil faces

  struct State {
    std::vector<double> T, electric_warm_start, T_base, T_response;
    double pid_integral = 0.0, pid_last_error = 0.0;
    bool pid_started = false;
    std::vector<double> measured_start;  ///< per recipe segment: its measured start (switches), NaN
    double power = 0.0;                  ///< W, the last coupling's heater power
    process::PowerRamp rate_ramp;        ///< growth_rate segments
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
  process::PowerRamp rate_ramp_;  // growth_rate segments
  double rate_target_;
  physics::ElectricState electric_state_;
  process::Schedule program_;           // the heater program, with the switches' measured starts
  std::vector<double> measured_start_;  // per segment (NaN: not a switch, or not reached)
  double setpoint_;
  bool resistance_reachable_ = true;
  double secant_in_ = 0.0, secant_out_ = 0.0;  // the last pass's power in and out (resistance segments)
  std::vector<std::size_t> carriers_;   // cells that carry current (resistance segments)
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
  void drive_heater(double t);  // the mode and setpoint of the step ending at t, before a solve
  /// The heater power whose temperatures T_base + P T_response give the resistance `target`.
  double power_for_resistance(double target, const physics::ElectricState& unit, double power_near);
};

}  // namespace hphtsim::simulation
