// SPDX-License-Identifier: MIT
// A press's log (issue 14): CSV, one row per sample, a header naming each column with its unit
// in brackets, e.g.
//
//   time [h], heater_power [W], heater_voltage [V], heater_current [A], heater_resistance [mohm],
//   oil_pressure [MPa], coolant_temperature [degC], T_thermocouple [degC]
//
// Any subset of the known columns after `time`; `T_<probe>` names a probe of the config. Columns
// nobody knows are skipped with a warning. Values are read into SI (K for temperatures). Every
// defect is a ConfigError whose key is "<file>" and whose message names the row (1 = the header)
// and the column: no time column, time not increasing, a unit of the wrong dimension, an empty,
// NaN or non-numeric cell, a row with too few or too many cells, a repeated column, an empty file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hphtsim::process {

struct PressLogColumn {
  std::string name;         ///< as in the header, e.g. "heater_power", "T_thermocouple"
  std::string unit;         ///< as written, e.g. "mohm"
  std::vector<double> values;  ///< SI, one per row
};

struct PressLog {
  std::filesystem::path path;
  std::vector<double> time;              ///< s from the log's first row's time origin (as written)
  std::vector<PressLogColumn> columns;   ///< the known columns other than time, in file order
  std::vector<std::string> warnings;     ///< columns skipped, one line each
  /// The column of that name, or nullptr.
  const PressLogColumn* find(const std::string& name) const;
};

/// Reads and checks a log. `probe_names`: the config's probes, which `T_<probe>` columns must
/// name (any other `T_...` column is an error naming the probes).
PressLog read_press_log(const std::filesystem::path& path, const std::vector<std::string>& probe_names);
/// The same from text (`name` stands for the file in messages).
PressLog parse_press_log(const std::string& text, const std::string& name, const std::vector<std::string>& probe_names);

}  // namespace hphtsim::process
