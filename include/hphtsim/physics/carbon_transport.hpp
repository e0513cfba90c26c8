// SPDX-License-Identifier: MIT
// Dissolved carbon in the molten solvent: rho_m dc/dt = div(rho_m D_eff grad c), c the mass
// fraction of carbon, backward Euler, on the cells marked active (molten solvent). Exchanges
// with what bounds the melt (saturation at the carbon source, kinetic deposition on crystals)
// enter as per-cell conductances G (kg/s per unit c) and values c_b: flux into the cell
// G (c_b - c). Faces to inactive cells carry nothing. The same multigrid-preconditioned CG as
// the other fields; inactive cells are identity rows that keep their value.
#pragma once

#include <memory>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/solvers/linear_solver.hpp"

namespace hphtsim::physics {

class CarbonTransport {
 public:
  explicit CarbonTransport(const core::Grid& grid);

  /// exchange_G[c] = sum of the exchange conductances of cell c's faces; exchange_Gc[c] = the
  /// sum of G c_b over them. `c` holds the initial guess on entry.
  /// rho_D: rho_melt x D_eff per cell (only active cells' values are read).
  solvers::SolveStats solve(const std::vector<unsigned char>& active, const std::vector<double>& rho_D, double rho,
                            const std::vector<double>& exchange_G, const std::vector<double>& exchange_Gc,
                            const std::vector<double>& c_old, double dt, std::vector<double>& c,
                            const solvers::SolveOptions& opts);

  /// Face conductance between two active cells of the last solve (for flux book-keeping).
  const solvers::StencilOperator& op() const { return op_; }

 private:
  const core::Grid& grid_;
  solvers::StencilOperator op_;
  std::unique_ptr<solvers::MultigridPCG> solver_;
  std::vector<double> rhs_, inv_;
};

}  // namespace hphtsim::physics
