// SPDX-License-Identifier: MIT
// The cell pressure model around the thermo-elastic field (docs/mechanics.md): per-cell moduli
// and free strain from the materials (thermal expansion; the graphite -> diamond volume loss
// spread over the growth capsule), molten solvent as a fluid region, a field solved again only
// when its inputs moved (refresh rule), the medium's relaxation of the mean departure from the
// calibrated pressure, no tension after release, and the pressures growth reads: p_cell (mean
// over the capsule) and p_seed (mean over the melt touching each crystal).
#pragma once

#include <memory>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/materials/material.hpp"
#include "hphtsim/physics/mechanics.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::physics {

struct PressureSettings {
  bool field = false;                      ///< pressure.field: solve the thermo-elastic field
  /// How the press holds the cell (pressure.anvils). `load`: the oil pressure, held by the
  /// press, fixes the rams' force and the anvil faces move with the assembly's compliance (the
  /// default: how presses run). `fixed_rams`: the faces stay where the cold compression left
  /// them (a stiff, position-held press; the model before load control).
  enum class Anvils { load, fixed_rams };
  Anvils anvils = Anvils::load;
  double relaxation_time = 2 * 86400.0;    ///< s: the medium relaxes thermal pressure [E]
  /// Pa: the field is solved again when a cell's free strain would move its confined pressure
  /// by more than this since the last solve (or a cell melted, froze or changed material).
  double refresh = 20e6;
  /// The thermo-elastic solves' relative residual. 1e-4 leaves pressure errors an order below
  /// the refresh threshold (the field held between solves is up to `refresh` stale): on the
  /// default cell's first 8 h against 1e-6, 0.15 MPa in p_cell and 1.8 MPa in p_seed, for 20 %
  /// less wall time (7 instead of 11 iterations per solve); 1e-3 gave 18 MPa at the seed.
  double tolerance = 1e-4;
};

/// Which regions of the material map form the growth capsule and the crystals.
struct PressureRegions {
  int solvent = -1, source = -1;  ///< primitive indices or -1
  int first_crystal = 0;          ///< region id of seed 0 (seeds follow in order)
  int crystals = 0;               ///< number of seeds
};

class CellPressure {
 public:
  /// `map` is the live material map at the start (its capsule mask is fixed: growth only moves
  /// cells between solvent, source and crystals). `T_ref` (K): free of thermal strain.
  CellPressure(const core::Grid& grid, const std::vector<double>& cell_volume, const geometry::MaterialMap& map,
               PressureRegions regions, PressureSettings settings, double T_ref);

  struct Inputs {
    const geometry::MaterialMap* map;
    const std::vector<materials::Material>* materials;
    const std::vector<double>* T;      ///< K per cell
    double p_calibrated;                ///< Pa, from the oil pressure or the constant
    double converted_volume;            ///< m^3 of graphite turned into diamond so far
  };
  /// Updates the field for a step of dt (0: the initial state, inf: a steady state, the
  /// medium then fully relaxed). reuse_saved_field: a restored field is used as saved, as the
  /// uninterrupted run would. Returns true when it solved the elastic problem.
  bool update(const Inputs& in, double dt, const solvers::SolveOptions& linear, bool reuse_saved_field = false,
              bool verbose = false);

  double p_cell() const { return p_cell_; }                      ///< Pa, mean over the capsule
  /// m: how far each anvil face has advanced (inward) since the cold compression; negative when
  /// the heated cell pushed the rams back (load control) — what a ram-position transducer reads.
  double anvil_advance() const { return anvil_advance_; }
  const std::vector<double>& p_seed() const { return p_seed_; }  ///< Pa, melt touching each crystal
  const std::vector<double>& field() const { return p_field_; }  ///< Pa per cell
  std::vector<double>& field() { return p_field_; }
  int solves() const { return solves_; }
  // The per-cell inputs of the last update (the crystal stress model reads them).
  const std::vector<double>& youngs_modulus() const { return E_; }    ///< Pa
  const std::vector<double>& poisson_ratio() const { return nu_; }
  const std::vector<double>& free_strain() const { return eigenstrain_; }  ///< volumetric, about T_ref
  const std::vector<unsigned char>& fluid() const { return fluid_; }  ///< molten cells
  const std::vector<unsigned char>& capsule() const { return capsule_; }
  double capsule_volume() const { return capsule_volume_; }
  const PressureSettings& settings() const { return settings_; }

  struct State {
    double relaxation = 0.0;  ///< m, the ram offset the medium has relaxed
    int solves = 0;
    MechanicsState mechanics;
  };
  State state() const;
  void restore(const State& s);

 private:
  const core::Grid& grid_;
  PressureRegions regions_;
  PressureSettings settings_;
  double T_ref_;
  Mechanics mechanics_;
  std::vector<double> E_, nu_, eigenstrain_, p_field_, p_seed_;
  std::vector<unsigned char> fluid_, capsule_, seed_melt_;
  double capsule_volume_ = 0.0;  // m^3
  double relaxation_ = 0.0;      // ram-position offset the medium has relaxed (m)
  double anvil_advance_ = 0.0;   // m, the wall displacement of the current field
  double p_cell_ = 0.0;
  int solves_ = 0;

  void set_material(const Inputs& in);
  void seed_pressures(const geometry::MaterialMap& map);
};

}  // namespace hphtsim::physics
