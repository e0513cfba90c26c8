// SPDX-License-Identifier: MIT
// Stress recovery from the thermo-elastic field: the full stress tensor at a cell's centre and
// its largest principal value (what a brittle crystal cracks on). The volumetric part is the
// cell's pressure as the solver defines it (its mean dilatation, or its fluid region's one
// pressure); the deviatoric part comes from the strain at the centre of the trilinear (3-D)
// or bilinear ring (r, z) element.
#include <Eigen/Eigenvalues>
#include <cmath>

#include "hphtsim/core/error.hpp"
#include "hphtsim/physics/mechanics.hpp"

namespace hphtsim::physics {

namespace {

/// Largest eigenvalue of the symmetric stress -p I + 2 mu dev(eps).
double largest_principal(double p, double mu, const Eigen::Matrix3d& eps) {
  const double mean = eps.trace() / 3.0;
  Eigen::Matrix3d sigma = 2.0 * mu * (eps - mean * Eigen::Matrix3d::Identity());
  sigma.diagonal().array() -= p;
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> es;
  es.computeDirect(sigma, Eigen::EigenvaluesOnly);
  return es.eigenvalues().maxCoeff();  // ascending, but take the max to be independent of that
}

}  // namespace

void Mechanics::largest_principal_stress(double delta, const std::vector<std::size_t>& cells,
                                         std::vector<double>& s1) const {
  HPHTSIM_CHECK(solved_, "mechanics: stress needs a solve first");
  std::vector<double> u;
  displacement(delta, u);
  s1.assign(cells.size(), 0.0);
  const core::Grid& g = grid_;
  const std::size_t nx = std::size_t(g.nx), ny = std::size_t(g.ny);
  for (std::size_t q = 0; q < cells.size(); ++q) {
    const std::size_t c = cells[q];
    HPHTSIM_CHECK(c < g.size(), "mechanics: stress asked for cell " << c << " of " << g.size());
    const int i = int(c % nx), j = int((c / nx) % ny), k = int(c / (nx * ny));
    const double p = delta * p_unit_[c] + p_free_[c];
    Eigen::Matrix3d eps = Eigen::Matrix3d::Zero();
    if (g.is_cylindrical()) {
      // Nodes i + (nr + 1) k, dofs (u_r, u_z); components ordered (r, theta, z).
      const std::size_t nr1 = nx + 1;
      auto ur = [&](int a, int b) { return u[2 * (std::size_t(a) + nr1 * std::size_t(b))]; };
      auto uz = [&](int a, int b) { return u[2 * (std::size_t(a) + nr1 * std::size_t(b)) + 1]; };
      const double hr = g.dx(i), hz = g.dz(k), rc = g.xc(i);
      const double durdr = 0.5 * (ur(i + 1, k) + ur(i + 1, k + 1) - ur(i, k) - ur(i, k + 1)) / hr;
      const double duzdz = 0.5 * (uz(i, k + 1) + uz(i + 1, k + 1) - uz(i, k) - uz(i + 1, k)) / hz;
      const double durdz = 0.5 * (ur(i, k + 1) + ur(i + 1, k + 1) - ur(i, k) - ur(i + 1, k)) / hz;
      const double duzdr = 0.5 * (uz(i + 1, k) + uz(i + 1, k + 1) - uz(i, k) - uz(i, k + 1)) / hr;
      const double ur_c = 0.25 * (ur(i, k) + ur(i + 1, k) + ur(i, k + 1) + ur(i + 1, k + 1));
      eps(0, 0) = durdr;
      eps(1, 1) = ur_c / rc;
      eps(2, 2) = duzdz;
      eps(0, 2) = eps(2, 0) = 0.5 * (durdz + duzdr);
    } else {
      // Corner a of the cell: bit 0 +x, bit 1 +y, bit 2 +z; node i + (nx+1) (j + (ny+1) k).
      const double h[3] = {g.dx(i), g.dy(j), g.dz(k)};
      double grad[3][3] = {};  // grad[component][direction]
      for (int a = 0; a < 8; ++a) {
        const std::size_t n = std::size_t(i + (a & 1)) + (nx + 1) * (std::size_t(j + ((a >> 1) & 1)) +
                                                                      (ny + 1) * std::size_t(k + ((a >> 2) & 1)));
        for (int cc = 0; cc < 3; ++cc) {
          const double v = u[3 * n + std::size_t(cc)];
          for (int d = 0; d < 3; ++d) grad[cc][d] += (((a >> d) & 1) ? v : -v) / (4.0 * h[d]);
        }
      }
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) eps(a, b) = 0.5 * (grad[a][b] + grad[b][a]);
    }
    s1[q] = largest_principal(p, mu_[c], eps);
  }
}

}  // namespace hphtsim::physics
