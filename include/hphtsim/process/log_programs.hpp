// SPDX-License-Identifier: MIT
// A press log as the programs that replay it (`recipe.from_log: {file, drive, tolerance}`,
// issue 14 point 2): the driven heater quantity, the oil pressure and the cooling water, each the
// piecewise-linear function through the log's samples (held at the first sample's value before
// it, and at the last one's after the log ends).
//
// Where the time stepper lands: a recipe's segment ends are kinks, and the stepper lands on each
// and starts small again. A log has a segment per sample, most of them no kink at all (a ramp or
// a hold sampled every minute, with noise), and landing on each would cost a restart per sample
// (a three-week log sampled hourly took 4,490 steps instead of 234). So a log's program lands
// only where it bends: on the samples of the polyline simplified to within a tolerance per column
// (default 0.5 % of the column's range; 0 lands on every sample). The values the run uses still
// follow every sample; between landings the stepper samples them at its step ends.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"
#include "hphtsim/process/press_log.hpp"
#include "hphtsim/process/recipe.hpp"

namespace hphtsim::process {

struct LogPrograms {
  HeaterRecipe heater;      ///< mode from `drive`
  Schedule oil_pressure;    ///< empty without an oil_pressure column
  Schedule coolant;         ///< empty without a coolant_temperature column
};

/// Fraction of a column's range (max - min) within which a log's program may depart from the
/// straight line between its landing points.
inline constexpr double kDefaultLogTolerance = 0.005;

/// Column name -> tolerance (SI; K for the coolant's temperature difference).
using LogTolerances = std::map<std::string, double>;

/// Landing flags per sample (1: the stepper lands there): the samples of the greedy
/// simplification of (t, v) within `tolerance`; the last sample always lands.
std::vector<char> bends(const std::vector<double>& t, const std::vector<double>& v, double tolerance);

/// The schedule through samples (t_i, v_i): t must increase and start at t_0 >= 0. It lands on
/// the bends within `tolerance` (0: on every sample).
Schedule schedule_through(const std::vector<double>& t, const std::vector<double>& v, double tolerance = 0.0);

/// `recipe.from_log.tolerance` (a mapping COLUMN: QUANTITY), or none; errors name the key.
LogTolerances read_log_tolerances(const core::ConfigNode* node);

/// `drive`: heater_power, heater_voltage, heater_current or heater_resistance (the column that
/// drives the heater). Throws ConfigError(drive_key, ...) for another name or a column the log
/// lacks, ConfigError(<file>, ...) for a log that starts before t = 0.
LogPrograms programs_from_log(const PressLog& log, const std::string& drive, const std::string& drive_key,
                              const LogTolerances& tolerances = {});

}  // namespace hphtsim::process
