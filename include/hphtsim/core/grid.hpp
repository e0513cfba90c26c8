// SPDX-License-Identifier: MIT
// Structured, possibly graded, Cartesian grid of cells. Cell (i,j,k) spans
// [x[i], x[i+1]] x [y[j], y[j+1]] x [z[k], z[k+1]]; fields are contiguous arrays with x
// fastest: index = i + nx*(j + ny*k). z is the press's current axis (top and bottom anvils).
#pragma once

#include <cstddef>
#include <vector>

namespace hphtsim::core {

struct Grid {
  int nx = 0, ny = 0, nz = 0;
  std::vector<double> x, y, z;  ///< cell edges (m), sizes nx+1, ny+1, nz+1, strictly increasing

  /// Uniform grid of n cells per axis over [origin, origin + length].
  static Grid uniform(int nx, int ny, int nz, double lx, double ly, double lz,
                      double ox = 0.0, double oy = 0.0, double oz = 0.0);
  /// Grid from explicit edge vectors (validated: at least 2 edges each, strictly increasing).
  static Grid from_edges(std::vector<double> x, std::vector<double> y, std::vector<double> z);

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
  double volume(int i, int j, int k) const { return dx(i) * dy(j) * dz(k); }

  /// Index of the cell whose span holds the coordinate (clamped to the grid); -1 if outside.
  int locate_x(double px) const;
  int locate_y(double py) const;
  int locate_z(double pz) const;
};

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
