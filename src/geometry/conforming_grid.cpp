// SPDX-License-Identifier: MIT
#include "hphtsim/geometry/conforming_grid.hpp"

#include <cmath>
#include <cstdio>

namespace hphtsim::geometry {

std::vector<double> assembly_interfaces(const Assembly& assembly, int axis) {
  std::vector<double> out;
  for (const auto& p : assembly.primitives) {
    const auto b = p.bounds();  // box faces; end planes and the planes bounding round sides
    out.push_back(b[std::size_t(axis)]);
    out.push_back(b[std::size_t(axis) + 3]);
    if (p.shape == Shape::tube && p.axis != axis) {  // the planes bounding the bore
      out.push_back(p.center[std::size_t(axis)] - p.inner_radius);
      out.push_back(p.center[std::size_t(axis)] + p.inner_radius);
    }
  }
  for (const auto& s : assembly.seeds) {
    const auto b = s.bounds();
    out.push_back(b[std::size_t(axis)]);
    out.push_back(b[std::size_t(axis) + 3]);
  }
  return out;
}

std::vector<core::SpacingRegion> refinement_regions(const Assembly& assembly, const GridRefinement& r, int axis) {
  std::vector<core::SpacingRegion> out;
  if (!r.axes[std::size_t(axis)]) return out;
  const Primitive& p = assembly.primitives[std::size_t(r.primitive)];
  const double c = p.center[std::size_t(axis)];
  if (p.shape == Shape::tube && p.axis != axis) {  // the wall, on both sides of the axis
    out.push_back({c - p.radius, c - p.inner_radius, r.spacing});
    out.push_back({c + p.inner_radius, c + p.radius, r.spacing});
  } else {
    const auto b = p.bounds();
    out.push_back({b[std::size_t(axis)], b[std::size_t(axis) + 3], r.spacing});
  }
  return out;
}

std::vector<core::SpacingRegion> thin_part_regions(const Assembly& assembly, int axis, double thin,
                                                   double cells_across) {
  std::vector<core::SpacingRegion> out;
  if (!(thin > 0.0 && cells_across > 0.0)) return out;
  auto add = [&](double lo, double hi, double t) {  // a part of thickness t over [lo, hi]
    if (t < thin && t > 0.0) out.push_back({lo, hi, t / cells_across});
  };
  const auto a = std::size_t(axis);
  for (const auto& p : assembly.primitives) {
    if (p.shape == Shape::tube && p.axis != axis) {
      // The wall's band: from where the inner surface runs at 45 degrees to the axis' planes
      // out to the outer radius, so that the wall keeps its cells across it all round, not
      // only where it crosses the axis (docs/validation.md, "Grid convergence", measures both).
      const double c = p.center[a], t = p.radius - p.inner_radius, in = p.inner_radius * std::sqrt(0.5);
      add(c - p.radius, c - in, t);
      add(c + in, c + p.radius, t);
    } else {
      const auto b = p.bounds();
      add(b[a], b[a + 3], b[a + 3] - b[a]);
    }
  }
  for (const auto& s : assembly.seeds) {
    const auto b = s.bounds();
    add(b[a], b[a + 3], b[a + 3] - b[a]);
  }
  return out;
}

AssemblyGrid build_grid(const Assembly& assembly, const GridSettings& settings) {
  AssemblyGrid out;
  const auto& size = assembly.cell_size;
  out.uniform = !settings.conform && settings.refine.empty();
  if (out.uniform) {
    const auto& n = settings.cells;
    out.grid = core::Grid::uniform(n[0], n[1], n[2], size[0], size[1], size[2], -0.5 * size[0], -0.5 * size[1],
                                   -0.5 * size[2]);
    return out;
  }
  std::array<std::vector<double>, 3> edges;
  for (int a = 0; a < 3; ++a) {
    core::GradedAxisSpec spec;
    spec.lo = -0.5 * size[std::size_t(a)];
    spec.hi = 0.5 * size[std::size_t(a)];
    if (settings.conform) spec.interfaces = assembly_interfaces(assembly, a);
    for (const auto& r : settings.refine) {
      auto regions = refinement_regions(assembly, r, a);
      spec.refine.insert(spec.refine.end(), regions.begin(), regions.end());
    }
    spec.max_ratio = settings.max_ratio;
    spec.budget = settings.cells[std::size_t(a)];
    const std::size_t chosen = spec.refine.size();
    // Thin parts get budget / 24 cells across, at least 2; fewer (down to one) where that
    // would overrun the budget: the budget holds first.
    const double thin = settings.thin_part_fraction * (spec.hi - spec.lo);
    double across = settings.conform && settings.thin_part_fraction > 0.0
                        ? std::max(GridSettings::kMinCellsAcrossThinPart, double(spec.budget) * GridSettings::kThinPartCellsPerBudget)
                        : 0.0;
    for (int attempt = 0;; ++attempt) {
      spec.refine.resize(chosen);
      const auto regions = thin_part_regions(assembly, a, thin, across);
      spec.refine.insert(spec.refine.end(), regions.begin(), regions.end());
      out.axes[std::size_t(a)] = core::graded_axis(spec);
      if (regions.empty() || out.axes[std::size_t(a)].within_budget || across <= 1.0 || attempt >= 20) break;
      across = std::max(1.0, 0.9 * across);
    }
    edges[std::size_t(a)] = out.axes[std::size_t(a)].edges;
  }
  out.grid = core::Grid::from_edges(edges[0], edges[1], edges[2]);
  return out;
}

std::string AssemblyGrid::describe() const {
  char buf[256];
  if (uniform) {
    std::snprintf(buf, sizeof buf, "%d x %d x %d cells, uniform", grid.nx, grid.ny, grid.nz);
    return buf;
  }
  double smallest = 1e300, largest = 0.0, ratio = 1.0;
  for (const auto& a : axes) {
    for (std::size_t i = 1; i < a.edges.size(); ++i) {
      smallest = std::min(smallest, a.edges[i] - a.edges[i - 1]);
      largest = std::max(largest, a.edges[i] - a.edges[i - 1]);
    }
    ratio = std::max(ratio, a.largest_ratio());
  }
  std::snprintf(buf, sizeof buf, "%d x %d x %d cells, conforming and graded (%.3g-%.3g mm, neighbour ratio <= %.2f)",
                grid.nx, grid.ny, grid.nz, smallest * 1e3, largest * 1e3, ratio);
  return buf;
}

}  // namespace hphtsim::geometry
