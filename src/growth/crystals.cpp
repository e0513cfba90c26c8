// SPDX-License-Identifier: MIT
#include "hphtsim/growth/crystals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/parallel.hpp"

namespace hphtsim::growth {

namespace {
constexpr double sqrt3 = 1.7320508075688772;
constexpr int di[6] = {-1, 1, 0, 0, 0, 0}, dj[6] = {0, 0, -1, 1, 0, 0}, dk[6] = {0, 0, 0, 0, -1, 1};

/// fn(c, m, f, area) for every face f between a cell c with active[c] and its neighbour m inside
/// the grid, in cell order (i fastest) then face order: serial and fixed, for the ledger.
template <class Fn>
void for_each_active_face(const core::Grid& g, const std::vector<unsigned char>& active, Fn&& fn) {
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        if (!active[c]) continue;
        for (int f = 0; f < 6; ++f) {
          const int a = i + di[f], b = j + dj[f], d = k + dk[f];
          if (a < 0 || b < 0 || d < 0 || a >= g.nx || b >= g.ny || d >= g.nz) continue;
          const double area = g.face_area(i, j, k, f);
          fn(c, g.index(a, b, d), f, area, i, j, k);
        }
      }
}
}  // namespace

double GrowthSettings::rate_ratio(double T) const {
  return std::exp(std::log(sqrt3) * std::clamp((T - habit_temperature) / habit_half_width, -1.5, 1.5));
}
double GrowthSettings::habit_index(double T) const {
  return std::clamp((T - habit_temperature) / habit_half_width, -1.0, 1.0);
}
double GrowthSettings::critical_growth_rate(double m) const {
  return critical_rate * std::pow(std::max(m, 0.0) / critical_mass, critical_exponent);
}

const char* to_string(GrowthStatus s) {
  switch (s) {
    case GrowthStatus::growing: return "growing";
    case GrowthStatus::solvent_frozen: return "solvent frozen (below the eutectic)";
    case GrowthStatus::graphite_stable: return "graphite-stable (below the graphite-diamond line)";
    case GrowthStatus::undersaturated: return "no supersaturation at the crystal";
  }
  return "?";
}

CrystalGrowth::CrystalGrowth(const core::Grid& grid, geometry::MaterialMap& map, const geometry::Assembly& assembly,
                             int solvent_region, int source_region, GrowthSettings settings, double source_density)
    : grid_(grid), map_(map), solvent_region_(solvent_region), source_region_(source_region),
      first_seed_region_(int(assembly.primitives.size())), settings_(settings), transport_(grid) {
  HPHTSIM_CHECK(solvent_region >= 0 && source_region >= 0, "growth needs the solvent and carbon_source roles");
  const std::size_t n = grid.size();
  c_.assign(n, 0.0);
  c_old_.assign(n, 0.0);
  source_mass_.assign(n, 0.0);
  crystal_.assign(n, 0.0);
  G_.assign(n, 0.0);
  Gc_.assign(n, 0.0);
  active_.assign(n, 0);
  source_open_.assign(n, 0);
  face_mask_.assign(n, 0x3f);
  cell_volume_.assign(n, 0.0);
  seed_material_.assign(assembly.seeds.size(), -1);
  seed_mass_.assign(assembly.seeds.size(), 0.0);
  seeds_.assign(assembly.seeds.size(), SeedDiagnostics{});
  for (const auto& s : assembly.seeds) {
    centres_.push_back(s.center);
    names_.push_back(s.name);
    // A cube seed: {100} planes at half its edge, the {111} planes just touching its corners.
    h100_.push_back(0.5 * s.size);
    h111_.push_back(sqrt3 * 0.5 * s.size);
    rotated_.push_back(s.orientation == geometry::SeedOrientation::face111);
  }
  for (int k = 0; k < grid.nz; ++k)
    for (int j = 0; j < grid.ny; ++j)
      for (int i = 0; i < grid.nx; ++i) {
        const std::size_t c = grid.index(i, j, k);
        cell_volume_[c] = grid.volume(i, j, k);
        const int r = map.region[c];
        if (r == solvent_region) {
          solvent_material_ = map.material[c];
          c_[c] = settings.initial_carbon;
        }
        if (r == source_region) source_mass_[c] = source_density * cell_volume_[c];
        if (int s = seed_of(r); s >= 0) {
          seed_material_[std::size_t(s)] = map.material[c];
          // The seed's mass is that of its cube (cells only represent it on the grid).
          seed_mass_[std::size_t(s)] = settings.diamond_density * std::pow(assembly.seeds[std::size_t(s)].size, 3);
        }
      }
  HPHTSIM_CHECK(solvent_material_ >= 0, "the solvent covers no cell");
  initial_mass_ = seed_mass_;
  c_old_ = c_;
  in_solution_ = 0.0;
  for (std::size_t c = 0; c < n; ++c)
    if (map.region[c] == solvent_region) in_solution_ += settings.melt_density * cell_volume_[c] * c_[c];
  // The initial carbon content is in solution but was never dissolved from the source: count
  // it as dissolved at t = 0 so the ledger balances from the start.
  dissolved_ = in_solution_;
  refresh_crystal_map();
  for (std::size_t s = 0; s < seeds_.size(); ++s) {
    seeds_[s].mass = seed_mass_[s];
    seeds_[s].critical_rate = settings.critical_growth_rate(seed_mass_[s]);
    seeds_[s].shape_index = -1.0;  // a cube
    seeds_[s].T_front = std::numeric_limits<double>::quiet_NaN();
  }
  for (double m : source_mass_) initial_source_ += m;
  T_source_face_ = std::numeric_limits<double>::quiet_NaN();
  refresh_contacts(false);
  touching_at_start_ = touching_;
  refresh_contacts(false);  // the contact bits against the start
}

