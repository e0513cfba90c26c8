// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/parallel.hpp"
#include "hphtsim/io/result_file.hpp"

namespace hphtsim::simulation {

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
}  // namespace

Simulation::Simulation(Model model)
    : model_(std::move(model)),
      electric_(model_.grid, model_.electric),
      thermal_(model_.grid, model_.thermal),
      pid_(model_.heater_recipe.pid) {
  const core::Grid& g = model_.grid;
  const std::size_t n = g.size();
  T_.assign(n, model_.time.initial_temperature);
  T_old_ = T_;
  T_prev_ = T_;
  T_iter_ = T_;
  T_base_ = T_;
  T_response_.assign(n, 0.0);
  zero_.assign(n, 0.0);
  phi_.assign(n, 0.0);
  heat_.assign(n, 0.0);
  q_density_.assign(n, 0.0);
  resistivity_.assign(n, 0.0);
  conductivity_.assign(n, 0.0);
  rho_cp_.assign(n, 0.0);
  cell_volume_.assign(n, 0.0);
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) cell_volume_[g.index(i, j, k)] = g.volume(i, j, k);
  next_dt_ = model_.time.step;
  verbose_ = std::getenv("HPHTSIM_VERBOSE") != nullptr;
  diag_.T_seed.assign(model_.seed_count(), 0.0);
  diag_.dT_source_seed.assign(model_.seed_count(), 0.0);
  diag_.T_probe.assign(model_.probes.size(), 0.0);

  if (model_.growth) {
    const int source_material = model_.map.material[std::size_t(
        std::find(model_.map.region.begin(), model_.map.region.end(), model_.source_region) - model_.map.region.begin())];
    growth_ = std::make_unique<growth::CrystalGrowth>(
        g, model_.map, model_.assembly, model_.solvent_region, model_.source_region, *model_.growth,
        model_.materials[std::size_t(source_material)].density(model_.time.initial_temperature));
  }

  if (model_.pressure_field) {
    mechanics_ = std::make_unique<physics::Mechanics>(g);
    E_.assign(n, 0.0);
    nu_.assign(n, 0.0);
    eigenstrain_.assign(n, 0.0);
    p_field_.assign(n, 0.0);
    fluid_.assign(n, 0);
    seed_melt_.assign(n, 0);
    // The growth capsule (solvent, carbon source, crystals): growth only moves cells between
    // these regions, so the mask is fixed.
    capsule_.assign(n, 0);
    const auto& reg = model_.map.region;
    for (std::size_t c = 0; c < n; ++c) {
      const int r = reg[c];
      capsule_[c] = r >= 0 && (r == model_.solvent_region || r == model_.source_region ||
                               r >= int(model_.assembly.primitives.size()));
      if (capsule_[c]) capsule_volume_ += cell_volume_[c];
    }
    if (capsule_volume_ == 0.0) {  // no growth capsule in this assembly: p_cell is the whole cell's mean
      std::fill(capsule_.begin(), capsule_.end(), 1);
      for (double v : cell_volume_) capsule_volume_ += v;
    }
  }
  diag_.p_seed.assign(model_.seed_count(), nan);

  // The initial electric state (fields at t = 0 with the initial temperature).
  update_properties(0.0);
  electric_.settings().setpoint = model_.heater_recipe.mode == HeaterRecipe::Mode::temperature
                                      ? 0.0
                                      : (model_.heater_recipe.mode == HeaterRecipe::Mode::power
                                             ? model_.heater_recipe.schedule.value(0.0)
                                             : model_.electric.setpoint);
  diag_.electric = electric_.solve(resistivity_, phi_, heat_, model_.linear);
  for (std::size_t c = 0; c < n; ++c) q_density_[c] = heat_[c] / cell_volume_[c];
  update_diagnostics(inf);
  update_pressure(0.0);
  if (growth_) {
    growth_->update_status(T_, diag_.p_cell, diag_.T_seed, mechanics_ ? &diag_.p_seed : nullptr);
    for (const auto& d : growth_->seeds()) last_status_.push_back(d.status);
  }
  diag_.energy_imbalance = 0.0;
  diag_.stored_rate = 0.0;
  history_.push_back(series_row());
}

Simulation::~Simulation() = default;

