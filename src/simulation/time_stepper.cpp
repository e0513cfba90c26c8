// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/time_stepper.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/parallel.hpp"
#include "hphtsim/simulation/electrothermal.hpp"
#include "hphtsim/simulation/simulation.hpp"

namespace hphtsim::simulation {

namespace {

std::string format_duration(double s) {
  char buf[64];
  if (s < 120) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 7200) std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  else if (s < 3 * 86400) std::snprintf(buf, sizeof buf, "%.2f h", s / 3600);
  else std::snprintf(buf, sizeof buf, "%.2f d", s / 86400);
  return buf;
}

}  // namespace

void TimeStepper::accepted(double dt, const std::vector<double>& T_old) {
  s_.T_prev = T_old;  // T^n becomes the previous solution of the next error estimate
  s_.dt_prev = dt;
  s_.have_prev = true;
}

void TimeStepper::reset_history(const std::vector<double>& T) {
  s_.T_prev = T;
  s_.have_prev = false;
}

double TimeStepper::local_error(const std::vector<double>& T, const std::vector<double>& T_old, double dt) const {
  // Backward Euler's local error ~ dt^2 T''/2, estimated from the difference between the new
  // solution and the linear extrapolation of the two previous ones.
  const std::vector<double>& T_prev = s_.T_prev;
  const std::size_t plane = T.size() / std::size_t(std::max(1, nz_));
  const double r = dt / s_.dt_prev;
  const double e = core::plane_max(nz_, [&](int k) {
    double m = 0.0;
    for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
      m = std::max(m, std::abs(T[c] - T_old[c] - r * (T_old[c] - T_prev[c])));
    return m;
  }, 0.0);
  return e * dt / (dt + s_.dt_prev);
}

ExpectedSteps TimeStepper::expected_steps(const Model& model, double t, double dt, double until,
                                         int next_snapshot_index, double steps_per_ramp) {
  const TimeSettings& ts = model.time;
  const double eps = 1e-9 * std::max(1.0, until);
  ExpectedSteps steps;
  int snap = next_snapshot_index;
  while (t < until - eps && steps.ramp + steps.hold < 1e7) {
    const double next_snapshot = double(snap) * ts.snapshot_interval;
    const double next_recipe = model.next_recipe_boundary(t);
    if (model.recipe_ramping(t) && steps_per_ramp > 0.0) {
      // A ramp takes about as many steps as the ramps so far did, whatever its length (the
      // local error follows the load's rate, not the segment's duration): its share of them.
      double start = 0.0;
      while (model.next_recipe_boundary(start) <= t + eps) start = model.next_recipe_boundary(start);
      const double end = std::min(next_recipe, until);
      steps.ramp += steps_per_ramp * (end - t) / std::max(next_recipe - start, eps);
      t = end;
      while (double(snap) * ts.snapshot_interval <= t + eps) ++snap;
      dt = ts.step;
      continue;
    }
    const double natural = std::min({next_snapshot, next_recipe, until});
    double& count = model.recipe_ramping(t) ? steps.ramp : steps.hold;
    const double cap = ts.max_step;
    dt = std::min(dt, cap);
    // Long stretches at the largest step: count them in closed form up to the next landing.
    if (dt >= cap && t + dt < natural - eps) {
      const double n = std::floor((natural - t) / cap - 1e-9);  // full steps before the landing
      count += n;
      t += n * cap;
    }
    const double target = std::min(t + dt, natural);
    count += 1.0;
    const bool at_snapshot = std::abs(target - next_snapshot) <= eps;
    const bool at_recipe = std::abs(target - next_recipe) <= eps;
    if (at_snapshot) ++snap;
    dt = at_recipe ? ts.step : std::min(dt * ts.step_growth, cap);
    t = target;
  }
  return steps;
}

