// SPDX-License-Identifier: MIT
#include "hphtsim/geometry/volume_fractions.hpp"

#include <algorithm>
#include <cmath>

#include "hphtsim/geometry/assembly.hpp"

namespace hphtsim::geometry {
namespace {

enum class Cover { outside, inside, partial };

struct Box {
  std::array<double, 3> lo, hi;
};

/// Squared distances of the cell's nearest and farthest points from `centre`, over the axes
/// other than `skip` (an axis: distances from the line through centre along it; -1: from the
/// point).
void distance_range(const Box& b, const std::array<double, 3>& centre, int skip, double& near2, double& far2) {
  near2 = far2 = 0.0;
  for (int d = 0; d < 3; ++d) {
    if (d == skip) continue;
    const double lo = b.lo[std::size_t(d)] - centre[std::size_t(d)], hi = b.hi[std::size_t(d)] - centre[std::size_t(d)];
    const double near = lo > 0.0 ? lo : (hi < 0.0 ? -hi : 0.0);
    const double far = std::max(std::abs(lo), std::abs(hi));
    near2 += near * near;
    far2 += far * far;
  }
}

/// Whether a shape's radial extent [r_in, r_out] about an axis covers, misses or cuts the
/// cell's cross-section (distances of its nearest and farthest points from the axis).
Cover radial_cover(const Box& b, const std::array<double, 3>& centre, int axis, double r_in, double r_out) {
  double near2, far2;
  distance_range(b, centre, axis, near2, far2);
  const double tol = 1e-12 * (r_out * r_out);
  if (near2 >= r_out * r_out - tol || far2 <= r_in * r_in + tol) return Cover::outside;
  if (far2 <= r_out * r_out + tol && near2 >= r_in * r_in - tol) return Cover::inside;
  return Cover::partial;
}

/// [lo, hi] against the cell's span along axis d.
Cover span_cover(const Box& b, int d, double lo, double hi) {
  const double tol = 1e-12 * std::max(1e-3, hi - lo);
  if (b.hi[std::size_t(d)] <= lo + tol || b.lo[std::size_t(d)] >= hi - tol) return Cover::outside;
  if (b.lo[std::size_t(d)] >= lo - tol && b.hi[std::size_t(d)] <= hi + tol) return Cover::inside;
  return Cover::partial;
}

Cover box_cover(const Box& b, const std::array<double, 6>& bounds) {
  bool inside = true;
  for (int d = 0; d < 3; ++d) {
    const Cover c = span_cover(b, d, bounds[std::size_t(d)], bounds[std::size_t(d) + 3]);
    if (c == Cover::outside) return Cover::outside;
    inside = inside && c == Cover::inside;
  }
  return inside ? Cover::inside : Cover::partial;
}

/// The cover of the cell by a primitive; `planar_axis` is set to the body's axis when only its
/// round side cuts the cell (its span along the axis covers the cell), else to -1.
Cover primitive_cover(const Primitive& p, const Box& b, int& planar_axis) {
  planar_axis = -1;
  switch (p.shape) {
    case Shape::box: return box_cover(b, p.bounds());
    case Shape::sphere: {
      double near2, far2;
      distance_range(b, p.center, -1, near2, far2);
      if (near2 >= p.radius * p.radius) return Cover::outside;
      if (far2 <= p.radius * p.radius) return Cover::inside;
      return Cover::partial;
    }
    default: {
      const double c = p.center[std::size_t(p.axis)];
      const Cover along = span_cover(b, p.axis, c - 0.5 * p.height, c + 0.5 * p.height);
      if (along == Cover::outside) return Cover::outside;
      const Cover across = radial_cover(b, p.center, p.axis, p.shape == Shape::tube ? p.inner_radius : 0.0, p.radius);
      if (across == Cover::outside) return Cover::outside;
      if (along == Cover::inside && across == Cover::inside) return Cover::inside;
      if (along == Cover::inside) planar_axis = p.axis;
      return Cover::partial;
    }
  }
}

/// The lines along axis d through a lattice of n[0] x n[1] x n[2] samples (owners: region per
/// sample, x fastest; part_of: region to part index or -1 for a dropped part).
AxisLines axis_lines(int d, const std::array<std::size_t, 3>& n, const std::array<std::vector<double>, 3>& weights,
                     const std::vector<int>& owners, const std::vector<int>& part_of, std::size_t parts) {
  const int e1 = (d + 1) % 3, e2 = (d + 2) % 3;  // the axes across the lines
  AxisLines out;
  std::vector<float> f(parts);
  std::array<std::size_t, 3> idx{};
  for (std::size_t u = 0; u < n[std::size_t(e1)]; ++u)
    for (std::size_t v = 0; v < n[std::size_t(e2)]; ++v) {
      std::fill(f.begin(), f.end(), 0.0f);
      double along = 0.0;
      idx[std::size_t(e1)] = u;
      idx[std::size_t(e2)] = v;
      for (std::size_t t = 0; t < n[std::size_t(d)]; ++t) {
        idx[std::size_t(d)] = t;
        const int owner = owners[(idx[2] * n[1] + idx[1]) * n[0] + idx[0]];
        const int q = owner < 0 ? -1 : part_of[std::size_t(owner)];
        if (q < 0) continue;  // uncovered, or a dropped sliver
        f[std::size_t(q)] += float(weights[std::size_t(d)][t]);
        along += weights[std::size_t(d)][t];
      }
      if (along <= 0.0) continue;
      for (float& x : f) x = float(x / along);
      const float w = float(weights[std::size_t(e1)][u] * weights[std::size_t(e2)][v]);
      // Merge with an equal line (pure lines above all): the lists stay short.
      bool merged = false;
      for (std::size_t l = 0; l < out.weight.size() && !merged; ++l) {
        bool same = true;
        for (std::size_t q = 0; q < parts && same; ++q) same = std::abs(out.fraction[l * parts + q] - f[q]) < 1e-4f;
        if (same) {
          out.weight[l] += w;
          merged = true;
        }
      }
      if (!merged) {
        out.weight.push_back(w);
        out.fraction.insert(out.fraction.end(), f.begin(), f.end());
      }
    }
  float total = 0.0f;
  for (float w : out.weight) total += w;
  for (float& w : out.weight) w /= total;
  return out;
}

}  // namespace

std::vector<MixedCell> mixed_cells(const Assembly& assembly, const core::Grid& g) {
  const int np = int(assembly.primitives.size());
  const int nr = np + int(assembly.seeds.size());
  std::vector<std::vector<MixedCell>> per_plane(std::size_t(g.nz));
#pragma omp parallel for schedule(dynamic, 1)
  for (int k = 0; k < g.nz; ++k) {
    std::vector<int> candidates;
    std::vector<double> count(static_cast<std::size_t>(nr));
    std::array<std::vector<double>, 3> samples, weights;
    std::vector<int> owners, part_of(static_cast<std::size_t>(nr));
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        // A cylindrical cell is the annulus [r_i, r_i+1] x [z_k, z_k+1]; its parts are bodies of
        // revolution (geometry/axisymmetric.hpp), so their half-plane theta = 0 decides it.
        const bool ring = g.is_cylindrical();
        const Box b = ring ? Box{{g.x[i], 0.0, g.z[k]}, {g.x[i + 1], 0.0, g.z[k + 1]}}
                           : Box{{g.x[i], g.y[j], g.z[k]}, {g.x[i + 1], g.y[j + 1], g.z[k + 1]}};
        // The last region covering the whole cell hides everything before it; the partial
        // ones after it decide the samples.
        int base = -1, axis = -2;
        candidates.clear();
        for (int r = 0; r < nr; ++r) {
          int planar = -1;
          const Cover c = r < np ? primitive_cover(assembly.primitives[std::size_t(r)], b, planar)
                                 : box_cover(b, assembly.seeds[std::size_t(r - np)].bounds());
          if (c == Cover::inside) {
            base = r;
            candidates.clear();
            axis = -2;
          } else if (c == Cover::partial) {
            candidates.push_back(r);
            axis = axis == -2 ? planar : (axis == planar ? axis : -1);
          }
        }
        if (candidates.empty()) continue;
        // Samples: a lattice across the common axis, or in 3-D.
        const int m = axis >= 0 ? 24 : 10;
        std::fill(count.begin(), count.end(), 0.0);
        // Per axis, midpoint samples in each stretch between the candidates' flat faces that
        // fall inside the cell (box and seed faces, end planes), weighted by length: a flat
        // face cutting the cell is integrated exactly, a round one by the lattice.
        for (int d = 0; d < 3; ++d) {
          const double lo = b.lo[std::size_t(d)], hi = b.hi[std::size_t(d)];
          std::vector<double> cuts{lo, hi};
          auto cut_at = [&](double v) {
            if (v > lo + 1e-12 * (hi - lo) && v < hi - 1e-12 * (hi - lo)) cuts.push_back(v);
          };
          for (int r : candidates) {
            if (r >= np) {
              const auto sb = assembly.seeds[std::size_t(r - np)].bounds();
              cut_at(sb[std::size_t(d)]);
              cut_at(sb[std::size_t(d) + 3]);
              continue;
            }
            const Primitive& p = assembly.primitives[std::size_t(r)];
            if (p.shape == Shape::box || (p.shape != Shape::sphere && p.axis == d)) {
              const auto pb = p.bounds();
              cut_at(pb[std::size_t(d)]);
              cut_at(pb[std::size_t(d) + 3]);
            }
          }
          std::sort(cuts.begin(), cuts.end());
          auto& at = samples[std::size_t(d)];
          auto& w = weights[std::size_t(d)];
          at.clear();
          w.clear();
          if (ring && d == 1) {  // the revolution: one sample
            at.push_back(0.0);
            w.push_back(1.0);
            continue;
          }
          const int per = d == axis ? 1 : std::max(2, m / int(cuts.size() - 1));
          for (std::size_t s = 0; s + 1 < cuts.size(); ++s)
            for (int q = 0; q < per; ++q) {
              at.push_back(cuts[s] + (q + 0.5) / per * (cuts[s + 1] - cuts[s]));
              w.push_back((cuts[s + 1] - cuts[s]) / per / (hi - lo));
            }
          if (ring && d == 0) {  // volume in r: weight r dr, normalised
            double sum = 0.0;
            for (std::size_t q = 0; q < w.size(); ++q) sum += (w[q] *= at[q]);
            for (double& v : w) v /= sum;
          }
        }
        const std::size_t na = samples[0].size(), nb = samples[1].size(), nc = samples[2].size();
        owners.assign(na * nb * nc, -1);
        for (std::size_t c = 0; c < samples[2].size(); ++c)
          for (std::size_t bq = 0; bq < samples[1].size(); ++bq)
            for (std::size_t a = 0; a < samples[0].size(); ++a) {
              const double px = samples[0][a], py = samples[1][bq], pz = samples[2][c];
              int owner = base;
              for (int r : candidates) {
                const bool in = r < np ? assembly.primitives[std::size_t(r)].contains(px, py, pz)
                                       : assembly.seeds[std::size_t(r - np)].contains(px, py, pz);
                if (in) owner = r;
              }
              if (owner < 0) continue;  // uncovered: paint() reports it
              owners[(c * nb + bq) * na + a] = owner;
              count[std::size_t(owner)] += weights[0][a] * weights[1][bq] * weights[2][c];
            }
        MixedCell cell;
        cell.cell = g.index(i, j, k);
        double kept = 0.0;
        for (int r = 0; r < nr; ++r)
          if (count[std::size_t(r)] >= 1e-4) {
            cell.parts.push_back({r, count[std::size_t(r)]});
            kept += count[std::size_t(r)];
          }
        if (cell.parts.size() < 2) continue;  // the surface only grazed the cell
        for (auto& p : cell.parts) p.fraction /= kept;
        std::stable_sort(cell.parts.begin(), cell.parts.end(),
                         [](const CellPart& a, const CellPart& b2) { return a.fraction > b2.fraction; });
        std::fill(part_of.begin(), part_of.end(), -1);
        for (std::size_t q = 0; q < cell.parts.size(); ++q) part_of[std::size_t(cell.parts[q].region)] = int(q);
        const std::array<std::size_t, 3> n{na, nb, nc};
        for (int d = 0; d < 3; ++d)
          cell.lines[std::size_t(d)] = axis_lines(d, n, weights, owners, part_of, cell.parts.size());
        per_plane[std::size_t(k)].push_back(std::move(cell));
      }
  }
  std::vector<MixedCell> out;
  for (auto& plane : per_plane)
    for (auto& c : plane) out.push_back(std::move(c));
  return out;
}

}  // namespace hphtsim::geometry