void Simulation::update_properties(double t) {
  const auto& mats = model_.materials;
  const auto& id = model_.map.material;
  const std::size_t n = T_.size();
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    const materials::Material& m = mats[std::size_t(id[c])];
    const double t_c = T_[c];
    resistivity_[c] = m.electrical_resistivity(t_c);
    conductivity_[c] = m.thermal_conductivity(t_c);
    // Chord heat capacity between the old temperature and the current iterate: at convergence
    // the step stores exactly h(T) - h(T_old), latent heat included.
    const double dT = t_c - T_old_[c];
    rho_cp_[c] = std::abs(dT) > 1e-6 ? (m.volumetric_enthalpy(t_c) - m.volumetric_enthalpy(T_old_[c])) / dT
                                     : m.density(t_c) * m.apparent_heat_capacity(t_c);
  }
  // Slow drifts of the cycle (heater resistance, medium conductivity) at the step's end time.
  for (const auto& d : model_.drifts) {
    const double f = d.factor(t);
    auto& target = d.property == process::Drift::Property::electrical_resistivity ? resistivity_ : conductivity_;
    const auto& sel = d.region >= 0 ? model_.map.region : model_.map.material;
    const int want = d.region >= 0 ? d.region : d.material;
#pragma omp parallel for schedule(static)
    for (std::size_t c = 0; c < n; ++c)
      if (sel[c] == want) target[c] *= f;
  }
}

int Simulation::couple(double dt, double t_new) {
  const std::size_t n = T_.size();
  const int max_it = model_.coupling.max_iterations;
  const bool pid = model_.heater_recipe.mode == HeaterRecipe::Mode::temperature;
  if (model_.heater_recipe.mode == HeaterRecipe::Mode::power)
    electric_.settings().setpoint = model_.heater_recipe.schedule.value(t_new);
  const double setpoint = pid ? model_.heater_recipe.schedule.value(t_new) : nan;
  const Probe* tc = pid ? &model_.probes[std::size_t(model_.heater_recipe.control_probe)] : nullptr;
  double change = 0.0;
  int linear = 0;
  // Inexact Picard: early coupling iterations need no tight linear solves. The linear
  // tolerance follows the last temperature change (1e-3 of it relative to the temperature
  // scale), never looser than 1e-5 nor tighter than solver.linear_tolerance; near convergence
  // the solves are as tight as configured.
  solvers::SolveOptions lin = model_.linear;
  lin.rel_tol = std::max(model_.linear.rel_tol, 1e-5);
  // The electric solve does at least one iteration per coupling pass: a resistivity change
  // too small to move its relative residual past the tolerance still moves the Joule heat,
  // and with the heater's resistivity-temperature feedback a lagging field stalls the
  // coupling (a 700 W steady state of the default cell at 40^3 did not converge in 50 passes).
  auto electric_options = [&] {
    solvers::SolveOptions e = lin;
    e.min_iterations = 1;
    return e;
  };
  for (int it = 1; it <= max_it; ++it) {
    update_properties(t_new);
    T_iter_ = T_;
    int thermal_its = 0;
    if (!pid) {
      diag_.electric = electric_.solve(resistivity_, phi_, heat_, electric_options());
      solvers::SolveStats s = thermal_.solve(conductivity_, rho_cp_, heat_, T_old_, dt, T_, lin);
      thermal_its = s.iterations;
    } else {
      // Superposition: T = T_base + P T_response, with the Joule heat of 1 W as the response's
      // source; the implicit PID then picks P in closed form.
      electric_.settings().setpoint = 1.0;
      physics::ElectricState unit = electric_.solve(resistivity_, phi_, heat_, electric_options());
      thermal_.assemble(conductivity_, rho_cp_, dt);
      thermal_its += thermal_.solve_assembled(zero_, &T_old_, T_base_, lin).iterations;
      thermal_its += thermal_.solve_assembled(heat_, nullptr, T_response_, lin).iterations;
      const double a = probe_value(T_base_, *tc), b = probe_value(T_response_, *tc);
      const double P = pid_.power_for(setpoint, a, b, dt);
      const double s = std::sqrt(P);
#pragma omp parallel for schedule(static)
      for (std::size_t c = 0; c < n; ++c) {
        T_[c] = T_base_[c] + P * T_response_[c];
        heat_[c] *= P;
        phi_[c] *= s;
      }
      diag_.electric = unit;
      diag_.electric.voltage = unit.voltage * s;
      diag_.electric.current = unit.current * s;
      diag_.electric.power = P;
      diag_.electric.joule_total = unit.joule_total * P;
      diag_.T_setpoint = setpoint;
    }
    linear += thermal_its + diag_.electric.iterations;
    const std::size_t plane = std::size_t(model_.grid.nx) * model_.grid.ny;
    change = core::plane_max(model_.grid.nz, [&](int k) {
      double m = 0.0;
      for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
        m = std::max(m, std::abs(T_[c] - T_iter_[c]));
      return m;
    }, 0.0);
    const double scale = std::max(1.0, diag_.T_max);
    const double used_tol = lin.rel_tol;
    lin.rel_tol = std::clamp(1e-3 * change / scale, model_.linear.rel_tol, std::max(model_.linear.rel_tol, 1e-5));
    if (verbose_)
      std::fprintf(stderr, "\n  coupling %d: electric %d its, thermal %d its, P %.2f W, max dT change %.3g K", it,
                   diag_.electric.iterations, thermal_its, diag_.electric.power, change);
    if (!std::isfinite(change)) throw SolverError("electro-thermal coupling produced a non-finite temperature");
    // Converged when T stopped changing and this iteration's solves were tight.
    if (change < model_.coupling.tolerance && used_tol <= std::max(model_.linear.rel_tol, 1e-3 * model_.coupling.tolerance / scale)) {
      diag_.linear_iterations = linear;
      for (std::size_t c = 0; c < n; ++c) q_density_[c] = heat_[c] / cell_volume_[c];
      return it;
    }
  }
  std::ostringstream os;
  os << "electro-thermal coupling did not converge in " << max_it << " iterations at t = " << t_new
     << " s (largest temperature change " << change << " K, tolerance " << model_.coupling.tolerance
     << " K); reduce time.step or raise solver.coupling_max_iterations";
  throw SolverError(os.str());
}

