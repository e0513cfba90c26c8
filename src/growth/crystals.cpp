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
  fill_.assign(n, 0.0);
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
  for (std::size_t s = 0; s < seeds_.size(); ++s) seeds_[s].mass = seed_mass_[s];
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

double CrystalGrowth::face_factor(std::size_t cell, int seed, double T) const {
  // Direction of the front cell from the seed's centre: a = max|n_i| is 1 along <100> and
  // 1/sqrt(3) along <111>; the face's kinetics interpolate between the two families.
  const core::Grid& g = grid_;
  const int i = int(cell % std::size_t(g.nx)), j = int((cell / std::size_t(g.nx)) % std::size_t(g.ny)),
            k = int(cell / (std::size_t(g.nx) * std::size_t(g.ny)));
  const auto& ctr = centres_[std::size_t(seed)];
  const double v[3] = {g.xc(i) - ctr[0], g.yc(j) - ctr[1], g.zc(k) - ctr[2]};
  const double len = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  double s = 1.0;
  if (len > 0.0) {
    const double a = std::max({std::abs(v[0]), std::abs(v[1]), std::abs(v[2])}) / len;
    s = std::clamp((a - 1.0 / sqrt3) / (1.0 - 1.0 / sqrt3), 0.0, 1.0);
  }
  const double r = settings_.rate_ratio(T);
  const double k100 = 2.0 * r / (1.0 + r), k111 = 2.0 / (1.0 + r);
  return s * k100 + (1.0 - s) * k111;
}

void CrystalGrowth::window(const std::vector<double>& T_seed, double p) {
  const auto& sol = settings_.solubility;
  for (std::size_t s = 0; s < seeds_.size(); ++s) {
    SeedDiagnostics& d = seeds_[s];
    const double T = T_seed[s];
    d.line_margin_GPa = (p - physics::equilibrium_pressure(sol.line, T)) * 1e-9;
    d.line_margin_K = physics::equilibrium_temperature(sol.line, p) - T;
    d.eutectic_margin_K = T - settings_.eutectic.temperature(p);
    d.eutectic_margin_GPa = (settings_.eutectic.pressure(T) - p) * 1e-9;
    d.habit_index = settings_.habit_index(T);
    if (d.line_margin_GPa <= 0.0) d.status = GrowthStatus::graphite_stable;
    else if (d.eutectic_margin_K <= 0.0) d.status = GrowthStatus::solvent_frozen;
    else d.status = GrowthStatus::growing;  // may become undersaturated after the transport solve
  }
}

void CrystalGrowth::update_status(const std::vector<double>& T, double p, const std::vector<double>& T_seed) {
  (void)T;
  window(T_seed, p);
}

