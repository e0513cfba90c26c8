// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/electrothermal.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/parallel.hpp"
#include "hphtsim/materials/mixing.hpp"
#include "hphtsim/core/sampling.hpp"

namespace hphtsim::simulation {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Chord heat capacity between the old temperature and the current iterate: at convergence
/// the step stores exactly h(T) - h(T_old), latent heat included.
double chord_heat_capacity(const materials::Material& m, double T, double T_old) {
  const double dT = T - T_old;
  return std::abs(dT) > 1e-6 ? (m.volumetric_enthalpy(T) - m.volumetric_enthalpy(T_old)) / dT
                             : m.density(T) * m.apparent_heat_capacity(T);
}
}

ElectroThermal::ElectroThermal(const Model& model, const geometry::MaterialMap& map,
                               const std::vector<double>& cell_volume, bool verbose)
    : model_(model),
      map_(map),
      cell_volume_(cell_volume),
      verbose_(verbose),
      electric_(model.grid, model.electric),
      thermal_(model.grid, model.thermal),
      pid_(model.heater_recipe.pid),
      T_setpoint_(nan) {
  const std::size_t n = model.grid.size();
  drift_factor_.assign(model.drifts.size(), 1.0);
  mixed_resistivity_.assign(map.mixed.size(), {});
  mixed_inverse_conductivity_.assign(map.mixed.size(), {});
  electric_.set_directional({&map.mixed_index, &mixed_resistivity_});
  thermal_.set_directional({&map.mixed_index, &mixed_inverse_conductivity_});
  T_.assign(n, model.time.initial_temperature);
  T_old_ = T_;
  T_iter_ = T_;
  T_base_ = T_;
  T_response_.assign(n, 0.0);
  no_heat_.assign(n, 0.0);
  phi_.assign(n, 0.0);
  joule_heat_.assign(n, 0.0);
  q_density_.assign(n, 0.0);
  resistivity_.assign(n, 0.0);
  conductivity_.assign(n, 0.0);
  rho_cp_.assign(n, 0.0);
}

void ElectroThermal::update_properties(double t) {
  const auto& mats = model_.materials;
  const auto& id = map_.material;
  const std::size_t n = T_.size();
  const bool any_mixed = !map_.mixed_index.empty();
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    if (any_mixed && map_.mixed_index[c] >= 0) continue;  // mixed cells: below, from their parts
    const materials::Material& m = mats[std::size_t(id[c])];
    const double t_c = T_[c];
    resistivity_[c] = m.electrical_resistivity(t_c);
    conductivity_[c] = m.thermal_conductivity(t_c);
    rho_cp_[c] = chord_heat_capacity(m, t_c, T_old_[c]);
  }
  // Slow drifts of the cycle (heater resistance, medium conductivity) at the step's end time.
  for (std::size_t i = 0; i < model_.drifts.size(); ++i) drift_factor_[i] = model_.drifts[i].factor(t);
  for (std::size_t i = 0; i < model_.drifts.size(); ++i) {
    const auto& d = model_.drifts[i];
    const double f = drift_factor_[i];
    auto& target = d.property == process::Drift::Property::electrical_resistivity ? resistivity_ : conductivity_;
    const auto& sel = d.region >= 0 ? map_.region : map_.material;
    const int want = d.region >= 0 ? d.region : d.material;
#pragma omp parallel for schedule(static)
    for (std::size_t c = 0; c < n; ++c)
      if (sel[c] == want) target[c] *= f;
  }
  // Cells of several materials: each part at the cell's temperature (and its drifts), mixed
  // along x, y and z by lines (materials/mixing.hpp); the heat capacity by volume.
  // The per-cell resistivity is the smallest of the three (the circuit's test), the per-cell
  // conductivity their mean (outputs only).
