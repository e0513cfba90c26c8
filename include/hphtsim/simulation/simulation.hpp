// SPDX-License-Identifier: MIT
// One run of a model: the composition root that wires the processes together and holds the
// clock. It owns the live material map (growth changes it; the Model stays as built), the
// electro-thermal process (simulation/electrothermal.hpp), the cell pressure
// (physics/cell_pressure.hpp), crystal growth (growth/crystals.hpp), the diagnostics
// (simulation/diagnostics.hpp), the one table of outputs (simulation/outputs.hpp) and the step
// controller (simulation/time_stepper.hpp). It holds no physics of its own. Fields live in
// contiguous arrays that Python views without copies.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hphtsim/growth/crystals.hpp"
#include "hphtsim/physics/cell_pressure.hpp"
#include "hphtsim/physics/crystal_stress.hpp"
#include "hphtsim/simulation/diagnostics.hpp"
#include "hphtsim/simulation/model.hpp"
#include "hphtsim/simulation/outputs.hpp"
#include "hphtsim/simulation/rate_planner.hpp"
#include "hphtsim/simulation/time_stepper.hpp"

namespace hphtsim::simulation {

class ElectroThermal;

/// Everything needed to continue a run exactly as if it had not stopped (the names of
/// simulation/checkpoint.cpp's table).
struct SimulationState {
  double time = 0.0, next_dt = 0.0, dt_prev = 0.0;
  int have_prev = 0, next_snapshot_index = 1, steps = 0, rejected_steps = 0;
  double pressure_relaxation = 0.0;
  int mechanics_solves = 0;
  physics::MechanicsState mechanics;  // empty without the pressure field
  physics::CrystalStress::State crystal_stress;  // its lock, reference and field (empty before a lock)
  double pid_integral = 0.0, pid_last_error = 0.0;
  int pid_started = 0;
  double heater_power = 0.0;           // W, the last step's (resistance and temperature segments start there)
  std::vector<double> heater_measured_start;  // per heater segment: a switch's measured start, NaN
  process::PowerRamp rate_ramp;        // growth_rate segments: the decided power ramp
  RatePlanner::State rate_planner;     // its decisions
  std::vector<double> T, T_prev, electric_warm_start, T_base, T_response;
  // Growth (empty without it): the material map it changed and its own state.
  std::vector<double> region, material;
  growth::CrystalGrowth::State growth;
};

class Simulation {
 public:
  explicit Simulation(Model model);
  ~Simulation();
  Simulation(const Simulation&) = delete;  // the output table and the processes point into it
  Simulation& operator=(const Simulation&) = delete;

  /// The model as built from the config (immutable).
  const Model& model() const { return model_; }
  /// The live material map (growth turns melt into diamond and exhausted source into melt).
  const geometry::MaterialMap& material_map() const { return map_; }
  double time() const { return time_; }

  /// Coupled steady state at the current settings (Picard with T-dependent properties).
  void solve_steady();
  /// One backward-Euler step of length dt (s), coupled to convergence (no step-size control).
  void step(double dt);
  /// Steps to `options.until` with step-size control, giving `observer` (when set) the
  /// snapshots (start, every snapshot_interval, every recipe segment end, end) and a
  /// time-series row per step. Returns true when it reached `until`, false when stopped early.
  /// Runs to a result file go through simulation/run.hpp.
  bool run(const RunOptions& options, RunObserver* observer = nullptr);

  const Diagnostics& diagnostics() const { return diag_; }
  /// The growth model (nullptr without a growth section).
  const growth::CrystalGrowth* crystals() const { return growth_.get(); }

  /// Every output of this run (fields and time-series columns), declared once.
  const OutputTable& outputs() const { return outputs_; }
  /// Live field by name (see outputs(); read-only fields such as "crystal" are refused here).
  std::vector<double>& field(const std::string& name);
  const std::vector<double>& field_view(const std::string& name) const;
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

  /// Declares every output of `sim` into `table`; with sim == nullptr, the catalogue of every
  /// output any config can have (src/simulation/outputs.cpp).
  static void declare_outputs(OutputTable& table, Simulation* sim);

 private:
  friend class TimeStepper;
  friend class RatePlanner;  // runs the simulation ahead and puts it back
  Model model_;
  geometry::MaterialMap map_;
  std::vector<double> cell_volume_;
  bool verbose_ = false;  // HPHTSIM_VERBOSE set: one line per coupling iteration on stderr
  std::unique_ptr<ElectroThermal> electro_;
  std::unique_ptr<physics::CellPressure> pressure_;
  std::unique_ptr<physics::CrystalStress> stress_;  // with the pressure field and growth
  std::unique_ptr<growth::CrystalGrowth> growth_;
  std::vector<growth::GrowthStatus> last_status_;
  TimeStepper stepper_;
  RatePlanner planner_;
  double time_ = 0.0;
  Diagnostics diag_;
  OutputTable outputs_;
  std::vector<std::vector<double>> history_;

  void attempt(double dt);  // couple over [time, time + dt]; T restored on failure
  void accept(double dt);   // commit the attempted step
  void refresh_diagnostics(double dt);
  // Thermo-elastic field (solved again when its inputs changed, unless reuse_saved_field: a
  // restored field is used as saved, as the uninterrupted run would), p_cell, p_seed.
  void update_pressure(double dt, bool reuse_saved_field = false);
};

}  // namespace hphtsim::simulation
