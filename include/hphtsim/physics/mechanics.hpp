// SPDX-License-Identifier: MIT
// Thermo-elastic equilibrium of the cell assembly between the six anvils (docs/mechanics.md):
//
//   div sigma = 0,  sigma = K (tr eps - e) I + 2 mu dev eps,  eps = sym grad u,
//
// per-cell bulk modulus K and shear modulus mu (from Young's modulus and Poisson's ratio), e the
// volumetric eigenstrain (free thermal strain 3 alpha (T - T_ref), plus any volume change such
// as graphite -> diamond). The anvils are frictionless rigid walls: on each face of the cube the
// normal displacement is prescribed, u_n = delta inward (each face moves by delta, so each edge
// shortens by 2 delta), the tangential traction is zero. The output is the pressure
// p = -tr(sigma)/3 = K (e - theta) per cell, theta the cell's mean dilatation.
//
// The problem is linear in (delta, e): p = delta p_unit + p_free, with p_unit the response to a
// unit wall displacement (no eigenstrain) and p_free the response to the eigenstrain with the
// walls held (delta = 0). Both parts are solved and kept, each warm-started from its previous
// solution, so the wall displacement that gives a prescribed mean pressure over a set of cells
// (the calibrated cell pressure) costs no extra solve.
//
// Molten cells: flagged `fluid`, each face-connected set of them is one region with a single
// hydrostatic pressure (its bulk modulus from the cells' K; its cells keep a small shear modulus,
// melt_moduli(), so that the displacement stays determined). Without the flag a melt can also be
// given as a nearly incompressible solid (nu -> 0.5): the mean-dilatation discretisation does
// not lock, but the pressure is uniform only to about the ratio of its shear modulus to the
// surrounding solid's, and multigrid needs more iterations (docs/mechanics.md).
#pragma once

#include <memory>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/solvers/axisymmetric_elasticity.hpp"
#include "hphtsim/solvers/elasticity.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::physics {

struct MechanicsInput {
  const std::vector<double>* youngs_modulus = nullptr;  ///< Pa per cell, > 0
  const std::vector<double>* poisson_ratio = nullptr;   ///< per cell, in (-1, 0.5)
  /// Volumetric free strain per cell (the trace of the free strain: 3 alpha (T - T_ref) plus any
  /// extra volume change, e.g. graphite -> diamond), dimensionless; nullptr = none.
  const std::vector<double>* eigenstrain = nullptr;
  /// Cells that are fluid (molten solvent), nullptr = none. Each face-connected set of them is a
  /// fluid region with one hydrostatic pressure: its volume change against the bulk moduli of its
  /// cells sets that pressure, and its cells resist shear only through their own (small) shear
  /// modulus (pass melt_moduli()). See solvers::FluidRegion.
  const std::vector<unsigned char>* fluid = nullptr;
};

struct MechanicsResult {
  double mean_pressure = 0.0;  ///< Pa; volume-weighted over the mask (solve_for_mean_pressure) or all cells (solve)
  int iterations = 0;          ///< MG-PCG iterations, both parts together
  double rel_residual = 0.0;   ///< the larger of the two parts' final relative residuals
  double delta = 0.0;          ///< wall displacement (m, inward on each face) of the returned field
  int iterations_unit = 0, iterations_free = 0;
  double solve_seconds = 0.0;  ///< wall time of this call, setup included
};

/// Young's modulus and Poisson's ratio of a melt of bulk modulus K and shear modulus
/// mu = shear_fraction * K (default 1e-3: nu = 0.4995).
struct ElasticModuli {
  double youngs_modulus, poisson_ratio;
};
ElasticModuli melt_moduli(double bulk_modulus, double shear_fraction = 1e-3);
/// K = E / (3 (1 - 2 nu)), mu = E / (2 (1 + nu)).
inline double bulk_modulus(double E, double nu) { return E / (3.0 * (1.0 - 2.0 * nu)); }
inline double shear_modulus(double E, double nu) { return E / (2.0 * (1.0 + nu)); }

/// What a restart needs to reproduce a Mechanics exactly: the inputs of the last solve and the
/// two parts' nodal displacements (also the next solve's warm starts).
struct MechanicsState {
  std::vector<double> youngs_modulus, poisson_ratio, eigenstrain, fluid, u_unit, u_free;
  /// (r, z) only: the moduli and fluid flags of the solver's last factorisation (its
  /// preconditioner, solvers::AxisymmetricElasticity::factorised); empty in 3-D.
  std::vector<double> factor_shear, factor_bulk, factor_fluid;
  bool empty() const { return u_unit.empty(); }
};

class Mechanics {
 public:
  explicit Mechanics(const core::Grid& grid);
  ~Mechanics();
  Mechanics(Mechanics&&) noexcept;
  Mechanics& operator=(Mechanics&&) noexcept;

