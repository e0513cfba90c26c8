// SPDX-License-Identifier: MIT
#include "hphtsim/process/log_programs.hpp"

#include <algorithm>
#include <limits>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/units.hpp"

namespace hphtsim::process {

std::vector<char> bends(const std::vector<double>& t, const std::vector<double>& v, double tolerance) {
  // Greedy simplification with a cone of feasible slopes: from the last landing point a, the
  // chord a -> j is kept while it passes within the tolerance of every sample between them. When
  // the chord a -> j leaves the cone, the landing point is the sample between a and j farthest from
  // that chord (as in Douglas-Peucker): a true kink of the program (the end of a ramp) then lands
  // where it is, not at the last sample the tolerance still lets the chord reach, and noise within
  // the tolerance does not move it. Every chord a -> k with a < k < j is within the tolerance, so
  // the polyline through the landing points is too. Samples after the new landing point are
  // scanned again: O(n) per landing, O(n) in total for a program of straight pieces.
  std::vector<char> lands(t.size(), 0);
  if (t.empty()) return lands;
  const double inf = std::numeric_limits<double>::infinity();
  std::size_t a = 0;
  double lo = -inf, hi = inf;
  for (std::size_t j = 1; j < t.size(); ++j) {
    const double slope = (v[j] - v[a]) / (t[j] - t[a]);
    if (!(slope >= lo && slope <= hi)) {
      const double chord = slope;
      std::size_t corner = j - 1;
      double farthest = 0.0;
      for (std::size_t k = a + 1; k < j; ++k) {
        const double off = std::abs(v[k] - v[a] - chord * (t[k] - t[a]));
        if (off > farthest) {
          farthest = off;
          corner = k;
        }
      }
      a = corner;
      lands[a] = 1;
      lo = -inf;
      hi = inf;
      j = a;  // the loop's ++j rescans from a + 1
      continue;
    }
    const double dt = t[j] - t[a];
    lo = std::max(lo, (v[j] - tolerance - v[a]) / dt);
    hi = std::min(hi, (v[j] + tolerance - v[a]) / dt);
  }
  lands.back() = 1;
  return lands;
}

Schedule schedule_through(const std::vector<double>& t, const std::vector<double>& v, double tolerance) {
  HPHTSIM_CHECK(!t.empty() && t.size() == v.size() && t.front() >= 0.0, "schedule_through: samples");
  std::vector<Segment> segments;
  std::vector<char> lands;
  // A tolerance of 0 lands on every sample (the cone would not: collinear samples are no bends).
  const std::vector<char> at_sample = tolerance > 0.0 ? bends(t, v, tolerance) : std::vector<char>(t.size(), 1);
  if (t.front() > 0.0) {
    segments.push_back({Segment::Kind::hold, t.front(), v.front()});
    lands.push_back(1);  // where the log starts
  }
  for (std::size_t i = 1; i < t.size(); ++i) {
    segments.push_back({Segment::Kind::ramp, t[i] - t[i - 1], v[i]});
    lands.push_back(at_sample[i]);
  }
  Schedule s(v.front(), std::move(segments));
  s.land_only_at(std::move(lands));
  return s;
}

LogTolerances read_log_tolerances(const core::ConfigNode* node) {
  LogTolerances tol;
  if (!node) return tol;
  if (!node->is_map()) node->fail("expected a mapping {COLUMN: TOLERANCE}, e.g. {heater_power: \"2 W\"}");
  struct Known {
    const char* column;
    core::Dimension dim;
    const char* example;
  };
  const Known known[] = {{"heater_power", core::dim::power, "\"2 W\""},
                         {"heater_voltage", core::dim::voltage, "\"0.01 V\""},
                         {"heater_current", core::dim::current, "\"5 A\""},
                         {"heater_resistance", core::dim::resistance, "\"0.01 mohm\""},
                         {"oil_pressure", core::dim::pressure, "\"0.5 MPa\""},
                         {"coolant_temperature", core::dim::temperature, "\"0.2 K\" (a difference: K)"}};
  for (const std::string& key : node->keys()) {
    const Known* k = nullptr;
    for (const auto& c : known)
      if (key == c.column) k = &c;
    if (!k)
      node->fail_key(key, "not a program column; expected heater_power, heater_voltage, heater_current, "
                          "heater_resistance, oil_pressure or coolant_temperature");
    const core::ConfigNode item = node->at(key);
    if (item.is_scalar() && item.as_string().find("degC") != std::string::npos)
      item.fail("a tolerance is a difference: give it in K");
    const double value = item.as_quantity(k->dim, k->example);
    core::require_non_negative(item, value);
    tol[key] = value;
  }
  return tol;
}

namespace {

/// The column's own tolerance, else 0.5 % of its range.
Schedule program_of(const PressLog& log, const PressLogColumn& column, const LogTolerances& tolerances) {
  double tol;
  if (auto it = tolerances.find(column.name); it != tolerances.end()) {
    tol = it->second;
  } else {
    const auto [lo, hi] = std::minmax_element(column.values.begin(), column.values.end());
    tol = kDefaultLogTolerance * (*hi - *lo);
  }
  return schedule_through(log.time, column.values, tol);
}

}  // namespace

LogPrograms programs_from_log(const PressLog& log, const std::string& drive, const std::string& drive_key,
                              const LogTolerances& tolerances) {
  using Mode = HeaterRecipe::Mode;
  Mode mode;
  if (drive == "heater_power") mode = Mode::power;
  else if (drive == "heater_voltage") mode = Mode::voltage;
  else if (drive == "heater_current") mode = Mode::current;
  else if (drive == "heater_resistance") mode = Mode::resistance;
  else
    throw ConfigError(drive_key, "'" + drive + "' cannot drive the heater; expected heater_power, heater_voltage, "
                                 "heater_current or heater_resistance");
  const PressLogColumn* column = log.find(drive);
  if (!column) throw ConfigError(drive_key, "the log " + log.path.string() + " has no column '" + drive + "'");
  if (log.time.front() < 0.0)
    throw ConfigError(log.path.string(), "row 2, column 'time': the log starts before t = 0 (the run starts at 0)");
  LogPrograms p;
  p.heater.mode = mode;
  p.heater.schedule = program_of(log, *column, tolerances);
  p.heater.segment_mode.assign(p.heater.schedule.segments().size(), mode);
  p.heater.switches.assign(p.heater.schedule.segments().size(), 0);
  if (const PressLogColumn* oil = log.find("oil_pressure")) p.oil_pressure = program_of(log, *oil, tolerances);
  if (const PressLogColumn* water = log.find("coolant_temperature")) p.coolant = program_of(log, *water, tolerances);
  return p;
}

}  // namespace hphtsim::process
