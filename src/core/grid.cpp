// SPDX-License-Identifier: MIT
#include "hphtsim/core/grid.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace hphtsim::core {
namespace {

std::vector<double> uniform_edges(int n, double length, double origin) {
  if (n < 1) throw std::invalid_argument("grid: need at least one cell per axis");
  if (!(length > 0.0)) throw std::invalid_argument("grid: length must be positive");
  std::vector<double> e(std::size_t(n) + 1);
  for (int i = 0; i <= n; ++i) e[i] = origin + length * double(i) / double(n);
  return e;
}

void check_edges(const std::vector<double>& e, const char* axis) {
  if (e.size() < 2) throw std::invalid_argument(std::string("grid: axis ") + axis + " needs at least 2 edges");
  for (std::size_t i = 1; i < e.size(); ++i)
    if (!(e[i] > e[i - 1]))
      throw std::invalid_argument(std::string("grid: edges of axis ") + axis + " must increase strictly");
}

int locate(const std::vector<double>& e, double p) {
  if (p < e.front() || p > e.back()) return -1;
  auto it = std::upper_bound(e.begin(), e.end(), p);
  int i = int(it - e.begin()) - 1;
  return std::clamp(i, 0, int(e.size()) - 2);
}

}  // namespace

Grid Grid::uniform(int nx, int ny, int nz, double lx, double ly, double lz, double ox, double oy,
                   double oz) {
  return from_edges(uniform_edges(nx, lx, ox), uniform_edges(ny, ly, oy), uniform_edges(nz, lz, oz));
}

Grid Grid::from_edges(std::vector<double> x, std::vector<double> y, std::vector<double> z) {
  check_edges(x, "x");
  check_edges(y, "y");
  check_edges(z, "z");
  Grid g;
  g.nx = int(x.size()) - 1;
  g.ny = int(y.size()) - 1;
  g.nz = int(z.size()) - 1;
  g.x = std::move(x);
  g.y = std::move(y);
  g.z = std::move(z);
  return g;
}

Grid Grid::cylindrical(std::vector<double> r, std::vector<double> z) {
  check_edges(r, "r");
  if (r.front() != 0.0) throw std::invalid_argument("grid: the radial edges of an axisymmetric grid start on the axis (r = 0)");
  const double pi = 3.14159265358979323846;
  Grid g = from_edges(std::move(r), {-pi, pi}, std::move(z));
  g.metric = Metric::cylindrical;
  return g;
}

std::vector<std::vector<std::size_t>> face_connected_sets(const Grid& g, const std::vector<unsigned char>& flags) {
  std::vector<std::vector<std::size_t>> sets;
  std::vector<char> seen(flags.size(), 0);
  std::vector<std::size_t> stack;
  const std::size_t nx = std::size_t(g.nx), ny = std::size_t(g.ny);
  for (std::size_t first = 0; first < flags.size(); ++first) {
    if (!flags[first] || seen[first]) continue;
    std::vector<std::size_t> cells;
    seen[first] = 1;
    stack.assign(1, first);
    while (!stack.empty()) {
      const std::size_t c = stack.back();
      stack.pop_back();
      cells.push_back(c);
      for_each_face_neighbour(g, int(c % nx), int((c / nx) % ny), int(c / (nx * ny)), [&](std::size_t o) {
        if (flags[o] && !seen[o]) {
          seen[o] = 1;
          stack.push_back(o);
        }
      });
    }
    std::sort(cells.begin(), cells.end());
    sets.push_back(std::move(cells));
  }
  return sets;
}

int Grid::locate_x(double px) const { return locate(x, px); }
int Grid::locate_y(double py) const { return locate(y, py); }
int Grid::locate_z(double pz) const { return locate(z, pz); }

}  // namespace hphtsim::core