double CrystalGrowth::source_remaining() const {
  if (!(initial_source_ > 0.0)) return 0.0;
  double m = 0.0;
  for (std::size_t c = 0; c < source_mass_.size(); ++c)
    if (map_.region[c] == source_region_) m += std::max(source_mass_[c], 0.0);
  return m / initial_source_;
}

void CrystalGrowth::refresh_contacts(bool report) {
  const core::Grid& g = grid_;
  const std::size_t n_regions = std::size_t(first_seed_region_);
  const std::size_t n_seeds = seeds_.size();
  std::vector<std::vector<unsigned char>> now(n_seeds, std::vector<unsigned char>(n_regions, 0));
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const int s = seed_of(map_.region[g.index(i, j, k)]);
        if (s < 0) continue;
        for (int f = 0; f < 6; ++f) {
          const int a = i + di[f], b = j + dj[f], d = k + dk[f];
          if (a < 0 || b < 0 || d < 0 || a >= g.nx || b >= g.ny || d >= g.nz) continue;
          const int r = map_.region[g.index(a, b, d)];
          if (r >= 0 && std::size_t(r) < n_regions && r != solvent_region_) now[std::size_t(s)][std::size_t(r)] = 1;
        }
      }
  new_contacts_.assign(n_seeds, {});
  for (std::size_t s = 0; s < n_seeds; ++s) {
    int bits = 0;
    for (std::size_t r = 0; r < n_regions; ++r) {
      if (!now[s][r]) continue;
      const bool at_start = !touching_at_start_.empty() && touching_at_start_[s][r];
      if (int(r) == source_region_) bits |= 1;
      else if (!at_start) bits |= 2;
      if (report && !touching_.empty() && !touching_[s][r] && !at_start) new_contacts_[s].push_back(int(r));
    }
    seeds_[s].contact = bits;
  }
  touching_ = std::move(now);
}

void CrystalGrowth::precipitate_excess(const std::vector<double>& T, double p, const std::vector<double>* p_field) {
  const auto& st = settings_;
  nucleation_cells_ = 0;
  double nucleated = 0.0;
  for (std::size_t c = 0; c < c_.size(); ++c) {
    if (!active_[c]) continue;
    const double cap = (1.0 + st.nucleation_supersaturation) * st.solubility.diamond(T[c], p_field ? (*p_field)[c] : p);
    if (!(c_[c] > cap)) continue;
    nucleated += st.melt_density * cell_volume_[c] * (c_[c] - cap);
    c_[c] = cap;
    ++nucleation_cells_;
  }
  nucleated_ += nucleated;
}

