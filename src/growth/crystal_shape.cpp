// SPDX-License-Identifier: MIT
// The crystals' shape (crystals.hpp, step 2): each crystal a polyhedron about its seed's centre
// bounded by {100} planes at h100 and {111} planes at h111, sized to hold the crystal's volume
// in the part of space where it can be (melt or itself), h100 and h111 advancing in the ratio
// of the {100} and {111} growth rates at the seed's temperature.
#include <algorithm>
#include <cmath>

#include "hphtsim/growth/crystals.hpp"

namespace hphtsim::growth {

namespace {
constexpr double sqrt3 = 1.7320508075688772;
}  // namespace

namespace {

// Volume of {|x_i| <= a} intersected with {|x|+|y|+|z| <= b}: the octahedron less its six
// vertex pyramids beyond the cube faces, plus the twelve edge overlaps of those pyramids.
double polyhedron_volume(double a, double b) {
  if (b <= a) return 4.0 / 3.0 * b * b * b;
  if (b >= 3.0 * a) return 8.0 * a * a * a;
  const double e = std::max(0.0, b - 2.0 * a);
  return 4.0 / 3.0 * b * b * b - 4.0 * std::pow(b - a, 3) + 4.0 * e * e * e;
}

}  // namespace

bool CrystalGrowth::inside(int seed, double x, double y, double z, double h100, double h111) const {
  const auto& ctr = centres_[std::size_t(seed)];
  double v[3] = {x - ctr[0], y - ctr[1], z - ctr[2]};
  if (rotated_[std::size_t(seed)]) {
    // Crystal frame with [111] along z: rows of an orthonormal basis (e1, e2, e3 = [111]/sqrt3).
    static const double R[3][3] = {{1 / 1.4142135623730951, -1 / 1.4142135623730951, 0.0},
                                   {1 / 2.449489742783178, 1 / 2.449489742783178, -2 / 2.449489742783178},
                                   {1 / sqrt3, 1 / sqrt3, 1 / sqrt3}};
    // v_crystal = R^T v_lab: the lab's z is the crystal's [111].
    double w[3];
    for (int i = 0; i < 3; ++i) w[i] = R[0][i] * v[0] + R[1][i] * v[1] + R[2][i] * v[2];
    v[0] = w[0];
    v[1] = w[1];
    v[2] = w[2];
  }
  const double ax = std::abs(v[0]), ay = std::abs(v[1]), az = std::abs(v[2]);
  return ax <= h100 && ay <= h100 && az <= h100 && ax + ay + az <= sqrt3 * h111;
}

void CrystalGrowth::grow_shape(int s, double T_seed) {
  // The polyhedron is sized so that its part where the crystal can be (melt or this crystal,
  // inside the cell) holds the crystal's volume: a seed set in its bed, or against a wall,
  // grows into the melt only. The open share depends on the size: a fixed-point iteration.
  const core::Grid& g = grid_;
  const std::size_t si = std::size_t(s);
  const double a0 = h100_[si], c0 = h111_[si];
  const double r = settings_.rate_ratio(T_seed);  // h100 and h111 advance as v100 : v111
  const double crystal_volume = seed_mass_[si] / settings_.diamond_density;
  // Open volume by sampling each cell at 2 x 2 x 2 points (smooth in h, so the iteration
  // settles), over the polyhedron's bounding box only.
  auto open_volume = [&](double h100, double h111) {
    const double R = sqrt3 * std::max(h100, h111);
    const auto& ctr = centres_[si];
    auto range = [&](const std::vector<double>& e, int n, double lo, double hi, int& a, int& b) {
      a = int(std::upper_bound(e.begin(), e.end(), lo) - e.begin()) - 1;
      b = int(std::upper_bound(e.begin(), e.end(), hi) - e.begin()) - 1;
      a = std::clamp(a, 0, n - 1);
      b = std::clamp(b, 0, n - 1);
    };
    int i0, i1, j0, j1, k0, k1;
    range(g.x, g.nx, ctr[0] - R, ctr[0] + R, i0, i1);
    range(g.y, g.ny, ctr[1] - R, ctr[1] + R, j0, j1);
    range(g.z, g.nz, ctr[2] - R, ctr[2] + R, k0, k1);
    double v = 0.0;
    for (int k = k0; k <= k1; ++k)
      for (int j = j0; j <= j1; ++j)
        for (int i = i0; i <= i1; ++i) {
          const int reg = map_.region[g.index(i, j, k)];
          if (reg != solvent_region_ && seed_of(reg) != s) continue;
          int hits = 0;
          for (int q = 0; q < 8; ++q)
            hits += inside(s, g.x[i] + (0.25 + 0.5 * (q & 1)) * g.dx(i), g.y[j] + (0.25 + 0.5 * (q >> 1 & 1)) * g.dy(j),
                           g.z[k] + (0.25 + 0.5 * (q >> 2 & 1)) * g.dz(k), h100, h111);
          v += cell_volume_[g.index(i, j, k)] * hits / 8.0;
        }
    return v;
  };
  auto advance_to = [&](double target) {  // advance t with polyhedron_volume(...) = target
    auto volume = [&](double t) { return polyhedron_volume(a0 + r * t, sqrt3 * (c0 + t)); };
    if (!(target > volume(0.0))) return 0.0;
    double lo = 0.0, hi = std::max(a0, c0);
    while (volume(hi) < target) hi *= 2.0;
    for (int it = 0; it < 60; ++it) {
      const double mid = 0.5 * (lo + hi);
      (volume(mid) < target ? lo : hi) = mid;
    }
    return hi;
  };
  double t = 0.0;
  for (int it = 0; it < 30; ++it) {
    const double h100 = a0 + r * t, h111 = c0 + t;
    const double whole = polyhedron_volume(h100, sqrt3 * h111);
    const double open = open_volume(h100, h111);
    const double share = open > 0.0 ? std::max(0.02, open / whole) : 0.5;
    const double next = advance_to(crystal_volume / share);
    if (std::abs(next - t) <= 1e-3 * std::max(t, 1e-9)) {
      t = next;
      break;
    }
    t = std::max(t, next);  // the crystal never shrinks
  }
  h100_[si] = a0 + r * t;
  h111_[si] = c0 + t;
}

}  // namespace hphtsim::growth
