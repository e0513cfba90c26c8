// SPDX-License-Identifier: MIT
// Volume fractions of the painted assembly: which parts of the assembly share a grid cell, and
// in what proportion. A cell that a primitive's surface crosses (a cylinder's or tube's round
// side, a sphere, or a plane off the grid lines) is sub-sampled by the midpoint rule: on a
// 24 x 24 lattice in the plane across the axis when every surface crossing it is the round side
// of a body about one axis (the conforming grid puts their end planes on cell edges), else on
// about 10^3 points. Per axis the samples fill each stretch between the flat faces that cross
// the cell (box and seed faces, end planes) separately, so flat faces are integrated exactly
// and only round ones by the lattice. A sample belongs to the last primitive containing it
// (seeds last), as in painting.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "hphtsim/core/grid.hpp"

namespace hphtsim::geometry {

struct Assembly;

struct CellPart {
  std::int32_t region = -1;  ///< primitive index, or primitives.size() + s for seed s
  double fraction = 0.0;     ///< of the cell's volume
};

/// A cell of more than one part.
struct MixedCell {
  std::size_t cell = 0;
  std::vector<CellPart> parts;        ///< fractions sum to 1, largest first
  /// Unit normal (x, y, z) of the surface between the two largest parts at the cell's centre:
  /// that of the later-painted one of the two (a round side's is radial).
  std::array<double, 3> normal{};
};

/// Cells whose parts are not one, in cell order. Parts below 1e-4 of the cell are dropped
/// (and the rest renormalised).
std::vector<MixedCell> mixed_cells(const Assembly& assembly, const core::Grid& grid);

}  // namespace hphtsim::geometry
