// SPDX-License-Identifier: MIT
// Linear elasticity on a core::Grid: the Q1 / mean-dilatation (B-bar) stiffness of
// elasticity_kernels.hpp assembled over the box cells, with per-cell shear and bulk moduli,
// and its multigrid-preconditioned CG solver. Physics (mechanics.hpp) chooses the moduli, the
// loads and the prescribed displacements; nothing here knows about anvils or melts.
//
// Unknowns: the displacement at the cell corners (nodes), (nx+1)(ny+1)(nz+1) of them, node
// index n = i + (nx+1) (j + (ny+1) k), three components interleaved: dof 3 n + c.
//
// Constraints: per face of the box, a set of components whose value is prescribed on every node
// of that face (an edge or corner node takes the union of its faces' sets). Frictionless rigid
// walls prescribe the normal component; a clamped face prescribes all three. The operator the
// solvers see is A0: the stiffness with prescribed rows and columns replaced by the identity,
// symmetric positive definite once the constraints remove the rigid-body modes (walls on all six
// faces do). Prescribed values enter through the right-hand side (lifting), see solve().
//
// Threading: OpenMP over z-planes. Element loops run in two phases (even then odd element
// planes), each plane owned by one thread, so nodal sums are race-free and their order does not
// depend on the thread count; node loops gather; dot products are summed per node plane, then
// in plane order. Results are bitwise independent of the number of threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/solvers/elasticity_kernels.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::solvers {

/// Prescribed displacement components on each face, in the order x_min, x_max, y_min, y_max,
/// z_min, z_max: bit c (1, 2, 4) set = component c prescribed on that face.
using FaceConstraints = std::array<unsigned char, 6>;
/// Frictionless rigid walls on all six faces: the normal component is prescribed, the
/// tangential traction is zero.
inline constexpr FaceConstraints kNormalWalls{1, 1, 2, 2, 4, 4};
/// Every component prescribed on every face (Dirichlet; manufactured solutions).
inline constexpr FaceConstraints kClampedFaces{7, 7, 7, 7, 7, 7};

/// A fluid region: a face-connected set of cells flagged fluid, which carries one hydrostatic
/// pressure. Its volumetric energy is that of the region as a whole,
///   (1/2) K_R V_R (theta_R - e_R)^2,  theta_R = G_R . u / V_R,  G_R = sum over its cells of V_c g_c,
/// K_R the volume-harmonic mean of its cells' bulk moduli (compliances add), e_R the volume mean
/// of their eigenstrains; its pressure p_R = K_R (e_R - theta_R) is the same in all its cells.
struct FluidRegion {
  std::vector<std::size_t> cells;
  double volume = 0.0, bulk = 0.0;
  std::vector<std::size_t> dofs;  ///< dofs of its nodes, ascending
  std::vector<double> g;          ///< G_R at those dofs
};

class ElasticOperator {
 public:
  ElasticOperator(const core::Grid& grid, FaceConstraints constraints);

  /// Per-cell shear modulus mu > 0 and bulk modulus K > 0 (Pa), size grid.size(). Cells with
  /// fluid[c] != 0 (optional) form fluid regions (FluidRegion): their own elements keep only the
  /// deviatoric part (mu: pass a small shear modulus), the region carries the volumetric part.
  /// Only the kMaxFluidRegions largest regions are kept (numbered by decreasing size); cells of
  /// smaller ones beyond that count stay solids with their own K (nearly incompressible).
  static constexpr std::size_t kMaxFluidRegions = 16;
  void set_moduli(const std::vector<double>& shear, const std::vector<double>& bulk,
                  const std::vector<unsigned char>* fluid = nullptr);
  const std::vector<double>& shear() const { return mu_; }
  const std::vector<double>& bulk() const { return bulk_; }
  /// Bulk modulus in each cell's own element matrix: bulk(), 0 in fluid cells.
  const std::vector<double>& cell_bulk() const { return kvol_; }
  const std::vector<FluidRegion>& fluid_regions() const { return regions_; }
  /// Region index of each cell, -1 for solid cells.
  const std::vector<int>& cell_region() const { return cell_region_; }

  const core::Grid& grid() const { return grid_; }
  FaceConstraints constraints() const { return constraints_; }
  int nx() const { return grid_.nx; }
  int ny() const { return grid_.ny; }
  int nz() const { return grid_.nz; }
  std::size_t num_nodes() const { return std::size_t(nx() + 1) * std::size_t(ny() + 1) * std::size_t(nz() + 1); }
  std::size_t num_dofs() const { return 3 * num_nodes(); }
  std::size_t node(int i, int j, int k) const {
    return std::size_t(i) + std::size_t(nx() + 1) * (std::size_t(j) + std::size_t(ny() + 1) * std::size_t(k));
  }
  /// Cell spacings as the operator uses them (equal within 1e-9 relative are merged).
  double hx(int i) const { return hx_[std::size_t(i)]; }
  /// 1 / hx per cell along x (the element loop's inner axis).
  const std::vector<double>& inverse_hx() const { return inverse_hx_; }
  double hy(int j) const { return hy_[std::size_t(j)]; }
  double hz(int k) const { return hz_[std::size_t(k)]; }
  /// Prescribed components (bits) of node (i, j, k).
  unsigned fixed_components(int i, int j, int k) const;
  /// Indices of all prescribed dofs, ascending.
  const std::vector<std::size_t>& fixed_dofs() const { return fixed_dofs_; }

