// SPDX-License-Identifier: MIT
#include "hphtsim/geometry/region_mean.hpp"

#include <limits>

#include "hphtsim/core/parallel.hpp"

namespace hphtsim::geometry {

double region_mean(const core::Grid& grid, const MaterialMap& map, const std::vector<double>& cell_volume,
                   const std::vector<double>& field, int region) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (region < 0) return nan;
  const std::size_t plane = std::size_t(grid.nx) * grid.ny;
  const bool any_mixed = !map.mixed_index.empty();
  // Pure cells, plane by plane (a fixed reduction order: core/parallel.hpp).
  auto pure_sum = [&](bool weighted) {
    return core::plane_sum(grid.nz, [&](int k) {
      double s = 0.0;
      for (std::size_t c = std::size_t(k) * plane; c < std::size_t(k + 1) * plane; ++c)
        if (map.region[c] == region && (!any_mixed || map.mixed_index[c] < 0))
          s += cell_volume[c] * (weighted ? field[c] : 1.0);
      return s;
    });
  };
  double weighted = pure_sum(true), volume = pure_sum(false);
  // Mixed cells, in cell order: the region's part of each.
  for (const auto& m : map.mixed)
    for (const auto& p : m.parts)
      if (p.region == region) {
        const double v = cell_volume[m.cell] * p.fraction;
        weighted += v * field[m.cell];
        volume += v;
      }
  return volume > 0.0 ? weighted / volume : nan;
}

}  // namespace hphtsim::geometry
