// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/simulation.hpp"

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

Simulation::Simulation(Model model)
    : model_(std::move(model)),
      electric_(model_.grid, model_.electric),
      thermal_(model_.grid, model_.thermal) {
  const core::Grid& g = model_.grid;
  const std::size_t n = g.size();
  T_.assign(n, model_.time.initial_temperature);
  T_old_ = T_;
  T_iter_ = T_;
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

  // The initial electric state (fields at t = 0 with the initial temperature).
  update_properties(T_);
  diag_.electric = electric_.solve(resistivity_, phi_, heat_, model_.linear);
  for (std::size_t c = 0; c < n; ++c) q_density_[c] = heat_[c] / cell_volume_[c];
  update_diagnostics(std::numeric_limits<double>::infinity());
  diag_.energy_imbalance = 0.0;
  diag_.stored_rate = 0.0;
  history_.push_back(series_row());
}

Simulation::~Simulation() = default;

void Simulation::update_properties(const std::vector<double>& T) {
  const auto& mats = model_.materials;
  const auto& id = model_.map.material;
  const std::size_t n = T.size();
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    const materials::Material& m = mats[std::size_t(id[c])];
    const double t = T[c];
    resistivity_[c] = m.electrical_resistivity(t);
    conductivity_[c] = m.thermal_conductivity(t);
    // Chord heat capacity between the old temperature and the current iterate: at convergence
    // the step stores exactly h(T) - h(T_old), latent heat included.
    const double dT = t - T_old_[c];
    rho_cp_[c] = std::abs(dT) > 1e-6 ? (m.volumetric_enthalpy(t) - m.volumetric_enthalpy(T_old_[c])) / dT
                                     : m.density(t) * m.apparent_heat_capacity(t);
  }
}

int Simulation::couple(double dt) {
  const std::size_t n = T_.size();
  const int max_it = model_.coupling.max_iterations;
  double change = 0.0;
  int linear = 0;
  for (int it = 1; it <= max_it; ++it) {
    update_properties(T_);
    diag_.electric = electric_.solve(resistivity_, phi_, heat_, model_.linear);
    T_iter_ = T_;
    solvers::SolveStats s = thermal_.solve(conductivity_, rho_cp_, heat_, T_old_, dt, T_, model_.linear);
    linear += s.iterations + diag_.electric.iterations;
    change = core::plane_max(model_.grid.nz, [&](int k) {
      const std::size_t plane = std::size_t(model_.grid.nx) * model_.grid.ny;
      double m = 0.0;
      for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
        m = std::max(m, std::abs(T_[c] - T_iter_[c]));
      return m;
    }, 0.0);
    if (verbose_)
      std::fprintf(stderr, "\n  coupling %d: electric %d its, thermal %d its, max dT change %.3g K", it,
                   diag_.electric.iterations, s.iterations, change);
    if (!std::isfinite(change)) throw SolverError("electro-thermal coupling produced a non-finite temperature");
    if (change < model_.coupling.tolerance) {
      diag_.linear_iterations = linear;
      for (std::size_t c = 0; c < n; ++c) q_density_[c] = heat_[c] / cell_volume_[c];
      return it;
    }
  }
  std::ostringstream os;
  os << "electro-thermal coupling did not converge in " << max_it << " iterations at t = " << time_
     << " s (largest temperature change " << change << " K, tolerance " << model_.coupling.tolerance
     << " K); reduce time.step or raise solver.coupling_max_iterations";
  throw SolverError(os.str());
}

void Simulation::solve_steady() {
  T_old_ = T_;
  diag_.coupling_iterations = couple(std::numeric_limits<double>::infinity());
  update_diagnostics(std::numeric_limits<double>::infinity());
  history_.push_back(series_row());
}

void Simulation::step(double dt) {
  HPHTSIM_CHECK(dt > 0.0 && std::isfinite(dt), "time step must be positive and finite");
  T_old_ = T_;
  diag_.coupling_iterations = couple(dt);
  time_ += dt;
  update_diagnostics(dt);
  history_.push_back(series_row());
}

double Simulation::region_mean(int region) const {
  if (region < 0) return std::numeric_limits<double>::quiet_NaN();
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
  return v > 0.0 ? tv / v : std::numeric_limits<double>::quiet_NaN();
}

double Simulation::probe_value(const Probe& p) const {
  // Trilinear interpolation between cell centres, clamped at the outermost centres.
  const core::Grid& g = model_.grid;
  auto bracket = [](const std::vector<double>& e, int n, double x, int& i0, double& w) {
    // centres c_i = (e_i + e_{i+1})/2
    if (x <= 0.5 * (e[0] + e[1])) { i0 = 0; w = 0.0; return; }
    if (x >= 0.5 * (e[n - 1] + e[n])) { i0 = n - 2 < 0 ? 0 : n - 2; w = n > 1 ? 1.0 : 0.0; return; }
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
        v += w * T_[g.index(std::min(i + di, g.nx - 1), std::min(j + dj, g.ny - 1), std::min(k + dk, g.nz - 1))];
      }
  return v;
}

