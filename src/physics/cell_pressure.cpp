// SPDX-License-Identifier: MIT
#include "hphtsim/physics/cell_pressure.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "hphtsim/core/parallel.hpp"
#include "hphtsim/materials/mixing.hpp"

namespace hphtsim::physics {

CellPressure::CellPressure(const core::Grid& grid, const std::vector<double>& cell_volume,
                           const geometry::MaterialMap& map, PressureRegions regions, PressureSettings settings,
                           double T_ref)
    : grid_(grid), regions_(regions), settings_(settings), T_ref_(T_ref), mechanics_(grid) {
  const std::size_t n = grid.size();
  E_.assign(n, 0.0);
  nu_.assign(n, 0.0);
  eigenstrain_.assign(n, 0.0);
  p_field_.assign(n, 0.0);
  fluid_.assign(n, 0);
  seed_melt_.assign(n, 0);
  p_seed_.assign(std::size_t(regions.crystals), std::numeric_limits<double>::quiet_NaN());
  // The growth capsule (solvent, carbon source, crystals): growth only moves cells between
  // these regions, so the mask is fixed.
  capsule_.assign(n, 0);
  for (std::size_t c = 0; c < n; ++c) {
    const int r = map.region[c];
    capsule_[c] = r >= 0 && (r == regions.solvent || r == regions.source || r >= regions.first_crystal);
    if (capsule_[c]) capsule_volume_ += cell_volume[c];
  }
  if (capsule_volume_ == 0.0) {  // no growth capsule in this assembly: p_cell is the whole cell's mean
    std::fill(capsule_.begin(), capsule_.end(), 1);
    for (double v : cell_volume) capsule_volume_ += v;
  }
}

namespace {

/// One material at temperature t: its moduli (a melt's, when at least half molten: melt_moduli)
/// and its free volumetric strain about T_ref.
struct PartElasticity {
  double E, nu, free_strain;
  bool molten;
};

PartElasticity part_elasticity(const materials::Material& m, double t, double T_ref) {
  PartElasticity p{(*m.youngs_modulus)(t), (*m.poisson_ratio)(t), 3.0 * (*m.thermal_expansion)(t) * (t - T_ref),
                   m.melts() && m.liquid_fraction(t) >= 0.5};
  if (p.molten) {
    const auto melt = melt_moduli(bulk_modulus(p.E, p.nu));
    p.E = melt.youngs_modulus;
    p.nu = melt.poisson_ratio;
  }
  return p;
}

}  // namespace

void CellPressure::set_material(const Inputs& in) {
  // Per-cell moduli and free volumetric strain. Molten solvent (liquid fraction >= 1/2) is a
  // fluid region with one hydrostatic pressure; the graphite -> diamond volume loss is spread
  // over the growth capsule (solvent, source, crystals) as a negative free strain. The model
  // build checked that every material has its elastic laws (pressure.field).
  const auto& mats = *in.materials;
  const auto& map = *in.map;
  const auto& T = *in.T;
  const std::size_t n = T.size();
  const bool any_mixed = !map.mixed_index.empty();
  const double conversion_strain = capsule_volume_ > 0.0 ? in.converted_volume / capsule_volume_ : 0.0;
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    if (any_mixed && map.mixed_index[c] >= 0) continue;  // below
    const PartElasticity p = part_elasticity(mats[std::size_t(map.material[c])], T[c], T_ref_);
    fluid_[c] = p.molten;
    E_[c] = p.E;
    nu_[c] = p.nu;
    eigenstrain_[c] = p.free_strain - (capsule_[c] ? conversion_strain : 0.0);
  }
  // Cells of several parts (volume_fractions.hpp): the parts' moduli and free strains mixed
  // (materials::ElasticMixing); the cell is fluid when at least half of it is molten.
#pragma omp parallel for schedule(dynamic, 64)
  for (std::size_t q = 0; q < map.mixed.size(); ++q) {
    const geometry::MixedCell& cell = map.mixed[q];
    const std::size_t c = cell.cell;
    materials::ElasticMixing mix;
    double molten = 0.0;
    for (const auto& part : cell.parts) {
      const PartElasticity p =
          part_elasticity(mats[std::size_t(map.region_material[std::size_t(part.region)])], T[c], T_ref_);
      if (p.molten) molten += part.fraction;
      mix.add(part.fraction, bulk_modulus(p.E, p.nu), shear_modulus(p.E, p.nu), p.free_strain);
    }
    const double K = mix.bulk(), G = mix.shear();
    fluid_[c] = molten >= 0.5;
    if (fluid_[c]) {
      const auto melt = melt_moduli(K);
      E_[c] = melt.youngs_modulus;
      nu_[c] = melt.poisson_ratio;
    } else {
      E_[c] = 9.0 * K * G / (3.0 * K + G);
      nu_[c] = (3.0 * K - 2.0 * G) / (2.0 * (3.0 * K + G));
    }
    eigenstrain_[c] = mix.free_strain() - (capsule_[c] ? conversion_strain : 0.0);
  }
}

