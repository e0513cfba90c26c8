// SPDX-License-Identifier: MIT
#include "hphtsim/process/calibration.hpp"

#include <algorithm>
#include <stdexcept>

#include "hphtsim/core/error.hpp"

namespace hphtsim::process {

PressureCalibration::PressureCalibration(std::vector<double> oil, std::vector<double> cell)
    : oil_(std::move(oil)), cell_(std::move(cell)) {
  HPHTSIM_CHECK(oil_.size() == cell_.size() && oil_.size() >= 2, "calibration needs >= 2 points");
}

PressureCalibration PressureCalibration::from_config(const core::ConfigNode& list) {
  std::vector<double> oil, cell;
  for (const auto& p : list.items()) {
    oil.push_back(p.quantity("oil", core::dim::pressure, "an oil pressure such as \"55 MPa\""));
    cell.push_back(p.quantity("cell", core::dim::pressure, "a cell pressure such as \"5.33 GPa\""));
    p.find("fixed_point");  // a label, e.g. "Ba I-II"
    core::require_non_negative(p.key_path("oil"), oil.back(), core::dim::pressure);
    core::require_non_negative(p.key_path("cell"), cell.back(), core::dim::pressure);
    if (cell.back() > 20e9) p.fail_key("cell", "above 20 GPa: out of range for a cubic press");
    if (oil.size() > 1 && !(oil.back() > oil[oil.size() - 2]))
      p.fail_key("oil", "calibration points must be in increasing oil pressure");
    if (cell.size() > 1 && !(cell.back() > cell[cell.size() - 2]))
      p.fail_key("cell", "the calibration curve must be monotone: cell pressure must rise with oil pressure");
  }
  if (oil.size() < 2) list.fail("a calibration needs at least two points");
  return PressureCalibration(std::move(oil), std::move(cell));
}

namespace {
double interpolate(const std::vector<double>& x, const std::vector<double>& y, double v, const char* what) {
  if (v < x.front() || v > x.back() * (1 + 1e-12))
    throw std::out_of_range(std::string(what) + " outside the calibration range");
  auto it = std::upper_bound(x.begin(), x.end(), v);
  std::size_t i = std::min<std::size_t>(std::size_t(it - x.begin()), x.size() - 1);
  if (i == 0) i = 1;
  const double w = (v - x[i - 1]) / (x[i] - x[i - 1]);
  return y[i - 1] + w * (y[i] - y[i - 1]);
}
}  // namespace

double PressureCalibration::cell_pressure(double oil) const { return interpolate(oil_, cell_, oil, "oil pressure"); }
double PressureCalibration::oil_pressure(double cell) const { return interpolate(cell_, oil_, cell, "cell pressure"); }

}  // namespace hphtsim::process
