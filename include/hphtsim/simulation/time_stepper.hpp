// SPDX-License-Identifier: MIT
// Step-size control of a run: backward-Euler steps sized by a local-error estimate (max norm of
// the difference from the linear extrapolation of the two previous solutions), landing exactly
// on snapshot times, recipe segment ends and `until`, small again after each segment change,
// retried with a quarter of the step when the coupling fails. Also the progress line, with the
// ETA of simulation/eta.hpp.
#pragma once

#include <atomic>
#include <functional>
#include <vector>

namespace hphtsim::simulation {

class Simulation;
struct Model;
class OutputTable;
struct SimulationState;

/// Where a run's results go (the run driver adapts the result file; nullptr: nowhere).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void series_row(const std::vector<double>& row) = 0;
  virtual void snapshot(double time, const OutputTable& outputs) = 0;
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

/// The controller's state between steps (part of a checkpoint).
struct StepperState {
  double next_dt = 0.0, dt_prev = 0.0;
  bool have_prev = false;
  int next_snapshot_index = 1;
  std::vector<double> T_prev;  ///< K, the solution before the last step's start
};

class TimeStepper {
 public:
  /// Steps `sim` to options.until; returns true when it got there, false when stopped.
  bool run(Simulation& sim, const RunOptions& options, RunObserver* observer);

  /// Bookkeeping of a step or steady state taken outside run() (Simulation::step, solve_steady).
  void accepted(double dt, const std::vector<double>& T_old);
  void reset_history(const std::vector<double>& T);

  StepperState& state() { return s_; }
  const StepperState& state() const { return s_; }

 private:
  StepperState s_;
  int nz_ = 1;  // planes of the grid (the error estimate's thread-independent reduction)
  double local_error(const std::vector<double>& T, const std::vector<double>& T_old, double dt) const;
};

}  // namespace hphtsim::simulation
