// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/diagnostics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "hphtsim/core/parallel.hpp"
#include "hphtsim/core/sampling.hpp"
#include "hphtsim/geometry/region_mean.hpp"
#include "hphtsim/simulation/electrothermal.hpp"

namespace hphtsim::simulation {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// The temperature gradients a grower reads at a seed (issue 15, quality indicators), at the
/// centre of its top face (where the crystal meets the melt first): axial, the central difference
/// over +-half the seed's edge; radial, the mean of four points one seed edge off the seed's axis
/// (+-x, +-y) at that height, less the centre, over that distance. Trilinear between cell
/// centres (core::probe_value); in (r, z) the four points are one. Fixed at the seed's position:
/// the melt's gradient there as the cell sets it, not the moving front's.
void seed_gradients(const Model& model, const std::vector<double>& T, std::size_t s, double& dTdz, double& dTdr) {
  const auto& seed = model.assembly.seeds[s];
  const double half = 0.5 * seed.size;
  const double x = seed.center[0], y = seed.center[1], top = seed.center[2] + half;
  const double lo = -0.5 * model.assembly.cell_size[2], hi = 0.5 * model.assembly.cell_size[2];
  const double za = std::max(top - half, lo), zb = std::min(top + half, hi);
  const core::Grid& g = model.grid;
  dTdz = zb > za ? (core::probe_value(g, T, {x, y, zb}) - core::probe_value(g, T, {x, y, za})) / (zb - za) : 0.0;
  const double r = seed.size;
  const double centre = core::probe_value(g, T, {x, y, top});
  const double ring = 0.25 * (core::probe_value(g, T, {x + r, y, top}) + core::probe_value(g, T, {x - r, y, top}) +
                              core::probe_value(g, T, {x, y + r, top}) + core::probe_value(g, T, {x, y - r, top}));
  dTdr = r > 0.0 ? (ring - centre) / r : 0.0;
}
}  // namespace

void update_diagnostics(Diagnostics& d, const Model& model, const geometry::MaterialMap& map,
                        const std::vector<double>& cell_volume, const ElectroThermal& et, double time, double dt,
                        bool pressure_field) {
  const core::Grid& g = model.grid;
  const std::vector<double>& T = et.T();
  const std::vector<double>& T_old = et.T_old();
  const std::size_t plane = std::size_t(g.nx) * g.ny;
  d.time = time;
  d.step_length = std::isinf(dt) ? 0.0 : dt;
  d.T_max = core::plane_max(g.nz, [&](int k) {
    double m = 0.0;
    for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c) m = std::max(m, T[c]);
    return m;
  }, 0.0);
  d.heat_out = et.heat_out();
  if (std::isinf(dt)) {
    d.stored_rate = 0.0;
  } else {
    // Enthalpy change of the step (latent heat included), so the balance measures the
    // coupling and linear-solver error, not the bookkeeping.
    const auto& mats = model.materials;
    const auto& id = map.material;
    d.stored_rate = core::plane_sum(g.nz, [&](int k) {
      double s = 0.0;
      for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c) {
        const auto& m = mats[std::size_t(id[c])];
        s += cell_volume[c] * (m.volumetric_enthalpy(T[c]) - m.volumetric_enthalpy(T_old[c]));
      }
      return s;
    }) / dt;
  }
  const double P = d.electric.joule_total;
  d.energy_imbalance = P > 0.0 ? (P - d.heat_out - d.stored_rate) / P : 0.0;
  d.T_source = geometry::region_mean(g, map, cell_volume, T, model.source_region);
  for (std::size_t s = 0; s < model.seed_count(); ++s) {
    d.T_seed[s] = geometry::region_mean(g, map, cell_volume, T, model.seed_region(s));
    d.dT_source_seed[s] = d.T_source - d.T_seed[s];
    seed_gradients(model, T, s, d.dTdz_seed[s], d.dTdr_seed[s]);
  }
  for (std::size_t p = 0; p < model.probes.size(); ++p) d.T_probe[p] = core::probe_value(g, T, model.probes[p].position);
  // The step's mode: a recipe may switch between them (bumpless, from the measured value).
  const HeaterRecipe& recipe = model.heater_recipe;
  const HeaterRecipe::Mode mode = recipe.mode_for_step(time);
  d.T_control = recipe.control_probe >= 0 ? d.T_probe[std::size_t(recipe.control_probe)] : nan;
  d.T_setpoint = mode == HeaterRecipe::Mode::temperature ? et.setpoint() : nan;
  d.R_setpoint = mode == HeaterRecipe::Mode::resistance ? et.setpoint() : nan;
  d.rate_target = et.rate_target();
  d.oil_pressure = model.oil_pressure.empty() ? nan : model.oil_pressure.value(time);
  d.p_calibrated = model.has_pressure() ? model.cell_pressure(time) : nan;
  if (!pressure_field) d.p_cell = d.p_calibrated;
}

void report_status_changes(const std::vector<growth::SeedDiagnostics>& seeds, const Model& model, double time,
                           std::vector<growth::GrowthStatus>& last) {
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    if (seeds[s].status == last[s]) continue;
    const auto& d = seeds[s];
    std::fprintf(stderr,
                 "\n[hphtsim] t = %.4g h: seed '%s' %s: %s (margin to the graphite-diamond line %.3f GPa / %.1f K, to "
                 "the eutectic %.1f K)\n",
                 time / 3600.0, model.assembly.seeds[s].name.c_str(),
                 d.status == growth::GrowthStatus::growing ? "grows again" : "stopped growing", growth::to_string(d.status),
                 d.line_margin_GPa, d.line_margin_K, d.eutectic_margin_K);
    last[s] = d.status;
  }
}

void report_contacts(const growth::CrystalGrowth& growth, const Model& model, double time) {
  const auto& fresh = growth.new_contacts();
  for (std::size_t s = 0; s < fresh.size(); ++s)
    for (int r : fresh[s])
      std::fprintf(stderr, "\n[hphtsim] t = %.4g h: the crystal of seed '%s' touches '%s'%s\n", time / 3600.0,
                   model.assembly.seeds[s].name.c_str(), model.assembly.primitives[std::size_t(r)].name.c_str(),
                   r == model.source_region ? " (the carbon source: the melt gap between them is closed)"
                                            : " (it has outgrown its melt there)");
}

}  // namespace hphtsim::simulation
