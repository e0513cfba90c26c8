// SPDX-License-Identifier: MIT
#include "model_stress.hpp"

#include "hphtsim/core/units.hpp"

namespace hphtsim::simulation {

physics::CrystalStressSettings read_crystal_stress(const core::ConfigNode& cs) {
  namespace dim = core::dim;
  physics::CrystalStressSettings s;
  s.enabled = cs.boolean_or("enabled", s.enabled);
  s.tensile_strength =
      cs.quantity_or("tensile_strength", dim::pressure, "a stress such as \"2 GPa\"", s.tensile_strength);
  if (!(s.tensile_strength >= 1e7 && s.tensile_strength <= 1e11))
    cs.fail_key("tensile_strength", "expected 10 MPa - 100 GPa (bulk diamond: about 1-3 GPa)");
  s.relaxation_time = cs.quantity_or("relaxation_time", dim::time, "a duration such as \"1 s\"", s.relaxation_time);
  if (!(s.relaxation_time > 0.0 && s.relaxation_time < 1e12))
    cs.fail_key("relaxation_time", "must be positive (the stress relaxation time at reference_temperature)");
  s.reference_temperature = cs.quantity_or("reference_temperature", dim::temperature,
                                           "a temperature such as \"1300 degC\"", s.reference_temperature);
  core::require_absolute_temperature(cs.key_path("reference_temperature"), s.reference_temperature);
  s.activation_energy = cs.quantity_or("activation_energy", dim::energy,
                                       "an energy per mole such as \"300 kJ/mol\"", s.activation_energy);
  if (!(s.activation_energy >= 0.0 && s.activation_energy <= 2e6))
    cs.fail_key("activation_energy", "expected 0 - 2000 kJ/mol");
  s.refresh = cs.quantity_or("refresh_pressure", dim::pressure, "a pressure such as \"50 MPa\"", s.refresh);
  if (!(s.refresh >= 0.0 && s.refresh <= 1e9))
    cs.fail_key("refresh_pressure", "must lie between 0 and 1 GPa (0: solve the field at every step)");
  return s;
}

}  // namespace hphtsim::simulation
