// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/simulation.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/sampling.hpp"
#include "hphtsim/geometry/region_mean.hpp"
#include "hphtsim/simulation/electrothermal.hpp"

namespace hphtsim::simulation {

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
}  // namespace

Simulation::Simulation(Model model) : model_(std::move(model)), map_(model_.map) {
  const core::Grid& g = model_.grid;
  cell_volume_.assign(g.size(), 0.0);
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) cell_volume_[g.index(i, j, k)] = g.volume(i, j, k);
  verbose_ = std::getenv("HPHTSIM_VERBOSE") != nullptr;
  electro_ = std::make_unique<ElectroThermal>(model_, map_, cell_volume_, verbose_);
  stepper_.state().next_dt = model_.time.step;
  stepper_.reset_history(electro_->T());
  diag_.T_seed.assign(model_.seed_count(), 0.0);
  diag_.dT_source_seed.assign(model_.seed_count(), 0.0);
  diag_.dTdz_seed.assign(model_.seed_count(), 0.0);
  diag_.dTdr_seed.assign(model_.seed_count(), 0.0);
  diag_.T_probe.assign(model_.probes.size(), 0.0);
  diag_.p_seed.assign(model_.seed_count(), nan);

  if (model_.growth) {
    const int source_material = map_.material[std::size_t(
        std::find(map_.region.begin(), map_.region.end(), model_.source_region) - map_.region.begin())];
    growth_ = std::make_unique<growth::CrystalGrowth>(
        g, map_, model_.assembly, model_.solvent_region, model_.source_region, *model_.growth,
        model_.materials[std::size_t(source_material)].density(model_.time.initial_temperature));
  }
  if (model_.pressure.field) {
    physics::PressureRegions regions{model_.solvent_region, model_.source_region,
                                     int(model_.assembly.primitives.size()), int(model_.seed_count())};
    pressure_ = std::make_unique<physics::CellPressure>(g, cell_volume_, map_, regions, model_.pressure,
                                                        model_.time.initial_temperature);
    if (growth_ && model_.crystal_stress.enabled) stress_ = std::make_unique<physics::CrystalStress>(g, pressure_->capsule(), regions, model_.crystal_stress);
  }

  // The initial state: fields at t = 0 with the initial temperature.
  electro_->solve_electric(0.0);
  diag_.electric = electro_->electric();
  refresh_diagnostics(inf);
  update_pressure(0.0);
  if (growth_) {
    growth_->update_status(electro_->T(), diag_.p_cell, diag_.T_seed, pressure_ ? &diag_.p_seed : nullptr);
    for (const auto& d : growth_->seeds()) last_status_.push_back(d.status);
  }
  diag_.energy_imbalance = 0.0;
  diag_.stored_rate = 0.0;
  declare_outputs(outputs_, this);
  history_.push_back(series_row());
}

Simulation::~Simulation() = default;

void Simulation::refresh_diagnostics(double dt) {
  update_diagnostics(diag_, model_, map_, cell_volume_, *electro_, time_, dt, pressure_ != nullptr);
}

void Simulation::update_pressure(double dt, bool reuse_saved_field) {
  if (!pressure_) return;
  const physics::CellPressure::Inputs in{&map_, &model_.materials, &electro_->T(), model_.cell_pressure(time_),
                                         growth_ ? growth_->converted_volume() : 0.0};
  pressure_->update(in, dt, model_.linear, reuse_saved_field, verbose_);
  diag_.p_cell = pressure_->p_cell();
  diag_.p_seed = pressure_->p_seed();
  diag_.mechanics_solves = pressure_->solves();
  diag_.anvil_advance = pressure_->anvil_advance();
  if (stress_) stress_->update({&map_, pressure_.get(), &electro_->T()}, reuse_saved_field ? 0.0 : dt, model_.linear);
}

void Simulation::solve_steady() {
  electro_->begin_step();
  stepper_.reset_history(electro_->T());
  diag_.coupling_iterations = electro_->couple(inf, time_, diag_.T_max);
  diag_.electric = electro_->electric();
  diag_.linear_iterations = electro_->linear_iterations();
  electro_->commit_control(inf, time_);
  refresh_diagnostics(inf);
  update_pressure(inf);  // a steady state is the long-time limit: the medium has relaxed
  if (growth_) growth_->update_status(electro_->T(), diag_.p_cell, diag_.T_seed, pressure_ ? &diag_.p_seed : nullptr);
  history_.push_back(series_row());
}

void Simulation::attempt(double dt) {
  HPHTSIM_CHECK(dt > 0.0 && std::isfinite(dt), "time step must be positive and finite");
  electro_->begin_step();
  try {
    diag_.coupling_iterations = electro_->couple(dt, time_ + dt, diag_.T_max);
  } catch (...) {
    electro_->reject_step();
    throw;
  }
  diag_.electric = electro_->electric();
  diag_.linear_iterations = electro_->linear_iterations();
}