#pragma omp parallel
  {
  std::vector<double> part_sigma, part_k;  // per thread, reused across cells
#pragma omp for schedule(dynamic, 64)
  for (std::size_t m = 0; m < map_.mixed.size(); ++m) {
    const geometry::MixedCell& cell = map_.mixed[m];
    const std::size_t c = cell.cell;
    const double t_c = T_[c];
    // Per part: its conductivities at the cell's temperature, with its drifts.
    const std::size_t parts = cell.parts.size();
    part_sigma.resize(parts);
    part_k.resize(parts);
    double heat_capacity = 0.0;
    for (std::size_t q = 0; q < parts; ++q) {
      const auto& part = cell.parts[q];
      const int id = map_.region_material[std::size_t(part.region)];
      const materials::Material& mat = mats[std::size_t(id)];
      double rho_e = mat.electrical_resistivity(t_c), k_part = mat.thermal_conductivity(t_c);
      for (std::size_t d = 0; d < drift_factor_.size(); ++d) {
        const auto& dr = model_.drifts[d];
        if (dr.region >= 0 ? dr.region == part.region : dr.material == id)
          (dr.property == process::Drift::Property::electrical_resistivity ? rho_e : k_part) *= drift_factor_[d];
      }
      part_sigma[q] = 1.0 / rho_e;
      part_k[q] = k_part;
      heat_capacity += part.fraction * chord_heat_capacity(mat, t_c, T_old_[c]);
    }
    double smallest = std::numeric_limits<double>::infinity(), mean_k = 0.0;
    for (std::size_t d = 0; d < 3; ++d) {
      const geometry::AxisLines& lines = cell.lines[d];
      const double sigma_d = materials::lines_in_parallel(lines.weight.data(), lines.fraction.data(), lines.weight.size(),
                                                          part_sigma.data(), parts);
      const double k_d = materials::lines_in_parallel(lines.weight.data(), lines.fraction.data(), lines.weight.size(),
                                                      part_k.data(), parts);
      mixed_resistivity_[m][d] = 1.0 / sigma_d;
      mixed_inverse_conductivity_[m][d] = 1.0 / k_d;
      smallest = std::min(smallest, mixed_resistivity_[m][d]);
      mean_k += k_d / 3.0;
    }
    resistivity_[c] = smallest;
    conductivity_[c] = mean_k;
    rho_cp_[c] = heat_capacity;
  }
  }
}

void ElectroThermal::drive_heater(double t) {
  const HeaterRecipe& r = model_.heater_recipe;
  if (r.mode == HeaterRecipe::Mode::power || r.mode == HeaterRecipe::Mode::voltage ||
      r.mode == HeaterRecipe::Mode::current)
    electric_.settings().setpoint = r.schedule.value(t);
}

void ElectroThermal::solve_electric(double t, bool keep_warm_start) {
  const std::vector<double> warm = keep_warm_start ? electric_.warm_start() : std::vector<double>{};
  update_properties(t);
  drive_heater(t);
  // A temperature recipe has no power before its first coupling: the PID picks it there.
  if (model_.heater_recipe.mode == HeaterRecipe::Mode::temperature) electric_.settings().setpoint = 0.0;
  electric_state_ = electric_.solve(resistivity_, phi_, joule_heat_, model_.linear);
  if (keep_warm_start) electric_.warm_start() = warm;  // the next step repeats the original's iterations
  for (std::size_t c = 0; c < T_.size(); ++c) q_density_[c] = joule_heat_[c] / cell_volume_[c];
}

int ElectroThermal::couple(double dt, double t_new, double T_scale) {
  const std::size_t n = T_.size();
  const int max_it = model_.coupling.max_iterations;
  const bool pid = model_.heater_recipe.mode == HeaterRecipe::Mode::temperature;
  drive_heater(t_new);
  thermal_.set_coolant_temperature(model_.coolant_at(t_new));
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
      electric_state_ = electric_.solve(resistivity_, phi_, joule_heat_, electric_options());
      solvers::SolveStats s = thermal_.solve(conductivity_, rho_cp_, joule_heat_, T_old_, dt, T_, lin);
      thermal_its = s.iterations;
    } else {
      // Superposition: T = T_base + P T_response, with the Joule heat of 1 W as the response's
      // source; the implicit PID then picks P in closed form.
      electric_.settings().setpoint = 1.0;
      physics::ElectricState unit = electric_.solve(resistivity_, phi_, joule_heat_, electric_options());
      thermal_.assemble(conductivity_, rho_cp_, dt);
      thermal_its += thermal_.solve_assembled(no_heat_, &T_old_, T_base_, lin).iterations;
      thermal_its += thermal_.solve_assembled(joule_heat_, nullptr, T_response_, lin).iterations;
      const double a = core::probe_value(model_.grid, T_base_, tc->position);
      const double b = core::probe_value(model_.grid, T_response_, tc->position);
      const double P = pid_.power_for(setpoint, a, b, dt);
      const double s = std::sqrt(P);
#pragma omp parallel for schedule(static)
      for (std::size_t c = 0; c < n; ++c) {
        T_[c] = T_base_[c] + P * T_response_[c];
        joule_heat_[c] *= P;
        phi_[c] *= s;
      }
      electric_state_ = unit;
      electric_state_.voltage = unit.voltage * s;
      electric_state_.current = unit.current * s;
      electric_state_.power = P;
      electric_state_.joule_total = unit.joule_total * P;
      T_setpoint_ = setpoint;
    }
    linear += thermal_its + electric_state_.iterations;
    const std::size_t plane = std::size_t(model_.grid.nx) * model_.grid.ny;
    change = core::plane_max(model_.grid.nz, [&](int k) {
      double m = 0.0;
      for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
        m = std::max(m, std::abs(T_[c] - T_iter_[c]));
      return m;
    }, 0.0);
    if (std::isinf(dt) && !pid) anderson_mix(it);
    const double scale = std::max(1.0, T_scale);
    const double used_tol = lin.rel_tol;
    lin.rel_tol = std::clamp(1e-3 * change / scale, model_.linear.rel_tol, std::max(model_.linear.rel_tol, 1e-5));
    if (verbose_)
      std::fprintf(stderr, "\n  coupling %d: electric %d its, thermal %d its, P %.2f W, max dT change %.3g K", it,
                   electric_state_.iterations, thermal_its, electric_state_.power, change);
    if (!std::isfinite(change)) throw SolverError("electro-thermal coupling produced a non-finite temperature");
    // Converged when T stopped changing and this iteration's solves were tight.
    if (change < model_.coupling.tolerance &&
        used_tol <= std::max(model_.linear.rel_tol, 1e-3 * model_.coupling.tolerance / scale)) {
      linear_iterations_ = linear;
      for (std::size_t c = 0; c < n; ++c) q_density_[c] = joule_heat_[c] / cell_volume_[c];
      return it;
    }
  }
  std::ostringstream os;
  os << "electro-thermal coupling did not converge in " << max_it << " iterations at t = " << t_new
     << " s (largest temperature change " << change << " K, tolerance " << model_.coupling.tolerance
     << " K); reduce time.step or raise solver.coupling_max_iterations";
  throw SolverError(os.str());
}

