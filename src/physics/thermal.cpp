// SPDX-License-Identifier: MIT
#include "hphtsim/physics/thermal.hpp"

#include <cmath>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/parallel.hpp"
#include "hphtsim/physics/conductance.hpp"

namespace hphtsim::physics {

ThermalProblem::ThermalProblem(const core::Grid& grid, ThermalBoundary boundary)
    : grid_(grid), boundary_(boundary), op_(grid.nx, grid.ny, grid.nz) {
  rhs_.assign(grid.size(), 0.0);
  boundary_conductance_.assign(grid.size(), 0.0);
  for (double h : boundary_.h) HPHTSIM_CHECK(h >= 0.0, "heat-transfer coefficients must be >= 0");
}

solvers::SolveStats ThermalProblem::solve(const std::vector<double>& k_cell, const std::vector<double>& rho_cp,
                                          const std::vector<double>& heat, const std::vector<double>& T_old,
                                          double dt, std::vector<double>& T, const solvers::SolveOptions& opts) {
  assemble(k_cell, rho_cp, dt);
  return solve_assembled(heat, &T_old, T, opts);
}

void ThermalProblem::assemble(const std::vector<double>& k_cell, const std::vector<double>& rho_cp, double dt) {
  const core::Grid& g = grid_;
  const std::size_t n = g.size();
  HPHTSIM_CHECK(k_cell.size() == n && rho_cp.size() == n, "thermal field sizes");
  HPHTSIM_CHECK(dt > 0.0, "time step must be positive");
  const bool steady = std::isinf(dt);
  mass_.resize(n);

  // Inverse conductivity for the harmonic face means; rhs_ serves as scratch here.
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) rhs_[c] = 1.0 / k_cell[c];
  fill_face_conductances(g, rhs_, {}, op_, directional_);

#pragma omp parallel for schedule(static)
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        const double dx = g.dx(i), dy = g.dy(j), dz = g.dz(k);
        // Robin faces: the film 1/h in series with half a cell of conduction.
        auto robin = [&](double hf, double area, double d, int axis) {
          return hf > 0.0 ? area / (1.0 / hf + 0.5 * d * directional_.along(rhs_, c, axis)) : 0.0;
        };
        double tb = 0.0;
        const auto& b = boundary_;
        // Areas from the metric: in a cylindrical grid the face on the axis has none and the
        // angular faces are the seam of the revolution (the caller leaves their h at 0).
        if (i == 0) tb += robin(b.face_h(c, 0), g.area_x(0, j, k), dx, 0);
        if (i == g.nx - 1) tb += robin(b.face_h(c, 1), g.area_x(g.nx, j, k), dx, 0);
        if (j == 0) tb += robin(b.face_h(c, 2), g.area_y(i, k), dy, 1);
        if (j == g.ny - 1) tb += robin(b.face_h(c, 3), g.area_y(i, k), dy, 1);
        if (k == 0) tb += robin(b.face_h(c, 4), g.area_z(i, j), dz, 2);
        if (k == g.nz - 1) tb += robin(b.face_h(c, 5), g.area_z(i, j), dz, 2);
        boundary_conductance_[c] = tb;
        mass_[c] = steady ? 0.0 : rho_cp[c] * g.volume(i, j, k) / dt;
        op_.diag[c] = mass_[c] + tb;
      }
  if (!solver_) solver_ = std::make_unique<solvers::MultigridPCG>(op_);
  else solver_->update(op_);
}

solvers::SolveStats ThermalProblem::solve_assembled(const std::vector<double>& heat, const std::vector<double>* T_old,
                                                    std::vector<double>& T, const solvers::SolveOptions& opts) {
  const std::size_t n = grid_.size();
  HPHTSIM_CHECK(solver_ && heat.size() == n && T.size() == n && (!T_old || T_old->size() == n),
                "thermal solve before assemble, or wrong sizes");
  const double Tc = boundary_.coolant_temperature;
  if (T_old) {
    const auto& To = *T_old;
#pragma omp parallel for schedule(static)
    for (std::size_t c = 0; c < n; ++c) rhs_[c] = mass_[c] * To[c] + heat[c] + boundary_conductance_[c] * Tc;
  } else {
#pragma omp parallel for schedule(static)
    for (std::size_t c = 0; c < n; ++c) rhs_[c] = heat[c];
  }
  return solver_->solve(rhs_, T, opts);
}

double ThermalProblem::heat_out(const std::vector<double>& T) const {
  const core::Grid& g = grid_;
  const std::size_t plane = std::size_t(g.nx) * g.ny;
  const double Tc = boundary_.coolant_temperature;
  return core::plane_sum(g.nz, [&](int k) {
    double s = 0.0;
    for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
      s += boundary_conductance_[c] * (T[c] - Tc);
    return s;
  });
}

}  // namespace hphtsim::physics
