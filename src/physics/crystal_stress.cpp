// SPDX-License-Identifier: MIT
#include "hphtsim/physics/crystal_stress.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hphtsim::physics {

namespace {
constexpr double gas_constant = 8.314462618;  // J/(mol K), CODATA 2018
}

double CrystalStressSettings::relaxation_time_at(double T) const {
  // The exponent is capped below the double's range: far below the lock-in the reference
  // does not move either way.
  const double x = activation_energy / gas_constant * (1.0 / T - 1.0 / reference_temperature);
  return relaxation_time * std::exp(std::min(x, 700.0));
}

CrystalStress::CrystalStress(const core::Grid& grid, PressureRegions regions, CrystalStressSettings settings)
    : grid_(grid), regions_(regions), settings_(settings), mechanics_(grid) {
  const std::size_t seeds = std::size_t(std::max(0, regions.crystals));
  max_stress_.assign(seeds, 0.0);
  crack_risk_.assign(seeds, 0.0);
  crystal_cells_.resize(seeds);
}

void CrystalStress::hydrostatic(const Inputs& in) {
  // Surrounded by melt (or before any melt): the crystal carries the melt's pressure.
  const auto& p_seed = in.pressure->p_seed();
  for (std::size_t s = 0; s < max_stress_.size(); ++s) {
    const double p = std::isfinite(p_seed[s]) ? p_seed[s] : in.pressure->p_cell();
    max_stress_[s] = -p;
    crack_risk_[s] = 0.0;
  }
}

void CrystalStress::lock(const Inputs& in) {
  locked_ = true;
  e_sf_ = in.pressure->free_strain();
  p_sf_ = in.pressure->p_cell();
  collect_crystal_cells(*in.map);
}

void CrystalStress::collect_crystal_cells(const geometry::MaterialMap& map) {
  const auto& region = map.region;
  for (std::size_t s = 0; s < crystal_cells_.size(); ++s) {
    crystal_cells_[s].clear();
    const int crystal = regions_.first_crystal + int(s);
    for (std::size_t c = 0; c < region.size(); ++c)
      if (region[c] == crystal) crystal_cells_[s].push_back(c);
  }
}

void CrystalStress::update(const Inputs& in, double dt, const solvers::SolveOptions& linear) {
  const CellPressure& cp = *in.pressure;
  const auto& fluid = cp.fluid();
  const auto& capsule = cp.capsule();
  const std::size_t n = fluid.size();
  bool melt = false;
  for (std::size_t c = 0; c < n && !melt; ++c) melt = capsule[c] && fluid[c];
  if (melt) {
    melted_ = true;
    locked_ = false;  // (re)melted: whatever stress there was is gone with the solid
  }
  if (melt || !melted_) {
    hydrostatic(in);
    return;
  }
  const auto& e = cp.free_strain();
  const auto& T = *in.T;
  if (pending_lock_) {  // restored locked: the saved reference, this map's crystals
    pending_lock_ = false;
    locked_ = true;
    collect_crystal_cells(*in.map);
  } else if (!locked_) {
    lock(in);
  } else if (dt > 0.0) {
    // The stress-free reference follows the free strain as the cell creeps.
#pragma omp parallel for schedule(static)
    for (std::size_t c = 0; c < n; ++c) {
      const double w = -std::expm1(-dt / settings_.relaxation_time_at(T[c]));
      e_sf_[c] += w * (e[c] - e_sf_[c]);
    }
    const double T_capsule = mechanics_.solved() ? mechanics_.mean_over(T, capsule) : settings_.reference_temperature;
    p_sf_ += -std::expm1(-dt / settings_.relaxation_time_at(T_capsule)) * (cp.p_cell() - p_sf_);
  }
  drive_.resize(n);
  for (std::size_t c = 0; c < n; ++c) drive_[c] = e[c] - e_sf_[c];
  // The medium around the capsule (salt, pyrophyllite, ceramics, heater) is a pressure medium:
  // it flows under deviatoric stress, so here it carries a hydrostatic pressure only (a fluid
  // region with its bulk modulus); the capsule's solids carry the stress elastically.
  E_.resize(n);
  nu_.resize(n);
  medium_.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    medium_[c] = !capsule[c];
    if (medium_[c]) {
      const auto m = melt_moduli(bulk_modulus(cp.youngs_modulus()[c], cp.poisson_ratio()[c]));
      E_[c] = m.youngs_modulus;
      nu_[c] = m.poisson_ratio;
    } else {
      E_[c] = cp.youngs_modulus()[c];
      nu_[c] = cp.poisson_ratio()[c];
    }
  }
  const MechanicsInput mi{&E_, &nu_, &drive_, &medium_};
  if (mechanics_.needs_update(mi, settings_.refresh)) {
    solvers::SolveOptions opts = linear;
    opts.rel_tol = settings_.tolerance;
    mechanics_.solve(mi, 0.0, scratch_, opts);
    ++solves_;
  }
  // The walls move so that the capsule's mean pressure departs from p_sf as the cell pressure
  // model's p_cell does (the release, and the cell's own thermal pressure).
  const double delta = mechanics_.delta_for_mean_pressure(cp.p_cell() - p_sf_, capsule);
  std::vector<double> s1;
  for (std::size_t s = 0; s < crystal_cells_.size(); ++s) {
    double largest = -std::numeric_limits<double>::infinity();
    if (!crystal_cells_[s].empty()) {
      mechanics_.largest_principal_stress(delta, crystal_cells_[s], s1);
      largest = *std::max_element(s1.begin(), s1.end());
    }
    max_stress_[s] = std::isfinite(largest) ? largest - p_sf_ : -cp.p_cell();
    crack_risk_[s] = std::max(0.0, max_stress_[s]) / settings_.tensile_strength;
  }
}

CrystalStress::State CrystalStress::state() const {
  State s;
  s.melted = melted_;
  s.locked = locked_;
  s.solves = solves_;
  s.p_sf = p_sf_;
  if (locked_) {
    s.e_sf = e_sf_;
    s.mechanics = mechanics_.state();
  }
  return s;
}

void CrystalStress::restore(const State& s) {
  melted_ = s.melted != 0;
  locked_ = false;
  pending_lock_ = false;
  solves_ = s.solves;
  p_sf_ = s.p_sf;
  if (s.locked != 0) {
    // Restored in the next update: the map and the cell pressure are restored by then.
    e_sf_ = s.e_sf;
    if (!s.mechanics.empty()) mechanics_.restore(s.mechanics);
    pending_lock_ = true;
  }
}

}  // namespace hphtsim::physics