bool TimeStepper::run(Simulation& sim, const RunOptions& options, RunObserver* observer) {
  const Model& model = sim.model_;
  nz_ = model.grid.nz;
  const double until = options.until >= 0.0 ? options.until : model.time.end;
  using clock = std::chrono::steady_clock;
  const auto wall0 = clock::now();
  auto wall = [&] { return std::chrono::duration<double>(clock::now() - wall0).count(); };
  const TimeSettings& ts = model.time;
  Diagnostics& diag = sim.diag_;

  // The ETA: the steps the controller expects over the rest of the recipe times the measured
  // cost of a step, ramps and holds apart. A ramp is counted at the mean number of steps the
  // finished ramps took (the local error, not the step growth, limits them) and costs what a
  // ramp step cost so far (latent heat, pressure solves); holds at the largest step and the
  // cost of the recent hold steps. A phase not seen yet costs what the other one did.
  int ramps_done = 0, ramp_steps_done = 0, steps_this_ramp = 0;
  struct Cost {
    double wall = 0.0;
    int attempts = 0;
    double per_attempt() const { return attempts > 0 ? wall / attempts : 0.0; }
  } ramp_cost, hold_cost;
  double last_progress = -1.0;
  auto progress = [&](bool final) {
    if (!options.progress) return;
    const double w = wall();
    if (!final && w - last_progress < 0.5) return;
    last_progress = w;
    const double steps_per_ramp = ramps_done > 0 ? double(ramp_steps_done) / ramps_done : 0.0;
    const ExpectedSteps left = final ? ExpectedSteps{}
                                     : expected_steps(model, sim.time_, s_.next_dt, until, s_.next_snapshot_index,
                                                      steps_per_ramp);
    const double c_ramp = ramp_cost.attempts ? ramp_cost.per_attempt() : hold_cost.per_attempt();
    const double c_hold = hold_cost.attempts ? hold_cost.per_attempt() : ramp_cost.per_attempt();
    const double eta = left.ramp * c_ramp + left.hold * c_hold;
    char crystal[64] = "";
    if (const auto* g = sim.crystals(); g && !g->seeds().empty()) {
      double mass = 0.0;
      for (const auto& s : g->seeds()) mass += s.mass;
      std::snprintf(crystal, sizeof crystal, " | crystal %.1f mg", mass * 1e6);
    }
    std::fprintf(stderr, "\r[hphtsim] t = %s / %s | step %s | T_max %.0f degC | P %.0f W%s | wall %s | ETA %s   %s",
                 format_duration(sim.time_).c_str(), format_duration(until).c_str(),
                 format_duration(diag.step_length).c_str(), diag.T_max - 273.15, diag.electric.power, crystal,
                 format_duration(w).c_str(), format_duration(eta).c_str(), final ? "\n" : "");
    std::fflush(stderr);
  };

  if (ts.start_from_steady_state && sim.time_ == 0.0 && diag.steps == 0) sim.solve_steady();
  if (observer && diag.steps == 0 && sim.time_ == 0.0) {
    observer->series_row(sim.series_row());
    observer->snapshot(sim.time_, sim.outputs());
  }
  const double eps = 1e-9 * std::max(1.0, until);
  double last_checkpoint_wall = 0.0;
  SimulationState before_cut;
  bool last_step_cut = false;
  bool stopped = false;
  while (sim.time_ < until - eps) {
    if (options.stop && options.stop->load()) {
      stopped = true;
      break;
    }
    const double planned = s_.next_dt;
    // Land exactly on snapshot times and recipe segment ends (natural boundaries: the same in
    // every run) and on `until` (a cut: the state before it is what gets checkpointed).
    const double next_snapshot = double(s_.next_snapshot_index) * ts.snapshot_interval;
    const double next_recipe = model.next_recipe_boundary(sim.time_);
    double target = sim.time_ + planned, natural = std::min(next_snapshot, next_recipe);
    bool at_snapshot = false, at_recipe = false, cut = false;
    if (target >= natural - eps) {
      target = natural;
      at_snapshot = std::abs(target - next_snapshot) <= eps;
      at_recipe = std::abs(target - next_recipe) <= eps;
    }
    if (target > until + eps) {
      cut = true;
      target = until;
      at_snapshot = at_snapshot && std::abs(until - next_snapshot) <= eps;
      at_recipe = at_recipe && std::abs(until - next_recipe) <= eps;
    }
    if (cut) before_cut = sim.state();
    const double dt = target - sim.time_;
    const bool ramping = model.recipe_ramping(sim.time_);
    Cost& cost = ramping ? ramp_cost : hold_cost;
    const double attempt_start = wall();
    ++cost.attempts;
    // The recent hold steps set the hold's cost (the first ones after a heat-up are dearer).
    if (!ramping && cost.attempts > 8) {  // keep it the mean of about the last 8
      cost.wall *= 7.0 / 8.0;
      cost.attempts = 8;
    }
    // Everything this attempt costs (coupling, and when accepted pressure, growth, output)
    // is charged to its phase when the iteration ends, whichever way it ends.
    struct Charge {
      Cost& cost;
      double start;
      const decltype(wall)& clock;
      ~Charge() { cost.wall += clock() - start; }
    } charge{cost, attempt_start, wall};
    try {
      sim.attempt(dt);
    } catch (const SolverError&) {
      // The coupling failed: retry with a quarter of the step, unless it is already tiny.
      if (dt <= ts.min_step) throw;
      ++diag.rejected_steps;
      s_.next_dt = std::max(0.25 * dt, ts.min_step);
      continue;
    }
    // Step-size control on the local error (max norm, K), with a margin of 2 before rejecting.
    double factor = ts.step_growth;
    if (s_.have_prev) {
      const double err = local_error(sim.electro_->T(), sim.electro_->T_old(), dt);
      factor = err > 0.0 ? std::clamp(0.9 * std::sqrt(ts.tolerance / err), 0.2, ts.step_growth) : ts.step_growth;
      if (err > 2.0 * ts.tolerance && dt > ts.min_step) {
        sim.electro_->reject_step();
        ++diag.rejected_steps;
        s_.next_dt = std::max(dt * factor, ts.min_step);
        continue;
      }
    }
    sim.accept(dt);
    if (ramping) {
      ++steps_this_ramp;
      if (at_recipe) {  // a ramp ends here: it took steps_this_ramp steps
        ++ramps_done;
        ramp_steps_done += steps_this_ramp;
        steps_this_ramp = 0;
      }
    }
    sim.time_ = target;  // exact landing, no accumulated round-off
    diag.time = target;
    sim.history_.back()[0] = target;
    last_step_cut = cut;
    if (at_snapshot) ++s_.next_snapshot_index;
    const bool at_end = sim.time_ >= until - eps;
    if (observer) {
      observer->series_row(sim.series_row());
      if (at_snapshot || at_recipe || at_end) observer->snapshot(sim.time_, sim.outputs());
    }
    if (at_recipe) {
      s_.next_dt = ts.step;  // a segment change: start small again, with no history across the kink
      s_.have_prev = false;
    } else if (factor >= 1.0) {
      s_.next_dt = std::min({planned * ts.step_growth, std::max(planned, dt * factor), ts.max_step});
    } else {
      s_.next_dt = std::max(dt * factor, ts.min_step);
    }
    // Periodic checkpoints by wall time (0: after every step).
    if (options.checkpoint && !at_end && wall() - last_checkpoint_wall >= ts.checkpoint_wall_interval) {
      options.checkpoint(sim.state());
      last_checkpoint_wall = wall();
    }
    progress(false);
  }
  progress(true);
  if (options.checkpoint) options.checkpoint(last_step_cut ? before_cut : sim.state());
  return !stopped;
}

}  // namespace hphtsim::simulation
