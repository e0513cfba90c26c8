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
#include "hphtsim/process/growth_rate_control.hpp"

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
  /// What the values of one segment are: programs whose segments change the quantity they set
  /// (the heater: `control: resistance` on a segment) give each segment its own.
  struct ValueKind {
    core::Dimension dim;
    std::string what;
    ValueCheck check;
  };
  /// As above, with the kind of `start` (kind_of(-1)) and of each segment's `ramp_to`
  /// (kind_of(index)) from the caller.
  static Schedule from_config(const core::ConfigNode& node, const std::function<ValueKind(int segment)>& kind_of,
                              double default_start);

  /// Segment `segment` starts from `start` instead of the previous segment's end value, and the
  /// segments after it chain from there (a control switch that starts from what was measured).
  void restart_at(int segment, double start);
  /// The segment that a step ending at t belongs to (steps land on segment ends, so a step that
  /// ends at a boundary belongs to the segment before it); -1 before 0 or when empty.
  int segment_for_step(double t_end) const;
  /// The program's value at the end t_end of a step, within the step's own segment
  /// (segment_for_step): equal to value() where the program is continuous, and the old
  /// segment's end value at a switch to another quantity.
  double value_for_step(double t_end) const;
  double start_time(int segment) const { return ends_[std::size_t(segment)] - segments_[std::size_t(segment)].duration; }

  double value(double t) const;       ///< constant before 0 and after the end
  double end_time() const { return ends_.empty() ? 0.0 : ends_.back(); }
  bool empty() const { return segments_.empty(); }
  /// The first segment end strictly after t (+ tolerance) at which the time stepper lands;
  /// +infinity past the last.
  double next_boundary(double t) const;
  /// Which segment ends the stepper lands on (one flag per segment; all by default). A log's
  /// program lands only where it bends (log_programs.hpp); its values still follow every sample.
  void land_only_at(std::vector<char> lands);
  /// Index of the segment that holds t (the last one past the end, -1 before 0 / empty).
  int segment_at(double t) const;
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<double>& ends() const { return ends_; }

 private:
  double initial_ = 0.0;
  std::vector<Segment> segments_;
  std::vector<double> ends_;    // cumulative end times
  std::vector<double> starts_;  // value at each segment start
  std::vector<char> lands_;     // per segment: the stepper lands on its end
};

/// The heater part of the recipe: a program of the power (W), the voltage across the anvils (V),
/// the current (A) or the heater resistance V/I (ohm), as production presses run; or a
/// temperature setpoint (K) at a probe held by the PID controller (a lab thermocouple); or the
/// seeds' mean growth rate (kg/s) held by the model-predictive rate law (growth_rate_control.hpp:
/// ideal control, for comparison with a program). A segment
/// may switch what is programmed (`control: resistance` on it); the switch is bumpless: the new
/// quantity's program starts from its value measured at the switch.
struct HeaterRecipe {
  enum class Mode { none, power, voltage, current, resistance, temperature, growth_rate };
  Mode mode = Mode::none;         ///< of the first segment; Mode::none: no heater recipe
  Schedule schedule;              ///< values in each segment's own quantity (segment_mode)
  std::vector<Mode> segment_mode; ///< per segment
  std::vector<char> switches;     ///< per segment: 1 where the segment changes the mode
  int control_probe = -1;  ///< index into Model::probes (temperature segments)
  PidSettings pid;
  double power_max = 3000.0;  ///< W, the supply's limit for resistance segments
  GrowthRateSettings rate_control;  ///< growth_rate segments (recipe.heater.rate_control)

  /// The mode of the step that ends at t_end (the first mode before the program starts).
  Mode mode_for_step(double t_end) const;
  bool uses(Mode m) const;
  static const char* name(Mode m);

  /// Reads recipe.heater: control (the first mode), start, segments (each may carry its own
  /// `control`), control_probe and pid (temperature segments), power_max (resistance segments),
  /// rate_control (growth_rate segments).
  static HeaterRecipe from_config(const core::ConfigNode& node, const std::vector<std::string>& probe_names,
                                  double initial_temperature);
};

}  // namespace hphtsim::process
