// SPDX-License-Identifier: MIT
// The time loop of one run. Each step couples the electric and thermal fields to convergence
// (Picard: properties at the latest temperature -> potential and Joule heat -> implicit
// temperature step, until the largest change of T is below the coupling tolerance). Under
// temperature control the heater power is found inside that loop by the implicit PID (the
// thermocouple temperature is affine in the power for frozen properties). Steps are sized by
// a local-error estimate, land on snapshot times and recipe segment ends, and restart small
// after each segment change. Fields live in contiguous arrays that Python views without copies.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hphtsim/growth/crystals.hpp"
#include "hphtsim/physics/electric.hpp"
#include "hphtsim/physics/mechanics.hpp"
#include "hphtsim/physics/thermal.hpp"
#include "hphtsim/process/control.hpp"
#include "hphtsim/simulation/model.hpp"

namespace hphtsim::io {
class ResultWriter;
}

namespace hphtsim::simulation {

/// Figures of the current state, as written to /timeseries.
struct Diagnostics {
  double time = 0.0;
  double step = 0.0;                   ///< s, length of the last step
  physics::ElectricState electric;
  double T_max = 0.0;                  ///< K, hottest cell
  double heat_out = 0.0;               ///< W through the anvil faces
  double stored_rate = 0.0;            ///< W, rate of change of stored heat over the last step
  double energy_imbalance = 0.0;       ///< (P_joule - heat_out - stored) / P_joule over the last step
  int coupling_iterations = 0;
  int linear_iterations = 0;           ///< thermal + electric, summed over the last step
  double T_control = 0.0;              ///< K, thermocouple (temperature recipe) else NaN
  double T_setpoint = 0.0;             ///< K, its setpoint else NaN
  double oil_pressure = 0.0;           ///< Pa, from the recipe (NaN without one)
  double p_calibrated = 0.0;           ///< Pa, from the oil pressure (NaN without a pressure section)
  double p_cell = 0.0;                 ///< Pa, mean over the growth capsule (the field's, else calibrated)
  std::vector<double> p_seed;          ///< Pa, mean over the melt touching each crystal (with the pressure field)
  int mechanics_solves = 0;            ///< thermo-elastic solves so far (the field is reused while its inputs hold)
  double T_source = 0.0;               ///< K, mean over the carbon source (NaN without that role)
  std::vector<double> T_seed;          ///< K, mean over each seed
  std::vector<double> dT_source_seed;  ///< K, T_source - T_seed
  std::vector<double> T_probe;         ///< K, at each probe (trilinear in cell centres)
  int steps = 0;                       ///< accepted steps so far
  int rejected_steps = 0;              ///< steps redone with a smaller size
};

/// Everything needed to continue a run exactly as if it had not stopped.
struct SimulationState {
  double time = 0.0, next_dt = 0.0, dt_prev = 0.0;
  int have_prev = 0, next_snapshot_index = 1, steps = 0, rejected_steps = 0;
  double pressure_relaxation = 0.0;
  int mechanics_solves = 0;
  physics::MechanicsState mechanics;  // empty without the pressure field
  double pid_integral = 0.0, pid_last_error = 0.0;
  int pid_started = 0;
  std::vector<double> T, T_prev, electric_warm_start, T_base, T_response;
  // Growth (empty without it): the material map it changed and its own state.
  std::vector<double> region, material;
  growth::CrystalGrowth::State growth;
};

struct RunOptions {
  double until = -1.0;        ///< s, absolute simulated time to stop at; < 0: the model's time.end
  bool progress = false;      ///< progress line on stderr
  /// Called with a state to save: every checkpoint_wall_interval of wall time, when a stop is
  /// requested, and at the end (then with the state before a last step shortened to land on
  /// `until`, so a continuation repeats the uninterrupted run's steps).
  std::function<void(const SimulationState&)> checkpoint;
  /// When set to true (by a signal handler), the run finishes its step, checkpoints, returns.
  const std::atomic<bool>* stop = nullptr;
};

class Simulation {
 public:
  explicit Simulation(Model model);
  ~Simulation();

