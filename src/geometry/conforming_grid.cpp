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

namespace {

// The radial counterparts for an axisymmetric cell (axis 0 is r, from the axis to the
// revolved radius): every part's radii are interfaces, a tube's wall is exactly [inner, outer].
std::vector<double> radial_interfaces(const Assembly& assembly) {
  std::vector<double> out;
  for (const auto& p : assembly.primitives) {
    out.push_back(p.radius);
    if (p.shape == Shape::tube) out.push_back(p.inner_radius);
  }
  for (const auto& s : assembly.seeds) out.push_back(s.revolved_radius());
  return out;
}

/// The radial extent [lo, hi] of primitive p.
void radial_extent(const Primitive& p, double& lo, double& hi) {
  lo = p.shape == Shape::tube ? p.inner_radius : 0.0;
  hi = p.radius;
}

std::vector<core::SpacingRegion> radial_refinement_regions(const Assembly& assembly, const GridRefinement& r) {
  if (!r.axes[0]) return {};
  double lo, hi;
  radial_extent(assembly.primitives[std::size_t(r.primitive)], lo, hi);
  return {{lo, hi, r.spacing}};
}

std::vector<core::SpacingRegion> radial_thin_part_regions(const Assembly& assembly, double thin, double cells_across) {
  std::vector<core::SpacingRegion> out;
  if (!(thin > 0.0 && cells_across > 0.0)) return out;
  auto add = [&](double lo, double hi) {
    const double t = hi - lo;
    if (t < thin && t > 0.0) out.push_back({lo, hi, t / cells_across});
  };
  for (const auto& p : assembly.primitives) {
    double lo, hi;
    radial_extent(p, lo, hi);
    add(lo, hi);
  }
  for (const auto& s : assembly.seeds) add(0.0, s.revolved_radius());
  return out;
}

}  // namespace

AssemblyGrid build_grid(const Assembly& assembly, const GridSettings& settings) {
  AssemblyGrid out;
  const auto& size = assembly.cell_size;
  const bool revolved = assembly.axisymmetric();
  out.uniform = !settings.conform && settings.refine.empty();
  if (out.uniform) {
    const auto& n = settings.cells;
    if (revolved) {
      core::Grid r = core::Grid::uniform(n[0], 1, n[2], assembly.revolved_radius, 1.0, size[2], 0.0, 0.0, -0.5 * size[2]);
      out.grid = core::Grid::cylindrical(r.x, r.z);
    } else {
      out.grid = core::Grid::uniform(n[0], n[1], n[2], size[0], size[1], size[2], -0.5 * size[0], -0.5 * size[1],
                                     -0.5 * size[2]);
    }
    return out;
  }
  std::array<std::vector<double>, 3> edges;
  for (int a = 0; a < 3; ++a) {
    if (revolved && a == 1) continue;  // one cell over the whole revolution
    const bool radial = revolved && a == 0;
    core::GradedAxisSpec spec;
    spec.lo = radial ? 0.0 : -0.5 * size[std::size_t(a)];
    spec.hi = radial ? assembly.revolved_radius : 0.5 * size[std::size_t(a)];
    if (settings.conform) spec.interfaces = radial ? radial_interfaces(assembly) : assembly_interfaces(assembly, a);
    for (const auto& r : settings.refine) {
      auto regions = radial ? radial_refinement_regions(assembly, r) : refinement_regions(assembly, r, a);
      spec.refine.insert(spec.refine.end(), regions.begin(), regions.end());
    }
    spec.max_ratio = settings.max_ratio;
    spec.budget = settings.cells[std::size_t(a)];
    const std::size_t chosen = spec.refine.size();
    // Thin parts get budget / 24 cells across, at least 2; fewer (down to one) where that
    // would overrun the budget: the budget holds first. (Thin against the cube's edge, in r too.)
    const double thin = settings.thin_part_fraction * size[std::size_t(a)];
    double across = settings.conform && settings.thin_part_fraction > 0.0
                        ? std::max(GridSettings::kMinCellsAcrossThinPart, double(spec.budget) * GridSettings::kThinPartCellsPerBudget)
                        : 0.0;
    for (int attempt = 0;; ++attempt) {
      spec.refine.resize(chosen);
      const auto regions = radial ? radial_thin_part_regions(assembly, thin, across)
                                  : thin_part_regions(assembly, a, thin, across);
      spec.refine.insert(spec.refine.end(), regions.begin(), regions.end());
      out.axes[std::size_t(a)] = core::graded_axis(spec);
      if (regions.empty() || out.axes[std::size_t(a)].within_budget || across <= 1.0 || attempt >= 20) break;
      across = std::max(1.0, 0.9 * across);
    }
    edges[std::size_t(a)] = out.axes[std::size_t(a)].edges;
  }
  out.grid = revolved ? core::Grid::cylindrical(edges[0], edges[2]) : core::Grid::from_edges(edges[0], edges[1], edges[2]);
  return out;
}

std::string AssemblyGrid::describe() const {
  char buf[256];
  char cells[64];
  if (grid.is_cylindrical())
    std::snprintf(cells, sizeof cells, "%d x %d (r, z) cells, axisymmetric", grid.nx, grid.nz);
  else
    std::snprintf(cells, sizeof cells, "%d x %d x %d cells", grid.nx, grid.ny, grid.nz);
  if (uniform) {
    std::snprintf(buf, sizeof buf, "%s, uniform", cells);
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
  std::snprintf(buf, sizeof buf, "%s, conforming and graded (%.3g-%.3g mm, neighbour ratio <= %.2f)", cells,
                smallest * 1e3, largest * 1e3, ratio);
  return buf;
}

}  // namespace hphtsim::geometry
