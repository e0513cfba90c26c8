// SPDX-License-Identifier: MIT
// Oil pressure of the press -> pressure in the cell, through calibration points (fixed-point
// transitions: Bi I-II 2.52 GPa, Tl II-III 3.7, Ba I-II 5.33, Bi III-V 7.38, physics.md 5.1),
// piecewise linear. Monotone by construction (a non-increasing curve is a config error); no
// extrapolation beyond the highest point (an error names the oil pressure).
#pragma once

#include <vector>

#include "hphtsim/core/config.hpp"

namespace hphtsim::process {

class PressureCalibration {
 public:
  PressureCalibration() = default;
  PressureCalibration(std::vector<double> oil, std::vector<double> cell);
  /// Reads a list of {oil: "55 MPa", cell: "5.33 GPa", fixed_point: "Ba I-II"}; checks that
  /// both columns increase strictly.
  static PressureCalibration from_config(const core::ConfigNode& list);

  bool empty() const { return oil_.empty(); }
  /// Cell pressure (Pa) at an oil pressure (Pa); std::out_of_range beyond the last point.
  double cell_pressure(double oil) const;
  double oil_pressure(double cell) const;  ///< the inverse
  double max_oil() const { return oil_.empty() ? 0.0 : oil_.back(); }
  double min_oil() const { return oil_.empty() ? 0.0 : oil_.front(); }

 private:
  std::vector<double> oil_, cell_;
};

}  // namespace hphtsim::process
