// SPDX-License-Identifier: MIT
// Oil pressure of the press -> pressure in the cell, through calibration points (fixed-point
// transitions observed at room temperature at known oil pressures), piecewise linear. Monotone
// by construction (a non-increasing curve is a config error); no extrapolation beyond the
// highest point (an error names the oil pressure).
//
// Pressure scales: the same transition has different pressures on different scales (Ba I-II is
// 5.33 GPa on the 1966 NaCl scale, 5.5 GPa on the 1972 practical scale), and a curve that mixes
// them carries a systematic of about 0.2 GPa at 5-7 GPa (../shared/REVIEW_PHYSICS.md #10). A
// config may name its scale (pressure.scale): the points that name a known fixed point then take
// its pressure from that scale, and the run reports the spread of the calibrated pressure over
// all the known scales.
#pragma once

#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"

namespace hphtsim::process {

/// The room-temperature pressure scales hphtsim knows (fixed_point_pressure gives the values).
enum class PressureScale { as_given, nacl_1966, practical_1972 };
const char* to_string(PressureScale s);
/// The scales with a table (all but as_given).
const std::vector<PressureScale>& tabulated_scales();
/// Pa of a fixed point ("Bi I-II", "Tl II-III", "Ba I-II", "Bi III-V") on a tabulated scale;
/// NaN for an unknown name.
double fixed_point_pressure(const std::string& name, PressureScale scale);

class PressureCalibration {
 public:
  PressureCalibration() = default;
  /// labels: the fixed point of each row ("" when none); empty: no labels.
  PressureCalibration(std::vector<double> oil, std::vector<double> cell, std::vector<std::string> labels = {});
  /// Reads a list of {oil: "55 MPa", cell: "5.33 GPa", fixed_point: "Ba I-II"}; checks that
  /// both columns increase strictly. On a tabulated scale a row that names a known fixed point
  /// takes its pressure from the scale and must not give `cell` (`scale_key` names the scale's key
  /// in the errors).
  static PressureCalibration from_config(const core::ConfigNode& list, PressureScale scale = PressureScale::as_given,
                                         const std::string& scale_key = "pressure.scale");
  bool empty() const { return oil_.empty(); }
  /// Cell pressure (Pa) at an oil pressure (Pa); std::out_of_range beyond the last point.
  double cell_pressure(double oil) const;
  double oil_pressure(double cell) const;  ///< the inverse
  double max_oil() const { return oil_.empty() ? 0.0 : oil_.back(); }
  double min_oil() const { return oil_.empty() ? 0.0 : oil_.front(); }
  /// The same points with every known fixed point on `scale` (the others as they are); empty
  /// when a row names an unknown fixed point or the moved curve would not rise.
  PressureCalibration on_scale(PressureScale scale) const;
  /// Largest minus smallest cell pressure at `oil` over this curve and its versions on every
  /// tabulated scale (Pa); NaN when the curve has no fixed-point labels or an unknown one.
  double scale_spread(double oil) const;

 private:
  std::vector<double> oil_, cell_;
  std::vector<std::string> labels_;
};

}  // namespace hphtsim::process