void Simulation::solve_steady() {
  T_old_ = T_;
  T_prev_ = T_;
  diag_.coupling_iterations = couple(inf, time_);
  if (model_.heater_recipe.mode == HeaterRecipe::Mode::temperature)
    pid_.commit(diag_.T_setpoint, probe_value(T_, model_.probes[std::size_t(model_.heater_recipe.control_probe)]),
                diag_.electric.power, inf);
  update_diagnostics(inf);
  update_pressure(inf);  // a steady state is the long-time limit: the medium has relaxed
  if (growth_) growth_->update_status(T_, diag_.p_cell, diag_.T_seed, mechanics_ ? &diag_.p_seed : nullptr);
  have_prev_ = false;
  history_.push_back(series_row());
}

void Simulation::attempt(double dt) {
  HPHTSIM_CHECK(dt > 0.0 && std::isfinite(dt), "time step must be positive and finite");
  T_old_ = T_;
  try {
    diag_.coupling_iterations = couple(dt, time_ + dt);
  } catch (...) {
    T_ = T_old_;
    throw;
  }
}

void Simulation::accept(double dt) {
  if (model_.heater_recipe.mode == HeaterRecipe::Mode::temperature)
    pid_.commit(diag_.T_setpoint, probe_value(T_, model_.probes[std::size_t(model_.heater_recipe.control_probe)]),
                diag_.electric.power, dt);
  time_ += dt;
  ++diag_.steps;
  update_pressure(dt);
  if (growth_) {
    std::vector<double> T_seed(model_.seed_count());
    for (std::size_t s = 0; s < T_seed.size(); ++s) T_seed[s] = region_mean(model_.seed_region(s));
    growth_->step(T_, diag_.p_cell, T_seed, dt, model_.linear, mechanics_ ? &diag_.p_seed : nullptr,
                  mechanics_ ? &p_field_ : nullptr);
    report_status_changes();
  }
  update_diagnostics(dt);
  T_prev_ = T_old_;  // T^n becomes the previous solution of the next error estimate
  dt_prev_ = dt;
  have_prev_ = true;
  history_.push_back(series_row());
}

void Simulation::step(double dt) {
  attempt(dt);
  accept(dt);
}

double Simulation::local_error(double dt) const {
  // Backward Euler's local error ~ dt^2 T''/2, estimated from the difference between the new
  // solution and the linear extrapolation of the two previous ones.
  const std::size_t plane = std::size_t(model_.grid.nx) * model_.grid.ny;
  const double r = dt / dt_prev_;
  const double e = core::plane_max(model_.grid.nz, [&](int k) {
    double m = 0.0;
    for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
      m = std::max(m, std::abs(T_[c] - T_old_[c] - r * (T_old_[c] - T_prev_[c])));
    return m;
  }, 0.0);
  return e * dt / (dt + dt_prev_);
}

double Simulation::region_mean(int region) const {
  if (region < 0) return nan;
  const auto& reg = model_.map.region;
  const core::Grid& g = model_.grid;
  const std::size_t plane = std::size_t(g.nx) * g.ny;
  double tv = core::plane_sum(g.nz, [&](int k) {
    double s = 0.0;
    for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
      if (reg[c] == region) s += T_[c] * cell_volume_[c];
    return s;
  });
  double v = core::plane_sum(g.nz, [&](int k) {
    double s = 0.0;
    for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
      if (reg[c] == region) s += cell_volume_[c];
    return s;
  });
  return v > 0.0 ? tv / v : nan;
}

