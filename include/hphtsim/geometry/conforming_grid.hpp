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

/// The grid over the cell (origin at the cube's centre). Throws std::invalid_argument on bad
/// settings (the caller names the key).
AssemblyGrid build_grid(const Assembly& assembly, const GridSettings& settings);

}  // namespace hphtsim::geometry
