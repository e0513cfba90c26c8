// SPDX-License-Identifier: MIT
// Buoyant convection in a melt heated from its side wall, as an enhancement of the transport of
// a dissolved species: D_eff = D x Sh(Ra) (docs/model.md "Convection").
//
// A temperature-gradient cell heats its melt from the heater side: hot at the capsule wall,
// cooler on the axis, so the melt rises at the wall and sinks at the axis (Dossa et al. 2023
// [S]: buoyant flow in the solvent, transport raised about tenfold). The model takes the
// correlations of a side-heated enclosure (Catton 1978, as given by Incropera & DeWitt,
// Fundamentals of Heat and Mass Transfer, eqs. 9.49-9.50 [S]) in their mass-transfer form (heat
// -> mass analogy: Pr -> Sc = nu / D, Ra -> Ra = g beta dT L^3 / (nu D)):
//
//   1 <= H/L <= 2:   Sh = 0.18 (Sc / (0.2 + Sc) Ra)^0.29
//   2 <  H/L <= 10:  Sh = 0.22 (Sc / (0.2 + Sc) Ra)^0.28 (H / L)^(-1/4)
//
// with L the width from the hot wall to the cold side (here the melt's radius: the axis is the
// cold side), H the melt's height, dT the horizontal temperature difference. Sh >= 1 (pure
// diffusion below Ra ~ 1e3). Simplifications (docs/model.md): the stable vertical gradient of a
// TGM cell (hot source on top) and the carbon's own (solutal) buoyancy are not in the
// correlation; H/L below 1 uses the 1-2 law at its edge; the flow pattern is lost, only the
// integrated transport is kept.
#pragma once

#include <vector>

#include "hphtsim/core/grid.hpp"

namespace hphtsim::physics {

struct MeltConvectionSettings {
  double viscosity = 5e-3;           ///< Pa s, dynamic viscosity of the melt
  double thermal_expansion = 1.2e-4; ///< 1/K, volumetric expansion of the melt
  double gravity = 9.81;             ///< m/s^2
};

/// Sherwood number of a side-heated enclosure for Rayleigh number Ra, Schmidt number Sc and
/// aspect ratio H/L (the correlations above; >= 1).
double side_heated_sherwood(double rayleigh, double schmidt, double aspect);

struct MeltConvection {
  double dT_horizontal = 0.0;  ///< K, melt-volume-weighted mean over z layers of (T_max - T_min) in the layer
  double height = 0.0;         ///< m, z extent of the melt
  double radius = 0.0;         ///< m, equivalent radius of the melt's mean layer area
  double rayleigh = 0.0;       ///< g beta dT L^3 / (nu D), L = radius
  double schmidt = 0.0;        ///< nu / D
  double sherwood = 1.0;       ///< transport enhancement, >= 1
};

/// The melt's convection from its cells (melt[c] != 0) and temperatures, for a melt of density
/// rho (kg/m^3) and species diffusivity D (m^2/s, at the melt's temperature). No melt: Sh = 1.
MeltConvection melt_convection(const core::Grid& grid, const std::vector<unsigned char>& melt,
                               const std::vector<double>& T, double rho, double diffusivity,
                               const MeltConvectionSettings& settings);

}  // namespace hphtsim::physics
