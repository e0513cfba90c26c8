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
// A (111)-up seed's crystal frame: rows of an orthonormal basis (e1, e2, e3 = [111]/sqrt3) in
// lab coordinates, so that v_crystal = R^T v_lab (the lab's z is the crystal's [111]) and a
// crystal-frame normal n is R n in the lab.
constexpr double R111[3][3] = {{1 / 1.4142135623730951, -1 / 1.4142135623730951, 0.0},
                               {1 / 2.449489742783178, 1 / 2.449489742783178, -2 / 2.449489742783178},
                               {1 / sqrt3, 1 / sqrt3, 1 / sqrt3}};
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
  // In (r, z) a point stands for its circle: inside where most of the circle is.
  if (grid_.is_cylindrical())
    return ring_fraction(seed, std::hypot(x, y), z, 0.0, 0.0, h100, h111) >= 0.5;
  const auto& ctr = centres_[std::size_t(seed)];
  double v[3] = {x - ctr[0], y - ctr[1], z - ctr[2]};
  if (rotated_[std::size_t(seed)]) {
    double w[3];  // v_crystal = R^T v_lab
    for (int i = 0; i < 3; ++i) w[i] = R111[0][i] * v[0] + R111[1][i] * v[1] + R111[2][i] * v[2];
    v[0] = w[0];
    v[1] = w[1];
    v[2] = w[2];
  }
  const double ax = std::abs(v[0]), ay = std::abs(v[1]), az = std::abs(v[2]);
  return ax <= h100 && ay <= h100 && az <= h100 && ax + ay + az <= sqrt3 * h111;
}

double CrystalGrowth::front_distance(int s, int i, int j, int k, int f, double& area_share) const {
  const core::Grid& g = grid_;
  const std::size_t si = std::size_t(s);
  const double h100 = h100_[si], h111 = h111_[si];
  const int axis = f / 2, side = f % 2 ? 1 : -1;  // the face's normal axis and direction
  const int a = i + (axis == 0 ? side : 0), b = j + (axis == 1 ? side : 0), d = k + (axis == 2 ? side : 0);
  const double pc[3] = {g.xc(i), g.yc(j), g.zc(k)}, pm[3] = {g.xc(a), g.yc(b), g.zc(d)};
  const double span = std::abs(pm[axis] - pc[axis]);
  auto in_at = [&](double t) {  // the point a fraction t of the way from the crystal cell's centre
    double q[3] = {pc[0], pc[1], pc[2]};
    q[axis] = pm[axis] + t * (pc[axis] - pm[axis]);
    return inside(s, q[0], q[1], q[2], h100, h111);
  };
  // The area: the share of the crystal cell's mid-plane parallel to the face that lies inside
  // the polyhedron (the cell is crystal because its centre is in): all of it under a flat
  // surface, half of a side face's when the surface has just passed the cell's centre.
  const double plane = pm[axis];
  const std::vector<double>& e1 = axis == 0 ? g.y : g.x;
  const std::vector<double>& e2 = axis == 2 ? g.y : g.z;
  const int i1 = axis == 0 ? j : i, i2 = axis == 2 ? j : k;
  const double w1 = e1[std::size_t(i1) + 1] - e1[std::size_t(i1)], w2 = e2[std::size_t(i2) + 1] - e2[std::size_t(i2)];
  double covered = 0.0;
  if (g.is_cylindrical()) {  // the mid-ring (a radial face) or mid-disc (a z face), in quarters
    for (int u = 0; u < 4; ++u) {
      const double t = (u % 2 + 0.5) / 2.0;
      if (axis == 0) {
        const double hz = 0.25 * g.dz(k), z = g.z[std::size_t(k)] + t * g.dz(k);
        covered += ring_fraction(s, plane, z, 0.0, hz, h100, h111);
      } else {
        const double hr = 0.25 * g.dx(i), r = g.x[std::size_t(i)] + t * g.dx(i);
        covered += ring_fraction(s, r, plane, hr, 0.0, h100, h111);
      }
    }
  } else
  for (int u = 0; u < 2; ++u)
    for (int v = 0; v < 2; ++v) {
      double q[3], half[3];
      q[axis] = plane;
      half[axis] = 0.0;
      q[axis == 0 ? 1 : 0] = e1[std::size_t(i1)] + (u + 0.5) / 2.0 * w1;
      q[axis == 2 ? 1 : 2] = e2[std::size_t(i2)] + (v + 0.5) / 2.0 * w2;
      half[axis == 0 ? 1 : 0] = 0.25 * w1;
      half[axis == 2 ? 1 : 2] = 0.25 * w2;
      covered += box_fraction(s, q, half, h100, h111);
    }
  // A face the polyhedron barely reaches still offers a little (its crystal cell's centre is in).
  area_share = std::max(0.25 * covered, 1.0 / 16.0);
  // The surface between the two centres (the polyhedron is convex: one crossing).
  if (in_at(1.0)) return 0.05 * span;  // past the melt cell's centre: the map lags by a step
  if (!in_at(0.0)) return span;        // short of the crystal cell's centre
  double lo = 0.0, hi = 1.0;           // inside at lo, outside at hi
  for (int it = 0; it < 30; ++it) {
    const double mid = 0.5 * (lo + hi);
    (in_at(mid) ? lo : hi) = mid;
  }
  return std::max(0.05 * span, (1.0 - lo) * span);
}

