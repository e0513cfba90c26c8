// SPDX-License-Identifier: MIT
#include "hphtsim/physics/carbon_transport.hpp"

#include <algorithm>
#include <cmath>

#include "hphtsim/core/error.hpp"
#include "hphtsim/physics/conductance.hpp"

namespace hphtsim::physics {

CarbonTransport::CarbonTransport(const core::Grid& grid) : grid_(grid), op_(grid.nx, grid.ny, grid.nz) {
  rhs_.assign(grid.size(), 0.0);
  // The multigrid hierarchy's shape is fixed when the solver is built, from the operator it is
  // built with. Build it here from the grid alone (every cell active, unit coefficient, a small
  // mass term), not from the first solve's melt: a run restarted from a checkpoint then solves
  // with the same hierarchy as the uninterrupted run, and the results are bitwise the same.
  inv_.assign(grid.size(), 1.0);
  fill_face_conductances(grid, inv_, std::vector<unsigned char>(grid.size(), 1), op_);
  for (int k = 0; k < grid.nz; ++k)
    for (int j = 0; j < grid.ny; ++j)
      for (int i = 0; i < grid.nx; ++i) op_.diag[grid.index(i, j, k)] = 1e-3 * grid.volume(i, j, k) / (grid.dx(i) * grid.dx(i));
  solver_ = std::make_unique<solvers::MultigridPCG>(op_);
}

solvers::SolveStats CarbonTransport::solve(const std::vector<unsigned char>& active, const std::vector<double>& rho_D, double rho,
                                           const std::vector<double>& G, const std::vector<double>& Gc,
                                           const std::vector<double>& c_old, double dt, std::vector<double>& c,
                                           const solvers::SolveOptions& opts) {
  const core::Grid& g = grid_;
  const std::size_t n = g.size();
  HPHTSIM_CHECK(active.size() == n && G.size() == n && Gc.size() == n && c_old.size() == n && c.size() == n,
                "carbon field sizes");
  HPHTSIM_CHECK(dt > 0.0 && std::isfinite(dt), "carbon step must be finite");
  HPHTSIM_CHECK(rho_D.size() == n, "carbon diffusivity size");
  double scale = 0.0;
  for (std::size_t c = 0; c < n; ++c) {
    inv_[c] = active[c] ? 1.0 / rho_D[c] : 1.0;
    if (active[c]) scale = std::max(scale, rho_D[c]);
  }
  fill_face_conductances(g, inv_, active, op_);
  // Scale of an identity row: comparable to an active row, so the preconditioner sees a
  // uniform diagonal (any positive value gives the same solution).
  const double h = g.dx(0);
  const double identity = (scale > 0.0 ? scale : 1.0) * h;
#pragma omp parallel for schedule(static)
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t cc = g.index(i, j, k);
        if (active[cc]) {
          const double mass = rho * g.volume(i, j, k) / dt;
          op_.diag[cc] = mass + G[cc];
          rhs_[cc] = mass * c_old[cc] + Gc[cc];
        } else {
          op_.diag[cc] = identity;
          rhs_[cc] = identity * c_old[cc];
        }
      }
  solver_->update(op_);
  return solver_->solve(rhs_, c, opts);
}

}  // namespace hphtsim::physics