void Simulation::accept(double dt) {
  electro_->commit_control(dt, time_ + dt);
  time_ += dt;
  ++diag_.steps;
  update_pressure(dt);
  if (growth_) {
    std::vector<double> T_seed(model_.seed_count());
    for (std::size_t s = 0; s < T_seed.size(); ++s)
      T_seed[s] = geometry::region_mean(model_.grid, map_, cell_volume_, electro_->T(), model_.seed_region(s));
    growth_->step(electro_->T(), diag_.p_cell, T_seed, dt, model_.linear, pressure_ ? &diag_.p_seed : nullptr,
                  pressure_ ? &pressure_->field() : nullptr);
    double mean_rate = 0.0, mean_critical = 0.0, line_margin = inf;
    for (const auto& seed : growth_->seeds()) {
      mean_rate += seed.growth_rate / double(growth_->seeds().size());
      mean_critical += seed.critical_rate / double(growth_->seeds().size());
      line_margin = std::min(line_margin, seed.line_margin_K);
    }
    electro_->observe_growth_rate(time_, mean_rate, mean_critical);
    if (planner_.predicting()) {
      planner_.add_trial_step(time_, dt, mean_rate, line_margin);  // a look ahead: quiet
    } else {
      report_status_changes(growth_->seeds(), model_, time_, last_status_);
      report_contacts(*growth_, model_, time_);
    }
  }
  refresh_diagnostics(dt);
  // The step decided growth on the seeds' state at its start; the row written now describes its
  // end: the margins again, at the seed temperatures of the grown crystals, so that
  // line_margin = p_seed - P_eq(T_seed) holds row by row in the output.
  if (growth_) growth_->refresh_margins(diag_.T_seed, diag_.p_cell, pressure_ ? &diag_.p_seed : nullptr);
  stepper_.accepted(dt, electro_->T_old());
  history_.push_back(series_row());
}

void Simulation::step(double dt) {
  attempt(dt);
  accept(dt);
}

bool Simulation::run(const RunOptions& options, RunObserver* observer) { return stepper_.run(*this, options, observer); }

std::vector<double>& Simulation::field(const std::string& name) {
  const FieldOutput& f = outputs_.find(name);
  if (!f.edit) throw std::invalid_argument("field '" + name + "' is read-only (an output derived from the state)");
  return f.edit();
}

const std::vector<double>& Simulation::field_view(const std::string& name) const { return outputs_.find(name).view(); }

std::vector<std::string> Simulation::field_names() const {
  std::vector<std::string> names;
  for (const auto& f : outputs_.fields()) names.push_back(f.name);
  return names;
}

std::string Simulation::field_units(const std::string& name) const { return outputs_.find(name).units; }

std::vector<Simulation::SeriesColumn> Simulation::series_layout() const {
  std::vector<SeriesColumn> cols;
  for (const auto& s : outputs_.series()) cols.push_back({s.name, s.units, s.columns});
  return cols;
}

std::vector<double> Simulation::series_row() const { return outputs_.row(); }

SimulationState Simulation::state() const {
  SimulationState s;
  const StepperState& st = stepper_.state();
  s.time = time_;
  s.next_dt = st.next_dt;
  s.dt_prev = st.dt_prev;
  s.have_prev = st.have_prev ? 1 : 0;
  s.next_snapshot_index = st.next_snapshot_index;
  s.steps = diag_.steps;
  s.rejected_steps = diag_.rejected_steps;
  ElectroThermal::State et = electro_->state();
  s.pid_integral = et.pid_integral;
  s.pid_last_error = et.pid_last_error;
  s.pid_started = et.pid_started ? 1 : 0;
  s.heater_power = et.power;
  s.heater_measured_start = et.measured_start;
  s.rate_ramp = et.rate_ramp;
  s.rate_planner = planner_.state();
  if (pressure_) {
    physics::CellPressure::State ps = pressure_->state();
    s.pressure_relaxation = ps.relaxation;
    s.mechanics_solves = ps.solves;
    s.mechanics = std::move(ps.mechanics);
  }
  if (stress_) s.crystal_stress = stress_->state();
  s.T = std::move(et.T);
  s.T_prev = st.T_prev;
  s.electric_warm_start = std::move(et.electric_warm_start);
  s.T_base = std::move(et.T_base);
  s.T_response = std::move(et.T_response);
  if (growth_) {
    s.region.assign(map_.region.begin(), map_.region.end());
    s.material.assign(map_.material.begin(), map_.material.end());
    s.growth = growth_->state();
  }
  return s;
}

void Simulation::restore(const SimulationState& s) {
  const std::size_t n = cell_volume_.size();
  if (s.T_prev.size() != n) throw ConfigError("--restart", "the checkpoint's fields do not match this model's grid");
  time_ = s.time;
  StepperState& st = stepper_.state();
  st.next_dt = s.next_dt;
  st.dt_prev = s.dt_prev;
  st.have_prev = s.have_prev != 0;
  st.next_snapshot_index = s.next_snapshot_index;
  st.T_prev = s.T_prev;
  diag_.steps = s.steps;
  diag_.rejected_steps = s.rejected_steps;
  if (pressure_) pressure_->restore({s.pressure_relaxation, s.mechanics_solves, s.mechanics});
  if (stress_) stress_->restore(s.crystal_stress);
  electro_->restore({s.T, s.electric_warm_start, s.T_base, s.T_response, s.pid_integral, s.pid_last_error,
                     s.pid_started != 0, s.heater_measured_start, s.heater_power, s.rate_ramp});
  planner_.restore(s.rate_planner);
  if (growth_) {
    if (s.region.size() != n || s.material.size() != n)
      throw ConfigError("--restart", "the checkpoint lacks the growth state");
    // From the painted map, the cells the growth gave to another region (the mixed cells'
    // largest part follows, as it did in the run).
    map_ = model_.map;
    for (std::size_t c = 0; c < n; ++c)
      if (map_.region[c] != std::int32_t(s.region[c])) map_.reassign(c, std::int32_t(s.region[c]));
    growth_->restore(s.growth);
  }
  // Fields and figures of the restored state (the electric solve starts from the saved guess
  // and keeps it for the next step; phi and q are outputs, not state).
  electro_->solve_electric(time_, /*keep_warm_start=*/true);
  diag_.electric = electro_->electric();
  refresh_diagnostics(inf);
  update_pressure(0.0, /*reuse_saved_field=*/true);
  history_.clear();
  history_.push_back(series_row());
}

}  // namespace hphtsim::simulation