double Simulation::probe_value(const std::vector<double>& f, const Probe& p) const {
  // Trilinear interpolation between cell centres, clamped at the outermost centres.
  const core::Grid& g = model_.grid;
  auto bracket = [](const std::vector<double>& e, int n, double x, int& i0, double& w) {
    if (n < 2 || x <= 0.5 * (e[0] + e[1])) { i0 = 0; w = 0.0; return; }
    if (x >= 0.5 * (e[n - 1] + e[n])) { i0 = n - 2; w = 1.0; return; }
    int lo = 0, hi = n - 1;
    while (hi - lo > 1) {
      int mid = (lo + hi) / 2;
      if (0.5 * (e[mid] + e[mid + 1]) <= x) lo = mid; else hi = mid;
    }
    double c0 = 0.5 * (e[lo] + e[lo + 1]), c1 = 0.5 * (e[lo + 1] + e[lo + 2]);
    i0 = lo;
    w = (x - c0) / (c1 - c0);
  };
  int i, j, k;
  double wx, wy, wz;
  bracket(g.x, g.nx, p.position[0], i, wx);
  bracket(g.y, g.ny, p.position[1], j, wy);
  bracket(g.z, g.nz, p.position[2], k, wz);
  double v = 0.0;
  for (int dk = 0; dk < 2; ++dk)
    for (int dj = 0; dj < 2; ++dj)
      for (int di = 0; di < 2; ++di) {
        double w = (di ? wx : 1 - wx) * (dj ? wy : 1 - wy) * (dk ? wz : 1 - wz);
        if (w == 0.0) continue;
        v += w * f[g.index(std::min(i + di, g.nx - 1), std::min(j + dj, g.ny - 1), std::min(k + dk, g.nz - 1))];
      }
  return v;
}

void Simulation::update_diagnostics(double dt) {
  const core::Grid& g = model_.grid;
  const std::size_t plane = std::size_t(g.nx) * g.ny;
  diag_.time = time_;
  diag_.step = std::isinf(dt) ? 0.0 : dt;
  diag_.T_max = core::plane_max(g.nz, [&](int k) {
    double m = 0.0;
    for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c) m = std::max(m, T_[c]);
    return m;
  }, 0.0);
  diag_.heat_out = thermal_.heat_out(T_);
  if (std::isinf(dt)) {
    diag_.stored_rate = 0.0;
  } else {
    // Enthalpy change of the step (latent heat included), so the balance measures the
    // coupling and linear-solver error, not the bookkeeping.
    const auto& mats = model_.materials;
    const auto& id = model_.map.material;
    diag_.stored_rate = core::plane_sum(g.nz, [&](int k) {
      double s = 0.0;
      for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c) {
        const auto& m = mats[std::size_t(id[c])];
        s += cell_volume_[c] * (m.volumetric_enthalpy(T_[c]) - m.volumetric_enthalpy(T_old_[c]));
      }
      return s;
    }) / dt;
  }
  const double P = diag_.electric.joule_total;
  diag_.energy_imbalance = P > 0.0 ? (P - diag_.heat_out - diag_.stored_rate) / P : 0.0;
  diag_.T_source = region_mean(model_.source_region);
  for (std::size_t s = 0; s < model_.seed_count(); ++s) {
    diag_.T_seed[s] = region_mean(model_.seed_region(s));
    diag_.dT_source_seed[s] = diag_.T_source - diag_.T_seed[s];
  }
  for (std::size_t p = 0; p < model_.probes.size(); ++p) diag_.T_probe[p] = probe_value(T_, model_.probes[p]);
  if (model_.heater_recipe.mode == HeaterRecipe::Mode::temperature) {
    diag_.T_control = diag_.T_probe[std::size_t(model_.heater_recipe.control_probe)];
    diag_.T_setpoint = model_.heater_recipe.schedule.value(time_);
  } else {
    diag_.T_control = nan;
    diag_.T_setpoint = nan;
  }
  diag_.oil_pressure = model_.oil_pressure.empty() ? nan : model_.oil_pressure.value(time_);
  diag_.p_calibrated = model_.has_pressure() ? model_.cell_pressure(time_) : nan;
  if (!mechanics_) diag_.p_cell = diag_.p_calibrated;
}

