// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/electrothermal.hpp"

#include <algorithm>
#include <array>
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
      rate_target_(nan),
      program_(model.heater_recipe.schedule),
      setpoint_(nan) {
  const std::size_t n = model.grid.size();
  drift_factor_.assign(model.drifts.size(), 1.0);
  measured_start_.assign(model.heater_recipe.switches.size(), nan);
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
  using Mode = HeaterRecipe::Mode;
  const HeaterRecipe& r = model_.heater_recipe;
  if (r.mode == Mode::none) return;  // constant control from the heater section
  const Mode mode = r.mode_for_step(t);
  auto& e = electric_.settings();
  e.mode = mode == Mode::voltage ? physics::ControlMode::voltage
           : mode == Mode::current ? physics::ControlMode::current
                                   : physics::ControlMode::power;
  if (mode == Mode::power || mode == Mode::voltage || mode == Mode::current) e.setpoint = program_.value_for_step(t);
  // The rate law's power (simulation/rate_planner.hpp decides it); before its first decision,
  // the power the heater had at the switch.
  if (mode == Mode::growth_rate) e.setpoint = std::isnan(rate_ramp_.from) ? electric_state_.power : rate_ramp_.at(t);
}

void ElectroThermal::solve_electric(double t, bool keep_warm_start) {
  const std::vector<double> warm = keep_warm_start ? electric_.warm_start() : std::vector<double>{};
  update_properties(t);
  drive_heater(t);
  // Resistance and temperature segments have no power before their first coupling (it is found
  // there): the last coupled power, 0 before any.
  const HeaterRecipe::Mode mode = model_.heater_recipe.mode_for_step(t);
  if (mode == HeaterRecipe::Mode::temperature || mode == HeaterRecipe::Mode::resistance)
    electric_.settings().setpoint = electric_state_.power;
  electric_state_ = electric_.solve(resistivity_, phi_, joule_heat_, model_.linear);
  if (keep_warm_start) electric_.warm_start() = warm;  // the next step repeats the original's iterations
  for (std::size_t c = 0; c < T_.size(); ++c) q_density_[c] = joule_heat_[c] / cell_volume_[c];
}

