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

/// The parts of a cell along lines parallel to one axis, through the sample lattice: per
/// distinct line its weight (its share of the cell's cross-section across the axis) and the
/// fraction of the line in each part (in the order of MixedCell::parts). Lines with the same
/// fractions are merged. A transport coefficient along the axis is then the lines' conductance
/// in series along each line and in parallel across them (materials/mixing.hpp), which is exact
/// for layers normal to the axis and for layers along it, and follows an oblique or round
/// interface without needing its normal.
struct AxisLines {
  std::vector<float> weight;    ///< per line; sums to 1
  std::vector<float> fraction;  ///< line l, part p at l * parts + p; each line's sum to 1
};

/// A cell of more than one part.
struct MixedCell {
  std::size_t cell = 0;
  std::vector<CellPart> parts;        ///< fractions sum to 1, largest first
  std::array<AxisLines, 3> lines;     ///< along x, y and z
};

/// Cells whose parts are not one, in cell order. Parts below 1e-4 of the cell are dropped
/// (and the rest renormalised).
std::vector<MixedCell> mixed_cells(const Assembly& assembly, const core::Grid& grid);

}  // namespace hphtsim::geometry