void Simulation::update_pressure(double dt, bool reuse_saved_field) {
  if (!mechanics_) return;
  // Per-cell moduli and free volumetric strain. Molten solvent (liquid fraction >= 1/2) is a
  // fluid region with one hydrostatic pressure; the graphite -> diamond volume loss is spread
  // over the growth capsule (solvent, source, crystals) as a negative free strain.
  const auto& mats = model_.materials;
  const auto& id = model_.map.material;
  const std::size_t n = T_.size();
  const double T_ref = model_.time.initial_temperature;
  const double conversion_strain =
      growth_ && capsule_volume_ > 0.0 ? growth_->converted_volume() / capsule_volume_ : 0.0;
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    const materials::Material& m = mats[std::size_t(id[c])];
    const double t = T_[c];
    double E = m.extra.at("youngs_modulus")(t), nu = m.extra.at("poisson_ratio")(t);
    fluid_[c] = m.melts() && m.liquid_fraction(t) >= 0.5;
    if (fluid_[c]) {
      const auto melt = physics::melt_moduli(physics::bulk_modulus(E, nu));
      E = melt.youngs_modulus;
      nu = melt.poisson_ratio;
    }
    E_[c] = E;
    nu_[c] = nu;
    eigenstrain_[c] = 3.0 * m.extra.at("thermal_expansion")(t) * (t - T_ref) - (capsule_[c] ? conversion_strain : 0.0);
  }
  // Fields whose inputs did not change are not recomputed: the field is solved again only when
  // a cell melted, froze or changed material, or its free strain moved by more than
  // pressure.refresh_pressure / K since the last solve.
  const double p_cal = model_.cell_pressure(time_);
  if (!mechanics_->solved() && relaxation_ == 0.0 &&
      std::all_of(eigenstrain_.begin(), eigenstrain_.end(), [](double e) { return e == 0.0; })) {
    // No free strain yet (cold cell, no conversion) and nothing relaxed: no departure from the
    // calibrated pressure, so no solve (a steady-state sweep then needs one solve, not two).
    std::fill(p_field_.begin(), p_field_.end(), std::max(0.0, p_cal));
    diag_.p_cell = std::max(0.0, p_cal);
    std::fill(diag_.p_seed.begin(), diag_.p_seed.end(), diag_.p_cell);
    return;
  }
  physics::MechanicsInput in{&E_, &nu_, &eigenstrain_, &fluid_};
  // A restored field stays as saved: the uninterrupted run decided on a refresh before that
  // step's growth changed the map, and decides again only at the next step.
  const bool reuse = reuse_saved_field && mechanics_->solved();
  if (!reuse && mechanics_->needs_update(in, model_.pressure_refresh)) {
    solvers::SolveOptions opts = model_.linear;
    opts.rel_tol = model_.mechanics_tolerance;
    const physics::MechanicsResult r = mechanics_->solve(in, 0.0, p_field_, opts);
    ++diag_.mechanics_solves;
    if (verbose_)
      std::fprintf(stderr, "\n  mechanics: %d + %d its, %.3f s", r.iterations_unit, r.iterations_free, r.solve_seconds);
  }
  // Cold compression leaves the cell at the calibrated pressure, taken as hydrostatic (the
  // medium flows while it is compacted: that is what makes it a pressure medium); the elastic
  // problem gives the departures from it at fixed ram position: thermal pressure and the
  // graphite -> diamond volume loss. The medium relaxes the mean departure over the capsule
  // towards zero with pressure.relaxation_time (a ram offset, relaxation_, in m).
  if (dt > 0.0) {
    const double w = 1.0 - std::exp(-dt / model_.pressure_relaxation_time);
    relaxation_ += w * (mechanics_->delta_for_mean_pressure(0.0, capsule_) - relaxation_);
  }
  mechanics_->pressure(relaxation_, p_field_);
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    // Without load (oil released, a cooled cell contracting) the medium separates from the
    // anvils instead of carrying tension: no contact model, so negative pressure becomes 0.
    p_field_[c] = std::max(0.0, p_field_[c] + p_cal);
  }
  diag_.p_cell = mechanics_->mean_over(p_field_, capsule_);
  // The pressure a seed grows at is the melt's next to it (the stiff crystal itself carries a
  // different stress): the mean over the solvent cells that share a face with the crystal,
  // the crystal's own mean only when no melt touches it.
  const auto& reg = model_.map.region;
  const core::Grid& g = model_.grid;
  for (std::size_t s = 0; s < model_.seed_count(); ++s) {
    const int crystal = model_.seed_region(s);
    std::size_t touching = 0;
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          const std::size_t c = g.index(i, j, k);
          bool next_to_crystal = false;
          if (reg[c] == model_.solvent_region)
            core::for_each_face_neighbour(g, i, j, k, [&](std::size_t nb) { next_to_crystal |= reg[nb] == crystal; });
          seed_melt_[c] = next_to_crystal;
          touching += next_to_crystal;
        }
    if (touching == 0)
      for (std::size_t c = 0; c < n; ++c) seed_melt_[c] = reg[c] == crystal;
    diag_.p_seed[s] = mechanics_->mean_over(p_field_, seed_melt_);
  }
}

void Simulation::report_status_changes() {
  const auto& seeds = growth_->seeds();
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    if (seeds[s].status == last_status_[s]) continue;
    const auto& d = seeds[s];
    std::fprintf(stderr, "\n[hphtsim] t = %.4g h: seed '%s' %s: %s (margin to the graphite-diamond line %.3f GPa / %.1f K, to the eutectic %.1f K)\n",
                 time_ / 3600.0, model_.assembly.seeds[s].name.c_str(),
                 d.status == growth::GrowthStatus::growing ? "grows again" : "stopped growing", growth::to_string(d.status),
                 d.line_margin_GPa, d.line_margin_K, d.eutectic_margin_K);
    last_status_[s] = d.status;
  }
}

