// SPDX-License-Identifier: MIT
// Structured, possibly graded grid of cells. Cell (i,j,k) spans
// [x[i], x[i+1]] x [y[j], y[j+1]] x [z[k], z[k+1]]; fields are contiguous arrays with x
// fastest: index = i + nx*(j + ny*k). z is the press's current axis (top and bottom anvils).
//
// Two metrics. Cartesian: x, y, z in m. Cylindrical (axisymmetric cells, docs/model.md): x is
// the radius r >= 0 (x[0] = 0 on the axis), y the angle theta in radians over one cell
// [-pi, pi] (the whole revolution, so volumes, areas, powers and masses are the body's
// totals), z the axis. Every finite-volume term takes its face areas and volumes from here, so
// one discretisation serves both: the face at r has area r dtheta dz, a z face
// (r_o^2 - r_i^2)/2 dtheta, and the face on the axis has area 0, which is the symmetry
// condition at r = 0.
#pragma once

#include <cstddef>
#include <vector>

namespace hphtsim::core {

enum class Metric { cartesian, cylindrical };

struct Grid {
  int nx = 0, ny = 0, nz = 0;
  std::vector<double> x, y, z;  ///< cell edges (m; y in rad if cylindrical), sizes nx+1, ny+1, nz+1, strictly increasing
  Metric metric = Metric::cartesian;

  /// Uniform grid of n cells per axis over [origin, origin + length].
  static Grid uniform(int nx, int ny, int nz, double lx, double ly, double lz,
                      double ox = 0.0, double oy = 0.0, double oz = 0.0);
  /// Grid from explicit edge vectors (validated: at least 2 edges each, strictly increasing).
  static Grid from_edges(std::vector<double> x, std::vector<double> y, std::vector<double> z);
  /// Axisymmetric grid: radial edges from r = 0 (validated), one cell over the whole revolution.
  static Grid cylindrical(std::vector<double> r, std::vector<double> z);

  bool is_cylindrical() const { return metric == Metric::cylindrical; }

  std::size_t size() const { return std::size_t(nx) * std::size_t(ny) * std::size_t(nz); }
  std::size_t index(int i, int j, int k) const {
    return std::size_t(i) + std::size_t(nx) * (std::size_t(j) + std::size_t(ny) * std::size_t(k));
  }
  double dx(int i) const { return x[i + 1] - x[i]; }
  double dy(int j) const { return y[j + 1] - y[j]; }
  double dz(int k) const { return z[k + 1] - z[k]; }
  double xc(int i) const { return 0.5 * (x[i] + x[i + 1]); }
  double yc(int j) const { return 0.5 * (y[j] + y[j + 1]); }
  double zc(int k) const { return 0.5 * (z[k] + z[k + 1]); }
  /// Area of the x face at edge ie (0..nx) of row (j, k): r dtheta dz in cylindrical.
  double area_x(int ie, int j, int k) const {
    return (metric == Metric::cylindrical ? x[std::size_t(ie)] : 1.0) * dy(j) * dz(k);
  }
  /// Area of the y face of cell column (i, k) (the same at every edge j): dr dz in cylindrical.
  double area_y(int i, int k) const { return dx(i) * dz(k); }
  /// Area of the z face of cell column (i, j) (the same at every edge k).
  double area_z(int i, int j) const {
    return metric == Metric::cylindrical ? 0.5 * (x[i + 1] * x[i + 1] - x[i] * x[i]) * dy(j) : dx(i) * dy(j);
  }
  double volume(int i, int j, int k) const { return area_z(i, j) * dz(k); }
  /// Area of face f (0..5: x-, x+, y-, y+, z-, z+) of cell (i, j, k).
  double face_area(int i, int j, int k, int f) const {
    return f < 2 ? area_x(i + f, j, k) : (f < 4 ? area_y(i, k) : area_z(i, j));
  }

  /// Index of the cell whose span holds the coordinate (clamped to the grid); -1 if outside.
  int locate_x(double px) const;
  int locate_y(double py) const;
  int locate_z(double pz) const;
};

/// The face-connected sets of the cells with flags[c] != 0, numbered in the order of their
/// first cell, each set's cells ascending (the fluid regions of both elasticity operators).
std::vector<std::vector<std::size_t>> face_connected_sets(const Grid& g, const std::vector<unsigned char>& flags);

/// Calls f(index) for each of the up to six face neighbours of cell (i, j, k) inside the grid.
template <class F>
void for_each_face_neighbour(const Grid& g, int i, int j, int k, F&& f) {
  if (i > 0) f(g.index(i - 1, j, k));
  if (i + 1 < g.nx) f(g.index(i + 1, j, k));
  if (j > 0) f(g.index(i, j - 1, k));
  if (j + 1 < g.ny) f(g.index(i, j + 1, k));
  if (k > 0) f(g.index(i, j, k - 1));
  if (k + 1 < g.nz) f(g.index(i, j, k + 1));
}

}  // namespace hphtsim::core
