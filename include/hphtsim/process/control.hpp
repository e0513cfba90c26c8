// SPDX-License-Identifier: MIT
// Heater control and slow drifts over a press cycle.
//
// PID on heater power holding a thermocouple point at a setpoint. The controller is implicit:
// within a time step the thermocouple temperature is an affine function of the heater power,
// T_tc = a + b P (exact for frozen properties: the thermal problem is linear in the Joule
// source), so the PID law evaluated at the end of the step is solved for P in closed form.
// That keeps the loop stable for steps of hours, where an explicit PID would oscillate.
// Limits clamp P; anti-windup by back-calculation (the integral is reset so the unclamped law
// would give the clamped power).
#pragma once

#include <cmath>
#include <string>

namespace hphtsim::process {

struct PidSettings {
  double gain = 2.0;              ///< W/K
  double integral_time = 60.0;    ///< s
  double derivative_time = 0.0;   ///< s
  double power_min = 0.0;         ///< W
  double power_max = 3000.0;      ///< W
};

class PidController {
 public:
  PidController() = default;
  explicit PidController(PidSettings s) : s_(s) {}

  /// Heater power for a step of length dt (infinite: steady state, perfect control) when the
  /// thermocouple will read a + b P at the step's end.
  double power_for(double setpoint, double a, double b, double dt) const;
  /// Accepts the step: updates the integral (with anti-windup) and the last error.
  void commit(double setpoint, double measured, double power, double dt);

  double integral() const { return integral_; }
  double last_error() const { return last_error_; }
  bool started() const { return started_; }
  void restore(double integral, double last_error, bool started) {
    integral_ = integral;
    last_error_ = last_error;
    started_ = started;
  }
  const PidSettings& settings() const { return s_; }

 private:
  PidSettings s_;
  double integral_ = 0.0;
  double last_error_ = 0.0;
  bool started_ = false;
};

/// A property of one part of the assembly that changes over the cycle:
/// factor(t) = 1 + relative_change (1 - exp(-t / time_constant)). Physics.md 7: heater
/// resistance drift is "NF" (causes [E]: pyrophyllite water release, graphite-salt reactions,
/// changing contacts); this is the simplest law that a press log can calibrate.
struct Drift {
  enum class Property { electrical_resistivity, thermal_conductivity };
  Property property = Property::electrical_resistivity;
  int region = -1;             ///< primitive index, or -1 when `material` selects the cells
  int material = -1;           ///< material id, or -1
  double relative_change = 0.0;
  double time_constant = 1.0;  ///< s
  double factor(double t) const { return 1.0 + relative_change * (1.0 - std::exp(-std::max(t, 0.0) / time_constant)); }
};

}  // namespace hphtsim::process