std::vector<std::string> Simulation::field_names() const {
  std::vector<std::string> names = {"T", "phi", "q"};
  if (mechanics_) names.push_back("p");
  if (growth_) {
    names.push_back("carbon");
    names.push_back("crystal");
  }
  return names;
}

std::vector<double>& Simulation::field(const std::string& name) {
  if (name == "T") return T_;
  if (name == "phi") return phi_;
  if (name == "q") return q_density_;
  if (mechanics_ && name == "p") return p_field_;
  if (growth_ && name == "carbon") return growth_->carbon();
  if (growth_ && name == "crystal") return const_cast<std::vector<double>&>(growth_->crystal_map());
  throw std::invalid_argument("no field named '" + name + "' (fields: T, phi, q, and with growth carbon, crystal)");
}

std::string Simulation::field_units(const std::string& name) const {
  if (name == "T") return "K";
  if (name == "phi") return "V";
  if (name == "q") return "W/m^3";
  if (name == "p") return "Pa";
  if (name == "carbon") return "1";
  if (name == "crystal") return "1";
  throw std::invalid_argument("no field named '" + name + "'");
}

// One table of the time-series columns: name, units, width and how to fill them, so that the
// layout and the rows cannot drift apart.
template <class F>
void Simulation::for_each_series_column(F&& column) const {
  const auto& d = diag_;
  using Row = std::vector<double>;
  auto scalar = [&](const char* name, const char* units, double value) {
    column(name, units, 1, [value](Row& r) { r.push_back(value); });
  };
  auto vector = [&](const char* name, const char* units, const std::vector<double>& v) {
    column(name, units, int(v.size()), [&v](Row& r) { r.insert(r.end(), v.begin(), v.end()); });
  };
  scalar("time", "s", d.time);
  scalar("time_step", "s", d.step);
  scalar("heater_power", "W", d.electric.power);
  scalar("heater_voltage", "V", d.electric.voltage);
  scalar("heater_current", "A", d.electric.current);
  scalar("heater_resistance", "ohm", d.electric.resistance);
  scalar("T_max", "K", d.T_max);
  scalar("heat_out", "W", d.heat_out);
  scalar("stored_heat_rate", "W", d.stored_rate);
  scalar("energy_imbalance", "1", d.energy_imbalance);
  scalar("coupling_iterations", "1", double(d.coupling_iterations));
  scalar("linear_iterations", "1", double(d.linear_iterations));
  if (model_.heater_recipe.mode == HeaterRecipe::Mode::temperature) {
    scalar("T_control", "K", d.T_control);
    scalar("T_setpoint", "K", d.T_setpoint);
  }
  if (!model_.oil_pressure.empty()) scalar("oil_pressure", "Pa", d.oil_pressure);
  if (model_.has_pressure()) {
    scalar("p_calibrated", "Pa", d.p_calibrated);
    scalar("p_cell", "Pa", d.p_cell);
    if (mechanics_ && model_.seed_count() > 0) vector("p_seed", "Pa", d.p_seed);
    if (mechanics_) scalar("pressure_solves", "1", double(d.mechanics_solves));
  }
  if (model_.source_region >= 0) scalar("T_source", "K", d.T_source);
  if (model_.seed_count() > 0) {
    vector("T_seed", "K", d.T_seed);
    if (model_.source_region >= 0) vector("dT_source_seed", "K", d.dT_source_seed);
  }
  for (std::size_t p = 0; p < model_.probes.size(); ++p)
    scalar(("T_probe_" + model_.probes[p].name).c_str(), "K", d.T_probe[p]);
  if (growth_) {
    scalar("carbon_dissolved", "kg", growth_->carbon_dissolved());
    scalar("carbon_in_solution", "kg", growth_->carbon_in_solution());
    scalar("carbon_deposited", "kg", growth_->carbon_deposited());
    scalar("carbon_balance_error", "1", growth_->balance_error());
    scalar("nucleation_cells", "1", double(growth_->nucleation_cells()));
    using SD = growth::SeedDiagnostics;
    const auto& seeds = growth_->seeds();
    auto per_seed = [&](const char* name, const char* units, double (*get)(const SD&)) {
      column(name, units, int(seeds.size()), [&seeds, get](Row& r) {
        for (const auto& sd : seeds) r.push_back(get(sd));
      });
    };
    per_seed("mass", "mg", [](const SD& x) { return x.mass * 1e6; });
    per_seed("mass_ct", "ct", [](const SD& x) { return x.mass / 2e-4; });  // 1 ct = 0.2 g
    per_seed("growth_rate", "mg/h", [](const SD& x) { return x.growth_rate * 3.6e9; });
    per_seed("supersaturation", "1", [](const SD& x) { return x.supersaturation; });
    per_seed("line_margin_K", "K", [](const SD& x) { return x.line_margin_K; });
    per_seed("line_margin_GPa", "GPa", [](const SD& x) { return x.line_margin_GPa; });
    per_seed("eutectic_margin_K", "K", [](const SD& x) { return x.eutectic_margin_K; });
    per_seed("eutectic_margin_GPa", "GPa", [](const SD& x) { return x.eutectic_margin_GPa; });
    per_seed("habit_index", "1", [](const SD& x) { return x.habit_index; });
    per_seed("shape_index", "1", [](const SD& x) { return x.shape_index; });
    per_seed("inclusion_risk", "1", [](const SD& x) { return x.inclusion_risk ? 1.0 : 0.0; });
    per_seed("growth_status", "1", [](const SD& x) { return double(int(x.status)); });
  }
}

