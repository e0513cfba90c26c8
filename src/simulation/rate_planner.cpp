// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/rate_planner.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "hphtsim/process/growth_rate_control.hpp"
#include "hphtsim/simulation/electrothermal.hpp"
#include "hphtsim/simulation/simulation.hpp"

namespace hphtsim::simulation {

void RatePlanner::after_step(Simulation& sim) {
  using Mode = process::HeaterRecipe::Mode;
  const process::HeaterRecipe& r = sim.model_.heater_recipe;
  if (predicting_ || !r.uses(Mode::growth_rate)) return;
  const double t = sim.time_, eps = 1e-9 * std::max(1.0, t);
  if (r.mode_for_step(t + eps) != Mode::growth_rate) {
    st_.next_decision = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  if (std::isnan(st_.next_decision)) st_.next_decision = t;  // the first at the switch
  if (t < st_.next_decision - eps) return;
  decide(sim);
  // On a fixed grid of decision times from the first one (the steps need not land on them).
  while (st_.next_decision <= t + eps) st_.next_decision += r.rate_control.interval;
}

void RatePlanner::add_trial_step(double t_end, double dt, double mean_rate, double line_margin) {
  margin_ = std::min(margin_, line_margin);
  const double overlap = std::min(dt, t_end - window_start_);
  if (overlap <= 0.0) return;
  grown_ += mean_rate * overlap;
  span_ += overlap;
}

void RatePlanner::decide(Simulation& sim) {
  const process::GrowthRateSettings& s = sim.model_.heater_recipe.rate_control;
  ElectroThermal& et = *sim.electro_;
  const double t = sim.time_;
  const ElectroThermal::RateWindow window = et.rate_window(t, t + s.horizon);
  if (!(window.end > t) || std::isnan(window.target) || !sim.growth_) return;  // nothing left to plan
  const double power_now = std::isnan(et.rate_ramp().from) ? et.electric().power : et.rate_ramp().at(t);
  // The critical rate at the crystals' present size caps the target at the horizon.
  double critical = 0.0;
  for (const auto& seed : sim.growth_->seeds()) critical += seed.critical_rate / double(sim.growth_->seeds().size());
  const double target = s.capped(window.target, critical);
  process::RateSearch search(s, power_now, target, std::isnan(st_.sensitivity) ? s.sensitivity : st_.sensitivity);

  // Everything a trial changes, to put back: the state (this planner's own with it), the
  // recorded rows (moved aside: the trials' rows are discarded), the reported status.
  const SimulationState saved = sim.state();
  auto rows = std::move(sim.history_);
  sim.history_.clear();
  const auto status = sim.last_status_;
  auto put_back = [&] {
    sim.restore(saved);
    sim.history_ = std::move(rows);
    sim.last_status_ = status;
    predicting_ = false;
  };
  try {
    bool first = true;
    for (double P = search.next_power(); !std::isnan(P); P = search.next_power()) {
      if (!first) sim.restore(saved);
      first = false;
      et.set_rate_ramp({t, power_now, P, s.interval});
      predicting_ = true;
      window_start_ = std::max(t, window.end - s.interval);
      grown_ = span_ = 0.0;
      margin_ = std::numeric_limits<double>::infinity();
      RunOptions ahead;
      ahead.until = window.end;
      sim.run(ahead);
      predicting_ = false;
      search.add({P, span_ > 0.0 ? grown_ / span_ : 0.0, margin_});
    }
  } catch (...) {
    put_back();
    throw;
  }
  put_back();
  st_.sensitivity = search.sensitivity();
  et.set_rate_ramp({t, power_now, search.best_power(), s.interval});
}

}  // namespace hphtsim::simulation
