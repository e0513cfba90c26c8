// SPDX-License-Identifier: MIT
// Heat conduction in the cell: rho c_p dT/dt = div(k grad T) + q, backward Euler in time (or
// steady), with a Robin condition -k dT/dn = h (T - T_coolant) on each of the six cube faces:
// the water-cooled tungsten-carbide anvils seen through an effective heat-transfer coefficient.
// Property values are frozen at the current Picard iterate by the caller.
#pragma once

#include <array>
#include <limits>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/physics/conductance.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::physics {

struct ThermalBoundary {
  /// h for the faces x-, x+, y-, y+, z-, z+ (W/(m^2 K)); 0 = insulated.
  std::array<double, 6> h{0, 0, 0, 0, 0, 0};
  double coolant_temperature = 298.15;  ///< K
  /// Separate heat paths (optional, per cell; empty = none): the share of a boundary cell that
  /// belongs to parts with their own film coefficient, and the sum of those parts' fraction
  /// times coefficient. On a boundary face of cell c the coefficient is then
  /// (1 - path_fraction[c]) h[face] + path_h[c]: the parts side by side on the face. An
  /// insulated face (h[face] = 0) stays insulated: a path replaces a cooled face's coefficient.
  std::vector<double> path_fraction, path_h;
  double face_h(std::size_t cell, int face) const {
    const double hf = h[std::size_t(face)];
    if (path_fraction.empty() || !(hf > 0.0)) return hf;
    return (1.0 - path_fraction[cell]) * hf + path_h[cell];
  }
};

class ThermalProblem {
 public:
  ThermalProblem(const core::Grid& grid, ThermalBoundary boundary);

  /// One implicit step: (C/dt + A(k) + B) T = C/dt T_old + q + B T_coolant, C = rho c_p V.
  /// dt = infinity gives the steady state. `T` holds the initial guess on entry.
  solvers::SolveStats solve(const std::vector<double>& conductivity, const std::vector<double>& volumetric_heat_capacity,
                            const std::vector<double>& heat, const std::vector<double>& T_old, double dt,
                            std::vector<double>& T, const solvers::SolveOptions& opts);

  /// The same in two parts, for superposition: assemble the operator once, then solve for any
  /// heat source. With `T_old` == nullptr the right-hand side is the source alone (no stored
  /// heat, no coolant): the response of the temperature to that source.
  void assemble(const std::vector<double>& conductivity, const std::vector<double>& volumetric_heat_capacity,
                double dt);
  solvers::SolveStats solve_assembled(const std::vector<double>& heat, const std::vector<double>* T_old,
                                      std::vector<double>& T, const solvers::SolveOptions& opts);

  /// Heat leaving through the faces (W) for field T with the boundary conductances of the last
  /// solve: sum over boundary faces of T_b (T_c - T_coolant).
  double heat_out(const std::vector<double>& T) const;

  const ThermalBoundary& boundary() const { return boundary_; }
  /// The anvils' cooling-water temperature for the next solves (a recipe input).
  void set_coolant_temperature(double T) { boundary_.coolant_temperature = T; }
  /// Inverse conductivities 1/k along x, y, z of the mixed cells; the vectors must outlive the
  /// problem.
  void set_directional(DirectionalCells d) { directional_ = d; }

 private:
  const core::Grid& grid_;
  ThermalBoundary boundary_;
  solvers::StencilOperator op_;
  std::unique_ptr<solvers::MultigridPCG> solver_;
  std::vector<double> rhs_, boundary_conductance_;  // per cell: sum of its boundary-face T_b
  std::vector<double> mass_;                         // per cell: rho c_p V / dt (0 when steady)
  DirectionalCells directional_;
};

}  // namespace hphtsim::physics