std::vector<Simulation::SeriesColumn> Simulation::series_layout() const {
  std::vector<SeriesColumn> cols;
  for_each_series_column([&](const std::string& name, const char* units, int width, auto&&) {
    cols.push_back({name, units, width});
  });
  return cols;
}

std::vector<double> Simulation::series_row() const {
  std::vector<double> row;
  for_each_series_column([&](const std::string&, const char*, int, auto&& append) { append(row); });
  return row;
}

SimulationState Simulation::state() const {
  SimulationState s;
  s.time = time_;
  s.next_dt = next_dt_;
  s.dt_prev = dt_prev_;
  s.have_prev = have_prev_ ? 1 : 0;
  s.next_snapshot_index = next_snapshot_index_;
  s.steps = diag_.steps;
  s.rejected_steps = diag_.rejected_steps;
  s.pid_integral = pid_.integral();
  s.pid_last_error = pid_.last_error();
  s.pid_started = pid_.started() ? 1 : 0;
  s.pressure_relaxation = relaxation_;
  s.mechanics_solves = diag_.mechanics_solves;
  if (mechanics_) s.mechanics = mechanics_->state();
  s.T = T_;
  s.T_prev = T_prev_;
  s.electric_warm_start = const_cast<physics::ElectricProblem&>(electric_).warm_start();
  s.T_base = T_base_;
  s.T_response = T_response_;
  if (growth_) {
    s.region.assign(model_.map.region.begin(), model_.map.region.end());
    s.material.assign(model_.map.material.begin(), model_.map.material.end());
    s.growth = growth_->state();
  }
  return s;
}

void Simulation::restore(const SimulationState& s) {
  const std::size_t n = T_.size();
  if (s.T.size() != n || s.T_prev.size() != n || s.electric_warm_start.size() != n || s.T_base.size() != n ||
      s.T_response.size() != n)
    throw ConfigError("", "the checkpoint's fields do not match this model's grid");
  time_ = s.time;
  next_dt_ = s.next_dt;
  dt_prev_ = s.dt_prev;
  have_prev_ = s.have_prev != 0;
  next_snapshot_index_ = s.next_snapshot_index;
  diag_.steps = s.steps;
  diag_.rejected_steps = s.rejected_steps;
  pid_.restore(s.pid_integral, s.pid_last_error, s.pid_started != 0);
  relaxation_ = s.pressure_relaxation;
  diag_.mechanics_solves = s.mechanics_solves;
  if (mechanics_) mechanics_->restore(s.mechanics);  // an empty saved state: the next update solves
  T_ = s.T;
  T_prev_ = s.T_prev;
  T_old_ = s.T;
  electric_.warm_start() = s.electric_warm_start;
  T_base_ = s.T_base;
  T_response_ = s.T_response;
  if (growth_) {
    if (s.region.size() != n || s.material.size() != n) throw ConfigError("", "the checkpoint lacks the growth state");
    for (std::size_t c = 0; c < n; ++c) {
      model_.map.region[c] = std::int32_t(s.region[c]);
      model_.map.material[c] = std::int32_t(s.material[c]);
    }
    growth_->restore(s.growth);
  }
  // Fields and figures of the restored state (the electric solve starts from the saved guess;
  // phi and q are outputs, not state).
  std::vector<double> warm = electric_.warm_start();
  update_properties(time_);
  if (model_.heater_recipe.mode == HeaterRecipe::Mode::power)
    electric_.settings().setpoint = model_.heater_recipe.schedule.value(time_);
  if (model_.heater_recipe.mode == HeaterRecipe::Mode::temperature) electric_.settings().setpoint = 0.0;
  diag_.electric = electric_.solve(resistivity_, phi_, heat_, model_.linear);
  electric_.warm_start() = warm;  // keep the saved guess so the next step repeats the original
  for (std::size_t c = 0; c < n; ++c) q_density_[c] = heat_[c] / cell_volume_[c];
  update_diagnostics(inf);
  update_pressure(0.0, /*reuse_saved_field=*/true);
  history_.clear();
  history_.push_back(series_row());
}

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

