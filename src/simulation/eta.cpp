// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/eta.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hphtsim/simulation/model.hpp"

namespace hphtsim::simulation {

CyclePhase cycle_phase(const Model& model, double t) {
  const process::Schedule& heater = model.heater_recipe.schedule;
  if (heater.empty()) return CyclePhase::hot;  // a constant heater: one kind of step
  const int i = heater.segment_at(t);
  // A fast ramp (heat-up, quench) carries the transient of a quick change of the load: its steps
  // are error-limited and as many as the ramps before it took. A slow one, which the controller
  // crosses in several of its largest steps (the growth stage's programs: 5 and 15 days on the
  // default cycle, 27 and 45 steps against 34 for the 1 h heat-up and 47 for the 5 min quench),
  // steps and costs like a hold: it is classed by its value below.
  if (i >= 0 && t < heater.end_time() && heater.segments()[std::size_t(i)].kind == process::Segment::Kind::ramp &&
      heater.segments()[std::size_t(i)].duration < std::max(slow_ramp_max_steps * model.time.max_step, slow_ramp_min_duration))
    return CyclePhase::heater_ramp;
  // Cold: the heater at (within 2 % of the program's span above) its lowest programmed value,
  // among the segments that program the same quantity (a recipe may switch, e.g. power to
  // resistance; a switch's start is measured during the run, so the program's values there are
  // the segment targets only).
  const auto& recipe = model.heater_recipe;
  const int here = std::max(i, 0);
  const auto same_mode = [&](std::size_t j) {
    return recipe.segment_mode.empty() || recipe.segment_mode[j] == recipe.segment_mode[std::size_t(here)];
  };
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  if (same_mode(0)) lo = hi = heater.value(0.0);
  for (std::size_t j = 0; j < heater.segments().size(); ++j) {
    if (!same_mode(j)) continue;
    const double v = heater.value_for_step(heater.ends()[j]);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const double cold_below = lo + 0.02 * (hi - lo);
  if (heater.value_for_step(t) > cold_below) return CyclePhase::hot;
  // Cold after the heater was hot: the cell still cools from growth temperature (its steps
  // are as dear as the ramp down's, the pressure field re-solved at nearly every one).
  for (std::size_t j = 0; j < heater.segments().size() && heater.ends()[j] <= t + 1e-9 * std::max(1.0, t); ++j)
    if (same_mode(j) && heater.value_for_step(heater.ends()[j]) > cold_below)
      return CyclePhase::cooling;
  return CyclePhase::cold;
}

ExpectedSteps expected_steps(const Model& model, double t, double until, int next_snapshot_index,
                             const StepOutlook& outlook) {
  const TimeSettings& ts = model.time;
  const process::Schedule& heater = model.heater_recipe.schedule;
  const double eps = 1e-9 * std::max(1.0, until);
  const double first_boundary = model.next_recipe_boundary(t);  // the segment in progress ends here
  ExpectedSteps steps;
  bool cooling_counted = false;
  int snap = next_snapshot_index;
  double dt = outlook.next_dt > 0.0 ? outlook.next_dt : ts.step;
  while (t < until - eps && steps.total() < 1e7) {
    const CyclePhase phase = cycle_phase(model, t);
    const bool in_progress = t < first_boundary - eps;
    const double next_snapshot = double(snap) * ts.snapshot_interval;
    const double next_recipe = model.next_recipe_boundary(t);
    if (phase == CyclePhase::heater_ramp && outlook.steps_per_heater_ramp > 0.0 &&
        (!in_progress || outlook.error_limited_dt <= 0.0)) {
      // A heater ramp takes about as many steps as the ramps so far did, whatever its length
      // (the local error follows the load's rate, not the segment's duration): its share.
      const double duration = heater.segments()[std::size_t(heater.segment_at(t))].duration;
      const double end = std::min(next_recipe, until);
      steps[phase] += outlook.steps_per_heater_ramp * (end - t) / std::max(duration, eps);
      t = end;
      while (double(snap) * ts.snapshot_interval <= t + eps) ++snap;
      dt = ts.step;
      continue;
    }
    if (phase == CyclePhase::cooling && outlook.cooling_steps > 0.0 && !cooling_counted) {
      // The cooling after the heater went cold: as many steps as the estimator expects for the
      // rest of it (the error limits them, not the growth rule), up to where it ends.
      cooling_counted = true;
      steps[phase] += outlook.cooling_steps;
      double end = until;
      for (double e = next_recipe; e < until - eps; e = model.next_recipe_boundary(e))
        if (cycle_phase(model, e) != CyclePhase::cooling) {
          end = e;
          break;
        }
      t = end;
      while (double(snap) * ts.snapshot_interval <= t + eps) ++snap;
      dt = ts.step;
      continue;
    }
    const double natural = std::min({next_snapshot, next_recipe, until});
    double cap = ts.max_step;
    if (in_progress && outlook.error_limited_dt > 0.0) cap = std::clamp(outlook.error_limited_dt, ts.min_step, ts.max_step);
    dt = std::min(dt, cap);
    // Long stretches at the largest step: count them in closed form up to the next landing.
    if (dt >= cap && t + dt < natural - eps) {
      const double n = std::floor((natural - t) / cap - 1e-9);  // full steps before the landing
      steps[phase] += n;
      t += n * cap;
    }
    const double target = std::min(t + dt, natural);
    steps[phase] += 1.0;
    if (std::abs(target - next_snapshot) <= eps) ++snap;
    dt = std::abs(target - next_recipe) <= eps ? ts.step : std::min(dt * ts.step_growth, cap);
    t = target;
  }
  return steps;
}

void EtaEstimator::charge(CyclePhase p, double wall_seconds) {
  cost_[std::size_t(p)].wall += wall_seconds;
  if (p == CyclePhase::heater_ramp) wall_this_ramp_ += wall_seconds;
}

void EtaEstimator::accepted(CyclePhase p, bool ramp_ended) {
  steps_this_hold_ = p == CyclePhase::hot ? (last_phase_ == CyclePhase::hot ? steps_this_hold_ + 1 : 1) : 0;
  last_phase_ = p;
  Cost& c = cost_[std::size_t(p)];
  // The recent hold steps set the hold's cost (the first ones after a heat-up are dearer):
  // a sum that forgets, the mean of about the last 8 steps. The same for cold steps: those of
  // the cold pressurisation cost almost nothing, those of the cooling after a quench (the cell
  // still at 1400 degC, the pressure field re-solved at every step) some hundred times more.
  // (The default cycle's ETA still falls to about 1/40 of the true time at the end of the
  // quench ramp: the ramp's expected steps run out while the cooling's have not been counted.)
  if (p != CyclePhase::heater_ramp && c.steps >= 8.0) {
    c.wall *= 7.0 / 8.0;
    c.steps = 7.0;
  }
  c.steps += 1.0;
  steps_this_cooling_ = p == CyclePhase::cooling ? steps_this_cooling_ + 1 : 0;
  if (p != CyclePhase::heater_ramp) return;
  ++steps_this_ramp_;
  if (ramp_ended) {
    ++ramps_done_;
    ramp_steps_done_ += steps_this_ramp_;
    last_ramp_steps_ = steps_this_ramp_;
    // The ramp's wall time without its last step's (charged after this call; one of ~50).
    last_ramp_wall_ = wall_this_ramp_;
    wall_this_ramp_ = 0.0;
    steps_this_ramp_ = 0;
  }
}

void EtaEstimator::note_cooling_growth(double allowed) {
  // Called after accepted(): last_phase_ is the step just taken.
  if (last_phase_ != CyclePhase::cooling || !std::isfinite(allowed) || allowed <= 0.0) {
    if (last_phase_ != CyclePhase::cooling) cooling_growths_seen_ = 0;
    last_cooling_limit_ = 0.0;
    return;
  }
  if (last_cooling_limit_ > 0.0)
    cooling_log_growth_[std::size_t(cooling_growths_seen_++) % cooling_log_growth_.size()] =
        std::log(allowed / last_cooling_limit_);
  last_cooling_limit_ = allowed;
}

double EtaEstimator::cost_per_step(CyclePhase p) const {
  // Seen: a step accepted and its wall time charged (the progress line may come in between:
  // a phase's first step priced at 0 s made the default cycle's ETA read 0 at the quench's end).
  auto seen = [&](CyclePhase q) { return cost_[std::size_t(q)].steps > 0.0 && cost_[std::size_t(q)].wall > 0.0; };
  auto mean = [&](CyclePhase q) { return cost_[std::size_t(q)].wall / cost_[std::size_t(q)].steps; };
  // A hot hold's step costs no less than a heater ramp's: its early steps are cheap (little
  // changes; the pressure field is not re-solved), its later ones dearer (measured on the
  // default cycle: 0.4x to 1.6x a heat-up step, rising as the growing crystal makes the
  // pressure field refresh at every step).
  if (p == CyclePhase::hot && seen(p) && seen(CyclePhase::heater_ramp))
    return std::max(mean(p), mean(CyclePhase::heater_ramp));
  if (seen(p)) return mean(p);
  // The cooling after a quench costs what the ramp down's steps did (the cell is as hot, the
  // field as busy); the cold pressurisation's steps cost a hundredth of that.
  if (p == CyclePhase::cooling && last_ramp_steps_ > 1 && last_ramp_wall_ > 0.0)
    return last_ramp_wall_ / (last_ramp_steps_ - 1);
  if (p == CyclePhase::cooling && seen(CyclePhase::heater_ramp)) return mean(CyclePhase::heater_ramp);
  // A hot phase not seen yet costs what the other hot one did; a cold one the cheapest seen.
  const CyclePhase other = p == CyclePhase::hot ? CyclePhase::heater_ramp : CyclePhase::hot;
  if ((p == CyclePhase::hot || p == CyclePhase::heater_ramp) && seen(other)) return mean(other);
  double best = std::numeric_limits<double>::infinity();
  for (CyclePhase q : {CyclePhase::cold, CyclePhase::heater_ramp, CyclePhase::hot, CyclePhase::cooling})
    if (seen(q)) best = std::min(best, mean(q));
  return std::isfinite(best) ? best : 0.0;
}

double EtaEstimator::remaining(const Model& model, double t, double next_dt, double until,
                               int next_snapshot_index) const {
  StepOutlook outlook;
  outlook.next_dt = next_dt;
  const CyclePhase now = cycle_phase(model, t);
  // A hold whose steps the error has started to limit (after their growth from the segment's
  // first step) goes on near that step: the drifts and the growing crystal keep it there.
  // Not in its first 8 steps (the transient of the kink limits those far below), and taken no
  // lower than half the last step (one rough step is not a trend).
  // The hold's error limit still rises as its transient decays (measured on the default cell:
  // from about 40 min to 12 h over the first days), so the cap is the geometric mean of the
  // current limit and time.max_step, not the current limit.
  // The limit is the largest of the last three steps' (a step shortened to land on a snapshot
  // makes the next estimate dip: measured on the default cycle, the ETA then jumped 2.6x).
  if (now == CyclePhase::hot && steps_this_hold_ >= 8 && error_limiting_ && std::isfinite(error_limited_dt_)) {
    const double recent = *std::max_element(recent_limits_.begin(), recent_limits_.end());
    const double limit = std::isfinite(recent) ? std::max(recent, 0.5 * last_dt_) : model.time.max_step;
    outlook.error_limited_dt = std::sqrt(limit * model.time.max_step);
  }
  if (ramps_done_ > 0) {
    // The finished ramps' steps, for the one in progress too (its share of them): a ramp's
    // first steps have an error limit far below its later one (the kink's transient).
    outlook.steps_per_heater_ramp = double(ramp_steps_done_) / ramps_done_;
  } else if (steps_this_ramp_ >= 5 && now == CyclePhase::heater_ramp) {
    outlook.error_limited_dt = error_limited_dt_;
    // No heater ramp finished yet: the one in progress, its steps so far and those the error
    // limit lets it take to its end, stands for the later ones.
    const double ramp_end = std::min(model.heater_recipe.schedule.next_boundary(t), until);
    outlook.steps_per_heater_ramp =
        steps_this_ramp_ + expected_steps(model, t, ramp_end, next_snapshot_index, outlook)[CyclePhase::heater_ramp];
  }
  // The cooling after the heater went cold takes about as many steps as the ramp down did (the
  // error limits them; on the default cycle 31 after a 56-step quench, where the growth rule
  // counts 10): in it, those the last ramp took less those done; before it, a ramp's worth.
  // Once the cooling's steps grow at the full step growth again (past its first few, which
  // start from time.step), the error no longer limits them and the growth rule counts the rest:
  // the ramp's count then overstates the tail (the gem cell: 41 cooling steps after a 47-step
  // quench, 3 left where 9 were counted).
  // While the error still limits them, the cooling's steps grow by a steady factor r per step:
  // the cell's departure from the coolant decays as exp(-t/tau) and the error-limited step as
  // exp(t/(2 tau)), so that from a step dt the rest of a stretch T takes
  // (1 - exp(-T ln r / dt)) / ln r steps (1/ln r for a long one; on the default cycle the ramp's
  // count, 20 steps where 9 were left, priced the last 6 s of the run at 19 s). The fewer of the
  // two counts: the factor is noisy in the cooling's first steps.
  const bool cooling_tail = steps_this_cooling_ >= 3 && !error_limiting_;
  if (now == CyclePhase::cooling) {
    const double ramp_left = !cooling_tail && steps_this_cooling_ < last_ramp_steps_
                                 ? double(last_ramp_steps_ - steps_this_cooling_)
                                 : 0.0;
    outlook.cooling_steps = ramp_left;
    if (!cooling_tail && cooling_growths_seen_ >= int(cooling_log_growth_.size()) && last_dt_ > 0.0) {
      double log_r = 0.0;
      for (double g : cooling_log_growth_) log_r += g / double(cooling_log_growth_.size());
      if (log_r > 1e-3) {
        const double decaying = (1.0 - std::exp(-(until - t) * log_r / last_dt_)) / log_r;
        outlook.cooling_steps = ramp_left > 0.0 ? std::min(ramp_left, decaying) : decaying;
      }
    }
  } else
    outlook.cooling_steps = outlook.steps_per_heater_ramp;
  const ExpectedSteps left = expected_steps(model, t, until, next_snapshot_index, outlook);
  double eta = 0.0;
  for (CyclePhase p : {CyclePhase::cold, CyclePhase::heater_ramp, CyclePhase::hot, CyclePhase::cooling})
    eta += left[p] * cost_per_step(p);
  return eta;
}

}  // namespace hphtsim::simulation