  /// Pressure field p (Pa, per cell) for wall displacement delta (m, inward on each face).
  /// Throws hphtsim::ConfigError for moduli out of range, SolverError if a solve fails.
  MechanicsResult solve(const MechanicsInput& in, double delta, std::vector<double>& p,
                        const solvers::SolveOptions& opts = {});
  /// The wall displacement for which the volume-weighted mean pressure over the cells with
  /// mask[c] != 0 (all cells when mask is empty) equals target (Pa); fills p for it.
  MechanicsResult solve_for_mean_pressure(const MechanicsInput& in, double target, const std::vector<unsigned char>& mask,
                                          std::vector<double>& p, const solvers::SolveOptions& opts = {});
  /// After a solve: delta for a target mean pressure over mask, without solving again.
  double delta_for_mean_pressure(double target, const std::vector<unsigned char>& mask) const;
  /// After a solve: p for any delta (p = delta p_unit + p_free).
  void pressure(double delta, std::vector<double>& p) const;
  const std::vector<double>& pressure_unit() const { return p_unit_; }  ///< Pa per m of delta
  const std::vector<double>& pressure_free() const { return p_free_; }  ///< Pa at delta = 0
  /// Volume-weighted mean of a cell field over mask (all cells when empty).
  double mean_over(const std::vector<double>& field, const std::vector<unsigned char>& mask) const;

  /// Nodal displacement (m) for delta: 3 components per node, node (i, j, k) of the
  /// (nx+1) x (ny+1) x (nz+1) corners at 3 (i + (nx+1) (j + (ny+1) k)); in a cylindrical grid
  /// (u_r, u_z) per node i + (nr+1) k.
  void displacement(double delta, std::vector<double>& u) const;
  /// Displacement at the cell centres (m), per component, for output beside the cell fields
  /// (in a cylindrical grid: ux = u_r, uy = 0, uz = u_z).
  void displacement_cells(double delta, std::vector<double>& ux, std::vector<double>& uy, std::vector<double>& uz) const;
  /// The largest principal stress (Pa, tension positive) of the field for delta at the centre
  /// of each listed cell: sigma = -p I + 2 mu dev(eps), p the cell's pressure (its mean
  /// dilatation, as the solver's) and eps the strain at the centre (in (r, z) with the hoop
  /// strain u_r / r). Written to s1[q] for cells[q] (mechanics_stress.cpp).
  void largest_principal_stress(double delta, const std::vector<std::size_t>& cells, std::vector<double>& s1) const;

  /// True when the field of the last solve is stale for these inputs: never solved, a cell
  /// turned fluid or solid, a cell's Young's modulus changed by more than 1 % or its Poisson
  /// ratio by more than 1e-3, or a cell's free strain changed by more than would move its
  /// confined pressure (K times the change) by pressure_tolerance (Pa).
  bool needs_update(const MechanicsInput& in, double pressure_tolerance) const;
  bool solved() const { return solved_; }
  MechanicsState state() const;
  /// Back to a saved state without solving (the multigrid hierarchy is rebuilt from the
  /// saved moduli, the pressures recomputed from the saved displacements).
  void restore(const MechanicsState& s);

  const core::Grid& grid() const { return grid_; }
  /// The 3-D operator (a Cartesian grid only).
  const solvers::ElasticOperator& op() const;
  int multigrid_levels() const;

 private:
  void set_material(const MechanicsInput& in);
  void solve_parts(const solvers::SolveOptions& opts, MechanicsResult& res);
  // The two discretisations behind one interface: the 3-D Q1 operator with its multigrid, or
  // the (r, z) ring element with its factorisation (a cylindrical grid).
  std::size_t num_dofs() const;
  solvers::SolveStats solve_system(const std::vector<double>& f, std::vector<double>& u, const solvers::SolveOptions& opts);
  void cell_pressures(const std::vector<double>& u, const std::vector<double>* e, std::vector<double>& p) const;

  core::Grid grid_;
  std::unique_ptr<solvers::ElasticOperator> op_;
  std::unique_ptr<solvers::ElasticityMGPCG> mg_;
  std::unique_ptr<solvers::AxisymmetricElasticity> ring_;
  bool moduli_set_ = false;
  std::vector<double> E_in_, nu_in_;  // the inputs of the last set_material
  std::vector<double> mu_, kb_, eig_;
  std::vector<unsigned char> fluid_;
  bool has_eig_ = false;
  std::vector<double> u_unit_, u_free_;  // nodal displacement of the two parts (warm starts)
  std::vector<double> p_unit_, p_free_;
  std::vector<double> f_;
  bool solved_ = false;
};

}  // namespace hphtsim::physics