void Simulation::update_diagnostics(double dt) {
  const core::Grid& g = model_.grid;
  const std::size_t plane = std::size_t(g.nx) * g.ny;
  diag_.time = time_;
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
  for (std::size_t p = 0; p < model_.probes.size(); ++p) diag_.T_probe[p] = probe_value(model_.probes[p]);
}

std::vector<double>& Simulation::field(const std::string& name) {
  if (name == "T") return T_;
  if (name == "phi") return phi_;
  if (name == "q") return q_density_;
  throw std::invalid_argument("no field named '" + name + "' (fields: T, phi, q)");
}

std::string Simulation::field_units(const std::string& name) const {
  if (name == "T") return "K";
  if (name == "phi") return "V";
  if (name == "q") return "W/m^3";
  throw std::invalid_argument("no field named '" + name + "'");
}

std::vector<Simulation::SeriesColumn> Simulation::series_layout() const {
  std::vector<SeriesColumn> cols = {
      {"time", "s", 1},
      {"heater_power", "W", 1},
      {"heater_voltage", "V", 1},
      {"heater_current", "A", 1},
      {"heater_resistance", "ohm", 1},
      {"T_max", "K", 1},
      {"heat_out", "W", 1},
      {"stored_heat_rate", "W", 1},
      {"energy_imbalance", "1", 1},
      {"coupling_iterations", "1", 1},
      {"linear_iterations", "1", 1},
  };
  if (model_.source_region >= 0) cols.push_back({"T_source", "K", 1});
  const int ns = int(model_.seed_count());
  if (ns > 0) {
    cols.push_back({"T_seed", "K", ns});
    if (model_.source_region >= 0) cols.push_back({"dT_source_seed", "K", ns});
  }
  for (const auto& p : model_.probes) cols.push_back({"T_probe_" + p.name, "K", 1});
  return cols;
}

std::vector<double> Simulation::series_row() const {
  const auto& d = diag_;
  std::vector<double> row = {d.time,
                             d.electric.power,
                             d.electric.voltage,
                             d.electric.current,
                             d.electric.resistance,
                             d.T_max,
                             d.heat_out,
                             d.stored_rate,
                             d.energy_imbalance,
                             double(d.coupling_iterations),
                             double(d.linear_iterations)};
  if (model_.source_region >= 0) row.push_back(d.T_source);
  if (model_.seed_count() > 0) {
    row.insert(row.end(), d.T_seed.begin(), d.T_seed.end());
    if (model_.source_region >= 0) row.insert(row.end(), d.dT_source_seed.begin(), d.dT_source_seed.end());
  }
  row.insert(row.end(), d.T_probe.begin(), d.T_probe.end());
  return row;
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

void Simulation::run(const RunOptions& options, io::ResultWriter* writer) {
  const double until = options.until >= 0.0 ? options.until : model_.time.end;
  using clock = std::chrono::steady_clock;
  const auto wall0 = clock::now();
  const double t_start = time_;
  auto wall = [&] { return std::chrono::duration<double>(clock::now() - wall0).count(); };

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
    std::fprintf(stderr, "\r[hphtsim] t = %s / %s | T_max %.0f degC | P %.0f W | wall %s | ETA %s   %s",
                 format_duration(time_).c_str(), format_duration(until).c_str(), diag_.T_max - 273.15,
                 diag_.electric.power, format_duration(w).c_str(), format_duration(eta).c_str(), final ? "\n" : "");
    std::fflush(stderr);
  };

  if (model_.time.start_from_steady_state && time_ == 0.0) solve_steady();
  if (writer && time_ == t_start) {
    writer->append_series_row(series_row());
    snapshot();
  }
  const double interval = model_.time.snapshot_interval;
  double next_snapshot = (std::floor(time_ / interval + 1e-9) + 1.0) * interval;
  // Relative slack so that round-off in accumulated time does not add a sliver of a step.
  const double eps = 1e-9 * std::max(1.0, until);
  while (time_ < until - eps) {
    double dt = std::min(next_dt_, until - time_);
    bool at_snapshot = false;
    if (time_ + dt >= next_snapshot - eps) {
      dt = next_snapshot - time_;
      at_snapshot = true;
    }
    const double target = at_snapshot ? next_snapshot : time_ + dt;
    step(dt);
    // Land exactly on snapshot times (no accumulated round-off in recorded times).
    time_ = target;
    diag_.time = target;
    history_.back()[0] = target;
    if (at_snapshot) next_snapshot += interval;
    bool at_end = time_ >= until - eps;
    if (writer) {
      writer->append_series_row(series_row());
      if (at_snapshot || at_end) snapshot();
    }
    // Grow the step while the coupling converges in few iterations, up to max_step.
    if (diag_.coupling_iterations <= 8) next_dt_ = std::min(next_dt_ * model_.time.step_growth, model_.time.max_step);
    else if (diag_.coupling_iterations > 16) next_dt_ = std::max(next_dt_ * 0.5, 1e-3);
    progress(false);
  }
  progress(true);
}

}  // namespace hphtsim::simulation
