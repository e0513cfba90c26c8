// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/time_stepper.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/parallel.hpp"
#include "hphtsim/simulation/electrothermal.hpp"
#include "hphtsim/simulation/eta.hpp"
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

/// Wall time and ETA to the second (a user watching a run, and benchmarks/eta.py, read them
/// against each other: "2.5 min" left 6 s of doubt at the end of a 156 s run).
std::string format_wall(double s) {
  char buf[64];
  if (s < 120) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 7200) std::snprintf(buf, sizeof buf, "%d min %02d s", int(s) / 60, int(s) % 60);
  else std::snprintf(buf, sizeof buf, "%.2f h", s / 3600);
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

bool TimeStepper::run(Simulation& sim, const RunOptions& options, RunObserver* observer) {
  const Model& model = sim.model_;
  nz_ = model.grid.nz;
  const double until = options.until >= 0.0 ? options.until : model.time.end;
  using clock = std::chrono::steady_clock;
  const auto wall0 = clock::now();
  auto wall = [&] { return std::chrono::duration<double>(clock::now() - wall0).count(); };
  const TimeSettings& ts = model.time;
  Diagnostics& diag = sim.diag_;

  EtaEstimator eta;  // prices the expected steps per phase at the measured cost (eta.hpp)
  double last_progress = -1.0;
  auto progress = [&](bool final) {
    if (!options.progress) return;
    const double w = wall();
    if (!final && w - last_progress < 0.5) return;
    last_progress = w;
    const double left = final ? 0.0 : eta.remaining(model, sim.time_, s_.next_dt, until, s_.next_snapshot_index);
    char crystal[64] = "";
    if (const auto* g = sim.crystals(); g && !g->seeds().empty()) {
      double mass = 0.0;
      for (const auto& s : g->seeds()) mass += s.mass;
      std::snprintf(crystal, sizeof crystal, " | crystal %.1f mg", mass * 1e6);
    }
    std::fprintf(stderr, "\r[hphtsim] t = %s / %s | step %s | T_max %.0f degC | P %.0f W%s | wall %s | ETA %s   %s",
                 format_duration(sim.time_).c_str(), format_duration(until).c_str(),
                 format_duration(diag.step_length).c_str(), diag.T_max - 273.15, diag.electric.power, crystal,
                 format_wall(w).c_str(), format_wall(left).c_str(), final ? "\n" : "");
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
    const CyclePhase phase = cycle_phase(model, sim.time_);
    // Everything this attempt costs (coupling, and when accepted pressure, growth, output)
    // is charged to its phase when the iteration ends, whichever way it ends.
    struct Charge {
      EtaEstimator& eta;
      CyclePhase phase;
      double start;
      const decltype(wall)& clock;
      ~Charge() { eta.charge(phase, clock() - start); }
    } charge{eta, phase, wall(), wall};
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
    double error_limited_dt = std::numeric_limits<double>::infinity();  // no estimate yet
    if (s_.have_prev) {
      const double err = local_error(sim.electro_->T(), sim.electro_->T_old(), dt);
      if (err > 0.0) error_limited_dt = 0.9 * dt * std::sqrt(ts.tolerance / err);
      factor = err > 0.0 ? std::clamp(0.9 * std::sqrt(ts.tolerance / err), 0.2, ts.step_growth) : ts.step_growth;
      if (err > 2.0 * ts.tolerance && dt > ts.min_step) {
        sim.electro_->reject_step();
        ++diag.rejected_steps;
        s_.next_dt = std::max(dt * factor, ts.min_step);
        continue;
      }
    }
    const bool heater_segment_ends = std::abs(target - model.heater_recipe.schedule.next_boundary(sim.time_)) <= eps;
    sim.accept(dt);  // (advances the simulation's clock)
    eta.accepted(phase, heater_segment_ends);
    eta.set_error_limit(error_limited_dt, dt, factor < ts.step_growth);
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
    // The growth-rate law's decision, when one is due (it runs the simulation ahead and puts it
    // back: after the step size is planned, so that the state it saves is the one to continue).
    sim.planner_.after_step(sim);
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
