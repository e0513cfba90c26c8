// SPDX-License-Identifier: MIT
#include "hphtsim/geometry/axisymmetric.hpp"

#include <cmath>
#include <string>

#include "hphtsim/core/error.hpp"

namespace hphtsim::geometry {

Assembly revolve(const Assembly& cube, double radius) {
  const double w = cube.cell_size[0];
  // Round-off of mm values converted to m, as the assembly's own checks.
  const double tol = 1e-9;
  if (std::abs(cube.cell_size[1] - w) > tol)
    throw ConfigError("cell.size", "an axisymmetric cell needs a square cross-section (x and y edges equal) to map "
                                   "the cube onto a cylinder; got " +
                                       std::to_string(w * 1e3) + " x " + std::to_string(cube.cell_size[1] * 1e3) + " mm");
  Assembly out = cube;
  for (std::size_t i = 0; i < out.primitives.size(); ++i) {  // every part inside the cylinder
    const Primitive& p = out.primitives[i];
    if (p.shape != Shape::box && p.radius > radius + tol)
      throw ConfigError("cell.revolved_radius", "the revolved cell (radius " + std::to_string(radius * 1e3) +
                                                    " mm) is narrower than '" + p.name + "'");
  }
  out.revolved_radius = radius;
  auto on_axis = [&](const std::array<double, 3>& c) { return std::abs(c[0]) <= tol && std::abs(c[1]) <= tol; };
  for (std::size_t i = 0; i < out.primitives.size(); ++i) {
    Primitive& p = out.primitives[i];
    const std::string key = "assembly." + std::to_string(i);
    if (p.shape == Shape::box) {
      const bool fills = on_axis(p.center) && p.size[0] >= w - tol && p.size[1] >= w - tol;
      if (!fills)
        throw ConfigError(key + ".shape", "box '" + p.name +
                                              "' is not a body of revolution about the z axis: an axisymmetric cell takes "
                                              "cylinders, disks and tubes along z and spheres, centred on the axis, and a box "
                                              "only if it fills the cell's cross-section (the pressure medium)");
      p.shape = Shape::cylinder;
      p.axis = 2;
      p.radius = out.revolved_radius;
      p.height = p.size[2];
      continue;
    }
    if (p.shape != Shape::sphere && p.axis != 2)
      throw ConfigError(key + ".axis", "'" + p.name + "' lies along x or y: an axisymmetric cell's parts are bodies of revolution about z");
    if (!on_axis(p.center))
      throw ConfigError(key + ".center", "'" + p.name + "' is off the z axis (x, y = 0 in an axisymmetric cell)");
  }
  for (std::size_t s = 0; s < out.seeds.size(); ++s) {
    Seed& seed = out.seeds[s];
    if (!on_axis(seed.center))
      throw ConfigError("seeds." + std::to_string(s) + ".center",
                        "seed '" + seed.name + "' is off the z axis: an axisymmetric cell grows one crystal on the axis (x, y = 0)");
    seed.revolved = true;
  }
  return out;
}

}  // namespace hphtsim::geometry