void CrystalGrowth::refresh_crystal_map() {
  const std::size_t n = crystal_.size();
  for (auto& d : seeds_) d.cells = 0;
  for (std::size_t c = 0; c < n; ++c) {
    const int s = seed_of(map_.region[c]);
    crystal_[c] = s >= 0 ? double(s + 1) : 0.0;
    if (s >= 0) ++seeds_[std::size_t(s)].cells;
  }
}

void CrystalGrowth::window(const std::vector<double>& T_seed, double p_cell, const std::vector<double>* p_seed) {
  const auto& sol = settings_.solubility;
  for (std::size_t s = 0; s < seeds_.size(); ++s) {
    SeedDiagnostics& d = seeds_[s];
    const double T = T_seed[s];
    const double p = p_seed ? (*p_seed)[s] : p_cell;
    d.line_margin_GPa = (p - physics::equilibrium_pressure(sol.line, T)) * 1e-9;
    d.line_margin_K = physics::equilibrium_temperature(sol.line, p) - T;
    d.eutectic_margin_K = T - settings_.eutectic.temperature(p);
    d.eutectic_margin_GPa = (settings_.eutectic.pressure(T) - p) * 1e-9;
    d.habit_index = settings_.habit_index(T);
    d.window_margin_K = s < settings_.seed_windows.size() ? settings_.seed_windows[s].margin(T)
                                                          : std::numeric_limits<double>::quiet_NaN();
    d.morphology = s < settings_.seed_morphology.size() && settings_.seed_morphology[s]
                       ? settings_.seed_morphology[s]->code(T)
                       : std::numeric_limits<double>::quiet_NaN();
    if (d.line_margin_GPa <= 0.0) d.status = GrowthStatus::graphite_stable;
    else if (d.eutectic_margin_K <= 0.0) d.status = GrowthStatus::solvent_frozen;
    else d.status = GrowthStatus::growing;  // may become undersaturated after the transport solve
  }
}

void CrystalGrowth::update_status(const std::vector<double>& T, double p, const std::vector<double>& T_seed,
                                  const std::vector<double>* p_seed) {
  update_melt(T, p);
  window(T_seed, p, p_seed);
}

void CrystalGrowth::update_melt(const std::vector<double>& T, double p) {
  const std::size_t n = grid_.size();
  const auto& st = settings_;
  const double T_melt = st.eutectic.temperature(p);
  double volume = 0.0, heat = 0.0;
  for (std::size_t c = 0; c < n; ++c) {
    active_[c] = map_.region[c] == solvent_region_ && T[c] >= T_melt;
    if (active_[c]) {
      volume += cell_volume_[c];
      heat += cell_volume_[c] * T[c];
    }
  }
  if (!st.convection_from_rayleigh || volume == 0.0) {
    convection_ = physics::MeltConvection{};
    convection_.sherwood = st.convection_from_rayleigh ? 1.0 : st.convection_enhancement;
    return;
  }
  // Schmidt and Rayleigh numbers with the diffusivity at the melt's mean temperature.
  convection_ = physics::melt_convection(grid_, active_, T, st.melt_density, st.molecular_diffusivity(heat / volume),
                                         st.convection);
}

