// SPDX-License-Identifier: MIT
#include "hphtsim/core/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hphtsim/core/parallel.hpp"

namespace hphtsim::core {

double probe_value(const Grid& g, const std::vector<double>& f, const std::array<double, 3>& position) {
  auto bracket = [](const std::vector<double>& e, int n, double x, int& i0, double& w) {
    if (n < 2 || x <= 0.5 * (e[0] + e[1])) { i0 = 0; w = 0.0; return; }
    if (x >= 0.5 * (e[n - 1] + e[n])) { i0 = n - 2; w = 1.0; return; }
    int lo = 0, hi = n - 1;
    while (hi - lo > 1) {
      int mid = (lo + hi) / 2;
      if (0.5 * (e[mid] + e[mid + 1]) <= x) lo = mid; else hi = mid;
    }
    double c0 = 0.5 * (e[lo] + e[lo + 1]), c1 = 0.5 * (e[lo + 1] + e[lo + 2]);
    i0 = lo;
    w = (x - c0) / (c1 - c0);
  };
  int i, j, k;
  double wx, wy, wz;
  // In a cylindrical grid a point (x, y, z) lies at radius hypot(x, y) of the revolution.
  const bool ring = g.is_cylindrical();
  bracket(g.x, g.nx, ring ? std::hypot(position[0], position[1]) : position[0], i, wx);
  bracket(g.y, g.ny, ring ? 0.0 : position[1], j, wy);
  bracket(g.z, g.nz, position[2], k, wz);
  double v = 0.0;
  for (int dk = 0; dk < 2; ++dk)
    for (int dj = 0; dj < 2; ++dj)
      for (int di = 0; di < 2; ++di) {
        double w = (di ? wx : 1 - wx) * (dj ? wy : 1 - wy) * (dk ? wz : 1 - wz);
        if (w == 0.0) continue;
        v += w * f[g.index(std::min(i + di, g.nx - 1), std::min(j + dj, g.ny - 1), std::min(k + dk, g.nz - 1))];
      }
  return v;
}

}  // namespace hphtsim::core
