// SPDX-License-Identifier: MIT
// Stress in the grown crystals once the solvent around them has frozen: cool-down and pressure
// release (docs/model.md, "Cool-down and release stress").
//
// While melt touches a crystal it carries the melt's hydrostatic pressure and nothing else.
// When the growth capsule's last molten cell freezes, the crystal is locked into the solid
// assembly; from then on the stress is the hydrostatic state at the lock plus the elastic
// response of the solid assembly to what changed since: each cell's free strain (thermal
// contraction: diamond contracts about a tenth as much as Fe-Ni) and the cell pressure
// (release: the metal and the medium expand more than diamond).
//
// The metal and the medium creep at high temperature: stress that builds up while creep is
// fast relaxes. The model is a relaxing reference state, as the fictive temperature of glass
// tempering (Narayanaswamy 1971) and the closure temperature of thermochronology (Dodson 1973):
// each cell's stress-free free strain e_sf follows its free strain e with a relaxation time
// tau(T) = tau_ref exp[(Q/R)(1/T - 1/T_ref)], de_sf/dt = (e - e_sf)/tau, and the stress-free
// pressure p_sf follows the capsule's pressure in the same way (tau at the capsule's mean
// temperature). The elastic problem is driven by e - e_sf and p - p_sf. Slow cooling keeps
// e_sf with e down to a lower temperature (the stress "locks in" later and colder), so less
// mismatch is left; a fast cool-down or a release while the cell is cold locks more in. A
// scalar reference per cell relaxes the mismatch as a whole, not each tensor component (a
// simplification: docs/model.md says what it leaves out).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/physics/cell_pressure.hpp"
#include "hphtsim/physics/mechanics.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::physics {

struct CrystalStressSettings {
  bool enabled = true;  ///< with the pressure field and growth; false: no stress solve (its cost: docs/model.md)
  /// Pa: the diamond's tensile strength, the stress crack_risk divides by. 2 GPa: bulk
  /// single-crystal diamond breaks in tension at about 1-3 GPa, set by its flaws (Field, Rep.
  /// Prog. Phys. 75, 126505, 2012 [L]); the ideal crystal's ~90 GPa is never reached.
  double tensile_strength = 2e9;
  /// s: the stress relaxation time at reference_temperature [E]: gamma-Fe alloys creep at
  /// ~1e-3-1e-2 /s under 100 MPa near 1300 degC [L], a viscosity of ~1e9-1e10 Pa s over a shear
  /// modulus of ~60 GPa: 0.02-0.2 s; 1 s keeps to the slow side of that bracket.
  double relaxation_time = 1.0;
  double reference_temperature = 1573.15;  ///< K (1300 degC)
  /// J/mol: creep of the Fe-Ni solvent, about that of self-diffusion in gamma-Fe (270-300
  /// kJ/mol [L]); the salt and pyrophyllite of the medium creep more easily (so relax sooner).
  double activation_energy = 300e3;
  /// Pa: the field is solved again when a cell's driving strain moves its confined pressure by
  /// more than this (the Mechanics refresh rule); 50 MPa is 2.5 % of the strength.
  double refresh = 50e6;
  /// Relative residual of the solves: as the pressure field's (its error in the stress is far
  /// below the refresh threshold's).
  double tolerance = 1e-4;

  double relaxation_time_at(double T) const;
};

class CrystalStress {
 public:
  /// `capsule`: the cell pressure's capsule mask (CellPressure::capsule()) on `grid`.
  CrystalStress(const core::Grid& grid, const std::vector<unsigned char>& capsule, PressureRegions regions,
                CrystalStressSettings settings);
  ~CrystalStress();
  CrystalStress(const CrystalStress&) = delete;
  CrystalStress& operator=(const CrystalStress&) = delete;

  struct Inputs {
    const geometry::MaterialMap* map;
    const CellPressure* pressure;  ///< its moduli, free strains, melt flags and p_cell, p_seed
    const std::vector<double>* T;  ///< K per cell
  };
  /// After the cell pressure's update for a step of dt (s; 0 at the start and after a restore).
  void update(const Inputs& in, double dt, const solvers::SolveOptions& linear);

  /// Pa per seed: the largest principal stress over the crystal's cells (tension positive;
  /// -p_seed while melt surrounds it).
  const std::vector<double>& max_stress() const { return max_stress_; }
  /// Per seed: max(0, max_stress) / tensile_strength; >= 1: the crystal is expected to crack.
  const std::vector<double>& crack_risk() const { return crack_risk_; }
  bool locked() const { return locked_; }
  int solves() const { return solves_; }
  const CrystalStressSettings& settings() const { return settings_; }

  struct State {
    int melted = 0, locked = 0, solves = 0;
    double p_sf = 0.0;
    std::vector<double> e_sf;
    MechanicsState mechanics;
  };
  State state() const;
  void restore(const State& s);

 private:
  PressureRegions regions_;
  CrystalStressSettings settings_;
  core::Grid sub_grid_;                   // the capsule's box and two cells around it
  std::vector<std::size_t> full_index_;  // sub-grid cell -> the cell's grid
  std::vector<unsigned char> capsule_;   // on the sub-grid
  std::unique_ptr<Mechanics> mechanics_;
  bool melted_ = false, locked_ = false;
  bool pending_lock_ = false;  // restored in the locked state: collect the crystals at the next update
  int solves_ = 0;
  double p_sf_ = 0.0;                 // Pa, the stress-free pressure
  std::vector<double> e_sf_, drive_;  // per sub-grid cell: stress-free free strain, e - e_sf
  std::vector<double> scratch_, E_, nu_;  // the solve's moduli: the medium's as a fluid's
  std::vector<unsigned char> medium_;
  std::vector<std::vector<std::size_t>> crystal_cells_;
  std::vector<double> max_stress_, crack_risk_;

  void lock(const Inputs& in);
  void collect_crystal_cells(const geometry::MaterialMap& map);
  void hydrostatic(const Inputs& in);
};

}  // namespace hphtsim::physics