void CrystalGrowth::step(const std::vector<double>& T, double p, const std::vector<double>& T_seed, double dt,
                         const solvers::SolveOptions& opts, const std::vector<double>* p_seed,
                         const std::vector<double>* p_field) {
  const core::Grid& g = grid_;
  const std::size_t n = g.size();
  const auto& st = settings_;
  const double rho = st.melt_density;
  window(T_seed, p, p_seed);
  auto seed_pressure = [&](int s) { return p_seed ? (*p_seed)[std::size_t(s)] : p; };

  update_melt(T, p);
  const double enhancement = convection_.sherwood;
  rho_D_.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    // at the melt cell's own temperature
    if (active_[c]) rho_D_[c] = rho * st.molecular_diffusivity(T[c]) * enhancement;
    // Source cells that still hold graphite, fixed for the whole step so that the solve and
    // the book-keeping see the same faces.
    source_open_[c] = map_.region[c] == source_region_ && source_mass_[c] > 0.0;
  }
  c_old_ = c_;

  // Exchange terms of one active cell's face f to neighbour m; returns false if none. `mask`
  // selects the crystal faces that take carbon (the book-keeping uses those of the last solve).
  std::vector<unsigned char> mask_solved;
  const std::vector<unsigned char>* mask = &face_mask_;
  auto exchange = [&](std::size_t c, int i, int j, int k, int f, double& G, double& cb, int& seed) -> bool {
    const int a = i + di[f], b = j + dj[f], d = k + dk[f];
    if (a < 0 || b < 0 || d < 0 || a >= g.nx || b >= g.ny || d >= g.nz) return false;
    const std::size_t m = g.index(a, b, d);
    const double area = g.face_area(i, j, k, f);
    const double half = 0.5 * (f < 2 ? g.dx(i) : (f < 4 ? g.dy(j) : g.dz(k)));
    const double T_face = 0.5 * (T[c] + T[m]);
    const double p_melt = p_field ? (*p_field)[c] : p;
    seed = -1;
    const double rhoD = rho_D_[c];
    if (source_open_[m]) {
      G = area * rhoD / half;  // saturated at the graphite surface, half a cell away
      cb = st.source_is_diamond ? st.solubility.diamond(T_face, p_melt) : st.solubility.graphite(T_face);
      return true;
    }
    const int s = seed_of(map_.region[m]);
    if (s >= 0 && seeds_[std::size_t(s)].status == GrowthStatus::growing && ((*mask)[c] >> f & 1)) {
      const double beta = st.kinetic_coefficient_at(T_face);
      // Kinetics in series with the diffusion from the melt cell's centre to the polyhedron's
      // surface, over the share of the face the polyhedron covers: the crystal's cells flip
      // a layer at a time, its surface moves smoothly (a half cell of diffusion over the whole
      // face, as before, made the rate jump 20-30 % at each layer).
      double share = 1.0;
      const double path = front_distance(s, i, j, k, f, share);
      G = share * area / (1.0 / (rho * beta) + path / rhoD);
      cb = st.solubility.diamond(T_face, p_field ? p_melt : seed_pressure(s));
      seed = s;
      return true;
    }
    return false;
  };

  // Active set: a crystal face takes carbon only where the melt is supersaturated; iterate the
  // solve until no face changes side.
  for (int pass = 0; pass < 8; ++pass) {
#pragma omp parallel for schedule(static)
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          const std::size_t c = g.index(i, j, k);
          double Gs = 0.0, Gcs = 0.0;
          if (active_[c])
            for (int f = 0; f < 6; ++f) {
              double G, cb;
              int seed;
              if (exchange(c, i, j, k, f, G, cb, seed)) {
                Gs += G;
                Gcs += G * cb;
              }
            }
          G_[c] = Gs;
          Gc_[c] = Gcs;
        }
    transport_.solve(active_, rho_D_, rho, G_, Gc_, c_old_, dt, c_, opts);
    mask_solved = face_mask_;
    bool changed = false;
    for_each_active_face(g, active_, [&](std::size_t c, std::size_t m, int f, double, int, int, int) {
      const int s = seed_of(map_.region[m]);
      if (s < 0 || seeds_[std::size_t(s)].status != GrowthStatus::growing) return;
      const bool on = face_mask_[c] >> f & 1;
      // The same pressure as the face's flux (exchange above), so that an open face
      // never carries carbon out of the crystal.
      const double p_face = p_field ? (*p_field)[c] : seed_pressure(s);
      const bool want = c_[c] > st.solubility.diamond(0.5 * (T[c] + T[m]), p_face);
      if (on != want) {
        face_mask_[c] ^= (unsigned char)(1u << f);
        changed = true;
      }
    });
    if (!changed) break;
  }

  // Ledger: the fluxes of the final solve, face by face, in a fixed (serial) order; in the same
  // pass the area-weighted temperatures of the melt's faces to the source and to each crystal.
  mask = &mask_solved;
  std::vector<double> deposited_now(seeds_.size(), 0.0);
  std::vector<double> front_ss(seeds_.size(), 0.0), front_n(seeds_.size(), 0.0);
  std::vector<double> front_lo(seeds_.size(), std::numeric_limits<double>::infinity());
  std::vector<double> front_hi(seeds_.size(), -std::numeric_limits<double>::infinity());
  double src_a = 0.0, src_t = 0.0;
  std::vector<double> fa(seeds_.size(), 0.0), ft(seeds_.size(), 0.0);
  for_each_active_face(g, active_, [&](std::size_t c, std::size_t m, int f, double area, int i, int j, int k) {
    const double T_face = 0.5 * (T[c] + T[m]);
    if (source_open_[m]) {
      src_a += area;
      src_t += area * T_face;
    } else if (const int s = seed_of(map_.region[m]); s >= 0) {
      fa[std::size_t(s)] += area;
      ft[std::size_t(s)] += area * T_face;
    }
    double G, cb;
    int seed;
    if (!exchange(c, i, j, k, f, G, cb, seed)) return;
    const double flux = G * (cb - c_[c]) * dt;  // kg into the melt cell
    if (seed < 0) {
      dissolved_ += flux;
      source_mass_[m] -= flux;
    } else {
      deposited_now[std::size_t(seed)] -= flux;
      const double ss = c_[c] / cb - 1.0;
      front_ss[std::size_t(seed)] += ss;
      front_n[std::size_t(seed)] += 1.0;
      front_lo[std::size_t(seed)] = std::min(front_lo[std::size_t(seed)], ss);
      front_hi[std::size_t(seed)] = std::max(front_hi[std::size_t(seed)], ss);
    }
  });
  {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    T_source_face_ = src_a > 0.0 ? src_t / src_a : nan;
    for (std::size_t s = 0; s < seeds_.size(); ++s) seeds_[s].T_front = fa[s] > 0.0 ? ft[s] / fa[s] : nan;
  }

  // Exhausted source cells become solvent (the source erodes).
  for (std::size_t c = 0; c < n; ++c)
    if (map_.region[c] == source_region_ && source_mass_[c] <= 0.0) {
      map_.reassign(c, solvent_region_);
      c_[c] = 0.0;
    }
  // Each crystal's polyhedron grows with its mass; the melt cells it now covers become crystal.
  // Their melt is displaced, not absorbed: its dissolved carbon is spread evenly over the
  // molten solvent that remains (the same mass fraction added everywhere).
  double displaced = 0.0;
  for (std::size_t s = 0; s < seeds_.size(); ++s) {
    seed_mass_[s] += deposited_now[s];
    grow_shape(int(s), T_seed[s]);
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          const std::size_t c = g.index(i, j, k);
          if (map_.region[c] != solvent_region_ || !inside(int(s), g.xc(i), g.yc(j), g.zc(k), h100_[s], h111_[s])) continue;
          displaced += rho * cell_volume_[c] * c_[c];
          map_.reassign(c, first_seed_region_ + int(s));
          c_[c] = 0.0;
          face_mask_[c] = 0x3f;
          active_[c] = 0;
        }
  }
  if (displaced > 0.0) {
    double melt_volume = 0.0;
    for (std::size_t c = 0; c < n; ++c)
      if (active_[c]) melt_volume += cell_volume_[c];
    if (melt_volume > 0.0) {
      const double dc = displaced / (rho * melt_volume);
      for (std::size_t c = 0; c < n; ++c)
        if (active_[c]) c_[c] += dc;
    } else {
      nucleated_ += displaced;  // no melt left to take it: it precipitates where it is
    }
  }
  refresh_crystal_map();
  refresh_contacts(true);
  if (st.nucleation_sink) precipitate_excess(T, p, p_field);

  // Figures.
  in_solution_ = 0.0;
  if (!st.nucleation_sink) nucleation_cells_ = 0;
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        if (map_.region[c] != solvent_region_) continue;
        in_solution_ += rho * cell_volume_[c] * c_[c];
        if (!active_[c] || st.nucleation_sink) continue;
        bool near_crystal = false;
        for (int f = 0; f < 6; ++f) {
          const int a = i + di[f], b = j + dj[f], d = k + dk[f];
          if (a >= 0 && b >= 0 && d >= 0 && a < g.nx && b < g.ny && d < g.nz && seed_of(map_.region[g.index(a, b, d)]) >= 0)
            near_crystal = true;
        }
        // The local melt pressure (the field's, where there is one), as the sink uses.
        const double p_local = p_field ? (*p_field)[c] : p;
        if (!near_crystal && c_[c] / st.solubility.diamond(T[c], p_local) - 1.0 > st.nucleation_supersaturation)
          ++nucleation_cells_;
      }
  for (std::size_t s = 0; s < seeds_.size(); ++s) {
    SeedDiagnostics& d = seeds_[s];
    deposited_ += deposited_now[s];
    d.mass = seed_mass_[s];
    d.growth_rate = deposited_now[s] / dt;
    d.supersaturation = front_n[s] > 0 ? front_ss[s] / front_n[s] : 0.0;
    d.supersaturation_spread = front_n[s] > 0 ? front_hi[s] - front_lo[s] : 0.0;
    d.critical_rate = st.critical_growth_rate(d.mass);
    d.inclusion_risk = d.growth_rate > d.critical_rate;
    if (d.inclusion_risk) d.mass_above_critical += deposited_now[s];
    if (d.status == GrowthStatus::growing && !(deposited_now[s] > 0.0)) d.status = GrowthStatus::undersaturated;
    // Habit of the grown polyhedron: h111/h100 is sqrt 3 for a cube, 1/sqrt 3 for an octahedron.
    d.shape_index = std::clamp(-std::log(h111_[s] / h100_[s]) / std::log(sqrt3), -1.0, 1.0);
  }
}

