// SPDX-License-Identifier: MIT
// The grid of a cell assembly: per axis, cell edges on every axis-aligned interface of the
// primitives and seeds (box faces, the end planes of cylinders, disks and tubes, the planes that
// bound their round sides, seed faces) with the spacing graded between them (core/graded_axis),
// optional refinement over chosen primitives, and a cell budget per axis. A uniform grid stays
// available (conform: false without refinement).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "hphtsim/core/graded_axis.hpp"
#include "hphtsim/core/grid.hpp"
#include "hphtsim/geometry/assembly.hpp"

namespace hphtsim::geometry {

struct GridRefinement {
  int primitive = -1;                          ///< index into Assembly::primitives
  double spacing = 0.0;                        ///< m, the largest cell over the primitive
  std::array<bool, 3> axes{true, true, true};  ///< the axes refined
};

struct GridSettings {
  std::array<int, 3> cells{64, 64, 64};  ///< budget per axis
  bool conform = true;
  double max_ratio = 1.3;
  /// Resolve thin parts: along each axis, every part thinner than thin_part_fraction of the
  /// cell's edge (a tube's wall across its axis, a disk's or box's thickness, a seed) gets
  /// max(2, budget x kThinPartCellsPerBudget) cells across it however thin it is, so that
  /// raising the budget refines every part alike (thin_part_regions); fewer, down to one, where
  /// that would overrun the budget. 0 switches it off.
  double thin_part_fraction = 1.0 / 16.0;
  /// 1/24: 2.7 cells across the default cell's 1 mm walls at 64^3, 4 at 96^3. 1/16 was
  /// measured as well: no more accurate on the default cell, and its finer bands next to coarse
  /// cells cost the multigrid solvers 36 % more per step (docs/validation.md, "Grid").
  static constexpr double kThinPartCellsPerBudget = 1.0 / 24.0;
  static constexpr double kMinCellsAcrossThinPart = 2.0;
  std::vector<GridRefinement> refine;
};

struct AssemblyGrid {
  core::Grid grid;
  std::array<core::GradedAxis, 3> axes;  ///< how each axis was laid out (empty edges: uniform)
  bool uniform = false;
  std::string describe() const;  ///< one line for the run header and `info`
};

/// The interfaces of the assembly along axis a (0 = x, 1 = y, 2 = z), unsorted.
std::vector<double> assembly_interfaces(const Assembly& assembly, int axis);

/// The intervals along axis a that refinement r covers: the primitive's extent, for a tube
/// across its axis only its wall.
std::vector<core::SpacingRegion> refinement_regions(const Assembly& assembly, const GridRefinement& r, int axis);

/// The intervals along axis a that the thin-part rule refines: each part of thickness
/// t < thinner_than along the axis gets spacing t / cells_across. A tube's wall across its
/// axis is refined over the band where it runs at less than 45 degrees to the axis' planes
/// (from inner_radius / sqrt 2 to the outer radius), so that the wall keeps about as many cells
/// across it all round, not only where it crosses the axis.
std::vector<core::SpacingRegion> thin_part_regions(const Assembly& assembly, int axis, double thinner_than,
                                                   double cells_across);

/// The grid over the cell (origin at the cube's centre). Throws std::invalid_argument on bad
/// settings (the caller names the key).
AssemblyGrid build_grid(const Assembly& assembly, const GridSettings& settings);

}  // namespace hphtsim::geometry