int ElectroThermal::couple(double dt, double t_new, double T_scale) {
  const std::size_t n = T_.size();
  const int max_it = model_.coupling.max_iterations;
  const HeaterRecipe::Mode mode = model_.heater_recipe.mode_for_step(t_new);
  const bool pid = mode == HeaterRecipe::Mode::temperature;
  const bool resistance = mode == HeaterRecipe::Mode::resistance;
  const bool superpose = pid || resistance;
  drive_heater(t_new);
  thermal_.set_coolant_temperature(model_.coolant_at(t_new));
  const double setpoint = superpose ? program_.value_for_step(t_new) : nan;
  const double power_before = electric_state_.power;
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
    if (!superpose) {
      electric_state_ = electric_.solve(resistivity_, phi_, joule_heat_, electric_options());
      solvers::SolveStats s = thermal_.solve(conductivity_, rho_cp_, joule_heat_, T_old_, dt, T_, lin);
      thermal_its = s.iterations;
    } else {
      // Superposition: T = T_base + P T_response, with the Joule heat of 1 W as the response's
      // source; the implicit PID then picks P in closed form, a resistance program the P whose
      // temperatures give the programmed resistance.
      electric_.settings().mode = physics::ControlMode::power;
      electric_.settings().setpoint = 1.0;
      physics::ElectricState unit = electric_.solve(resistivity_, phi_, joule_heat_, electric_options());
      thermal_.assemble(conductivity_, rho_cp_, dt);
      thermal_its += thermal_.solve_assembled(no_heat_, &T_old_, T_base_, lin).iterations;
      thermal_its += thermal_.solve_assembled(joule_heat_, nullptr, T_response_, lin).iterations;
      double P = 0.0;
      if (pid) {
        const double a = core::probe_value(model_.grid, T_base_, tc->position);
        const double b = core::probe_value(model_.grid, T_response_, tc->position);
        P = pid_.power_for(setpoint, a, b, dt);
      } else {
        // The power whose T gives the programmed resistance with this pass's properties; the
        // properties lag one pass, and the map from the power the properties came from to the
        // one solved oscillates (slope ~ -0.9 on the gem cell: a hotter cell conducts heat less
        // well, so the next pass needs less power). A secant on that scalar map (Anderson(1)
        // in one unknown) takes its fixed point in a few passes (28+ passes without it).
        // The root is taken on the branch of the step's start power (the resistance need not
        // be monotonic in the power), and the secant also finds a repelling fixed point
        // (slope > 1), with its step at most 5 times the plain one.
        const double P_in = it == 1 ? power_before : electric_state_.power;
        const double P_out = power_for_resistance(setpoint, unit, power_before);
        P = P_out;
        if (it > 1 && std::abs(P_in - secant_in_) > 1e-12 * std::max(1.0, P_in)) {
          const double slope = (P_out - secant_out_) / (P_in - secant_in_);
          if (std::isfinite(slope) && std::abs(1.0 - slope) >= 0.2)
            P = std::clamp(P_in + (P_out - P_in) / (1.0 - slope), 0.0, model_.heater_recipe.power_max);
        }
        if (verbose_)
          std::fprintf(stderr, "\n  resistance %.6g ohm: P in %.4f W, solved %.4f W, next %.4f W%s", setpoint, P_in, P_out, P,
                       resistance_reachable_ ? "" : " (out of reach)");
        secant_in_ = P_in;
        secant_out_ = P_out;
      }
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
    }
    setpoint_ = setpoint;
    linear += thermal_its + electric_state_.iterations;
    const std::size_t plane = std::size_t(model_.grid.nx) * model_.grid.ny;
    change = core::plane_max(model_.grid.nz, [&](int k) {
      double m = 0.0;
      for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
        m = std::max(m, std::abs(T_[c] - T_iter_[c]));
      return m;
    }, 0.0);
    if (std::isinf(dt) && !superpose) anderson_mix(it);
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

double ElectroThermal::power_for_resistance(double target, const physics::ElectricState& unit, double power_near) {
  // The heater resistance at power P, to first order in the resistivity changes:
  // dR/R = sum_c (P_c / P) drho_c / rho_c (a resistor network's sensitivity; P_c the Joule heat
  // of cell c), with each cell at T_base + P T_response and its law's rho(T) / rho(T now).
  // The fixed point is exact: at convergence T no longer changes and R(P) is the solved V/I.
  const auto& mats = model_.materials;
  const std::size_t n = T_.size();
  const double total = unit.joule_total > 0.0 ? unit.joule_total : 1.0;
  // The resistance from the dissipation (1 W / sum of the cells' Joule heat at the unit solve's
  // voltage) rather than from the contact current: the dissipation is stationary in the
  // potential (Dirichlet's principle), so its error is second order in the linear solver's,
  // ~1e-10 instead of ~1e-5; a 1e-5 error of R moves the power by ~0.05 W here and the
  // coupling oscillated by it.
  const double resistance_now = unit.resistance / total;
  double largest = 0.0;
  for (std::size_t c = 0; c < n; ++c) largest = std::max(largest, joule_heat_[c]);
  carriers_.clear();
  for (std::size_t c = 0; c < n; ++c)
    if (joule_heat_[c] > 1e-9 * largest) carriers_.push_back(c);
  auto law_ratio = [&](std::size_t c, double T_new) {
    // Pure cells: the law's ratio (the drift cancels); mixed cells: their parts' conductances
    // in parallel (a part's own ratio by volume let an insulator's exponential law dominate).
    const int mixed = map_.mixed_index.empty() ? -1 : map_.mixed_index[c];
    if (mixed < 0) {
      const materials::Material& m = mats[std::size_t(map_.material[c])];
      return m.electrical_resistivity(T_new) / m.electrical_resistivity(T_[c]);
    }
    double sigma_now = 0.0, sigma_new = 0.0;  // the parts in parallel: the conductor dominates
    for (const auto& part : map_.mixed[std::size_t(mixed)].parts) {
      const materials::Material& m = mats[std::size_t(map_.region_material[std::size_t(part.region)])];
      sigma_now += part.fraction / m.electrical_resistivity(T_[c]);
      sigma_new += part.fraction / m.electrical_resistivity(T_new);
    }
    return sigma_now / sigma_new;
  };
  auto resistance_at = [&](double P) {
    double sum = 0.0;
#pragma omp parallel for reduction(+ : sum) schedule(static)
    for (std::size_t i = 0; i < carriers_.size(); ++i) {
      const std::size_t c = carriers_[i];
      const double T_new = std::max(1.0, T_base_[c] + P * T_response_[c]);
      sum += joule_heat_[c] * (law_ratio(c, T_new) - 1.0);
    }
    return resistance_now * (1.0 + sum / total);
  };
  // The root nearest the power before, among those where the resistance rises with the power
  // (the sign a resistance controller assumes: graphite's resistivity falls up to ~1000 K and
  // rises above, so R(P) need not be monotonic; a root where R falls with P is the
  // non-minimum-phase side, and inverting it drove a small rod cell to zero power).
  const double P_max = model_.heater_recipe.power_max;
  constexpr int samples = 64;
  std::array<double, samples + 1> P_k{}, f_k{};
  for (int k = 0; k <= samples; ++k) {
    P_k[std::size_t(k)] = P_max * k / samples;
    f_k[std::size_t(k)] = resistance_at(P_k[std::size_t(k)]) - target;
  }
  double best = std::numeric_limits<double>::quiet_NaN(), best_distance = std::numeric_limits<double>::infinity();
  for (int k = 0; k < samples; ++k) {
    double lo = P_k[std::size_t(k)], hi = P_k[std::size_t(k + 1)];
    if (!(f_k[std::size_t(k)] <= 0.0 && f_k[std::size_t(k + 1)] > 0.0)) continue;
    for (int b = 0; b < 40; ++b) {
      const double mid = 0.5 * (lo + hi);
      (resistance_at(mid) - target > 0.0 ? hi : lo) = mid;
    }
    const double root = 0.5 * (lo + hi);
    if (std::abs(root - power_near) < best_distance) {
      best = root;
      best_distance = std::abs(root - power_near);
    }
  }
  resistance_reachable_ = std::isfinite(best);
  if (resistance_reachable_) return best;
  // Out of reach: the supply saturates when even its limit gives too little resistance (and
  // R still rises there), cuts the power when even none gives too much; otherwise (R falls
  // with P over the step) it holds the power. heater_resistance against R_setpoint shows it.
  const bool all_low = *std::max_element(f_k.begin(), f_k.end()) < 0.0;
  const bool all_high = *std::min_element(f_k.begin(), f_k.end()) > 0.0;
  if (all_low && f_k[samples] >= f_k[samples - 1]) return P_max;
  if (all_high && f_k[0] <= f_k[1]) return 0.0;
  return std::clamp(power_near, 0.0, P_max);
}

void ElectroThermal::observe_growth_rate(double t_end, double mean_rate, double mean_critical_rate) {
  using Mode = HeaterRecipe::Mode;
  const HeaterRecipe& r = model_.heater_recipe;
  rate_target_ = nan;
  if (!r.uses(Mode::growth_rate)) return;
  // A switch to growth_rate starts from the rate of the step that ends where it begins, at the
  // power the heater has there.
  for (std::size_t j = 0; j < r.switches.size(); ++j) {
    if (!r.switches[j] || r.segment_mode[j] != Mode::growth_rate || !std::isnan(measured_start_[j])) continue;
    if (std::abs(program_.start_time(int(j)) - t_end) > 1e-9 * std::max(1.0, t_end)) continue;
    measured_start_[j] = mean_rate;
    program_.restart_at(int(j), mean_rate);
    rate_ramp_ = {t_end, electric_state_.power, electric_state_.power, 0.0};
  }
  if (r.mode_for_step(t_end) == Mode::growth_rate)
    rate_target_ = r.rate_control.capped(program_.value_for_step(t_end), mean_critical_rate);
}

ElectroThermal::RateWindow ElectroThermal::rate_window(double t_now, double t_ahead) const {
  using Mode = HeaterRecipe::Mode;
  const HeaterRecipe& r = model_.heater_recipe;
  // The rate segments from t_now's on (past their end the program holds another quantity).
  const int first = program_.segment_for_step(t_now + 1e-9 * std::max(1.0, t_now));
  if (first < 0 || r.segment_mode[std::size_t(first)] != Mode::growth_rate) return {t_now, nan};
  double until = t_now;
  for (std::size_t seg = std::size_t(first); seg < r.segment_mode.size() && r.segment_mode[seg] == Mode::growth_rate; ++seg)
    until = program_.ends()[seg];
  const double end = std::min(t_ahead, until);
  return {end, program_.value_for_step(end)};
}

void ElectroThermal::commit_control(double dt, double t_end) {
  using Mode = HeaterRecipe::Mode;
  const HeaterRecipe& r = model_.heater_recipe;
  if (r.mode_for_step(t_end) == Mode::temperature) {
    const double measured = core::probe_value(model_.grid, T_, model_.probes[std::size_t(r.control_probe)].position);
    pid_.commit(setpoint_, measured, electric_state_.power, dt);
  }
  // A segment that switches the programmed quantity starts from its value now (bumpless): the
  // steps land on segment ends, so the accepted step that ends where it begins measures it.
  for (std::size_t j = 0; j < r.switches.size(); ++j) {
    if (!r.switches[j] || !std::isnan(measured_start_[j])) continue;
    if (r.segment_mode[j] == Mode::growth_rate) continue;  // its start is a rate: observe_growth_rate
    const double begins = program_.start_time(int(j));
    if (std::abs(begins - t_end) > 1e-9 * std::max(1.0, t_end)) continue;
    double v = electric_state_.power;
    switch (r.segment_mode[j]) {
      case Mode::voltage: v = electric_state_.voltage; break;
      case Mode::current: v = electric_state_.current; break;
      case Mode::resistance: v = electric_state_.resistance; break;
      case Mode::temperature:
        v = core::probe_value(model_.grid, T_, model_.probes[std::size_t(r.control_probe)].position);
        pid_.restore(electric_state_.power, 0.0, false);  // the PID's integral carries the power it takes over
        break;
      default: break;
    }
    measured_start_[j] = v;
    program_.restart_at(int(j), v);
  }
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
  s.measured_start = measured_start_;
  s.power = electric_state_.power;
  s.rate_ramp = rate_ramp_;
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
  rate_ramp_ = s.rate_ramp;
  electric_state_.power = s.power;  // resistance and temperature segments start their search there
  if (s.measured_start.empty()) {
    // A checkpoint without switch starts (written before they existed): none reached.
  } else if (s.measured_start.size() != measured_start_.size())
    throw ConfigError("--restart", "the checkpoint's heater program has another number of segments than this config's");
  program_ = model_.heater_recipe.schedule;
  if (!s.measured_start.empty()) measured_start_ = s.measured_start;
  for (std::size_t j = 0; j < measured_start_.size(); ++j)
    if (!std::isnan(measured_start_[j])) program_.restart_at(int(j), measured_start_[j]);
}

}  // namespace hphtsim::simulation