  /// y = A0 u (prescribed rows and columns identity). u and y of num_dofs(), not aliased.
  void apply(const double* u, double* y) const;
  /// The same without the fluid regions' terms: the element part, which multigrid coarsens (the
  /// regions' rank-one terms are added to its preconditioner exactly, see ElasticityMGPCG).
  void apply_elements(const double* u, double* y) const;
  /// r = f - A u on free dofs, with u's prescribed values entering through the couplings; 0 on
  /// prescribed dofs. With `all_rows`, prescribed rows keep f - A u too (the wall reactions).
  void residual(const double* f, const double* u, double* r, bool all_rows = false) const;
  /// f += nodal forces of a volumetric eigenstrain e (per cell; the trace of a free strain
  /// e/3 I): the element vector K_c e_c V_c g, and K_R e_R G_R for each fluid region.
  void add_eigenstrain_load(const double* e, double* f) const;
  /// theta[c] = mean dilatation of cell c, g . u_e (the volume average of div u).
  void mean_dilatation(const double* u, double* theta) const;
  /// Pressure -tr(sigma)/3 per cell: K_c (e_c - theta_c), and p_R in fluid-region cells (e may be
  /// nullptr for no eigenstrain).
  void cell_pressure(const double* u, const double* e, double* p) const;
  /// Row-major 3x3 diagonal block of the element part (apply_elements) at every node.
  void diagonal_blocks(std::vector<double>& d) const;
  /// Element stiffness of cell (i, j, k), 24x24 column-major, with its moduli (no constraints;
  /// no volumetric part in fluid cells).
  void element_matrix(int i, int j, int k, double* ke) const;
  /// Displacement of cell centres (the trilinear field's value there) per component.
  void cell_centre_values(const double* u, std::vector<double>& ux, std::vector<double>& uy,
                          std::vector<double>& uz) const;

  /// Element template of cell (i, j, k), formed on demand (the assembled views only: the
  /// operator's product is sum-factorised and needs none).
  elastic::ElementTemplate element_template(int i, int j, int k) const;

 private:
  void element_loop_apply(const double* u, double* y, bool mask_input) const;
  void add_region_terms(const double* u, double* y, bool mask) const;

  core::Grid grid_;
  FaceConstraints constraints_;
  std::vector<double> mu_, bulk_, kvol_;
  std::vector<FluidRegion> regions_;
  std::vector<int> cell_region_;
  std::vector<unsigned char> fixed_mask_;  // per dof
  // Cell spacings, each its class's (spacing_classes): every computation uses them, so that the
  // round-off of uniformly spaced edges cannot make neighbouring cells of one size differ.
  std::vector<double> hx_, hy_, hz_, inverse_hx_;
  std::vector<std::size_t> fixed_dofs_;
};

/// CG preconditioned by one symmetric geometric-multigrid V-cycle for A0 (elasticity_multigrid.cpp
/// documents the hierarchy: Galerkin coarse operators from trilinear prolongation,
/// Chebyshev / 3x3-block-Jacobi smoothing, a dense Cholesky on the coarsest grid). The V-cycle
/// approximates the inverse B of the element part; the fluid regions' rank-one terms are added
/// by the Sherman-Morrison-Woodbury formula (B G_R precomputed per region).
/// opts.pre_smooth / post_smooth are the Chebyshev degrees (matrix applications per smoothing).
class ElasticityMGPCG {
 public:
  /// Builds the hierarchy for `op`'s grid and moduli. `op` must outlive the solver.
  explicit ElasticityMGPCG(const ElasticOperator& op);
  ~ElasticityMGPCG();
  ElasticityMGPCG(ElasticityMGPCG&&) noexcept;
  ElasticityMGPCG& operator=(ElasticityMGPCG&&) noexcept;

  /// Rebuild the coarse operators and smoothers after op.set_moduli (same grid).
  void update();
  /// Solve A u = f on the free dofs with u fixed on the prescribed ones. On entry u holds the
  /// prescribed values and the initial guess of the free ones. Stops at ||r|| <= rel_tol * ref,
  /// r = f - A u on free dofs, ref = || f - A u_p || over all dofs, u_p = u with its free values
  /// zeroed: the load including the reactions of the prescribed displacements (which stays
  /// meaningful when the lifting is itself the exact solution). Throws SolverError beyond
  /// max_iterations.
  SolveStats solve(const std::vector<double>& f, std::vector<double>& u, const SolveOptions& opts = {});
  int levels() const;
  /// Number of dofs on each level, finest first.
  std::vector<std::size_t> level_dofs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hphtsim::solvers
