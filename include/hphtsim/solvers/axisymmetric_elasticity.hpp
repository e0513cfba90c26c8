// SPDX-License-Identifier: MIT
// Linear elasticity of a body of revolution on a cylindrical core::Grid (axisymmetric cells,
// docs/model.md "Axisymmetric cells"): the 4-node bilinear ring element in (r, z) with the hoop
// strain u_r / r and the mean-dilatation (B-bar) volumetric part, as the 3-D Q1 element of
// elasticity_kernels.hpp (energy mu |dev eps|^2 dV + (1/2) K V theta^2 per cell, theta the
// cell's mean dilatation (1/V) integral of div u dV, div u = du_r/dr + u_r/r + du_z/dz,
// dV = 2 pi r dr dz), 2 x 2 Gauss points in (r, z) (the element's volume and mean dilatation
// exact), and fluid regions carrying one hydrostatic pressure each (solvers::FluidRegion).
//
// Unknowns: (u_r, u_z) at the cell corners, node n = i + (nr + 1) k, dof 2 n + c. Prescribed:
// u_r on the axis (r = 0: symmetry) and on the outer wall (r = R), u_z on both end walls: the
// frictionless rigid anvils of the 3-D cell, the four side anvils as the mantle.
//
// Solver: the (r, z) problem has 2 (nr + 1)(nz + 1) unknowns (66 000 at 128 x 256), where a
// sparse Cholesky factorisation (Eigen's SimplicialLDLT with AMD ordering, 0.3 s at 128 x 256)
// is exact and its solves cost milliseconds; the fluid regions' rank-one terms are added by the
// Sherman-Morrison-Woodbury formula, as in the 3-D multigrid preconditioner. When the moduli or
// the melt change a little (every pressure update of a cycle), the old factorisation
// preconditions CG on the new matrix, and it is redone only when that needs many iterations.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/solvers/elasticity.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::solvers {

class AxisymmetricElasticity {
 public:
  /// `grid` must be cylindrical (Grid::cylindrical).
  explicit AxisymmetricElasticity(const core::Grid& grid);
  ~AxisymmetricElasticity();
  AxisymmetricElasticity(AxisymmetricElasticity&&) noexcept;
  AxisymmetricElasticity& operator=(AxisymmetricElasticity&&) noexcept;

  /// Per-cell shear and bulk moduli (Pa) and fluid flags, as ElasticOperator::set_moduli; then
  /// assembles and factorises.
  void set_moduli(const std::vector<double>& shear, const std::vector<double>& bulk,
                  const std::vector<unsigned char>* fluid = nullptr);
  std::size_t num_dofs() const;
  std::size_t node(int i, int k) const { return std::size_t(i) + std::size_t(grid_.nx + 1) * std::size_t(k); }
  /// Whether dof d is prescribed.
  bool fixed(std::size_t dof) const;
  const std::vector<FluidRegion>& fluid_regions() const;

  /// Solves A u = f on the free dofs with u fixed on the prescribed ones (u holds them on entry);
  /// rel_residual as ElasticityMGPCG::solve (relative to || f - A u_p ||). Right after a
  /// factorisation the solve is direct (iterations = 1); after set_moduli changed the matrix,
  /// PCG from u's free values, preconditioned by the last factorisation, to opts.rel_tol; if
  /// that takes more than kRefactorIterations, the matrix is refactorised and solved directly.
  SolveStats solve(const std::vector<double>& f, std::vector<double>& u, const SolveOptions& opts = {});
  static constexpr int kRefactorIterations = 12;
  /// The moduli and fluid flags of the last factorisation: the preconditioner's, part of a
  /// restart's state, since the iterative solves depend on it (set_moduli with them, then with
  /// the current ones, restores the solver exactly).
  struct Factorised {
    std::vector<double> shear, bulk;
    std::vector<unsigned char> fluid;
  };
  const Factorised& factorised() const;
  /// y = A u over all dofs (prescribed rows included; the element part and the fluid regions).
  void apply(const double* u, double* y) const;
  /// f += nodal forces of a volumetric eigenstrain e per cell (K_c e_c V_c g_c; K_R e_R G_R).
  void add_eigenstrain_load(const double* e, double* f) const;
  /// Pressure -tr(sigma)/3 per cell: K_c (e_c - theta_c), p_R in fluid cells (e may be nullptr).
  void cell_pressure(const double* u, const double* e, double* p) const;
  /// The homogeneous solution of every wall moving inward by 1 m: u_r = -r / R,
  /// u_z = -2 (z - z_mid) / L_z (the first guess and the prescribed values of the unit part).
  void unit_compression(std::vector<double>& u) const;
  /// Displacement at the cell centres (the bilinear field's value there): r, z components.
  void cell_centre_values(const double* u, std::vector<double>& ur, std::vector<double>& uz) const;

 private:
  void refactorise();
  struct Impl;
  core::Grid grid_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hphtsim::solvers