void ElectroThermal::anderson_mix(int iteration) {
  // Steady states of cells whose conductivities fall steeply with T (NaCl ~1/T) converge slowly
  // under plain Picard (the default gem cell needed 100-300 passes): the fixed-point map
  // G(T) contracts by a factor near 1. Anderson mixing with one previous pair (Walker & Ni
  // 2011) extrapolates along the slow direction: with f = G(x) - x, df = f - f_prev,
  // gamma = f.df / df.df, the next input is G(x) - gamma (G(x) - G(x_prev)). At a fixed point
  // f = 0 and the mixing is the identity, so the converged state is unchanged; transient steps
  // (their mass term damps the map) are not mixed.
  const std::size_t n = T_.size();
  const bool have_prev = iteration > 1 && anderson_x_.size() == n;
  double gamma = 0.0;
  if (have_prev) {
    double num = 0.0, den = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
      const double f = T_[c] - T_iter_[c], df = f - (anderson_g_[c] - anderson_x_[c]);
      num += f * df;
      den += df * df;
    }
    gamma = den > 0.0 ? num / den : 0.0;
    if (!std::isfinite(gamma) || std::abs(gamma) > 10.0) gamma = 0.0;  // a wild step: plain Picard
  }
  anderson_x_.resize(n);
  anderson_g_.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    const double g = T_[c];
    if (gamma != 0.0) T_[c] = std::max(1.0, g - gamma * (g - anderson_g_[c]));
    anderson_x_[c] = T_iter_[c];
    anderson_g_[c] = g;
  }
}

void ElectroThermal::commit_control(double dt) {
  const HeaterRecipe& r = model_.heater_recipe;
  if (r.mode != HeaterRecipe::Mode::temperature) return;
  const double measured = core::probe_value(model_.grid, T_, model_.probes[std::size_t(r.control_probe)].position);
  pid_.commit(T_setpoint_, measured, electric_state_.power, dt);
}

ElectroThermal::State ElectroThermal::state() const {
  State s;
  s.T = T_;
  s.electric_warm_start = electric_.warm_start();
  s.T_base = T_base_;
  s.T_response = T_response_;
  s.pid_integral = pid_.integral();
  s.pid_last_error = pid_.last_error();
  s.pid_started = pid_.started();
  return s;
}

void ElectroThermal::restore(const State& s) {
  const std::size_t n = T_.size();
  if (s.T.size() != n || s.electric_warm_start.size() != n || s.T_base.size() != n || s.T_response.size() != n)
    throw ConfigError("--restart", "the checkpoint's fields do not match this model's grid");
  T_ = s.T;
  T_old_ = s.T;
  electric_.warm_start() = s.electric_warm_start;
  T_base_ = s.T_base;
  T_response_ = s.T_response;
  pid_.restore(s.pid_integral, s.pid_last_error, s.pid_started);
}

}  // namespace hphtsim::simulation
