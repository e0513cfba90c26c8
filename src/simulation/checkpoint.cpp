// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/checkpoint.hpp"

#include "hphtsim/core/error.hpp"

namespace hphtsim::simulation {

namespace {

// One table for both directions keeps the two in step.
template <class S, class F>
void for_each_entry(S& s, F&& f) {
  f.scalar("time", s.time);
  f.scalar("next_dt", s.next_dt);
  f.scalar("dt_prev", s.dt_prev);
  f.integer("have_prev", s.have_prev);
  f.integer("next_snapshot_index", s.next_snapshot_index);
  f.integer("steps", s.steps);
  f.integer("rejected_steps", s.rejected_steps);
  f.scalar("pid_integral", s.pid_integral);
  f.scalar("pid_last_error", s.pid_last_error);
  f.integer("pid_started", s.pid_started);
  f.optional_scalar("heater_power", s.heater_power);
  f.optional_array("heater_measured_start", s.heater_measured_start);
  f.optional_scalar("rate_ramp_start", s.rate_ramp.start);
  f.optional_scalar("rate_ramp_from", s.rate_ramp.from);
  f.optional_scalar("rate_ramp_to", s.rate_ramp.to);
  f.optional_scalar("rate_ramp_duration", s.rate_ramp.duration);
  f.optional_scalar("rate_next_decision", s.rate_planner.next_decision);
  f.optional_scalar("rate_sensitivity", s.rate_planner.sensitivity);
  f.scalar("pressure_relaxation", s.pressure_relaxation);
  f.optional_integer("mechanics_solves", s.mechanics_solves);
  f.optional_array("mechanics_youngs_modulus", s.mechanics.youngs_modulus);
  f.optional_array("mechanics_poisson_ratio", s.mechanics.poisson_ratio);
  f.optional_array("mechanics_eigenstrain", s.mechanics.eigenstrain);
  f.optional_array("mechanics_fluid", s.mechanics.fluid);
  f.optional_array("mechanics_u_unit", s.mechanics.u_unit);
  f.optional_array("mechanics_u_free", s.mechanics.u_free);
  f.optional_array("mechanics_factor_shear", s.mechanics.factor_shear);
  f.optional_array("mechanics_factor_bulk", s.mechanics.factor_bulk);
  f.optional_array("mechanics_factor_fluid", s.mechanics.factor_fluid);
  f.optional_integer("crystal_stress_melted", s.crystal_stress.melted);
  f.optional_integer("crystal_stress_locked", s.crystal_stress.locked);
  f.optional_integer("crystal_stress_solves", s.crystal_stress.solves);
  f.optional_scalar("crystal_stress_p_sf", s.crystal_stress.p_sf);
  f.optional_array("crystal_stress_e_sf", s.crystal_stress.e_sf);
  f.optional_array("crystal_stress_youngs_modulus", s.crystal_stress.mechanics.youngs_modulus);
  f.optional_array("crystal_stress_poisson_ratio", s.crystal_stress.mechanics.poisson_ratio);
  f.optional_array("crystal_stress_eigenstrain", s.crystal_stress.mechanics.eigenstrain);
  f.optional_array("crystal_stress_fluid", s.crystal_stress.mechanics.fluid);
  f.optional_array("crystal_stress_u_unit", s.crystal_stress.mechanics.u_unit);
  f.optional_array("crystal_stress_u_free", s.crystal_stress.mechanics.u_free);
  f.optional_array("crystal_stress_factor_shear", s.crystal_stress.mechanics.factor_shear);
  f.optional_array("crystal_stress_factor_bulk", s.crystal_stress.mechanics.factor_bulk);
  f.optional_array("crystal_stress_factor_fluid", s.crystal_stress.mechanics.factor_fluid);
  f.array("T", s.T);
  f.array("T_prev", s.T_prev);
  f.array("electric_warm_start", s.electric_warm_start);
  f.array("T_base", s.T_base);
  f.array("T_response", s.T_response);
  f.optional_array("region", s.region);
  f.optional_array("material", s.material);
  f.optional_array("growth_c", s.growth.c);
  f.optional_array("growth_h100", s.growth.h100);
  f.optional_array("growth_h111", s.growth.h111);
  f.optional_array("growth_source_mass", s.growth.source_mass);
  f.optional_array("growth_face_mask", s.growth.face_mask);
  f.optional_array("growth_seed_mass", s.growth.seed_mass);
  f.scalar("growth_dissolved", s.growth.dissolved);
  f.scalar("growth_deposited", s.growth.deposited);
  f.optional_scalar("growth_nucleated", s.growth.nucleated);
  f.optional_array("growth_mass_above_critical", s.growth.mass_above_critical);
}

struct Writer {
  io::CheckpointData& d;
  void scalar(const char* n, double v) { d.scalars[n] = v; }
  void integer(const char* n, int v) { d.scalars[n] = double(v); }
  void optional_integer(const char* n, int v) { d.scalars[n] = double(v); }
  void optional_scalar(const char* n, double v) { d.scalars[n] = v; }
  void array(const char* n, const std::vector<double>& v) { d.arrays[n] = v; }
  void optional_array(const char* n, const std::vector<double>& v) {
    if (!v.empty()) d.arrays[n] = v;
  }
};

struct Reader {
  const io::CheckpointData& d;
  double get(const char* n) {
    auto it = d.scalars.find(n);
    if (it == d.scalars.end()) throw ConfigError("--restart", std::string("the checkpoint lacks '") + n + "'");
    return it->second;
  }
  void scalar(const char* n, double& v) { v = get(n); }
  void integer(const char* n, int& v) { v = int(get(n)); }
  void optional_integer(const char* n, int& v) {
    auto it = d.scalars.find(n);
    if (it != d.scalars.end()) v = int(it->second);
  }
  void optional_scalar(const char* n, double& v) {
    auto it = d.scalars.find(n);
    if (it != d.scalars.end()) v = it->second;
  }
  void array(const char* n, std::vector<double>& v) {
    auto it = d.arrays.find(n);
    if (it == d.arrays.end()) throw ConfigError("--restart", std::string("the checkpoint lacks '") + n + "'");
    v = it->second;
  }
  void optional_array(const char* n, std::vector<double>& v) {
    auto it = d.arrays.find(n);
    if (it != d.arrays.end()) v = it->second;
  }
};

}  // namespace

io::CheckpointData to_checkpoint(const SimulationState& state, const std::string& config_yaml) {
  io::CheckpointData d;
  d.config_yaml = config_yaml;
  Writer w{d};
  for_each_entry(state, w);
  return d;
}

SimulationState from_checkpoint(const io::CheckpointData& data) {
  SimulationState s;
  Reader r{data};
  for_each_entry(s, r);
  return s;
}

}  // namespace hphtsim::simulation
