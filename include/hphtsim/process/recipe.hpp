// SPDX-License-Identifier: MIT
// The press cycle as users write it: per controlled quantity, a start value and a list of
// segments, each a ramp to a target over a duration or a hold. A Schedule is the resulting
// piecewise-linear function of time; its segment ends are the times at which the time stepper
// lands exactly and shrinks its step.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"
#include "hphtsim/process/control.hpp"

namespace hphtsim::process {

struct Segment {
  enum class Kind { ramp, hold };
  Kind kind = Kind::hold;
  double duration = 0.0;  ///< s
  double target = 0.0;    ///< value at the end of a ramp (SI)
};

class Schedule {
 public:
  Schedule() = default;
  Schedule(double initial, std::vector<Segment> segments);
  /// Reads {start: "...", segments: [{ramp_to: X, duration: D}, {hold: D}, ...]}; values of
  /// dimension `dim`. `start` is optional when `default_start` is given (not NaN). `check`, when
  /// given, is called with the node and value of `start` and of every `ramp_to` (range checks
  /// that name the key, e.g. core::require_absolute_temperature).
  using ValueCheck = std::function<void(const core::ConfigNode& node, double value)>;
  static Schedule from_config(const core::ConfigNode& node, const core::Dimension& dim, const std::string& what,
                              double default_start, const ValueCheck& check = {});

  double value(double t) const;       ///< constant before 0 and after the end
  double end_time() const { return ends_.empty() ? 0.0 : ends_.back(); }
  bool empty() const { return segments_.empty(); }
  /// The first segment end strictly after t (+ tolerance); +infinity past the last.
  double next_boundary(double t) const;
  /// Index of the segment that holds t (the last one past the end, -1 before 0 / empty).
  int segment_at(double t) const;
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<double>& ends() const { return ends_; }

 private:
  double initial_ = 0.0;
  std::vector<Segment> segments_;
  std::vector<double> ends_;    // cumulative end times
  std::vector<double> starts_;  // value at each segment start
};

/// The heater part of the recipe: a program of the power (W), the voltage across the anvils (V)
/// or the current (A), as production presses run; or a temperature setpoint (K) at a probe held
/// by the PID controller (a lab thermocouple).
struct HeaterRecipe {
  enum class Mode { none, power, voltage, current, temperature };
  Mode mode = Mode::none;
  Schedule schedule;
  int control_probe = -1;  ///< index into Model::probes (temperature mode)
  PidSettings pid;
};

}  // namespace hphtsim::process
