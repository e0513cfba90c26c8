// SPDX-License-Identifier: MIT
// The time loop of one run. Each step couples the electric and thermal fields to convergence
// (Picard: properties at the latest temperature -> potential and Joule heat -> implicit
// temperature step, until the largest change of T is below the coupling tolerance), then
// records diagnostics. Fields live in contiguous arrays that Python views without copies.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hphtsim/physics/electric.hpp"
#include "hphtsim/physics/thermal.hpp"
#include "hphtsim/simulation/model.hpp"

namespace hphtsim::io {
class ResultWriter;
}

namespace hphtsim::simulation {

/// Figures of the current state, as written to /timeseries.
struct Diagnostics {
  double time = 0.0;
  physics::ElectricState electric;
  double T_max = 0.0;                  ///< K, hottest cell
  double heat_out = 0.0;               ///< W through the anvil faces
  double stored_rate = 0.0;            ///< W, rate of change of stored heat over the last step
  double energy_imbalance = 0.0;       ///< (P_joule - heat_out - stored) / P_joule over the last step
  int coupling_iterations = 0;
  int linear_iterations = 0;           ///< thermal + electric, summed over the last step
  double T_source = 0.0;               ///< K, mean over the carbon source (NaN without that role)
  std::vector<double> T_seed;          ///< K, mean over each seed
  std::vector<double> dT_source_seed;  ///< K, T_source - T_seed
  std::vector<double> T_probe;         ///< K, at each probe (trilinear in cell centres)
};

struct RunOptions {
  double until = -1.0;        ///< s, absolute simulated time to stop at; < 0: the model's time.end
  bool progress = false;      ///< progress line on stderr
};

class Simulation {
 public:
  explicit Simulation(Model model);
  ~Simulation();

  const Model& model() const { return model_; }
  double time() const { return time_; }

  /// Coupled steady state at the current settings (Picard with T-dependent properties).
  void solve_steady();
  /// One backward-Euler step of length dt (s), coupled to convergence.
  void step(double dt);
  /// Steps to `options.until`, writing snapshots (start, every snapshot_interval, end) and a
  /// time-series row per step when `writer` is given.
  void run(const RunOptions& options, io::ResultWriter* writer = nullptr);

  const Diagnostics& diagnostics() const { return diag_; }

  /// Live fields (K, V, W/m^3). Names: "T", "phi", "q".
  std::vector<double>& field(const std::string& name);
  std::vector<std::string> field_names() const { return {"T", "phi", "q"}; }
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

 private:
  Model model_;
  physics::ElectricProblem electric_;
  physics::ThermalProblem thermal_;
  double time_ = 0.0;
  double next_dt_ = 0.0;
  std::vector<double> T_, T_old_, T_iter_, phi_, heat_, q_density_;
  std::vector<double> resistivity_, conductivity_, rho_cp_;
  std::vector<double> cell_volume_;
  Diagnostics diag_;
  std::vector<std::vector<double>> history_;
  bool verbose_ = false;  // HPHTSIM_VERBOSE set: one line per coupling iteration on stderr

  void update_properties(const std::vector<double>& T);
  int couple(double dt);  // returns Picard iterations
  void update_diagnostics(double dt);
  double region_mean(int region) const;
  double probe_value(const Probe& p) const;
};

}  // namespace hphtsim::simulation
