// SPDX-License-Identifier: MIT
#include "hphtsim/process/control.hpp"

#include <algorithm>
#include <cmath>

namespace hphtsim::process {

double PidController::power_for(double setpoint, double a, double b, double dt) const {
  if (std::isinf(dt)) {
    // Steady state: the power that puts the thermocouple on the setpoint.
    double p = b > 0.0 ? (setpoint - a) / b : s_.power_max;
    return std::clamp(p, s_.power_min, s_.power_max);
  }
  const double kp = s_.gain, ti = s_.integral_time, td = s_.derivative_time;
  // P = kp e + I_n + kp dt/ti e + kp td (e - e_n)/dt = c0 + c1 e, with e = sp - a - b P.
  const double c0 = integral_ - (started_ ? kp * td * last_error_ / dt : 0.0);
  const double c1 = kp * (1.0 + dt / ti + (started_ ? td / dt : 0.0));
  const double p = (c0 + c1 * (setpoint - a)) / (1.0 + c1 * b);
  return std::clamp(p, s_.power_min, s_.power_max);
}

void PidController::commit(double setpoint, double measured, double power, double dt) {
  const double e = setpoint - measured;
  if (std::isinf(dt)) {
    integral_ = power;  // steady: the integral carries the whole power
  } else {
    // The integral is whatever makes the law reproduce the power actually applied: the normal
    // accumulation when P was not limited, back-calculation anti-windup when it was.
    const double kp = s_.gain;
    const double d = started_ ? kp * s_.derivative_time * (e - last_error_) / dt : 0.0;
    integral_ = power - kp * e - d;
  }
  last_error_ = e;
  started_ = true;
}

}  // namespace hphtsim::process
