// SPDX-License-Identifier: MIT
#include "hphtsim/process/recipe.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/units.hpp"

namespace hphtsim::process {

Schedule::Schedule(double initial, std::vector<Segment> segments) : initial_(initial), segments_(std::move(segments)) {
  double t = 0.0, v = initial_;
  for (const auto& s : segments_) {
    starts_.push_back(v);
    t += s.duration;
    ends_.push_back(t);
    if (s.kind == Segment::Kind::ramp) v = s.target;
  }
  lands_.assign(segments_.size(), 1);
}

void Schedule::land_only_at(std::vector<char> lands) {
  HPHTSIM_CHECK(lands.size() == segments_.size(), "Schedule::land_only_at: one flag per segment");
  if (!lands.empty()) lands.back() = 1;  // the program's end is always a boundary
  lands_ = std::move(lands);
}

Schedule Schedule::from_config(const core::ConfigNode& node, const core::Dimension& dim, const std::string& what,
                               double default_start, const ValueCheck& check) {
  const ValueKind kind{dim, what, check};
  return from_config(node, [&](int) { return kind; }, default_start);
}

Schedule Schedule::from_config(const core::ConfigNode& node, const std::function<ValueKind(int segment)>& kind_of,
                               double default_start) {
  double start = default_start;
  if (auto s = node.find("start")) {
    const ValueKind k = kind_of(-1);
    start = s->as_quantity(k.dim, k.what);
    if (k.check) k.check(*s, start);
  }
  else if (std::isnan(default_start)) node.fail_key("start", "missing required key");
  std::vector<Segment> segs;
  for (const auto& item : node.at("segments").items()) {
    Segment seg;
    const bool ramp = item.has("ramp_to"), hold = item.has("hold");
    if (ramp == hold) item.fail("a segment is either {ramp_to: VALUE, duration: TIME} or {hold: TIME}");
    if (ramp) {
      seg.kind = Segment::Kind::ramp;
      const ValueKind k = kind_of(int(segs.size()));
      core::ConfigNode target = item.at("ramp_to");
      seg.target = target.as_quantity(k.dim, k.what);
      if (k.check) k.check(target, seg.target);
      seg.duration = item.quantity("duration", core::dim::time, "a duration such as \"3 h\"");
      if (!(seg.duration > 0.0)) item.fail_key("duration", "must be positive");
    } else {
      seg.kind = Segment::Kind::hold;
      seg.duration = item.quantity("hold", core::dim::time, "a duration such as \"14 d\"");
      if (!(seg.duration > 0.0)) item.fail_key("hold", "must be positive");
    }
    segs.push_back(seg);
  }
  if (segs.empty()) node.fail_key("segments", "needs at least one segment");
  return Schedule(start, std::move(segs));
}

void Schedule::restart_at(int segment, double start) {
  double v = start;
  for (std::size_t j = std::size_t(segment); j < segments_.size(); ++j) {
    starts_[j] = v;
    if (segments_[j].kind == Segment::Kind::ramp) v = segments_[j].target;
  }
}

double Schedule::value_for_step(double t_end) const {
  const int i = segment_for_step(t_end);
  if (i < 0 || t_end <= 0.0) return value(t_end);
  const Segment& s = segments_[std::size_t(i)];
  const double start = starts_[std::size_t(i)];
  if (s.kind == Segment::Kind::hold) return start;
  const double w = std::min(1.0, (t_end - start_time(i)) / s.duration);
  return start + w * (s.target - start);
}

int Schedule::segment_for_step(double t_end) const {
  if (segments_.empty() || t_end < 0.0) return -1;
  if (t_end == 0.0) return 0;
  return segment_at(t_end - 1e-9 * std::max(1.0, t_end));
}

double Schedule::value(double t) const {
  if (segments_.empty() || t <= 0.0) return initial_;
  int i = segment_at(t);
  const Segment& s = segments_[std::size_t(i)];
  if (t >= ends_.back()) return s.kind == Segment::Kind::ramp ? s.target : starts_[std::size_t(i)];
  if (s.kind == Segment::Kind::hold) return starts_[std::size_t(i)];
  const double t0 = ends_[std::size_t(i)] - s.duration;
  const double w = (t - t0) / s.duration;
  return starts_[std::size_t(i)] + w * (s.target - starts_[std::size_t(i)]);
}

int Schedule::segment_at(double t) const {
  if (segments_.empty() || t < 0.0) return -1;
  auto it = std::upper_bound(ends_.begin(), ends_.end(), t);
  if (it == ends_.end()) return int(segments_.size()) - 1;
  return int(it - ends_.begin());
}

double Schedule::next_boundary(double t) const {
  const double tol = 1e-9 * std::max(1.0, std::abs(t));
  for (auto i = std::size_t(std::upper_bound(ends_.begin(), ends_.end(), t + tol) - ends_.begin()); i < ends_.size(); ++i)
    if (lands_[i]) return ends_[i];
  return std::numeric_limits<double>::infinity();
}

HeaterRecipe::Mode HeaterRecipe::mode_for_step(double t_end) const {
  const int i = schedule.segment_for_step(t_end);
  return i < 0 || segment_mode.empty() ? mode : segment_mode[std::size_t(i)];
}

bool HeaterRecipe::uses(Mode m) const {
  return mode == m || std::find(segment_mode.begin(), segment_mode.end(), m) != segment_mode.end();
}

const char* HeaterRecipe::name(Mode m) {
  switch (m) {
    case Mode::power: return "power";
    case Mode::voltage: return "voltage";
    case Mode::current: return "current";
    case Mode::resistance: return "resistance";
    case Mode::temperature: return "temperature";
    case Mode::growth_rate: return "growth_rate";
    case Mode::none: break;
  }
  return "none";
}

namespace {
HeaterRecipe::Mode parse_mode(const core::ConfigNode& node, const std::string& key) {
  const std::string s = node.string(key);
  for (auto m : {HeaterRecipe::Mode::power, HeaterRecipe::Mode::voltage, HeaterRecipe::Mode::current,
                 HeaterRecipe::Mode::resistance, HeaterRecipe::Mode::temperature,
                 HeaterRecipe::Mode::growth_rate})
    if (s == HeaterRecipe::name(m)) return m;
  node.fail_key(key, "'" + s + "' is not a recipe control; expected power, voltage, current, resistance, temperature or growth_rate");
}
}  // namespace

HeaterRecipe HeaterRecipe::from_config(const core::ConfigNode& h, const std::vector<std::string>& probe_names,
                                       double initial_temperature) {
  namespace dim = core::dim;
  HeaterRecipe r;
  r.mode = parse_mode(h, "control");
  if (r.mode == Mode::growth_rate)
    h.fail_key("control", "growth_rate control needs a crystal that grows: start with a power program and switch "
                          "to growth_rate on a later segment (its start is the rate measured there)");
  // Each segment's mode: the first one's, changed by a segment's own `control`.
  Mode current = r.mode;
  const auto items = h.at("segments").items();
  for (std::size_t i = 0; i < items.size(); ++i) {
    char switches = 0;
    if (items[i].has("control")) {
      const Mode m = parse_mode(items[i], "control");
      if (i == 0) items[i].fail_key("control", "the first segment runs in recipe.heater.control; switch on a later segment");
      if (m == current)
        items[i].fail_key("control", std::string("the segment before already runs in ") + name(m) + " control");
      current = m;
      switches = 1;
    }
    r.segment_mode.push_back(current);
    r.switches.push_back(switches);
  }
  const auto non_negative = [](const core::ConfigNode& n, double v) { core::require_non_negative(n, v); };
  const auto positive = [](const core::ConfigNode& n, double v) {
    if (!(v > 0.0)) n.fail("a heater resistance must be positive; got '" + n.as_string() + "'");
  };
  const auto absolute = [](const core::ConfigNode& n, double v) { core::require_absolute_temperature(n, v); };
  auto kind_of_mode = [&](Mode m) -> Schedule::ValueKind {
    switch (m) {
      case Mode::voltage: return {dim::voltage, "a voltage such as \"2.5 V\"", non_negative};
      case Mode::current: return {dim::current, "a current such as \"600 A\"", non_negative};
      case Mode::resistance: return {dim::resistance, "a resistance such as \"2.1 mohm\"", positive};
      case Mode::temperature: return {dim::temperature, "a temperature such as \"25 degC\"", absolute};
      case Mode::growth_rate: return {dim::mass / dim::time, "a growth rate such as \"3 mg/h\"", non_negative};
      default: return {dim::power, "a power such as \"1.2 kW\"", non_negative};
    }
  };
  if (r.mode == Mode::resistance && !h.has("start"))
    h.fail_key("start", "a resistance program needs its start value (the heater's resistance is not 0)");
  const double default_start = r.mode == Mode::temperature ? initial_temperature : 0.0;
  r.schedule = Schedule::from_config(
      h, [&](int seg) { return kind_of_mode(seg < 0 ? r.mode : r.segment_mode[std::size_t(seg)]); }, default_start);
  if (r.uses(Mode::temperature)) {
    const std::string probe = h.string("control_probe");
    for (std::size_t p = 0; p < probe_names.size(); ++p)
      if (probe_names[p] == probe) r.control_probe = int(p);
    if (r.control_probe < 0) h.fail_key("control_probe", "no probe named '" + probe + "' (define it under probes)");
    if (auto pid = h.find("pid")) {
      auto& ps = r.pid;
      const std::string duration_what = "a duration such as \"2 h\"";
      ps.gain = pid->quantity_or("gain", dim::power / dim::temperature, "a gain such as \"2 W/K\"", ps.gain);
      ps.integral_time = pid->quantity_or("integral_time", dim::time, duration_what, ps.integral_time);
      ps.derivative_time = pid->quantity_or("derivative_time", dim::time, duration_what, ps.derivative_time);
      ps.power_min = pid->quantity_or("power_min", dim::power, "a power such as \"0 W\"", ps.power_min);
      ps.power_max = pid->quantity_or("power_max", dim::power, "a power such as \"3 kW\"", ps.power_max);
      if (!(ps.gain > 0.0)) pid->fail_key("gain", "must be positive");
      if (!(ps.integral_time > 0.0)) pid->fail_key("integral_time", "must be positive");
      if (!(ps.derivative_time >= 0.0)) pid->fail_key("derivative_time", "must not be negative");
      if (!(ps.power_min >= 0.0 && ps.power_max > ps.power_min)) pid->fail_key("power_max", "need 0 <= power_min < power_max");
    }
  }
  if (r.uses(Mode::growth_rate)) {
    auto& rc = r.rate_control;
    if (auto n = h.find("rate_control")) {
      const std::string duration_what = "a duration such as \"2 h\"";
      rc.interval = n->quantity_or("interval", dim::time, duration_what, rc.interval);
      rc.horizon = n->quantity_or("horizon", dim::time, duration_what, rc.horizon);
      rc.sensitivity = n->number_or("sensitivity", rc.sensitivity);
      rc.max_power_rate =
          n->quantity_or("max_power_rate", dim::power / dim::time, "a power rate such as \"10 W/h\"", rc.max_power_rate);
      rc.power_min = n->quantity_or("power_min", dim::power, "a power such as \"0 W\"", rc.power_min);
      rc.power_max = n->quantity_or("power_max", dim::power, "a power such as \"3 kW\"", rc.power_max);
      rc.min_line_margin =
          n->quantity_or("min_line_margin", dim::temperature, "a temperature difference such as \"20 K\"", rc.min_line_margin);
      rc.tolerance = n->number_or("tolerance", rc.tolerance);
      const double trials = n->number_or("max_trials", rc.max_trials);
      rc.critical_fraction = n->number_or("critical_fraction", rc.critical_fraction);
      if (n->has("critical_fraction") && !(rc.critical_fraction > 0.0 && rc.critical_fraction <= 2.0))
        n->fail_key("critical_fraction", "expected a fraction of the critical rate between 0 and 2");
      if (!(rc.interval > 0.0)) n->fail_key("interval", "must be positive");
      if (!(rc.horizon >= rc.interval)) n->fail_key("horizon", "must be at least the interval");
      if (!(rc.sensitivity >= 0.5 && rc.sensitivity <= 200.0))
        n->fail_key("sensitivity", "expected a number between 0.5 and 200 (d ln rate / d ln power)");
      if (!(rc.max_power_rate > 0.0)) n->fail_key("max_power_rate", "must be positive");
      if (!(rc.power_min >= 0.0 && rc.power_max > rc.power_min)) n->fail_key("power_max", "need 0 <= power_min < power_max");
      if (!(rc.min_line_margin >= 0.0)) n->fail_key("min_line_margin", "must not be negative");
      if (!(rc.tolerance > 0.0 && rc.tolerance < 0.5)) n->fail_key("tolerance", "expected a fraction between 0 and 0.5");
      if (!(trials >= 2 && trials <= 10 && trials == std::floor(trials)))
        n->fail_key("max_trials", "expected a whole number from 2 to 10");
      rc.max_trials = int(trials);
    }
  } else if (h.has("rate_control")) {
    h.fail_key("rate_control", "only growth_rate segments use it (`control: growth_rate` on a segment)");
  }
  if (r.uses(Mode::resistance)) {
    r.power_max = h.quantity_or("power_max", dim::power, "a power such as \"3 kW\"", r.power_max);
    if (!(r.power_max > 0.0)) h.fail_key("power_max", "must be positive");
  }
  return r;
}

}  // namespace hphtsim::process
