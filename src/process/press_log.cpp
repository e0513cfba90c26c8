// SPDX-License-Identifier: MIT
#include "hphtsim/process/press_log.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/units.hpp"

namespace hphtsim::process {
namespace {

namespace dim = core::dim;

struct KnownColumn {
  const char* name;
  core::Dimension dimension;
  const char* example;
};

// The columns a log may hold (issue 14), with the dimension of their unit.
const KnownColumn kKnown[] = {
    {"heater_power", dim::power, "W"},
    {"heater_voltage", dim::voltage, "V"},
    {"heater_current", dim::current, "A"},
    {"heater_resistance", dim::resistance, "mohm"},
    {"oil_pressure", dim::pressure, "MPa"},
    {"coolant_temperature", dim::temperature, "degC"},
};

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(trim(cell));
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

/// SI = offset + scale * x for a column's unit (affine: degC).
struct Conversion {
  double offset = 0.0, scale = 1.0;
};

}  // namespace

const PressLogColumn* PressLog::find(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

PressLog parse_press_log(const std::string& text, const std::string& name, const std::vector<std::string>& probe_names) {
  auto fail = [&](const std::string& message) -> void { throw ConfigError(name, message); };
  PressLog log;
  log.path = name;
  std::istringstream in(text);
  std::string line;
  int row = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++row;
    if (!trim(line).empty()) header = split(line);
  }
  if (header.empty()) fail("the log is empty (expected a header such as \"time [h], heater_power [W]\")");
  const int header_row = row;
  // Columns: name [unit]. -1: skipped, 0: time, k > 0: log.columns[k - 1].
  std::vector<int> role(header.size(), -1);
  std::vector<Conversion> conv(header.size());
  bool have_time = false;
  for (std::size_t c = 0; c < header.size(); ++c) {
    const std::string& h = header[c];
    const auto open = h.find('['), close = h.rfind(']');
    const std::string where = "row " + std::to_string(header_row) + ", column " + std::to_string(c + 1);
    if (open == std::string::npos || close == std::string::npos || close < open)
      fail(where + " ('" + h + "'): expected a name and its unit in brackets, such as \"heater_power [W]\"");
    const std::string col = trim(h.substr(0, open)), unit = trim(h.substr(open + 1, close - open - 1));
    if (col.empty()) fail(where + ": the column has no name");
    for (std::size_t d = 0; d < c; ++d)
      if (role[d] != -1 && trim(header[d].substr(0, header[d].find('['))) == col)
        fail(where + ": column '" + col + "' appears twice");
    core::Dimension want{};
    std::string example;
    bool known = false;
    if (col == "time") {
      want = dim::time;
      example = "h";
      known = true;
    } else if (col.rfind("T_", 0) == 0) {
      const std::string probe = col.substr(2);
      bool found = false;
      for (const auto& p : probe_names) found = found || p == probe;
      if (!found) {
        std::string names;
        for (const auto& p : probe_names) names += (names.empty() ? "" : ", ") + p;
        fail(where + ": column '" + col + "' names no probe of the config (probes: " + (names.empty() ? "none" : names) + ")");
      }
      want = dim::temperature;
      example = "degC";
      known = true;
    } else {
      for (const auto& k : kKnown)
        if (col == k.name) {
          want = k.dimension;
          example = k.example;
          known = true;
        }
    }
    if (!known) {
      log.warnings.push_back("column '" + col + "' is not a known log column; skipped");
      continue;
    }
    try {
      const core::Quantity zero = core::parse_quantity("0 " + unit), one = core::parse_quantity("1 " + unit);
      if (!(zero.dimension == want)) throw std::invalid_argument("wrong dimension");
      conv[c] = {zero.value, one.value - zero.value};
    } catch (const std::invalid_argument&) {
      fail(where + " ('" + col + "'): '" + unit + "' is not a unit of " + (col == "time" ? "time" : "this quantity") +
           " (expected, e.g., [" + example + "])");
    }
    if (col == "time") {
      role[c] = 0;
      have_time = true;
    } else {
      log.columns.push_back({col, unit, {}});
      role[c] = int(log.columns.size());
    }
  }
  if (!have_time) fail("row " + std::to_string(header_row) + ": no time column (expected \"time [h]\" or another unit of time)");
  while (std::getline(in, line)) {
    ++row;
    if (trim(line).empty()) continue;
    const std::vector<std::string> cells = split(line);
    if (cells.size() != header.size())
      fail("row " + std::to_string(row) + ": " + std::to_string(cells.size()) + " cells, the header has " +
           std::to_string(header.size()));
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (role[c] < 0) continue;
      const std::string where = "row " + std::to_string(row) + ", column '" +
                                (role[c] == 0 ? std::string("time") : log.columns[std::size_t(role[c] - 1)].name) + "'";
      if (cells[c].empty()) fail(where + ": the cell is empty");
      double x = 0.0;
      std::size_t used = 0;
      try {
        x = std::stod(cells[c], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != cells[c].size()) fail(where + ": '" + cells[c] + "' is not a number");
      if (!std::isfinite(x)) fail(where + ": '" + cells[c] + "' is not a finite number");
      const double v = conv[c].offset + conv[c].scale * x;
      if (role[c] == 0) {
        if (!log.time.empty() && !(v > log.time.back()))
          fail(where + ": time " + cells[c] + " does not increase (the row before has a later or equal time)");
        log.time.push_back(v);
      } else {
        log.columns[std::size_t(role[c] - 1)].values.push_back(v);
      }
    }
  }
  if (log.time.empty()) fail("the log has a header but no rows");
  return log;
}

PressLog read_press_log(const std::filesystem::path& path, const std::vector<std::string>& probe_names) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string(), "cannot read the log file");
  std::stringstream ss;
  ss << in.rdbuf();
  PressLog log = parse_press_log(ss.str(), path.string(), probe_names);
  log.path = path;
  return log;
}

}  // namespace hphtsim::process
