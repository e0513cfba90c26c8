// SPDX-License-Identifier: MIT
// Growth-rate control (recipe.heater `control: growth_rate`): a receding-horizon,
// model-predictive law on the simulated growth rate, whose model is the simulation itself. It
// shows what ideal control of the rate would achieve, to compare with a designed or a
// production power program (no press measures a crystal's rate).
//
// Every `interval` the law looks `horizon` ahead: from the current state it simulates the cell
// at trial heater powers (each ramped in from the power now over one interval, then held),
// reads the seeds' mean rate over the horizon's last interval, and takes the power whose rate
// meets the target there (a secant search on ln rate against ln power, at most max_trials
// runs); then it ramps in that power over one interval and looks again. The rate's response to the power lags by hours and starts the wrong way (a
// quick power rise heats the seed before the source and the rate first falls: -35 % in 40 s
// after +100 W on the gem cell), which a law on the present rate alone cannot hold: with a
// first-order model identified on the run, the rate oscillated by +-10 % at every gain tried
// (docs/model.md, "Growth-rate control"). This header holds the search; simulation/
// rate_planner.hpp runs the trials.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace hphtsim::process {

struct GrowthRateSettings {
  double interval = 2 * 3600.0;     ///< s between decisions
  double horizon = 6 * 3600.0;      ///< s looked ahead at each decision
  double sensitivity = 20.0;        ///< first guess of d ln rate / d ln power (the gem cell: ~30)
  double max_power_rate = 10.0 / 3600.0;  ///< W/s: the change per decision is at most this x interval
  double power_min = 0.0;           ///< W
  double power_max = 3000.0;        ///< W
  double min_line_margin = 20.0;    ///< K: trials that end closer to the graphite-diamond line are refused
  double tolerance = 0.01;          ///< relative: a trial this close to the target ends the search
  int max_trials = 3;               ///< simulated trials per decision
  /// The target is at most this fraction of the seeds' mean critical rate (their size's rate
  /// above which inclusions are likely); NaN: the program alone.
  double critical_fraction = std::numeric_limits<double>::quiet_NaN();
  double capped(double target, double critical_rate) const {
    return std::isnan(critical_fraction) ? target : std::min(target, critical_fraction * critical_rate);
  }
};

/// The heater power the law sets: a ramp from `from` at `start` to `to` over `duration` (W, s),
/// then held. Not decided yet: from = NaN.
struct PowerRamp {
  double start = 0.0, from = std::numeric_limits<double>::quiet_NaN(), to = 0.0, duration = 0.0;
  double at(double t) const {
    const double f = duration > 0.0 ? std::clamp((t - start) / duration, 0.0, 1.0) : 1.0;
    return from + (to - from) * f;
  }
};

/// One decision's search over trial powers.
class RateSearch {
 public:
  struct Trial {
    double power = 0.0;        ///< W, held over the horizon
    double rate = 0.0;         ///< kg/s, the seeds' mean over the horizon's last interval
    double line_margin = 0.0;  ///< K, the smallest over the seeds and the horizon
  };
  /// From the power now (W), the target at the horizon (kg/s) and the sensitivity guess.
  RateSearch(const GrowthRateSettings& s, double power_now, double target, double sensitivity);

  /// The first trial's power (the power now), then each next one; NaN when the search is done.
  double next_power() const;
  void add(const Trial& t);
  /// The power to apply: the acceptable trial nearest the target (the power now lowered by the
  /// step limit when none is acceptable: every trial left the diamond field).
  double best_power() const;
  /// d ln rate / d ln power from the trials (the guess when they do not give one); carried to
  /// the next decision's first guess.
  double sensitivity() const { return sensitivity_; }
  const std::vector<Trial>& trials() const { return trials_; }

 private:
  GrowthRateSettings s_;
  double power_now_, target_, sensitivity_;
  std::vector<Trial> trials_;
  bool acceptable(const Trial& t) const { return t.line_margin >= s_.min_line_margin; }
  double lo() const;
  double hi() const;
};

}  // namespace hphtsim::process
