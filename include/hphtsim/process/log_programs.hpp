// SPDX-License-Identifier: MIT
// A press log as the programs that replay it (`recipe.from_log: {file, drive}`, issue 14 point 2):
// the driven heater quantity, the oil pressure and the cooling water, each the piecewise-linear
// function through the log's samples (held at the first sample's value before it, and at the
// last one's after the log ends).
#pragma once

#include <string>

#include "hphtsim/process/press_log.hpp"
#include "hphtsim/process/recipe.hpp"

namespace hphtsim::process {

struct LogPrograms {
  HeaterRecipe heater;      ///< mode from `drive`
  Schedule oil_pressure;    ///< empty without an oil_pressure column
  Schedule coolant;         ///< empty without a coolant_temperature column
};

/// The schedule through samples (t_i, v_i): t must increase and start at t_0 >= 0.
Schedule schedule_through(const std::vector<double>& t, const std::vector<double>& v);

/// `drive`: heater_power, heater_voltage, heater_current or heater_resistance (the column that
/// drives the heater). Throws ConfigError(drive_key, ...) for another name or a column the log
/// lacks, ConfigError(<file>, ...) for a log that starts before t = 0.
LogPrograms programs_from_log(const PressLog& log, const std::string& drive, const std::string& drive_key);

}  // namespace hphtsim::process
