// SPDX-License-Identifier: MIT
// The growth-rate law's decisions (recipe.heater `control: growth_rate`,
// process/growth_rate_control.hpp): every rate_control.interval of a rate segment, from the
// current state, the simulation is run ahead over the horizon at trial heater powers, quietly
// and without output, and put back exactly where it was (its state, its recorded rows and its
// seeds' reported status); the power whose simulated rate meets the target is then applied.
// The decisions are part of the run's state, so a restarted run decides as the uninterrupted one.
#pragma once

#include <limits>

namespace hphtsim::simulation {

class Simulation;

class RatePlanner {
 public:
  /// After an accepted step (the time stepper calls it): decides when a decision is due.
  void after_step(Simulation& sim);

  /// Trial runs in progress: the simulation adds each accepted step's rate here.
  bool predicting() const { return predicting_; }
  void add_trial_step(double t_end, double dt, double mean_rate, double line_margin);

  struct State {
    double next_decision = std::numeric_limits<double>::quiet_NaN();  ///< s (NaN: none planned)
    double sensitivity = std::numeric_limits<double>::quiet_NaN();    ///< NaN: the settings' guess
  };
  const State& state() const { return st_; }
  void restore(const State& s) { st_ = s; }

 private:
  State st_;
  bool predicting_ = false;
  double window_start_ = 0.0, grown_ = 0.0, span_ = 0.0, margin_ = 0.0;
  void decide(Simulation& sim);
};

}  // namespace hphtsim::simulation
