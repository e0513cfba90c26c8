// SPDX-License-Identifier: MIT
// The progress line's estimate of the remaining wall time. It counts the steps the step
// controller can be expected to take over the rest of the recipe and prices each at the
// measured cost of a step of the same kind of cycle phase, not the simulated-time rate (which a
// heat-up makes meaningless). The phases differ in cost by an order of magnitude: a cold cell
// (pressurising, release) has no melt, no latent heat and few pressure solves; a heater ramp
// and a hot hold carry all of them.
#pragma once

#include <array>

namespace hphtsim::simulation {

struct Model;

/// The kinds of cycle phase the ETA prices apart.
enum class CyclePhase {
  cold,         ///< heater at its lowest programmed value, not ramping (pressurise, release)
  heater_ramp,  ///< the heater program ramps fast (heat-up, quench: shorter than 2 time.max_step)
  hot,          ///< the heater holds above its lowest value (the growth hold)
  cooling,      ///< the heater at its lowest value after it was hot: the cell cools (after a quench)
};
constexpr int cycle_phase_count = 4;

/// A heater ramp at least this many time.max_step long, and at least slow_ramp_min_duration, is
/// slow: it steps like a hold (hot or cold by its value), not like a heat-up or a quench. The day
/// is far beyond the cell's thermal time (minutes), so that with a small time.max_step (600 s by
/// default) a one-hour heat-up stays a fast ramp.
constexpr double slow_ramp_max_steps = 2.0;
constexpr double slow_ramp_min_duration = 86400.0;  ///< s

/// The phase of the cycle at time t (the segment that starts at t).
CyclePhase cycle_phase(const Model& model, double t);

/// Steps the controller expects, per kind of phase.
struct ExpectedSteps {
  std::array<double, cycle_phase_count> steps{};
  double& operator[](CyclePhase p) { return steps[std::size_t(p)]; }
  double operator[](CyclePhase p) const { return steps[std::size_t(p)]; }
  double total() const { return steps[0] + steps[1] + steps[2] + steps[3]; }
};

/// What the controller has shown so far about the rest of the run.
struct StepOutlook {
  double next_dt = 0.0;     ///< s, the step it plans next
  /// s, the step the local-error estimate allows now; caps the steps of the segment in
  /// progress, which the error, not the step growth, limits (0: no cap).
  double error_limited_dt = 0.0;
  /// Steps to assume for a whole heater ramp not yet started (the mean of the finished ones, or
  /// the estimate of the one in progress); 0: the growth rule.
  double steps_per_heater_ramp = 0.0;
  /// Steps to assume for the rest of the cooling after the heater went cold (the first
  /// cooling stretch; later ones by the growth rule); 0: the growth rule.
  double cooling_steps = 0.0;
};

/// The steps from time t to `until`: growth by time.step_growth up to time.max_step, landing
/// on snapshot times and recipe segment ends, time.step after each segment end; the segment in
/// progress capped at outlook.error_limited_dt; heater ramps (the one in progress too when it
/// has no error cap) at outlook.steps_per_heater_ramp.
ExpectedSteps expected_steps(const Model& model, double t, double until, int next_snapshot_index,
                             const StepOutlook& outlook);

/// Measures the cost of steps per phase during a run and turns expected steps into seconds.
class EtaEstimator {
 public:
  /// Wall time spent on one attempt (accepted or not) in phase p.
  void charge(CyclePhase p, double wall_seconds);
  /// An accepted step in phase p; ramp_ended: it landed on the end of a heater ramp.
  void accepted(CyclePhase p, bool ramp_ended);
  /// After an accepted step of length dt: the step the local-error estimate allows (inf when
  /// it has none) and whether it limited the next step (rather than the step growth).
  void set_error_limit(double allowed, double dt, bool limiting) {
    note_cooling_growth(allowed);
    recent_limits_[recent_next_] = allowed;
    recent_next_ = (recent_next_ + 1) % recent_limits_.size();
    error_limited_dt_ = allowed;
    last_dt_ = dt;
    error_limiting_ = limiting;
  }

  /// Seconds of wall time left from time t to `until`.
  double remaining(const Model& model, double t, double next_dt, double until, int next_snapshot_index) const;
  /// Wall seconds per accepted step of phase p (an unseen phase costs what a seen one did).
  double cost_per_step(CyclePhase p) const;

 private:
  struct Cost {
    double wall = 0.0, steps = 0.0;  // the hot phase's: a decaying sum over about 8 steps
  };
  std::array<Cost, cycle_phase_count> cost_{};
  int ramps_done_ = 0, ramp_steps_done_ = 0, steps_this_ramp_ = 0;
  int last_ramp_steps_ = 0, steps_this_cooling_ = 0;  // the last finished ramp's steps; the cooling's so far
  double wall_this_ramp_ = 0.0, last_ramp_wall_ = 0.0;  // s, the ramp in progress's and the last finished one's
  double error_limited_dt_ = 0.0, last_dt_ = 0.0;
  /// The error limits of the last three accepted steps: a hold's cap takes the largest, so that
  /// the dip after a step shortened to land on a snapshot is not taken for a trend.
  std::array<double, 3> recent_limits_{};
  std::size_t recent_next_ = 0;
  bool error_limiting_ = false;
  /// The cooling's error limit grows by a steady factor per step as the cell's departure from
  /// the coolant decays: the logs of the last three factors (counted by cooling_growths_seen_).
  void note_cooling_growth(double allowed);
  std::array<double, 3> cooling_log_growth_{};
  int cooling_growths_seen_ = 0;
  double last_cooling_limit_ = 0.0;
  CyclePhase last_phase_ = CyclePhase::cold;  // of the last accepted step
  int steps_this_hold_ = 0;                   // accepted steps since the hot phase began
};

}  // namespace hphtsim::simulation
