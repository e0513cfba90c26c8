// SPDX-License-Identifier: MIT
#include "hphtsim/physics/conductance.hpp"

namespace hphtsim::physics {

void fill_face_conductances(const core::Grid& g, const std::vector<double>& r,
                            const std::vector<unsigned char>& active, solvers::StencilOperator& op,
                            const DirectionalCells& dir) {
  const bool masked = !active.empty();
  const std::size_t sx = 1, sy = std::size_t(g.nx), sz = std::size_t(g.nx) * g.ny;
#pragma omp parallel for schedule(static)
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        const bool on = !masked || active[c];
        const double dx = g.dx(i), dy = g.dy(j), dz = g.dz(k);
        double tx = 0.0, ty = 0.0, tz = 0.0;
        // Face areas from the grid's metric (r dtheta dz on a radial face of a cylindrical grid).
        if (i + 1 < g.nx && on && (!masked || active[c + sx]))
          tx = g.area_x(i + 1, j, k) / (0.5 * dx * dir.along(r, c, 0) + 0.5 * g.dx(i + 1) * dir.along(r, c + sx, 0));
        if (j + 1 < g.ny && on && (!masked || active[c + sy]))
          ty = g.area_y(i, k) / (0.5 * dy * dir.along(r, c, 1) + 0.5 * g.dy(j + 1) * dir.along(r, c + sy, 1));
        if (k + 1 < g.nz && on && (!masked || active[c + sz]))
          tz = g.area_z(i, j) / (0.5 * dz * dir.along(r, c, 2) + 0.5 * g.dz(k + 1) * dir.along(r, c + sz, 2));
        op.tx[c] = tx;
        op.ty[c] = ty;
        op.tz[c] = tz;
      }
}

}  // namespace hphtsim::physics