bool CellPressure::update(const Inputs& in, double dt, const solvers::SolveOptions& linear, bool reuse_saved_field,
                          bool verbose) {
  set_material(in);
  const std::size_t n = p_field_.size();
  const double p_cal = in.p_calibrated;
  // Fields whose inputs did not change are not recomputed: the field is solved again only when
  // a cell melted, froze or changed material, or its free strain moved by more than
  // pressure.refresh_pressure / K since the last solve.
  if (!mechanics_.solved() && relaxation_ == 0.0 &&
      std::all_of(eigenstrain_.begin(), eigenstrain_.end(), [](double e) { return e == 0.0; })) {
    // No free strain yet (cold cell, no conversion) and nothing relaxed: no departure from the
    // calibrated pressure, so no solve (a steady-state sweep then needs one solve, not two).
    std::fill(p_field_.begin(), p_field_.end(), std::max(0.0, p_cal));
    p_cell_ = std::max(0.0, p_cal);
    std::fill(p_seed_.begin(), p_seed_.end(), p_cell_);
    return false;
  }
  MechanicsInput mi{&E_, &nu_, &eigenstrain_, &fluid_};
  // A restored field stays as saved: the uninterrupted run decided on a refresh before that
  // step's growth changed the map, and decides again only at the next step.
  const bool reuse = reuse_saved_field && mechanics_.solved();
  bool solved = false;
  if (!reuse && mechanics_.needs_update(mi, settings_.refresh)) {
    solvers::SolveOptions opts = linear;
    opts.rel_tol = settings_.tolerance;
    const MechanicsResult r = mechanics_.solve(mi, 0.0, p_field_, opts);
    ++solves_;
    solved = true;
    if (verbose)
      std::fprintf(stderr, "\n  mechanics: %d + %d its, %.3f s", r.iterations_unit, r.iterations_free, r.solve_seconds);
  }
  // Cold compression leaves the cell at the calibrated pressure, taken as hydrostatic (the
  // medium flows while it is compacted: that is what makes it a pressure medium); the elastic
  // problem gives the departures from it: thermal pressure and the graphite -> diamond volume
  // loss.
  //
  // Load control: the press holds the oil pressure, so the rams' force does not change. On a
  // box with frictionless faces in equilibrium, the mean normal traction on the two faces of
  // axis i equals the volume mean of sigma_ii (divergence theorem with the virtual displacement
  // v = x_i / (L_i / 2), exact also for the discrete field: v is in the element space), so the
  // force on the faces is unchanged when the volume mean of the pressure departure over the
  // whole cell is zero. One wall displacement for all six faces: the three ram pairs advance
  // together and hold their mean force, not each its own (docs/mechanics.md). Fixed rams:
  // no displacement.
  const double delta_force =
      settings_.anvils == PressureSettings::Anvils::load ? mechanics_.delta_for_mean_pressure(0.0, {}) : 0.0;
  // The medium creeps: it relaxes the mean departure over the capsule towards zero with
  // pressure.relaxation_time (a further ram offset, relaxation_, in m).
  if (dt > 0.0) {
    const double w = 1.0 - std::exp(-dt / settings_.relaxation_time);
    relaxation_ += w * (mechanics_.delta_for_mean_pressure(0.0, capsule_) - delta_force - relaxation_);
  }
  anvil_advance_ = delta_force + relaxation_;
  mechanics_.pressure(anvil_advance_, p_field_);
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    // Without load (oil released, a cooled cell contracting) the medium separates from the
    // anvils instead of carrying tension: no contact model, so negative pressure becomes 0.
    p_field_[c] = std::max(0.0, p_field_[c] + p_cal);
  }
  p_cell_ = mechanics_.mean_over(p_field_, capsule_);
  seed_pressures(*in.map);
  return solved;
}

void CellPressure::seed_pressures(const geometry::MaterialMap& map) {
  // The pressure a seed grows at is the melt's next to it (the stiff crystal itself carries a
  // different stress): the mean over the solvent cells that share a face with the crystal,
  // the crystal's own mean only when no melt touches it.
  const auto& reg = map.region;
  const core::Grid& g = grid_;
  const std::size_t n = p_field_.size();
  for (int s = 0; s < regions_.crystals; ++s) {
    const int crystal = regions_.first_crystal + s;
    std::size_t touching = 0;
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          const std::size_t c = g.index(i, j, k);
          bool next_to_crystal = false;
          if (reg[c] == regions_.solvent)
            core::for_each_face_neighbour(g, i, j, k, [&](std::size_t nb) { next_to_crystal |= reg[nb] == crystal; });
          seed_melt_[c] = next_to_crystal;
          touching += next_to_crystal;
        }
    if (touching == 0)
      for (std::size_t c = 0; c < n; ++c) seed_melt_[c] = reg[c] == crystal;
    p_seed_[std::size_t(s)] = mechanics_.mean_over(p_field_, seed_melt_);
  }
}

CellPressure::State CellPressure::state() const { return {relaxation_, solves_, mechanics_.state()}; }

void CellPressure::restore(const State& s) {
  relaxation_ = s.relaxation;
  solves_ = s.solves;
  mechanics_.restore(s.mechanics);  // an empty saved state: the next update solves
}

}  // namespace hphtsim::physics
