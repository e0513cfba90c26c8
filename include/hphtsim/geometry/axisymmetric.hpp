// SPDX-License-Identifier: MIT
// The cell assembly as a body of revolution about the z axis (cell.geometry: axisymmetric,
// docs/model.md "Axisymmetric cells"). The parts of a TGM cell are bodies of revolution already
// (heater tube, discs, rings, liner, capsule, the seed on the axis); only the cube of pressure
// medium is not. It becomes a cylinder of the cube's height and a radius chosen by
// `cell.revolved_radius` (both rules' errors against the 3-D cell: docs/validation.md):
//   equal_volume (default): R = w / sqrt(pi) = 0.564 w, the cube's cross-section and volume.
//   equal_conduction: R = 0.54 w, the radial heat path of a long square bar: the conduction
//     shape factor of a cylinder of diameter D centred in a square bar of side w,
//     S = 2 pi / ln(1.08 w / D) per length (Incropera & DeWitt, Fundamentals of Heat and Mass
//     Transfer, table 4.1 [S]), equals a concentric cylinder's 2 pi / ln(R / r) at R = 0.54 w.
//     On the default cell it leaves the capsule 3 % (of its rise) colder than the 3-D cube: the
//     cube's edges and corners are a 3-D heat path that the bar formula leaves out.
//   or a length.
// The anvils' film coefficients are scaled so that each face group keeps the cube's h A
// (model.cpp).
#pragma once

#include "hphtsim/geometry/assembly.hpp"

namespace hphtsim::geometry {

/// Equal-conduction radius per edge of a square cross-section (the shape factor above).
constexpr double kEqualConductionRadiusPerEdge = 0.54;
/// Equal-area radius per edge: 1 / sqrt(pi).
constexpr double kEqualVolumeRadiusPerEdge = 0.56418958354775628;

/// The assembly in (r, z): checks that every primitive is a body of revolution about the z
/// axis (cylinders, disks and tubes along z and spheres, centred on the axis), turns a box that
/// fills the cube's cross-section (the pressure medium) into the cylinder of `radius` (m), and
/// a seed on the axis into the cylinder of its volume and height. Throws ConfigError naming the
/// key ("cell.size", "assembly.3.shape", "seeds.0.center", "cell.revolved_radius").
Assembly revolve(const Assembly& cube, double radius);

}  // namespace hphtsim::geometry