double CrystalGrowth::ring_fraction(int seed, double r, double z, double hr, double hz, double h100,
                                    double h111) const {
  // The seed is on the axis (geometry/axisymmetric.hpp); the angles are offset by half a step so
  // that no sample lies on a {100} or {111} edge's azimuth. 24 angles resolve the 4-fold
  // ({100} up) and 3-fold ({111} up) symmetries alike.
  double share = 0.0;
  for (int a = 0; a < kRevolutionAngles; ++a) {
    const double theta = (a + 0.5) * (2.0 * M_PI / kRevolutionAngles);
    const double c[3] = {r * std::cos(theta), r * std::sin(theta), z}, half[3] = {hr, hr, hz};
    share += box_fraction(seed, c, half, h100, h111);
  }
  return share / kRevolutionAngles;
}

double CrystalGrowth::box_fraction(int seed, const double centre[3], const double half[3], double h100,
                                   double h111) const {
  // The polyhedron is the intersection of 14 half-spaces n.x <= h: six {100} (h100) and eight
  // {111} (h111). The share of an axis-aligned box below one plane is, exactly for a box whose
  // faces are parallel to it and closely otherwise, clamp(1/2 - d / (2 e)), d the signed
  // distance of its centre to the plane and e the box's half-extent along n; the box's share
  // of the polyhedron is the smallest over the planes. It is continuous in h100 and h111, so
  // the polyhedron that holds a crystal's volume moves smoothly (point sampling made it jump).
  const auto& ctr = centres_[std::size_t(seed)];
  const double v[3] = {centre[0] - ctr[0], centre[1] - ctr[1], centre[2] - ctr[2]};
  const bool rot = rotated_[std::size_t(seed)];
  double share = 1.0;
  auto plane = [&](const double n_crystal[3], double h) {
    double n[3];  // the normal in the lab frame (n_lab = R n_crystal for a (111)-up seed)
    for (int a = 0; a < 3; ++a)
      n[a] = rot ? R111[a][0] * n_crystal[0] + R111[a][1] * n_crystal[1] + R111[a][2] * n_crystal[2] : n_crystal[a];
    const double d = n[0] * v[0] + n[1] * v[1] + n[2] * v[2] - h;
    const double e = std::abs(n[0]) * half[0] + std::abs(n[1]) * half[1] + std::abs(n[2]) * half[2];
    share = std::min(share, e > 0.0 ? std::clamp(0.5 - d / (2.0 * e), 0.0, 1.0) : (d <= 0.0 ? 1.0 : 0.0));
  };
  for (int a = 0; a < 3; ++a)
    for (int sgn = -1; sgn <= 1; sgn += 2) {
      double n[3] = {0.0, 0.0, 0.0};
      n[a] = sgn;
      plane(n, h100);
    }
  for (int q = 0; q < 8; ++q) {
    const double n[3] = {(q & 1 ? 1.0 : -1.0) / sqrt3, (q & 2 ? 1.0 : -1.0) / sqrt3, (q & 4 ? 1.0 : -1.0) / sqrt3};
    plane(n, h111);
  }
  return share;
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
  // Open volume from each cell's 2 x 2 x 2 sub-boxes' shares of the polyhedron (box_fraction:
  // continuous in h, so the iteration settles and the surface moves smoothly), over the
  // polyhedron's bounding box only.
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
    if (g.is_cylindrical()) {  // rings: 2 x 2 sub-rings, each weighted by its volume
      range(g.x, g.nx, 0.0, R, i0, i1);
      for (int k = k0; k <= k1; ++k)
        for (int i = i0; i <= i1; ++i) {
          const int reg = map_.region[g.index(i, 0, k)];
          if (reg != solvent_region_ && seed_of(reg) != s) continue;
          const double hr = 0.25 * g.dx(i), hz = 0.25 * g.dz(k);
          double share = 0.0, weight = 0.0;
          for (int q = 0; q < 4; ++q) {
            const double r = g.x[std::size_t(i)] + (0.25 + 0.5 * (q & 1)) * g.dx(i);
            const double z = g.z[std::size_t(k)] + (0.25 + 0.5 * (q >> 1)) * g.dz(k);
            share += r * ring_fraction(s, r, z, hr, hz, h100, h111);
            weight += r;
          }
          v += cell_volume_[g.index(i, 0, k)] * share / weight;
        }
      return v;
    }
    for (int k = k0; k <= k1; ++k)
      for (int j = j0; j <= j1; ++j)
        for (int i = i0; i <= i1; ++i) {
          const int reg = map_.region[g.index(i, j, k)];
          if (reg != solvent_region_ && seed_of(reg) != s) continue;
          const double half[3] = {0.25 * g.dx(i), 0.25 * g.dy(j), 0.25 * g.dz(k)};
          double share = 0.0;
          for (int q = 0; q < 8; ++q) {
            const double c[3] = {g.x[i] + (0.25 + 0.5 * (q & 1)) * g.dx(i), g.y[j] + (0.25 + 0.5 * (q >> 1 & 1)) * g.dy(j),
                                 g.z[k] + (0.25 + 0.5 * (q >> 2 & 1)) * g.dz(k)};
            share += box_fraction(s, c, half, h100, h111);
          }
          v += cell_volume_[g.index(i, j, k)] * share / 8.0;
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
