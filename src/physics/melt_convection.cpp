// SPDX-License-Identifier: MIT
#include "hphtsim/physics/melt_convection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hphtsim::physics {

double side_heated_sherwood(double rayleigh, double schmidt, double aspect) {
  if (!(rayleigh > 0.0) || !(schmidt > 0.0)) return 1.0;
  const double ra = schmidt / (0.2 + schmidt) * rayleigh;
  double sh;
  if (aspect <= 2.0) sh = 0.18 * std::pow(ra, 0.29);  // H/L below 1: the 1-2 law at its edge
  else sh = 0.22 * std::pow(ra, 0.28) * std::pow(std::min(aspect, 10.0), -0.25);
  return std::max(1.0, sh);
}

MeltConvection melt_convection(const core::Grid& g, const std::vector<unsigned char>& melt,
                               const std::vector<double>& T, double rho, double diffusivity,
                               const MeltConvectionSettings& s) {
  MeltConvection out;
  const double inf = std::numeric_limits<double>::infinity();
  double volume = 0.0, weighted_dT = 0.0, weighted_area = 0.0, z_lo = inf, z_hi = -inf;
  for (int k = 0; k < g.nz; ++k) {
    double lo = inf, hi = -inf, layer_volume = 0.0;
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        if (!melt[c]) continue;
        lo = std::min(lo, T[c]);
        hi = std::max(hi, T[c]);
        layer_volume += g.volume(i, j, k);
      }
    if (layer_volume == 0.0) continue;
    const double dz = g.dz(k);
    volume += layer_volume;
    weighted_dT += layer_volume * (hi - lo);
    weighted_area += layer_volume * (layer_volume / dz);
    z_lo = std::min(z_lo, g.z[std::size_t(k)]);
    z_hi = std::max(z_hi, g.z[std::size_t(k) + 1]);
  }
  if (volume == 0.0) return out;
  out.dT_horizontal = weighted_dT / volume;
  out.height = z_hi - z_lo;
  out.radius = std::sqrt(weighted_area / volume / M_PI);
  const double nu = s.viscosity / rho;
  out.schmidt = nu / diffusivity;
  out.rayleigh = s.gravity * s.thermal_expansion * out.dT_horizontal * std::pow(out.radius, 3) / (nu * diffusivity);
  out.sherwood = side_heated_sherwood(out.rayleigh, out.schmidt, out.height / out.radius);
  return out;
}

}  // namespace hphtsim::physics
