// SPDX-License-Identifier: MIT
// The cell assembly: ordered primitives (box, cylinder, disk, tube, sphere) painted one after
// the other into a material map on the grid, then the seeds (diamond boxes) on the seed bed.
// Coordinates are in m with the origin at the centre of the pressure-medium cube and z along
// the current axis (top and bottom anvils at z = +-size_z/2).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/grid.hpp"
#include "hphtsim/geometry/volume_fractions.hpp"

namespace hphtsim::geometry {

enum class Shape { box, cylinder, disk, tube, sphere };

struct Primitive {
  std::string name;
  std::string material;
  Shape shape = Shape::box;
  std::array<double, 3> center{0, 0, 0};
  std::array<double, 3> size{0, 0, 0};  ///< box edges
  double radius = 0.0;                   ///< cylinder, disk, sphere; outer radius of a tube
  double inner_radius = 0.0;             ///< tube
  double height = 0.0;                   ///< cylinder, disk, tube, along `axis`
  int axis = 2;                          ///< 0 = x, 1 = y, 2 = z

  bool contains(double x, double y, double z) const;
  /// Axis-aligned bounding box: {xmin, ymin, zmin, xmax, ymax, zmax}.
  std::array<double, 6> bounds() const;
};

enum class SeedOrientation { face100, face111 };

struct Seed {
  std::string name;
  std::array<double, 3> center{0, 0, 0};
  double size = 0.0;  ///< edge of the seed cube (m)
  SeedOrientation orientation = SeedOrientation::face100;
  std::string material = "diamond";
  /// In an axisymmetric cell (geometry/axisymmetric.hpp) the seed is the cylinder of its volume
  /// and height on the axis: radius size / sqrt(pi).
  bool revolved = false;
  double revolved_radius() const { return size / std::sqrt(3.14159265358979323846); }
  std::array<double, 6> bounds() const;
  bool contains(double x, double y, double z) const;  ///< faces included
};

struct Assembly {
  std::array<double, 3> cell_size{0, 0, 0};  ///< edges of the pressure-medium cube (m)
  /// Axisymmetric (geometry/axisymmetric.hpp): the cube is the cylinder of this radius (m) and
  /// height cell_size[2]; 0 in a Cartesian cell.
  double revolved_radius = 0.0;
  bool axisymmetric() const { return revolved_radius > 0.0; }
  std::vector<Primitive> primitives;
  std::vector<Seed> seeds;

  /// Reads `cell.size`, `assembly` (list of primitives) and `seeds` (optional). Checks every
  /// primitive and seed lies inside the cell and seeds do not overlap. Keys of errors are
  /// "assembly.3.radius", "seeds.0.center", ...
  static Assembly from_config(const core::ConfigNode& root);

  int find_primitive(const std::string& name) const;  ///< index or -1
};

/// Per-cell result of painting. region: index of the primitive that owns the cell (the largest
/// part of a mixed cell), or primitives.size() + s for seed s, or -1 if no primitive covers it.
struct MaterialMap {
  std::vector<std::int32_t> material;  ///< index into names
  std::vector<std::int32_t> region;
  std::vector<std::string> names;      ///< material names, in order of first appearance
  std::vector<std::int32_t> region_material;  ///< material id of each region
  /// Cells of more than one part (volume_fractions.hpp) and, per cell, the index into it or -1.
  std::vector<MixedCell> mixed;
  std::vector<std::int32_t> mixed_index;

  /// Gives cell c to `new_region` (the growth's source erosion and crystal cells): its largest
  /// part, the one `region` named, changes with it.
  void reassign(std::size_t c, std::int32_t new_region);
};

/// Paints by volume fraction: the cells a surface crosses are sub-sampled (volume_fractions.hpp)
/// and owned by their largest part; the others by the last primitive containing them (seeds
/// last). Throws ConfigError("assembly", ...) if a cell is left uncovered (the first primitive
/// is normally the cube that fills the cell), or a primitive or seed owns no cell at all.
MaterialMap paint(const Assembly& assembly, const core::Grid& grid);

}  // namespace hphtsim::geometry