bool Simulation::run(const RunOptions& options, io::ResultWriter* writer) {
  const double until = options.until >= 0.0 ? options.until : model_.time.end;
  using clock = std::chrono::steady_clock;
  const auto wall0 = clock::now();
  const double t_start = time_;
  auto wall = [&] { return std::chrono::duration<double>(clock::now() - wall0).count(); };
  const TimeSettings& ts = model_.time;

  std::vector<io::FieldView> views;
  auto snapshot = [&] {
    if (!writer) return;
    views.clear();
    for (const auto& name : field_names()) views.push_back({name, field_units(name), field(name).data()});
    writer->write_snapshot(time_, views);
  };
  double last_progress = -1.0;
  auto progress = [&](bool final) {
    if (!options.progress) return;
    double w = wall();
    if (!final && w - last_progress < 0.5) return;
    last_progress = w;
    double done = until > t_start ? (time_ - t_start) / (until - t_start) : 1.0;
    double eta = done > 0 ? w * (1 - done) / done : 0.0;
    std::fprintf(stderr, "\r[hphtsim] t = %s / %s | step %s | T_max %.0f degC | P %.0f W | wall %s | ETA %s   %s",
                 format_duration(time_).c_str(), format_duration(until).c_str(), format_duration(diag_.step).c_str(),
                 diag_.T_max - 273.15, diag_.electric.power, format_duration(w).c_str(), format_duration(eta).c_str(),
                 final ? "\n" : "");
    std::fflush(stderr);
  };

  if (ts.start_from_steady_state && time_ == 0.0 && diag_.steps == 0) solve_steady();
  if (writer && diag_.steps == 0 && time_ == 0.0) {
    writer->append_series_row(series_row());
    snapshot();
  }
  const double eps = 1e-9 * std::max(1.0, until);
  double last_checkpoint_wall = 0.0;
  SimulationState before_cut;
  bool last_step_cut = false;
  bool stopped = false;
  while (time_ < until - eps) {
    if (options.stop && options.stop->load()) {
      stopped = true;
      break;
    }
    const double planned = next_dt_;
    // Land exactly on snapshot times and recipe segment ends (natural boundaries: the same in
    // every run) and on `until` (a cut: the state before it is what gets checkpointed).
    const double next_snapshot = double(next_snapshot_index_) * ts.snapshot_interval;
    const double next_recipe = model_.next_recipe_boundary(time_);
    double target = time_ + planned, natural = std::min(next_snapshot, next_recipe);
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
    if (cut) before_cut = state();
    const double dt = target - time_;
    try {
      attempt(dt);
    } catch (const SolverError&) {
      // The coupling failed: retry with a quarter of the step, unless it is already tiny.
      if (dt <= ts.min_step) throw;
      ++diag_.rejected_steps;
      next_dt_ = std::max(0.25 * dt, ts.min_step);
      continue;
    }
    // Step-size control on the local error (max norm, K), with a margin of 2 before rejecting.
    double factor = ts.step_growth;
    if (have_prev_) {
      const double err = local_error(dt);
      factor = err > 0.0 ? std::clamp(0.9 * std::sqrt(ts.tolerance / err), 0.2, ts.step_growth) : ts.step_growth;
      if (err > 2.0 * ts.tolerance && dt > ts.min_step) {
        T_ = T_old_;
        ++diag_.rejected_steps;
        next_dt_ = std::max(dt * factor, ts.min_step);
        continue;
      }
    }
    accept(dt);
    time_ = target;  // exact landing, no accumulated round-off
    diag_.time = target;
    history_.back()[0] = target;
    last_step_cut = cut;
    if (at_snapshot) ++next_snapshot_index_;
    const bool at_end = time_ >= until - eps;
    if (writer) {
      writer->append_series_row(series_row());
      if (at_snapshot || at_recipe || at_end) snapshot();
    }
    if (at_recipe) {
      next_dt_ = ts.step;  // a segment change: start small again, with no history across the kink
      have_prev_ = false;
    } else if (factor >= 1.0) {
      next_dt_ = std::min({planned * ts.step_growth, std::max(planned, dt * factor), ts.max_step});
    } else {
      next_dt_ = std::max(dt * factor, ts.min_step);
    }
    // Periodic checkpoints by wall time (0: after every step).
    if (options.checkpoint && !at_end && wall() - last_checkpoint_wall >= ts.checkpoint_wall_interval) {
      options.checkpoint(state());
      last_checkpoint_wall = wall();
    }
    progress(false);
  }
  progress(true);
  if (options.checkpoint) options.checkpoint(last_step_cut ? before_cut : state());
  return !stopped;
}

}  // namespace hphtsim::simulation