void CrystalGrowth::step(const std::vector<double>& T, double p, const std::vector<double>& T_seed, double dt,
                         const solvers::SolveOptions& opts) {
  const core::Grid& g = grid_;
  const std::size_t n = g.size();
  const auto& st = settings_;
  const double rho = st.melt_density, rhoD = rho * st.effective_diffusivity();
  const double T_melt = st.eutectic.temperature(p);
  window(T_seed, p);

  for (std::size_t c = 0; c < n; ++c) {
    active_[c] = map_.region[c] == solvent_region_ && T[c] >= T_melt;
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
    const double area = f < 2 ? g.dy(j) * g.dz(k) : (f < 4 ? g.dx(i) * g.dz(k) : g.dx(i) * g.dy(j));
    const double half = 0.5 * (f < 2 ? g.dx(i) : (f < 4 ? g.dy(j) : g.dz(k)));
    const double T_face = 0.5 * (T[c] + T[m]);
    seed = -1;
    if (source_open_[m]) {
      G = area * rhoD / half;  // saturated at the graphite surface, half a cell away
      cb = st.solubility.graphite(T_face);
      return true;
    }
    const int s = seed_of(map_.region[m]);
    if (s >= 0 && seeds_[std::size_t(s)].status == GrowthStatus::growing && ((*mask)[c] >> f & 1)) {
      const double beta = st.kinetic_coefficient * face_factor(c, s, T_face);
      G = area / (1.0 / (rho * beta) + half / rhoD);  // kinetics in series with half a cell of diffusion
      cb = st.solubility.diamond(T_face, p);
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
    transport_.solve(active_, rhoD, rho, G_, Gc_, c_old_, dt, c_, opts);
    mask_solved = face_mask_;
    bool changed = false;
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          const std::size_t c = g.index(i, j, k);
          if (!active_[c]) continue;
          for (int f = 0; f < 6; ++f) {
            const int a = i + di[f], b = j + dj[f], d = k + dk[f];
            if (a < 0 || b < 0 || d < 0 || a >= g.nx || b >= g.ny || d >= g.nz) continue;
            const std::size_t m = g.index(a, b, d);
            const int s = seed_of(map_.region[m]);
            if (s < 0 || seeds_[std::size_t(s)].status != GrowthStatus::growing) continue;
            const bool on = face_mask_[c] >> f & 1;
            const bool want = c_[c] > st.solubility.diamond(0.5 * (T[c] + T[m]), p);
            if (on != want) {
              face_mask_[c] ^= (unsigned char)(1u << f);
              changed = true;
            }
          }
        }
    if (!changed) break;
  }

  // Ledger: the fluxes of the final solve, face by face, in a fixed (serial) order.
  mask = &mask_solved;
  std::vector<double> deposited_now(seeds_.size(), 0.0);
  std::vector<double> front_ss(seeds_.size(), 0.0), front_n(seeds_.size(), 0.0);
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        if (!active_[c]) continue;
        for (int f = 0; f < 6; ++f) {
          double G, cb;
          int seed;
          if (!exchange(c, i, j, k, f, G, cb, seed)) continue;
          const double flux = G * (cb - c_[c]) * dt;  // kg into the melt cell
          const std::size_t m = g.index(i + di[f], j + dj[f], k + dk[f]);
          if (seed < 0) {
            dissolved_ += flux;
            source_mass_[m] -= flux;
          } else {
            deposited_now[std::size_t(seed)] -= flux;
            fill_[c] -= flux;
            front_ss[std::size_t(seed)] += c_[c] / cb - 1.0;
            front_n[std::size_t(seed)] += 1.0;
          }
        }
      }

  // Full front cells become crystal; their dissolved carbon goes into the crystal with them.
  // Exhausted source cells become solvent (the source erodes).
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        if (map_.region[c] == source_region_ && source_mass_[c] <= 0.0) {
          map_.region[c] = solvent_region_;
          map_.material[c] = solvent_material_;
          c_[c] = 0.0;
          continue;
        }
        if (!active_[c] || fill_[c] < st.diamond_density * cell_volume_[c]) continue;
        int best = -1;
        for (int f = 0; f < 6 && best < 0; ++f) {
          const int a = i + di[f], b = j + dj[f], d = k + dk[f];
          if (a < 0 || b < 0 || d < 0 || a >= g.nx || b >= g.ny || d >= g.nz) continue;
          best = seed_of(map_.region[g.index(a, b, d)]);
        }
        if (best < 0) continue;
        deposited_now[std::size_t(best)] += rho * cell_volume_[c] * c_[c];
        map_.region[c] = first_seed_region_ + best;
        map_.material[c] = seed_material_[std::size_t(best)];
        c_[c] = 0.0;
        fill_[c] = 0.0;
        face_mask_[c] = 0x3f;
        active_[c] = 0;
      }
  refresh_crystal_map();

  // Figures.
  in_solution_ = 0.0;
  nucleation_cells_ = 0;
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        if (map_.region[c] != solvent_region_) continue;
        in_solution_ += rho * cell_volume_[c] * c_[c];
        if (!active_[c]) continue;
        bool near_crystal = false;
        for (int f = 0; f < 6; ++f) {
          const int a = i + di[f], b = j + dj[f], d = k + dk[f];
          if (a >= 0 && b >= 0 && d >= 0 && a < g.nx && b < g.ny && d < g.nz && seed_of(map_.region[g.index(a, b, d)]) >= 0)
            near_crystal = true;
        }
        if (!near_crystal && c_[c] / st.solubility.diamond(T[c], p) - 1.0 > st.nucleation_supersaturation)
          ++nucleation_cells_;
      }
  for (std::size_t s = 0; s < seeds_.size(); ++s) {
    SeedDiagnostics& d = seeds_[s];
    seed_mass_[s] += deposited_now[s];
    deposited_ += deposited_now[s];
    d.mass = seed_mass_[s];
    d.growth_rate = deposited_now[s] / dt;
    d.supersaturation = front_n[s] > 0 ? front_ss[s] / front_n[s] : 0.0;
    d.inclusion_risk = d.growth_rate > st.critical_growth_rate(d.mass);
    if (d.status == GrowthStatus::growing && !(deposited_now[s] > 0.0)) d.status = GrowthStatus::undersaturated;
    // Shape: extent along <111> over extent along <100> (sqrt 3 for a cube, 1/sqrt 3 for an
    // octahedron), from the crystal cells' corners.
    double d100 = 0.0, d111 = 0.0;
    const auto& ctr = centres_[s];
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          if (seed_of(map_.region[g.index(i, j, k)]) != int(s)) continue;
          const double hx = 0.5 * g.dx(i), hy = 0.5 * g.dy(j), hz = 0.5 * g.dz(k);
          const double x = std::abs(g.xc(i) - ctr[0]) + hx, y = std::abs(g.yc(j) - ctr[1]) + hy,
                       z = std::abs(g.zc(k) - ctr[2]) + hz;
          d100 = std::max({d100, x, y, z});
          d111 = std::max(d111, (x + y + z) / sqrt3);
        }
    d.shape_index = d100 > 0 ? -std::log(d111 / d100) / std::log(sqrt3) : 0.0;
  }
}

double CrystalGrowth::balance_error() const {
  const double scale = std::max(std::abs(dissolved_), 1e-30);
  return (dissolved_ - in_solution_ - deposited_) / scale;
}

CrystalGrowth::State CrystalGrowth::state() const {
  State s;
  s.c = c_;
  s.fill = fill_;
  s.source_mass = source_mass_;
  s.face_mask.assign(face_mask_.begin(), face_mask_.end());
  s.seed_mass = seed_mass_;
  s.dissolved = dissolved_;
  s.deposited = deposited_;
  return s;
}

void CrystalGrowth::restore(const State& s) {
  c_ = s.c;
  fill_ = s.fill;
  source_mass_ = s.source_mass;
  face_mask_.assign(s.face_mask.begin(), s.face_mask.end());
  seed_mass_ = s.seed_mass;
  dissolved_ = s.dissolved;
  deposited_ = s.deposited;
  in_solution_ = 0.0;
  for (std::size_t c = 0; c < c_.size(); ++c)
    if (map_.region[c] == solvent_region_) in_solution_ += settings_.melt_density * cell_volume_[c] * c_[c];
  refresh_crystal_map();
  for (std::size_t i = 0; i < seeds_.size(); ++i) seeds_[i].mass = seed_mass_[i];
}

}  // namespace hphtsim::growth
