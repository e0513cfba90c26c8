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

CrystalStress::CrystalStress(const core::Grid& grid, const std::vector<unsigned char>& capsule, PressureRegions regions,
                             CrystalStressSettings settings)
    : regions_(regions), settings_(settings) {
  const std::size_t seeds = std::size_t(std::max(0, regions.crystals));
  max_stress_.assign(seeds, 0.0);
  crack_risk_.assign(seeds, 0.0);
  crystal_cells_.resize(seeds);
  // The solve's grid: the capsule's bounding box and two cells of medium around it. With the
  // medium hydrostatic, the capsule is a body under one pressure, and the box's fluid layer
  // carries it as the whole cell's would (the stress in the capsule is the same), at a
  // fraction of the cost (the default cell: 17 % of its cells, docs/model.md).
  int lo[3] = {grid.nx, grid.ny, grid.nz}, hi[3] = {-1, -1, -1};
  for (int k = 0; k < grid.nz; ++k)
    for (int j = 0; j < grid.ny; ++j)
      for (int i = 0; i < grid.nx; ++i)
        if (capsule[grid.index(i, j, k)]) {
          const int ijk[3] = {i, j, k};
          for (int d = 0; d < 3; ++d) {
            lo[d] = std::min(lo[d], ijk[d]);
            hi[d] = std::max(hi[d], ijk[d]);
          }
        }
  const int n_axis[3] = {grid.nx, grid.ny, grid.nz};
  constexpr int margin = 2;
  for (int d = 0; d < 3; ++d) {
    if (hi[d] < 0) lo[d] = 0, hi[d] = n_axis[d] - 1;  // no capsule: the whole cell
    lo[d] = std::max(0, lo[d] - margin);
    hi[d] = std::min(n_axis[d] - 1, hi[d] + margin);
  }
  auto edges = [](const std::vector<double>& e, int a, int b) {
    return std::vector<double>(e.begin() + a, e.begin() + b + 2);
  };
  if (grid.is_cylindrical()) {
    lo[0] = 0;  // from the axis
    sub_grid_ = core::Grid::cylindrical(edges(grid.x, 0, hi[0]), edges(grid.z, lo[2], hi[2]));
  } else {
    sub_grid_ = core::Grid::from_edges(edges(grid.x, lo[0], hi[0]), edges(grid.y, lo[1], hi[1]),
                                       edges(grid.z, lo[2], hi[2]));
  }
  const core::Grid& g = sub_grid_;
  full_index_.resize(g.size());
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) full_index_[g.index(i, j, k)] = grid.index(i + lo[0], j + lo[1], k + lo[2]);
  capsule_.resize(g.size());
  for (std::size_t c = 0; c < g.size(); ++c) capsule_[c] = capsule[full_index_[c]];
  mechanics_ = std::make_unique<Mechanics>(sub_grid_);
}

CrystalStress::~CrystalStress() = default;

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
  const auto& e = in.pressure->free_strain();
  e_sf_.resize(full_index_.size());
  for (std::size_t c = 0; c < full_index_.size(); ++c) e_sf_[c] = e[full_index_[c]];
  p_sf_ = in.pressure->p_cell();
  collect_crystal_cells(*in.map);
}

void CrystalStress::collect_crystal_cells(const geometry::MaterialMap& map) {
  const auto& region = map.region;
  for (std::size_t s = 0; s < crystal_cells_.size(); ++s) {
    crystal_cells_[s].clear();
    const int crystal = regions_.first_crystal + int(s);
    for (std::size_t c = 0; c < full_index_.size(); ++c)
      if (region[full_index_[c]] == crystal) crystal_cells_[s].push_back(c);
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
  const std::size_t m = full_index_.size();
  if (pending_lock_) {  // restored locked: the saved reference, this map's crystals
    pending_lock_ = false;
    locked_ = true;
    collect_crystal_cells(*in.map);
  } else if (!locked_) {
    lock(in);
  } else if (dt > 0.0) {
    // The stress-free reference follows the free strain as the cell creeps.
    double T_capsule = 0.0, volume = 0.0;
    for (std::size_t c = 0; c < m; ++c) {
      const std::size_t f = full_index_[c];
      const double w = -std::expm1(-dt / settings_.relaxation_time_at(T[f]));
      e_sf_[c] += w * (e[f] - e_sf_[c]);
      if (capsule_[c]) {
        const int i = int(c % std::size_t(sub_grid_.nx)), j = int((c / std::size_t(sub_grid_.nx)) % std::size_t(sub_grid_.ny)),
                  k = int(c / (std::size_t(sub_grid_.nx) * std::size_t(sub_grid_.ny)));
        const double v = sub_grid_.volume(i, j, k);
        T_capsule += v * T[f];
        volume += v;
      }
    }
    T_capsule = volume > 0.0 ? T_capsule / volume : settings_.reference_temperature;
    p_sf_ += -std::expm1(-dt / settings_.relaxation_time_at(T_capsule)) * (cp.p_cell() - p_sf_);
  }
  // The medium around the capsule (salt, pyrophyllite, ceramics, heater) is a pressure medium:
  // it flows under deviatoric stress, so here it carries a hydrostatic pressure only (a fluid
  // region with its bulk modulus); the capsule's solids carry the stress elastically.
  drive_.resize(m);
  E_.resize(m);
  nu_.resize(m);
  medium_.resize(m);
  for (std::size_t c = 0; c < m; ++c) {
    const std::size_t f = full_index_[c];
    drive_[c] = e[f] - e_sf_[c];
    medium_[c] = !capsule_[c];
    if (medium_[c]) {
      const auto melt = melt_moduli(bulk_modulus(cp.youngs_modulus()[f], cp.poisson_ratio()[f]));
      E_[c] = melt.youngs_modulus;
      nu_[c] = melt.poisson_ratio;
    } else {
      E_[c] = cp.youngs_modulus()[f];
      nu_[c] = cp.poisson_ratio()[f];
    }
  }
  const MechanicsInput mi{&E_, &nu_, &drive_, &medium_};
  if (mechanics_->needs_update(mi, settings_.refresh)) {
    solvers::SolveOptions opts = linear;
    opts.rel_tol = settings_.tolerance;
    mechanics_->solve(mi, 0.0, scratch_, opts);
    ++solves_;
  }
  // The walls move so that the capsule's mean pressure departs from p_sf as the cell pressure
  // model's p_cell does (the release, and the cell's own thermal pressure).
  const double delta = mechanics_->delta_for_mean_pressure(cp.p_cell() - p_sf_, capsule_);
  std::vector<double> s1;
  for (std::size_t s = 0; s < crystal_cells_.size(); ++s) {
    double largest = -std::numeric_limits<double>::infinity();
    if (!crystal_cells_[s].empty()) {
      mechanics_->largest_principal_stress(delta, crystal_cells_[s], s1);
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
    s.mechanics = mechanics_->state();
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
    if (!s.mechanics.empty()) mechanics_->restore(s.mechanics);
    pending_lock_ = true;
  }
}

}  // namespace hphtsim::physics