  const Model& model() const { return model_; }
  double time() const { return time_; }

  /// Coupled steady state at the current settings (Picard with T-dependent properties).
  void solve_steady();
  /// One backward-Euler step of length dt (s), coupled to convergence (no step-size control).
  void step(double dt);
  /// Steps to `options.until` with step-size control, writing snapshots (start, every
  /// snapshot_interval, every recipe segment end, end) and a time-series row per step when
  /// `writer` is given. Returns true when it reached `until`, false when stopped early.
  bool run(const RunOptions& options, io::ResultWriter* writer = nullptr);

  const Diagnostics& diagnostics() const { return diag_; }
  /// The growth model (nullptr without a growth section).
  const growth::CrystalGrowth* crystals() const { return growth_.get(); }

  /// Live fields (K, V, W/m^3; with growth also "carbon" (mass fraction) and "crystal"
  /// (seed index + 1, 0 elsewhere)). Names: "T", "phi", "q", "carbon", "crystal".
  std::vector<double>& field(const std::string& name);
  std::vector<std::string> field_names() const;
  std::string field_units(const std::string& name) const;

  /// Time-series layout (matches the values of series_row()).
  struct SeriesColumn {
    std::string name, units;
    int columns;
  };
  std::vector<SeriesColumn> series_layout() const;
  std::vector<double> series_row() const;
  /// Every row recorded so far: the initial state, then one per step or steady solve.
  const std::vector<std::vector<double>>& series_history() const { return history_; }

  SimulationState state() const;
  /// Continues from a saved state (same model); recomputes the fields and diagnostics.
  void restore(const SimulationState& s);

 private:
  Model model_;
  physics::ElectricProblem electric_;
  physics::ThermalProblem thermal_;
  process::PidController pid_;
  std::unique_ptr<growth::CrystalGrowth> growth_;
  std::unique_ptr<physics::Mechanics> mechanics_;
  std::vector<double> E_, nu_, eigenstrain_, p_field_;
  std::vector<unsigned char> fluid_, capsule_, seed_melt_;
  double capsule_volume_ = 0.0;  // m^3
  double relaxation_ = 0.0;  // ram-position offset the medium has relaxed (m)
  std::vector<growth::GrowthStatus> last_status_;
  double time_ = 0.0;
  double next_dt_ = 0.0;
  double dt_prev_ = 0.0;
  bool have_prev_ = false;
  int next_snapshot_index_ = 1;
  std::vector<double> T_, T_old_, T_prev_, T_iter_, phi_, heat_, q_density_;
  std::vector<double> T_base_, T_response_, zero_;
  std::vector<double> resistivity_, conductivity_, rho_cp_;
  std::vector<double> cell_volume_;
  Diagnostics diag_;
  std::vector<std::vector<double>> history_;
  bool verbose_ = false;  // HPHTSIM_VERBOSE set: one line per coupling iteration on stderr

  void attempt(double dt);  // couple over [time, time + dt]; T_ restored on failure
  void accept(double dt);   // commit the attempted step
  void update_properties(double t);
  int couple(double dt, double t_new);  // returns Picard iterations
  void update_diagnostics(double dt);
  void report_status_changes();  // one line on stderr when a seed leaves or re-enters the window
  // Thermo-elastic field (solved again when its inputs changed, unless reuse_saved_field: a
  // restored field is used as saved, as the uninterrupted run would), p_cell, p_seed.
  void update_pressure(double dt, bool reuse_saved_field = false);
  double region_mean(int region) const;
  double probe_value(const std::vector<double>& field, const Probe& p) const;
  // Calls column(name, units, width, append) for every time-series column, in order;
  // append(row) adds the column's current values.
  template <class F>
  void for_each_series_column(F&& column) const;
  double local_error(double dt) const;
};

}  // namespace hphtsim::simulation