double CrystalGrowth::balance_error() const {
  const double scale = std::max(std::abs(dissolved_), 1e-30);
  return (dissolved_ - in_solution_ - deposited_ - nucleated_) / scale;
}

CrystalGrowth::State CrystalGrowth::state() const {
  State s;
  s.c = c_;
  s.h100 = h100_;
  s.h111 = h111_;
  s.source_mass = source_mass_;
  s.face_mask.assign(face_mask_.begin(), face_mask_.end());
  s.seed_mass = seed_mass_;
  s.dissolved = dissolved_;
  s.deposited = deposited_;
  s.nucleated = nucleated_;
  for (const auto& d : seeds_) s.mass_above_critical.push_back(d.mass_above_critical);
  return s;
}

void CrystalGrowth::restore(const State& s) {
  c_ = s.c;
  if (s.h100.size() == h100_.size()) h100_ = s.h100;
  if (s.h111.size() == h111_.size()) h111_ = s.h111;
  source_mass_ = s.source_mass;
  face_mask_.assign(s.face_mask.begin(), s.face_mask.end());
  seed_mass_ = s.seed_mass;
  dissolved_ = s.dissolved;
  deposited_ = s.deposited;
  nucleated_ = s.nucleated;
  if (s.mass_above_critical.size() == seeds_.size())
    for (std::size_t i = 0; i < seeds_.size(); ++i) seeds_[i].mass_above_critical = s.mass_above_critical[i];
  in_solution_ = 0.0;
  for (std::size_t c = 0; c < c_.size(); ++c)
    if (map_.region[c] == solvent_region_) in_solution_ += settings_.melt_density * cell_volume_[c] * c_[c];
  refresh_crystal_map();
  refresh_contacts(false);
  for (std::size_t i = 0; i < seeds_.size(); ++i) {
    seeds_[i].mass = seed_mass_[i];
    seeds_[i].critical_rate = settings_.critical_growth_rate(seed_mass_[i]);
  }
}

}  // namespace hphtsim::growth
