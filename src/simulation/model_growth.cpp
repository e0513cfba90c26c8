// SPDX-License-Identifier: MIT
// The `growth` section of a config: solubility, eutectic, transport and kinetics (with their
// Arrhenius temperature laws), habit, nucleation, critical rate.
#include "model_growth.hpp"

#include <string>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/units.hpp"

namespace hphtsim::simulation {

namespace {
namespace dim = core::dim;
constexpr const char* temperature_what = "a temperature such as \"25 degC\"";
}  // namespace

growth::GrowthSettings read_growth_settings(const core::ConfigNode& gr, const std::string& solvent,
                                            const std::vector<geometry::Seed>& seeds) {
  growth::GrowthSettings gs;
  std::string line = gr.string_or("equilibrium_line", "kennedy1976");
  if (line == "kennedy1976") gs.solubility.line = physics::EquilibriumLine::kennedy1976;
  else if (line == "berman_simon") gs.solubility.line = physics::EquilibriumLine::berman_simon;
  else gr.fail_key("equilibrium_line", "expected kennedy1976 or berman_simon");
  if (auto e = gr.find("eutectic")) {
    gs.eutectic.T_ref = e->quantity("temperature", dim::temperature, temperature_what);
    gs.eutectic.P_ref = e->quantity("pressure", dim::pressure, "a pressure such as \"5.5 GPa\"");
    gs.eutectic.slope = e->quantity("slope", dim::temperature / dim::pressure, "a slope such as \"11 K/GPa\"");
    core::require_absolute_temperature(e->key_path("temperature"), gs.eutectic.T_ref);
    core::require_non_negative(e->key_path("pressure"), gs.eutectic.P_ref, dim::pressure);
    core::require_positive(e->key_path("slope"), gs.eutectic.slope, dim::temperature / dim::pressure);
  }
  if (auto so = gr.find("solubility")) {
    gs.solubility.T_ref = so->quantity("reference_temperature", dim::temperature, temperature_what);
    gs.solubility.c_ref = so->number("graphite_at_reference");
    gs.solubility.dc_dT = so->quantity("temperature_coefficient", dim::inverse_temperature, "a coefficient such as \"2.5e-5 1/K\"");
    core::require_absolute_temperature(so->key_path("reference_temperature"), gs.solubility.T_ref);
    if (!(gs.solubility.c_ref > 0.0 && gs.solubility.c_ref < 0.5)) so->fail_key("graphite_at_reference", "a mass fraction in (0, 0.5)");
    if (!(gs.solubility.dc_dT >= 0.0)) so->fail_key("temperature_coefficient", "must not be negative");
  }
  gs.diffusivity = gr.quantity_or("diffusivity", dim::diffusivity, "a diffusivity such as \"1e-9 m^2/s\"", gs.diffusivity);
  gs.convection_enhancement = gr.number_or("convection_enhancement", gs.convection_enhancement);
  // Buoyant convection from the melt's Rayleigh number (physics/melt_convection.hpp) instead of
  // the constant enhancement.
  if (auto cv = gr.find("convection")) {
    if (gr.has("convection_enhancement"))
      gr.fail_key("convection_enhancement", "give either this constant or growth.convection (from the Rayleigh number), not both");
    gs.convection_from_rayleigh = true;
    auto& c = gs.convection;
    c.viscosity = cv->quantity_or("viscosity", dim::pressure * dim::time, "a viscosity such as \"5 mPa*s\"", c.viscosity);
    c.thermal_expansion = cv->quantity_or("thermal_expansion", dim::inverse_temperature,
                                          "a volumetric expansion coefficient such as \"1.2e-4 1/K\"", c.thermal_expansion);
    if (!(c.viscosity > 1e-4 && c.viscosity < 1.0)) cv->fail_key("viscosity", "expected 0.1-1000 mPa*s for a metal melt");
    if (!(c.thermal_expansion > 0.0 && c.thermal_expansion < 1e-3))
      cv->fail_key("thermal_expansion", "expected a volumetric coefficient between 0 and 1e-3 1/K");
  }
  gs.kinetic_coefficient = gr.quantity_or("kinetic_coefficient", dim::velocity, "a velocity such as \"2.5e-6 m/s\"", gs.kinetic_coefficient);
  gs.melt_density = gr.quantity_or("melt_density", dim::density, "a density such as \"7300 kg/m^3\"", gs.melt_density);
  gs.initial_carbon = gr.number_or("initial_carbon", gs.initial_carbon);
  {
    std::string phase = gr.string_or("source_phase", "diamond");
    if (phase == "diamond") gs.source_is_diamond = true;
    else if (phase == "graphite") gs.source_is_diamond = false;
    else gr.fail_key("source_phase", "expected diamond or graphite");
  }
  if (auto h = gr.find("habit")) {
    gs.habit_temperature = h->quantity("cubo_octahedral_temperature", dim::temperature, temperature_what);
    gs.habit_half_width = h->quantity("half_width", dim::temperature, "a temperature difference such as \"35 K\"");
    core::require_absolute_temperature(h->key_path("cubo_octahedral_temperature"), gs.habit_temperature);
    if (!(gs.habit_half_width > 0.0)) h->fail_key("half_width", "must be positive");
  }
  gs.nucleation_supersaturation = gr.number_or("nucleation_supersaturation", gs.nucleation_supersaturation);
  gs.nucleation_sink = gr.boolean_or("nucleation_sink", gs.nucleation_sink);
  if (auto cr = gr.find("critical_rate")) {
    gs.critical_rate = cr->quantity("rate", dim::mass / dim::time, "a rate such as \"3 mg/h\"");
    gs.critical_mass = cr->quantity("mass", dim::mass, "a mass such as \"2.5 ct\"");
    gs.critical_exponent = cr->number("exponent");
    core::require_positive(cr->key_path("rate"), gs.critical_rate, dim::mass / dim::time);
    core::require_positive(cr->key_path("mass"), gs.critical_mass, dim::mass);
  }
  if (!(gs.diffusivity > 0.0)) gr.fail_key("diffusivity", "must be positive");
  if (!(gs.convection_enhancement >= 1.0)) gr.fail_key("convection_enhancement", "must be at least 1");
  if (!(gs.kinetic_coefficient > 0.0)) gr.fail_key("kinetic_coefficient", "must be positive");
  if (!(gs.melt_density > 0.0)) gr.fail_key("melt_density", "must be positive");
  if (!(gs.initial_carbon >= 0.0 && gs.initial_carbon < 0.5)) gr.fail_key("initial_carbon", "a mass fraction in [0, 0.5)");
  core::require_non_negative(gr.key_path("nucleation_supersaturation"), gs.nucleation_supersaturation);
  // Each seed's observed growth window: `window: none`, or {lower, upper} for every seed, or by
  // default the solvent's sourced table for the seed's face (growth_window.hpp).
  const growth::SolventWindows* sourced = growth::sourced_windows(solvent);
  for (const auto& seed : seeds) {
    gs.seed_windows.push_back(sourced ? sourced->for_face(seed.orientation) : growth::GrowthWindow{});
    gs.seed_morphology.push_back(growth::sourced_morphology(solvent, seed.orientation));
  }
  if (auto w = gr.find("window")) {
    growth::GrowthWindow win;  // `none`: undefined, margins NaN
    if (w->is_scalar()) {
      if (w->as_string() != "none") w->fail("expected none or {lower, upper}");
    } else {
      win.lower = w->quantity("lower", dim::temperature, temperature_what);
      win.upper = w->quantity("upper", dim::temperature, temperature_what);
      core::require_absolute_temperature(w->key_path("lower"), win.lower);
      core::require_absolute_temperature(w->key_path("upper"), win.upper);
      if (!(win.upper > win.lower)) w->fail_key("upper", "must be above lower");
    }
    gs.seed_windows.assign(seeds.size(), win);
  }
  if (auto ea = gr.find("activation_energy")) {
    // D and beta are the values at the reference temperature; each follows
    // exp(-E / R (1/T - 1/T_ref)) (docs/model.md "Carbon transport and growth").
    const char* what = "an activation energy such as \"50 kJ/mol\"";
    gs.diffusivity_activation_energy = ea->quantity_or("diffusivity", dim::energy, what, 0.0);
    gs.kinetic_activation_energy = ea->quantity_or("kinetic_coefficient", dim::energy, what, 0.0);
    gs.arrhenius_reference_temperature = ea->quantity("reference_temperature", dim::temperature, temperature_what);
    core::require_absolute_temperature(ea->key_path("reference_temperature"), gs.arrhenius_reference_temperature);
    if (!(gs.diffusivity_activation_energy >= 0.0 && gs.diffusivity_activation_energy <= 1e6))
      ea->fail_key("diffusivity", "must lie between 0 and 1000 kJ/mol");
    if (!(gs.kinetic_activation_energy >= 0.0 && gs.kinetic_activation_energy <= 1e6))
      ea->fail_key("kinetic_coefficient", "must lie between 0 and 1000 kJ/mol");
  }
  return gs;
}

}  // namespace hphtsim::simulation
