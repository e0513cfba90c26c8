// SPDX-License-Identifier: MIT
#include "hphtsim/process/log_programs.hpp"

#include "hphtsim/core/error.hpp"

namespace hphtsim::process {

Schedule schedule_through(const std::vector<double>& t, const std::vector<double>& v) {
  HPHTSIM_CHECK(!t.empty() && t.size() == v.size() && t.front() >= 0.0, "schedule_through: samples");
  std::vector<Segment> segments;
  if (t.front() > 0.0) segments.push_back({Segment::Kind::hold, t.front(), v.front()});
  for (std::size_t i = 1; i < t.size(); ++i) segments.push_back({Segment::Kind::ramp, t[i] - t[i - 1], v[i]});
  return Schedule(v.front(), std::move(segments));
}

LogPrograms programs_from_log(const PressLog& log, const std::string& drive, const std::string& drive_key) {
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
  p.heater.schedule = schedule_through(log.time, column->values);
  p.heater.segment_mode.assign(p.heater.schedule.segments().size(), mode);
  p.heater.switches.assign(p.heater.schedule.segments().size(), 0);
  if (const PressLogColumn* oil = log.find("oil_pressure")) p.oil_pressure = schedule_through(log.time, oil->values);
  if (const PressLogColumn* water = log.find("coolant_temperature")) p.coolant = schedule_through(log.time, water->values);
  return p;
}

}  // namespace hphtsim::process
